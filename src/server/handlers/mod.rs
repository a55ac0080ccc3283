//! One function per request, translating between the protocol and the
//! core (`ide`, `analysis`) or the runs (`runs`).

pub mod actions;
pub mod commands;
pub mod hierarchy;
pub mod ide;
pub mod pull;
pub mod review;
pub mod semantic;
pub mod setup;
pub mod text_sync;

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};

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
