//! The index of one chant project: its specs (top level, nested, archived),
//! prompts and config, with what other specs need to know about each spec.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use super::changes::Changes;
use super::expansions::Expansions;
use super::files::{FileTree, ProjectFiles};
use super::roots::{classify, ChantFile};
use super::spec_file::LoadedSpec;
pub use super::summary::SpecSummary;
use super::walk::{walk_md, Links, Walk};
use crate::analysis::{EarlierMembers, Expansion, PathState, SpecLookup, WorkspaceFacts};
use crate::spec::config::ChantConfig;
use crate::vfs::Limit;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecEntry {
    pub id: String,
    pub path: PathBuf,
    pub top_level: bool,
    pub summary: SpecSummary,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptEntry {
    pub name: String,
    pub path: PathBuf,
    pub purpose: Option<String>,
    pub extension: bool,
}

#[derive(Debug)]
pub struct ProjectIndex {
    pub root: PathBuf,
    pub config: ChantConfig,
    /// Reads of the project's files (guarded, never outside the root).
    files: ProjectFiles,
    /// Specs directly in `.chant/specs`.
    specs: HashMap<String, SpecEntry>,
    /// Specs in subfolders of `.chant/specs`.
    /// Specs in subfolders, by ID: several files may claim one ID there.
    nested: HashMap<String, Vec<SpecEntry>>,
    archived: HashMap<String, PathBuf>,
    prompts: BTreeMap<String, PromptEntry>,
    /// Spec IDs by date and by random suffix, for typo suggestions.
    id_groups: OnceLock<IdGroups>,
    /// Project files, listed on first use and dropped when files change.
    file_tree: OnceLock<Arc<FileTree>>,
    /// Derived from the specs, built on first use and dropped whenever a
    /// spec changes: members by driver, and the prompts specs name.
    derived: OnceLock<Derived>,
    /// Dependents and numbered members, built when the commands of a spec
    /// are asked for (not by diagnostics) and dropped with `derived`.
    relations: OnceLock<Relations>,
    /// What each `tracks`/`origin`/`informed_by` pattern expands to (with
    /// modification times), until any file changes; shared with the
    /// project, which expands a spec's patterns before taking the lock.
    expansions: Arc<Expansions>,
    /// What the walks of `.chant/` left out (a cap reached), in sentences.
    notes: Vec<String>,
}

/// What one changed file means for the index, read from disk without any
/// lock held; [`ProjectIndex::apply`] then takes it in (under the lock).
#[derive(Debug)]
pub enum IndexUpdate {
    Spec {
        id: String,
        path: PathBuf,
        top_level: bool,
        /// None: the file is gone.
        summary: Option<SpecSummary>,
    },
    Archived {
        id: String,
        path: PathBuf,
        present: bool,
    },
    Prompt {
        name: String,
        /// None: the file is gone.
        entry: Option<PromptEntry>,
    },
    Config(ChantConfig),
    /// Any other file created or deleted: only the file list changes.
    Other,
    /// Any other file whose content changed (its modification time, for
    /// drift): the file list stays.
    Modified,
}

impl ProjectIndex {
    fn empty(files: ProjectFiles, config: ChantConfig) -> ProjectIndex {
        let expansions = Arc::new(Expansions::new(files.clone()));
        ProjectIndex {
            root: files.root().to_path_buf(),
            config,
            files,
            specs: HashMap::new(),
            nested: HashMap::new(),
            archived: HashMap::new(),
            prompts: BTreeMap::new(),
            id_groups: OnceLock::new(),
            derived: OnceLock::new(),
            relations: OnceLock::new(),
            file_tree: OnceLock::new(),
            expansions,
            notes: Vec::new(),
        }
    }

    /// Index a project from disk. Spec files are parsed in parallel.
    pub fn load(root: &Path) -> ProjectIndex {
        ProjectIndex::load_from(ProjectFiles::on_disk(root))
    }

    /// Index a project read through `files` (the disk, or memory in tests).
    pub fn load_from(files: ProjectFiles) -> ProjectIndex {
        let walk = spec_paths(&files);
        let notes = walk.notes(&files, &files.root().join(".chant/specs"));
        let entries: Vec<SpecEntry> = walk
            .paths
            .par_iter()
            .filter_map(|path| {
                let ChantFile::Spec { id, top_level, .. } = classify(path) else {
                    return None;
                };
                Some(SpecEntry {
                    id,
                    path: path.clone(),
                    top_level,
                    summary: LoadedSpec::load(&files, path).summary(),
                })
            })
            .collect();
        let config = super::config::load(files.fs().as_ref(), files.root());
        let mut index = ProjectIndex::from_entries(files, config, entries);
        index.notes.splice(0..0, notes);
        index
    }

    /// An index built from summaries already computed (by `check`).
    pub fn from_entries(
        files: ProjectFiles,
        config: ChantConfig,
        entries: impl IntoIterator<Item = SpecEntry>,
    ) -> ProjectIndex {
        let mut index = ProjectIndex::empty(files, config);
        for entry in entries {
            index.insert(entry);
        }
        index.load_archive();
        index.load_prompts();
        index
    }

    /// What the walks of `.chant/` left out, when a cap stopped one.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Say that a walk made for this index (the spec walk, by `check`)
    /// left something out.
    pub fn add_note(&mut self, note: String) {
        self.notes.push(note);
    }

    /// The pattern expansions of the project (see `workspace::expansions`).
    pub fn expansions(&self) -> &Arc<Expansions> {
        &self.expansions
    }

    /// The project's files, read the guarded way.
    pub fn project_files(&self) -> &ProjectFiles {
        &self.files
    }

    fn insert(&mut self, entry: SpecEntry) {
        self.id_groups.take();
        self.derived.take();
        self.relations.take();
        if entry.top_level {
            self.specs.insert(entry.id.clone(), entry);
        } else {
            self.nested.entry(entry.id.clone()).or_default().push(entry);
        }
    }

    fn load_archive(&mut self) {
        let archive = self.root.join(".chant/archive");
        let walk = walk_md(&self.files, &archive, 3, Links::Follow);
        self.notes.extend(walk.notes(&self.files, &archive));
        for entry in walk.paths {
            if let ChantFile::Archived { id, .. } = classify(&entry) {
                self.archived.insert(id, entry);
            }
        }
    }

    fn load_prompts(&mut self) {
        let dir = self.root.join(".chant/prompts");
        let walk = walk_md(&self.files, &dir, 2, Links::Follow);
        self.notes.extend(walk.notes(&self.files, &dir));
        for path in walk.paths {
            if let IndexUpdate::Prompt {
                name,
                entry: Some(entry),
            } = read_prompt(&self.files, &path)
            {
                self.prompts.insert(name, entry);
            }
        }
    }

    pub fn specs(&self) -> impl Iterator<Item = &SpecEntry> {
        self.specs.values()
    }

    pub fn nested_specs(&self) -> impl Iterator<Item = &SpecEntry> {
        self.nested.values().flatten()
    }

    /// Every spec file that claims this ID (top level first).
    pub fn files_of(&self, id: &str) -> Vec<&Path> {
        self.specs
            .get(id)
            .into_iter()
            .chain(self.nested.get(id).into_iter().flatten())
            .map(|e| e.path.as_path())
            .collect()
    }

    /// A spec by ID, top-level first.
    pub fn spec(&self, id: &str) -> Option<&SpecEntry> {
        self.specs
            .get(id)
            .or_else(|| self.nested.get(id).and_then(|list| list.first()))
    }

    pub fn archived(&self, id: &str) -> Option<&Path> {
        self.archived.get(id).map(PathBuf::as_path)
    }

    pub fn prompts(&self) -> impl Iterator<Item = &PromptEntry> {
        self.prompts.values()
    }

    pub fn prompt(&self, name: &str) -> Option<&PromptEntry> {
        self.prompts.get(name).filter(|p| !p.extension)
    }

    pub fn spec_count(&self) -> usize {
        self.specs.len() + self.nested.values().map(Vec::len).sum::<usize>()
    }

    /// Record what a spec now says (from an editor buffer or from disk).
    /// Returns true when anything other specs can see changed.
    pub fn set_spec(&mut self, entry: SpecEntry) -> bool {
        self.set_spec_noting(entry, &mut Changes::default())
    }

    /// [`Self::set_spec`], noting what changed.
    pub fn set_spec_noting(&mut self, entry: SpecEntry, changes: &mut Changes) -> bool {
        let id = entry.id.clone();
        let old = if entry.top_level {
            self.specs.get(&entry.id)
        } else {
            self.nested
                .get(&entry.id)
                .and_then(|list| list.iter().find(|e| e.path == entry.path))
        };
        match old {
            Some(old) if *old == entry => return false,
            Some(old) => {
                changes.listing |= old.summary.listing_differs(&entry.summary);
            }
            None => {
                changes.listing = true;
                changes.spec_set = true;
            }
        }
        changes.ids.insert(id);
        self.derived.take();
        self.relations.take();
        if !entry.top_level {
            let list = self.nested.entry(entry.id.clone()).or_default();
            match list.iter_mut().find(|e| e.path == entry.path) {
                Some(old) => *old = entry,
                None => list.push(entry),
            }
            return true;
        }
        if self.specs.insert(entry.id.clone(), entry).is_none() {
            self.id_groups.take();
        }
        true
    }

    fn remove_spec(&mut self, id: &str, path: &Path, top_level: bool) -> bool {
        self.derived.take();
        self.relations.take();
        if top_level {
            self.id_groups.take();
            return self.specs.remove(id).is_some();
        }
        let Some(list) = self.nested.get_mut(id) else {
            return false;
        };
        let before = list.len();
        list.retain(|e| e.path != path);
        let removed = list.len() != before;
        if list.is_empty() {
            self.nested.remove(id);
        }
        removed
    }

    /// Read what a changed file now means for the index. Reads the disk,
    /// so call it without holding the index's lock; then [`Self::apply`].
    pub fn read_update(files: &ProjectFiles, path: &Path) -> IndexUpdate {
        Self::read_update_keeping(files, path).0
    }

    /// [`Self::read_update`], and the spec read, when the file is a spec.
    pub fn read_update_keeping(
        files: &ProjectFiles,
        path: &Path,
    ) -> (IndexUpdate, Option<LoadedSpec>) {
        if let ChantFile::Spec { id, top_level, .. } = classify(path) {
            let loaded = files
                .fs()
                .exists(path)
                .then(|| LoadedSpec::load(files, path));
            let update = IndexUpdate::Spec {
                id,
                path: path.to_path_buf(),
                top_level,
                summary: loaded.as_ref().map(LoadedSpec::summary),
            };
            return (update, loaded);
        }
        let update = match classify(path) {
            ChantFile::Archived { id, .. } => IndexUpdate::Archived {
                id,
                path: path.to_path_buf(),
                present: files.fs().exists(path),
            },
            ChantFile::Prompt { .. } => read_prompt(files, path),
            ChantFile::Config { .. } => {
                IndexUpdate::Config(super::config::load(files.fs().as_ref(), files.root()))
            }
            ChantFile::Other | ChantFile::Spec { .. } => IndexUpdate::Other,
        };
        (update, None)
    }

    /// Take in what a changed file now means. Returns true when anything
    /// other specs can see changed.
    pub fn apply(&mut self, update: IndexUpdate) -> bool {
        self.apply_noting(update, &mut Changes::default())
    }

    /// [`Self::apply`], noting what changed.
    pub fn apply_noting(&mut self, update: IndexUpdate, changes: &mut Changes) -> bool {
        self.expansions.invalidate();
        if !matches!(update, IndexUpdate::Modified) {
            self.file_tree.take();
        }
        match update {
            IndexUpdate::Spec {
                id,
                path,
                top_level,
                summary: Some(summary),
            } => {
                changes.spec_files.insert(path.clone());
                self.set_spec_noting(
                    SpecEntry {
                        id,
                        path,
                        top_level,
                        summary,
                    },
                    changes,
                )
            }
            IndexUpdate::Spec {
                id,
                path,
                top_level,
                summary: None,
            } => {
                changes.spec_files.insert(path.clone());
                let removed = self.remove_spec(&id, &path, top_level);
                if removed {
                    changes.ids.insert(id);
                    changes.spec_set = true;
                    changes.listing = true;
                }
                removed
            }
            IndexUpdate::Archived { id, path, present } => {
                let changed = if present {
                    self.archived.insert(id.clone(), path.clone()) != Some(path)
                } else {
                    self.archived.remove(&id).is_some()
                };
                if changed {
                    changes.ids.insert(id);
                }
                changed
            }
            IndexUpdate::Prompt {
                name,
                entry: Some(entry),
            } => {
                let changed = self.prompts.insert(name, entry.clone()) != Some(entry);
                changes.prompts |= changed;
                changes.listing |= changed;
                changed
            }
            IndexUpdate::Prompt { name, entry: None } => {
                let changed = self.prompts.remove(&name).is_some();
                changes.prompts |= changed;
                changes.listing |= changed;
                changed
            }
            IndexUpdate::Config(config) => {
                let changed = config != self.config;
                self.config = config;
                changes.config |= changed;
                changes.listing |= changed;
                changed
            }
            IndexUpdate::Other | IndexUpdate::Modified => false,
        }
    }

    fn derived(&self) -> &Derived {
        self.derived.get_or_init(|| Derived::of(self))
    }

    fn relations(&self) -> &Relations {
        self.relations.get_or_init(|| Relations::of(self))
    }

    /// Whether some spec names this prompt in `prompt:`.
    pub fn prompt_used(&self, name: &str) -> bool {
        self.derived().prompts_used.contains(name)
    }

    /// The chant files the index holds under `folder` (specs, archived
    /// specs, prompts, the config): what a folder's deletion takes away.
    pub fn known_under(&self, folder: &Path) -> Vec<PathBuf> {
        let under = |p: &Path| p.starts_with(folder) && p != folder;
        let mut out: Vec<PathBuf> = self
            .specs()
            .chain(self.nested_specs())
            .map(|e| &e.path)
            .chain(self.archived.values())
            .chain(self.prompts.values().map(|p| &p.path))
            .filter(|p| under(p))
            .cloned()
            .collect();
        let config = self.root.join(".chant/config.md");
        if under(&config) {
            out.push(config);
        }
        out.sort();
        out.dedup();
        out
    }

    /// The IDs of the specs whose `depends_on` names `id`, sorted.
    pub fn dependents(&self, id: &str) -> &[String] {
        self.relations()
            .dependents
            .get(id)
            .map_or(&[], Vec::as_slice)
    }

    /// The top-level specs `<id>.<digit>…` (chant's members of a driver).
    pub fn numbered_members(&self, id: &str) -> &[String] {
        self.relations()
            .numbered_members
            .get(id)
            .map_or(&[], Vec::as_slice)
    }

    /// Project files relative to the root (listed once, until files change).
    pub fn files(&self) -> Arc<FileTree> {
        self.file_tree
            .get_or_init(|| Arc::new(FileTree::build(&self.files)))
            .clone()
    }
}

/// A prompt's `purpose` from its frontmatter.
pub fn prompt_purpose(text: &str) -> Option<String> {
    let layout = crate::syntax::layout::split(text);
    let block = layout.frontmatter?;
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text[block.yaml]).ok()?;
    value.get("purpose")?.as_str().map(str::to_string)
}

