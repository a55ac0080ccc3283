//! The chant projects an editor session knows, each with its index behind a
//! lock. Every disk read happens before a lock is taken (an index update is
//! read first, then applied), so a slow or hostile file never holds up
//! the requests that need the index. Loading walks the disk: callers run
//! these functions on a blocking thread.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::changes::Changes;
use super::expansions::Expansions;
use super::index::chant_files_under;
use super::prepared::PreparedFacts;
use super::results::ProjectResults;
use super::spec_file::LoadedSpec;
use super::{find_roots, root_of, IndexUpdate, ProjectFiles, ProjectIndex, SpecEntry};
use crate::analysis::{Diagnostic, Filter, SpecContext};
use crate::spec::SpecModel;
use crate::vfs::Kind;

pub struct Project {
    pub root: PathBuf,
    files: ProjectFiles,
    index: RwLock<ProjectIndex>,
    /// The index's pattern expansions, reachable without its lock.
    expansions: Arc<Expansions>,
    /// The diagnostics of its specs that are not open in the editor.
    results: Mutex<ProjectResults>,
}

/// The spec an open buffer holds.
#[derive(Debug, Clone)]
pub struct BufferSpec {
    pub id: String,
    pub path: PathBuf,
    pub top_level: bool,
}

/// An open spec's text, analysed.
pub struct BufferAnalysis {
    pub text: String,
    pub model: SpecModel,
    pub diagnostics: Vec<Diagnostic>,
}

/// What happened to a file on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileEvent {
    Created,
    Changed,
    Deleted,
    /// Created, changed or deleted: not known which.
    Unknown,
}

impl Project {
    /// Index a project (blocking).
    pub fn load(files: ProjectFiles) -> Project {
        let index = ProjectIndex::load_from(files.clone());
        Project {
            root: files.root().to_path_buf(),
            expansions: index.expansions().clone(),
            index: RwLock::new(index),
            files,
            results: Mutex::default(),
        }
    }

    /// Diagnose spec files of the project (see `results::diagnose_files`),
    /// each spec's patterns expanded before the index's lock is taken
    /// for it, and the lock left between specs.
    pub fn diagnose_files(
        &self,
        paths: &[PathBuf],
        preloaded: &HashMap<PathBuf, LoadedSpec>,
        filter: &Filter,
        encoding: crate::text::PositionEncoding,
    ) -> Vec<super::results::ResultChange> {
        super::results::diagnose_files_by(
            &self.files,
            &|id, path| self.index().files_of(id).contains(&path),
            &|loaded, spec| self.diagnose(loaded, spec, filter),
            paths,
            preloaded,
            encoding,
        )
    }

    /// A spec's diagnostics: the patterns it names expanded first, with no
    /// lock held (reading folders takes time that grows with the tree),
    /// then its rules under the index's read lock, which nothing else
    /// then waits on for long.
    pub fn diagnose(
        &self,
        loaded: &LoadedSpec,
        spec: SpecContext,
        filter: &Filter,
    ) -> Vec<Diagnostic> {
        let prepared = self.expansions.prepare(loaded.model());
        let index = self.index();
        loaded.diagnose(
            spec,
            &PreparedFacts {
                index: &index,
                prepared: &prepared,
            },
            filter,
        )
    }

    /// What a cap left out of the project (a walk of `.chant/` that
    /// stopped, a file name chant refuses), each as a line for the log.
    pub fn notes(&self) -> Vec<String> {
        let root = self.root.display();
        let index = self.index();
        index
            .notes()
            .iter()
            .map(|n| format!("chant-lsp: {root}: {n}"))
            .collect()
    }

    /// The results of the project's closed specs. Held only while results
    /// are read or stored, never while diagnosing.
    pub fn results(&self) -> MutexGuard<'_, ProjectResults> {
        self.results.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn files(&self) -> &ProjectFiles {
        &self.files
    }

