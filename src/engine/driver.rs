//! The parallel driver. Replications run in batches on rayon's pool; each replication runs
//! the oracle(s) and every scenario on the same random streams (common random numbers), and
//! the batch's records are handed to the sink in replication order. Results therefore do
//! not depend on the thread count, and memory is bounded by the batch size.

use super::metrics::{RunRecord, SmallRow, N_METRICS, N_SERIES};
use super::run::simulate;
use super::tally::counted_series;
use super::throughput::{Plain, PlainRow};
use super::workspace::Workspace;
use crate::model::compiled::Model;
use crate::random::{stream_template, PairStream, RunKeys, Source};
use crate::scenario::{ModelKind, Scenario};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::cell::RefCell;
use std::sync::OnceLock;

mod pipeline;
mod replications;
pub use replications::Replications;

/// Replications per batch: large enough to keep both cores busy, small enough to bound memory.
pub const BATCH: u64 = 128;

/// Receives replications in order, a batch at a time (and may use the thread pool on it).
pub trait Sink {
    fn replications(&mut self, batch: &Replications) -> anyhow::Result<()>;
}

/// Work on a batch that does not depend on the order of the batches (counts that add up in
/// any order, text that the sink writes in order), done by the worker that simulated the
/// batch right after simulating it, while its data is in that worker's cache: the sink's
/// serial, in-order part is left lighter. A run with a hook calls it exactly once for every
/// batch before handing the batch to the sink, whatever the thread count
/// ([`Comparison::run_range_prepared`]).
pub trait Prepare: Sync {
    /// Prepare `batch` on worker `worker` (from 0; fewer than the pool's threads, or 2):
    /// into state of that worker's own (no other worker uses it meanwhile, unless two share
    /// an index modulo the hook's own count), and into `out` (empty when called), which
    /// the sink gets with the batch ([`Replications::prepared`]).
    fn prepare(&self, worker: usize, batch: &Replications, out: &mut Vec<u8>);
}

/// A sink that takes one replication at a time.
pub trait ReplicationSink {
    /// `records[s]` and `series[s]` belong to scenario s of replication `replication` (0-based).
    /// `series[s]` has a row per sprint up to the horizon, or fewer when the run stopped at
    /// completion: the sprints after its last row repeat `metrics::row_after_stop(last)`.
    fn replication(
        &mut self,
        replication: u64,
        records: &[RunRecord],
        series: &[&[[f64; N_SERIES]]],
    ) -> anyhow::Result<()>;
}

impl<T: ReplicationSink> Sink for T {
    fn replications(&mut self, batch: &Replications) -> anyhow::Result<()> {
        let mut views: Vec<&[[f64; N_SERIES]]> = Vec::with_capacity(batch.scenario_count());
        for j in 0..batch.len {
            views.clear();
            views.extend((0..batch.scenario_count()).map(|s| batch.rows(j, s)));
            self.replication(batch.start + j as u64, batch.records(j), &views)?;
        }
        Ok(())
    }
}

/// Scenarios compiled for a comparison, with their oracles shared where the worlds agree.
pub struct Comparison {
    pub models: Vec<Model>,
    oracles: Vec<Model>,
    /// oracle_of[s]: index into `oracles` (none for throughput forecasts).
    oracle_of: Vec<Option<usize>>,
    pub seed: u64,
    pub runs: u64,
    max_sprints: usize,
    /// Per scenario: for a throughput scenario (the fast lane), its capacity stream's
    /// template, so that a replication's stream is made without seeding anew.
    capacity: Vec<Option<ChaCha8Rng>>,
    /// The capacity stream's template (every throughput scenario's), which a batch clones
    /// once to move from replication to replication ([`RunKeys::restart`]), and the same
    /// stream two blocks at a time where the processor can ([`PairStream`]).
    stream: Streams,
    /// Per throughput scenario in the plain case: its whole-number lane ([`Plain`]).
    plain: Vec<Option<Plain>>,
    /// When every scenario is a throughput forecast: the only sources whose keys a
    /// replication needs (see [`RunKeys::for_sources`]); else every key is made.
    sources: Option<Vec<Source>>,
    /// Per scenario: the series whose values are small whole numbers ([`counted_series`]).
    small_whole: Vec<Vec<usize>>,
    /// Whether every scenario is a plain forecast ([`Lane::Plain`]): a replication then
    /// needs no keys, only its capacity stream.
    plain_only: bool,
    /// Whether, besides, every plain forecast's values fit a [`SmallRow`]
    /// ([`Plain::small_rows`]): the batches then hold their rows as small rows.
    small_rows: bool,
}

