//! Running chant commands and everything around a run, protocol-free: the
//! server (`server::jobs`) decides nothing here, it only translates.
//!
//! - [`program`]: the chant executable a run starts.
//! - [`process`] and [`supervisor`]: spawning chant in its own process group
//!   under a supervisor that kills the group on cancel, timeout, shutdown,
//!   or when the server dies by any means; output streamed line by line.
//! - [`job`]: one command's chant runs as an actor that reports to a sink
//!   (the server translates its reports into LSP).
//! - [`registry`]: the runs of a session, one per spec, with cancellation.
//! - [`outcome`]: what a finished run means, as a pure function of facts.
//! - [`output`]: what chant printed, read (the spec it created, the files a
//!   merge stopped on, its error block).
//! - [`merge_back`]: taking chant's rewrite of a file into a buffer the user
//!   edited meanwhile, against a base the buffer is known to have held.
//! - [`merging`]: what the editor does around `chant merge` (specs the
//!   branch deleted kept, applied files out of the way, a merge stopped on
//!   chant's own bookkeeping completed).
//! - [`agent`]: the agent's branch, planned as file-by-file changes.
//! - [`review`]: the agent's branch read for a review (its diff against
//!   the main branch, its commits, the agent's summary), a file at one of
//!   its revisions, the review document under the user's cache.
//! - [`git`]: the git facts the rest needs.

pub mod agent;
pub mod git;
pub mod job;
pub mod merge_back;
pub mod merging;
pub mod outcome;
pub mod output;
pub mod process;
pub mod program;
pub mod registry;
pub mod review;
pub mod supervisor;
pub mod tree;
