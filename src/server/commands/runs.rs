//! Running chant for one spec: the checks before, the run in a spawned task
//! (progress, output to the log, cancellation), and after it the buffers
//! brought up to date with what chant wrote and the outcome told.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::{mpsc, watch};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::notification::Progress as ProgressNotification;
use tower_lsp_server::ls_types::request::WorkDoneProgressCreate;
use tower_lsp_server::ls_types::*;

use super::edits::{self, diff_edits, open_buffer, workspace_edit, Change};
use super::{options, refuse, resolve_target, string_option, Target};
use crate::analysis::readiness as checks;
use crate::runner::args::find_executable;
use crate::runner::git;
use crate::runner::process::{self, Finished, OutputLine, RunSpec, StopReason, Stream};
use crate::runner::ChantCommand;
use crate::server::session::Session;
use crate::server::settings::Settings;
use crate::spec::frontmatter::SpecStatus;
use crate::spec::SpecModel;
use crate::text::diff::{merge3, Merge};

/// Progress reports carry at most one output line this often.
const REPORT_EVERY: Duration = Duration::from_millis(200);
/// How long to wait for the client to accept a progress token.
const PROGRESS_CREATE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `shutdown` waits for running chant processes to be killed.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(10);
/// How long the "Apply agent changes" offer waits for the user.
const OFFER_TIMEOUT: Duration = Duration::from_secs(3600);

pub const APPLY_ACTION: &str = "Apply agent changes";

/// The runs going on. One server process serves one session, so this is
/// process-wide.
static RUNS: LazyLock<Runs> = LazyLock::new(Runs::default);

#[derive(Default)]
struct Runs {
    list: Mutex<Vec<Entry>>,
    next: AtomicU64,
}

struct Entry {
    seq: u64,
    spec: PathBuf,
    token: String,
    stop: watch::Sender<Option<StopReason>>,
    done: watch::Receiver<bool>,
}

/// Unregisters a run when its task ends, however it ends.
struct Registration {
    seq: u64,
    done: watch::Sender<bool>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        RUNS.list
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|e| e.seq != self.seq);
        self.done.send_replace(true);
    }
}

/// Whether a run is going on for this spec file.
pub fn is_running(spec: &Path) -> bool {
    RUNS.list
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .any(|e| e.spec == spec)
}

/// Register a run for `spec`, unless one is going on already.
fn register(spec: &Path) -> Option<(String, watch::Receiver<Option<StopReason>>, Registration)> {
    let mut list = RUNS.list.lock().unwrap_or_else(|e| e.into_inner());
    if list.iter().any(|e| e.spec == spec) {
        return None;
    }
    let seq = RUNS.next.fetch_add(1, Ordering::Relaxed) + 1;
    let token = format!("chant-lsp/run/{seq}");
    let (stop_tx, stop_rx) = watch::channel(None);
    let (done_tx, done_rx) = watch::channel(false);
    list.push(Entry {
        seq,
        spec: spec.to_path_buf(),
        token: token.clone(),
        stop: stop_tx,
        done: done_rx,
    });
    Some((token, stop_rx, Registration { seq, done: done_tx }))
}

/// Cancel the run whose progress token this is.
pub fn cancel(token: &str) {
    let list = RUNS.list.lock().unwrap_or_else(|e| e.into_inner());
    for entry in list.iter().filter(|e| e.token == token) {
        entry.stop.send_replace(Some(StopReason::Cancelled));
    }
}

/// Stop every run (server shutdown) and wait, bounded, until each one has
/// killed its process group.
pub async fn stop_all() {
    let waits: Vec<watch::Receiver<bool>> = {
        let list = RUNS.list.lock().unwrap_or_else(|e| e.into_inner());
        list.iter()
            .map(|entry| {
                entry.stop.send_replace(Some(StopReason::Shutdown));
                entry.done.clone()
            })
            .collect()
    };
    let _ = tokio::time::timeout(SHUTDOWN_WAIT, async {
        for mut done in waits {
            let _ = done.wait_for(|d| *d).await;
        }
    })
    .await;
}

