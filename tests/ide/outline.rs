//! The overview of a spec (`ide::outline`): document symbols, the title's
//! code lens, inlay hints after referenced IDs, folding ranges and
//! workspace symbols.

use chant_lsp::ide::outline::{
    document_symbols, folding, inlay_hints, title_lens, workspace_symbols, Symbol,
};
use chant_lsp::syntax::markdown::MarkdownTree;

use crate::expect::Expect;
use crate::fixture::{lc, span, Fixture};

fn render_symbols(text: &str, symbols: &[Symbol], depth: usize, out: &mut String) {
    for s in symbols {
        out.push_str(&format!(
            "{}{:?} {:?}{} {} sel {}\n",
            "  ".repeat(depth),
            s.kind,
            s.name,
            s.detail
                .as_ref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default(),
            span(text, &s.range),
            span(text, &s.selection)
        ));
        render_symbols(text, &s.children, depth + 1, out);
    }
}

fn check_symbols(fixture: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    let markdown = MarkdownTree::new(&f.text).outline(&f.text);
    let mut out = String::new();
    render_symbols(&f.text, &document_symbols(&f.model, &markdown), 0, &mut out);
    expect.assert_eq(&out);
}

/// Folding ranges as 0-based line ranges, as a client folds them.
fn check_folding(fixture: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    let markdown = MarkdownTree::new(&f.text).outline(&f.text);
    let out: String = folding(&f.model, &markdown)
        .iter()
        .map(|r| {
            let (start, end) = (lc(&f.text, r.start), lc(&f.text, r.end));
            format!("{start}..{end}\n")
        })
        .collect();
    expect.assert_eq(&out);
}

/// Inlay hints in the whole text, or in the `$0...$0` range when there is one.
fn check_hints(fixture: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    let within = if f.cursor.is_empty() {
        0..f.text.len()
    } else {
        f.cursor.clone()
    };
    let out: String = inlay_hints(&f.index, &f.model, within)
        .into_iter()
        .map(|(at, label)| format!("{} {label}\n", lc(&f.text, at)))
        .collect();
    expect.assert_eq(&out);
}

const FULL: &str = r#"
---
type: code
status: in_progress
depends_on: [2026-01-01-001-abc, 2026-01-02-001-def]
approval:
  required: true
  status: approved
labels:
---
# Add search

Intro.

## Context

Some context.

### Details

```rust
fn main() {}
```

## Acceptance Criteria

- [x] index built
- [ ] query parsed
- [ ]
  - [X] nested counts too

## Notes
"#;

