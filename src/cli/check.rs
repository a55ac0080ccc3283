//! `chant-lsp check [PATH...]`: the editor's diagnostics for whole projects
//! or single spec files, in a terminal or CI. This module only collects them;
//! `super::report` renders them.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analysis::{self, Diagnostic, Filter, SpecContext};
use crate::workspace::{
    classify, find_roots, root_of, ChantFile, LoadedSpec, ProjectFiles, ProjectIndex, SpecEntry,
    SpecSummary,
};

/// The diagnostics of one spec file, with its text for rendering.
pub struct FileReport {
    pub path: PathBuf,
    pub spec_id: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

pub struct CheckResult {
    pub files: Vec<FileReport>,
    /// Problems that are not diagnostics of a spec (bad paths, unreadable config).
    pub notes: Vec<Note>,
}

/// A problem that is not a diagnostic of a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub kind: NoteKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// A path given on the command line that does not exist, is not a spec
    /// file, or holds no chant project: a usage error.
    BadPath,
    /// A project's `.chant/config.md` that chant would not read.
    Config,
    /// A cap that left part of a project out (a walk of `.chant/specs`
    /// stopped at its cap).
    Limit,
}

impl Note {
    fn bad_path(message: String) -> Note {
        Note {
            kind: NoteKind::BadPath,
            message,
        }
    }

    pub fn is_bad_path(&self) -> bool {
        self.kind == NoteKind::BadPath
    }
}

impl CheckResult {
    pub fn has_errors(&self) -> bool {
        self.files
            .iter()
            .flat_map(|f| &f.diagnostics)
            .any(|d| d.severity == analysis::Severity::Error)
    }

    /// Whether a path given on the command line could not be checked.
    pub fn has_bad_paths(&self) -> bool {
        self.notes.iter().any(Note::is_bad_path)
    }
}

/// Analyse every spec named by `paths` (projects, folders holding projects,
/// or single spec files).
pub fn check(paths: &[PathBuf], filter: &Filter) -> CheckResult {
    let mut notes = Vec::new();
    let mut projects: Vec<(PathBuf, Option<Vec<PathBuf>>)> = Vec::new();
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    for path in paths {
        let Ok(path) = path.canonicalize() else {
            notes.push(Note::bad_path(format!(
                "{}: no such file or folder",
                path.display()
            )));
            continue;
        };
        if path.is_file() {
            match (classify(&path), root_of(&path)) {
                (ChantFile::Spec { .. }, Some(root)) => add_file(&mut projects, root, path),
                _ => notes.push(Note::bad_path(format!(
                    "{}: not a spec file (specs live in .chant/specs/)",
                    path.display()
                ))),
            }
        } else {
            let roots = find_roots(&path);
            if roots.is_empty() {
                notes.push(Note::bad_path(format!(
                    "{}: no chant project here (no .chant/ folder found)",
                    path.display()
                )));
            }
            for root in roots {
                if !projects.iter().any(|(r, _)| *r == root) {
                    projects.push((root, None));
                }
            }
        }
    }
    let mut files = Vec::new();
    for (root, only) in projects {
        let mut checked = check_project(&root, only.as_deref(), filter);
        if let Some(problem) = checked.config_problem {
            notes.push(Note {
                kind: NoteKind::Config,
                message: format!("{}: {problem}", root.join(".chant/config.md").display()),
            });
        }
        notes.extend(checked.limits.into_iter().map(|message| Note {
            kind: NoteKind::Limit,
            message,
        }));
        files.append(&mut checked.reports);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    CheckResult { files, notes }
}

fn add_file(projects: &mut Vec<(PathBuf, Option<Vec<PathBuf>>)>, root: PathBuf, file: PathBuf) {
    match projects.iter_mut().find(|(r, _)| *r == root) {
        Some((_, Some(only))) => only.push(file),
        Some((_, None)) => {}
        None => projects.push((root, Some(vec![file]))),
    }
}

/// Check one project: parse every spec once (in parallel), build the index
/// from those parses, then diagnose the specs asked for.
fn check_project(root: &Path, only: Option<&[PathBuf]>, filter: &Filter) -> ProjectCheck {
    let files = ProjectFiles::on_disk(root);
    let config = crate::workspace::config::load(files.fs().as_ref(), root);
    let problem = config.problem.clone();
    let walk = crate::workspace::index::spec_paths(&files);
    let walk_notes = walk.notes(&files, &root.join(".chant/specs"));
    let loaded: Vec<(SpecEntry, LoadedSpec)> = walk
        .paths
        .par_iter()
        .filter_map(|path| {
            let ChantFile::Spec { id, top_level, .. } = classify(path) else {
                return None;
            };
            let loaded = LoadedSpec::load(&files, path);
            Some((entry(id, path, top_level, loaded.summary()), loaded))
        })
        .collect();
    let mut index =
        ProjectIndex::from_entries(files, config, loaded.iter().map(|(e, _)| e.clone()));
    for note in walk_notes {
        index.add_note(note);
    }
    let limits = index
        .notes()
        .iter()
        .map(|n| format!("{}: {n}", root.display()))
        .collect();
    let wanted = |path: &Path| only.is_none_or(|only| only.iter().any(|p| p == path));
    let reports = loaded
        .into_par_iter()
        .filter(|(entry, _)| wanted(&entry.path))
        .map(|(entry, loaded)| FileReport {
            diagnostics: loaded.diagnose(
                SpecContext {
                    id: &entry.id,
                    path: Some(&entry.path),
                },
                &index,
                filter,
            ),
            text: match loaded {
                LoadedSpec::Parsed { text, .. } => text,
                LoadedSpec::Unreadable(_) => String::new(),
            },
            path: entry.path,
            spec_id: entry.id,
        })
        .collect();
    ProjectCheck {
        reports,
        config_problem: problem,
        limits,
    }
}

/// What checking one project gave.
struct ProjectCheck {
    reports: Vec<FileReport>,
    /// Why chant would not read the project's config.
    config_problem: Option<String>,
    /// What a cap left out (a walk stopped), one sentence each.
    limits: Vec<String>,
}

fn entry(id: String, path: &Path, top_level: bool, summary: SpecSummary) -> SpecEntry {
    SpecEntry {
        id,
        path: path.to_path_buf(),
        top_level,
        summary,
    }
}
