//! Byte ranges where the text before the cursor is not one byte per
//! character or one line break per line: CRLF, emoji (four bytes, two
//! UTF-16 units) and CJK (three bytes, one unit). The features work in
//! byte offsets; each range must slice exactly the text it means (the
//! conversion to the client's encoding is `server::convert`'s, tested
//! elsewhere).

use chant_lsp::ide::completion::{complete, Env};
use chant_lsp::ide::hover::hover;
use chant_lsp::ide::navigation::references_in;
use chant_lsp::ide::outline::{document_symbols, inlay_hints, Symbol};
use chant_lsp::ide::rename::edits_for_move;
use chant_lsp::ide::DiskOnly;
use chant_lsp::syntax::markdown::MarkdownTree;
use chant_lsp::text::TextRange;

use crate::actions::show;
use crate::fixture::{apply, Fixture};

/// `start..end "slice"` (byte offsets).
fn slice(text: &str, range: &TextRange) -> String {
    format!("{}..{} {:?}", range.start, range.end, &text[range.clone()])
}

fn completion_ranges(f: &Fixture) -> Vec<String> {
    let kind = f.kind();
    let c = complete(
        &f.text,
        &f.model,
        f.offset(),
        &Env {
            index: &f.index,
            file: &kind,
        },
    );
    let mut ranges: Vec<String> = c.items.iter().map(|i| slice(&f.text, &i.edit)).collect();
    ranges.dedup();
    ranges
}

#[test]
fn completion_in_a_crlf_frontmatter() {
    let f = Fixture::crlf("---\ntype: code\nstatus: pen$0\n---\n# T\n");
    assert_eq!(completion_ranges(&f), ["25..28 \"pen\""]);
    let f = Fixture::crlf("---\ntype: code\nst$0\n---\n# T\n");
    assert_eq!(completion_ranges(&f), ["17..19 \"st\""]);
    let f = Fixture::crlf("---\ndepends_on:\n  - 2026-01-0$0\n---\n# T\n");
    assert_eq!(completion_ranges(&f), ["22..31 \"2026-01-0\""]);
}

#[test]
fn completion_after_emoji_and_cjk_on_the_line() {
    let f = Fixture::new("---\nlabels: [🚀, 中文, $0]\n---\n# T\n");
    let at = f.text.find(", ]").unwrap() + 2;
    assert_eq!(completion_ranges(&f), [format!("{at}..{at} \"\"")]);
    let f = Fixture::new("---\n---\n# 🚀 T\n\n依赖 depends on 2026-01-0$02\n");
    let start = f.text.find("2026").unwrap();
    assert_eq!(
        completion_ranges(&f),
        [format!("{start}..{} \"2026-01-02\"", start + 10)]
    );
}

#[test]
fn completion_of_a_path_with_multibyte_names() {
    let f = Fixture::new(
        "//- /.chant/specs/2026-02-01-001-cur.md\n---\ncontext: [\"文档/$0\"]\n---\n# T\n//- /文档/🚀 launch.md\nx\n",
    );
    let kind = f.kind();
    let c = complete(
        &f.text,
        &f.model,
        f.offset(),
        &Env {
            index: &f.index,
            file: &kind,
        },
    );
    let item = &c.items[0];
    assert_eq!(item.label, "🚀 launch.md");
    assert_eq!(slice(&f.text, &item.edit), "15..22 \"文档/\"");
    assert_eq!(
        apply(&f.text, &[(item.edit.clone(), item.new_text.clone())]),
        "---\ncontext: [\"文档/🚀 launch.md\"]\n---\n# T\n"
    );
}

#[test]
fn hover_after_emoji_cjk_and_crlf() {
    let f = Fixture::crlf("---\nstatus: pending\n---\n# 🚀 中文\n\n见 2026-01-01-00$01-abc 🚀\n");
    let h = hover(&f.index, &f.model, f.offset(), &DiskOnly).unwrap();
    let start = f.text.find("2026").unwrap();
    assert_eq!(
        slice(&f.text, &h.range),
        format!("{start}..{} \"2026-01-01-001-abc\"", start + 18)
    );
    let f = Fixture::crlf("---\ntitle_like: 🚀\nty$0pe: code\n---\n# T\n");
    let h = hover(&f.index, &f.model, f.offset(), &DiskOnly).unwrap();
    assert_eq!(slice(&f.text, &h.range), "23..27 \"type\"");
}

#[test]
fn references_in_a_crlf_file_with_wide_characters() {
    let f = Fixture::crlf(
        "---\ninformed_by:\n  - \"docs/🚀 中文.md\"\ndepends_on: [2026-01-01-001-abc]\n---\n# T\n",
    );
    let refs: Vec<String> = references_in(&f.model)
        .iter()
        .map(|r| slice(&f.text, &r.range))
        .collect();
    assert_eq!(
        refs,
        [
            "24..43 \"docs/🚀 中文.md\"",
            "59..77 \"2026-01-01-001-abc\""
        ]
    );
}

