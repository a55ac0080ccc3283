//! End-to-end: completion, hover, navigation, symbols, lenses, hints and
//! rename edits from the built server over JSON-RPC.

mod support;

use serde_json::{json, Value};
use support::*;

const LOGIN: &str = "---\ntype: code\nstatus: in_progress\nlabels: [ui, auth]\ntarget_files:\n  - src/login.rs\n---\n# Build login page\n\nA page where users sign in with email.\n\n## Acceptance Criteria\n\n- [x] form\n- [x] validation\n- [x] errors\n- [ ] tests\n- [ ] docs\n";
const RESEARCH: &str = "---\ntype: research\nprompt: research\ninformed_by:\n  - docs/research/auth-notes.md\ndepends_on: [2026-01-01-001-aaa]\ntarget_files:\n  - docs/research/summary.md\n---\n# Compare auth providers\n\nSee which provider fits.\n\n## Acceptance Criteria\n\n- [ ] table\n";
const UI: &str =
    "---\nlabels: [ui]\n---\n# Polish the UI\n\n## Acceptance Criteria\n\n- [ ] spacing\n";

fn workspace() -> TempWorkspace {
    let ws = TempWorkspace::new();
    ws.chant_init("project:\n  name: demo\n");
    ws.write(
        ".chant/prompts/standard.md",
        "---\nname: standard\npurpose: Implement the spec\n---\nImplement {{spec.title}}.\n",
    );
    ws.write(
        ".chant/prompts/research.md",
        "---\npurpose: Research a question\n---\nResearch {{spec.title}} carefully.\n",
    );
    ws.write(".chant/specs/2026-01-01-001-aaa.md", LOGIN);
    ws.write(".chant/specs/2026-01-01-002-bbb.md", RESEARCH);
    ws.write(".chant/specs/2026-01-01-003-ccc.md", UI);
    ws.write(
        "docs/research/auth-notes.md",
        "# Auth research\n\nWe compared OAuth providers.\nGitHub won.\n",
    );
    ws.write("docs/research/space name 😀.md", "# Emoji notes\n");
    ws.write("docs/guide.txt", "plain text\n");
    ws.write("src/main.rs", "fn main() {\n    println!(\"hi\");\n}\n");
    ws.write(".gitignore", "target/\n");
    ws.write("target/debug/junk.md", "ignored\n");
    ws
}

fn start(ws: &TempWorkspace, encoding: &'static str) -> LspClient {
    let mut opts = ClientOptions::for_folder(ws.path());
    opts.position_encodings = vec![encoding];
    let client = LspClient::start(opts);
    // Wait for the index: diagnostics of a spec arrive only after it.
    let uri = ws.uri(".chant/specs/2026-01-01-003-ccc.md");
    client.did_open(&uri, "markdown", UI);
    client.wait_for_diagnostics(&uri);
    // (The first diagnostics may be an early analysis, made before the
    // index was ready.)
    client.wait_idle();
    client
}

/// Open a new spec with `text` where `|` marks the cursor; returns (uri, position).
fn open_marked(client: &LspClient, ws: &TempWorkspace, rel: &str, marked: &str) -> (String, Value) {
    let offset = marked.find('|').expect("cursor mark");
    let text = marked.replacen('|', "", 1);
    let uri = ws.uri(rel);
    client.did_open(&uri, "markdown", &text);
    (uri, pos_at(&text, offset, client.encoding()))
}

fn complete(client: &LspClient, uri: &str, position: Value) -> Value {
    client.request_ok(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": position}),
    )
}

fn labels(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

fn item<'a>(list: &'a Value, label: &str) -> &'a Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == label)
        .unwrap_or_else(|| panic!("no item {label} in {list:#}"))
}

