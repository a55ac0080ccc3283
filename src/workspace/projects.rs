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
use super::prepared::PreparedFacts;
use super::results::ProjectResults;
use super::spec_file::LoadedSpec;
use super::{find_roots, root_of, IndexUpdate, ProjectFiles, ProjectIndex};
use crate::analysis::{Diagnostic, Filter, SpecContext};

pub struct Project {
    pub root: PathBuf,
    files: ProjectFiles,
    index: RwLock<ProjectIndex>,
    /// The index's pattern expansions, reachable without its lock.
    expansions: Arc<Expansions>,
    /// The diagnostics of its specs that are not open in the editor.
    results: Mutex<ProjectResults>,
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
        let (changes, _) = self.refresh_events(&events);
        self.invalidate(&changes);
        changes.visible_to_others()
    }

    /// Re-read files that changed on disk into the index (read first, no
    /// lock held, then applied). Returns what changed, and the spec files
    /// read (their text and model, so they need not be read again to be
    /// diagnosed); [`Self::invalidate`] then marks the specs affected.
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
    use crate::vfs::{DirEntry, FileId, FileSystem, Kind, Limit, MemoryFs, ReadError};
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
