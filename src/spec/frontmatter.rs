//! The frontmatter as chant reads it. The typed struct mirrors chant's own
//! (same fields, same types, same YAML engine), so deserialising it accepts
//! and rejects exactly what chant does. Where chant stops at the first bad
//! value with one position-less message, [`read_frontmatter`] finds every
//! bad value and where it is.

use std::sync::OnceLock;

use serde::de::Deserializer;
use serde::{Deserialize, Serialize};

use crate::syntax::yaml::{self, YamlEntry, YamlNode, YamlOutline};
use crate::text::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    Passed,
    Failed,
    Partial,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    #[default]
    Pending,
    Approved,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct RetryState {
    pub attempts: u64,
    pub last_retry_time: u64,
    pub next_retry_time: u64,
}

/// chant's frontmatter, field for field: read as chant reads it, written
/// as chant writes it when it saves a spec (fields in this order, absent
/// ones left out).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ChantFrontmatter {
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

/// `depends_on` takes one string or a list of strings. chant reads it
/// through an untagged enum: the value is first read as it is (a plain `1`
/// is a number, `true` a bool, `~` or an empty item null), then matched
/// against "a string" and "a list of strings"; anything else, numbers and
/// nulls inside the list included, rejects the whole file. (Other string
/// fields take any plain scalar as text.)
fn string_or_list<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(
        Option::<OneOrMany>::deserialize(deserializer)?.map(|v| match v {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }),
    )
}

/// The frontmatter of one spec: its shape with ranges, the values chant
/// reads, and every reason chant would reject it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontmatter {
    /// The YAML chant reads, and where it starts in the file.
    source: String,
    base: usize,
    /// Its shape with ranges, built on first use: most specs that chant
    /// accepts never need it (`check` skips the tree-sitter parse for them).
    outline: OnceLock<YamlOutline>,
    /// What chant reads. When chant rejects the file these are the values of
    /// the entries that are fine on their own, so the rest of the analysis
    /// still has something to work with.
    pub values: ChantFrontmatter,
    /// Empty when chant accepts the frontmatter.
    pub rejections: Vec<Rejection>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub range: TextRange,
    pub kind: RejectionKind,
    /// The YAML engine's own words, without its position.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectionKind {
    /// The YAML itself does not parse.
    Syntax,
    /// A value that is not one of the field's words. `field` is a path such
    /// as `status` or `approval.status`.
    UnknownValue { field: String, value: String },
    /// A value of the wrong shape or type (`labels: foo`, `replay_count: "3"`).
    WrongType {
        field: String,
        found: String,
        expected: String,
    },
    /// A known field given twice.
    DuplicateKey { key: String },
    /// A map missing a field chant requires (inside `retry_state`).
    MissingField { field: String, missing: String },
    /// The frontmatter is not a map of fields at all.
    NotAMapping,
}

impl Frontmatter {
    /// Keys, values and list items with their ranges in the file.
    pub fn outline(&self) -> &YamlOutline {
        self.outline
            .get_or_init(|| yaml::outline_at(&self.source, self.base))
    }

    /// True when every top-level key is a field chant knows and none holds
    /// a map to check (read line by line, without building the outline).
    /// False when in doubt.
    pub fn keys_all_known(&self) -> bool {
        for line in self.source.lines() {
            let trimmed = line.trim_end();
            if trimmed.is_empty() || trimmed.starts_with([' ', '\t', '-', '#']) {
                continue;
            }
            let Some((key, _)) = trimmed.split_once(':') else {
                return false;
            };
            match crate::spec::fields::field_info(key) {
                Some(info) if !matches!(info.kind, crate::spec::fields::FieldKind::Map(_)) => {}
                _ => return false,
            }
        }
        true
    }

    fn new(
        text: &str,
        yaml: &TextRange,
        outline: Option<YamlOutline>,
        values: ChantFrontmatter,
        rejections: Vec<Rejection>,
    ) -> Self {
        let cell = OnceLock::new();
        if let Some(outline) = outline {
            let _ = cell.set(outline);
        }
        Frontmatter {
            source: text[yaml.clone()].to_string(),
            base: yaml.start,
            outline: cell,
            values,
            rejections,
        }
    }
}

/// The top-level keys of chant's frontmatter struct: given twice, any of
/// them makes serde reject the file ("duplicate field"); other keys are
/// ignored, however often they appear.
pub const CHANT_FIELDS: &[&str] = &[
    "type",
    "status",
    "depends_on",
    "labels",
    "target_files",
    "context",
    "prompt",
    "branch",
    "commits",
    "completed_at",
    "model",
    "tracks",
    "informed_by",
    "origin",
    "schedule",
    "source_branch",
    "target_branch",
    "conflicting_files",
    "blocked_specs",
    "original_spec",
    "last_verified",
    "verification_status",
    "verification_failures",
    "replayed_at",
    "replay_count",
    "original_completed_at",
    "derived_fields",
    "approval",
    "members",
    "output_schema",
    "public",
    "retry_state",
];

