//! Quantiles in bounded memory. Values are kept exactly up to a cap; past it they move to an
//! exact count per integer (when every value so far was an integer, as for completion
//! sprints) or to log-spaced buckets with 0.5 % relative accuracy. Memory stays bounded
//! however many runs there are, and results depend only on the order of the values.

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

/// Relative accuracy of the log buckets.
const ALPHA: f64 = 0.005;

#[derive(Debug, Clone)]
pub struct QuantileSketch {
    cap: usize,
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

/// Counts per log bucket, dense over the indices seen (a slice index instead of a tree
/// search per value): zero apart, positive and negative values each in a run of buckets
/// from the smallest magnitude seen to the largest. Values of one sign within a factor of
/// 10⁶ of each other span about 2 800 buckets (22 KiB); the whole range of doubles about
/// 74 000.
#[derive(Debug, Clone, Default)]
struct LogBuckets {
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

impl LogBuckets {
    /// Add `count` to bucket `b` (as [`bucket`] numbers them).
    #[inline]
    fn add(&mut self, b: i32, count: u64) {
        match b {
            0 => self.zero += count,
            b if b > 0 => self.positive.add(b, count),
            b => self.negative.add(-b, count),
        }
    }

    /// (bucket, count) of every bucket with a count (in no particular order).
    fn iter(&self) -> impl Iterator<Item = (i32, u64)> + '_ {
        let zero = (self.zero > 0).then_some((0, self.zero));
        zero.into_iter()
            .chain(self.positive.iter())
            .chain(self.negative.iter().map(|(b, c)| (-b, c)))
    }

    fn sum(&self) -> u64 {
        self.zero
            + self.positive.counts.iter().sum::<u64>()
            + self.negative.counts.iter().sum::<u64>()
    }
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

/// `gamma().ln()`, computed once (the same bits: the same operations at run time).
#[inline]
fn ln_gamma() -> f64 {
    static LN_GAMMA: std::sync::LazyLock<f64> = std::sync::LazyLock::new(|| gamma().ln());
    *LN_GAMMA
}

fn gamma() -> f64 {
    (1.0 + ALPHA) / (1.0 - ALPHA)
}

fn bucket(x: f64) -> i32 {
    if x == 0.0 || x.abs() < 1e-12 {
        return 0;
    }
    let i = (x.abs().ln() / ln_gamma()).ceil() as i32 + 3000; // shift so buckets are > 0
    let i = i.max(1);
    if x > 0.0 {
        i
    } else {
        -i
    }
}

fn bucket_value(b: i32) -> f64 {
    if b == 0 {
        return 0.0;
    }
    let g = gamma();
    let v = 2.0 * g.powi(b.abs() - 3000) / (g + 1.0);
    if b > 0 {
        v
    } else {
        -v
    }
}

impl QuantileSketch {
    pub fn new(cap: usize) -> Self {
        QuantileSketch {
            cap,
            sorted: false,
            censored: 0,
            store: Store::Exact(Vec::new()),
        }
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
            _ => {}
        }
        self.add_n(x, 1);
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
                    Store::Log(LogBuckets::default())
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
                let mut log = Self::log_from(ints);
                log.add(bucket(x), count);
                self.store = Store::Log(log);
            }
            Store::Log(m) => m.add(bucket(x), count),
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
                    let mut log = LogBuckets::default();
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

    fn log_from(values: impl Iterator<Item = (f64, u64)>) -> LogBuckets {
        let mut m = LogBuckets::default();
        for (x, c) in values {
            m.add(bucket(x), c);
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
                let mut seen = 0;
                for (j, &c) in counts.iter().enumerate() {
                    seen += c;
                    if k < seen {
                        return (*base + j as i64) as f64;
                    }
                }
                f64::INFINITY
            }
            Store::Log(m) => nth_in(m.iter().map(|(b, c)| (bucket_value(b), c)), k),
        }
    }
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
mod tests {
    use super::*;

