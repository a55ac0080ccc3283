//! Data-driven fixture tests for the analysis core.
//!
//! Every `tests/fixtures/diagnostics/NAME.md` is a spec file. The runner builds
//! a temporary chant project from `tests/fixtures/base-project/` (config,
//! prompts `standard` and `research`, a few specs so references resolve),
//! copies `NAME.files/` over it when that folder exists, writes the fixture as
//! `.chant/specs/<id>.md`, loads the project with `ProjectIndex::load`, parses
//! the spec with `SpecModel::parse` and runs `analysis::diagnose`. The result,
//! one line per diagnostic (`line:col-line:col severity code message`, 0-based
//! line, UTF-8 byte column), must equal `NAME.expected`.
//!
//! `UPDATE_EXPECT=1 cargo test --test fixtures` rewrites the `.expected`
//! files; review every changed line against `chant.md` before committing.
//! See `tests/fixtures/README.md` for the conventions.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

mod support;

use chant_lsp::analysis::{Code, Diagnostic, Filter, SpecContext};
use chant_lsp::text::{LineIndex, PositionEncoding};
use chant_lsp::workspace::{LoadedSpec, ProjectIndex};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn diagnostics_dir() -> PathBuf {
    fixtures_dir().join("diagnostics")
}

/// Every fixture name (the stem of each `.md` file), sorted.
fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(diagnostics_dir())
        .expect("read tests/fixtures/diagnostics")
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            (path.is_file() && path.extension().is_some_and(|x| x == "md"))
                .then(|| path.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}

/// Options from the optional `NAME.fixture` sidecar (`key: value` lines,
/// `#` comments).
#[derive(Debug, Default)]
struct Options {
    /// The spec ID (file stem in `.chant/specs`); default: the fixture name.
    id: Option<String>,
    /// Append this many filler bytes to the spec when writing it into the
    /// project (for the size limit), so the repository stays small.
    pad: Option<u64>,
    /// Write the spec as something other than a regular file in the
    /// project: `fifo` (a named pipe), `link-outside` (a symlink to a
    /// copy of the spec outside the project) or `dangling-link` (a symlink
    /// to nothing, as editors leave lock files `.#<id>.md`).
    kind: Option<String>,
    /// Modification times to give project files (`PATH RFC3339`); every
    /// other file of the project is dated [`OLD`].
    modified: Vec<(String, String)>,
    /// Write the spec in this subfolder of `.chant/specs` (which `chant
    /// lint` does not read).
    folder: Option<String>,
    /// Put this many links to `.` at the project's root (`link0000`, ...):
    /// links that loop, for the caps on pattern expansion.
    links: usize,
    /// chant's verdict: the rules `chant lint` reports for this spec
    /// (`parse`, `title, dependency`, or `none`). chant-lsp's diagnostics
    /// whose `chant_rule()` is set must name exactly these; when the real
    /// chant is available, it must say the same.
    chant: Option<BTreeSet<String>>,
}

/// When every file of a fixture's project was last modified, unless a
/// `modified:` option says otherwise (long before any `completed_at`).
const OLD: &str = "2000-01-01T00:00:00Z";

fn time_of(rfc3339: &str) -> std::time::SystemTime {
    let nanos = chant_lsp::analysis::drift::parse_rfc3339(rfc3339)
        .unwrap_or_else(|| panic!("not an RFC 3339 time: {rfc3339}"));
    std::time::UNIX_EPOCH + std::time::Duration::from_nanos(nanos as u64)
}

fn set_modified(path: &Path, rfc3339: &str) {
    let file = fs::File::options()
        .write(true)
        .open(path)
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    file.set_modified(time_of(rfc3339))
        .unwrap_or_else(|e| panic!("set the time of {}: {e}", path.display()));
}

/// Date every regular file under `dir` [`OLD`].
fn date_all(dir: &Path) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            date_all(&entry.path());
        } else if kind.is_file() {
            set_modified(&entry.path(), OLD);
        }
    }
}

