//! Self-tests of the test harness in `tests/support/` (no real server needed: a fake server in
//! Python plays the server's part).

mod support;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::*;

const T: Duration = Duration::from_secs(10);

// ------------------------------------------------------------------------------------------
// Framing
// ------------------------------------------------------------------------------------------

fn two_messages() -> (Vec<u8>, Value, Value) {
    let a = json!({"jsonrpc": "2.0", "id": 1, "result": {"text": "héllo 😀 中文"}});
    let b = json!({"jsonrpc": "2.0", "method": "window/logMessage", "params": {"type": 3, "message": "x"}});
    let body_a = serde_json::to_vec(&a).unwrap();
    let body_b = serde_json::to_vec(&b).unwrap();
    let mut bytes = Vec::new();
    // Several headers, Content-Type first, odd case on the second message.
    bytes.extend_from_slice(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n");
    bytes.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body_a.len()).as_bytes());
    bytes.extend_from_slice(&body_a);
    bytes.extend_from_slice(
        format!(
            "content-length:{}\r\nContent-Type: application/vscode-jsonrpc; charset=utf8\r\n\r\n",
            body_b.len()
        )
        .as_bytes(),
    );
    bytes.extend_from_slice(&body_b);
    (bytes, a, b)
}

#[test]
fn framing_every_chunk_size() {
    let (bytes, a, b) = two_messages();
    for chunk in 1..=bytes.len() {
        let mut p = FrameParser::new();
        let mut got = Vec::new();
        for piece in bytes.chunks(chunk) {
            p.feed(piece);
            while let Some(m) = p.next_message() {
                got.push(m.expect("valid message"));
            }
        }
        assert_eq!(got, vec![a.clone(), b.clone()], "chunk size {chunk}");
        assert_eq!(p.pending(), 0);
    }
}

#[test]
fn framing_two_splits_at_odd_places() {
    let (bytes, a, b) = two_messages();
    // Split inside the first header, inside "\r\n\r\n", inside the emoji, and between messages.
    let header_end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let emoji = bytes.windows(4).position(|w| w == "😀".as_bytes()).unwrap();
    let points = [
        3,
        header_end + 1,
        header_end + 3,
        emoji + 1,
        emoji + 2,
        bytes.len() - 5,
    ];
    for &i in &points {
        for &j in &points {
            if i >= j {
                continue;
            }
            let mut p = FrameParser::new();
            let mut got = Vec::new();
            for part in [&bytes[..i], &bytes[i..j], &bytes[j..]] {
                p.feed(part);
                while let Some(m) = p.next_message() {
                    got.push(m.unwrap());
                }
            }
            assert_eq!(got, vec![a.clone(), b.clone()], "split at {i}, {j}");
        }
    }
}

#[test]
fn framing_errors_and_encode() {
    let mut p = FrameParser::new();
    p.feed(b"Content-Type: x\r\n\r\n{}");
    assert!(p.next_message().unwrap().is_err(), "no Content-Length");

    let mut p = FrameParser::new();
    p.feed(b"Content-Length: 5\r\n\r\nnope!");
    assert!(p.next_message().unwrap().is_err(), "not JSON");

    let mut p = FrameParser::new();
    p.feed(b"hello from println\n");
    assert!(p.next_message().is_none(), "incomplete");
    p.feed(b"\r\n\r\n");
    assert!(p.next_message().unwrap().is_err(), "garbage header");

    let msg = json!({"jsonrpc": "2.0", "method": "x", "params": {"s": "é"}});
    let enc = encode_message(&msg);
    let mut p = FrameParser::new();
    p.feed(&enc);
    assert_eq!(p.next_message().unwrap().unwrap(), msg);
    assert!(String::from_utf8_lossy(&enc).starts_with(&format!(
        "Content-Length: {}\r\n\r\n",
        serde_json::to_vec(&msg).unwrap().len()
    )));
}

// ------------------------------------------------------------------------------------------
// Positions and edits
// ------------------------------------------------------------------------------------------

