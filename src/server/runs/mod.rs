//! Running chant for one spec, read top-down: resolve the spec, decide
//! whether chant would accept the command (pure, in `analysis::readiness`
//! and `ide::actions`), run it (`runner`), describe the outcome (pure,
//! `runner::outcome`), and translate: progress, messages, buffer updates.
//!
//! A run takes minutes and the server runs at most four handlers at once,
//! so `executeCommand` only checks and starts the run, answering
//! `{"started": true, "token": ...}` at once; the run then reports
//! `$/progress` and messages in its own task.

pub mod agent;
pub mod progress;
pub mod sync;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;

use super::session::Session;
use super::settings::Settings;
use super::watch;
use crate::analysis::readiness;
use crate::ide::actions::COMMANDS_OFF;
use crate::runner::args::find_executable;
use crate::runner::git;
use crate::runner::merge_back::Why;
use crate::runner::outcome::{self, Gather, Level, APPLY_ACTION};
use crate::runner::process::{self, OutputLine, RunSpec, StopReason, Stream};
use crate::runner::registry::RunHandle;
use crate::runner::ChantCommand;
use crate::spec::SpecModel;
use crate::vfs::{Limit, ReadError};
use crate::workspace::{classify, ChantFile, Project};
use progress::Progress;

/// Progress reports carry at most one output line this often.
const REPORT_EVERY: Duration = Duration::from_millis(200);
/// How long `shutdown` waits for running chant processes to end.
pub const SHUTDOWN_WAIT: Duration = Duration::from_secs(10);
/// How long the "Apply agent changes" offer waits for the user.
const OFFER_TIMEOUT: Duration = Duration::from_secs(3600);

/// An error answer for a command the server will not run; the message says
/// what to do (LSP `RequestFailed`).
pub fn refuse(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into().into(),
        data: None,
    }
}

pub fn invalid_params(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::InvalidParams,
        message: message.into().into(),
        data: None,
    }
}

/// The spec a command is about.
pub struct Target {
    /// The open document's own URI when it is open, else the argument.
    pub uri: Uri,
    pub path: PathBuf,
    pub root: PathBuf,
    pub id: String,
    pub project: Arc<Project>,
    /// The file on disk, as chant will read it.
    pub disk: String,
    /// The open buffer (version, text), if the spec is open.
    pub buffer: Option<(i32, String)>,
}

impl Target {
    /// The buffer holds changes that are not on disk.
    fn unsaved(&self) -> bool {
        self.buffer
            .as_ref()
            .is_some_and(|(_, text)| *text != self.disk)
    }

    fn branch(&self) -> String {
        format!("{}{}", self.project.index().config.branch_prefix, self.id)
    }
}

/// Find the spec a URI names: its project, its text on disk and its open
/// buffer.
pub async fn resolve_target(session: &Arc<Session>, uri: Uri) -> Result<Target> {
    let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
        return Err(invalid_params(format!(
            "`{}` is not a file URI.",
            uri.as_str()
        )));
    };
    let ChantFile::Spec { root, id, .. } = classify(&path) else {
        return Err(refuse(format!(
            "{} is not a chant spec: specs are the .md files in .chant/specs/.",
            path.display()
        )));
    };
    let lookup = session.clone();
    let spec_path = path.clone();
    let project =
        tokio::task::spawn_blocking(move || lookup.projects().for_path_or_load(&spec_path))
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
    let files = project.files().clone();
    let read_path = path.clone();
    let disk = tokio::task::spawn_blocking(move || files.read_text(&read_path, Limit::SPEC))
        .await
        .unwrap_or_else(|e| Err(ReadError::Io(e.to_string())));
    let disk = match disk {
        Ok(text) => text,
        Err(ReadError::NotUtf8 { .. }) => {
            return Err(refuse(format!(
                "{} is not UTF-8 text: chant cannot read it.",
                path.display()
            )))
        }
        Err(e) => {
            return Err(refuse(format!(
                "{} cannot be read ({e}): save the spec to disk first.",
                path.display()
            )))
        }
    };
    let open = session.open_buffer(&path);
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