#[test]
fn quick_fix_on_a_crlf_line_after_emoji() {
    let f = Fixture::crlf(
        "---\nlabels: [🚀]\nstatus: pendng$0\n---\n# 🚀\n\n## Acceptance Criteria\n\n- [ ] 中文\n",
    );
    let diagnostics = f.diagnostics();
    let fixes =
        chant_lsp::ide::actions::quick_fixes(&f.view(), &diagnostics, f.cursor.clone(), &[], true);
    let fix = fixes
        .iter()
        .find(|x| x.title == "Change to `pending`")
        .unwrap();
    let chant_lsp::ide::actions::FixEffect::EditSpec(edits) = &fix.effect else {
        panic!()
    };
    assert_eq!(
        edits
            .iter()
            .map(|(r, t)| format!("{} -> {t:?}", slice(&f.text, r)))
            .collect::<Vec<_>>(),
        ["29..35 \"pendng\" -> \"pending\""]
    );
    assert_eq!(
        show(&apply(&f.text, edits)),
        "---␍\nlabels: [🚀]␍\nstatus: pending␍\n---␍\n# 🚀␍\n␍\n## Acceptance Criteria␍\n␍\n- [ ] 中文␍\n"
    );
}

#[test]
fn moving_a_mention_keeps_the_wide_characters_around_it() {
    let f = Fixture::crlf(
        "---\nstatus: pending\n---\n# T\n\n🚀 needs 2026-01-01-001-abc$0 中文.\n\n## Acceptance Criteria\n\n- [ ] a\n",
    );
    let diagnostics = f.diagnostics();
    let fixes =
        chant_lsp::ide::actions::quick_fixes(&f.view(), &diagnostics, f.cursor.clone(), &[], true);
    let fix = fixes
        .iter()
        .find(|x| x.title.starts_with("Move `2026-01-01-001-abc`"))
        .unwrap();
    let chant_lsp::ide::actions::FixEffect::EditSpec(edits) = &fix.effect else {
        panic!()
    };
    assert_eq!(
        show(&apply(&f.text, edits)),
        "---␍\nstatus: pending␍\ndepends_on:␍\n- 2026-01-01-001-abc␍\n---␍\n# T␍\n␍\n🚀 needs 中文.␍\n␍\n## Acceptance Criteria␍\n␍\n- [ ] a␍\n"
    );
}

#[test]
fn symbols_of_a_crlf_spec_end_before_the_line_breaks() {
    let f = Fixture::crlf(
        "---\nstatus: pending\n---\n# 🚀 Launch\n\n## Acceptance Criteria\n\n- [ ] 中文 one\n",
    );
    let markdown = MarkdownTree::new(&f.text).outline(&f.text);
    fn walk(text: &str, symbols: &[Symbol], out: &mut Vec<String>) {
        for s in symbols {
            out.push(format!(
                "{} sel {}",
                slice(text, &s.range),
                slice(text, &s.selection)
            ));
            walk(text, &s.children, out);
        }
    }
    let mut out = Vec::new();
    walk(&f.text, &document_symbols(&f.model, &markdown), &mut out);
    assert_eq!(
        out,
        [
            "0..25 \"---\\r\\nstatus: pending\\r\\n---\" sel 0..3 \"---\"",
            "5..20 \"status: pending\" sel 5..11 \"status\"",
            "27..86 \"# 🚀 Launch\\r\\n\\r\\n## Acceptance Criteria\\r\\n\\r\\n- [ ] 中文 one\" sel 27..40 \"# 🚀 Launch\"",
            "44..86 \"## Acceptance Criteria\\r\\n\\r\\n- [ ] 中文 one\" sel 44..66 \"## Acceptance Criteria\"",
            "70..86 \"- [ ] 中文 one\" sel 70..75 \"- [ ]\"",
        ]
    );
}

#[test]
fn inlay_hints_sit_right_after_the_id() {
    let f = Fixture::crlf("---\ndepends_on: [\"2026-01-01-001-abc\", 🚀]\n---\n# T\n");
    let hints = inlay_hints(&f.index, &f.model, 0..f.text.len());
    let at = f.text.find("abc").unwrap() + 3;
    assert_eq!(hints, [(at, "Set up the database · completed".to_string())]);
}

#[test]
fn ticking_a_criterion_after_cjk_text() {
    let f = Fixture::crlf(
        "---\nstatus: pending\n---\n# T\n\n## Acceptance Criteria\n\n- [x] 完成\n- [ ] 中文 $0🚀\n",
    );
    let diagnostics = f.diagnostics();
    let offered = chant_lsp::ide::actions::rewrites(&f.view(), f.cursor.clone(), &diagnostics, &[]);
    let tick = offered
        .iter()
        .find(|r| r.title == "Tick this criterion")
        .unwrap();
    let chant_lsp::ide::actions::FixEffect::EditSpec(edits) = &tick.effect else {
        panic!()
    };
    assert_eq!(
        show(&apply(&f.text, edits)),
        "---␍\nstatus: pending␍\n---␍\n# T␍\n␍\n## Acceptance Criteria␍\n␍\n- [x] 完成␍\n- [x] 中文 🚀␍\n"
    );
}

#[test]
fn renaming_a_file_with_a_wide_name_in_a_crlf_spec() {
    let f = Fixture::crlf(
        "//- /.chant/specs/2026-02-01-001-cur.md\n---\ncontext:\n  - 文档/🚀.md # 中文\n---\n# T\n//- /文档/🚀.md\nx\n",
    );
    let edits = edits_for_move(
        &f.index,
        &[(f.abs("文档/🚀.md"), f.abs("文档/launch 🚀.md"))],
        &DiskOnly,
    );
    assert_eq!(edits.len(), 1);
    assert_eq!(
        show(&apply(&edits[0].text, &edits[0].edits)),
        "---␍\ncontext:␍\n  - 文档/launch 🚀.md # 中文␍\n---␍\n# T␍\n"
    );
}
