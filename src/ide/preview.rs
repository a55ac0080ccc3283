//! Previews of linked files for hover: specs as summaries, Markdown as its
//! title and opening lines, other text as a fenced excerpt. Only regular
//! files inside the project are read, and only their head, so a preview
//! costs the same for a 100 MB file as for a small one.

use std::path::Path;

use super::Sources;
use crate::spec::SpecModel;
use crate::vfs::Kind;
use crate::workspace::files::join_inside;
use crate::workspace::{classify, ChantFile, ProjectFiles, ProjectIndex, SpecSummary};

/// How much of a file a preview reads.
pub const HEAD_BYTES: usize = 8 * 1024;
const EXCERPT_LINES: usize = 20;
const MARKDOWN_CHARS: usize = 1200;

/// One line about a spec: status, type, approval and criteria progress.
pub fn spec_summary_markdown(id: &str, summary: &SpecSummary) -> String {
    let title = summary.title.as_deref().unwrap_or("(no title)");
    let mut facts = vec![
        format!("`{}`", summary.spec_type.as_str()),
        format!("`{}`", summary.status.as_str()),
    ];
    if let Some(approval) = &summary.approval {
        let by = approval
            .by
            .as_deref()
            .map(|b| format!(" by {b}"))
            .unwrap_or_default();
        let required = if approval.required { " (required)" } else { "" };
        facts.push(format!(
            "approval {}{by}{required}",
            approval.status.as_str()
        ));
    }
    facts.push(format!("criteria {}/{}", summary.checked, summary.total));
    if !summary.accepted {
        facts.push("**chant cannot parse this spec**".into());
    }
    format!("**{title}**  \n`{id}` · {}", facts.join(" · "))
}

/// A spec's summary and its first paragraph.
pub fn spec_preview(id: &str, summary: &SpecSummary, text: Option<&str>) -> String {
    let mut out = spec_summary_markdown(id, summary);
    if let Some(paragraph) = text.and_then(first_paragraph) {
        out.push_str("\n\n");
        out.push_str(&paragraph);
    }
    out
}

/// The first paragraph of a spec's body after its title.
pub fn first_paragraph(text: &str) -> Option<String> {
    let model = SpecModel::parse(text);
    let start = model
        .body
        .title
        .as_ref()
        .map_or(model.layout.body.start, |t| t.range.end);
    let body = &text[start..model.layout.body.end];
    let mut paragraph = Vec::new();
    let mut in_code = false;
    for line in body.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            if !paragraph.is_empty() {
                break;
            }
            // Code is not a paragraph: skip the whole block.
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        if trimmed.is_empty() {
            if paragraph.is_empty() {
                continue;
            }
            break;
        }
        if trimmed.starts_with('#') {
            if paragraph.is_empty() {
                continue;
            }
            break;
        }
        paragraph.push(trimmed);
    }
    let joined = paragraph.join(" ");
    (!joined.is_empty()).then(|| truncate_chars(&joined, 600))
}

fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// A preview of `relative` (a path from a spec's frontmatter) for hover.
pub fn path_preview(index: &ProjectIndex, relative: &str, sources: &dyn Sources) -> String {
    let files = index.project_files();
    if files.escapes(relative) {
        return format!("`{relative}` leads outside the project: not shown.");
    }
    let Some(path) = join_inside(&index.root, relative) else {
        return format!("`{relative}` leads outside the project: not shown.");
    };
    match files.kind(&path) {
        None => return missing(index, relative),
        Some(Kind::Dir) => return folder_preview(files, &path, relative),
        Some(Kind::Special(kind)) => {
            return format!("`{relative}` is {kind}, not a regular file: not read.")
        }
        Some(Kind::File { .. }) => {}
    }
    if let ChantFile::Spec { id, .. } = classify(&path) {
        if let Some(entry) = index.spec(&id) {
            let text = sources
                .open_text(&path)
                .or_else(|| head_text(files, &path).map(|(t, _)| t));
            return spec_preview(&id, &entry.summary, text.as_deref());
        }
    }
    if let Some(open) = sources.open_text(&path) {
        return text_preview(relative, &open, open.len() as u64);
    }
    let Ok((bytes, size)) = files.read_head(&path, HEAD_BYTES) else {
        return format!("`{relative}` cannot be read.");
    };
    match decode_head(&bytes) {
        Some(text) => text_preview(relative, &text, size),
        None => format!("`{relative}`: binary file, {}.", human_size(size)),
    }
}

/// Whether a `tracks` entry is a glob rather than a path.
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '{'])
}

/// The project files a glob (from `tracks`) matches, as chant lint matches
/// them.
pub fn glob_preview(index: &ProjectIndex, pattern: &str) -> String {
    let glob = match globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
    {
        Ok(glob) => glob.compile_matcher(),
        Err(e) => return format!("`{pattern}` is not a valid glob ({}).", e.kind()),
    };
    let files = index.files();
    let matched: Vec<&String> = files.files().iter().filter(|f| glob.is_match(f)).collect();
    if matched.is_empty() {
        return format!("`{pattern}` matches no file.");
    }
    let n = matched.len();
    let shown: Vec<String> = matched
        .iter()
        .take(12)
        .map(|f| format!("- `{f}`"))
        .collect();
    let mut out = format!(
        "`{pattern}` matches {n} file{}:\n\n{}",
        if n == 1 { "" } else { "s" },
        shown.join("\n")
    );
    if n > 12 {
        out.push_str(&format!("\n- … and {} more", n - 12));
    }
    out
}

