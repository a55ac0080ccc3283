//! Positions in a given encoding (utf-8, utf-16, utf-32): lines as LSP breaks them, byte
//! offsets of positions and back, and byte ranges of LSP ranges.

use std::fmt;

use serde_json::Value;

use super::rpc::pos;

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
