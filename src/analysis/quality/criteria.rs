//! Acceptance-criteria quality (chant's `score::ac_quality`): the number of
//! checkbox lines with text. None is D, one C, two or three B, four or more
//! A. `chant work` and `chant lint` find those lines differently:
//!
//! - `chant work` (`scoring::extract_acceptance_criteria`): every line
//!   outside ``` fences that starts (indentation aside) with `- [ ]`,
//!   `- [x]` or `- [X]`, anywhere in the body.
//! - `chant lint` (its own `extract_acceptance_criteria`): only `- [ ]` and
//!   `- [x]` lines, only from the first `## Acceptance Criteria` line to
//!   the next `## ` heading that is not another `## Acceptance Criteria`.
//!
//! A line counts when text remains after chant strips the markers
//! (`str::trim_start_matches`, which strips a repeated marker too, so
//! `- [ ]- [ ]` has none) and trims it.

use super::scan::{lines, offset_in};
use super::Grade;
use crate::text::TextRange;

const HEADING: &str = "## Acceptance Criteria";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcQuality {
    pub grade: Grade,
    /// The checkbox lines counted, trimmed, in text order.
    pub items: Vec<TextRange>,
}

impl AcQuality {
    fn of(items: Vec<TextRange>) -> AcQuality {
        let grade = match items.len() {
            0 => Grade::D,
            1 => Grade::C,
            2 | 3 => Grade::B,
            _ => Grade::A,
        };
        AcQuality { grade, items }
    }

    /// "1 criterion with text", "no checkbox with text".
    pub fn describe(&self) -> String {
        match self.items.len() {
            0 => "no `- [ ]` item with text".into(),
            n => super::plural(n, "`- [ ]` item", "`- [ ]` items"),
        }
    }

    /// Why, with what the next grade needs.
    pub fn explain(&self) -> String {
        let next = match self.grade {
            Grade::D => " (C needs 1)",
            Grade::C => " (B needs 2)",
            Grade::B => " (A needs 4)",
            Grade::A => "",
        };
        format!("{}{next}", self.describe())
    }
}

/// The text chant keeps of a checkbox line, or None when it is not one.
fn checkbox_text<'l>(trimmed: &'l str, markers: &[&str]) -> Option<&'l str> {
    if !markers.iter().any(|m| trimmed.starts_with(m)) {
        return None;
    }
    let mut rest = trimmed;
    for marker in markers {
        rest = rest.trim_start_matches(marker);
    }
    Some(rest.trim())
}

fn item_range(start: usize, line: &str, trimmed: &str) -> TextRange {
    let at = offset_in(start, line, trimmed);
    at..at + trimmed.trim_end().len()
}

/// As `chant work` grades it (`body`: the body's range in `text`).
pub fn for_work(text: &str, body: TextRange) -> AcQuality {
    of_work(&lines(text, body).collect::<Vec<_>>())
}

/// As `chant lint` grades it (`body`: the body's range in `text`).
pub fn for_lint(text: &str, body: TextRange) -> AcQuality {
    of_lint(&lines(text, body).collect::<Vec<_>>())
}

/// [`for_work`] from the body's lines ([`super::scan::lines`]).
pub(super) fn of_work(lines: &[(usize, &str)]) -> AcQuality {
    let mut items = Vec::new();
    let mut in_fence = false;
    for &(start, line) in lines {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if checkbox_text(trimmed, &["- [ ]", "- [x]", "- [X]"]).is_some_and(|t| !t.is_empty()) {
            items.push(item_range(start, line, trimmed));
        }
    }
    AcQuality::of(items)
}

/// [`for_lint`] from the body's lines.
pub(super) fn of_lint(lines: &[(usize, &str)]) -> AcQuality {
    let mut items = Vec::new();
    let mut in_fence = false;
    let mut in_section = false;
    for &(start, line) in lines {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence && trimmed.starts_with(HEADING) {
            in_section = true;
            continue;
        }
        if in_section && !in_fence && trimmed.starts_with("## ") {
            break;
        }
        if in_section
            && !in_fence
            && checkbox_text(trimmed, &["- [ ]", "- [x]"]).is_some_and(|t| !t.is_empty())
        {
            items.push(item_range(start, line, trimmed));
        }
    }
    AcQuality::of(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'t>(body: &'t str, q: &AcQuality) -> Vec<&'t str> {
        q.items.iter().map(|r| &body[r.clone()]).collect()
    }

    #[test]
    fn work_counts_checkbox_lines_anywhere_outside_fences() {
        let body = "# T\n- [ ] a\n### Acceptance Criteria\n  - [X] b  \n```\n- [ ] code\n```\n- [ ]\n- [x]   \n- [ ]- [ ]\n* [ ] star\n";
        let q = for_work(body, 0..body.len());
        assert_eq!(texts(body, &q), vec!["- [ ] a", "- [X] b"]);
        assert_eq!(q.grade, Grade::B);
    }

    #[test]
    fn lint_counts_only_the_first_section_and_lowercase_x() {
        let body = "- [ ] before\n## Acceptance Criteria\n- [ ] one\n- [X] capital\n### Sub\n- [x] two\n## Acceptance Criteria (more)\n- [ ] three\n## Notes\n- [ ] after\n## Acceptance Criteria\n- [ ] never\n";
        let q = for_lint(body, 0..body.len());
        assert_eq!(
            texts(body, &q),
            vec!["- [ ] one", "- [x] two", "- [ ] three"]
        );
        assert_eq!(q.grade, Grade::B);
        // A fenced `## ` line does not end the section.
        let body = "## Acceptance Criteria\n```\n## x\n- [ ] in code\n```\n- [ ] a\n";
        assert_eq!(texts(body, &for_lint(body, 0..body.len())), vec!["- [ ] a"]);
    }

    #[test]
    fn grades_by_count() {
        for (n, grade) in [
            (0, Grade::D),
            (1, Grade::C),
            (2, Grade::B),
            (3, Grade::B),
            (4, Grade::A),
        ] {
            let body = "- [ ] x\n".repeat(n);
            assert_eq!(for_work(&body, 0..body.len()).grade, grade, "{n}");
        }
    }
}
