//! Property: any sequence of protocol messages and file-system events —
//! open, change with random ranges, save, close, files written, deleted,
//! renamed, turned into FIFOs or links out of the project, with hover,
//! completion and code actions in between — never panics the server, every
//! request is answered, and once the server is idle, the diagnostics it
//! last published for each open spec equal what a fresh server computes
//! for the same files and buffers; so do the answers that come from the
//! incrementally kept Markdown tree and rope (symbols, folding ranges) and
//! from positions on long and wide lines (semantic tokens), as
//! rust-analyzer's reparse fuzzing checks its incremental paths. Edits
//! carry CRLF, lone CR, emoji and CJK.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use proptest::prelude::*;
use serde_json::{json, Value};
use support::*;

const SPECS: &[&str] = &[
    ".chant/specs/2026-01-01-001-aaa.md",
    ".chant/specs/2026-01-01-002-bbb.md",
    ".chant/specs/sub/2026-01-01-001-aaa.md",
];

const PIECES: &[&str] = &[
    "---\n",
    "status: pending\n",
    "status: completed\n",
    "status: opne\n",
    "type: code\n",
    "depends_on: [2026-01-01-002-bbb]\n",
    "depends_on: [2026-01-01-001-aaa]\n",
    "prompt: standard\n",
    "informed_by: [docs/a.md]\n",
    "# Title 😀\n",
    "## Acceptance Criteria\n",
    "- [ ] item 中文\n",
    "- [x] done\n",
    "See 2026-01-01-002-bbb.\n",
    "```\n",
    "\r\n",
    "\r",
    "\n",
    "x",
    "é",
    "中",
    "😀",
    "",
];

#[derive(Debug, Clone)]
enum Op {
    Open(usize),
    /// (spec, start fraction, delete length, inserted pieces)
    Change(usize, f64, usize, Vec<&'static str>),
    Save(usize),
    Close(usize),
    /// Write a spec on disk (and tell the server).
    WriteDisk(usize, Vec<&'static str>),
    DeleteDisk(usize),
    /// Rename spec `a`'s file to spec `b`'s path.
    Rename(usize, usize),
    Fifo(usize),
    LinkOutside(usize),
    Hover(usize, f64),
    Complete(usize, f64),
    CodeActions(usize, f64),
}

fn pieces() -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(prop::sample::select(PIECES), 0..4)
}

fn op() -> impl Strategy<Value = Op> {
    let spec = 0..SPECS.len();
    prop_oneof![
        3 => spec.clone().prop_map(Op::Open),
        6 => (spec.clone(), 0.0..=1.0f64, 0usize..10, pieces())
            .prop_map(|(s, f, d, p)| Op::Change(s, f, d, p)),
        1 => spec.clone().prop_map(Op::Save),
        1 => spec.clone().prop_map(Op::Close),
        2 => (spec.clone(), pieces()).prop_map(|(s, p)| Op::WriteDisk(s, p)),
        1 => spec.clone().prop_map(Op::DeleteDisk),
        1 => (spec.clone(), spec.clone()).prop_map(|(a, b)| Op::Rename(a, b)),
        1 => spec.clone().prop_map(Op::Fifo),
        1 => spec.clone().prop_map(Op::LinkOutside),
        1 => (spec.clone(), 0.0..=1.0f64).prop_map(|(s, f)| Op::Hover(s, f)),
        1 => (spec.clone(), 0.0..=1.0f64).prop_map(|(s, f)| Op::Complete(s, f)),
        1 => (spec, 0.0..=1.0f64).prop_map(|(s, f)| Op::CodeActions(s, f)),
    ]
}

fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    // Never between the two bytes of a CRLF.
    let bytes = text.as_bytes();
    if at > 0 && at < text.len() && bytes[at - 1] == b'\r' && bytes[at] == b'\n' {
        at -= 1;
    }
    at
}

fn project() -> (TempWorkspace, tempfile::TempDir) {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("outside.md"), "# Outside\n").unwrap();
    let ws = TempWorkspace::new();
    ws.chant_init("project:\n  name: prop\n");
    ws.write(
        ".chant/prompts/standard.md",
        "---\npurpose: Work\n---\nDo it\n",
    );
    ws.write("docs/a.md", "# A\n");
    ws.write(
        SPECS[0],
        "---\nstatus: pending\n---\n# A\n\n## Acceptance Criteria\n\n- [ ] x\n",
    );
    ws.write(
        SPECS[1],
        "---\ndepends_on: [2026-01-01-001-aaa]\n---\n# B\n",
    );
    (ws, outside)
}

