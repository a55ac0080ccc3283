//! Fixtures: a project in memory, written as one string (rust-analyzer's
//! `//- /path` fixtures), and a cursor in the current file.
//!
//! ```text
//! //- /.chant/specs/2026-02-01-001-cur.md
//! ---
//! status: pen$0
//! ---
//! # A spec
//! //- /docs/notes.md
//! Notes.
//! ```
//!
//! - `//- /relative/path` starts a file (relative to the project root,
//!   [`ROOT`]); `//- /path fifo` makes a named pipe there instead.
//! - A fixture without any `//-` line is the spec [`CURRENT`].
//! - `$0` once is the cursor; `$0...$0` a range. The file holding it is the
//!   current file; without a marker, it is the first file of the fixture.
//! - Indentation common to all lines goes (so fixtures sit indented in the
//!   code); YAML and Markdown keep their relative indentation.
//! - The base project ([`BASE`]: config, prompts `standard` and `research`,
//!   two specs, a few files) is laid out first unless the fixture is
//!   `bare`; a fixture file with the same path replaces a base file.
//!
//! The harness writes every file into a `MemoryFs`, indexes the project
//! with `ProjectIndex::load_from` and parses the current file with
//! `SpecModel::parse`: what the server does, without a disk or a protocol.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chant_lsp::analysis::{Diagnostic, Filter, SpecContext};
use chant_lsp::ide::commands::SpecView;
use chant_lsp::ide::Sources;
use chant_lsp::spec::SpecModel;
use chant_lsp::text::{LineIndex, PositionEncoding, TextRange};
use chant_lsp::vfs::{FileSystem, MemoryFs};
use chant_lsp::workspace::{classify, ChantFile, LoadedSpec, ProjectFiles, ProjectIndex};

use crate::expect::trim_indent;

/// Where fixture projects live (in memory).
pub const ROOT: &str = "/project";

/// The spec a fixture without `//-` lines is.
pub const CURRENT: &str = ".chant/specs/2026-02-01-001-cur.md";

pub const CURSOR: &str = "$0";

/// The project every fixture starts from (unless `bare`).
pub const BASE: &str = r#"
//- /.chant/config.md
---
project:
  name: demo
defaults:
  prompt: standard
---
# Config
//- /.chant/prompts/standard.md
---
purpose: The default prompt for code work.
---
Implement {{spec.title}}.
//- /.chant/prompts/research.md
---
purpose: Investigate and write findings.
---
Research {{spec.title}}.
//- /.chant/specs/2026-01-01-001-abc.md
---
status: completed
---
# Set up the database

The schema and the first migration.

## Acceptance Criteria

- [x] tables exist
//- /.chant/specs/2026-01-02-001-def.md
---
status: pending
labels: [ui, auth]
---
# Add the login page

A form with a password field.

## Acceptance Criteria

- [ ] form shows
- [ ] errors show
//- /docs/guide.md
# Guide

How to use it.
//- /src/main.rs
fn main() {}
"#;

/// One file of a fixture.
#[derive(Debug, Clone)]
pub struct FixtureFile {
    /// Relative to the root, `/` separated.
    pub path: String,
    pub text: String,
    /// A named pipe instead of a regular file.
    pub fifo: bool,
}

/// Splits a fixture into its files (markers still in).
pub fn split(fixture: &str) -> Vec<FixtureFile> {
    let fixture = trim_indent(fixture);
    if !fixture.lines().any(|l| l.starts_with("//- /")) {
        return vec![FixtureFile {
            path: CURRENT.into(),
            text: fixture,
            fifo: false,
        }];
    }
    let mut files: Vec<FixtureFile> = Vec::new();
    for line in fixture.split_inclusive('\n') {
        if let Some(header) = line.strip_prefix("//- /") {
            // The path is the rest of the line (spaces included), but for a
            // trailing ` fifo`.
            let header = header.trim_end_matches(['\n', '\r']);
            let (path, fifo) = match header.strip_suffix(" fifo") {
                Some(path) => (path, true),
                None => (header, false),
            };
            assert!(!path.is_empty(), "a path after //- /");
            files.push(FixtureFile {
                path: path.to_string(),
                text: String::new(),
                fifo,
            });
            continue;
        }
        match files.last_mut() {
            Some(file) => file.text.push_str(line),
            None => assert!(line.trim().is_empty(), "text before the first //- line"),
        }
    }
    files
}

