//! Running chant: its own process group (so the agent it starts can be
//! killed with it), stdin from /dev/null, arguments as a vector, output
//! streamed line by line. Cancellation, a timeout or shutdown kill the whole
//! group (SIGTERM, then SIGKILL after a grace period) and reap chant.

use std::collections::VecDeque;
use std::io;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::{mpsc, watch};

/// How long chant gets to exit after SIGTERM before the group gets SIGKILL.
const TERM_GRACE: Duration = Duration::from_secs(2);

/// How long output may keep flowing after chant itself exited (a process
/// it left behind holding the pipes) before the group is killed.
const DRAIN_GRACE: Duration = Duration::from_secs(5);

/// A line longer than this is passed on in pieces.
const MAX_LINE: usize = 64 * 1024;

/// Output kept for the report: the first and the last this many bytes.
const KEEP_HEAD: usize = 256 * 1024;
const KEEP_TAIL: usize = 256 * 1024;

/// Why a run was stopped before chant finished by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    Cancelled,
    TimedOut,
    Shutdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// One line of chant's output, without its line break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputLine {
    pub stream: Stream,
    pub text: String,
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct Finished {
    pub status: ExitStatus,
    /// Set when the run was stopped (and the process group killed).
    pub stopped: Option<StopReason>,
    /// What chant printed (the first and last parts of very long output).
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    pub fn success(&self) -> bool {
        self.stopped.is_none() && self.status.success()
    }

    /// The exit code, or the signal that ended the process.
    pub fn describe_exit(&self) -> String {
        use std::os::unix::process::ExitStatusExt;
        match (self.status.code(), self.status.signal()) {
            (Some(code), _) => format!("exit code {code}"),
            (None, Some(signal)) => format!("killed by signal {signal}"),
            _ => "unknown exit status".into(),
        }
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct RunSpec<'a> {
    pub program: &'a Path,
    pub args: &'a [String],
    pub cwd: &'a Path,
}

/// Kills the process group if the run is abandoned (the future dropped,
/// e.g. when the runtime shuts down) before chant was reaped.
struct GroupGuard {
    pgid: i32,
    armed: bool,
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if self.armed {
            kill_group(self.pgid, libc::SIGKILL);
        }
    }
}

fn kill_group(pgid: i32, signal: i32) {
    if pgid > 1 {
        // SAFETY: killpg only sends a signal; an error (ESRCH when the group
        // is already gone) is of no concern here.
        unsafe {
            libc::killpg(pgid, signal);
        }
    }
}

