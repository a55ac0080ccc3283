//! The index's answers with a spec's pattern expansions computed
//! beforehand ([`Expansions::prepare`](super::expansions::Expansions::prepare)):
//! what a diagnosis under the index's read lock asks, so that nothing it
//! does there grows with the project's file tree.

use std::path::PathBuf;
use std::sync::Arc;

use super::expansions::Prepared;
use super::index::ProjectIndex;
use crate::analysis::{Expansion, PathState, SpecLookup, WorkspaceFacts};
use crate::spec::config::ChantConfig;
use crate::spec::frontmatter::SpecStatus;

pub struct PreparedFacts<'a> {
    pub index: &'a ProjectIndex,
    pub prepared: &'a Prepared,
}

impl WorkspaceFacts for PreparedFacts<'_> {
    fn config(&self) -> &ChantConfig {
        self.index.config()
    }
    fn lookup_spec(&self, id: &str) -> SpecLookup {
        self.index.lookup_spec(id)
    }
    fn prompt_exists(&self, name: &str) -> bool {
        self.index.prompt_exists(name)
    }
    fn prompt_names(&self) -> Vec<String> {
        self.index.prompt_names()
    }
    fn closest_spec_id(&self, id: &str) -> Option<String> {
        self.index.closest_spec_id(id)
    }
    fn path_state(&self, relative: &str) -> PathState {
        self.index.path_state(relative)
    }
    fn escapes_root(&self, relative: &str) -> bool {
        self.index.escapes_root(relative)
    }
    fn dependencies_of(&self, id: &str) -> Vec<String> {
        self.index.dependencies_of(id)
    }
    fn spec_files(&self, id: &str, limit: usize) -> (Vec<PathBuf>, usize) {
        self.index.spec_files(id, limit)
    }
    fn expand(&self, pattern: &str) -> Arc<Expansion> {
        // A pattern the preparation did not foresee is expanded here.
        self.prepared
            .get(pattern)
            .unwrap_or_else(|| self.index.expand(pattern))
    }
    fn chant_lints(&self, id: &str) -> bool {
        self.index.chant_lints(id)
    }
    fn read_file(&self, relative: &str) -> Option<String> {
        self.index.read_file(relative)
    }
    fn member_ids(&self, driver: &str) -> Vec<String> {
        self.index.member_ids(driver)
    }
    fn status_anywhere(&self, id: &str) -> Option<SpecStatus> {
        self.index.status_anywhere(id)
    }
}
