//! Code actions, code lenses and the `chant/specStatus` and `chant/specList`
//! requests: all ask `ide::actions` (and `analysis::readiness`) the same
//! questions about the same analysis of a spec (an open document's, or a
//! closed spec's text read the guarded way), and only translate the
//! answers.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::super::capabilities::APPLY_FIX;
use super::super::convert::{self, TextPositions};
use super::super::diagnostics;
use super::super::documents::doc_key;
use super::super::documents::Analysed;
use super::super::edits::{workspace_edit, Change};
use super::super::session::Session;
use crate::analysis::readiness::Readiness;
use crate::ide::actions::{self, CommandOffer, Fix, FixCategory, FixEffect, SpecCommand, SpecView};
use crate::ide::Sources;
use crate::spec::id::is_safe_id;
use crate::spec::SpecModel;
use crate::workspace::ChantFile;

/// A spec document's current analysis and what the actions need besides.
struct SpecState {
    uri: Uri,
    id: String,
    analysed: Arc<Analysed>,
    running: bool,
    agent_branch: Option<String>,
    branch_merged: Option<bool>,
    commands_enabled: bool,
    nested: bool,
}

/// Everything about an open spec the actions need. None for documents that
/// are not specs of a chant project.
async fn spec_state(session: &Arc<Session>, uri: &Uri) -> Option<SpecState> {
    let key = doc_key(uri);
    let (uri, path, kind) = session
        .documents()
        .with_doc(&key, |d| (d.uri.clone(), d.path.clone(), d.kind.clone()))?;
    let (
        ChantFile::Spec {
            id,
            root,
            top_level,
        },
        Some(path),
    ) = (kind, path)
    else {
        return None;
    };
    let analysed = diagnostics::current(session, &key).await?;
    let commands_enabled = session.settings().commands_enabled;
    // Nothing is spawned (not even git) unless commands are enabled.
    let (agent_branch, branch_merged) = if commands_enabled && is_safe_id(&id) {
        let (branch, main) = {
            let index = analysed.project.index();
            (
                format!("{}{}", index.config.branch_prefix, id),
                index.config.main_branch.clone(),
            )
        };
        if session.branches().exists(&root, &branch).await {
            let merged = session.branches().merged(&root, &branch, &main).await;
            (Some(branch), merged)
        } else {
            (None, None)
        }
    } else {
        (None, None)
    };
    Some(SpecState {
        uri,
        running: session.runs().is_running(&path),
        id,
        analysed,
        agent_branch,
        branch_merged,
        commands_enabled,
        nested: !top_level,
    })
}

impl SpecState {
    /// Runs `f` over the spec's view (the index read-locked, off the async threads).
    fn with_view<R>(&self, f: impl FnOnce(&SpecView) -> R) -> R {
        tokio::task::block_in_place(|| {
            let index = self.analysed.project.index();
            f(&SpecView {
                id: &self.id,
                text: &self.analysed.text,
                model: &self.analysed.model,
                index: &index,
                running: self.running,
                agent_branch: self.agent_branch.as_deref(),
                branch_merged: self.branch_merged,
                commands_enabled: self.commands_enabled,
                nested: self.nested,
            })
        })
    }
}

/// The arguments an offer's command takes.
fn command_arguments(uri: &Uri, command: &SpecCommand) -> Vec<Value> {
    let uri = json!(uri.as_str());
    match command {
        SpecCommand::Work {
            prompt,
            skip_quality,
        } => {
            let mut options = serde_json::Map::new();
            if let Some(prompt) = prompt {
                options.insert("prompt".into(), json!(prompt));
            }
            if *skip_quality {
                options.insert("skipQuality".into(), json!(true));
            }
            if options.is_empty() {
                vec![uri]
            } else {
                vec![uri, Value::Object(options)]
            }
        }
        SpecCommand::Reset { work: true } => vec![uri, json!({"work": true})],
        SpecCommand::Cancel { delete: true } => vec![uri, json!({"delete": true})],
        _ => vec![uri],
    }
}

fn offer_command(uri: &Uri, offer: &CommandOffer, title: &str) -> Command {
    Command {
        title: title.to_string(),
        command: offer.command.name().to_string(),
        arguments: Some(command_arguments(uri, &offer.command)),
    }
}

