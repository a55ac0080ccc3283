//! When files move: the edits that keep specs' references pointing at them.
//! A spec file's name is its ID, so moving a spec renames its ID too.

use std::path::{Path, PathBuf};

use super::completion::needs_quotes;
use super::navigation::references_in;
use super::{read_source, Sources};
use crate::spec::fields::Refers;
use crate::spec::SpecModel;
use crate::text::TextRange;
use crate::workspace::{classify, ChantFile, ProjectIndex};

/// Edits to one file: byte ranges in its current text, and that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEdits {
    pub path: PathBuf,
    pub text: String,
    pub edits: Vec<(TextRange, String)>,
}

/// The edits for moving `from` to `to` (files or folders).
pub fn edits_for_move(
    index: &ProjectIndex,
    moves: &[(PathBuf, PathBuf)],
    sources: &dyn Sources,
) -> Vec<FileEdits> {
    let relative = |p: &Path| {
        p.strip_prefix(&index.root)
            .ok()
            .map(|r| r.to_string_lossy().replace('\\', "/"))
    };
    // (old path, new path, the spec ID change when a spec file moves)
    type Move = (String, String, Option<(String, String)>);
    let moves: Vec<Move> = moves
        .iter()
        .filter_map(|(from, to)| {
            let ids = match (classify(from), classify(to)) {
                (ChantFile::Spec { id: a, .. }, ChantFile::Spec { id: b, .. }) if a != b => {
                    Some((a, b))
                }
                _ => None,
            };
            Some((relative(from)?, relative(to)?, ids))
        })
        .collect();
    if moves.is_empty() {
        return Vec::new();
    }
    let mut paths: Vec<PathBuf> = index
        .specs()
        .chain(index.nested_specs())
        .map(|e| e.path.clone())
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let Some(text) = read_source(index.project_files(), sources, &path) else {
            continue;
        };
        let model = SpecModel::parse(&text);
        let mut edits = Vec::new();
        for reference in references_in(&model) {
            if reference.field.is_none() {
                continue;
            }
            for (from, to, ids) in &moves {
                let value = reference.value.trim_start_matches("./");
                // A leading `./` the user wrote stays.
                let dot = &reference.value[..reference.value.len() - value.len()];
                let replacement = match reference.refers {
                    Refers::Paths | Refers::PathGlobs if value == from => {
                        Some(format!("{dot}{to}"))
                    }
                    Refers::Paths | Refers::PathGlobs if value.starts_with(&format!("{from}/")) => {
                        Some(format!("{dot}{to}{}", &value[from.len()..]))
                    }
                    Refers::SpecIds => ids
                        .as_ref()
                        .filter(|(old, _)| *old == reference.value)
                        .map(|(_, new)| new.clone()),
                    _ => None,
                };
                if let Some(new) = replacement {
                    edits.push(written_as(&text, reference.range.clone(), &new));
                    break;
                }
            }
        }
        if !edits.is_empty() {
            out.push(FileEdits { path, text, edits });
        }
    }
    out
}

/// The edit that puts `new` where the value at `range` (its text, inside
/// any quotes) is, written the way that value is: escaped for its quotes,
/// or quoted when a plain YAML scalar would misread it (`a: b`, `-x`).
fn written_as(text: &str, range: TextRange, new: &str) -> (TextRange, String) {
    let double = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let written = match text[..range.start].chars().next_back() {
        Some('"') => double(new),
        Some('\'') => new.replace('\'', "''"),
        _ if needs_quotes(new, true) => format!("\"{}\"", double(new)),
        _ => new.to_string(),
    };
    (range, written)
}
