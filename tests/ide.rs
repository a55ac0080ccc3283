//! Unit tests of the IDE features at their boundary (`chant_lsp::ide`):
//! completion, hover, navigation, outline, previews, renames, code actions
//! and quick fixes, the call hierarchy and semantic tokens, each over a project in memory written as a fixture
//! (`tests/ide/fixture.rs`) with a `$0` cursor, and each checked against an
//! exact expected text (`tests/ide/expect.rs`; `UPDATE_EXPECT=1` rewrites
//! the expectations, to be reviewed before committing).
//!
//! The protocol (positions in UTF-16, JSON) is not involved here: the
//! end-to-end tests (`tests/e2e_*.rs`) check that translation.

#[macro_use]
#[path = "ide/expect.rs"]
mod expect;
#[path = "ide/fixture.rs"]
mod fixture;
#[allow(dead_code)]
#[path = "support/real_chant.rs"]
mod real_chant;

#[path = "ide/actions.rs"]
mod actions;
#[path = "ide/commands.rs"]
mod commands;
#[path = "ide/completion.rs"]
mod completion;
#[path = "ide/hierarchy.rs"]
mod hierarchy;
#[path = "ide/hover.rs"]
mod hover;
#[path = "ide/navigation.rs"]
mod navigation;
#[path = "ide/outline.rs"]
mod outline;
#[path = "ide/positions.rs"]
mod positions;
#[path = "ide/preview.rs"]
mod preview;
#[path = "ide/quality.rs"]
mod quality;
#[path = "ide/real_disk.rs"]
mod real_disk;
#[path = "ide/rename.rs"]
mod rename;
#[path = "ide/review.rs"]
mod review;
#[path = "ide/semantic.rs"]
mod semantic;
#[path = "ide/walkthrough.rs"]
mod walkthrough;
