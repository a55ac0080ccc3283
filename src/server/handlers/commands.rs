//! `workspace/executeCommand` and `window/workDoneProgress/cancel`. A
//! command is parsed into a typed request ([`Request::parse`], its options
//! deserialized by serde: an unknown command or a bad argument gets one
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
//!
//! A project command without a URI runs in the workspace's only project.
//! Every refusal is an error answer whose message says what to do. See
//! docs/commands.md.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::super::capabilities::{APPLY_FIX, COMMANDS};
use super::super::documents::doc_key;
use super::super::edits;
use super::super::facts::{self, invalid_params, refuse};
use super::super::jobs;
use super::super::session::Session;
use crate::ide::commands::{self as decide, AddRequest, Plan, ProjectCommand, SpecCommand};
use crate::runner::job::Job;
use crate::runner::program::find_executable;

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

// The options of each command, read from and written into its arguments
// by the same types: what an offer carries is what a run parses.

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct WorkArgs {
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    skip_quality: bool,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct ApproveArgs {
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct RejectArgs {
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct ResetArgs {
    #[serde(skip_serializing_if = "is_false")]
    work: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct CancelArgs {
    #[serde(skip_serializing_if = "is_false")]
    delete: bool,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct NoArgs {}

/// The arguments of a spec command: `[uri]`, or `[uri, options]` when it
/// has options (the inverse of [`Request::parse`]).
pub fn arguments(uri: &Uri, command: &SpecCommand) -> Vec<Value> {
    let options = match command.clone() {
        SpecCommand::Work {
            prompt,
            skip_quality,
        } => json!(WorkArgs {
            prompt,
            skip_quality
        }),
        SpecCommand::Approve { by } => json!(ApproveArgs { by }),
        SpecCommand::Reject { by, reason } => json!(RejectArgs { by, reason }),
        SpecCommand::Reset { work, prompt } => json!(ResetArgs { work, prompt }),
        SpecCommand::Cancel { delete } => json!(CancelArgs { delete }),
        SpecCommand::ApplyAgentChanges
        | SpecCommand::Merge
        | SpecCommand::Archive
        | SpecCommand::Verify
        | SpecCommand::Split
        | SpecCommand::ShowLog => json!(NoArgs {}),
    };
    let uri = json!(uri.as_str());
    match options.as_object().is_some_and(|o| o.is_empty()) {
        true => vec![uri],
        false => vec![uri, options],
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct AddArgs {
    title: Option<String>,
    #[serde(rename = "type")]
    spec_type: Option<String>,
    prompt: Option<String>,
    labels: Vec<String>,
    needs_approval: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct LabelArgs {
    label: Option<String>,
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
    fn parse(name: &str, args: &[Value]) -> Result<Request> {
        let spec = |command: SpecCommand| -> Result<Request> {
            Ok(Request::Spec {
                uri: uri_argument(args)?,
                command,
            })
        };
        let options = |at: usize| -> Result<&Value> { Ok(args.get(at).unwrap_or(&Value::Null)) };
        match name {
            decide::WORK => {
                let o: WorkArgs = typed(name, options(1)?)?;
                spec(SpecCommand::Work {
                    prompt: o.prompt,
                    skip_quality: o.skip_quality,
                })
            }
            decide::APPROVE => {
                let o: ApproveArgs = typed(name, options(1)?)?;
                spec(SpecCommand::Approve { by: o.by })
            }
            decide::REJECT => {
                let o: RejectArgs = typed(name, options(1)?)?;
                spec(SpecCommand::Reject {
                    by: o.by,
                    reason: o.reason,
                })
            }
            decide::RESET => {
                let o: ResetArgs = typed(name, options(1)?)?;
                spec(SpecCommand::Reset {
                    work: o.work,
                    prompt: o.prompt,
                })
            }
            decide::CANCEL => {
                let o: CancelArgs = typed(name, options(1)?)?;
                spec(SpecCommand::Cancel { delete: o.delete })
            }
            decide::APPLY_AGENT_CHANGES
            | decide::MERGE
            | decide::ARCHIVE
            | decide::VERIFY
            | decide::SPLIT
            | decide::SHOW_LOG => {
                let _: NoArgs = typed(name, options(1)?)?;
                spec(match name {
                    decide::APPLY_AGENT_CHANGES => SpecCommand::ApplyAgentChanges,
                    decide::MERGE => SpecCommand::Merge,
                    decide::ARCHIVE => SpecCommand::Archive,
                    decide::VERIFY => SpecCommand::Verify,
                    decide::SPLIT => SpecCommand::Split,
                    _ => SpecCommand::ShowLog,
                })
            }
            decide::ADD | decide::MERGE_ALL | decide::ARCHIVE_BY_LABEL => {
                // `[rootUri, options?]`, or without the URI `[options?]`
                // (what Helix's `:lsp-workspace-command` sends when the
                // command is picked from its list).
                let (uri, options) = match args.first() {
                    Some(Value::String(_)) => (Some(uri_argument(args)?), options(1)?),
                    _ => (None, options(0)?),
                };
                let command = match name {
                    decide::ADD => {
                        let o: AddArgs = typed(name, options)?;
                        ProjectCommand::Add(AddRequest {
                            title: o.title,
                            spec_type: o.spec_type,
                            prompt: o.prompt,
                            labels: o.labels,
                            needs_approval: o.needs_approval,
                        })
                    }
                    decide::MERGE_ALL => {
                        let _: NoArgs = typed(name, options)?;
                        ProjectCommand::MergeAll
                    }
                    _ => {
                        let o: LabelArgs = typed(name, options)?;
                        ProjectCommand::ArchiveByLabel { label: o.label }
                    }
                };
                Ok(Request::Project { uri, command })
            }
            APPLY_FIX => {
                let fix = serde_json::from_value(options(0)?.clone()).map_err(|_| {
                    invalid_params("The argument must be {\"uri\", \"version\", \"edits\"}.")
                })?;
                Ok(Request::ApplyFix(fix))
            }
            other => Err(invalid_params(format!(
                "Unknown command `{other}`: chant-lsp runs {}.",
                COMMANDS.join(", ")
            ))),
        }
    }
}

/// A command's options, deserialized; the error names the option and what
/// was wrong with it.
fn typed<T: DeserializeOwned + Default>(command: &str, value: &Value) -> Result<T> {
    if value.is_null() {
        return Ok(T::default());
    }
    if !value.is_object() {
        return Err(invalid_params(format!(
            "The options of {command} must be an object, not {value}."
        )));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        // An unknown option names itself.
        if path == "." || inner.starts_with("unknown field") {
            invalid_params(format!("{command}: {inner}."))
        } else {
            invalid_params(format!("Option `{path}` of {command}: {inner}."))
        }
    })
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
    match Request::parse(&params.command, &params.arguments)? {
        Request::Spec { uri, command } => run_spec(session, &uri, command).await,
        Request::Project { uri, command } => run_project(session, uri.as_ref(), command).await,
        Request::ApplyFix(fix) => apply_fix(session, fix).await,
    }
}

/// The chant executable, or why there is none.
fn chant_program(session: &Session, root: &std::path::Path) -> Result<std::path::PathBuf> {
    let setting = session.settings().chant_path;
    let path = std::env::var_os("PATH");
    find_executable(&setting, path.as_deref(), root).ok_or_else(|| {
        refuse(format!(
            "chant was not found (setting `chant.path` is `{setting}`): install chant, or set `chant.path` to the chant executable."
        ))
    })
}

async fn run_spec(
    session: &Arc<Session>,
    uri: &Uri,
    command: SpecCommand,
) -> Result<Option<Value>> {
    let spec = facts::for_run(session, uri).await?;
    let asks_approver = matches!(
        &command,
        SpecCommand::Approve { by: None } | SpecCommand::Reject { by: None, .. }
    );
    let approver = match asks_approver && spec.commands_enabled {
        true => facts::approver(session, &spec.project.root).await,
        false => None,
    };
    let plan = spec
        .with_view(|view| decide::plan(view, &command, approver.as_deref()))
        .map_err(refuse)?;
    match plan {
        Plan::Run(plan) => {
            let job = Job {
                program: chant_program(session, &spec.project.root)?,
                root: spec.project.root.clone(),
                spec: Some(spec.path.clone()),
                config: spec.project.index().config.clone(),
                timeout: session.settings().command_timeout,
                plan: *plan,
            };
            jobs::start(session, job, Some(spec.uri.clone())).await
        }
        Plan::ApplyBranch { branch } => jobs::apply::apply(session, &spec, &branch).await,
        Plan::OpenLog { path } => open_log(session, &path).await,
    }
}

async fn run_project(
    session: &Arc<Session>,
    uri: Option<&Uri>,
    mut command: ProjectCommand,
) -> Result<Option<Value>> {
    let project = facts::project(session, uri).await?;
    if let ProjectCommand::ArchiveByLabel { label: None } = &command {
        if !session.settings().commands_enabled {
            return Err(refuse(decide::COMMANDS_OFF));
        }
        match ask_label(session, &project).await? {
            Some(label) => command = ProjectCommand::ArchiveByLabel { label: Some(label) },
            None => return Ok(None),
        }
    }
    let facts = facts::for_project(session, project).await;
    let plan = facts
        .with_view(|view| decide::project_plan(view, &command))
        .map_err(refuse)?;
    let root = facts.project.root.clone();
    let job = Job {
        program: chant_program(session, &root)?,
        config: facts.project.index().config.clone(),
        spec: None,
        timeout: session.settings().command_timeout,
        root,
        plan,
    };
    jobs::start(session, job, None).await
}

/// Ask which label to archive, offering the labels of the project's
/// completed specs (`window/showMessageRequest`: clients without an input
/// box, such as Helix, can answer it); None when the user dismissed it.
async fn ask_label(
    session: &Arc<Session>,
    project: &crate::workspace::Project,
) -> Result<Option<String>> {
    let labels = decide::archivable_labels(&project.index());
    if labels.is_empty() {
        return Err(refuse(
            "No completed spec of this project has a label: there is nothing to archive by label.",
        ));
    }
    let choices: Vec<&str> = labels.iter().map(String::as_str).collect();
    jobs::ask(
        session,
        MessageType::INFO,
        "Archive the completed specs with which label?".into(),
        &choices,
    )
    .await
    .map_err(|()| {
        invalid_params(
            "A label is required: pass it as {\"label\": \"...\"} (this editor cannot be asked).",
        )
    })
}

/// `chant.showLog`, decided: open the agent's log (runs nothing).
async fn open_log(session: &Session, log: &std::path::Path) -> Result<Option<Value>> {
    let Some(log_uri) = Uri::from_file_path(log) else {
        return Err(refuse(format!("{} has no file URI.", log.display())));
    };
    if !session.caps().show_document {
        return Ok(Some(json!({"uri": log_uri.as_str(), "shown": false})));
    }
    let shown = session
        .client()
        .show_document(ShowDocumentParams {
            uri: log_uri.clone(),
            external: Some(false),
            take_focus: Some(true),
            selection: None,
        })
        .await
        .unwrap_or(false);
    Ok(Some(json!({"uri": log_uri.as_str(), "shown": shown})))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every offer's arguments parse back into the command offered.
    #[test]
    fn arguments_parse_back_into_their_command() {
        let uri: Uri = "file:///w/.chant/specs/a.md".parse().unwrap();
        let some = |s: &str| Some(s.to_string());
        for command in [
            SpecCommand::Work {
                prompt: None,
                skip_quality: false,
            },
            SpecCommand::Work {
                prompt: some("research"),
                skip_quality: true,
            },
            SpecCommand::Approve { by: None },
            SpecCommand::Approve { by: some("Ada") },
            SpecCommand::Reject {
                by: None,
                reason: some("too vague"),
            },
            SpecCommand::ApplyAgentChanges,
            SpecCommand::Merge,
            SpecCommand::Archive,
            SpecCommand::Reset {
                work: true,
                prompt: some("standard"),
            },
            SpecCommand::Reset {
                work: false,
                prompt: None,
            },
            SpecCommand::Cancel { delete: true },
            SpecCommand::Cancel { delete: false },
            SpecCommand::Verify,
            SpecCommand::Split,
            SpecCommand::ShowLog,
        ] {
            let args = arguments(&uri, &command);
            match Request::parse(command.name(), &args).unwrap() {
                Request::Spec {
                    uri: parsed,
                    command: back,
                } => {
                    assert_eq!(parsed.as_str(), uri.as_str());
                    assert_eq!(back, command, "{args:?}");
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            arguments(&uri, &SpecCommand::Merge),
            vec![json!(uri.as_str())]
        );
    }

    #[test]
    fn bad_arguments_get_one_precise_error() {
        let uri = json!("file:///w/.chant/specs/a.md");
        let error = |name: &str, args: Value| {
            Request::parse(name, args.as_array().unwrap())
                .unwrap_err()
                .message
                .to_string()
        };
        assert_eq!(
            error("chant.cancel", json!([uri, {"delete": "yes"}])),
            "Option `delete` of chant.cancel: invalid type: string \"yes\", expected a boolean."
        );
        assert_eq!(
            error("chant.work", json!([uri, {"promt": "x"}])),
            "chant.work: unknown field `promt`, expected `prompt` or `skipQuality`."
        );
        assert_eq!(
            error("chant.archiveByLabel", json!([{"label": 7}])),
            "Option `label` of chant.archiveByLabel: invalid type: integer `7`, expected a string."
        );
        assert_eq!(
            error("chant.merge", json!([uri, 3])),
            "The options of chant.merge must be an object, not 3."
        );
        assert_eq!(
            error("chant.nope", json!([uri])),
            format!(
                "Unknown command `chant.nope`: chant-lsp runs {}.",
                COMMANDS.join(", ")
            )
        );
    }
}
