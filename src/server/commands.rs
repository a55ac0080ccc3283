//! Protocol translation for code actions and `workspace/executeCommand`
//! (running chant, quick fixes).

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::session::Session;

/// The capabilities these features add.
pub fn capabilities(_caps: &mut ServerCapabilities) {}

pub async fn code_action(
    _session: &Session,
    _params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    Ok(None)
}

pub async fn execute_command(
    _session: &Session,
    _params: ExecuteCommandParams,
) -> Result<Option<LSPAny>> {
    Ok(None)
}

/// The user cancelled a progress the server started.
pub async fn cancel_progress(_session: &Session, _params: WorkDoneProgressCancelParams) {}

/// `shutdown`: stop running work (kill chant runs).
pub async fn shutdown(_session: &Session) {}
