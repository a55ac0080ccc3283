//! The chant projects the server knows, each with its index behind a lock.
//! Loading walks the disk, so callers run it on a blocking thread.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::workspace::{find_roots, root_of, ProjectIndex};

pub struct Project {
    pub root: PathBuf,
    pub index: RwLock<ProjectIndex>,
}

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

    /// Like `for_path`, but indexes the file's own root when no known project
    /// holds it (a spec opened from outside the workspace folders). Blocking.
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

    /// Index (or re-index) one root. Blocking.
    pub fn load(&self, root: &Path) -> Arc<Project> {
        let project = Arc::new(Project {
            root: root.to_path_buf(),
            index: RwLock::new(ProjectIndex::load(root)),
        });
        let mut list = self.list.write().unwrap_or_else(|e| e.into_inner());
        list.retain(|p| p.root != root);
        list.push(project.clone());
        project
    }

    /// Find and index every project under the folders. Blocking.
    pub fn load_folders(&self, folders: &[PathBuf]) -> Vec<Arc<Project>> {
        let mut loaded = Vec::new();
        for folder in folders {
            for root in find_roots(folder) {
                if self.for_path(&root).is_some_and(|p| p.root == root) {
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
