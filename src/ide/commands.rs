//! The chant commands of a spec or a project, decided once: [`refusal`]
//! says whether a command may run now and why not, [`plan`] what it runs.
//! The code actions, the code lens, `chant/specStatus`, `chant/specList`
//! and `workspace/executeCommand` all ask these functions, so what the
//! editor offers and what it runs can never disagree. Protocol-free: the
//! server gathers the facts a [`SpecView`] or [`ProjectView`] holds, asks,
//! and translates the answer.

use std::path::{Path, PathBuf};

use crate::analysis::command::{
    validate_label, validate_spec_type, Chain, ChantCommand, Confirm, InvalidArgument, NewSpec,
    RunPlan, Scope,
};
use crate::analysis::lifecycle::{self, BranchState, Labelled};
use crate::analysis::quality::{self, Quality};
use crate::analysis::readiness::{self, Readiness, WorkOptions};
use crate::spec::edit;
use crate::spec::frontmatter::SpecStatus;
use crate::spec::id::is_safe_id;
use crate::spec::SpecModel;
use crate::workspace::ProjectIndex;

pub const WORK: &str = "chant.work";
pub const WORK_WITH: &str = "chant.workWith";
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
pub const REVIEW: &str = "chant.review";

/// Prompts chant ships for its own machinery, not for working a spec: not
/// offered in "Work with prompt ..." unless the project uses them for work
/// (a spec's `prompt:` or config `defaults.prompt` names them).
pub const INTERNAL_PROMPTS: &[&str] = &["merge-conflict", "split", "verify", "ollama"];

/// Why nothing runs when the user has not allowed it.
pub const COMMANDS_OFF: &str = "Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true.";

/// Why a missing title is refused.
pub const TITLE_REQUIRED: &str = "A title is required to add a spec: pass it as {\"title\": \"...\"} in the second argument. The language server cannot ask for text (the protocol has no input box); the chant editor extensions ask for it.";

/// Why a rejection without a reason is refused.
pub const REASON_REQUIRED: &str = "A reason is required to reject a spec: pass it as {\"reason\": \"...\"} in the second argument (the chant editor extensions ask for it).";

/// Why "Review changes" is unavailable while running chant is off: it
/// reads the agent's branch with git, and nothing is spawned until then.
pub fn review_needs_git(main: &str, branch: &str) -> String {
    format!("Reviewing the agent's changes reads its branch with git, and the language server runs nothing, not even git, while running chant from the editor is off for this workspace. If you trust this workspace, set `chant.commands.enabled` to true; or compare from a terminal: `git diff {main}...{branch}`.")
}

/// Why approve and reject stop when no name is known.
pub const NO_APPROVER: &str = "No approver name: set `chant.approverName` in the settings, or `git config user.name` in this repository.";

/// A spec as the commands see it: its text as chant will read it, and what
/// the server knows besides.
pub struct SpecView<'a> {
    pub id: &'a str,
    /// The spec file.
    pub path: &'a Path,
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
    /// The editor holds changes to the spec that are not on disk, where
    /// chant reads it.
    pub unsaved: bool,
    /// Other files of the project open with unsaved changes (a prompt chant
    /// would read from disk).
    pub unsaved_files: &'a [PathBuf],
}

/// A chant command on one spec, with the options the editor passes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecCommand {
    Work {
        prompt: Option<String>,
        /// `chant work --skip-criteria`: past chant's quality gate.
        skip_quality: bool,
    },
    /// `chant work` with a prompt the user picks from the project's work
    /// prompts when the command runs ("Work with…").
    WorkWith,
    Approve {
        /// The approver; None: the configured or git user name.
        by: Option<String>,
    },
    Reject {
        by: Option<String>,
        /// Asked by the editor when the command is chosen.
        reason: Option<String>,
    },
    ApplyAgentChanges,
    Merge {
        /// Stash the files in the way of the merge (changed after "Apply
        /// agent changes") instead of refusing.
        stash: bool,
    },
    Archive,
    /// `chant reset`, then `chant work` (with `prompt`) when `work`.
    Reset {
        work: bool,
        prompt: Option<String>,
    },
    /// `chant cancel`, or `chant cancel --delete` (after the user confirms).
    Cancel {
        delete: bool,
    },
    Verify,
    Split,
    ShowLog,
    /// The agent's branch against its merge base with the main branch, shown
    /// in the editor (runs git, not chant). `open`: the server opens it
    /// (else it only answers with it).
    Review {
        open: bool,
    },
}

