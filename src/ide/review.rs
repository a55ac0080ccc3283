//! A review of an agent's branch as the editor shows it: a document in
//! unified diff form ([`render`]: Neovim and Helix highlight it as a diff),
//! a summary for editors that show the files themselves ([`summarize`]),
//! the sentence of the message that opens it ([`message`]), and the next
//! steps it offers ([`next_steps`]: the spec's own offers, so the review
//! and the spec never disagree on what may run).

use std::fmt::Write;

use serde::Serialize;

use super::commands::{commands, review_needs_git, CommandOffer, SpecCommand, SpecView};
use crate::analysis::command::InvalidArgument;
use crate::analysis::review::{Body, ChangeStatus, FileDiff, Review, Role, SummarySource};
use crate::spec::id::is_safe_id;
use crate::workspace::ProjectIndex;

/// What may follow a review, where the spec allows it now: approve,
/// reject, merge, apply for local editing.
pub fn next_steps(view: &SpecView) -> Vec<CommandOffer> {
    commands(view)
        .into_iter()
        .filter(|o| o.refused.is_none())
        .filter(|o| {
            matches!(
                o.command,
                SpecCommand::Approve { .. }
                    | SpecCommand::Reject { .. }
                    | SpecCommand::Merge { .. }
                    | SpecCommand::ApplyAgentChanges
            )
        })
        .collect()
}

/// Whether the user must type something before the command runs (a
/// rejection's reason).
pub fn asks_for_text(command: &SpecCommand) -> bool {
    matches!(command, SpecCommand::Reject { reason: None, .. })
}

/// The next steps a message can offer: those that need no typed answer
/// (the document names the others with their command).
pub fn message_choices(next: Vec<CommandOffer>) -> Vec<CommandOffer> {
    next.into_iter()
        .filter(|o| !asks_for_text(&o.command))
        .collect()
}

/// The agent branch and the main branch `chant/fileAt` reads for spec
/// `id`'s review, or why it does not: it runs git, which nothing runs while
/// running chant is off.
pub fn file_at_branches(
    index: &ProjectIndex,
    id: &str,
    commands_enabled: bool,
) -> Result<(String, String), String> {
    let (branch, main) = (index.config.branch_for(id), &index.config.main_branch);
    if !commands_enabled {
        return Err(review_needs_git(main, &branch));
    }
    if !is_safe_id(id) {
        return Err(InvalidArgument::SpecId(id.to_string()).to_string());
    }
    Ok((branch, main.clone()))
}