/// A prompt file as the index keeps it (read the guarded way).
fn read_prompt(files: &ProjectFiles, path: &Path) -> IndexUpdate {
    let ChantFile::Prompt {
        name, extension, ..
    } = classify(path)
    else {
        return IndexUpdate::Other;
    };
    if !files.fs().exists(path) {
        return IndexUpdate::Prompt { name, entry: None };
    }
    let purpose = files
        .read_text(path, Limit::PROMPT)
        .ok()
        .and_then(|t| prompt_purpose(&t));
    IndexUpdate::Prompt {
        name: name.clone(),
        entry: Some(PromptEntry {
            name,
            path: path.to_path_buf(),
            purpose,
            extension,
        }),
    }
}

/// Markdown files under `.chant/specs`, at any depth, as chant's spec walk
/// finds them (links to folders are not entered), each real folder read
/// once and at most [`MAX_WALK_ENTRIES`](super::walk::MAX_WALK_ENTRIES)
/// entries in all. A folder named `x.md` directly in `.chant/specs` is
/// listed too: `chant lint` takes it for a spec, fails to read it and
/// reports a parse error.
pub fn spec_paths(files: &ProjectFiles) -> Walk {
    let specs = files.root().join(".chant/specs");
    let mut walk = walk_md(files, &specs, 16, Links::Skip);
    for entry in files.read_dir(&specs) {
        if entry.is_dir && entry.path.extension().is_some_and(|e| e == "md") {
            walk.paths.push(entry.path);
        }
    }
    walk.paths.sort();
    walk
}

