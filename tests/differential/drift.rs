//! Drift against the real chant: generated projects, each with one
//! completed spec whose `tracks`, `origin` and `informed_by` name files
//! (literal paths, globs, folders, missing files, odd spellings, a link
//! that loops back up in every other project) whose
//! modification times sit just before, at or after its `completed_at`
//! (which may carry an offset, a fraction, or not be RFC 3339 at all).
//! chant-lsp predicts whether the spec has drifted (`analysis::drift`, a
//! `chant/drift` diagnostic); `chant drift <id>` then runs. chant 0.23.2
//! reports a drifted spec by failing to mark it `needs_attention`
//! ("Invalid transition from Completed to NeedsAttention"), so that failure
//! is its "drifted" verdict, and "up to date" its other one. A pattern the
//! glob crate refuses makes chant fail for the whole command ("Invalid glob
//! pattern"): chant-lsp must predict that too
//! (`chant/drift-invalid-pattern`), and must not where chant did not fail.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chant_lsp::analysis::{Code, Filter, SpecContext};
use chant_lsp::workspace::{LoadedSpec, ProjectIndex};

use crate::mutator::Rng;
use crate::support::real_chant::{chant_command, git_init};

const ID: &str = "2026-04-01-001-drf";

/// The files every project has, relative to its root.
const FILES: &[&str] = &[
    "src/a.rs",
    "src/b.rs",
    "src/nested/c.rs",
    "docs/guide.md",
    "docs/api/ref.md",
    "docs/.hidden.md",
    "a.txt",
    "b.txt",
    "notes {draft}.md",
];

const PATTERNS: &[&str] = &[
    "src/a.rs",
    "./src/a.rs",
    "src//b.rs",
    "src/../src/b.rs",
    "src/missing.rs",
    "src",
    "docs/*.md",
    "docs/**/*.md",
    "**/*.rs",
    "src/?.rs",
    "[ab].txt",
    "[!a].txt",
    "docs/*",
    "*.txt",
    "notes {draft}.md",
    "notes {*}.md",
    "src/*/c.rs",
    "docs/**",
    "nothing/*.md",
    "",
    "src/[a-b].rs",
    "[[]ab.txt",
    "docs/**/",
    "./**/./*.rs",
    "*/*/*.md",
    "docs/up/src/*.rs",
    "docs/.*/*.md",
];

/// Refused by the glob crate: chant fails for the whole command.
const REFUSED: &[&str] = &["src/a**.rs", "[ab.txt", "**a/*.md", "src/[].rs"];

#[derive(Debug, Clone)]
struct Case {
    n: usize,
    completed_at: Option<String>,
    /// (field, patterns)
    fields: Vec<(&'static str, Vec<&'static str>)>,
    /// (file, modification time relative to the instant completed_at names, ns)
    times: Vec<(&'static str, i128)>,
    /// The instant completed_at names (ns since the epoch).
    instant: i128,
}

/// An instant a few days ago, whole seconds.
fn base_instant() -> i128 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i128;
    (now - 3 * 86_400) * 1_000_000_000
}

