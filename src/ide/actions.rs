//! The quick fixes for a spec's diagnostics and the rewrites at a cursor
//! (the chant commands it offers are `ide::commands`'). Protocol-free: byte
//! ranges and plain data out; `server::handlers::actions` translates.

use std::path::PathBuf;

use super::commands::{work_prompts, SpecView};
use super::prompt_templates::{self, yaml_name};
use crate::analysis::{Code, Diagnostic, Fix, FixKind, SpecLookup, WorkspaceFacts};
use crate::spec::edit;
use crate::spec::id::is_safe_id;
use crate::syntax::yaml::{ScalarStyle, YamlKind, YamlNode};
use crate::text::diff::Edit;
use crate::text::TextRange;
use crate::workspace::files::join_inside;

/// Keys whose items are paths of files the agent reads.
const PATH_KEYS: [&str; 3] = ["informed_by", "context", "origin"];

/// What a quick fix or rewrite does to the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixEffect {
    /// Byte edits of the spec's text.
    EditSpec(Vec<Edit>),
    /// Create this file (it does not exist) with this text (maybe empty).
    CreateFile { path: PathBuf, content: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixCategory {
    QuickFix,
    Rewrite,
}

/// One quick fix or rewrite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeFix {
    pub title: String,
    pub category: FixCategory,
    /// Indexes of the diagnostics it resolves.
    pub diagnostics: Vec<usize>,
    pub effect: FixEffect,
    pub preferred: bool,
}

/// The quick fixes for the diagnostics a request is about: those whose
/// range touches `range`, and those the client named (`asked`, indexes
/// into `diagnostics`), wherever they are.
pub fn quick_fixes(
    view: &SpecView,
    diagnostics: &[Diagnostic],
    range: TextRange,
    asked: &[usize],
    can_create_files: bool,
) -> Vec<CodeFix> {
    let touches = |r: &TextRange| r.start <= range.end && range.start <= r.end;
    let wanted: Vec<usize> = (0..diagnostics.len())
        .filter(|i| touches(&diagnostics[*i].range) || asked.contains(i))
        .collect();
    let mut fixes = Vec::new();
    for &i in &wanted {
        let Some(fix) = &diagnostics[i].fix else {
            continue;
        };
        let mut edits = fix.edits.clone();
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        fixes.push(CodeFix {
            title: fix.kind.title(),
            category: FixCategory::QuickFix,
            diagnostics: vec![i],
            effect: FixEffect::EditSpec(edits),
            preferred: true,
        });
    }
    fixes.extend(move_mentions(view, diagnostics, &wanted));
    if can_create_files {
        fixes.extend(create_missing_files(view, diagnostics, &wanted));
    }
    fixes.extend(prompt_fixes(view, diagnostics, &wanted, can_create_files));
    fixes
}

/// For a prompt chant would not find (`chant/unknown-prompt`): "Create
/// prompt `NAME` (.chant/prompts/NAME.md)" from the template for its kind
/// of work, when NAME can be a file name and no such file exists; then
/// "Use prompt `X`" for each prompt meant for work, nearest names first
/// (the one the diagnostic's own did-you-mean fix offers is not repeated).
fn prompt_fixes(
    view: &SpecView,
    diagnostics: &[Diagnostic],
    wanted: &[usize],
    can_create_files: bool,
) -> Vec<CodeFix> {
    let Some(i) = wanted
        .iter()
        .copied()
        .find(|i| diagnostics[*i].code == Code::UnknownPrompt)
    else {
        return Vec::new();
    };
    let Some(name) = view.model.values().prompt.as_deref() else {
        return Vec::new();
    };
    let mut fixes = Vec::new();
    if can_create_files {
        fixes.extend(create_prompt(view, name, i));
    }
    let Some(value) = prompt_value(view) else {
        return fixes;
    };
    let offered = match &diagnostics[i].fix {
        Some(Fix {
            kind: FixKind::ReplaceValue { with },
            ..
        }) => Some(with.as_str()),
        _ => None,
    };
    let lower = name.to_lowercase();
    let mut others: Vec<(usize, String)> = work_prompts(view.index)
        .into_iter()
        .filter(|p| p != name && Some(p.as_str()) != offered)
        .map(|p| (strsim::damerau_levenshtein(&lower, &p.to_lowercase()), p))
        .collect();
    others.sort();
    for (_, other) in others {
        let with = match value.as_scalar().map(|s| s.style) {
            Some(ScalarStyle::Plain) => yaml_name(&other),
            // A prompt meant for work has a safe name: nothing to escape.
            _ => other.clone(),
        };
        fixes.push(CodeFix {
            title: format!("Use prompt `{other}`"),
            category: FixCategory::QuickFix,
            diagnostics: vec![i],
            effect: FixEffect::EditSpec(vec![(value.content_range(), with)]),
            preferred: false,
        });
    }
    fixes
}

