//! backsim: a Monte Carlo simulator of backlog prioritization under PM/PO role scenarios.

pub mod error;
pub mod output;
