//! Syntax layer: turns spec text into structure, with byte ranges.
//!
//! - [`layout`] splits a file the way chant does (frontmatter, body), and
//!   notes where a Markdown reader would disagree.
//! - [`yaml`] gives the frontmatter's keys, values and list items with their
//!   ranges (tree-sitter-yaml), tolerant of half-typed YAML.
//! - [`markdown`] keeps an incremental tree-sitter-md block tree for an open
//!   document and derives its outline.

pub mod layout;
pub mod markdown;
pub mod yaml;
