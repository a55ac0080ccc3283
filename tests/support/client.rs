//! The test client: spawns the server, initializes it, sends requests and notifications,
//! and stops the server. Documents (`documents.rs`) and what the server sends
//! (`received.rs`) are further `impl LspClient` blocks.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::framing::FrameParser;
use super::options::{default_client_capabilities, ClientOptions, EXIT_TIMEOUT};
use super::positions::PositionEncoding;
use super::rpc::{deep_merge, RpcError};
use super::state::{lock, Inner, State};
use super::workspace::file_uri;

/// `FileChangeType` values for `did_change_watched_files`.
pub const FILE_CREATED: u32 = 1;
pub const FILE_CHANGED: u32 = 2;
pub const FILE_DELETED: u32 = 3;

pub struct LspClient {
    pub(super) inner: Arc<Inner>,
    pub(super) opts: ClientOptions,
    initialize_result: Option<Value>,
}

/// A request sent with `request_async`.
pub struct PendingRequest {
    inner: Arc<Inner>,
    id: i64,
    method: String,
}

impl PendingRequest {
    pub fn id(&self) -> i64 {
        self.id
    }
    /// Sends `$/cancelRequest` for this request (it must still be answered, usually with
    /// error -32800 RequestCancelled, or with a result).
    pub fn cancel(&self) {
        self.inner
            .notify_raw("$/cancelRequest", json!({"id": self.id}));
    }
    pub fn wait(self) -> Result<Value, RpcError> {
        let t = self.inner.timeout;
        self.wait_timeout(t)
    }
    pub fn wait_timeout(self, timeout: Duration) -> Result<Value, RpcError> {
        self.inner.wait_response(self.id, &self.method, timeout)
    }
    /// The response if it has arrived, without waiting.
    pub fn try_take(&self) -> Option<Result<Value, RpcError>> {
        lock(&self.inner.state).responses.remove(&self.id)
    }
}