impl SpecCommand {
    /// The `workspace/executeCommand` name.
    pub fn name(&self) -> &'static str {
        match self {
            SpecCommand::Work { .. } => WORK,
            SpecCommand::WorkWith => WORK_WITH,
            SpecCommand::Approve { .. } => APPROVE,
            SpecCommand::Reject { .. } => REJECT,
            SpecCommand::ApplyAgentChanges => APPLY_AGENT_CHANGES,
            SpecCommand::Merge { .. } => MERGE,
            SpecCommand::Archive => ARCHIVE,
            SpecCommand::Reset { .. } => RESET,
            SpecCommand::Cancel { .. } => CANCEL,
            SpecCommand::Verify => VERIFY,
            SpecCommand::Split => SPLIT,
            SpecCommand::ShowLog => SHOW_LOG,
            SpecCommand::Review { .. } => REVIEW,
        }
    }

    /// Whether chant rewrites (or moves) the spec file when it runs.
    fn changes_spec(&self) -> bool {
        !matches!(
            self,
            SpecCommand::ApplyAgentChanges | SpecCommand::ShowLog | SpecCommand::Review { .. }
        )
    }

    /// Whether it runs chant or changes files (opening the log or a review
    /// does not).
    fn runs(&self) -> bool {
        !matches!(self, SpecCommand::ShowLog | SpecCommand::Review { .. })
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

/// What a command does once it may run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// chant runs, one step after another.
    Run(Box<RunPlan>),
    /// The agent's branch is brought into the editor as edits.
    ApplyBranch { branch: String },
    /// The agent's log is opened (nothing runs).
    OpenLog { path: PathBuf },
    /// The agent's branch is read with git and shown as a review.
    Review { branch: String, main: String },
    /// The user picks one of these prompts; then `SpecCommand::Work` with
    /// it is decided and run.
    ChoosePrompt { choices: Vec<String> },
}

/// The agent's log of a spec: `.chant/logs/<id>.log`.
pub fn log_path(index: &ProjectIndex, id: &str) -> Option<PathBuf> {
    is_safe_id(id).then(|| index.root.join(".chant/logs").join(format!("{id}.log")))
}

/// The agent's log of a spec, when it is a file.
pub fn existing_log(index: &ProjectIndex, id: &str) -> Option<PathBuf> {
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
    readiness::assess(view.text, view.model, view.id, view.index)
}

fn already_running(subject: &str) -> String {
    format!(
        "chant is already running for {subject}: wait for it to finish, or cancel it from its progress notification."
    )
}

fn merge_context<'a>(
    view: &SpecView<'a>,
    members: &'a [(String, Option<SpecStatus>)],
) -> lifecycle::MergeContext<'a> {
    lifecycle::MergeContext {
        config_problem: view.index.config.problem.as_deref(),
        members,
    }
}

fn branch_state(view: &SpecView) -> BranchState {
    BranchState {
        exists: view.agent_branch.is_some(),
        merged: view.branch_merged,
    }
}

/// Why `command` cannot run on the spec now (None: it can): the server's
/// own conditions first (running chant allowed, no run going on, an ID
/// chant can be given, the spec where chant writes it, saved), then
/// chant's own rules, in chant's words.
pub fn refusal(view: &SpecView, command: &SpecCommand) -> Option<String> {
    refusal_graded(view, command, None)
}

/// [`refusal`], with the spec's grades when they are at hand.
fn refusal_graded(
    view: &SpecView,
    command: &SpecCommand,
    graded: Option<&Quality>,
) -> Option<String> {
    server_refusal(view, command).or_else(|| chant_refusal_graded(view, command, graded))
}

