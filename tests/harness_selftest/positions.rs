//! Positions and text edits (`support::positions`, `support::text_edits`) in utf-8,
//! utf-16 and utf-32, over CRLF, lone CR, emoji and CJK.

use serde_json::{json, Value};

use crate::support::*;

use PositionEncoding::{Utf16, Utf32, Utf8};

// Lines: 0 "a😀b"  (CRLF)  1 "中文x"  (lone CR)  2 "é"  (LF)  3 ""
const TEXT: &str = "a😀b\r\n中文x\ré\n";

fn change(text: &str, r: Value, new: &str, enc: PositionEncoding) -> String {
    apply_change(text, &r, new, enc).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn line_breaks() {
    assert_eq!(line_spans(TEXT).len(), 4);
    assert_eq!(line_spans("").len(), 1);
    assert_eq!(line_spans("\r\r\n\n").len(), 4);
    assert_eq!(line_spans("x\r\n"), vec![(0, 1), (3, 3)]);
}

#[test]
fn edits_utf16() {
    // After the emoji: utf-16 column 3 (1 + 2 surrogates).
    assert_eq!(
        change(TEXT, range(0, 3, 0, 4), "B", Utf16),
        "a😀B\r\n中文x\ré\n"
    );
    // Replace the emoji itself.
    assert_eq!(
        change(TEXT, range(0, 1, 0, 3), "-", Utf16),
        "a-b\r\n中文x\ré\n"
    );
    // CJK: one unit each; "x" at column 2 of line 1.
    assert_eq!(
        change(TEXT, range(1, 2, 1, 3), "y", Utf16),
        "a😀b\r\n中文y\ré\n"
    );
    // Past the end of line 0 clamps before the CRLF.
    assert_eq!(
        change(TEXT, range(0, 99, 0, 99), "!", Utf16),
        "a😀b!\r\n中文x\ré\n"
    );
    // Join lines across the CRLF and across the lone CR.
    assert_eq!(
        change(TEXT, range(0, 4, 1, 0), " ", Utf16),
        "a😀b 中文x\ré\n"
    );
    assert_eq!(
        change(TEXT, range(1, 3, 2, 0), "|", Utf16),
        "a😀b\r\n中文x|é\n"
    );
    // Last (empty) line, and (line_count, 0) = end of text.
    assert_eq!(
        change(TEXT, range(3, 0, 3, 0), "end", Utf16),
        "a😀b\r\n中文x\ré\nend"
    );
    assert_eq!(
        change(TEXT, range(4, 0, 4, 0), "end", Utf16),
        "a😀b\r\n中文x\ré\nend"
    );
    // Inside a surrogate pair, past the last line: errors.
    assert!(apply_change(TEXT, &range(0, 2, 0, 2), "x", Utf16).is_err());
    assert!(apply_change(TEXT, &range(5, 0, 5, 0), "x", Utf16).is_err());
    assert!(
        apply_change(TEXT, &range(0, 3, 0, 1), "x", Utf16).is_err(),
        "reversed"
    );
}

#[test]
fn edits_utf8_and_utf32() {
    // utf-8: emoji is 4 bytes, CJK 3 bytes each, é 2 bytes.
    assert_eq!(
        change(TEXT, range(0, 5, 0, 6), "B", Utf8),
        "a😀B\r\n中文x\ré\n"
    );
    assert_eq!(
        change(TEXT, range(1, 6, 1, 7), "y", Utf8),
        "a😀b\r\n中文y\ré\n"
    );
    assert_eq!(
        change(TEXT, range(2, 2, 2, 2), "!", Utf8),
        "a😀b\r\n中文x\ré!\n"
    );
    assert!(apply_change(TEXT, &range(0, 2, 0, 2), "x", Utf8).is_err());
    assert!(apply_change(TEXT, &range(1, 1, 1, 1), "x", Utf8).is_err());
    // utf-32: one unit per scalar.
    assert_eq!(
        change(TEXT, range(0, 2, 0, 3), "B", Utf32),
        "a😀B\r\n中文x\ré\n"
    );
    assert_eq!(
        change(TEXT, range(1, 1, 1, 2), "", Utf32),
        "a😀b\r\n中x\ré\n"
    );
    assert_eq!(
        change(TEXT, range(2, 1, 3, 0), "", Utf32),
        "a😀b\r\n中文x\ré"
    );
}

#[test]
fn positions_round_trip() {
    for enc in [Utf8, Utf16, Utf32] {
        for (off, _) in TEXT.char_indices().chain([(TEXT.len(), ' ')]) {
            let (l, c) = position_at(TEXT, off, enc);
            let back = offset_at(TEXT, l, c, enc).unwrap();
            // Offsets inside a CRLF map to the end of the line content.
            let expected =
                if off > 0 && TEXT.as_bytes()[off - 1] == b'\r' && TEXT[off..].starts_with('\n') {
                    off - 1
                } else {
                    off
                };
            assert_eq!(back, expected, "{enc} offset {off} -> {l}:{c}");
        }
    }
    assert_eq!(position_at(TEXT, TEXT.find('b').unwrap(), Utf16), (0, 3));
    assert_eq!(position_at(TEXT, TEXT.find('x').unwrap(), Utf8), (1, 6));
    assert_eq!(position_at(TEXT, TEXT.find('é').unwrap(), Utf32), (2, 0));
}

#[test]
fn text_edits_refer_to_the_original() {
    let text = "one 😀 two\r\nthree";
    let edits = vec![
        json!({"range": range(1, 0, 1, 5), "newText": "3"}),
        json!({"range": range(0, 0, 0, 3), "newText": "1"}),
        json!({"range": range(0, 4, 0, 6), "newText": "🙂🙂"}),
        json!({"range": range(0, 10, 0, 10), "newText": "A"}),
        json!({"range": range(0, 10, 0, 10), "newText": "B"}),
    ];
    let (new_text, seq) = plan_text_edits(text, &edits, Utf16).unwrap();
    assert_eq!(new_text, "1 🙂🙂 twoAB\r\n3");
    // The sequential form (for didChange) gives the same text.
    let mut t = text.to_string();
    for (r, s) in &seq {
        t = apply_change(&t, r, s, Utf16).unwrap();
    }
    assert_eq!(t, new_text);
    // Overlapping edits are refused.
    let bad = vec![
        json!({"range": range(0, 0, 0, 5), "newText": ""}),
        json!({"range": range(0, 3, 0, 7), "newText": ""}),
    ];
    assert!(apply_text_edits(text, &bad, Utf16).is_err());
}
