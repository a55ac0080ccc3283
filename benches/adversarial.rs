//! Adversarial specs: the analysis of any spec up to 64 KB, whatever its
//! content, from text to every diagnostic (`SpecModel::parse` and
//! `analysis::diagnose`, with the real corpus as the workspace). Each input
//! is built to hit one expensive path: frontmatters chant rejects in many
//! places (repeated keys, thousands of bad values), deep nesting, long
//! lines, many mentions, checkboxes and fences. The repeated-keys input is
//! also measured at 500, 1,000 and 2,000 lines, where the analysis used to
//! be quadratic (0.46 / 1.8 / 7.9 s).
//!
//! `long_line`: a spec whose body is one line of 0.9 MB or 1.9 MB (words,
//! CJK, emoji and a spec ID every 160 words), from its diagnostics to the
//! protocol positions of every diagnostic and semantic token (what the
//! server sends) and to each `check` report format. Positions used to be
//! counted from the line's start each time: quadratic in the line.

mod common;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

use chant_lsp::analysis::{self, SpecContext};
use chant_lsp::cli::check::{CheckResult, FileReport};
use chant_lsp::cli::report;
use chant_lsp::server::convert::TextPositions;
use chant_lsp::spec::SpecModel;
use chant_lsp::text::PositionEncoding;
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

/// One `check` report format, writing into a buffer.
type WriteReport = fn(&mut Vec<u8>, &CheckResult) -> std::io::Result<()>;

/// A spec whose body is one line of about `bytes` bytes.
fn one_line_body(bytes: usize) -> String {
    let mut line = String::new();
    let mut i = 0;
    while line.len() < bytes {
        line.push_str(if i % 160 == 0 {
            "see 2026-01-24-001-cxn "
        } else {
            "word 中 😀 "
        });
        i += 1;
    }
    format!(
        "---\nstatus: pending\n---\n# Long line\n\n{line}\n\n## Acceptance Criteria\n\n- [ ] x\n"
    )
}

fn long_line(c: &mut Criterion) {
    let corpus = common::corpus();
    let index = ProjectIndex::load(&corpus);
    let mut group = c.benchmark_group("long_line");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for (name, bytes) in [("0.9MB", 900_000), ("1.9MB", 1_900_000)] {
        let text = one_line_body(bytes);
        let spec = SpecContext {
            id: "2026-01-24-0zz-lng",
            path: None,
        };
        let model = SpecModel::parse(&text);
        let diagnostics = analysis::diagnose(&text, &model, spec, &index);
        let tokens = chant_lsp::ide::semantic::tokens(&text, &model, &index);
        assert!(diagnostics.len() > 300 && tokens.len() > 300);
        group.bench_function(format!("diagnostics_{name}"), |b| {
            b.iter(|| {
                let model = SpecModel::parse(&text);
                let found = analysis::diagnose(&text, &model, spec, &index);
                let positions = TextPositions::new(&text, PositionEncoding::Utf16);
                found
                    .iter()
                    .map(|d| positions.range(&d.range))
                    .collect::<Vec<_>>()
            })
        });
        group.bench_function(format!("semantic_token_positions_{name}"), |b| {
            b.iter(|| {
                let positions = TextPositions::new(&text, PositionEncoding::Utf16);
                tokens
                    .iter()
                    .map(|t| positions.range(&t.range))
                    .collect::<Vec<_>>()
            })
        });
        let result = CheckResult {
            files: vec![FileReport {
                path: "/w/.chant/specs/2026-01-24-0zz-lng.md".into(),
                spec_id: "2026-01-24-0zz-lng".into(),
                text: text.clone(),
                diagnostics: diagnostics.clone(),
            }],
            notes: Vec::new(),
        };
        let formats: [(&str, WriteReport); 4] = [
            ("human", |out, r| report::human::write(out, r, false)),
            ("json", |out, r| report::json::write(out, r)),
            ("github", |out, r| report::github::write(out, r)),
            ("sarif", |out, r| report::sarif::write(out, r)),
        ];
        for (format, write) in formats {
            group.bench_function(format!("check_{format}_{name}"), |b| {
                b.iter(|| {
                    let mut out = Vec::new();
                    write(&mut out, &result).unwrap();
                    out.len()
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, adversarial, long_line);
criterion_main!(benches);
