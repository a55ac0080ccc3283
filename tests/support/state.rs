//! What the client knows about the session (responses, notifications, diagnostics, edits,
//! open documents) behind one lock, and the connection to the server: sending, waiting,
//! and routing what the server sends.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::process::{Child, ChildStdin};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::framing::encode_message;
use super::options::{ApplyEditMode, Responder};
use super::positions::PositionEncoding;
use super::rpc::RpcError;
use super::workspace::normalize_uri;

/// One open document as the client sees it.
#[derive(Clone, Debug)]
pub(super) struct Doc {
    pub(super) uri: String,
    pub(super) language_id: String,
    pub(super) text: String,
    pub(super) version: i64,
}

#[derive(Clone, Debug)]
pub(super) struct Notification {
    pub(super) seq: u64,
    pub(super) method: String,
    pub(super) params: Value,
}

/// One `textDocument/publishDiagnostics` as received.
#[derive(Clone, Debug)]
pub struct Publication {
    pub seq: u64,
    pub version: Option<i64>,
    pub diagnostics: Vec<Value>,
}

/// One `workspace/applyEdit` the server sent, with the client's answer.
#[derive(Clone, Debug)]
pub struct EditRecord {
    /// The whole `ApplyWorkspaceEditParams` (`{label?, edit}`).
    pub params: Value,
    pub applied: bool,
    pub failure_reason: Option<String>,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) outstanding: HashSet<i64>,
    pub(super) responses: HashMap<i64, Result<Value, RpcError>>,
    pub(super) notifications: Vec<Notification>,
    pub(super) next_seq: u64,
    pub(super) diagnostics: HashMap<String, Vec<Publication>>,
    pub(super) server_requests: Vec<(String, Value)>,
    pub(super) registrations: Vec<Value>,
    pub(super) progress_tokens: Vec<Value>,
    pub(super) edits: Vec<EditRecord>,
    pub(super) closed: Option<String>,
    pub(super) protocol_errors: Vec<String>,
}

