//! The dependency graph as a call hierarchy: a spec's incoming calls are
//! the specs that depend on it (and, for a member, its driver); its
//! outgoing calls are its `depends_on` (and, for a driver, its members).
//! Each spec shows its status and whether it is ready. A spec on a cycle
//! says so; the graph is walked with a visited set, never followed round a
//! cycle. Protocol-free: paths, texts and byte ranges out;
//! `server::handlers::hierarchy` translates.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use super::navigation::{reference_at, references_in};
use super::{read_source, Sources};
use crate::analysis::readiness::{self, Readiness};
use crate::spec::fields::Refers;
use crate::spec::frontmatter::SpecType;
use crate::spec::id::driver_of;
use crate::spec::SpecModel;
use crate::text::TextRange;
use crate::workspace::{classify, ChantFile, ProjectIndex};

/// What an ID in the graph resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// A spec file (top level, or in a subfolder of `.chant/specs`).
    Spec {
        status: String,
        readiness: Readiness,
    },
    /// An archived spec (chant does not resolve it).
    Archived,
    /// No spec with this ID.
    Missing,
}

/// One spec of the hierarchy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    pub title: Option<String>,
    /// Its file (None for a missing ID).
    pub path: Option<PathBuf>,
    /// Its file's text (empty when there is no file or it cannot be read).
    pub text: String,
    /// The title in `text`, when there is one.
    pub title_range: Option<TextRange>,
    pub kind: NodeKind,
    /// The spec is on a dependency cycle with the spec asked about.
    pub cycle: bool,
}

impl Node {
    /// What the hierarchy shows beside the name: status and readiness,
    /// "in_progress", "pending · blocked: waiting for X (in_progress)".
    pub fn detail(&self) -> String {
        let mut detail = match &self.kind {
            NodeKind::Spec { status, readiness } => match readiness {
                Readiness::Completed | Readiness::Cancelled | Readiness::InProgress => {
                    status.clone()
                }
                Readiness::Ready => format!("{status} · ready"),
                Readiness::Unreadable => format!("unreadable · {}", readiness.reason()),
                other => format!("{status} · {}: {}", other.label(), other.reason()),
            },
            NodeKind::Archived => "archived · chant does not resolve archived specs".into(),
            NodeKind::Missing => "unknown · no spec with this ID".into(),
        };
        if self.cycle {
            detail.push_str(" · on a dependency cycle");
        }
        detail
    }

    /// The name the hierarchy shows: the ID and the title.
    pub fn name(&self) -> String {
        match &self.title {
            Some(title) => format!("{} {title}", self.id),
            None => self.id.clone(),
        }
    }
}

/// One edge: the spec at the other end and where the edge is written in
/// the caller's text (the dependent's for incoming calls, the spec's own
/// for outgoing calls).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub node: Node,
    pub from_ranges: Vec<TextRange>,
}

/// The spec the hierarchy starts from at `offset` in a spec's text: the
/// spec whose ID is under the cursor (in `depends_on`, `members` or the
/// body), else the spec itself.
pub fn prepare(
    index: &ProjectIndex,
    sources: &dyn Sources,
    path: &Path,
    model: &SpecModel,
    offset: usize,
) -> Option<Node> {
    let id = match reference_at(model, offset) {
        Some(r) if r.refers == Refers::SpecIds && !r.value.is_empty() => r.value,
        _ => match classify(path) {
            ChantFile::Spec { id, .. } => id,
            _ => return None,
        },
    };
    Some(node(index, sources, &id))
}

/// A spec of the graph by ID, read (open buffer first) and assessed.
pub fn node(index: &ProjectIndex, sources: &dyn Sources, id: &str) -> Node {
    let missing = || Node {
        id: id.to_string(),
        title: None,
        path: None,
        text: String::new(),
        title_range: None,
        kind: NodeKind::Missing,
        cycle: false,
    };
    let Some(entry) = index.spec(id) else {
        return match index.archived(id) {
            Some(path) => {
                let text = read_source(index.project_files(), sources, path).unwrap_or_default();
                let model = SpecModel::parse(&text);
                Node {
                    id: id.to_string(),
                    title: model.body.title.as_ref().map(|t| t.text.clone()),
                    title_range: model.body.title.as_ref().map(|t| t.range.clone()),
                    path: Some(path.to_path_buf()),
                    text,
                    kind: NodeKind::Archived,
                    cycle: false,
                }
            }
            None => missing(),
        };
    };
    let text = read_source(index.project_files(), sources, &entry.path).unwrap_or_default();
    let model = SpecModel::parse(&text);
    let readiness = readiness::assess(&text, &model, id, index);
    Node {
        id: id.to_string(),
        title: model.body.title.as_ref().map(|t| t.text.clone()),
        title_range: model.body.title.as_ref().map(|t| t.range.clone()),
        path: Some(entry.path.clone()),
        kind: NodeKind::Spec {
            status: model.values().status.as_str().to_string(),
            readiness,
        },
        text,
        cycle: false,
    }
}

/// The ranges of a field's items naming `id` in a spec's text.
fn ranges_naming(model: &SpecModel, field: &str, id: &str) -> Vec<TextRange> {
    references_in(model)
        .into_iter()
        .filter(|r| r.field == Some(field) && r.value == id)
        .map(|r| r.range)
        .collect()
}

/// The members of a driver: its `members` list, then the specs whose ID
/// makes them its members (`<driver>.N`), each once.
fn members_of(index: &ProjectIndex, id: &str, listed: &[String]) -> Vec<String> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut out: Vec<String> = Vec::new();
    for m in listed {
        if seen.insert(m.clone()) {
            out.push(m.clone());
        }
    }
    let mut implicit: Vec<String> = index
        .specs()
        .chain(index.nested_specs())
        .filter(|e| driver_of(&e.id) == Some(id))
        .map(|e| e.id.clone())
        .collect();
    implicit.sort();
    for m in implicit {
        if seen.insert(m.clone()) {
            out.push(m);
        }
    }
    out
}

