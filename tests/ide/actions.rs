//! Quick fixes and rewrites (`ide::actions::{quick_fixes, rewrites}`):
//! every fix is applied, the whole resulting text is compared, the result
//! must be a spec chant accepts, and the diagnostics it resolved must be
//! gone when the result is analysed again.
//!
//! Each fix is asked for two ways, as clients do: with the cursor on the
//! diagnostic (the `$0` marker), and with the cursor where no diagnostic
//! is but the diagnostic named in the request (`asked`); both must offer
//! the same fix, and the second must not offer it when nothing is named.

use chant_lsp::analysis::{Code, Diagnostic};
use chant_lsp::ide::actions::{quick_fixes, rewrites, CodeFix, FixCategory, FixEffect};
use chant_lsp::ide::commands::commands;
use chant_lsp::ide::prompt_templates;
use chant_lsp::spec::SpecModel;
use chant_lsp::text::TextRange;

use crate::expect::Expect;
use crate::fixture::{apply, diagnose, span, Fixture, Options, CURRENT};

/// The text as expectations show it: `␍` for CR, `⟨BOM⟩` for a byte order
/// mark, `␠` for spaces at the end of a line.
pub fn show(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (content, lf) = match line.strip_suffix('\n') {
            Some(c) => (c, "\n"),
            None => (line, ""),
        };
        let (content, cr) = match content.strip_suffix('\r') {
            Some(c) => (c, "␍"),
            None => (content, ""),
        };
        let trimmed = content.trim_end_matches(' ');
        out.push_str(&trimmed.replace('\r', "␍").replace('\u{feff}', "⟨BOM⟩"));
        out.push_str(&"␠".repeat(content.len() - trimmed.len()));
        out.push_str(cr);
        out.push_str(lf);
    }
    out
}

/// An offset no diagnostic touches (for asking by name).
fn away_from(text: &str, diagnostics: &[Diagnostic]) -> TextRange {
    let at = (0..=text.len())
        .rev()
        .filter(|i| text.is_char_boundary(*i))
        .find(|i| {
            diagnostics
                .iter()
                .all(|d| !(d.range.start <= *i && *i <= d.range.end))
        })
        .expect("an offset away from every diagnostic");
    at..at
}

fn titles(fixes: &[CodeFix]) -> Vec<&str> {
    fixes.iter().map(|f| f.title.as_str()).collect()
}

/// The fix titled `title` at the cursor, checked to be offered the other
/// way too.
fn find_fix(f: &Fixture, diagnostics: &[Diagnostic], title: &str) -> CodeFix {
    let view = f.view();
    let at_cursor = quick_fixes(&view, diagnostics, f.cursor.clone(), &[], true);
    let fix = at_cursor
        .iter()
        .find(|x| x.title == title)
        .unwrap_or_else(|| {
            panic!(
                "no fix {title:?} at the cursor; offered: {:?}; diagnostics: {diagnostics:#?}",
                titles(&at_cursor)
            )
        })
        .clone();
    assert_eq!(fix.category, FixCategory::QuickFix);
    let elsewhere = away_from(&f.text, diagnostics);
    let asked = quick_fixes(
        &view,
        diagnostics,
        elsewhere.clone(),
        &fix.diagnostics,
        true,
    );
    assert!(
        asked.contains(&fix),
        "{title:?} not offered when asked by name; offered: {:?}",
        titles(&asked)
    );
    let unasked = quick_fixes(&view, diagnostics, elsewhere, &[], true);
    assert!(
        !unasked.iter().any(|x| x.title == title),
        "{title:?} offered away from its diagnostic without being asked"
    );
    fix
}

/// `title (code at range, ...) [preferred]`, then the text after the fix.
fn render_fix(f: &Fixture, diagnostics: &[Diagnostic], fix: &CodeFix, out_text: &str) -> String {
    let resolved: Vec<String> = fix
        .diagnostics
        .iter()
        .map(|i| {
            let d = &diagnostics[*i];
            format!("{} at {}", d.code.as_str(), span(&f.text, &d.range))
        })
        .collect();
    format!(
        "{} ({}){}\n{}",
        fix.title,
        resolved.join(", "),
        if fix.preferred { " preferred" } else { "" },
        show(out_text)
    )
}

/// How many diagnostics of each code a fix resolves.
fn resolved_codes(diagnostics: &[Diagnostic], fix: &CodeFix) -> Vec<(Code, usize)> {
    let mut codes: Vec<(Code, usize)> = Vec::new();
    for i in &fix.diagnostics {
        let code = diagnostics[*i].code;
        match codes.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += 1,
            None => codes.push((code, 1)),
        }
    }
    codes
}

fn count(diagnostics: &[Diagnostic], code: Code) -> usize {
    diagnostics.iter().filter(|d| d.code == code).count()
}

