//! backsim: a Monte Carlo simulator of backlog prioritization under PM/PO role scenarios.
//!
//! Data flows one way: [`scenario`] (files, presets, validation) → [`engine`] (replications
//! in parallel, common random numbers) → per-run records → [`stats`] (aggregation) →
//! [`output`] (CSV, charts, report). [`model`] holds the mechanisms the engine plays;
//! [`analysis`] runs many variants of one scenario (sweeps, sensitivity) and tells one run.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod engine;
pub mod error;
pub mod model;
pub mod output;
pub mod scenario;
pub mod stats;
pub mod words;