use PositionEncoding::{Utf16, Utf32, Utf8};

// Lines: 0 "a😀b"  (CRLF)  1 "中文x"  (lone CR)  2 "é"  (LF)  3 ""
const TEXT: &str = "a😀b\r\n中文x\ré\n";

fn change(text: &str, r: Value, new: &str, enc: PositionEncoding) -> String {
    apply_change(text, &r, new, enc).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn line_breaks() {
    assert_eq!(line_spans(TEXT).len(), 4);
    assert_eq!(line_spans("").len(), 1);
    assert_eq!(line_spans("\r\r\n\n").len(), 4);
    assert_eq!(line_spans("x\r\n"), vec![(0, 1), (3, 3)]);
}

#[test]
fn edits_utf16() {
    // After the emoji: utf-16 column 3 (1 + 2 surrogates).
    assert_eq!(
        change(TEXT, range(0, 3, 0, 4), "B", Utf16),
        "a😀B\r\n中文x\ré\n"
    );
    // Replace the emoji itself.
    assert_eq!(
        change(TEXT, range(0, 1, 0, 3), "-", Utf16),
        "a-b\r\n中文x\ré\n"
    );
    // CJK: one unit each; "x" at column 2 of line 1.
    assert_eq!(
        change(TEXT, range(1, 2, 1, 3), "y", Utf16),
        "a😀b\r\n中文y\ré\n"
    );
    // Past the end of line 0 clamps before the CRLF.
    assert_eq!(
        change(TEXT, range(0, 99, 0, 99), "!", Utf16),
        "a😀b!\r\n中文x\ré\n"
    );
    // Join lines across the CRLF and across the lone CR.
    assert_eq!(
        change(TEXT, range(0, 4, 1, 0), " ", Utf16),
        "a😀b 中文x\ré\n"
    );
    assert_eq!(
        change(TEXT, range(1, 3, 2, 0), "|", Utf16),
        "a😀b\r\n中文x|é\n"
    );
    // Last (empty) line, and (line_count, 0) = end of text.
    assert_eq!(
        change(TEXT, range(3, 0, 3, 0), "end", Utf16),
        "a😀b\r\n中文x\ré\nend"
    );
    assert_eq!(
        change(TEXT, range(4, 0, 4, 0), "end", Utf16),
        "a😀b\r\n中文x\ré\nend"
    );
    // Inside a surrogate pair, past the last line: errors.
    assert!(apply_change(TEXT, &range(0, 2, 0, 2), "x", Utf16).is_err());
    assert!(apply_change(TEXT, &range(5, 0, 5, 0), "x", Utf16).is_err());
    assert!(
        apply_change(TEXT, &range(0, 3, 0, 1), "x", Utf16).is_err(),
        "reversed"
    );
}

#[test]
fn edits_utf8_and_utf32() {
    // utf-8: emoji is 4 bytes, CJK 3 bytes each, é 2 bytes.
    assert_eq!(
        change(TEXT, range(0, 5, 0, 6), "B", Utf8),
        "a😀B\r\n中文x\ré\n"
    );
    assert_eq!(
        change(TEXT, range(1, 6, 1, 7), "y", Utf8),
        "a😀b\r\n中文y\ré\n"
    );
    assert_eq!(
        change(TEXT, range(2, 2, 2, 2), "!", Utf8),
        "a😀b\r\n中文x\ré!\n"
    );
    assert!(apply_change(TEXT, &range(0, 2, 0, 2), "x", Utf8).is_err());
    assert!(apply_change(TEXT, &range(1, 1, 1, 1), "x", Utf8).is_err());
    // utf-32: one unit per scalar.
    assert_eq!(
        change(TEXT, range(0, 2, 0, 3), "B", Utf32),
        "a😀B\r\n中文x\ré\n"
    );
    assert_eq!(
        change(TEXT, range(1, 1, 1, 2), "", Utf32),
        "a😀b\r\n中x\ré\n"
    );
    assert_eq!(
        change(TEXT, range(2, 1, 3, 0), "", Utf32),
        "a😀b\r\n中文x\ré"
    );
}

#[test]
fn positions_round_trip() {
    for enc in [Utf8, Utf16, Utf32] {
        for (off, _) in TEXT.char_indices().chain([(TEXT.len(), ' ')]) {
            let (l, c) = position_at(TEXT, off, enc);
            let back = offset_at(TEXT, l, c, enc).unwrap();
            // Offsets inside a CRLF map to the end of the line content.
            let expected =
                if off > 0 && TEXT.as_bytes()[off - 1] == b'\r' && TEXT[off..].starts_with('\n') {
                    off - 1
                } else {
                    off
                };
            assert_eq!(back, expected, "{enc} offset {off} -> {l}:{c}");
        }
    }
    assert_eq!(position_at(TEXT, TEXT.find('b').unwrap(), Utf16), (0, 3));
    assert_eq!(position_at(TEXT, TEXT.find('x').unwrap(), Utf8), (1, 6));
    assert_eq!(position_at(TEXT, TEXT.find('é').unwrap(), Utf32), (2, 0));
}

#[test]
fn text_edits_refer_to_the_original() {
    let text = "one 😀 two\r\nthree";
    let edits = vec![
        json!({"range": range(1, 0, 1, 5), "newText": "3"}),
        json!({"range": range(0, 0, 0, 3), "newText": "1"}),
        json!({"range": range(0, 4, 0, 6), "newText": "🙂🙂"}),
        json!({"range": range(0, 10, 0, 10), "newText": "A"}),
        json!({"range": range(0, 10, 0, 10), "newText": "B"}),
    ];
    let (new_text, seq) = plan_text_edits(text, &edits, Utf16).unwrap();
    assert_eq!(new_text, "1 🙂🙂 twoAB\r\n3");
    // The sequential form (for didChange) gives the same text.
    let mut t = text.to_string();
    for (r, s) in &seq {
        t = apply_change(&t, r, s, Utf16).unwrap();
    }
    assert_eq!(t, new_text);
    // Overlapping edits are refused.
    let bad = vec![
        json!({"range": range(0, 0, 0, 5), "newText": ""}),
        json!({"range": range(0, 3, 0, 7), "newText": ""}),
    ];
    assert!(apply_text_edits(text, &bad, Utf16).is_err());
}

// ------------------------------------------------------------------------------------------
// URIs and workspaces
// ------------------------------------------------------------------------------------------

#[test]
fn uris_round_trip() {
    let cases = [
        ("/tmp/a b/c.md", "file:///tmp/a%20b/c.md"),
        ("/tmp/100%/x#y?z.md", "file:///tmp/100%25/x%23y%3Fz.md"),
        ("/tmp/😀.md", "file:///tmp/%F0%9F%98%80.md"),
        (
            "/tmp/中文/spec.md",
            "file:///tmp/%E4%B8%AD%E6%96%87/spec.md",
        ),
        (
            "/tmp/a-b_c.d~e/2026-01-01-abc.md",
            "file:///tmp/a-b_c.d~e/2026-01-01-abc.md",
        ),
    ];
    for (path, uri) in cases {
        assert_eq!(file_uri(Path::new(path)), uri);
        assert_eq!(uri_to_path(uri), PathBuf::from(path));
    }
    assert_eq!(
        uri_to_path("file://localhost/tmp/a%20b"),
        PathBuf::from("/tmp/a b")
    );
    assert_eq!(
        uri_to_path("file:///tmp/%e4%b8%ad"),
        PathBuf::from("/tmp/中")
    );
    assert_eq!(normalize_uri("file:///tmp/%7e%61"), "file:///tmp/~a");
    assert_eq!(normalize_uri("untitled:Untitled-1"), "untitled:Untitled-1");
}

#[test]
fn temp_workspace_files_git_and_chant() {
    let ws = TempWorkspace::new();
    assert_eq!(ws.path(), ws.path().canonicalize().unwrap());
    ws.write("dir with space/😀 中文.md", "hello");
    assert_eq!(ws.read("dir with space/😀 中文.md"), "hello");
    let uri = ws.uri("dir with space/😀 中文.md");
    assert!(
        uri.starts_with("file:///")
            && uri.contains("dir%20with%20space/%F0%9F%98%80%20%E4%B8%AD%E6%96%87.md")
    );
    assert_eq!(
        uri_to_path(&uri),
        ws.path().join("dir with space/😀 中文.md")
    );
    assert!(std::fs::read_to_string(uri_to_path(&uri)).is_ok());

    ws.chant_init("project:\n  name: test");
    assert_eq!(
        ws.read(".chant/config.md"),
        "---\nproject:\n  name: test\n---\n# Config\n"
    );
    assert!(ws.path().join(".chant/specs").is_dir());
    assert!(ws.path().join(".chant/prompts").is_dir());

    ws.git_init();
    assert_eq!(
        ws.git(&["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "main"
    );
    assert_eq!(
        ws.git(&["log", "--format=%an <%ae>"]).trim(),
        "Test User <test@example.com>"
    );
    assert!(ws.git(&["ls-files"]).contains(".chant/config.md"));
    assert_eq!(ws.git(&["status", "--porcelain"]), "");
    ws.remove("dir with space");
    assert!(!ws.exists("dir with space"));
    let err = catch_unwind(AssertUnwindSafe(|| ws.git(&["no-such-command"]))).unwrap_err();
    assert!(panic_text(&err).contains("no-such-command"));
}

// ------------------------------------------------------------------------------------------
// Routing against a fake server
// ------------------------------------------------------------------------------------------

const FAKE_SERVER: &str = r#"
import sys, json, threading, time

inp = sys.stdin.buffer
out = sys.stdout.buffer
lock = threading.Lock()
received = []
pending = {}          # our request id -> callback(response)
next_id = [1000]
wait_cancel = {}      # client request id -> True
encoding = ["utf-16"]

sys.stderr.write("fake server started\n"); sys.stderr.flush()

def read_msg():
    headers = {}
    while True:
        line = inp.readline()
        if not line:
            return None
        line = line.decode().rstrip("\r\n")
        if line == "":
            break
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    return json.loads(inp.read(int(headers["content-length"])))

def frame(msg):
    body = json.dumps(msg).encode()
    return b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(body) + body

def send(msg, pieces=False):
    data = frame(msg)
    with lock:
        if pieces:
            for i in range(0, len(data), 7):
                out.write(data[i:i + 7]); out.flush()
                if i % 21 == 0:
                    time.sleep(0.001)
        else:
            out.write(data); out.flush()

def send_two(a, b):
    with lock:
        out.write(frame(a) + frame(b)); out.flush()

def respond(id, result):
    send({"jsonrpc": "2.0", "id": id, "result": result})

def error(id, code, message, data=None):
    e = {"code": code, "message": message}
    if data is not None:
        e["data"] = data
    send({"jsonrpc": "2.0", "id": id, "error": e})

def notify(method, params, pieces=False):
    send({"jsonrpc": "2.0", "method": method, "params": params}, pieces)

def request(method, params, callback):
    id = next_id[0]; next_id[0] += 1
    pending[id] = callback
    send({"jsonrpc": "2.0", "id": id, "method": method, "params": params})

def publish(uri, version, note):
    notify("textDocument/publishDiagnostics", {"uri": uri, "version": version, "diagnostics": [
        {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
         "severity": 1, "message": "%s v%s" % (note, version)}]})

def on_initialized():
    notify("window/logMessage", {"type": 3, "message": "hello"}, pieces=True)
    request("workspace/configuration",
            {"items": [{"section": "chant"}, {"section": "chant.lint.level"}, {"section": "other"}]},
            lambda r: notify("test/configuration", r))
    request("client/registerCapability", {"registrations": [
        {"id": "w1", "method": "workspace/didChangeWatchedFiles",
         "registerOptions": {"watchers": [{"globPattern": "**/*.md"}]}}]}, lambda r: None)
    def progress(_):
        notify("$/progress", {"token": "tok-1", "value": {"kind": "begin", "title": "Indexing"}})
        notify("$/progress", {"token": "tok-1", "value": {"kind": "report", "percentage": 50}})
        notify("$/progress", {"token": "tok-1", "value": {"kind": "end"}})
    request("window/workDoneProgress/create", {"token": "tok-1"}, progress)

while True:
    msg = read_msg()
    if msg is None:
        sys.exit(0)
    method = msg.get("method")
    if method is None:
        cb = pending.pop(msg["id"], None)
        received.append("response:%s" % msg["id"])
        if cb:
            cb(msg)
        continue
    received.append(method)
    id = msg.get("id")
    p = msg.get("params")
    if method == "initialize":
        offered = p["capabilities"]["general"]["positionEncodings"]
        io = p.get("initializationOptions") or {}
        encoding[0] = io.get("encoding", "utf-16")
        caps = {"positionEncoding": encoding[0],
                "textDocumentSync": {"openClose": True, "change": 2, "save": {"includeText": True}}}
        respond(id, {"capabilities": caps, "serverInfo": {"name": "fake"},
                     "echo": {"rootUri": p.get("rootUri"), "workspaceFolders": p.get("workspaceFolders"),
                              "offered": offered, "capabilities": p["capabilities"]}})
    elif method == "initialized":
        on_initialized()
    elif method == "textDocument/didOpen":
        td = p["textDocument"]
        publish(td["uri"], td["version"], "open")
    elif method == "textDocument/didChange":
        td = p["textDocument"]
        notify("test/didChange", p)
        # A stale publication for the previous version first, the current one later.
        publish(td["uri"], td["version"] - 1, "stale")
        threading.Timer(0.3, publish, (td["uri"], td["version"], "fresh")).start()
    elif method == "textDocument/didSave":
        notify("test/didSave", p)
    elif method == "textDocument/didClose":
        notify("textDocument/publishDiagnostics", {"uri": p["textDocument"]["uri"], "diagnostics": []})
    elif method == "test/echo":
        respond(id, p)
    elif method == "test/two":
        send_two({"jsonrpc": "2.0", "method": "test/first", "params": {}},
                 {"jsonrpc": "2.0", "id": id, "result": "two"})
    elif method == "test/error":
        error(id, -32099, "boom", {"x": 1})
    elif method == "test/never":
        pass
    elif method == "test/waitCancel":
        wait_cancel[id] = True
    elif method == "$/cancelRequest":
        if wait_cancel.pop(p["id"], None):
            error(p["id"], -32800, "cancelled")
    elif method == "test/applyEdit":
        start = len(received)
        def done(r, id=id, start=start):
            respond(id, {"reply": r.get("result"), "between": received[start:]})
        request("workspace/applyEdit", p, done)
    elif method == "test/serverRequest":
        request(p["method"], p.get("params"), lambda r, id=id: respond(id, r))
    elif method == "test/received":
        respond(id, received)
    elif method == "test/crash":
        sys.stderr.write("fake server crashing\n"); sys.stderr.flush()
        sys.exit(3)
    elif method == "shutdown":
        respond(id, None)
    elif method == "exit":
        sys.exit(0)
    elif id is not None:
        error(id, -32601, "unknown method " + method)
"#;

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

fn panic_text(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
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
    let pending = client.request_async("test/applyEdit", edit);
    let edits = client.wait_for_edits(before + 1, T);
    assert!(!edits.last().unwrap().applied);
    std::thread::sleep(Duration::from_millis(200));
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
    let start = Instant::now();
    let e = catch_unwind(AssertUnwindSafe(|| {
        client.request("test/crash", json!(null))
    }))
    .unwrap_err();
    let msg = panic_text(&e);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
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
