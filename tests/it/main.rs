//! The integration tests of backsim, in one binary (one link step).
//!
//! - `exact`: the exact cases of the reference model (section 8) against closed forms,
//!   with tolerances from the standard error.
//! - `oracle`: every column of summary, compare, sprints, runs, sweep (and sensitivity's
//!   tornado) CSVs recomputed from
//!   per-run data with plain code that shares nothing with `src/stats`; `oracle::analysis`
//!   the same for forecast.csv, attribution.csv and sensitivity's Morris columns.
//! - `identity`: perfect information, zero noise, and a scenario compared with itself.
//! - `determinism`: byte-identical outputs whatever the thread count; seeds matter.
//! - `claims`: what the tool exists to show: aligned roles beat the failure modes.
//! - `attribute`: Shapley attribution adds up to the paired difference; the doc table.
//! - `cli`: the command line end to end; `bad_input`: mistakes a newcomer makes, refused.
//! - `floors`: the modules of src/ import only from their own floor or below, without cycles.
//! - `report`: the report's sentences and compare table against the CSVs of its run.
//! - `validate`: `backsim validate`'s files recomputed from per-run data; docs/validation.md.
//! - `throughput`: the throughput model against the frictionless roles model, run by run.
//! - `steady`: runs start from a steady state (the warm-up).
//! - `switches`: the engine's mechanism switches (`scenario::mask`), each through the engine.
//! - `mechanisms`: the mechanisms of docs/model.md §13 through traced runs, against their
//!   equations computed by hand.
//! - `recording`: run metrics recomputed from the events of traced runs.

mod attribute;
mod attribute_mechanism;
mod bad_input;
mod claims;
mod cli;
mod common;
mod determinism;
mod exact;
mod fcharts;
mod floors;
mod forecast;
mod identity;
mod mechanisms;
mod messages;
mod oracle;
mod readme;
mod recording;
mod report;
mod steady;
mod switches;
mod throughput;
mod tracker;
mod validate;
mod vcharts;
