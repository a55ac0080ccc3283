//! Hover (`ide::hover::hover`): field and value documentation, and previews
//! of what a reference leads to (specs, prompts; paths in `preview.rs`).
//!
//! Rendered as the hovered range and its text, then the Markdown (hard
//! line breaks shown as `␠`).

use chant_lsp::ide::hover::hover;
use chant_lsp::ide::{DiskOnly, Sources};

use crate::expect::Expect;
use crate::fixture::{span, visible, Buffers, Fixture};

pub fn render_hover(f: &Fixture, sources: &dyn Sources) -> String {
    match hover(&f.index, &f.model, f.offset(), sources) {
        None => String::new(),
        Some(h) => format!(
            "{} {:?}\n{}",
            span(&f.text, &h.range),
            &f.text[h.range.clone()],
            visible(&h.markdown)
        ),
    }
}

fn check(fixture: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    expect.assert_eq(&render_hover(&f, &DiskOnly));
}

#[test]
fn a_field_name_with_its_values() {
    check(
        r#"
        ---
        sta$0tus: pending
        ---
        # T
        "#,
        expect![[r#"
            1:0-1:6 "status"
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
        "#]],
    );
}

#[test]
fn a_field_chant_writes_itself() {
    check(
        r#"
        ---
        completed_at$0: "2026-01-01T00:00:00Z"
        ---
        # T
        "#,
        expect![[r#"
            1:0-1:12 "completed_at"
            `completed_at`␠␠
            When the spec completed (`YYYY-MM-DDTHH:MM:SSZ`). Written by chant.

            chant writes this field itself.
        "#]],
    );
}

#[test]
fn an_enum_value() {
    check(
        r#"
        ---
        type: driv$0er
        ---
        # T
        "#,
        expect![[r#"
            1:6-1:12 "driver"
            `type: driver`␠␠
            Coordinates member specs (`<id>.1`, `<id>.2`, ...) listed in `members`.
        "#]],
    );
}

#[test]
fn a_quoted_enum_value_is_hovered_inside_its_quotes() {
    check(
        r#"
        ---
        status: "can$0celled"
        ---
        # T
        "#,
        expect![[r#"
            1:9-1:18 "cancelled"
            `status: cancelled`␠␠
            Dropped. Counts as done for dependents; `chant work` refuses it.
        "#]],
    );
}

#[test]
fn no_hover_on_a_value_chant_does_not_know() {
    check(
        r#"
        ---
        status: fini$0shed
        ---
        # T
        "#,
        expect![[""]],
    );
}

#[test]
fn approval_keys_and_values() {
    check(
        r#"
        ---
        approval:
          requ$0ired: true
          status: approved
        ---
        # T
        "#,
        expect![[r#"
            2:2-2:10 "required"
            `approval.required`␠␠
            When true, `chant work` refuses the spec until it is approved (default false).
        "#]],
    );
    check(
        r#"
        ---
        approval:
          required: true
          status: rej$0ected
        ---
        # T
        "#,
        expect![[r#"
            3:10-3:18 "rejected"
            `approval.status: rejected`␠␠
            Rejected (`chant reject`); needs `by` and `at`. The spec stays blocked.
        "#]],
    );
    check(
        r#"
        ---
        approval$0:
          required: true
        ---
        # T
        "#,
        expect![[r#"
            1:0-1:8 "approval"
            `approval`␠␠
            Approval workflow: `required`, `status`, `by`, `at`.
        "#]],
    );
}

#[test]
fn nothing_on_unknown_keys_free_values_or_prose() {
    check("---\ncustom$0: 1\n---\n# T\n", expect![[""]]);
    check("---\nmodel: son$0net\n---\n# T\n", expect![[""]]);
    check("---\n---\n# T\n\nJust so$0me text.\n", expect![[""]]);
}

#[test]
fn a_dependency_shows_the_spec_and_its_first_paragraph() {
    check(
        r#"
        ---
        depends_on:
          - 2026-01-02-001-def$0
        ---
        # T
        "#,
        expect![[r#"
            2:4-2:22 "2026-01-02-001-def"
            **Add the login page**␠␠
            `2026-01-02-001-def` · `code` · `pending` · criteria 0/2

            A form with a password field.
        "#]],
    );
}

#[test]
fn a_completed_spec_with_approval_and_a_long_paragraph() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        depends_on: [2026-01-03$0-001-ghi]
        ---
        # T
        //- /.chant/specs/2026-01-03-001-ghi.md
        ---
        type: task
        status: completed
        approval:
          required: true
          status: approved
          by: Ada
          at: 2026-01-03T10:00:00Z
        ---
        # Deploy

        ## Context

        First line of the paragraph
        continues here.

        Second paragraph.

        ## Acceptance Criteria

        - [x] deployed
        - [ ] announced
        "#,
        expect![[r#"
            1:13-1:31 "2026-01-03-001-ghi"
            **Deploy**␠␠
            `2026-01-03-001-ghi` · `task` · `completed` · approval approved by Ada (required) · criteria 1/2

            First line of the paragraph continues here.
        "#]],
    );
}

#[test]
fn a_spec_chant_cannot_parse_says_so() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        depends_on: [2026-01-03-001-bad$0]
        ---
        # T
        //- /.chant/specs/2026-01-03-001-bad.md
        ---
        status: finished
        ---
        "#,
        expect![[r#"
            1:13-1:31 "2026-01-03-001-bad"
            **(no title)**␠␠
            `2026-01-03-001-bad` · `code` · `pending` · criteria 0/0 · **chant cannot parse this spec**
        "#]],
    );
}

#[test]
fn an_archived_or_missing_spec() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        depends_on: [2026-01-04-001-old$0, 2026-01-09-001-zzz]
        ---
        # T
        //- /.chant/archive/2026-01-04/2026-01-04-001-old.md
        # Old
        "#,
        expect![[r#"
            1:13-1:31 "2026-01-04-001-old"
            `2026-01-04-001-old` is archived (`.chant/archive/2026-01-04/2026-01-04-001-old.md`): chant does not resolve archived specs.
        "#]],
    );
    check(
        r#"
        ---
        depends_on: [2026-01-04-001-old, 2026-01-09$0-001-zzz]
        ---
        # T
        "#,
        expect![[r#"
            1:33-1:51 "2026-01-09-001-zzz"
            No spec `2026-01-09-001-zzz` in this project.
        "#]],
    );
}

#[test]
fn a_spec_mentioned_in_the_body() {
    check(
        r#"
        ---
        ---
        # T

        Builds on 2026-01-01-0$001-abc.
        "#,
        expect![[r#"
            4:10-4:28 "2026-01-01-001-abc"
            **Set up the database**␠␠
            `2026-01-01-001-abc` · `code` · `completed` · criteria 1/1

            The schema and the first migration.
        "#]],
    );
}

#[test]
fn an_open_buffer_wins_over_the_disk() {
    let f = Fixture::new("---\ndepends_on: [2026-01-02-001-def$0]\n---\n# T\n");
    let open = Buffers(vec![(
        f.abs(".chant/specs/2026-01-02-001-def.md"),
        "# Add the login page\n\nUnsaved words.\n".into(),
    )]);
    expect![[r#"
        1:13-1:31 "2026-01-02-001-def"
        **Add the login page**␠␠
        `2026-01-02-001-def` · `code` · `pending` · criteria 0/2

        Unsaved words.
    "#]]
    .assert_eq(&render_hover(&f, &open));
}

#[test]
fn a_prompt_with_its_purpose_and_opening_lines() {
    check(
        r#"
        ---
        prompt: resea$0rch
        ---
        # T
        "#,
        expect![[r#"
            1:8-1:16 "research"
            **Prompt `research`**␠␠
            Investigate and write findings.

            ```markdown
            Research {{spec.title}}.
            ```
        "#]],
    );
}

#[test]
fn a_prompt_whose_text_has_fences() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        prompt: fenced$0
        ---
        # T
        //- /.chant/prompts/fenced.md
        Run this:
        ```sh
        make
        ```
        "#,
        expect![[r#"
            1:8-1:14 "fenced"
            **Prompt `fenced`**

            ````markdown
            Run this:
            ```sh
            make
            ```
            ````
        "#]],
    );
}

#[test]
fn a_prompt_that_does_not_exist() {
    check(
        r#"
        ---
        prompt: "revi$0ew"
        ---
        # T
        "#,
        expect![[r#"
            1:9-1:15 "review"
            No prompt `review` in `.chant/prompts/`.
        "#]],
    );
}
