//! A command run: the facts gathered (`server::facts`), the core asked
//! (`ide::commands`), the plan started as a job (`runner::job`), and the
//! job's reports translated into LSP by [`LspSink`], which asks with
//! `window/showMessageRequest`, shows `$/progress` and log lines, brings
//! chant's rewrites into the open buffers and the index, and tells the
//! outcome.
//!
//! A run takes minutes and the server runs a bounded number of handlers at
//! once, so `executeCommand` only starts a job ([`start`]), answering
//! `{"started": true, "token": ...}` at once.
//!
//! - [`new_spec`]: the type and labels of the spec `chant add` created.
//! - [`apply`]: "Apply agent changes".
//! - [`review`]: "Review changes".
//! - [`sync`]: bringing what chant wrote into open buffers.

pub mod apply;
mod follow_up;
pub mod new_spec;
pub mod progress;
pub mod review;
pub mod sync;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::closed;
use super::facts::{self, invalid_params, refuse};
use super::session::Session;
use super::watch;
use crate::analysis::command::{ChantCommand, Scope};
use crate::ide::commands::{self as decide, Plan, ProjectCommand, SpecCommand};
use crate::runner::job::{self, Answer, Event, Job, JobEnd, JobReport, Sink};
use crate::runner::outcome::{Level, Offer, Outcome};
use crate::runner::process;
use crate::runner::program::find_executable;
use progress::Progress;

/// How long `shutdown` waits for running chant processes to end.
pub const SHUTDOWN_WAIT: Duration = Duration::from_secs(10);
/// How long an offer ("Apply agent changes") or a question waits for the
/// user.
const OFFER_TIMEOUT: Duration = Duration::from_secs(3600);

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

pub async fn run_spec(
    session: &Arc<Session>,
    uri: &Uri,
    command: SpecCommand,
) -> Result<Option<Value>> {
    // "Work with…": the prompt asked first, then Work with it decided.
    let command = match command {
        SpecCommand::WorkWith => match choose_prompt(session, uri).await? {
            Some(prompt) => SpecCommand::Work {
                prompt: Some(prompt),
                skip_quality: false,
            },
            None => return Ok(None),
        },
        other => other,
    };
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
                supervisor: process::this_executable(),
                root: spec.project.root.clone(),
                spec: Some(spec.path.clone()),
                config: spec.project.index().config.clone(),
                timeout: session.settings().command_timeout,
                plan: *plan,
            };
            start(session, job, Subject::Spec(spec.uri.clone())).await
        }
        Plan::ApplyBranch { branch } => apply::apply(session, &spec, &branch).await,
        Plan::OpenLog { path } => open_log(session, &path, spec.running).await,
        Plan::Review { branch, main } => {
            let open = matches!(command, SpecCommand::Review { open: true });
            review::open(session, &spec, (&branch, &main), open).await
        }
        // Only "Work with…" plans a choice, and it was asked above.
        Plan::ChoosePrompt { .. } => Err(refuse("Choose the prompt first.")),
    }
}

/// "Work with…": which prompt (`window/showMessageRequest`, one action per
/// prompt, so clients without an input box can answer); None when the user
/// dismissed it. Refused as "Work with…" is refused when it may not run.
async fn choose_prompt(session: &Arc<Session>, uri: &Uri) -> Result<Option<String>> {
    let spec = facts::for_run(session, uri).await?;
    let plan = spec
        .with_view(|view| decide::plan(view, &SpecCommand::WorkWith, None))
        .map_err(refuse)?;
    let Plan::ChoosePrompt { choices } = plan else {
        return Err(refuse("Work with… plans no choice."));
    };
    let shown: Vec<&str> = choices.iter().map(String::as_str).collect();
    ask(
        session,
        MessageType::INFO,
        format!("Work spec {} with which prompt?", spec.id),
        &shown,
    )
    .await
    .map_err(|()| {
        invalid_params(
            "This editor cannot be asked which prompt: use \"Work with prompt NAME\" (a code action), or pass {\"prompt\": \"NAME\"} to chant.work.",
        )
    })
}

