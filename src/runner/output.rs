//! What chant printed, read: the spec `chant add` created, the files a
//! merge stopped on, which branches `chant merge --all` merged, chant's
//! error block and its warnings. Pure functions of the text (chant 0.23.2's
//! wording, checked against the binary); nothing here decides anything.

use crate::spec::id::is_safe_id;

/// The text without ANSI escape sequences (chant colours nothing when its
/// stdout is not a terminal, but a user's environment may force colours).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            // Parameters and intermediates up to the final byte (@ to ~).
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
    }
    out
}

/// The ID `chant add` reports: `Created <id>`.
pub fn created_id(stdout: &str) -> Option<String> {
    stdout.lines().find_map(|line| {
        let id = line.trim().strip_prefix("Created ")?.trim();
        is_safe_id(id).then(|| id.to_string())
    })
}

/// The files of the last `Files with conflicts:` list chant printed (a
/// merge that stopped on conflicts), in its order.
pub fn conflicting_files(text: &str) -> Vec<String> {
    let mut files = Vec::new();
    let mut in_list = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed == "Files with conflicts:" {
            files.clear();
            in_list = true;
            continue;
        }
        if !in_list {
            continue;
        }
        match trimmed.strip_prefix("- ") {
            Some(file) if !file.trim().is_empty() => files.push(file.trim().to_string()),
            _ => in_list = false,
        }
    }
    files.dedup();
    files
}

/// The spec IDs `chant merge` reports as merged
/// (`✓ Successfully merged <id> to <branch>`), in order.
pub fn merged_ids(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("✓ Successfully merged ")?;
            let id = rest.split_whitespace().next()?;
            is_safe_id(id).then(|| id.to_string())
        })
        .collect()
}

/// The specs `chant merge` reports as failed (`✗ <id> failed: <why>`),
/// with the first line of why.
pub fn merge_failures(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("✗ ")?;
            let (id, why) = rest.split_once(" failed: ")?;
            let why = why.trim().trim_start_matches("Error: ").trim();
            is_safe_id(id.trim()).then(|| (id.trim().to_string(), why.to_string()))
        })
        .collect()
}

/// The line chant 0.23.2's chain prints when it skips a member because its
/// group failed (`⚠ Skipping <id>: group <driver> has failures`): after a
/// failure it prints it for ever, never stopping.
pub fn is_group_failure_skip(line: &str) -> bool {
    let line = line.trim();
    line.starts_with("⚠ Skipping ") && line.contains(": group ") && line.ends_with(" has failures")
}

/// How many such lines mean chant is going round in circles (a chain skips
/// each member once).
pub const LOOP_LINES: usize = 100;

/// The member chant starts working in a chain: `Working <id> with prompt
/// '<name>'` (stderr).
pub fn working_on(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix("Working ")?;
    let (id, _) = rest.split_once(" with prompt ")?;
    is_safe_id(id).then_some(id)
}

/// chant's error: the last `Error: ...` line of `text` and the lines that
/// follow it, up to a stack backtrace (printed when `RUST_BACKTRACE` is set)
/// or the end; blank lines at the end and chant's pointer to its
/// documentation dropped, a doubled `Error: Error: ` said once.
pub fn error_block(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().rposition(|l| l.starts_with("Error: "))?;
    let mut block: Vec<&str> = Vec::new();
    for (i, line) in lines[start..].iter().enumerate() {
        if line.starts_with("Stack backtrace:")
            || (i > 0 && line.starts_with("Warning: parallel.agents"))
        {
            break;
        }
        if line.starts_with("Documentation: ") {
            continue;
        }
        block.push(line.trim_end());
    }
    while block.last().is_some_and(|l| l.is_empty()) {
        block.pop();
    }
    let mut text = block.join("\n");
    while let Some(rest) = text.strip_prefix("Error: Error: ") {
        text = format!("Error: {rest}");
    }
    Some(text)
}

/// chant's warnings worth passing on: `⚠` lines, without the configuration
/// warning chant prints on every run.
pub fn warnings(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('⚠'))
        .map(|l| l.trim_start_matches('⚠').trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Whether chant skipped the commit `chant archive` makes (it does when it
/// sees uncommitted changes, and in 0.23.2 it counts its own `git mv`).
pub fn archive_commit_skipped(text: &str) -> bool {
    text.contains("Skipping auto-commit")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_ids_and_colours() {
        let out = "\u{1b}[32mCreated\u{1b}[0m \u{1b}[36m2026-01-29-001-abc\u{1b}[0m\nEdit: .chant/specs/2026-01-29-001-abc.md\n";
        assert_eq!(
            created_id(&strip_ansi(out)).as_deref(),
            Some("2026-01-29-001-abc")
        );
        assert_eq!(created_id("Created -rf\n"), None);
        assert_eq!(created_id("nothing"), None);
    }

    const CONFLICT: &str = "→ Executing merges...
  ✗ 2026-01-29-001-abc failed: Error: Content conflicts detected for spec 2026-01-29-001-abc

Context:
  - Branch: chant/2026-01-29-001-abc
  - Target: main
  - Conflict type: content

Files with conflicts:
  - README.md
  - src/lib.rs

Next steps:
  1. Resolve conflicts manually, then:  git merge --continue
";

    #[test]
    fn conflicts_and_merge_results() {
        assert_eq!(conflicting_files(CONFLICT), ["README.md", "src/lib.rs"]);
        assert_eq!(
            merge_failures(CONFLICT),
            [(
                "2026-01-29-001-abc".to_string(),
                "Content conflicts detected for spec 2026-01-29-001-abc".to_string()
            )]
        );
        let merged = "✓ Successfully merged 2026-01-29-001-abc to main\nReturned to branch: main\n✓ Successfully merged 2026-01-29-002-def to main\n";
        assert_eq!(
            merged_ids(merged),
            ["2026-01-29-001-abc", "2026-01-29-002-def"]
        );
    }

    #[test]
    fn error_blocks_stop_at_backtraces() {
        let stderr = "Warning: parallel.agents configured\nError: Error: Merge stopped at spec x\n\nNext Steps:\n  1. Resolve\n\nDocumentation: See 'chant merge --help' for more options\n\nStack backtrace:\n   0: anyhow\n";
        assert_eq!(
            error_block(stderr).as_deref(),
            Some("Error: Merge stopped at spec x\n\nNext Steps:\n  1. Resolve")
        );
        assert_eq!(error_block("fine\n"), None);
    }

    #[test]
    fn chain_lines() {
        assert!(is_group_failure_skip(
            "⚠ Skipping 2026-02-01-001-drv.2: group 2026-02-01-001-drv has failures"
        ));
        assert!(!is_group_failure_skip("⚠ Skipping x: cancelled"));
        assert_eq!(
            working_on("Working 2026-02-01-001-drv.1 with prompt 'standard'"),
            Some("2026-02-01-001-drv.1")
        );
        assert_eq!(working_on("Working hard"), None);
    }

    #[test]
    fn warnings_and_tails() {
        let text = "⚠ Working directory has other uncommitted changes. Skipping auto-commit.\n  Please commit\nWarning: parallel.agents configured\n";
        assert_eq!(
            warnings(text),
            ["Working directory has other uncommitted changes. Skipping auto-commit."]
        );
        assert!(archive_commit_skipped(text));
    }
}
