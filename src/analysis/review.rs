//! What an agent's branch changed, as a review shows it: every changed file
//! with its hunks, sorted into the agent's work and chant's bookkeeping
//! (spec files), the specs the branch deletes flagged, the commits, and the
//! agent's summary as chant recorded it. Pure: `runner::review` gathers it
//! from git, `ide::review` renders it.

/// How a file differs between the merge base and the branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeStatus {
    Added,
    Modified,
    Deleted,
}

impl ChangeStatus {
    /// `A`, `M`, `D`, as `git diff --name-status` says it.
    pub fn letter(self) -> char {
        match self {
            ChangeStatus::Added => 'A',
            ChangeStatus::Modified => 'M',
            ChangeStatus::Deleted => 'D',
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeStatus::Added => "added",
            ChangeStatus::Modified => "modified",
            ChangeStatus::Deleted => "deleted",
        }
    }
}

/// What a changed file is to the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// The agent's work: a file outside `.chant/`.
    Work,
    /// The spec itself: the agent ticks its criteria, chant writes its
    /// status (chant's bookkeeping).
    Spec,
    /// Another file under `.chant/` the branch adds or changes.
    Chant,
    /// Another spec (or archived spec) the branch deletes: chant removes
    /// every other spec from the agent's worktree, and an agent that commits
    /// everything (`git add -A`) commits their deletion. Merged as it is,
    /// the branch would delete them from the main branch.
    DeletedSpec,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Work => "work",
            Role::Spec => "spec",
            Role::Chant => "chant",
            Role::DeletedSpec => "deletedSpec",
        }
    }
}

/// The role of `path` (relative to the project root, `/`-separated) in the
/// review of the spec at `spec_path` (relative too).
pub fn role(path: &str, spec_path: &str, status: ChangeStatus) -> Role {
    if path != ".chant" && !path.starts_with(".chant/") {
        return Role::Work;
    }
    if path == spec_path {
        return Role::Spec;
    }
    let spec_like = (path.starts_with(".chant/specs/") || path.starts_with(".chant/archive/"))
        && path.ends_with(".md");
    match status {
        ChangeStatus::Deleted if spec_like => Role::DeletedSpec,
        _ => Role::Chant,
    }
}

/// One hunk: its `@@ -a,b +c,d @@` line and the lines under it, each ended
/// by `\n` (git's ` `, `+`, `-` and `\ No newline at end of file` lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    pub header: String,
    pub lines: String,
}

/// What the review shows of a file's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Its hunks (none for a change of mode only or an empty file).
    Hunks(Vec<Hunk>),
    /// git says it is binary: named, never dumped.
    Binary,
    /// Too many changed lines to show in the review document.
    TooLarge,
    /// Left out once the review showed as many lines as it shows.
    OverBudget,
    /// Not shown: a spec the branch deletes, flagged instead.
    Flagged,
}

/// One changed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiff {
    /// Relative to the project root, `/`-separated.
    pub path: String,
    pub status: ChangeStatus,
    pub role: Role,
    /// Lines added and removed (0 for binary files).
    pub insertions: usize,
    pub deletions: usize,
    /// git's mode lines: `new file mode 100644`, `old mode ...`.
    pub modes: Vec<String>,
    pub body: Body,
}

/// One commit of the branch since the merge base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// Abbreviated, as `git log --format=%h` gives it.
    pub hash: String,
    pub subject: String,
}

/// Where the agent's summary was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummarySource {
    /// The spec's `## Agent Output` on the main branch (chant's finalize
    /// writes it there after a run that completed).
    SpecOnMain,
    /// The last run in the agent's log, `.chant/logs/<id>.log`.
    Log,
}

/// What the agent said it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub source: SummarySource,
    /// Its last lines, at most [`SUMMARY_LINES`].
    pub lines: Vec<String>,
    /// How many lines before them are left out.
    pub omitted: usize,
}

/// How many lines of the agent's summary a review shows (its end: agents
/// sum up last).
pub const SUMMARY_LINES: usize = 40;

/// A review of spec `id`'s agent branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: String,
    /// The spec file, relative to the project root.
    pub spec_path: String,
    pub title: Option<String>,
    pub branch: String,
    /// The main branch (config `defaults.main_branch`).
    pub main: String,
    /// The merge base of the main branch and the agent's branch: the left
    /// side of every file.
    pub base: String,
    /// The agent branch's tip: the right side.
    pub head: String,
    /// Oldest first.
    pub commits: Vec<Commit>,
    /// Work first, then chant's files, each group by path.
    pub files: Vec<FileDiff>,
    pub summary: Option<Summary>,
}

impl Review {
    /// The files of one role, in order.
    pub fn files_of(&self, role: Role) -> impl Iterator<Item = &FileDiff> {
        self.files.iter().filter(move |f| f.role == role)
    }
}

/// The agent's output chant recorded in the spec: the last `## Agent
/// Output` section chant's finalize appends (`\n\n## Agent Output\n\n<time>\n\n` +
/// "```" + `\n<output>` + "```" + `\n`, the closing fence glued to the last
/// line of output). None when the spec has no such section.
pub fn agent_output(spec: &str) -> Option<Vec<String>> {
    let lines: Vec<&str> = spec.lines().collect();
    let heading = lines
        .iter()
        .rposition(|l| l.trim_end() == "## Agent Output")?;
    let open = heading
        + 1
        + lines[heading + 1..]
            .iter()
            .position(|l| l.trim_end() == "```")?;
    let rest = &lines[open + 1..];
    // The line that carries chant's closing fence: the last one ending in
    // it (an agent's own fenced blocks close on lines of their own before).
    let close = rest.iter().rposition(|l| l.trim_end().ends_with("```"))?;
    let mut out: Vec<String> = rest[..=close].iter().map(|l| l.to_string()).collect();
    let last = out.pop().unwrap_or_default();
    let last = last.trim_end();
    let last = &last[..last.len() - 3];
    if !last.is_empty() {
        out.push(last.to_string());
    }
    Some(out)
}

