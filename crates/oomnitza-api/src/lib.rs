//! What the provider's client and the simulator must agree on about
//! Oomnitza's API: its routes ([`routes`]), each marked as seen in
//! Oomnitza's own connector or modelled by this project, and the filter
//! language of its listings ([`filter`]).
//!
//! It depends on nothing, so the simulator can share it without the
//! provider, and the compiler keeps the two on one table.

pub mod filter;
pub mod routes;

pub use filter::{Filter, FilterError};
pub use routes::{Route, Source};
