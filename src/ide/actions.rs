//! What can be done with a spec, decided once: the chant commands it offers
//! (with the reason when chant would refuse), the quick fixes for its
//! diagnostics and the rewrites at a cursor. The code actions, the code
//! lens, the `chant/specStatus` request and every editor ask these
//! functions, so they can never disagree. Protocol-free: byte ranges and
//! plain data out; `server::handlers::actions` translates.

use std::path::PathBuf;

use crate::analysis::lifecycle::{self, BranchState};
use crate::analysis::quality;
use crate::analysis::readiness::{self, Readiness, WorkOptions};
use crate::analysis::{Code, Diagnostic, SpecLookup, WorkspaceFacts};
use crate::spec::edit;
use crate::spec::frontmatter::{ApprovalStatus, SpecStatus};
use crate::spec::id::is_safe_id;
use crate::spec::SpecModel;
use crate::syntax::yaml::YamlKind;
use crate::text::diff::Edit;
use crate::text::TextRange;
use crate::workspace::files::join_inside;
use crate::workspace::ProjectIndex;

pub const WORK: &str = "chant.work";
pub const APPROVE: &str = "chant.approve";
pub const REJECT: &str = "chant.reject";
pub const APPLY_AGENT_CHANGES: &str = "chant.applyAgentChanges";
pub const ADD: &str = "chant.add";
pub const MERGE: &str = "chant.merge";
pub const MERGE_ALL: &str = "chant.mergeAll";
pub const ARCHIVE: &str = "chant.archive";
pub const ARCHIVE_BY_LABEL: &str = "chant.archiveByLabel";
pub const RESET: &str = "chant.reset";
pub const CANCEL: &str = "chant.cancel";
pub const VERIFY: &str = "chant.verify";
pub const SPLIT: &str = "chant.split";
pub const SHOW_LOG: &str = "chant.showLog";

/// Prompts chant ships for its own machinery, not for working a spec: not
/// offered in "Work with prompt ..." unless the project uses them for work
/// (a spec's `prompt:` or config `defaults.prompt` names them).
pub const INTERNAL_PROMPTS: &[&str] = &["merge-conflict", "split", "verify", "ollama"];

/// Keys whose items are paths of files the agent reads.
const PATH_KEYS: [&str; 3] = ["informed_by", "context", "origin"];

/// A spec as the actions see it.
pub struct SpecView<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub model: &'a SpecModel,
    pub index: &'a ProjectIndex,
    /// A chant run for this spec is going on.
    pub running: bool,
    /// The agent's branch, when it exists.
    pub agent_branch: Option<&'a str>,
    /// Whether that branch is merged into the main branch (None: unknown).
    pub branch_merged: Option<bool>,
    /// The user allowed running chant in this workspace.
    pub commands_enabled: bool,
    /// The spec file is in a subfolder of `.chant/specs`.
    pub nested: bool,
}

/// Why nothing runs when the user has not allowed it.
pub const COMMANDS_OFF: &str = "Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true.";

/// A chant command on this spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecCommand {
    Work {
        prompt: Option<String>,
        /// `chant work --skip-criteria`: past chant's quality gate.
        skip_quality: bool,
    },
    Approve,
    Reject,
    ApplyAgentChanges,
    Merge,
    Archive,
    /// `chant reset`, then `chant work` when `work`.
    Reset {
        work: bool,
    },
    /// `chant cancel`, or `chant cancel --delete` (after the user confirms).
    Cancel {
        delete: bool,
    },
    Verify,
    Split,
    ShowLog,
}

impl SpecCommand {
    /// The `workspace/executeCommand` name.
    pub fn name(&self) -> &'static str {
        match self {
            SpecCommand::Work { .. } => WORK,
            SpecCommand::Approve => APPROVE,
            SpecCommand::Reject => REJECT,
            SpecCommand::ApplyAgentChanges => APPLY_AGENT_CHANGES,
            SpecCommand::Merge => MERGE,
            SpecCommand::Archive => ARCHIVE,
            SpecCommand::Reset { .. } => RESET,
            SpecCommand::Cancel { .. } => CANCEL,
            SpecCommand::Verify => VERIFY,
            SpecCommand::Split => SPLIT,
            SpecCommand::ShowLog => SHOW_LOG,
        }
    }
}