/// Read `text[yaml]` as chant would, locating every value chant would stop on.
///
/// The verdict is always the YAML engine's on the whole text, as chant
/// parses it. Only when it rejects the text are the reasons located: a
/// syntax error where libyaml stops; otherwise each top-level entry is
/// deserialised on its own (and each item of a list that fails), so every
/// bad value is found with one parse of its own text: linear in the size of
/// the frontmatter whatever it holds.
pub fn read_frontmatter(text: &str, yaml: TextRange) -> Frontmatter {
    // The common case: chant accepts it as it is.
    let mut first_error = None;
    if too_deep(&text[yaml.clone()], RECURSION_LIMIT).is_none() {
        match serde_yaml_ng::from_str::<ChantFrontmatter>(&text[yaml.clone()]) {
            Ok(values) => return Frontmatter::new(text, &yaml, None, values, Vec::new()),
            Err(error) => first_error = Some(error),
        }
    }
    // The outline of a deeply nested value costs tree-sitter dearly: past
    // a depth no rule looks into, brackets are read as spaces (same
    // offsets, same entries).
    let outline = match flatten_deep(&text[yaml.clone()], 64) {
        Some(flat) => yaml::outline_at(&flat, yaml.start),
        None => yaml::outline(text, yaml.clone()),
    };
    let mut source = text[yaml.clone()].to_string();
    let mut rejections = Vec::new();
    // Entries whose values chant rejects: left out when reading the values.
    let mut rejected_entries: Vec<TextRange> = Vec::new();
    // Deep values under keys chant ignores: never handed to the YAML engine.
    let mut skipped: Vec<TextRange> = Vec::new();

    // libyaml takes quadratic time on deeply nested flow collections (30 s
    // for 100,000 levels). Under a field chant knows, serde gives up at 128
    // levels ("recursion limit exceeded"); under a key chant ignores, it
    // skips the value whatever its depth. Settle both before parsing. The
    // scan resumes after each blanked entry, so it reads the text once.
    let mut resume = 0;
    while let Some(found) = too_deep(&source[resume..], RECURSION_LIMIT) {
        let at = resume + found;
        let abs = yaml.start + at;
        let entry = outline
            .entries
            .iter()
            .find(|e| e.range.start <= abs && abs < e.range.end);
        let Some(entry) = entry else {
            rejections.push(Rejection {
                range: abs..next_char(text, abs),
                kind: RejectionKind::Syntax,
                detail: format!("recursion limit exceeded: the YAML nests more than {RECURSION_LIMIT} levels deep"),
            });
            return Frontmatter::new(
                text,
                &yaml,
                Some(outline),
                ChantFrontmatter::default(),
                rejections,
            );
        };
        blank(
            &mut source,
            entry.range.start - yaml.start..entry.range.end - yaml.start,
        );
        resume = entry.range.end - yaml.start;
        if CHANT_FIELDS.contains(&entry.key.as_str()) {
            rejections.push(Rejection {
                range: abs..next_char(text, abs),
                kind: RejectionKind::Syntax,
                detail: format!("recursion limit exceeded: the YAML nests more than {RECURSION_LIMIT} levels deep"),
            });
            rejected_entries.push(entry.range.clone());
        } else {
            skipped.push(entry.range.clone());
        }
    }

    // Nothing was blanked: the first parse's answer stands.
    let whole = match first_error {
        Some(error) if source == text[yaml.clone()] => Err(error),
        _ => serde_yaml_ng::from_str::<ChantFrontmatter>(&source).map(|_| ()),
    };
    if let Err(whole_error) = &whole {
        // A broken structure first: type errors read from it would be
        // echoes of the real mistake (an unclosed `[` swallows the keys
        // after it as list items), so only that one is reported. (A typed
        // parse may stop at a type error before libyaml reaches the syntax
        // error, so the structure is checked on its own.)
        if let Err(error) = serde_yaml_ng::from_str::<serde::de::IgnoredAny>(&source) {
            let message = error.to_string();
            let (_, detail) = split_error(&message);
            let problem = error
                .location()
                .map(|l| mark_to_offset(&source, l.line(), l.column()))
                .unwrap_or(0);
            let at = yaml.start + mark_for(&source, &message, problem);
            rejections.push(Rejection {
                range: at..next_char(text, at),
                kind: RejectionKind::Syntax,
                detail,
            });
            // Read what values can be read around the broken entry.
            let entry = outline
                .entries
                .iter()
                .find(|e| e.range.start <= at && at < e.range.end.max(e.range.start + 1));
            let mut clean = source.clone();
            if let Some(entry) = entry {
                blank(
                    &mut clean,
                    entry.range.start - yaml.start..entry.range.end - yaml.start,
                );
            }
            let values = serde_yaml_ng::from_str::<ChantFrontmatter>(&clean).unwrap_or_default();
            return Frontmatter::new(text, &yaml, Some(outline), values, rejections);
        }
        // The structure is sound: the values are wrong. Each entry alone.
        let found_before = rejections.len();
        let settled: std::collections::HashSet<usize> = rejected_entries
            .iter()
            .chain(&skipped)
            .map(|r| r.start)
            .collect();
        let mut seen = std::collections::HashSet::new();
        for entry in &outline.entries {
            if settled.contains(&entry.range.start) {
                continue;
            }
            let known = CHANT_FIELDS.contains(&entry.key.as_str());
            if known && !seen.insert(entry.key.as_str()) {
                rejections.push(Rejection {
                    range: entry.key_range.clone(),
                    kind: RejectionKind::DuplicateKey {
                        key: entry.key.clone(),
                    },
                    detail: format!("duplicate field `{}`", entry.key),
                });
                rejected_entries.push(entry.range.clone());
                continue;
            }
            if !known {
                continue;
            }
            let before = rejections.len();
            check_entry(text, entry, &mut rejections);
            if rejections.len() > before {
                rejected_entries.push(entry.range.clone());
            }
        }
        if rejections.len() == found_before {
            // Nothing found entry by entry (an alias between entries, a
            // flow mapping as the whole frontmatter): say what serde said.
            let message = whole_error.to_string();
            let (path, detail) = split_error(&message);
            let problem = whole_error
                .location()
                .map(|l| mark_to_offset(&source, l.line(), l.column()))
                .unwrap_or(0);
            let at = yaml.start + mark_for(&source, &message, problem);
            let entry = entry_for(&outline, &path, at);
            let kind = classify(&path, &detail, entry);
            let range = rejection_range(&outline, &kind, entry, at, text);
            rejections.push(Rejection {
                range,
                kind,
                detail,
            });
            if let Some(entry) = entry {
                rejected_entries.push(entry.range.clone());
            }
        }
    }

    // The values chant would read, with every rejected entry left out.
    let original = &text[yaml.clone()];
    let mut clean = original.to_string();
    for range in rejected_entries.iter().chain(&skipped) {
        blank_entry(
            &mut clean,
            original,
            range.start - yaml.start..range.end - yaml.start,
        );
    }
    let values = serde_yaml_ng::from_str::<ChantFrontmatter>(&clean).unwrap_or_default();
    Frontmatter::new(text, &yaml, Some(outline), values, rejections)
}

