//! Splittability (chant's `score::splittability::calculate_splittability`):
//! whether the spec could be split. A member spec (an ID with a numeric
//! dot-part, `x.1`) and a spec with exactly one counted criterion are C.
//! Else, with `##` headings (lines outside ``` fences starting with `##`,
//! `###` included) and `target_files`: 3+ headings and 3+ files is A, 1–2
//! headings and exactly 2 files is B, either turned D by a coupling phrase
//! (`depends on each other`, `tightly coupled`, anywhere in the lowercased
//! body); everything else is C. chant prints C as a suggestion, yet calls
//! it a focused spec: it never changes the light.

use std::sync::LazyLock;

use super::scan::{offset_in, Lowered, Phrase};
use super::Grade;
use crate::text::TextRange;

/// chant's coupling phrases, in its order.
pub const COUPLING_PHRASES: &[&str] = &["depends on each other", "tightly coupled"];

static COUPLING: LazyLock<Vec<Phrase>> =
    LazyLock::new(|| COUPLING_PHRASES.iter().map(|p| Phrase::new(p)).collect());

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splittability {
    pub grade: Grade,
    pub rule: Rule,
    /// Heading lines chant counts (`##` and deeper, outside fences), trimmed.
    pub headings: Vec<TextRange>,
    pub target_files: usize,
    /// Counted criteria (as for complexity).
    pub criteria: usize,
    /// Every coupling phrase in the body, in text order.
    pub coupling: Vec<Coupling>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coupling {
    pub phrase: &'static str,
    pub range: TextRange,
}

/// The rule of chant's that decided the grade, checked in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// C: the spec's ID marks it as a member (already split).
    Member,
    /// C: exactly one counted criterion (atomic).
    SingleCriterion,
    /// A: 3+ headings and 3+ target files.
    Sections,
    /// B: 1–2 headings and exactly 2 target files.
    SomeStructure,
    /// D: the structure of A or B, with a coupling phrase.
    Coupled,
    /// C: anything else.
    Focused,
}

/// chant's `is_part_of_group`: some dot-separated part after the first is
/// all ASCII digits.
pub fn is_member_id(id: &str) -> bool {
    id.split('.')
        .skip(1)
        .any(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

pub(super) fn grade(
    lines: &[(usize, &str)],
    lowered: &Lowered,
    id: Option<&str>,
    criteria: usize,
    target_files: usize,
) -> Splittability {
    let mut headings = Vec::new();
    let mut in_fence = false;
    for &(start, line) in lines {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence && trimmed.starts_with("##") {
            let at = offset_in(start, line, trimmed);
            headings.push(at..at + trimmed.len());
        }
    }
    let mut coupling: Vec<Coupling> = COUPLING
        .iter()
        .flat_map(|phrase| {
            lowered
                .find_all(phrase)
                .into_iter()
                .map(move |range| Coupling {
                    phrase: phrase.text,
                    range,
                })
        })
        .collect();
    coupling.sort_by_key(|c| c.range.start);
    let coupled = !coupling.is_empty();
    let rule = if id.is_some_and(is_member_id) {
        Rule::Member
    } else if criteria == 1 {
        Rule::SingleCriterion
    } else if headings.len() >= 3 && target_files >= 3 {
        if coupled {
            Rule::Coupled
        } else {
            Rule::Sections
        }
    } else if (1..=2).contains(&headings.len()) && target_files == 2 {
        if coupled {
            Rule::Coupled
        } else {
            Rule::SomeStructure
        }
    } else {
        Rule::Focused
    };
    let grade = match rule {
        Rule::Sections => Grade::A,
        Rule::SomeStructure => Grade::B,
        Rule::Coupled => Grade::D,
        Rule::Member | Rule::SingleCriterion | Rule::Focused => Grade::C,
    };
    Splittability {
        grade,
        rule,
        headings,
        target_files,
        criteria,
        coupling,
    }
}

impl Splittability {
    /// Why, for people.
    pub fn explain(&self) -> String {
        let structure = format!(
            "{} and {}",
            super::plural(self.headings.len(), "`##` heading", "`##` headings"),
            super::plural(self.target_files, "target file", "target files")
        );
        match self.rule {
            Rule::Member => "a member spec: chant grades every member C (already split)".into(),
            Rule::SingleCriterion => {
                "one criterion: chant grades a single-criterion spec C (atomic)".into()
            }
            Rule::Sections => structure,
            Rule::SomeStructure => format!("{structure} (A needs 3 or more of each)"),
            Rule::Coupled => {
                let phrase = self.coupling.first().map_or("", |c| c.phrase);
                format!("{structure}, but the body says `{phrase}`")
            }
            Rule::Focused => format!(
                "{structure} (B needs 1 or 2 headings and exactly 2 target files, A 3 or more of each)"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::quality::scan::lines;

    fn split(id: &str, body: &str, criteria: usize, files: usize) -> Splittability {
        let lowered = Lowered::new(body, 0..body.len());
        let lines: Vec<(usize, &str)> = lines(body, 0..body.len()).collect();
        grade(&lines, &lowered, Some(id), criteria, files)
    }

    #[test]
    fn member_ids_as_chant_reads_them() {
        assert!(is_member_id("2026-01-25-00y-abc.1"));
        assert!(is_member_id("2026-01-25-00y-abc.1.2"));
        assert!(is_member_id("a.x.3"));
        assert!(!is_member_id("2026-01-25-00y-abc"));
        assert!(!is_member_id("a.1x"));
        assert!(!is_member_id("a."));
        assert!(!is_member_id("a.١"), "only ASCII digits");
    }

    #[test]
    fn chants_rules_in_chants_order() {
        let three = "## A\n### B\n##C\n";
        assert_eq!(split("x", three, 3, 3).grade, Grade::A);
        assert_eq!(split("x.1", three, 3, 3).rule, Rule::Member);
        assert_eq!(split("x", three, 1, 3).rule, Rule::SingleCriterion);
        assert_eq!(split("x", three, 0, 3).grade, Grade::A);
        assert_eq!(split("x", "## A\n", 2, 2).grade, Grade::B);
        assert_eq!(split("x", "## A\n", 2, 3).grade, Grade::C);
        assert_eq!(split("x", three, 2, 2).grade, Grade::C);
        let coupled = "## A\nThese are Tightly Coupled.\n";
        let s = split("x", coupled, 2, 2);
        assert_eq!((s.grade, s.rule), (Grade::D, Rule::Coupled));
        assert_eq!(&coupled[s.coupling[0].range.clone()], "Tightly Coupled");
        // Coupling does not touch C.
        assert_eq!(split("x", coupled, 2, 1).grade, Grade::C);
    }

    #[test]
    fn headings_in_fences_and_single_hashes_do_not_count() {
        let body = "# Title\n```\n## not\n```\n  ## yes\n#no\n";
        let s = split("x", body, 0, 0);
        let texts: Vec<&str> = s.headings.iter().map(|r| &body[r.clone()]).collect();
        assert_eq!(texts, vec!["## yes"]);
    }
}
