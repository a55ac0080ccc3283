//! Between the analysis's byte offsets and the protocol's positions, in the
//! encoding negotiated with the client. The one place the server converts.

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range};

use crate::text::{
    byte_to_column, column_to_byte, LineCol, LineIndex, PositionEncoding, TextRange,
};

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

    pub fn text(&self) -> &'t str {
        self.text
    }

    pub fn encoding(&self) -> PositionEncoding {
        self.encoding
    }
}

/// Byte offset in a rope of a client position. Lines past the end clamp to
/// the end of the text; columns past the end of a line clamp to its end; a
/// column inside a character resolves to the character's start.
pub fn rope_offset(rope: &Rope, position: Position, encoding: PositionEncoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let start = rope.line_to_byte(line);
    let line_text: String = rope.line(line).chars().collect();
    let content = line_text.trim_end_matches(['\n', '\r']);
    start + column_to_byte(content, position.character, encoding)
}

/// Client position of a byte offset in a rope.
pub fn rope_position(rope: &Rope, offset: usize, encoding: PositionEncoding) -> Position {
    let offset = offset.min(rope.len_bytes());
    let line = rope.byte_to_line(offset);
    let start = rope.line_to_byte(line);
    let line_text: String = rope.line(line).chars().collect();
    let content = line_text.trim_end_matches(['\n', '\r']);
    Position {
        line: line as u32,
        character: byte_to_column(content, offset - start, encoding),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            // (The `\n` of a CRLF is not a position of its own: skip it.)
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

    #[test]
    fn out_of_range_positions_clamp() {
        let rope = Rope::from_str("ab\ncd");
        assert_eq!(
            rope_offset(
                &rope,
                Position {
                    line: 0,
                    character: 99
                },
                PositionEncoding::Utf16
            ),
            2
        );
        assert_eq!(
            rope_offset(
                &rope,
                Position {
                    line: 7,
                    character: 0
                },
                PositionEncoding::Utf16
            ),
            5
        );
    }
}
