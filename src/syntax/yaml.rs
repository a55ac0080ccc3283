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

/// Frontmatters larger than this are outlined entry by entry (see
/// [`large_outline`]): tree-sitter-yaml costs 2 to 3 µs per byte of dense
/// YAML, which would put a 64 KB frontmatter at 150 ms.
const LARGE_YAML: usize = 16 * 1024;

/// Past this size, an entry's value is kept opaque in a large frontmatter.
const LARGE_ENTRY: usize = 4 * 1024;

/// Outline of YAML that starts at offset `base` of its file; every range in
/// the result is an offset into that file.
pub fn outline_at(source: &str, base: usize) -> YamlOutline {
    if indent_levels(source) > MAX_INDENT_LEVELS {
        return shallow_outline(source, base);
    }
    if source.len() > LARGE_YAML {
        return large_outline(source, base);
    }
    tree_outline(source, base)
}

/// The outline from one tree-sitter parse of the whole YAML.
fn tree_outline(source: &str, base: usize) -> YamlOutline {
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

/// A large frontmatter, in time linear in its size: its top-level entries are
/// found line by line; a one-line scalar value is read directly, any other
/// value up to [`LARGE_ENTRY`] bytes gets its own tree-sitter parse, and a
/// larger one is kept opaque (diagnostics about it then sit on its entry).
/// YAML that is not a block mapping of keys at column 0 gets the shallow
/// outline.
fn large_outline(source: &str, base: usize) -> YamlOutline {
    // (key line start, key end) of each top-level entry.
    let mut starts: Vec<(usize, usize)> = Vec::new();
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let content = line.trim_end();
        let at_column_0 = !content.is_empty() && !content.starts_with([' ', '\t', '#']);
        if at_column_0 {
            match top_level_key(content) {
                Some(colon) => starts.push((offset, offset + colon)),
                None => return shallow_outline(source, base),
            }
        }
        offset += line.len();
    }
    let mut outline = YamlOutline::default();
    for (i, &(start, colon)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(source.len(), |(next, _)| *next);
        let end = trimmed_end(source, start, end);
        let text = &source[start..end];
        let first_line_end = text.find('\n').map_or(end, |n| start + n);
        let one_line = first_line_end == end;
        let key = source[start..colon].trim();
        let simple = one_line
            .then(|| simple_value(source, colon + 1, end))
            .flatten();
        let entry = match simple {
            Some(value) => Some(YamlEntry {
                key: unquote_key(key),
                key_range: base + start..base + start + key.len(),
                range: base + start..base + value.as_ref().map_or(colon + 1, |v| v.range.end),
                value: value.map(|v| YamlNode {
                    range: base + v.range.start..base + v.range.end,
                    kind: v.kind,
                }),
            }),
            None if text.len() <= LARGE_ENTRY => {
                let mut sub = tree_outline(text, base + start);
                outline.errors.append(&mut sub.errors);
                sub.entries.into_iter().next()
            }
            None => {
                let value_start = colon + 1 + leading_spaces(&source[colon + 1..end]);
                if let Some(list) = simple_sequence(source, value_start, end) {
                    outline.entries.push(YamlEntry {
                        key: unquote_key(key),
                        key_range: base + start..base + start + key.len(),
                        value: Some(shifted(list, base)),
                        range: base + start..base + end,
                    });
                    continue;
                }
                Some(YamlEntry {
                    key: unquote_key(key),
                    key_range: base + start..base + start + key.len(),
                    value: Some(YamlNode {
                        range: base + value_start..base + end,
                        kind: YamlKind::Other,
                    }),
                    range: base + start..base + end,
                })
            }
        };
        outline.entries.extend(entry);
    }
    outline
}

/// The byte where a `key:` line's colon is, when the line starts a
/// top-level entry (a plain or quoted key, then `:` and a space or the end).
fn top_level_key(line: &str) -> Option<usize> {
    if line.starts_with([
        '-', '?', '[', '{', '&', '*', '!', '|', '>', '%', '@', '`', ':',
    ]) {
        return None;
    }
    let colon = if let Some(quote) = line.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let close = line[1..].find(quote)? + 1;
        line[close + 1..].starts_with(':').then_some(close + 1)?
    } else {
        line.match_indices(':')
            .map(|(i, _)| i)
            .find(|i| line[i + 1..].is_empty() || line[i + 1..].starts_with([' ', '\t']))?
    };
    Some(colon)
}

fn unquote_key(key: &str) -> String {
    if key.starts_with('\'') {
        unquote_single(key)
    } else if key.starts_with('"') {
        unquote_double(key)
    } else {
        key.to_string()
    }
}

fn leading_spaces(text: &str) -> usize {
    text.len() - text.trim_start_matches([' ', '\t']).len()
}

