//! One keystroke, from the change notification to diagnostics computed:
//! apply the edit to the document (rope, and the edit recorded for the
//! Markdown tree), take a snapshot, build the spec model and run every rule
//! with the real corpus as the workspace. The Markdown tree is reparsed only
//! when symbols or folding ask, so it is measured separately.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

use chant_lsp::analysis::{self, SpecContext};
use chant_lsp::server::documents::Document;
use chant_lsp::spec::SpecModel;
use chant_lsp::text::PositionEncoding;
use chant_lsp::workspace::ProjectIndex;

/// One keystroke in a criterion line: insert a letter, or delete it again.
fn type_or_delete(doc: &mut Document, version: &mut i32, line: u32) {
    *version += 1;
    let (end, text) = if *version % 2 == 0 { (6, "x") } else { (7, "") };
    let range = Range {
        start: Position { line, character: 6 },
        end: Position {
            line,
            character: end,
        },
    };
    let change = TextDocumentContentChangeEvent {
        range: Some(range),
        range_length: None,
        text: text.into(),
    };
    doc.apply_changes(*version, vec![change], PositionEncoding::Utf16);
}

fn keystroke(c: &mut Criterion) {
    let corpus = common::corpus();
    let index = ProjectIndex::load(&corpus);
    for (name, size) in [("3kb_spec", 3 * 1024), ("1mb_spec", 1024 * 1024)] {
        let text = common::spec_of_size(size);
        let uri: Uri = format!(
            "file://{}/.chant/specs/2026-01-24-0zz-bch.md",
            corpus.display()
        )
        .parse()
        .unwrap();
        let line = text
            .lines()
            .position(|l| l.starts_with("- [ ] criterion number 5"))
            .unwrap() as u32;
        let mut doc = Document::open(uri.clone(), 1, &text);
        let mut version = 1;
        c.bench_function(&format!("keystroke_to_diagnostics_{name}"), |b| {
            b.iter(|| {
                type_or_delete(&mut doc, &mut version, line);
                let snapshot = doc.text.rope().to_string();
                let model = SpecModel::parse(&snapshot);
                analysis::diagnose(
                    &snapshot,
                    &model,
                    SpecContext {
                        id: "2026-01-24-0zz-bch",
                        path: None,
                    },
                    &index,
                )
            })
        });
        // The Markdown tree brought up to date after one keystroke (an
        // incremental reparse) and its outline read, as symbols and folding
        // ask for it.
        let mut doc = Document::open(uri.clone(), 1, &text);
        doc.take_tree_work().unwrap().outline(&text);
        let mut version = 1;
        c.bench_function(&format!("markdown_reparse_and_outline_{name}"), |b| {
            b.iter(|| {
                type_or_delete(&mut doc, &mut version, line);
                let snapshot = doc.text.rope().to_string();
                doc.take_tree_work().unwrap().outline(&snapshot)
            })
        });
    }
}

/// A replace-all: one `didChange` with 200 edits spread over a 5 MB line
/// (each edit replaces a word with a longer one, last to first, as editors
/// send them), applied to the document. Positions in the rope cost
/// O(log n) each whatever the line length.
fn replace_all_on_a_long_line(c: &mut Criterion) {
    let word = "alpha ";
    let line: String = word.repeat(5 * 1024 * 1024 / word.len());
    let text = format!("---\nstatus: pending\n---\n# Long\n\n{line}\n");
    let uri: Uri = "file:///w/docs/long.md".parse().unwrap();
    let stride = (line.len() / word.len()) / 200;
    let changes: Vec<TextDocumentContentChangeEvent> = (0..200u32)
        .rev()
        .map(|i| {
            let col = i * stride as u32 * word.len() as u32;
            TextDocumentContentChangeEvent {
                range: Some(Range {
                    start: Position {
                        line: 5,
                        character: col,
                    },
                    end: Position {
                        line: 5,
                        character: col + 5,
                    },
                }),
                range_length: None,
                text: "omega".into(),
            }
        })
        .collect();
    let doc = Document::open(uri, 1, &text);
    c.bench_function("replace_all_200_edits_on_a_5mb_line", |b| {
        b.iter_batched(
            || (doc_clone(&doc), changes.clone()),
            |(mut doc, changes)| doc.apply_changes(2, changes, PositionEncoding::Utf16),
            criterion::BatchSize::LargeInput,
        )
    });
}

fn doc_clone(doc: &Document) -> Document {
    Document::open(doc.uri.clone(), doc.version, &doc.text.rope().to_string())
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = keystroke, replace_all_on_a_long_line
}
criterion_main!(benches);
