//! What the server sent: its requests (answered by a responder or the defaults),
//! registrations, workspace edits, progress, notifications and published diagnostics, and
//! waiting for them.

use std::time::Duration;

use serde_json::{json, Value};

use super::client::LspClient;
use super::options::{ApplyEditMode, Responder};
use super::state::{lock, EditRecord, Notification, Publication};
use super::workspace::normalize_uri;

impl LspClient {
    // --- server→client requests --------------------------------------------------------------

    /// Installs a responder consulted before the default answers.
    pub fn set_responder(&self, f: Responder) {
        *lock(&self.inner.responder) = Some(f);
    }

    pub fn clear_responder(&self) {
        *lock(&self.inner.responder) = None;
    }

    pub fn set_apply_edit_mode(&self, mode: ApplyEditMode) {
        *lock(&self.inner.apply_edit) = mode;
    }

    /// The user types in `uri` at the moment the next `workspace/applyEdit`
    /// arrives: the first `needle` becomes `replacement` (a `didChange`, a new
    /// version) before the edit is looked at, so a versioned edit computed
    /// for the previous version is refused as stale, as an editor does.
    pub fn type_when_the_next_edit_arrives(&self, uri: &str, needle: &str, replacement: &str) {
        *lock(&self.inner.typing_before_apply) =
            Some((uri.to_string(), needle.to_string(), replacement.to_string()));
    }

    /// Changes what `workspace/configuration` answers for `chant` (no notification).
    pub fn set_settings(&self, settings: Value) {
        *lock(&self.inner.settings) = settings;
    }