pub async fn run_project(
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
        supervisor: process::this_executable(),
        config: facts.project.index().config.clone(),
        spec: None,
        timeout: session.settings().command_timeout,
        root,
        plan,
    };
    start(session, job, Subject::Project(uri.cloned())).await
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
    ask(
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

/// `chant.showLog`, decided: open the agent's log (runs nothing); the
/// answer says whether chant still runs (the log still grows).
async fn open_log(
    session: &Session,
    log: &std::path::Path,
    running: bool,
) -> Result<Option<Value>> {
    let Some(log_uri) = Uri::from_file_path(log) else {
        return Err(refuse(format!("{} has no file URI.", log.display())));
    };
    let shown = session.show(log_uri.clone(), None).await;
    Ok(Some(
        json!({"uri": log_uri.as_str(), "shown": shown, "running": running}),
    ))
}

/// Register the job and start it in its own task; the answer says what
/// runs.
pub async fn start(session: &Arc<Session>, job: Job, subject: Subject) -> Result<Option<Value>> {
    let Some(handle) = session.runs().register(&job.key()) else {
        let subject = match &job.plan.scope {
            Scope::Spec { id } => format!("spec {id}"),
            Scope::Project => format!("the project at {}", job.root.display()),
        };
        return Err(refuse(format!(
            "chant is already running for {subject}: wait for it to finish, or cancel it from its progress notification."
        )));
    };
    let token = handle.token.clone();
    let runs: Vec<Vec<String>> = job.plan.steps.iter().map(ChantCommand::argv).collect();
    let mut answer = json!({
        "started": true,
        "token": token,
        "arguments": runs.first().cloned().unwrap_or_default(),
    });
    if runs.len() != 1 {
        answer["runs"] = json!(runs);
    }
    if job.plan.confirm.is_some() {
        answer["confirmation"] = json!(true);
    }
    let sink = LspSink {
        session: session.clone(),
        token,
        root: job.root.clone(),
        subject,
        progress: Mutex::new(None),
        told: Mutex::new(Told::default()),
    };
    tokio::spawn(async move { job::run(job, handle, &sink).await });
    Ok(Some(answer))
}

/// What a job is about, as the client names it: what a follow-up runs on.
#[derive(Debug, Clone)]
pub enum Subject {
    Spec(Uri),
    /// The project (None: the workspace's only one).
    Project(Option<Uri>),
}

/// What settling found, told when the job has finished.
#[derive(Default)]
struct Told {
    sync: sync::SyncReport,
    show: Option<new_spec::Show>,
}

/// A job's reports, translated for the client.
struct LspSink {
    session: Arc<Session>,
    token: String,
    root: PathBuf,
    subject: Subject,
    progress: Mutex<Option<Arc<Progress>>>,
    told: Mutex<Told>,
}

impl LspSink {
    fn progress(&self) -> Option<Arc<Progress>> {
        self.progress
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn told(&self) -> std::sync::MutexGuard<'_, Told> {
        self.told.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for LspSink {
    async fn ask(&self, message: String, choices: Vec<String>, warning: bool) -> Answer {
        let level = if warning {
            MessageType::WARNING
        } else {
            MessageType::INFO
        };
        let choices: Vec<&str> = choices.iter().map(String::as_str).collect();
        match ask(&self.session, level, message, &choices).await {
            Ok(Some(choice)) => Answer::Chose(choice),
            Ok(None) => Answer::Dismissed,
            Err(()) => Answer::CannotAsk,
        }
    }

    async fn event(&self, event: Event) {
        let session = &self.session;
        match event {
            Event::Begin { title } => {
                // A list of specs shows which are running.
                closed::list_changed(session);
                sync::begin(session, &self.token, &self.root).await;
                let progress = Progress::begin(session, &self.token, &title).await;
                *self.progress.lock().unwrap_or_else(|e| e.into_inner()) = progress.map(Arc::new);
            }
            Event::Report(text) => {
                if let Some(progress) = self.progress() {
                    progress.report(session, text).await;
                }
            }
            Event::Log { text, notice } => {
                let level = if notice {
                    MessageType::INFO
                } else {
                    MessageType::LOG
                };
                session.client().log_message(level, text).await;
            }
        }
    }

    async fn settle(&self, report: &mut JobReport) {
        let session = &self.session;
        let shutting_down = matches!(
            report.end,
            JobEnd::Ran {
                shutting_down: true,
                ..
            }
        );
        if !shutting_down {
            self.told().sync = sync::finish(session, &self.token).await;
        }
        // Open specs whose file chant moved (archive) or deleted (cancel
        // --delete) no longer speak for a spec: the index reads the disk.
        let removed: Vec<PathBuf> = report
            .removed
            .iter()
            .filter(|p| session.open_buffer(p).is_some())
            .cloned()
            .collect();
        session.note_removed_by_run(removed);
        if let (Some((id, spec)), JobEnd::Ran { outcome, .. }) = (&report.created, &mut report.end)
        {
            let show = new_spec::finish(session, &self.root, id, spec, outcome).await;
            self.told().show = show;
        }
        watch::files_changed(session, std::mem::take(&mut report.touched));
        session.branches().forget();
    }

    async fn finished(&self, report: JobReport) {
        let session = &self.session;
        let progress = self.progress();
        match report.end {
            JobEnd::Declined(message) => {
                session
                    .client()
                    .show_message(MessageType::INFO, message)
                    .await;
            }
            JobEnd::NotStarted(message) => {
                closed::list_changed_now(session).await;
                if let Some(progress) = progress {
                    progress
                        .end(session, "chant could not be started".into())
                        .await;
                }
                session
                    .client()
                    .show_message(MessageType::ERROR, message)
                    .await;
            }
            JobEnd::Ran {
                outcome,
                shutting_down,
            } => {
                closed::list_changed_now(session).await;
                if let Some(progress) = progress {
                    progress.end(session, outcome.short.clone()).await;
                }
                let (sync, show) = {
                    let mut told = self.told();
                    (std::mem::take(&mut told.sync), told.show.take())
                };
                tell_sync_report(session, &sync).await;
                if let Some(show) = show {
                    new_spec::show(session, show).await;
                }
                offer(session, outcome, shutting_down, self.subject.clone()).await;
            }
        }
    }
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
pub async fn ask(
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

/// What bringing chant's rewrites into the buffers found, told.
async fn tell_sync_report(session: &Session, report: &sync::SyncReport) {
    for (path, why) in &report.conflicts {
        session
            .client()
            .show_message(MessageType::WARNING, why.message(path))
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

/// Tell the outcome, with the next steps it offers (another command, run
/// as any command runs).
async fn offer(session: &Arc<Session>, outcome: Outcome, shutting_down: bool, subject: Subject) {
    let level = message_type(outcome.level);
    if outcome.offers.is_empty() || shutting_down {
        session.client().show_message(level, outcome.text).await;
        return;
    }
    let titles: Vec<&str> = outcome.offers.iter().map(Offer::title).collect();
    let answer = ask(session, level, outcome.text.clone(), &titles).await;
    let answer = answer.ok().flatten();
    let Some(next) = outcome
        .offers
        .iter()
        .find(|o| Some(o.title()) == answer.as_deref())
    else {
        return;
    };
    let ran = match (next, subject) {
        (Offer::StashAndMerge, Subject::Project(uri)) => {
            let command = ProjectCommand::MergeAll { stash: true };
            follow_up::project(session.clone(), uri, command).await
        }
        (_, Subject::Project(_)) => return,
        (next, Subject::Spec(uri)) => {
            let command = match next {
                Offer::Review => SpecCommand::Review { open: true },
                Offer::ApplyAgentChanges => SpecCommand::ApplyAgentChanges,
                Offer::Merge => SpecCommand::Merge { stash: false },
                Offer::StashAndMerge => SpecCommand::Merge { stash: true },
            };
            follow_up::spec(session.clone(), uri, command).await
        }
    };
    if let Err(e) = ran {
        session
            .client()
            .show_message(MessageType::ERROR, e.message.to_string())
            .await;
    }
}
