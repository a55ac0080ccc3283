//! `chant work <id>` for a single spec.

use anyhow::{anyhow, bail, Context, Result};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::agent::flag;
use crate::clock;
use crate::config::Config;
use crate::git;
use crate::spec::{
    self, short_model_name, top_level_ids, ApprovalStatus, Spec, SpecStatus, SpecType, Workspace,
    PROMPTS_DIR, SPECS_DIR,
};

/// Agent output kept in the spec is cut after this many bytes.
const MAX_AGENT_OUTPUT: usize = 5000;

pub struct WorkArgs {
    pub ids: Vec<String>,
    pub prompt: Option<String>,
    pub skip_deps: bool,
    pub skip_criteria: bool,
    pub skip_approval: bool,
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        "criterion"
    } else {
        "criteria"
    }
}

pub fn append_line(path: &Path, line: &str) {
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(f, "{}", line);
    }
}

fn spec_rel_path(id: &str) -> String {
    format!("{}/{}.md", SPECS_DIR, id)
}

/// Per-spec lint as `chant work` runs it: title and unknown dependencies are
/// errors; the spec must be a top-level file to be linted at all.
fn lint(root: &Path, spec: &Spec) -> Result<()> {
    let path = root.join(spec_rel_path(&spec.id));
    if !path.exists() {
        return Ok(());
    }
    let on_disk = Spec::load(&path)?;
    let known = top_level_ids(root)?;
    let mut errors = Vec::new();
    if on_disk.title.is_none() {
        errors.push("Missing title".to_string());
    }
    for dep in on_disk.frontmatter.depends_on.iter().flatten() {
        if !known.iter().any(|k| k == dep) {
            errors.push(format!("Unknown dependency '{}'", dep));
        }
    }
    if errors.is_empty() {
        println!("  ✓ {}", spec.id);
        return Ok(());
    }
    for e in &errors {
        println!("  ✗ {}: {}", spec.id, e);
    }
    bail!(
        "Spec validation failed with 1 error(s). Fix the issues before running 'chant work'.\n\
         Run 'chant lint {}' to see details.",
        spec.id
    )
}

fn check_status(spec: &Spec) -> Result<()> {
    match spec.frontmatter.status {
        SpecStatus::Cancelled => bail!(
            "Cannot work on cancelled spec '{}'. Cancelled specs are not eligible for execution.",
            spec.id
        ),
        SpecStatus::Completed => bail!(
            "Cannot work on completed spec '{}'. Use --skip-deps or --skip-criteria to bypass.",
            spec.id
        ),
        SpecStatus::InProgress => bail!("Spec '{}' is already in progress.", spec.id),
        _ => Ok(()),
    }
}

fn check_approval(spec: &Spec) -> Result<()> {
    if !spec.requires_approval() {
        return Ok(());
    }
    let approval = spec
        .frontmatter
        .approval
        .as_ref()
        .expect("requires approval");
    if approval.status == ApprovalStatus::Rejected {
        let by = approval
            .by
            .as_ref()
            .map(|b| format!(" by {}", b))
            .unwrap_or_default();
        bail!(
            "Cannot work on spec '{}' - it has been rejected{}. Address the feedback and get approval first.",
            spec.id,
            by
        );
    }
    bail!(
        "Spec '{}' requires approval before work can begin. Use --skip-approval to bypass.",
        spec.id
    )
}

/// Where the worktree goes: `$STANDIN_WORKTREE_DIR`, else a folder of the
/// system temp dir that is unique to this repository.
fn worktree_path(root: &Path, config: &Config, id: &str) -> PathBuf {
    let parent = match std::env::var_os("STANDIN_WORKTREE_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => {
            let mut h = DefaultHasher::new();
            root.hash(&mut h);
            std::env::temp_dir().join(format!("stand-in-chant-{:016x}", h.finish()))
        }
    };
    let name = if config.project_name.is_empty() {
        format!("chant-{}", id)
    } else {
        format!("chant-{}-{}", config.project_name, id)
    };
    parent.join(name)
}

