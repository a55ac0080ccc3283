//! What a finished chant run means, in words: a pure function of facts
//! gathered once the run is over ([`gather`] reads them from disk and git).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::git;
use super::process::{error_line, Finished, StopReason};
use super::ChantCommand;
use crate::spec::frontmatter::SpecStatus;
use crate::spec::SpecModel;
use crate::vfs::{FileSystem, Limit, RealFs};

pub const APPLY_ACTION: &str = "Apply agent changes";

/// How a run ended, as far as the description needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    /// `exit code 1`, `killed by signal 9`.
    pub exit: String,
    pub success: bool,
    pub stopped: Option<StopReason>,
    /// chant's own `Error: ...` line.
    pub error_line: Option<String>,
}

impl Ending {
    pub fn of(finished: &Finished) -> Ending {
        Ending {
            exit: finished.describe_exit(),
            success: finished.status.success(),
            stopped: finished.stopped,
            error_line: error_line(finished),
        }
    }
}

/// Everything the description of a run depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFacts {
    pub command: ChantCommand,
    pub timeout: Option<Duration>,
    pub ending: Ending,
    /// The spec's status and commits on disk after the run (None:
    /// unreadable).
    pub spec_after: Option<(SpecStatus, Vec<String>)>,
    /// The worktree chant announced, if it still exists.
    pub worktree: Option<String>,
    pub branch: String,
    pub branch_kept: bool,
    /// Files the agent changed on its branch (outside `.chant/`).
    pub agent_changes: usize,
    /// Commits the run added to the current branch.
    pub new_commits: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// What to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub level: Level,
    pub text: String,
    /// For the end of the progress.
    pub short: String,
    /// Offer "Apply agent changes" with the message.
    pub offer_apply: bool,
}

fn label(command: &ChantCommand) -> String {
    format!("chant {} {}", command.verb(), command.id())
}