/// The text without its markers, and the cursor (a range, empty for `$0`
/// alone).
pub fn take_cursor(text: &str) -> (String, Option<TextRange>) {
    let Some(first) = text.find(CURSOR) else {
        return (text.to_string(), None);
    };
    let rest = &text[first + CURSOR.len()..];
    match rest.find(CURSOR) {
        None => (text.replacen(CURSOR, "", 1), Some(first..first)),
        Some(second) => {
            let end = first + second;
            let clean = text.replacen(CURSOR, "", 2);
            assert!(!clean.contains(CURSOR), "at most two {CURSOR} markers");
            (clean, Some(first..end))
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// No base project: only the fixture's files.
    pub bare: bool,
    /// The current file with CRLF line breaks.
    pub crlf: bool,
}

/// A project in memory, indexed, with the current file parsed.
pub struct Fixture {
    pub fs: Arc<MemoryFs>,
    pub root: PathBuf,
    pub index: ProjectIndex,
    /// The current file (absolute).
    pub path: PathBuf,
    /// Its text, markers taken out.
    pub text: String,
    pub model: SpecModel,
    /// The cursor, or `0..0` when the fixture has none.
    pub cursor: TextRange,
    /// The spec ID of the current file (its file name), or "".
    pub id: String,
}

impl Fixture {
    /// A fixture over the base project.
    pub fn new(fixture: &str) -> Fixture {
        Fixture::with(fixture, Options::default())
    }

    /// A fixture with only its own files.
    pub fn bare(fixture: &str) -> Fixture {
        Fixture::with(
            fixture,
            Options {
                bare: true,
                ..Options::default()
            },
        )
    }

    /// A fixture whose current file has CRLF line breaks.
    pub fn crlf(fixture: &str) -> Fixture {
        Fixture::with(
            fixture,
            Options {
                crlf: true,
                ..Options::default()
            },
        )
    }

    pub fn with(fixture: &str, options: Options) -> Fixture {
        let root = PathBuf::from(ROOT);
        let fs = Arc::new(MemoryFs::new());
        let own = split(fixture);
        let mut files = if options.bare {
            Vec::new()
        } else {
            split(BASE)
        };
        files.retain(|f| !own.iter().any(|o| o.path == f.path));
        let current_at = own
            .iter()
            .position(|f| f.text.contains(CURSOR))
            .unwrap_or(0);
        let mut current = None;
        for (i, file) in own.iter().enumerate() {
            let mut text = file.text.clone();
            if i == current_at {
                if options.crlf {
                    text = text.replace('\n', "\r\n");
                }
                let (clean, cursor) = take_cursor(&text);
                current = Some((file.path.clone(), clean.clone(), cursor));
                text = clean;
            } else {
                assert!(!text.contains(CURSOR), "{CURSOR} in more than one file");
            }
            files.push(FixtureFile {
                path: file.path.clone(),
                text,
                fifo: file.fifo,
            });
        }
        for file in &files {
            let path = root.join(&file.path);
            if file.fifo {
                fs.special(&path, "a named pipe (FIFO)");
            } else {
                fs.write(&path, &file.text);
            }
        }
        let (rel, text, cursor) = current.expect("a fixture has at least one file");
        let path = root.join(rel);
        let id = match classify(&path) {
            ChantFile::Spec { id, .. } => id,
            _ => String::new(),
        };
        let index = ProjectIndex::load_from(ProjectFiles::new(fs.clone(), &root));
        Fixture {
            model: SpecModel::parse(&text),
            fs,
            root,
            index,
            path,
            text,
            cursor: cursor.unwrap_or(0..0),
            id,
        }
    }

    /// The cursor as an offset (the start of a range).
    pub fn offset(&self) -> usize {
        self.cursor.start
    }

    /// What the current file is to chant.
    pub fn kind(&self) -> ChantFile {
        classify(&self.path)
    }

    /// An absolute path in the project.
    pub fn abs(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// A path relative to the root, for expectations.
    pub fn rel(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    /// Index the project again (after files changed in `fs`).
    pub fn reindex(&mut self) {
        self.index = ProjectIndex::load_from(ProjectFiles::new(self.fs.clone(), &self.root));
    }

    /// The current file's diagnostics, as the server computes them.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        diagnose(&self.index, &self.id, &self.path, &self.text)
    }

    /// The actions' view of the current spec: commands allowed, nothing
    /// running, no agent branch.
    pub fn view(&self) -> SpecView<'_> {
        SpecView {
            id: &self.id,
            path: &self.path,
            text: &self.text,
            model: &self.model,
            index: &self.index,
            running: false,
            agent_branch: None,
            branch_merged: None,
            commands_enabled: true,
            nested: matches!(
                self.kind(),
                ChantFile::Spec {
                    top_level: false,
                    ..
                }
            ),
            unsaved: false,
            unsaved_files: &[],
        }
    }

    /// Whether the memory holds a file at `relative`.
    pub fn exists(&self, relative: &str) -> bool {
        self.fs.exists(&self.abs(relative))
    }
}

/// The diagnostics of a spec's text, in a project.
pub fn diagnose(index: &ProjectIndex, id: &str, path: &Path, text: &str) -> Vec<Diagnostic> {
    LoadedSpec::from_text(text.to_string()).diagnose(
        SpecContext {
            id,
            path: Some(path),
        },
        index,
        &Filter::default(),
    )
}

/// Open buffers that differ from the disk.
#[derive(Default)]
pub struct Buffers(pub Vec<(PathBuf, String)>);

impl Sources for Buffers {
    fn open_text(&self, path: &Path) -> Option<String> {
        self.0
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, t)| t.clone())
    }
}

