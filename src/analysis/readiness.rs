//! What chant would stop on, checked before running it, so the user gets a
//! message that says what to do instead of a half-done run (chant marks a
//! spec in_progress before some of its own checks). Follows chant.md
//! section 6 (`chant work` step 1) and section 3 (status transitions).

use crate::analysis::{SpecLookup, WorkspaceFacts};
use crate::spec::frontmatter::{ApprovalStatus, SpecStatus, SpecType};
use crate::spec::SpecModel;

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

/// chant cannot load the spec at all.
pub(crate) fn parse_problem(text: &str, model: &SpecModel) -> Option<String> {
    let first = model.frontmatter.rejections.first()?;
    Some(format!(
        "chant cannot read this spec's frontmatter (it stops with \"Failed to parse spec frontmatter\"): {} (line {}). Fix the errors marked in the editor, save, and try again.",
        first.detail,
        line_of(text, first.range.start)
    ))
}

/// Where a spec stands, as chant sees it when it loads the spec: whether
/// it can be worked now, and if not, what it waits for. The code lens, the
/// hover on `status`, the inlay hint, the code actions and the editors'
/// status all come from this one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// chant cannot load the spec (its frontmatter does not parse).
    Unreadable,
    Completed,
    Cancelled,
    InProgress,
    /// Waiting for dependencies (its own, or its driver's).
    Blocked {
        waiting_for: Vec<Waiting>,
    },
    /// `approval.required` and not approved yet.
    NeedsApproval,
    Rejected {
        by: Option<String>,
    },
    /// A failed run: reset it or work it again.
    Failed,
    Ready,
}

/// One dependency a spec waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub id: String,
    pub state: WaitState,
    /// Set when the dependency is the spec's driver's, not its own.
    pub via_driver: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitState {
    /// A spec chant finds, not completed or cancelled yet.
    Status(SpecStatus),
    /// No spec of that ID that chant resolves (missing, archived, nested,
    /// or unparseable: chant treats all of them as unknown).
    Unknown,
}

impl Waiting {
    fn describe(&self) -> String {
        let state = match &self.state {
            WaitState::Status(status) => status.as_str().to_string(),
            WaitState::Unknown => "unknown to chant".to_string(),
        };
        match &self.via_driver {
            Some(driver) => format!("{} ({state}, a dependency of driver {driver})", self.id),
            None => format!("{} ({state})", self.id),
        }
    }
}

impl Readiness {
    /// One or two words: `ready`, `blocked`, `needs approval`...
    pub fn label(&self) -> &'static str {
        match self {
            Readiness::Unreadable => "unreadable",
            Readiness::Completed => "completed",
            Readiness::Cancelled => "cancelled",
            Readiness::InProgress => "in progress",
            Readiness::Blocked { .. } => "blocked",
            Readiness::NeedsApproval => "needs approval",
            Readiness::Rejected { .. } => "rejected",
            Readiness::Failed => "failed",
            Readiness::Ready => "ready",
        }
    }

    /// A stable machine name for editors: `ready`, `blocked`, `needs_approval`...
    pub fn name(&self) -> &'static str {
        match self {
            Readiness::Unreadable => "unreadable",
            Readiness::Completed => "completed",
            Readiness::Cancelled => "cancelled",
            Readiness::InProgress => "in_progress",
            Readiness::Blocked { .. } => "blocked",
            Readiness::NeedsApproval => "needs_approval",
            Readiness::Rejected { .. } => "rejected",
            Readiness::Failed => "failed",
            Readiness::Ready => "ready",
        }
    }

    /// Why, in a sentence fragment: "waiting for 2026-01-29-002-def (in_progress)".
    pub fn reason(&self) -> String {
        match self {
            Readiness::Unreadable => "chant cannot read its frontmatter".into(),
            Readiness::Completed => "completed".into(),
            Readiness::Cancelled => "cancelled".into(),
            Readiness::InProgress => "a run is in progress (status: in_progress)".into(),
            Readiness::Blocked { waiting_for } => format!(
                "waiting for {}",
                waiting_for
                    .iter()
                    .map(Waiting::describe)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Readiness::NeedsApproval => "needs approval before work can begin".into(),
            Readiness::Rejected { by: Some(by) } => format!("rejected by {by}"),
            Readiness::Rejected { by: None } => "rejected".into(),
            Readiness::Failed => "the last run failed: work it again, or reset it".into(),
            Readiness::Ready => "ready to work".into(),
        }
    }
}