fn sentence_list(parts: &[String]) -> String {
    match parts.len() {
        0 => String::new(),
        1 => parts[0].clone(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

/// What a stopped or failed `chant work` leaves behind, as a sentence
/// (empty for other commands or when nothing is left).
pub fn leftovers(f: &RunFacts) -> String {
    if !matches!(f.command, ChantCommand::Work { .. }) {
        return String::new();
    }
    let status = f
        .spec_after
        .as_ref()
        .map(|(s, _)| *s)
        .filter(|s| matches!(s, SpecStatus::InProgress | SpecStatus::Failed));
    let mut parts = Vec::new();
    if let Some(status) = status {
        parts.push(format!("the spec with `status: {}`", status.as_str()));
    }
    if let Some(path) = &f.worktree {
        parts.push(format!("the worktree {path}"));
    }
    if f.branch_kept {
        parts.push(format!("the branch {}", f.branch));
    }
    if parts.is_empty() {
        return String::new();
    }
    let mut text = format!(" chant leaves behind {}.", sentence_list(&parts));
    if status == Some(SpecStatus::InProgress) {
        text.push_str(" Set the status back to `pending` before running the spec again.");
    }
    if let Some(path) = &f.worktree {
        text.push_str(&format!(
            " Remove the worktree with `git worktree remove --force {path}` when you no longer need it."
        ));
    }
    if f.branch_kept {
        text.push_str(&format!(
            " The branch holds the agent's work so far (delete it with `git branch -D {}`).",
            f.branch
        ));
    }
    text
}

/// The description of a run that ended.
pub fn describe(f: &RunFacts) -> Outcome {
    let label = label(&f.command);
    match f.ending.stopped {
        Some(StopReason::Shutdown) => {
            return Outcome {
                level: Level::Warning,
                text: format!(
                    "`{label}` was stopped because the language server is shutting down.{}",
                    leftovers(f)
                ),
                short: "stopped: the language server is shutting down".into(),
                offer_apply: false,
            }
        }
        Some(reason) => {
            let why = match reason {
                StopReason::TimedOut => format!(
                    "took longer than {} s (setting `chant.commands.timeoutSeconds`) and was stopped",
                    f.timeout.map_or(0, |t| t.as_secs())
                ),
                _ => "was cancelled".to_string(),
            };
            return Outcome {
                level: Level::Warning,
                text: format!(
                    "`{label}` {why}: chant and the processes it started were killed.{}",
                    leftovers(f)
                ),
                short: if reason == StopReason::TimedOut {
                    "timed out".into()
                } else {
                    "cancelled".into()
                },
                offer_apply: false,
            };
        }
        None if !f.ending.success => {
            let error = f
                .ending
                .error_line
                .as_deref()
                .map(|e| e.trim_end_matches('.').to_string())
                .unwrap_or_else(|| "chant printed no `Error:` line (see the output log)".into());
            return Outcome {
                level: Level::Error,
                text: format!(
                    "`{label}` failed ({}): {error}.{}",
                    f.ending.exit,
                    leftovers(f)
                ),
                short: "failed".into(),
                offer_apply: false,
            };
        }
        None => {}
    }
    match &f.command {
        ChantCommand::Work { .. } => {
            let status = f.spec_after.as_ref().map(|(s, _)| *s);
            if status != Some(SpecStatus::Completed) {
                return Outcome {
                    level: Level::Warning,
                    text: format!(
                        "`{label}` exited successfully but did not mark the spec completed (status: {}).{}",
                        status.map_or("unreadable", |s| s.as_str()),
                        leftovers(f)
                    ),
                    short: "finished without completing the spec".into(),
                    offer_apply: false,
                };
            }
            let commits = f
                .spec_after
                .as_ref()
                .map(|(_, c)| c.clone())
                .unwrap_or_default();
            let commits = if commits.is_empty() {
                String::new()
            } else {
                format!(" (commits {})", commits.join(", "))
            };
            let offer = f.agent_changes > 0;
            let tail = if offer {
                format!(
                    " The agent's changes are on branch {}, not in your checkout: \"{APPLY_ACTION}\" brings them into the editor for review.",
                    f.branch
                )
            } else {
                String::new()
            };
            Outcome {
                level: Level::Info,
                text: format!("`{label}` finished: the spec is completed{commits}.{tail}"),
                short: "completed".into(),
                offer_apply: offer,
            }
        }
        ChantCommand::Approve { by, .. } | ChantCommand::Reject { by, .. } => {
            let commits = match f.new_commits.len() {
                0 => String::new(),
                1 => format!(" (commit {})", f.new_commits[0]),
                _ => format!(" (commits {})", f.new_commits.join(", ")),
            };
            let (done, short) = if matches!(f.command, ChantCommand::Approve { .. }) {
                ("Approved", "approved")
            } else {
                ("Rejected", "rejected")
            };
            Outcome {
                level: Level::Info,
                text: format!("{done} spec {} as {by}{commits}.", f.command.id()),
                short: short.into(),
                offer_apply: false,
            }
        }
    }
}

/// What the run left: read from disk and git once it is over.
pub struct Gather<'a> {
    pub command: &'a ChantCommand,
    pub root: &'a Path,
    pub spec_path: &'a Path,
    pub branch: &'a str,
    pub timeout: Option<Duration>,
    pub head_before: Option<&'a str>,
    /// The worktree chant announced in its output.
    pub worktree: Option<&'a str>,
}

pub async fn gather(g: Gather<'_>, finished: &Finished) -> RunFacts {
    let spec_path: PathBuf = g.spec_path.to_path_buf();
    let spec_after = tokio::task::spawn_blocking(move || {
        let text = RealFs.read_text(&spec_path, Limit::SPEC).ok()?;
        let model = SpecModel::parse(&text);
        let v = model.values();
        Some((v.status, v.commits.clone().unwrap_or_default()))
    })
    .await
    .ok()
    .flatten();
    let worktree = g
        .worktree
        .filter(|p| Path::new(p).exists())
        .map(str::to_string);
    let branch_kept = git::branch_exists(g.root, g.branch).await;
    let agent_changes = if branch_kept && matches!(g.command, ChantCommand::Work { .. }) {
        super::agent::pending_change_count(g.root, g.branch).await
    } else {
        0
    };
    let new_commits = match g.head_before {
        Some(head) => git::new_commits(g.root, head).await,
        None => Vec::new(),
    };
    RunFacts {
        command: g.command.clone(),
        timeout: g.timeout,
        ending: Ending::of(finished),
        spec_after,
        worktree,
        branch: g.branch.to_string(),
        branch_kept,
        agent_changes,
        new_commits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(command: ChantCommand) -> RunFacts {
        RunFacts {
            command,
            timeout: None,
            ending: Ending {
                exit: "exit code 0".into(),
                success: true,
                stopped: None,
                error_line: None,
            },
            spec_after: Some((SpecStatus::Completed, vec!["abc1234".into()])),
            worktree: None,
            branch: "chant/x".into(),
            branch_kept: true,
            agent_changes: 2,
            new_commits: vec!["def5678".into()],
        }
    }

    fn work() -> ChantCommand {
        ChantCommand::work("x", None).unwrap()
    }

    #[test]
    fn a_completed_work_offers_the_agents_changes() {
        let outcome = describe(&facts(work()));
        assert_eq!(outcome.level, Level::Info);
        assert!(outcome.offer_apply);
        assert_eq!(
            outcome.text,
            "`chant work x` finished: the spec is completed (commits abc1234). The agent's changes are on branch chant/x, not in your checkout: \"Apply agent changes\" brings them into the editor for review."
        );
    }

    #[test]
    fn a_cancelled_work_says_what_is_left() {
        let mut f = facts(work());
        f.ending.stopped = Some(StopReason::Cancelled);
        f.ending.success = false;
        f.spec_after = Some((SpecStatus::InProgress, Vec::new()));
        f.worktree = Some("/tmp/wt".into());
        let outcome = describe(&f);
        assert_eq!(outcome.short, "cancelled");
        assert_eq!(
            outcome.text,
            "`chant work x` was cancelled: chant and the processes it started were killed. chant leaves behind the spec with `status: in_progress`, the worktree /tmp/wt and the branch chant/x. Set the status back to `pending` before running the spec again. Remove the worktree with `git worktree remove --force /tmp/wt` when you no longer need it. The branch holds the agent's work so far (delete it with `git branch -D chant/x`)."
        );
    }

    #[test]
    fn failures_quote_chants_error_and_approvals_their_commit() {
        let mut f = facts(work());
        f.ending = Ending {
            exit: "exit code 1".into(),
            success: false,
            stopped: None,
            error_line: Some("Error: Prompt not found: x.".into()),
        };
        f.spec_after = Some((SpecStatus::Failed, Vec::new()));
        f.branch_kept = false;
        assert_eq!(
            describe(&f).text,
            "`chant work x` failed (exit code 1): Error: Prompt not found: x. chant leaves behind the spec with `status: failed`."
        );
        let f = facts(ChantCommand::approve("x", "Ada").unwrap());
        assert_eq!(
            describe(&f).text,
            "Approved spec x as Ada (commit def5678)."
        );
        let mut f = facts(work());
        f.ending.stopped = Some(StopReason::TimedOut);
        f.timeout = Some(Duration::from_secs(5));
        f.branch_kept = false;
        f.spec_after = None;
        assert_eq!(
            describe(&f).text,
            "`chant work x` took longer than 5 s (setting `chant.commands.timeoutSeconds`) and was stopped: chant and the processes it started were killed."
        );
    }
}
