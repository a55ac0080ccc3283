//! Diagnostics of the specs that are not open: every spec of every project
//! of the workspace in the editor's problem list.
//!
//! The results live in the workspace layer (`workspace::results`), one per
//! closed spec, diagnosed again only when its text or its facts changed.
//! One worker task at a time diagnoses the specs marked (in batches, so
//! problems appear as they are found and the open documents' analyses are
//! never held up for long), then delivers what changed:
//!
//! - to a client that pulls diagnostics (`textDocument/diagnostic`), by
//!   answering its `workspace/diagnostic` request (held open while nothing
//!   changed) or, when none is waiting, with `workspace/diagnostic/refresh`;
//! - to any other client, with `textDocument/publishDiagnostics` for the
//!   specs whose result differs from the one it was last sent (a deleted
//!   spec's diagnostics are cleared).
//!
//! It also sends `chant/specListChanged` (debounced) when something a list
//! of specs shows may have changed.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::ls_types::Uri;

use super::convert;
use super::declared;
use super::session::Session;
use crate::workspace::results::{empty_result_id, ResultChange, SpecResult};
use crate::workspace::{Changes, LoadedSpec, Project};

use super::closed_state::{lock, ClosedState, SpecListChanged, BATCH};

/// How long a burst of list changes is gathered into one notification.
const LIST_DEBOUNCE: Duration = Duration::from_millis(200);

/// How long a burst of result changes is gathered into one refresh request.
const REFRESH_DEBOUNCE: Duration = Duration::from_millis(50);

/// Whether a project's specs are in the problem list: projects of the
/// workspace folders (not a spec's project opened from elsewhere).
fn in_workspace(session: &Session, project: &Project) -> bool {
    session
        .folders()
        .iter()
        .any(|f| project.root.starts_with(f) || f.starts_with(&project.root))
}

/// Whether this session delivers closed specs' diagnostics by pushing.
fn pushes(session: &Session) -> bool {
    !session.caps().pull_diagnostics
}

/// Mark every spec of the workspace's projects to be diagnosed (a project
/// loaded, the settings changed), and start the worker.
pub fn mark_all(session: &Arc<Session>) {
    for project in session.projects().all() {
        let index = project.index();
        project.results().mark_all(&index);
    }
    schedule(session);
}

/// Changes in a project (already taken into its index and its results'
/// marks): start the worker, and tell editors' lists when they may show
/// something else.
pub fn changed(session: &Arc<Session>, changes: &Changes) {
    if changes.is_empty() {
        return;
    }
    schedule(session);
    if changes.listing {
        list_changed(session);
    }
}

/// A spec was opened: the client now holds the open document's diagnostics.
pub fn opened(session: &Arc<Session>, path: &Path) {
    lock(&session.closed().sent).insert(path.to_path_buf(), None);
    session.closed().bump();
}

/// A spec was closed. When its file's diagnostics replace the document's
/// (see [`replaces_on_close`]), the file is diagnosed and delivered again,
/// whatever it was before; otherwise the document's are cleared.
pub fn closed(session: &Arc<Session>, path: &Path, replaced: bool) {
    if replaced {
        lock(&session.closed().sent).insert(path.to_path_buf(), None);
    } else {
        lock(&session.closed().sent).remove(path);
    }
    if let Some(project) = session.projects().for_path(path) {
        project.results().mark(path);
    }
    session.closed().bump();
    schedule(session);
}

/// Whether closed-spec diagnostics are delivered by pushing and a closed
/// spec's close needs no clearing (its file's diagnostics replace the
/// document's).
pub fn replaces_on_close(session: &Session, path: &Path) -> bool {
    pushes(session)
        && session.settings().workspace_diagnostics
        && session
            .projects()
            .for_path(path)
            .is_some_and(|p| in_workspace(session, &p))
}

/// Start the worker, or have it go round once more.
pub fn schedule(session: &Arc<Session>) {
    {
        let mut worker = lock(&session.closed().worker);
        if worker.running {
            worker.again = true;
            return;
        }
        worker.running = true;
        worker.again = false;
    }
    let job = session.busy();
    let session = session.clone();
    tokio::spawn(async move {
        let _job = job;
        loop {
            run(&session).await;
            let mut worker = lock(&session.closed().worker);
            if worker.again {
                worker.again = false;
                continue;
            }
            worker.running = false;
            break;
        }
    });
}

