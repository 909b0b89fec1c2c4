//! Quantiles in bounded memory. Values are kept exactly up to a cap; past it they move to an
//! exact count per integer (when every value so far was an integer, as for completion
//! sprints) or to log-spaced buckets with 0.5 % relative accuracy. Memory stays bounded
//! however many runs there are, and results depend only on the order of the values.

mod buckets;

#[cfg(test)]
use buckets::ALPHA;
use buckets::{bucket, bucket_value, LogBuckets};

/// The p-quantile of n values by linear interpolation between order statistics (type 7:
/// position h = (n − 1)·p), where `at(k)` is the k-th smallest value (0-based; it is asked
/// for the lower neighbour first, then the upper one if needed). +∞ among the neighbours
/// gives +∞ (censored values); no values give NaN.
pub fn quantile_by(n: u64, p: f64, mut at: impl FnMut(u64) -> f64) -> f64 {
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h as u64; // h ≥ 0: truncation is the floor
    let frac = h - lo as f64;
    let a = at(lo);
    if frac == 0.0 || lo + 1 >= n {
        return a;
    }
    let b = at(lo + 1);
    if a == f64::INFINITY || b == f64::INFINITY {
        return f64::INFINITY;
    }
    a + frac * (b - a)
}

/// The p-quantile of n values by the inverse of their empirical CDF F: the smallest value t
/// with F(t) ≥ p, that is the k-th smallest value for k = ⌈p·n⌉ (1-based, at least 1; the
/// product is taken with a relative slack of 1e-12 so that 0.85 · 20 is 17, not 18). Always
/// one of the values, so whole for integer data; `at(k)` is the k-th smallest (0-based).
/// No values give NaN.
pub fn quantile_inverse_cdf_by(n: u64, p: f64, mut at: impl FnMut(u64) -> f64) -> f64 {
    if n == 0 {
        return f64::NAN;
    }
    let pn = p.clamp(0.0, 1.0) * n as f64;
    let k = ((pn - 1e-12 * pn.max(1.0)).ceil() as u64).clamp(1, n);
    at(k - 1)
}

/// [`quantile_inverse_cdf_by`] of values sorted ascending.
pub fn quantile_inverse_cdf_sorted(v: &[f64], p: f64) -> f64 {
    quantile_inverse_cdf_by(v.len() as u64, p, |k| v[k as usize])
}

/// [`quantile_by`] of values sorted ascending.
pub fn quantile_sorted(v: &[f64], p: f64) -> f64 {
    quantile_by(v.len() as u64, p, |k| v[k as usize])
}

#[derive(Debug, Clone)]
pub struct QuantileSketch {
    cap: usize,
    /// Whether the log buckets, once used, keep a [`RecentBuckets`] cache.
    cache_buckets: bool,
    /// The exact values are sorted (set by a quantile query, cleared by `add`).
    sorted: bool,
    /// Runs without a value (censored), counted as +∞ in quantiles.
    censored: u64,
    store: Store,
}

#[derive(Debug, Clone)]
enum Store {
    Exact(Vec<f64>),
    /// Count per integer, dense from `base` (the span is at most [`MAX_INTEGER_SPAN`]).
    Integers {
        base: i64,
        counts: Vec<u64>,
    },
    /// Bucket index → count; negatives have negative indices, zero is bucket 0.
    Log(LogBuckets),
}

/// Integers kept exactly past the cap span at most this many values (32 KiB of counts);
/// wider data moves to the log buckets.
const MAX_INTEGER_SPAN: i64 = 1 << 12;

/// `x` as an integer, if it is one the integer store can hold.
#[inline]
fn as_integer(x: f64) -> Option<i64> {
    let i = x as i64;
    (i as f64 == x && x.abs() < 9e15).then_some(i)
}

impl QuantileSketch {
    pub fn new(cap: usize) -> Self {
        QuantileSketch {
            cap,
            cache_buckets: false,
            sorted: false,
            censored: 0,
            store: Store::Exact(Vec::new()),
        }
    }

    /// The same sketch, whose log buckets (once it has them) remember the buckets of recent
    /// values (64 KiB more): for the few sketches fed most of the values, as a metric's.
    /// The same state and answers.
    pub fn with_bucket_cache(mut self) -> Self {
        self.cache_buckets = true;
        self
    }