fn remove_worktree(root: &Path, path: &Path) {
    let p = path.to_string_lossy();
    let _ = git::run(root, &["worktree", "remove", "--force", &p]);
    if path.exists() {
        let _ = std::fs::remove_dir_all(path);
    }
    let _ = git::run(root, &["worktree", "prune"]);
    // The per-repository default parent folder goes too once it is empty.
    if std::env::var_os("STANDIN_WORKTREE_DIR").is_none_or(|d| d.is_empty()) {
        if let Some(parent) = path.parent() {
            let _ = std::fs::remove_dir(parent);
        }
    }
}

fn create_worktree(root: &Path, branch: &str, path: &Path) -> Result<()> {
    if path.exists() {
        remove_worktree(root, path);
    }
    if git::run(root, &["rev-parse", "--verify", "--quiet", branch])?
        .status
        .success()
    {
        let _ = git::run(root, &["branch", "-D", branch]);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let out = git::run(
        root,
        &["worktree", "add", "-b", branch, &path.to_string_lossy()],
    )?;
    if !out.status.success() {
        bail!(
            "Failed to create worktree after 2 attempts: {}",
            git::stderr_of(&out).trim()
        );
    }
    Ok(())
}

/// Copy the (now in_progress) spec into the worktree and commit it there.
fn copy_spec_to_worktree(root: &Path, id: &str, worktree: &Path) -> Result<()> {
    let target_dir = worktree.join(SPECS_DIR);
    std::fs::create_dir_all(&target_dir)?;
    std::fs::copy(
        root.join(spec_rel_path(id)),
        target_dir.join(format!("{}.md", id)),
    )
    .context("Failed to copy spec file to worktree")?;
    git::ok(worktree, &["add", "-A"]).context("Failed to stage changes in worktree")?;
    if !git::ok(worktree, &["status", "--porcelain"])?
        .trim()
        .is_empty()
    {
        git::ok(
            worktree,
            &[
                "commit",
                "-m",
                &format!("chant({}): update spec status to in_progress", id),
            ],
        )
        .context("Failed to commit changes in worktree")?;
    }
    Ok(())
}

/// Leave only the working spec in the worktree's `.chant/specs` (uncommitted).
fn isolate_worktree_specs(id: &str, worktree: &Path) -> Result<()> {
    let archive = worktree.join(".chant/archive");
    if archive.exists() {
        std::fs::remove_dir_all(&archive)?;
    }
    let keep = format!("{}.md", id);
    let dir = worktree.join(SPECS_DIR);
    if dir.exists() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_file() && path.file_name().is_some_and(|n| n != keep.as_str()) {
                std::fs::remove_file(&path)?;
            }
        }
    }
    Ok(())
}

fn write_status(root: &Path, id: &str, state: &str, error: Option<String>, commits: &[String]) {
    let value = serde_json::json!({
        "spec_id": id,
        "status": state,
        "updated_at": clock::utc_now_rfc3339(),
        "error": error,
        "commits": commits,
    });
    if let Ok(text) = serde_json::to_string_pretty(&value) {
        let _ = std::fs::write(
            root.join(SPECS_DIR)
                .join(format!(".chant-status-{}.json", id)),
            text,
        );
    }
}

fn log_path(root: &Path, id: &str) -> PathBuf {
    root.join(".chant/logs").join(format!("{}.log", id))
}

/// `.chant/logs/<id>.log` with chant's header (and `logs/` in `.chant/.gitignore`).
fn open_log(root: &Path, id: &str, prompt: &str) -> Result<()> {
    std::fs::create_dir_all(root.join(".chant/logs"))?;
    let ignore = root.join(".chant/.gitignore");
    let current = std::fs::read_to_string(&ignore).unwrap_or_default();
    if !current.lines().any(|l| l.trim() == "logs/") {
        let sep = if current.is_empty() || current.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        std::fs::write(&ignore, format!("{}{}logs/\n", current, sep))?;
    }
    let path = log_path(root, id);
    let now = clock::utc_now_iso();
    if path.exists() {
        let bar = "=".repeat(80);
        append_line(
            &path,
            &format!("\n{bar}\n# New Run: {now}\n# Prompt: {prompt}\n{bar}\n"),
        );
    } else {
        std::fs::write(
            &path,
            format!("# Agent Log: {id}\n# Started: {now}\n# Prompt: {prompt}\n\n"),
        )?;
    }
    Ok(())
}