fn sorted_by_sort_text(list: &Value) -> Vec<String> {
    let mut items: Vec<&Value> = list["items"].as_array().unwrap().iter().collect();
    items.sort_by_key(|i| i["sortText"].as_str().unwrap_or("").to_string());
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn field_names_while_the_yaml_is_half_typed() {
    let ws = workspace();
    let client = start(&ws, "utf-16");
    let (uri, at) = open_marked(
        &client,
        &ws,
        ".chant/specs/2026-02-01-001-new.md",
        "---\ntype: code\nsta|\nlabels: [x\n---\n# New\n",
    );
    let list = complete(&client, &uri, at);
    let names = labels(&list);
    assert!(names.contains(&"status".to_string()) && names.contains(&"depends_on".to_string()));
    assert!(
        !names.contains(&"type".to_string()),
        "present fields are not offered"
    );
    let status = item(&list, "status");
    assert_eq!(
        status["textEdit"],
        json!({"range": range(2, 0, 2, 3), "newText": "status: "})
    );
    assert_eq!(status["detail"], "pending | in_progress | paused | completed | failed | needs_attention | ready | blocked | cancelled");
    assert!(status["documentation"]["value"]
        .as_str()
        .unwrap()
        .contains("Default `pending`"));
    // The test client is not VS Code: no editor-specific retrigger command.
    assert!(status.get("command").is_none());
    client.shutdown();
}

#[test]
fn enum_values_and_nested_fields() {
    let ws = workspace();
    let client = start(&ws, "utf-8");
    let (uri, at) = open_marked(
        &client,
        &ws,
        ".chant/specs/2026-02-01-002-new.md",
        "---\nstatus: in|\n---\n# New\n",
    );
    let list = complete(&client, &uri, at);
    assert_eq!(labels(&list).len(), 9);
    assert_eq!(
        item(&list, "in_progress")["textEdit"],
        json!({"range": range(1, 8, 1, 10), "newText": "in_progress"})
    );
    let (uri, at) = open_marked(
        &client,
        &ws,
        ".chant/specs/2026-02-01-003-new.md",
        "---\napproval:\n  required: true\n  status: |\n---\n# New\n",
    );
    assert_eq!(
        labels(&complete(&client, &uri, at)),
        ["pending", "approved", "rejected"]
    );
    let (uri, at) = open_marked(
        &client,
        &ws,
        ".chant/specs/2026-02-01-004-new.md",
        "---\napproval:\n  |\n---\n# New\n",
    );
    assert_eq!(
        labels(&complete(&client, &uri, at)),
        ["required", "status", "by", "at"]
    );
    client.shutdown();
}

#[test]
fn prompt_names_with_purpose_and_built_ins_flagged() {
    let ws = workspace();
    let client = start(&ws, "utf-16");
    let (uri, at) = open_marked(
        &client,
        &ws,
        ".chant/specs/2026-02-01-005-new.md",
        "---\nprompt: \"re|\"\n---\n# New\n",
    );
    let list = complete(&client, &uri, at);
    let research = item(&list, "research");
    assert_eq!(research["detail"], "Research a question");
    // Inside quotes the edit covers the text between them.
    assert_eq!(research["textEdit"]["range"], range(1, 9, 1, 11));
    assert_eq!(item(&list, "standard")["detail"], "Implement the spec");
    // A prompt chant 0.23.2 ships, which this project has no file for.
    let shipped = item(&list, "ollama");
    assert_eq!(shipped["detail"], "built-in name, no file here");
    assert!(shipped["documentation"]["value"]
        .as_str()
        .unwrap()
        .contains("Prompt not found: ollama"));
    client.shutdown();
}

#[test]
fn spec_ids_with_title_and_status_excluding_the_spec_itself() {
    let ws = workspace();
    let client = start(&ws, "utf-16");
    let (uri, at) = open_marked(
        &client,
        &ws,
        ".chant/specs/2026-01-01-001-aaa.md",
        &LOGIN.replace("labels: [ui, auth]", "depends_on: [|]"),
    );
    let list = complete(&client, &uri, at);
    assert_eq!(labels(&list), ["2026-01-01-003-ccc", "2026-01-01-002-bbb"]);
    let bbb = item(&list, "2026-01-01-002-bbb");
    assert_eq!(bbb["detail"], "pending · Compare auth providers");
    assert_eq!(
        bbb["filterText"],
        "2026-01-01-002-bbb Compare auth providers"
    );
    assert_eq!(bbb["textEdit"]["range"], range(3, 13, 3, 13));
    // Block list form.
    let (uri, at) = open_marked(
        &client,
        &ws,
        ".chant/specs/2026-02-01-006-new.md",
        "---\nmembers:\n  - 2026-01-01-00|\n---\n# New\n",
    );
    let list = complete(&client, &uri, at);
    assert_eq!(
        item(&list, "2026-01-01-001-aaa")["textEdit"],
        json!({"range": range(2, 4, 2, 17), "newText": "2026-01-01-001-aaa"})
    );
    client.shutdown();
}

#[test]
fn paths_folder_by_folder_respecting_gitignore() {
    let ws = workspace();
    let client = start(&ws, "utf-16");
    let (uri, at) = open_marked(
        &client,
        &ws,
        ".chant/specs/2026-02-01-007-new.md",
        "---\ninformed_by:\n  - |\n---\n# New\n",
    );
    let list = complete(&client, &uri, at);
    let names = labels(&list);
    assert!(names.contains(&"docs/".to_string()) && names.contains(&".chant/".to_string()));
    assert!(
        !names.contains(&"target/".to_string()),
        ".gitignore is respected: {names:?}"
    );
    assert_eq!(item(&list, "docs/")["kind"], 19);
    // One folder deeper, typing inside it: the edit covers the whole token.
    let (uri, at) = open_marked(
        &client,
        &ws,
        ".chant/specs/2026-02-01-008-new.md",
        "---\ninformed_by:\n  - docs/res|\n---\n# New\n",
    );
    let list = complete(&client, &uri, at);
    assert_eq!(
        item(&list, "research/")["textEdit"],
        json!({"range": range(2, 4, 2, 12), "newText": "docs/research/"})
    );
    let (uri, at) = open_marked(
        &client,
        &ws,
        ".chant/specs/2026-02-01-009-new.md",
        "---\ninformed_by: [docs/research/|]\n---\n# New\n",
    );
    let list = complete(&client, &uri, at);
    assert_eq!(
        sorted_by_sort_text(&list),
        ["auth-notes.md", "space name 😀.md"]
    );
    // A name with a space and an emoji is inserted as is (a plain YAML scalar
    // may hold both); the range is in UTF-16 units.
    assert_eq!(
        item(&list, "space name 😀.md")["textEdit"],
        json!({"range": range(1, 14, 1, 28), "newText": "docs/research/space name 😀.md"})
    );
    client.shutdown();
}

#[test]
fn spec_and_research_files_come_first_for_informed_by() {
    let ws = workspace();
    let client = start(&ws, "utf-16");
    let (uri, at) = open_marked(
        &client,
        &ws,
        ".chant/specs/2026-02-01-00a-new.md",
        "---\ninformed_by:\n  - .chant/specs/|\n---\n# New\n",
    );
    let list = complete(&client, &uri, at);
    assert!(labels(&list).contains(&"2026-01-01-002-bbb.md".to_string()));
    let (uri, at) = open_marked(
        &client,
        &ws,
        ".chant/specs/2026-02-01-00b-new.md",
        "---\ncontext:\n  - \"sr|\"\n---\n# New\n",
    );
    let list = complete(&client, &uri, at);
    assert_eq!(
        item(&list, "src/")["textEdit"],
        json!({"range": range(2, 5, 2, 7), "newText": "src/"})
    );
    client.shutdown();
}

#[test]
fn labels_most_used_first() {
    let ws = workspace();
    let client = start(&ws, "utf-16");
    let (uri, at) = open_marked(
        &client,
        &ws,
        ".chant/specs/2026-02-01-00c-new.md",
        "---\nlabels: [|]\n---\n# New\n",
    );
    let list = complete(&client, &uri, at);
    assert_eq!(sorted_by_sort_text(&list), ["ui", "auth"]);
    assert_eq!(item(&list, "ui")["detail"], "used by 2 specs");
    client.shutdown();
}

#[test]
fn spec_ids_in_the_body_and_template_variables_in_prompts() {
    let ws = workspace();
    let client = start(&ws, "utf-16");
    let (uri, at) = open_marked(
        &client,
        &ws,
        ".chant/specs/2026-02-01-00d-new.md",
        "---\n---\n# New\n\nThis depends on 2026-01|\n",
    );
    let list = complete(&client, &uri, at);
    assert_eq!(
        item(&list, "2026-01-01-003-ccc")["textEdit"],
        json!({"range": range(4, 16, 4, 23), "newText": "2026-01-01-003-ccc"})
    );
    // Ordinary prose gets nothing.
    let (uri, at) = open_marked(
        &client,
        &ws,
        ".chant/specs/2026-02-01-00e-new.md",
        "---\n---\n# New\n\nSome wor|\n",
    );
    assert_eq!(complete(&client, &uri, at), Value::Null);
    let (uri, at) = open_marked(
        &client,
        &ws,
        ".chant/prompts/mine.md",
        "Work on {{sp|}} now\n",
    );
    let list = complete(&client, &uri, at);
    assert_eq!(
        item(&list, "{{spec.id}}")["textEdit"],
        json!({"range": range(0, 8, 0, 14), "newText": "{{spec.id}}"})
    );
    client.shutdown();
}

fn hover_text(client: &LspClient, uri: &str, position: Value) -> (String, Value) {
    let hover = client.request_ok(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position}),
    );
    assert_eq!(hover["contents"]["kind"], "markdown", "{hover:#}");
    (
        hover["contents"]["value"].as_str().unwrap().to_string(),
        hover["range"].clone(),
    )
}

