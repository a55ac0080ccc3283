//! End-to-end: the whole project in the editor, over JSON-RPC against the
//! built server. Workspace diagnostics (pulled with result IDs, or pushed
//! for closed specs, only when they change), a `git checkout` of 500
//! specs, the call hierarchy, drift with real modification times, semantic
//! tokens, `chant/specList` with `chant/specListChanged`, and the cold
//! start's early diagnostics.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};
use support::*;

const CONFIG: &str = "project:\n  name: demo\n";

fn project() -> TempWorkspace {
    let ws = TempWorkspace::new();
    ws.chant_init(CONFIG);
    ws.write(
        ".chant/prompts/standard.md",
        "---\nname: standard\npurpose: Implement the spec\n---\nDo {{spec.title}}\n",
    );
    // chant's default prompt: without it `chant work` fails on every spec
    // (the readiness says so).
    ws.write(
        ".chant/prompts/bootstrap.md",
        "---\nname: bootstrap\npurpose: Start work\n---\nDo {{spec.title}}\n",
    );
    ws
}

fn spec_rel(id: &str) -> String {
    format!(".chant/specs/{id}.md")
}

fn write_spec(ws: &TempWorkspace, id: &str, text: &str) -> String {
    ws.write(&spec_rel(id), text);
    ws.uri(&spec_rel(id))
}

/// A client that pulls diagnostics (VS Code-like: `textDocument.diagnostic`
/// and `workspace.diagnostics.refreshSupport`).
fn pull_options(ws: &TempWorkspace) -> ClientOptions {
    let mut opts = ClientOptions::for_folder(ws.path());
    opts.capabilities_patch = Some(json!({
        "textDocument": {"diagnostic": {"dynamicRegistration": false, "relatedDocumentSupport": false}},
        "workspace": {"diagnostics": {"refreshSupport": true}}
    }));
    opts
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn last_codes(client: &LspClient, uri: &str) -> Option<Vec<String>> {
    client
        .diagnostics_history(uri)
        .last()
        .map(|p| codes(&p.diagnostics))
}

fn publications(client: &LspClient) -> u64 {
    client.wait_idle()["publications"].as_u64().unwrap()
}

/// Graded Ready by chant's quality score, so it has no diagnostics at all.
const CLEAN: &str =
    "---\nstatus: pending\n---\n# Clean\n\n## Acceptance Criteria\n\n- [x] Add a\n- [x] Fix b\n";

// --- pull ---------------------------------------------------------------

/// Items of a workspace report by URI: (kind, resultId, codes).
fn report_items(report: &Value) -> BTreeMap<String, (String, String, Vec<String>)> {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                normalize_uri(item["uri"].as_str().unwrap()),
                (
                    item["kind"].as_str().unwrap().to_string(),
                    item["resultId"].as_str().unwrap_or_default().to_string(),
                    item["items"]
                        .as_array()
                        .map(|a| codes(a))
                        .unwrap_or_default(),
                ),
            )
        })
        .collect()
}

