//! A command the user picks from the message that ends a run ("Apply agent
//! changes", "Stash them and merge"), run like any other. Boxed: the run that offers it is a job
//! whose sink would otherwise contain itself.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::Uri;

use super::super::session::Session;
use crate::ide::commands::{ProjectCommand, SpecCommand};

type Running = Pin<Box<dyn Future<Output = Result<Option<Value>>> + Send>>;

pub fn spec(session: Arc<Session>, uri: Uri, command: SpecCommand) -> Running {
    Box::pin(async move { super::run_spec(&session, &uri, command).await })
}

pub fn project(session: Arc<Session>, root: Option<Uri>, command: ProjectCommand) -> Running {
    Box::pin(async move { super::run_project(&session, root.as_ref(), command).await })
}
