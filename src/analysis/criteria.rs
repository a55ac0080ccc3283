//! Acceptance criteria and status: what `chant work` counts, what it
//! refuses, and the places where a Markdown reader would count differently.

use super::{count, Code, Cx, Diagnostic, FixKind, Severity, Sink};
use crate::spec::body::OddKind;
use crate::spec::frontmatter::{ApprovalStatus, SpecStatus, SpecType};

pub(super) fn check(cx: &Cx, out: &mut Sink) {
    let body = &cx.model.body;
    let v = cx.model.values();
    let completed = v.status == SpecStatus::Completed;
    let unchecked = body.unchecked_count();
    let total = body.total_checkboxes();

    for item in body.unchecked() {
        let range =
            item.marker.start..item.line.start + cx.text[item.line.clone()].trim_end().len();
        let d = if completed {
            Diagnostic::new(
                Code::UncheckedCriterion,
                range,
                format!("Unchecked criterion in a completed spec ({unchecked} of {total} unchecked): chant counts it as not done."),
            )
            .severity(Severity::Warning)
        } else {
            Diagnostic::new(
                Code::UncheckedCriterion,
                range,
                format!("Not done yet: chant counts this criterion as unchecked ({unchecked} of {total} unchecked)."),
            )
        };
        out.push(d.with_fix(FixKind::TickCriterion, item.marker.clone(), "- [x]"));
    }

    no_criteria(cx, total, out);
    odd_forms(cx, total, out);
    status(cx, completed, unchecked, out);
}

fn no_criteria(cx: &Cx, total: usize, out: &mut Sink) {
    let v = cx.model.values();
    let workable = v.status.is_workable();
    if total > 0 || !workable || matches!(v.r#type, SpecType::Driver | SpecType::Group) {
        return;
    }
    // chant's quality gate counts `- [ ]` lines anywhere in the body (under
    // `### Acceptance Criteria` too): with one, it does not refuse for this.
    let counted = super::quality::criteria::for_work(cx.text, cx.model.layout.body.clone());
    if !counted.items.is_empty() {
        return;
    }
    let body = &cx.model.body;
    // Written in the file's own line break so a CRLF file stays CRLF.
    let nl = crate::spec::edit::line_break(cx.text);
    let (range, at, insert) = match &body.criteria {
        Some(section) => (
            section.heading.clone(),
            section.heading.end,
            format!("{nl}{nl}- [ ] "),
        ),
        None => {
            let end = body.range.end;
            let sep = if body.range.is_empty() {
                String::new()
            } else {
                format!("{nl}{nl}")
            };
            (
                cx.spec_anchor(),
                end,
                format!("{sep}## Acceptance Criteria{nl}{nl}- [ ] "),
            )
        }
    };
    out.push(
        Diagnostic::new(
            Code::NoCriteria,
            range,
            "No acceptance criteria: chant grades the spec's criteria D, so `chant work` refuses it when it does not run in a terminal (from an editor or CI) unless `--skip-criteria`. Add `- [ ]` items under `## Acceptance Criteria`.",
        )
        .with_fix(FixKind::AddCriterion, at..at, insert),
    );
}

fn odd_forms(cx: &Cx, total: usize, out: &mut Sink) {
    let body = &cx.model.body;
    for odd in &body.odd_criteria {
        match odd.kind {
            OddKind::UncountedMarker => {
                let line = &cx.text[odd.range.clone()];
                let bracket = line.find('[').unwrap_or(0);
                out.push(
                    Diagnostic::new(
                        Code::UncountedCheckbox,
                        odd.range.clone(),
                        format!("chant counts only `- [ ]` and `- [x]` items: this checkbox is not counted (chant sees {}). Write it as `- [ ]`.", count(total, "criterion", "criteria")),
                    )
                    .with_fix(FixKind::CountCheckbox, odd.range.start..odd.range.start + bracket, "- "),
                );
            }
            OddKind::CountedInTildeFence => out.push(Diagnostic::new(
                Code::CheckboxInTildeFence,
                odd.range.clone(),
                "This checkbox is inside a `~~~` block: Markdown shows it as code, but chant does not treat `~~~` as a fence and counts it as a criterion. Use a ``` fence if it is an example.",
            )),
        }
    }
    let last = body.criteria.as_ref().map(|c| c.heading.start).unwrap_or(0);
    let line = if body.superseded_criteria_headings.is_empty() {
        0
    } else {
        line_number(cx.text, last)
    };
    for heading in &body.superseded_criteria_headings {
        out.push(Diagnostic::new(
            Code::IgnoredCriteriaHeading,
            heading.clone(),
            format!("chant counts only the last `## Acceptance Criteria` section (line {line}): the items under this heading are not counted. Merge the two sections."),
        ));
    }
    let counted = body.criteria.as_ref().map(|c| c.range.clone());
    for heading in &body.unrecognised_criteria_headings {
        if counted
            .as_ref()
            .is_some_and(|r| r.start <= heading.start && heading.end <= r.end)
        {
            continue;
        }
        out.push(
            Diagnostic::new(
                Code::IgnoredCriteriaHeading,
                heading.clone(),
                "chant recognises only `## Acceptance Criteria` (two hashes, this capitalisation): it ignores this heading and does not count the items under it.",
            )
            .with_fix(FixKind::CriteriaHeading, heading.clone(), "## Acceptance Criteria"),
        );
    }
    for fence in body.fences.iter().filter(|f| f.close.is_none()) {
        unclosed_fence(cx, fence.open.clone(), fence.inline, out);
    }
}

