//! `chant.add [rootUri, {"title", "type"?, "prompt"?, "labels"?,
//! "needsApproval"?}]`: `chant add [--prompt=P] [--needs-approval] -- T`,
//! then the new spec's `type` and `labels` (chant add has no flags for
//! them) as an edit the editor makes (the server never writes a file), and
//! the spec shown with the cursor after its title.
//!
//! A missing type is asked with `window/showMessageRequest` (the choices
//! are chant's types); a title cannot be asked that way, so a missing title
//! is refused.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::super::convert::TextPositions;
use super::super::edits::{self, workspace_edit, Change};
use super::super::session::Session;
use super::{ask, find_chant, refuse, require_enabled, resolve_project, start, Job};
use crate::runner::args::{validate_label, validate_spec_type, SPEC_TYPES};
use crate::runner::outcome::{JobKind, Level, Outcome, RunFacts};
use crate::runner::output;
use crate::runner::ChantCommand;
use crate::spec::edit::set_type_and_labels;
use crate::spec::SpecModel;
use crate::text::diff::apply_edits;
use crate::vfs::{FileSystem, Limit, RealFs};

/// Why a missing title is refused.
pub const TITLE_REQUIRED: &str = "A title is required to add a spec: pass it as {\"title\": \"...\"} in the second argument. The language server cannot ask for text (the protocol has no input box); the chant editor extensions ask for it.";

/// What `chant.add` was asked for, besides what chant add takes.
#[derive(Debug, Clone)]
pub struct AddRequest {
    pub title: String,
    /// None: ask.
    pub spec_type: Option<String>,
    pub labels: Vec<String>,
}

/// The options of `chant.add`.
#[derive(Debug, Default, Clone)]
pub struct AddOptions {
    pub title: Option<String>,
    pub spec_type: Option<String>,
    pub prompt: Option<String>,
    pub labels: Vec<String>,
    pub needs_approval: bool,
}

/// `chant.add`
pub async fn add(session: &Arc<Session>, uri: Uri, options: AddOptions) -> Result<Option<Value>> {
    let settings = session.settings();
    require_enabled(&settings)?;
    let Some(title) = options.title.filter(|t| !t.trim().is_empty()) else {
        return Err(refuse(TITLE_REQUIRED));
    };
    let invalid = |e: crate::runner::InvalidArgument| refuse(e.to_string());
    let command = ChantCommand::add(&title, options.prompt.as_deref(), options.needs_approval)
        .map_err(invalid)?;
    let spec_type = options
        .spec_type
        .as_deref()
        .map(validate_spec_type)
        .transpose()
        .map_err(invalid)?
        .map(str::to_string);
    let mut labels = Vec::new();
    for label in &options.labels {
        let label = validate_label(label).map_err(invalid)?;
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    let target = resolve_project(session, uri).await?;
    let program = find_chant(&settings, &target.root)?;
    let ChantCommand::Add { title, .. } = &command else {
        unreachable!("an add command");
    };
    let request = AddRequest {
        title: title.clone(),
        spec_type,
        labels,
    };
    let mut job = Job::for_project(
        &target,
        command.label(),
        vec![command],
        JobKind::Single,
        program,
        &settings,
    );
    job.add = Some(request);
    start(session, job).await
}

/// Ask for the type when none was given. Returns why nothing will be
/// added, if the user dismissed the question.
pub async fn ask_type(session: &Session, request: &mut AddRequest) -> Option<String> {
    if request.spec_type.is_some() {
        return None;
    }
    let answer = ask(
        session,
        MessageType::INFO,
        format!("What type of spec is \"{}\"?", request.title),
        &SPEC_TYPES,
    )
    .await;
    match answer {
        Ok(Some(choice)) => match validate_spec_type(&choice) {
            Ok(t) => {
                request.spec_type = Some(t.to_string());
                None
            }
            Err(e) => Some(format!("No spec was added: {e}")),
        },
        Ok(None) => Some(format!(
            "No spec was added: no type was chosen for \"{}\".",
            request.title
        )),
        // The editor cannot ask: chant's default type.
        Err(()) => {
            request.spec_type = Some("code".into());
            None
        }
    }
}

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
    job: &Job,
    request: &AddRequest,
    facts: &RunFacts,
    outcome: &mut Outcome,
    changed: &mut Vec<PathBuf>,
) -> Option<Show> {
    let id = output::created_id(&facts.ending.stdout)?;
    let path = job.root.join(".chant/specs").join(format!("{id}.md"));
    changed.push(path.clone());
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
    if !session.caps().show_document {
        return;
    }
    let _ = session
        .client()
        .show_document(ShowDocumentParams {
            uri: show.uri,
            external: Some(false),
            take_focus: Some(true),
            selection: Some(Range {
                start: show.position,
                end: show.position,
            }),
        })
        .await;
}
