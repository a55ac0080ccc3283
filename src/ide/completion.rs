//! Completion in specs and prompts: field names, values, prompt names, spec
//! IDs, project paths (folder by folder, `.gitignore` respected), labels,
//! spec IDs in the body and template variables in prompts.

use std::collections::HashMap;

use super::cursor::{cursor_at, Cursor, ValueToken};
use crate::spec::fields::{self, FieldInfo, FieldKind, Refers};
use crate::spec::SpecModel;
use crate::text::TextRange;
use crate::workspace::{ChantFile, ProjectIndex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Field,
    Value,
    File,
    Folder,
    Spec,
    Prompt,
    Label,
    Variable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    /// The range the item replaces: the whole token being completed.
    pub edit: TextRange,
    pub new_text: String,
    pub filter_text: Option<String>,
    pub sort_text: Option<String>,
    /// Accepting it should open completion again (a folder, a field whose
    /// values can be completed).
    pub retrigger: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completions {
    pub items: Vec<Item>,
    /// More items exist than were sent: ask again as the user types.
    pub incomplete: bool,
}

/// What completion needs to know about where the document sits.
pub struct Env<'a> {
    pub index: &'a ProjectIndex,
    pub file: &'a ChantFile,
}

/// Most items sent for one request; clients filter the rest as the user types.
pub const MAX_ITEMS: usize = 200;

/// The prompts chant 0.23.2 ships: the ones its release build's `chant
/// init` writes (`src/prompts.rs`; `bootstrap`, `documentation` and the
/// other `prompts-dev` ones exist only in debug builds of chant), which a
/// project may not have files for. `tests/agreement.rs` compares this list
/// with what the real chant writes.
pub const BUILT_IN_PROMPTS: &[&str] = &["standard", "split", "verify", "merge-conflict", "ollama"];

const TEMPLATE_VARIABLES: &[(&str, &str)] = &[
    (
        "project.name",
        "The project name from config `project.name`.",
    ),
    ("spec.id", "The spec's ID."),
    ("spec.title", "The spec's title."),
    ("spec.description", "The spec's body."),
    ("spec.path", "The path of the spec file."),
    ("spec", "The whole spec."),
    ("spec.target_files", "The spec's `target_files`."),
    ("spec.context", "The spec's `context` files."),
    ("worktree.path", "The path of the agent's worktree."),
    ("worktree.branch", "The agent's branch (`chant/<id>`)."),
    (
        "worktree.isolated",
        "Whether the agent runs in an isolated worktree.",
    ),
];

pub fn complete(text: &str, model: &SpecModel, offset: usize, env: &Env) -> Completions {
    match env.file {
        ChantFile::Prompt { .. } => return template_variables(text, offset),
        ChantFile::Spec { .. } => {}
        _ => return Completions::default(),
    }
    let own_id = match env.file {
        ChantFile::Spec { id, .. } => Some(id.as_str()),
        _ => None,
    };
    match cursor_at(text, model, offset) {
        Cursor::Key { token, parent } => field_names(text, model, token, parent.as_deref()),
        Cursor::Value(value) => values(text, offset, &value, env, own_id),
        Cursor::Body { token } => body_ids(text, token, env, own_id),
        Cursor::Nothing => Completions::default(),
    }
}

fn field_names(
    text: &str,
    model: &SpecModel,
    token: TextRange,
    parent: Option<&str>,
) -> Completions {
    // On the key of a `key: value` line the colon is there already: only
    // the name is replaced, and the key itself may be chosen again.
    let has_colon = text[token.end..].starts_with(':');
    let current = &text[token.clone()];
    let outline = &model.frontmatter.outline();
    let (catalog, present): (&[FieldInfo], Vec<&str>) = match parent {
        None => (
            fields::FIELDS,
            outline.entries.iter().map(|e| e.key.as_str()).collect(),
        ),
        Some(parent) => {
            let Some(FieldKind::Map(nested)) = fields::field_info(parent).map(|f| f.kind) else {
                return Completions::default();
            };
            let present = outline
                .entry(parent)
                .and_then(|e| e.value.as_ref())
                .map(|v| v.entries().iter().map(|e| e.key.as_str()).collect())
                .unwrap_or_default();
            (nested, present)
        }
    };
    let items = catalog
        .iter()
        .enumerate()
        .filter(|(_, f)| !present.contains(&f.name) || (has_colon && f.name == current))
        .map(|(i, f)| Item {
            label: f.name.to_string(),
            kind: ItemKind::Field,
            detail: Some(kind_detail(f)),
            documentation: Some(f.doc.to_string()),
            edit: token.clone(),
            new_text: if has_colon {
                f.name.to_string()
            } else {
                format!("{}: ", f.name)
            },
            filter_text: None,
            // Fields users write come first; those chant writes itself after.
            sort_text: Some(format!("{}{i:02}", u8::from(f.written_by_chant))),
            retrigger: !has_colon
                && (!matches!(
                    f.kind,
                    FieldKind::Str | FieldKind::UnsignedInt | FieldKind::Map(_)
                ) || f.refers == Refers::Prompt),
        })
        .collect();
    Completions {
        items,
        incomplete: false,
    }
}

