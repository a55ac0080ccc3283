//! The few features where the real disk matters, on a temporary project
//! read through `RealFs`: `.gitignore` (which `MemoryFs` does not know),
//! symlinks that lead out of the project, and named pipes (which must be
//! refused without ever being opened for reading, or the server blocks).

use std::fs;
use std::path::{Path, PathBuf};

use chant_lsp::ide::completion::{complete, Env};
use chant_lsp::ide::navigation::{definition, links};
use chant_lsp::ide::preview::path_preview;
use chant_lsp::ide::DiskOnly;
use chant_lsp::spec::SpecModel;
use chant_lsp::workspace::{classify, ProjectIndex};

/// A chant project on disk with `files` (relative path, text), and the
/// spec `spec` as `.chant/specs/2026-02-01-001-cur.md`.
struct DiskProject {
    _dir: tempfile::TempDir,
    root: PathBuf,
    spec: PathBuf,
}

impl DiskProject {
    fn new(files: &[(&str, &str)]) -> DiskProject {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("project");
        fs::create_dir_all(root.join(".chant/specs")).unwrap();
        for (rel, text) in files {
            let path = root.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, text).unwrap();
        }
        let spec = root.join(".chant/specs/2026-02-01-001-cur.md");
        DiskProject {
            _dir: dir,
            root,
            spec,
        }
    }

    fn outside(&self) -> &Path {
        self.root.parent().unwrap()
    }

    fn index(&self) -> ProjectIndex {
        ProjectIndex::load(&self.root)
    }
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success());
}

/// Completion labels at `$0` in `spec`.
fn labels(project: &DiskProject, spec: &str) -> Vec<String> {
    let offset = spec.find("$0").unwrap();
    let text = spec.replace("$0", "");
    fs::write(&project.spec, &text).unwrap();
    let index = project.index();
    let kind = classify(&project.spec);
    let model = SpecModel::parse(&text);
    complete(
        &text,
        &model,
        offset,
        &Env {
            index: &index,
            file: &kind,
        },
    )
    .items
    .into_iter()
    .map(|i| i.label)
    .collect()
}

#[test]
fn path_completion_leaves_out_what_gitignore_ignores() {
    let project = DiskProject::new(&[
        (".chant/config.md", "---\n---\n# Config\n"),
        (".gitignore", "target/\n*.log\n"),
        ("target/debug/app", "x"),
        ("run.log", "x"),
        ("src/main.rs", "fn main() {}"),
        ("src/trace.log", "x"),
        (".git/HEAD", "ref: refs/heads/main\n"),
    ]);
    let mut root = labels(&project, "---\ncontext: [$0]\n---\n# T\n");
    root.sort();
    assert_eq!(root, [".chant/", ".gitignore", "src/"]);
    assert_eq!(
        labels(&project, "---\ncontext: [src/$0]\n---\n# T\n"),
        ["main.rs"]
    );
}

#[test]
fn a_symlink_out_of_the_project_is_neither_shown_nor_followed() {
    let project = DiskProject::new(&[
        (".chant/config.md", "---\n---\n# Config\n"),
        ("docs/guide.md", "# Guide\n"),
    ]);
    let secret = project.outside().join("secret.md");
    fs::write(&secret, "# Secret\n\nNot for the agent.\n").unwrap();
    std::os::unix::fs::symlink(&secret, project.root.join("docs/secret.md")).unwrap();
    std::os::unix::fs::symlink(project.outside(), project.root.join("up")).unwrap();
    let text = "---\ncontext: [docs/secret.md, up/secret.md, docs/guide.md]\n---\n# T\n";
    fs::write(&project.spec, text).unwrap();
    let index = project.index();
    let model = SpecModel::parse(text);
    assert_eq!(
        path_preview(&index, "docs/secret.md", &DiskOnly),
        "`docs/secret.md` leads outside the project: not shown."
    );
    assert_eq!(
        path_preview(&index, "up/secret.md", &DiskOnly),
        "`up/secret.md` leads outside the project: not shown."
    );
    let at = text.find("up/secret").unwrap() + 1;
    assert_eq!(definition(&index, &model, at), None);
    let linked: Vec<String> = links(&index, &model)
        .into_iter()
        .map(|(r, _)| text[r].to_string())
        .collect();
    assert_eq!(linked, ["docs/guide.md"]);
}

#[test]
fn a_named_pipe_is_described_not_read() {
    let project = DiskProject::new(&[(".chant/config.md", "---\n---\n# Config\n")]);
    mkfifo(&project.root.join("pipe.md"));
    let text = "---\ninformed_by: [pipe.md]\n---\n# T\n";
    fs::write(&project.spec, text).unwrap();
    // Nobody writes to the pipe: opening it for reading would block here.
    let index = project.index();
    let model = SpecModel::parse(text);
    assert_eq!(
        path_preview(&index, "pipe.md", &DiskOnly),
        "`pipe.md` is a named pipe (FIFO), not a regular file: not read."
    );
    assert_eq!(definition(&index, &model, text.find("pipe").unwrap()), None);
    assert!(links(&index, &model).is_empty());
}

#[test]
fn a_spec_that_is_a_named_pipe_is_previewed_as_such() {
    let project = DiskProject::new(&[(".chant/config.md", "---\n---\n# Config\n")]);
    mkfifo(&project.root.join(".chant/specs/2026-01-01-001-abc.md"));
    let index = project.index();
    assert_eq!(
        path_preview(&index, ".chant/specs/2026-01-01-001-abc.md", &DiskOnly),
        "`.chant/specs/2026-01-01-001-abc.md` is a named pipe (FIFO), not a regular file: not read."
    );
}
