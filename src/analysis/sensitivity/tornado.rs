//! The tornado: each range's low and high end, one at a time, on the scenario's worlds, with
//! the paired differences streamed (memory does not grow with the runs).

use super::{announce, evaluate_variants, set_all, Design, Effect, Found};
use crate::aggregate::{Aggregate, Chunk, Feed, Pair};
use crate::engine::driver::Replications;
use crate::engine::metrics::METRICS;
use crate::scenario::params::Range;
use crate::scenario::Scenario;
use anyhow::Result;

/// What a tornado accumulates over the scenario as given (scenario 0) and each range's low
/// and high end (scenarios 2i + 1 and 2i + 2): the summaries, and per replication the
/// paired differences of the metric, over the runs where both sides have a value. Bounded:
/// no value is kept.
pub(super) struct Paired {
    pub(super) summaries: Aggregate,
    metric: usize,
    /// `to_given[s]`: scenario s against the scenario as given.
    to_given: Vec<Pair>,
    /// `ends[i]`: range i's high end against its low end.
    ends: Vec<Pair>,
}

impl Paired {
    /// Empty, for `scenarios` (the scenario as given, then each range's low and high end).
    pub(super) fn new(scenarios: &[Scenario], metric: usize) -> Paired {
        assert!(
            scenarios.len() % 2 == 1,
            "the scenario as given and pairs of ends"
        );
        Paired {
            summaries: super::summaries_of(scenarios, &[metric], false).paired_with(0),
            metric,
            to_given: vec![Pair::default(); scenarios.len()],
            ends: vec![Pair::default(); scenarios.len() / 2],
        }
    }
}

impl Feed for Paired {
    fn feed(&mut self, chunk: &Chunk, batch: &Replications) -> Result<()> {
        self.summaries.add_chunk(chunk, batch);
        let (m, better) = (self.metric, METRICS[self.metric].better);
        let value = |r: usize, j: usize| batch.records(r)[j].metrics[m];
        // The scenario as given is the reference: last in every comparison.
        let given = chunk.members.len() - 1;
        debug_assert_eq!(chunk.members[given], 0);
        for (j, &s) in chunk.members[..given].iter().enumerate() {
            let pair = &mut self.to_given[s];
            for r in 0..batch.len {
                pair.add(value(r, j), value(r, given), better);
            }
            if s % 2 == 1 {
                // The low end; its high end is next, in the same comparison (`group`).
                assert_eq!(chunk.members[j + 1], s + 1, "a range's ends meet");
                let pair = &mut self.ends[s / 2];
                for r in 0..batch.len {
                    pair.add(value(r, j + 1), value(r, j), better);
                }
            }
        }
        Ok(())
    }

    fn aggregate(&mut self) -> &mut Aggregate {
        &mut self.summaries
    }

    fn group(&self) -> usize {
        2
    }
}

pub(super) fn tornado(d: &Design) -> Result<Found> {
    let mut scenarios = vec![d.base.clone()];
    for r in d.ranges {
        scenarios.push(set_all(d.base, &[(&r.key, r.low)])?);
        scenarios.push(set_all(d.base, &[(&r.key, r.high)])?);
    }
    announce(
        d.opts,
        &format!(
            "sensitivity (tornado): {} parameters, {} variants",
            d.ranges.len(),
            scenarios.len()
        ),
        d.runs,
        d.precision.is_some(),
    );
    let mut p = Paired::new(&scenarios, d.metric[0]);
    evaluate_variants(d, &scenarios, &mut p)?;
    Ok(effects(&p, d.ranges))
}

