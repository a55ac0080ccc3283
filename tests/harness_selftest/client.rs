//! The client (`support::client`, `documents`, `received`, and the internal state, server
//! requests and workspace edits) against a fake server in Python
//! (`fake_server.py`): routing, documents and versioned diagnostics, `workspace/applyEdit`,
//! a crashing server, and the order `initialize` imposes.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use crate::support::*;
use crate::{panic_text, T};

const FAKE_SERVER: &str = include_str!("fake_server.py");

fn fake_options(dir: &Path) -> ClientOptions {
    let script = dir.join("fake_server.py");
    std::fs::write(&script, FAKE_SERVER).unwrap();
    ClientOptions {
        program: Some(PathBuf::from("python3")),
        args: vec!["-u".into(), script.to_string_lossy().into_owned()],
        timeout: T,
        ..ClientOptions::default()
    }
}

#[test]
fn fake_server_routing() {
    let scripts = tempfile::tempdir().unwrap();
    let ws = TempWorkspace::new();
    let mut opts = fake_options(scripts.path());
    opts.root = Some(ws.path().to_path_buf());
    opts.position_encodings = vec!["utf-8", "utf-16"];
    opts.settings = json!({"lint": {"level": "strict"}});
    opts.initialization_options = Some(json!({"encoding": "utf-8"}));
    opts.capabilities_patch =
        Some(json!({"window": {"showDocument": null}, "experimental": {"x": 1}}));
    let mut client = LspClient::spawn(opts);
    let init = client.initialize();

    // Initialize params and negotiated encoding.
    assert_eq!(client.encoding(), PositionEncoding::Utf8);
    let echo = &init["echo"];
    assert_eq!(echo["rootUri"], json!(ws.uri("")));
    assert_eq!(echo["workspaceFolders"][0]["uri"], json!(ws.uri("")));
    assert_eq!(echo["offered"], json!(["utf-8", "utf-16"]));
    let caps = &echo["capabilities"];
    assert_eq!(
        caps["textDocument"]["publishDiagnostics"]["versionSupport"],
        json!(true)
    );
    assert_eq!(
        caps["workspace"]["workspaceEdit"]["documentChanges"],
        json!(true)
    );
    assert_eq!(
        caps["workspace"]["didChangeWatchedFiles"]["relativePatternSupport"],
        json!(true)
    );
    assert!(
        caps["window"].get("showDocument").is_none(),
        "patch removed it"
    );
    assert_eq!(caps["window"]["workDoneProgress"], json!(true));
    assert_eq!(caps["experimental"]["x"], json!(1));

    // Server→client requests answered by default: configuration, registration, progress.
    let config = client.wait_for_notification("test/configuration", |_| true, T);
    assert_eq!(
        config["result"],
        json!([{"lint": {"level": "strict"}}, "strict", null])
    );
    let reg = client.wait_for_registration("workspace/didChangeWatchedFiles", T);
    assert_eq!(reg["id"], json!("w1"));
    let progress = client.wait_for_progress_end("tok-1", T);
    assert_eq!(progress.len(), 3);
    assert_eq!(progress[0]["kind"], json!("begin"));
    assert_eq!(client.progress_tokens(), vec![json!("tok-1")]);
    let log = client.wait_for_notification("window/logMessage", |p| p["message"] == "hello", T);
    assert_eq!(log["type"], json!(3));

    // Requests: results, errors, two messages in one write.
    assert_eq!(
        client.request("test/echo", json!({"a": [1, "é"]})).unwrap(),
        json!({"a": [1, "é"]})
    );
    let err = client.request("test/error", json!(null)).unwrap_err();
    assert_eq!(
        err,
        RpcError {
            code: -32099,
            message: "boom".into(),
            data: Some(json!({"x": 1}))
        }
    );
    assert_eq!(
        client.request("test/two", json!(null)).unwrap(),
        json!("two")
    );
    assert_eq!(client.notifications("test/first").len(), 1);
    let unknown = client.request("no/such", json!(null)).unwrap_err();
    assert_eq!(unknown.code, -32601);

    // Concurrent requests are matched by id.
    let pending: Vec<_> = (0..20)
        .map(|i| client.request_async("test/echo", json!(i)))
        .collect();
    for (i, p) in pending.into_iter().enumerate().rev() {
        assert_eq!(p.wait().unwrap(), json!(i));
    }

    // Cancellation.
    let p = client.request_async("test/waitCancel", json!(null));
    p.cancel();
    assert_eq!(p.wait().unwrap_err().code, -32800);

    // Unknown server→client request → method not found; custom responder first.
    let r = client
        .request("test/serverRequest", json!({"method": "custom/thing"}))
        .unwrap();
    assert_eq!(r["error"]["code"], json!(-32601));
    client.set_responder(Box::new(|method, params| {
        (method == "custom/thing").then(|| Ok(json!({"got": params.clone()})))
    }));
    let r = client
        .request(
            "test/serverRequest",
            json!({"method": "custom/thing", "params": 7}),
        )
        .unwrap();
    assert_eq!(r["result"], json!({"got": 7}));
    let r = client
        .request("test/serverRequest", json!({"method": "window/showMessageRequest",
                                              "params": {"type": 1, "message": "?", "actions": [{"title": "Yes"}, {"title": "No"}]}}))
        .unwrap();
    assert_eq!(
        r["result"],
        json!({"title": "Yes"}),
        "default answer still used"
    );
    let r = client
        .request(
            "test/serverRequest",
            json!({"method": "workspace/inlayHint/refresh"}),
        )
        .unwrap();
    assert_eq!(r["result"], json!(null));
    assert_eq!(client.server_requests("custom/thing").len(), 2);

    // Draining.
    assert_eq!(client.drain_notifications("window/logMessage").len(), 1);
    assert!(client.notifications("window/logMessage").is_empty());

    assert!(client.stderr().contains("fake server started"));
    let status = client.shutdown();
    assert!(status.success(), "{status}");
}

