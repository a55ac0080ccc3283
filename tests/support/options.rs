//! How the test client is started and how it behaves: program, settings, capabilities it
//! advertises, answers to `workspace/applyEdit`, timeouts.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use super::rpc::RpcError;

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// How the client answers `workspace/applyEdit`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ApplyEditMode {
    /// Check versions, apply to buffers / disk, send `didChange`, answer `{applied: true}`.
    #[default]
    ApplyAndAccept,
    /// Answer `{applied: false, failureReason}` without applying anything.
    Reject,
    /// Never answer (tests that the server does not stall).
    Hang,
}

/// A responder consulted before the default one for every server→client request. Return
/// `None` to fall back to the default answer.
pub type Responder = Box<dyn Fn(&str, &Value) -> Option<Result<Value, RpcError>> + Send>;

pub struct ClientOptions {
    /// Default: the `chant-lsp` binary cargo built for this test.
    pub program: Option<PathBuf>,
    /// Default: `["--stdio"]`.
    pub args: Vec<String>,
    /// Offered in `general.positionEncodings`, in order. Default `["utf-16"]`.
    pub position_encodings: Vec<&'static str>,
    /// What `workspace/configuration` answers for section `chant`. Default `{}`.
    pub settings: Value,
    pub initialization_options: Option<Value>,
    /// Extra environment for the server (`RUST_BACKTRACE=1` is added unless given here).
    pub env: Vec<(String, String)>,
    /// Working folder of the server; default: inherited (the test's).
    pub cwd: Option<PathBuf>,
    pub workspace_folders: Vec<PathBuf>,
    /// `rootUri`; default: the first workspace folder.
    pub root: Option<PathBuf>,
    /// Deep-merged into the default client capabilities (`null` deletes a key).
    pub capabilities_patch: Option<Value>,
    pub apply_edit: ApplyEditMode,
    /// Default timeout of `request` and the diagnostics waits. Default 30 s.
    pub timeout: Duration,
    /// Copy the server's stderr to the test's stderr as it comes (default: env
    /// `CHANT_LSP_TEST_STDERR` is set).
    pub echo_stderr: bool,
    /// Print every message in both directions to stderr (default: env `CHANT_LSP_TEST_TRACE`).
    pub trace: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            program: None,
            args: vec!["--stdio".to_string()],
            position_encodings: vec!["utf-16"],
            settings: json!({}),
            initialization_options: None,
            env: Vec::new(),
            cwd: None,
            workspace_folders: Vec::new(),
            root: None,
            capabilities_patch: None,
            apply_edit: ApplyEditMode::ApplyAndAccept,
            timeout: DEFAULT_TIMEOUT,
            echo_stderr: std::env::var_os("CHANT_LSP_TEST_STDERR").is_some(),
            trace: std::env::var_os("CHANT_LSP_TEST_TRACE").is_some(),
        }
    }
}

impl ClientOptions {
    /// Options for one workspace folder: root and the only workspace folder.
    pub fn for_folder(path: &Path) -> ClientOptions {
        ClientOptions {
            root: Some(path.to_path_buf()),
            workspace_folders: vec![path.to_path_buf()],
            ..ClientOptions::default()
        }
    }
}

