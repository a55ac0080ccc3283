//! Files that change on disk: the watchers the server asks the client for,
//! or, for a client that cannot watch files for it (Neovim 0.11 on Linux),
//! the server's own watcher (`workspace::watcher`, an actor whose reports
//! are translated here); and the coalescing of a burst (a `git checkout`)
//! into one batch, read into the indexes without any lock held while
//! reading. Both sources feed the same batches. The specs whose
//! diagnostics may change are then diagnosed again: the open ones at once,
//! the closed ones by `closed`'s worker.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Weak};
use std::time::Duration;

use tower_lsp_server::ls_types::*;

use super::closed;
use super::diagnostics;
use super::session::Session;
use crate::workspace::watched::folders_to_watch;
use crate::workspace::watcher::{DiskWatcher, Report, WatchLimit};
use crate::workspace::{Changes, FileEvent};

/// How long a burst of file events is gathered before it is handled.
const COALESCE: Duration = Duration::from_millis(100);

/// Start seeing changes on disk: through the client's watchers when it can
/// register them, else (or when it refuses) with the server's own.
pub async fn start(session: &Arc<Session>) {
    if session.caps().watch_dynamic && register(session).await {
        return;
    }
    start_own(session).await;
}

/// Ask the client to tell us about chant files changing on disk, about any
/// file being created or deleted (they resolve or break path references),
/// and about any file changing (a completed spec's tracked files drift).
/// False when the client did not accept.
async fn register(session: &Session) -> bool {
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
    let accepted = matches!(answer, Ok(Ok(())));
    if !accepted {
        session
            .client()
            .log_message(
                MessageType::WARNING,
                "chant-lsp: the client did not accept file watching; the server watches the chant folders itself",
            )
            .await;
    }
    accepted
}

/// Start the server's own watcher, and watch the workspace's folders once
/// it is indexed.
async fn start_own(session: &Arc<Session>) {
    let (reports, mut inbox) = tokio::sync::mpsc::unbounded_channel();
    let started = DiskWatcher::start(WatchLimit::of_system(), move |report| {
        let _ = reports.send(report);
    });
    match started {
        Ok(watcher) => session.set_disk_watcher(watcher),
        Err(e) => {
            session
                .client()
                .log_message(
                    MessageType::WARNING,
                    format!("chant-lsp: cannot watch the disk ({e}); changes on disk are seen only when files are opened or saved"),
                )
                .await;
            return;
        }
    }
    // The reports keep no session alive.
    let weak: Weak<Session> = Arc::downgrade(session);
    tokio::spawn(async move {
        while let Some(report) = inbox.recv().await {
            let Some(session) = weak.upgrade() else {
                break;
            };
            translate(&session, report).await;
        }
    });
    let session = session.clone();
    tokio::spawn(async move {
        session.wait_indexed().await;
        update_own_watches(&session).await;
    });
}

/// What the server's own watcher reports, into the pipeline and the log.
async fn translate(session: &Arc<Session>, report: Report) {
    match report {
        Report::Events(events) => files_changed_as(session, events),
        Report::Watching {
            folders,
            limit,
            complete,
        } => {
            let (level, message) = if complete {
                (
                    MessageType::INFO,
                    format!("chant-lsp: watching {folders} folders for changes on disk (the client watches no files for the server)"),
                )
            } else {
                let system = limit
                    .system
                    .map(|s| {
                        format!(
                            ", of fs.inotify.max_user_watches = {s} for all the user's programs"
                        )
                    })
                    .unwrap_or_default();
                (
                    MessageType::WARNING,
                    format!(
                        "chant-lsp: watching {folders} folders for changes on disk and no more (at most {}{system}); changes in the other folders are seen when files are opened or saved",
                        limit.folders
                    ),
                )
            };
            session.client().log_message(level, message).await;
        }
        Report::Overflow => {
            // Events were lost: every chant file is read again, every spec
            // diagnosed again.
            let events = session
                .projects()
                .all()
                .iter()
                .map(|p| (p.root.clone(), FileEvent::Unknown))
                .collect();
            files_changed_as(session, events);
            closed::mark_all(session);
            diagnostics::reschedule_open_specs(session, None, None);
        }
        Report::Failed(message) => {
            session
                .client()
                .log_message(
                    MessageType::WARNING,
                    format!("chant-lsp: watching the disk: {message}"),
                )
                .await;
        }
    }
}

/// Tell the server's own watcher (if it runs) which folders to watch now:
/// every workspace project's chant folders first, then the folders of the
/// files their specs refer to.
pub async fn update_own_watches(session: &Arc<Session>) {
    if session.disk_watcher().is_none() {
        return;
    }
    let job = session.clone();
    let folders = tokio::task::spawn_blocking(move || {
        let (mut chant, mut references) = (Vec::new(), Vec::new());
        for project in job.projects().all() {
            let folders = folders_to_watch(&project.index());
            chant.extend(folders.chant);
            references.extend(folders.references);
        }
        chant.extend(references);
        chant
    })
    .await;
    if let (Ok(folders), Some(watcher)) = (folders, session.disk_watcher()) {
        watcher.watch(folders);
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
        if !changes.is_empty() {
            // New references, folders come or gone.
            update_own_watches(session).await;
        }
    }
    session.changed_files_done();
}
