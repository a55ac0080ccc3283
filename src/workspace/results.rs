//! The diagnostics of a project's specs that are not open in the editor,
//! kept between changes so an editor's problem list can show every spec of
//! the workspace while only the specs whose text or facts changed are
//! diagnosed again.
//!
//! A spec's diagnostics depend on its own text and on facts about the
//! rest of the project (`analysis::WorkspaceFacts`). [`Changes`] records
//! what a batch of file events (or an editor buffer) changed, and
//! [`affected`] finds the specs whose facts may depend on it:
//!
//! | change | specs diagnosed again |
//! | --- | --- |
//! | a spec's text | that spec |
//! | a spec's summary (status, title, dependencies...), or a spec or archived spec appearing or disappearing | the specs with that ID (duplicates), those whose `depends_on` or `members` name it, the members of a driver that names it, and the specs with an unknown dependency or member (a did-you-mean may change) |
//! | `.chant/config.md` | every spec (thresholds, `enterprise.required`) |
//! | a prompt | the specs with a `prompt:` |
//! | another file created or deleted | the specs whose `informed_by`, `context`, `origin`, `tracks` or `output_schema` name it (or its folder, or match it) |
//! | another file modified | the completed specs whose `tracks`, `origin` or `informed_by` name it (drift) |
//! | an `output_schema` file or `.chant/logs/<id>.log` created, deleted or modified | the spec with that schema or ID |
//!
//! Each result carries its positions (in the encoding the editor
//! negotiated) and a result ID that changes exactly when what the editor
//! shows would change.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

pub use super::changes::Changes;
use super::files::ProjectFiles;
use super::index::{ProjectIndex, SpecEntry};
use super::roots::{classify, ChantFile};
use super::spec_file::LoadedSpec;
use crate::analysis::{Code, Diagnostic, Filter, SpecContext};
use crate::spec::id::driver_of;
use crate::text::{LineCol, LineIndex, PositionEncoding};

/// One diagnostic with its positions resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub diagnostic: Diagnostic,
    pub start: LineCol,
    pub end: LineCol,
    /// The positions of the fix's edits, in the order of `diagnostic.fix`.
    pub fix_ranges: Vec<(LineCol, LineCol)>,
}

/// The diagnostics of one spec file, placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecResult {
    pub id: String,
    pub diagnostics: Vec<Placed>,
    /// Changes exactly when what an editor shows changes.
    pub result_id: u64,
}

/// The result ID of no diagnostics at all (what an editor shows for a file
/// it was never sent anything for).
pub fn empty_result_id() -> u64 {
    result_id(&[])
}

fn result_id(diagnostics: &[Placed]) -> u64 {
    let mut h = DefaultHasher::new();
    diagnostics.len().hash(&mut h);
    for p in diagnostics {
        let d = &p.diagnostic;
        (d.code, d.severity, &d.message, p.start, p.end).hash(&mut h);
        if let Some(fix) = &d.fix {
            fix.kind.title().hash(&mut h);
            for ((_, text), range) in fix.edits.iter().zip(&p.fix_ranges) {
                (text, range).hash(&mut h);
            }
        }
    }
    h.finish()
}

impl SpecResult {
    /// Place a spec's diagnostics in its text.
    pub fn new(
        id: &str,
        text: &str,
        diagnostics: Vec<Diagnostic>,
        encoding: PositionEncoding,
    ) -> SpecResult {
        let lines = LineIndex::new(text);
        let at = |offset: usize| lines.position(text, offset.min(text.len()), encoding);
        let placed: Vec<Placed> = diagnostics
            .into_iter()
            .map(|d| Placed {
                start: at(d.range.start),
                end: at(d.range.end),
                fix_ranges: d
                    .fix
                    .iter()
                    .flat_map(|f| &f.edits)
                    .map(|(r, _)| (at(r.start), at(r.end)))
                    .collect(),
                diagnostic: d,
            })
            .collect();
        SpecResult {
            id: id.to_string(),
            result_id: result_id(&placed),
            diagnostics: placed,
        }
    }
}

/// A normalised project-relative path (no `./`, no trailing `/`).
fn normal(path: &str) -> &str {
    let mut p = path;
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.trim_end_matches('/')
}

/// Whether a change of `file` (relative) may change what `reference` (a
/// path or a glob in a spec) resolves to: the same path, a folder holding
/// it, a file inside it, or a glob matching it.
#[cfg(test)]
fn relates(reference: &str, file: &str) -> bool {
    let files: BTreeSet<String> = [normal(file).to_string()].into();
    Files::new(&files).touched_by(reference)
}

/// Changed files (relative to the root), asked about many references: a
/// literal reference costs a few set lookups, a glob is compiled once.
struct Files<'a> {
    files: &'a BTreeSet<String>,
    globs: std::cell::RefCell<HashMap<String, Option<globset::GlobMatcher>>>,
}

