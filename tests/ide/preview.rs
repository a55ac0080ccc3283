//! Previews of linked files (`ide::preview`): what hover shows for a path
//! in `informed_by`, `context`, `origin`, `target_files`, `tracks` or
//! `output_schema`. Only the head of a file is read; specs show as
//! summaries, Markdown as its title and opening, other text as a fenced
//! excerpt, anything else as a sentence saying why it is not shown.

use chant_lsp::ide::preview::{first_paragraph, human_size, path_preview, HEAD_BYTES};
use chant_lsp::ide::DiskOnly;

use crate::expect::Expect;
use crate::fixture::{visible, Buffers, Fixture};
use crate::hover::render_hover;

/// The preview of `relative` in the fixture's project.
fn preview(fixture: &str, relative: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    expect.assert_eq(&visible(&path_preview(&f.index, relative, &DiskOnly)));
}

#[test]
fn hover_on_a_path_shows_its_preview() {
    let f = Fixture::new(
        r#"
        ---
        informed_by:
          - docs/gui$0de.md
        ---
        # T
        "#,
    );
    expect![[r#"
        2:4-2:17 "docs/guide.md"
        **Guide**␠␠
        `docs/guide.md`

        ---

        How to use it.
    "#]]
    .assert_eq(&render_hover(&f, &DiskOnly));
}

#[test]
fn markdown_with_frontmatter_and_without_a_title() {
    preview(
        r#"
        //- /notes/plan.md
        ---
        owner: me
        ---
        Intro line.

        ## Steps

        1. one
        "#,
        "notes/plan.md",
        expect![[r#"
            `notes/plan.md`

            ---

            Intro line.

            ## Steps

            1. one
        "#]],
    );
}

#[test]
fn long_markdown_is_cut() {
    let mut text = String::from("//- /notes/long.md\n# Long\n\n");
    for i in 0..60 {
        text.push_str(&format!("Line {i:02} of a long note that goes on.\n"));
    }
    let f = Fixture::new(&text);
    let shown = path_preview(&f.index, "notes/long.md", &DiskOnly);
    // The title, then the opening up to about 1200 characters, cut at a line.
    let lines: Vec<&str> = shown.lines().collect();
    let head = lines[..6].join("\n");
    let tail = lines[lines.len() - 3..].join("\n");
    expect![[r#"
        **Long**␠␠
        `notes/long.md`

        ---

        Line 00 of a long note that goes on.
        ...
        Line 31 of a long note that goes on.

        …
    "#]]
    .assert_eq(&visible(&format!("{head}\n...\n{tail}\n")));
}

#[test]
fn source_code_as_a_fenced_excerpt_with_its_language() {
    preview(
        r#"
        //- /src/lib.rs
        pub fn add(a: i32, b: i32) -> i32 {
            a + b
        }
        "#,
        "src/lib.rs",
        expect![[r#"
            `src/lib.rs` (48 bytes)

            ```rust
            pub fn add(a: i32, b: i32) -> i32 {
                a + b
            }
            ```
        "#]],
    );
    preview(
        r#"
        //- /scripts/run
        echo hi
        "#,
        "scripts/run",
        expect![[r#"
            `scripts/run` (8 bytes)

            ```
            echo hi
            ```
        "#]],
    );
}

#[test]
fn text_holding_a_fence_gets_a_longer_fence() {
    preview(
        r#"
        //- /docs/example.txt
        ```
        code
        ```
        "#,
        "docs/example.txt",
        expect![[r#"
            `docs/example.txt` (13 bytes)

            ````
            ```
            code
            ```
            ````
        "#]],
    );
}

#[test]
fn more_than_twenty_lines_are_cut() {
    let mut text = String::from("//- /data/list.yaml\n");
    for i in 0..25 {
        text.push_str(&format!("- item {i}\n"));
    }
    preview(
        &text,
        "data/list.yaml",
        expect![[r#"
            `data/list.yaml` (240 bytes)

            ```yaml
            - item 0
            - item 1
            - item 2
            - item 3
            - item 4
            - item 5
            - item 6
            - item 7
            - item 8
            - item 9
            - item 10
            - item 11
            - item 12
            - item 13
            - item 14
            - item 15
            - item 16
            - item 17
            - item 18
            - item 19
            ```

            …
        "#]],
    );
}

#[test]
fn a_big_file_is_read_only_up_to_its_head() {
    let f = Fixture::new("//- /big.log\nx\n");
    let line = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n";
    let big = line.repeat(2 * HEAD_BYTES / line.len());
    f.fs.write(&f.abs("big.log"), &big);
    let shown = path_preview(&f.index, "big.log", &DiskOnly);
    expect![[r#"
        `big.log` (16.0 KB)
    "#]]
    .assert_eq(&visible(&shown[..shown.find('\n').unwrap() + 1]));
    assert!(shown.ends_with("```\n\n…"), "{shown}");
}

#[test]
fn a_multibyte_character_cut_at_the_head_is_dropped_not_binary() {
    let f = Fixture::new("//- /cjk.txt\nx\n");
    // The head ends in the middle of a three-byte character.
    let mut text = "a".repeat(HEAD_BYTES - 1);
    text.push('中');
    text.push_str("tail\n");
    f.fs.write(&f.abs("cjk.txt"), &text);
    let shown = path_preview(&f.index, "cjk.txt", &DiskOnly);
    assert!(
        !shown.contains('中') && !shown.contains("binary"),
        "{shown}"
    );
    expect![[r#"
        `cjk.txt` (8.0 KB)
    "#]]
    .assert_eq(&visible(&shown[..shown.find('\n').unwrap() + 1]));
}

#[test]
fn binary_files_are_not_shown() {
    let f = Fixture::new("//- /logo.png\nx\n");
    f.fs.write(&f.abs("logo.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    f.fs.write(&f.abs("latin1.txt"), b"caf\xe9 au lait\n");
    expect![[r#"
        `logo.png`: binary file, 16 bytes."#]]
    .assert_eq(&path_preview(&f.index, "logo.png", &DiskOnly));
    expect![[r#"
        `latin1.txt`: binary file, 13 bytes."#]]
    .assert_eq(&path_preview(&f.index, "latin1.txt", &DiskOnly));
}

#[test]
fn folders_list_their_entries() {
    preview(
        "",
        "docs",
        expect![[r#"
            Folder `docs`

            - `guide.md`
        "#]],
    );
    let mut text = String::new();
    for i in 0..15 {
        text.push_str(&format!("//- /many/file{i:02}.md\nx\n"));
    }
    text.push_str("//- /many/sub/inner.md\nx\n");
    preview(
        &text,
        "many/",
        expect![[r#"
            Folder `many/`

            - `file00.md`
            - `file01.md`
            - `file02.md`
            - `file03.md`
            - `file04.md`
            - `file05.md`
            - `file06.md`
            - `file07.md`
            - `file08.md`
            - `file09.md`
            - `file10.md`
            - `file11.md`
            - … and 4 more
        "#]],
    );
}

#[test]
fn a_named_pipe_is_not_read() {
    preview(
        r#"
        //- /pipe.md fifo
        "#,
        "pipe.md",
        expect![[r#"
            `pipe.md` is a named pipe (FIFO), not a regular file: not read.
        "#]],
    );
}

#[test]
fn a_missing_file_says_which_specs_will_create_it() {
    preview(
        r#"
        //- /.chant/specs/2026-01-03-001-ghi.md
        ---
        target_files: [src/new.rs, docs/new.md]
        ---
        # Make new things
        //- /.chant/specs/2026-01-04-001-jkl.md
        ---
        target_files:
          - src/new.rs
        ---
        # Also
        "#,
        "src/new.rs",
        expect![[r#"
            `src/new.rs` does not exist yet: `2026-01-03-001-ghi`, `2026-01-04-001-jkl` will create it (it is in their `target_files`).
        "#]],
    );
    preview(
        "",
        "src/nowhere.rs",
        expect![[r#"
            `src/nowhere.rs` does not exist, and no spec lists it in `target_files`.
        "#]],
    );
}

#[test]
fn paths_outside_the_project_are_not_shown() {
    preview(
        "",
        "../secrets.txt",
        expect![[r#"
            `../secrets.txt` leads outside the project: not shown.
        "#]],
    );
    preview(
        "",
        "/etc/passwd",
        expect![[r#"
            `/etc/passwd` leads outside the project: not shown.
        "#]],
    );
}

#[test]
fn a_spec_file_shows_as_a_spec() {
    preview(
        "",
        ".chant/specs/2026-01-02-001-def.md",
        expect![[r#"
            **Add the login page**␠␠
            `2026-01-02-001-def` · `code` · `pending` · criteria 0/2

            A form with a password field.
        "#]],
    );
}

#[test]
fn an_open_buffer_is_previewed_instead_of_the_disk() {
    let f = Fixture::new("");
    let open = Buffers(vec![(
        f.abs("docs/guide.md"),
        "# Guide (edited)\n\nNot saved yet.\n".into(),
    )]);
    expect![[r#"
        **Guide (edited)**␠␠
        `docs/guide.md`

        ---

        Not saved yet.
    "#]]
    .assert_eq(&visible(&path_preview(&f.index, "docs/guide.md", &open)));
}

#[test]
fn an_empty_file() {
    preview(
        "//- /empty.txt\n",
        "empty.txt",
        expect![[r#"
            `empty.txt` (0 bytes)

            ```

            ```
        "#]],
    );
}

#[test]
fn first_paragraphs() {
    let cases = [
        "# T\n\nOne\ntwo.\n\nThree.\n",
        "---\nstatus: pending\n---\n# T\n## Sub\n```\ncode\n```\nAfter code.\n",
        "No title here.\nSecond line.\n",
        "# T\n",
        "# T\n\n## Acceptance Criteria\n\n- [ ] a\n",
        "# T\n\n~~~\nin tilde\n~~~\n\nAfter.\n",
        "# T\n\nBefore.\n```\ncode\n```\n",
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|c| format!("{:?}", first_paragraph(c)))
        .collect();
    expect![[r#"
        Some("One two.")
        Some("After code.")
        Some("No title here. Second line.")
        None
        Some("- [ ] a")
        Some("After.")
        Some("Before.")
    "#]]
    .assert_eq(&(out.join("\n") + "\n"));
    let long = format!("# T\n\n{}\n", "word ".repeat(200));
    let paragraph = first_paragraph(&long).unwrap();
    assert_eq!(paragraph.chars().count(), 601);
    assert!(paragraph.ends_with('…'));
}

#[test]
fn sizes_for_people() {
    let sizes: Vec<String> = [0, 1023, 1024, 1536, 1024 * 1024, 5 * 1024 * 1024 + 1]
        .iter()
        .map(|b| human_size(*b))
        .collect();
    expect![[r#"
        0 bytes, 1023 bytes, 1.0 KB, 1.5 KB, 1.0 MB, 5.0 MB
    "#]]
    .assert_eq(&(sizes.join(", ") + "\n"));
}

#[test]
fn a_glob_in_tracks_shows_what_it_matches() {
    let hover_at = |fixture: &str| render_hover(&Fixture::new(fixture), &DiskOnly);
    expect![[r#"
        2:10-2:21 "src/**/*.rs"
        `src/**/*.rs` matches 1 file:

        - `src/main.rs`
    "#]]
    .assert_eq(&hover_at(
        "---\ntype: documentation\ntracks: [\"src/**/*.r$0s\"]\n---\n# T\n",
    ));
    expect![[r#"
        2:10-2:16 "*.toml"
        `*.toml` matches no file.
    "#]]
    .assert_eq(&hover_at(
        "---\ntype: documentation\ntracks: [\"*.t$0oml\"]\n---\n# T\n",
    ));
    expect![[r#"
        2:10-2:18 "src/{a,b"
        `src/{a,b` is not a valid glob (unclosed alternate group; missing '}' (maybe escape '{' with '[{]'?)).
    "#]].assert_eq(&hover_at(
        "---\ntype: documentation\ntracks: [\"src/{a,b$0\"]\n---\n# T\n",
    ));
    // `*` does not cross folders.
    let mut fixture =
        String::from("---\ntype: documentation\ntracks: [\"notes/*.m$0d\"]\n---\n# T\n");
    fixture.insert_str(0, &format!("//- /{}\n", crate::fixture::CURRENT));
    for i in 0..14 {
        fixture.push_str(&format!("//- /notes/n{i:02}.md\nx\n"));
    }
    fixture.push_str("//- /notes/deeper/n.md\nx\n");
    expect![[r#"
        2:10-2:20 "notes/*.md"
        `notes/*.md` matches 14 files:

        - `notes/n00.md`
        - `notes/n01.md`
        - `notes/n02.md`
        - `notes/n03.md`
        - `notes/n04.md`
        - `notes/n05.md`
        - `notes/n06.md`
        - `notes/n07.md`
        - `notes/n08.md`
        - `notes/n09.md`
        - `notes/n10.md`
        - `notes/n11.md`
        - … and 2 more
    "#]]
    .assert_eq(&hover_at(&fixture));
}
