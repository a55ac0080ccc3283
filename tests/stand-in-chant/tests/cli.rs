//! Runs the built stand-in `chant` binary in temporary git repositories.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tempfile::TempDir;

const ID: &str = "2026-01-02-001-abc";

struct Repo {
    dir: TempDir,
    worktrees: TempDir,
}

fn git_env(cmd: &mut Command) -> &mut Command {
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
}

impl Repo {
    /// A git repository on `main` holding `.chant/config.md` and the
    /// `bootstrap` prompt, committed.
    fn new() -> Repo {
        Repo::with_config("---\nproject:\n  name: demo\n---\n# Config\n")
    }

    fn with_config(config: &str) -> Repo {
        let repo = Repo {
            dir: TempDir::new().unwrap(),
            worktrees: TempDir::new().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "Test User"]);
        repo.git(&["config", "user.email", "test@example.com"]);
        repo.write(".chant/config.md", config);
        repo.write(
            ".chant/prompts/bootstrap.md",
            "---\nname: bootstrap\n---\nDo {{spec.id}}.\n",
        );
        repo.write("README.md", "readme\n");
        repo.commit_all("init");
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, rel: &str, content: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap()
    }

    fn spec_rel(id: &str) -> String {
        format!(".chant/specs/{}.md", id)
    }

    fn add_spec(&self, id: &str, content: &str) {
        self.write(&Repo::spec_rel(id), content);
    }

    fn read_spec(&self, id: &str) -> String {
        self.read(&Repo::spec_rel(id))
    }

    fn commit_all(&self, msg: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", msg]);
    }

    fn git_out(&self, args: &[&str]) -> Output {
        git_env(Command::new("git").args(args).current_dir(self.path()))
            .output()
            .unwrap()
    }

    fn git(&self, args: &[&str]) -> String {
        let out = self.git_out(args);
        assert!(
            out.status.success(),
            "git {:?} failed: {}",
            args,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn head_subject(&self) -> String {
        self.git(&["log", "-1", "--format=%s", "main"])
            .trim()
            .to_string()
    }

    fn commit_count(&self) -> usize {
        self.git(&["rev-list", "--count", "main"])
            .trim()
            .parse()
            .unwrap()
    }

    fn chant(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_chant"));
        git_env(&mut cmd)
            .current_dir(self.path())
            .stdin(Stdio::null())
            .env("STANDIN_WORKTREE_DIR", self.worktrees.path());
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy().into_owned();
            if key.starts_with("STANDIN_") && key != "STANDIN_WORKTREE_DIR" {
                cmd.env_remove(key);
            }
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = self.chant();
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run::from(cmd.output().unwrap())
    }

    fn worktree_dir(&self, id: &str) -> PathBuf {
        self.worktrees.path().join(format!("chant-demo-{}", id))
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    fn expect(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// The line chant prints for a failed command.
    fn error_line(&self) -> &str {
        self.stderr
            .lines()
            .find(|l| l.starts_with("Error: "))
            .unwrap_or_else(|| panic!("no Error: line in stderr:\n{}", self.stderr))
    }
}

// ---------------------------------------------------------------------------
// Template matching: whole-file comparison where some fields vary per run.
//   {TS}   YYYY-MM-DDTHH:MM:SSZ
//   {MIN}  YYYY-MM-DD HH:MM
//   {HASH} a short commit hash, possibly single-quoted by the YAML writer
// ---------------------------------------------------------------------------

fn shape(s: &str, pattern: &str) -> bool {
    s.len() == pattern.len()
        && s.chars().zip(pattern.chars()).all(|(c, p)| match p {
            '9' => c.is_ascii_digit(),
            _ => c == p,
        })
}

fn take_placeholder<'a>(name: &str, s: &'a str) -> Option<&'a str> {
    match name {
        "TS" => s
            .get(..20)
            .filter(|p| shape(p, "9999-99-99T99:99:99Z"))
            .map(|_| &s[20..]),
        "MIN" => s
            .get(..16)
            .filter(|p| shape(p, "9999-99-99 99:99"))
            .map(|_| &s[16..]),
        "HASH" => {
            let (quoted, body) = match s.strip_prefix('\'') {
                Some(rest) => (true, rest),
                None => (false, s),
            };
            let n = body.chars().take_while(|c| c.is_ascii_hexdigit()).count();
            if !(7..=40).contains(&n) {
                return None;
            }
            let rest = &body[n..];
            if quoted {
                rest.strip_prefix('\'')
            } else {
                Some(rest)
            }
        }
        _ => panic!("unknown placeholder {}", name),
    }
}

fn line_matches(actual: &str, template: &str) -> bool {
    let mut rest = actual;
    let mut t = template;
    loop {
        let next = ["{TS}", "{MIN}", "{HASH}"]
            .iter()
            .filter_map(|p| t.find(p).map(|i| (i, *p)))
            .min();
        match next {
            None => return rest == t,
            Some((i, p)) => {
                let Some(r) = rest.strip_prefix(&t[..i]) else {
                    return false;
                };
                let Some(r) = take_placeholder(&p[1..p.len() - 1], r) else {
                    return false;
                };
                rest = r;
                t = &t[i + p.len()..];
            }
        }
    }
}

fn assert_matches(actual: &str, template: &str) {
    let a: Vec<&str> = actual.split('\n').collect();
    let t: Vec<&str> = template.split('\n').collect();
    let ok = a.len() == t.len() && a.iter().zip(&t).all(|(x, y)| line_matches(x, y));
    assert!(
        ok,
        "file does not match\n--- actual\n{}\n--- expected (template)\n{}",
        actual, template
    );
}

fn pid_alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{}/stat", pid)) {
        // A zombie (state Z) has exited; only its parent has not reaped it.
        Ok(stat) => stat
            .rsplit_once(')')
            .map(|(_, rest)| !rest.trim_start().starts_with('Z'))
            .unwrap_or(false),
        Err(_) => false,
    }
}

