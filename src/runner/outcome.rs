//! What a finished chant run means, in words: a pure function of facts
//! gathered once the run is over ([`gather`] reads them from disk and git).
//! A command that runs chant several times ([`describe_job`]) is described
//! from the description of each run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::git;
use super::merging::MergeNotes;
use super::output;
use super::process::{error_line, Finished, StopReason};
use crate::analysis::command::{Chain, ChantCommand};
use crate::spec::frontmatter::{SpecStatus, SpecType, VerificationStatus};
use crate::spec::SpecModel;
use crate::vfs::{FileSystem, Limit, RealFs};

pub const APPLY_ACTION: &str = "Apply agent changes";
pub const STASH_ACTION: &str = "Stash them and merge";
pub const REVIEW_ACTION: &str = "Review changes";
pub const MERGE_ACTION: &str = "Merge";

/// A next step offered with a run's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    /// Show what the agent changed on its branch.
    Review,
    /// Bring the agent's branch into the editor.
    ApplyAgentChanges,
    /// Merge the agent's branch.
    Merge,
    /// Stash the files in the way of a merge, then merge.
    StashAndMerge,
}

impl Offer {
    /// The choice offered to the user.
    pub fn title(&self) -> &'static str {
        match self {
            Offer::Review => REVIEW_ACTION,
            Offer::ApplyAgentChanges => APPLY_ACTION,
            Offer::Merge => MERGE_ACTION,
            Offer::StashAndMerge => STASH_ACTION,
        }
    }
}

/// How a run ended, as far as the description needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ending {
    /// `exit code 1`, `killed by signal 9`.
    pub exit: String,
    pub success: bool,
    pub stopped: Option<StopReason>,
    /// chant's own `Error: ...` line.
    pub error_line: Option<String>,
    /// chant's error with the lines that explain it (its next steps).
    pub error: Option<String>,
    /// What chant printed on stdout (colours removed).
    pub stdout: String,
    /// What chant printed on stderr (colours removed).
    pub stderr: String,
}

impl Ending {
    pub fn of(finished: &Finished) -> Ending {
        let stdout = output::strip_ansi(&finished.stdout);
        let stderr = output::strip_ansi(&finished.stderr);
        let error = output::error_block(&stderr).or_else(|| output::error_block(&stdout));
        Ending {
            exit: finished.describe_exit(),
            success: finished.status.success(),
            stopped: finished.stopped,
            error_line: error_line(finished).map(|l| output::strip_ansi(&l)),
            error,
            stdout,
            stderr,
        }
    }
}

/// The spec as chant left it on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecAfter {
    pub status: SpecStatus,
    pub commits: Vec<String>,
    pub spec_type: SpecType,
    pub verification: Option<VerificationStatus>,
    pub verification_failures: Vec<String>,
}

/// A spec whose status a run changed (or created, or removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub id: String,
    pub before: Option<SpecStatus>,
    pub after: Option<SpecStatus>,
}

/// Everything the description of a run depends on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunFacts {
    pub command: Option<ChantCommand>,
    pub timeout: Option<Duration>,
    pub ending: Ending,
    /// The spec on disk after the run (None: gone or unreadable).
    pub spec_after: Option<SpecAfter>,
    /// The worktree chant announced, if it still exists.
    pub worktree: Option<String>,
    pub branch: String,
    pub branch_kept: bool,
    /// Files the agent changed on its branch (chant's own files aside).
    pub agent_changes: usize,
    /// Commits the run added to the current branch.
    pub new_commits: Vec<String>,
    /// The members of the spec (`<id>.N`), before or after the run, in
    /// chant's order, with their statuses.
    pub members: Vec<StatusChange>,
    /// Other specs whose status the run changed.
    pub others: Vec<StatusChange>,
    /// Where an archived spec went, relative to the project root.
    pub archived_to: Option<String>,
    /// A `git merge` is left half-done in the checkout.
    pub merge_in_progress: bool,
    /// The branch chant merges into (config `defaults.main_branch`).
    pub main_branch: String,
}

