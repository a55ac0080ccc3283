//! Complexity (chant's `scoring::calculate_complexity`): the checkboxes of
//! the counted `## Acceptance Criteria` section, the `target_files` and the
//! body's words. Any one measure at a grade's threshold gives that grade,
//! checked from D down: D at 8 criteria, 5 files or 600 words; C at 6 / 4 /
//! 400; B at 4 / 3 / 200; else A.

use super::Grade;

/// The thresholds, worst grade first: (grade, criteria, target files, words).
const STEPS: [(Grade, usize, usize, usize); 3] = [
    (Grade::D, 8, 5, 600),
    (Grade::C, 6, 4, 400),
    (Grade::B, 4, 3, 200),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complexity {
    pub grade: Grade,
    /// Every `- [ ]`, `- [x]` and `- [X]` in the last `## Acceptance
    /// Criteria` section (chant's `count_total_checkboxes`, the count
    /// `chant work` and `chant lint` use).
    pub criteria: usize,
    /// Entries of `target_files` (duplicates count).
    pub target_files: usize,
    /// Whitespace-separated words of the body, title and code included.
    pub words: usize,
}

/// One of the three measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Criteria,
    TargetFiles,
    Words,
}

/// A measure at or over the threshold of the grade it caused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cause {
    pub measure: Measure,
    pub value: usize,
    /// The smallest value that gives this grade.
    pub threshold: usize,
}

impl Cause {
    /// "9 criteria", "5 target files", "612 words".
    pub fn describe(&self) -> String {
        match self.measure {
            Measure::Criteria => super::plural(self.value, "criterion", "criteria"),
            Measure::TargetFiles => super::plural(self.value, "target file", "target files"),
            Measure::Words => super::plural(self.value, "word", "words"),
        }
    }
}

pub(super) fn grade(criteria: usize, target_files: usize, words: usize) -> Complexity {
    let grade = STEPS
        .iter()
        .find(|(_, c, f, w)| criteria >= *c || target_files >= *f || words >= *w)
        .map_or(Grade::A, |step| step.0);
    Complexity {
        grade,
        criteria,
        target_files,
        words,
    }
}

impl Complexity {
    /// The measures that gave this grade (at or over its threshold), in the
    /// order criteria, target files, words; empty for A.
    pub fn causes(&self) -> Vec<Cause> {
        let Some(&(_, criteria, files, words)) = STEPS.iter().find(|s| s.0 == self.grade) else {
            return Vec::new();
        };
        [
            (Measure::Criteria, self.criteria, criteria),
            (Measure::TargetFiles, self.target_files, files),
            (Measure::Words, self.words, words),
        ]
        .into_iter()
        .filter(|(_, value, threshold)| value >= threshold)
        .map(|(measure, value, threshold)| Cause {
            measure,
            value,
            threshold,
        })
        .collect()
    }

    /// Why, for people: "9 criteria" for a grade from its causes; the three
    /// measures for A.
    pub fn describe(&self) -> String {
        let causes = self.causes();
        if causes.is_empty() {
            return format!(
                "{}, {}, {}",
                super::plural(self.criteria, "criterion", "criteria"),
                super::plural(self.target_files, "target file", "target files"),
                super::plural(self.words, "word", "words")
            );
        }
        causes
            .iter()
            .map(Cause::describe)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// "9 criteria (D from 8)".
    pub fn explain(&self) -> String {
        let causes = self.causes();
        if causes.is_empty() {
            return format!(
                "{}: under 4 criteria, 3 target files and 200 words",
                self.describe()
            );
        }
        causes
            .iter()
            .map(|c| {
                format!(
                    "{} ({} from {})",
                    c.describe(),
                    self.grade.as_str(),
                    c.threshold
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_measure_alone_reaches_each_grade_at_chants_thresholds() {
        for (criteria, grade) in [
            (0, Grade::A),
            (3, Grade::A),
            (4, Grade::B),
            (5, Grade::B),
            (6, Grade::C),
            (7, Grade::C),
            (8, Grade::D),
        ] {
            assert_eq!(super::grade(criteria, 0, 0).grade, grade, "{criteria}");
        }
        for (files, grade) in [(2, Grade::A), (3, Grade::B), (4, Grade::C), (5, Grade::D)] {
            assert_eq!(super::grade(0, files, 0).grade, grade, "{files}");
        }
        for (words, grade) in [
            (199, Grade::A),
            (200, Grade::B),
            (399, Grade::B),
            (400, Grade::C),
            (599, Grade::C),
            (600, Grade::D),
        ] {
            assert_eq!(super::grade(0, 0, words).grade, grade, "{words}");
        }
    }

    #[test]
    fn causes_are_the_measures_at_the_grade() {
        let c = super::grade(9, 5, 100);
        assert_eq!(c.grade, Grade::D);
        assert_eq!(
            c.causes(),
            vec![
                Cause {
                    measure: Measure::Criteria,
                    value: 9,
                    threshold: 8
                },
                Cause {
                    measure: Measure::TargetFiles,
                    value: 5,
                    threshold: 5
                }
            ]
        );
        assert_eq!(c.describe(), "9 criteria, 5 target files");
        assert_eq!(
            c.explain(),
            "9 criteria (D from 8), 5 target files (D from 5)"
        );
        // 4 files is C's threshold, not D's: only the criteria made it D.
        let c = super::grade(8, 4, 450);
        assert_eq!(c.describe(), "8 criteria");
        let a = super::grade(1, 1, 12);
        assert_eq!(a.grade, Grade::A);
        assert!(a.causes().is_empty());
        assert_eq!(a.describe(), "1 criterion, 1 target file, 12 words");
    }
}
