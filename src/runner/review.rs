//! The agent's branch, read with git for a review ([`gather`]): its diff
//! against the merge base with the main branch, file by file with its
//! hunks, the commits, and the agent's summary (the spec's `## Agent
//! Output` on the main branch, else the agent's log). One file at one of
//! the review's revisions ([`file_at`]), for side-by-side views. The review
//! document written under the user's cache ([`write_document`]), never in
//! the project. Only the project's folder of the repository is read
//! (`git diff --relative`, paths checked), binary files are named, never
//! read, and big changes are left out past a budget so a review stays fast.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::git;
use crate::analysis::review::{
    self, Body, ChangeStatus, Commit, FileDiff, Hunk, Review, Role, SummarySource,
};
use crate::text::text_hash;
use crate::workspace::ProjectFiles;

/// A file with more changed lines than this is named, not shown.
pub const MAX_FILE_LINES: usize = 50_000;
/// A review shows at most this many changed lines; files past it are named.
pub const MAX_REVIEW_LINES: usize = 200_000;
/// [`file_at`] gives at most this many bytes of a file.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// How much of the agent's log is read for its summary (its end).
const LOG_TAIL_BYTES: usize = 64 * 1024;

/// What a review is about.
pub struct Target<'a> {
    pub files: &'a ProjectFiles,
    pub id: &'a str,
    /// The spec file, relative to the project root.
    pub spec_path: &'a str,
    pub title: Option<String>,
    pub branch: &'a str,
    /// The main branch (config `defaults.main_branch`).
    pub main: &'a str,
    /// The agent's log, `.chant/logs/<id>.log`.
    pub log: Option<&'a Path>,
}

/// The commit a local branch points at.
async fn tip(root: &Path, branch: &str) -> Option<String> {
    let reference = format!("refs/heads/{branch}^{{commit}}");
    let out = git::run(root, &["rev-parse", "--verify", "--quiet", &reference])
        .await
        .ok()?;
    let text = String::from_utf8_lossy(&out).trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// The revisions of a review: the main branch's tip, the agent branch's,
/// and their merge base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revisions {
    pub main: String,
    pub head: String,
    pub base: String,
}

/// The review's revisions, or why there is nothing to review.
pub async fn revisions(root: &Path, branch: &str, main: &str) -> Result<Revisions, String> {
    let head = tip(root, branch).await.ok_or_else(|| {
        format!("There is no branch {branch}: the agent's changes live there after \"Work this spec\" runs. Run the spec first.")
    })?;
    let main_tip = tip(root, main).await.ok_or_else(|| {
        format!("There is no branch {main} (config `defaults.main_branch`) to compare {branch} with: set `defaults.main_branch` in .chant/config.md to the branch chant merges into.")
    })?;
    let base = git::merge_base(root, &main_tip, &head)
        .await
        .ok_or_else(|| format!("Branch {branch} has no common history with {main}: there is no merge base to compare it with."))?;
    Ok(Revisions {
        main: main_tip,
        head,
        base,
    })
}

