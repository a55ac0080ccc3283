//! What a batch of file events (or an editor buffer) changed in a project:
//! recorded by the index as it takes the changes in, read by
//! `workspace::results` to find the specs to diagnose again.

use std::collections::BTreeSet;
use std::path::PathBuf;

/// What changed in a project: the input of `results::affected`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Spec files read again (their text may have changed).
    pub spec_files: BTreeSet<PathBuf>,
    /// Spec IDs whose summary changed, that appeared or disappeared, or
    /// whose archived copy appeared or disappeared.
    pub ids: BTreeSet<String>,
    /// A spec appeared or disappeared.
    pub spec_set: bool,
    /// Something a list of specs shows may have changed (a title, a
    /// status, readiness, the commands offered).
    pub listing: bool,
    pub config: bool,
    pub prompts: bool,
    /// Other project files (relative to the root) created or deleted.
    pub existence: BTreeSet<String>,
    /// Other project files (relative to the root) whose content changed.
    pub modified: BTreeSet<String>,
    /// Every spec must be diagnosed again (the user's settings changed).
    pub everything: bool,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }

    pub fn merge(&mut self, other: Changes) {
        self.spec_files.extend(other.spec_files);
        self.ids.extend(other.ids);
        self.spec_set |= other.spec_set;
        self.listing |= other.listing;
        self.config |= other.config;
        self.prompts |= other.prompts;
        self.existence.extend(other.existence);
        self.modified.extend(other.modified);
        self.everything |= other.everything;
    }

    /// Whether another spec can see a difference (the open specs of the
    /// project must be diagnosed again).
    pub fn visible_to_others(&self) -> bool {
        !self.ids.is_empty()
            || self.config
            || self.prompts
            || !self.existence.is_empty()
            || !self.modified.is_empty()
            || self.everything
    }
}
