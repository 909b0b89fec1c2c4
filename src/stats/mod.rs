//! Pure statistics: running moments, t intervals, bounded-memory quantiles and special
//! functions. The aggregation of a whole comparison lives a floor up, in [`crate::aggregate`].

pub mod counts;
pub mod forecast;
pub mod moments;
pub mod shapley;
pub mod sketch;
pub mod special;

pub use counts::ValueCounts;
pub use moments::{t_quantile_975, Moments};
pub use sketch::{
    quantile_by, quantile_inverse_cdf_by, quantile_inverse_cdf_sorted, quantile_sorted,
    QuantileSketch,
};

/// `x as i64` for x within i64's range; for any other x (NaN, beyond ±2⁶³) an integer i
/// with `i as f64 != x` but for x = -2⁶³, whose `as i64` it is too. So `truncated(x) as f64
/// == x` holds for the same x as with `as i64`, with the same integer, but for x = 2⁶³,
/// whose `as i64` (i64::MAX) is beyond any dense range of counts here (the integer loop of
/// [`QuantileSketch::add_all`], [`ValueCounts::add`]): they take the same values. On x86_64
/// SSE2's truncating conversion (which gives i64::MIN out of range), where a cast
/// saturates (seven instructions with its NaN and range checks).
#[inline(always)]
pub(crate) fn truncated(x: f64) -> i64 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_cvttsd_si64, _mm_set_sd};
        // SAFETY: SSE2 is part of x86_64's baseline (every x86_64 processor has it), and
        // the conversion reads and writes nothing but its registers.
        unsafe { _mm_cvttsd_si64(_mm_set_sd(x)) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        x as i64
    }
}
