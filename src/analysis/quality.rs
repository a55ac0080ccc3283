//! chant's quality score of a spec (chant 0.23.2, `chant work` and the
//! text output of `chant lint`), restated: three graded dimensions decide a
//! traffic light, and `chant work` run without a terminal (as the editor
//! runs it) refuses a spec whose light is Refine ("Cannot proceed in
//! non-interactive mode with quality issues") unless `--skip-criteria` is
//! passed.
//!
//! - **Complexity**: from the counted checkboxes (as `chant lint` counts
//!   them), the `target_files` and the body's words. D at 8 criteria, 5
//!   files or 600 words; C at 6 / 4 / 400; B at 4 / 3 / 200; else A.
//! - **Confidence**: from the body's lines outside ``` fences (blank lines
//!   and lines starting with `#` aside, and a bare `-` or `*`): bullets
//!   (`- x`, `* x`) against prose lines, bullets starting with an
//!   imperative verb (checkbox markers skipped), and vague phrases
//!   ("improve", "as needed", "etc", "and related", "similar", counted
//!   anywhere in the lowercased body, fences included). An empty body, under
//!   10 % bullets or more than 8 vague phrases: D. Over 60 % bullets, over
//!   80 % of them imperative and nothing vague: A. Over 30 %, over 50 % and
//!   fewer than 3 vague: B. Else C.
//! - **Acceptance criteria**: `- [ ]`, `- [x]`, `- [X]` lines with text,
//!   anywhere in the body outside ``` fences (not only under the criteria
//!   heading): none D, one C, two or three B, four or more A.
//!
//! Any D: Refine. All of A/B: Ready. Else Review. (chant also grades
//! splittability and, for drivers, isolation; they never change the light.)

use crate::spec::config::ChantConfig;
use crate::spec::SpecModel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

/// What the grades were computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Measures {
    /// Checkboxes chant counts for complexity.
    pub criteria: usize,
    pub target_files: usize,
    pub words: usize,
    pub bullet_lines: usize,
    pub prose_lines: usize,
    pub imperative_bullets: usize,
    pub vague_phrases: usize,
    /// `- [ ]`/`- [x]` lines with text anywhere outside fences.
    pub checkbox_lines: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Quality {
    pub complexity: Grade,
    pub confidence: Grade,
    pub ac_quality: Grade,
    pub light: Light,
    pub measures: Measures,
    /// Why each dimension graded C or D, for people: "complexity D: 9 criteria".
    pub reasons: Vec<String>,
}

impl Quality {
    /// A one-line summary: "Refine: complexity D (9 criteria)".
    pub fn summary(&self) -> String {
        if self.reasons.is_empty() {
            return self.light.as_str().to_string();
        }
        format!("{}: {}", self.light.as_str(), self.reasons.join("; "))
    }

    /// `chant work` without a terminal refuses this spec (unless
    /// `--skip-criteria`).
    pub fn refused_without_terminal(&self) -> bool {
        self.light == Light::Refine
    }
}

const IMPERATIVE_VERBS: &[&str] = &[
    "implement",
    "add",
    "create",
    "update",
    "fix",
    "remove",
    "delete",
    "refactor",
    "test",
    "verify",
    "ensure",
    "validate",
    "configure",
    "setup",
    "install",
    "deploy",
    "build",
    "run",
    "execute",
    "check",
    "document",
    "write",
    "read",
    "parse",
    "handle",
    "process",
    "calculate",
    "compute",
    "convert",
    "transform",
    "migrate",
    "upgrade",
    "downgrade",
];

const VAGUE_PHRASES: &[&str] = &["improve", "as needed", "etc", "and related", "similar"];

/// chant's quality assessment of one spec. `text` is the spec's file text.
/// (`config` is taken for symmetry with chant, whose scoring reads it but
/// uses nothing from it in 0.23.2.)
pub fn assess(text: &str, model: &SpecModel, config: &ChantConfig) -> Quality {
    let _ = config;
    let body = &text[model.layout.body.clone()];
    let criteria = model.body.total_checkboxes();
    let target_files = model.values().target_files.as_ref().map_or(0, Vec::len);
    let words = body.split_whitespace().count();
    let (bullet_lines, prose_lines, imperative_bullets) = bullets(body);
    let vague_phrases = vague(body);
    let checkbox_lines = checkbox_lines(body);
    let measures = Measures {
        criteria,
        target_files,
        words,
        bullet_lines,
        prose_lines,
        imperative_bullets,
        vague_phrases,
        checkbox_lines,
    };

    let mut reasons = Vec::new();
    let complexity = complexity_grade(&measures, &mut reasons);
    let confidence = confidence_grade(body, &measures, &mut reasons);
    let ac_quality = match checkbox_lines {
        0 => Grade::D,
        1 => Grade::C,
        2 | 3 => Grade::B,
        _ => Grade::A,
    };
    match ac_quality {
        Grade::D => {
            reasons.push("acceptance criteria D: no acceptance criteria (`- [ ]` items)".into())
        }
        Grade::C => reasons.push("acceptance criteria C: 1 `- [ ]` item".into()),
        _ => {}
    }
    let light = if [complexity, confidence, ac_quality].contains(&Grade::D) {
        Light::Refine
    } else if [complexity, confidence, ac_quality]
        .iter()
        .all(|g| *g <= Grade::B)
    {
        Light::Ready
    } else {
        Light::Review
    };
    Quality {
        complexity,
        confidence,
        ac_quality,
        light,
        measures,
        reasons,
    }
}

