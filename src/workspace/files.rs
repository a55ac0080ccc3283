//! Reading files and answering path questions safely: size limits, text
//! versus binary, paths that escape the root, and the list of project files
//! (respecting `.gitignore`) for globs and completion.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Spec files larger than this are not analysed: a clear diagnostic says so.
pub const MAX_SPEC_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug)]
pub enum FileText {
    Text(String),
    NotUtf8 { error: std::str::Utf8Error },
    TooLarge { bytes: u64 },
}

/// Read a whole file as text, refusing anything that is not a regular file.
pub fn read_text(path: &Path) -> std::io::Result<FileText> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    if meta.len() > MAX_SPEC_BYTES {
        return Ok(FileText::TooLarge { bytes: meta.len() });
    }
    let bytes = std::fs::read(path)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => FileText::Text(text),
        Err(e) => FileText::NotUtf8 {
            error: e.utf8_error(),
        },
    })
}

/// The first `limit` bytes of a regular file (never a FIFO or device, which
/// could block forever), cut back to a character boundary.
pub fn read_head(path: &Path, limit: usize) -> std::io::Result<(Vec<u8>, u64)> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let mut buf = Vec::with_capacity(limit.min(meta.len() as usize));
    std::fs::File::open(path)?
        .take(limit as u64)
        .read_to_end(&mut buf)?;
    Ok((buf, meta.len()))
}

/// Lexically resolve `relative` against `root`; None when it climbs out.
pub fn join_inside(root: &Path, relative: &str) -> Option<PathBuf> {
    let rel = Path::new(relative);
    if rel.is_absolute() {
        return rel.starts_with(root).then(|| rel.to_path_buf());
    }
    let mut out = root.to_path_buf();
    let mut depth = 0usize;
    for component in rel.components() {
        match component {
            Component::Normal(part) => {
                out.push(part);
                depth += 1;
            }
            Component::CurDir => {}
            Component::ParentDir => {
                if depth == 0 {
                    return None;
                }
                out.pop();
                depth -= 1;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// True when `relative` leads outside `root`, lexically or through a symlink.
pub fn escapes(root: &Path, relative: &str) -> bool {
    escapes_under(root, root.canonicalize().ok().as_deref(), relative)
}

/// [`escapes`], with the root's real path already known (`real_root`).
pub fn escapes_under(root: &Path, real_root: Option<&Path>, relative: &str) -> bool {
    let Some(joined) = join_inside(root, relative) else {
        return true;
    };
    // Follow symlinks only for paths that exist; a missing path cannot escape.
    match (joined.canonicalize(), real_root) {
        (Ok(real), Some(real_root)) => !real.starts_with(real_root),
        _ => false,
    }
}

/// Every file under `root` a user would reference, relative to it, with `/`
/// separators: `.gitignore` respected, `.git` skipped, `.chant` included.
pub fn list_files(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .parents(true)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    for entry in walker.flatten() {
        if entry.file_type().is_some_and(|t| t.is_file()) {
            if let Ok(rel) = entry.path().strip_prefix(root) {
                files.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    files
}

/// The project's files with each folder's direct children, built once per
/// listing so completing a folder costs only as much as its own entries.
#[derive(Debug, Default)]
pub struct FileTree {
    files: Vec<String>,
    /// Folder (relative, with a trailing `/`, `""` for the root) → its
    /// entries, sorted: (name, is_folder).
    children: std::collections::HashMap<String, Vec<(String, bool)>>,
}

impl FileTree {
    pub fn build(root: &Path) -> FileTree {
        FileTree::from_files(list_files(root))
    }

    pub fn from_files(files: Vec<String>) -> FileTree {
        let mut children: std::collections::HashMap<
            String,
            std::collections::BTreeMap<String, bool>,
        > = std::collections::HashMap::new();
        for file in &files {
            let mut dir_end = 0;
            for (i, _) in file.match_indices('/') {
                children
                    .entry(file[..dir_end].to_string())
                    .or_default()
                    .insert(file[dir_end..i].to_string(), true);
                dir_end = i + 1;
            }
            children
                .entry(file[..dir_end].to_string())
                .or_default()
                .entry(file[dir_end..].to_string())
                .or_insert(false);
        }
        let children = children
            .into_iter()
            .map(|(dir, entries)| (dir, entries.into_iter().collect()))
            .collect();
        FileTree { files, children }
    }

    /// Every file, relative to the root, sorted.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// The entries of a folder (`"docs/"`, or `""` for the root).
    pub fn children(&self, dir: &str) -> &[(String, bool)] {
        self.children.get(dir).map(Vec::as_slice).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_inside_refuses_escapes() {
        let root = Path::new("/w");
        assert_eq!(join_inside(root, "a/./b"), Some(PathBuf::from("/w/a/b")));
        assert_eq!(join_inside(root, "a/../b"), Some(PathBuf::from("/w/b")));
        assert_eq!(join_inside(root, "../../etc/passwd"), None);
        assert_eq!(join_inside(root, "/etc/passwd"), None);
        assert_eq!(join_inside(root, "/w/x"), Some(PathBuf::from("/w/x")));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_escape() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(&root).unwrap();
        std::os::unix::fs::symlink("/etc", root.join("out")).unwrap();
        std::fs::write(root.join("in.md"), "x").unwrap();
        assert!(escapes(&root, "out/passwd"));
        assert!(!escapes(&root, "in.md"));
        assert!(!escapes(&root, "missing.md"));
    }

    #[test]
    fn folders_know_their_children() {
        let tree = FileTree::from_files(vec![
            "a.md".into(),
            "docs/b.md".into(),
            "docs/x/c.md".into(),
            "docs/x/d.md".into(),
        ]);
        assert_eq!(
            tree.children(""),
            [("a.md".to_string(), false), ("docs".to_string(), true)]
        );
        assert_eq!(
            tree.children("docs/"),
            [("b.md".to_string(), false), ("x".to_string(), true)]
        );
        assert_eq!(tree.children("docs/x/").len(), 2);
        assert!(tree.children("nope/").is_empty());
    }

    #[test]
    fn lists_files_respecting_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(root.join(".chant/specs")).unwrap();
        std::fs::create_dir_all(root.join("target")).unwrap();
        std::fs::write(root.join(".gitignore"), "target/\n").unwrap();
        std::fs::write(root.join("target/x"), "").unwrap();
        std::fs::write(root.join(".git/HEAD"), "").unwrap();
        std::fs::write(root.join(".chant/specs/a.md"), "").unwrap();
        std::fs::write(root.join("a b.md"), "").unwrap();
        assert_eq!(
            list_files(root),
            [".chant/specs/a.md", ".gitignore", "a b.md"]
        );
    }
}
