//! The engine: one replication, the oracle, and the parallel
//! driver that streams per-run records, in replication order, to the aggregators and writers.

pub mod driver;
pub mod metrics;
pub mod run;
mod sprint;
pub mod tally;
pub mod throughput;
pub mod trace;
pub mod workspace;
pub mod world;

pub use metrics::{Better, MetricInfo, RunRecord, METRICS, N_METRICS, N_SERIES, SERIES};
pub use run::{simulate, simulate_traced};
pub use workspace::Workspace;
