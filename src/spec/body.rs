//! The body as chant reads it: line by line, with backtick fences toggled by
//! any line that starts with three backticks, the title taken from the first
//! `# ` line, and acceptance criteria counted in the last
//! `## Acceptance Criteria` section. Where a Markdown reader would see the
//! same lines differently, the body records it so the user can be told.

use crate::spec::id::find_mentions;
use crate::text::TextRange;

const CRITERIA_HEADING: &str = "## Acceptance Criteria";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Body {
    pub range: TextRange,
    pub title: Option<Title>,
    /// Every heading line outside backtick fences (chant's view of the structure).
    pub headings: Vec<BodyHeading>,
    /// The section `chant work` counts, if any.
    pub criteria: Option<CriteriaSection>,
    /// `## Acceptance Criteria` headings chant recognises but does not count
    /// because a later one wins.
    pub superseded_criteria_headings: Vec<TextRange>,
    /// Lines that look like criteria headings but that chant does not
    /// recognise (`### Acceptance Criteria`, `## acceptance criteria`).
    pub unrecognised_criteria_headings: Vec<TextRange>,
    pub fences: Vec<Fence>,
    /// Words, as chant counts them (whitespace-separated).
    pub word_count: usize,
    /// Spec IDs mentioned outside code fences.
    pub mentions: Vec<Mention>,
    /// Criteria-like lines in the counted section that chant does not count,
    /// and counted ones a Markdown reader would not see as items.
    pub odd_criteria: Vec<OddCriterion>,
    /// Set when chant's title line sits inside a code block (chant does not
    /// skip code blocks): the heading a reader sees as the title, if any.
    pub title_in_code: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title {
    pub text: String,
    /// The whole heading line, trimmed.
    pub range: TextRange,
    /// 0-based line number, counted as LSP counts lines.
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyHeading {
    pub level: u8,
    pub text: String,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriteriaSection {
    pub heading: TextRange,
    /// From the heading to the end of the section (trailing blank lines excluded).
    pub range: TextRange,
    pub items: Vec<Criterion>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    /// The `- [ ]` / `- [x]` occurrence chant counts.
    pub marker: TextRange,
    pub checked: bool,
    /// The line holding it (without line break).
    pub line: TextRange,
    /// The text after the marker, trimmed.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    pub open: TextRange,
    /// The opening line has backticks after the fence (```` ```code``` ````):
    /// Markdown reads inline code there, not a fence.
    pub inline: bool,
    /// None when chant never sees the fence closed: everything after `open`
    /// is code to chant.
    pub close: Option<TextRange>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub id: String,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OddCriterion {
    pub range: TextRange,
    pub kind: OddKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OddKind {
    /// `* [ ]`, `+ [ ]`, `1. [ ]`, `-[ ]`, ...: a checkbox chant does not count.
    UncountedMarker,
    /// A counted checkbox inside a `~~~` block: Markdown shows code, chant counts it.
    CountedInTildeFence,
}

impl Body {
    pub fn unchecked(&self) -> impl Iterator<Item = &Criterion> {
        self.criteria
            .iter()
            .flat_map(|c| c.items.iter())
            .filter(|i| !i.checked)
    }

    pub fn total_checkboxes(&self) -> usize {
        self.criteria.as_ref().map_or(0, |c| c.items.len())
    }

    pub fn unchecked_count(&self) -> usize {
        self.unchecked().count()
    }
}

/// One line of the body: its range without the line break, as `str::lines` gives it.
struct Line<'t> {
    text: &'t str,
    start: usize,
    in_fence: bool,
    is_fence_line: bool,
    /// Inside a `~~~` block (a fence for Markdown, not for chant).
    in_tilde: bool,
}

impl Line<'_> {
    fn range(&self) -> TextRange {
        self.start..self.start + self.text.len()
    }

    fn trimmed(&self) -> &str {
        self.text.trim_start()
    }

    fn trimmed_range(&self) -> TextRange {
        let lead = self.text.len() - self.text.trim_start().len();
        self.start + lead..self.start + self.text.trim_end().len()
    }
}

fn lines(text: &str, range: TextRange) -> (Vec<Line<'_>>, Vec<Fence>) {
    let mut out = Vec::new();
    let mut fences: Vec<Fence> = Vec::new();
    let mut in_fence = false;
    let mut in_tilde = false;
    let mut offset = range.start;
    for raw in text[range.clone()].split_inclusive('\n') {
        let content = raw.strip_suffix('\n').unwrap_or(raw);
        let content = content.strip_suffix('\r').unwrap_or(content);
        let is_fence_line = content.trim_start().starts_with("```");
        if is_fence_line {
            let lead = content.len() - content.trim_start().len();
            let marker = offset + lead..offset + content.trim_end().len();
            if in_fence {
                if let Some(open) = fences.last_mut() {
                    open.close = Some(marker);
                }
            } else {
                let info = content.trim_start().trim_start_matches('`');
                fences.push(Fence {
                    open: marker,
                    inline: info.contains('`'),
                    close: None,
                });
            }
            in_fence = !in_fence;
        }
        let is_tilde_line = !in_fence && !is_fence_line && content.trim_start().starts_with("~~~");
        let tilde_here = in_tilde || is_tilde_line;
        if is_tilde_line {
            in_tilde = !in_tilde;
        }
        out.push(Line {
            text: content,
            start: offset,
            in_fence: in_fence && !is_fence_line,
            is_fence_line,
            in_tilde: tilde_here,
        });
        offset += raw.len();
    }
    (out, fences)
}

pub fn read_body(text: &str, range: TextRange) -> Body {
    let body_text = &text[range.clone()];
    let (lines, fences) = lines(text, range.clone());

    let title_line = lines
        .iter()
        .position(|line| line.text.trim().starts_with("# "));
    let title_in_code = title_line
        .filter(|&i| lines[i].in_fence || lines[i].in_tilde)
        .map(|_| {
            lines
                .iter()
                .find(|l| {
                    !l.in_fence
                        && !l.is_fence_line
                        && !l.in_tilde
                        && l.text.trim().starts_with("# ")
                })
                .map(|l| l.text.trim()[2..].trim().to_string())
        });
    let title = lines.iter().find_map(|line| {
        let trimmed = line.text.trim();
        trimmed.strip_prefix("# ").map(|t| Title {
            text: t.to_string(),
            range: line.trimmed_range(),
            line: crate::text::LineIndex::new(&text[..line.start]).line_count() as u32 - 1,
        })
    });

    let mut headings = Vec::new();
    let mut criteria_headings = Vec::new();
    let mut unrecognised = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        if line.in_fence || line.is_fence_line {
            continue;
        }
        let trimmed = line.trimmed();
        if trimmed.starts_with(CRITERIA_HEADING) {
            criteria_headings.push(index);
        } else if looks_like_criteria_heading(trimmed) {
            unrecognised.push(line.trimmed_range());
        }
        if let Some(level) = heading_level(trimmed) {
            let text = trimmed[level as usize..].trim().to_string();
            headings.push(BodyHeading {
                level,
                text,
                range: line.trimmed_range(),
            });
        }
    }

    let criteria = criteria_headings
        .last()
        .map(|&start| criteria_section(&lines, start));
    let superseded = criteria_headings[..criteria_headings.len().saturating_sub(1)]
        .iter()
        .map(|&i| lines[i].trimmed_range())
        .collect();

    let mut odd = Vec::new();
    if let Some(section) = &criteria {
        odd_criteria(&lines, section, &mut odd);
    }

    let fenced: Vec<TextRange> = lines
        .iter()
        .filter(|l| l.in_fence || l.is_fence_line)
        .map(Line::range)
        .collect();
    let mentions = find_mentions(body_text)
        .into_iter()
        .map(|m| range.start + m.start..range.start + m.end)
        .filter(|r| !inside_any(&fenced, r.start))
        .map(|r| Mention {
            id: text[r.clone()].to_string(),
            range: r,
        })
        .collect();

    Body {
        range,
        title,
        headings,
        criteria,
        superseded_criteria_headings: superseded,
        unrecognised_criteria_headings: unrecognised,
        fences,
        word_count: body_text.split_whitespace().count(),
        mentions,
        odd_criteria: odd,
        title_in_code,
    }
}

fn criteria_section(lines: &[Line], start: usize) -> CriteriaSection {
    let heading = lines[start].trimmed_range();
    let mut items = Vec::new();
    let mut end = heading.end;
    for line in &lines[start + 1..] {
        if line.in_fence || line.is_fence_line {
            end = line.start + line.text.len();
            continue;
        }
        if line.trimmed().starts_with("## ") {
            break;
        }
        if !line.text.trim().is_empty() {
            end = line.start + line.text.len();
        }
        for (at, marker) in checkbox_occurrences(line.text) {
            let marker_range = line.start + at..line.start + at + marker.len();
            let text_after = line.text[at + marker.len()..].trim().to_string();
            items.push(Criterion {
                marker: marker_range,
                checked: marker != "- [ ]",
                line: line.range(),
                text: text_after,
            });
        }
    }
    CriteriaSection {
        heading: heading.clone(),
        range: heading.start..end,
        items,
    }
}

/// Every `- [ ]`, `- [x]` and `- [X]` in a line, in order, as chant counts them.
fn checkbox_occurrences(line: &str) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    for marker in ["- [ ]", "- [x]", "- [X]"] {
        found.extend(line.match_indices(marker).map(|(at, _)| (at, marker)));
    }
    found.sort_unstable();
    found
}

fn odd_criteria(lines: &[Line], section: &CriteriaSection, out: &mut Vec<OddCriterion>) {
    for line in lines
        .iter()
        .filter(|l| l.start > section.heading.start && l.start <= section.range.end)
    {
        let trimmed = line.trimmed();
        if line.in_fence || line.is_fence_line || trimmed.starts_with("~~~") {
            continue;
        }
        if line.in_tilde {
            if !checkbox_occurrences(line.text).is_empty() {
                out.push(OddCriterion {
                    range: line.trimmed_range(),
                    kind: OddKind::CountedInTildeFence,
                });
            }
            continue;
        }
        if checkbox_occurrences(line.text).is_empty() && is_uncounted_checkbox(trimmed) {
            out.push(OddCriterion {
                range: line.trimmed_range(),
                kind: OddKind::UncountedMarker,
            });
        }
    }
}

/// A list item with a checkbox written in a form chant does not count.
fn is_uncounted_checkbox(trimmed: &str) -> bool {
    let rest = if let Some(r) = trimmed.strip_prefix(['*', '+']) {
        r
    } else if let Some(r) = trimmed.strip_prefix('-') {
        r
    } else {
        let digits = trimmed.len()
            - trimmed
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .len();
        if digits == 0 {
            return false;
        }
        match trimmed[digits..].strip_prefix(['.', ')']) {
            Some(r) => r,
            None => return false,
        }
    };
    let rest = rest.trim_start();
    let Some(inside) = rest.strip_prefix('[') else {
        return false;
    };
    let Some(close) = inside.find(']') else {
        return false;
    };
    close <= 3
        && inside[..close]
            .chars()
            .all(|c| matches!(c, ' ' | 'x' | 'X'))
}

fn looks_like_criteria_heading(trimmed: &str) -> bool {
    let Some(level) = heading_level(trimmed) else {
        return false;
    };
    trimmed[level as usize..]
        .trim()
        .to_lowercase()
        .starts_with("acceptance criteria")
}

fn heading_level(trimmed: &str) -> Option<u8> {
    let hashes = trimmed.len() - trimmed.trim_start_matches('#').len();
    let after = &trimmed[hashes..];
    ((1..=6).contains(&hashes) && (after.is_empty() || after.starts_with([' ', '\t'])))
        .then_some(hashes as u8)
}

fn inside_any(ranges: &[TextRange], offset: usize) -> bool {
    let i = ranges.partition_point(|r| r.end < offset);
    ranges
        .get(i)
        .is_some_and(|r| r.start <= offset && offset <= r.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Body {
        read_body(text, 0..text.len())
    }

    #[test]
    fn title_is_the_first_hash_space_line_even_inside_a_fence() {
        let b = body("```sh\n# comment\n```\n# Real\n");
        assert_eq!(b.title.unwrap().text, "comment");
    }

    #[test]
    fn counts_like_chant() {
        let text = "# T\n## Acceptance Criteria\n- [ ] a - [ ] b\n  - [x] nested\n* [ ] star\n```\n- [ ] fenced\n```\n### Sub\n- [X] still in\n## Next\n- [ ] after\n";
        let b = body(text);
        let c = b.criteria.as_ref().unwrap();
        let markers: Vec<_> = c
            .items
            .iter()
            .map(|i| (&text[i.marker.clone()], i.checked))
            .collect();
        assert_eq!(
            markers,
            [
                ("- [ ]", false),
                ("- [ ]", false),
                ("- [x]", true),
                ("- [X]", true)
            ]
        );
        assert_eq!(b.unchecked_count(), 2);
        assert_eq!(c.items[0].text, "a - [ ] b");
        assert_eq!(
            b.odd_criteria,
            vec![OddCriterion {
                range: 58..68,
                kind: OddKind::UncountedMarker
            }]
        );
        assert_eq!(&text[c.range.clone()], "## Acceptance Criteria\n- [ ] a - [ ] b\n  - [x] nested\n* [ ] star\n```\n- [ ] fenced\n```\n### Sub\n- [X] still in");
    }

    #[test]
    fn the_last_criteria_heading_wins() {
        let text = "## Acceptance Criteria\n- [ ] old\n## Acceptance Criteria (must)\n- [x] new\n### Acceptance Criteria\n## acceptance criteria\n";
        let b = body(text);
        assert_eq!(b.total_checkboxes(), 1);
        assert_eq!(b.superseded_criteria_headings, vec![0..22]);
        assert_eq!(b.unrecognised_criteria_headings.len(), 2);
    }

    #[test]
    fn tilde_fences_are_not_fences_to_chant() {
        let text = "## Acceptance Criteria\n~~~\n- [ ] in tilde\n~~~\n";
        let b = body(text);
        assert_eq!(b.total_checkboxes(), 1);
        assert_eq!(b.odd_criteria[0].kind, OddKind::CountedInTildeFence);
    }

    #[test]
    fn agent_output_fence_swallows_the_rest() {
        let text =
            "# T\n## Agent Output\n\n```\nDone.```\n\n## Acceptance Criteria\n- [ ] hidden\n";
        let b = body(text);
        assert!(b.criteria.is_none());
        assert_eq!(b.fences.len(), 1);
        assert!(b.fences[0].close.is_none());
    }

    #[test]
    fn mentions_skip_code() {
        let text = "See 2026-01-01-001-abc.\n```\n2026-01-01-002-abc\n```\n";
        let b = body(text);
        assert_eq!(
            b.mentions,
            vec![Mention {
                id: "2026-01-01-001-abc".into(),
                range: 4..22
            }]
        );
    }

    #[test]
    fn crlf_lines() {
        let text = "# T\r\n## Acceptance Criteria\r\n- [ ] a\r\n";
        let b = body(text);
        assert_eq!(b.title.as_ref().unwrap().range, 0..3);
        assert_eq!(b.criteria.unwrap().items[0].line, 29..36);
    }
}
