//! chant's suggestions (`score::traffic_light::generate_suggestions`): one
//! fixed sentence per dimension graded C or D (and for criteria graded B),
//! sorted alphabetically. `chant lint` prints the first three of them (and
//! "... and N more") under every spec it grades Review or Refine; `chant
//! work` prints them all when it refuses a Refine spec.

use super::{Dimension, Grade, Grades};

/// chant's sentence for a dimension at a grade, if it has one.
pub fn text(dimension: Dimension, grade: Grade) -> Option<&'static str> {
    Some(match (dimension, grade) {
        (Dimension::Complexity, Grade::D) => {
            "Reduce criteria count or split spec into smaller pieces"
        }
        (Dimension::Complexity, Grade::C) => "Consider reducing scope or splitting into subtasks",
        (Dimension::Confidence, Grade::D) => {
            "Use bullet points instead of prose paragraphs; avoid vague words like 'improve', 'as needed', 'etc', 'similar'"
        }
        (Dimension::Confidence, Grade::C) => {
            "Increase bullet-to-prose ratio (>50%); start bullets with imperative verbs; reduce vague language"
        }
        (Dimension::AcQuality, Grade::D) => "Add at least 1 acceptance criteria checkbox",
        (Dimension::AcQuality, Grade::C) => "Add at least 2 acceptance criteria checkboxes",
        (Dimension::AcQuality, Grade::B) => {
            "Add at least 4 acceptance criteria checkboxes for Grade A"
        }
        (Dimension::Splittability, Grade::D) => {
            "Remove coupling keywords ('tightly coupled', 'depends on each other')"
        }
        (Dimension::Splittability, Grade::C) => {
            "Add target_files and organize with ## section headers to improve splittability"
        }
        (Dimension::Isolation, Grade::D) => {
            "Reduce cross-references between group members to improve isolation"
        }
        (Dimension::Isolation, Grade::C) => "Consider reducing coupling between group members",
        _ => return None,
    })
}

/// chant's list for these grades: (dimension, sentence), sorted by sentence.
pub fn for_grades(grades: &Grades) -> Vec<(Dimension, &'static str)> {
    let mut out: Vec<(Dimension, &'static str)> = [
        (Dimension::Complexity, Some(grades.complexity)),
        (Dimension::Confidence, Some(grades.confidence)),
        (Dimension::AcQuality, Some(grades.ac_quality)),
        (Dimension::Splittability, Some(grades.splittability)),
        (Dimension::Isolation, grades.isolation),
    ]
    .into_iter()
    .filter_map(|(d, g)| text(d, g?).map(|t| (d, t)))
    .collect();
    out.sort_by_key(|(_, t)| *t);
    out
}

/// The lines `chant lint` prints under a spec it grades Review or Refine:
/// the first three sentences, then "... and N more" when there are more.
pub fn lint_lines(grades: &Grades) -> Vec<String> {
    if grades.light == super::Light::Ready {
        return Vec::new();
    }
    let all = for_grades(grades);
    let mut lines: Vec<String> = all.iter().take(3).map(|(_, t)| t.to_string()).collect();
    if all.len() > 3 {
        lines.push(format!("... and {} more", all.len() - 3));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::quality::Light;

    #[test]
    fn sorted_as_chant_sorts_them_and_cut_at_three_by_lint() {
        let grades = Grades {
            light: Light::Refine,
            complexity: Grade::D,
            confidence: Grade::C,
            splittability: Grade::C,
            ac_quality: Grade::B,
            isolation: Some(Grade::C),
        };
        let texts: Vec<&str> = for_grades(&grades).into_iter().map(|(_, t)| t).collect();
        assert_eq!(
            texts,
            vec![
                "Add at least 4 acceptance criteria checkboxes for Grade A",
                "Add target_files and organize with ## section headers to improve splittability",
                "Consider reducing coupling between group members",
                "Increase bullet-to-prose ratio (>50%); start bullets with imperative verbs; reduce vague language",
                "Reduce criteria count or split spec into smaller pieces",
            ]
        );
        assert_eq!(lint_lines(&grades).len(), 4);
        assert_eq!(lint_lines(&grades)[3], "... and 2 more");
        let ready = Grades {
            light: Light::Ready,
            ..grades
        };
        assert!(lint_lines(&ready).is_empty());
    }
}