impl RunFacts {
    fn command(&self) -> &ChantCommand {
        self.command
            .as_ref()
            .expect("facts of a run name its command")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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
    /// What the message offers to do next, in the order offered.
    pub offers: Vec<Offer>,
    /// The run did what it was asked to.
    pub done: bool,
}

impl Outcome {
    fn info(text: String, short: impl Into<String>) -> Outcome {
        Outcome {
            level: Level::Info,
            text,
            short: short.into(),
            offers: Vec::new(),
            done: true,
        }
    }
}

fn sentence_list(parts: &[String]) -> String {
    match parts.len() {
        0 => String::new(),
        1 => parts[0].clone(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn commits_clause(commits: &[String]) -> String {
    match commits.len() {
        0 => String::new(),
        1 => format!(" (commit {})", commits[0]),
        _ => format!(" (commits {})", commits.join(", ")),
    }
}

/// What a stopped or failed `chant work` leaves behind, as a sentence
/// (empty for other commands or when nothing is left).
pub fn leftovers(f: &RunFacts) -> String {
    if !matches!(f.command(), ChantCommand::Work { .. }) {
        return String::new();
    }
    let status = f
        .spec_after
        .as_ref()
        .map(|s| s.status)
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
    if status == Some(SpecStatus::Failed) {
        text.push_str(" \"Reset spec\" puts it back to `pending`.");
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
    let command = f.command();
    let label = command.label();
    match f.ending.stopped {
        Some(StopReason::Shutdown) => {
            return Outcome {
                level: Level::Warning,
                text: format!(
                    "`{label}` was stopped because the language server is shutting down.{}",
                    leftovers(f)
                ),
                short: "stopped: the language server is shutting down".into(),
                offers: Vec::new(),
                done: false,
            }
        }
        Some(StopReason::Looping) => {
            let mut text = format!(
                "`{label}` kept skipping the rest of the group after a member failed, without end (chant 0.23.2's chain loops there), so it was stopped: chant and the processes it started were killed."
            );
            if !f.members.is_empty() {
                text.push_str(&format!(" {}", members_sentence(f)));
            }
            text.push_str(&leftovers(f));
            return Outcome {
                level: Level::Error,
                text,
                short: "stopped: chant was looping".into(),
                offers: Vec::new(),
                done: false,
            };
        }
        Some(reason) => {
            let why = match reason {
                StopReason::TimedOut => format!(
                    "took longer than {} s (setting `chant.commands.timeoutSeconds`) and was stopped",
                    f.timeout.map_or(0, |t| t.as_secs())
                ),
                StopReason::Interrupted => {
                    "was stopped from outside the editor (its supervisor process got a signal)"
                        .to_string()
                }
                _ => "was cancelled".to_string(),
            };
            return Outcome {
                level: Level::Warning,
                text: format!(
                    "`{label}` {why}: chant and the processes it started were killed.{}",
                    leftovers(f)
                ),
                short: match reason {
                    StopReason::TimedOut => "timed out".into(),
                    StopReason::Interrupted => "stopped from outside".into(),
                    _ => "cancelled".into(),
                },
                offers: Vec::new(),
                done: false,
            };
        }
        None if !f.ending.success => return failure(f),
        None => {}
    }
    match command {
        ChantCommand::Work { .. } if !f.members.is_empty() => chain(f),
        ChantCommand::Work { .. } => work(f),
        ChantCommand::Approve { by, .. } | ChantCommand::Reject { by, .. } => {
            let (done, short) = if matches!(command, ChantCommand::Approve { .. }) {
                ("Approved", "approved")
            } else {
                ("Rejected", "rejected")
            };
            Outcome::info(
                format!(
                    "{done} spec {} as {by}{}.",
                    command.id(),
                    commits_clause(&f.new_commits)
                ),
                short,
            )
        }
        ChantCommand::Add { .. } => match output::created_id(&f.ending.stdout) {
            Some(id) => Outcome::info(
                format!(
                    "Added spec {id} (.chant/specs/{id}.md){}.",
                    commits_clause(&f.new_commits)
                ),
                format!("added {id}"),
            ),
            None => Outcome {
                level: Level::Error,
                text: format!("`{label}` finished, but chant did not say which spec it created (no `Created <id>` line): see the output log."),
                short: "no spec created".into(),
                offers: Vec::new(),
                done: false,
            },
        },
        ChantCommand::Merge { id } => {
            let merged = output::merged_ids(&f.ending.stdout);
            if merged.iter().any(|m| m == id) {
                merged_into(&f.branch, &f.main_branch, &f.new_commits)
            } else {
                Outcome {
                    level: Level::Warning,
                    text: format!(
                        "`{label}` merged nothing: chant found no completed spec {id} with a branch {} to merge.",
                        f.branch
                    ),
                    short: "nothing merged".into(),
                    offers: Vec::new(),
                    done: false,
                }
            }
        }
        ChantCommand::MergeAll => {
            let mut merged = output::merged_ids(&f.ending.stdout);
            merged.sort();
            merged.dedup();
            if merged.is_empty() {
                return Outcome::info(
                    "`chant merge --all` found no completed spec with a branch to merge: nothing was merged.".into(),
                    "nothing to merge",
                );
            }
            let commits = match f.new_commits.len() {
                0 => String::new(),
                n => format!(" ({})", plural(n, "new commit", "new commits")),
            };
            Outcome::info(
                format!(
                    "Merged {} into {}: {}{commits}.",
                    plural(merged.len(), "branch", "branches"),
                    f.main_branch,
                    merged.join(", "),
                ),
                format!("merged {}", merged.len()),
            )
        }
        ChantCommand::Archive { id } => {
            let Some(to) = &f.archived_to else {
                return Outcome {
                    level: Level::Warning,
                    text: format!("`{label}` archived nothing (chant: \"No specs to archive.\"): chant archives only completed specs."),
                    short: "nothing archived".into(),
                    offers: Vec::new(),
                    done: false,
                };
            };
            let mut text = format!("Archived spec {id}: chant moved it to {to}.");
            if output::archive_commit_skipped(&f.ending.stdout)
                || output::archive_commit_skipped(&f.ending.stderr)
            {
                text.push_str(" chant did not commit the move (it saw other uncommitted changes, the move itself included): commit it when you are ready.");
            } else if !f.new_commits.is_empty() {
                text.push_str(&format!(" Commit {}.", f.new_commits.join(", ")));
            }
            Outcome::info(text, "archived")
        }
        ChantCommand::Reset { id } => {
            let status = f.spec_after.as_ref().map(|s| s.status);
            Outcome::info(
                format!(
                    "Reset spec {id}: its status is {}.",
                    status.map_or("unreadable", |s| s.as_str())
                ),
                "reset",
            )
        }
        ChantCommand::Cancel { id, delete: false } => Outcome::info(
            format!("Cancelled spec {id} (`status: cancelled`); the file stays, uncommitted."),
            "cancelled",
        ),
        ChantCommand::Cancel { id, delete: true } => Outcome::info(
            format!("Deleted spec {id}: chant removed .chant/specs/{id}.md and its log (not committed)."),
            "deleted",
        ),
        ChantCommand::Verify { id } => verified(id, f),
        ChantCommand::Split { id } => {
            let created: Vec<String> = f
                .members
                .iter()
                .filter(|m| m.before.is_none() && m.after.is_some())
                .map(|m| m.id.clone())
                .collect();
            let now = f
                .spec_after
                .as_ref()
                .map(|s| format!(" {id} is now of type {}.", s.spec_type.as_str()))
                .unwrap_or_default();
            Outcome::info(
                format!(
                    "Split spec {id} into {}: {}.{now} The new files are not committed.",
                    plural(created.len(), "member", "members"),
                    created.join(", ")
                ),
                format!("split into {}", created.len()),
            )
        }
    }
}

/// A run chant ended with an error.
fn failure(f: &RunFacts) -> Outcome {
    let command = f.command();
    let label = command.label();
    if let ChantCommand::Merge { .. } = command {
        let files = output::conflicting_files(&f.ending.stdout);
        if !files.is_empty() {
            return merge_conflict(f, &files);
        }
    }
    if let ChantCommand::MergeAll = command {
        let files = output::conflicting_files(&f.ending.stdout);
        let stopped = output::merge_failures(&f.ending.stdout).pop();
        if let (false, Some((id, _))) = (files.is_empty(), stopped) {
            return merge_all_conflict(f, &id, &files);
        }
    }
    let error = f
        .ending
        .error
        .as_deref()
        .or(f.ending.error_line.as_deref())
        .map(|e| e.trim_end_matches('.').to_string())
        .unwrap_or_else(|| "chant printed no `Error:` line (see the output log)".into());
    let mut text = format!("`{label}` failed ({}): {error}.", f.ending.exit);
    if matches!(command, ChantCommand::Work { .. }) && !f.members.is_empty() {
        text.push_str(&format!(" {}", members_sentence(f)));
    }
    text.push_str(&leftovers(f));
    Outcome {
        level: Level::Error,
        text,
        short: "failed".into(),
        offers: Vec::new(),
        done: false,
    }
}

/// `chant merge <id>` stopped on conflicts: chant aborts the merge itself
/// (its "git merge --continue" advice applies only if a merge is left).
fn merge_conflict(f: &RunFacts, files: &[String]) -> Outcome {
    let id = f.command().id();
    let branch = &f.branch;
    let main = &f.main_branch;
    let list = files.join(", ");
    let mut text =
        format!("`chant merge {id}` stopped: merging {branch} into {main} conflicts in {list}.");
    if f.merge_in_progress {
        text.push_str(&merge_in_progress(&list));
    } else {
        text.push_str(&format!(
            " chant aborted the merge, so your checkout is as it was and {branch} keeps the agent's work. To merge by hand: `git merge {branch}`, resolve the conflicts in {list}, `git add` them and run `git merge --continue` (or `git merge --abort`). Or let chant rebase the branch and resolve the conflicts with its agent: `chant merge {id} --rebase --auto`."
        ));
    }
    let offer = f.branch_kept && f.agent_changes > 0;
    if offer {
        text.push_str(&format!(
            " Or \"{APPLY_ACTION}\" brings the branch's changes into the editor, merged with yours where they do not overlap."
        ));
    }
    Outcome {
        level: Level::Error,
        text,
        short: "conflicts".into(),
        offers: if offer {
            vec![Offer::ApplyAgentChanges]
        } else {
            Vec::new()
        },
        done: false,
    }
}

/// What to do when chant left a conflicted merge in the checkout.
fn merge_in_progress(files: &str) -> String {
    format!(
        " The merge is still in progress in your checkout: resolve the conflicts in {files}, `git add` them and run `git merge --continue`, or `git merge --abort` to give up."
    )
}

/// `chant merge --all` stopped at a spec whose branch conflicts: what was
/// merged before it, the files, and what to do (the rest was not merged).
fn merge_all_conflict(f: &RunFacts, id: &str, files: &[String]) -> Outcome {
    let main = &f.main_branch;
    let list = files.join(", ");
    let mut text = format!(
        "`chant merge --all` stopped at spec {id}: merging its branch into {main} conflicts in {list}."
    );
    let mut merged = output::merged_ids(&f.ending.stdout);
    merged.dedup();
    if !merged.is_empty() {
        text.push_str(&format!(" Merged before it: {}.", merged.join(", ")));
    }
    if f.merge_in_progress {
        text.push_str(&merge_in_progress(&list));
    } else {
        text.push_str(&format!(
            " chant aborted that merge, so your checkout is as it was. Merge {id} on its own (\"Merge branch\" on the spec, or `git merge` its branch and resolve {list} by hand), or let chant rebase it and resolve the conflicts with its agent: `chant merge {id} --rebase --auto`."
        ));
    }
    text.push_str(" The specs after it were not merged: run Merge All again once it is.");
    Outcome {
        level: Level::Error,
        text,
        short: "conflicts".into(),
        offers: Vec::new(),
        done: false,
    }
}

fn work(f: &RunFacts) -> Outcome {
    let label = f.command().label();
    let status = f.spec_after.as_ref().map(|s| s.status);
    if status != Some(SpecStatus::Completed) {
        return Outcome {
            level: Level::Warning,
            text: format!(
                "`{label}` exited successfully but did not mark the spec completed (status: {}).{}",
                status.map_or("unreadable", |s| s.as_str()),
                leftovers(f)
            ),
            short: "finished without completing the spec".into(),
            offers: Vec::new(),
            done: false,
        };
    }
    let commits = f
        .spec_after
        .as_ref()
        .map(|s| s.commits.clone())
        .unwrap_or_default();
    let commits = if commits.is_empty() {
        String::new()
    } else {
        format!(" (commits {})", commits.join(", "))
    };
    let offer = f.agent_changes > 0;
    let tail = if offer {
        format!(
            " The agent's changes are on branch {}, not in your checkout: \"{REVIEW_ACTION}\" shows what it changed, \"{APPLY_ACTION}\" brings them into the editor to edit, \"{MERGE_ACTION}\" merges the branch into {}.",
            f.branch, f.main_branch
        )
    } else {
        String::new()
    };
    Outcome {
        level: Level::Info,
        text: format!("`{label}` finished: the spec is completed{commits}.{tail}"),
        short: "completed".into(),
        offers: match offer {
            true => vec![Offer::Review, Offer::ApplyAgentChanges, Offer::Merge],
            false => Vec::new(),
        },
        done: true,
    }
}

/// What became of each member: "X.1 completed, X.2 failed, X.3 not run
/// (pending)".
fn members_sentence(f: &RunFacts) -> String {
    let parts: Vec<String> = f
        .members
        .iter()
        .map(|m| match (m.before, m.after) {
            (Some(SpecStatus::Completed), Some(SpecStatus::Completed)) => {
                format!("{} was already completed", m.id)
            }
            (before, Some(after)) if before == Some(after) => {
                format!("{} not run ({})", m.id, after.as_str())
            }
            (_, Some(after)) => format!("{} {}", m.id, after.as_str()),
            (_, None) => format!("{} (gone)", m.id),
        })
        .collect();
    let mut text = format!("Members: {}.", sentence_list(&parts));
    let others: Vec<String> = f
        .others
        .iter()
        .map(|o| format!("{} ({})", o.id, o.after.map_or("removed", |s| s.as_str())))
        .collect();
    if !others.is_empty() {
        text.push_str(&format!(
            " chant then went on with other ready specs of the project: {}.",
            sentence_list(&others)
        ));
    }
    text
}

/// `chant work` on a driver, a group or a spec with members: chant ran the
/// members as a chain.
fn chain(f: &RunFacts) -> Outcome {
    let label = f.command().label();
    let count = |s: SpecStatus| {
        f.members
            .iter()
            .filter(|m| m.after == Some(s) && m.before != Some(s))
            .count()
    };
    let (completed, failed) = (count(SpecStatus::Completed), count(SpecStatus::Failed));
    let all_done = f
        .members
        .iter()
        .all(|m| m.after == Some(SpecStatus::Completed));
    let level = if failed > 0 {
        Level::Error
    } else if all_done {
        Level::Info
    } else {
        Level::Warning
    };
    Outcome {
        level,
        text: format!(
            "`{label}` ran the spec's {} as a chain. {}",
            plural(f.members.len(), "member", "members"),
            members_sentence(f)
        ),
        short: format!(
            "{}: {completed} completed, {failed} failed",
            plural(f.members.len(), "member", "members")
        ),
        offers: Vec::new(),
        done: failed == 0,
    }
}

fn verified(id: &str, f: &RunFacts) -> Outcome {
    let Some(after) = &f.spec_after else {
        return Outcome::info(format!("`chant verify {id}` finished."), "verified");
    };
    match after.verification {
        Some(VerificationStatus::Passed) => Outcome::info(
            format!("Verified spec {id}: every acceptance criterion passed (`verification_status: passed`)."),
            "passed",
        ),
        Some(VerificationStatus::Partial) => Outcome {
            level: Level::Warning,
            text: format!("Verified spec {id}: some criteria were skipped (`verification_status: partial`)."),
            short: "partial".into(),
            offers: Vec::new(),
            done: true,
        },
        Some(VerificationStatus::Failed) => Outcome {
            level: Level::Warning,
            text: format!(
                "Verification of spec {id} failed: {}. chant set `status: {}`.",
                if after.verification_failures.is_empty() {
                    "see `verification_failures`".to_string()
                } else {
                    after.verification_failures.join("; ")
                },
                after.status.as_str()
            ),
            short: "failed".into(),
            offers: Vec::new(),
            done: true,
        },
        None => Outcome {
            level: Level::Warning,
            text: format!("`chant verify {id}` verified nothing (it skips a spec without an acceptance criteria section)."),
            short: "not verified".into(),
            offers: Vec::new(),
            done: false,
        },
    }
}

/// What the editor did around a command's merges, as sentences to add to
/// chant's outcome (empty when it did nothing).
pub fn merge_notes(notes: &MergeNotes) -> String {
    let mut text = String::new();
    for (branch, specs) in &notes.kept {
        text.push_str(&format!(
            " {branch} deleted {} that chant had only removed from the agent's worktree ({}): the editor restored them on the branch before merging, so {} kept on the main branch.",
            plural(specs.len(), "other spec", "other specs"),
            specs.join(", "),
            if specs.len() == 1 { "it is" } else { "they are" }
        ));
    }
    if !notes.cleared.is_empty() {
        text.push_str(&format!(
            " Put back {} \"Apply agent changes\" had written, identical to the branch's (the merge wrote them again): {}.",
            plural(notes.cleared.len(), "file", "files"),
            notes.cleared.join(", ")
        ));
    }
    if !notes.stashed.is_empty() {
        text.push_str(&format!(
            " Stashed {} that were in the way ({}): `git stash pop` brings your versions back.",
            plural(notes.stashed.len(), "file", "files"),
            notes.stashed.join(", ")
        ));
    }
    for m in &notes.resolved {
        let only_branch = match m.merged.ticks_from_branch {
            0 => String::new(),
            n => format!(" ({n} ticked only there)"),
        };
        text.push_str(&format!(
            " chant stopped merging {branch} on its own bookkeeping in {spec}: the agent ticked the criteria on the branch, chant wrote the transcript and completion fields on the main branch. The editor merged it itself, with every criterion ticked on the branch{only_branch} and every line the main branch added since the agent started ({lines}), checked that chant reads the result, and committed \"Merge {branch}\" ({commit}).",
            branch = m.branch,
            spec = m.spec,
            lines = plural(m.merged.lines_from_main, "line", "lines"),
            commit = m.commit,
        ));
    }
    text
}

/// A branch merged.
pub fn merged_into(branch: &str, main: &str, commits: &[String]) -> Outcome {
    Outcome::info(
        format!("Merged {branch} into {main}{}.", commits_clause(commits)),
        "merged",
    )
}

/// A merge refused before chant ran: files in the way that differ from
/// the branch's.
pub fn merge_blocked(branch: &str, files: &[String]) -> Outcome {
    Outcome {
        level: Level::Error,
        text: format!(
            "Merging {branch} would overwrite {} in your checkout that differ from the branch's ({}): probably \"Apply agent changes\" brought them in and you changed them since. Nothing was merged. Commit or stash them, or \"{STASH_ACTION}\" (`git stash pop` brings them back afterwards).",
            plural(files.len(), "file", "files"),
            files.join(", ")
        ),
        short: "files in the way".into(),
        offers: vec![Offer::StashAndMerge],
        done: false,
    }
}

/// The description of a command from the outcome of each of its runs, in
/// order (runs after a stop are not there).
pub fn describe_job(kind: &Chain, runs: &[(RunFacts, Outcome)]) -> Outcome {
    match kind {
        Chain::Single => runs.last().map(|(_, o)| o.clone()).unwrap_or(Outcome {
            level: Level::Warning,
            text: "Nothing ran.".into(),
            short: "nothing ran".into(),
            offers: Vec::new(),
            done: false,
        }),
        Chain::ResetThenWork => match runs {
            [(_, reset)] => reset.clone(),
            [(_, reset), (_, work)] => Outcome {
                level: work.level,
                text: format!("{} {}", reset.text, work.text),
                short: work.short.clone(),
                offers: work.offers.clone(),
                done: work.done,
            },
            _ => describe_job(&Chain::Single, runs),
        },
        Chain::ArchiveByLabel { label, refused } => {
            let archived: Vec<String> = runs
                .iter()
                .filter(|(_, o)| o.done)
                .map(|(f, _)| f.command().id().to_string())
                .collect();
            let mut not: Vec<String> = refused
                .iter()
                .map(|(id, why)| format!("{id} ({why})"))
                .collect();
            for (f, o) in runs.iter().filter(|(_, o)| !o.done) {
                let why = f
                    .ending
                    .error
                    .as_deref()
                    .and_then(|e| e.lines().next())
                    .map(|l| l.trim_start_matches("Error: ").to_string())
                    .unwrap_or_else(|| o.short.clone());
                not.push(format!("{} ({why})", f.command().id()));
            }
            let stopped = runs.iter().any(|(f, _)| f.ending.stopped.is_some());
            let mut text = if archived.is_empty() {
                format!("No spec with label `{label}` was archived.")
            } else {
                format!(
                    "Archived {} with label `{label}`: {}.",
                    plural(archived.len(), "spec", "specs"),
                    archived.join(", ")
                )
            };
            if !not.is_empty() {
                text.push_str(&format!(" Not archived: {}.", not.join("; ")));
            }
            if stopped {
                text.push_str(" The command was stopped before it went through every spec.");
            }
            if runs.iter().any(|(f, _)| {
                output::archive_commit_skipped(&f.ending.stdout)
                    || output::archive_commit_skipped(&f.ending.stderr)
            }) {
                text.push_str(" chant did not commit the moves: commit them when you are ready.");
            }
            Outcome {
                level: if !not.is_empty() || stopped {
                    Level::Warning
                } else {
                    Level::Info
                },
                text,
                short: format!("archived {}, not archived {}", archived.len(), not.len()),
                offers: Vec::new(),
                done: not.is_empty() && !stopped,
            }
        }
    }
}

/// The statuses of the project's top-level specs, by ID (read from disk).
pub fn read_statuses(specs_dir: &Path) -> BTreeMap<String, SpecStatus> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(specs_dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(id) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".md"))
            .filter(|n| !n.starts_with('.'))
            .map(str::to_string)
        else {
            continue;
        };
        let Ok(text) = RealFs.read_text(&path, Limit::SPEC) else {
            continue;
        };
        let model = SpecModel::parse(&text);
        if model.chant_accepts() {
            out.insert(id, model.values().status);
        }
    }
    out
}

/// Member IDs (`<id>.N`, `<id>.N.M`) in chant's order: by member number.
fn is_member_of(id: &str, candidate: &str) -> bool {
    candidate
        .strip_prefix(id)
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

fn member_number(id: &str) -> u32 {
    id.rsplit_once('.')
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(u32::MAX)
}

/// Split the status changes of a run into the spec's members (every member,
/// changed or not) and the other specs that changed.
pub fn status_changes(
    id: &str,
    before: &BTreeMap<String, SpecStatus>,
    after: &BTreeMap<String, SpecStatus>,
) -> (Vec<StatusChange>, Vec<StatusChange>) {
    let mut ids: Vec<&String> = before.keys().chain(after.keys()).collect();
    ids.sort();
    ids.dedup();
    let mut members = Vec::new();
    let mut others = Vec::new();
    for other in ids {
        let change = StatusChange {
            id: other.clone(),
            before: before.get(other).copied(),
            after: after.get(other).copied(),
        };
        if is_member_of(id, other) {
            members.push(change);
        } else if other != id && change.before != change.after {
            others.push(change);
        }
    }
    members.sort_by_key(|m| (member_number(&m.id), m.id.clone()));
    (members, others)
}

/// What the run left: read from disk and git once it is over.
pub struct Gather<'a> {
    pub command: &'a ChantCommand,
    pub root: &'a Path,
    /// The spec file the command is about, if any.
    pub spec_path: Option<&'a Path>,
    pub branch: &'a str,
    pub main_branch: &'a str,
    pub timeout: Option<Duration>,
    pub head_before: Option<&'a str>,
    /// The worktree chant announced in its output.
    pub worktree: Option<&'a str>,
    /// The statuses of the project's specs before the run, for commands
    /// that change other specs (work, split).
    pub statuses_before: Option<&'a BTreeMap<String, SpecStatus>>,
}

/// Where chant archived a spec: `.chant/archive/<date>/<id>.md`.
fn find_archived(root: &Path, id: &str) -> Option<String> {
    let archive = root.join(".chant/archive");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&archive)
        .ok()?
        .flatten()
        .map(|e| e.path().join(format!("{id}.md")))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    let path = found.pop()?;
    Some(
        path.strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned(),
    )
}

pub async fn gather(g: Gather<'_>, finished: &Finished) -> RunFacts {
    let spec_path: Option<PathBuf> = g.spec_path.map(Path::to_path_buf);
    let root = g.root.to_path_buf();
    let id = g.command.id().to_string();
    let want_statuses = g.statuses_before.is_some();
    let archive = matches!(g.command, ChantCommand::Archive { .. });
    let (spec_after, statuses_after, archived_to) = tokio::task::spawn_blocking(move || {
        let spec_after = spec_path.and_then(|path| {
            let text = RealFs.read_text(&path, Limit::SPEC).ok()?;
            let model = SpecModel::parse(&text);
            let v = model.values();
            Some(SpecAfter {
                status: v.status,
                commits: v.commits.clone().unwrap_or_default(),
                spec_type: v.r#type,
                verification: v.verification_status,
                verification_failures: v.verification_failures.clone().unwrap_or_default(),
            })
        });
        let statuses = want_statuses.then(|| read_statuses(&root.join(".chant/specs")));
        let archived = if archive {
            find_archived(&root, &id)
        } else {
            None
        };
        (spec_after, statuses, archived)
    })
    .await
    .unwrap_or((None, None, None));
    let (members, others) = match (g.statuses_before, &statuses_after) {
        (Some(before), Some(after)) => status_changes(g.command.id(), before, after),
        _ => (Vec::new(), Vec::new()),
    };
    let worktree = g
        .worktree
        .filter(|p| Path::new(p).exists())
        .map(str::to_string);
    let branch_kept = !g.branch.is_empty() && git::branch_exists(g.root, g.branch).await;
    let agent_changes = if branch_kept
        && matches!(
            g.command,
            ChantCommand::Work { .. } | ChantCommand::Merge { .. }
        ) {
        super::agent::pending_change_count(g.root, g.branch).await
    } else {
        0
    };
    let new_commits = match g.head_before {
        Some(head) => git::new_commits(g.root, head).await,
        None => Vec::new(),
    };
    let merge_in_progress = matches!(g.command, ChantCommand::Merge { .. })
        && git::run(g.root, &["rev-parse", "--verify", "--quiet", "MERGE_HEAD"])
            .await
            .is_ok();
    RunFacts {
        command: Some(g.command.clone()),
        timeout: g.timeout,
        ending: Ending::of(finished),
        spec_after,
        worktree,
        branch: g.branch.to_string(),
        branch_kept,
        agent_changes,
        new_commits,
        members,
        others,
        archived_to,
        merge_in_progress,
        main_branch: g.main_branch.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(command: ChantCommand) -> RunFacts {
        RunFacts {
            command: Some(command),
            ending: Ending {
                exit: "exit code 0".into(),
                success: true,
                ..Default::default()
            },
            spec_after: Some(SpecAfter {
                status: SpecStatus::Completed,
                commits: vec!["abc1234".into()],
                spec_type: SpecType::Code,
                verification: None,
                verification_failures: Vec::new(),
            }),
            branch: "chant/x".into(),
            branch_kept: true,
            agent_changes: 2,
            new_commits: vec!["def5678".into()],
            main_branch: "main".into(),
            ..Default::default()
        }
    }

    fn work() -> ChantCommand {
        ChantCommand::work("x", None).unwrap()
    }

    fn failed(f: &mut RunFacts, stdout: &str, stderr: &str) {
        let finished = Finished {
            status: std::os::unix::process::ExitStatusExt::from_raw(1 << 8),
            stopped: None,
            stdout: stdout.into(),
            stderr: stderr.into(),
        };
        f.ending = Ending::of(&finished);
    }

    #[test]
    fn a_completed_work_offers_the_agents_changes() {
        let outcome = describe(&facts(work()));
        assert_eq!(outcome.level, Level::Info);
        assert_eq!(
            outcome.offers,
            [Offer::Review, Offer::ApplyAgentChanges, Offer::Merge]
        );
        assert_eq!(
            outcome.text,
            "`chant work x` finished: the spec is completed (commits abc1234). The agent's changes are on branch chant/x, not in your checkout: \"Review changes\" shows what it changed, \"Apply agent changes\" brings them into the editor to edit, \"Merge\" merges the branch into main."
        );
    }

    #[test]
    fn a_cancelled_work_says_what_is_left() {
        let mut f = facts(work());
        f.ending.stopped = Some(StopReason::Cancelled);
        f.ending.success = false;
        f.spec_after.as_mut().unwrap().status = SpecStatus::InProgress;
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
        failed(
            &mut f,
            "",
            "Warning: parallel.agents\nError: Prompt not found: x.\n\nStack backtrace:\n  0: x\n",
        );
        f.spec_after.as_mut().unwrap().status = SpecStatus::Failed;
        f.branch_kept = false;
        assert_eq!(
            describe(&f).text,
            "`chant work x` failed (exit code 1): Error: Prompt not found: x. chant leaves behind the spec with `status: failed`. \"Reset spec\" puts it back to `pending`."
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
        f.ending.stopped = Some(StopReason::Interrupted);
        let outcome = describe(&f);
        assert_eq!(
            outcome.text,
            "`chant work x` was stopped from outside the editor (its supervisor process got a signal): chant and the processes it started were killed."
        );
        assert_eq!(outcome.short, "stopped from outside");
    }

    #[test]
    fn merge_all_names_the_spec_it_stopped_at_and_the_files() {
        let mut f = facts(ChantCommand::MergeAll);
        failed(
            &mut f,
            "  ✓ Successfully merged a to main\n  ✗ b failed: Error: Content conflicts detected for spec b\n\nFiles with conflicts:\n  - .chant/specs/b.md\n\nNext steps:\n",
            "Error: Error: Merge stopped at spec b\n",
        );
        let outcome = describe(&f);
        assert_eq!(outcome.short, "conflicts");
        assert_eq!(
            outcome.text,
            "`chant merge --all` stopped at spec b: merging its branch into main conflicts in .chant/specs/b.md. Merged before it: a. chant aborted that merge, so your checkout is as it was. Merge b on its own (\"Merge branch\" on the spec, or `git merge` its branch and resolve .chant/specs/b.md by hand), or let chant rebase it and resolve the conflicts with its agent: `chant merge b --rebase --auto`. The specs after it were not merged: run Merge All again once it is."
        );
    }

    #[test]
    fn a_merge_conflict_names_the_files_and_what_to_do() {
        let mut f = facts(ChantCommand::merge("x").unwrap());
        failed(
            &mut f,
            "  ✗ x failed: Error: Content conflicts detected for spec x\n\nFiles with conflicts:\n  - README.md\n  - src/a.rs\n\nNext steps:\n",
            "Error: Error: Merge stopped at spec x\n",
        );
        let outcome = describe(&f);
        assert_eq!(outcome.short, "conflicts");
        assert_eq!(outcome.offers, [Offer::ApplyAgentChanges]);
        assert_eq!(
            outcome.text,
            "`chant merge x` stopped: merging chant/x into main conflicts in README.md, src/a.rs. chant aborted the merge, so your checkout is as it was and chant/x keeps the agent's work. To merge by hand: `git merge chant/x`, resolve the conflicts in README.md, src/a.rs, `git add` them and run `git merge --continue` (or `git merge --abort`). Or let chant rebase the branch and resolve the conflicts with its agent: `chant merge x --rebase --auto`. Or \"Apply agent changes\" brings the branch's changes into the editor, merged with yours where they do not overlap."
        );
    }

    #[test]
    fn a_chain_says_what_each_member_did() {
        let before = BTreeMap::from([
            ("d".to_string(), SpecStatus::Pending),
            ("d.1".to_string(), SpecStatus::Pending),
            ("d.2".to_string(), SpecStatus::Pending),
            ("d.10".to_string(), SpecStatus::Completed),
            ("other".to_string(), SpecStatus::Pending),
        ]);
        let mut after = before.clone();
        after.insert("d.1".into(), SpecStatus::Completed);
        after.insert("d.2".into(), SpecStatus::Failed);
        after.insert("other".into(), SpecStatus::Completed);
        let (members, others) = status_changes("d", &before, &after);
        let mut f = facts(ChantCommand::work("d", None).unwrap());
        f.members = members;
        f.others = others;
        let outcome = describe(&f);
        assert_eq!(outcome.level, Level::Error);
        assert_eq!(outcome.short, "3 members: 1 completed, 1 failed");
        assert_eq!(
            outcome.text,
            "`chant work d` ran the spec's 3 members as a chain. Members: d.1 completed, d.2 failed and d.10 was already completed. chant then went on with other ready specs of the project: other (completed)."
        );
    }

    #[test]
    fn archiving_by_label_says_what_was_archived_and_what_not() {
        let mut ok = facts(ChantCommand::archive("a").unwrap());
        ok.archived_to = Some(".chant/archive/2026-01-01/a.md".into());
        let mut refused = facts(ChantCommand::archive("b").unwrap());
        failed(
            &mut refused,
            "",
            "Error: Cannot archive spec 'b': feature branch 'chant/b' has not been merged to main\n\nOptions:\n",
        );
        let runs: Vec<(RunFacts, Outcome)> = [ok, refused]
            .into_iter()
            .map(|f| {
                let o = describe(&f);
                (f, o)
            })
            .collect();
        let kind = Chain::ArchiveByLabel {
            label: "walk".into(),
            refused: vec![(
                "c".into(),
                "pending: chant archives only completed specs".into(),
            )],
        };
        let outcome = describe_job(&kind, &runs);
        assert_eq!(
            outcome.text,
            "Archived 1 spec with label `walk`: a. Not archived: c (pending: chant archives only completed specs); b (Cannot archive spec 'b': feature branch 'chant/b' has not been merged to main)."
        );
        assert_eq!(outcome.level, Level::Warning);
    }
}
