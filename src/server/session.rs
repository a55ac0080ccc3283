//! The state of one editor session: the client's abilities (resolved once),
//! open documents with their latest analysis, the projects and their
//! indexes, settings, and the chant runs going on. Every field is private;
//! the protocol handlers go through these methods.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use serde_json::Value;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::Uri;
use tower_lsp_server::Client;

use super::capabilities::ClientCaps;
use super::closed_state::ClosedState;
use super::documents::{doc_key, Documents};
use crate::runner::git::BranchCache;
use crate::runner::merge_back::BaseTracker;
use crate::runner::registry::RunRegistry;
use crate::spec::SpecModel;
use crate::text::PositionEncoding;
use crate::workspace::settings::Settings;
use crate::workspace::watcher::DiskWatcher;
use crate::workspace::{ChantFile, FileEvent, Project, Projects};

pub struct Session {
    client: Client,
    caps: OnceLock<ClientCaps>,
    documents: Documents,
    projects: Projects,
    settings: RwLock<Settings>,
    /// `initializationOptions`: the settings when the client does not
    /// answer `workspace/configuration` (or answers null).
    initial_settings: OnceLock<Value>,
    folders: Mutex<Vec<PathBuf>>,
    /// True once the workspace folders are indexed.
    indexed: tokio::sync::watch::Sender<bool>,
    runs: RunRegistry,
    branches: BranchCache,
    /// Serialises publications of diagnostics with `didClose`, so a
    /// closed document's diagnostics are never published after its close.
    publishing: tokio::sync::Mutex<()>,
    /// Files changed on disk, waiting to be read into the indexes.
    watched: Mutex<WatchQueue>,
    /// What open buffers are known to have held on disk during runs.
    run_bases: BaseTracker,
    /// Open specs whose file a chant run moved or deleted (`archive`,
    /// `cancel --delete`): their buffer no longer speaks for a spec of the
    /// project, until it is saved again or closed.
    removed_by_runs: Mutex<std::collections::HashSet<PathBuf>>,
    /// Analyses made and diagnostics published since the start, and a
    /// signal when work ends (for `chant/serverStatus`).
    analyses: AtomicU64,
    publications: AtomicU64,
    activity: tokio::sync::Notify,
    /// Background jobs going on (settings refresh, loading projects).
    jobs: AtomicU64,
    /// The diagnostics of the specs that are not open.
    closed: ClosedState,
    /// The server's own watch on the disk, for a client that watches no
    /// files for it (`server/watch.rs`).
    disk_watcher: OnceLock<DiskWatcher>,
}

/// A background job the server is doing; idle again when dropped.
pub struct Busy(Arc<Session>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.jobs.fetch_sub(1, Ordering::SeqCst);
        self.0.work_ended();
    }
}

/// Files changed on disk, gathered while a burst lasts.
#[derive(Default)]
struct WatchQueue {
    paths: Vec<(PathBuf, FileEvent)>,
    flush_scheduled: bool,
    /// Batches taken and still being read into the indexes.
    in_flight: usize,
}

/// An open document as a request sees it: its text and model at one version.
#[derive(Clone)]
pub struct DocSnapshot {
    pub path: Option<PathBuf>,
    pub kind: ChantFile,
    pub text: Arc<String>,
    pub model: Arc<SpecModel>,
    pub project: Option<Arc<Project>>,
}

impl Session {
    pub fn new(client: Client) -> Session {
        Session {
            client,
            caps: OnceLock::new(),
            documents: Documents::default(),
            projects: Projects::default(),
            settings: RwLock::new(Settings::default()),
            initial_settings: OnceLock::new(),
            folders: Mutex::default(),
            indexed: tokio::sync::watch::channel(false).0,
            runs: RunRegistry::default(),
            branches: BranchCache::default(),
            publishing: tokio::sync::Mutex::new(()),
            watched: Mutex::default(),
            run_bases: Default::default(),
            removed_by_runs: Mutex::default(),
            analyses: AtomicU64::new(0),
            publications: AtomicU64::new(0),
            activity: tokio::sync::Notify::new(),
            jobs: AtomicU64::new(0),
            closed: ClosedState::default(),
            disk_watcher: OnceLock::new(),
        }
    }

