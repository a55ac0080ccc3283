//! One editor command's chant runs, as an actor (rust-analyzer's flycheck is
//! the model): it asks what its plan asks, runs each step under the
//! supervisor, passes chant's output on, chains the steps, gathers what
//! each left and describes the whole, and reports all of it to a [`Sink`].
//! The server implements the sink by translating into LSP (progress,
//! messages, buffer updates); tests implement it with plain vectors.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::mpsc;

use super::git;
use super::merging::{self, MergeNotes};
use super::outcome::{self, Gather, Outcome, RunFacts};
use super::output;
use super::process::{self, OutputLine, RunSpec, StopReason, Stream};
use super::registry::RunHandle;
use crate::analysis::command::{
    validate_spec_type, ChantCommand, NewSpec, RunPlan, Scope, SPEC_TYPES,
};
use crate::spec::config::ChantConfig;
use crate::spec::frontmatter::SpecStatus;
use crate::spec::id::spec_file;
use crate::workspace::{classify, ChantFile};

/// Progress reports carry at most one output line this often.
const REPORT_EVERY: Duration = Duration::from_millis(200);

/// A plan, ready to run in a project.
#[derive(Debug, Clone)]
pub struct Job {
    pub plan: RunPlan,
    pub root: PathBuf,
    /// The spec file the plan is about (its own file, wherever it is).
    pub spec: Option<PathBuf>,
    pub config: ChantConfig,
    pub program: PathBuf,
    /// The `chant-lsp` executable that supervises chant
    /// ([`process::this_executable`] in the server).
    pub supervisor: PathBuf,
    pub timeout: Option<Duration>,
}

impl Job {
    /// What the run registry keys the job by: the spec file, or the
    /// project's `.chant` folder for a command about the whole project (one
    /// at a time per project).
    pub fn key(&self) -> PathBuf {
        match (&self.plan.scope, &self.spec) {
            (Scope::Spec { .. }, Some(path)) => path.clone(),
            (Scope::Spec { id }, None) => spec_file(&self.root, id),
            (Scope::Project, _) => project_key(&self.root),
        }
    }
}

/// The registry key of commands about the whole project at `root`.
pub fn project_key(root: &Path) -> PathBuf {
    root.join(".chant")
}

/// What the job tells, besides its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// chant is about to run (the questions are answered).
    Begin { title: String },
    /// The latest line worth showing in the progress.
    Report(String),
    /// A line for the log; `notice` lines say what the job does (what it
    /// runs, how chant exited), the others are chant's output.
    Log { text: String, notice: bool },
}

/// The user's answer to a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Chose(String),
    Dismissed,
    /// The editor cannot ask.
    CannotAsk,
}

/// How the job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobEnd {
    /// The user did not answer a question with yes: nothing ran.
    Declined(String),
    /// chant could not be started.
    NotStarted(String),
    /// chant ran (maybe stopped): what it means.
    Ran {
        outcome: Outcome,
        /// The server is shutting down (the runs were stopped for that).
        shutting_down: bool,
    },
}

/// What a job did, for the sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobReport {
    pub end: JobEnd,
    /// Files the runs may have changed (the index reads them again).
    pub touched: Vec<PathBuf>,
    /// Spec files a run moved (archive) or deleted (cancel --delete).
    pub removed: Vec<PathBuf>,
    /// The spec `chant add` created, and the type and labels it gets.
    pub created: Option<(String, NewSpec)>,
    /// The spec file the job is about.
    pub spec: Option<PathBuf>,
}

impl JobReport {
    fn ended(end: JobEnd, spec: Option<PathBuf>) -> JobReport {
        JobReport {
            end,
            touched: Vec::new(),
            removed: Vec::new(),
            created: None,
            spec,
        }
    }
}

