//! The chant commands a spec offers (`ide::actions::{commands, readiness,
//! work_prompts}`): which are available, and for the others the exact
//! reason shown (as a disabled code action, or when a lens is clicked).
//!
//! Rendered as the spec's readiness, then one line per offer:
//! `title | lens title | command [prompt] | available` or `| refused: why`
//! (a lens title in parentheses: the offer is a code action only).

use chant_lsp::ide::commands::{commands, readiness, work_prompts, SpecCommand, SpecView};

use crate::expect::{trim_indent, Expect};
use crate::fixture::Fixture;

fn render(view: &SpecView) -> String {
    let r = readiness(view);
    let mut out = format!("readiness: {} ({})\n", r.name(), r.reason());
    for offer in commands(view) {
        let mut command = offer.command.name().to_string();
        match &offer.command {
            SpecCommand::Work {
                prompt,
                skip_quality,
            } => {
                if let Some(prompt) = prompt {
                    command.push_str(&format!(" {prompt}"));
                }
                if *skip_quality {
                    command.push_str(" --skip-criteria");
                }
            }
            SpecCommand::Reset { work: true, .. } => command.push_str(" work"),
            SpecCommand::Cancel { delete: true } => command.push_str(" delete"),
            _ => {}
        }
        let lens_title = if offer.lens {
            offer.lens_title.clone()
        } else {
            format!("({} not in the lens)", offer.lens_title)
        };
        out.push_str(&format!(
            "{} | {} | {command} | {}\n",
            offer.title,
            lens_title,
            match &offer.refused {
                None => "available".to_string(),
                Some(why) => format!("refused: {why}"),
            }
        ));
    }
    out
}

fn check(fixture: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    expect.assert_eq(&render(&f.view()));
}

/// A spec chant would work as it is, with `head` added to its frontmatter.
fn workable(head: &str) -> String {
    format!("---\n{head}---\n# T\n\n## Acceptance Criteria\n\n- [ ] works\n")
}

