//! chant's quality suggestions as hint diagnostics, on the text each is
//! about, for the specs whose grades can stop `chant work`: specs chant can
//! parse, with a status `chant work` runs, graded Review or Refine (chant
//! prints suggestions only then). A driver, a group, or any spec with
//! members is worked through its members, so only its isolation is hinted.
//!
//! What other diagnostics already say is left to them: no criteria at all
//! is `chant/no-criteria`, and a complexity that only comes from a measure
//! `chant lint` already warns about (`chant/too-many-criteria`,
//! `-files`, `-words`) gets no second hint.

use super::{complexity::Measure, splittability, Dimension, Grade, Light, Quality};
use crate::analysis::sink::Sink;
use crate::analysis::{Code, Cx, Diagnostic, FixKind};
use crate::spec::edit;
use crate::spec::frontmatter::SpecType;
use crate::text::TextRange;

pub(in crate::analysis) fn check(cx: &Cx, out: &mut Sink) {
    let model = cx.model;
    let v = model.values();
    if !model.chant_accepts() || !v.status.is_workable() {
        return;
    }
    let quality = super::assess_spec(cx.text, model, cx.spec.id, cx.ws);
    if quality.light == Light::Ready {
        return;
    }
    if let Some(isolation) = &quality.isolation {
        if isolation.grade >= Grade::C {
            out.push(Diagnostic::new(
                Code::QualityIsolation,
                cx.key_range("members").unwrap_or_else(|| cx.spec_anchor()),
                message(&quality, Dimension::Isolation),
            ));
        }
        return;
    }
    if matches!(v.r#type, SpecType::Driver | SpecType::Group) {
        return;
    }
    complexity(cx, &quality, out);
    confidence(cx, &quality, out);
    criteria(cx, &quality, out);
    splittability(cx, &quality, out);
}

/// "chant grades complexity D: 9 criteria (D from 8). chant suggests: "…"."
fn message(quality: &Quality, dimension: Dimension) -> String {
    let grade = quality.grade_of(dimension).unwrap_or(Grade::A);
    let why = quality.explain(dimension).unwrap_or_default();
    let mut text = format!(
        "chant grades {} {}: {why}.",
        dimension.noun(),
        grade.as_str()
    );
    if let Some(suggestion) = super::suggestions::text(dimension, grade) {
        text.push_str(&format!(" chant suggests: \"{suggestion}\"."));
    }
    if grade == Grade::D && dimension.decides_light() {
        text.push_str(" With a D here the spec is Refine, and `chant work` refuses it when it does not run in a terminal (from an editor or CI) unless `--skip-criteria`.");
    } else {
        text.push_str(&format!(" The spec is {}.", quality.light.as_str()));
    }
    text
}

fn complexity(cx: &Cx, quality: &Quality, out: &mut Sink) {
    if quality.complexity.grade < Grade::C {
        return;
    }
    // A measure chant lint warns about already has its diagnostic there.
    let t = &cx.ws.config().thresholds;
    let warned = |measure: Measure, value: usize| match measure {
        Measure::Criteria => value > t.complexity_criteria,
        Measure::TargetFiles => value > t.complexity_files,
        Measure::Words => value > t.complexity_words && cx.ws.config().word_rule_enabled(),
    };
    let Some(cause) = quality
        .complexity
        .causes()
        .into_iter()
        .find(|c| !warned(c.measure, c.value))
    else {
        return;
    };
    let range = match cause.measure {
        Measure::Criteria => cx.model.body.criteria.as_ref().map(|c| c.heading.clone()),
        Measure::TargetFiles => cx.key_range("target_files"),
        Measure::Words => None,
    };
    out.push(Diagnostic::new(
        Code::QualityComplexity,
        range.unwrap_or_else(|| cx.spec_anchor()),
        message(quality, Dimension::Complexity),
    ));
}