fn remove(path: &Path) {
    let _ = std::fs::remove_file(path);
}

fn codes(diagnostics: &[Value]) -> Vec<(String, Value, String)> {
    let mut out: Vec<(String, Value, String)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["range"].clone(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.cmp(&b.2)));
    out
}

fn wait_idle(client: &LspClient) {
    let status = client.wait_idle();
    if std::env::var_os("PROP_TRACE").is_some() {
        eprintln!("idle: {status}");
    }
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let (ws, outside) = project();
    let client = LspClient::start(ClientOptions::for_folder(ws.path()));
    let uri = |i: usize| ws.uri(SPECS[i]);
    let position = |client: &LspClient, i: usize, f: f64| {
        let text = client.buffer(&uri(i));
        let at = boundary(&text, (f * text.len() as f64) as usize);
        pos_at(&text, at, client.encoding())
    };
    for op in ops {
        if std::env::var_os("PROP_TRACE").is_some() {
            eprintln!("{op:?}");
        }
        match op {
            Op::Open(i) if !client.is_open(&uri(i)) => {
                // (The test itself must not block on a FIFO either.)
                let path = ws.join(SPECS[i]);
                let text = std::fs::metadata(&path)
                    .is_ok_and(|m| m.is_file())
                    .then(|| std::fs::read(&path).ok())
                    .flatten()
                    .and_then(|b| String::from_utf8(b).ok())
                    .unwrap_or_default();
                client.did_open(&uri(i), "markdown", &text);
            }
            Op::Change(i, f, delete, insert) if client.is_open(&uri(i)) => {
                let text = client.buffer(&uri(i));
                let start = boundary(&text, (f * text.len() as f64) as usize);
                let end = boundary(&text, start + delete).max(start);
                let enc = client.encoding();
                let r = json!({"start": pos_at(&text, start, enc), "end": pos_at(&text, end, enc)});
                client.did_change(&uri(i), vec![(r, insert.concat())]);
            }
            Op::Save(i) if client.is_open(&uri(i)) => {
                std::fs::create_dir_all(ws.join(SPECS[i]).parent().unwrap()).unwrap();
                remove(&ws.join(SPECS[i]));
                client.did_save(&uri(i));
                client.did_change_watched_files(&[(uri(i).as_str(), FILE_CHANGED)]);
            }
            Op::Close(i) if client.is_open(&uri(i)) => client.did_close(&uri(i)),
            Op::WriteDisk(i, p) => {
                remove(&ws.join(SPECS[i]));
                ws.write(SPECS[i], p.concat());
                client.did_change_watched_files(&[(uri(i).as_str(), FILE_CHANGED)]);
            }
            Op::DeleteDisk(i) => {
                remove(&ws.join(SPECS[i]));
                client.did_change_watched_files(&[(uri(i).as_str(), FILE_DELETED)]);
            }
            Op::Rename(a, b) if a != b && ws.join(SPECS[a]).is_file() => {
                remove(&ws.join(SPECS[b]));
                std::fs::create_dir_all(ws.join(SPECS[b]).parent().unwrap()).unwrap();
                std::fs::rename(ws.join(SPECS[a]), ws.join(SPECS[b])).unwrap();
                client.did_change_watched_files(&[
                    (uri(a).as_str(), FILE_DELETED),
                    (uri(b).as_str(), FILE_CREATED),
                ]);
            }
            Op::Fifo(i) => {
                remove(&ws.join(SPECS[i]));
                std::fs::create_dir_all(ws.join(SPECS[i]).parent().unwrap()).unwrap();
                assert!(Command::new("mkfifo")
                    .arg(ws.join(SPECS[i]))
                    .status()
                    .unwrap()
                    .success());
                client.did_change_watched_files(&[(uri(i).as_str(), FILE_CREATED)]);
            }
            Op::LinkOutside(i) => {
                remove(&ws.join(SPECS[i]));
                std::fs::create_dir_all(ws.join(SPECS[i]).parent().unwrap()).unwrap();
                std::os::unix::fs::symlink(outside.path().join("outside.md"), ws.join(SPECS[i]))
                    .unwrap();
                client.did_change_watched_files(&[(uri(i).as_str(), FILE_CREATED)]);
            }
            Op::Hover(i, f) if client.is_open(&uri(i)) => {
                let p = position(&client, i, f);
                let answer = client.request(
                    "textDocument/hover",
                    json!({"textDocument": {"uri": uri(i)}, "position": p}),
                );
                prop_assert!(answer.is_ok(), "hover: {:?}", answer);
            }
            Op::Complete(i, f) if client.is_open(&uri(i)) => {
                let p = position(&client, i, f);
                let answer = client.request(
                    "textDocument/completion",
                    json!({"textDocument": {"uri": uri(i)}, "position": p}),
                );
                prop_assert!(answer.is_ok(), "completion: {:?}", answer);
            }
            Op::CodeActions(i, f) if client.is_open(&uri(i)) => {
                let p = position(&client, i, f);
                let answer = client.request(
                    "textDocument/codeAction",
                    json!({"textDocument": {"uri": uri(i)}, "range": {"start": p, "end": p}, "context": {"diagnostics": []}}),
                );
                prop_assert!(answer.is_ok(), "codeAction: {:?}", answer);
            }
            _ => {}
        }
    }
    if std::env::var_os("PROP_TRACE").is_some() {
        eprintln!("waiting for idle");
    }
    wait_idle(&client);
    let open: Vec<usize> = (0..SPECS.len())
        .filter(|i| client.is_open(&uri(*i)))
        .collect();
    let mut published = BTreeMap::new();
    for &i in &open {
        let last = client.diagnostics_history(&uri(i)).last().cloned();
        prop_assert!(
            last.is_some(),
            "no diagnostics for open spec {}; server stderr: {}; log: {:?}",
            SPECS[i],
            client.stderr_tail(),
            client.notifications("window/logMessage")
        );
        let last = last.unwrap();
        prop_assert_eq!(
            last.version,
            Some(client.version(&uri(i))),
            "stale version for {}",
            SPECS[i]
        );
        published.insert(i, codes(&last.diagnostics));
    }
    // A fresh server, same disk and buffers.
    let fresh = LspClient::start(ClientOptions::for_folder(ws.path()));
    for &i in &open {
        fresh.did_open(&uri(i), "markdown", &client.buffer(&uri(i)));
    }
    wait_idle(&fresh);
    for &i in &open {
        let expected = codes(&fresh.wait_for_diagnostics(&uri(i)));
        prop_assert_eq!(
            &published[&i],
            &expected,
            "{} differs from a fresh analysis; history: {:?}",
            SPECS[i],
            client
                .diagnostics_history(&uri(i))
                .iter()
                .map(|p| (p.version, p.diagnostics.len()))
                .collect::<Vec<_>>()
        );
    }
    // What the incremental tree and rope give, against a fresh parse.
    for &i in &open {
        for method in [
            "textDocument/documentSymbol",
            "textDocument/foldingRange",
            "textDocument/semanticTokens/full",
        ] {
            let params = json!({"textDocument": {"uri": uri(i)}});
            let edited = client.request(method, params.clone());
            let expected = fresh.request(method, params);
            prop_assert!(edited.is_ok(), "{}: {:?}", method, edited);
            prop_assert_eq!(
                edited.ok(),
                expected.ok(),
                "{} of {} differs from a fresh parse of {:?}",
                method,
                SPECS[i],
                client.buffer(&uri(i))
            );
        }
    }
    prop_assert!(client.shutdown().success());
    prop_assert!(fresh.shutdown().success());
    Ok(())
}

fn seed() -> proptest::test_runner::RngSeed {
    match std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(seed) => proptest::test_runner::RngSeed::Fixed(seed),
        None => proptest::test_runner::RngSeed::Fixed(20261130),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 40,
        max_shrink_iters: 64,
        failure_persistence: None,
        // A fixed seed keeps CI reproducible; set PROPTEST_RNG_SEED to
        // explore other sequences.
        rng_seed: seed(),
        ..ProptestConfig::default()
    })]
    #[test]
    fn any_sequence_ends_like_a_fresh_analysis(ops in prop::collection::vec(op(), 1..40)) {
        run(ops)?;
    }
}