/// The review of the agent's branch.
pub async fn gather(target: Target<'_>) -> Result<Review, String> {
    let root = target.files.root();
    let (branch, main) = (target.branch, target.main);
    let revs = revisions(root, branch, main).await?;
    if revs.base == revs.head {
        return Err(format!("Branch {branch} adds nothing to {main}: every commit of it is already on {main} (it was merged, or the agent committed nothing), so there is nothing to review."));
    }
    let unreadable = |e: git::GitError| format!("Cannot read branch {branch}: {e}.");
    let changes = git::branch_changes(root, &revs.base, &revs.head)
        .await
        .map_err(unreadable)?;
    let numstat = git::run(root, &diff_args(&["--numstat", "-z"], &revs, &[]))
        .await
        .map_err(unreadable)?;
    let counts = parse_numstat(&numstat);
    let mut files: Vec<FileDiff> = changes
        .into_iter()
        .map(|c| {
            // git's paths are `/`-separated already.
            let path = c.path.to_string_lossy().into_owned();
            let status = match c.kind {
                git::ChangeKind::Added => ChangeStatus::Added,
                git::ChangeKind::Modified => ChangeStatus::Modified,
                git::ChangeKind::Deleted => ChangeStatus::Deleted,
            };
            let role = review::role(&path, target.spec_path, status);
            // numstat: None for a binary file (absent: not counted).
            let count = counts.get(&path).copied();
            let (insertions, deletions) = count.flatten().unwrap_or((0, 0));
            let body = match (role, count) {
                (Role::DeletedSpec, _) => Body::Flagged,
                (_, Some(None)) => Body::Binary,
                (_, Some(Some((i, d)))) if i + d > MAX_FILE_LINES => Body::TooLarge,
                _ => Body::Hunks(Vec::new()),
            };
            FileDiff {
                path,
                status,
                role,
                insertions,
                deletions,
                modes: Vec::new(),
                body,
            }
        })
        .collect();
    files.sort_by(|a, b| (a.role, &a.path).cmp(&(b.role, &b.path)));
    let mut budget = MAX_REVIEW_LINES;
    for file in files.iter_mut() {
        if let Body::Hunks(_) = file.body {
            let lines = file.insertions + file.deletions;
            if lines > budget {
                file.body = Body::OverBudget;
            } else {
                budget -= lines;
            }
        }
    }
    read_hunks(root, &revs, &mut files)
        .await
        .map_err(unreadable)?;
    let commits = commits(root, &revs).await.map_err(unreadable)?;
    let summary = summary(&target, &revs).await;
    Ok(Review {
        id: target.id.to_string(),
        spec_path: target.spec_path.to_string(),
        title: target.title,
        branch: branch.to_string(),
        main: main.to_string(),
        base: revs.base,
        head: revs.head,
        commits,
        files,
        summary,
    })
}

/// `git diff` between the merge base and the branch, in the project's
/// folder only, whatever the user's git configuration says about colours,
/// prefixes, external tools or text conversion.
fn diff_args<'a>(format: &[&'a str], revs: &'a Revisions, paths: &'a [String]) -> Vec<&'a str> {
    let mut args = vec![
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--no-renames",
        "--relative",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "-U3",
    ];
    args.extend_from_slice(format);
    args.extend([revs.base.as_str(), revs.head.as_str(), "--"]);
    args.extend(paths.iter().map(String::as_str));
    args
}

/// `--numstat -z` records: `added\tdeleted\tpath\0`, `-\t-\tpath\0` for a
/// binary file (None).
fn parse_numstat(out: &[u8]) -> HashMap<String, Option<(usize, usize)>> {
    out.split(|b| *b == 0)
        .filter(|r| !r.is_empty())
        .filter_map(|record| {
            let mut fields = record.splitn(3, |b| *b == b'\t');
            let (added, deleted, path) = (fields.next()?, fields.next()?, fields.next()?);
            let number = |f: &[u8]| std::str::from_utf8(f).ok()?.parse::<usize>().ok();
            let counts = number(added).zip(number(deleted));
            let path = OsStr::from_bytes(path).to_string_lossy().into_owned();
            Some((path, counts))
        })
        .collect()
}

/// The hunks of the files to show, from one `git diff` limited to them.
async fn read_hunks(
    root: &Path,
    revs: &Revisions,
    files: &mut [FileDiff],
) -> Result<(), git::GitError> {
    let shown: Vec<usize> = (0..files.len())
        .filter(|i| matches!(files[*i].body, Body::Hunks(_)))
        .collect();
    if shown.is_empty() {
        return Ok(());
    }
    // The fewer pathspecs the better: the files shown, or all but the
    // others.
    let hidden = files.len() - shown.len();
    let paths: Vec<String> = if shown.len() <= hidden {
        shown
            .iter()
            .map(|i| format!(":(literal){}", files[*i].path))
            .collect()
    } else {
        std::iter::once(".".to_string())
            .chain(
                files
                    .iter()
                    .filter(|f| !matches!(f.body, Body::Hunks(_)))
                    .map(|f| format!(":(exclude,literal){}", f.path)),
            )
            .collect()
    };
    let patch = git::run(root, &diff_args(&["--patch"], revs, &paths)).await?;
    let by_path: HashMap<String, usize> =
        shown.iter().map(|i| (files[*i].path.clone(), *i)).collect();
    let mut order = shown.iter();
    for parsed in parse_patch(&String::from_utf8_lossy(&patch)) {
        let index = match parsed.path.as_ref().and_then(|p| by_path.get(p)) {
            Some(i) => *i,
            // A header git quoted in a way not read here: git lists the
            // files in the same order every time.
            None => match order.next() {
                Some(i) => *i,
                None => break,
            },
        };
        let file = &mut files[index];
        file.modes = parsed.modes;
        file.body = if parsed.binary {
            Body::Binary
        } else {
            Body::Hunks(parsed.hunks)
        };
    }
    Ok(())
}

