//! The agent's work after `chant work`: it lives on branch `chant/<id>`
//! (single-spec work never merges). [`plan`] works out, file by file, how
//! to bring the branch's changes (since it left the current branch) into
//! the workspace as edits the user reviews: files the user changed
//! meanwhile are merged, and left alone when the changes overlap.
//! Protocol-free: the server turns the plan into one workspace edit.

use std::path::{Path, PathBuf};

use super::git::{self, ChangeKind, FileChange};
use crate::text::diff::{merge3, Merge};
use crate::vfs::Limit;
use crate::workspace::ProjectFiles;

/// chant's own files on the branch: the specs (the copy chant commits, the
/// others its worktree isolation removed), the archive, and what chant
/// writes while it runs. Never applied; what the agent wrote elsewhere
/// under `.chant/` (`.chant/research/...`) is its work.
fn is_chant_file(path: &Path) -> bool {
    const CHANTS: [&str; 8] = [
        ".chant/specs",
        ".chant/archive",
        ".chant/logs",
        ".chant/tmp",
        ".chant/pids",
        ".chant/.locks",
        ".chant/processes",
        ".chant/.store",
    ];
    CHANTS.iter().any(|dir| path.starts_with(dir))
}

/// The agent's changes on `branch`, chant's own files aside, and the commit the
/// branch left from.
pub async fn branch_changes(
    root: &Path,
    branch: &str,
) -> Result<(String, Vec<FileChange>), String> {
    let base = git::merge_base(root, "HEAD", branch)
        .await
        .ok_or_else(|| format!("branch {branch} has no common history with the current branch"))?;
    let changes = git::branch_changes(root, &base, branch)
        .await
        .map_err(|e| e.0)?
        .into_iter()
        .filter(|c| !is_chant_file(&c.path))
        .collect();
    Ok((base, changes))
}

/// How many files the agent changed on `branch` (0 when there is no such
/// branch or git cannot tell).
pub async fn pending_change_count(root: &Path, branch: &str) -> usize {
    if !git::branch_exists(root, branch).await {
        return 0;
    }
    branch_changes(root, branch)
        .await
        .map(|(_, c)| c.len())
        .unwrap_or(0)
}

/// One file's change, as the editor will make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileAction {
    Create {
        path: PathBuf,
        text: String,
    },
    /// `from` is what the editor holds now (the open buffer at `version`,
    /// or the file on disk); `to` is the merged text.
    Modify {
        path: PathBuf,
        version: Option<i32>,
        from: String,
        to: String,
    },
    Delete {
        path: PathBuf,
    },
}

/// What will be applied, file by file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentPlan {
    pub branch: String,
    pub actions: Vec<FileAction>,
    pub created: Vec<String>,
    pub modified: Vec<String>,
    pub deleted: Vec<String>,
    /// Files whose changes overlap the user's, with why.
    pub conflicts: Vec<String>,
    /// Files not applied for another reason, with why.
    pub skipped: Vec<String>,
}

impl AgentPlan {
    /// The conflicts and skipped files, as sentences to append.
    pub fn leftover_sentence(&self) -> String {
        let mut text = String::new();
        if !self.conflicts.is_empty() {
            text.push_str(&format!(
                " Not applied because of conflicts: {}. Compare with `git diff HEAD {} -- <file>` and merge by hand.",
                self.conflicts.join("; "),
                self.branch
            ));
        }
        if !self.skipped.is_empty() {
            text.push_str(&format!(" Skipped: {}.", self.skipped.join("; ")));
        }
        text
    }

    /// "created a, b; modified c".
    pub fn done_sentence(&self) -> String {
        let mut done = Vec::new();
        for (verb, files) in [
            ("created", &self.created),
            ("modified", &self.modified),
            ("deleted", &self.deleted),
        ] {
            if !files.is_empty() {
                done.push(format!("{verb} {}", files.join(", ")));
            }
        }
        done.join("; ")
    }
}

/// Text of a file, `Ok(None)` when missing, `Err` when it is not UTF-8.
fn text_of(bytes: Option<Vec<u8>>) -> Result<Option<String>, ()> {
    match bytes {
        None => Ok(None),
        Some(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| ()),
    }
}

