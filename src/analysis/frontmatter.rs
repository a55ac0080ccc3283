//! The frontmatter as chant parses it: every value chant would stop on, and
//! keys chant silently drops.

use super::{word_list, Code, Cx, Diagnostic, FixKind, Sink, CHANT_REJECTS};
use crate::spec::fields::{self, EnumValue, KeyHint};
use crate::spec::frontmatter::RejectionKind;

pub(super) fn check(cx: &Cx, out: &mut Sink) {
    let fm = &cx.model.frontmatter;
    for rejection in &fm.rejections {
        let range = rejection.range.clone();
        let diagnostic = match &rejection.kind {
            RejectionKind::Syntax => {
                Diagnostic::new(Code::YamlSyntax, range, format!("YAML syntax error: {}. {CHANT_REJECTS}.", rejection.detail))
            }
            RejectionKind::NotAMapping => Diagnostic::new(
                Code::NotAMapping,
                range,
                format!("The frontmatter must be a map of `field: value` lines, not {}: {CHANT_REJECTS}.", found_of(&rejection.detail)),
            ),
            RejectionKind::UnknownValue { field, value } => unknown_value(field, value, range),
            RejectionKind::WrongType { field, found, expected } => wrong_type(field, found, expected, range),
            RejectionKind::DuplicateKey { key } => Diagnostic::new(
                Code::DuplicateKey,
                range,
                format!("`{key}` is given twice: {CHANT_REJECTS}. Keep one."),
            ),
            RejectionKind::MissingField { field, missing } => Diagnostic::new(
                Code::WrongType,
                range,
                format!("`{field}` needs `{missing}`: {CHANT_REJECTS}."),
            ),
        };
        out.push(diagnostic);
    }

    if fm.rejections.is_empty() && fm.keys_all_known() {
        return;
    }
    // One suggestion per distinct key (a frontmatter may repeat one key
    // thousands of times; the edit distance is the costly part).
    let mut hints: std::collections::HashMap<&str, Option<KeyHint>> =
        std::collections::HashMap::new();
    for entry in &fm.outline().entries {
        if fields::field_info(&entry.key).is_some() {
            if entry.key == "approval" {
                nested_unknown_keys(entry, fields::APPROVAL_FIELDS, out);
            }
            continue;
        }
        let range = entry.key_range.clone();
        let hint = hints
            .entry(entry.key.as_str())
            .or_insert_with(|| fields::unknown_key_hint(&entry.key))
            .clone();
        let present = |key: &str| fm.outline().entries.iter().any(|e| e.key == key);
        let d = match hint {
            // Renaming onto a key the frontmatter has would duplicate it,
            // which chant rejects: say so instead of offering the rename.
            Some(KeyHint::Meant(meant)) if present(meant) => Diagnostic::new(
                Code::UnknownKey,
                range,
                format!(
                    "chant does not know `{}` and silently ignores it: did you mean `{meant}`? (It is set already, so this one can go.)",
                    entry.key
                ),
            ),
            Some(KeyHint::Meant(meant)) => Diagnostic::new(
                Code::UnknownKey,
                range.clone(),
                format!(
                    "chant does not know `{}` and silently ignores it: did you mean `{meant}`?",
                    entry.key
                ),
            )
            .with_fix(
                FixKind::RenameKey {
                    to: meant.to_string(),
                },
                range,
                meant,
            ),
            Some(KeyHint::Elsewhere(why)) => Diagnostic::new(
                Code::UnknownKey,
                range,
                format!(
                    "chant does not know `{}` and silently ignores it: {why}.",
                    entry.key
                ),
            ),
            None => Diagnostic::new(
                Code::UnknownKey,
                range,
                format!(
                    "chant does not know `{}` and silently ignores it.",
                    entry.key
                ),
            ),
        };
        out.push(d);
    }
}

fn nested_unknown_keys(
    entry: &crate::syntax::yaml::YamlEntry,
    known: &[fields::FieldInfo],
    out: &mut Sink,
) {
    let Some(value) = &entry.value else { return };
    for nested in value.entries() {
        if known.iter().any(|f| f.name == nested.key) {
            continue;
        }
        let names: Vec<&str> = known.iter().map(|f| f.name).collect();
        let mut d = Diagnostic::new(
            Code::UnknownKey,
            nested.key_range.clone(),
            format!(
                "chant does not know `{}.{}` and silently ignores it.",
                entry.key, nested.key
            ),
        );
        if let Some(meant) = fields::closest(&nested.key, names.iter().copied()) {
            d.message = format!(
                "chant does not know `{}.{}` and silently ignores it: did you mean `{meant}`?",
                entry.key, nested.key
            );
            d = d.with_fix(
                FixKind::RenameKey {
                    to: meant.to_string(),
                },
                nested.key_range.clone(),
                meant,
            );
        }
        out.push(d);
    }
}

