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
    // Only the spec inside is checked: the one behind the link is not a
    // spec of this project (were it read, it would count, diagnostics or not).
    assert_eq!(report["summary"]["specs"], 1, "{report}");
    let files: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert!(
        files
            .iter()
            .all(|f| f.ends_with(".chant/specs/2026-01-01-001-ins.md")),
        "{files:?}"
    );
    serve(&ws);
    // The server does not list it either, while it lists the spec inside.
    let client = LspClient::start(ClientOptions::for_folder(ws.path()));
    client.wait_idle();
    let symbols = |query: &str| {
        client
            .request_ok("workspace/symbol", json!({"query": query}))
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(symbols("2026-01-01-001"), ["2026-01-01-001-ins Inside"]);
    assert_eq!(symbols("2026-01-01-003"), Vec::<String>::new());
    assert!(client.shutdown().success());
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

/// The real chant's `chant list`, as lines (the private HOME keeps the
/// machine's config out).
fn chant_list(chant: &Path, root: &Path) -> String {
    let home = tempfile::tempdir().unwrap();
    let output = support::real_chant::chant_command(chant, root, home.path())
        .arg("list")
        .output()
        .expect("chant list runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Two links to `.` in `.chant/specs` (and one back up from a subfolder)
/// used to make the spec walk exponential: 65,535 copies of one spec, each
/// a duplicate of all the others. chant does not enter links to folders
/// when it walks its specs, and sees one spec: so do `check` and the server.
#[test]
fn links_that_loop_in_the_specs_folder_leave_one_spec() {
    let (ws, _outside) = project(|ws, _| {
        std::os::unix::fs::symlink(".", ws.join(".chant/specs/l1")).unwrap();
        std::os::unix::fs::symlink(".", ws.join(".chant/specs/l2")).unwrap();
        std::fs::create_dir_all(ws.join(".chant/specs/sub")).unwrap();
        std::os::unix::fs::symlink("..", ws.join(".chant/specs/sub/up")).unwrap();
        std::os::unix::fs::symlink("../..", ws.join(".chant/archive")).unwrap();
    });
    let (_, report, _) = check(ws.path());
    assert_eq!(report["summary"]["specs"], 1, "{report}");
    let codes = codes_for(&report, "2026-01-01-001-ins");
    assert!(
        !codes.contains(&"chant/duplicate-spec-id".to_string()),
        "{codes:?}"
    );
    if let Some(chant) =
        support::real_chant::real_chant("links_that_loop_in_the_specs_folder_leave_one_spec")
    {
        let listed = chant_list(&chant, ws.path());
        assert_eq!(listed.matches("2026-01-01-001-ins").count(), 1, "{listed}");
    }
    let diagnostics = serve(&ws);
    assert!(diagnostics
        .iter()
        .all(|d| d["code"] != "chant/duplicate-spec-id"));
}

/// `tracks: ["*/*/*.rs"]` over 300 links to `.` names 27 million paths to
/// chant's glob crate (it took `check` 40 s and 4 GB): each real folder is
/// read once per component, and drift is decided on the real files.
#[test]
fn drift_patterns_over_links_that_loop_stay_bounded() {
    let (ws, _outside) = project(|ws, _| {
        ws.write("src/a.rs", "fn a() {}\n");
        for i in 0..300 {
            std::os::unix::fs::symlink(".", ws.join(&format!("l{i:03}"))).unwrap();
        }
        ws.write(
            ".chant/specs/2026-01-01-005-trk.md",
            "---\nstatus: completed\ncompleted_at: 2020-01-01T00:00:00Z\ntracks:\n  - \"*/*/*.rs\"\n  - \"**/*.rs\"\n---\n# Tracked\n\n## Acceptance Criteria\n\n- [x] done\n",
        );
    });
    let (_, report, _) = check(ws.path());
    let drift: Vec<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["spec_id"] == "2026-01-01-005-trk" && d["code"] == "chant/drift")
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(drift.len(), 2, "{report}");
    assert!(drift[0].contains("`l000/src/a.rs`"), "{}", drift[0]);
    assert!(drift[1].contains("`src/a.rs`"), "{}", drift[1]);
}

/// A folder whose name is not UTF-8 under `.chant/specs` used to be
/// dropped from the path, so `.chant/specs/<bad>/<id>.md` replaced the
/// real `<id>.md` (hover, readiness and the list showed the impostor, and
/// go to definition led to a path with U+FFFD). It is a spec in a
/// subfolder, with its own path, byte for byte.
#[test]
fn a_folder_whose_name_is_not_utf8_never_replaces_a_spec() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"old\xff");
    let (ws, _outside) = project(|ws, _| {
        let folder = ws.join(".chant/specs").join(bad);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("2026-01-01-001-ins.md"),
            "---\nstatus: completed\n---\n# Impostor\n\n## Acceptance Criteria\n\n- [x] x\n",
        )
        .unwrap();
        std::fs::write(
            folder.join("2026-01-01-004-far.md"),
            "---\nstatus: completed\n---\n# Far away\n\n## Acceptance Criteria\n\n- [x] x\n",
        )
        .unwrap();
        ws.write(
            ".chant/specs/2026-01-01-003-dep.md",
            "---\ndepends_on: [2026-01-01-001-ins]\n---\n# Dependent\n\nSee 2026-01-01-004-far.\n\n## Acceptance Criteria\n\n- [ ] x\n",
        );
    });
    let (_, report, _) = check(ws.path());
    // The real spec is pending: its dependent waits for it.
    let codes = codes_for(&report, "2026-01-01-003-dep");
    assert!(
        codes.contains(&"chant/unmet-dependency".to_string()),
        "{codes:?}"
    );
    let duplicates: Vec<&Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "chant/duplicate-spec-id")
        .collect();
    assert_eq!(duplicates.len(), 2, "{report}");

    let client = LspClient::start(ClientOptions::for_folder(ws.path()));
    let uri = ws.uri(".chant/specs/2026-01-01-003-dep.md");
    client.did_open_from_disk(&uri);
    client.wait_idle();
    let hover = client.request_ok(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": client.position_of(&uri, "2026-01-01-001-ins")}),
    );
    let shown = hover.to_string();
    assert!(
        shown.contains("Inside") && !shown.contains("Impostor"),
        "{shown}"
    );
    let definition = client.request_ok(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": client.position_of(&uri, "2026-01-01-001-ins")}),
    );
    let target = definition.as_array().map_or(&definition, |a| &a[0]);
    let target = target["uri"]
        .as_str()
        .or(target["targetUri"].as_str())
        .unwrap();
    assert_eq!(
        uri_to_path(target),
        ws.join(".chant/specs/2026-01-01-001-ins.md")
            .canonicalize()
            .unwrap()
    );
    // A spec only in that folder: the link keeps the folder's bytes.
    let definition = client.request_ok(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": client.position_of(&uri, "2026-01-01-004-far")}),
    );
    let target = definition.as_array().map_or(&definition, |a| &a[0]);
    let target = target["uri"]
        .as_str()
        .or(target["targetUri"].as_str())
        .unwrap();
    assert!(!target.contains("%EF%BF%BD"), "U+FFFD in {target}");
    let expected = ws
        .path()
        .canonicalize()
        .unwrap()
        .join(".chant/specs")
        .join(bad)
        .join("2026-01-01-004-far.md");
    assert_eq!(uri_to_path(target), expected);
    assert!(client.shutdown().success());
}