/// A piece of YAML built from one entry (or one list item) of the
/// frontmatter, and where its bytes come from in the file.
struct Piece {
    yaml: String,
    /// `yaml[prefix..]` is `text[origin..]`.
    prefix: usize,
    origin: usize,
}

impl Piece {
    /// The file offset of an offset into the piece.
    fn to_file(&self, offset: usize, limit: usize) -> usize {
        (self.origin + offset.saturating_sub(self.prefix)).min(limit)
    }
}

/// The entry alone: from the start of its line when the key starts the
/// line (keeping its indentation), else just `key: value`.
fn entry_piece(text: &str, entry: &YamlEntry) -> Piece {
    let line_start = text[..entry.range.start]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    let start = if text[line_start..entry.range.start].trim().is_empty() {
        line_start
    } else {
        entry.range.start
    };
    Piece {
        yaml: text[start..entry.range.end].to_string(),
        prefix: 0,
        origin: start,
    }
}

/// One list item of an entry, as `key: [item]`.
fn item_piece(text: &str, entry: &YamlEntry, item: &YamlNode) -> Option<Piece> {
    let item_text = &text[item.range.clone()];
    if item_text.contains(['\n', '\r']) {
        return None;
    }
    let head = format!("{}: [", entry.key);
    Some(Piece {
        yaml: format!("{head}{item_text}]"),
        prefix: head.len(),
        origin: item.range.start,
    })
}