fn options(name: &str) -> Options {
    let path = diagnostics_dir().join(format!("{name}.fixture"));
    let Ok(text) = fs::read_to_string(&path) else {
        return Options::default();
    };
    let mut options = Options::default();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{}: bad line `{line}`", path.display()));
        let value = value.trim();
        match key.trim() {
            "id" => options.id = Some(value.to_string()),
            "pad" => options.pad = Some(value.parse().expect("pad: a byte count")),
            "kind" => options.kind = Some(value.to_string()),
            "modified" => {
                let (file, time) = value
                    .split_once(' ')
                    .unwrap_or_else(|| panic!("{}: `modified: PATH TIME`", path.display()));
                options
                    .modified
                    .push((file.to_string(), time.trim().to_string()));
            }
            "folder" => options.folder = Some(value.to_string()),
            "links" => options.links = value.parse().expect("links: a count"),
            "chant" => {
                options.chant = Some(
                    value
                        .split(',')
                        .map(|r| r.trim().to_string())
                        .filter(|r| !r.is_empty() && r != "none")
                        .collect(),
                )
            }
            other => panic!("{}: unknown option `{other}`", path.display()),
        }
    }
    options
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display())) {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap_or_else(|e| {
                panic!(
                    "copy {} to {}: {e}",
                    entry.path().display(),
                    target.display()
                )
            });
        }
    }
}

/// `line:col-line:col severity code message`
fn render(text: &str, diagnostics: &[Diagnostic]) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for d in diagnostics {
        let start = index.position(text, d.range.start, PositionEncoding::Utf8);
        let end = index.position(text, d.range.end, PositionEncoding::Utf8);
        out.push_str(&format!(
            "{}:{}-{}:{} {} {} {}\n",
            start.line,
            start.col,
            end.line,
            end.col,
            d.severity.as_str(),
            d.code.as_str(),
            d.message
        ));
    }
    out
}

/// Run one fixture in a fresh project; returns the rendered diagnostics.
fn run_fixture(name: &str) -> String {
    let options = options(name);
    let id = options.id.clone().unwrap_or_else(|| name.to_string());
    let dir = tempfile::Builder::new()
        .prefix("chant-lsp-fixture-")
        .tempdir()
        .expect("temporary project");
    let root = dir.path().canonicalize().unwrap();
    copy_tree(&fixtures_dir().join("base-project"), &root);
    let extra = diagnostics_dir().join(format!("{name}.files"));
    if extra.is_dir() {
        copy_tree(&extra, &root);
    }
    let mut bytes = fs::read(diagnostics_dir().join(format!("{name}.md"))).unwrap();
    if let Some(pad) = options.pad {
        bytes.extend(std::iter::repeat_n(b'\n', pad as usize));
    }
    let spec_path = root
        .join(".chant/specs")
        .join(options.folder.as_deref().unwrap_or(""))
        .join(format!("{id}.md"));
    fs::create_dir_all(spec_path.parent().unwrap()).unwrap();
    match options.kind.as_deref() {
        None => fs::write(&spec_path, &bytes).unwrap(),
        Some("fifo") => {
            let status = std::process::Command::new("mkfifo")
                .arg(&spec_path)
                .status()
                .expect("mkfifo");
            assert!(status.success());
        }
        Some("link-outside") => {
            let outside = dir.path().join("outside.md");
            fs::write(&outside, &bytes).unwrap();
            let project = root.join("project");
            copy_tree(&root.join(".chant"), &project.join(".chant"));
            fs::remove_dir_all(root.join(".chant")).unwrap();
            let spec_path = project.join(".chant/specs").join(format!("{id}.md"));
            std::os::unix::fs::symlink(&outside, &spec_path).unwrap();
            let index = ProjectIndex::load(&project);
            let loaded = LoadedSpec::load(index.project_files(), &spec_path);
            let spec = SpecContext {
                id: &id,
                path: Some(&spec_path),
            };
            return render("", &loaded.diagnose(spec, &index, &Filter::default()));
        }
        Some("dangling-link") => {
            std::os::unix::fs::symlink("ada@host.4242:1700000000", &spec_path).unwrap()
        }
        Some(other) => panic!("{name}: unknown kind `{other}`"),
    }

    date_all(&root);
    for i in 0..options.links {
        std::os::unix::fs::symlink(".", root.join(format!("link{i:04}"))).unwrap();
    }
    for (file, time) in &options.modified {
        set_modified(&root.join(file), time);
    }
    let index = ProjectIndex::load(&root);
    let loaded = LoadedSpec::load(index.project_files(), &spec_path);
    let spec = SpecContext {
        id: &id,
        path: Some(&spec_path),
    };
    let diagnostics = loaded.diagnose(spec, &index, &Filter::default());
    if let Some(verdict) = &options.chant {
        check_verdict(name, &id, &root, verdict, &diagnostics);
    }
    match &loaded {
        LoadedSpec::Parsed { text, .. } => render(text, &diagnostics),
        // Positions of the invalid byte, in the text up to it (which is valid).
        LoadedSpec::Unreadable(_) => render(&String::from_utf8_lossy(&bytes), &diagnostics),
    }
}

