//! Workspace edits as the client can take them: versioned `documentChanges`
//! (with file operations) when it supports them, plain `changes` otherwise;
//! and `workspace/applyEdit` with a timeout.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::ls_types::request::ApplyWorkspaceEdit;
use tower_lsp_server::ls_types::*;

use super::super::convert::TextPositions;
use super::super::session::Session;
use crate::text::diff::{minimal_edits, Edit};

/// How long to wait for the client to answer `workspace/applyEdit`.
const APPLY_TIMEOUT: Duration = Duration::from_secs(60);

/// Protocol text edits for byte edits of `text`.
pub fn text_edits(text: &str, edits: &[Edit], session: &Session) -> Vec<TextEdit> {
    let positions = TextPositions::new(text, session.encoding());
    edits
        .iter()
        .map(|(range, new_text)| TextEdit {
            range: positions.range(range),
            new_text: new_text.clone(),
        })
        .collect()
}

/// The minimal protocol edits that turn `old` into `new`.
pub fn diff_edits(old: &str, new: &str, session: &Session) -> Vec<TextEdit> {
    text_edits(old, &minimal_edits(old, new), session)
}

/// One change of a workspace edit.
pub enum Change {
    /// Edits of a document; `version` is the open buffer's (None: not open).
    Text {
        uri: Uri,
        version: Option<i32>,
        edits: Vec<TextEdit>,
    },
    Create {
        uri: Uri,
    },
    Delete {
        uri: Uri,
    },
}

/// Whether the client takes `documentChanges` with create and delete.
pub fn supports_file_operations(session: &Session) -> bool {
    let kinds = session
        .client_capabilities
        .get()
        .and_then(|c| c.workspace.as_ref())
        .and_then(|w| w.workspace_edit.as_ref())
        .and_then(|e| e.resource_operations.clone())
        .unwrap_or_default();
    session.supports_document_changes()
        && kinds.contains(&ResourceOperationKind::Create)
        && kinds.contains(&ResourceOperationKind::Delete)
}

/// A workspace edit in the form the client takes. File operations are
/// dropped for clients without `documentChanges` (callers check
/// [`supports_file_operations`] first).
pub fn workspace_edit(session: &Session, changes: Vec<Change>) -> WorkspaceEdit {
    if session.supports_document_changes() {
        let operations = changes
            .into_iter()
            .map(|change| match change {
                Change::Text {
                    uri,
                    version,
                    edits,
                } => DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
                    edits: edits.into_iter().map(OneOf::Left).collect(),
                }),
                Change::Create { uri } => {
                    DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                        uri,
                        options: Some(CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(false),
                        }),
                        annotation_id: None,
                    }))
                }
                Change::Delete { uri } => {
                    DocumentChangeOperation::Op(ResourceOp::Delete(DeleteFile {
                        uri,
                        options: Some(DeleteFileOptions {
                            recursive: Some(false),
                            ignore_if_not_exists: Some(true),
                        }),
                        annotation_id: None,
                    }))
                }
            })
            .collect();
        return WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(operations)),
            ..Default::default()
        };
    }
    let mut map: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for change in changes {
        if let Change::Text { uri, edits, .. } = change {
            map.entry(uri).or_default().extend(edits);
        }
    }
    WorkspaceEdit {
        changes: Some(map),
        ..Default::default()
    }
}

/// Send `workspace/applyEdit` and wait (bounded) for the answer. `Ok(None)`
/// when applied; `Ok(Some(reason))` when the client refused.
pub async fn apply(
    session: &Session,
    label: &str,
    edit: WorkspaceEdit,
) -> Result<Option<String>, String> {
    let params = ApplyWorkspaceEditParams {
        label: Some(label.to_string()),
        edit,
    };
    let answer = tokio::time::timeout(
        APPLY_TIMEOUT,
        session.client.send_request::<ApplyWorkspaceEdit>(params),
    )
    .await;
    match answer {
        Ok(Ok(response)) if response.applied => Ok(None),
        Ok(Ok(response)) => Ok(Some(
            response
                .failure_reason
                .unwrap_or_else(|| "the editor did not say why".into()),
        )),
        Ok(Err(e)) => Err(format!("the editor answered with an error: {}", e.message)),
        Err(_) => Err(format!(
            "the editor did not answer within {} s",
            APPLY_TIMEOUT.as_secs()
        )),
    }
}

/// An open document's URI, version and text, by file path.
pub fn open_buffer(session: &Session, path: &Path) -> Option<(Uri, i32, String)> {
    let key = path.to_string_lossy().into_owned();
    session.with_docs(|docs| {
        docs.get(&key)
            .map(|d| (d.uri.clone(), d.version, d.rope.to_string()))
    })
}

/// The client shows `$/progress` (and accepts `window/workDoneProgress/create`).
pub fn supports_progress(session: &Arc<Session>) -> bool {
    session
        .client_capabilities
        .get()
        .and_then(|c| c.window.as_ref())
        .and_then(|w| w.work_done_progress)
        .unwrap_or(false)
}

/// Read a file on a blocking thread.
pub async fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || std::fs::read(path))
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)))
}
