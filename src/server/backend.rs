//! The `LanguageServer` implementation: each protocol message goes to one
//! handler, and nothing else happens here.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::capabilities::{server_capabilities, ClientCaps};
use super::closed;
use super::diagnostics;
use super::documents::{doc_key, text_hash, ChangeOutcome, Document};
use super::handlers::{actions, commands, guard, hierarchy, ide, pull, semantic};
use super::runs;
use super::session::Session;
use super::settings::Settings;
use super::watch;

pub struct Backend {
    session: Arc<Session>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend {
            session: Arc::new(Session::new(client)),
        }
    }

    /// `window/workDoneProgress/cancel`: the user cancelled a progress we started.
    pub async fn work_done_progress_cancel(&self, params: WorkDoneProgressCancelParams) {
        commands::cancel_progress(&self.session, params);
    }

    /// `chant/serverStatus`: what the server is doing; can wait until idle.
    pub async fn server_status(
        &self,
        params: Option<actions::ServerStatusParams>,
    ) -> Result<actions::ServerStatusResult> {
        guard(
            "chant/serverStatus",
            actions::server_status(&self.session, params),
        )
        .await
    }

    /// `chant/specList`: every spec of the workspace's projects, with what
    /// `chant/specStatus` says of each.
    pub async fn spec_list(
        &self,
        params: Option<actions::SpecListParams>,
    ) -> Result<actions::SpecListResult> {
        guard("chant/specList", actions::spec_list(&self.session, params)).await
    }

    /// `chant/specStatus`: a spec's status, readiness and commands.
    pub async fn spec_status(
        &self,
        params: actions::SpecStatusParams,
    ) -> Result<Option<actions::SpecStatusResult>> {
        guard(
            "chant/specStatus",
            actions::spec_status(&self.session, params),
        )
        .await
    }
}

