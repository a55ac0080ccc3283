//! Setting the session up and keeping it in step with the workspace:
//! `initialize`, `initialized` (settings, watchers, indexing), `shutdown`,
//! settings changes, files changed on disk, workspace folders added or
//! removed.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::super::capabilities::{server_capabilities, ClientCaps};
use super::super::closed;
use super::super::diagnostics;
use super::super::jobs;
use super::super::session::Session;
use super::super::watch;
use crate::workspace::settings::Settings;

/// Ask the client for the `chant` settings (with a timeout: a client that
/// never answers must not stall the server) and apply them. When the client
/// has no answer (no `workspace/configuration`, null, an error), the
/// settings sent with the notification, else `initializationOptions`, hold.
fn refresh_settings(session: &Arc<Session>, sent: Option<Value>) {
    let job = session.busy();
    let session = session.clone();
    tokio::spawn(async move {
        let _job = job;
        let asked = if session.caps().configuration {
            let item = ConfigurationItem {
                scope_uri: None,
                section: Some("chant".into()),
            };
            match tokio::time::timeout(
                Duration::from_secs(5),
                session.client().configuration(vec![item]),
            )
            .await
            {
                Ok(Ok(mut values)) if !values.is_empty() && values[0].is_object() => {
                    Some(values.remove(0))
                }
                _ => None,
            }
        } else {
            None
        };
        let value = asked
            .or(sent)
            .or_else(|| session.initial_settings().cloned())
            .unwrap_or(Value::Null);
        let settings = Settings::from_json(&value);
        let before = session.settings();
        if !settings.unknown_codes.is_empty() {
            session
                .client()
                .show_message(
                    MessageType::WARNING,
                    format!(
                        "chant: unknown diagnostic code(s) in chant.diagnostics.disabled: {}",
                        settings.unknown_codes.join(", ")
                    ),
                )
                .await;
        }
        let after = settings.clone();
        if session.set_settings(settings) {
            diagnostics::reschedule_open_specs(&session, None, None);
            if before.filter != after.filter
                || before.workspace_diagnostics != after.workspace_diagnostics
            {
                closed::mark_all(&session);
                closed::request_refresh(&session);
            }
            if before.commands_enabled != after.commands_enabled {
                closed::list_changed(&session);
            }
        }
    });
}

fn workspace_folders(params: &InitializeParams) -> Vec<PathBuf> {
    if let Some(folders) = &params.workspace_folders {
        return folders
            .iter()
            .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
            .collect();
    }
    #[allow(deprecated)]
    let root = params
        .root_uri
        .as_ref()
        .and_then(|u| u.to_file_path().map(|p| p.into_owned()));
    root.into_iter().collect()
}

/// `initialize`: what the client can do, what the server offers.
pub fn initialize(session: &Arc<Session>, params: InitializeParams) -> Result<InitializeResult> {
    let caps = ClientCaps::from_params(&params);
    let capabilities = server_capabilities(&caps);
    session.set_caps(caps);
    session.set_folders(workspace_folders(&params));
    if let Some(options) = params.initialization_options {
        session.set_settings(Settings::from_json(&options));
        session.set_initial_settings(options);
    }
    Ok(InitializeResult {
        capabilities,
        server_info: Some(ServerInfo {
            name: "chant-lsp".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        offset_encoding: None,
    })
}

/// `initialized`: the settings asked, the disk watched (by the client or
/// the server), the
/// workspace indexed.
pub fn initialized(session: &Arc<Session>) {
    refresh_settings(session, None);
    let watching = session.clone();
    tokio::spawn(async move { watch::start(&watching).await });
    // Busy until the open specs' full analyses and the closed specs'
    // diagnostics are scheduled.
    let job = session.busy();
    let session = session.clone();
    tokio::spawn(async move {
        let _job = job;
        let folders = session.folders();
        let loader = session.clone();
        let loaded =
            tokio::task::spawn_blocking(move || loader.projects().load_folders(&folders)).await;
        let loaded = loaded.unwrap_or_default();
        // What a cap left out of a project (a walk of `.chant/` that
        // stopped, a file name chant refuses) is said once, here.
        let notes: Vec<String> = loaded.iter().flat_map(|p| p.notes()).collect();
        session.mark_indexed();
        diagnostics::reschedule_open_specs_after(&session, None, None, Duration::ZERO);
        closed::mark_all(&session);
        session
            .client()
            .log_message(
                MessageType::INFO,
                format!("chant-lsp: indexed {} chant project(s)", loaded.len()),
            )
            .await;
        for note in notes {
            session
                .client()
                .log_message(MessageType::WARNING, note)
                .await;
        }
    });
}

/// `workspace/didChangeConfiguration`: the settings asked again.
pub fn did_change_configuration(session: &Arc<Session>, params: DidChangeConfigurationParams) {
    let sent = (!params.settings.is_null()).then_some(params.settings);
    refresh_settings(session, sent);
}

/// `workspace/didChangeWatchedFiles`: files changed on disk.
pub fn did_change_watched_files(session: &Arc<Session>, params: DidChangeWatchedFilesParams) {
    use crate::workspace::FileEvent;
    let events = params
        .changes
        .iter()
        .filter_map(|c| {
            let event = match c.typ {
                FileChangeType::CREATED => FileEvent::Created,
                FileChangeType::CHANGED => FileEvent::Changed,
                FileChangeType::DELETED => FileEvent::Deleted,
                _ => FileEvent::Unknown,
            };
            Some((crate::server::convert::uri_path(&c.uri)?, event))
        })
        .collect();
    watch::files_changed_as(session, events);
}

/// `workspace/didChangeWorkspaceFolders`: projects loaded or dropped.
pub async fn did_change_workspace_folders(
    session: &Arc<Session>,
    params: DidChangeWorkspaceFoldersParams,
) {
    let added: Vec<PathBuf> = params
        .event
        .added
        .iter()
        .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
        .collect();
    for removed in &params.event.removed {
        if let Some(path) = removed.uri.to_file_path() {
            session.projects().remove_under(&path);
            closed::folder_removed(session, &path).await;
        }
    }
    let job = session.busy();
    let session = session.clone();
    tokio::spawn(async move {
        let _job = job;
        let loader = session.clone();
        let _ = tokio::task::spawn_blocking(move || loader.projects().load_folders(&added)).await;
        diagnostics::reschedule_open_specs(&session, None, None);
        closed::mark_all(&session);
        closed::list_changed(&session);
        watch::update_own_watches(&session).await;
    });
}

/// `shutdown`: every chant run stopped (and waited for, briefly).
pub async fn shutdown(session: &Arc<Session>) -> Result<()> {
    session.closed().release_held_pull();
    session.runs().stop_all(jobs::SHUTDOWN_WAIT).await;
    Ok(())
}
