//! `--format sarif`: a SARIF 2.1.0 log for GitHub code scanning
//! (`github/codeql-action/upload-sarif`) and other SARIF viewers.
//!
//! One run. The driver lists every code as a rule (ID, summary, default level,
//! link to its documentation), so a result's `ruleIndex` points into the
//! full list whatever was found. Locations are relative to the current folder
//! (`uriBaseId` `%SRCROOT%`, which `originalUriBaseIds` resolves); regions are
//! 1-based and count UTF-16 code units (`columnKind` `utf16CodeUnits`, what
//! GitHub expects). Notes (bad paths, unreadable config) are tool execution
//! notifications; a bad path makes `executionSuccessful` false.

use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};

use super::{escape_json_controls, relative, span};
use crate::analysis::{Code, Severity};
use crate::cli::check::CheckResult;
use crate::text::{LineIndex, PositionEncoding};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const HOME: &str = env!("CARGO_PKG_REPOSITORY");
const SRCROOT: &str = "%SRCROOT%";

pub fn write(out: &mut impl Write, result: &CheckResult) -> std::io::Result<()> {
    let cwd = std::env::current_dir().ok();
    let mut results = Vec::new();
    for file in &result.files {
        let index = LineIndex::new(&file.text);
        let artifact = artifact_location(&file.path, cwd.as_deref());
        for d in &file.diagnostics {
            let mut physical = json!({ "artifactLocation": artifact });
            if !file.text.is_empty() {
                let (start, end) = span(file, &index, d, PositionEncoding::Utf16);
                physical["region"] = json!({
                    "startLine": start.line + 1,
                    "startColumn": start.col + 1,
                    "endLine": end.line + 1,
                    "endColumn": end.col + 1,
                });
            }
            results.push(json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": rule_index(d.code),
                "level": level(d.severity),
                "message": { "text": d.message },
                "locations": [{ "physicalLocation": physical }],
            }));
        }
    }
    let notifications: Vec<Value> = result
        .notes
        .iter()
        .map(|note| {
            json!({
                "level": if note.is_bad_path() { "error" } else { "warning" },
                "message": { "text": note.message },
            })
        })
        .collect();
    let mut run = json!({
        "tool": {
            "driver": {
                "name": "chant-lsp",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": HOME,
                "rules": Code::ALL.iter().map(|&code| rule(code)).collect::<Vec<_>>(),
            }
        },
        "invocations": [{
            "executionSuccessful": !result.has_bad_paths(),
            "toolExecutionNotifications": notifications,
        }],
        "columnKind": "utf16CodeUnits",
        "results": results,
    });
    if let Some(cwd) = &cwd {
        run["originalUriBaseIds"] = json!({ SRCROOT: { "uri": format!("{}/", file_uri(cwd)) } });
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    });
    let text = serde_json::to_string_pretty(&log).map_err(std::io::Error::other)?;
    writeln!(out, "{}", escape_json_controls(text))
}

fn rule(code: Code) -> Value {
    let mut rule = json!({
        "id": code.as_str(),
        "shortDescription": { "text": code.summary() },
        "defaultConfiguration": { "level": level(code.default_severity()) },
        "helpUri": help_uri(code),
    });
    if let Some(chant_rule) = code.chant_rule() {
        rule["properties"] = json!({ "chant_rule": chant_rule });
    }
    rule
}

fn rule_index(code: Code) -> usize {
    Code::ALL
        .iter()
        .position(|&c| c == code)
        .expect("every code is in Code::ALL")
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

/// The code's section in `docs/diagnostics.md` (GitHub drops `/` and the
/// backticks from a heading's anchor).
fn help_uri(code: Code) -> String {
    format!(
        "{HOME}/blob/main/docs/diagnostics.md#{}",
        code.as_str().replace('/', "")
    )
}

/// Relative to `%SRCROOT%` (the current folder) when the file is inside it,
/// else an absolute `file:` URI.
fn artifact_location(path: &Path, cwd: Option<&Path>) -> Value {
    let shown = relative(path, cwd);
    if shown.is_relative() {
        json!({ "uri": encode_path(&path_bytes(shown)), "uriBaseId": SRCROOT })
    } else {
        json!({ "uri": file_uri(path) })
    }
}

fn file_uri(path: &Path) -> String {
    let path = path_bytes(path);
    let lead = if path.starts_with(b"/") { "" } else { "/" };
    format!("file://{lead}{}", encode_path(&path))
}

/// A path's bytes with `/` between its parts: a name that is not UTF-8
/// keeps its bytes (percent-encoded in the URI), never U+FFFD.
fn path_bytes(path: &Path) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        super::github::slash_path(path).into_bytes()
    }
}

/// Percent-encodes everything in a `/`-separated path but unreserved
/// characters, `/` and a Windows drive's `:`.
fn encode_path(path: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, &byte) in path.iter().enumerate() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/')
            || (byte == b':' && i == 1);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            encode_path(".chant/specs/a b😀.md".as_bytes()),
            ".chant/specs/a%20b%F0%9F%98%80.md"
        );
        assert_eq!(encode_path(b"C:/x#y"), "C:/x%23y");
        assert_eq!(encode_path(b"a\xff/b.md"), "a%FF/b.md");
        assert_eq!(file_uri(Path::new("/tmp/p q")), "file:///tmp/p%20q");
    }

    #[test]
    fn help_links_match_github_heading_anchors() {
        assert_eq!(
            help_uri(Code::UnknownStatus),
            format!("{HOME}/blob/main/docs/diagnostics.md#chantunknown-status")
        );
    }
}
