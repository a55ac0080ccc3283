//! Where the frontmatter and the body of a spec are, exactly as chant sees them.
//!
//! chant trims the whole file; if the result starts with `---`, the YAML runs
//! to the next `---` found *anywhere*, even inside a line, and the body starts
//! after it (leading whitespace dropped). Without a closing `---` there is no
//! frontmatter at all. These rules differ from Markdown's, so the layout also
//! records the differences a user would not expect.

use crate::text::TextRange;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecLayout {
    /// The text chant keeps after trimming the whole file.
    pub trimmed: TextRange,
    pub frontmatter: Option<FrontmatterBlock>,
    /// The body chant reads: after the frontmatter, leading whitespace
    /// dropped; the whole trimmed text when there is no frontmatter.
    pub body: TextRange,
    pub notes: Vec<LayoutNote>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontmatterBlock {
    /// The opening `---`.
    pub opening: TextRange,
    /// What chant hands to the YAML parser.
    pub yaml: TextRange,
    /// The `---` where chant stops reading YAML.
    pub closing: TextRange,
}

/// A place where chant's reading of the file is not what the file looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutNote {
    /// The `---` that ends the frontmatter for chant is not a line of its own
    /// (for example `labels: ["a---b"]`), so the YAML is cut there.
    ClosedInsideLine { closing: TextRange },
    /// The file starts with `---` but never closes it: chant sees no
    /// frontmatter and every field takes its default.
    Unclosed { opening: TextRange },
    /// A `---` block that looks like frontmatter, but not at the start of the
    /// file: chant reads it as body text.
    Late { block: TextRange },
    /// A byte order mark before the opening `---`: chant does not strip it, so
    /// it sees no frontmatter.
    ByteOrderMark { opening: TextRange },
}

pub fn split(text: &str) -> SpecLayout {
    let start = text.len() - text.trim_start().len();
    let end = start + text[start..].trim_end().len();
    let trimmed = start..end;
    let content = &text[trimmed.clone()];
    let mut notes = Vec::new();

    if !content.starts_with("---") {
        if let Some(rest) = content.strip_prefix('\u{feff}') {
            if rest.starts_with("---") {
                let open = start + 3;
                notes.push(LayoutNote::ByteOrderMark {
                    opening: open..open + 3,
                });
            }
        } else if let Some(block) = late_frontmatter(text, trimmed.clone()) {
            notes.push(LayoutNote::Late { block });
        }
        return SpecLayout {
            trimmed: trimmed.clone(),
            frontmatter: None,
            body: trimmed,
            notes,
        };
    }

    let opening = start..start + 3;
    let Some(found) = content[3..].find("---") else {
        notes.push(LayoutNote::Unclosed { opening });
        return SpecLayout {
            trimmed: trimmed.clone(),
            frontmatter: None,
            body: trimmed,
            notes,
        };
    };
    let closing_start = opening.end + found;
    let closing = closing_start..closing_start + 3;
    if !is_own_line(text, closing.clone()) {
        notes.push(LayoutNote::ClosedInsideLine {
            closing: closing.clone(),
        });
    }
    let after = &text[closing.end..end];
    let body_start = closing.end + (after.len() - after.trim_start().len());
    SpecLayout {
        trimmed,
        frontmatter: Some(FrontmatterBlock {
            opening: opening.clone(),
            yaml: opening.end..closing.start,
            closing,
        }),
        body: body_start..end,
        notes,
    }
}

/// True when `range` is preceded by a line start and followed only by blanks
/// up to the end of its line.
fn is_own_line(text: &str, range: TextRange) -> bool {
    let before = &text[..range.start];
    let line_start = before.ends_with('\n') || before.ends_with('\r') || before.is_empty();
    let rest = &text[range.end..];
    let line_end = rest.find(['\n', '\r']).unwrap_or(rest.len());
    line_start && rest[..line_end].trim().is_empty()
}

