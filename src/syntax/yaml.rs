//! The frontmatter's shape with ranges: keys, values and list items, read
//! from a tree-sitter-yaml tree. Tolerant of half-typed YAML: pairs inside
//! error nodes are still found, so ranges stay useful while the user types.
//!
//! This says nothing about what chant accepts; `spec::frontmatter` decides
//! that with the same YAML engine chant uses.

use std::cell::RefCell;

use tree_sitter::{Node, Parser};

use crate::text::TextRange;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct YamlOutline {
    /// Top-level entries, in file order (duplicates kept).
    pub entries: Vec<YamlEntry>,
    /// Ranges the YAML grammar could not make sense of.
    pub errors: Vec<TextRange>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlEntry {
    pub key: String,
    pub key_range: TextRange,
    pub value: Option<YamlNode>,
    /// From the key to the end of the value.
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlNode {
    pub range: TextRange,
    pub kind: YamlKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YamlKind {
    Scalar(Scalar),
    Sequence {
        items: Vec<YamlNode>,
        flow: bool,
    },
    Mapping {
        entries: Vec<YamlEntry>,
        flow: bool,
    },
    /// Block scalars (`|`, `>`), aliases and anything else kept opaque.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    /// The value with quotes removed and escapes resolved.
    pub text: String,
    pub style: ScalarStyle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
}

impl YamlOutline {
    pub fn entry(&self, key: &str) -> Option<&YamlEntry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

impl YamlNode {
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            YamlKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn items(&self) -> &[YamlNode] {
        match &self.kind {
            YamlKind::Sequence { items, .. } => items,
            _ => &[],
        }
    }

    pub fn entries(&self) -> &[YamlEntry] {
        match &self.kind {
            YamlKind::Mapping { entries, .. } => entries,
            _ => &[],
        }
    }

    /// The range of the text a scalar holds, inside its quotes.
    pub fn content_range(&self) -> TextRange {
        match &self.kind {
            YamlKind::Scalar(Scalar {
                style: ScalarStyle::Plain,
                ..
            }) => self.range.clone(),
            YamlKind::Scalar(_) if self.range.len() >= 2 => {
                self.range.start + 1..self.range.end - 1
            }
            _ => self.range.clone(),
        }
    }
}

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new({
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_yaml::LANGUAGE.into())
            .expect("tree-sitter-yaml matches the tree-sitter version");
        parser
    });
}

/// Indentation levels beyond which tree-sitter-yaml's scanner state no
/// longer fits its 1 KB buffer: past about 250 it aborts the process.
const MAX_INDENT_LEVELS: usize = 150;

/// Outline of `text[range]`; every range in the result is an offset into `text`.
pub fn outline(text: &str, range: TextRange) -> YamlOutline {
    outline_at(&text[range.clone()], range.start)
}

/// Outline of YAML that starts at offset `base` of its file; every range in
/// the result is an offset into that file.
pub fn outline_at(source: &str, base: usize) -> YamlOutline {
    if indent_levels(source) > MAX_INDENT_LEVELS {
        return shallow_outline(source, base);
    }
    let Some(tree) = PARSER.with(|p| p.borrow_mut().parse(source, None)) else {
        return YamlOutline::default();
    };
    let mut reader = Reader {
        source,
        base,
        errors: Vec::new(),
    };
    let mut entries = Vec::new();
    reader.collect_top_level(tree.root_node(), &mut entries, 0);
    YamlOutline {
        entries,
        errors: reader.errors,
    }
}

/// The deepest stack of indentation levels the YAML opens (each deeper
/// indent, and each `- ` that starts a nested sequence, is one level).
fn indent_levels(source: &str) -> usize {
    let mut stack: Vec<usize> = Vec::new();
    let mut deepest = 0;
    for line in source.lines() {
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let column = line.len() - content.len();
        while stack.last().is_some_and(|&top| top > column) {
            stack.pop();
        }
        if stack.last() != Some(&column) {
            stack.push(column);
        }
        let mut rest = content;
        let mut extra = 0;
        while let Some(after) = rest.strip_prefix("- ").or_else(|| rest.strip_prefix("? ")) {
            extra += 1;
            rest = after.trim_start_matches(' ');
        }
        deepest = deepest.max(stack.len() + extra);
    }
    deepest
}

/// Top-level keys only, read line by line: for YAML too deep for the
/// tree-sitter grammar. Values are kept opaque.
fn shallow_outline(source: &str, base: usize) -> YamlOutline {
    let mut entries: Vec<YamlEntry> = Vec::new();
    let mut offset = 0;
    let close = |entry: &mut YamlEntry, end: usize| {
        entry.range.end = entry
            .range
            .end
            .max(trimmed_end(source, entry.range.start, end));
        if let Some(value) = &mut entry.value {
            value.range.end = entry.range.end.max(value.range.start);
        }
    };
    for line in source.split_inclusive('\n') {
        let content = line.trim_end();
        let starts_key = !content.starts_with([' ', '\t', '-', '#']) && !content.is_empty();
        if let (true, Some(colon)) = (starts_key, content.find(':')) {
            if let Some(last) = entries.last_mut() {
                close(last, offset);
            }
            let after = &content[colon + 1..];
            let value_start = offset + colon + 1 + (after.len() - after.trim_start().len());
            entries.push(YamlEntry {
                key: content[..colon].trim().to_string(),
                key_range: offset..offset + colon,
                value: Some(YamlNode {
                    range: value_start..offset + content.len(),
                    kind: YamlKind::Other,
                }),
                range: offset..offset + content.len(),
            });
        }
        offset += line.len();
    }
    if let Some(last) = entries.last_mut() {
        close(last, source.len());
    }
    for entry in &mut entries {
        entry.key_range = entry.key_range.start + base..entry.key_range.end + base;
        entry.range = entry.range.start + base..entry.range.end + base;
        if let Some(value) = &mut entry.value {
            value.range = value.range.start + base..value.range.end + base;
        }
    }
    YamlOutline {
        entries,
        errors: Vec::new(),
    }
}

fn trimmed_end(text: &str, start: usize, end: usize) -> usize {
    start + text[start..end].trim_end().len()
}

struct Reader<'s> {
    source: &'s str,
    base: usize,
    errors: Vec<TextRange>,
}

/// Deep enough for any real frontmatter; deeper nesting is kept opaque so
/// hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

impl<'s> Reader<'s> {
    fn abs(&self, node: Node) -> TextRange {
        self.base + node.start_byte()..self.base + node.end_byte()
    }

    fn text(&self, node: Node) -> &'s str {
        &self.source[node.byte_range()]
    }

    /// Finds the top-level mapping pairs, looking through the document
    /// wrappers and through error nodes.
    fn collect_top_level(&mut self, node: Node, out: &mut Vec<YamlEntry>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        if node.is_error() || node.is_missing() {
            self.errors.push(self.abs(node));
        }
        match node.kind() {
            "block_mapping_pair" | "flow_pair" => {
                if let Some(entry) = self.entry(node, depth) {
                    out.push(entry);
                }
            }
            "stream" | "document" | "block_node" | "block_mapping" | "flow_node"
            | "flow_mapping" | "ERROR" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.children(&mut cursor).collect();
                let mut i = 0;
                while i < children.len() {
                    let child = children[i];
                    // Inside an error node a pair may appear as loose
                    // `flow_node ":" value` siblings.
                    if node.is_error()
                        && child.kind() == "flow_node"
                        && children.get(i + 1).is_some_and(|c| c.kind() == ":")
                    {
                        let value = children.get(i + 2).filter(|c| is_value(c.kind()));
                        out.push(self.loose_entry(child, value.copied(), depth));
                        i += if value.is_some() { 3 } else { 2 };
                        continue;
                    }
                    self.collect_top_level(child, out, depth + 1);
                    i += 1;
                }
            }
            _ => self.note_errors(node, depth),
        }
    }

    fn note_errors(&mut self, node: Node, depth: usize) {
        if depth > MAX_DEPTH || !node.has_error() {
            return;
        }
        if node.is_error() || node.is_missing() {
            self.errors.push(self.abs(node));
            return;
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            self.note_errors(child, depth + 1);
        }
    }

    fn entry(&mut self, pair: Node, depth: usize) -> Option<YamlEntry> {
        let key = pair.child_by_field_name("key")?;
        let value = pair.child_by_field_name("value");
        if pair.has_error() {
            self.note_errors(pair, depth);
        }
        Some(self.make_entry(key, value, self.abs(pair), depth))
    }

    fn loose_entry(&mut self, key: Node, value: Option<Node>, depth: usize) -> YamlEntry {
        let end = value.map_or(key.end_byte() + 1, |v| v.end_byte());
        let range = self.base + key.start_byte()..self.base + end;
        self.make_entry(key, value, range, depth)
    }

    fn make_entry(
        &mut self,
        key: Node,
        value: Option<Node>,
        range: TextRange,
        depth: usize,
    ) -> YamlEntry {
        let key_node = self.node(key, depth + 1);
        let key_text = match &key_node.kind {
            YamlKind::Scalar(s) => s.text.clone(),
            _ => self.text(key).to_string(),
        };
        YamlEntry {
            key: key_text,
            key_range: key_node.range,
            value: value.map(|v| self.node(v, depth + 1)),
            range,
        }
    }

    fn node(&mut self, node: Node, depth: usize) -> YamlNode {
        // Block collections end at the start of the next line: trim that.
        let raw = self.abs(node);
        let range = raw.start..raw.start + self.source[node.byte_range()].trim_end().len();
        if depth > MAX_DEPTH {
            return YamlNode {
                range,
                kind: YamlKind::Other,
            };
        }
        let kind = match node.kind() {
            "flow_node" | "block_node" => {
                // Skip tags and anchors: the content is the last named child.
                let mut cursor = node.walk();
                let content = node
                    .named_children(&mut cursor)
                    .filter(|c| !matches!(c.kind(), "tag" | "anchor" | "comment"))
                    .last();
                return match content {
                    Some(inner) => self.node(inner, depth + 1),
                    None => YamlNode {
                        range,
                        kind: YamlKind::Other,
                    },
                };
            }
            "plain_scalar" => YamlKind::Scalar(Scalar {
                text: self.text(node).trim().to_string(),
                style: ScalarStyle::Plain,
            }),
            "single_quote_scalar" => YamlKind::Scalar(Scalar {
                text: unquote_single(self.text(node)),
                style: ScalarStyle::SingleQuoted,
            }),
            "double_quote_scalar" => YamlKind::Scalar(Scalar {
                text: unquote_double(self.text(node)),
                style: ScalarStyle::DoubleQuoted,
            }),
            "block_sequence" | "flow_sequence" => {
                let flow = node.kind() == "flow_sequence";
                let mut items = Vec::new();
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    match child.kind() {
                        "block_sequence_item" => {
                            let mut c = child.walk();
                            let inner = child.named_children(&mut c).find(|n| is_value(n.kind()));
                            items.push(match inner {
                                Some(inner) => self.node(inner, depth + 1),
                                // A `- ` with nothing after it yet: an empty item at the dash.
                                None => {
                                    let at = self.base + child.end_byte();
                                    YamlNode {
                                        range: at..at,
                                        kind: YamlKind::Scalar(Scalar {
                                            text: String::new(),
                                            style: ScalarStyle::Plain,
                                        }),
                                    }
                                }
                            });
                        }
                        "flow_node" => items.push(self.node(child, depth + 1)),
                        "flow_pair" => items.push(YamlNode {
                            range: self.abs(child),
                            kind: YamlKind::Other,
                        }),
                        "ERROR" => self.errors.push(self.abs(child)),
                        _ => {}
                    }
                }
                YamlKind::Sequence { items, flow }
            }
            "block_mapping" | "flow_mapping" => {
                let flow = node.kind() == "flow_mapping";
                let mut entries = Vec::new();
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    if matches!(child.kind(), "block_mapping_pair" | "flow_pair") {
                        if let Some(e) = self.entry(child, depth + 1) {
                            entries.push(e);
                        }
                    }
                }
                YamlKind::Mapping { entries, flow }
            }
            _ => YamlKind::Other,
        };
        YamlNode { range, kind }
    }
}

