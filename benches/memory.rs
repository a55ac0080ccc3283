//! Memory, measured on the built server over JSON-RPC (not a criterion
//! benchmark: it prints what it measures). Opening a 26 MB Markdown file
//! that is not a spec must cost well under 300 MB: the server keeps its
//! text in a rope and builds no Markdown tree for it.
//!
//! `cargo bench --bench memory`

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::{json, Value};

fn send(stdin: &mut impl Write, message: &Value) {
    let body = message.to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    stdin.flush().unwrap();
}

/// Read messages until one with this `id` arrives.
fn response(reader: &mut impl BufRead, id: i64) -> Value {
    loop {
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().unwrap();
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).unwrap();
        let message: Value = serde_json::from_slice(&body).unwrap();
        if message["id"] == id && message.get("method").is_none() {
            return message;
        }
    }
}

fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".chant/specs")).unwrap();
    std::fs::write(
        dir.path().join(".chant/config.md"),
        "---\nproject:\n  name: m\n---\n",
    )
    .unwrap();
    let mut big = String::new();
    let mut i = 0;
    while big.len() < 26 * 1024 * 1024 {
        big.push_str(&format!(
            "## Section {i}\n\nSome *Markdown* text with `code`, a [link](x.md) and a list:\n\n- [ ] item one\n- [x] item two\n\n```\ncode block {i}\n```\n\n"
        ));
        i += 1;
    }
    let path = dir.path().join("NOTES.md");
    std::fs::write(&path, &big).unwrap();
    let uri = format!("file://{}", path.display());
    let root = format!("file://{}", dir.path().display());

    let mut server = Command::new(env!("CARGO_BIN_EXE_chant-lsp"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = server.id();
    let mut stdin = server.stdin.take().unwrap();
    let mut stdout = BufReader::new(server.stdout.take().unwrap());
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "rootUri": root, "workspaceFolders": [{"uri": root, "name": "m"}]}}),
    );
    response(&mut stdout, 1);
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    let before = status_kb(pid, "VmRSS:");
    let started = Instant::now();
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": big}}}),
    );
    // The server answers a request about the file once it has it open.
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 3}}}),
    );
    response(&mut stdout, 2);
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 3, "method": "chant/serverStatus", "params": {"waitForIdle": true}}),
    );
    response(&mut stdout, 3);
    let elapsed = started.elapsed();
    let peak = status_kb(pid, "VmHWM:");
    let after = status_kb(pid, "VmRSS:");
    println!("open_26mb_markdown (not a spec)");
    println!(
        "  text size        {:>8.1} MB",
        big.len() as f64 / 1048576.0
    );
    println!("  RSS before open  {:>8.1} MB", before as f64 / 1024.0);
    println!("  RSS after open   {:>8.1} MB", after as f64 / 1024.0);
    println!(
        "  peak RSS         {:>8.1} MB   (target: under 300 MB)",
        peak as f64 / 1024.0
    );
    println!(
        "  open to answer   {:>8.1} ms",
        elapsed.as_secs_f64() * 1000.0
    );
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 4, "method": "shutdown"}),
    );
    response(&mut stdout, 4);
    send(&mut stdin, &json!({"jsonrpc": "2.0", "method": "exit"}));
    let _ = server.wait();
}
