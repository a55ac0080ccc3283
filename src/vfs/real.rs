//! The disk, read so that nothing can block or flood: files are opened
//! non-blocking and checked on the open descriptor (a FIFO swapped in after
//! a check is still refused), and reads stop at their limit.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::{DirEntry, FileId, FileSystem, Kind, Limit, ReadError};

#[derive(Debug, Default, Clone, Copy)]
pub struct RealFs;

fn special(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_fifo() {
        "a named pipe (FIFO)"
    } else if file_type.is_char_device() || file_type.is_block_device() {
        "a device"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

fn io_error(e: std::io::Error) -> ReadError {
    match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::Missing,
        _ => ReadError::Io(e.to_string()),
    }
}

/// Open a regular file without ever blocking: a path that is not a
/// regular file is refused from `stat` (a socket cannot even be opened),
/// and again from the open descriptor.
fn open_regular(path: &Path) -> Result<(File, u64), ReadError> {
    let meta = std::fs::metadata(path).map_err(io_error)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(special(meta.file_type())));
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(io_error)?;
    let meta = file.metadata().map_err(io_error)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(special(meta.file_type())));
    }
    Ok((file, meta.len()))
}

impl FileSystem for RealFs {
    fn kind(&self, path: &Path) -> Option<Kind> {
        let meta = std::fs::metadata(path).ok()?;
        Some(if meta.is_file() {
            Kind::File {
                len: meta.len(),
                modified: meta.modified().ok(),
            }
        } else if meta.is_dir() {
            Kind::Dir
        } else {
            Kind::Special(special(meta.file_type()))
        })
    }

    fn read(&self, path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError> {
        let (file, len) = open_regular(path)?;
        if len > limit.0 {
            return Err(ReadError::TooLarge {
                bytes: len,
                limit: limit.0,
            });
        }
        let mut bytes = Vec::with_capacity(len as usize);
        // One byte more than the limit tells a file that grew meanwhile.
        file.take(limit.0 + 1)
            .read_to_end(&mut bytes)
            .map_err(io_error)?;
        if bytes.len() as u64 > limit.0 {
            return Err(ReadError::TooLarge {
                bytes: bytes.len() as u64,
                limit: limit.0,
            });
        }
        Ok(bytes)
    }

    fn read_head(&self, path: &Path, limit: usize) -> Result<(Vec<u8>, u64), ReadError> {
        let (file, len) = open_regular(path)?;
        let mut bytes = Vec::with_capacity(limit.min(len as usize));
        file.take(limit as u64)
            .read_to_end(&mut bytes)
            .map_err(io_error)?;
        Ok((bytes, len))
    }

    fn read_tail(&self, path: &Path, limit: usize) -> Result<(Vec<u8>, u64), ReadError> {
        use std::io::{Seek, SeekFrom};
        let (mut file, len) = open_regular(path)?;
        let start = len.saturating_sub(limit as u64);
        file.seek(SeekFrom::Start(start)).map_err(io_error)?;
        let mut bytes = Vec::with_capacity(limit.min(len as usize));
        // A file that grows meanwhile still gives at most `limit` bytes.
        file.take(limit as u64)
            .read_to_end(&mut bytes)
            .map_err(io_error)?;
        Ok((bytes, len))
    }

    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        path.canonicalize().ok()
    }

    fn read_dir(&self, dir: &Path) -> Vec<DirEntry> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut out: Vec<DirEntry> = entries
            .flatten()
            .map(|entry| {
                let path = entry.path();
                let file_type = entry.file_type().ok();
                let is_link = file_type.is_some_and(|t| t.is_symlink());
                let is_dir = match file_type {
                    Some(_) if is_link => path.is_dir(),
                    Some(t) => t.is_dir(),
                    None => false,
                };
                DirEntry {
                    path,
                    is_dir,
                    is_link,
                }
            })
            .collect();
        out.sort();
        out
    }

    fn file_id(&self, path: &Path) -> Option<FileId> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        Some(FileId(meta.dev(), meta.ino()))
    }

    fn list_files(&self, root: &Path) -> Vec<String> {
        let mut files = Vec::new();
        let mut seen = 0usize;
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .parents(true)
            .require_git(false)
            .filter_entry(|e| e.file_name() != ".git")
            .build();
        for entry in walker.flatten() {
            // Links are not followed (the walker's default), so no loop;
            // a tree past the cap lists its first entries only.
            seen += 1;
            if seen > super::MAX_LISTED_ENTRIES {
                break;
            }
            if entry.file_type().is_some_and(|t| t.is_file()) {
                // A name that is not UTF-8 cannot be written in a spec's
                // YAML: it is no path a user would reference.
                if let Some(rel) = entry
                    .path()
                    .strip_prefix(root)
                    .ok()
                    .and_then(|r| r.to_str())
                {
                    files.push(rel.replace('\\', "/"));
                }
            }
        }
        files.sort();
        files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_files_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.md");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo on a path we own.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        assert_eq!(
            RealFs.read(&fifo, Limit::SPEC),
            Err(ReadError::NotRegular("a named pipe (FIFO)"))
        );
        assert_eq!(
            RealFs.read_head(&fifo, 10).unwrap_err(),
            ReadError::NotRegular("a named pipe (FIFO)")
        );
        let zero = dir.path().join("zero.md");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert_eq!(
            RealFs.read(&zero, Limit::SPEC),
            Err(ReadError::NotRegular("a device"))
        );
        assert_eq!(
            RealFs.read(dir.path(), Limit::SPEC),
            Err(ReadError::NotRegular("a folder"))
        );
        assert_eq!(
            RealFs.read(&dir.path().join("nope"), Limit::SPEC),
            Err(ReadError::Missing)
        );
    }

    #[test]
    fn reads_stop_at_their_limit() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.md");
        std::fs::write(&big, vec![b'a'; 5000]).unwrap();
        assert_eq!(
            RealFs.read(&big, Limit(4096)),
            Err(ReadError::TooLarge {
                bytes: 5000,
                limit: 4096
            })
        );
        assert_eq!(RealFs.read(&big, Limit(5000)).unwrap().len(), 5000);
        let (head, len) = RealFs.read_head(&big, 10).unwrap();
        assert_eq!((head.len(), len), (10, 5000));
        std::fs::write(&big, [0xff, 0xfe]).unwrap();
        assert_eq!(
            RealFs.read_text(&big, Limit::SPEC),
            Err(ReadError::NotUtf8 { valid_up_to: 0 })
        );
    }

    #[test]
    fn lists_files_respecting_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(root.join(".chant/specs")).unwrap();
        std::fs::create_dir_all(root.join("target")).unwrap();
        std::fs::write(root.join(".gitignore"), "target/\n").unwrap();
        std::fs::write(root.join("target/x"), "").unwrap();
        std::fs::write(root.join(".git/HEAD"), "").unwrap();
        std::fs::write(root.join(".chant/specs/a.md"), "").unwrap();
        std::fs::write(root.join("a b.md"), "").unwrap();
        assert_eq!(
            RealFs.list_files(root),
            [".chant/specs/a.md", ".gitignore", "a b.md"]
        );
    }
}
