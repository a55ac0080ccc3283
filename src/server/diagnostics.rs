//! Analysing open specs and publishing their diagnostics.
//!
//! An analysis always runs on a blocking thread, for the newest text, and
//! at most one at a time per document; requests (hover, code actions...)
//! reuse the analysis of the text they see instead of analysing again.
//! Publication follows the edits:
//!
//! - a change after a quiet moment is analysed at once (diagnostics appear
//!   when the analysis is done, not after a fixed delay);
//! - a change that comes while the user is typing fast waits until the
//!   typing pauses for the debounce delay, so a burst of keystrokes costs
//!   one analysis more than its first, however long it is;
//! - an analysis that a newer change overtook is not published.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tower_lsp_server::ls_types::MessageType;

use super::convert::{self, TextPositions};
use super::documents::{Analysed, Document};
use super::session::Session;
use crate::analysis::SpecContext;
use crate::workspace::{ChantFile, LoadedSpec, SpecEntry};

/// A change after this much quiet counts as a first keystroke and is
/// analysed right away (after a few milliseconds, so the edits an editor
/// sends in one go arrive together).
const LEADING_DELAY: Duration = Duration::from_millis(5);

/// The analysis of a spec document's current text: the one already made,
/// or a new one (on a blocking thread), kept for the next request. None for
/// a document that is not a spec of a chant project, or is closed.
pub async fn current(session: &Arc<Session>, key: &str) -> Option<Arc<Analysed>> {
    let lock = session
        .documents()
        .with_doc(key, |d| d.analysis_lock.clone())?;
    let _serial = lock.lock().await;
    let found = session
        .documents()
        .with_doc(key, |d| match d.current_analysis() {
            Some(done) => Ok(done),
            None => Err((
                d.path.clone(),
                d.kind.clone(),
                d.version,
                (d.instance, d.generation),
                d.rope.clone(),
            )),
        })?;
    let (path, kind, version, (instance, generation), rope) = match found {
        Ok(done) => return Some(done),
        Err(work) => work,
    };
    let (ChantFile::Spec { id, top_level, .. }, Some(path)) = (kind, path) else {
        return None;
    };
    session.wait_indexed().await;
    let settings = session.settings();
    let job_session = session.clone();
    let job = tokio::task::spawn_blocking(move || {
        let project = job_session.projects().for_path_or_load(&path)?;
        job_session.count_analysis();
        // chant's rules are line-based: diagnostics never wait for the
        // Markdown tree, which is parsed when symbols or folding ask.
        let loaded = LoadedSpec::from_text(rope.to_string());
        // The index learns what this spec now says first: its own facts
        // (its ID claimed by another file, a member's driver) may depend
        // on it.
        let entry = SpecEntry {
            summary: loaded.summary(),
            id: id.clone(),
            path: path.clone(),
            top_level,
        };
        // A buffer of a spec a run moved or deleted speaks for no spec.
        let changed = !job_session.removed_by_run(&path) && project.index_mut().set_spec(entry);
        let index = project.index();
        let diagnostics = loaded.diagnose(
            SpecContext {
                id: &id,
                path: Some(&path),
            },
            &*index,
            &settings.filter,
        );
        drop(index);
        let LoadedSpec::Parsed { text, model } = loaded else {
            return None;
        };
        Some((
            Arc::new(Analysed {
                instance,
                generation,
                version,
                text: Arc::new(text),
                model: Arc::new(*model),
                diagnostics: Arc::new(diagnostics),
                project: project.clone(),
            }),
            changed,
        ))
    });
    let (analysed, changed) = match job.await {
        Ok(Some(done)) => done,
        Ok(None) => return None,
        Err(error) => {
            session
                .client()
                .log_message(
                    MessageType::ERROR,
                    format!("chant-lsp: analysing {key} failed: {error}"),
                )
                .await;
            return None;
        }
    };
    session.documents().with_doc(key, |d| {
        if d.instance == instance && d.generation == generation {
            d.analysis = Some(analysed.clone());
        }
    });
    if changed {
        // Other open specs of the project may depend on what changed.
        reschedule_open_specs(session, Some(&analysed.project.root), Some(key));
    }
    Some(analysed)
}

/// Schedule a document's diagnostics after a change of its text (see
/// the module comment for when). Call it in the same lock as the change,
/// so the document is never seen changed with nothing scheduled; true when
/// the caller must [`spawn_publisher`] (none is scheduled yet).
pub fn schedule_change(doc: &mut Document, debounce: Duration) -> bool {
    let now = Instant::now();
    let quiet = doc
        .last_change
        .is_none_or(|t| now.duration_since(t) >= debounce);
    doc.last_change = Some(now);
    schedule(doc, now + if quiet { LEADING_DELAY } else { debounce })
}

