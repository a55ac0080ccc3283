//! What the cursor is on in a spec: a frontmatter key, a field value (a
//! scalar, a block list item, a flow list item), or body text. Read from the
//! lines around the cursor, so it works while the YAML is half typed.

use crate::spec::SpecModel;
use crate::syntax::layout::LayoutNote;
use crate::text::TextRange;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// Writing a field name. `parent` is set inside a map (`approval:`).
    Key {
        token: TextRange,
        parent: Option<String>,
    },
    /// In the value of `field` (`approval.status` for nested fields).
    Value(ValueToken),
    /// In the body, on `token` (a run of ID-like characters, maybe empty).
    Body {
        token: TextRange,
    },
    Nothing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueToken {
    pub field: String,
    /// The whole token, quotes included.
    pub token: TextRange,
    /// The token's text without quotes.
    pub content: TextRange,
    pub quote: Option<char>,
    /// Inside a list (block `- ` item or flow `[...]`), not a plain scalar.
    pub in_list: bool,
    pub flow: bool,
}

/// Where the frontmatter is for editing purposes: chant's YAML range, or,
/// while the closing `---` is not typed yet, the lines after the opening one
/// up to the first heading.
pub fn frontmatter_region(text: &str, model: &SpecModel) -> Option<TextRange> {
    if let Some(block) = &model.layout.frontmatter {
        return Some(block.yaml.clone());
    }
    let opening = model.layout.notes.iter().find_map(|n| match n {
        LayoutNote::Unclosed { opening } => Some(opening.clone()),
        _ => None,
    })?;
    let start = opening.end;
    let end = text[start..]
        .match_indices('\n')
        .map(|(i, _)| start + i + 1)
        .find(|&line| text[line..].starts_with('#'))
        .unwrap_or(text.len());
    Some(start..end)
}

pub fn cursor_at(text: &str, model: &SpecModel, offset: usize) -> Cursor {
    let offset = offset.min(text.len());
    if let Some(region) = frontmatter_region(text, model) {
        // `region.start` is the end of the opening `---`, which is not YAML.
        if offset > region.start && offset <= region.end {
            return in_frontmatter(text, region, offset);
        }
    }
    if offset >= model.layout.body.start || model.layout.frontmatter.is_none() {
        return Cursor::Body {
            token: id_token(text, offset),
        };
    }
    Cursor::Nothing
}

fn line_bounds(text: &str, offset: usize) -> TextRange {
    let start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let end = text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| offset + i);
    start..end
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

fn in_frontmatter(text: &str, region: TextRange, offset: usize) -> Cursor {
    // Only the YAML part of the line: chant's YAML may start on the line of
    // the opening `---` (`---status: x`) and end inside a line.
    let mut line = line_bounds(text, offset);
    line.start = line.start.max(region.start);
    line.end = line.end.min(region.end).max(line.start);
    let line_text = &text[line.clone()];
    let indent = indent_of(line_text);
    let before = &text[line.start..offset];
    let trimmed_before = before.trim_start();

    // A block list item: `- value` (at any indent, chant writes them at 0).
    if let Some(rest) = trimmed_before
        .strip_prefix('-')
        .filter(|r| r.is_empty() || r.starts_with(' '))
    {
        let _ = rest;
        let Some(field) = parent_key(text, &region, line.start, indent, true) else {
            return Cursor::Nothing;
        };
        let dash = line.start + indent;
        let value_start = skip_spaces(text, dash + 1, line.end);
        let token = around(
            offset,
            value_start,
            trim_end_at(text, value_start, line.end),
        );
        return Cursor::Value(value_token(text, field, token, true, false));
    }

    // `key: value`: the cursor is after the colon.
    if let Some(colon) = key_colon(line_text) {
        let colon_at = line.start + colon;
        if offset > colon_at {
            let key = line_text[indent..colon].trim().to_string();
            let field = if indent > 0 {
                match parent_key(text, &region, line.start, indent, false) {
                    Some(parent) => format!("{parent}.{key}"),
                    None => key,
                }
            } else {
                key
            };
            let value_start = skip_spaces(text, colon_at + 1, line.end);
            if text[value_start..line.end].starts_with('[') {
                let token = flow_item(text, value_start + 1, line.end, offset);
                return Cursor::Value(value_token(text, field, token, true, true));
            }
            let token = around(
                offset,
                value_start,
                trim_end_at(text, value_start, line.end),
            );
            return Cursor::Value(value_token(text, field, token, false, false));
        }
    }

    // A continued flow list on its own line (`  b, c]`).
    if let Some(field) = open_flow_list(text, &region, line.start) {
        let token = flow_item(text, line.start, line.end, offset);
        return Cursor::Value(value_token(text, field, token, true, true));
    }

    // Otherwise a key being typed (top level, or inside a map when indented).
    let token_start = line.start + indent;
    let token_end = line_text.find(':').map_or(line.end, |c| line.start + c);
    if offset < token_start {
        return Cursor::Key {
            token: offset..offset,
            parent: None,
        };
    }
    let parent = (indent > 0)
        .then(|| parent_key(text, &region, line.start, indent, false))
        .flatten();
    Cursor::Key {
        token: token_start..token_end.max(offset),
        parent,
    }
}

