//! Refusals against the real chant: generated projects, each covering some
//! reason chant may refuse (statuses, approval, dependencies unmet, unknown
//! or cancelled, missing title, parse errors, no criteria, prose that only
//! the quality gate refuses, missing prompts, `status: ready`, a config
//! chant cannot load, drivers and members, an agent branch merged or not,
//! specs that depend on the target). For each, chant-lsp predicts (with
//! `ide::commands::refusal`, the decision its offers and runs share) whether `chant work <id> --no-watch` (with and
//! without `--skip-criteria`), `chant approve <id> --by X`, `chant reject
//! <id> --by X --reason R`, `chant cancel <id>`, `chant reset <id>`, `chant
//! archive <id>` and `chant merge <id> --yes` refuse, and the real chant
//! runs in a fresh git repository with a scripted agent named `claude` on
//! PATH (it only leaves a mark). "Refused" means: for work, the agent never
//! ran; for merge, main did not move; for the others, chant failed or
//! changed no spec file.
//!
//! About half the cases are set up for their command to run (the status,
//! approval, prompt and branch it needs), and the test requires chant to
//! have really run in at least [`MIN_RAN_PERCENT`] % of each command's
//! cases: agreeing on refusals alone would prove little.
//!
//! A target in a subfolder of `.chant/specs` is compared like the others
//! (chant finds it there); the editor refuses to run chant on it because
//! chant then leaves that file as it is and writes a second copy at the top
//! level, which the test checks whenever chant acted on one.
//!
//! Before the action, `chant list` shows the target with the status chant
//! gives it on load (○ pending, ⊗ blocked...), which differs from what
//! `chant work` checks: chant-lsp predicts it too
//! (`readiness::status_on_load`, which the hover's note on `chant list` and
//! `chant split`'s refusal use).

use std::path::Path;
use std::time::Instant;

use chant_lsp::analysis::readiness;
use chant_lsp::ide::commands as actions;
use chant_lsp::workspace::{classify, ChantFile, LoadedSpec, ProjectIndex};

use crate::mutator::Rng;
use crate::support::real_chant::{chant_command, git, git_init, real_chant};

const ID: &str = "2026-03-01-001-tgt";
const DEP_DONE: &str = "2026-03-01-002-dne";
const DEP_OPEN: &str = "2026-03-01-003-opn";
const DEP_CANCELLED: &str = "2026-03-01-004-cnc";
const DEP_BROKEN: &str = "2026-03-01-005-brk";
const DEP_NESTED: &str = "2026-03-01-006-nst";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Work,
    WorkSkipQuality,
    Approve,
    Reject,
    Cancel,
    Reset,
    Archive,
    Merge,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Work => "work",
            Action::WorkSkipQuality => "work --skip-criteria",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Cancel => "cancel",
            Action::Reset => "reset",
            Action::Archive => "archive",
            Action::Merge => "merge",
        }
    }
}

#[derive(Debug, Clone)]
struct Case {
    n: usize,
    action: Action,
    config: String,
    prompts: Vec<&'static str>,
    /// Path under `.chant/specs` (no `.md`) and text.
    specs: Vec<(String, String)>,
    target: String,
    /// The target's folder under `.chant/specs` (`""` or `"sub/"`).
    folder: String,
    /// The agent's branch `chant/<target>`: absent, or with a commit,
    /// merged into main already or not.
    branch: Option<bool>,
    what: Vec<String>,
}

impl Case {
    fn target_path(&self, root: &Path) -> std::path::PathBuf {
        root.join(format!(".chant/specs/{}{}.md", self.folder, self.target))
    }
}

/// What the body may be.
#[derive(Clone, Copy, PartialEq)]
enum Body {
    /// A title and criteria chant works as they are.
    Good,
    /// Good, or prose that only chant's quality gate refuses.
    Prose,
    /// Any of the shapes chant's lint and quality gate judge.
    Any,
}

