//! The walkthrough after `chant work`: merge (one branch, or all),
//! archive (one spec, or every completed spec with a label), reset (and
//! work again), cancel (or delete, once the user confirms), verify, split,
//! and the agent's log. Each command resolves its spec or project, asks
//! `analysis::lifecycle` whether chant would refuse (with the git facts it
//! needs), and starts a [`Job`].

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::super::documents::text_hash;
use super::super::session::Session;
use super::{
    find_chant, refuse, require_enabled, resolve_project, resolve_target, spec_preflight, start,
    Confirm, Job, ProjectTarget, Target,
};
use crate::analysis::lifecycle::{self, BranchState};
use crate::analysis::readiness;
use crate::ide::actions::{dependents, existing_log, log_path, members};
use crate::runner::args::validate_label;
use crate::runner::git;
use crate::runner::outcome::JobKind;
use crate::runner::ChantCommand;
use crate::spec::frontmatter::SpecStatus;
use crate::vfs::{FileSystem, Limit, RealFs};
use crate::workspace::ChantFile;

fn invalid(e: crate::runner::InvalidArgument) -> tower_lsp_server::jsonrpc::Error {
    refuse(e.to_string())
}

/// What git says about a branch.
async fn branch_state(root: &std::path::Path, branch: &str, main: &str) -> BranchState {
    let exists = git::branch_exists(root, branch).await;
    let merged = if exists {
        git::is_merged(root, branch, main).await
    } else {
        None
    };
    BranchState { exists, merged }
}

/// The open specs of a project with unsaved changes (their buffer is not
/// what is on disk): a command that rewrites or moves specs would throw
/// them away.
async fn require_saved_specs(session: &Session, target: &ProjectTarget) -> Result<()> {
    let specs = target.root.join(".chant/specs");
    let open: Vec<(PathBuf, String)> = session.documents().with(|docs| {
        docs.values()
            .filter(|d| matches!(d.kind, ChantFile::Spec { .. }))
            .filter_map(|d| {
                let path = d.path.clone().filter(|p| p.starts_with(&specs))?;
                let text = d.rope.to_string();
                (text_hash(text.as_str()) != d.clean_hash).then_some((path, text))
            })
            .collect()
    });
    let mut dirty: Vec<PathBuf> = tokio::task::spawn_blocking(move || {
        open.into_iter()
            .filter(|(path, text)| {
                RealFs.read_text(path, Limit::SPEC).ok().as_deref() != Some(text.as_str())
            })
            .map(|(path, _)| path)
            .collect()
    })
    .await
    .unwrap_or_default();
    dirty.sort();
    if dirty.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = dirty.iter().map(|p| p.display().to_string()).collect();
    Err(refuse(format!(
        "These specs have unsaved changes: {}. chant rewrites and moves specs on disk, so running now would throw your edits away. Save them, then run the command again.",
        names.join(", ")
    )))
}

/// `chant.merge [uri]`: `chant merge <id> --yes`.
pub async fn merge(session: &Arc<Session>, uri: Uri) -> Result<Option<Value>> {
    let settings = session.settings();
    require_enabled(&settings)?;
    let target = resolve_target(session, uri).await?;
    let command = ChantCommand::merge(&target.id).map_err(invalid)?;
    let program = spec_preflight(session, &target, &settings)?;
    let (branch, main) = (target.branch(), target.main_branch());
    let state = branch_state(&target.root, &branch, &main).await;
    let refusal = {
        let index = target.project.index();
        lifecycle::merge_refusal(
            &target.disk,
            &target.model(),
            &target.id,
            &branch,
            &main,
            state,
            lifecycle::MergeContext {
                config_problem: index.config.problem.as_deref(),
                members: &members(&index, &target.id),
            },
        )
    };
    if let Some(refusal) = refusal {
        return Err(refuse(refusal));
    }
    start(session, Job::for_spec(&target, command, program, &settings)).await
}

