//! The spec file: frontmatter type, parsing, saving, titles, acceptance
//! criteria and ID resolution, as chant 0.23.2 does them.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

pub const SPECS_DIR: &str = ".chant/specs";
pub const PROMPTS_DIR: &str = ".chant/prompts";

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum SpecType {
    #[default]
    Code,
    Task,
    Driver,
    Documentation,
    Research,
    Group,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum SpecStatus {
    #[default]
    Pending,
    InProgress,
    Paused,
    Completed,
    Failed,
    NeedsAttention,
    Ready,
    Blocked,
    Cancelled,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    Passed,
    Failed,
    Partial,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    #[default]
    Pending,
    Approved,
    Rejected,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct Approval {
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub status: ApprovalStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RetryState {
    pub attempts: usize,
    pub last_retry_time: u64,
    pub next_retry_time: u64,
}

/// `depends_on` takes a single string or a list of strings.
fn string_or_list<'de, D>(deserializer: D) -> Result<Option<Vec<String>>, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(
        Option::<OneOrMany>::deserialize(deserializer)?.map(|v| match v {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(list) => list,
        }),
    )
}

/// The frontmatter, field for field and in the order chant serialises it.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct Frontmatter {
    #[serde(default)]
    pub r#type: SpecType,
    #[serde(default)]
    pub status: SpecStatus,
    #[serde(
        default,
        deserialize_with = "string_or_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub depends_on: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_files: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commits: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracks: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub informed_by: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_branch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_branch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicting_files: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked_specs: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_spec: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_verified: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_status: Option<VerificationStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_failures: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replayed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_completed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived_fields: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_state: Option<RetryState>,
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub id: String,
    pub frontmatter: Frontmatter,
    pub title: Option<String>,
    pub body: String,
}

/// `claude-opus-4-5` → `opus`, likewise sonnet and haiku; anything else as is.
pub fn short_model_name(model: &str) -> String {
    let lower = model.to_lowercase();
    for family in ["opus", "sonnet", "haiku"] {
        if lower.contains(family) {
            return family.to_string();
        }
    }
    model.to_string()
}

/// Trim the file; frontmatter runs from the leading `---` to the next `---`
/// found anywhere; the body is what follows, left-trimmed.
pub fn split_frontmatter(content: &str) -> (Option<&str>, &str) {
    let content = content.trim();
    let Some(rest) = content.strip_prefix("---") else {
        return (None, content);
    };
    match rest.find("---") {
        Some(end) => (Some(&rest[..end]), rest[end + 3..].trim_start()),
        None => (None, content),
    }
}

fn title_of(body: &str) -> Option<String> {
    body.lines()
        .find_map(|line| line.trim().strip_prefix("# ").map(str::to_string))
}

fn is_fence(line: &str) -> bool {
    line.trim_start().starts_with("```")
}

const AC_HEADING: &str = "## Acceptance Criteria";

impl Spec {
    pub fn parse(id: &str, content: &str) -> Result<Spec> {
        let (yaml, body) = split_frontmatter(content);
        let mut frontmatter = match yaml {
            Some(yaml) => serde_yaml_ng::from_str::<Frontmatter>(yaml)
                .context("Failed to parse spec frontmatter")?,
            None => Frontmatter::default(),
        };
        if let Some(model) = &frontmatter.model {
            frontmatter.model = Some(short_model_name(model));
        }
        Ok(Spec {
            id: id.to_string(),
            title: title_of(body),
            body: body.to_string(),
            frontmatter,
        })
    }

    pub fn load(path: &Path) -> Result<Spec> {
        let content = fs::read_to_string(path)
            .with_context(|| format!("Failed to read spec from {}", path.display()))?;
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .context("Invalid spec filename")?;
        Spec::parse(id, &content)
    }

    /// The file text chant writes: `---\n{yaml}---\n{body}`.
    pub fn render(&self) -> Result<String> {
        let yaml = serde_yaml_ng::to_string(&self.frontmatter)?;
        Ok(format!("---\n{}---\n{}", yaml, self.body))
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        fs::write(path, self.render()?)
            .with_context(|| format!("Failed to write spec {}", path.display()))
    }

