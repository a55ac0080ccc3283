//! Protocol translation for the IDE features (completion, hover,
//! navigation, symbols, hints, folding, renames): requests in, `crate::ide`
//! results out, converted to protocol types. No feature logic lives here.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::super::convert::TextPositions;
use super::super::declared;
use super::super::documents::doc_key;
use super::super::edits::{workspace_edit, Change};
use super::super::session::{DocSnapshot, Session};
use crate::ide::{self, completion, hover, navigation, outline, rename, Sources};
use crate::spec::frontmatter::SpecStatus;
use crate::spec::SpecModel;
use crate::syntax::markdown::MarkdownOutline;
use crate::text::TextRange;
use crate::workspace::{ChantFile, ProjectIndex};

/// Other files' text as the editor has it: open buffers first.
pub(super) struct OpenBuffers<'s>(pub(super) &'s Session);

impl Sources for OpenBuffers<'_> {
    fn open_text(&self, path: &Path) -> Option<String> {
        self.0.open_buffer(path).map(|(_, _, text)| text)
    }
}

pub(super) fn path_uri(path: &Path) -> Option<Uri> {
    super::super::convert::file_uri(path)
}

/// Runs a feature over a document of a known project: its snapshot, its
/// position table and its project's index (read-locked for the call, off
/// the async threads). None for documents outside any chant project.
pub(super) async fn with_project<R>(
    session: &Session,
    uri: &Uri,
    feature: impl FnOnce(&DocSnapshot, &TextPositions, &ProjectIndex) -> R,
) -> Result<Option<R>> {
    let mut snap = session.snapshot(uri).await?;
    if snap.project.is_none() && !session.is_indexed() {
        // Only diagnostics answer before the workspace is indexed (with
        // what a spec knows alone); the features that need the project
        // wait for it.
        session.wait_indexed().await;
        snap = session.snapshot(uri).await?;
    }
    let Some(project) = snap.project.clone() else {
        return Ok(None);
    };
    let positions = TextPositions::new(&snap.text, session.encoding());
    let result = tokio::task::block_in_place(|| feature(&snap, &positions, &project.index()));
    Ok(Some(result))
}

/// The Markdown outline of an open spec, its tree brought up to date first
/// (serialised with the document's other analyses, so edits reach the
/// tree in order). None for documents that get no tree.
async fn markdown_outline(
    session: &Arc<Session>,
    uri: &Uri,
) -> Option<(Arc<String>, MarkdownOutline)> {
    let key = doc_key(uri);
    let lock = session
        .documents()
        .with_doc(&key, |d| d.analysis_lock.clone())?;
    let _serial = lock.lock().await;
    let (rope, work) = session
        .documents()
        .with_doc(&key, |d| Some((d.text.rope().clone(), d.take_tree_work()?)))??;
    tokio::task::spawn_blocking(move || {
        let text = rope.to_string();
        let outline = work.outline(&text);
        (Arc::new(text), outline)
    })
    .await
    .ok()
}

