//! The workspace: chant roots, their config, prompts and the index of specs,
//! and the file-system facts the analysis asks for.
//!
//! Built from disk in one pass per root and then kept fresh one file at a
//! time; nothing here re-reads the whole workspace on a change.

pub mod config;
pub mod files;
pub mod index;
pub mod roots;

pub use index::{ProjectIndex, SpecEntry, SpecSummary};
pub use roots::{classify, find_roots, root_of, ChantFile};