impl Comparison {
    pub fn new(scenarios: &[Scenario], seed: u64, runs: u64) -> Comparison {
        let mut oracles: Vec<Model> = Vec::new();
        let mut oracle_of = Vec::new();
        for s in scenarios {
            if s.simulation.model == ModelKind::Throughput {
                oracle_of.push(None); // No values: nothing for an oracle to realize.
                continue;
            }
            let o = Model::oracle(s);
            match oracles.iter().position(|x| x.scenario == o.scenario) {
                Some(i) => oracle_of.push(Some(i)),
                None => {
                    oracle_of.push(Some(oracles.len()));
                    oracles.push(o);
                }
            }
        }
        let models: Vec<Model> = scenarios.iter().map(Model::new).collect();
        let throughput = |m: &Model| m.scenario.simulation.model == ModelKind::Throughput;
        let capacity = models
            .iter()
            .map(|m| throughput(m).then(|| stream_template(seed, Source::Capacity)))
            .collect();
        let sources = models.iter().all(throughput).then(|| {
            let mut v: Vec<Source> = models
                .iter()
                .flat_map(super::throughput::keyed_sources)
                .collect();
            v.sort_by_key(|s| *s as u64);
            v.dedup();
            v
        });
        let plain: Vec<Option<Plain>> = models.iter().map(Plain::of).collect();
        Comparison {
            small_whole: models.iter().map(counted_series).collect(),
            plain_only: plain.iter().all(Option::is_some),
            small_rows: plain
                .iter()
                .all(|p| p.as_ref().is_some_and(Plain::small_rows)),
            plain,
            stream: Streams::new(stream_template(seed, Source::Capacity)),
            models,
            capacity,
            sources,
            oracles,
            oracle_of,
            seed,
            runs,
            max_sprints: scenarios
                .iter()
                .map(|s| s.simulation.sprints as usize)
                .max()
                .unwrap_or(0),
        }
    }

    pub fn scenario_count(&self) -> usize {
        self.models.len()
    }

