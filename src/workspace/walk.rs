//! Walking the folders of `.chant/` (specs, archive, prompts): each real
//! folder read once however links loop, and a cap on the entries read, with
//! a sentence saying so when the cap stops a walk.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::files::ProjectFiles;

/// Most entries (files and folders) one walk reads: a `.chant/specs` with
/// more stops there, and says so.
pub const MAX_WALK_ENTRIES: usize = 100_000;

/// The Markdown files a walk found, and whether its cap stopped it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Walk {
    pub paths: Vec<PathBuf>,
    /// Set when the walk stopped at its cap: the files past it are not listed.
    pub stopped: bool,
    /// `*.md` files whose names are not UTF-8: chant refuses them ("Invalid
    /// spec filename"), and they are not in `paths`.
    pub undecodable: Vec<PathBuf>,
}

impl Walk {
    /// What a user is told about the walk of `dir`: the cap that stopped
    /// it, the file names it could not take.
    pub fn notes(&self, files: &ProjectFiles, dir: &Path) -> Vec<String> {
        let shown = |path: &Path| {
            path.strip_prefix(files.root())
                .unwrap_or(path)
                .display()
                .to_string()
        };
        let mut notes = Vec::new();
        if self.stopped {
            notes.push(format!(
                "{} holds more than {MAX_WALK_ENTRIES} files and folders: chant-lsp read the first {MAX_WALK_ENTRIES} and leaves the rest out.",
                shown(dir)
            ));
        }
        if let Some(first) = self.undecodable.first() {
            let more = match self.undecodable.len() - 1 {
                0 => String::new(),
                n => format!(" (and {n} more)"),
            };
            notes.push(format!(
                "{}{more}: the file name is not UTF-8, so chant refuses the file (\"Invalid spec filename\") and chant-lsp does not read it. Rename it.",
                shown(first)
            ));
        }
        notes
    }
}

/// How a walk treats a link to a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Walk into it (chant's `path.is_dir()`), still each real folder once.
    Follow,
    /// Leave it out, as chant's spec walk does (it asks `DirEntry::metadata`,
    /// which does not follow links).
    Skip,
}

/// The Markdown files (any kind of file named `*.md`: FIFOs and links too,
/// chant reads them and must be told why it cannot) under `dir`, at most
/// `depth` folders deep, sorted. Each real folder is read once: a folder
/// reached again through a link (or a bind mount) is not read again, so
/// links that loop cost one folder each, not a copy per path.
pub fn walk_md(files: &ProjectFiles, dir: &Path, depth: usize, links: Links) -> Walk {
    let mut walk = Walk::default();
    let mut seen = HashSet::new();
    let mut read = 0usize;
    let mut stack = vec![(dir.to_path_buf(), 0)];
    'walk: while let Some((dir, level)) = stack.pop() {
        if let Some(id) = files.fs().file_id(&dir) {
            if !seen.insert(id) {
                continue;
            }
        }
        for entry in files.read_dir(&dir) {
            read += 1;
            if read > MAX_WALK_ENTRIES {
                walk.stopped = true;
                break 'walk;
            }
            if entry.is_dir {
                if level + 1 < depth && (links == Links::Follow || !entry.is_link) {
                    stack.push((entry.path, level + 1));
                }
            } else if entry.path.extension().is_some_and(|e| e == "md") {
                if entry.path.file_name().and_then(|n| n.to_str()).is_some() {
                    walk.paths.push(entry.path);
                } else {
                    walk.undecodable.push(entry.path);
                }
            }
        }
    }
    walk.paths.sort();
    walk.undecodable.sort();
    walk
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_that_loop_cost_one_folder_each() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let specs = root.join(".chant/specs");
        std::fs::create_dir_all(specs.join("sub")).unwrap();
        std::fs::write(specs.join("a.md"), "").unwrap();
        std::fs::write(specs.join("sub/b.md"), "").unwrap();
        symlink(".", specs.join("l1")).unwrap();
        symlink(".", specs.join("l2")).unwrap();
        symlink("..", specs.join("sub/up")).unwrap();
        let files = ProjectFiles::on_disk(root);
        let names = |walk: Walk| -> Vec<String> {
            walk.paths
                .iter()
                .map(|p| p.strip_prefix(&specs).unwrap().display().to_string())
                .collect()
        };
        // chant's spec walk does not enter links to folders.
        assert_eq!(
            names(walk_md(&files, &specs, 16, Links::Skip)),
            ["a.md", "sub/b.md"]
        );
        // Followed, each real folder is still read once.
        let followed = walk_md(&files, &specs, 16, Links::Follow);
        assert!(!followed.stopped);
        assert_eq!(followed.paths.len(), 2, "{:?}", followed.paths);
    }

    #[test]
    fn the_cap_stops_a_walk_and_says_so() {
        use crate::vfs::MemoryFs;
        use std::sync::Arc;
        let root = Path::new("/w");
        let fs = MemoryFs::new();
        for i in 0..MAX_WALK_ENTRIES + 5 {
            fs.write(&root.join(format!(".chant/specs/{i:06}.md")), "");
        }
        let files = ProjectFiles::new(Arc::new(fs), root);
        let specs = root.join(".chant/specs");
        let walk = walk_md(&files, &specs, 16, Links::Skip);
        assert!(walk.stopped);
        assert_eq!(walk.paths.len(), MAX_WALK_ENTRIES);
        assert_eq!(
            walk.notes(&files, &specs),
            [".chant/specs holds more than 100000 files and folders: chant-lsp read the first 100000 and leaves the rest out."]
        );
    }
}
