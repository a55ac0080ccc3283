//! `workspace/executeCommand` and `window/workDoneProgress/cancel`: the
//! arguments read and checked, then handed to `runs`.
//!
//! Commands (arguments are JSON values):
//! - `chant.work [uri, {"prompt": NAME}?]`
//! - `chant.approve [uri, {"by": NAME}?]`
//! - `chant.reject [uri, {"reason": TEXT, "by": NAME?}]`
//! - `chant.applyAgentChanges [uri]`
//! - `chant.add [rootUri, {"title", "type"?, "prompt"?, "labels"?, "needsApproval"?}]`
//! - `chant.merge [uri]`, `chant.mergeAll [rootUri]`
//! - `chant.archive [uri]`, `chant.archiveByLabel [rootUri, {"label"}]`
//! - `chant.reset [uri, {"work"?, "prompt"?}]`
//! - `chant.cancel [uri, {"delete"?}]`
//! - `chant.verify [uri]`, `chant.split [uri]`, `chant.showLog [uri]`
//! - `chant.applyFix [{"uri", "version", "edits"}]` (quick fixes, for
//!   clients without versioned edits)
//!
//! Every refusal is an error answer whose message says what to do. See
//! docs/commands.md.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use serde_json::{Map, Value};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::super::capabilities::{APPLY_FIX, COMMANDS};
use super::super::documents::doc_key;
use super::super::edits;
use super::super::runs::add::AddOptions;
use super::super::runs::{self, invalid_params, refuse};
use super::super::session::Session;
use crate::ide::actions::{
    ADD, APPLY_AGENT_CHANGES, APPROVE, ARCHIVE, ARCHIVE_BY_LABEL, CANCEL, MERGE, MERGE_ALL, REJECT,
    RESET, SHOW_LOG, SPLIT, VERIFY, WORK,
};