    /// Inverse-CDF quantiles are values of the sample, and equal a plain count: the smallest
    /// x with #{v ≤ x} ≥ p·n.
    #[test]
    fn inverse_cdf_quantiles_are_values_and_match_a_plain_count() {
        for n in [1usize, 2, 3, 7, 10, 20, 100, 1001] {
            let mut v: Vec<f64> = (0..n).map(|i| ((i * 7919) % 13) as f64).collect();
            v.sort_by(|a, b| a.total_cmp(b));
            let mut sk = QuantileSketch::new(4); // integers store past 4 values
            for &x in &v {
                sk.add(x);
            }
            for p in [0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.85, 0.9, 0.95, 1.0] {
                let plain = *v
                    .iter()
                    .find(|&&x| {
                        let below = v.iter().filter(|&&y| y <= x).count();
                        below as f64 >= p * n as f64 - 1e-9
                    })
                    .unwrap();
                let q = quantile_inverse_cdf_sorted(&v, p);
                assert_eq!(q, plain, "n {n} p {p}");
                assert_eq!(q.fract(), 0.0);
                assert_eq!(sk.quantile_inverse_cdf(p), plain, "sketch n {n} p {p}");
            }
        }
        // 85 % of 20 is 17 values: the 17th smallest, not the 18th.
        let v: Vec<f64> = (1..=20).map(|i| i as f64).collect();
        assert_eq!(quantile_inverse_cdf_sorted(&v, 0.85), 17.0);
        assert_eq!(quantile_inverse_cdf_sorted(&v, 0.5), 10.0);
        // Censored values are beyond every value.
        let mut sk = QuantileSketch::new(10);
        for x in [3.0, 4.0, f64::NAN, f64::NAN] {
            sk.add(x);
        }
        assert_eq!(sk.quantile_inverse_cdf(0.5), 4.0);
        assert_eq!(sk.quantile_inverse_cdf(0.51), f64::INFINITY);
    }

    #[test]
    fn exact_quantiles_interpolate() {
        let mut s = QuantileSketch::new(100);
        for x in [1.0, 2.0, 3.0, 4.0, 5.0] {
            s.add(x);
        }
        assert_eq!(s.quantile(0.5), 3.0);
        assert_eq!(s.quantile(0.25), 2.0);
        assert!((s.quantile(0.1) - 1.4).abs() < 1e-12);
    }

    #[test]
    fn censored_values_sit_beyond_the_rest() {
        let mut s = QuantileSketch::new(100);
        for x in [1.0, 2.0, f64::NAN, f64::NAN] {
            s.add(x);
        }
        assert_eq!(s.quantile(0.0), 1.0);
        assert!(s.quantile(0.9).is_infinite());
        // A rank that falls exactly on the last value is that value, even with +∞ next to it.
        assert_eq!(s.quantile(1.0 / 3.0), 2.0);
        assert_eq!(quantile_sorted(&[1.0, 2.0, f64::INFINITY], 0.5), 2.0);
    }

    #[test]
    fn integers_stay_exact_past_the_cap() {
        let mut s = QuantileSketch::new(10);
        for i in 0..1000 {
            s.add((i % 7) as f64);
        }
        assert_eq!(s.quantile(0.5), 3.0);
        assert_eq!(s.count(), 1000);
    }

    /// Quantiles of one sketch fed value by value.
    fn quantiles_of(s: &mut QuantileSketch) -> Vec<u64> {
        [0.0, 0.1, 0.25, 0.5, 0.85, 0.9, 1.0]
            .iter()
            .map(|&p| s.quantile(p).to_bits())
            .collect()
    }

    #[test]
    fn merged_sketches_answer_as_one() {
        // Integers, integers over a wide span, and reals; below and past the cap.
        let data: [&dyn Fn(u64) -> f64; 4] = [
            &|i| (i * 7919 % 23) as f64,
            &|i| (i * 7919 % 9001) as f64,
            &|i| ((i as f64) * 0.731).sin() * 50.0,
            &|i| {
                if i % 97 == 0 {
                    f64::NAN
                } else {
                    (i % 5) as f64
                }
            },
        ];
        for f in data {
            for n in [5u64, 40, 400] {
                let mut one = QuantileSketch::new(64);
                let mut parts = [
                    QuantileSketch::new(64),
                    QuantileSketch::new(64),
                    QuantileSketch::new(64),
                ];
                for i in 0..n {
                    one.add(f(i));
                    parts[(i % 3) as usize].add(f(i));
                }
                let mut merged = QuantileSketch::new(64);
                for p in &parts {
                    merged.merge(p);
                }
                assert_eq!(merged.total(), one.total());
                assert_eq!(quantiles_of(&mut merged), quantiles_of(&mut one), "n = {n}");
            }
        }
    }