impl<'a> Files<'a> {
    fn new(files: &'a BTreeSet<String>) -> Files<'a> {
        Files {
            files,
            globs: Default::default(),
        }
    }

    /// Whether a change of one of the files may change what `reference`
    /// resolves to (see `relates`).
    fn touched_by(&self, reference: &str) -> bool {
        let r = normal(reference);
        if r.is_empty() || self.files.is_empty() {
            return false;
        }
        if r.contains(['*', '?', '[']) {
            let mut globs = self.globs.borrow_mut();
            let matcher = globs.entry(r.to_string()).or_insert_with(|| {
                globset::GlobBuilder::new(r)
                    .literal_separator(true)
                    .build()
                    .ok()
                    .map(|g| g.compile_matcher())
            });
            let Some(m) = matcher else { return false };
            // The file, or any folder above it (a folder the glob lists
            // came or went with it).
            return self.files.iter().any(|f| {
                let f = normal(f);
                m.is_match(f) || f.match_indices('/').any(|(i, _)| m.is_match(&f[..i]))
            });
        }
        // The path itself, a file inside it, or a folder holding it.
        let inside = format!("{r}/");
        self.files.contains(r)
            || self
                .files
                .range(inside.clone()..)
                .next()
                .is_some_and(|f| f.starts_with(&inside))
            || r.match_indices('/')
                .any(|(i, _)| self.files.contains(&r[..i]))
    }
}

fn intersects(list: &[String], ids: &BTreeSet<String>) -> bool {
    list.iter().any(|x| ids.contains(x))
}

/// Whether one spec's diagnostics may change with `changes`.
fn is_affected(
    entry: &SpecEntry,
    index: &ProjectIndex,
    result: Option<&SpecResult>,
    changes: &Changes,
    existence: &Files,
    modified: &Files,
) -> bool {
    let s = &entry.summary;
    if changes.everything || changes.config || changes.spec_files.contains(&entry.path) {
        return true;
    }
    if !changes.ids.is_empty() {
        if changes.ids.contains(&entry.id)
            || intersects(&s.depends_on, &changes.ids)
            || intersects(&s.members, &changes.ids)
        {
            return true;
        }
        if let Some(driver) = driver_of(&entry.id) {
            if changes.ids.contains(driver)
                || index
                    .spec(driver)
                    .is_some_and(|d| intersects(&d.summary.depends_on, &changes.ids))
            {
                return true;
            }
        }
        if changes.spec_set
            && result.is_some_and(|r| {
                r.diagnostics.iter().any(|p| {
                    matches!(
                        p.diagnostic.code,
                        Code::UnknownDependency | Code::UnknownMember
                    )
                })
            })
        {
            return true;
        }
    }
    if changes.prompts && s.prompt.is_some() {
        return true;
    }
    if !changes.existence.is_empty() {
        let refs = s
            .informed_by
            .iter()
            .chain(&s.context)
            .chain(&s.origin)
            .chain(&s.tracks)
            .chain(&s.output_schema);
        for reference in refs {
            if existence.touched_by(reference) {
                return true;
            }
        }
    }
    if let Some(schema) = &s.output_schema {
        // A completed spec's agent log is checked against its schema.
        let log = format!(".chant/logs/{}.log", entry.id);
        if modified.touched_by(schema)
            || changes.existence.contains(&log)
            || changes.modified.contains(&log)
        {
            return true;
        }
    }
    if !changes.modified.is_empty() && s.completed_at.is_some() {
        let drift = s.tracks.iter().chain(&s.origin).chain(&s.informed_by);
        for reference in drift {
            if modified.touched_by(reference) {
                return true;
            }
        }
    }
    false
}

/// The spec files whose diagnostics may change with `changes`: every file
/// the index knows that [`is_affected`], and the spec files read again
/// that the index no longer has (deleted).
pub fn affected(
    index: &ProjectIndex,
    results: &HashMap<PathBuf, Arc<SpecResult>>,
    changes: &Changes,
) -> Vec<PathBuf> {
    let existence = Files::new(&changes.existence);
    let modified = Files::new(&changes.modified);
    let mut out: Vec<PathBuf> = index
        .specs()
        .chain(index.nested_specs())
        .filter(|e| {
            is_affected(
                e,
                index,
                results.get(&e.path).map(|r| &**r),
                changes,
                &existence,
                &modified,
            )
        })
        .map(|e| e.path.clone())
        .collect();
    out.extend(changes.spec_files.iter().cloned());
    out.sort();
    out.dedup();
    out
}

/// The results of one project's closed specs, and the specs to diagnose
/// again.
#[derive(Debug, Default)]
pub struct ProjectResults {
    results: HashMap<PathBuf, Arc<SpecResult>>,
    dirty: HashSet<PathBuf>,
}

/// One result that changed: the new one, or None when the spec is gone
/// (or is not diagnosed any more).
pub type ResultChange = (PathBuf, Option<Arc<SpecResult>>);

impl ProjectResults {
    /// Mark every spec file the index knows as to be diagnosed.
    pub fn mark_all(&mut self, index: &ProjectIndex) {
        self.dirty.extend(
            index
                .specs()
                .chain(index.nested_specs())
                .map(|e| e.path.clone()),
        );
        self.dirty.extend(self.results.keys().cloned());
    }

