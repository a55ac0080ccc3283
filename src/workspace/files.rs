//! A project's files as chant-lsp may read them: through the guarded file
//! system (`vfs`), and only inside the project (a symlink that leads out is
//! refused), plus path questions (does a reference climb out?) and the list
//! of project files for globs and completion.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::vfs::{FileSystem, Kind, Limit, ReadError};

/// One project's files: its root, and reads that never leave it.
#[derive(Clone)]
pub struct ProjectFiles {
    root: PathBuf,
    /// The root with symlinks resolved (None when it does not exist).
    real_root: Option<PathBuf>,
    fs: Arc<dyn FileSystem>,
}

impl std::fmt::Debug for ProjectFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("ProjectFiles")
            .field("root", &self.root)
            .finish()
    }
}

impl ProjectFiles {
    pub fn new(fs: Arc<dyn FileSystem>, root: &Path) -> ProjectFiles {
        ProjectFiles {
            root: root.to_path_buf(),
            real_root: fs.canonicalize(root),
            fs,
        }
    }

    /// The project on the real disk.
    pub fn on_disk(root: &Path) -> ProjectFiles {
        ProjectFiles::new(Arc::new(crate::vfs::RealFs), root)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn fs(&self) -> &Arc<dyn FileSystem> {
        &self.fs
    }

    /// Whether `path` (absolute) stays in the project once symlinks are
    /// resolved. A path that does not exist stays in when it is lexically
    /// under the root.
    pub fn contains(&self, path: &Path) -> bool {
        match (self.fs.canonicalize(path), &self.real_root) {
            (Some(real), Some(root)) => real.starts_with(root),
            _ => path.starts_with(&self.root),
        }
    }

    fn inside(&self, path: &Path) -> Result<(), ReadError> {
        if self.contains(path) {
            Ok(())
        } else {
            Err(ReadError::OutsideProject)
        }
    }

    /// A project file's bytes (refused outside the project).
    pub fn read(&self, path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError> {
        self.inside(path)?;
        self.fs.read(path, limit)
    }

    /// A project file as text (refused outside the project).
    pub fn read_text(&self, path: &Path, limit: Limit) -> Result<String, ReadError> {
        self.inside(path)?;
        self.fs.read_text(path, limit)
    }

    /// The first bytes of a project file, cut back to a character boundary
    /// when the file is UTF-8 there, and its size.
    pub fn read_head(&self, path: &Path, limit: usize) -> Result<(Vec<u8>, u64), ReadError> {
        self.inside(path)?;
        self.fs.read_head(path, limit)
    }

    /// The last bytes of a project file (refused outside the project), and
    /// its size.
    pub fn read_tail(&self, path: &Path, limit: usize) -> Result<(Vec<u8>, u64), ReadError> {
        self.inside(path)?;
        self.fs.read_tail(path, limit)
    }

    /// What is at a project path; None when nothing is, or it is outside.
    pub fn kind(&self, path: &Path) -> Option<Kind> {
        self.contains(path).then(|| self.fs.kind(path)).flatten()
    }

    /// True when `relative` leads outside the project, lexically or through
    /// a symlink.
    pub fn escapes(&self, relative: &str) -> bool {
        match join_inside(&self.root, relative) {
            Some(joined) => !self.contains(&joined),
            None => true,
        }
    }

    /// Every project file a user would reference (see `FileSystem::list_files`).
    pub fn list_files(&self) -> Vec<String> {
        self.fs.list_files(&self.root)
    }

    pub fn read_dir(&self, dir: &Path) -> Vec<(PathBuf, bool)> {
        if !self.contains(dir) {
            return Vec::new();
        }
        self.fs.read_dir(dir)
    }
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

/// Most entries a pattern expansion visits: a pattern such as `**/*`
/// over a huge tree stops there.
const MAX_VISITED: usize = 200_000;

/// The regular files a `tracks`/`origin`/`informed_by` entry names, as
/// `chant drift` expands it (chant 0.23.2 with the `glob` crate, run from
/// the project root): a glob when the entry holds `*`, `?` or `[`, matched
/// one path component at a time (`*` never crosses a `/`, `**` as a whole
/// component matches any number of folders, hidden files match, `{}` is
/// literal); otherwise a literal path. Each file with its path spelt as the
/// entry spells it and its modification time. Entries that leave the
/// project (or are absolute) name nothing here.
pub fn expand_like_chant(
    files: &ProjectFiles,
    pattern: &str,
) -> Vec<(String, Option<std::time::SystemTime>)> {
    if pattern.is_empty() || Path::new(pattern).is_absolute() || files.escapes(pattern) {
        return Vec::new();
    }
    let file_at = |path: &Path| match files.kind(path) {
        Some(Kind::File { modified, .. }) => Some(modified),
        _ => None,
    };
    if !pattern.contains(['*', '?', '[']) {
        let Some(path) = join_inside(files.root(), pattern) else {
            return Vec::new();
        };
        return file_at(&path)
            .map(|modified| vec![(pattern.to_string(), modified)])
            .unwrap_or_default();
    }
    enum Part {
        Literal(String),
        Recursive,
        Glob(globset::GlobMatcher),
    }
    let mut parts = Vec::new();
    for component in pattern.split('/').filter(|c| !c.is_empty()) {
        if component == "**" {
            parts.push(Part::Recursive);
        } else if component.contains("**") {
            // The glob crate refuses it ("recursive wildcards must form a
            // single path component"), and chant with it.
            return Vec::new();
        } else if component.contains(['*', '?', '[']) {
            let escaped = component.replace('{', "[{]").replace('}', "[}]");
            let Ok(glob) = globset::GlobBuilder::new(&escaped)
                .literal_separator(true)
                .backslash_escape(false)
                .build()
            else {
                return Vec::new();
            };
            parts.push(Part::Glob(glob.compile_matcher()));
        } else {
            parts.push(Part::Literal(component.to_string()));
        }
    }
    let join = |rel: &str, name: &str| {
        if rel.is_empty() {
            name.to_string()
        } else {
            format!("{rel}/{name}")
        }
    };
    // (absolute path, spelling so far, is a folder)
    let mut current = vec![(files.root().to_path_buf(), String::new(), true)];
    let mut visited = 0usize;
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.iter().enumerate() {
        let mut next = Vec::new();
        match part {
            Part::Literal(name) => {
                for (dir, rel, is_dir) in &current {
                    if name == ".." || !is_dir {
                        continue;
                    }
                    let rel = join(rel, name);
                    if name == "." {
                        next.push((dir.clone(), rel, true));
                        continue;
                    }
                    let path = dir.join(name);
                    match files.kind(&path) {
                        Some(Kind::Dir) => next.push((path, rel, true)),
                        Some(_) => next.push((path, rel, false)),
                        None => {}
                    }
                }
            }
            Part::Glob(matcher) => {
                for (dir, rel, is_dir) in &current {
                    if !is_dir {
                        continue;
                    }
                    for (path, child_is_dir) in files.read_dir(dir) {
                        visited += 1;
                        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                            continue;
                        };
                        if matcher.is_match(name) {
                            let child = join(rel, name);
                            next.push((path, child, child_is_dir));
                        }
                    }
                }
            }
            Part::Recursive => {
                // The folder itself and every folder below it; a `**`
                // that ends the pattern matches only folders, which
                // chant then drops (it keeps regular files).
                if i == last {
                    return Vec::new();
                }
                let mut stack: Vec<(PathBuf, String)> = current
                    .iter()
                    .filter(|(_, _, is_dir)| *is_dir)
                    .map(|(p, r, _)| (p.clone(), r.clone()))
                    .collect();
                while let Some((dir, rel)) = stack.pop() {
                    for (path, child_is_dir) in files.read_dir(&dir) {
                        visited += 1;
                        if !child_is_dir {
                            continue;
                        }
                        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                            continue;
                        };
                        let child = join(&rel, name);
                        stack.push((path, child));
                    }
                    next.push((dir, rel, true));
                    if visited > MAX_VISITED {
                        break;
                    }
                }
            }
        }
        if visited > MAX_VISITED {
            break;
        }
        next.sort_by(|a, b| a.1.cmp(&b.1));
        next.dedup_by(|a, b| a.1 == b.1);
        current = next;
    }
    current
        .into_iter()
        .filter(|(_, _, is_dir)| !is_dir)
        .filter_map(|(path, rel, _)| file_at(&path).map(|m| (rel, m)))
        .collect()
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
    pub fn build(files: &ProjectFiles) -> FileTree {
        FileTree::from_files(files.list_files())
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

    #[test]
    fn symlinks_out_escape() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(&root).unwrap();
        std::os::unix::fs::symlink("/etc", root.join("out")).unwrap();
        std::fs::write(root.join("in.md"), "x").unwrap();
        std::os::unix::fs::symlink("/etc/hostname", root.join("spec.md")).unwrap();
        let files = ProjectFiles::on_disk(&root);
        assert!(files.escapes("out/passwd"));
        assert!(files.escapes("../x"));
        assert!(!files.escapes("in.md"));
        assert!(!files.escapes("missing.md"));
        assert_eq!(
            files.read_text(&root.join("spec.md"), Limit::SPEC),
            Err(ReadError::OutsideProject)
        );
        assert_eq!(
            files.read_text(&root.join("in.md"), Limit::SPEC).as_deref(),
            Ok("x")
        );
        assert_eq!(files.kind(&root.join("out/passwd")), None);
    }

    #[test]
    fn patterns_expand_as_chant_drift_expands_them() {
        use crate::vfs::MemoryFs;
        let root = Path::new("/w");
        let fs = MemoryFs::with_files(
            root,
            [
                ("src/a.rs", ""),
                ("src/b.txt", ""),
                ("src/deep/c.rs", ""),
                ("src/.hidden.rs", ""),
                ("docs/{x}.md", ""),
                ("top.rs", ""),
            ],
        );
        let files = ProjectFiles::new(Arc::new(fs), root);
        let names = |pattern: &str| -> Vec<String> {
            expand_like_chant(&files, pattern)
                .into_iter()
                .map(|(p, _)| p)
                .collect()
        };
        assert_eq!(names("src/*.rs"), ["src/.hidden.rs", "src/a.rs"]);
        assert_eq!(
            names("src/**/*.rs"),
            ["src/.hidden.rs", "src/a.rs", "src/deep/c.rs"]
        );
        assert_eq!(names("**/c.rs"), ["src/deep/c.rs"]);
        assert_eq!(names("*.rs"), ["top.rs"]);
        assert_eq!(names("./src/?.rs"), ["./src/a.rs"]);
        assert_eq!(names("docs/{x}.m[d]"), ["docs/{x}.md"]);
        assert_eq!(names("src/a.rs"), ["src/a.rs"]);
        assert!(names("src/**").is_empty(), "folders only");
        assert!(names("src").is_empty(), "a folder is not a file");
        assert!(names("src/a**.rs").is_empty(), "refused by the glob crate");
        assert!(names("../w/src/*.rs").is_empty());
        assert!(names("missing.rs").is_empty());
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
}