#[test]
fn hover_previews_linked_files() {
    let ws = workspace();
    let client = start(&ws, "utf-16");
    let uri = ws.uri(".chant/specs/2026-01-01-002-bbb.md");
    client.did_open(&uri, "markdown", RESEARCH);
    // A Markdown research file: its title and opening lines.
    let (text, range_) = hover_text(&client, &uri, client.position_of(&uri, "auth-notes"));
    assert_eq!(text, "**Auth research**  \n`docs/research/auth-notes.md`\n\n---\n\nWe compared OAuth providers.\nGitHub won.");
    assert_eq!(range_, range(4, 4, 4, 31));
    // A spec ID: title, type, status, criteria progress and first paragraph.
    let (text, _) = hover_text(
        &client,
        &uri,
        client.position_of(&uri, "2026-01-01-001-aaa"),
    );
    assert_eq!(text, "**Build login page**  \n`2026-01-01-001-aaa` · `code` · `in_progress` · criteria 3/5\n\nA page where users sign in with email.");
    // A missing file a spec will create.
    let (text, _) = hover_text(&client, &uri, client.position_of(&uri, "summary.md"));
    assert_eq!(text, "`docs/research/summary.md` does not exist yet: `2026-01-01-002-bbb` will create it (it is in their `target_files`).");
    // The prompt.
    let (text, _) = hover_text(
        &client,
        &uri,
        client.position_of(&uri, "research\ninformed_by"),
    );
    assert_eq!(text, "**Prompt `research`**  \nResearch a question\n\n```markdown\nResearch {{spec.title}} carefully.\n```");
    // A field name and an enum value.
    let (text, _) = hover_text(&client, &uri, client.position_of(&uri, "type"));
    assert!(
        text.starts_with("`type`  \nWhat kind of work the spec is."),
        "{text}"
    );
    let (text, _) = hover_text(&client, &uri, client.position_of(&uri, "research\nprompt"));
    assert!(
        text.starts_with("`type: research`  \nProduces research output"),
        "{text}"
    );
    client.shutdown();
}