fn waits_for(deps: &[String], ws: &dyn WorkspaceFacts, via: Option<&str>) -> Vec<Waiting> {
    deps.iter()
        .filter_map(|dep| {
            let state = match ws.lookup_spec(dep) {
                SpecLookup::Found { status, .. } if status.satisfies_dependents() => return None,
                SpecLookup::Found { status, .. } => WaitState::Status(status),
                _ => WaitState::Unknown,
            };
            Some(Waiting {
                id: dep.clone(),
                state,
                via_driver: via.map(str::to_string),
            })
        })
        .collect()
}

/// Where the spec `id` stands (chant.md section 3, "Status and readiness").
pub fn assess(model: &SpecModel, id: &str, ws: &dyn WorkspaceFacts) -> Readiness {
    if !model.chant_accepts() {
        return Readiness::Unreadable;
    }
    let v = model.values();
    match v.status {
        SpecStatus::Completed => return Readiness::Completed,
        SpecStatus::Cancelled => return Readiness::Cancelled,
        SpecStatus::InProgress => return Readiness::InProgress,
        _ => {}
    }
    let approval = v.approval.as_ref().filter(|a| a.required);
    if let Some(approval) = approval.filter(|a| a.status == ApprovalStatus::Rejected) {
        return Readiness::Rejected {
            by: approval.by.clone(),
        };
    }
    let mut waiting = waits_for(v.depends_on.as_deref().unwrap_or_default(), ws, None);
    if let Some(driver) = crate::spec::id::driver_of(id) {
        waiting.extend(waits_for(&ws.dependencies_of(driver), ws, Some(driver)));
    }
    if !waiting.is_empty() {
        return Readiness::Blocked {
            waiting_for: waiting,
        };
    }
    if approval.is_some_and(|a| a.status != ApprovalStatus::Approved) {
        return Readiness::NeedsApproval;
    }
    if v.status == SpecStatus::Failed {
        return Readiness::Failed;
    }
    Readiness::Ready
}

/// The prompt `chant work` would use (chant.md section 5).
pub fn chosen_prompt(
    model: &SpecModel,
    ws: &dyn WorkspaceFacts,
    prompt_override: Option<&str>,
) -> String {
    let v = model.values();
    if let Some(p) = prompt_override {
        return p.to_string();
    }
    if let Some(p) = &v.prompt {
        return p.clone();
    }
    if v.r#type == SpecType::Documentation && ws.prompt_exists("documentation") {
        return "documentation".into();
    }
    ws.config()
        .default_prompt
        .clone()
        .unwrap_or_else(|| "bootstrap".into())
}