/// The colon that ends a key on this line (outside quotes), if any.
fn key_colon(line: &str) -> Option<usize> {
    let trimmed = line.trim_start();
    if trimmed.starts_with(['-', '#', '"', '\'']) {
        return None;
    }
    let colon = line.find(':')?;
    let key = line[..colon].trim();
    (!key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
    .then_some(colon)
}

/// The key that owns a line at `indent`: the nearest line above with a
/// smaller indent (or, for chant's unindented list items, the same indent)
/// that is a `key:` line.
fn parent_key(
    text: &str,
    region: &TextRange,
    line_start: usize,
    indent: usize,
    item: bool,
) -> Option<String> {
    let mut end = line_start;
    while end > region.start {
        let start = text[..end.saturating_sub(1)]
            .rfind(['\n', '\r'])
            .map_or(0, |i| i + 1)
            .max(region.start);
        let line = &text[start..end.saturating_sub(1).max(start)];
        end = start;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let line_indent = indent_of(line);
        let is_item = line.trim_start().starts_with('-');
        if (line_indent < indent || (item && line_indent == indent && !is_item)) && !is_item {
            let colon = key_colon(line)?;
            return Some(line[line_indent..colon].trim().to_string());
        }
        if line_indent < indent && is_item {
            return None;
        }
    }
    None
}

/// A `key: [a, b,` line above whose bracket is still open.
fn open_flow_list(text: &str, region: &TextRange, line_start: usize) -> Option<String> {
    let before = &text[region.start..line_start];
    let mut depth = 0i32;
    for (i, c) in before.char_indices().rev() {
        match c {
            ']' => depth += 1,
            '[' if depth == 0 => {
                let line_start = before[..i].rfind('\n').map_or(0, |n| n + 1);
                let line = &before[line_start..i];
                let colon = key_colon(line)?;
                return Some(line[..colon].trim().to_string());
            }
            '[' => depth -= 1,
            '\n' if depth == 0
                && before[i + 1..]
                    .trim_start()
                    .starts_with(|c: char| c.is_alphanumeric()) =>
            {
                // A new key started after the last bracket: no open list.
                let next = before[i + 1..].trim_start();
                if key_colon(next.lines().next().unwrap_or("")).is_some() {
                    return None;
                }
            }
            _ => {}
        }
    }
    None
}

/// The flow-list item around `offset` between `start` and `end` (commas and
/// brackets separate items; quotes protect them).
fn flow_item(text: &str, start: usize, end: usize, offset: usize) -> TextRange {
    let mut item_start = start;
    let mut quote: Option<char> = None;
    let mut bounds = Vec::new();
    for (i, c) in text[start..end].char_indices() {
        let at = start + i;
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, ',' | ']') => {
                bounds.push(item_start..at);
                item_start = at + 1;
                if c == ']' {
                    item_start = end + 1;
                    break;
                }
            }
            _ => {}
        }
    }
    if item_start <= end {
        bounds.push(item_start..end);
    }
    let hit = bounds
        .into_iter()
        .find(|b| b.start <= offset && offset <= b.end)
        .unwrap_or(offset..offset);
    let s = skip_spaces(text, hit.start, hit.end);
    let e = trim_end_at(text, s, hit.end);
    s.min(offset)..e.max(offset)
}

fn value_token(
    text: &str,
    field: String,
    token: TextRange,
    in_list: bool,
    flow: bool,
) -> ValueToken {
    let raw = &text[token.clone()];
    let quote = raw.chars().next().filter(|c| *c == '"' || *c == '\'');
    let content = match quote {
        Some(q) => {
            let inner_start = token.start + 1;
            let inner_end = if raw.len() > 1 && raw.ends_with(q) {
                token.end - 1
            } else {
                token.end
            };
            inner_start..inner_end.max(inner_start)
        }
        None => token.clone(),
    };
    ValueToken {
        field,
        token,
        content,
        quote,
        in_list,
        flow,
    }
}