fn kind_detail(f: &FieldInfo) -> String {
    let shape = match f.kind {
        FieldKind::Enum(values) => values
            .iter()
            .map(|v| v.name)
            .collect::<Vec<_>>()
            .join(" | "),
        FieldKind::StringOrList => "spec ID or list of spec IDs".into(),
        FieldKind::List => match f.refers {
            Refers::Paths | Refers::PathGlobs => "list of paths".into(),
            Refers::SpecIds => "list of spec IDs".into(),
            _ => "list of strings".into(),
        },
        FieldKind::Str => match f.refers {
            Refers::Prompt => "prompt name".into(),
            Refers::Paths => "path".into(),
            _ => "string".into(),
        },
        FieldKind::UnsignedInt => "whole number".into(),
        FieldKind::Bool => "true | false".into(),
        FieldKind::Map(_) => "map".into(),
    };
    if f.written_by_chant {
        format!("{shape} (written by chant)")
    } else {
        shape
    }
}

fn values(
    text: &str,
    offset: usize,
    value: &ValueToken,
    env: &Env,
    own_id: Option<&str>,
) -> Completions {
    let field = value.field.as_str();
    let (top, nested) = match field.split_once('.') {
        Some((top, nested)) => (top, Some(nested)),
        None => (field, None),
    };
    let info = match nested {
        Some(nested) => match fields::field_info(top).map(|f| f.kind) {
            Some(FieldKind::Map(list)) => list.iter().find(|f| f.name == nested),
            _ => None,
        },
        None => fields::field_info(top),
    };
    let Some(info) = info else {
        return Completions::default();
    };
    let typed = &text[value.content.start
        ..offset.clamp(
            value.content.start,
            value.content.end.max(value.content.start),
        )];
    match (info.kind, info.refers) {
        (FieldKind::Enum(list), _) => simple(
            value,
            list.iter()
                .map(|v| (v.name.to_string(), None, Some(v.doc.to_string()))),
        ),
        (FieldKind::Bool, _) => simple(
            value,
            ["true", "false"]
                .iter()
                .map(|v| (v.to_string(), None, None)),
        ),
        (_, Refers::Prompt) => prompts(value, env),
        (_, Refers::SpecIds) => spec_ids(value.content.clone(), typed, env, own_id),
        (_, Refers::Paths | Refers::PathGlobs) => paths(value, typed, env, top),
        _ if top == "labels" => labels(value, env),
        _ if top == "model" => simple(
            value,
            [
                ("opus", "The most capable model."),
                ("sonnet", "A balanced model."),
                (
                    "haiku",
                    "The fastest, cheapest model; good for simple specs.",
                ),
            ]
            .iter()
            .map(|(n, d)| (n.to_string(), None, Some(d.to_string()))),
        ),
        _ => Completions::default(),
    }
}

/// Items that replace the token's content (inside quotes when quoted).
fn simple(
    value: &ValueToken,
    items: impl Iterator<Item = (String, Option<String>, Option<String>)>,
) -> Completions {
    let items = items
        .enumerate()
        .map(|(i, (name, detail, doc))| Item {
            label: name.clone(),
            kind: ItemKind::Value,
            detail: detail.or_else(|| Some(format!("`{}` value", value.field))),
            documentation: doc
                .filter(|d| !d.is_empty())
                .or_else(|| Some(format!("`{}: {name}`", value.field))),
            edit: value.content.clone(),
            new_text: name,
            filter_text: None,
            sort_text: Some(format!("{i:03}")),
            retrigger: false,
        })
        .collect();
    Completions {
        items,
        incomplete: false,
    }
}

