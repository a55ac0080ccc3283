//! `chant approve` and `chant reject`.

use anyhow::{Context, Result};
use std::path::Path;

use crate::clock;
use crate::config::{Config, RejectionAction};
use crate::git;
use crate::spec::{self, ApprovalStatus, Spec, SpecStatus, SpecType, Workspace, SPECS_DIR};

const DISCUSSION: &str = "## Approval Discussion";

/// Warn (never fail) when `name` is not among the repository's committers.
fn check_committer(root: &Path, name: &str) {
    let Ok(out) = git::run(root, &["shortlog", "-sn", "--all"]) else {
        eprintln!("⚠ Warning: Could not validate committer name: git shortlog failed");
        return;
    };
    let wanted = name.to_lowercase();
    let known = out.status.success()
        && String::from_utf8_lossy(&out.stdout).lines().any(|line| {
            line.trim()
                .split_once('\t')
                .map(|(_, who)| {
                    let who = who.to_lowercase();
                    who == wanted || who.contains(&wanted)
                })
                .unwrap_or(false)
        });
    if !known {
        eprintln!(
            "⚠ Warning: '{}' is not a known git committer in this repository",
            name
        );
    }
}

/// Add `message` under `## Approval Discussion`: after the section's last
/// text (before the next `\n## `), or as a new section at the end.
fn add_to_discussion(body: &str, message: &str) -> String {
    match body.find(DISCUSSION) {
        Some(pos) => {
            let after = pos + DISCUSSION.len();
            let end = after + body[after..].find("\n## ").unwrap_or(body.len() - after);
            format!("{}\n\n{}{}", body[..end].trim_end(), message, &body[end..])
        }
        None => format!("{}\n\n{}\n\n{}", body.trim_end(), DISCUSSION, message),
    }
}

fn spec_path(id: &str) -> String {
    format!("{}/{}.md", SPECS_DIR, id)
}

fn stage(root: &Path, paths: &[String], what: &str) -> Result<()> {
    let mut args = vec!["add"];
    args.extend(paths.iter().map(String::as_str));
    let out = git::run(root, &args)?;
    if !out.status.success() {
        anyhow::bail!("Failed to stage {}: {}", what, git::stderr_of(&out));
    }
    Ok(())
}

pub fn approve(root: &Path, id: &str, by: &str) -> Result<()> {
    let mut spec = Workspace::load(root)?.resolve(id)?;
    let path = spec_path(&spec.id);
    check_committer(root, by);

    let approval = spec
        .frontmatter
        .approval
        .get_or_insert_with(Default::default);
    if approval.status == ApprovalStatus::Approved {
        println!(
            "ℹ Spec {} is already approved{}",
            spec.id,
            approval
                .by
                .as_ref()
                .map(|b| format!(" by {}", b))
                .unwrap_or_default()
        );
        return Ok(());
    }
    approval.status = ApprovalStatus::Approved;
    approval.by = Some(by.to_string());
    approval.at = Some(clock::utc_now_iso());
    let entry = format!("**{}** - {} - APPROVED", by, clock::local_minute());
    spec.body = add_to_discussion(&spec.body, &entry);
    spec.save(&root.join(&path))?;

    stage(root, std::slice::from_ref(&path), "spec file")?;
    git::commit_staged(
        root,
        &format!("chant({}): approve spec", spec.id),
        "spec file",
    )?;
    println!("✓ Spec {} approved by {}", spec.id, by);
    Ok(())
}