    /// Add a value; NaN counts as censored (beyond every value).
    #[inline]
    pub fn add(&mut self, x: f64) {
        // The two common cases first: an exact value below the cap, a count in range.
        match &mut self.store {
            Store::Exact(v) if v.len() < self.cap && !x.is_nan() => {
                v.push(x);
                self.sorted = false;
                return;
            }
            Store::Integers { base, counts } => {
                if let Some(i) = as_integer(x) {
                    let k = i.wrapping_sub(*base) as u64;
                    if k < counts.len() as u64 {
                        counts[k as usize] += 1;
                        self.sorted = false;
                        return;
                    }
                }
            }
            Store::Log(m) if !x.is_nan() => {
                m.add_value(x, 1);
                self.sorted = false;
                return;
            }
            _ => {}
        }
        self.add_n(x, 1);
    }

    /// [`QuantileSketch::add`] each of `xs` in order, NaN left out if `skip_nan` (a run
    /// without a value) or counted as censored if not. The same state as value by value, in
    /// fewer instructions: each store takes the values it can in a loop of its own.
    pub fn add_all(&mut self, mut xs: &[f64], skip_nan: bool) {
        while let Some((&x, rest)) = xs.split_first() {
            let cap = self.cap;
            let taken = match &mut self.store {
                Store::Exact(v) => xs
                    .iter()
                    .take_while(|x| {
                        !x.is_nan() && v.len() < cap && {
                            v.push(**x);
                            true
                        }
                    })
                    .count(),
                Store::Integers { base, counts } => {
                    // An integer in the counts' range. (Its magnitude is below 9e15 then,
                    // as `as_integer` asks: the range spans integers that were, from the
                    // first value kept to the last added.)
                    let (base, counts) = (*base, counts.as_mut_slice());
                    xs.iter()
                        .take_while(|&&x| {
                            let i = super::truncated(x);
                            let k = i.wrapping_sub(base) as u64;
                            i as f64 == x && k < counts.len() as u64 && {
                                counts[k as usize] += 1;
                                true
                            }
                        })
                        .count()
                }
                Store::Log(m) => m.add_known(xs),
            };
            if taken > 0 {
                self.sorted = false;
                xs = &xs[taken..];
                continue;
            }
            // A value no store's loop takes: NaN, or one that changes the store.
            if !(skip_nan && x.is_nan()) {
                self.add_n(x, 1);
            }
            xs = rest;
        }
    }

    /// Add `count` copies of a value. The store a sketch ends in depends only on the values
    /// added (exact up to the cap, then integers or log buckets), not on their order or on
    /// how they were grouped, so merged sketches answer as one fed value by value.
    pub fn add_n(&mut self, x: f64, count: u64) {
        if count == 0 {
            return;
        }
        if x.is_nan() {
            self.censored += count;
            return;
        }
        self.sorted = false;
        match &mut self.store {
            Store::Exact(v) => {
                if v.len() as u64 + count <= self.cap as u64 {
                    v.extend(std::iter::repeat_n(x, count as usize));
                    return;
                }
                let values = std::mem::take(v);
                self.store = if values.iter().all(|&x| as_integer(x).is_some()) {
                    Store::Integers {
                        base: values.first().map_or(0, |&x| x as i64),
                        counts: Vec::new(),
                    }
                } else {
                    Store::Log(LogBuckets::new(self.cache_buckets))
                };
                for v in values {
                    self.add_compressed(v, 1);
                }
                self.add_compressed(x, count);
            }
            _ => self.add_compressed(x, count),
        }
    }