fn complexity_grade(m: &Measures, reasons: &mut Vec<String>) -> Grade {
    let steps = [
        (Grade::D, 8, 5, 600),
        (Grade::C, 6, 4, 400),
        (Grade::B, 4, 3, 200),
    ];
    for (grade, criteria, files, words) in steps {
        let mut why = Vec::new();
        if m.criteria >= criteria {
            why.push(format!("{} criteria", m.criteria));
        }
        if m.target_files >= files {
            why.push(format!("{} target files", m.target_files));
        }
        if m.words >= words {
            why.push(format!("{} words", m.words));
        }
        if !why.is_empty() {
            if grade >= Grade::C {
                reasons.push(format!(
                    "complexity {} ({})",
                    grade.as_str(),
                    why.join(", ")
                ));
            }
            return grade;
        }
    }
    Grade::A
}

fn confidence_grade(body: &str, m: &Measures, reasons: &mut Vec<String>) -> Grade {
    if body.trim().is_empty() {
        reasons.push("confidence D (empty body)".into());
        return Grade::D;
    }
    let lines = m.bullet_lines + m.prose_lines;
    let bullet_ratio = if lines == 0 {
        0.0
    } else {
        m.bullet_lines as f64 / lines as f64
    };
    let verb_ratio = if m.bullet_lines == 0 {
        0.0
    } else {
        m.imperative_bullets as f64 / m.bullet_lines as f64
    };
    let percent = |r: f64| (r * 100.0).round() as usize;
    if bullet_ratio < 0.10 || m.vague_phrases > 8 {
        let why = if bullet_ratio < 0.10 {
            format!(
                "{} % of lines are bullets, under 10 %",
                percent(bullet_ratio)
            )
        } else {
            format!("{} vague phrases, over 8", m.vague_phrases)
        };
        reasons.push(format!("confidence D ({why})"));
        return Grade::D;
    }
    if bullet_ratio > 0.60 && verb_ratio > 0.80 && m.vague_phrases == 0 {
        return Grade::A;
    }
    if bullet_ratio > 0.30 && verb_ratio > 0.50 && m.vague_phrases < 3 {
        return Grade::B;
    }
    reasons.push(format!(
        "confidence C ({} % bullets, {} % of them imperative, {} vague)",
        percent(bullet_ratio),
        percent(verb_ratio),
        m.vague_phrases
    ));
    Grade::C
}

/// Lines outside ``` fences: (bullets, prose, bullets starting with an
/// imperative verb).
fn bullets(body: &str) -> (usize, usize, usize) {
    let (mut bullets, mut prose, mut imperative) = (0, 0, 0);
    let mut fenced = false;
    for line in body.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let item = t.strip_prefix("- ").or_else(|| t.strip_prefix("* "));
        if let Some(content) = item {
            // The verb count looks at every bullet, even blank ones.
            let words = match content.trim_start().starts_with('[') {
                true => content.find(']').map_or(content, |i| &content[i + 1..]),
                false => content,
            };
            if words
                .split_whitespace()
                .next()
                .is_some_and(|w| IMPERATIVE_VERBS.contains(&w.to_lowercase().as_str()))
            {
                imperative += 1;
            }
        }
        if t.is_empty() || t.starts_with('#') || t == "-" || t == "*" {
            continue;
        }
        match item {
            Some(content) if !content.trim().is_empty() => bullets += 1,
            Some(_) => {}
            None => prose += 1,
        }
    }
    (bullets, prose, imperative)
}

/// Non-overlapping occurrences of each vague phrase in the lowercased body.
fn vague(body: &str) -> usize {
    let lower = body.to_lowercase();
    VAGUE_PHRASES
        .iter()
        .map(|p| lower.match_indices(p).count())
        .sum()
}

