//! Code actions on a spec: quick fixes (every diagnostic that carries a fix,
//! plus fixes that need the spec model: moving mentioned IDs into
//! `depends_on`, creating a missing file, adding a required field, ticking
//! a criterion) and the chant commands that make sense for it now.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::edits::{supports_file_operations, text_edits, workspace_edit, Change};
use super::runs;
use super::{APPLY_AGENT_CHANGES, APPROVE, REJECT, WORK};
use crate::analysis::readiness as checks;
use crate::analysis::{self, Code, SpecContext, SpecLookup, WorkspaceFacts};
use crate::ide::fixes;
use crate::runner::args::is_safe_prompt_name;
use crate::runner::git;
use crate::server::convert::TextPositions;
use crate::server::session::{to_lsp, DocSnapshot, Session};
use crate::spec::frontmatter::{ApprovalStatus, SpecStatus};
use crate::spec::id::is_safe_id;
use crate::syntax::yaml::YamlKind;
use crate::text::diff::Edit;
use crate::text::TextRange;
use crate::workspace::files::join_inside;
use crate::workspace::ChantFile;

/// Keys whose items are paths of files the agent reads.
const PATH_KEYS: [&str; 3] = ["informed_by", "context", "origin"];

pub async fn code_action(
    session: &Arc<Session>,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let Ok(snap) = session.snapshot(&params.text_document.uri) else {
        return Ok(None);
    };
    let ChantFile::Spec { id, root, .. } = snap.kind.clone() else {
        return Ok(None);
    };
    let Some(project) = snap.project.clone() else {
        return Ok(None);
    };
    let only = params.context.only.clone();
    let wants = |kind: &CodeActionKind| match &only {
        None => true,
        Some(list) => list.iter().any(|k| {
            kind.as_str() == k.as_str() || kind.as_str().starts_with(&format!("{}.", k.as_str()))
        }),
    };
    let positions = TextPositions::new(&snap.text, session.encoding());
    let range = positions.offset(params.range.start)..positions.offset(params.range.end);
    let touches = |r: &TextRange| r.start <= range.end && range.start <= r.end;

    // A fresh analysis of this version: the client's diagnostics may be
    // for an older one, so their edits are not trusted as they are.
    let settings = session.settings();
    let diagnostics = {
        let text = snap.text.clone();
        let model = snap.model.clone();
        let project = project.clone();
        let id = id.clone();
        tokio::task::spawn_blocking(move || {
            let index = project.index.read().unwrap_or_else(|e| e.into_inner());
            let mut out = analysis::diagnose(&text, &model, SpecContext { id: &id }, &*index);
            settings.filter.apply(&mut out);
            out
        })
        .await
        .unwrap_or_default()
    };
    // The client's own diagnostic when it is the same one (same code and
    // place), else ours.
    let protocol_diagnostic = |d: &analysis::Diagnostic| -> Diagnostic {
        let ours = to_lsp(d, &positions);
        params
            .context
            .diagnostics
            .iter()
            .find(|c| c.code == ours.code && c.range == ours.range)
            .cloned()
            .unwrap_or(ours)
    };
    let edit_of = |edits: Vec<Edit>| -> WorkspaceEdit {
        let mut edits = edits;
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        workspace_edit(
            session,
            vec![Change::Text {
                uri: snap.uri.clone(),
                version: Some(snap.version),
                edits: text_edits(&snap.text, &edits, session),
            }],
        )
    };

    let mut actions: Vec<CodeAction> = Vec::new();
    let mut ticked_here = false;
    if wants(&CodeActionKind::QUICKFIX) {
        for d in diagnostics.iter().filter(|d| touches(&d.range)) {
            let Some(fix) = &d.fix else { continue };
            let edits = match d.code {
                // A value chant accepts for the field's type, in the file's
                // line breaks (the analysis's fix is type-blind).
                Code::MissingRequiredField => {
                    let name = fix
                        .title
                        .strip_prefix("Add `")
                        .and_then(|s| s.strip_suffix('`'))
                        .unwrap_or_default();
                    match fixes::add_field(&snap.text, &snap.model, name) {
                        Some(edit) => vec![edit],
                        None => fix.edits.clone(),
                    }
                }
                _ => fix.edits.clone(),
            };
            if d.code == Code::UncheckedCriterion {
                ticked_here = true;
            }
            actions.push(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![protocol_diagnostic(d)]),
                edit: Some(edit_of(edits)),
                is_preferred: Some(true),
                ..Default::default()
            });
        }
        actions.extend(move_mentions(
            &snap,
            &diagnostics,
            &touches,
            &protocol_diagnostic,
            &edit_of,
            &project.index.read().unwrap_or_else(|e| e.into_inner()),
        ));
        if supports_file_operations(session) {
            actions.extend(create_missing_files(
                &snap,
                &root,
                &diagnostics,
                &touches,
                &protocol_diagnostic,
                session,
            ));
        }
    }
    if wants(&CodeActionKind::REFACTOR_REWRITE) {
        if let Some(item) = fixes::criterion_at(&snap.model, range.start) {
            if let Some((title, edit)) = fixes::toggle_criterion(&snap.text, item) {
                if item.checked || !ticked_here {
                    actions.push(CodeAction {
                        title: title.to_string(),
                        kind: Some(CodeActionKind::REFACTOR_REWRITE),
                        edit: Some(edit_of(vec![edit])),
                        ..Default::default()
                    });
                }
            }
        }
    }
    if only.is_none() {
        if let Some(path) = &snap.path {
            actions.extend(run_actions(
                &snap,
                path,
                &id,
                &project.index.read().unwrap_or_else(|e| e.into_inner()),
            ));
            let branch = {
                let index = project.index.read().unwrap_or_else(|e| e.into_inner());
                format!("{}{}", index.config.branch_prefix, id)
            };
            if crate::spec::id::is_safe_id(&id) && branch_exists(&root, &branch).await {
                actions.push(command_action(
                    &format!("Apply agent changes ({branch})"),
                    APPLY_AGENT_CHANGES,
                    vec![json!(snap.uri.as_str())],
                ));
            }
        }
    }
    Ok(Some(
        actions
            .into_iter()
            .map(CodeActionOrCommand::CodeAction)
            .collect(),
    ))
}

