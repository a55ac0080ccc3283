//! The server as an editor sees it, over JSON-RPC on stdio (not a criterion
//! benchmark: it prints a table of what it measures, once):
//!
//! - from `didChange` to `publishDiagnostics`, after a quiet moment, for a
//!   typical spec and a 1 MB spec (median and 90th percentile of 30);
//! - analyses and publications while typing fast, against what a fixed
//!   200 ms debounce (the previous behaviour) would make;
//! - the cold start on 10,000 specs: the opened spec's first (early)
//!   diagnostics, its full ones, and every closed spec's;
//! - a `git checkout` of 500 of the 10,000 specs, until the server is idle;
//! - `chant/specList` and a first `workspace/diagnostic` on 10,000 specs.
//!
//! `cargo bench --bench protocol`

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_chant-lsp");

struct Server {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<(Instant, Value)>,
    next_id: i64,
    /// Notifications received, with when.
    seen: Vec<(Instant, Value)>,
}

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

impl Server {
    fn start(root: &Path, capabilities: Value) -> (Server, Instant) {
        let mut child = Command::new(BIN)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = channel();
        std::thread::spawn(move || loop {
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    length = n.parse().unwrap();
                }
            }
            let mut body = vec![0u8; length];
            if stdout.read_exact(&mut body).is_err() {
                return;
            }
            let message: Value = serde_json::from_slice(&body).unwrap();
            if tx.send((Instant::now(), message)).is_err() {
                return;
            }
        });
        let mut server = Server {
            child,
            stdin,
            rx,
            next_id: 1,
            seen: Vec::new(),
        };
        let root = uri_of(root);
        server.request(
            "initialize",
            json!({"processId": null, "rootUri": root, "capabilities": capabilities,
                   "workspaceFolders": [{"uri": root, "name": "bench"}]}),
        );
        server.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
        (server, started)
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message: server requests are answered, notifications kept.
    fn next(&mut self, timeout: Duration) -> Option<(Instant, Value)> {
        let (at, message) = match self.rx.recv_timeout(timeout) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => return None,
            Err(RecvTimeoutError::Disconnected) => panic!("the server stopped"),
        };
        if message.get("method").is_some() && message.get("id").is_some() {
            let result = if message["method"] == "workspace/configuration" {
                json!([{}])
            } else {
                Value::Null
            };
            self.send(json!({"jsonrpc": "2.0", "id": message["id"], "result": result}));
        } else if message.get("method").is_some() {
            self.seen.push((at, message.clone()));
        }
        Some((at, message))
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let (_, message) = self.next(Duration::from_secs(600)).expect("an answer");
            if message["id"] == id && message.get("method").is_none() {
                return message["result"].clone();
            }
        }
    }

    fn idle(&mut self) -> Value {
        self.request("chant/serverStatus", json!({"waitForIdle": true}))
    }

    /// When the diagnostics of `uri` (at `version`, if given) arrived.
    fn published(&mut self, uri: &str, version: Option<i64>) -> Instant {
        loop {
            let (at, message) = self.next(Duration::from_secs(600)).expect("diagnostics");
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
                && version.is_none_or(|v| message["params"]["version"] == v)
            {
                return at;
            }
        }
    }

    fn peak_mb(&self) -> f64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    }

    fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let _ = self.child.wait();
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// One keystroke in a criterion line: type a letter, or delete it again.
fn keystroke(version: i64, line: u32) -> Value {
    let (end, text) = if version % 2 == 0 { (6, "x") } else { (7, "") };
    json!([{"range": {"start": {"line": line, "character": 6}, "end": {"line": line, "character": end}}, "text": text}])
}

fn change(server: &mut Server, uri: &str, version: i64, line: u32) {
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": keystroke(version, line)}),
    );
}

fn latency(root: &Path) {
    let (mut server, _) = Server::start(root, json!({}));
    server.idle();
    for (name, size) in [
        ("typical (3 KB) spec", 3 * 1024),
        ("1 MB spec", 1024 * 1024),
    ] {
        let text = common::spec_of_size(size);
        let line = text
            .lines()
            .position(|l| l.starts_with("- [ ] criterion number 5"))
            .unwrap() as u32;
        let path = root.join(format!(".chant/specs/2026-01-24-0zz-l{}.md", size / 1024));
        std::fs::write(&path, &text).unwrap();
        let uri = uri_of(&path);
        server.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
        );
        server.published(&uri, Some(1));
        server.idle();
        let mut samples = Vec::new();
        for version in 2..32 {
            std::thread::sleep(Duration::from_millis(300));
            let sent = Instant::now();
            change(&mut server, &uri, version, line);
            let at = server.published(&uri, Some(version));
            samples.push(ms(at - sent));
        }
        samples.sort_by(f64::total_cmp);
        let target = if size > 100_000 { 100.0 } else { 50.0 };
        println!(
            "| didChange → publishDiagnostics, {name}, after a quiet moment (30 changes) | median under {target} ms | median **{:.1} ms**, p90 {:.1} ms |",
            percentile(&samples, 0.5),
            percentile(&samples, 0.9)
        );

        // Typing fast: keystrokes 30 ms apart, in bursts 600 ms apart.
        let before = server.idle();
        let (bursts, keys, gap) = (5, 20, Duration::from_millis(30));
        let mut version = 1000;
        let mut first_latencies = Vec::new();
        for _ in 0..bursts {
            for k in 0..keys {
                version += 1;
                let sent = Instant::now();
                change(&mut server, &uri, version, line);
                if k == 0 {
                    // The first keystroke of a burst is analysed at once
                    // (the previous burst's last publication may still be
                    // queued: only this version's counts).
                    let at = server.published(&uri, Some(version));
                    first_latencies.push(ms(at - sent));
                }
                std::thread::sleep(gap);
            }
            std::thread::sleep(Duration::from_millis(600));
        }
        let after = server.idle();
        let analyses = after["analyses"].as_u64().unwrap() - before["analyses"].as_u64().unwrap();
        let publications =
            after["publications"].as_u64().unwrap() - before["publications"].as_u64().unwrap();
        first_latencies.sort_by(f64::total_cmp);
        println!(
            "| typing, {name}: {bursts} bursts of {keys} keystrokes 30 ms apart | a fixed 200 ms debounce: {bursts} analyses, first diagnostics of a burst after 200 ms + analysis, none while typing | **{analyses} analyses**, {publications} publications; first diagnostics of a burst after {:.1} ms (median) |",
            percentile(&first_latencies, 0.5)
        );
        server.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
        server.idle();
        std::fs::remove_file(&path).unwrap();
    }
    server.stop();
}

