//! Protocol translation for code actions and `workspace/executeCommand`
//! (running chant, quick fixes).
//!
//! Commands (arguments are JSON values):
//! - `chant.work [uri, {"prompt": NAME}?]`
//! - `chant.approve [uri, {"by": NAME}?]`
//! - `chant.reject [uri, {"reason": TEXT, "by": NAME?}]`
//! - `chant.applyAgentChanges [uri]`
//!
//! A chant run takes minutes and the server runs at most four handlers at
//! once, so `executeCommand` only checks and starts the run, answering
//! `{"started": true, "token": ...}` at once; the run reports `$/progress`
//! and messages, and brings what chant wrote into the open buffers. Every
//! refusal is an error answer whose message says what to do. See
//! docs/commands.md.

mod actions;
mod agent;
mod edits;
mod runs;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;

use super::projects::Project;
use super::session::{doc_key, Session};
use crate::workspace::{classify, ChantFile};

pub const WORK: &str = "chant.work";
pub const APPROVE: &str = "chant.approve";
pub const REJECT: &str = "chant.reject";
pub const APPLY_AGENT_CHANGES: &str = "chant.applyAgentChanges";

/// The capabilities these features add.
pub fn capabilities(caps: &mut ServerCapabilities) {
    caps.code_action_provider = Some(CodeActionProviderCapability::Options(CodeActionOptions {
        code_action_kinds: Some(vec![
            CodeActionKind::QUICKFIX,
            CodeActionKind::REFACTOR_REWRITE,
            CodeActionKind::EMPTY,
        ]),
        resolve_provider: Some(false),
        work_done_progress_options: Default::default(),
    }));
    caps.execute_command_provider = Some(ExecuteCommandOptions {
        commands: [WORK, APPROVE, REJECT, APPLY_AGENT_CHANGES]
            .iter()
            .map(|c| c.to_string())
            .collect(),
        work_done_progress_options: Default::default(),
    });
}

pub async fn code_action(
    session: &Arc<Session>,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    actions::code_action(session, params).await
}

pub async fn execute_command(
    session: &Arc<Session>,
    params: ExecuteCommandParams,
) -> Result<Option<LSPAny>> {
    let args = params.arguments;
    match params.command.as_str() {
        WORK => runs::work(session, &args).await,
        APPROVE => runs::approve(session, &args).await,
        REJECT => runs::reject(session, &args).await,
        APPLY_AGENT_CHANGES => agent::apply_command(session, &args).await,
        other => Err(invalid_params(format!(
            "Unknown command `{other}`: chant-lsp runs {WORK}, {APPROVE}, {REJECT} and {APPLY_AGENT_CHANGES}."
        ))),
    }
}

/// The user cancelled a progress the server started.
pub async fn cancel_progress(_session: &Arc<Session>, params: WorkDoneProgressCancelParams) {
    let token = match &params.token {
        NumberOrString::String(s) => s.clone(),
        NumberOrString::Number(n) => n.to_string(),
    };
    runs::cancel(&token);
}

/// `shutdown`: stop running work (kill chant runs).
pub async fn shutdown(_session: &Arc<Session>) {
    runs::stop_all().await;
}

/// An error answer for a command the server will not run; the message says
/// what to do (LSP `RequestFailed`).
fn refuse(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into().into(),
        data: None,
    }
}

fn invalid_params(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::InvalidParams,
        message: message.into().into(),
        data: None,
    }
}

/// The options object (second argument), if any.
fn options(args: &[Value]) -> Result<serde_json::Map<String, Value>> {
    match args.get(1) {
        None | Some(Value::Null) => Ok(Default::default()),
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(other) => Err(invalid_params(format!(
            "The second argument must be an object of options, not {other}."
        ))),
    }
}

/// A string option: absent, null or a string (anything else is an error).
fn string_option(options: &serde_json::Map<String, Value>, name: &str) -> Result<Option<String>> {
    match options.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(invalid_params(format!(
            "Option `{name}` must be a string, not {other}."
        ))),
    }
}

/// The spec a command is about.
struct Target {
    /// The open document's own URI when it is open, else the argument.
    uri: Uri,
    path: PathBuf,
    root: PathBuf,
    id: String,
    project: Arc<Project>,
    /// The file on disk, as chant will read it.
    disk: String,
    /// The open buffer (version, text), if the spec is open.
    buffer: Option<(i32, String)>,
}

impl Target {
    /// The buffer holds changes that are not on disk.
    fn unsaved(&self) -> bool {
        self.buffer
            .as_ref()
            .is_some_and(|(_, text)| *text != self.disk)
    }
}

/// Read the first argument (a spec's URI) and find the spec, its project,
/// its text on disk and its open buffer.
async fn resolve_target(session: &Arc<Session>, args: &[Value]) -> Result<Target> {
    let Some(raw) = args.first().and_then(Value::as_str) else {
        return Err(invalid_params(
            "The first argument must be the URI of a spec file (a string).",
        ));
    };
    let uri =
        Uri::from_str(raw).map_err(|e| invalid_params(format!("`{raw}` is not a URI: {e}")))?;
    let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
        return Err(invalid_params(format!("`{raw}` is not a file URI.")));
    };
    let ChantFile::Spec { root, id, .. } = classify(&path) else {
        return Err(refuse(format!(
            "{} is not a chant spec: specs are the .md files in .chant/specs/.",
            path.display()
        )));
    };
    let lookup = session.clone();
    let spec_path = path.clone();
    let project = tokio::task::spawn_blocking(move || lookup.projects.for_path_or_load(&spec_path))
        .await
        .ok()
        .flatten()
        .filter(|p| p.root == root)
        .ok_or_else(|| {
            refuse(format!(
                "{} has no chant project: the folder holding .chant/ needs a .chant/config.md.",
                path.display()
            ))
        })?;
    let disk = match edits::read_file(&path).await {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            refuse(format!(
                "{} is not UTF-8 text: chant cannot read it.",
                path.display()
            ))
        })?,
        Err(e) => {
            return Err(refuse(format!(
                "{} cannot be read ({e}): save the spec to disk first.",
                path.display()
            )))
        }
    };
    let key = doc_key(&uri);
    let open = session.with_docs(|docs| {
        docs.get(&key)
            .map(|d| (d.uri.clone(), d.version, d.rope.to_string()))
    });
    let (uri, buffer) = match open {
        Some((open_uri, version, text)) => (open_uri, Some((version, text))),
        None => (uri, None),
    };
    Ok(Target {
        uri,
        path,
        root,
        id,
        project,
        disk,
        buffer,
    })
}