/// The real chant loads `out` as the fixture's spec: `chant show <id>`
/// succeeds in a project holding it (chant itself judges the fix, not our
/// reading of chant). Fails without the real chant, unless the run opted
/// out of it (`CHANT_LSP_SKIP_REAL_CHANT=1`, recorded).
fn assert_the_real_chant_loads(f: &Fixture, out: &str, title: &str) {
    use crate::real_chant::{chant_command, real_chant};
    let Some(chant) =
        real_chant("quick fixes and rewrites judged by the real chant (tests/ide/actions.rs)")
    else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let spec = root.path().join(f.rel(&f.path));
    std::fs::create_dir_all(spec.parent().unwrap()).unwrap();
    std::fs::write(
        root.path().join(".chant/config.md"),
        "---\nproject:\n  name: fixes\n---\n",
    )
    .unwrap();
    std::fs::write(&spec, out).unwrap();
    let output = chant_command(&chant, root.path(), home.path())
        .args(["show", &f.id])
        .output()
        .expect("chant show runs");
    assert!(
        output.status.success(),
        "the real chant does not load the spec after {title:?}: {}\n{out}",
        String::from_utf8_lossy(&output.stderr)
            .lines()
            .filter(|l| !l.starts_with("Warning"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Applies the fix and checks the result: accepted by chant (the real one,
/// and our reading of it), the resolved diagnostics gone.
fn check_fix_in(f: &Fixture, title: &str, expect: Expect) -> String {
    let before = f.diagnostics();
    let fix = find_fix(f, &before, title);
    let FixEffect::EditSpec(edits) = &fix.effect else {
        panic!("{title:?} does not edit the spec: {:?}", fix.effect);
    };
    let out = apply(&f.text, edits);
    expect.assert_eq(&render_fix(f, &before, &fix, &out));
    assert!(
        SpecModel::parse(&out).chant_accepts(),
        "chant does not accept the result:\n{out}"
    );
    assert_the_real_chant_loads(f, &out, title);
    let after = diagnose(&f.index, &f.id, &f.path, &out);
    for (code, n) in resolved_codes(&before, &fix) {
        assert_eq!(
            count(&after, code),
            count(&before, code) - n,
            "{} not resolved by {title:?}: {after:#?}",
            code.as_str()
        );
    }
    out
}

fn check_fix(fixture: &str, title: &str, expect: Expect) -> String {
    check_fix_in(&Fixture::new(fixture), title, expect)
}

fn check_fix_crlf(fixture: &str, title: &str, expect: Expect) -> String {
    check_fix_in(&Fixture::crlf(fixture), title, expect)
}

/// The diagnostics at the cursor (`[code, ...]`), then the titles of the
/// quick fixes and rewrites offered there.
fn offered(fixture: &str) -> String {
    let f = Fixture::new(fixture);
    let diagnostics = f.diagnostics();
    let here: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d.range.start <= f.cursor.end && f.cursor.start <= d.range.end)
        .map(|d| d.code.as_str())
        .collect();
    let fixes = quick_fixes(&f.view(), &diagnostics, f.cursor.clone(), &[], true);
    let mut out = format!("[{}]\n", here.join(", "));
    out.extend(fixes.iter().map(|x| format!("{}\n", x.title)));
    for r in rewrites(&f.view(), f.cursor.clone(), &diagnostics, &fixes) {
        out.push_str(&format!("(rewrite) {}\n", r.title));
    }
    out
}

// ---------------------------------------------------------------------------
// Replace a value
// ---------------------------------------------------------------------------

#[test]
fn fix_a_status_typo() {
    check_fix(
        r#"
        ---
        status: pen$0dng
        ---
        # T

        ## Acceptance Criteria

        - [ ] works
        "#,
        "Change to `pending`",
        expect![[r#"
            Change to `pending` (chant/unknown-status at 1:8-1:14) preferred
            ---
            status: pending
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn fix_a_status_written_as_a_word_users_mean() {
    check_fix(
        r#"
        ---
        status: "do$0ne"
        ---
        # T

        ## Acceptance Criteria

        - [x] works
        "#,
        "Change to `completed`",
        expect![[r#"
            Change to `completed` (chant/unknown-status at 1:8-1:14) preferred
            ---
            status: completed
            ---
            # T

            ## Acceptance Criteria

            - [x] works
        "#]],
    );
}

#[test]
fn fix_a_type_typo() {
    check_fix(
        r#"
        ---
        type: reserch$0
        informed_by: [docs/guide.md]
        ---
        # T

        ## Acceptance Criteria

        - [ ] works
        "#,
        "Change to `research`",
        expect![[r#"
            Change to `research` (chant/unknown-type at 1:6-1:13) preferred
            ---
            type: research
            informed_by: [docs/guide.md]
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn fix_an_approval_status_typo() {
    check_fix(
        r#"
        ---
        approval:
          required: true
          status: aproved$0
          by: Ada
          at: 2026-01-01T00:00:00Z
        ---
        # T

        ## Acceptance Criteria

        - [ ] works
        "#,
        "Change to `approved`",
        expect![[r#"
            Change to `approved` (chant/unknown-approval-status at 3:10-3:17) preferred
            ---
            approval:
              required: true
              status: approved
              by: Ada
              at: 2026-01-01T00:00:00Z
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn fix_a_verification_status_typo() {
    check_fix(
        r#"
        ---
        verification_status: $0Passed
        ---
        # T

        ## Acceptance Criteria

        - [ ] works
        "#,
        "Change to `passed`",
        expect![[r#"
            Change to `passed` (chant/unknown-verification-status at 1:21-1:27) preferred
            ---
            verification_status: passed
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn fix_status_ready() {
    check_fix(
        r#"
        ---
        status: read$0y
        ---
        # T

        ## Acceptance Criteria

        - [ ] works
        "#,
        "Change to `pending`",
        expect![[r#"
            Change to `pending` (chant/ready-status at 1:8-1:13) preferred
            ---
            status: pending
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn fix_a_prompt_typo_inside_its_quotes() {
    check_fix(
        r#"
        ---
        prompt: "standrd$0"
        ---
        # T

        ## Acceptance Criteria

        - [ ] works
        "#,
        "Change to `standard`",
        expect![[r#"
            Change to `standard` (chant/unknown-prompt at 1:8-1:17) preferred
            ---
            prompt: "standard"
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn fix_a_dependency_typo_in_a_flow_list() {
    check_fix(
        r#"
        ---
        depends_on: [2026-01-01-001-abc, 2026-01-02-001-deg$0]
        ---
        # T

        ## Acceptance Criteria

        - [ ] works
        "#,
        "Change to `2026-01-02-001-def`",
        expect![[r#"
            Change to `2026-01-02-001-def` (chant/unknown-dependency at 1:33-1:51) preferred
            ---
            depends_on: [2026-01-01-001-abc, 2026-01-02-001-def]
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn fix_a_dependency_typo_in_a_block_list_and_as_a_string() {
    check_fix(
        r#"
        ---
        depends_on:
          - '2026-01-01-001-abd$0'
        ---
        # T

        ## Acceptance Criteria

        - [ ] works
        "#,
        "Change to `2026-01-01-001-abc`",
        expect![[r#"
            Change to `2026-01-01-001-abc` (chant/unknown-dependency at 2:5-2:23) preferred
            ---
            depends_on:
              - '2026-01-01-001-abc'
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
    check_fix(
        r#"
        ---
        depends_on: 2026-01-01-001-abx$0
        ---
        # T

        ## Acceptance Criteria

        - [ ] works
        "#,
        "Change to `2026-01-01-001-abc`",
        expect![[r#"
            Change to `2026-01-01-001-abc` (chant/unknown-dependency at 1:12-1:30) preferred
            ---
            depends_on: 2026-01-01-001-abc
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

// ---------------------------------------------------------------------------
// Rename a key
// ---------------------------------------------------------------------------

#[test]
fn fix_a_misspelt_key() {
    check_fix(
        r#"
        ---
        depnds_on$0: [2026-01-01-001-abc]
        ---
        # T

        ## Acceptance Criteria

        - [ ] works
        "#,
        "Rename to `depends_on`",
        expect![[r#"
            Rename to `depends_on` (chant/unknown-key at 1:0-1:9) preferred
            ---
            depends_on: [2026-01-01-001-abc]
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn fix_a_key_written_as_people_say_it() {
    check_fix(
        r#"
        ---
        tags$0: [ui]
        ---
        # T

        ## Acceptance Criteria

        - [ ] works
        "#,
        "Rename to `labels`",
        expect![[r#"
            Rename to `labels` (chant/unknown-key at 1:0-1:4) preferred
            ---
            labels: [ui]
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn fix_a_misspelt_key_inside_approval() {
    check_fix(
        r#"
        ---
        approval:
          requird$0: false
        ---
        # T

        ## Acceptance Criteria

        - [ ] works
        "#,
        "Rename to `required`",
        expect![[r#"
            Rename to `required` (chant/unknown-key at 2:2-2:9) preferred
            ---
            approval:
              required: false
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

// ---------------------------------------------------------------------------
// Add a field the config requires
// ---------------------------------------------------------------------------

/// A project whose config requires `field`, and the current spec.
fn requiring(field: &str, spec: &str) -> String {
    format!(
        "//- /.chant/config.md\n---\nenterprise:\n  required: [{field}]\n---\n# Config\n//- /.chant/prompts/standard.md\nx\n//- /{}\n{spec}",
        crate::fixture::CURRENT
    )
}

const SPEC: &str = "---$0\nstatus: pending\n---\n# T\n\n## Acceptance Criteria\n\n- [ ] works\n";

#[test]
fn add_a_required_list() {
    check_fix(
        &requiring("labels", SPEC),
        "Add `labels`",
        expect![[r#"
            Add `labels` (chant/missing-required-field at 0:0-0:3) preferred
            ---
            status: pending
            labels: []
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn add_a_required_string() {
    check_fix(
        &requiring("model", SPEC),
        "Add `model`",
        expect![[r#"
            Add `model` (chant/missing-required-field at 0:0-0:3) preferred
            ---
            status: pending
            model: ""
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

/// chant never counts `public`, `retry_state` or `derived_fields` as
/// present for `enterprise.required`: adding them cannot help, so no fix.
#[test]
fn no_fix_for_required_fields_chant_never_counts() {
    for name in ["public", "retry_state", "derived_fields"] {
        let f = Fixture::new(&requiring(name, SPEC));
        let d = f
            .diagnostics()
            .into_iter()
            .find(|d| d.code == Code::MissingRequiredField)
            .unwrap_or_else(|| panic!("{name}: no missing-required-field"));
        assert!(d.fix.is_none(), "{name}: {:?}", d.fix);
    }
}

#[test]
fn add_a_required_boolean_number_and_enum() {
    check_fix(
        &requiring("replay_count", SPEC),
        "Add `replay_count`",
        expect![[r#"
            Add `replay_count` (chant/missing-required-field at 0:0-0:3) preferred
            ---
            status: pending
            replay_count: 0
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
    check_fix(
        &requiring("verification_status", SPEC),
        "Add `verification_status`",
        expect![[r#"
            Add `verification_status` (chant/missing-required-field at 0:0-0:3) preferred
            ---
            status: pending
            verification_status: passed
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn add_required_maps() {
    check_fix(
        &requiring("approval", SPEC),
        "Add `approval`",
        expect![[r#"
            Add `approval` (chant/missing-required-field at 0:0-0:3) preferred
            ---
            status: pending
            approval: {}
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn add_a_required_field_to_a_spec_without_frontmatter() {
    check_fix(
        &requiring(
            "depends_on",
            "# T$0\n\n## Acceptance Criteria\n\n- [ ] works\n",
        ),
        "Add `depends_on`",
        expect![[r#"
            Add `depends_on` (chant/missing-required-field at 0:0-0:3) preferred
            ---
            depends_on: []
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn add_a_required_field_in_the_files_line_breaks() {
    let fixture = requiring("labels", SPEC);
    let f = Fixture::with(
        &fixture,
        Options {
            crlf: true,
            ..Options::default()
        },
    );
    check_fix_in(
        &f,
        "Add `labels`",
        expect![[r#"
            Add `labels` (chant/missing-required-field at 0:0-0:3) preferred
            ---␍
            status: pending␍
            labels: []␍
            ---␍
            # T␍
            ␍
            ## Acceptance Criteria␍
            ␍
            - [ ] works␍
        "#]],
    );
}

// ---------------------------------------------------------------------------
// Title and criteria
// ---------------------------------------------------------------------------

#[test]
fn add_a_title() {
    check_fix(
        r#"
        $0---
        status: pending
        ---
        Just prose.

        ## Acceptance Criteria

        - [ ] works
        "#,
        "Add a title",
        expect![[r#"
            Add a title (chant/missing-title at 0:0-0:3) preferred
            ---
            status: pending
            ---
            # Title

            Just prose.

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn add_a_title_to_a_file_without_frontmatter() {
    check_fix(
        r#"
        Pro$0se only.

        ## Acceptance Criteria

        - [ ] works
        "#,
        "Add a title",
        expect![[r#"
            Add a title (chant/missing-title at 0:0-0:11) preferred
            # Title

            Prose only.

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn add_a_criterion_and_its_section() {
    check_fix(
        r#"
        ---
        status: pending
        ---
        # T$0

        Some words.
        "#,
        "Add an acceptance criterion",
        expect![[r#"
            Add an acceptance criterion (chant/no-criteria at 3:0-3:3) preferred
            ---
            status: pending
            ---
            # T

            Some words.

            ## Acceptance Criteria

            - [ ]␠
        "#]],
    );
}

#[test]
fn add_a_criterion_under_an_empty_section() {
    check_fix(
        r#"
        ---
        status: pending
        ---
        # T

        ## Acceptance $0Criteria

        ## Notes
        "#,
        "Add an acceptance criterion",
        expect![[r#"
            Add an acceptance criterion (chant/no-criteria at 5:0-5:22) preferred
            ---
            status: pending
            ---
            # T

            ## Acceptance Criteria

            - [ ]␠

            ## Notes
        "#]],
    );
}

#[test]
fn tick_a_criterion() {
    let out = check_fix(
        r#"
        ---
        status: pending
        ---
        # T

        ## Acceptance Criteria

        - [x] one
        - [ ] t$0wo
          - [ ] nested
        "#,
        "Tick this criterion",
        expect![[r#"
            Tick this criterion (chant/unchecked-criterion at 8:0-8:9) preferred
            ---
            status: pending
            ---
            # T

            ## Acceptance Criteria

            - [x] one
            - [x] two
              - [ ] nested
        "#]],
    );
    assert_eq!(SpecModel::parse(&out).body.unchecked_count(), 1);
}

/// A spec whose criteria section ends with `line`, the cursor on it.
fn with_criterion(line: &str) -> String {
    format!("---\nstatus: pending\n---\n# T\n\n## Acceptance Criteria\n\n- [ ] counted\n{line}$0\n")
}

#[test]
fn count_a_checkbox_chant_skips() {
    let title = "Write it as `- [ ]`";
    check_fix(
        &with_criterion("* [ ] star"),
        title,
        expect![[r#"
            Write it as `- [ ]` (chant/uncounted-checkbox at 8:0-8:10) preferred
            ---
            status: pending
            ---
            # T

            ## Acceptance Criteria

            - [ ] counted
            - [ ] star
        "#]],
    );
    check_fix(
        &with_criterion("+ [x] plus"),
        title,
        expect![[r#"
            Write it as `- [ ]` (chant/uncounted-checkbox at 8:0-8:10) preferred
            ---
            status: pending
            ---
            # T

            ## Acceptance Criteria

            - [ ] counted
            - [x] plus
        "#]],
    );
    check_fix(
        &with_criterion("1. [ ] numbered"),
        title,
        expect![[r#"
            Write it as `- [ ]` (chant/uncounted-checkbox at 8:0-8:15) preferred
            ---
            status: pending
            ---
            # T

            ## Acceptance Criteria

            - [ ] counted
            - [ ] numbered
        "#]],
    );
    check_fix(
        &with_criterion("-[ ] tight"),
        title,
        expect![[r#"
            Write it as `- [ ]` (chant/uncounted-checkbox at 8:0-8:10) preferred
            ---
            status: pending
            ---
            # T

            ## Acceptance Criteria

            - [ ] counted
            - [ ] tight
        "#]],
    );
}

#[test]
fn write_a_criteria_heading_as_chant_reads_it() {
    check_fix(
        r#"
        ---
        status: pending
        ---
        # T

        ### acceptance $0criteria

        - [ ] works
        "#,
        "Write it as `## Acceptance Criteria`",
        expect![[r#"
            Write it as `## Acceptance Criteria` (chant/ignored-criteria-heading at 5:0-5:23) preferred
            ---
            status: pending
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn close_a_fence_left_at_the_end_of_a_line() {
    check_fix(
        r#"
        ---
        status: pending
        ---
        # T

        $0```text
        output
        more output```

        ## Acceptance Criteria

        - [ ] works
        "#,
        "Put the closing ``` on its own line",
        expect![[r#"
            Put the closing ``` on its own line (chant/unclosed-fence at 5:0-5:7) preferred
            ---
            status: pending
            ---
            # T

            ```text
            output
            more output
            ```

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn remove_a_byte_order_mark() {
    check_fix(
        "\u{feff}$0---\nstatus: pending\n---\n# T\n\n## Acceptance Criteria\n\n- [ ] works\n",
        "Remove the byte order mark",
        expect![[r#"
            Remove the byte order mark (chant/byte-order-mark at 0:0-0:3) preferred
            ---
            status: pending
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

// ---------------------------------------------------------------------------
// Move mentioned spec IDs into `depends_on`
// ---------------------------------------------------------------------------

const MOVE_ABC: &str = "Move `2026-01-01-001-abc` into `depends_on`";

#[test]
fn move_a_mention_into_a_block_list() {
    check_fix(
        r#"
        ---
        depends_on:
          - 2026-01-02-001-def # login first
        status: pending
        ---
        # T

        Needs 2026-01-01$0-001-abc first.

        ## Acceptance Criteria

        - [ ] works
        "#,
        MOVE_ABC,
        expect![[r#"
            Move `2026-01-01-001-abc` into `depends_on` (chant/mentions-spec at 7:6-7:24)
            ---
            depends_on:
              - 2026-01-02-001-def # login first
              - 2026-01-01-001-abc
            status: pending
            ---
            # T

            Needs first.

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn move_a_mention_into_a_flow_list() {
    check_fix(
        r#"
        ---
        depends_on: ['2026-01-02-001-def']
        ---
        # T

        - 2026-01-01-001-abc$0
        - other work

        ## Acceptance Criteria

        - [ ] works
        "#,
        MOVE_ABC,
        expect![[r#"
            Move `2026-01-01-001-abc` into `depends_on` (chant/mentions-spec at 5:2-5:20)
            ---
            depends_on: ['2026-01-02-001-def', '2026-01-01-001-abc']
            ---
            # T

            - other work

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn move_a_mention_next_to_a_dependency_written_as_a_string() {
    check_fix(
        r#"
        ---
        depends_on: 2026-01-02-001-def
        ---
        # T

        After $02026-01-01-001-abc, and again 2026-01-01-001-abc.

        ## Acceptance Criteria

        - [ ] works
        "#,
        MOVE_ABC,
        expect![[r#"
            Move `2026-01-01-001-abc` into `depends_on` (chant/mentions-spec at 5:6-5:24, chant/mentions-spec at 5:36-5:54)
            ---
            depends_on: [2026-01-02-001-def, 2026-01-01-001-abc]
            ---
            # T

            After, and again.

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn move_a_mention_into_an_empty_depends_on() {
    check_fix(
        r#"
        ---
        depends_on:
        type: code
        ---
        # T

        See 2026-01-01-001-abc$0.

        ## Acceptance Criteria

        - [ ] works
        "#,
        MOVE_ABC,
        expect![[r#"
            Move `2026-01-01-001-abc` into `depends_on` (chant/mentions-spec at 6:4-6:22)
            ---
            depends_on:
            - 2026-01-01-001-abc
            type: code
            ---
            # T

            See.

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn move_a_mention_into_an_empty_flow_list() {
    check_fix(
        r#"
        ---
        depends_on: [] # none yet
        ---
        # T

        See 2026-01-01-001-abc$0.

        ## Acceptance Criteria

        - [ ] works
        "#,
        MOVE_ABC,
        expect![[r#"
            Move `2026-01-01-001-abc` into `depends_on` (chant/mentions-spec at 5:4-5:22)
            ---
            depends_on: [2026-01-01-001-abc] # none yet
            ---
            # T

            See.

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn move_a_mention_into_a_new_depends_on() {
    check_fix(
        r#"
        ---
        labels: [ui]
        ---
        # T

        See 2026-01-01-001-abc$0.

        ## Acceptance Criteria

        - [ ] works
        "#,
        MOVE_ABC,
        expect![[r#"
            Move `2026-01-01-001-abc` into `depends_on` (chant/mentions-spec at 5:4-5:22)
            ---
            labels: [ui]
            depends_on: [2026-01-01-001-abc]
            ---
            # T

            See.

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn move_a_mention_into_a_new_frontmatter() {
    check_fix(
        r#"
        # T

        2026-01-01-001-abc$0

        ## Acceptance Criteria

        - [ ] works
        "#,
        MOVE_ABC,
        expect![[r#"
            Move `2026-01-01-001-abc` into `depends_on` (chant/mentions-spec at 2:0-2:18)
            ---
            depends_on:
            - 2026-01-01-001-abc
            ---
            # T


            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn move_a_mention_in_a_crlf_file() {
    check_fix_crlf(
        r#"
        ---
        depends_on:
        - 2026-01-02-001-def
        ---
        # T

        Needs 2026-01-01-001-abc$0 first.

        ## Acceptance Criteria

        - [ ] works
        "#,
        MOVE_ABC,
        expect![[r#"
            Move `2026-01-01-001-abc` into `depends_on` (chant/mentions-spec at 6:6-6:24)
            ---␍
            depends_on:␍
            - 2026-01-02-001-def␍
            - 2026-01-01-001-abc␍
            ---␍
            # T␍
            ␍
            Needs first.␍
            ␍
            ## Acceptance Criteria␍
            ␍
            - [ ] works␍
        "#]],
    );
}

#[test]
fn move_a_mention_already_in_depends_on_only_removes_it() {
    check_fix(
        r#"
        ---
        depends_on: [2026-01-01-001-abc]
        ---
        # T

        Needs 2026-01-01-001-abc$0 first.

        ## Acceptance Criteria

        - [ ] works
        "#,
        MOVE_ABC,
        expect![[r#"
            Move `2026-01-01-001-abc` into `depends_on` (chant/mentions-spec at 5:6-5:24)
            ---
            depends_on: [2026-01-01-001-abc]
            ---
            # T

            Needs first.

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn move_all_mentioned_ids() {
    check_fix(
        r#"
        ---
        status: pending
        ---
        # T

        Needs 2026-01-01-001-abc$0 and 2026-01-02-001-def.
        - 2026-01-01-001-abc

        ## Acceptance Criteria

        - [ ] works
        "#,
        "Move all 2 mentioned spec IDs into `depends_on`",
        expect![[r#"
            Move all 2 mentioned spec IDs into `depends_on` (chant/mentions-spec at 5:6-5:24, chant/mentions-spec at 5:29-5:47, chant/mentions-spec at 6:2-6:20)
            ---
            status: pending
            depends_on:
            - 2026-01-01-001-abc
            - 2026-01-02-001-def
            ---
            # T

            Needs and.

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn what_is_offered_on_mentions() {
    // One ID: no "Move all".
    expect![[r#"
        [chant/mentions-spec]
        Move `2026-01-01-001-abc` into `depends_on`
    "#]]
    .assert_eq(&offered(
        "---\n---\n# T\n\nSee 2026-01-01-001-abc$0.\n\n## Acceptance Criteria\n\n- [ ] a\n",
    ));
    // A spec chant does not find: nothing to move.
    expect![[r#"
        [chant/mentions-spec]
    "#]]
    .assert_eq(&offered(
        "---\n---\n# T\n\nSee 2026-01-09-001-zzz$0.\n\n## Acceptance Criteria\n\n- [ ] a\n",
    ));
    // A frontmatter that is not closed: nothing is added to it.
    expect![[r#"
        [chant/mentions-spec]
    "#]]
    .assert_eq(&offered(
        "---\nstatus: pending\n# T\n\nSee 2026-01-01-001-abc$0.\n",
    ));
}

// ---------------------------------------------------------------------------
// Create a missing file
// ---------------------------------------------------------------------------

fn check_create(fixture: &str, expect: Expect) {
    let mut f = Fixture::new(fixture);
    let before = f.diagnostics();
    let at_cursor = quick_fixes(&f.view(), &before, f.cursor.clone(), &[], true);
    let fix = at_cursor
        .iter()
        .find(|x| x.title.starts_with("Create "))
        .unwrap_or_else(|| panic!("no Create fix; offered: {:?}", titles(&at_cursor)))
        .clone();
    let elsewhere = away_from(&f.text, &before);
    assert!(quick_fixes(
        &f.view(),
        &before,
        elsewhere.clone(),
        &fix.diagnostics,
        true
    )
    .contains(&fix));
    assert!(!quick_fixes(&f.view(), &before, elsewhere, &[], true).contains(&fix));
    // A client that cannot create files is not offered it.
    assert!(!quick_fixes(&f.view(), &before, f.cursor.clone(), &[], false).contains(&fix));
    let FixEffect::CreateFile { path, content } = &fix.effect else {
        panic!("{:?}", fix.effect)
    };
    assert_eq!(content, "", "a missing file is created empty");
    expect.assert_eq(&format!(
        "{}creates {}\n",
        render_fix(&f, &before, &fix, ""),
        f.rel(path)
    ));
    f.fs.write(path, "");
    f.reindex();
    let after = f.diagnostics();
    assert_eq!(
        count(&after, Code::MissingFile),
        count(&before, Code::MissingFile) - 1,
        "{after:#?}"
    );
}

#[test]
fn create_a_missing_file_in_informed_by() {
    check_create(
        r#"
        ---
        informed_by:
          - docs/research/not$0es.md
          - docs/also-missing.md
        ---
        # T

        ## Acceptance Criteria

        - [ ] works
        "#,
        expect![[r#"
            Create `docs/research/notes.md` (chant/missing-file at 2:4-2:26)
            creates docs/research/notes.md
        "#]],
    );
}

#[test]
fn create_a_missing_file_in_context_and_origin() {
    check_create(
        "---\ncontext: [\"src/new file$0.rs\"]\n---\n# T\n\n## Acceptance Criteria\n\n- [ ] a\n",
        expect![[r#"
            Create `src/new file.rs` (chant/missing-file at 1:11-1:26)
            creates src/new file.rs
        "#]],
    );
    check_create(
        "---\ntype: research\norigin: [data.csv$0]\n---\n# T\n\n## Acceptance Criteria\n\n- [ ] a\n",
        expect![[r#"
            Create `data.csv` (chant/missing-file at 2:9-2:17)
            creates data.csv
        "#]],
    );
}

#[test]
fn no_create_for_folders_or_paths_out_of_the_project() {
    expect![[r#"
        [chant/missing-file]
    "#]]
    .assert_eq(&offered(
        "---\ninformed_by: [docs/new/$0]\n---\n# T\n\n## Acceptance Criteria\n\n- [ ] a\n",
    ));
    expect![[r#"
        [chant/path-outside-root]
    "#]]
    .assert_eq(&offered(
        "---\ninformed_by: [../outside.md$0]\n---\n# T\n\n## Acceptance Criteria\n\n- [ ] a\n",
    ));
}

// ---------------------------------------------------------------------------
// A missing prompt: create it from a template, or use another one
// ---------------------------------------------------------------------------

/// A spec chant would work, but for its prompt.
fn with_prompt(value: &str) -> String {
    format!("---\nstatus: pending\nprompt: {value}\n---\n# T\n\n## Acceptance Criteria\n\n- [ ] works\n")
}

/// Whether "Work this spec" is offered and, if not, why.
fn work_offer(f: &Fixture) -> Option<String> {
    commands(&f.view())
        .into_iter()
        .find(|o| o.title == "Work this spec")
        .expect("Work this spec is always offered")
        .refused
}

#[test]
fn a_missing_prompt_offers_to_create_it_and_every_prompt_for_work() {
    expect![[r#"
        [chant/unknown-prompt]
        Create prompt `triage` (.chant/prompts/triage.md)
        Use prompt `standard`
        Use prompt `research`
    "#]]
    .assert_eq(&offered(&with_prompt("tri$0age")));
    // Nearest first: `reviewer` (one letter from `review`) is the
    // diagnostic's own did-you-mean, `revise` two letters away; chant's
    // `split` prompt is not for work.
    expect![[r#"
        [chant/unknown-prompt]
        Change to `reviewer`
        Create prompt `review` (.chant/prompts/review.md)
        Use prompt `revise`
        Use prompt `research`
        Use prompt `standard`
    "#]]
    .assert_eq(&offered(&format!(
        "//- /.chant/prompts/revise.md\nRevise.\n//- /.chant/prompts/reviewer.md\nReview.\n//- /.chant/prompts/split.md\nSplit.\n//- /{CURRENT}\n{}",
        with_prompt("$0review")
    )));
}

#[test]
fn the_did_you_mean_fix_stays_first_and_is_not_offered_twice() {
    expect![[r#"
        [chant/unknown-prompt]
        Change to `standard`
        Create prompt `standrd` (.chant/prompts/standrd.md) from the generic template
        Use prompt `research`
    "#]]
    .assert_eq(&offered(&with_prompt("standrd$0")));
    let f = Fixture::new(&with_prompt("standrd$0"));
    let diagnostics = f.diagnostics();
    let fixes = quick_fixes(&f.view(), &diagnostics, f.cursor.clone(), &[], true);
    assert!(fixes[0].preferred);
    assert!(fixes[1..].iter().all(|x| !x.preferred));
}

/// The "Create prompt" fix at the cursor: its title, what it resolves, the
/// file and its text; then, once the file is there, the diagnostic is gone
/// and "Work this spec" is offered again.
fn check_create_prompt(mut f: Fixture, expect: Expect) -> String {
    let before = f.diagnostics();
    let fixes = quick_fixes(&f.view(), &before, f.cursor.clone(), &[], true);
    let fix = fixes
        .iter()
        .find(|x| x.title.starts_with("Create prompt "))
        .unwrap_or_else(|| panic!("no Create prompt; offered: {:?}", titles(&fixes)))
        .clone();
    assert_eq!(find_fix(&f, &before, &fix.title), fix);
    assert!(!fix.preferred);
    assert!(
        !quick_fixes(&f.view(), &before, f.cursor.clone(), &[], false).contains(&fix),
        "offered to a client that cannot create files"
    );
    let FixEffect::CreateFile { path, content } = &fix.effect else {
        panic!("{:?}", fix.effect)
    };
    let name = f.model.values().prompt.clone().unwrap();
    let eol = if f.text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    assert_eq!(*content, prompt_templates::prompt_file(&name, eol).text);
    let head: String = content.split_inclusive('\n').take(6).collect();
    expect.assert_eq(&format!(
        "{}creates {}\n{}",
        render_fix(&f, &before, &fix, ""),
        f.rel(path),
        show(&head)
    ));
    assert!(work_offer(&f)
        .unwrap()
        .starts_with(&format!("Prompt not found: {name}.")));
    f.fs.write(path, content);
    f.reindex();
    let after = f.diagnostics();
    assert_eq!(count(&after, Code::UnknownPrompt), 0, "{after:#?}");
    assert_eq!(work_offer(&f), None);
    assert_eq!(
        f.index
            .prompt(&name)
            .and_then(|p| p.purpose.clone())
            .as_deref(),
        Some(prompt_templates::kind_for(&name).purpose())
    );
    content.clone()
}

#[test]
fn create_a_prompt_from_the_template_of_its_kind() {
    let content = check_create_prompt(
        Fixture::new(&with_prompt("triage$0")),
        expect![[r#"
            Create prompt `triage` (.chant/prompts/triage.md) (chant/unknown-prompt at 2:8-2:14)
            creates .chant/prompts/triage.md
            ---
            name: triage
            purpose: Assess an issue report and recommend the next step
            # Written by chant-lsp from its triage template: make it yours.
            ---

        "#]],
    );
    assert!(content.contains("\n# Triage\n\nYou are triaging an issue for {{project.name}}"));
    check_create_prompt(
        Fixture::new(&with_prompt("\"implementation$0\"")),
        expect![[r#"
            Create prompt `implementation` (.chant/prompts/implementation.md) from the implement template (chant/unknown-prompt at 2:8-2:24)
            creates .chant/prompts/implementation.md
            ---
            name: implementation
            purpose: Implement a change, with tests, as its spec and findings describe
            # Written by chant-lsp from its implement template: make it yours.
            ---

        "#]],
    );
    check_create_prompt(
        Fixture::new(&with_prompt("Code-Review$0")),
        expect![[r#"
            Create prompt `Code-Review` (.chant/prompts/Code-Review.md) from the review template (chant/unknown-prompt at 2:8-2:19)
            creates .chant/prompts/Code-Review.md
            ---
            name: Code-Review
            purpose: Review a change and give a verdict
            # Written by chant-lsp from its review template: make it yours.
            ---

        "#]],
    );
    check_create_prompt(
        Fixture::new(&with_prompt("'2024$0'")),
        expect![[r#"
            Create prompt `2024` (.chant/prompts/2024.md) from the generic template (chant/unknown-prompt at 2:8-2:14)
            creates .chant/prompts/2024.md
            ---
            name: "2024"
            purpose: Work a spec as it describes
            # Written by chant-lsp from its generic template: make it yours.
            ---

        "#]],
    );
}

#[test]
fn a_prompt_created_for_a_crlf_spec_has_crlf_line_breaks() {
    let content = check_create_prompt(
        Fixture::crlf(&with_prompt("reproduce$0")),
        expect![[r#"
            Create prompt `reproduce` (.chant/prompts/reproduce.md) (chant/unknown-prompt at 2:8-2:17)
            creates .chant/prompts/reproduce.md
            ---␍
            name: reproduce␍
            purpose: Write the smallest failing test that reproduces a reported problem␍
            # Written by chant-lsp from its reproduce template: make it yours.␍
            ---␍
            ␍
        "#]],
    );
    assert!(!content.replace("\r\n", "").contains('\n'));
}

#[test]
fn no_create_for_names_that_are_no_safe_file_name_or_files_that_exist() {
    for value in ["\"../outside\"", "\"my prompt\"", "\"-x\"", "'a/b'"] {
        let mut fixture = with_prompt(value);
        fixture = fixture.replacen("prompt: ", "prompt: $0", 1);
        let f = Fixture::new(&fixture);
        let diagnostics = f.diagnostics();
        assert_eq!(count(&diagnostics, Code::UnknownPrompt), 1, "{value}");
        let fixes = quick_fixes(&f.view(), &diagnostics, f.cursor.clone(), &[], true);
        let mut offered = titles(&fixes);
        offered.sort();
        assert_eq!(
            offered,
            ["Use prompt `research`", "Use prompt `standard`"],
            "{value}"
        );
    }
    // A file the index does not know yet (it is being written) is never
    // overwritten.
    let f = Fixture::new(&with_prompt("triage$0"));
    f.fs.write(&f.abs(".chant/prompts/triage.md"), "mine\n");
    let diagnostics = f.diagnostics();
    let fixes = quick_fixes(&f.view(), &diagnostics, f.cursor.clone(), &[], true);
    assert_eq!(
        titles(&fixes),
        ["Use prompt `standard`", "Use prompt `research`"]
    );
}

#[test]
fn use_another_prompt() {
    check_fix(
        &with_prompt("tri$0age"),
        "Use prompt `research`",
        expect![[r#"
            Use prompt `research` (chant/unknown-prompt at 2:8-2:14)
            ---
            status: pending
            prompt: research
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
    check_fix(
        &with_prompt("'tri$0age'  # the first phase"),
        "Use prompt `standard`",
        expect![[r#"
            Use prompt `standard` (chant/unknown-prompt at 2:8-2:16)
            ---
            status: pending
            prompt: 'standard'  # the first phase
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
    // A name YAML would read as a number is quoted.
    check_fix(
        &format!(
            "//- /.chant/prompts/2024.md\nNew.\n//- /{CURRENT}\n{}",
            with_prompt("tri$0age")
        ),
        "Use prompt `2024`",
        expect![[r#"
            Use prompt `2024` (chant/unknown-prompt at 2:8-2:14)
            ---
            status: pending
            prompt: "2024"
            ---
            # T

            ## Acceptance Criteria

            - [ ] works
        "#]],
    );
}

#[test]
fn use_another_prompt_in_a_crlf_spec() {
    check_fix_crlf(
        &with_prompt("\"deploy$0\""),
        "Use prompt `standard`",
        expect![[r#"
            Use prompt `standard` (chant/unknown-prompt at 2:8-2:16)
            ---␍
            status: pending␍
            prompt: "standard"␍
            ---␍
            # T␍
            ␍
            ## Acceptance Criteria␍
            ␍
            - [ ] works␍
        "#]],
    );
}

// ---------------------------------------------------------------------------
// Rewrites: tick and untick
// ---------------------------------------------------------------------------

/// The rewrite titled `title` at the cursor, applied (`fixes`: the quick
/// fixes already offered, as the server passes them).
fn check_rewrite(fixture: &str, with_fixes: bool, title: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    let diagnostics = f.diagnostics();
    let fixes = if with_fixes {
        quick_fixes(&f.view(), &diagnostics, f.cursor.clone(), &[], true)
    } else {
        Vec::new()
    };
    let offered = rewrites(&f.view(), f.cursor.clone(), &diagnostics, &fixes);
    let rewrite = offered
        .iter()
        .find(|r| r.title == title)
        .unwrap_or_else(|| panic!("no {title:?}; offered {:?}", titles(&offered)));
    assert_eq!(rewrite.category, FixCategory::Rewrite);
    assert!(rewrite.diagnostics.is_empty() && !rewrite.preferred);
    let FixEffect::EditSpec(edits) = &rewrite.effect else {
        panic!()
    };
    let out = apply(&f.text, edits);
    assert!(SpecModel::parse(&out).chant_accepts());
    assert_the_real_chant_loads(&f, &out, title);
    expect.assert_eq(&show(&out));
}

const CRITERIA: &str = r#"
---
status: pending
---
# T

## Acceptance Criteria

- [x] done
- [ ] open
  - [X] nested, done
- [ ] also open
"#;

#[test]
fn untick_a_criterion() {
    check_rewrite(
        &CRITERIA.replacen("done\n", "do$0ne\n", 1),
        true,
        "Untick this criterion",
        expect![[r#"
            ---
            status: pending
            ---
            # T

            ## Acceptance Criteria

            - [ ] done
            - [ ] open
              - [X] nested, done
            - [ ] also open
        "#]],
    );
}

#[test]
fn tick_a_criterion_as_a_rewrite_when_no_quick_fix_does() {
    let fixture = CRITERIA.replace("- [ ] open", "- [ ] op$0en");
    check_rewrite(
        &fixture,
        false,
        "Tick this criterion",
        expect![[r#"
            ---
            status: pending
            ---
            # T

            ## Acceptance Criteria

            - [x] done
            - [x] open
              - [X] nested, done
            - [ ] also open
        "#]],
    );
    // With the quick fix there, it is offered once, as the quick fix.
    expect![[r#"
        [chant/unchecked-criterion]
        Tick this criterion
    "#]]
    .assert_eq(&offered(&fixture));
}

#[test]
fn tick_and_untick_all_on_the_heading() {
    let fixture = CRITERIA.replace("## Acceptance", "## Accep$0tance");
    check_rewrite(
        &fixture,
        true,
        "Tick all 2 open criteria",
        expect![[r#"
            ---
            status: pending
            ---
            # T

            ## Acceptance Criteria

            - [x] done
            - [x] open
              - [X] nested, done
            - [x] also open
        "#]],
    );
    check_rewrite(
        &fixture,
        true,
        "Untick all 2 ticked criteria",
        expect![[r#"
            ---
            status: pending
            ---
            # T

            ## Acceptance Criteria

            - [ ] done
            - [ ] open
              - [ ] nested, done
            - [ ] also open
        "#]],
    );
}

#[test]
fn tick_the_one_open_criterion() {
    check_rewrite(
        "---\nstatus: pending\n---\n# T\n\n## Acceptance $0Criteria\n\n- [ ] a\n- [x] b\n",
        true,
        "Tick the 1 open criterion",
        expect![[r#"
            ---
            status: pending
            ---
            # T

            ## Acceptance Criteria

            - [x] a
            - [x] b
        "#]],
    );
}

#[test]
fn tick_all_in_a_crlf_file() {
    let f = Fixture::crlf(&CRITERIA.replace("## Acceptance", "$0## Acceptance"));
    let diagnostics = f.diagnostics();
    let offered = rewrites(&f.view(), f.cursor.clone(), &diagnostics, &[]);
    let tick = offered
        .iter()
        .find(|r| r.title.starts_with("Tick all"))
        .unwrap();
    let FixEffect::EditSpec(edits) = &tick.effect else {
        panic!()
    };
    expect![[r#"
        ---␍
        status: pending␍
        ---␍
        # T␍
        ␍
        ## Acceptance Criteria␍
        ␍
        - [x] done␍
        - [x] open␍
          - [X] nested, done␍
        - [x] also open␍
    "#]]
    .assert_eq(&show(&apply(&f.text, edits)));
}

#[test]
fn no_rewrites_off_the_criteria() {
    expect![[r#"
        [chant/quality-confidence]
    "#]]
    .assert_eq(&offered(&CRITERIA.replace("# T", "# $0T")));
    // All ticked: nothing to tick on the heading.
    expect![[r#"
        [chant/quality-criteria]
        Add an acceptance criterion
        (rewrite) Untick the 1 ticked criterion
    "#]]
    .assert_eq(&offered(
        "---\nstatus: pending\n---\n# T\n\n## Acceptance $0Criteria\n\n- [x] a\n",
    ));
}

// ---------------------------------------------------------------------------
// Line breaks of a CRLF file in the fixes that insert lines
// ---------------------------------------------------------------------------
//
// These fixes come from `analysis` (`criteria.rs`, `lint.rs`): the text
// they insert uses the file's own line break (`spec::edit::line_break`),
// so a CRLF file stays CRLF.

#[test]
fn add_a_criterion_in_a_crlf_file() {
    check_fix_crlf(
        "---\nstatus: pending\n---\n# T$0\n\nWords.\n",
        "Add an acceptance criterion",
        expect![[r#"
            Add an acceptance criterion (chant/no-criteria at 3:0-3:3) preferred
            ---␍
            status: pending␍
            ---␍
            # T␍
            ␍
            Words.␍
            ␍
            ## Acceptance Criteria␍
            ␍
            - [ ]␠␍
        "#]],
    );
}

#[test]
fn add_a_title_in_a_crlf_file() {
    check_fix_crlf(
        "$0---\nstatus: pending\n---\nWords.\n\n## Acceptance Criteria\n\n- [ ] a\n",
        "Add a title",
        expect![[r#"
            Add a title (chant/missing-title at 0:0-0:3) preferred
            ---␍
            status: pending␍
            ---␍
            # Title␍
            ␍
            Words.␍
            ␍
            ## Acceptance Criteria␍
            ␍
            - [ ] a␍
        "#]],
    );
}

#[test]
fn close_a_fence_in_a_crlf_file() {
    check_fix_crlf(
        "---\nstatus: pending\n---\n# T\n\n$0```\nx```\n\n## Acceptance Criteria\n\n- [ ] a\n",
        "Put the closing ``` on its own line",
        expect![[r#"
            Put the closing ``` on its own line (chant/unclosed-fence at 5:0-5:3) preferred
            ---␍
            status: pending␍
            ---␍
            # T␍
            ␍
            ```␍
            x␍
            ```␍
            ␍
            ## Acceptance Criteria␍
            ␍
            - [ ] a␍
        "#]],
    );
}

/// Renaming a key to one the frontmatter has already makes a duplicate key,
/// which chant rejects (the fix comes from `analysis::frontmatter`).
#[test]
fn no_rename_onto_a_key_that_is_there() {
    expect![[r#"
        [chant/unknown-key]
    "#]]
    .assert_eq(&offered(
        "---\ndepends_on: [2026-01-01-001-abc]\ndependencies$0: [2026-01-02-001-def]\n---\n# T\n\n## Acceptance Criteria\n\n- [ ] a\n",
    ));
}
