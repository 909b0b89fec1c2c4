//! The rows the plain lane writes ([`PlainRow`]): doubles, or small whole numbers.

use super::*;
use crate::engine::metrics::SmallRow;

/// A sprint's row as [`Plain::play_sprints`] writes it: a row of doubles (every series), or
/// a [`SmallRow`] (the model's five series as bytes) where [`Plain::small_rows`] says its
/// values fit. The same values either way.
pub trait PlainRow: Copy + Send + Sync {
    /// Whether rows of this kind hold every value of `plain`'s runs.
    fn holds(plain: &Plain) -> bool;

    /// Write the sprint's velocity, points committed and done, the items left and, of them,
    /// those not started (as the general lane's `put_row`).
    fn put(&mut self, points: [i64; 3], left: i64, started: i64);

    /// The velocity written.
    fn velocity(&self) -> f64;
}

impl PlainRow for [f64; N_SERIES] {
    fn holds(_: &Plain) -> bool {
        true
    }

    #[inline(always)]
    fn put(&mut self, points: [i64; 3], left: i64, started: i64) {
        put_row(self, points.map(|x| x as f64), left, started);
    }

    #[inline(always)]
    fn velocity(&self) -> f64 {
        self[series::VELOCITY]
    }
}

impl PlainRow for SmallRow {
    fn holds(plain: &Plain) -> bool {
        plain.small_rows()
    }

    /// (Five byte stores: packed into one word, the values took twelve instructions more a
    /// sprint. The bytes after them are left as they are, 0 in the driver's batches.)
    #[inline(always)]
    fn put(&mut self, [velocity, committed, done]: [i64; 3], left: i64, started: i64) {
        let values = [velocity, committed, done, left, left - started];
        debug_assert!(values.iter().all(|v| (0..256).contains(v)), "{values:?}");
        for (byte, v) in self.0.iter_mut().zip(values) {
            *byte = v as u8;
        }
    }

    #[inline(always)]
    fn velocity(&self) -> f64 {
        self.get(series::VELOCITY) as f64
    }
}
