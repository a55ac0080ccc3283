//! Text edits between versions of a file: the minimal edits that turn one
//! text into another, and the three-way merge of the user's edits (made in
//! the editor while chant ran) with chant's rewrite of the same file.

use std::ops::Range;
use std::time::Duration;

use similar::{Algorithm, ChangeTag, TextDiff};

/// A replacement of a byte range of the old text.
pub type Edit = (Range<usize>, String);

/// Hunks up to this size are refined to word level; bigger ones are
/// replaced whole (still only the changed lines).
const REFINE_LIMIT: usize = 16 * 1024;

/// Diffing gives up refining after this long and falls back to coarser edits.
const DIFF_DEADLINE: Duration = Duration::from_millis(500);

/// The edits (sorted, non-overlapping, byte ranges of `old`) that turn `old`
/// into `new`: changed lines only, refined to the changed words within
/// them, so an editor keeps cursors, folds and marks on untouched text.
pub fn minimal_edits(old: &str, new: &str) -> Vec<Edit> {
    if old == new {
        return Vec::new();
    }
    let lines = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(DIFF_DEADLINE)
        .diff_lines(old, new);
    let mut edits = Vec::new();
    for (old_range, new_range) in changed_runs(&lines) {
        let (o, n) = (&old[old_range.clone()], &new[new_range]);
        if !o.is_empty() && !n.is_empty() && o.len() + n.len() <= REFINE_LIMIT {
            let words = TextDiff::configure()
                .algorithm(Algorithm::Myers)
                .timeout(DIFF_DEADLINE)
                .diff_words(o, n);
            for (r, nr) in changed_runs(&words) {
                edits.push((
                    old_range.start + r.start..old_range.start + r.end,
                    n[nr].to_string(),
                ));
            }
        } else {
            edits.push((old_range, n.to_string()));
        }
    }
    edits
}

/// Byte ranges (old, new) of each run of consecutive changes in a diff.
fn changed_runs<'a>(diff: &TextDiff<'a, 'a, 'a, str>) -> Vec<(Range<usize>, Range<usize>)> {
    let mut runs = Vec::new();
    let (mut o, mut n) = (0usize, 0usize);
    let mut current: Option<(Range<usize>, Range<usize>)> = None;
    for change in diff.iter_all_changes() {
        let len = change.value().len();
        match change.tag() {
            ChangeTag::Equal => {
                runs.extend(current.take());
                o += len;
                n += len;
            }
            ChangeTag::Delete => {
                let run = current.get_or_insert((o..o, n..n));
                run.0.end = o + len;
                o += len;
            }
            ChangeTag::Insert => {
                let run = current.get_or_insert((o..o, n..n));
                run.1.end = n + len;
                n += len;
            }
        }
    }
    runs.extend(current);
    runs
}

/// Apply sorted, non-overlapping edits.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, replacement) in edits {
        out.push_str(&text[at..range.start]);
        out.push_str(replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The outcome of a three-way merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merge {
    /// Both sides' changes, combined.
    Clean(String),
    /// The two sides changed the same lines differently.
    Conflict,
}

/// Merge the changes `ours` and `theirs` each made to `base`, line by line
/// (diffy's merge: the algorithm of `git merge-file`). Changes to the same
/// or adjacent lines conflict unless they are identical.
pub fn merge3(base: &str, ours: &str, theirs: &str) -> Merge {
    if ours == base || ours == theirs {
        return Merge::Clean(theirs.to_string());
    }
    if theirs == base {
        return Merge::Clean(ours.to_string());
    }
    match diffy::merge(base, ours, theirs) {
        Ok(merged) => Merge::Clean(merged),
        Err(_) => Merge::Conflict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(old: &str, new: &str) -> Vec<Edit> {
        let edits = minimal_edits(old, new);
        assert_eq!(apply_edits(old, &edits), new, "{old:?} -> {new:?}");
        for pair in edits.windows(2) {
            assert!(pair[0].0.end <= pair[1].0.start, "sorted and disjoint");
        }
        edits
    }

    #[test]
    fn edits_touch_only_what_changed() {
        assert!(check("same\n", "same\n").is_empty());
        let old = "---\nstatus: pending\n---\n# T\n\n- [ ] one\n- [ ] two\n";
        let new = "---\nstatus: completed\n---\n# T\n\n- [x] one\n- [x] two\n";
        let edits = check(old, new);
        let changed: Vec<(&str, &str)> = edits
            .iter()
            .map(|(r, t)| (&old[r.clone()], t.as_str()))
            .collect();
        assert_eq!(
            changed,
            [("pending", "completed"), ("[ ]", "[x]"), ("[ ]", "[x]")]
        );
    }

    #[test]
    fn edits_handle_endings_unicode_and_whole_rewrites() {
        // chant drops the final newline and appends sections.
        let edits = check(
            "# T 😀\n\nbody\n",
            "# T 😀\n\nbody\n\n## Agent Output\n\n```\nx\n```",
        );
        assert_eq!(edits.len(), 1);
        check("a\r\nb\r\n", "a\r\nc\r\nb");
        check("", "new file\n");
        check("old file\n", "");
        check("é中😀\n", "😀中é\n");
        check("x\ny\nz", "x\nY\nz\n");
    }

    #[test]
    fn big_hunks_are_replaced_whole() {
        let old: String = (0..3000).map(|i| format!("line {i}\n")).collect();
        let new: String = (0..3000).map(|i| format!("LINE {i}\n")).collect();
        let edits = check(&old, &new);
        assert_eq!(edits.len(), 1);
    }

    #[test]
    fn merges_keep_both_sides_or_report_a_conflict() {
        let base =
            "---\nstatus: pending\n---\n# T\n\nIntro.\n\n## Acceptance Criteria\n\n- [ ] one\n";
        let theirs = "---\nstatus: completed\n---\n# T\n\nIntro.\n\n## Acceptance Criteria\n\n- [x] one\n\n## Agent Output\n\nok";
        let ours = "---\nstatus: pending\n---\n# T\n\nIntro, edited.\n\n## Acceptance Criteria\n\n- [ ] one\n";
        assert_eq!(
            merge3(base, ours, theirs),
            Merge::Clean(
                "---\nstatus: completed\n---\n# T\n\nIntro, edited.\n\n## Acceptance Criteria\n\n- [x] one\n\n## Agent Output\n\nok"
                    .into()
            )
        );
        let clash = "---\nstatus: pending\n---\n# T\n\nIntro.\n\n## Acceptance Criteria\n\n- [x] one, differently\n";
        assert_eq!(merge3(base, clash, theirs), Merge::Conflict);
        // Trivial cases never call the line merge.
        assert_eq!(merge3(base, base, theirs), Merge::Clean(theirs.into()));
        assert_eq!(merge3(base, ours, base), Merge::Clean(ours.into()));
        assert_eq!(merge3(base, theirs, theirs), Merge::Clean(theirs.into()));
    }

    #[test]
    fn merging_with_a_dropped_final_newline() {
        let base = "a\nb\nc\n";
        let theirs = "a\nb\nC";
        let ours = "A\nb\nc\n";
        assert_eq!(merge3(base, ours, theirs), Merge::Clean("A\nb\nC".into()));
    }
}