const PENDING_SPEC: &str = "---
# a comment that chant drops
type: code
status: pending
priority: high
labels: [ui, greeting]
depends_on: 2026-01-01-001-dep
model: claude-opus-4-5
---

# Add a greeting

Say hello.

```sh
# not a title
```

## Acceptance Criteria

- [ ] Greeting printed
- [x] Already done
  - [ ] Nested item

## Notes

- [ ] not a criterion
";

const DEP_SPEC: &str = "---\ntype: code\nstatus: completed\n---\n# The dependency\n";

fn simple_spec(status: &str) -> String {
    format!(
        "---\ntype: code\nstatus: {}\n---\n\n# A spec\n\n## Acceptance Criteria\n\n- [ ] One\n",
        status
    )
}

// ---------------------------------------------------------------------------

#[test]
fn successful_work_rewrites_spec_commits_on_main_and_keeps_branch() {
    let repo = Repo::with_config(
        "---\nproject:\n  name: demo\ndefaults:\n  model: claude-haiku-4-5\n---\n",
    );
    repo.add_spec("2026-01-01-001-dep", DEP_SPEC);
    repo.add_spec(ID, PENDING_SPEC);
    repo.commit_all("specs");
    let before = repo.commit_count();

    let run = repo.run(&["work", ID, "--no-watch"]);
    run.expect(0);
    let agent_lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("stand-in agent:"))
        .collect();
    assert_eq!(
        agent_lines,
        [1, 2, 3]
            .iter()
            .map(|i| format!("stand-in agent: working on {} (line {} of 3)", ID, i))
            .collect::<Vec<_>>()
    );
    assert!(run.stderr.starts_with("Warning: "), "{}", run.stderr);

    let text = repo.read_spec(ID);
    assert_matches(
        &text,
        &format!(
            "---
type: code
status: completed
depends_on:
- 2026-01-01-001-dep
labels:
- ui
- greeting
branch: chant/{ID}
commits:
- {{HASH}}
- {{HASH}}
completed_at: {{TS}}
model: haiku
---
# Add a greeting

Say hello.

```sh
# not a title
```

## Acceptance Criteria

- [x] Greeting printed
- [x] Already done
  - [x] Nested item

## Notes

- [ ] not a criterion

## Agent Output

{{TS}}

```
stand-in agent: working on {ID} (line 1 of 3)
stand-in agent: working on {ID} (line 2 of 3)
stand-in agent: working on {ID} (line 3 of 3)```
"
        ),
    );

    // commits: are chant's `git log chant/<id> --grep 'chant(<id>):'`.
    let branch = format!("chant/{}", ID);
    let expected: Vec<String> = repo
        .git(&[
            "log",
            &branch,
            "--format=%h",
            "--grep",
            &format!("chant({}):", ID),
            "--reverse",
        ])
        .lines()
        .map(|h| format!("- {}", h))
        .collect();
    let listed: Vec<String> = text
        .lines()
        .skip_while(|l| *l != "commits:")
        .skip(1)
        .take_while(|l| l.starts_with("- "))
        .map(|l| l.replace('\'', ""))
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(
        repo.git(&["log", "--format=%s", &format!("main..{}", branch)]),
        format!(
            "chant({ID}): stand-in agent work\nchant({ID}): update spec status to in_progress\n"
        )
    );

    // One new commit on main holding only the spec file.
    assert_eq!(repo.commit_count(), before + 1);
    assert_eq!(
        repo.head_subject(),
        format!("chant: Record agent transcript for {}", ID)
    );
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        format!(".chant/specs/{}.md\n", ID)
    );
    assert_eq!(
        repo.git(&["show", &format!("HEAD:.chant/specs/{ID}.md")]),
        text
    );

    // The agent's work is on the branch only.
    assert_eq!(
        repo.git(&["show", &format!("{}:agent-output.txt", branch)]),
        format!("stand-in agent output for {}\n", ID)
    );
    assert!(!repo.path().join("agent-output.txt").exists());
    assert!(
        repo.git_out(&["cat-file", "-e", "main:agent-output.txt"])
            .status
            .code()
            != Some(0)
    );

    // Worktree removed, branch kept.
    assert!(!repo.worktree_dir(ID).exists());
    assert_eq!(
        repo.git(&["worktree", "list", "--porcelain"])
            .matches("worktree ")
            .count(),
        1
    );
    assert!(repo.git(&["branch", "--list", &branch]).contains(&branch));
}

