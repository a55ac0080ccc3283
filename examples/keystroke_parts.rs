use chant_lsp::analysis::{self, SpecContext};
use chant_lsp::server::documents::Document;
use chant_lsp::spec::SpecModel;
use chant_lsp::text::PositionEncoding;
use chant_lsp::workspace::ProjectIndex;
use std::time::Instant;
use tower_lsp_server::ls_types::*;
#[path = "../benches/common/mod.rs"]
mod common;
fn main() {
    let corpus = common::corpus();
    let index = ProjectIndex::load(&corpus);
    let size: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let text = common::spec_of_size(size);
    let uri: Uri = format!(
        "file://{}/.chant/specs/2026-01-24-0zz-bch.md",
        corpus.display()
    )
    .parse()
    .unwrap();
    let line = (text.lines().count() / 2) as u32;
    let mut doc = Document::open(uri.clone(), 1, &text);
    let n = 200;
    let (mut a, mut b, mut c, mut d, mut e) = (0u128, 0u128, 0u128, 0u128, 0u128);
    for i in 0..n {
        let t = Instant::now();
        let change = TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position { line, character: 6 },
                end: Position { line, character: 6 },
            }),
            range_length: None,
            text: "x".into(),
        };
        doc.apply_changes(2 + i, vec![change], PositionEncoding::Utf16);
        a += t.elapsed().as_nanos();
        let t = Instant::now();
        let snapshot = doc.rope.to_string();
        b += t.elapsed().as_nanos();
        let t = Instant::now();
        let work = doc.take_tree_work();
        work.apply(&mut doc.markdown.lock().unwrap(), &snapshot);
        c += t.elapsed().as_nanos();
        let t = Instant::now();
        let model = SpecModel::parse(&snapshot);
        d += t.elapsed().as_nanos();
        let t = Instant::now();
        let diags = analysis::diagnose(
            &snapshot,
            &model,
            SpecContext {
                id: "2026-01-24-0zz-bch",
            },
            &index,
        );
        e += t.elapsed().as_nanos();
        std::hint::black_box(diags);
    }
    let n = n as u128;
    println!(
        "apply {}µs to_string {}µs md {}µs model {}µs diagnose {}µs",
        a / n / 1000,
        b / n / 1000,
        c / n / 1000,
        d / n / 1000,
        e / n / 1000
    );
}
