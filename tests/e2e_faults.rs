//! End-to-end: what the real chant cannot do on demand, with the stand-in
//! chant (`tests/stand-in-chant`): an agent that hangs (cancellation, the
//! timeout, shutdown, the server killed by any signal), a chant held at a
//! gate while the user types (merging chant's rewrite into a buffer being
//! edited), a chant that writes another open file twice, and a run that
//! lasts while a big open file grows. Every other command test runs the
//! real chant (`e2e_commands.rs`, `e2e_walkthrough.rs`).

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

    /// chant and its agent, once both wrote their pids, each taken with its
    /// start time (see [`Proc`]).
    fn wait_for_pids(&self) -> Vec<Proc> {
        let deadline = Instant::now() + RUN_TIMEOUT;
        loop {
            let pids = self.pids();
            if pids.iter().any(|(k, _)| k == "chant") && pids.iter().any(|(k, _)| k == "agent") {
                return pids
                    .iter()
                    .map(|(kind, pid)| Proc::of(kind, *pid))
                    .collect();
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

/// What `/proc/PID/stat` says of a process: its state, parent and start
/// time (clock ticks after boot).
struct Stat {
    state: char,
    parent: i32,
    start: u64,
}

fn stat(pid: i32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name in parentheses: state (field 3), ppid (4), ...,
    // starttime (22).
    let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    Some(Stat {
        state: fields.first()?.chars().next()?,
        parent: fields.get(1)?.parse().ok()?,
        start: fields.get(19)?.parse().ok()?,
    })
}

fn command_line(pid: i32) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| {
            String::from_utf8_lossy(&b)
                .replace('\0', " ")
                .trim()
                .to_string()
        })
        .unwrap_or_else(|_| "(gone)".into())
}

/// A process the test watches: its pid AND its start time, so that a new
/// process that gets the same pid (pid_max is 32768 here: a busy machine
/// hands pids out again within seconds) is never taken for it.
#[derive(Debug, Clone)]
struct Proc {
    what: String,
    pid: i32,
    start: u64,
}

impl Proc {
    /// The process `pid` as it is now (it must exist: a test takes it while
    /// it runs).
    fn of(what: &str, pid: i32) -> Proc {
        let now = stat(pid).unwrap_or_else(|| panic!("{what} (pid {pid}) is not running"));
        Proc {
            what: what.to_string(),
            pid,
            start: now.start,
        }
    }

    /// Still the same process, and not a zombie (killed, not yet reaped:
    /// gone for our purposes).
    fn alive(&self) -> bool {
        stat(self.pid).is_some_and(|s| s.start == self.start && !matches!(s.state, 'Z' | 'X'))
    }

    /// Everything that tells why it is still there.
    fn describe(&self) -> String {
        match stat(self.pid) {
            None => format!("{} (pid {}) is gone", self.what, self.pid),
            Some(s) if s.start != self.start => format!(
                "{} (pid {}) is gone; the pid now belongs to another process ({}, started at tick {} instead of {})",
                self.what,
                self.pid,
                command_line(self.pid),
                s.start,
                self.start
            ),
            Some(s) => format!(
                "{} (pid {}) is still there: state {}, parent {} ({}), command line `{}`",
                self.what,
                self.pid,
                s.state,
                s.parent,
                command_line(s.parent),
                command_line(self.pid)
            ),
        }
    }
}

/// Waits until every process of `procs` is gone; else fails naming the
/// survivors (pid, command line, state, parent).
fn wait_gone(what: &str, procs: &[Proc]) {
    let deadline = Instant::now() + RUN_TIMEOUT;
    while procs.iter().any(Proc::alive) {
        if Instant::now() > deadline {
            let survivors: Vec<String> = procs
                .iter()
                .filter(|p| p.alive())
                .map(Proc::describe)
                .collect();
            panic!(
                "timed out after {} s waiting for {what} to be gone:\n  {}",
                RUN_TIMEOUT.as_secs(),
                survivors.join("\n  ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
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
    wait_gone("chant and the agent", &pids);
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
    let Harness { client, .. } = &h;
    // `shutdown` answers only once the process group is killed.
    client.request_ok("shutdown", Value::Null);
    wait_gone("chant and the agent", &pids);
    client.notify("exit", Value::Null);
    client.wait_exit(RUN_TIMEOUT);
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
    wait_gone("chant and the agent", &pids);
    h.client.shutdown();
}

#[test]
fn a_buffer_the_editor_reloaded_during_the_run_takes_chants_final_text() {
    // Editors reload an unmodified buffer when its file changes on disk, so
    // the buffer holds chant's `in_progress` rewrite when the run ends.
    let (h, offers) = Harness::start(
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
    // The outcome comes last, after any warning about the buffers (which
    // follow the progress's end): once it is here, a warning would be too.
    let outcome = offers.recv_timeout(RUN_TIMEOUT).expect("the run's outcome");
    assert!(
        outcome["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("`chant work {ID}` finished")),
        "{outcome}"
    );
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
        let chant = pids.iter().find(|p| p.what == "chant").unwrap().pid;
        let supervisor = parent_of(chant).expect("chant's parent");
        let server = parent_of(supervisor).expect("the supervisor's parent");
        assert_ne!(
            server,
            std::process::id() as i32,
            "chant runs under a supervisor"
        );
        let mut procs = pids.clone();
        procs.push(Proc::of("the supervisor", supervisor));
        procs.push(Proc::of("the server", server));
        assert!(procs.iter().all(Proc::alive), "{procs:?}");
        // SAFETY: a signal to the server process this test started.
        assert_eq!(unsafe { libc::kill(server, signal) }, 0);
        wait_gone(
            &format!("the server (signal {signal}), its supervisor, chant and the agent"),
            &procs,
        );
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
    let chant = pids.iter().find(|p| p.what == "chant").unwrap().pid;
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

/// The user types at the moment the server brings chant's rewrite into the
/// buffer: the editor refuses that edit (it was computed for the previous
/// version), and the server computes it again from the new text, keeping
/// the typing, instead of forcing the old one or giving up.
#[test]
fn an_edit_the_editor_refuses_is_computed_again_from_the_new_text() {
    let (h, offers) = Harness::start(project_with(SPEC, &[]), Setup::default());
    let uri = h.spec_uri();
    h.client.did_open_from_disk(&uri);
    h.client.type_when_the_next_edit_arrives(
        &uri,
        "Write hello.txt.",
        "Write hello.txt, then smile.",
    );
    let token = h.start_command("chant.work", json!([uri]));
    h.client.wait_for_progress_end(token.as_str(), RUN_TIMEOUT);
    offers.recv_timeout(RUN_TIMEOUT).expect("the run's outcome");
    let edits = h.client.edits();
    let version =
        |e: &EditRecord| e.params["edit"]["documentChanges"][0]["textDocument"]["version"].clone();
    assert_eq!(edits.len(), 2, "{edits:#?}");
    // The first, for the version the run started with, refused as stale.
    assert!(!edits[0].applied);
    assert_eq!(version(&edits[0]), 1);
    // The second, computed from the text with the typing, taken.
    assert!(edits[1].applied, "{:?}", edits[1].failure_reason);
    assert_eq!(version(&edits[1]), 2);
    assert!(
        h.client.protocol_errors().is_empty(),
        "{:?}",
        h.client.protocol_errors()
    );
    let disk = h.ws.read(SPEC_REL);
    assert!(disk.contains("status: completed"), "{disk}");
    assert_eq!(
        h.client.buffer(&uri),
        disk.replace("Write hello.txt.", "Write hello.txt, then smile.")
    );
    let warnings: Vec<Value> = h
        .client
        .notifications("window/showMessage")
        .into_iter()
        .filter(|m| m["type"] == 2)
        .collect();
    assert!(warnings.is_empty(), "{warnings:?}");
    h.client.shutdown();
}

/// An editor that never answers `workspace/applyEdit` holds nothing up for
/// ever: requests are answered meanwhile, and after the bound (60 s) the run
/// ends, saying the editor did not take chant's changes.
#[test]
fn a_hanging_apply_edit_is_bounded() {
    let (h, offers) = Harness::start(project_with(SPEC, &[]), Setup::default());
    let uri = h.spec_uri();
    h.client.did_open_from_disk(&uri);
    h.client.set_apply_edit_mode(ApplyEditMode::Hang);
    let token = h.start_command("chant.work", json!([uri]));
    // chant is done and the server waits for the editor's answer...
    let edits = h.client.wait_for_edits(1, RUN_TIMEOUT);
    assert!(!edits[0].applied);
    // ...while it still answers requests.
    let hover = h.client.request_ok(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 1}}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("`type`"),
        "{hover}"
    );
    let progress = h.client.wait_for_progress_end(token.as_str(), RUN_TIMEOUT);
    assert_eq!(progress.last().unwrap()["message"], "completed");
    let warning = h.wait_for_message("did not take the update");
    assert_eq!(
        warning["message"],
        "chant changed files that are open, but the editor did not take the update (the editor did not answer within 60 s): reload them from disk to see chant's version."
    );
    offers.recv_timeout(RUN_TIMEOUT).expect("the run's outcome");
    // Nothing was forced into the buffer.
    assert_eq!(h.client.buffer(&uri), SPEC);
    assert_eq!(h.client.edits().len(), 1);
    h.client.shutdown();
}