impl LspClient {
    /// Starts the server (see `ClientOptions`) and the reader threads. Does not initialize.
    pub fn spawn(opts: ClientOptions) -> LspClient {
        let program = opts
            .program
            .clone()
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_chant-lsp")));
        let mut cmd = Command::new(&program);
        cmd.args(&opts.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if !opts.env.iter().any(|(k, _)| k == "RUST_BACKTRACE") {
            cmd.env("RUST_BACKTRACE", "1");
        }
        for (k, v) in &opts.env {
            cmd.env(k, v);
        }
        if let Some(cwd) = &opts.cwd {
            cmd.current_dir(cwd);
        }
        // The server starts as an editor starts it: with the default action
        // for the signals that end a process. A run under `nohup` (or any
        // launcher that ignores SIGHUP) would otherwise pass its ignored
        // SIGHUP on through exec, and a test that ends the server with it
        // would wait for a server that rightly stays.
        // SAFETY: only async-signal-safe `signal` calls in the child.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
                for signal in [libc::SIGHUP, libc::SIGINT, libc::SIGQUIT, libc::SIGTERM] {
                    libc::signal(signal, libc::SIG_DFL);
                }
                Ok(())
            });
        }
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} {:?}: {e}", program.display(), opts.args));
        let stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();

        let inner = Arc::new(Inner {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            docs: Mutex::new(HashMap::new()),
            writer: Mutex::new(Some(stdin)),
            child: Mutex::new(Some(child)),
            stderr: Arc::new(Mutex::new(Vec::new())),
            next_id: AtomicI64::new(1),
            initialized: AtomicBool::new(false),
            encoding: Mutex::new(PositionEncoding::Utf16),
            server_capabilities: Mutex::new(Value::Null),
            settings: Mutex::new(opts.settings.clone()),
            apply_edit: Mutex::new(opts.apply_edit),
            typing_before_apply: Mutex::new(None),
            responder: Mutex::new(None),
            trace: opts.trace,
            timeout: opts.timeout,
        });

        let err_buf = Arc::clone(&inner.stderr);
        let echo = opts.echo_stderr;
        thread::Builder::new()
            .name("lsp-stderr".into())
            .spawn(move || {
                let mut buf = [0u8; 8192];
                loop {
                    match stderr.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            lock(&err_buf).extend_from_slice(&buf[..n]);
                            if echo {
                                let _ = std::io::stderr().write_all(&buf[..n]);
                            }
                        }
                        Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                        Err(_) => break,
                    }
                }
            })
            .expect("spawn stderr thread");

        let reader_inner = Arc::clone(&inner);
        thread::Builder::new()
            .name("lsp-reader".into())
            .spawn(move || {
                let inner = reader_inner;
                let mut parser = FrameParser::new();
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    match stdout.read(&mut buf) {
                        Ok(0) => {
                            let rest = parser.pending();
                            let mut reason = "the server closed its stdout".to_string();
                            if rest > 0 {
                                reason.push_str(&format!(
                                    " ({rest} bytes of an unfinished message left)"
                                ));
                            }
                            inner.close(reason);
                            break;
                        }
                        Ok(n) => {
                            parser.feed(&buf[..n]);
                            while let Some(m) = parser.next_message() {
                                match m {
                                    Ok(v) => inner.dispatch(v),
                                    Err(e) => {
                                        inner.protocol_error(e.clone());
                                        inner.close(format!(
                                            "protocol error on the server's stdout: {e}"
                                        ));
                                    }
                                }
                            }
                        }
                        Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                        Err(e) => {
                            inner.close(format!("reading the server's stdout failed: {e}"));
                            break;
                        }
                    }
                }
            })
            .expect("spawn reader thread");

        LspClient {
            inner,
            opts,
            initialize_result: None,
        }
    }

    /// Spawns and initializes.
    pub fn start(opts: ClientOptions) -> LspClient {
        let mut c = LspClient::spawn(opts);
        c.initialize();
        c
    }

    /// The `initialize` params this client sends.
    pub fn initialize_params(&self) -> Value {
        let mut caps = default_client_capabilities(&self.opts.position_encodings);
        if let Some(p) = &self.opts.capabilities_patch {
            deep_merge(&mut caps, p);
        }
        let mut folders = self.opts.workspace_folders.clone();
        if folders.is_empty() {
            if let Some(r) = &self.opts.root {
                folders.push(r.clone());
            }
        }
        let root = self.opts.root.clone().or_else(|| folders.first().cloned());
        let folders_json: Value = if folders.is_empty() {
            Value::Null
        } else {
            Value::Array(
                folders
                    .iter()
                    .map(|f| {
                        let name = f
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        json!({"uri": file_uri(f), "name": name})
                    })
                    .collect(),
            )
        };
        let mut params = json!({
            "processId": std::process::id(),
            "clientInfo": {"name": "chant-lsp-test-client", "version": "1.0"},
            "locale": "en",
            "rootUri": root.as_deref().map(file_uri),
            "capabilities": caps,
            "trace": "off",
            "workspaceFolders": folders_json,
        });
        if let Some(io) = &self.opts.initialization_options {
            params["initializationOptions"] = io.clone();
        }
        params
    }

    /// Sends `initialize`, waits for its result (nothing else is sent before), checks and
    /// records the negotiated position encoding, sends `initialized`. Panics on an error.
    pub fn initialize(&mut self) -> Value {
        let result = self.initialize_without_initialized();
        self.send_initialized();
        result
    }

    /// `initialize` and its result, without the `initialized` notification
    /// (the server starts indexing the workspace on it): a test that sends
    /// requests before [`send_initialized`](Self::send_initialized) knows
    /// they arrive before the workspace can be indexed.
    pub fn initialize_without_initialized(&mut self) -> Value {
        let params = self.initialize_params();
        let id = self.inner.start_request("initialize", params);
        let result = match self
            .inner
            .wait_response(id, "initialize", self.opts.timeout)
        {
            Ok(r) => r,
            Err(e) => self.inner.fail(format!("initialize failed: {e}")),
        };
        let caps = result.get("capabilities").cloned().unwrap_or(Value::Null);
        let enc = match caps.get("positionEncoding").and_then(Value::as_str) {
            None => PositionEncoding::Utf16,
            Some(s) => {
                let offered = self.opts.position_encodings.contains(&s) || s == "utf-16";
                match PositionEncoding::parse(s) {
                    Some(e) if offered => e,
                    _ => self.inner.fail(format!(
                        "server chose positionEncoding {s:?}, the client offered {:?}",
                        self.opts.position_encodings
                    )),
                }
            }
        };
        *lock(&self.inner.encoding) = enc;
        *lock(&self.inner.server_capabilities) = caps;
        self.inner.initialized.store(true, Ordering::SeqCst);
        self.initialize_result = Some(result.clone());
        result
    }

    /// The `initialized` notification.
    pub fn send_initialized(&self) {
        self.inner.notify_raw("initialized", json!({}));
    }

    pub fn initialize_result(&self) -> Option<&Value> {
        self.initialize_result.as_ref()
    }

    /// `result.capabilities` of `initialize` (null before).
    pub fn server_capabilities(&self) -> Value {
        lock(&self.inner.server_capabilities).clone()
    }

    /// The negotiated position encoding (utf-16 until `initialize`).
    pub fn encoding(&self) -> PositionEncoding {
        *lock(&self.inner.encoding)
    }

    pub(super) fn check_initialized(&self, what: &str) {
        if !self.inner.initialized.load(Ordering::SeqCst) {
            panic!("{what} before initialize() finished (use send_raw for protocol-order tests)");
        }
    }

    /// Sends a request and waits up to the default timeout (30 s) for its answer; panics on
    /// timeout or if the server dies, with the elapsed time and the server's stderr tail.
    pub fn request(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        self.request_with_timeout(method, params, self.opts.timeout)
    }

    pub fn request_with_timeout(
        &self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, RpcError> {
        self.check_initialized(&format!("request `{method}`"));
        let id = self.inner.start_request(method, params);
        self.inner.wait_response(id, method, timeout)
    }

    /// `request` that panics on an error response.
    pub fn request_ok(&self, method: &str, params: Value) -> Value {
        match self.request(method, params) {
            Ok(v) => v,
            Err(e) => self.inner.fail(format!("request `{method}` failed: {e}")),
        }
    }

    pub fn request_async(&self, method: &str, params: Value) -> PendingRequest {
        self.check_initialized(&format!("request `{method}`"));
        let id = self.inner.start_request(method, params);
        PendingRequest {
            inner: Arc::clone(&self.inner),
            id,
            method: method.to_string(),
        }
    }

    pub fn notify(&self, method: &str, params: Value) {
        if method != "exit" {
            self.check_initialized(&format!("notification `{method}`"));
        }
        self.inner.notify_raw(method, params);
    }

    /// Writes any message as is, with no checks (a request id in it is registered so that
    /// its response is accepted; take it with `wait_raw_response`).
    pub fn send_raw(&self, msg: &Value) {
        if let (Some(id), Some(_)) = (msg.get("id").and_then(Value::as_i64), msg.get("method")) {
            lock(&self.inner.state).outstanding.insert(id);
        }
        self.inner.send(msg);
    }

    /// Waits for the response to a request sent with `send_raw`.
    pub fn wait_raw_response(&self, id: i64, timeout: Duration) -> Result<Value, RpcError> {
        self.inner.wait_response(id, "(raw)", timeout)
    }

    // --- process -----------------------------------------------------------------------------

    /// The last 40 lines of the server's stderr.
    pub fn stderr_tail(&self) -> String {
        self.inner.stderr_tail()
    }

    /// All of the server's stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&lock(&self.inner.stderr)).into_owned()
    }

    /// Protocol violations seen (bad frames, unknown response ids, ...). `shutdown` panics if
    /// there are any.
    pub fn protocol_errors(&self) -> Vec<String> {
        lock(&self.inner.state).protocol_errors.clone()
    }

    /// Closes the server's stdin (EOF) without `shutdown`/`exit`.
    pub fn close_stdin(&self) {
        lock(&self.inner.writer).take();
    }

    /// Waits for the process to exit by itself.
    pub fn wait_exit(&self, timeout: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        loop {
            if let Some(st) = lock(&self.inner.child)
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                return Some(st);
            }
            if start.elapsed() >= timeout {
                return None;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// `shutdown` (waits for its answer), `exit`, close stdin, wait up to 10 s for the process
    /// (killed, then panic, if it does not exit). Panics if protocol errors were seen.
    pub fn shutdown(self) -> ExitStatus {
        let id = self.inner.start_request("shutdown", Value::Null);
        if let Err(e) = self.inner.wait_response(id, "shutdown", self.opts.timeout) {
            self.inner.fail(format!("shutdown failed: {e}"));
        }
        self.inner.notify_raw("exit", Value::Null);
        self.close_stdin();
        let status = match self.wait_exit(EXIT_TIMEOUT) {
            Some(st) => st,
            None => {
                if let Some(c) = lock(&self.inner.child).as_mut() {
                    let _ = c.kill();
                    let _ = c.wait();
                }
                self.inner.fail(format!(
                    "the server did not exit within {EXIT_TIMEOUT:?} of `exit`"
                ));
            }
        };
        let errors = self.protocol_errors();
        if !errors.is_empty() {
            self.inner.fail(format!(
                "protocol errors during the session:\n  {}",
                errors.join("\n  ")
            ));
        }
        status
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        if let Some(mut c) = lock(&self.inner.child).take() {
            if let Ok(None) = c.try_wait() {
                let _ = c.kill();
            }
            let _ = c.wait();
        }
    }
}
