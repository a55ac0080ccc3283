//! Protocol translation for the IDE features (completion, hover,
//! navigation, symbols, lenses, hints, renames): requests in, `crate::ide`
//! results out, converted to protocol types. No feature logic lives here.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::json;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::convert::TextPositions;
use super::session::{doc_key, DocSnapshot, Session};
use crate::ide::{self, completion, hover, navigation, outline, rename, Sources};
use crate::spec::frontmatter::SpecStatus;
use crate::spec::SpecModel;
use crate::text::TextRange;
use crate::workspace::ChantFile;

/// The capabilities these features add.
pub fn capabilities(caps: &mut ServerCapabilities) {
    caps.completion_provider = Some(CompletionOptions {
        trigger_characters: Some(
            [":", " ", "/", "-", "[", ",", "{", "\"", "'"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ),
        resolve_provider: Some(false),
        ..Default::default()
    });
    caps.hover_provider = Some(HoverProviderCapability::Simple(true));
    caps.definition_provider = Some(OneOf::Left(true));
    caps.references_provider = Some(OneOf::Left(true));
    caps.document_symbol_provider = Some(OneOf::Left(true));
    caps.workspace_symbol_provider = Some(OneOf::Left(true));
    caps.code_lens_provider = Some(CodeLensOptions {
        resolve_provider: Some(false),
    });
    caps.inlay_hint_provider = Some(OneOf::Left(true));
    caps.document_link_provider = Some(DocumentLinkOptions {
        resolve_provider: Some(false),
        work_done_progress_options: Default::default(),
    });
    caps.folding_range_provider = Some(FoldingRangeProviderCapability::Simple(true));
    let every_file = FileOperationFilter {
        scheme: Some("file".into()),
        pattern: FileOperationPattern {
            glob: "**/*".into(),
            matches: None,
            options: None,
        },
    };
    let workspace = caps.workspace.get_or_insert_with(Default::default);
    workspace.file_operations = Some(WorkspaceFileOperationsServerCapabilities {
        will_rename: Some(FileOperationRegistrationOptions {
            filters: vec![every_file],
        }),
        ..Default::default()
    });
}

/// Other files' text as the editor has it: open buffers first.
struct OpenBuffers<'s>(&'s Session);

impl Sources for OpenBuffers<'_> {
    fn open_text(&self, path: &Path) -> Option<String> {
        let key = path.to_string_lossy().into_owned();
        self.0
            .with_docs(|docs| docs.get(&key).map(|d| d.rope.to_string()))
    }
}

fn path_uri(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

/// A snapshot of a spec document with its project, or None for documents
/// that are not specs in a known project.
fn spec_snapshot(session: &Session, uri: &Uri) -> Result<Option<DocSnapshot>> {
    let snapshot = session.snapshot(uri)?;
    if snapshot.project.is_none() {
        return Ok(None);
    }
    Ok(Some(snapshot))
}

/// Runs a feature over a spec document: its snapshot, its position table and
/// its project's index (read-locked for the call). None for documents that
/// are not specs in a known project.
fn with_spec<R>(
    session: &Session,
    uri: &Uri,
    feature: impl FnOnce(&DocSnapshot, &TextPositions, &crate::workspace::ProjectIndex) -> R,
) -> Result<Option<R>> {
    let Some(snap) = spec_snapshot(session, uri)? else {
        return Ok(None);
    };
    let project = snap
        .project
        .clone()
        .expect("spec_snapshot keeps only specs with a project");
    let positions = TextPositions::new(&snap.text, session.encoding());
    let result = tokio::task::block_in_place(|| {
        let index = project.index.read().unwrap_or_else(|e| e.into_inner());
        feature(&snap, &positions, &index)
    });
    Ok(Some(result))
}

pub async fn completion(
    session: &Session,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>> {
    let position = params.text_document_position;
    let snap = session.snapshot(&position.text_document.uri)?;
    let Some(project) = snap.project.clone() else {
        return Ok(None);
    };
    let positions = TextPositions::new(&snap.text, session.encoding());
    let offset = positions.offset(position.position);
    let retrigger = session.client_is_vscode();
    let result = tokio::task::block_in_place(|| {
        let index = project.index.read().unwrap_or_else(|e| e.into_inner());
        completion::complete(
            &snap.text,
            &snap.model,
            offset,
            &completion::Env {
                index: &index,
                file: &snap.kind,
            },
        )
    });
    if result.items.is_empty() {
        return Ok(None);
    }
    let items = result
        .items
        .into_iter()
        .map(|item| to_completion_item(item, &positions, retrigger))
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
        kind: Some(kind),
        detail: item.detail,
        documentation: item.documentation.map(|value| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            })
        }),
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
    let result = with_spec(
        session,
        &position.text_document.uri,
        |snap, positions, index| {
            let offset = positions.offset(position.position);
            hover::hover(index, &snap.model, offset, &OpenBuffers(session)).map(|h| Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: h.markdown,
                }),
                range: Some(positions.range(&h.range)),
            })
        },
    )?;
    Ok(result.flatten())
}