/// The server's own reasons not to run a command on the spec.
fn server_refusal(view: &SpecView, command: &SpecCommand) -> Option<String> {
    if command.runs() {
        if !view.commands_enabled {
            return Some(COMMANDS_OFF.into());
        }
        if view.running {
            return Some(already_running(&format!("spec {}", view.id)));
        }
        if !is_safe_id(view.id) {
            return Some(InvalidArgument::SpecId(view.id.to_string()).to_string());
        }
    }
    if let SpecCommand::Review { .. } = command {
        let main = &view.index.config.main_branch;
        if !view.commands_enabled {
            return Some(review_needs_git(
                main,
                &view.index.config.branch_for(view.id),
            ));
        }
        if !is_safe_id(view.id) {
            return Some(InvalidArgument::SpecId(view.id.to_string()).to_string());
        }
    }
    if command.changes_spec() {
        // chant writes a nested spec to the top level: no command that
        // changes it runs.
        if view.nested {
            return Some(lifecycle::nested_refusal(view.id));
        }
        if view.unsaved {
            return Some(format!(
                "{} has unsaved changes: chant reads the spec from disk and rewrites it, so running now would throw your edits away. Save the file, then run the command again.",
                view.path.display()
            ));
        }
    }
    if let SpecCommand::Work { prompt, .. } | SpecCommand::Reset { prompt, work: true } = command {
        let name = readiness::chosen_prompt(view.model, view.index, prompt.as_deref());
        let file = view
            .index
            .root
            .join(".chant/prompts")
            .join(format!("{name}.md"));
        if view.unsaved_files.contains(&file) {
            return Some(format!(
                "The prompt {name} ({}) has unsaved changes: chant reads it from disk and would give the agent what is saved. Save it, then run the command again.",
                file.display()
            ));
        }
    }
    None
}

/// chant's own reason to refuse `command` on the spec (or do nothing),
/// without the server's conditions (what chant itself would do with it).
pub fn chant_refusal(view: &SpecView, command: &SpecCommand) -> Option<String> {
    chant_refusal_graded(view, command, None)
}

/// [`chant_refusal`], with the spec's grades when they are at hand.
fn chant_refusal_graded(
    view: &SpecView,
    command: &SpecCommand,
    graded: Option<&Quality>,
) -> Option<String> {
    let (text, model, id, index) = (view.text, view.model, view.id, view.index);
    let main = index.config.main_branch.as_str();
    match command {
        SpecCommand::Work {
            prompt,
            skip_quality,
        } => readiness::work_refusal_with(
            text,
            model,
            id,
            index,
            WorkOptions {
                prompt: prompt.as_deref(),
                skip_quality: *skip_quality,
                graded,
            },
        ),
        SpecCommand::WorkWith => {
            // Every choice is a prompt file, so only the rules that do not
            // depend on the prompt can refuse: asked with the first choice.
            let prompts = work_prompts(index);
            let Some(first) = prompts.first() else {
                return Some("There is no prompt in .chant/prompts/ to choose from: create one (a prompt is a Markdown file there), or use \"Work this spec\".".into());
            };
            let options = WorkOptions {
                prompt: Some(first),
                skip_quality: false,
                graded,
            };
            readiness::work_refusal_with(text, model, id, index, options)
        }
        SpecCommand::Approve { .. } => readiness::approve_refusal(text, model),
        SpecCommand::Reject { .. } => readiness::reject_refusal_in(text, model, index),
        SpecCommand::ApplyAgentChanges => view.agent_branch.is_none().then(|| {
            format!(
                "There is no branch {}: the agent's changes live there after \"Work this spec\" runs. Run the spec first.",
                index.config.branch_for(id)
            )
        }),
        SpecCommand::Merge { .. } => {
            let branch = index.config.branch_for(id);
            let members = members(index, id);
            lifecycle::merge_refusal(
                text,
                model,
                id,
                &branch,
                main,
                branch_state(view),
                merge_context(view, &members),
            )
        }
        SpecCommand::Archive => lifecycle::archive_refusal(
            text,
            model,
            id,
            &members(index, id),
            main,
            branch_state(view),
        ),
        SpecCommand::Reset { work, prompt } => {
            if let Some(refusal) = lifecycle::reset_refusal(text, model, id) {
                return Some(refusal);
            }
            if !work {
                return None;
            }
            // What chant work would say once the spec is pending again.
            let pending = edit::as_pending(text, model);
            readiness::work_refusal(
                &pending,
                &SpecModel::parse(&pending),
                id,
                index,
                prompt.as_deref(),
            )
            .map(|refusal| format!("After the reset, chant work would refuse this spec: {refusal}"))
        }
        SpecCommand::Cancel { delete } => {
            lifecycle::cancel_refusal(text, model, id, &dependents(index, id), *delete)
        }
        SpecCommand::Verify => lifecycle::verify_refusal(text, model, id, index),
        SpecCommand::Split => lifecycle::split_refusal(text, model, id, index),
        SpecCommand::Review { .. } => {
            let branch = index.config.branch_for(id);
            match (view.agent_branch, view.branch_merged) {
                (None, _) => Some(format!(
                    "There is no branch {branch}: the agent's changes live there after \"Work this spec\" runs. Run the spec first."
                )),
                (Some(_), Some(true)) => Some(format!(
                    "Branch {branch} is merged into {main}: its changes are on {main} already (`git log {main}` shows them)."
                )),
                _ => None,
            }
        }
        SpecCommand::ShowLog => existing_log(index, id).is_none().then(|| {
            format!(
                "There is no agent log for spec {id} (.chant/logs/{id}.log): chant writes it when the agent runs (\"Work this spec\")."
            )
        }),
    }
}