/// Where a job reports. `settle` comes while the job still holds its place
/// in the registry (bring buffers and indexes up to date), `finished` once
/// it gave it up (tell the user).
pub trait Sink: Sync {
    fn ask(
        &self,
        message: String,
        choices: Vec<String>,
        warning: bool,
    ) -> impl Future<Output = Answer> + Send;
    fn event(&self, event: Event) -> impl Future<Output = ()> + Send;
    fn settle(&self, report: &mut JobReport) -> impl Future<Output = ()> + Send;
    fn finished(&self, report: JobReport) -> impl Future<Output = ()> + Send;
}

/// Run the job to its end, reporting to `sink`. `handle` is its place in
/// the registry, given up before `finished`.
pub async fn run(mut job: Job, handle: RunHandle, sink: &impl Sink) {
    if let Some(declined) = ask_first(&mut job.plan, sink).await {
        drop(handle);
        let report = JobReport::ended(JobEnd::Declined(declined), job.spec.clone());
        sink.finished(report).await;
        return;
    }
    sink.event(Event::Begin {
        title: job.plan.title.clone(),
    })
    .await;
    let head_before = git::head(&job.root).await;
    let mut runs: Vec<(RunFacts, Outcome)> = Vec::new();
    let mut notes = MergeNotes::default();
    let total = job.plan.steps.len();
    for (i, step) in job.plan.steps.iter().enumerate() {
        if handle.stop.borrow().is_some() {
            break;
        }
        if total > 1 {
            let text = format!("{}/{total}: {}", i + 1, step.label());
            sink.event(Event::Report(text)).await;
        }
        if let Err(blocked) = before_merge(&job, step, &mut notes).await {
            let end = JobEnd::Ran {
                outcome: blocked,
                shutting_down: false,
            };
            let mut report = JobReport::ended(end, job.spec.clone());
            sink.settle(&mut report).await;
            drop(handle);
            sink.finished(report).await;
            return;
        }
        let ran = match run_step(&job, step, &handle, sink).await {
            Ok(ran) => after_merge(&job, step, ran, &mut notes, &handle, sink).await,
            Err(message) => Err(message),
        };
        match ran {
            Ok((facts, outcome)) => {
                let go_on = facts.ending.stopped.is_none() && job.plan.chain.goes_on(outcome.done);
                runs.push((facts, outcome));
                if !go_on {
                    break;
                }
            }
            Err(message) => {
                let mut report = JobReport::ended(JobEnd::NotStarted(message), job.spec.clone());
                sink.settle(&mut report).await;
                drop(handle);
                sink.finished(report).await;
                return;
            }
        }
    }
    let mut outcome = outcome::describe_job(&job.plan.chain, &runs);
    outcome.text.push_str(&outcome::merge_notes(&notes));
    let shutting_down = runs
        .iter()
        .any(|(f, _)| f.ending.stopped == Some(StopReason::Shutdown));
    let created = match (&job.plan.new_spec, runs.last()) {
        (Some(new_spec), Some((facts, _))) if outcome.done && !shutting_down => {
            output::created_id(&facts.ending.stdout).map(|id| (id, new_spec.clone()))
        }
        _ => None,
    };
    let mut report = JobReport {
        touched: touched(&job, &runs, head_before.as_deref(), &created).await,
        removed: removed(&job.root, &runs),
        created,
        spec: job.spec.clone(),
        end: JobEnd::Ran {
            outcome,
            shutting_down,
        },
    };
    sink.settle(&mut report).await;
    drop(handle);
    sink.finished(report).await;
}

/// The branches a merge step merges: its spec's, or for `merge --all`
/// those of the completed specs not merged yet.
async fn merged_by(job: &Job, step: &ChantCommand) -> Vec<(String, String)> {
    let ids = match step {
        ChantCommand::Merge { id } => vec![id.clone()],
        ChantCommand::MergeAll => {
            let dir = job.root.join(".chant/specs");
            let statuses = tokio::task::spawn_blocking(move || outcome::read_statuses(&dir))
                .await
                .unwrap_or_default();
            statuses
                .into_iter()
                .filter(|(_, status)| *status == SpecStatus::Completed)
                .map(|(id, _)| id)
                .collect()
        }
        _ => return Vec::new(),
    };
    let main = &job.config.main_branch;
    let mut out = Vec::new();
    for id in ids {
        let branch = job.config.branch_for(&id);
        if git::branch_exists(&job.root, &branch).await
            && git::is_merged(&job.root, &branch, main).await != Some(true)
        {
            out.push((id, branch));
        }
    }
    out
}