/// Why `chant work` would refuse (or fail early on) this spec, if it would.
pub fn work_refusal(
    text: &str,
    model: &SpecModel,
    id: &str,
    ws: &dyn WorkspaceFacts,
    prompt_override: Option<&str>,
) -> Option<String> {
    if let Some(problem) = parse_problem(text, model) {
        return Some(problem);
    }
    let v = model.values();
    if model.body.title.is_none() {
        return Some("This spec has no title (a line starting with `# `): chant work lints it first and stops with \"Missing title\". Add a title, save, and try again.".into());
    }
    let deps = v.depends_on.clone().unwrap_or_default();
    let mut unknown = Vec::new();
    let mut unmet = Vec::new();
    for dep in &deps {
        match ws.lookup_spec(dep) {
            SpecLookup::Found { status, .. } => {
                if !status.satisfies_dependents() {
                    unmet.push(format!("{dep} ({})", status.as_str()));
                }
            }
            _ => unknown.push(dep.clone()),
        }
    }
    if !unknown.is_empty() {
        return Some(format!(
            "chant work lints this spec first and stops on unknown dependencies: {}. Fix `depends_on` (the IDs must name specs directly in .chant/specs), save, and try again.",
            unknown.join(", ")
        ));
    }
    match v.status {
        SpecStatus::Completed => return Some("This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.".into()),
        SpecStatus::Cancelled => return Some("This spec is cancelled: chant work refuses cancelled specs. To run it, set `status: pending`, save, and try again.".into()),
        SpecStatus::InProgress => return Some(format!("This spec is already in progress (`status: in_progress`): chant work refuses it. If no run is going on (an earlier run was stopped), set `status: failed` or `pending`, save, and try again; the branch chant/{id} from that run may still hold its work.")),
        _ => {}
    }
    if let Some(approval) = v.approval.as_ref().filter(|a| a.required) {
        match approval.status {
            ApprovalStatus::Approved => {}
            ApprovalStatus::Rejected => {
                let by = approval
                    .by
                    .as_ref()
                    .map(|b| format!(" by {b}"))
                    .unwrap_or_default();
                return Some(format!("This spec was rejected{by}: chant work refuses it until it is approved. Address the feedback, then approve it (\"Approve spec\")."));
            }
            ApprovalStatus::Pending => {
                return Some("This spec requires approval before work can begin (`approval.required: true`): approve it first (\"Approve spec\").".into());
            }
        }
    }
    if !unmet.is_empty() {
        return Some(format!(
            "This spec is blocked by dependencies that are not completed: {}. chant work refuses it until they are completed or cancelled.",
            unmet.join(", ")
        ));
    }
    if model.body.total_checkboxes() == 0 && !matches!(v.r#type, SpecType::Driver | SpecType::Group)
    {
        return Some("This spec has no acceptance criteria chant counts (`- [ ]` items under `## Acceptance Criteria`): chant work refuses it when it does not run in a terminal (\"Spec quality check failed\"). Add criteria, save, and try again.".into());
    }
    if v.status == SpecStatus::Ready {
        return Some("`status: ready` has no transition to in_progress, so chant work fails on it. Set `status: pending`, save, and try again.".into());
    }
    let prompt = chosen_prompt(model, ws, prompt_override);
    if !ws.prompt_exists(&prompt) {
        return Some(format!(
            "Prompt not found: {prompt}. There is no .chant/prompts/{prompt}.md, and chant would mark the spec in_progress before failing. Create that prompt or choose another one (\"Work with prompt ...\")."
        ));
    }
    None
}

/// Why `chant approve` would fail or do nothing.
pub fn approve_refusal(text: &str, model: &SpecModel) -> Option<String> {
    if let Some(problem) = parse_problem(text, model) {
        return Some(problem);
    }
    let approval = model.values().approval.as_ref()?;
    (approval.status == ApprovalStatus::Approved).then(|| {
        let by = approval
            .by
            .as_ref()
            .map(|b| format!(" by {b}"))
            .unwrap_or_default();
        format!("This spec is already approved{by}: chant approve would change nothing.")
    })
}

/// Why `chant reject` would fail.
pub fn reject_refusal(text: &str, model: &SpecModel) -> Option<String> {
    parse_problem(text, model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::PathState;
    use crate::spec::config::ChantConfig;
    use std::collections::HashMap;

    struct Ws {
        config: ChantConfig,
        specs: HashMap<&'static str, SpecStatus>,
        prompts: Vec<&'static str>,
    }

    impl WorkspaceFacts for Ws {
        fn config(&self) -> &ChantConfig {
            &self.config
        }
        fn lookup_spec(&self, id: &str) -> SpecLookup {
            match self.specs.get(id) {
                Some(status) => SpecLookup::Found {
                    status: *status,
                    title: None,
                },
                None => SpecLookup::Missing,
            }
        }
        fn prompt_exists(&self, name: &str) -> bool {
            self.prompts.contains(&name)
        }
        fn prompt_names(&self) -> Vec<String> {
            self.prompts.iter().map(|p| p.to_string()).collect()
        }
        fn closest_spec_id(&self, _: &str) -> Option<String> {
            None
        }
        fn path_state(&self, _: &str) -> PathState {
            PathState::Missing
        }
        fn escapes_root(&self, _: &str) -> bool {
            false
        }
        fn dependencies_of(&self, _: &str) -> Vec<String> {
            Vec::new()
        }
        fn spec_files(&self, _: &str) -> Vec<std::path::PathBuf> {
            Vec::new()
        }
        fn glob_matches_any(&self, _: &str) -> Result<bool, String> {
            Ok(false)
        }
    }

    fn ws() -> Ws {
        Ws {
            config: ChantConfig::parse("---\ndefaults:\n  prompt: standard\n---\n"),
            specs: HashMap::from([
                ("done", SpecStatus::Completed),
                ("open", SpecStatus::Pending),
            ]),
            prompts: vec!["standard", "documentation"],
        }
    }

    fn work(text: &str) -> Option<String> {
        work_refusal(text, &SpecModel::parse(text), "x", &ws(), None)
    }

    const CRITERIA: &str = "\n\n## Acceptance Criteria\n\n- [ ] it works\n";

    #[test]
    fn a_workable_spec_passes() {
        assert_eq!(
            work(&format!("---\ndepends_on: [done]\n---\n# T{CRITERIA}")),
            None
        );
    }

    #[test]
    fn each_refusal_says_why() {
        let cases = [
            ("---\nstatus: opne\n---\n# T", "line 2"),
            ("---\nstatus: pending\n---\nno title", "no title"),
            (
                "---\ndepends_on: [nope]\n---\n# T",
                "unknown dependencies: nope",
            ),
            ("---\nstatus: completed\n---\n# T", "is completed"),
            ("---\nstatus: cancelled\n---\n# T", "is cancelled"),
            ("---\nstatus: in_progress\n---\n# T", "already in progress"),
            (
                "---\napproval:\n  required: true\n---\n# T",
                "requires approval",
            ),
            (
                "---\napproval:\n  required: true\n  status: rejected\n  by: Bo\n---\n# T",
                "rejected by Bo",
            ),
            ("---\ndepends_on: [open]\n---\n# T", "open (pending)"),
            ("---\nstatus: ready\n---\n# T", "status: ready"),
            ("---\nprompt: nope\n---\n# T", "Prompt not found: nope"),
        ];
        for (head, expected) in cases {
            let text = format!("{head}{CRITERIA}");
            let refusal = work(&text).unwrap_or_default();
            assert!(refusal.contains(expected), "{head:?}: {refusal}");
        }
        let refusal = work("---\nstatus: pending\n---\n# T\n").unwrap();
        assert!(refusal.contains("no acceptance criteria"), "{refusal}");
        let text = format!("# T{CRITERIA}");
        let model = SpecModel::parse(&text);
        assert!(work_refusal(&text, &model, "x", &ws(), Some("missing"))
            .unwrap()
            .contains("Prompt not found: missing"));
        assert_eq!(
            work_refusal(&text, &model, "x", &ws(), Some("standard")),
            None
        );
    }

    #[test]
    fn the_prompt_chant_would_choose() {
        let ws = ws();
        let pick = |text: &str| chosen_prompt(&SpecModel::parse(text), &ws, None);
        assert_eq!(pick("---\nprompt: mine\n---\n# T"), "mine");
        assert_eq!(pick("---\ntype: documentation\n---\n# T"), "documentation");
        assert_eq!(pick("# T"), "standard");
        let bare = Ws {
            config: ChantConfig::default(),
            ..ws
        };
        assert_eq!(
            chosen_prompt(&SpecModel::parse("# T"), &bare, None),
            "bootstrap"
        );
    }

    #[test]
    fn approve_and_reject_refusals() {
        let approved =
            "---\napproval:\n  required: true\n  status: approved\n  by: Ada\n  at: x\n---\n# T";
        assert!(approve_refusal(approved, &SpecModel::parse(approved))
            .unwrap()
            .contains("already approved by Ada"));
        assert_eq!(reject_refusal(approved, &SpecModel::parse(approved)), None);
        let pending = "---\napproval:\n  required: true\n---\n# T";
        assert_eq!(approve_refusal(pending, &SpecModel::parse(pending)), None);
        let broken = "---\ntype: nope\n---\n# T";
        assert!(reject_refusal(broken, &SpecModel::parse(broken)).is_some());
    }
}
