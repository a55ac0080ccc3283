//! Applying a `WorkspaceEdit` as an editor does: validated whole on a scratch copy first
//! (versions, ranges, resource operations), then applied to open buffers (with a
//! `didChange` to the server) and to files on disk.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use serde_json::{json, Value};

use super::positions::PositionEncoding;
use super::state::{lock, Doc, Inner};
use super::text_edits::{apply_text_edits, plan_text_edits};
use super::workspace::{file_uri, normalize_uri, uri_to_path};

impl Inner {
    /// Validates the whole edit on a scratch model first (nothing is applied if any text edit
    /// or resource operation would fail), then applies it: open buffers get a new version and
    /// a `didChange` to the server; other files are changed on disk.
    pub(super) fn apply_workspace_edit(&self, edit: &Value) -> Result<(), (Option<usize>, String)> {
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