#[test]
fn symbols_of_a_whole_spec() {
    check_symbols(
        FULL,
        expect![[r#"
            Frontmatter "frontmatter" (code · in_progress) 0:0-8:3 sel 0:0-0:3
              Field "type" (code) 1:0-1:10 sel 1:0-1:4
              Field "status" (in_progress) 2:0-2:19 sel 2:0-2:6
              Field "depends_on" (2 items) 3:0-3:52 sel 3:0-3:10
              Field "approval" (required, status) 4:0-6:18 sel 4:0-4:8
              Field "labels" 7:0-7:7 sel 7:0-7:6
            Title "Add search" 9:0-30:8 sel 9:0-9:12
              Section "Context" 13:0-21:3 sel 13:0-13:10
                Section "Details" 17:0-21:3 sel 17:0-17:11
              Section "Acceptance Criteria" (2/4 done) 23:0-28:25 sel 23:0-23:22
                Criterion "[x] index built" (done) 25:0-25:17 sel 25:0-25:5
                Criterion "[ ] query parsed" (not done) 26:0-26:18 sel 26:0-26:5
                Criterion "[ ] (empty)" (not done) 27:0-27:5 sel 27:0-27:5
                Criterion "[x] nested counts too" (done) 28:0-28:25 sel 28:2-28:7
              Section "Notes" 30:0-30:8 sel 30:0-30:8
        "#]],
    );
}

#[test]
fn symbols_without_frontmatter_and_with_setext_headings() {
    check_symbols(
        r#"
        Title
        =====

        Section
        -------

        text
        "#,
        expect![[r#"
            Section "Title" 0:0-6:4 sel 0:0-1:5
              Section "Section" 3:0-6:4 sel 3:0-4:7
        "#]],
    );
}

#[test]
fn symbols_skip_headings_in_the_frontmatter_and_count_the_last_criteria_section() {
    check_symbols(
        r#"
        ---
        # a YAML comment, not a heading
        status: pending
        ---
        # T

        ## Acceptance Criteria

        - [ ] ignored, superseded

        ## Acceptance Criteria

        - [ ] counted
        "#,
        expect![[r#"
            Frontmatter "frontmatter" (code · pending) 0:0-3:3 sel 0:0-0:3
              Field "status" (pending) 2:0-2:15 sel 2:0-2:6
            Title "T" 4:0-12:13 sel 4:0-4:3
              Section "Acceptance Criteria" 6:0-8:25 sel 6:0-6:22
              Section "Acceptance Criteria" (0/1 done) 10:0-12:13 sel 10:0-10:22
                Criterion "[ ] counted" (not done) 12:0-12:13 sel 12:0-12:5
        "#]],
    );
}

#[test]
fn symbols_when_chant_sees_no_frontmatter() {
    // Not closed: chant reads it all as body, and the YAML comment is its title.
    check_symbols(
        r#"
        ---
        # the owner
        status: pending
        # Real title
        "#,
        expect![[r#"
            Title "the owner" 1:0-2:15 sel 1:0-1:11
            Section "Real title" 3:0-3:12 sel 3:0-3:12
        "#]],
    );
}

#[test]
fn symbols_of_a_frontmatter_chant_rejects() {
    check_symbols(
        r#"
        ---
        status: finished
        ---
        # T
        "#,
        expect![[r#"
            Frontmatter "frontmatter" (code · pending) 0:0-2:3 sel 0:0-0:3
              Field "status" (finished) 1:0-1:16 sel 1:0-1:6
            Title "T" 3:0-3:3 sel 3:0-3:3
        "#]],
    );
}

#[test]
fn the_title_lens_counts_every_checkbox() {
    let f = Fixture::new(FULL);
    let (range, label) = title_lens(&f.model).unwrap();
    expect![[r#"
        9:0-9:12 in_progress · 2/4
    "#]]
    .assert_eq(&format!("{} {label}\n", span(&f.text, &range)));
    let f = Fixture::new("---\nstatus: pending\n---\nno title\n");
    assert_eq!(title_lens(&f.model), None);
}

#[test]
fn folding_the_frontmatter_sections_and_code() {
    check_folding(
        FULL,
        expect![[r#"
            0:0..8:3
            9:0..30:8
            13:0..21:3
            17:0..21:3
            23:0..28:25
            30:0..30:8
            19:0..21:3
        "#]],
    );
}

#[test]
fn folding_a_spec_with_tilde_and_indented_code() {
    check_folding(
        r#"
        # T

        ~~~
        tilde
        ~~~

            indented
            code

        ## End
        "#,
        expect![[r#"
            0:0..9:6
            9:0..9:6
            2:0..4:3
            6:0..7:8
        "#]],
    );
}

#[test]
fn inlay_hints_after_dependencies_and_members() {
    check_hints(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        depends_on:
          - 2026-01-01-001-abc
          - 2026-01-09-001-zzz
        members: [2026-01-03-001-ghi]
        informed_by: [.chant/specs/2026-01-02-001-def.md]
        ---
        # T

        Mentions 2026-01-02-001-def.
        //- /.chant/specs/2026-01-03-001-ghi.md
        ---
        status: failed
        ---
        no title
        "#,
        expect![[r#"
            2:22 Set up the database · completed
            4:28 (no title) · failed
        "#]],
    );
}

#[test]
fn inlay_hints_only_in_the_asked_range() {
    check_hints(
        r#"
        ---
        depends_on:
          - 2026-01-01-001-abc
          - $02026-01-02-001-def
        ---
        # T$0
        "#,
        expect![[r#"
            3:22 Add the login page · pending
        "#]],
    );
}

#[test]
fn workspace_symbols_best_match_first() {
    let f = Fixture::new(
        r#"
        //- /.chant/specs/2026-01-03-001-ghi.md
        # Login rate limits
        //- /.chant/specs/sub/2026-01-05-001-nst.md
        # Logging
        "#,
    );
    let all: Vec<_> = f.index.specs().chain(f.index.nested_specs()).collect();
    let show = |query: &str, limit: usize| {
        let ids: Vec<String> = workspace_symbols(all.iter().copied(), query, limit)
            .into_iter()
            .map(|e| e.id.clone())
            .collect();
        if ids.is_empty() {
            format!("{query:?} -> (none)\n")
        } else {
            format!("{query:?} -> {}\n", ids.join(", "))
        }
    };
    let out = [
        show("", 10),
        show("", 2),
        show("login", 10),
        show("LOG", 10),
        show("def", 10),
        show("zzz", 10),
    ]
    .concat();
    expect![[r#"
        "" -> 2026-01-05-001-nst, 2026-01-03-001-ghi, 2026-01-02-001-def, 2026-01-01-001-abc
        "" -> 2026-01-05-001-nst, 2026-01-03-001-ghi
        "login" -> 2026-01-03-001-ghi, 2026-01-02-001-def, 2026-01-05-001-nst
        "LOG" -> 2026-01-05-001-nst, 2026-01-03-001-ghi, 2026-01-02-001-def
        "def" -> 2026-01-02-001-def
        "zzz" -> (none)
    "#]]
    .assert_eq(&out);
}
