//! The terminal report: rustc-style snippets (annotate-snippets), warnings
//! about unreadable configuration, then a one-line summary.

use std::io::Write;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use super::{relative, visible, visible_source, Counts};
use crate::analysis::{Diagnostic, Severity};
use crate::cli::check::{CheckResult, FileReport};
use crate::text::{LineIndex, PositionEncoding};

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
        let shown =
            visible(&relative(&file.path, cwd.as_deref()).display().to_string()).into_owned();
        let index = LineIndex::new(&file.text);
        for d in &file.diagnostics {
            writeln!(out, "{}", render_one(&renderer, file, &index, &shown, d))?;
        }
    }
    // Bad paths go to stderr (`cli::run_check`), not into the report.
    for note in result.notes.iter().filter(|n| !n.is_bad_path()) {
        writeln!(out, "warning: {}", visible(&note.message))?;
    }
    writeln!(out, "{}", Counts::of(result).sentence())
}

/// Bytes of a line shown on each side of what a diagnostic marks: a snippet
/// of a 2 MB line costs what one of a short line does.
const CONTEXT: usize = 80;
/// Bytes of the marked text shown, at most.
const MAX_MARKED: usize = 400;
/// A range over more lines than this (or more bytes than 4 KB) shows only
/// its first line.
const MAX_LINES: usize = 6;

/// What a snippet shows of a diagnostic's lines: at most a window around
/// its range, every control character made visible, the range's place in it,
/// and the 1-based line and column it starts at.
struct Excerpt {
    source: String,
    span: std::ops::Range<usize>,
    line: usize,
    column: usize,
}

fn excerpt(text: &str, index: &LineIndex, range: &std::ops::Range<usize>) -> Excerpt {
    let start = range.start.min(text.len());
    let first = index.line_of(start);
    let line_start = index.line_start(first);
    let start = start.min(line_start + index.line_text(text, first).len());
    let mut last = index.line_of(range.end.max(start));
    let mut end = range.end.clamp(start, text.len());
    let last_end = |line: usize| index.line_start(line) + index.line_text(text, line).len();
    if last - first > MAX_LINES || last_end(last) - line_start > 4096 {
        last = first;
        end = end.min(last_end(first));
    }
    let end = end.min(last_end(last));
    let floor = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let ceil = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i += 1;
        }
        i
    };
    let cut_end = if end - start > MAX_MARKED {
        floor(start + MAX_MARKED)
    } else {
        end
    };
    let left = if start - line_start > CONTEXT {
        floor(start - CONTEXT)
    } else {
        line_start
    };
    let right = if last_end(last) - cut_end > CONTEXT {
        ceil(cut_end + CONTEXT)
    } else {
        last_end(last)
    };
    let mut source = String::new();
    if left > line_start {
        source.push('…');
    }
    source.push_str(&visible_source(&text[left..start]));
    let span_start = source.len();
    source.push_str(&visible_source(&text[start..cut_end]));
    let span_end = source.len();
    source.push_str(&visible_source(&text[cut_end..right]));
    if right < last_end(last) || cut_end < end {
        source.push('…');
    }
    Excerpt {
        source,
        span: span_start..span_end,
        line: first + 1,
        column: index.position(text, start, PositionEncoding::Utf32).col as usize + 1,
    }
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
    let message = visible(&d.message);
    let title = level.primary_title(message.as_ref()).id(d.code.as_str());
    if file.text.is_empty() {
        return renderer.render(&[title.element(annotate_snippets::Origin::path(shown))]);
    }
    let excerpt = excerpt(&file.text, index, &d.range);
    let snippet = Snippet::source(excerpt.source.as_str())
        .line_start(excerpt.line)
        .path(shown)
        .annotation(AnnotationKind::Primary.span(excerpt.span.clone()));
    let mut group = title.element(snippet);
    if let Some(rule) = d.chant_rule() {
        group = group.element(Level::NOTE.message(format!("chant lint rule: {rule}")));
    }
    let rendered = renderer.render(&[group]);
    // annotate-snippets counts the column in the window it was given; when
    // the window starts after the line does, the header says where in the
    // whole line the range starts instead.
    let counted = excerpt.source[..excerpt.span.start].chars().count() + 1;
    if counted == excerpt.column {
        return rendered;
    }
    let Some((title_line, rest)) = rendered.split_once('\n') else {
        return rendered;
    };
    let from = format!("{shown}:{}:{counted}", excerpt.line);
    let to = format!("{shown}:{}:{}", excerpt.line, excerpt.column);
    format!("{title_line}\n{}", rest.replacen(&from, &to, 1))
}
