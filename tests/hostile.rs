//! A hostile workspace, through `chant-lsp check` and through the server:
//! FIFOs, devices, links out of the project and oversized files where
//! chant files should be. Nothing may hang, allocate without bound, panic
//! or show a file from outside the project; every case gets a clear answer.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::*;

/// What an untrusted repository could put in its files to see if it leaks.
const SECRET: &str = "SECRET-OUTSIDE-TITLE";

const SPEC: &str = "---\nstatus: pending\nprompt: standard\ndepends_on: [2026-01-01-002-out]\n---\n# Inside\n\n## Acceptance Criteria\n\n- [ ] x\n";

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

/// A project with one hostile file, made by `plant`. Outside the project
/// sits a file holding the secret.
fn project(plant: impl FnOnce(&TempWorkspace, &Path)) -> (TempWorkspace, tempfile::TempDir) {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.md"),
        format!("---\nstatus: completed\n---\n# {SECRET}\n\n{SECRET} in the body.\n"),
    )
    .unwrap();
    let ws = TempWorkspace::new();
    ws.chant_init("project:\n  name: hostile\n");
    ws.write(
        ".chant/prompts/standard.md",
        "---\nname: standard\npurpose: Work\n---\nDo it\n",
    );
    ws.write(".chant/specs/2026-01-01-001-ins.md", SPEC);
    plant(&ws, outside.path());
    (ws, outside)
}

/// `check --format json` with a deadline: a hang fails the test instead of
/// stalling it.
fn check(dir: &Path) -> (i32, Value, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chant-lsp"))
        .args(["check", "--format", "json"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chant-lsp check hangs on {}", dir.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stdout.contains(SECRET), "the secret leaked: {stdout}");
    (
        out.status.code().unwrap(),
        serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stdout,
    )
}

fn notes(report: &Value) -> Vec<String> {
    report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
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

/// The server over the project: it indexes, diagnoses the spec, answers a
/// hover on its prompt and its dependency (no secret), settles, and shuts
/// down when asked.
fn serve(ws: &TempWorkspace) -> Vec<Value> {
    let client = LspClient::start(ClientOptions::for_folder(ws.path()));
    let uri = ws.uri(".chant/specs/2026-01-01-001-ins.md");
    client.did_open_from_disk(&uri);
    client.wait_idle();
    let diagnostics = client.wait_for_diagnostics(&uri);
    for needle in ["standard", "2026-01-01-002-out"] {
        let hover = client.request_ok(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": client.position_of(&uri, needle)}),
        );
        assert!(
            !hover.to_string().contains(SECRET),
            "the secret leaked: {hover}"
        );
    }
    client.wait_idle();
    assert!(client.shutdown().success());
    diagnostics
}

#[test]
fn a_fifo_config_is_refused_by_check_and_the_server() {
    let (ws, _outside) = project(|ws, _| {
        std::fs::remove_file(ws.join(".chant/config.md")).unwrap();
        mkfifo(&ws.join(".chant/config.md"));
    });
    let (_, report, _) = check(ws.path());
    assert_eq!(
        notes(&report),
        [format!(
            "{}: cannot read .chant/config.md: it is a named pipe (FIFO), not a regular file",
            ws.join(".chant/config.md").display()
        )]
    );
    serve(&ws);
}

#[test]
fn a_fifo_prompt_and_a_prompt_linked_to_dev_zero_are_not_read() {
    let (ws, _outside) = project(|ws, _| {
        mkfifo(&ws.join(".chant/prompts/pipe.md"));
        std::os::unix::fs::symlink("/dev/zero", ws.join(".chant/prompts/zero.md")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", ws.join(".chant/prompts/extensions.md")).unwrap();
    });
    let (code, report, _) = check(ws.path());
    assert_eq!(code, 1, "{report}");
    // The spec is checked as usual; its unknown dependency is the error.
    assert_eq!(
        codes_for(&report, "2026-01-01-001-ins"),
        [
            "chant/unknown-dependency",
            "chant/quality-confidence",
            "chant/quality-criteria",
            "chant/unchecked-criterion"
        ]
    );
    serve(&ws);
}

#[test]
fn a_config_linked_to_a_device_or_too_large_is_refused() {
    for plant in ["device", "large"] {
        let (ws, _outside) = project(|ws, _| {
            let config = ws.join(".chant/config.md");
            std::fs::remove_file(&config).unwrap();
            match plant {
                "device" => std::os::unix::fs::symlink("/dev/urandom", &config).unwrap(),
                _ => std::fs::write(&config, "x".repeat(2 * 1024 * 1024)).unwrap(),
            }
        });
        let (_, report, _) = check(ws.path());
        let expected = match plant {
            "device" => "it is a device, not a regular file".to_string(),
            _ => "it is 2097152 bytes, more than the 1 MB chant-lsp reads".to_string(),
        };
        assert_eq!(
            notes(&report),
            [format!(
                "{}: cannot read .chant/config.md: {expected}",
                ws.join(".chant/config.md").display()
            )]
        );
        serve(&ws);
    }
}

#[test]
fn a_spec_linked_out_of_the_project_is_never_read() {
    let (ws, outside) = project(|ws, outside| {
        std::os::unix::fs::symlink(
            outside.join("secret.md"),
            ws.join(".chant/specs/2026-01-01-002-out.md"),
        )
        .unwrap();
    });
    let (_, report, stdout) = check(ws.path());
    assert_eq!(
        codes_for(&report, "2026-01-01-002-out"),
        ["chant/file-outside-project"]
    );
    assert!(!stdout.contains(&outside.path().display().to_string()));
    let diagnostics = serve(&ws);
    assert!(!Value::from(diagnostics).to_string().contains(SECRET));
}

#[test]
fn specs_folder_linked_out_of_the_project_lists_nothing_outside() {
    let (ws, _outside) = project(|ws, outside| {
        std::fs::create_dir_all(outside.join("specs")).unwrap();
        std::fs::copy(
            outside.join("secret.md"),
            outside.join("specs/2026-01-01-003-far.md"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.join("specs"), ws.join(".chant/specs/far")).unwrap();
    });
    let (_, report, _) = check(ws.path());
    assert_eq!(
        codes_for(&report, "2026-01-01-003-far"),
        Vec::<String>::new()
    );
    serve(&ws);
}

/// `.chant/config.md` turns into a FIFO while the server runs: the change
/// is read without blocking and the server keeps answering, `shutdown`
/// included.
#[test]
fn a_config_that_becomes_a_fifo_never_blocks_the_server() {
    let (ws, _outside) = project(|_, _| {});
    let client = LspClient::start(ClientOptions::for_folder(ws.path()));
    let uri = ws.uri(".chant/specs/2026-01-01-001-ins.md");
    client.did_open_from_disk(&uri);
    client.wait_for_diagnostics(&uri);
    let config = ws.join(".chant/config.md");
    std::fs::remove_file(&config).unwrap();
    mkfifo(&config);
    let config_uri = ws.uri(".chant/config.md");
    client.did_change_watched_files(&[(config_uri.as_str(), FILE_CHANGED)]);
    client.wait_idle();
    let hover = client.request_ok(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": pos(1, 1)}),
    );
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .starts_with("`status`"));
    assert!(client.shutdown().success());
}
