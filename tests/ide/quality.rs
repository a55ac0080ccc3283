//! chant's quality where users look: the lens row on the title (the light
//! beside the status, never "ready" when `chant work` would refuse), the
//! hover on the title (the grades, what each was measured from, chant's
//! suggestions) and the facts `chant/specStatus` carries
//! (`ide::status::{lens_row, status_of}`, `ide::hover::hover_spec`).

use chant_lsp::ide::hover::{hover_spec, HoverSpec};
use chant_lsp::ide::status::{lens_row, status_of};
use chant_lsp::ide::DiskOnly;

use crate::expect::Expect;
use crate::fixture::{span, visible, Fixture};

/// A pending spec with `n` criteria, each starting with an imperative verb.
fn with_criteria(n: usize) -> String {
    let items: String = (1..=n).map(|i| format!("- [ ] Add part {i}\n")).collect();
    format!("---\nstatus: pending\n---\n# Tokens\n\n## Acceptance Criteria\n\n{items}")
}

fn lens(fixture: &str) -> (String, Vec<String>) {
    let f = Fixture::new(fixture);
    let row = lens_row(&f.view()).expect("a title");
    let offers = row.offers.iter().map(|o| o.lens_title.clone()).collect();
    (row.status, offers)
}

fn title_hover(fixture: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    let found = hover_spec(
        &f.index,
        &f.model,
        f.offset(),
        &DiskOnly,
        HoverSpec {
            id: &f.id,
            text: &f.text,
            running: false,
        },
    );
    let out = match found {
        None => String::new(),
        Some(h) => format!("{}\n{}", span(&f.text, &h.range), visible(&h.markdown)),
    };
    expect.assert_eq(&out);
}

#[test]
fn the_lens_row_says_refine_and_offers_work_anyway() {
    let (status, offers) = lens(&with_criteria(12));
    assert_eq!(
        status,
        "pending · 0/12 · 🔴 Refine: complexity D (12 criteria) · refused: Work anyway skips the quality check"
    );
    // "Work with…" passes no quality gate either.
    assert_eq!(offers, ["▶ Work anyway"]);
}

#[test]
fn the_lens_row_of_a_ready_spec_has_one_work_and_one_work_with() {
    let (status, offers) = lens(&with_criteria(4));
    assert_eq!(status, "pending · 0/4 · 🟢 Ready · ready");
    // Split needs chant's split prompt, which the project lacks.
    assert_eq!(offers, ["▶ Work", "▶ Work with…"]);
}

#[test]
fn the_lens_row_of_a_review_spec_says_why() {
    let (status, _) = lens(&with_criteria(6));
    assert_eq!(
        status,
        "pending · 0/6 · 🟡 Review: complexity C (6 criteria) · ready"
    );
}

#[test]
fn a_completed_spec_shows_no_light() {
    let (status, _) =
        lens("---\nstatus: completed\n---\n# Done\n\n## Acceptance Criteria\n\n- [x] Add it\n");
    assert_eq!(status, "completed · 1/1");
}

#[test]
fn spec_status_carries_chants_letters() {
    let f = Fixture::new(&with_criteria(12));
    let status = status_of(&f.view());
    assert_eq!(status.readiness, "refused");
    assert_eq!(
        status.reason,
        "Refine: complexity D (12 criteria) — Work anyway skips the quality check"
    );
    let quality = status.quality.expect("graded");
    assert_eq!(
        quality.grades.chant_line(),
        "🔴 Refine | Complexity: D | Confidence: A | Splittable: C | AC Quality: A"
    );
    assert_eq!(quality.summary, "Refine: complexity D (12 criteria)");
    let unreadable = Fixture::new("---\nstatus: nope\n---\n# T\n");
    assert_eq!(status_of(&unreadable.view()).quality, None);
}

#[test]
fn the_hover_on_the_title_gives_the_grades_and_chants_suggestions() {
    let spec = with_criteria(12).replace("# Tokens", "# Tok$0ens");
    title_hover(
        &spec,
        expect![[r#"
            3:0-3:8
            **chant grades this spec 🔴 Refine**: `chant work` run without a terminal (from an editor or CI) refuses it unless the quality check is skipped ("Work anyway", `--skip-criteria`).

            - **complexity D**: 12 criteria (D from 8)
            - **confidence A**: bullets: 12 of 12 counted lines (100 %); bullets starting with an imperative verb: 12 of 12 (100 %); vague phrases: none
            - **acceptance criteria A**: 12 `- [ ]` items
            - **splittability C**: 1 `##` heading and 0 target files (B needs 1 or 2 headings and exactly 2 target files, A 3 or more of each)

            chant suggests:

            - Add target_files and organize with ## section headers to improve splittability
            - Reduce criteria count or split spec into smaller pieces
        "#]],
    );
}
