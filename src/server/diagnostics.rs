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
//! - an analysis that a newer change overtook is not published;
//! - before the workspace is indexed, a spec opened is analysed at once
//!   with what it can know alone (its text, the config, the files it
//!   names), leaving out every diagnostic that needs the index; the full
//!   analysis replaces it when the index is ready;
//! - a new analysis that gives the same diagnostics for the same version
//!   is not published again;
//! - a client that pulls diagnostics gets none pushed: when facts change
//!   what it pulled for the current version, it is asked to pull again.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tower_lsp_server::ls_types::MessageType;

use super::closed;
use super::convert;
use super::documents::{Analysed, Document};
use super::session::Session;
use crate::analysis::{Diagnostic, SpecContext};
use crate::workspace::early::{early_diagnostics, EarlyFacts};
use crate::workspace::results::SpecResult;
use crate::workspace::{root_of, Changes, ChantFile, LoadedSpec, ProjectFiles, SpecEntry};

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
        let mut changes = Changes::default();
        // A buffer of a spec a run moved or deleted speaks for no spec.
        if !job_session.removed_by_run(&path) {
            project.index_mut().set_spec_noting(entry, &mut changes);
        }
        // The spec's patterns are expanded before the index's lock.
        let diagnostics = project.diagnose(
            &loaded,
            SpecContext {
                id: &id,
                path: Some(&path),
            },
            &settings.filter,
        );
        // The closed specs whose facts depend on this one.
        project.invalidate(&changes);
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
            changes,
        ))
    });
    let (analysed, changes) = match job.await {
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
    if !changes.ids.is_empty() {
        // Other open specs of the project may depend on what changed.
        reschedule_open_specs(session, Some(&analysed.project.root), Some(key));
    }
    closed::changed(session, &changes);
    Some(analysed)
}

/// An analysis to publish: the full one, or an early one.
pub struct Outcome {
    pub instance: u64,
    pub generation: u64,
    pub version: i32,
    pub text: Arc<String>,
    pub diagnostics: Arc<Vec<Diagnostic>>,
    /// Made before the index was ready, without the diagnostics that need it.
    pub early: bool,
}

impl Outcome {
    fn of(a: &Analysed) -> Outcome {
        Outcome {
            instance: a.instance,
            generation: a.generation,
            version: a.version,
            text: a.text.clone(),
            diagnostics: a.diagnostics.clone(),
            early: false,
        }
    }

    /// The diagnostics placed in the text, with their result ID.
    pub fn placed(&self, session: &Session) -> SpecResult {
        SpecResult::new(
            "",
            &self.text,
            self.diagnostics.as_ref().clone(),
            session.encoding(),
        )
    }
}

/// The analysis of a spec document to show now: before the workspace is
/// indexed, an early one (what the spec can know alone); after, the full
/// one ([`current`]).
pub async fn current_or_early(session: &Arc<Session>, key: &str) -> Option<Outcome> {
    if !session.is_indexed() {
        if let Some(early) = early(session, key).await {
            return Some(early);
        }
    }
    current(session, key).await.map(|a| Outcome::of(&a))
}

