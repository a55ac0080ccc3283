//! Positions in a rope (an open document's text), in O(log n) per
//! conversion whatever the line length: ropey indexes chars and UTF-16 code
//! units, so no line is ever copied or scanned from its start.
//!
//! Lines break at `\n`, `\r\n` and a lone `\r`, as LSP defines them (ropey
//! with `cr_lines`, without `unicode_lines`).

use ropey::Rope;

use super::{LineCol, PositionEncoding};

/// The char index where line `line`'s content ends (its break excluded).
fn content_end_char(rope: &Rope, line: usize) -> usize {
    let start = rope.line_to_char(line);
    let mut end = if line + 1 < rope.len_lines() {
        rope.line_to_char(line + 1)
    } else {
        rope.len_chars()
    };
    if end > start && rope.char(end - 1) == '\n' {
        end -= 1;
    }
    if end > start && rope.char(end - 1) == '\r' {
        end -= 1;
    }
    end
}

/// The byte offset of a position. Lines past the end clamp to the end of
/// the text; columns past the end of a line clamp to its end; a column
/// inside a character resolves to the character's start.
pub fn offset_at(rope: &Rope, position: LineCol, encoding: PositionEncoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let start = rope.line_to_char(line);
    let end = content_end_char(rope, line);
    let col = position.col as usize;
    let target = match encoding {
        PositionEncoding::Utf8 => {
            let byte = (rope.char_to_byte(start) + col).min(rope.char_to_byte(end));
            rope.byte_to_char(byte)
        }
        PositionEncoding::Utf16 => {
            let first = rope.char_to_utf16_cu(start);
            let last = rope.char_to_utf16_cu(end);
            rope.utf16_cu_to_char((first + col).min(last))
        }
        PositionEncoding::Utf32 => start + col,
    };
    rope.char_to_byte(target.min(end))
}

/// The position of a byte offset (clamped to the text; an offset inside a
/// character counts as its start).
pub fn position_at(rope: &Rope, offset: usize, encoding: PositionEncoding) -> LineCol {
    let offset = offset.min(rope.len_bytes());
    let ch = rope.byte_to_char(offset);
    let line = rope.char_to_line(ch);
    let start = rope.line_to_char(line);
    let ch = ch.min(content_end_char(rope, line));
    let col = match encoding {
        PositionEncoding::Utf8 => rope.char_to_byte(ch) - rope.char_to_byte(start),
        PositionEncoding::Utf16 => rope.char_to_utf16_cu(ch) - rope.char_to_utf16_cu(start),
        PositionEncoding::Utf32 => ch - start,
    };
    LineCol {
        line: line as u32,
        col: col as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::LineIndex;

    const ALL: [PositionEncoding; 3] = [
        PositionEncoding::Utf8,
        PositionEncoding::Utf16,
        PositionEncoding::Utf32,
    ];

    #[test]
    fn rope_and_string_conversions_agree() {
        let text = "---\r\nstatus: 😀中\rx\n\n- [ ] é\n";
        let rope = Rope::from_str(text);
        let index = LineIndex::new(text);
        for enc in ALL {
            // (The `\n` of a CRLF is not a position of its own: skip it.)
            for (offset, _) in text
                .char_indices()
                .filter(|(i, c)| !(*c == '\n' && text[..*i].ends_with('\r')))
            {
                let p = index.position(text, offset, enc);
                assert_eq!(position_at(&rope, offset, enc), p, "{enc:?} {offset}");
                assert_eq!(offset_at(&rope, p, enc), offset, "{enc:?} {p:?}");
            }
        }
    }

    #[test]
    fn out_of_range_and_mid_character_positions_clamp() {
        let rope = Rope::from_str("a😀b\r\ncd");
        let at = |line, col, enc| offset_at(&rope, LineCol { line, col }, enc);
        assert_eq!(at(0, 99, PositionEncoding::Utf16), 6);
        assert_eq!(at(0, 99, PositionEncoding::Utf8), 6);
        assert_eq!(at(0, 99, PositionEncoding::Utf32), 6);
        assert_eq!(at(7, 0, PositionEncoding::Utf16), 10);
        // Inside the emoji's surrogate pair, or its UTF-8 bytes: its start.
        assert_eq!(at(0, 2, PositionEncoding::Utf16), 1);
        assert_eq!(at(0, 3, PositionEncoding::Utf8), 1);
        assert_eq!(at(1, 1, PositionEncoding::Utf16), 9);
    }

    #[test]
    fn a_long_line_costs_no_scan() {
        // 4 MB on one line: each conversion is logarithmic, so thousands of
        // them stay cheap (a scan per conversion would take minutes).
        let line = "é".repeat(2 * 1024 * 1024);
        let rope = Rope::from_str(&format!("x\n{line}\n"));
        for i in 0..5_000u32 {
            let col = i * 400;
            let offset = offset_at(&rope, LineCol { line: 1, col }, PositionEncoding::Utf16);
            assert_eq!(offset, 2 + 2 * col as usize);
            assert_eq!(
                position_at(&rope, offset, PositionEncoding::Utf16),
                LineCol { line: 1, col }
            );
        }
    }
}
