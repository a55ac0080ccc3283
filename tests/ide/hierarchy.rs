//! The dependency graph as a call hierarchy (`ide::hierarchy`): the spec
//! at a cursor, who depends on it (and its driver), what it depends on
//! (and a driver's members), readiness in each item, and cycles shown
//! without being followed round.

use chant_lsp::ide::hierarchy::{incoming, node, outgoing, prepare, Call, Node};
use chant_lsp::ide::DiskOnly;

use crate::expect::Expect;
use crate::fixture::{span, Buffers, Fixture};

fn show(f: &Fixture, node: &Node) -> String {
    let at = match &node.path {
        Some(path) => format!(
            " @ {}{}",
            f.rel(path),
            node.title_range
                .as_ref()
                .map(|r| format!(" {}", span(&node.text, r)))
                .unwrap_or_default()
        ),
        None => String::new(),
    };
    format!("{} | {}{at}", node.name(), node.detail())
}

fn calls(f: &Fixture, label: &str, calls: &[Call], text_of_from: Option<&str>) -> String {
    let mut out = format!("{label}:\n");
    for call in calls {
        let text = text_of_from.unwrap_or(&call.node.text);
        let ranges: Vec<String> = call
            .from_ranges
            .iter()
            .map(|r| format!("{} {:?}", span(text, r), &text[r.clone()]))
            .collect();
        out.push_str(&format!(
            "  {}\n    from {}\n",
            show(f, &call.node),
            ranges.join(", ")
        ));
    }
    out
}

/// The item at the cursor, its incoming and its outgoing calls.
fn check(fixture: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    let Some(item) = prepare(&f.index, &DiskOnly, &f.path, &f.model, f.offset()) else {
        expect.assert_eq("");
        return;
    };
    let mut out = format!("item: {}\n", show(&f, &item));
    out.push_str(&calls(
        &f,
        "incoming",
        &incoming(&f.index, &DiskOnly, &item.id),
        None,
    ));
    let (text, out_calls) = outgoing(&f.index, &DiskOnly, &item.id);
    out.push_str(&calls(&f, "outgoing", &out_calls, Some(&text)));
    expect.assert_eq(&out);
}

const GRAPH: &str = r#"
//- /.chant/specs/2026-03-01-001-aaa.md
---
status: pending
depends_on: [2026-01-01-001-abc, 2026-03-01-002-bbb]
---
# Alpha
//- /.chant/specs/2026-03-01-002-bbb.md
---
status: in_progress
depends_on:
  - 2026-03-01-003-ccc
---
# Beta
//- /.chant/specs/2026-03-01-003-ccc.md
---
depends_on: [2026-03-01-001-aaa]
---
# Gamma
//- /.chant/specs/2026-03-01-004-ddd.md
---
depends_on: [2026-03-01-001-aaa, 2026-03-01-009-zzz]
---
# Delta
"#;

