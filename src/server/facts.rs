//! What the server knows about a spec or a project when the core decides on
//! one of its commands (`ide::commands`): which file a URI names (only
//! `file:` URIs inside the workspace), its text, the open buffer, the run
//! registry, git's branches, the settings. Gathered here, decided there.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::Uri;

use super::diagnostics;
use super::documents::{doc_key, Analysed};
use super::session::Session;
use crate::ide::commands::{ProjectView, SpecView};
use crate::runner::git;
use crate::runner::job::project_key;
use crate::spec::id::is_safe_id;
use crate::spec::SpecModel;
use crate::text::text_hash;
use crate::vfs::{FileSystem, Limit, ReadError, RealFs};
use crate::workspace::{classify, ChantFile, Project};

/// An error answer for a command the server will not run; the message says
/// what to do (LSP `RequestFailed`).
pub fn refuse(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into().into(),
        data: None,
    }
}

pub fn invalid_params(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::InvalidParams,
        message: message.into().into(),
        data: None,
    }
}

/// A spec and what the server knows of it: what a [`SpecView`] holds.
pub struct SpecFacts {
    /// The open document's own URI when it is open, else the one given.
    pub uri: Uri,
    pub path: PathBuf,
    pub id: String,
    pub nested: bool,
    pub project: Arc<Project>,
    /// The text decided on: the file on disk for a run (chant reads it),
    /// the buffer for an offer.
    pub text: Arc<String>,
    pub model: Arc<SpecModel>,
    pub unsaved: bool,
    /// The project's other open files with unsaved changes.
    pub unsaved_files: Vec<PathBuf>,
    pub running: bool,
    /// The agent's branch when it exists, and whether it is merged.
    pub branch: Option<String>,
    pub merged: Option<bool>,
    pub commands_enabled: bool,
}

impl SpecFacts {
    /// Runs `f` over the spec's view (the index read-locked, off the async
    /// threads).
    pub fn with_view<R>(&self, f: impl FnOnce(&SpecView) -> R) -> R {
        tokio::task::block_in_place(|| {
            let index = self.project.index();
            f(&SpecView {
                id: &self.id,
                path: &self.path,
                text: &self.text,
                model: &self.model,
                index: &index,
                running: self.running,
                agent_branch: self.branch.as_deref(),
                branch_merged: self.merged,
                commands_enabled: self.commands_enabled,
                nested: self.nested,
                unsaved: self.unsaved,
                unsaved_files: &self.unsaved_files,
            })
        })
    }
}

/// The local file a URI names, when it is a `file:` URI inside one of the
/// workspace's folders (or, with no folder open, inside a chant project
/// the server knows): a command never reaches anything else.
pub fn local_path(session: &Session, uri: &Uri) -> Result<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return Err(invalid_params(format!(
            "`{}` is not a file URI: chant runs only on files of the workspace.",
            uri.as_str()
        )));
    }
    let Some(path) = super::convert::uri_path(uri) else {
        return Err(invalid_params(format!("`{}` names no file.", uri.as_str())));
    };
    let folders = session.folders();
    let inside = if folders.is_empty() {
        session.projects().for_path(&path).is_some()
    } else {
        folders.iter().any(|f| path.starts_with(f))
    };
    if !inside {
        return Err(refuse(format!(
            "{} is outside this workspace's folders: chant runs only in projects of the workspace.",
            path.display()
        )));
    }
    Ok(path)
}

/// The project of a path, loaded if need be.
async fn project_of(session: &Arc<Session>, path: &Path) -> Option<Arc<Project>> {
    let lookup = session.clone();
    let at = path.to_path_buf();
    tokio::task::spawn_blocking(move || lookup.projects().for_path_or_load(&at))
        .await
        .ok()
        .flatten()
}

