//! Semantic tokens: what the server knows about the words of a spec, so a
//! theme can colour it. Spec IDs (in `depends_on`, `members` and the body)
//! say whether they resolve (a dangling or archived ID looks different from
//! a real one, a done one too); the status says whether it is done; field
//! names say whether chant knows them; criteria say whether they are
//! ticked. Protocol-free: byte ranges and kinds out, in text order, never
//! overlapping, each on one line; `server::handlers::semantic` encodes
//! them in the negotiated position encoding.

use crate::analysis::{SpecLookup, WorkspaceFacts};
use crate::ide::navigation::references_in;
use crate::spec::fields::{self, Refers};
use crate::spec::SpecModel;
use crate::syntax::yaml::YamlKind;
use crate::text::TextRange;

/// What a token is. The protocol legend lists them in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TokenKind {
    /// A spec ID: a `depends_on` or `members` item, or an ID in the body.
    SpecId,
    /// The value of `status:`.
    Status,
    /// A frontmatter field name (top level, or inside `approval:`).
    Field,
    /// An acceptance criterion's checkbox (`- [ ]`, `- [x]`) chant counts.
    Criterion,
}

impl TokenKind {
    pub const ALL: [TokenKind; 4] = [
        TokenKind::SpecId,
        TokenKind::Status,
        TokenKind::Field,
        TokenKind::Criterion,
    ];
}

/// What is special about a token; several may apply. The protocol legend
/// lists them in this order (bit `1 << i` for the `i`-th).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Modifier {
    /// An ID chant does not resolve: no such spec, a spec in a subfolder of
    /// `.chant/specs`, or one chant cannot parse.
    Dangling,
    /// An ID of an archived spec (chant does not resolve it either).
    Archived,
    /// Done: an ID of a completed or cancelled spec, a `completed` or
    /// `cancelled` status, a ticked criterion.
    Done,
    /// A field name or a status chant does not know.
    Unknown,
    /// The standard `deprecated` modifier, with `archived`, so themes that
    /// know nothing of chant still strike an archived ID through.
    Deprecated,
}

impl Modifier {
    pub const ALL: [Modifier; 5] = [
        Modifier::Dangling,
        Modifier::Archived,
        Modifier::Done,
        Modifier::Unknown,
        Modifier::Deprecated,
    ];

    pub fn bit(self) -> u32 {
        1 << Modifier::ALL.iter().position(|m| *m == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub range: TextRange,
    pub kind: TokenKind,
    pub modifiers: Vec<Modifier>,
}

fn id_modifiers(ws: &dyn WorkspaceFacts, id: &str) -> Vec<Modifier> {
    match ws.lookup_spec(id) {
        SpecLookup::Found { status, .. } if status.satisfies_dependents() => vec![Modifier::Done],
        SpecLookup::Found { .. } => Vec::new(),
        SpecLookup::Archived { .. } => vec![Modifier::Archived, Modifier::Deprecated],
        SpecLookup::Nested { .. } | SpecLookup::Unparseable | SpecLookup::Missing => {
            vec![Modifier::Dangling]
        }
    }
}

/// Every token of a spec, in text order.
pub fn tokens(text: &str, model: &SpecModel, ws: &dyn WorkspaceFacts) -> Vec<Token> {
    let mut out = Vec::new();
    let outline = model.frontmatter.outline();
    for entry in &outline.entries {
        let modifiers = if fields::field_info(&entry.key).is_some() {
            Vec::new()
        } else {
            vec![Modifier::Unknown]
        };
        out.push(Token {
            range: entry.key_range.clone(),
            kind: TokenKind::Field,
            modifiers,
        });
        let Some(value) = &entry.value else { continue };
        match (entry.key.as_str(), &value.kind) {
            ("status", YamlKind::Scalar(s)) => {
                let known = fields::field_info("status")
                    .and_then(|f| match f.kind {
                        fields::FieldKind::Enum(values) => fields::enum_value(values, &s.text),
                        _ => None,
                    })
                    .is_some();
                let modifiers = if !known {
                    vec![Modifier::Unknown]
                } else if matches!(s.text.as_str(), "completed" | "cancelled") {
                    vec![Modifier::Done]
                } else {
                    Vec::new()
                };
                out.push(Token {
                    range: value.content_range(),
                    kind: TokenKind::Status,
                    modifiers,
                });
            }
            ("approval", YamlKind::Mapping { entries, .. }) => {
                for sub in entries {
                    out.push(Token {
                        range: sub.key_range.clone(),
                        kind: TokenKind::Field,
                        modifiers: Vec::new(),
                    });
                }
            }
            _ => {}
        }
    }
    for reference in references_in(model) {
        if reference.refers != Refers::SpecIds || reference.range.is_empty() {
            continue;
        }
        out.push(Token {
            modifiers: id_modifiers(ws, &reference.value),
            range: reference.range,
            kind: TokenKind::SpecId,
        });
    }
    for item in model.body.criteria.iter().flat_map(|c| &c.items) {
        out.push(Token {
            range: item.marker.clone(),
            kind: TokenKind::Criterion,
            modifiers: if item.checked {
                vec![Modifier::Done]
            } else {
                Vec::new()
            },
        });
    }
    // One line each, in order, never overlapping.
    out.retain(|t| {
        !t.range.is_empty()
            && t.range.end <= text.len()
            && !text[t.range.clone()].contains(['\n', '\r'])
    });
    out.sort_by_key(|t| (t.range.start, t.range.end));
    let mut last_end = 0;
    out.retain(|t| {
        let keep = t.range.start >= last_end;
        if keep {
            last_end = t.range.end;
        }
        keep
    });
    out
}
