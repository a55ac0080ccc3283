//! Pulled diagnostics: `textDocument/diagnostic` and `workspace/diagnostic`,
//! with result IDs so that what the client already has costs nothing.
//!
//! - An open spec is answered with its buffer's analysis (an early one
//!   while the workspace is being indexed; the client is asked to pull
//!   again when the full one differs).
//! - A closed spec is answered with its kept result (`closed`).
//! - `workspace/diagnostic` reports every closed spec of the workspace
//!   whose result differs from the one the client names, and the specs
//!   that are gone (empty). When nothing differs it is held open until
//!   something does (the client then gets the change at once, and an idle
//!   server sends nothing). One request is held at a time: a newer one
//!   makes the older answer (with what differs, often nothing), and
//!   `$/cancelRequest` drops it, so held requests never fill the
//!   framework's request slots.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::super::capabilities::ClientCaps;
use super::super::closed::{self, result_id_string};
use super::super::convert;
use super::super::declared;
use super::super::diagnostics;
use super::super::documents::doc_key;
use super::super::session::Session;
use crate::workspace::results::{empty_result_id, SpecResult};

fn full(result_id: u64, items: Vec<Diagnostic>) -> FullDocumentDiagnosticReport {
    FullDocumentDiagnosticReport {
        result_id: Some(result_id_string(result_id)),
        items,
    }
}

/// A result's diagnostics as this client takes them.
fn diagnostics_of(caps: &ClientCaps, result: &SpecResult) -> Vec<Diagnostic> {
    result
        .diagnostics
        .iter()
        .map(|d| declared::diagnostic(caps, convert::placed(d)))
        .collect()
}

fn report(
    caps: &ClientCaps,
    previous: Option<&str>,
    result: &SpecResult,
) -> DocumentDiagnosticReportKind {
    let id = result_id_string(result.result_id);
    if previous == Some(id.as_str()) {
        DocumentDiagnosticReportKind::Unchanged(UnchangedDocumentDiagnosticReport { result_id: id })
    } else {
        DocumentDiagnosticReportKind::Full(full(result.result_id, diagnostics_of(caps, result)))
    }
}

fn answer(kind: DocumentDiagnosticReportKind) -> DocumentDiagnosticReportResult {
    let report = match kind {
        DocumentDiagnosticReportKind::Full(full) => {
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: full,
            })
        }
        DocumentDiagnosticReportKind::Unchanged(unchanged) => {
            DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                related_documents: None,
                unchanged_document_diagnostic_report: unchanged,
            })
        }
    };
    DocumentDiagnosticReportResult::Report(report)
}

fn empty_report(previous: Option<&str>) -> DocumentDiagnosticReportResult {
    let empty = SpecResult::new("", "", Vec::new(), crate::text::PositionEncoding::Utf16);
    answer(report(&ClientCaps::default(), previous, &empty))
}

pub async fn document(
    session: &Arc<Session>,
    params: DocumentDiagnosticParams,
) -> Result<DocumentDiagnosticReportResult> {
    let uri = params.text_document.uri;
    let previous = params.previous_result_id.as_deref();
    let key = doc_key(&uri);
    let open = session
        .documents()
        .with_doc(&key, |d| d.is_spec())
        .is_some();
    if open {
        let Some(outcome) = diagnostics::current_or_early(session, &key).await else {
            return Ok(empty_report(previous));
        };
        let placed = outcome.placed(session);
        session.documents().with_doc(&key, |d| {
            if d.instance == outcome.instance {
                d.pulled = Some((outcome.version, placed.result_id));
            }
        });
        // An early analysis: the full one follows when the index is ready,
        // and asks for a pull if it differs.
        return Ok(answer(report(session.caps(), previous, &placed)));
    }
    let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
        return Ok(empty_report(previous));
    };
    if !session.settings().workspace_diagnostics
        || !matches!(
            crate::workspace::classify(&path),
            crate::workspace::ChantFile::Spec { .. }
        )
    {
        return Ok(empty_report(previous));
    }
    session.wait_indexed().await;
    match closed::result_now(session, &path).await {
        Some(result) => Ok(answer(report(session.caps(), previous, &result))),
        None => Ok(empty_report(previous)),
    }
}