/// What `command` does on the spec, or why it does not run: the server's
/// conditions, then the command line (a value chant must not be given, a
/// missing reason or approver), then chant's own rules. `approver` is the
/// name for approve and reject when the command names none (the
/// configured or git user name).
pub fn plan(
    view: &SpecView,
    command: &SpecCommand,
    approver: Option<&str>,
) -> Result<Plan, String> {
    if let Some(refusal) = server_refusal(view, command) {
        return Err(refusal);
    }
    let id = view.id;
    let invalid = |e: InvalidArgument| e.to_string();
    let by = |given: &Option<String>| {
        given
            .as_deref()
            .filter(|b| !b.trim().is_empty())
            .or(approver)
            .map(str::to_string)
            .ok_or_else(|| NO_APPROVER.to_string())
    };
    // The arguments first: a value chant must not see is refused as such,
    // whatever else holds.
    let single = |c: Result<ChantCommand, InvalidArgument>| -> Result<Plan, String> {
        Ok(Plan::Run(Box::new(RunPlan::single(
            id,
            c.map_err(invalid)?,
        ))))
    };
    let planned = match command {
        SpecCommand::Work {
            prompt,
            skip_quality,
        } => single(ChantCommand::work_with(
            id,
            prompt.as_deref(),
            *skip_quality,
        ))?,
        SpecCommand::WorkWith => Plan::ChoosePrompt {
            choices: work_prompts(view.index),
        },
        SpecCommand::Approve { by: given } => {
            let step = ChantCommand::approve(id, &by(given)?).map_err(invalid)?;
            Plan::Run(Box::new(RunPlan::single(id, step)))
        }
        SpecCommand::Reject { by: given, reason } => {
            let Some(reason) = reason.as_deref().filter(|r| !r.trim().is_empty()) else {
                return Err(REASON_REQUIRED.into());
            };
            let step = ChantCommand::reject(id, &by(given)?, reason).map_err(invalid)?;
            Plan::Run(Box::new(RunPlan::single(id, step)))
        }
        SpecCommand::ApplyAgentChanges => Plan::ApplyBranch {
            branch: view.index.config.branch_for(id),
        },
        SpecCommand::Merge { stash } => {
            let mut run = RunPlan::single(id, ChantCommand::merge(id).map_err(invalid)?);
            run.stash = *stash;
            Plan::Run(Box::new(run))
        }
        SpecCommand::Archive => single(ChantCommand::archive(id))?,
        SpecCommand::Reset { work, prompt } => {
            if prompt.is_some() && !work {
                return Err("A prompt is only used when the spec is worked again: pass {\"work\": true} with it.".into());
            }
            let reset = ChantCommand::reset(id).map_err(invalid)?;
            let mut run = RunPlan::single(id, reset);
            if *work {
                run.steps
                    .push(ChantCommand::work(id, prompt.as_deref()).map_err(invalid)?);
                run.title = format!("chant reset {id} and work");
                run.chain = Chain::ResetThenWork;
            }
            Plan::Run(Box::new(run))
        }
        SpecCommand::Cancel { delete } => {
            let mut run = RunPlan::single(id, ChantCommand::cancel(id, *delete).map_err(invalid)?);
            if *delete {
                run.confirm = Some(delete_question(view));
            }
            Plan::Run(Box::new(run))
        }
        SpecCommand::Verify => single(ChantCommand::verify(id))?,
        SpecCommand::Split => single(ChantCommand::split(id))?,
        SpecCommand::ShowLog => Plan::OpenLog {
            path: log_path(view.index, id).unwrap_or_default(),
        },
        SpecCommand::Review { .. } => Plan::Review {
            branch: view.index.config.branch_for(id),
            main: view.index.config.main_branch.clone(),
        },
    };
    match chant_refusal(view, command) {
        Some(refusal) => Err(refusal),
        None => Ok(planned),
    }
}

