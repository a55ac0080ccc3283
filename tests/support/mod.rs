#![allow(dead_code, unused_imports)]
//! Test support for chant-lsp integration tests: `mod support;` then `use support::*;`.
//!
//! Modules, by concern (everything public is re-exported here):
//! - `client`: `LspClient` and `PendingRequest`: spawns the server, initializes it, requests
//!   and notifications, the process (stderr, shutdown).
//! - `documents`: the editor-like mirror of open documents (`did_open`, `did_change`,
//!   `did_save`, `buffer`, `range_of`...).
//! - `received`: what the server sent and waiting for it (server requests and their
//!   responder, registrations, edits, progress, notifications, diagnostics).
//! - `options`: `ClientOptions`, `ApplyEditMode`, `Responder`, the capabilities the client
//!   advertises, timeouts.
//! - `rpc`: `RpcError` and JSON helpers (`pos`, `range`, `deep_merge`).
//! - `framing`: `Content-Length` framing (`encode_message`, `FrameParser`).
//! - `positions`: `PositionEncoding`, lines as LSP breaks them, offsets and positions.
//! - `text_edits`: applying `didChange` changes and `TextEdit`s to a text.
//! - `workspace`: `TempWorkspace` and `file://` URI helpers.
//! - internal: `state` (what the client has received, the connection, message routing),
//!   `server_requests` (the default answers to server→client requests) and
//!   `workspace_edit` (applying a `WorkspaceEdit` to buffers and disk, all or nothing).
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

pub mod client;
mod documents;
pub mod framing;
pub mod options;
pub mod positions;
mod received;
pub mod rpc;
mod server_requests;
mod state;
pub mod text_edits;
pub mod workspace;
mod workspace_edit;

pub use client::*;
pub use framing::*;
pub use options::*;
pub use positions::*;
pub use rpc::*;
pub use state::{EditRecord, Publication};
pub use text_edits::*;
pub use workspace::*;
pub mod real_chant;