fn body(rng: &mut Rng, what: &mut Vec<String>, kind: Body) -> String {
    let mut b = String::new();
    if kind != Body::Any || rng.chance(92) {
        b.push_str("# Make the thing\n\n");
    } else {
        what.push("no-title".into());
        b.push_str("Make the thing.\n\n");
    }
    let prose = "This is a paragraph of prose that explains things.\n";
    let shape = match kind {
        Body::Good => usize::MAX,
        Body::Prose => rng.pick(&[6, 7, 7, usize::MAX, usize::MAX, usize::MAX]),
        Body::Any => rng.below(9),
    };
    match shape {
        0 => {
            what.push("no-criteria".into());
            b.push_str("- add the parser\n- fix the lexer\n");
        }
        1 => {
            what.push("1-criterion".into());
            b.push_str("## Acceptance Criteria\n\n- [ ] add the parser\n");
        }
        2 => {
            what.push("9-criteria".into());
            b.push_str("## Acceptance Criteria\n\n");
            for i in 0..9 {
                b.push_str(&format!("- [ ] add part {i}\n"));
            }
        }
        3 => {
            what.push("prose".into());
            b.push_str(&prose.repeat(12));
            b.push_str("## Acceptance Criteria\n\n- [ ] add the parser\n- [ ] fix it\n");
        }
        4 => {
            what.push("h3-criteria".into());
            b.push_str("### Acceptance Criteria\n\n- [ ] add the parser\n- [ ] fix it\n");
        }
        5 => {
            what.push("vague".into());
            b.push_str("## Acceptance Criteria\n\n- [ ] improve etc\n- [ ] similar etc\n- [ ] etc etc\n- [ ] improve as needed\n");
        }
        6 => {
            // Nothing but prose: confidence D and acceptance criteria D.
            what.push("prose-only".into());
            b.push_str(&prose.repeat(6));
        }
        7 => {
            // Prose with two criteria: confidence D (2 bullet lines of 22)
            // is the only grade that makes chant's gate refuse it.
            what.push("mostly-prose (confidence D)".into());
            b.push_str(&prose.repeat(20));
            b.push_str("\n## Acceptance Criteria\n\n- [ ] add the parser\n- [ ] fix the lexer\n");
        }
        _ => {
            b.push_str("## Acceptance Criteria\n\n- [ ] add the parser\n- [ ] fix the lexer\n");
        }
    }
    b
}

const ACTIONS: [Action; 8] = [
    Action::Work,
    Action::WorkSkipQuality,
    Action::Approve,
    Action::Reject,
    Action::Cancel,
    Action::Reset,
    Action::Archive,
    Action::Merge,
];

