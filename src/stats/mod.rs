//! Statistics: running moments, t intervals, bounded-memory quantiles, paired comparisons,
//! and the aggregation of a whole comparison, fed one replication at a time in order.

pub mod aggregate;
pub mod forecast;
pub mod moments;
pub mod sketch;
pub mod special;

pub use aggregate::{Aggregate, MetricSummary, PairSummary};
pub use moments::{t_quantile_975, Moments};
pub use sketch::{quantile_by, quantile_sorted, QuantileSketch};
