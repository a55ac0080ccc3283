//! End-to-end: changes on disk. Folders deleted or renamed with one event
//! for the whole folder (as editors send them), from the client's
//! `workspace/didChangeWatchedFiles` and from the server's own watcher,
//! which a client that cannot register file watchers (Neovim 0.11 on
//! Linux) relies on.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::*;

const CONFIG: &str = "project:\n  name: demo\n";
/// Criteria chant grades Ready (four, each starting with a verb), so no
/// quality hint joins the diagnostics these tests wait for.
const CRITERIA: &str =
    "## Acceptance Criteria\n\n- [x] Add a\n- [x] Add b\n- [x] Add c\n- [x] Add d\n";
const BROKEN: &str = "---\nstatus: nope\n---\n# Broken\n\n## Acceptance Criteria\n\n- [x] a\n";

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// The URIs of the project's specs in `chant/specList`, normalized.
fn listed(client: &LspClient, ws: &TempWorkspace) -> Vec<String> {
    let list = client.request_ok("chant/specList", json!({"rootUri": ws.uri("")}));
    list["projects"][0]["specs"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|s| normalize_uri(s["uri"].as_str().unwrap()))
        .collect()
}

fn wait_codes(client: &LspClient, uri: &str, want: &[&str]) {
    client.wait_for_diagnostics_matching(uri, |d| codes(d) == want);
}

/// Two specs in a subfolder, one broken; and one at the top level.
fn grouped_project() -> TempWorkspace {
    let ws = TempWorkspace::new();
    ws.chant_init(CONFIG);
    ws.write(
        ".chant/specs/2026-04-01-001-top.md",
        format!("---\nstatus: pending\n---\n# Top\n\n{CRITERIA}"),
    );
    ws.write(".chant/specs/group/2026-04-01-002-brk.md", BROKEN);
    ws.write(
        ".chant/specs/group/deeper/2026-04-01-003-fin.md",
        format!("---\nstatus: pending\n---\n# Fine\n\n{CRITERIA}"),
    );
    ws
}

#[test]
fn a_renamed_then_deleted_folder_moves_then_clears_its_specs_pushed() {
    let ws = grouped_project();
    let client = LspClient::start(ClientOptions::for_folder(ws.path()));
    client.wait_idle();
    let old = ws.uri(".chant/specs/group/2026-04-01-002-brk.md");
    wait_codes(&client, &old, &["chant/unknown-status"]);
    let top = normalize_uri(&ws.uri(".chant/specs/2026-04-01-001-top.md"));
    assert_eq!(
        listed(&client, &ws),
        [
            top.clone(),
            normalize_uri(&old),
            normalize_uri(&ws.uri(".chant/specs/group/deeper/2026-04-01-003-fin.md")),
        ]
    );

    // One event for each folder of the rename, as editors send it.
    ws.rename(".chant/specs/group", ".chant/specs/moved");
    client.did_change_watched_files(&[
        (ws.uri(".chant/specs/group").as_str(), FILE_DELETED),
        (ws.uri(".chant/specs/moved").as_str(), FILE_CREATED),
    ]);
    let new = ws.uri(".chant/specs/moved/2026-04-01-002-brk.md");
    wait_codes(&client, &new, &["chant/unknown-status"]);
    wait_codes(&client, &old, &[]);
    client.wait_idle();
    assert_eq!(
        listed(&client, &ws),
        [
            top.clone(),
            normalize_uri(&new),
            normalize_uri(&ws.uri(".chant/specs/moved/deeper/2026-04-01-003-fin.md")),
        ]
    );

    // The folder deleted: its problems leave the list, its specs the index.
    ws.remove(".chant/specs/moved");
    client.did_change_watched_files(&[(ws.uri(".chant/specs/moved").as_str(), FILE_DELETED)]);
    wait_codes(&client, &new, &[]);
    client.wait_idle();
    assert_eq!(listed(&client, &ws), [top]);
    client.shutdown();
}

#[test]
fn a_deleted_folder_is_reported_empty_to_a_held_pull() {
    let ws = grouped_project();
    let mut opts = ClientOptions::for_folder(ws.path());
    opts.capabilities_patch = Some(json!({
        "textDocument": {"diagnostic": {"dynamicRegistration": false}},
        "workspace": {"diagnostics": {"refreshSupport": true}}
    }));
    let client = LspClient::start(opts);
    client.wait_idle();
    let old = ws.uri(".chant/specs/group/2026-04-01-002-brk.md");
    let first = client.request_ok(
        "workspace/diagnostic",
        json!({"identifier": "chant", "previousResultIds": []}),
    );
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{first}");
    assert_eq!(
        normalize_uri(items[0]["uri"].as_str().unwrap()),
        normalize_uri(&old)
    );
    let previous = json!([{"uri": old, "value": items[0]["resultId"]}]);
    let held = client.request_async(
        "workspace/diagnostic",
        json!({"identifier": "chant", "previousResultIds": previous}),
    );
    ws.remove(".chant/specs/group");
    client.did_change_watched_files(&[(ws.uri(".chant/specs/group").as_str(), FILE_DELETED)]);
    let report = held.wait().unwrap();
    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{report}");
    assert_eq!(
        normalize_uri(items[0]["uri"].as_str().unwrap()),
        normalize_uri(&old)
    );
    assert_eq!(items[0]["kind"], "full");
    assert_eq!(items[0]["items"], json!([]));
    client.shutdown();
}

// --- the server's own watcher --------------------------------------------

