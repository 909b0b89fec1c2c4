//! The one replication loop: simulate scenarios on the same worlds and feed an
//! [`Aggregate`] batch by batch, for a fixed number of runs or until a precision target.

use super::Aggregate;
use crate::engine::driver::{Comparison, Prepare, Replications, Sink};
use crate::scenario::Scenario;
use crate::stats::Moments;
use anyhow::Result;

/// Most scenarios one engine comparison simulates together (its oracle table holds 64);
/// [`run_until`] runs more in comparisons of this many, on the same worlds.
pub const CHUNK: usize = 64;

/// The sequential rule: add batches of `batch` replications until every chosen metric's
/// 95 % CI half-width is at most `target` × |mean| in every scenario, or `max_runs` is
/// reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Precision {
    pub target: f64,
    pub max_runs: u64,
    pub batch: u64,
}

impl Precision {
    /// Check the options; `batch` is the first batch too.
    pub fn new(target: f64, max_runs: u64, batch: u64) -> Result<Precision> {
        if !(target > 0.0 && target < 1.0) {
            return Err(crate::error::input_error(format!(
                "--precision {target}: must be a relative half-width in (0, 1), e.g. 0.05 for ±5 % of the mean"
            )));
        }
        if batch < 2 {
            return Err(crate::error::input_error(
                "--runs must be at least 2 with --precision (it is the batch size)",
            ));
        }
        if max_runs < batch {
            return Err(crate::error::input_error(format!(
                "--max-runs {max_runs} is below the first batch of {batch} runs"
            )));
        }
        Ok(Precision {
            target,
            max_runs,
            batch,
        })
    }

    /// Whether a mean is known well enough.
    pub fn met(&self, m: &Moments) -> bool {
        m.n >= 2 && {
            let hw = m.half_width();
            hw.is_finite() && hw <= self.target * m.mean().abs()
        }
    }
}

/// Which of an aggregate's scenarios one engine comparison simulates: its scenario j is the
/// aggregate's `members[j]`.
#[derive(Debug, Clone, Copy)]
pub struct Chunk<'a> {
    pub members: &'a [usize],
    /// Whether this is the first comparison of its replications (it counts them, and the
    /// reference's own numbers: see [`Aggregate::add_chunk`]).
    pub first: bool,
}

/// The comparisons [`run_until`] simulates together: the scenarios in order, at most
/// [`CHUNK`] a comparison; with a `reference` (paired with every other scenario), at most
/// `CHUNK - 1` others and the reference last in every comparison, so that each pair meets in
/// one replication's records. Each comparison holds a multiple of `group` of the others
/// (the scenarios but the reference, in order), so that every run of `group` consecutive
/// others meets in one comparison too ([`Feed::group`]).
pub fn chunk_members(n: usize, reference: Option<usize>, group: usize) -> Vec<Vec<usize>> {
    assert!((1..CHUNK).contains(&group), "a group fits in a comparison");
    match reference {
        None => (0..n)
            .collect::<Vec<_>>()
            .chunks(CHUNK / group * group)
            .map(<[usize]>::to_vec)
            .collect(),
        Some(g) => {
            let others: Vec<usize> = (0..n).filter(|&s| s != g).collect();
            let mut chunks: Vec<Vec<usize>> = others
                .chunks((CHUNK - 1) / group * group)
                .map(|ch| ch.iter().copied().chain([g]).collect())
                .collect();
            if chunks.is_empty() {
                chunks.push(vec![g]);
            }
            chunks
        }
    }
}

/// What [`run_until`] feeds: an [`Aggregate`], or a sink that writes each batch somewhere
/// too (`run` streams runs.csv) and feeds its aggregate.
pub trait Feed: Send {
    /// Take a batch of the scenarios `chunk.members` of the aggregate.
    fn feed(&mut self, chunk: &Chunk, batch: &Replications) -> Result<()>;
    /// The aggregate fed, for the precision rule.
    fn aggregate(&mut self) -> &mut Aggregate;
    /// How many consecutive scenarios (the reference of [`Aggregate::paired_with`] left
    /// out) must meet in one comparison: a feed that pairs scenarios with each other too
    /// says so ([`chunk_members`]).
    fn group(&self) -> usize {
        1
    }
}

