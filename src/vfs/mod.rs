//! The one way chant-lsp reads files (a virtual file system, as in
//! rust-analyzer): regular files only (a FIFO, a device or a socket is
//! refused before it can block or flood), a size cap per kind of file, and
//! no write ever. `RealFs` is the disk; `MemoryFs` is an in-memory project
//! for tests. Keeping reads inside a project (no symlink that leads out) is
//! `workspace::ProjectFiles`' job, on top of this.

mod memory;
mod real;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub use memory::MemoryFs;
pub use real::RealFs;

/// The most bytes a read may return. Reads of bigger files fail with
/// [`ReadError::TooLarge`], so a file can never exhaust memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(pub u64);

impl Limit {
    /// Spec files: chant reads any size; past this the editor says it does
    /// not analyse the file.
    pub const SPEC: Limit = Limit(64 * 1024 * 1024);
    /// `.chant/config.md`, the global config and prompts.
    pub const CONFIG: Limit = Limit(1024 * 1024);
    /// Prompt files (only their frontmatter is used).
    pub const PROMPT: Limit = Limit(1024 * 1024);
    /// A JSON schema or a log read for a rule.
    pub const DATA: Limit = Limit(16 * 1024 * 1024);
}

/// One entry of a folder, as [`FileSystem::read_dir`] lists it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DirEntry {
    pub path: PathBuf,
    /// A folder, or a link to one.
    pub is_dir: bool,
    /// The entry itself is a symbolic link (to what `is_dir` says).
    pub is_link: bool,
}

/// What tells one real file or folder from another, whatever path leads
/// to it (device and inode on a disk): a walk that records the folders it
/// read never reads one twice, however links loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileId(pub u64, pub u64);

/// Most entries [`FileSystem::list_files`] walks: the files offered for
/// completion come from the first ones of a larger tree.
pub const MAX_LISTED_ENTRIES: usize = 200_000;

/// What is at a path (symlinks followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File {
        len: u64,
        modified: Option<SystemTime>,
    },
    Dir,
    /// A FIFO, device, socket or anything else that is not a regular file.
    Special(&'static str),
}

/// Why a file could not be read, in words a user understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    Missing,
    /// Not a regular file: "a folder", "a named pipe (FIFO)", "a device"...
    NotRegular(&'static str),
    TooLarge {
        bytes: u64,
        limit: u64,
    },
    /// A symlink (or `..`) that leads out of the project.
    OutsideProject,
    NotUtf8 {
        valid_up_to: usize,
    },
    Io(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            ReadError::Missing => write!(f, "no such file"),
            ReadError::NotRegular(kind) => write!(f, "it is {kind}, not a regular file"),
            ReadError::TooLarge { bytes, limit } => write!(
                f,
                "it is {bytes} bytes, more than the {} chant-lsp reads",
                human_bytes(*limit)
            ),
            ReadError::OutsideProject => write!(f, "it leads outside the project"),
            ReadError::NotUtf8 { valid_up_to } => {
                write!(
                    f,
                    "it is not UTF-8 text (invalid byte at offset {valid_up_to})"
                )
            }
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// `64 MB`, `1 MB`, `8 KB`.
pub fn human_bytes(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB && bytes % MB == 0 {
        format!("{} MB", bytes / MB)
    } else if bytes >= 1024 && bytes % 1024 == 0 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// A file system to read a workspace from. Every method is safe to call on
/// any path: nothing blocks on a FIFO, nothing reads past its limit.
pub trait FileSystem: Send + Sync {
    /// What is at `path`, following symlinks; None when nothing is.
    fn kind(&self, path: &Path) -> Option<Kind>;
    /// A regular file's bytes, if it has at most `limit` of them.
    fn read(&self, path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError>;
    /// The first `limit` bytes of a regular file, and its whole size.
    fn read_head(&self, path: &Path, limit: usize) -> Result<(Vec<u8>, u64), ReadError>;
    /// The last `limit` bytes of a regular file (all of it when smaller),
    /// and its whole size: a glance at a log that may be growing.
    fn read_tail(&self, path: &Path, limit: usize) -> Result<(Vec<u8>, u64), ReadError>;
    /// The path with symlinks resolved; None when it does not exist.
    fn canonicalize(&self, path: &Path) -> Option<PathBuf>;
    /// The entries of a folder, sorted by path. Symlinks are listed as
    /// what they point at, and say they are links.
    fn read_dir(&self, dir: &Path) -> Vec<DirEntry>;
    /// The identity of what is at `path`, links followed; None when
    /// nothing is.
    fn file_id(&self, path: &Path) -> Option<FileId>;
    /// Every file under `root` a user would reference, relative to it with
    /// `/` separators, sorted: `.gitignore` respected, `.git` skipped, links
    /// to folders not followed, names that are not UTF-8 left out, at most
    /// [`MAX_LISTED_ENTRIES`] entries walked.
    fn list_files(&self, root: &Path) -> Vec<String>;

    /// A regular file as UTF-8 text.
    fn read_text(&self, path: &Path, limit: Limit) -> Result<String, ReadError> {
        let bytes = self.read(path, limit)?;
        String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
            valid_up_to: e.utf8_error().valid_up_to(),
        })
    }

    fn exists(&self, path: &Path) -> bool {
        self.kind(path).is_some()
    }

    fn is_file(&self, path: &Path) -> bool {
        matches!(self.kind(path), Some(Kind::File { .. }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_is_wrong() {
        assert_eq!(
            ReadError::NotRegular("a named pipe (FIFO)").to_string(),
            "it is a named pipe (FIFO), not a regular file"
        );
        assert_eq!(
            ReadError::TooLarge {
                bytes: 2_000_000,
                limit: Limit::CONFIG.0
            }
            .to_string(),
            "it is 2000000 bytes, more than the 1 MB chant-lsp reads"
        );
    }
}
