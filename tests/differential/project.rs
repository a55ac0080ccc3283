//! A generated chant project: written to a temporary folder, checked by the
//! real chant and by chant-lsp, and shrunk to a minimal reproduction when
//! the two disagree.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chant_lsp::analysis::Filter;

use crate::support::real_chant::chant_command;

/// The corpus: its config, prompts and top-level specs.
pub struct Corpus {
    pub config: String,
    pub prompts: Vec<(String, String)>,
    pub specs: BTreeMap<String, String>,
}

/// `CHANT_LSP_CORPUS`, else `tests/corpus/chant-workspace` (committed with
/// the tests: a missing corpus fails the test).
pub fn corpus(test: &str) -> Corpus {
    let root = match std::env::var_os("CHANT_LSP_CORPUS") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/chant-workspace"),
    };
    assert!(
        root.join(".chant/specs").is_dir(),
        "{test} needs the chant workspace corpus, and there is none at {} (set CHANT_LSP_CORPUS)",
        root.display()
    );
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    let mut specs = BTreeMap::new();
    for entry in std::fs::read_dir(root.join(".chant/specs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") && path.is_file() {
            let id = path.file_stem().unwrap().to_string_lossy().to_string();
            if let Ok(text) = std::fs::read_to_string(&path) {
                specs.insert(id, text);
            }
        }
    }
    let mut prompts = Vec::new();
    for entry in std::fs::read_dir(root.join(".chant/prompts"))
        .into_iter()
        .flatten()
    {
        let path = entry.unwrap().path();
        if path.is_file() {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            prompts.push((name, read(&path)));
        }
    }
    Corpus {
        config: read(&root.join(".chant/config.md")),
        prompts,
        specs,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecFile {
    Text(String),
    /// Bytes that are not UTF-8.
    Bytes(Vec<u8>),
    /// A symbolic link to nothing (an editor's lock file `.#<id>.md`).
    DanglingLink,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub name: String,
    pub config: String,
    pub prompts: Vec<(String, String)>,
    /// Path under `.chant/specs` without `.md` -> file.
    pub specs: BTreeMap<String, SpecFile>,
    /// The mutation classes applied to each spec.
    pub classes: BTreeMap<String, Vec<String>>,
    /// Other files, relative to the root.
    pub extras: Vec<(String, String)>,
}

/// What one tool said about a project: rules per spec ID.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    pub rules_by_id: BTreeMap<String, BTreeSet<String>>,
}

impl Outcome {
    pub fn rules(&self, id: &str) -> BTreeSet<String> {
        self.rules_by_id.get(id).cloned().unwrap_or_default()
    }
}

const SCHEMA: &str = r#"{"type": "object", "required": ["summary"], "properties": {"summary": {"type": "string"}, "ok": {"type": "boolean"}}}"#;

impl Project {
    pub fn new(name: String, config: String, corpus: &Corpus) -> Project {
        Project {
            name,
            config,
            prompts: corpus.prompts.clone(),
            specs: BTreeMap::new(),
            classes: BTreeMap::new(),
            extras: vec![
                ("schemas/output.json".into(), SCHEMA.into()),
                ("schemas/bad.json".into(), "{not json".into()),
                ("schemas/strict.json".into(), r#"{"type": 5}"#.into()),
            ],
        }
    }

    pub fn add_spec(&mut self, path: &str, file: SpecFile, classes: Vec<String>) {
        self.specs.insert(path.to_string(), file);
        self.classes.insert(path.to_string(), classes);
    }

    pub fn spec_text(&self, path: &str) -> Option<String> {
        match self.specs.get(path)? {
            SpecFile::Text(t) => Some(t.clone()),
            SpecFile::Bytes(_) | SpecFile::DanglingLink => None,
        }
    }

    pub fn classes(&self, id: &str) -> Vec<String> {
        self.classes.get(id).cloned().unwrap_or_default()
    }

    /// The IDs `chant lint` lints: top-level `*.md` files (by extension, so
    /// dotfiles too), by file stem.
    pub fn linted_ids(&self) -> BTreeSet<String> {
        self.specs
            .keys()
            .filter(|p| !p.contains('/'))
            .filter(|p| {
                Path::new(&format!("{p}.md"))
                    .extension()
                    .is_some_and(|e| e == "md")
            })
            .cloned()
            .collect()
    }

    pub fn write(&self, root: &Path) {
        let chant = root.join(".chant");
        std::fs::create_dir_all(chant.join("specs")).unwrap();
        std::fs::create_dir_all(chant.join("prompts")).unwrap();
        std::fs::write(chant.join("config.md"), &self.config).unwrap();
        for (name, text) in &self.prompts {
            std::fs::write(chant.join("prompts").join(name), text).unwrap();
        }
        for (path, file) in &self.specs {
            let target = chant.join("specs").join(format!("{path}.md"));
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            match file {
                SpecFile::Text(text) => std::fs::write(&target, text).unwrap(),
                SpecFile::Bytes(bytes) => std::fs::write(&target, bytes).unwrap(),
                SpecFile::DanglingLink => {
                    std::os::unix::fs::symlink("ada@host.12345:1700000000", &target).unwrap()
                }
            }
        }
        for (path, text) in &self.extras {
            let target = root.join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(&target, text).unwrap();
        }
    }

    /// Write the project and run both tools on it.
    pub fn run_both(&self, chant: &Path) -> (Outcome, Outcome) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        self.write(&root);
        std::thread::scope(|s| {
            let theirs = s.spawn(|| run_chant(chant, &root, &home));
            let ours = run_ours(&root);
            (theirs.join().unwrap(), ours)
        })
    }