impl Feed for Aggregate {
    fn feed(&mut self, chunk: &Chunk, batch: &Replications) -> Result<()> {
        self.add_chunk(chunk, batch);
        Ok(())
    }

    fn aggregate(&mut self) -> &mut Aggregate {
        self
    }
}

/// One comparison's batches, handed on with its chunk.
struct At<'a> {
    feed: &'a mut dyn Feed,
    chunk: Chunk<'a>,
}

impl Sink for At<'_> {
    fn replications(&mut self, batch: &Replications) -> Result<()> {
        self.feed.feed(&self.chunk, batch)
    }
}

/// Simulate `scenarios` on the same worlds (`seed`; replication r is the same world in every
/// scenario) and feed `feed` in replication order: replications `0..runs`, or with a
/// `precision` rule batches of `precision.batch` until every scenario's mean of each of
/// `metrics` is known to the target or `precision.max_runs` is reached (the aggregate's
/// `precision_met` says which). More than [`CHUNK`] scenarios run in comparisons of
/// [`CHUNK`] ([`chunk_members`]; an aggregate [`Aggregate::paired_with`] a reference has it
/// simulated in each, counted once). `progress(done)` is called after each batch of the
/// engine with the replications done summed over the scenarios.
pub fn run_until(
    scenarios: &[Scenario],
    seed: u64,
    runs: u64,
    precision: Option<&Precision>,
    metrics: &[usize],
    feed: &mut dyn Feed,
    progress: &dyn Fn(u64),
) -> Result<()> {
    run_until_prepared(
        scenarios, seed, runs, precision, metrics, feed, None, progress,
    )
}

