//! The command line: `chant-lsp check` and its terminal and JSON reports.

pub mod check;
mod report;
