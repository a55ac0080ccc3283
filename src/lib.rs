//! chant-lsp: a language server and checker for chant spec files.
//!
//! Layers, from the bottom up (each knows nothing of the ones above it):
//!
//! - [`text`]: byte offsets, line tables, position encodings, diffs.
//! - [`vfs`]: the one guarded way to read files (disk, or memory in tests).
//! - [`syntax`]: chant's frontmatter split, YAML and Markdown trees.
//! - [`spec`]: the spec model and chant's config, what chant reads from files.
//! - [`analysis`]: diagnostics, from a spec model and facts about its workspace.
//! - [`workspace`]: chant roots, config, prompts and the index of specs.
//! - [`ide`]: completion, hover, navigation and symbols.
//! - [`runner`]: running chant commands and merging what they wrote.
//! - [`server`]: the LSP protocol layer (translation only).
//! - [`cli`]: the `check` command and its reports.

pub mod analysis;
pub mod cli;
pub mod ide;
pub mod runner;
pub mod server;
pub mod spec;
pub mod syntax;
pub mod text;
pub mod vfs;
pub mod workspace;