/// One generated case. About half are `runnable`: the target is set up the
/// way `action` needs it (status, approval, prompt, branch), so that chant
/// really runs in a good share of the cases of every command; the rest draw
/// every reason chant may refuse at random.
fn generate(rng: &mut Rng, n: usize) -> Case {
    let mut what = Vec::new();
    let mut front = String::new();
    let action = ACTIONS[rng.below(ACTIONS.len())];
    let runnable = rng.chance(55);
    if runnable {
        what.push("runnable".into());
    }
    let status = if runnable {
        match action {
            Action::Reset => "failed",
            Action::Archive | Action::Merge => "completed",
            _ => "pending",
        }
    } else if matches!(action, Action::Archive | Action::Merge) && rng.chance(50) {
        // Completed, but with what else may stop chant: an agent branch
        // not merged, unfinished members, approval, a broken config...
        "completed"
    } else {
        rng.pick(&[
            "pending",
            "pending",
            "pending",
            "in_progress",
            "completed",
            "cancelled",
            "failed",
            "paused",
            "needs_attention",
            "ready",
            "blocked",
            "opne",
        ])
    };
    front.push_str(&format!("status: {status}\n"));
    what.push(format!("status={status}"));
    let approval = match (runnable, action) {
        (true, Action::Approve) => Some("approval:\n  required: true\n"),
        // chant approves and rejects any spec, with or without `approval:`,
        // completed ones included: every combination comes up.
        (false, Action::Approve | Action::Reject) => rng.chance(65).then(|| {
            rng.pick(&[
                "approval:\n  required: true\n",
                "approval:\n  required: false\n",
                "approval:\n  required: true\n  status: approved\n  by: Ada\n  at: 2026-01-01T00:00:00Z\n",
                "approval:\n  required: true\n  status: rejected\n  by: Bo\n  at: 2026-01-01T00:00:00Z\n",
                "approval:\n  status: approved\n  by: Ada\n  at: 2026-01-01T00:00:00Z\n",
                "approval:\n  status: approved\n",
            ])
        }),
        (true, _) => None,
        (false, _) if rng.chance(25) => Some(rng.pick(&[
            "approval:\n  required: true\n",
            "approval:\n  required: true\n  status: approved\n  by: Ada\n  at: 2026-01-01T00:00:00Z\n",
            "approval:\n  required: true\n  status: rejected\n  by: Bo\n  at: 2026-01-01T00:00:00Z\n",
            "approval:\n  status: approved\n  by: Ada\n  at: 2026-01-01T00:00:00Z\n",
        ])),
        (false, _) => None,
    };
    if let Some(approval) = approval {
        front.push_str(approval);
        what.push("approval".into());
    }
    let dep = if runnable {
        rng.chance(30).then_some(DEP_DONE)
    } else {
        rng.chance(35).then(|| {
            rng.pick(&[
                DEP_DONE,
                DEP_OPEN,
                DEP_CANCELLED,
                DEP_CANCELLED,
                DEP_BROKEN,
                DEP_NESTED,
                "2026-03-01-0zz-zzz",
            ])
        })
    };
    if let Some(dep) = dep {
        front.push_str(&format!("depends_on: [{dep}]\n"));
        what.push(format!("depends_on={dep}"));
    }
    let prompt = match runnable {
        true if matches!(action, Action::Work | Action::WorkSkipQuality) => Some("standard"),
        true => None,
        false => rng
            .chance(20)
            .then(|| rng.pick(&["standard", "missing-one", "bootstrap"])),
    };
    if let Some(prompt) = prompt {
        front.push_str(&format!("prompt: {prompt}\n"));
        what.push(format!("prompt={prompt}"));
    }
    if !runnable && rng.chance(10) {
        front.push_str("type: documentation\n");
        what.push("documentation".into());
    }
    let mut specs = vec![
        (
            DEP_DONE.to_string(),
            "---\nstatus: completed\n---\n# Done\n".to_string(),
        ),
        (
            DEP_OPEN.to_string(),
            "---\nstatus: pending\n---\n# Open\n".to_string(),
        ),
        (
            DEP_CANCELLED.to_string(),
            "---\nstatus: cancelled\n---\n# Gone\n".to_string(),
        ),
        (
            DEP_BROKEN.to_string(),
            "---\nstatus: nope\n---\n# Broken\n".to_string(),
        ),
        (
            format!("sub/{DEP_NESTED}"),
            "---\nstatus: completed\n---\n# Nested\n".to_string(),
        ),
    ];
    if rng.chance(if runnable { 5 } else { 15 }) {
        // A spec that depends on the target: chant cancel refuses it.
        let status = rng.pick(&["pending", "completed", "cancelled"]);
        what.push(format!("has-dependent({status})"));
        specs.push((
            "2026-03-01-007-usr".to_string(),
            format!("---\nstatus: {status}\ndepends_on: [{ID}]\n---\n# Uses it\n"),
        ));
    }
    let mut target = ID.to_string();
    // Drivers, groups and members.
    match if runnable { usize::MAX } else { rng.below(10) } {
        0 => {
            front.push_str(&format!("type: {}\n", rng.pick(&["driver", "group"])));
            let members = rng.below(3);
            let done = rng.chance(50);
            what.push(format!("driver({members} members, done={done})"));
            for i in 1..=members {
                let status = if done { "completed" } else { "pending" };
                specs.push((
                    format!("{ID}.{i}"),
                    format!("---\nstatus: {status}\n---\n# Member {i}\n\n## Acceptance Criteria\n\n- [ ] add it\n- [ ] fix it\n"),
                ));
            }
        }
        1 => {
            // The target is a member: earlier siblings must be completed.
            target = format!("{ID}.2");
            let first = rng.pick(&["completed", "pending"]);
            what.push(format!("member(.1 {first})"));
            specs.push((format!("{ID}.1"), format!("---\nstatus: {first}\n---\n# First\n\n## Acceptance Criteria\n\n- [ ] add it\n- [ ] fix it\n")));
            // The driver's own dependencies block its members for
            // `chant list`, not for `chant work`.
            let driver_dep =
                rng.pick(&["", DEP_DONE, DEP_OPEN, DEP_CANCELLED, "2026-03-01-0zz-zzz"]);
            let driver_deps = if driver_dep.is_empty() {
                String::new()
            } else {
                what.push(format!("driver depends_on={driver_dep}"));
                format!("depends_on: [{driver_dep}]\n")
            };
            specs.push((
                ID.to_string(),
                format!("---\ntype: driver\nmembers: []\n{driver_deps}---\n# Driver\n"),
            ));
        }
        2 => {
            // A plain spec that has a member file.
            what.push("has-member-file".into());
            specs.push((format!("{ID}.1"), "---\nstatus: pending\n---\n# Sub\n\n## Acceptance Criteria\n\n- [ ] add it\n- [ ] fix it\n".to_string()));
        }
        _ => {}
    }
    // The agent's branch `chant/<target>`: absent, merged into main, or not.
    let branch = match (runnable, action) {
        (true, Action::Merge) => Some(false),
        (true, Action::Archive) => rng.pick(&[None, Some(true)]),
        _ => match rng.below(10) {
            0..=1 => None,
            2..=3 => Some(true),
            _ => Some(false),
        },
    };
    // chant archive checks the branch a completed spec names in `branch:`.
    if status == "completed" && rng.chance(70) {
        front.push_str(&format!("branch: chant/{target}\n"));
        what.push(format!(
            "branch: field, branch {}",
            match branch {
                None => "absent",
                Some(true) => "merged",
                Some(false) => "not merged",
            }
        ));
    }
    // The work commands' runnable cases probe chant's quality gate too
    // (prose that only the gate refuses, and only without --skip-criteria).
    let kind = match (runnable, action) {
        (true, Action::Work | Action::WorkSkipQuality) => Body::Prose,
        (true, _) => Body::Good,
        (false, _) => Body::Any,
    };
    let text = format!("---\n{front}---\n{}", body(rng, &mut what, kind));
    // chant works specs in subfolders of .chant/specs too (and writes them
    // back to the top level). chant archive cannot move one at all (it
    // looks for the file at the top level): not generated.
    let folder = if target == ID && action != Action::Archive && rng.chance(12) {
        what.push("nested".into());
        "sub/".to_string()
    } else {
        String::new()
    };
    specs.retain(|(p, _)| *p != target);
    specs.push((format!("{folder}{target}"), text));
    let config = match if runnable { usize::MAX } else { rng.below(12) } {
        0 => {
            what.push("config-broken".into());
            "---\nproject:\n  name: t\nlint:\n  disable: ~\n---\n# Config\n".to_string()
        }
        1 => {
            what.push("config-default-prompt".into());
            "---\nproject:\n  name: t\ndefaults:\n  prompt: standard\n---\n# Config\n".to_string()
        }
        _ => "---\nproject:\n  name: t\n---\n# Config\n".to_string(),
    };
    let prompts = match if runnable { usize::MAX } else { rng.below(4) } {
        0 => vec!["standard"],
        1 => vec!["bootstrap", "documentation"],
        _ => vec!["bootstrap", "standard"],
    };
    Case {
        n,
        action,
        config,
        prompts,
        specs,
        target,
        folder,
        branch,
        what,
    }
}

