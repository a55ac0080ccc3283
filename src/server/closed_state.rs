//! The session's state for the specs that are not open: what the client
//! was sent, the worker's state, and the signals `closed` uses. Kept apart
//! from `closed`'s logic (a sibling, not a child) so the session can own
//! it without `closed` and `session` using each other.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use tokio::sync::oneshot;

use tower_lsp_server::ls_types::notification::Notification;

use crate::workspace::LoadedSpec;

/// Specs diagnosed per batch.
pub(super) const BATCH: usize = 256;

/// `chant/specListChanged`: a list of specs shows something else now.
pub enum SpecListChanged {}

impl Notification for SpecListChanged {
    type Params = ();
    const METHOD: &'static str = "chant/specListChanged";
}

#[derive(Default)]
pub(super) struct Worker {
    pub(super) running: bool,
    pub(super) again: bool,
}

/// The session's state for closed specs.
pub struct ClosedState {
    /// What the client was last sent for each closed spec (push clients):
    /// a result ID, or None when it holds something else (the open
    /// document's diagnostics). No entry: it was sent nothing.
    pub(super) sent: Mutex<HashMap<PathBuf, Option<u64>>>,
    pub(super) worker: Mutex<Worker>,
    /// Bumped whenever a closed spec's result changes (or the set of
    /// closed specs does): wakes `workspace/diagnostic` requests held open.
    pub(super) epoch: tokio::sync::watch::Sender<u64>,
    /// Specs read by the file watcher, not diagnosed yet (no need to read
    /// them twice).
    pub(super) preloaded: Mutex<HashMap<PathBuf, LoadedSpec>>,
    pub(super) refresh_scheduled: Mutex<bool>,
    pub(super) tokens_refresh_scheduled: Mutex<bool>,
    pub(super) list_scheduled: Mutex<bool>,
    /// `workspace/diagnostic` requests being held open (at most one).
    pub(super) pulls_waiting: AtomicUsize,
    /// The `workspace/diagnostic` request held open, if any, and how to
    /// make it answer: a newer one (or `shutdown`) releases it.
    held_pull: Mutex<Option<(u64, oneshot::Sender<()>)>>,
    held_pulls: AtomicU64,
}

impl Default for ClosedState {
    fn default() -> Self {
        ClosedState {
            sent: Mutex::default(),
            worker: Mutex::default(),
            epoch: tokio::sync::watch::channel(0).0,
            preloaded: Mutex::default(),
            refresh_scheduled: Mutex::new(false),
            tokens_refresh_scheduled: Mutex::new(false),
            list_scheduled: Mutex::new(false),
            pulls_waiting: AtomicUsize::new(0),
            held_pull: Mutex::new(None),
            held_pulls: AtomicU64::new(0),
        }
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ClosedState {
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.epoch.subscribe()
    }

    pub(super) fn bump(&self) {
        self.epoch.send_modify(|e| *e += 1);
    }

    /// Hold a `workspace/diagnostic` request open while the guard lives.
    /// One at a time: the request held before answers now (its
    /// [`HeldPull::released`] fires), as the LSP specification asks of a
    /// server that gets a newer pull, so held pulls never take the
    /// framework's request slots (hover, `$/cancelRequest` and `shutdown`
    /// need them).
    pub fn hold_pull(&self) -> HeldPull<'_> {
        let seq = self.held_pulls.fetch_add(1, Ordering::SeqCst);
        let (release, released) = oneshot::channel();
        let older = lock(&self.held_pull).replace((seq, release));
        if let Some((_, older)) = older {
            let _ = older.send(());
        }
        self.pulls_waiting.fetch_add(1, Ordering::SeqCst);
        HeldPull {
            state: self,
            seq,
            released,
        }
    }

    /// Answer the held `workspace/diagnostic` request, if any (the session
    /// shuts down).
    pub fn release_held_pull(&self) {
        if let Some((_, held)) = lock(&self.held_pull).take() {
            let _ = held.send(());
        }
    }

    /// Keep specs read from disk for the next batch.
    pub fn preload(&self, specs: HashMap<PathBuf, LoadedSpec>) {
        let mut preloaded = lock(&self.preloaded);
        preloaded.extend(specs);
        if preloaded.len() > 4 * BATCH * 8 {
            // Nothing took them (closed-spec diagnostics are off): drop.
            preloaded.clear();
        }
    }
}

/// A `workspace/diagnostic` request held open (see
/// [`ClosedState::hold_pull`]).
pub struct HeldPull<'a> {
    state: &'a ClosedState,
    seq: u64,
    released: oneshot::Receiver<()>,
}

impl HeldPull<'_> {
    /// Resolves when the request must answer now: a newer pull came, or
    /// the session shuts down.
    pub async fn released(&mut self) {
        // A dropped sender (the state gone) releases too.
        let _ = (&mut self.released).await;
    }
}

impl Drop for HeldPull<'_> {
    fn drop(&mut self) {
        // Answered or cancelled ($/cancelRequest drops the handler).
        let mut held = lock(&self.state.held_pull);
        if held.as_ref().is_some_and(|(seq, _)| *seq == self.seq) {
            *held = None;
        }
        drop(held);
        self.state.pulls_waiting.fetch_sub(1, Ordering::SeqCst);
    }
}