/// Ask the client for the `chant` settings (with a timeout: a client that
/// never answers must not stall the server) and apply them. When the client
/// has no answer (no `workspace/configuration`, null, an error), the
/// settings sent with the notification, else `initializationOptions`, hold.
fn refresh_settings(session: &Arc<Session>, sent: Option<Value>) {
    let job = session.job();
    let session = session.clone();
    tokio::spawn(async move {
        let _job = job;
        let asked = if session.caps().configuration {
            let item = ConfigurationItem {
                scope_uri: None,
                section: Some("chant".into()),
            };
            match tokio::time::timeout(
                Duration::from_secs(5),
                session.client().configuration(vec![item]),
            )
            .await
            {
                Ok(Ok(mut values)) if !values.is_empty() && values[0].is_object() => {
                    Some(values.remove(0))
                }
                _ => None,
            }
        } else {
            None
        };
        let value = asked
            .or(sent)
            .or_else(|| session.initial_settings().cloned())
            .unwrap_or(Value::Null);
        let settings = Settings::from_json(&value);
        let before = session.settings();
        if !settings.unknown_codes.is_empty() {
            session
                .client()
                .show_message(
                    MessageType::WARNING,
                    format!(
                        "chant: unknown diagnostic code(s) in chant.diagnostics.disabled: {}",
                        settings.unknown_codes.join(", ")
                    ),
                )
                .await;
        }
        let after = settings.clone();
        if session.set_settings(settings) {
            diagnostics::reschedule_open_specs(&session, None, None);
            if before.filter != after.filter
                || before.workspace_diagnostics != after.workspace_diagnostics
            {
                closed::mark_all(&session);
                closed::request_refresh(&session);
            }
            if before.commands_enabled != after.commands_enabled {
                closed::list_changed(&session);
            }
        }
    });
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

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = ClientCaps::from_params(&params);
        let capabilities = server_capabilities(&caps);
        self.session.set_caps(caps);
        self.session.set_folders(workspace_folders(&params));
        if let Some(options) = params.initialization_options {
            self.session.set_settings(Settings::from_json(&options));
            self.session.set_initial_settings(options);
        }
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
        refresh_settings(&self.session, None);
        if self.session.caps().watch_dynamic {
            let session = self.session.clone();
            tokio::spawn(async move { watch::register(&session).await });
        }
        // Busy until the open specs' full analyses and the closed specs'
        // diagnostics are scheduled.
        let job = self.session.job();
        let session = self.session.clone();
        tokio::spawn(async move {
            let _job = job;
            let folders = session.folders();
            let loader = session.clone();
            let loaded =
                tokio::task::spawn_blocking(move || loader.projects().load_folders(&folders)).await;
            let loaded = loaded.unwrap_or_default();
            let count = loaded.len();
            // What a cap left out of a project (a walk of `.chant/` that
            // stopped, a file name chant refuses) is said once, here.
            let notes: Vec<String> = loaded
                .iter()
                .flat_map(|p| {
                    let root = p.root.display().to_string();
                    p.index()
                        .notes()
                        .iter()
                        .map(|n| format!("chant-lsp: {root}: {n}"))
                        .collect::<Vec<_>>()
                })
                .collect();
            session.mark_indexed();
            diagnostics::reschedule_open_specs_after(&session, None, None, Duration::ZERO);
            closed::mark_all(&session);
            session
                .client()
                .log_message(
                    MessageType::INFO,
                    format!("chant-lsp: indexed {count} chant project(s)"),
                )
                .await;
            for note in notes {
                session
                    .client()
                    .log_message(MessageType::WARNING, note)
                    .await;
            }
        });
    }

    async fn shutdown(&self) -> Result<()> {
        self.session.runs().stop_all(runs::SHUTDOWN_WAIT).await;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let key = doc_key(&doc.uri);
        let document = Document::open(doc.uri, doc.version, &doc.text);
        let path = document.path.clone().filter(|_| document.is_spec());
        self.session.documents().open(key.clone(), document);
        if let Some(path) = path {
            closed::opened(&self.session, &path);
        }
        diagnostics::refresh(&self.session, &key, Duration::ZERO);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // Applied before any await, so edits keep their arrival order.
        let key = doc_key(&params.text_document.uri);
        let encoding = self.session.encoding();
        let debounce = self.session.settings().debounce;
        // The change and its publication are scheduled in one lock.
        let outcome = self.session.documents().with_doc(&key, |doc| {
            let outcome = doc.apply_changes(
                params.text_document.version,
                params.content_changes,
                encoding,
            );
            let spawn = diagnostics::schedule_change(doc, debounce);
            (outcome, doc.path.clone(), spawn)
        });
        let Some((outcome, path, spawn)) = outcome else {
            self.session
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
            diagnostics::spawn_publisher(&self.session, key.clone());
        }
        if let Some(path) = &path {
            runs::sync::buffer_changed(&self.session, path);
        }
        if let ChangeOutcome::VersionNotIncreasing { previous } = outcome {
            self.session
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

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        // A saved buffer is what is on disk.
        let key = doc_key(&params.text_document.uri);
        self.session.documents().with_doc(&key, |d| {
            d.clean_hash = text_hash(d.rope.to_string().as_str());
        });
        if let Some(path) = params.text_document.uri.to_file_path() {
            self.session.forget_removed(&path);
            runs::sync::buffer_changed(&self.session, &path);
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let key = doc_key(&params.text_document.uri);
        let closed = self.session.documents().with(|docs| docs.remove(&key));
        if let Some(doc) = closed.filter(|d| d.is_spec()) {
            let replaced = doc
                .path
                .as_deref()
                .is_some_and(|p| closed::replaces_on_close(&self.session, p));
            if let Some(path) = &doc.path {
                self.session.forget_removed(path);
                // The buffer may have held unsaved changes: the disk is the
                // truth again, read like any file changed on disk, and its
                // diagnostics replace the document's (or are cleared).
                watch::files_changed_as(
                    &self.session,
                    vec![(path.clone(), crate::workspace::FileEvent::Changed)],
                );
                closed::closed(&self.session, path, replaced);
            }
            if !replaced && !self.session.caps().pull_diagnostics {
                diagnostics::clear(&self.session, doc.uri.clone()).await;
            }
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let sent = (!params.settings.is_null()).then_some(params.settings);
        refresh_settings(&self.session, sent);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        use crate::workspace::FileEvent;
        let events = params
            .changes
            .iter()
            .filter_map(|c| {
                let event = match c.typ {
                    FileChangeType::CREATED => FileEvent::Created,
                    FileChangeType::CHANGED => FileEvent::Changed,
                    FileChangeType::DELETED => FileEvent::Deleted,
                    _ => FileEvent::Unknown,
                };
                Some((c.uri.to_file_path()?.into_owned(), event))
            })
            .collect();
        watch::files_changed_as(&self.session, events);
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
                self.session.projects().remove_under(&path);
                closed::folder_removed(&self.session, &path).await;
            }
        }
        let job = self.session.job();
        let session = self.session.clone();
        tokio::spawn(async move {
            let _job = job;
            let loader = session.clone();
            let _ =
                tokio::task::spawn_blocking(move || loader.projects().load_folders(&added)).await;
            diagnostics::reschedule_open_specs(&session, None, None);
            closed::mark_all(&session);
            closed::list_changed(&session);
        });
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        guard("completion", ide::completion(&self.session, params)).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        guard("hover", ide::hover(&self.session, params)).await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        guard("definition", ide::definition(&self.session, params)).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        guard("references", ide::references(&self.session, params)).await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        guard(
            "documentSymbol",
            ide::document_symbol(&self.session, params),
        )
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        guard(
            "workspace/symbol",
            ide::workspace_symbol(&self.session, params),
        )
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        guard("codeLens", actions::code_lens(&self.session, params)).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        guard("inlayHint", ide::inlay_hint(&self.session, params)).await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        guard("documentLink", ide::document_link(&self.session, params)).await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        guard("foldingRange", ide::folding_range(&self.session, params)).await
    }

    async fn will_rename_files(&self, params: RenameFilesParams) -> Result<Option<WorkspaceEdit>> {
        guard(
            "willRenameFiles",
            ide::will_rename_files(&self.session, params),
        )
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        guard("codeAction", actions::code_action(&self.session, params)).await
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        guard(
            "textDocument/diagnostic",
            pull::document(&self.session, params),
        )
        .await
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        guard(
            "workspace/diagnostic",
            pull::workspace(&self.session, params),
        )
        .await
    }

    async fn prepare_call_hierarchy(
        &self,
        params: CallHierarchyPrepareParams,
    ) -> Result<Option<Vec<CallHierarchyItem>>> {
        guard(
            "prepareCallHierarchy",
            hierarchy::prepare(&self.session, params),
        )
        .await
    }

    async fn incoming_calls(
        &self,
        params: CallHierarchyIncomingCallsParams,
    ) -> Result<Option<Vec<CallHierarchyIncomingCall>>> {
        guard("incomingCalls", hierarchy::incoming(&self.session, params)).await
    }

    async fn outgoing_calls(
        &self,
        params: CallHierarchyOutgoingCallsParams,
    ) -> Result<Option<Vec<CallHierarchyOutgoingCall>>> {
        guard("outgoingCalls", hierarchy::outgoing(&self.session, params)).await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        guard("semanticTokens/full", semantic::full(&self.session, params)).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        guard(
            "executeCommand",
            commands::execute_command(&self.session, params),
        )
        .await
    }
}