/// The early analysis of a spec document (see the module comment). None
/// when the document is not a spec of a chant project, or the index is
/// ready after all.
async fn early(session: &Arc<Session>, key: &str) -> Option<Outcome> {
    let (path, kind, version, instance, generation, rope) =
        session.documents().with_doc(key, |d| {
            (
                d.path.clone(),
                d.kind.clone(),
                d.version,
                d.instance,
                d.generation,
                d.rope.clone(),
            )
        })?;
    let (ChantFile::Spec { id, .. }, Some(path)) = (kind, path) else {
        return None;
    };
    let filter = session.settings().filter;
    let job_session = session.clone();
    tokio::task::spawn_blocking(move || {
        let root = root_of(&path)?;
        job_session.count_analysis();
        let text = rope.to_string();
        let facts = EarlyFacts::load(ProjectFiles::on_disk(&root));
        let diagnostics = early_diagnostics(
            &text,
            SpecContext {
                id: &id,
                path: Some(&path),
            },
            &facts,
            &filter,
        );
        Some(Outcome {
            instance,
            generation,
            version,
            text: Arc::new(text),
            diagnostics: Arc::new(diagnostics),
            early: true,
        })
    })
    .await
    .ok()
    .flatten()
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
            if let Some(outcome) = current_or_early(&session, &key).await {
                publish(&session, &key, &outcome).await;
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

/// What to do with an analysis of the current text.
enum Delivery {
    Publish(tower_lsp_server::ls_types::Uri),
    /// The client pulls: ask it to pull again.
    Refresh,
    Nothing,
}

/// Publish an analysis, unless the document moved on or closed meanwhile,
/// or the client already has the same diagnostics for this version. A
/// client that pulls gets nothing pushed; it is asked to pull again when
/// what it pulled for this version changed.
async fn publish(session: &Arc<Session>, key: &str, outcome: &Outcome) {
    let placed = outcome.placed(session);
    let pulls = session.caps().pull_diagnostics;
    let _serial = session.publishing().lock().await;
    let delivery = session.documents().with_doc(key, |d| {
        let current = d.instance == outcome.instance
            && d.generation == outcome.generation
            && d.published != Some(d.generation);
        if !current {
            return Delivery::Nothing;
        }
        d.published = Some(d.generation);
        if pulls {
            let stale = d
                .pulled
                .is_some_and(|(v, id)| v == outcome.version && id != placed.result_id);
            return if stale {
                Delivery::Refresh
            } else {
                Delivery::Nothing
            };
        }
        let now = (outcome.version, placed.result_id, outcome.early);
        if d.delivered == Some(now) {
            return Delivery::Nothing;
        }
        d.delivered = Some(now);
        Delivery::Publish(d.uri.clone())
    });
    let uri = match delivery {
        Some(Delivery::Publish(uri)) => uri,
        Some(Delivery::Refresh) => {
            closed::request_refresh(session);
            return;
        }
        _ => return,
    };
    let diagnostics = placed.diagnostics.iter().map(convert::placed).collect();
    session
        .client()
        .publish_diagnostics(uri, diagnostics, Some(outcome.version))
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
    reschedule_open_specs_after(session, project_root, except, session.settings().debounce);
}

/// [`reschedule_open_specs`], due after `delay` (none once the workspace
/// is indexed: the full analyses replace the early ones at once).
pub fn reschedule_open_specs_after(
    session: &Arc<Session>,
    project_root: Option<&std::path::Path>,
    except: Option<&str>,
    delay: Duration,
) {
    let due = Instant::now() + delay;
    // Each generation goes up with its publication scheduled, in one lock.
    let mut any = false;
    let starts: Vec<String> = session.documents().with(|docs| {
        docs.iter_mut()
            .filter(|(key, d)| d.is_spec() && Some(key.as_str()) != except)
            .filter(|(_, d)| match (project_root, &d.path) {
                (Some(root), Some(path)) => path.starts_with(root),
                (Some(_), None) => false,
                (None, _) => true,
            })
            .filter_map(|(key, d)| {
                any = true;
                d.generation += 1;
                schedule(d, due).then(|| key.clone())
            })
            .collect()
    });
    for key in starts {
        spawn_publisher(session, key);
    }
    if any {
        // What their IDs resolve to may have changed too.
        closed::request_tokens_refresh(session);
    }
}

/// Re-diagnose the open specs among these files (their facts changed).
pub fn reschedule_paths(session: &Arc<Session>, paths: &std::collections::HashSet<PathBuf>) {
    if paths.is_empty() {
        return;
    }
    let due = Instant::now() + session.settings().debounce;
    let mut any = false;
    let starts: Vec<String> = session.documents().with(|docs| {
        docs.iter_mut()
            .filter(|(_, d)| d.is_spec() && d.path.as_ref().is_some_and(|p| paths.contains(p)))
            .filter_map(|(key, d)| {
                any = true;
                d.generation += 1;
                schedule(d, due).then(|| key.clone())
            })
            .collect()
    });
    for key in starts {
        spawn_publisher(session, key);
    }
    if any {
        closed::request_tokens_refresh(session);
    }
}

/// The files of the open specs.
pub fn open_spec_paths(session: &Session) -> Vec<PathBuf> {
    // A spec a run moved away is read from the disk (where it is gone).
    session
        .documents()
        .open_spec_paths()
        .into_iter()
        .filter(|p| !session.removed_by_run(p))
        .collect()
}