fn is_value(kind: &str) -> bool {
    matches!(kind, "flow_node" | "block_node")
}

fn unquote_single(raw: &str) -> String {
    let inner = raw.strip_prefix('\'').unwrap_or(raw);
    let inner = inner.strip_suffix('\'').unwrap_or(inner);
    inner.replace("''", "'")
}

fn unquote_double(raw: &str) -> String {
    let inner = raw.strip_prefix('"').unwrap_or(raw);
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    if !inner.contains('\\') {
        return inner.to_string();
    }
    // Let the YAML engine resolve escapes; fall back to the raw text.
    serde_yaml_ng::from_str::<String>(raw).unwrap_or_else(|_| inner.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outline_of(text: &str) -> YamlOutline {
        outline(text, 0..text.len())
    }

    #[test]
    fn keys_values_and_items_with_ranges() {
        let text = "type: code\ndepends_on:\n  - a\n  - \"b c\"\nlabels: [x, 'y''s']\napproval:\n  status: approved\n";
        let o = outline_of(text);
        let keys: Vec<_> = o.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["type", "depends_on", "labels", "approval"]);
        let deps = o.entry("depends_on").unwrap().value.as_ref().unwrap();
        let items: Vec<_> = deps
            .items()
            .iter()
            .map(|i| i.as_scalar().unwrap().text.as_str())
            .collect();
        assert_eq!(items, ["a", "b c"]);
        assert_eq!(&text[deps.items()[1].range.clone()], "\"b c\"");
        assert_eq!(&text[deps.items()[1].content_range()], "b c");
        let labels = o.entry("labels").unwrap().value.as_ref().unwrap();
        assert!(matches!(labels.kind, YamlKind::Sequence { flow: true, .. }));
        assert_eq!(labels.items()[1].as_scalar().unwrap().text, "y's");
        let approval = o.entry("approval").unwrap().value.as_ref().unwrap();
        assert_eq!(approval.entries()[0].key, "status");
        assert!(o.errors.is_empty());
    }

    #[test]
    fn half_typed_yaml_still_has_entries() {
        let text = "type: code\nstatus: \ninformed_by:\n  - \nlab";
        let o = outline_of(text);
        let keys: Vec<_> = o.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(&keys[..3], ["type", "status", "informed_by"]);
        assert!(o.entry("status").unwrap().value.is_none());
        let items = o
            .entry("informed_by")
            .unwrap()
            .value
            .as_ref()
            .unwrap()
            .items()
            .to_vec();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].range, 36..36);
    }

    #[test]
    fn offsets_are_relative_to_the_whole_text() {
        let text = "---\nstatus: done\n---\n";
        let o = outline(text, 3..17);
        let value = o.entry("status").unwrap().value.as_ref().unwrap();
        assert_eq!(&text[value.range.clone()], "done");
    }

    #[test]
    fn block_nesting_too_deep_for_the_grammar_gets_a_shallow_outline() {
        let mut text = String::from("status: pending\nextra:\n");
        for i in 0..300 {
            text.push_str(&format!("{}k{i}:\n", " ".repeat(i + 1)));
        }
        text.push_str("labels: [a]\n");
        let o = outline_of(&text);
        let keys: Vec<_> = o.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["status", "extra", "labels"]);
        assert_eq!(
            &text[o.entries[0].value.as_ref().unwrap().range.clone()],
            "pending"
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let text = format!("a: {}{}\n", "[".repeat(5000), "]".repeat(5000));
        let o = outline_of(&text);
        assert_eq!(o.entries.len(), 1);
    }
}
