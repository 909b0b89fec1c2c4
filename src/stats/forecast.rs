//! The two forecast questions, from bounded counts: "when will the scope be done?" (the
//! completion sprint's distribution, a count per sprint) and "how many items by sprint K?"
//! (the items done by K, a count per item number). Memory is one counter per sprint and per
//! item, whatever the number of runs; answers are exact order statistics of the runs.

/// The confidences `forecast.csv` and the terminal report.
pub const CONFIDENCES: [u32; 4] = [50, 70, 85, 95];

/// Counts of one scenario's runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ForecastTally {
    /// `done_in[k]`: runs whose scope was done in sprint k (1-based; index 0 unused).
    done_in: Vec<u64>,
    /// Runs not done within the horizon.
    censored: u64,
    /// `by_target[n]`: runs with exactly n items done by the target sprint.
    by_target: Vec<u64>,
    runs: u64,
}

impl ForecastTally {
    /// For a horizon of `sprints` sprints.
    pub fn new(sprints: u32) -> Self {
        ForecastTally {
            done_in: vec![0; sprints as usize + 1],
            ..Default::default()
        }
    }

    /// One run: its completion sprint (None if censored) and, when a target is asked
    /// about, the items it had done by the target.
    pub fn add(&mut self, completion: Option<u32>, items_by_target: Option<u64>) {
        self.runs += 1;
        match completion {
            Some(k) if (k as usize) < self.done_in.len() => self.done_in[k as usize] += 1,
            _ => self.censored += 1,
        }
        if let Some(n) = items_by_target {
            let n = n as usize;
            if self.by_target.len() <= n {
                self.by_target.resize(n + 1, 0);
            }
            self.by_target[n] += 1;
        }
    }

    /// Add another tally's runs (of the same horizon): the same state as if its runs had
    /// been added here, in any order.
    pub fn merge(&mut self, other: &ForecastTally) {
        assert_eq!(self.done_in.len(), other.done_in.len(), "the same horizon");
        for (a, b) in self.done_in.iter_mut().zip(&other.done_in) {
            *a += b;
        }
        if self.by_target.len() < other.by_target.len() {
            self.by_target.resize(other.by_target.len(), 0);
        }
        for (a, b) in self.by_target.iter_mut().zip(&other.by_target) {
            *a += b;
        }
        self.censored += other.censored;
        self.runs += other.runs;
    }

    pub fn runs(&self) -> u64 {
        self.runs
    }

    pub fn censored(&self) -> u64 {
        self.censored
    }

    /// Runs done by the end of sprint k (inclusive).
    pub fn done_by(&self, k: u32) -> u64 {
        let end = (k as usize + 1).min(self.done_in.len());
        self.done_in[..end].iter().sum()
    }

    /// Share of runs done by the end of sprint k.
    pub fn probability_by(&self, k: u32) -> f64 {
        if self.runs == 0 {
            return f64::NAN;
        }
        self.done_by(k) as f64 / self.runs as f64
    }

    /// The completion CDF: `(sprint, share done by it)` for sprints 1..=horizon.
    pub fn cdf(&self) -> Vec<(u32, f64)> {
        let mut acc = 0;
        (1..self.done_in.len())
            .map(|k| {
                acc += self.done_in[k];
                (k as u32, acc as f64 / self.runs.max(1) as f64)
            })
            .collect()
    }

    /// "When?": the smallest sprint by which at least `confidence` % of the runs are done,
    /// or None when that share is not reached within the horizon.
    pub fn when(&self, confidence: u32) -> Option<u32> {
        if self.runs == 0 {
            return None;
        }
        let mut acc = 0u64;
        for (k, &c) in self.done_in.iter().enumerate() {
            acc += c;
            // acc / runs ≥ confidence / 100, in integers.
            if acc * 100 >= confidence as u64 * self.runs && acc > 0 {
                return Some(k as u32);
            }
        }
        None
    }

    /// "How many by the target?": the largest n such that at least `confidence` % of the
    /// runs had done n items or more (the lower quantile). None without a target.
    pub fn how_many(&self, confidence: u32) -> Option<u64> {
        let total: u64 = self.by_target.iter().sum();
        if total == 0 {
            return None;
        }
        let mut at_least = 0u64; // runs with ≥ n items
        for n in (0..self.by_target.len()).rev() {
            at_least += self.by_target[n];
            if at_least * 100 >= confidence as u64 * total {
                return Some(n as u64);
            }
        }
        Some(0)
    }