/// How long a branch lookup is reused: editors ask for code actions on
/// every cursor move, and each lookup starts git.
const BRANCH_CACHE_TTL: Duration = Duration::from_secs(3);

/// (root, branch) → (when looked up, whether it exists).
type BranchCache = HashMap<(PathBuf, String), (Instant, bool)>;

static BRANCHES: LazyLock<Mutex<BranchCache>> = LazyLock::new(Default::default);

async fn branch_exists(root: &Path, branch: &str) -> bool {
    let key = (root.to_path_buf(), branch.to_string());
    let cached = BRANCHES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
        .filter(|(at, _)| at.elapsed() < BRANCH_CACHE_TTL)
        .map(|(_, exists)| *exists);
    if let Some(exists) = cached {
        return exists;
    }
    let exists = git::branch_exists(root, branch).await;
    let mut cache = BRANCHES.lock().unwrap_or_else(|e| e.into_inner());
    cache.retain(|_, (at, _)| at.elapsed() < BRANCH_CACHE_TTL);
    cache.insert(key, (Instant::now(), exists));
    exists
}

/// Forget the cached branch lookups (a chant run may have created one).
pub fn forget_branches() {
    BRANCHES.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

fn command_action(title: &str, command: &str, arguments: Vec<serde_json::Value>) -> CodeAction {
    CodeAction {
        title: title.to_string(),
        command: Some(Command {
            title: title.to_string(),
            command: command.to_string(),
            arguments: Some(arguments),
        }),
        ..Default::default()
    }
}

/// "Work this spec", "Work with prompt ...", "Approve spec", "Reject
/// spec...": only those chant would accept for the spec as it is (the
/// command itself says why when it is run anyway), and none while a run for
/// it is going on.
fn run_actions(
    snap: &DocSnapshot,
    path: &Path,
    id: &str,
    index: &crate::workspace::ProjectIndex,
) -> Vec<CodeAction> {
    let mut actions = Vec::new();
    if runs::is_running(path) || !snap.model.chant_accepts() || !is_safe_id(id) {
        return actions;
    }
    let uri = json!(snap.uri.as_str());
    let text = snap.text.as_str();
    let model = &snap.model;
    if checks::work_refusal(text, model, id, index, None).is_none() {
        actions.push(command_action("Work this spec", WORK, vec![uri.clone()]));
    }
    for prompt in index.prompts().filter(|p| !p.extension) {
        let name = prompt.name.as_str();
        if is_safe_prompt_name(name)
            && checks::work_refusal(text, model, id, index, Some(name)).is_none()
        {
            actions.push(command_action(
                &format!("Work with prompt {name}"),
                WORK,
                vec![uri.clone(), json!({"prompt": name})],
            ));
        }
    }
    let v = model.values();
    if let Some(approval) = &v.approval {
        let open = !matches!(v.status, SpecStatus::Completed | SpecStatus::Cancelled);
        if open && approval.status != ApprovalStatus::Approved {
            actions.push(command_action("Approve spec", APPROVE, vec![uri.clone()]));
        }
        if open && approval.status != ApprovalStatus::Rejected {
            actions.push(command_action("Reject spec...", REJECT, vec![uri]));
        }
    }
    actions
}

/// "Move `ID` into `depends_on`" for a mention under the cursor (all its
/// mentions leave the body), and "Move all mentioned spec IDs" when there
/// are several. Only IDs of specs chant finds.
fn move_mentions(
    snap: &DocSnapshot,
    diagnostics: &[analysis::Diagnostic],
    touches: &dyn Fn(&TextRange) -> bool,
    protocol_diagnostic: &dyn Fn(&analysis::Diagnostic) -> Diagnostic,
    edit_of: &dyn Fn(Vec<Edit>) -> WorkspaceEdit,
    index: &crate::workspace::ProjectIndex,
) -> Vec<CodeAction> {
    let text = snap.text.as_str();
    let flagged: Vec<&analysis::Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.code == Code::MentionsSpec)
        .filter(|d| {
            matches!(
                index.lookup_spec(&text[d.range.clone()]),
                SpecLookup::Found { .. }
            )
        })
        .collect();
    let ranges_of = |id: &str| -> Vec<TextRange> {
        flagged
            .iter()
            .filter(|d| &text[d.range.clone()] == id)
            .map(|d| d.range.clone())
            .collect()
    };
    let mut actions = Vec::new();
    let mut offered: Vec<&str> = Vec::new();
    for d in flagged.iter().filter(|d| touches(&d.range)) {
        let id = &text[d.range.clone()];
        if offered.contains(&id) {
            continue;
        }
        offered.push(id);
        let mut edits = fixes::add_dependencies(text, &snap.model, &[id]);
        if edits.is_empty()
            && !snap
                .model
                .values()
                .depends_on
                .iter()
                .flatten()
                .any(|x| x == id)
        {
            continue;
        }
        edits.extend(fixes::remove_mentions(text, &ranges_of(id)));
        actions.push(CodeAction {
            title: format!("Move `{id}` into `depends_on`"),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![protocol_diagnostic(d)]),
            edit: Some(edit_of(edits)),
            ..Default::default()
        });
    }
    let mut all_ids: Vec<&str> = flagged.iter().map(|d| &text[d.range.clone()]).collect();
    all_ids.sort();
    all_ids.dedup();
    if all_ids.len() > 1 && !offered.is_empty() {
        let mut edits = fixes::add_dependencies(text, &snap.model, &all_ids);
        let ranges: Vec<TextRange> = flagged.iter().map(|d| d.range.clone()).collect();
        edits.extend(fixes::remove_mentions(text, &ranges));
        actions.push(CodeAction {
            title: format!(
                "Move all {} mentioned spec IDs into `depends_on`",
                all_ids.len()
            ),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(flagged.iter().map(|d| protocol_diagnostic(d)).collect()),
            edit: Some(edit_of(edits)),
            ..Default::default()
        });
    }
    actions
}