fn unknown_value(field: &str, value: &str, range: crate::text::TextRange) -> Diagnostic {
    let (code, values): (Code, &'static [EnumValue]) = match field {
        "type" => (Code::UnknownType, fields::TYPES),
        "status" => (Code::UnknownStatus, fields::STATUSES),
        "verification_status" => (
            Code::UnknownVerificationStatus,
            fields::VERIFICATION_STATUSES,
        ),
        "approval.status" => (Code::UnknownApprovalStatus, fields::APPROVAL_STATUSES),
        _ => (Code::WrongType, &[]),
    };
    let names: Vec<&str> = values.iter().map(|v| v.name).collect();
    let mut message = if value.is_empty() {
        format!("`{field}` is empty: {CHANT_REJECTS}.")
    } else {
        format!("Unknown {field} `{value}`: {CHANT_REJECTS}.")
    };
    let suggestion = fields::suggest_value(values, value);
    if let Some(s) = suggestion {
        message.push_str(&format!(" Did you mean `{s}`?"));
    }
    message.push_str(&format!(" Valid values: {}.", word_list(&names)));
    let d = Diagnostic::new(code, range.clone(), message);
    match suggestion {
        Some(s) => d.with_fix(
            FixKind::ReplaceValue {
                with: s.to_string(),
            },
            range,
            s,
        ),
        None => d,
    }
}

fn wrong_type(
    field: &str,
    found: &str,
    expected: &str,
    range: crate::text::TextRange,
) -> Diagnostic {
    let top = field.split(['.', '[']).next().unwrap_or(field);
    let wanted = match fields::field_info(top).map(|f| f.kind) {
        _ if field.contains('[') => "a string".to_string(),
        Some(fields::FieldKind::List) => "a list of strings".to_string(),
        Some(fields::FieldKind::StringOrList) => "a spec ID or a list of spec IDs".to_string(),
        Some(fields::FieldKind::Str) => "a string".to_string(),
        Some(fields::FieldKind::UnsignedInt) if found.starts_with("string") => {
            "a whole number (not quoted)".to_string()
        }
        Some(fields::FieldKind::UnsignedInt) => "a whole number of 0 or more".to_string(),
        Some(fields::FieldKind::Bool) => "`true` or `false`".to_string(),
        Some(fields::FieldKind::Map(_)) if field == top => "a map of fields".to_string(),
        _ => plain_expected(expected),
    };
    let hint = if found.starts_with("string") && wanted == "a list of strings" {
        format!(" Write it as a list: `{top}: [value]`.")
    } else {
        String::new()
    };
    Diagnostic::new(
        Code::WrongType,
        range,
        format!(
            "`{field}` must be {wanted}, not {}: {CHANT_REJECTS}.{hint}",
            found_of(found)
        ),
    )
}

fn plain_expected(expected: &str) -> String {
    match expected {
        "a boolean" => "`true` or `false`".into(),
        "u32" | "u64" => "a whole number".into(),
        "" => "something else".into(),
        other => other.to_string(),
    }
}

/// `string "foo"` → `a string ("foo")`, `sequence` → `a list`.
fn found_of(found: &str) -> String {
    let found = found.split(", expected").next().unwrap_or(found);
    let found = found.strip_prefix("invalid type: ").unwrap_or(found);
    let (kind, rest) = found.split_once(' ').unwrap_or((found, ""));
    let noun = match kind {
        "string" => "a string",
        "sequence" => "a list",
        "map" => "a map",
        "integer" => "a number",
        "floating" => "a number",
        "boolean" => "a boolean",
        "unit" | "null" => "an empty value",
        _ => return found.to_string(),
    };
    if rest.is_empty() || rest == "point" {
        noun.to_string()
    } else {
        format!(
            "{noun} ({})",
            rest.trim_start_matches("point ").trim_matches('`')
        )
    }
}
