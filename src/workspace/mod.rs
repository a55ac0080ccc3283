//! The workspace: chant roots, their config, prompts and the index of specs,
//! read through the guarded file system (`vfs`), and the answers to the
//! questions the analysis asks (`analysis::WorkspaceFacts`).
//!
//! Built from disk in one pass per root and then kept fresh one file at a
//! time; nothing here re-reads the whole workspace on a change.

pub mod buffer;
mod changes;
pub mod config;
pub mod early;
pub mod expansions;
pub mod files;
pub mod index;
mod prepared;
pub mod projects;
pub mod results;
pub mod roots;
pub mod settings;
mod spec_file;
mod summary;
pub mod walk;
pub mod watched;
pub mod watcher;

pub use changes::Changes;
pub use files::ProjectFiles;
pub use index::{IndexUpdate, ProjectIndex, SpecEntry, SpecSummary};
pub use projects::{BufferAnalysis, BufferSpec, FileEvent, Project, Projects};
pub use roots::{classify, find_roots, root_of, ChantFile};
pub use spec_file::LoadedSpec;
