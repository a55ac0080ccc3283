//! One spec file, loaded for analysis: the one entry point that reads,
//! parses, summarizes and diagnoses a spec, shared by `check`, the server,
//! the index and the fixture tests, so they cannot drift apart.

use std::path::Path;

use super::files::ProjectFiles;
use super::summary::SpecSummary;
use crate::analysis::{self, Diagnostic, Filter, SpecContext, WorkspaceFacts};
use crate::spec::SpecModel;
use crate::vfs::{Limit, ReadError};

/// A spec's text and model, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadedSpec {
    Parsed { text: String, model: Box<SpecModel> },
    Unreadable(ReadError),
}

impl LoadedSpec {
    /// Read and parse a spec file of the project (the guarded way: a FIFO,
    /// a huge file or a link out of the project is not read).
    pub fn load(files: &ProjectFiles, path: &Path) -> LoadedSpec {
        match files.read_text(path, Limit::SPEC) {
            Ok(text) => LoadedSpec::from_text(text),
            Err(e) => LoadedSpec::Unreadable(e),
        }
    }

    /// A spec whose text is already known (an editor buffer).
    pub fn from_text(text: String) -> LoadedSpec {
        let model = SpecModel::parse(&text);
        LoadedSpec::Parsed {
            text,
            model: Box::new(model),
        }
    }

    /// The text chant-lsp analysed (empty when the file could not be read).
    pub fn text(&self) -> &str {
        match self {
            LoadedSpec::Parsed { text, .. } => text,
            LoadedSpec::Unreadable(_) => "",
        }
    }

    pub fn model(&self) -> Option<&SpecModel> {
        match self {
            LoadedSpec::Parsed { model, .. } => Some(model),
            LoadedSpec::Unreadable(_) => None,
        }
    }

    /// What other specs need to know about this one.
    pub fn summary(&self) -> SpecSummary {
        match self {
            LoadedSpec::Parsed { model, .. } => SpecSummary::from_model(model),
            LoadedSpec::Unreadable(_) => SpecSummary::unreadable(),
        }
    }

    /// The diagnostics the user asked for.
    pub fn diagnose(
        &self,
        spec: SpecContext,
        facts: &dyn WorkspaceFacts,
        filter: &Filter,
    ) -> Vec<Diagnostic> {
        let mut diagnostics = match self {
            LoadedSpec::Parsed { text, model } => {
                analysis::diagnose_filtered(text, model, spec, facts, filter)
            }
            LoadedSpec::Unreadable(error) => {
                let mut d = analysis::unreadable(error);
                d.extra = !analysis::chant_lints(spec, facts);
                vec![d]
            }
        };
        filter.apply(&mut diagnostics);
        diagnostics
    }
}