/// A command offered on a spec, available or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOffer {
    pub command: SpecCommand,
    /// As a code action: "Work this spec".
    pub title: String,
    /// As a code lens: "▶ Work".
    pub lens_title: String,
    /// Why chant (or the server) would refuse it now; None when available.
    pub refused: Option<String>,
    /// Shown as a code lens too (destructive and rarely needed commands are
    /// code actions only).
    pub lens: bool,
}

/// The agent's log of a spec: `.chant/logs/<id>.log`.
pub fn log_path(index: &ProjectIndex, id: &str) -> Option<std::path::PathBuf> {
    is_safe_id(id).then(|| index.root.join(".chant/logs").join(format!("{id}.log")))
}

/// The agent's log of a spec, when it is a file.
pub fn existing_log(index: &ProjectIndex, id: &str) -> Option<std::path::PathBuf> {
    log_path(index, id).filter(|p| {
        matches!(
            index.project_files().kind(p),
            Some(crate::vfs::Kind::File { .. })
        )
    })
}

/// The specs whose `depends_on` names `id` (chant refuses to cancel or
/// delete a spec others depend on).
pub fn dependents(index: &ProjectIndex, id: &str) -> Vec<String> {
    index.dependents(id).to_vec()
}

/// The members of `id` (`<id>.N`) chant finds, with their status.
pub fn members(index: &ProjectIndex, id: &str) -> Vec<(String, Option<SpecStatus>)> {
    let mut out: Vec<(String, Option<SpecStatus>)> = index
        .numbered_members(id)
        .iter()
        .map(|member| (member.clone(), index.spec(member).map(|e| e.summary.status)))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The prompts offered for "Work with prompt ...": the project's prompt
/// files meant for work (see [`INTERNAL_PROMPTS`]).
pub fn work_prompts(index: &ProjectIndex) -> Vec<String> {
    let used = |name: &str| {
        index.config.default_prompt.as_deref() == Some(name) || index.prompt_used(name)
    };
    index
        .prompts()
        .filter(|p| !p.extension && is_safe_id(&p.name))
        .filter(|p| !INTERNAL_PROMPTS.contains(&p.name.as_str()) || used(&p.name))
        .map(|p| p.name.clone())
        .collect()
}

/// Where the spec stands.
pub fn readiness(view: &SpecView) -> Readiness {
    readiness::assess(view.model, view.id, view.index)
}

/// Every chant command that makes sense for this spec, each with the reason
/// when it is not available now. Work is always offered; approve and reject
/// when the spec has an approval; applying the agent's changes and merging
/// them when its branch exists; the later steps of the walkthrough for the
/// statuses they apply to (archive and verify a completed spec, reset a
/// failed one, cancel or split a pending one); the agent's log when it is
/// there.
pub fn commands(view: &SpecView) -> Vec<CommandOffer> {
    let general = if !view.commands_enabled {
        Some(COMMANDS_OFF.to_string())
    } else if view.running {
        Some(format!(
            "chant is already running for spec {}: wait for it to finish, or cancel it from its progress notification.",
            view.id
        ))
    } else if !is_safe_id(view.id) {
        Some(format!(
            "The spec ID {:?} cannot be passed to chant safely: rename the spec file.",
            view.id
        ))
    } else {
        None
    };
    // chant writes a nested spec to the top level: no command that changes
    // it runs (applying the agent's branch and opening the log still do).
    let changes_spec = general
        .clone()
        .or_else(|| view.nested.then(|| lifecycle::nested_refusal(view.id)));
    let refusal = |specific: Option<String>| changes_spec.clone().or(specific);
    let offer = |command: SpecCommand, title: &str, lens_title: &str, refused: Option<String>| {
        CommandOffer {
            command,
            title: title.to_string(),
            lens_title: lens_title.to_string(),
            refused,
            lens: true,
        }
    };
    let mut offers = vec![offer(
        SpecCommand::Work {
            prompt: None,
            skip_quality: false,
        },
        "Work this spec",
        "▶ Work",
        refusal(readiness::work_refusal(
            view.text, view.model, view.id, view.index, None,
        )),
    )];
    // Past chant's quality gate, when that gate is all that stops it.
    if offers[0].refused.is_some()
        && view.model.chant_accepts()
        && quality::assess(view.text, view.model, &view.index.config).refused_without_terminal()
        && readiness::work_refusal_with(
            view.text,
            view.model,
            view.id,
            view.index,
            WorkOptions {
                prompt: None,
                skip_quality: true,
            },
        )
        .is_none()
    {
        offers.push(CommandOffer {
            command: SpecCommand::Work {
                prompt: None,
                skip_quality: true,
            },
            title: "Work anyway (skip the quality check)".into(),
            lens_title: "▶ Work anyway".into(),
            refused: changes_spec.clone(),
            lens: false,
        });
    }
    if view.model.chant_accepts() {
        for prompt in work_prompts(view.index) {
            offers.push(offer(
                SpecCommand::Work {
                    prompt: Some(prompt.clone()),
                    skip_quality: false,
                },
                &format!("Work with prompt {prompt}"),
                &format!("▶ Work ({prompt})"),
                refusal(readiness::work_refusal(
                    view.text,
                    view.model,
                    view.id,
                    view.index,
                    Some(&prompt),
                )),
            ));
        }
    }
    let v = view.model.values();
    if let Some(approval) = &v.approval {
        let closed = match v.status {
            SpecStatus::Completed | SpecStatus::Cancelled => Some(format!(
                "This spec is {}: there is nothing left to approve or reject.",
                v.status.as_str()
            )),
            _ => None,
        };
        let approve = readiness::approve_refusal(view.text, view.model).or_else(|| closed.clone());
        offers.push(offer(
            SpecCommand::Approve,
            "Approve spec",
            "✓ Approve",
            refusal(approve),
        ));
        let already = (approval.status == ApprovalStatus::Rejected).then(|| {
            "This spec is already rejected: address the feedback, then approve it.".to_string()
        });
        let reject = readiness::reject_refusal(view.text, view.model)
            .or(closed)
            .or(already);
        offers.push(offer(
            SpecCommand::Reject,
            "Reject spec...",
            "✗ Reject…",
            refusal(reject),
        ));
    }
    if let Some(branch) = view.agent_branch {
        offers.push(offer(
            SpecCommand::ApplyAgentChanges,
            &format!("Apply agent changes ({branch})"),
            "⇣ Apply agent changes",
            general.clone(),
        ));
    }
    offers.extend(walkthrough(view, &refusal));
    if existing_log(view.index, view.id).is_some() {
        // Opening a file runs nothing: offered even when commands are off.
        offers.push(offer(SpecCommand::ShowLog, "Show agent log", "☰ Log", None));
    }
    offers
}

/// Merge, archive, reset, cancel, delete, verify and split, where they
/// apply to the spec's status.
fn walkthrough(
    view: &SpecView,
    refusal: &dyn Fn(Option<String>) -> Option<String>,
) -> Vec<CommandOffer> {
    let mut offers = Vec::new();
    if !view.model.chant_accepts() {
        return offers;
    }
    let mut push = |command: SpecCommand, title: String, lens_title: &str, lens: bool, why| {
        offers.push(CommandOffer {
            command,
            title,
            lens_title: lens_title.to_string(),
            refused: refusal(why),
            lens,
        })
    };
    let (text, model, id, index) = (view.text, view.model, view.id, view.index);
    let main = index.config.main_branch.as_str();
    let status = model.values().status;
    let branch_state = BranchState {
        exists: view.agent_branch.is_some(),
        merged: view.branch_merged,
    };
    if let Some(branch) = view
        .agent_branch
        .filter(|_| view.branch_merged != Some(true))
    {
        push(
            SpecCommand::Merge,
            format!("Merge branch {branch}"),
            "⤵ Merge",
            true,
            lifecycle::merge_refusal(
                text,
                model,
                id,
                branch,
                main,
                branch_state,
                lifecycle::MergeContext {
                    config_problem: index.config.problem.as_deref(),
                    members: &members(index, id),
                },
            ),
        );
    }
    if matches!(status, SpecStatus::Completed | SpecStatus::Cancelled) {
        push(
            SpecCommand::Archive,
            "Archive spec".into(),
            "⌫ Archive",
            true,
            lifecycle::archive_refusal(text, model, id, &members(index, id), main, branch_state),
        );
    }
    if status == SpecStatus::Completed {
        push(
            SpecCommand::Verify,
            "Verify spec".into(),
            "✔ Verify",
            true,
            lifecycle::verify_refusal(text, model, id, index),
        );
    }
    if matches!(status, SpecStatus::Failed | SpecStatus::InProgress) {
        let reset = lifecycle::reset_refusal(text, model, id);
        push(
            SpecCommand::Reset { work: true },
            "Reset and work again".into(),
            "↺ Reset and work",
            true,
            reset.clone(),
        );
        push(
            SpecCommand::Reset { work: false },
            "Reset spec".into(),
            "↺ Reset",
            false,
            reset,
        );
    }
    if matches!(
        status,
        SpecStatus::Pending | SpecStatus::Ready | SpecStatus::Blocked
    ) {
        push(
            SpecCommand::Split,
            "Split spec".into(),
            "⑃ Split",
            true,
            lifecycle::split_refusal(text, model, id, index),
        );
    }
    let dependents = dependents(index, id);
    if !matches!(status, SpecStatus::Completed | SpecStatus::Cancelled) {
        push(
            SpecCommand::Cancel { delete: false },
            "Cancel spec".into(),
            "✕ Cancel",
            false,
            lifecycle::cancel_refusal(text, model, id, &dependents, false),
        );
    }
    push(
        SpecCommand::Cancel { delete: true },
        "Delete spec...".into(),
        "✕ Delete…",
        false,
        lifecycle::cancel_refusal(text, model, id, &dependents, true),
    );
    offers
}

/// What a quick fix or rewrite does to the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixEffect {
    /// Byte edits of the spec's text.
    EditSpec(Vec<Edit>),
    /// Create this (empty) file.
    CreateFile(PathBuf),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixCategory {
    QuickFix,
    Rewrite,
}

/// One quick fix or rewrite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub category: FixCategory,
    /// Indexes of the diagnostics it resolves.
    pub diagnostics: Vec<usize>,
    pub effect: FixEffect,
    pub preferred: bool,
}

