//! The chant runs going on in one server session: at most one per spec, each
//! with a progress token, a way to stop it and a way to wait for its end.
//! Owned by the session (no process-wide state); a run unregisters itself
//! when its [`RunHandle`] is dropped, however its task ends.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use super::process::StopReason;

#[derive(Default)]
struct Inner {
    runs: Mutex<Vec<Entry>>,
    next: AtomicU64,
}

struct Entry {
    seq: u64,
    spec: PathBuf,
    token: String,
    stop: watch::Sender<Option<StopReason>>,
    done: watch::Receiver<bool>,
}

#[derive(Default, Clone)]
pub struct RunRegistry {
    inner: Arc<Inner>,
}

/// A registered run: its token and stop signal. Dropping it unregisters
/// the run and wakes whoever waits for it to end.
pub struct RunHandle {
    inner: Arc<Inner>,
    seq: u64,
    pub token: String,
    pub stop: watch::Receiver<Option<StopReason>>,
    done: watch::Sender<bool>,
}

impl RunHandle {
    /// Stop this run, for `reason` (the job found it must not go on).
    pub fn stop_self(&self, reason: StopReason) {
        let runs = self.inner.runs.lock().unwrap_or_else(|e| e.into_inner());
        for entry in runs.iter().filter(|e| e.seq == self.seq) {
            entry.stop.send_replace(Some(reason));
        }
    }
}

impl Drop for RunHandle {
    fn drop(&mut self) {
        self.inner
            .runs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|e| e.seq != self.seq);
        self.done.send_replace(true);
    }
}

impl RunRegistry {
    fn runs(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        self.inner.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a run is going on for this spec file.
    pub fn is_running(&self, spec: &Path) -> bool {
        self.runs().iter().any(|e| e.spec == spec)
    }

    /// The spec files with a run going on.
    pub fn running(&self) -> Vec<PathBuf> {
        self.runs().iter().map(|e| e.spec.clone()).collect()
    }

    /// Register a run for `spec`, unless one is going on already.
    pub fn register(&self, spec: &Path) -> Option<RunHandle> {
        let mut runs = self.runs();
        if runs.iter().any(|e| e.spec == spec) {
            return None;
        }
        let seq = self.inner.next.fetch_add(1, Ordering::Relaxed) + 1;
        let token = format!("chant-lsp/run/{seq}");
        let (stop_tx, stop_rx) = watch::channel(None);
        let (done_tx, done_rx) = watch::channel(false);
        runs.push(Entry {
            seq,
            spec: spec.to_path_buf(),
            token: token.clone(),
            stop: stop_tx,
            done: done_rx,
        });
        Some(RunHandle {
            inner: self.inner.clone(),
            seq,
            token,
            stop: stop_rx,
            done: done_tx,
        })
    }

    /// Cancel the run whose progress token this is. False when none is.
    pub fn cancel(&self, token: &str) -> bool {
        let runs = self.runs();
        let mut found = false;
        for entry in runs.iter().filter(|e| e.token == token) {
            entry.stop.send_replace(Some(StopReason::Cancelled));
            found = true;
        }
        found
    }

    /// Stop the run whose progress token this is, for `reason`.
    pub fn stop(&self, token: &str, reason: StopReason) {
        for entry in self.runs().iter().filter(|e| e.token == token) {
            entry.stop.send_replace(Some(reason));
        }
    }

    /// Stop every run and wait, at most `wait`, until each has ended.
    pub async fn stop_all(&self, wait: Duration) {
        let waits: Vec<watch::Receiver<bool>> = self
            .runs()
            .iter()
            .map(|entry| {
                entry.stop.send_replace(Some(StopReason::Shutdown));
                entry.done.clone()
            })
            .collect();
        let _ = tokio::time::timeout(wait, async {
            for mut done in waits {
                let _ = done.wait_for(|d| *d).await;
            }
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_run_per_spec_until_its_handle_is_dropped() {
        let runs = RunRegistry::default();
        let spec = Path::new("/w/.chant/specs/a.md");
        let handle = runs.register(spec).unwrap();
        assert!(runs.is_running(spec));
        assert!(runs.register(spec).is_none());
        assert!(runs.register(Path::new("/w/.chant/specs/b.md")).is_some());
        assert!(!runs.cancel("chant-lsp/run/999"));
        assert!(runs.cancel(&handle.token));
        assert_eq!(*handle.stop.borrow(), Some(StopReason::Cancelled));
        let token = handle.token.clone();
        let stopper = runs.clone();
        let waiter = tokio::spawn(async move {
            stopper.stop_all(Duration::from_secs(30)).await;
        });
        tokio::task::yield_now().await;
        drop(handle);
        waiter.await.unwrap();
        assert!(!runs.is_running(spec));
        assert!(!runs.cancel(&token));
    }
}
