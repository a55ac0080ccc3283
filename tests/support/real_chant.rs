//! The real chant 0.23.2 (an independent oracle: chant itself, not our
//! reading of it), and what a test does when it is not there.
//!
//! - [`real_chant`]: `$CHANT_REAL` if set, else the binary that
//!   `scripts/build-real-chant` builds from the vendored source (or finds in
//!   its cache), else the one `scripts/install-test-deps` installed with
//!   `cargo install` into `.tools/chant`. Without any of them the test
//!   FAILS, saying how to get chant, unless the run opted out with
//!   `CHANT_LSP_SKIP_REAL_CHANT=1`: then the skip is recorded (see
//!   [`record_skip`]) and the test returns.
//! - [`chant_command`]: a `Command` for chant in a project, with a private
//!   `HOME` (the machine's `~/.config/chant/config.md` never interferes), a
//!   fixed git identity and stdin from /dev/null.
//! - [`git_init`]: make a folder a git repository with one commit.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The opt-out: tests that need the real chant skip (recorded) instead of failing.
pub const SKIP_REAL_CHANT: &str = "CHANT_LSP_SKIP_REAL_CHANT";

/// The file `scripts/test` names for skip records (one line per skipped
/// test: `reason<TAB>test`); it counts them at the end of the run.
pub const SKIP_LOG: &str = "CHANT_LSP_SKIP_LOG";

/// The real chant's binary. When it cannot be found: a panic saying how to
/// get it, or `None` (the skip recorded) under `CHANT_LSP_SKIP_REAL_CHANT=1`.
/// `test` names the test, for the failure or the skip record.
pub fn real_chant(test: &str) -> Option<PathBuf> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match FOUND.get_or_init(find_real_chant) {
        Ok(path) => Some(path.clone()),
        Err(why) if opted_out(SKIP_REAL_CHANT) => {
            record_skip(&format!("{SKIP_REAL_CHANT}=1"), test, why);
            None
        }
        Err(why) => panic!(
            "{test} needs the real chant 0.23.2, and it cannot be found: {why}\n\
             Get it with scripts/install-test-deps (from ../shared/vendor/chant-0.23.2 or \
             CHANT_VENDOR_DIR, else `cargo install --git https://github.com/lex00/chant --tag v0.23.2`), \
             or point CHANT_REAL at it. To run without it, set {SKIP_REAL_CHANT}=1 (the skips are counted)."
        ),
    }
}

fn opted_out(var: &str) -> bool {
    std::env::var(var).is_ok_and(|v| v == "1")
}

/// Says loudly that `test` was skipped and why, and appends `reason<TAB>test`
/// to the file `$CHANT_LSP_SKIP_LOG` names (when it does), so that the run
/// ends by counting the skips.
pub fn record_skip(reason: &str, test: &str, detail: &str) {
    // Once per test process and test, however often it asks.
    static RECORDED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    {
        let mut recorded = RECORDED.lock().unwrap_or_else(|e| e.into_inner());
        if recorded.iter().any(|t| t == test) {
            return;
        }
        recorded.push(test.to_string());
    }
    eprintln!(
        "\n************************************************************\n\
         SKIP ({reason}): {test}: {detail}\n\
         ************************************************************\n"
    );
    if let Some(log) = std::env::var_os(SKIP_LOG) {
        let line = format!("{reason}\t{test}\n");
        // One short O_APPEND write per line: parallel test processes never
        // interleave their lines.
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = appended {
            panic!(
                "cannot record the skip of {test} in {}: {e}",
                PathBuf::from(log).display()
            );
        }
    }
}

const VERSION: &str = "chant 0.23.2";

fn is_real_chant(path: &Path) -> bool {
    Command::new(path)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).starts_with(VERSION)
        })
}

fn find_real_chant() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("CHANT_REAL").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        // Set but wrong is a mistake to report, not a reason to look elsewhere.
        assert!(
            is_real_chant(&path),
            "CHANT_REAL={} is not {VERSION} (`--version` does not say so)",
            path.display()
        );
        return Ok(path);
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = repo.join("scripts/build-real-chant");
    let output = Command::new("bash")
        .arg(&script)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if output.status.success() {
        let path = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        return Ok(path);
    }
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
    if output.status.code() != Some(3) {
        panic!("scripts/build-real-chant failed:\n{stderr}");
    }
    // No vendored source: what `scripts/install-test-deps` installed.
    let installed = repo.join(".tools/chant/bin/chant");
    if is_real_chant(&installed) {
        return Ok(installed);
    }
    Err(format!(
        "CHANT_REAL is not set; {stderr}; and {} is not there",
        installed.display()
    ))
}

/// chant run in `root` with a private home and a fixed git identity.
pub fn chant_command(chant: &Path, root: &Path, home: &Path) -> Command {
    let mut command = Command::new(chant);
    command
        .current_dir(root)
        .stdin(Stdio::null())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    command
}

/// `git <args>` in `root` as the tests' user, with no system or user
/// config; its standard output, trimmed. Panics when git fails.
pub fn git(root: &Path, home: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(root)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .stdin(Stdio::null())
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed in {}: {}",
        root.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// `git init` with one commit of everything in `root`.
pub fn git_init(root: &Path, home: &Path) {
    let git = |args: &[&str]| git(root, home, args);
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "--allow-empty", "-m", "init"]);
}
