//! Self-tests of the test harness in `tests/support/` (no real server needed: a fake server in
//! Python plays the server's part), one module per concern of `tests/support/`.

mod support;

#[path = "harness_selftest/client.rs"]
mod client;
#[path = "harness_selftest/framing.rs"]
mod framing;
#[path = "harness_selftest/positions.rs"]
mod positions;
#[path = "harness_selftest/workspace.rs"]
mod workspace;

use std::time::Duration;

/// How long the fake server gets for anything.
pub const T: Duration = Duration::from_secs(10);

/// The message of a caught panic.
pub fn panic_text(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}