/// What git says about the agent's branch of spec `id` (nothing is spawned,
/// not even git, unless commands are enabled). `fresh`: ask git now (a
/// run is about to decide on it), not a lookup of the last seconds.
async fn branch_facts(
    session: &Session,
    project: &Project,
    id: &str,
    enabled: bool,
    fresh: bool,
) -> (Option<String>, Option<bool>) {
    if !enabled || !is_safe_id(id) {
        return (None, None);
    }
    let (branch, main) = {
        let index = project.index();
        (
            index.config.branch_for(id),
            index.config.main_branch.clone(),
        )
    };
    let root = &project.root;
    let exists = match fresh {
        true => git::branch_exists(root, &branch).await,
        false => session.branches().exists(root, &branch).await,
    };
    if !exists {
        return (None, None);
    }
    let merged = match fresh {
        true => git::is_merged(root, &branch, &main).await,
        false => session.branches().merged(root, &branch, &main).await,
    };
    (Some(branch), merged)
}

/// A spec a command is about, as chant will read it: its file on disk.
pub async fn for_run(session: &Arc<Session>, uri: &Uri) -> Result<SpecFacts> {
    let path = local_path(session, uri)?;
    let ChantFile::Spec {
        root,
        id,
        top_level,
    } = classify(&path)
    else {
        return Err(refuse(format!(
            "{} is not a chant spec: specs are the .md files in .chant/specs/.",
            path.display()
        )));
    };
    let project = project_of(session, &path)
        .await
        .filter(|p| p.root == root)
        .ok_or_else(|| {
            refuse(format!(
                "{} has no chant project: the folder holding .chant/ needs a .chant/config.md.",
                path.display()
            ))
        })?;
    let files = project.files().clone();
    let read_path = path.clone();
    let disk = tokio::task::spawn_blocking(move || files.read_text(&read_path, Limit::SPEC))
        .await
        .unwrap_or_else(|e| Err(ReadError::Io(e.to_string())));
    let disk = match disk {
        Ok(text) => text,
        Err(ReadError::NotUtf8 { .. }) => {
            return Err(refuse(format!(
                "{} is not UTF-8 text: chant cannot read it.",
                path.display()
            )))
        }
        Err(e) => {
            return Err(refuse(format!(
                "{} cannot be read ({e}): save the spec to disk first.",
                path.display()
            )))
        }
    };
    let (uri, unsaved) = match session.open_buffer(&path) {
        Some((open_uri, _, text)) => (open_uri, text != disk),
        None => (uri.clone(), false),
    };
    let commands_enabled = session.settings().commands_enabled;
    let (branch, merged) = branch_facts(session, &project, &id, commands_enabled, true).await;
    let model = SpecModel::parse(&disk);
    Ok(SpecFacts {
        uri,
        running: session.runs().is_running(&path),
        path,
        id,
        nested: !top_level,
        project,
        text: Arc::new(disk),
        model: Arc::new(model),
        unsaved,
        unsaved_files: edited_files(session, &root),
        branch,
        merged,
        commands_enabled,
    })
}

/// An open spec's current analysis and its facts, for what the editor
/// offers. None for documents that are not specs of a chant project.
pub async fn for_offer(session: &Arc<Session>, uri: &Uri) -> Option<(SpecFacts, Arc<Analysed>)> {
    let key = doc_key(uri);
    let (uri, path, kind) = session
        .documents()
        .with_doc(&key, |d| (d.uri.clone(), d.path.clone(), d.kind.clone()))?;
    let (ChantFile::Spec { id, top_level, .. }, Some(path)) = (kind, path) else {
        return None;
    };
    let analysed = diagnostics::current(session, &key).await?;
    let unsaved = session
        .documents()
        .with_doc(&key, |d| text_hash(analysed.text.as_str()) != d.clean_hash)
        .unwrap_or(false);
    let commands_enabled = session.settings().commands_enabled;
    let (branch, merged) =
        branch_facts(session, &analysed.project, &id, commands_enabled, false).await;
    let facts = SpecFacts {
        uri,
        running: session.runs().is_running(&path),
        path,
        id,
        nested: !top_level,
        project: analysed.project.clone(),
        text: analysed.text.clone(),
        model: analysed.model.clone(),
        unsaved,
        unsaved_files: edited_files(session, &analysed.project.root),
        branch,
        merged,
        commands_enabled,
    };
    Some((facts, analysed))
}

