//! A table of line starts over one text, with LSP's idea of a line break.

use super::encoding::{byte_to_column, column_to_byte, PositionEncoding};

/// A zero-based (line, column) pair; the column's unit depends on the
/// encoding it was computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Line starts of a text. Lines end at `\n`, `\r\n` or a lone `\r`, exactly
/// the breaks LSP defines (and ropey without `unicode_lines`), so a position
/// computed here means the same line in every editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset where each line starts; always begins with 0.
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 40 + 1);
        starts.push(0);
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i + 1);
                }
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The line holding byte `offset` (offsets past the end map to the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset.min(self.len)) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    /// The text of `line` without its line break.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let start = self.line_start(line);
        let mut end = self.starts.get(line + 1).copied().unwrap_or(self.len);
        let bytes = text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        &text[start..end]
    }

    /// The position of byte `offset` in `encoding` units.
    pub fn position(&self, text: &str, offset: usize, encoding: PositionEncoding) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let line_text = self.line_text(text, line);
        let within = offset - self.line_start(line);
        LineCol {
            line: line as u32,
            col: byte_to_column(line_text, within, encoding),
        }
    }

    /// The byte offset of `pos`. Columns past the end of a line clamp to the
    /// end of that line; lines past the end clamp to the end of the text.
    pub fn offset(&self, text: &str, pos: LineCol, encoding: PositionEncoding) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return self.len;
        }
        let line_text = self.line_text(text, line);
        self.line_start(line) + column_to_byte(line_text, pos.col, encoding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PositionEncoding::*;

    #[test]
    fn every_kind_of_line_break() {
        let text = "a\nb\r\nc\rd";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        assert_eq!(
            (0..4).map(|l| index.line_text(text, l)).collect::<Vec<_>>(),
            ["a", "b", "c", "d"]
        );
        assert_eq!(
            index.position(text, text.find('d').unwrap(), Utf16),
            LineCol { line: 3, col: 0 }
        );
        // The `\n` of a CRLF belongs to the line it ends.
        assert_eq!(index.line_of(3), 1);
    }

    #[test]
    fn positions_with_emoji_and_cjk_on_a_crlf_line() {
        let text = "---\r\n名前: 😀x\r\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x, Utf8), LineCol { line: 1, col: 12 });
        assert_eq!(index.position(text, x, Utf16), LineCol { line: 1, col: 6 });
        assert_eq!(index.position(text, x, Utf32), LineCol { line: 1, col: 5 });
        for enc in [Utf8, Utf16, Utf32] {
            let pos = index.position(text, x, enc);
            assert_eq!(index.offset(text, pos, enc), x);
        }
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, LineCol { line: 0, col: 50 }, Utf16), 2);
        assert_eq!(index.offset(text, LineCol { line: 9, col: 0 }, Utf16), 5);
        assert_eq!(index.position(text, 99, Utf16), LineCol { line: 1, col: 2 });
    }

    #[test]
    fn empty_text_has_one_line() {
        let index = LineIndex::new("");
        assert_eq!(index.line_count(), 1);
        assert_eq!(index.position("", 0, Utf16), LineCol::default());
    }
}
