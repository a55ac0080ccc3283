//! Column arithmetic within one line, for the three encodings LSP knows.

/// How a client counts columns. LSP 3.17 lets the client offer utf-8, utf-16
/// and utf-32; utf-16 is the mandatory fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PositionEncoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

impl PositionEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            PositionEncoding::Utf8 => "utf-8",
            PositionEncoding::Utf16 => "utf-16",
            PositionEncoding::Utf32 => "utf-32",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "utf-8" => Some(PositionEncoding::Utf8),
            "utf-16" => Some(PositionEncoding::Utf16),
            "utf-32" => Some(PositionEncoding::Utf32),
            _ => None,
        }
    }

    /// Width of one character in this encoding's units.
    fn width(self, ch: char) -> usize {
        match self {
            PositionEncoding::Utf8 => ch.len_utf8(),
            PositionEncoding::Utf16 => ch.len_utf16(),
            PositionEncoding::Utf32 => 1,
        }
    }
}

/// The column (in `encoding` units) of byte offset `byte` within `line`.
/// A byte offset inside a character is floored to that character's start.
pub fn byte_to_column(line: &str, byte: usize, encoding: PositionEncoding) -> u32 {
    let byte = floor_char_boundary(line, byte.min(line.len()));
    let column = match encoding {
        PositionEncoding::Utf8 => byte,
        PositionEncoding::Utf16 => line[..byte].chars().map(char::len_utf16).sum(),
        PositionEncoding::Utf32 => line[..byte].chars().count(),
    };
    column as u32
}

/// The byte offset within `line` of `column` (in `encoding` units).
///
/// A column past the end clamps to the end of the line (as the LSP
/// specification asks); a column that falls inside a character (the middle of
/// a UTF-16 surrogate pair, or inside a UTF-8 sequence) resolves to that
/// character's start, so an edit can never split a character.
pub fn column_to_byte(line: &str, column: u32, encoding: PositionEncoding) -> usize {
    let column = column as usize;
    if encoding == PositionEncoding::Utf8 {
        return floor_char_boundary(line, column.min(line.len()));
    }
    let mut units = 0;
    for (byte, ch) in line.char_indices() {
        let next = units + encoding.width(ch);
        if next > column {
            return byte;
        }
        units = next;
    }
    line.len()
}

fn floor_char_boundary(text: &str, mut byte: usize) -> usize {
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    byte
}

#[cfg(test)]
mod tests {
    use super::*;
    use PositionEncoding::*;

    const LINE: &str = "a😀b中c";

    #[test]
    fn columns_per_encoding() {
        // a(1) 😀(4 bytes, 2 utf-16 units, 1 scalar) b(1) 中(3 bytes, 1 unit) c
        assert_eq!(byte_to_column(LINE, 5, Utf8), 5);
        assert_eq!(byte_to_column(LINE, 5, Utf16), 3);
        assert_eq!(byte_to_column(LINE, 5, Utf32), 2);
        assert_eq!(byte_to_column(LINE, 9, Utf16), 5);
        assert_eq!(byte_to_column(LINE, 9, Utf32), 4);
    }

    #[test]
    fn round_trip_every_boundary() {
        for enc in [Utf8, Utf16, Utf32] {
            for (byte, _) in LINE.char_indices().chain([(LINE.len(), ' ')]) {
                let col = byte_to_column(LINE, byte, enc);
                assert_eq!(column_to_byte(LINE, col, enc), byte, "{enc:?} {byte}");
            }
        }
    }

    #[test]
    fn inside_a_surrogate_pair_resolves_to_the_character_start() {
        // utf-16 column 2 is between the two halves of 😀.
        assert_eq!(column_to_byte(LINE, 2, Utf16), 1);
        // A byte offset inside 😀 floors too.
        assert_eq!(byte_to_column(LINE, 3, Utf16), 1);
        assert_eq!(column_to_byte(LINE, 3, Utf8), 1);
    }

    #[test]
    fn past_the_end_clamps() {
        assert_eq!(column_to_byte(LINE, 99, Utf16), LINE.len());
        assert_eq!(column_to_byte(LINE, 99, Utf8), LINE.len());
        assert_eq!(byte_to_column(LINE, 99, Utf32), 5);
    }
}
