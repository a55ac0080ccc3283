//! Navigation (`ide::navigation`): the references a spec makes, go to
//! definition, document links, and find references.

use chant_lsp::ide::navigation::{
    definition, find_references, links, references_in, subject_at, Subject,
};
use chant_lsp::ide::{read_source, DiskOnly, Sources};

use crate::expect::Expect;
use crate::fixture::{span, Buffers, Fixture};

fn check_definition(fixture: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    let out = match definition(&f.index, &f.model, f.offset()) {
        Some(target) => format!("{} {:?}\n", f.rel(&target.path), target.range),
        None => String::new(),
    };
    expect.assert_eq(&out);
}

fn render_links(f: &Fixture) -> String {
    links(&f.index, &f.model)
        .into_iter()
        .map(|(range, path)| {
            format!(
                "{} {:?} -> {}\n",
                span(&f.text, &range),
                &f.text[range],
                f.rel(&path)
            )
        })
        .collect()
}

/// Each place found, as `path line:col-line:col "text"`.
fn render_references(f: &Fixture, subject: &Subject, sources: &dyn Sources) -> String {
    let mut out = format!("{subject:?}\n");
    for target in find_references(&f.index, subject, sources) {
        let text = read_source(f.index.project_files(), sources, &target.path).unwrap_or_default();
        match &target.range {
            Some(r) => out.push_str(&format!(
                "{} {} {:?}\n",
                f.rel(&target.path),
                span(&text, r),
                &text[r.clone()]
            )),
            None => out.push_str(&format!("{}\n", f.rel(&target.path))),
        }
    }
    out
}

/// What "find references" at the cursor finds.
fn check_references(fixture: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    let out = match subject_at(&f.index, &f.path, Some(&f.model), f.offset()) {
        Some(subject) => render_references(&f, &subject, &DiskOnly),
        None => String::new(),
    };
    expect.assert_eq(&out);
}

