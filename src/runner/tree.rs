//! Processes as Linux shows them in `/proc`: who descends from whom (the
//! supervisor kills every descendant of chant, whatever process group or
//! session it moved to), who carries a run's mark in its environment (the
//! server finds what a killed supervisor left behind), and whether a
//! process still runs.

use std::path::Path;

/// The environment variable that marks every process of one run: the
/// supervisor and everything it starts inherit it.
pub const RUN_MARK: &str = "CHANT_LSP_RUN";

/// One process: its parent, and whether it has exited (a zombie waiting
/// to be reaped counts as gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    pid: i32,
    ppid: i32,
    zombie: bool,
}

/// `pid (comm) state ppid …` → the entry; `comm` may hold spaces and
/// parentheses, so the fields are read after the last `)`.
fn parse_stat(pid: i32, stat: &str) -> Option<Entry> {
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace();
    let state = fields.next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some(Entry {
        pid,
        ppid,
        zombie: state == "Z" || state == "X",
    })
}

fn pids() -> impl Iterator<Item = i32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
}

fn entries() -> Vec<Entry> {
    pids()
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            parse_stat(pid, &stat)
        })
        .collect()
}

/// Every live process descended from `root` (children, their children…),
/// `root` excluded.
pub fn live_descendants(root: i32) -> Vec<i32> {
    let all = entries();
    let mut found = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for e in all.iter().filter(|e| e.ppid == parent) {
            frontier.push(e.pid);
            if !e.zombie {
                found.push(e.pid);
            }
        }
    }
    found
}

/// The processes whose environment holds `RUN_MARK=mark` (those of the
/// same user; others' environments cannot be read), live ones only.
pub fn marked(mark: &str) -> Vec<i32> {
    let wanted = format!("{RUN_MARK}={mark}");
    let me = std::process::id() as i32;
    pids()
        .filter(|&pid| pid != me)
        .filter(|&pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|b| *b == 0).any(|v| v == wanted.as_bytes()))
        })
        .filter(|&pid| is_alive(pid))
        .collect()
}

/// Whether `pid` runs (exists and is not a zombie).
pub fn is_alive(pid: i32) -> bool {
    let path = format!("/proc/{pid}/stat");
    std::fs::read_to_string(Path::new(&path))
        .ok()
        .and_then(|stat| parse_stat(pid, &stat))
        .is_some_and(|e| !e.zombie)
}

/// Send `signal` to each of `pids`.
pub fn signal_all(pids: &[i32], signal: i32) {
    for &pid in pids {
        if pid > 1 {
            // SAFETY: kill only sends a signal; ESRCH (gone meanwhile) is fine.
            unsafe {
                libc::kill(pid, signal);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_with_odd_command_names() {
        assert_eq!(
            parse_stat(42, "42 (a) b (c)) S 7 42 42 0 -1"),
            Some(Entry {
                pid: 42,
                ppid: 7,
                zombie: false
            })
        );
        assert_eq!(
            parse_stat(9, "9 (sleep) Z 1 9 9").map(|e| e.zombie),
            Some(true)
        );
        assert_eq!(parse_stat(9, "garbage"), None);
    }

    #[test]
    fn finds_its_own_children_and_marks() {
        let mark = format!("test-{}", std::process::id());
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .env(RUN_MARK, &mark)
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        assert!(live_descendants(std::process::id() as i32).contains(&pid));
        assert_eq!(marked(&mark), [pid]);
        assert!(is_alive(pid));
        signal_all(&[pid], libc::SIGKILL);
        child.wait().unwrap();
        assert!(!is_alive(pid));
        assert_eq!(marked(&mark), Vec::<i32>::new());
    }
}