/// The quick fixes for the diagnostics a request is about: those whose
/// range touches `range`, and those the client named (`asked`, indexes
/// into `diagnostics`), wherever they are.
pub fn quick_fixes(
    view: &SpecView,
    diagnostics: &[Diagnostic],
    range: TextRange,
    asked: &[usize],
    can_create_files: bool,
) -> Vec<Fix> {
    let touches = |r: &TextRange| r.start <= range.end && range.start <= r.end;
    let wanted: Vec<usize> = (0..diagnostics.len())
        .filter(|i| touches(&diagnostics[*i].range) || asked.contains(i))
        .collect();
    let mut fixes = Vec::new();
    for &i in &wanted {
        let Some(fix) = &diagnostics[i].fix else {
            continue;
        };
        let mut edits = fix.edits.clone();
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        fixes.push(Fix {
            title: fix.kind.title(),
            category: FixCategory::QuickFix,
            diagnostics: vec![i],
            effect: FixEffect::EditSpec(edits),
            preferred: true,
        });
    }
    fixes.extend(move_mentions(view, diagnostics, &wanted));
    if can_create_files {
        fixes.extend(create_missing_files(view, diagnostics, &wanted));
    }
    fixes
}

/// "Move `ID` into `depends_on`" for each mention asked about (all its
/// mentions leave the body), and "Move all N mentioned spec IDs" when
/// there are several. Only IDs of specs chant finds.
fn move_mentions(view: &SpecView, diagnostics: &[Diagnostic], wanted: &[usize]) -> Vec<Fix> {
    let text = view.text;
    let flagged: Vec<usize> = (0..diagnostics.len())
        .filter(|i| diagnostics[*i].code == Code::MentionsSpec)
        .filter(|i| {
            matches!(
                view.index.lookup_spec(&text[diagnostics[*i].range.clone()]),
                SpecLookup::Found { .. }
            )
        })
        .collect();
    let id_of = |i: usize| &text[diagnostics[i].range.clone()];
    let present = view.model.values().depends_on.clone().unwrap_or_default();
    let mut fixes = Vec::new();
    let mut offered: Vec<&str> = Vec::new();
    for &i in flagged.iter().filter(|i| wanted.contains(i)) {
        let id = id_of(i);
        if offered.contains(&id) {
            continue;
        }
        offered.push(id);
        let mut edits = edit::add_dependencies(text, view.model, &[id]);
        if edits.is_empty() && !present.iter().any(|x| x == id) {
            continue;
        }
        let same: Vec<usize> = flagged
            .iter()
            .copied()
            .filter(|j| id_of(*j) == id)
            .collect();
        let ranges: Vec<TextRange> = same.iter().map(|j| diagnostics[*j].range.clone()).collect();
        edits.extend(edit::remove_mentions(text, &ranges));
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        fixes.push(Fix {
            title: format!("Move `{id}` into `depends_on`"),
            category: FixCategory::QuickFix,
            diagnostics: same,
            effect: FixEffect::EditSpec(edits),
            preferred: false,
        });
    }
    let mut all_ids: Vec<&str> = flagged.iter().map(|i| id_of(*i)).collect();
    all_ids.sort();
    all_ids.dedup();
    if all_ids.len() > 1 && !offered.is_empty() {
        let mut edits = edit::add_dependencies(text, view.model, &all_ids);
        let ranges: Vec<TextRange> = flagged
            .iter()
            .map(|i| diagnostics[*i].range.clone())
            .collect();
        edits.extend(edit::remove_mentions(text, &ranges));
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        fixes.push(Fix {
            title: format!(
                "Move all {} mentioned spec IDs into `depends_on`",
                all_ids.len()
            ),
            category: FixCategory::QuickFix,
            diagnostics: flagged,
            effect: FixEffect::EditSpec(edits),
            preferred: false,
        });
    }
    fixes
}