pub fn require_enabled(settings: &Settings) -> Result<()> {
    if settings.commands_enabled {
        Ok(())
    } else {
        Err(refuse(COMMANDS_OFF))
    }
}

fn require_saved(target: &Target) -> Result<()> {
    if target.unsaved() {
        return Err(refuse(format!(
            "{} has unsaved changes: chant reads the spec from disk and rewrites it, so running now would throw your edits away. Save the file, then run the command again.",
            target.path.display()
        )));
    }
    Ok(())
}

fn require_idle(session: &Session, target: &Target) -> Result<()> {
    if session.runs().is_running(&target.path) {
        return Err(refuse(format!(
            "chant is already running for spec {}: wait for it to finish, or cancel it from its progress notification.",
            target.id
        )));
    }
    Ok(())
}

fn find_chant(settings: &Settings, root: &Path) -> Result<PathBuf> {
    let path = std::env::var_os("PATH");
    find_executable(&settings.chant_path, path.as_deref(), root).ok_or_else(|| {
        refuse(format!(
            "chant was not found (setting `chant.path` is `{}`): install chant, or set `chant.path` to the chant executable.",
            settings.chant_path
        ))
    })
}

/// The approver: the command's `by`, else `chant.approverName`, else
/// `git config user.name` in the project.
async fn approver(by: Option<String>, settings: &Settings, root: &Path) -> Result<String> {
    if let Some(by) = by.filter(|b| !b.trim().is_empty()) {
        return Ok(by);
    }
    if let Some(name) = &settings.approver_name {
        return Ok(name.clone());
    }
    git::user_name(root).await.ok_or_else(|| {
        refuse("No approver name: set `chant.approverName` in the settings, or `git config user.name` in this repository.")
    })
}

/// `chant.work`
pub async fn work(
    session: &Arc<Session>,
    uri: Uri,
    prompt: Option<String>,
) -> Result<Option<Value>> {
    let settings = session.settings();
    require_enabled(&settings)?;
    let target = resolve_target(session, uri).await?;
    let command =
        ChantCommand::work(&target.id, prompt.as_deref()).map_err(|e| refuse(e.to_string()))?;
    require_idle(session, &target)?;
    require_saved(&target)?;
    // chant reads the file on disk: decide on that text.
    let refusal = {
        let model = SpecModel::parse(&target.disk);
        let index = target.project.index();
        readiness::work_refusal(&target.disk, &model, &target.id, &*index, prompt.as_deref())
    };
    if let Some(refusal) = refusal {
        return Err(refuse(refusal));
    }
    let program = find_chant(&settings, &target.root)?;
    start(session, target, command, program, &settings).await
}

/// `chant.approve`
pub async fn approve(
    session: &Arc<Session>,
    uri: Uri,
    by: Option<String>,
) -> Result<Option<Value>> {
    let settings = session.settings();
    require_enabled(&settings)?;
    let target = resolve_target(session, uri).await?;
    let by = approver(by, &settings, &target.root).await?;
    let command = ChantCommand::approve(&target.id, &by).map_err(|e| refuse(e.to_string()))?;
    require_idle(session, &target)?;
    require_saved(&target)?;
    if let Some(refusal) = readiness::approve_refusal(&target.disk, &SpecModel::parse(&target.disk))
    {
        return Err(refuse(refusal));
    }
    let program = find_chant(&settings, &target.root)?;
    start(session, target, command, program, &settings).await
}

