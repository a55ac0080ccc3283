//! chant's project config, as chant reads it from the frontmatter of
//! `.chant/config.md` merged over the user's global config. Pure: texts in,
//! config out (`workspace::config` reads the files).

use serde_yaml_ng::Value;

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
    pub fn word_rule_enabled(&self) -> bool {
        !self.lint_disable.iter().any(|d| d == "complexity_words")
    }

    /// The config chant uses: the global config's fields, then the
    /// project's over them. `project` is the project file's text, or why it
    /// could not be read.
    pub fn merged(global: Option<&str>, project: Result<&str, String>) -> ChantConfig {
        let mut config = ChantConfig::default();
        if let Some(text) = global {
            config.apply(text);
            config.problem = None;
        }
        match project {
            Ok(text) => config.apply(text),
            Err(why) => config.problem = Some(format!("cannot read .chant/config.md: {why}")),
        }
        config
    }

    /// Parse config text with no global config underneath.
    pub fn parse(text: &str) -> ChantConfig {
        let mut config = ChantConfig::default();
        config.apply(text);
        config
    }

    /// Overlay the fields present in `text` onto `self`.
    fn apply(&mut self, text: &str) {
        let split = layout::split(text);
        let Some(block) = split.frontmatter else {
            return;
        };
        let value: Value = match serde_yaml_ng::from_str(&text[block.yaml]) {
            Ok(v) => v,
            Err(e) => {
                self.problem = Some(format!("config frontmatter is not valid YAML: {e}"));
                return;
            }
        };
        let get = |path: &[&str]| -> Option<&Value> {
            let mut v = &value;
            for key in path {
                v = v.get(*key)?;
            }
            Some(v)
        };
        let string = |path: &[&str]| get(path).and_then(scalar_string);
        if let Some(s) = string(&["project", "name"]) {
            self.project_name = Some(s);
        }
        if let Some(s) = string(&["defaults", "prompt"]) {
            self.default_prompt = Some(s);
        }
        if let Some(s) = string(&["defaults", "branch_prefix"]) {
            self.branch_prefix = s;
        }
        if let Some(s) = string(&["defaults", "main_branch"]) {
            self.main_branch = s;
        }
        if let Some(s) = string(&["defaults", "model"]) {
            self.default_model = Some(s);
        }
        if let Some(s) = string(&["approval", "rejection_action"]) {
            self.rejection_action = Some(s);
        }
        let t = &mut self.thresholds;
        for (name, slot) in [
            ("complexity_criteria", &mut t.complexity_criteria),
            ("complexity_files", &mut t.complexity_files),
            ("complexity_words", &mut t.complexity_words),
            ("simple_criteria", &mut t.simple_criteria),
            ("simple_files", &mut t.simple_files),
            ("simple_words", &mut t.simple_words),
        ] {
            if let Some(n) = get(&["lint", "thresholds", name]).and_then(Value::as_u64) {
                *slot = n as usize;
            }
        }
        if let Some(list) = get(&["lint", "disable"]) {
            self.lint_disable = string_list(list);
        }
        if let Some(list) = get(&["enterprise", "required"]) {
            self.enterprise_required = string_list(list);
        }
    }
}

fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn string_list(value: &Value) -> Vec<String> {
    value
        .as_sequence()
        .map(|s| s.iter().filter_map(scalar_string).collect())
        .unwrap_or_default()
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
        assert!(c.problem.unwrap().contains("not valid YAML"));
    }
}
