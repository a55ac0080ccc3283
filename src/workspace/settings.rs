//! What the user set for chant-lsp in a workspace (the `chant` section an
//! editor sends: `workspace/configuration` or `initializationOptions`),
//! read into what each setting means.

use std::time::Duration;

use serde_json::Value;

use crate::analysis::Filter;

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Diagnostics switched off by code.
    pub filter: Filter,
    /// Codes in the settings that name no diagnostic (reported to the user).
    pub unknown_codes: Vec<String>,
    /// Quiet time after a keystroke before diagnostics are computed.
    pub debounce: Duration,
    /// Diagnostics for the specs that are not open too (the whole
    /// workspace in the problem list).
    pub workspace_diagnostics: bool,
    /// The chant executable (a name on PATH or a path).
    pub chant_path: String,
    /// Name passed to `chant approve/reject --by`; else `git config user.name`.
    pub approver_name: Option<String>,
    /// Whether the server may run chant at all (workspace trust).
    pub commands_enabled: bool,
    /// Kill a chant run after this long; None waits forever.
    pub command_timeout: Option<Duration>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            filter: Filter::default(),
            unknown_codes: Vec::new(),
            debounce: Duration::from_millis(200),
            workspace_diagnostics: true,
            chant_path: "chant".into(),
            approver_name: None,
            commands_enabled: false,
            command_timeout: None,
        }
    }
}

impl Settings {
    /// Read settings from the `chant` section. Accepts the section itself or
    /// an object that wraps it under `chant`; missing keys keep defaults.
    pub fn from_json(value: &Value) -> Settings {
        let value = value
            .get("chant")
            .filter(|v| v.is_object())
            .unwrap_or(value);
        let mut settings = Settings::default();
        let get = |path: &[&str]| -> Option<&Value> {
            let mut v = value;
            for key in path {
                v = v.get(*key)?;
            }
            Some(v)
        };
        let disabled: Vec<String> = get(&["diagnostics", "disabled"])
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let (filter, unknown) = Filter::new(&disabled);
        settings.filter = filter;
        settings.unknown_codes = unknown;
        if let Some(ms) = get(&["diagnostics", "debounceMs"]).and_then(Value::as_u64) {
            settings.debounce = Duration::from_millis(ms.min(10_000));
        }
        if let Some(on) = get(&["diagnostics", "workspace"]).and_then(Value::as_bool) {
            settings.workspace_diagnostics = on;
        }
        if let Some(path) = get(&["path"])
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
        {
            settings.chant_path = path.to_string();
        }
        settings.approver_name = get(&["approverName"])
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        if let Some(enabled) = get(&["commands", "enabled"]).and_then(Value::as_bool) {
            settings.commands_enabled = enabled;
        }
        settings.command_timeout = get(&["commands", "timeoutSeconds"])
            .and_then(Value::as_u64)
            .filter(|s| *s > 0)
            .map(Duration::from_secs);
        settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_section_or_a_wrapper() {
        let s = Settings::from_json(&json!({
            "diagnostics": {"disabled": ["unchecked-criterion", "chant/nope"], "debounceMs": 50, "workspace": false},
            "path": "/opt/chant", "approverName": " Ada ", "commands": {"enabled": true, "timeoutSeconds": 30}
        }));
        assert!(!s.filter.allows(crate::analysis::Code::UncheckedCriterion));
        assert_eq!(s.unknown_codes, ["chant/nope"]);
        assert_eq!(s.debounce, Duration::from_millis(50));
        assert!(!s.workspace_diagnostics);
        assert!(Settings::default().workspace_diagnostics);
        assert_eq!(s.chant_path, "/opt/chant");
        assert_eq!(s.approver_name.as_deref(), Some("Ada"));
        assert!(s.commands_enabled);
        assert_eq!(s.command_timeout, Some(Duration::from_secs(30)));
        let wrapped = Settings::from_json(&json!({"chant": {"path": "x"}}));
        assert_eq!(wrapped.chant_path, "x");
        assert_eq!(Settings::from_json(&Value::Null), Settings::default());
    }
}