/// Why chant rejects `piece`, if it does: (kind, range in the file, detail,
/// the error's field path).
fn judge(
    piece: &Piece,
    entry: &YamlEntry,
    locate: bool,
) -> Option<(RejectionKind, TextRange, String, String)> {
    let error = serde_yaml_ng::from_str::<ChantFrontmatter>(&piece.yaml).err()?;
    let message = error.to_string();
    let (path, detail) = split_error(&message);
    let kind = classify(&path, &detail, Some(entry));
    if kind == RejectionKind::Syntax {
        // The whole text parses, so a syntax error here is an artefact of
        // cutting it (an alias whose anchor is in another entry).
        return None;
    }
    let problem = error
        .location()
        .map(|l| mark_to_offset(&piece.yaml, l.line(), l.column()))
        .unwrap_or(piece.prefix);
    let at = piece.to_file(problem, entry.range.end);
    let range = match &kind {
        // An item's range is known to the caller: do not search the list.
        _ if !locate => at..at,
        RejectionKind::MissingField { .. } => entry.key_range.clone(),
        _ => {
            let node = entry.value.as_ref().and_then(|v| smallest_node_at(v, at));
            match node {
                Some(node) if !node.range.is_empty() => node.range.clone(),
                _ => entry.key_range.clone(),
            }
        }
    };
    Some((kind, range, detail, path))
}

/// Every value chant rejects in one top-level entry: the entry's first
/// problem, or, when that problem is in a list item (or the list is
/// `depends_on`, whose items chant reads all or nothing), each bad item.
fn check_entry(text: &str, entry: &YamlEntry, out: &mut Vec<Rejection>) {
    let piece = entry_piece(text, entry);
    let items = entry.value.as_ref().map_or(&[][..], |v| v.items());
    // A list's items of the wrong kind, from one parse of the list, before
    // anything else (what the typed parse below would lead to anyway).
    if !items.is_empty() {
        if let Some(bad) = bad_items(&piece, entry, items.len()).filter(|b| !b.is_empty()) {
            push_bad_items(text, entry, items, bad, out);
            return;
        }
    }
    let Some((kind, range, detail, path)) = judge(&piece, entry, true) else {
        return;
    };
    let per_item = path.contains('[') || entry.key == "depends_on";
    if per_item && !items.is_empty() {
        let before = out.len();
        // One parse of the list tells which items are of the wrong kind;
        // item-by-item parses only when that is not conclusive.
        if let Some(bad) = bad_items(&piece, entry, items.len()) {
            push_bad_items(text, entry, items, bad, out);
            if out.len() > before {
                return;
            }
        }
        for (i, item) in items.iter().enumerate() {
            let Some(piece) = item_piece(text, entry, item) else {
                continue;
            };
            if let Some((mut kind, _, detail, _)) = judge(&piece, entry, false) {
                // The piece holds one item: name its real index.
                if let RejectionKind::WrongType { field, found, .. } = &mut kind {
                    if field.is_empty() {
                        field.clone_from(&entry.key);
                    }
                    if let Some(at) = field.find("[0]") {
                        field.replace_range(at..at + 3, &format!("[{i}]"));
                    } else if !field.contains('[') {
                        field.push_str(&format!("[{i}]"));
                    }
                    if found.is_empty() {
                        *found = describe(&text[item.range.clone()]);
                    }
                }
                out.push(Rejection {
                    range: item_range(text, item),
                    kind,
                    detail,
                });
            }
        }
        if out.len() > before {
            return;
        }
    }
    let mut kind = kind;
    if let RejectionKind::WrongType { field, found, .. } = &mut kind {
        if field.is_empty() {
            field.clone_from(&entry.key);
        }
        if found.is_empty() {
            *found = match &entry.value {
                Some(value) => describe(&text[value.range.clone()]),
                None => "null".into(),
            };
            if found == "sequence" {
                *found = "sequence with an item that is not a string".into();
            }
        }
    }
    // An untagged enum's error has no position of its own: the value is it.
    let range = match &entry.value {
        Some(value) if detail.contains("did not match any variant") => value.range.clone(),
        _ => range,
    };
    out.push(Rejection {
        range,
        kind,
        detail,
    });
}

fn push_bad_items(
    text: &str,
    entry: &YamlEntry,
    items: &[YamlNode],
    bad: Vec<(usize, String)>,
    out: &mut Vec<Rejection>,
) {
    for (i, found) in bad {
        out.push(Rejection {
            range: item_range(text, &items[i]),
            detail: format!("invalid type: {found}, expected a string"),
            kind: RejectionKind::WrongType {
                field: format!("{}[{i}]", entry.key),
                found,
                expected: "a string".into(),
            },
        });
    }
}

/// An item's range; for an empty item (a `-` with nothing after it), the
/// dash.
fn item_range(text: &str, item: &YamlNode) -> TextRange {
    let range = item.range.clone();
    if !range.is_empty() {
        return range;
    }
    match text[..range.start].char_indices().next_back() {
        Some((i, '-')) => i..range.start,
        _ => range,
    }
}

