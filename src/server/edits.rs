//! Workspace edits as the client can take them, and `workspace/applyEdit`
//! with a timeout. Edits of open documents always carry the version they
//! were computed for: with versioned `documentChanges` the client refuses a
//! stale one itself; a client without them never gets an edit of an open
//! document from the server (it is left out and reported), so nothing is
//! ever applied to a newer buffer blindly.

use std::collections::HashMap;
use std::time::Duration;

use tower_lsp_server::ls_types::request::ApplyWorkspaceEdit;
use tower_lsp_server::ls_types::*;

use super::capabilities::ClientCaps;
use super::session::Session;

/// How long to wait for the client to answer `workspace/applyEdit`.
const APPLY_TIMEOUT: Duration = Duration::from_secs(60);

/// One change of a workspace edit.
#[derive(Debug, Clone)]
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

/// A workspace edit in the form the client takes, and the documents left
/// out because the client cannot take them safely (open documents for a
/// client without versioned edits; file operations it cannot do).
pub fn workspace_edit(caps: &ClientCaps, changes: Vec<Change>) -> (WorkspaceEdit, Vec<Uri>) {
    if caps.document_changes {
        let mut left_out = Vec::new();
        let operations = changes
            .into_iter()
            .filter_map(|change| match change {
                Change::Text {
                    uri,
                    version,
                    edits,
                } => Some(DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
                    edits: edits.into_iter().map(OneOf::Left).collect(),
                })),
                Change::Create { uri } if caps.create_files => Some(DocumentChangeOperation::Op(
                    ResourceOp::Create(CreateFile {
                        uri,
                        options: Some(CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(false),
                        }),
                        annotation_id: None,
                    }),
                )),
                Change::Delete { uri } if caps.file_operations => Some(
                    DocumentChangeOperation::Op(ResourceOp::Delete(DeleteFile {
                        uri,
                        options: Some(DeleteFileOptions {
                            recursive: Some(false),
                            ignore_if_not_exists: Some(true),
                        }),
                        annotation_id: None,
                    })),
                ),
                Change::Create { uri } | Change::Delete { uri } => {
                    left_out.push(uri);
                    None
                }
            })
            .collect();
        return (
            WorkspaceEdit {
                document_changes: Some(DocumentChanges::Operations(operations)),
                ..Default::default()
            },
            left_out,
        );
    }
    let mut map: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    let mut left_out = Vec::new();
    for change in changes {
        match change {
            Change::Text {
                uri,
                version: None,
                edits,
            } => map.entry(uri).or_default().extend(edits),
            Change::Text { uri, .. } | Change::Create { uri } | Change::Delete { uri } => {
                left_out.push(uri)
            }
        }
    }
    (
        WorkspaceEdit {
            changes: Some(map),
            ..Default::default()
        },
        left_out,
    )
}

/// Send `workspace/applyEdit` and wait (bounded) for the answer. `Ok(None)`
/// when applied; `Ok(Some(reason))` when the client refused.
pub async fn apply(
    session: &Session,
    label: &str,
    edit: WorkspaceEdit,
) -> Result<Option<String>, String> {
    if !session.caps().apply_edit {
        return Err(
            "the editor takes no edits from the server (it did not declare workspace.applyEdit)"
                .into(),
        );
    }
    let params = ApplyWorkspaceEditParams {
        label: Some(label.to_string()),
        edit,
    };
    let answer = tokio::time::timeout(
        APPLY_TIMEOUT,
        session.client().send_request::<ApplyWorkspaceEdit>(params),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[test]
    fn unversioned_clients_never_get_edits_of_open_documents() {
        let caps = ClientCaps::default();
        let changes = vec![
            Change::Text {
                uri: uri("file:///w/open.md"),
                version: Some(3),
                edits: vec![],
            },
            Change::Text {
                uri: uri("file:///w/closed.md"),
                version: None,
                edits: vec![],
            },
            Change::Create {
                uri: uri("file:///w/new.md"),
            },
        ];
        let (edit, left_out) = workspace_edit(&caps, changes);
        let map = edit.changes.unwrap();
        assert_eq!(
            map.keys().collect::<Vec<_>>(),
            [&uri("file:///w/closed.md")]
        );
        assert_eq!(
            left_out,
            [uri("file:///w/open.md"), uri("file:///w/new.md")]
        );
    }

    #[test]
    fn a_client_that_creates_but_does_not_delete_files_gets_only_creations() {
        let caps = ClientCaps {
            document_changes: true,
            create_files: true,
            ..Default::default()
        };
        let (edit, left_out) = workspace_edit(
            &caps,
            vec![
                Change::Create {
                    uri: uri("file:///w/new.md"),
                },
                Change::Delete {
                    uri: uri("file:///w/old.md"),
                },
            ],
        );
        assert_eq!(left_out, [uri("file:///w/old.md")]);
        let Some(DocumentChanges::Operations(ops)) = edit.document_changes else {
            panic!()
        };
        assert!(matches!(
            &ops[..],
            [DocumentChangeOperation::Op(ResourceOp::Create(c))] if c.uri == uri("file:///w/new.md")
        ));
    }

    #[test]
    fn versioned_clients_get_versions_and_file_operations() {
        let caps = ClientCaps {
            document_changes: true,
            file_operations: true,
            create_files: true,
            ..Default::default()
        };
        let (edit, left_out) = workspace_edit(
            &caps,
            vec![
                Change::Create {
                    uri: uri("file:///w/new.md"),
                },
                Change::Text {
                    uri: uri("file:///w/open.md"),
                    version: Some(3),
                    edits: vec![],
                },
            ],
        );
        assert!(left_out.is_empty());
        let Some(DocumentChanges::Operations(ops)) = edit.document_changes else {
            panic!()
        };
        assert!(matches!(
            &ops[0],
            DocumentChangeOperation::Op(ResourceOp::Create(_))
        ));
        assert!(
            matches!(&ops[1], DocumentChangeOperation::Edit(e) if e.text_document.version == Some(3))
        );
    }
}
