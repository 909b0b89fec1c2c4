//! The parallel driver. Replications run in batches on rayon's pool; each replication runs
//! the oracle(s) and every scenario on the same random streams (common random numbers), and
//! the batch's records are handed to the sink in replication order. Results therefore do
//! not depend on the thread count, and memory is bounded by the batch size.

use super::metrics::{RunRecord, N_METRICS, N_SERIES};
use super::run::simulate;
use super::tally::counted_series;
use super::throughput::Plain;
use super::workspace::Workspace;
use crate::model::compiled::Model;
use crate::random::{stream_template, PairStream, RunKeys, Source};
use crate::scenario::{ModelKind, Scenario};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::cell::RefCell;

/// Replications per batch: large enough to keep both cores busy, small enough to bound memory.
pub const BATCH: u64 = 128;

/// A batch of consecutive replications as a sink sees it: per replication one record and the
/// rows of every scenario.
pub struct Replications<'a> {
    /// The first replication (0-based).
    pub start: u64,
    pub len: usize,
    scenarios: usize,
    max_sprints: usize,
    records: &'a [RunRecord],
    series: &'a [[f64; N_SERIES]],
    rows_written: &'a [u32],
    /// Per scenario: its series whose every value is a small whole number (see
    /// [`Replications::small_whole`]).
    small_whole: &'a [Vec<usize>],
    /// What a [`Prepare`] hook wrote for this batch (see [`Replications::prepared`]).
    prepared: &'a [u8],
}

impl<'a> Replications<'a> {
    /// `len` replications from `start`: records scenario-major per replication
    /// (`records[j * scenarios + s]`), `max_sprints` rows reserved per scenario and
    /// replication in `series`, of which `rows_written[j * scenarios + s]` are used.
    pub fn new(
        start: u64,
        len: usize,
        scenarios: usize,
        max_sprints: usize,
        records: &'a [RunRecord],
        series: &'a [[f64; N_SERIES]],
        rows_written: &'a [u32],
    ) -> Self {
        assert!(records.len() >= len * scenarios && rows_written.len() >= len * scenarios);
        assert!(series.len() >= len * scenarios * max_sprints);
        Replications {
            start,
            len,
            scenarios,
            max_sprints,
            records,
            series,
            rows_written,
            small_whole: &[],
            prepared: &[],
        }
    }

    /// The same batch, with the bytes a [`Prepare`] hook wrote for it.
    pub fn with_prepared(mut self, prepared: &'a [u8]) -> Self {
        self.prepared = prepared;
        self
    }

