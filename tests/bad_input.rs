//! Bad input never panics or hangs, and always gets a clear answer: binary
//! and non-UTF-8 files, huge files, very long files, pipes, empty files.

mod support;

use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};
use support::*;

fn check_json(dir: &std::path::Path) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_chant-lsp"))
        .args(["check", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

fn codes_for(report: &Value, id: &str) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["spec_id"] == id)
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn check_answers_every_kind_of_bad_file() {
    let ws = TempWorkspace::new();
    ws.chant_init("project:\n  name: bad\n");
    // Binary content, and text that turns invalid half way.
    let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    ws.write(".chant/specs/binary.md", &binary);
    let mut half = b"---\nstatus: pending\n---\n# Half\n".to_vec();
    half.extend_from_slice(&[0xff, 0xfe, 0x00, 0x80]);
    ws.write(".chant/specs/half.md", &half);
    // 100,000 lines.
    let mut long = String::from(
        "---\nstatus: pending\n---\n# Long\n\n## Acceptance Criteria\n\n- [x] done\n\n",
    );
    for i in 0..100_000 {
        long.push_str(&format!("line {i} of a very long spec\n"));
    }
    ws.write(".chant/specs/long.md", &long);
    // Empty, whitespace only, and a pipe where a spec should be.
    ws.write(".chant/specs/empty.md", "");
    ws.write(".chant/specs/blank.md", "  \n\n\t\n");
    let fifo = ws.join(".chant/specs/pipe.md");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    // Deeply nested YAML of both kinds.
    ws.write(
        ".chant/specs/deep-flow.md",
        format!(
            "---\nlabels: {}{}\n---\n# Deep\n",
            "[".repeat(50_000),
            "]".repeat(50_000)
        ),
    );
    let mut deep_block = String::from("---\nextra:\n");
    for i in 0..400 {
        deep_block.push_str(&format!("{}k{i}:\n", " ".repeat(i + 1)));
    }
    deep_block.push_str("---\n# Deep blocks\n");
    ws.write(".chant/specs/deep-block.md", deep_block);

    let (code, report) = check_json(ws.path());
    assert_eq!(code, 1);
    assert_eq!(codes_for(&report, "binary"), ["chant/invalid-utf8"]);
    let half_diag = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["spec_id"] == "half")
        .unwrap();
    assert_eq!(
        half_diag["message"],
        "This file is not UTF-8 text (invalid byte at offset 31): chant cannot read it and reports a parse error."
    );
    // chant's quality grades: 100,000 lines of prose and one criterion.
    assert_eq!(
        codes_for(&report, "long"),
        [
            "chant/quality-complexity",
            "chant/quality-confidence",
            "chant/quality-criteria"
        ]
    );
    let empty = [
        "chant/missing-title",
        "chant/no-criteria",
        "chant/quality-confidence",
        "chant/quality-splittability",
    ];
    assert_eq!(codes_for(&report, "empty"), empty);
    assert_eq!(codes_for(&report, "blank"), empty);
    let pipe: Vec<String> = codes_for(&report, "pipe");
    assert_eq!(pipe, ["chant/unreadable-file"]);
    let pipe_message = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["spec_id"] == "pipe")
        .unwrap()["message"]
        .clone();
    assert_eq!(
        pipe_message,
        "This file cannot be read: it is a named pipe (FIFO), not a regular file."
    );
    assert_eq!(
        codes_for(&report, "deep-flow"),
        ["chant/yaml-syntax", "chant/no-criteria"]
    );
    assert_eq!(
        codes_for(&report, "deep-block"),
        [
            "chant/quality-splittability",
            "chant/unknown-key",
            "chant/no-criteria",
            "chant/quality-confidence"
        ]
    );
    assert_eq!(report["summary"]["specs"], 8);
}

#[test]
fn the_server_survives_a_50_mb_spec_and_keeps_answering() {
    let ws = TempWorkspace::new();
    ws.chant_init("project:\n  name: big\n");
    let mut big = String::from("---\nstatus: nope\n---\n# Big\n\n## Acceptance Criteria\n\n- [ ] one\n\n## Agent Output\n\n```\n");
    let line =
        "The agent wrote a long log line with words and numbers 12345 to fill the file up.\n";
    while big.len() < 50 * 1024 * 1024 {
        big.push_str(line);
    }
    big.push_str("```\n");
    let uri = ws.uri(".chant/specs/2026-01-01-001-big.mdx.md");
    let mut opts = ClientOptions::for_folder(ws.path());
    opts.timeout = Duration::from_secs(180);
    let client = LspClient::start(opts);
    client.did_open(&uri, "markdown", &big);
    let diagnostics = client.wait_for_diagnostics(&uri);
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["chant/unknown-status", "chant/unchecked-criterion"]);
    // A small spec still gets its diagnostics, and requests are answered.
    let small = ws.uri(".chant/specs/2026-01-01-002-small.md");
    client.did_open(&small, "markdown", "---\nstatus: pending\n---\nno title\n");
    let small_diagnostics = client.wait_for_diagnostics(&small);
    assert_eq!(small_diagnostics[0]["code"], "chant/missing-title");
    let hover = client.request_ok(
        "textDocument/hover",
        json!({"textDocument": {"uri": small}, "position": pos(1, 1)}),
    );
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .starts_with("`status`"));
    client.shutdown();
}

