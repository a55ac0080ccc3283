//! chant's quality grades of a spec (chant 0.23.2, `src/scoring.rs` and
//! `src/score/`), restated exactly, with the reasons behind each grade.
//!
//! Five dimensions, each graded A (best) to D:
//!
//! - **complexity** ([`complexity`]): counted criteria, `target_files`, words;
//! - **confidence** ([`confidence`]): bullets against prose, imperative
//!   verbs, vague phrases;
//! - **splittability** ([`splittability`]): `##` headings, target files,
//!   coupling phrases, member IDs;
//! - **acceptance criteria** ([`criteria`]): checkbox lines with text;
//! - **isolation** ([`isolation`]), only for a spec with members.
//!
//! The light: any D among complexity, confidence and criteria is Refine;
//! all three A or B is Ready; else Review. Splittability and isolation never
//! change it. `chant work`, run without a terminal (as the editor runs it),
//! refuses a Refine spec ("Cannot proceed in non-interactive mode with
//! quality issues") unless `--skip-criteria`.
//!
//! chant grades in two places, not quite alike, and both are kept here:
//!
//! - `chant work`'s gate (`scoring::calculate_spec_score`, also what
//!   `chant mcp`'s `chant_lint` tool reports) is [`Quality`]'s own fields:
//!   criteria counted anywhere, isolation over members in every folder of
//!   `.chant/specs`. It decides the refusal.
//! - `chant lint`'s text output (`cmd/spec/lint.rs`) is [`Quality::lint`]:
//!   criteria counted only in the first `## Acceptance Criteria` section
//!   (`- [ ]` and `- [x]`, not `- [X]`), isolation over the top-level
//!   specs, and confidence B for every spec when chant cannot load its
//!   config. `chant lint --verbose` prints these grades.
//!
//! Entry points: [`assess`] (the spec's own text: the gate, no ID or
//! members), [`assess_spec`] (everything, with the spec's ID and its
//! members read through [`WorkspaceFacts`]), [`grade`] (the pure core).
//! [`hints`] turns chant's suggestions into hint diagnostics.

pub mod complexity;
pub mod confidence;
pub mod criteria;
pub(super) mod hints;
pub mod isolation;
mod scan;
pub mod splittability;
pub mod suggestions;

pub use complexity::Complexity;
pub use confidence::Confidence;
pub use criteria::AcQuality;
pub use isolation::{Isolation, Member};
pub use splittability::Splittability;

use std::path::Path;

use super::WorkspaceFacts;
use crate::spec::config::ChantConfig;
use crate::spec::SpecModel;
use crate::text::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grade {
    A,
    B,
    C,
    D,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
        }
    }
}

/// chant's traffic light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Light {
    Ready,
    Review,
    Refine,
}

impl Light {
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Ready => "Ready",
            Light::Review => "Review",
            Light::Refine => "Refine",
        }
    }

    /// The emoji chant prints before the light.
    pub fn emoji(self) -> &'static str {
        match self {
            Light::Ready => "🟢",
            Light::Review => "🟡",
            Light::Refine => "🔴",
        }
    }

    /// As chant prints it: "🔴 Refine".
    pub fn chant_label(self) -> String {
        format!("{} {}", self.emoji(), self.as_str())
    }

    /// chant's `determine_status`.
    pub fn of(complexity: Grade, confidence: Grade, ac_quality: Grade) -> Light {
        let core = [complexity, confidence, ac_quality];
        if core.contains(&Grade::D) {
            Light::Refine
        } else if core.iter().all(|g| *g <= Grade::B) {
            Light::Ready
        } else {
            Light::Review
        }
    }
}

/// A graded dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    Complexity,
    Confidence,
    Splittability,
    AcQuality,
    Isolation,
}

impl Dimension {
    /// As chant names it in `chant lint`'s output: "AC Quality".
    pub fn chant_name(self) -> &'static str {
        match self {
            Dimension::Complexity => "Complexity",
            Dimension::Confidence => "Confidence",
            Dimension::Splittability => "Splittable",
            Dimension::AcQuality => "AC Quality",
            Dimension::Isolation => "Isolation",
        }
    }

    /// For sentences: "acceptance criteria".
    pub fn noun(self) -> &'static str {
        match self {
            Dimension::Complexity => "complexity",
            Dimension::Confidence => "confidence",
            Dimension::Splittability => "splittability",
            Dimension::AcQuality => "acceptance criteria",
            Dimension::Isolation => "isolation",
        }
    }

    /// Whether a D here makes the light Refine.
    pub fn decides_light(self) -> bool {
        matches!(
            self,
            Dimension::Complexity | Dimension::Confidence | Dimension::AcQuality
        )
    }
}

