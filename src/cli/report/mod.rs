//! Rendering check results: rustc-style snippets for people ([`human`]), and
//! for tools JSON ([`json`]), GitHub Actions workflow commands ([`github`])
//! and SARIF 2.1.0 ([`sarif`]).

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

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