pub fn reject(root: &Path, config: &Config, id: &str, by: &str, reason: &str) -> Result<()> {
    let mut spec = Workspace::load(root)?.resolve(id)?;
    let path = spec_path(&spec.id);
    check_committer(root, by);

    let approval = spec
        .frontmatter
        .approval
        .get_or_insert_with(Default::default);
    approval.status = ApprovalStatus::Rejected;
    approval.by = Some(by.to_string());
    approval.at = Some(clock::utc_now_iso());
    let entry = format!(
        "**{}** - {} - REJECTED\n{}",
        by,
        clock::local_minute(),
        reason
    );
    spec.body = add_to_discussion(&spec.body, &entry);
    spec.save(&root.join(&path))?;

    stage(root, std::slice::from_ref(&path), "spec file")?;
    git::commit_staged(
        root,
        &format!("chant({}): reject spec", spec.id),
        "spec file",
    )?;
    println!("✗ Spec {} rejected by {}: {}", spec.id, by, reason);

    match config.rejection_action {
        RejectionAction::Manual => Ok(()),
        RejectionAction::Dependency => reject_with_fix_spec(root, &mut spec, &path, reason),
        RejectionAction::Group => reject_into_group(root, &mut spec, &path, reason),
    }
}

const BASE36: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

fn base36(mut n: u32, width: usize) -> String {
    let mut digits = Vec::new();
    while n > 0 {
        digits.push(BASE36[(n % 36) as usize] as char);
        n /= 36;
    }
    let s: String = digits.into_iter().rev().collect();
    format!("{:0>width$}", s, width = width)
}

fn parse_base36(s: &str) -> Option<u32> {
    s.chars().try_fold(0u32, |acc, c| {
        let d = BASE36.iter().position(|&b| b as char == c)? as u32;
        acc.checked_mul(36)?.checked_add(d)
    })
}

fn random_suffix() -> String {
    let mut bytes = [0u8; 3];
    let filled = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
        .is_ok();
    if !filled {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(7);
        bytes = [(nanos >> 3) as u8, (nanos >> 11) as u8, (nanos >> 19) as u8];
    }
    bytes
        .iter()
        .map(|b| BASE36[*b as usize % 36] as char)
        .collect()
}

/// A new ID `YYYY-MM-DD-SSS-XXX`, as chant's `generate_id`.
fn new_spec_id(root: &Path) -> Result<String> {
    let date = clock::local_date();
    let mut max = 0;
    for entry in std::fs::read_dir(root.join(SPECS_DIR))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.starts_with(&date) && name.ends_with(".md") {
            let parts: Vec<&str> = name.trim_end_matches(".md").split('-').collect();
            if parts.len() >= 5 {
                if let Some(seq) = parse_base36(parts[3]) {
                    max = max.max(seq);
                }
            }
        }
    }
    Ok(format!(
        "{}-{}-{}",
        date,
        base36(max + 1, 3),
        random_suffix()
    ))
}

/// `approval.rejection_action: dependency` (stdin is never a terminal for
/// the stand-in, so the fix spec is always created).
fn reject_with_fix_spec(root: &Path, spec: &mut Spec, path: &str, reason: &str) -> Result<()> {
    let fix_id = new_spec_id(root)?;
    let fix_path = spec_path(&fix_id);
    let content = format!(
        "---\ntype: code\nstatus: pending\n---\n\n# Fix rejection issues for {id}\n\n## Context\n\nOriginal spec {id} was rejected with reason:\n> {reason}\n\n## Acceptance Criteria\n\n- [ ] Address rejection feedback\n- [ ] Changes ready for re-review\n",
        id = spec.id,
        reason = reason
    );
    std::fs::write(root.join(&fix_path), content)?;

    spec.frontmatter
        .depends_on
        .get_or_insert_with(Vec::new)
        .push(fix_id.clone());
    spec::set_status(spec, SpecStatus::Blocked)
        .map_err(|e| anyhow::anyhow!("Failed to block spec: {}", e))?;
    spec.save(&root.join(path))?;

    stage(root, &[fix_path, path.to_string()], "fix spec files")?;
    git::commit_staged(
        root,
        &format!(
            "chant({}): create fix spec {} (dependency mode)",
            spec.id, fix_id
        ),
        "fix spec",
    )?;
    println!("✓ Created fix spec {}", fix_id);
    println!(
        "ℹ Spec {} is now blocked, waiting for fix spec {}",
        spec.id, fix_id
    );
    Ok(())
}

