//! A project's files as chant-lsp may read them: through the guarded file
//! system (`vfs`), and only inside the project (a symlink that leads out is
//! refused), plus path questions (does a reference climb out?) and the list
//! of project files for globs and completion.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::analysis::{Expansion, ModifiedFile, PathState};
use crate::vfs::{DirEntry, FileSystem, Kind, Limit, ReadError};

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

    /// What a path relative to the root names, for the rules. Only paths
    /// inside the project are looked at (the rules report escapes first);
    /// anything else is missing as far as they can tell.
    pub fn path_state(&self, relative: &str) -> PathState {
        let Some(path) = join_inside(&self.root, relative) else {
            return PathState::Missing;
        };
        match self.kind(&path) {
            Some(Kind::Dir) => PathState::Directory,
            Some(_) => PathState::File,
            None => PathState::Missing,
        }
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

    pub fn read_dir(&self, dir: &Path) -> Vec<DirEntry> {
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

pub use crate::analysis::drift::MAX_EXPANSION_ENTRIES;

/// The regular files a `tracks`/`origin`/`informed_by` entry names, as
/// `chant drift` expands it (chant 0.23.2 with the `glob` crate, run from
/// the project root): a glob when the entry holds `*`, `?` or `[`, matched
/// one path component at a time (`*` never crosses a `/`, `**` as a whole
/// component matches any number of folders, hidden files match, `{}` is
/// literal, links are followed); otherwise a literal path. Each file with
/// its path spelt as the entry spells it and its modification time.
/// Entries that leave the project (or are absolute) name nothing here.
///
/// Bounded whatever the tree: each real folder is read at most once per
/// component (links that loop lead to folders already read; the files
/// under them are the same real files chant would find under longer
/// spellings), and at most [`MAX_EXPANSION_ENTRIES`] entries are read in
/// all. An expansion the cap stopped says so (`complete: false`) and holds
/// only the files that matched the whole pattern before it stopped.
pub fn expand_like_chant(files: &ProjectFiles, pattern: &str) -> Expansion {
    let done = |found: Vec<(String, Option<std::time::SystemTime>)>| Expansion {
        files: found
            .into_iter()
            .map(|(path, modified)| ModifiedFile { path, modified })
            .collect(),
        complete: true,
    };
    if pattern.is_empty() || Path::new(pattern).is_absolute() || files.escapes(pattern) {
        return done(Vec::new());
    }
    let file_at = |path: &Path| match files.kind(path) {
        Some(Kind::File { modified, .. }) => Some(modified),
        _ => None,
    };
    if !pattern.contains(['*', '?', '[']) {
        let Some(path) = join_inside(files.root(), pattern) else {
            return done(Vec::new());
        };
        return done(
            file_at(&path)
                .map(|modified| vec![(pattern.to_string(), modified)])
                .unwrap_or_default(),
        );
    }
    let Some(parts) = pattern_parts(pattern) else {
        return done(Vec::new());
    };
    let mut budget = MAX_EXPANSION_ENTRIES;
    // (absolute path, spelling so far, is a folder)
    let mut current = vec![(files.root().to_path_buf(), String::new(), true)];
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.iter().enumerate() {
        // The glob crate matches the component after `**` against the
        // names of the folders and files `**` reached, and no name is
        // `.` or `..`: `**/./x` names nothing.
        let after_recursive = i > 0 && matches!(parts[i - 1], Part::Recursive);
        let stepped = match part {
            Part::Recursive if i == last => {
                // A `**` that ends the pattern matches only folders, which
                // chant then drops (it keeps regular files).
                return done(Vec::new());
            }
            Part::Recursive => recursive_step(files, &current, &mut budget),
            Part::Literal(name) if after_recursive && (name == "." || name == "..") => {
                return done(Vec::new());
            }
            Part::Literal(name) => Some(literal_step(files, &current, name)),
            Part::Glob {
                matcher,
                leading_dot,
            } => glob_step(
                files,
                &current,
                matcher,
                *leading_dot && !after_recursive,
                &mut budget,
            ),
        };
        let Some(mut next) = stepped else {
            // The cap stopped this component: no candidate has matched the
            // whole pattern yet, so nothing is claimed.
            return Expansion {
                files: Vec::new(),
                complete: false,
            };
        };
        next.sort_by(|a, b| a.1.cmp(&b.1));
        next.dedup_by(|a, b| a.1 == b.1);
        current = one_spelling_per_folder(files, next);
    }
    done(
        current
            .into_iter()
            .filter(|(_, _, is_dir)| !is_dir)
            .filter_map(|(path, rel, _)| file_at(&path).map(|m| (rel, m)))
            .collect(),
    )
}

/// One component of a pattern.
enum Part {
    Literal(String),
    Recursive,
    Glob {
        matcher: globset::GlobMatcher,
        /// Written with a leading `.`: the glob crate then also tries the
        /// names `.` and `..` (`.*` names the folder itself and its parent).
        leading_dot: bool,
    },
}

/// A glob's components as the `glob` crate reads them; None for a
/// pattern it refuses (and chant with it).
fn pattern_parts(pattern: &str) -> Option<Vec<Part>> {
    let mut parts = Vec::new();
    for component in pattern.split('/').filter(|c| !c.is_empty()) {
        if component == "**" {
            parts.push(Part::Recursive);
        } else if component.contains("**") {
            // "recursive wildcards must form a single path component"
            return None;
        } else if component.contains(['*', '?', '[']) {
            let escaped = component.replace('{', "[{]").replace('}', "[}]");
            let glob = globset::GlobBuilder::new(&escaped)
                .literal_separator(true)
                .backslash_escape(false)
                .build()
                .ok()?;
            parts.push(Part::Glob {
                matcher: glob.compile_matcher(),
                leading_dot: component.starts_with('.'),
            });
        } else {
            parts.push(Part::Literal(component.to_string()));
        }
    }
    Some(parts)
}

type Candidate = (PathBuf, String, bool);

fn join_spelling(rel: &str, name: &str) -> String {
    if rel.is_empty() {
        name.to_string()
    } else {
        format!("{rel}/{name}")
    }
}

fn literal_step(files: &ProjectFiles, current: &[Candidate], name: &str) -> Vec<Candidate> {
    let mut next = Vec::new();
    for (dir, rel, is_dir) in current {
        if name == ".." || !is_dir {
            continue;
        }
        let rel = join_spelling(rel, name);
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
    next
}

/// The entries of the candidate folders whose names match; None when the
/// budget ran out inside the component.
fn glob_step(
    files: &ProjectFiles,
    current: &[Candidate],
    matcher: &globset::GlobMatcher,
    specials: bool,
    budget: &mut usize,
) -> Option<Vec<Candidate>> {
    let mut next = Vec::new();
    for (dir, rel, is_dir) in current {
        if !is_dir {
            continue;
        }
        if specials {
            for special in [".", ".."] {
                let path = dir.join(special);
                // `..` from the root leads out, where nothing is read.
                if matcher.is_match(special) && files.kind(&path) == Some(Kind::Dir) {
                    next.push((path, join_spelling(rel, special), true));
                }
            }
        }
        for entry in files.read_dir(dir) {
            *budget = budget.checked_sub(1)?;
            let Some(name) = entry.path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if matcher.is_match(name) {
                let child = join_spelling(rel, name);
                next.push((entry.path.clone(), child, entry.is_dir));
            }
        }
    }
    Some(next)
}

/// The candidate folders and every folder below them, each real folder
/// once (a link back up is not followed round); None when the budget ran
/// out.
fn recursive_step(
    files: &ProjectFiles,
    current: &[Candidate],
    budget: &mut usize,
) -> Option<Vec<Candidate>> {
    let mut seen = std::collections::HashSet::new();
    let mut next = Vec::new();
    let mut stack: Vec<(PathBuf, String)> = current
        .iter()
        .filter(|(_, _, is_dir)| *is_dir)
        .map(|(p, r, _)| (p.clone(), r.clone()))
        .rev()
        .collect();
    while let Some((dir, rel)) = stack.pop() {
        if let Some(id) = files.fs().file_id(&dir) {
            if !seen.insert(id) {
                continue;
            }
        }
        let mut below = Vec::new();
        for entry in files.read_dir(&dir) {
            *budget = budget.checked_sub(1)?;
            if !entry.is_dir {
                continue;
            }
            let Some(name) = entry.path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let spelling = join_spelling(&rel, name);
            below.push((entry.path, spelling));
        }
        stack.extend(below.into_iter().rev());
        next.push((dir, rel, true));
    }
    Some(next)
}

/// Candidates that reach one real folder by several spellings (links)
/// lead to the same files below it: keep the first spelling only, so
/// links that loop cannot multiply the work of the next component.
fn one_spelling_per_folder(files: &ProjectFiles, candidates: Vec<Candidate>) -> Vec<Candidate> {
    let mut seen = std::collections::HashSet::new();
    candidates
        .into_iter()
        .filter(|(path, _, is_dir)| {
            !is_dir || files.fs().file_id(path).is_none_or(|id| seen.insert(id))
        })
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
            let expansion = expand_like_chant(&files, pattern);
            assert!(expansion.complete, "{pattern}");
            expansion.files.into_iter().map(|f| f.path).collect()
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
    fn links_that_loop_cost_one_read_per_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src/deep")).unwrap();
        std::fs::write(root.join("src/a.rs"), "").unwrap();
        std::fs::write(root.join("src/deep/b.rs"), "").unwrap();
        // 300 links to the root: `*/*/*` would name 27 million paths.
        for i in 0..300 {
            std::os::unix::fs::symlink(".", root.join(format!("l{i:03}"))).unwrap();
        }
        std::os::unix::fs::symlink("..", root.join("src/up")).unwrap();
        let files = ProjectFiles::on_disk(root);
        let names = |pattern: &str| -> Vec<String> {
            let expansion = expand_like_chant(&files, pattern);
            assert!(expansion.complete, "{pattern}");
            expansion.files.into_iter().map(|f| f.path).collect()
        };
        // Each real file once, by the first spelling that reaches it.
        assert_eq!(names("*/*/*.rs"), ["l000/src/a.rs", "src/deep/b.rs"]);
        assert_eq!(names("**/*.rs"), ["src/a.rs", "src/deep/b.rs"]);
        // The glob crate matches what follows `**` against names, and no
        // name is `.`: chant finds nothing there.
        assert_eq!(names("./**/./*.rs"), Vec::<String>::new());
        // A component written with a leading dot also names `.` and `..`.
        assert_eq!(names("src/.*/*.rs"), ["src/./a.rs"]);
        assert_eq!(names("src/.*/src/*.rs"), ["src/../src/a.rs"]);
        assert_eq!(names("src/up/src/*.rs"), ["src/up/src/a.rs"]);
    }

    #[test]
    fn an_expansion_the_cap_stops_claims_nothing() {
        use crate::vfs::MemoryFs;
        let root = Path::new("/w");
        let fs = MemoryFs::new();
        for i in 0..MAX_EXPANSION_ENTRIES + 1 {
            fs.write(&root.join(format!("f{i:06}")), "");
        }
        fs.write(&root.join("d/x.rs"), "");
        let files = ProjectFiles::new(Arc::new(fs), root);
        // Stopped inside the `*` component: none of the root's files
        // matched the whole pattern, and none is claimed.
        let stopped = expand_like_chant(&files, "*/x.rs");
        assert!(!stopped.complete);
        assert_eq!(stopped.files, []);
        let stopped = expand_like_chant(&files, "**/x.rs");
        assert!(!stopped.complete);
        assert_eq!(stopped.files, []);
        // A literal path reads no folder.
        let literal = expand_like_chant(&files, "d/x.rs");
        assert!(literal.complete);
        assert_eq!(literal.files.len(), 1);
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