    /// Add to the integer or log store (not the exact one).
    #[inline]
    fn add_compressed(&mut self, x: f64, count: u64) {
        match &mut self.store {
            Store::Integers { base, counts } => {
                if let Some(i) = as_integer(x) {
                    if i >= *base && i - *base < counts.len() as i64 {
                        counts[(i - *base) as usize] += count;
                        return;
                    }
                    let lo = (*base).min(i);
                    let hi = (*base + counts.len() as i64).max(i + 1);
                    if hi - lo <= MAX_INTEGER_SPAN {
                        // Grow the dense range to take i.
                        let mut grown = vec![0u64; (hi - lo) as usize];
                        let shift = (*base - lo) as usize;
                        grown[shift..shift + counts.len()].copy_from_slice(counts);
                        grown[(i - lo) as usize] += count;
                        *base = lo;
                        *counts = grown;
                        return;
                    }
                }
                let (base, counts) = (*base, std::mem::take(counts));
                let ints = counts
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| c > 0)
                    .map(|(j, &c)| ((base + j as i64) as f64, c));
                let mut log = Self::log_from(ints, self.cache_buckets);
                log.add_value(x, count);
                self.store = Store::Log(log);
            }
            Store::Log(m) => m.add_value(x, count),
            Store::Exact(_) => unreachable!("exact values are added in add_n"),
        }
    }

    /// Add everything `other` holds.
    pub fn merge(&mut self, other: &QuantileSketch) {
        self.censored += other.censored;
        match &other.store {
            Store::Exact(v) => {
                for &x in v {
                    self.add_n(x, 1);
                }
            }
            Store::Integers { base, counts } => {
                for (j, &c) in counts.iter().enumerate() {
                    self.add_n((base + j as i64) as f64, c);
                }
            }
            Store::Log(m) => {
                // Log buckets stay log buckets: move self there first, then add the counts.
                if !matches!(self.store, Store::Log(_)) {
                    let mut log = LogBuckets::new(self.cache_buckets);
                    match &self.store {
                        Store::Exact(v) => {
                            for &x in v {
                                log.add(bucket(x), 1);
                            }
                        }
                        Store::Integers { base, counts } => {
                            for (j, &c) in counts.iter().enumerate().filter(|(_, &c)| c > 0) {
                                log.add(bucket((base + j as i64) as f64), c);
                            }
                        }
                        Store::Log(_) => {}
                    }
                    self.store = Store::Log(log);
                    self.sorted = false;
                }
                if let Store::Log(mine) = &mut self.store {
                    for (b, c) in m.iter() {
                        mine.add(b, c);
                    }
                }
            }
        }
    }

    fn log_from(values: impl Iterator<Item = (f64, u64)>, cached: bool) -> LogBuckets {
        let mut m = LogBuckets::new(cached);
        for (x, c) in values {
            m.add_value(x, c);
        }
        m
    }

    /// Values with a value (not censored).
    pub fn count(&self) -> u64 {
        match &self.store {
            Store::Exact(v) => v.len() as u64,
            Store::Integers { counts, .. } => counts.iter().sum(),
            Store::Log(m) => m.sum(),
        }
    }

    pub fn total(&self) -> u64 {
        self.count() + self.censored
    }

    /// The p-quantile over all values, censored ones counted as +∞ (returned as +∞ when the
    /// quantile falls among them). Exact values interpolate linearly between order statistics.
    pub fn quantile(&mut self, p: f64) -> f64 {
        quantile_by(self.total(), p, |k| self.order_statistic(k))
    }

    /// [`quantile_inverse_cdf_by`] over all values, censored ones counted as +∞ (for integer
    /// metrics: always one of the values, +∞ when the quantile falls among the censored).
    pub fn quantile_inverse_cdf(&mut self, p: f64) -> f64 {
        quantile_inverse_cdf_by(self.total(), p, |k| self.order_statistic(k))
    }

    /// The k-th smallest value (0-based), +∞ among the censored.
    pub fn order_statistic(&mut self, k: u64) -> f64 {
        let n = self.count();
        if k >= n {
            return f64::INFINITY;
        }
        match &mut self.store {
            Store::Exact(v) => {
                // Sort once; the summary asks for many quantiles of the same values.
                if !self.sorted {
                    v.sort_unstable_by(|a, b| a.total_cmp(b));
                    self.sorted = true;
                }
                v[k as usize]
            }
            Store::Integers { base, counts } => {
                nth_counted(counts, k).map_or(f64::INFINITY, |j| (*base + j as i64) as f64)
            }
            Store::Log(m) => nth_in(m.iter().map(|(b, c)| (bucket_value(b), c)), k),
        }
    }
}

/// The index of the k-th smallest (0-based) of values counted per index (`counts[j]` values
/// of index j), none past the last count.
pub fn nth_counted(counts: &[u64], k: u64) -> Option<usize> {
    let mut seen = 0;
    for (j, &c) in counts.iter().enumerate() {
        seen += c;
        if k < seen {
            return Some(j);
        }
    }
    None
}

/// Buckets in ascending order of value; negative log buckets come in descending index order.
fn nth_in(iter: impl Iterator<Item = (f64, u64)>, k: u64) -> f64 {
    let mut buckets: Vec<(f64, u64)> = iter.collect();
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut seen = 0;
    for (x, c) in buckets {
        seen += c;
        if k < seen {
            return x;
        }
    }
    f64::INFINITY
}

#[cfg(test)]
mod bound_tests;
#[cfg(test)]
mod tests;