#[test]
fn a_spec_on_a_cycle_shows_its_dependents_and_dependencies() {
    check(
        &format!("{GRAPH}//- /.chant/specs/2026-03-01-005-cur.md\n---\ndepends_on: [2026-03-01-00$01-aaa]\n---\n# Current\n"),
        expect![[r#"
            item: 2026-03-01-001-aaa Alpha | pending · blocked: waiting for 2026-03-01-002-bbb (in_progress) @ .chant/specs/2026-03-01-001-aaa.md 4:0-4:7
            incoming:
              2026-03-01-003-ccc Gamma | pending · blocked: waiting for 2026-03-01-001-aaa (pending) · on a dependency cycle @ .chant/specs/2026-03-01-003-ccc.md 3:0-3:7
                from 1:13-1:31 "2026-03-01-001-aaa"
              2026-03-01-004-ddd Delta | pending · blocked: waiting for 2026-03-01-001-aaa (pending), 2026-03-01-009-zzz (unknown to chant) @ .chant/specs/2026-03-01-004-ddd.md 3:0-3:7
                from 1:13-1:31 "2026-03-01-001-aaa"
              2026-03-01-005-cur Current | pending · blocked: waiting for 2026-03-01-001-aaa (pending) @ .chant/specs/2026-03-01-005-cur.md 3:0-3:9
                from 1:13-1:31 "2026-03-01-001-aaa"
            outgoing:
              2026-01-01-001-abc Set up the database | completed @ .chant/specs/2026-01-01-001-abc.md 3:0-3:21
                from 2:13-2:31 "2026-01-01-001-abc"
              2026-03-01-002-bbb Beta | in_progress · on a dependency cycle @ .chant/specs/2026-03-01-002-bbb.md 5:0-5:6
                from 2:33-2:51 "2026-03-01-002-bbb"
        "#]],
    );
}

#[test]
fn the_title_means_the_spec_itself_and_unknown_ids_show_as_such() {
    check(
        &format!("{GRAPH}//- /.chant/specs/2026-03-01-006-eee.md\n---\ndepends_on: [2026-03-01-004-ddd, 2026-01-05-001-arc, nope]\n---\n# Ep$0silon\n//- /.chant/archive/2026-01-05/2026-01-05-001-arc.md\n---\nstatus: completed\n---\n# Archived\n"),
        expect![[r#"
            item: 2026-03-01-006-eee Epsilon | pending · blocked: waiting for 2026-03-01-004-ddd (pending), 2026-01-05-001-arc (unknown to chant), nope (unknown to chant) @ .chant/specs/2026-03-01-006-eee.md 3:0-3:9
            incoming:
            outgoing:
              2026-03-01-004-ddd Delta | pending · blocked: waiting for 2026-03-01-001-aaa (pending), 2026-03-01-009-zzz (unknown to chant) @ .chant/specs/2026-03-01-004-ddd.md 3:0-3:7
                from 1:13-1:31 "2026-03-01-004-ddd"
              2026-01-05-001-arc Archived | archived · chant does not resolve archived specs @ .chant/archive/2026-01-05/2026-01-05-001-arc.md 3:0-3:10
                from 1:33-1:51 "2026-01-05-001-arc"
              nope | unknown · no spec with this ID
                from 1:53-1:57 "nope"
        "#]],
    );
}

#[test]
fn a_driver_and_its_members() {
    check(
        r#"
        //- /.chant/specs/2026-03-02-001-drv.md
        ---
        type: driver
        depends_on: [2026-01-02-001-def]
        members: [2026-03-02-001-drv.1]
        ---
        # The dri$0ver
        //- /.chant/specs/2026-03-02-001-drv.1.md
        ---
        status: completed
        ---
        # First member
        //- /.chant/specs/2026-03-02-001-drv.2.md
        ---
        ---
        # Second member
        "#,
        expect![[r##"
            item: 2026-03-02-001-drv The driver | pending · blocked: waiting for 2026-01-02-001-def (pending) @ .chant/specs/2026-03-02-001-drv.md 5:0-5:12
            incoming:
            outgoing:
              2026-01-02-001-def Add the login page | pending · ready @ .chant/specs/2026-01-02-001-def.md 4:0-4:20
                from 2:13-2:31 "2026-01-02-001-def"
              2026-03-02-001-drv.1 First member | completed @ .chant/specs/2026-03-02-001-drv.1.md 3:0-3:14
                from 3:10-3:30 "2026-03-02-001-drv.1"
              2026-03-02-001-drv.2 Second member | pending · blocked: waiting for 2026-01-02-001-def (pending, a dependency of its driver 2026-03-02-001-drv) @ .chant/specs/2026-03-02-001-drv.2.md 2:0-2:15
                from 5:0-5:12 "# The driver"
        "##]],
    );
    check(
        r#"
        //- /.chant/specs/2026-03-02-001-drv.md
        ---
        type: driver
        depends_on: [2026-01-02-001-def]
        ---
        # The driver
        //- /.chant/specs/2026-03-02-001-drv.2.md
        ---
        ---
        # Second $0member
        "#,
        expect![[r##"
            item: 2026-03-02-001-drv.2 Second member | pending · blocked: waiting for 2026-03-02-001-drv.1 (missing, an earlier member), 2026-01-02-001-def (pending, a dependency of its driver 2026-03-02-001-drv) @ .chant/specs/2026-03-02-001-drv.2.md 2:0-2:15
            incoming:
              2026-03-02-001-drv The driver | pending · blocked: waiting for 2026-01-02-001-def (pending) @ .chant/specs/2026-03-02-001-drv.md 4:0-4:12
                from 4:0-4:12 "# The driver"
            outgoing:
        "##]],
    );
}

#[test]
fn an_open_buffer_is_what_the_hierarchy_reads() {
    let f = Fixture::new(GRAPH);
    let buffers = Buffers(vec![(
        f.abs(".chant/specs/2026-03-01-002-bbb.md"),
        "---\nstatus: completed\n---\n# Beta, edited\n".into(),
    )]);
    let beta = node(&f.index, &buffers, "2026-03-01-002-bbb");
    expect![[r#"
        2026-03-01-002-bbb Beta, edited | completed @ .chant/specs/2026-03-01-002-bbb.md 3:0-3:14
    "#]]
    .assert_eq(&format!("{}\n", show(&f, &beta)));
}

#[test]
fn outside_a_spec_there_is_no_item() {
    let f = Fixture::new("//- /docs/notes.md\nSome $0notes.\n");
    assert!(prepare(&f.index, &DiskOnly, &f.path, &f.model, f.offset()).is_none());
}