/// If `id` is a member, a pending driver becomes in_progress.
fn mark_driver_in_progress(root: &Path, id: &str) -> Result<()> {
    let Some(driver) = spec::driver_of(id) else {
        return Ok(());
    };
    let path = root.join(spec_rel_path(driver));
    if !path.exists() {
        return Ok(());
    }
    let mut driver_spec = Spec::load(&path)?;
    if driver_spec.frontmatter.status == SpecStatus::Pending {
        driver_spec.frontmatter.status = SpecStatus::InProgress;
        driver_spec.save(&path)?;
    }
    Ok(())
}

fn render_prompt(
    template: &str,
    spec: &Spec,
    config: &Config,
    worktree: &Path,
    branch: &str,
) -> String {
    let body = crate::spec::split_frontmatter(template).1;
    body.replace("{{project.name}}", &config.project_name)
        .replace("{{spec.id}}", &spec.id)
        .replace("{{spec.title}}", spec.title.as_deref().unwrap_or(""))
        .replace("{{spec.description}}", &spec.body)
        .replace("{{spec.path}}", &spec_rel_path(&spec.id))
        .replace("{{spec}}", &spec.body)
        .replace("{{worktree.path}}", &worktree.to_string_lossy())
        .replace("{{worktree.branch}}", branch)
        .replace("{{worktree.isolated}}", "true")
}

/// Run the agent process and stream its stdout; returns what it printed.
fn run_agent(root: &Path, spec: &Spec, worktree: &Path, branch: &str) -> Result<String> {
    let exe = std::env::current_exe().context("Failed to locate the chant binary")?;
    let mut cmd = Command::new(exe);
    cmd.arg("__agent")
        .current_dir(worktree)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("CHANT_SPEC_ID", &spec.id)
        .env("CHANT_SPEC_FILE", root.join(spec_rel_path(&spec.id)))
        .env("CHANT_WORKTREE", "1")
        .env("CHANT_WORKTREE_PATH", worktree)
        .env("CHANT_BRANCH", branch);
    if let Some(writes) = std::env::var_os("STANDIN_AGENT_WRITES") {
        cmd.env("STANDIN_AGENT_WRITES", root.join(writes));
    }
    let mut child = cmd
        .spawn()
        .context("Failed to invoke agent 'claude'. Is it installed and in PATH?")?;

    let pids = root.join(".chant/pids");
    let pid_file = pids.join(format!("{}.pid", spec.id));
    if std::fs::create_dir_all(&pids).is_ok() {
        let _ = std::fs::write(&pid_file, child.id().to_string());
    }
    if let Some(file) = std::env::var_os("STANDIN_PID_FILE") {
        append_line(Path::new(&file), &format!("agent {}", child.id()));
    }

    let mut stderr_pipe = child.stderr.take().expect("piped stderr");
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr_pipe.read_to_string(&mut text);
        text
    });

    let log = log_path(root, &spec.id);
    let mut captured = String::new();
    let stdout = child.stdout.take().expect("piped stdout");
    let mut out = std::io::stdout();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let _ = writeln!(out, "{}", line);
        let _ = out.flush();
        captured.push_str(&line);
        captured.push('\n');
        append_line(&log, &line);
    }
    let status = child.wait()?;
    let stderr_text = stderr_reader.join().unwrap_or_default();
    let _ = std::fs::remove_file(&pid_file);

    if !status.success() {
        let mut msg = format!("Agent exited with status: {}", status);
        if !stderr_text.trim().is_empty() {
            msg.push_str(&format!("\n\nStderr:\n{}", stderr_text.trim()));
        }
        if captured.is_empty() && stderr_text.is_empty() {
            msg.push_str("\n\nNo output captured - agent may have died immediately after starting. Check working directory and CLAUDE.md configuration.");
        }
        return Err(anyhow!(msg));
    }
    Ok(captured)
}