/// The `prompt:` value, when it is a scalar (plain or quoted) a fix can
/// replace: not a block scalar or anything else.
fn prompt_value<'a>(view: &'a SpecView) -> Option<&'a YamlNode> {
    let value = view
        .model
        .frontmatter
        .outline()
        .entry("prompt")?
        .value
        .as_ref()?;
    value.as_scalar().map(|_| value)
}

/// "Create prompt `NAME` (.chant/prompts/NAME.md)", saying which template
/// it is written from when that is not NAME's own.
fn create_prompt(view: &SpecView, name: &str, diagnostic: usize) -> Option<CodeFix> {
    if !is_safe_id(name) {
        return None;
    }
    let files = view.index.project_files();
    let rel = format!(".chant/prompts/{name}.md");
    if files.escapes(&rel) {
        return None;
    }
    let path = join_inside(&view.index.root, &rel)?;
    if files.fs().exists(&path) {
        return None;
    }
    let file = prompt_templates::prompt_file(name, edit::line_break(view.text));
    let template = file.kind.name();
    let title = if template == name {
        format!("Create prompt `{name}` ({rel})")
    } else {
        format!("Create prompt `{name}` ({rel}) from the {template} template")
    };
    Some(CodeFix {
        title,
        category: FixCategory::QuickFix,
        diagnostics: vec![diagnostic],
        effect: FixEffect::CreateFile {
            path,
            content: file.text,
        },
        preferred: false,
    })
}

/// "Move `ID` into `depends_on`" for each mention asked about (all its
/// mentions leave the body), and "Move all N mentioned spec IDs" when
/// there are several. Only IDs of specs chant finds.
fn move_mentions(view: &SpecView, diagnostics: &[Diagnostic], wanted: &[usize]) -> Vec<CodeFix> {
    let text = view.text;
    let flagged: Vec<usize> = (0..diagnostics.len())
        .filter(|i| diagnostics[*i].code == Code::MentionsSpec)
        .filter(|i| {
            matches!(
                view.index.lookup_spec(&text[diagnostics[*i].range.clone()]),
                SpecLookup::Found { .. }
            )
        })
        .collect();
    let id_of = |i: usize| &text[diagnostics[i].range.clone()];
    let present = view.model.values().depends_on.clone().unwrap_or_default();
    let mut fixes = Vec::new();
    let mut offered: Vec<&str> = Vec::new();
    for &i in flagged.iter().filter(|i| wanted.contains(i)) {
        let id = id_of(i);
        if offered.contains(&id) {
            continue;
        }
        offered.push(id);
        let mut edits = edit::add_dependencies(text, view.model, &[id]);
        if edits.is_empty() && !present.iter().any(|x| x == id) {
            continue;
        }
        let same: Vec<usize> = flagged
            .iter()
            .copied()
            .filter(|j| id_of(*j) == id)
            .collect();
        let ranges: Vec<TextRange> = same.iter().map(|j| diagnostics[*j].range.clone()).collect();
        edits.extend(edit::remove_mentions(text, &ranges));
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        fixes.push(CodeFix {
            title: format!("Move `{id}` into `depends_on`"),
            category: FixCategory::QuickFix,
            diagnostics: same,
            effect: FixEffect::EditSpec(edits),
            preferred: false,
        });
    }
    let mut all_ids: Vec<&str> = flagged.iter().map(|i| id_of(*i)).collect();
    all_ids.sort();
    all_ids.dedup();
    if all_ids.len() > 1 && !offered.is_empty() {
        let mut edits = edit::add_dependencies(text, view.model, &all_ids);
        let ranges: Vec<TextRange> = flagged
            .iter()
            .map(|i| diagnostics[*i].range.clone())
            .collect();
        edits.extend(edit::remove_mentions(text, &ranges));
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        fixes.push(CodeFix {
            title: format!(
                "Move all {} mentioned spec IDs into `depends_on`",
                all_ids.len()
            ),
            category: FixCategory::QuickFix,
            diagnostics: flagged,
            effect: FixEffect::EditSpec(edits),
            preferred: false,
        });
    }
    fixes
}