/// One file of a patch.
#[derive(Debug, Default, PartialEq, Eq)]
struct PatchFile {
    /// None when the header could not be read.
    path: Option<String>,
    modes: Vec<String>,
    binary: bool,
    hunks: Vec<Hunk>,
}

/// git's patch, file by file.
fn parse_patch(patch: &str) -> Vec<PatchFile> {
    let mut files: Vec<PatchFile> = Vec::new();
    for line in patch.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("diff --git ") {
            files.push(PatchFile {
                path: header_path(rest.trim_end_matches('\n')),
                ..Default::default()
            });
            continue;
        }
        let Some(file) = files.last_mut() else {
            continue;
        };
        if line.starts_with("@@ ") {
            file.hunks.push(Hunk {
                header: line.trim_end_matches('\n').to_string(),
                lines: String::new(),
            });
            continue;
        }
        if let Some(hunk) = file.hunks.last_mut() {
            // Inside a hunk every line is content (a blank context line is
            // empty when `diff.suppressBlankEmpty` is set).
            hunk.lines.push_str(line);
            if !line.ends_with('\n') {
                hunk.lines.push('\n');
            }
            continue;
        }
        let text = line.trim_end_matches('\n');
        if text.starts_with("Binary files ") || text == "GIT binary patch" {
            file.binary = true;
        } else if [
            "new file mode ",
            "deleted file mode ",
            "old mode ",
            "new mode ",
        ]
        .iter()
        .any(|p| text.starts_with(p))
        {
            file.modes.push(text.to_string());
        }
    }
    files
}

/// The path of a `diff --git a/P b/P` header (both sides are the same path:
/// renames are off), unquoted when git quoted it.
fn header_path(rest: &str) -> Option<String> {
    if rest.starts_with('"') {
        let (first, _) = unquote(rest)?;
        return String::from_utf8_lossy(&first)
            .strip_prefix("a/")
            .map(str::to_string);
    }
    // `a/` + P + ` b/` + P.
    let n = rest.len().checked_sub(5)? / 2;
    let path = rest.get(2..2 + n)?;
    (rest.get(..2) == Some("a/") && rest.get(2 + n..) == Some(&format!(" b/{path}")))
        .then(|| path.to_string())
}

/// A C-style quoted string as git writes odd paths: its bytes and the rest
/// after the closing quote.
fn unquote(text: &str) -> Option<(Vec<u8>, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Some((out, &text[i + 1..])),
            b'\\' => {
                let escaped = *bytes.get(i + 1)?;
                i += 2;
                out.push(match escaped {
                    b'n' => b'\n',
                    b't' => b'\t',
                    b'r' => b'\r',
                    b'a' => 7,
                    b'b' => 8,
                    b'f' => 12,
                    b'v' => 11,
                    b'0'..=b'3' => {
                        let digits = text.get(i - 1..i + 2)?;
                        i += 2;
                        u8::from_str_radix(digits, 8).ok()?
                    }
                    other => other,
                });
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    None
}

/// The branch's commits since the merge base, oldest first.
async fn commits(root: &Path, revs: &Revisions) -> Result<Vec<Commit>, git::GitError> {
    let range = format!("{}..{}", revs.base, revs.head);
    let out = git::run(
        root,
        &[
            "log",
            "--reverse",
            "--no-show-signature",
            "--format=%h%x09%s",
            &range,
            "--",
        ],
    )
    .await?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(hash, subject)| Commit {
            hash: hash.to_string(),
            subject: subject.to_string(),
        })
        .collect())
}

