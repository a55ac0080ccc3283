//! The LSP protocol layer: translation between JSON-RPC messages and the
//! analysis, plus the state an editor session needs (open documents,
//! projects, settings). No chant rule lives here.

mod backend;
mod commands;
pub mod convert;
pub mod documents;
mod ide;
mod projects;
mod session;
mod settings;

use tower_lsp_server::{LspService, Server};

pub use backend::Backend;

/// Serve LSP on stdin/stdout until the client sends `exit` or closes stdin.
pub fn run_stdio() {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("chant-lsp: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    runtime.block_on(async {
        let stdin = tokio::io::stdin();
        let stdout = tokio::io::stdout();
        let (service, socket) = LspService::build(Backend::new)
            .custom_method(
                "window/workDoneProgress/cancel",
                Backend::work_done_progress_cancel,
            )
            .finish();
        Server::new(stdin, stdout, socket).serve(service).await;
    });
    // Pending blocking tasks (a long analysis) must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
}
