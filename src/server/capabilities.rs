//! What the client can do, resolved once at `initialize` into plain flags
//! (nothing else looks at the raw capabilities), and what the server offers
//! in return.

use tower_lsp_server::ls_types::*;

use crate::ide::commands::{
    ADD, APPLY_AGENT_CHANGES, APPROVE, ARCHIVE, ARCHIVE_BY_LABEL, CANCEL, MERGE, MERGE_ALL, REJECT,
    RESET, REVIEW, SHOW_LOG, SPLIT, VERIFY, WORK, WORK_WITH,
};
use crate::ide::semantic::{Modifier, TokenKind};
use crate::text::PositionEncoding;

/// The commands `workspace/executeCommand` runs.
pub const COMMANDS: &[&str] = &[
    WORK,
    WORK_WITH,
    APPROVE,
    REJECT,
    APPLY_AGENT_CHANGES,
    ADD,
    MERGE,
    MERGE_ALL,
    ARCHIVE,
    ARCHIVE_BY_LABEL,
    RESET,
    CANCEL,
    VERIFY,
    SPLIT,
    SHOW_LOG,
    REVIEW,
    APPLY_FIX,
    OPEN,
];

/// Applies a quick fix's edits after checking the document is still at the
/// version they were computed for (for clients without versioned edits).
pub const APPLY_FIX: &str = "chant.applyFix";

/// Shows a file of the workspace for editing (`window/showDocument`): a
/// prompt a quick fix created, for instance.
pub const OPEN: &str = "chant.open";

/// The client's abilities that change what the server sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientCaps {
    pub encoding: PositionEncoding,
    /// Versioned `documentChanges` in workspace edits.
    pub document_changes: bool,
    /// `documentChanges` may create and delete files.
    pub file_operations: bool,
    /// `documentChanges` may create files.
    pub create_files: bool,
    /// `window/workDoneProgress/create` and `$/progress`.
    pub progress: bool,
    /// `workspace/didChangeWatchedFiles` registered dynamically.
    pub watch_dynamic: bool,
    /// `workspace/configuration`.
    pub configuration: bool,
    /// `window/showDocument`.
    pub show_document: bool,
    /// Code actions may be shown disabled, with the reason.
    pub disabled_code_actions: bool,
    /// `textDocument/diagnostic` and `workspace/diagnostic/refresh`: the
    /// client pulls diagnostics (and gets none pushed).
    pub pull_diagnostics: bool,
    /// `workspace/diagnostic/refresh`.
    pub diagnostic_refresh: bool,
    /// `workspace/semanticTokens/refresh`.
    pub semantic_tokens_refresh: bool,
    /// `workspace/inlayHint/refresh`.
    pub inlay_hint_refresh: bool,
    /// Client-side commands the client says it runs (rust-analyzer's
    /// `experimental.commands.commands`), e.g. `editor.action.triggerSuggest`.
    pub client_commands: Vec<String>,
    /// `workspace/applyEdit`.
    pub apply_edit: bool,
    /// What hovers may hold (`hover.contentFormat`).
    pub hover_formats: Formats,
    /// What completion items' documentation may hold
    /// (`completionItem.documentationFormat`).
    pub completion_formats: Formats,
    /// `completionItemKind.valueSet` declared (the client then takes any
    /// kind); without it only Text..Reference.
    pub any_completion_kind: bool,
    /// `documentLink.tooltipSupport`.
    pub link_tooltips: bool,
    /// `documentSymbol.hierarchicalDocumentSymbolSupport`; else flat
    /// `SymbolInformation`.
    pub hierarchical_symbols: bool,
    /// `foldingRange.rangeLimit`.
    pub folding_limit: Option<usize>,
    /// `codeAction.codeActionLiteralSupport`; else commands only.
    pub code_action_literals: bool,
    /// `codeAction.isPreferredSupport`.
    pub preferred_code_actions: bool,
    /// `publishDiagnostics.dataSupport`: a diagnostic may carry `data`.
    pub diagnostic_data: bool,
    /// `experimental.chant.specListChanged`: the client takes the
    /// `chant/specListChanged` notification.
    pub spec_list_changed: bool,
    /// `experimental.chant.showReview`: the client shows a review itself
    /// when sent `chant/showReview` (VS Code's multi-file diff editor).
    pub show_review: bool,
}