/// `chant.mergeAll [rootUri]`: `chant merge --all --yes`.
pub async fn merge_all(session: &Arc<Session>, uri: Uri) -> Result<Option<Value>> {
    let settings = session.settings();
    require_enabled(&settings)?;
    let target = resolve_project(session, uri).await?;
    require_saved_specs(session, &target).await?;
    let program = find_chant(&settings, &target.root)?;
    let command = ChantCommand::MergeAll;
    let job = Job::for_project(
        &target,
        command.label(),
        vec![command],
        JobKind::Single,
        program,
        &settings,
    );
    start(session, job).await
}

/// The refusal of `chant archive` for a spec, with the git facts it needs.
async fn archive_check(target: &Target) -> Option<String> {
    let model = target.model();
    let main = target.main_branch();
    let branch = model
        .values()
        .branch
        .clone()
        .unwrap_or_else(|| target.branch());
    let state = branch_state(&target.root, &branch, &main).await;
    let members = members(&target.project.index(), &target.id);
    lifecycle::archive_refusal(&target.disk, &model, &target.id, &members, &main, state)
}

/// `chant.archive [uri]`: `chant archive <id>`.
pub async fn archive(session: &Arc<Session>, uri: Uri) -> Result<Option<Value>> {
    let settings = session.settings();
    require_enabled(&settings)?;
    let target = resolve_target(session, uri).await?;
    let command = ChantCommand::archive(&target.id).map_err(invalid)?;
    let program = spec_preflight(session, &target, &settings)?;
    if let Some(refusal) = archive_check(&target).await {
        return Err(refuse(refusal));
    }
    start(session, Job::for_spec(&target, command, program, &settings)).await
}

/// `chant.archiveByLabel [rootUri, {"label": L}]`: chant 0.23.2's archive
/// has no label filter, so `chant archive <id>` for each completed spec
/// with the label, one after another; the others are named with why.
/// Without a label, the labels of the project's completed specs are offered
/// as the choices of a question (`window/showMessageRequest`: clients
/// without an input box, such as Helix, can answer it).
pub async fn archive_by_label(
    session: &Arc<Session>,
    uri: Uri,
    label: Option<String>,
) -> Result<Option<Value>> {
    let settings = session.settings();
    require_enabled(&settings)?;
    let target = resolve_project(session, uri).await?;
    let label = match label {
        Some(label) => label,
        None => match ask_label(session, &target).await? {
            Some(label) => label,
            None => return Ok(None),
        },
    };
    let label = validate_label(&label).map_err(invalid)?;
    require_saved_specs(session, &target).await?;
    let program = find_chant(&settings, &target.root)?;
    let labelled: Vec<(String, PathBuf, SpecStatus)> = {
        let index = target.project.index();
        let mut found: Vec<(String, PathBuf, SpecStatus)> = index
            .specs()
            .filter(|e| e.summary.labels.contains(&label))
            .map(|e| (e.id.clone(), e.path.clone(), e.summary.status))
            .collect();
        // Members before their drivers, as chant merges them.
        found.sort_by(|a, b| {
            let dots = |id: &str| id.matches('.').count();
            dots(&b.0).cmp(&dots(&a.0)).then(a.0.cmp(&b.0))
        });
        found
    };
    if labelled.is_empty() {
        return Err(refuse(format!(
            "No spec in this project has the label `{label}` (specs in .chant/specs with `labels:` holding it)."
        )));
    }
    let mut steps = Vec::new();
    let mut refused = Vec::new();
    for (id, path, status) in labelled {
        if status != SpecStatus::Completed {
            refused.push((
                id,
                format!("{}: chant archives only completed specs", status.as_str()),
            ));
            continue;
        }
        if session.runs().is_running(&path) {
            refused.push((id, "chant is running for it".into()));
            continue;
        }
        match ChantCommand::archive(&id) {
            Ok(command) => steps.push(command),
            Err(e) => refused.push((id, e.to_string())),
        }
    }
    if steps.is_empty() {
        let why: Vec<String> = refused
            .iter()
            .map(|(id, why)| format!("{id} ({why})"))
            .collect();
        return Err(refuse(format!(
            "No spec with the label `{label}` can be archived: {}.",
            why.join("; ")
        )));
    }
    let job = Job::for_project(
        &target,
        format!("chant archive (label {label})"),
        steps,
        JobKind::ArchiveByLabel { label, refused },
        program,
        &settings,
    );
    start(session, job).await
}

