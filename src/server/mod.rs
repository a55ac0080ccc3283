//! The LSP protocol layer.

/// Serve LSP on stdin/stdout until the client exits.
pub fn run_stdio() {
    eprintln!("chant-lsp: the language server is not built yet");
}
