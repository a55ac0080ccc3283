//! "Review changes" on large agent branches: the branch read with git
//! (`runner::review::gather`: five git calls, the patch parsed) and the
//! review document rendered (`ide::review::render`). A change of 10,000 lines
//! must be shown in under a second; tests never assert on time.

use std::path::Path;
use std::process::Command;

use criterion::{criterion_group, criterion_main, Criterion};

use chant_lsp::ide::review::render;
use chant_lsp::runner::review::{gather, Target};
use chant_lsp::workspace::ProjectFiles;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}");
}

/// A project whose agent branch `chant/x` changes `files` files: in each,
/// every line of `lines` rewritten.
fn project(dir: &Path, files: usize, lines: usize) {
    git(dir, &["init", "-q", "-b", "main"]);
    for (k, v) in [
        ("user.name", "Bench"),
        ("user.email", "bench@example.com"),
        ("commit.gpgsign", "false"),
    ] {
        git(dir, &["config", k, v]);
    }
    std::fs::create_dir_all(dir.join(".chant/specs")).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join(".chant/specs/x.md"), "# X\n\n- [ ] done\n").unwrap();
    let write = |version: &str| {
        for f in 0..files {
            let text: String = (0..lines)
                .map(|l| format!("    let value_{l} = compute({l}, \"{version}\"); // file {f}\n"))
                .collect();
            std::fs::write(dir.join(format!("src/file{f:03}.rs")), text).unwrap();
        }
    };
    write("before");
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "initial"]);
    git(dir, &["checkout", "-q", "-b", "chant/x"]);
    write("after");
    std::fs::write(dir.join(".chant/specs/x.md"), "# X\n\n- [x] done\n").unwrap();
    git(dir, &["commit", "-q", "-am", "chant(x): agent work"]);
    git(dir, &["checkout", "-q", "main"]);
}

fn review(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut group = c.benchmark_group("review");
    group.sample_size(10);
    for (name, files, lines) in [
        ("10000_lines_in_one_file", 1, 10_000),
        ("10000_lines_in_100_files", 100, 100),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        project(&root, files, lines);
        let project_files = ProjectFiles::on_disk(&root);
        let target = || Target {
            files: &project_files,
            id: "x",
            spec_path: ".chant/specs/x.md",
            title: Some("X".into()),
            branch: "chant/x",
            main: "main",
            log: None,
        };
        let found = runtime.block_on(gather(target())).unwrap();
        let text = render(&found, &[]);
        // Every line shown: rewritten lines count twice (- and +).
        assert_eq!(
            text.lines().filter(|l| l.starts_with("+    let")).count(),
            files * lines
        );
        group.bench_function(format!("gather_{name}"), |b| {
            b.iter(|| runtime.block_on(gather(target())).unwrap())
        });
        group.bench_function(format!("render_{name}"), |b| b.iter(|| render(&found, &[])));
        group.bench_function(format!("gather_and_render_{name}"), |b| {
            b.iter(|| render(&runtime.block_on(gather(target())).unwrap(), &[]))
        });
    }
    group.finish();
}

criterion_group!(benches, review);
criterion_main!(benches);
