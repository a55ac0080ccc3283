//! Files that change on disk: the watchers the server asks the client for,
//! and the coalescing of a burst (a `git checkout`) into one batch, read
//! into the indexes without any lock held while reading.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::ls_types::*;

use super::diagnostics;
use super::session::Session;

/// How long a burst of file events is gathered before it is handled.
const COALESCE: Duration = Duration::from_millis(100);

/// Ask the client to tell us about chant files changing on disk, and about
/// any file being created or deleted (they resolve or break path references).
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

/// Queue files that changed on disk; a burst is handled as one batch.
pub fn files_changed(session: &Arc<Session>, paths: Vec<PathBuf>) {
    let schedule = session.queue_changed_files(paths);
    if schedule {
        let session = session.clone();
        tokio::spawn(async move {
            tokio::time::sleep(COALESCE).await;
            flush(&session).await;
        });
    }
}

async fn flush(session: &Arc<Session>) {
    let paths = session.take_changed_files();
    // An open document's buffer is the truth for it, not the disk.
    let open: HashSet<PathBuf> = diagnostics::open_spec_paths(session).into_iter().collect();
    let job = session.clone();
    let touched = tokio::task::spawn_blocking(move || {
        let mut by_project: BTreeMap<PathBuf, (Arc<crate::workspace::Project>, Vec<PathBuf>)> =
            BTreeMap::new();
        let unique: HashSet<PathBuf> = paths.into_iter().collect();
        for path in unique.into_iter().filter(|p| !open.contains(p)) {
            if let Some(project) = job.projects().for_path(&path) {
                by_project
                    .entry(project.root.clone())
                    .or_insert_with(|| (project.clone(), Vec::new()))
                    .1
                    .push(path);
            }
        }
        // Any created or deleted file can resolve or break a path
        // reference, so every project that saw an event is re-diagnosed.
        for (project, paths) in by_project.values() {
            project.refresh(paths);
        }
        by_project.into_keys().collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    for root in touched {
        diagnostics::reschedule_open_specs(session, Some(&root), None);
    }
    session.changed_files_done();
}