pub async fn code_action(
    session: &Arc<Session>,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let Some(state) = spec_state(session, &params.text_document.uri).await else {
        return Ok(None);
    };
    let only = params.context.only.clone();
    let wants = |kind: &CodeActionKind| match &only {
        None => true,
        Some(list) => list.iter().any(|k| {
            kind.as_str() == k.as_str() || kind.as_str().starts_with(&format!("{}.", k.as_str()))
        }),
    };
    let analysed = &state.analysed;
    let positions = TextPositions::new(&analysed.text, session.encoding());
    let range = positions.byte_range(params.range);
    let ours: Vec<Diagnostic> = analysed
        .diagnostics
        .iter()
        .map(|d| convert::diagnostic(d, &positions))
        .collect();
    // The diagnostics the client names, wherever the cursor is: the same
    // code at the same place (the client's may be of an older version).
    let asked: Vec<usize> = (0..ours.len())
        .filter(|i| {
            params
                .context
                .diagnostics
                .iter()
                .any(|c| c.code == ours[*i].code && c.range == ours[*i].range)
        })
        .collect();
    let caps = session.caps();
    let (fixes, offers) = state.with_view(|view| {
        let mut fixes = Vec::new();
        if wants(&CodeActionKind::QUICKFIX) {
            fixes = actions::quick_fixes(
                view,
                &analysed.diagnostics,
                range.clone(),
                &asked,
                caps.file_operations,
            );
        }
        if wants(&CodeActionKind::REFACTOR_REWRITE) {
            let rewrites = actions::rewrites(view, range.clone(), &analysed.diagnostics, &fixes);
            fixes.extend(rewrites);
        }
        let offers = if only.is_none() {
            actions::commands(view)
        } else {
            Vec::new()
        };
        (fixes, offers)
    });
    let mut out: Vec<CodeActionOrCommand> = fixes
        .into_iter()
        .filter_map(|fix| fix_action(session, &state, &positions, &ours, fix))
        .map(CodeActionOrCommand::CodeAction)
        .collect();
    for offer in offers {
        let action = match &offer.refused {
            None => CodeAction {
                title: offer.title.clone(),
                command: Some(offer_command(&state.uri, &offer, &offer.title)),
                ..Default::default()
            },
            Some(reason) if caps.disabled_code_actions => CodeAction {
                title: offer.title.clone(),
                disabled: Some(CodeActionDisabled {
                    reason: reason.clone(),
                }),
                ..Default::default()
            },
            Some(_) => continue,
        };
        out.push(CodeActionOrCommand::CodeAction(action));
    }
    Ok(Some(out))
}

/// One quick fix or rewrite as a code action. Its edit carries the version
/// it was computed for; a client without versioned edits gets a command
/// instead, which checks the version before the edit is made.
fn fix_action(
    session: &Session,
    state: &SpecState,
    positions: &TextPositions,
    ours: &[Diagnostic],
    fix: Fix,
) -> Option<CodeAction> {
    let caps = session.caps();
    let change = match &fix.effect {
        FixEffect::EditSpec(edits) => Change::Text {
            uri: state.uri.clone(),
            version: Some(state.analysed.version),
            edits: positions.text_edits(edits),
        },
        FixEffect::CreateFile(path) => Change::Create {
            uri: Uri::from_file_path(path)?,
        },
    };
    let kind = match fix.category {
        FixCategory::QuickFix => CodeActionKind::QUICKFIX,
        FixCategory::Rewrite => CodeActionKind::REFACTOR_REWRITE,
    };
    let diagnostics = (!fix.diagnostics.is_empty())
        .then(|| fix.diagnostics.iter().map(|i| ours[*i].clone()).collect());
    let mut action = CodeAction {
        title: fix.title.clone(),
        kind: Some(kind),
        diagnostics,
        is_preferred: fix.preferred.then_some(true),
        ..Default::default()
    };
    match change {
        Change::Text {
            uri,
            version,
            edits,
        } if !caps.document_changes => {
            action.command = Some(Command {
                title: fix.title,
                command: APPLY_FIX.into(),
                arguments: Some(vec![json!({
                    "uri": uri.as_str(),
                    "version": version,
                    "edits": edits,
                })]),
            });
        }
        change => {
            let (edit, left_out) = workspace_edit(caps, vec![change]);
            if !left_out.is_empty() {
                return None;
            }
            action.edit = Some(edit);
        }
    }
    Some(action)
}

