//! Files that change on disk: the watchers the server asks the client for,
//! and the coalescing of a burst (a `git checkout`) into one batch, read
//! into the indexes without any lock held while reading. The specs whose
//! diagnostics may change are then diagnosed again: the open ones at once,
//! the closed ones by `closed`'s worker.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::ls_types::*;

use super::closed;
use super::diagnostics;
use super::session::Session;
use crate::workspace::{Changes, FileEvent};

/// How long a burst of file events is gathered before it is handled.
const COALESCE: Duration = Duration::from_millis(100);

/// Ask the client to tell us about chant files changing on disk, about any
/// file being created or deleted (they resolve or break path references),
/// and about any file changing (a completed spec's tracked files drift).
pub async fn register(session: &Session) {
    let watchers = vec![
        FileSystemWatcher {
            glob_pattern: GlobPattern::String("**/.chant/**/*.md".into()),
            kind: None,
        },
        FileSystemWatcher {
            glob_pattern: GlobPattern::String("**/*".into()),
            kind: Some(WatchKind::Create | WatchKind::Delete),
        },
        FileSystemWatcher {
            glob_pattern: GlobPattern::String("**/*".into()),
            kind: Some(WatchKind::Change),
        },
    ];
    let options = DidChangeWatchedFilesRegistrationOptions { watchers };
    let registration = Registration {
        id: "chant-watched-files".into(),
        method: "workspace/didChangeWatchedFiles".into(),
        register_options: serde_json::to_value(options).ok(),
    };
    let answer = tokio::time::timeout(
        Duration::from_secs(5),
        session.client().register_capability(vec![registration]),
    )
    .await;
    if !matches!(answer, Ok(Ok(()))) {
        session
            .client()
            .log_message(
                MessageType::WARNING,
                "chant-lsp: the client did not accept file watching; changes on disk are seen only when files are opened",
            )
            .await;
    }
}

/// Queue files that changed on disk (how, unknown); a burst is handled as
/// one batch.
pub fn files_changed(session: &Arc<Session>, paths: Vec<PathBuf>) {
    files_changed_as(
        session,
        paths.into_iter().map(|p| (p, FileEvent::Unknown)).collect(),
    );
}

/// Queue files that changed on disk; a burst is handled as one batch.
pub fn files_changed_as(session: &Arc<Session>, events: Vec<(PathBuf, FileEvent)>) {
    let schedule = session.queue_changed_files(events);
    if schedule {
        let session = session.clone();
        tokio::spawn(async move {
            tokio::time::sleep(COALESCE).await;
            flush(&session).await;
        });
    }
}

async fn flush(session: &Arc<Session>) {
    let events = session.take_changed_files();
    // An open document's buffer is the truth for it, not the disk.
    let open: HashSet<PathBuf> = diagnostics::open_spec_paths(session).into_iter().collect();
    let keep = session.settings().workspace_diagnostics;
    let job = session.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        type Batch = (Arc<crate::workspace::Project>, Vec<(PathBuf, FileEvent)>);
        let mut by_project: BTreeMap<PathBuf, Batch> = BTreeMap::new();
        // One event per file: the last one, unless it was created or
        // deleted meanwhile (the file list changes either way).
        let mut unique: HashMap<PathBuf, FileEvent> = HashMap::new();
        for (path, event) in events {
            let merged = match (unique.get(&path), event) {
                (Some(FileEvent::Changed) | None, e) => e,
                (Some(_), FileEvent::Changed) => FileEvent::Unknown,
                (Some(_), e) => e,
            };
            unique.insert(path, merged);
        }
        for (path, event) in unique {
            if let Some(project) = job.projects().for_path(&path) {
                by_project
                    .entry(project.root.clone())
                    .or_insert_with(|| (project.clone(), Vec::new()))
                    .1
                    .push((path, event));
            }
        }
        let mut affected: HashSet<PathBuf> = HashSet::new();
        let mut all = Changes::default();
        for (project, events) in by_project.values() {
            // One event for a whole folder stands for the chant files in it.
            let mut events = project.expand_folders(events);
            events.retain(|(p, _)| !open.contains(p));
            let (changes, loaded) = project.refresh_events(&events);
            affected.extend(project.invalidate(&changes));
            if keep {
                job.closed().preload(loaded);
            }
            all.merge(changes);
        }
        (affected, all)
    })
    .await;
    if let Ok((affected, changes)) = outcome {
        // The open specs whose facts changed.
        diagnostics::reschedule_paths(session, &affected);
        closed::changed(session, &changes);
    }
    session.changed_files_done();
}