    /// The index, for reading. Held only for the few microseconds a feature
    /// takes; never across an await.
    pub fn index(&self) -> RwLockReadGuard<'_, ProjectIndex> {
        self.index.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The index, for an update computed beforehand.
    pub fn index_mut(&self) -> RwLockWriteGuard<'_, ProjectIndex> {
        self.index.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Re-read files that changed on disk into the index: read first (no
    /// lock), then apply. True when other specs may see a difference.
    pub fn refresh(&self, paths: &[PathBuf]) -> bool {
        let events: Vec<(PathBuf, FileEvent)> = paths
            .iter()
            .map(|p| (p.clone(), FileEvent::Unknown))
            .collect();
        let (changes, _) = self.refresh_events(&self.expand_folders(&events));
        self.invalidate(&changes);
        changes.visible_to_others()
    }

    /// Re-read files that changed on disk into the index (read first, no
    /// lock held, then applied). Returns what changed, and the spec files
    /// read (their text and model, so they need not be read again to be
    /// diagnosed); [`Self::invalidate`] then marks the specs affected.
    /// Events about folders are taken as they are: see
    /// [`Self::expand_folders`].
    pub fn refresh_events(
        &self,
        events: &[(PathBuf, FileEvent)],
    ) -> (Changes, HashMap<PathBuf, LoadedSpec>) {
        let mut loaded = HashMap::new();
        let mut updates = Vec::with_capacity(events.len());
        let mut changes = Changes::default();
        for (path, event) in events {
            let (update, spec) = match ProjectIndex::read_update_keeping(&self.files, path) {
                (IndexUpdate::Other, _) if *event == FileEvent::Changed => {
                    (IndexUpdate::Modified, None)
                }
                other => other,
            };
            if let Some(spec) = spec {
                loaded.insert(path.clone(), spec);
            }
            if let Ok(rel) = path.strip_prefix(&self.root) {
                let rel = rel.to_string_lossy().replace('\\', "/");
                match event {
                    FileEvent::Changed => {
                        changes.modified.insert(rel);
                    }
                    FileEvent::Created | FileEvent::Deleted => {
                        changes.existence.insert(rel);
                    }
                    FileEvent::Unknown => {
                        changes.modified.insert(rel.clone());
                        changes.existence.insert(rel);
                    }
                }
            }
            updates.push(update);
        }
        {
            let mut index = self.index_mut();
            for update in updates {
                index.apply_noting(update, &mut changes);
            }
        }
        (changes, loaded)
    }

    /// Analyse the text of an open spec (an editor buffer) the way a
    /// keystroke needs: the index learns what the spec now says first (its
    /// own facts, such as its ID claimed by another file or a member's
    /// driver, may depend on it), then every rule runs against the index,
    /// then the closed specs whose facts changed are marked. A buffer that
    /// no longer `speaks` for a spec (a run moved or deleted its file)
    /// leaves the index alone. None when the text is unreadable.
    pub fn analyse_buffer(
        &self,
        spec: &BufferSpec,
        text: String,
        speaks: bool,
        filter: &Filter,
    ) -> Option<(BufferAnalysis, Changes)> {
        // chant's rules are line-based: diagnostics never wait for the
        // Markdown tree, which is parsed when symbols or folding ask.
        let loaded = LoadedSpec::from_text(text);
        let entry = SpecEntry {
            summary: loaded.summary(),
            id: spec.id.clone(),
            path: spec.path.clone(),
            top_level: spec.top_level,
        };
        let mut changes = Changes::default();
        if speaks {
            self.index_mut().set_spec_noting(entry, &mut changes);
        }
        // The spec's patterns are expanded before the index's lock.
        let cx = SpecContext {
            id: &spec.id,
            path: Some(&spec.path),
        };
        let diagnostics = self.diagnose(&loaded, cx, filter);
        self.invalidate(&changes);
        let LoadedSpec::Parsed { text, model } = loaded else {
            return None;
        };
        let analysis = BufferAnalysis {
            text,
            model: *model,
            diagnostics,
        };
        Some((analysis, changes))
    }

    /// The events, and for each event about a folder that holds or lies in
    /// a folder of chant files (editors and the watcher send one event for
    /// a whole folder deleted, created or renamed), events for the chant
    /// files under it:
    /// the ones the index knows are gone unless they are still on disk,
    /// the ones on disk are there. Reads the disk; the index is read-locked
    /// only to list what it knows.
    pub fn expand_folders(&self, events: &[(PathBuf, FileEvent)]) -> Vec<(PathBuf, FileEvent)> {
        let chant = self.root.join(".chant");
        // Folders that hold chant files or lie in a folder of them; a
        // file's event (an agent's log growing) reads nothing more.
        let holds_chant_files = |path: &Path| {
            ["specs", "archive", "prompts"].iter().any(|f| {
                let dir = chant.join(f);
                path.starts_with(&dir) || dir.starts_with(path)
            })
        };
        let folders: Vec<(&PathBuf, bool)> = events
            .iter()
            .filter(|(path, _)| {
                holds_chant_files(path) && matches!(super::classify(path), super::ChantFile::Other)
            })
            .filter_map(|(path, event)| match self.files.kind(path) {
                Some(Kind::Dir) => Some((path, true)),
                None if *event != FileEvent::Created => Some((path, false)),
                _ => None,
            })
            .collect();
        if folders.is_empty() {
            return events.to_vec();
        }
        let mut out: Vec<(PathBuf, FileEvent)> = events.to_vec();
        let mut seen: HashSet<PathBuf> = events.iter().map(|(p, _)| p.clone()).collect();
        for (folder, is_dir) in folders {
            let on_disk: Vec<PathBuf> = if is_dir {
                chant_files_under(&self.files, folder)
            } else {
                Vec::new()
            };
            let known = self.index().known_under(folder);
            let present: HashSet<&PathBuf> = on_disk.iter().collect();
            for path in &known {
                if !present.contains(path) && seen.insert(path.clone()) {
                    out.push((path.clone(), FileEvent::Deleted));
                }
            }
            let known: HashSet<&PathBuf> = known.iter().collect();
            for path in &on_disk {
                if seen.insert(path.clone()) {
                    let event = if known.contains(path) {
                        FileEvent::Unknown
                    } else {
                        FileEvent::Created
                    };
                    out.push((path.clone(), event));
                }
            }
        }
        out
    }

    /// Mark the closed specs whose results may change with `changes`.
    /// Returns the spec files whose diagnostics may change (open or not).
    pub fn invalidate(&self, changes: &Changes) -> Vec<PathBuf> {
        if changes.is_empty() {
            return Vec::new();
        }
        let index = self.index();
        self.results().invalidate(&index, changes)
    }
}

/// The projects of the workspace folders (and of specs opened from outside
/// them).
#[derive(Default)]
pub struct Projects {
    list: RwLock<Vec<Arc<Project>>>,
}

impl Projects {
    /// The project holding `path`: the deepest known root above it.
    pub fn for_path(&self, path: &Path) -> Option<Arc<Project>> {
        let list = self.list.read().unwrap_or_else(|e| e.into_inner());
        list.iter()
            .filter(|p| path.starts_with(&p.root))
            .max_by_key(|p| p.root.as_os_str().len())
            .cloned()
    }

