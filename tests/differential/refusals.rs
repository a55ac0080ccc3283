//! Refusals: placeholder, filled in below.
