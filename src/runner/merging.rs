//! What the editor does around `chant merge`, where chant 0.23.2 would lose
//! work or stop on its own bookkeeping (tested against the real chant):
//!
//! - [`keep_specs`]: an agent that committed everything (`git add -A`)
//!   commits the deletions of the other specs chant removed from its
//!   worktree; merged, they delete those specs from the main branch (or
//!   conflict, modify/delete, where the main branch changed them). Before a
//!   merge, the branch gets a commit that restores them as they were where
//!   it forked, so the main branch keeps its own.
//! - [`in_the_way`] and [`clear`]: files "Apply agent changes" wrote into
//!   the checkout, which git refuses to overwrite. Those identical to the
//!   branch's are put back (the merge writes them again, the same); those
//!   the user changed since are named, and can be stashed.
//! - [`merge_bookkeeping`]: a merge that conflicts only in the spec's own
//!   file (ticks on the branch, the transcript on the main branch) is made
//!   by the editor with `spec::merge`, checked, then committed as chant
//!   would (`Merge <branch>`).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::git::{self, GitError};
use crate::spec::merge::{merge_bookkeeping as merge_spec, Merged};

/// The repository's top folder and a project-relative path from it.
async fn top(root: &Path) -> Result<PathBuf, GitError> {
    let out = git::run(root, &["rev-parse", "--show-toplevel"]).await?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out).trim()))
}

fn text(out: Vec<u8>) -> String {
    String::from_utf8_lossy(&out).trim().to_string()
}

/// The project's folder, relative to the repository's top (`""` when the
/// project is the repository).
async fn project_prefix(root: &Path) -> Result<(PathBuf, String), GitError> {
    let top = top(root).await?;
    let prefix = root
        .strip_prefix(&top)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = match prefix.is_empty() {
        true => String::new(),
        false => format!("{prefix}/"),
    };
    Ok((top, prefix))
}

