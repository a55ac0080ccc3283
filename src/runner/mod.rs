//! Running chant commands and everything around a run, protocol-free: the
//! server (`server::runs`) decides nothing here, it only translates.
//!
//! - [`args`]: validating spec IDs, prompt names, approver names and reasons,
//!   and building the argument vector (never a shell line).
//! - [`process`] and [`supervisor`]: spawning chant in its own process group
//!   under a supervisor that kills the group on cancel, timeout, shutdown,
//!   or when the server dies by any means; output streamed line by line.
//! - [`registry`]: the runs of a session, one per spec, with cancellation.
//! - [`outcome`]: what a finished run means, as a pure function of facts.
//! - [`output`]: what chant printed, read (the spec it created, the files a
//!   merge stopped on, its error block).
//! - [`merge_back`]: taking chant's rewrite of a file into a buffer the user
//!   edited meanwhile, against a base the buffer is known to have held.
//! - [`agent`]: the agent's branch, planned as file-by-file changes.
//! - [`git`]: the git facts the rest needs.

pub mod agent;
pub mod args;
pub mod git;
pub mod merge_back;
pub mod outcome;
pub mod output;
pub mod process;
pub mod registry;
pub mod supervisor;
pub mod tree;

pub use args::{ChantCommand, InvalidArgument};
