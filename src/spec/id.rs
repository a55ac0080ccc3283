//! Spec IDs: how chant spots them in prose, how members name their driver,
//! and which IDs are safe to hand to a command line.

use std::sync::LazyLock;

use regex::Regex;

/// The pattern chant itself uses to find spec references in prose.
pub static SPEC_ID_IN_PROSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b\d{4}-\d{2}-\d{2}-[0-9a-z]{3}-[0-9a-z]{3}(?:\.\d+)?\b").expect("valid regex")
});

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
    fn safe_ids() {
        assert!(is_safe_id("2026-01-24-001-abc.1"));
        assert!(is_safe_id("001-risky-refactor"));
        for bad in ["-rf", "a;b", "a b", "../x", "a/b", "", "a..b", "$(x)"] {
            assert!(!is_safe_id(bad), "{bad}");
        }
    }
}
