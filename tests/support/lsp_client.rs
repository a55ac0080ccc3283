#![allow(dead_code)]
//! A synchronous LSP test client: spawns the server, frames JSON-RPC over its stdio, routes
//! responses / server requests / notifications, mirrors open documents like an editor does.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use super::workspace::{file_uri, normalize_uri, uri_to_path};

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// `FileChangeType` values for `did_change_watched_files`.
pub const FILE_CREATED: u32 = 1;
pub const FILE_CHANGED: u32 = 2;
pub const FILE_DELETED: u32 = 3;

// ---------------------------------------------------------------------------------------------
// Small types and JSON helpers
// ---------------------------------------------------------------------------------------------

/// A JSON-RPC error (from a response, or returned by a responder).
#[derive(Clone, Debug, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> RpcError {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }
    pub fn method_not_found(method: &str) -> RpcError {
        RpcError::new(-32601, format!("method not found: {method}"))
    }
    fn from_value(v: &Value) -> RpcError {
        RpcError {
            code: v.get("code").and_then(Value::as_i64).unwrap_or(0),
            message: v
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            data: v.get("data").cloned(),
        }
    }
    fn to_value(&self) -> Value {
        let mut v = json!({"code": self.code, "message": self.message});
        if let Some(d) = &self.data {
            v["data"] = d.clone();
        }
        v
    }
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JSON-RPC error {}: {}", self.code, self.message)?;
        if let Some(d) = &self.data {
            write!(f, " (data: {d})")?;
        }
        Ok(())
    }
}

impl std::error::Error for RpcError {}

/// `{"line": l, "character": c}`.
pub fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

/// `{"start": pos(l1, c1), "end": pos(l2, c2)}`.
pub fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": pos(l1, c1), "end": pos(l2, c2)})
}