    /// Mark the specs `changes` may affect; returns them.
    pub fn invalidate(&mut self, index: &ProjectIndex, changes: &Changes) -> Vec<PathBuf> {
        let found = affected(index, &self.results, changes);
        self.dirty.extend(found.iter().cloned());
        found
    }

    pub fn mark(&mut self, path: &Path) {
        self.dirty.insert(path.to_path_buf());
    }

    pub fn has_work(&self, skip: &dyn Fn(&Path) -> bool) -> bool {
        self.dirty.iter().any(|p| !skip(p))
    }

    /// Up to `limit` specs to diagnose (never one `skip` names: those stay
    /// marked), taken off the list.
    pub fn take_dirty(&mut self, limit: usize, skip: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
        let mut taken: Vec<PathBuf> = self.dirty.iter().filter(|p| !skip(p)).cloned().collect();
        taken.sort();
        taken.truncate(limit);
        for p in &taken {
            self.dirty.remove(p);
        }
        taken
    }

    /// Store new results; returns those that differ from the old ones.
    pub fn store(&mut self, computed: Vec<ResultChange>) -> Vec<ResultChange> {
        let mut changed = Vec::new();
        for (path, result) in computed {
            match result {
                Some(result) => {
                    let same = self.results.get(&path).is_some_and(|old| {
                        old.result_id == result.result_id && old.id == result.id
                    });
                    if !same {
                        self.results.insert(path.clone(), result.clone());
                        changed.push((path, Some(result)));
                    }
                }
                None => {
                    if self.results.remove(&path).is_some() {
                        changed.push((path, None));
                    }
                }
            }
        }
        changed
    }

    /// Forget every result (closed-spec diagnostics switched off); returns
    /// the paths that had one.
    pub fn clear(&mut self) -> Vec<PathBuf> {
        self.dirty.clear();
        self.results.drain().map(|(p, _)| p).collect()
    }

    pub fn get(&self, path: &Path) -> Option<Arc<SpecResult>> {
        self.results.get(path).cloned()
    }

    pub fn is_dirty(&self, path: &Path) -> bool {
        self.dirty.contains(path)
    }

    pub fn all(&self) -> Vec<(PathBuf, Arc<SpecResult>)> {
        let mut all: Vec<_> = self
            .results
            .iter()
            .map(|(p, r)| (p.clone(), r.clone()))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    pub fn len(&self) -> usize {
        self.results.len()
    }

    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }
}

/// Diagnose spec files of a project (in parallel): each with its text from
/// `preloaded` when given, else read the guarded way. A path the index no
/// longer knows as a spec gives None.
pub fn diagnose_files(
    index: &ProjectIndex,
    paths: &[PathBuf],
    preloaded: &HashMap<PathBuf, LoadedSpec>,
    filter: &Filter,
    encoding: PositionEncoding,
) -> Vec<ResultChange> {
    diagnose_files_by(
        index.project_files(),
        &|id, path| index.files_of(id).contains(&path),
        &|loaded, spec| loaded.diagnose(spec, index, filter),
        paths,
        preloaded,
        encoding,
    )
}

/// [`diagnose_files`], asking `claims` whether the index knows a file as
/// the spec `id` and `diagnose` for the diagnostics (so a caller can take
/// and leave its index's lock per spec).
pub fn diagnose_files_by(
    files: &ProjectFiles,
    claims: &(dyn Fn(&str, &Path) -> bool + Sync),
    diagnose: &(dyn Fn(&LoadedSpec, SpecContext) -> Vec<Diagnostic> + Sync),
    paths: &[PathBuf],
    preloaded: &HashMap<PathBuf, LoadedSpec>,
    encoding: PositionEncoding,
) -> Vec<ResultChange> {
    paths
        .par_iter()
        .map(|path| {
            let ChantFile::Spec { id, .. } = classify(path) else {
                return (path.clone(), None);
            };
            if !claims(&id, path) {
                return (path.clone(), None);
            }
            let loaded;
            let spec = match preloaded.get(path) {
                Some(spec) => spec,
                None => {
                    loaded = LoadedSpec::load(files, path);
                    &loaded
                }
            };
            let diagnostics = diagnose(
                spec,
                SpecContext {
                    id: &id,
                    path: Some(path),
                },
            );
            let result = SpecResult::new(&id, spec.text(), diagnostics, encoding);
            (path.clone(), Some(Arc::new(result)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_relate_to_files_they_may_resolve_to() {
        assert!(relates("docs/a.md", "docs/a.md"));
        assert!(relates("./docs/a.md", "docs/a.md"));
        assert!(relates("docs", "docs/a.md"), "a folder that came with it");
        assert!(relates("docs/", "docs/x/a.md"));
        assert!(relates("docs/x/a.md", "docs"), "a folder deleted");
        assert!(relates("src/**/*.rs", "src/x/y.rs"));
        assert!(relates("src/*/", "src/x/y.rs"), "a folder the glob lists");
        assert!(!relates("src/*.rs", "src/x/y.rs"));
        assert!(!relates("docs/a.md", "docs/ab.md"));
        assert!(!relates("", "x"));
    }
}
