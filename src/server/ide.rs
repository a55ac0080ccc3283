//! Protocol translation for the IDE features (completion, hover,
//! navigation, symbols, lenses, hints): requests in, `crate::ide` results
//! out, converted to protocol types.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::session::Session;

/// The capabilities these features add.
pub fn capabilities(_caps: &mut ServerCapabilities) {}

pub async fn completion(
    _session: &Session,
    _params: CompletionParams,
) -> Result<Option<CompletionResponse>> {
    Ok(None)
}

pub async fn hover(_session: &Session, _params: HoverParams) -> Result<Option<Hover>> {
    Ok(None)
}

pub async fn definition(_session: &Session, _params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
    Ok(None)
}

pub async fn references(_session: &Session, _params: ReferenceParams) -> Result<Option<Vec<Location>>> {
    Ok(None)
}

pub async fn document_symbol(_session: &Session, _params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
    Ok(None)
}

pub async fn workspace_symbol(_session: &Session, _params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
    Ok(None)
}

pub async fn code_lens(_session: &Session, _params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
    Ok(None)
}

pub async fn inlay_hint(_session: &Session, _params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
    Ok(None)
}

pub async fn document_link(_session: &Session, _params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
    Ok(None)
}

pub async fn folding_range(_session: &Session, _params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
    Ok(None)
}

pub async fn will_rename_files(_session: &Session, _params: RenameFilesParams) -> Result<Option<WorkspaceEdit>> {
    Ok(None)
}