    /// The dense log buckets count as a map from bucket to count would, whatever order the
    /// buckets come in (growing down, up, across zero and both signs).
    #[test]
    fn log_buckets_count_as_a_map() {
        let mut dense = LogBuckets::default();
        let mut map = std::collections::BTreeMap::new();
        let xs = [
            5.0, 4.0, 1e-6, 3e9, -2.0, 0.0, -7e-3, 5.0, 1e15, 2.5e-11, -1e12, 0.0, 77.0, -2.0,
        ];
        for (j, &x) in xs.iter().cycle().take(200).enumerate() {
            let (b, c) = (bucket(x), 1 + j as u64 % 3);
            dense.add(b, c);
            *map.entry(b).or_insert(0u64) += c;
        }
        let mut got: Vec<(i32, u64)> = dense.iter().collect();
        got.sort();
        assert_eq!(got, map.into_iter().collect::<Vec<_>>());
        assert_eq!(dense.sum(), (0..200u64).map(|j| 1 + j % 3).sum::<u64>());
    }

    #[test]
    fn repeated_values_count_as_many() {
        let mut a = QuantileSketch::new(8);
        let mut b = QuantileSketch::new(8);
        for x in [1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 3.0, 9.0, 9.0, 9.0] {
            a.add(x);
        }
        b.add(1.0);
        b.add_n(2.0, 5);
        b.add(3.0);
        b.add_n(9.0, 3);
        assert_eq!(quantiles_of(&mut a), quantiles_of(&mut b));
    }

    /// Type 7 on a sorted copy, censored (NaN) values as +∞: the definition, written out.
    fn exact_quantile(values: &[f64], p: f64) -> f64 {
        let mut v: Vec<f64> = values
            .iter()
            .map(|&x| if x.is_nan() { f64::INFINITY } else { x })
            .collect();
        v.sort_by(|a, b| a.total_cmp(b));
        if v.is_empty() {
            return f64::NAN;
        }
        let h = (v.len() - 1) as f64 * p;
        let lo = h.floor() as usize;
        let frac = h - lo as f64;
        if frac == 0.0 {
            return v[lo];
        }
        if v[lo].is_infinite() || v[lo + 1].is_infinite() {
            return f64::INFINITY;
        }
        v[lo] + frac * (v[lo + 1] - v[lo])
    }

    /// The documented accuracy of a log-bucket quantile: each of the two order statistics it
    /// interpolates is within ALPHA of its value (values below 1e-12 count as 0).
    fn within_log_accuracy(values: &[f64], p: f64, q: f64) -> bool {
        let e = exact_quantile(values, p);
        if e.is_infinite() || q.is_infinite() {
            return e == q;
        }
        let mut v: Vec<f64> = values
            .iter()
            .map(|&x| if x.is_nan() { f64::INFINITY } else { x })
            .collect();
        v.sort_by(|a, b| a.total_cmp(b));
        let h = (v.len() - 1) as f64 * p;
        let (a, b) = (v[h.floor() as usize], v[h.ceil() as usize]);
        let bound = ALPHA * a.abs().max(b.abs()) * (1.0 + 1e-9) + 1e-12;
        (q - e).abs() <= bound
    }

    const PS: [f64; 11] = [0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.85, 0.9, 0.99, 1.0];

    #[test]
    fn log_buckets_are_within_accuracy() {
        // Values around 0.5 as well: the relative accuracy holds there too.
        let mut s = QuantileSketch::new(10);
        let mut exact = Vec::new();
        for i in 1..=10_000 {
            let x = (i as f64 * 0.731).sin() * 100.0 + 0.5;
            s.add(x);
            exact.push(x);
        }
        for p in PS {
            let q = s.quantile(p);
            assert!(
                within_log_accuracy(&exact, p, q),
                "p {p}: {q} vs {}",
                exact_quantile(&exact, p)
            );
        }
        // A median near 0.5 is within 0.5 % of it, not merely within 0.5.
        let mut s = QuantileSketch::new(4);
        let xs: Vec<f64> = (0..101).map(|i| 0.45 + i as f64 * 0.001).collect();
        for &x in &xs {
            s.add(x);
        }
        let q = s.quantile(0.5);
        assert!((q - 0.5).abs() <= 0.005 * 0.5, "{q}");
        assert!(matches!(s.store, Store::Log(_)));
    }

    use proptest::prelude::*;

