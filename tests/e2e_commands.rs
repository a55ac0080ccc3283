//! End-to-end: running chant from the editor (`chant.work`, `chant.approve`,
//! `chant.reject`, `chant.applyAgentChanges`) and the code actions, over
//! JSON-RPC against the built server, with the stand-in chant
//! (tests/stand-in-chant) in temporary git repositories.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

use regex::Regex;
use serde_json::{json, Value};
use support::*;

const ID: &str = "2026-01-01-001-abc";
const SPEC_REL: &str = ".chant/specs/2026-01-01-001-abc.md";
const SPEC: &str = "---\ntype: code\nstatus: pending\n---\n# Add the greeting\n\nWrite hello.txt.\n\n## Acceptance Criteria\n\n- [ ] hello.txt exists\n";

/// A chant run can take a while on a loaded machine.
const RUN_TIMEOUT: Duration = Duration::from_secs(180);

/// The stand-in chant, built once per test binary, and copied to a folder
/// of this test process, so that a build running meanwhile (which replaces
/// target/debug/chant) cannot pull the binary from under a running chant.
fn stand_in() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "stand-in-chant"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo build -p stand-in-chant");
        assert!(status.success(), "cargo build -p stand-in-chant failed");
        let built = Path::new(env!("CARGO_BIN_EXE_chant-lsp"))
            .parent()
            .unwrap()
            .join("chant");
        assert!(built.is_file(), "no stand-in chant at {}", built.display());
        let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
        // Copies left by earlier runs whose process is gone.
        for entry in std::fs::read_dir(base).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix("e2e-commands-chant-") {
                if !Path::new(&format!("/proc/{pid}")).exists() {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = base.join(format!("e2e-commands-chant-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let chant = dir.join("chant");
        std::fs::copy(&built, &chant).unwrap();
        chant
    })
}

/// A git repository holding a chant project with prompts `bootstrap` and
/// `standard` and the spec `ID`, all committed.
fn project_with(spec: &str, extra: &[(&str, &str)]) -> TempWorkspace {
    let ws = TempWorkspace::new();
    ws.chant_init("project:\n  name: demo\n");
    ws.write(
        ".chant/prompts/bootstrap.md",
        "---\nname: bootstrap\npurpose: Default\n---\nDo {{spec.title}}\n",
    );
    ws.write(
        ".chant/prompts/standard.md",
        "---\nname: standard\npurpose: Implement the spec\n---\nDo {{spec.title}}\n",
    );
    ws.write(SPEC_REL, spec);
    for (rel, text) in extra {
        ws.write(rel, text);
    }
    ws.git_init();
    ws
}

/// A server over a project, with the stand-in chant first on its PATH and
/// its knobs pointing into a scratch folder.
struct Harness {
    ws: TempWorkspace,
    scratch: tempfile::TempDir,
    client: LspClient,
}

struct Setup<'a> {
    env: Vec<(&'a str, String)>,
    settings: Value,
    capabilities: Option<Value>,
    /// Answer `window/showMessageRequest` with no choice (and record it).
    dismiss_offers: bool,
}

impl Default for Setup<'_> {
    fn default() -> Self {
        Setup {
            env: Vec::new(),
            settings: json!({"commands": {"enabled": true}}),
            capabilities: None,
            dismiss_offers: true,
        }
    }
}

