//! Running chant commands and merging what they wrote. Protocol-free: the
//! server (`server::commands`) turns these results into LSP messages.
//!
//! - [`args`]: validating spec IDs, prompt names, approver names and reasons,
//!   and building the argument vector (never a shell line).
//! - [`process`]: spawning chant in its own process group, streaming its
//!   output, and killing the whole group on cancel, timeout or shutdown.
//! - [`git`]: the agent's branch (`chant/<id>`), its changes and files, the
//!   approver name, and what a run changed in the checkout.

pub mod args;
pub mod git;
pub mod process;

pub use args::{ChantCommand, InvalidArgument};
