//! Code actions, code lenses and the `chant/specStatus` and `chant/specList`
//! requests: all ask `ide::commands` and `ide::status` the same
//! questions about the same analysis of a spec (an open document's, or a
//! closed spec's text read the guarded way), and only translate the
//! answers.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::super::capabilities::{APPLY_FIX, OPEN};
use super::super::convert::{self, TextPositions};
use super::super::declared;
use super::super::edits::{workspace_edit, Change};
use super::super::facts::{self, SpecFacts};
use super::super::session::Session;
use crate::ide::actions::{self, CodeFix, FixCategory, FixEffect};
use crate::ide::commands::{self, CommandOffer};
use crate::ide::status::{self, Branches, ListFacts, SpecStatusFacts};
use crate::ide::Sources;

fn offer_command(uri: &Uri, offer: &CommandOffer, title: &str) -> Command {
    Command {
        title: title.to_string(),
        command: offer.command.name().to_string(),
        arguments: Some(super::commands::arguments(uri, &offer.command)),
    }
}

pub async fn code_action(
    session: &Arc<Session>,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let Some((state, analysed)) = facts::for_offer(session, &params.text_document.uri).await else {
        return Ok(None);
    };
    let only = params.context.only.clone();
    let wants = |kind: &CodeActionKind| match &only {
        None => true,
        Some(list) => list.iter().any(|k| {
            kind.as_str() == k.as_str() || kind.as_str().starts_with(&format!("{}.", k.as_str()))
        }),
    };
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
                caps.create_files,
            );
        }
        if wants(&CodeActionKind::REFACTOR_REWRITE) {
            let rewrites = actions::rewrites(view, range.clone(), &analysed.diagnostics, &fixes);
            fixes.extend(rewrites);
        }
        let offers = if only.is_none() {
            commands::commands(view)
        } else {
            Vec::new()
        };
        (fixes, offers)
    });
    let mut out: Vec<CodeActionOrCommand> = fixes
        .into_iter()
        .filter_map(|fix| fix_action(session, &state, analysed.version, &positions, &ours, fix))
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
    Ok(Some(declared::code_actions(caps, out)))
}

/// One quick fix or rewrite as a code action. Its edit carries the version
/// it was computed for; a client without versioned edits gets a command
/// instead, which checks the version before the edit is made. A file it
/// creates with text is one edit (created, then the text inserted), and
/// the client is asked to show it afterwards when it can be.
fn fix_action(
    session: &Session,
    state: &SpecFacts,
    version: i32,
    positions: &TextPositions,
    ours: &[Diagnostic],
    fix: CodeFix,
) -> Option<CodeAction> {
    let caps = session.caps();
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
    let changes = match fix.effect {
        FixEffect::EditSpec(edits) => {
            let edits = positions.text_edits(&edits);
            if !caps.document_changes {
                action.command = Some(Command {
                    title: fix.title,
                    command: APPLY_FIX.into(),
                    arguments: Some(vec![json!({
                        "uri": state.uri.as_str(),
                        "version": version,
                        "edits": edits,
                    })]),
                });
                return Some(action);
            }
            vec![Change::Text {
                uri: state.uri.clone(),
                version: Some(version),
                edits,
            }]
        }
        FixEffect::CreateFile { path, content } => {
            let uri = Uri::from_file_path(&path)?;
            let mut changes = vec![Change::Create { uri: uri.clone() }];
            if !content.is_empty() {
                changes.push(Change::Text {
                    uri: uri.clone(),
                    version: None,
                    edits: vec![TextEdit {
                        range: Range::default(),
                        new_text: content,
                    }],
                });
                action.command = caps.show_document.then(|| Command {
                    title: format!("Open {}", path.display()),
                    command: OPEN.into(),
                    arguments: Some(vec![json!(uri.as_str())]),
                });
            }
            changes
        }
    };
    let (edit, left_out) = workspace_edit(caps, changes);
    if !left_out.is_empty() {
        return None;
    }
    action.edit = Some(edit);
    Some(action)
}

pub async fn code_lens(
    session: &Arc<Session>,
    params: CodeLensParams,
) -> Result<Option<Vec<CodeLens>>> {
    let Some((state, _)) = facts::for_offer(session, &params.text_document.uri).await else {
        return Ok(None);
    };
    let Some(row) = state.with_view(status::lens_row) else {
        return Ok(Some(Vec::new()));
    };
    let positions = TextPositions::new(&state.text, session.encoding());
    let range = positions.range(&row.range);
    let mut lenses = vec![CodeLens {
        range,
        command: Some(Command {
            title: row.status,
            command: String::new(),
            arguments: None,
        }),
        data: None,
    }];
    lenses.extend(row.offers.iter().map(|offer| CodeLens {
        range,
        command: Some(offer_command(&state.uri, offer, &offer.lens_title)),
        data: None,
    }));
    Ok(Some(lenses))
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
    /// `ready`, `refused`, `blocked`, `needs_approval`, `rejected`,
    /// `in_progress`, `completed`, `cancelled`, `failed` or `unreadable`.
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
    /// chant's grades in its letters; null when chant cannot read the spec.
    pub quality: Option<QualityResult>,
}