#[test]
fn every_reference_of_a_spec_in_text_order() {
    let f = Fixture::new(
        r#"
        ---
        depends_on: [2026-01-01-001-abc, "2026-01-02-001-def"]
        prompt: standard
        informed_by:
          - docs/guide.md
          - ''
        context: [src/main.rs]
        tracks: ["src/**/*.rs"]
        members:
          - 2026-02-01-001-cur.1
        output_schema: schemas/out.json
        labels: [not-a-reference]
        ---
        # T

        After 2026-01-01-001-abc, see docs.
        "#,
    );
    let out: String = references_in(&f.model)
        .iter()
        .map(|r| {
            format!(
                "{:?} {:?} {:?} {} {:?}\n",
                r.field,
                r.refers,
                r.value,
                span(&f.text, &r.range),
                &f.text[r.range.clone()]
            )
        })
        .collect();
    expect![[r#"
        Some("depends_on") SpecIds "2026-01-01-001-abc" 1:13-1:31 "2026-01-01-001-abc"
        Some("depends_on") SpecIds "2026-01-02-001-def" 1:34-1:52 "2026-01-02-001-def"
        Some("prompt") Prompt "standard" 2:8-2:16 "standard"
        Some("informed_by") Paths "docs/guide.md" 4:4-4:17 "docs/guide.md"
        Some("context") Paths "src/main.rs" 6:10-6:21 "src/main.rs"
        Some("tracks") PathGlobs "src/**/*.rs" 7:10-7:21 "src/**/*.rs"
        Some("members") SpecIds "2026-02-01-001-cur.1" 9:4-9:24 "2026-02-01-001-cur.1"
        Some("output_schema") Paths "schemas/out.json" 10:15-10:31 "schemas/out.json"
        None SpecIds "2026-01-01-001-abc" 15:6-15:24 "2026-01-01-001-abc"
    "#]]
    .assert_eq(&out);
}

#[test]
fn definition_of_a_dependency_is_its_file() {
    check_definition(
        r#"
        ---
        depends_on:
          - 2026-01-02-001-d$0ef
        ---
        # T
        "#,
        expect![[r#"
            .chant/specs/2026-01-02-001-def.md None
        "#]],
    );
}

#[test]
fn definition_just_after_a_value_still_finds_it() {
    check_definition(
        "---\ndepends_on: [2026-01-02-001-def$0]\n---\n# T\n",
        expect![[r#"
            .chant/specs/2026-01-02-001-def.md None
        "#]],
    );
}

#[test]
fn definition_of_an_archived_spec_is_its_archive_file() {
    check_definition(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        depends_on: [2026-01-04$0-001-old]
        ---
        # T
        //- /.chant/archive/2026-01-04/2026-01-04-001-old.md
        # Old
        "#,
        expect![[r#"
            .chant/archive/2026-01-04/2026-01-04-001-old.md None
        "#]],
    );
}

#[test]
fn definition_of_a_missing_spec_is_nothing() {
    check_definition(
        "---\ndepends_on: [2026-01-09$0-001-zzz]\n---\n# T\n",
        expect![[""]],
    );
}

#[test]
fn definition_of_a_prompt() {
    check_definition(
        "---\nprompt: stan$0dard\n---\n# T\n",
        expect![[r#"
            .chant/prompts/standard.md None
        "#]],
    );
    check_definition("---\nprompt: nope$0\n---\n# T\n", expect![[""]]);
}

#[test]
fn definition_of_a_path_in_the_project() {
    check_definition(
        "---\ncontext:\n  - docs/gu$0ide.md\n---\n# T\n",
        expect![[r#"
            docs/guide.md None
        "#]],
    );
    check_definition(
        "---\ncontext:\n  - ./sr$0c\n---\n# T\n",
        expect![[r#"
            src None
        "#]],
    );
}

#[test]
fn definition_of_a_missing_or_escaping_path_is_nothing() {
    check_definition(
        "---\ncontext:\n  - docs/no$0ne.md\n---\n# T\n",
        expect![[""]],
    );
    check_definition(
        "---\ncontext:\n  - ../outs$0ide.md\n---\n# T\n",
        expect![[""]],
    );
}

#[test]
fn no_definition_or_link_to_a_named_pipe() {
    let fixture = r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        context: [pi$0pe.md, docs/guide.md]
        ---
        # T
        //- /pipe.md fifo
        "#;
    check_definition(fixture, expect![[""]]);
    expect![[r#"
        1:19-1:32 "docs/guide.md" -> docs/guide.md
    "#]]
    .assert_eq(&render_links(&Fixture::new(fixture)));
}

#[test]
fn definition_of_a_spec_mentioned_in_the_body() {
    check_definition(
        "---\n---\n# T\n\nSee 2026-01-01-00$01-abc.\n",
        expect![[r#"
            .chant/specs/2026-01-01-001-abc.md None
        "#]],
    );
}

#[test]
fn no_definition_off_a_reference() {
    check_definition("---\nstatus: pen$0ding\n---\n# T\n", expect![[""]]);
    check_definition("---\n---\n# T$0\n", expect![[""]]);
}

#[test]
fn links_for_every_reference_that_resolves() {
    let f = Fixture::new(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        depends_on: [2026-01-01-001-abc, 2026-01-09-001-zzz, 2026-01-04-001-old]
        prompt: research
        informed_by: [docs/guide.md, docs/missing.md, ../out.md]
        tracks: ["src/*.rs", src/main.rs]
        ---
        # T

        Mentions 2026-01-02-001-def and 2026-01-08-001-nop.
        //- /.chant/archive/2026-01-04/2026-01-04-001-old.md
        # Old
        "#,
    );
    expect![[r#"
        1:13-1:31 "2026-01-01-001-abc" -> .chant/specs/2026-01-01-001-abc.md
        1:53-1:71 "2026-01-04-001-old" -> .chant/archive/2026-01-04/2026-01-04-001-old.md
        2:8-2:16 "research" -> .chant/prompts/research.md
        3:14-3:27 "docs/guide.md" -> docs/guide.md
        4:21-4:32 "src/main.rs" -> src/main.rs
        8:9-8:27 "2026-01-02-001-def" -> .chant/specs/2026-01-02-001-def.md
    "#]]
    .assert_eq(&render_links(&f));
}

#[test]
fn references_to_a_spec_from_the_cursor_on_its_id() {
    check_references(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        depends_on: [2026-01-01$0-001-abc]
        ---
        # T
        //- /.chant/specs/2026-01-03-001-drv.md
        ---
        type: driver
        members:
          - 2026-01-01-001-abc
        ---
        # Driver
        //- /.chant/specs/2026-01-04-001-res.md
        ---
        informed_by:
          - ./.chant/specs/2026-01-01-001-abc.md
          - docs/guide.md
        ---
        # Research

        Mentions 2026-01-01-001-abc in prose (not a reference).
        //- /.chant/specs/sub/2026-01-05-001-nst.md
        ---
        depends_on: 2026-01-01-001-abc
        ---
        # Nested
        "#,
        expect![[r#"
            Spec("2026-01-01-001-abc")
            .chant/specs/2026-01-03-001-drv.md 3:4-3:22 "2026-01-01-001-abc"
            .chant/specs/2026-01-04-001-res.md 2:4-2:40 "./.chant/specs/2026-01-01-001-abc.md"
            .chant/specs/2026-02-01-001-cur.md 1:13-1:31 "2026-01-01-001-abc"
            .chant/specs/sub/2026-01-05-001-nst.md 1:12-1:30 "2026-01-01-001-abc"
        "#]],
    );
}

#[test]
fn references_to_this_spec_off_any_reference() {
    check_references(
        r#"
        //- /.chant/specs/2026-01-02-001-def.md
        ---
        status: pend$0ing
        ---
        # Add the login page
        //- /.chant/specs/2026-01-03-001-ghi.md
        ---
        depends_on: 2026-01-02-001-def
        ---
        # Next
        "#,
        expect![[r#"
            Spec("2026-01-02-001-def")
            .chant/specs/2026-01-03-001-ghi.md 1:12-1:30 "2026-01-02-001-def"
        "#]],
    );
}

#[test]
fn references_to_a_file_from_every_path_field() {
    check_references(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        context: [./docs/gui$0de.md]
        ---
        # T
        //- /.chant/specs/2026-01-03-001-ghi.md
        ---
        informed_by: [docs/guide.md]
        origin: [docs/guide.md]
        target_files:
          - docs/guide.md
          - docs/other.md
        ---
        # Uses the guide
        "#,
        expect![[r#"
            File("docs/guide.md")
            .chant/specs/2026-01-03-001-ghi.md 1:14-1:27 "docs/guide.md"
            .chant/specs/2026-01-03-001-ghi.md 2:9-2:22 "docs/guide.md"
            .chant/specs/2026-01-03-001-ghi.md 4:4-4:17 "docs/guide.md"
            .chant/specs/2026-02-01-001-cur.md 1:10-1:25 "./docs/guide.md"
        "#]],
    );
}

#[test]
fn references_to_a_file_that_is_not_a_spec() {
    let f = Fixture::new(
        r#"
        //- /docs/guide.md
        # Guide
        //- /.chant/specs/2026-01-03-001-ghi.md
        ---
        context:
          - docs/guide.md
        ---
        # Reads the guide
        "#,
    );
    let subject = subject_at(&f.index, &f.path, None, 0).unwrap();
    expect![[r#"
        File("docs/guide.md")
        .chant/specs/2026-01-03-001-ghi.md 2:4-2:17 "docs/guide.md"
    "#]]
    .assert_eq(&render_references(&f, &subject, &DiskOnly));
}

#[test]
fn references_read_open_buffers_first() {
    let f = Fixture::new(
        r#"
        //- /.chant/specs/2026-01-03-001-ghi.md
        ---
        depends_on: [2026-01-01-001-abc]
        ---
        # On disk
        "#,
    );
    // The index still has what the disk says; the buffer moved the ID.
    let open = Buffers(vec![(
        f.abs(".chant/specs/2026-01-03-001-ghi.md"),
        "---\nlabels: [x]\ndepends_on:\n  - 2026-01-01-001-abc\n---\n# In the editor\n".into(),
    )]);
    let subject = Subject::Spec("2026-01-01-001-abc".into());
    expect![[r#"
        Spec("2026-01-01-001-abc")
        .chant/specs/2026-01-03-001-ghi.md 3:4-3:22 "2026-01-01-001-abc"
    "#]]
    .assert_eq(&render_references(&f, &subject, &open));
}