/// The agent's summary: chant's `## Agent Output` in the spec on the main
/// branch, else the last run of the agent's log.
async fn summary(target: &Target<'_>, revs: &Revisions) -> Option<review::Summary> {
    let root = target.files.root();
    let on_main = git::file_at(root, &revs.main, Path::new(target.spec_path))
        .await
        .ok()
        .flatten()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    if let Some(lines) = on_main.as_deref().and_then(review::agent_output) {
        if let Some(summary) = review::summary(SummarySource::SpecOnMain, lines) {
            return Some(summary);
        }
    }
    let (bytes, len) = target.files.read_tail(target.log?, LOG_TAIL_BYTES).ok()?;
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    if len > bytes.len() as u64 {
        // Cut inside a line: start at the next one.
        text = text.split_once('\n').map(|(_, r)| r.to_string())?;
    }
    review::summary(SummarySource::Log, review::log_last_run(&text))
}

/// A file at a revision of a review, as [`file_at`] gives it (and
/// `chant/fileAt` answers: `{"kind": "text", "text": ...}`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum FileAt {
    Text {
        text: String,
    },
    /// Not text (a NUL byte, or not UTF-8): named, never dumped.
    Binary {
        size: u64,
    },
    /// Bigger than [`MAX_FILE_BYTES`].
    TooLarge {
        size: u64,
    },
    /// The revision has no such file (added or deleted by the branch).
    Missing,
}

/// A path relative to the project root that stays in it: no `..`, no
/// `.`, not absolute, not empty.
pub fn project_relative(path: &str) -> Result<&str, String> {
    let plain =
        !path.contains('\0') && path.split('/').all(|part| !matches!(part, "" | "." | ".."));
    if plain {
        Ok(path)
    } else {
        Err(format!("`{path}` is not a path inside the project: give it relative to the project root, without `..`."))
    }
}

/// The commit `rev` names, when it is one of the review's: the main
/// branch or the agent's branch (by name or commit), or their merge base.
fn review_commit(rev: &str, branch: &str, main: &str, revs: &Revisions) -> Result<String, String> {
    let commit = if rev == main {
        Some(revs.main.clone())
    } else if rev == branch {
        Some(revs.head.clone())
    } else {
        [&revs.main, &revs.head, &revs.base]
            .into_iter()
            .find(|c| c.as_str() == rev)
            .cloned()
    };
    commit.ok_or_else(|| {
        format!(
            "`{rev}` is not a revision of this review: only the main branch ({main}), the agent's branch ({branch}) or their merge base ({}) are read.",
            revs.base
        )
    })
}

/// The file at `path` (relative to the project root) at `rev`, one of the
/// review's revisions, at most [`MAX_FILE_BYTES`].
pub async fn file_at(
    root: &Path,
    branch: &str,
    main: &str,
    rev: &str,
    path: &str,
) -> Result<FileAt, String> {
    let path = project_relative(path)?;
    let revs = revisions(root, branch, main).await?;
    let commit = review_commit(rev, branch, main, &revs)?;
    let failed = |e: git::GitError| format!("Cannot read {path} at {rev}: {e}.");
    // Paths are relative to the folder git runs in: the project's.
    let listed = git::run(root, &["ls-tree", "-l", "-z", &commit, "--", path])
        .await
        .map_err(failed)?;
    let Some((kind, object, size)) = parse_ls_tree(&listed) else {
        return Ok(FileAt::Missing);
    };
    if kind != "blob" {
        return Err(format!(
            "{path} at {rev} is not a file (git lists a {kind})."
        ));
    }
    if size > MAX_FILE_BYTES {
        return Ok(FileAt::TooLarge { size });
    }
    let bytes = git::run(root, &["cat-file", "blob", &object])
        .await
        .map_err(failed)?;
    // git's own test: a NUL byte in the first 8000 bytes.
    if bytes.iter().take(8000).any(|b| *b == 0) {
        return Ok(FileAt::Binary { size });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(FileAt::Text { text }),
        Err(_) => Ok(FileAt::Binary { size }),
    }
}

