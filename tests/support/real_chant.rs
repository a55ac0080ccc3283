//! The real chant 0.23.2, built from its vendored source (an independent
//! oracle: chant itself, not our reading of it).
//!
//! - [`real_chant`]: `$CHANT_REAL` if set, else the binary that
//!   `scripts/build-real-chant` builds (once per test process), else `None`
//!   after a loud SKIP line on stderr; a test that needs chant then returns.
//! - [`chant_command`]: a `Command` for chant in a project, with a private
//!   `HOME` (the machine's `~/.config/chant/config.md` never interferes), a
//!   fixed git identity and stdin from /dev/null.
//! - [`git_init`]: make a folder a git repository with one commit.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The real chant's binary, or `None` (after printing why) when its source
/// is not there. `test` names the test, for the skip line.
pub fn real_chant(test: &str) -> Option<PathBuf> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        if let Some(path) = std::env::var_os("CHANT_REAL") {
            return Ok(PathBuf::from(path));
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/build-real-chant");
        let output = Command::new("bash")
            .arg(&script)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        if output.status.success() {
            let path = String::from_utf8_lossy(&output.stdout).trim().to_string();
            return Ok(PathBuf::from(path));
        }
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        if output.status.code() == Some(3) {
            Err(vendor_dir())
        } else {
            panic!("scripts/build-real-chant failed:\n{stderr}");
        }
    });
    match built {
        Ok(path) => Some(path.clone()),
        Err(dir) => {
            eprintln!(
                "\n************************************************************\n\
                 SKIP (no vendored chant source at {dir}): {test} needs the real chant 0.23.2; set CHANT_VENDOR_DIR or CHANT_REAL\n\
                 ************************************************************\n"
            );
            None
        }
    }
}

fn vendor_dir() -> String {
    match std::env::var_os("CHANT_VENDOR_DIR") {
        Some(dir) => PathBuf::from(dir).display().to_string(),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/vendor/chant-0.23.2")
            .display()
            .to_string(),
    }
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
