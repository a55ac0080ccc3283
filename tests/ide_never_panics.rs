//! Property: every IDE feature answers at every offset of any spec —
//! half-typed YAML, delimiters inside lines, CRLF and lone CR, emoji and
//! CJK — without a panic. (The protocol layer catches panics per request;
//! this makes sure there are none to catch.) Runs the library directly over
//! an in-memory project, so it can try thousands of texts quickly.

use std::path::Path;
use std::sync::Arc;

use chant_lsp::analysis::{Filter, SpecContext};
use chant_lsp::ide::actions;
use chant_lsp::ide::commands::{self, SpecView};
use chant_lsp::ide::{completion, hover, navigation, outline, DiskOnly};
use chant_lsp::spec::SpecModel;
use chant_lsp::syntax::markdown::parse_fresh;
use chant_lsp::vfs::MemoryFs;
use chant_lsp::workspace::{classify, LoadedSpec, ProjectFiles, ProjectIndex};
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "---",
    "---\n",
    "\n",
    "\r\n",
    "\r",
    " ",
    "  ",
    "- ",
    "-",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "'",
    "#",
    "# Title\n",
    "## Acceptance Criteria\n",
    "- [ ] ",
    "- [x] ",
    "* [ ] ",
    "```\n",
    "~~~\n",
    "status: ",
    "status: pending",
    "type: ",
    "driver",
    "depends_on: ",
    "depends_on:\n  - ",
    "2026-01-01-001-abc",
    "2026-01-01-001-abc.1",
    "prompt: ",
    "standard",
    "informed_by: ",
    "docs/",
    "docs/a.md",
    "../",
    "labels: [a, b]",
    "approval:\n  required: true\n",
    "target_files:\n",
    "tracks: [\"src/**\"]",
    "{{spec.title}}",
    "é",
    "😀",
    "中文",
    "~",
    "null",
    "&a",
    "*a",
    "!!str",
    "|",
    ">",
    "%",
    "@",
    "\t",
    "x",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|p| p.concat())
}

fn project() -> ProjectIndex {
    let root = Path::new("/project");
    let fs = MemoryFs::with_files(
        root,
        [
            (".chant/config.md", "---\nproject:\n  name: demo\n---\n"),
            (
                ".chant/prompts/standard.md",
                "---\npurpose: Work\n---\nDo {{spec.title}}\n",
            ),
            (
                ".chant/specs/2026-01-01-001-abc.md",
                "---\nstatus: completed\n---\n# Done\n\n## Acceptance Criteria\n\n- [x] a\n",
            ),
            ("docs/a.md", "# A\n\nText.\n"),
        ],
    );
    ProjectIndex::load_from(ProjectFiles::new(Arc::new(fs), root))
}

fn seed() -> proptest::test_runner::RngSeed {
    match std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(seed) => proptest::test_runner::RngSeed::Fixed(seed),
        None => proptest::test_runner::RngSeed::Fixed(20261130),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 400,
        failure_persistence: None,
        // A fixed seed keeps CI reproducible; set PROPTEST_RNG_SEED to
        // explore other texts.
        rng_seed: seed(),
        ..ProptestConfig::default()
    })]
    #[test]
    fn every_feature_at_every_offset(text in text()) {
        let index = project();
        let path = Path::new("/project/.chant/specs/2026-02-01-001-cur.md");
        let id = "2026-02-01-001-cur";
        let model = SpecModel::parse(&text);
        let kind = classify(path);
        let loaded = LoadedSpec::from_text(text.clone());
        let diagnostics = loaded.diagnose(SpecContext { id, path: Some(path) }, &index, &Filter::default());
        let markdown = parse_fresh(&text).outline(&text);
        outline::document_symbols(&model, &markdown);
        outline::folding(&model, &markdown);
        outline::title_lens(&model);
        navigation::links(&index, &model);
        let view = SpecView {
            id,
            path,
            text: &text,
            model: &model,
            index: &index,
            running: false,
            agent_branch: Some("chant/x"),
            branch_merged: None,
            commands_enabled: true,
            nested: false,
            unsaved: false,
            unsaved_files: &[],
        };
        commands::commands(&view);
        commands::readiness(&view);
        let all: Vec<usize> = (0..diagnostics.len()).collect();
        for offset in (0..=text.len()).filter(|o| text.is_char_boundary(*o)) {
            completion::complete(&text, &model, offset, &completion::Env { index: &index, file: &kind });
            hover::hover(&index, &model, offset, &DiskOnly);
            navigation::definition(&index, &model, offset);
            navigation::subject_at(&index, path, Some(&model), offset);
            outline::inlay_hints(&index, &model, offset..text.len());
            let fixes = actions::quick_fixes(&view, &diagnostics, offset..offset, &all, true);
            actions::rewrites(&view, offset..offset, &diagnostics, &fixes);
        }
    }
}
