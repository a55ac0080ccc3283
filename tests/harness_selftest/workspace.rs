//! `file://` URIs and temporary workspaces on disk (`support::workspace`).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use crate::panic_text;
use crate::support::*;

#[test]
fn uris_round_trip() {
    let cases = [
        ("/tmp/a b/c.md", "file:///tmp/a%20b/c.md"),
        ("/tmp/100%/x#y?z.md", "file:///tmp/100%25/x%23y%3Fz.md"),
        ("/tmp/😀.md", "file:///tmp/%F0%9F%98%80.md"),
        (
            "/tmp/中文/spec.md",
            "file:///tmp/%E4%B8%AD%E6%96%87/spec.md",
        ),
        (
            "/tmp/a-b_c.d~e/2026-01-01-abc.md",
            "file:///tmp/a-b_c.d~e/2026-01-01-abc.md",
        ),
    ];
    for (path, uri) in cases {
        assert_eq!(file_uri(Path::new(path)), uri);
        assert_eq!(uri_to_path(uri), PathBuf::from(path));
    }
    assert_eq!(
        uri_to_path("file://localhost/tmp/a%20b"),
        PathBuf::from("/tmp/a b")
    );
    assert_eq!(
        uri_to_path("file:///tmp/%e4%b8%ad"),
        PathBuf::from("/tmp/中")
    );
    assert_eq!(normalize_uri("file:///tmp/%7e%61"), "file:///tmp/~a");
    assert_eq!(normalize_uri("untitled:Untitled-1"), "untitled:Untitled-1");
}

#[test]
fn temp_workspace_files_git_and_chant() {
    let ws = TempWorkspace::new();
    assert_eq!(ws.path(), ws.path().canonicalize().unwrap());
    ws.write("dir with space/😀 中文.md", "hello");
    assert_eq!(ws.read("dir with space/😀 中文.md"), "hello");
    let uri = ws.uri("dir with space/😀 中文.md");
    assert!(
        uri.starts_with("file:///")
            && uri.contains("dir%20with%20space/%F0%9F%98%80%20%E4%B8%AD%E6%96%87.md")
    );
    assert_eq!(
        uri_to_path(&uri),
        ws.path().join("dir with space/😀 中文.md")
    );
    assert!(std::fs::read_to_string(uri_to_path(&uri)).is_ok());

    ws.chant_init("project:\n  name: test");
    assert_eq!(
        ws.read(".chant/config.md"),
        "---\nproject:\n  name: test\n---\n# Config\n"
    );
    assert!(ws.path().join(".chant/specs").is_dir());
    assert!(ws.path().join(".chant/prompts").is_dir());

    ws.git_init();
    assert_eq!(
        ws.git(&["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "main"
    );
    assert_eq!(
        ws.git(&["log", "--format=%an <%ae>"]).trim(),
        "Test User <test@example.com>"
    );
    assert!(ws.git(&["ls-files"]).contains(".chant/config.md"));
    assert_eq!(ws.git(&["status", "--porcelain"]), "");
    ws.remove("dir with space");
    assert!(!ws.exists("dir with space"));
    let err = catch_unwind(AssertUnwindSafe(|| ws.git(&["no-such-command"]))).unwrap_err();
    assert!(panic_text(&err).contains("no-such-command"));
}