/// A `---` line, then `key:` lines, then another `---` line, somewhere after
/// the start: what a user means as frontmatter when something precedes it.
fn late_frontmatter(text: &str, within: TextRange) -> Option<TextRange> {
    let mut offset = within.start;
    let mut open: Option<usize> = None;
    let mut saw_key = false;
    for line in text[within.clone()].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" {
            match open {
                Some(open_at) if saw_key => return Some(open_at..offset + 3),
                _ => {
                    open = Some(offset);
                    saw_key = false;
                }
            }
        } else if open.is_some() {
            if looks_like_key(trimmed) {
                saw_key = true;
            } else if !trimmed.is_empty() && !trimmed.starts_with([' ', '-', '#']) {
                open = None;
            }
        } else if trimmed.starts_with("# ") {
            // Past the title: a later `---` pair is a thematic break, not frontmatter.
            return None;
        }
        offset += line.len();
    }
    None
}

fn looks_like_key(line: &str) -> bool {
    let Some((key, _)) = line.split_once(':') else {
        return false;
    };
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body<'a>(text: &'a str, layout: &SpecLayout) -> &'a str {
        &text[layout.body.clone()]
    }

    #[test]
    fn ordinary_spec() {
        let text = "---\ntype: code\n---\n\n# Title\n\nBody\n";
        let layout = split(text);
        let fm = layout.frontmatter.as_ref().unwrap();
        assert_eq!(&text[fm.yaml.clone()], "\ntype: code\n");
        assert_eq!(body(text, &layout), "# Title\n\nBody");
        assert!(layout.notes.is_empty());
    }

    #[test]
    fn leading_blank_lines_are_trimmed_like_chant() {
        let text = "\n\n  ---\nstatus: pending\n---\n# T";
        let layout = split(text);
        assert_eq!(layout.frontmatter.clone().unwrap().opening, 4..7);
        assert_eq!(body(text, &layout), "# T");
    }

    #[test]
    fn dashes_inside_a_value_close_the_frontmatter() {
        let text = "---\nlabels: [\"a---b\"]\n---\n# T\n";
        let layout = split(text);
        let fm = layout.frontmatter.clone().unwrap();
        assert_eq!(&text[fm.yaml.clone()], "\nlabels: [\"a");
        assert_eq!(
            layout.notes,
            vec![LayoutNote::ClosedInsideLine { closing: 15..18 }]
        );
        assert_eq!(body(text, &layout), "b\"]\n---\n# T");
    }

    #[test]
    fn unclosed_frontmatter_is_all_body() {
        let text = "---\ntype: code\n# T\n";
        let layout = split(text);
        assert!(layout.frontmatter.is_none());
        assert_eq!(layout.notes, vec![LayoutNote::Unclosed { opening: 0..3 }]);
        assert_eq!(body(text, &layout), "---\ntype: code\n# T");
    }

    #[test]
    fn late_frontmatter_is_noticed() {
        let text = "Intro line\n---\ntype: code\n---\n# T\n";
        let layout = split(text);
        assert!(layout.frontmatter.is_none());
        assert_eq!(layout.notes, vec![LayoutNote::Late { block: 11..29 }]);
    }

    #[test]
    fn thematic_breaks_after_the_title_are_not_frontmatter() {
        let text = "# T\n\n---\nkey: value\n---\n";
        assert!(split(text).notes.is_empty());
    }

    #[test]
    fn byte_order_mark_hides_the_frontmatter() {
        let text = "\u{feff}---\ntype: code\n---\n# T";
        let layout = split(text);
        assert!(layout.frontmatter.is_none());
        assert_eq!(
            layout.notes,
            vec![LayoutNote::ByteOrderMark { opening: 3..6 }]
        );
    }

    #[test]
    fn empty_and_whitespace_files() {
        assert_eq!(split("").body, 0..0);
        assert_eq!(split("  \n ").body, 4..4);
    }
}