#[test]
fn pulled_diagnostics_have_result_ids_and_unchanged_specs_cost_nothing() {
    let ws = project();
    let bad = write_spec(
        &ws,
        "2026-02-01-001-bad",
        "---\nstatus: nope\n---\n# Bad\n\n## Acceptance Criteria\n\n- [x] a\n",
    );
    let clean = write_spec(&ws, "2026-02-01-002-cln", CLEAN);
    let dep = write_spec(
        &ws,
        "2026-02-01-003-dep",
        "---\ndepends_on: [2026-02-01-009-new]\n---\n# Needs new\n\n## Acceptance Criteria\n\n- [x] Add a\n- [x] Fix b\n",
    );
    let client = LspClient::start(pull_options(&ws));
    let provider = &client.server_capabilities()["diagnosticProvider"];
    assert_eq!(provider["interFileDependencies"], true);
    assert_eq!(provider["workspaceDiagnostics"], true);
    client.wait_idle();

    // Everything with diagnostics, nothing for the clean spec.
    let first = client.request_ok(
        "workspace/diagnostic",
        json!({"identifier": "chant", "previousResultIds": []}),
    );
    let items = report_items(&first);
    assert_eq!(
        items.keys().cloned().collect::<Vec<_>>(),
        vec![normalize_uri(&bad), normalize_uri(&dep)]
    );
    assert_eq!(items[&normalize_uri(&bad)].2, ["chant/unknown-status"]);
    assert_eq!(items[&normalize_uri(&dep)].2, ["chant/unknown-dependency"]);
    let id_of = |uri: &str| items[&normalize_uri(uri)].1.clone();

    // A document pull with the same result ID: unchanged.
    let unchanged = client.request_ok(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": bad}, "previousResultId": id_of(&bad)}),
    );
    assert_eq!(unchanged["kind"], "unchanged");
    assert_eq!(unchanged["resultId"], id_of(&bad).as_str());
    let full = client.request_ok(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": clean}}),
    );
    assert_eq!(full["kind"], "full");
    assert_eq!(full["items"], json!([]));

    // With every result ID the client has, the request waits for a change;
    // the new spec on disk changes only the dependent's result.
    let previous = json!([
        {"uri": bad, "value": id_of(&bad)},
        {"uri": dep, "value": id_of(&dep)},
    ]);
    let pending = client.request_async(
        "workspace/diagnostic",
        json!({"identifier": "chant", "previousResultIds": previous}),
    );
    // Nothing has changed yet: the answer can only come from the change
    // below (a server that answered at once would report every result as
    // unchanged, or the dependent still with its unknown dependency).
    let new = write_spec(
        &ws,
        "2026-02-01-009-new",
        "---\nstatus: completed\n---\n# New\n\n## Acceptance Criteria\n\n- [x] a\n",
    );
    client.did_change_watched_files(&[(new.as_str(), FILE_CREATED)]);
    let changed = report_items(&pending.wait().unwrap());
    assert_eq!(
        changed.keys().cloned().collect::<Vec<_>>(),
        vec![normalize_uri(&dep)],
        "{changed:?}"
    );
    assert_eq!(changed[&normalize_uri(&dep)].0, "full");
    assert!(changed[&normalize_uri(&dep)].2.is_empty());
    assert_ne!(changed[&normalize_uri(&dep)].1, id_of(&dep));

    // No push for a client that pulls.
    client.wait_idle();
    for uri in [&bad, &clean, &dep, &new] {
        assert!(client.diagnostics_history(uri).is_empty(), "{uri}");
    }

    // A change on disk while no workspace request waits: the client is
    // asked to pull again.
    let before = client.server_requests("workspace/diagnostic/refresh").len();
    ws.write(
        &spec_rel("2026-02-01-002-cln"),
        "---\nstatus: bogus\n---\n# Clean\n",
    );
    client.did_change_watched_files(&[(clean.as_str(), FILE_CHANGED)]);
    client.wait_idle();
    assert!(client.server_requests("workspace/diagnostic/refresh").len() > before);
    let again = client.request_ok(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": clean}, "previousResultId": full["resultId"]}),
    );
    assert_eq!(again["kind"], "full");
    assert_eq!(
        codes(again["items"].as_array().unwrap())[0],
        "chant/unknown-status"
    );

    // A deleted spec the client has diagnostics for is cleared.
    let previous = json!([{"uri": bad, "value": id_of(&bad)}]);
    ws.remove(&spec_rel("2026-02-01-001-bad"));
    client.did_change_watched_files(&[(bad.as_str(), FILE_DELETED)]);
    client.wait_idle();
    let cleared = report_items(&client.request_ok(
        "workspace/diagnostic",
        json!({"identifier": "chant", "previousResultIds": previous}),
    ));
    assert_eq!(cleared[&normalize_uri(&bad)].2, Vec::<String>::new());
    client.shutdown();
}

#[test]
fn an_open_spec_is_pulled_with_its_buffer_and_refreshed_when_its_facts_change() {
    let ws = project();
    let dep = write_spec(
        &ws,
        "2026-02-02-001-dep",
        "---\nstatus: in_progress\n---\n# Dep\n\n## Acceptance Criteria\n\n- [x] a\n",
    );
    let main_text =
        "---\ndepends_on: [2026-02-02-001-dep]\n---\n# Main\n\n## Acceptance Criteria\n\n- [x] Add a\n- [x] Fix b\n";
    let main = write_spec(&ws, "2026-02-02-002-man", main_text);
    let client = LspClient::start(pull_options(&ws));
    client.wait_idle();
    client.did_open(&main, "markdown", main_text);
    client.wait_idle();
    let first = client.request_ok(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": main}}),
    );
    assert_eq!(
        codes(first["items"].as_array().unwrap()),
        ["chant/unmet-dependency"]
    );
    let same = client.request_ok(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": main}, "previousResultId": first["resultId"]}),
    );
    assert_eq!(same["kind"], "unchanged");
    // The dependency is completed on disk: the open spec's result changes
    // without its text changing, so the client is asked to pull again.
    let before = client.server_requests("workspace/diagnostic/refresh").len();
    ws.write(
        &spec_rel("2026-02-02-001-dep"),
        "---\nstatus: completed\n---\n# Dep\n\n## Acceptance Criteria\n\n- [x] a\n",
    );
    client.did_change_watched_files(&[(dep.as_str(), FILE_CHANGED)]);
    client.wait_idle();
    assert!(client.server_requests("workspace/diagnostic/refresh").len() > before);
    let after = client.request_ok(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": main}, "previousResultId": first["resultId"]}),
    );
    assert_eq!(after["kind"], "full");
    assert_eq!(after["items"], json!([]));
    client.shutdown();
}