    /// Line number of the last `## Acceptance Criteria` line outside fences.
    fn last_ac_heading(&self) -> Option<usize> {
        let mut fenced = false;
        let mut found = None;
        for (n, line) in self.body.lines().enumerate() {
            if is_fence(line) {
                fenced = !fenced;
                continue;
            }
            if !fenced && line.trim_start().starts_with(AC_HEADING) {
                found = Some(n);
            }
        }
        found
    }

    /// Lines of the acceptance-criteria section that chant counts.
    fn ac_lines(&self) -> Vec<&str> {
        let Some(start) = self.last_ac_heading() else {
            return Vec::new();
        };
        let mut fenced = false;
        let mut inside = false;
        let mut out = Vec::new();
        for (n, line) in self.body.lines().enumerate() {
            if is_fence(line) {
                fenced = !fenced;
                continue;
            }
            if fenced {
                continue;
            }
            if n == start {
                inside = true;
                continue;
            }
            if inside && line.trim_start().starts_with("## ") {
                break;
            }
            if inside {
                out.push(line);
            }
        }
        out
    }

    pub fn count_unchecked(&self) -> usize {
        self.ac_lines()
            .iter()
            .map(|l| l.matches("- [ ]").count())
            .sum()
    }

    pub fn count_checkboxes(&self) -> usize {
        self.ac_lines()
            .iter()
            .map(|l| {
                l.matches("- [ ]").count() + l.matches("- [x]").count() + l.matches("- [X]").count()
            })
            .sum()
    }

    /// Tick every `- [ ]` in the counted section. Returns whether anything
    /// changed (the body is then rebuilt with `\n` line ends, trimmed at the end).
    pub fn tick_criteria(&mut self) -> bool {
        let Some(start) = self.last_ac_heading() else {
            return false;
        };
        let mut fenced = false;
        let mut inside = false;
        let mut changed = false;
        let mut body = String::new();
        for (n, line) in self.body.lines().enumerate() {
            if is_fence(line) {
                fenced = !fenced;
            }
            if n == start {
                inside = true;
            }
            if inside && !fenced && n != start && line.trim_start().starts_with("## ") {
                inside = false;
            }
            if inside && !fenced && line.contains("- [ ]") {
                body.push_str(&line.replace("- [ ]", "- [x]"));
                changed = true;
            } else {
                body.push_str(line);
            }
            body.push('\n');
        }
        if changed {
            self.body = body.trim_end().to_string();
        }
        changed
    }

    /// Approval required and not approved.
    pub fn requires_approval(&self) -> bool {
        self.frontmatter
            .approval
            .as_ref()
            .is_some_and(|a| a.required && a.status != ApprovalStatus::Approved)
    }
}

impl fmt::Display for SpecStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Transitions chant allows (chant.md section 3).
pub fn transition_allowed(from: SpecStatus, to: SpecStatus) -> bool {
    use SpecStatus::*;
    if from == Ready || to == Ready {
        return false;
    }
    if from == to {
        return true;
    }
    matches!(
        (from, to),
        (Pending, InProgress | Blocked | Cancelled)
            | (Blocked, Pending | InProgress | Cancelled)
            | (
                InProgress,
                Completed | Failed | NeedsAttention | Paused | Cancelled
            )
            | (Failed, Pending | InProgress)
            | (NeedsAttention, Pending | InProgress)
            | (Paused, InProgress | Cancelled)
            | (Completed, Pending)
            | (Cancelled, Pending)
    )
}

/// Validated status change; the error reads like chant's `TransitionError`.
pub fn set_status(spec: &mut Spec, to: SpecStatus) -> Result<(), String> {
    let from = spec.frontmatter.status;
    if !transition_allowed(from, to) {
        return Err(format!("Invalid transition from {:?} to {:?}", from, to));
    }
    spec.frontmatter.status = to;
    Ok(())
}