/// Run chant to the end (or until `stop` says otherwise, or `timeout`
/// passes), sending each output line to `lines` as it comes.
pub async fn run(
    spec: RunSpec<'_>,
    lines: mpsc::UnboundedSender<OutputLine>,
    mut stop: watch::Receiver<Option<StopReason>>,
    timeout: Option<Duration>,
) -> io::Result<Finished> {
    let mut command = tokio::process::Command::new(spec.program);
    command
        .args(spec.args)
        .current_dir(spec.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = command.spawn()?;
    let Some(pid) = child.id() else {
        return Err(io::Error::other("chant exited before it could be watched"));
    };
    let mut guard = GroupGuard {
        pgid: pid as i32,
        armed: true,
    };
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let mut out_reader = tokio::spawn(read_lines(stdout, Stream::Stdout, lines.clone()));
    let mut err_reader = tokio::spawn(read_lines(stderr, Stream::Stderr, lines));

    let deadline = async {
        match timeout {
            Some(t) => tokio::time::sleep(t).await,
            None => std::future::pending().await,
        }
    };
    let stop_requested = async {
        let reason = stop
            .wait_for(Option::is_some)
            .await
            .map(|reason| reason.unwrap_or(StopReason::Cancelled));
        match reason {
            Ok(reason) => reason,
            // The sender is gone: nobody can stop this run any more.
            Err(_) => std::future::pending().await,
        }
    };
    let (status, stopped) = tokio::select! {
        status = child.wait() => (status?, None),
        reason = stop_requested => (terminate(&mut child, guard.pgid).await?, Some(reason)),
        _ = deadline => (terminate(&mut child, guard.pgid).await?, Some(StopReason::TimedOut)),
    };

    // Output still flowing after chant exited comes from processes it left
    // in its group: give them a moment, then kill them.
    let drained = tokio::time::timeout(DRAIN_GRACE, async {
        let out = (&mut out_reader).await;
        let err = (&mut err_reader).await;
        (out, err)
    })
    .await;
    let (stdout, stderr) = match drained {
        Ok((out, err)) => (out.unwrap_or_default(), err.unwrap_or_default()),
        Err(_) => {
            kill_group(guard.pgid, libc::SIGKILL);
            let out = out_reader.await.unwrap_or_default();
            let err = err_reader.await.unwrap_or_default();
            (out, err)
        }
    };
    guard.armed = false;
    Ok(Finished {
        status,
        stopped,
        stdout,
        stderr,
    })
}

/// SIGTERM to the group, SIGKILL after the grace period (to whatever is
/// left of the group in any case), and reap chant.
async fn terminate(child: &mut tokio::process::Child, pgid: i32) -> io::Result<ExitStatus> {
    kill_group(pgid, libc::SIGTERM);
    let status = tokio::time::timeout(TERM_GRACE, child.wait()).await;
    // Processes of the group that ignored SIGTERM (or outlived chant).
    kill_group(pgid, libc::SIGKILL);
    match status {
        Ok(status) => status,
        Err(_) => child.wait().await,
    }
}

/// Output kept for the report: the head, then a rolling tail.
#[derive(Default)]
struct Kept {
    head: String,
    tail: VecDeque<String>,
    tail_bytes: usize,
    omitted: usize,
}

impl Kept {
    fn push(&mut self, line: &str) {
        if self.tail.is_empty() && self.head.len() + line.len() < KEEP_HEAD {
            self.head.push_str(line);
            self.head.push('\n');
            return;
        }
        self.tail.push_back(line.to_string());
        self.tail_bytes += line.len() + 1;
        while self.tail_bytes > KEEP_TAIL && self.tail.len() > 1 {
            if let Some(old) = self.tail.pop_front() {
                self.tail_bytes -= old.len() + 1;
                self.omitted += 1;
            }
        }
    }

    fn into_text(self) -> String {
        let mut text = self.head;
        if self.omitted > 0 {
            text.push_str(&format!("[... {} lines omitted ...]\n", self.omitted));
        }
        for line in self.tail {
            text.push_str(&line);
            text.push('\n');
        }
        text
    }
}

/// Read a pipe to its end, line by line (any bytes; invalid UTF-8 is
/// replaced), passing each line on and keeping the text for the report.
async fn read_lines(
    mut pipe: impl AsyncRead + Unpin,
    stream: Stream,
    lines: mpsc::UnboundedSender<OutputLine>,
) -> String {
    let mut kept = Kept::default();
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 8192];
    let emit = |bytes: &[u8], kept: &mut Kept| {
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let text = String::from_utf8_lossy(bytes).into_owned();
        kept.push(&text);
        let _ = lines.send(OutputLine { stream, text });
    };
    loop {
        let n = match pipe.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        pending.extend_from_slice(&chunk[..n]);
        let mut start = 0;
        while let Some(at) = pending[start..].iter().position(|b| *b == b'\n') {
            emit(&pending[start..start + at], &mut kept);
            start += at + 1;
        }
        pending.drain(..start);
        if pending.len() > MAX_LINE {
            // Cut on a character boundary if the text is UTF-8 there.
            let mut cut = MAX_LINE;
            while cut > 0 && (pending[cut] & 0xC0) == 0x80 {
                cut -= 1;
            }
            let cut = if cut == 0 { MAX_LINE } else { cut };
            let rest = pending.split_off(cut);
            emit(&pending, &mut kept);
            pending = rest;
        }
    }
    if !pending.is_empty() {
        emit(&pending, &mut kept);
    }
    kept.into_text()
}

