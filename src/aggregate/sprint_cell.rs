//! Per-sprint series across runs: the cells behind the bands of the charts.

use crate::stats::sketch::{nth_counted, quantile_by};
use crate::stats::QuantileSketch;

/// Values kept exactly per series and sprint before the sketch compresses them (fewer than
/// per metric: there are many more series cells).
const SERIES_EXACT_CAP: usize = 1_024;

/// Whole values from 0 to this (exclusive) are counted in a dense array instead of the
/// sketch: most per-sprint values are small counts (items, points of unit items).
const SMALL: usize = 256;

/// One series in one sprint across runs: its band needs only the mean and three quantiles,
/// so it keeps a plain sum (no variance) and skips runs without a value. Small whole values
/// are counted in `small`, the others go to the sketch; the band merges them into the sketch,
/// whose state depends only on the values it was given (not their order or grouping), so
/// the quantiles are those of one sketch fed value by value.
#[derive(Debug, Clone)]
pub(super) struct SprintCell {
    sum: f64,
    /// `small[v]`: values equal to the whole number v (allocated on first use).
    small: Vec<u64>,
    sketch: QuantileSketch,
}

impl SprintCell {
    pub(super) fn new() -> Self {
        SprintCell {
            sum: 0.0,
            small: Vec::new(),
            sketch: QuantileSketch::new(SERIES_EXACT_CAP),
        }
    }

    #[inline(always)]
    pub(super) fn add(&mut self, x: f64) {
        if !x.is_nan() {
            self.sum += x;
            // `as i64` is one instruction (`as usize` saturates in several); a negative or
            // huge value fails the bound as a u64.
            let i = x as i64;
            if i as f64 == x && (i as u64) < self.small.len() as u64 {
                self.small[i as usize] += 1;
            } else {
                self.add_other(x);
            }
        }
    }

    /// The slow path of [`SprintCell::add`]: a first small value, or a value for the sketch.
    #[inline(never)]
    fn add_other(&mut self, x: f64) {
        let i = x as usize;
        if i as f64 == x && i < SMALL {
            self.small = vec![0; SMALL];
            self.small[i] += 1;
        } else {
            self.sketch.add(x);
        }
    }

    pub(super) fn merge(&mut self, other: &SprintCell) {
        self.sum += other.sum;
        if !other.small.is_empty() {
            if self.small.is_empty() {
                self.small = vec![0; SMALL];
            }
            for (a, b) in self.small.iter_mut().zip(&other.small) {
                *a += b;
            }
        }
        self.sketch.merge(&other.sketch);
    }

    /// Add `counts[v]` values equal to v for each v (below [`SMALL`]): the same cell as if
    /// they had been added one by one when every value this cell gets is a whole number (the
    /// sum is then exact in any order, and the counts do not depend on it).
    pub(super) fn absorb(&mut self, counts: &[u64]) {
        assert!(counts.len() <= SMALL);
        if counts.iter().all(|&c| c == 0) {
            return;
        }
        let mut sum = 0u64;
        for (v, &c) in counts.iter().enumerate() {
            sum += v as u64 * c;
        }
        // Exact: whole values below 2⁵³ in all.
        self.sum += sum as f64;
        if self.small.is_empty() {
            self.small = vec![0; SMALL];
        }
        for (a, &c) in self.small.iter_mut().zip(counts) {
            *a += c;
        }
    }

    /// Values with a value (small or not).
    pub(super) fn count(&self) -> u64 {
        self.small.iter().sum::<u64>() + self.sketch.count()
    }

    /// (mean, p10, p50, p90).
    pub(super) fn band(&self) -> Band {
        let n = self.count();
        if self.sketch.total() == 0 {
            return self.small_band(n);
        }
        let mut sketch = self.sketch.clone();
        for (v, &c) in self.small.iter().enumerate() {
            sketch.add_n(v as f64, c);
        }
        (
            if n > 0 { self.sum / n as f64 } else { f64::NAN },
            sketch.quantile(0.10),
            sketch.quantile(0.50),
            sketch.quantile(0.90),
        )
    }
}

impl SprintCell {
    /// [`SprintCell::band`] of a cell whose `n` values are all small whole ones (its sketch
    /// is empty): the quantiles' order statistics read from the counts. The same bits: the
    /// sketch fed the counts would hold the same values, exactly (up to its cap, sorted) or
    /// as counts per integer (past it: they span fewer than 256), and give the same k-th
    /// smallest value to the same [`quantile_by`].
    fn small_band(&self, n: u64) -> Band {
        let nth = |k: u64| nth_counted(&self.small, k).map_or(f64::INFINITY, |v| v as f64);
        (
            if n > 0 { self.sum / n as f64 } else { f64::NAN },
            quantile_by(n, 0.10, nth),
            quantile_by(n, 0.50, nth),
            quantile_by(n, 0.90, nth),
        )
    }
}

/// A per-sprint band: (mean, p10, p50, p90).
pub(super) type Band = (f64, f64, f64, f64);
