#![allow(dead_code, unused_imports)]
//! Test support for chant-lsp integration tests: `mod support;` then `use support::*;`.
//!
//! - `lsp_client`: `LspClient` (spawns the server, JSON-RPC over stdio, editor-like document
//!   mirror, default answers to server requests), framing and position-encoding helpers.
//! - `workspace`: `TempWorkspace` and `file://` URI helpers.
//!
//! Things to know:
//! - `LspClient::start(opts)` = `spawn` + `initialize`. Requests and notifications before
//!   `initialize()` returns panic (use `send_raw` for protocol-order tests).
//! - Document URIs are compared after `normalize_uri` (`%7E` == `~`), so the server may
//!   re-encode them.
//! - `wait_for_diagnostics(uri)`: for an open document, waits (30 s) until the NEWEST
//!   publication for it carries the buffer's version at the time of the call; a stale (older
//!   version) publication is never returned, and if one arrives after the current one the
//!   wait goes on and fails at its timeout (a server ordering bug). For a document that is not open: the newest publication, whatever its version.
//! - `workspace/applyEdit` (default `ApplyAndAccept`): the whole edit is validated first
//!   (versions, ranges, resource operations) and nothing is applied if any part would fail.
//!   Open buffers get a new version and an incremental `didChange` is sent to the server
//!   BEFORE the `{applied: true}` reply (as editors do); buffers are not saved. Files that are
//!   not open are edited on disk. Renamed/deleted open documents are closed (`didClose`), a
//!   renamed one reopened under its new URI at version 1.
//! - `did_save` writes the buffer to disk first. No `didChangeWatchedFiles` is ever sent on
//!   its own: call `did_change_watched_files` after changing files on disk.
//! - Pull diagnostics and file-operation notifications are not advertised (push only).
//! - `shutdown()` panics if protocol errors were seen (bad frames, responses to unknown ids).
//! - Env: `CHANT_LSP_TEST_STDERR=1` echoes the server's stderr live; `CHANT_LSP_TEST_TRACE=1`
//!   prints every message.

pub mod lsp_client;
pub mod workspace;

pub use lsp_client::*;
pub use workspace::*;
pub mod real_chant;
