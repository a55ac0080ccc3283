//! The stand-in "agent": the hidden `chant __agent` process that `chant work`
//! spawns inside the worktree. Its behaviour is driven by `STANDIN_AGENT_*`.

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use crate::git;

/// Is the environment variable set to a true value (`1`, `true`, `yes`)?
pub fn flag(name: &str) -> bool {
    std::env::var(name)
        .map(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
        .unwrap_or(false)
}

fn number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// The `STANDIN_AGENT_WRITES` file.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Changes {
    #[serde(default)]
    write: BTreeMap<String, String>,
    #[serde(default)]
    delete: Vec<String>,
}

fn inside(worktree: &Path, rel: &str) -> Result<PathBuf> {
    let path = Path::new(rel);
    let escapes = path
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if rel.is_empty() || escapes {
        bail!(
            "path {:?} must be relative and stay inside the worktree",
            rel
        );
    }
    Ok(worktree.join(path))
}

fn make_changes(worktree: &Path, spec_id: &str) -> Result<()> {
    let changes = match std::env::var_os("STANDIN_AGENT_WRITES") {
        Some(file) => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading STANDIN_AGENT_WRITES {:?}", file))?;
            serde_json::from_str::<Changes>(&text)
                .with_context(|| format!("parsing STANDIN_AGENT_WRITES {:?}", file))?
        }
        None => {
            let mut c = Changes::default();
            c.write.insert(
                "agent-output.txt".into(),
                format!("stand-in agent output for {}\n", spec_id),
            );
            c
        }
    };

    let mut touched: Vec<String> = Vec::new();
    for (rel, content) in &changes.write {
        let path = inside(worktree, rel)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, content).with_context(|| format!("writing {}", rel))?;
        touched.push(rel.clone());
    }
    for rel in &changes.delete {
        let path = inside(worktree, rel)?;
        if path.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else if path.exists() {
            std::fs::remove_file(&path)?;
        } else {
            eprintln!("stand-in agent: nothing to delete at {}", rel);
            continue;
        }
        touched.push(rel.clone());
    }
    if touched.is_empty() {
        return Ok(());
    }
    let mut args = vec!["add", "-A", "--"];
    args.extend(touched.iter().map(String::as_str));
    git::ok(worktree, &args)?;
    let staged = git::run(worktree, &["diff", "--cached", "--quiet"])?;
    if !staged.status.success() {
        git::ok(
            worktree,
            &[
                "commit",
                "-q",
                "-m",
                &format!("chant({}): stand-in agent work", spec_id),
            ],
        )?;
    }
    Ok(())
}

/// Entry point of `chant __agent`; returns the process exit code.
pub fn run() -> i32 {
    let spec_id = std::env::var("CHANT_SPEC_ID").unwrap_or_else(|_| "unknown-spec".into());
    let lines = number("STANDIN_AGENT_LINES", 3);
    let delay = Duration::from_millis(number("STANDIN_AGENT_DELAY_MS", 0));

    let mut out = std::io::stdout();
    for i in 1..=lines {
        if i > 1 && !delay.is_zero() {
            std::thread::sleep(delay);
        }
        let _ = writeln!(
            out,
            "stand-in agent: working on {} (line {} of {})",
            spec_id, i, lines
        );
        let _ = out.flush();
    }

    if flag("STANDIN_AGENT_FAIL") {
        eprintln!("stand-in agent: failing on purpose (STANDIN_AGENT_FAIL=1)");
        return 1;
    }
    if flag("STANDIN_AGENT_HANG") {
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }

    let worktree = match std::env::current_dir() {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("stand-in agent: no working directory: {}", e);
            return 2;
        }
    };
    match make_changes(&worktree, &spec_id) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("stand-in agent: {:#}", e);
            2
        }
    }
}