#[test]
fn hover_on_source_files_fifos_huge_files_and_escapes() {
    let ws = workspace();
    let big = ws.join("big.log");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&big).unwrap();
        let line = "x".repeat(1023) + "\n";
        for _ in 0..(100 * 1024) {
            f.write_all(line.as_bytes()).unwrap();
        }
    }
    let fifo = ws.join("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    std::os::unix::fs::symlink("/etc", ws.join("etc-link")).unwrap();
    ws.write("data.bin", [0u8, 1, 2, 3, 255, 0]);
    let client = start(&ws, "utf-16");
    let spec = "---\ninformed_by:\n  - src/main.rs\n  - pipe\n  - big.log\n  - ../../etc/passwd\n  - etc-link/passwd\n  - data.bin\n---\n# Links\n";
    let uri = ws.uri(".chant/specs/2026-02-01-010-links.md");
    client.did_open(&uri, "markdown", spec);
    let (text, _) = hover_text(&client, &uri, client.position_of(&uri, "src/main.rs"));
    assert_eq!(
        text,
        "`src/main.rs` (34 bytes)\n\n```rust\nfn main() {\n    println!(\"hi\");\n}\n```"
    );
    let (text, _) = hover_text(&client, &uri, client.position_of(&uri, "pipe"));
    assert_eq!(
        text,
        "`pipe` is a named pipe (FIFO), not a regular file: not read."
    );
    let (text, _) = hover_text(&client, &uri, client.position_of(&uri, "big.log"));
    assert!(
        text.starts_with("`big.log` (100.0 MB)\n\n```\nxxxx"),
        "{}",
        &text[..60]
    );
    assert!(
        text.len() < 25_000,
        "the preview stays small: {} bytes",
        text.len()
    );
    let (text, _) = hover_text(&client, &uri, client.position_of(&uri, "../../etc/passwd"));
    assert_eq!(
        text,
        "`../../etc/passwd` leads outside the project: not shown."
    );
    let (text, _) = hover_text(&client, &uri, client.position_of(&uri, "etc-link/passwd"));
    assert_eq!(
        text,
        "`etc-link/passwd` leads outside the project: not shown."
    );
    let (text, _) = hover_text(&client, &uri, client.position_of(&uri, "data.bin"));
    assert_eq!(text, "`data.bin`: binary file, 6 bytes.");
    client.shutdown();
}