    pub fn disk_watcher(&self) -> Option<&DiskWatcher> {
        self.disk_watcher.get()
    }

    pub fn set_disk_watcher(&self, watcher: DiskWatcher) {
        let _ = self.disk_watcher.set(watcher);
    }

    pub fn closed(&self) -> &ClosedState {
        &self.closed
    }

    /// Count a background job until the guard is dropped (taken before
    /// the job is spawned, so no one sees the server idle in between).
    pub fn busy(self: &Arc<Self>) -> Busy {
        self.jobs.fetch_add(1, Ordering::SeqCst);
        Busy(self.clone())
    }

    pub fn count_analysis(&self) {
        self.analyses.fetch_add(1, Ordering::Relaxed);
    }

    pub fn count_publication(&self) {
        self.publications.fetch_add(1, Ordering::Relaxed);
    }

    /// (analyses made, diagnostics published) since the start.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.analyses.load(Ordering::Relaxed),
            self.publications.load(Ordering::Relaxed),
        )
    }

    /// Some scheduled work ended: wake whoever waits for the server to be idle.
    pub fn work_ended(&self) {
        self.activity.notify_waiters();
    }

    /// No analysis or publication scheduled, no file change waiting, the
    /// workspace indexed.
    pub fn is_idle(&self) -> bool {
        let indexed = *self.indexed.borrow();
        let flushing = {
            let queue = self.watched.lock().unwrap_or_else(|e| e.into_inner());
            queue.flush_scheduled || queue.in_flight > 0
        };
        indexed
            && !flushing
            && self.jobs.load(Ordering::SeqCst) == 0
            && self
                .documents
                .with(|docs| docs.values().all(|d| d.publish_due.is_none()))
    }

    /// Wait until the server is idle (see [`Self::is_idle`]).
    pub async fn wait_idle(&self) {
        loop {
            let woken = self.activity.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            if self.is_idle() {
                return;
            }
            woken.await;
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Record what the client can do (once, at `initialize`).
    pub fn set_caps(&self, caps: ClientCaps) {
        let _ = self.caps.set(caps);
    }

    pub fn caps(&self) -> &ClientCaps {
        static NONE: OnceLock<ClientCaps> = OnceLock::new();
        self.caps
            .get()
            .unwrap_or_else(|| NONE.get_or_init(ClientCaps::default))
    }

    pub fn encoding(&self) -> PositionEncoding {
        self.caps().encoding
    }

    pub fn documents(&self) -> &Documents {
        &self.documents
    }

    pub fn projects(&self) -> &Projects {
        &self.projects
    }

    pub fn runs(&self) -> &RunRegistry {
        &self.runs
    }

    pub fn branches(&self) -> &BranchCache {
        &self.branches
    }

    pub fn run_bases(&self) -> &BaseTracker {
        &self.run_bases
    }

    /// A run moved or deleted these spec files.
    pub fn note_removed_by_run(&self, paths: impl IntoIterator<Item = PathBuf>) {
        self.removed_by_runs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(paths);
    }

    /// Whether a run moved or deleted this spec file (and its buffer was not
    /// saved since).
    pub fn removed_by_run(&self, path: &std::path::Path) -> bool {
        self.removed_by_runs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(path)
    }

    /// The file is back (saved) or its buffer closed.
    pub fn forget_removed(&self, path: &std::path::Path) {
        self.removed_by_runs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(path);
    }

    /// Queue files changed on disk; true when the caller must schedule the
    /// batch (none is scheduled yet).
    pub fn queue_changed_files(&self, paths: Vec<(PathBuf, FileEvent)>) -> bool {
        let mut queue = self.watched.lock().unwrap_or_else(|e| e.into_inner());
        queue.paths.extend(paths);
        !std::mem::replace(&mut queue.flush_scheduled, true)
    }

    /// The queued files; the next change schedules a new batch.
    /// Call [`Self::changed_files_done`] once they are handled.
    pub fn take_changed_files(&self) -> Vec<(PathBuf, FileEvent)> {
        let mut queue = self.watched.lock().unwrap_or_else(|e| e.into_inner());
        queue.flush_scheduled = false;
        queue.in_flight += 1;
        std::mem::take(&mut queue.paths)
    }

    pub fn changed_files_done(&self) {
        let mut queue = self.watched.lock().unwrap_or_else(|e| e.into_inner());
        queue.in_flight = queue.in_flight.saturating_sub(1);
        drop(queue);
        self.work_ended();
    }

    pub fn publishing(&self) -> &tokio::sync::Mutex<()> {
        &self.publishing
    }

    pub fn settings(&self) -> Settings {
        self.settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replace the settings; true when they changed.
    pub fn set_settings(&self, settings: Settings) -> bool {
        let mut current = self.settings.write().unwrap_or_else(|e| e.into_inner());
        let changed = *current != settings;
        *current = settings;
        changed
    }

    pub fn set_initial_settings(&self, value: Value) {
        let _ = self.initial_settings.set(value);
    }

    pub fn initial_settings(&self) -> Option<&Value> {
        self.initial_settings.get()
    }

    pub fn set_folders(&self, folders: Vec<PathBuf>) {
        *self.folders.lock().unwrap_or_else(|e| e.into_inner()) = folders;
    }

    pub fn folders(&self) -> Vec<PathBuf> {
        self.folders
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn mark_indexed(&self) {
        self.indexed.send_replace(true);
        self.work_ended();
    }

    pub fn is_indexed(&self) -> bool {
        *self.indexed.borrow()
    }

    pub async fn wait_indexed(&self) {
        let mut rx = self.indexed.subscribe();
        let _ = rx.wait_for(|ready| *ready).await;
    }

    /// The current text and model of an open document, for a request: the
    /// document's analysis when it is of the current text, else a parse now
    /// (on a blocking thread).
    pub async fn snapshot(&self, uri: &Uri) -> jsonrpc::Result<DocSnapshot> {
        let key = doc_key(uri);
        let found = self.documents.with_doc(&key, |d| {
            (
                d.path.clone(),
                d.kind.clone(),
                d.text.rope().clone(),
                d.current_analysis(),
            )
        });
        let Some((path, kind, rope, analysis)) = found else {
            return Err(jsonrpc::Error::invalid_params(format!(
                "chant-lsp does not know {}: the client must open it first (textDocument/didOpen)",
                uri.as_str()
            )));
        };
        let (text, model) = match &analysis {
            Some(a) => (a.text.clone(), a.model.clone()),
            None => tokio::task::spawn_blocking(move || {
                let text = rope.to_string();
                let model = SpecModel::parse(&text);
                (Arc::new(text), Arc::new(model))
            })
            .await
            .map_err(|e| jsonrpc::Error::internal_error().tap_message(e.to_string()))?,
        };
        let project = path.as_deref().and_then(|p| self.projects.for_path(p));
        Ok(DocSnapshot {
            path,
            kind,
            text,
            model,
            project,
        })
    }

    /// Ask the client to show a document (the cursor at `at`, if given),
    /// when it can be asked; whether it was shown.
    pub async fn show(&self, uri: Uri, at: Option<tower_lsp_server::ls_types::Position>) -> bool {
        if !self.caps().show_document {
            return false;
        }
        let params = tower_lsp_server::ls_types::ShowDocumentParams {
            uri,
            external: Some(false),
            take_focus: Some(true),
            selection: at.map(|at| tower_lsp_server::ls_types::Range { start: at, end: at }),
        };
        self.client.show_document(params).await.unwrap_or(false)
    }

    /// An open document's URI, version and text, by file path.
    pub fn open_buffer(&self, path: &std::path::Path) -> Option<(Uri, i32, String)> {
        let key = super::documents::path_key(path);
        self.documents.with_doc(&key, |d| {
            (d.uri.clone(), d.version, d.text.rope().to_string())
        })
    }
}

/// A small helper to attach a message to a framework error.
trait TapMessage {
    fn tap_message(self, message: String) -> Self;
}

impl TapMessage for jsonrpc::Error {
    fn tap_message(mut self, message: String) -> Self {
        self.message = message.into();
        self
    }
}