    /// How scenario s's replications are simulated.
    pub fn lane(&self, s: usize) -> Lane<'_> {
        match (&self.capacity[s], &self.plain[s]) {
            (Some(template), Some(plain)) => Lane::Plain(template, plain),
            (Some(template), None) => Lane::Throughput(template),
            _ => Lane::Roles,
        }
    }

    /// Simulate replication `r` into `records` (one per scenario) and `series` (max_sprints
    /// rows per scenario). `stream` is a clone of [`Comparison::stream`]'s template, moved
    /// to the replication's capacity stream for each plain forecast (no copy of the
    /// generator per run).
    fn replicate(
        &self,
        r: u64,
        records: &mut [RunRecord],
        series: &mut [[f64; N_SERIES]],
        rows_written: &mut [u32],
        ws: &mut Workspace,
        streams: &mut Streams,
    ) {
        if self.plain_only {
            self.replicate_plain(r, records, series, rows_written, ws, streams);
        } else {
            self.replicate_any(r, records, series, rows_written, ws, &mut streams.chacha);
        }
    }

    /// [`Comparison::replicate`] when every scenario is a plain forecast.
    #[inline(always)]
    fn replicate_plain<Row: PlainRow>(
        &self,
        r: u64,
        records: &mut [RunRecord],
        series: &mut [Row],
        rows_written: &mut [u32],
        ws: &mut Workspace,
        streams: &mut Streams,
    ) {
        use super::throughput::{play_plain_into, play_plain_pair};
        // One forecast, two blocks at a time (the usual case): no loop over scenarios.
        if let ([model], [Some(plain)], [record], [written], Some(pair)) = (
            &self.models[..],
            &self.plain[..],
            &mut *records,
            &mut *rows_written,
            &mut streams.pair,
        ) {
            pair.restart(r);
            let rows = &mut series[..self.max_sprints];
            *written = play_plain_pair(model, plain, pair.cursor(), ws, rows, record) as u32;
            return;
        }
        let plain = self.models.iter().zip(self.plain.iter().flatten());
        let out = records.iter_mut().zip(rows_written);
        for (s, ((model, plain), (record, written))) in plain.zip(out).enumerate() {
            let rows = &mut series[s * self.max_sprints..(s + 1) * self.max_sprints];
            let n = match &mut streams.pair {
                Some(pair) => {
                    pair.restart(r);
                    play_plain_pair(model, plain, pair.cursor(), ws, rows, record)
                }
                None => {
                    crate::random::restart(&mut streams.chacha, r);
                    play_plain_into(model, plain, &mut streams.chacha, ws, rows, record)
                }
            };
            *written = n as u32;
        }
    }

    /// [`Comparison::replicate`] when some scenario is not a plain forecast (apart, so
    /// that the plain one's frame stays small).
    #[inline(never)]
    fn replicate_any(
        &self,
        r: u64,
        records: &mut [RunRecord],
        series: &mut [[f64; N_SERIES]],
        rows_written: &mut [u32],
        ws: &mut Workspace,
        stream: &mut ChaCha8Rng,
    ) {
        use super::throughput::play_plain_into;
        let keys = match &self.sources {
            Some(sources) => RunKeys::for_sources(self.seed, r, sources),
            None => RunKeys::new(self.seed, r),
        };
        // The oracles' values (a forecast has none, and its replication is cheap enough that
        // zeroing the array would show).
        let oracle_values = (!self.oracles.is_empty()).then(|| {
            let mut values = [0.0f64; 64];
            for (o, model) in self.oracles.iter().enumerate() {
                values[o] =
                    simulate(model, &keys, None, ws).metrics[super::metrics::idx::VALUE_REALIZED];
            }
            values
        });
        for (s, model) in self.models.iter().enumerate() {
            let rows = &mut series[s * self.max_sprints..(s + 1) * self.max_sprints];
            let n = match self.lane(s) {
                // The fast lanes: the stream from its template, the rows straight into the batch.
                Lane::Plain(_, plain) => {
                    keys.restart(stream);
                    let record = &mut records[s];
                    play_plain_into(model, plain, &mut *stream, ws, rows, record)
                }
                Lane::Throughput(template) => {
                    let capacity = keys.stream_from(template);
                    let (record, n) = super::throughput::play(model, &keys, capacity, ws, rows);
                    records[s] = record;
                    n
                }
                Lane::Roles => {
                    let oracle = self.oracle_of[s].zip(oracle_values).map(|(o, v)| v[o]);
                    records[s] = simulate(model, &keys, oracle, ws);
                    rows[..ws.series.len()].copy_from_slice(&ws.series);
                    ws.series.len()
                }
            };
            rows_written[s] = n as u32;
        }
    }

    /// Run every replication, calling `progress(done)` after each batch and feeding `sink`.
    pub fn run(&self, sink: &mut (dyn Sink + Send), progress: &dyn Fn(u64)) -> anyhow::Result<()> {
        self.run_range(0, self.runs, sink, progress)
    }

    /// Run replications `start..end` (0-based) in order: how sequential rules add batches.
    /// Replication r is the same whatever range it is run in. While the sink takes one batch,
    /// the workers already simulate the next (double buffering).
    pub fn run_range(
        &self,
        start: u64,
        end: u64,
        sink: &mut (dyn Sink + Send),
        progress: &dyn Fn(u64),
    ) -> anyhow::Result<()> {
        self.run_range_prepared(start, end, sink, None, progress)
    }

    /// [`Comparison::run_range`] with a hook that each batch goes through once, after it
    /// is simulated and before the sink takes it: in the pipeline, on the worker that
    /// simulated it; else after the batch's simulation, beside the delivery of the one
    /// before, as worker 0.
    pub fn run_range_prepared(
        &self,
        start: u64,
        end: u64,
        sink: &mut (dyn Sink + Send),
        prepare: Option<&dyn Prepare>,
        progress: &dyn Fn(u64),
    ) -> anyhow::Result<()> {
        if self.sources.is_some() && rayon::current_num_threads() >= 2 {
            return self.run_pipelined(start, end, sink, prepare, progress);
        }
        let mut current = self.batch(start, end);
        let mut next = self.batch(start, end);
        self.simulate_batch(&mut current, false);
        self.prepare(&mut current, prepare, 0);
        while current.len > 0 {
            let after = current.start + current.len as u64;
            next.start = after;
            next.len = (end - after).min(BATCH) as usize;
            let (delivered, ()) = rayon::join(
                || self.deliver(&current, sink),
                || {
                    self.simulate_batch(&mut next, false);
                    self.prepare(&mut next, prepare, 0);
                },
            );
            delivered?;
            progress(after);
            std::mem::swap(&mut current, &mut next);
        }
        Ok(())
    }

    /// Buffers for one batch, starting at `start`.
    fn batch(&self, start: u64, end: u64) -> Batch {
        let n = self.scenario_count();
        let empty = RunRecord {
            metrics: [f64::NAN; N_METRICS],
        };
        Batch {
            start,
            len: (end.saturating_sub(start)).min(BATCH) as usize,
            records: vec![empty; BATCH as usize * n],
            // NaN: the fast lane writes only its model's series (see `throughput::play`).
            series: match self.small_rows {
                true => Vec::new(),
                false => vec![[f64::NAN; N_SERIES]; BATCH as usize * n * self.max_sprints],
            },
            small: match self.small_rows {
                true => vec![SmallRow::default(); BATCH as usize * n * self.max_sprints],
                false => Vec::new(),
            },
            wide: OnceLock::new(),
            rows_written: vec![0; BATCH as usize * n],
            prepared: Vec::new(),
        }
    }

    /// Run the hook (if any) on the simulated batch `b` as worker `worker`.
    fn prepare(&self, b: &mut Batch, prepare: Option<&dyn Prepare>, worker: usize) {
        if let Some(prepare) = prepare {
            let mut out = std::mem::take(&mut b.prepared);
            out.clear();
            if b.len > 0 {
                prepare.prepare(worker, &self.view(b), &mut out);
            }
            b.prepared = out;
        }
    }

    /// The batch as a sink sees it.
    fn view<'b>(&'b self, b: &'b Batch) -> Replications<'b> {
        let shape = (b.start, b.len, self.scenario_count(), self.max_sprints);
        match self.small_rows {
            true => Replications::new_small(shape, &b.records, &b.small, &b.rows_written, &b.wide),
            false => Replications::new(
                shape.0,
                shape.1,
                shape.2,
                shape.3,
                &b.records,
                &b.series,
                &b.rows_written,
            ),
        }
        .with_small_whole(&self.small_whole)
        .with_prepared(&b.prepared)
    }

    /// Simulate the batch's replications on the thread pool, or on this thread alone
    /// (`here`), into its rows of the kind the comparison writes (small rows or doubles).
    fn simulate_batch(&self, b: &mut Batch, here: bool) {
        b.wide = OnceLock::new();
        let (start, len) = (b.start, b.len);
        let (records, written) = (&mut b.records, &mut b.rows_written);
        match self.small_rows {
            true => self.simulate_rows(here, start, len, records, &mut b.small, written),
            false => self.simulate_rows(here, start, len, records, &mut b.series, written),
        }
    }

    /// [`Comparison::simulate_batch`] into its rows of one kind.
    fn simulate_rows<Row: BatchRow>(
        &self,
        here: bool,
        start: u64,
        len: usize,
        records: &mut [RunRecord],
        series: &mut [Row],
        rows_written: &mut [u32],
    ) {
        thread_local! {
            static WORKSPACE: RefCell<Workspace> = RefCell::new(Workspace::new());
        }
        let n = self.scenario_count();
        let rows = (n * self.max_sprints).max(1);
        if here {
            let mut stream = self.stream.clone();
            return WORKSPACE.with(|ws| {
                let ws = &mut ws.borrow_mut();
                for j in 0..len {
                    let out = (
                        &mut records[j * n..(j + 1) * n],
                        &mut series[j * rows..(j + 1) * rows],
                        &mut rows_written[j * n..(j + 1) * n],
                    );
                    Row::replicate(self, start + j as u64, out, ws, &mut stream);
                }
            });
        }
        records[..len * n]
            .par_chunks_mut(n)
            .zip(series[..len * rows].par_chunks_mut(rows))
            .zip(rows_written[..len * n].par_chunks_mut(n))
            .enumerate()
            .for_each_init(
                || self.stream.clone(),
                |stream, (j, ((rec, ser), written))| {
                    WORKSPACE.with(|ws| {
                        let ws = &mut ws.borrow_mut();
                        Row::replicate(self, start + j as u64, (rec, ser, written), ws, stream)
                    });
                },
            );
    }

    /// Hand the batch's replications to the sink, in order.
    fn deliver(&self, b: &Batch, sink: &mut (dyn Sink + Send)) -> anyhow::Result<()> {
        sink.replications(&self.view(b))
    }
}

