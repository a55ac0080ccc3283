//! `chant.review`, decided: the branch read (`runner::review`), rendered
//! (`ide::review`), written under the user's cache and shown. A client that
//! shows reviews itself is sent `chant/showReview`; others get the
//! document (`window/showDocument`) and a message offering the next steps.

use std::sync::Arc;

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::notification::Notification;
use tower_lsp_server::ls_types::*;

use super::super::facts::{refuse, SpecFacts};
use super::super::session::Session;
use super::{ask, follow_up};
use crate::ide::command_options::arguments;
use crate::ide::commands::existing_log;
use crate::ide::review as show;
use crate::runner::review::{self, Target};

/// `chant/showReview`: the client shows the review (the command's answer).
pub enum ShowReview {}

impl Notification for ShowReview {
    type Params = Value;
    const METHOD: &'static str = "chant/showReview";
}

pub async fn open(
    session: &Arc<Session>,
    spec: &SpecFacts,
    (branch, main): (&str, &str),
    open: bool,
) -> Result<Option<Value>> {
    let root = spec.project.root.clone();
    let spec_path = spec.path.strip_prefix(&root).unwrap_or(&spec.path);
    let spec_path = spec_path.to_string_lossy();
    let log = existing_log(&spec.project.index(), &spec.id);
    let found = review::gather(Target {
        files: spec.project.files(),
        id: &spec.id,
        spec_path: &spec_path,
        title: spec.model.body.title.as_ref().map(|t| t.text.clone()),
        branch,
        main,
        log: log.as_deref(),
    })
    .await
    .map_err(refuse)?;
    let next = spec.with_view(show::next_steps);
    let text = show::render(&found, &next);
    let id = spec.id.clone();
    let written = tokio::task::spawn_blocking(move || review::write_document(&root, &id, &text))
        .await
        .unwrap_or_else(|e| Err(e.to_string()))
        .map_err(refuse)?;
    let uri = Uri::from_file_path(&written);
    let steps: Vec<Value> = next
        .iter()
        .map(|o| json!({"title": o.title, "command": o.command.name(), "arguments": arguments(spec.uri.as_str(), &o.command)}))
        .collect();
    let mut answer = json!({
        "uri": uri.as_ref().map(|u| u.as_str()),
        "root": Uri::from_file_path(&spec.project.root).map(|u| u.as_str().to_string()),
        "spec": spec.uri.as_str(),
        "review": show::summarize(&found),
        "next": steps,
        "shown": false,
    });
    let caps = session.caps();
    if !open {
        return Ok(Some(answer));
    }
    if caps.show_review {
        let client = session.client();
        client.send_notification::<ShowReview>(answer.clone()).await;
        answer["shown"] = json!(true);
        return Ok(Some(answer));
    }
    if let Some(uri) = uri {
        answer["shown"] = json!(session.show(uri, None).await);
    }
    let offered = show::message_choices(next);
    let mut message = show::message(&found);
    if answer["shown"] != json!(true) {
        message.push_str(&format!(" The review is in {}.", written.display()));
    }
    let (session, spec_uri) = (session.clone(), spec.uri.clone());
    tokio::spawn(async move {
        let titles: Vec<&str> = offered.iter().map(|o| o.title.as_str()).collect();
        let chosen = ask(&session, MessageType::INFO, message, &titles).await;
        let chosen = chosen.ok().flatten();
        let Some(offer) = offered
            .into_iter()
            .find(|o| Some(&o.title) == chosen.as_ref())
        else {
            return;
        };
        if let Err(e) = follow_up::spec(session.clone(), spec_uri, offer.command).await {
            let error = e.message.to_string();
            session
                .client()
                .show_message(MessageType::ERROR, error)
                .await;
        }
    });
    Ok(Some(answer))
}
