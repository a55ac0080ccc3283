//! Edits when files move (`ide::rename::edits_for_move`): every spec whose
//! references point at a moved file or folder, or at a renamed spec's ID,
//! shown as its whole text after the edits.

use std::path::PathBuf;

use chant_lsp::ide::navigation::references_in;
use chant_lsp::ide::rename::edits_for_move;
use chant_lsp::ide::{DiskOnly, Sources};
use chant_lsp::spec::SpecModel;

use crate::expect::Expect;
use crate::fixture::{apply, Buffers, Fixture};

fn check_with(fixture: &str, moves: &[(&str, &str)], sources: &dyn Sources, expect: Expect) {
    let f = Fixture::new(fixture);
    let moves: Vec<(PathBuf, PathBuf)> = moves
        .iter()
        .map(|(from, to)| (abs(&f, from), abs(&f, to)))
        .collect();
    let mut out = String::new();
    for file in edits_for_move(&f.index, &moves, sources) {
        let after = apply(&file.text, &file.edits);
        // Still a spec chant reads.
        assert!(SpecModel::parse(&after).chant_accepts(), "{after}");
        out.push_str(&format!("//- /{}\n", f.rel(&file.path)));
        out.push_str(&after);
    }
    expect.assert_eq(&out);
}

/// `relative` under the root; an absolute path as it is.
fn abs(f: &Fixture, path: &str) -> PathBuf {
    if path.starts_with('/') {
        PathBuf::from(path)
    } else {
        f.abs(path)
    }
}

fn check(fixture: &str, moves: &[(&str, &str)], expect: Expect) {
    check_with(fixture, moves, &DiskOnly, expect)
}

#[test]
fn moving_a_file_updates_every_path_that_names_it() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        context:
          - docs/guide.md
          - "./docs/guide.md"
        informed_by: ['docs/guide.md']
        target_files: [docs/guide.md, docs/guide.md.bak]
        origin: [docs/guide.markdown]
        ---
        # T

        The body mentions docs/guide.md and keeps it.
        //- /.chant/specs/2026-01-03-001-ghi.md
        ---
        tracks:
          - docs/guide.md
        ---
        # Tracks it
        "#,
        &[("docs/guide.md", "manual/guide.md")],
        expect![[r#"
            //- /.chant/specs/2026-01-03-001-ghi.md
            ---
            tracks:
              - manual/guide.md
            ---
            # Tracks it
            //- /.chant/specs/2026-02-01-001-cur.md
            ---
            context:
              - manual/guide.md
              - "./manual/guide.md"
            informed_by: ['manual/guide.md']
            target_files: [manual/guide.md, docs/guide.md.bak]
            origin: [docs/guide.markdown]
            ---
            # T

            The body mentions docs/guide.md and keeps it.
        "#]],
    );
}

#[test]
fn moving_a_folder_updates_the_paths_under_it() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        context: [docs, docs/guide.md, docs/api/index.md, docs2/other.md, ./docs/]
        tracks: ["docs/**/*.md"]
        ---
        # T
        "#,
        &[("docs", "manual")],
        expect![[r#"
            //- /.chant/specs/2026-02-01-001-cur.md
            ---
            context: [manual, manual/guide.md, manual/api/index.md, docs2/other.md, ./manual/]
            tracks: ["manual/**/*.md"]
            ---
            # T
        "#]],
    );
}

#[test]
fn renaming_a_spec_renames_its_id_where_it_is_referenced() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        depends_on: [2026-01-02-001-def, 2026-01-01-001-abc]
        informed_by:
          - .chant/specs/2026-01-02-001-def.md
        ---
        # T

        Prose about 2026-01-02-001-def stays as it is.
        //- /.chant/specs/2026-01-03-001-drv.md
        ---
        type: driver
        members:
          - "2026-01-02-001-def"
        ---
        # Driver
        "#,
        &[(
            ".chant/specs/2026-01-02-001-def.md",
            ".chant/specs/2026-01-02-001-login.md",
        )],
        expect![[r#"
            //- /.chant/specs/2026-01-03-001-drv.md
            ---
            type: driver
            members:
              - "2026-01-02-001-login"
            ---
            # Driver
            //- /.chant/specs/2026-02-01-001-cur.md
            ---
            depends_on: [2026-01-02-001-login, 2026-01-01-001-abc]
            informed_by:
              - .chant/specs/2026-01-02-001-login.md
            ---
            # T

            Prose about 2026-01-02-001-def stays as it is.
        "#]],
    );
}

