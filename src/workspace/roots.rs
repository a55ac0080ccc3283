//! Finding chant roots (folders that hold `.chant/`) and telling which kind
//! of chant file a path is.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// What a path is to chant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChantFile {
    /// A spec in `.chant/specs` (`top_level`: directly in it, the only ones
    /// `chant lint` reads).
    Spec {
        root: PathBuf,
        id: String,
        top_level: bool,
    },
    /// An archived spec in `.chant/archive/<date>/`.
    Archived {
        root: PathBuf,
        id: String,
    },
    /// A prompt in `.chant/prompts/` (or `prompts/extensions/`).
    Prompt {
        root: PathBuf,
        name: String,
        extension: bool,
    },
    Config {
        root: PathBuf,
    },
    /// Anything else, including Markdown outside `.chant/specs`.
    Other,
}

/// Classify a path by where it sits under a `.chant` folder. Folders
/// between (`.chant/specs/<folder>/<id>.md`) are kept as the bytes they
/// are, whatever they hold; a file whose own name is not UTF-8 is
/// [`ChantFile::Other`], since chant refuses it ("Invalid spec filename").
pub fn classify(path: &Path) -> ChantFile {
    let components: Vec<_> = path.components().collect();
    let Some(chant_at) = components.iter().rposition(|c| c.as_os_str() == ".chant") else {
        return ChantFile::Other;
    };
    let root: PathBuf = components[..chant_at].iter().collect();
    let rest: Vec<&OsStr> = components[chant_at + 1..]
        .iter()
        .map(|c| c.as_os_str())
        .collect();
    let Some((first, tail)) = rest.split_first() else {
        return ChantFile::Other;
    };
    let Some(first) = first.to_str() else {
        return ChantFile::Other;
    };
    let Some(last) = tail.last() else {
        return match first {
            "config.md" => ChantFile::Config { root },
            _ => ChantFile::Other,
        };
    };
    let Some(last) = last.to_str() else {
        return ChantFile::Other;
    };
    let stem = |name: &str| {
        name.strip_suffix(".md")
            .filter(|s| !s.is_empty() && !s.starts_with('.'))
            .map(str::to_string)
    };
    match (first, tail.len()) {
        // `chant lint` reads every top-level `*.md` (by extension, so an
        // editor's lock file `.#<id>.md` and `.draft.md` too); subfolders
        // are for `chant show/list/work` only, which skip dotfiles there.
        ("specs", 1) => match Path::new(last).extension() {
            Some(ext) if ext == "md" => ChantFile::Spec {
                root,
                id: last[..last.len() - 3].to_string(),
                top_level: true,
            },
            _ => ChantFile::Other,
        },
        ("specs", _) => match stem(last) {
            Some(id) => ChantFile::Spec {
                root,
                id,
                top_level: false,
            },
            None => ChantFile::Other,
        },
        ("archive", _) => match stem(last) {
            Some(id) => ChantFile::Archived { root, id },
            None => ChantFile::Other,
        },
        ("prompts", 1) => stem(last).map_or(ChantFile::Other, |name| ChantFile::Prompt {
            root,
            name,
            extension: false,
        }),
        ("prompts", 2) if tail[0] == "extensions" => {
            stem(last).map_or(ChantFile::Other, |name| ChantFile::Prompt {
                root,
                name,
                extension: true,
            })
        }
        _ => ChantFile::Other,
    }
}

/// The nearest ancestor of `path` (or `path` itself) that holds `.chant/`.
pub fn root_of(path: &Path) -> Option<PathBuf> {
    if let ChantFile::Spec { root, .. }
    | ChantFile::Archived { root, .. }
    | ChantFile::Prompt { root, .. }
    | ChantFile::Config { root } = classify(path)
    {
        return Some(root);
    }
    path.ancestors()
        .find(|dir| dir.join(".chant").is_dir())
        .map(Path::to_path_buf)
}

/// Folders to skip when looking for chant roots: never a chant root, often huge.
const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    ".venv",
    "venv",
    "__pycache__",
    "dist",
    "build",
];