/// `chant.reject`
pub async fn reject(
    session: &Arc<Session>,
    uri: Uri,
    by: Option<String>,
    reason: String,
) -> Result<Option<Value>> {
    let settings = session.settings();
    require_enabled(&settings)?;
    let target = resolve_target(session, uri).await?;
    let by = approver(by, &settings, &target.root).await?;
    let command =
        ChantCommand::reject(&target.id, &by, &reason).map_err(|e| refuse(e.to_string()))?;
    require_idle(session, &target)?;
    require_saved(&target)?;
    if let Some(refusal) = readiness::reject_refusal(&target.disk, &SpecModel::parse(&target.disk))
    {
        return Err(refuse(refusal));
    }
    let program = find_chant(&settings, &target.root)?;
    start(session, target, command, program, &settings).await
}

/// Everything a run needs, checked before it starts.
struct RunPlan {
    command: ChantCommand,
    program: PathBuf,
    root: PathBuf,
    spec_path: PathBuf,
    spec_uri: Uri,
    branch: String,
    timeout: Option<Duration>,
    head_before: Option<String>,
}

/// Register the run, note what the open files hold, and start the run in
/// its own task.
async fn start(
    session: &Arc<Session>,
    target: Target,
    command: ChantCommand,
    program: PathBuf,
    settings: &Settings,
) -> Result<Option<Value>> {
    let branch = target.branch();
    let Some(handle) = session.runs().register(&target.path) else {
        return Err(refuse(format!(
            "chant is already running for spec {}: wait for it to finish, or cancel it from its progress notification.",
            target.id
        )));
    };
    // A list of specs shows which are running.
    super::closed::list_changed(session);
    sync::begin(session, &handle.token, &target.root).await;
    let head_before = git::head(&target.root).await;
    let argv = command.argv();
    let token = handle.token.clone();
    let plan = RunPlan {
        command,
        program,
        root: target.root,
        spec_path: target.path,
        spec_uri: target.uri,
        branch,
        timeout: settings.command_timeout,
        head_before,
    };
    let task_session = session.clone();
    tokio::spawn(async move { drive(task_session, plan, handle).await });
    Ok(Some(
        json!({"started": true, "token": token, "arguments": argv}),
    ))
}

/// Pass chant's output on: every line to the log, the latest stdout line
/// to the progress (at most every `REPORT_EVERY`). Returns the worktree
/// chant announced, if it did.
async fn forward(
    session: &Session,
    progress: Option<&Progress>,
    label: &str,
    mut lines: mpsc::Receiver<OutputLine>,
) -> Option<String> {
    let mut worktree = None;
    let mut pending: Option<String> = None;
    let mut tick = tokio::time::interval(REPORT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            line = lines.recv() => {
                let Some(line) = line else { break };
                if let Some(path) = line.text.strip_prefix("→ Worktree: ") {
                    worktree = Some(path.trim().to_string());
                }
                session
                    .client()
                    .log_message(MessageType::LOG, format!("[{label}] {}", line.text))
                    .await;
                if line.stream == Stream::Stdout && !line.text.trim().is_empty() {
                    pending = Some(line.text);
                }
            }
            _ = tick.tick() => {
                if let (Some(progress), Some(text)) = (progress, pending.take()) {
                    progress.report(session, text).await;
                }
            }
        }
    }
    if let (Some(progress), Some(text)) = (progress, pending.take()) {
        progress.report(session, text).await;
    }
    worktree
}

fn message_type(level: Level) -> MessageType {
    match level {
        Level::Info => MessageType::INFO,
        Level::Warning => MessageType::WARNING,
        Level::Error => MessageType::ERROR,
    }
}