/// An open file's text on disk when the run started.
struct Baseline {
    path: PathBuf,
    disk: Option<String>,
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
    baselines: Vec<Baseline>,
    head_before: Option<String>,
}

fn require_enabled(settings: &Settings) -> Result<()> {
    if settings.commands_enabled {
        return Ok(());
    }
    Err(refuse(
        "Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true.",
    ))
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

fn require_idle(target: &Target) -> Result<()> {
    if is_running(&target.path) {
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

/// `chant.work [uri, {"prompt": NAME}?]`
pub async fn work(session: &Arc<Session>, args: &[Value]) -> Result<Option<Value>> {
    let options = options(args)?;
    let prompt = string_option(&options, "prompt")?;
    let settings = session.settings();
    require_enabled(&settings)?;
    let target = resolve_target(session, args).await?;
    let command =
        ChantCommand::work(&target.id, prompt.as_deref()).map_err(|e| refuse(e.to_string()))?;
    require_idle(&target)?;
    require_saved(&target)?;
    let refusal = {
        let index = target
            .project
            .index
            .read()
            .unwrap_or_else(|e| e.into_inner());
        let model = SpecModel::parse(&target.disk);
        checks::work_refusal(&target.disk, &model, &target.id, &*index, prompt.as_deref())
    };
    if let Some(refusal) = refusal {
        return Err(refuse(refusal));
    }
    let program = find_chant(&settings, &target.root)?;
    start(session, target, command, program, &settings).await
}

/// `chant.approve [uri, {"by": NAME}?]`
pub async fn approve(session: &Arc<Session>, args: &[Value]) -> Result<Option<Value>> {
    let options = options(args)?;
    let by = string_option(&options, "by")?;
    let settings = session.settings();
    require_enabled(&settings)?;
    let target = resolve_target(session, args).await?;
    let by = approver(by, &settings, &target.root).await?;
    let command = ChantCommand::approve(&target.id, &by).map_err(|e| refuse(e.to_string()))?;
    require_idle(&target)?;
    require_saved(&target)?;
    if let Some(refusal) = checks::approve_refusal(&target.disk, &SpecModel::parse(&target.disk)) {
        return Err(refuse(refusal));
    }
    let program = find_chant(&settings, &target.root)?;
    start(session, target, command, program, &settings).await
}

/// `chant.reject [uri, {"reason": TEXT, "by": NAME?}]`
pub async fn reject(session: &Arc<Session>, args: &[Value]) -> Result<Option<Value>> {
    let options = options(args)?;
    let by = string_option(&options, "by")?;
    let Some(reason) = string_option(&options, "reason")?.filter(|r| !r.trim().is_empty()) else {
        return Err(refuse(
            "A reason is required to reject a spec: pass it as {\"reason\": \"...\"} in the second argument (the chant editor extensions ask for it).",
        ));
    };
    let settings = session.settings();
    require_enabled(&settings)?;
    let target = resolve_target(session, args).await?;
    let by = approver(by, &settings, &target.root).await?;
    let command =
        ChantCommand::reject(&target.id, &by, &reason).map_err(|e| refuse(e.to_string()))?;
    require_idle(&target)?;
    require_saved(&target)?;
    if let Some(refusal) = checks::reject_refusal(&target.disk, &SpecModel::parse(&target.disk)) {
        return Err(refuse(refusal));
    }
    let program = find_chant(&settings, &target.root)?;
    start(session, target, command, program, &settings).await
}

/// Register the run, capture what the open files hold on disk now, and
/// start the run in its own task.
async fn start(
    session: &Arc<Session>,
    target: Target,
    command: ChantCommand,
    program: PathBuf,
    settings: &Settings,
) -> Result<Option<Value>> {
    let branch = {
        let index = target
            .project
            .index
            .read()
            .unwrap_or_else(|e| e.into_inner());
        format!("{}{}", index.config.branch_prefix, target.id)
    };
    let Some((token, stop, registration)) = register(&target.path) else {
        return Err(refuse(format!(
            "chant is already running for spec {}: wait for it to finish, or cancel it from its progress notification.",
            target.id
        )));
    };
    let open: Vec<PathBuf> = session.with_docs(|docs| {
        docs.values()
            .filter_map(|d| d.path.clone())
            .filter(|p| p.starts_with(&target.root))
            .collect()
    });
    let mut baselines = Vec::with_capacity(open.len());
    for path in open {
        let disk = read_text(&path).await;
        baselines.push(Baseline { path, disk });
    }
    let head_before = git::head(&target.root).await;
    let argv = command.argv();
    let plan = RunPlan {
        command,
        program,
        root: target.root,
        spec_path: target.path,
        spec_uri: target.uri,
        branch,
        timeout: settings.command_timeout,
        baselines,
        head_before,
    };
    let task_session = session.clone();
    let task_token = token.clone();
    tokio::spawn(async move {
        drive(task_session, plan, task_token, stop, registration).await;
    });
    Ok(Some(
        json!({"started": true, "token": token, "arguments": argv}),
    ))
}

async fn read_text(path: &Path) -> Option<String> {
    let bytes = edits::read_file(path).await.ok()?;
    String::from_utf8(bytes).ok()
}

/// A `$/progress` the client accepted.
struct Progress {
    token: ProgressToken,
}

impl Progress {
    async fn begin(session: &Arc<Session>, token: &str, title: &str) -> Option<Progress> {
        if !edits::supports_progress(session) {
            return None;
        }
        let token = ProgressToken::String(token.to_string());
        let created = tokio::time::timeout(
            PROGRESS_CREATE_TIMEOUT,
            session
                .client
                .send_request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                    token: token.clone(),
                }),
        )
        .await;
        if !matches!(created, Ok(Ok(()))) {
            return None;
        }
        let progress = Progress { token };
        progress
            .send(
                session,
                WorkDoneProgress::Begin(WorkDoneProgressBegin {
                    title: title.to_string(),
                    cancellable: Some(true),
                    message: Some("starting".into()),
                    percentage: None,
                }),
            )
            .await;
        Some(progress)
    }

    async fn send(&self, session: &Session, value: WorkDoneProgress) {
        session
            .client
            .send_notification::<ProgressNotification>(ProgressParams {
                token: self.token.clone(),
                value: ProgressParamsValue::WorkDone(value),
            })
            .await;
    }

    async fn report(&self, session: &Session, message: String) {
        self.send(
            session,
            WorkDoneProgress::Report(WorkDoneProgressReport {
                cancellable: Some(true),
                message: Some(message),
                percentage: None,
            }),
        )
        .await;
    }

    async fn end(&self, session: &Session, message: String) {
        self.send(
            session,
            WorkDoneProgress::End(WorkDoneProgressEnd {
                message: Some(message),
            }),
        )
        .await;
    }
}

/// Pass chant's output on: every line to the log, the latest stdout line
/// to the progress (at most every `REPORT_EVERY`). Returns the worktree
/// chant announced, if it did.
async fn forward(
    session: &Session,
    progress: Option<&Progress>,
    label: &str,
    mut lines: mpsc::UnboundedReceiver<OutputLine>,
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
                    .client
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

/// The run itself, in its own task.
async fn drive(
    session: Arc<Session>,
    plan: RunPlan,
    token: String,
    stop: watch::Receiver<Option<StopReason>>,
    registration: Registration,
) {
    let verb = plan.command.verb();
    let id = plan.command.id().to_string();
    let label = format!("chant {verb} {id}");
    let args = plan.command.argv();
    session
        .client
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
    let progress = Progress::begin(&session, &token, &label).await;
    let (tx, rx) = mpsc::unbounded_channel();
    let spec = RunSpec {
        program: &plan.program,
        args: &args,
        cwd: &plan.root,
    };
    // Editors reload an unmodified buffer when chant rewrites its file, so
    // the buffer may hold any version chant wrote during the run: keep them
    // all, to merge against the right one afterwards.
    let seen = std::sync::Mutex::new(Vec::<(PathBuf, String)>::new());
    let done = std::sync::atomic::AtomicBool::new(false);
    let run = async {
        let result = process::run(spec, tx, stop, plan.timeout).await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        result
    };
    let ((result, worktree), ()) = tokio::join!(
        async { tokio::join!(run, forward(&session, progress.as_ref(), &label, rx)) },
        record_disk_versions(&plan.baselines, &seen, &done)
    );

    let finished = match result {
        Ok(finished) => finished,
        Err(e) => {
            drop(registration);
            let message = format!(
                "Could not start chant ({}): {e}. Check the `chant.path` setting.",
                plan.program.display()
            );
            if let Some(progress) = &progress {
                progress
                    .end(&session, "chant could not be started".into())
                    .await;
            }
            session
                .client
                .show_message(MessageType::ERROR, message)
                .await;
            return;
        }
    };
    session
        .client
        .log_message(
            MessageType::INFO,
            format!("[{label}] {}", finished.describe_exit()),
        )
        .await;

    if finished.stopped == Some(StopReason::Shutdown) {
        let left = leftovers(&plan, worktree.as_deref()).await;
        drop(registration);
        if let Some(progress) = &progress {
            progress
                .end(
                    &session,
                    "stopped: the language server is shutting down".into(),
                )
                .await;
        }
        session
            .client
            .show_message(
                MessageType::WARNING,
                format!(
                    "`{label}` was stopped because the language server is shutting down.{left}"
                ),
            )
            .await;
        return;
    }

    let seen = seen.into_inner().unwrap_or_else(|e| e.into_inner());
    let sync = sync_buffers(&session, &plan.baselines, &seen).await;
    let mut changed = git::changed_since(&plan.root, plan.head_before.as_deref()).await;
    changed.push(plan.spec_path.clone());
    session.files_changed(changed);
    let outcome = describe(&plan, &finished, worktree.as_deref()).await;
    super::actions::forget_branches();
    drop(registration);
    if let Some(progress) = &progress {
        progress.end(&session, outcome.short.clone()).await;
    }
    for path in &sync.conflicts {
        session
            .client
            .show_message(
                MessageType::WARNING,
                format!(
                    "chant rewrote {} while you were editing it, and your edits overlap chant's: the editor keeps your version, the file on disk has chant's. Compare the two (e.g. \"Compare with saved\") and merge by hand before saving.",
                    path.display()
                ),
            )
            .await;
    }
    if let Some(failure) = &sync.failure {
        session
            .client
            .show_message(
                MessageType::WARNING,
                format!(
                    "chant changed files that are open, but the editor did not take the update ({failure}): reload them from disk to see chant's version."
                ),
            )
            .await;
    }
    if !outcome.offer_apply {
        session
            .client
            .show_message(outcome.kind, outcome.text)
            .await;
        return;
    }
    let action = MessageActionItem {
        title: APPLY_ACTION.into(),
        properties: Default::default(),
    };
    let answer = tokio::time::timeout(
        OFFER_TIMEOUT,
        session
            .client
            .show_message_request(outcome.kind, outcome.text, Some(vec![action])),
    )
    .await;
    if let Ok(Ok(Some(item))) = answer {
        if item.title == APPLY_ACTION {
            if let Err(e) = super::agent::apply_for_uri(&session, &plan.spec_uri).await {
                session
                    .client
                    .show_message(MessageType::ERROR, e.message.to_string())
                    .await;
            }
        }
    }
}

/// What the sync of open buffers found.
#[derive(Default)]
struct SyncReport {
    conflicts: Vec<PathBuf>,
    failure: Option<String>,
}

/// Bring the files chant rewrote into their open buffers: chant's changes
/// merged with the user's edits made during the run (conflicting files are
/// left alone and reported). A versioned edit the client refuses (the user
/// typed meanwhile) is computed again from the new buffer, a few times.
/// Every distinct content the open files had on disk while chant ran.
async fn record_disk_versions(
    baselines: &[Baseline],
    seen: &std::sync::Mutex<Vec<(PathBuf, String)>>,
    done: &std::sync::atomic::AtomicBool,
) {
    while !done.load(std::sync::atomic::Ordering::SeqCst) {
        for baseline in baselines {
            if let Some(text) = read_text(&baseline.path).await {
                let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                let known = baseline.disk.as_deref() == Some(text.as_str())
                    || seen.iter().any(|(p, t)| *p == baseline.path && *t == text);
                if !known {
                    seen.push((baseline.path.clone(), text));
                }
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn sync_buffers(
    session: &Arc<Session>,
    baselines: &[Baseline],
    seen: &[(PathBuf, String)],
) -> SyncReport {
    let mut report = SyncReport::default();
    for attempt in 0..3 {
        report.conflicts.clear();
        let mut changes = Vec::new();
        for baseline in baselines {
            let after = read_text(&baseline.path).await;
            if after == baseline.disk {
                continue;
            }
            // A file chant deleted: the buffer stays, the editor tells the user.
            let Some(after) = after else { continue };
            let Some((uri, version, ours)) = open_buffer(session, &baseline.path) else {
                continue;
            };
            // The buffer started from the disk text, or from a version chant
            // wrote meanwhile (reloaded by the editor): merge against the
            // newest one that merges cleanly.
            let start = baseline.disk.clone().unwrap_or_default();
            let bases = seen
                .iter()
                .rev()
                .filter(|(p, t)| *p == baseline.path && *t != after)
                .map(|(_, t)| t.as_str())
                .chain(std::iter::once(start.as_str()));
            let merged = bases
                .map(|base| merge3(base, &ours, &after))
                .find(|m| matches!(m, Merge::Clean(_)));
            match merged {
                Some(Merge::Clean(merged)) if merged != ours => changes.push(Change::Text {
                    uri,
                    version: Some(version),
                    edits: diff_edits(&ours, &merged, session),
                }),
                Some(_) => {}
                None => report.conflicts.push(baseline.path.clone()),
            }
        }
        if changes.is_empty() {
            return report;
        }
        let edit = workspace_edit(session, changes);
        match edits::apply(session, "chant: update from disk", edit).await {
            Ok(None) => return report,
            Ok(Some(_)) if attempt < 2 => continue,
            Ok(Some(reason)) => {
                report.failure = Some(reason);
                return report;
            }
            Err(e) => {
                report.failure = Some(e);
                return report;
            }
        }
    }
    report
}

struct Outcome {
    kind: MessageType,
    text: String,
    /// For the progress end.
    short: String,
    offer_apply: bool,
}

async fn spec_on_disk(path: &Path) -> Option<SpecModel> {
    read_text(path).await.map(|t| SpecModel::parse(&t))
}

/// What a stopped or failed `chant work` leaves behind, as a sentence
/// (empty for other commands or when nothing is left).
async fn leftovers(plan: &RunPlan, worktree: Option<&str>) -> String {
    if !matches!(plan.command, ChantCommand::Work { .. }) {
        return String::new();
    }
    let mut parts = Vec::new();
    let status = spec_on_disk(&plan.spec_path)
        .await
        .map(|m| m.values().status);
    if let Some(status) =
        status.filter(|s| matches!(s, SpecStatus::InProgress | SpecStatus::Failed))
    {
        parts.push(format!("the spec with `status: {}`", status.as_str()));
    }
    if let Some(path) = worktree.filter(|p| Path::new(p).exists()) {
        parts.push(format!("the worktree {path}"));
    }
    let branch_kept = git::branch_exists(&plan.root, &plan.branch).await;
    if branch_kept {
        parts.push(format!("the branch {}", plan.branch));
    }
    if parts.is_empty() {
        return String::new();
    }
    let list = match parts.len() {
        1 => parts[0].clone(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    };
    let mut text = format!(" chant leaves behind {list}.");
    if status == Some(SpecStatus::InProgress) {
        text.push_str(" Set the status back to `pending` before running the spec again.");
    }
    if let Some(path) = worktree.filter(|p| Path::new(p).exists()) {
        text.push_str(&format!(
            " Remove the worktree with `git worktree remove --force {path}` when you no longer need it."
        ));
    }
    if branch_kept {
        text.push_str(&format!(
            " The branch holds the agent's work so far (delete it with `git branch -D {}`).",
            plan.branch
        ));
    }
    text
}

async fn describe(plan: &RunPlan, finished: &Finished, worktree: Option<&str>) -> Outcome {
    let id = plan.command.id();
    let label = format!("chant {} {id}", plan.command.verb());
    match finished.stopped {
        Some(reason) => {
            let why = match reason {
                StopReason::TimedOut => format!(
                    "took longer than {} s (setting `chant.commands.timeoutSeconds`) and was stopped",
                    plan.timeout.map_or(0, |t| t.as_secs())
                ),
                _ => "was cancelled".to_string(),
            };
            let left = leftovers(plan, worktree).await;
            return Outcome {
                kind: MessageType::WARNING,
                text: format!(
                    "`{label}` {why}: chant and the processes it started were killed.{left}"
                ),
                short: if reason == StopReason::TimedOut {
                    "timed out".into()
                } else {
                    "cancelled".into()
                },
                offer_apply: false,
            };
        }
        None if !finished.status.success() => {
            let error = process::error_line(finished)
                .map(|e| e.trim_end_matches('.').to_string())
                .unwrap_or_else(|| "chant printed no `Error:` line (see the output log)".into());
            let left = leftovers(plan, worktree).await;
            return Outcome {
                kind: MessageType::ERROR,
                text: format!(
                    "`{label}` failed ({}): {error}.{left}",
                    finished.describe_exit()
                ),
                short: "failed".into(),
                offer_apply: false,
            };
        }
        None => {}
    }
    match &plan.command {
        ChantCommand::Work { .. } => {
            let model = spec_on_disk(&plan.spec_path).await;
            let status = model.as_ref().map(|m| m.values().status);
            if status != Some(SpecStatus::Completed) {
                let left = leftovers(plan, worktree).await;
                return Outcome {
                    kind: MessageType::WARNING,
                    text: format!(
                        "`{label}` exited successfully but did not mark the spec completed (status: {}).{left}",
                        status.map_or("unreadable", |s| s.as_str())
                    ),
                    short: "finished without completing the spec".into(),
                    offer_apply: false,
                };
            }
            let commits = model
                .as_ref()
                .and_then(|m| m.values().commits.clone())
                .unwrap_or_default();
            let commits = if commits.is_empty() {
                String::new()
            } else {
                format!(" (commits {})", commits.join(", "))
            };
            let agent_changes = super::agent::pending_change_count(&plan.root, &plan.branch).await;
            let (tail, offer) = if agent_changes > 0 {
                (
                    format!(
                        " The agent's changes are on branch {}, not in your checkout: \"{APPLY_ACTION}\" brings them into the editor for review.",
                        plan.branch
                    ),
                    true,
                )
            } else {
                (String::new(), false)
            };
            Outcome {
                kind: MessageType::INFO,
                text: format!("`{label}` finished: the spec is completed{commits}.{tail}"),
                short: "completed".into(),
                offer_apply: offer,
            }
        }
        ChantCommand::Approve { by, .. } | ChantCommand::Reject { by, .. } => {
            let commits = match &plan.head_before {
                Some(head) => git::new_commits(&plan.root, head).await,
                None => Vec::new(),
            };
            let commits = match commits.len() {
                0 => String::new(),
                1 => format!(" (commit {})", commits[0]),
                _ => format!(" (commits {})", commits.join(", ")),
            };
            let (done, short) = if matches!(plan.command, ChantCommand::Approve { .. }) {
                ("Approved", "approved")
            } else {
                ("Rejected", "rejected")
            };
            Outcome {
                kind: MessageType::INFO,
                text: format!("{done} spec {id} as {by}{commits}."),
                short: short.into(),
                offer_apply: false,
            }
        }
    }
}
