//! `workspace/executeCommand` and `window/workDoneProgress/cancel`: the
//! arguments read and checked, then handed to `runs`.
//!
//! Commands (arguments are JSON values):
//! - `chant.work [uri, {"prompt": NAME}?]`
//! - `chant.approve [uri, {"by": NAME}?]`
//! - `chant.reject [uri, {"reason": TEXT, "by": NAME?}]`
//! - `chant.applyAgentChanges [uri]`
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
use super::super::runs::{self, invalid_params, refuse};
use super::super::session::Session;
use crate::ide::actions::{APPLY_AGENT_CHANGES, APPROVE, REJECT, WORK};

pub async fn execute_command(
    session: &Arc<Session>,
    params: ExecuteCommandParams,
) -> Result<Option<Value>> {
    let args = params.arguments;
    match params.command.as_str() {
        WORK => {
            let options = options(&args)?;
            let prompt = string_option(&options, "prompt")?;
            runs::work(session, uri_argument(&args)?, prompt).await
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

/// The first argument: a spec's URI.
fn uri_argument(args: &[Value]) -> Result<Uri> {
    let Some(raw) = args.first().and_then(Value::as_str) else {
        return Err(invalid_params(
            "The first argument must be the URI of a spec file (a string).",
        ));
    };
    Uri::from_str(raw).map_err(|e| invalid_params(format!("`{raw}` is not a URI: {e}")))
}

/// The options object (second argument), if any.
fn options(args: &[Value]) -> Result<Map<String, Value>> {
    match args.get(1) {
        None | Some(Value::Null) => Ok(Default::default()),
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(other) => Err(invalid_params(format!(
            "The second argument must be an object of options, not {other}."
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