fn prompts(value: &ValueToken, env: &Env) -> Completions {
    let mut entries: Vec<(String, Option<String>, Option<String>)> = env
        .index
        .prompts()
        .filter(|p| !p.extension)
        .map(|p| {
            (
                p.name.clone(),
                p.purpose.clone(),
                Some(format!("`.chant/prompts/{}.md`", p.name)),
            )
        })
        .collect();
    for name in BUILT_IN_PROMPTS {
        if env.index.prompt(name).is_none() {
            entries.push((
                name.to_string(),
                Some("built-in name, no file here".into()),
                Some(format!(
                    "chant ships a `{name}` prompt, but this project has no `.chant/prompts/{name}.md`: `chant work` fails with \"Prompt not found: {name}\" until the file exists."
                )),
            ));
        }
    }
    let mut completions = simple(value, entries.into_iter());
    for item in &mut completions.items {
        item.kind = ItemKind::Prompt;
    }
    completions
}

fn spec_ids(edit: TextRange, typed: &str, env: &Env, own_id: Option<&str>) -> Completions {
    // Every typed word must appear in the ID or the title; the client then
    // ranks what is sent. Past MAX_ITEMS the newest IDs go first.
    let words: Vec<String> = typed.split_whitespace().map(str::to_lowercase).collect();
    let mut candidates: Vec<&crate::workspace::SpecEntry> = env
        .index
        .specs()
        .filter(|e| Some(e.id.as_str()) != own_id)
        .filter(|e| {
            words
                .iter()
                .all(|w| e.id.contains(w.as_str()) || e.summary.title_lower.contains(w.as_str()))
        })
        .collect();
    let incomplete = candidates.len() > MAX_ITEMS;
    if incomplete {
        candidates.select_nth_unstable_by(MAX_ITEMS, |a, b| b.id.cmp(&a.id));
        candidates.truncate(MAX_ITEMS);
    }
    candidates.sort_by(|a, b| b.id.cmp(&a.id));
    let items = candidates
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            let title = entry.summary.title.as_deref().unwrap_or("");
            Item {
                label: entry.id.clone(),
                kind: ItemKind::Spec,
                detail: Some(format!(
                    "{} · {}",
                    entry.summary.status.as_str(),
                    if title.is_empty() {
                        "(no title)"
                    } else {
                        title
                    }
                )),
                documentation: Some(super::preview::spec_summary_markdown(
                    &entry.id,
                    &entry.summary,
                )),
                edit: edit.clone(),
                new_text: entry.id.clone(),
                filter_text: Some(format!("{} {title}", entry.id)),
                sort_text: Some(format!("{i:05}")),
                retrigger: false,
            }
        })
        .collect();
    Completions { items, incomplete }
}

/// Folder-by-folder path completion relative to the chant root.
fn paths(value: &ValueToken, typed: &str, env: &Env, field: &str) -> Completions {
    let files = env.index.files();
    let dir = match typed.rfind('/') {
        Some(slash) => &typed[..=slash],
        None => "",
    };
    // `./docs/` is the folder `docs/`; the `./` stays in what is inserted.
    let folder = dir.trim_start_matches("./");
    let children = files
        .children(folder)
        .iter()
        .map(|(name, is_dir)| (name.as_str(), *is_dir));
    let hidden_internal = |name: &str| {
        folder == ".chant/" && matches!(name, "logs" | "tmp" | "pids" | ".locks" | "watch.pid")
            || folder.starts_with(".chant/specs/") && name.starts_with(".chant-status-")
    };
    let quote_needed = value.quote.is_none();
    let mut items: Vec<Item> = children
        .into_iter()
        .filter(|(name, _)| !hidden_internal(name))
        .map(|(name, is_dir)| {
            let full = format!("{dir}{name}{}", if is_dir { "/" } else { "" });
            let rank = path_rank(field, &full[dir.len() - folder.len()..], is_dir);
            let new_text = if quote_needed && needs_quotes(&full, value.flow) {
                format!("\"{}\"", full.replace('\\', "\\\\").replace('"', "\\\""))
            } else if value.quote == Some('"') {
                full.replace('\\', "\\\\").replace('"', "\\\"")
            } else if value.quote == Some('\'') {
                full.replace('\'', "''")
            } else {
                full.clone()
            };
            Item {
                label: format!("{name}{}", if is_dir { "/" } else { "" }),
                kind: if is_dir {
                    ItemKind::Folder
                } else {
                    ItemKind::File
                },
                detail: Some(full.clone()),
                documentation: Some(if is_dir {
                    format!("Folder `{full}` (relative to the project root)")
                } else {
                    format!("File `{full}` (relative to the project root)")
                }),
                edit: if quote_needed {
                    value.token.clone()
                } else {
                    value.content.clone()
                },
                new_text,
                filter_text: Some(full.clone()),
                sort_text: Some(format!("{rank}{full}")),
                retrigger: is_dir,
            }
        })
        .collect();
    items.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    let incomplete = items.len() > MAX_ITEMS * 5;
    items.truncate(MAX_ITEMS * 5);
    Completions { items, incomplete }
}

