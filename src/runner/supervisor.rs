//! The supervisor: a small process between the server and chant that makes
//! "chant and its agent never outlive the server" true by construction.
//!
//! The server starts `chant-lsp __supervise PROGRAM ARGS...` with a pipe on
//! its stdin. The supervisor starts chant in a process group of its own and
//! then waits for whichever comes first:
//!
//! - chant exits: processes it left in its group get a moment to finish,
//!   then the group is killed; the supervisor exits as chant did;
//! - a byte on the pipe (the server cancels) or the end of the pipe (the
//!   server is gone, however it died: SIGTERM, SIGHUP, SIGKILL, a crash):
//!   the whole group gets SIGTERM, then SIGKILL after a grace period.
//!
//! - SIGTERM to the supervisor: the same as a stop.
//!
//! "The group" is chant's process group and every process below the
//! supervisor: it is a subreaper (`PR_SET_CHILD_SUBREAPER`), so an agent
//! that moved to a session of its own, or whose parent died, is still
//! below it and is killed too (`runner::tree`). Before it exits, the
//! supervisor writes one byte back on its control socket saying how the
//! run ended ([`report`]); no byte means it was killed outright, and the
//! server then kills what the run left by its mark (`tree::RUN_MARK`).
//!
//! The supervisor sits in its own process group too, so a terminal's
//! Ctrl-C reaches only the server; chant gets `PR_SET_PDEATHSIG` so it dies
//! even if the supervisor itself is killed.

use std::ffi::OsString;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::tree;

/// The argument that selects the supervisor in the `chant-lsp` binary.
pub const ARG: &str = "__supervise";

/// How long chant gets to exit after SIGTERM before its group gets SIGKILL.
pub const TERM_GRACE: Duration = Duration::from_secs(2);

/// How long processes chant left in its group may run on after chant
/// exited before they are killed.
pub const DRAIN_GRACE: Duration = Duration::from_secs(5);

/// The exit code when chant could not be started at all.
pub const SPAWN_FAILED: i32 = 127;

/// The prefix of the line the supervisor prints on stderr when it cannot
/// start chant.
pub const SPAWN_FAILED_PREFIX: &str = "chant-lsp supervisor: cannot start";

enum Event {
    Exited(std::io::Result<ExitStatus>),
    /// The server asked (a byte on the control socket) or went away (its end).
    Stop,
    /// The supervisor itself got SIGTERM (someone outside the server).
    Terminated,
}

/// What the supervisor writes back on its control socket just before it
/// exits, so the server can tell an orderly end from a supervisor killed
/// outright (SIGKILL, a crash: no byte at all).
pub mod report {
    /// chant exited by itself; what it left behind was cleaned up.
    pub const EXITED: u8 = b'e';
    /// Stopped because the server asked (or went away).
    pub const STOPPED: u8 = b's';
    /// Stopped because the supervisor got SIGTERM from outside.
    pub const TERMINATED: u8 = b't';
}

fn signal_group(pgid: i32, signal: i32) {
    if pgid > 1 {
        // SAFETY: killpg only sends a signal; ESRCH (the group is gone) is fine.
        unsafe {
            libc::killpg(pgid, signal);
        }
    }
}

/// chant's group and every process descended from the supervisor: with
/// the supervisor a subreaper, an agent that started its own session (or
/// whose parent died) is still one of them.
fn signal_everything(me: i32, pgid: i32, signal: i32) {
    signal_group(pgid, signal);
    tree::signal_all(&tree::live_descendants(me), signal);
}

/// Reap the children the supervisor adopted (their zombies would linger).
fn reap_adopted() {
    loop {
        // SAFETY: waitpid with WNOHANG only collects exited children.
        let pid = unsafe { libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) };
        if pid <= 0 {
            return;
        }
    }
}

/// Wait until no descendant runs, or `grace` passes; then kill what is
/// left, until nothing is (a process forking meanwhile is caught on the
/// next round).
fn drain(me: i32, pgid: i32, grace: Duration) {
    let deadline = Instant::now() + grace;
    while !tree::live_descendants(me).is_empty() && Instant::now() < deadline {
        reap_adopted();
        std::thread::sleep(Duration::from_millis(20));
    }
    for _ in 0..500 {
        signal_everything(me, pgid, libc::SIGKILL);
        reap_adopted();
        if tree::live_descendants(me).is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    reap_adopted();
}

/// Exit the way chant exited: with its code, or by its signal.
fn exit_like(status: ExitStatus) -> ! {
    if let Some(code) = status.code() {
        std::process::exit(code);
    }
    if let Some(signal) = status.signal() {
        // SAFETY: restoring the default action, unblocking the signal in
        // this thread (SIGTERM is blocked for `sigwait`) and raising it on
        // this thread ends the process the way chant ended.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, signal);
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            libc::raise(signal);
        }
    }
    std::process::exit(1)
}

