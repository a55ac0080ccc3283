//! Where chant's frontmatter split surprises: unclosed, late, cut short, or
//! hidden behind a byte order mark.

use super::{Code, Cx, Diagnostic, FixKind, Sink};
use crate::syntax::layout::LayoutNote;

pub(super) fn check(cx: &Cx, out: &mut Sink) {
    for note in &cx.model.layout.notes {
        out.push(match note {
            LayoutNote::Unclosed { opening } => Diagnostic::new(
                Code::UnclosedFrontmatter,
                opening.clone(),
                "This frontmatter is never closed with `---`: chant reads no frontmatter at all, so every field takes its default (type code, status pending) and these lines are body text. Add a `---` line after the last field.",
            ),
            LayoutNote::Late { block } => Diagnostic::new(
                Code::LateFrontmatter,
                block.start..block.start + 3,
                "This looks like frontmatter, but chant only reads frontmatter at the very start of the file: it is body text, and every field takes its default. Move it to the top.",
            ),
            LayoutNote::ClosedInsideLine { closing } => Diagnostic::new(
                Code::FrontmatterCut,
                closing.clone(),
                "chant ends the frontmatter at the first `---` it finds, even inside a line: the YAML stops here and the rest of the file is body. Avoid `---` inside values.",
            ),
            LayoutNote::ByteOrderMark { opening } => Diagnostic::new(
                Code::ByteOrderMark,
                0..opening.start,
                "The file starts with a byte order mark: chant does not strip it, so it sees no frontmatter and every field takes its default. Save the file as UTF-8 without BOM.",
            )
            .with_fix(FixKind::RemoveByteOrderMark, 0..opening.start, ""),
        });
    }
}