/// The items of the entry's list that chant cannot read as strings, with
/// what each is, from one parse of the entry: lists and maps anywhere;
/// in `depends_on`, also numbers, booleans and nulls (chant resolves each
/// value there before asking for a string). `None` when the list cannot
/// be matched item for item with the outline.
fn bad_items(piece: &Piece, entry: &YamlEntry, count: usize) -> Option<Vec<(usize, String)>> {
    use serde_yaml_ng::Value;
    let value: Value = serde_yaml_ng::from_str(&piece.yaml).ok()?;
    let items = value.as_mapping()?.values().next()?.as_sequence()?;
    if items.len() != count {
        return None;
    }
    let strict = entry.key == "depends_on";
    Some(
        items
            .iter()
            .enumerate()
            .filter(|(_, v)| match v {
                Value::Sequence(_) | Value::Mapping(_) => true,
                Value::String(_) => false,
                _ => strict,
            })
            .map(|(i, v)| (i, describe_value(v)))
            .collect(),
    )
}

fn describe_value(value: &serde_yaml_ng::Value) -> String {
    use serde_yaml_ng::Value;
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        Value::Number(n) => format!("integer `{n}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Sequence(_) => "sequence".into(),
        Value::Mapping(_) => "map".into(),
        Value::Tagged(t) => describe_value(&t.value),
    }
}

/// What a YAML value is, in serde's words (`integer `1``, `boolean `true``,
/// `unit value`, `sequence`, `map`, `string "x"`).
fn describe(yaml: &str) -> String {
    use serde_yaml_ng::Value;
    match serde_yaml_ng::from_str::<Value>(yaml) {
        _ if yaml.trim().is_empty() => "null".into(),
        Ok(value) => describe_value(&value),
        Err(_) => "a value of another kind".into(),
    }
}

/// Where to report a YAML error: libyaml's problem mark, unless that is the
/// end of the YAML (an unclosed quote or bracket, a key never finished):
/// then the construct it was reading, which the message names last
/// ("..., while scanning a quoted scalar at line 2 column 12").
fn mark_for(source: &str, message: &str, problem: usize) -> usize {
    if !source[problem.min(source.len())..].trim().is_empty() {
        return problem;
    }
    let marks: Vec<(usize, usize)> = message
        .match_indices(" at line ")
        .filter_map(|(i, _)| {
            let rest = &message[i + 9..];
            let (line, rest) = rest.split_once(" column ")?;
            let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
            Some((line.parse().ok()?, column.parse().ok()?))
        })
        .collect();
    match marks.last() {
        Some(&(line, column)) if marks.len() > 1 => mark_to_offset(source, line, column),
        _ => problem,
    }
}

/// Blank a whole `key: value` entry. Inside a flow mapping (`{a: 1, b: 2}`)
/// the gap between commas must stay a valid entry, so it becomes the key
/// `_`, which chant ignores.
fn blank_entry(source: &mut String, original: &str, range: TextRange) {
    // Looked up in the original text: in the blanked one, the spaces of
    // every entry blanked before would be walked over each time.
    let in_flow = original[..range.start].trim_end().ends_with(['{', ',']);
    blank(source, range.clone());
    if in_flow && !range.is_empty() {
        source.replace_range(range.start..range.start + 1, "_");
    }
}

/// The nesting depth at which serde_yaml stops with "recursion limit exceeded".
const RECURSION_LIMIT: usize = 128;

/// `yaml` with every flow bracket nested deeper than `limit` replaced by a
/// space, or `None` when none is that deep.
fn flatten_deep(yaml: &str, limit: usize) -> Option<String> {
    too_deep(yaml, limit)?;
    let mut out = yaml.as_bytes().to_vec();
    scan_brackets(yaml, |i, depth, opening| {
        let level = if opening { depth } else { depth + 1 };
        if level > limit {
            out[i] = b' ';
        }
        false
    });
    String::from_utf8(out).ok()
}

/// Where flow collections (`[`, `{`) nest deeper than `limit`, ignoring
/// brackets inside quotes and comments.
fn too_deep(yaml: &str, limit: usize) -> Option<usize> {
    let mut found = None;
    scan_brackets(yaml, |i, depth, opening| {
        if opening && depth > limit {
            found = Some(i);
            return true;
        }
        false
    });
    found
}

