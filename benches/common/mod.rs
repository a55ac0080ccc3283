//! Shared benchmark inputs: the real corpus, and workspaces generated from it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The corpus of real specs, `tests/corpus/chant-workspace` (override with
/// `CHANT_CORPUS`).
pub fn corpus() -> PathBuf {
    let path = std::env::var_os("CHANT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/chant-workspace")
        });
    assert!(
        path.join(".chant/specs").is_dir(),
        "corpus not found at {} (set CHANT_CORPUS)",
        path.display()
    );
    path
}

/// The corpus spec files, sorted.
pub fn corpus_specs() -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(corpus().join(".chant/specs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    specs.sort();
    specs
}

/// Copy the corpus into `dir` (writable).
pub fn copy_corpus(dir: &Path) {
    let src = corpus();
    copy_dir(&src.join(".chant"), &dir.join(".chant"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A chant project of `n` specs: the corpus, then corpus specs again under
/// new generated IDs, until there are `n`.
pub fn generate_workspace(dir: &Path, n: usize) {
    copy_corpus(dir);
    let specs = corpus_specs();
    let texts: Vec<String> = specs
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let out = dir.join(".chant/specs");
    for i in specs.len()..n {
        let day = 1 + (i / 1296) % 28;
        let seq = i % 1296;
        let id = format!("2027-01-{day:02}-{}-g{:02}", base36(seq, 3), i % 100);
        std::fs::write(out.join(format!("{id}.md")), &texts[i % texts.len()]).unwrap();
    }
}

fn base36(mut n: usize, width: usize) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = digits[n % 36];
        n /= 36;
    }
    String::from_utf8(out).unwrap()
}

/// A spec of about `bytes` bytes, shaped like real ones: frontmatter, a
/// title, an acceptance criteria section, then prose, lists and code from
/// the corpus (large real specs are large because of notes and agent output).
pub fn spec_of_size(bytes: usize) -> String {
    let mut text = String::from(
        "---\ntype: code\nstatus: pending\nlabels: [bench, size]\ndepends_on:\n  - 2026-01-24-001-cxn\ntarget_files:\n  - src/lib.rs\n---\n# A spec for benchmarks\n\nSome words about the work, with an ID 2026-01-24-002-u0g in prose.\n\n## Acceptance Criteria\n\n",
    );
    for i in 0..12 {
        text.push_str(&format!("- [ ] criterion number {i} with a few words 😀\n"));
    }
    let bodies: Vec<String> = corpus_specs()
        .iter()
        .map(|p| {
            let spec = std::fs::read_to_string(p).unwrap();
            let body = spec.splitn(3, "---").nth(2).unwrap_or("").to_string();
            body.replace("## Acceptance Criteria", "## Earlier criteria")
        })
        .collect();
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&format!("\n## Notes {i}\n\n"));
        text.push_str(&bodies[i % bodies.len()]);
        i += 1;
    }
    text
}
