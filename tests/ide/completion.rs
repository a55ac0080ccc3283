//! Completion (`ide::completion::complete`): field names, values, prompts,
//! spec IDs, paths, labels, IDs in the body and template variables.
//!
//! One line per item, in the order a client shows them (sort text, then
//! label): `kind label | detail | range "replaced" => "inserted"`, and `⟳`
//! when accepting it asks for completion again.

use chant_lsp::ide::completion::{complete, Completions, Env, ItemKind};

use crate::expect::Expect;
use crate::fixture::{span, Fixture};

fn completions(f: &Fixture) -> Completions {
    let kind = f.kind();
    complete(
        &f.text,
        &f.model,
        f.offset(),
        &Env {
            index: &f.index,
            file: &kind,
        },
    )
}

fn kind_name(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Field => "field",
        ItemKind::Value => "value",
        ItemKind::File => "file",
        ItemKind::Folder => "folder",
        ItemKind::Spec => "spec",
        ItemKind::Prompt => "prompt",
        ItemKind::Label => "label",
        ItemKind::Variable => "variable",
    }
}

fn render(f: &Fixture, c: &Completions, keep: impl Fn(&str) -> bool) -> String {
    let mut items = c.items.clone();
    items.sort_by(|a, b| {
        let key = |i: &chant_lsp::ide::completion::Item| {
            (
                i.sort_text.clone().unwrap_or_else(|| i.label.clone()),
                i.label.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    let mut out = String::new();
    if c.incomplete {
        out.push_str("(incomplete)\n");
    }
    for item in items.iter().filter(|i| keep(&i.label)) {
        out.push_str(&format!(
            "{} {} | {} | {} {:?} => {:?}{}\n",
            kind_name(item.kind),
            item.label,
            item.detail.as_deref().unwrap_or("-"),
            span(&f.text, &item.edit),
            &f.text[item.edit.clone()],
            item.new_text,
            if item.retrigger { " ⟳" } else { "" }
        ));
    }
    out
}

fn check(fixture: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    expect.assert_eq(&render(&f, &completions(&f), |_| true));
}

fn check_with(f: &Fixture, expect: Expect) {
    expect.assert_eq(&render(f, &completions(f), |_| true));
}

/// Only the items whose label passes `keep` (long catalogues).
fn check_only(fixture: &str, keep: impl Fn(&str) -> bool, expect: Expect) {
    let f = Fixture::new(fixture);
    expect.assert_eq(&render(&f, &completions(&f), keep));
}

/// The documentation of one item.
fn documentation(fixture: &str, label: &str) -> String {
    let f = Fixture::new(fixture);
    let c = completions(&f);
    let item = c
        .items
        .iter()
        .find(|i| i.label == label)
        .unwrap_or_else(|| panic!("no item {label}"));
    crate::fixture::visible(item.documentation.as_deref().unwrap_or(""))
}

// ---------------------------------------------------------------------------
// Field names
// ---------------------------------------------------------------------------

#[test]
fn every_field_on_an_empty_line_but_those_present() {
    check(
        r#"
        ---
        status: pending
        $0
        ---
        # T
        "#,
        expect![[r#"
            field type | code | task | driver | documentation | research | group | 2:0-2:0 "" => "type: " ⟳
            field depends_on | spec ID or list of spec IDs | 2:0-2:0 "" => "depends_on: " ⟳
            field labels | list of strings | 2:0-2:0 "" => "labels: " ⟳
            field target_files | list of paths | 2:0-2:0 "" => "target_files: " ⟳
            field context | list of paths | 2:0-2:0 "" => "context: " ⟳
            field prompt | prompt name | 2:0-2:0 "" => "prompt: " ⟳
            field model | string | 2:0-2:0 "" => "model: "
            field tracks | list of paths | 2:0-2:0 "" => "tracks: " ⟳
            field informed_by | list of paths | 2:0-2:0 "" => "informed_by: " ⟳
            field origin | list of paths | 2:0-2:0 "" => "origin: " ⟳
            field schedule | string | 2:0-2:0 "" => "schedule: "
            field verification_status | passed | failed | partial | 2:0-2:0 "" => "verification_status: " ⟳
            field approval | map | 2:0-2:0 "" => "approval: "
            field members | list of spec IDs | 2:0-2:0 "" => "members: " ⟳
            field output_schema | path | 2:0-2:0 "" => "output_schema: "
            field public | true | false | 2:0-2:0 "" => "public: " ⟳
            field branch | string (written by chant) | 2:0-2:0 "" => "branch: "
            field commits | list of strings (written by chant) | 2:0-2:0 "" => "commits: " ⟳
            field completed_at | string (written by chant) | 2:0-2:0 "" => "completed_at: "
            field source_branch | string (written by chant) | 2:0-2:0 "" => "source_branch: "
            field target_branch | string (written by chant) | 2:0-2:0 "" => "target_branch: "
            field conflicting_files | list of strings (written by chant) | 2:0-2:0 "" => "conflicting_files: " ⟳
            field blocked_specs | list of strings (written by chant) | 2:0-2:0 "" => "blocked_specs: " ⟳
            field original_spec | string (written by chant) | 2:0-2:0 "" => "original_spec: "
            field last_verified | string (written by chant) | 2:0-2:0 "" => "last_verified: "
            field verification_failures | list of strings (written by chant) | 2:0-2:0 "" => "verification_failures: " ⟳
            field replayed_at | string (written by chant) | 2:0-2:0 "" => "replayed_at: "
            field replay_count | whole number (written by chant) | 2:0-2:0 "" => "replay_count: "
            field original_completed_at | string (written by chant) | 2:0-2:0 "" => "original_completed_at: "
            field derived_fields | list of strings (written by chant) | 2:0-2:0 "" => "derived_fields: " ⟳
            field retry_state | map (written by chant) | 2:0-2:0 "" => "retry_state: "
        "#]],
    );
}

#[test]
fn a_half_typed_key_is_replaced_whole() {
    check_only(
        r#"
        ---
        ty$0pe
        ---
        # T
        "#,
        |l| l.starts_with('t'),
        expect![[r#"
            field type | code | task | driver | documentation | research | group | 1:0-1:4 "type" => "type: " ⟳
            field target_files | list of paths | 1:0-1:4 "type" => "target_files: " ⟳
            field tracks | list of paths | 1:0-1:4 "type" => "tracks: " ⟳
            field target_branch | string (written by chant) | 1:0-1:4 "type" => "target_branch: "
        "#]],
    );
}

#[test]
fn on_the_key_of_a_written_field_only_the_name_is_replaced() {
    check_only(
        r#"
        ---
        sta$0tus: pending
        type: code
        ---
        # T
        "#,
        |l| l.starts_with('s') || l.starts_with('t'),
        expect![[r#"
            field status | pending | in_progress | paused | completed | failed | needs_attention | ready | blocked | cancelled | 1:0-1:6 "status" => "status"
            field target_files | list of paths | 1:0-1:6 "status" => "target_files"
            field tracks | list of paths | 1:0-1:6 "status" => "tracks"
            field schedule | string | 1:0-1:6 "status" => "schedule"
            field source_branch | string (written by chant) | 1:0-1:6 "status" => "source_branch"
            field target_branch | string (written by chant) | 1:0-1:6 "status" => "target_branch"
        "#]],
    );
    check_only(
        r#"
        ---
        approval:
          requ$0ired: true
        ---
        # T
        "#,
        |_| true,
        expect![[r#"
            field required | true | false | 2:2-2:10 "required" => "required"
            field status | pending | approved | rejected | 2:2-2:10 "required" => "status"
            field by | string | 2:2-2:10 "required" => "by"
            field at | string | 2:2-2:10 "required" => "at"
        "#]],
    );
}

#[test]
fn keys_inside_approval_are_its_own() {
    check(
        r#"
        ---
        approval:
          required: true
          st$0
        ---
        # T
        "#,
        expect![[r#"
            field required | true | false | 3:2-3:4 "st" => "required: " ⟳
            field status | pending | approved | rejected | 3:2-3:4 "st" => "status: " ⟳
            field by | string | 3:2-3:4 "st" => "by: "
            field at | string | 3:2-3:4 "st" => "at: "
        "#]],
    );
}

#[test]
fn keys_inside_retry_state() {
    check(
        r#"
        ---
        retry_state:
          $0
        ---
        # T
        "#,
        expect![[r#"
            field attempts | whole number (written by chant) | 2:2-2:2 "" => "attempts: "
            field last_retry_time | whole number (written by chant) | 2:2-2:2 "" => "last_retry_time: "
            field next_retry_time | whole number (written by chant) | 2:2-2:2 "" => "next_retry_time: "
        "#]],
    );
}

#[test]
fn no_keys_inside_a_field_chant_does_not_know() {
    check(
        r#"
        ---
        custom:
          a$0
        ---
        # T
        "#,
        expect![[""]],
    );
}

#[test]
fn keys_while_the_frontmatter_is_not_closed_yet() {
    check_only(
        r#"
        ---
        sta$0
        # T
        "#,
        |l| l.starts_with("st"),
        expect![[r#"
            field status | pending | in_progress | paused | completed | failed | needs_attention | ready | blocked | cancelled | 1:0-1:3 "sta" => "status: " ⟳
        "#]],
    );
}

#[test]
fn nothing_on_the_fence_lines() {
    check(
        r#"
        -$0--
        status: pending
        ---
        # T
        "#,
        expect![[""]],
    );
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

#[test]
fn status_values_replace_the_typed_word() {
    check(
        r#"
        ---
        status: pen$0
        ---
        # T
        "#,
        expect![[r#"
            value pending | `status` value | 1:8-1:11 "pen" => "pending"
            value in_progress | `status` value | 1:8-1:11 "pen" => "in_progress"
            value paused | `status` value | 1:8-1:11 "pen" => "paused"
            value completed | `status` value | 1:8-1:11 "pen" => "completed"
            value failed | `status` value | 1:8-1:11 "pen" => "failed"
            value needs_attention | `status` value | 1:8-1:11 "pen" => "needs_attention"
            value ready | `status` value | 1:8-1:11 "pen" => "ready"
            value blocked | `status` value | 1:8-1:11 "pen" => "blocked"
            value cancelled | `status` value | 1:8-1:11 "pen" => "cancelled"
        "#]],
    );
}

#[test]
fn status_values_inside_quotes_replace_only_the_content() {
    check_only(
        r#"
        ---
        status: "pe$0nd"
        ---
        # T
        "#,
        |l| l.starts_with('p'),
        expect![[r#"
            value pending | `status` value | 1:9-1:13 "pend" => "pending"
            value paused | `status` value | 1:9-1:13 "pend" => "paused"
        "#]],
    );
}

#[test]
fn type_values_on_an_empty_value() {
    check(
        r#"
        ---
        type: $0
        ---
        # T
        "#,
        expect![[r#"
            value code | `type` value | 1:6-1:6 "" => "code"
            value task | `type` value | 1:6-1:6 "" => "task"
            value driver | `type` value | 1:6-1:6 "" => "driver"
            value documentation | `type` value | 1:6-1:6 "" => "documentation"
            value research | `type` value | 1:6-1:6 "" => "research"
            value group | `type` value | 1:6-1:6 "" => "group"
        "#]],
    );
}

#[test]
fn value_documentation_is_the_catalog() {
    expect![[r#"
        Coordinates member specs (`<id>.1`, `<id>.2`, ...) listed in `members`.
    "#]]
    .assert_eq(&documentation("---\ntype: $0\n---\n# T\n", "driver"));
}

#[test]
fn approval_status_values() {
    check(
        r#"
        ---
        approval:
          required: true
          status: $0
        ---
        # T
        "#,
        expect![[r#"
            value pending | `approval.status` value | 3:10-3:10 "" => "pending"
            value approved | `approval.status` value | 3:10-3:10 "" => "approved"
            value rejected | `approval.status` value | 3:10-3:10 "" => "rejected"
        "#]],
    );
}

#[test]
fn booleans() {
    check(
        r#"
        ---
        approval:
          required: t$0
        ---
        # T
        "#,
        expect![[r#"
            value true | `approval.required` value | 2:12-2:13 "t" => "true"
            value false | `approval.required` value | 2:12-2:13 "t" => "false"
        "#]],
    );
    check(
        r#"
        ---
        public: $0
        ---
        # T
        "#,
        expect![[r#"
            value true | `public` value | 1:8-1:8 "" => "true"
            value false | `public` value | 1:8-1:8 "" => "false"
        "#]],
    );
}

#[test]
fn verification_status_values() {
    check(
        r#"
        ---
        verification_status: $0 # from chant verify
        ---
        # T
        "#,
        expect![[r#"
            value passed | `verification_status` value | 1:21-1:21 "" => "passed"
            value failed | `verification_status` value | 1:21-1:21 "" => "failed"
            value partial | `verification_status` value | 1:21-1:21 "" => "partial"
        "#]],
    );
}

#[test]
fn a_comment_after_an_empty_value_stays() {
    check_only(
        r#"
        ---
        depends_on:
          - $0 # the database first
        ---
        # T
        "#,
        |l| l.ends_with("abc"),
        expect![[r#"
            spec 2026-01-01-001-abc | completed · Set up the database | 2:4-2:4 "" => "2026-01-01-001-abc"
        "#]],
    );
}

#[test]
fn models() {
    check(
        r#"
        ---
        model: so$0
        ---
        # T
        "#,
        expect![[r#"
            value opus | `model` value | 1:7-1:9 "so" => "opus"
            value sonnet | `model` value | 1:7-1:9 "so" => "sonnet"
            value haiku | `model` value | 1:7-1:9 "so" => "haiku"
        "#]],
    );
}

#[test]
fn no_values_for_free_strings_or_unknown_fields() {
    check("---\nschedule: da$0\n---\n# T\n", expect![[""]]);
    check("---\ncustom: $0\n---\n# T\n", expect![[""]]);
}

#[test]
fn prompts_with_files_then_built_in_names_without() {
    check(
        r#"
        ---
        prompt: $0
        ---
        # T
        "#,
        expect![[r#"
            prompt research | Investigate and write findings. | 1:8-1:8 "" => "research"
            prompt standard | The default prompt for code work. | 1:8-1:8 "" => "standard"
            prompt split | built-in name, no file here | 1:8-1:8 "" => "split"
            prompt verify | built-in name, no file here | 1:8-1:8 "" => "verify"
            prompt merge-conflict | built-in name, no file here | 1:8-1:8 "" => "merge-conflict"
            prompt ollama | built-in name, no file here | 1:8-1:8 "" => "ollama"
        "#]],
    );
}

#[test]
fn prompt_documentation_says_where_the_file_is_or_is_not() {
    let fixture = "---\nprompt: $0\n---\n# T\n";
    expect![[r#"
        `.chant/prompts/research.md`
    "#]]
    .assert_eq(&documentation(fixture, "research"));
    expect![[r#"
        chant ships a `verify` prompt, but this project has no `.chant/prompts/verify.md`: `chant work` fails with "Prompt not found: verify" until the file exists.
    "#]].assert_eq(&documentation(fixture, "verify"));
}

#[test]
fn prompt_extensions_are_not_offered() {
    check_only(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        prompt: "$0"
        ---
        # T
        //- /.chant/prompts/extensions/extra.md
        Extra.
        //- /.chant/prompts/mine.md
        Mine.
        "#,
        |l| !crate::completion::BUILT_IN.contains(&l),
        expect![[r#"
            prompt mine | `prompt` value | 1:9-1:9 "" => "mine"
            prompt research | Investigate and write findings. | 1:9-1:9 "" => "research"
        "#]],
    );
}

pub const BUILT_IN: &[&str] = chant_lsp::ide::completion::BUILT_IN_PROMPTS;

#[test]
fn labels_by_how_many_specs_use_them() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        labels: [ui, $0]
        ---
        # T
        //- /.chant/specs/2026-01-03-001-ghi.md
        ---
        labels: [auth, backend]
        ---
        # Other
        "#,
        expect![[r#"
            label auth | used by 2 specs | 1:13-1:13 "" => "auth"
            label ui | used by 2 specs | 1:13-1:13 "" => "ui"
            label backend | used by 1 spec | 1:13-1:13 "" => "backend"
        "#]],
    );
}

// ---------------------------------------------------------------------------
// Spec IDs
// ---------------------------------------------------------------------------

#[test]
fn dependencies_in_a_block_list_newest_first_without_this_spec() {
    check(
        r#"
        ---
        depends_on:
          - $0
        ---
        # T
        "#,
        expect![[r#"
            spec 2026-01-02-001-def | pending · Add the login page | 2:4-2:4 "" => "2026-01-02-001-def"
            spec 2026-01-01-001-abc | completed · Set up the database | 2:4-2:4 "" => "2026-01-01-001-abc"
        "#]],
    );
}

#[test]
fn dependencies_in_a_flow_list() {
    check(
        r#"
        ---
        depends_on: [2026-01-01-001-abc, 2026-01$0]
        ---
        # T
        "#,
        expect![[r#"
            spec 2026-01-02-001-def | pending · Add the login page | 1:33-1:40 "2026-01" => "2026-01-02-001-def"
            spec 2026-01-01-001-abc | completed · Set up the database | 1:33-1:40 "2026-01" => "2026-01-01-001-abc"
        "#]],
    );
}

#[test]
fn dependencies_found_by_words_of_their_title() {
    check(
        r#"
        ---
        depends_on:
        - login pa$0
        ---
        # T
        "#,
        expect![[r#"
            spec 2026-01-02-001-def | pending · Add the login page | 2:2-2:10 "login pa" => "2026-01-02-001-def"
        "#]],
    );
}

#[test]
fn a_dependency_written_as_a_string() {
    check(
        r#"
        ---
        depends_on: 2026-01-01$0
        ---
        # T
        "#,
        expect![[r#"
            spec 2026-01-01-001-abc | completed · Set up the database | 1:12-1:22 "2026-01-01" => "2026-01-01-001-abc"
        "#]],
    );
}

#[test]
fn members_are_spec_ids_too() {
    check(
        r#"
        ---
        type: driver
        members: ["$0"]
        ---
        # T
        "#,
        expect![[r#"
            spec 2026-01-02-001-def | pending · Add the login page | 2:11-2:11 "" => "2026-01-02-001-def"
            spec 2026-01-01-001-abc | completed · Set up the database | 2:11-2:11 "" => "2026-01-01-001-abc"
        "#]],
    );
}

#[test]
fn a_flow_list_continued_on_the_next_line() {
    check(
        r#"
        ---
        depends_on: [2026-01-01-001-abc,
          2026-01-02$0
        ---
        # T
        "#,
        expect![[r#"
            spec 2026-01-02-001-def | pending · Add the login page | 2:2-2:12 "2026-01-02" => "2026-01-02-001-def"
        "#]],
    );
}

#[test]
fn nested_and_archived_specs_are_not_offered() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        depends_on: [$0]
        ---
        # T
        //- /.chant/specs/sub/2026-01-05-001-nst.md
        # Nested
        //- /.chant/archive/2026-01-04/2026-01-04-001-old.md
        # Archived
        "#,
        expect![[r#"
            spec 2026-01-02-001-def | pending · Add the login page | 1:13-1:13 "" => "2026-01-02-001-def"
            spec 2026-01-01-001-abc | completed · Set up the database | 1:13-1:13 "" => "2026-01-01-001-abc"
        "#]],
    );
}

#[test]
fn spec_id_documentation_is_its_summary() {
    expect![[r#"
        **Add the login page**␠␠
        `2026-01-02-001-def` · `code` · `pending` · criteria 0/2
    "#]]
    .assert_eq(&documentation(
        "---\ndepends_on: [$0]\n---\n# T\n",
        "2026-01-02-001-def",
    ));
}

#[test]
fn past_the_limit_the_newest_ids_are_sent_and_the_list_is_incomplete() {
    let mut fixture =
        String::from("//- /.chant/specs/2026-12-31-001-cur.md\n---\ndepends_on: [$0]\n---\n# T\n");
    for day in 1..=205 {
        fixture.push_str(&format!(
            "//- /.chant/specs/2026-03-01-{day:03}-gen.md\n# Generated {day}\n"
        ));
    }
    let f = Fixture::bare(&fixture);
    let c = completions(&f);
    assert!(c.incomplete);
    assert_eq!(c.items.len(), chant_lsp::ide::completion::MAX_ITEMS);
    expect![[r#"
        (incomplete)
        spec 2026-03-01-205-gen | pending · Generated 205 | 1:13-1:13 "" => "2026-03-01-205-gen"
        spec 2026-03-01-204-gen | pending · Generated 204 | 1:13-1:13 "" => "2026-03-01-204-gen"
        spec 2026-03-01-006-gen | pending · Generated 6 | 1:13-1:13 "" => "2026-03-01-006-gen"
    "#]]
    .assert_eq(&render(&f, &c, |l| {
        l.ends_with("-205-gen") || l.ends_with("-204-gen") || l.ends_with("-006-gen")
    }));
    // Typing narrows the list again.
    let f = Fixture::bare(&fixture.replace("[$0]", "[Generated 12$0]"));
    expect![[r#"
        spec 2026-03-01-129-gen | pending · Generated 129 | 1:13-1:25 "Generated 12" => "2026-03-01-129-gen"
        spec 2026-03-01-128-gen | pending · Generated 128 | 1:13-1:25 "Generated 12" => "2026-03-01-128-gen"
        spec 2026-03-01-127-gen | pending · Generated 127 | 1:13-1:25 "Generated 12" => "2026-03-01-127-gen"
        spec 2026-03-01-126-gen | pending · Generated 126 | 1:13-1:25 "Generated 12" => "2026-03-01-126-gen"
        spec 2026-03-01-125-gen | pending · Generated 125 | 1:13-1:25 "Generated 12" => "2026-03-01-125-gen"
        spec 2026-03-01-124-gen | pending · Generated 124 | 1:13-1:25 "Generated 12" => "2026-03-01-124-gen"
        spec 2026-03-01-123-gen | pending · Generated 123 | 1:13-1:25 "Generated 12" => "2026-03-01-123-gen"
        spec 2026-03-01-122-gen | pending · Generated 122 | 1:13-1:25 "Generated 12" => "2026-03-01-122-gen"
        spec 2026-03-01-121-gen | pending · Generated 121 | 1:13-1:25 "Generated 12" => "2026-03-01-121-gen"
        spec 2026-03-01-120-gen | pending · Generated 120 | 1:13-1:25 "Generated 12" => "2026-03-01-120-gen"
        spec 2026-03-01-112-gen | pending · Generated 112 | 1:13-1:25 "Generated 12" => "2026-03-01-112-gen"
        spec 2026-03-01-012-gen | pending · Generated 12 | 1:13-1:25 "Generated 12" => "2026-03-01-012-gen"
    "#]].assert_eq(&render(&f, &completions(&f), |_| true));
}

// ---------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------

#[test]
fn paths_from_the_root_folders_first_for_context() {
    check(
        r#"
        ---
        context:
          - $0
        ---
        # T
        "#,
        expect![[r#"
            folder .chant/ | .chant/ | 2:4-2:4 "" => ".chant/" ⟳
            folder docs/ | docs/ | 2:4-2:4 "" => "docs/" ⟳
            folder src/ | src/ | 2:4-2:4 "" => "src/" ⟳
        "#]],
    );
}

#[test]
fn paths_for_informed_by_put_specs_and_research_first() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        informed_by:
          - $0
        ---
        # T
        //- /research/findings.md
        Found.
        "#,
        expect![[r#"
            folder .chant/ | .chant/ | 2:4-2:4 "" => ".chant/" ⟳
            folder research/ | research/ | 2:4-2:4 "" => "research/" ⟳
            folder docs/ | docs/ | 2:4-2:4 "" => "docs/" ⟳
            folder src/ | src/ | 2:4-2:4 "" => "src/" ⟳
        "#]],
    );
}

#[test]
fn paths_in_a_folder() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        target_files: [docs/g$0]
        ---
        # T
        //- /docs/api/index.md
        API.
        "#,
        expect![[r#"
            file guide.md | docs/guide.md | 1:15-1:21 "docs/g" => "docs/guide.md"
            folder api/ | docs/api/ | 1:15-1:21 "docs/g" => "docs/api/" ⟳
        "#]],
    );
}

#[test]
fn chant_internal_files_are_hidden() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        informed_by:
          - .chant/$0
        ---
        # T
        //- /.chant/logs/run.log
        log
        //- /.chant/tmp/x
        x
        //- /.chant/pids/1
        1
        //- /.chant/.locks/a
        a
        //- /.chant/watch.pid
        1
        "#,
        expect![[r#"
            folder specs/ | .chant/specs/ | 2:4-2:11 ".chant/" => ".chant/specs/" ⟳
            file config.md | .chant/config.md | 2:4-2:11 ".chant/" => ".chant/config.md"
            folder prompts/ | .chant/prompts/ | 2:4-2:11 ".chant/" => ".chant/prompts/" ⟳
        "#]],
    );
    check_only(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        informed_by:
          - .chant/specs/$0
        ---
        # T
        //- /.chant/specs/.chant-status-2026-01-02-001-def
        running
        "#,
        |l| l.contains("status") || l.contains("abc"),
        expect![[r#"
            file 2026-01-01-001-abc.md | .chant/specs/2026-01-01-001-abc.md | 2:4-2:17 ".chant/specs/" => ".chant/specs/2026-01-01-001-abc.md"
        "#]],
    );
}

#[test]
fn paths_yaml_would_misread_are_quoted() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        context: [odd/$0]
        ---
        # T
        //- /odd/-dash.md
        x
        //- /odd/a, b.md
        x
        //- /odd/key: value.md
        x
        //- /odd/plain.md
        x
        "#,
        expect![[r#"
            file -dash.md | odd/-dash.md | 1:10-1:14 "odd/" => "odd/-dash.md"
            file a, b.md | odd/a, b.md | 1:10-1:14 "odd/" => "\"odd/a, b.md\""
            file key: value.md | odd/key: value.md | 1:10-1:14 "odd/" => "\"odd/key: value.md\""
            file plain.md | odd/plain.md | 1:10-1:14 "odd/" => "odd/plain.md"
        "#]],
    );
}

#[test]
fn a_path_starting_with_a_yaml_indicator_is_quoted() {
    check_only(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        context:
        - $0
        ---
        # T
        //- /-dash.md
        x
        //- /&anchor.md
        x
        "#,
        |l| !l.ends_with('/'),
        expect![[r#"
            file &anchor.md | &anchor.md | 2:2-2:2 "" => "\"&anchor.md\""
            file -dash.md | -dash.md | 2:2-2:2 "" => "\"-dash.md\""
        "#]],
    );
}

#[test]
fn paths_inside_quotes_are_escaped_for_those_quotes() {
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        context:
          - "odd/$0"
          - 'odd/it'
        ---
        # T
        //- /odd/say "hi".md
        x
        //- /odd/it's.md
        x
        "#,
        expect![[r#"
            file it's.md | odd/it's.md | 2:5-2:9 "odd/" => "odd/it's.md"
            file say "hi".md | odd/say "hi".md | 2:5-2:9 "odd/" => "odd/say \\\"hi\\\".md"
        "#]],
    );
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        context:
          - 'odd/it$0'
        ---
        # T
        //- /odd/it's.md
        x
        "#,
        expect![[r#"
            file it's.md | odd/it's.md | 2:5-2:11 "odd/it" => "odd/it''s.md"
        "#]],
    );
}

#[test]
fn globs_and_single_paths_complete_too() {
    check_only(
        r#"
        ---
        type: documentation
        tracks: [s$0]
        ---
        # T
        "#,
        |l| l.starts_with('s'),
        expect![[r#"
            folder src/ | src/ | 2:9-2:10 "s" => "src/" ⟳
        "#]],
    );
    check(
        r#"
        ---
        output_schema: docs/$0
        ---
        # T
        "#,
        expect![[r#"
            file guide.md | docs/guide.md | 1:15-1:20 "docs/" => "docs/guide.md"
        "#]],
    );
}

// ---------------------------------------------------------------------------
// The body and other files
// ---------------------------------------------------------------------------

#[test]
fn ids_in_the_body_after_depends_on() {
    check(
        r#"
        ---
        status: pending
        ---
        # T

        This depends on $0
        "#,
        expect![[r#"
            spec 2026-01-02-001-def | pending · Add the login page | 5:16-5:16 "" => "2026-01-02-001-def"
            spec 2026-01-01-001-abc | completed · Set up the database | 5:16-5:16 "" => "2026-01-01-001-abc"
        "#]],
    );
}

#[test]
fn ids_in_the_body_once_a_date_is_typed() {
    check(
        r#"
        # T

        Like 2026-01-01$0 did.
        "#,
        expect![[r#"
            spec 2026-01-01-001-abc | completed · Set up the database | 2:5-2:15 "2026-01-01" => "2026-01-01-001-abc"
        "#]],
    );
}

#[test]
fn nothing_in_ordinary_prose() {
    check(
        r#"
        # T

        Some wor$0ds.
        "#,
        expect![[""]],
    );
}

#[test]
fn template_variables_in_prompts() {
    check_only(
        r#"
        //- /.chant/prompts/mine.md
        Work on {{spec.$0
        "#,
        |l| l.starts_with("{{spec"),
        expect![[r#"
            variable {{spec.id}} | chant template variable | 0:8-0:15 "{{spec." => "{{spec.id}}"
            variable {{spec.title}} | chant template variable | 0:8-0:15 "{{spec." => "{{spec.title}}"
            variable {{spec.description}} | chant template variable | 0:8-0:15 "{{spec." => "{{spec.description}}"
            variable {{spec.path}} | chant template variable | 0:8-0:15 "{{spec." => "{{spec.path}}"
            variable {{spec}} | chant template variable | 0:8-0:15 "{{spec." => "{{spec}}"
            variable {{spec.target_files}} | chant template variable | 0:8-0:15 "{{spec." => "{{spec.target_files}}"
            variable {{spec.context}} | chant template variable | 0:8-0:15 "{{spec." => "{{spec.context}}"
        "#]],
    );
    // A closing `}}` is replaced too.
    check_only(
        r#"
        //- /.chant/prompts/mine.md
        Work on {{sp$0}} now.
        "#,
        |l| l == "{{spec.id}}",
        expect![[r#"
            variable {{spec.id}} | chant template variable | 0:8-0:14 "{{sp}}" => "{{spec.id}}"
        "#]],
    );
    // Outside `{{`, or after a closed one, nothing.
    check(
        r#"
        //- /.chant/prompts/mine.md
        Work on {{spec.id}} $0
        "#,
        expect![[""]],
    );
}

#[test]
fn nothing_in_files_that_are_not_specs_or_prompts() {
    check(
        r#"
        //- /.chant/config.md
        ---
        defaults:
          prompt: $0
        ---
        "#,
        expect![[""]],
    );
    check(
        r#"
        //- /docs/notes.md
        ---
        status: $0
        ---
        "#,
        expect![[""]],
    );
}

#[test]
fn a_nested_spec_completes_like_a_top_level_one() {
    let f = Fixture::new(
        r#"
        //- /.chant/specs/sub/2026-02-01-001-nst.md
        ---
        status: c$0
        ---
        # T
        "#,
    );
    check_with(
        &f,
        expect![[r#"
            value pending | `status` value | 1:8-1:9 "c" => "pending"
            value in_progress | `status` value | 1:8-1:9 "c" => "in_progress"
            value paused | `status` value | 1:8-1:9 "c" => "paused"
            value completed | `status` value | 1:8-1:9 "c" => "completed"
            value failed | `status` value | 1:8-1:9 "c" => "failed"
            value needs_attention | `status` value | 1:8-1:9 "c" => "needs_attention"
            value ready | `status` value | 1:8-1:9 "c" => "ready"
            value blocked | `status` value | 1:8-1:9 "c" => "blocked"
            value cancelled | `status` value | 1:8-1:9 "c" => "cancelled"
        "#]],
    );
}

#[test]
fn paths_written_from_dot_slash() {
    check(
        r#"
        ---
        context: [./$0]
        ---
        # T
        "#,
        expect![[r#"
            folder .chant/ | ./.chant/ | 1:10-1:12 "./" => "./.chant/" ⟳
            folder docs/ | ./docs/ | 1:10-1:12 "./" => "./docs/" ⟳
            folder src/ | ./src/ | 1:10-1:12 "./" => "./src/" ⟳
        "#]],
    );
    check(
        r#"
        //- /.chant/specs/2026-02-01-001-cur.md
        ---
        informed_by:
          - ./.chant/$0
        ---
        # T
        //- /.chant/logs/run.log
        log
        "#,
        expect![[r#"
            folder specs/ | ./.chant/specs/ | 2:4-2:13 "./.chant/" => "./.chant/specs/" ⟳
            file config.md | ./.chant/config.md | 2:4-2:13 "./.chant/" => "./.chant/config.md"
            folder prompts/ | ./.chant/prompts/ | 2:4-2:13 "./.chant/" => "./.chant/prompts/" ⟳
        "#]],
    );
}

#[test]
fn a_quoted_item_with_a_comma_is_one_item() {
    check(
        r#"
        ---
        context: ["a, b", do$0]
        ---
        # T
        "#,
        expect![[r#"
            folder .chant/ | .chant/ | 1:18-1:20 "do" => ".chant/" ⟳
            folder docs/ | docs/ | 1:18-1:20 "do" => "docs/" ⟳
            folder src/ | src/ | 1:18-1:20 "do" => "src/" ⟳
        "#]],
    );
}

/// chant's YAML may start right after the opening `---` on the same line,
/// or end inside a line: completion anywhere in such a file never panics.
#[test]
fn yaml_sharing_a_line_with_its_delimiters_never_breaks_completion() {
    use chant_lsp::spec::SpecModel;
    for text in [
        "---status: pending\n---\n# A\n\n## Acceptance Criteria\n\n- [ ] x\n",
        "---\nlabels: [a---b]\n---\n# A\n",
        "---type: [x,\n---",
    ] {
        let model = SpecModel::parse(text);
        for offset in (0..=text.len()).filter(|o| text.is_char_boundary(*o)) {
            chant_lsp::ide::cursor::cursor_at(text, &model, offset);
        }
    }
}