/// Before chant merges: the specs a branch deleted kept on the main
/// branch, and files "Apply agent changes" wrote put out of the way
/// (see `runner::merging`). Err: the outcome of a merge refused before
/// chant ran.
async fn before_merge(
    job: &Job,
    step: &ChantCommand,
    notes: &mut MergeNotes,
) -> Result<(), Outcome> {
    let main = &job.config.main_branch;
    let failed = |what: &str, e: git::GitError| {
        let mut outcome = outcome::merge_blocked(what, &[]);
        outcome.text = format!(
            "Nothing was merged: the editor could not check {what} before merging it ({e})."
        );
        outcome.short = "not merged".into();
        outcome.offers.clear();
        outcome
    };
    for (id, branch) in merged_by(job, step).await {
        let deleted = merging::deleted_specs(&job.root, &branch, main, &id)
            .await
            .map_err(|e| failed(&branch, e))?;
        if !deleted.is_empty() {
            merging::keep_specs(&job.root, &branch, main, &deleted)
                .await
                .map_err(|e| failed(&branch, e))?;
            notes.kept.push((branch.clone(), deleted));
        }
        let (same, differ) = merging::in_the_way(&job.root, &branch, main)
            .await
            .map_err(|e| failed(&branch, e))?;
        if !same.is_empty() {
            merging::clear(&job.root, &same)
                .await
                .map_err(|e| failed(&branch, e))?;
            notes.cleared.extend(same);
        }
        if differ.is_empty() {
            continue;
        }
        if !job.plan.stash {
            return Err(outcome::merge_blocked(&branch, &differ));
        }
        let why = format!("chant-lsp: in the way of merging {branch}");
        merging::stash(&job.root, &differ, &why)
            .await
            .map_err(|e| failed(&branch, e))?;
        notes.stashed.extend(differ);
    }
    Ok(())
}

/// After chant merged: a merge chant stopped on its own bookkeeping in the
/// spec being merged is made by the editor (`runner::merging`), and `merge
/// --all` goes on with the specs after it.
async fn after_merge(
    job: &Job,
    step: &ChantCommand,
    ran: (RunFacts, Outcome),
    notes: &mut MergeNotes,
    handle: &RunHandle,
    sink: &impl Sink,
) -> Result<(RunFacts, Outcome), String> {
    let (mut facts, mut outcome) = ran;
    // The commits of every round, the editor's merges included.
    let mut commits = facts.new_commits.clone();
    let mut resolved_any = false;
    // Each round merges at least one more branch: bounded by the branches.
    for _ in 0..=merged_by(job, step).await.len() {
        if outcome.done || facts.ending.stopped.is_some() || facts.merge_in_progress {
            break;
        }
        let files = output::conflicting_files(&facts.ending.stdout);
        let id = match step {
            ChantCommand::Merge { id } => id.clone(),
            ChantCommand::MergeAll => match output::merge_failures(&facts.ending.stdout).pop() {
                Some((id, _)) => id,
                None => break,
            },
            _ => break,
        };
        if files.len() != 1 || !files[0].ends_with(&format!(".chant/specs/{id}.md")) {
            break;
        }
        let branch = job.config.branch_for(&id);
        match merging::merge_bookkeeping(&job.root, &id, &branch).await {
            Ok(resolved) => notes.resolved.push(resolved),
            Err(why) => {
                outcome.text.push_str(&format!(
                    " The editor did not merge it itself either, as chant's bookkeeping alone: {why}."
                ));
                break;
            }
        }
        resolved_any = true;
        commits.extend(git::new_commits(&job.root, "HEAD^1").await);
        if let ChantCommand::MergeAll = step {
            (facts, outcome) = run_step(job, step, handle, sink).await?;
            commits.extend(facts.new_commits.iter().cloned());
        } else {
            outcome = outcome::merged_into(&branch, &job.config.main_branch, &commits);
        }
    }
    if resolved_any {
        let mut seen = std::collections::HashSet::new();
        commits.retain(|c| seen.insert(c.clone()));
        facts.new_commits = commits;
        if let (ChantCommand::MergeAll, true) = (step, outcome.done) {
            outcome = outcome::describe(&facts);
        }
    }
    Ok((facts, outcome))
}