/// The last run of an agent's log: what follows chant's last header (`#
/// Agent Log:` ... `# Prompt:`, or a `# New Run:` block between lines of
/// `=`), blank lines around it dropped.
pub fn log_last_run(log: &str) -> Vec<String> {
    let lines: Vec<&str> = log.lines().collect();
    let start = lines
        .iter()
        .rposition(|l| l.starts_with("# Prompt: "))
        .map(|i| {
            // A new run's block ends with a line of `=`.
            match lines.get(i + 1) {
                Some(next) if !next.is_empty() && next.chars().all(|c| c == '=') => i + 2,
                _ => i + 1,
            }
        })
        .unwrap_or(0);
    trim_blank(&lines[start.min(lines.len())..])
}

fn trim_blank(lines: &[&str]) -> Vec<String> {
    let first = lines.iter().position(|l| !l.trim().is_empty());
    let last = lines.iter().rposition(|l| !l.trim().is_empty());
    match (first, last) {
        (Some(a), Some(b)) => lines[a..=b].iter().map(|l| l.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// A summary from its lines: the last [`SUMMARY_LINES`] (blank lines
/// around them dropped); None when nothing is left.
pub fn summary(source: SummarySource, lines: Vec<String>) -> Option<Summary> {
    let borrowed: Vec<&str> = lines.iter().map(String::as_str).collect();
    let lines = trim_blank(&borrowed);
    if lines.is_empty() {
        return None;
    }
    let omitted = lines.len().saturating_sub(SUMMARY_LINES);
    Some(Summary {
        source,
        lines: lines[omitted..].to_vec(),
        omitted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_keep_chants_bookkeeping_apart_from_the_work() {
        let spec = ".chant/specs/2026-01-01-001-abc.md";
        let role = |path, status| role(path, spec, status);
        use ChangeStatus::*;
        assert_eq!(role("src/main.rs", Modified), Role::Work);
        assert_eq!(role(".chantrc", Added), Role::Work);
        assert_eq!(
            role(".chant/specs/2026-01-01-001-abc.md", Modified),
            Role::Spec
        );
        assert_eq!(
            role(".chant/specs/2026-01-01-002-def.md", Deleted),
            Role::DeletedSpec
        );
        assert_eq!(
            role(".chant/archive/2026-01-01/x.md", Deleted),
            Role::DeletedSpec
        );
        assert_eq!(
            role(".chant/specs/2026-01-01-002-def.md", Modified),
            Role::Chant
        );
        assert_eq!(role(".chant/config.md", Deleted), Role::Chant);
        assert_eq!(role(".chant/prompts/standard.md", Modified), Role::Chant);
    }

    #[test]
    fn the_agent_output_as_chant_writes_it() {
        // chant's finalize: the closing fence glued to the last line.
        let spec = "---\nstatus: completed\n---\n# T\n\n## Acceptance Criteria\n\n- [x] a\n\n## Agent Output\n\n2026-01-01T00:00:00Z\n\n```\nagent: working\n```sh\nls\n```\nagent: done```\n";
        assert_eq!(
            agent_output(spec).unwrap(),
            ["agent: working", "```sh", "ls", "```", "agent: done"]
        );
        // A later run's section wins; an approval written after it stays out.
        let twice = format!("{spec}\n## Agent Output\n\n2026-01-02T00:00:00Z\n\n```\nsecond```\n\n## Approval Discussion\n\n**Ada** - 2026-01-02 10:00 - APPROVED\n");
        assert_eq!(agent_output(&twice).unwrap(), ["second"]);
        assert_eq!(agent_output("# T\n\nno output\n"), None);
        assert_eq!(agent_output("## Agent Output\n\nno fence\n"), None);
    }

    #[test]
    fn the_last_run_of_a_log() {
        let first =
            "# Agent Log: x\n# Started: 2026-01-01T00:00:00Z\n# Prompt: standard\n\nagent: one\n";
        assert_eq!(log_last_run(first), ["agent: one"]);
        let again = format!("{first}\n{eq}\n# New Run: 2026-01-02T00:00:00Z\n# Prompt: standard\n{eq}\n\nagent: two\nagent: done\n\n", eq = "=".repeat(80));
        assert_eq!(log_last_run(&again), ["agent: two", "agent: done"]);
        assert_eq!(log_last_run("just text\n"), ["just text"]);
        assert!(log_last_run("").is_empty());
    }

    #[test]
    fn a_long_summary_keeps_its_end() {
        let lines: Vec<String> = (0..100).map(|i| format!("line {i}")).collect();
        let s = summary(SummarySource::Log, lines).unwrap();
        assert_eq!(s.omitted, 60);
        assert_eq!(s.lines.first().unwrap(), "line 60");
        assert_eq!(s.lines.len(), SUMMARY_LINES);
        assert_eq!(summary(SummarySource::Log, vec![" ".into()]), None);
    }
}
