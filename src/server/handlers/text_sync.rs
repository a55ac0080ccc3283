//! Text document synchronization: a document opened, changed, saved or
//! closed.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::ls_types::*;

use super::super::closed;
use super::super::diagnostics;
use super::super::documents::{doc_key, ChangeOutcome, Document};
use super::super::jobs;
use super::super::session::Session;
use super::super::watch;
use crate::text::text_hash;

/// `textDocument/didOpen`: the document is kept and analysed at once.
pub fn did_open(session: &Arc<Session>, params: DidOpenTextDocumentParams) {
    let doc = params.text_document;
    let key = doc_key(&doc.uri);
    let document = Document::open(doc.uri, doc.version, &doc.text);
    let path = document.path.clone().filter(|_| document.is_spec());
    let from_disk = document
        .path
        .clone()
        .filter(|_| is_read_from_disk(&document.kind));
    session.documents().open(key.clone(), document);
    if let Some(path) = path {
        closed::opened(session, &path);
    }
    if let Some(path) = from_disk {
        disk_may_have_changed(session, path);
    }
    diagnostics::refresh(session, &key, Duration::ZERO);
}

/// Prompts and the config: chant reads them from disk, and so does the
/// index, whatever an open buffer holds.
fn is_read_from_disk(kind: &crate::workspace::ChantFile) -> bool {
    use crate::workspace::ChantFile;
    matches!(kind, ChantFile::Prompt { .. } | ChantFile::Config { .. })
}

/// A prompt or the config opened or saved: the index reads it again from
/// disk. A client that does not watch files (or a file made by a workspace
/// edit, which no watcher may report) is otherwise never seen: a spec would
/// keep saying its new prompt is missing.
fn disk_may_have_changed(session: &Arc<Session>, path: PathBuf) {
    watch::files_changed_as(session, vec![(path, crate::workspace::FileEvent::Unknown)]);
}

/// `textDocument/didChange`: the edits applied at once, in arrival order; the
/// diagnostics scheduled (see `diagnostics`).
pub async fn did_change(session: &Arc<Session>, params: DidChangeTextDocumentParams) {
    // Applied before any await, so edits keep their arrival order.
    let key = doc_key(&params.text_document.uri);
    let encoding = session.encoding();
    let debounce = session.settings().debounce;
    // The change and its publication are scheduled in one lock.
    let outcome = session.documents().with_doc(&key, |doc| {
        let outcome = doc.apply_changes(
            params.text_document.version,
            params.content_changes,
            encoding,
        );
        let spawn = diagnostics::schedule_change(doc, debounce);
        (outcome, doc.path.clone(), spawn)
    });
    let Some((outcome, path, spawn)) = outcome else {
        session
            .client()
            .log_message(
                MessageType::WARNING,
                format!(
                    "chant-lsp: ignored a change to {}, which is not open",
                    params.text_document.uri.as_str()
                ),
            )
            .await;
        return;
    };
    if spawn {
        diagnostics::spawn_publisher(session, key.clone());
    }
    if let Some(path) = &path {
        jobs::sync::buffer_changed(session, path);
    }
    if let ChangeOutcome::VersionNotIncreasing { previous } = outcome {
        session
                .client()
                .log_message(
                    MessageType::WARNING,
                    format!(
                        "chant-lsp: version {} of {} does not follow {previous}; applied in arrival order",
                        params.text_document.version,
                        params.text_document.uri.as_str()
                    ),
                )
                .await;
    }
}

/// `textDocument/didSave`: the buffer is what is on disk.
pub fn did_save(session: &Arc<Session>, params: DidSaveTextDocumentParams) {
    // A saved buffer is what is on disk.
    let key = doc_key(&params.text_document.uri);
    session.documents().with_doc(&key, |d| {
        d.clean_hash = text_hash(d.text.rope().to_string().as_str());
    });
    if let Some(path) = params.text_document.uri.to_file_path() {
        session.forget_removed(&path);
        jobs::sync::buffer_changed(session, &path);
        if is_read_from_disk(&crate::workspace::classify(&path)) {
            disk_may_have_changed(session, path.into_owned());
        }
    }
}

/// `textDocument/didClose`: the disk is the truth again.
pub async fn did_close(session: &Arc<Session>, params: DidCloseTextDocumentParams) {
    let key = doc_key(&params.text_document.uri);
    let closed = session.documents().with(|docs| docs.remove(&key));
    if let Some(doc) = closed.filter(|d| d.is_spec()) {
        let replaced = doc
            .path
            .as_deref()
            .is_some_and(|p| closed::replaces_on_close(session, p));
        if let Some(path) = &doc.path {
            session.forget_removed(path);
            // The buffer may have held unsaved changes: the disk is the
            // truth again, read like any file changed on disk, and its
            // diagnostics replace the document's (or are cleared).
            watch::files_changed_as(
                session,
                vec![(path.clone(), crate::workspace::FileEvent::Changed)],
            );
            closed::closed(session, path, replaced);
        }
        if !replaced && !session.caps().pull_diagnostics {
            diagnostics::clear(session, doc.uri.clone()).await;
        }
    }
}