/// Tell the server how the run ended (fd 0 is its control socket; a pipe
/// or a closed server makes this a harmless error).
fn report_end(byte: u8) {
    // SAFETY: writing one byte from a local to a file descriptor.
    unsafe {
        libc::write(0, (&byte as *const u8).cast(), 1);
    }
}

/// The signals a thread of the supervisor takes with `sigwait` (blocked
/// everywhere else, unblocked again for chant).
fn taken_signals() -> libc::sigset_t {
    // SAFETY: a zeroed sigset_t is then initialised by sigemptyset.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        set
    }
}

/// The supervisor's `main`: `args` are the program and its arguments.
pub fn main(args: Vec<OsString>) -> ! {
    // Terminal signals are for the server; the supervisor follows its
    // control socket, and SIGTERM stops the run like the server would.
    // SAFETY: setting signal dispositions, the signal mask, our own process
    // group and the subreaper flag at start-up, before any thread exists.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
        libc::signal(libc::SIGHUP, libc::SIG_IGN);
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        libc::setpgid(0, 0);
        // Whatever chant starts stays below us even when its parent dies
        // (orphans come to the nearest subreaper, not to init), so the
        // end of a run can find and kill it.
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1);
        let taken = taken_signals();
        libc::pthread_sigmask(libc::SIG_BLOCK, &taken, std::ptr::null_mut());
    }
    let Some((program, args)) = args.split_first() else {
        eprintln!("{SPAWN_FAILED_PREFIX}: no program given");
        report_end(report::EXITED);
        std::process::exit(SPAWN_FAILED);
    };
    let me = std::process::id() as i32;
    let mut command = Command::new(program);
    command.args(args).stdin(Stdio::null()).process_group(0);
    // SAFETY: only async-signal-safe calls (prctl, getppid, kill,
    // sigemptyset, sigprocmask) in the child.
    unsafe {
        command.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            // The supervisor may have died between fork and prctl.
            if libc::getppid() != me {
                libc::kill(libc::getpid(), libc::SIGKILL);
            }
            let mut none: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut none);
            libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
            Ok(())
        });
    }
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("{SPAWN_FAILED_PREFIX} {}: {e}", program.to_string_lossy());
            report_end(report::EXITED);
            std::process::exit(SPAWN_FAILED);
        }
    };
    let pgid = child.id() as i32;
    let (events, rx) = mpsc::channel();
    let stop = events.clone();
    std::thread::spawn(move || {
        // Any byte, the end of the socket, or an error: stop.
        let mut byte = [0u8; 1];
        let _ = std::io::stdin().read(&mut byte);
        let _ = stop.send(Event::Stop);
    });
    let terminated = events.clone();
    std::thread::spawn(move || {
        let taken = taken_signals();
        let mut signal = 0;
        // SAFETY: sigwait on a set blocked in every thread.
        if unsafe { libc::sigwait(&taken, &mut signal) } == 0 {
            let _ = terminated.send(Event::Terminated);
        }
    });
    std::thread::spawn(move || {
        let _ = events.send(Event::Exited(child.wait()));
    });
    let first = rx.recv();
    let (status, end) = match first {
        Ok(Event::Exited(status)) => (status, report::EXITED),
        other => {
            let end = match other {
                Ok(Event::Terminated) => report::TERMINATED,
                _ => report::STOPPED,
            };
            signal_everything(me, pgid, libc::SIGTERM);
            let status = loop {
                match rx.recv_timeout(TERM_GRACE) {
                    Ok(Event::Exited(status)) => break status,
                    Ok(Event::Stop | Event::Terminated) => continue,
                    Err(_) => {
                        signal_everything(me, pgid, libc::SIGKILL);
                        let status = loop {
                            match rx.recv() {
                                Ok(Event::Exited(status)) => break status,
                                Ok(_) => continue,
                                Err(_) => std::process::exit(1),
                            }
                        };
                        break status;
                    }
                }
            };
            // Whatever ignored SIGTERM, or outlived chant.
            signal_everything(me, pgid, libc::SIGKILL);
            (status, end)
        }
    };
    drain(me, pgid, DRAIN_GRACE);
    // Said last: everything below the supervisor is gone by now.
    report_end(end);
    match status {
        Ok(status) => exit_like(status),
        Err(e) => {
            eprintln!("chant-lsp supervisor: waiting for chant failed: {e}");
            std::process::exit(1)
        }
    }
}
