//! Between the core's byte offsets and plain data and the protocol's
//! positions and types, in the encoding negotiated with the client. The one
//! place the server converts.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use ropey::Rope;
use serde_json::json;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::ls_types::{Position, Range, TextEdit, Uri};

use crate::analysis;
use crate::text::diff::{minimal_edits, Edit};
use crate::text::rope::{offset_at, position_at};
use crate::text::{LineCol, LineIndex, PositionEncoding, TextRange};
use crate::workspace::results::Placed;

/// The `file:` URI of an absolute path. A name that is not UTF-8 keeps its
/// bytes, percent-encoded (`%FF`): the framework's `Uri::from_file_path`
/// would write U+FFFD instead, a path that does not exist.
pub fn file_uri(path: &Path) -> Option<Uri> {
    if path.to_str().is_some() || !path.is_absolute() {
        return Uri::from_file_path(path);
    }
    let mut text = String::from("file://");
    for &byte in path.as_os_str().as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            text.push(byte as char);
        } else {
            text.push_str(&format!("%{byte:02X}"));
        }
    }
    text.parse().ok()
}

/// The path a URI names (as the framework's `Uri::to_file_path` reads it),
/// with the bytes of a name that is not UTF-8 kept as they are.
pub fn uri_path(uri: &Uri) -> Option<PathBuf> {
    match uri.path().decode().to_string() {
        Err(bytes) if !bytes.is_empty() => Some(PathBuf::from(OsString::from_vec(bytes))),
        _ => uri.to_file_path().map(|p| p.into_owned()),
    }
}

/// Position conversion over a text held as a string and its line table.
pub struct TextPositions<'t> {
    text: &'t str,
    index: LineIndex,
    encoding: PositionEncoding,
}

impl<'t> TextPositions<'t> {
    pub fn new(text: &'t str, encoding: PositionEncoding) -> Self {
        TextPositions {
            text,
            index: LineIndex::new(text),
            encoding,
        }
    }

    pub fn position(&self, offset: usize) -> Position {
        let lc = self.index.position(self.text, offset, self.encoding);
        Position {
            line: lc.line,
            character: lc.col,
        }
    }

    pub fn range(&self, range: &TextRange) -> Range {
        Range {
            start: self.position(range.start),
            end: self.position(range.end),
        }
    }

    /// Byte offset of a client position (clamped into the text).
    pub fn offset(&self, position: Position) -> usize {
        self.index.offset(
            self.text,
            LineCol {
                line: position.line,
                col: position.character,
            },
            self.encoding,
        )
    }

    pub fn byte_range(&self, range: Range) -> TextRange {
        let start = self.offset(range.start);
        start..self.offset(range.end).max(start)
    }

    /// Protocol text edits for byte edits of the text.
    pub fn text_edits(&self, edits: &[Edit]) -> Vec<TextEdit> {
        edits
            .iter()
            .map(|(range, new_text)| TextEdit {
                range: self.range(range),
                new_text: new_text.clone(),
            })
            .collect()
    }
}

/// The minimal protocol edits that turn `old` into `new`.
pub fn diff_edits(old: &str, new: &str, encoding: PositionEncoding) -> Vec<TextEdit> {
    TextPositions::new(old, encoding).text_edits(&minimal_edits(old, new))
}

/// Byte offset in a rope of a client position (see `text::rope`).
pub fn rope_offset(rope: &Rope, position: Position, encoding: PositionEncoding) -> usize {
    offset_at(
        rope,
        LineCol {
            line: position.line,
            col: position.character,
        },
        encoding,
    )
}

/// Client position of a byte offset in a rope.
pub fn rope_position(rope: &Rope, offset: usize, encoding: PositionEncoding) -> Position {
    let lc = position_at(rope, offset, encoding);
    Position {
        line: lc.line,
        character: lc.col,
    }
}

pub fn severity(severity: analysis::Severity) -> lsp::DiagnosticSeverity {
    match severity {
        analysis::Severity::Error => lsp::DiagnosticSeverity::ERROR,
        analysis::Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        analysis::Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        analysis::Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// One analysis diagnostic as the protocol wants it. A fix rides in `data`
/// with its edits already in protocol positions.
pub fn diagnostic(d: &analysis::Diagnostic, positions: &TextPositions) -> lsp::Diagnostic {
    let fix_ranges = d
        .fix
        .iter()
        .flat_map(|f| &f.edits)
        .map(|(range, _)| positions.range(range))
        .collect();
    build(d, positions.range(&d.range), fix_ranges)
}

/// A diagnostic whose positions are already resolved (a closed spec's).
pub fn placed(p: &Placed) -> lsp::Diagnostic {
    let range = |(start, end): (LineCol, LineCol)| Range {
        start: Position {
            line: start.line,
            character: start.col,
        },
        end: Position {
            line: end.line,
            character: end.col,
        },
    };
    build(
        &p.diagnostic,
        range((p.start, p.end)),
        p.fix_ranges.iter().copied().map(range).collect(),
    )
}

fn build(d: &analysis::Diagnostic, range: Range, fix_ranges: Vec<Range>) -> lsp::Diagnostic {
    let data = d.fix.as_ref().map(|fix| {
        let edits: Vec<_> = fix
            .edits
            .iter()
            .zip(fix_ranges)
            .map(|((_, text), range)| json!({"range": range, "newText": text}))
            .collect();
        json!({"fix": {"title": fix.kind.title(), "edits": edits}})
    });
    lsp::Diagnostic {
        range,
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
        code_description: None,
        source: Some("chant".into()),
        message: d.message.clone(),
        related_information: None,
        tags: None,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_are_not_utf8_keep_their_bytes_in_uris() {
        let path = Path::new("/w/.chant/specs").join(std::ffi::OsStr::from_bytes(b"sub\xff"));
        let path = path.join("a b.md");
        let uri = file_uri(&path).unwrap();
        assert_eq!(uri.as_str(), "file:///w/.chant/specs/sub%FF/a%20b.md");
        assert_eq!(uri_path(&uri).unwrap(), path);
        let plain = Path::new("/w/.chant/specs/中 x.md");
        assert_eq!(file_uri(plain), Uri::from_file_path(plain));
        assert_eq!(uri_path(&file_uri(plain).unwrap()).unwrap(), plain);
    }

    #[test]
    fn rope_and_string_conversions_agree() {
        let text = "---\r\nstatus: 😀中\rx\n\n- [ ] é\n";
        let rope = Rope::from_str(text);
        for enc in [
            PositionEncoding::Utf8,
            PositionEncoding::Utf16,
            PositionEncoding::Utf32,
        ] {
            let positions = TextPositions::new(text, enc);
            for (offset, _) in text
                .char_indices()
                .filter(|(i, c)| !(*c == '\n' && text[..*i].ends_with('\r')))
            {
                let p = positions.position(offset);
                assert_eq!(rope_position(&rope, offset, enc), p, "{enc:?} {offset}");
                assert_eq!(rope_offset(&rope, p, enc), offset);
                assert_eq!(positions.offset(p), offset);
            }
        }
    }
}