/// `chant.reset [uri, {"work": bool?, "prompt": P?}]`: `chant reset <id>`,
/// then `chant work <id> --no-watch [--prompt=P]` when `work`. (chant's own
/// `reset --work` works the spec without `--no-watch`, which starts a
/// background `chant watch` that merges on its own: the server never does.)
pub async fn reset(
    session: &Arc<Session>,
    uri: Uri,
    work: bool,
    prompt: Option<String>,
) -> Result<Option<Value>> {
    let settings = session.settings();
    require_enabled(&settings)?;
    let target = resolve_target(session, uri).await?;
    let reset = ChantCommand::reset(&target.id).map_err(invalid)?;
    let work_command = if work {
        Some(ChantCommand::work(&target.id, prompt.as_deref()).map_err(invalid)?)
    } else if prompt.is_some() {
        return Err(refuse(
            "A prompt is only used when the spec is worked again: pass {\"work\": true} with it.",
        ));
    } else {
        None
    };
    let program = spec_preflight(session, &target, &settings)?;
    let model = target.model();
    if let Some(refusal) = lifecycle::reset_refusal(&target.disk, &model, &target.id) {
        return Err(refuse(refusal));
    }
    let mut job = Job::for_spec(&target, reset, program, &settings);
    if let Some(work_command) = work_command {
        // What chant work would say once the spec is pending again.
        let pending = as_pending(&target.disk, &model);
        let refusal = {
            let index = target.project.index();
            readiness::work_refusal(
                &pending,
                &crate::spec::SpecModel::parse(&pending),
                &target.id,
                &*index,
                prompt.as_deref(),
            )
        };
        if let Some(refusal) = refusal {
            return Err(refuse(format!(
                "After the reset, chant work would refuse this spec: {refusal}"
            )));
        }
        job.title = format!("chant reset {} and work", target.id);
        job.steps.push(work_command);
        job.kind = JobKind::ResetThenWork;
    }
    start(session, job).await
}

/// The spec's text with `status: pending`, as chant reset leaves it.
fn as_pending(text: &str, model: &crate::spec::SpecModel) -> String {
    match model
        .frontmatter
        .outline()
        .entry("status")
        .and_then(|e| e.value.as_ref())
    {
        Some(value) => format!(
            "{}pending{}",
            &text[..value.range.start],
            &text[value.range.end..]
        ),
        None => text.to_string(),
    }
}

/// `chant.cancel [uri, {"delete": bool?}]`: `chant cancel <id> --yes`, or
/// with `--delete` once the user confirms (`window/showMessageRequest`;
/// without "Delete" as the answer nothing is deleted).
pub async fn cancel(session: &Arc<Session>, uri: Uri, delete: bool) -> Result<Option<Value>> {
    let settings = session.settings();
    require_enabled(&settings)?;
    let target = resolve_target(session, uri).await?;
    let command = ChantCommand::cancel(&target.id, delete).map_err(invalid)?;
    let program = spec_preflight(session, &target, &settings)?;
    let dependents = dependents(&target.project.index(), &target.id);
    if let Some(refusal) = lifecycle::cancel_refusal(
        &target.disk,
        &target.model(),
        &target.id,
        &dependents,
        delete,
    ) {
        return Err(refuse(refusal));
    }
    let mut job = Job::for_spec(&target, command, program, &settings);
    if delete {
        let rel = target
            .path
            .strip_prefix(&target.root)
            .unwrap_or(&target.path)
            .display()
            .to_string();
        job.confirm = Some(Confirm {
            message: format!(
                "Delete spec {}? chant cancel --delete removes {rel} and its agent log from disk (the deletion is not committed; git still has the committed file).",
                target.id
            ),
            yes: "Delete".into(),
            no: "Cancel".into(),
            declined: format!("Spec {} was not deleted.", target.id),
        });
    }
    start(session, job).await
}

