//! Text primitives shared by every layer: byte offsets, line tables and the
//! conversion between byte offsets and editor positions in each encoding.
//!
//! Everything inside the analysis works in byte offsets into one `&str`.
//! Positions (line, column) exist only at the edges: the protocol layer and
//! the terminal report. This module is the one place that converts.

pub mod diff;
mod encoding;
mod line_index;
pub mod rope;

pub use encoding::{byte_to_column, column_to_byte, PositionEncoding};
pub use line_index::{LineCol, LineIndex};

/// A half-open byte range into a text.
pub type TextRange = std::ops::Range<usize>;

/// A hash of a text, to tell whether a buffer holds what is on disk
/// without keeping a copy.
pub fn text_hash(text: impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}