/// The capabilities a modern editor advertises (VS Code-like, push diagnostics only, and
/// the `chant/specListChanged` notification chant-lsp's VS Code extension declares).
pub fn default_client_capabilities(position_encodings: &[&str]) -> Value {
    let completion_kinds: Vec<u32> = (1..=25).collect();
    let symbol_kinds: Vec<u32> = (1..=26).collect();
    json!({
        "general": {
            "positionEncodings": position_encodings,
            "markdown": {"parser": "marked", "version": "1.1.0"},
            "regularExpressions": {"engine": "ECMAScript", "version": "ES2020"},
            "staleRequestSupport": {"cancel": true, "retryOnContentModified": []}
        },
        "textDocument": {
            "synchronization": {"dynamicRegistration": false, "willSave": false,
                                "willSaveWaitUntil": false, "didSave": true},
            "publishDiagnostics": {"relatedInformation": true, "versionSupport": true,
                                   "tagSupport": {"valueSet": [1, 2]},
                                   "codeDescriptionSupport": true, "dataSupport": true},
            "completion": {
                "dynamicRegistration": false,
                "contextSupport": true,
                "insertTextMode": 2,
                "completionItem": {
                    "snippetSupport": false,
                    "commitCharactersSupport": true,
                    "documentationFormat": ["markdown", "plaintext"],
                    "deprecatedSupport": true,
                    "preselectSupport": true,
                    "tagSupport": {"valueSet": [1]},
                    "insertReplaceSupport": true,
                    "resolveSupport": {"properties": ["documentation", "detail", "additionalTextEdits"]},
                    "insertTextModeSupport": {"valueSet": [1, 2]},
                    "labelDetailsSupport": true
                },
                "completionItemKind": {"valueSet": completion_kinds},
                "completionList": {"itemDefaults": ["commitCharacters", "editRange",
                                                    "insertTextFormat", "insertTextMode", "data"]}
            },
            "hover": {"dynamicRegistration": false, "contentFormat": ["markdown", "plaintext"]},
            "definition": {"dynamicRegistration": false, "linkSupport": true},
            "references": {"dynamicRegistration": false},
            "documentHighlight": {"dynamicRegistration": false},
            "documentSymbol": {"dynamicRegistration": false,
                               "hierarchicalDocumentSymbolSupport": true,
                               "symbolKind": {"valueSet": symbol_kinds},
                               "labelSupport": true},
            "codeAction": {
                "dynamicRegistration": false,
                "codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
                    "", "quickfix", "refactor", "refactor.extract", "refactor.inline",
                    "refactor.rewrite", "source", "source.organizeImports", "source.fixAll"]}},
                "isPreferredSupport": true,
                "disabledSupport": true,
                "dataSupport": true,
                "resolveSupport": {"properties": ["edit"]},
                "honorsChangeAnnotations": false
            },
            "codeLens": {"dynamicRegistration": false},
            "documentLink": {"dynamicRegistration": false, "tooltipSupport": true},
            "formatting": {"dynamicRegistration": false},
            "rename": {"dynamicRegistration": false, "prepareSupport": true,
                       "prepareSupportDefaultBehavior": 1, "honorsChangeAnnotations": false},
            "foldingRange": {"dynamicRegistration": false, "lineFoldingOnly": true},
            "selectionRange": {"dynamicRegistration": false},
            "inlayHint": {"dynamicRegistration": false,
                          "resolveSupport": {"properties": ["tooltip", "textEdits", "label.tooltip",
                                                            "label.location", "label.command"]}},
            "semanticTokens": {
                "dynamicRegistration": false,
                "requests": {"range": true, "full": {"delta": true}},
                "tokenTypes": ["namespace", "type", "class", "enum", "interface", "struct",
                               "typeParameter", "parameter", "variable", "property", "enumMember",
                               "event", "function", "method", "macro", "keyword", "modifier",
                               "comment", "string", "number", "regexp", "operator", "decorator"],
                "tokenModifiers": ["declaration", "definition", "readonly", "static", "deprecated",
                                   "abstract", "async", "modification", "documentation",
                                   "defaultLibrary"],
                "formats": ["relative"],
                "overlappingTokenSupport": false,
                "multilineTokenSupport": false
            }
        },
        "workspace": {
            "applyEdit": true,
            "workspaceEdit": {"documentChanges": true,
                              "resourceOperations": ["create", "rename", "delete"],
                              "failureHandling": "textOnlyTransactional",
                              "normalizesLineEndings": false},
            "didChangeConfiguration": {"dynamicRegistration": false},
            "didChangeWatchedFiles": {"dynamicRegistration": true, "relativePatternSupport": true},
            "symbol": {"dynamicRegistration": false},
            "executeCommand": {"dynamicRegistration": false},
            "workspaceFolders": true,
            "configuration": true,
            "codeLens": {"refreshSupport": true},
            "inlayHint": {"refreshSupport": true},
            "semanticTokens": {"refreshSupport": true}
        },
        "window": {
            "workDoneProgress": true,
            "showMessage": {"messageActionItem": {"additionalPropertiesSupport": true}},
            "showDocument": {"support": true}
        },
        // As chant-lsp's VS Code extension declares it.
        "experimental": {"chant": {"specListChanged": true}}
    })
}