/// 100,000 unchecked criteria in one 0.8 MB spec used to cost about 13 KB
/// of server memory each (1.3 GB, unopened): a file gets at most 1,000
/// diagnostics, and one more counts the rest, in `check` and in the
/// server, opened or not.
#[test]
fn a_file_with_100000_unchecked_criteria_gets_1001_diagnostics() {
    let ws = TempWorkspace::new();
    ws.chant_init("project:\n  name: many\n");
    let mut text = String::from("---\nstatus: pending\n---\n# Many\n\n## Acceptance Criteria\n\n");
    for i in 0..100_000 {
        text.push_str(&format!("- [ ] {i}\n"));
    }
    ws.write(".chant/specs/2026-01-01-001-lot.md", &text);
    let (_, report) = check_json(ws.path());
    let mine: Vec<&Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["spec_id"] == "2026-01-01-001-lot")
        .collect();
    assert_eq!(mine.len(), 1_001);
    let summary = mine
        .iter()
        .find(|d| d["code"] == "chant/too-many-diagnostics")
        .unwrap();
    assert!(
        summary["message"]
            .as_str()
            .unwrap()
            .starts_with("And 99,004 more diagnostics in this file, not shown (99,001 chant/unchecked-criterion, 1 chant/quality-complexity, 1 chant/quality-confidence, 1 chant/quality-splittability): chant-lsp shows the first 1,000 of a file."),
        "{summary}"
    );
    let client = LspClient::start(ClientOptions::for_folder(ws.path()));
    let uri = ws.uri(".chant/specs/2026-01-01-001-lot.md");
    client.did_open_from_disk(&uri);
    let published = client.wait_for_diagnostics(&uri);
    assert_eq!(published.len(), 1_001);
    assert!(published
        .iter()
        .any(|d| d["code"] == "chant/too-many-diagnostics"));
    client.shutdown();
}

fn spec(status: &str, depends_on: &[String], title: &str) -> String {
    format!(
        "---\nstatus: {status}\ndepends_on: [{}]\n---\n# {title}\n\n## Acceptance Criteria\n\n- [ ] x\n",
        depends_on.join(", ")
    )
}

/// Every message, reason and list grows with its input, not with its
/// square: 4,000 members of a driver (each used to name every earlier one:
/// 240 MB of `outgoingCalls` at 3,000), 32,000 `depends_on` items (13.8 s)
/// and 2,000 files with one ID (each duplicate-ID message named all the
/// others: 175 MB). Sizes are asserted; times are measured in
/// `benches/adversarial.rs`.
#[test]
fn lists_and_reasons_grow_with_their_input() {
    let ws = TempWorkspace::new();
    ws.chant_init("project:\n  name: lists\n");
    let driver = "2026-01-01-001-drv";
    ws.write(
        &format!(".chant/specs/{driver}.md"),
        "---\ntype: driver\nstatus: pending\n---\n# Driver\n\n## Acceptance Criteria\n\n- [ ] x\n",
    );
    for i in 1..=4_000 {
        ws.write(
            &format!(".chant/specs/{driver}.{i}.md"),
            spec("pending", &[], &format!("Member {i}")),
        );
    }
    let many: Vec<String> = (0..32_000)
        .map(|i| format!("2026-02-01-{:03}-{:03}", i / 1000, i % 1000))
        .collect();
    ws.write(
        ".chant/specs/2026-01-01-002-wid.md",
        spec("pending", &many, "Wide"),
    );
    for i in 0..2_000 {
        ws.write(
            &format!(".chant/specs/copy{i:04}/2026-01-01-003-dup.md"),
            spec("pending", &[], "Copy"),
        );
    }
    let (_, report) = check_json(ws.path());
    let duplicates: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "chant/duplicate-spec-id")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(duplicates.len(), 2_000);
    assert!(
        duplicates[0].contains("`.chant/specs/copy0001/2026-01-01-003-dup.md`, `.chant/specs/copy0002/2026-01-01-003-dup.md`, `.chant/specs/copy0003/2026-01-01-003-dup.md` and 1,996 more."),
        "{}",
        duplicates[0]
    );
    assert!(
        duplicates.iter().all(|m| m.len() < 600),
        "{}",
        duplicates[0]
    );

    let mut opts = ClientOptions::for_folder(ws.path());
    opts.timeout = Duration::from_secs(300);
    let client = LspClient::start(opts);
    client.wait_idle();
    let outgoing = |rel: &str| -> Vec<Value> {
        let uri = ws.uri(rel);
        client.did_open_from_disk(&uri);
        let items = client.request_ok(
            "textDocument/prepareCallHierarchy",
            json!({"textDocument": {"uri": uri}, "position": pos(4, 3)}),
        );
        let calls = client.request_ok("callHierarchy/outgoingCalls", json!({"item": items[0]}));
        calls.as_array().unwrap().clone()
    };
    let members = outgoing(&format!(".chant/specs/{driver}.md"));
    assert_eq!(members.len(), 4_000);
    let last = members
        .iter()
        .find(|c| c["to"]["name"] == format!("{driver}.4000 Member 4000"))
        .unwrap();
    assert_eq!(
        last["to"]["detail"],
        format!("pending · blocked: waiting for {driver}.1 (pending, an earlier member), {driver}.2 (pending, an earlier member), {driver}.3 (pending, an earlier member), {driver}.4 (pending, an earlier member), {driver}.5 (pending, an earlier member) and 3,994 more")
    );
    let size = Value::from(members).to_string().len();
    assert!(size < 4_000 * 1_500, "{size} bytes for 4,000 members");
    let deps = outgoing(".chant/specs/2026-01-01-002-wid.md");
    assert_eq!(deps.len(), 32_000);
    let size = Value::from(deps).to_string().len();
    assert!(
        size < 32_000 * 1_000,
        "{size} bytes for 32,000 dependencies"
    );
    client.shutdown();
}