/// The driver of `X.N` is the text before the first `.` followed by a digit.
pub fn driver_of(id: &str) -> Option<&str> {
    let dot = id.find('.')?;
    id[dot + 1..]
        .chars()
        .next()
        .filter(char::is_ascii_digit)
        .map(|_| &id[..dot])
}

/// What one scan of `.chant/specs` found.
pub struct Workspace {
    /// Specs that parsed, with the computed (blocked/pending) status applied.
    pub specs: Vec<Spec>,
    /// Files that failed to load: (id, path, error).
    pub broken: Vec<(String, PathBuf, anyhow::Error)>,
}

fn collect_md(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if entry.metadata()?.is_dir() {
            collect_md(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

fn dep_met(specs: &[Spec], dep: &str) -> bool {
    specs.iter().any(|s| {
        s.id == dep
            && matches!(
                s.frontmatter.status,
                SpecStatus::Completed | SpecStatus::Cancelled
            )
    })
}

/// Dependencies of `spec` that are missing or not completed/cancelled.
pub fn unmet_dependencies(spec: &Spec, specs: &[Spec]) -> Vec<String> {
    spec.frontmatter
        .depends_on
        .iter()
        .flatten()
        .filter(|d| !dep_met(specs, d))
        .cloned()
        .collect()
}

fn computed_blocked(spec: &Spec, snapshot: &[Spec]) -> bool {
    if !unmet_dependencies(spec, snapshot).is_empty() {
        return true;
    }
    if let Some(driver) = driver_of(&spec.id).and_then(|d| snapshot.iter().find(|s| s.id == d)) {
        if !unmet_dependencies(driver, snapshot).is_empty() {
            return true;
        }
    }
    spec.frontmatter.status == SpecStatus::Pending && spec.requires_approval()
}

impl Workspace {
    /// Load every spec under `.chant/specs` (subfolders too). Broken files are
    /// reported once on stderr, as chant's loader does.
    pub fn load(root: &Path) -> Result<Workspace> {
        let mut paths = Vec::new();
        collect_md(&root.join(SPECS_DIR), &mut paths)?;
        let mut specs = Vec::new();
        let mut broken = Vec::new();
        for path in paths {
            match Spec::load(&path) {
                Ok(spec) => specs.push(spec),
                Err(e) => {
                    let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                    eprintln!("Warning: Failed to load spec {:?}: {}", rel, e);
                    let id = path
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    broken.push((id, path, e));
                }
            }
        }
        let snapshot = specs.clone();
        for spec in &mut specs {
            let status = spec.frontmatter.status;
            if status != SpecStatus::Pending && status != SpecStatus::Blocked {
                continue;
            }
            if computed_blocked(spec, &snapshot) {
                spec.frontmatter.status = SpecStatus::Blocked;
            } else if status == SpecStatus::Blocked {
                spec.frontmatter.status = SpecStatus::Pending;
            }
        }
        Ok(Workspace { specs, broken })
    }

    /// Resolve a full or partial ID: exact, unique suffix, `<today>-<input>-`
    /// for 3 characters, unique substring. A file that failed to parse
    /// resolves too, and then its parse error is returned.
    pub fn resolve(self, partial: &str) -> Result<Spec> {
        let mut ids: Vec<String> = self.specs.iter().map(|s| s.id.clone()).collect();
        ids.extend(self.broken.iter().map(|b| b.0.clone()));
        let unique = |pred: &dyn Fn(&str) -> bool| -> Option<String> {
            let found: BTreeSet<&String> = ids.iter().filter(|id| pred(id)).collect();
            if found.len() == 1 {
                found.into_iter().next().cloned()
            } else {
                None
            }
        };
        let mut chosen = ids.iter().find(|id| *id == partial).cloned();
        if chosen.is_none() {
            chosen = unique(&|id| id.ends_with(partial));
        }
        if chosen.is_none() && partial.len() == 3 {
            let prefix = format!("{}-{}-", crate::clock::local_date(), partial);
            chosen = unique(&|id| id.starts_with(&prefix));
        }
        if chosen.is_none() {
            let matches: BTreeSet<&String> = ids.iter().filter(|id| id.contains(partial)).collect();
            if matches.len() == 1 {
                chosen = matches.into_iter().next().cloned();
            } else if matches.len() > 1 {
                let list: Vec<&str> = matches.iter().map(|s| s.as_str()).collect();
                bail!(
                    "Ambiguous spec ID '{}'. Matches: {}",
                    partial,
                    list.join(", ")
                );
            }
        }
        let Some(id) = chosen else {
            bail!("Spec not found: {}", partial);
        };
        if let Some(spec) = self.specs.into_iter().find(|s| s.id == id) {
            return Ok(spec);
        }
        let (_, _, err) = self
            .broken
            .into_iter()
            .find(|b| b.0 == id)
            .expect("resolved id comes from the scan");
        Err(err)
    }
}

/// Top-level specs only (what chant's per-spec lint sees), without the
/// computed status.
pub fn top_level_ids(root: &Path) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    let dir = root.join(SPECS_DIR);
    for entry in fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.is_file()
            && path.extension().is_some_and(|e| e == "md")
            && Spec::load(&path).is_ok()
        {
            if let Some(stem) = path.file_stem() {
                ids.push(stem.to_string_lossy().into_owned());
            }
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_in_chant_form() {
        let text = "---\n# comment\nstatus: pending\ntype: task\nid: x\nlabels: [a, b]\ndepends_on: one\nmodel: claude-opus-4-5\n---\n\n# Title\n\nBody\n\n";
        let spec = Spec::parse("2026-01-01-001-abc", text).unwrap();
        assert_eq!(
            spec.render().unwrap(),
            "---\ntype: task\nstatus: pending\ndepends_on:\n- one\nlabels:\n- a\n- b\nmodel: opus\n---\n# Title\n\nBody"
        );
        assert_eq!(spec.title.as_deref(), Some("Title"));
    }

    #[test]
    fn wrong_types_fail() {
        for bad in [
            "---\nstatus: open\n---\n# T",
            "---\ntype: conflict\n---\n# T",
            "---\nlabels: foo\n---\n# T",
            "---\nreplay_count: -1\n---\n# T",
            "---\nlabels: [\"a---b\"]\n---\n# T",
        ] {
            let err = Spec::parse("x", bad).unwrap_err();
            assert_eq!(err.to_string(), "Failed to parse spec frontmatter", "{bad}");
        }
    }

    #[test]
    fn scalars_accepted_as_strings() {
        let spec = Spec::parse("x", "---\nmodel: 4\ndepends_on: [001]\n---\n# T").unwrap();
        assert_eq!(spec.frontmatter.model.as_deref(), Some("4"));
        assert_eq!(spec.frontmatter.depends_on, Some(vec!["001".to_string()]));
    }

    #[test]
    fn no_closing_fence_means_no_frontmatter() {
        let spec = Spec::parse("x", "---\nstatus: completed\n# T").unwrap();
        assert_eq!(spec.frontmatter.status, SpecStatus::Pending);
        assert!(spec.body.starts_with("---"));
    }

    #[test]
    fn criteria_counting() {
        let body = "# T\n\n```\n## Acceptance Criteria\n- [ ] no\n```\n\n## Acceptance Criteria (must)\n\n- [ ] a - [ ] b\n  - [ ] nested\n* [ ] star\n- [x] done\n### Sub\n- [ ] still\n## Next\n- [ ] out";
        let mut spec = Spec::parse("x", body).unwrap();
        assert_eq!(spec.count_unchecked(), 4);
        assert_eq!(spec.count_checkboxes(), 5);
        assert!(spec.tick_criteria());
        assert_eq!(spec.count_unchecked(), 0);
        assert!(spec.body.contains("- [ ] no"));
        assert!(spec.body.contains("* [ ] star"));
        assert!(spec.body.ends_with("## Next\n- [ ] out"));
    }

    #[test]
    fn drivers() {
        assert_eq!(
            driver_of("2026-01-01-001-abc.2"),
            Some("2026-01-01-001-abc")
        );
        assert_eq!(driver_of("a.b"), None);
        assert_eq!(driver_of("plain"), None);
    }
}
