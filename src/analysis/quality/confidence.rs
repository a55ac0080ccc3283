//! Confidence (chant's `score::confidence::calculate_confidence`): how
//! much of the body is bullets, how many bullets start with an imperative
//! verb, and how much vague language it holds.
//!
//! - Lines outside ``` fences, trimmed; blank lines, lines starting with
//!   `#` and a lone `-` or `*` are skipped. A line starting with `- ` or
//!   `* ` is a bullet, any other a prose line.
//! - A bullet is imperative when its first word (after a `[...]` checkbox,
//!   if the bullet starts with `[`) is one of chant's 33 verbs, in any case.
//! - Vague phrases (`improve`, `as needed`, `etc`, `and related`,
//!   `similar`) are counted everywhere in the lowercased body, code and
//!   headings included, inside words too (`sketch` holds `etc`).
//!
//! An empty body is D. Then: under 10 % bullets or more than 8 vague
//! phrases, D; over 60 % bullets, over 80 % of them imperative and nothing
//! vague, A; over 30 %, over 50 % and fewer than 3 vague phrases, B; else C.

use std::sync::LazyLock;

use super::scan::{offset_in, Lowered, Phrase};
use super::Grade;
use crate::text::TextRange;

/// chant's imperative verbs, in its order.
pub const IMPERATIVE_VERBS: &[&str] = &[
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

/// chant's vague phrases (`score::vague::DEFAULT_VAGUE_PATTERNS`), in its order.
pub const VAGUE_PHRASES: &[&str] = &["improve", "as needed", "etc", "and related", "similar"];

static VAGUE: LazyLock<Vec<Phrase>> =
    LazyLock::new(|| VAGUE_PHRASES.iter().map(|p| Phrase::new(p)).collect());

#[derive(Debug, Clone, PartialEq)]
pub struct Confidence {
    pub grade: Grade,
    /// Which of chant's rules gave the grade.
    pub rule: Rule,
    /// The bullet lines chant counts (each trimmed).
    pub bullets: Vec<TextRange>,
    /// The prose lines chant counts (each trimmed).
    pub prose: Vec<TextRange>,
    /// The bullets that start with an imperative verb.
    pub imperative: Vec<Imperative>,
    /// Every vague phrase chant counts, in text order.
    pub vague: Vec<Vague>,
}

/// The rule of chant's that decided the grade, checked in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// D: nothing but whitespace in the body.
    EmptyBody,
    /// D: under 10 % of the counted lines are bullets.
    FewBullets,
    /// D: more than 8 vague phrases.
    TooVague,
    /// A: over 60 % bullets, over 80 % of them imperative, nothing vague.
    Clear,
    /// B: over 30 % bullets, over 50 % of them imperative, under 3 vague phrases.
    Structured,
    /// C: none of the above.
    Mixed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imperative {
    /// The verb, lowercased, as it stands in chant's list.
    pub verb: &'static str,
    /// The word in the text.
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vague {
    pub phrase: &'static str,
    pub range: TextRange,
}

/// `lines`: the body's lines ([`super::scan::lines`]); `empty`: the body is
/// only whitespace.
pub(super) fn grade(lines: &[(usize, &str)], empty: bool, lowered: &Lowered) -> Confidence {
    let (bullets, prose, imperative) = count_lines(lines);
    let mut vague: Vec<Vague> = VAGUE
        .iter()
        .flat_map(|phrase| {
            lowered
                .find_all(phrase)
                .into_iter()
                .map(move |range| Vague {
                    phrase: phrase.text,
                    range,
                })
        })
        .collect();
    vague.sort_by_key(|v| (v.range.start, v.range.end));
    let mut confidence = Confidence {
        grade: Grade::C,
        rule: Rule::Mixed,
        bullets,
        prose,
        imperative,
        vague,
    };
    confidence.rule = if empty {
        Rule::EmptyBody
    } else {
        let bullet_ratio = confidence.bullet_ratio();
        let verb_ratio = confidence.verb_ratio();
        let vague = confidence.vague.len();
        if bullet_ratio < 0.10 {
            Rule::FewBullets
        } else if vague > 8 {
            Rule::TooVague
        } else if bullet_ratio > 0.60 && verb_ratio > 0.80 && vague == 0 {
            Rule::Clear
        } else if bullet_ratio > 0.30 && verb_ratio > 0.50 && vague < 3 {
            Rule::Structured
        } else {
            Rule::Mixed
        }
    };
    confidence.grade = match confidence.rule {
        Rule::EmptyBody | Rule::FewBullets | Rule::TooVague => Grade::D,
        Rule::Clear => Grade::A,
        Rule::Structured => Grade::B,
        Rule::Mixed => Grade::C,
    };
    confidence
}

/// (bullet lines, prose lines, imperative bullets), as chant's
/// `count_bullets_and_paragraphs` and `count_bullets_with_imperative_verbs`
/// count them (two passes in chant, the same fence rule in both).
fn count_lines(lines: &[(usize, &str)]) -> (Vec<TextRange>, Vec<TextRange>, Vec<Imperative>) {
    let mut bullets = Vec::new();
    let mut prose = Vec::new();
    let mut imperative = Vec::new();
    let mut in_fence = false;
    for &(start, line) in lines {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        let whole = offset_in(start, line, trimmed);
        let range = whole..whole + trimmed.len();
        let item = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "));
        if let Some(content) = item {
            // The verb pass skips a checkbox: everything up to the first `]`
            // when the bullet starts with `[`.
            let words = match content.trim_start().starts_with('[') {
                true => content.find(']').map_or(content, |i| &content[i + 1..]),
                false => content,
            };
            if let Some(word) = words.split_whitespace().next() {
                // chant lowercases the word; an ASCII word needs no copy.
                let verb = if word.is_ascii() {
                    IMPERATIVE_VERBS
                        .iter()
                        .find(|v| v.eq_ignore_ascii_case(word))
                } else {
                    let lower = word.to_lowercase();
                    IMPERATIVE_VERBS.iter().find(|v| **v == lower)
                };
                if let Some(verb) = verb {
                    let at = offset_in(start, line, word);
                    imperative.push(Imperative {
                        verb,
                        range: at..at + word.len(),
                    });
                }
            }
        }
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed == "-" || trimmed == "*" {
            continue;
        }
        match item {
            Some(content) if !content.trim().is_empty() => bullets.push(range),
            Some(_) => {}
            None => prose.push(range),
        }
    }
    (bullets, prose, imperative)
}

fn percent(ratio: f64) -> usize {
    (ratio * 100.0).round() as usize
}

impl Confidence {
    /// Bullets over bullets and prose lines (0 when there are none).
    pub fn bullet_ratio(&self) -> f64 {
        let lines = self.bullets.len() + self.prose.len();
        if lines == 0 {
            0.0
        } else {
            self.bullets.len() as f64 / lines as f64
        }
    }

    /// Imperative bullets over bullets (0 without bullets).
    pub fn verb_ratio(&self) -> f64 {
        if self.bullets.is_empty() {
            0.0
        } else {
            self.imperative.len() as f64 / self.bullets.len() as f64
        }
    }

    /// Why, briefly: "0 % of lines are bullets, under 10 %".
    pub fn describe(&self) -> String {
        match self.rule {
            Rule::EmptyBody => "empty body".into(),
            Rule::FewBullets => format!(
                "{} % of lines are bullets, under 10 %",
                percent(self.bullet_ratio())
            ),
            Rule::TooVague => format!("{} vague phrases, over 8", self.vague.len()),
            _ => format!(
                "{} % bullets, {} % of them imperative, {} vague",
                percent(self.bullet_ratio()),
                percent(self.verb_ratio()),
                self.vague.len()
            ),
        }
    }

    /// Why, with the numbers and what the next grade needs.
    pub fn explain(&self) -> String {
        let lines = self.bullets.len() + self.prose.len();
        let bullets = match lines {
            0 => "no bullet or prose line outside headings and code (0 % bullets)".to_string(),
            _ => format!(
                "bullets: {} of {lines} counted lines ({} %)",
                self.bullets.len(),
                percent(self.bullet_ratio())
            ),
        };
        let verbs = format!(
            "bullets starting with an imperative verb: {} of {} ({} %)",
            self.imperative.len(),
            self.bullets.len(),
            percent(self.verb_ratio())
        );
        let vague = match self.vague.len() {
            0 => "vague phrases: none".to_string(),
            n => format!("vague phrases: {n} ({})", self.vague_phrases().join(", ")),
        };
        match self.rule {
            Rule::EmptyBody => "the body is empty".into(),
            Rule::FewBullets => format!("{bullets}, D under 10 %"),
            Rule::TooVague => format!("{vague}, D over 8"),
            Rule::Clear => format!("{bullets}; {verbs}; {vague}"),
            Rule::Structured => format!(
                "{bullets}; {verbs}; {vague} (A needs over 60 % bullets, over 80 % imperative and no vague phrase)"
            ),
            Rule::Mixed => {
                let mut short = Vec::new();
                if self.bullet_ratio() <= 0.30 {
                    short.push(format!("{bullets}, B needs over 30 %"));
                }
                if self.verb_ratio() <= 0.50 {
                    short.push(format!("{verbs}, B needs over 50 %"));
                }
                if self.vague.len() >= 3 {
                    short.push(format!("{vague}, B needs under 3"));
                }
                short.join("; ")
            }
        }
    }

    /// The distinct vague phrases found, quoted, in chant's order.
    pub fn vague_phrases(&self) -> Vec<String> {
        VAGUE_PHRASES
            .iter()
            .filter(|p| self.vague.iter().any(|v| v.phrase == **p))
            .map(|p| format!("`{p}`"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::quality::scan::lines;

    fn confidence(body: &str) -> Confidence {
        let lines: Vec<(usize, &str)> = lines(body, 0..body.len()).collect();
        grade(
            &lines,
            body.trim().is_empty(),
            &Lowered::new(body, 0..body.len()),
        )
    }

    #[test]
    fn lines_are_counted_as_chant_counts_them() {
        let body = "# Title\n\nSome prose.\n- [ ] Add a\n* fix b\n-\n*\n- \n  - the c\n```\n- in code\n```\n## Heading\n";
        let c = confidence(body);
        let texts = |ranges: &[TextRange]| -> Vec<&str> {
            ranges.iter().map(|r| &body[r.clone()]).collect()
        };
        assert_eq!(texts(&c.bullets), vec!["- [ ] Add a", "* fix b", "- the c"]);
        assert_eq!(texts(&c.prose), vec!["Some prose."]);
        let verbs: Vec<(&str, &str)> = c
            .imperative
            .iter()
            .map(|i| (i.verb, &body[i.range.clone()]))
            .collect();
        assert_eq!(verbs, vec![("add", "Add"), ("fix", "fix")]);
        assert_eq!(c.bullet_ratio(), 0.75);
        assert_eq!(c.verb_ratio(), 2.0 / 3.0);
    }

    #[test]
    fn chants_grade_boundaries() {
        assert_eq!(confidence("").rule, Rule::EmptyBody);
        assert_eq!(confidence(" \n\t\n").grade, Grade::D);
        // 1 bullet in 10 lines is exactly 10 %: not under.
        let nine = format!("- add x\n{}", "prose\n".repeat(9));
        assert_eq!(confidence(&nine).grade, Grade::C);
        let ten = format!("- add x\n{}", "prose\n".repeat(10));
        let c = confidence(&ten);
        assert_eq!((c.grade, c.rule), (Grade::D, Rule::FewBullets));
        assert_eq!(c.describe(), "9 % of lines are bullets, under 10 %");
        assert_eq!(confidence("- add x\n- fix y\n").rule, Rule::Clear);
        // 9 vague phrases: D; 8: C.
        let c = confidence(&"- add etc\n".repeat(9));
        assert_eq!((c.grade, c.rule), (Grade::D, Rule::TooVague));
        assert_eq!(c.describe(), "9 vague phrases, over 8");
        assert_eq!(confidence(&"- add etc\n".repeat(8)).grade, Grade::C);
        // Over 60 % bullets but only 50 % imperative: not B either (over 50 % needed).
        let c = confidence("- add x\n- the y\n");
        assert_eq!(c.grade, Grade::C);
        assert_eq!(
            c.explain(),
            "bullets starting with an imperative verb: 1 of 2 (50 %), B needs over 50 %"
        );
        // 2 of 3 bullets with verbs, two lines of prose: 60 % bullets is B, not A.
        let c = confidence("- add x\n- fix y\n- the z\nprose\nmore\n");
        assert_eq!((c.grade, c.rule), (Grade::B, Rule::Structured));
    }

    #[test]
    fn vague_phrases_are_found_anywhere_and_inside_words() {
        let body = "- add x\n```\ndissimilar sketch\n```\n# Improve\nAs Needed and related";
        let c = confidence(body);
        let found: Vec<(&str, &str)> = c
            .vague
            .iter()
            .map(|v| (v.phrase, &body[v.range.clone()]))
            .collect();
        assert_eq!(
            found,
            vec![
                ("similar", "similar"),
                ("etc", "etc"),
                ("improve", "Improve"),
                ("as needed", "As Needed"),
                ("and related", "and related"),
            ]
        );
        assert_eq!(
            c.vague_phrases(),
            vec![
                "`improve`",
                "`as needed`",
                "`etc`",
                "`and related`",
                "`similar`"
            ]
        );
    }

    #[test]
    fn the_checkbox_is_skipped_before_the_verb() {
        let body = "- [ ] add x\n- [x]fix y\n- [link](url) update\n- [ ]\n";
        let c = confidence(body);
        let verbs: Vec<&str> = c.imperative.iter().map(|i| i.verb).collect();
        assert_eq!(verbs, vec!["add", "fix"]);
        // `- [ ]` alone is a bullet (its content is `[ ]`), without a verb.
        assert_eq!(c.bullets.len(), 4);
    }
}