    /// Like `for_path`, but indexes the file's own root when no known
    /// project holds it (a spec opened from outside the workspace folders).
    /// Blocking.
    pub fn for_path_or_load(&self, path: &Path) -> Option<Arc<Project>> {
        let root = root_of(path)?;
        if let Some(project) = self.for_path(path).filter(|p| p.root == root) {
            return Some(project);
        }
        Some(self.load(&root))
    }

    pub fn all(&self) -> Vec<Arc<Project>> {
        self.list.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Index (or re-index) one root. Blocking; no lock is held meanwhile.
    pub fn load(&self, root: &Path) -> Arc<Project> {
        let project = Arc::new(Project::load(ProjectFiles::on_disk(root)));
        let mut list = self.list.write().unwrap_or_else(|e| e.into_inner());
        list.retain(|p| p.root != root);
        list.push(project.clone());
        project
    }

    /// Find and index every project under the folders. Blocking.
    pub fn load_folders(&self, folders: &[PathBuf]) -> Vec<Arc<Project>> {
        let mut loaded = Vec::new();
        let mut seen = HashSet::new();
        for folder in folders {
            for root in find_roots(folder) {
                if !seen.insert(root.clone())
                    || self.for_path(&root).is_some_and(|p| p.root == root)
                {
                    continue;
                }
                loaded.push(self.load(&root));
            }
        }
        loaded
    }

    /// Forget the projects under a folder that left the workspace.
    pub fn remove_under(&self, folder: &Path) {
        self.list
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|p| !p.root.starts_with(folder));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vfs::MemoryFs;

    const SPEC: &str = "---\nstatus: pending\n---\n# A spec\n";

    fn project(fs: &Arc<MemoryFs>) -> Project {
        let fs: Arc<dyn crate::vfs::FileSystem> = fs.clone();
        Project::load(ProjectFiles::new(fs, Path::new("/w")))
    }

    fn spec_paths(project: &Project) -> Vec<PathBuf> {
        let index = project.index();
        let mut paths: Vec<PathBuf> = index
            .specs()
            .chain(index.nested_specs())
            .map(|e| e.path.clone())
            .collect();
        paths.sort();
        paths
    }

    #[test]
    fn one_event_for_a_renamed_folder_moves_its_specs() {
        let fs = Arc::new(MemoryFs::with_files(
            Path::new("/w"),
            [
                (".chant/config.md", "project:\n  name: x\n"),
                (".chant/specs/top.md", SPEC),
                (".chant/specs/old/a.md", SPEC),
                (".chant/specs/old/deeper/b.md", SPEC),
            ],
        ));
        let project = project(&fs);
        let old = Path::new("/w/.chant/specs/old");
        let new = Path::new("/w/.chant/specs/new");
        fs.remove(old);
        fs.write(&new.join("a.md"), SPEC);
        fs.write(&new.join("deeper/b.md"), SPEC);
        let events = project.expand_folders(&[
            (old.to_path_buf(), FileEvent::Deleted),
            (new.to_path_buf(), FileEvent::Created),
        ]);
        let (changes, loaded) = project.refresh_events(&events);
        assert_eq!(
            spec_paths(&project),
            [
                new.join("a.md"),
                new.join("deeper/b.md"),
                PathBuf::from("/w/.chant/specs/top.md"),
            ]
        );
        // The old files' results go, the new ones are diagnosed.
        assert_eq!(
            changes.spec_files.iter().cloned().collect::<Vec<_>>(),
            [
                new.join("a.md"),
                new.join("deeper/b.md"),
                old.join("a.md"),
                old.join("deeper/b.md"),
            ]
        );
        assert!(changes.listing);
        assert_eq!(loaded.len(), 2);
        assert!(changes.existence.contains(".chant/specs/old"));
        assert!(changes.existence.contains(".chant/specs/new"));
    }

    #[test]
    fn a_deleted_chant_folder_takes_its_specs_prompts_and_archive() {
        let fs = Arc::new(MemoryFs::with_files(
            Path::new("/w"),
            [
                (".chant/config.md", "project:\n  name: x\n"),
                (".chant/specs/a.md", SPEC),
                (".chant/prompts/standard.md", "Do it\n"),
                (".chant/archive/2026-01-01/old.md", SPEC),
                ("src/keep.rs", ""),
            ],
        ));
        let project = project(&fs);
        assert!(project.index().prompt("standard").is_some());
        fs.remove(Path::new("/w/.chant"));
        let events = project.expand_folders(&[(PathBuf::from("/w/.chant"), FileEvent::Deleted)]);
        let (changes, _) = project.refresh_events(&events);
        let index = project.index();
        assert_eq!(index.spec_count(), 0);
        assert!(index.prompt("standard").is_none());
        assert!(index.archived("old").is_none());
        assert!(changes.prompts && changes.listing && changes.spec_set);
        assert_eq!(
            changes.spec_files.iter().cloned().collect::<Vec<_>>(),
            [PathBuf::from("/w/.chant/specs/a.md")]
        );
    }

    #[test]
    fn a_folder_event_outside_the_chant_folders_reads_nothing_more() {
        let fs = Arc::new(MemoryFs::with_files(
            Path::new("/w"),
            [(".chant/specs/a.md", SPEC), ("src/x/y.rs", "")],
        ));
        fs.write(Path::new("/w/.chant/specs/.chant-status-a.json"), "{}");
        fs.write(Path::new("/w/.chant/logs/a.log"), "x");
        let project = project(&fs);
        fs.remove(Path::new("/w/src/x"));
        let events = [(PathBuf::from("/w/src/x"), FileEvent::Deleted)];
        assert_eq!(project.expand_folders(&events), events);
        // Files that are not chant's, in chant's folders: nothing more.
        let files = [
            (
                PathBuf::from("/w/.chant/specs/.chant-status-a.json"),
                FileEvent::Changed,
            ),
            (PathBuf::from("/w/.chant/logs/a.log"), FileEvent::Changed),
        ];
        assert_eq!(project.expand_folders(&files), files);
        let (changes, _) = project.refresh_events(&events);
        assert!(changes.spec_files.is_empty());
        assert_eq!(changes.existence.iter().collect::<Vec<_>>(), ["src/x"]);
    }
    use crate::vfs::{DirEntry, FileId, FileSystem, Limit, ReadError};
    use std::sync::mpsc;
    use std::time::{Duration, UNIX_EPOCH};

    /// A project in memory whose `src` folder cannot be listed until the
    /// test opens the gate: it says when a listing of `src` starts.
    struct Gated {
        inner: MemoryFs,
        entered: Mutex<mpsc::Sender<()>>,
        gate: Mutex<mpsc::Receiver<()>>,
    }

    impl FileSystem for Gated {
        fn kind(&self, path: &Path) -> Option<Kind> {
            self.inner.kind(path)
        }
        fn read(&self, path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError> {
            self.inner.read(path, limit)
        }
        fn read_head(&self, path: &Path, limit: usize) -> Result<(Vec<u8>, u64), ReadError> {
            self.inner.read_head(path, limit)
        }
        fn read_tail(&self, path: &Path, limit: usize) -> Result<(Vec<u8>, u64), ReadError> {
            self.inner.read_tail(path, limit)
        }
        fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
            self.inner.canonicalize(path)
        }
        fn read_dir(&self, dir: &Path) -> Vec<DirEntry> {
            if dir.ends_with("src") {
                let _ = self.entered.lock().unwrap().send(());
                let _ = self.gate.lock().unwrap().recv();
            }
            self.inner.read_dir(dir)
        }
        fn file_id(&self, path: &Path) -> Option<FileId> {
            self.inner.file_id(path)
        }
        fn list_files(&self, root: &Path) -> Vec<String> {
            self.inner.list_files(root)
        }
    }

    /// While one spec's pattern is being expanded (here: held inside the
    /// listing of `src`), the index's lock is free: a keystroke in another
    /// spec, which takes it to record what its spec now says, does not wait.
    #[test]
    fn expanding_a_pattern_holds_no_lock() {
        let root = Path::new("/w");
        let inner = MemoryFs::new();
        let text = "---\nstatus: completed\ncompleted_at: 2020-01-01T00:00:00Z\ntracks: [\"src/*.rs\"]\n---\n# Tracks\n\n## Acceptance Criteria\n\n- [x] done\n";
        inner.write(&root.join(".chant/specs/a.md"), text);
        inner.write_modified(
            &root.join("src/x.rs"),
            "",
            UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        );
        let (entered_tx, entered) = mpsc::channel();
        let (open, gate) = mpsc::channel();
        let fs = Gated {
            inner,
            entered: Mutex::new(entered_tx),
            gate: Mutex::new(gate),
        };
        let project = Arc::new(Project::load(ProjectFiles::new(Arc::new(fs), root)));
        let diagnosing = {
            let project = project.clone();
            std::thread::spawn(move || {
                let loaded = LoadedSpec::from_text(text.to_string());
                let path = root.join(".chant/specs/a.md");
                let spec = SpecContext {
                    id: "a",
                    path: Some(&path),
                };
                project.diagnose(&loaded, spec, &Filter::default())
            })
        };
        entered.recv().unwrap();
        assert!(
            project.index.try_write().is_ok(),
            "the index is locked while a pattern is expanded"
        );
        open.send(()).unwrap();
        let diagnostics = diagnosing.join().unwrap();
        assert!(
            diagnostics
                .iter()
                .any(|d| d.code == crate::analysis::Code::Drift),
            "{diagnostics:?}"
        );
    }
}
