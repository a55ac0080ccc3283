//! `chant/fileAt`: one file of a review at one of its revisions (the main
//! branch, the agent's branch, their merge base), for editors that show
//! each file side by side. Runs git: refused while running chant is off.

use std::sync::Arc;

use serde::Deserialize;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::Uri;

use super::super::facts::{self, refuse};
use super::super::session::Session;
use crate::ide::review::file_at_branches;
use crate::runner::review::{self, FileAt};

/// `chant/fileAt` parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileAtParams {
    /// The project folder.
    pub root: Uri,
    /// The spec whose review it is.
    pub spec: String,
    /// The main branch's or the agent branch's name, or one of the
    /// review's commits.
    pub rev: String,
    /// Relative to the project folder.
    pub path: String,
}

pub async fn file_at(session: &Arc<Session>, params: FileAtParams) -> Result<FileAt> {
    let project = facts::project(session, Some(&params.root)).await?;
    let enabled = session.settings().commands_enabled;
    let decided = file_at_branches(&project.index(), &params.spec, enabled);
    let (branch, main) = decided.map_err(refuse)?;
    review::file_at(&project.root, &branch, &main, &params.rev, &params.path)
        .await
        .map_err(refuse)
}