#[test]
fn agent_writes_file_drives_the_agents_changes() {
    let repo = Repo::new();
    repo.add_spec(ID, &simple_spec("pending"));
    repo.write("src/old.rs", "old\n");
    repo.commit_all("specs");
    let writes = repo.worktrees.path().join("writes.json");
    std::fs::write(
        &writes,
        r#"{"write": {"src/new.rs": "fn main() {}\n", "docs/a/b.md": "deep\n"}, "delete": ["src/old.rs"]}"#,
    )
    .unwrap();

    let started = Instant::now();
    let run = repo.run_with(
        &["work", "abc"],
        &[
            ("STANDIN_AGENT_WRITES", writes.to_str().unwrap()),
            ("STANDIN_AGENT_LINES", "2"),
            ("STANDIN_AGENT_DELAY_MS", "300"),
        ],
    );
    run.expect(0);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let branch = format!("chant/{}", ID);
    let files = repo.git(&[
        "diff",
        "--name-status",
        "main",
        &branch,
        "--",
        "src",
        "docs",
    ]);
    assert_eq!(files, "A\tdocs/a/b.md\nA\tsrc/new.rs\nD\tsrc/old.rs\n");
    assert_eq!(repo.read("src/old.rs"), "old\n");
    let text = repo.read_spec(ID);
    assert!(text.ends_with(&format!(
        "```\nstand-in agent: working on {ID} (line 1 of 2)\nstand-in agent: working on {ID} (line 2 of 2)```\n"
    )));
}

#[test]
fn failed_agent_marks_spec_failed_and_keeps_worktree_and_branch() {
    let repo = Repo::new();
    repo.add_spec(ID, &simple_spec("pending"));
    repo.commit_all("specs");
    let before = repo.commit_count();

    let run = repo.run_with(&["work", ID, "--no-watch"], &[("STANDIN_AGENT_FAIL", "1")]);
    run.expect(1);
    assert_eq!(
        run.error_line(),
        "Error: Agent exited with status: exit status: 1"
    );
    assert!(run
        .stderr
        .contains("Stderr:\nstand-in agent: failing on purpose (STANDIN_AGENT_FAIL=1)"));
    assert!(run.stdout.contains("stand-in agent: working on"));

    let text = repo.read_spec(ID);
    assert_eq!(
        text,
        format!(
            "---\ntype: code\nstatus: failed\nbranch: chant/{ID}\n---\n# A spec\n\n## Acceptance Criteria\n\n- [ ] One"
        )
    );
    // Uncommitted: main still has the pending spec.
    assert_eq!(repo.commit_count(), before);
    assert_eq!(
        repo.git(&["status", "--porcelain", "--", &Repo::spec_rel(ID)]),
        format!(" M .chant/specs/{}.md\n", ID)
    );
    let status = repo.read(&format!(".chant/specs/.chant-status-{}.json", ID));
    assert!(status.contains("\"status\": \"failed\""), "{}", status);
    assert!(repo.worktree_dir(ID).is_dir());
    assert!(repo
        .git(&["branch", "--list", &format!("chant/{}", ID)])
        .contains("chant/"));
}