/// Calls `visit(offset, depth after it, opening)` for every flow bracket
/// outside quotes and comments, until it returns true.
fn scan_brackets(yaml: &str, mut visit: impl FnMut(usize, usize, bool) -> bool) {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    // The last character that is not a space: quotes open a scalar only
    // right after `:`, `-`, `[`, `{`, `,`, `?` or at a line start.
    let mut last_significant = '\n';
    let mut previous = '\n';
    let mut chars = yaml.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\n' {
            // A quote left open here is an apostrophe in a plain scalar, or
            // a syntax error libyaml will report; either way it ends here.
            quote = None;
            last_significant = '\n';
            previous = c;
            continue;
        }
        match quote {
            Some('"') if c == '\\' => {
                chars.next();
            }
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\''
                    if matches!(last_significant, ':' | '-' | '[' | '{' | ',' | '?' | '\n') =>
                {
                    quote = Some(c)
                }
                '#' if previous.is_whitespace() => {
                    while chars.peek().is_some_and(|(_, c)| *c != '\n') {
                        chars.next();
                    }
                }
                '[' | '{' => {
                    depth += 1;
                    if visit(i, depth, true) {
                        return;
                    }
                }
                ']' | '}' => {
                    depth = depth.saturating_sub(1);
                    if visit(i, depth, false) {
                        return;
                    }
                }
                _ => {}
            },
        }
        if !c.is_whitespace() {
            last_significant = c;
        }
        previous = c;
    }
}

/// serde_yaml messages read `path: message at line L column C` (and may
/// name a second position after a comma). Positions are dropped: the
/// diagnostic's range says where.
fn split_error(message: &str) -> (String, String) {
    let mut clean = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(" at line ") {
        clean.push_str(&rest[..i]);
        let after = &rest[i + 9..];
        let skip = after
            .find(" column ")
            .map(|c| {
                c + 8
                    + after[c + 8..]
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .count()
            })
            .unwrap_or(0);
        rest = &after[skip..];
    }
    clean.push_str(rest);
    match clean.split_once(": ") {
        Some((path, detail)) if !path.contains(' ') && !path.is_empty() => {
            (path.to_string(), detail.to_string())
        }
        _ => (String::new(), clean),
    }
}

/// The top-level entry an error belongs to: by the error's field path when it
/// names one, else by position.
fn entry_for<'o>(outline: &'o YamlOutline, path: &str, at: usize) -> Option<&'o YamlEntry> {
    let top = path.split(['.', '[']).next().unwrap_or("");
    let by_position = outline
        .entries
        .iter()
        .find(|e| e.range.start <= at && at < e.range.end.max(e.range.start + 1));
    if !top.is_empty() {
        if let Some(e) = by_position.filter(|e| e.key == top) {
            return Some(e);
        }
        if let Some(e) = outline.entries.iter().find(|e| e.key == top) {
            return Some(e);
        }
    }
    by_position
}

fn classify(path: &str, detail: &str, entry: Option<&YamlEntry>) -> RejectionKind {
    if path.is_empty() && detail.contains("expected struct ChantFrontmatter") {
        return RejectionKind::NotAMapping;
    }
    if let Some(rest) = detail.strip_prefix("unknown variant `") {
        let value = rest.split('`').next().unwrap_or("").to_string();
        return RejectionKind::UnknownValue {
            field: path.to_string(),
            value,
        };
    }
    if let Some(rest) = detail.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return RejectionKind::WrongType {
            field: path.to_string(),
            found: found.to_string(),
            expected: expected.to_string(),
        };
    }
    if detail.contains("did not match any variant") {
        // `depends_on`, read through an untagged enum: the value is neither
        // a string nor a list of strings (the caller says what it is).
        return RejectionKind::WrongType {
            field: path.to_string(),
            found: String::new(),
            expected: "a spec ID or a list of spec IDs".into(),
        };
    }
    if let Some(rest) = detail.strip_prefix("invalid value: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return RejectionKind::WrongType {
            field: path.to_string(),
            found: found.to_string(),
            expected: expected.to_string(),
        };
    }
    if let Some(rest) = detail.strip_prefix("duplicate field `") {
        return RejectionKind::DuplicateKey {
            key: rest.split('`').next().unwrap_or("").to_string(),
        };
    }
    if let Some(rest) = detail.strip_prefix("missing field `") {
        let missing = rest.split('`').next().unwrap_or("").to_string();
        let field = if path.is_empty() {
            entry.map(|e| e.key.clone()).unwrap_or_default()
        } else {
            path.to_string()
        };
        return RejectionKind::MissingField { field, missing };
    }
    RejectionKind::Syntax
}

