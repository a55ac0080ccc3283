//! The frontmatter of a spec merged by `spec::merge` against chant's own
//! merge driver (`chant merge-driver %O %A %B`, which git runs for
//! `.chant/specs/*.md`), on generated frontmatters: the two must write the
//! same file, byte for byte, for every case. Needs the real chant 0.23.2.

mod support;

use chant_lsp::spec::merge::merge_bookkeeping;
use support::real_chant::real_chant;

/// A small deterministic generator (the cases are the same on every run;
/// `CHANT_MERGE_SEED` explores others).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const STATUSES: &[&str] = &[
    "pending",
    "in_progress",
    "paused",
    "completed",
    "failed",
    "needs_attention",
    "ready",
    "blocked",
    "cancelled",
];
const WORDS: &[&str] = &[
    "a",
    "b",
    "walk",
    "fix",
    "docs/x.md",
    "src/y.rs",
    "1234567",
    "abc1234",
    "0755",
    "x y",
];

fn list(rng: &mut Rng, key: &str, out: &mut String) {
    if !rng.chance(50) {
        return;
    }
    out.push_str(&format!("{key}:\n"));
    for _ in 0..rng.below(4) {
        let word = rng.pick(WORDS);
        let item = if word.contains(' ') || word.chars().all(|c| c.is_ascii_digit()) {
            format!("'{word}'")
        } else {
            word.to_string()
        };
        out.push_str(&format!("- {item}\n"));
    }
}

fn scalar(rng: &mut Rng, key: &str, values: &[&str], out: &mut String) {
    if rng.chance(40) {
        out.push_str(&format!("{key}: {}\n", rng.pick(values)));
    }
}

/// One side's frontmatter, in chant's field order or not.
fn frontmatter(rng: &mut Rng) -> String {
    let mut out = String::new();
    scalar(
        rng,
        "type",
        &["code", "task", "research", "driver"],
        &mut out,
    );
    out.push_str(&format!("status: {}\n", rng.pick(STATUSES)));
    list(rng, "depends_on", &mut out);
    list(rng, "labels", &mut out);
    list(rng, "target_files", &mut out);
    list(rng, "context", &mut out);
    scalar(rng, "prompt", &["standard", "research"], &mut out);
    scalar(
        rng,
        "branch",
        &["chant/2026-01-01-001-abc", "main"],
        &mut out,
    );
    list(rng, "commits", &mut out);
    scalar(
        rng,
        "completed_at",
        &["2026-01-01T00:00:00Z", "2026-02-03T04:05:06Z"],
        &mut out,
    );
    scalar(rng, "model", &["sonnet", "opus"], &mut out);
    list(rng, "informed_by", &mut out);
    scalar(rng, "last_verified", &["2026-01-02T00:00:00Z"], &mut out);
    scalar(
        rng,
        "verification_status",
        &["passed", "failed", "partial"],
        &mut out,
    );
    list(rng, "verification_failures", &mut out);
    scalar(rng, "replayed_at", &["2026-01-03T00:00:00Z"], &mut out);
    scalar(rng, "replay_count", &["1", "3"], &mut out);
    scalar(
        rng,
        "original_completed_at",
        &["2026-01-04T00:00:00Z"],
        &mut out,
    );
    list(rng, "members", &mut out);
    if rng.chance(20) {
        out.push_str("approval:\n  required: true\n  status: approved\n  by: Ada\n  at: 2026-01-05T00:00:00Z\n");
    }
    out
}

#[test]
fn the_frontmatter_merges_as_chants_merge_driver_merges_it() {
    let Some(chant) = real_chant("the_frontmatter_merges_as_chants_merge_driver_merges_it") else {
        return;
    };
    let seed = std::env::var("CHANT_MERGE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261206);
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let body = "# A spec\n\nSome text.\n\n## Acceptance Criteria\n\n- [ ] one\n- [x] two\n";
    let cases = 600;
    let mut disagreements = Vec::new();
    for case in 0..cases {
        let [base, ours, theirs] =
            [(); 3].map(|_| format!("---\n{}---\n{body}", frontmatter(&mut rng)));
        let paths = ["base", "ours", "theirs"].map(|n| dir.path().join(format!("{case}-{n}.md")));
        for (path, text) in paths.iter().zip([&base, &ours, &theirs]) {
            std::fs::write(path, text).unwrap();
        }
        let out = std::process::Command::new(&chant)
            .arg("merge-driver")
            .args(&paths)
            .current_dir(dir.path())
            .env("HOME", dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "chant merge-driver failed on case {case}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let chants = std::fs::read_to_string(&paths[1]).unwrap();
        let ours_merge = merge_bookkeeping(&base, &ours, &theirs)
            .map(|m| m.text)
            .unwrap_or_else(|e| format!("not merged: {e}"));
        if chants != ours_merge {
            disagreements.push(format!(
                "case {case}\n--- base\n{base}\n--- ours\n{ours}\n--- theirs\n{theirs}\n--- chant\n{chants}\n--- chant-lsp\n{ours_merge}"
            ));
        }
    }
    eprintln!(
        "merge-driver agreement: {} of {cases} cases (seed {seed})",
        cases - disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} of {cases} cases differ; the first:\n{}",
        disagreements.len(),
        disagreements[0]
    );
}
