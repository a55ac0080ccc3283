//! An incremental tree-sitter-md block tree for an open document, and the
//! Markdown outline derived from it (headings, sections, task items, code
//! blocks).
//!
//! Only the block grammar is used: inline trees do not survive incremental
//! reparsing reliably, and nothing here needs them. chant's own counting is
//! line-based (see `spec::body`); this tree serves structure (symbols,
//! folding) and shows where Markdown and chant read a spec differently.

use tree_sitter::{InputEdit, Node, Parser, Point, Tree};

use crate::text::TextRange;

pub struct MarkdownTree {
    parser: Parser,
    tree: Option<Tree>,
    /// Edits mirrored since the last parse; the tree is stale until reparsed.
    dirty: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MarkdownOutline {
    pub frontmatter: Option<TextRange>,
    pub headings: Vec<Heading>,
    pub task_items: Vec<TaskItem>,
    pub code_blocks: Vec<CodeBlock>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    /// The heading line.
    pub range: TextRange,
    /// The heading and everything up to the next heading of the same or a
    /// higher level.
    pub section: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskItem {
    /// The `[ ]` / `[x]` marker.
    pub marker: TextRange,
    pub checked: bool,
    /// The list marker character: `-`, `*`, `+`, `.` or `)`.
    pub bullet: char,
    pub item: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    pub range: TextRange,
    /// '`' or '~' for fenced blocks, ' ' for indented ones.
    pub fence: char,
}

fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_md::LANGUAGE.into())
        .expect("tree-sitter-md matches the tree-sitter version");
    parser
}

impl MarkdownTree {
    pub fn new(text: &str) -> Self {
        let mut parser = new_parser();
        let tree = parser.parse(text, None);
        MarkdownTree {
            parser,
            tree,
            dirty: false,
        }
    }

    /// No tree yet: the next [`Self::reparse`] builds one.
    pub fn empty() -> Self {
        MarkdownTree {
            parser: new_parser(),
            tree: None,
            dirty: true,
        }
    }

    /// Mirror one text edit into the tree so the next parse can reuse it.
    pub fn edit(&mut self, edit: &InputEdit) {
        if let Some(tree) = &mut self.tree {
            tree.edit(edit);
        }
        self.dirty = true;
    }

    /// Reparse after edits, reusing the unchanged parts of the old tree.
    pub fn reparse(&mut self, text: &str) {
        if !self.dirty && self.tree.is_some() {
            return;
        }
        self.tree = self.parser.parse(text, self.tree.as_ref());
        self.dirty = false;
    }

    pub fn tree(&self) -> Option<&Tree> {
        self.tree.as_ref()
    }

    /// The outline of `text`, which must be the text the tree was last parsed from.
    pub fn outline(&self, text: &str) -> MarkdownOutline {
        let mut outline = MarkdownOutline::default();
        if let Some(tree) = &self.tree {
            collect(tree.root_node(), text, &mut outline);
        }
        let end = text.len();
        // A heading's section runs to the next heading of the same or a higher level.
        let starts: Vec<(u8, usize)> = outline
            .headings
            .iter()
            .map(|h| (h.level, h.range.start))
            .collect();
        for (i, heading) in outline.headings.iter_mut().enumerate() {
            let stop = starts[i + 1..]
                .iter()
                .find(|(level, _)| *level <= heading.level)
                .map_or(end, |(_, at)| *at);
            heading.section = heading.range.start..trim_end_at(text, stop);
        }
        outline
    }
}

/// A fresh, non-incremental parse: the reference the incremental tree must match.
pub fn parse_fresh(text: &str) -> MarkdownTree {
    MarkdownTree::new(text)
}

/// Where a point moves to after `text` is inserted at it.
pub fn advance(mut point: Point, text: &str) -> Point {
    match text.rfind('\n') {
        Some(last) => {
            point.row += text.bytes().filter(|&b| b == b'\n').count();
            point.column = text.len() - last - 1;
        }
        None => point.column += text.len(),
    }
    point
}

/// `end`, moved back over trailing whitespace.
fn trim_end_at(text: &str, end: usize) -> usize {
    text[..end].trim_end().len()
}