#[test]
fn moving_a_spec_into_a_subfolder_keeps_its_id() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        depends_on: 2026-01-02-001-def
        informed_by: [.chant/specs/2026-01-02-001-def.md]
        ---
        # T
        "#,
        &[(
            ".chant/specs/2026-01-02-001-def.md",
            ".chant/specs/done/2026-01-02-001-def.md",
        )],
        expect![[r#"
            //- /.chant/specs/2026-02-01-001-cur.md
            ---
            depends_on: 2026-01-02-001-def
            informed_by: [.chant/specs/done/2026-01-02-001-def.md]
            ---
            # T
        "#]],
    );
}

#[test]
fn several_moves_at_once() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        depends_on: [2026-01-01-001-abc]
        context: [src/main.rs, docs/guide.md]
        ---
        # T
        "#,
        &[
            ("src/main.rs", "src/bin/main.rs"),
            ("docs/guide.md", "guide.md"),
            (
                ".chant/specs/2026-01-01-001-abc.md",
                ".chant/specs/2026-01-01-001-db.md",
            ),
        ],
        expect![[r#"
            //- /.chant/specs/2026-02-01-001-cur.md
            ---
            depends_on: [2026-01-01-001-db]
            context: [src/bin/main.rs, guide.md]
            ---
            # T
        "#]],
    );
}

#[test]
fn nothing_for_moves_outside_the_project_or_unreferenced_files() {
    let fixture = "---\ncontext: [docs/guide.md]\n---\n# T\n";
    check(
        fixture,
        &[("/elsewhere/a.md", "/elsewhere/b.md")],
        expect![[""]],
    );
    check(
        fixture,
        &[("docs/guide.md", "/elsewhere/guide.md")],
        expect![[""]],
    );
    check(fixture, &[("src/main.rs", "src/lib.rs")], expect![[""]]);
}

#[test]
fn an_open_buffer_is_edited_as_the_editor_has_it() {
    let f = Fixture::new("");
    let path = f.abs(".chant/specs/2026-01-02-001-def.md");
    let open = Buffers(vec![(
        path,
        "---\ncontext:\n  - src/main.rs # unsaved\n---\n# Add the login page\n".into(),
    )]);
    check_with(
        "",
        &[("src", "lib")],
        &open,
        expect![[r#"
            //- /.chant/specs/2026-01-02-001-def.md
            ---
            context:
              - lib/main.rs # unsaved
            ---
            # Add the login page
        "#]],
    );
}

#[test]
fn new_paths_are_written_as_yaml_reads_them() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        context:
          - docs/guide.md
          - "docs/guide.md"
          - 'docs/guide.md'
        informed_by: [docs/guide.md]
        ---
        # T
        "#,
        &[("docs/guide.md", NEW)],
        expect![[r#"
            //- /.chant/specs/2026-02-01-001-cur.md
            ---
            context:
              - "docs/it's a \"guide\": v2, final.md"
              - "docs/it's a \"guide\": v2, final.md"
              - 'docs/it''s a "guide": v2, final.md'
            informed_by: ["docs/it's a \"guide\": v2, final.md"]
            ---
            # T
        "#]],
    );
    check(
        "---\ncontext:\n  - docs/guide.md\n---\n# T\n",
        &[("docs", "-docs")],
        expect![[r#"
            //- /.chant/specs/2026-02-01-001-cur.md
            ---
            context:
              - "-docs/guide.md"
            ---
            # T
        "#]],
    );
    // Each value now reads as the new path.
    let f = Fixture::new(
        "---\ncontext: [docs/guide.md, 'docs/guide.md', \"docs/guide.md\"]\n---\n# T\n",
    );
    let moved = edits_for_move(&f.index, &[(f.abs("docs/guide.md"), f.abs(NEW))], &DiskOnly);
    let after = apply(&moved[0].text, &moved[0].edits);
    let values: Vec<String> = references_in(&SpecModel::parse(&after))
        .into_iter()
        .map(|r| r.value)
        .collect();
    assert_eq!(values, [NEW, NEW, NEW]);
}

const NEW: &str = "docs/it's a \"guide\": v2, final.md";
