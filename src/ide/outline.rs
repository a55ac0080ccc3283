//! The shape of a spec for the editor's overview: document symbols, the
//! code lens on the title, inlay hints after referenced spec IDs, folding,
//! and workspace symbols across all specs.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::navigation::references_in;
use crate::analysis::readiness::Readiness;
use crate::spec::fields::Refers;
use crate::spec::SpecModel;
use crate::syntax::markdown::MarkdownOutline;
use crate::syntax::yaml::YamlKind;
use crate::text::TextRange;
use crate::workspace::{ProjectIndex, SpecEntry};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Frontmatter,
    Field,
    Title,
    Section,
    Criterion,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub range: TextRange,
    pub selection: TextRange,
    pub children: Vec<Symbol>,
}

/// Hierarchical symbols: the frontmatter and its fields, then the Markdown
/// headings nested by level, with the counted criteria (and their state)
/// under the acceptance criteria section.
pub fn document_symbols(model: &SpecModel, markdown: &MarkdownOutline) -> Vec<Symbol> {
    let mut out = Vec::new();
    if let Some(block) = &model.layout.frontmatter {
        let fields = model
            .frontmatter
            .outline()
            .entries
            .iter()
            .map(|e| Symbol {
                name: e.key.clone(),
                detail: e.value.as_ref().map(|v| match &v.kind {
                    YamlKind::Scalar(s) => s.text.clone(),
                    YamlKind::Sequence { items, .. } => format!(
                        "{} item{}",
                        items.len(),
                        if items.len() == 1 { "" } else { "s" }
                    ),
                    YamlKind::Mapping { entries, .. } => entries
                        .iter()
                        .map(|e| e.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    YamlKind::Other => String::new(),
                }),
                kind: SymbolKind::Field,
                range: e.range.clone(),
                selection: e.key_range.clone(),
                children: Vec::new(),
            })
            .collect();
        out.push(Symbol {
            name: "frontmatter".into(),
            detail: Some(format!(
                "{} · {}",
                model.values().r#type.as_str(),
                model.values().status.as_str()
            )),
            kind: SymbolKind::Frontmatter,
            range: block.opening.start..block.closing.end,
            selection: block.opening.clone(),
            children: fields,
        });
    }
    let counted = model.body.criteria.as_ref();
    let mut stack: Vec<(u8, Symbol)> = Vec::new();
    for heading in &markdown.headings {
        if heading.range.start < model.layout.body.start {
            continue;
        }
        let is_title = model
            .body
            .title
            .as_ref()
            .is_some_and(|t| t.range.start == heading.range.start);
        let mut symbol = Symbol {
            name: heading.text.clone(),
            detail: None,
            kind: if is_title {
                SymbolKind::Title
            } else {
                SymbolKind::Section
            },
            range: heading.section.clone(),
            selection: heading.range.clone(),
            children: Vec::new(),
        };
        if let Some(section) = counted.filter(|c| c.heading.start == heading.range.start) {
            let unchecked = section.items.iter().filter(|i| !i.checked).count();
            symbol.detail = Some(format!(
                "{}/{} done",
                section.items.len() - unchecked,
                section.items.len()
            ));
            symbol.children = section
                .items
                .iter()
                .map(|item| Symbol {
                    name: format!(
                        "{} {}",
                        if item.checked { "[x]" } else { "[ ]" },
                        if item.text.is_empty() {
                            "(empty)"
                        } else {
                            &item.text
                        }
                    ),
                    detail: Some(if item.checked {
                        "done".into()
                    } else {
                        "not done".into()
                    }),
                    kind: SymbolKind::Criterion,
                    range: item.line.clone(),
                    selection: item.marker.clone(),
                    children: Vec::new(),
                })
                .collect();
        }
        while stack
            .last()
            .is_some_and(|(level, _)| *level >= heading.level)
        {
            let (_, done) = stack.pop().expect("non-empty");
            attach(&mut stack, &mut out, done);
        }
        stack.push((heading.level, symbol));
    }
    while let Some((_, done)) = stack.pop() {
        attach(&mut stack, &mut out, done);
    }
    out
}

fn attach(stack: &mut [(u8, Symbol)], out: &mut Vec<Symbol>, symbol: Symbol) {
    match stack.last_mut() {
        Some((_, parent)) => parent.children.push(symbol),
        None => out.push(symbol),
    }
}

/// `in_progress · 3/5` on the title line.
pub fn title_lens(model: &SpecModel) -> Option<(TextRange, String)> {
    let title = model.body.title.as_ref()?;
    let total = model.body.total_checkboxes();
    let done = total - model.body.unchecked_count();
    Some((
        title.range.clone(),
        format!("{} · {done}/{total}", model.values().status.as_str()),
    ))
}

/// After each `depends_on` / `members` ID: the title and status of that spec.
pub fn inlay_hints(
    index: &ProjectIndex,
    model: &SpecModel,
    within: TextRange,
) -> Vec<(usize, String)> {
    references_in(model)
        .into_iter()
        .filter(|r| r.refers == Refers::SpecIds && r.field.is_some())
        .filter(|r| r.range.end >= within.start && r.range.start <= within.end)
        .filter_map(|r| {
            let entry = index.spec(&r.value)?;
            let title = entry.summary.title.as_deref().unwrap_or("(no title)");
            Some((
                r.range.end,
                format!("{title} · {}", entry.summary.status.as_str()),
            ))
        })
        .collect()
}

/// After `status: <value>`: where the spec stands for chant, briefly
/// ("ready", "blocked: waiting for X (in_progress)", "needs approval",
/// "chant is running"). Nothing for completed, cancelled or unreadable
/// specs (the value or the diagnostics say it).
pub fn status_hint(
    index: &ProjectIndex,
    text: &str,
    model: &SpecModel,
    id: &str,
    running: bool,
) -> Option<(usize, String)> {
    let entry = model.frontmatter.outline().entry("status")?;
    let at = entry
        .value
        .as_ref()
        .map_or(entry.range.end, |v| v.range.end);
    let label = match crate::analysis::readiness::assess(text, model, id, index) {
        _ if running => "chant is running".to_string(),
        Readiness::Completed | Readiness::Cancelled | Readiness::Unreadable => return None,
        Readiness::Ready => "ready".into(),
        Readiness::InProgress => "in progress, no run here".into(),
        Readiness::Failed => "failed: reset or work again".into(),
        // The light is on the title's lens and hover; here, briefly.
        Readiness::Refused(refusal) if refusal.quality_gate => {
            "refused: 🔴 Refine (Work anyway skips the quality check)".into()
        }
        other
        @ (Readiness::Blocked { .. } | Readiness::Rejected { .. } | Readiness::Refused(_)) => {
            format!("{}: {}", other.label(), other.reason())
        }
        Readiness::NeedsApproval => "needs approval".into(),
    };
    Some((at, label))
}

/// Folding ranges: the frontmatter and each Markdown section and code block.
pub fn folding(model: &SpecModel, markdown: &MarkdownOutline) -> Vec<TextRange> {
    let mut out = Vec::new();
    if let Some(block) = &model.layout.frontmatter {
        out.push(block.opening.start..block.closing.end);
    }
    out.extend(markdown.headings.iter().map(|h| h.section.clone()));
    out.extend(markdown.code_blocks.iter().map(|c| c.range.clone()));
    out
}

/// Specs matching a query by ID and title, best first.
pub fn workspace_symbols<'a>(
    indexes: impl IntoIterator<Item = &'a SpecEntry>,
    query: &str,
    limit: usize,
) -> Vec<&'a SpecEntry> {
    let entries: Vec<&SpecEntry> = indexes.into_iter().collect();
    if query.trim().is_empty() {
        let mut all = entries;
        all.sort_by(|a, b| b.id.cmp(&a.id));
        all.truncate(limit);
        return all;
    }
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, &SpecEntry)> = entries
        .into_iter()
        .filter_map(|e| {
            let haystack = format!("{} {}", e.id, e.summary.title.as_deref().unwrap_or(""));
            pattern
                .score(Utf32Str::new(&haystack, &mut buf), &mut matcher)
                .map(|s| (s, e))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.id.cmp(&a.1.id)));
    scored.into_iter().take(limit).map(|(_, e)| e).collect()
}