/// The open files of the project at `root` whose buffer changed since it
/// was opened or last saved.
pub fn edited_files(session: &Session, root: &Path) -> Vec<PathBuf> {
    session.documents().with(|docs| {
        docs.values()
            .filter_map(|d| {
                let path = d.path.as_ref().filter(|p| p.starts_with(root))?;
                let edited = text_hash(d.text.rope().to_string().as_str()) != d.clean_hash;
                edited.then(|| path.clone())
            })
            .collect()
    })
}

/// A project a command is about, and what the server knows of it.
pub struct ProjectFacts {
    pub project: Arc<Project>,
    pub commands_enabled: bool,
    pub busy: bool,
    pub running: Vec<PathBuf>,
    pub unsaved: Vec<PathBuf>,
}

impl ProjectFacts {
    /// Runs `f` over the project's view (the index read-locked).
    pub fn with_view<R>(&self, f: impl FnOnce(&ProjectView) -> R) -> R {
        tokio::task::block_in_place(|| {
            let index = self.project.index();
            let running = |path: &Path| self.running.iter().any(|p| p == path);
            f(&ProjectView {
                index: &index,
                commands_enabled: self.commands_enabled,
                busy: self.busy,
                running: &running,
                unsaved: &self.unsaved,
            })
        })
    }
}

/// The project a URI names (its folder or any file in it), or the
/// workspace's only project when none is named.
pub async fn project(session: &Arc<Session>, uri: Option<&Uri>) -> Result<Arc<Project>> {
    let Some(uri) = uri else {
        let projects = session.projects().all();
        return match projects.as_slice() {
            [only] => Ok(only.clone()),
            [] => Err(refuse(
                "No chant project is open in this workspace (no folder holds .chant/).",
            )),
            several => Err(invalid_params(format!(
                "This workspace holds {} chant projects: pass the project folder's URI as the first argument.",
                several.len()
            ))),
        };
    };
    let path = local_path(session, uri)?;
    project_of(session, &path).await.ok_or_else(|| {
        refuse(format!(
            "{} is not in a chant project: no folder above it holds .chant/ (run `chant init` in the project first).",
            path.display()
        ))
    })
}

/// A project's facts for its commands.
pub async fn for_project(session: &Arc<Session>, project: Arc<Project>) -> ProjectFacts {
    ProjectFacts {
        commands_enabled: session.settings().commands_enabled,
        busy: session.runs().is_running(&project_key(&project.root)),
        running: session.runs().running(),
        unsaved: unsaved_specs(session, &project.root).await,
        project,
    }
}

/// The open specs of a project whose buffer is not what is on disk.
async fn unsaved_specs(session: &Session, root: &Path) -> Vec<PathBuf> {
    let specs = root.join(".chant/specs");
    let open: Vec<(PathBuf, String)> = session.documents().with(|docs| {
        docs.values()
            .filter(|d| d.is_spec())
            .filter_map(|d| {
                let path = d.path.clone().filter(|p| p.starts_with(&specs))?;
                let text = d.text.rope().to_string();
                (text_hash(text.as_str()) != d.clean_hash).then_some((path, text))
            })
            .collect()
    });
    let mut dirty: Vec<PathBuf> = tokio::task::spawn_blocking(move || {
        open.into_iter()
            .filter(|(path, text)| {
                RealFs.read_text(path, Limit::SPEC).ok().as_deref() != Some(text.as_str())
            })
            .map(|(path, _)| path)
            .collect()
    })
    .await
    .unwrap_or_default();
    dirty.sort();
    dirty
}

/// The approver's name when a command names none: `chant.approverName`,
/// else `git config user.name` in the project.
pub async fn approver(session: &Session, root: &Path) -> Option<String> {
    match session.settings().approver_name {
        Some(name) => Some(name),
        None => git::user_name(root).await,
    }
}