#[test]
fn fake_server_documents_and_versioned_diagnostics() {
    let scripts = tempfile::tempdir().unwrap();
    let ws = TempWorkspace::new();
    let client = LspClient::start(fake_options(scripts.path()));
    assert_eq!(client.encoding(), PositionEncoding::Utf16);
    let uri = ws.uri("specs/a 😀.md");
    ws.write("specs/a 😀.md", "");
    client.did_open(&uri, "markdown", "a😀b\r\n中文x\n");
    let d = client.wait_for_diagnostics(&uri);
    assert_eq!(d[0]["message"], json!("open v1"));

    // Incremental edit in utf-16: the buffer and the wire agree.
    client.did_change(
        &uri,
        vec![
            (range(0, 3, 0, 4), "B".into()),
            (range(1, 0, 1, 2), "".into()),
        ],
    );
    assert_eq!(client.buffer(&uri), "a😀B\r\nx\n");
    assert_eq!(client.version(&uri), 2);
    let echoed =
        client.wait_for_notification("test/didChange", |p| p["textDocument"]["version"] == 2, T);
    assert_eq!(echoed["contentChanges"][0]["range"], range(0, 3, 0, 4));
    // The fake publishes a stale (version 1) set first and the fresh one 300 ms later.
    let d = client.wait_for_diagnostics(&uri);
    assert_eq!(d[0]["message"], json!("fresh v2"));
    let versions: Vec<Option<i64>> = client
        .diagnostics_history(&uri)
        .iter()
        .map(|p| p.version)
        .collect();
    assert_eq!(versions, vec![Some(1), Some(1), Some(2)]);

    client.did_change_full(&uri, "new text");
    let d = client.wait_for_diagnostics_matching(&uri, |d| {
        d[0]["message"].as_str().unwrap().starts_with("fresh")
    });
    assert_eq!(d[0]["message"], json!("fresh v3"));
    assert_eq!(client.range_of(&uri, "text"), range(0, 4, 0, 8));

    // Save writes the buffer to disk and includes the text (server asked for includeText).
    client.did_save(&uri);
    assert_eq!(ws.read("specs/a 😀.md"), "new text");
    let saved = client.wait_for_notification("test/didSave", |_| true, T);
    assert_eq!(saved["text"], json!("new text"));

    // After close: the newest publication, whatever its version.
    client.did_close(&uri);
    assert!(!client.is_open(&uri));
    let d = client.wait_for_diagnostics_matching(&uri, |d| d.is_empty());
    assert!(d.is_empty());

    // Timeout panics name the method, the time and the server's stderr.
    let e = catch_unwind(AssertUnwindSafe(|| {
        client.request_with_timeout("test/never", json!(null), Duration::from_millis(300))
    }))
    .unwrap_err();
    let msg = panic_text(&e);
    assert!(
        msg.contains("test/never")
            && msg.contains("timed out after")
            && msg.contains("fake server started"),
        "{msg}"
    );
    let e = catch_unwind(AssertUnwindSafe(|| {
        client.wait_for_notification("never/sent", |_| true, Duration::from_millis(200))
    }))
    .unwrap_err();
    assert!(
        panic_text(&e).contains("textDocument/publishDiagnostics"),
        "lists received methods"
    );
    client.shutdown();
}