pub async fn code_lens(
    session: &Arc<Session>,
    params: CodeLensParams,
) -> Result<Option<Vec<CodeLens>>> {
    let Some(state) = spec_state(session, &params.text_document.uri).await else {
        return Ok(None);
    };
    let Some(title) = state.analysed.model.body.title.as_ref() else {
        return Ok(Some(Vec::new()));
    };
    let positions = TextPositions::new(&state.analysed.text, session.encoding());
    let range = positions.range(&title.range);
    let (readiness, offers) =
        state.with_view(|view| (actions::readiness(view), actions::commands(view)));
    let model = &state.analysed.model;
    let total = model.body.total_checkboxes();
    let done = total - model.body.unchecked_count();
    let mut label = format!("{} · {done}/{total}", model.values().status.as_str());
    if !matches!(
        readiness,
        Readiness::Completed | Readiness::Cancelled | Readiness::InProgress
    ) {
        label.push_str(&format!(" · {}", lens_reason(&readiness)));
    }
    let mut lenses = vec![CodeLens {
        range,
        command: Some(Command {
            title: label,
            command: String::new(),
            arguments: None,
        }),
        data: None,
    }];
    lenses.extend(
        offers
            .iter()
            .filter(|o| o.refused.is_none() && o.lens)
            .map(|offer| CodeLens {
                range,
                command: Some(offer_command(&state.uri, offer, &offer.lens_title)),
                data: None,
            }),
    );
    Ok(Some(lenses))
}

/// The readiness on the lens: "ready", "blocked: waiting for X (pending)".
fn lens_reason(readiness: &Readiness) -> String {
    match readiness {
        Readiness::Ready => "ready".into(),
        other => format!("{}: {}", other.label(), other.reason()),
    }
}

/// `chant/specStatus` parameters: `{"textDocument": {"uri": ...}}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecStatusParams {
    pub text_document: TextDocumentIdentifier,
}

/// One command of a spec, for an editor's own UI.
#[derive(Debug, Serialize)]
pub struct CommandStatus {
    pub command: String,
    pub title: String,
    pub arguments: Vec<Value>,
    pub enabled: bool,
    /// Why it is not enabled.
    pub reason: Option<String>,
    /// The server shows it as a code lens too (when enabled).
    pub lens: bool,
}

/// `chant/specStatus` result.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecStatusResult {
    pub id: String,
    pub title: Option<String>,
    /// The `status:` field as chant reads it.
    pub status: String,
    #[serde(rename = "type")]
    pub spec_type: String,
    /// `ready`, `blocked`, `needs_approval`, `rejected`, `in_progress`,
    /// `completed`, `cancelled`, `failed` or `unreadable`.
    pub readiness: String,
    /// Why, in words: "waiting for 2026-01-29-002-def (in_progress)".
    pub reason: String,
    /// Where `chant list` shows the spec otherwise than `chant work` sees
    /// it (its notion of "blocked" differs), the sentence that says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_note: Option<String>,
    pub criteria: CriteriaCount,
    /// A chant run for this spec is going on.
    pub running: bool,
    pub commands: Vec<CommandStatus>,
}

#[derive(Debug, Serialize)]
pub struct CriteriaCount {
    pub checked: usize,
    pub total: usize,
}

/// A spec's status, readiness and commands, from its view: the one answer
/// `chant/specStatus` and `chant/specList` give for a spec.
fn status_of(uri: &Uri, view: &SpecView) -> SpecStatusResult {
    let readiness = actions::readiness(view);
    let offers = actions::commands(view);
    let model = view.model;
    let v = model.values();
    let total = model.body.total_checkboxes();
    SpecStatusResult {
        id: view.id.to_string(),
        title: model.body.title.as_ref().map(|t| t.text.clone()),
        status: v.status.as_str().to_string(),
        spec_type: v.r#type.as_str().to_string(),
        readiness: readiness.name().to_string(),
        reason: readiness.reason(),
        list_note: crate::analysis::readiness::list_disagreement(
            model, view.id, view.index, &readiness,
        ),
        criteria: CriteriaCount {
            checked: total - model.body.unchecked_count(),
            total,
        },
        running: view.running,
        commands: offers
            .iter()
            .map(|offer| CommandStatus {
                command: offer.command.name().to_string(),
                title: offer.title.clone(),
                arguments: command_arguments(uri, &offer.command),
                enabled: offer.refused.is_none(),
                reason: offer.refused.clone(),
                lens: offer.lens,
            })
            .collect(),
    }
}