#[test]
fn a_pending_spec_offers_work_with_each_prompt() {
    check(
        &workable("status: pending\n"),
        expect![[r#"
            readiness: ready (ready to work)
            Work this spec | ▶ Work | chant.work | available
            Work with… | ▶ Work with… | chant.workWith | available
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | available
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | available
            Split spec | ⑃ Split | chant.split | refused: chant split needs the prompt .chant/prompts/split.md, and this project has none ("Split prompt not found: split.md"): `chant init prompts` installs chant's prompts.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | available
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
        "#]],
    );
}

#[test]
fn a_blocked_spec() {
    check(
        &workable("depends_on: [2026-01-01-001-abc, 2026-01-02-001-def]\n"),
        expect![[r#"
            readiness: blocked (waiting for 2026-01-02-001-def (pending))
            Work this spec | ▶ Work | chant.work | refused: This spec is blocked by dependencies that are not completed: 2026-01-02-001-def (pending). chant work refuses it until they are completed (for `chant work`, a cancelled dependency blocks too).
            Work with… | ▶ Work with… | chant.workWith | refused: This spec is blocked by dependencies that are not completed: 2026-01-02-001-def (pending). chant work refuses it until they are completed (for `chant work`, a cancelled dependency blocks too).
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: This spec is blocked by dependencies that are not completed: 2026-01-02-001-def (pending). chant work refuses it until they are completed (for `chant work`, a cancelled dependency blocks too).
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: This spec is blocked by dependencies that are not completed: 2026-01-02-001-def (pending). chant work refuses it until they are completed (for `chant work`, a cancelled dependency blocks too).
            Split spec | ⑃ Split | chant.split | refused: chant split refuses it: "Cannot split blocked spec" (chant counts it as blocked: it waits for dependencies or approval). Only pending specs are split.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | available
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
        "#]],
    );
}

#[test]
fn a_spec_with_an_unknown_dependency() {
    check(
        &workable("depends_on: [2026-01-09-001-zzz]\n"),
        expect![[r#"
            readiness: blocked (waiting for 2026-01-09-001-zzz (unknown to chant))
            Work this spec | ▶ Work | chant.work | refused: chant work lints this spec first and stops on unknown dependencies: 2026-01-09-001-zzz. Fix `depends_on` (the IDs must name specs directly in .chant/specs), save, and try again.
            Work with… | ▶ Work with… | chant.workWith | refused: chant work lints this spec first and stops on unknown dependencies: 2026-01-09-001-zzz. Fix `depends_on` (the IDs must name specs directly in .chant/specs), save, and try again.
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: chant work lints this spec first and stops on unknown dependencies: 2026-01-09-001-zzz. Fix `depends_on` (the IDs must name specs directly in .chant/specs), save, and try again.
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: chant work lints this spec first and stops on unknown dependencies: 2026-01-09-001-zzz. Fix `depends_on` (the IDs must name specs directly in .chant/specs), save, and try again.
            Split spec | ⑃ Split | chant.split | refused: chant split refuses it: "Cannot split blocked spec" (chant counts it as blocked: it waits for dependencies or approval). Only pending specs are split.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | available
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
        "#]],
    );
}

/// `chant work` on a member checks the member's own `depends_on` and its
/// earlier siblings first, then, when it moves the member to in_progress,
/// its driver's dependencies ("Dependencies not met", seen with the real
/// chant by the refusal differential): the first member waits too.
/// `chant split` sees the status chant gives it on load, which counts them.
#[test]
fn a_member_waits_for_its_drivers_dependencies_too() {
    check(
        r#"
        //- /.chant/specs/2026-01-05-001-drv.1.md
        ---
        status: pending
        ---
        # Member

        ## Acceptance Criteria

        - [ ] works
        //- /.chant/specs/2026-01-05-001-drv.md
        ---
        type: driver
        depends_on: [2026-01-02-001-def]
        ---
        # Driver
        "#,
        expect![[r#"
            readiness: blocked (waiting for 2026-01-02-001-def (pending, a dependency of its driver 2026-01-05-001-drv))
            Work this spec | ▶ Work | chant.work | refused: This member waits for its driver's dependencies: 2026-01-02-001-def (pending, a dependency of its driver 2026-01-05-001-drv). chant work stops when it moves the spec to in_progress ("Dependencies not met") until they are completed or cancelled.
            Work with… | ▶ Work with… | chant.workWith | refused: This member waits for its driver's dependencies: 2026-01-02-001-def (pending, a dependency of its driver 2026-01-05-001-drv). chant work stops when it moves the spec to in_progress ("Dependencies not met") until they are completed or cancelled.
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: This member waits for its driver's dependencies: 2026-01-02-001-def (pending, a dependency of its driver 2026-01-05-001-drv). chant work stops when it moves the spec to in_progress ("Dependencies not met") until they are completed or cancelled.
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: This member waits for its driver's dependencies: 2026-01-02-001-def (pending, a dependency of its driver 2026-01-05-001-drv). chant work stops when it moves the spec to in_progress ("Dependencies not met") until they are completed or cancelled.
            Split spec | ⑃ Split | chant.split | refused: chant split refuses it: "Cannot split blocked spec" (chant counts it as blocked: it waits for dependencies or approval). Only pending specs are split.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | refused: Cannot cancel member spec '2026-01-05-001-drv.1'. Cancel the driver spec '2026-01-05-001-drv' instead.
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | refused: Cannot delete member spec '2026-01-05-001-drv.1' directly. Delete the driver spec '2026-01-05-001-drv' instead.
        "#]],
    );
}

#[test]
fn approval_required_and_not_given() {
    check(
        &workable("approval:\n  required: true\n"),
        expect![[r#"
            readiness: needs_approval (needs approval before work can begin)
            Work this spec | ▶ Work | chant.work | refused: This spec requires approval before work can begin (`approval.required: true`): approve it first ("Approve spec").
            Work with… | ▶ Work with… | chant.workWith | refused: This spec requires approval before work can begin (`approval.required: true`): approve it first ("Approve spec").
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: This spec requires approval before work can begin (`approval.required: true`): approve it first ("Approve spec").
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: This spec requires approval before work can begin (`approval.required: true`): approve it first ("Approve spec").
            Approve spec | ✓ Approve | chant.approve | available
            Reject spec... | ✗ Reject… | chant.reject | available
            Split spec | ⑃ Split | chant.split | refused: chant split refuses it: "Cannot split blocked spec" (chant counts it as blocked: it waits for dependencies or approval). Only pending specs are split.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | available
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
        "#]],
    );
}

#[test]
fn a_rejected_spec() {
    check(
        &workable("approval:\n  required: true\n  status: rejected\n  by: Bo\n  at: 2026-01-02T00:00:00Z\n"),
        expect![[r#"
            readiness: rejected (rejected by Bo)
            Work this spec | ▶ Work | chant.work | refused: This spec was rejected by Bo: chant work refuses it until it is approved. Address the feedback, then approve it ("Approve spec").
            Work with… | ▶ Work with… | chant.workWith | refused: This spec was rejected by Bo: chant work refuses it until it is approved. Address the feedback, then approve it ("Approve spec").
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: This spec was rejected by Bo: chant work refuses it until it is approved. Address the feedback, then approve it ("Approve spec").
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: This spec was rejected by Bo: chant work refuses it until it is approved. Address the feedback, then approve it ("Approve spec").
            Approve spec | ✓ Approve | chant.approve | available
            Reject spec... | ✗ Reject… | chant.reject | available
            Split spec | ⑃ Split | chant.split | refused: chant split refuses it: "Cannot split blocked spec" (chant counts it as blocked: it waits for dependencies or approval). Only pending specs are split.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | available
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
        "#]],
    );
}

#[test]
fn an_approved_spec() {
    check(
        &workable("approval:\n  required: true\n  status: approved\n  by: Ada\n  at: 2026-01-02T00:00:00Z\n"),
        expect![[r#"
            readiness: ready (ready to work)
            Work this spec | ▶ Work | chant.work | available
            Work with… | ▶ Work with… | chant.workWith | available
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | available
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | available
            Approve spec | ✓ Approve | chant.approve | refused: This spec is already approved by Ada: chant approve would change nothing.
            Reject spec... | ✗ Reject… | chant.reject | available
            Split spec | ⑃ Split | chant.split | refused: chant split needs the prompt .chant/prompts/split.md, and this project has none ("Split prompt not found: split.md"): `chant init prompts` installs chant's prompts.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | available
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
        "#]],
    );
}

#[test]
fn a_completed_spec_with_an_approval() {
    check(
        &workable("status: completed\napproval:\n  required: false\n"),
        expect![[r#"
            readiness: completed (completed)
            Work this spec | ▶ Work | chant.work | refused: This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.
            Work with… | ▶ Work with… | chant.workWith | refused: This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.
            Approve spec | ✓ Approve | chant.approve | available
            Reject spec... | ✗ Reject… | chant.reject | available
            Archive spec | ⌫ Archive | chant.archive | available
            Verify spec | ✔ Verify | chant.verify | refused: chant verify needs the prompt .chant/prompts/verify.md, and this project has none ("Prompt file not found"): `chant init prompts` installs chant's prompts.
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
        "#]],
    );
}

#[test]
fn a_cancelled_spec() {
    check(
        &workable("status: cancelled\n"),
        expect![[r#"
            readiness: cancelled (cancelled)
            Work this spec | ▶ Work | chant.work | refused: This spec is cancelled: chant work refuses cancelled specs. To run it, set `status: pending`, save, and try again.
            Work with… | ▶ Work with… | chant.workWith | refused: This spec is cancelled: chant work refuses cancelled specs. To run it, set `status: pending`, save, and try again.
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: This spec is cancelled: chant work refuses cancelled specs. To run it, set `status: pending`, save, and try again.
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: This spec is cancelled: chant work refuses cancelled specs. To run it, set `status: pending`, save, and try again.
            Archive spec | ⌫ Archive | chant.archive | refused: chant archive refuses a cancelled spec ("Spec '2026-02-01-001-cur' must be completed to archive (current: Cancelled)"): only completed specs are archived.
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
        "#]],
    );
}

#[test]
fn a_spec_in_progress() {
    check(
        &workable("status: in_progress\n"),
        expect![[r#"
            readiness: in_progress (a run is in progress (status: in_progress))
            Work this spec | ▶ Work | chant.work | refused: This spec is already in progress (`status: in_progress`): chant work refuses it. If no run is going on (an earlier run was stopped), set `status: failed` or `pending`, save, and try again; the branch chant/2026-02-01-001-cur from that run may still hold its work.
            Work with… | ▶ Work with… | chant.workWith | refused: This spec is already in progress (`status: in_progress`): chant work refuses it. If no run is going on (an earlier run was stopped), set `status: failed` or `pending`, save, and try again; the branch chant/2026-02-01-001-cur from that run may still hold its work.
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: This spec is already in progress (`status: in_progress`): chant work refuses it. If no run is going on (an earlier run was stopped), set `status: failed` or `pending`, save, and try again; the branch chant/2026-02-01-001-cur from that run may still hold its work.
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: This spec is already in progress (`status: in_progress`): chant work refuses it. If no run is going on (an earlier run was stopped), set `status: failed` or `pending`, save, and try again; the branch chant/2026-02-01-001-cur from that run may still hold its work.
            Reset and work again | ↺ Reset and work | chant.reset work | refused: chant reset cannot move spec '2026-02-01-001-cur' from in_progress to pending ("Failed to transition spec to Pending: Invalid transition from InProgress to Pending"), and it removes the run's worktree first. If no run is going on, set `status: failed`, save, and reset it then.
            Reset spec | (↺ Reset not in the lens) | chant.reset | refused: chant reset cannot move spec '2026-02-01-001-cur' from in_progress to pending ("Failed to transition spec to Pending: Invalid transition from InProgress to Pending"), and it removes the run's worktree first. If no run is going on, set `status: failed`, save, and reset it then.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | refused: Spec '2026-02-01-001-cur' is in progress: chant cancel refuses it (its `--skip-checks` overrides that, from a terminal). Reset it first ("Reset spec").
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | refused: Spec '2026-02-01-001-cur' is in progress: chant delete refuses it (its `--skip-checks` overrides that, from a terminal). Reset it first ("Reset spec").
        "#]],
    );
}

#[test]
fn a_failed_spec_can_be_worked_again() {
    check(
        &workable("status: failed\n"),
        expect![[r#"
            readiness: failed (the last run failed: work it again, or reset it)
            Work this spec | ▶ Work | chant.work | available
            Work with… | ▶ Work with… | chant.workWith | available
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | available
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | available
            Reset and work again | ↺ Reset and work | chant.reset work | available
            Reset spec | (↺ Reset not in the lens) | chant.reset | available
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | refused: Spec '2026-02-01-001-cur' is failed: chant cancel refuses it (its `--skip-checks` overrides that, from a terminal). Reset it first ("Reset spec").
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | refused: Spec '2026-02-01-001-cur' is failed: chant delete refuses it (its `--skip-checks` overrides that, from a terminal). Reset it first ("Reset spec").
        "#]],
    );
}

#[test]
fn status_ready_cannot_be_worked() {
    check(
        &workable("status: ready\n"),
        expect![[r#"
            readiness: refused (`status: ready` cannot start)
            Work this spec | ▶ Work | chant.work | refused: `status: ready` has no transition to in_progress, so chant work fails on it. Set `status: pending`, save, and try again.
            Work with… | ▶ Work with… | chant.workWith | refused: `status: ready` has no transition to in_progress, so chant work fails on it. Set `status: pending`, save, and try again.
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: `status: ready` has no transition to in_progress, so chant work fails on it. Set `status: pending`, save, and try again.
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: `status: ready` has no transition to in_progress, so chant work fails on it. Set `status: pending`, save, and try again.
            Split spec | ⑃ Split | chant.split | refused: chant split needs the prompt .chant/prompts/split.md, and this project has none ("Split prompt not found: split.md"): `chant init prompts` installs chant's prompts.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | refused: chant cannot move a spec from `ready` to cancelled ("Invalid transition from Ready to Cancelled").
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
        "#]],
    );
}

#[test]
fn a_spec_chant_cannot_parse() {
    check(
        r#"
        ---
        status: pending
        status: completed
        ---
        # T

        ## Acceptance Criteria

        - [ ] works
        "#,
        expect![[r#"
            readiness: unreadable (chant cannot read its frontmatter)
            Work this spec | ▶ Work | chant.work | refused: chant cannot read this spec's frontmatter (it stops with "Failed to parse spec frontmatter"): duplicate field `status` (line 3). Fix the errors marked in the editor, save, and try again.
        "#]],
    );
}

#[test]
fn a_spec_without_criteria_or_title() {
    check(
        "---\nstatus: pending\n---\n# T\n\nNo criteria.\n",
        expect![[r#"
            readiness: refused (Refine: confidence D (0 % of lines are bullets, under 10 %); acceptance criteria D: no acceptance criteria (`- [ ]` items) — Work anyway skips the quality check)
            Work this spec | ▶ Work | chant.work | refused: chant grades this spec Refine: confidence D (0 % of lines are bullets, under 10 %); acceptance criteria D: no acceptance criteria (`- [ ]` items): run without a terminal, chant work refuses it ("Cannot proceed in non-interactive mode with quality issues"). Improve the spec, or work it anyway, skipping the quality check (`--skip-criteria`).
            Work anyway (skip the quality check) | ▶ Work anyway | chant.work --skip-criteria | available
            Work with… | ▶ Work with… | chant.workWith | refused: chant grades this spec Refine: confidence D (0 % of lines are bullets, under 10 %); acceptance criteria D: no acceptance criteria (`- [ ]` items): run without a terminal, chant work refuses it ("Cannot proceed in non-interactive mode with quality issues"). Improve the spec, or work it anyway, skipping the quality check (`--skip-criteria`).
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: chant grades this spec Refine: confidence D (0 % of lines are bullets, under 10 %); acceptance criteria D: no acceptance criteria (`- [ ]` items): run without a terminal, chant work refuses it ("Cannot proceed in non-interactive mode with quality issues"). Improve the spec, or work it anyway, skipping the quality check (`--skip-criteria`).
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: chant grades this spec Refine: confidence D (0 % of lines are bullets, under 10 %); acceptance criteria D: no acceptance criteria (`- [ ]` items): run without a terminal, chant work refuses it ("Cannot proceed in non-interactive mode with quality issues"). Improve the spec, or work it anyway, skipping the quality check (`--skip-criteria`).
            Split spec | ⑃ Split | chant.split | refused: chant split needs the prompt .chant/prompts/split.md, and this project has none ("Split prompt not found: split.md"): `chant init prompts` installs chant's prompts.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | available
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
        "#]],
    );
    check(
        "---\nstatus: pending\n---\nNo title.\n\n## Acceptance Criteria\n\n- [ ] a\n",
        expect![[r#"
            readiness: refused (no title)
            Work this spec | ▶ Work | chant.work | refused: This spec has no title (a line starting with `# `): chant work lints it first and stops with "Missing title". Add a title, save, and try again.
            Work with… | ▶ Work with… | chant.workWith | refused: This spec has no title (a line starting with `# `): chant work lints it first and stops with "Missing title". Add a title, save, and try again.
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: This spec has no title (a line starting with `# `): chant work lints it first and stops with "Missing title". Add a title, save, and try again.
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: This spec has no title (a line starting with `# `): chant work lints it first and stops with "Missing title". Add a title, save, and try again.
            Split spec | ⑃ Split | chant.split | refused: chant split needs the prompt .chant/prompts/split.md, and this project has none ("Split prompt not found: split.md"): `chant init prompts` installs chant's prompts.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | available
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
        "#]],
    );
}

#[test]
fn a_driver_needs_no_criteria() {
    check(
        "---\ntype: driver\n---\n# Driver\n",
        expect![[r#"
            readiness: refused (a driver with no members)
            Work this spec | ▶ Work | chant.work | refused: This driver spec has no member specs (`2026-02-01-001-cur.1`, ...): chant work refuses an empty driver ("Cannot execute an empty driver"). Create its members first.
            Work with… | ▶ Work with… | chant.workWith | refused: This driver spec has no member specs (`2026-02-01-001-cur.1`, ...): chant work refuses an empty driver ("Cannot execute an empty driver"). Create its members first.
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: This driver spec has no member specs (`2026-02-01-001-cur.1`, ...): chant work refuses an empty driver ("Cannot execute an empty driver"). Create its members first.
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: This driver spec has no member specs (`2026-02-01-001-cur.1`, ...): chant work refuses an empty driver ("Cannot execute an empty driver"). Create its members first.
            Split spec | ⑃ Split | chant.split | refused: chant split needs the prompt .chant/prompts/split.md, and this project has none ("Split prompt not found: split.md"): `chant init prompts` installs chant's prompts.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | available
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
        "#]],
    );
}

#[test]
fn a_prompt_that_does_not_exist() {
    check(
        &workable("prompt: nope\n"),
        expect![[r#"
            readiness: refused (prompt not found: nope)
            Work this spec | ▶ Work | chant.work | refused: Prompt not found: nope. There is no .chant/prompts/nope.md, and chant would mark the spec in_progress before failing. Create that prompt or choose another one ("Work with prompt ...").
            Work with… | ▶ Work with… | chant.workWith | available
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | available
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | available
            Split spec | ⑃ Split | chant.split | refused: chant split needs the prompt .chant/prompts/split.md, and this project has none ("Split prompt not found: split.md"): `chant init prompts` installs chant's prompts.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | available
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
        "#]],
    );
}

#[test]
fn commands_off_refuses_everything_with_one_reason() {
    let f = Fixture::new(&workable("approval:\n  required: true\n"));
    let view = SpecView {
        commands_enabled: false,
        agent_branch: Some("chant/2026-02-01-001-cur"),
        branch_merged: None,
        ..f.view()
    };
    expect![[r#"
        readiness: needs_approval (needs approval before work can begin)
        Work this spec | ▶ Work | chant.work | refused: Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true.
        Work with… | ▶ Work with… | chant.workWith | refused: Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true.
        Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true.
        Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true.
        Approve spec | ✓ Approve | chant.approve | refused: Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true.
        Reject spec... | ✗ Reject… | chant.reject | refused: Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true.
        Review changes (chant/2026-02-01-001-cur) | ⎇ Review changes | chant.review | refused: Reviewing the agent's changes reads its branch with git, and the language server runs nothing, not even git, while running chant from the editor is off for this workspace. If you trust this workspace, set `chant.commands.enabled` to true; or compare from a terminal: `git diff main...chant/2026-02-01-001-cur`.
        Apply agent changes (chant/2026-02-01-001-cur) | ⇣ Apply agent changes | chant.applyAgentChanges | refused: Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true.
        Merge branch chant/2026-02-01-001-cur | ⤵ Merge | chant.merge | refused: Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true.
        Split spec | ⑃ Split | chant.split | refused: Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true.
        Cancel spec | (✕ Cancel not in the lens) | chant.cancel | refused: Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true.
        Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | refused: Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true.
    "#]].assert_eq(&render(&view));
}

#[test]
fn a_run_going_on() {
    let f = Fixture::new(&workable("status: pending\n"));
    let view = SpecView {
        running: true,
        agent_branch: Some("chant/2026-02-01-001-cur"),
        branch_merged: None,
        ..f.view()
    };
    expect![[r#"
        readiness: ready (ready to work)
        Work this spec | ▶ Work | chant.work | refused: chant is already running for spec 2026-02-01-001-cur: wait for it to finish, or cancel it from its progress notification.
        Work with… | ▶ Work with… | chant.workWith | refused: chant is already running for spec 2026-02-01-001-cur: wait for it to finish, or cancel it from its progress notification.
        Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: chant is already running for spec 2026-02-01-001-cur: wait for it to finish, or cancel it from its progress notification.
        Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: chant is already running for spec 2026-02-01-001-cur: wait for it to finish, or cancel it from its progress notification.
        Review changes (chant/2026-02-01-001-cur) | ⎇ Review changes | chant.review | available
        Apply agent changes (chant/2026-02-01-001-cur) | ⇣ Apply agent changes | chant.applyAgentChanges | refused: chant is already running for spec 2026-02-01-001-cur: wait for it to finish, or cancel it from its progress notification.
        Merge branch chant/2026-02-01-001-cur | ⤵ Merge | chant.merge | refused: chant is already running for spec 2026-02-01-001-cur: wait for it to finish, or cancel it from its progress notification.
        Split spec | ⑃ Split | chant.split | refused: chant is already running for spec 2026-02-01-001-cur: wait for it to finish, or cancel it from its progress notification.
        Cancel spec | (✕ Cancel not in the lens) | chant.cancel | refused: chant is already running for spec 2026-02-01-001-cur: wait for it to finish, or cancel it from its progress notification.
        Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | refused: chant is already running for spec 2026-02-01-001-cur: wait for it to finish, or cancel it from its progress notification.
    "#]].assert_eq(&render(&view));
}

#[test]
fn an_id_that_cannot_go_on_a_command_line() {
    check(
        &format!(
            "//- /.chant/specs/2026-02-01-001 $(x).md\n{}",
            workable("status: pending\n").replace("# T", "# T$0")
        ),
        expect![[r#"
            readiness: ready (ready to work)
            Work this spec | ▶ Work | chant.work | refused: The spec ID "2026-02-01-001 $(x)" cannot be passed to chant safely: IDs may hold only letters, digits, `-`, `_` and `.`, must not start with `-` or `.`, and must not contain `..`. Rename the spec file.
            Work with… | ▶ Work with… | chant.workWith | refused: The spec ID "2026-02-01-001 $(x)" cannot be passed to chant safely: IDs may hold only letters, digits, `-`, `_` and `.`, must not start with `-` or `.`, and must not contain `..`. Rename the spec file.
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: The spec ID "2026-02-01-001 $(x)" cannot be passed to chant safely: IDs may hold only letters, digits, `-`, `_` and `.`, must not start with `-` or `.`, and must not contain `..`. Rename the spec file.
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: The spec ID "2026-02-01-001 $(x)" cannot be passed to chant safely: IDs may hold only letters, digits, `-`, `_` and `.`, must not start with `-` or `.`, and must not contain `..`. Rename the spec file.
            Split spec | ⑃ Split | chant.split | refused: The spec ID "2026-02-01-001 $(x)" cannot be passed to chant safely: IDs may hold only letters, digits, `-`, `_` and `.`, must not start with `-` or `.`, and must not contain `..`. Rename the spec file.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | refused: The spec ID "2026-02-01-001 $(x)" cannot be passed to chant safely: IDs may hold only letters, digits, `-`, `_` and `.`, must not start with `-` or `.`, and must not contain `..`. Rename the spec file.
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | refused: The spec ID "2026-02-01-001 $(x)" cannot be passed to chant safely: IDs may hold only letters, digits, `-`, `_` and `.`, must not start with `-` or `.`, and must not contain `..`. Rename the spec file.
        "#]],
    );
}

#[test]
fn an_agent_branch_offers_its_changes() {
    let f = Fixture::new(&workable("status: completed\n"));
    let view = SpecView {
        agent_branch: Some("chant/2026-02-01-001-cur"),
        branch_merged: None,
        ..f.view()
    };
    expect![[r#"
        readiness: completed (completed)
        Work this spec | ▶ Work | chant.work | refused: This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.
        Work with… | ▶ Work with… | chant.workWith | refused: This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.
        Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.
        Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.
        Approve spec | (✓ Approve not in the lens) | chant.approve | available
        Reject spec... | (✗ Reject… not in the lens) | chant.reject | available
        Review changes (chant/2026-02-01-001-cur) | ⎇ Review changes | chant.review | available
        Apply agent changes (chant/2026-02-01-001-cur) | ⇣ Apply agent changes | chant.applyAgentChanges | available
        Merge branch chant/2026-02-01-001-cur | ⤵ Merge | chant.merge | available
        Archive spec | ⌫ Archive | chant.archive | available
        Verify spec | ✔ Verify | chant.verify | refused: chant verify needs the prompt .chant/prompts/verify.md, and this project has none ("Prompt file not found"): `chant init prompts` installs chant's prompts.
        Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
    "#]].assert_eq(&render(&view));
}

#[test]
fn work_prompts_leave_out_chant_internal_ones_unless_used() {
    let project = trim_indent(
        r#"
        //- /.chant/prompts/merge-conflict.md
        x
        //- /.chant/prompts/split.md
        x
        //- /.chant/prompts/verify.md
        x
        //- /.chant/prompts/ollama.md
        x
        //- /.chant/prompts/extensions/extra.md
        x
        //- /.chant/prompts/has space.md
        x
        //- /.chant/prompts/documentation.md
        x
        "#,
    );
    let f = Fixture::new(&project);
    expect![[r#"
        documentation, research, standard
    "#]]
    .assert_eq(&(work_prompts(&f.index).join(", ") + "\n"));
    // Used by a spec, or as the config default: offered.
    let used = format!(
        "{project}//- /.chant/specs/2026-01-07-001-spl.md\n---\nprompt: split\n---\n# Split\n//- /.chant/config.md\n---\ndefaults:\n  prompt: ollama\n---\n"
    );
    let f = Fixture::new(&used);
    expect![[r#"
        documentation, ollama, research, split, standard
    "#]]
    .assert_eq(&(work_prompts(&f.index).join(", ") + "\n"));
}

/// A project whose config names a prompt that has no file, with
/// `documentation.md` there, and the current spec of type `kind`.
fn default_prompt_missing(kind: &str) -> String {
    format!(
        "//- /.chant/config.md\n---\ndefaults:\n  prompt: nope\n---\n//- /.chant/prompts/documentation.md\nx\n//- /{}\n---\ntype: {kind}\ntracks: [src/main.rs]\n---\n# T$0\n\n## Acceptance Criteria\n\n- [ ] done\n",
        crate::fixture::CURRENT
    )
}

#[test]
fn a_documentation_spec_uses_the_documentation_prompt() {
    // chant picks `documentation` for documentation specs when it exists,
    // so the missing default does not matter...
    check(
        &default_prompt_missing("documentation"),
        expect![[r#"
            readiness: ready (ready to work)
            Work this spec | ▶ Work | chant.work | available
            Work with… | ▶ Work with… | chant.workWith | available
            Work with prompt documentation | (▶ Work (documentation) not in the lens) | chant.work documentation | available
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | available
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | available
            Split spec | ⑃ Split | chant.split | refused: chant split needs the prompt .chant/prompts/split.md, and this project has none ("Split prompt not found: split.md"): `chant init prompts` installs chant's prompts.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | available
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
        "#]],
    );
    // ...but it does for any other type.
    check(
        &default_prompt_missing("task"),
        expect![[r#"
            readiness: refused (prompt not found: nope)
            Work this spec | ▶ Work | chant.work | refused: Prompt not found: nope. There is no .chant/prompts/nope.md, and chant would mark the spec in_progress before failing. Create that prompt or choose another one ("Work with prompt ...").
            Work with… | ▶ Work with… | chant.workWith | available
            Work with prompt documentation | (▶ Work (documentation) not in the lens) | chant.work documentation | available
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | available
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | available
            Split spec | ⑃ Split | chant.split | refused: chant split needs the prompt .chant/prompts/split.md, and this project has none ("Split prompt not found: split.md"): `chant init prompts` installs chant's prompts.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | available
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
        "#]],
    );
}

#[test]
fn dependents_and_members_come_from_the_whole_project() {
    use chant_lsp::ide::commands::{dependents, members};
    use chant_lsp::spec::frontmatter::SpecStatus;
    let f = Fixture::new(
        r#"
        //- /.chant/specs/2026-03-01-001-drv.md
        ---
        status: pending
        ---
        # Driver$0
        //- /.chant/specs/2026-03-01-001-drv.2.md
        ---
        status: completed
        depends_on: [2026-03-01-001-drv.1, 2026-03-01-001-drv.1]
        ---
        # Second
        //- /.chant/specs/2026-03-01-001-drv.1.md
        ---
        status: [not, a, status]
        ---
        # First, unparsable
        //- /.chant/specs/2026-03-01-001-drv.1.3.md
        ---
        status: pending
        depends_on: [2026-03-01-001-drv]
        ---
        # A member of a member
        //- /.chant/specs/2026-03-01-001-drv.x.md
        ---
        status: pending
        ---
        # Not a member: no digit after the dot
        //- /.chant/specs/nested/2026-03-01-001-drv.4.md
        ---
        status: pending
        depends_on: [2026-03-01-001-drv, 2026-03-01-001-drv.1]
        ---
        # Nested: a dependent, not a member
        "#,
    );
    let id = "2026-03-01-001-drv";
    assert_eq!(
        members(&f.index, id),
        vec![
            (format!("{id}.1"), Some(SpecStatus::Pending)),
            (format!("{id}.1.3"), Some(SpecStatus::Pending)),
            (format!("{id}.2"), Some(SpecStatus::Completed)),
        ]
    );
    assert_eq!(
        members(&f.index, &format!("{id}.1")),
        vec![(format!("{id}.1.3"), Some(SpecStatus::Pending))]
    );
    assert_eq!(members(&f.index, &format!("{id}.2")), vec![]);
    assert_eq!(
        dependents(&f.index, id),
        vec![format!("{id}.1.3"), format!("{id}.4")]
    );
    assert_eq!(
        dependents(&f.index, &format!("{id}.1")),
        vec![format!("{id}.2"), format!("{id}.4")]
    );
    assert_eq!(
        dependents(&f.index, &format!("{id}.2")),
        Vec::<String>::new()
    );
}

#[test]
fn a_spec_in_a_subfolder_runs_nothing_that_would_change_it() {
    // chant would write it back to `.chant/specs/<id>.md`, a second copy.
    check(
        r#"
        //- /.chant/specs/sub/2026-02-01-001-cur.md
        ---
        approval:
          required: true
        ---
        # T$0

        ## Acceptance Criteria

        - [ ] works
        "#,
        expect![[r#"
            readiness: needs_approval (needs approval before work can begin)
            Work this spec | ▶ Work | chant.work | refused: This spec is in a subfolder of `.chant/specs`: chant finds it there, but writes its changes to `.chant/specs/2026-02-01-001-cur.md`, a second copy, and leaves this file as it is. Move the spec to `.chant/specs/` to run chant on it.
            Work with… | ▶ Work with… | chant.workWith | refused: This spec is in a subfolder of `.chant/specs`: chant finds it there, but writes its changes to `.chant/specs/2026-02-01-001-cur.md`, a second copy, and leaves this file as it is. Move the spec to `.chant/specs/` to run chant on it.
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: This spec is in a subfolder of `.chant/specs`: chant finds it there, but writes its changes to `.chant/specs/2026-02-01-001-cur.md`, a second copy, and leaves this file as it is. Move the spec to `.chant/specs/` to run chant on it.
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: This spec is in a subfolder of `.chant/specs`: chant finds it there, but writes its changes to `.chant/specs/2026-02-01-001-cur.md`, a second copy, and leaves this file as it is. Move the spec to `.chant/specs/` to run chant on it.
            Approve spec | ✓ Approve | chant.approve | refused: This spec is in a subfolder of `.chant/specs`: chant finds it there, but writes its changes to `.chant/specs/2026-02-01-001-cur.md`, a second copy, and leaves this file as it is. Move the spec to `.chant/specs/` to run chant on it.
            Reject spec... | ✗ Reject… | chant.reject | refused: This spec is in a subfolder of `.chant/specs`: chant finds it there, but writes its changes to `.chant/specs/2026-02-01-001-cur.md`, a second copy, and leaves this file as it is. Move the spec to `.chant/specs/` to run chant on it.
            Split spec | ⑃ Split | chant.split | refused: This spec is in a subfolder of `.chant/specs`: chant finds it there, but writes its changes to `.chant/specs/2026-02-01-001-cur.md`, a second copy, and leaves this file as it is. Move the spec to `.chant/specs/` to run chant on it.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | refused: This spec is in a subfolder of `.chant/specs`: chant finds it there, but writes its changes to `.chant/specs/2026-02-01-001-cur.md`, a second copy, and leaves this file as it is. Move the spec to `.chant/specs/` to run chant on it.
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | refused: This spec is in a subfolder of `.chant/specs`: chant finds it there, but writes its changes to `.chant/specs/2026-02-01-001-cur.md`, a second copy, and leaves this file as it is. Move the spec to `.chant/specs/` to run chant on it.
        "#]],
    );
}

/// Prose with two criteria: complexity B, acceptance criteria B, and
/// confidence D alone (2 bullet lines of 22, under 10 %). The real chant
/// refuses `chant work` on exactly this spec without a terminal ("Cannot
/// proceed in non-interactive mode with quality issues"; `chant lint
/// --verbose`: "Refine | Complexity: B | Confidence: D | ... | AC Quality:
/// B"), so the gate must refuse it on confidence alone.
#[test]
fn prose_alone_is_refused_by_the_quality_gate() {
    let prose = "This paragraph explains why the parser is slow and what a user sees.\n".repeat(20);
    check(
        &format!(
            "---\nstatus: pending\nprompt: standard\n---\n# Make the parser faster$0\n\n{prose}\n## Acceptance Criteria\n\n- [ ] Add a benchmark\n- [ ] Fix the slow path\n"
        ),
        expect![[r#"
            readiness: refused (Refine: confidence D (9 % of lines are bullets, under 10 %) — Work anyway skips the quality check)
            Work this spec | ▶ Work | chant.work | refused: chant grades this spec Refine: confidence D (9 % of lines are bullets, under 10 %): run without a terminal, chant work refuses it ("Cannot proceed in non-interactive mode with quality issues"). Improve the spec, or work it anyway, skipping the quality check (`--skip-criteria`).
            Work anyway (skip the quality check) | ▶ Work anyway | chant.work --skip-criteria | available
            Work with… | ▶ Work with… | chant.workWith | refused: chant grades this spec Refine: confidence D (9 % of lines are bullets, under 10 %): run without a terminal, chant work refuses it ("Cannot proceed in non-interactive mode with quality issues"). Improve the spec, or work it anyway, skipping the quality check (`--skip-criteria`).
            Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: chant grades this spec Refine: confidence D (9 % of lines are bullets, under 10 %): run without a terminal, chant work refuses it ("Cannot proceed in non-interactive mode with quality issues"). Improve the spec, or work it anyway, skipping the quality check (`--skip-criteria`).
            Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: chant grades this spec Refine: confidence D (9 % of lines are bullets, under 10 %): run without a terminal, chant work refuses it ("Cannot proceed in non-interactive mode with quality issues"). Improve the spec, or work it anyway, skipping the quality check (`--skip-criteria`).
            Split spec | ⑃ Split | chant.split | refused: chant split needs the prompt .chant/prompts/split.md, and this project has none ("Split prompt not found: split.md"): `chant init prompts` installs chant's prompts.
            Cancel spec | (✕ Cancel not in the lens) | chant.cancel | available
            Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
        "#]],
    );
}

/// A completed spec whose agent branch (named in `branch:`) exists and is
/// not merged: chant archive refuses it ("feature branch ... has not been
/// merged to main"); once merged, it archives.
#[test]
fn archive_waits_for_the_agent_branch_to_be_merged() {
    let f = Fixture::new(&workable(
        "status: completed\nbranch: chant/2026-02-01-001-cur\n",
    ));
    let unmerged = SpecView {
        agent_branch: Some("chant/2026-02-01-001-cur"),
        branch_merged: Some(false),
        ..f.view()
    };
    expect![[r#"
        readiness: completed (completed)
        Work this spec | ▶ Work | chant.work | refused: This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.
        Work with… | ▶ Work with… | chant.workWith | refused: This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.
        Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.
        Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.
        Approve spec | (✓ Approve not in the lens) | chant.approve | available
        Reject spec... | (✗ Reject… not in the lens) | chant.reject | available
        Review changes (chant/2026-02-01-001-cur) | ⎇ Review changes | chant.review | available
        Apply agent changes (chant/2026-02-01-001-cur) | ⇣ Apply agent changes | chant.applyAgentChanges | available
        Merge branch chant/2026-02-01-001-cur | ⤵ Merge | chant.merge | available
        Archive spec | ⌫ Archive | chant.archive | refused: Cannot archive spec '2026-02-01-001-cur': feature branch 'chant/2026-02-01-001-cur' has not been merged to main. Merge it first ("Merge branch chant/2026-02-01-001-cur"), or archive it anyway from a terminal with `chant archive 2026-02-01-001-cur --force`.
        Verify spec | ✔ Verify | chant.verify | refused: chant verify needs the prompt .chant/prompts/verify.md, and this project has none ("Prompt file not found"): `chant init prompts` installs chant's prompts.
        Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
    "#]].assert_eq(&render(&unmerged));
    let merged = SpecView {
        branch_merged: Some(true),
        ..unmerged
    };
    expect![[r#"
        readiness: completed (completed)
        Work this spec | ▶ Work | chant.work | refused: This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.
        Work with… | ▶ Work with… | chant.workWith | refused: This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.
        Work with prompt research | (▶ Work (research) not in the lens) | chant.work research | refused: This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.
        Work with prompt standard | (▶ Work (standard) not in the lens) | chant.work standard | refused: This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.
        Approve spec | (✓ Approve not in the lens) | chant.approve | available
        Reject spec... | (✗ Reject… not in the lens) | chant.reject | available
        Apply agent changes (chant/2026-02-01-001-cur) | ⇣ Apply agent changes | chant.applyAgentChanges | available
        Archive spec | ⌫ Archive | chant.archive | available
        Verify spec | ✔ Verify | chant.verify | refused: chant verify needs the prompt .chant/prompts/verify.md, and this project has none ("Prompt file not found"): `chant init prompts` installs chant's prompts.
        Delete spec... | (✕ Delete… not in the lens) | chant.cancel delete | available
    "#]].assert_eq(&render(&merged));
}

/// chant reads the prompt from disk: one open with unsaved changes (a
/// prompt just created by a quick fix, not saved yet) would reach the
/// agent as it was saved, so Work waits for it to be saved.
#[test]
fn a_prompt_with_unsaved_changes_stops_work_until_it_is_saved() {
    let f = Fixture::new(&workable("prompt: research\n"));
    let unsaved = [f.abs(".chant/prompts/research.md")];
    let view = SpecView {
        unsaved_files: &unsaved,
        ..f.view()
    };
    let work = SpecCommand::Work {
        prompt: None,
        skip_quality: false,
    };
    assert_eq!(
        chant_lsp::ide::commands::refusal(&view, &work),
        Some(format!(
            "The prompt research ({}) has unsaved changes: chant reads it from disk and would give the agent what is saved. Save it, then run the command again.",
            f.abs(".chant/prompts/research.md").display()
        ))
    );
    // Another prompt, or the spec's own prompt saved: nothing stops it.
    let standard = SpecCommand::Work {
        prompt: Some("standard".into()),
        skip_quality: false,
    };
    assert_eq!(chant_lsp::ide::commands::refusal(&view, &standard), None);
    assert_eq!(chant_lsp::ide::commands::refusal(&f.view(), &work), None);
}
