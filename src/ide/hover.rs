//! Hover: what a field or value means to chant, and previews of what a
//! reference leads to.

use super::commands::log_path;
use super::navigation::reference_at;
use super::preview::{glob_preview, is_glob, path_preview, prompt_preview, spec_preview};
use super::{read_source, Sources};
use crate::analysis::quality::{self, Dimension, Light, Quality};
use crate::analysis::readiness::{self, Readiness};
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

/// What a hover knows about the spec under the cursor besides its text.
#[derive(Debug, Clone, Copy)]
pub struct HoverSpec<'a> {
    /// The spec's ID (its file name).
    pub id: &'a str,
    /// The text the model was parsed from.
    pub text: &'a str,
    /// chant is running for it (a run the server started).
    pub running: bool,
}

/// How much of the agent's log a hover reads (its end).
pub const LOG_TAIL_BYTES: usize = 4096;
/// How many of its last lines a hover shows.
pub const LOG_TAIL_LINES: usize = 8;

/// [`hover`], and on the `status` field (key or value) where the spec
/// stands for chant and why (`analysis::readiness::assess`, as the code
/// lens says it); while chant runs for it, the last lines of the agent's
/// log.
pub fn hover_spec(
    index: &ProjectIndex,
    model: &SpecModel,
    offset: usize,
    sources: &dyn Sources,
    spec: HoverSpec,
) -> Option<HoverResult> {
    let found = hover(index, model, offset, sources);
    if let Some(title) = model
        .body
        .title
        .as_ref()
        .filter(|t| contains(&t.range, offset))
    {
        if !model.chant_accepts() {
            return found;
        }
        let quality = quality::assess_spec(spec.text, model, spec.id, index);
        let workable = model.values().status.is_workable();
        return Some(HoverResult {
            range: title.range.clone(),
            markdown: quality_markdown(&quality, workable),
        });
    }
    let Some(status) = model.frontmatter.outline().entry("status") else {
        return found;
    };
    let on_status = contains(&status.range, offset)
        || status
            .value
            .as_ref()
            .is_some_and(|v| contains(&v.range, offset));
    if !on_status {
        return found;
    }
    let mut result = found.unwrap_or_else(|| HoverResult {
        range: status.key_range.clone(),
        markdown: String::new(),
    });
    if !result.markdown.is_empty() {
        let end = result.markdown.trim_end().len();
        result.markdown.truncate(end);
        result.markdown.push_str("\n\n---\n\n");
    }
    let assessed = readiness::assess(spec.text, model, spec.id, index);
    result.markdown.push_str(&readiness_markdown(&assessed));
    if let Some(note) = readiness::list_disagreement(model, spec.id, index, &assessed) {
        result.markdown.push_str(&format!("\n\n{note}"));
    }
    if spec.running {
        result.markdown.push_str(&running_markdown(index, spec.id));
    }
    Some(result)
}

/// "**For chant:** blocked: waiting for X (in_progress)."
fn readiness_markdown(readiness: &Readiness) -> String {
    match readiness {
        Readiness::Ready => "**For chant:** ready: `chant work` can start it now.".into(),
        other => format!("**For chant:** {}: {}.", other.label(), other.reason()),
    }
}

/// The title's hover: chant's light and grades with what each was measured
/// from, and chant's suggestions (`chant lint --verbose` prints them for a
/// Review or Refine spec). `workable`: its status is one `chant work` runs,
/// so the quality gate applies.
pub fn quality_markdown(quality: &Quality, workable: bool) -> String {
    let light = quality.light;
    let mut text = format!("**chant grades this spec {}**", light.chant_label());
    text.push_str(match (light, workable) {
        (Light::Refine, true) => ": `chant work` run without a terminal (from an editor or CI) refuses it unless the quality check is skipped (\"Work anyway\", `--skip-criteria`).",
        (Light::Review, true) => ": `chant work` runs it; chant suggests improvements.",
        (Light::Ready, true) => ": `chant work` runs it as it is.",
        _ => ".",
    });
    text.push_str("\n\n");
    let mut dimensions = vec![
        Dimension::Complexity,
        Dimension::Confidence,
        Dimension::AcQuality,
        Dimension::Splittability,
    ];
    if quality.isolation.is_some() {
        dimensions.push(Dimension::Isolation);
    }
    for dimension in dimensions {
        let (Some(grade), Some(why)) = (quality.grade_of(dimension), quality.explain(dimension))
        else {
            continue;
        };
        text.push_str(&format!(
            "- **{} {}**: {why}\n",
            dimension.noun(),
            grade.as_str()
        ));
    }
    let lint = quality.lint_grades();
    if lint != quality.grades() {
        text.push_str(&format!(
            "\n`chant lint` grades it `{}` (it counts criteria only in the first `## Acceptance Criteria` section, and grades confidence B when it cannot load the config); the grades above are `chant work`'s, which decide whether it runs.\n",
            lint.chant_line()
        ));
    }
    if light != Light::Ready && !quality.suggestions.is_empty() {
        text.push_str("\nchant suggests:\n\n");
        for suggestion in &quality.suggestions {
            text.push_str(&format!("- {}\n", suggestion.text));
        }
    }
    text.trim_end().to_string()
}

/// chant is running: the end of the agent's log, read the guarded way
/// (only its last few KB).
fn running_markdown(index: &ProjectIndex, id: &str) -> String {
    let rel = format!(".chant/logs/{id}.log");
    let mut text = "\n\nchant is running for this spec.".to_string();
    let Some(path) = log_path(index, id) else {
        return text;
    };
    match index.project_files().read_tail(&path, LOG_TAIL_BYTES) {
        Ok((bytes, len)) => {
            let mut tail = String::from_utf8_lossy(&bytes).into_owned();
            if len > bytes.len() as u64 {
                // Cut inside a line: start at the next one.
                tail = tail
                    .split_once('\n')
                    .map(|(_, rest)| rest.to_string())
                    .unwrap_or_default();
            }
            let lines = tail_lines(&tail, LOG_TAIL_LINES, LOG_TAIL_BYTES);
            if lines.is_empty() {
                text.push_str(&format!(" The agent's log (`{rel}`) is empty so far."));
            } else {
                let fence = if lines.iter().any(|l| l.contains("```")) {
                    "~~~~"
                } else {
                    "```"
                };
                text.push_str(&format!(
                    " The last lines of the agent's log (`{rel}`):\n\n{fence}text\n{}\n{fence}",
                    lines.join("\n")
                ));
            }
        }
        Err(_) => text.push_str(&format!(" The agent's log (`{rel}`) is not there yet.")),
    }
    text
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

/// The last `n` lines of a text, at most `max_bytes` of them (on a line
/// boundary when the text has one there), for a glance at a log.
fn tail_lines(text: &str, n: usize, max_bytes: usize) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .rev()
        .filter(|l| !l.trim().is_empty())
        .take(n)
        .map(str::to_string)
        .collect();
    lines.reverse();
    let mut total = 0;
    let keep = lines
        .iter()
        .rev()
        .take_while(|l| {
            total += l.len() + 1;
            total <= max_bytes
        })
        .count();
    lines.split_off(lines.len() - keep)
}

#[cfg(test)]
mod tests {
    use super::tail_lines;

    #[test]
    fn the_tail_of_a_log() {
        let log = "a\nb\n\nc\nd\n";
        assert_eq!(tail_lines(log, 3, 100), ["b", "c", "d"]);
        assert_eq!(tail_lines(log, 3, 4), ["c", "d"]);
    }
}
