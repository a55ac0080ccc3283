#![allow(dead_code)]
//! Temporary workspaces on disk and `file://` URI helpers for the integration tests.

use std::ffi::OsString;
use std::fs;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A temporary folder, deleted on drop. `path()` is canonical (symlinks resolved), so it
/// compares equal with paths the server derives from the URIs we send.
pub struct TempWorkspace {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl Default for TempWorkspace {
    fn default() -> Self {
        Self::new()
    }
}

impl TempWorkspace {
    pub fn new() -> TempWorkspace {
        let dir = tempfile::Builder::new()
            .prefix("chant-lsp-test-")
            .tempdir()
            .expect("create temporary workspace");
        let path = dir
            .path()
            .canonicalize()
            .expect("canonicalize temporary workspace");
        TempWorkspace { dir, path }
    }

    /// The canonical root of the workspace.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Absolute path of `rel` inside the workspace (`""` is the root).
    pub fn join(&self, rel: &str) -> PathBuf {
        if rel.is_empty() {
            self.path.clone()
        } else {
            self.path.join(rel)
        }
    }

    /// Writes a file, creating its parent folders. Returns its absolute path.
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("create folder {}: {e}", parent.display()));
        }
        fs::write(&p, content).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
        p
    }

    /// Creates a folder (and its parents).
    pub fn mkdir(&self, rel: &str) -> PathBuf {
        let p = self.join(rel);
        fs::create_dir_all(&p).unwrap_or_else(|e| panic!("create folder {}: {e}", p.display()));
        p
    }

    /// Reads a UTF-8 file (panics if missing).
    pub fn read(&self, rel: &str) -> String {
        let p = self.join(rel);
        fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.join(rel).exists()
    }

    /// Removes a file or a whole folder (panics if it does not exist).
    pub fn remove(&self, rel: &str) {
        let p = self.join(rel);
        let r = if p.is_dir() {
            fs::remove_dir_all(&p)
        } else {
            fs::remove_file(&p)
        };
        r.unwrap_or_else(|e| panic!("remove {}: {e}", p.display()));
    }

    /// Renames a file or folder inside the workspace (creates the target's parents).
    pub fn rename(&self, from: &str, to: &str) {
        let (a, b) = (self.join(from), self.join(to));
        if let Some(parent) = b.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::rename(&a, &b)
            .unwrap_or_else(|e| panic!("rename {} -> {}: {e}", a.display(), b.display()));
    }

    /// `file://` URI of `rel` inside the workspace (`""` is the root folder).
    pub fn uri(&self, rel: &str) -> String {
        file_uri(&self.join(rel))
    }

    /// `git init -b main`, a local identity, and an initial commit of everything present.
    pub fn git_init(&self) {
        self.git(&["init", "-q", "-b", "main"]);
        self.git(&["config", "user.name", "Test User"]);
        self.git(&["config", "user.email", "test@example.com"]);
        self.git(&["config", "commit.gpgsign", "false"]);
        self.git(&["config", "core.autocrlf", "false"]);
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", "initial"]);
    }

    /// Runs git in the workspace and returns its stdout; panics with stderr on failure.
    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(&self.path)
            .env("GIT_TERMINAL_PROMPT", "0")
            .output()
            .unwrap_or_else(|e| panic!("run git {args:?}: {e}"));
        if !out.status.success() {
            panic!(
                "git {args:?} failed ({}):\n{}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Lays out a chant project: `.chant/config.md` (`---\n{config}---\n# Config\n`, a newline
    /// is added after `config` when it lacks one) and empty `.chant/specs/` and `.chant/prompts/`.
    pub fn chant_init(&self, config_yaml: &str) {
        let mut body = String::from("---\n");
        body.push_str(config_yaml);
        if !config_yaml.is_empty() && !config_yaml.ends_with('\n') {
            body.push('\n');
        }
        body.push_str("---\n# Config\n");
        self.write(".chant/config.md", body);
        self.mkdir(".chant/specs");
        self.mkdir(".chant/prompts");
    }
}

fn keep_in_uri(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b)
}

/// Percent-encodes a path for a URI (keeps unreserved characters, `/` and sub-delimiters;
/// encodes space, `%`, `#`, `?`, `[`, `]`, controls and every non-ASCII byte, uppercase hex).
pub fn percent_encode_path(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        if keep_in_uri(b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// Decodes `%XX` sequences (invalid sequences are kept as they are).
pub fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// `file://` URI of an absolute path.
pub fn file_uri(path: &Path) -> String {
    assert!(
        path.is_absolute(),
        "file_uri needs an absolute path, got {}",
        path.display()
    );
    format!(
        "file://{}",
        percent_encode_path(path.as_os_str().as_bytes())
    )
}

/// Path of a `file://` URI (accepts `file:///p` and `file://localhost/p`; drops `?query` and
/// `#fragment`; decodes percent escapes). Panics for other schemes.
pub fn uri_to_path(uri: &str) -> PathBuf {
    let rest = uri
        .strip_prefix("file://")
        .or_else(|| uri.strip_prefix("FILE://"))
        .unwrap_or_else(|| panic!("not a file:// URI: {uri}"));
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    assert!(
        rest.starts_with('/'),
        "file URI with a host or no absolute path: {uri}"
    );
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    PathBuf::from(OsString::from_vec(percent_decode(&rest[..end])))
}

/// One spelling for equal `file://` URIs (so `%7E`/`~` or `%3a`/`:` compare equal); other
/// URIs are returned unchanged.
pub fn normalize_uri(uri: &str) -> String {
    if uri.starts_with("file://") {
        file_uri(&uri_to_path(uri))
    } else {
        uri.to_string()
    }
}
