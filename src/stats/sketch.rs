//! Quantiles in bounded memory. Values are kept exactly up to a cap; past it they move to an
//! exact count per integer (when every value so far was an integer, as for completion
//! sprints) or to log-spaced buckets with 0.5 % relative accuracy. Memory stays bounded
//! however many runs there are, and results depend only on the order of the values.

use std::collections::BTreeMap;

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
    Integers(BTreeMap<i64, u64>),
    /// Bucket index → count; negatives have negative indices, zero is bucket 0.
    Log(BTreeMap<i32, u64>),
}

fn gamma() -> f64 {
    (1.0 + ALPHA) / (1.0 - ALPHA)
}

fn bucket(x: f64) -> i32 {
    if x == 0.0 || x.abs() < 1e-12 {
        return 0;
    }
    let i = (x.abs().ln() / gamma().ln()).ceil() as i32 + 3000; // shift so buckets are > 0
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
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            self.censored += 1;
            return;
        }
        self.sorted = false;
        match &mut self.store {
            Store::Exact(v) => {
                v.push(x);
                if v.len() > self.cap {
                    let values = std::mem::take(v);
                    self.store = if values.iter().all(|x| x.fract() == 0.0 && x.abs() < 9e15) {
                        let mut m = BTreeMap::new();
                        for x in values {
                            *m.entry(x as i64).or_insert(0) += 1;
                        }
                        Store::Integers(m)
                    } else {
                        Store::Log(Self::log_from(values.into_iter().map(|x| (x, 1))))
                    };
                }
            }
            Store::Integers(m) => {
                if x.fract() == 0.0 && x.abs() < 9e15 {
                    *m.entry(x as i64).or_insert(0) += 1;
                } else {
                    let mut log =
                        Self::log_from(std::mem::take(m).into_iter().map(|(k, c)| (k as f64, c)));
                    *log.entry(bucket(x)).or_insert(0) += 1;
                    self.store = Store::Log(log);
                }
            }
            Store::Log(m) => *m.entry(bucket(x)).or_insert(0) += 1,
        }
    }

    fn log_from(values: impl Iterator<Item = (f64, u64)>) -> BTreeMap<i32, u64> {
        let mut m = BTreeMap::new();
        for (x, c) in values {
            *m.entry(bucket(x)).or_insert(0) += c;
        }
        m
    }

    /// Values with a value (not censored).
    pub fn count(&self) -> u64 {
        match &self.store {
            Store::Exact(v) => v.len() as u64,
            Store::Integers(m) => m.values().sum(),
            Store::Log(m) => m.values().sum(),
        }
    }

    pub fn total(&self) -> u64 {
        self.count() + self.censored
    }

    /// The p-quantile over all values, censored ones counted as +∞ (returned as +∞ when the
    /// quantile falls among them). Exact values interpolate linearly between order statistics.
    pub fn quantile(&mut self, p: f64) -> f64 {
        let total = self.total();
        if total == 0 {
            return f64::NAN;
        }
        let h = (total - 1) as f64 * p.clamp(0.0, 1.0);
        let lo = h.floor() as u64;
        let frac = h - lo as f64;
        let a = self.order_statistic(lo);
        if frac == 0.0 {
            return a;
        }
        let b = self.order_statistic(lo + 1);
        if a.is_infinite() || b.is_infinite() {
            return f64::INFINITY;
        }
        a + frac * (b - a)
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
            Store::Integers(m) => nth_in(m.iter().map(|(&x, &c)| (x as f64, c)), k),
            Store::Log(m) => nth_in(m.iter().map(|(&b, &c)| (bucket_value(b), c)), k),
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

    #[test]
    fn log_buckets_are_within_accuracy() {
        let mut s = QuantileSketch::new(10);
        let mut exact = Vec::new();
        for i in 1..=10_000 {
            let x = (i as f64 * 0.731).sin() * 100.0 + 0.5;
            s.add(x);
            exact.push(x);
        }
        exact.sort_by(|a, b| a.total_cmp(b));
        for p in [0.1, 0.5, 0.9] {
            let e = exact[((exact.len() - 1) as f64 * p) as usize];
            let q = s.quantile(p);
            assert!((q - e).abs() <= 0.011 * e.abs() + 0.5, "p {p}: {q} vs {e}");
        }
    }
}