/// Every folder under `folder` (itself included) that holds `.chant/`,
/// respecting `.gitignore` and never descending into `.chant` itself.
/// Several roots and nested roots (monorepos) are all found.
pub fn find_roots(folder: &Path) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if folder.join(".chant").is_dir() {
        roots.push(folder.to_path_buf());
    }
    let walker = ignore::WalkBuilder::new(folder)
        .hidden(false)
        .parents(true)
        .max_depth(Some(12))
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            entry.file_type().is_some_and(|t| t.is_dir()) && !SKIP_DIRS.contains(&name.as_ref())
        })
        .build();
    for entry in walker.flatten() {
        if entry.file_name() == ".chant" && entry.depth() > 1 {
            if let Some(parent) = entry.path().parent() {
                roots.push(parent.to_path_buf());
            }
        }
    }
    roots.sort();
    roots.dedup();
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_chant_files() {
        let p = |s: &str| classify(Path::new(s));
        assert_eq!(
            p("/w/.chant/specs/a.md"),
            ChantFile::Spec {
                root: "/w".into(),
                id: "a".into(),
                top_level: true
            }
        );
        assert_eq!(
            p("/w/.chant/specs/sub/b.md"),
            ChantFile::Spec {
                root: "/w".into(),
                id: "b".into(),
                top_level: false
            }
        );
        assert_eq!(
            p("/w/.chant/archive/2026-01-01/c.md"),
            ChantFile::Archived {
                root: "/w".into(),
                id: "c".into()
            }
        );
        assert_eq!(
            p("/w/.chant/prompts/standard.md"),
            ChantFile::Prompt {
                root: "/w".into(),
                name: "standard".into(),
                extension: false
            }
        );
        assert_eq!(
            p("/w/.chant/config.md"),
            ChantFile::Config { root: "/w".into() }
        );
        assert_eq!(p("/w/README.md"), ChantFile::Other);
        assert_eq!(p("/w/.chant/archive"), ChantFile::Other);
        assert_eq!(p("/w/.chant/prompts/extensions/x/y.md"), ChantFile::Other);
        assert_eq!(p("/w/.chant/specs/.chant-status-a.json"), ChantFile::Other);
        assert_eq!(p("/w/.chant/specs/notes.txt"), ChantFile::Other);
        assert_eq!(
            p("/w/docs/.chant/specs/x.md"),
            ChantFile::Spec {
                root: "/w/docs".into(),
                id: "x".into(),
                top_level: true
            }
        );
    }

    #[test]
    fn a_folder_whose_name_is_not_utf8_stays_in_the_path() {
        use std::os::unix::ffi::OsStrExt;
        let bad = OsStr::from_bytes(b"sub\xff");
        let nested = Path::new("/w/.chant/specs").join(bad).join("a.md");
        assert_eq!(
            classify(&nested),
            ChantFile::Spec {
                root: "/w".into(),
                id: "a".into(),
                top_level: false
            }
        );
        let bad_name = Path::new("/w/.chant/specs").join(OsStr::from_bytes(b"a\xff.md"));
        assert_eq!(classify(&bad_name), ChantFile::Other);
        let bad_root = Path::new("/w").join(bad).join(".chant/specs/a.md");
        assert_eq!(
            classify(&bad_root),
            ChantFile::Spec {
                root: Path::new("/w").join(bad),
                id: "a".into(),
                top_level: true
            }
        );
    }

    #[test]
    fn finds_several_and_nested_roots() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["", "packages/a", "packages/a/inner", "node_modules/x"] {
            std::fs::create_dir_all(dir.path().join(sub).join(".chant/specs")).unwrap();
        }
        let roots = find_roots(dir.path());
        let rel: Vec<_> = roots
            .iter()
            .map(|r| r.strip_prefix(dir.path()).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            rel,
            [
                PathBuf::from(""),
                "packages/a".into(),
                "packages/a/inner".into()
            ]
        );
    }
}