    /// Does `id` still disagree?
    fn disagrees(&self, chant: &Path, id: &str) -> Option<(BTreeSet<String>, BTreeSet<String>)> {
        let (theirs, ours) = self.run_both(chant);
        let (a, b) = (theirs.rules(id), ours.rules(id));
        (a != b).then_some((a, b))
    }

    /// The smallest project (specs, lines of the spec, lines of the config)
    /// on which `id` still disagrees, printed as a reproduction.
    pub fn minimize(&self, chant: &Path, id: &str) -> String {
        let mut current = self.clone();
        let mut budget = 400usize;
        let check = |candidate: &Project, budget: &mut usize| -> bool {
            if *budget == 0 {
                return false;
            }
            *budget -= 1;
            candidate.disagrees(chant, id).is_some()
        };
        // Only the specs the disagreeing one names, when that still disagrees.
        if let Some(SpecFile::Text(text)) = current.specs.get(id).cloned() {
            let mut small = current.clone();
            small.specs.retain(|path, _| {
                path == id || text.contains(path.rsplit('/').next().unwrap_or(path))
            });
            small
                .extras
                .retain(|(p, _)| p.starts_with("schemas/") || p.contains(id));
            if check(&small, &mut budget) {
                current = small;
            }
        }
        // Drop other specs, in halves, then quarters, ... then one by one.
        let mut chunk = current.specs.len() / 2;
        while chunk >= 1 {
            let others: Vec<String> = current.specs.keys().filter(|p| *p != id).cloned().collect();
            for group in others.chunks(chunk) {
                let mut smaller = current.clone();
                for other in group {
                    smaller.specs.remove(other);
                }
                if check(&smaller, &mut budget) {
                    current = smaller;
                }
            }
            chunk /= 2;
        }
        // Drop lines of the spec, then of the config, until nothing more goes.
        for target in [Some(id.to_string()), None] {
            loop {
                let text = match &target {
                    Some(id) => match current.specs.get(id) {
                        Some(SpecFile::Text(t)) => t.clone(),
                        _ => break,
                    },
                    None => current.config.clone(),
                };
                let lines: Vec<&str> = text.split('\n').collect();
                let mut shrunk = false;
                let mut chunk = (lines.len() / 2).max(1);
                while chunk >= 1 && !shrunk {
                    let mut start = 0;
                    while start < lines.len() {
                        let mut kept: Vec<&str> = lines[..start].to_vec();
                        kept.extend_from_slice(&lines[(start + chunk).min(lines.len())..]);
                        let candidate_text = kept.join("\n");
                        let mut candidate = current.clone();
                        match &target {
                            Some(id) => {
                                candidate
                                    .specs
                                    .insert(id.clone(), SpecFile::Text(candidate_text));
                            }
                            None => candidate.config = candidate_text,
                        }
                        if check(&candidate, &mut budget) {
                            current = candidate;
                            shrunk = true;
                            break;
                        }
                        start += chunk;
                    }
                    if chunk == 1 {
                        break;
                    }
                    chunk /= 2;
                }
                if !shrunk {
                    break;
                }
            }
        }
        let (theirs, ours) = current.disagrees(chant, id).unwrap_or_default();
        let mut out = format!(
            "--- disagreement on spec `{id}` (project {}, mutations: {}) ---\n\
             chant 0.23.2 reports rules: {theirs:?}\n\
             chant-lsp reports rules:    {ours:?}\n",
            self.name,
            self.classes(id).join(", ")
        );
        if current.config != self.config || self.name.starts_with("config") {
            out.push_str(&format!(".chant/config.md:\n{}\n", indent(&current.config)));
        }
        for (path, file) in &current.specs {
            let body = match file {
                SpecFile::Text(t) => indent(t),
                SpecFile::DanglingLink => "    (a symbolic link to nothing)".into(),
                SpecFile::Bytes(b) => format!("    (not UTF-8) {:?}", String::from_utf8_lossy(b)),
            };
            out.push_str(&format!(".chant/specs/{path}.md:\n{body}\n"));
        }
        for (path, text) in &current.extras {
            if !path.starts_with("schemas/") {
                out.push_str(&format!("{path}:\n{}\n", indent(text)));
            }
        }
        out
    }
}

fn indent(text: &str) -> String {
    text.split('\n')
        .map(|l| format!("    | {}", l.escape_debug()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `chant lint --format json` in `root`.
pub fn run_chant(chant: &Path, root: &Path, home: &Path) -> Outcome {
    let output = chant_command(chant, root, home)
        .args(["lint", "--format", "json"])
        .output()
        .expect("chant runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "chant lint printed no JSON ({e}) in {}:\n{stdout}\n{}",
            root.display(),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let mut outcome = Outcome::default();
    for d in json["diagnostics"].as_array().unwrap() {
        let id = d["spec_id"].as_str().unwrap().to_string();
        let rule = d["rule"].as_str().unwrap().to_string();
        outcome.rules_by_id.entry(id).or_default().insert(rule);
    }
    outcome
}

/// chant-lsp's `check` on `root`, through the library.
pub fn run_ours(root: &Path) -> Outcome {
    let result = chant_lsp::cli::check::check(&[root.to_path_buf()], &Filter::default());
    let mut outcome = Outcome::default();
    for file in &result.files {
        let rules = outcome.rules_by_id.entry(file.spec_id.clone()).or_default();
        for d in &file.diagnostics {
            if let Some(rule) = d.chant_rule() {
                rules.insert(rule.to_string());
            }
        }
    }
    outcome
}
