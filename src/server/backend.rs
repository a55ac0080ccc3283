//! The `LanguageServer` implementation: translates protocol messages into
//! calls on the session and the IDE features, and nothing more.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::documents::{ChangeOutcome, Document};
use super::session::{doc_key, Session};
use super::settings::Settings;
use crate::text::PositionEncoding;

pub struct Backend {
    session: Arc<Session>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend {
            session: Arc::new(Session::new(client)),
        }
    }

    fn client(&self) -> &Client {
        &self.session.client
    }

    /// Ask the client for the `chant` settings (with a timeout: a client
    /// that never answers must not stall the server) and apply them.
    fn refresh_settings(&self, fallback: Option<Value>) {
        let session = self.session.clone();
        tokio::spawn(async move {
            let item = ConfigurationItem {
                scope_uri: None,
                section: Some("chant".into()),
            };
            let answer = tokio::time::timeout(
                Duration::from_secs(5),
                session.client.configuration(vec![item]),
            )
            .await;
            let value = match answer {
                Ok(Ok(mut values)) if !values.is_empty() && !values[0].is_null() => {
                    values.remove(0)
                }
                _ => fallback.unwrap_or(Value::Null),
            };
            let settings = Settings::from_json(&value);
            if !settings.unknown_codes.is_empty() {
                session
                    .client
                    .show_message(
                        MessageType::WARNING,
                        format!(
                            "chant: unknown diagnostic code(s) in chant.diagnostics.disabled: {}",
                            settings.unknown_codes.join(", ")
                        ),
                    )
                    .await;
            }
            if session.set_settings(settings) {
                session.reschedule_open_specs(None, None);
            }
        });
    }
}

/// Runs a request handler, turning a panic into an error answer so one bad
/// request cannot take the server down.
pub async fn guard<T>(what: &str, work: impl Future<Output = Result<T>>) -> Result<T> {
    match AssertUnwindSafe(work).catch_unwind().await {
        Ok(result) => result,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            eprintln!("chant-lsp: internal error in {what}: {detail}");
            Err(Error {
                code: ErrorCode::InternalError,
                message: format!("chant-lsp internal error in {what}: {detail}").into(),
                data: None,
            })
        }
    }
}

fn negotiate_encoding(params: &InitializeParams) -> PositionEncoding {
    let offered: Vec<PositionEncoding> = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .map(|list| {
            list.iter()
                .filter_map(|k| PositionEncoding::parse(k.as_str()))
                .collect()
        })
        .unwrap_or_default();
    [PositionEncoding::Utf8, PositionEncoding::Utf32]
        .into_iter()
        .find(|e| offered.contains(e))
        .unwrap_or(PositionEncoding::Utf16)
}

fn workspace_folders(params: &InitializeParams) -> Vec<PathBuf> {
    if let Some(folders) = &params.workspace_folders {
        return folders
            .iter()
            .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
            .collect();
    }
    #[allow(deprecated)]
    let root = params
        .root_uri
        .as_ref()
        .and_then(|u| u.to_file_path().map(|p| p.into_owned()));
    root.into_iter().collect()
}