/// `ls-tree -l -z`'s record: `mode type object size\tpath\0`.
fn parse_ls_tree(out: &[u8]) -> Option<(String, String, u64)> {
    let record = out.split(|b| *b == 0).next().filter(|r| !r.is_empty())?;
    let text = String::from_utf8_lossy(record);
    let (meta, _) = text.split_once('\t')?;
    let mut fields = meta.split_whitespace();
    let (_, kind, object) = (fields.next()?, fields.next()?, fields.next()?);
    let size = fields.next()?.parse().unwrap_or(0);
    Some((kind.to_string(), object.to_string(), size))
}

/// The user's cache folder: `$XDG_CACHE_HOME`, else `~/.cache`.
pub fn cache_home() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    std::env::var_os("XDG_CACHE_HOME")
        .and_then(absolute)
        .or_else(|| {
            std::env::var_os("HOME")
                .and_then(absolute)
                .map(|h| h.join(".cache"))
        })
}

/// Where the review of spec `id` of the project at `root` is written:
/// `<cache>/chant-lsp/review/<project>-<hash>/<id>.diff`.
pub fn document_path(cache: &Path, root: &Path, id: &str) -> PathBuf {
    let name: String = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let folder = format!("{name}-{:016x}", text_hash(root));
    cache
        .join("chant-lsp/review")
        .join(folder)
        .join(format!("{id}.diff"))
}