    /// `set_settings` then `workspace/didChangeConfiguration` with `{settings: {chant: ...}}`.
    pub fn change_settings(&self, settings: Value) {
        self.set_settings(settings.clone());
        self.notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"chant": settings}}),
        );
    }

    /// `workspace/didChangeWatchedFiles` with `(uri, FILE_CREATED|FILE_CHANGED|FILE_DELETED)`.
    pub fn did_change_watched_files(&self, changes: &[(&str, u32)]) {
        let changes: Vec<Value> = changes
            .iter()
            .map(|(u, t)| json!({"uri": u, "type": t}))
            .collect();
        self.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": changes}),
        );
    }

    /// Params of every server→client request received with this method, in order.
    pub fn server_requests(&self, method: &str) -> Vec<Value> {
        lock(&self.inner.state)
            .server_requests
            .iter()
            .filter(|(m, _)| m == method)
            .map(|(_, p)| p.clone())
            .collect()
    }

    /// Active registrations (`{id, method, registerOptions}`; unregistered ones are removed).
    pub fn registrations(&self) -> Vec<Value> {
        lock(&self.inner.state).registrations.clone()
    }

    /// Waits for an active registration of `method` (e.g. `workspace/didChangeWatchedFiles`).
    pub fn wait_for_registration(&self, method: &str, timeout: Duration) -> Value {
        let r = self.inner.wait_until(timeout, |st| {
            st.registrations
                .iter()
                .find(|r| r.get("method").and_then(Value::as_str) == Some(method))
                .cloned()
        });
        r.unwrap_or_else(|(elapsed, closed)| {
            let regs = self.registrations();
            self.inner.fail(format!(
                "no registration of `{method}` after {:.1}s{}; registrations: {regs:?}",
                elapsed.as_secs_f64(),
                closed.map(|c| format!(" ({c})")).unwrap_or_default()
            ))
        })
    }

    /// Every `workspace/applyEdit` received, with the client's answer (recorded after it was
    /// applied and before the answer was sent).
    pub fn edits(&self) -> Vec<EditRecord> {
        lock(&self.inner.state).edits.clone()
    }

    /// Waits until at least `n` `workspace/applyEdit`s were handled; returns all of them.
    pub fn wait_for_edits(&self, n: usize, timeout: Duration) -> Vec<EditRecord> {
        let r = self.inner.wait_until(timeout, |st| {
            (st.edits.len() >= n).then(|| st.edits.clone())
        });
        r.unwrap_or_else(|(elapsed, closed)| {
            self.inner.fail(format!(
                "expected {n} workspace/applyEdit after {:.1}s, got {}{}",
                elapsed.as_secs_f64(),
                self.edits().len(),
                closed.map(|c| format!(" ({c})")).unwrap_or_default()
            ))
        })
    }

    /// Tokens of accepted `window/workDoneProgress/create` requests.
    pub fn progress_tokens(&self) -> Vec<Value> {
        lock(&self.inner.state).progress_tokens.clone()
    }

    /// `value`s of the `$/progress` notifications for `token` (string or number), in order.
    pub fn progress(&self, token: impl Into<Value>) -> Vec<Value> {
        let token = token.into();
        lock(&self.inner.state)
            .notifications
            .iter()
            .filter(|n| n.method == "$/progress" && n.params.get("token") == Some(&token))
            .map(|n| n.params.get("value").cloned().unwrap_or(Value::Null))
            .collect()
    }

    /// Waits for the `end` of progress `token`; returns all its values.
    pub fn wait_for_progress_end(&self, token: impl Into<Value>, timeout: Duration) -> Vec<Value> {
        let token = token.into();
        let t2 = token.clone();
        self.wait_for_notification(
            "$/progress",
            move |p| {
                p.get("token") == Some(&t2)
                    && p.pointer("/value/kind").and_then(Value::as_str) == Some("end")
            },
            timeout,
        );
        self.progress(token)
    }

    // --- notifications -----------------------------------------------------------------------

    /// A mark in the notification stream for `wait_for_notification_after`.
    pub fn mark(&self) -> u64 {
        lock(&self.inner.state).next_seq
    }

    /// The params of the oldest notification `method` (still in the log) matching `pred`;
    /// looks at already-received ones first, then waits. Panics on timeout with the list of
    /// methods received.
    pub fn wait_for_notification(
        &self,
        method: &str,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Value {
        self.wait_for_notification_after(0, method, pred, timeout)
    }

    /// Like `wait_for_notification`, only among notifications received after `mark`.
    pub fn wait_for_notification_after(
        &self,
        mark: u64,
        method: &str,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Value {
        let r = self.inner.wait_until(timeout, |st| {
            st.notifications
                .iter()
                .find(|n| n.seq >= mark && n.method == method && pred(&n.params))
                .map(|n| n.params.clone())
        });
        r.unwrap_or_else(|(elapsed, closed)| {
            let methods: Vec<String> = lock(&self.inner.state)
                .notifications
                .iter()
                .map(|n| n.method.clone())
                .collect();
            self.inner.fail(format!(
                "no matching `{method}` notification after {:.1}s{}; received: {methods:?}",
                elapsed.as_secs_f64(),
                closed.map(|c| format!(" ({c})")).unwrap_or_default()
            ))
        })
    }

    /// Params of the logged notifications of `method`, oldest first.
    pub fn notifications(&self, method: &str) -> Vec<Value> {
        lock(&self.inner.state)
            .notifications
            .iter()
            .filter(|n| n.method == method)
            .map(|n| n.params.clone())
            .collect()
    }

    /// (sequence number, params) of the logged notifications of `method`,
    /// oldest first. Diagnostics publications (`Publication::seq`) share the
    /// sequence, so the order of the two can be compared.
    pub fn notifications_with_seq(&self, method: &str) -> Vec<(u64, Value)> {
        lock(&self.inner.state)
            .notifications
            .iter()
            .filter(|n| n.method == method)
            .map(|n| (n.seq, n.params.clone()))
            .collect()
    }

    /// Removes the logged notifications of `method` and returns them (the diagnostics
    /// history used by `wait_for_diagnostics` is kept separately and not affected).
    pub fn drain_notifications(&self, method: &str) -> Vec<Value> {
        let mut st = lock(&self.inner.state);
        let (taken, kept): (Vec<Notification>, Vec<Notification>) =
            std::mem::take(&mut st.notifications)
                .into_iter()
                .partition(|n| n.method == method);
        st.notifications = kept;
        taken.into_iter().map(|n| n.params).collect()
    }

    /// Methods of all logged notifications, oldest first.
    pub fn notification_methods(&self) -> Vec<String> {
        lock(&self.inner.state)
            .notifications
            .iter()
            .map(|n| n.method.clone())
            .collect()
    }

    // --- diagnostics -------------------------------------------------------------------------

    /// Every `publishDiagnostics` received for `uri`, oldest first.
    pub fn diagnostics_history(&self, uri: &str) -> Vec<Publication> {
        lock(&self.inner.state)
            .diagnostics
            .get(&normalize_uri(uri))
            .cloned()
            .unwrap_or_default()
    }

    /// Waits until the server has nothing scheduled (`chant/serverStatus`
    /// with `waitForIdle`) and every diagnostics publication it made has
    /// arrived (a notification can reach the client after a response sent
    /// later). Returns the status.
    pub fn wait_idle(&self) -> Value {
        let status = self.request_ok("chant/serverStatus", json!({"waitForIdle": true}));
        assert_eq!(status["idle"], true, "{status}");
        let published = status["publications"].as_u64().unwrap() as usize;
        let received = self
            .inner
            .wait_until(super::options::DEFAULT_TIMEOUT, |st| {
                let n: usize = st.diagnostics.values().map(Vec::len).sum();
                (n >= published).then_some(n)
            });
        if let Err((elapsed, _)) = received {
            self.inner.fail(format!(
                "the server published {published} diagnostics, not all arrived after {:.1}s",
                elapsed.as_secs_f64()
            ));
        }
        status
    }

    /// Diagnostics of `uri` once they are current: for an open document, waits until the
    /// NEWEST publication for it carries the document's current version; for a document that
    /// is not open, returns the newest publication (waiting for a first one). Up to 30 s.
    pub fn wait_for_diagnostics(&self, uri: &str) -> Vec<Value> {
        self.wait_for_diagnostics_matching(uri, |_| true)
    }

    /// Like `wait_for_diagnostics`, but also waits until the newest (current-version)
    /// publication satisfies `pred`.
    pub fn wait_for_diagnostics_matching(
        &self,
        uri: &str,
        pred: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let t = self.opts.timeout;
        self.wait_for_diagnostics_timeout(uri, pred, t)
    }

    pub fn wait_for_diagnostics_timeout(
        &self,
        uri: &str,
        pred: impl Fn(&[Value]) -> bool,
        timeout: Duration,
    ) -> Vec<Value> {
        let key = normalize_uri(uri);
        let version = lock(&self.inner.docs).get(&key).map(|d| d.version);
        let r = self.inner.wait_until(timeout, |st| {
            let newest = st.diagnostics.get(&key)?.last()?;
            if let Some(v) = version {
                if newest.version != Some(v) {
                    return None;
                }
            }
            pred(&newest.diagnostics).then(|| newest.diagnostics.clone())
        });
        r.unwrap_or_else(|(elapsed, closed)| {
            let history: Vec<String> = self
                .diagnostics_history(uri)
                .iter()
                .map(|p| format!("version {:?}: {}", p.version, Value::Array(p.diagnostics.clone())))
                .collect();
            self.inner.fail(format!(
                "no matching diagnostics for {uri} (wanted {}) after {:.1}s{}; publications for it:\n  {}",
                match version {
                    Some(v) => format!("version {v}"),
                    None => "any version: not open".into(),
                },
                elapsed.as_secs_f64(),
                closed.map(|c| format!(" ({c})")).unwrap_or_default(),
                if history.is_empty() { "(none)".to_string() } else { history.join("\n  ") }
            ))
        })
    }
}
