//! Running a program under the supervisor (`chant-lsp __supervise`), as the
//! server runs chant: output streamed line by line, a working folder and no
//! stdin, and the whole process group killed on cancel, on timeout, and
//! when the side that started it goes away.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chant_lsp::runner::process::{error_line, run, OutputLine, RunSpec, StopReason, Stream};
use tokio::sync::{mpsc, watch};

fn supervisor() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_chant-lsp"))
}

fn sh() -> PathBuf {
    PathBuf::from("/bin/sh")
}

async fn collect(mut rx: mpsc::Receiver<OutputLine>) -> Vec<OutputLine> {
    let mut lines = Vec::new();
    while let Some(line) = rx.recv().await {
        lines.push(line);
    }
    lines
}

/// The fields of `/proc/PID/stat` after the command name: state, ppid,
/// pgrp, session, … (field 3 onwards; the start time is at index 19).
fn stat_fields(pid: i32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = stat.rsplit_once(')')?.1;
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// A process as first seen: its pid and its start time, so a pid the
/// kernel reuses for another process never passes for it.
#[derive(Debug, Clone, Copy)]
struct Seen {
    pid: i32,
    started: u64,
}

fn seen(pid: i32) -> Seen {
    let fields = stat_fields(pid).unwrap_or_else(|| panic!("no process {pid}"));
    Seen {
        pid,
        started: fields[19].parse().unwrap(),
    }
}

/// Still the same process, and not a zombie (dead, not yet reaped by its
/// new parent).
fn running(p: Seen) -> bool {
    stat_fields(p.pid).is_some_and(|f| f[19].parse() == Ok(p.started) && f[0] != "Z")
}

fn alive(pid: i32) -> bool {
    stat_fields(pid).is_some_and(|f| f[0] != "Z")
}

fn session_of(pid: i32) -> String {
    stat_fields(pid).unwrap()[3].clone()
}

/// Poll `/proc` until every one of these processes has ended (the event
/// that proves it; a minute at most before the test fails).
fn wait_ended(processes: &[Seen]) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while processes.iter().any(|p| running(*p)) {
        assert!(
            Instant::now() < deadline,
            "processes left behind: {processes:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_gone(pids: &[i32]) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while pids.iter().any(|p| alive(*p)) {
        assert!(Instant::now() < deadline, "processes left behind: {pids:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn spec<'a>(
    program: &'a Path,
    args: &'a [String],
    cwd: &'a Path,
    supervisor: &'a Path,
) -> RunSpec<'a> {
    RunSpec {
        program,
        args,
        cwd,
        supervisor,
    }
}

#[tokio::test]
async fn streams_lines_and_keeps_output() {
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<String> = vec![
        "-c".into(),
        "printf 'one\\r\\ntwo\\n'; printf 'oops\\nError: it broke\\n' >&2; printf 'last'; exit 3"
            .into(),
    ];
    let (tx, rx) = mpsc::channel(4);
    let (_stop_tx, stop_rx) = watch::channel(None);
    let (program, sup) = (sh(), supervisor());
    let (finished, lines) = tokio::join!(
        run(spec(&program, &args, dir.path(), &sup), tx, stop_rx, None),
        collect(rx)
    );
    let finished = finished.unwrap();
    assert_eq!(finished.status.code(), Some(3));
    assert!(!finished.success());
    assert_eq!(finished.describe_exit(), "exit code 3");
    assert_eq!(finished.stdout, "one\ntwo\nlast\n");
    assert_eq!(finished.stderr, "oops\nError: it broke\n");
    assert_eq!(error_line(&finished).as_deref(), Some("Error: it broke"));
    let stdout: Vec<&str> = lines
        .iter()
        .filter(|l| l.stream == Stream::Stdout)
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(stdout, ["one", "two", "last"]);
}

#[tokio::test]
async fn runs_in_the_given_folder_with_no_stdin_and_no_shell() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path().canonicalize().unwrap();
    // One argument holding shell syntax stays one argument.
    let args: Vec<String> = vec![
        "-c".into(),
        "pwd; cat; printf '%s\\n' \"$0\"".into(),
        "a;b $(x) ../y".into(),
    ];
    let (tx, rx) = mpsc::channel(4);
    let (_stop_tx, stop_rx) = watch::channel(None);
    let (program, sup) = (sh(), supervisor());
    let (finished, _) = tokio::join!(
        run(spec(&program, &args, &cwd, &sup), tx, stop_rx, None),
        collect(rx)
    );
    let finished = finished.unwrap();
    assert!(finished.success());
    assert_eq!(
        finished.stdout,
        format!("{}\na;b $(x) ../y\n", cwd.display())
    );
}

/// The shell starts a grandchild that would outlive it, prints both pids,
/// and waits.
const TREE: &str = "sleep 600 & echo \"$$ $!\"; wait";

#[tokio::test]
async fn cancelling_kills_the_whole_group() {
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<String> = vec!["-c".into(), TREE.into()];
    let (tx, mut rx) = mpsc::channel(4);
    let (stop_tx, stop_rx) = watch::channel(None);
    let cwd = dir.path().to_path_buf();
    let handle = tokio::spawn(async move {
        let (program, sup) = (sh(), supervisor());
        run(spec(&program, &args, &cwd, &sup), tx, stop_rx, None).await
    });
    let first = rx.recv().await.unwrap();
    let pids: Vec<i32> = first
        .text
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    assert!(pids.iter().all(|p| alive(*p)));
    stop_tx.send(Some(StopReason::Cancelled)).unwrap();
    let finished = handle.await.unwrap().unwrap();
    assert_eq!(finished.stopped, Some(StopReason::Cancelled));
    assert!(!finished.success());
    assert!(
        finished.describe_exit().contains("signal"),
        "{}",
        finished.describe_exit()
    );
    wait_gone(&pids);
}

#[tokio::test]
async fn a_timeout_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<String> = vec!["-c".into(), "exec sleep 600".into()];
    let (tx, _rx) = mpsc::channel(4);
    let (_stop_tx, stop_rx) = watch::channel(None);
    let (program, sup) = (sh(), supervisor());
    let finished = run(
        spec(&program, &args, dir.path(), &sup),
        tx,
        stop_rx,
        Some(Duration::from_millis(100)),
    )
    .await
    .unwrap();
    assert_eq!(finished.stopped, Some(StopReason::TimedOut));
    assert!(finished.describe_exit().contains("signal"));
}

