//! Semantic tokens (`ide::semantic`): field names, the status, spec IDs
//! (real, done, dangling, archived) and criteria, in text order.

use chant_lsp::ide::semantic::tokens;

use crate::expect::Expect;
use crate::fixture::{span, Fixture};

fn check(fixture: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    let mut out = String::new();
    for token in tokens(&f.text, &f.model, &f.index) {
        out.push_str(&format!(
            "{} {:?} {:?} {:?}\n",
            span(&f.text, &token.range),
            &f.text[token.range.clone()],
            token.kind,
            token.modifiers
        ));
    }
    expect.assert_eq(&out);
}

#[test]
fn what_the_server_knows_about_each_word() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        status: completed
        depends_on:
          - 2026-01-01-001-abc
          - "2026-01-02-001-def"
          - 2026-01-09-009-zzz
        approval:
          required: true
          status: approved
        colour: blue
        ---
        # T

        Follows 2026-01-05-001-arc and 2026-01-02-001-def.

        ## Acceptance Criteria

        - [x] done
        - [ ] not yet
        * [ ] not counted
        //- /.chant/archive/2026-01-05/2026-01-05-001-arc.md
        # Archived
        "#,
        expect![[r#"
            1:0-1:6 "status" Field []
            1:8-1:17 "completed" Status [Done]
            2:0-2:10 "depends_on" Field []
            3:4-3:22 "2026-01-01-001-abc" SpecId [Done]
            4:5-4:23 "2026-01-02-001-def" SpecId []
            5:4-5:22 "2026-01-09-009-zzz" SpecId [Dangling]
            6:0-6:8 "approval" Field []
            7:2-7:10 "required" Field []
            8:2-8:8 "status" Field []
            9:0-9:6 "colour" Field [Unknown]
            13:8-13:26 "2026-01-05-001-arc" SpecId [Archived, Deprecated]
            13:31-13:49 "2026-01-02-001-def" SpecId []
            17:0-17:5 "- [x]" Criterion [Done]
            18:0-18:5 "- [ ]" Criterion []
        "#]],
    );
}

#[test]
fn an_unknown_status_and_a_broken_frontmatter() {
    check(
        "---\nstatus: opne\n---\n# T\n",
        expect![[r#"
            1:0-1:6 "status" Field []
            1:8-1:12 "opne" Status [Unknown]
        "#]],
    );
    check(
        "---\nstatus: [pending\n---\n# T\n",
        expect![[r#"
            1:0-1:6 "status" Field []
        "#]],
    );
}