/// chant's own error line (`Error: ...`) from what it printed: the last one
/// on stderr, else on stdout.
pub fn error_line(finished: &Finished) -> Option<String> {
    [&finished.stderr, &finished.stdout]
        .into_iter()
        .find_map(|text| {
            text.lines()
                .rev()
                .find(|l| l.starts_with("Error: "))
                .map(str::to_string)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn sh() -> PathBuf {
        PathBuf::from("/bin/sh")
    }

    async fn collect(mut rx: mpsc::UnboundedReceiver<OutputLine>) -> Vec<OutputLine> {
        let mut lines = Vec::new();
        while let Some(line) = rx.recv().await {
            lines.push(line);
        }
        lines
    }

    fn alive(pid: i32) -> bool {
        // A zombie (dead, not yet reaped by its new parent) counts as gone.
        // SAFETY: signal 0 only checks that the process exists.
        let exists = unsafe { libc::kill(pid, 0) } == 0;
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

    #[tokio::test]
    async fn streams_lines_and_keeps_output() {
        let dir = tempfile::tempdir().unwrap();
        let args: Vec<String> = vec![
            "-c".into(),
            "printf 'one\\r\\ntwo\\n'; printf 'oops\\nError: it broke\\n' >&2; printf 'last'; exit 3"
                .into(),
        ];
        let (tx, rx) = mpsc::unbounded_channel();
        let (_stop_tx, stop_rx) = watch::channel(None);
        let program = sh();
        let spec = RunSpec {
            program: &program,
            args: &args,
            cwd: dir.path(),
        };
        let (finished, lines) = tokio::join!(run(spec, tx, stop_rx, None), collect(rx));
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
        let (tx, rx) = mpsc::unbounded_channel();
        let (_stop_tx, stop_rx) = watch::channel(None);
        let program = sh();
        let spec = RunSpec {
            program: &program,
            args: &args,
            cwd: &cwd,
        };
        let (finished, _) = tokio::join!(run(spec, tx, stop_rx, None), collect(rx));
        let finished = finished.unwrap();
        assert!(finished.success());
        assert_eq!(
            finished.stdout,
            format!("{}\na;b $(x) ../y\n", cwd.display())
        );
    }

    #[tokio::test]
    async fn cancelling_kills_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        // The shell starts a grandchild that would outlive it, prints both
        // pids, and waits.
        let args: Vec<String> = vec!["-c".into(), "sleep 600 & echo \"$$ $!\"; wait".into()];
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (stop_tx, stop_rx) = watch::channel(None);
        let program = sh();
        let cwd = dir.path().to_path_buf();
        let handle = tokio::spawn(async move {
            let spec = RunSpec {
                program: &program,
                args: &args,
                cwd: &cwd,
            };
            run(spec, tx, stop_rx, None).await
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
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while pids.iter().any(|p| alive(*p)) {
            assert!(
                std::time::Instant::now() < deadline,
                "processes left behind: {pids:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test]
    async fn a_timeout_stops_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let args: Vec<String> = vec!["-c".into(), "exec sleep 600".into()];
        let (tx, _rx) = mpsc::unbounded_channel();
        let (_stop_tx, stop_rx) = watch::channel(None);
        let program = sh();
        let spec = RunSpec {
            program: &program,
            args: &args,
            cwd: dir.path(),
        };
        let finished = run(spec, tx, stop_rx, Some(Duration::from_millis(100)))
            .await
            .unwrap();
        assert_eq!(finished.stopped, Some(StopReason::TimedOut));
        assert!(finished.describe_exit().contains("signal"));
    }

    #[tokio::test]
    async fn a_missing_program_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, _rx) = mpsc::unbounded_channel();
        let (_stop_tx, stop_rx) = watch::channel(None);
        let program = dir.path().join("no-such-chant");
        let spec = RunSpec {
            program: &program,
            args: &[],
            cwd: dir.path(),
        };
        assert!(run(spec, tx, stop_rx, None).await.is_err());
    }

    #[test]
    fn long_output_keeps_its_head_and_tail() {
        let mut kept = Kept::default();
        let line = "x".repeat(1000);
        for _ in 0..1000 {
            kept.push(&line);
        }
        kept.push("Error: the end");
        let text = kept.into_text();
        assert!(text.len() < KEEP_HEAD + KEEP_TAIL + 100);
        assert!(text.contains("lines omitted"));
        assert!(text.ends_with("Error: the end\n"));
    }
}