/// Specs and research first for `informed_by`; Markdown before other files.
fn path_rank(field: &str, path: &str, is_dir: bool) -> u8 {
    let lower = path.to_lowercase();
    let research_like = lower.starts_with(".chant/specs/") || lower.contains("research");
    match (field, is_dir) {
        ("informed_by", false) if research_like => 0,
        ("informed_by", true) if research_like || lower == ".chant/" => 1,
        (_, false) if lower.ends_with(".md") => 2,
        (_, true) => 3,
        _ => 4,
    }
}

/// Whether a plain YAML scalar would misread this path.
pub(crate) fn needs_quotes(path: &str, flow: bool) -> bool {
    path.starts_with([
        '*', '&', '!', '|', '>', '\'', '"', '%', '@', '`', '#', '[', ']', '{', '}', ',', '?', '-',
        ':',
    ]) || path.contains(": ")
        || path.contains(" #")
        || path.ends_with(':')
        || path.ends_with(' ')
        || (flow && path.contains([',', '[', ']', '{', '}']))
}

fn labels(value: &ValueToken, env: &Env) -> Completions {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for entry in env.index.specs() {
        for label in &entry.summary.labels {
            *counts.entry(label.as_str()).or_default() += 1;
        }
    }
    let mut sorted: Vec<(&str, usize)> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut completions = simple(
        value,
        sorted.into_iter().map(|(label, n)| {
            (
                label.to_string(),
                Some(format!("used by {n} spec{}", if n == 1 { "" } else { "s" })),
                None,
            )
        }),
    );
    for item in &mut completions.items {
        item.kind = ItemKind::Label;
    }
    completions
}

/// Spec IDs in the body: after "depends on" (and similar words) or once the
/// user has typed the start of a date.
fn body_ids(text: &str, token: TextRange, env: &Env, own_id: Option<&str>) -> Completions {
    let typed = &text[token.clone()];
    let line_start = text[..token.start].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..token.start].to_lowercase();
    let before = before.trim_end().trim_end_matches([':', '`']).trim_end();
    let after_words = [
        "depends on",
        "depend on",
        "after",
        "blocked by",
        "requires",
        "see",
        "follows",
        "spec",
    ]
    .iter()
    .any(|w| before.ends_with(w));
    let date_prefix = typed.len() >= 2 && typed.chars().take(4).all(|c| c.is_ascii_digit());
    if !(after_words || date_prefix) {
        return Completions::default();
    }
    spec_ids(token, typed, env, own_id)
}

fn template_variables(text: &str, offset: usize) -> Completions {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let Some(open) = text[line_start..offset].rfind("{{").map(|i| line_start + i) else {
        return Completions::default();
    };
    if text[open..offset].contains("}}") {
        return Completions::default();
    }
    let rest = &text[offset..];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let close = rest[..line_end]
        .find("}}")
        .filter(|&i| !rest[..i].contains("{{"))
        .map(|i| offset + i + 2);
    let edit = open..close.unwrap_or(offset);
    let items = TEMPLATE_VARIABLES
        .iter()
        .enumerate()
        .map(|(i, (name, doc))| Item {
            label: format!("{{{{{name}}}}}"),
            kind: ItemKind::Variable,
            detail: Some("chant template variable".into()),
            documentation: Some(doc.to_string()),
            edit: edit.clone(),
            new_text: format!("{{{{{name}}}}}"),
            filter_text: Some(format!("{{{{{name}")),
            sort_text: Some(format!("{i:02}")),
            retrigger: false,
        })
        .collect();
    Completions {
        items,
        incomplete: false,
    }
}
