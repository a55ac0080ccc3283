//! The rest of chant's walkthrough after `chant work`: whether chant would
//! refuse `merge`, `archive`, `reset`, `cancel`, `verify` and `split` on a
//! spec, and why, in chant 0.23.2's own terms (its source in
//! `src/cmd/lifecycle/`, `src/cmd/spec/delete.rs`, `src/cmd/verify.rs`,
//! `src/operations/`). Pure: the spec, its workspace and the git facts the
//! caller looked up in; a sentence out when chant would refuse (or do
//! nothing), None when it would run.

use super::readiness::{parse_problem, status_on_load};
use super::WorkspaceFacts;
use crate::spec::frontmatter::{ApprovalStatus, SpecStatus, SpecType};
use crate::spec::id::driver_of;
use crate::spec::SpecModel;

/// What git says about the agent's branch `chant/<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BranchState {
    pub exists: bool,
    /// Whether it is merged into the main branch (None: not known).
    pub merged: Option<bool>,
}

/// chant's `{:?}` of a status, as its messages print it (`InProgress`).
fn debug_status(status: SpecStatus) -> String {
    status
        .as_str()
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// What `chant merge` looks at besides the spec and its branch.
pub struct MergeContext<'a> {
    /// Why chant cannot load `.chant/config.md`, when it cannot.
    pub config_problem: Option<&'a str>,
    /// The spec's members (`<id>.N`) with their status (None: unreadable):
    /// chant merges a spec with members only once all are completed.
    pub members: &'a [(String, Option<SpecStatus>)],
}

/// Why `chant merge <id> --yes` would refuse or merge nothing.
pub fn merge_refusal(
    text: &str,
    model: &SpecModel,
    id: &str,
    branch: &str,
    main_branch: &str,
    state: BranchState,
    cx: MergeContext,
) -> Option<String> {
    if let Some(problem) = parse_problem(text, model) {
        return Some(problem);
    }
    if let Some(problem) = cx.config_problem {
        return Some(format!("chant cannot load its config ({problem}): `chant merge` stops with \"Failed to parse config frontmatter\". Fix .chant/config.md, save, and try again."));
    }
    if !state.exists {
        return Some(format!("There is no branch {branch} to merge: chant creates it when \"Work this spec\" runs the agent (chant merge would say \"No completed specs with branches to merge.\" and do nothing)."));
    }
    if state.merged == Some(true) {
        return Some(format!(
            "Branch {branch} is already merged into {main_branch}: there is nothing to merge."
        ));
    }
    let v = model.values();
    if v.approval
        .as_ref()
        .is_some_and(|a| a.required && a.status != ApprovalStatus::Approved)
    {
        return Some("This spec requires approval before its branch is merged: chant merge refuses it (\"Cannot merge: 1 spec(s) require approval\"). Approve it first (\"Approve spec\").".into());
    }
    let open = unfinished(cx.members);
    if !open.is_empty() {
        return Some(format!(
            "This spec has member specs, so chant merges it as a driver, only once every member is completed (\"Cannot merge driver spec {id} - members are incomplete\"): {}.",
            open.join(", ")
        ));
    }
    None
}

/// The members that are not completed, as "X.2 (pending)" (both `chant
/// merge` and `chant archive` wait for them).
fn unfinished(members: &[(String, Option<SpecStatus>)]) -> Vec<String> {
    members
        .iter()
        .filter(|(_, status)| *status != Some(SpecStatus::Completed))
        .map(|(m, status)| format!("{m} ({})", status.map_or("unreadable", |s| s.as_str())))
        .collect()
}