    /// The bytes the [`Prepare`] hook of the run wrote for this batch when its worker had
    /// simulated it (none without a hook).
    pub fn prepared(&self) -> &'a [u8] {
        self.prepared
    }

    /// The same batch, whose series `small_whole[s]` of scenario s hold only whole numbers
    /// from 0 to 255 (see [`crate::engine::tally::counted_series`]).
    pub fn with_small_whole(mut self, small_whole: &'a [Vec<usize>]) -> Self {
        assert_eq!(small_whole.len(), self.scenarios);
        self.small_whole = small_whole;
        self
    }

    /// The series of scenario s whose every value is a whole number from 0 to 255, so that
    /// a sink can count them in a [`crate::engine::tally::Tally`] (none unless said).
    pub fn small_whole(&self, s: usize) -> &'a [usize] {
        self.small_whole.get(s).map_or(&[], |c| c.as_slice())
    }

    pub fn scenario_count(&self) -> usize {
        self.scenarios
    }

    /// The records of replication `start + j`, one per scenario.
    #[inline]
    pub fn records(&self, j: usize) -> &'a [RunRecord] {
        &self.records[j * self.scenarios..(j + 1) * self.scenarios]
    }

    /// The rows of scenario s in replication `start + j` (see [`Sink::replication`]).
    #[inline]
    pub fn rows(&self, j: usize, s: usize) -> &'a [[f64; N_SERIES]] {
        let at = (j * self.scenarios + s) * self.max_sprints;
        &self.series[at..at + self.rows_written[j * self.scenarios + s] as usize]
    }
}

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
        let mut views: Vec<&[[f64; N_SERIES]]> = Vec::with_capacity(batch.scenarios);
        for j in 0..batch.len {
            views.clear();
            views.extend((0..batch.scenarios).map(|s| batch.rows(j, s)));
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
        use super::throughput::play_plain_into;
        if self.plain_only {
            let plain = self.models.iter().zip(self.plain.iter().flatten());
            for (s, (model, plain)) in plain.enumerate() {
                let rows = &mut series[s * self.max_sprints..(s + 1) * self.max_sprints];
                let record = &mut records[s];
                let n = match &mut streams.pair {
                    Some(pair) => {
                        pair.restart(r);
                        super::throughput::play_plain_pair(
                            model,
                            plain,
                            pair.cursor(),
                            ws,
                            rows,
                            record,
                        )
                    }
                    None => {
                        crate::random::restart(&mut streams.chacha, r);
                        play_plain_into(model, plain, &mut streams.chacha, ws, rows, record)
                    }
                };
                rows_written[s] = n as u32;
            }
            return;
        }
        let stream = &mut streams.chacha;
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
        self.simulate_batch(&mut current);
        self.prepare(&mut current, prepare, 0);
        while current.len > 0 {
            let after = current.start + current.len as u64;
            next.start = after;
            next.len = (end - after).min(BATCH) as usize;
            let (delivered, ()) = rayon::join(
                || self.deliver(&current, sink),
                || {
                    self.simulate_batch(&mut next);
                    self.prepare(&mut next, prepare, 0);
                },
            );
            delivered?;
            progress(after);
            std::mem::swap(&mut current, &mut next);
        }
        Ok(())
    }

    /// [`Comparison::run_range`] for a comparison of throughput forecasts, whose
    /// replications cost about as much to simulate as to deliver (aggregate and format):
    /// a pipeline shared out on demand. Each of as many workers as the pool has threads
    /// (each on a one-thread pool of its own, so that the sink's parallel work runs inline,
    /// without a hand-off per task: rayon's small tasks cost more than they save here)
    /// delivers the next batch in order when it is simulated and no other worker is
    /// delivering, and otherwise simulates the next batch. Delivery stays one batch at a
    /// time in order (the sink sees the same batches in the same order: the same results),
    /// but no worker is bound to a stage: with two cores each does about half of all the
    /// work, instead of the busier stage setting the pace. This thread reports progress.
    fn run_pipelined(
        &self,
        start: u64,
        end: u64,
        sink: &mut (dyn Sink + Send),
        prepare: Option<&dyn Prepare>,
        progress: &dyn Fn(u64),
    ) -> anyhow::Result<()> {
        use std::sync::{Condvar, Mutex};
        let workers = rayon::current_num_threads().max(2);
        let pools = (0..workers)
            .map(|i| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .thread_name(move |_| format!("backsim-pipe-{i}"))
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let pipe = Pipe {
            state: Mutex::new(PipeState {
                next: start,
                delivered: start,
                delivering: false,
                ready: Vec::with_capacity(workers + 2),
                // Batches in flight: one a worker (simulating or delivering) and two more
                // waiting their turn, so that a worker seldom waits for a free batch.
                spare: (0..workers + 2).map(|_| self.batch(start, end)).collect(),
                failed: None,
                stop: false,
                waiting: 0,
            }),
            changed: Condvar::new(),
            finished: Condvar::new(),
            sink: Mutex::new(sink),
            prepare,
            end,
        };
        std::thread::scope(|threads| -> anyhow::Result<()> {
            let pipe = &pipe;
            let handles: Vec<_> = pools
                .iter()
                .enumerate()
                .map(|(w, pool)| threads.spawn(move || pool.install(|| self.pipe_worker(pipe, w))))
                .collect();
            // Progress a few times a second (a wake-up per batch would cost more).
            let mut reported = start;
            let mut st = pipe.lock();
            loop {
                if st.delivered > reported {
                    reported = st.delivered;
                    drop(st);
                    progress(reported);
                    st = pipe.lock();
                    continue;
                }
                if st.stop || st.delivered >= end {
                    break;
                }
                st = pipe
                    .finished
                    .wait_timeout(st, std::time::Duration::from_millis(40))
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
            drop(st);
            for h in handles {
                if let Err(panic) = h.join() {
                    std::panic::resume_unwind(panic);
                }
            }
            match pipe.lock().failed.take() {
                Some(e) => Err(e),
                None => Ok(()),
            }
        })
    }

    /// Worker `worker` of [`Comparison::run_pipelined`]: deliver the next batch when it is
    /// ready and no one delivers, else simulate the next one (and prepare it), else wait.
    fn pipe_worker(&self, pipe: &Pipe<'_>, worker: usize) {
        // A panic stops the other workers and the progress loop (then the panic resumes).
        let _guard = StopOnPanic(pipe);
        let mut st = pipe.lock();
        loop {
            if st.stop {
                return;
            }
            if !st.delivering {
                let at = st.delivered;
                if let Some(i) = st.ready.iter().position(|b| b.start == at) {
                    let b = st.ready.swap_remove(i);
                    st.delivering = true;
                    drop(st);
                    let result = {
                        let mut sink = pipe.sink.lock().unwrap_or_else(|e| e.into_inner());
                        self.deliver(&b, &mut **sink)
                    };
                    st = pipe.lock();
                    st.delivering = false;
                    st.delivered += b.len as u64;
                    st.spare.push(b);
                    if let Err(e) = result {
                        st.failed = Some(e);
                        st.stop = true;
                    }
                    pipe.notify(&st);
                    continue;
                }
            }
            if st.next < pipe.end {
                if let Some(mut b) = st.spare.pop() {
                    b.start = st.next;
                    b.len = (pipe.end - st.next).min(BATCH) as usize;
                    st.next += b.len as u64;
                    drop(st);
                    self.simulate_batch_here(&mut b);
                    self.prepare(&mut b, pipe.prepare, worker);
                    st = pipe.lock();
                    st.ready.push(b);
                    pipe.notify(&st);
                    continue;
                }
            }
            if st.delivered >= pipe.end {
                return;
            }
            st.waiting += 1;
            st = pipe.wait(st);
            st.waiting -= 1;
        }
    }

    /// [`Comparison::simulate_batch`] on this thread alone.
    fn simulate_batch_here(&self, b: &mut Batch) {
        thread_local! {
            static WORKSPACE: RefCell<Workspace> = RefCell::new(Workspace::new());
        }
        let n = self.scenario_count();
        let rows = (n * self.max_sprints).max(1);
        let mut stream = self.stream.clone();
        WORKSPACE.with(|ws| {
            let ws = &mut ws.borrow_mut();
            for j in 0..b.len {
                self.replicate(
                    b.start + j as u64,
                    &mut b.records[j * n..(j + 1) * n],
                    &mut b.series[j * rows..(j + 1) * rows],
                    &mut b.rows_written[j * n..(j + 1) * n],
                    ws,
                    &mut stream,
                );
            }
        });
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
            series: vec![[f64::NAN; N_SERIES]; BATCH as usize * n * self.max_sprints],
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
        Replications::new(
            b.start,
            b.len,
            self.scenario_count(),
            self.max_sprints,
            &b.records,
            &b.series,
            &b.rows_written,
        )
        .with_small_whole(&self.small_whole)
        .with_prepared(&b.prepared)
    }

    /// Simulate the batch's replications on the thread pool.
    fn simulate_batch(&self, b: &mut Batch) {
        thread_local! {
            static WORKSPACE: RefCell<Workspace> = RefCell::new(Workspace::new());
        }
        let n = self.scenario_count();
        let rows = (n * self.max_sprints).max(1);
        let start = b.start;
        b.records[..b.len * n]
            .par_chunks_mut(n)
            .zip(b.series[..b.len * rows].par_chunks_mut(rows))
            .zip(b.rows_written[..b.len * n].par_chunks_mut(n))
            .enumerate()
            .for_each_init(
                || self.stream.clone(),
                |stream, (j, ((rec, ser), written))| {
                    WORKSPACE.with(|ws| {
                        let ws = &mut ws.borrow_mut();
                        self.replicate(start + j as u64, rec, ser, written, ws, stream)
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

/// What the workers of [`Comparison::run_pipelined`] share.
struct Pipe<'a> {
    state: std::sync::Mutex<PipeState>,
    /// Signalled to waiting workers whenever a batch is simulated or delivered, or the
    /// pipeline stops.
    changed: std::sync::Condvar,
    /// Signalled when the last batch is delivered or the pipeline stops (for progress).
    finished: std::sync::Condvar,
    sink: std::sync::Mutex<&'a mut (dyn Sink + Send)>,
    /// The hook each worker runs on the batches it simulates.
    prepare: Option<&'a dyn Prepare>,
    /// The replication after the last.
    end: u64,
}

struct PipeState {
    /// The first replication not yet handed to a worker to simulate.
    next: u64,
    /// The first replication not yet delivered (the start of the next batch to deliver).
    delivered: u64,
    /// Whether a worker is delivering a batch.
    delivering: bool,
    /// Simulated batches waiting for their turn to be delivered.
    ready: Vec<Batch>,
    /// Batches free to simulate into.
    spare: Vec<Batch>,
    /// The sink's error, which stops the pipeline.
    failed: Option<anyhow::Error>,
    /// Set on an error or a worker's panic: every worker returns.
    stop: bool,
    /// Workers waiting on [`Pipe::changed`] (none, usually: then no wake-up is sent).
    waiting: usize,
}

impl Pipe<'_> {
    fn lock(&self) -> std::sync::MutexGuard<'_, PipeState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'g>(
        &self,
        guard: std::sync::MutexGuard<'g, PipeState>,
    ) -> std::sync::MutexGuard<'g, PipeState> {
        self.changed.wait(guard).unwrap_or_else(|e| e.into_inner())
    }

    /// Wake the waiting workers (if any), and the progress loop when the run is over.
    fn notify(&self, st: &PipeState) {
        if st.waiting > 0 || st.stop {
            self.changed.notify_all();
        }
        if st.stop || st.delivered >= self.end {
            self.finished.notify_all();
        }
    }
}

/// Stops the pipeline when the worker holding it unwinds.
struct StopOnPanic<'p, 'a>(&'p Pipe<'a>);

impl Drop for StopOnPanic<'_, '_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut st = self.0.lock();
            st.stop = true;
            self.0.notify(&st);
        }
    }
}

/// One batch of replications: records and per-sprint rows, scenario-major per replication.
struct Batch {
    start: u64,
    len: usize,
    records: Vec<RunRecord>,
    series: Vec<[f64; N_SERIES]>,
    /// Rows each scenario's run wrote (up to its horizon).
    rows_written: Vec<u32>,
    /// What the run's [`Prepare`] hook wrote for the batch.
    prepared: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::metrics::series;
    use std::sync::Mutex;

    /// Every record and row, in the order delivered, and the sink fails at `fail_at`.
    #[derive(Default, Debug)]
    struct Tape {
        starts: Vec<u64>,
        values: Vec<f64>,
        fail_at: Option<u64>,
        panic_at: Option<u64>,
        small_whole: Vec<Vec<usize>>,
    }

    impl Sink for Tape {
        fn replications(&mut self, b: &Replications) -> anyhow::Result<()> {
            if self.fail_at == Some(b.start) {
                anyhow::bail!("the sink fails at {}", b.start);
            }
            if self.panic_at == Some(b.start) {
                panic!("the sink panics at {}", b.start);
            }
            self.starts.push(b.start);
            self.small_whole = (0..b.scenario_count())
                .map(|s| b.small_whole(s).to_vec())
                .collect();
            for j in 0..b.len {
                for s in 0..b.scenario_count() {
                    self.values.extend(b.records(j)[s].metrics);
                    self.values.extend(b.rows(j, s).iter().flatten());
                }
            }
            Ok(())
        }
    }

    fn forecasts() -> Vec<Scenario> {
        let mut team = crate::scenario::load::load_scenario("forecast").unwrap();
        team.name = "other".into();
        team.backlog.initial_items = 30;
        vec![
            crate::scenario::load::load_scenario("forecast").unwrap(),
            team,
        ]
    }

    fn on(threads: usize, f: impl FnOnce() -> Tape + Send) -> Tape {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(f)
    }

    #[test]
    fn the_pipeline_delivers_the_same_batches_in_order_whatever_the_thread_count() {
        let cmp = Comparison::new(&forecasts(), 11, 1000);
        let run = |threads| {
            on(threads, || {
                let progress = Mutex::new(Vec::new());
                let mut tape = Tape::default();
                cmp.run_range(100, 1000, &mut tape, &|d| progress.lock().unwrap().push(d))
                    .unwrap();
                let progress = progress.into_inner().unwrap();
                assert!(progress.windows(2).all(|w| w[0] < w[1]), "{progress:?}");
                assert_eq!(progress.last(), Some(&1000));
                tape
            })
        };
        let one = run(1);
        assert_eq!(one.starts.len(), 900usize.div_ceil(BATCH as usize));
        let whole = vec![
            series::VELOCITY,
            series::COMMITTED,
            series::DONE,
            series::BACKLOG_SIZE,
            series::READY_ITEMS,
        ];
        assert_eq!(one.small_whole, [whole.clone(), whole]);
        assert_eq!(one.starts[0], 100);
        for threads in [2, 3] {
            let other = run(threads);
            assert_eq!(one.starts, other.starts);
            assert_eq!(one.small_whole, other.small_whole);
            assert!(one
                .values
                .iter()
                .zip(&other.values)
                .all(|(a, b)| a.to_bits() == b.to_bits()));
            assert_eq!(one.values.len(), other.values.len());
        }
    }

    /// Writes each batch's start, and notes which worker prepared which batch.
    #[derive(Default)]
    struct Stamp(Mutex<Vec<(usize, u64, usize)>>);

    impl Prepare for Stamp {
        fn prepare(&self, worker: usize, batch: &Replications, out: &mut Vec<u8>) {
            assert!(out.is_empty());
            out.extend(batch.start.to_le_bytes());
            self.0
                .lock()
                .unwrap()
                .push((worker, batch.start, batch.len));
        }
    }

    /// Takes the prepared bytes with the batch they were made for.
    #[derive(Default)]
    struct Stamped(Vec<u64>);

    impl Sink for Stamped {
        fn replications(&mut self, b: &Replications) -> anyhow::Result<()> {
            assert_eq!(b.prepared(), b.start.to_le_bytes(), "the batch's own bytes");
            self.0.push(b.start);
            Ok(())
        }
    }

    /// With a hook, every batch is prepared exactly once, by a worker below the thread count
    /// (two at least), before the sink takes it with the bytes made for it: in the pipeline
    /// (plain forecasts) and in the general driver (a roles scenario), at 1 to 3 threads.
    #[test]
    fn the_hook_prepares_every_batch_once_before_the_sink_takes_it() {
        let mut mixed = forecasts();
        mixed.push(crate::scenario::load::load_scenario("aligned").unwrap());
        for scenarios in [forecasts(), mixed] {
            let cmp = Comparison::new(&scenarios, 3, 1000);
            for threads in [1, 2, 3] {
                let (stamp, mut sink) = (Stamp::default(), Stamped::default());
                on(threads, || {
                    cmp.run_range_prepared(70, 1000, &mut sink, Some(&stamp), &|_| {})
                        .unwrap();
                    Tape::default()
                });
                let mut prepared = stamp.0.into_inner().unwrap();
                assert!(prepared.iter().all(|&(w, _, _)| w < threads.max(2)));
                let want: Vec<u64> = (70..1000).step_by(BATCH as usize).collect();
                assert_eq!(sink.0, want, "{threads} threads");
                prepared.sort_by_key(|p| p.1);
                let starts: Vec<u64> = prepared.iter().map(|p| p.1).collect();
                assert_eq!(starts, want, "{threads} threads: each batch once");
                assert_eq!(prepared.iter().map(|p| p.2).sum::<usize>(), 930);
            }
        }
    }

    #[test]
    fn plain_forecasts_take_the_plain_lane_and_others_the_general_ones() {
        let load = crate::scenario::load::load_scenario;
        let peer = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/benches/peer/forecast-120.toml"
        );
        let mut normal = load("forecast").unwrap();
        normal.name = "normal".into();
        normal.team.capacity = crate::scenario::Dist::Normal { mean: 5.0, sd: 1.0 };
        let scenarios = [
            load(peer).unwrap(),
            load("forecast").unwrap(),
            normal,
            load("aligned").unwrap(),
        ];
        let cmp = Comparison::new(&scenarios, 1, 10);
        // `replicate` dispatches on `lane`: a plain forecast that stopped being taken here
        // would run (more slowly) through `throughput::play`.
        assert!(matches!(cmp.lane(0), Lane::Plain(..)));
        assert!(matches!(cmp.lane(1), Lane::Plain(..)));
        assert!(matches!(cmp.lane(2), Lane::Throughput(..)));
        assert!(matches!(cmp.lane(3), Lane::Roles));
    }

    /// A comparison of plain forecasts (their lane, the capacity stream restarted in place
    /// or generated two blocks at a time) delivers, run by run, the records and rows of the
    /// general lane on streams made anew.
    #[test]
    fn plain_forecasts_deliver_the_runs_of_the_general_lane() {
        let mut zeros = crate::scenario::load::load_scenario("forecast").unwrap();
        zeros.name = "zeros".into();
        zeros.team.capacity = crate::scenario::Dist::Empirical {
            values: vec![0.0, 2.0, 0.0, 5.0],
        };
        zeros.simulation.stop_at_completion = false;
        let mut scenarios = forecasts();
        scenarios.push(zeros);
        let cmp = Comparison::new(&scenarios, 5, 700);
        assert!(cmp.plain_only);
        let mut tape = on(2, || {
            let mut tape = Tape::default();
            cmp.run(&mut tape, &|_| {}).unwrap();
            tape
        });
        let mut want = Vec::new();
        let mut ws = Workspace::new();
        for r in 0..700 {
            let keys = RunKeys::new(5, r);
            for m in &cmp.models {
                let mut rows = vec![[f64::NAN; N_SERIES]; m.scenario.simulation.sprints as usize];
                let stream = keys.stream(Source::Capacity);
                let (record, n) =
                    crate::engine::throughput::play(m, &keys, stream, &mut ws, &mut rows);
                want.extend(record.metrics);
                want.extend(rows[..n].iter().flatten());
            }
        }
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&tape.values), bits(&want));
        tape.values.clear();
    }

    #[test]
    fn a_failing_sink_stops_the_pipeline_with_its_error() {
        let cmp = Comparison::new(&forecasts(), 11, 2000);
        for threads in [1, 2, 3] {
            let tape = on(threads, || {
                let mut tape = Tape {
                    fail_at: Some(3 * BATCH),
                    ..Tape::default()
                };
                let err = cmp.run(&mut tape, &|_| {}).unwrap_err();
                assert_eq!(err.to_string(), format!("the sink fails at {}", 3 * BATCH));
                tape
            });
            assert_eq!(tape.starts, [0, BATCH, 2 * BATCH], "{threads} threads");
        }
    }

    /// A panic in a worker stops the others and reaches the caller (no worker waits
    /// forever for a batch that will not come).
    #[test]
    fn a_panicking_sink_stops_the_pipeline_and_the_panic_reaches_the_caller() {
        let cmp = Comparison::new(&forecasts(), 11, 2000);
        for threads in [2, 3] {
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                on(threads, || {
                    let mut tape = Tape {
                        panic_at: Some(2 * BATCH),
                        ..Tape::default()
                    };
                    let _ = cmp.run(&mut tape, &|_| {});
                    tape
                })
            }));
            let panic = caught.expect_err("the sink's panic reaches the caller");
            let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
            assert_eq!(message, format!("the sink panics at {}", 2 * BATCH));
        }
    }
}