#[test]
fn work_refusals_leave_the_spec_alone() {
    let repo = Repo::new();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "2026-01-02-001-com",
            simple_spec("completed"),
            "Error: Cannot work on completed spec '2026-01-02-001-com'. Use --skip-deps or --skip-criteria to bypass.",
        ),
        (
            "2026-01-02-002-can",
            simple_spec("cancelled"),
            "Error: Cannot work on cancelled spec '2026-01-02-002-can'. Cancelled specs are not eligible for execution.",
        ),
        (
            "2026-01-02-003-inp",
            simple_spec("in_progress"),
            "Error: Spec '2026-01-02-003-inp' is already in progress.",
        ),
        (
            "2026-01-02-004-rdy",
            simple_spec("ready"),
            "Error: Failed to transition spec to InProgress: Invalid transition from Ready to InProgress",
        ),
        (
            "2026-01-02-005-ttl",
            "---\nstatus: pending\n---\nNo heading here.\n\n## Acceptance Criteria\n\n- [ ] One\n".to_string(),
            "Error: Spec validation failed with 1 error(s). Fix the issues before running 'chant work'.",
        ),
        (
            "2026-01-02-006-bad",
            "---\nstatus: open\n---\n# Bad status\n\n## Acceptance Criteria\n\n- [ ] One\n".to_string(),
            "Error: Failed to parse spec frontmatter",
        ),
        (
            "2026-01-02-007-apr",
            "---\nstatus: pending\napproval:\n  required: true\n---\n# Needs approval\n\n## Acceptance Criteria\n\n- [ ] One\n".to_string(),
            "Error: Spec '2026-01-02-007-apr' requires approval before work can begin. Use --skip-approval to bypass.",
        ),
        (
            "2026-01-02-008-dep",
            "---\nstatus: pending\ndepends_on: [2026-01-02-003-inp]\n---\n# Waits\n\n## Acceptance Criteria\n\n- [ ] One\n".to_string(),
            "Error: Spec '2026-01-02-008-dep' is blocked by dependencies: 2026-01-02-003-inp",
        ),
        (
            "2026-01-02-009-unk",
            "---\nstatus: pending\ndepends_on: [2026-01-01-404-zzz]\n---\n# Unknown dep\n\n## Acceptance Criteria\n\n- [ ] One\n".to_string(),
            "Error: Spec validation failed with 1 error(s). Fix the issues before running 'chant work'.",
        ),
        (
            "2026-01-02-00a-noc",
            "---\nstatus: pending\n---\n# No criteria\n\nJust prose.\n".to_string(),
            "Error: Spec quality check failed",
        ),
    ];
    for (id, content, _) in &cases {
        repo.add_spec(id, content);
    }
    repo.commit_all("specs");
    let before = repo.commit_count();

    for (id, content, error) in &cases {
        let run = repo.run(&["work", id, "--no-watch"]);
        run.expect(1);
        let last_error = run
            .stderr
            .lines()
            .rfind(|l| l.starts_with("Error: "))
            .unwrap();
        assert_eq!(last_error, *error, "{}: {}", id, run.stderr);
        assert_eq!(&repo.read_spec(id), content, "{} was modified", id);
    }
    let title = repo.run(&["work", "2026-01-02-005-ttl"]);
    assert!(title.stdout.contains("✗ 2026-01-02-005-ttl: Missing title"));
    let unknown = repo.run(&["work", "2026-01-02-009-unk"]);
    assert!(unknown
        .stdout
        .contains("✗ 2026-01-02-009-unk: Unknown dependency '2026-01-01-404-zzz'"));
    assert!(repo
        .run(&["work", "2026-01-02-006-bad"])
        .stderr
        .contains("Caused by:"));

    assert_eq!(repo.commit_count(), before);
    assert_eq!(repo.git(&["branch", "--list", "chant/*"]), "");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn missing_prompt_fails_after_marking_in_progress() {
    let repo = Repo::new();
    repo.add_spec(
        ID,
        "---\ntype: code\nstatus: pending\nprompt: nosuch\n---\n# Uses a missing prompt\n\n## Acceptance Criteria\n\n- [ ] One\n",
    );
    repo.commit_all("specs");
    let run = repo.run(&["work", ID, "--no-watch"]);
    run.expect(1);
    assert_eq!(run.error_line(), "Error: Prompt not found: nosuch");
    assert_eq!(
        repo.read_spec(ID),
        format!(
            "---\ntype: code\nstatus: in_progress\nprompt: nosuch\nbranch: chant/{ID}\n---\n# Uses a missing prompt\n\n## Acceptance Criteria\n\n- [ ] One"
        )
    );
    // --prompt picks an existing prompt instead.
    let repo = Repo::new();
    repo.add_spec(
        ID,
        "---\nstatus: pending\nprompt: nosuch\n---\n# P\n\n## Acceptance Criteria\n\n- [ ] One\n",
    );
    repo.commit_all("specs");
    repo.run(&["work", ID, "--prompt", "bootstrap"]).expect(0);
}

