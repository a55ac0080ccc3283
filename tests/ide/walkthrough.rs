//! Where a spec stands, where the editor shows it: the hover on `status`
//! (`ide::hover::hover_spec`: readiness, and the end of the agent's log
//! while chant runs), the inlay hint after `status: <value>`
//! (`ide::outline::status_hint`) and the link to the agent's log
//! (`ide::navigation::agent_log_link`).

use chant_lsp::ide::hover::{hover_spec, HoverSpec};
use chant_lsp::ide::navigation::agent_log_link;
use chant_lsp::ide::outline::status_hint;
use chant_lsp::ide::DiskOnly;

use crate::expect::Expect;
use crate::fixture::{span, visible, Fixture};

fn hover(fixture: &str, running: bool, expect: Expect) {
    let f = Fixture::new(fixture);
    let found = hover_spec(
        &f.index,
        &f.model,
        f.offset(),
        &DiskOnly,
        HoverSpec {
            id: &f.id,
            text: &f.text,
            running,
        },
    );
    let out = match found {
        None => String::new(),
        Some(h) => format!("{}\n{}", span(&f.text, &h.range), visible(&h.markdown)),
    };
    expect.assert_eq(&out);
}

fn hint(fixture: &str, running: bool) -> Option<(String, String)> {
    let f = Fixture::new(fixture);
    status_hint(&f.index, &f.text, &f.model, &f.id, running)
        .map(|(at, label)| (f.text[..at].lines().last().unwrap_or("").to_string(), label))
}

