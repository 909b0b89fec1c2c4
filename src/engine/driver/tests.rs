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
    /// Whether the batches had small rows.
    small_rows: bool,
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
        self.small_rows = b.has_small_rows();
        let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for j in 0..b.len {
            for s in 0..b.scenario_count() {
                self.values.extend(b.records(j)[s].metrics);
                let rows = b.rows(j, s);
                // Small rows (where the batch has them) are the same rows, and so is the
                // last row read from either.
                if let Some(small) = b.small_rows(j, s) {
                    let wide: Vec<[f64; N_SERIES]> = small.iter().map(|r| r.wide()).collect();
                    assert_eq!(bits(wide.as_flattened()), bits(rows.as_flattened()));
                }
                let last = b.last_row(j, s).map(|r| bits(&r));
                assert_eq!(last, rows.last().map(|r| bits(r)));
                assert_eq!(b.written(j, s), rows.len());
                self.values.extend(rows.iter().flatten());
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
/// or generated two blocks at a time), or one alone, delivers, run by run, the records
/// and rows of the general lane on streams made anew.
#[test]
fn plain_forecasts_deliver_the_runs_of_the_general_lane() {
    let mut zeros = crate::scenario::load::load_scenario("forecast").unwrap();
    zeros.name = "zeros".into();
    zeros.team.capacity = crate::scenario::Dist::Empirical {
        values: vec![0.0, 2.0, 0.0, 5.0],
    };
    zeros.simulation.stop_at_completion = false;
    let mut scenarios = forecasts();
    scenarios.push(zeros.clone());
    plain_forecasts_deliver(&scenarios, true);
    plain_forecasts_deliver(&forecasts()[..1], true);
    plain_forecasts_deliver(std::slice::from_ref(&zeros), true);
    // A scope of 256 points or more: rows of doubles, for it and every scenario beside it.
    let mut large = zeros.clone();
    large.name = "large".into();
    large.backlog.initial_items = 86;
    large.backlog.size = crate::scenario::Dist::Constant { value: 3.0 };
    large.team.capacity = crate::scenario::Dist::Empirical {
        values: vec![3.0, 12.0, 0.0, 30.0],
    };
    plain_forecasts_deliver(std::slice::from_ref(&large), false);
    plain_forecasts_deliver(&[zeros, large.clone()], false);
    let mut fits = large;
    fits.backlog.initial_items = 85;
    plain_forecasts_deliver(&[fits], true);
}

/// [`plain_forecasts_deliver_the_runs_of_the_general_lane`] of these scenarios, whose
/// batches hold small rows or not (`small`).
fn plain_forecasts_deliver(scenarios: &[Scenario], small: bool) {
    let cmp = Comparison::new(scenarios, 5, 700);
    assert!(cmp.plain_only);
    assert_eq!(cmp.small_rows, small);
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
            let (record, n) = crate::engine::throughput::play(m, &keys, stream, &mut ws, &mut rows);
            want.extend(record.metrics);
            want.extend(rows[..n].iter().flatten());
        }
    }
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&tape.values), bits(&want));
    assert_eq!(tape.small_rows, small);
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
