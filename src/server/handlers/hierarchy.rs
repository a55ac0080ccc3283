//! `textDocument/prepareCallHierarchy`, `callHierarchy/incomingCalls` and
//! `callHierarchy/outgoingCalls`: the dependency graph of specs
//! (`ide::hierarchy`), translated. An item's `data` carries the spec's ID
//! and its project's root, which is all resolving its calls needs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::json;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::super::convert::TextPositions;
use super::super::session::Session;
use super::ide::{path_uri, with_project, OpenBuffers};
use crate::ide::hierarchy::{self, Node, NodeKind};
use crate::text::{PositionEncoding, TextRange};
use crate::workspace::Project;

/// The protocol item of a spec. A missing ID has no file: it shows at the
/// place that names it (`fallback`).
fn item(
    node: &Node,
    root: &Path,
    encoding: PositionEncoding,
    fallback: Option<(&Uri, Range)>,
) -> Option<CallHierarchyItem> {
    let (uri, range, selection_range) = match &node.path {
        Some(path) => {
            let positions = TextPositions::new(&node.text, encoding);
            let whole = positions.range(&(0..node.text.len()));
            let selection = node.title_range.as_ref().map_or(
                Range {
                    start: whole.start,
                    end: whole.start,
                },
                |r| positions.range(r),
            );
            (path_uri(path)?, whole, selection)
        }
        None => {
            let (uri, range) = fallback?;
            (uri.clone(), range, range)
        }
    };
    Some(CallHierarchyItem {
        name: node.name(),
        kind: SymbolKind::FILE,
        tags: matches!(node.kind, NodeKind::Archived).then(|| vec![SymbolTag::DEPRECATED]),
        detail: Some(node.detail()),
        uri,
        range,
        selection_range,
        data: Some(json!({"id": node.id, "root": root.to_string_lossy()})),
    })
}

fn ranges(text: &str, ranges: &[TextRange], encoding: PositionEncoding) -> Vec<Range> {
    let positions = TextPositions::new(text, encoding);
    ranges.iter().map(|r| positions.range(r)).collect()
}

pub async fn prepare(
    session: &Arc<Session>,
    params: CallHierarchyPrepareParams,
) -> Result<Option<Vec<CallHierarchyItem>>> {
    let position = params.text_document_position_params;
    let uri = position.text_document.uri.clone();
    let encoding = session.encoding();
    let found = with_project(session, &uri, |snap, positions, index| {
        let path = snap.path.as_ref()?;
        let offset = positions.offset(position.position);
        let node = hierarchy::prepare(index, &OpenBuffers(session), path, &snap.model, offset)?;
        let here = positions.range(&(offset..offset));
        item(&node, &index.root, encoding, Some((&uri, here)))
    })
    .await?;
    Ok(found.flatten().map(|item| vec![item]))
}

/// The spec an item is about: its ID and its project.
fn subject(session: &Session, item: &CallHierarchyItem) -> Option<(String, Arc<Project>)> {
    let data = item.data.as_ref()?;
    let id = data.get("id")?.as_str()?.to_string();
    let root = data.get("root").and_then(|r| r.as_str()).map(PathBuf::from);
    let project = match root {
        Some(root) => session
            .projects()
            .all()
            .into_iter()
            .find(|p| p.root == root),
        None => None,
    }
    .or_else(|| session.projects().for_path(&item.uri.to_file_path()?))?;
    Some((id, project))
}

pub async fn incoming(
    session: &Arc<Session>,
    params: CallHierarchyIncomingCallsParams,
) -> Result<Option<Vec<CallHierarchyIncomingCall>>> {
    let Some((id, project)) = subject(session, &params.item) else {
        return Ok(None);
    };
    let encoding = session.encoding();
    let calls = tokio::task::block_in_place(|| {
        let index = project.index();
        hierarchy::incoming(&index, &OpenBuffers(session), &id)
    });
    Ok(Some(
        calls
            .iter()
            .filter_map(|call| {
                Some(CallHierarchyIncomingCall {
                    from: item(&call.node, &project.root, encoding, None)?,
                    from_ranges: ranges(&call.node.text, &call.from_ranges, encoding),
                })
            })
            .collect(),
    ))
}

pub async fn outgoing(
    session: &Arc<Session>,
    params: CallHierarchyOutgoingCallsParams,
) -> Result<Option<Vec<CallHierarchyOutgoingCall>>> {
    let Some((id, project)) = subject(session, &params.item) else {
        return Ok(None);
    };
    let encoding = session.encoding();
    let (text, calls) = tokio::task::block_in_place(|| {
        let index = project.index();
        hierarchy::outgoing(&index, &OpenBuffers(session), &id)
    });
    let uri = params.item.uri.clone();
    // One line index for the spec's text, whatever the number of calls.
    let positions = TextPositions::new(&text, encoding);
    Ok(Some(
        calls
            .iter()
            .filter_map(|call| {
                let from_ranges: Vec<Range> = call
                    .from_ranges
                    .iter()
                    .map(|r| positions.range(r))
                    .collect();
                let at = from_ranges.first().copied().unwrap_or_default();
                Some(CallHierarchyOutgoingCall {
                    to: item(&call.node, &project.root, encoding, Some((&uri, at)))?,
                    from_ranges,
                })
            })
            .collect(),
    ))
}