/// `line:col` (0-based, UTF-8 byte column) of an offset.
pub fn lc(text: &str, offset: usize) -> String {
    let p = LineIndex::new(text).position(text, offset, PositionEncoding::Utf8);
    format!("{}:{}", p.line, p.col)
}

/// `line:col-line:col` of a range.
pub fn span(text: &str, range: &TextRange) -> String {
    format!("{}-{}", lc(text, range.start), lc(text, range.end))
}

/// Markdown with its hard line breaks (trailing spaces) made visible as `␠`.
pub fn visible(markdown: &str) -> String {
    let mut out = String::new();
    for line in markdown.split_inclusive('\n') {
        let (content, eol) = match line.strip_suffix('\n') {
            Some(c) => (c, "\n"),
            None => (line, ""),
        };
        let trimmed = content.trim_end_matches(' ');
        out.push_str(trimmed);
        out.push_str(&"␠".repeat(content.len() - trimmed.len()));
        out.push_str(eol);
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[test]
fn fixtures_split_into_files_and_a_cursor() {
    let files = split(
        "
        //- /a.md
        one $0
        //- /b/c d.md fifo
        ",
    );
    assert_eq!(files.len(), 2);
    assert_eq!(files[1].path, "b/c d.md");
    assert_eq!(
        (files[0].path.as_str(), files[0].text.as_str()),
        ("a.md", "one $0\n")
    );
    assert!(files[1].fifo && files[1].text.is_empty());
    assert_eq!(take_cursor("a$0b"), ("ab".into(), Some(1..1)));
    assert_eq!(take_cursor("a$0bc$0d"), ("abcd".into(), Some(1..3)));
    assert_eq!(take_cursor("ab"), ("ab".into(), None));

    let f = Fixture::new("---\nstatus: pending\n---\n# T$0\n");
    assert_eq!(f.rel(&f.path), CURRENT);
    assert_eq!(f.id, "2026-02-01-001-cur");
    assert_eq!(&f.text[f.offset() - 3..f.offset()], "# T");
    assert_eq!(f.index.spec_count(), 3);
    assert!(f.exists("docs/guide.md"));
    let crlf = Fixture::crlf("---\nstatus: pending\n---\n# T$0\n");
    assert_eq!(crlf.text, "---\r\nstatus: pending\r\n---\r\n# T\r\n");
    assert_eq!(crlf.offset(), crlf.text.len() - 2);
    assert_eq!(Fixture::bare("# T\n").index.spec_count(), 1);
}

/// Applies byte edits of `text` as a client applies a `TextEdit[]`: in any
/// order, but never overlapping (the test fails if two do).
pub fn apply(text: &str, edits: &[(TextRange, String)]) -> String {
    let mut sorted: Vec<&(TextRange, String)> = edits.iter().collect();
    sorted.sort_by_key(|(r, _)| (r.start, r.end));
    for pair in sorted.windows(2) {
        assert!(
            pair[0].0.end <= pair[1].0.start,
            "overlapping edits: {:?} and {:?}",
            pair[0],
            pair[1]
        );
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, new) in sorted {
        assert!(
            range.start <= range.end && range.end <= text.len(),
            "bad edit {range:?}"
        );
        out.push_str(&text[at..range.start]);
        out.push_str(new);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}
