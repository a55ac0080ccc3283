//! What other specs, completion and hover need to know about a spec: its
//! summary, taken from its model.

use crate::spec::frontmatter::{Approval, SpecStatus, SpecType};
use crate::spec::SpecModel;

/// What other specs, completion and hover need to know about a spec.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpecSummary {
    /// chant parses the file.
    pub accepted: bool,
    pub title: Option<String>,
    pub status: SpecStatus,
    pub spec_type: SpecType,
    pub depends_on: Vec<String>,
    pub members: Vec<String>,
    pub labels: Vec<String>,
    pub informed_by: Vec<String>,
    pub context: Vec<String>,
    pub origin: Vec<String>,
    pub target_files: Vec<String>,
    pub tracks: Vec<String>,
    pub output_schema: Option<String>,
    pub completed_at: Option<String>,
    pub prompt: Option<String>,
    /// 0-based line of the title, for symbols that point at it.
    pub title_line: Option<u32>,
    /// The title in lowercase, for finding a spec by words of its title.
    pub title_lower: String,
    pub approval: Option<Approval>,
    pub checked: usize,
    pub total: usize,
}

impl SpecSummary {
    pub fn from_model(model: &SpecModel) -> SpecSummary {
        let v = model.values();
        let total = model.body.total_checkboxes();
        SpecSummary {
            accepted: model.chant_accepts(),
            title: model.body.title.as_ref().map(|t| t.text.clone()),
            status: v.status,
            spec_type: v.r#type,
            depends_on: v.depends_on.clone().unwrap_or_default(),
            members: v.members.clone().unwrap_or_default(),
            labels: v.labels.clone().unwrap_or_default(),
            informed_by: v.informed_by.clone().unwrap_or_default(),
            context: v.context.clone().unwrap_or_default(),
            origin: v.origin.clone().unwrap_or_default(),
            target_files: v.target_files.clone().unwrap_or_default(),
            tracks: v.tracks.clone().unwrap_or_default(),
            output_schema: v.output_schema.clone(),
            completed_at: v.completed_at.clone(),
            prompt: v.prompt.clone(),
            title_line: model.body.title.as_ref().map(|t| t.line),
            title_lower: model
                .body
                .title
                .as_ref()
                .map(|t| t.text.to_lowercase())
                .unwrap_or_default(),
            approval: v.approval.clone(),
            checked: total - model.body.unchecked_count(),
            total,
        }
    }

    /// A file chant cannot even read as text.
    pub fn unreadable() -> SpecSummary {
        SpecSummary::default()
    }

    /// Whether what a list of specs shows (title, status, type, labels,
    /// criteria, readiness and the commands offered) may differ between
    /// two summaries of a spec.
    pub fn listing_differs(&self, other: &SpecSummary) -> bool {
        self.accepted != other.accepted
            || self.title != other.title
            || self.status != other.status
            || self.spec_type != other.spec_type
            || self.depends_on != other.depends_on
            || self.members != other.members
            || self.labels != other.labels
            || self.prompt != other.prompt
            || self.approval != other.approval
            || self.checked != other.checked
            || self.total != other.total
    }
}