#[test]
fn fake_server_apply_edit() {
    let scripts = tempfile::tempdir().unwrap();
    let ws = TempWorkspace::new();
    let client = LspClient::start(fake_options(scripts.path()));
    let uri = ws.uri("open.md");
    ws.write("open.md", "a😀b\r\nline2\n");
    client.did_open_from_disk(&uri);

    // Versioned edit: applied to the buffer (utf-16), didChange reaches the server before
    // the reply.
    let edit = json!({"label": "fix", "edit": {"documentChanges": [{
        "textDocument": {"uri": uri, "version": 1},
        "edits": [{"range": range(0, 3, 0, 4), "newText": "B"},
                  {"range": range(1, 0, 1, 0), "newText": "> "}]}]}});
    let r = client.request("test/applyEdit", edit.clone()).unwrap();
    assert_eq!(r["reply"], json!({"applied": true}));
    // `between`: what the fake received after sending the request, its reply last.
    let between = r["between"].as_array().unwrap();
    let change_at = between
        .iter()
        .position(|m| m == "textDocument/didChange")
        .expect("didChange sent");
    assert!(
        change_at < between.len() - 1,
        "didChange before the reply: {r}"
    );
    assert_eq!(client.buffer(&uri), "a😀B\r\n> line2\n");
    assert_eq!(client.version(&uri), 2);
    assert_eq!(
        ws.read("open.md"),
        "a😀b\r\nline2\n",
        "open buffers are not saved"
    );
    let change =
        client.wait_for_notification("test/didChange", |p| p["textDocument"]["version"] == 2, T);
    // Sent last to first so that each range is valid in turn.
    assert_eq!(change["contentChanges"][0]["range"], range(1, 0, 1, 0));

    // Same edit again: version 1 is stale now → refused, nothing applied.
    let r = client.request("test/applyEdit", edit).unwrap();
    assert_eq!(r["reply"]["applied"], json!(false));
    assert!(
        r["reply"]["failureReason"]
            .as_str()
            .unwrap()
            .contains("version"),
        "{r}"
    );
    assert_eq!(client.buffer(&uri), "a😀B\r\n> line2\n");
    assert_eq!(client.version(&uri), 2);

    // Files that are not open are edited on disk; create / rename / delete.
    ws.write("closed.md", "x中y\n");
    ws.write("gone.md", "bye");
    let new_uri = ws.uri("sub dir/new.md");
    let edit = json!({"edit": {"documentChanges": [
        {"textDocument": {"uri": ws.uri("closed.md"), "version": null},
         "edits": [{"range": range(0, 1, 0, 2), "newText": "文"}]},
        {"kind": "create", "uri": new_uri},
        {"textDocument": {"uri": new_uri, "version": null},
         "edits": [{"range": range(0, 0, 0, 0), "newText": "created\n"}]},
        {"kind": "rename", "oldUri": new_uri, "newUri": ws.uri("renamed.md")},
        {"kind": "delete", "uri": ws.uri("gone.md")}]}});
    let r = client.request("test/applyEdit", edit).unwrap();
    assert_eq!(r["reply"], json!({"applied": true}));
    assert_eq!(ws.read("closed.md"), "x文y\n");
    assert_eq!(ws.read("renamed.md"), "created\n");
    assert!(!ws.exists("sub dir/new.md") && !ws.exists("gone.md"));

    // A failing operation anywhere → nothing applied (validated first), failedChange given.
    let edit = json!({"edit": {"documentChanges": [
        {"textDocument": {"uri": uri, "version": 2}, "edits": [{"range": range(0, 0, 0, 0), "newText": "X"}]},
        {"kind": "create", "uri": ws.uri("closed.md")}]}});
    let r = client.request("test/applyEdit", edit).unwrap();
    assert_eq!(r["reply"]["applied"], json!(false));
    assert_eq!(r["reply"]["failedChange"], json!(1));
    assert_eq!(client.version(&uri), 2);

    // `changes` form, renaming an open document (closed and reopened under the new name).
    let edit =
        json!({"edit": {"changes": {uri.clone(): [{"range": range(0, 0, 0, 1), "newText": "A"}]}}});
    assert_eq!(
        client.request("test/applyEdit", edit).unwrap()["reply"]["applied"],
        json!(true)
    );
    assert_eq!(client.buffer(&uri), "A😀B\r\n> line2\n");
    let moved = ws.uri("moved.md");
    let edit =
        json!({"edit": {"documentChanges": [{"kind": "rename", "oldUri": uri, "newUri": moved}]}});
    assert_eq!(
        client.request("test/applyEdit", edit).unwrap()["reply"]["applied"],
        json!(true)
    );
    assert!(!client.is_open(&uri));
    assert_eq!(client.buffer(&moved), "A😀B\r\n> line2\n");
    assert_eq!(client.version(&moved), 1);

    // Reject mode.
    client.set_apply_edit_mode(ApplyEditMode::Reject);
    let edit = json!({"edit": {"changes": {moved.clone(): [{"range": range(0, 0, 0, 1), "newText": "Z"}]}}});
    let r = client.request("test/applyEdit", edit.clone()).unwrap();
    assert_eq!(r["reply"]["applied"], json!(false));
    assert_eq!(client.buffer(&moved), "A😀B\r\n> line2\n");

    // Hang mode: never answered (the fake's request stays pending), but recorded.
    client.set_apply_edit_mode(ApplyEditMode::Hang);
    let before = client.edits().len();
    let seen_before = client.request("test/received", json!(null)).unwrap();
    let pending = client.request_async("test/applyEdit", edit);
    let edits = client.wait_for_edits(before + 1, T);
    assert!(!edits.last().unwrap().applied);
    // The fake reads its messages in order and answers test/applyEdit only
    // when the client's reply arrives: what it received since, up to this
    // request, holds no reply at all, so test/applyEdit is still pending.
    let seen = client.request("test/received", json!(null)).unwrap();
    let since: Vec<&str> = seen.as_array().unwrap()[seen_before.as_array().unwrap().len()..]
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(since, ["test/applyEdit", "test/received"]);
    assert!(pending.try_take().is_none());

    let all = client.edits();
    assert_eq!(all.iter().filter(|e| e.applied).count(), 4);
    assert_eq!(all[0].params["label"], json!("fix"));
    client.shutdown();
}

#[test]
fn fake_server_crash_is_reported_quickly() {
    let scripts = tempfile::tempdir().unwrap();
    let client = LspClient::start(fake_options(scripts.path()));
    let e = catch_unwind(AssertUnwindSafe(|| {
        client.request("test/crash", json!(null))
    }))
    .unwrap_err();
    let msg = panic_text(&e);
    // Reported because the server closed its stdout, not after a timeout.
    assert!(
        msg.contains("test/crash")
            && msg.contains("closed its stdout")
            && msg.contains("fake server crashing"),
        "{msg}"
    );
    assert!(
        client
            .wait_exit(T)
            .map(|s| s.code() == Some(3))
            .unwrap_or(false)
            || msg.contains("exit status: 3")
    );
}

#[test]
fn notifications_before_initialize_are_refused() {
    let scripts = tempfile::tempdir().unwrap();
    let client = LspClient::spawn(fake_options(scripts.path()));
    let e = catch_unwind(AssertUnwindSafe(|| {
        client.did_open("file:///x.md", "markdown", "")
    }))
    .unwrap_err();
    assert!(panic_text(&e).contains("before initialize"));
    // Dropping the client kills the server.
}
