//! Only what the client declared: the optional parts of an answer that a
//! client capability gates, dropped or given the form the client takes
//! when it did not declare them. Handlers build the full answer; these are
//! the last step before it goes out. docs/protocol.md lists every gate and
//! the test that checks it.

use tower_lsp_server::ls_types::*;

use super::capabilities::{ClientCaps, Formats, APPLY_FIX};

/// Markdown, or the same text as plain text for a client that takes no
/// Markdown; None for a client that declared neither (it takes a string).
fn markup(formats: Formats, value: String) -> Result<MarkupContent, String> {
    let kind = if formats.markdown {
        MarkupKind::Markdown
    } else if formats.plaintext {
        MarkupKind::PlainText
    } else {
        return Err(value);
    };
    Ok(MarkupContent { kind, value })
}

/// A hover's Markdown as the client takes it (`hover.contentFormat`).
pub fn hover_contents(caps: &ClientCaps, markdown: String) -> HoverContents {
    match markup(caps.hover_formats, markdown) {
        Ok(content) => HoverContents::Markup(content),
        Err(text) => HoverContents::Scalar(MarkedString::String(text)),
    }
}

/// A completion item's Markdown documentation as the client takes it
/// (`completionItem.documentationFormat`).
pub fn documentation(caps: &ClientCaps, markdown: String) -> Documentation {
    match markup(caps.completion_formats, markdown) {
        Ok(content) => Documentation::MarkupContent(content),
        Err(text) => Documentation::String(text),
    }
}

/// A diagnostic's `data` (the fix it offers) only for a client that keeps
/// it (`publishDiagnostics.dataSupport`); code actions never need it back.
/// The server sets no other gated field (related information, tags, code
/// descriptions).
pub fn diagnostic(caps: &ClientCaps, mut d: Diagnostic) -> Diagnostic {
    if !caps.diagnostic_data {
        d.data = None;
    }
    d
}

/// A completion item's kind: a client that declared no kinds takes only
/// Text..Reference (LSP 3.17); folders and enum members become files and
/// values for it.
pub fn completion_kind(caps: &ClientCaps, kind: CompletionItemKind) -> CompletionItemKind {
    if caps.any_completion_kind {
        return kind;
    }
    match kind {
        CompletionItemKind::FOLDER => CompletionItemKind::FILE,
        CompletionItemKind::ENUM_MEMBER => CompletionItemKind::VALUE,
        other => other,
    }
}

/// Document symbols: nested, or flat with their parent's name as the
/// container for a client without hierarchical symbols.
pub fn document_symbols(
    caps: &ClientCaps,
    uri: &Uri,
    symbols: Vec<DocumentSymbol>,
) -> DocumentSymbolResponse {
    if caps.hierarchical_symbols {
        return DocumentSymbolResponse::Nested(symbols);
    }
    #[allow(deprecated)]
    fn flatten(
        uri: &Uri,
        symbols: Vec<DocumentSymbol>,
        container: Option<&str>,
        out: &mut Vec<SymbolInformation>,
    ) {
        for s in symbols {
            out.push(SymbolInformation {
                name: s.name.clone(),
                kind: s.kind,
                tags: None,
                deprecated: None,
                location: Location {
                    uri: uri.clone(),
                    range: s.range,
                },
                container_name: container.map(str::to_string),
            });
            flatten(uri, s.children.unwrap_or_default(), Some(&s.name), out);
        }
    }
    let mut flat = Vec::new();
    flatten(uri, symbols, None, &mut flat);
    DocumentSymbolResponse::Flat(flat)
}

/// At most the client's `foldingRange.rangeLimit` ranges (the first ones).
pub fn folding(caps: &ClientCaps, mut ranges: Vec<FoldingRange>) -> Vec<FoldingRange> {
    if let Some(limit) = caps.folding_limit {
        ranges.truncate(limit);
    }
    ranges
}

/// A link's tooltip only for a client that shows them.
pub fn link(caps: &ClientCaps, mut link: DocumentLink) -> DocumentLink {
    if !caps.link_tooltips {
        link.tooltip = None;
    }
    link
}

