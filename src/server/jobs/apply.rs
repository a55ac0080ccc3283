//! "Apply agent changes": the plan (`runner::agent`) as one workspace edit
//! the user reviews, undoes or saves.

use std::sync::Arc;

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::super::convert::diff_edits;
use super::super::edits::{self, workspace_edit, Change};
use super::super::facts::{refuse, SpecFacts};
use super::super::session::Session;
use crate::runner::agent::{self, AgentPlan, FileAction};

/// `chant.applyAgentChanges`, decided: plan now (the answer says what will
/// be applied), apply in the background.
pub async fn apply(
    session: &Arc<Session>,
    spec: &SpecFacts,
    branch: &str,
) -> Result<Option<Value>> {
    let buffer = |path: &std::path::Path| session.open_buffer(path).map(|(_, v, t)| (v, t));
    let plan = agent::plan(
        spec.project.files(),
        branch,
        &buffer,
        session.caps().file_operations,
    )
    .await
    .map_err(refuse)?;
    let summary = json!({
        "started": true,
        "branch": plan.branch,
        "created": plan.created,
        "modified": plan.modified,
        "deleted": plan.deleted,
        "conflicts": plan.conflicts,
        "skipped": plan.skipped,
    });
    let session = session.clone();
    tokio::spawn(async move { apply_plan(&session, plan).await });
    Ok(Some(summary))
}

fn change_of(session: &Session, action: FileAction) -> Vec<Change> {
    let encoding = session.encoding();
    let uri_of = |path: &std::path::Path| {
        session
            .open_buffer(path)
            .map(|(uri, _, _)| uri)
            .or_else(|| Uri::from_file_path(path))
    };
    match action {
        FileAction::Create { path, text } => {
            let Some(uri) = uri_of(&path) else {
                return Vec::new();
            };
            vec![
                Change::Create { uri: uri.clone() },
                Change::Text {
                    uri,
                    version: None,
                    edits: diff_edits("", &text, encoding),
                },
            ]
        }
        FileAction::Modify {
            path,
            version,
            from,
            to,
        } => uri_of(&path)
            .map(|uri| Change::Text {
                uri,
                version,
                edits: diff_edits(&from, &to, encoding),
            })
            .into_iter()
            .collect(),
        FileAction::Delete { path } => uri_of(&path)
            .map(|uri| Change::Delete { uri })
            .into_iter()
            .collect(),
    }
}

async fn apply_plan(session: &Arc<Session>, plan: AgentPlan) {
    let label = format!("Apply agent changes from {}", plan.branch);
    let done = plan.done_sentence();
    let mut leftover = plan.leftover_sentence();
    let branch = plan.branch.clone();
    let changes: Vec<Change> = plan
        .actions
        .into_iter()
        .flat_map(|action| change_of(session, action))
        .collect();
    let (edit, left_out) = workspace_edit(session.caps(), changes);
    if !left_out.is_empty() {
        let names: Vec<&str> = left_out.iter().map(|u| u.as_str()).collect();
        leftover.push_str(&format!(
            " Not applied because this editor cannot take them safely (open files need versioned edits): {}. Use `git checkout {branch} -- <file>`.",
            names.join(", ")
        ));
    }
    let (kind, message) = match edits::apply(session, &label, edit).await {
        Ok(None) => (
            if leftover.is_empty() {
                MessageType::INFO
            } else {
                MessageType::WARNING
            },
            format!(
                "Brought the agent's changes from {branch} into the editor: {done}. Review them, then save (or undo).{leftover}"
            ),
        ),
        Ok(Some(reason)) => (
            MessageType::ERROR,
            format!("The editor did not apply the agent's changes from {branch}: {reason}."),
        ),
        Err(e) => (
            MessageType::ERROR,
            format!("The agent's changes from {branch} were not applied: {e}."),
        ),
    };
    session.client().show_message(kind, message).await;
}