/// "Create `path`" for a missing file in `informed_by`, `context` or
/// `origin` under the cursor.
fn create_missing_files(
    snap: &DocSnapshot,
    root: &Path,
    diagnostics: &[analysis::Diagnostic],
    touches: &dyn Fn(&TextRange) -> bool,
    protocol_diagnostic: &dyn Fn(&analysis::Diagnostic) -> Diagnostic,
    session: &Session,
) -> Vec<CodeAction> {
    let mut actions = Vec::new();
    let project_files = snap
        .project
        .as_ref()
        .map(|p| {
            p.index
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .project_files()
                .clone()
        })
        .unwrap_or_else(|| crate::workspace::ProjectFiles::on_disk(root));
    for key in PATH_KEYS {
        let Some(value) = snap
            .model
            .frontmatter
            .outline()
            .entry(key)
            .and_then(|e| e.value.as_ref())
        else {
            continue;
        };
        let items: Vec<_> = match &value.kind {
            YamlKind::Sequence { items, .. } => items.iter().collect(),
            YamlKind::Scalar(_) => vec![value],
            _ => Vec::new(),
        };
        for item in items {
            let Some(scalar) = item.as_scalar() else {
                continue;
            };
            let rel = scalar.text.trim();
            let range = item.content_range();
            if rel.is_empty()
                || rel.ends_with('/')
                || !touches(&range)
                || project_files.escapes(rel)
            {
                continue;
            }
            let Some(target) = join_inside(root, rel) else {
                continue;
            };
            if target.exists() {
                continue;
            }
            let Some(uri) = Uri::from_file_path(&target) else {
                continue;
            };
            let diagnostic = diagnostics
                .iter()
                .find(|d| d.code == Code::MissingFile && d.range == range)
                .map(protocol_diagnostic);
            actions.push(CodeAction {
                title: format!("Create `{rel}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: diagnostic.map(|d| vec![d]),
                edit: Some(workspace_edit(session, vec![Change::Create { uri }])),
                ..Default::default()
            });
        }
    }
    actions
}
