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
use crate::analysis::{Code, Cx, Diagnostic, FixKind};
use crate::spec::edit;
use crate::spec::frontmatter::SpecType;
use crate::text::TextRange;

pub(in crate::analysis) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
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

fn complexity(cx: &Cx, quality: &Quality, out: &mut Vec<Diagnostic>) {
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

fn confidence(cx: &Cx, quality: &Quality, out: &mut Vec<Diagnostic>) {
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

fn criteria(cx: &Cx, quality: &Quality, out: &mut Vec<Diagnostic>) {
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

fn splittability(cx: &Cx, quality: &Quality, out: &mut Vec<Diagnostic>) {
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
            let written = cx.key_range("target_files");
            let mut d = Diagnostic::new(
                Code::QualitySplittability,
                written.clone().unwrap_or_else(|| cx.spec_anchor()),
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