/// "Delete spec X?", asked before `chant cancel --delete`.
fn delete_question(view: &SpecView) -> Confirm {
    let rel = view
        .path
        .strip_prefix(&view.index.root)
        .unwrap_or(view.path)
        .display()
        .to_string();
    Confirm {
        message: format!(
            "Delete spec {}? chant cancel --delete removes {rel} and its agent log from disk (the deletion is not committed; git still has the committed file).",
            view.id
        ),
        yes: "Delete".into(),
        no: "Cancel".into(),
        declined: format!("Spec {} was not deleted.", view.id),
    }
}

/// Every chant command that makes sense for this spec, each with the reason
/// when it is not available now. Work is always offered; approve and reject
/// when the spec has an approval; applying the agent's changes and merging
/// them when its branch exists; the later steps of the lifecycle for the
/// statuses they apply to (archive and verify a completed spec, reset a
/// failed one, cancel or split a pending one); the agent's log when it is
/// there.
///
/// An offer is decided for the text the editor shows, as if saved: the
/// chant editor integrations save a spec before they run a command on it,
/// and the run is decided again ([`plan`]) for what is on disk then.
pub fn commands(view: &SpecView) -> Vec<CommandOffer> {
    let saved = SpecView {
        unsaved: false,
        ..*view
    };
    let view = &saved;
    // Graded once for every offer's refusal.
    let graded = view
        .model
        .chant_accepts()
        .then(|| quality::assess(view.text, view.model, &view.index.config));
    let offer = |command: SpecCommand, title: &str, lens_title: &str, lens: bool| CommandOffer {
        refused: refusal_graded(view, &command, graded.as_ref()),
        command,
        title: title.to_string(),
        lens_title: lens_title.to_string(),
        lens,
    };
    let work = SpecCommand::Work {
        prompt: None,
        skip_quality: false,
    };
    let mut offers = vec![offer(work, "Work this spec", "▶ Work", true)];
    // Past chant's quality gate, when that gate is all that stops it.
    let anyway = SpecCommand::Work {
        prompt: None,
        skip_quality: true,
    };
    if offers[0].refused.is_some()
        && graded
            .as_ref()
            .is_some_and(|q| q.refused_without_terminal())
        && chant_refusal_graded(view, &anyway, graded.as_ref()).is_none()
    {
        offers.push(offer(
            anyway,
            "Work anyway (skip the quality check)",
            "▶ Work anyway",
            true,
        ));
    }
    if view.model.chant_accepts() {
        let prompts = work_prompts(view.index);
        if !prompts.is_empty() {
            offers.push(offer(
                SpecCommand::WorkWith,
                "Work with…",
                "▶ Work with…",
                true,
            ));
        }
        // One code action per prompt (Helix and other clients without a
        // picker choose here); the lens row has "Work with…" instead.
        for prompt in prompts {
            offers.push(offer(
                SpecCommand::Work {
                    prompt: Some(prompt.clone()),
                    skip_quality: false,
                },
                &format!("Work with prompt {prompt}"),
                &format!("▶ Work ({prompt})"),
                false,
            ));
        }
    }
    // chant approves and rejects any spec (it adds `approval:` when there
    // is none): offered where a decision is asked for (an `approval:`
    // section) and on completed specs, whose work a reviewer approves.
    let v = view.model.values();
    if v.approval.is_some() || v.status == SpecStatus::Completed {
        let asked = v.approval.is_some();
        offers.push(offer(
            SpecCommand::Approve { by: None },
            "Approve spec",
            "✓ Approve",
            asked,
        ));
        let reject = SpecCommand::Reject {
            by: None,
            reason: None,
        };
        offers.push(offer(reject, "Reject spec...", "✗ Reject…", asked));
    }
    if let Some(offered) = review_offer(view, &offer) {
        offers.push(offered);
    }
    if let Some(branch) = view.agent_branch {
        offers.push(offer(
            SpecCommand::ApplyAgentChanges,
            &format!("Apply agent changes ({branch})"),
            "⇣ Apply agent changes",
            true,
        ));
    }
    if view.model.chant_accepts() {
        offers.extend(lifecycle_offers(view, &offer));
    }
    if existing_log(view.index, view.id).is_some() {
        // Opening a file runs nothing: offered even when commands are off.
        offers.push(offer(SpecCommand::ShowLog, "Show agent log", "☰ Log", true));
    }
    offers
}