#[tokio::test]
async fn a_missing_program_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (tx, _rx) = mpsc::channel(4);
    let (_stop_tx, stop_rx) = watch::channel(None);
    let program = dir.path().join("no-such-chant");
    let sup = supervisor();
    assert!(
        run(spec(&program, &[], dir.path(), &sup), tx, stop_rx, None)
            .await
            .is_err()
    );
}

/// A process left in the group after the program exited is killed once
/// the drain grace is over, and the run ends.
#[tokio::test]
async fn leftovers_in_the_group_are_killed_after_the_program_exits() {
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<String> = vec![
        "-c".into(),
        "sleep 600 >/dev/null 2>&1 & echo $!; exit 0".into(),
    ];
    let (tx, rx) = mpsc::channel(4);
    let (_stop_tx, stop_rx) = watch::channel(None);
    let (program, sup) = (sh(), supervisor());
    let (finished, lines) = tokio::join!(
        run(spec(&program, &args, dir.path(), &sup), tx, stop_rx, None),
        collect(rx)
    );
    assert!(finished.unwrap().success());
    let pid: i32 = lines[0].text.trim().parse().unwrap();
    wait_gone(&[pid]);
}

/// The supervisor stops the group when its control pipe closes, however
/// the process holding the other end died.
#[test]
fn the_group_dies_when_the_supervisor_loses_its_control_pipe() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(supervisor())
        .args(["__supervise", "/bin/sh", "-c", TREE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let pids: Vec<i32> = line
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    assert!(pids.iter().all(|p| alive(*p)));
    // The end of the pipe: what the kernel does when the server dies.
    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(!status.success());
    wait_gone(&pids);
}

/// chant starts its agent, which moves to a session of its own (as a CLI
/// that daemonizes helpers does): the shell prints the supervisor's pid,
/// its own, and the agent's, then waits.
const AGENT_IN_ITS_OWN_SESSION: &str = "setsid sleep 600 & echo \"$PPID $$ $!\"; wait";

/// Starts a run of [`AGENT_IN_ITS_OWN_SESSION`]; returns the run, the
/// supervisor, the shell (chant) and the agent as first seen.
async fn run_with_an_agent_in_its_own_session() -> (
    tokio::task::JoinHandle<std::io::Result<chant_lsp::runner::process::Finished>>,
    watch::Sender<Option<StopReason>>,
    [Seen; 3],
) {
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<String> = vec!["-c".into(), AGENT_IN_ITS_OWN_SESSION.into()];
    let (tx, mut rx) = mpsc::channel(4);
    let (stop_tx, stop_rx) = watch::channel(None);
    let handle = tokio::spawn(async move {
        let cwd = dir.path().to_path_buf();
        let (program, sup) = (sh(), supervisor());
        let finished = run(spec(&program, &args, &cwd, &sup), tx, stop_rx, None).await;
        drop(dir);
        finished
    });
    let first = rx.recv().await.unwrap();
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let pids: Vec<i32> = first
        .text
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    let [supervisor, shell, agent] = [pids[0], pids[1], pids[2]];
    // The setup really is what it claims: the agent left chant's session.
    let deadline = Instant::now() + Duration::from_secs(10);
    while session_of(agent) == session_of(shell) {
        assert!(
            Instant::now() < deadline,
            "the agent never left the session"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    (
        handle,
        stop_tx,
        [seen(supervisor), seen(shell), seen(agent)],
    )
}

/// Cancelling kills an agent that left chant's process group and session
/// (the supervisor, a subreaper, still finds it below itself).
#[tokio::test(flavor = "multi_thread")]
async fn cancelling_kills_an_agent_in_a_session_of_its_own() {
    let (handle, stop, processes) = run_with_an_agent_in_its_own_session().await;
    stop.send(Some(StopReason::Cancelled)).unwrap();
    let finished = handle.await.unwrap().unwrap();
    assert_eq!(finished.stopped, Some(StopReason::Cancelled));
    wait_ended(&processes);
}

/// SIGTERM to the supervisor (from outside the server) stops the run as a
/// cancel would: chant and the agent end, and the run says it was stopped
/// from outside, not that it failed.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_to_the_supervisor_stops_chant_and_its_agent() {
    let (handle, _stop, processes) = run_with_an_agent_in_its_own_session().await;
    // SAFETY: sending a signal to the supervisor this test started.
    unsafe {
        libc::kill(processes[0].pid, libc::SIGTERM);
    }
    let finished = handle.await.unwrap().unwrap();
    assert_eq!(finished.stopped, Some(StopReason::Interrupted));
    wait_ended(&processes);
}

/// SIGKILL to the supervisor: chant dies with it (`PR_SET_PDEATHSIG`), and
/// the server kills the agent it left (by the run's mark in its
/// environment); the run was stopped, not failed.
#[tokio::test(flavor = "multi_thread")]
async fn sigkill_to_the_supervisor_leaves_nothing_running() {
    let (handle, _stop, processes) = run_with_an_agent_in_its_own_session().await;
    // SAFETY: sending a signal to the supervisor this test started.
    unsafe {
        libc::kill(processes[0].pid, libc::SIGKILL);
    }
    let finished = handle.await.unwrap().unwrap();
    assert_eq!(finished.stopped, Some(StopReason::Interrupted));
    assert!(
        finished.describe_exit().contains("signal 9"),
        "{}",
        finished.describe_exit()
    );
    wait_ended(&processes);
}

/// chant exits and leaves its agent running in a session of its own: the
/// agent gets the drain grace, then is killed; the run is chant's success.
#[tokio::test(flavor = "multi_thread")]
async fn an_agent_chant_left_behind_in_its_own_session_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<String> = vec![
        "-c".into(),
        "setsid sleep 600 >/dev/null 2>&1 & echo $!; exit 0".into(),
    ];
    let (tx, rx) = mpsc::channel(4);
    let (_stop_tx, stop_rx) = watch::channel(None);
    let (program, sup) = (sh(), supervisor());
    let (finished, lines) = tokio::join!(
        run(spec(&program, &args, dir.path(), &sup), tx, stop_rx, None),
        collect(rx)
    );
    assert!(finished.unwrap().success());
    let pid: i32 = lines[0].text.trim().parse().unwrap();
    wait_gone(&[pid]);
}

/// A program the supervisor cannot start (not executable) is chant's
/// failure to start, told as such: not a run stopped from outside.
#[tokio::test]
async fn a_program_that_cannot_start_is_not_a_stop() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("chant");
    std::fs::write(&program, "not a program").unwrap();
    let (tx, _rx) = mpsc::channel(4);
    let (_stop_tx, stop_rx) = watch::channel(None);
    let sup = supervisor();
    let finished = run(spec(&program, &[], dir.path(), &sup), tx, stop_rx, None)
        .await
        .unwrap();
    assert_eq!(finished.stopped, None);
    assert_eq!(
        finished.status.code(),
        Some(chant_lsp::runner::supervisor::SPAWN_FAILED)
    );
    assert!(
        finished
            .stderr
            .starts_with(chant_lsp::runner::supervisor::SPAWN_FAILED_PREFIX),
        "{}",
        finished.stderr
    );
}
