//! What chant knows about each frontmatter field and value: the one catalog
//! that diagnostics, completion and hover all read.

/// How chant reads a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// One of a fixed set of words.
    Enum(&'static [EnumValue]),
    /// A string, or a list of strings (only `depends_on`).
    StringOrList,
    List,
    Str,
    UnsignedInt,
    Bool,
    /// A map with its own fields.
    Map(&'static [FieldInfo]),
}

/// What the strings of a field name, for references and completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refers {
    Nothing,
    SpecIds,
    Paths,
    /// Paths that may be globs (`tracks`).
    PathGlobs,
    Prompt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldInfo {
    pub name: &'static str,
    pub kind: FieldKind,
    pub refers: Refers,
    /// chant fills it in itself; users rarely write it.
    pub written_by_chant: bool,
    pub doc: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumValue {
    pub name: &'static str,
    pub doc: &'static str,
}

const fn field(
    name: &'static str,
    kind: FieldKind,
    refers: Refers,
    doc: &'static str,
) -> FieldInfo {
    FieldInfo {
        name,
        kind,
        refers,
        written_by_chant: false,
        doc,
    }
}

const fn written(name: &'static str, kind: FieldKind, doc: &'static str) -> FieldInfo {
    FieldInfo {
        name,
        kind,
        refers: Refers::Nothing,
        written_by_chant: true,
        doc,
    }
}

pub const TYPES: &[EnumValue] = &[
    EnumValue { name: "code", doc: "The default. An agent changes code; `target_files` says where." },
    EnumValue { name: "task", doc: "Work that is not a code change (setup, operations)." },
    EnumValue { name: "driver", doc: "Coordinates member specs (`<id>.1`, `<id>.2`, ...) listed in `members`." },
    EnumValue { name: "documentation", doc: "Writes documentation; chant lint wants `tracks` (the code it documents) and `target_files`." },
    EnumValue { name: "research", doc: "Produces research output; chant lint wants `informed_by` or `origin`, and `target_files`." },
    EnumValue { name: "group", doc: "Groups member specs, like a driver." },
];

pub const STATUSES: &[EnumValue] = &[
    EnumValue { name: "pending", doc: "The default. Ready to work once dependencies are completed (and approval given, if required)." },
    EnumValue { name: "in_progress", doc: "An agent is working on it. Set by `chant work`; `chant work` refuses to start it again." },
    EnumValue { name: "paused", doc: "Work was paused; it can go back to in_progress or be cancelled." },
    EnumValue { name: "completed", doc: "Done. Set by chant after a successful run; `chant work` refuses it." },
    EnumValue { name: "failed", doc: "The last run failed; it can go back to pending or in_progress." },
    EnumValue { name: "needs_attention", doc: "The run needs a human; it can go back to pending or in_progress." },
    EnumValue { name: "ready", doc: "Accepted by the parser, but no transition leads to or from it: `chant work` fails on a spec whose file says `ready`. Use `pending`." },
    EnumValue { name: "blocked", doc: "Waiting on dependencies or approval. chant computes it on every load." },
    EnumValue { name: "cancelled", doc: "Dropped. Counts as done for dependents; `chant work` refuses it." },
];

pub const VERIFICATION_STATUSES: &[EnumValue] = &[
    EnumValue {
        name: "passed",
        doc: "`chant verify` found every criterion met.",
    },
    EnumValue {
        name: "failed",
        doc: "`chant verify` found criteria not met (see `verification_failures`).",
    },
    EnumValue {
        name: "partial",
        doc: "`chant verify` found some criteria met.",
    },
];

pub const APPROVAL_STATUSES: &[EnumValue] = &[
    EnumValue {
        name: "pending",
        doc: "The default: not yet approved. With `required: true`, `chant work` refuses the spec.",
    },
    EnumValue {
        name: "approved",
        doc: "Approved (`chant approve`); needs `by` and `at`.",
    },
    EnumValue {
        name: "rejected",
        doc: "Rejected (`chant reject`); needs `by` and `at`. The spec stays blocked.",
    },
];

pub const BOOLS: &[EnumValue] = &[
    EnumValue {
        name: "true",
        doc: "",
    },
    EnumValue {
        name: "false",
        doc: "",
    },
];

pub const APPROVAL_FIELDS: &[FieldInfo] = &[
    field(
        "required",
        FieldKind::Bool,
        Refers::Nothing,
        "When true, `chant work` refuses the spec until it is approved (default false).",
    ),
    field(
        "status",
        FieldKind::Enum(APPROVAL_STATUSES),
        Refers::Nothing,
        "`pending` (default), `approved` or `rejected`.",
    ),
    field(
        "by",
        FieldKind::Str,
        Refers::Nothing,
        "Who approved or rejected it. Written by `chant approve`/`chant reject`.",
    ),
    field(
        "at",
        FieldKind::Str,
        Refers::Nothing,
        "When it was approved or rejected (UTC). Written by chant.",
    ),
];

pub const RETRY_STATE_FIELDS: &[FieldInfo] = &[
    written("attempts", FieldKind::UnsignedInt, "Retries made so far."),
    written(
        "last_retry_time",
        FieldKind::UnsignedInt,
        "Last retry, in milliseconds since the epoch.",
    ),
    written(
        "next_retry_time",
        FieldKind::UnsignedInt,
        "Next retry, in milliseconds since the epoch.",
    ),
];

/// Every field chant reads, in the order chant writes them.
pub const FIELDS: &[FieldInfo] = &[
    field("type", FieldKind::Enum(TYPES), Refers::Nothing, "What kind of work the spec is. Default `code`."),
    field("status", FieldKind::Enum(STATUSES), Refers::Nothing, "Where the spec is in its life. Default `pending`; chant updates it as work runs."),
    field("depends_on", FieldKind::StringOrList, Refers::SpecIds, "Spec IDs that must be completed (or cancelled) first. Until then the spec is blocked and `chant work` refuses it."),
    field("labels", FieldKind::List, Refers::Nothing, "Free labels, for `chant list --label`."),
    field("target_files", FieldKind::List, Refers::Paths, "Files the work will create or change, relative to the project root. Given to the agent as `{{spec.target_files}}`."),
    field("context", FieldKind::List, Refers::Paths, "Files to give the agent as context, relative to the project root (`{{spec.context}}`)."),
    field("prompt", FieldKind::Str, Refers::Prompt, "The prompt `chant work` uses: a file name in `.chant/prompts/` without `.md`. Default: config `defaults.prompt`, else `bootstrap`."),
    written("branch", FieldKind::Str, "The branch the work ran on (`chant/<id>`). Written by `chant work`."),
    written("commits", FieldKind::List, "Commits the work produced (short hashes). Written by chant when the spec completes."),
    written("completed_at", FieldKind::Str, "When the spec completed (`YYYY-MM-DDTHH:MM:SSZ`). Written by chant."),
    field("model", FieldKind::Str, Refers::Nothing, "The model the agent uses (`opus`, `sonnet`, `haiku`, ...). chant shortens full model names when it saves."),
    field("tracks", FieldKind::List, Refers::PathGlobs, "Source files (globs allowed) a documentation spec documents, relative to the project root."),
    field("informed_by", FieldKind::List, Refers::Paths, "Files (research, other specs) that inform this spec, relative to the project root."),
    field("origin", FieldKind::List, Refers::Paths, "Files a research spec starts from, relative to the project root."),
    field("schedule", FieldKind::Str, Refers::Nothing, "A schedule for recurring specs."),
    written("source_branch", FieldKind::Str, "For conflict specs: the branch being merged."),
    written("target_branch", FieldKind::Str, "For conflict specs: the branch merged into."),
    written("conflicting_files", FieldKind::List, "For conflict specs: the files in conflict."),
    written("blocked_specs", FieldKind::List, "For conflict specs: the specs the conflict blocks."),
    written("original_spec", FieldKind::Str, "For conflict specs: the spec whose merge conflicted."),
    written("last_verified", FieldKind::Str, "When `chant verify` last ran."),
    field("verification_status", FieldKind::Enum(VERIFICATION_STATUSES), Refers::Nothing, "Result of `chant verify`: `passed`, `failed` or `partial`."),
    written("verification_failures", FieldKind::List, "Criteria `chant verify` found unmet."),
    written("replayed_at", FieldKind::Str, "When the spec was last replayed."),
    written("replay_count", FieldKind::UnsignedInt, "How many times the spec was replayed (a whole number)."),
    written("original_completed_at", FieldKind::Str, "When the spec first completed, before a replay."),
    written("derived_fields", FieldKind::List, "Fields chant derived automatically."),
    field("approval", FieldKind::Map(APPROVAL_FIELDS), Refers::Nothing, "Approval workflow: `required`, `status`, `by`, `at`."),
    field("members", FieldKind::List, Refers::SpecIds, "For driver and group specs: the member spec IDs."),
    field("output_schema", FieldKind::Str, Refers::Paths, "A JSON Schema file, relative to the project root, that the agent's output must match. chant lint fails a completed spec whose schema file is missing."),
    field("public", FieldKind::Bool, Refers::Nothing, "Set to false to leave the spec out of the generated site."),
    written("retry_state", FieldKind::Map(RETRY_STATE_FIELDS), "Retry bookkeeping for failed specs (written by `chant watch`)."),
];

pub fn field_info(name: &str) -> Option<&'static FieldInfo> {
    FIELDS.iter().find(|f| f.name == name)
}

pub fn enum_value(values: &'static [EnumValue], name: &str) -> Option<&'static EnumValue> {
    values.iter().find(|v| v.name == name)
}

/// Why a key chant does not know was probably written, and what to use instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyHint {
    /// A misspelling of a real field.
    Meant(&'static str),
    /// Something chant takes from elsewhere.
    Elsewhere(&'static str),
}

/// A hint for an unknown key: known historical keys first, then the closest
/// real field name.
pub fn unknown_key_hint(key: &str) -> Option<KeyHint> {
    match key {
        "commit" => return Some(KeyHint::Meant("commits")),
        "id" => {
            return Some(KeyHint::Elsewhere(
                "the spec ID is the file name; chant has no `id` field",
            ))
        }
        "title" => {
            return Some(KeyHint::Elsewhere(
                "the title is the first `# ` heading of the body",
            ))
        }
        "created_at" | "created" => {
            return Some(KeyHint::Elsewhere(
                "the creation date is part of a generated spec ID",
            ))
        }
        "dependencies" | "depends" | "deps" | "depends-on" | "dependsOn" => {
            return Some(KeyHint::Meant("depends_on"))
        }
        "label" | "tags" => return Some(KeyHint::Meant("labels")),
        "files" | "targets" => return Some(KeyHint::Meant("target_files")),
        _ => {}
    }
    let normalized = key.replace('-', "_").to_ascii_lowercase();
    if let Some(f) = field_info(&normalized) {
        return Some(KeyHint::Meant(f.name));
    }
    closest(key, FIELDS.iter().map(|f| f.name)).map(KeyHint::Meant)
}

/// The candidate closest to `word`, if it is close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, c), c))
        .filter(|(distance, c)| *distance <= (c.len().max(lower.len()) / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// Words users write for chant's values, and the value they mean.
const VALUE_ALIASES: &[(&str, &str)] = &[
    ("open", "pending"),
    ("new", "pending"),
    ("todo", "pending"),
    ("draft", "pending"),
    ("done", "completed"),
    ("complete", "completed"),
    ("finished", "completed"),
    ("closed", "completed"),
    ("wip", "in_progress"),
    ("doing", "in_progress"),
    ("started", "in_progress"),
    ("active", "in_progress"),
    ("inprogress", "in_progress"),
    ("canceled", "cancelled"),
    ("dropped", "cancelled"),
    ("abandoned", "cancelled"),
    ("error", "failed"),
    ("failure", "failed"),
    ("docs", "documentation"),
    ("doc", "documentation"),
    ("conflict", "task"),
    ("approve", "approved"),
    ("reject", "rejected"),
    ("pass", "passed"),
    ("ok", "passed"),
    ("fail", "failed"),
];

/// A suggestion for an unknown enum value: a case or separator fix, then a
/// word users commonly mean, then the closest spelling of a value or of such
/// a word (`opne` → `open` → `pending`).
pub fn suggest_value(values: &'static [EnumValue], word: &str) -> Option<&'static str> {
    let lower = word.to_lowercase().replace(['-', ' '], "_");
    let valid = |name: &str| values.iter().find(|v| v.name == name).map(|v| v.name);
    if let Some(v) = valid(&lower) {
        return Some(v);
    }
    let aliases: Vec<(&str, &str)> = VALUE_ALIASES
        .iter()
        .copied()
        .filter(|(_, to)| valid(to).is_some())
        .collect();
    if let Some((_, to)) = aliases.iter().find(|(from, _)| *from == lower) {
        return valid(to);
    }
    let candidates = values
        .iter()
        .map(|v| v.name)
        .chain(aliases.iter().map(|(from, _)| *from));
    let best = closest(&lower, candidates)?;
    valid(best).or_else(|| {
        aliases
            .iter()
            .find(|(from, _)| *from == best)
            .and_then(|(_, to)| valid(to))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_for_keys_seen_in_real_specs() {
        assert_eq!(
            unknown_key_hint("informed-by"),
            Some(KeyHint::Meant("informed_by"))
        );
        assert_eq!(unknown_key_hint("commit"), Some(KeyHint::Meant("commits")));
        assert!(matches!(
            unknown_key_hint("id"),
            Some(KeyHint::Elsewhere(_))
        ));
        assert_eq!(unknown_key_hint("staus"), Some(KeyHint::Meant("status")));
        assert_eq!(unknown_key_hint("amendments"), None);
    }

    #[test]
    fn value_suggestions() {
        assert_eq!(suggest_value(STATUSES, "open"), Some("pending"));
        assert_eq!(suggest_value(STATUSES, "Completed"), Some("completed"));
        assert_eq!(suggest_value(STATUSES, "in-progress"), Some("in_progress"));
        assert_eq!(suggest_value(STATUSES, "compelted"), Some("completed"));
        assert_eq!(suggest_value(TYPES, "reserch"), Some("research"));
        assert_eq!(suggest_value(TYPES, "xyzzy"), None);
        assert_eq!(suggest_value(STATUSES, "opne"), Some("pending"));
        assert_eq!(suggest_value(TYPES, "conflict"), Some("task"));
    }
}