/// Why `chant archive <id>` would refuse or archive nothing. `members`
/// are the spec's members (`<id>.N`) with their status (None: unreadable).
pub fn archive_refusal(
    text: &str,
    model: &SpecModel,
    id: &str,
    members: &[(String, Option<SpecStatus>)],
    main_branch: &str,
    state: BranchState,
) -> Option<String> {
    if let Some(problem) = parse_problem(text, model) {
        return Some(problem);
    }
    let v = model.values();
    match v.status {
        SpecStatus::Completed => {}
        SpecStatus::Cancelled => return Some(format!("chant archive refuses a cancelled spec (\"Spec '{id}' must be completed to archive (current: Cancelled)\"): only completed specs are archived.")),
        other => return Some(format!("chant archive archives only completed specs, and this one is {}: it would say \"No specs to archive.\" and do nothing.", other.as_str())),
    }
    if driver_of(id).is_none() {
        let open = unfinished(members);
        if !open.is_empty() {
            return Some(format!(
                "chant archive skips a driver whose members are not all completed (\"Skipping driver spec {id} - not all members are completed\"): {}.",
                open.join(", ")
            ));
        }
    }
    if let Some(branch) = v.branch.as_deref().filter(|b| *b != main_branch) {
        if state.exists && state.merged == Some(false) {
            return Some(format!(
                "Cannot archive spec '{id}': feature branch '{branch}' has not been merged to {main_branch}. Merge it first (\"Merge branch {branch}\"), or archive it anyway from a terminal with `chant archive {id} --force`."
            ));
        }
    }
    None
}

/// A spec with the label `chant archive --label` would be asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled {
    pub id: String,
    pub status: SpecStatus,
    /// A chant run is going on for it.
    pub running: bool,
}

/// Which of the labelled specs "archive by label" archives, in the order
/// chant archives them (members before their drivers), and the others
/// with why (chant 0.23.2's archive has no label filter: the editor runs
/// `chant archive <id>` for each).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelSelection {
    pub archive: Vec<String>,
    pub refused: Vec<(String, String)>,
}

pub fn archive_by_label(mut labelled: Vec<Labelled>) -> LabelSelection {
    let dots = |id: &str| id.matches('.').count();
    labelled.sort_by(|a, b| dots(&b.id).cmp(&dots(&a.id)).then(a.id.cmp(&b.id)));
    let mut selection = LabelSelection::default();
    for spec in labelled {
        if spec.status != SpecStatus::Completed {
            let why = format!(
                "{}: chant archives only completed specs",
                spec.status.as_str()
            );
            selection.refused.push((spec.id, why));
        } else if spec.running {
            selection
                .refused
                .push((spec.id, "chant is running for it".into()));
        } else {
            selection.archive.push(spec.id);
        }
    }
    selection
}

/// Why `chant reset <id>` would refuse. chant accepts failed and
/// in_progress specs, but in 0.23.2 an in_progress one then fails to move
/// to pending (after it removed the run's worktree): only failed specs
/// reset.
pub fn reset_refusal(text: &str, model: &SpecModel, id: &str) -> Option<String> {
    if let Some(problem) = parse_problem(text, model) {
        return Some(problem);
    }
    match model.values().status {
        SpecStatus::Failed => None,
        SpecStatus::InProgress => Some(format!(
            "chant reset cannot move spec '{id}' from in_progress to pending (\"Failed to transition spec to Pending: Invalid transition from InProgress to Pending\"), and it removes the run's worktree first. If no run is going on, set `status: failed`, save, and reset it then."
        )),
        other => Some(format!(
            "Spec '{id}' is not in failed or in_progress state (current: {}): chant reset only resets failed specs.",
            debug_status(other)
        )),
    }
}

/// Why `chant cancel <id>` (or `chant cancel <id> --delete`) would refuse.
/// `dependents` are the specs whose `depends_on` names this one.
pub fn cancel_refusal(
    text: &str,
    model: &SpecModel,
    id: &str,
    dependents: &[String],
    delete: bool,
) -> Option<String> {
    if let Some(problem) = parse_problem(text, model) {
        return Some(problem);
    }
    if let Some(driver) = driver_of(id) {
        return Some(if delete {
            format!("Cannot delete member spec '{id}' directly. Delete the driver spec '{driver}' instead.")
        } else {
            format!("Cannot cancel member spec '{id}'. Cancel the driver spec '{driver}' instead.")
        });
    }
    let status = model.values().status;
    let verb = if delete { "delete" } else { "cancel" };
    match status {
        SpecStatus::Cancelled if !delete => {
            return Some(format!("Spec '{id}' is already cancelled."));
        }
        SpecStatus::InProgress | SpecStatus::Failed | SpecStatus::NeedsAttention => {
            let state = match status {
                SpecStatus::InProgress => "in progress",
                SpecStatus::Failed => "failed",
                _ => "needs attention",
            };
            return Some(format!("Spec '{id}' is {state}: chant {verb} refuses it (its `--skip-checks` overrides that, from a terminal). Reset it first (\"Reset spec\")."));
        }
        _ => {}
    }
    if !dependents.is_empty() {
        return Some(format!(
            "Spec '{id}' is a dependency for: {}. chant {verb} refuses it (its `--skip-checks` overrides that, from a terminal); remove it from their `depends_on` first.",
            dependents.join(", ")
        ));
    }
    if !delete && matches!(status, SpecStatus::Completed | SpecStatus::Ready) {
        return Some(format!(
            "chant cannot move a spec from `{}` to cancelled (\"Invalid transition from {} to Cancelled\").",
            status.as_str(),
            debug_status(status)
        ));
    }
    None
}