/// The letters alone, as chant prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Grades {
    pub light: Light,
    pub complexity: Grade,
    pub confidence: Grade,
    pub splittability: Grade,
    pub ac_quality: Grade,
    /// Only for a spec with members.
    pub isolation: Option<Grade>,
}

impl Grades {
    /// `chant lint --verbose`'s line, without the spec ID:
    /// "🔴 Refine | Complexity: D | Confidence: C | Splittable: C | AC Quality: A".
    pub fn chant_line(&self) -> String {
        let mut line = format!(
            "{} | Complexity: {} | Confidence: {} | Splittable: {}",
            self.light.chant_label(),
            self.complexity.as_str(),
            self.confidence.as_str(),
            self.splittability.as_str()
        );
        if let Some(isolation) = self.isolation {
            line.push_str(&format!(" | Isolation: {}", isolation.as_str()));
        }
        line.push_str(&format!(" | AC Quality: {}", self.ac_quality.as_str()));
        line
    }
}

/// chant's grades of one spec, with their reasons. The fields are `chant
/// work`'s view (its quality gate); [`Quality::lint`] holds where `chant
/// lint` grades differently.
#[derive(Debug, Clone, PartialEq)]
pub struct Quality {
    pub light: Light,
    pub complexity: Complexity,
    pub confidence: Confidence,
    pub splittability: Splittability,
    pub ac_quality: AcQuality,
    /// Over the members `chant work` loads (every folder of `.chant/specs`).
    pub isolation: Option<Isolation>,
    pub lint: LintView,
    /// chant's suggestions for these grades, sorted as chant sorts them
    /// (chant prints them only for a Review or Refine spec).
    pub suggestions: Vec<Suggestion>,
}

/// What `chant lint` grades differently from `chant work`.
#[derive(Debug, Clone, PartialEq)]
pub struct LintView {
    pub light: Light,
    /// B for every spec when chant cannot load its config (it then scores
    /// confidence with a fallback), else the same as `chant work`'s.
    pub confidence: Grade,
    pub config_unloaded: bool,
    /// Counted in the first `## Acceptance Criteria` section only.
    pub ac_quality: AcQuality,
    /// Over the top-level members (the specs `chant lint` reads).
    pub isolation: Option<Isolation>,
}

/// One of chant's suggestions, with the places in the spec it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub dimension: Dimension,
    pub grade: Grade,
    /// chant's sentence, verbatim.
    pub text: &'static str,
    /// The text it is about, in text order: the criteria heading or the
    /// `target_files` field for complexity, each vague phrase for
    /// confidence, each counted checkbox line for criteria, the
    /// `target_files` field (else the frontmatter's opening `---`) or each
    /// coupling phrase for splittability, the
    /// `members` field for isolation. Empty when it is about the whole
    /// spec (then the title is the place to show it).
    pub about: Vec<TextRange>,
}

/// The members of a spec, read as chant reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Members {
    /// Every spec in any folder of `.chant/specs` (`chant work`).
    pub all: Vec<Member>,
    /// The top-level ones (`chant lint`).
    pub top_level: Vec<Member>,
}

/// The spec's own grades, from its text alone: what `chant work`'s gate
/// needs (complexity, confidence, criteria, so the light and the refusal
/// are exact). Splittability is graded as for a spec that is not a member,
/// and isolation is not graded: use [`assess_spec`] for those.
pub fn assess(text: &str, model: &SpecModel, config: &ChantConfig) -> Quality {
    grade(text, model, config, None, &Members::default())
}

/// Everything chant grades for spec `id`: its members (the specs
/// `<id>.…`) are read from disk through `ws`, as chant reads them.
pub fn assess_spec(text: &str, model: &SpecModel, id: &str, ws: &dyn WorkspaceFacts) -> Quality {
    grade(text, model, ws.config(), Some(id), &members_of(id, ws))
}

/// The members chant grades `id`'s isolation on: every spec chant can
/// parse whose ID is `<id>.` and more, once per file (chant loads a file
/// in a subfolder that repeats an ID as a spec of its own).
pub fn members_of(id: &str, ws: &dyn WorkspaceFacts) -> Members {
    let mut ids = ws.member_ids(id);
    ids.sort();
    ids.dedup();
    let mut members = Members::default();
    for member in ids {
        for path in ws.spec_files(&member, usize::MAX).0 {
            let Some(text) = path.to_str().and_then(|p| ws.read_file(p)) else {
                continue;
            };
            let Some(read) = Member::read(&member, &text) else {
                continue;
            };
            if path.parent() == Some(Path::new(".chant/specs")) {
                members.top_level.push(read.clone());
            }
            members.all.push(read);
        }
    }
    members
}

