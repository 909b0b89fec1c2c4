//! Pure statistics: running moments, t intervals, bounded-memory quantiles and special
//! functions. The aggregation of a whole comparison lives a floor up, in [`crate::aggregate`].

pub mod forecast;
pub mod moments;
pub mod shapley;
pub mod sketch;
pub mod special;

pub use moments::{t_quantile_975, Moments};
pub use sketch::{
    quantile_by, quantile_inverse_cdf_by, quantile_inverse_cdf_sorted, quantile_sorted,
    QuantileSketch,
};
