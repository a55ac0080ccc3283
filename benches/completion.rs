//! Completion and hover once the workspace is indexed: a path among 50,000
//! files, a spec ID among 10,000 specs, and a hover preview of a 100 MB file
//! (which must cost the same as a small one).

mod common;

use criterion::{criterion_group, criterion_main, Criterion};

use chant_lsp::ide::completion::{self, Env};
use chant_lsp::ide::{preview, DiskOnly};
use chant_lsp::spec::SpecModel;
use chant_lsp::workspace::{ChantFile, ProjectIndex};

fn marked(text: &str) -> (String, usize) {
    let at = text.find('|').unwrap();
    (text.replacen('|', "", 1), at)
}

fn completion(c: &mut Criterion) {
    // 50,000 files in 500 folders of 100.
    let files = tempfile::tempdir().unwrap();
    let root = files.path();
    std::fs::create_dir_all(root.join(".chant/specs")).unwrap();
    std::fs::write(
        root.join(".chant/config.md"),
        "---\nproject:\n  name: bench\n---\n",
    )
    .unwrap();
    for d in 0..500 {
        let dir = root.join(format!("src/module{d:03}"));
        std::fs::create_dir_all(&dir).unwrap();
        for f in 0..100 {
            std::fs::write(dir.join(format!("file{f:03}.rs")), "").unwrap();
        }
    }
    let index = ProjectIndex::load(root);
    assert_eq!(index.files().files().len(), 50_001);
    let file = ChantFile::Spec {
        root: root.to_path_buf(),
        id: "2027-01-01-001-aaa".into(),
        top_level: true,
    };
    let env = Env {
        index: &index,
        file: &file,
    };
    for (name, marked_text) in [
        (
            "complete_path_top_level_50000_files",
            "---\ninformed_by:\n  - |\n---\n# T\n",
        ),
        (
            "complete_path_in_a_folder_50000_files",
            "---\ninformed_by:\n  - src/module250/fi|\n---\n# T\n",
        ),
        (
            "complete_path_folder_list_50000_files",
            "---\ninformed_by:\n  - src/mod|\n---\n# T\n",
        ),
    ] {
        let (text, offset) = marked(marked_text);
        let model = SpecModel::parse(&text);
        c.bench_function(name, |b| {
            b.iter(|| completion::complete(&text, &model, offset, &env))
        });
    }

    let specs = tempfile::tempdir().unwrap();
    common::generate_workspace(specs.path(), 10_000);
    let index = ProjectIndex::load(specs.path());
    assert_eq!(index.spec_count(), 10_000);
    let file = ChantFile::Spec {
        root: specs.path().to_path_buf(),
        id: "2027-01-01-001-aaa".into(),
        top_level: true,
    };
    let env = Env {
        index: &index,
        file: &file,
    };
    for (name, marked_text) in [
        (
            "complete_spec_id_10000_specs_empty",
            "---\ndepends_on: [|]\n---\n# T\n",
        ),
        (
            "complete_spec_id_10000_specs_typed",
            "---\ndepends_on: [lint sp|]\n---\n# T\n",
        ),
    ] {
        let (text, offset) = marked(marked_text);
        let model = SpecModel::parse(&text);
        c.bench_function(name, |b| {
            b.iter(|| completion::complete(&text, &model, offset, &env))
        });
    }

    // Hover previews: a 100 MB file and a small one.
    let big = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(big.path().join(".chant/specs")).unwrap();
    std::fs::write(big.path().join(".chant/config.md"), "---\n---\n").unwrap();
    let line = "x".repeat(1023) + "\n";
    std::fs::write(big.path().join("big.log"), line.repeat(100 * 1024)).unwrap();
    std::fs::write(big.path().join("small.md"), "# Small\n\nA few words.\n").unwrap();
    let index = ProjectIndex::load(big.path());
    c.bench_function("hover_preview_100mb_file", |b| {
        b.iter(|| preview::path_preview(&index, "big.log", &DiskOnly))
    });
    c.bench_function("hover_preview_small_file", |b| {
        b.iter(|| preview::path_preview(&index, "small.md", &DiskOnly))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = completion
}
criterion_main!(benches);