/// "Review changes": where the agent's branch exists and is not merged; while
/// running chant (and so git) is off, where a run left its mark (chant's
/// `branch:` field, or a status only a run gives), refused with why.
fn review_offer(
    view: &SpecView,
    offer: &dyn Fn(SpecCommand, &str, &str, bool) -> CommandOffer,
) -> Option<CommandOffer> {
    let v = view.model.values();
    let ran = v.branch.is_some()
        || matches!(
            v.status,
            SpecStatus::Completed | SpecStatus::Failed | SpecStatus::InProgress
        );
    let offered = match view.agent_branch {
        Some(_) => view.branch_merged != Some(true),
        None => !view.commands_enabled && ran,
    };
    let branch = view.index.config.branch_for(view.id);
    offered.then(|| {
        offer(
            SpecCommand::Review { open: true },
            &format!("Review changes ({branch})"),
            "⎇ Review changes",
            true,
        )
    })
}

/// Merge, archive, reset, cancel, delete, verify and split, where they
/// apply to the spec's status.
fn lifecycle_offers(
    view: &SpecView,
    offer: &dyn Fn(SpecCommand, &str, &str, bool) -> CommandOffer,
) -> Vec<CommandOffer> {
    let mut offers = Vec::new();
    let status = view.model.values().status;
    if let Some(branch) = view
        .agent_branch
        .filter(|_| view.branch_merged != Some(true))
    {
        offers.push(offer(
            SpecCommand::Merge { stash: false },
            &format!("Merge branch {branch}"),
            "⤵ Merge",
            true,
        ));
    }
    if matches!(status, SpecStatus::Completed | SpecStatus::Cancelled) {
        offers.push(offer(
            SpecCommand::Archive,
            "Archive spec",
            "⌫ Archive",
            true,
        ));
    }
    if status == SpecStatus::Completed {
        offers.push(offer(SpecCommand::Verify, "Verify spec", "✔ Verify", true));
    }
    if matches!(status, SpecStatus::Failed | SpecStatus::InProgress) {
        let reset = |work| SpecCommand::Reset { work, prompt: None };
        offers.push(offer(
            reset(true),
            "Reset and work again",
            "↺ Reset and work",
            true,
        ));
        offers.push(offer(reset(false), "Reset spec", "↺ Reset", false));
    }
    if matches!(
        status,
        SpecStatus::Pending | SpecStatus::Ready | SpecStatus::Blocked
    ) {
        offers.push(offer(SpecCommand::Split, "Split spec", "⑃ Split", true));
    }
    if !matches!(status, SpecStatus::Completed | SpecStatus::Cancelled) {
        offers.push(offer(
            SpecCommand::Cancel { delete: false },
            "Cancel spec",
            "✕ Cancel",
            false,
        ));
    }
    offers.push(offer(
        SpecCommand::Cancel { delete: true },
        "Delete spec...",
        "✕ Delete…",
        false,
    ));
    offers
}

/// A project as its commands see it.
pub struct ProjectView<'a> {
    pub index: &'a ProjectIndex,
    pub commands_enabled: bool,
    /// A command about the whole project is running.
    pub busy: bool,
    /// The spec files a chant run is going on for.
    pub running: &'a dyn Fn(&Path) -> bool,
    /// Open specs of the project whose buffer is not what is on disk.
    pub unsaved: &'a [PathBuf],
}

/// A chant command on a whole project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectCommand {
    Add(AddRequest),
    MergeAll {
        /// Stash the files in the way of the merges.
        stash: bool,
    },
    /// None: the editor asks (see [`archivable_labels`]) before planning.
    ArchiveByLabel {
        label: Option<String>,
    },
}

/// What `chant.add` was asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddRequest {
    pub title: Option<String>,
    /// None: the user is asked.
    pub spec_type: Option<String>,
    pub prompt: Option<String>,
    pub labels: Vec<String>,
    pub needs_approval: bool,
}

impl ProjectCommand {
    pub fn name(&self) -> &'static str {
        match self {
            ProjectCommand::Add(_) => ADD,
            ProjectCommand::MergeAll { .. } => MERGE_ALL,
            ProjectCommand::ArchiveByLabel { .. } => ARCHIVE_BY_LABEL,
        }
    }
}