/// The value of a one-line entry from `from` to `end` when it is a plain
/// or quoted scalar (or nothing): `Some(None)` for no value, `None` when
/// the value needs the YAML grammar (flow collections, anchors, tags,
/// block scalars...).
fn simple_value(source: &str, from: usize, end: usize) -> Option<Option<YamlNode>> {
    let start = from + leading_spaces(&source[from..end]);
    let rest = &source[start..end];
    if rest.is_empty() || rest.starts_with('#') {
        return Some(None);
    }
    if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
        // The closing quote, then nothing but a comment.
        let close = if quote == '\'' {
            let mut i = 1;
            loop {
                let at = rest[i..].find('\'')? + i;
                if rest[at + 1..].starts_with('\'') {
                    i = at + 2;
                } else {
                    break at;
                }
            }
        } else {
            let mut escaped = false;
            rest.char_indices()
                .skip(1)
                .find(|&(_, c)| {
                    let closes = c == '"' && !escaped;
                    escaped = c == '\\' && !escaped;
                    closes
                })?
                .0
        };
        let after = rest[close + 1..].trim_start_matches([' ', '\t']);
        if !(after.is_empty() || after.starts_with('#')) {
            return None;
        }
        let raw = &rest[..close + 1];
        let (text, style) = if quote == '\'' {
            (unquote_single(raw), ScalarStyle::SingleQuoted)
        } else {
            (unquote_double(raw), ScalarStyle::DoubleQuoted)
        };
        return Some(Some(YamlNode {
            range: start..start + raw.len(),
            kind: YamlKind::Scalar(Scalar { text, style }),
        }));
    }
    if rest.starts_with([
        '[', '{', '&', '*', '!', '|', '>', '%', '@', '`', '-', '?', ':', ',', ']', '}',
    ]) {
        return None;
    }
    // A plain scalar ends at ` #` (a comment); `: ` inside would be a mapping.
    let value = rest.find(" #").map_or(rest, |n| &rest[..n]).trim_end();
    if value.contains(": ") || value.ends_with(':') || value.contains('\t') {
        return None;
    }
    Some(Some(YamlNode {
        range: start..start + value.len(),
        kind: YamlKind::Scalar(Scalar {
            text: value.to_string(),
            style: ScalarStyle::Plain,
        }),
    }))
}

/// A node with every range moved by `base`.
fn shifted(mut node: YamlNode, base: usize) -> YamlNode {
    node.range = node.range.start + base..node.range.end + base;
    if let YamlKind::Sequence { items, .. } = &mut node.kind {
        for item in items.iter_mut() {
            *item = shifted(item.clone(), base);
        }
    }
    node
}

/// A large list value read without the grammar, when it has the simple
/// shapes lists take in specs: a flow list on one line (`[a, 'b', {c: 1}]`)
/// or a block list of one-line items. Items that are not plain or quoted
/// scalars are kept opaque, with their ranges. None for anything else.
fn simple_sequence(source: &str, start: usize, end: usize) -> Option<YamlNode> {
    let text = &source[start..end];
    if text.starts_with('[') && !text.contains('\n') {
        return flow_sequence(source, start, end);
    }
    // A block list: the value starts on the next line, every line an item.
    let first_break = text.find('\n')?;
    if !text[..first_break].trim().is_empty() && !text[..first_break].trim_start().starts_with('#')
    {
        return None;
    }
    let mut items = Vec::new();
    let mut offset = start + first_break + 1;
    let mut indent = None;
    for line in source[offset..end].split_inclusive('\n') {
        let content = line.trim_end();
        let here = leading_spaces(content);
        let rest = &content[here..];
        if rest.is_empty() || rest.starts_with('#') {
            offset += line.len();
            continue;
        }
        if *indent.get_or_insert(here) != here || !(rest == "-" || rest.starts_with("- ")) {
            return None;
        }
        let dash = offset + here;
        let item = match simple_value(source, dash + 1, offset + content.len()) {
            Some(Some(node)) => node,
            Some(None) => YamlNode {
                range: dash + 1..dash + 1,
                kind: YamlKind::Scalar(Scalar {
                    text: String::new(),
                    style: ScalarStyle::Plain,
                }),
            },
            None => {
                let from = dash + 1 + leading_spaces(&rest[1..]);
                YamlNode {
                    range: from..offset + content.len(),
                    kind: YamlKind::Other,
                }
            }
        };
        items.push(item);
        offset += line.len();
    }
    let first = items.first()?.range.start;
    Some(YamlNode {
        range: source[..first].rfind('-').unwrap_or(first)..end,
        kind: YamlKind::Sequence { items, flow: false },
    })
}

