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
//! The supervisor sits in its own process group too, so a terminal's
//! Ctrl-C reaches only the server; chant gets `PR_SET_PDEATHSIG` so it dies
//! even if the supervisor itself is killed.

use std::ffi::OsString;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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
    Stop,
}

fn signal_group(pgid: i32, signal: i32) {
    if pgid > 1 {
        // SAFETY: killpg only sends a signal; ESRCH (the group is gone) is fine.
        unsafe {
            libc::killpg(pgid, signal);
        }
    }
}

fn group_alive(pgid: i32) -> bool {
    // SAFETY: signal 0 only checks that some process of the group exists.
    pgid > 1 && unsafe { libc::killpg(pgid, 0) } == 0
}

/// Wait until the group is empty, or `grace` passes; then kill what is left.
fn drain_group(pgid: i32, grace: Duration) {
    let deadline = Instant::now() + grace;
    while group_alive(pgid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    signal_group(pgid, libc::SIGKILL);
}

/// Exit the way chant exited: with its code, or by its signal.
fn exit_like(status: ExitStatus) -> ! {
    if let Some(code) = status.code() {
        std::process::exit(code);
    }
    if let Some(signal) = status.signal() {
        // SAFETY: restoring the default action and raising the signal on
        // ourselves ends the process the way chant ended.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
    std::process::exit(1)
}

/// The supervisor's `main`: `args` are the program and its arguments.
pub fn main(args: Vec<OsString>) -> ! {
    // Terminal signals are for the server; the supervisor follows its pipe.
    // SAFETY: setting signal dispositions and our own process group at
    // start-up, before any thread exists.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
        libc::signal(libc::SIGHUP, libc::SIG_IGN);
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        libc::setpgid(0, 0);
    }
    let Some((program, args)) = args.split_first() else {
        eprintln!("{SPAWN_FAILED_PREFIX}: no program given");
        std::process::exit(SPAWN_FAILED);
    };
    let parent = std::process::id() as i32;
    let mut command = Command::new(program);
    command.args(args).stdin(Stdio::null()).process_group(0);
    // SAFETY: only async-signal-safe calls (prctl, getppid, kill) in the child.
    unsafe {
        command.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            // The supervisor may have died between fork and prctl.
            if libc::getppid() != parent {
                libc::kill(libc::getpid(), libc::SIGKILL);
            }
            Ok(())
        });
    }
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("{SPAWN_FAILED_PREFIX} {}: {e}", program.to_string_lossy());
            std::process::exit(SPAWN_FAILED);
        }
    };
    let pgid = child.id() as i32;
    let (events, rx) = mpsc::channel();
    let stop = events.clone();
    std::thread::spawn(move || {
        // Any byte, the end of the pipe, or an error: stop.
        let mut byte = [0u8; 1];
        let _ = std::io::stdin().read(&mut byte);
        let _ = stop.send(Event::Stop);
    });
    std::thread::spawn(move || {
        let _ = events.send(Event::Exited(child.wait()));
    });
    let status = match rx.recv() {
        Ok(Event::Exited(status)) => status,
        Ok(Event::Stop) | Err(_) => {
            signal_group(pgid, libc::SIGTERM);
            let status = loop {
                match rx.recv_timeout(TERM_GRACE) {
                    Ok(Event::Exited(status)) => break status,
                    Ok(Event::Stop) => continue,
                    Err(_) => {
                        signal_group(pgid, libc::SIGKILL);
                        match rx.recv() {
                            Ok(Event::Exited(status)) => break status,
                            _ => std::process::exit(1),
                        }
                    }
                }
            };
            // Whatever ignored SIGTERM, or outlived chant.
            signal_group(pgid, libc::SIGKILL);
            status
        }
    };
    drain_group(pgid, DRAIN_GRACE);
    match status {
        Ok(status) => exit_like(status),
        Err(e) => {
            eprintln!("chant-lsp supervisor: waiting for chant failed: {e}");
            std::process::exit(1)
        }
    }
}