fn missing(index: &ProjectIndex, relative: &str) -> String {
    let mut creators: Vec<&str> = index
        .specs()
        .filter(|e| e.summary.target_files.iter().any(|t| t == relative))
        .map(|e| e.id.as_str())
        .collect();
    // The index is a hash map: the same text every time.
    creators.sort_unstable();
    if creators.is_empty() {
        format!("`{relative}` does not exist, and no spec lists it in `target_files`.")
    } else {
        let list = creators
            .iter()
            .map(|id| format!("`{id}`"))
            .collect::<Vec<_>>()
            .join(", ");
        format!("`{relative}` does not exist yet: {list} will create it (it is in their `target_files`).")
    }
}

fn folder_preview(files: &ProjectFiles, path: &Path, relative: &str) -> String {
    let names: Vec<String> = files
        .read_dir(path)
        .into_iter()
        .filter_map(|entry| {
            let name = entry.path.file_name()?.to_string_lossy().into_owned();
            Some(format!("{name}{}", if entry.is_dir { "/" } else { "" }))
        })
        .collect();
    let shown: Vec<String> = names.iter().take(12).map(|n| format!("- `{n}`")).collect();
    let more = names.len().saturating_sub(12);
    let mut out = format!("Folder `{relative}`\n\n{}", shown.join("\n"));
    if more > 0 {
        out.push_str(&format!("\n- … and {more} more"));
    }
    out
}

/// The head of a file as text: None for binary content (NUL bytes, or
/// invalid UTF-8 other than a character cut at the end).
fn decode_head(bytes: &[u8]) -> Option<String> {
    if bytes.contains(&0) {
        return None;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text.to_string()),
        Err(e) if e.error_len().is_none() && e.valid_up_to() + 4 > bytes.len() => {
            Some(String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned())
        }
        Err(_) => None,
    }
}

fn head_text(files: &ProjectFiles, path: &Path) -> Option<(String, u64)> {
    let (bytes, size) = files.read_head(path, HEAD_BYTES).ok()?;
    decode_head(&bytes).map(|t| (t, size))
}

fn text_preview(relative: &str, text: &str, size: u64) -> String {
    let ext = Path::new(relative)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_lowercase();
    let cut = size > text.len() as u64;
    if matches!(ext.as_str(), "md" | "markdown") {
        return markdown_preview(relative, text, cut);
    }
    let lines: Vec<&str> = text.lines().take(EXCERPT_LINES).collect();
    let more = text.lines().count() > EXCERPT_LINES || cut;
    let fence = if text.contains("```") { "````" } else { "```" };
    let mut out = format!(
        "`{relative}` ({})\n\n{fence}{}\n{}\n{fence}",
        human_size(size),
        language(&ext),
        lines.join("\n")
    );
    if more {
        out.push_str("\n\n…");
    }
    out
}

fn markdown_preview(relative: &str, text: &str, cut: bool) -> String {
    let layout = crate::syntax::layout::split(text);
    let body = &text[layout.body.clone()];
    let mut title = None;
    let mut opening = String::new();
    for line in body.lines() {
        if title.is_none() && opening.is_empty() {
            if let Some(t) = line.trim().strip_prefix("# ") {
                title = Some(t.trim().to_string());
                continue;
            }
        }
        if opening.len() + line.len() > MARKDOWN_CHARS {
            opening.push_str("\n…");
            break;
        }
        opening.push_str(line);
        opening.push('\n');
    }
    let opening = opening.trim().to_string();
    let mut out = match title {
        Some(t) => format!("**{t}**  \n`{relative}`"),
        None => format!("`{relative}`"),
    };
    if !opening.is_empty() {
        out.push_str("\n\n---\n\n");
        out.push_str(&opening);
    }
    if cut && !out.ends_with('…') {
        out.push_str("\n\n…");
    }
    out
}

fn language(ext: &str) -> &'static str {
    match ext {
        "rs" => "rust",
        "py" => "python",
        "js" | "mjs" | "cjs" => "javascript",
        "ts" | "tsx" => "typescript",
        "json" => "json",
        "toml" => "toml",
        "yaml" | "yml" => "yaml",
        "sh" | "bash" => "sh",
        "go" => "go",
        "lua" => "lua",
        "c" | "h" => "c",
        "cpp" | "hpp" | "cc" => "cpp",
        "java" => "java",
        "rb" => "ruby",
        "html" => "html",
        "css" => "css",
        _ => "",
    }
}

pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

/// A prompt's purpose and opening lines.
pub fn prompt_preview(
    files: &ProjectFiles,
    name: &str,
    path: &Path,
    purpose: Option<&str>,
    sources: &dyn Sources,
) -> String {
    let text = sources
        .open_text(path)
        .or_else(|| head_text(files, path).map(|(t, _)| t))
        .unwrap_or_default();
    let layout = crate::syntax::layout::split(&text);
    let body: Vec<&str> = text[layout.body].lines().take(12).collect();
    let mut out = format!("**Prompt `{name}`**");
    if let Some(purpose) = purpose {
        out.push_str(&format!("  \n{purpose}"));
    }
    if !body.is_empty() {
        let fence = if body.iter().any(|l| l.contains("```")) {
            "````"
        } else {
            "```"
        };
        out.push_str(&format!(
            "\n\n{fence}markdown\n{}\n{fence}",
            body.join("\n")
        ));
    }
    out
}