pub async fn completion(
    session: &Session,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>> {
    let position = params.text_document_position;
    let retrigger = session
        .caps()
        .runs_client_command("editor.action.triggerSuggest");
    let answer = with_project(
        session,
        &position.text_document.uri,
        |snap, positions, index| {
            let offset = positions.offset(position.position);
            let result = completion::complete(
                &snap.text,
                &snap.model,
                offset,
                &completion::Env {
                    index,
                    file: &snap.kind,
                },
            );
            (result, snap.text.clone())
        },
    )
    .await?;
    let Some((result, text)) = answer else {
        return Ok(None);
    };
    if result.items.is_empty() {
        return Ok(None);
    }
    let positions = TextPositions::new(&text, session.encoding());
    let caps = session.caps();
    let items = result
        .items
        .into_iter()
        .map(|item| to_completion_item(item, &positions, retrigger, caps))
        .collect();
    Ok(Some(CompletionResponse::List(CompletionList {
        is_incomplete: result.incomplete,
        items,
    })))
}

fn to_completion_item(
    item: completion::Item,
    positions: &TextPositions,
    retrigger: bool,
    caps: &super::super::capabilities::ClientCaps,
) -> CompletionItem {
    use completion::ItemKind as K;
    let kind = match item.kind {
        K::Field => CompletionItemKind::PROPERTY,
        K::Value => CompletionItemKind::ENUM_MEMBER,
        K::File => CompletionItemKind::FILE,
        K::Folder => CompletionItemKind::FOLDER,
        K::Spec => CompletionItemKind::REFERENCE,
        K::Prompt => CompletionItemKind::MODULE,
        K::Label => CompletionItemKind::KEYWORD,
        K::Variable => CompletionItemKind::VARIABLE,
    };
    CompletionItem {
        label: item.label,
        kind: Some(declared::completion_kind(caps, kind)),
        detail: item.detail,
        documentation: item
            .documentation
            .map(|value| declared::documentation(caps, value)),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
            range: positions.range(&item.edit),
            new_text: item.new_text,
        })),
        filter_text: item.filter_text,
        sort_text: item.sort_text,
        command: (item.retrigger && retrigger).then(|| Command {
            title: "Suggest".into(),
            command: "editor.action.triggerSuggest".into(),
            arguments: None,
        }),
        ..Default::default()
    }
}

pub async fn hover(session: &Session, params: HoverParams) -> Result<Option<Hover>> {
    let position = params.text_document_position_params;
    let result = with_project(
        session,
        &position.text_document.uri,
        |snap, positions, index| {
            let offset = positions.offset(position.position);
            let sources = OpenBuffers(session);
            let found = match (&snap.kind, &snap.path) {
                (ChantFile::Spec { id, .. }, Some(path)) => hover::hover_spec(
                    index,
                    &snap.model,
                    offset,
                    &sources,
                    hover::HoverSpec {
                        id,
                        text: &snap.text,
                        running: session.runs().is_running(path),
                    },
                ),
                _ => hover::hover(index, &snap.model, offset, &sources),
            };
            found.map(|h| Hover {
                contents: declared::hover_contents(session.caps(), h.markdown),
                range: Some(positions.range(&h.range)),
            })
        },
    )
    .await?;
    Ok(result.flatten())
}

