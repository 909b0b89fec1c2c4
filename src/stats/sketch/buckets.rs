//! The log buckets of [`super::QuantileSketch`]: values past the cap that are not all
//! integers are counted per bucket of 0.5 % relative width, dense over the indices seen.

/// Relative accuracy of the log buckets.
pub(super) const ALPHA: f64 = 0.005;

/// Counts per log bucket, dense over the indices seen (a slice index instead of a tree
/// search per value): zero apart, positive and negative values each in a run of buckets
/// from the smallest magnitude seen to the largest. Values of one sign within a factor of
/// 10⁶ of each other span about 2 800 buckets (22 KiB); the whole range of doubles about
/// 74 000.
#[derive(Debug, Clone, Default)]
pub(super) struct LogBuckets {
    /// The buckets of recent values (empty: none kept; see [`QuantileSketch::with_bucket_cache`]).
    pub(super) recent: RecentBuckets,
    zero: u64,
    /// Buckets of positive values, by index (≥ 1).
    positive: DenseCounts,
    /// Buckets of negative values, by the index's magnitude (≥ 1).
    negative: DenseCounts,
}

/// Counts for the indices `lo..lo + counts.len()`.
#[derive(Debug, Clone, Default)]
struct DenseCounts {
    lo: i32,
    counts: Vec<u64>,
}

impl DenseCounts {
    #[inline]
    fn add(&mut self, i: i32, count: u64) {
        // Below `lo` the difference wraps to a huge index and fails the bound.
        let k = i.wrapping_sub(self.lo) as u32 as usize;
        if k < self.counts.len() {
            self.counts[k] += count;
        } else {
            self.grow_add(i, count);
        }
    }

    #[cold]
    fn grow_add(&mut self, i: i32, count: u64) {
        if self.counts.is_empty() {
            self.lo = i;
            self.counts = vec![count];
            return;
        }
        // Indices are at least 1 (see `LogBuckets`); i64 keeps the arithmetic exact.
        let (i, old_lo) = (i as i64, self.lo as i64);
        let hi = old_lo + self.counts.len() as i64;
        // Room for a few more buckets on the side that grew, so growth is amortized.
        let slack = (self.counts.len() as i64 / 2).clamp(8, 1024);
        let (lo, hi) = if i < old_lo {
            ((i - slack).max(1), hi)
        } else {
            (old_lo, (i + 1 + slack).min(i32::MAX as i64))
        };
        let mut grown = vec![0u64; (hi - lo) as usize];
        let shift = (old_lo - lo) as usize;
        grown[shift..shift + self.counts.len()].copy_from_slice(&self.counts);
        grown[(i - lo) as usize] += count;
        self.lo = lo as i32;
        self.counts = grown;
    }

    /// (index, count) of the buckets with a count, by index.
    fn iter(&self) -> impl Iterator<Item = (i32, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(k, &c)| (self.lo + k as i32, c))
    }
}

/// Slots of [`RecentBuckets`] (a power of two).
pub(super) const RECENT_SLOTS: usize = 4096;

/// The buckets of recent values, direct-mapped by the value's bits: a bucket is a function
/// of the bits alone, so a slot holding the very bits gives what [`bucket`] would compute,
/// without its logarithm. A metric's values past the cap repeat (a forecast's 1 000 000 lead
/// times, say/do ratios and velocity CVs take a few thousand distinct values).
#[derive(Debug, Clone, Default)]
pub(super) struct RecentBuckets {
    /// (bits, bucket); every slot starts as NaN's, with NaN's bucket, so no slot is ever
    /// wrong whatever is asked.
    pub(super) slots: Vec<(u64, i32)>,
}

impl RecentBuckets {
    pub(super) fn new() -> Self {
        RecentBuckets {
            slots: vec![(f64::NAN.to_bits(), bucket(f64::NAN)); RECENT_SLOTS],
        }
    }

    /// [`bucket`] of x, from the slot of its bits when it holds them.
    #[inline]
    pub(super) fn bucket(&mut self, x: f64) -> i32 {
        Self::bucket_in(&mut self.slots, x)
    }

    /// [`RecentBuckets::bucket`] with these slots (none: no cache kept).
    #[inline(always)]
    fn bucket_in(slots: &mut [(u64, i32)], x: f64) -> i32 {
        let bits = x.to_bits();
        let slot = (bits.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            >> (64 - RECENT_SLOTS.trailing_zeros())) as usize;
        match slots.get_mut(slot) {
            Some(e) if e.0 == bits => e.1,
            Some(e) => {
                let b = bucket(x);
                *e = (bits, b);
                b
            }
            None => bucket(x), // No cache kept.
        }
    }
}

