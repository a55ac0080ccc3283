//! Open documents: their text (`workspace::Buffer`, edits applied in
//! arrival order), the version and publication state the protocol needs,
//! and the latest analysis beside the text.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::analysis;
use crate::spec::SpecModel;
use crate::text::{text_hash, LineCol, PositionEncoding};
use crate::workspace::buffer::{Buffer, TreeWork};
use crate::workspace::Project;
use crate::workspace::{classify, ChantFile};

/// The analysis of one version of an open spec.
pub struct Analysed {
    /// The document it was computed for (a document closed and opened
    /// again is another one).
    pub instance: u64,
    /// The document generation it was computed for (text and facts).
    pub generation: u64,
    pub version: i32,
    pub text: Arc<String>,
    pub model: Arc<SpecModel>,
    /// What the user sees (codes they switched off are dropped).
    pub diagnostics: Arc<Vec<analysis::Diagnostic>>,
    pub project: Arc<Project>,
}

/// Documents are keyed by file path when they have one, so `file:///C%3A/x`
/// and `file:///c:/x` meet; other URIs by their text.
pub fn doc_key(uri: &Uri) -> String {
    match super::convert::uri_path(uri) {
        Some(path) => path_key(&path),
        None => uri.as_str().to_string(),
    }
}

/// The key of the document of a file path: the path itself, or for a path
/// that is not UTF-8 its bytes spelt out, so two such files never share a
/// key (a lossy spelling would give `a\xff` and `a\xfe` the same one).
pub fn path_key(path: &std::path::Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    match path.to_str() {
        Some(text) => text.to_string(),
        None => format!("\0bytes:{:02x?}", path.as_os_str().as_bytes()),
    }
}

pub struct Document {
    /// The URI exactly as the client sent it (diagnostics go back to it).
    pub uri: Uri,
    pub path: Option<PathBuf>,
    pub kind: ChantFile,
    pub version: i32,
    pub text: Buffer,
    /// Unique per opening (set when the document is added to `Documents`).
    pub instance: u64,
    /// Bumped by every change; results for an older generation are stale.
    pub generation: u64,
    /// The latest analysis (of some generation; check before use).
    pub analysis: Option<Arc<Analysed>>,
    /// The generation whose diagnostics were last published.
    pub published: Option<u64>,
    /// What the client was last sent by push: (version, result ID, an
    /// early analysis made before the index was ready).
    pub delivered: Option<(i32, u64, bool)>,
    /// What the client was last answered by pull: (version, result ID).
    pub pulled: Option<(i32, u64)>,
    /// When the text last changed (to tell a first keystroke from typing).
    pub last_change: Option<std::time::Instant>,
    /// When the diagnostics are due to be published; Some while a
    /// publisher task is scheduled for this document.
    pub publish_due: Option<std::time::Instant>,
    /// Hash of the text the buffer had when it was opened or last saved:
    /// a version of the file it is known to have held, which a chant run
    /// may use as the base of a merge when the disk still has it.
    pub clean_hash: u64,
    /// Serialises analyses of this document (a request and the scheduler
    /// never compute the same generation twice).
    pub analysis_lock: Arc<tokio::sync::Mutex<()>>,
}

/// What a change did that the caller should know about.
#[derive(Debug, PartialEq, Eq)]
pub enum ChangeOutcome {
    Applied,
    /// The version did not increase; the edits were still applied, in order.
    VersionNotIncreasing {
        previous: i32,
    },
}

impl Document {
    pub fn open(uri: Uri, version: i32, text: &str) -> Document {
        let path = super::convert::uri_path(&uri);
        let kind = path.as_deref().map_or(ChantFile::Other, classify);
        Document {
            uri,
            path,
            kind,
            version,
            text: Buffer::new(text),
            instance: 0,
            generation: 0,
            analysis: None,
            published: None,
            delivered: None,
            pulled: None,
            last_change: None,
            publish_due: None,
            clean_hash: text_hash(text),
            analysis_lock: Arc::default(),
        }
    }

    pub fn is_spec(&self) -> bool {
        matches!(self.kind, ChantFile::Spec { .. })
    }

    /// The current analysis, if it is of the current text.
    pub fn current_analysis(&self) -> Option<Arc<Analysed>> {
        self.analysis
            .clone()
            .filter(|a| a.instance == self.instance && a.generation == self.generation)
    }