pub async fn definition(
    session: &Session,
    params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>> {
    let position = params.text_document_position_params;
    let target = with_spec(
        session,
        &position.text_document.uri,
        |snap, positions, index| {
            navigation::definition(index, &snap.model, positions.offset(position.position))
        },
    )?;
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
    let snap = session.snapshot(&position.text_document.uri)?;
    let Some(path) = snap.path.clone() else {
        return Ok(None);
    };
    let Some(project) = snap
        .project
        .clone()
        .or_else(|| session.projects.for_path(&path))
    else {
        return Ok(None);
    };
    let positions = TextPositions::new(&snap.text, session.encoding());
    let offset = positions.offset(position.position);
    let is_spec = matches!(snap.kind, ChantFile::Spec { .. });
    let targets = tokio::task::block_in_place(|| {
        let index = project.index.read().unwrap_or_else(|e| e.into_inner());
        let subject =
            navigation::subject_at(&index, &path, is_spec.then_some(&*snap.model), offset)?;
        Some(navigation::find_references(
            &index,
            &subject,
            &OpenBuffers(session),
        ))
    });
    let Some(targets) = targets else {
        return Ok(None);
    };
    let sources = OpenBuffers(session);
    let files = project
        .index
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .project_files()
        .clone();
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
    session: &Session,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    let uri = params.text_document.uri;
    session.snapshot(&uri)?;
    let Some((_, text, markdown)) = session.markdown_outline(&doc_key(&uri)).await else {
        return Ok(None);
    };
    let model = SpecModel::parse(&text);
    let positions = TextPositions::new(&text, session.encoding());
    let symbols = outline::document_symbols(&model, &markdown);
    Ok(Some(DocumentSymbolResponse::Nested(
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
    let projects = session.projects.all();
    let mut found: Vec<(String, Option<String>, SpecStatus, PathBuf, u32)> = Vec::new();
    for project in &projects {
        let index = project.index.read().unwrap_or_else(|e| e.into_inner());
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

pub async fn code_lens(session: &Session, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
    let Some(snap) = spec_snapshot(session, &params.text_document.uri)? else {
        return Ok(None);
    };
    let positions = TextPositions::new(&snap.text, session.encoding());
    let Some((range, label)) = outline::title_lens(&snap.model) else {
        return Ok(Some(Vec::new()));
    };
    let range = positions.range(&range);
    let uri = json!(snap.uri.as_str());
    let mut lenses = vec![CodeLens {
        range,
        command: Some(Command {
            title: label,
            command: String::new(),
            arguments: None,
        }),
        data: None,
    }];
    let v = snap.model.values();
    let workable = !matches!(
        v.status,
        SpecStatus::Completed | SpecStatus::Cancelled | SpecStatus::InProgress
    );
    if workable {
        lenses.push(CodeLens {
            range,
            command: Some(Command {
                title: "▶ Work".into(),
                command: "chant.work".into(),
                arguments: Some(vec![uri.clone()]),
            }),
            data: None,
        });
    }
    if let Some(approval) = &v.approval {
        use crate::spec::frontmatter::ApprovalStatus;
        if approval.status != ApprovalStatus::Approved {
            lenses.push(CodeLens {
                range,
                command: Some(Command {
                    title: "✓ Approve".into(),
                    command: "chant.approve".into(),
                    arguments: Some(vec![uri.clone()]),
                }),
                data: None,
            });
        }
        if approval.status != ApprovalStatus::Rejected {
            lenses.push(CodeLens {
                range,
                command: Some(Command {
                    title: "✗ Reject…".into(),
                    command: "chant.reject".into(),
                    arguments: Some(vec![uri]),
                }),
                data: None,
            });
        }
    }
    Ok(Some(lenses))
}

pub async fn inlay_hint(
    session: &Session,
    params: InlayHintParams,
) -> Result<Option<Vec<InlayHint>>> {
    with_spec(
        session,
        &params.text_document.uri,
        |snap, positions, index| {
            let within = positions.offset(params.range.start)..positions.offset(params.range.end);
            outline::inlay_hints(index, &snap.model, within)
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
}

pub async fn document_link(
    session: &Session,
    params: DocumentLinkParams,
) -> Result<Option<Vec<DocumentLink>>> {
    with_spec(
        session,
        &params.text_document.uri,
        |snap, positions, index| {
            navigation::links(index, &snap.model)
                .into_iter()
                .filter_map(|(range, path)| {
                    let tooltip = path
                        .strip_prefix(&index.root)
                        .ok()
                        .map(|p| p.display().to_string());
                    Some(DocumentLink {
                        range: positions.range(&range),
                        target: Some(path_uri(&path)?),
                        tooltip,
                        data: None,
                    })
                })
                .collect()
        },
    )
}

pub async fn folding_range(
    session: &Session,
    params: FoldingRangeParams,
) -> Result<Option<Vec<FoldingRange>>> {
    let uri = params.text_document.uri;
    session.snapshot(&uri)?;
    let Some((_, text, markdown)) = session.markdown_outline(&doc_key(&uri)).await else {
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
    Ok(Some(ranges))
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
        .and_then(|(from, _)| session.projects.for_path(from))
    else {
        return Ok(None);
    };
    let files = tokio::task::block_in_place(|| {
        let index = project.index.read().unwrap_or_else(|e| e.into_inner());
        rename::edits_for_move(&index, &moves, &OpenBuffers(session))
    });
    if files.is_empty() {
        return Ok(None);
    }
    let encoding = session.encoding();
    let versioned = session.supports_document_changes();
    let mut document_changes = Vec::new();
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for file in files {
        let Some(uri) = path_uri(&file.path) else {
            continue;
        };
        let positions = TextPositions::new(&file.text, encoding);
        let edits: Vec<TextEdit> = file
            .edits
            .iter()
            .map(|(range, text)| TextEdit {
                range: positions.range(range),
                new_text: text.clone(),
            })
            .collect();
        if versioned {
            let key = file.path.to_string_lossy().into_owned();
            let version = session.with_docs(|docs| docs.get(&key).map(|d| d.version));
            document_changes.push(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            });
        } else {
            changes.insert(uri, edits);
        }
    }
    Ok(Some(if versioned {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(document_changes)),
            ..Default::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }
    }))
}