    /// Values of every kind the sketch meets: small integers, integers over a wide span,
    /// reals of either sign and of small and large size, and censored runs.
    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            4 => (0i64..40).prop_map(|i| i as f64),
            1 => (-20_000i64..20_000).prop_map(|i| i as f64),
            3 => -1e4f64..1e4,
            1 => -1e-3f64..1e-3,
            1 => Just(f64::NAN),
        ]
    }

    proptest! {
        /// Below the cap the sketch's quantiles are the exact sorted ones, bit for bit.
        #[test]
        fn below_the_cap_quantiles_are_exact(v in prop::collection::vec(value(), 1..60)) {
            let mut s = QuantileSketch::new(64);
            for &x in &v {
                s.add(x);
            }
            prop_assert_eq!(s.total(), v.len() as u64);
            prop_assert_eq!(s.count(), v.iter().filter(|x| !x.is_nan()).count() as u64);
            for p in PS {
                let (q, e) = (s.quantile(p), exact_quantile(&v, p));
                prop_assert!(q.to_bits() == e.to_bits() || (q.is_nan() && e.is_nan()), "p {}: {} vs {}", p, q, e);
            }
        }

        /// Past the cap integers stay exact; anything else is within the log buckets'
        /// documented 0.5 %.
        #[test]
        fn past_the_cap_quantiles_are_within_accuracy(
            v in prop::collection::vec(value(), 1..400),
            cap in 1usize..16,
        ) {
            let mut s = QuantileSketch::new(cap);
            for &x in &v {
                s.add(x);
            }
            let ints = v.iter().filter(|x| !x.is_nan()).all(|&x| x == x.trunc());
            let finite: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            let span = finite.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
                - finite.iter().cloned().fold(f64::INFINITY, f64::min);
            for p in PS {
                let q = s.quantile(p);
                if ints && span < MAX_INTEGER_SPAN as f64 {
                    let e = exact_quantile(&v, p);
                    prop_assert!(q.to_bits() == e.to_bits() || (q.is_nan() && e.is_nan()), "p {}: {} vs {}", p, q, e);
                } else {
                    prop_assert!(within_log_accuracy(&v, p, q), "p {}: {} vs {}", p, q, exact_quantile(&v, p));
                }
            }
        }

        /// A sketch merged from parts answers as one fed value by value, whatever store each
        /// part ended in (exact, integers, log buckets), including log buckets merged into
        /// integers.
        #[test]
        fn merged_equals_sequential(
            parts in prop::collection::vec(prop::collection::vec(value(), 0..80), 1..5),
            ints_first in prop::collection::vec(0i64..30, 0..80),
            cap in 1usize..24,
        ) {
            // A first part of integers only, past the cap: an integer store to merge into.
            let mut all: Vec<Vec<f64>> = vec![ints_first.iter().map(|&i| i as f64).collect()];
            all.extend(parts);
            let mut one = QuantileSketch::new(cap);
            for x in all.iter().flatten() {
                one.add(*x);
            }
            let sketches: Vec<QuantileSketch> = all
                .iter()
                .map(|part| {
                    let mut s = QuantileSketch::new(cap);
                    for &x in part {
                        s.add(x);
                    }
                    s
                })
                .collect();
            let mut merged = sketches[0].clone();
            for s in &sketches[1..] {
                merged.merge(s);
            }
            prop_assert_eq!(merged.total(), one.total());
            prop_assert_eq!(merged.count(), one.count());
            prop_assert_eq!(quantiles_of(&mut merged), quantiles_of(&mut one));
        }
    }

    /// The case the proptest is there for, written out: a log-bucket sketch merged into an
    /// integer one.
    #[test]
    fn log_buckets_merge_into_integers() {
        let mut ints = QuantileSketch::new(4);
        let mut reals = QuantileSketch::new(4);
        let mut one = QuantileSketch::new(4);
        for i in 0..20 {
            ints.add((i % 6) as f64);
            one.add((i % 6) as f64);
        }
        for i in 0..20 {
            reals.add(i as f64 * 0.37);
            one.add(i as f64 * 0.37);
        }
        assert!(matches!(ints.store, Store::Integers { .. }));
        assert!(matches!(reals.store, Store::Log(_)));
        ints.merge(&reals);
        assert!(matches!(ints.store, Store::Log(_)));
        assert_eq!(ints.count(), 40);
        assert_eq!(quantiles_of(&mut ints), quantiles_of(&mut one));
    }
}