// --- push ---------------------------------------------------------------

#[test]
fn closed_specs_are_pushed_once_and_again_only_when_their_result_changes() {
    let ws = project();
    let bad = write_spec(
        &ws,
        "2026-02-03-001-bad",
        "---\nstatus: nope\n---\n# Bad\n\n## Acceptance Criteria\n\n- [x] a\n",
    );
    let clean = write_spec(&ws, "2026-02-03-002-cln", CLEAN);
    let waiting = write_spec(
        &ws,
        "2026-02-03-003-wai",
        "---\ndepends_on: [2026-02-03-004-opn]\n---\n# Waits\n\n## Acceptance Criteria\n\n- [x] Add a\n- [x] Fix b\n",
    );
    let open_text =
        "---\nstatus: in_progress\n---\n# Open one\n\n## Acceptance Criteria\n\n- [x] a\n";
    let open = write_spec(&ws, "2026-02-03-004-opn", open_text);
    let client = LspClient::start(ClientOptions::for_folder(ws.path()));
    client.wait_idle();
    assert_eq!(last_codes(&client, &bad).unwrap(), ["chant/unknown-status"]);
    assert_eq!(
        last_codes(&client, &waiting).unwrap(),
        ["chant/unmet-dependency"]
    );
    assert!(
        client.diagnostics_history(&clean).is_empty(),
        "nothing to show, nothing sent"
    );
    assert!(client.diagnostics_history(&open).is_empty());
    assert!(client
        .diagnostics_history(&bad)
        .iter()
        .all(|p| p.version.is_none()));

    // Editing the open spec's title changes the message its dependent
    // shows: that dependent, and nothing else closed, is published again.
    client.did_open(&open, "markdown", open_text);
    client.wait_idle();
    let bad_before = client.diagnostics_history(&bad).len();
    let waiting_before = client.diagnostics_history(&waiting).len();
    client.replace_first(&open, "# Open one", "# Open two");
    client.wait_idle();
    assert_eq!(client.diagnostics_history(&bad).len(), bad_before);
    assert_eq!(
        client.diagnostics_history(&waiting).len(),
        waiting_before + 1
    );
    let message = client
        .diagnostics_history(&waiting)
        .last()
        .unwrap()
        .diagnostics[0]["message"]
        .clone();
    assert!(
        message.as_str().unwrap().contains("(Open two)"),
        "{message}"
    );

    // An idle server sends nothing on its own: the next event (the close
    // below) brings exactly its own publications, none from in between.
    let settled = publications(&client);

    // Closing the spec: its file's diagnostics (none) replace the buffer's.
    client.did_close(&open);
    assert_eq!(
        publications(&client),
        settled + 2,
        "the closed spec and its dependent, and nothing else"
    );
    let last = client.diagnostics_history(&open).pop().unwrap();
    assert_eq!((last.version, last.diagnostics.len()), (None, 0));
    // The dependent follows the file (the title on disk).
    let message = client
        .diagnostics_history(&waiting)
        .last()
        .unwrap()
        .diagnostics[0]["message"]
        .clone();
    assert!(
        message.as_str().unwrap().contains("(Open one)"),
        "{message}"
    );

    // A deleted spec's diagnostics are cleared.
    ws.remove(&spec_rel("2026-02-03-001-bad"));
    client.did_change_watched_files(&[(bad.as_str(), FILE_DELETED)]);
    client.wait_idle();
    assert_eq!(last_codes(&client, &bad).unwrap(), Vec::<String>::new());

    // Switched off: what was sent is cleared; on again: back.
    client.change_settings(json!({"diagnostics": {"workspace": false}}));
    client.wait_idle();
    assert_eq!(last_codes(&client, &waiting).unwrap(), Vec::<String>::new());
    client.change_settings(json!({"diagnostics": {"workspace": true}}));
    client.wait_idle();
    assert_eq!(
        last_codes(&client, &waiting).unwrap(),
        ["chant/unmet-dependency"]
    );
    client.shutdown();
}

