//! Open documents: text in a rope, edits applied in arrival order, each one
//! mirrored into the Markdown tree so reparsing stays incremental.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};
use tree_sitter::{InputEdit, Point};

use super::convert::rope_offset;
use crate::syntax::markdown::{advance, MarkdownTree};
use crate::text::PositionEncoding;
use crate::workspace::{classify, ChantFile};

/// Edits kept for the Markdown tree before it is rebuilt instead.
const MAX_PENDING_EDITS: usize = 10_000;

pub struct Document {
    /// The URI exactly as the client sent it (diagnostics go back to it).
    pub uri: Uri,
    pub path: Option<PathBuf>,
    pub kind: ChantFile,
    pub version: i32,
    pub rope: Rope,
    /// Bumped by every change; analysis results for an older generation are dropped.
    pub generation: u64,
    /// Edits not yet applied to the Markdown tree, in order.
    pending_edits: Vec<InputEdit>,
    /// Replaced text wholesale (a full-text change): the tree must be rebuilt.
    needs_fresh_tree: bool,
    /// The incremental tree; touched only under `tree_lock`.
    pub markdown: Arc<Mutex<MarkdownTree>>,
    /// Serialises updates of the tree, so Markdown edits are applied in order.
    pub tree_lock: Arc<tokio::sync::Mutex<()>>,
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
        let path = uri.to_file_path().map(|p| p.into_owned());
        let kind = path.as_deref().map_or(ChantFile::Other, classify);
        Document {
            uri,
            path,
            kind,
            version,
            rope: Rope::from_str(text),
            generation: 0,
            pending_edits: Vec::new(),
            needs_fresh_tree: false,
            markdown: Arc::new(Mutex::new(MarkdownTree::new(text))),
            tree_lock: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    pub fn is_spec(&self) -> bool {
        matches!(self.kind, ChantFile::Spec { .. })
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
                    let start = rope_offset(&self.rope, range.start, encoding);
                    let end = rope_offset(&self.rope, range.end, encoding).max(start);
                    self.replace(start, end, &change.text);
                }
                None => {
                    self.rope = Rope::from_str(&change.text);
                    self.pending_edits.clear();
                    self.needs_fresh_tree = true;
                }
            }
        }
        self.version = version;
        self.generation += 1;
        outcome
    }

    fn replace(&mut self, start: usize, end: usize, new_text: &str) {
        let start_position = point(&self.rope, start);
        let old_end_position = point(&self.rope, end);
        let start_char = self.rope.byte_to_char(start);
        let end_char = self.rope.byte_to_char(end);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, new_text);
        if self.pending_edits.len() >= MAX_PENDING_EDITS {
            // Nobody asked for the tree in a long while: rebuild it when
            // someone does, rather than keep every edit.
            self.pending_edits.clear();
            self.needs_fresh_tree = true;
        }
        if !self.needs_fresh_tree {
            self.pending_edits.push(InputEdit {
                start_byte: start,
                old_end_byte: end,
                new_end_byte: start + new_text.len(),
                start_position,
                old_end_position,
                new_end_position: advance(start_position, new_text),
            });
        }
    }

    /// Take the edits the Markdown tree has not seen, and whether it must be
    /// rebuilt from scratch instead.
    pub fn take_tree_work(&mut self) -> TreeWork {
        let fresh = std::mem::take(&mut self.needs_fresh_tree);
        TreeWork {
            edits: std::mem::take(&mut self.pending_edits),
            fresh,
        }
    }
}

/// Edits to bring a Markdown tree up to date with a text snapshot.
pub struct TreeWork {
    pub edits: Vec<InputEdit>,
    pub fresh: bool,
}

impl TreeWork {
    /// Mirror the edits and reparse incrementally (or rebuild).
    pub fn apply(self, tree: &mut MarkdownTree, text: &str) {
        if self.fresh {
            *tree = MarkdownTree::new(text);
            return;
        }
        for edit in &self.edits {
            tree.edit(edit);
        }
        tree.reparse(text);
    }
}

