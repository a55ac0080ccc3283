//! Thin wrapper over the `git` command line.

use anyhow::{Context, Result};
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Run git in `dir` and return its raw output (never fails on a non-zero exit).
pub fn run(dir: &Path, args: &[&str]) -> Result<Output> {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("Failed to run git {}", args.join(" ")))
}

/// Run git in `dir`; a non-zero exit is an error carrying git's stderr.
pub fn ok(dir: &Path, args: &[&str]) -> Result<String> {
    let out = run(dir, args)?;
    if !out.status.success() {
        anyhow::bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `git commit -m MSG` the way chant does it: a failure whose stderr says
/// there was nothing to commit is not an error.
pub fn commit_staged(dir: &Path, message: &str, what: &str) -> Result<()> {
    let out = run(dir, &["commit", "-m", message])?;
    if !out.status.success() {
        let stderr = stderr_of(&out);
        if !stderr.contains("nothing to commit") && !stderr.contains("no changes added") {
            anyhow::bail!("Failed to commit {}: {}", what, stderr);
        }
    }
    Ok(())
}

/// `chant(<id>):` commits reachable from `branch`, oldest first, short hashes.
pub fn spec_commits(dir: &Path, branch: &str, spec_id: &str) -> Vec<String> {
    let pattern = format!("chant({}):", spec_id);
    match run(
        dir,
        &["log", branch, "--oneline", "--grep", &pattern, "--reverse"],
    ) {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}