pub async fn spec_status(
    session: &Arc<Session>,
    params: SpecStatusParams,
) -> Result<Option<SpecStatusResult>> {
    let uri = params.text_document.uri;
    session.snapshot(&uri).await?;
    let Some(state) = spec_state(session, &uri).await else {
        return Ok(None);
    };
    Ok(Some(state.with_view(|view| status_of(&state.uri, view))))
}

/// `chant/specList` parameters: `{}`, or `{"rootUri": ...}` for one project.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SpecListParams {
    pub root_uri: Option<Uri>,
}

/// `chant/specList` result.
#[derive(Debug, Serialize)]
pub struct SpecListResult {
    pub projects: Vec<ProjectSpecs>,
}

/// One project and its specs, sorted by ID.
#[derive(Debug, Serialize)]
pub struct ProjectSpecs {
    /// The project root (the folder holding `.chant/`).
    pub root: String,
    /// `project.name` from `.chant/config.md`.
    pub name: Option<String>,
    pub specs: Vec<SpecListItem>,
}

/// One spec: where it is, its labels, and what `chant/specStatus` says.
#[derive(Debug, Serialize)]
pub struct SpecListItem {
    pub uri: String,
    pub labels: Vec<String>,
    #[serde(flatten)]
    pub status: SpecStatusResult,
}

/// The open buffers' texts (the editor's truth for open specs).
struct Buffers(HashMap<std::path::PathBuf, String>);

impl Sources for Buffers {
    fn open_text(&self, path: &std::path::Path) -> Option<String> {
        self.0.get(path).cloned()
    }
}

pub async fn spec_list(
    session: &Arc<Session>,
    params: Option<SpecListParams>,
) -> Result<SpecListResult> {
    session.wait_indexed().await;
    let only = params
        .unwrap_or_default()
        .root_uri
        .and_then(|u| u.to_file_path().map(|p| p.into_owned()));
    let settings = session.settings();
    let running: std::collections::HashSet<std::path::PathBuf> =
        session.runs().running().into_iter().collect();
    let buffers = Buffers(session.documents().with(|docs| {
        docs.values()
            .filter(|d| d.is_spec())
            .filter_map(|d| Some((d.path.clone()?, d.rope.to_string())))
            .collect()
    }));
    let buffers = Arc::new(buffers);
    let mut projects = Vec::new();
    let mut all = session.projects().all();
    all.sort_by(|a, b| a.root.cmp(&b.root));
    for project in all {
        if only.as_ref().is_some_and(|root| *root != project.root) {
            continue;
        }
        // Nothing is spawned (not even git) unless commands are enabled.
        let (branches, merged) = if settings.commands_enabled {
            let (prefix, main) = {
                let index = project.index();
                (
                    index.config.branch_prefix.clone(),
                    index.config.main_branch.clone(),
                )
            };
            let git = crate::runner::git::branches_with_prefix(&project.root, &prefix);
            let merged =
                crate::runner::git::merged_branches_with_prefix(&project.root, &prefix, &main);
            tokio::join!(git, merged)
        } else {
            Default::default()
        };
        let job_project = project.clone();
        let job_buffers = buffers.clone();
        let running = running.clone();
        let commands_enabled = settings.commands_enabled;
        let specs = tokio::task::spawn_blocking(move || {
            list_project(
                &job_project,
                &job_buffers,
                &running,
                (&branches, merged.as_ref()),
                commands_enabled,
            )
        })
        .await
        .map_err(|e| {
            let mut error = tower_lsp_server::jsonrpc::Error::internal_error();
            error.message = e.to_string().into();
            error
        })?;
        let name = project.index().config.project_name.clone();
        let Some(root) = Uri::from_file_path(&project.root) else {
            continue;
        };
        projects.push(ProjectSpecs {
            root: root.as_str().to_string(),
            name,
            specs,
        });
    }
    Ok(SpecListResult { projects })
}