fn collect(node: Node, text: &str, out: &mut MarkdownOutline) {
    // Iterative walk: a hostile document can nest block quotes deeply.
    let mut cursor = node.walk();
    loop {
        let node = cursor.node();
        let mut descend = true;
        match node.kind() {
            "minus_metadata" => {
                out.frontmatter = Some(node.byte_range());
                descend = false;
            }
            "atx_heading" => {
                out.headings.push(atx_heading(node, text));
                descend = false;
            }
            "setext_heading" => {
                out.headings.push(setext_heading(node, text));
                descend = false;
            }
            "fenced_code_block" => {
                let fence = text[node.byte_range()]
                    .trim_start()
                    .chars()
                    .next()
                    .unwrap_or('`');
                out.code_blocks.push(CodeBlock {
                    range: line_range(text, node.byte_range()),
                    fence,
                });
                descend = false;
            }
            "indented_code_block" => {
                out.code_blocks.push(CodeBlock {
                    range: line_range(text, node.byte_range()),
                    fence: ' ',
                });
                descend = false;
            }
            "list_item" => {
                if let Some(item) = task_item(node, text) {
                    out.task_items.push(item);
                }
            }
            _ => {}
        }
        if descend && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

fn atx_heading(node: Node, text: &str) -> Heading {
    let mut level = 1;
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if let Some(n) = child
            .kind()
            .strip_prefix("atx_h")
            .and_then(|k| k.strip_suffix("_marker"))
        {
            level = n.parse().unwrap_or(1);
        }
    }
    let line = line_range(text, node.byte_range());
    let raw = text[line.clone()].trim();
    let title = raw.trim_start_matches('#').trim();
    let title = title.trim_end_matches('#').trim_end();
    Heading {
        level,
        text: title.to_string(),
        range: line.clone(),
        section: line,
    }
}

fn setext_heading(node: Node, text: &str) -> Heading {
    let raw = &text[node.byte_range()];
    let level = if raw.trim_end().ends_with('=') { 1 } else { 2 };
    let first_line = raw.lines().next().unwrap_or("").trim().to_string();
    let line = line_range(text, node.byte_range());
    Heading {
        level,
        text: first_line,
        range: line.clone(),
        section: line,
    }
}

fn task_item(item: Node, text: &str) -> Option<TaskItem> {
    let mut cursor = item.walk();
    let mut bullet = None;
    let mut marker = None;
    for child in item.children(&mut cursor) {
        match child.kind() {
            "list_marker_minus" => bullet = Some('-'),
            "list_marker_star" => bullet = Some('*'),
            "list_marker_plus" => bullet = Some('+'),
            "list_marker_dot" => bullet = Some('.'),
            "list_marker_parenthesis" => bullet = Some(')'),
            "task_list_marker_checked" => marker = Some((child.byte_range(), true)),
            "task_list_marker_unchecked" => marker = Some((child.byte_range(), false)),
            "paragraph" => {
                // The marker may sit inside the item's first paragraph.
                let mut c = child.walk();
                for grandchild in child.children(&mut c) {
                    match grandchild.kind() {
                        "task_list_marker_checked" => {
                            marker = Some((grandchild.byte_range(), true))
                        }
                        "task_list_marker_unchecked" => {
                            marker = Some((grandchild.byte_range(), false))
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let (marker, checked) = marker?;
    Some(TaskItem {
        marker,
        checked,
        bullet: bullet.unwrap_or('-'),
        item: line_range(text, item.byte_range()),
    })
}

/// The range without its trailing line break(s).
fn line_range(text: &str, range: TextRange) -> TextRange {
    let trimmed = text[range.clone()].trim_end_matches(['\n', '\r']);
    range.start..range.start + trimmed.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Row and byte column of `offset`, counting `\n` as tree-sitter does.
    fn point_at(text: &str, offset: usize) -> Point {
        advance(Point { row: 0, column: 0 }, &text[..offset])
    }

    /// The `InputEdit` for replacing `old` bytes at `start` with `new_text`, given
    /// the text before the edit.
    fn input_edit(before: &str, start: usize, old_end: usize, new_text: &str) -> InputEdit {
        let start_position = point_at(before, start);
        let old_end_position = point_at(before, old_end);
        let new_end_byte = start + new_text.len();
        let new_end_position = advance(start_position, new_text);
        InputEdit {
            start_byte: start,
            old_end_byte: old_end,
            new_end_byte,
            start_position,
            old_end_position,
            new_end_position,
        }
    }

    const SPEC: &str = "---\ntype: code\n---\n# Title\n\nIntro\n\n## Acceptance Criteria\n\n- [ ] one\n* [x] two\n\n~~~\n- [ ] in tilde\n~~~\n\n### Notes\n\ntext\n";

    #[test]
    fn outline_of_a_spec() {
        let tree = MarkdownTree::new(SPEC);
        let o = tree.outline(SPEC);
        assert_eq!(o.frontmatter, Some(0..19));
        let heads: Vec<_> = o
            .headings
            .iter()
            .map(|h| (h.level, h.text.as_str()))
            .collect();
        assert_eq!(
            heads,
            [(1, "Title"), (2, "Acceptance Criteria"), (3, "Notes")]
        );
        assert_eq!(o.headings[0].section.end, SPEC.trim_end().len());
        let tasks: Vec<_> = o
            .task_items
            .iter()
            .map(|t| (&SPEC[t.marker.clone()], t.checked, t.bullet))
            .collect();
        assert_eq!(tasks, [("[ ]", false, '-'), ("[x]", true, '*')]);
        assert_eq!(o.code_blocks.len(), 1);
        assert_eq!(o.code_blocks[0].fence, '~');
    }

    #[test]
    fn incremental_edit_matches_fresh_parse() {
        let mut tree = MarkdownTree::new(SPEC);
        let at = SPEC.find("- [ ] one").unwrap() + 3;
        let mut text = SPEC.to_string();
        tree.edit(&input_edit(&text, at, at + 1, "x"));
        text.replace_range(at..at + 1, "x");
        tree.reparse(&text);
        assert_eq!(tree.outline(&text), MarkdownTree::new(&text).outline(&text));
        assert!(tree.outline(&text).task_items[0].checked);
    }
}
