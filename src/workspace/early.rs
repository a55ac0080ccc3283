//! What can be known about a spec before its project is indexed: its own
//! text, the project's config and the files it names. The editor's first
//! analysis of a spec opened at start-up uses these facts, and leaves out
//! every diagnostic that needs the index (`Code::needs_index`), so nothing
//! it reports early is wrong; the full analysis replaces it when the index
//! is ready.

use std::path::{Path, PathBuf};

use super::files::{expand_like_chant, join_inside, ProjectFiles};
use crate::analysis::{
    Diagnostic, Expansion, Filter, PathState, SpecContext, SpecLookup, WorkspaceFacts,
};
use crate::spec::config::ChantConfig;

pub struct EarlyFacts {
    files: ProjectFiles,
    config: ChantConfig,
}

impl EarlyFacts {
    /// The project's config, read the guarded way (one small file).
    pub fn load(files: ProjectFiles) -> EarlyFacts {
        let config = super::config::load(files.fs().as_ref(), files.root());
        EarlyFacts { files, config }
    }
}

impl WorkspaceFacts for EarlyFacts {
    fn config(&self) -> &ChantConfig {
        &self.config
    }
    // The answers below are never shown: the diagnostics that depend on
    // them need the index and are left out of the early analysis.
    fn lookup_spec(&self, _: &str) -> SpecLookup {
        SpecLookup::Missing
    }
    fn prompt_exists(&self, _: &str) -> bool {
        true
    }
    fn prompt_names(&self) -> Vec<String> {
        Vec::new()
    }
    fn closest_spec_id(&self, _: &str) -> Option<String> {
        None
    }
    fn dependencies_of(&self, _: &str) -> Vec<String> {
        Vec::new()
    }
    fn spec_files(&self, _: &str, _: usize) -> (Vec<PathBuf>, usize) {
        (Vec::new(), 0)
    }
    // These the index answers the same way, from the disk.
    fn path_state(&self, relative: &str) -> PathState {
        self.files.path_state(relative)
    }
    fn escapes_root(&self, relative: &str) -> bool {
        self.files.escapes(relative)
    }
    fn read_file(&self, relative: &str) -> Option<String> {
        let path = join_inside(self.files.root(), relative)?;
        self.files.read_text(&path, crate::vfs::Limit::DATA).ok()
    }
    fn expand(&self, pattern: &str) -> std::sync::Arc<Expansion> {
        std::sync::Arc::new(expand_like_chant(&self.files, pattern))
    }
}

/// The early diagnostics of spec `id` at `path` (a buffer's `text`) in the
/// project on disk around it, before the workspace is indexed. None when
/// the file is in no chant project. Blocking: reads the project's config
/// and the files the spec names.
pub fn analyse_early(
    path: &Path,
    id: &str,
    text: &str,
    filter: &Filter,
) -> Option<Vec<Diagnostic>> {
    let root = super::root_of(path)?;
    let facts = EarlyFacts::load(ProjectFiles::on_disk(&root));
    let spec = SpecContext {
        id,
        path: Some(path),
    };
    Some(early_diagnostics(text, spec, &facts, filter))
}

/// The diagnostics of a spec's text that do not need the index.
pub fn early_diagnostics(
    text: &str,
    spec: SpecContext,
    facts: &EarlyFacts,
    filter: &Filter,
) -> Vec<Diagnostic> {
    let loaded = super::LoadedSpec::from_text(text.to_string());
    let mut diagnostics = loaded.diagnose(spec, facts, filter);
    diagnostics.retain(|d| !d.code.needs_index());
    diagnostics
}
