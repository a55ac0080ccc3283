//! Expectations written as text in the test source, rust-analyzer's
//! `expect![[...]]` style: `expect![[r#"..."#]].assert_eq(&actual)`.
//!
//! The literal is compared after `trim_indent` (the first line break and the
//! common indentation go), so expectations sit indented in the code. On a
//! mismatch the test fails with both texts; with `UPDATE_EXPECT=1` the
//! literal in the source file is rewritten to the actual text instead
//! (several in one file, from parallel tests, are all kept: each rewrite
//! applies every patch so far to the file as it was compiled). Review the
//! diff before committing.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Where an `expect![[...]]` is and what it says.
#[derive(Debug)]
pub struct Expect {
    pub file: &'static str,
    pub line: u32,
    pub column: u32,
    pub data: &'static str,
}

/// `expect![[r#"..."#]]`; `expect![[""]]` for an empty text.
macro_rules! expect {
    [[$data:literal]] => {
        $crate::expect::Expect {
            file: file!(),
            line: line!(),
            column: column!(),
            data: $data,
        }
    };
}

impl Expect {
    /// The expected text, as compared.
    pub fn text(&self) -> String {
        trim_indent(self.data)
    }

    pub fn assert_eq(&self, actual: &str) {
        let expected = self.text();
        let updating = std::env::var_os("UPDATE_EXPECT").is_some();
        if expected == actual {
            if updating {
                // Also lay out literals that moved (rustfmt re-indents the
                // code around them, never their text).
                self.update(actual);
            }
            return;
        }
        if updating {
            eprintln!("updating {}:{}", self.file, self.line);
            self.update(actual);
            return;
        }
        panic!(
            "\nexpectation at {}:{}:{} does not match (UPDATE_EXPECT=1 rewrites it)\n{}",
            self.file,
            self.line,
            self.column,
            diff(&expected, actual)
        );
    }

    fn update(&self, actual: &str) {
        static FILES: OnceLock<Mutex<HashMap<PathBuf, Patched>>> = OnceLock::new();
        let mut files = FILES
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let path = source_path(self.file);
        let patched = files.entry(path.clone()).or_insert_with(|| Patched {
            original: std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("read {}: {e}", path.display())),
            patches: Vec::new(),
        });
        let (range, indent) = locate(&patched.original, self.line, self.column);
        let literal = format_literal(actual, indent);
        if patched.original[range.clone()] == literal
            && !patched.patches.iter().any(|(r, _)| *r == range)
        {
            return;
        }
        patched.patches.retain(|(r, _)| *r != range);
        patched.patches.push((range, literal));
        patched.patches.sort_by_key(|(r, _)| r.start);
        let mut text = patched.original.clone();
        for (range, literal) in patched.patches.iter().rev() {
            text.replace_range(range.clone(), literal);
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}

struct Patched {
    original: String,
    patches: Vec<(Range<usize>, String)>,
}

/// `file!()` is relative to the workspace root (this crate's folder).
fn source_path(file: &str) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let direct = manifest.join(file);
    if direct.exists() {
        return direct;
    }
    // In a workspace, `file!()` may start with this crate's folder name.
    manifest
        .ancestors()
        .map(|a| a.join(file))
        .find(|p| p.exists())
        .unwrap_or(direct)
}

/// The byte range of the string literal of the `expect![[` at `line`
/// (1-based), and the indentation of that line.
fn locate(source: &str, line: u32, column: u32) -> (Range<usize>, usize) {
    let line_start: usize = source
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    let line_text = source[line_start..].lines().next().unwrap_or("");
    let indent = line_text.len() - line_text.trim_start().len();
    let from = line_start + (column as usize).saturating_sub(1).min(line_text.len());
    let from = if source[from..].starts_with("expect![[") {
        from
    } else {
        line_start
    };
    let open = from
        + source[from..]
            .find("expect![[")
            .unwrap_or_else(|| panic!("no expect![[ at line {line}"))
        + "expect![[".len();
    let start = open + (source[open..].len() - source[open..].trim_start().len());
    let rest = &source[start..];
    let len = if let Some(raw) = rest.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let closing = format!("\"{}", "#".repeat(hashes));
        let body = 1 + hashes + 1;
        body + rest[body..]
            .find(&closing)
            .unwrap_or_else(|| panic!("unterminated raw string at line {line}"))
            + closing.len()
    } else {
        let mut escaped = false;
        let mut end = None;
        for (i, c) in rest.char_indices().skip(1) {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = Some(i + 1);
                    break;
                }
                _ => {}
            }
        }
        end.unwrap_or_else(|| panic!("unterminated string at line {line}"))
    };
    (start..start + len, indent)
}

/// A raw string literal holding `text`, indented one level deeper than
/// the macro's line.
fn format_literal(text: &str, indent: usize) -> String {
    if text.is_empty() {
        return "\"\"".into();
    }
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let hashes = "#".repeat(hashes);
    let pad = " ".repeat(indent + 4);
    let mut out = format!("r{hashes}\"\n");
    for line in text.lines() {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
        out.push('\n');
    }
    if text.ends_with('\n') {
        out.push_str(&" ".repeat(indent));
    } else {
        // No final line break: the literal ends on the text's last line.
        out.pop();
    }
    out.push('"');
    out.push_str(&hashes);
    out
}

/// Drops a leading line break and the indentation common to all non-blank
/// lines (blank lines become empty).
pub fn trim_indent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (content, eol) = match line.strip_suffix('\n') {
            Some(c) => (c, "\n"),
            None => (line, ""),
        };
        if content.trim().is_empty() {
            if !eol.is_empty() {
                out.push('\n');
            }
            continue;
        }
        out.push_str(&content[indent.min(content.len())..]);
        out.push_str(eol);
    }
    out
}

/// The two texts line by line, marking the lines that differ.
fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let mut out = String::from("--- expected\n+++ actual\n");
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => out.push_str(&format!("  {x}\n")),
            (x, y) => {
                if let Some(x) = x {
                    out.push_str(&format!("- {x}\n"));
                }
                if let Some(y) = y {
                    out.push_str(&format!("+ {y}\n"));
                }
            }
        }
    }
    out.push_str(&format!("\nactual, whole:\n{actual}"));
    out
}

#[test]
fn trim_indent_keeps_relative_indentation() {
    assert_eq!(
        trim_indent("\n    a\n      b\n\n    c\n    "),
        "a\n  b\n\nc\n"
    );
    assert_eq!(trim_indent(""), "");
    assert_eq!(trim_indent("x"), "x");
}

#[test]
fn literals_round_trip() {
    for text in ["a\n  b\n", "one \"#\n", "", "no final break"] {
        let literal = format_literal(text, 8);
        let source = format!("        expect![[{literal}]]\n");
        let (range, indent) = locate(&source, 1, 9);
        assert_eq!(&source[range], literal);
        assert_eq!(indent, 8);
        // What the literal holds, once indentation is trimmed.
        let inner = if literal == "\"\"" {
            String::new()
        } else {
            let hashes = literal[1..].find('"').unwrap();
            literal[2 + hashes..literal.len() - 1 - hashes].to_string()
        };
        assert_eq!(trim_indent(&inner), text, "{literal}");
    }
}
