//! `workspace/executeCommand` and `window/workDoneProgress/cancel`. A
//! command is parsed into a typed request ([`Request::parse`], its options
//! read by `ide::command_options`: an unknown command or a bad argument gets one
//! precise error), the facts it needs are gathered (`server::facts`), the
//! core decides (`ide::commands`, the same answer the code actions show),
//! and the plan is started (`server::jobs`).
//!
//! Commands (arguments are JSON values):
//! - `chant.work [uri, {"prompt"?, "skipQuality"?}]`
//! - `chant.approve [uri, {"by"?}]`
//! - `chant.reject [uri, {"reason", "by"?}]`
//! - `chant.applyAgentChanges [uri]`
//! - `chant.add [rootUri?, {"title", "type"?, "prompt"?, "labels"?, "needsApproval"?}]`
//! - `chant.merge [uri]`, `chant.mergeAll [rootUri?]`
//! - `chant.archive [uri]`, `chant.archiveByLabel [rootUri?, {"label"?}]`
//! - `chant.reset [uri, {"work"?, "prompt"?}]`
//! - `chant.cancel [uri, {"delete"?}]`
//! - `chant.verify [uri]`, `chant.split [uri]`, `chant.showLog [uri]`
//! - `chant.applyFix [{"uri", "version", "edits"}]` (quick fixes, for
//!   clients without versioned edits)
//! - `chant.open [uri]` (shows a file of the workspace: the prompt a quick
//!   fix created)
//!
//! A project command without a URI runs in the workspace's only project.
//! Every refusal is an error answer whose message says what to do. See
//! docs/commands.md.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::super::capabilities::{APPLY_FIX, COMMANDS, OPEN};
use super::super::documents::doc_key;
use super::super::edits;
use super::super::facts::{invalid_params, refuse};
use super::super::jobs;
use super::super::session::Session;
use crate::ide::command_options;
use crate::ide::commands::{ProjectCommand, SpecCommand};

/// A command, parsed.
#[derive(Debug)]
enum Request {
    Spec {
        uri: Uri,
        command: SpecCommand,
    },
    Project {
        uri: Option<Uri>,
        command: ProjectCommand,
    },
    ApplyFix(FixArgs),
}

/// `chant.applyFix`'s argument.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixArgs {
    uri: Uri,
    version: i32,
    edits: Vec<TextEdit>,
}

impl Request {
    /// `[uri, options?]` for a spec command; `[rootUri, options?]` or,
    /// without the URI, `[options?]` for a project command (what Helix's
    /// `:lsp-workspace-command` sends when the command is picked from its
    /// list).
    fn parse(name: &str, args: &[Value]) -> Result<Request> {
        let at = |i: usize| args.get(i).unwrap_or(&Value::Null);
        if let Some(command) = command_options::spec_command(name, at(1)) {
            let command = command.map_err(invalid_params)?;
            return Ok(Request::Spec {
                uri: uri_argument(args)?,
                command,
            });
        }
        let (uri, options) = match args.first() {
            Some(Value::String(_)) => (Some(uri_argument(args)?), at(1)),
            _ => (None, at(0)),
        };
        if let Some(command) = command_options::project_command(name, options) {
            let command = command.map_err(invalid_params)?;
            return Ok(Request::Project { uri, command });
        }
        if name == APPLY_FIX {
            let fix = serde_json::from_value(at(0).clone()).map_err(|_| {
                invalid_params("The argument must be {\"uri\", \"version\", \"edits\"}.")
            })?;
            return Ok(Request::ApplyFix(fix));
        }
        Err(invalid_params(format!(
            "Unknown command `{name}`: chant-lsp runs {}.",
            COMMANDS.join(", ")
        )))
    }
}

/// The arguments of a spec command: `[uri]`, or `[uri, options]` when it
/// has options (the inverse of [`Request::parse`]).
pub fn arguments(uri: &Uri, command: &SpecCommand) -> Vec<Value> {
    let uri = json!(uri.as_str());
    match command_options::options_of(command) {
        Some(options) => vec![uri, options],
        None => vec![uri],
    }
}

/// The first argument: a spec's URI.
fn uri_argument(args: &[Value]) -> Result<Uri> {
    let Some(raw) = args.first().and_then(Value::as_str) else {
        return Err(invalid_params(
            "The first argument must be a URI (a string): the spec file's, or for project commands the project folder's.",
        ));
    };
    Uri::from_str(raw).map_err(|e| invalid_params(format!("`{raw}` is not a URI: {e}")))
}