fn write(case: &Case, root: &Path) {
    std::fs::create_dir_all(root.join(".chant/specs")).unwrap();
    std::fs::create_dir_all(root.join(".chant/prompts")).unwrap();
    // chant puts worktrees at /tmp/chant-<project name>-<id>: a name of
    // its own per case keeps parallel cases (and runs) apart.
    let config = case
        .config
        .replace("name: t\n", &format!("name: {}\n", project_name(case)));
    std::fs::write(root.join(".chant/config.md"), config).unwrap();
    for p in &case.prompts {
        std::fs::write(
            root.join(format!(".chant/prompts/{p}.md")),
            "---\nname: p\n---\nWork on {{spec.id}}.\n",
        )
        .unwrap();
    }
    for (path, text) in &case.specs {
        let file = root.join(format!(".chant/specs/{path}.md"));
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
}

fn project_name(case: &Case) -> String {
    format!("difftest{}x{}", std::process::id(), case.n)
}

/// Remove the worktrees chant made in /tmp for this case.
fn remove_worktrees(case: &Case) {
    let prefix = format!("chant-{}-", project_name(case));
    for entry in std::fs::read_dir("/tmp").into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The editor's answer: what `ide::commands::refusal` says, the function
/// that decides what the editor offers and runs (for a spec in a subfolder,
/// the refusal of everything that would change it: chant writes a second
/// copy at the top level, which `run` checks).
fn editor_answer(case: &Case, root: &Path) -> Option<String> {
    with_view(case, root, actions::refusal)
}

/// chant-lsp's prediction of what chant does: `Some(reason)` when it says
/// chant refuses (chant's own rules; for a spec in a subfolder, what chant
/// does with it, which the editor does not offer).
fn predict(case: &Case, root: &Path) -> Option<String> {
    with_view(case, root, |view, command| {
        actions::chant_refusal(view, command)
    })
}

/// The editor's view of the target and the command of the case.
fn with_view<R>(
    case: &Case,
    root: &Path,
    f: impl FnOnce(&actions::SpecView, &actions::SpecCommand) -> R,
) -> R {
    let index = ProjectIndex::load(root);
    let path = case.target_path(root);
    let text = std::fs::read_to_string(&path).unwrap();
    let loaded = LoadedSpec::from_text(text.clone());
    let model = loaded.model().unwrap();
    let branch = format!("chant/{}", case.target);
    let view = actions::SpecView {
        id: &case.target,
        path: &path,
        text: &text,
        model,
        index: &index,
        running: false,
        agent_branch: case.branch.is_some().then_some(branch.as_str()),
        branch_merged: case.branch,
        commands_enabled: true,
        nested: matches!(
            classify(&path),
            ChantFile::Spec {
                top_level: false,
                ..
            }
        ),
        unsaved: false,
        unsaved_files: &[],
    };
    use actions::SpecCommand as C;
    let command = match case.action {
        Action::Work => C::Work {
            prompt: None,
            skip_quality: false,
        },
        Action::WorkSkipQuality => C::Work {
            prompt: None,
            skip_quality: true,
        },
        Action::Approve => C::Approve { by: None },
        Action::Reject => C::Reject {
            by: None,
            reason: None,
        },
        Action::Cancel => C::Cancel { delete: false },
        Action::Reset => C::Reset {
            work: false,
            prompt: None,
        },
        Action::Archive => C::Archive,
        Action::Merge => C::Merge { stash: false },
    };
    f(&view, &command)
}

/// chant-lsp's prediction of the target's icon in `chant list`: None when
/// chant does not list it (cancelled), or when its frontmatter does not
/// parse (then chant may refuse to list anything: not compared).
fn predict_listed(case: &Case, root: &Path) -> Option<Option<&'static str>> {
    let index = ProjectIndex::load(root);
    let path = case.target_path(root);
    let loaded = LoadedSpec::from_text(std::fs::read_to_string(&path).unwrap());
    let model = loaded.model().filter(|m| m.chant_accepts())?;
    if model.values().r#type.as_str() == "conflict" {
        return None;
    }
    let status = readiness::status_on_load(model, &case.target, &index);
    Some(icon_of(status.as_str()))
}