/// "Create `path`" for a missing file in `informed_by`, `context` or
/// `origin` whose diagnostic is asked about.
fn create_missing_files(
    view: &SpecView,
    diagnostics: &[Diagnostic],
    wanted: &[usize],
) -> Vec<CodeFix> {
    let files = view.index.project_files();
    let mut fixes = Vec::new();
    for key in PATH_KEYS {
        let Some(value) = view
            .model
            .frontmatter
            .outline()
            .entry(key)
            .and_then(|e| e.value.as_ref())
        else {
            continue;
        };
        let items: Vec<_> = match &value.kind {
            YamlKind::Sequence { items, .. } => items.iter().collect(),
            YamlKind::Scalar(_) => vec![value],
            _ => Vec::new(),
        };
        for item in items {
            let Some(scalar) = item.as_scalar() else {
                continue;
            };
            let rel = scalar.text.trim();
            let range = item.content_range();
            let Some(i) = wanted.iter().copied().find(|i| {
                diagnostics[*i].code == Code::MissingFile && diagnostics[*i].range == range
            }) else {
                continue;
            };
            if rel.is_empty() || rel.ends_with('/') || files.escapes(rel) {
                continue;
            }
            let Some(target) = join_inside(&view.index.root, rel) else {
                continue;
            };
            if files.fs().exists(&target) {
                continue;
            }
            fixes.push(CodeFix {
                title: format!("Create `{rel}`"),
                category: FixCategory::QuickFix,
                diagnostics: vec![i],
                effect: FixEffect::CreateFile {
                    path: target,
                    content: String::new(),
                },
                preferred: false,
            });
        }
    }
    fixes
}

/// Rewrites at a cursor: tick or untick the criterion on its line (unless
/// a quick fix already ticks it), and on the `## Acceptance Criteria`
/// heading, tick or untick them all.
pub fn rewrites(
    view: &SpecView,
    range: TextRange,
    diagnostics: &[Diagnostic],
    fixes: &[CodeFix],
) -> Vec<CodeFix> {
    let rewrite = |title: &str, edits: Vec<Edit>| CodeFix {
        title: title.to_string(),
        category: FixCategory::Rewrite,
        diagnostics: Vec::new(),
        effect: FixEffect::EditSpec(edits),
        preferred: false,
    };
    let mut out = Vec::new();
    if let Some(item) = edit::criterion_at(view.model, range.start) {
        let tick_offered = fixes.iter().any(|f| {
            f.diagnostics.iter().any(|i| {
                diagnostics[*i].code == Code::UncheckedCriterion
                    && diagnostics[*i].range.start == item.marker.start
            })
        });
        if let Some(e) = edit::set_criterion(view.text, item, true).filter(|_| !tick_offered) {
            out.push(rewrite("Tick this criterion", vec![e]));
        }
        if let Some(e) = edit::set_criterion(view.text, item, false) {
            out.push(rewrite("Untick this criterion", vec![e]));
        }
    }
    if let Some(section) = &view.model.body.criteria {
        let on_heading = section.heading.start <= range.start && range.start <= section.heading.end;
        if on_heading {
            let all = |verb: &str, state: &str, n: usize| match n {
                1 => format!("{verb} the 1 {state} criterion"),
                n => format!("{verb} all {n} {state} criteria"),
            };
            let tick = edit::set_all_criteria(view.text, view.model, true);
            if !tick.is_empty() {
                out.push(rewrite(&all("Tick", "open", tick.len()), tick));
            }
            let untick = edit::set_all_criteria(view.text, view.model, false);
            if !untick.is_empty() {
                out.push(rewrite(&all("Untick", "ticked", untick.len()), untick));
            }
        }
    }
    out
}