/// chant-lsp's `chant_rule()`s, and the real chant's rules when it is
/// available (`CHANT_REAL`, set by the parent), must both be `verdict`.
fn check_verdict(
    name: &str,
    id: &str,
    root: &Path,
    verdict: &BTreeSet<String>,
    diagnostics: &[Diagnostic],
) {
    let ours: BTreeSet<String> = diagnostics
        .iter()
        .filter_map(|d| d.chant_rule())
        .map(str::to_string)
        .collect();
    assert_eq!(
        &ours, verdict,
        "{name}: chant-lsp's chant rules differ from the fixture's `chant:` verdict"
    );
    let Some(chant) = std::env::var_os("CHANT_REAL") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let output = support::real_chant::chant_command(Path::new(&chant), root, home.path())
        .args(["lint", "--format", "json"])
        .output()
        .expect("chant lint runs");
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("chant lint prints JSON");
    let theirs: BTreeSet<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["spec_id"] == id)
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        &theirs, verdict,
        "{name}: the real chant 0.23.2 reports other rules than the fixture's `chant:` verdict"
    );
}

/// A line-by-line comparison that shows what is missing and what is extra.
fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for line in &e {
        if !a.contains(line) {
            out.push_str(&format!("  - {line}\n"));
        }
    }
    for line in &a {
        if !e.contains(line) {
            out.push_str(&format!("  + {line}\n"));
        }
    }
    if out.is_empty() {
        out.push_str("  (same lines, different order)\n");
    }
    out
}

/// Env var naming the fixture a child process runs (see [`fixture_child`]).
const CHILD_FIXTURE: &str = "CHANT_LSP_FIXTURE";
/// Env var naming the file the child writes its rendered diagnostics to.
const CHILD_OUT: &str = "CHANT_LSP_FIXTURE_OUT";

/// Not a test of its own: the body of the child process that runs one
/// fixture (it returns at once when the variables are not set). Each fixture
/// runs in its own process, so an abort, which no `catch_unwind` can stop,
/// fails that fixture and not the whole run.
#[test]
fn fixture_child() {
    let (Some(name), Some(out)) = (std::env::var_os(CHILD_FIXTURE), std::env::var_os(CHILD_OUT))
    else {
        return;
    };
    let actual = run_fixture(&name.to_string_lossy());
    fs::write(out, actual).unwrap();
}

/// `CHANT_REAL` for the children, when the real chant can be had (built
/// once here), so fixtures' `chant:` verdicts are checked against it.
fn real_chant_env() -> Vec<(String, PathBuf)> {
    static CHANT: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CHANT
        .get_or_init(|| support::real_chant::real_chant("the `chant:` verdicts of the fixtures"))
        .iter()
        .map(|p| ("CHANT_REAL".to_string(), p.clone()))
        .collect()
}

