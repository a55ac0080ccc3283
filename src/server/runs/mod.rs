//! Running chant from the editor, read top-down: resolve the spec (or the
//! project), decide whether chant would accept the command (pure, in
//! `analysis::readiness`, `analysis::lifecycle` and `ide::actions`), run it
//! (`runner`), describe the outcome (pure, `runner::outcome`), and
//! translate: progress, messages, buffer updates.
//!
//! A run takes minutes and the server runs at most four handlers at once,
//! so `executeCommand` only checks and starts a [`Job`] (one or more chant
//! runs in order), answering `{"started": true, "token": ...}` at once; the
//! job then asks what it must ask, reports `$/progress` and messages in its
//! own task.
//!
//! - [`walk`]: merge, archive, reset, cancel, verify, split, the log.
//! - [`add`]: `chant add`, then the new spec's type and labels, and showing it.
//! - [`agent`]: "Apply agent changes".
//! - [`sync`]: bringing what chant wrote into open buffers.

pub mod add;
pub mod agent;
pub mod progress;
pub mod sync;
pub mod walk;

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
use crate::runner::outcome::{self, Gather, JobKind, Level, Outcome, RunFacts, APPLY_ACTION};
use crate::runner::output;
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
/// How long an offer ("Apply agent changes") or a question waits for the
/// user.
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

    fn main_branch(&self) -> String {
        self.project.index().config.main_branch.clone()
    }

    /// The spec as chant reads it (from disk).
    fn model(&self) -> SpecModel {
        SpecModel::parse(&self.disk)
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

/// A project a command is about: named by its folder or any file in it.
pub struct ProjectTarget {
    pub root: PathBuf,
    pub project: Arc<Project>,
}

/// Find the chant project of a folder (or of a file in it).
pub async fn resolve_project(session: &Arc<Session>, uri: Uri) -> Result<ProjectTarget> {
    let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
        return Err(invalid_params(format!(
            "`{}` is not a file URI.",
            uri.as_str()
        )));
    };
    let lookup = session.clone();
    let at = path.clone();
    let project = tokio::task::spawn_blocking(move || lookup.projects().for_path_or_load(&at))
        .await
        .ok()
        .flatten()
        .ok_or_else(|| {
            refuse(format!(
                "{} is not in a chant project: no folder above it holds .chant/ (run `chant init` in the project first).",
                path.display()
            ))
        })?;
    Ok(ProjectTarget {
        root: project.root.clone(),
        project,
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

fn already_running(id: &str) -> Error {
    refuse(format!(
        "chant is already running for spec {id}: wait for it to finish, or cancel it from its progress notification."
    ))
}

fn require_idle(session: &Session, target: &Target) -> Result<()> {
    if session.runs().is_running(&target.path) {
        return Err(already_running(&target.id));
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

/// The checks every command on one spec makes before its own: running chant
/// is allowed, the command's arguments are safe, no run for the spec is
/// going on, the spec is saved. Returns the chant to run.
fn spec_preflight(session: &Session, target: &Target, settings: &Settings) -> Result<PathBuf> {
    require_idle(session, target)?;
    require_saved(target)?;
    find_chant(settings, &target.root)
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
    skip_quality: bool,
) -> Result<Option<Value>> {
    let settings = session.settings();
    require_enabled(&settings)?;
    let target = resolve_target(session, uri).await?;
    let command = ChantCommand::work_with(&target.id, prompt.as_deref(), skip_quality)
        .map_err(|e| refuse(e.to_string()))?;
    require_idle(session, &target)?;
    require_saved(&target)?;
    // chant reads the file on disk: decide on that text.
    let refusal = {
        let model = target.model();
        let index = target.project.index();
        readiness::work_refusal_with(
            &target.disk,
            &model,
            &target.id,
            &*index,
            readiness::WorkOptions {
                prompt: prompt.as_deref(),
                skip_quality,
            },
        )
    };
    if let Some(refusal) = refusal {
        return Err(refuse(refusal));
    }
    let program = find_chant(&settings, &target.root)?;
    start(session, Job::for_spec(&target, command, program, &settings)).await
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
    if let Some(refusal) = readiness::approve_refusal(&target.disk, &target.model()) {
        return Err(refuse(refusal));
    }
    let program = find_chant(&settings, &target.root)?;
    start(session, Job::for_spec(&target, command, program, &settings)).await
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
    if let Some(refusal) = readiness::reject_refusal(&target.disk, &target.model()) {
        return Err(refuse(refusal));
    }
    let program = find_chant(&settings, &target.root)?;
    start(session, Job::for_spec(&target, command, program, &settings)).await
}

/// A question asked before a job runs; it runs only on `yes`.
pub struct Confirm {
    pub message: String,
    pub yes: String,
    pub no: String,
    /// Said when the user does not answer `yes`.
    pub declined: String,
}

/// One command the server runs: one or more chant runs in order, under one
/// progress, described as one outcome.
pub struct Job {
    /// The progress title: `chant work <id>`, `chant archive (label walk)`.
    pub title: String,
    /// The registry key: the spec file, or the project's `.chant` folder
    /// for commands about the whole project (one at a time).
    pub key: PathBuf,
    /// Named in "already running for ...".
    pub subject: String,
    pub root: PathBuf,
    pub project: Arc<Project>,
    pub steps: Vec<ChantCommand>,
    pub kind: JobKind,
    pub program: PathBuf,
    pub timeout: Option<Duration>,
    /// The spec the job is about (its file and URI), if one.
    pub spec: Option<(PathBuf, Uri)>,
    pub confirm: Option<Confirm>,
    /// `chant add`: what to do with the new spec.
    pub add: Option<add::AddRequest>,
}

impl Job {
    /// One chant run for one spec.
    fn for_spec(
        target: &Target,
        command: ChantCommand,
        program: PathBuf,
        settings: &Settings,
    ) -> Job {
        Job {
            title: command.label(),
            key: target.path.clone(),
            subject: format!("spec {}", target.id),
            root: target.root.clone(),
            project: target.project.clone(),
            steps: vec![command],
            kind: JobKind::Single,
            program,
            timeout: settings.command_timeout,
            spec: Some((target.path.clone(), target.uri.clone())),
            confirm: None,
            add: None,
        }
    }

    /// Chant runs about the whole project (one such job per project at a
    /// time).
    fn for_project(
        target: &ProjectTarget,
        title: String,
        steps: Vec<ChantCommand>,
        kind: JobKind,
        program: PathBuf,
        settings: &Settings,
    ) -> Job {
        Job {
            title,
            key: target.root.join(".chant"),
            subject: format!("the project at {}", target.root.display()),
            root: target.root.clone(),
            project: target.project.clone(),
            steps,
            kind,
            program,
            timeout: settings.command_timeout,
            spec: None,
            confirm: None,
            add: None,
        }
    }

    fn config(&self) -> (String, String) {
        let index = self.project.index();
        (
            index.config.branch_prefix.clone(),
            index.config.main_branch.clone(),
        )
    }
}

/// Register the job and start it in its own task.
async fn start(session: &Arc<Session>, job: Job) -> Result<Option<Value>> {
    let Some(handle) = session.runs().register(&job.key) else {
        return Err(refuse(format!(
            "chant is already running for {}: wait for it to finish, or cancel it from its progress notification.",
            job.subject
        )));
    };
    let token = handle.token.clone();
    let runs: Vec<Vec<String>> = job.steps.iter().map(ChantCommand::argv).collect();
    let mut answer = json!({
        "started": true,
        "token": token,
        "arguments": runs.first().cloned().unwrap_or_default(),
    });
    if runs.len() != 1 {
        answer["runs"] = json!(runs);
    }
    if job.confirm.is_some() {
        answer["confirmation"] = json!(true);
    }
    let task_session = session.clone();
    tokio::spawn(async move { drive(task_session, job, handle).await });
    Ok(Some(answer))
}

/// Pass chant's output on: every line to the log (a line repeated many
/// times in a row is logged once, with its count), the latest stdout line
/// to the progress (at most every `REPORT_EVERY`; in a chain, with the
/// member chant is working on). Stops a chain that goes round in circles.
/// Returns the worktree chant announced, if it did.
async fn forward(
    session: &Session,
    progress: Option<&Progress>,
    label: &str,
    run: (&str, Option<&str>),
    mut lines: mpsc::Receiver<OutputLine>,
) -> Option<String> {
    let (token, spec_id) = run;
    let mut worktree = None;
    let mut pending: Option<String> = None;
    let mut member: Option<String> = None;
    let mut loop_lines = 0usize;
    let mut last: Option<String> = None;
    let mut repeats = 0usize;
    let mut tick = tokio::time::interval(REPORT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let repeated = |label: &str, n: usize| format!("[{label}] (the line above, {n} more times)");
    loop {
        tokio::select! {
            line = lines.recv() => {
                let Some(line) = line else { break };
                if let Some(path) = line.text.strip_prefix("→ Worktree: ") {
                    worktree = Some(path.trim().to_string());
                }
                let mut new_member = false;
                if let Some(id) = output::working_on(&line.text) {
                    let now = (Some(id) != spec_id).then(|| id.to_string());
                    new_member = now.is_some() && now != member;
                    member = now;
                }
                if output::is_group_failure_skip(&line.text) {
                    loop_lines += 1;
                    if loop_lines == output::LOOP_LINES {
                        session.runs().stop(token, StopReason::Looping);
                    }
                }
                if last.as_deref() == Some(line.text.as_str()) {
                    repeats += 1;
                    continue;
                }
                if repeats > 0 {
                    session
                        .client()
                        .log_message(MessageType::LOG, repeated(label, repeats))
                        .await;
                    repeats = 0;
                }
                session
                    .client()
                    .log_message(MessageType::LOG, format!("[{label}] {}", line.text))
                    .await;
                if line.stream == Stream::Stdout && !line.text.trim().is_empty() {
                    pending = Some(match &member {
                        Some(id) => format!("{id}: {}", line.text.trim()),
                        None => line.text.clone(),
                    });
                }
                // A new member is news: it is reported at once, not at the
                // next tick (a quick member would otherwise never show).
                if new_member {
                    if let (Some(progress), Some(text)) = (progress, pending.take()) {
                        progress.report(session, text).await;
                        tick.reset();
                    }
                }
                last = Some(line.text);
            }
            _ = tick.tick() => {
                if let (Some(progress), Some(text)) = (progress, pending.take()) {
                    progress.report(session, text).await;
                }
            }
        }
    }
    if repeats > 0 {
        session
            .client()
            .log_message(MessageType::LOG, repeated(label, repeats))
            .await;
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

/// Ask the user a question with `choices`; the choice, None when dismissed,
/// Err when the editor cannot ask.
async fn ask(
    session: &Session,
    level: MessageType,
    message: String,
    choices: &[&str],
) -> std::result::Result<Option<String>, ()> {
    let actions = choices
        .iter()
        .map(|c| MessageActionItem {
            title: c.to_string(),
            properties: Default::default(),
        })
        .collect();
    let answer = tokio::time::timeout(
        OFFER_TIMEOUT,
        session
            .client()
            .show_message_request(level, message, Some(actions)),
    )
    .await;
    match answer {
        Ok(Ok(item)) => Ok(item.map(|i| i.title)),
        Ok(Err(_)) => Err(()),
        Err(_) => Ok(None),
    }
}

/// Why a job stopped before it ran chant at all.
enum Prelude {
    Go,
    Stop(String),
}

/// The questions a job asks before it runs: the confirmation of a
/// deletion, the type of a new spec.
async fn prelude(session: &Session, job: &mut Job) -> Prelude {
    if let Some(confirm) = &job.confirm {
        let answer = ask(
            session,
            MessageType::WARNING,
            confirm.message.clone(),
            &[confirm.yes.as_str(), confirm.no.as_str()],
        )
        .await;
        if answer.ok().flatten().as_deref() != Some(confirm.yes.as_str()) {
            return Prelude::Stop(confirm.declined.clone());
        }
    }
    if let Some(request) = &mut job.add {
        if let Some(stop) = add::ask_type(session, request).await {
            return Prelude::Stop(stop);
        }
    }
    Prelude::Go
}

/// One chant run of a job: run it, gather what it left, describe it.
async fn run_step(
    session: &Arc<Session>,
    job: &Job,
    command: &ChantCommand,
    handle: &RunHandle,
    progress: Option<&Progress>,
) -> std::result::Result<(RunFacts, Outcome), String> {
    let label = command.label();
    let args = command.argv();
    session
        .client()
        .log_message(
            MessageType::INFO,
            format!(
                "[{label}] running {} {} in {}",
                job.program.display(),
                serde_json::to_string(&args).unwrap_or_default(),
                job.root.display()
            ),
        )
        .await;
    let specs_dir = job.root.join(".chant/specs");
    let statuses_before = if matches!(
        command,
        ChantCommand::Work { .. } | ChantCommand::Split { .. }
    ) {
        let dir = specs_dir.clone();
        tokio::task::spawn_blocking(move || outcome::read_statuses(&dir))
            .await
            .ok()
    } else {
        None
    };
    let head_before = git::head(&job.root).await;
    let (tx, rx) = mpsc::channel(process::LINE_BUFFER);
    let supervisor = process::this_executable();
    let spec = RunSpec {
        program: &job.program,
        args: &args,
        cwd: &job.root,
        supervisor: &supervisor,
    };
    let (result, worktree) = tokio::join!(
        process::run(spec, tx, handle.stop.clone(), job.timeout),
        forward(
            session,
            progress,
            &label,
            (&handle.token, command.spec_id()),
            rx
        )
    );
    let finished = result.map_err(|e| {
        format!(
            "Could not start chant ({}): {e}. Check the `chant.path` setting.",
            job.program.display()
        )
    })?;
    session
        .client()
        .log_message(
            MessageType::INFO,
            format!("[{label}] {}", finished.describe_exit()),
        )
        .await;
    let (prefix, main_branch) = job.config();
    let own_spec = |path: &Path, id: &str| matches!(classify(path), ChantFile::Spec { id: own, .. } if own == id);
    let spec_path = match (&job.spec, command.spec_id()) {
        (Some((path, _)), Some(id)) if own_spec(path, id) => Some(path.clone()),
        (_, Some(id)) => Some(specs_dir.join(format!("{id}.md"))),
        (_, None) => None,
    };
    let branch = command
        .spec_id()
        .map(|id| format!("{prefix}{id}"))
        .unwrap_or_default();
    let facts = outcome::gather(
        Gather {
            command,
            root: &job.root,
            spec_path: spec_path.as_deref(),
            branch: &branch,
            main_branch: &main_branch,
            timeout: job.timeout,
            head_before: head_before.as_deref(),
            worktree: worktree.as_deref(),
            statuses_before: statuses_before.as_ref(),
        },
        &finished,
    )
    .await;
    let outcome = outcome::describe(&facts);
    Ok((facts, outcome))
}

/// Whether a job goes on after a run with this outcome.
fn goes_on(kind: &JobKind, facts: &RunFacts, outcome: &Outcome) -> bool {
    if facts.ending.stopped.is_some() {
        return false;
    }
    match kind {
        JobKind::Single => false,
        JobKind::ResetThenWork => outcome.done,
        JobKind::ArchiveByLabel { .. } => true,
    }
}

/// The job itself, in its own task: ask, run each step, gather what they
/// left, describe them, bring the buffers up to date, tell the user.
async fn drive(session: Arc<Session>, mut job: Job, handle: RunHandle) {
    if let Prelude::Stop(message) = prelude(&session, &mut job).await {
        drop(handle);
        session
            .client()
            .show_message(MessageType::INFO, message)
            .await;
        return;
    }
    // A list of specs shows which are running.
    super::closed::list_changed(&session);
    sync::begin(&session, &handle.token, &job.root).await;
    let head_before = git::head(&job.root).await;
    let progress = Progress::begin(&session, &handle.token, &job.title).await;
    let mut runs: Vec<(RunFacts, Outcome)> = Vec::new();
    let total = job.steps.len();
    for (i, command) in job.steps.iter().enumerate() {
        if handle.stop.borrow().is_some() {
            break;
        }
        if let (Some(progress), true) = (&progress, total > 1) {
            progress
                .report(&session, format!("{}/{total}: {}", i + 1, command.label()))
                .await;
        }
        match run_step(&session, &job, command, &handle, progress.as_ref()).await {
            Ok((facts, outcome)) => {
                let go_on = goes_on(&job.kind, &facts, &outcome);
                runs.push((facts, outcome));
                if !go_on {
                    break;
                }
            }
            Err(message) => {
                sync::finish(&session, &handle.token).await;
                drop(handle);
                super::closed::list_changed_now(&session).await;
                if let Some(progress) = &progress {
                    progress
                        .end(&session, "chant could not be started".into())
                        .await;
                }
                session
                    .client()
                    .show_message(MessageType::ERROR, message)
                    .await;
                return;
            }
        }
    }
    let mut outcome = outcome::describe_job(&job.kind, &runs);
    let shutting_down = runs
        .iter()
        .any(|(f, _)| f.ending.stopped == Some(StopReason::Shutdown));
    let report = if shutting_down {
        sync::SyncReport::default()
    } else {
        sync::finish(&session, &handle.token).await
    };
    let mut changed = git::changed_since(&job.root, head_before.as_deref()).await;
    if let Some((path, _)) = &job.spec {
        changed.push(path.clone());
    }
    for (facts, _) in &runs {
        if let Some(id) = facts.command.as_ref().and_then(|c| c.spec_id()) {
            changed.push(job.root.join(".chant/specs").join(format!("{id}.md")));
        }
        if let Some(to) = &facts.archived_to {
            changed.push(job.root.join(to));
        }
        changed.extend(
            facts
                .members
                .iter()
                .chain(&facts.others)
                .map(|m| job.root.join(".chant/specs").join(format!("{}.md", m.id))),
        );
    }
    // Open specs whose file chant moved (archive) or deleted (cancel
    // --delete) no longer speak for a spec: the index reads the disk.
    let removed: Vec<PathBuf> = runs
        .iter()
        .filter(|(f, o)| {
            o.done
                && matches!(
                    f.command,
                    Some(ChantCommand::Archive { .. } | ChantCommand::Cancel { delete: true, .. })
                )
        })
        .filter_map(|(f, _)| f.command.as_ref()?.spec_id().map(str::to_string))
        .map(|id| job.root.join(".chant/specs").join(format!("{id}.md")))
        .filter(|p| !p.exists() && session.open_buffer(p).is_some())
        .collect();
    session.note_removed_by_run(removed);
    let show = match (&job.add, runs.last()) {
        (Some(request), Some((facts, _))) if outcome.done && !shutting_down => {
            add::finish(&session, &job, request, facts, &mut outcome, &mut changed).await
        }
        _ => None,
    };
    watch::files_changed(&session, changed);
    session.branches().forget();
    drop(handle);
    super::closed::list_changed_now(&session).await;
    if let Some(progress) = &progress {
        progress.end(&session, outcome.short.clone()).await;
    }
    tell_sync_report(&session, &report).await;
    if let Some(show) = show {
        add::show(&session, show).await;
    }
    let spec_uri = job.spec.as_ref().map(|(_, uri)| uri.clone());
    offer(&session, outcome, shutting_down, spec_uri).await;
}

/// What bringing chant's rewrites into the buffers found, told.
async fn tell_sync_report(session: &Session, report: &sync::SyncReport) {
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
}

/// Tell the outcome, offering "Apply agent changes" when it says so.
async fn offer(session: &Arc<Session>, outcome: Outcome, shutting_down: bool, spec: Option<Uri>) {
    let Some(spec) = spec.filter(|_| outcome.offer_apply && !shutting_down) else {
        session
            .client()
            .show_message(message_type(outcome.level), outcome.text)
            .await;
        return;
    };
    let answer = ask(
        session,
        message_type(outcome.level),
        outcome.text,
        &[APPLY_ACTION],
    )
    .await;
    if answer.ok().flatten().as_deref() == Some(APPLY_ACTION) {
        if let Err(e) = agent::apply(session, spec).await {
            session
                .client()
                .show_message(MessageType::ERROR, e.message.to_string())
                .await;
        }
    }
}