impl LogBuckets {
    /// Empty buckets, with a cache of recent values' buckets if `cached`.
    pub(super) fn new(cached: bool) -> Self {
        LogBuckets {
            recent: if cached {
                RecentBuckets::new()
            } else {
                RecentBuckets::default()
            },
            ..Default::default()
        }
    }

    /// Count one more x.
    #[inline(always)]
    pub(super) fn add_value(&mut self, x: f64, count: u64) {
        let b = self.recent.bucket(x);
        self.add(b, count);
    }

    /// Count each of `xs` in order while it is not NaN and its bucket is within the counts
    /// kept (or zero's): how many were. As [`LogBuckets::add_value`] one by one, with the
    /// counts and the cache's slots held apart from `self` (no reloading per value).
    #[inline]
    pub(super) fn add_known(&mut self, xs: &[f64]) -> usize {
        let LogBuckets {
            recent,
            zero,
            positive,
            negative,
        } = self;
        let (pos_lo, pos) = (positive.lo, positive.counts.as_mut_slice());
        let (neg_lo, neg) = (negative.lo, negative.counts.as_mut_slice());
        // The cache's slots, of their fixed number (none kept: every bucket computed).
        let mut slots: Option<&mut [(u64, i32); RECENT_SLOTS]> =
            recent.slots.as_mut_slice().try_into().ok();
        for (taken, &x) in xs.iter().enumerate() {
            if x.is_nan() {
                return taken;
            }
            let b = match slots.as_deref_mut() {
                Some(slots) => RecentBuckets::bucket_in(slots, x),
                None => bucket(x),
            };
            // Below `lo` the difference wraps to a huge index and fails the bound; past
            // the counts, they grow (see `DenseCounts::add`): left to the caller.
            if b > 0 {
                match pos.get_mut(b.wrapping_sub(pos_lo) as u32 as usize) {
                    Some(c) => *c += 1,
                    None => return taken,
                }
            } else if b == 0 {
                *zero += 1;
            } else {
                match neg.get_mut((-b).wrapping_sub(neg_lo) as u32 as usize) {
                    Some(c) => *c += 1,
                    None => return taken,
                }
            }
        }
        xs.len()
    }

    /// Add `count` to bucket `b` (as [`bucket`] numbers them).
    #[inline]
    pub(super) fn add(&mut self, b: i32, count: u64) {
        match b {
            0 => self.zero += count,
            b if b > 0 => self.positive.add(b, count),
            b => self.negative.add(-b, count),
        }
    }

    /// (bucket, count) of every bucket with a count (in no particular order).
    pub(super) fn iter(&self) -> impl Iterator<Item = (i32, u64)> + '_ {
        let zero = (self.zero > 0).then_some((0, self.zero));
        zero.into_iter()
            .chain(self.positive.iter())
            .chain(self.negative.iter().map(|(b, c)| (-b, c)))
    }

    pub(super) fn sum(&self) -> u64 {
        self.zero
            + self.positive.counts.iter().sum::<u64>()
            + self.negative.counts.iter().sum::<u64>()
    }
}

/// `gamma().ln()`, computed once (the same bits: the same operations at run time).
#[inline]
fn ln_gamma() -> f64 {
    static LN_GAMMA: std::sync::LazyLock<f64> = std::sync::LazyLock::new(|| gamma().ln());
    *LN_GAMMA
}

fn gamma() -> f64 {
    (1.0 + ALPHA) / (1.0 - ALPHA)
}

pub(super) fn bucket(x: f64) -> i32 {
    if x == 0.0 || x.abs() < 1e-12 {
        return 0;
    }
    if x.is_infinite() {
        // Beyond every finite value (`as i32` saturated and + 3000 wrapped it to bucket 1).
        let b = infinite_bucket();
        return if x > 0.0 { b } else { -b };
    }
    let i = (x.abs().ln() / ln_gamma()).ceil() as i32 + 3000; // shift so buckets are > 0
    let i = i.max(1);
    if x > 0.0 {
        i
    } else {
        -i
    }
}

/// The bucket of ±∞ (by magnitude): one beyond that of the largest finite magnitude.
fn infinite_bucket() -> i32 {
    static B: std::sync::LazyLock<i32> =
        std::sync::LazyLock::new(|| (f64::MAX.ln() / ln_gamma()).ceil() as i32 + 3001);
    *B
}

pub(super) fn bucket_value(b: i32) -> f64 {
    if b == 0 {
        return 0.0;
    }
    if b.abs() >= infinite_bucket() {
        return if b > 0 {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        };
    }
    let g = gamma();
    let v = 2.0 * g.powi(b.abs() - 3000) / (g + 1.0);
    if b > 0 {
        v
    } else {
        -v
    }
}

#[cfg(test)]
mod tests;