/// The markup kinds a client declared for some text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Formats {
    pub markdown: bool,
    pub plaintext: bool,
}

impl Formats {
    fn of(declared: Option<&Vec<MarkupKind>>) -> Formats {
        let has = |kind: MarkupKind| declared.is_some_and(|d| d.contains(&kind));
        Formats {
            markdown: has(MarkupKind::Markdown),
            plaintext: has(MarkupKind::PlainText),
        }
    }
}

impl ClientCaps {
    pub fn from_params(params: &InitializeParams) -> ClientCaps {
        let c = &params.capabilities;
        let workspace = c.workspace.as_ref();
        let edit = workspace.and_then(|w| w.workspace_edit.as_ref());
        let document_changes = edit.and_then(|e| e.document_changes).unwrap_or(false);
        let operations = edit
            .and_then(|e| e.resource_operations.clone())
            .unwrap_or_default();
        let client_commands = c
            .experimental
            .as_ref()
            .and_then(|e| e.pointer("/commands/commands"))
            .and_then(|v| v.as_array())
            .map(|list| {
                list.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let diagnostic_refresh = workspace
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false);
        let text = c.text_document.as_ref();
        let completion_item = text
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref());
        let code_action = text.and_then(|t| t.code_action.as_ref());
        let experimental = |pointer: &str| {
            c.experimental
                .as_ref()
                .and_then(|e| e.pointer(pointer))
                .and_then(|v| v.as_bool())
                .unwrap_or(false)
        };
        let show_review = experimental("/chant/showReview");
        ClientCaps {
            show_review,
            encoding: negotiate_encoding(params),
            document_changes,
            file_operations: document_changes
                && operations.contains(&ResourceOperationKind::Create)
                && operations.contains(&ResourceOperationKind::Delete),
            create_files: document_changes && operations.contains(&ResourceOperationKind::Create),
            progress: c
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            watch_dynamic: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
            show_document: c
                .window
                .as_ref()
                .and_then(|w| w.show_document.as_ref())
                .is_some_and(|s| s.support),
            disabled_code_actions: c
                .text_document
                .as_ref()
                .and_then(|t| t.code_action.as_ref())
                .and_then(|a| a.disabled_support)
                .unwrap_or(false),
            // Pulled only by a client that can be asked to pull again: a
            // spec's diagnostics change with other files, on disk too, and
            // a client that cannot be told keeps stale ones (Neovim 0.11
            // pulls only when a buffer changes). Others get them pushed.
            pull_diagnostics: diagnostic_refresh
                && c.text_document
                    .as_ref()
                    .is_some_and(|t| t.diagnostic.is_some()),
            diagnostic_refresh,
            semantic_tokens_refresh: workspace
                .and_then(|w| w.semantic_tokens.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            inlay_hint_refresh: workspace
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            client_commands,
            apply_edit: workspace.and_then(|w| w.apply_edit).unwrap_or(false),
            hover_formats: Formats::of(
                text.and_then(|t| t.hover.as_ref())
                    .and_then(|h| h.content_format.as_ref()),
            ),
            completion_formats: Formats::of(
                completion_item.and_then(|i| i.documentation_format.as_ref()),
            ),
            any_completion_kind: text
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item_kind.as_ref())
                .is_some_and(|k| k.value_set.is_some()),
            link_tooltips: text
                .and_then(|t| t.document_link.as_ref())
                .and_then(|l| l.tooltip_support)
                .unwrap_or(false),
            hierarchical_symbols: text
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|s| s.hierarchical_document_symbol_support)
                .unwrap_or(false),
            folding_limit: text
                .and_then(|t| t.folding_range.as_ref())
                .and_then(|f| f.range_limit)
                .map(|n| n as usize),
            code_action_literals: code_action
                .is_some_and(|a| a.code_action_literal_support.is_some()),
            preferred_code_actions: code_action
                .and_then(|a| a.is_preferred_support)
                .unwrap_or(false),
            diagnostic_data: text
                .and_then(|t| t.publish_diagnostics.as_ref())
                .and_then(|d| d.data_support)
                .unwrap_or(false),
            spec_list_changed: experimental("/chant/specListChanged"),
        }
    }

    pub fn runs_client_command(&self, command: &str) -> bool {
        self.client_commands.iter().any(|c| c == command)
    }
}