fn short(hash: &str) -> &str {
    hash.get(..7).unwrap_or(hash)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// A path as the document prints it: quoted as git does when it holds a
/// control character, a quote or a backslash (it would break the lines).
fn shown_path(path: &str) -> String {
    if !path
        .chars()
        .any(|c| c.is_control() || c == '"' || c == '\\')
    {
        return path.to_string();
    }
    let mut out = String::from("\"");
    for c in path.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\{:03o}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `(+3 -1)`, `(binary)`.
fn counts(file: &FileDiff) -> String {
    if file.body == Body::Binary {
        return "(binary)".into();
    }
    match (file.insertions, file.deletions) {
        (i, 0) => format!("(+{i})"),
        (0, d) => format!("(-{d})"),
        (i, d) => format!("(+{i} -{d})"),
    }
}

/// "1 file, +3 -1".
fn totals(files: &[&FileDiff]) -> String {
    let (i, d) = files
        .iter()
        .fold((0, 0), |(i, d), f| (i + f.insertions, d + f.deletions));
    format!("{}, +{i} -{d}", plural(files.len(), "file", "files"))
}

fn list(out: &mut String, files: &[&FileDiff]) {
    for f in files {
        let _ = writeln!(
            out,
            "#   {} {} {}",
            f.status.letter(),
            shown_path(&f.path),
            counts(f)
        );
    }
}

/// The warning on the specs a branch deletes.
fn deleted_specs_warning(review: &Review, n: usize) -> String {
    format!(
        "⚠ The branch deletes {}: chant removes every other spec from the agent's worktree, and the agent committed their deletion (it committed everything). Merged as it is, {} would delete {} from {}; the editor's Merge restores {} on the branch first.",
        plural(n, "other spec", "other specs"),
        review.branch,
        if n == 1 { "it" } else { "them" },
        review.main,
        if n == 1 { "it" } else { "them" },
    )
}

/// The review as a document in unified diff form: a header of `#` lines
/// (the spec, the branch, the commits, what the agent said, the files of
/// the work and of chant's bookkeeping apart, the deleted specs flagged,
/// the next steps with their commands), then each file's diff, the work's
/// first.
pub fn render(review: &Review, next: &[CommandOffer]) -> String {
    let lines: usize = review
        .files
        .iter()
        .map(|f| f.insertions + f.deletions)
        .sum();
    let mut out = String::with_capacity(4096 + lines * 48);
    match &review.title {
        Some(title) => {
            let _ = writeln!(out, "# Review of spec {}: {title}", review.id);
        }
        None => {
            let _ = writeln!(out, "# Review of spec {}", review.id);
        }
    }
    let _ = writeln!(
        out,
        "# Branch {} against {}: from their merge base {} to {}.",
        review.branch,
        review.main,
        short(&review.base),
        short(&review.head)
    );
    out.push_str("#\n");
    let _ = writeln!(
        out,
        "# {}:",
        plural(review.commits.len(), "commit", "commits")
    );
    for c in &review.commits {
        let _ = writeln!(out, "#   {} {}", c.hash, c.subject);
    }
    out.push_str("#\n");
    match &review.summary {
        Some(summary) => {
            let source = match summary.source {
                SummarySource::SpecOnMain => {
                    format!("the spec's ## Agent Output on {}", review.main)
                }
                SummarySource::Log => {
                    format!("the last run in .chant/logs/{}.log", review.id)
                }
            };
            let _ = writeln!(out, "# What the agent said ({source}):");
            if summary.omitted > 0 {
                let _ = writeln!(
                    out,
                    "#   ({} before these left out)",
                    plural(summary.omitted, "line", "lines")
                );
            }
            for line in &summary.lines {
                let _ = writeln!(out, "#   {line}");
            }
        }
        None => {
            let _ = writeln!(
                out,
                "# What the agent said: nothing recorded (no ## Agent Output in the spec on {}, no agent log).",
                review.main
            );
        }
    }
    out.push_str("#\n");
    let work: Vec<&FileDiff> = review.files_of(Role::Work).collect();
    let bookkeeping: Vec<&FileDiff> = review
        .files
        .iter()
        .filter(|f| matches!(f.role, Role::Spec | Role::Chant))
        .collect();
    let deleted: Vec<&FileDiff> = review.files_of(Role::DeletedSpec).collect();
    if work.is_empty() {
        out.push_str("# The agent's work: no file changed outside .chant/.\n");
    } else {
        let _ = writeln!(out, "# The agent's work: {}", totals(&work));
        list(&mut out, &work);
    }
    if !bookkeeping.is_empty() {
        let _ = writeln!(
            out,
            "# chant's bookkeeping (spec files): {}",
            totals(&bookkeeping)
        );
        list(&mut out, &bookkeeping);
    }
    if !deleted.is_empty() {
        let _ = writeln!(out, "# {}", deleted_specs_warning(review, deleted.len()));
        for f in &deleted {
            let _ = writeln!(out, "#   D {}", shown_path(&f.path));
        }
    }
    if !next.is_empty() {
        out.push_str("#\n# Next (the spec's code actions, or these commands):\n");
        for offer in next {
            let how = if asks_for_text(&offer.command) {
                " (asks for the reason)"
            } else {
                ""
            };
            let _ = writeln!(out, "#   {}: {}{how}", offer.title, offer.command.name());
        }
    }
    out.push_str("#\n");
    for f in &work {
        file_diff(&mut out, f);
    }
    if !bookkeeping.is_empty() {
        out.push_str("# ---- chant's bookkeeping: spec files ----\n");
        for f in &bookkeeping {
            file_diff(&mut out, f);
        }
    }
    out
}

/// One file in git's form; what is not shown says why.
fn file_diff(out: &mut String, f: &FileDiff) {
    let path = &f.path;
    let (a, b) = (format!("a/{path}"), format!("b/{path}"));
    let _ = writeln!(out, "diff --git {} {}", shown_path(&a), shown_path(&b));
    for mode in &f.modes {
        let _ = writeln!(out, "{mode}");
    }
    let old = match f.status {
        ChangeStatus::Added => "/dev/null".to_string(),
        _ => shown_path(&a),
    };
    let new = match f.status {
        ChangeStatus::Deleted => "/dev/null".to_string(),
        _ => shown_path(&b),
    };
    match &f.body {
        Body::Hunks(hunks) => {
            if hunks.is_empty() {
                return;
            }
            let _ = writeln!(out, "--- {old}\n+++ {new}");
            for h in hunks {
                out.push_str(&h.header);
                out.push('\n');
                out.push_str(&h.lines);
            }
        }
        Body::Binary => {
            let _ = writeln!(out, "Binary files {old} and {new} differ");
        }
        Body::TooLarge => {
            let _ = writeln!(
                out,
                "# Not shown: {} changed lines are too many for this document; compare the file side by side.",
                f.insertions + f.deletions
            );
        }
        Body::OverBudget => {
            let _ = writeln!(
                out,
                "# Not shown: this review is too large to hold every file ({} changed lines here); compare the file side by side.",
                f.insertions + f.deletions
            );
        }
        Body::Flagged => {}
    }
}

/// The sentence of the message that opens a review: what it holds.
pub fn message(review: &Review) -> String {
    let work: Vec<&FileDiff> = review.files_of(Role::Work).collect();
    let spec_files = review
        .files
        .iter()
        .filter(|f| matches!(f.role, Role::Spec | Role::Chant))
        .count();
    let deleted = review.files_of(Role::DeletedSpec).count();
    let mut text = format!(
        "Review of spec {} ({} on {}): ",
        review.id,
        plural(review.commits.len(), "commit", "commits"),
        review.branch
    );
    if work.is_empty() {
        text.push_str("the agent changed no file outside .chant/");
    } else {
        let _ = write!(text, "the agent's work is {}", totals(&work));
    }
    if spec_files > 0 {
        let _ = write!(
            text,
            ", with {} of chant's bookkeeping apart",
            plural(spec_files, "spec file", "spec files")
        );
    }
    text.push('.');
    if deleted > 0 {
        let _ = write!(text, " {}", deleted_specs_warning(review, deleted));
    }
    text
}

/// A review for an editor that shows the files itself (VS Code's
/// multi-file diff editor): the revisions to read each side at, and every
/// file with its role.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewSummary {
    pub id: String,
    pub title: Option<String>,
    /// The spec file, relative to the project root.
    pub spec_path: String,
    pub branch: String,
    pub main: String,
    /// The merge base: each file's left side.
    pub base: String,
    /// The branch's tip: each file's right side.
    pub head: String,
    pub commits: Vec<CommitSummary>,
    pub files: Vec<FileSummary>,
    /// The specs the branch deletes (flagged, not shown).
    pub deleted_specs: Vec<String>,
    pub agent: Option<AgentSummary>,
    /// The message that goes with it.
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommitSummary {
    pub hash: String,
    pub subject: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileSummary {
    /// Relative to the project root.
    pub path: String,
    /// `added`, `modified`, `deleted`.
    pub status: &'static str,
    /// `work`, `spec`, `chant`, `deletedSpec`.
    pub role: &'static str,
    pub insertions: usize,
    pub deletions: usize,
    pub binary: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgentSummary {
    /// `specOnMain` or `log`.
    pub source: &'static str,
    pub lines: Vec<String>,
    pub omitted: usize,
}

pub fn summarize(review: &Review) -> ReviewSummary {
    ReviewSummary {
        id: review.id.clone(),
        title: review.title.clone(),
        spec_path: review.spec_path.clone(),
        branch: review.branch.clone(),
        main: review.main.clone(),
        base: review.base.clone(),
        head: review.head.clone(),
        commits: review
            .commits
            .iter()
            .map(|c| CommitSummary {
                hash: c.hash.clone(),
                subject: c.subject.clone(),
            })
            .collect(),
        files: review
            .files
            .iter()
            .map(|f| FileSummary {
                path: f.path.clone(),
                status: f.status.as_str(),
                role: f.role.as_str(),
                insertions: f.insertions,
                deletions: f.deletions,
                binary: f.body == Body::Binary,
            })
            .collect(),
        deleted_specs: review
            .files_of(Role::DeletedSpec)
            .map(|f| f.path.clone())
            .collect(),
        agent: review.summary.as_ref().map(|s| AgentSummary {
            source: match s.source {
                SummarySource::SpecOnMain => "specOnMain",
                SummarySource::Log => "log",
            },
            lines: s.lines.clone(),
            omitted: s.omitted,
        }),
        message: message(review),
    }
}