fn skip_spaces(text: &str, mut at: usize, end: usize) -> usize {
    while at < end && matches!(text.as_bytes()[at], b' ' | b'\t') {
        at += 1;
    }
    at
}

fn trim_end_at(text: &str, start: usize, end: usize) -> usize {
    // A ` #` starts a YAML comment, and so does a `#` right where the
    // value would start after a space (`key: # note`).
    let slice = &text[start..end];
    let after_space = text[..start].ends_with([' ', '\t']);
    let cut = if slice.starts_with('#') && after_space {
        0
    } else {
        slice.find(" #").unwrap_or(slice.len())
    };
    start + slice[..cut].trim_end().len()
}

/// The token a value completion replaces: the value (`start..end`)
/// stretched to the cursor, or only the cursor when there is no value yet
/// (so a comment after it, or the space before one, stays).
fn around(offset: usize, start: usize, end: usize) -> TextRange {
    if start == end {
        offset..offset
    } else {
        start.min(offset)..end.max(offset)
    }
}

/// The run of ID characters (letters, digits, `-`, `.`) around `offset`.
pub fn id_token(text: &str, offset: usize) -> TextRange {
    let is_id = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_';
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_id(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !is_id(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `|` marks the cursor.
    fn at(marked: &str) -> (String, Cursor) {
        let offset = marked.find('|').unwrap();
        let text = marked.replacen('|', "", 1);
        let model = SpecModel::parse(&text);
        let cursor = cursor_at(&text, &model, offset);
        (text, cursor)
    }

    fn value(marked: &str) -> (String, String, String, bool) {
        let (text, cursor) = at(marked);
        match cursor {
            Cursor::Value(v) => (
                v.field,
                text[v.token.clone()].to_string(),
                text[v.content].to_string(),
                v.in_list,
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn keys_while_typing() {
        let (text, c) = at("---\nty|\n---\n# T\n");
        assert_eq!(
            c,
            Cursor::Key {
                token: 4..6,
                parent: None
            }
        );
        assert_eq!(&text[4..6], "ty");
        let (_, c) = at("---\ntype: code\n|\n---\n");
        assert_eq!(
            c,
            Cursor::Key {
                token: 15..15,
                parent: None
            }
        );
        let (_, c) = at("---\napproval:\n  req|\n---\n");
        assert_eq!(
            c,
            Cursor::Key {
                token: 16..19,
                parent: Some("approval".into())
            }
        );
    }

    #[test]
    fn scalar_values() {
        assert_eq!(
            value("---\nstatus: pen|\n---\n"),
            ("status".into(), "pen".into(), "pen".into(), false)
        );
        assert_eq!(
            value("---\nstatus: |\n---\n"),
            ("status".into(), "".into(), "".into(), false)
        );
        assert_eq!(
            value("---\napproval:\n  status: ap|\n---\n").0,
            "approval.status"
        );
        assert_eq!(
            value("---\nprompt: \"sta|\"\n---\n"),
            ("prompt".into(), "\"sta\"".into(), "sta".into(), false)
        );
    }

    #[test]
    fn block_list_items_at_any_indent() {
        assert_eq!(
            value("---\ninformed_by:\n  - docs/|\n---\n"),
            ("informed_by".into(), "docs/".into(), "docs/".into(), true)
        );
        assert_eq!(
            value("---\ninformed_by:\n- a\n- do|\n---\n").0,
            "informed_by"
        );
        assert_eq!(
            value("---\ndepends_on:\n  - |\n---\n"),
            ("depends_on".into(), "".into(), "".into(), true)
        );
    }

    #[test]
    fn flow_list_items() {
        assert_eq!(
            value("---\nlabels: [a, b|]\n---\n"),
            ("labels".into(), "b".into(), "b".into(), true)
        );
        assert_eq!(value("---\nlabels: [a, |]\n---\n").1, "");
        assert_eq!(
            value("---\ninformed_by: [\"a b/|\n---\n"),
            ("informed_by".into(), "\"a b/".into(), "a b/".into(), true)
        );
        assert_eq!(value("---\ndepends_on: [x,\n  y|\n---\n").0, "depends_on");
    }

    #[test]
    fn unclosed_frontmatter_still_completes() {
        let (_, c) = at("---\nsta|");
        assert!(matches!(c, Cursor::Key { .. }), "{c:?}");
    }

    #[test]
    fn body_tokens() {
        let (text, c) = at("---\n---\n# T\ndepends on 2026-01|\n");
        let Cursor::Body { token } = c else { panic!() };
        assert_eq!(&text[token], "2026-01");
    }
}
