//! Adversarial specs: the analysis of any spec up to 64 KB, whatever its
//! content, from text to every diagnostic (`SpecModel::parse` and
//! `analysis::diagnose`, with the real corpus as the workspace). Each input
//! is built to hit one expensive path: frontmatters chant rejects in many
//! places (repeated keys, thousands of bad values), deep nesting, long
//! lines, many mentions, checkboxes and fences. The repeated-keys input is
//! also measured at 500, 1,000 and 2,000 lines, where the analysis used to
//! be quadratic (0.46 / 1.8 / 7.9 s).

mod common;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

use chant_lsp::analysis::{self, SpecContext};
use chant_lsp::spec::SpecModel;
use chant_lsp::workspace::ProjectIndex;

const LIMIT: usize = 64 * 1024;

/// `head`, then `unit` repeated while it fits in `LIMIT`, then `tail`.
fn fill(head: &str, unit: &str, tail: &str) -> String {
    let mut s = String::from(head);
    while s.len() + unit.len() + tail.len() <= LIMIT {
        s.push_str(unit);
    }
    s.push_str(tail);
    s
}

fn frontmatter_lines(unit: &str, lines: usize) -> String {
    format!("---\n{}---\n# T\n", unit.repeat(lines))
}

/// (name, spec text), each at most 64 KB.
fn inputs() -> Vec<(String, String)> {
    let half = LIMIT / 2;
    let body = "\n# Title\n\n## Acceptance Criteria\n\n- [ ] works\n";
    let mut out: Vec<(String, String)> = vec![
        (
            "repeated_known_keys".into(),
            fill("---\n", "status: pending\n", &format!("---{body}")),
        ),
        (
            "repeated_unknown_keys".into(),
            fill("---\n", "priority: high\n", &format!("---{body}")),
        ),
        (
            "bad_values_flow_list".into(),
            fill("---\nlabels: [", "{a: 1}, ", &format!("x]\n---{body}")),
        ),
        (
            "bad_values_block_list".into(),
            fill("---\ntarget_files:\n", "- [x]\n", &format!("---{body}")),
        ),
        (
            "depends_on_numbers".into(),
            fill("---\ndepends_on: [", "12345, ", &format!("1]\n---{body}")),
        ),
        (
            "bad_enum_values".into(),
            fill("---\n", "status: opne\ntype: docs\n", &format!("---{body}")),
        ),
        (
            "deep_flow_known_key".into(),
            format!(
                "---\nlabels: {}{}\n---{body}",
                "[".repeat(half / 2 - 20),
                "]".repeat(half / 2 - 20)
            ),
        ),
        (
            "deep_flow_unknown_key".into(),
            format!(
                "---\nextra: {}{}\n---{body}",
                "{a: ".repeat(half / 5 - 20),
                "}".repeat(half / 5 - 20)
            ),
        ),
        (
            "deep_block_nesting".into(),
            format!(
                "---\nextra:\n{}---{body}",
                (1..140)
                    .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
                    .collect::<String>()
            ),
        ),
        (
            "long_frontmatter_line".into(),
            format!("---\nmodel: {}\n---{body}", "x".repeat(LIMIT - 100)),
        ),
        (
            "long_body_line".into(),
            format!(
                "---\nstatus: pending\n---{body}{}\n",
                "word ".repeat((LIMIT - 100) / 5)
            ),
        ),
        (
            "unclosed_quote".into(),
            format!(
                "---\nmodel: \"{}\n---{body}",
                "x y ".repeat((LIMIT - 100) / 4)
            ),
        ),
        (
            "syntax_noise".into(),
            fill("---\n", ": : [ { ] } -\n", &format!("---{body}")),
        ),
        (
            "many_mentions".into(),
            fill(
                "---\nstatus: pending\n---\n# T\n\n",
                "see 2026-01-24-001-cxn and 2026-01-24-002-u0g¹ ",
                "\n",
            ),
        ),
        (
            "many_checkboxes".into(),
            fill(
                "---\nstatus: pending\n---\n# T\n\n## Acceptance Criteria\n\n",
                "- [ ] add it - [ ] twice\n",
                "",
            ),
        ),
        (
            "many_fences".into(),
            fill(
                "---\nstatus: pending\n---\n# T\n\n",
                "```\n# x\n- [ ] y\n",
                "",
            ),
        ),
        (
            "many_headings".into(),
            fill(
                "---\nstatus: pending\n---\n# T\n\n",
                "## Acceptance Criteria\n- [x] a\n",
                "",
            ),
        ),
    ];
    for lines in [500, 1000, 2000] {
        out.push((
            format!("repeated_keys_{lines}_lines"),
            frontmatter_lines("status: pending\n", lines),
        ));
    }
    for (name, text) in &out {
        assert!(text.len() <= LIMIT, "{name}: {} bytes", text.len());
    }
    out
}

fn adversarial(c: &mut Criterion) {
    let corpus = common::corpus();
    let index = ProjectIndex::load(&corpus);
    let mut group = c.benchmark_group("adversarial_64kb");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for (name, text) in inputs() {
        group.bench_function(&name, |b| {
            b.iter(|| {
                let model = SpecModel::parse(&text);
                analysis::diagnose(
                    &text,
                    &model,
                    SpecContext {
                        id: "2026-01-24-0zz-adv",
                        path: None,
                    },
                    &index,
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, adversarial);
criterion_main!(benches);