    /// The distribution of items done by the target: `(items, runs)` for every count seen.
    pub fn by_target(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.by_target
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(n, &c)| (n as u64, c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_is_the_inverse_cdf_and_how_many_the_lower_quantile() {
        let mut t = ForecastTally::new(10);
        // Completion sprints 3, 4, 4, 5, censored; items by target 7, 8, 8, 9, 10.
        for (c, n) in [
            (Some(3), 7),
            (Some(4), 8),
            (Some(4), 8),
            (Some(5), 9),
            (None, 10),
        ] {
            t.add(c, Some(n));
        }
        assert_eq!(t.when(20), Some(3));
        assert_eq!(t.when(50), Some(4)); // 3/5 ≥ 0.5 at sprint 4
        assert_eq!(t.when(60), Some(4));
        assert_eq!(t.when(70), Some(5));
        assert_eq!(t.when(85), None); // 4/5 runs are done within the horizon
        assert_eq!(t.probability_by(4), 0.6);
        // ≥ 10: 1 run; ≥ 9: 2; ≥ 8: 4; ≥ 7: 5.
        assert_eq!(t.how_many(20), Some(10));
        assert_eq!(t.how_many(50), Some(8));
        assert_eq!(t.how_many(80), Some(8));
        assert_eq!(t.how_many(85), Some(7));
        assert_eq!(t.how_many(100), Some(7));
        assert_eq!(t.censored(), 1);
        assert_eq!(t.cdf()[3], (4, 0.6));
    }

    #[test]
    fn counts_edges_and_an_empty_tally() {
        // Horizon 10: a completion in sprint 10 is done, one past the horizon is censored.
        let mut t = ForecastTally::new(10);
        assert_eq!(t.when(50), None);
        assert!(t.probability_by(10).is_nan());
        assert_eq!(t.how_many(50), None);
        for c in [Some(2), Some(10), Some(11), None] {
            t.add(c, None);
        }
        assert_eq!((t.runs(), t.censored()), (4, 2));
        assert_eq!(
            (t.done_by(1), t.done_by(2), t.done_by(9), t.done_by(10)),
            (0, 1, 1, 2)
        );
        assert_eq!(t.done_by(50), 2); // past the horizon: everything that was done
        assert_eq!(t.probability_by(10), 0.5);
        // cdf: one entry per sprint 1..=10, shares of all runs.
        let cdf = t.cdf();
        assert_eq!(cdf.len(), 10);
        assert_eq!(
            (cdf[0], cdf[1], cdf[8], cdf[9]),
            ((1, 0.0), (2, 0.25), (9, 0.25), (10, 0.5))
        );
        // 0 %: the first sprint in which anything is done, not sprint 0.
        assert_eq!(t.when(0), Some(2));
        assert_eq!(t.when(25), Some(2));
        assert_eq!(t.when(26), Some(10));
        assert_eq!(t.when(50), Some(10));
        assert_eq!(t.when(51), None);
        // No target asked about: no how-many answer, no distribution.
        assert_eq!(t.how_many(50), None);
        assert_eq!(t.by_target().count(), 0);
    }

    #[test]
    fn how_many_at_its_boundaries() {
        let mut t = ForecastTally::new(4);
        // Items by target: 0, 2, 2, 5 (runs with ≥ 5: 1, ≥ 2: 3, ≥ 0: 4).
        for n in [2, 0, 5, 2] {
            t.add(Some(1), Some(n));
        }
        assert_eq!(
            t.by_target().collect::<Vec<_>>(),
            vec![(0, 1), (2, 2), (5, 1)]
        );
        assert_eq!(t.how_many(0), Some(5));
        assert_eq!(t.how_many(25), Some(5));
        assert_eq!(t.how_many(26), Some(2));
        assert_eq!(t.how_many(75), Some(2));
        assert_eq!(t.how_many(76), Some(0));
        assert_eq!(t.how_many(100), Some(0));
        assert_eq!(t.when(100), Some(1));
    }
}
