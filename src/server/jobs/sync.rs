//! Keeping open buffers right while chant rewrites their files.
//!
//! When a run starts, each open file of its project is noted with its text
//! on disk and the last disk version its buffer is *known* to have held
//! (the disk text itself when the buffer equals it, or had it when it was
//! opened or last saved). While the run lasts, every change of such a buffer that makes it
//! equal to the file on disk (an editor reloading a file chant rewrote) is
//! noted as the new known version. Memory is bounded by the open files
//! (two texts each, at most `runner::merge_back::MAX_TRACKED` bytes), never by the run's
//! length. When the run ends, `runner::merge_back` decides what each
//! buffer takes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types::Uri;

use super::super::convert::diff_edits;
use super::super::edits::{self, workspace_edit, Change};
use super::super::session::Session;
use crate::runner::merge_back::{self, read_disk, Settled, Tracked, Why};
use crate::vfs::{FileSystem, RealFs};

/// Note what the open files of `root` hold, as a run starts (blocking reads
/// run on a blocking thread).
pub async fn begin(session: &Arc<Session>, token: &str, root: &Path) {
    let open: Vec<(PathBuf, String, u64)> = session.documents().with(|docs| {
        docs.values()
            .filter_map(|d| {
                let path = d.path.clone().filter(|p| p.starts_with(root))?;
                Some((path, d.text.rope().to_string(), d.clean_hash))
            })
            .collect()
    });
    let files = tokio::task::spawn_blocking(move || {
        open.into_iter()
            .map(|(path, buffer, clean)| {
                let tracked = Tracked::at_start(&path, &buffer, clean);
                (path, tracked)
            })
            .collect::<HashMap<_, _>>()
    })
    .await
    .unwrap_or_default();
    session.run_bases().begin(token, files);
}

/// A tracked buffer changed: if it now equals its file on disk, the editor
/// reloaded it, and that version becomes the known base.
pub fn buffer_changed(session: &Arc<Session>, path: &Path) {
    if !session.run_bases().tracks(path) {
        return;
    }
    let Some((_, _, buffer)) = session.open_buffer(path) else {
        return;
    };
    let session = session.clone();
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let same_size = RealFs.kind(&path).is_some_and(
            |k| matches!(k, crate::vfs::Kind::File { len, .. } if len == buffer.len() as u64),
        );
        if same_size && read_disk(&path).as_deref() == Some(buffer.as_str()) {
            session.run_bases().note_held(&path, &buffer);
        }
    });
}

/// What bringing chant's rewrites into the buffers found.
#[derive(Debug, Default)]
pub struct SyncReport {
    /// Files whose buffer was left alone, and why.
    pub conflicts: Vec<(PathBuf, Why)>,
    /// Files chant changed that are too large to track: reload them.
    pub untracked: Vec<PathBuf>,
    /// The editor refused the update (or could not take it).
    pub failure: Option<String>,
}

/// The run is over: bring what chant wrote into the open buffers, merged
/// with the user's edits made meanwhile, and forget the run's files. A
/// versioned edit the client refuses (the user typed meanwhile) is computed
/// again from the new buffer, a few times.
pub async fn finish(session: &Arc<Session>, token: &str) -> SyncReport {
    let files = session.run_bases().finish(token);
    let mut report = SyncReport::default();
    for attempt in 0..3 {
        report.conflicts.clear();
        report.untracked.clear();
        let settled = {
            let files = files.clone();
            let session = session.clone();
            tokio::task::spawn_blocking(move || {
                let buffer = |p: &Path| session.open_buffer(p).map(|(_, v, t)| (v, t));
                merge_back::settle(&files, &buffer)
            })
            .await
            .unwrap_or_default()
        };
        let mut changes = Vec::new();
        let mut edited = Vec::new();
        for (path, settled) in settled {
            match settled {
                Settled::Replace {
                    version,
                    ours,
                    text,
                } => {
                    let Some((uri, _, _)) = session.open_buffer(&path) else {
                        continue;
                    };
                    changes.push(edit_of(session, uri, version, &ours, &text));
                    edited.push((path, version));
                }
                Settled::Conflict(why) => report.conflicts.push((path, why)),
                Settled::Untracked => report.untracked.push(path),
            }
        }
        if changes.is_empty() {
            return report;
        }
        let (edit, left_out) = workspace_edit(session.caps(), changes);
        if !left_out.is_empty() {
            report.failure = Some(
                "this editor does not take versioned edits, so open files are not changed behind your back".into(),
            );
            return report;
        }
        match edits::apply(session, "chant: update from disk", edit).await {
            Ok(None) => return report,
            Ok(Some(_)) if attempt < 2 => {
                // The editor refused an edit of a version it moved past: the
                // change that moved it may still be on its way (a response
                // can overtake a notification). Compute again from it.
                newer_than(session, &edited, REFUSED_WAIT).await;
                continue;
            }
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

/// How long to wait for the change behind a refused edit.
const REFUSED_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Wait, at most `wait`, until one of the buffers is past the version an
/// edit was computed for.
async fn newer_than(session: &Session, edited: &[(PathBuf, i32)], wait: std::time::Duration) {
    let moved = || {
        edited.iter().any(|(path, version)| {
            session
                .open_buffer(path)
                .is_none_or(|(_, now, _)| now != *version)
        })
    };
    let deadline = tokio::time::Instant::now() + wait;
    while !moved() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

fn edit_of(session: &Session, uri: Uri, version: i32, ours: &str, merged: &str) -> Change {
    Change::Text {
        uri,
        version: Some(version),
        edits: diff_edits(ours, merged, session.encoding()),
    }
}
