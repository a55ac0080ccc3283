//! Which folders the server watches itself for a project, when the client
//! cannot watch files for it: the chant folders first (the config, specs,
//! prompts, archive, logs), then the folders of the files its specs refer
//! to (`informed_by`, `context`, `origin`, `tracks`, `output_schema`: what
//! a spec's diagnostics and drift depend on).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::files::join_inside;
use super::index::ProjectIndex;
use super::watcher::WatchFolder;

/// The folders to watch for a project: its chant folders, and the folders
/// of the files its specs refer to (the watcher's limit cuts the last
/// ones; chant folders go first).
pub struct ProjectFolders {
    pub chant: Vec<WatchFolder>,
    pub references: Vec<WatchFolder>,
}

pub fn folders_to_watch(index: &ProjectIndex) -> ProjectFolders {
    let root = &index.root;
    let chant = root.join(".chant");
    let folder = |path: PathBuf, tree: bool| WatchFolder {
        path,
        tree,
        bound: root.clone(),
    };
    let chant_folders = vec![
        // `.chant` coming back (a checkout), `.chant/config.md`.
        folder(root.clone(), false),
        folder(chant.clone(), false),
        folder(chant.join("specs"), true),
        folder(chant.join("prompts"), true),
        folder(chant.join("archive"), true),
        // Agent logs, checked against a spec's output schema.
        folder(chant.join("logs"), false),
    ];
    let mut seen: HashSet<WatchFolder> = chant_folders.iter().cloned().collect();
    let mut out = Vec::new();
    let mut references: Vec<&str> = index
        .specs()
        .chain(index.nested_specs())
        .flat_map(|e| {
            let s = &e.summary;
            s.informed_by
                .iter()
                .chain(&s.context)
                .chain(&s.origin)
                .chain(&s.tracks)
                .chain(&s.output_schema)
                .map(String::as_str)
        })
        .collect();
    references.sort_unstable();
    references.dedup();
    for reference in references {
        if let Some(wanted) = reference_folder(root, reference) {
            if seen.insert(wanted.clone()) {
                out.push(wanted);
            }
        }
    }
    ProjectFolders {
        chant: chant_folders,
        references: out,
    }
}

/// The folder that sees a reference change: a file's folder (its entries),
/// a pattern's literal start (its tree), a folder's tree. None for a
/// reference outside the project, or a pattern over the whole project (its
/// tree could take every watch there is; the root's entries are watched
/// anyway).
fn reference_folder(root: &Path, reference: &str) -> Option<WatchFolder> {
    let literal: Vec<&str> = reference
        .split('/')
        .take_while(|c| !c.contains(['*', '?', '[', '{']))
        .collect();
    let pattern = literal.len() < reference.split('/').count();
    let folder_ref = !pattern && reference.ends_with('/');
    let (path, tree) = if pattern || folder_ref {
        (join_inside(root, &literal.join("/"))?, true)
    } else {
        (join_inside(root, reference)?.parent()?.to_path_buf(), false)
    };
    if !path.starts_with(root) || (tree && path == root) {
        return None;
    }
    Some(WatchFolder {
        path,
        tree,
        bound: root.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vfs::MemoryFs;
    use crate::workspace::ProjectFiles;
    use std::sync::Arc;

    #[test]
    fn chant_folders_first_then_what_specs_refer_to() {
        let fs = MemoryFs::with_files(
            Path::new("/w"),
            [
                (
                    ".chant/specs/a.md",
                    "---\ntracks:\n  - src/**/*.rs\n  - docs/guide.md\n  - \"**/*.toml\"\n\
                     informed_by: [../outside.md, notes/]\noutput_schema: schemas/out.json\n---\n# A\n",
                ),
                (
                    ".chant/specs/group/b.md",
                    "---\ncontext: [docs/other.md]\n---\n# B\n",
                ),
            ],
        );
        let index = ProjectIndex::load_from(ProjectFiles::new(Arc::new(fs), Path::new("/w")));
        let folders = folders_to_watch(&index);
        let got: Vec<(String, bool)> = folders
            .chant
            .into_iter()
            .chain(folders.references)
            .map(|f| (f.path.display().to_string(), f.tree))
            .collect();
        let want: Vec<(String, bool)> = [
            ("/w", false),
            ("/w/.chant", false),
            ("/w/.chant/specs", true),
            ("/w/.chant/prompts", true),
            ("/w/.chant/archive", true),
            ("/w/.chant/logs", false),
            ("/w/docs", false),
            ("/w/notes", true),
            ("/w/schemas", false),
            ("/w/src", true),
        ]
        .iter()
        .map(|(p, t)| (p.to_string(), *t))
        .collect();
        assert_eq!(got, want);
    }
}
