//! IDE features over the spec model and the workspace index, protocol-free:
//! a text, an offset and the project in; items, previews and locations with
//! byte ranges out. `server::ide` translates them for the client.

pub mod actions;
pub mod command_options;
pub mod commands;
pub mod completion;
pub mod cursor;
pub mod hierarchy;
pub mod hover;
pub mod navigation;
pub mod outline;
pub mod preview;
pub mod prompt_templates;
pub mod rename;
pub mod review;
pub mod semantic;
pub mod status;

use std::path::{Path, PathBuf};

use crate::vfs::Limit;
use crate::workspace::ProjectFiles;

/// Reads other files' text: the open buffer when there is one, else the
/// disk. The server passes its open documents; `check` and tests pass the disk.
pub trait Sources {
    fn open_text(&self, path: &Path) -> Option<String>;
}

/// No open buffers: everything comes from disk.
pub struct DiskOnly;

impl Sources for DiskOnly {
    fn open_text(&self, _: &Path) -> Option<String> {
        None
    }
}

/// The text of a project file, from its open buffer or the disk (whole
/// file, the guarded way; for specs and prompts; previews read only a head).
pub fn read_source(files: &ProjectFiles, sources: &dyn Sources, path: &Path) -> Option<String> {
    if let Some(text) = sources.open_text(path) {
        return Some(text);
    }
    files.read_text(path, Limit::SPEC).ok()
}

/// A location in another file: a path and a byte range in its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub path: PathBuf,
    /// None: the start of the file.
    pub range: Option<crate::text::TextRange>,
}
