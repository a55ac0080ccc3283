//! Running chant: through the supervisor (`runner::supervisor`), which puts
//! chant in its own process group and kills that group when the run is
//! stopped or when the server goes away by any means; stdin from
//! /dev/null, arguments as a vector, output streamed line by line through a
//! bounded channel (a slow reader slows chant down instead of filling
//! memory).

use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, watch};

use super::{supervisor, tree};

/// A line longer than this is passed on in pieces.
const MAX_LINE: usize = 64 * 1024;

/// Output kept for the report: the first and the last this many bytes.
const KEEP_HEAD: usize = 256 * 1024;
const KEEP_TAIL: usize = 256 * 1024;

/// Lines in flight between chant's pipes and their reader.
pub const LINE_BUFFER: usize = 1024;

/// How long output may keep flowing after the supervisor exited (a process
/// that left chant's group holding the pipes) before it is abandoned.
const READ_GRACE: Duration = Duration::from_secs(2);

/// Why a run was stopped before chant finished by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    Cancelled,
    TimedOut,
    Shutdown,
    /// chant went round in circles (chant 0.23.2's chain, after a member of
    /// a group failed, skips the rest of the group for ever).
    Looping,
    /// Stopped from outside the server: its supervisor got SIGTERM, or was
    /// killed outright (then the server killed what the run left).
    Interrupted,
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
    /// The `chant-lsp` executable that acts as supervisor.
    pub supervisor: &'a Path,
}

/// The supervisor for runs of this server: this very executable.
pub fn this_executable() -> PathBuf {
    // `/proc/self/exe` still works when the file was replaced on disk
    // (an upgrade while the editor runs).
    let proc_exe = PathBuf::from("/proc/self/exe");
    if proc_exe.exists() {
        return proc_exe;
    }
    std::env::current_exe().unwrap_or(proc_exe)
}

/// Run chant to the end (or until `stop` says otherwise, or `timeout`
/// passes), sending each output line to `lines` as it comes.
pub async fn run(
    spec: RunSpec<'_>,
    lines: mpsc::Sender<OutputLine>,
    mut stop: watch::Receiver<Option<StopReason>>,
    timeout: Option<Duration>,
) -> io::Result<Finished> {
    if !spec.program.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{} does not exist", spec.program.display()),
        ));
    }
    // The control socket: a byte from us stops the run, our end closing
    // (the server gone, this future dropped) too; the supervisor writes
    // back how the run ended before it exits.
    let (ours, theirs) = std::os::unix::net::UnixStream::pair()?;
    ours.set_nonblocking(true)?;
    let mut control = tokio::net::UnixStream::from_std(ours)?;
    let mark = run_mark();
    let mut command = tokio::process::Command::new(spec.supervisor);
    command
        .arg(supervisor::ARG)
        .arg(spec.program)
        .args(spec.args)
        .current_dir(spec.cwd)
        .env(tree::RUN_MARK, &mark)
        .stdin(Stdio::from(std::os::fd::OwnedFd::from(theirs)))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(false);
    let mut child = command.spawn()?;
    // Our copy of the supervisor's end must go, or its end never closes.
    drop(command);
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
    let mut stopped = tokio::select! {
        _ = child.wait() => None,
        reason = stop_requested => Some(reason),
        _ = deadline => Some(StopReason::TimedOut),
    };
    if stopped.is_some() {
        let _ = control.write_all(b"s").await;
    }
    let status = child.wait().await?;
    // The supervisor is gone, so its end of the socket is closed: what it
    // wrote, then the end.
    let mut end = Vec::new();
    let _ = control.read_to_end(&mut end).await;
    drop(control);
    match end.last() {
        Some(&supervisor::report::TERMINATED) if stopped.is_none() => {
            stopped = Some(StopReason::Interrupted);
        }
        None => {
            // Killed outright (SIGKILL, a crash): chant died with it
            // (PR_SET_PDEATHSIG), but not what chant started.
            kill_marked(&mark).await;
            stopped = stopped.or(Some(StopReason::Interrupted));
        }
        Some(_) => {}
    }

    let drained = tokio::time::timeout(READ_GRACE, async {
        let out = (&mut out_reader).await;
        let err = (&mut err_reader).await;
        (out, err)
    })
    .await;
    let (stdout, stderr) = match drained {
        Ok((out, err)) => (out.unwrap_or_default(), err.unwrap_or_default()),
        Err(_) => {
            out_reader.abort();
            err_reader.abort();
            (String::new(), String::new())
        }
    };
    Ok(Finished {
        status,
        stopped,
        stdout,
        stderr,
    })
}

/// A mark no other run shares: this server's pid, a counter and the time.
fn run_mark() -> String {
    static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{n}-{nanos}", std::process::id())
}

/// Kill every process that carries the run's mark, until none is left
/// (what a supervisor killed outright could not stop).
async fn kill_marked(mark: &str) {
    let mark = mark.to_string();
    let _ = tokio::task::spawn_blocking(move || {
        for _ in 0..200 {
            let left = tree::marked(&mark);
            if left.is_empty() {
                return;
            }
            tree::signal_all(&left, libc::SIGKILL);
            std::thread::sleep(Duration::from_millis(10));
        }
    })
    .await;
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
    lines: mpsc::Sender<OutputLine>,
) -> String {
    let mut kept = Kept::default();
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 8192];
    let mut out: Vec<OutputLine> = Vec::new();
    let cut_lines = |bytes: &[u8], kept: &mut Kept, out: &mut Vec<OutputLine>| {
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let text = String::from_utf8_lossy(bytes).into_owned();
        kept.push(&text);
        out.push(OutputLine { stream, text });
    };
    loop {
        let n = match pipe.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        pending.extend_from_slice(&chunk[..n]);
        let mut start = 0;
        while let Some(at) = pending[start..].iter().position(|b| *b == b'\n') {
            cut_lines(&pending[start..start + at], &mut kept, &mut out);
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
            cut_lines(&pending, &mut kept, &mut out);
            pending = rest;
        }
        for line in out.drain(..) {
            // A full channel waits here, and chant waits on its pipe.
            let _ = lines.send(line).await;
        }
    }
    if !pending.is_empty() {
        cut_lines(&pending, &mut kept, &mut out);
    }
    for line in out.drain(..) {
        let _ = lines.send(line).await;
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

    #[test]
    fn the_error_line_is_chants_last() {
        use std::os::unix::process::ExitStatusExt;
        let finished = Finished {
            status: ExitStatus::from_raw(1 << 8),
            stopped: None,
            stdout: "Error: early\nmore\n".into(),
            stderr: "warning\nError: it broke\n".into(),
        };
        assert_eq!(error_line(&finished).as_deref(), Some("Error: it broke"));
        assert_eq!(finished.describe_exit(), "exit code 1");
        assert!(!finished.success());
    }
}