/// The run itself, in its own task: run, gather what it left, describe it,
/// bring the buffers up to date, tell the user.
async fn drive(session: Arc<Session>, plan: RunPlan, handle: RunHandle) {
    let label = format!("chant {} {}", plan.command.verb(), plan.command.id());
    let args = plan.command.argv();
    session
        .client()
        .log_message(
            MessageType::INFO,
            format!(
                "[{label}] running {} {} in {}",
                plan.program.display(),
                serde_json::to_string(&args).unwrap_or_default(),
                plan.root.display()
            ),
        )
        .await;
    let progress = Progress::begin(&session, &handle.token, &label).await;
    let (tx, rx) = mpsc::channel(process::LINE_BUFFER);
    let supervisor = process::this_executable();
    let spec = RunSpec {
        program: &plan.program,
        args: &args,
        cwd: &plan.root,
        supervisor: &supervisor,
    };
    let (result, worktree) = tokio::join!(
        process::run(spec, tx, handle.stop.clone(), plan.timeout),
        forward(&session, progress.as_ref(), &label, rx)
    );
    let finished = match result {
        Ok(finished) => finished,
        Err(e) => {
            sync::finish(&session, &handle.token).await;
            drop(handle);
            super::closed::list_changed(&session);
            if let Some(progress) = &progress {
                progress
                    .end(&session, "chant could not be started".into())
                    .await;
            }
            session
                .client()
                .show_message(
                    MessageType::ERROR,
                    format!(
                        "Could not start chant ({}): {e}. Check the `chant.path` setting.",
                        plan.program.display()
                    ),
                )
                .await;
            return;
        }
    };
    session
        .client()
        .log_message(
            MessageType::INFO,
            format!("[{label}] {}", finished.describe_exit()),
        )
        .await;
    let facts = outcome::gather(
        Gather {
            command: &plan.command,
            root: &plan.root,
            spec_path: &plan.spec_path,
            branch: &plan.branch,
            timeout: plan.timeout,
            head_before: plan.head_before.as_deref(),
            worktree: worktree.as_deref(),
        },
        &finished,
    )
    .await;
    let outcome = outcome::describe(&facts);
    let shutting_down = finished.stopped == Some(StopReason::Shutdown);
    let report = if shutting_down {
        sync::SyncReport::default()
    } else {
        sync::finish(&session, &handle.token).await
    };
    let mut changed = git::changed_since(&plan.root, plan.head_before.as_deref()).await;
    changed.push(plan.spec_path.clone());
    watch::files_changed(&session, changed);
    session.branches().forget();
    drop(handle);
    super::closed::list_changed(&session);
    if let Some(progress) = &progress {
        progress.end(&session, outcome.short.clone()).await;
    }
    for (path, why) in &report.conflicts {
        let what = match why {
            Why::Overlap => "your edits overlap chant's",
            Why::UnknownBase => "the editor cannot tell which version your unsaved edits started from, so merging could undo one of chant's changes",
        };
        session
            .client()
            .show_message(
                MessageType::WARNING,
                format!(
                    "chant rewrote {} while you were editing it, and {what}: the editor keeps your version, the file on disk has chant's. Compare the two (e.g. \"Compare with saved\") and merge by hand before saving.",
                    path.display()
                ),
            )
            .await;
    }
    for path in &report.untracked {
        session
            .client()
            .show_message(
                MessageType::WARNING,
                format!(
                    "chant changed {}, which is open: reload it from disk to see chant's version.",
                    path.display()
                ),
            )
            .await;
    }
    if let Some(failure) = &report.failure {
        session
            .client()
            .show_message(
                MessageType::WARNING,
                format!(
                    "chant changed files that are open, but the editor did not take the update ({failure}): reload them from disk to see chant's version."
                ),
            )
            .await;
    }
    if !outcome.offer_apply || shutting_down {
        session
            .client()
            .show_message(message_type(outcome.level), outcome.text)
            .await;
        return;
    }
    let action = MessageActionItem {
        title: APPLY_ACTION.into(),
        properties: Default::default(),
    };
    let answer = tokio::time::timeout(
        OFFER_TIMEOUT,
        session.client().show_message_request(
            message_type(outcome.level),
            outcome.text,
            Some(vec![action]),
        ),
    )
    .await;
    if let Ok(Ok(Some(item))) = answer {
        if item.title == APPLY_ACTION {
            if let Err(e) = agent::apply(&session, plan.spec_uri.clone()).await {
                session
                    .client()
                    .show_message(MessageType::ERROR, e.message.to_string())
                    .await;
            }
        }
    }
}