/// A capacity stream to move from replication to replication: the [`ChaCha8Rng`] of the
/// template, and the same two blocks at a time where the processor can ([`PairStream`]).
#[derive(Clone)]
struct Streams {
    chacha: ChaCha8Rng,
    pair: Option<PairStream>,
}

impl Streams {
    fn new(template: ChaCha8Rng) -> Streams {
        Streams {
            pair: PairStream::of(&template),
            chacha: template,
        }
    }
}

/// How a scenario's replications are simulated (see [`Comparison::lane`]).
#[derive(Debug, Clone, Copy)]
pub enum Lane<'a> {
    /// A plain throughput forecast: [`super::throughput::play_plain`], whole-number state.
    Plain(&'a ChaCha8Rng, &'a Plain),
    /// Any other throughput forecast: [`super::throughput::play`].
    Throughput(&'a ChaCha8Rng),
    /// The roles model (`engine::run::simulate`).
    Roles,
}

/// The rows a batch holds: doubles, or (a plain forecast's whose values fit,
/// [`Comparison::small_rows`]) [`SmallRow`]s.
trait BatchRow: PlainRow {
    /// [`Comparison::replicate`] into rows of this kind.
    fn replicate(
        c: &Comparison,
        r: u64,
        out: (&mut [RunRecord], &mut [Self], &mut [u32]),
        ws: &mut Workspace,
        streams: &mut Streams,
    );
}

