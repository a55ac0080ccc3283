//! The terminal report: rustc-style snippets (annotate-snippets), warnings
//! about unreadable configuration, then a one-line summary.

use std::io::Write;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use super::{relative, Counts};
use crate::analysis::{Diagnostic, Severity};
use crate::cli::check::{CheckResult, FileReport};
use crate::text::LineIndex;

pub fn write(out: &mut impl Write, result: &CheckResult, color: bool) -> std::io::Result<()> {
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
        let shown = relative(&file.path, cwd.as_deref()).display().to_string();
        let index = LineIndex::new(&file.text);
        for d in &file.diagnostics {
            writeln!(out, "{}", render_one(&renderer, file, &index, &shown, d))?;
        }
    }
    // Bad paths go to stderr (`cli::run_check`), not into the report.
    for note in result.notes.iter().filter(|n| !n.is_bad_path()) {
        writeln!(out, "warning: {}", note.message)?;
    }
    writeln!(out, "{}", Counts::of(result).sentence())
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
    if let Some(rule) = d.chant_rule() {
        group = group.element(Level::NOTE.message(format!("chant lint rule: {rule}")));
    }
    renderer.render(&[group])
}