/// One round: diagnose every marked closed spec, batch by batch, and
/// deliver what changed.
async fn run(session: &Arc<Session>) {
    // The open documents' own analyses go first (a cold start's open spec,
    // a keystroke): wait, briefly, until none is due.
    for _ in 0..40 {
        let due = session
            .documents()
            .with(|docs| docs.values().any(|d| d.publish_due.is_some()));
        if !due {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let settings = session.settings();
    if !settings.workspace_diagnostics {
        switch_off(session).await;
        return;
    }
    let encoding = session.encoding();
    for project in session.projects().all() {
        if !in_workspace(session, &project) {
            project.results().clear();
            continue;
        }
        loop {
            let open: HashSet<PathBuf> =
                session.documents().open_spec_paths().into_iter().collect();
            let batch = project.results().take_dirty(BATCH, &|p| open.contains(p));
            if batch.is_empty() {
                break;
            }
            let preloaded: HashMap<PathBuf, LoadedSpec> = {
                let mut all = lock(&session.closed().preloaded);
                batch
                    .iter()
                    .filter_map(|p| all.remove(p).map(|s| (p.clone(), s)))
                    .collect()
            };
            let job_project = project.clone();
            let filter = settings.filter.clone();
            let computed = tokio::task::spawn_blocking(move || {
                job_project.diagnose_files(&batch, &preloaded, &filter, encoding)
            })
            .await
            .unwrap_or_default();
            let changed = project.results().store(computed.clone());
            if !changed.is_empty() {
                session.closed().bump();
                if !pushes(session) && session.closed().pulls_waiting.load(Ordering::SeqCst) == 0 {
                    request_refresh(session);
                }
            }
            if pushes(session) {
                deliver(session, computed).await;
            }
        }
    }
}

/// Closed-spec diagnostics were switched off: forget the results and clear
/// what the client was sent.
async fn switch_off(session: &Arc<Session>) {
    let mut had = false;
    for project in session.projects().all() {
        had |= !project.results().clear().is_empty();
    }
    if had {
        session.closed().bump();
        if !pushes(session) {
            request_refresh(session);
        }
    }
    if pushes(session) {
        let sent: Vec<PathBuf> = lock(&session.closed().sent).keys().cloned().collect();
        deliver(session, sent.into_iter().map(|p| (p, None)).collect()).await;
    }
}

/// Publish each computed result the client does not have yet (skipping
/// open documents: their buffer's diagnostics are what the client shows).
async fn deliver(session: &Arc<Session>, computed: Vec<ResultChange>) {
    let _serial = session.publishing().lock().await;
    let open: HashSet<PathBuf> = session.documents().open_spec_paths().into_iter().collect();
    let empty = empty_result_id();
    for (path, result) in computed {
        if open.contains(&path) {
            continue;
        }
        let id = result.as_ref().map_or(empty, |r| r.result_id);
        let has = lock(&session.closed().sent)
            .get(&path)
            .copied()
            .unwrap_or(Some(empty));
        if has == Some(id) {
            continue;
        }
        let Some(uri) = Uri::from_file_path(&path) else {
            continue;
        };
        let caps = session.caps();
        let diagnostics = result
            .as_deref()
            .map(|r| {
                r.diagnostics
                    .iter()
                    .map(|d| declared::diagnostic(caps, convert::placed(d)))
                    .collect()
            })
            .unwrap_or_default();
        session
            .client()
            .publish_diagnostics(uri, diagnostics, None)
            .await;
        session.count_publication();
        let mut sent = lock(&session.closed().sent);
        if id == empty {
            sent.remove(&path);
        } else {
            sent.insert(path, Some(id));
        }
    }
}

/// The result of a closed spec now: the one kept when it is current,
/// else diagnosed on the spot (not kept: the worker will). None when the
/// file is not a spec of a project.
pub async fn result_now(session: &Arc<Session>, path: &Path) -> Option<Arc<SpecResult>> {
    let project = session.projects().for_path(path)?;
    {
        let results = project.results();
        if !results.is_dirty(path) {
            if let Some(found) = results.get(path) {
                return Some(found);
            }
        }
    }
    let encoding = session.encoding();
    let filter = session.settings().filter;
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        project
            .diagnose_files(&[path], &HashMap::new(), &filter, encoding)
            .pop()
            .and_then(|(_, r)| r)
    })
    .await
    .ok()
    .flatten()
}