/// The chant files on disk under `folder` (specs, archived specs, prompts,
/// the config), listed as loading lists them: what a folder that appeared
/// brings. Only the chant folders it holds or lies in are read.
pub fn chant_files_under(files: &ProjectFiles, folder: &Path) -> Vec<PathBuf> {
    let chant = files.root().join(".chant");
    // The folder holds a chant folder, or lies inside one.
    let reaches = |dir: &Path| dir.starts_with(folder) || folder.starts_with(dir);
    let mut out = Vec::new();
    if reaches(&chant.join("specs")) {
        out.extend(spec_paths(files).paths);
    }
    if reaches(&chant.join("archive")) {
        out.extend(walk_md(files, &chant.join("archive"), 3, Links::Follow).paths);
    }
    if reaches(&chant.join("prompts")) {
        out.extend(walk_md(files, &chant.join("prompts"), 2, Links::Follow).paths);
    }
    let config = chant.join("config.md");
    if config.starts_with(folder) && files.fs().exists(&config) {
        out.push(config);
    }
    out.retain(|p| p.starts_with(folder) && p != folder);
    out.sort();
    out.dedup();
    out
}

impl WorkspaceFacts for ProjectIndex {
    fn config(&self) -> &ChantConfig {
        &self.config
    }

    fn lookup_spec(&self, id: &str) -> SpecLookup {
        if let Some(entry) = self.specs.get(id) {
            return if entry.summary.accepted {
                SpecLookup::Found {
                    status: entry.summary.status,
                    title: entry.summary.title.clone(),
                }
            } else {
                SpecLookup::Unparseable
            };
        }
        if let Some(entry) = self.nested.get(id).and_then(|list| list.first()) {
            return SpecLookup::Nested {
                path: relative(&self.root, &entry.path),
            };
        }
        if let Some(path) = self.archived.get(id) {
            return SpecLookup::Archived {
                path: relative(&self.root, path),
            };
        }
        SpecLookup::Missing
    }

