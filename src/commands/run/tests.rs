use super::*;
use crate::aggregate::run_until;
use crate::scenario::load::load_scenario;
use crate::scenario::Dist;

/// The reference: every batch through the aggregate and the forecasts in order, and its
/// runs.csv rows formatted in order, by the sink (no hook).
struct InOrder<'a> {
    names: Vec<String>,
    columns: Vec<usize>,
    cells: out_csv::CellCache,
    runs: Vec<u8>,
    aggregate: &'a mut Aggregate,
    forecasts: &'a mut Forecasts,
}

impl Feed for InOrder<'_> {
    fn aggregate(&mut self) -> &mut Aggregate {
        self.aggregate
    }

    fn feed(&mut self, _: &Chunk, batch: &Replications) -> Result<()> {
        assert!(batch.prepared().is_empty(), "no hook");
        self.aggregate.add_batch(batch);
        self.forecasts.add_batch(batch);
        for j in 0..batch.len {
            let run = batch.start + j as u64 + 1;
            for (s, rec) in batch.records(j).iter().enumerate() {
                let (name, columns) = (&self.names[s], &self.columns);
                out_csv::push_run_row(&mut self.runs, name, run, rec, columns, &mut self.cells);
            }
        }
        Ok(())
    }
}

/// A comparison's aggregate and forecasts, empty, as `run` makes them.
fn fresh(scenarios: &[Scenario]) -> (Aggregate, Forecasts) {
    (
        comparison_aggregate(scenarios, 0),
        Forecasts::new(scenarios),
    )
}

/// Every output the aggregate and the forecasts give, and runs.csv.
fn outputs(
    runs: Vec<u8>,
    mut aggregate: Aggregate,
    forecasts: &Forecasts,
    scenarios: &[Scenario],
) -> Vec<String> {
    vec![
        String::from_utf8(runs).unwrap(),
        out_csv::summary_csv(&mut aggregate, scenarios),
        out_csv::compare_csv(&aggregate, scenarios),
        out_csv::sprints_csv(&mut aggregate, scenarios),
        out_csv::distributions_csv(&aggregate, scenarios),
        crate::output::forecast::forecast_csv(forecasts, scenarios),
        format!("{:?}", aggregate.replications),
    ]
}

fn on<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

/// `run`'s comparison, the order-free work done by the workers that simulated each batch
/// ([`RunPrep`], per-worker counts added at the end), gives the outputs of every batch
/// added in order by the sink, byte for byte: at 1, 2 and 3 threads (the pipeline of
/// plain forecasts, the general driver with a roles scenario), with the batches of the
/// precision rule too (other boundaries).
#[test]
fn the_order_free_work_done_by_the_workers_gives_the_outputs_of_the_sink_in_order() {
    let peer = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/peer/forecast-120.toml"
    );
    let mut target = load_scenario("forecast").unwrap();
    target.name = "target".into();
    target.forecast.target_sprint = Some(6);
    target.backlog.initial_items = 60;
    let mut normal = load_scenario("forecast").unwrap();
    normal.name = "normal".into();
    normal.team.capacity = Dist::Normal { mean: 5.0, sd: 1.5 };
    let mut endless = load_scenario("forecast").unwrap();
    endless.name = "endless".into();
    endless.simulation.stop_at_completion = false;
    endless.simulation.sprints = 12;
    let plain = vec![load_scenario(peer).unwrap(), target.clone(), endless];
    let mixed = vec![
        load_scenario("aligned").unwrap(),
        normal,
        target,
        load_scenario("forecast").unwrap(),
    ];
    let precision = Precision::new(1e-9, 1000, 300).unwrap();
    for (scenarios, runs) in [(plain, 1500), (mixed, 400)] {
        for precision in [None, Some(&precision)] {
            let plan = RunPlan {
                scenarios: scenarios.clone(),
                baseline: 0,
                runs,
                seed: 17,
            };
            let metrics = [crate::engine::metrics::idx::COMPLETION_SPRINT];
            let want = on(1, || {
                let (mut aggregate, mut forecasts) = fresh(&scenarios);
                let mut sink = InOrder {
                    names: scenarios.iter().map(|s| s.name.clone()).collect(),
                    columns: out_csv::run_columns(&scenarios),
                    cells: out_csv::CellCache::new(),
                    runs: Vec::new(),
                    aggregate: &mut aggregate,
                    forecasts: &mut forecasts,
                };
                let (seed, scenarios) = (plan.seed, &plan.scenarios);
                run_until(
                    scenarios,
                    seed,
                    runs,
                    precision,
                    &metrics,
                    &mut sink,
                    &|_| {},
                )
                .unwrap();
                let runs = std::mem::take(&mut sink.runs);
                (outputs(runs, aggregate, &forecasts, scenarios), forecasts)
            });
            assert!(want.0[0].lines().count() >= 400 * scenarios.len());
            for threads in [1, 2, 3] {
                let got = on(threads, || {
                    let (mut aggregate, mut forecasts) = fresh(&scenarios);
                    let mut runs = Vec::new();
                    let both = (&mut aggregate, &mut forecasts);
                    simulate(&plan, precision, &metrics, &mut runs, both, &|_| {}).unwrap();
                    (outputs(runs, aggregate, &forecasts, &scenarios), forecasts)
                });
                assert_eq!(got.1, want.1, "{threads} threads");
                for (got, want) in got.0.iter().zip(&want.0) {
                    assert!(
                        got == want,
                        "{threads} threads: {got}\n-- against --\n{want}"
                    );
                }
            }
        }
    }
}

/// The tallies of a hook's workers add up to those of the runs in order, whatever the
/// workers: a merged tally is the same state.
#[test]
fn forecast_tallies_merge_into_the_tally_of_every_run() {
    let mut target = load_scenario("forecast").unwrap();
    target.forecast.target_sprint = Some(5);
    // A horizon that some runs do not finish in.
    let mut short = load_scenario("forecast").unwrap();
    short.simulation.sprints = 7;
    let scenarios = vec![target, short];
    let mut all = Forecasts::new(&scenarios);
    let mut parts = vec![Forecasts::new(&scenarios); 3];
    let cmp = crate::engine::driver::Comparison::new(&scenarios, 3, 900);
    struct Both<'a>(&'a mut Forecasts, &'a mut [Forecasts]);
    impl crate::engine::driver::Sink for Both<'_> {
        fn replications(&mut self, batch: &Replications) -> Result<()> {
            self.0.add_batch(batch);
            // The batches shared out unevenly: the later ones to the first part.
            let i = (batch.start as usize / 128 * 7 + 1) % self.1.len();
            self.1[i].add_batch(batch);
            Ok(())
        }
    }
    cmp.run(&mut Both(&mut all, &mut parts), &|_| {}).unwrap();
    let mut merged = Forecasts::new(&scenarios);
    for p in parts.iter().rev() {
        merged.merge(p);
    }
    assert_eq!(merged, all);
    assert!(all.tally(0).unwrap().by_target().count() > 2);
    assert_eq!(all.tally(1).unwrap().runs(), 900);
    let censored = all.tally(1).unwrap().censored();
    assert!(censored > 0 && censored < 900, "{censored}");
}
