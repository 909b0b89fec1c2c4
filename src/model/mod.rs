//! The model's mechanisms, one per file, each a plain function of state and its random draws.
//! The engine's roles model (`engine/sprint/`) calls them in the order of a sprint.
//!
//! - [`market`]: strategic themes whose true weights drift and jump.
//! - [`item`]: backlog items: value, urgency, size, estimate, ambiguity, value flow.
//! - [`roles`]: what the PM and the PO see and decide: views, syncs, roadmap shocks, ordering.
//! - [`team`]: capacity, commitment and tech debt.
//! - [`quality`]: defects, bad fixes and wrong builds.
//! - [`compiled`]: a scenario turned into samplers and derived constants, and the oracle's variant.

pub mod compiled;
pub mod item;
pub mod market;
pub mod quality;
pub mod roles;
pub mod team;