/// "Create `path`" for a missing file in `informed_by`, `context` or
/// `origin` whose diagnostic is asked about.
fn create_missing_files(view: &SpecView, diagnostics: &[Diagnostic], wanted: &[usize]) -> Vec<Fix> {
    let files = view.index.project_files();
    let mut fixes = Vec::new();
    for key in PATH_KEYS {
        let Some(value) = view
            .model
            .frontmatter
            .outline()
            .entry(key)
            .and_then(|e| e.value.as_ref())
        else {
            continue;
        };
        let items: Vec<_> = match &value.kind {
            YamlKind::Sequence { items, .. } => items.iter().collect(),
            YamlKind::Scalar(_) => vec![value],
            _ => Vec::new(),
        };
        for item in items {
            let Some(scalar) = item.as_scalar() else {
                continue;
            };
            let rel = scalar.text.trim();
            let range = item.content_range();
            let Some(i) = wanted.iter().copied().find(|i| {
                diagnostics[*i].code == Code::MissingFile && diagnostics[*i].range == range
            }) else {
                continue;
            };
            if rel.is_empty() || rel.ends_with('/') || files.escapes(rel) {
                continue;
            }
            let Some(target) = join_inside(&view.index.root, rel) else {
                continue;
            };
            if files.fs().exists(&target) {
                continue;
            }
            fixes.push(Fix {
                title: format!("Create `{rel}`"),
                category: FixCategory::QuickFix,
                diagnostics: vec![i],
                effect: FixEffect::CreateFile(target),
                preferred: false,
            });
        }
    }
    fixes
}

