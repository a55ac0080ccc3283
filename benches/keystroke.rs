//! One keystroke, from the change notification to diagnostics computed:
//! apply the edit to the document (rope and Markdown tree), reparse the
//! tree incrementally, build the spec model and run every rule.

mod common;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

use chant_lsp::analysis::{self, SpecContext};
use chant_lsp::server::documents::Document;
use chant_lsp::spec::SpecModel;
use chant_lsp::text::PositionEncoding;
use chant_lsp::workspace::ProjectIndex;

fn keystroke(c: &mut Criterion) {
    let corpus = common::corpus();
    let index = ProjectIndex::load(&corpus);
    for (name, size) in [
        ("keystroke_3kb_spec", 3 * 1024),
        ("keystroke_1mb_spec", 1024 * 1024),
    ] {
        let text = common::spec_of_size(size);
        let uri: Uri = format!(
            "file://{}/.chant/specs/2026-01-24-0zz-bch.md",
            corpus.display()
        )
        .parse()
        .unwrap();
        // Type into the middle of the criteria, as a user would.
        let line = (text.lines().count() / 2) as u32;
        c.bench_function(name, |b| {
            b.iter_batched(
                || Document::open(uri.clone(), 1, &text),
                |mut doc| {
                    let change = TextDocumentContentChangeEvent {
                        range: Some(Range {
                            start: Position { line, character: 6 },
                            end: Position { line, character: 6 },
                        }),
                        range_length: None,
                        text: "x".into(),
                    };
                    doc.apply_changes(2, vec![change], PositionEncoding::Utf16);
                    let snapshot = doc.rope.to_string();
                    let work = doc.take_tree_work();
                    work.apply(&mut doc.markdown.lock().unwrap(), &snapshot);
                    let model = SpecModel::parse(&snapshot);
                    analysis::diagnose(
                        &snapshot,
                        &model,
                        SpecContext {
                            id: "2026-01-24-0zz-bch",
                        },
                        &index,
                    )
                },
                BatchSize::LargeInput,
            )
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = keystroke
}
criterion_main!(benches);