/// `chant-lsp check --format json`: (line, column, code, message) of each
/// diagnostic by spec ID.
fn check_report(ws: &TempWorkspace) -> BTreeMap<String, Vec<(u64, u64, String, String)>> {
    let out = Command::new(env!("CARGO_BIN_EXE_chant-lsp"))
        .args(["check", "--format", "json", "."])
        .current_dir(ws.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut by_spec: BTreeMap<String, Vec<(u64, u64, String, String)>> = BTreeMap::new();
    for d in report["diagnostics"].as_array().unwrap() {
        by_spec
            .entry(d["spec_id"].as_str().unwrap().into())
            .or_default()
            .push((
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["column"].as_u64().unwrap(),
                d["code"].as_str().unwrap().into(),
                d["message"].as_str().unwrap().into(),
            ));
    }
    by_spec
}

fn published(client: &LspClient, uri: &str) -> Vec<(u64, u64, String, String)> {
    client
        .diagnostics_history(uri)
        .last()
        .map(|p| {
            p.diagnostics
                .iter()
                .map(|d| {
                    (
                        d["range"]["start"]["line"].as_u64().unwrap(),
                        d["range"]["start"]["character"].as_u64().unwrap(),
                        d["code"].as_str().unwrap().to_string(),
                        d["message"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A `git checkout` that changes 500 of 600 specs at once: every closed
/// spec's published diagnostics end as `chant-lsp check` reports them.
#[test]
fn a_checkout_of_500_specs_ends_right() {
    let ws = project();
    let id = |i: usize| format!("2026-03-{:02}-{:03}-chk", 1 + i / 100, i % 100);
    let text = |i: usize, round: usize| {
        let dep = if i > 0 {
            format!("depends_on: [{}]\n", id(i - 1))
        } else {
            String::new()
        };
        let status = match (round + i) % 5 {
            0 => "completed",
            1 => "pending",
            2 => "in_progress",
            3 if round == 1 => "opne",
            _ => "pending",
        };
        format!("---\nstatus: {status}\n{dep}---\n# Spec {i} round {round}\n\n## Acceptance Criteria\n\n- [ ] one\n")
    };
    for i in 0..600 {
        ws.write(&spec_rel(&id(i)), text(i, 0));
    }
    let mut opts = ClientOptions::for_folder(ws.path());
    opts.position_encodings = vec!["utf-8"];
    let client = LspClient::start(opts);
    client.wait_idle();
    let uris: Vec<String> = (0..600).map(|i| ws.uri(&spec_rel(&id(i)))).collect();
    let before = check_report(&ws);
    for (i, uri) in uris.iter().enumerate() {
        assert_eq!(
            published(&client, uri),
            before.get(&id(i)).cloned().unwrap_or_default()
        );
    }
    let mut changes = Vec::new();
    for (i, uri) in uris.iter().enumerate().take(500) {
        ws.write(&spec_rel(&id(i)), text(i, 1));
        changes.push((uri.as_str(), FILE_CHANGED));
    }
    let started = std::time::Instant::now();
    client.did_change_watched_files(&changes);
    client.wait_idle();
    eprintln!(
        "500 changed specs settled in {:?} (debug build)",
        started.elapsed()
    );
    let after = check_report(&ws);
    assert_ne!(before, after);
    for (i, uri) in uris.iter().enumerate() {
        assert_eq!(
            published(&client, uri),
            after.get(&id(i)).cloned().unwrap_or_default(),
            "{}",
            id(i)
        );
    }
    client.shutdown();
}

// --- call hierarchy -----------------------------------------------------

#[test]
fn call_hierarchy_shows_dependents_dependencies_and_a_cycle() {
    let ws = project();
    let a_text = "---\ndepends_on: [2026-04-01-002-bbb]\n---\n# Alpha 😀\n\n## Acceptance Criteria\n\n- [ ] a\n";
    let a = write_spec(&ws, "2026-04-01-001-aaa", a_text);
    write_spec(
        &ws,
        "2026-04-01-002-bbb",
        "---\nstatus: completed\ndepends_on: [2026-04-01-003-ccc]\n---\n# Beta\n",
    );
    write_spec(
        &ws,
        "2026-04-01-003-ccc",
        "---\ndepends_on: [2026-04-01-001-aaa]\n---\n# Gamma\n",
    );
    write_spec(
        &ws,
        "2026-04-01-004-ddd",
        "---\ndepends_on:\n  - 2026-04-01-001-aaa\n---\n# Delta\n",
    );
    let client = LspClient::start(ClientOptions::for_folder(ws.path()));
    assert_eq!(client.server_capabilities()["callHierarchyProvider"], true);
    client.did_open(&a, "markdown", a_text);
    client.wait_idle();
    // On the title: the spec itself.
    let items = client.request_ok(
        "textDocument/prepareCallHierarchy",
        json!({"textDocument": {"uri": a}, "position": pos(3, 3)}),
    );
    let item = items[0].clone();
    assert_eq!(item["name"], "2026-04-01-001-aaa Alpha 😀");
    assert_eq!(item["detail"], "pending · ready");
    assert_eq!(item["selectionRange"], json!(range(3, 0, 3, 10)));
    assert_eq!(item["data"]["id"], "2026-04-01-001-aaa");

    let incoming = client.request_ok("callHierarchy/incomingCalls", json!({"item": item}));
    let from: Vec<(String, String, Value)> = incoming
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["from"]["name"].as_str().unwrap().to_string(),
                c["from"]["detail"].as_str().unwrap().to_string(),
                c["fromRanges"].clone(),
            )
        })
        .collect();
    assert_eq!(
        from,
        vec![
            (
                "2026-04-01-003-ccc Gamma".to_string(),
                "pending · blocked: waiting for 2026-04-01-001-aaa (pending) · on a dependency cycle".to_string(),
                json!([range(1, 13, 1, 31)])
            ),
            (
                "2026-04-01-004-ddd Delta".to_string(),
                "pending · blocked: waiting for 2026-04-01-001-aaa (pending)".to_string(),
                json!([range(2, 4, 2, 22)])
            ),
        ]
    );
    let outgoing = client.request_ok("callHierarchy/outgoingCalls", json!({"item": item}));
    assert_eq!(outgoing[0]["to"]["name"], "2026-04-01-002-bbb Beta");
    assert_eq!(
        outgoing[0]["to"]["detail"],
        "completed · on a dependency cycle"
    );
    assert_eq!(outgoing[0]["fromRanges"], json!([range(1, 13, 1, 31)]));
    // Following the cycle round is the client's choice, one level at a time.
    let beta_out = client.request_ok(
        "callHierarchy/outgoingCalls",
        json!({"item": outgoing[0]["to"]}),
    );
    assert_eq!(beta_out[0]["to"]["name"], "2026-04-01-003-ccc Gamma");
    // On a dependency ID: that spec.
    let on_id = client.request_ok(
        "textDocument/prepareCallHierarchy",
        json!({"textDocument": {"uri": a}, "position": pos(1, 20)}),
    );
    assert_eq!(on_id[0]["name"], "2026-04-01-002-bbb Beta");
    client.shutdown();
}

// --- drift --------------------------------------------------------------

fn set_mtime(ws: &TempWorkspace, rel: &str, rfc3339_utc: &str) {
    let seconds = Command::new("date")
        .args(["-u", "-d", rfc3339_utc, "+%s"])
        .output()
        .unwrap();
    let seconds: u64 = String::from_utf8_lossy(&seconds.stdout)
        .trim()
        .parse()
        .unwrap();
    let file = std::fs::File::options()
        .write(true)
        .open(ws.join(rel))
        .unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds))
        .unwrap();
}

#[test]
fn drift_names_each_file_modified_after_completion() {
    let ws = project();
    ws.write("src/a.rs", "fn a() {}\n");
    ws.write("src/b.rs", "fn b() {}\n");
    ws.write("docs/notes.md", "# Notes\n");
    set_mtime(&ws, "src/a.rs", "2026-01-01T00:00:00Z");
    set_mtime(&ws, "src/b.rs", "2026-02-03T04:05:00Z");
    set_mtime(&ws, "docs/notes.md", "2025-12-01T00:00:00Z");
    let text = "---\ntype: documentation\nstatus: completed\ncompleted_at: 2026-01-15T00:00:00Z\ntracks:\n  - src/*.rs\ntarget_files: [docs/api.md]\ninformed_by:\n  - docs/notes.md\n---\n# Document the API\n\n## Acceptance Criteria\n\n- [x] done\n";
    let doc = write_spec(&ws, "2026-05-01-001-doc", text);
    ws.write("docs/api.md", "# API\n");
    let client = LspClient::start(ClientOptions::for_folder(ws.path()));
    client.wait_idle();
    // Closed: pushed as part of the workspace's diagnostics.
    let closed = client.diagnostics_history(&doc).pop().unwrap().diagnostics;
    assert_eq!(codes(&closed), ["chant/drift"]);
    assert_eq!(closed[0]["range"], json!(range(5, 4, 5, 12)));
    assert_eq!(
        closed[0]["message"],
        "Drift: 1 file it matches was modified after this spec was completed (2026-01-15T00:00:00Z): `src/b.rs` (2026-02-03 04:05:00 UTC). `chant drift` reports the spec as drifted (inputs in `tracks` changed after completion; chant 0.23.2 then stops with \"Invalid transition from Completed to NeedsAttention\"). Re-run the spec to bring its work up to date."
    );
    client.did_open(&doc, "markdown", text);
    client.wait_idle();
    assert_eq!(codes(&client.wait_for_diagnostics(&doc)), ["chant/drift"]);
    // The notes change (a file changed on disk): a second diagnostic.
    ws.write("docs/notes.md", "# Notes, edited\n");
    set_mtime(&ws, "docs/notes.md", "2026-03-01T10:00:00Z");
    client.did_change_watched_files(&[(ws.uri("docs/notes.md").as_str(), FILE_CHANGED)]);
    let both = client.wait_for_diagnostics_matching(&doc, |d| d.len() == 2);
    assert_eq!(both[1]["range"], json!(range(8, 4, 8, 17)));
    assert!(both[1]["message"]
        .as_str()
        .unwrap()
        .starts_with("Drift: This file was modified after this spec was completed (2026-01-15T00:00:00Z): `docs/notes.md` (2026-03-01 10:00:00 UTC)."));
    client.shutdown();
}

// --- semantic tokens ----------------------------------------------------

const TOKENS_SPEC: &str = "---\r\nstatus: completed\r\ndepends_on: [2026-01-01-001-aaa, 2026-01-01-009-zzz]\r\nx😀: 1\r\n---\r\n# 😀 T\r\n\r\n## Acceptance Criteria\r\n\r\n- [x] 😀 a\r\n- [ ] 😀 b 2026-01-01-005-arc\r\n";

#[test]
fn semantic_tokens_in_utf16_and_utf8_with_crlf_and_emoji() {
    for (encoding, x_len, mention_at) in [("utf-16", 3, 11), ("utf-8", 5, 13)] {
        let ws = project();
        write_spec(
            &ws,
            "2026-01-01-001-aaa",
            "---\nstatus: completed\n---\n# Done\n",
        );
        ws.write(
            ".chant/archive/2026-01-01/2026-01-01-005-arc.md",
            "# Archived\n",
        );
        let uri = write_spec(&ws, "2026-01-01-002-tok", TOKENS_SPEC);
        let mut opts = ClientOptions::for_folder(ws.path());
        opts.position_encodings = vec![encoding];
        let client = LspClient::start(opts);
        let legend = &client.server_capabilities()["semanticTokensProvider"]["legend"];
        assert_eq!(
            legend["tokenTypes"],
            json!(["variable", "enumMember", "property", "keyword"])
        );
        assert_eq!(
            legend["tokenModifiers"],
            json!(["dangling", "archived", "done", "unknown", "deprecated"])
        );
        client.did_open(&uri, "markdown", TOKENS_SPEC);
        client.wait_idle();
        let tokens = client.request_ok(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        );
        #[rustfmt::skip]
        let expected = json!([
            1, 0, 6, 2, 0,       // status
            0, 8, 9, 1, 4,       // completed: done
            1, 0, 10, 2, 0,      // depends_on
            0, 13, 18, 0, 4,     // 2026-01-01-001-aaa: done
            0, 20, 18, 0, 1,     // 2026-01-01-009-zzz: dangling
            1, 0, x_len, 2, 8,   // x😀: unknown
            6, 0, 5, 3, 4,       // - [x]: done
            1, 0, 5, 3, 0,       // - [ ]
            0, mention_at, 18, 0, 18, // 2026-01-01-005-arc: archived, deprecated
        ]);
        assert_eq!(tokens["data"], expected, "{encoding}");
        if encoding == "utf-8" {
            // The completed dependency disappears: the client is asked to
            // request the tokens again, and the ID is dangling now.
            let before = client
                .server_requests("workspace/semanticTokens/refresh")
                .len();
            ws.remove(&spec_rel("2026-01-01-001-aaa"));
            client.did_change_watched_files(&[(
                ws.uri(&spec_rel("2026-01-01-001-aaa")).as_str(),
                FILE_DELETED,
            )]);
            client.wait_idle();
            assert!(
                client
                    .server_requests("workspace/semanticTokens/refresh")
                    .len()
                    > before
            );
            let again = client.request_ok(
                "textDocument/semanticTokens/full",
                json!({"textDocument": {"uri": uri}}),
            );
            assert_eq!(
                again["data"].as_array().unwrap()[15..20],
                json!([0, 13, 18, 0, 1]).as_array().unwrap()[..]
            );
        }
        client.shutdown();
    }
}

// --- the spec list ------------------------------------------------------

#[test]
fn the_spec_list_groups_by_readiness_and_says_when_it_changes() {
    let ws = project();
    write_spec(
        &ws,
        "2026-06-01-001-rdy",
        "---\nlabels: [ui]\n---\n# Ready one\n\n## Acceptance Criteria\n\n- [x] a\n- [ ] b\n",
    );
    write_spec(&ws, "2026-06-01-002-blk", "---\ndepends_on: [2026-06-01-001-rdy]\n---\n# Blocked one\n\n## Acceptance Criteria\n\n- [ ] a\n");
    write_spec(
        &ws,
        "2026-06-01-003-bad",
        "---\nstatus: nope\n---\n# Unreadable one\n",
    );
    let other = TempWorkspace::new();
    other.chant_init("project:\n  name: second\n");
    other.write(
        ".chant/specs/2026-06-02-001-two.md",
        "---\nstatus: completed\n---\n# Done\n",
    );
    let mut opts = ClientOptions::for_folder(ws.path());
    opts.workspace_folders = vec![ws.path().to_path_buf(), other.path().to_path_buf()];
    let client = LspClient::start(opts);
    client.wait_idle();
    let list = client.request_ok("chant/specList", json!({}));
    let projects = list["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 2);
    let demo = projects
        .iter()
        .find(|p| p["name"] == "demo")
        .unwrap_or_else(|| panic!("{list}"));
    assert_eq!(
        normalize_uri(demo["root"].as_str().unwrap()),
        normalize_uri(&ws.uri(""))
    );
    let specs = demo["specs"].as_array().unwrap();
    let summary: Vec<(String, String, String)> = specs
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().into(),
                s["status"].as_str().unwrap().into(),
                s["readiness"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "2026-06-01-001-rdy".into(),
                "pending".into(),
                "ready".into()
            ),
            (
                "2026-06-01-002-blk".into(),
                "pending".into(),
                "blocked".into()
            ),
            (
                "2026-06-01-003-bad".into(),
                "pending".into(),
                "unreadable".into()
            ),
        ]
    );
    let ready = &specs[0];
    assert_eq!(ready["title"], "Ready one");
    assert_eq!(ready["type"], "code");
    assert_eq!(ready["labels"], json!(["ui"]));
    assert_eq!(ready["criteria"], json!({"checked": 1, "total": 2}));
    assert_eq!(ready["running"], false);
    assert_eq!(
        normalize_uri(ready["uri"].as_str().unwrap()),
        normalize_uri(&ws.uri(&spec_rel("2026-06-01-001-rdy")))
    );
    assert_eq!(
        specs[1]["reason"],
        "waiting for 2026-06-01-001-rdy (pending)"
    );
    // The list carries the commands that can run (none: commands are off
    // here); chant/specStatus has them all, the refused ones with why.
    assert_eq!(ready["commands"], json!([]));
    let ready_uri = ws.uri(&spec_rel("2026-06-01-001-rdy"));
    client.did_open_from_disk(&ready_uri);
    let status = client.request_ok(
        "chant/specStatus",
        json!({"textDocument": {"uri": ready_uri}}),
    );
    let work = &status["commands"][0];
    assert_eq!(work["command"], "chant.work");
    assert_eq!(work["enabled"], false);
    assert!(work["reason"]
        .as_str()
        .unwrap()
        .contains("chant.commands.enabled"));
    // Otherwise the same answer, from the same code.
    let mut listed = ready.clone();
    listed.as_object_mut().unwrap().remove("uri");
    listed.as_object_mut().unwrap().remove("labels");
    let mut status = status.clone();
    status["commands"] = json!([]);
    assert_eq!(listed, status);
    client.did_close(&ready_uri);

    // One project only.
    let one = client.request_ok("chant/specList", json!({"rootUri": other.uri("")}));
    assert_eq!(one["projects"].as_array().unwrap().len(), 1);
    assert_eq!(one["projects"][0]["name"], "second");
    assert_eq!(one["projects"][0]["specs"][0]["readiness"], "completed");

    // Completing the dependency on disk: the list says it changed, once.
    client.wait_idle();
    let mark = client.mark();
    let seen = client.notifications("chant/specListChanged").len();
    ws.write(
        &spec_rel("2026-06-01-001-rdy"),
        "---\nstatus: completed\n---\n# Ready one\n\n## Acceptance Criteria\n\n- [x] a\n- [x] b\n",
    );
    client.did_change_watched_files(&[(ready_uri.as_str(), FILE_CHANGED)]);
    client.wait_for_notification_after(
        mark,
        "chant/specListChanged",
        |_| true,
        Duration::from_secs(10),
    );
    client.wait_idle();
    assert_eq!(
        client.notifications("chant/specListChanged").len(),
        seen + 1
    );
    let list = client.request_ok("chant/specList", json!({"rootUri": ws.uri("")}));
    let specs = list["projects"][0]["specs"].as_array().unwrap();
    assert_eq!(specs[0]["readiness"], "completed");
    assert_eq!(specs[1]["readiness"], "ready");
    // A change nothing in the list shows: no notification.
    let quiet = client.notifications("chant/specListChanged").len();
    ws.write("notes.txt", "x");
    client.did_change_watched_files(&[(ws.uri("notes.txt").as_str(), FILE_CREATED)]);
    client.wait_idle();
    assert_eq!(client.notifications("chant/specListChanged").len(), quiet);
    client.shutdown();
}

/// `chant work` refuses a spec whose dependency was cancelled; `chant list`
/// counts a cancelled dependency as met and shows it pending. The list and
/// the status say both.
#[test]
fn the_spec_list_notes_where_chant_list_shows_a_spec_otherwise() {
    let ws = project();
    write_spec(
        &ws,
        "2026-06-03-001-cnc",
        "---\nstatus: cancelled\n---\n# Dropped\n",
    );
    write_spec(
        &ws,
        "2026-06-03-002-wai",
        "---\ndepends_on: [2026-06-03-001-cnc]\n---\n# Waits for a cancelled one\n\n## Acceptance Criteria\n\n- [ ] a\n",
    );
    write_spec(
        &ws,
        "2026-06-03-003-opn",
        "---\ndepends_on: [2026-06-03-002-wai]\n---\n# Waits for a pending one\n\n## Acceptance Criteria\n\n- [ ] a\n",
    );
    let client = LspClient::start(ClientOptions::for_folder(ws.path()));
    client.wait_idle();
    let list = client.request_ok("chant/specList", json!({}));
    let specs = list["projects"][0]["specs"].as_array().unwrap();
    let find = |id: &str| {
        specs
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("{list}"))
            .clone()
    };
    let waits = find("2026-06-03-002-wai");
    assert_eq!(waits["readiness"], "blocked");
    assert_eq!(
        waits["reason"],
        "waiting for 2026-06-03-001-cnc (cancelled)"
    );
    assert_eq!(
        waits["listNote"],
        "`chant list` shows it as pending: unlike `chant work`, it counts a cancelled dependency as met."
    );
    // Where both agree, no note at all.
    let open = find("2026-06-03-003-opn");
    assert_eq!(open["readiness"], "blocked");
    assert!(open.get("listNote").is_none(), "{open}");
    let uri = ws.uri(&spec_rel("2026-06-03-002-wai"));
    client.did_open_from_disk(&uri);
    let status = client.request_ok("chant/specStatus", json!({"textDocument": {"uri": uri}}));
    assert_eq!(status["listNote"], waits["listNote"]);
    client.shutdown();
}

// --- cold start ---------------------------------------------------------

/// A spec opened while a large project is being indexed gets its early
/// diagnostics first: only those that need no index, so nothing early is
/// wrong; the full analysis follows once the index is ready.
#[test]
fn the_opened_spec_gets_early_diagnostics_before_indexing_ends() {
    let ws = project();
    let body = "Some words about the work, and more words.\n".repeat(20);
    for i in 0..4000 {
        ws.write(
            &spec_rel(&format!("2026-07-{:02}-{:03}-gen", 1 + i / 1000, i % 1000)),
            format!("---\nstatus: pending\n---\n# Generated {i}\n\n{body}\n## Acceptance Criteria\n\n- [ ] a\n"),
        );
    }
    let text = "---\nstatus: pending\ndepends_on: [2026-07-01-001-gen, 2026-07-09-999-zzz]\nmodel: opus\n---\nno title here\n\n## Acceptance Criteria\n\n- [ ] a\n";
    let uri = write_spec(&ws, "2026-07-09-001-cur", text);
    let mut opts = ClientOptions::for_folder(ws.path());
    opts.timeout = Duration::from_secs(120);
    let client = LspClient::start(opts);
    client.did_open(&uri, "markdown", text);
    let early = client.wait_for_diagnostics(&uri);
    let first = client.diagnostics_history(&uri)[0].clone();
    let indexed = client.wait_for_notification(
        "window/logMessage",
        |p| p["message"].as_str().is_some_and(|m| m.contains("indexed")),
        Duration::from_secs(120),
    );
    assert!(indexed["message"]
        .as_str()
        .unwrap()
        .contains("indexed 1 chant project"));
    // The early publication came before the index was ready.
    let (indexed_at, _) = client
        .notifications_with_seq("window/logMessage")
        .into_iter()
        .find(|(_, p)| p["message"].as_str().is_some_and(|m| m.contains("indexed")))
        .unwrap();
    assert!(
        first.seq < indexed_at,
        "the first diagnostics came after indexing"
    );
    let early_codes: BTreeSet<String> = codes(&first.diagnostics).into_iter().collect();
    for code in [
        "chant/unknown-dependency",
        "chant/unmet-dependency",
        "chant/duplicate-spec-id",
        "chant/unknown-prompt",
        "chant/tracks-no-match",
    ] {
        assert!(!early_codes.contains(code), "{code} early: {early_codes:?}");
    }
    assert!(
        early_codes.contains("chant/missing-title"),
        "{early_codes:?}"
    );
    assert!(!codes(&early).is_empty());
    client.wait_idle();
    let full: BTreeSet<String> = codes(&client.wait_for_diagnostics(&uri))
        .into_iter()
        .collect();
    assert!(full.contains("chant/unknown-dependency"), "{full:?}");
    assert!(full.contains("chant/unmet-dependency"), "{full:?}");
    assert!(full.is_superset(&early_codes));
    client.shutdown();
}