impl BatchRow for [f64; N_SERIES] {
    #[inline(always)]
    fn replicate(
        c: &Comparison,
        r: u64,
        (records, series, written): (&mut [RunRecord], &mut [Self], &mut [u32]),
        ws: &mut Workspace,
        streams: &mut Streams,
    ) {
        c.replicate(r, records, series, written, ws, streams);
    }
}

impl BatchRow for SmallRow {
    #[inline(always)]
    fn replicate(
        c: &Comparison,
        r: u64,
        (records, series, written): (&mut [RunRecord], &mut [Self], &mut [u32]),
        ws: &mut Workspace,
        streams: &mut Streams,
    ) {
        c.replicate_plain(r, records, series, written, ws, streams);
    }
}

/// One batch of replications: records and per-sprint rows, scenario-major per replication.
struct Batch {
    start: u64,
    len: usize,
    records: Vec<RunRecord>,
    /// The rows, as doubles or (when [`Comparison::small_rows`]) as small rows, and the
    /// small rows as doubles once a reader asks for them ([`Replications::rows`]).
    series: Vec<[f64; N_SERIES]>,
    small: Vec<SmallRow>,
    wide: OnceLock<Vec<[f64; N_SERIES]>>,
    /// Rows each scenario's run wrote (up to its horizon).
    rows_written: Vec<u32>,
    /// What the run's [`Prepare`] hook wrote for the batch.
    prepared: Vec<u8>,
}

#[cfg(test)]
mod tests;
