//! Code actions, code lenses and the `chant/specStatus` request: all three
//! ask `ide::actions` (and `analysis::readiness`) the same questions about
//! the same analysis of the document, and only translate the answers.

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
use crate::spec::id::is_safe_id;
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
}

/// Everything about an open spec the actions need. None for documents that
/// are not specs of a chant project.
async fn spec_state(session: &Arc<Session>, uri: &Uri) -> Option<SpecState> {
    let key = doc_key(uri);
    let (uri, path, kind) = session
        .documents()
        .with_doc(&key, |d| (d.uri.clone(), d.path.clone(), d.kind.clone()))?;
    let (ChantFile::Spec { id, root, .. }, Some(path)) = (kind, path) else {
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

pub async fn spec_status(
    session: &Arc<Session>,
    params: SpecStatusParams,
) -> Result<Option<SpecStatusResult>> {
    let uri = params.text_document.uri;
    session.snapshot(&uri).await?;
    let Some(state) = spec_state(session, &uri).await else {
        return Ok(None);
    };
    let (readiness, offers) =
        state.with_view(|view| (actions::readiness(view), actions::commands(view)));
    let model = &state.analysed.model;
    let v = model.values();
    let total = model.body.total_checkboxes();
    Ok(Some(SpecStatusResult {
        id: state.id.clone(),
        title: model.body.title.as_ref().map(|t| t.text.clone()),
        status: v.status.as_str().to_string(),
        spec_type: v.r#type.as_str().to_string(),
        readiness: readiness.name().to_string(),
        reason: readiness.reason(),
        criteria: CriteriaCount {
            checked: total - model.body.unchecked_count(),
            total,
        },
        running: state.running,
        commands: offers
            .iter()
            .map(|offer| CommandStatus {
                command: offer.command.name().to_string(),
                title: offer.title.clone(),
                arguments: command_arguments(&state.uri, &offer.command),
                enabled: offer.refused.is_none(),
                reason: offer.refused.clone(),
                lens: offer.lens,
            })
            .collect(),
    }))
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