/// chant's `status_icon`; None for the cancelled specs `chant list` hides.
fn icon_of(status: &str) -> Option<&'static str> {
    Some(match status {
        "pending" => "○",
        "in_progress" => "◐",
        "paused" => "◑",
        "completed" => "●",
        "failed" => "✗",
        "needs_attention" => "⚠",
        "ready" => "◕",
        "blocked" => "⊗",
        _ => return None,
    })
}

/// The target's icon in the real `chant list` (None when not listed).
fn listed(case: &Case, chant: &Path, root: &Path, home: &Path) -> Option<String> {
    let output = chant_command(chant, root, home)
        .arg("list")
        .output()
        .expect("chant list runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout.lines().find_map(|line| {
        let rest = line.strip_prefix(&format!("{} ", case.target))?;
        rest.split_whitespace().next().map(str::to_string)
    })
}

/// What chant did with a case.
struct Ran {
    /// chant refused (or did nothing).
    refused: bool,
    /// chant's exit and the lines that say why.
    account: String,
    /// The target's icon in `chant list` before the action.
    icon: Option<String>,
    /// For a target in a subfolder that chant acted on: whether it left
    /// that file as it was and wrote a copy at the top level instead (what
    /// the editor's refusal says).
    second_copy: Option<bool>,
}