#[test]
fn skip_flags_let_work_through() {
    let repo = Repo::new();
    repo.add_spec(
        "2026-01-02-001-apr",
        "---\nstatus: pending\napproval:\n  required: true\n---\n# Needs approval\n\n## Acceptance Criteria\n\n- [ ] One\n",
    );
    repo.add_spec(
        "2026-01-02-002-dep",
        "---\nstatus: pending\ndepends_on: 2026-01-02-001-apr\n---\n# Waits\n\n## Acceptance Criteria\n\n- [ ] One\n",
    );
    repo.add_spec(
        "2026-01-02-003-noc",
        "---\nstatus: pending\n---\n# No criteria\n",
    );
    repo.commit_all("specs");
    repo.run(&["work", "apr", "--skip-approval"]).expect(0);
    repo.run(&["work", "2026-01-02-002-dep", "--skip-deps"])
        .expect(0);
    repo.run(&["work", "noc", "--skip-criteria"]).expect(0);
    for id in [
        "2026-01-02-001-apr",
        "2026-01-02-002-dep",
        "2026-01-02-003-noc",
    ] {
        assert!(repo.read_spec(id).contains("status: completed"), "{}", id);
    }
}

#[test]
fn write_nothing_knob_leaves_files_as_the_agent_found_them() {
    let repo = Repo::new();
    repo.add_spec(ID, &simple_spec("pending"));
    repo.commit_all("specs");
    let before = repo.commit_count();
    let run = repo.run_with(&["work", ID], &[("STANDIN_WRITE_NOTHING", "1")]);
    run.expect(0);
    assert!(repo.read_spec(ID).contains("status: in_progress"));
    assert_eq!(repo.commit_count(), before);
    assert!(repo
        .git(&["log", "--format=%s", &format!("chant/{}", ID)])
        .contains("stand-in agent work"));
}