/// The labels of the project's completed specs: what "archive by label"
/// offers when it asks which.
pub fn archivable_labels(index: &ProjectIndex) -> Vec<String> {
    let mut labels: Vec<String> = index
        .specs()
        .filter(|e| e.summary.status == SpecStatus::Completed)
        .flat_map(|e| e.summary.labels.iter().cloned())
        .collect();
    labels.sort();
    labels.dedup();
    labels
}

/// What a project command runs, or why it does not.
pub fn project_plan(view: &ProjectView, command: &ProjectCommand) -> Result<RunPlan, String> {
    let invalid = |e: InvalidArgument| e.to_string();
    if !view.commands_enabled {
        return Err(COMMANDS_OFF.into());
    }
    if view.busy {
        return Err(already_running(&format!(
            "the project at {}",
            view.index.root.display()
        )));
    }
    let project = |title: String, steps: Vec<ChantCommand>, chain: Chain| RunPlan {
        title,
        steps,
        chain,
        confirm: None,
        new_spec: None,
        stash: false,
        scope: Scope::Project,
    };
    match command {
        ProjectCommand::Add(request) => {
            let Some(title) = request.title.as_deref().filter(|t| !t.trim().is_empty()) else {
                return Err(TITLE_REQUIRED.into());
            };
            let step = ChantCommand::add(title, request.prompt.as_deref(), request.needs_approval)
                .map_err(invalid)?;
            let spec_type = request
                .spec_type
                .as_deref()
                .map(validate_spec_type)
                .transpose()
                .map_err(invalid)?
                .map(str::to_string);
            let mut labels = Vec::new();
            for label in &request.labels {
                let label = validate_label(label).map_err(invalid)?;
                if !labels.contains(&label) {
                    labels.push(label);
                }
            }
            let ChantCommand::Add { title, .. } = &step else {
                unreachable!("an add command");
            };
            let new_spec = NewSpec {
                title: title.clone(),
                spec_type,
                labels,
            };
            let mut run = project(step.label(), vec![step], Chain::Single);
            run.new_spec = Some(new_spec);
            Ok(run)
        }
        ProjectCommand::MergeAll { stash } => {
            require_saved(view)?;
            let step = ChantCommand::MergeAll;
            let mut run = project(step.label(), vec![step], Chain::Single);
            run.stash = *stash;
            Ok(run)
        }
        ProjectCommand::ArchiveByLabel { label } => {
            let Some(label) = label else {
                return Err("A label is required: pass it as {\"label\": \"...\"}.".into());
            };
            let label = validate_label(label).map_err(invalid)?;
            require_saved(view)?;
            let labelled: Vec<Labelled> = view
                .index
                .specs()
                .filter(|e| e.summary.labels.contains(&label))
                .map(|e| Labelled {
                    id: e.id.clone(),
                    status: e.summary.status,
                    running: (view.running)(&e.path),
                })
                .collect();
            if labelled.is_empty() {
                return Err(format!(
                    "No spec in this project has the label `{label}` (specs in .chant/specs with `labels:` holding it)."
                ));
            }
            let selection = lifecycle::archive_by_label(labelled);
            let mut refused = selection.refused;
            let mut steps = Vec::new();
            for id in selection.archive {
                match ChantCommand::archive(&id) {
                    Ok(step) => steps.push(step),
                    Err(e) => refused.push((id, e.to_string())),
                }
            }
            if steps.is_empty() {
                let why: Vec<String> = refused
                    .iter()
                    .map(|(id, why)| format!("{id} ({why})"))
                    .collect();
                return Err(format!(
                    "No spec with the label `{label}` can be archived: {}.",
                    why.join("; ")
                ));
            }
            Ok(project(
                format!("chant archive (label {label})"),
                steps,
                Chain::ArchiveByLabel { label, refused },
            ))
        }
    }
}

/// chant rewrites and moves specs on disk: no open spec may hold unsaved
/// changes.
fn require_saved(view: &ProjectView) -> Result<(), String> {
    if view.unsaved.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = view
        .unsaved
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    Err(format!(
        "These specs have unsaved changes: {}. chant rewrites and moves specs on disk, so running now would throw your edits away. Save them, then run the command again.",
        names.join(", ")
    ))
}