/// Run the case's action with the real chant.
fn run(case: &Case, chant: &Path, dir: &Path) -> Ran {
    let root = dir.join("project");
    let home = dir.join("home");
    let bin = dir.join("bin");
    let marker = dir.join("agent-ran");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&bin).unwrap();
    let agent = bin.join("claude");
    // chant hands the agent "Read and execute the task in
    // .chant/tmp/<id>-prompt.md" (and asks `claude --version`): the agent
    // notes its arguments.
    std::fs::write(
        &agent,
        "#!/bin/sh\necho \"$@\" >> \"$AGENT_MARKER\"\necho agent done\nexit 0\n",
    )
    .unwrap();
    std::fs::set_permissions(&agent, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    git_init(&root, &home);
    let git = |args: &[&str]| git(&root, &home, args);
    if let Some(merged) = case.branch {
        // The agent's work, as chant's worktree leaves it.
        let branch = format!("chant/{}", case.target);
        git(&["checkout", "-q", "-b", &branch]);
        std::fs::write(root.join(format!("agent-{}.txt", case.n)), "done\n").unwrap();
        git(&["add", "-A"]);
        git(&[
            "commit",
            "-q",
            "-m",
            &format!("chant({}): the agent's work", case.target),
        ]);
        git(&["checkout", "-q", "main"]);
        // Its members' branches, as working them left them (chant merges a
        // driver only when they exist too, which the editor does not check).
        for (path, _) in &case.specs {
            if let Some(member) = path.strip_prefix(&format!("{}.", case.target)) {
                git(&["branch", &format!("chant/{}.{member}", case.target)]);
            }
        }
        if merged {
            git(&["merge", "-q", "--no-ff", &branch, "-m", "merged before"]);
        }
    }
    let main_before = git(&["rev-parse", "main"]);
    let spec_path = case.target_path(&root);
    let before = std::fs::read(&spec_path).unwrap();
    let list_icon = listed(case, chant, &root, &home);
    let mut command = chant_command(chant, &root, &home);
    command
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("AGENT_MARKER", &marker)
        .env("TMPDIR", dir);
    match case.action {
        Action::Work => command.args(["work", &case.target, "--no-watch"]),
        Action::WorkSkipQuality => {
            command.args(["work", &case.target, "--no-watch", "--skip-criteria"])
        }
        Action::Approve => command.args(["approve", &case.target, "--by", "Ada"]),
        Action::Reject => command.args(["reject", &case.target, "--by", "Ada", "--reason", "no"]),
        Action::Cancel => command.args(["cancel", &case.target]),
        Action::Reset => command.args(["reset", &case.target]),
        Action::Archive => command.args(["archive", &case.target]),
        Action::Merge => command.args(["merge", &case.target, "--yes"]),
    };
    // chant 0.23.2 can loop for ever (a driver's chain that keeps picking
    // a spec it then skips): give up after a while and say so.
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("chant runs");
    let deadline = Instant::now() + std::time::Duration::from_secs(8);
    let mut hung = false;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            hung = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let output = child.wait_with_output().expect("chant output");
    let account = format!(
        "{}exit {:?}; {}",
        if hung {
            "HUNG (killed after 8 s); "
        } else {
            ""
        },
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
            .lines()
            .chain(String::from_utf8_lossy(&output.stdout).lines())
            .filter(|l| l.contains("rror")
                || l.contains("Cannot")
                || l.contains("not found")
                || l.contains("refus")
                || l.contains("already")
                || l.contains("blocked")
                || l.contains("No ready")
                || l.contains("member"))
            .take(4)
            .collect::<Vec<_>>()
            .join(" | ")
    );
    // Remove the worktrees chant made, so nothing is left outside `dir`.
    remove_worktrees(case);
    let unchanged = std::fs::read(&spec_path).ok().as_deref() == Some(&before[..]);
    // For a target in a subfolder, the copy chant writes at the top level.
    let top_level = root.join(format!(".chant/specs/{}.md", case.target));
    let copied = !case.folder.is_empty() && top_level.is_file();
    let refused = match case.action {
        // The agent ran for this spec (or, for a driver, one of its members).
        Action::Work | Action::WorkSkipQuality => !std::fs::read_to_string(&marker)
            .unwrap_or_default()
            .contains(&format!(".chant/tmp/{}", case.target)),
        // Merged means main moved to hold the branch.
        Action::Merge => git(&["rev-parse", "main"]) == main_before,
        Action::Approve | Action::Reject | Action::Cancel | Action::Reset | Action::Archive => {
            !output.status.success() || (unchanged && !copied)
        }
    };
    let second_copy = (!case.folder.is_empty() && !refused && case.action != Action::Merge)
        .then_some(unchanged && copied);
    Ran {
        refused,
        account,
        icon: list_icon,
        second_copy,
    }
}