/// Every spec of a project (read in parallel without the index's lock,
/// then assessed against the index), sorted by ID.
fn list_project(
    project: &crate::workspace::Project,
    buffers: &Buffers,
    running: &std::collections::HashSet<std::path::PathBuf>,
    (branches, merged): (
        &std::collections::HashSet<String>,
        Option<&std::collections::HashSet<String>>,
    ),
    commands_enabled: bool,
) -> Vec<SpecListItem> {
    use rayon::prelude::*;
    let entries: Vec<(String, std::path::PathBuf, Vec<String>, bool)> = {
        let index = project.index();
        index
            .specs()
            .chain(index.nested_specs())
            .map(|e| {
                (
                    e.id.clone(),
                    e.path.clone(),
                    e.summary.labels.clone(),
                    !e.top_level,
                )
            })
            .collect()
    };
    let files = project.files().clone();
    type Read = (std::path::PathBuf, Vec<String>, bool, String, SpecModel);
    let read: Vec<(String, Read)> = entries
        .into_par_iter()
        .map(|(id, path, labels, nested)| {
            let text = crate::ide::read_source(&files, buffers, &path).unwrap_or_default();
            let model = SpecModel::parse(&text);
            (id, (path, labels, nested, text, model))
        })
        .collect();
    let mut out: Vec<SpecListItem> = read
        .par_chunks(512)
        .flat_map_iter(|chunk| {
            let index = project.index();
            chunk
                .iter()
                .filter_map(|(id, (path, labels, nested, text, model))| {
                    let uri = Uri::from_file_path(path)?;
                    let branch = format!("{}{}", index.config.branch_prefix, id);
                    let view = SpecView {
                        id,
                        text,
                        model,
                        index: &index,
                        running: running.contains(path),
                        agent_branch: branches.contains(&branch).then_some(branch.as_str()),
                        branch_merged: branches
                            .contains(&branch)
                            .then(|| merged.map(|m| m.contains(&branch)))
                            .flatten(),
                        commands_enabled,
                        nested: *nested,
                    };
                    Some(item_of(&uri, labels, &view))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort_by(|a, b| a.status.id.cmp(&b.status.id).then(a.uri.cmp(&b.uri)));
    out
}

fn item_of(uri: &Uri, labels: &[String], view: &SpecView) -> SpecListItem {
    SpecListItem {
        uri: uri.as_str().to_string(),
        labels: view
            .model
            .values()
            .labels
            .clone()
            .unwrap_or_else(|| labels.to_vec()),
        status: {
            // Only what can run: a list of many specs would otherwise carry
            // every refused command with its reason (60 MB for 10,000
            // specs); `chant/specStatus` has them all for one spec.
            let mut status = status_of(uri, view);
            status.commands.retain(|c| c.enabled);
            status
        },
    }
}

/// `chant/serverStatus` parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServerStatusParams {
    /// Answer only once the server is idle.
    pub wait_for_idle: bool,
}

/// `chant/serverStatus` result: what the server is doing, for editors'
/// status displays and for tests that must know nothing more will happen.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerStatusResult {
    /// No analysis or publication scheduled, no file change waiting, the
    /// workspace indexed.
    pub idle: bool,
    /// Analyses made since the server started.
    pub analyses: u64,
    /// `textDocument/publishDiagnostics` sent since the server started.
    pub publications: u64,
    /// Spec files with a chant run going on.
    pub running: Vec<String>,
}

pub async fn server_status(
    session: &Arc<Session>,
    params: Option<ServerStatusParams>,
) -> Result<ServerStatusResult> {
    if params.unwrap_or_default().wait_for_idle {
        session.wait_idle().await;
    }
    let (analyses, publications) = session.counts();
    Ok(ServerStatusResult {
        idle: session.is_idle(),
        analyses,
        publications,
        running: session
            .runs()
            .running()
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
    })
}
