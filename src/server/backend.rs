//! The `LanguageServer` implementation: each protocol message goes to one
//! handler, and nothing else happens here.

use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::handlers::{
    actions, commands, guard, hierarchy, ide, pull, review, semantic, setup, text_sync,
};
use super::session::Session;

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

    /// `chant/fileAt`: a file at one of a review's revisions.
    pub async fn file_at(
        &self,
        params: review::FileAtParams,
    ) -> Result<crate::runner::review::FileAt> {
        guard("chant/fileAt", review::file_at(&self.session, params)).await
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

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        setup::initialize(&self.session, params)
    }

    async fn initialized(&self, _: InitializedParams) {
        setup::initialized(&self.session)
    }

    async fn shutdown(&self) -> Result<()> {
        setup::shutdown(&self.session).await
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        text_sync::did_open(&self.session, params)
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        text_sync::did_change(&self.session, params).await
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        text_sync::did_save(&self.session, params)
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        text_sync::did_close(&self.session, params).await
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        setup::did_change_configuration(&self.session, params)
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        setup::did_change_watched_files(&self.session, params)
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        setup::did_change_workspace_folders(&self.session, params).await
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