    fn prompt_exists(&self, name: &str) -> bool {
        self.prompt(name).is_some()
    }

    fn prompt_names(&self) -> Vec<String> {
        self.prompts
            .values()
            .filter(|p| !p.extension)
            .map(|p| p.name.clone())
            .collect()
    }

    fn closest_spec_id(&self, id: &str) -> Option<String> {
        // A typo keeps most of an ID: compare only with IDs that share its
        // date or its random suffix, so this stays cheap with thousands of specs.
        let groups = self
            .id_groups
            .get_or_init(|| IdGroups::of(self.specs.keys()));
        let candidates = groups
            .by_date
            .get(date_part(id))
            .into_iter()
            .chain(groups.by_suffix.get(suffix_part(id)))
            .flatten();
        let best = candidates
            .filter(|k| k.len().abs_diff(id.len()) <= 2)
            .map(|k| (strsim::levenshtein(k, id), k))
            .min()?;
        (best.0 <= 2).then(|| best.1.clone())
    }

    fn path_state(&self, relative: &str) -> PathState {
        self.files.path_state(relative)
    }

    fn escapes_root(&self, relative: &str) -> bool {
        self.files.escapes(relative)
    }

    fn spec_files(&self, id: &str, limit: usize) -> (Vec<PathBuf>, usize) {
        let files = self.files_of(id);
        let first = files
            .iter()
            .take(limit)
            .map(|p| relative(&self.root, p))
            .collect();
        (first, files.len())
    }