pub async fn definition(
    session: &Session,
    params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>> {
    let position = params.text_document_position_params;
    let target = with_project(
        session,
        &position.text_document.uri,
        |snap, positions, index| {
            navigation::definition(index, &snap.model, positions.offset(position.position))
        },
    )
    .await?;
    Ok(target.flatten().and_then(|t| path_uri(&t.path)).map(|uri| {
        GotoDefinitionResponse::Scalar(Location {
            uri,
            range: Range::default(),
        })
    }))
}

pub async fn references(
    session: &Session,
    params: ReferenceParams,
) -> Result<Option<Vec<Location>>> {
    let position = params.text_document_position;
    let found = with_project(
        session,
        &position.text_document.uri,
        |snap, positions, index| {
            let path = snap.path.as_deref()?;
            let offset = positions.offset(position.position);
            let is_spec = matches!(snap.kind, ChantFile::Spec { .. });
            let subject =
                navigation::subject_at(index, path, is_spec.then_some(&*snap.model), offset)?;
            Some((
                navigation::find_references(index, &subject, &OpenBuffers(session)),
                index.project_files().clone(),
            ))
        },
    )
    .await?;
    let Some((targets, files)) = found.flatten() else {
        return Ok(None);
    };
    let sources = OpenBuffers(session);
    let encoding = session.encoding();
    let mut texts: HashMap<PathBuf, String> = HashMap::new();
    let mut locations = Vec::new();
    for target in targets {
        let Some(uri) = path_uri(&target.path) else {
            continue;
        };
        let text = texts.entry(target.path.clone()).or_insert_with(|| {
            ide::read_source(&files, &sources, &target.path).unwrap_or_default()
        });
        let range = target
            .range
            .map(|r| TextPositions::new(text, encoding).range(&r))
            .unwrap_or_default();
        locations.push(Location { uri, range });
    }
    Ok(Some(locations))
}

pub async fn document_symbol(
    session: &Arc<Session>,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    let uri = params.text_document.uri;
    session.snapshot(&uri).await?;
    let Some((text, markdown)) = markdown_outline(session, &uri).await else {
        return Ok(None);
    };
    let model = SpecModel::parse(&text);
    let positions = TextPositions::new(&text, session.encoding());
    let symbols = outline::document_symbols(&model, &markdown);
    Ok(Some(declared::document_symbols(
        session.caps(),
        &uri,
        symbols
            .into_iter()
            .map(|s| to_symbol(s, &positions))
            .collect(),
    )))
}

#[allow(deprecated)]
fn to_symbol(symbol: outline::Symbol, positions: &TextPositions) -> DocumentSymbol {
    let kind = match symbol.kind {
        outline::SymbolKind::Frontmatter => SymbolKind::NAMESPACE,
        outline::SymbolKind::Field => SymbolKind::FIELD,
        outline::SymbolKind::Title => SymbolKind::FILE,
        outline::SymbolKind::Section => SymbolKind::STRING,
        outline::SymbolKind::Criterion => SymbolKind::BOOLEAN,
    };
    let children: Vec<DocumentSymbol> = symbol
        .children
        .into_iter()
        .map(|c| to_symbol(c, positions))
        .collect();
    DocumentSymbol {
        name: if symbol.name.is_empty() {
            "(empty)".into()
        } else {
            symbol.name
        },
        detail: symbol.detail,
        kind,
        tags: None,
        deprecated: None,
        range: positions.range(&symbol.range),
        selection_range: positions.range(&symbol.selection),
        children: (!children.is_empty()).then_some(children),
    }
}

pub async fn workspace_symbol(
    session: &Session,
    params: WorkspaceSymbolParams,
) -> Result<Option<WorkspaceSymbolResponse>> {
    let projects = session.projects().all();
    let mut found: Vec<(String, Option<String>, SpecStatus, PathBuf, u32)> = Vec::new();
    for project in &projects {
        let index = project.index();
        for entry in outline::workspace_symbols(
            index.specs().chain(index.nested_specs()),
            &params.query,
            200,
        ) {
            found.push((
                entry.id.clone(),
                entry.summary.title.clone(),
                entry.summary.status,
                entry.path.clone(),
                entry.summary.title_line.unwrap_or(0),
            ));
        }
    }
    #[allow(deprecated)]
    let symbols = found
        .into_iter()
        .filter_map(|(id, title, status, path, line)| {
            let uri = path_uri(&path)?;
            let position = Position { line, character: 0 };
            Some(SymbolInformation {
                name: match title {
                    Some(t) => format!("{id} {t}"),
                    None => id,
                },
                kind: SymbolKind::FILE,
                tags: None,
                deprecated: None,
                location: Location {
                    uri,
                    range: Range {
                        start: position,
                        end: position,
                    },
                },
                container_name: Some(status.as_str().to_string()),
            })
        })
        .collect();
    Ok(Some(WorkspaceSymbolResponse::Flat(symbols)))
}

pub async fn inlay_hint(
    session: &Session,
    params: InlayHintParams,
) -> Result<Option<Vec<InlayHint>>> {
    with_project(
        session,
        &params.text_document.uri,
        |snap, positions, index| {
            let within = positions.offset(params.range.start)..positions.offset(params.range.end);
            let mut hints = outline::inlay_hints(index, &snap.model, within.clone());
            if let (ChantFile::Spec { id, .. }, Some(path)) = (&snap.kind, &snap.path) {
                let running = session.runs().is_running(path);
                hints.extend(
                    outline::status_hint(index, &snap.text, &snap.model, id, running)
                        .filter(|(at, _)| within.start <= *at && *at <= within.end),
                );
            }
            hints.sort_by_key(|(at, _)| *at);
            hints
                .into_iter()
                .map(|(at, label)| InlayHint {
                    position: positions.position(at),
                    label: InlayHintLabel::String(label),
                    kind: None,
                    text_edits: None,
                    tooltip: None,
                    padding_left: Some(true),
                    padding_right: None,
                    data: None,
                })
                .collect()
        },
    )
    .await
}

pub async fn document_link(
    session: &Session,
    params: DocumentLinkParams,
) -> Result<Option<Vec<DocumentLink>>> {
    with_project(
        session,
        &params.text_document.uri,
        |snap, positions, index| {
            let mut links = navigation::links(index, &snap.model);
            if let ChantFile::Spec { id, .. } = &snap.kind {
                links.extend(navigation::agent_log_link(index, &snap.model, id));
            }
            links
                .into_iter()
                .filter_map(|(range, path)| {
                    let tooltip = path
                        .strip_prefix(&index.root)
                        .ok()
                        .map(|p| p.display().to_string());
                    Some(declared::link(
                        session.caps(),
                        DocumentLink {
                            range: positions.range(&range),
                            target: Some(path_uri(&path)?),
                            tooltip,
                            data: None,
                        },
                    ))
                })
                .collect()
        },
    )
    .await
}

pub async fn folding_range(
    session: &Arc<Session>,
    params: FoldingRangeParams,
) -> Result<Option<Vec<FoldingRange>>> {
    let uri = params.text_document.uri;
    session.snapshot(&uri).await?;
    let Some((text, markdown)) = markdown_outline(session, &uri).await else {
        return Ok(None);
    };
    let model = SpecModel::parse(&text);
    let positions = TextPositions::new(&text, session.encoding());
    let ranges = outline::folding(&model, &markdown)
        .into_iter()
        .filter_map(|r: TextRange| {
            let (start, end) = (
                positions.position(r.start).line,
                positions.position(r.end).line,
            );
            (end > start).then_some(FoldingRange {
                start_line: start,
                end_line: end,
                ..Default::default()
            })
        })
        .collect();
    Ok(Some(declared::folding(session.caps(), ranges)))
}

pub async fn will_rename_files(
    session: &Session,
    params: RenameFilesParams,
) -> Result<Option<WorkspaceEdit>> {
    let moves: Vec<(PathBuf, PathBuf)> = params
        .files
        .iter()
        .filter_map(|f| {
            let from: Uri = f.old_uri.parse().ok()?;
            let to: Uri = f.new_uri.parse().ok()?;
            Some((
                from.to_file_path()?.into_owned(),
                to.to_file_path()?.into_owned(),
            ))
        })
        .collect();
    let Some(project) = moves
        .first()
        .and_then(|(from, _)| session.projects().for_path(from))
    else {
        return Ok(None);
    };
    let files = tokio::task::block_in_place(|| {
        rename::edits_for_move(&project.index(), &moves, &OpenBuffers(session))
    });
    if files.is_empty() {
        return Ok(None);
    }
    let encoding = session.encoding();
    let changes = files
        .into_iter()
        .filter_map(|file| {
            let uri = path_uri(&file.path)?;
            let edits = TextPositions::new(&file.text, encoding).text_edits(&file.edits);
            let version = session.open_buffer(&file.path).map(|(_, v, _)| v);
            Some(Change::Text {
                uri,
                version,
                edits,
            })
        })
        .collect();
    // A client without versioned edits gets the closed files only: an
    // edit of an open buffer could land on a newer text.
    let (edit, _left_out) = workspace_edit(session.caps(), changes);
    Ok(Some(edit))
}