/// Rewrites at a cursor: tick or untick the criterion on its line (unless
/// a quick fix already ticks it), and on the `## Acceptance Criteria`
/// heading, tick or untick them all.
pub fn rewrites(
    view: &SpecView,
    range: TextRange,
    diagnostics: &[Diagnostic],
    fixes: &[Fix],
) -> Vec<Fix> {
    let rewrite = |title: &str, edits: Vec<Edit>| Fix {
        title: title.to_string(),
        category: FixCategory::Rewrite,
        diagnostics: Vec::new(),
        effect: FixEffect::EditSpec(edits),
        preferred: false,
    };
    let mut out = Vec::new();
    if let Some(item) = edit::criterion_at(view.model, range.start) {
        let tick_offered = fixes.iter().any(|f| {
            f.diagnostics.iter().any(|i| {
                diagnostics[*i].code == Code::UncheckedCriterion
                    && diagnostics[*i].range.start == item.marker.start
            })
        });
        if let Some(e) = edit::set_criterion(view.text, item, true).filter(|_| !tick_offered) {
            out.push(rewrite("Tick this criterion", vec![e]));
        }
        if let Some(e) = edit::set_criterion(view.text, item, false) {
            out.push(rewrite("Untick this criterion", vec![e]));
        }
    }
    if let Some(section) = &view.model.body.criteria {
        let on_heading = section.heading.start <= range.start && range.start <= section.heading.end;
        if on_heading {
            let all = |verb: &str, state: &str, n: usize| match n {
                1 => format!("{verb} the 1 {state} criterion"),
                n => format!("{verb} all {n} {state} criteria"),
            };
            let tick = edit::set_all_criteria(view.text, view.model, true);
            if !tick.is_empty() {
                out.push(rewrite(&all("Tick", "open", tick.len()), tick));
            }
            let untick = edit::set_all_criteria(view.text, view.model, false);
            if !untick.is_empty() {
                out.push(rewrite(&all("Untick", "ticked", untick.len()), untick));
            }
        }
    }
    out
}
