//! Agreement with chant: on a temporary copy of the corpus
//! (`tests/corpus/chant-workspace`, or the folder named by
//! `CHANT_LSP_CORPUS`), `chant-lsp check --format json` must report exactly
//! the (spec, rule) pairs that `chant lint --format json` reports there.
//!
//! The oracle is chant itself, independent of our code: the real chant
//! 0.23.2 (`tests/support/real_chant.rs`; the test fails without it), or,
//! when the run opted out of it (`CHANT_LSP_SKIP_REAL_CHANT=1`, recorded as
//! a skip), its output committed in `tests/corpus/chant-lint.json`. The
//! real chant's output must also equal that snapshot, so the snapshot never
//! goes stale unnoticed. To regenerate it (after changing
//! the corpus):
//!
//! ```sh
//! cp -r tests/corpus/chant-workspace /tmp/ws && cd /tmp/ws && \
//!   HOME=$(mktemp -d) "$(scripts/build-real-chant)" lint --format json \
//!   > "$OLDPWD/tests/corpus/chant-lint.json"
//! ```
//!
//! The test checks that chant's pairs give chant's own totals (592 specs,
//! 450 pass, 95 warnings only, 47 errors; complexity 64, dependency 36,
//! type 34, coupling 20, parse 14), then:
//!
//! - every pair chant reports, we report, with chant's severity;
//! - for the specs chant can parse, we report exactly chant's number of
//!   diagnostics per rule (coupling: chant writes one diagnostic per spec
//!   naming every ID, we write one per mention, so it counts per spec);
//! - counting specs as chant does gives the same 47/95/450 split;
//! - every diagnostic kind chant does not report is on the list in
//!   [`EXTRA_KINDS`], each with the reason; a new kind fails the test until
//!   it is justified here and in `docs/diagnostics.md`.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The corpus: `tests/corpus/chant-workspace` in the repository, or the
/// folder named by `CHANT_LSP_CORPUS`.
fn corpus() -> PathBuf {
    match std::env::var_os("CHANT_LSP_CORPUS") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/chant-workspace"),
    }
}

/// chant lint's JSON report on the corpus copy at `root`: from the real
/// chant, or the committed snapshot when the run opted out of it.
fn chant_lint(root: &Path) -> Value {
    let snapshot_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/chant-lint.json");
    let snapshot: Value = serde_json::from_str(
        &std::fs::read_to_string(&snapshot_path).expect("tests/corpus/chant-lint.json"),
    )
    .expect("the snapshot is JSON");
    let Some(chant) = support::real_chant::real_chant(
        "check_agrees_with_chant_lint_on_the_corpus (live chant lint; it compared with the committed snapshot instead)",
    ) else {
        eprintln!("oracle: tests/corpus/chant-lint.json (the real chant's output, committed)");
        return snapshot;
    };
    let home = tempfile::tempdir().unwrap();
    let output = support::real_chant::chant_command(&chant, root, home.path())
        .args(["lint", "--format", "json"])
        .output()
        .expect("chant lint runs");
    let live: Value = serde_json::from_slice(&output.stdout).expect("chant lint prints JSON");
    let key = |v: &Value| {
        let mut pairs: Vec<String> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("{} {} {}", d["spec_id"], d["rule"], d["message"]))
            .collect();
        pairs.sort();
        pairs
    };
    assert_eq!(
        key(&live),
        key(&snapshot),
        "the real chant's lint of the corpus differs from tests/corpus/chant-lint.json: regenerate the snapshot (see the top of tests/agreement.rs)"
    );
    eprintln!("oracle: the real chant 0.23.2 ({})", chant.display());
    live
}

/// chant's (spec, rule) pairs with their number of diagnostics, and the
/// specs it lints (the top-level `*.md` files of the corpus).
type Pairs = BTreeMap<(String, String), usize>;

