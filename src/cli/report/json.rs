//! `--format json`: one object with every diagnostic (file, spec ID, range as
//! 0-based line and UTF-8 byte column, severity, code, message, chant rule),
//! the summary and the notes.

use std::io::Write;

use serde::Serialize;

use super::{escape_json_controls, span, Counts};
use crate::cli::check::CheckResult;
use crate::text::{LineIndex, PositionEncoding};

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Counts,
    notes: Vec<&'a str>,
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

pub fn write(out: &mut impl Write, result: &CheckResult) -> std::io::Result<()> {
    let mut diagnostics = Vec::new();
    for file in &result.files {
        let index = LineIndex::new(&file.text);
        for d in &file.diagnostics {
            let (start, end) = span(file, &index, d, PositionEncoding::Utf8);
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
                chant_rule: d.chant_rule(),
            });
        }
    }
    let report = JsonReport {
        diagnostics,
        summary: Counts::of(result),
        notes: result.notes.iter().map(|n| n.message.as_str()).collect(),
    };
    let text = serde_json::to_string(&report).map_err(std::io::Error::other)?;
    writeln!(out, "{}", escape_json_controls(text))
}
