//! The editor-like mirror of open documents: open, change (full or incremental, in the
//! negotiated encoding), save, close, and positions of text in a buffer.

use std::fs;

use serde_json::{json, Value};

use super::client::LspClient;
use super::positions::pos_at;
use super::state::{lock, Doc};
use super::text_edits::apply_change;
use super::workspace::{normalize_uri, uri_to_path};

impl LspClient {
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

    /// Applies a `WorkspaceEdit` as an editor does when the user picks a code action that
    /// carries one: the same way as `workspace/applyEdit` (validated whole, then open
    /// buffers changed with a `didChange`, other files on disk).
    pub fn apply_edit(&self, edit: &Value) -> Result<(), String> {
        self.inner
            .apply_workspace_edit(edit)
            .map_err(|(at, why)| match at {
                Some(i) => format!("change {i}: {why}"),
                None => why,
            })
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
}
