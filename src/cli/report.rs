//! Rendering check results: rustc-style snippets for people, JSON for tools.

use std::io::Write;
use std::path::Path;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use serde::Serialize;

use super::check::{CheckResult, FileReport};
use crate::analysis::{Diagnostic, Severity};
use crate::text::{LineIndex, PositionEncoding};

pub fn human(out: &mut impl Write, result: &CheckResult, color: bool) -> std::io::Result<()> {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let cwd = std::env::current_dir().ok();
    for file in &result.files {
        if file.diagnostics.is_empty() {
            continue;
        }
        let shown = display_path(&file.path, cwd.as_deref());
        let index = LineIndex::new(&file.text);
        for d in &file.diagnostics {
            writeln!(out, "{}", render_one(&renderer, file, &index, &shown, d))?;
        }
    }
    for note in &result.notes {
        writeln!(out, "warning: {note}")?;
    }
    let counts = Counts::of(result);
    writeln!(
        out,
        "{} spec{} checked: {} error{}, {} warning{}, {} note{}",
        counts.specs,
        plural(counts.specs),
        counts.errors,
        plural(counts.errors),
        counts.warnings,
        plural(counts.warnings),
        counts.infos,
        plural(counts.infos)
    )
}

fn render_one(
    renderer: &Renderer,
    file: &FileReport,
    index: &LineIndex,
    shown: &str,
    d: &Diagnostic,
) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Information => Level::INFO,
        Severity::Hint => Level::HELP,
    };
    let title = level.primary_title(d.message.as_str()).id(d.code.as_str());
    if file.text.is_empty() {
        return renderer.render(&[title.element(annotate_snippets::Origin::path(shown))]);
    }
    // Show only the lines the range covers, so huge files render fast.
    let first = index.line_of(d.range.start);
    let last = index.line_of(d.range.end.max(d.range.start));
    let start = index.line_start(first);
    let end = index.line_start(last) + index.line_text(&file.text, last).len();
    let source = &file.text[start..end.max(start)];
    let span_start = d.range.start - start;
    let span_end = (d.range.end.min(end) - start).max(span_start);
    let snippet = Snippet::source(source)
        .line_start(first + 1)
        .path(shown)
        .annotation(AnnotationKind::Primary.span(span_start..span_end));
    let mut group = title.element(snippet);
    if let Some(rule) = d.code.chant_rule() {
        group = group.element(Level::NOTE.message(format!("chant lint rule: {rule}")));
    }
    renderer.render(&[group])
}

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Counts,
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: String,
    spec_id: &'a str,
    range: JsonRange,
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    chant_rule: Option<&'static str>,
}

#[derive(Serialize)]
struct JsonRange {
    start: JsonPosition,
    end: JsonPosition,
}

/// 0-based line and UTF-8 byte column.
#[derive(Serialize)]
struct JsonPosition {
    line: u32,
    column: u32,
}

pub fn json(out: &mut impl Write, result: &CheckResult) -> std::io::Result<()> {
    let mut diagnostics = Vec::new();
    for file in &result.files {
        let index = LineIndex::new(&file.text);
        for d in &file.diagnostics {
            let start = index.position(&file.text, d.range.start, PositionEncoding::Utf8);
            let end = index.position(&file.text, d.range.end, PositionEncoding::Utf8);
            diagnostics.push(JsonDiagnostic {
                file: file.path.display().to_string(),
                spec_id: &file.spec_id,
                range: JsonRange {
                    start: JsonPosition {
                        line: start.line,
                        column: start.col,
                    },
                    end: JsonPosition {
                        line: end.line,
                        column: end.col,
                    },
                },
                severity: d.severity.as_str(),
                code: d.code.as_str(),
                message: &d.message,
                chant_rule: d.code.chant_rule(),
            });
        }
    }
    let report = JsonReport {
        diagnostics,
        summary: Counts::of(result),
        notes: &result.notes,
    };
    serde_json::to_writer(&mut *out, &report)?;
    writeln!(out)
}

#[derive(Serialize, Default)]
struct Counts {
    specs: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    specs_with_errors: usize,
}

impl Counts {
    fn of(result: &CheckResult) -> Counts {
        let mut c = Counts {
            specs: result.files.len(),
            ..Default::default()
        };
        for file in &result.files {
            let mut has_error = false;
            for d in &file.diagnostics {
                match d.severity {
                    Severity::Error => {
                        c.errors += 1;
                        has_error = true;
                    }
                    Severity::Warning => c.warnings += 1,
                    _ => c.infos += 1,
                }
            }
            c.specs_with_errors += usize::from(has_error);
        }
        c
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn display_path(path: &Path, cwd: Option<&Path>) -> String {
    cwd.and_then(|c| path.strip_prefix(c).ok())
        .unwrap_or(path)
        .display()
        .to_string()
}
