//! chant's project config, as chant reads it from the frontmatter of
//! `.chant/config.md` merged over the user's global config. Pure: texts in,
//! config out (`workspace::config` reads the files).

use crate::syntax::layout;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thresholds {
    pub complexity_criteria: usize,
    pub complexity_files: usize,
    pub complexity_words: usize,
    pub simple_criteria: usize,
    pub simple_files: usize,
    pub simple_words: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            complexity_criteria: 10,
            complexity_files: 5,
            complexity_words: 150,
            simple_criteria: 1,
            simple_files: 1,
            simple_words: 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChantConfig {
    pub project_name: Option<String>,
    pub default_prompt: Option<String>,
    pub branch_prefix: String,
    pub main_branch: String,
    pub default_model: Option<String>,
    pub thresholds: Thresholds,
    /// `lint.disable`; chant's default list holds `complexity_words`.
    pub lint_disable: Vec<String>,
    pub enterprise_required: Vec<String>,
    pub rejection_action: Option<String>,
    /// Why the config could not be read, if it could not.
    pub problem: Option<String>,
}

impl Default for ChantConfig {
    fn default() -> Self {
        ChantConfig {
            project_name: None,
            default_prompt: None,
            branch_prefix: "chant/".into(),
            main_branch: "main".into(),
            default_model: None,
            thresholds: Thresholds::default(),
            lint_disable: vec!["complexity_words".into()],
            enterprise_required: Vec::new(),
            rejection_action: None,
            problem: None,
        }
    }
}

impl ChantConfig {
    /// The agent's branch of spec `id`: `<branch_prefix><id>`.
    pub fn branch_for(&self, id: &str) -> String {
        format!("{}{id}", self.branch_prefix)
    }

    pub fn word_rule_enabled(&self) -> bool {
        !self.lint_disable.iter().any(|d| d == "complexity_words")
    }

    /// The config chant uses: the global config's fields, then the
    /// project's over them. `project` is the project file's text, or why it
    /// could not be read. chant loads both or neither: when either file
    /// cannot be read, has no frontmatter, or holds a value of the wrong
    /// type in any section chant knows, chant discards the whole config and
    /// lints with its defaults (and no `enterprise.required`).
    pub fn merged(global: Option<&str>, project: Result<&str, String>) -> ChantConfig {
        let global = match global.map(read_layer) {
            Some(Ok(layer)) => Some(layer),
            Some(Err(why)) => {
                return ChantConfig::discarded(format!("~/.config/chant/config.md: {why}"))
            }
            None => None,
        };
        let project = match project {
            Ok(text) => match read_layer(text) {
                Ok(layer) => layer,
                Err(why) => return ChantConfig::discarded(why),
            },
            Err(why) => {
                return ChantConfig {
                    problem: Some(format!("cannot read .chant/config.md: {why}")),
                    ..ChantConfig::default()
                }
            }
        };
        let mut config = ChantConfig::default();
        if let Some(global) = global {
            config.overlay(global);
        }
        config.overlay(project);
        config
    }

    /// Parse config text with no global config underneath.
    pub fn parse(text: &str) -> ChantConfig {
        ChantConfig::merged(None, Ok(text))
    }

    fn discarded(why: String) -> ChantConfig {
        ChantConfig {
            problem: Some(format!(
                "{why}; chant ignores the whole config and uses its defaults"
            )),
            ..ChantConfig::default()
        }
    }

    /// Sections the layer has replace the ones below them, whole (as
    /// chant merges: a project `lint:` without `disable` gets the default
    /// `disable`, not the global one).
    fn overlay(&mut self, layer: Layer) {
        if let Some(project) = layer.project {
            if project.name.is_some() {
                self.project_name = project.name;
            }
        }
        if let Some(d) = layer.defaults {
            if d.prompt.is_some() {
                self.default_prompt = d.prompt;
            }
            if let Some(p) = d.branch_prefix {
                self.branch_prefix = p;
            }
            if let Some(m) = d.main_branch {
                self.main_branch = m;
            }
            if d.model.is_some() {
                self.default_model = d.model;
            }
        }
        if let Some(approval) = layer.approval {
            self.rejection_action = Some(approval.rejection_action.as_str().to_string());
        }
        if let Some(lint) = layer.lint {
            let t = lint.thresholds;
            self.thresholds = Thresholds {
                complexity_criteria: t.complexity_criteria,
                complexity_files: t.complexity_files,
                complexity_words: t.complexity_words,
                simple_criteria: t.simple_criteria,
                simple_files: t.simple_files,
                simple_words: t.simple_words,
            };
            self.lint_disable = lint.disable;
        }
        if let Some(enterprise) = layer.enterprise {
            self.enterprise_required = enterprise.required;
        }
    }
}

/// One config file's frontmatter, read with the types chant gives each
/// section it knows (a wrong type anywhere in them fails the whole file;
/// sections it does not know are ignored). Written from chant 0.23.2's
/// config model; only the fields the editor uses are kept.
fn read_layer(text: &str) -> Result<Layer, String> {
    let split = layout::split(text);
    let Some(block) = split.frontmatter else {
        return Err("no frontmatter".into());
    };
    serde_yaml_ng::from_str::<Layer>(&text[block.yaml])
        .map_err(|e| format!("config frontmatter rejected: {e}"))
}

use serde::Deserialize;
use std::collections::HashMap;

/// Sections are read to be judged; only some are used.
#[allow(dead_code)]
#[derive(Deserialize, Default)]
struct Layer {
    project: Option<ProjectSection>,
    defaults: Option<DefaultsSection>,
    parallel: Option<ParallelSection>,
    repos: Option<Vec<RepoSection>>,
    enterprise: Option<EnterpriseSection>,
    approval: Option<ApprovalSection>,
    validation: Option<ValidationSection>,
    site: Option<SiteSection>,
    lint: Option<LintSection>,
    watch: Option<WatchSection>,
}

#[derive(Deserialize)]
struct ProjectSection {
    name: Option<String>,
    #[serde(rename = "prefix")]
    _prefix: Option<String>,
    #[serde(rename = "silent")]
    _silent: Option<bool>,
}

#[derive(Deserialize)]
struct DefaultsSection {
    prompt: Option<String>,
    branch_prefix: Option<String>,
    model: Option<String>,
    #[serde(rename = "split_model")]
    _split_model: Option<String>,
    main_branch: Option<String>,
    #[serde(rename = "provider")]
    _provider: Option<Provider>,
    #[serde(rename = "rotation_strategy")]
    _rotation_strategy: Option<Rotation>,
    #[serde(rename = "prompt_extensions")]
    _prompt_extensions: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Provider {
    Claude,
    Ollama,
    Openai,
    Kirocli,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Rotation {
    None,
    Random,
    #[serde(alias = "round-robin")]
    RoundRobin,
}

#[derive(Deserialize)]
struct ParallelSection {
    #[serde(default, rename = "agents")]
    _agents: Vec<AgentSection>,
    #[serde(default, rename = "stagger_delay_ms")]
    _stagger_delay_ms: u64,
    #[serde(default, rename = "stagger_jitter_ms")]
    _stagger_jitter_ms: u64,
}

#[derive(Deserialize)]
struct AgentSection {
    #[serde(default, rename = "name")]
    _name: String,
    #[serde(default, rename = "command")]
    _command: String,
    #[serde(default, rename = "max_concurrent")]
    _max_concurrent: usize,
    #[serde(default, rename = "weight")]
    _weight: usize,
}

#[derive(Deserialize)]
struct RepoSection {
    #[serde(rename = "name")]
    _name: String,
    #[serde(rename = "path")]
    _path: String,
}

#[derive(Deserialize)]
struct EnterpriseSection {
    #[serde(default, rename = "derived")]
    _derived: HashMap<String, DerivedSection>,
    #[serde(default)]
    required: Vec<String>,
}

#[derive(Deserialize)]
struct DerivedSection {
    #[serde(rename = "from")]
    _from: DerivedFrom,
    #[serde(rename = "pattern")]
    _pattern: String,
    #[serde(default, rename = "validate")]
    _validate: Option<DerivedRule>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum DerivedFrom {
    Branch,
    Path,
    Env,
    GitUser,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum DerivedRule {
    Enum {
        #[serde(rename = "values")]
        _values: Vec<String>,
    },
}

#[derive(Deserialize)]
struct ApprovalSection {
    #[serde(default)]
    rejection_action: RejectionAction,
    #[serde(default, rename = "require_approval_for_agent_work")]
    _require: bool,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum RejectionAction {
    #[default]
    Manual,
    Dependency,
    Group,
}

impl RejectionAction {
    fn as_str(self) -> &'static str {
        match self {
            RejectionAction::Manual => "manual",
            RejectionAction::Dependency => "dependency",
            RejectionAction::Group => "group",
        }
    }
}

#[derive(Deserialize)]
struct ValidationSection {
    #[serde(default, rename = "strict_output_validation")]
    _strict: bool,
}

#[derive(Deserialize)]
struct SiteSection {
    #[serde(default, rename = "output_dir")]
    _output_dir: String,
    #[serde(default, rename = "base_url")]
    _base_url: String,
    #[serde(default, rename = "title")]
    _title: String,
    #[serde(default, rename = "include")]
    _include: SiteInclude,
    #[serde(default, rename = "exclude")]
    _exclude: SiteExclude,
    #[serde(default, rename = "features")]
    _features: SiteFeatures,
    #[serde(default, rename = "graph")]
    _graph: SiteGraph,
    #[serde(default, rename = "timeline")]
    _timeline: SiteTimeline,
}

#[derive(Deserialize, Default)]
struct SiteInclude {
    #[serde(default, rename = "statuses")]
    _statuses: Vec<String>,
    #[serde(default, rename = "labels")]
    _labels: Vec<String>,
}

#[derive(Deserialize, Default)]
struct SiteExclude {
    #[serde(default, rename = "labels")]
    _labels: Vec<String>,
    #[serde(default, rename = "fields")]
    _fields: Vec<String>,
}

#[derive(Deserialize, Default)]
struct SiteFeatures {
    #[serde(default, rename = "changelog")]
    _changelog: bool,
    #[serde(default, rename = "dependency_graph")]
    _dependency_graph: bool,
    #[serde(default, rename = "timeline")]
    _timeline: bool,
    #[serde(default, rename = "status_indexes")]
    _status_indexes: bool,
    #[serde(default, rename = "label_indexes")]
    _label_indexes: bool,
}

#[derive(Deserialize, Default)]
struct SiteGraph {
    #[serde(default, rename = "detail")]
    _detail: GraphDetail,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "lowercase")]
enum GraphDetail {
    Minimal,
    Titles,
    #[default]
    Full,
}

#[derive(Deserialize, Default)]
struct SiteTimeline {
    #[serde(default, rename = "group_by")]
    _group_by: TimelineGroup,
    #[serde(default, rename = "include_pending")]
    _include_pending: bool,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "lowercase")]
enum TimelineGroup {
    #[default]
    Day,
    Week,
    Month,
}

#[derive(Deserialize)]
struct LintSection {
    #[serde(default)]
    thresholds: ThresholdsSection,
    #[serde(default = "default_disable")]
    disable: Vec<String>,
}

fn default_disable() -> Vec<String> {
    vec!["complexity_words".into()]
}

#[derive(Deserialize)]
struct ThresholdsSection {
    #[serde(default = "ten")]
    complexity_criteria: usize,
    #[serde(default = "five")]
    complexity_files: usize,
    #[serde(default = "one_fifty")]
    complexity_words: usize,
    #[serde(default = "one")]
    simple_criteria: usize,
    #[serde(default = "one")]
    simple_files: usize,
    #[serde(default = "three")]
    simple_words: usize,
}

impl Default for ThresholdsSection {
    fn default() -> Self {
        ThresholdsSection {
            complexity_criteria: 10,
            complexity_files: 5,
            complexity_words: 150,
            simple_criteria: 1,
            simple_files: 1,
            simple_words: 3,
        }
    }
}

fn ten() -> usize {
    10
}
fn five() -> usize {
    5
}
fn one_fifty() -> usize {
    150
}
fn one() -> usize {
    1
}
fn three() -> usize {
    3
}

#[derive(Deserialize)]
struct WatchSection {
    #[serde(default, rename = "poll_interval_ms")]
    _poll_interval_ms: u64,
    #[serde(default, rename = "failure")]
    _failure: FailureSection,
    #[serde(default, rename = "idle_timeout_minutes")]
    _idle_timeout_minutes: u64,
}

#[derive(Deserialize, Default)]
struct FailureSection {
    #[serde(default, rename = "max_retries")]
    _max_retries: usize,
    #[serde(default, rename = "retry_delay_ms")]
    _retry_delay_ms: u64,
    #[serde(default, rename = "backoff_multiplier")]
    _backoff_multiplier: f64,
    #[serde(default, rename = "retryable_patterns")]
    _retryable_patterns: Vec<String>,
    #[serde(default, rename = "on_permanent_failure")]
    _on_permanent_failure: PermanentFailure,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "lowercase")]
enum PermanentFailure {
    #[default]
    Skip,
    Stop,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_chant() {
        let c = ChantConfig::parse("---\nproject:\n  name: demo\n---\n# Config\n");
        assert_eq!(c.project_name.as_deref(), Some("demo"));
        assert_eq!(c.thresholds, Thresholds::default());
        assert!(!c.word_rule_enabled());
    }

    #[test]
    fn thresholds_disable_and_required() {
        let c = ChantConfig::parse(
            "---\nlint:\n  thresholds:\n    complexity_criteria: 3\n  disable: []\nenterprise:\n  required: [labels, prompt]\ndefaults:\n  prompt: standard\n---\n",
        );
        assert_eq!(c.thresholds.complexity_criteria, 3);
        assert!(c.word_rule_enabled());
        assert_eq!(c.enterprise_required, ["labels", "prompt"]);
        assert_eq!(c.default_prompt.as_deref(), Some("standard"));
    }

    #[test]
    fn broken_config_says_why() {
        let c = ChantConfig::parse("---\nlint: [\n---\n");
        assert!(c.problem.unwrap().contains("config frontmatter rejected"));
    }

    #[test]
    fn a_wrong_type_anywhere_discards_the_whole_config() {
        for bad in [
            "defaults:\n  prompt: [x]\n",
            "lint:\n  thresholds: ~\n",
            "lint:\n  disable: ~\n",
            "parallel:\n  stagger_delay_ms: fast\n",
            "approval:\n  rejection_action: fix\n",
            "repos:\n- name: a\n",
            "lint:\n  disable: []\nlint:\n  disable: []\n",
        ] {
            let text = format!("---\nenterprise:\n  required: [labels]\n{bad}---\n");
            let c = ChantConfig::parse(&text);
            assert!(c.problem.is_some(), "{bad}");
            assert!(c.enterprise_required.is_empty(), "{bad}");
            assert_eq!(c.thresholds, Thresholds::default(), "{bad}");
        }
        // A duplicated key chant does not know, and sections it does not
        // know, are fine.
        let c = ChantConfig::parse(
            "---\nsilent: true\nsilent: false\nwhatever: [1]\nenterprise:\n  required: [~]\n---\n",
        );
        assert_eq!(c.problem, None);
        assert_eq!(c.enterprise_required, ["~"]);
        // No frontmatter at all: chant cannot load it either.
        assert!(ChantConfig::parse("# Config\n").problem.is_some());
    }
}