/// chant's grades of a spec. `id` is its ID when known (a member ID makes
/// splittability C); `members` are its members as [`members_of`] reads them.
pub fn grade(
    text: &str,
    model: &SpecModel,
    config: &ChantConfig,
    id: Option<&str>,
    members: &Members,
) -> Quality {
    let body = model.layout.body.clone();
    let target_files = model.values().target_files.as_ref().map_or(0, Vec::len);
    let criteria = model.body.total_checkboxes();
    let complexity = complexity::grade(criteria, target_files, model.body.word_count);
    // Every rule reads the same lines; two search the lowercased body.
    let lines: Vec<(usize, &str)> = scan::lines(text, body.clone()).collect();
    let lowered = scan::Lowered::new(text, body.clone());
    let empty = text[body].trim().is_empty();
    let confidence = confidence::grade(&lines, empty, &lowered);
    let splittability = splittability::grade(&lines, &lowered, id, criteria, target_files);
    let ac_quality = criteria::of_work(&lines);
    let isolation = isolation::grade(&members.all);
    let light = Light::of(complexity.grade, confidence.grade, ac_quality.grade);

    let config_unloaded = config.problem.is_some();
    let lint_confidence = if config_unloaded {
        Grade::B
    } else {
        confidence.grade
    };
    let lint_ac = criteria::of_lint(&lines);
    let lint = LintView {
        light: Light::of(complexity.grade, lint_confidence, lint_ac.grade),
        confidence: lint_confidence,
        config_unloaded,
        ac_quality: lint_ac,
        isolation: isolation::grade(&members.top_level),
    };
    let mut quality = Quality {
        light,
        complexity,
        confidence,
        splittability,
        ac_quality,
        isolation,
        lint,
        suggestions: Vec::new(),
    };
    quality.suggestions = suggestions::for_grades(&quality.grades())
        .into_iter()
        .map(|(dimension, text)| Suggestion {
            dimension,
            grade: quality.grade_of(dimension).unwrap_or(Grade::A),
            text,
            about: about(&quality, model, dimension),
        })
        .collect();
    quality
}

/// The places a suggestion on `dimension` is about (see [`Suggestion::about`]).
fn about(quality: &Quality, model: &SpecModel, dimension: Dimension) -> Vec<TextRange> {
    let field = |key: &str| {
        model
            .frontmatter
            .outline()
            .entry(key)
            .map(|e| e.range.clone())
    };
    let mut out: Vec<TextRange> = match dimension {
        Dimension::Complexity => quality
            .complexity
            .causes()
            .iter()
            .filter_map(|c| match c.measure {
                complexity::Measure::Criteria => {
                    model.body.criteria.as_ref().map(|s| s.heading.clone())
                }
                complexity::Measure::TargetFiles => field("target_files"),
                complexity::Measure::Words => None,
            })
            .collect(),
        Dimension::Confidence => quality
            .confidence
            .vague
            .iter()
            .map(|v| v.range.clone())
            .collect(),
        Dimension::AcQuality => quality.ac_quality.items.clone(),
        Dimension::Splittability => match quality.splittability.rule {
            splittability::Rule::Coupled => quality
                .splittability
                .coupling
                .iter()
                .map(|c| c.range.clone())
                .collect(),
            // The `target_files` field, else the frontmatter without it.
            splittability::Rule::Focused => field("target_files")
                .or_else(|| model.layout.frontmatter.as_ref().map(|f| f.opening.clone()))
                .into_iter()
                .collect(),
            _ => Vec::new(),
        },
        Dimension::Isolation => field("members").into_iter().collect(),
    };
    out.sort_by_key(|r| (r.start, r.end));
    out
}

impl Quality {
    /// `chant work`'s letters.
    pub fn grades(&self) -> Grades {
        Grades {
            light: self.light,
            complexity: self.complexity.grade,
            confidence: self.confidence.grade,
            splittability: self.splittability.grade,
            ac_quality: self.ac_quality.grade,
            isolation: self.isolation.as_ref().map(|i| i.grade),
        }
    }

    /// `chant lint`'s letters (what `chant lint --verbose` prints).
    pub fn lint_grades(&self) -> Grades {
        Grades {
            light: self.lint.light,
            complexity: self.complexity.grade,
            confidence: self.lint.confidence,
            splittability: self.splittability.grade,
            ac_quality: self.lint.ac_quality.grade,
            isolation: self.lint.isolation.as_ref().map(|i| i.grade),
        }
    }

