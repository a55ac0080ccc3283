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
fn parse_problem(text: &str, model: &SpecModel) -> Option<String> {
    let first = model.frontmatter.rejections.first()?;
    Some(format!(
        "chant cannot read this spec's frontmatter (it stops with \"Failed to parse spec frontmatter\"): {} (line {}). Fix the errors marked in the editor, save, and try again.",
        first.detail,
        line_of(text, first.range.start)
    ))
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