/// [`run_until`] with a hook that every batch of every comparison goes through before the
/// feed takes it (see [`Comparison::run_range_prepared`]).
#[allow(clippy::too_many_arguments)]
pub fn run_until_prepared(
    scenarios: &[Scenario],
    seed: u64,
    runs: u64,
    precision: Option<&Precision>,
    metrics: &[usize],
    feed: &mut dyn Feed,
    prepare: Option<&dyn Prepare>,
    progress: &dyn Fn(u64),
) -> Result<()> {
    let reference = feed.aggregate().reference();
    // (members, scenarios counted in it, scenarios counted before it, engine).
    let mut counted = 0;
    let comparisons: Vec<(Vec<usize>, usize, usize, Comparison)> =
        chunk_members(scenarios.len(), reference, feed.group())
            .into_iter()
            .enumerate()
            .map(|(i, members)| {
                let cmp = match reference {
                    // In order: a slice of the scenarios.
                    None => Comparison::new(
                        &scenarios[members[0]..members[0] + members.len()],
                        seed,
                        runs,
                    ),
                    Some(_) => {
                        let chunk: Vec<Scenario> =
                            members.iter().map(|&s| scenarios[s].clone()).collect();
                        Comparison::new(&chunk, seed, runs)
                    }
                };
                let before = counted;
                let len = members.len() - usize::from(reference.is_some() && i > 0);
                counted += len;
                (members, len, before, cmp)
            })
            .collect();
    let n = scenarios.len() as u64;
    let (mut start, mut end) = (0, precision.map_or(runs, |p| p.batch));
    loop {
        for (i, (members, len, offset, cmp)) in comparisons.iter().enumerate() {
            let len = *len as u64;
            // Replications × scenarios done: the earlier batches, the earlier chunks of this
            // batch, then this chunk's share.
            let before = start * n + (end - start) * *offset as u64;
            let mut at = At {
                feed: &mut *feed,
                chunk: Chunk {
                    members,
                    first: i == 0,
                },
            };
            cmp.run_range_prepared(start, end, &mut at, prepare, &|after| {
                progress(before + (after - start) * len)
            })?;
        }
        let Some(p) = precision else { break };
        let aggregate = feed.aggregate();
        let met = aggregate.precise(p, metrics);
        aggregate.precision_met = Some(met);
        if met || end >= p.max_runs {
            break;
        }
        start = end;
        end = (end + p.batch).min(p.max_runs);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::metrics::{idx, N_METRICS};
    use crate::scenario::load::load_scenario;

    /// Variants beyond the first comparison of [`CHUNK`] run on the same worlds: the last
    /// of 66 copies of a scenario has the first one's values run by run, and the summaries
    /// of an analysis are a comparison's.
    #[test]
    fn chunks_share_the_worlds_and_the_summaries() {
        let s = load_scenario("forecast").unwrap();
        let scenarios = vec![s.clone(); CHUNK + 2];
        let m = [idx::COMPLETION_SPRINT, idx::ITEMS_DONE];
        let n = scenarios.len();
        let sprints = vec![s.simulation.sprints as usize; n];
        let planned = vec![s.release.planned_sprint.unwrap_or(0) as f64; n];
        let mut c = Aggregate::summaries(&sprints, &planned, &m, true);
        let done = std::sync::atomic::AtomicU64::new(0);
        run_until(&scenarios, 7, 40, None, &m, &mut c, &|d| {
            done.store(d, std::sync::atomic::Ordering::Relaxed)
        })
        .unwrap();
        assert_eq!(
            done.into_inner(),
            40 * n as u64,
            "progress counts every variant"
        );
        assert_eq!((c.replications, c.precision_met), (40, None));
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(c.values()[0].len(), m.len());
        for k in 0..m.len() {
            assert_eq!(c.values()[0][k].len(), 40);
            assert_eq!(bits(&c.values()[0][k]), bits(&c.values()[n - 1][k]));
        }
        assert_eq!(bits(c.metric_values(n - 1, m[1])), bits(&c.values()[0][1]));
        let mut whole = Aggregate::new(&sprints[..1], &planned[..1], 0);
        run_until(&scenarios[..1], 7, 40, None, &[], &mut whole, &|_| {}).unwrap();
        for &m in &m {
            let (a, b) = (c.summary(n - 1, m), whole.summary(0, m));
            assert_eq!(
                (
                    a.mean.to_bits(),
                    a.n,
                    a.observed,
                    a.quantile(0.85).to_bits()
                ),
                (
                    b.mean.to_bits(),
                    b.n,
                    b.observed,
                    b.quantile(0.85).to_bits()
                ),
            );
        }
        assert!(N_METRICS > m.len());
    }

    #[test]
    fn the_reference_is_last_in_every_chunk_and_the_chunks_hold_every_scenario_once() {
        let chunks = chunk_members(2 * CHUNK, Some(5), 1);
        assert_eq!(chunks.len(), 3);
        assert!(chunks
            .iter()
            .all(|c| c.len() <= CHUNK && c.last() == Some(&5)));
        let mut all: Vec<usize> = chunks
            .iter()
            .flat_map(|c| c[..c.len() - 1].to_vec())
            .collect();
        all.push(5);
        all.sort();
        assert_eq!(all, (0..2 * CHUNK).collect::<Vec<_>>());
        assert_eq!(
            chunk_members(70, None, 1)
                .iter()
                .map(Vec::len)
                .collect::<Vec<_>>(),
            [64, 6]
        );
        assert_eq!(chunk_members(1, Some(0), 1), [vec![0]]);
    }

    /// In groups of two, the pairs (1, 2), (3, 4), … of the others meet in one comparison,
    /// the reference last in each, however many there are.
    #[test]
    fn groups_meet_in_one_comparison() {
        for n in [3, 63, 65, 127, 129, 201] {
            let chunks = chunk_members(n, Some(0), 2);
            assert!(chunks
                .iter()
                .all(|c| c.len() <= CHUNK && c.last() == Some(&0) && c.len() % 2 == 1));
            let all: Vec<usize> = chunks
                .iter()
                .flat_map(|c| c[..c.len() - 1].to_vec())
                .collect();
            assert_eq!(all, (1..n).collect::<Vec<_>>());
        }
        let plain = chunk_members(130, None, 2);
        assert!(plain.iter().all(|c| c.len() % 2 == 0 && c.len() <= CHUNK));
        // As few comparisons as fit: full ones of 64, the rest last.
        let lens = |c: Vec<Vec<usize>>| c.iter().map(Vec::len).collect::<Vec<_>>();
        assert_eq!(lens(plain), [64, 64, 2]);
        assert_eq!(lens(chunk_members(129, None, 2)), [64, 64, 1]);
        assert_eq!(lens(chunk_members(130, Some(0), 2)), [63, 63, 6]);
    }

    /// Progress counts replications × scenarios, each scenario once (the reference, run in
    /// every comparison, in the first only), comparison by comparison and batch by batch: 66
    /// scenarios with a reference are comparisons of 63 others + the reference and of the
    /// last 2 others + the reference; two batches of 2 replications (a target never met,
    /// capped at 4).
    #[test]
    fn progress_counts_each_scenario_once_in_every_batch() {
        let s = load_scenario("forecast").unwrap();
        let n = CHUNK + 2;
        let scenarios = vec![s.clone(); n];
        let m = [idx::COMPLETION_SPRINT];
        let sprints = vec![s.simulation.sprints as usize; n];
        let mut agg = Aggregate::summaries(&sprints, &vec![0.0; n], &m, false).paired_with(0);
        let p = Precision::new(1e-9, 4, 2).unwrap();
        let done = std::sync::Mutex::new(Vec::new());
        run_until(&scenarios, 5, 2, Some(&p), &m, &mut agg, &|d| {
            done.lock().unwrap().push(d)
        })
        .unwrap();
        assert_eq!((agg.replications, agg.precision_met), (4, Some(false)));
        // Batch 1: 2 × 64, then 2 × 66; batch 2: 2 × 66 + 2 × 64, then 4 × 66.
        assert_eq!(done.into_inner().unwrap(), [128, 132, 260, 264]);
    }

    /// With a precision target, batches are added until the target is met (and no further),
    /// or up to the cap with `precision_met` false.
    #[test]
    fn precision_adds_batches_until_met_or_capped() {
        let s = load_scenario("forecast").unwrap();
        let m = [idx::COMPLETION_SPRINT];
        let fresh = || Aggregate::summaries(&[s.simulation.sprints as usize], &[0.0], &m, false);
        let run = |target: f64, max: u64| {
            let mut c = fresh();
            let p = Precision::new(target, max, 20).unwrap();
            run_until(
                std::slice::from_ref(&s),
                3,
                20,
                Some(&p),
                &m,
                &mut c,
                &|_| {},
            )
            .unwrap();
            c
        };
        // Loose: met at once. Impossible: capped.
        let loose = run(0.5, 200);
        assert_eq!((loose.replications, loose.precision_met), (20, Some(true)));
        let capped = run(1e-9, 60);
        assert_eq!(
            (capped.replications, capped.precision_met),
            (60, Some(false))
        );
        // Between: the first batch count at which the rule holds, checked batch by batch.
        let mid = run(0.01, 2000);
        assert_eq!(mid.precision_met, Some(true));
        let p = Precision::new(0.01, 2000, 20).unwrap();
        assert!(p.met(mid.moments(0, m[0])));
        let mut before = fresh();
        let r = mid.replications - 20;
        assert!(r > 0, "0.01 takes more than one batch");
        run_until(
            std::slice::from_ref(&s),
            3,
            r,
            None,
            &m,
            &mut before,
            &|_| {},
        )
        .unwrap();
        assert!(!p.met(before.moments(0, m[0])), "met one batch earlier");
    }
}