    /// `chant work`'s grade of a dimension (None: isolation not graded).
    pub fn grade_of(&self, dimension: Dimension) -> Option<Grade> {
        let g = self.grades();
        match dimension {
            Dimension::Complexity => Some(g.complexity),
            Dimension::Confidence => Some(g.confidence),
            Dimension::Splittability => Some(g.splittability),
            Dimension::AcQuality => Some(g.ac_quality),
            Dimension::Isolation => g.isolation,
        }
    }

    /// Why a dimension has its grade, with the numbers: "9 criteria (D from 8)".
    pub fn explain(&self, dimension: Dimension) -> Option<String> {
        Some(match dimension {
            Dimension::Complexity => self.complexity.explain(),
            Dimension::Confidence => self.confidence.explain(),
            Dimension::Splittability => self.splittability.explain(),
            Dimension::AcQuality => self.ac_quality.explain(),
            Dimension::Isolation => self.isolation.as_ref()?.explain(),
        })
    }

    /// The reasons for the grades that hold the light down (complexity,
    /// confidence and criteria graded C or D), briefly, in that order:
    /// "complexity D (9 criteria)".
    pub fn reasons(&self) -> Vec<String> {
        let mut reasons = Vec::new();
        if self.complexity.grade >= Grade::C {
            reasons.push(format!(
                "complexity {} ({})",
                self.complexity.grade.as_str(),
                self.complexity.describe()
            ));
        }
        if self.confidence.grade >= Grade::C {
            reasons.push(format!(
                "confidence {} ({})",
                self.confidence.grade.as_str(),
                self.confidence.describe()
            ));
        }
        match self.ac_quality.items.len() {
            0 => {
                reasons.push("acceptance criteria D: no acceptance criteria (`- [ ]` items)".into())
            }
            1 => reasons.push("acceptance criteria C: 1 `- [ ]` item".into()),
            _ => {}
        }
        reasons
    }

    /// A one-line summary: "Refine: complexity D (9 criteria)".
    pub fn summary(&self) -> String {
        let reasons = self.reasons();
        if reasons.is_empty() {
            return self.light.as_str().to_string();
        }
        format!("{}: {}", self.light.as_str(), reasons.join("; "))
    }

    /// `chant work` without a terminal refuses this spec (unless
    /// `--skip-criteria`).
    pub fn refused_without_terminal(&self) -> bool {
        self.light == Light::Refine
    }
}