    fn dependencies_of(&self, id: &str) -> Vec<String> {
        self.spec(id)
            .map(|e| e.summary.depends_on.clone())
            .unwrap_or_default()
    }

    fn expand(&self, pattern: &str) -> Arc<Expansion> {
        self.expansions.expand(pattern)
    }

    fn chant_lints(&self, id: &str) -> bool {
        self.specs.contains_key(id)
    }

    fn status_anywhere(&self, id: &str) -> Option<crate::spec::frontmatter::SpecStatus> {
        self.specs
            .get(id)
            .into_iter()
            .chain(self.nested.get(id).into_iter().flatten())
            .find(|e| e.summary.accepted)
            .map(|e| e.summary.status)
    }

    fn unfinished_earlier_members(&self, driver: &str, n: u32, limit: usize) -> EarlierMembers {
        let done: &[u32] = self
            .relations()
            .completed_numbers
            .get(driver)
            .map_or(&[], Vec::as_slice);
        let done = &done[..done.partition_point(|&i| i < n)];
        let total = (n.saturating_sub(1) as usize).saturating_sub(done.len());
        let first = (1..=total.min(limit))
            .map(|k| {
                let id = format!("{driver}.{}", kth_missing(done, k));
                let status = self.status_anywhere(&id);
                (id, status)
            })
            .collect();
        EarlierMembers { first, total }
    }

