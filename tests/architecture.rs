//! The architecture, enforced: each layer of `src/` uses only the layers
//! below it (`docs/architecture.md` states the order), and no two modules
//! use each other, directly or through others. Read from the source text:
//! every `crate::…` and `super::…` path in a module counts as a use.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom up, with the layers each may use. `main.rs` and
/// `lib.rs` sit on top.
const LAYERS: &[(&str, &[&str])] = &[
    ("text", &[]),
    ("vfs", &[]),
    ("syntax", &["text"]),
    ("spec", &["text", "syntax"]),
    ("analysis", &["text", "vfs", "syntax", "spec"]),
    ("workspace", &["text", "vfs", "syntax", "spec", "analysis"]),
    (
        "ide",
        &["text", "vfs", "syntax", "spec", "analysis", "workspace"],
    ),
    (
        "runner",
        &["text", "vfs", "syntax", "spec", "analysis", "workspace"],
    ),
    (
        "server",
        &[
            "text",
            "vfs",
            "syntax",
            "spec",
            "analysis",
            "workspace",
            "ide",
            "runner",
        ],
    ),
    (
        "cli",
        &["text", "vfs", "syntax", "spec", "analysis", "workspace"],
    ),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/server/runs/mod.rs` → `server::runs`; `src/ide/hover.rs` → `ide::hover`.
fn module_of(path: &Path) -> String {
    let rel = path.strip_prefix(src()).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// The source without comments and string literals (a path in a doc
/// comment is not a use).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let code = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        let mut in_string = false;
        let mut prev = ' ';
        for c in code.chars() {
            if c == '"' && prev != '\\' {
                in_string = !in_string;
            } else if !in_string {
                out.push(c);
            }
            prev = c;
        }
        out.push('\n');
    }
    out
}

/// The paths a `crate::`/`super::`/`self::` path starting at `at` names:
/// one, or with a group (`crate::{a::b, c::{d, e}}`) one per leaf. Returns
/// them and where the path ends.
fn paths_at(code: &str, at: usize) -> (Vec<String>, usize) {
    let bytes = code.as_bytes();
    let is_ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b':';
    let mut end = at;
    while end < bytes.len() && is_ident(bytes[end]) {
        end += 1;
    }
    let prefix = code[at..end].trim_end_matches(':').to_string();
    // A group: `prefix::{...}`, possibly after whitespace.
    let mut next = end;
    while next < bytes.len() && bytes[next].is_ascii_whitespace() {
        next += 1;
    }
    if !code[at..end].ends_with("::") || next >= bytes.len() || bytes[next] != b'{' {
        return (vec![prefix], end);
    }
    let (items, close) = group_items(code, next + 1);
    let mut out = Vec::new();
    for item in items {
        let item = item.split(" as ").next().unwrap_or("").trim();
        if item.is_empty() || item == "*" || item == "self" {
            out.push(prefix.clone());
            continue;
        }
        let inner = format!("{prefix}::{item}");
        // Nested groups: parse the item again as a path of its own.
        let (paths, _) = paths_at(&inner, 0);
        out.extend(paths);
    }
    (out, close)
}

/// The comma-separated items of a `{...}` group starting after its `{`,
/// and where the group ends.
fn group_items(code: &str, from: usize) -> (Vec<String>, usize) {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut start = from;
    for (i, c) in code[from..].char_indices() {
        let i = from + i;
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(code[start..i].trim().to_string());
                return (items, i + 1);
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(code[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    (items, code.len())
}

/// The module paths a module uses, resolved against the known modules
/// (the longest known prefix of each `crate::…` or `super::…` path, groups
/// such as `crate::{a, b::c}` included).
fn uses(module: &str, text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let code = code_only(text);
    let mut found = BTreeSet::new();
    let bytes = code.as_bytes();
    let is_ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b':';
    let mut i = 0;
    let mut paths = Vec::new();
    while i < bytes.len() {
        if !code.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let rest = &code[i..];
        let starts = (rest.starts_with("crate::")
            || rest.starts_with("super::")
            || rest.starts_with("self::"))
            && (i == 0 || !is_ident(bytes[i - 1]));
        if !starts {
            i += 1;
            continue;
        }
        let (named, end) = paths_at(&code, i);
        paths.extend(named);
        i = end;
    }
    for path in &paths {
        let mut parts: Vec<&str> = path.split("::").collect();
        let mut base: Vec<&str> = module.split("::").collect();
        // A `mod.rs`'s `super` is its parent too; files are modules.
        let resolved: Vec<String> = if parts[0] == "crate" {
            parts.remove(0);
            parts.iter().map(|s| s.to_string()).collect()
        } else if parts[0] == "self" {
            parts.remove(0);
            base.iter()
                .chain(parts.iter())
                .map(|s| s.to_string())
                .collect()
        } else {
            while parts.first() == Some(&"super") {
                parts.remove(0);
                base.pop();
            }
            base.iter()
                .chain(parts.iter())
                .map(|s| s.to_string())
                .collect()
        };
        for n in (1..=resolved.len()).rev() {
            let candidate = resolved[..n].join("::");
            if known.contains(&candidate) {
                if candidate != module && !module.starts_with(&format!("{candidate}::")) {
                    found.insert(candidate);
                }
                break;
            }
        }
    }
    found
}

fn layer_of(module: &str) -> &str {
    module.split("::").next().unwrap()
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: BTreeMap<String, String> = files
        .iter()
        .map(|f| (module_of(f), std::fs::read_to_string(f).unwrap()))
        .collect();
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(m, text)| (m.clone(), uses(m, text, &known)))
        .collect()
}

#[test]
fn each_layer_uses_only_the_layers_below_it() {
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut wrong = Vec::new();
    for (module, used) in graph() {
        let layer = layer_of(&module);
        let Some(below) = allowed.get(layer) else {
            // main.rs and lib.rs use everything.
            assert!(
                module == "main" || module == "lib",
                "{module} is in no layer: add its folder to LAYERS and to docs/architecture.md"
            );
            continue;
        };
        for target in used {
            let target_layer = layer_of(&target);
            if target_layer != layer && !below.contains(&target_layer) {
                wrong.push(format!("{module} uses {target}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "uses that point upward or sideways:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_module_cycles() {
    let graph = graph();
    // Tarjan-free: a depth-first search that reports the first cycle found.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        cycles: &mut Vec<String>,
    ) {
        if done.contains(node) {
            return;
        }
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_string());
            cycles.push(cycle.join(" -> "));
            return;
        }
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            // A parent using its children (re-exports) is not a cycle.
            if next.starts_with(&format!("{node}::")) {
                continue;
            }
            visit(next, graph, stack, done, cycles);
        }
        stack.pop();
        done.insert(node.to_string());
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(node, &graph, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_checker_sees_uses() {
    let known: BTreeSet<String> = [
        "server::runs",
        "server::runs::sync",
        "server::session",
        "runner::git",
        "ide",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let text = "use self::sync;\nuse super::session::Session;\n// crate::ide is only a comment\nlet s = \"crate::ide é\";\nuse crate::runner::git::BranchCache;\n";
    assert_eq!(
        uses("server::runs", text, &known),
        ["runner::git", "server::runs::sync", "server::session"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}

#[test]
fn the_checker_sees_grouped_uses() {
    let known: BTreeSet<String> = [
        "analysis",
        "analysis::readiness",
        "server",
        "server::runs",
        "ide",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let text = "use crate::{\n    server::runs::{self, Job},\n    ide as core,\n};\nuse crate::analysis::{readiness::assess, Code};\n";
    assert_eq!(
        uses("analysis::lint", text, &known),
        ["analysis::readiness", "ide", "server::runs"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}

/// chant's rules (what it would refuse, readiness, quality) are decided in
/// the core (`ide::commands`, `ide::status`); the protocol layer asks and
/// translates.
#[test]
fn the_protocol_layer_decides_nothing() {
    let rules = [
        "analysis::readiness",
        "analysis::lifecycle",
        "analysis::quality",
    ];
    let mut wrong = Vec::new();
    for (module, used) in graph() {
        if layer_of(&module) != "server" {
            continue;
        }
        for rule in rules.iter().filter(|r| used.contains(**r)) {
            wrong.push(format!("{module} uses {rule}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The protocol layer stays thin: at most a fifth of the source.
#[test]
fn the_protocol_layer_is_at_most_a_fifth_of_the_source() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let lines = |f: &PathBuf| std::fs::read_to_string(f).unwrap().lines().count();
    let total: usize = files.iter().map(lines).sum();
    let server: usize = files
        .iter()
        .filter(|f| f.starts_with(src().join("server")))
        .map(lines)
        .sum();
    assert!(
        server * 5 <= total,
        "src/server is {server} of {total} lines ({:.1} %): move what decides or computes below it",
        server as f64 * 100.0 / total as f64
    );
}