/// Top-level criteria of the first `## Acceptance Criteria` section.
fn criteria_lines(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut fenced = false;
    for line in body.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if trimmed.starts_with("## Acceptance Criteria") {
            inside = true;
            continue;
        }
        if inside && trimmed.starts_with("## ") {
            break;
        }
        let is_box = ["- [ ] ", "- [x] ", "- [X] "]
            .iter()
            .any(|p| trimmed.starts_with(p));
        if inside
            && is_box
            && (line.starts_with("- ") || line.starts_with("  - "))
            && line.len() - trimmed.len() <= 2
        {
            out.push(trimmed.to_string());
        }
    }
    out
}

/// `approval.rejection_action: group`: the spec becomes a driver with one
/// member per criterion.
fn reject_into_group(root: &Path, spec: &mut Spec, path: &str, reason: &str) -> Result<()> {
    println!("→ Converting rejected spec to driver with member specs...");
    let driver = spec.id.clone();
    let criteria = criteria_lines(&spec.body);
    let mut members = Vec::new();
    if criteria.is_empty() {
        let id = format!("{}.1", driver);
        let content = format!(
            "---\ntype: code\nstatus: pending\n---\n\n# Fix rejection issues for {}\n\n## Context\n\nOriginal spec was rejected with reason:\n> {}\n\n## Acceptance Criteria\n\n- [ ] Address rejection feedback\n- [ ] Changes ready for re-review\n",
            driver, reason
        );
        std::fs::write(root.join(spec_path(&id)), content)?;
        members.push(id);
    } else {
        for (i, criterion) in criteria.iter().enumerate() {
            let id = format!("{}.{}", driver, i + 1);
            let depends = if i > 0 {
                format!("depends_on:\n  - {}.{}\n", driver, i)
            } else {
                String::new()
            };
            let text = criterion
                .trim_start_matches("- [ ] ")
                .trim_start_matches("- [x] ")
                .trim_start_matches("- [X] ");
            let content = format!(
                "---\ntype: code\nstatus: pending\n{}---\n\n# {}\n\n## Acceptance Criteria\n\n- [ ] {}\n",
                depends, text, text
            );
            std::fs::write(root.join(spec_path(&id)), content)?;
            members.push(id);
        }
    }
    spec.frontmatter.r#type = SpecType::Driver;
    spec.frontmatter.members = Some(members.clone());
    spec.save(&root.join(path))?;

    let mut paths = vec![path.to_string()];
    paths.extend(members.iter().map(|m| spec_path(m)));
    stage(root, &paths, "group mode files")?;
    git::commit_staged(
        root,
        &format!(
            "chant({}): convert to driver with {} member specs (group mode)",
            spec.id,
            members.len()
        ),
        "group mode changes",
    )
    .context("group mode")?;
    println!("✓ Spec {} converted to driver", spec.id);
    println!("Created members:");
    for m in &members {
        println!("  • {}", m);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discussion_is_created_then_appended() {
        let body = "# T\n\nText\n";
        let once = add_to_discussion(body, "**a** - x - APPROVED");
        assert_eq!(
            once,
            "# T\n\nText\n\n## Approval Discussion\n\n**a** - x - APPROVED"
        );
        let twice = add_to_discussion(&once, "**b** - y - REJECTED\nno");
        assert!(twice.ends_with("**a** - x - APPROVED\n\n**b** - y - REJECTED\nno"));
        let mid = add_to_discussion("# T\n\n## Approval Discussion\n\nold\n\n## Next\nz", "new");
        assert_eq!(
            mid,
            "# T\n\n## Approval Discussion\n\nold\n\nnew\n## Next\nz"
        );
    }

    #[test]
    fn base36_roundtrip() {
        assert_eq!(base36(10, 3), "00a");
        assert_eq!(base36(36, 3), "010");
        assert_eq!(parse_base36("00z"), Some(35));
    }
}