#[test]
fn approve_twice_then_reject() {
    let repo = Repo::new();
    repo.add_spec(
        ID,
        "---\ntype: code\nstatus: pending\napproval:\n  required: true\n  status: pending\n---\n\n# Needs a yes\n\nBody.\n",
    );
    repo.add_spec("2026-01-02-002-rej", &simple_spec("pending"));
    repo.commit_all("specs");
    let before = repo.commit_count();

    let run = repo.run(&["approve", "abc", "--by", "Test User"]);
    run.expect(0);
    assert!(run
        .stdout
        .contains(&format!("Spec {} approved by Test User", ID)));
    assert!(!run.stderr.contains("not a known git committer"));
    let approved = repo.read_spec(ID);
    assert_matches(
        &approved,
        "---
type: code
status: blocked
approval:
  required: true
  status: approved
  by: Test User
  at: {TS}
---
# Needs a yes

Body.

## Approval Discussion

**Test User** - {MIN} - APPROVED",
    );
    assert_eq!(repo.commit_count(), before + 1);
    assert_eq!(repo.head_subject(), format!("chant({}): approve spec", ID));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");

    // Second approval: reported, nothing changes.
    let again = repo.run(&["approve", ID, "--by", "someone else"]);
    again.expect(0);
    assert!(again
        .stdout
        .contains(&format!("Spec {} is already approved by Test User", ID)));
    assert_eq!(repo.read_spec(ID), approved);
    assert_eq!(repo.commit_count(), before + 1);

    // Reject another spec; an unknown name is only a warning.
    let run = repo.run(&["reject", "rej", "--by", "Mallory", "--reason", "Too broad."]);
    run.expect(0);
    assert!(run
        .stderr
        .contains("Warning: 'Mallory' is not a known git committer in this repository"));
    assert_matches(
        &repo.read_spec("2026-01-02-002-rej"),
        "---
type: code
status: pending
approval:
  required: false
  status: rejected
  by: Mallory
  at: {TS}
---
# A spec

## Acceptance Criteria

- [ ] One

## Approval Discussion

**Mallory** - {MIN} - REJECTED
Too broad.",
    );
    assert_eq!(
        repo.head_subject(),
        "chant(2026-01-02-002-rej): reject spec"
    );
    assert_eq!(repo.commit_count(), before + 2);

    // A second rejection goes under the same section.
    repo.run(&["reject", "rej", "--by", "Test User", "--reason", "Still."])
        .expect(0);
    let text = repo.read_spec("2026-01-02-002-rej");
    assert_eq!(text.matches("## Approval Discussion").count(), 1);
    assert!(text.contains("Too broad.\n\n**Test User** - "));
    assert!(text.ends_with("REJECTED\nStill."));
}

#[test]
fn usage_errors_exit_2() {
    let repo = Repo::new();
    repo.add_spec(ID, &simple_spec("pending"));
    repo.commit_all("specs");
    let r = repo.run(&["approve", ID]);
    r.expect(2);
    assert!(r.stderr.contains("--by <BY>"));
    repo.run(&["reject", ID, "--by", "x"]).expect(2);
    repo.run(&["frobnicate"]).expect(2);
    repo.run(&["work", ID, "--no-such-flag"]).expect(2);
    assert_eq!(repo.read_spec(ID), simple_spec("pending"));

    let v = repo.run(&["--version"]);
    v.expect(0);
    assert_eq!(v.stdout, "chant 0.23.2\n");
}

#[test]
fn not_a_chant_project_and_missing_config() {
    let dir = TempDir::new().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chant"));
    let run = Run::from(
        cmd.args(["work", ID])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap(),
    );
    run.expect(1);
    assert_eq!(
        run.error_line(),
        "Error: Not a chant project (no .chant/ directory found)"
    );

    // A subfolder of a project is not the project root either.
    let repo = Repo::new();
    repo.add_spec(ID, &simple_spec("pending"));
    repo.commit_all("specs");
    std::fs::create_dir_all(repo.path().join("src")).unwrap();
    let mut cmd = repo.chant();
    let run = Run::from(
        cmd.args(["approve", ID, "--by", "x"])
            .current_dir(repo.path().join("src"))
            .output()
            .unwrap(),
    );
    run.expect(1);
    assert!(run.error_line().starts_with("Error: Not a chant project"));

    std::fs::remove_file(repo.path().join(".chant/config.md")).unwrap();
    let run = repo.run(&["approve", ID, "--by", "x"]);
    run.expect(1);
    assert_eq!(
        run.error_line(),
        "Error: Failed to read config from .chant/config.md"
    );
}