/// The questions a plan asks before it runs: the confirmation of a
/// deletion, the type of a new spec. Returns why nothing runs, if so.
async fn ask_first(plan: &mut RunPlan, sink: &impl Sink) -> Option<String> {
    if let Some(confirm) = &plan.confirm {
        let choices = vec![confirm.yes.clone(), confirm.no.clone()];
        let answer = sink.ask(confirm.message.clone(), choices, true).await;
        if answer != Answer::Chose(confirm.yes.clone()) {
            return Some(confirm.declined.clone());
        }
    }
    let new_spec = plan.new_spec.as_mut()?;
    if new_spec.spec_type.is_some() {
        return None;
    }
    let message = format!("What type of spec is \"{}\"?", new_spec.title);
    let choices = SPEC_TYPES.iter().map(|t| t.to_string()).collect();
    match sink.ask(message, choices, false).await {
        Answer::Chose(choice) => match validate_spec_type(&choice) {
            Ok(t) => {
                new_spec.spec_type = Some(t.to_string());
                None
            }
            Err(e) => Some(format!("No spec was added: {e}")),
        },
        Answer::Dismissed => Some(format!(
            "No spec was added: no type was chosen for \"{}\".",
            new_spec.title
        )),
        // The editor cannot ask: chant's default type.
        Answer::CannotAsk => {
            new_spec.spec_type = Some("code".into());
            None
        }
    }
}

/// The spec file a step is about: the job's own file when the step is
/// about that spec, else where chant keeps it.
fn step_spec(job: &Job, command: &ChantCommand) -> Option<PathBuf> {
    let id = command.spec_id()?;
    let own = job
        .spec
        .as_ref()
        .filter(|path| matches!(classify(path), ChantFile::Spec { id: own, .. } if own == id));
    Some(own.cloned().unwrap_or_else(|| spec_file(&job.root, id)))
}