/// utf-8 when offered, else utf-32, else utf-16 (the protocol's default).
fn negotiate_encoding(params: &InitializeParams) -> PositionEncoding {
    let offered: Vec<PositionEncoding> = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .map(|list| {
            list.iter()
                .filter_map(|k| PositionEncoding::parse(k.as_str()))
                .collect()
        })
        .unwrap_or_default();
    [PositionEncoding::Utf8, PositionEncoding::Utf32]
        .into_iter()
        .find(|e| offered.contains(e))
        .unwrap_or(PositionEncoding::Utf16)
}

fn encoding_kind(encoding: PositionEncoding) -> PositionEncodingKind {
    match encoding {
        PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        PositionEncoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

/// Everything the server offers.
pub fn server_capabilities(caps: &ClientCaps) -> ServerCapabilities {
    let every_file = FileOperationFilter {
        scheme: Some("file".into()),
        pattern: FileOperationPattern {
            glob: "**/*".into(),
            matches: None,
            options: None,
        },
    };
    ServerCapabilities {
        position_encoding: Some(encoding_kind(caps.encoding)),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(
                [":", " ", "/", "-", "[", ",", "{", "\"", "'"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            ),
            resolve_provider: Some(false),
            ..Default::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        inlay_hint_provider: Some(OneOf::Left(true)),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        }),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::REFACTOR_REWRITE,
                CodeActionKind::EMPTY,
            ]),
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        })),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: COMMANDS.iter().map(|c| c.to_string()).collect(),
            work_done_progress_options: Default::default(),
        }),
        diagnostic_provider: caps.pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("chant".into()),
                inter_file_dependencies: true,
                workspace_diagnostics: true,
                work_done_progress_options: Default::default(),
            })
        }),
        call_hierarchy_provider: Some(CallHierarchyServerCapability::Simple(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: Some(false),
                work_done_progress_options: Default::default(),
            },
        )),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: Some(WorkspaceFileOperationsServerCapabilities {
                will_rename: Some(FileOperationRegistrationOptions {
                    filters: vec![every_file],
                }),
                ..Default::default()
            }),
        }),
        ..Default::default()
    }
}

fn type_name(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::SpecId => "variable",
        TokenKind::Status => "enumMember",
        TokenKind::Field => "property",
        TokenKind::Criterion => "keyword",
    }
}

fn modifier_name(modifier: Modifier) -> &'static str {
    match modifier {
        Modifier::Dangling => "dangling",
        Modifier::Archived => "archived",
        Modifier::Done => "done",
        Modifier::Unknown => "unknown",
        Modifier::Deprecated => "deprecated",
    }
}

/// Token types (standard ones) and modifiers (chant's, and the standard
/// `deprecated`), in the order the encoded tokens refer to them.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TokenKind::ALL
            .iter()
            .map(|k| SemanticTokenType::new(type_name(*k)))
            .collect(),
        token_modifiers: Modifier::ALL
            .iter()
            .map(|m| SemanticTokenModifier::new(modifier_name(*m)))
            .collect(),
    }
}