/// Run one fixture in a child process: the rendered diagnostics, or why the
/// child failed (a panic, an abort, a hang).
fn run_isolated(name: &str, home: &Path) -> Result<String, String> {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let out = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "fixture_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_FIXTURE, name)
        .env(CHILD_OUT, out.path())
        .envs(real_chant_env())
        // A global chant config in the real home would leak into every project.
        .env("HOME", home)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the fixture child");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err("did not finish within 60 s (a hang)".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().unwrap();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let lines: Vec<&str> = stderr.lines().chain(stdout.lines()).collect();
        let mut why = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if line.contains("panicked") {
                // The panic message is on the next line.
                why.extend(lines.get(i..i + 2).unwrap_or_default().iter().copied());
            } else if line.contains("Assertion") {
                why.push(*line);
            }
        }
        return Err(format!(
            "the analysis crashed ({}): {}",
            output.status,
            why.join(" | ")
        ));
    }
    Ok(fs::read_to_string(out.path()).unwrap_or_default())
}

#[test]
fn diagnostics_match_the_expected_files() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    let home = tempfile::tempdir().unwrap();
    let update = std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1");
    let names = fixture_names();
    assert!(!names.is_empty(), "no fixtures found");

    // Children run a few at a time.
    let workers = std::thread::available_parallelism().map_or(4, |n| n.get().min(8));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(String, Result<String, String>)>> = Mutex::default();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(name) = names.get(i) else { break };
                let result = run_isolated(name, home.path());
                results.lock().unwrap().push((name.clone(), result));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));

    let mut failures = Vec::new();
    for (name, result) in results {
        let actual = match result {
            Ok(actual) => actual,
            Err(why) => {
                failures.push(format!("{name}: {why}\n"));
                continue;
            }
        };
        let path = diagnostics_dir().join(format!("{name}.expected"));
        let expected = fs::read_to_string(&path).ok();
        if expected.as_deref() == Some(actual.as_str()) {
            continue;
        }
        if update {
            fs::write(&path, &actual).unwrap();
            eprintln!("updated {}", path.display());
            continue;
        }
        match expected {
            None => failures.push(format!(
                "{name}: no {name}.expected; the analysis reports:\n{actual}"
            )),
            Some(expected) => failures.push(format!(
                "{name}: (- expected, + actual)\n{}",
                diff(&expected, &actual)
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ (UPDATE_EXPECT=1 rewrites them; review by hand):\n\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}

/// Each sidecar belongs to a fixture, so a renamed fixture cannot leave a
/// stale expectation behind.
#[test]
fn no_orphan_sidecars() {
    let names: BTreeSet<String> = fixture_names().into_iter().collect();
    let mut orphans = Vec::new();
    for entry in fs::read_dir(diagnostics_dir()).unwrap().flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let stem = [".expected", ".files", ".fixture"]
            .iter()
            .find_map(|suffix| file.strip_suffix(suffix));
        match stem {
            Some(stem) if names.contains(stem) => {}
            None if file.ends_with(".md") => {}
            _ => orphans.push(file),
        }
    }
    assert!(orphans.is_empty(), "files without a fixture: {orphans:?}");
}

/// Every diagnostic code appears in at least one `.expected` file.
#[test]
fn fixtures_cover_every_code() {
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in fixture_names() {
        let path = diagnostics_dir().join(format!("{name}.expected"));
        let text = fs::read_to_string(&path).unwrap_or_default();
        for line in text.lines() {
            let code = line.split(' ').nth(2).unwrap_or_default();
            seen.entry(code.to_string()).or_default().push(name.clone());
        }
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !seen.contains_key(*c))
        .collect();
    assert!(missing.is_empty(), "codes no fixture expects: {missing:?}");
}

/// Every diagnostic code has its own section in `docs/diagnostics.md`.
#[test]
fn docs_cover_every_code() {
    let docs =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md"))
            .expect("docs/diagnostics.md");
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !docs.contains(&format!("### `{c}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a section in docs/diagnostics.md: {missing:?}"
    );
}
