//! How much a forecast's answer depends on the length of its throughput history: the `when`
//! answers again with only the last k values of `team.capacity`'s empirical history, for a few
//! k (the report's "sensitivity to the history's length").
//!
//! Every variant runs on the same worlds as the forecast (same seed, replication r the same
//! random streams: common random numbers), so the differences between k are the history's
//! doing; each keeps one counter per sprint (a [`ForecastTally`]), never one per run.

use crate::engine::driver::{Comparison, Sink};
use crate::engine::metrics::idx;
use crate::output::forecast::{is_forecast, HistoryLength, HISTORY_CONFIDENCES};
use crate::scenario::{Dist, Scenario};
use crate::stats::forecast::ForecastTally;
use anyhow::Result;

/// Most runs per variant: enough for a P85 to about ±1 sprint, and cheap beside the run.
pub const MAX_RUNS: u64 = 10_000;

/// The history lengths tried below the full history (the full one is always tried).
const LENGTHS: [usize; 10] = [4, 6, 8, 10, 13, 16, 20, 26, 39, 52];

/// The history a forecast bootstraps: `team.capacity`'s empirical values, oldest first.
pub fn history(s: &Scenario) -> Option<&[f64]> {
    match &s.team.capacity {
        Dist::Empirical { values } if values.len() > 1 => Some(values),
        _ => None,
    }
}

/// The history lengths tried for a history of `n` values: the listed ones below `n`, then `n`.
pub fn lengths(n: usize) -> Vec<usize> {
    let mut out: Vec<usize> = LENGTHS.iter().copied().filter(|&k| k < n).collect();
    out.push(n);
    out
}

/// The scenario with only the last `k` values of its history.
fn with_last(s: &Scenario, k: usize) -> Scenario {
    let mut v = s.clone();
    if let Dist::Empirical { values } = &mut v.team.capacity {
        let drop = values.len().saturating_sub(k);
        values.drain(..drop);
    }
    v
}

struct Tallies(Vec<ForecastTally>);

impl Sink for Tallies {
    fn replications(&mut self, batch: &crate::engine::driver::Replications) -> Result<()> {
        for j in 0..batch.len {
            for (tally, rec) in self.0.iter_mut().zip(batch.records(j)) {
                let c = rec.metrics[idx::COMPLETION_SPRINT];
                tally.add((!c.is_nan()).then_some(c as u32), None);
            }
        }
        Ok(())
    }
}

/// Per scenario (None for those that are not forecasts or have no history of two or more
/// values): the `when` answers with the last k values of the history, for each k of
/// [`lengths`], from `min(runs, MAX_RUNS)` runs at `seed`.
pub fn history_length(
    scenarios: &[Scenario],
    seed: u64,
    runs: u64,
) -> Result<Vec<Option<HistoryLength>>> {
    let runs = runs.min(MAX_RUNS);
    scenarios
        .iter()
        .map(|s| {
            let Some(h) = history(s).filter(|_| is_forecast(s)) else {
                return Ok(None);
            };
            let ks = lengths(h.len());
            let variants: Vec<Scenario> = ks.iter().map(|&k| with_last(s, k)).collect();
            let mut sink = Tallies(
                variants
                    .iter()
                    .map(|_| ForecastTally::new(s.simulation.sprints))
                    .collect(),
            );
            Comparison::new(&variants, seed, runs).run(&mut sink, &|_| {})?;
            let when = ks
                .iter()
                .zip(&sink.0)
                .map(|(&k, t)| (k, HISTORY_CONFIDENCES.map(|c| t.when(c))))
                .collect();
            Ok(Some(HistoryLength {
                runs,
                history: h.len(),
                when,
            }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_end_with_the_whole_history() {
        assert_eq!(lengths(12), vec![4, 6, 8, 10, 12]);
        assert_eq!(lengths(4), vec![4]);
        assert_eq!(lengths(60), vec![4, 6, 8, 10, 13, 16, 20, 26, 39, 52, 60]);
    }

    #[test]
    fn the_last_values_are_kept() {
        let mut s = Scenario::default();
        s.team.capacity = Dist::Empirical {
            values: vec![1.0, 2.0, 3.0, 4.0, 5.0],
        };
        match with_last(&s, 2).team.capacity {
            Dist::Empirical { values } => assert_eq!(values, vec![4.0, 5.0]),
            other => panic!("{other:?}"),
        }
    }
}
