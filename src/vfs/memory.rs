//! An in-memory file system: a project for tests, with files, folders and
//! special files (a FIFO stand-in), and no disk.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::RwLock;
use std::time::SystemTime;

use super::{DirEntry, FileId, FileSystem, Kind, Limit, ReadError};

#[derive(Debug, Clone)]
enum Node {
    File {
        bytes: Vec<u8>,
        modified: Option<SystemTime>,
    },
    Special(&'static str),
}

/// Files by absolute path; folders are implied by the files under them.
#[derive(Debug, Default)]
pub struct MemoryFs {
    nodes: RwLock<BTreeMap<PathBuf, Node>>,
}

/// `a/./b/../c` → `a/c`, without touching any disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

impl MemoryFs {
    pub fn new() -> MemoryFs {
        MemoryFs::default()
    }

    /// `(path, text)` pairs under `root`; paths are relative to it.
    pub fn with_files<'a>(
        root: &Path,
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> MemoryFs {
        let fs = MemoryFs::new();
        for (path, text) in files {
            fs.write(&root.join(path), text);
        }
        fs
    }

    pub fn write(&self, path: &Path, text: impl AsRef<[u8]>) {
        self.insert(
            path,
            Node::File {
                bytes: text.as_ref().to_vec(),
                modified: None,
            },
        );
    }

    /// A file with a modification time (for drift).
    pub fn write_modified(&self, path: &Path, text: impl AsRef<[u8]>, modified: SystemTime) {
        self.insert(
            path,
            Node::File {
                bytes: text.as_ref().to_vec(),
                modified: Some(modified),
            },
        );
    }

    /// Something that is not a regular file (`"a named pipe (FIFO)"`).
    pub fn special(&self, path: &Path, kind: &'static str) {
        self.insert(path, Node::Special(kind));
    }

    pub fn remove(&self, path: &Path) {
        let path = normalize(path);
        self.nodes
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|p, _| !p.starts_with(&path));
    }

    fn insert(&self, path: &Path, node: Node) {
        self.nodes
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(normalize(path), node);
    }

    fn node(&self, path: &Path) -> Option<Node> {
        self.nodes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&normalize(path))
            .cloned()
    }

    fn is_dir(&self, path: &Path) -> bool {
        let path = normalize(path);
        self.nodes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .range(path.clone()..)
            .next()
            .is_some_and(|(p, _)| p != &path && p.starts_with(&path))
    }
}

impl FileSystem for MemoryFs {
    fn kind(&self, path: &Path) -> Option<Kind> {
        match self.node(path) {
            Some(Node::File { bytes, modified }) => Some(Kind::File {
                len: bytes.len() as u64,
                modified,
            }),
            Some(Node::Special(kind)) => Some(Kind::Special(kind)),
            None if self.is_dir(path) => Some(Kind::Dir),
            None => None,
        }
    }

    fn read(&self, path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError> {
        match self.node(path) {
            Some(Node::File { bytes, .. }) if bytes.len() as u64 > limit.0 => {
                Err(ReadError::TooLarge {
                    bytes: bytes.len() as u64,
                    limit: limit.0,
                })
            }
            Some(Node::File { bytes, .. }) => Ok(bytes),
            Some(Node::Special(kind)) => Err(ReadError::NotRegular(kind)),
            None if self.is_dir(path) => Err(ReadError::NotRegular("a folder")),
            None => Err(ReadError::Missing),
        }
    }

    fn read_head(&self, path: &Path, limit: usize) -> Result<(Vec<u8>, u64), ReadError> {
        let bytes = self.read(path, Limit(u64::MAX))?;
        let len = bytes.len() as u64;
        Ok((bytes.into_iter().take(limit).collect(), len))
    }

    fn read_tail(&self, path: &Path, limit: usize) -> Result<(Vec<u8>, u64), ReadError> {
        let bytes = self.read(path, Limit(u64::MAX))?;
        let len = bytes.len() as u64;
        let start = bytes.len().saturating_sub(limit);
        Ok((bytes[start..].to_vec(), len))
    }

    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        self.kind(path).map(|_| normalize(path))
    }

    fn read_dir(&self, dir: &Path) -> Vec<DirEntry> {
        let dir = normalize(dir);
        let nodes = self.nodes.read().unwrap_or_else(|e| e.into_inner());
        let mut out: BTreeMap<PathBuf, bool> = BTreeMap::new();
        for path in nodes.keys().filter(|p| p.starts_with(&dir) && **p != dir) {
            let Ok(rest) = path.strip_prefix(&dir) else {
                continue;
            };
            let mut parts = rest.components();
            let Some(first) = parts.next() else { continue };
            let is_dir = parts.next().is_some();
            *out.entry(dir.join(first)).or_default() |= is_dir;
        }
        out.into_iter()
            .map(|(path, is_dir)| DirEntry {
                path,
                is_dir,
                is_link: false,
            })
            .collect()
    }

    fn file_id(&self, path: &Path) -> Option<FileId> {
        use std::hash::{Hash, Hasher};
        // No links here: a path is its own identity.
        self.kind(path)?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        normalize(path).hash(&mut hasher);
        Some(FileId(0, hasher.finish()))
    }

    fn list_files(&self, root: &Path) -> Vec<String> {
        let root = normalize(root);
        let nodes = self.nodes.read().unwrap_or_else(|e| e.into_inner());
        nodes
            .iter()
            .filter(|(_, node)| matches!(node, Node::File { .. }))
            .filter_map(|(p, _)| p.strip_prefix(&root).ok())
            .filter(|rel| !rel.starts_with(".git"))
            .map(|rel| rel.to_string_lossy().replace('\\', "/"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_folders_and_specials() {
        let root = Path::new("/w");
        let fs = MemoryFs::with_files(root, [("a.md", "A"), ("docs/x/b.md", "B")]);
        fs.special(&root.join("pipe.md"), "a named pipe (FIFO)");
        assert_eq!(fs.read_text(&root.join("a.md"), Limit::SPEC).unwrap(), "A");
        assert_eq!(fs.kind(&root.join("docs")), Some(Kind::Dir));
        assert_eq!(
            fs.read(&root.join("pipe.md"), Limit::SPEC),
            Err(ReadError::NotRegular("a named pipe (FIFO)"))
        );
        let entries: Vec<(PathBuf, bool)> = fs
            .read_dir(root)
            .into_iter()
            .map(|e| (e.path, e.is_dir))
            .collect();
        assert_eq!(
            entries,
            [
                (root.join("a.md"), false),
                (root.join("docs"), true),
                (root.join("pipe.md"), false)
            ]
        );
        assert_eq!(fs.list_files(root), ["a.md", "docs/x/b.md"]);
        assert_eq!(
            fs.canonicalize(&root.join("docs/../a.md")),
            Some(root.join("a.md"))
        );
    }
}
