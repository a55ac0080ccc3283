//! A table of line starts over one text, with LSP's idea of a line break.

use super::encoding::PositionEncoding;

/// A zero-based (line, column) pair; the column's unit depends on the
/// encoding it was computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Line starts of a text, and where its characters wider than one byte
/// are. Lines end at `\n`, `\r\n` or a lone `\r`, exactly the breaks LSP
/// defines (and ropey without `unicode_lines`), so a position computed here
/// means the same line in every editor.
///
/// Every conversion costs O(log n), whatever the length of the line: a
/// column in UTF-16 or UTF-32 units is the byte column less what the wide
/// characters before it save, read from prefix sums (as rust-analyzer's
/// line index does), never counted from the line's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset where each line starts; always begins with 0.
    starts: Vec<usize>,
    /// Byte offset of each character that takes more than one byte.
    wide: Vec<u32>,
    /// `saved16[i]`: bytes minus UTF-16 units of `wide[..i]` (so one more
    /// entry than `wide`); `saved32[i]`: bytes minus characters.
    saved16: Vec<u32>,
    saved32: Vec<u32>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 40 + 1);
        starts.push(0);
        let mut wide = Vec::new();
        let (mut saved16, mut saved32) = (vec![0u32], vec![0u32]);
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
                b if b >= 0xC0 => {
                    // A leading byte: 2, 3 or 4 bytes, one UTF-16 unit
                    // unless it takes 4 (then a surrogate pair).
                    let len = if b >= 0xF0 {
                        4
                    } else if b >= 0xE0 {
                        3
                    } else {
                        2
                    };
                    let units16 = if len == 4 { 2 } else { 1 };
                    wide.push(i as u32);
                    saved16.push(saved16[saved16.len() - 1] + len - units16);
                    saved32.push(saved32[saved32.len() - 1] + len - 1);
                    i += len as usize;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            starts,
            wide,
            saved16,
            saved32,
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

    /// Where `line`'s content ends (its line break excluded).
    fn content_end(&self, text: &str, line: usize) -> usize {
        let start = self.line_start(line);
        let mut end = self.starts.get(line + 1).copied().unwrap_or(self.len);
        let bytes = text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        end
    }

    /// The text of `line` without its line break.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        &text[self.line_start(line)..self.content_end(text, line)]
    }

    /// How many wide characters start before byte `offset`.
    fn wide_before(&self, offset: usize) -> usize {
        self.wide.partition_point(|&w| (w as usize) < offset)
    }

    /// Bytes minus `encoding` units of the text between two offsets.
    fn saved(&self, from: usize, to: usize, encoding: PositionEncoding) -> usize {
        let sums = match encoding {
            PositionEncoding::Utf8 => return 0,
            PositionEncoding::Utf16 => &self.saved16,
            PositionEncoding::Utf32 => &self.saved32,
        };
        (sums[self.wide_before(to)] - sums[self.wide_before(from)]) as usize
    }

    /// The position of byte `offset` in `encoding` units (an offset inside
    /// a character counts as its start; past the end of a line's content,
    /// its end).
    pub fn position(&self, text: &str, offset: usize, encoding: PositionEncoding) -> LineCol {
        let mut offset = offset.min(self.len);
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let offset = offset.min(self.content_end(text, line));
        LineCol {
            line: line as u32,
            col: (offset - start - self.saved(start, offset, encoding)) as u32,
        }
    }

    /// The byte offset of `pos`. Columns past the end of a line clamp to the
    /// end of that line; lines past the end clamp to the end of the text; a
    /// column inside a character resolves to the character's start.
    pub fn offset(&self, text: &str, pos: LineCol, encoding: PositionEncoding) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return self.len;
        }
        let start = self.line_start(line);
        let end = self.content_end(text, line);
        let col = pos.col as usize;
        let sums = match encoding {
            PositionEncoding::Utf8 => {
                let mut byte = (start + col).min(end);
                while !text.is_char_boundary(byte) {
                    byte -= 1;
                }
                return byte;
            }
            PositionEncoding::Utf16 => &self.saved16,
            PositionEncoding::Utf32 => &self.saved32,
        };
        let (first, last) = (self.wide_before(start), self.wide_before(end));
        // Units before the `k`-th wide character of the text.
        let units_before =
            |k: usize| self.wide[k] as usize - start - (sums[k] - sums[first]) as usize;
        // The last wide character of the line that starts at or before
        // `col` (units before each grow with `k`: a binary search).
        let (mut lo, mut hi) = (first, last);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if units_before(mid) <= col {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if lo == first {
            return (start + col).min(end);
        }
        let k = lo - 1;
        let at = self.wide[k] as usize;
        let char_len = text[at..].chars().next().map_or(1, char::len_utf8);
        let width = char_len - (sums[k + 1] - sums[k]) as usize;
        let before = units_before(k);
        if col < before + width {
            // At the character, or inside it (half a surrogate pair).
            return at;
        }
        (at + char_len + (col - before - width)).min(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{byte_to_column, column_to_byte};
    use PositionEncoding::*;

    /// Column arithmetic from the line's start: slow, obviously right.
    fn naive_position(
        index: &LineIndex,
        text: &str,
        offset: usize,
        enc: PositionEncoding,
    ) -> LineCol {
        let offset = offset.min(text.len());
        let line = index.line_of(offset);
        let line_text = index.line_text(text, line);
        LineCol {
            line: line as u32,
            col: byte_to_column(line_text, offset - index.line_start(line), enc),
        }
    }

    fn naive_offset(index: &LineIndex, text: &str, pos: LineCol, enc: PositionEncoding) -> usize {
        if pos.line as usize >= index.line_count() {
            return text.len();
        }
        let line_text = index.line_text(text, pos.line as usize);
        index.line_start(pos.line as usize) + column_to_byte(line_text, pos.col, enc)
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_counting_from_the_line_start(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["a", "é", "中", "😀", "\r\n", "\r", "\n", " ", "𝄞x"]),
                0..60,
            ),
            probes in proptest::collection::vec((0u32..12, 0u32..40), 0..20),
        ) {
            let text: String = pieces.concat();
            let index = LineIndex::new(&text);
            for enc in [Utf8, Utf16, Utf32] {
                for offset in 0..=text.len() + 2 {
                    proptest::prop_assert_eq!(
                        index.position(&text, offset, enc),
                        naive_position(&index, &text, offset, enc),
                        "{:?} at {} in {:?}", enc, offset, text
                    );
                }
                for &(line, col) in &probes {
                    let pos = LineCol { line, col };
                    proptest::prop_assert_eq!(
                        index.offset(&text, pos, enc),
                        naive_offset(&index, &text, pos, enc),
                        "{:?} at {:?} in {:?}", enc, pos, text
                    );
                }
            }
        }
    }

    #[test]
    fn a_long_line_costs_no_scan() {
        // 2 MB on one line: a million conversions stay fast only when none
        // counts from the line's start.
        let text = "中a".repeat(500_000);
        let index = LineIndex::new(&text);
        let mut sum = 0u64;
        for offset in (0..text.len()).step_by(2) {
            sum += u64::from(index.position(&text, offset, Utf16).col);
        }
        assert!(sum > 0);
        let end = index.position(&text, text.len(), Utf16);
        assert_eq!(
            end,
            LineCol {
                line: 0,
                col: 1_000_000
            }
        );
        assert_eq!(index.offset(&text, end, Utf16), text.len());
        assert_eq!(
            index.offset(
                &text,
                LineCol {
                    line: 0,
                    col: 999_999
                },
                Utf16
            ),
            text.len() - 1
        );
    }

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
