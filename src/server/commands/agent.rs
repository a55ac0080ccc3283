//! "Apply agent changes": the agent's work lives on branch `chant/<id>`
//! after `chant work` (single-spec work never merges). One
//! `workspace/applyEdit` brings the branch's changes (since it left the
//! current branch) into the workspace as editor edits the user reviews,
//! undoes or saves; files the user changed meanwhile are merged, and left
//! alone when the changes overlap.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::edits::{
    self, diff_edits, open_buffer, supports_file_operations, workspace_edit, Change,
};
use super::{refuse, resolve_target};
use crate::runner::git::{self, ChangeKind, FileChange};
use crate::server::session::Session;
use crate::spec::id::is_safe_id;
use crate::text::diff::{merge3, Merge};

/// Paths under the chant folder are chant's own (the spec copy chant
/// commits on the branch): never applied.
fn is_chant_file(path: &Path) -> bool {
    path.starts_with(".chant")
}

/// The agent's changes on `branch`, outside `.chant/`.
async fn branch_changes(
    root: &Path,
    branch: &str,
) -> std::result::Result<(String, Vec<FileChange>), String> {
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

/// `chant.applyAgentChanges [uri]`
pub async fn apply_command(session: &Arc<Session>, args: &[Value]) -> Result<Option<Value>> {
    let target = resolve_target(session, args).await?;
    if !is_safe_id(&target.id) {
        return Err(refuse(format!(
            "The spec ID {:?} cannot name a git branch safely: rename the spec file.",
            target.id
        )));
    }
    let branch = {
        let index = target
            .project
            .index
            .read()
            .unwrap_or_else(|e| e.into_inner());
        format!("{}{}", index.config.branch_prefix, target.id)
    };
    let plan = plan(session, &target.root, &branch).await?;
    let summary = plan.summary();
    let session = session.clone();
    tokio::spawn(async move { plan.apply(&session).await });
    Ok(Some(summary))
}

/// Apply the agent's changes for the spec at `uri` (the offer after a run).
pub async fn apply_for_uri(session: &Arc<Session>, uri: &Uri) -> Result<()> {
    apply_command(session, &[Value::String(uri.as_str().to_string())])
        .await
        .map(|_| ())
}

/// What will be applied, file by file.
struct Plan {
    branch: String,
    changes: Vec<Change>,
    created: Vec<String>,
    modified: Vec<String>,
    deleted: Vec<String>,
    /// Files whose changes overlap the user's, with why.
    conflicts: Vec<String>,
    /// Files not applied for another reason, with why.
    skipped: Vec<String>,
}

fn rel(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Text of a file, `Ok(None)` when missing, `Err` when it is not UTF-8.
fn text_of(bytes: Option<Vec<u8>>) -> std::result::Result<Option<String>, ()> {
    match bytes {
        None => Ok(None),
        Some(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| ()),
    }
}

async fn plan(session: &Arc<Session>, root: &Path, branch: &str) -> Result<Plan> {
    if !git::branch_exists(root, branch).await {
        return Err(refuse(format!(
            "There is no branch {branch}: the agent's changes live there after \"Work this spec\" runs. Run the spec first."
        )));
    }
    let (base, changes) = branch_changes(root, branch)
        .await
        .map_err(|e| refuse(format!("Cannot read the agent's changes: {e}.")))?;
    if changes.is_empty() {
        return Err(refuse(format!(
            "Branch {branch} changes nothing outside .chant/: there are no agent changes to apply."
        )));
    }
    let file_operations = supports_file_operations(session);
    let mut plan = Plan {
        branch: branch.to_string(),
        changes: Vec::new(),
        created: Vec::new(),
        modified: Vec::new(),
        deleted: Vec::new(),
        conflicts: Vec::new(),
        skipped: Vec::new(),
    };
    let mut unchanged = 0usize;
    for change in changes {
        let name = rel(&change.path);
        let absolute: PathBuf = root.join(&change.path);
        let Some(uri) = Uri::from_file_path(&absolute) else {
            plan.skipped
                .push(format!("{name} (not a path the editor can open)"));
            continue;
        };
        let buffer = open_buffer(session, &absolute);
        let disk = text_of(edits::read_file(&absolute).await.ok());
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
        let (version, current) = match &buffer {
            Some((_, version, text)) => (Some(*version), Some(text.clone())),
            None => (None, disk.clone()),
        };
        let uri = buffer.as_ref().map_or(uri, |(u, _, _)| u.clone());
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
                        plan.changes.push(Change::Create { uri: uri.clone() });
                        plan.changes.push(Change::Text {
                            uri,
                            version: None,
                            edits: diff_edits("", &theirs, session),
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
                        plan.changes.push(Change::Text {
                            uri,
                            version,
                            edits: diff_edits(&current, &merged, session),
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
                            plan.changes.push(Change::Delete { uri });
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
    if plan.changes.is_empty() {
        let mut why = if unchanged > 0 && plan.conflicts.is_empty() && plan.skipped.is_empty() {
            format!("The workspace already has the agent's changes from {branch}.")
        } else {
            format!("Nothing from {branch} can be applied.")
        };
        why.push_str(&plan.leftover_sentence());
        return Err(refuse(why));
    }
    Ok(plan)
}

impl Plan {
    fn summary(&self) -> Value {
        json!({
            "started": true,
            "branch": self.branch,
            "created": self.created,
            "modified": self.modified,
            "deleted": self.deleted,
            "conflicts": self.conflicts,
            "skipped": self.skipped,
        })
    }

    fn leftover_sentence(&self) -> String {
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

    async fn apply(self, session: &Arc<Session>) {
        let label = format!("Apply agent changes from {}", self.branch);
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
        let leftover = self.leftover_sentence();
        let branch = self.branch.clone();
        let edit = workspace_edit(session, self.changes);
        let (kind, message) = match edits::apply(session, &label, edit).await {
            Ok(None) => (
                if leftover.is_empty() { MessageType::INFO } else { MessageType::WARNING },
                format!(
                    "Brought the agent's changes from {branch} into the editor: {}. Review them, then save (or undo).{leftover}",
                    done.join("; ")
                ),
            ),
            Ok(Some(reason)) => (
                MessageType::ERROR,
                format!("The editor did not apply the agent's changes from {branch}: {reason}."),
            ),
            Err(e) => (
                MessageType::ERROR,
                format!("The agent's changes from {branch} were not applied: {e}."),
            ),
        };
        session.client.show_message(kind, message).await;
    }
}