/// `1 criterion`, `2 criteria`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quality(text: &str) -> Quality {
        assess(text, &SpecModel::parse(text), &ChantConfig::default())
    }

    fn spec(front: &str, body: &str) -> String {
        format!("---\n{front}---\n{body}")
    }

    fn criteria(n: usize) -> String {
        let mut s = String::from("## Acceptance Criteria\n\n");
        for i in 0..n {
            s.push_str(&format!("- [ ] Add item {i}\n"));
        }
        s
    }

    #[test]
    fn the_light_follows_chants_determine_status() {
        use Grade::*;
        assert_eq!(Light::of(A, A, A), Light::Ready);
        assert_eq!(Light::of(B, B, B), Light::Ready);
        assert_eq!(Light::of(C, A, A), Light::Review);
        assert_eq!(Light::of(A, C, B), Light::Review);
        assert_eq!(Light::of(A, A, C), Light::Review);
        assert_eq!(Light::of(D, A, A), Light::Refine);
        assert_eq!(Light::of(A, D, A), Light::Refine);
        assert_eq!(Light::of(C, C, D), Light::Refine);
    }

    #[test]
    fn a_spec_graded_in_every_dimension_with_its_reasons() {
        let text = spec(
            "target_files: [a.rs, b.rs]\n",
            &format!(
                "# T\n\nSome prose, etc. Improve similar things.\n\n{}",
                criteria(9)
            ),
        );
        let q = quality(&text);
        assert_eq!(
            q.grades(),
            Grades {
                light: Light::Refine,
                complexity: Grade::D,
                confidence: Grade::C,
                splittability: Grade::B,
                ac_quality: Grade::A,
                isolation: None,
            }
        );
        assert_eq!(q.complexity.explain(), "9 criteria (D from 8)");
        assert_eq!(q.confidence.bullets.len(), 9);
        assert_eq!(q.confidence.prose.len(), 1);
        assert_eq!(q.confidence.imperative.len(), 9);
        let vague: Vec<&str> = q
            .confidence
            .vague
            .iter()
            .map(|v| &text[v.range.clone()])
            .collect();
        assert_eq!(vague, vec!["etc", "Improve", "similar"]);
        assert_eq!(
            q.summary(),
            "Refine: complexity D (9 criteria); confidence C (90 % bullets, 100 % of them imperative, 3 vague)"
        );
        assert!(q.refused_without_terminal());
        let texts: Vec<(Dimension, &str)> = q
            .suggestions
            .iter()
            .map(|s| (s.dimension, s.text))
            .collect();
        assert_eq!(
            texts,
            vec![
                (
                    Dimension::Confidence,
                    "Increase bullet-to-prose ratio (>50%); start bullets with imperative verbs; reduce vague language"
                ),
                (
                    Dimension::Complexity,
                    "Reduce criteria count or split spec into smaller pieces"
                ),
            ]
        );
        let about: Vec<Vec<&str>> = q
            .suggestions
            .iter()
            .map(|s| s.about.iter().map(|r| &text[r.clone()]).collect())
            .collect();
        assert_eq!(
            about,
            vec![
                vec!["etc", "Improve", "similar"],
                vec!["## Acceptance Criteria"]
            ]
        );
        assert_eq!(
            q.grades().chant_line(),
            "🔴 Refine | Complexity: D | Confidence: C | Splittable: B | AC Quality: A"
        );
    }

    #[test]
    fn work_and_lint_count_criteria_differently() {
        let text = spec(
            "",
            "# T\n\n### Acceptance Criteria\n\n- [ ] add one\n- [X] add two\n",
        );
        let q = quality(&text);
        assert_eq!(q.ac_quality.grade, Grade::B);
        assert_eq!(q.light, Light::Ready);
        assert_eq!(q.lint.ac_quality.grade, Grade::D);
        assert_eq!(q.lint.light, Light::Refine);
        assert!(!q.refused_without_terminal());
    }

    #[test]
    fn lint_grades_confidence_b_when_the_config_does_not_load() {
        let text = spec("", "");
        let broken = ChantConfig::parse("# no frontmatter\n");
        assert!(broken.problem.is_some());
        let q = grade(
            &text,
            &SpecModel::parse(&text),
            &broken,
            None,
            &Members::default(),
        );
        assert_eq!(q.confidence.grade, Grade::D);
        assert_eq!(q.lint.confidence, Grade::B);
        assert!(q.lint.config_unloaded);
        assert_eq!(q.lint_grades().confidence, Grade::B);
    }

    #[test]
    fn summaries_keep_their_words() {
        let q = quality(&spec("", &format!("# T\n\n{}", criteria(9))));
        assert!(q.summary().starts_with("Refine: complexity D (9 criteria)"));
        let ready = quality(&spec("", "# T\n\n- [ ] add a\n- [ ] fix b\n"));
        assert_eq!(ready.light, Light::Ready, "{}", ready.summary());
        assert_eq!(ready.summary(), "Ready");
        assert_eq!(
            quality(&spec("", "# T\n\n- [ ] add a\n")).summary(),
            "Review: acceptance criteria C: 1 `- [ ]` item"
        );
        assert_eq!(
            quality("---\n---\n").summary(),
            "Refine: confidence D (empty body); acceptance criteria D: no acceptance criteria (`- [ ]` items)"
        );
    }

    #[test]
    fn isolation_and_splittability_need_the_id_and_members() {
        let text = spec(
            "target_files: [a, b, c]\n",
            "# T\n## A\n## B\n## C\n- [ ] add a\n- [ ] add b\n",
        );
        let model = SpecModel::parse(&text);
        let config = ChantConfig::default();
        assert_eq!(assess(&text, &model, &config).splittability.grade, Grade::A);
        let member = grade(&text, &model, &config, Some("x.1"), &Members::default());
        assert_eq!(member.splittability.rule, splittability::Rule::Member);
        let m = |id: &str, body: &str| Member::read(id, &format!("---\n---\n{body}")).unwrap();
        let members = Members {
            all: vec![m("x.1", "see member 2"), m("x.2", ""), m("x.3", "")],
            top_level: vec![m("x.1", "see member 2"), m("x.2", "")],
        };
        let q = grade(&text, &model, &config, Some("x"), &members);
        assert_eq!(q.isolation.as_ref().map(|i| i.grade), Some(Grade::C));
        assert_eq!(q.lint.isolation.as_ref().map(|i| i.grade), Some(Grade::D));
        assert_eq!(q.grades().isolation, Some(Grade::C));
        assert_eq!(q.lint_grades().isolation, Some(Grade::D));
        assert!(q
            .suggestions
            .iter()
            .any(|s| s.text == "Consider reducing coupling between group members"));
    }
}