impl Harness {
    fn start(ws: TempWorkspace, setup: Setup) -> (Harness, mpsc::Receiver<Value>) {
        let chant = stand_in();
        let scratch = tempfile::tempdir().unwrap();
        let mut opts = ClientOptions::for_folder(ws.path());
        let path = format!(
            "{}:{}",
            chant.parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        opts.env = vec![
            ("PATH".into(), path),
            (
                "STANDIN_WORKTREE_DIR".into(),
                scratch.path().join("worktrees").display().to_string(),
            ),
            (
                "STANDIN_LOG".into(),
                scratch.path().join("argv.log").display().to_string(),
            ),
            (
                "STANDIN_PID_FILE".into(),
                scratch.path().join("pids.log").display().to_string(),
            ),
        ];
        for (k, v) in setup.env {
            opts.env.push((k.to_string(), v));
        }
        opts.settings = setup.settings.clone();
        opts.initialization_options = Some(setup.settings);
        opts.capabilities_patch = setup.capabilities;
        let client = LspClient::start(opts);
        let (tx, rx) = mpsc::channel();
        if setup.dismiss_offers {
            let tx = std::sync::Mutex::new(tx);
            client.set_responder(Box::new(move |method, params| {
                if method == "window/showMessageRequest" {
                    let _ = tx.lock().unwrap().send(params.clone());
                    return Some(Ok(Value::Null));
                }
                None
            }));
        }
        (
            Harness {
                ws,
                scratch,
                client,
            },
            rx,
        )
    }

    fn spec_uri(&self) -> String {
        self.ws.uri(SPEC_REL)
    }

    fn execute(&self, command: &str, arguments: Value) -> Result<Value, RpcError> {
        self.client.request(
            "workspace/executeCommand",
            json!({"command": command, "arguments": arguments}),
        )
    }

    /// Starts a command and returns its progress token.
    fn start_command(&self, command: &str, arguments: Value) -> String {
        let answer = self
            .execute(command, arguments)
            .unwrap_or_else(|e| panic!("{command} refused: {e}"));
        assert_eq!(answer["started"], true, "{answer}");
        answer["token"].as_str().unwrap().to_string()
    }

    /// The argument vectors chant was called with, in order.
    fn chant_calls(&self) -> Vec<Vec<String>> {
        std::fs::read_to_string(self.scratch.path().join("argv.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// `(kind, pid)` lines of the stand-in's pid file.
    fn pids(&self) -> Vec<(String, i32)> {
        std::fs::read_to_string(self.scratch.path().join("pids.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let (kind, pid) = l.split_once(' ')?;
                Some((kind.to_string(), pid.parse().ok()?))
            })
            .collect()
    }

    fn wait_for_pids(&self) -> Vec<(String, i32)> {
        let deadline = Instant::now() + RUN_TIMEOUT;
        loop {
            let pids = self.pids();
            if pids.iter().any(|(k, _)| k == "chant") && pids.iter().any(|(k, _)| k == "agent") {
                return pids;
            }
            assert!(
                Instant::now() < deadline,
                "chant and its agent did not write their pids: {pids:?}\nlog: {:#?}\nmessages: {:#?}\nserver stderr: {}",
                self.log_lines(),
                self.client.notifications("window/showMessage"),
                self.client.stderr_tail()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The newest `window/showMessage` whose text contains `needle`.
    fn wait_for_message(&self, needle: &str) -> Value {
        let needle = needle.to_string();
        self.client.wait_for_notification(
            "window/showMessage",
            move |p| p["message"].as_str().is_some_and(|m| m.contains(&needle)),
            RUN_TIMEOUT,
        )
    }

    fn log_lines(&self) -> Vec<String> {
        self.client
            .notifications("window/logMessage")
            .iter()
            .filter_map(|p| p["message"].as_str().map(str::to_string))
            .collect()
    }

    /// Code actions for a range, with the diagnostics on its lines in the
    /// context, as editors send them.
    fn code_actions(&self, uri: &str, range: Value) -> Vec<Value> {
        let (first, last) = (range["start"]["line"].clone(), range["end"]["line"].clone());
        let diagnostics: Vec<Value> = self
            .client
            .wait_for_diagnostics(uri)
            .into_iter()
            .filter(|d| {
                d["range"]["start"]["line"].as_u64() <= last.as_u64()
                    && d["range"]["end"]["line"].as_u64() >= first.as_u64()
            })
            .collect();
        let answer = self.client.request_ok(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": range,
                "context": {"diagnostics": diagnostics}
            }),
        );
        answer.as_array().cloned().unwrap_or_default()
    }
}

fn wait_until<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + RUN_TIMEOUT;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The process exists and is not a zombie (a killed process whose parent
/// has not reaped it yet is gone for our purposes).
fn alive(pid: i32) -> bool {
    let exists = Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit(')')
                .next()
                .map(|r| r.trim_start().starts_with('Z'))
        })
        .unwrap_or(false);
    exists && !zombie
}

/// Timestamps chant writes, replaced by placeholders.
fn normalize(text: &str) -> String {
    let utc = Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z").unwrap();
    let local = Regex::new(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}").unwrap();
    let text = utc.replace_all(text, "<UTC>");
    local.replace_all(&text, "<LOCAL>").into_owned()
}

/// chant's `chant(<id>):` commits on branch `chant/<id>`, oldest first.
fn spec_commits(ws: &TempWorkspace) -> Vec<String> {
    ws.git(&[
        "log",
        &format!("chant/{ID}"),
        "--format=%h",
        "--grep",
        &format!("chant({ID}):"),
        "--reverse",
    ])
    .lines()
    .map(str::to_string)
    .collect()
}

/// The spec after a successful stand-in run, timestamps normalized.
fn completed_spec(commits: &[String], criteria: &str) -> String {
    let lines: String = (1..=3)
        .map(|i| format!("stand-in agent: working on {ID} (line {i} of 3)\n"))
        .collect();
    // As chant's YAML writer quotes them (a hash of digits only is quoted).
    let commits = serde_yaml_ng::to_string(commits).unwrap();
    format!(
        "---\ntype: code\nstatus: completed\nbranch: chant/{ID}\ncommits:\n{commits}completed_at: <UTC>\nmodel: sonnet\n---\n# Add the greeting\n\nWrite hello.txt.\n\n## Acceptance Criteria\n\n{criteria}\n\n## Agent Output\n\n<UTC>\n\n```\n{}```\n",
        lines.trim_end()
    )
}

#[test]
fn work_reports_progress_and_brings_chants_rewrite_into_the_buffer() {
    let (h, offers) = Harness::start(project_with(SPEC, &[]), Setup::default());
    let uri = h.spec_uri();
    h.client.did_open_from_disk(&uri);

    let answer = h.execute("chant.work", json!([uri])).unwrap();
    assert_eq!(answer["started"], true);
    assert_eq!(answer["arguments"], json!(["work", ID, "--no-watch"]));
    let token = answer["token"].as_str().unwrap().to_string();
    let progress = h.client.wait_for_progress_end(token.as_str(), RUN_TIMEOUT);

    // The buffer now says what chant wrote, through a versioned, minimal edit.
    let disk = h.ws.read(SPEC_REL);
    assert_eq!(h.client.buffer(&uri), disk);
    let commits = spec_commits(&h.ws);
    assert_eq!(
        normalize(&disk),
        completed_spec(&commits, "- [x] hello.txt exists")
    );
    let edits = h.client.edits();
    assert_eq!(edits.len(), 1);
    assert!(edits[0].applied);
    let change = &edits[0].params["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], 1);
    let title_line = 4; // "# Add the greeting" is untouched
    for edit in change["edits"].as_array().unwrap() {
        let (start, end) = (&edit["range"]["start"], &edit["range"]["end"]);
        assert!(
            end["line"].as_u64() < Some(title_line) || start["line"].as_u64() > Some(title_line),
            "{edit}"
        );
    }

    // Progress: begin (cancellable), reports of output lines, end.
    assert_eq!(progress[0]["kind"], "begin");
    assert_eq!(progress[0]["title"], format!("chant work {ID}"));
    assert_eq!(progress[0]["cancellable"], true);
    assert_eq!(progress.last().unwrap()["kind"], "end");
    assert_eq!(progress.last().unwrap()["message"], "completed");
    let reports: Vec<&str> = progress
        .iter()
        .filter(|p| p["kind"] == "report")
        .map(|p| p["message"].as_str().unwrap())
        .collect();
    assert!(!reports.is_empty());
    let log = h.log_lines();
    for report in &reports {
        assert!(
            log.contains(&format!("[chant work {ID}] {report}")),
            "{report} is not an output line"
        );
    }
    // The whole output is in the log, in order.
    let agent_lines: Vec<&String> = log
        .iter()
        .filter(|l| l.starts_with(&format!("[chant work {ID}] stand-in agent:")))
        .collect();
    assert_eq!(
        agent_lines,
        (1..=3)
            .map(|i| format!("[chant work {ID}] stand-in agent: working on {ID} (line {i} of 3)"))
            .collect::<Vec<_>>()
            .iter()
            .collect::<Vec<_>>()
    );
    assert!(log.contains(&format!("[chant work {ID}] Commit: {}", commits[1])));

    // The outcome names the commits and offers the agent's changes.
    let offer = offers.recv_timeout(RUN_TIMEOUT).unwrap();
    assert_eq!(offer["type"], 3);
    assert_eq!(
        offer["message"],
        format!(
            "`chant work {ID}` finished: the spec is completed (commits {}, {}). The agent's changes are on branch chant/{ID}, not in your checkout: \"Apply agent changes\" brings them into the editor for review.",
            commits[0], commits[1]
        )
    );
    assert_eq!(offer["actions"], json!([{"title": "Apply agent changes"}]));
    assert_eq!(h.chant_calls(), [["work", ID, "--no-watch"]]);
    // The index saw the new status: the spec is no longer workable.
    h.client.wait_for_diagnostics(&uri);
    let actions = h.code_actions(&uri, range(0, 0, 0, 0));
    let enabled: Vec<&str> = actions
        .iter()
        .filter(|a| a.get("disabled").is_none())
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(enabled, [format!("Apply agent changes (chant/{ID})")]);
    let work = actions
        .iter()
        .find(|a| a["title"] == "Work this spec")
        .unwrap();
    assert!(
        work["disabled"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("This spec is completed"),
        "{work}"
    );
    h.client.shutdown();
}

#[test]
fn accepting_the_offer_applies_the_agents_changes() {
    let (h, _) = Harness::start(
        project_with(SPEC, &[]),
        Setup {
            dismiss_offers: false,
            ..Setup::default()
        },
    );
    let uri = h.spec_uri();
    let token = h.start_command("chant.work", json!([uri, {"prompt": "standard"}]));
    h.client.wait_for_progress_end(token.as_str(), RUN_TIMEOUT);
    h.wait_for_message("Brought the agent's changes");
    assert_eq!(
        h.ws.read("agent-output.txt"),
        format!("stand-in agent output for {ID}\n")
    );
    assert_eq!(
        h.chant_calls(),
        [["work", ID, "--no-watch", "--prompt=standard"]]
    );
    h.client.shutdown();
}

#[test]
fn a_failed_run_reports_chants_error_line() {
    let (h, _) = Harness::start(
        project_with(SPEC, &[]),
        Setup {
            env: vec![("STANDIN_AGENT_FAIL", "1".into())],
            ..Setup::default()
        },
    );
    let uri = h.spec_uri();
    h.client.did_open_from_disk(&uri);
    let token = h.start_command("chant.work", json!([uri]));
    let progress = h.client.wait_for_progress_end(token.as_str(), RUN_TIMEOUT);
    assert_eq!(progress.last().unwrap()["message"], "failed");
    let message = h.wait_for_message("failed");
    assert_eq!(message["type"], 1);
    let text = message["message"].as_str().unwrap();
    let worktree = h
        .scratch
        .path()
        .join("worktrees")
        .join(format!("chant-demo-{ID}"));
    assert_eq!(
        text,
        format!(
            "`chant work {ID}` failed (exit code 1): Error: Agent exited with status: exit status: 1. chant leaves behind the spec with `status: failed`, the worktree {wt} and the branch chant/{ID}. Remove the worktree with `git worktree remove --force {wt}` when you no longer need it. The branch holds the agent's work so far (delete it with `git branch -D chant/{ID}`).",
            wt = worktree.display()
        )
    );
    // chant's `failed` status is in the buffer too.
    let expected = "---\ntype: code\nstatus: failed\nbranch: chant/2026-01-01-001-abc\n---\n# Add the greeting\n\nWrite hello.txt.\n\n## Acceptance Criteria\n\n- [ ] hello.txt exists";
    assert_eq!(h.ws.read(SPEC_REL), expected);
    assert_eq!(h.client.buffer(&uri), expected);
    h.client.shutdown();
}

#[test]
fn cancelling_kills_chant_and_its_agent() {
    let (h, _) = Harness::start(
        project_with(SPEC, &[]),
        Setup {
            env: vec![("STANDIN_AGENT_HANG", "1".into())],
            ..Setup::default()
        },
    );
    let uri = h.spec_uri();
    h.client.did_open_from_disk(&uri);
    let token = h.start_command("chant.work", json!([uri]));
    let pids = h.wait_for_pids();
    assert!(pids.iter().all(|(_, pid)| alive(*pid)), "{pids:?}");
    // While it runs, the spec is not offered again, and a second run is refused.
    let again = h.execute("chant.work", json!([uri])).unwrap_err();
    assert!(
        again.message.contains("already running"),
        "{}",
        again.message
    );
    h.client
        .notify("window/workDoneProgress/cancel", json!({"token": token}));
    let progress = h.client.wait_for_progress_end(token.as_str(), RUN_TIMEOUT);
    assert_eq!(progress.last().unwrap()["message"], "cancelled");
    wait_until("chant and the agent to be gone", || {
        pids.iter().all(|(_, pid)| !alive(*pid)).then_some(())
    });
    let message = h.wait_for_message("was cancelled");
    assert_eq!(message["type"], 2);
    let text = message["message"].as_str().unwrap();
    let worktree = h
        .scratch
        .path()
        .join("worktrees")
        .join(format!("chant-demo-{ID}"));
    assert!(
        text.starts_with(&format!(
            "`chant work {ID}` was cancelled: chant and the processes it started were killed. chant leaves behind the spec with `status: in_progress`, the worktree {} and the branch chant/{ID}. Set the status back to `pending` before running the spec again.",
            worktree.display()
        )),
        "{text}"
    );
    // What chant wrote before it was killed is in the buffer.
    let disk = h.ws.read(SPEC_REL);
    assert!(disk.contains("status: in_progress"), "{disk}");
    assert_eq!(h.client.buffer(&uri), disk);
    h.client.shutdown();
}

#[test]
fn shutdown_kills_a_running_chant() {
    let (h, _) = Harness::start(
        project_with(SPEC, &[]),
        Setup {
            env: vec![("STANDIN_AGENT_HANG", "1".into())],
            ..Setup::default()
        },
    );
    let uri = h.spec_uri();
    h.start_command("chant.work", json!([uri]));
    let pids = h.wait_for_pids();
    assert!(pids.iter().all(|(_, pid)| alive(*pid)));
    let Harness { client, .. } = &h;
    // `shutdown` answers only once the process group is killed.
    client.request_ok("shutdown", Value::Null);
    wait_until("chant and the agent to be gone", || {
        pids.iter().all(|(_, pid)| !alive(*pid)).then_some(())
    });
    client.notify("exit", Value::Null);
    client.wait_exit(RUN_TIMEOUT);
}

#[test]
fn a_spec_with_unsaved_changes_is_refused() {
    let (h, _) = Harness::start(project_with(SPEC, &[]), Setup::default());
    let uri = h.spec_uri();
    h.client.did_open_from_disk(&uri);
    h.client
        .replace_first(&uri, "Write hello.txt.", "Write hello.txt now.");
    let error = h.execute("chant.work", json!([uri])).unwrap_err();
    assert_eq!(error.code, -32803);
    let path = h.ws.join(SPEC_REL);
    assert_eq!(
        error.message,
        format!("{} has unsaved changes: chant reads the spec from disk and rewrites it, so running now would throw your edits away. Save the file, then run the command again.", path.display())
    );
    for (command, args) in [
        ("chant.approve", json!([uri])),
        ("chant.reject", json!([uri, {"reason": "no"}])),
    ] {
        let error = h.execute(command, args).unwrap_err();
        assert!(
            error.message.contains("unsaved changes"),
            "{}",
            error.message
        );
    }
    assert!(h.chant_calls().is_empty());
    h.client.shutdown();
}

/// A `chant` that waits for a gate file before it becomes the stand-in, so
/// a test can type while "chant runs" without racing it.
fn gated_chant(dir: &Path) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let gate = dir.join("gate");
    let script = dir.join("gated-chant");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ni=0\nwhile [ ! -e '{gate}' ]; do i=$((i+1)); [ $i -gt 18000 ] && exit 99; sleep 0.01; done\nexec '{chant}' \"$@\"\n",
            gate = gate.display(),
            chant = stand_in().display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, gate)
}

/// Runs `chant work` behind the gate, types `edit` into the spec buffer
/// while it waits, then opens the gate and waits for the end of the run.
fn work_while_typing(needle: &str, replacement: &str) -> (Harness, String, Vec<EditRecord>) {
    let gates = tempfile::tempdir().unwrap();
    let (script, gate) = gated_chant(gates.path());
    let (h, _) = Harness::start(
        project_with(SPEC, &[]),
        Setup {
            settings: json!({"commands": {"enabled": true}, "path": script.display().to_string()}),
            ..Setup::default()
        },
    );
    let uri = h.spec_uri();
    h.client.did_open_from_disk(&uri);
    let token = h.start_command("chant.work", json!([uri]));
    h.client.replace_first(&uri, needle, replacement);
    // The server has the change once it publishes diagnostics for it.
    h.client.wait_for_diagnostics(&uri);
    std::fs::write(&gate, "").unwrap();
    h.client.wait_for_progress_end(token.as_str(), RUN_TIMEOUT);
    let edits = h.client.edits();
    drop(gates);
    (h, uri, edits)
}

#[test]
fn typing_during_a_run_is_merged_with_chants_rewrite() {
    let (h, uri, edits) = work_while_typing("Write hello.txt.", "Write hello.txt, politely.");
    let disk = h.ws.read(SPEC_REL);
    let commits = spec_commits(&h.ws);
    assert_eq!(
        normalize(&disk),
        completed_spec(&commits, "- [x] hello.txt exists")
    );
    assert_eq!(
        h.client.buffer(&uri),
        disk.replace("Write hello.txt.", "Write hello.txt, politely.")
    );
    assert_eq!(edits.len(), 1);
    // The edit was for the version with the user's typing in it.
    assert_eq!(
        edits[0].params["edit"]["documentChanges"][0]["textDocument"]["version"],
        2
    );
    h.client.shutdown();
}

#[test]
fn an_overlapping_edit_during_a_run_leaves_the_buffer_alone() {
    let (h, uri, edits) = work_while_typing(
        "- [ ] hello.txt exists",
        "- [ ] hello.txt exists and greets",
    );
    // Both sides are kept: the buffer has the user's text, the disk chant's.
    assert_eq!(
        h.client.buffer(&uri),
        SPEC.replace(
            "- [ ] hello.txt exists",
            "- [ ] hello.txt exists and greets"
        )
    );
    let disk = h.ws.read(SPEC_REL);
    assert_eq!(
        normalize(&disk),
        completed_spec(&spec_commits(&h.ws), "- [x] hello.txt exists")
    );
    assert!(edits.is_empty(), "{edits:?}");
    let message = h.wait_for_message("your edits overlap");
    assert_eq!(message["type"], 2);
    assert_eq!(
        message["message"],
        format!(
            "chant rewrote {} while you were editing it, and your edits overlap chant's: the editor keeps your version, the file on disk has chant's. Compare the two (e.g. \"Compare with saved\") and merge by hand before saving.",
            h.ws.join(SPEC_REL).display()
        )
    );
    h.client.shutdown();
}

#[test]
fn apply_agent_changes_creates_modifies_and_deletes_files() {
    let ws = project_with(
        SPEC,
        &[
            ("src/edit.txt", "one\ntwo\nthree\n"),
            ("src/drop.txt", "drop me\n"),
            ("src/keep.txt", "keep\n"),
        ],
    );
    ws.write(
        "agent.json",
        r#"{"write": {"src/new.txt": "brand new\n", "src/edit.txt": "one\ntwo\nTHREE\n"}, "delete": ["src/drop.txt"]}"#,
    );
    let (h, offers) = Harness::start(
        ws,
        Setup {
            env: vec![("STANDIN_AGENT_WRITES", "agent.json".into())],
            ..Setup::default()
        },
    );
    let uri = h.spec_uri();
    h.client.did_open_from_disk(&uri);
    // No branch yet: no action, and the command says what to do.
    let titles = |h: &Harness| -> Vec<String> {
        h.code_actions(&uri, range(0, 0, 0, 0))
            .iter()
            .map(|a| a["title"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!titles(&h)
        .iter()
        .any(|t| t.starts_with("Apply agent changes")));
    let error = h
        .execute("chant.applyAgentChanges", json!([uri]))
        .unwrap_err();
    assert_eq!(
        error.message,
        format!("There is no branch chant/{ID}: the agent's changes live there after \"Work this spec\" runs. Run the spec first.")
    );

    let token = h.start_command("chant.work", json!([uri]));
    h.client.wait_for_progress_end(token.as_str(), RUN_TIMEOUT);
    offers.recv_timeout(RUN_TIMEOUT).unwrap();
    assert!(titles(&h).contains(&format!("Apply agent changes (chant/{ID})")));

    // The user has an unsaved change in a file the agent also changed.
    let edit_uri = h.ws.uri("src/edit.txt");
    h.client.did_open_from_disk(&edit_uri);
    h.client.replace_first(&edit_uri, "one", "ONE");
    let before = h.client.edits().len();
    let answer = h.execute("chant.applyAgentChanges", json!([uri])).unwrap();
    assert_eq!(
        answer,
        json!({
            "started": true,
            "branch": format!("chant/{ID}"),
            "created": ["src/new.txt"],
            "modified": ["src/edit.txt"],
            "deleted": ["src/drop.txt"],
            "conflicts": [],
            "skipped": []
        })
    );
    let message = h.wait_for_message("Brought the agent's changes");
    assert_eq!(
        message["message"],
        format!("Brought the agent's changes from chant/{ID} into the editor: created src/new.txt; modified src/edit.txt; deleted src/drop.txt. Review them, then save (or undo).")
    );
    let edits = h.client.edits();
    assert_eq!(edits.len(), before + 1);
    let record = edits.last().unwrap();
    assert!(record.applied, "{:?}", record.failure_reason);
    assert_eq!(
        record.params["label"],
        format!("Apply agent changes from chant/{ID}")
    );
    let kinds: Vec<Value> = record.params["edit"]["documentChanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.get("kind").cloned().unwrap_or(json!("edit")))
        .collect();
    // In git's order: src/drop.txt, src/edit.txt, src/new.txt.
    assert_eq!(
        kinds,
        [
            json!("delete"),
            json!("edit"),
            json!("create"),
            json!("edit")
        ]
    );

    assert_eq!(h.ws.read("src/new.txt"), "brand new\n");
    // Merged into the unsaved buffer; the disk keeps the saved text.
    assert_eq!(h.client.buffer(&edit_uri), "ONE\ntwo\nTHREE\n");
    assert_eq!(h.ws.read("src/edit.txt"), "one\ntwo\nthree\n");
    assert!(!h.ws.exists("src/drop.txt"));
    assert_eq!(h.ws.read("src/keep.txt"), "keep\n");
    // chant's own files on the branch are never applied.
    assert!(h.ws.read(SPEC_REL).contains("status: completed"));

    // Applying again: nothing left to bring in.
    let again = h
        .execute("chant.applyAgentChanges", json!([uri]))
        .unwrap_err();
    assert_eq!(
        again.message,
        format!("The workspace already has the agent's changes from chant/{ID}.")
    );
    h.client.shutdown();
}

#[test]
fn approve_and_reject_with_and_without_a_reason() {
    let spec = "---\ntype: code\nstatus: pending\napproval:\n  required: true\n---\n# Add the greeting\n\n## Acceptance Criteria\n\n- [ ] hello.txt exists\n";
    // A client without window.workDoneProgress gets no progress, only messages.
    let (h, _) = Harness::start(
        project_with(spec, &[]),
        Setup {
            capabilities: Some(json!({"window": {"workDoneProgress": false}})),
            ..Setup::default()
        },
    );
    let uri = h.spec_uri();
    h.client.did_open_from_disk(&uri);
    let titles: Vec<String> = h
        .code_actions(&uri, range(0, 0, 0, 0))
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect();
    assert!(titles.contains(&"Approve spec".to_string()), "{titles:?}");
    assert!(titles.contains(&"Reject spec...".to_string()), "{titles:?}");

    // Approver from `git config user.name`.
    let answer = h.execute("chant.approve", json!([uri])).unwrap();
    assert_eq!(
        answer["arguments"],
        json!(["approve", ID, "--by=Test User"])
    );
    let message = h.wait_for_message("Approved spec");
    let head = h.ws.git(&["log", "-1", "--format=%h"]).trim().to_string();
    assert_eq!(
        message["message"],
        format!("Approved spec {ID} as Test User (commit {head}).")
    );
    let approved = "---\ntype: code\nstatus: blocked\napproval:\n  required: true\n  status: approved\n  by: Test User\n  at: <UTC>\n---\n# Add the greeting\n\n## Acceptance Criteria\n\n- [ ] hello.txt exists\n\n## Approval Discussion\n\n**Test User** - <LOCAL> - APPROVED";
    wait_until("the approval in the buffer", || {
        (normalize(&h.client.buffer(&uri)) == approved).then_some(())
    });
    assert_eq!(h.client.buffer(&uri), h.ws.read(SPEC_REL));
    assert!(h.client.progress_tokens().is_empty());
    assert!(h
        .client
        .server_requests("window/workDoneProgress/create")
        .is_empty());

    // Approving again changes nothing, so it is refused.
    let again = h.execute("chant.approve", json!([uri])).unwrap_err();
    assert_eq!(
        again.message,
        "This spec is already approved by Test User: chant approve would change nothing."
    );

    // Reject needs a reason.
    let error = h.execute("chant.reject", json!([uri])).unwrap_err();
    assert_eq!(error.code, -32803);
    assert!(
        error.message.starts_with("A reason is required"),
        "{}",
        error.message
    );
    let error = h
        .execute("chant.reject", json!([uri, {"reason": "  "}]))
        .unwrap_err();
    assert!(
        error.message.starts_with("A reason is required"),
        "{}",
        error.message
    );

    let answer = h
        .execute(
            "chant.reject",
            json!([uri, {"reason": "Needs tests", "by": "Reviewer"}]),
        )
        .unwrap();
    assert_eq!(
        answer["arguments"],
        json!(["reject", ID, "--by=Reviewer", "--reason=Needs tests"])
    );
    let message = h.wait_for_message("Rejected spec");
    let head = h.ws.git(&["log", "-1", "--format=%h"]).trim().to_string();
    assert_eq!(
        message["message"],
        format!("Rejected spec {ID} as Reviewer (commit {head}).")
    );
    let rejected = "---\ntype: code\nstatus: pending\napproval:\n  required: true\n  status: rejected\n  by: Reviewer\n  at: <UTC>\n---\n# Add the greeting\n\n## Acceptance Criteria\n\n- [ ] hello.txt exists\n\n## Approval Discussion\n\n**Test User** - <LOCAL> - APPROVED\n\n**Reviewer** - <LOCAL> - REJECTED\nNeeds tests";
    wait_until("the rejection in the buffer", || {
        (normalize(&h.client.buffer(&uri)) == rejected).then_some(())
    });
    assert_eq!(h.client.buffer(&uri), h.ws.read(SPEC_REL));
    assert_eq!(
        h.chant_calls(),
        [
            vec!["approve", ID, "--by=Test User"],
            vec!["reject", ID, "--by=Reviewer", "--reason=Needs tests"],
        ]
    );
    h.client.shutdown();
}

#[test]
fn malicious_ids_and_prompt_names_never_reach_chant() {
    let bad_ids = ["-rf", "a;b", "a b", "a..b"];
    let extra: Vec<(String, &str)> = bad_ids
        .iter()
        .map(|id| (format!(".chant/specs/{id}.md"), SPEC))
        .collect();
    let extra: Vec<(&str, &str)> = extra.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let (h, _) = Harness::start(
        project_with(SPEC, &extra),
        Setup {
            settings: json!({"commands": {"enabled": true}, "approverName": "Ada"}),
            ..Setup::default()
        },
    );
    for id in bad_ids {
        let uri = h.ws.uri(&format!(".chant/specs/{id}.md"));
        for (command, args) in [
            ("chant.work", json!([uri])),
            ("chant.approve", json!([uri])),
            ("chant.reject", json!([uri, {"reason": "no"}])),
            ("chant.applyAgentChanges", json!([uri])),
        ] {
            let error = h.execute(command, args).unwrap_err();
            assert_eq!(error.code, -32803, "{command} {id}");
            assert!(
                error.message.contains(&format!("{id:?}"))
                    && error.message.to_lowercase().contains("rename"),
                "{command} {id}: {}",
                error.message
            );
        }
    }
    let uri = h.spec_uri();
    for prompt in ["-rf", "a;b", "a b", "../x", "--skip-approval"] {
        let error = h
            .execute("chant.work", json!([uri, {"prompt": prompt}]))
            .unwrap_err();
        assert_eq!(
            error.message,
            format!("The prompt name {prompt:?} cannot be passed to chant safely: prompt names may hold only letters, digits, `-`, `_` and `.`, must not start with `-` or `.`, and must not contain `..`.")
        );
    }
    for by in ["Ada\nEvil", "\u{7}bell"] {
        let error = h
            .execute("chant.approve", json!([uri, {"by": by}]))
            .unwrap_err();
        assert!(
            error.message.contains("approver") || error.message.contains("Approver"),
            "{}",
            error.message
        );
    }
    // No command is offered for such a spec either: each is disabled, saying why.
    let uri = h.ws.uri(".chant/specs/-rf.md");
    assert!(titles(&h, &uri).is_empty());
    let reasons = disabled(&h, &uri);
    assert!(!reasons.is_empty());
    assert!(
        reasons
            .iter()
            .all(|(_, why)| why.contains("cannot be passed to chant safely")),
        "{reasons:?}"
    );
    // Nothing at all reached chant.
    assert!(h.chant_calls().is_empty());
    assert!(!h.scratch.path().join("argv.log").exists());
    h.client.shutdown();
}

#[test]
fn refusals_say_what_to_do() {
    let completed =
        "---\ntype: code\nstatus: completed\n---\n# Done\n\n## Acceptance Criteria\n\n- [x] done\n";
    let no_criteria = "---\ntype: code\nstatus: pending\n---\n# Vague\n";
    let ws = project_with(
        SPEC,
        &[
            (".chant/specs/2026-01-01-002-don.md", completed),
            (".chant/specs/2026-01-01-003-vag.md", no_criteria),
        ],
    );
    // Commands are off unless the workspace is trusted.
    let (h, _) = Harness::start(
        ws,
        Setup {
            settings: json!({}),
            ..Setup::default()
        },
    );
    let uri = h.spec_uri();
    let error = h.execute("chant.work", json!([uri])).unwrap_err();
    assert_eq!(
        error.message,
        "Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true."
    );
    h.client
        .change_settings(json!({"commands": {"enabled": true}, "path": "/nonexistent/chant"}));
    let error = wait_until("the new settings", || {
        let e = h.execute("chant.work", json!([uri])).unwrap_err();
        (!e.message.contains("is off")).then_some(e)
    });
    assert_eq!(
        error.message,
        "chant was not found (setting `chant.path` is `/nonexistent/chant`): install chant, or set `chant.path` to the chant executable."
    );
    h.client
        .change_settings(json!({"commands": {"enabled": true}}));
    wait_until("the new settings", || {
        let e = h
            .execute(
                "chant.work",
                json!([h.ws.uri(".chant/specs/2026-01-01-002-don.md")]),
            )
            .unwrap_err();
        (!e.message.contains("not found")).then_some(())
    });
    let error = h
        .execute(
            "chant.work",
            json!([h.ws.uri(".chant/specs/2026-01-01-002-don.md")]),
        )
        .unwrap_err();
    assert_eq!(
        error.message,
        "This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again."
    );
    let error = h
        .execute(
            "chant.work",
            json!([h.ws.uri(".chant/specs/2026-01-01-003-vag.md")]),
        )
        .unwrap_err();
    assert!(
        error.message.contains("no acceptance criteria"),
        "{}",
        error.message
    );
    let error = h
        .execute("chant.work", json!([uri, {"prompt": "missing"}]))
        .unwrap_err();
    assert!(
        error.message.starts_with("Prompt not found: missing."),
        "{}",
        error.message
    );
    let error = h
        .execute("chant.work", json!([h.ws.uri("README.md")]))
        .unwrap_err();
    assert!(
        error.message.contains("is not a chant spec"),
        "{}",
        error.message
    );
    let error = h.execute("chant.nope", json!([uri])).unwrap_err();
    assert_eq!(error.code, -32602);
    let error = h.execute("chant.work", json!([])).unwrap_err();
    assert_eq!(error.code, -32602);
    assert!(h.chant_calls().is_empty());
    // The commands are advertised.
    let caps = h.client.server_capabilities();
    assert_eq!(
        caps["executeCommandProvider"]["commands"],
        json!([
            "chant.work",
            "chant.approve",
            "chant.reject",
            "chant.applyAgentChanges",
            "chant.applyFix"
        ])
    );
    h.client.shutdown();
}

/// Applies a code action's workspace edit through the test client, as an
/// editor would when the user picks it.
fn apply_action(h: &Harness, action: &Value) {
    let edit = action["edit"].clone();
    let doc_changes = edit["documentChanges"].as_array().unwrap();
    for change in doc_changes {
        let uri = change["textDocument"]["uri"].as_str().unwrap();
        assert_eq!(
            change["textDocument"]["version"],
            h.client.version(uri),
            "{change}"
        );
        let text = h.client.buffer(uri);
        let new_text = apply_text_edits(
            &text,
            change["edits"].as_array().unwrap(),
            h.client.encoding(),
        )
        .unwrap();
        h.client.did_change_full(uri, &new_text);
    }
}

fn action<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| {
            let titles: Vec<&Value> = actions.iter().map(|a| &a["title"]).collect();
            panic!("no action {title:?} in {titles:?}")
        })
}

#[test]
fn quick_fixes_edit_the_current_version_in_the_users_style() {
    let other = "2026-01-01-002-dep";
    let spec = format!(
        "---\r\ntype: research\r\nstatus: pendin\r\nlabels: ['a']\r\ninformed_by:\r\n  - notes/missing.md\r\n---\r\n# Research\r\n\r\nSee {other} first.\r\n\r\n## Acceptance Criteria\r\n\r\n- [ ] one\r\n- [x] two\r\n"
    );
    let ws = project_with(
        &spec,
        &[(
            ".chant/specs/2026-01-01-002-dep.md",
            "---\ntype: code\n---\n# Dep\n\n## Acceptance Criteria\n\n- [ ] x\n",
        )],
    );
    ws.write(
        ".chant/config.md",
        "---\nproject:\n  name: demo\nenterprise:\n  required: [labels, verification_status]\n---\n# Config\n",
    );
    let (h, _) = Harness::start(ws, Setup::default());
    let uri = h.spec_uri();
    h.client.did_open_from_disk(&uri);

    // A diagnostic's own fix, versioned.
    let actions = h.code_actions(&uri, h.client.range_of(&uri, "pendin"));
    let fix = action(&actions, "Change to `pending`");
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["diagnostics"][0]["code"], "chant/unknown-status");
    apply_action(&h, fix);
    assert!(h.client.buffer(&uri).contains("status: pending\r\n"));

    // Move the mentioned ID into depends_on (flow style, like `labels`).
    let actions = h.code_actions(&uri, h.client.range_of(&uri, other));
    apply_action(
        &h,
        action(&actions, &format!("Move `{other}` into `depends_on`")),
    );
    let text = h.client.buffer(&uri);
    assert!(
        text.contains(&format!("depends_on: ['{other}']\r\n---")),
        "{text}"
    );
    assert!(text.contains("See first.\r\n"), "{text}");

    // The required field, with a value chant accepts, in CRLF.
    let actions = h.code_actions(&uri, range(0, 0, 0, 3));
    apply_action(&h, action(&actions, "Add `verification_status`"));
    let text = h.client.buffer(&uri);
    assert!(
        text.contains("verification_status: passed\r\n---"),
        "{text}"
    );

    // Tick and untick the criterion under the cursor.
    let actions = h.code_actions(&uri, h.client.range_of(&uri, "two"));
    apply_action(&h, action(&actions, "Untick this criterion"));
    let actions = h.code_actions(&uri, h.client.range_of(&uri, "one"));
    // The diagnostic's fix ticks it; there is no second "tick" action.
    let ticks = actions
        .iter()
        .filter(|a| a["title"] == "Tick this criterion")
        .count();
    assert_eq!(ticks, 1);
    apply_action(&h, action(&actions, "Tick this criterion"));
    assert_eq!(
        h.client.buffer(&uri),
        format!("---\r\ntype: research\r\nstatus: pending\r\nlabels: ['a']\r\ninformed_by:\r\n  - notes/missing.md\r\ndepends_on: ['{other}']\r\nverification_status: passed\r\n---\r\n# Research\r\n\r\nSee first.\r\n\r\n## Acceptance Criteria\r\n\r\n- [x] one\r\n- [ ] two\r\n")
    );

    // Create the missing informed_by file (a resource operation).
    let actions = h.code_actions(&uri, h.client.range_of(&uri, "notes/missing.md"));
    let create = action(&actions, "Create `notes/missing.md`");
    assert_eq!(
        create["edit"]["documentChanges"],
        json!([{"kind": "create", "uri": h.ws.uri("notes/missing.md"), "options": {"overwrite": false, "ignoreIfExists": false}}])
    );

    h.client.shutdown();
}

/// The titles of the code actions offered at the top of a spec (enabled ones).
fn titles(h: &Harness, uri: &str) -> Vec<String> {
    actions_at_top(h, uri)
        .iter()
        .filter(|a| a.get("disabled").is_none())
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect()
}

/// The actions shown disabled at the top of a spec, with their reasons.
fn disabled(h: &Harness, uri: &str) -> Vec<(String, String)> {
    actions_at_top(h, uri)
        .iter()
        .filter_map(|a| {
            Some((
                a["title"].as_str()?.to_string(),
                a["disabled"]["reason"].as_str()?.to_string(),
            ))
        })
        .collect()
}

fn actions_at_top(h: &Harness, uri: &str) -> Vec<Value> {
    h.client.did_open_from_disk(uri);
    let actions = h.code_actions(uri, range(0, 0, 0, 0));
    h.client.did_close(uri);
    actions
}

#[test]
fn run_actions_follow_what_chant_would_accept() {
    let approval = "---\ntype: code\napproval:\n  required: true\n---\n# Needs approval\n\n## Acceptance Criteria\n\n- [ ] x\n";
    let approved = "---\ntype: code\napproval:\n  required: true\n  status: approved\n  by: Ada\n  at: 2026-01-01T00:00:00Z\n---\n# Approved\n\n## Acceptance Criteria\n\n- [ ] x\n";
    let completed =
        "---\ntype: code\nstatus: completed\n---\n# Done\n\n## Acceptance Criteria\n\n- [x] x\n";
    let blocked = "---\ntype: code\ndepends_on: [2026-01-01-001-abc]\n---\n# Later\n\n## Acceptance Criteria\n\n- [ ] x\n";
    let ws = project_with(
        SPEC,
        &[
            (".chant/specs/2026-01-01-002-apr.md", approval),
            (".chant/specs/2026-01-01-003-oka.md", approved),
            (".chant/specs/2026-01-01-004-don.md", completed),
            (".chant/specs/2026-01-01-005-blk.md", blocked),
        ],
    );
    let (h, _) = Harness::start(ws, Setup::default());
    let uri = h.spec_uri();
    assert_eq!(
        titles(&h, &uri),
        [
            "Work this spec",
            "Work with prompt bootstrap",
            "Work with prompt standard"
        ]
    );
    h.client.did_open_from_disk(&uri);
    let work = h
        .code_actions(&uri, range(0, 0, 0, 0))
        .into_iter()
        .find(|a| a["title"] == "Work with prompt standard")
        .unwrap();
    assert_eq!(
        work["command"],
        json!({"title": "Work with prompt standard", "command": "chant.work", "arguments": [uri, {"prompt": "standard"}]})
    );
    h.client.did_close(&uri);
    let spec = |n: &str| h.ws.uri(&format!(".chant/specs/2026-01-01-{n}.md"));
    assert_eq!(
        titles(&h, &spec("002-apr")),
        ["Approve spec", "Reject spec..."]
    );
    assert_eq!(
        titles(&h, &spec("003-oka")),
        [
            "Work this spec",
            "Work with prompt bootstrap",
            "Work with prompt standard",
            "Reject spec..."
        ]
    );
    assert!(titles(&h, &spec("004-don")).is_empty());
    assert!(titles(&h, &spec("005-blk")).is_empty());
    // What is not available is shown disabled, with chant's reason.
    let blocked = disabled(&h, &spec("005-blk"));
    assert_eq!(blocked[0].0, "Work this spec");
    assert_eq!(
        blocked[0].1,
        "This spec is blocked by dependencies that are not completed: 2026-01-01-001-abc (pending). chant work refuses it until they are completed (for `chant work`, a cancelled dependency blocks too)."
    );
    let done = disabled(&h, &spec("004-don"));
    assert_eq!(done[0].0, "Work this spec");
    assert!(done[0].1.starts_with("This spec is completed"), "{done:?}");
    let approval = disabled(&h, &spec("002-apr"));
    assert_eq!(approval[0].0, "Work this spec");
    assert!(
        approval[0]
            .1
            .contains("requires approval before work can begin"),
        "{approval:?}"
    );
    h.client.shutdown();
}

#[test]
fn a_run_past_its_timeout_is_stopped() {
    let (h, _) = Harness::start(
        project_with(SPEC, &[]),
        Setup {
            env: vec![("STANDIN_AGENT_HANG", "1".into())],
            settings: json!({"commands": {"enabled": true, "timeoutSeconds": 5}}),
            ..Setup::default()
        },
    );
    let uri = h.spec_uri();
    let token = h.start_command("chant.work", json!([uri]));
    // Both chant and its agent were running when the timeout struck.
    let pids = h.wait_for_pids();
    let progress = h.client.wait_for_progress_end(token.as_str(), RUN_TIMEOUT);
    assert_eq!(progress.last().unwrap()["message"], "timed out");
    let message = h.wait_for_message("took longer than");
    assert!(
        message["message"].as_str().unwrap().starts_with(&format!(
            "`chant work {ID}` took longer than 5 s (setting `chant.commands.timeoutSeconds`) and was stopped: chant and the processes it started were killed."
        )),
        "{message}"
    );
    wait_until("chant and the agent to be gone", || {
        pids.iter().all(|(_, pid)| !alive(*pid)).then_some(())
    });
    h.client.shutdown();
}

#[test]
fn a_buffer_the_editor_reloaded_during_the_run_takes_chants_final_text() {
    // Editors reload an unmodified buffer when its file changes on disk, so
    // the buffer holds chant's `in_progress` rewrite when the run ends.
    let (h, _) = Harness::start(
        project_with(SPEC, &[]),
        Setup {
            env: vec![
                ("STANDIN_AGENT_LINES", "20".into()),
                ("STANDIN_AGENT_DELAY_MS", "100".into()),
            ],
            ..Setup::default()
        },
    );
    let uri = h.spec_uri();
    h.client.did_open_from_disk(&uri);
    let token = h.start_command("chant.work", json!([uri]));
    let reloaded = wait_until("chant marks the spec in_progress", || {
        let disk = h.ws.read(SPEC_REL);
        disk.contains("status: in_progress").then_some(disk)
    });
    h.client.did_change_full(&uri, &reloaded);
    h.client.wait_for_progress_end(token.as_str(), RUN_TIMEOUT);
    let disk = h.ws.read(SPEC_REL);
    assert!(disk.contains("status: completed"), "{disk}");
    assert_eq!(h.client.buffer(&uri), disk);
    let warnings: Vec<Value> = h
        .client
        .notifications("window/showMessage")
        .into_iter()
        .filter(|m| {
            m["message"]
                .as_str()
                .is_some_and(|t| t.contains("while you were editing"))
        })
        .collect();
    assert!(warnings.is_empty(), "{warnings:?}");
    h.client.shutdown();
}

/// The parent of a process, from `/proc`.
fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')')
        .next()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// However the server dies (an editor that quits sends SIGTERM or SIGHUP; a
/// crash or `kill -9` is SIGKILL), chant and its agent die with it: they
/// run under a supervisor that follows the server's end.
#[test]
fn chant_and_its_agent_never_outlive_the_server() {
    for signal in [libc::SIGTERM, libc::SIGHUP, libc::SIGKILL] {
        let (h, _) = Harness::start(
            project_with(SPEC, &[]),
            Setup {
                env: vec![("STANDIN_AGENT_HANG", "1".into())],
                ..Setup::default()
            },
        );
        let uri = h.spec_uri();
        h.start_command("chant.work", json!([uri]));
        let pids = h.wait_for_pids();
        let chant = pids.iter().find(|(k, _)| k == "chant").unwrap().1;
        let supervisor = parent_of(chant).expect("chant's parent");
        let server = parent_of(supervisor).expect("the supervisor's parent");
        assert_ne!(
            server,
            std::process::id() as i32,
            "chant runs under a supervisor"
        );
        assert!(pids.iter().all(|(_, pid)| alive(*pid)), "{pids:?}");
        // SAFETY: a signal to the server process this test started.
        assert_eq!(unsafe { libc::kill(server, signal) }, 0);
        wait_until("the server, chant and the agent to be gone", || {
            let all = pids.iter().map(|(_, p)| *p).chain([supervisor, server]);
            all.clone().all(|pid| !alive(pid)).then_some(())
        });
    }
}

/// A `chant` that rewrites another open file twice while it runs: line 2,
/// then, a moment later, line 8.
fn chant_writing_twice(dir: &Path, file: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("chant-writing-twice");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh
f='{f}'
sed -i '2s/.*/two, by chant/' \"$f\"
sleep 0.5
sed -i '8s/.*/eight, by chant/' \"$f\"
exit 0\n",
            f = file.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// The user has unsaved typing in a file that chant writes twice during a
/// run. Afterwards the buffer holds both of chant's changes and the
/// typing: the merge is against the version the buffer last held (the one
/// it was opened with), never against chant's intermediate version, which
/// would silently revert chant's first change.
#[test]
fn two_writes_during_unsaved_typing_both_reach_the_buffer() {
    let notes = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
    let ws = project_with(SPEC, &[("docs/notes.md", notes)]);
    let scripts = tempfile::tempdir().unwrap();
    let script = chant_writing_twice(scripts.path(), &ws.join("docs/notes.md"));
    let (h, _) = Harness::start(
        ws,
        Setup {
            settings: json!({"commands": {"enabled": true}, "path": script.display().to_string()}),
            ..Setup::default()
        },
    );
    let notes_uri = h.ws.uri("docs/notes.md");
    h.client.did_open_from_disk(&notes_uri);
    h.client.replace_first(&notes_uri, "5\n", "five, typed\n");
    let token = h.start_command("chant.work", json!([h.spec_uri()]));
    h.client.wait_for_progress_end(token.as_str(), RUN_TIMEOUT);
    assert_eq!(
        h.ws.read("docs/notes.md"),
        "1\ntwo, by chant\n3\n4\n5\n6\n7\neight, by chant\n9\n"
    );
    assert_eq!(
        h.client.buffer(&notes_uri),
        "1\ntwo, by chant\n3\n4\nfive, typed\n6\n7\neight, by chant\n9\n"
    );
    h.client.shutdown();
}

/// When the buffer never held a version of the file the server knows (the
/// file changed on disk after it was opened, and the user typed), a merge
/// could revert one of chant's changes: the buffer is left alone and the
/// user is told, with both versions kept.
#[test]
fn an_unknown_merge_base_is_a_conflict_the_user_is_told_about() {
    let notes = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
    let ws = project_with(SPEC, &[("docs/notes.md", notes)]);
    let scripts = tempfile::tempdir().unwrap();
    let script = chant_writing_twice(scripts.path(), &ws.join("docs/notes.md"));
    let (h, _) = Harness::start(
        ws,
        Setup {
            settings: json!({"commands": {"enabled": true}, "path": script.display().to_string()}),
            ..Setup::default()
        },
    );
    let notes_uri = h.ws.uri("docs/notes.md");
    h.client.did_open_from_disk(&notes_uri);
    h.client.replace_first(&notes_uri, "5\n", "five, typed\n");
    // Someone else changes the file on disk; the editor keeps the buffer.
    h.ws.write("docs/notes.md", "1\n2\n3\n4\n5\n6\n7\n8\nnine, elsewhere\n");
    let typed = h.client.buffer(&notes_uri);
    let token = h.start_command("chant.work", json!([h.spec_uri()]));
    h.client.wait_for_progress_end(token.as_str(), RUN_TIMEOUT);
    assert_eq!(h.client.buffer(&notes_uri), typed);
    let message = h.wait_for_message("cannot tell which version");
    assert_eq!(message["type"], 2);
    assert_eq!(
        message["message"],
        format!(
            "chant rewrote {} while you were editing it, and the editor cannot tell which version your unsaved edits started from, so merging could undo one of chant's changes: the editor keeps your version, the file on disk has chant's. Compare the two (e.g. \"Compare with saved\") and merge by hand before saving.",
            h.ws.join("docs/notes.md").display()
        )
    );
    h.client.shutdown();
}

/// With commands off (the default), nothing runs: not chant, and not even
/// git, which code actions would use to look for the agent's branch.
#[test]
fn commands_off_runs_nothing_not_even_git() {
    use std::os::unix::fs::PermissionsExt;
    let ws = project_with(SPEC, &[]);
    ws.git(&["branch", &format!("chant/{ID}")]);
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("git.log");
    let real_git = String::from_utf8(Command::new("which").arg("git").output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_string();
    std::fs::write(
        bin.path().join("git"),
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nexec '{real_git}' \"$@\"\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        bin.path().join("git"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let (h, _) = Harness::start(
        ws,
        Setup {
            env: vec![(
                "PATH",
                format!(
                    "{}:{}",
                    bin.path().display(),
                    std::env::var("PATH").unwrap()
                ),
            )],
            settings: json!({}),
            ..Setup::default()
        },
    );
    let uri = h.spec_uri();
    h.client.did_open_from_disk(&uri);
    let actions = h.code_actions(&uri, range(0, 0, 0, 0));
    assert!(
        !actions.iter().any(|a| a["title"]
            .as_str()
            .unwrap()
            .starts_with("Apply agent changes")),
        "{actions:?}"
    );
    let work = actions
        .iter()
        .find(|a| a["title"] == "Work this spec")
        .unwrap();
    assert!(work["disabled"]["reason"]
        .as_str()
        .unwrap()
        .contains("is off"));
    for command in ["chant.work", "chant.applyAgentChanges", "chant.approve"] {
        let error = h.execute(command, json!([uri])).unwrap_err();
        assert!(
            error.message.contains("is off"),
            "{command}: {}",
            error.message
        );
    }
    h.client.wait_idle();
    assert!(
        !log.exists(),
        "git ran: {}",
        std::fs::read_to_string(&log).unwrap()
    );
    assert!(h.chant_calls().is_empty());
    h.client.shutdown();
}

/// Resident memory of a process, in KB (VmRSS from /proc).
fn rss_kb(pid: i32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

/// Memory during a run is bounded by what the run can change, not by how
/// long it lasts: an open 2 MB log that grows on disk while chant runs, and
/// that the editor reloads 120 times, costs the server at most two copies
/// of it. Budget: 64 MB over what the server held when the run started.
#[test]
fn memory_during_a_run_does_not_grow_with_its_length() {
    let (h, _) = Harness::start(
        project_with(SPEC, &[("logs/agent.log", "")]),
        Setup {
            env: vec![("STANDIN_AGENT_HANG", "1".into())],
            ..Setup::default()
        },
    );
    let log_uri = h.ws.uri("logs/agent.log");
    let mut log = "x".repeat(2 * 1024 * 1024);
    h.ws.write("logs/agent.log", &log);
    h.client.did_open(&log_uri, "plaintext", &log);
    let token = h.start_command("chant.work", json!([h.spec_uri()]));
    let pids = h.wait_for_pids();
    let chant = pids.iter().find(|(k, _)| k == "chant").unwrap().1;
    let server = parent_of(parent_of(chant).unwrap()).unwrap();
    h.client.wait_idle();
    let before = rss_kb(server);
    for i in 0..120 {
        log.push_str(&format!(
            "line {i} of a growing log, written while chant runs\n"
        ));
        h.ws.write("logs/agent.log", &log);
        // The editor reloads the unmodified buffer from disk.
        h.client.did_change_full(&log_uri, &log);
    }
    h.client.wait_idle();
    let after = rss_kb(server);
    assert!(
        after < before + 64 * 1024,
        "the server grew from {before} KB to {after} KB during the run"
    );
    h.client
        .notify("window/workDoneProgress/cancel", json!({"token": token}));
    h.client.wait_for_progress_end(token.as_str(), RUN_TIMEOUT);
    h.client.shutdown();
}