/// A backtick fence chant never sees closed. The common cause is a closing
/// ``` at the end of a text line (chant's own `## Agent Output` writes it so):
/// then everything after that line is code too, which hides whatever a user
/// adds below.
fn unclosed_fence(cx: &Cx, open: crate::text::TextRange, inline: bool, out: &mut Sink) {
    let body_end = cx.model.body.range.end;
    let after_open = cx.text[open.end..body_end]
        .find('\n')
        .map_or(body_end, |n| open.end + n + 1);
    let mut offset = after_open;
    for line in cx.text[after_open..body_end].split_inclusive('\n') {
        let content = line.trim_end();
        if content.ends_with("```") && !inline {
            let rest_start = offset + line.len();
            if rest_start < body_end && !cx.text[rest_start..body_end].trim().is_empty() {
                let close_at = offset + content.len() - 3;
                let line_no = line_number(cx.text, offset);
                out.push(
                    Diagnostic::new(
                        Code::UnclosedFence,
                        open,
                        format!("This code fence is never closed: the ``` on line {line_no} is at the end of a text line, not on a line of its own, so chant (and Markdown) treat everything after it as code, including the sections below."),
                    )
                    .with_fix(
                        FixKind::CloseFence,
                        close_at..close_at,
                        crate::spec::edit::line_break(cx.text),
                    ),
                );
            }
            return;
        }
        offset += line.len();
    }
    if cx.text[after_open..body_end]
        .lines()
        .any(|l| l.trim_start().starts_with("## Acceptance Criteria"))
    {
        let message = if inline {
            "This line starts with ```, so chant opens a code fence here although Markdown shows inline code: chant treats the rest of the file as code, including the `## Acceptance Criteria` below. Do not start a line with ```."
        } else {
            "This code fence is never closed, so chant treats the rest of the file as code, including the `## Acceptance Criteria` below. Close it with a ``` line."
        };
        out.push(Diagnostic::new(Code::UnclosedFence, open, message));
    }
}

fn status(cx: &Cx, completed: bool, unchecked: usize, out: &mut Sink) {
    let v = cx.model.values();
    if v.status == SpecStatus::Ready {
        let range = cx.field_or_spec("status");
        out.push(
            Diagnostic::new(
                Code::ReadyStatus,
                range.clone(),
                "chant has no transition to or from `ready`: `chant work` fails on this spec. Use `pending`; chant computes readiness itself.",
            )
            .with_fix(
                FixKind::ReplaceValue {
                    with: "pending".into(),
                },
                range,
                "pending",
            ),
        );
    }
    if completed && unchecked > 0 {
        out.push(Diagnostic::new(
            Code::CompletedWithUnchecked,
            cx.field_or_spec("status"),
            format!(
                "The spec says completed, but {} unchecked.",
                if unchecked == 1 {
                    "1 acceptance criterion is".to_string()
                } else {
                    format!("{unchecked} acceptance criteria are")
                }
            ),
        ));
    }
    if let Some(approval) = &v.approval {
        let waiting = matches!(v.status, SpecStatus::Pending | SpecStatus::Blocked);
        if approval.required && waiting && approval.status != ApprovalStatus::Approved {
            let range = cx.key_range("approval").unwrap_or_else(|| cx.spec_anchor());
            let d = if approval.status == ApprovalStatus::Rejected {
                Diagnostic::new(
                    Code::ApprovalBlocksWork,
                    range,
                    "This spec was rejected and approval is required: it stays blocked, and `chant work` refuses it until it is approved.",
                )
                .severity(Severity::Warning)
            } else {
                Diagnostic::new(
                    Code::ApprovalBlocksWork,
                    range,
                    "Approval is required and not given yet: the spec is blocked, and `chant work` refuses it until `chant approve` (or `--skip-approval`).",
                )
            };
            out.push(d);
        }
    }
}

/// 1-based line number of an offset, for messages.
fn line_number(text: &str, offset: usize) -> usize {
    crate::text::LineIndex::new(&text[..offset]).line_count()
}
