//! The LSP protocol layer: translation between JSON-RPC messages and the
//! core, plus the state an editor session needs (open documents, projects,
//! settings, runs). No chant rule lives here.
//!
//! - `backend`: one `LanguageServer` method per message, each one line.
//! - `handlers`: one function per request or notification, translating to
//!   and from `ide` (and `runner` for commands).
//! - `facts`: what the server knows of a spec or project when the core
//!   decides on a command (`ide::commands`).
//! - `jobs`: a job's reports (`runner::job`) translated into LSP.
//! - `diagnostics`: scheduling the analysis of open specs and publishing it.
//! - `closed`: the diagnostics of the specs that are not open (pushed, or
//!   pulled with `workspace/diagnostic`), and `chant/specListChanged`.
//! - `session`, `documents`, `capabilities`, `closed_state`: the session
//!   state.
//! - `convert`, `edits`: positions and workspace edits for the client.
//! - `declared`: only what the client declared (optional fields gated by
//!   its capabilities).
//! - `watch`: files changing on disk.

mod backend;
mod capabilities;
mod closed;
mod closed_state;
pub mod convert;
mod declared;
mod diagnostics;
pub mod documents;
mod edits;
mod facts;
mod handlers;
mod jobs;
mod session;
mod watch;

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
            .custom_method("chant/specStatus", Backend::spec_status)
            .custom_method("chant/serverStatus", Backend::server_status)
            .custom_method("chant/specList", Backend::spec_list)
            .custom_method("chant/fileAt", Backend::file_at)
            .finish();
        // Room beyond the framework's four handlers at once: a client's
        // `workspace/diagnostic` request may be held open for a long time
        // (one per client: a newer one answers the older).
        Server::new(stdin, stdout, socket)
            .concurrency_level(8)
            .serve(service)
            .await;
    });
    // Pending blocking tasks (a long analysis) must not keep the process
    // alive. Runs still going on stop with the process: their supervisors
    // see the end of their control pipe.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
}
