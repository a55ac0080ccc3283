//! The two ways chant's scoring reads a body: line by line (`str::lines`,
//! with ``` lines toggling a fence), and as one lowercased string searched
//! for phrases. Both keep byte ranges into the spec's own text, so every
//! count can point at what it counted.

use crate::text::TextRange;

/// The lines of `text[range]` exactly as `str::lines` yields them (split at
/// `\n`, one `\r` before it dropped), each with its absolute start offset.
pub(super) fn lines(text: &str, range: TextRange) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = range.start;
    text[range].split_inclusive('\n').map(move |raw| {
        let start = offset;
        offset += raw.len();
        let line = match raw.strip_suffix('\n') {
            Some(line) => line.strip_suffix('\r').unwrap_or(line),
            None => raw,
        };
        (start, line)
    })
}

/// Where `part` (a subslice of `line`) starts, as an absolute offset.
pub(super) fn offset_in(line_start: usize, line: &str, part: &str) -> usize {
    line_start + (part.as_ptr() as usize - line.as_ptr() as usize)
}

/// A body lowercased as `str::to_lowercase` does it, with a way back from
/// a range of the lowercased text to the characters it came from.
///
/// Most characters keep their UTF-8 length when lowercased; a few do not
/// (`İ` becomes `i̇`, the Kelvin sign `K` becomes `k`). `anchors` records,
/// at each such character and at the one after it, where it sits in both
/// texts; between anchors offsets differ by a constant.
pub(super) struct Lowered<'t> {
    pub text: String,
    /// (offset in `text`, offset in `original`), sorted.
    anchors: Vec<(usize, usize)>,
    original: &'t str,
    /// Where `original` starts in the spec's text.
    base: usize,
}

impl<'t> Lowered<'t> {
    pub fn new(text: &'t str, range: TextRange) -> Lowered<'t> {
        let original = &text[range.clone()];
        let mut anchors = vec![(0, 0)];
        if original.is_ascii() {
            return Lowered {
                text: original.to_ascii_lowercase(),
                anchors,
                original,
                base: range.start,
            };
        }
        // `str::to_lowercase` maps character by character, except that a
        // final capital sigma becomes `ς` rather than `σ`: the same length,
        // and never part of an ASCII phrase, so the offsets agree.
        let lowered = original.to_lowercase();
        let mut at = 0;
        for (from, c) in original.char_indices() {
            let lower_len: usize = c.to_lowercase().map(char::len_utf8).sum();
            if lower_len != c.len_utf8() {
                anchors.push((at, from));
                anchors.push((at + lower_len, from + c.len_utf8()));
            }
            at += lower_len;
        }
        debug_assert_eq!(at, lowered.len());
        Lowered {
            text: lowered,
            anchors,
            original,
            base: range.start,
        }
    }

    /// The absolute range of the original text a range of the lowercased
    /// text came from (widened to whole characters).
    pub fn original(&self, range: TextRange) -> TextRange {
        let map = |offset: usize| {
            let i = self.anchors.partition_point(|(low, _)| *low <= offset) - 1;
            let (low, orig) = self.anchors[i];
            let limit = self
                .anchors
                .get(i + 1)
                .map_or(self.original.len(), |(_, next)| *next);
            (orig + (offset - low)).min(limit)
        };
        let mut start = map(range.start);
        while !self.original.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = map(range.end);
        while !self.original.is_char_boundary(end) {
            end += 1;
        }
        self.base + start..self.base + end
    }

    /// Every non-overlapping occurrence of `phrase` (lowercase ASCII), left
    /// to right, as absolute ranges of the original text: what chant's
    /// `find`-and-skip loop counts.
    pub fn find_all(&self, phrase: &'static str) -> Vec<TextRange> {
        self.text
            .match_indices(phrase)
            .map(|(at, _)| self.original(at..at + phrase.len()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_str_lines_with_offsets() {
        let text = "ab\r\ncd\n\ne\rf";
        let ours: Vec<(usize, &str)> = lines(text, 0..text.len()).collect();
        let theirs: Vec<&str> = text.lines().collect();
        assert_eq!(
            ours.iter().map(|(_, l)| *l).collect::<Vec<_>>(),
            theirs,
            "the same lines as str::lines"
        );
        assert_eq!(ours, vec![(0, "ab"), (4, "cd"), (7, ""), (8, "e\rf")]);
        let inner: Vec<(usize, &str)> = lines(text, 4..7).collect();
        assert_eq!(inner, vec![(4, "cd")]);
    }

    #[test]
    fn phrases_map_back_through_characters_that_change_length() {
        // `İ` (2 bytes) lowercases to 3 bytes, the Kelvin sign (3 bytes) to 1.
        let text = "xx İ ETC \u{212A} Similar etc";
        let lowered = Lowered::new(text, 2..text.len());
        assert_eq!(lowered.text, text[2..].to_lowercase());
        let etc: Vec<&str> = lowered
            .find_all("etc")
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(etc, vec!["ETC", "etc"]);
        let similar = lowered.find_all("similar");
        assert_eq!(similar.len(), 1);
        assert_eq!(&text[similar[0].clone()], "Similar");
        // The Kelvin sign is a `k` to chant.
        let k = lowered.find_all("k");
        assert_eq!(&text[k[0].clone()], "\u{212A}");
    }
}
