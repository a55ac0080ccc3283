//! `--format github`: GitHub Actions workflow commands, which the runner turns
//! into annotations on the run and on the pull request's changed files:
//!
//! ```text
//! ::error file=.chant/specs/x.md,line=3,col=9,endLine=3,endColumn=15,title=chant/unknown-status::message
//! ```
//!
//! Lines and columns are 1-based; columns count UTF-16 code units, as GitHub
//! code scanning does (`--format sarif`). Errors become `::error`, warnings
//! `::warning`, the rest `::notice`. Paths are relative to the current folder,
//! which in a workflow is the repository's root. The last line is the summary.
//!
//! Everything from a spec or a file name is escaped twice over: control
//! characters become visible escapes (`report::visible`: no raw line break,
//! ESC or C1 reaches the log), then GitHub's own escapes apply.

use std::io::Write;
use std::path::Path;

use super::{relative, span, visible, Counts};
use crate::analysis::Severity;
use crate::cli::check::CheckResult;
use crate::text::{LineIndex, PositionEncoding};

pub fn write(out: &mut impl Write, result: &CheckResult) -> std::io::Result<()> {
    let cwd = std::env::current_dir().ok();
    for file in &result.files {
        if file.diagnostics.is_empty() {
            continue;
        }
        let path = visible(&slash_path(relative(&file.path, cwd.as_deref()))).into_owned();
        let index = LineIndex::new(&file.text);
        for d in &file.diagnostics {
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Information | Severity::Hint => "notice",
            };
            let mut properties = format!("file={}", escape_property(&path));
            if !file.text.is_empty() {
                let (start, end) = span(file, &index, d, PositionEncoding::Utf16);
                properties.push_str(&format!(
                    ",line={},col={},endLine={},endColumn={}",
                    start.line + 1,
                    start.col + 1,
                    end.line + 1,
                    end.col + 1
                ));
            }
            writeln!(
                out,
                "::{command} {properties},title={}::{}",
                escape_property(d.code.as_str()),
                escape_data(&visible(&d.message))
            )?;
        }
    }
    for note in &result.notes {
        let command = if note.is_bad_path() {
            "error"
        } else {
            "warning"
        };
        writeln!(
            out,
            "::{command} title=chant-lsp::{}",
            escape_data(&visible(&note.message))
        )?;
    }
    writeln!(out, "{}", Counts::of(result).sentence())
}

/// A path with `/` between its parts, as GitHub expects on every platform.
pub(super) fn slash_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// The message after `::`: `%`, CR and LF escaped (GitHub's `escapeData`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: also `:` and `,` (GitHub's `escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_github_documents() {
        assert_eq!(
            escape_data("50% done\r\nnext: a, b"),
            "50%25 done%0D%0Anext: a, b"
        );
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn paths_use_slashes() {
        assert_eq!(
            slash_path(&Path::new(".chant").join("specs").join("a b.md")),
            ".chant/specs/a b.md"
        );
        assert_eq!(slash_path(Path::new("/tmp/p/x.md")), "/tmp/p/x.md");
    }
}