fn generate(rng: &mut Rng, n: usize, base: i128) -> Case {
    let secs = base / 1_000_000_000;
    let utc = format_utc(secs);
    // (completed_at as written, the instant it names)
    let (completed_at, instant) = match rng.below(9) {
        0 => (Some(format!("{utc}Z")), base),
        1 => (Some(format!("{utc}.500Z")), base + 500_000_000),
        2 => (Some(format!("{}+02:00", format_utc(secs + 7_200))), base),
        3 => (Some(format!("{}-05:30", format_utc(secs - 19_800))), base),
        4 => (Some(format!("'{utc}Z'")), base),
        5 => (Some(utc[..10].to_string()), base),
        // No zone: not RFC 3339, so chant skips the spec.
        6 => (Some(utc.clone()), base),
        7 => (None, base),
        _ => (Some(format!("{utc}z")), base),
    };
    let mut fields = Vec::new();
    for field in ["tracks", "origin", "informed_by"] {
        if rng.chance(55) {
            let count = 1 + rng.below(3);
            let patterns = (0..count)
                .map(|_| {
                    if rng.chance(4) {
                        rng.pick(REFUSED)
                    } else {
                        rng.pick(PATTERNS)
                    }
                })
                .collect();
            fields.push((field, patterns));
        }
    }
    let offsets: &[i128] = &[
        -86_400_000_000_000,
        -1_000_000_000,
        -1,
        0,
        1,
        400_000_000,
        600_000_000,
        1_000_000_000,
        86_400_000_000_000,
    ];
    let times = FILES
        .iter()
        .map(|file| {
            // Mostly before completion, so that one late file decides.
            let offset = if rng.chance(70) {
                -86_400_000_000_000
            } else {
                rng.pick(offsets)
            };
            (*file, offset)
        })
        .collect();
    Case {
        n,
        completed_at,
        fields,
        times,
        instant,
    }
}

/// `YYYY-MM-DDTHH:MM:SS` for seconds since the epoch (UTC).
fn format_utc(secs: i128) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

fn spec_text(case: &Case) -> String {
    let mut front = String::from("type: research\nstatus: completed\n");
    if let Some(at) = &case.completed_at {
        front.push_str(&format!("completed_at: {at}\n"));
    }
    for (field, patterns) in &case.fields {
        front.push_str(&format!("{field}:\n"));
        for p in patterns {
            front.push_str(&format!("- '{p}'\n"));
        }
    }
    format!("---\n{front}---\n# Research the thing\n\n## Acceptance Criteria\n\n- [x] done\n")
}

fn write(case: &Case, root: &Path) {
    std::fs::create_dir_all(root.join(".chant/specs")).unwrap();
    std::fs::write(
        root.join(".chant/config.md"),
        format!(
            "---\nproject:\n  name: drifttest{}x{}\n---\n# Config\n",
            std::process::id(),
            case.n
        ),
    )
    .unwrap();
    std::fs::write(root.join(format!(".chant/specs/{ID}.md")), spec_text(case)).unwrap();
    for file in FILES {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("{file}\n")).unwrap();
    }
    // Every other project has a link back up: `**` and `*/*/*` go round
    // it (chant's glob crate as deep as links may lead, chant-lsp once per
    // real folder); the verdict must not change.
    if case.n % 2 == 0 {
        std::os::unix::fs::symlink("..", root.join("docs/up")).unwrap();
    }
}

/// Give each file its modification time (after git has seen them).
fn set_times(case: &Case, root: &Path) {
    for (file, offset) in &case.times {
        let at = case.instant + offset;
        let time = UNIX_EPOCH + Duration::from_nanos(at as u64);
        let handle = std::fs::File::options()
            .write(true)
            .open(root.join(file))
            .unwrap();
        handle.set_modified(time).unwrap();
    }
}

/// chant-lsp's verdict: the spec's drift diagnostics, and those that say
/// `chant drift` fails on a pattern, as messages.
type Prediction = (Vec<String>, Vec<String>);

fn predict(root: &Path) -> Prediction {
    let index = ProjectIndex::load(root);
    let path = root.join(format!(".chant/specs/{ID}.md"));
    let loaded = LoadedSpec::from_text(std::fs::read_to_string(&path).unwrap());
    let diagnostics = loaded.diagnose(
        SpecContext {
            id: ID,
            path: Some(&path),
        },
        &index,
        &Filter::default(),
    );
    let messages = |code: Code| {
        diagnostics
            .iter()
            .filter(|d| d.code == code)
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
    };
    (messages(Code::Drift), messages(Code::DriftInvalidPattern))
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Drifted,
    UpToDate,
    /// chant failed for another reason (an invalid glob pattern).
    Failed(String),
}