/// Ask a pulling client to pull again (debounced; only when it supports it).
pub fn request_refresh(session: &Arc<Session>) {
    let caps = session.caps();
    if !caps.pull_diagnostics || !caps.diagnostic_refresh {
        return;
    }
    debounced(
        session,
        REFRESH_DEBOUNCE,
        |c| &c.refresh_scheduled,
        |session| async move {
            let refresh = session.client().workspace_diagnostic_refresh();
            let _ = tokio::time::timeout(Duration::from_secs(5), refresh).await;
        },
    );
}

/// Ask the client to request semantic tokens again (debounced; only when
/// it supports it): what IDs resolve to changed for open specs.
pub fn request_tokens_refresh(session: &Arc<Session>) {
    if !session.caps().semantic_tokens_refresh {
        return;
    }
    debounced(
        session,
        REFRESH_DEBOUNCE,
        |c| &c.tokens_refresh_scheduled,
        |session| async move {
            let refresh = session.client().semantic_tokens_refresh();
            let _ = tokio::time::timeout(Duration::from_secs(5), refresh).await;
        },
    );
}

/// Runs `send` after `delay`, unless a run is scheduled already (`flag`):
/// a burst of reasons to tell the client ends in one message.
fn debounced<F, Fut>(
    session: &Arc<Session>,
    delay: Duration,
    flag: fn(&ClosedState) -> &std::sync::Mutex<bool>,
    send: F,
) where
    F: FnOnce(Arc<Session>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    {
        let mut scheduled = lock(flag(session.closed()));
        if *scheduled {
            return;
        }
        *scheduled = true;
    }
    let job = session.busy();
    let session = session.clone();
    tokio::spawn(async move {
        let _job = job;
        tokio::time::sleep(delay).await;
        *lock(flag(session.closed())) = false;
        send(session).await;
    });
}

/// [`list_changed`] at once, not debounced: a run ended, and editors
/// should show it before the run's progress goes away.
pub async fn list_changed_now(session: &Arc<Session>) {
    notify_list_changed(session).await;
}

async fn notify_list_changed(session: &Arc<Session>) {
    // A custom notification, for the clients that declared it
    // (`experimental.chant.specListChanged`).
    if session.caps().spec_list_changed {
        session
            .client()
            .send_notification::<SpecListChanged>(())
            .await;
    }
    // What the inlay hints of open specs say (readiness, "chant is
    // running") may have changed with it. A request: its answer is not
    // waited for here. (Code lenses are not refreshed this way: code-server
    // 4.139 was seen to drop a spec's lenses after `workspace/codeLens/refresh`
    // until the document changed; they are asked again when it changes.)
    if !session.caps().inlay_hint_refresh {
        return;
    }
    let client = session.client().clone();
    let job = session.busy();
    tokio::spawn(async move {
        let _job = job;
        let _ = tokio::time::timeout(Duration::from_secs(5), client.inlay_hint_refresh()).await;
    });
}

/// Tell the client that a list of specs may show something else now
/// (debounced).
pub fn list_changed(session: &Arc<Session>) {
    debounced(
        session,
        LIST_DEBOUNCE,
        |c| &c.list_scheduled,
        |session| async move { notify_list_changed(&session).await },
    );
}

/// Forget what was sent for specs under a folder that left the workspace,
/// clearing them in the client.
pub async fn folder_removed(session: &Arc<Session>, folder: &Path) {
    let gone: Vec<PathBuf> = lock(&session.closed().sent)
        .keys()
        .filter(|p| p.starts_with(folder))
        .cloned()
        .collect();
    if pushes(session) {
        deliver(session, gone.into_iter().map(|p| (p, None)).collect()).await;
    }
    session.closed().bump();
    list_changed(session);
}

/// Result IDs as the protocol carries them.
pub fn result_id_string(id: u64) -> String {
    format!("{id:016x}")
}
