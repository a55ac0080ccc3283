//! After `chant add`: the new spec's `type` and `labels` (chant add has no
//! flags for them) as an edit the editor makes (the server never writes a
//! file), and the spec shown with the cursor after its title.

use std::path::Path;
use std::sync::Arc;

use tower_lsp_server::ls_types::*;

use super::super::convert::TextPositions;
use super::super::edits::{self, workspace_edit, Change};
use super::super::session::Session;
use crate::analysis::command::NewSpec;
use crate::runner::outcome::{Level, Outcome};
use crate::spec::edit::set_type_and_labels;
use crate::spec::id::spec_file;
use crate::spec::SpecModel;
use crate::text::diff::apply_edits;
use crate::vfs::{FileSystem, Limit, RealFs};

/// Where to show the new spec.
pub struct Show {
    pub uri: Uri,
    pub position: Position,
}

/// Where the cursor goes in a new spec: on its first acceptance criterion,
/// else at the end of its title line.
fn cursor(text: &str, model: &SpecModel) -> usize {
    if let Some(item) = model.body.criteria.as_ref().and_then(|c| c.items.first()) {
        return item.marker.end;
    }
    match &model.body.title {
        Some(title) => text[title.range.end..]
            .find(['\n', '\r'])
            .map_or(text.len(), |i| title.range.end + i),
        None => text.len(),
    }
}

/// After `chant add`: give the new spec its type and labels through the
/// editor, and say which spec it is. Returns where to show it.
pub async fn finish(
    session: &Arc<Session>,
    root: &Path,
    id: &str,
    request: &NewSpec,
    outcome: &mut Outcome,
) -> Option<Show> {
    let path = spec_file(root, id);
    let read = path.clone();
    let text = tokio::task::spawn_blocking(move || RealFs.read_text(&read, Limit::SPEC))
        .await
        .ok()?
        .ok()?;
    let model = SpecModel::parse(&text);
    let edits = set_type_and_labels(&text, &model, request.spec_type.as_deref(), &request.labels);
    let open = session.open_buffer(&path);
    let uri = open
        .as_ref()
        .map(|(uri, _, _)| uri.clone())
        .or_else(|| Uri::from_file_path(&path))?;
    let mut final_text = text.clone();
    if !edits.is_empty() {
        let mut what = Vec::new();
        if let Some(t) = request.spec_type.as_deref().filter(|t| *t != "code") {
            what.push(format!("`type: {t}`"));
        }
        if !request.labels.is_empty() {
            what.push(format!("`labels: [{}]`", request.labels.join(", ")));
        }
        let what = what.join(" and ");
        let version = match &open {
            Some((_, version, buffer)) if *buffer == text => Some(Some(*version)),
            Some(_) => None,
            None => Some(None),
        };
        let result = match version {
            None => Err("the spec is open with other text".to_string()),
            Some(version) => {
                let positions = TextPositions::new(&text, session.encoding());
                let change = Change::Text {
                    uri: uri.clone(),
                    version,
                    edits: positions.text_edits(&edits),
                };
                let (edit, left_out) = workspace_edit(session.caps(), vec![change]);
                if left_out.is_empty() {
                    match edits::apply(session, "chant: the new spec's type and labels", edit).await
                    {
                        Ok(None) => Ok(()),
                        Ok(Some(reason)) => Err(reason),
                        Err(e) => Err(e),
                    }
                } else {
                    Err("this editor takes no unversioned edit of an open file".into())
                }
            }
        };
        match result {
            Ok(()) => {
                final_text = apply_edits(&text, &edits);
                outcome.text.push_str(&format!(
                    " Its {what} are set in the editor, not saved yet (chant add has no flags for them, and chant committed the spec as it wrote it): save the file to keep them."
                ));
            }
            Err(reason) => {
                outcome.level = outcome.level.max(Level::Warning);
                outcome.text.push_str(&format!(
                    " The editor did not take its {what} ({reason}): add them to the frontmatter yourself."
                ));
            }
        }
    }
    outcome.text = outcome.text.replacen(
        &format!("Added spec {id} (.chant/specs/{id}.md)"),
        &format!("Added spec {id} ({})", uri.as_str()),
        1,
    );
    outcome.short = format!("added {id} ({})", uri.as_str());
    let model = SpecModel::parse(&final_text);
    let at = cursor(&final_text, &model);
    let position = TextPositions::new(&final_text, session.encoding()).position(at);
    Some(Show { uri, position })
}

/// Show the new spec, the cursor where its text goes.
pub async fn show(session: &Session, show: Show) {
    session.show(show.uri, Some(show.position)).await;
}
