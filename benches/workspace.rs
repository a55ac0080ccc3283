//! Whole-process costs: `chant-lsp check` over the real corpus and over a
//! generated 10,000-spec project, and the editor's cold start on that
//! project (initialize → open a spec → its first diagnostics). Peak memory
//! is printed once per case.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_chant-lsp");

fn check(dir: &Path) {
    let status = Command::new(BIN)
        .args(["check", "--format", "json"])
        .arg(dir)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.code().is_some_and(|c| c <= 1));
}

/// Peak resident memory of `check`, from GNU time's %M (KB).
fn check_peak_kb(dir: &Path) -> Option<u64> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(BIN)
        .args(["check", "--format", "json"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()
}

fn send(stdin: &mut impl Write, message: Value) {
    let body = message.to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    stdin.flush().unwrap();
}

fn receive(reader: &mut impl BufRead) -> Value {
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    serde_json::from_slice(&body).unwrap()
}

/// Start the server on `dir`, open one spec, wait for its diagnostics.
/// Returns the server's peak memory in KB.
fn cold_start(dir: &Path) -> u64 {
    let mut child = Command::new(BIN)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let root = format!("file://{}", dir.display());
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "processId": null, "rootUri": root, "capabilities": {"general": {"positionEncodings": ["utf-8"]}},
        "workspaceFolders": [{"uri": root, "name": "bench"}]}}),
    );
    while receive(&mut stdout).get("id") != Some(&json!(1)) {}
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    let spec = dir.join(".chant/specs/2026-01-24-001-cxn.md");
    let uri = format!("file://{}", spec.display());
    let text = std::fs::read_to_string(&spec).unwrap();
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}}),
    );
    loop {
        let message = receive(&mut stdout);
        match message.get("method").and_then(Value::as_str) {
            Some("textDocument/publishDiagnostics") if message["params"]["uri"] == json!(uri) => {
                break
            }
            // Answer the server's requests (configuration, registration).
            _ if message.get("id").is_some() && message.get("method").is_some() => {
                let result = if message["method"] == "workspace/configuration" {
                    json!([{}])
                } else {
                    Value::Null
                };
                send(
                    &mut stdin,
                    json!({"jsonrpc": "2.0", "id": message["id"], "result": result}),
                );
            }
            _ => {}
        }
    }
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0);
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null}),
    );
    while receive(&mut stdout).get("id") != Some(&json!(2)) {}
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "exit", "params": null}),
    );
    child.wait().unwrap();
    peak
}

fn workspace(c: &mut Criterion) {
    let corpus_dir = tempfile::tempdir().unwrap();
    common::copy_corpus(corpus_dir.path());
    let big = tempfile::tempdir().unwrap();
    common::generate_workspace(big.path(), 10_000);

    if let Some(kb) = check_peak_kb(corpus_dir.path()) {
        println!(
            "check over the corpus: peak memory {:.1} MB",
            kb as f64 / 1024.0
        );
    }
    if let Some(kb) = check_peak_kb(big.path()) {
        println!(
            "check over 10,000 specs: peak memory {:.1} MB",
            kb as f64 / 1024.0
        );
    }
    let started = Instant::now();
    let kb = cold_start(big.path());
    println!(
        "editor cold start over 10,000 specs: {:?}, peak memory {:.1} MB",
        started.elapsed(),
        kb as f64 / 1024.0
    );

    let mut group = c.benchmark_group("workspace");
    group.sample_size(20);
    group.bench_function("check_corpus_process", |b| {
        b.iter(|| check(corpus_dir.path()))
    });
    group.bench_function("check_10000_specs_process", |b| {
        b.iter(|| check(big.path()))
    });
    group.bench_function("editor_cold_start_10000_specs", |b| {
        b.iter(|| cold_start(big.path()))
    });
    group.finish();
}

criterion_group!(benches, workspace);
criterion_main!(benches);