/// `chant.verify [uri]`: `chant verify <id>`.
pub async fn verify(session: &Arc<Session>, uri: Uri) -> Result<Option<Value>> {
    let settings = session.settings();
    require_enabled(&settings)?;
    let target = resolve_target(session, uri).await?;
    let command = ChantCommand::verify(&target.id).map_err(invalid)?;
    let program = spec_preflight(session, &target, &settings)?;
    let refusal = {
        let index = target.project.index();
        lifecycle::verify_refusal(&target.disk, &target.model(), &target.id, &*index)
    };
    if let Some(refusal) = refusal {
        return Err(refuse(refusal));
    }
    start(session, Job::for_spec(&target, command, program, &settings)).await
}

/// `chant.split [uri]`: `chant split <id>`.
pub async fn split(session: &Arc<Session>, uri: Uri) -> Result<Option<Value>> {
    let settings = session.settings();
    require_enabled(&settings)?;
    let target = resolve_target(session, uri).await?;
    let command = ChantCommand::split(&target.id).map_err(invalid)?;
    let program = spec_preflight(session, &target, &settings)?;
    let refusal = {
        let index = target.project.index();
        lifecycle::split_refusal(&target.disk, &target.model(), &target.id, &*index)
    };
    if let Some(refusal) = refusal {
        return Err(refuse(refusal));
    }
    start(session, Job::for_spec(&target, command, program, &settings)).await
}

/// `chant.showLog [uri]`: open `.chant/logs/<id>.log` (runs nothing, so it
/// works with commands off too).
pub async fn show_log(session: &Arc<Session>, uri: Uri) -> Result<Option<Value>> {
    let target = resolve_target(session, uri).await?;
    let log = {
        let index = target.project.index();
        existing_log(&index, &target.id).ok_or_else(|| {
            let rel = log_path(&index, &target.id)
                .and_then(|p| {
                    p.strip_prefix(&target.root)
                        .ok()
                        .map(|r| r.display().to_string())
                })
                .unwrap_or_else(|| format!(".chant/logs/{}.log", target.id));
            refuse(format!(
                "There is no agent log for spec {} ({rel}): chant writes it when the agent runs (\"Work this spec\").",
                target.id
            ))
        })?
    };
    let Some(log_uri) = Uri::from_file_path(&log) else {
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

/// Ask which label to archive, offering the labels of the project's
/// completed specs; None when the user dismissed the question.
async fn ask_label(session: &Arc<Session>, target: &ProjectTarget) -> Result<Option<String>> {
    let labels: Vec<String> = {
        let index = target.project.index();
        let mut labels: Vec<String> = index
            .specs()
            .filter(|e| e.summary.status == SpecStatus::Completed)
            .flat_map(|e| e.summary.labels.iter().cloned())
            .collect();
        labels.sort();
        labels.dedup();
        labels
    };
    if labels.is_empty() {
        return Err(refuse(
            "No completed spec of this project has a label: there is nothing to archive by label.",
        ));
    }
    let choices: Vec<&str> = labels.iter().map(String::as_str).collect();
    super::ask(
        session,
        MessageType::INFO,
        "Archive the completed specs with which label?".into(),
        &choices,
    )
    .await
    .map_err(|()| {
        super::invalid_params(
            "A label is required: pass it as {\"label\": \"...\"} (this editor cannot be asked).",
        )
    })
}