fn kind(encoding: PositionEncoding) -> PositionEncodingKind {
    match encoding {
        PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        PositionEncoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

impl Backend {
    /// `window/workDoneProgress/cancel`: the user cancelled a progress we started.
    pub async fn work_done_progress_cancel(&self, params: WorkDoneProgressCancelParams) {
        super::commands::cancel_progress(&self.session, params).await;
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding = negotiate_encoding(&params);
        self.session.set_encoding(encoding);
        let _ = self
            .session
            .client_capabilities
            .set(params.capabilities.clone());
        if let Some(info) = &params.client_info {
            let _ = self.session.client_name.set(info.name.clone());
        }
        let folders = workspace_folders(&params);
        *self
            .session
            .workspace_folders
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = folders;
        if let Some(options) = &params.initialization_options {
            self.session.set_settings(Settings::from_json(options));
        }
        let watch_dynamic = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        self.session
            .watch_dynamic
            .store(watch_dynamic, Ordering::Relaxed);
        let mut capabilities = ServerCapabilities {
            position_encoding: Some(kind(encoding)),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                },
            )),
            workspace: Some(WorkspaceServerCapabilities {
                workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(OneOf::Left(true)),
                }),
                file_operations: None,
            }),
            ..Default::default()
        };
        super::ide::capabilities(&mut capabilities);
        super::commands::capabilities(&mut capabilities);
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "chant-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.refresh_settings(None);
        if self.session.watch_dynamic.load(Ordering::Relaxed) {
            let session = self.session.clone();
            tokio::spawn(async move { register_watchers(&session).await });
        }
        let session = self.session.clone();
        tokio::spawn(async move {
            let folders = session
                .workspace_folders
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            let loader = session.clone();
            let loaded =
                tokio::task::spawn_blocking(move || loader.projects.load_folders(&folders)).await;
            let count = loaded.map(|l| l.len()).unwrap_or(0);
            session.mark_indexed();
            session
                .client
                .log_message(
                    MessageType::INFO,
                    format!("chant-lsp: indexed {count} chant project(s)"),
                )
                .await;
            session.reschedule_open_specs(None, None);
        });
    }

    async fn shutdown(&self) -> Result<()> {
        self.session.shutting_down.store(true, Ordering::SeqCst);
        super::commands::shutdown(&self.session).await;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let key = doc_key(&doc.uri);
        let document = Document::open(doc.uri, doc.version, &doc.text);
        self.session
            .with_docs(|docs| docs.insert(key.clone(), document));
        self.session.schedule(key, Duration::ZERO);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // Applied before any await, so edits keep their arrival order.
        let key = doc_key(&params.text_document.uri);
        let encoding = self.session.encoding();
        let outcome = self.session.with_docs(|docs| {
            docs.get_mut(&key).map(|doc| {
                doc.apply_changes(
                    params.text_document.version,
                    params.content_changes,
                    encoding,
                )
            })
        });
        match outcome {
            None => {
                self.client()
                    .log_message(
                        MessageType::WARNING,
                        format!(
                            "chant-lsp: ignored a change to {}, which is not open",
                            params.text_document.uri.as_str()
                        ),
                    )
                    .await;
            }
            Some(outcome) => {
                if let ChangeOutcome::VersionNotIncreasing { previous } = outcome {
                    self.client()
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
                let delay = self.session.settings().debounce;
                self.session.schedule(key, delay);
            }
        }
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {}

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let key = doc_key(&params.text_document.uri);
        let closed = self.session.with_docs(|docs| docs.remove(&key));
        self.session.forget_analysis(&key);
        if let Some(doc) = closed {
            if doc.is_spec() {
                self.client()
                    .publish_diagnostics(doc.uri.clone(), Vec::new(), None)
                    .await;
                if let Some(path) = doc.path {
                    // The buffer may have held unsaved changes: the disk is the truth again.
                    self.session.refresh_from_disk(path);
                }
            }
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let fallback = (!params.settings.is_null()).then_some(params.settings);
        self.refresh_settings(fallback);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let paths = params
            .changes
            .iter()
            .filter_map(|c| c.uri.to_file_path().map(|p| p.into_owned()))
            .collect();
        self.session.files_changed(paths);
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        guard("completion", super::ide::completion(&self.session, params)).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        guard("hover", super::ide::hover(&self.session, params)).await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        guard("definition", super::ide::definition(&self.session, params)).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        guard("references", super::ide::references(&self.session, params)).await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        guard(
            "documentSymbol",
            super::ide::document_symbol(&self.session, params),
        )
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        guard(
            "workspace/symbol",
            super::ide::workspace_symbol(&self.session, params),
        )
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        guard("codeLens", super::ide::code_lens(&self.session, params)).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        guard("inlayHint", super::ide::inlay_hint(&self.session, params)).await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        guard(
            "documentLink",
            super::ide::document_link(&self.session, params),
        )
        .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        guard(
            "foldingRange",
            super::ide::folding_range(&self.session, params),
        )
        .await
    }

    async fn will_rename_files(&self, params: RenameFilesParams) -> Result<Option<WorkspaceEdit>> {
        guard(
            "willRenameFiles",
            super::ide::will_rename_files(&self.session, params),
        )
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        guard(
            "codeAction",
            super::commands::code_action(&self.session, params),
        )
        .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        guard(
            "executeCommand",
            super::commands::execute_command(&self.session, params),
        )
        .await
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let added: Vec<PathBuf> = params
            .event
            .added
            .iter()
            .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
            .collect();
        for removed in &params.event.removed {
            if let Some(path) = removed.uri.to_file_path() {
                self.session.projects.remove_under(&path);
            }
        }
        let session = self.session.clone();
        tokio::spawn(async move {
            let loader = session.clone();
            let _ = tokio::task::spawn_blocking(move || loader.projects.load_folders(&added)).await;
            session.reschedule_open_specs(None, None);
        });
    }
}

/// Ask the client to tell us about chant files changing on disk, and about
/// any file being created or deleted (they resolve or break path references).
async fn register_watchers(session: &Session) {
    let watchers = vec![
        FileSystemWatcher {
            glob_pattern: GlobPattern::String("**/.chant/**/*.md".into()),
            kind: None,
        },
        FileSystemWatcher {
            glob_pattern: GlobPattern::String("**/*".into()),
            kind: Some(WatchKind::Create | WatchKind::Delete),
        },
    ];
    let options = DidChangeWatchedFilesRegistrationOptions { watchers };
    let registration = Registration {
        id: "chant-watched-files".into(),
        method: "workspace/didChangeWatchedFiles".into(),
        register_options: serde_json::to_value(options).ok(),
    };
    let answer = tokio::time::timeout(
        Duration::from_secs(5),
        session.client.register_capability(vec![registration]),
    )
    .await;
    if !matches!(answer, Ok(Ok(()))) {
        session
            .client
            .log_message(MessageType::WARNING, "chant-lsp: the client did not accept file watching; changes on disk are seen only when files are opened")
            .await;
    }
}