/// The graph's edges from a spec (by its summary): its dependencies, and
/// for a driver its members.
fn edges(index: &ProjectIndex, id: &str, implicit: &HashMap<String, Vec<String>>) -> Vec<String> {
    let Some(entry) = index.spec(id) else {
        return Vec::new();
    };
    let mut out = entry.summary.depends_on.clone();
    out.extend(entry.summary.members.iter().cloned());
    if let Some(members) = implicit.get(id) {
        out.extend(members.iter().cloned());
    }
    out
}

/// Drivers' implicit members (`<driver>.N`), from one pass over the index.
fn implicit_members(index: &ProjectIndex) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for e in index.specs().chain(index.nested_specs()) {
        if let Some(driver) = driver_of(&e.id) {
            out.entry(driver.to_string())
                .or_default()
                .push(e.id.clone());
        }
    }
    out
}

/// Every spec reachable from `start` along the edges (`start` itself only
/// when a cycle leads back to it). Each spec is visited once.
fn reachable(start: &str, next: &dyn Fn(&str) -> Vec<String>) -> HashSet<String> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut queue: VecDeque<String> = next(start).into();
    while let Some(id) = queue.pop_front() {
        if !seen.insert(id.clone()) {
            continue;
        }
        queue.extend(next(&id).into_iter().filter(|n| !seen.contains(n)));
    }
    seen
}

/// The specs that depend on `id`, and its driver (for a member): each with
/// the places in its text that name `id`. Sorted by ID.
pub fn incoming(index: &ProjectIndex, sources: &dyn Sources, id: &str) -> Vec<Call> {
    let mut callers: BTreeSet<String> = index
        .specs()
        .chain(index.nested_specs())
        .filter(|e| {
            e.summary.depends_on.iter().any(|d| d == id)
                || e.summary.members.iter().any(|m| m == id)
        })
        .map(|e| e.id.clone())
        .collect();
    let driver = driver_of(id).filter(|d| index.spec(d).is_some());
    if let Some(d) = driver {
        callers.insert(d.to_string());
    }
    if callers.is_empty() {
        return Vec::new();
    }
    let implicit = implicit_members(index);
    // A caller is on a cycle with `id` when `id` leads to it.
    let downstream = reachable(id, &|n| edges(index, n, &implicit));
    callers
        .into_iter()
        .map(|caller| {
            let mut node = node(index, sources, &caller);
            let model = SpecModel::parse(&node.text);
            let mut from_ranges = ranges_naming(&model, "depends_on", id);
            from_ranges.extend(ranges_naming(&model, "members", id));
            if from_ranges.is_empty() {
                // A driver of an implicit member: its title.
                from_ranges.extend(node.title_range.clone());
            }
            from_ranges.sort_by_key(|r| r.start);
            node.cycle = downstream.contains(&caller);
            Call { node, from_ranges }
        })
        .collect()
}

/// The specs `id` depends on, then (for a driver) its members: each with
/// the places in `id`'s own text (returned too) that name it.
pub fn outgoing(index: &ProjectIndex, sources: &dyn Sources, id: &str) -> (String, Vec<Call>) {
    let Some(entry) = index.spec(id) else {
        return (String::new(), Vec::new());
    };
    let text = read_source(index.project_files(), sources, &entry.path).unwrap_or_default();
    let model = SpecModel::parse(&text);
    let v = model.values();
    // Each target once, in the order written (a set, so 32,000
    // `depends_on` items cost what they are, not their square).
    let mut seen: HashSet<String> = HashSet::new();
    let mut targets: Vec<(String, &str)> = Vec::new();
    for dep in v.depends_on.iter().flatten() {
        if seen.insert(dep.clone()) {
            targets.push((dep.clone(), "depends_on"));
        }
    }
    let is_driver = matches!(v.r#type, SpecType::Driver | SpecType::Group) || v.members.is_some();
    let implicit = implicit_members(index);
    if is_driver || implicit.contains_key(id) {
        for m in members_of(index, id, v.members.as_deref().unwrap_or_default()) {
            if seen.insert(m.clone()) {
                targets.push((m, "members"));
            }
        }
    }
    if targets.is_empty() {
        return (text, Vec::new());
    }
    // A target is on a cycle with `id` when it leads back to `id`.
    let mut reverse: HashMap<String, Vec<String>> = HashMap::new();
    for e in index.specs().chain(index.nested_specs()) {
        for to in edges(index, &e.id, &implicit) {
            reverse.entry(to).or_default().push(e.id.clone());
        }
    }
    let upstream = reachable(id, &|n| reverse.get(n).cloned().unwrap_or_default());
    let title = model.body.title.as_ref().map(|t| t.range.clone());
    // Where the text names each target, from one pass over its references.
    let mut naming: HashMap<(&str, String), Vec<TextRange>> = HashMap::new();
    for r in references_in(&model) {
        if let Some(field @ ("depends_on" | "members")) = r.field {
            naming.entry((field, r.value)).or_default().push(r.range);
        }
    }
    let calls = targets
        .into_iter()
        .map(|(target, field)| {
            let mut from_ranges = naming.remove(&(field, target.clone())).unwrap_or_default();
            if from_ranges.is_empty() {
                from_ranges.extend(title.clone());
            }
            let mut node = node(index, sources, &target);
            node.cycle = upstream.contains(&target);
            Call { node, from_ranges }
        })
        .collect();
    (text, calls)
}