pub(super) struct Inner {
    pub(super) state: Mutex<State>,
    pub(super) changed: Condvar,
    pub(super) docs: Mutex<HashMap<String, Doc>>,
    pub(super) writer: Mutex<Option<ChildStdin>>,
    pub(super) child: Mutex<Option<Child>>,
    pub(super) stderr: Arc<Mutex<Vec<u8>>>,
    pub(super) next_id: AtomicI64,
    pub(super) initialized: AtomicBool,
    pub(super) encoding: Mutex<PositionEncoding>,
    pub(super) server_capabilities: Mutex<Value>,
    pub(super) settings: Mutex<Value>,
    pub(super) apply_edit: Mutex<ApplyEditMode>,
    /// The user's typing that lands just before the next `workspace/applyEdit`
    /// is handled: (uri, text replaced, its replacement).
    pub(super) typing_before_apply: Mutex<Option<(String, String, String)>>,
    pub(super) responder: Mutex<Option<Responder>>,
    pub(super) trace: bool,
    pub(super) timeout: Duration,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Inner {
    pub(super) fn stderr_tail(&self) -> String {
        let buf = lock(&self.stderr);
        let text = String::from_utf8_lossy(&buf);
        let lines: Vec<&str> = text.lines().collect();
        let tail = &lines[lines.len().saturating_sub(40)..];
        let mut s = tail.join("\n");
        if s.len() > 8000 {
            let mut cut = s.len() - 8000;
            while !s.is_char_boundary(cut) {
                cut += 1;
            }
            s = format!("...{}", &s[cut..]);
        }
        s
    }

    fn exit_status(&self) -> String {
        match lock(&self.child).as_mut().map(|c| c.try_wait()) {
            Some(Ok(Some(st))) => format!("exited with {st}"),
            Some(Ok(None)) => "still running".into(),
            Some(Err(e)) => format!("unknown ({e})"),
            None => "already reaped".into(),
        }
    }

    pub(super) fn fail(&self, msg: String) -> ! {
        // Give a dying server a moment so its exit status and last words are in the report.
        thread::sleep(Duration::from_millis(50));
        panic!(
            "{msg}\n--- server: {}\n--- server stderr (tail):\n{}\n---",
            self.exit_status(),
            self.stderr_tail()
        );
    }

    pub(super) fn send(&self, msg: &Value) {
        if self.trace {
            eprintln!("[lsp-client] --> {msg}");
        }
        let bytes = encode_message(msg);
        let mut w = lock(&self.writer);
        let Some(stdin) = w.as_mut() else {
            drop(w);
            self.fail(format!("cannot send {msg}: the server's stdin is closed"));
        };
        if let Err(e) = stdin.write_all(&bytes).and_then(|_| stdin.flush()) {
            drop(w);
            self.fail(format!("cannot send {msg}: {e} (did the server exit?)"));
        }
    }

    /// Like `send` but never panics (used from helper threads).
    pub(super) fn try_send(&self, msg: &Value) {
        if self.trace {
            eprintln!("[lsp-client] --> {msg}");
        }
        let bytes = encode_message(msg);
        if let Some(stdin) = lock(&self.writer).as_mut() {
            let _ = stdin.write_all(&bytes).and_then(|_| stdin.flush());
        }
    }

    pub(super) fn notify_raw(&self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    pub(super) fn start_request(&self, method: &str, params: Value) -> i64 {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        lock(&self.state).outstanding.insert(id);
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Waits until `check` returns Some, the server is gone, or the timeout passes.
    pub(super) fn wait_until<T>(
        &self,
        timeout: Duration,
        mut check: impl FnMut(&mut State) -> Option<T>,
    ) -> Result<T, (Duration, Option<String>)> {
        let start = Instant::now();
        let mut st = lock(&self.state);
        loop {
            if let Some(v) = check(&mut st) {
                return Ok(v);
            }
            if let Some(reason) = &st.closed {
                return Err((start.elapsed(), Some(reason.clone())));
            }
            let elapsed = start.elapsed();
            if elapsed >= timeout {
                return Err((elapsed, None));
            }
            st = self
                .changed
                .wait_timeout(st, timeout - elapsed)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    pub(super) fn wait_response(
        &self,
        id: i64,
        method: &str,
        timeout: Duration,
    ) -> Result<Value, RpcError> {
        match self.wait_until(timeout, |st| st.responses.remove(&id)) {
            Ok(r) => r,
            Err((elapsed, closed)) => self.fail(match closed {
                Some(reason) => format!(
                    "request `{method}` (id {id}): no response after {:.1}s: {reason}",
                    elapsed.as_secs_f64()
                ),
                None => format!(
                    "request `{method}` (id {id}) timed out after {:.1}s",
                    elapsed.as_secs_f64()
                ),
            }),
        }
    }

    pub(super) fn close(&self, reason: String) {
        let mut st = lock(&self.state);
        if st.closed.is_none() {
            st.closed = Some(reason);
        }
        drop(st);
        self.changed.notify_all();
    }

    pub(super) fn protocol_error(&self, e: String) {
        eprintln!("[lsp-client] protocol error: {e}");
        lock(&self.state).protocol_errors.push(e);
        self.changed.notify_all();
    }

    pub(super) fn dispatch(self: &Arc<Self>, msg: Value) {
        if self.trace {
            eprintln!("[lsp-client] <-- {msg}");
        }
        let method = msg
            .get("method")
            .and_then(Value::as_str)
            .map(str::to_string);
        let id = msg.get("id").cloned();
        match (method, id) {
            (Some(method), Some(id)) => {
                let params = msg.get("params").cloned().unwrap_or(Value::Null);
                lock(&self.state)
                    .server_requests
                    .push((method.clone(), params.clone()));
                let inner = Arc::clone(self);
                thread::Builder::new()
                    .name(format!("lsp-server-request-{method}"))
                    .spawn(move || inner.answer_server_request(id, &method, &params))
                    .expect("spawn responder thread");
            }
            (Some(method), None) => {
                let params = msg.get("params").cloned().unwrap_or(Value::Null);
                let mut st = lock(&self.state);
                let seq = st.next_seq;
                st.next_seq += 1;
                if method == "textDocument/publishDiagnostics" {
                    let uri = params.get("uri").and_then(Value::as_str).unwrap_or("");
                    let publication = Publication {
                        seq,
                        version: params.get("version").and_then(Value::as_i64),
                        diagnostics: params
                            .get("diagnostics")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default(),
                    };
                    st.diagnostics
                        .entry(normalize_uri(uri))
                        .or_default()
                        .push(publication);
                }
                st.notifications.push(Notification {
                    seq,
                    method,
                    params,
                });
                drop(st);
                self.changed.notify_all();
            }
            (None, Some(id)) => {
                let result = if let Some(err) = msg.get("error") {
                    Err(RpcError::from_value(err))
                } else {
                    if msg.get("result").is_none() {
                        self.protocol_error(format!("response without result or error: {msg}"));
                    }
                    Ok(msg.get("result").cloned().unwrap_or(Value::Null))
                };
                let mut st = lock(&self.state);
                match id.as_i64() {
                    Some(n) if st.outstanding.remove(&n) => {
                        st.responses.insert(n, result);
                        drop(st);
                        self.changed.notify_all();
                    }
                    _ => {
                        drop(st);
                        self.protocol_error(format!("response to an unknown request id: {msg}"));
                    }
                }
            }
            (None, None) => self.protocol_error(format!(
                "message is neither request, response nor notification: {msg}"
            )),
        }
    }
}