fn chant_pairs(report: &Value, root: &Path) -> (BTreeSet<String>, Pairs) {
    let mut pairs = BTreeMap::new();
    for d in report["diagnostics"].as_array().unwrap() {
        let key = (
            d["spec_id"].as_str().unwrap().to_string(),
            d["rule"].as_str().unwrap().to_string(),
        );
        *pairs.entry(key).or_default() += 1;
    }
    let specs = std::fs::read_dir(root.join(".chant/specs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().to_string())
        .collect();
    (specs, pairs)
}

/// Every diagnostic kind we report on the corpus that `chant lint` does not,
/// and why (the list is exact: a kind that appears or disappears fails the
/// test, so this list and the docs stay true). A
/// kind is a code, or `code (unparseable)` for a code that mirrors a chant
/// rule but is reported on a spec chant cannot parse (chant then reports only
/// `parse`; we still check the values we could read). Each one is explained
/// in `docs/diagnostics.md`, section "What chant does not report".
const EXTRA_KINDS: &[(&str, &str)] = &[
    (
        "chant/unchecked-criterion",
        "each unchecked `- [ ]` item chant counts: chant work ticks or refuses them, chant lint is silent",
    ),
    (
        "chant/completed-with-unchecked",
        "a completed spec whose counted criteria are not all ticked: chant lint does not compare status and criteria",
    ),
    (
        "chant/ignored-criteria-heading",
        "`### Acceptance Criteria`, `## acceptance criteria` or an earlier section chant does not count: chant silently counts a different (or no) section",
    ),
    (
        "chant/missing-file",
        "`informed_by`/`context`/`origin` paths that do not exist: chant hands the agent the path and says nothing",
    ),
    (
        "chant/tracks-no-match",
        "`tracks` entries that match no file: chant never checks them",
    ),
    (
        "chant/no-criteria",
        "a workable spec with no counted criteria: `chant work` refuses it outside a terminal, chant lint is silent",
    ),
    (
        "chant/unknown-key",
        "keys chant silently drops (`commit`, `id`, `title`, `informed-by`, ...)",
    ),
    (
        "chant/approval-blocks-work",
        "approval required and not given: chant computes the spec as blocked, chant lint is silent",
    ),
    (
        "chant/quality-complexity",
        "chant's quality score grades the complexity C or D: chant lint prints its suggestion only in its text output, without a rule",
    ),
    (
        "chant/quality-confidence",
        "chant's quality score grades the confidence C or D: chant lint prints its suggestion only in its text output, without a rule",
    ),
    (
        "chant/vague-phrase",
        "a phrase chant's quality score counts as vague in a spec whose confidence is C or D: chant never says which",
    ),
    (
        "chant/quality-criteria",
        "chant's quality score grades the criteria below A: chant lint prints its suggestion only in its text output, without a rule",
    ),
    (
        "chant/quality-splittability",
        "chant's quality score grades the splittability C or D: chant lint prints its suggestion only in its text output, without a rule",
    ),
    (
        "chant/mentions-spec (unparseable)",
        "coupling on a spec chant cannot parse: chant stops at `parse`, we still read the body",
    ),
];

/// chant's lint rules that are errors (the rest are warnings).
const ERROR_RULES: &[&str] = &[
    "parse",
    "title",
    "dependency",
    "required",
    "approval",
    "output",
];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Reported {
    spec: String,
    code: String,
    severity: String,
    rule: Option<String>,
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `chant-lsp check --format json` on a fresh copy of the corpus.
fn check_corpus(root: &Path, home: &Path) -> Vec<Reported> {
    let output = Command::new(env!("CARGO_BIN_EXE_chant-lsp"))
        .args(["check", "--format", "json", "."])
        .current_dir(root)
        .env("HOME", home)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run chant-lsp check");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "check did not print JSON ({e}); stderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    // chant lint exits 1 on this folder (it has errors); so must we.
    assert_eq!(output.status.code(), Some(1), "exit code of check");
    assert_eq!(report["summary"]["specs"], 592, "specs checked");
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| Reported {
            spec: d["spec_id"].as_str().unwrap().to_string(),
            code: d["code"].as_str().unwrap().to_string(),
            severity: d["severity"].as_str().unwrap().to_string(),
            rule: d["chant_rule"].as_str().map(str::to_string),
        })
        .collect()
}

/// (passed, warned, failed) as chant counts specs.
fn split(
    specs: &BTreeSet<String>,
    pairs: &BTreeMap<(String, String), usize>,
) -> (usize, usize, usize) {
    let (mut passed, mut warned, mut failed) = (0, 0, 0);
    for spec in specs {
        let rules: Vec<&str> = pairs
            .keys()
            .filter(|(s, _)| s == spec)
            .map(|(_, r)| r.as_str())
            .collect();
        if rules.iter().any(|r| ERROR_RULES.contains(r)) {
            failed += 1;
        } else if !rules.is_empty() {
            warned += 1;
        } else {
            passed += 1;
        }
    }
    (passed, warned, failed)
}

fn per_rule(pairs: &BTreeMap<(String, String), usize>) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for ((_, rule), n) in pairs {
        *out.entry(rule.clone()).or_default() += n;
    }
    out
}

#[test]
fn check_agrees_with_chant_lint_on_the_corpus() {
    let corpus = corpus();
    assert!(
        corpus.join(".chant/specs").is_dir(),
        "corpus not found at {}",
        corpus.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    copy_tree(&corpus, &root);

    // 1. chant's pairs, which must give chant's own totals.
    let report = chant_lint(&root);
    let (specs, chant_pairs) = chant_pairs(&report, &root);
    let chant = Chant { pairs: chant_pairs };
    assert_eq!(specs.len(), 592, "specs chant lints");
    let chant_rules = per_rule(&chant.pairs);
    let expected_rules: BTreeMap<String, usize> = [
        ("complexity", 64),
        ("dependency", 36),
        ("type", 34),
        ("coupling", 20),
        ("parse", 14),
    ]
    .into_iter()
    .map(|(r, n)| (r.to_string(), n))
    .collect();
    assert_eq!(chant_rules, expected_rules, "chant lint's counts per rule");
    assert_eq!(
        (
            &report["passed"],
            &report["warned"],
            &report["failed"],
            &report["total"]
        ),
        (
            &Value::from(450),
            &Value::from(95),
            &Value::from(47),
            &Value::from(592)
        ),
        "chant lint's totals"
    );
    assert_eq!(split(&specs, &chant.pairs), (450, 95, 47), "chant's split");

    // 2. What we report.
    let ours = check_corpus(&root, home.path());
    let unparseable: BTreeSet<&str> = ours
        .iter()
        .filter(|d| d.rule.as_deref() == Some("parse"))
        .map(|d| d.spec.as_str())
        .collect();
    let chant_unparseable: BTreeSet<&str> = chant
        .pairs
        .keys()
        .filter(|(_, r)| r == "parse")
        .map(|(s, _)| s.as_str())
        .collect();
    assert_eq!(unparseable, chant_unparseable, "specs chant cannot parse");

    // Our chant-rule diagnostics as chant would count them: on the specs
    // chant parses, and coupling once per spec.
    let mut our_pairs: BTreeMap<(String, String), usize> = BTreeMap::new();
    for d in &ours {
        let Some(rule) = &d.rule else { continue };
        if unparseable.contains(d.spec.as_str()) && rule != "parse" {
            continue;
        }
        let expected_severity = if ERROR_RULES.contains(&rule.as_str()) {
            "error"
        } else {
            "warning"
        };
        assert_eq!(
            d.severity, expected_severity,
            "{} {}: severity of chant rule {rule}",
            d.spec, d.code
        );
        let n = our_pairs.entry((d.spec.clone(), rule.clone())).or_default();
        if rule == "coupling" || rule == "parse" {
            *n = 1; // chant: one diagnostic per spec
        } else {
            *n += 1;
        }
    }

    // 3. Every (spec, rule) pair chant reports, with chant's count.
    let mut missing = Vec::new();
    let mut extra = Vec::new();
    for (pair, n) in &chant.pairs {
        match our_pairs.get(pair) {
            Some(m) if m == n => {}
            Some(m) => missing.push(format!("{} {}: chant {n}, we {m}", pair.0, pair.1)),
            None => missing.push(format!("{} {}: chant {n}, we 0", pair.0, pair.1)),
        }
    }
    for (pair, m) in &our_pairs {
        if !chant.pairs.contains_key(pair) {
            extra.push(format!("{} {}: chant 0, we {m}", pair.0, pair.1));
        }
    }
    assert!(
        missing.is_empty() && extra.is_empty(),
        "disagreement with chant lint:\nmissing or different:\n  {}\nnot reported by chant:\n  {}",
        missing.join("\n  "),
        extra.join("\n  ")
    );
    assert_eq!(
        per_rule(&our_pairs),
        expected_rules,
        "our counts per chant rule"
    );
    assert_eq!(split(&specs, &our_pairs), (450, 95, 47), "our split");

    // 4. Every other kind we report is a known, justified extra.
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for d in &ours {
        // A code that mirrors a chant rule, on a spec chant cannot parse, is
        // an extra whether the report names the rule or not.
        let mirrors_rule = chant_lsp::analysis::Code::parse(&d.code)
            .and_then(|c| c.chant_rule())
            .is_some_and(|r| r != "parse");
        let kind = match &d.rule {
            _ if mirrors_rule && unparseable.contains(d.spec.as_str()) => {
                format!("{} (unparseable)", d.code)
            }
            None => d.code.clone(),
            Some(_) => continue,
        };
        *kinds.entry(kind).or_default() += 1;
    }
    let known: BTreeSet<&str> = EXTRA_KINDS.iter().map(|(k, _)| *k).collect();
    let unknown: Vec<String> = kinds
        .iter()
        .filter(|(k, _)| !known.contains(k.as_str()))
        .map(|(k, n)| format!("{k} ({n}x)"))
        .collect();
    assert!(
        unknown.is_empty(),
        "new diagnostic kinds on the corpus that chant does not report; justify them in EXTRA_KINDS and docs/diagnostics.md: {unknown:?}"
    );
    let gone: Vec<&str> = known
        .iter()
        .filter(|k| !kinds.contains_key(**k))
        .copied()
        .collect();
    assert!(
        gone.is_empty(),
        "kinds listed in EXTRA_KINDS that the corpus no longer shows; remove them: {gone:?}"
    );
}

/// Every extra kind is documented in docs/diagnostics.md.
#[test]
fn extra_kinds_are_documented() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md"))
            .expect("docs/diagnostics.md");
    let section = docs
        .split("## What chant does not report")
        .nth(1)
        .expect("docs/diagnostics.md has a section \"What chant does not report\"");
    for (kind, _) in EXTRA_KINDS {
        let code = kind.split(' ').next().unwrap();
        assert!(
            section.contains(&format!("`{code}`")),
            "{code} is not justified in docs/diagnostics.md"
        );
    }
}

/// chant's pairs.
struct Chant {
    pairs: BTreeMap<(String, String), usize>,
}

/// The prompt names completion offers as shipped with chant (with "no file
/// here" when the project lacks them) are exactly the prompts the real
/// chant's `chant init` writes: a name chant does not ship would lead the
/// user to "Prompt not found".
#[test]
fn the_prompts_chant_ships_are_the_ones_completion_offers() {
    let Some(chant) =
        support::real_chant::real_chant("the_prompts_chant_ships_are_the_ones_completion_offers")
    else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    support::real_chant::git_init(root.path(), home.path());
    let output = support::real_chant::chant_command(&chant, root.path(), home.path())
        .args(["init", "--name", "prompts"])
        .output()
        .expect("chant init runs");
    assert!(
        output.status.success(),
        "chant init: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut shipped: Vec<String> = std::fs::read_dir(root.path().join(".chant/prompts"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().to_string())
        .collect();
    shipped.sort();
    let mut offered: Vec<String> = chant_lsp::ide::completion::BUILT_IN_PROMPTS
        .iter()
        .map(|s| s.to_string())
        .collect();
    offered.sort();
    assert_eq!(
        offered, shipped,
        "BUILT_IN_PROMPTS against the prompts `chant init` writes"
    );
}