#[test]
fn definitions_links_and_references() {
    let ws = workspace();
    let client = start(&ws, "utf-16");
    let research = ws.uri(".chant/specs/2026-01-01-002-bbb.md");
    client.did_open(&research, "markdown", RESEARCH);
    let def = client.request_ok("textDocument/definition", json!({"textDocument": {"uri": research}, "position": client.position_of(&research, "auth-notes")}));
    assert_eq!(
        def,
        json!({"uri": ws.uri("docs/research/auth-notes.md"), "range": range(0, 0, 0, 0)})
    );
    let def = client.request_ok("textDocument/definition", json!({"textDocument": {"uri": research}, "position": client.position_of(&research, "2026-01-01-001-aaa")}));
    assert_eq!(def["uri"], ws.uri(".chant/specs/2026-01-01-001-aaa.md"));
    let def = client.request_ok("textDocument/definition", json!({"textDocument": {"uri": research}, "position": client.position_of(&research, "research\ninformed_by")}));
    assert_eq!(def["uri"], ws.uri(".chant/prompts/research.md"));
    let links = client.request_ok(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": research}}),
    );
    let targets: Vec<&str> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            ws.uri(".chant/prompts/research.md"),
            ws.uri("docs/research/auth-notes.md"),
            ws.uri(".chant/specs/2026-01-01-001-aaa.md")
        ]
    );

    // References to a spec: who depends on it.
    let login = ws.uri(".chant/specs/2026-01-01-001-aaa.md");
    client.did_open(&login, "markdown", LOGIN);
    let refs = client.request_ok("textDocument/references", json!({"textDocument": {"uri": login}, "position": pos(7, 3), "context": {"includeDeclaration": false}}));
    assert_eq!(
        refs,
        json!([{"uri": research, "range": range(5, 13, 5, 31)}])
    );
    // References to a research file opened in the editor: the specs that list it.
    let notes = ws.uri("docs/research/auth-notes.md");
    client.did_open(&notes, "markdown", "# Auth research\n");
    let refs = client.request_ok("textDocument/references", json!({"textDocument": {"uri": notes}, "position": pos(0, 0), "context": {"includeDeclaration": false}}));
    assert_eq!(
        refs,
        json!([{"uri": research, "range": range(4, 4, 4, 31)}])
    );
    client.shutdown();
}

