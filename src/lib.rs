//! backsim: a Monte Carlo simulator of backlog prioritization under PM/PO role scenarios.
//!
//! The modules stand on floors that import only downwards (docs/architecture.md; checked by
//! `tests/it/floors.rs`): foundation ([`random`], [`format`], [`stats`], [`error`]) →
//! [`scenario`] → [`model`] → [`engine`] → [`aggregate`] → [`output`] → commands ([`app`],
//! [`cli`], [`commands`], [`analysis`]). Data flows one way: scenario files → engine (replications in
//! parallel, common random numbers) → per-run records → aggregation → CSV, charts, report.

pub mod aggregate;
pub mod analysis;
pub mod app;
pub mod calendar;
pub mod cli;
pub mod commands;
pub mod engine;
pub mod error;
pub mod format;
pub mod model;
pub mod output;
pub mod random;
pub mod scenario;
pub mod serve;
pub mod stats;
pub mod words;
pub mod workshop;