/// Deep merge: objects merge key by key; any other value replaces; a `null` in `patch`
/// removes the key from `base`.
pub fn deep_merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    b.remove(k);
                } else if let Some(slot) = b.get_mut(k) {
                    deep_merge(slot, v);
                } else {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Framing
// ---------------------------------------------------------------------------------------------

/// `Content-Length: N\r\n\r\n{json}`.
pub fn encode_message(msg: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(msg).expect("serialize message");
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(&body);
    out
}

/// Incremental parser for `Content-Length` framed messages. Feed it bytes as they come (any
/// split), then take whole messages with `next_message`.
#[derive(Default)]
pub struct FrameParser {
    buf: Vec<u8>,
}

impl FrameParser {
    pub fn new() -> FrameParser {
        FrameParser::default()
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received but not yet part of a whole message.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// `None` until a whole message is buffered. `Some(Err)` is a protocol violation (a header
    /// without Content-Length, a bad header line, a body that is not JSON); the offending bytes
    /// are dropped.
    pub fn next_message(&mut self) -> Option<Result<Value, String>> {
        let header_end = match find(&self.buf, b"\r\n\r\n") {
            Some(i) => i,
            None => {
                if self.buf.len() > 16 * 1024 {
                    let head =
                        String::from_utf8_lossy(&self.buf[..200.min(self.buf.len())]).into_owned();
                    self.buf.clear();
                    return Some(Err(format!("no end of headers within 16 KiB: {head:?}")));
                }
                return None;
            }
        };
        let header = String::from_utf8_lossy(&self.buf[..header_end]).into_owned();
        let mut length = None;
        for line in header.split("\r\n") {
            let Some((name, value)) = line.split_once(':') else {
                self.buf.drain(..header_end + 4);
                return Some(Err(format!("bad header line {line:?} in {header:?}")));
            };
            let value = value.trim();
            if name.trim().eq_ignore_ascii_case("content-length") {
                match value.parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => {
                        self.buf.drain(..header_end + 4);
                        return Some(Err(format!("bad Content-Length {value:?}")));
                    }
                }
            } else if name.trim().eq_ignore_ascii_case("content-type") {
                let v = value.to_ascii_lowercase();
                if v.contains("charset") && !(v.contains("utf-8") || v.contains("utf8")) {
                    self.buf.drain(..header_end + 4);
                    return Some(Err(format!("unsupported Content-Type {value:?}")));
                }
            }
        }
        let Some(length) = length else {
            self.buf.drain(..header_end + 4);
            return Some(Err(format!("header without Content-Length: {header:?}")));
        };
        let start = header_end + 4;
        if self.buf.len() < start + length {
            return None;
        }
        let body: Vec<u8> = self.buf[start..start + length].to_vec();
        self.buf.drain(..start + length);
        Some(serde_json::from_slice(&body).map_err(|e| {
            format!(
                "body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&body)
            )
        }))
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// Positions and text edits in a given encoding
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PositionEncoding {
    Utf8,
    Utf16,
    Utf32,
}

impl PositionEncoding {
    pub fn parse(s: &str) -> Option<PositionEncoding> {
        match s {
            "utf-8" => Some(PositionEncoding::Utf8),
            "utf-16" => Some(PositionEncoding::Utf16),
            "utf-32" => Some(PositionEncoding::Utf32),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            PositionEncoding::Utf8 => "utf-8",
            PositionEncoding::Utf16 => "utf-16",
            PositionEncoding::Utf32 => "utf-32",
        }
    }
    /// Code units of `c` in this encoding.
    pub fn width(self, c: char) -> usize {
        match self {
            PositionEncoding::Utf8 => c.len_utf8(),
            PositionEncoding::Utf16 => c.len_utf16(),
            PositionEncoding::Utf32 => 1,
        }
    }
}

impl fmt::Display for PositionEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Byte spans of the line contents (terminators excluded). Lines break at `\n`, `\r\n` and a
/// lone `\r`, as LSP says. A text ending in a line break has a last, empty line.
pub fn line_spans(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut spans = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        match b[i] {
            b'\n' => {
                spans.push((start, i));
                i += 1;
                start = i;
            }
            b'\r' => {
                spans.push((start, i));
                i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                start = i;
            }
            _ => i += 1,
        }
    }
    spans.push((start, b.len()));
    spans
}

/// Byte offset of (line, character) in `text`. A character past the end of its line clamps to
/// the end of the line (LSP rule); `(line_count, 0)` means the end of the text; other lines
/// past the end, and columns that fall inside a character, are errors.
pub fn offset_at(
    text: &str,
    line: usize,
    character: usize,
    enc: PositionEncoding,
) -> Result<usize, String> {
    let spans = line_spans(text);
    if line >= spans.len() {
        if line == spans.len() && character == 0 {
            return Ok(text.len());
        }
        return Err(format!(
            "position {line}:{character} is past the end of the document ({} lines)",
            spans.len()
        ));
    }
    let (s, e) = spans[line];
    let mut units = 0;
    for (i, c) in text[s..e].char_indices() {
        if units == character {
            return Ok(s + i);
        }
        units += enc.width(c);
        if units > character {
            return Err(format!(
                "position {line}:{character} ({enc}) falls inside the character {c:?}"
            ));
        }
    }
    Ok(e)
}

/// (line, character) of a byte offset (which must be on a char boundary; an offset inside a
/// line terminator maps to the end of that line).
pub fn position_at(text: &str, offset: usize, enc: PositionEncoding) -> (usize, usize) {
    assert!(
        offset <= text.len() && text.is_char_boundary(offset),
        "bad offset {offset}"
    );
    let spans = line_spans(text);
    for (line, &(s, e)) in spans.iter().enumerate() {
        let next = spans.get(line + 1).map(|n| n.0).unwrap_or(usize::MAX);
        if offset < next {
            let end = offset.min(e);
            return (line, text[s..end].chars().map(|c| enc.width(c)).sum());
        }
    }
    unreachable!()
}

/// `pos()` of a byte offset.
pub fn pos_at(text: &str, offset: usize, enc: PositionEncoding) -> Value {
    let (l, c) = position_at(text, offset, enc);
    pos(l as u32, c as u32)
}

fn parse_position(v: &Value) -> Result<(usize, usize), String> {
    let l = v.get("line").and_then(Value::as_u64);
    let c = v.get("character").and_then(Value::as_u64);
    match (l, c) {
        (Some(l), Some(c)) => Ok((l as usize, c as usize)),
        _ => Err(format!("bad position {v}")),
    }
}

/// Byte range of an LSP range.
pub fn range_offsets(
    text: &str,
    range: &Value,
    enc: PositionEncoding,
) -> Result<(usize, usize), String> {
    let (l1, c1) = parse_position(range.get("start").unwrap_or(&Value::Null))?;
    let (l2, c2) = parse_position(range.get("end").unwrap_or(&Value::Null))?;
    let s = offset_at(text, l1, c1, enc)?;
    let e = offset_at(text, l2, c2, enc)?;
    if s > e {
        return Err(format!("range {range} ends before it starts"));
    }
    Ok((s, e))
}

/// Applies one `didChange`-style change (range in `enc`).
pub fn apply_change(
    text: &str,
    range: &Value,
    new_text: &str,
    enc: PositionEncoding,
) -> Result<String, String> {
    let (s, e) = range_offsets(text, range, enc)?;
    let mut out = String::with_capacity(text.len() + new_text.len());
    out.push_str(&text[..s]);
    out.push_str(new_text);
    out.push_str(&text[e..]);
    Ok(out)
}

/// Applies `TextEdit`s (`{range, newText}`) that all refer to the ORIGINAL text and must not
/// overlap (LSP rule). Insertions at one position keep their array order.
pub fn apply_text_edits(
    text: &str,
    edits: &[Value],
    enc: PositionEncoding,
) -> Result<String, String> {
    plan_text_edits(text, edits, enc).map(|(t, _)| t)
}

/// Returns the new text plus the same edits as sequential `(range, text)` changes (last to
/// first, so each range is valid when applied one after another), for `didChange`.
pub fn plan_text_edits(
    text: &str,
    edits: &[Value],
    enc: PositionEncoding,
) -> Result<(String, Vec<(Value, String)>), String> {
    let mut spans = Vec::with_capacity(edits.len());
    for (idx, edit) in edits.iter().enumerate() {
        if edit.get("snippet").is_some() {
            return Err("snippet text edits are not supported by this client".into());
        }
        let range = edit
            .get("range")
            .ok_or_else(|| format!("text edit without range: {edit}"))?;
        let new_text = edit
            .get("newText")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("text edit without newText: {edit}"))?;
        let (s, e) = range_offsets(text, range, enc)?;
        spans.push((s, e, idx, new_text));
    }
    spans.sort_by_key(|&(s, e, idx, _)| (s, e, idx));
    for w in spans.windows(2) {
        if w[0].1 > w[1].0 {
            return Err(format!(
                "overlapping text edits: {} and {}",
                edits[w[0].2], edits[w[1].2]
            ));
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for &(s, e, _, t) in &spans {
        out.push_str(&text[at..s]);
        out.push_str(t);
        at = e;
    }
    out.push_str(&text[at..]);
    let seq = spans
        .iter()
        .rev()
        .map(|&(s, e, _, t)| {
            let (a, b) = (pos_at(text, s, enc), pos_at(text, e, enc));
            (json!({"start": a, "end": b}), t.to_string())
        })
        .collect();
    Ok((out, seq))
}

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

/// How the client answers `workspace/applyEdit`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ApplyEditMode {
    /// Check versions, apply to buffers / disk, send `didChange`, answer `{applied: true}`.
    #[default]
    ApplyAndAccept,
    /// Answer `{applied: false, failureReason}` without applying anything.
    Reject,
    /// Never answer (tests that the server does not stall).
    Hang,
}

/// A responder consulted before the default one for every server→client request. Return
/// `None` to fall back to the default answer.
pub type Responder = Box<dyn Fn(&str, &Value) -> Option<Result<Value, RpcError>> + Send>;

pub struct ClientOptions {
    /// Default: the `chant-lsp` binary cargo built for this test.
    pub program: Option<PathBuf>,
    /// Default: `["--stdio"]`.
    pub args: Vec<String>,
    /// Offered in `general.positionEncodings`, in order. Default `["utf-16"]`.
    pub position_encodings: Vec<&'static str>,
    /// What `workspace/configuration` answers for section `chant`. Default `{}`.
    pub settings: Value,
    pub initialization_options: Option<Value>,
    /// Extra environment for the server (`RUST_BACKTRACE=1` is added unless given here).
    pub env: Vec<(String, String)>,
    /// Working folder of the server; default: inherited (the test's).
    pub cwd: Option<PathBuf>,
    pub workspace_folders: Vec<PathBuf>,
    /// `rootUri`; default: the first workspace folder.
    pub root: Option<PathBuf>,
    /// Deep-merged into the default client capabilities (`null` deletes a key).
    pub capabilities_patch: Option<Value>,
    pub apply_edit: ApplyEditMode,
    /// Default timeout of `request` and the diagnostics waits. Default 30 s.
    pub timeout: Duration,
    /// Copy the server's stderr to the test's stderr as it comes (default: env
    /// `CHANT_LSP_TEST_STDERR` is set).
    pub echo_stderr: bool,
    /// Print every message in both directions to stderr (default: env `CHANT_LSP_TEST_TRACE`).
    pub trace: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            program: None,
            args: vec!["--stdio".to_string()],
            position_encodings: vec!["utf-16"],
            settings: json!({}),
            initialization_options: None,
            env: Vec::new(),
            cwd: None,
            workspace_folders: Vec::new(),
            root: None,
            capabilities_patch: None,
            apply_edit: ApplyEditMode::ApplyAndAccept,
            timeout: DEFAULT_TIMEOUT,
            echo_stderr: std::env::var_os("CHANT_LSP_TEST_STDERR").is_some(),
            trace: std::env::var_os("CHANT_LSP_TEST_TRACE").is_some(),
        }
    }
}