/// Of each command's cases, at least this share must be ones where chant
/// really ran (not refused): a differential that only sees refusals would
/// miss what chant accepts.
const MIN_RAN_PERCENT: usize = 20;

/// One case's outcome: what chant-lsp predicted and what chant did.
struct Outcome {
    case: Case,
    /// What the editor answers (for a nested target, its own refusal).
    editor: Option<String>,
    /// What chant-lsp predicts chant does.
    predicted: Option<String>,
    /// The predicted icon in `chant list`.
    listing: Option<Option<&'static str>>,
    ran: Ran,
}

fn describe(case: &Case) -> String {
    format!(
        "specs:\n{}\nconfig:\n{}\nprompts: {:?}",
        case.specs
            .iter()
            .map(|(p, t)| format!(
                "  {p}.md:\n{}",
                t.lines()
                    .map(|l| format!("    | {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ))
            .collect::<Vec<_>>()
            .join("\n"),
        case.config,
        case.prompts
    )
}

pub fn refusals(chant: &Path, cases: usize, seed: u64) -> Result<String, String> {
    let started = Instant::now();
    let mut rng = Rng::new(seed);
    let cases: Vec<Case> = (0..cases).map(|n| generate(&mut rng, n)).collect();
    let threads = 2;
    let results: Vec<Outcome> = std::thread::scope(|s| {
        let chunks: Vec<Vec<Case>> = (0..threads)
            .map(|t| {
                cases
                    .iter()
                    .filter(|c| c.n % threads == t)
                    .cloned()
                    .collect()
            })
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|case| {
                            let dir = tempfile::tempdir().unwrap();
                            let root = dir.path().join("project");
                            write(&case, &root);
                            let editor = editor_answer(&case, &root);
                            let predicted = predict(&case, &root);
                            let listing = predict_listed(&case, &root);
                            let ran = run(&case, chant, dir.path());
                            Outcome {
                                case,
                                editor,
                                predicted,
                                listing,
                                ran,
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut lines = Vec::new();
    let mut failures = Vec::new();
    for action in ACTIONS {
        let mine: Vec<&Outcome> = results.iter().filter(|r| r.case.action == action).collect();
        let agree = mine
            .iter()
            .filter(|r| r.predicted.is_some() == r.ran.refused)
            .count();
        let ran = mine.iter().filter(|r| !r.ran.refused).count();
        let nested = mine.iter().filter(|r| !r.case.folder.is_empty()).count();
        lines.push(format!(
            "  {:<22} {agree}/{} agree ({:.2} %), chant ran {ran} and refused {} ({nested} in a subfolder)",
            action.name(),
            mine.len(),
            100.0 * agree as f64 / mine.len().max(1) as f64,
            mine.len() - ran,
        ));
        let needed = (mine.len() * MIN_RAN_PERCENT).div_ceil(100).max(1);
        if ran < needed {
            failures.push(format!(
                "--- `chant {}`: chant ran in {ran} of {} cases, fewer than {MIN_RAN_PERCENT} % ({needed}): the generated cases test too little of what chant accepts ---",
                action.name(),
                mine.len()
            ));
        }
    }
    let compared: Vec<_> = results
        .iter()
        .filter_map(|r| Some((&r.case, r.listing?, r.ran.icon.as_deref())))
        .collect();
    let listed_agree = compared
        .iter()
        .filter(|(_, predicted, icon)| predicted == icon)
        .count();
    let listed_blocked = compared.iter().filter(|c| c.2 == Some("⊗")).count();
    lines.push(format!(
        "  {:<22} {listed_agree}/{} agree ({:.2} %), chant listed {listed_blocked} blocked",
        "list (status on load)",
        compared.len(),
        100.0 * listed_agree as f64 / compared.len().max(1) as f64
    ));
    for (case, predicted, icon) in &compared {
        if predicted != icon {
            failures.push(format!(
                "--- case {} `chant list`, {} ({}) ---\nchant lists it as {:?}, chant-lsp predicts {:?}\n{}",
                case.n,
                case.target,
                case.what.join(", "),
                icon,
                predicted,
                describe(case),
            ));
        }
    }
    for r in &results {
        let case = &r.case;
        if r.predicted.is_some() != r.ran.refused {
            failures.push(format!(
                "--- case {} `chant {} {}` ({}) ---\nchant: {}, {}\nchant-lsp predicts: {}\n{}",
                case.n,
                case.action.name(),
                case.target,
                case.what.join(", "),
                if r.ran.refused { "refused" } else { "ran" },
                r.ran.account,
                r.predicted.as_deref().unwrap_or("no refusal"),
                describe(case),
            ));
        }
        // The editor refuses to run chant on a spec in a subfolder because
        // chant leaves that file as it is and writes a second copy.
        if r.ran.second_copy == Some(false) {
            failures.push(format!(
                "--- case {} `chant {} {}` ({}) ---\nchant changed the spec in its subfolder (or wrote no copy at the top level), unlike what the editor's refusal says: {:?}\n{}",
                case.n,
                case.action.name(),
                case.target,
                case.what.join(", "),
                r.editor,
                describe(case),
            ));
        }
        if case.folder.is_empty() != (r.editor == r.predicted) {
            failures.push(format!(
                "--- case {} `chant {} {}` ({}) ---\nthe editor answers {:?}, the prediction is {:?}",
                case.n,
                case.action.name(),
                case.target,
                case.what.join(", "),
                r.editor,
                r.predicted,
            ));
        }
    }
    let summary = format!(
        "refusals (chant 0.23.2): {} generated projects, {:.1} s\n{}",
        results.len(),
        started.elapsed().as_secs_f64(),
        lines.join("\n")
    );
    if failures.is_empty() {
        Ok(summary)
    } else {
        Err(format!(
            "{summary}\n\n{} disagreements:\n\n{}",
            failures.len(),
            failures
                .into_iter()
                .take(16)
                .collect::<Vec<_>>()
                .join("\n\n")
        ))
    }
}

#[test]
fn refusals_agree_with_real_chant() {
    let Some(chant) = real_chant("refusals_agree_with_real_chant") else {
        return;
    };
    let cases = crate::env_number("CHANT_DIFF_REFUSALS", 240) as usize;
    let seed = crate::env_number("CHANT_DIFF_SEED", 1);
    match refusals(&chant, cases, seed) {
        Ok(summary) => eprintln!("{summary}"),
        Err(report) => panic!("{report}"),
    }
}