pub async fn execute_command(
    session: &Arc<Session>,
    params: ExecuteCommandParams,
) -> Result<Option<Value>> {
    if params.command == OPEN {
        return open(session, &params.arguments).await;
    }
    match Request::parse(&params.command, &params.arguments)? {
        Request::Spec { uri, command } => jobs::run_spec(session, &uri, command).await,
        Request::Project { uri, command } => {
            jobs::run_project(session, uri.as_ref(), command).await
        }
        Request::ApplyFix(fix) => apply_fix(session, fix).await,
    }
}

/// The user cancelled a progress the server started.
pub fn cancel_progress(session: &Session, params: WorkDoneProgressCancelParams) {
    let token = match &params.token {
        NumberOrString::String(s) => s.clone(),
        NumberOrString::Number(n) => n.to_string(),
    };
    session.runs().cancel(&token);
}

/// `chant.applyFix`: a quick fix's edits, made only if the document is
/// still at the version they were computed for.
async fn apply_fix(session: &Arc<Session>, fix: FixArgs) -> Result<Option<Value>> {
    let current = session
        .documents()
        .with_doc(&doc_key(&fix.uri), |d| (d.uri.clone(), d.version));
    let Some((open_uri, version)) = current else {
        return Err(refuse(format!("{} is not open.", fix.uri.as_str())));
    };
    if version != fix.version {
        return Err(refuse(
            "The document changed since this fix was offered: ask for the fix again.",
        ));
    }
    let edit = WorkspaceEdit {
        changes: Some(HashMap::from([(open_uri, fix.edits)])),
        ..Default::default()
    };
    match edits::apply(session, "chant: quick fix", edit).await {
        Ok(None) => Ok(Some(Value::Bool(true))),
        Ok(Some(reason)) => Err(refuse(format!(
            "The editor did not apply the fix: {reason}."
        ))),
        Err(e) => Err(refuse(format!("The fix was not applied: {e}."))),
    }
}

/// `chant.open [uri]`: a file of the workspace, shown for editing (it runs
/// nothing: not a chant command).
async fn open(session: &Session, args: &[Value]) -> Result<Option<Value>> {
    command_options::no_options(OPEN, args.get(1).unwrap_or(&Value::Null))
        .map_err(invalid_params)?;
    let Some(raw) = args.first().and_then(Value::as_str) else {
        return Err(invalid_params(
            "The first argument of chant.open must be the URI (a string) of the file to show.",
        ));
    };
    let uri =
        Uri::from_str(raw).map_err(|e| invalid_params(format!("`{raw}` is not a URI: {e}")))?;
    let path = super::super::facts::local_path(session, &uri)?;
    let probe = path.clone();
    let kind = tokio::task::spawn_blocking(move || {
        crate::vfs::FileSystem::kind(&crate::vfs::RealFs, &probe)
    })
    .await
    .ok()
    .flatten();
    match kind {
        Some(crate::vfs::Kind::File { .. }) => show(session, &path).await,
        None => Err(refuse(format!("{} does not exist.", path.display()))),
        Some(_) => Err(refuse(format!(
            "{} is not a file that can be opened for editing.",
            path.display()
        ))),
    }
}

/// Ask the client to show a file, when it can be asked:
/// `{"uri", "shown"}`.
async fn show(session: &Session, path: &std::path::Path) -> Result<Option<Value>> {
    let Some(uri) = Uri::from_file_path(path) else {
        return Err(refuse(format!("{} has no file URI.", path.display())));
    };
    let shown = session.show(uri.clone(), None).await;
    Ok(Some(json!({"uri": uri.as_str(), "shown": shown})))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An offer's arguments parse back into the command and the URI.
    #[test]
    fn arguments_parse_back_into_their_command() {
        let uri: Uri = "file:///w/.chant/specs/a.md".parse().unwrap();
        let command = SpecCommand::Reset {
            work: true,
            prompt: Some("standard".into()),
        };
        let args = arguments(&uri, &command);
        let Request::Spec {
            uri: parsed,
            command: back,
        } = Request::parse(command.name(), &args).unwrap()
        else {
            panic!("a spec command");
        };
        assert_eq!((parsed.as_str(), back), (uri.as_str(), command));
        assert_eq!(
            arguments(&uri, &SpecCommand::Merge { stash: false }),
            vec![json!(uri.as_str())]
        );
    }
}