impl ClientOptions {
    /// Options for one workspace folder: root and the only workspace folder.
    pub fn for_folder(path: &Path) -> ClientOptions {
        ClientOptions {
            root: Some(path.to_path_buf()),
            workspace_folders: vec![path.to_path_buf()],
            ..ClientOptions::default()
        }
    }
}

/// The capabilities a modern editor advertises (VS Code-like, push diagnostics only).
pub fn default_client_capabilities(position_encodings: &[&str]) -> Value {
    let completion_kinds: Vec<u32> = (1..=25).collect();
    let symbol_kinds: Vec<u32> = (1..=26).collect();
    json!({
        "general": {
            "positionEncodings": position_encodings,
            "markdown": {"parser": "marked", "version": "1.1.0"},
            "regularExpressions": {"engine": "ECMAScript", "version": "ES2020"},
            "staleRequestSupport": {"cancel": true, "retryOnContentModified": []}
        },
        "textDocument": {
            "synchronization": {"dynamicRegistration": false, "willSave": false,
                                "willSaveWaitUntil": false, "didSave": true},
            "publishDiagnostics": {"relatedInformation": true, "versionSupport": true,
                                   "tagSupport": {"valueSet": [1, 2]},
                                   "codeDescriptionSupport": true, "dataSupport": true},
            "completion": {
                "dynamicRegistration": false,
                "contextSupport": true,
                "insertTextMode": 2,
                "completionItem": {
                    "snippetSupport": false,
                    "commitCharactersSupport": true,
                    "documentationFormat": ["markdown", "plaintext"],
                    "deprecatedSupport": true,
                    "preselectSupport": true,
                    "tagSupport": {"valueSet": [1]},
                    "insertReplaceSupport": true,
                    "resolveSupport": {"properties": ["documentation", "detail", "additionalTextEdits"]},
                    "insertTextModeSupport": {"valueSet": [1, 2]},
                    "labelDetailsSupport": true
                },
                "completionItemKind": {"valueSet": completion_kinds},
                "completionList": {"itemDefaults": ["commitCharacters", "editRange",
                                                    "insertTextFormat", "insertTextMode", "data"]}
            },
            "hover": {"dynamicRegistration": false, "contentFormat": ["markdown", "plaintext"]},
            "definition": {"dynamicRegistration": false, "linkSupport": true},
            "references": {"dynamicRegistration": false},
            "documentHighlight": {"dynamicRegistration": false},
            "documentSymbol": {"dynamicRegistration": false,
                               "hierarchicalDocumentSymbolSupport": true,
                               "symbolKind": {"valueSet": symbol_kinds},
                               "labelSupport": true},
            "codeAction": {
                "dynamicRegistration": false,
                "codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
                    "", "quickfix", "refactor", "refactor.extract", "refactor.inline",
                    "refactor.rewrite", "source", "source.organizeImports", "source.fixAll"]}},
                "isPreferredSupport": true,
                "disabledSupport": true,
                "dataSupport": true,
                "resolveSupport": {"properties": ["edit"]},
                "honorsChangeAnnotations": false
            },
            "codeLens": {"dynamicRegistration": false},
            "documentLink": {"dynamicRegistration": false, "tooltipSupport": true},
            "formatting": {"dynamicRegistration": false},
            "rename": {"dynamicRegistration": false, "prepareSupport": true,
                       "prepareSupportDefaultBehavior": 1, "honorsChangeAnnotations": false},
            "foldingRange": {"dynamicRegistration": false, "lineFoldingOnly": true},
            "selectionRange": {"dynamicRegistration": false},
            "inlayHint": {"dynamicRegistration": false,
                          "resolveSupport": {"properties": ["tooltip", "textEdits", "label.tooltip",
                                                            "label.location", "label.command"]}},
            "semanticTokens": {
                "dynamicRegistration": false,
                "requests": {"range": true, "full": {"delta": true}},
                "tokenTypes": ["namespace", "type", "class", "enum", "interface", "struct",
                               "typeParameter", "parameter", "variable", "property", "enumMember",
                               "event", "function", "method", "macro", "keyword", "modifier",
                               "comment", "string", "number", "regexp", "operator", "decorator"],
                "tokenModifiers": ["declaration", "definition", "readonly", "static", "deprecated",
                                   "abstract", "async", "modification", "documentation",
                                   "defaultLibrary"],
                "formats": ["relative"],
                "overlappingTokenSupport": false,
                "multilineTokenSupport": false
            }
        },
        "workspace": {
            "applyEdit": true,
            "workspaceEdit": {"documentChanges": true,
                              "resourceOperations": ["create", "rename", "delete"],
                              "failureHandling": "textOnlyTransactional",
                              "normalizesLineEndings": false},
            "didChangeConfiguration": {"dynamicRegistration": false},
            "didChangeWatchedFiles": {"dynamicRegistration": true, "relativePatternSupport": true},
            "symbol": {"dynamicRegistration": false},
            "executeCommand": {"dynamicRegistration": false},
            "workspaceFolders": true,
            "configuration": true,
            "codeLens": {"refreshSupport": true},
            "inlayHint": {"refreshSupport": true},
            "semanticTokens": {"refreshSupport": true}
        },
        "window": {
            "workDoneProgress": true,
            "showMessage": {"messageActionItem": {"additionalPropertiesSupport": true}},
            "showDocument": {"support": true}
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Client state
// ---------------------------------------------------------------------------------------------

/// One open document as the client sees it.
#[derive(Clone, Debug)]
struct Doc {
    uri: String,
    language_id: String,
    text: String,
    version: i64,
}

#[derive(Clone, Debug)]
struct Notification {
    seq: u64,
    method: String,
    params: Value,
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
struct State {
    outstanding: HashSet<i64>,
    responses: HashMap<i64, Result<Value, RpcError>>,
    notifications: Vec<Notification>,
    next_seq: u64,
    diagnostics: HashMap<String, Vec<Publication>>,
    server_requests: Vec<(String, Value)>,
    registrations: Vec<Value>,
    progress_tokens: Vec<Value>,
    edits: Vec<EditRecord>,
    closed: Option<String>,
    protocol_errors: Vec<String>,
}

struct Inner {
    state: Mutex<State>,
    changed: Condvar,
    docs: Mutex<HashMap<String, Doc>>,
    writer: Mutex<Option<ChildStdin>>,
    child: Mutex<Option<Child>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    next_id: AtomicI64,
    initialized: AtomicBool,
    encoding: Mutex<PositionEncoding>,
    server_capabilities: Mutex<Value>,
    settings: Mutex<Value>,
    apply_edit: Mutex<ApplyEditMode>,
    responder: Mutex<Option<Responder>>,
    trace: bool,
    timeout: Duration,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Inner {
    fn stderr_tail(&self) -> String {
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

    fn fail(&self, msg: String) -> ! {
        // Give a dying server a moment so its exit status and last words are in the report.
        thread::sleep(Duration::from_millis(50));
        panic!(
            "{msg}\n--- server: {}\n--- server stderr (tail):\n{}\n---",
            self.exit_status(),
            self.stderr_tail()
        );
    }

    fn send(&self, msg: &Value) {
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
    fn try_send(&self, msg: &Value) {
        if self.trace {
            eprintln!("[lsp-client] --> {msg}");
        }
        let bytes = encode_message(msg);
        if let Some(stdin) = lock(&self.writer).as_mut() {
            let _ = stdin.write_all(&bytes).and_then(|_| stdin.flush());
        }
    }

    fn notify_raw(&self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn start_request(&self, method: &str, params: Value) -> i64 {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        lock(&self.state).outstanding.insert(id);
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Waits until `check` returns Some, the server is gone, or the timeout passes.
    fn wait_until<T>(
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

    fn wait_response(&self, id: i64, method: &str, timeout: Duration) -> Result<Value, RpcError> {
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

    fn close(&self, reason: String) {
        let mut st = lock(&self.state);
        if st.closed.is_none() {
            st.closed = Some(reason);
        }
        drop(st);
        self.changed.notify_all();
    }

    fn protocol_error(&self, e: String) {
        eprintln!("[lsp-client] protocol error: {e}");
        lock(&self.state).protocol_errors.push(e);
        self.changed.notify_all();
    }

    fn dispatch(self: &Arc<Self>, msg: Value) {
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

    fn answer_server_request(&self, id: Value, method: &str, params: &Value) {
        let custom = {
            let r = lock(&self.responder);
            r.as_ref()
                .map(|f| catch_unwind(AssertUnwindSafe(|| f(method, params))))
        };
        let answer = match custom {
            Some(Ok(Some(a))) => Some(a),
            Some(Err(_)) => {
                self.protocol_error(format!("the test's responder panicked on `{method}`"));
                Some(Err(RpcError::new(-32603, "test responder panicked")))
            }
            _ => self.default_answer(method, params),
        };
        if let Some(answer) = answer {
            let msg = match answer {
                Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
                Err(e) => json!({"jsonrpc": "2.0", "id": id, "error": e.to_value()}),
            };
            self.try_send(&msg);
        }
    }

    fn default_answer(&self, method: &str, params: &Value) -> Option<Result<Value, RpcError>> {
        match method {
            "workspace/configuration" => {
                let settings = lock(&self.settings).clone();
                let items = params
                    .get("items")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let answers: Vec<Value> = items
                    .iter()
                    .map(|item| match item.get("section").and_then(Value::as_str) {
                        Some("chant") => settings.clone(),
                        Some(s) if s.starts_with("chant.") => {
                            let mut v = &settings;
                            for part in s["chant.".len()..].split('.') {
                                v = v.get(part).unwrap_or(&Value::Null);
                            }
                            v.clone()
                        }
                        None => json!({"chant": settings}),
                        _ => Value::Null,
                    })
                    .collect();
                Some(Ok(Value::Array(answers)))
            }
            "client/registerCapability" => {
                let regs = params
                    .get("registrations")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                lock(&self.state).registrations.extend(regs);
                self.changed.notify_all();
                Some(Ok(Value::Null))
            }
            "client/unregisterCapability" => {
                // The protocol spells it `unregisterations`.
                let gone: Vec<Value> = params
                    .get("unregisterations")
                    .or_else(|| params.get("unregistrations"))
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let ids: Vec<&Value> = gone.iter().filter_map(|u| u.get("id")).collect();
                lock(&self.state)
                    .registrations
                    .retain(|r| !ids.contains(&r.get("id").unwrap_or(&Value::Null)));
                self.changed.notify_all();
                Some(Ok(Value::Null))
            }
            "window/workDoneProgress/create" => {
                lock(&self.state)
                    .progress_tokens
                    .push(params.get("token").cloned().unwrap_or(Value::Null));
                self.changed.notify_all();
                Some(Ok(Value::Null))
            }
            "workspace/applyEdit" => self.answer_apply_edit(params),
            "window/showMessageRequest" => Some(Ok(params
                .get("actions")
                .and_then(Value::as_array)
                .and_then(|a| a.first().cloned())
                .unwrap_or(Value::Null))),
            "window/showDocument" => Some(Ok(json!({"success": true}))),
            "workspace/codeLens/refresh"
            | "workspace/inlayHint/refresh"
            | "workspace/diagnostic/refresh"
            | "workspace/semanticTokens/refresh"
            | "workspace/inlineValue/refresh"
            | "workspace/foldingRange/refresh" => Some(Ok(Value::Null)),
            _ => Some(Err(RpcError::method_not_found(method))),
        }
    }

    fn record_edit(&self, params: &Value, applied: bool, failure_reason: Option<String>) {
        lock(&self.state).edits.push(EditRecord {
            params: params.clone(),
            applied,
            failure_reason,
        });
        self.changed.notify_all();
    }

    fn answer_apply_edit(&self, params: &Value) -> Option<Result<Value, RpcError>> {
        let mode = *lock(&self.apply_edit);
        match mode {
            ApplyEditMode::Hang => {
                self.record_edit(
                    params,
                    false,
                    Some("not answered (ApplyEditMode::Hang)".into()),
                );
                None
            }
            ApplyEditMode::Reject => {
                let reason = "rejected by the test client (ApplyEditMode::Reject)".to_string();
                self.record_edit(params, false, Some(reason.clone()));
                Some(Ok(json!({"applied": false, "failureReason": reason})))
            }
            ApplyEditMode::ApplyAndAccept => {
                let edit = params.get("edit").cloned().unwrap_or(Value::Null);
                let result = self.apply_workspace_edit(&edit);
                let answer = match &result {
                    Ok(()) => json!({"applied": true}),
                    Err((idx, reason)) => {
                        let mut a = json!({"applied": false, "failureReason": reason});
                        if let Some(i) = idx {
                            a["failedChange"] = json!(i);
                        }
                        a
                    }
                };
                self.record_edit(params, result.is_ok(), result.err().map(|e| e.1));
                Some(Ok(answer))
            }
        }
    }

    /// Validates the whole edit on a scratch model first (nothing is applied if any text edit
    /// or resource operation would fail), then applies it: open buffers get a new version and
    /// a `didChange` to the server; other files are changed on disk.
    fn apply_workspace_edit(&self, edit: &Value) -> Result<(), (Option<usize>, String)> {
        let ops = parse_workspace_edit(edit).map_err(|e| (None, e))?;
        let enc = *lock(&self.encoding);
        let mut docs = lock(&self.docs);
        // Dry run.
        let mut scratch: HashMap<String, Entry> = HashMap::new();
        for (i, op) in ops.iter().enumerate() {
            dry_run(&docs, &mut scratch, op, enc).map_err(|e| (Some(i), e))?;
        }
        // Real run.
        for (i, op) in ops.iter().enumerate() {
            self.execute(&mut docs, op, enc).map_err(|e| (Some(i), e))?;
        }
        Ok(())
    }

    fn execute(
        &self,
        docs: &mut HashMap<String, Doc>,
        op: &Op,
        enc: PositionEncoding,
    ) -> Result<(), String> {
        match op {
            Op::Text { uri, edits, .. } => {
                let key = normalize_uri(uri);
                if let Some(doc) = docs.get_mut(&key) {
                    let (new_text, seq) = plan_text_edits(&doc.text, edits, enc)?;
                    doc.text = new_text;
                    doc.version += 1;
                    let changes: Vec<Value> = seq
                        .into_iter()
                        .map(|(r, t)| json!({"range": r, "text": t}))
                        .collect();
                    self.notify_raw(
                        "textDocument/didChange",
                        json!({"textDocument": {"uri": doc.uri, "version": doc.version},
                               "contentChanges": changes}),
                    );
                } else {
                    let path = uri_to_path(uri);
                    let text = fs::read_to_string(&path)
                        .map_err(|e| format!("read {}: {e}", path.display()))?;
                    let new_text = apply_text_edits(&text, edits, enc)?;
                    fs::write(&path, new_text)
                        .map_err(|e| format!("write {}: {e}", path.display()))?;
                }
            }
            Op::Create {
                uri,
                overwrite,
                ignore_if_exists,
            } => {
                let path = uri_to_path(uri);
                if path.exists() && !overwrite && *ignore_if_exists {
                    return Ok(());
                }
                if path.exists() && !overwrite {
                    return Err(format!("{} already exists", path.display()));
                }
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                }
                if path.is_dir() {
                    fs::remove_dir_all(&path).map_err(|e| e.to_string())?;
                }
                fs::write(&path, "").map_err(|e| format!("create {}: {e}", path.display()))?;
                if let Some(doc) = docs.get_mut(&normalize_uri(uri)) {
                    doc.text.clear();
                    doc.version += 1;
                    self.notify_raw(
                        "textDocument/didChange",
                        json!({"textDocument": {"uri": doc.uri, "version": doc.version},
                               "contentChanges": [{"text": ""}]}),
                    );
                }
            }
            Op::Rename {
                old,
                new,
                overwrite,
                ignore_if_exists,
            } => {
                let (from, to) = (uri_to_path(old), uri_to_path(new));
                if !from.exists() {
                    return Err(format!("rename: {} does not exist", from.display()));
                }
                if to.exists() {
                    if !overwrite && *ignore_if_exists {
                        return Ok(());
                    }
                    if !overwrite {
                        return Err(format!("rename: {} already exists", to.display()));
                    }
                    self.close_docs_under(docs, &to);
                    remove_path(&to)?;
                }
                if let Some(parent) = to.parent() {
                    fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                }
                fs::rename(&from, &to)
                    .map_err(|e| format!("rename {} -> {}: {e}", from.display(), to.display()))?;
                // Like an editor: documents open under the old name are closed and reopened
                // under the new one (version 1, same text).
                for doc in self.close_docs_under(docs, &from) {
                    let doc_path = uri_to_path(&doc.uri);
                    let rel = doc_path.strip_prefix(&from).unwrap_or(Path::new(""));
                    let new_path = if rel.as_os_str().is_empty() {
                        to.clone()
                    } else {
                        to.join(rel)
                    };
                    let new_uri = file_uri(&new_path);
                    let new_doc = Doc {
                        uri: new_uri.clone(),
                        language_id: doc.language_id,
                        text: doc.text,
                        version: 1,
                    };
                    self.notify_raw(
                        "textDocument/didOpen",
                        json!({"textDocument": {"uri": new_uri, "languageId": new_doc.language_id,
                                                "version": 1, "text": new_doc.text}}),
                    );
                    docs.insert(normalize_uri(&new_uri), new_doc);
                }
            }
            Op::Delete {
                uri,
                recursive,
                ignore_if_not_exists,
            } => {
                let path = uri_to_path(uri);
                if !path.exists() {
                    return if *ignore_if_not_exists {
                        Ok(())
                    } else {
                        Err(format!("delete: {} does not exist", path.display()))
                    };
                }
                if path.is_dir() && !recursive {
                    fs::remove_dir(&path).map_err(|e| format!("delete {}: {e}", path.display()))?;
                } else {
                    remove_path(&path)?;
                }
                self.close_docs_under(docs, &path);
            }
        }
        Ok(())
    }

    /// Closes (with `didClose`) every open document at or under `path`; returns them.
    fn close_docs_under(&self, docs: &mut HashMap<String, Doc>, path: &Path) -> Vec<Doc> {
        let keys: Vec<String> = docs
            .iter()
            .filter(|(_, d)| d.uri.starts_with("file://") && uri_to_path(&d.uri).starts_with(path))
            .map(|(k, _)| k.clone())
            .collect();
        let mut closed = Vec::new();
        for k in keys {
            let doc = docs.remove(&k).unwrap();
            self.notify_raw(
                "textDocument/didClose",
                json!({"textDocument": {"uri": doc.uri}}),
            );
            closed.push(doc);
        }
        closed
    }
}

fn remove_path(p: &Path) -> Result<(), String> {
    let r = if p.is_dir() {
        fs::remove_dir_all(p)
    } else {
        fs::remove_file(p)
    };
    r.map_err(|e| format!("delete {}: {e}", p.display()))
}

enum Op {
    Text {
        uri: String,
        version: Option<i64>,
        edits: Vec<Value>,
    },
    Create {
        uri: String,
        overwrite: bool,
        ignore_if_exists: bool,
    },
    Rename {
        old: String,
        new: String,
        overwrite: bool,
        ignore_if_exists: bool,
    },
    Delete {
        uri: String,
        recursive: bool,
        ignore_if_not_exists: bool,
    },
}

fn opt_flag(v: &Value, name: &str) -> bool {
    v.get("options")
        .and_then(|o| o.get(name))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn str_field(v: &Value, name: &str) -> Result<String, String> {
    v.get(name)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("missing `{name}` in {v}"))
}

fn parse_workspace_edit(edit: &Value) -> Result<Vec<Op>, String> {
    let mut ops = Vec::new();
    if let Some(changes) = edit.get("documentChanges") {
        let changes = changes
            .as_array()
            .ok_or("documentChanges is not an array")?;
        for c in changes {
            match c.get("kind").and_then(Value::as_str) {
                Some("create") => ops.push(Op::Create {
                    uri: str_field(c, "uri")?,
                    overwrite: opt_flag(c, "overwrite"),
                    ignore_if_exists: opt_flag(c, "ignoreIfExists"),
                }),
                Some("rename") => ops.push(Op::Rename {
                    old: str_field(c, "oldUri")?,
                    new: str_field(c, "newUri")?,
                    overwrite: opt_flag(c, "overwrite"),
                    ignore_if_exists: opt_flag(c, "ignoreIfExists"),
                }),
                Some("delete") => ops.push(Op::Delete {
                    uri: str_field(c, "uri")?,
                    recursive: opt_flag(c, "recursive"),
                    ignore_if_not_exists: opt_flag(c, "ignoreIfNotExists"),
                }),
                Some(k) => return Err(format!("unknown resource operation kind {k:?}")),
                None => {
                    let td = c
                        .get("textDocument")
                        .ok_or_else(|| format!("bad document change {c}"))?;
                    let edits = c
                        .get("edits")
                        .and_then(Value::as_array)
                        .ok_or_else(|| format!("text document edit without edits: {c}"))?;
                    ops.push(Op::Text {
                        uri: str_field(td, "uri")?,
                        version: td.get("version").and_then(Value::as_i64),
                        edits: edits.clone(),
                    });
                }
            }
        }
    } else if let Some(changes) = edit.get("changes") {
        let changes = changes.as_object().ok_or("changes is not an object")?;
        for (uri, edits) in changes {
            let edits = edits
                .as_array()
                .ok_or_else(|| format!("edits for {uri} are not an array"))?;
            ops.push(Op::Text {
                uri: uri.clone(),
                version: None,
                edits: edits.clone(),
            });
        }
    }
    Ok(ops)
}

#[derive(Clone)]
enum Entry {
    Missing,
    File(String),
    Dir,
}

fn lookup(
    docs: &HashMap<String, Doc>,
    scratch: &HashMap<String, Entry>,
    uri: &str,
) -> Result<Entry, String> {
    let key = normalize_uri(uri);
    if let Some(e) = scratch.get(&key) {
        return Ok(e.clone());
    }
    if let Some(d) = docs.get(&key) {
        return Ok(Entry::File(d.text.clone()));
    }
    let path = uri_to_path(uri);
    if path.is_dir() {
        Ok(Entry::Dir)
    } else if path.exists() {
        fs::read_to_string(&path)
            .map(Entry::File)
            .map_err(|e| format!("read {}: {e}", path.display()))
    } else {
        Ok(Entry::Missing)
    }
}

fn dry_run(
    docs: &HashMap<String, Doc>,
    scratch: &mut HashMap<String, Entry>,
    op: &Op,
    enc: PositionEncoding,
) -> Result<(), String> {
    match op {
        Op::Text {
            uri,
            version,
            edits,
        } => {
            let key = normalize_uri(uri);
            if let Some(v) = version {
                match docs.get(&key) {
                    Some(d) if d.version == *v => {}
                    Some(d) => {
                        return Err(format!(
                            "version mismatch for {uri}: the edit is for version {v}, the document is at version {}",
                            d.version
                        ))
                    }
                    None => {
                        return Err(format!(
                            "the edit is for version {v} of {uri}, which is not open (use version null for files that are not open)"
                        ))
                    }
                }
            }
            match lookup(docs, scratch, uri)? {
                Entry::File(text) => {
                    let new_text =
                        apply_text_edits(&text, edits, enc).map_err(|e| format!("{uri}: {e}"))?;
                    scratch.insert(key, Entry::File(new_text));
                }
                Entry::Dir => return Err(format!("text edit for a folder: {uri}")),
                Entry::Missing => {
                    return Err(format!("text edit for a file that does not exist: {uri}"))
                }
            }
        }
        Op::Create {
            uri,
            overwrite,
            ignore_if_exists,
        } => {
            let exists = !matches!(lookup(docs, scratch, uri)?, Entry::Missing);
            if exists && !overwrite {
                if *ignore_if_exists {
                    return Ok(());
                }
                return Err(format!("create: {uri} already exists"));
            }
            scratch.insert(normalize_uri(uri), Entry::File(String::new()));
        }
        Op::Rename {
            old,
            new,
            overwrite,
            ignore_if_exists,
        } => {
            let from = lookup(docs, scratch, old)?;
            if matches!(from, Entry::Missing) {
                return Err(format!("rename: {old} does not exist"));
            }
            if !matches!(lookup(docs, scratch, new)?, Entry::Missing) && !overwrite {
                if *ignore_if_exists {
                    return Ok(());
                }
                return Err(format!("rename: {new} already exists"));
            }
            scratch.insert(normalize_uri(old), Entry::Missing);
            scratch.insert(normalize_uri(new), from);
        }
        Op::Delete {
            uri,
            recursive,
            ignore_if_not_exists,
        } => match lookup(docs, scratch, uri)? {
            Entry::Missing if *ignore_if_not_exists => {}
            Entry::Missing => return Err(format!("delete: {uri} does not exist")),
            Entry::Dir if !recursive => {
                let p = uri_to_path(uri);
                let empty = fs::read_dir(&p)
                    .map(|mut d| d.next().is_none())
                    .unwrap_or(false);
                if !empty {
                    return Err(format!(
                        "delete: folder {uri} is not empty and recursive is not set"
                    ));
                }
                scratch.insert(normalize_uri(uri), Entry::Missing);
            }
            _ => {
                scratch.insert(normalize_uri(uri), Entry::Missing);
            }
        },
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

pub struct LspClient {
    inner: Arc<Inner>,
    opts: ClientOptions,
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
        self.inner.notify_raw("initialized", json!({}));
        self.inner.initialized.store(true, Ordering::SeqCst);
        self.initialize_result = Some(result.clone());
        result
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

    fn check_initialized(&self, what: &str) {
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

    // --- documents ---------------------------------------------------------------------------

    /// `didOpen` at version 1; the client keeps its own copy of the text.
    pub fn did_open(&self, uri: &str, language_id: &str, text: &str) {
        self.check_initialized("didOpen");
        let mut docs = lock(&self.inner.docs);
        let key = normalize_uri(uri);
        if docs.contains_key(&key) {
            drop(docs);
            panic!("did_open: {uri} is already open");
        }
        docs.insert(
            key,
            Doc {
                uri: uri.to_string(),
                language_id: language_id.to_string(),
                text: text.to_string(),
                version: 1,
            },
        );
        self.inner.notify_raw(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language_id, "version": 1, "text": text}}),
        );
    }

    /// Opens a file with its content on disk, as `markdown`.
    pub fn did_open_from_disk(&self, uri: &str) -> String {
        let path = uri_to_path(uri);
        let text =
            fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        self.did_open(uri, "markdown", &text);
        text
    }

    fn with_doc<T>(&self, uri: &str, what: &str, f: impl FnOnce(&mut Doc) -> T) -> T {
        let mut docs = lock(&self.inner.docs);
        match docs.get_mut(&normalize_uri(uri)) {
            Some(d) => f(d),
            None => {
                drop(docs);
                panic!("{what}: {uri} is not open");
            }
        }
    }

    /// Replaces the whole text (new version, full-text `didChange`).
    pub fn did_change_full(&self, uri: &str, text: &str) {
        self.check_initialized("didChange");
        self.with_doc(uri, "did_change_full", |doc| {
            doc.text = text.to_string();
            doc.version += 1;
            self.inner.notify_raw(
                "textDocument/didChange",
                json!({"textDocument": {"uri": doc.uri, "version": doc.version},
                       "contentChanges": [{"text": text}]}),
            );
        });
    }

    /// Incremental `didChange` with one new version: the changes are applied in order (each
    /// range refers to the text after the previous change), in the negotiated encoding.
    pub fn did_change(&self, uri: &str, changes: Vec<(Value, String)>) {
        self.check_initialized("didChange");
        let enc = self.encoding();
        self.with_doc(uri, "did_change", |doc| {
            let mut text = doc.text.clone();
            for (r, t) in &changes {
                text = apply_change(&text, r, t, enc)
                    .unwrap_or_else(|e| panic!("did_change on {uri}: bad range {r}: {e}\ntext: {text:?}"));
            }
            doc.text = text;
            doc.version += 1;
            let content: Vec<Value> = changes.iter().map(|(r, t)| json!({"range": r, "text": t})).collect();
            self.inner.notify_raw(
                "textDocument/didChange",
                json!({"textDocument": {"uri": doc.uri, "version": doc.version}, "contentChanges": content}),
            );
        });
    }

    /// Replaces the first occurrence of `needle` with `replacement` (one incremental change).
    pub fn replace_first(&self, uri: &str, needle: &str, replacement: &str) {
        let r = self.range_of(uri, needle);
        self.did_change(uri, vec![(r, replacement.to_string())]);
    }

    /// Like an editor's save: writes the buffer to disk (file URIs), then `didSave` (with the
    /// text when the server asked for `includeText`).
    pub fn did_save(&self, uri: &str) {
        self.check_initialized("didSave");
        let text = self.buffer(uri);
        if uri.starts_with("file://") {
            let p = uri_to_path(uri);
            fs::write(&p, &text).unwrap_or_else(|e| panic!("save {}: {e}", p.display()));
        }
        let caps = self.server_capabilities();
        let include = caps
            .pointer("/textDocumentSync/save/includeText")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let mut params = json!({"textDocument": {"uri": uri}});
        if include {
            params["text"] = json!(text);
        }
        self.inner.notify_raw("textDocument/didSave", params);
    }

    pub fn did_close(&self, uri: &str) {
        self.check_initialized("didClose");
        let mut docs = lock(&self.inner.docs);
        let Some(doc) = docs.remove(&normalize_uri(uri)) else {
            drop(docs);
            panic!("did_close: {uri} is not open");
        };
        self.inner.notify_raw(
            "textDocument/didClose",
            json!({"textDocument": {"uri": doc.uri}}),
        );
    }

    /// The client's copy of an open document (panics if not open).
    pub fn buffer(&self, uri: &str) -> String {
        self.with_doc(uri, "buffer", |d| d.text.clone())
    }

    /// The current version of an open document (panics if not open).
    pub fn version(&self, uri: &str) -> i64 {
        self.with_doc(uri, "version", |d| d.version)
    }

    pub fn is_open(&self, uri: &str) -> bool {
        lock(&self.inner.docs).contains_key(&normalize_uri(uri))
    }

    /// URIs of the open documents (as given to `did_open`).
    pub fn open_documents(&self) -> Vec<String> {
        lock(&self.inner.docs)
            .values()
            .map(|d| d.uri.clone())
            .collect()
    }

    /// Range (negotiated encoding) of the first occurrence of `needle` in the buffer.
    pub fn range_of(&self, uri: &str, needle: &str) -> Value {
        self.range_of_nth(uri, needle, 0)
    }

    /// Range of the `n`-th (0-based) occurrence of `needle` in the buffer.
    pub fn range_of_nth(&self, uri: &str, needle: &str, n: usize) -> Value {
        let text = self.buffer(uri);
        let enc = self.encoding();
        let start = text
            .match_indices(needle)
            .nth(n)
            .map(|(i, _)| i)
            .unwrap_or_else(|| panic!("{needle:?} (occurrence {n}) not found in {uri}:\n{text}"));
        json!({"start": pos_at(&text, start, enc), "end": pos_at(&text, start + needle.len(), enc)})
    }

    /// Start position of the first occurrence of `needle` in the buffer.
    pub fn position_of(&self, uri: &str, needle: &str) -> Value {
        self.range_of(uri, needle)["start"].clone()
    }

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
