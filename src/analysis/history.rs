//! How much a forecast's answer depends on the length of its throughput history: the `when`
//! answers again with only the last k values of `team.capacity`'s empirical history, for a few
//! k (the report's "sensitivity to the history's length").
//!
//! Every variant runs on the same worlds as the forecast (same seed, replication r the same
//! random streams: common random numbers), so the differences between k are the history's
//! doing; each keeps one counter per sprint (a [`ForecastTally`]), never one per run.

use crate::engine::driver::{Comparison, Sink};
use crate::engine::metrics::idx;
use crate::engine::throughput::Plain;
use crate::model::compiled::Model;
use crate::output::forecast::{is_forecast, HistoryLength, HISTORY_CONFIDENCES};
use crate::random::{restart, stream_template, PairStream, Source};
use crate::scenario::{Dist, Scenario};
use crate::stats::forecast::ForecastTally;
use anyhow::Result;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

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

/// The completion sprints of `runs` runs of plain forecasts, into their tallies: what a
/// [`Comparison`] of them would give the [`Tallies`] (the same capacity stream per
/// replication, [`Plain::completion`] its record's completion sprint), without the rows and
/// records the tallies do not read.
fn completions(plain: &[Plain], seed: u64, runs: u64, tallies: &mut [ForecastTally]) {
    // Every variant of a replication draws from the same stream: its words are generated
    // once and replayed to each.
    let stream = stream_template(seed, Source::Capacity);
    let mut words = Words {
        pair: PairStream::of(&stream),
        stream,
        drawn: Vec::with_capacity(64),
    };
    for r in 0..runs {
        match &mut words.pair {
            Some(pair) => pair.restart(r),
            None => restart(&mut words.stream, r),
        }
        words.drawn.clear();
        for (p, tally) in plain.iter().zip(tallies.iter_mut()) {
            let replay = Replay {
                words: &mut words,
                at: 0,
            };
            tally.add(p.completion(replay), None);
        }
    }
}

/// The words of one replication's capacity stream drawn so far, and the stream (two blocks
/// at a time where the processor can).
struct Words {
    stream: ChaCha8Rng,
    pair: Option<PairStream>,
    drawn: Vec<u32>,
}

/// The capacity stream of a replication from its start, replayed from [`Words`] (drawn from
/// the stream when past them): the same words, one at a time, as the stream gives them.
struct Replay<'a> {
    words: &'a mut Words,
    at: usize,
}

impl rand::TryRng for Replay<'_> {
    type Error = std::convert::Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let w = &mut *self.words;
        if self.at == w.drawn.len() {
            let word = match &mut w.pair {
                Some(pair) => pair.next_u32(),
                None => w.stream.next_u32(),
            };
            w.drawn.push(word);
        }
        self.at += 1;
        Ok(w.drawn[self.at - 1])
    }

    /// Two words, the first the low half (as the stream joins them).
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let lo = self.try_next_u32()? as u64;
        Ok(lo | (self.try_next_u32()? as u64) << 32)
    }

    /// Whole words, little-endian (the rest of a word the bytes end in is dropped).
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(4) {
            let word = self.try_next_u32()?.to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
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
            let models: Vec<Model> = variants.iter().map(Model::new).collect();
            match models.iter().map(Plain::of).collect::<Option<Vec<Plain>>>() {
                // Plain forecasts: only the completion sprints, from the capacity streams.
                Some(plain) => completions(&plain, seed, runs, &mut sink.0),
                None => Comparison::new(&variants, seed, runs).run(&mut sink, &|_| {})?,
            }
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

    /// The tallies of plain forecasts' completion sprints are those of their runs through
    /// the driver (records and all), run by run: the same counts per sprint.
    #[test]
    fn plain_variants_count_the_completions_of_their_runs_through_the_driver() {
        let load = crate::scenario::load::load_scenario;
        let peer = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/benches/peer/forecast-120.toml"
        );
        let mut zeros = load("forecast").unwrap();
        zeros.team.capacity = Dist::Empirical {
            values: vec![0.0, 0.0, 3.0, 0.0, 9.0, 1.0, 0.0],
        };
        zeros.simulation.stop_at_completion = false;
        zeros.simulation.sprints = 30;
        let mut fixed = load("forecast").unwrap();
        fixed.team.capacity = Dist::Constant { value: 7.0 };
        fixed.backlog.initial_items = 0;
        for s in [load(peer).unwrap(), zeros, fixed] {
            let variants: Vec<Scenario> = lengths(history(&s).map_or(1, |h| h.len()))
                .iter()
                .map(|&k| with_last(&s, k))
                .collect();
            let tallies = || {
                Tallies(
                    variants
                        .iter()
                        .map(|_| ForecastTally::new(s.simulation.sprints))
                        .collect(),
                )
            };
            let plain: Vec<Plain> = variants
                .iter()
                .map(|v| Plain::of(&Model::new(v)).expect("plain"))
                .collect();
            let mut fast = tallies();
            completions(&plain, 9, 3000, &mut fast.0);
            let mut driven = tallies();
            Comparison::new(&variants, 9, 3000)
                .run(&mut driven, &|_| {})
                .unwrap();
            assert_eq!(fast.0, driven.0, "{}", s.name);
            assert!(fast.0.iter().all(|t| t.runs() == 3000));
        }
    }

    /// A replay gives the stream's words, u32 by u32, u64 by u64 and byte by byte, whether
    /// they were drawn already or not.
    #[test]
    fn a_replay_gives_the_words_of_its_stream() {
        let mut words = Words {
            stream: stream_template(4, Source::Capacity),
            pair: None,
            drawn: Vec::new(),
        };
        restart(&mut words.stream, 9);
        let mut want = stream_template(4, Source::Capacity);
        restart(&mut want, 9);
        let (mut a, mut b) = ([0u8; 30], [0u8; 30]);
        for n in [10usize, 3, 150] {
            let mut replay = Replay {
                words: &mut words,
                at: 0,
            };
            let mut fresh = want.clone();
            for _ in 0..n {
                assert_eq!(replay.next_u32(), fresh.next_u32());
            }
            assert_eq!(replay.next_u64(), fresh.next_u64());
            replay.fill_bytes(&mut a);
            fresh.fill_bytes(&mut b);
            assert_eq!(a, b);
            assert_eq!(replay.next_u32(), fresh.next_u32());
        }
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