/// NUL-separated paths git printed.
fn paths(out: &[u8]) -> Vec<String> {
    out.split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

/// The specs (and archived specs) `branch` deletes since it forked from
/// `main`, other than its own `<id>.md`: paths relative to the repository.
pub async fn deleted_specs(
    root: &Path,
    branch: &str,
    main: &str,
    id: &str,
) -> Result<Vec<String>, GitError> {
    let (top, prefix) = project_prefix(root).await?;
    let base = text(git::run(&top, &["merge-base", main, branch]).await?);
    let specs = format!("{prefix}.chant/specs");
    let archive = format!("{prefix}.chant/archive");
    let out = git::run(
        &top,
        &[
            "diff",
            "--name-only",
            "-z",
            "--no-renames",
            "--diff-filter=D",
            &base,
            branch,
            "--",
            &specs,
            &archive,
        ],
    )
    .await?;
    let own = format!("{prefix}.chant/specs/{id}.md");
    Ok(paths(&out).into_iter().filter(|p| *p != own).collect())
}

/// The worktree where `branch` is checked out, if one is.
async fn checked_out_at(top: &Path, branch: &str) -> Result<Option<String>, GitError> {
    let out = String::from_utf8_lossy(&git::run(top, &["worktree", "list", "--porcelain"]).await?)
        .into_owned();
    let wanted = format!("branch refs/heads/{branch}");
    let mut worktree = None;
    for line in out.lines() {
        if let Some(path) = line.strip_prefix("worktree ") {
            worktree = Some(path.to_string());
        } else if line == wanted {
            return Ok(worktree);
        }
    }
    Ok(None)
}

fn keep_message(branch: &str, files: &[String]) -> String {
    format!(
        "Keep the specs {branch} deleted\n\nThe agent's commit deleted these specs, which chant had only removed from its worktree; the editor restores them on the branch so that merging it does not delete them:\n{}",
        files.iter().map(|f| format!("- {f}")).collect::<Vec<_>>().join("\n")
    )
}

/// Give `branch` a commit that brings back `files` (repository-relative)
/// as they were where it forked from `main`: in the agent's worktree when
/// the branch is checked out there (chant keeps it until the merge), else
/// without touching any checkout (a private index, a tree, a commit, the
/// branch moved only if it still points where it did). Returns the new
/// commit.
pub async fn keep_specs(
    root: &Path,
    branch: &str,
    main: &str,
    files: &[String],
) -> Result<String, GitError> {
    let top = top(root).await?;
    let reference = format!("refs/heads/{branch}");
    let tip = text(git::run(&top, &["rev-parse", "--verify", &reference]).await?);
    let base = text(git::run(&top, &["merge-base", main, branch]).await?);
    let message = keep_message(branch, files);
    if let Some(at) = checked_out_at(&top, branch).await? {
        let at = Path::new(&at);
        let mut checkout = vec!["checkout", base.as_str(), "--"];
        checkout.extend(files.iter().map(String::as_str));
        git::run(at, &checkout).await?;
        let mut commit = vec!["commit", "-q", "--no-verify", "-m", message.as_str(), "--"];
        commit.extend(files.iter().map(String::as_str));
        git::run(at, &commit).await?;
        return git::run(at, &["rev-parse", "HEAD"]).await.map(text);
    }
    // A private index in the repository's own folder, removed after.
    let name = format!("chant-lsp-index-{}-{}", std::process::id(), tip);
    let index = top.join(text(
        git::run(&top, &["rev-parse", "--git-path", &name]).await?,
    ));
    let result = commit_restoring(&top, &index, &tip, &base, &message, files).await;
    let _ = std::fs::remove_file(&index);
    let commit = result?;
    git::run(&top, &["update-ref", &reference, &commit, &tip]).await?;
    Ok(commit)
}

/// The commit on `tip` that restores `files` from `base`, built in a
/// private `index`.
async fn commit_restoring(
    top: &Path,
    index: &Path,
    tip: &str,
    base: &str,
    message: &str,
    files: &[String],
) -> Result<String, GitError> {
    let env = [("GIT_INDEX_FILE", index.as_os_str())];
    git::run_with_env(top, &["read-tree", tip], &env).await?;
    for file in files {
        // `<mode> blob <sha>\t<path>` of the file where the branch forked.
        let entry = text(git::run(top, &["ls-tree", base, "--", file]).await?);
        let (meta, _) = entry
            .split_once('\t')
            .ok_or_else(|| GitError(format!("{file} is not in {base}")))?;
        let fields: Vec<&str> = meta.split_whitespace().collect();
        let [mode, _, sha] = fields[..] else {
            return Err(GitError(format!("unexpected ls-tree line: {entry}")));
        };
        let info = format!("{mode},{sha},{file}");
        git::run_with_env(top, &["update-index", "--add", "--cacheinfo", &info], &env).await?;
    }
    let tree = text(git::run_with_env(top, &["write-tree"], &env).await?);
    git::run(top, &["commit-tree", &tree, "-p", tip, "-m", message])
        .await
        .map(text)
}

/// Files a merge of `branch` would write that the checkout holds otherwise
/// than its last commit (untracked, or changed): those identical to the
/// branch's, and the others. Repository-relative paths.
pub async fn in_the_way(
    root: &Path,
    branch: &str,
    main: &str,
) -> Result<(Vec<String>, Vec<String>), GitError> {
    let top = top(root).await?;
    let base = text(git::run(&top, &["merge-base", main, branch]).await?);
    let written = paths(
        &git::run(
            &top,
            &[
                "diff",
                "--name-only",
                "-z",
                "--no-renames",
                &base,
                branch,
                "--",
            ],
        )
        .await?,
    );
    let status = git::run(
        &top,
        &[
            "status",
            "--porcelain",
            "-z",
            "--untracked-files=all",
            "--no-renames",
        ],
    )
    .await?;
    let mut dirty = Vec::new();
    for record in status.split(|b| *b == 0).filter(|r| r.len() > 3) {
        dirty.push(String::from_utf8_lossy(&record[3..]).into_owned());
    }
    let (mut same, mut differ) = (Vec::new(), Vec::new());
    for file in written.into_iter().filter(|f| dirty.contains(f)) {
        let theirs = git::file_at(&top, branch, Path::new(&file)).await?;
        let here = std::fs::read(top.join(OsStr::from_bytes(file.as_bytes()))).ok();
        if theirs == here {
            same.push(file);
        } else {
            differ.push(file);
        }
    }
    Ok((same, differ))
}

/// Put files identical to the branch's back as the last commit has them
/// (untracked ones removed): the merge writes them again.
pub async fn clear(root: &Path, files: &[String]) -> Result<(), GitError> {
    let top = top(root).await?;
    for file in files {
        let tracked = git::run(&top, &["cat-file", "-e", &format!("HEAD:{file}")])
            .await
            .is_ok();
        if tracked {
            git::run(&top, &["checkout", "HEAD", "--", file]).await?;
        } else {
            std::fs::remove_file(top.join(file))
                .map_err(|e| GitError(format!("remove {file}: {e}")))?;
        }
    }
    Ok(())
}

/// Stash `files` (changed or untracked) so that a merge can write them;
/// `git stash pop` brings them back.
pub async fn stash(root: &Path, files: &[String], why: &str) -> Result<(), GitError> {
    let top = top(root).await?;
    let mut args = vec!["stash", "push", "--include-untracked", "-m", why, "--"];
    args.extend(files.iter().map(String::as_str));
    git::run(&top, &args).await.map(|_| ())
}

/// What the editor did around a command's merges, said after chant's own
/// outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeNotes {
    /// Per branch, the specs it deleted that the editor kept.
    pub kept: Vec<(String, Vec<String>)>,
    /// Applied files identical to a branch's, put back before merging.
    pub cleared: Vec<String>,
    /// Files in the way, stashed.
    pub stashed: Vec<String>,
    /// Merges chant stopped on its own bookkeeping, made by the editor.
    pub resolved: Vec<BookkeepingMerge>,
}

