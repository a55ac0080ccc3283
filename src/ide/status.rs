//! What an editor's own UI shows of a spec (`chant/specStatus`, and each
//! item of `chant/specList`): its status, where it stands for chant, its
//! criteria and the commands it offers, all from [`super::commands`] and
//! `analysis::readiness`, so the lens, the code actions and these lists say
//! the same thing.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::commands::{self, CommandOffer, SpecView};
use super::outline::title_lens;
use super::{read_source, Sources};
use crate::analysis::quality::{self, Grades};
use crate::analysis::readiness::{self, Readiness};
use crate::spec::SpecModel;
use crate::text::TextRange;
use crate::workspace::Project;

/// A spec's status, readiness and commands.
#[derive(Debug, Clone)]
pub struct SpecStatusFacts {
    pub id: String,
    pub title: Option<String>,
    /// The `status:` field as chant reads it.
    pub status: &'static str,
    pub spec_type: &'static str,
    /// `ready`, `blocked`, `needs_approval`, ...
    pub readiness: &'static str,
    /// Why, in words.
    pub reason: String,
    /// Where `chant list` shows the spec otherwise than `chant work` sees it.
    pub list_note: Option<String>,
    pub checked: usize,
    pub total: usize,
    pub running: bool,
    pub offers: Vec<CommandOffer>,
    /// chant's grades (`chant work`'s, which decide whether it runs); None
    /// when chant cannot read the spec.
    pub quality: Option<QualityFacts>,
}

/// chant's letters for a spec and the reasons that hold its light down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityFacts {
    pub grades: Grades,
    /// "Refine: complexity D (12 criteria)", "Ready".
    pub summary: String,
}

/// chant's grades of the spec a view shows, None when chant cannot read it.
pub fn quality_of(view: &SpecView) -> Option<QualityFacts> {
    if !view.model.chant_accepts() {
        return None;
    }
    let quality = quality::assess_spec(view.text, view.model, view.id, view.index);
    Some(QualityFacts {
        grades: quality.grades(),
        summary: quality.summary(),
    })
}

/// The one answer `chant/specStatus` and `chant/specList` give for a spec.
pub fn status_of(view: &SpecView) -> SpecStatusFacts {
    let readiness = commands::readiness(view);
    let model = view.model;
    let v = model.values();
    let total = model.body.total_checkboxes();
    SpecStatusFacts {
        id: view.id.to_string(),
        title: model.body.title.as_ref().map(|t| t.text.clone()),
        status: v.status.as_str(),
        spec_type: v.r#type.as_str(),
        readiness: readiness.name(),
        reason: readiness.reason(),
        list_note: readiness::list_disagreement(model, view.id, view.index, &readiness),
        checked: total - model.body.unchecked_count(),
        total,
        running: view.running,
        offers: commands::commands(view),
        quality: quality_of(view),
    }
}

/// The code lens row on a spec's title: where the spec stands (its status,
/// criteria, chant's quality light for a spec `chant work` could run, and
/// its readiness), then the commands that can run now and belong in a lens.
#[derive(Debug, Clone)]
pub struct LensRow {
    pub range: TextRange,
    /// "pending · 0/3 · blocked: waiting for X (pending)".
    pub status: String,
    pub offers: Vec<CommandOffer>,
}

/// The lens row of a spec with a title.
pub fn lens_row(view: &SpecView) -> Option<LensRow> {
    let (range, mut status) = title_lens(view.model)?;
    let readiness = commands::readiness(view);
    let light = match &readiness {
        Readiness::Completed | Readiness::Cancelled | Readiness::InProgress => None,
        _ => quality_of(view),
    };
    if let Some(quality) = light {
        status.push_str(&format!(
            " · {} {}",
            quality.grades.light.emoji(),
            quality.summary
        ));
    }
    match &readiness {
        Readiness::Completed | Readiness::Cancelled | Readiness::InProgress => {}
        Readiness::Ready => status.push_str(" · ready"),
        // The light beside it already says why.
        Readiness::Refused(refusal) if refusal.quality_gate => {
            status.push_str(" · refused: Work anyway skips the quality check")
        }
        other => status.push_str(&format!(" · {}: {}", other.label(), other.reason())),
    }
    let offers = commands::commands(view)
        .into_iter()
        .filter(|o| o.refused.is_none() && o.lens)
        .collect();
    Some(LensRow {
        range,
        status,
        offers,
    })
}

/// One spec of a project's list.
#[derive(Debug, Clone)]
pub struct ListedSpec {
    pub path: PathBuf,
    pub labels: Vec<String>,
    pub status: SpecStatusFacts,
}

/// The agent branches of a project, as git lists them.
#[derive(Debug, Default, Clone)]
pub struct Branches {
    pub existing: HashSet<String>,
    /// Those merged into the main branch (None: git could not tell).
    pub merged: Option<HashSet<String>>,
}

/// What the list needs besides the project.
pub struct ListFacts<'a> {
    pub sources: &'a (dyn Sources + Sync),
    pub running: &'a (dyn Fn(&Path) -> bool + Sync),
    pub branches: &'a Branches,
    pub commands_enabled: bool,
    /// Open files with unsaved changes (a prompt chant would read).
    pub unsaved_files: &'a [PathBuf],
}

/// Every spec of a project (read in parallel without the index's lock,
/// then assessed against the index), sorted by ID. Only the commands that
/// can run are kept: a list of many specs would otherwise carry every
/// refused command with its reason (60 MB for 10,000 specs);
/// `chant/specStatus` has them all for one spec.
pub fn list_project(project: &Project, facts: &ListFacts) -> Vec<ListedSpec> {
    let entries: Vec<(String, PathBuf, Vec<String>, bool)> = {
        let index = project.index();
        index
            .specs()
            .chain(index.nested_specs())
            .map(|e| {
                (
                    e.id.clone(),
                    e.path.clone(),
                    e.summary.labels.clone(),
                    !e.top_level,
                )
            })
            .collect()
    };
    let files = project.files().clone();
    type Read = (String, PathBuf, Vec<String>, bool, String, SpecModel);
    let read: Vec<Read> = entries
        .into_par_iter()
        .map(|(id, path, labels, nested)| {
            let text = read_source(&files, facts.sources, &path).unwrap_or_default();
            let model = SpecModel::parse(&text);
            (id, path, labels, nested, text, model)
        })
        .collect();
    let mut out: Vec<ListedSpec> = read
        .par_chunks(512)
        .flat_map_iter(|chunk| {
            let index = project.index();
            chunk
                .iter()
                .map(|(id, path, labels, nested, text, model)| {
                    let branch = index.config.branch_for(id);
                    let exists = facts.branches.existing.contains(&branch);
                    let view = SpecView {
                        id,
                        path,
                        text,
                        model,
                        index: &index,
                        running: (facts.running)(path),
                        agent_branch: exists.then_some(branch.as_str()),
                        branch_merged: exists
                            .then(|| facts.branches.merged.as_ref().map(|m| m.contains(&branch)))
                            .flatten(),
                        commands_enabled: facts.commands_enabled,
                        nested: *nested,
                        unsaved: false,
                        unsaved_files: facts.unsaved_files,
                    };
                    let mut status = status_of(&view);
                    status.offers.retain(|o| o.refused.is_none());
                    ListedSpec {
                        path: path.clone(),
                        labels: model
                            .values()
                            .labels
                            .clone()
                            .unwrap_or_else(|| labels.clone()),
                        status,
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort_by(|a, b| a.status.id.cmp(&b.status.id).then(a.path.cmp(&b.path)));
    out
}