    /// Apply one `didChange` notification's edits, in order.
    pub fn apply_changes(
        &mut self,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: PositionEncoding,
    ) -> ChangeOutcome {
        let outcome = if version <= self.version {
            ChangeOutcome::VersionNotIncreasing {
                previous: self.version,
            }
        } else {
            ChangeOutcome::Applied
        };
        for change in changes {
            match change.range {
                Some(range) => {
                    let at = |p: tower_lsp_server::ls_types::Position| {
                        let at = LineCol {
                            line: p.line,
                            col: p.character,
                        };
                        self.text.offset(at, encoding)
                    };
                    let start = at(range.start);
                    let end = at(range.end).max(start);
                    self.text.replace(start..end, &change.text);
                }
                None => self.text.set(&change.text),
            }
        }
        self.version = version;
        self.generation += 1;
        outcome
    }

    /// What bringing the Markdown tree up to date takes (specs only).
    pub fn take_tree_work(&mut self) -> Option<TreeWork> {
        let spec = self.is_spec();
        self.text.take_tree_work(spec)
    }
}

/// The open documents, behind one lock that is held only for the
/// microseconds an edit or a snapshot takes, never across an await.
#[derive(Default)]
pub struct Documents {
    map: Mutex<HashMap<String, Document>>,
    openings: std::sync::atomic::AtomicU64,
}

impl Documents {
    /// Add an opened document (replacing any with the same key) as a new
    /// instance, so nothing computed for an earlier opening applies to it.
    pub fn open(&self, key: String, mut doc: Document) {
        doc.instance = self
            .openings
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        self.with(|docs| docs.insert(key, doc));
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut HashMap<String, Document>) -> R) -> R {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut map)
    }

    /// The files of the open specs.
    pub fn open_spec_paths(&self) -> Vec<PathBuf> {
        self.with(|docs| {
            docs.values()
                .filter(|d| d.is_spec())
                .filter_map(|d| d.path.clone())
                .collect()
        })
    }

    /// One document, if open.
    pub fn with_doc<R>(&self, key: &str, f: impl FnOnce(&mut Document) -> R) -> Option<R> {
        self.with(|docs| docs.get_mut(key).map(f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::markdown::{parse_fresh, MarkdownOutline};
    use tower_lsp_server::ls_types::{Position, Range};

    fn change(l1: u32, c1: u32, l2: u32, c2: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position {
                    line: l1,
                    character: c1,
                },
                end: Position {
                    line: l2,
                    character: c2,
                },
            }),
            range_length: None,
            text: text.into(),
        }
    }

    fn outline(doc: &mut Document) -> MarkdownOutline {
        let text = doc.text.rope().to_string();
        doc.take_tree_work().unwrap().outline(&text)
    }

    #[test]
    fn edits_apply_in_order_and_keep_the_tree_in_step() {
        let uri: Uri = "file:///w/.chant/specs/a.md".parse().unwrap();
        let mut doc = Document::open(uri, 1, "# T\n\n## Acceptance Criteria\n\n- [ ] 😀 one\n");
        assert!(doc.is_spec());
        outline(&mut doc);
        let outcome = doc.apply_changes(
            2,
            vec![
                change(4, 3, 4, 4, "x"),
                change(4, 6, 4, 8, "🎉"),
                change(5, 0, 5, 0, "- [ ] two\n"),
            ],
            PositionEncoding::Utf16,
        );
        assert_eq!(outcome, ChangeOutcome::Applied);
        let text = doc.text.rope().to_string();
        assert_eq!(
            text,
            "# T\n\n## Acceptance Criteria\n\n- [x] 🎉 one\n- [ ] two\n"
        );
        assert_eq!(outline(&mut doc), parse_fresh(&text).outline(&text));
    }

    #[test]
    fn stale_versions_are_reported_and_other_files_get_no_tree() {
        let uri: Uri = "file:///w/README.md".parse().unwrap();
        let mut doc = Document::open(uri, 5, "a");
        assert!(!doc.is_spec());
        let outcome = doc.apply_changes(5, vec![change(0, 1, 0, 1, "b")], PositionEncoding::Utf8);
        assert_eq!(outcome, ChangeOutcome::VersionNotIncreasing { previous: 5 });
        assert_eq!(doc.text.rope().to_string(), "ab");
        assert!(doc.take_tree_work().is_none());
    }

    #[test]
    fn lone_carriage_returns_are_tracked() {
        let uri: Uri = "file:///w/.chant/specs/a.md".parse().unwrap();
        let mut doc = Document::open(uri, 1, "a\r\nb\n");
        assert!(!doc.text.may_hold_lone_cr());
        doc.apply_changes(2, vec![change(1, 1, 1, 1, "\r\n")], PositionEncoding::Utf8);
        assert!(!doc.text.may_hold_lone_cr());
        // Deleting the `\n` of a CRLF leaves a lone `\r`.
        doc.apply_changes(3, vec![change(0, 1, 1, 0, "\r")], PositionEncoding::Utf8);
        assert_eq!(doc.text.rope().to_string(), "a\rb\r\n\n");
        assert!(doc.text.may_hold_lone_cr());
    }
}
