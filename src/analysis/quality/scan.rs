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

/// A body lowercased as far as chant's searches for ASCII phrases can
/// tell, with a way back from a range of it to the original characters.
///
/// chant searches `str::to_lowercase` of the body for ASCII phrases. Only
/// ASCII bytes of that text can be part of a match, and they come from
/// ASCII letters or from the two characters whose lowercase holds ASCII
/// (the Kelvin sign `K` becomes `k`, `İ` becomes `i̇`). So ASCII is
/// lowercased in one fast pass, those characters are expanded, and every
/// other character is kept as it is: the matches are chant's. `anchors`
/// records, where an expanded character changes the length, where it sits
/// in both texts; between anchors offsets differ by a constant.
pub(super) struct Lowered<'t> {
    pub text: String,
    /// (offset in `text`, offset in `original`), sorted.
    anchors: Vec<(usize, usize)>,
    original: &'t str,
    /// Where `original` starts in the spec's text.
    base: usize,
}

/// A non-ASCII character whose lowercase holds ASCII (`K`, `İ`).
fn lowers_to_ascii(c: char) -> bool {
    !c.is_ascii() && c.to_lowercase().any(|l| l.is_ascii())
}

impl<'t> Lowered<'t> {
    pub fn new(text: &'t str, range: TextRange) -> Lowered<'t> {
        let original = &text[range.clone()];
        let mut anchors = vec![(0, 0)];
        let mut fast = original.to_string();
        fast.make_ascii_lowercase();
        // Non-ASCII characters start at a byte 0xC0 or above; almost none
        // lowercases to ASCII, so usually the fast pass is the answer.
        let starts: Vec<usize> = original
            .bytes()
            .enumerate()
            .filter(|(at, b)| {
                *b >= 0xC0 && original[*at..].chars().next().is_some_and(lowers_to_ascii)
            })
            .map(|(at, _)| at)
            .collect();
        if starts.is_empty() {
            return Lowered {
                text: fast,
                anchors,
                original,
                base: range.start,
            };
        }
        let mut lowered = String::with_capacity(original.len() + starts.len());
        let mut at = 0;
        for from in starts {
            let c = original[from..]
                .chars()
                .next()
                .expect("a character starts here");
            lowered.push_str(&fast[at..from]);
            let before = lowered.len();
            lowered.extend(c.to_lowercase());
            if lowered.len() - before != c.len_utf8() {
                anchors.push((before, from));
                anchors.push((lowered.len(), from + c.len_utf8()));
            }
            at = from + c.len_utf8();
        }
        lowered.push_str(&fast[at..]);
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

    /// Every non-overlapping occurrence of `phrase`, left to right, as
    /// absolute ranges of the original text: what chant's `find`-and-skip
    /// loop counts.
    pub fn find_all(&self, phrase: &Phrase) -> Vec<TextRange> {
        phrase
            .finder
            .find_iter(&self.text)
            .map(|m| self.original(m.range()))
            .collect()
    }
}

/// A lowercase phrase chant looks for, with a compiled search: the regex
/// crate finds a literal with SIMD, many times faster on a long body than
/// `str::match_indices`, with the same leftmost, non-overlapping matches.
pub(super) struct Phrase {
    pub text: &'static str,
    finder: regex::Regex,
}

impl Phrase {
    pub fn new(text: &'static str) -> Phrase {
        Phrase {
            text,
            finder: regex::Regex::new(&regex::escape(text)).expect("a literal pattern"),
        }
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
        // Other characters are kept: they cannot be part of an ASCII phrase.
        let greek = Lowered::new("ΟΔΟΣ ETC", 0..12);
        assert_eq!(greek.text, "ΟΔΟΣ etc");
        assert_eq!(greek.find_all(&Phrase::new("etc")), vec![9..12]);
        let etc: Vec<&str> = lowered
            .find_all(&Phrase::new("etc"))
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(etc, vec!["ETC", "etc"]);
        let similar = lowered.find_all(&Phrase::new("similar"));
        assert_eq!(similar.len(), 1);
        assert_eq!(&text[similar[0].clone()], "Similar");
        // The Kelvin sign is a `k` to chant.
        let k = lowered.find_all(&Phrase::new("k"));
        assert_eq!(&text[k[0].clone()], "\u{212A}");
    }
}