fn run(chant: &Path, root: &Path, home: &Path) -> Verdict {
    let output = chant_command(chant, root, home)
        .args(["drift", ID])
        .output()
        .expect("chant drift runs");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if all.contains("Invalid transition from Completed to NeedsAttention") {
        Verdict::Drifted
    } else if output.status.success() {
        Verdict::UpToDate
    } else {
        // chant's error, or the first lines of its panic (not the backtrace).
        let why = all
            .lines()
            .skip_while(|l| !(l.contains("rror") || l.contains("panicked")))
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        Verdict::Failed(why)
    }
}

pub fn drift(chant: &Path, cases: usize, seed: u64) -> Result<String, String> {
    let started = Instant::now();
    let mut rng = Rng::new(seed);
    let base = base_instant();
    let cases: Vec<Case> = (0..cases).map(|n| generate(&mut rng, n, base)).collect();
    let results: Vec<(Case, Prediction, Verdict)> = cases
        .into_iter()
        .map(|case| {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("project");
            let home = dir.path().join("home");
            std::fs::create_dir_all(&home).unwrap();
            write(&case, &root);
            git_init(&root, &home);
            set_times(&case, &root);
            let predicted = predict(&root);
            let verdict = run(chant, &root, &home);
            (case, predicted, verdict)
        })
        .collect();
    // chant-lsp's verdict in chant's terms: a refused pattern first (chant
    // fails before it could tell), then drift.
    let ours = |(drift, refused): &Prediction| {
        if !refused.is_empty() {
            "fails on a pattern"
        } else if !drift.is_empty() {
            "drifted"
        } else {
            "up to date"
        }
    };
    let theirs = |verdict: &Verdict| match verdict {
        Verdict::Drifted => "drifted",
        Verdict::UpToDate => "up to date",
        Verdict::Failed(why) if why.contains("Invalid glob pattern") => "fails on a pattern",
        Verdict::Failed(_) => "fails otherwise",
    };
    let agree = results
        .iter()
        .filter(|(_, predicted, verdict)| ours(predicted) == theirs(verdict))
        .count();
    let count = |what: &str| results.iter().filter(|r| theirs(&r.2) == what).count();
    let summary = format!(
        "drift (chant 0.23.2): {} generated projects, {:.1} s\n  chant drift <id>       {agree}/{} agree ({:.2} %): chant found {} drifted, {} up to date, failed on a pattern in {}",
        results.len(),
        started.elapsed().as_secs_f64(),
        results.len(),
        100.0 * agree as f64 / results.len().max(1) as f64,
        count("drifted"),
        count("up to date"),
        count("fails on a pattern"),
    );
    let failures: Vec<String> = results
        .iter()
        .filter(|(_, predicted, verdict)| ours(predicted) != theirs(verdict))
        .map(|(case, predicted, verdict)| {
            format!(
                "--- case {}: chant {verdict:?}, chant-lsp {predicted:?}\n{}files (ns after completed_at): {:?}",
                case.n,
                spec_text(case),
                case.times
            )
        })
        .collect();
    if failures.is_empty() {
        Ok(summary)
    } else {
        Err(format!(
            "{summary}\n\n{} disagreements:\n\n{}",
            failures.len(),
            failures
                .into_iter()
                .take(8)
                .collect::<Vec<_>>()
                .join("\n\n")
        ))
    }
}

#[test]
fn drift_agrees_with_real_chant() {
    let Some(chant) = crate::support::real_chant::real_chant("drift_agrees_with_real_chant") else {
        return;
    };
    let cases = crate::env_number("CHANT_DIFF_DRIFT", 300) as usize;
    let seed = crate::env_number("CHANT_DIFF_SEED", 1);
    match drift(&chant, cases, seed) {
        Ok(summary) => eprintln!("{summary}"),
        Err(report) => panic!("{report}"),
    }
}