fn rejection_range(
    outline: &YamlOutline,
    kind: &RejectionKind,
    entry: Option<&YamlEntry>,
    at: usize,
    text: &str,
) -> TextRange {
    match kind {
        RejectionKind::DuplicateKey { key } => {
            // Point at the second occurrence: the first one is what the user meant to keep.
            let mut same = outline.entries.iter().filter(|e| &e.key == key);
            let first = same.next();
            same.next()
                .or(first)
                .map(|e| e.key_range.clone())
                .unwrap_or(at..at)
        }
        RejectionKind::MissingField { .. } => entry.map(|e| e.key_range.clone()).unwrap_or(at..at),
        RejectionKind::Syntax => at..next_char(text, at),
        _ => {
            let node = entry
                .and_then(|e| e.value.as_ref())
                .and_then(|v| smallest_node_at(v, at));
            match node {
                Some(node) if !node.range.is_empty() => node.range.clone(),
                _ => entry
                    .map(|e| e.key_range.clone())
                    .unwrap_or(at..next_char(text, at)),
            }
        }
    }
}

fn smallest_node_at(node: &YamlNode, at: usize) -> Option<&YamlNode> {
    if !(node.range.start <= at && at <= node.range.end) {
        return None;
    }
    let children = node
        .items()
        .iter()
        .chain(node.entries().iter().filter_map(|e| e.value.as_ref()));
    for child in children {
        if let Some(found) = smallest_node_at(child, at) {
            return Some(found);
        }
    }
    Some(node)
}

fn next_char(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(at, |c| at + c.len_utf8())
}

/// Replace a range with spaces, keeping line breaks and byte length so
/// every offset after it stays put.
fn blank(source: &mut String, range: TextRange) {
    let mut replaced = String::with_capacity(range.len());
    for c in source[range.clone()].chars() {
        if c == '\n' || c == '\r' {
            replaced.push(c);
        } else {
            replaced.extend(std::iter::repeat_n(' ', c.len_utf8()));
        }
    }
    source.replace_range(range, &replaced);
}

/// libyaml reports 1-based lines and 1-based columns counted in characters,
/// breaking lines at `\n`, `\r\n`, `\r` (and the Unicode line separators).
pub fn mark_to_offset(source: &str, line: usize, column: usize) -> usize {
    let mut current = 1;
    let mut chars = source.char_indices().peekable();
    let mut line_start = 0;
    while current < line {
        let Some((i, c)) = chars.next() else {
            return source.len();
        };
        let is_break = match c {
            '\r' => {
                if chars.peek().is_some_and(|(_, n)| *n == '\n') {
                    chars.next();
                }
                true
            }
            '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => true,
            _ => false,
        };
        if is_break {
            current += 1;
            line_start = chars.peek().map_or(source.len(), |(j, _)| *j);
        }
        let _ = i;
    }
    source[line_start..]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(source.len(), |(i, _)| line_start + i)
}

impl SpecType {
    pub fn as_str(self) -> &'static str {
        match self {
            SpecType::Code => "code",
            SpecType::Task => "task",
            SpecType::Driver => "driver",
            SpecType::Documentation => "documentation",
            SpecType::Research => "research",
            SpecType::Group => "group",
        }
    }
}

impl SpecStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SpecStatus::Pending => "pending",
            SpecStatus::InProgress => "in_progress",
            SpecStatus::Paused => "paused",
            SpecStatus::Completed => "completed",
            SpecStatus::Failed => "failed",
            SpecStatus::NeedsAttention => "needs_attention",
            SpecStatus::Ready => "ready",
            SpecStatus::Blocked => "blocked",
            SpecStatus::Cancelled => "cancelled",
        }
    }

    /// A status `chant work` starts from (blocked until its dependencies
    /// and approval allow it).
    pub fn is_workable(self) -> bool {
        matches!(
            self,
            SpecStatus::Pending
                | SpecStatus::Blocked
                | SpecStatus::Failed
                | SpecStatus::NeedsAttention
                | SpecStatus::Paused
        )
    }

    /// Done, as far as dependents are concerned.
    pub fn satisfies_dependents(self) -> bool {
        matches!(self, SpecStatus::Completed | SpecStatus::Cancelled)
    }
}

