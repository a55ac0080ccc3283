//! The git facts the commands need: the agent's branch and its changes, the
//! approver name, and what a chant run changed in the checkout. Every call
//! has a timeout, no terminal prompt and no stdin.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A git call that takes longer than this is killed.
const GIT_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitError(pub String);

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Run git in `dir`; its stdout on success, else git's own complaint.
pub async fn run(dir: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    run_with_env(dir, args, &[]).await
}

/// [`run`], with more environment (`GIT_INDEX_FILE`...).
pub async fn run_with_env(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &OsStr)],
) -> Result<Vec<u8>, GitError> {
    let mut command = tokio::process::Command::new("git");
    command
        .envs(env.iter().copied())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("LC_ALL", "C")
        .kill_on_drop(true);
    let child = command
        .spawn()
        .map_err(|e| GitError(format!("cannot run git: {e}")))?;
    let output = tokio::time::timeout(GIT_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| {
            GitError(format!(
                "git {} did not finish in {} s",
                args.join(" "),
                GIT_TIMEOUT.as_secs()
            ))
        })?
        .map_err(|e| GitError(format!("git {}: {e}", args.join(" "))))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(GitError(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

fn line(bytes: Vec<u8>) -> Option<String> {
    let text = String::from_utf8_lossy(&bytes).trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// `git config user.name` as seen from `dir`.
pub async fn user_name(dir: &Path) -> Option<String> {
    run(dir, &["config", "user.name"]).await.ok().and_then(line)
}

/// The commit HEAD points at (None outside a repository or before the
/// first commit).
pub async fn head(dir: &Path) -> Option<String> {
    run(dir, &["rev-parse", "--verify", "--quiet", "HEAD"])
        .await
        .ok()
        .and_then(line)
}

/// Whether the local branch exists.
pub async fn branch_exists(dir: &Path, branch: &str) -> bool {
    let reference = format!("refs/heads/{branch}");
    run(dir, &["rev-parse", "--verify", "--quiet", &reference])
        .await
        .is_ok()
}

/// Whether `branch` is merged into `into` (its tip is an ancestor of
/// `into`, as `git branch --merged` says); None when git cannot tell
/// (`into` missing).
pub async fn is_merged(dir: &Path, branch: &str, into: &str) -> Option<bool> {
    let into_ref = format!("refs/heads/{into}");
    if run(dir, &["rev-parse", "--verify", "--quiet", &into_ref])
        .await
        .is_err()
    {
        return None;
    }
    let branch_ref = format!("refs/heads/{branch}");
    let mut command = tokio::process::Command::new("git");
    command
        .args(["merge-base", "--is-ancestor", &branch_ref, &into_ref])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .kill_on_drop(true);
    let status = tokio::time::timeout(GIT_TIMEOUT, command.status())
        .await
        .ok()?
        .ok()?;
    match status.code() {
        Some(0) => Some(true),
        Some(1) => Some(false),
        _ => None,
    }
}

/// The lines git prints; None when git fails.
async fn output_lines<T: FromIterator<String>>(dir: &Path, args: &[&str]) -> Option<T> {
    let out = run(dir, args).await.ok()?;
    Some(
        String::from_utf8_lossy(&out)
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

/// The local branches whose names start with `prefix` (one git call).
pub async fn branches_with_prefix(dir: &Path, prefix: &str) -> std::collections::HashSet<String> {
    let pattern = format!("refs/heads/{prefix}*");
    output_lines(
        dir,
        &["for-each-ref", "--format=%(refname:short)", &pattern],
    )
    .await
    .unwrap_or_default()
}

/// Of the local branches starting with `prefix`, those merged into `into`
/// (one git call); None when git cannot tell (`into` missing).
pub async fn merged_branches_with_prefix(
    dir: &Path,
    prefix: &str,
    into: &str,
) -> Option<std::collections::HashSet<String>> {
    let pattern = format!("refs/heads/{prefix}*");
    let merged = format!("--merged=refs/heads/{into}");
    let args = [
        "for-each-ref",
        &merged,
        "--format=%(refname:short)",
        &pattern,
    ];
    output_lines(dir, &args).await
}

/// How long a branch lookup is reused: editors ask for code actions on
/// every cursor move, and each lookup starts git.
const BRANCH_CACHE_TTL: Duration = Duration::from_secs(3);

/// Recent branch lookups, owned by the session that asks them. A run that
/// may create a branch clears it.
#[derive(Default)]
pub struct BranchCache {
    entries: std::sync::Mutex<HashMap<(PathBuf, String), (Instant, bool)>>,
    merged: std::sync::Mutex<MergedCache>,
}

type MergedCache = HashMap<(PathBuf, String), (Instant, Option<bool>)>;

impl BranchCache {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<(PathBuf, String), (Instant, bool)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the local branch exists (looked up at most every few seconds).
    pub async fn exists(&self, root: &Path, branch: &str) -> bool {
        let key = (root.to_path_buf(), branch.to_string());
        let cached = self
            .entries()
            .get(&key)
            .filter(|(at, _)| at.elapsed() < BRANCH_CACHE_TTL)
            .map(|(_, exists)| *exists);
        if let Some(exists) = cached {
            return exists;
        }
        let exists = branch_exists(root, branch).await;
        let mut entries = self.entries();
        entries.retain(|_, (at, _)| at.elapsed() < BRANCH_CACHE_TTL);
        entries.insert(key, (Instant::now(), exists));
        exists
    }

    /// Whether the local branch is merged into `into` (looked up at most
    /// every few seconds; None when git cannot tell).
    pub async fn merged(&self, root: &Path, branch: &str, into: &str) -> Option<bool> {
        let key = (root.to_path_buf(), format!("{branch}\0merged-into\0{into}"));
        let cached = self
            .merged
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .filter(|(at, _)| at.elapsed() < BRANCH_CACHE_TTL)
            .map(|(_, merged)| *merged);
        if let Some(merged) = cached {
            return merged;
        }
        let merged = is_merged(root, branch, into).await;
        let mut entries = self.merged.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, (at, _)| at.elapsed() < BRANCH_CACHE_TTL);
        entries.insert(key, (Instant::now(), merged));
        merged
    }

    /// Forget every lookup (a run may have created, merged or deleted
    /// branches).
    pub fn forget(&self) {
        self.entries().clear();
        self.merged
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// The best common ancestor of two revisions.
pub async fn merge_base(dir: &Path, a: &str, b: &str) -> Option<String> {
    run(dir, &["merge-base", a, b]).await.ok().and_then(line)
}

/// The short hashes of the commits reachable from HEAD and not from
/// `since`, oldest first.
pub async fn new_commits(dir: &Path, since: &str) -> Vec<String> {
    let range = format!("{since}..HEAD");
    output_lines(dir, &["log", "--reverse", "--format=%h", &range])
        .await
        .unwrap_or_default()
}

/// How a file differs between the merge base and a branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub kind: ChangeKind,
    /// Relative to the folder the diff was taken in.
    pub path: PathBuf,
}

/// `git diff --name-status <base>..<branch>` restricted to `dir` (paths
/// relative to it), renames split into a deletion and an addition.
pub async fn branch_changes(
    dir: &Path,
    base: &str,
    branch: &str,
) -> Result<Vec<FileChange>, GitError> {
    let range = format!("{base}..{branch}");
    let out = run(
        dir,
        &[
            "diff",
            "--name-status",
            "-z",
            "--no-renames",
            "--no-ext-diff",
            "--relative",
            &range,
            "--",
        ],
    )
    .await?;
    Ok(parse_name_status(&out))
}

/// Parse `--name-status -z` output: `STATUS\0PATH\0` records.
fn parse_name_status(out: &[u8]) -> Vec<FileChange> {
    let mut changes = Vec::new();
    let mut fields = out.split(|b| *b == 0).filter(|f| !f.is_empty());
    while let Some(status) = fields.next() {
        let Some(path) = fields.next() else { break };
        let kind = match status.first() {
            Some(b'A') => ChangeKind::Added,
            Some(b'D') => ChangeKind::Deleted,
            Some(b'M') | Some(b'T') => ChangeKind::Modified,
            // Copies and renames are off; anything else is skipped.
            _ => continue,
        };
        changes.push(FileChange {
            kind,
            path: PathBuf::from(OsStr::from_bytes(path)),
        });
    }
    changes
}

/// The content of `path` (relative to `dir`) at revision `rev`, or None
/// when the revision has no such file.
pub async fn file_at(dir: &Path, rev: &str, path: &Path) -> Result<Option<Vec<u8>>, GitError> {
    let Some(rel) = path.to_str() else {
        return Err(GitError(format!("{} is not a UTF-8 path", path.display())));
    };
    let spec = format!("{rev}:./{rel}");
    let exists = run(dir, &["cat-file", "-e", &spec]).await.is_ok();
    if !exists {
        return Ok(None);
    }
    run(dir, &["cat-file", "blob", &spec]).await.map(Some)
}

/// Absolute paths of the files that changed in the checkout since commit
/// `since` (committed or not, untracked included).
pub async fn changed_since(dir: &Path, since: Option<&str>) -> Vec<PathBuf> {
    let Some(top) = run(dir, &["rev-parse", "--show-toplevel"])
        .await
        .ok()
        .and_then(line)
    else {
        return Vec::new();
    };
    let top = PathBuf::from(top);
    let mut paths: Vec<PathBuf> = Vec::new();
    if let Some(since) = since {
        if let Ok(out) = run(
            dir,
            &[
                "diff",
                "--name-only",
                "--no-renames",
                "-z",
                since,
                "HEAD",
                "--",
            ],
        )
        .await
        {
            paths.extend(
                out.split(|b| *b == 0)
                    .filter(|p| !p.is_empty())
                    .map(|p| top.join(OsStr::from_bytes(p))),
            );
        }
    }
    if let Ok(out) = run(
        dir,
        &["status", "--porcelain", "-z", "--untracked-files=all"],
    )
    .await
    {
        let mut records = out.split(|b| *b == 0).filter(|r| !r.is_empty());
        while let Some(record) = records.next() {
            if record.len() < 4 {
                continue;
            }
            let (status, path) = (&record[..2], &record[3..]);
            paths.push(top.join(OsStr::from_bytes(path)));
            // A rename's second field is its old path.
            if status.contains(&b'R') || status.contains(&b'C') {
                if let Some(old) = records.next() {
                    paths.push(top.join(OsStr::from_bytes(old)));
                }
            }
        }
    }
    paths.sort();
    paths.dedup();
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    fn repo() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        git(&root, &["init", "-q", "-b", "main"]);
        git(&root, &["config", "user.name", "Grace Hopper"]);
        git(&root, &["config", "user.email", "grace@example.com"]);
        git(&root, &["config", "commit.gpgsign", "false"]);
        (dir, root)
    }

    #[test]
    fn name_status_records() {
        let out = b"A\0new file.txt\0M\0src/a.rs\0D\0gone\0T\0link\0";
        let changes = parse_name_status(out);
        let kinds: Vec<(ChangeKind, &str)> = changes
            .iter()
            .map(|c| (c.kind, c.path.to_str().unwrap()))
            .collect();
        assert_eq!(
            kinds,
            [
                (ChangeKind::Added, "new file.txt"),
                (ChangeKind::Modified, "src/a.rs"),
                (ChangeKind::Deleted, "gone"),
                (ChangeKind::Modified, "link"),
            ]
        );
    }

    #[tokio::test]
    async fn the_agents_branch_as_chant_leaves_it() {
        let (_dir, root) = repo();
        // The chant root is a subfolder of the repository.
        let project = root.join("project");
        std::fs::create_dir_all(project.join("src")).unwrap();
        std::fs::write(project.join("src/keep.txt"), "keep\n").unwrap();
        std::fs::write(project.join("src/edit.txt"), "one\ntwo\n").unwrap();
        std::fs::write(project.join("src/drop.txt"), "drop\n").unwrap();
        std::fs::write(root.join("outside.txt"), "x\n").unwrap();
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "initial"]);
        let before = head(&project).await.unwrap();

        assert_eq!(user_name(&project).await.as_deref(), Some("Grace Hopper"));
        assert!(!branch_exists(&project, "chant/x").await);
        git(&root, &["checkout", "-q", "-b", "chant/x"]);
        std::fs::write(project.join("src/edit.txt"), "one\nTWO\n").unwrap();
        std::fs::remove_file(project.join("src/drop.txt")).unwrap();
        std::fs::write(project.join("src/new file.txt"), "new\n").unwrap();
        std::fs::write(root.join("outside.txt"), "changed\n").unwrap();
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "agent"]);
        git(&root, &["checkout", "-q", "main"]);
        assert!(branch_exists(&project, "chant/x").await);

        let base = merge_base(&project, "HEAD", "chant/x").await.unwrap();
        assert_eq!(base, before);
        let mut changes = branch_changes(&project, &base, "chant/x").await.unwrap();
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        assert_eq!(
            changes,
            [
                FileChange {
                    kind: ChangeKind::Deleted,
                    path: "src/drop.txt".into()
                },
                FileChange {
                    kind: ChangeKind::Modified,
                    path: "src/edit.txt".into()
                },
                FileChange {
                    kind: ChangeKind::Added,
                    path: "src/new file.txt".into()
                },
            ]
        );
        assert_eq!(
            file_at(&project, "chant/x", Path::new("src/edit.txt"))
                .await
                .unwrap(),
            Some(b"one\nTWO\n".to_vec())
        );
        assert_eq!(
            file_at(&project, &base, Path::new("src/new file.txt"))
                .await
                .unwrap(),
            None
        );
        assert!(new_commits(&project, &before).await.is_empty());
    }

    #[tokio::test]
    async fn what_a_run_changed() {
        let (_dir, root) = repo();
        std::fs::write(root.join("a.txt"), "a\n").unwrap();
        std::fs::write(root.join("b.txt"), "b\n").unwrap();
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "initial"]);
        let before = head(&root).await.unwrap();
        std::fs::write(root.join("a.txt"), "A\n").unwrap();
        git(&root, &["commit", "-q", "-am", "change a"]);
        std::fs::write(root.join("b.txt"), "B\n").unwrap();
        std::fs::create_dir(root.join("new")).unwrap();
        std::fs::write(root.join("new/c.txt"), "c\n").unwrap();
        let changed = changed_since(&root, Some(&before)).await;
        assert_eq!(
            changed,
            [
                root.join("a.txt"),
                root.join("b.txt"),
                root.join("new/c.txt")
            ]
        );
        let commits = new_commits(&root, &before).await;
        assert_eq!(commits.len(), 1);
        assert!(run(&root, &["nonsense-command"]).await.is_err());
    }
}