    fn member_ids(&self, driver: &str) -> Vec<String> {
        self.derived()
            .members
            .get(driver)
            .cloned()
            .unwrap_or_default()
    }

    fn read_file(&self, relative: &str) -> Option<String> {
        let path = super::files::join_inside(&self.root, relative)?;
        self.files.read_text(&path, Limit::DATA).ok()
    }
}

/// What is derived from every spec at once, so that a question about one
/// spec does not scan them all (a list of 10,000 specs asks 10,000 times).
#[derive(Debug, Default)]
struct Derived {
    /// `driver` → the IDs chant counts as its members: every spec it can
    /// parse, in any folder, whose ID is `<driver>.` and at least one more
    /// character (a spec of each file that claims the ID).
    members: HashMap<String, Vec<String>>,
    /// Prompt names some spec's `prompt:` names (top level).
    prompts_used: std::collections::HashSet<String>,
}

/// Who depends on whom, for the commands a spec offers (cancel, archive,
/// merge), which a list of every spec asks for each.
#[derive(Debug, Default)]
struct Relations {
    /// `id` → the IDs of the specs (any folder) whose `depends_on` names
    /// it, sorted, once each.
    dependents: HashMap<String, Vec<String>>,
    /// `driver` → the top-level specs `<driver>.<digit>…`, parsed or not:
    /// the members `chant archive` and `chant merge` look at.
    numbered_members: HashMap<String, Vec<String>>,
    /// `head` → the numbers `i` of the specs `<head>.<i>` that are
    /// completed (as `status_anywhere` sees them), sorted, once each.
    completed_numbers: HashMap<String, Vec<u32>>,
}

impl Derived {
    fn of(index: &ProjectIndex) -> Derived {
        let mut derived = Derived::default();
        for e in index.specs.values().chain(index.nested.values().flatten()) {
            if !e.summary.accepted {
                continue;
            }
            for (at, _) in e.id.match_indices('.') {
                if at + 1 < e.id.len() {
                    derived
                        .members
                        .entry(e.id[..at].to_string())
                        .or_default()
                        .push(e.id.clone());
                }
            }
        }
        derived.prompts_used = index
            .specs
            .values()
            .filter_map(|e| e.summary.prompt.clone())
            .collect();
        derived
    }
}