/// chant's quality light and grades (`chant work`'s, which decide whether
/// it runs the spec).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QualityResult {
    pub light: &'static str,
    pub complexity: &'static str,
    pub confidence: &'static str,
    pub splittability: &'static str,
    pub ac_quality: &'static str,
    pub isolation: Option<&'static str>,
    /// "Refine: complexity D (12 criteria)".
    pub summary: String,
}

#[derive(Debug, Serialize)]
pub struct CriteriaCount {
    pub checked: usize,
    pub total: usize,
}

/// A spec's status as the client gets it: the core's facts, with URIs and
/// each command's arguments.
fn status_result(uri: &Uri, facts: SpecStatusFacts) -> SpecStatusResult {
    SpecStatusResult {
        commands: facts
            .offers
            .iter()
            .map(|offer| CommandStatus {
                command: offer.command.name().to_string(),
                title: offer.title.clone(),
                arguments: super::commands::arguments(uri, &offer.command),
                enabled: offer.refused.is_none(),
                reason: offer.refused.clone(),
                lens: offer.lens,
            })
            .collect(),
        id: facts.id,
        title: facts.title,
        status: facts.status.to_string(),
        spec_type: facts.spec_type.to_string(),
        readiness: facts.readiness.to_string(),
        reason: facts.reason,
        list_note: facts.list_note,
        criteria: CriteriaCount {
            checked: facts.checked,
            total: facts.total,
        },
        running: facts.running,
        quality: facts.quality.map(|q| QualityResult {
            light: q.grades.light.as_str(),
            complexity: q.grades.complexity.as_str(),
            confidence: q.grades.confidence.as_str(),
            splittability: q.grades.splittability.as_str(),
            ac_quality: q.grades.ac_quality.as_str(),
            isolation: q.grades.isolation.map(|g| g.as_str()),
            summary: q.summary,
        }),
    }
}

pub async fn spec_status(
    session: &Arc<Session>,
    params: SpecStatusParams,
) -> Result<Option<SpecStatusResult>> {
    let uri = params.text_document.uri;
    session.snapshot(&uri).await?;
    let Some((state, _)) = facts::for_offer(session, &uri).await else {
        return Ok(None);
    };
    let facts = state.with_view(status::status_of);
    Ok(Some(status_result(&state.uri, facts)))
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
    let commands_enabled = session.settings().commands_enabled;
    let running: std::collections::HashSet<std::path::PathBuf> =
        session.runs().running().into_iter().collect();
    let buffers = Arc::new(Buffers(session.documents().with(|docs| {
        docs.values()
            .filter(|d| d.is_spec())
            .filter_map(|d| Some((d.path.clone()?, d.text.rope().to_string())))
            .collect()
    })));
    let running = Arc::new(running);
    let mut projects = Vec::new();
    let mut all = session.projects().all();
    all.sort_by(|a, b| a.root.cmp(&b.root));
    for project in all {
        if only.as_ref().is_some_and(|root| *root != project.root) {
            continue;
        }
        // Nothing is spawned (not even git) unless commands are enabled.
        let branches = if commands_enabled {
            let (prefix, main) = {
                let index = project.index();
                (
                    index.config.branch_prefix.clone(),
                    index.config.main_branch.clone(),
                )
            };
            let existing = crate::runner::git::branches_with_prefix(&project.root, &prefix);
            let merged =
                crate::runner::git::merged_branches_with_prefix(&project.root, &prefix, &main);
            let (existing, merged) = tokio::join!(existing, merged);
            Branches { existing, merged }
        } else {
            Branches::default()
        };
        let job_project = project.clone();
        let job_buffers = buffers.clone();
        let job_running = running.clone();
        let unsaved = facts::edited_files(session, &project.root);
        let listed = tokio::task::spawn_blocking(move || {
            let running = |path: &std::path::Path| job_running.contains(path);
            status::list_project(
                &job_project,
                &ListFacts {
                    sources: &*job_buffers,
                    running: &running,
                    branches: &branches,
                    commands_enabled,
                    unsaved_files: &unsaved,
                },
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
        let specs = listed
            .into_iter()
            .filter_map(|item| {
                let uri = Uri::from_file_path(&item.path)?;
                Some(SpecListItem {
                    uri: uri.as_str().to_string(),
                    labels: item.labels,
                    status: status_result(&uri, item.status),
                })
            })
            .collect();
        projects.push(ProjectSpecs {
            root: root.as_str().to_string(),
            name,
            specs,
        });
    }
    Ok(SpecListResult { projects })
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