/// `- [ ]`, `- [x]`, `- [X]` lines with text, outside ``` fences.
fn checkbox_lines(body: &str) -> usize {
    let mut fenced = false;
    let mut count = 0;
    for line in body.lines() {
        let t = line.trim_start();
        if t.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if t.starts_with("- [ ]") || t.starts_with("- [x]") || t.starts_with("- [X]") {
            let rest = t
                .trim_start_matches("- [ ]")
                .trim_start_matches("- [x]")
                .trim_start_matches("- [X]")
                .trim();
            if !rest.is_empty() {
                count += 1;
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade(text: &str) -> Quality {
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
    fn complexity_boundaries_are_chants() {
        // criteria 3/4 → A/B, 5/6 → B/C, 7/8 → C/D
        for (n, g) in [
            (3, Grade::A),
            (4, Grade::B),
            (5, Grade::B),
            (6, Grade::C),
            (7, Grade::C),
            (8, Grade::D),
        ] {
            let q = grade(&spec("", &format!("# T\n\n{}", criteria(n))));
            assert_eq!(q.complexity, g, "{n} criteria");
        }
        // target files 2/3 → A/B, 4 → C, 5 → D
        for (n, g) in [(2, Grade::A), (3, Grade::B), (4, Grade::C), (5, Grade::D)] {
            let files: Vec<String> = (0..n).map(|i| format!("f{i}")).collect();
            let q = grade(&spec(
                &format!("target_files: [{}]\n", files.join(", ")),
                &format!("# T\n\n{}", criteria(2)),
            ));
            assert_eq!(q.complexity, g, "{n} files");
        }
        // words 199/200 → A/B, 399/400 → B/C, 599/600 → C/D (every word of the body)
        for (words, g) in [
            (199, Grade::A),
            (200, Grade::B),
            (399, Grade::B),
            (400, Grade::C),
            (599, Grade::C),
            (600, Grade::D),
        ] {
            let q = grade(&spec("", &"word ".repeat(words)));
            assert_eq!(q.measures.words, words);
            assert_eq!(q.complexity, g, "{words} words");
        }
    }

    #[test]
    fn confidence_boundaries_are_chants() {
        assert_eq!(grade("---\n---\n").confidence, Grade::D);
        // 1 bullet in 10 lines: exactly 10 % is not under 10 %.
        let prose = "prose line\n".repeat(9);
        assert_eq!(grade(&format!("- add x\n{prose}")).confidence, Grade::C);
        let prose = "prose line\n".repeat(10);
        assert_eq!(grade(&format!("- add x\n{prose}")).confidence, Grade::D);
        // All bullets, imperative, nothing vague: A.
        assert_eq!(grade("- add x\n- fix y\n").confidence, Grade::A);
        // A vague word anywhere (even inside a word, even in a fence) costs A.
        assert_eq!(
            grade("- add x\n- fix y\n```\ndissimilar\n```\n").confidence,
            Grade::B
        );
        // 9 vague phrases: D.
        assert_eq!(grade(&"- add etc\n".repeat(9)).confidence, Grade::D);
        assert_eq!(grade(&"- add etc\n".repeat(8)).confidence, Grade::C);
        // Bullets not starting with a verb: over 30 % bullets but verbs at 50 %: C.
        assert_eq!(grade("- add x\n- the y\n").confidence, Grade::C);
        // Checkbox markers are skipped before the verb.
        assert_eq!(grade("- [ ] add x\n- [x] fix y\n").confidence, Grade::A);
    }

    #[test]
    fn criteria_are_counted_anywhere() {
        let h3 = spec("", "# T\n\n### Acceptance Criteria\n\n- [ ] add one\n");
        let q = grade(&h3);
        assert_eq!(q.ac_quality, Grade::C);
        assert_eq!(q.measures.criteria, 0);
        assert_ne!(q.light, Light::Refine);
        assert_eq!(
            grade(&spec("", "# T\n\n- [ ]\n- [x]   \n")).ac_quality,
            Grade::D
        );
        assert_eq!(
            grade(&spec("", "# T\n```\n- [ ] add\n```\n")).ac_quality,
            Grade::D
        );
        assert_eq!(
            grade(&spec("", "- [ ] a\n- [x] b\n- [X] c\n- [ ] d\n")).ac_quality,
            Grade::A
        );
    }

    #[test]
    fn the_light_and_its_reasons() {
        let q = grade(&spec("", &format!("# T\n\n{}", criteria(9))));
        assert_eq!(q.light, Light::Refine);
        assert!(q.refused_without_terminal());
        assert!(
            q.summary().starts_with("Refine: complexity D (9 criteria)"),
            "{}",
            q.summary()
        );
        let ready = grade(&spec("", "# T\n\n- [ ] add a\n- [ ] fix b\n"));
        assert_eq!(ready.light, Light::Ready, "{}", ready.summary());
        assert_eq!(ready.summary(), "Ready");
        let review = grade(&spec("", "# T\n\n- [ ] add a\n"));
        assert_eq!(review.light, Light::Review);
    }
}
