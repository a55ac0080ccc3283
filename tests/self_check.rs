//! `chant-lsp check .` on this repository: the project's own chant workspace
//! (`.chant/` at the root) must check without errors, as its users' would.
//!
//! The deliberately broken projects in the repository (the demo, the fixtures,
//! the editor test fixtures) are kept out by `.ignore`; this test also makes
//! sure that stays so.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Warnings we accept in the project's own specs, with the reason. Keep it
/// short: a warning here is one the project chose to live with.
const ALLOWED_WARNINGS: &[(&str, &str)] = &[(
    "chant/drift",
    "the repository's completed specs track its sources, which keep changing after them, and a checkout dates every file anew: drift here is true and depends on the clone",
)];

#[test]
fn the_repository_checks_without_errors() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_chant-lsp"))
        .args(["check", "--format", "json", "."])
        .current_dir(repo)
        .env("HOME", home.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run chant-lsp check");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "check did not print JSON ({e}); stderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let shown = |d: &Value| {
        format!(
            "{}:{}: {} {} {}",
            d["file"].as_str().unwrap_or_default(),
            d["range"]["start"]["line"].as_u64().unwrap_or_default() + 1,
            d["severity"].as_str().unwrap_or_default(),
            d["code"].as_str().unwrap_or_default(),
            d["message"].as_str().unwrap_or_default()
        )
    };

    // Only the root project is checked, and it has specs.
    let own = repo.canonicalize().unwrap().join(".chant/specs");
    for d in diagnostics {
        let file = d["file"].as_str().unwrap();
        assert!(
            Path::new(file).starts_with(&own),
            "check . reached a project other than the repository's own: {file} (is .ignore up to date?)"
        );
    }
    assert!(
        report["summary"]["specs"].as_u64().unwrap() >= 5,
        "the repository's .chant/specs should hold the project's specs: {}",
        report["summary"]
    );
    assert!(
        report["notes"].as_array().unwrap().is_empty(),
        "check printed notes: {}",
        report["notes"]
    );

    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(shown)
        .collect();
    assert!(
        errors.is_empty(),
        "errors in the project's own specs:\n{}",
        errors.join("\n")
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "exit code; stderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let warnings: Vec<String> = diagnostics
        .iter()
        .filter(|d| d["severity"] == "warning")
        .filter(|d| {
            !ALLOWED_WARNINGS
                .iter()
                .any(|(code, _)| d["code"].as_str() == Some(code))
        })
        .map(shown)
        .collect();
    assert!(
        warnings.is_empty(),
        "warnings in the project's own specs (fix them, or allow the code in ALLOWED_WARNINGS with a reason):\n{}",
        warnings.join("\n")
    );
}

/// The demo is meant to show problems: `check examples/demo` finds errors.
#[test]
fn the_demo_shows_errors() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_chant-lsp"))
        .args(["check", "--format", "json", "examples/demo"])
        .current_dir(repo)
        .env("HOME", home.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run chant-lsp check");
    assert_eq!(output.status.code(), Some(1), "the demo has errors");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes: std::collections::BTreeSet<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    // What the demo's README promises.
    for code in [
        "chant/unknown-status",
        "chant/unknown-key",
        "chant/unknown-prompt",
        "chant/missing-title",
        "chant/uncounted-checkbox",
        "chant/unknown-dependency",
        "chant/archived-dependency",
        "chant/completed-with-unchecked",
        "chant/missing-file",
    ] {
        assert!(codes.contains(code), "the demo no longer shows {code}");
    }
}
