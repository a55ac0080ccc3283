//! What each `tracks`/`origin`/`informed_by` pattern expands to, kept
//! until a file of the project changes. Expanding reads folders (up to
//! `MAX_EXPANSION_ENTRIES` entries for one pattern), so it happens outside
//! the index's lock: the server expands a spec's patterns first
//! ([`Expansions::prepare`]) and only then diagnoses under the lock, so a
//! keystroke in one spec never waits for another spec's patterns.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::files::{expand_like_chant, ProjectFiles};
use crate::analysis::{expanded_patterns, Expansion};
use crate::spec::SpecModel;

/// Patterns whose expansion is kept, at most (beyond, the cache restarts).
const CACHE_SIZE: usize = 10_000;

/// The expansions of one project, shared by its index and by whoever
/// diagnoses its specs.
pub struct Expansions {
    files: ProjectFiles,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Bumped whenever a file changes: an expansion computed for an older
    /// generation is not kept.
    generation: u64,
    cache: HashMap<String, Arc<Expansion>>,
}

impl std::fmt::Debug for Expansions {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("Expansions").finish_non_exhaustive()
    }
}

impl Expansions {
    pub fn new(files: ProjectFiles) -> Expansions {
        Expansions {
            files,
            state: Mutex::default(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forget every expansion (a file was created, deleted or modified).
    pub fn invalidate(&self) {
        let mut state = self.state();
        state.generation += 1;
        state.cache.clear();
    }

    /// What `pattern` names now: from the cache, or read from the disk
    /// with no lock held meanwhile (two callers may both expand it).
    pub fn expand(&self, pattern: &str) -> Arc<Expansion> {
        let generation = {
            let state = self.state();
            if let Some(found) = state.cache.get(pattern) {
                return found.clone();
            }
            state.generation
        };
        let found = Arc::new(expand_like_chant(&self.files, pattern));
        let mut state = self.state();
        if state.generation == generation {
            if state.cache.len() >= CACHE_SIZE {
                state.cache.clear();
            }
            state.cache.insert(pattern.to_string(), found.clone());
        }
        found
    }

    /// The expansions a spec's diagnosis asks for, computed now (call it
    /// without the index's lock held).
    pub fn prepare(&self, model: Option<&SpecModel>) -> Prepared {
        Prepared {
            expanded: model
                .map(expanded_patterns)
                .unwrap_or_default()
                .into_iter()
                .map(|pattern| {
                    let found = self.expand(&pattern);
                    (pattern, found)
                })
                .collect(),
        }
    }
}

/// A spec's expansions, computed before its diagnosis.
#[derive(Debug, Default)]
pub struct Prepared {
    expanded: HashMap<String, Arc<Expansion>>,
}

impl Prepared {
    pub fn get(&self, pattern: &str) -> Option<Arc<Expansion>> {
        self.expanded.get(pattern).cloned()
    }
}