/// The `## Agent Output` section chant appends (src/cmd/finalize.rs).
fn agent_output_section(output: &str) -> String {
    let text = if output.len() > MAX_AGENT_OUTPUT {
        let mut cut = MAX_AGENT_OUTPUT;
        while !output.is_char_boundary(cut) {
            cut -= 1;
        }
        format!(
            "{}\n\n... (output truncated, {} chars total)",
            &output[..cut],
            output.len()
        )
    } else {
        output.to_string()
    };
    format!(
        "\n\n## Agent Output\n\n{}\n\n```\n{}```\n",
        clock::utc_now_iso(),
        text.trim_end()
    )
}

pub fn work(root: &Path, config: &Config, args: WorkArgs) -> Result<()> {
    if args.ids.is_empty() {
        println!("Usage: chant work <SPEC_ID>\n");
        println!("Examples:");
        println!("  chant work 2026-01-27-001-abc");
        println!("  chant work 001-abc");
        println!("  chant work --parallel\n");
        println!("Run 'chant work --help' for all options.");
        return Ok(());
    }
    if args.ids.len() > 1 {
        bail!(
            "Multiple spec IDs provided without --chain or --parallel.\n\
             Use --chain to execute specs sequentially: chant work --chain {a} {b}\n\
             Use --parallel to execute specs concurrently: chant work --parallel {a} {b}",
            a = args.ids[0],
            b = args.ids[1]
        );
    }

    let workspace = Workspace::load(root)?;
    let all = workspace.specs.clone();
    let mut spec = workspace.resolve(&args.ids[0])?;
    let rel = spec_rel_path(&spec.id);
    let path = root.join(&rel);

    // 1. Validation.
    eprintln!("→ Validating spec {}...", spec.id);
    lint(root, &spec)?;
    if !(args.skip_deps || args.skip_criteria) {
        check_status(&spec)?;
    }
    if !args.skip_approval {
        check_approval(&spec)?;
    }
    let unmet = spec::unmet_dependencies(&spec, &all);
    if !unmet.is_empty() {
        if args.skip_deps {
            eprintln!(
                "⚠ Skipping dependencies for spec '{}': {}",
                spec.id,
                unmet.join(", ")
            );
        } else {
            bail!(
                "Spec '{}' is blocked by dependencies: {}",
                spec.id,
                unmet.join(", ")
            );
        }
    }
    if !args.skip_criteria && spec.count_checkboxes() == 0 {
        eprintln!(
            "\nWarning: Spec {} has quality issues that may cause problems\n",
            spec.id
        );
        eprintln!("Suggestions:");
        eprintln!("  • Add an '## Acceptance Criteria' section with checkboxes");
        eprintln!("\nError: Cannot proceed in non-interactive mode with quality issues.");
        eprintln!("Use --skip-criteria to bypass quality checks.");
        bail!("Spec quality check failed");
    }

    // 2. in_progress + branch, then the worktree.
    let branch = format!("{}{}", config.branch_prefix, spec.id);
    spec::set_status(&mut spec, SpecStatus::InProgress)
        .map_err(|e| anyhow!("Failed to transition spec to InProgress: {}", e))?;
    spec.frontmatter.branch = Some(branch.clone());
    spec.save(&path)?;

    let worktree = worktree_path(root, config, &spec.id);
    create_worktree(root, &branch, &worktree)?;
    copy_spec_to_worktree(root, &spec.id, &worktree)?;
    isolate_worktree_specs(&spec.id, &worktree)?;
    println!("→ Worktree: {}", worktree.display());

    let prompt_name = args
        .prompt
        .clone()
        .or_else(|| spec.frontmatter.prompt.clone())
        .or_else(|| {
            (spec.frontmatter.r#type == SpecType::Documentation
                && root.join(PROMPTS_DIR).join("documentation.md").exists())
            .then(|| "documentation".to_string())
        })
        .unwrap_or_else(|| config.default_prompt.clone());
    let prompt_path = root.join(PROMPTS_DIR).join(format!("{}.md", prompt_name));
    if !prompt_path.exists() {
        bail!("Prompt not found: {}", prompt_name);
    }

    open_log(root, &spec.id, &prompt_name)?;
    write_status(root, &spec.id, "working", None, &[]);
    mark_driver_in_progress(root, &spec.id)?;

    // 3. The agent.
    eprintln!("Working {} with prompt '{}'", spec.id, prompt_name);
    let tmp_dir = root.join(".chant/tmp");
    std::fs::create_dir_all(&tmp_dir)?;
    let tmp_prompt = tmp_dir.join(format!("{}-prompt.md", spec.id));
    let template = std::fs::read_to_string(&prompt_path)?;
    std::fs::write(
        &tmp_prompt,
        render_prompt(&template, &spec, config, &worktree, &branch),
    )?;
    let result = run_agent(root, &spec, &worktree, &branch);
    let _ = std::fs::remove_file(&tmp_prompt);

    let output = match result {
        Ok(output) => output,
        Err(e) => {
            write_status(root, &spec.id, "failed", Some(e.to_string()), &[]);
            let mut failed = Workspace::load(root)?.resolve(&spec.id)?;
            if let Err(why) = spec::set_status(&mut failed, SpecStatus::Failed) {
                eprintln!("⚠ Failed to transition spec to failed: {}", why);
                failed.frontmatter.status = SpecStatus::Failed;
            }
            failed.save(&path)?;
            println!("\n✗ Spec failed: {}", e);
            return Err(e);
        }
    };

    if flag("STANDIN_WRITE_NOTHING") {
        remove_worktree(root, &worktree);
        return Ok(());
    }

    // 4. Finalize in the main checkout.
    let worktree_spec = worktree.join(&rel);
    let mut spec = if worktree_spec.exists() {
        Spec::load(&worktree_spec)?
    } else {
        Workspace::load(root)?.resolve(&spec.id)?
    };
    let mut commits = match spec.frontmatter.branch.as_deref() {
        Some(b) => git::spec_commits(root, b, &spec.id),
        None => Vec::new(),
    };
    if commits.is_empty() {
        commits = git::spec_commits(root, "HEAD", &spec.id);
    }
    write_status(root, &spec.id, "done", None, &commits);
    if commits.is_empty() {
        bail!("No matching commits found");
    }

    let unchecked = spec.count_unchecked();
    if unchecked > 0 {
        if args.skip_criteria {
            bail!("Spec has {} unchecked acceptance criteria", unchecked);
        }
        eprintln!(
            "\n→ Found {} unchecked acceptance {}. Auto-checking...",
            unchecked,
            plural(unchecked)
        );
        if spec.tick_criteria() {
            spec.save(&path)?;
            eprintln!(
                "✓ Auto-checked {} acceptance {}",
                unchecked,
                plural(unchecked)
            );
        }
    }

    eprintln!("\n→ Finalizing spec {}...", spec.id);
    let left = spec.count_unchecked();
    if left > 0 {
        bail!(
            "Cannot finalize spec '{}': {} acceptance criteria remain unchecked",
            spec.id,
            left
        );
    }
    spec.frontmatter.status = SpecStatus::Completed;
    spec.frontmatter.commits = Some(commits.clone());
    spec.frontmatter.completed_at = Some(clock::utc_now_iso());
    spec.frontmatter.model = Some(short_model_name(
        config.model.as_deref().unwrap_or("sonnet"),
    ));
    spec.save(&path).context("Failed to save finalized spec")?;
    eprintln!(
        "✓ [{}] Spec successfully finalized with status=Completed",
        spec.id
    );

    println!("\n✓ Spec completed!");
    for c in &commits {
        println!("Commit: {}", c);
    }
    if let Some(model) = &spec.frontmatter.model {
        println!("Model: {}", model);
    }

    spec.body.push_str(&agent_output_section(&output));
    spec.save(&path)?;
    let add = git::run(root, &["add", &rel])?;
    if !add.status.success() {
        bail!(
            "Failed to stage spec file for transcript commit: {}",
            git::stderr_of(&add)
        );
    }
    git::commit_staged(
        root,
        &format!("chant: Record agent transcript for {}", spec.id),
        "transcript",
    )?;

    remove_worktree(root, &worktree);
    Ok(())
}
