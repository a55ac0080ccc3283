//! chant's `output` lint rule in full: a completed spec's `output_schema`
//! must exist, and when the spec has an agent log (`.chant/logs/<id>.log`)
//! the JSON in that log must satisfy the schema. What counts as "the JSON in
//! the log" follows chant 0.23.2: the first ```json block that parses, else
//! the first fenced block of any language that parses, else the whole log,
//! else the first balanced `{...}` that parses, else the first balanced
//! `[...]`. The schema is compiled by the same validator chant uses.

use serde_json::Value;

/// Why chant's `output` rule fails, if it does, given the schema's text
/// (`Err`: it cannot be read) and the log's text.
pub fn validate_log(schema: Result<&str, ()>, log: &str) -> Option<String> {
    let Ok(schema) = schema else {
        return Some("Failed to validate output: the schema file cannot be read".into());
    };
    let schema: Value = match serde_json::from_str(schema) {
        Ok(v) => v,
        Err(e) => {
            return Some(format!(
                "Failed to validate output: Failed to parse schema as JSON ({e})"
            ))
        }
    };
    let validator = match jsonschema_chant::validator_for(&schema) {
        Ok(v) => v,
        Err(e) => {
            return Some(format!(
                "Failed to validate output: Failed to compile JSON schema: {e}"
            ))
        }
    };
    let Some(json) = extract_json(log) else {
        return Some("Output validation failed: no JSON found in the agent's log".into());
    };
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| {
            let path = e.instance_path.to_string();
            if path.is_empty() {
                e.to_string()
            } else {
                format!("at '{path}': {e}")
            }
        })
        .collect();
    (!errors.is_empty()).then(|| format!("Output validation failed: {}", errors.join("; ")))
}

/// The JSON value chant takes from an agent's output.
pub fn extract_json(output: &str) -> Option<Value> {
    fenced(output, Some("json"))
        .or_else(|| fenced(output, None))
        .or_else(|| serde_json::from_str(output.trim()).ok())
        .or_else(|| balanced(output, '{', '}'))
        .or_else(|| balanced(output, '[', ']'))
}

/// The first ``` block whose content parses as JSON; with `language`, only
/// blocks with no language or that language (any case). A block left open
/// at the end counts too.
fn fenced(output: &str, language: Option<&str>) -> Option<Value> {
    let wanted =
        |lang: &str| language.is_none_or(|want| lang.is_empty() || lang.eq_ignore_ascii_case(want));
    let mut open: Option<String> = None;
    let mut content = String::new();
    for line in output.lines() {
        let trimmed = line.trim_start();
        if let Some(after) = trimmed.strip_prefix("```") {
            match open.take() {
                Some(lang) => {
                    if wanted(&lang) {
                        if let Ok(v) = serde_json::from_str(&content) {
                            return Some(v);
                        }
                    }
                    content.clear();
                }
                None => open = Some(after.trim().to_string()),
            }
        } else if open.is_some() {
            if !content.is_empty() {
                content.push('\n');
            }
            content.push_str(line);
        }
    }
    match open {
        Some(lang) if !content.is_empty() && wanted(&lang) => serde_json::from_str(&content).ok(),
        _ => None,
    }
}

/// The first top-level balanced `open ... close` span that parses. Depth is
/// counted on every bracket, quoted or not, and may go below zero (then no
/// span starts until it is back at zero), as chant counts it.
fn balanced(text: &str, open: char, close: char) -> Option<Value> {
    let mut depth: i64 = 0;
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c == open {
            if depth == 0 {
                start = Some(i);
            }
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                if let Some(s) = start {
                    if let Ok(v) = serde_json::from_str(&text[s..=i]) {
                        return Some(v);
                    }
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = r#"{"type": "object", "required": ["summary"], "properties": {"summary": {"type": "string"}}}"#;

    #[test]
    fn finds_the_json_chant_finds() {
        assert_eq!(
            extract_json("x\n```json\n{\"a\": 1}\n```\n").unwrap()["a"],
            1
        );
        assert_eq!(extract_json("```\n[1]\n```").unwrap()[0], 1);
        assert_eq!(extract_json("before {\"a\": 2} after").unwrap()["a"], 2);
        assert_eq!(extract_json("} {\"a\": 3}"), None);
        assert_eq!(extract_json("no json"), None);
        assert_eq!(extract_json(" [1, 2] ").unwrap()[1], 2);
    }

    #[test]
    fn validates_like_chant() {
        assert_eq!(validate_log(Ok(SCHEMA), "{\"summary\": \"ok\"}"), None);
        assert!(validate_log(Ok(SCHEMA), "{\"summary\": 5}")
            .unwrap()
            .starts_with("Output validation failed"));
        assert!(validate_log(Ok("{not json"), "{}")
            .unwrap()
            .contains("Failed to parse schema as JSON"));
        assert!(validate_log(Ok(r#"{"type": 5}"#), "{}")
            .unwrap()
            .contains("compile"));
        assert!(validate_log(Ok(SCHEMA), "nothing")
            .unwrap()
            .contains("no JSON"));
        assert!(validate_log(Err(()), "{}").is_some());
    }
}