/// Write the review document of spec `id` under the user's cache (read-only,
/// replaced atomically); its path. Refused when the cache is inside the
/// project: nothing is written there.
pub fn write_document(root: &Path, id: &str, text: &str) -> Result<PathBuf, String> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let cache = cache_home().ok_or("There is no cache folder for the review document: neither XDG_CACHE_HOME nor HOME is set to an absolute path.")?;
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let real_cache = cache.canonicalize().unwrap_or_else(|_| cache.clone());
    if real_cache.starts_with(&real_root) || cache.starts_with(root) {
        return Err(format!("The cache folder {} is inside the project: the review document is never written in the project. Set XDG_CACHE_HOME to a folder outside it.", cache.display()));
    }
    let path = document_path(&cache, root, id);
    let dir = path.parent().unwrap_or(&cache);
    let failed =
        |e: std::io::Error| format!("Cannot write the review document {}: {e}.", path.display());
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(failed)?;
    let temp = dir.join(format!(".{id}.diff.{}", std::process::id()));
    std::fs::write(&temp, text).map_err(failed)?;
    std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o444)).map_err(failed)?;
    std::fs::rename(&temp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        failed(e)
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_hunks_of_a_patch() {
        let patch = "diff --git a/a b/c.txt b/a b/c.txt\nnew file mode 100644\nindex 0000000..ce01362\n--- /dev/null\n+++ b/a b/c.txt\n@@ -0,0 +1,2 @@\n+hello\n+\n\
diff --git a/img.png b/img.png\nnew file mode 100644\nindex 0000000..1111111\nBinary files /dev/null and b/img.png differ\n\
diff --git \"a/caf\\303\\251\\tx\" \"b/caf\\303\\251\\tx\"\nold mode 100644\nnew mode 100755\n\
diff --git a/s.rs b/s.rs\nindex 1..2 100644\n--- a/s.rs\n+++ b/s.rs\n@@ -1,3 +1,3 @@ fn main()\n a\n-b\n+B\n\n\\ No newline at end of file";
        let files = parse_patch(patch);
        let paths: Vec<Option<&str>> = files.iter().map(|f| f.path.as_deref()).collect();
        assert_eq!(
            paths,
            [
                Some("a b/c.txt"),
                Some("img.png"),
                Some("café\tx"),
                Some("s.rs")
            ]
        );
        assert_eq!(files[0].modes, ["new file mode 100644"]);
        assert_eq!(
            files[0].hunks,
            [Hunk {
                header: "@@ -0,0 +1,2 @@".into(),
                lines: "+hello\n+\n".into()
            }]
        );
        assert!(files[1].binary && files[1].hunks.is_empty());
        assert_eq!(files[2].modes, ["old mode 100644", "new mode 100755"]);
        assert_eq!(
            files[3].hunks,
            [Hunk {
                header: "@@ -1,3 +1,3 @@ fn main()".into(),
                lines: " a\n-b\n+B\n\n\\ No newline at end of file\n".into()
            }]
        );
    }

    #[test]
    fn numstat_records() {
        let counts = parse_numstat(b"3\t1\tsrc/a.rs\0-\t-\timg.png\0");
        assert_eq!(counts["src/a.rs"], Some((3, 1)));
        assert_eq!(counts["img.png"], None);
    }

    #[test]
    fn paths_stay_in_the_project() {
        assert_eq!(project_relative("src/a.rs"), Ok("src/a.rs"));
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "./a",
            "a/./b",
            "a/",
            "a//b",
        ] {
            assert!(project_relative(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_the_reviews_revisions_are_read() {
        let revs = Revisions {
            main: "m".repeat(40),
            head: "h".repeat(40),
            base: "b".repeat(40),
        };
        let at = |rev: &str| review_commit(rev, "chant/x", "main", &revs);
        assert_eq!(at("main"), Ok(revs.main.clone()));
        assert_eq!(at("chant/x"), Ok(revs.head.clone()));
        assert_eq!(at(&revs.base), Ok(revs.base.clone()));
        assert_eq!(
            at("HEAD~3"),
            Err(format!("`HEAD~3` is not a revision of this review: only the main branch (main), the agent's branch (chant/x) or their merge base ({}) are read.", revs.base))
        );
    }

    #[test]
    fn the_document_lives_under_the_cache() {
        let path = document_path(Path::new("/c"), Path::new("/w/my project"), "x");
        let text = path.to_string_lossy();
        assert!(
            text.starts_with("/c/chant-lsp/review/my_project-"),
            "{text}"
        );
        assert!(text.ends_with("/x.diff"), "{text}");
    }

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_TERMINAL_PROMPT", "0")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn write(dir: &Path, rel: &str, bytes: &[u8]) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// A repository whose chant project is a subfolder, and an agent's
    /// branch as chant and an agent that commits everything leave it.
    fn repo() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().canonicalize().unwrap();
        git(&top, &["init", "-q", "-b", "trunk"]);
        for (k, v) in [
            ("user.name", "Grace Hopper"),
            ("user.email", "grace@example.com"),
            ("commit.gpgsign", "false"),
            // What a user's configuration may say: the review ignores it.
            ("diff.noprefix", "true"),
            ("color.diff", "always"),
        ] {
            git(&top, &["config", k, v]);
        }
        let root = top.join("project");
        write(&root, "src/edit.txt", b"one\ntwo\nthree\n");
        write(&root, "src/drop.txt", b"drop\n");
        write(&root, ".chant/specs/x.md", b"# X\n\n- [ ] done\n");
        write(&root, ".chant/specs/y.md", b"# Y\n");
        write(&top, "outside.txt", b"outside\n");
        git(&top, &["add", "-A"]);
        git(&top, &["commit", "-q", "-m", "initial"]);
        git(&top, &["checkout", "-q", "-b", "agent/x"]);
        write(&root, "src/edit.txt", b"one\nTWO\nthree\n");
        write(&root, "src/new file.txt", b"new\n");
        write(&root, "img.png", b"\x89PNG\0\0binary");
        std::fs::remove_file(root.join("src/drop.txt")).unwrap();
        write(&root, ".chant/specs/x.md", b"# X\n\n- [x] done\n");
        std::fs::remove_file(root.join(".chant/specs/y.md")).unwrap();
        write(&top, "outside.txt", b"changed outside\n");
        git(&top, &["add", "-A"]);
        git(&top, &["commit", "-q", "-m", "chant(x): agent work"]);
        git(&top, &["checkout", "-q", "trunk"]);
        // chant's transcript, on the main branch after the branch left it.
        write(
            &root,
            ".chant/specs/x.md",
            b"# X\n\n- [ ] done\n\n## Agent Output\n\n2026-01-01T00:00:00Z\n\n```\nagent: did it```\n",
        );
        git(
            &top,
            &[
                "commit",
                "-q",
                "-am",
                "chant: Record agent transcript for x",
            ],
        );
        (dir, root)
    }

    #[tokio::test]
    async fn a_review_of_the_agents_branch() {
        let (_dir, root) = repo();
        let files = ProjectFiles::on_disk(&root);
        let target = || Target {
            files: &files,
            id: "x",
            spec_path: ".chant/specs/x.md",
            title: Some("X".into()),
            branch: "agent/x",
            main: "trunk",
            log: None,
        };
        let review = gather(target()).await.unwrap();
        let top = root.parent().unwrap();
        assert_eq!(review.base, git(top, &["rev-parse", "trunk~1"]));
        assert_eq!(review.head, git(top, &["rev-parse", "agent/x"]));
        assert_eq!(
            review.commits,
            [Commit {
                hash: git(top, &["rev-parse", "--short", "agent/x"]),
                subject: "chant(x): agent work".into()
            }]
        );
        let rows: Vec<(&str, ChangeStatus, Role, usize, usize)> = review
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.status, f.role, f.insertions, f.deletions))
            .collect();
        use ChangeStatus::*;
        assert_eq!(
            rows,
            [
                ("img.png", Added, Role::Work, 0, 0),
                ("src/drop.txt", Deleted, Role::Work, 0, 1),
                ("src/edit.txt", Modified, Role::Work, 1, 1),
                ("src/new file.txt", Added, Role::Work, 1, 0),
                (".chant/specs/x.md", Modified, Role::Spec, 1, 1),
                (".chant/specs/y.md", Deleted, Role::DeletedSpec, 0, 1),
            ]
        );
        let body = |path: &str| {
            review
                .files
                .iter()
                .find(|f| f.path == path)
                .map(|f| (f.modes.clone(), f.body.clone()))
                .unwrap()
        };
        assert_eq!(body("img.png").1, Body::Binary);
        assert_eq!(body(".chant/specs/y.md").1, Body::Flagged);
        assert_eq!(
            body("src/edit.txt"),
            (
                vec![],
                Body::Hunks(vec![Hunk {
                    header: "@@ -1,3 +1,3 @@".into(),
                    lines: " one\n-two\n+TWO\n three\n".into()
                }])
            )
        );
        assert_eq!(
            body("src/new file.txt"),
            (
                vec!["new file mode 100644".to_string()],
                Body::Hunks(vec![Hunk {
                    header: "@@ -0,0 +1 @@".into(),
                    lines: "+new\n".into()
                }])
            )
        );
        let summary = review.summary.clone().unwrap();
        assert_eq!(
            (summary.source, summary.lines),
            (SummarySource::SpecOnMain, vec!["agent: did it".to_string()])
        );

        // One file at each of the review's revisions, and nothing else.
        let at = |rev: String, path: &'static str| {
            let root = root.clone();
            async move { file_at(&root, "agent/x", "trunk", &rev, path).await }
        };
        assert_eq!(
            at("agent/x".into(), "src/edit.txt").await,
            Ok(FileAt::Text {
                text: "one\nTWO\nthree\n".into()
            })
        );
        assert_eq!(
            at(review.base.clone(), "src/edit.txt").await,
            Ok(FileAt::Text {
                text: "one\ntwo\nthree\n".into()
            })
        );
        assert_eq!(
            at("trunk".into(), "src/new file.txt").await,
            Ok(FileAt::Missing)
        );
        assert_eq!(
            at("agent/x".into(), "img.png").await,
            Ok(FileAt::Binary { size: 12 })
        );
        assert!(at("agent/x".into(), "src")
            .await
            .unwrap_err()
            .contains("is not a file"));
        assert!(at("agent/x".into(), "../outside.txt").await.is_err());
        assert!(at("HEAD~1".into(), "src/edit.txt").await.is_err());

        // Merged: nothing left to review.
        git(top, &["merge", "-q", "--no-edit", "-s", "ours", "agent/x"]);
        let merged = gather(target()).await.unwrap_err();
        assert_eq!(merged, "Branch agent/x adds nothing to trunk: every commit of it is already on trunk (it was merged, or the agent committed nothing), so there is nothing to review.");
        let missing = Target {
            branch: "agent/nope",
            ..target()
        };
        assert!(gather(missing)
            .await
            .unwrap_err()
            .starts_with("There is no branch agent/nope"));
    }
}