/// The reports that differ from what the client has.
fn differences(
    session: &Session,
    previous: &HashMap<PathBuf, String>,
) -> Vec<WorkspaceDocumentDiagnosticReport> {
    let open: HashSet<PathBuf> = session.documents().open_spec_paths().into_iter().collect();
    let empty = result_id_string(empty_result_id());
    let mut items = Vec::new();
    let mut known: HashSet<PathBuf> = HashSet::new();
    let mut pending: HashSet<PathBuf> = HashSet::new();
    for project in session.projects().all() {
        let (all, dirty): (Vec<(PathBuf, Arc<SpecResult>)>, Vec<PathBuf>) = {
            let results = project.results();
            let all = results.all();
            let dirty = all
                .iter()
                .map(|(p, _)| p)
                .chain(previous.keys())
                .filter(|p| p.starts_with(&project.root) && results.is_dirty(p))
                .cloned()
                .collect();
            (all, dirty)
        };
        pending.extend(dirty);
        for (path, result) in all {
            known.insert(path.clone());
            // Open specs are pulled one by one; specs about to be diagnosed
            // again are reported once they are.
            if open.contains(&path) || pending.contains(&path) {
                continue;
            }
            let id = result_id_string(result.result_id);
            if previous.get(&path) == Some(&id) {
                continue;
            }
            if previous.get(&path).is_none() && result.result_id == empty_result_id() {
                // Nothing to show, and the client shows nothing.
                continue;
            }
            let Some(uri) = Uri::from_file_path(&path) else {
                continue;
            };
            items.push(WorkspaceDocumentDiagnosticReport::Full(
                WorkspaceFullDocumentDiagnosticReport {
                    uri,
                    version: None,
                    full_document_diagnostic_report: full(
                        result.result_id,
                        diagnostics_of(session.caps(), &result),
                    ),
                },
            ));
        }
    }
    // Specs the client has diagnostics for that are gone (deleted, or
    // closed-spec diagnostics switched off).
    for (path, id) in previous {
        if known.contains(path) || open.contains(path) || pending.contains(path) || *id == empty {
            continue;
        }
        let Some(uri) = Uri::from_file_path(path) else {
            continue;
        };
        items.push(WorkspaceDocumentDiagnosticReport::Full(
            WorkspaceFullDocumentDiagnosticReport {
                uri,
                version: None,
                full_document_diagnostic_report: full(empty_result_id(), Vec::new()),
            },
        ));
    }
    items
}

pub async fn workspace(
    session: &Arc<Session>,
    params: WorkspaceDiagnosticParams,
) -> Result<WorkspaceDiagnosticReportResult> {
    let previous: HashMap<PathBuf, String> = params
        .previous_result_ids
        .into_iter()
        .filter_map(|p| Some((p.uri.to_file_path()?.into_owned(), p.value)))
        .collect();
    let mut epoch = session.closed().subscribe();
    let report =
        |items| WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport { items });
    let mut held = None;
    loop {
        epoch.borrow_and_update();
        let items = differences(session, &previous);
        if !items.is_empty() {
            return Ok(report(items));
        }
        // Nothing differs: held open until something does. One request
        // is held at a time: this one answers the one held before.
        let held = held.get_or_insert_with(|| session.closed().hold_pull());
        tokio::select! {
            changed = epoch.changed() => {
                if changed.is_err() {
                    return Ok(report(Vec::new()));
                }
            }
            () = held.released() => {
                return Ok(report(differences(session, &previous)));
            }
        }
    }
}

/// The two kinds a document report comes in.
enum DocumentDiagnosticReportKind {
    Full(FullDocumentDiagnosticReport),
    Unchanged(UnchangedDocumentDiagnosticReport),
}