pub async fn execute_command(
    session: &Arc<Session>,
    params: ExecuteCommandParams,
) -> Result<Option<Value>> {
    let args = params.arguments;
    match params.command.as_str() {
        WORK => {
            let options = options(&args)?;
            let prompt = string_option(&options, "prompt")?;
            let skip_quality = bool_option(&options, "skipQuality")?;
            runs::work(session, uri_argument(&args)?, prompt, skip_quality).await
        }
        APPROVE => {
            let options = options(&args)?;
            let by = string_option(&options, "by")?;
            runs::approve(session, uri_argument(&args)?, by).await
        }
        REJECT => {
            let options = options(&args)?;
            let by = string_option(&options, "by")?;
            let Some(reason) = string_option(&options, "reason")?.filter(|r| !r.trim().is_empty())
            else {
                return Err(refuse(
                    "A reason is required to reject a spec: pass it as {\"reason\": \"...\"} in the second argument (the chant editor extensions ask for it).",
                ));
            };
            runs::reject(session, uri_argument(&args)?, by, reason).await
        }
        APPLY_AGENT_CHANGES => runs::agent::apply(session, uri_argument(&args)?).await,
        ADD => {
            let (uri, options) = project_arguments(session, &args)?;
            let add = AddOptions {
                title: string_option(&options, "title")?,
                spec_type: string_option(&options, "type")?,
                prompt: string_option(&options, "prompt")?,
                labels: string_list_option(&options, "labels")?,
                needs_approval: bool_option(&options, "needsApproval")?,
            };
            runs::add::add(session, uri, add).await
        }
        MERGE => runs::walk::merge(session, uri_argument(&args)?).await,
        MERGE_ALL => {
            let (uri, _) = project_arguments(session, &args)?;
            runs::walk::merge_all(session, uri).await
        }
        ARCHIVE => runs::walk::archive(session, uri_argument(&args)?).await,
        ARCHIVE_BY_LABEL => {
            let (uri, options) = project_arguments(session, &args)?;
            let label = string_option(&options, "label")?;
            runs::walk::archive_by_label(session, uri, label).await
        }
        RESET => {
            let options = options(&args)?;
            let work = bool_option(&options, "work")?;
            let prompt = string_option(&options, "prompt")?;
            runs::walk::reset(session, uri_argument(&args)?, work, prompt).await
        }
        CANCEL => {
            let options = options(&args)?;
            let delete = bool_option(&options, "delete")?;
            runs::walk::cancel(session, uri_argument(&args)?, delete).await
        }
        VERIFY => runs::walk::verify(session, uri_argument(&args)?).await,
        SPLIT => runs::walk::split(session, uri_argument(&args)?).await,
        SHOW_LOG => runs::walk::show_log(session, uri_argument(&args)?).await,
        APPLY_FIX => apply_fix(session, &args).await,
        other => Err(invalid_params(format!(
            "Unknown command `{other}`: chant-lsp runs {}.",
            COMMANDS.join(", ")
        ))),
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

/// The first argument: a spec's URI (or a project folder's).
fn uri_argument(args: &[Value]) -> Result<Uri> {
    let Some(raw) = args.first().and_then(Value::as_str) else {
        return Err(invalid_params(
            "The first argument must be a URI (a string): the spec file's, or for project commands the project folder's.",
        ));
    };
    Uri::from_str(raw).map_err(|e| invalid_params(format!("`{raw}` is not a URI: {e}")))
}

/// The project and the options of a project command: `[rootUri, options?]`,
/// or, when the workspace holds one chant project, `[options?]` or no
/// arguments at all (what Helix's `:lsp-workspace-command` sends when the
/// command is picked from its list).
fn project_arguments(session: &Session, args: &[Value]) -> Result<(Uri, Map<String, Value>)> {
    if args.first().is_some_and(Value::is_string) {
        return Ok((uri_argument(args)?, options(args)?));
    }
    let options = options_at(args, 0)?;
    let projects = session.projects().all();
    match projects.as_slice() {
        [only] => Uri::from_file_path(&only.root)
            .map(|uri| (uri, options))
            .ok_or_else(|| invalid_params("The project's folder has no file URI.")),
        [] => Err(refuse(
            "No chant project is open in this workspace (no folder holds .chant/).",
        )),
        several => Err(invalid_params(format!(
            "This workspace holds {} chant projects: pass the project folder's URI as the first argument.",
            several.len()
        ))),
    }
}

/// The options object (second argument), if any.
fn options(args: &[Value]) -> Result<Map<String, Value>> {
    options_at(args, 1)
}

/// The options object at `index` (first or second argument), if any.
fn options_at(args: &[Value], index: usize) -> Result<Map<String, Value>> {
    match args.get(index) {
        None | Some(Value::Null) => Ok(Default::default()),
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(other) => Err(invalid_params(format!(
            "The {} argument must be an object of options, not {other}.",
            if index == 0 { "first" } else { "second" }
        ))),
    }
}

/// A string option: absent, null or a string (anything else is an error).
fn string_option(options: &Map<String, Value>, name: &str) -> Result<Option<String>> {
    match options.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(invalid_params(format!(
            "Option `{name}` must be a string, not {other}."
        ))),
    }
}

/// A boolean option: absent or null is false.
fn bool_option(options: &Map<String, Value>, name: &str) -> Result<bool> {
    match options.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(invalid_params(format!(
            "Option `{name}` must be true or false, not {other}."
        ))),
    }
}

/// A list of strings: absent or null is empty.
fn string_list_option(options: &Map<String, Value>, name: &str) -> Result<Vec<String>> {
    match options.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(invalid_params(format!(
                    "Option `{name}` must be a list of strings, and {other} is not a string."
                ))),
            })
            .collect(),
        Some(other) => Err(invalid_params(format!(
            "Option `{name}` must be a list of strings, not {other}."
        ))),
    }
}

/// `chant.applyFix [{"uri", "version", "edits"}]`: a quick fix's edits,
/// made only if the document is still at the version they were computed
/// for.
async fn apply_fix(session: &Arc<Session>, args: &[Value]) -> Result<Option<Value>> {
    #[derive(serde::Deserialize)]
    struct FixArgs {
        uri: String,
        version: i32,
        edits: Vec<TextEdit>,
    }
    let fix: FixArgs = args
        .first()
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .ok_or_else(|| invalid_params("The argument must be {\"uri\", \"version\", \"edits\"}."))?;
    let uri = Uri::from_str(&fix.uri)
        .map_err(|e| invalid_params(format!("`{}` is not a URI: {e}", fix.uri)))?;
    let current = session
        .documents()
        .with_doc(&doc_key(&uri), |d| (d.uri.clone(), d.version));
    let Some((open_uri, version)) = current else {
        return Err(refuse(format!("{} is not open.", uri.as_str())));
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