/// A client that cannot register file watchers (Neovim 0.11 on Linux).
fn unwatching_client(ws: &TempWorkspace) -> LspClient {
    let mut opts = ClientOptions::for_folder(ws.path());
    opts.capabilities_patch = Some(json!({
        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": false}}
    }));
    LspClient::start(opts)
}

/// Waits for the server to say it watches `folders` folders (after `mark`).
fn wait_watching(client: &LspClient, mark: u64, folders: usize) {
    let want = format!("chant-lsp: watching {folders} folders for changes on disk");
    client.wait_for_notification_after(
        mark,
        "window/logMessage",
        |m| m["message"].as_str().is_some_and(|s| s.starts_with(&want)),
        Duration::from_secs(30),
    );
}

#[test]
fn the_server_watches_the_disk_for_a_client_that_cannot() {
    let ws = TempWorkspace::new();
    ws.chant_init(CONFIG);
    let a = ".chant/specs/2026-05-01-001-aaa.md";
    let b = ".chant/specs/2026-05-01-002-bbb.md";
    let a_text = format!("---\ndepends_on: [2026-05-01-002-bbb]\ninformed_by: [docs/notes.md]\n---\n# A\n\n{CRITERIA}");
    let a_text = a_text.as_str();
    ws.write(a, a_text);
    let client = unwatching_client(&ws);
    // The root, `.chant`, `.chant/specs`, `.chant/prompts`; `docs` is not
    // there yet (the root sees it come).
    wait_watching(&client, 0, 4);
    assert!(client.registrations().is_empty());
    let a_uri = ws.uri(a);
    client.did_open(&a_uri, "markdown", a_text);
    wait_codes(
        &client,
        &a_uri,
        &["chant/unknown-dependency", "chant/missing-file"],
    );

    // A file a spec refers to, in a folder that did not exist.
    let mark = client.mark();
    ws.write("docs/notes.md", "notes\n");
    wait_codes(&client, &a_uri, &["chant/unknown-dependency"]);
    wait_watching(&client, mark, 5);

    // The dependency created on disk, then completed.
    ws.write(
        b,
        format!(
            "---\nstatus: pending\n---\n# B\n\n{}",
            CRITERIA.replace("[x]", "[ ]")
        ),
    );
    wait_codes(&client, &a_uri, &["chant/unmet-dependency"]);
    let b_uri = ws.uri(b);
    wait_codes(&client, &b_uri, &["chant/unchecked-criterion"; 4]);
    ws.write(
        b,
        "---\nstatus: completed\n---\n# B\n\n## Acceptance Criteria\n\n- [x] b\n",
    );
    wait_codes(&client, &a_uri, &[]);
    wait_codes(&client, &b_uri, &[]);

    // A folder of specs comes, is renamed, goes: one event each.
    let mark = client.mark();
    ws.write(".chant/specs/group/2026-05-01-003-ccc.md", BROKEN);
    let c_old = ws.uri(".chant/specs/group/2026-05-01-003-ccc.md");
    wait_codes(&client, &c_old, &["chant/unknown-status"]);
    wait_watching(&client, mark, 6);
    ws.rename(".chant/specs/group", ".chant/specs/moved");
    let c_new = ws.uri(".chant/specs/moved/2026-05-01-003-ccc.md");
    wait_codes(&client, &c_new, &["chant/unknown-status"]);
    wait_codes(&client, &c_old, &[]);
    ws.write(".chant/specs/moved/2026-05-01-004-ddd.md", BROKEN);
    wait_codes(
        &client,
        &ws.uri(".chant/specs/moved/2026-05-01-004-ddd.md"),
        &["chant/unknown-status"],
    );
    client.wait_idle();
    assert_eq!(
        listed(&client, &ws),
        [
            normalize_uri(&a_uri),
            normalize_uri(&b_uri),
            normalize_uri(&c_new),
            normalize_uri(&ws.uri(".chant/specs/moved/2026-05-01-004-ddd.md")),
        ]
    );
    let mark = client.mark();
    ws.remove(".chant/specs/moved");
    wait_codes(&client, &c_new, &[]);
    wait_codes(
        &client,
        &ws.uri(".chant/specs/moved/2026-05-01-004-ddd.md"),
        &[],
    );
    wait_watching(&client, mark, 5);
    client.wait_idle();
    assert_eq!(
        listed(&client, &ws),
        [normalize_uri(&a_uri), normalize_uri(&b_uri)]
    );
    client.shutdown();
}

/// The server is not idle while a file event waits to be read (events are
/// gathered for a moment, so a burst is read once): once
/// `chant/serverStatus` says idle, what the event changed is published.
#[test]
fn idle_after_a_file_event_means_its_results_are_published() {
    let ws = TempWorkspace::new();
    ws.chant_init(CONFIG);
    let rel = ".chant/specs/2026-04-02-001-fix.md";
    ws.write(rel, BROKEN);
    let client = LspClient::start(ClientOptions::for_folder(ws.path()));
    let uri = ws.uri(rel);
    wait_codes(&client, &uri, &["chant/unknown-status"]);
    client.wait_idle();
    ws.write(
        rel,
        format!("---\nstatus: completed\n---\n# Fixed\n\n{CRITERIA}"),
    );
    client.did_change_watched_files(&[(uri.as_str(), FILE_CHANGED)]);
    client.wait_idle();
    let last = client
        .diagnostics_history(&uri)
        .pop()
        .expect("publications");
    assert_eq!(last.diagnostics, Vec::<Value>::new());
    client.shutdown();
}