/// Why `chant verify <id>` would refuse or verify nothing.
pub fn verify_refusal(
    text: &str,
    model: &SpecModel,
    id: &str,
    ws: &dyn WorkspaceFacts,
) -> Option<String> {
    if let Some(problem) = parse_problem(text, model) {
        return Some(problem);
    }
    let status = model.values().status;
    if status != SpecStatus::Completed {
        return Some(format!(
            "Spec {id} is not completed (status: {}): chant verify checks only completed specs.",
            status.as_str()
        ));
    }
    if model.body.criteria.is_none() {
        return Some("This spec has no `## Acceptance Criteria` section: chant verify would skip it (\"No acceptance criteria found in spec\").".into());
    }
    if !ws.prompt_exists("verify") {
        return Some("chant verify needs the prompt .chant/prompts/verify.md, and this project has none (\"Prompt file not found\"): `chant init prompts` installs chant's prompts.".into());
    }
    None
}

/// Why `chant split <id>` would refuse.
pub fn split_refusal(
    text: &str,
    model: &SpecModel,
    id: &str,
    ws: &dyn WorkspaceFacts,
) -> Option<String> {
    if let Some(problem) = parse_problem(text, model) {
        return Some(problem);
    }
    let v = model.values();
    let status = status_on_load(model, id, ws);
    let refusal = match status {
        SpecStatus::Pending | SpecStatus::Ready => None,
        SpecStatus::InProgress => Some("Cannot split spec that is in progress".to_string()),
        SpecStatus::Paused => Some("Cannot split paused spec".into()),
        SpecStatus::Completed => Some("Cannot split completed spec".into()),
        SpecStatus::Failed => Some("Cannot split failed spec".into()),
        SpecStatus::NeedsAttention => Some("Cannot split spec that needs attention".into()),
        SpecStatus::Blocked => Some("Cannot split blocked spec".into()),
        SpecStatus::Cancelled => Some("Cannot split cancelled spec".into()),
    };
    if let Some(refusal) = refusal {
        let why = if status == SpecStatus::Blocked && v.status != SpecStatus::Blocked {
            " (chant counts it as blocked: it waits for dependencies or approval)"
        } else {
            ""
        };
        return Some(format!(
            "chant split refuses it: \"{refusal}\"{why}. Only pending specs are split."
        ));
    }
    if v.r#type == SpecType::Group {
        return Some("This spec is already split (`type: group`): chant split says \"Spec is already split\".".into());
    }
    if !ws.prompt_exists("split") {
        return Some("chant split needs the prompt .chant/prompts/split.md, and this project has none (\"Split prompt not found: split.md\"): `chant init prompts` installs chant's prompts.".into());
    }
    None
}