#[test]
fn symbols_lens_and_hints() {
    let ws = workspace();
    let client = start(&ws, "utf-16");
    let login = ws.uri(".chant/specs/2026-01-01-001-aaa.md");
    client.did_open(&login, "markdown", LOGIN);
    let symbols = client.request_ok(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": login}}),
    );
    let top: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(top, ["frontmatter", "Build login page"]);
    let fields: Vec<&str> = symbols[0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["type", "status", "labels", "target_files"]);
    let criteria = &symbols[1]["children"][0];
    assert_eq!(criteria["name"], "Acceptance Criteria");
    assert_eq!(criteria["detail"], "3/5 done");
    let items: Vec<&str> = criteria["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        items,
        [
            "[x] form",
            "[x] validation",
            "[x] errors",
            "[ ] tests",
            "[ ] docs"
        ]
    );

    let lenses = client.request_ok(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": login}}),
    );
    assert_eq!(lenses[0]["command"]["title"], "in_progress · 3/5");
    assert_eq!(lenses[0]["range"], range(7, 0, 7, 18));

    let research = ws.uri(".chant/specs/2026-01-01-002-bbb.md");
    client.did_open(&research, "markdown", RESEARCH);
    let hints = client.request_ok(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": research}, "range": range(0, 0, 20, 0)}),
    );
    assert_eq!(
        hints,
        json!([{"position": pos(5, 31), "label": "Build login page · in_progress", "paddingLeft": true}])
    );

    let found = client.request_ok("workspace/symbol", json!({"query": "auth prov"}));
    assert_eq!(
        found[0]["name"],
        "2026-01-01-002-bbb Compare auth providers"
    );
    assert_eq!(
        found[0]["location"],
        json!({"uri": research, "range": range(9, 0, 9, 0)})
    );
    client.shutdown();
}

#[test]
fn renaming_a_file_offers_edits_to_the_specs_that_reference_it() {
    let ws = workspace();
    let client = start(&ws, "utf-16");
    let research = ws.uri(".chant/specs/2026-01-01-002-bbb.md");
    client.did_open(&research, "markdown", RESEARCH);
    let edit = client.request_ok(
        "workspace/willRenameFiles",
        json!({"files": [{"oldUri": ws.uri("docs/research"), "newUri": ws.uri("docs/studies")}]}),
    );
    assert_eq!(
        edit["documentChanges"],
        json!([{"textDocument": {"uri": research, "version": 1}, "edits": [
            {"range": range(4, 4, 4, 31), "newText": "docs/studies/auth-notes.md"},
            {"range": range(7, 4, 7, 28), "newText": "docs/studies/summary.md"}
        ]}])
    );
    // Renaming a spec file renames its ID in the specs that depend on it.
    let edit = client.request_ok(
        "workspace/willRenameFiles",
        json!({"files": [{"oldUri": ws.uri(".chant/specs/2026-01-01-001-aaa.md"), "newUri": ws.uri(".chant/specs/2026-01-01-001-login.md")}]}),
    );
    assert_eq!(
        edit["documentChanges"][0]["edits"],
        json!([{"range": range(5, 13, 5, 31), "newText": "2026-01-01-001-login"}])
    );
    client.shutdown();
}

