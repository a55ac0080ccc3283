//! The documentation's promises and the tests that keep them, in step:
//!
//! - every row of the table in `docs/testing.md` ("Promises and their
//!   tests") names at least one test, and each test it names exists: a
//!   `#[test]` function in the Rust file named, or a case (its name, or
//!   part of it) of an editor test file;
//! - every test `docs/security.md` names in its table exists;
//! - the README's "Editors" section names every command the Neovim plugin
//!   and the VS Code extension ship.

use std::path::{Path, PathBuf};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The rows (cells) of the first Markdown table after the heading `heading`.
fn table_after(doc: &str, heading: &str) -> Vec<Vec<String>> {
    let start = doc
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading:?} heading"));
    doc[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // the header and its separator
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

/// The `code` spans of a cell.
fn code_spans(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// Whether `text` has a `#[test]` function named `name`.
fn has_test_fn(text: &str, name: &str) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    lines.iter().enumerate().any(|(i, line)| {
        let line = line.trim_start();
        (line.starts_with(&format!("fn {name}(")) || line.starts_with(&format!("async fn {name}(")))
            && lines[i.saturating_sub(4)..i]
                .iter()
                .any(|l| l.trim() == "#[test]" || l.trim().starts_with("#[tokio::test"))
    })
}

/// Why the test `reference` (`path::name`, or a path) does not exist, if it
/// does not.
fn missing(reference: &str) -> Option<String> {
    let (path, name) = match reference.split_once("::") {
        Some((path, name)) => (path, Some(name)),
        None => (reference, None),
    };
    let file: PathBuf = repo().join(path);
    let Ok(text) = std::fs::read_to_string(&file) else {
        return Some(format!("{reference}: there is no file {path}"));
    };
    let name = name?;
    let found = if path.ends_with(".rs") {
        has_test_fn(&text, name)
    } else {
        text.contains(name)
    };
    (!found).then(|| format!("{reference}: {path} has no test {name:?}"))
}

#[test]
fn every_promise_names_tests_that_exist() {
    let doc = read("docs/testing.md");
    let rows = table_after(&doc, "## Promises and their tests");
    assert!(
        rows.len() >= 40,
        "only {} promises in the table",
        rows.len()
    );
    let mut problems = Vec::new();
    for row in &rows {
        let [promise, documented, tests] = &row[..] else {
            problems.push(format!("a row without three cells: {row:?}"));
            continue;
        };
        if promise.is_empty() || documented.is_empty() {
            problems.push(format!("a row without its promise or its page: {row:?}"));
        }
        let references = code_spans(tests);
        if references.is_empty() {
            problems.push(format!("no test for: {promise}"));
        }
        problems.extend(references.iter().filter_map(|r| missing(r)));
        // The pages it names exist.
        for link in documented.split("](").skip(1) {
            let target = link.split([')', '#']).next().unwrap();
            if !repo().join("docs").join(target).exists() {
                problems.push(format!("{promise}: no page {target}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "docs/testing.md:\n{}",
        problems.join("\n")
    );
}

#[test]
fn security_names_tests_that_exist() {
    let doc = read("docs/security.md");
    let rows = table_after(&doc, "## How each promise is tested");
    assert!(!rows.is_empty());
    let mut problems = Vec::new();
    for row in &rows {
        let spans = code_spans(row.last().unwrap());
        // A path, then the test functions named in parentheses after it.
        let files: Vec<&String> = spans.iter().filter(|s| s.ends_with(".rs")).collect();
        for file in &files {
            if !repo().join(file).exists() {
                problems.push(format!("no file {file}"));
            }
        }
        for name in spans.iter().filter(|s| !s.contains('/') && s.contains('_')) {
            let found = files.iter().any(|f| {
                std::fs::read_to_string(repo().join(f)).is_ok_and(|t| has_test_fn(&t, name))
            });
            if !found {
                problems.push(format!("no test {name} in {files:?}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "docs/security.md:\n{}",
        problems.join("\n")
    );
}

/// The Neovim plugin's user commands (`M.USER_COMMANDS`) and the VS Code
/// extension's command titles (`contributes.commands`).
fn shipped_commands() -> (Vec<String>, Vec<String>) {
    let lua = read("editors/neovim/lua/chant/init.lua");
    let table = &lua[lua.find("M.USER_COMMANDS = {").expect("M.USER_COMMANDS")..];
    let table = &table[..table.find("\n}\n").unwrap()];
    let neovim: Vec<String> = table
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("{ '"))
        .filter_map(|l| l.split('\'').next())
        .map(|c| format!(":{c}"))
        .collect();
    let package: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/package.json")).unwrap();
    let vscode = package["contributes"]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap().to_string())
        .collect();
    (neovim, vscode)
}

#[test]
fn the_readme_lists_every_editor_command_that_ships() {
    let readme = read("README.md");
    let start = readme.find("## Editors").expect("an Editors section");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    // Line breaks and indentation aside.
    let section = section.split_whitespace().collect::<Vec<_>>().join(" ");
    let (neovim, vscode) = shipped_commands();
    assert!(
        neovim.len() >= 16 && vscode.len() >= 20,
        "{neovim:?} {vscode:?}"
    );
    let absent: Vec<&String> = neovim
        .iter()
        .chain(&vscode)
        .filter(|c| !section.contains(c.as_str()))
        .collect();
    assert!(
        absent.is_empty(),
        "the README's Editors section does not name {absent:?}"
    );
}