#[test]
fn the_hover_on_status_says_what_a_spec_waits_for() {
    hover(
        r#"
        ---
        status: pend$0ing
        depends_on: [2026-01-02-001-def]
        ---
        # T
        "#,
        false,
        expect![[r#"
            1:8-1:15
            `status: pending`␠␠
            The default. Ready to work once dependencies are completed (and approval given, if required).

            ---

            **For chant:** blocked: waiting for 2026-01-02-001-def (pending).
        "#]],
    );
    hover(
        r#"
        ---
        stat$0us: pending
        approval:
          required: true
        ---
        # T
        "#,
        false,
        expect![[r#"
            1:0-1:6
            `status`␠␠
            Where the spec is in its life. Default `pending`; chant updates it as work runs.

            - `pending`: The default. Ready to work once dependencies are completed (and approval given, if required).
            - `in_progress`: An agent is working on it. Set by `chant work`; `chant work` refuses to start it again.
            - `paused`: Work was paused; it can go back to in_progress or be cancelled.
            - `completed`: Done. Set by chant after a successful run; `chant work` refuses it.
            - `failed`: The last run failed; it can go back to pending or in_progress.
            - `needs_attention`: The run needs a human; it can go back to pending or in_progress.
            - `ready`: Accepted by the parser, but no transition leads to or from it: `chant work` fails on a spec whose file says `ready`. Use `pending`.
            - `blocked`: Waiting on dependencies or approval. chant computes it on every load.
            - `cancelled`: Dropped. Counts as done for dependents; `chant work` refuses it.

            ---

            **For chant:** needs approval: needs approval before work can begin.
        "#]],
    );
    hover(
        r#"
        ---
        status: pend$0ing
        depends_on: [2026-01-01-001-abc]
        ---
        # T
        "#,
        false,
        expect![[r#"
            1:8-1:15
            `status: pending`␠␠
            The default. Ready to work once dependencies are completed (and approval given, if required).

            ---

            **For chant:** refused: Refine: confidence D (0 % of lines are bullets, under 10 %); acceptance criteria D: no acceptance criteria (`- [ ]` items) — Work anyway skips the quality check.
        "#]],
    );
}

#[test]
fn while_chant_runs_the_hover_shows_the_end_of_the_agents_log() {
    let log: String = (1..=30).map(|i| format!("agent line {i}\n")).collect();
    hover(
        &format!(
            "//- /.chant/specs/2026-02-01-001-cur.md\n---\nstatus: in_pro$0gress\n---\n# T\n//- /.chant/logs/2026-02-01-001-cur.log\n{log}"
        ),
        true,
        expect![[r#"
            1:8-1:19
            `status: in_progress`␠␠
            An agent is working on it. Set by `chant work`; `chant work` refuses to start it again.

            ---

            **For chant:** in progress: a run is in progress (status: in_progress).

            chant is running for this spec. The last lines of the agent's log (`.chant/logs/2026-02-01-001-cur.log`):

            ```text
            agent line 23
            agent line 24
            agent line 25
            agent line 26
            agent line 27
            agent line 28
            agent line 29
            agent line 30
            ```
        "#]],
    );
    hover(
        "---\nstatus: in_pro$0gress\n---\n# T\n",
        true,
        expect![[r#"
            1:8-1:19
            `status: in_progress`␠␠
            An agent is working on it. Set by `chant work`; `chant work` refuses to start it again.

            ---

            **For chant:** in progress: a run is in progress (status: in_progress).

            chant is running for this spec. The agent's log (`.chant/logs/2026-02-01-001-cur.log`) is not there yet.
        "#]],
    );
}

#[test]
fn the_inlay_hint_after_status_says_it_briefly() {
    let blocked = "---\nstatus: pending\ndepends_on: [2026-01-02-001-def]\n---\n# T\n";
    assert_eq!(
        hint(blocked, false),
        Some((
            "status: pending".into(),
            "blocked: waiting for 2026-01-02-001-def (pending)".into()
        ))
    );
    // Graded Ready, its prompt (the base project's default) there: nothing
    // stops chant work.
    let ready = |status: &str| {
        format!("---\nstatus: {status}\n---\n# T\n\n## Acceptance Criteria\n\n- [ ] Add a\n- [ ] Add b\n- [ ] Add c\n- [ ] Add d\n")
    };
    assert_eq!(
        hint(&ready("pending"), false),
        Some(("status: pending".into(), "ready".into()))
    );
    // Never "ready" when chant work would refuse: the quality gate, a
    // missing prompt.
    assert_eq!(
        hint("---\nstatus: pending\n---\n# T\n", false),
        Some((
            "status: pending".into(),
            "refused: 🔴 Refine (Work anyway skips the quality check)".into()
        ))
    );
    assert_eq!(
        hint(&ready("pending\nprompt: nope"), false),
        Some((
            "status: pending".into(),
            "refused: prompt not found: nope".into()
        ))
    );
    assert_eq!(
        hint(
            "---\nstatus: pending\napproval:\n  required: true\n---\n# T\n",
            false
        ),
        Some(("status: pending".into(), "needs approval".into()))
    );
    assert_eq!(
        hint("---\nstatus: in_progress\n---\n# T\n", true),
        Some(("status: in_progress".into(), "chant is running".into()))
    );
    assert_eq!(
        hint(&ready("failed"), false),
        Some((
            "status: failed".into(),
            "failed: reset or work again".into()
        ))
    );
    assert_eq!(hint("---\nstatus: completed\n---\n# T\n", false), None);
    assert_eq!(hint("---\ntype: code\n---\n# T\n", false), None);
}

#[test]
fn the_spec_links_to_its_agents_log() {
    let with_log = |spec: &str| {
        format!("//- /.chant/specs/2026-02-01-001-cur.md\n{spec}//- /.chant/logs/2026-02-01-001-cur.log\nlog\n")
    };
    let link = |fixture: &str| {
        let f = Fixture::new(fixture);
        agent_log_link(&f.index, &f.model, &f.id)
            .map(|(range, path)| (f.text[range].to_string(), f.rel(&path)))
    };
    assert_eq!(
        link(&with_log(
            "---\nstatus: completed\n---\n# T\n\n## Agent Output\n\nx\n"
        )),
        Some((
            "## Agent Output".into(),
            ".chant/logs/2026-02-01-001-cur.log".into()
        ))
    );
    assert_eq!(
        link(&with_log("---\nstatus: failed\n---\n# T\n")),
        Some(("failed".into(), ".chant/logs/2026-02-01-001-cur.log".into()))
    );
    assert_eq!(link("---\nstatus: completed\n---\n# T\n"), None);
}

#[test]
fn the_hover_on_status_says_where_chant_list_disagrees_with_chant_work() {
    // A member whose driver waits: both `chant work` (when it moves the
    // member to in_progress) and `chant list` count it as blocked.
    hover(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.1.md
        ---
        status: pend$0ing
        ---
        # A member
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        type: driver
        depends_on: [2026-01-02-001-def]
        ---
        # The driver
        "#,
        false,
        expect![[r#"
            1:8-1:15
            `status: pending`␠␠
            The default. Ready to work once dependencies are completed (and approval given, if required).

            ---

            **For chant:** blocked: waiting for 2026-01-02-001-def (pending, a dependency of its driver 2026-02-01-001-cur).
        "#]],
    );
    // A cancelled dependency: `chant work` waits, `chant list` does not.
    hover(
        r#"
        //- /.chant/specs/2026-01-09-001-can.md
        ---
        status: cancelled
        ---
        # Dropped
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        status: pend$0ing
        depends_on: [2026-01-09-001-can]
        ---
        # T
        "#,
        false,
        expect![[r#"
            1:8-1:15
            `status: pending`␠␠
            The default. Ready to work once dependencies are completed (and approval given, if required).

            ---

            **For chant:** blocked: waiting for 2026-01-09-001-can (cancelled).

            `chant list` shows it as pending: unlike `chant work`, it counts a cancelled dependency as met.
        "#]],
    );
    // Needs approval: both block it, and the hover says so once.
    hover(
        r#"
        ---
        status: pend$0ing
        approval:
          required: true
        ---
        # T
        "#,
        false,
        expect![[r#"
            1:8-1:15
            `status: pending`␠␠
            The default. Ready to work once dependencies are completed (and approval given, if required).

            ---

            **For chant:** needs approval: needs approval before work can begin.
        "#]],
    );
}

#[test]
fn the_hover_on_status_says_chant_list_does_not_wait_for_earlier_members() {
    hover(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.2.md
        ---
        status: pend$0ing
        ---
        # The second member
        //- /.chant/specs/2026-02-01-001-cur.1.md
        ---
        status: pending
        ---
        # The first member
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        type: driver
        ---
        # The driver
        "#,
        false,
        expect![[r#"
            1:8-1:15
            `status: pending`␠␠
            The default. Ready to work once dependencies are completed (and approval given, if required).

            ---

            **For chant:** blocked: waiting for 2026-02-01-001-cur.1 (pending, an earlier member).

            `chant list` shows it as pending: unlike `chant work`, it does not wait for earlier members.
        "#]],
    );
}