fn confidence(cx: &Cx, quality: &Quality, out: &mut Sink) {
    let c = &quality.confidence;
    if c.grade < Grade::C {
        return;
    }
    out.push(Diagnostic::new(
        Code::QualityConfidence,
        cx.spec_anchor(),
        message(quality, Dimension::Confidence),
    ));
    let total = c.vague.len();
    for vague in &c.vague {
        let written = &cx.text[vague.range.clone()];
        let inside =
            if written.eq_ignore_ascii_case(vague.phrase) && whole_words(cx.text, &vague.range) {
                String::new()
            } else {
                format!(
                    " (chant finds it inside `{}`)",
                    surrounding_word(cx.text, &vague.range)
                )
            };
        out.push(Diagnostic::new(
            Code::VaguePhrase,
            vague.range.clone(),
            format!(
                "chant counts `{}` as vague language{inside}: {} in this spec, and confidence {} ({}).",
                vague.phrase,
                super::plural(total, "vague phrase", "vague phrases"),
                c.grade.as_str(),
                match c.rule {
                    super::confidence::Rule::TooVague => "D over 8",
                    _ => "A needs none, B fewer than 3",
                }
            ),
        ));
    }
}

fn criteria(cx: &Cx, quality: &Quality, out: &mut Sink) {
    let ac = &quality.ac_quality;
    let section = cx.model.body.criteria.as_ref();
    match ac.grade {
        Grade::A => {}
        // No criteria at all is chant/no-criteria's; checkboxes without text are not.
        Grade::D if cx.model.body.total_checkboxes() == 0 => {}
        Grade::D => out.push(Diagnostic::new(
            Code::QualityCriteria,
            section.map_or_else(|| cx.spec_anchor(), |s| s.heading.clone()),
            message(quality, Dimension::AcQuality),
        )),
        Grade::B | Grade::C => {
            let first = ac.items.first().cloned();
            let range = section
                .map(|s| s.heading.clone())
                .or(first)
                .unwrap_or_else(|| cx.spec_anchor());
            let mut d = Diagnostic::new(
                Code::QualityCriteria,
                range,
                message(quality, Dimension::AcQuality),
            );
            if let Some(last) = ac.items.last() {
                let (at, insert) = criterion_after(cx.text, last);
                d = d.with_fix(FixKind::AddCriterion, at..at, insert);
            }
            out.push(d);
        }
    }
}

/// Where a new `- [ ] ` goes after a counted item, and the text: on a line
/// of its own below it, indented as it is, in the file's line break.
fn criterion_after(text: &str, item: &TextRange) -> (usize, String) {
    let line_start = text[..item.start].rfind(['\n', '\r']).map_or(0, |n| n + 1);
    let indent = &text[line_start..item.start];
    let line_end = text[item.end..]
        .find(['\n', '\r'])
        .map_or(text.len(), |n| item.end + n);
    let nl = edit::line_break(text);
    (line_end, format!("{nl}{indent}- [ ] "))
}