impl Relations {
    fn of(index: &ProjectIndex) -> Relations {
        let mut relations = Relations::default();
        for e in index.specs.values().chain(index.nested.values().flatten()) {
            for dependency in &e.summary.depends_on {
                relations
                    .dependents
                    .entry(dependency.clone())
                    .or_default()
                    .push(e.id.clone());
            }
        }
        for ids in relations.dependents.values_mut() {
            ids.sort();
            ids.dedup();
        }
        for e in index.specs.values().chain(index.nested.values().flatten()) {
            let Some((head, number)) = e.id.rsplit_once('.') else {
                continue;
            };
            let Ok(i) = number.parse::<u32>() else {
                continue;
            };
            // Only the spelling `chant work` asks for (`X.3`, not `X.03`).
            if i.to_string() == number
                && index.status_anywhere(&e.id)
                    == Some(crate::spec::frontmatter::SpecStatus::Completed)
            {
                relations
                    .completed_numbers
                    .entry(head.to_string())
                    .or_default()
                    .push(i);
            }
        }
        for numbers in relations.completed_numbers.values_mut() {
            numbers.sort_unstable();
            numbers.dedup();
        }
        for e in index.specs.values() {
            for (at, _) in e.id.match_indices('.') {
                if e.id[at + 1..].starts_with(|c: char| c.is_ascii_digit()) {
                    relations
                        .numbered_members
                        .entry(e.id[..at].to_string())
                        .or_default()
                        .push(e.id.clone());
                }
            }
        }
        relations
    }
}

/// The `k`-th positive number (from 1) that is not in `taken` (sorted,
/// distinct, each at least 1), in O(log n): before `taken[p]` there are
/// `taken[p] - (p + 1)` numbers missing.
fn kth_missing(taken: &[u32], k: usize) -> usize {
    let (mut lo, mut hi) = (0, taken.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if taken[mid] as usize - (mid + 1) >= k {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    k + lo
}

/// Spec IDs grouped by their date (first 10 characters) and their random
/// suffix (last 3).
#[derive(Debug, Default)]
struct IdGroups {
    by_date: HashMap<String, Vec<String>>,
    by_suffix: HashMap<String, Vec<String>>,
}

impl IdGroups {
    fn of<'a>(ids: impl Iterator<Item = &'a String>) -> IdGroups {
        let mut groups = IdGroups::default();
        for id in ids {
            groups
                .by_date
                .entry(date_part(id).to_string())
                .or_default()
                .push(id.clone());
            groups
                .by_suffix
                .entry(suffix_part(id).to_string())
                .or_default()
                .push(id.clone());
        }
        groups
    }
}

fn date_part(id: &str) -> &str {
    id.get(..10).unwrap_or(id)
}

fn suffix_part(id: &str) -> &str {
    id.get(id.len().saturating_sub(3)..).unwrap_or(id)
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vfs::MemoryFs;

    #[test]
    fn kth_missing_skips_what_is_taken() {
        assert_eq!(kth_missing(&[], 3), 3);
        assert_eq!(kth_missing(&[1, 2, 3], 1), 4);
        assert_eq!(
            (1..=4)
                .map(|k| kth_missing(&[2, 4, 5], k))
                .collect::<Vec<_>>(),
            [1, 3, 6, 7]
        );
    }

    /// The index's answer equals looking at each earlier member in turn.
    #[test]
    fn unfinished_earlier_members_as_one_by_one() {
        let root = Path::new("/w");
        let fs = MemoryFs::new();
        let statuses = ["completed", "pending", "completed", "completed", "failed"];
        for i in 1..=40u32 {
            if i % 7 == 0 {
                continue; // missing members
            }
            let status = statuses[(i as usize * 3) % statuses.len()];
            let folder = if i % 5 == 0 { "old/" } else { "" };
            fs.write(
                &root.join(format!(".chant/specs/{folder}d.{i}.md")),
                format!("---\nstatus: {status}\n---\n# M{i}\n"),
            );
        }
        fs.write(
            &root.join(".chant/specs/d.03.md"),
            "---\nstatus: completed\n---\n# Not 3\n",
        );
        let index = ProjectIndex::load_from(ProjectFiles::new(Arc::new(fs), root));
        for n in 1..=45u32 {
            let mut expected = EarlierMembers::default();
            for i in 1..n {
                let id = format!("d.{i}");
                let status = index.status_anywhere(&id);
                if status != Some(crate::spec::frontmatter::SpecStatus::Completed) {
                    expected.total += 1;
                    if expected.first.len() < 3 {
                        expected.first.push((id, status));
                    }
                }
            }
            assert_eq!(
                index.unfinished_earlier_members("d", n, 3),
                expected,
                "n = {n}"
            );
        }
    }
}