/// A spec file whose own name is not UTF-8: chant refuses it ("Invalid
/// spec filename"); `check` says so in a note, by its (escaped) name.
#[test]
fn a_spec_file_whose_name_is_not_utf8_is_refused_with_a_note() {
    use std::os::unix::ffi::OsStrExt;
    let (ws, _outside) = project(|ws, _| {
        std::fs::write(
            ws.join(".chant/specs")
                .join(std::ffi::OsStr::from_bytes(b"bad\xff.md")),
            SPEC,
        )
        .unwrap();
    });
    let (_, report, _) = check(ws.path());
    assert_eq!(report["summary"]["specs"], 1);
    let notes = notes(&report);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].ends_with(".chant/specs/bad\u{fffd}.md: the file name is not UTF-8, so chant refuses the file (\"Invalid spec filename\") and chant-lsp does not read it. Rename it."),
        "{}",
        notes[0]
    );
    // The server says it once, in its log, when it indexes the project.
    let client = LspClient::start(ClientOptions::for_folder(ws.path()));
    let logged = client.wait_for_notification(
        "window/logMessage",
        |p| {
            p["message"]
                .as_str()
                .is_some_and(|m| m.contains("Invalid spec filename"))
        },
        Duration::from_secs(30),
    );
    assert_eq!(logged["type"], 2, "a warning: {logged}");
    assert!(client.shutdown().success());
}