fn cold_start(root: &Path) {
    let spec = root.join(".chant/specs/2026-01-24-001-cxn.md");
    let uri = uri_of(&spec);
    let text = std::fs::read_to_string(&spec).unwrap();
    let (mut server, started) =
        // A client that watches files for the server (as VS Code does), so
        // the checkout below reaches the server as one notification, not
        // through the server's own watcher while the files are written.
        Server::start(
            root,
            json!({"general": {"positionEncodings": ["utf-8"]},
                   "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
        );
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
    );
    let early = server.published(&uri, Some(1));
    // The full diagnostics follow the early ones, unless the index was
    // ready before the spec was analysed at all.
    let indexed_first = server.seen.iter().any(|(at, m)| {
        *at <= early
            && m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("indexed"))
    });
    let full = if indexed_first {
        early
    } else {
        server.published(&uri, Some(1))
    };
    let status = server.idle();
    let idle = Instant::now();
    println!(
        "| cold start on 10,000 specs: start, `initialize`, open a spec, until its first `publishDiagnostics` (early: what needs no index) | under 300 ms | **{:.0} ms** |",
        ms(early - started)
    );
    println!(
        "| … until its full diagnostics (the index ready) | | {:.0} ms |",
        ms(full - started)
    );
    println!(
        "| … until every closed spec's diagnostics are published (idle) | | {:.0} ms, {} publications, peak memory {:.1} MB |",
        ms(idle - started),
        status["publications"],
        server.peak_mb()
    );

    // A checkout: 500 specs change on disk at once.
    let specs = common::corpus_specs();
    let mut generated: Vec<_> = std::fs::read_dir(root.join(".chant/specs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| !specs.iter().any(|s| s.file_name() == p.file_name()))
        .collect();
    generated.sort();
    let mut changes = Vec::new();
    for path in generated.iter().take(500) {
        let text = std::fs::read_to_string(path).unwrap();
        let changed = if text.contains("status: completed") {
            text.replacen("status: completed", "status: pending", 1)
        } else {
            text.replacen("---\n", "---\nlabels: [checkout]\n", 1)
        };
        std::fs::write(path, changed).unwrap();
        changes.push(json!({"uri": uri_of(path), "type": 2}));
    }
    let before = server.idle();
    let sent = Instant::now();
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": changes}),
    );
    let after = server.idle();
    println!(
        "| a `git checkout` of 500 of the 10,000 specs: `didChangeWatchedFiles` until idle (every changed result published) | under 1 s | **{:.0} ms**, {} publications |",
        ms(sent.elapsed()),
        after["publications"].as_u64().unwrap() - before["publications"].as_u64().unwrap()
    );

    let sent = Instant::now();
    let list = server.request("chant/specList", json!({}));
    println!(
        "| `chant/specList` on 10,000 specs (commands off) | | {:.0} ms ({} specs, {} KB) |",
        ms(sent.elapsed()),
        list["projects"][0]["specs"].as_array().map_or(0, Vec::len),
        list.to_string().len() / 1024
    );
    server.stop();

    // A client that pulls: its first workspace pull.
    let (mut server, _) = Server::start(
        root,
        json!({"textDocument": {"diagnostic": {}}, "workspace": {"diagnostics": {"refreshSupport": true}}}),
    );
    server.idle();
    let sent = Instant::now();
    let report = server.request("workspace/diagnostic", json!({"previousResultIds": []}));
    println!(
        "| first `workspace/diagnostic` on 10,000 specs (once indexed) | | {:.0} ms ({} reports) |",
        ms(sent.elapsed()),
        report["items"].as_array().map_or(0, Vec::len)
    );
    server.stop();
}

fn main() {
    let corpus = tempfile::tempdir().unwrap();
    common::copy_corpus(corpus.path());
    println!("| measure | target | result |");
    println!("| --- | --- | --- |");
    latency(corpus.path());
    let big = tempfile::tempdir().unwrap();
    common::generate_workspace(big.path(), 10_000);
    cold_start(big.path());
}