/// A merge the editor made, and what it kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookkeepingMerge {
    pub branch: String,
    pub spec: String,
    pub merged: Merged,
    pub commit: String,
}

/// Merge `branch` into the current branch (`main`) as chant would
/// (`git merge --no-ff -m "Merge <branch>"`), the spec's own file
/// `.chant/specs/<id>.md` merged by `spec::merge`. Anything else that
/// conflicts, or a spec that is not only bookkeeping, aborts the merge and
/// is said.
pub async fn merge_bookkeeping(
    root: &Path,
    id: &str,
    branch: &str,
) -> Result<BookkeepingMerge, String> {
    let (top, prefix) = project_prefix(root).await.map_err(|e| e.0)?;
    let spec = format!("{prefix}.chant/specs/{id}.md");
    let read = |rev: String| {
        let top = top.clone();
        let spec = spec.clone();
        async move {
            let bytes = git::file_at(&top, &rev, Path::new(&spec))
                .await
                .map_err(|e| e.0)?
                .ok_or_else(|| format!("{rev} has no {spec}"))?;
            String::from_utf8(bytes).map_err(|_| format!("{spec} at {rev} is not UTF-8"))
        }
    };
    let base_rev = text(
        git::run(&top, &["merge-base", "HEAD", branch])
            .await
            .map_err(|e| e.0)?,
    );
    let (base, ours, theirs) = (
        read(base_rev).await?,
        read("HEAD".into()).await?,
        read(branch.to_string()).await?,
    );
    let merged = merge_spec(&base, &ours, &theirs).map_err(|why| format!("{why}"))?;
    // The spec's merge driver (`chant merge-driver`) need not be on PATH:
    // its answer is replaced below.
    let message = format!("Merge {branch}");
    let started = git::run(
        &top,
        &[
            "-c",
            "merge.chant-spec.driver=true",
            "merge",
            "--no-ff",
            "--no-commit",
            "-m",
            &message,
            branch,
        ],
    )
    .await;
    let abort = || async {
        let _ = git::run(&top, &["merge", "--abort"]).await;
    };
    if let Err(e) = started {
        abort().await;
        return Err(format!(
            "git could not merge {branch} even with the spec merged: {e}"
        ));
    }
    let path = top.join(&spec);
    if let Err(e) = std::fs::write(&path, &merged.text) {
        abort().await;
        return Err(format!("cannot write {}: {e}", path.display()));
    }
    let finish = async {
        git::run(&top, &["add", "--", &spec]).await?;
        let unmerged = git::run(&top, &["diff", "--name-only", "--diff-filter=U"]).await?;
        if !unmerged.is_empty() {
            return Err(GitError(format!("still unmerged: {}", text(unmerged))));
        }
        git::run(&top, &["commit", "--no-edit", "--no-verify"]).await?;
        git::run(&top, &["rev-parse", "--short", "HEAD"])
            .await
            .map(text)
    };
    match finish.await {
        Ok(commit) => Ok(BookkeepingMerge {
            branch: branch.to_string(),
            spec,
            merged,
            commit,
        }),
        Err(e) => {
            abort().await;
            Err(e.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git_in(dir: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A repository with specs a, b, c on main and a branch `chant/a`
    /// (not checked out anywhere) that deletes b and c.
    fn repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git_in(root, &["init", "-q", "-b", "main"]);
        git_in(root, &["config", "user.name", "T"]);
        git_in(root, &["config", "user.email", "t@example.com"]);
        std::fs::create_dir_all(root.join(".chant/specs")).unwrap();
        for id in ["a", "b", "c"] {
            std::fs::write(
                root.join(format!(".chant/specs/{id}.md")),
                format!("# {id}\n"),
            )
            .unwrap();
        }
        git_in(root, &["add", "-A"]);
        git_in(root, &["commit", "-qm", "specs"]);
        git_in(root, &["checkout", "-q", "-b", "chant/a"]);
        git_in(
            root,
            &["rm", "-q", ".chant/specs/b.md", ".chant/specs/c.md"],
        );
        std::fs::write(root.join("work.txt"), "work\n").unwrap();
        git_in(root, &["add", "-A"]);
        git_in(root, &["commit", "-qm", "agent"]);
        git_in(root, &["checkout", "-q", "main"]);
        dir
    }

    #[tokio::test]
    async fn the_specs_a_branch_deleted_are_restored_on_it_without_a_checkout() {
        let dir = repo();
        let root = dir.path();
        let deleted = deleted_specs(root, "chant/a", "main", "a").await.unwrap();
        assert_eq!(deleted, [".chant/specs/b.md", ".chant/specs/c.md"]);
        let head = git_in(root, &["rev-parse", "HEAD"]);
        let status = git_in(root, &["status", "--porcelain"]);
        keep_specs(root, "chant/a", "main", &deleted).await.unwrap();
        // The checkout did not move; the branch got one commit, which
        // brings b and c back as they were, and keeps the agent's work.
        assert_eq!(git_in(root, &["rev-parse", "HEAD"]), head);
        assert_eq!(git_in(root, &["status", "--porcelain"]), status);
        assert_eq!(
            git_in(root, &["log", "-1", "--format=%s", "chant/a"]),
            "Keep the specs chant/a deleted"
        );
        assert_eq!(git_in(root, &["show", "chant/a:.chant/specs/b.md"]), "# b");
        assert_eq!(git_in(root, &["show", "chant/a:work.txt"]), "work");
        assert!(deleted_specs(root, "chant/a", "main", "a")
            .await
            .unwrap()
            .is_empty());
        // No private index is left behind.
        let git_dir = root.join(".git");
        let leftovers: Vec<_> = std::fs::read_dir(&git_dir)
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("chant-lsp-index")
            })
            .collect();
        assert!(leftovers.is_empty());
    }

    #[tokio::test]
    async fn applied_files_are_told_apart() {
        let dir = repo();
        let root = dir.path();
        // As "Apply agent changes" left it: the branch's file, untracked.
        std::fs::write(root.join("work.txt"), "work\n").unwrap();
        assert_eq!(
            in_the_way(root, "chant/a", "main").await.unwrap(),
            (vec!["work.txt".to_string()], vec![])
        );
        std::fs::write(root.join("work.txt"), "work, edited\n").unwrap();
        assert_eq!(
            in_the_way(root, "chant/a", "main").await.unwrap(),
            (vec![], vec!["work.txt".to_string()])
        );
        std::fs::write(root.join("work.txt"), "work\n").unwrap();
        clear(root, &["work.txt".to_string()]).await.unwrap();
        assert!(!root.join("work.txt").exists());
    }
}
