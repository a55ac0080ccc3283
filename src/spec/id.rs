//! Spec IDs: how chant spots them in prose, how members name their driver,
//! and which IDs are safe to hand to a command line.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

/// Where chant keeps (and writes) spec `id` of the project at `root`:
/// `.chant/specs/<id>.md`.
pub fn spec_file(root: &Path, id: &str) -> PathBuf {
    root.join(".chant/specs").join(format!("{id}.md"))
}

/// The pattern chant itself uses to find spec references in prose.
pub static SPEC_ID_IN_PROSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b\d{4}-\d{2}-\d{2}-[0-9a-z]{3}-[0-9a-z]{3}(?:\.\d+)?\b").expect("valid regex")
});

/// The same IDs without the word boundaries: the regex engine can use its
/// fast DFA for this, and [`find_mentions`] checks the boundaries itself.
static SPEC_ID_CORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{4}-\d{2}-\d{2}-[0-9a-z]{3}-[0-9a-z]{3}(?:\.\d+)?").expect("valid regex")
});

/// A word character as the regex crate's Unicode `\b` counts it: letters,
/// marks, decimal digits and connectors. Not every "numeric" character:
/// `¹` or `½` are not word characters, so an ID followed by one is a mention.
fn is_word(c: Option<char>) -> bool {
    static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\w$").expect("valid regex"));
    c.is_some_and(|c| {
        if c.is_ascii() {
            c.is_ascii_alphanumeric() || c == '_'
        } else {
            WORD.is_match(c.encode_utf8(&mut [0; 4]))
        }
    })
}

/// Spec IDs in prose, exactly where [`SPEC_ID_IN_PROSE`] finds them, but
/// several times faster on long bodies.
pub fn find_mentions(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(m) = SPEC_ID_CORE.find_at(text, from) {
        let before = text[..m.start()].chars().next_back();
        if is_word(before) {
            // Not at a word start; a later start inside this run cannot be
            // one either until a non-word character, which the scan finds.
            from = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        // The longest end with a word boundary after it: with the member
        // suffix, else without it.
        let core_end = m.start() + 18;
        let ends = if m.end() > core_end {
            vec![m.end(), core_end]
        } else {
            vec![core_end]
        };
        match ends
            .into_iter()
            .find(|&end| !is_word(text[end..].chars().next()))
        {
            Some(end) => {
                out.push(m.start()..end);
                from = end;
            }
            None => from = m.start() + 1,
        }
    }
    out
}

/// The driver of a member ID (`X.N` → `X`): the text before the first `.`
/// when a digit follows it.
pub fn driver_of(id: &str) -> Option<&str> {
    let dot = id.find('.')?;
    id[dot + 1..]
        .starts_with(|c: char| c.is_ascii_digit())
        .then(|| &id[..dot])
}

/// True for IDs that can go on a command line as one argument and name a
/// file in `.chant/specs`: no leading `-` (it would read as a flag), no path
/// separators or `..`, no whitespace or shell metacharacters.
pub fn is_safe_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with(['-', '.'])
        && !id.contains("..")
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drivers() {
        assert_eq!(
            driver_of("2026-01-24-001-abc.2"),
            Some("2026-01-24-001-abc")
        );
        assert_eq!(
            driver_of("2026-01-24-001-abc.2.1"),
            Some("2026-01-24-001-abc")
        );
        assert_eq!(driver_of("2026-01-24-001-abc"), None);
        assert_eq!(driver_of("notes.v2"), None);
    }

    #[test]
    fn prose_ids() {
        let found: Vec<_> = SPEC_ID_IN_PROSE
            .find_iter("see 2026-01-24-001-abc and 2026-01-24-00a-x1z.3, not 2026-01-24-001-ABC")
            .map(|m| m.as_str())
            .collect();
        assert_eq!(found, ["2026-01-24-001-abc", "2026-01-24-00a-x1z.3"]);
    }

    #[test]
    fn fast_mentions_match_the_boundary_regex() {
        let cases = [
            "see 2026-01-24-001-abc and 2026-01-24-00a-x1z.3, not 2026-01-24-001-ABC",
            "12026-01-01-001-abc x2026-01-01-001-abc 2026-01-01-001-abcd",
            "2026-01-01-001-abc.5x 2026-01-01-001-abc.12. é2026-01-01-001-abc _2026-01-01-001-abc",
            "(2026-01-01-001-abc)2026-01-01-001-abc-2026-01-01-002-abc 2026-01-01-001-abc_",
            "2026-01-01-001-abc2026-01-01-002-abc 2026-01-01-001-abc.3.4 中2026-01-01-001-abc",
            "2026-01-24-001-cxn¹ 2026-01-24-001-cxn½ ²2026-01-24-001-cxn 2026-01-24-001-cxn٣ 2026-01-24-001-cxn\u{301}",
            "2026-01-24-001-cxn.1¹ 2026-01-24-001-cxn３ Ⅻ2026-01-24-001-cxn",
        ];
        for text in cases {
            let expected: Vec<_> = SPEC_ID_IN_PROSE
                .find_iter(text)
                .map(|m| m.range())
                .collect();
            assert_eq!(find_mentions(text), expected, "{text}");
        }
    }

    #[test]
    fn safe_ids() {
        assert!(is_safe_id("2026-01-24-001-abc.1"));
        assert!(is_safe_id("001-risky-refactor"));
        for bad in ["-rf", "a;b", "a b", "../x", "a/b", "", "a..b", "$(x)"] {
            assert!(!is_safe_id(bad), "{bad}");
        }
    }
}