/// Plan the application of the agent's changes on `branch`. `buffer`
/// gives an open document's version and text; `file_operations` says
/// whether the editor can create and delete files.
pub async fn plan(
    files: &ProjectFiles,
    branch: &str,
    buffer: &(dyn Fn(&Path) -> Option<(i32, String)> + Sync),
    file_operations: bool,
) -> Result<AgentPlan, String> {
    let root = files.root();
    if !git::branch_exists(root, branch).await {
        return Err(format!(
            "There is no branch {branch}: the agent's changes live there after \"Work this spec\" runs. Run the spec first."
        ));
    }
    let (base, changes) = branch_changes(root, branch)
        .await
        .map_err(|e| format!("Cannot read the agent's changes: {e}."))?;
    if changes.is_empty() {
        return Err(format!(
            "Branch {branch} changes nothing but chant's own files (specs, archive, logs): there are no agent changes to apply."
        ));
    }
    let mut plan = AgentPlan {
        branch: branch.to_string(),
        ..Default::default()
    };
    let mut unchanged = 0usize;
    for change in changes {
        let name = change.path.to_string_lossy().into_owned();
        let absolute: PathBuf = root.join(&change.path);
        if !files.contains(&absolute) {
            plan.skipped
                .push(format!("{name} (it leads outside the project)"));
            continue;
        }
        let open = buffer(&absolute);
        let disk = text_of(files.read(&absolute, Limit::SPEC).ok());
        let theirs = match change.kind {
            ChangeKind::Deleted => Ok(None),
            _ => text_of(
                git::file_at(root, branch, &change.path)
                    .await
                    .ok()
                    .flatten(),
            ),
        };
        let ancestor = match change.kind {
            ChangeKind::Added => Ok(None),
            _ => text_of(git::file_at(root, &base, &change.path).await.ok().flatten()),
        };
        let (Ok(disk), Ok(theirs), Ok(ancestor)) = (disk, theirs, ancestor) else {
            plan.skipped.push(format!(
                "{name} (not UTF-8 text: use `git checkout {branch} -- {name}`)"
            ));
            continue;
        };
        let (version, current) = match &open {
            Some((version, text)) => (Some(*version), Some(text.clone())),
            None => (None, disk.clone()),
        };
        match change.kind {
            ChangeKind::Added => {
                let theirs = theirs.unwrap_or_default();
                match current {
                    Some(current) if current == theirs => unchanged += 1,
                    Some(_) => plan.conflicts.push(format!(
                        "{name} (the agent created it, and a different file of that name exists here)"
                    )),
                    None if !file_operations => plan.skipped.push(format!(
                        "{name} (created by the agent; this editor cannot create files through the language server)"
                    )),
                    None => {
                        plan.actions.push(FileAction::Create {
                            path: absolute,
                            text: theirs,
                        });
                        plan.created.push(name);
                    }
                }
            }
            ChangeKind::Modified => {
                let theirs = theirs.unwrap_or_default();
                let ancestor = ancestor.unwrap_or_default();
                let Some(current) = current else {
                    plan.conflicts.push(format!(
                        "{name} (the agent changed it, and it was deleted here)"
                    ));
                    continue;
                };
                match merge3(&ancestor, &current, &theirs) {
                    Merge::Clean(merged) if merged == current => unchanged += 1,
                    Merge::Clean(merged) => {
                        plan.actions.push(FileAction::Modify {
                            path: absolute,
                            version,
                            from: current,
                            to: merged,
                        });
                        plan.modified.push(name);
                    }
                    Merge::Conflict => plan
                        .conflicts
                        .push(format!("{name} (the agent's changes overlap yours)")),
                }
            }
            ChangeKind::Deleted => {
                let ancestor = ancestor.unwrap_or_default();
                match current {
                    None => unchanged += 1,
                    Some(current) if current == ancestor && disk.as_ref() == Some(&ancestor) => {
                        if file_operations {
                            plan.actions.push(FileAction::Delete { path: absolute });
                            plan.deleted.push(name);
                        } else {
                            plan.skipped.push(format!(
                                "{name} (deleted by the agent; this editor cannot delete files through the language server)"
                            ));
                        }
                    }
                    Some(_) => plan.conflicts.push(format!(
                        "{name} (the agent deleted it, and it was changed here)"
                    )),
                }
            }
        }
    }
    if plan.actions.is_empty() {
        let mut why = if unchanged > 0 && plan.conflicts.is_empty() && plan.skipped.is_empty() {
            format!("The workspace already has the agent's changes from {branch}.")
        } else {
            format!("Nothing from {branch} can be applied.")
        };
        why.push_str(&plan.leftover_sentence());
        return Err(why);
    }
    Ok(plan)
}
