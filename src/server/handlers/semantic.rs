//! `textDocument/semanticTokens/full`: `ide::semantic`'s tokens, encoded
//! relative to each other in the negotiated position encoding.

use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::super::convert::TextPositions;
use super::super::session::Session;
use super::ide::with_project;
use crate::ide::semantic::{self, Token, TokenKind};

/// Tokens as the protocol encodes them (each relative to the one before).
pub fn encode(tokens: &[Token], positions: &TextPositions) -> Vec<SemanticToken> {
    let mut out = Vec::with_capacity(tokens.len());
    let (mut line, mut start) = (0u32, 0u32);
    for token in tokens {
        let from = positions.position(token.range.start);
        let to = positions.position(token.range.end);
        if to.line != from.line || to.character <= from.character {
            continue;
        }
        let delta_line = from.line - line;
        let delta_start = if delta_line == 0 {
            from.character - start
        } else {
            from.character
        };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length: to.character - from.character,
            token_type: TokenKind::ALL
                .iter()
                .position(|k| *k == token.kind)
                .unwrap_or(0) as u32,
            token_modifiers_bitset: token.modifiers.iter().map(|m| m.bit()).sum(),
        });
        line = from.line;
        start = from.character;
    }
    out
}

pub async fn full(
    session: &Arc<Session>,
    params: SemanticTokensParams,
) -> Result<Option<SemanticTokensResult>> {
    let found = with_project(
        session,
        &params.text_document.uri,
        |snap, positions, index| {
            let tokens = semantic::tokens(&snap.text, &snap.model, index);
            encode(&tokens, positions)
        },
    )
    .await?;
    Ok(found.map(|data| {
        SemanticTokensResult::Tokens(SemanticTokens {
            result_id: None,
            data,
        })
    }))
}
