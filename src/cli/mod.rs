//! The command line: `chant-lsp check` and `chant-lsp editor-config`.
//!
//! [`check`] collects the diagnostics (no printing), [`report`] renders them
//! (terminal, JSON, GitHub workflow commands, SARIF), and [`run_check`] ties
//! the two together and decides the exit code.

pub mod check;
pub mod report;

use std::io::Write;
use std::path::PathBuf;

use crate::analysis::{Code, Filter};

/// `check` found nothing that is an error.
pub const EXIT_CLEAN: u8 = 0;
/// `check` found at least one error.
pub const EXIT_ERRORS: u8 = 1;
/// A usage or I/O problem: an unknown code for `--disable`, a path that does
/// not exist or holds no chant project, or a report that could not be written.
pub const EXIT_TROUBLE: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// rustc-style snippets for people.
    #[default]
    Human,
    /// One JSON object: diagnostics, summary, notes.
    Json,
    /// GitHub Actions workflow commands (`::error file=...::message`).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub disabled: Vec<String>,
    pub color: bool,
}

/// `chant-lsp check`: check, print the report on stdout, and return the exit
/// code ([`EXIT_CLEAN`], [`EXIT_ERRORS`] or [`EXIT_TROUBLE`]).
pub fn run_check(options: &CheckOptions) -> u8 {
    let (filter, unknown) = Filter::new(&options.disabled);
    if !unknown.is_empty() {
        eprintln!(
            "error: unknown diagnostic code(s) for --disable: {}",
            unknown.join(", ")
        );
        eprintln!("       run `chant-lsp check --list-codes` to see them");
        return EXIT_TROUBLE;
    }
    let result = check::check(&options.paths, &filter);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match options.format {
        Format::Human => report::human::write(&mut out, &result, options.color),
        Format::Json => report::json::write(&mut out, &result),
        Format::Github => report::github::write(&mut out, &result),
        Format::Sarif => report::sarif::write(&mut out, &result),
    }
    .and_then(|()| out.flush());
    // A reader that went away (`| head`) is not a failure.
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write the report: {e}");
            return EXIT_TROUBLE;
        }
        _ => {}
    }
    for note in result.notes.iter().filter(|n| n.is_bad_path()) {
        eprintln!("error: {}", report::visible(&note.message));
    }
    if result.has_bad_paths() {
        EXIT_TROUBLE
    } else if result.has_errors() {
        EXIT_ERRORS
    } else {
        EXIT_CLEAN
    }
}

/// `chant-lsp check --list-codes`: every code, its default severity, what it
/// is about and the chant lint rule it mirrors.
pub fn list_codes(out: &mut dyn Write) -> std::io::Result<()> {
    for code in Code::ALL {
        let rule = code
            .chant_rule()
            .map(|r| format!(" (chant rule: {r})"))
            .unwrap_or_default();
        writeln!(
            out,
            "{:<36} {:<7} {}{rule}",
            code.as_str(),
            code.default_severity().as_str(),
            code.summary()
        )?;
    }
    Ok(())
}

/// The Helix configuration `chant-lsp editor-config helix` prints: the
/// repository's `editors/helix/languages.toml` itself, so the two cannot drift.
pub const HELIX_LANGUAGES_TOML: &str = include_str!("../../editors/helix/languages.toml");