/// Schedule a document's diagnostics at `due` (or later, when a later
/// publication is scheduled already); true when the caller must
/// [`spawn_publisher`].
pub fn schedule(doc: &mut Document, due: Instant) -> bool {
    let start = doc.publish_due.is_none();
    doc.publish_due = Some(doc.publish_due.map_or(due, |t| t.max(due)));
    start
}

/// Publish the diagnostics of a document after `delay` (just opened, or
/// its facts changed), unless a later publication is scheduled already.
pub fn refresh(session: &Arc<Session>, key: &str, delay: Duration) {
    let due = Instant::now() + delay;
    if session.documents().with_doc(key, |d| schedule(d, due)) == Some(true) {
        spawn_publisher(session, key.to_string());
    }
}

/// The one task per document that publishes its diagnostics when due. It
/// ends when the document closes (or is opened again as another instance).
pub fn spawn_publisher(session: &Arc<Session>, key: String) {
    let session = session.clone();
    let Some(instance) = session.documents().with_doc(&key, |d| d.instance) else {
        return;
    };
    tokio::spawn(async move {
        loop {
            let Some(due) = session
                .documents()
                .with_doc(&key, |d| d.publish_due.filter(|_| d.instance == instance))
                .flatten()
            else {
                session.work_ended();
                return;
            };
            if Instant::now() < due {
                tokio::time::sleep_until(due.into()).await;
                continue;
            }
            // Published before the schedule is cleared, so whoever sees the
            // server idle has seen the publication too.
            if let Some(analysed) = current(&session, &key).await {
                publish(&session, &key, &analysed).await;
            }
            let done = session.documents().with_doc(&key, |d| {
                if d.instance != instance {
                    return true;
                }
                let overtaken = d.publish_due.is_some_and(|t| t > due);
                if !overtaken {
                    d.publish_due = None;
                }
                !overtaken
            });
            if done != Some(false) {
                session.work_ended();
                return;
            }
        }
    });
}

/// Publish an analysis, unless the document moved on or closed meanwhile.
async fn publish(session: &Arc<Session>, key: &str, analysed: &Analysed) {
    let _serial = session.publishing().lock().await;
    let target = session.documents().with_doc(key, |d| {
        let current = d.instance == analysed.instance
            && d.generation == analysed.generation
            && d.published != Some(d.generation);
        if current {
            d.published = Some(d.generation);
        }
        current.then(|| d.uri.clone())
    });
    let Some(Some(uri)) = target else { return };
    let positions = TextPositions::new(&analysed.text, session.encoding());
    let diagnostics = analysed
        .diagnostics
        .iter()
        .map(|d| convert::diagnostic(d, &positions))
        .collect();
    session
        .client()
        .publish_diagnostics(uri, diagnostics, Some(analysed.version))
        .await;
    session.count_publication();
}

/// Clear a closed spec's diagnostics, after any publication under way.
pub async fn clear(session: &Arc<Session>, uri: tower_lsp_server::ls_types::Uri) {
    let _serial = session.publishing().lock().await;
    session
        .client()
        .publish_diagnostics(uri, Vec::new(), None)
        .await;
    session.count_publication();
}

/// Re-diagnose the open specs (of one project, or all) because something
/// they may refer to changed. Each document's generation goes up, so its
/// analysis is made again, and a burst of such changes ends in one
/// analysis per document.
pub fn reschedule_open_specs(
    session: &Arc<Session>,
    project_root: Option<&std::path::Path>,
    except: Option<&str>,
) {
    let due = Instant::now() + session.settings().debounce;
    // Each generation goes up with its publication scheduled, in one lock.
    let starts: Vec<String> = session.documents().with(|docs| {
        docs.iter_mut()
            .filter(|(key, d)| d.is_spec() && Some(key.as_str()) != except)
            .filter(|(_, d)| match (project_root, &d.path) {
                (Some(root), Some(path)) => path.starts_with(root),
                (Some(_), None) => false,
                (None, _) => true,
            })
            .filter_map(|(key, d)| {
                d.generation += 1;
                schedule(d, due).then(|| key.clone())
            })
            .collect()
    });
    for key in starts {
        spawn_publisher(session, key);
    }
}

/// Open specs under these roots.
pub fn open_spec_paths(session: &Session) -> Vec<PathBuf> {
    let paths: Vec<PathBuf> = session.documents().with(|docs| {
        docs.values()
            .filter(|d| d.is_spec())
            .filter_map(|d| d.path.clone())
            .collect()
    });
    // A spec a run moved away is read from the disk (where it is gone).
    paths
        .into_iter()
        .filter(|p| !session.removed_by_run(p))
        .collect()
}