fn splittability(cx: &Cx, quality: &Quality, out: &mut Sink) {
    let s = &quality.splittability;
    match s.rule {
        splittability::Rule::Coupled => {
            for coupling in &s.coupling {
                out.push(Diagnostic::new(
                    Code::QualitySplittability,
                    coupling.range.clone(),
                    message(quality, Dimension::Splittability),
                ));
            }
        }
        splittability::Rule::Focused => {
            // On `target_files`, else on the frontmatter that lacks it.
            let written = cx.key_range("target_files");
            let opening = cx
                .model
                .layout
                .frontmatter
                .as_ref()
                .map(|f| f.opening.clone());
            let mut d = Diagnostic::new(
                Code::QualitySplittability,
                written
                    .clone()
                    .or(opening)
                    .unwrap_or_else(|| cx.spec_anchor()),
                message(quality, Dimension::Splittability),
            );
            if written.is_none() {
                if let Some((range, insert)) = edit::add_field(cx.text, cx.model, "target_files") {
                    d = d.with_fix(
                        FixKind::AddField {
                            name: "target_files".into(),
                        },
                        range,
                        insert,
                    );
                }
            }
            out.push(d);
        }
        // A member or a one-criterion spec is C whatever it does.
        _ => {}
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The phrase stands as words of its own (no letter or digit glued on).
fn whole_words(text: &str, range: &TextRange) -> bool {
    let before = text[..range.start].bytes().next_back();
    let after = text[range.end..].bytes().next();
    !before.is_some_and(is_word_byte) && !after.is_some_and(is_word_byte)
}

/// The word around a phrase found inside one (`sketch` around `etc`).
fn surrounding_word<'t>(text: &'t str, range: &TextRange) -> &'t str {
    let start = text[..range.start]
        .rfind(|c: char| !c.is_alphanumeric() && c != '_')
        .map_or(0, |i| {
            i + text[i..].chars().next().map_or(1, char::len_utf8)
        });
    let end = text[range.end..]
        .find(|c: char| !c.is_alphanumeric() && c != '_')
        .map_or(text.len(), |i| range.end + i);
    &text[start..end]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use crate::analysis::{
        diagnose, Diagnostic, PathState, SpecContext, SpecLookup, WorkspaceFacts,
    };
    use crate::analysis::{Code, FixKind};
    use crate::spec::config::ChantConfig;
    use crate::spec::SpecModel;

    /// Specs by ID, as files directly in `.chant/specs`.
    struct Ws {
        config: ChantConfig,
        specs: BTreeMap<&'static str, &'static str>,
    }

    impl WorkspaceFacts for Ws {
        fn config(&self) -> &ChantConfig {
            &self.config
        }
        fn lookup_spec(&self, _: &str) -> SpecLookup {
            SpecLookup::Missing
        }
        fn prompt_exists(&self, _: &str) -> bool {
            true
        }
        fn prompt_names(&self) -> Vec<String> {
            Vec::new()
        }
        fn closest_spec_id(&self, _: &str) -> Option<String> {
            None
        }
        fn path_state(&self, _: &str) -> PathState {
            PathState::File
        }
        fn escapes_root(&self, _: &str) -> bool {
            false
        }
        fn dependencies_of(&self, _: &str) -> Vec<String> {
            Vec::new()
        }
        fn spec_files(&self, id: &str, _: usize) -> (Vec<PathBuf>, usize) {
            (vec![PathBuf::from(format!(".chant/specs/{id}.md"))], 1)
        }
        fn member_ids(&self, driver: &str) -> Vec<String> {
            let prefix = format!("{driver}.");
            self.specs
                .keys()
                .filter(|id| id.starts_with(&prefix))
                .map(|id| id.to_string())
                .collect()
        }
        fn read_file(&self, relative: &str) -> Option<String> {
            let id = relative
                .strip_prefix(".chant/specs/")?
                .strip_suffix(".md")?;
            self.specs.get(id).map(|t| t.to_string())
        }
    }

    fn ws(specs: &[(&'static str, &'static str)]) -> Ws {
        Ws {
            config: ChantConfig::default(),
            specs: specs.iter().copied().collect(),
        }
    }

    fn hints(id: &str, text: &str, ws: &Ws) -> Vec<Diagnostic> {
        let model = SpecModel::parse(text);
        diagnose(text, &model, SpecContext { id, path: None }, ws)
            .into_iter()
            .filter(|d| d.severity == crate::analysis::Severity::Hint)
            .collect()
    }

    fn codes(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
        diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    fn apply(text: &str, d: &Diagnostic) -> String {
        let fix = d.fix.as_ref().expect("a fix");
        let mut out = text.to_string();
        for (range, insert) in fix.edits.iter().rev() {
            out.replace_range(range.clone(), insert);
        }
        out
    }

    #[test]
    fn fixes_are_edits_in_the_files_own_line_breaks() {
        let text = "---\r\nstatus: pending\r\n---\r\n# Parser\r\n\r\n## Acceptance Criteria\r\n\r\n  - [ ] Add tokens\r\n  - [x] Spans too  \r\n";
        let found = hints("p", text, &ws(&[]));
        assert_eq!(
            codes(&found),
            vec![
                "chant/quality-splittability",
                "chant/quality-confidence",
                "chant/quality-criteria"
            ]
        );
        let split = &found[0];
        assert_eq!(split.range, 0..3);
        assert_eq!(
            split.fix.as_ref().unwrap().kind,
            FixKind::AddField {
                name: "target_files".into()
            }
        );
        assert_eq!(
            apply(text, split),
            "---\r\nstatus: pending\r\ntarget_files: []\r\n---\r\n# Parser\r\n\r\n## Acceptance Criteria\r\n\r\n  - [ ] Add tokens\r\n  - [x] Spans too  \r\n"
        );
        let criteria = &found[2];
        assert_eq!(&text[criteria.range.clone()], "## Acceptance Criteria");
        assert_eq!(criteria.fix.as_ref().unwrap().kind, FixKind::AddCriterion);
        assert_eq!(
            apply(text, criteria),
            "---\r\nstatus: pending\r\n---\r\n# Parser\r\n\r\n## Acceptance Criteria\r\n\r\n  - [ ] Add tokens\r\n  - [x] Spans too  \r\n  - [ ] \r\n"
        );
        assert_eq!(
            criteria.message,
            "chant grades acceptance criteria B: 2 `- [ ]` items (A needs 4). chant suggests: \"Add at least 4 acceptance criteria checkboxes for Grade A\". The spec is Review."
        );
    }

    #[test]
    fn only_where_chant_grades_a_spec_chant_work_would_run() {
        let ws = ws(&[]);
        let review = "---\nstatus: pending\ntarget_files: [a, b]\n---\n# T\n\n## Acceptance Criteria\n\n- [ ] the one\n";
        assert_eq!(
            codes(&hints("t", review, &ws)),
            vec!["chant/quality-confidence", "chant/quality-criteria"]
        );
        for status in ["completed", "in_progress", "cancelled"] {
            let text = review.replace("pending", status);
            assert!(hints("t", &text, &ws).is_empty(), "{status}");
        }
        let ready = "---\nstatus: pending\n---\n# T\n\n## Acceptance Criteria\n\n- [ ] Add a\n- [ ] Fix b\n";
        assert!(hints("t", ready, &ws).is_empty());
        let unparsed = review.replace("pending", "open");
        assert!(hints("t", &unparsed, &ws).is_empty());
        let driver = review.replace("status: pending", "type: driver\nstatus: pending");
        assert!(hints("t", &driver, &ws).is_empty());
    }

    #[test]
    fn complexity_is_hinted_only_where_lint_does_not_warn() {
        let ws = ws(&[]);
        let spec = |n: usize| {
            let items: String = (0..n).map(|i| format!("- [ ] Add {i}\n")).collect();
            format!("---\nstatus: pending\ntarget_files: [a, b]\n---\n# T\n\n## Acceptance Criteria\n\n{items}")
        };
        // 9 criteria: D, and chant lint does not warn (more than 10).
        let nine = spec(9);
        let found = hints("t", &nine, &ws);
        let complexity: Vec<&Diagnostic> = found
            .iter()
            .filter(|d| d.code == Code::QualityComplexity)
            .collect();
        assert_eq!(complexity.len(), 1);
        assert_eq!(&nine[complexity[0].range.clone()], "## Acceptance Criteria");
        assert!(complexity[0]
            .message
            .starts_with("chant grades complexity D: 9 criteria (D from 8)."));
        // 11: chant/too-many-criteria says it already.
        assert!(!codes(&hints("t", &spec(11), &ws)).contains(&"chant/quality-complexity"));
    }

    #[test]
    fn isolation_from_the_members_files() {
        let ws = ws(&[
            ("g.1", "---\nstatus: pending\n---\n# A\nSee member 2.\n"),
            ("g.2", "---\nstatus: pending\n---\n# B\nAfter Member 1.\n"),
            ("g.3", "---\nstatus: open\n---\n# Unparsed: no member\n"),
        ]);
        let driver = "---\ntype: driver\nstatus: pending\nmembers: [g.1, g.2]\n---\n# G\n";
        let found = hints("g", driver, &ws);
        assert_eq!(codes(&found), vec!["chant/quality-isolation"]);
        assert_eq!(&driver[found[0].range.clone()], "members");
        assert_eq!(
            found[0].message,
            "chant grades isolation D: 2 of 2 members mention another member (0 % isolated); g.1 says \"member 2\"; no target files. chant suggests: \"Reduce cross-references between group members to improve isolation\". The spec is Refine."
        );
    }

    #[test]
    fn vague_phrases_say_when_they_hide_in_a_word() {
        let ws = ws(&[]);
        let text = "---\nstatus: pending\n---\n# T\n\nA sketch, etc. and similar things.\nMore prose.\n\n## Acceptance Criteria\n\n- [ ] Add a\n- [ ] Add b\n";
        let found = hints("t", text, &ws);
        let vague: Vec<(&str, &str)> = found
            .iter()
            .filter(|d| d.code == Code::VaguePhrase)
            .map(|d| (&text[d.range.clone()], d.message.as_str()))
            .collect();
        assert_eq!(vague.len(), 3);
        assert_eq!(vague[0].0, "etc");
        assert!(
            vague[0].1.contains("(chant finds it inside `sketch`)"),
            "{}",
            vague[0].1
        );
        assert_eq!(vague[1].0, "etc");
        assert!(!vague[1].1.contains("inside"), "{}", vague[1].1);
        assert_eq!(vague[2].0, "similar");
    }
}