/// A completion asked for before the workspace is indexed waits for the
/// index instead of answering nothing (only diagnostics answer early). The
/// request provably arrives first: it is sent before `initialized`, the
/// notification on which the server starts indexing.
#[test]
fn completion_before_the_index_is_ready_waits_for_it() {
    let ws = workspace();
    let mut opts = ClientOptions::for_folder(ws.path());
    opts.position_encodings = vec!["utf-16"];
    let mut client = LspClient::spawn(opts);
    client.initialize_without_initialized();
    let (uri, position) = open_marked(
        &client,
        &ws,
        ".chant/specs/2026-03-01-001-new.md",
        "---\ninformed_by:\n  - docs/research/|\n---\n# New\n",
    );
    let pending = client.request_async(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": position}),
    );
    client.send_initialized();
    let list = pending.wait().unwrap();
    assert_eq!(
        labels(&list),
        ["auth-notes.md", "space name 😀.md"],
        "{list}"
    );
    client.shutdown();
}

/// `textDocument/codeAction` with `context.only`: only actions of the kinds
/// asked for (or below them: `refactor` takes `refactor.rewrite`), and the
/// chant commands, which are plain commands, only when no kind is asked.
#[test]
fn code_actions_follow_context_only() {
    let ws = workspace();
    ws.git_init();
    let mut opts = ClientOptions::for_folder(ws.path());
    opts.settings = json!({"commands": {"enabled": true}});
    opts.initialization_options = Some(opts.settings.clone());
    let client = LspClient::start(opts);
    let uri = ws.uri(".chant/specs/2026-01-01-003-ccc.md");
    // An unknown status (a quick fix) and a criterion (a rewrite).
    client.did_open(
        &uri,
        "markdown",
        &UI.replace("labels: [ui]", "status: pendin"),
    );
    client.wait_for_diagnostics(&uri);
    client.wait_idle();
    let actions = |only: Option<Value>, at: &str| -> Vec<(String, String)> {
        // As an editor does: the diagnostics on the line of the cursor.
        let at = client.range_of(&uri, at);
        let diagnostics: Vec<Value> = client
            .wait_for_diagnostics(&uri)
            .into_iter()
            .filter(|d| d["range"]["start"]["line"] == at["start"]["line"])
            .collect();
        let mut context = json!({"diagnostics": diagnostics});
        if let Some(only) = only {
            context["only"] = only;
        }
        client
            .request_ok(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri}, "range": at, "context": context}),
            )
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["kind"].as_str().unwrap_or("(command)").to_string(),
                    a["title"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let fix = ("quickfix".to_string(), "Change to `pending`".to_string());
    let tick = (
        "refactor.rewrite".to_string(),
        "Tick this criterion".to_string(),
    );
    // No kind asked: the fixes, and the commands (a plain code action).
    let all = actions(None, "pendin");
    assert!(all.contains(&fix), "{all:?}");
    assert!(all.iter().any(|(_, t)| t == "Work this spec"), "{all:?}");
    let quickfixes = actions(Some(json!(["quickfix"])), "pendin");
    assert_eq!(quickfixes, std::slice::from_ref(&fix));
    assert_eq!(
        actions(Some(json!(["refactor.rewrite"])), "spacing"),
        std::slice::from_ref(&tick)
    );
    assert_eq!(actions(Some(json!(["refactor"])), "spacing"), [tick]);
    assert_eq!(actions(Some(json!(["source"])), "pendin"), []);
    client.shutdown();
}