/// The tornado's result from what was accumulated.
pub(super) fn effects(p: &Paired, ranges: &[Range]) -> Found {
    let c = &p.summaries;
    let m = p.metric;
    // A variant's mean with the CI of its paired difference from the scenario (same worlds),
    // placed around that mean: the honest uncertainty of the bar's length. The interval is
    // shifted with the bar, never computed around another centre: when a censored metric
    // leaves some replications empty, the paired mean (over replications where both are
    // defined) differs from the variant's own mean, and an interval centred on the scenario's
    // mean plus the paired difference would not contain its own bar.
    let base_mean = c.moments(0, m).mean();
    let stat = |s: usize| -> ((f64, f64, f64), bool) {
        if s == 0 {
            let (lo, hi) = c.moments(0, m).ci95();
            return ((base_mean, lo, hi), false);
        }
        let d = p.to_given[s].summary();
        let (d, (lo, hi)) = (d.mean_diff, d.ci95);
        let m = c.moments(s, m).mean();
        ((m, m + (lo - d), m + (hi - d)), lo > 0.0 || hi < 0.0)
    };
    let mut effects = Vec::new();
    for (i, r) in ranges.iter().enumerate() {
        let (lo_s, hi_s) = (1 + 2 * i, 2 + 2 * i);
        let ends = p.ends[i].summary();
        let ((at_low, low_clear), (at_high, high_clear)) = (stat(lo_s), stat(hi_s));
        let means = [base_mean, at_low.0, at_high.0];
        let spread = means.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            - means.iter().cloned().fold(f64::INFINITY, f64::min);
        effects.push(Effect {
            spread,
            key: r.key.clone(),
            low: r.low,
            high: r.high,
            at_low,
            at_high,
            effect: ends.mean_diff,
            effect_ci: ends.ci95,
            ends_clear: low_clear || high_clear,
            mu: f64::NAN,
            mu_star: f64::NAN,
            sigma: f64::NAN,
        });
    }
    (stat(0).0, effects, c.replications, c.precision_met)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{run_until, CHUNK};
    use crate::engine::metrics::idx;
    use crate::scenario::load::load_scenario;
    use crate::stats::Moments;

    /// Mean of b − a over the runs where both have a value, with its 95 % CI (the mean
    /// itself when every difference is the same): the tornado's pairs computed from every
    /// value kept, as it was before they were streamed.
    fn kept_pair(a: &[f64], b: &[f64]) -> (f64, (f64, f64)) {
        let mut d = Moments::default();
        for (x, y) in a.iter().zip(b) {
            if !x.is_nan() && !y.is_nan() {
                d.add(y - x);
            }
        }
        let ci = if d.n >= 2 && d.sd() == 0.0 {
            (d.mean(), d.mean())
        } else {
            d.ci95()
        };
        (d.mean(), ci)
    }

    /// More ranges than one comparison holds, on a censored metric (runs without a value):
    /// the streamed tornado keeps no value, and its every number is, bit for bit, the one
    /// computed from every value kept.
    #[test]
    fn streamed_pairs_keep_no_value_and_equal_the_pairs_of_every_value() {
        let mut base = load_scenario("siloed-pm").unwrap();
        base.simulation.sprints = 14; // some runs do not finish: NaN completions
        let keys = [
            ("team.lanes", 1.0, 4.0),
            ("po.decision_latency_hours", 2.0, 40.0),
            ("backlog.arrivals_per_sprint", 1.0, 6.0),
        ];
        let ranges: Vec<Range> = (0..CHUNK / 2 + 3)
            .map(|i| {
                let (k, lo, hi) = keys[i % keys.len()];
                Range {
                    key: k.into(),
                    low: lo,
                    high: hi,
                }
            })
            .collect();
        let mut scenarios = vec![base.clone()];
        for r in &ranges {
            scenarios.push(set_all(&base, &[(&r.key, r.low)]).unwrap());
            scenarios.push(set_all(&base, &[(&r.key, r.high)]).unwrap());
        }
        assert!(scenarios.len() > CHUNK);
        let m = idx::COMPLETION_SPRINT;
        let mut p = Paired::new(&scenarios, m);
        run_until(&scenarios, 5, 40, None, &[m], &mut p, &|_| {}).unwrap();
        assert!(p.summaries.kept().is_empty() && p.summaries.values().is_empty());
        let (given, found, runs, _) = effects(&p, &ranges);
        assert_eq!(runs, 40);

        let mut all = crate::analysis::summaries_of(&scenarios, &[m], true);
        run_until(&scenarios, 5, 40, None, &[m], &mut all, &|_| {}).unwrap();
        let v = |s: usize| all.metric_values(s, m);
        assert!(v(1).iter().any(|x| x.is_nan()), "some runs are censored");
        let bits = |x: (f64, f64, f64)| [x.0.to_bits(), x.1.to_bits(), x.2.to_bits()];
        let mean = |s: usize| all.moments(s, m).mean();
        let (lo, hi) = all.moments(0, m).ci95();
        assert_eq!(bits(given), bits((mean(0), lo, hi)));
        for (i, e) in found.iter().enumerate() {
            let (l, h) = (1 + 2 * i, 2 + 2 * i);
            let (effect, ci) = kept_pair(v(l), v(h));
            assert_eq!(
                bits((e.effect, e.effect_ci.0, e.effect_ci.1)),
                bits((effect, ci.0, ci.1)),
                "range {i}"
            );
            for (s, at) in [(l, e.at_low), (h, e.at_high)] {
                let (d, (a, b)) = kept_pair(v(0), v(s));
                let x = mean(s);
                assert_eq!(
                    bits(at),
                    bits((x, x + (a - d), x + (b - d))),
                    "range {i}, scenario {s}"
                );
            }
        }
    }
}