impl ApprovalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(yaml: &str) -> Frontmatter {
        read_frontmatter(yaml, 0..yaml.len())
    }

    #[test]
    fn accepts_what_chant_accepts() {
        let fm =
            read("type: research\nstatus: completed\nmodel: 4\ndepends_on: 001\nlabels: [a, 1]\n");
        assert!(fm.rejections.is_empty());
        assert_eq!(fm.values.r#type, SpecType::Research);
        assert_eq!(fm.values.model.as_deref(), Some("4"));
        assert_eq!(fm.values.depends_on, Some(vec!["001".to_string()]));
        assert_eq!(
            fm.values.labels,
            Some(vec!["a".to_string(), "1".to_string()])
        );
    }

    #[test]
    fn reports_every_bad_value_and_keeps_the_good_ones() {
        let yaml = "status: open\nlabels: foo\ntype: conflict\nreplay_count: \"3\"\nprompt: standard\napproval:\n  status: aproved\n";
        let fm = read(yaml);
        let found: Vec<_> = fm
            .rejections
            .iter()
            .map(|r| (&yaml[r.range.clone()], r.kind.clone()))
            .collect();
        assert_eq!(found.len(), 5, "{found:#?}");
        assert_eq!(
            found[0],
            (
                "open",
                RejectionKind::UnknownValue {
                    field: "status".into(),
                    value: "open".into()
                }
            )
        );
        assert!(
            matches!(&found[1], ("foo", RejectionKind::WrongType { field, .. }) if field == "labels")
        );
        assert_eq!(found[2].0, "conflict");
        assert_eq!(found[3].0, "\"3\"");
        assert_eq!(
            found[4],
            (
                "aproved",
                RejectionKind::UnknownValue {
                    field: "approval.status".into(),
                    value: "aproved".into()
                }
            )
        );
        assert_eq!(fm.values.prompt.as_deref(), Some("standard"));
    }

    #[test]
    fn depends_on_takes_strings_only() {
        for bad in [
            "depends_on: [1, 2]\n",
            "depends_on: true\n",
            "depends_on: 7.5\n",
            "depends_on:\n- \n",
            "depends_on:\n- ~\n",
            "depends_on: [a, ~]\n",
        ] {
            let fm = read(bad);
            assert!(!fm.rejections.is_empty(), "{bad:?} is accepted");
        }
        for good in [
            "depends_on: a\n",
            "depends_on: [a, 'b']\n",
            "depends_on: ~\n",
            "depends_on: []\n",
        ] {
            assert!(read(good).rejections.is_empty(), "{good:?} is rejected");
        }
        // Each bad item is located.
        let yaml = "depends_on: [a, 1, b, true]\n";
        let fm = read(yaml);
        let found: Vec<&str> = fm
            .rejections
            .iter()
            .map(|r| &yaml[r.range.clone()])
            .collect();
        assert_eq!(found, ["1", "true"]);
    }

    #[test]
    fn many_bad_values_are_located_in_linear_time() {
        // 4,000 duplicated keys and 20,000 bad list items: each found once.
        let mut yaml = String::new();
        for _ in 0..4000 {
            yaml.push_str("status: pending\n");
        }
        yaml.push_str("depends_on: [");
        yaml.push_str(&vec!["1"; 20000].join(", "));
        yaml.push_str("]\n");
        let fm = read(&yaml);
        assert_eq!(fm.rejections.len(), 3999 + 20000);
    }

    #[test]
    fn duplicate_keys_point_at_the_second() {
        let yaml = "status: pending\ntype: code\nstatus: completed\n";
        let fm = read(yaml);
        assert_eq!(fm.rejections.len(), 1);
        assert_eq!(
            fm.rejections[0].kind,
            RejectionKind::DuplicateKey {
                key: "status".into()
            }
        );
        assert_eq!(fm.rejections[0].range, 27..33);
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let yaml = "type: code\nlabels: [a, b\nstatus: pending\n";
        let fm = read(yaml);
        assert_eq!(fm.rejections[0].kind, RejectionKind::Syntax);
        assert!(fm.rejections[0].range.start >= 11, "{:?}", fm.rejections);
    }

    #[test]
    fn not_a_mapping() {
        let fm = read("- a\n- b\n");
        assert_eq!(fm.rejections[0].kind, RejectionKind::NotAMapping);
    }

    #[test]
    fn blanking_keeps_offsets() {
        let mut s = "a: é😀\nb: [\n  x]\nc: 1\n".to_string();
        let len = s.len();
        let cut = s.find("c:").unwrap();
        blank(&mut s, 0..cut);
        assert_eq!(s.len(), len);
        assert!(s.ends_with("\n\nc: 1\n") || s.ends_with("\nc: 1\n"));
        assert_eq!(s.matches('\n').count(), 4);
    }

    #[test]
    fn a_huge_bad_entry_is_located() {
        let yaml = format!(
            "labels: {}{}\nstatus: nope\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let fm = read(&yaml);
        assert!(!fm.rejections.is_empty());
    }

    #[test]
    fn libyaml_marks() {
        assert_eq!(mark_to_offset("ab\r\nc😀d", 2, 3), 9);
        assert_eq!(mark_to_offset("a\rb", 2, 1), 2);
        assert_eq!(mark_to_offset("a", 5, 1), 1);
    }
}