/// tree-sitter's point (rows split at `\n` only, byte columns) of an offset.
fn point(rope: &Rope, offset: usize) -> Point {
    let mut row = 0;
    let mut last_newline_end = 0;
    let mut consumed = 0;
    for chunk in rope.byte_slice(..offset).chunks() {
        for (i, b) in chunk.bytes().enumerate() {
            if b == b'\n' {
                row += 1;
                last_newline_end = consumed + i + 1;
            }
        }
        consumed += chunk.len();
    }
    Point {
        row,
        column: offset - last_newline_end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::markdown::parse_fresh;
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

    #[test]
    fn edits_apply_in_order_and_keep_the_tree_in_step() {
        let uri: Uri = "file:///w/.chant/specs/a.md".parse().unwrap();
        let mut doc = Document::open(uri, 1, "# T\n\n## Acceptance Criteria\n\n- [ ] 😀 one\n");
        assert!(doc.is_spec());
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
        let text = doc.rope.to_string();
        assert_eq!(
            text,
            "# T\n\n## Acceptance Criteria\n\n- [x] 🎉 one\n- [ ] two\n"
        );
        let work = doc.take_tree_work();
        let tree = doc.markdown.clone();
        let mut tree = tree.lock().unwrap();
        work.apply(&mut tree, &text);
        assert_eq!(tree.outline(&text), parse_fresh(&text).outline(&text));
    }

    #[test]
    fn stale_versions_are_reported() {
        let uri: Uri = "file:///w/README.md".parse().unwrap();
        let mut doc = Document::open(uri, 5, "a");
        assert!(!doc.is_spec());
        let outcome = doc.apply_changes(5, vec![change(0, 1, 0, 1, "b")], PositionEncoding::Utf8);
        assert_eq!(outcome, ChangeOutcome::VersionNotIncreasing { previous: 5 });
        assert_eq!(doc.rope.to_string(), "ab");
    }
}

#[cfg(test)]
mod incremental_matches_fresh {
    //! Property: any sequence of edits, applied incrementally (rope and
    //! Markdown tree), ends in the same text, tree and outline as a fresh parse.

    use super::*;
    use crate::syntax::markdown::parse_fresh;
    use crate::text::LineIndex;
    use proptest::prelude::*;
    use tower_lsp_server::ls_types::{Position, Range};

    const PIECES: &[&str] = &[
        "---\n",
        "type: code\n",
        "status: pending\n",
        "# Title 😀\n",
        "## Acceptance Criteria\n",
        "- [ ] item\n",
        "- [x] done 中文\n",
        "* [ ] star\n",
        "```\n",
        "~~~\n",
        "\r\n",
        "\n",
        "text ",
        "x",
        "é",
        "🎉",
        "### Sub\n",
        "> quote\n",
        "1. [ ] num\n",
        "    indented\n",
        "",
    ];

    fn text_strategy() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES), 0..25).prop_map(|p| p.concat())
    }

    /// (start fraction, delete length, inserted pieces)
    fn edits_strategy() -> impl Strategy<Value = Vec<(f64, usize, Vec<&'static str>)>> {
        prop::collection::vec(
            (
                0.0..=1.0f64,
                0usize..12,
                prop::collection::vec(prop::sample::select(PIECES), 0..3),
            ),
            1..30,
        )
    }

    fn boundary(text: &str, mut at: usize) -> usize {
        at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]
        #[test]
        fn random_edits(initial in text_strategy(), edits in edits_strategy()) {
            let uri: Uri = "file:///w/.chant/specs/p.md".parse().unwrap();
            let mut doc = Document::open(uri, 1, &initial);
            let mut expected = initial.clone();
            let mut version = 1;
            for (fraction, delete, insert) in edits {
                let start = boundary(&expected, (fraction * expected.len() as f64) as usize);
                let mut end = boundary(&expected, start + delete);
                // Never split a CRLF: LSP has no position between its two bytes.
                if end > 0 && end < expected.len() && expected.as_bytes()[end - 1] == b'\r' && expected.as_bytes()[end] == b'\n' {
                    end += 1;
                }
                let start = if start > 0 && start < expected.len() && expected.as_bytes()[start - 1] == b'\r' && expected.as_bytes()[start] == b'\n' { start - 1 } else { start };
                let new_text = insert.concat();
                let index = LineIndex::new(&expected);
                let to_pos = |offset: usize| {
                    let p = index.position(&expected, offset, PositionEncoding::Utf16);
                    Position { line: p.line, character: p.col }
                };
                let change = TextDocumentContentChangeEvent {
                    range: Some(Range { start: to_pos(start), end: to_pos(end) }),
                    range_length: None,
                    text: new_text.clone(),
                };
                version += 1;
                doc.apply_changes(version, vec![change], PositionEncoding::Utf16);
                expected.replace_range(start..end, &new_text);
                // Reparse now and then, as debounced analyses do.
                if version % 3 == 0 {
                    let work = doc.take_tree_work();
                    let tree = doc.markdown.clone();
                    work.apply(&mut tree.lock().unwrap(), &expected);
                }
            }
            let text = doc.rope.to_string();
            prop_assert_eq!(&text, &expected);
            let work = doc.take_tree_work();
            let tree = doc.markdown.clone();
            let mut tree = tree.lock().unwrap();
            work.apply(&mut tree, &text);
            let fresh = parse_fresh(&text);
            prop_assert_eq!(
                tree.tree().unwrap().root_node().to_sexp(),
                fresh.tree().unwrap().root_node().to_sexp()
            );
            prop_assert_eq!(tree.outline(&text), fresh.outline(&text));
        }
    }
}
