//! The few `.chant/config.md` fields the stand-in uses.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::Path;

use crate::spec::split_frontmatter;

#[derive(Debug, Clone, Copy, Deserialize, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RejectionAction {
    #[default]
    Manual,
    Dependency,
    Group,
}

#[derive(Debug, Deserialize, Default)]
struct ProjectSection {
    name: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct DefaultsSection {
    prompt: Option<String>,
    branch_prefix: Option<String>,
    model: Option<String>,
    main_branch: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct ApprovalSection {
    #[serde(default)]
    rejection_action: RejectionAction,
}

#[derive(Debug, Deserialize, Default)]
struct RawConfig {
    project: Option<ProjectSection>,
    defaults: Option<DefaultsSection>,
    approval: Option<ApprovalSection>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub project_name: String,
    pub default_prompt: String,
    pub branch_prefix: String,
    pub model: Option<String>,
    #[allow(dead_code)]
    pub main_branch: String,
    pub rejection_action: RejectionAction,
}

impl Config {
    /// Read `.chant/config.md` (required). The global config under `~/.config`
    /// is deliberately not merged, so tests do not depend on the machine.
    pub fn load(root: &Path) -> Result<Config> {
        let path = root.join(".chant/config.md");
        let text = std::fs::read_to_string(&path)
            .with_context(|| "Failed to read config from .chant/config.md".to_string())?;
        let (yaml, _) = split_frontmatter(&text);
        let yaml = yaml.context("Failed to extract frontmatter from config")?;
        let raw: RawConfig =
            serde_yaml_ng::from_str(yaml).context("Failed to parse config frontmatter")?;
        let project = raw.project.unwrap_or_default();
        let defaults = raw.defaults.unwrap_or_default();
        Ok(Config {
            project_name: project.name.unwrap_or_default(),
            default_prompt: defaults.prompt.unwrap_or_else(|| "bootstrap".into()),
            branch_prefix: defaults.branch_prefix.unwrap_or_else(|| "chant/".into()),
            model: defaults.model.filter(|m| !m.is_empty()),
            main_branch: defaults.main_branch.unwrap_or_else(|| "main".into()),
            rejection_action: raw.approval.unwrap_or_default().rejection_action,
        })
    }
}
