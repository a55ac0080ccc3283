//! The whole project, in process: the diagnostics of every spec of a
//! 10,000-spec project (what the server keeps for closed specs), finding
//! the specs a burst of 500 changes affects, the call hierarchy on a
//! 10,000-spec dependency graph, and drift on 1,000 completed specs.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use criterion::{criterion_group, criterion_main, Criterion};

use chant_lsp::analysis::Filter;
use chant_lsp::ide::{hierarchy, DiskOnly};
use chant_lsp::text::PositionEncoding;
use chant_lsp::workspace::results::{affected, diagnose_files};
use chant_lsp::workspace::{Changes, IndexUpdate, ProjectIndex};

fn spec_paths(index: &ProjectIndex) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = index
        .specs()
        .chain(index.nested_specs())
        .map(|e| e.path.clone())
        .collect();
    paths.sort();
    paths
}

fn workspace(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    common::generate_workspace(dir.path(), 10_000);
    let index = ProjectIndex::load(dir.path());
    let paths = spec_paths(&index);
    assert_eq!(paths.len(), 10_000);
    let mut group = c.benchmark_group("project");
    group.sample_size(10);
    group.bench_function("workspace_diagnostics_10000_specs", |b| {
        b.iter(|| {
            diagnose_files(
                &index,
                &paths,
                &HashMap::new(),
                &Filter::default(),
                PositionEncoding::Utf16,
            )
        })
    });
    // A checkout changed 500 specs: which of the 10,000 to diagnose again.
    let mut changes = Changes::default();
    for entry in index.specs().take(500) {
        changes.spec_files.insert(entry.path.clone());
        changes.ids.insert(entry.id.clone());
    }
    let results = HashMap::new();
    group.bench_function("affected_by_500_changed_specs_of_10000", |b| {
        b.iter(|| affected(&index, &results, &changes))
    });
    group.finish();
}

fn graph_id(i: usize) -> String {
    format!("2027-02-{:02}-{:03}-grf", 1 + i / 1000 % 28, i % 1000)
}

/// 10,000 specs: each depends on the one before and on one of the 100
/// before it; every tenth also on the hub (spec 0), which depends on the
/// last spec, so the whole graph is one cycle.
fn write_graph(dir: &Path) {
    std::fs::create_dir_all(dir.join(".chant/specs")).unwrap();
    std::fs::write(
        dir.join(".chant/config.md"),
        "---\nproject:\n  name: graph\n---\n",
    )
    .unwrap();
    for i in 0..10_000 {
        let mut deps = Vec::new();
        if i == 0 {
            deps.push(graph_id(9_999));
        } else {
            deps.push(graph_id(i - 1));
            deps.push(graph_id(i.saturating_sub(1 + (i * 7919) % 100)));
            if i % 10 == 0 {
                deps.push(graph_id(0));
            }
        }
        deps.dedup();
        let status = if i % 3 == 0 { "completed" } else { "pending" };
        std::fs::write(
            dir.join(format!(".chant/specs/{}.md", graph_id(i))),
            format!(
                "---\nstatus: {status}\ndepends_on:\n{}---\n# Graph spec {i}\n\n## Acceptance Criteria\n\n- [ ] done\n",
                deps.iter().map(|d| format!("  - {d}\n")).collect::<String>()
            ),
        )
        .unwrap();
    }
}

fn call_hierarchy(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    write_graph(dir.path());
    let index = ProjectIndex::load(dir.path());
    let hub = graph_id(0);
    let typical = graph_id(5_555);
    let mut group = c.benchmark_group("project");
    group.sample_size(10);
    group.bench_function("call_hierarchy_prepare_10000_specs", |b| {
        b.iter(|| hierarchy::node(&index, &DiskOnly, &typical))
    });
    group.bench_function("call_hierarchy_outgoing_10000_specs", |b| {
        b.iter(|| hierarchy::outgoing(&index, &DiskOnly, &typical))
    });
    group.bench_function("call_hierarchy_incoming_10000_specs", |b| {
        b.iter(|| hierarchy::incoming(&index, &DiskOnly, &typical))
    });
    group.bench_function("call_hierarchy_incoming_hub_1000_dependents", |b| {
        b.iter(|| hierarchy::incoming(&index, &DiskOnly, &hub))
    });
    group.finish();
}

fn set_mtime(path: &Path, seconds: u64) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds))
        .unwrap();
}

/// 1,000 completed specs, each tracking a glob of 20 source files and a
/// page of its own, informed by one of 100 research notes; half the files
/// changed after completion.
fn write_drift_project(dir: &Path) {
    std::fs::create_dir_all(dir.join(".chant/specs")).unwrap();
    std::fs::write(
        dir.join(".chant/config.md"),
        "---\nproject:\n  name: drift\n---\n",
    )
    .unwrap();
    let completed = 1_768_435_200; // 2026-01-15T00:00:00Z
    let mut n = 0u64;
    let mut write = |rel: String| {
        let path = dir.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "x\n").unwrap();
        n += 1;
        let offset = if n % 2 == 0 { 86_400 } else { 0 };
        set_mtime(&path, completed - 86_400 + 2 * offset);
    };
    for m in 0..50 {
        for f in 0..20 {
            write(format!("src/mod_{m}/file_{f}.rs"));
        }
    }
    for i in 0..1_000 {
        write(format!("docs/page_{i}.md"));
    }
    for r in 0..100 {
        write(format!("docs/research/r_{r}.md"));
    }
    for i in 0..1_000 {
        std::fs::write(
            dir.join(format!(".chant/specs/2027-03-{:02}-{:03}-dft.md", 1 + i / 1000, i % 1000)),
            format!(
                "---\ntype: documentation\nstatus: completed\ncompleted_at: 2026-01-15T00:00:00Z\ntracks:\n  - src/mod_{}/*.rs\n  - docs/page_{i}.md\ntarget_files: [docs/page_{i}.md]\ninformed_by:\n  - docs/research/r_{}.md\n---\n# Document module {i}\n\n## Acceptance Criteria\n\n- [x] done\n",
                i % 50,
                i % 100
            ),
        )
        .unwrap();
    }
}

fn drift(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    write_drift_project(dir.path());
    let mut index = ProjectIndex::load(dir.path());
    let paths = spec_paths(&index);
    assert_eq!(paths.len(), 1_000);
    let mut group = c.benchmark_group("project");
    group.sample_size(10);
    // Every file's time read again (as after a change on disk).
    group.bench_function("drift_1000_completed_specs", |b| {
        b.iter(|| {
            index.apply(IndexUpdate::Modified);
            diagnose_files(
                &index,
                &paths,
                &HashMap::new(),
                &Filter::default(),
                PositionEncoding::Utf16,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, workspace, call_hierarchy, drift);
criterion_main!(benches);