#[test]
fn id_resolution_suffix_today_ambiguous_not_found() {
    let repo = Repo::new();
    let today = String::from_utf8(
        Command::new("date")
            .arg("+%Y-%m-%d")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string();
    let today_id = format!("{}-005-qqq", today);
    for id in [
        "2026-01-02-001-abc",
        "2026-01-02-002-abd",
        "2026-01-03-001-xyz",
        "2020-01-01-005-zzz",
        today_id.as_str(),
    ] {
        repo.add_spec(id, &simple_spec("pending"));
    }
    repo.add_spec("nested/2026-01-04-001-nst", &simple_spec("pending"));
    repo.commit_all("specs");

    // Unique suffix.
    let r = repo.run(&["approve", "xyz", "--by", "Test User"]);
    r.expect(0);
    assert!(r.stdout.contains("Spec 2026-01-03-001-xyz approved"));
    // Three characters: today's sequence wins over two substring matches.
    let r = repo.run(&["approve", "005", "--by", "Test User"]);
    r.expect(0);
    assert!(r.stdout.contains(&format!("Spec {} approved", today_id)));
    // Unique substring.
    let r = repo.run(&["approve", "01-02-002", "--by", "Test User"]);
    r.expect(0);
    assert!(r.stdout.contains("Spec 2026-01-02-002-abd approved"));
    // Specs in subfolders resolve too.
    let r = repo.run(&["approve", "nst", "--by", "Test User"]);
    r.expect(0);
    // Ambiguous.
    let r = repo.run(&["approve", "2026-01-02", "--by", "Test User"]);
    r.expect(1);
    assert_eq!(
        r.error_line(),
        "Error: Ambiguous spec ID '2026-01-02'. Matches: 2026-01-02-001-abc, 2026-01-02-002-abd"
    );
    // Not found.
    let r = repo.run(&["work", "nope"]);
    r.expect(1);
    assert_eq!(r.error_line(), "Error: Spec not found: nope");
    assert!(repo
        .read_spec("2026-01-02-001-abc")
        .contains("status: pending\n---"));
}

#[test]
fn hanging_agent_dies_with_its_process_group() {
    use std::os::unix::process::CommandExt;
    let repo = Repo::new();
    repo.add_spec(ID, &simple_spec("pending"));
    repo.commit_all("specs");
    let pids = repo.worktrees.path().join("pids.txt");

    let mut cmd = repo.chant();
    cmd.args(["work", ID, "--no-watch"])
        .env("STANDIN_AGENT_HANG", "1")
        .env("STANDIN_PID_FILE", &pids)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0);
    let mut child = cmd.spawn().unwrap();
    // Whatever happens below, take the group down when the test ends.
    struct KillGroup(i32);
    impl Drop for KillGroup {
        fn drop(&mut self) {
            unsafe { libc::kill(-self.0, libc::SIGKILL) };
        }
    }
    let _guard = KillGroup(child.id() as i32);
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Streaming: the agent's lines arrive while it is still running.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = 0;
    while seen < 3 {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("agent output did not arrive");
        if line.starts_with("stand-in agent:") {
            seen += 1;
        }
    }
    let recorded = std::fs::read_to_string(&pids).unwrap();
    let pid_of = |who: &str| -> i32 {
        recorded
            .lines()
            .find_map(|l| l.strip_prefix(who))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    let chant_pid = pid_of("chant ");
    let agent_pid = pid_of("agent ");
    assert_eq!(chant_pid as u32, child.id());
    assert!(pid_alive(agent_pid));
    assert!(repo.read_spec(ID).contains("status: in_progress"));

    // Kill the whole group, as a server does. chant was still waiting for
    // its hanging agent: it ends by the signal, not by an exit of its own.
    assert_eq!(
        unsafe { libc::kill(-(child.id() as i32), libc::SIGTERM) },
        0
    );
    let status = child.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(libc::SIGTERM),
        "chant exited on its own before it was killed: {status}"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while pid_alive(agent_pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!pid_alive(agent_pid), "agent {} survived", agent_pid);
    assert!(!pid_alive(chant_pid));
}

#[test]
fn standin_log_records_each_invocation() {
    let repo = Repo::new();
    repo.add_spec(ID, &simple_spec("pending"));
    repo.commit_all("specs");
    let log = repo.worktrees.path().join("argv.log");
    let log_s = log.to_str().unwrap();
    repo.run_with(&["work", "abc", "--no-watch"], &[("STANDIN_LOG", log_s)])
        .expect(0);
    repo.run_with(
        &["approve", ID, "--by", "Test User"],
        &[("STANDIN_LOG", log_s)],
    )
    .expect(0);
    repo.run_with(
        &[
            "reject",
            ID,
            "--by",
            "A \"quoted\" name",
            "--reason",
            "line one\nline two",
        ],
        &[("STANDIN_LOG", log_s)],
    )
    .expect(0);
    repo.run_with(&["bogus"], &[("STANDIN_LOG", log_s)])
        .expect(2);
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        format!(
            "[\"work\",\"abc\",\"--no-watch\"]\n\
             [\"approve\",\"{ID}\",\"--by\",\"Test User\"]\n\
             [\"reject\",\"{ID}\",\"--by\",\"A \\\"quoted\\\" name\",\"--reason\",\"line one\\nline two\"]\n\
             [\"bogus\"]\n"
        )
    );
}