/// One chant run of a job: run it, gather what it left, describe it.
async fn run_step(
    job: &Job,
    command: &ChantCommand,
    handle: &RunHandle,
    sink: &impl Sink,
) -> Result<(RunFacts, Outcome), String> {
    let label = command.label();
    let args = command.argv();
    let notice = |text: String| Event::Log { text, notice: true };
    sink.event(notice(format!(
        "[{label}] running {} {} in {}",
        job.program.display(),
        serde_json::to_string(&args).unwrap_or_default(),
        job.root.display()
    )))
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
    let spec = RunSpec {
        program: &job.program,
        args: &args,
        cwd: &job.root,
        supervisor: &job.supervisor,
    };
    let (result, worktree) = tokio::join!(
        process::run(spec, tx, handle.stop.clone(), job.timeout),
        forward(sink, &label, command.spec_id(), handle, rx)
    );
    let finished = result.map_err(|e| {
        format!(
            "Could not start chant ({}): {e}. Check the `chant.path` setting.",
            job.program.display()
        )
    })?;
    sink.event(notice(format!("[{label}] {}", finished.describe_exit())))
        .await;
    let spec_path = step_spec(job, command);
    let branch = command
        .spec_id()
        .map(|id| job.config.branch_for(id))
        .unwrap_or_default();
    let facts = outcome::gather(
        Gather {
            command,
            root: &job.root,
            spec_path: spec_path.as_deref(),
            branch: &branch,
            main_branch: &job.config.main_branch,
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

/// Pass chant's output on: every line to the log (a line repeated many
/// times in a row is logged once, with its count), the latest stdout line
/// to the progress (at most every `REPORT_EVERY`; in a chain, with the
/// member chant is working on). Stops a chain that goes round in circles.
/// Returns the worktree chant announced, if it did.
async fn forward(
    sink: &impl Sink,
    label: &str,
    spec_id: Option<&str>,
    handle: &RunHandle,
    mut lines: mpsc::Receiver<OutputLine>,
) -> Option<String> {
    let mut worktree = None;
    let mut pending: Option<String> = None;
    let mut member: Option<String> = None;
    let mut loop_lines = 0usize;
    let mut last: Option<String> = None;
    let mut repeats = 0usize;
    let mut tick = tokio::time::interval(REPORT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let log = |text: String| Event::Log {
        text,
        notice: false,
    };
    let repeated = |n: usize| log(format!("[{label}] (the line above, {n} more times)"));
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
                        handle.stop_self(StopReason::Looping);
                    }
                }
                if last.as_deref() == Some(line.text.as_str()) {
                    repeats += 1;
                    continue;
                }
                if repeats > 0 {
                    sink.event(repeated(repeats)).await;
                    repeats = 0;
                }
                sink.event(log(format!("[{label}] {}", line.text))).await;
                if line.stream == Stream::Stdout && !line.text.trim().is_empty() {
                    pending = Some(match &member {
                        Some(id) => format!("{id}: {}", line.text.trim()),
                        None => line.text.clone(),
                    });
                }
                // A new member is news: it is reported at once, not at the
                // next tick (a quick member would otherwise never show).
                if new_member {
                    if let Some(text) = pending.take() {
                        sink.event(Event::Report(text)).await;
                        tick.reset();
                    }
                }
                last = Some(line.text);
            }
            _ = tick.tick() => {
                if let Some(text) = pending.take() {
                    sink.event(Event::Report(text)).await;
                }
            }
        }
    }
    if repeats > 0 {
        sink.event(repeated(repeats)).await;
    }
    if let Some(text) = pending.take() {
        sink.event(Event::Report(text)).await;
    }
    worktree
}

/// The files a job's runs may have changed: what git committed since it
/// started, the specs it ran on (and their members and the other specs
/// whose status changed), where archived specs went, the new spec.
async fn touched(
    job: &Job,
    runs: &[(RunFacts, Outcome)],
    head_before: Option<&str>,
    created: &Option<(String, NewSpec)>,
) -> Vec<PathBuf> {
    let mut changed = git::changed_since(&job.root, head_before).await;
    changed.extend(job.spec.iter().cloned());
    for (facts, _) in runs {
        if let Some(id) = facts.command.as_ref().and_then(|c| c.spec_id()) {
            changed.push(spec_file(&job.root, id));
        }
        if let Some(to) = &facts.archived_to {
            changed.push(job.root.join(to));
        }
        changed.extend(
            facts
                .members
                .iter()
                .chain(&facts.others)
                .map(|m| spec_file(&job.root, &m.id)),
        );
    }
    if let Some((id, _)) = created {
        changed.push(spec_file(&job.root, id));
    }
    changed
}

/// The spec files runs moved (archive) or deleted (cancel --delete) and
/// that are gone.
fn removed(root: &Path, runs: &[(RunFacts, Outcome)]) -> Vec<PathBuf> {
    runs.iter()
        .filter(|(f, o)| {
            o.done
                && matches!(
                    f.command,
                    Some(ChantCommand::Archive { .. } | ChantCommand::Cancel { delete: true, .. })
                )
        })
        .filter_map(|(f, _)| f.command.as_ref()?.spec_id())
        .map(|id| spec_file(root, id))
        .filter(|p| !p.exists())
        .collect()
}
