//! References a spec makes (paths, spec IDs, the prompt) and where they
//! lead: go to definition, document links, find references.

use std::path::{Path, PathBuf};

use super::{read_source, Sources, Target};
use crate::spec::fields::{self, Refers};
use crate::spec::SpecModel;
use crate::syntax::yaml::YamlKind;
use crate::text::TextRange;
use crate::vfs::Kind;
use crate::workspace::files;
use crate::workspace::{classify, ChantFile, ProjectIndex};

/// One reference written in a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The frontmatter field, or None for a spec ID mentioned in the body.
    pub field: Option<&'static str>,
    pub refers: Refers,
    pub value: String,
    /// The value's text (inside quotes).
    pub range: TextRange,
}

/// Every reference in a spec, in text order.
pub fn references_in(model: &SpecModel) -> Vec<Reference> {
    let mut out = Vec::new();
    for entry in &model.frontmatter.outline().entries {
        let Some(info) = fields::field_info(&entry.key) else {
            continue;
        };
        if info.refers == Refers::Nothing {
            continue;
        }
        let Some(value) = &entry.value else { continue };
        let mut push = |node: &crate::syntax::yaml::YamlNode| {
            if let Some(s) = node.as_scalar() {
                if !s.text.is_empty() {
                    out.push(Reference {
                        field: Some(info.name),
                        refers: info.refers,
                        value: s.text.clone(),
                        range: node.content_range(),
                    });
                }
            }
        };
        match &value.kind {
            YamlKind::Scalar(_) => push(value),
            YamlKind::Sequence { items, .. } => items.iter().for_each(push),
            _ => {}
        }
    }
    for mention in &model.body.mentions {
        out.push(Reference {
            field: None,
            refers: Refers::SpecIds,
            value: mention.id.clone(),
            range: mention.range.clone(),
        });
    }
    out
}

/// The reference under the cursor (ends inclusive, so a cursor just after
/// a value still finds it).
pub fn reference_at(model: &SpecModel, offset: usize) -> Option<Reference> {
    references_in(model)
        .into_iter()
        .find(|r| r.range.start <= offset && offset <= r.range.end)
}

/// Where a reference leads, if it leads anywhere that exists.
pub fn resolve(index: &ProjectIndex, reference: &Reference) -> Option<PathBuf> {
    match reference.refers {
        Refers::SpecIds => index
            .spec(&reference.value)
            .map(|e| e.path.clone())
            .or_else(|| index.archived(&reference.value).map(Path::to_path_buf)),
        Refers::Prompt => index.prompt(&reference.value).map(|p| p.path.clone()),
        Refers::Paths | Refers::PathGlobs => {
            if index.project_files().escapes(&reference.value) {
                return None;
            }
            let path = files::join_inside(&index.root, &reference.value)?;
            // Through the project's file system (the disk, or memory), like
            // every other read; only files and folders (an editor that
            // opens a named pipe blocks).
            let kind = index.project_files().kind(&path);
            matches!(kind, Some(Kind::File { .. } | Kind::Dir)).then_some(path)
        }
        Refers::Nothing => None,
    }
}

pub fn definition(index: &ProjectIndex, model: &SpecModel, offset: usize) -> Option<Target> {
    let reference = reference_at(model, offset)?;
    let path = resolve(index, &reference)?;
    Some(Target { path, range: None })
}

/// Document links for every reference that resolves.
pub fn links(index: &ProjectIndex, model: &SpecModel) -> Vec<(TextRange, PathBuf)> {
    references_in(model)
        .into_iter()
        .filter(|r| !r.range.is_empty())
        .filter_map(|r| resolve(index, &r).map(|p| (r.range, p)))
        .collect()
}

/// The link from a spec to its agent's log (`.chant/logs/<id>.log`), when
/// the log exists: on the `## Agent Output` heading chant appends after a
/// run, else on the `status` value.
pub fn agent_log_link(
    index: &ProjectIndex,
    model: &SpecModel,
    id: &str,
) -> Option<(TextRange, PathBuf)> {
    let log = super::commands::existing_log(index, id)?;
    let heading = model
        .body
        .headings
        .iter()
        .rev()
        .find(|h| h.level == 2 && h.text.trim() == "Agent Output")
        .map(|h| h.range.clone());
    let range = heading.or_else(|| {
        model
            .frontmatter
            .outline()
            .entry("status")
            .and_then(|e| e.value.as_ref())
            .map(|v| v.content_range())
    })?;
    (!range.is_empty()).then_some((range, log))
}

/// What "find references" was asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A spec (by ID): who depends on it, lists it as a member or informs from it.
    Spec(String),
    /// A file by its path relative to the root: which specs list it.
    File(String),
}

/// The subject of a references request at `offset` in `path`'s document.
pub fn subject_at(
    index: &ProjectIndex,
    path: &Path,
    model: Option<&SpecModel>,
    offset: usize,
) -> Option<Subject> {
    if let Some(model) = model {
        if let Some(reference) = reference_at(model, offset) {
            return match reference.refers {
                Refers::SpecIds => Some(Subject::Spec(reference.value)),
                Refers::Paths | Refers::PathGlobs => {
                    Some(Subject::File(normalize(&reference.value)))
                }
                _ => None,
            };
        }
    }
    match classify(path) {
        ChantFile::Spec { id, .. } => Some(Subject::Spec(id)),
        _ => path
            .strip_prefix(&index.root)
            .ok()
            .map(|rel| Subject::File(rel.to_string_lossy().replace('\\', "/"))),
    }
}

fn normalize(path: &str) -> String {
    path.trim_start_matches("./").to_string()
}

/// Every place in the project's specs that refers to `subject`.
pub fn find_references(
    index: &ProjectIndex,
    subject: &Subject,
    sources: &dyn Sources,
) -> Vec<Target> {
    let mut candidates: Vec<PathBuf> = index
        .specs()
        .chain(index.nested_specs())
        .filter(|e| match subject {
            Subject::Spec(id) => {
                e.summary.depends_on.contains(id)
                    || e.summary.members.contains(id)
                    || spec_listed_as_path(&e.summary.informed_by, id)
            }
            Subject::File(rel) => e
                .summary
                .informed_by
                .iter()
                .chain(&e.summary.context)
                .chain(&e.summary.origin)
                .chain(&e.summary.target_files)
                .any(|p| normalize(p) == *rel),
        })
        .map(|e| e.path.clone())
        .collect();
    candidates.sort();
    let mut out = Vec::new();
    for path in candidates {
        let Some(text) = read_source(index.project_files(), sources, &path) else {
            continue;
        };
        let model = SpecModel::parse(&text);
        for reference in references_in(&model) {
            let hit = match subject {
                Subject::Spec(id) => match reference.refers {
                    Refers::SpecIds => reference.field.is_some() && reference.value == *id,
                    Refers::Paths => {
                        reference.field == Some("informed_by")
                            && spec_listed_as_path(std::slice::from_ref(&reference.value), id)
                    }
                    _ => false,
                },
                Subject::File(rel) => {
                    matches!(reference.refers, Refers::Paths) && normalize(&reference.value) == *rel
                }
            };
            if hit {
                out.push(Target {
                    path: path.clone(),
                    range: Some(reference.range),
                });
            }
        }
    }
    out
}

fn spec_listed_as_path(paths: &[String], id: &str) -> bool {
    paths.iter().any(|p| {
        let p = normalize(p);
        p.strip_prefix(".chant/specs/")
            .and_then(|rest| rest.strip_suffix(".md"))
            == Some(id)
    })
}
