//! Hover: what a field or value means to chant, and previews of what a
//! reference leads to.

use super::navigation::reference_at;
use super::preview::{glob_preview, is_glob, path_preview, prompt_preview, spec_preview};
use super::{read_source, Sources};
use crate::spec::fields::{self, FieldKind, Refers};
use crate::spec::SpecModel;
use crate::text::TextRange;
use crate::workspace::ProjectIndex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverResult {
    pub range: TextRange,
    /// Markdown.
    pub markdown: String,
}

pub fn hover(
    index: &ProjectIndex,
    model: &SpecModel,
    offset: usize,
    sources: &dyn Sources,
) -> Option<HoverResult> {
    if let Some(reference) = reference_at(model, offset) {
        let markdown = match reference.refers {
            Refers::PathGlobs if is_glob(&reference.value) => glob_preview(index, &reference.value),
            Refers::Paths | Refers::PathGlobs => path_preview(index, &reference.value, sources),
            Refers::SpecIds => spec_hover(index, &reference.value, sources),
            Refers::Prompt => match index.prompt(&reference.value) {
                Some(p) => prompt_preview(
                    index.project_files(),
                    &p.name,
                    &p.path,
                    p.purpose.as_deref(),
                    sources,
                ),
                None => format!("No prompt `{}` in `.chant/prompts/`.", reference.value),
            },
            Refers::Nothing => return None,
        };
        return Some(HoverResult {
            range: reference.range,
            markdown,
        });
    }
    field_hover(model, offset)
}

fn spec_hover(index: &ProjectIndex, id: &str, sources: &dyn Sources) -> String {
    if let Some(entry) = index.spec(id) {
        let text = read_source(index.project_files(), sources, &entry.path);
        return spec_preview(id, &entry.summary, text.as_deref());
    }
    if let Some(path) = index.archived(id) {
        let rel = path.strip_prefix(&index.root).unwrap_or(path);
        return format!(
            "`{id}` is archived (`{}`): chant does not resolve archived specs.",
            rel.display()
        );
    }
    format!("No spec `{id}` in this project.")
}

/// A field name, or an enum value, under the cursor.
fn field_hover(model: &SpecModel, offset: usize) -> Option<HoverResult> {
    for entry in &model.frontmatter.outline().entries {
        let Some(info) = fields::field_info(&entry.key) else {
            continue;
        };
        if contains(&entry.key_range, offset) {
            return Some(HoverResult {
                range: entry.key_range.clone(),
                markdown: field_doc(info),
            });
        }
        let Some(value) = &entry.value else { continue };
        if !contains(&value.range, offset) {
            continue;
        }
        if let FieldKind::Enum(values) = info.kind {
            let scalar = value.as_scalar()?;
            let doc = fields::enum_value(values, &scalar.text)?;
            return Some(HoverResult {
                range: value.content_range(),
                markdown: format!("`{}: {}`  \n{}", info.name, doc.name, doc.doc),
            });
        }
        if let FieldKind::Map(nested) = info.kind {
            for inner in value.entries() {
                let Some(nested_info) = nested.iter().find(|f| f.name == inner.key) else {
                    continue;
                };
                if contains(&inner.key_range, offset) {
                    return Some(HoverResult {
                        range: inner.key_range.clone(),
                        markdown: format!(
                            "`{}.{}`  \n{}",
                            info.name, nested_info.name, nested_info.doc
                        ),
                    });
                }
                if let (FieldKind::Enum(values), Some(v)) = (nested_info.kind, &inner.value) {
                    if contains(&v.range, offset) {
                        let doc = fields::enum_value(values, &v.as_scalar()?.text)?;
                        return Some(HoverResult {
                            range: v.content_range(),
                            markdown: format!(
                                "`{}.{}: {}`  \n{}",
                                info.name, nested_info.name, doc.name, doc.doc
                            ),
                        });
                    }
                }
            }
        }
    }
    None
}

fn field_doc(info: &fields::FieldInfo) -> String {
    let mut out = format!("`{}`  \n{}", info.name, info.doc);
    if let FieldKind::Enum(values) = info.kind {
        out.push_str("\n\n");
        for v in values {
            out.push_str(&format!("- `{}`: {}\n", v.name, v.doc));
        }
    }
    if info.written_by_chant {
        out.push_str("\n\nchant writes this field itself.");
    }
    out
}

fn contains(range: &TextRange, offset: usize) -> bool {
    range.start <= offset && offset <= range.end
}