/// Why the editor runs no chant command that changes a spec kept in a
/// subfolder of `.chant/specs`: chant finds the spec there, but writes it
/// back to `.chant/specs/<id>.md` (`chant work`, `approve`, `reject`...),
/// which makes a second copy and leaves the file the user edits as it was
/// (tested against the real chant).
pub fn nested_refusal(id: &str) -> String {
    format!(
        "This spec is in a subfolder of `.chant/specs`: chant finds it there, but writes its changes to `.chant/specs/{id}.md`, a second copy, and leaves this file as it is. Move the spec to `.chant/specs/` to run chant on it."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_cx() -> MergeContext<'static> {
        MergeContext {
            config_problem: None,
            members: &[],
        }
    }

    #[test]
    fn statuses_as_chant_prints_them() {
        assert_eq!(debug_status(SpecStatus::InProgress), "InProgress");
        assert_eq!(debug_status(SpecStatus::Pending), "Pending");
        assert_eq!(debug_status(SpecStatus::NeedsAttention), "NeedsAttention");
    }

    fn model(text: &str) -> SpecModel {
        SpecModel::parse(text)
    }

    #[test]
    fn merge_needs_an_unmerged_branch_and_approval() {
        let text = "---\nstatus: completed\n---\n# T\n";
        let m = model(text);
        let none = BranchState::default();
        assert!(
            merge_refusal(text, &m, "x", "chant/x", "main", none, no_cx())
                .unwrap()
                .starts_with("There is no branch chant/x to merge")
        );
        let merged = BranchState {
            exists: true,
            merged: Some(true),
        };
        assert_eq!(
            merge_refusal(text, &m, "x", "chant/x", "main", merged, no_cx()).unwrap(),
            "Branch chant/x is already merged into main: there is nothing to merge."
        );
        let open = BranchState {
            exists: true,
            merged: Some(false),
        };
        assert_eq!(
            merge_refusal(text, &m, "x", "chant/x", "main", open, no_cx()),
            None
        );
        let text = "---\nstatus: completed\napproval:\n  required: true\n---\n# T\n";
        assert!(
            merge_refusal(text, &model(text), "x", "chant/x", "main", open, no_cx())
                .unwrap()
                .contains("requires approval")
        );
    }

    #[test]
    fn reset_and_cancel_follow_chants_checks() {
        let failed = "---\nstatus: failed\n---\n# T\n";
        assert_eq!(reset_refusal(failed, &model(failed), "x"), None);
        let pending = "---\nstatus: pending\n---\n# T\n";
        assert_eq!(
            reset_refusal(pending, &model(pending), "x").unwrap(),
            "Spec 'x' is not in failed or in_progress state (current: Pending): chant reset only resets failed specs."
        );
        assert_eq!(
            cancel_refusal(pending, &model(pending), "x", &[], false),
            None
        );
        assert_eq!(
            cancel_refusal(pending, &model(pending), "x.1", &[], false).unwrap(),
            "Cannot cancel member spec 'x.1'. Cancel the driver spec 'x' instead."
        );
        assert!(cancel_refusal(failed, &model(failed), "x", &[], true)
            .unwrap()
            .starts_with("Spec 'x' is failed: chant delete refuses it"));
        assert!(
            cancel_refusal(pending, &model(pending), "x", &["y".into()], false)
                .unwrap()
                .starts_with("Spec 'x' is a dependency for: y.")
        );
        let done = "---\nstatus: completed\n---\n# T\n";
        assert!(cancel_refusal(done, &model(done), "x", &[], false)
            .unwrap()
            .contains("Invalid transition from Completed to Cancelled"));
        assert_eq!(cancel_refusal(done, &model(done), "x", &[], true), None);
    }

    #[test]
    fn merge_waits_for_a_working_config_and_every_member() {
        let text = "---\nstatus: completed\n---\n# T\n";
        let m = model(text);
        let open = BranchState {
            exists: true,
            merged: Some(false),
        };
        let members = [
            ("x.1".to_string(), Some(SpecStatus::Completed)),
            ("x.2".to_string(), Some(SpecStatus::Pending)),
            ("x.3".to_string(), None),
        ];
        let cx = MergeContext {
            config_problem: None,
            members: &members,
        };
        assert_eq!(
            merge_refusal(text, &m, "x", "chant/x", "main", open, cx).as_deref(),
            Some("This spec has member specs, so chant merges it as a driver, only once every member is completed (\"Cannot merge driver spec x - members are incomplete\"): x.2 (pending), x.3 (unreadable).")
        );
        let cx = MergeContext {
            config_problem: Some("bad"),
            members: &members[..1],
        };
        assert_eq!(
            merge_refusal(text, &m, "x", "chant/x", "main", open, cx).as_deref(),
            Some("chant cannot load its config (bad): `chant merge` stops with \"Failed to parse config frontmatter\". Fix .chant/config.md, save, and try again.")
        );
        let cx = MergeContext {
            config_problem: None,
            members: &members[..1],
        };
        assert_eq!(
            merge_refusal(text, &m, "x", "chant/x", "main", open, cx),
            None
        );
    }
}
