//! Agreement with chant: on a temporary copy of the real workspace in
//! `tests/corpus/chant-workspace`, `chant-lsp check --format json` must
//! report every (spec, rule) pair that `chant lint` reports there.
//!
//! chant itself is not available to the tests, so the test reconstructs
//! chant's pairs with [`oracle`], a small, independent re-statement of
//! `chant lint` 0.23.2 as `chant.md` section 3 and 4 describe it, and first
//! proves that reconstruction right: it must reproduce the totals chant
//! printed on this folder (`tests/corpus/README.md`: 592 specs, 450 pass,
//! 95 warnings only, 47 errors; complexity 64, dependency 36, type 34,
//! coupling 20, parse 14). Then:
//!
//! - every pair chant reports, we report, with chant's severity;
//! - for the specs chant can parse, we report exactly chant's number of
//!   diagnostics per rule (coupling: chant writes one diagnostic per spec
//!   naming every ID, we write one per mention, so it counts per spec);
//! - counting specs as chant does gives the same 47/95/450 split;
//! - every diagnostic kind chant does not report is on the list in
//!   [`EXTRA_KINDS`], each with the reason; a new kind fails the test until
//!   it is justified here and in `docs/diagnostics.md`.

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

    // 1. chant's pairs, reconstructed, must give chant's own totals.
    let chant = oracle::lint(&root);
    let specs: BTreeSet<String> = chant.specs.clone();
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
    assert_eq!(
        chant_rules, expected_rules,
        "the reconstruction of chant lint"
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
        let kind = match &d.rule {
            None => d.code.clone(),
            Some(rule) if rule != "parse" && unparseable.contains(d.spec.as_str()) => {
                format!("{} (unparseable)", d.code)
            }
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

/// `chant lint` 0.23.2, re-stated from `chant.md` section 3 and 4 (and
/// chant's source): which (spec, rule) pairs it reports on a folder, and how
/// many diagnostics each.
mod oracle {
    use std::collections::{BTreeMap, BTreeSet, HashSet};
    use std::fmt;
    use std::path::Path;

    use regex::Regex;
    use serde::de::{self, Deserializer, SeqAccess, Visitor};
    use serde::Deserialize;
    use serde_yaml_ng::Value;

    pub struct Lint {
        pub specs: BTreeSet<String>,
        /// (spec, rule) → number of diagnostics chant prints.
        pub pairs: BTreeMap<(String, String), usize>,
    }

    #[derive(Deserialize, Default, PartialEq, Clone, Copy)]
    #[serde(rename_all = "snake_case")]
    enum Type {
        #[default]
        Code,
        Task,
        Driver,
        Documentation,
        Research,
        Group,
    }

    #[derive(Deserialize, Default, PartialEq, Clone, Copy)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    enum Status {
        #[default]
        Pending,
        InProgress,
        Paused,
        Completed,
        Failed,
        NeedsAttention,
        Ready,
        Blocked,
        Cancelled,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    enum Verification {
        Passed,
        Failed,
        Partial,
    }

    #[derive(Deserialize, Default, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum ApprovalStatus {
        #[default]
        Pending,
        Approved,
        Rejected,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Approval {
        #[serde(default)]
        required: bool,
        #[serde(default)]
        status: ApprovalStatus,
        by: Option<String>,
        at: Option<String>,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct RetryState {
        attempts: u64,
        last_retry_time: u64,
        next_retry_time: u64,
    }

    #[derive(Deserialize, Default)]
    #[allow(dead_code)]
    struct Frontmatter {
        #[serde(default)]
        r#type: Type,
        #[serde(default)]
        status: Status,
        #[serde(default, deserialize_with = "one_or_many")]
        depends_on: Option<Vec<String>>,
        labels: Option<Vec<String>>,
        target_files: Option<Vec<String>>,
        context: Option<Vec<String>>,
        prompt: Option<String>,
        branch: Option<String>,
        commits: Option<Vec<String>>,
        completed_at: Option<String>,
        model: Option<String>,
        tracks: Option<Vec<String>>,
        informed_by: Option<Vec<String>>,
        origin: Option<Vec<String>>,
        schedule: Option<String>,
        source_branch: Option<String>,
        target_branch: Option<String>,
        conflicting_files: Option<Vec<String>>,
        blocked_specs: Option<Vec<String>>,
        original_spec: Option<String>,
        last_verified: Option<String>,
        verification_status: Option<Verification>,
        verification_failures: Option<Vec<String>>,
        replayed_at: Option<String>,
        replay_count: Option<u32>,
        original_completed_at: Option<String>,
        derived_fields: Option<Vec<String>>,
        approval: Option<Approval>,
        members: Option<Vec<String>>,
        output_schema: Option<String>,
        public: Option<bool>,
        retry_state: Option<RetryState>,
    }

    fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Option<Vec<String>>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Some(vec![v.to_string()]))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(Some(out))
            }
        }
        d.deserialize_any(V)
    }

    struct Spec {
        id: String,
        fm: Frontmatter,
        title: Option<String>,
        body: String,
    }

    /// chant's split: trim the file; `---` at the start runs to the next
    /// `---` anywhere; no closing one means no frontmatter.
    fn parse(id: &str, content: &str) -> Option<Spec> {
        let content = content.trim();
        let (yaml, body) = match content.strip_prefix("---") {
            Some(rest) => match rest.find("---") {
                Some(end) => (Some(&rest[..end]), rest[end + 3..].trim_start()),
                None => (None, content),
            },
            None => (None, content),
        };
        let fm = match yaml {
            Some(yaml) => serde_yaml_ng::from_str(yaml).ok()?,
            None => Frontmatter::default(),
        };
        let title = body
            .lines()
            .find_map(|l| l.trim().strip_prefix("# ").map(str::to_string));
        Some(Spec {
            id: id.to_string(),
            fm,
            title,
            body: body.to_string(),
        })
    }

    /// chant's count_total_checkboxes: the last `## Acceptance Criteria`
    /// outside ``` fences, to the next `## `.
    fn checkboxes(body: &str) -> usize {
        let mut fence = false;
        let mut last = None;
        for (i, line) in body.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with("```") {
                fence = !fence;
                continue;
            }
            if !fence && t.starts_with("## Acceptance Criteria") {
                last = Some(i);
            }
        }
        let Some(start) = last else { return 0 };
        let (mut fence, mut inside, mut count) = (false, false, 0);
        for (i, line) in body.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with("```") {
                fence = !fence;
                continue;
            }
            if fence {
                continue;
            }
            if i == start {
                inside = true;
                continue;
            }
            if inside && t.starts_with("## ") {
                break;
            }
            if inside {
                count += line.matches("- [ ]").count()
                    + line.matches("- [x]").count()
                    + line.matches("- [X]").count();
            }
        }
        count
    }

    fn driver_of(id: &str) -> Option<&str> {
        let dot = id.find('.')?;
        id[dot + 1..]
            .starts_with(|c: char| c.is_ascii_digit())
            .then(|| &id[..dot])
    }

    /// chant's coupling: spec IDs in the body without code blocks.
    fn couples(spec: &Spec) -> bool {
        if matches!(spec.fm.r#type, Type::Driver | Type::Group) {
            return false;
        }
        static RE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
            Regex::new(r"\b\d{4}-\d{2}-\d{2}-[0-9a-z]{3}-[0-9a-z]{3}(?:\.\d+)?\b").unwrap()
        });
        let re = &*RE;
        let mut text = String::new();
        let mut fence = false;
        for line in spec.body.lines() {
            if line.trim_start().starts_with("```") {
                fence = !fence;
                continue;
            }
            if !fence {
                text.push_str(line);
                text.push('\n');
            }
        }
        let ids: Vec<&str> = re
            .find_iter(&text)
            .map(|m| m.as_str())
            .filter(|id| !id.starts_with(spec.id.as_str()) && !spec.id.starts_with(id))
            .collect();
        match driver_of(&spec.id) {
            Some(driver) => ids.iter().any(|id| driver_of(id) == Some(driver)),
            None => !ids.is_empty(),
        }
    }

    struct Config {
        thresholds: [usize; 6],
        words_disabled: bool,
        required: Vec<String>,
    }

    fn config(root: &Path) -> Config {
        let text = std::fs::read_to_string(root.join(".chant/config.md")).unwrap();
        let yaml = text
            .trim()
            .strip_prefix("---")
            .and_then(|r| r.find("---").map(|e| r[..e].to_string()))
            .unwrap_or_default();
        let v: Value = serde_yaml_ng::from_str(&yaml).unwrap_or(Value::Null);
        let names = [
            "complexity_criteria",
            "complexity_files",
            "complexity_words",
            "simple_criteria",
            "simple_files",
            "simple_words",
        ];
        let mut thresholds = [10, 5, 150, 1, 1, 3];
        for (slot, name) in thresholds.iter_mut().zip(names) {
            if let Some(n) = v["lint"]["thresholds"][name].as_u64() {
                *slot = n as usize;
            }
        }
        let list = |v: &Value| -> Option<Vec<String>> {
            v.as_sequence().map(|s| {
                s.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
        };
        let disable =
            list(&v["lint"]["disable"]).unwrap_or_else(|| vec!["complexity_words".into()]);
        Config {
            thresholds,
            words_disabled: disable.iter().any(|d| d == "complexity_words"),
            required: list(&v["enterprise"]["required"]).unwrap_or_default(),
        }
    }

    fn has_field(fm: &Frontmatter, name: &str) -> bool {
        match name {
            "type" | "status" => true,
            "depends_on" => fm.depends_on.is_some(),
            "labels" => fm.labels.is_some(),
            "target_files" => fm.target_files.is_some(),
            "context" => fm.context.is_some(),
            "prompt" => fm.prompt.is_some(),
            "model" => fm.model.is_some(),
            "tracks" => fm.tracks.is_some(),
            "informed_by" => fm.informed_by.is_some(),
            "origin" => fm.origin.is_some(),
            "approval" => fm.approval.is_some(),
            "members" => fm.members.is_some(),
            "output_schema" => fm.output_schema.is_some(),
            _ => false,
        }
    }

    pub fn lint(root: &Path) -> Lint {
        let cfg = config(root);
        let [cc, cf, cw, sc, sf, sw] = cfg.thresholds;
        let mut specs = BTreeSet::new();
        let mut pairs: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut parsed = Vec::new();
        for entry in std::fs::read_dir(root.join(".chant/specs")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let id = path.file_stem().unwrap().to_string_lossy().into_owned();
            specs.insert(id.clone());
            let spec = std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| parse(&id, &text));
            match spec {
                Some(spec) => parsed.push(spec),
                None => {
                    pairs.insert((id, "parse".into()), 1);
                }
            }
        }
        let ids: HashSet<String> = parsed.iter().map(|s| s.id.clone()).collect();
        for spec in &parsed {
            let fm = &spec.fm;
            let mut add = |rule: &str| {
                *pairs
                    .entry((spec.id.clone(), rule.to_string()))
                    .or_default() += 1;
            };
            if spec.title.is_none() {
                add("title");
            }
            for dep in fm.depends_on.iter().flatten() {
                if !ids.contains(dep) {
                    add("dependency");
                }
            }
            for member in fm.members.iter().flatten() {
                if !ids.contains(member) {
                    add("dependency");
                }
            }
            for name in &cfg.required {
                if !has_field(fm, name) {
                    add("required");
                }
            }
            match fm.r#type {
                Type::Documentation => {
                    if fm.tracks.is_none() {
                        add("type");
                    }
                    if fm.target_files.is_none() {
                        add("type");
                    }
                }
                Type::Research => {
                    if fm.informed_by.is_none() && fm.origin.is_none() {
                        add("type");
                    }
                    if fm.target_files.is_none() {
                        add("type");
                    }
                }
                Type::Driver | Type::Group if fm.members.as_ref().is_some_and(Vec::is_empty) => {
                    add("type");
                }
                _ => {}
            }
            let criteria = checkboxes(&spec.body);
            let files = fm.target_files.as_ref().map_or(0, Vec::len);
            let words = spec.body.split_whitespace().count();
            if criteria > cc {
                add("complexity");
            }
            if files > cf {
                add("complexity");
            }
            if !cfg.words_disabled && words > cw {
                add("complexity");
            }
            if couples(spec) {
                add("coupling");
            }
            if let Some(model) = &fm.model {
                let m = model.to_lowercase();
                if (m.contains("opus") || m.contains("sonnet"))
                    && !matches!(fm.r#type, Type::Driver | Type::Group | Type::Research)
                    && criteria <= sc
                    && files <= sf
                    && words <= sw
                {
                    add("modelwaste");
                }
            }
            if let Some(a) = &fm.approval {
                if a.status != ApprovalStatus::Pending {
                    if a.by.is_none() {
                        add("approval");
                    }
                    if a.at.is_none() {
                        add("approval");
                    }
                }
                if a.status == ApprovalStatus::Pending && a.by.is_some() {
                    add("approval");
                }
            }
            if fm.status == Status::Completed {
                if let Some(schema) = &fm.output_schema {
                    if !root.join(schema).exists() {
                        add("output");
                    }
                }
            }
        }
        Lint { specs, pairs }
    }
}
