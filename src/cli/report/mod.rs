//! Rendering check results: rustc-style snippets for people ([`human`]), and
//! for tools JSON ([`json`]), GitHub Actions workflow commands ([`github`])
//! and SARIF 2.1.0 ([`sarif`]).

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use std::borrow::Cow;
use std::path::Path;

use serde::Serialize;

use super::check::{CheckResult, FileReport};
use crate::analysis::{Diagnostic, Severity};
use crate::text::{LineCol, LineIndex, PositionEncoding};

/// How many specs were checked and how many diagnostics of each severity.
#[derive(Serialize, Default, Debug, PartialEq, Eq)]
pub struct Counts {
    pub specs: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub specs_with_errors: usize,
}

impl Counts {
    pub fn of(result: &CheckResult) -> Counts {
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

    /// `3 specs checked: 1 error, 2 warnings, 0 notes`.
    pub fn sentence(&self) -> String {
        format!(
            "{} spec{} checked: {} error{}, {} warning{}, {} note{}",
            self.specs,
            plural(self.specs),
            self.errors,
            plural(self.errors),
            self.warnings,
            plural(self.warnings),
            self.infos,
            plural(self.infos)
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The path relative to `cwd` when it is inside it, else as it is.
fn relative<'p>(path: &'p Path, cwd: Option<&Path>) -> &'p Path {
    cwd.and_then(|c| path.strip_prefix(c).ok()).unwrap_or(path)
}

/// The start and end of a diagnostic as 0-based lines and columns in
/// `encoding` units.
fn span(
    file: &FileReport,
    index: &LineIndex,
    d: &Diagnostic,
    encoding: PositionEncoding,
) -> (LineCol, LineCol) {
    (
        index.position(&file.text, d.range.start, encoding),
        index.position(&file.text, d.range.end, encoding),
    )
}

/// A control character a terminal or a CI log must never get raw: C0 but
/// tab, DEL, C1, and the bidirectional overrides (text that displays in
/// another order than it is stored).
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text from a spec or a file name as a report prints it: every control
/// character written as a visible escape (`\n`, `\r`, `\u{1b}`), so nothing
/// a spec holds can move the cursor, colour the terminal, or start a line of
/// its own (a GitHub Actions workflow command such as `::add-mask::`, which
/// the runner executes wherever a log line starts with one).
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A spec's own lines as a snippet shows them: line breaks kept, every
/// other control character replaced by one visible character (its Unicode
/// control picture, or U+FFFD), so underlines stay under what they mark.
fn visible_source(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| hidden(c) && c != '\n' && c != '\r') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\n' | '\r' => c,
                '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
                '\u{7f}' => '\u{2421}',
                c if hidden(c) => '\u{fffd}',
                c => c,
            })
            .collect(),
    )
}

/// JSON text with DEL and the C1 controls escaped too (`serde_json` escapes
/// only what JSON requires, below U+0020): they can only stand inside
/// strings, so `\u` escapes keep the document the same.
pub fn escape_json_controls(json: String) -> String {
    if !json.chars().any(|c| c.is_control() && c as u32 >= 0x7f) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if c.is_control() && c as u32 >= 0x7f {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(
            visible("a\n::error::x\r\u{1b}[31m\u{9b}2J\u{202e}\tb"),
            "a\\n::error::x\\r\\u{1b}[31m\\u{9b}2J\\u{202e}\tb"
        );
        assert!(matches!(visible("plain 中 😀"), Cow::Borrowed(_)));
        assert_eq!(visible_source("a\u{1b}b\u{9b}\nc"), "a\u{241b}b\u{fffd}\nc");
        assert_eq!(
            escape_json_controls("{\"a\":\"x\u{9b}\u{7f}\"}".into()),
            "{\"a\":\"x\\u009b\\u007f\"}"
        );
    }
}