/// Code actions as the client takes them: commands only for a client
/// without code action literals; `isPreferred` and `disabled` only when
/// declared; no action that needs `workspace/applyEdit` for a client that
/// cannot take it.
pub fn code_actions(
    caps: &ClientCaps,
    actions: Vec<CodeActionOrCommand>,
) -> Vec<CodeActionOrCommand> {
    let applies = |command: &Option<Command>| {
        caps.apply_edit || command.as_ref().is_none_or(|c| c.command != APPLY_FIX)
    };
    actions
        .into_iter()
        .filter_map(|item| match item {
            CodeActionOrCommand::Command(c) => {
                applies(&Some(c.clone())).then_some(CodeActionOrCommand::Command(c))
            }
            CodeActionOrCommand::CodeAction(mut a) => {
                if (a.disabled.is_some() && !caps.disabled_code_actions) || !applies(&a.command) {
                    return None;
                }
                if !caps.code_action_literals {
                    // A command stands for the action; an edit alone cannot.
                    return match (a.edit, a.command) {
                        (None, Some(c)) => Some(CodeActionOrCommand::Command(c)),
                        _ => None,
                    };
                }
                if !caps.preferred_code_actions {
                    a.is_preferred = None;
                }
                a.diagnostics = a
                    .diagnostics
                    .map(|ds| ds.into_iter().map(|d| diagnostic(caps, d)).collect());
                Some(CodeActionOrCommand::CodeAction(a))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(title: &str, command: Option<&str>, edit: bool) -> CodeActionOrCommand {
        CodeActionOrCommand::CodeAction(CodeAction {
            title: title.into(),
            kind: Some(CodeActionKind::QUICKFIX),
            is_preferred: Some(true),
            edit: edit.then(WorkspaceEdit::default),
            command: command.map(|c| Command {
                title: title.into(),
                command: c.into(),
                arguments: None,
            }),
            ..Default::default()
        })
    }

    fn titles(actions: &[CodeActionOrCommand]) -> Vec<String> {
        actions
            .iter()
            .map(|a| match a {
                CodeActionOrCommand::Command(c) => format!("command {}", c.title),
                CodeActionOrCommand::CodeAction(a) => {
                    format!("action {} preferred {:?}", a.title, a.is_preferred)
                }
            })
            .collect()
    }

    #[test]
    fn code_actions_take_the_form_the_client_declared() {
        let actions = vec![
            action("fix", None, true),
            action("apply fix", Some(APPLY_FIX), false),
            action("work", Some("chant.work"), false),
        ];
        let full = ClientCaps {
            code_action_literals: true,
            preferred_code_actions: true,
            apply_edit: true,
            ..Default::default()
        };
        assert_eq!(
            titles(&code_actions(&full, actions.clone())),
            [
                "action fix preferred Some(true)",
                "action apply fix preferred Some(true)",
                "action work preferred Some(true)"
            ]
        );
        let bare = ClientCaps::default();
        assert_eq!(
            titles(&code_actions(&bare, actions.clone())),
            ["command work"]
        );
        let no_preferred = ClientCaps {
            code_action_literals: true,
            apply_edit: true,
            ..Default::default()
        };
        assert_eq!(
            titles(&code_actions(&no_preferred, actions)),
            [
                "action fix preferred None",
                "action apply fix preferred None",
                "action work preferred None"
            ]
        );
    }

    #[test]
    fn symbols_flatten_and_kinds_fall_back() {
        let uri: Uri = "file:///w/a.md".parse().unwrap();
        #[allow(deprecated)]
        let child = DocumentSymbol {
            name: "status".into(),
            detail: None,
            kind: SymbolKind::FIELD,
            tags: None,
            deprecated: None,
            range: Range::default(),
            selection_range: Range::default(),
            children: None,
        };
        #[allow(deprecated)]
        let parent = DocumentSymbol {
            name: "Frontmatter".into(),
            children: Some(vec![child]),
            kind: SymbolKind::NAMESPACE,
            ..child_like()
        };
        let DocumentSymbolResponse::Flat(flat) =
            document_symbols(&ClientCaps::default(), &uri, vec![parent])
        else {
            panic!("flat for a client without hierarchical symbols")
        };
        let names: Vec<(String, Option<String>)> = flat
            .into_iter()
            .map(|s| (s.name, s.container_name))
            .collect();
        assert_eq!(
            names,
            [
                ("Frontmatter".to_string(), None),
                ("status".to_string(), Some("Frontmatter".to_string()))
            ]
        );
        let caps = ClientCaps::default();
        assert_eq!(
            completion_kind(&caps, CompletionItemKind::FOLDER),
            CompletionItemKind::FILE
        );
        assert_eq!(
            completion_kind(&caps, CompletionItemKind::ENUM_MEMBER),
            CompletionItemKind::VALUE
        );
    }

    #[allow(deprecated)]
    fn child_like() -> DocumentSymbol {
        DocumentSymbol {
            name: String::new(),
            detail: None,
            kind: SymbolKind::FILE,
            tags: None,
            deprecated: None,
            range: Range::default(),
            selection_range: Range::default(),
            children: None,
        }
    }
}