/// `[a, 'b', {c: 1}]` on one line: items split at the commas of the
/// outermost brackets, quotes respected.
fn flow_sequence(source: &str, start: usize, end: usize) -> Option<YamlNode> {
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut items = Vec::new();
    let mut item_start = start + 1;
    let mut close = None;
    let mut i = start;
    while i < end {
        let b = bytes[i];
        match (quote, b) {
            (Some(b'\''), b'\'') if bytes.get(i + 1) == Some(&b'\'') => i += 1,
            (Some(b'"'), b'\\') => i += 1,
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, b'[' | b'{') => depth += 1,
            (None, b']' | b'}') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    items.push(item_start..i);
                    close = Some(i);
                    break;
                }
            }
            (None, b',') if depth == 1 => {
                items.push(item_start..i);
                item_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let close = close?;
    let after = source[close + 1..end].trim_start_matches([' ', '\t']);
    if !(after.is_empty() || after.starts_with('#')) {
        return None;
    }
    let mut nodes = Vec::new();
    let last = items.len() - 1;
    for (n, range) in items.into_iter().enumerate() {
        let from = range.start + leading_spaces(&source[range.clone()]);
        let to = trimmed_end(source, from, range.end);
        if from == to {
            // `[]`, or a trailing comma: no item.
            if n == last {
                continue;
            }
            return None;
        }
        let node = match simple_value(source, from, to) {
            Some(Some(node)) if node.range.end == to => node,
            _ => YamlNode {
                range: from..to,
                kind: YamlKind::Other,
            },
        };
        nodes.push(node);
    }
    Some(YamlNode {
        range: start..close + 1,
        kind: YamlKind::Sequence {
            items: nodes,
            flow: true,
        },
    })
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

    /// A large frontmatter's outline is the one tree-sitter gives for every
    /// entry up to the size where values go opaque.
    #[test]
    fn large_frontmatters_are_outlined_like_small_ones() {
        let entry = "status: pending\ntype: 'code' # kind\nmodel: \"a\\\"b\"\nlabels: [a, b]\ndepends_on:\n  - x\n  - 'y'\napproval:\n  required: true\nempty:\nprompt: standard # the default\n";
        let mut big = String::new();
        while big.len() <= LARGE_YAML {
            big.push_str(entry);
        }
        let large = outline_at(&big, 7);
        let small = tree_outline(&big, 7);
        assert_eq!(large.entries.len(), small.entries.len());
        assert_eq!(large, small);
        assert!(large.errors.is_empty());
    }

    #[test]
    fn large_lists_keep_their_items() {
        let mut flow = String::from("depends_on: [");
        let mut block = String::from("target_files:\n");
        for i in 0..LARGE_ENTRY {
            flow.push_str(&format!("'a{i}', {{b: 1}}, "));
            block.push_str(&format!("  - f{i}.md\n  - [x]\n"));
        }
        flow.push_str("c]\n");
        let yaml = format!("{flow}{block}status: pending\n");
        let outline = outline_at(&yaml, 0);
        let items = outline.entries[0].value.as_ref().unwrap().items();
        assert_eq!(items.len(), 2 * LARGE_ENTRY + 1);
        assert_eq!(&yaml[items[0].range.clone()], "'a0'");
        assert_eq!(items[0].as_scalar().unwrap().text, "a0");
        assert_eq!(&yaml[items[1].range.clone()], "{b: 1}");
        assert_eq!(items[1].kind, YamlKind::Other);
        assert_eq!(items.last().unwrap().as_scalar().unwrap().text, "c");
        let items = outline.entries[1].value.as_ref().unwrap().items();
        assert_eq!(items.len(), 2 * LARGE_ENTRY);
        assert_eq!(&yaml[items[0].range.clone()], "f0.md");
        assert_eq!(&yaml[items[1].range.clone()], "[x]");
        assert_eq!(outline.entries[2].key, "status");
        // The same list, small enough for tree-sitter, has the same items.
        let small = "depends_on: ['a0', {b: 1}, c]\n";
        let items: Vec<TextRange> = tree_outline(small, 0).entries[0]
            .value
            .as_ref()
            .unwrap()
            .items()
            .iter()
            .map(|i| i.range.clone())
            .collect();
        let fast: Vec<TextRange> = flow_sequence(small, 12, small.len() - 1)
            .unwrap()
            .items()
            .iter()
            .map(|i| i.range.clone())
            .collect();
        assert_eq!(items, fast);
    }

    #[test]
    fn huge_values_go_opaque_and_non_mappings_shallow() {
        let mut big = String::from("labels:\n  a: [");
        while big.len() <= LARGE_YAML {
            big.push_str("{a: 1}, ");
        }
        big.push_str("x]\nstatus: opne\n");
        let outline = outline_at(&big, 0);
        let keys: Vec<&str> = outline.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["labels", "status"]);
        assert_eq!(
            outline.entries[0].value.as_ref().unwrap().kind,
            YamlKind::Other
        );
        assert_eq!(
            outline.entries[1]
                .value
                .as_ref()
                .unwrap()
                .as_scalar()
                .unwrap()
                .text,
            "opne"
        );
        let mut list = String::from("- a\n");
        while list.len() <= LARGE_YAML {
            list.push_str("- b\n");
        }
        assert!(outline_at(&list, 0).entries.is_empty());
    }

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
