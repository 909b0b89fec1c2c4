use super::*;
use crate::engine::driver::{Comparison, Sink};
use crate::engine::metrics::{idx, series, N_SERIES, THROUGHPUT_METRICS, THROUGHPUT_SERIES};
use crate::scenario::load::load_scenario;
use crate::scenario::{Dist, ModelKind, Scenario};

/// Every batch to `whole` (counted in order) and to `split` (uncounted), and to one of
/// `counters` (each a share of the batches, unevenly).
struct Both<'a> {
    whole: &'a mut Aggregate,
    split: &'a mut Aggregate,
    counters: &'a mut [Counter],
}

impl Sink for Both<'_> {
    fn replications(&mut self, batch: &Replications) -> anyhow::Result<()> {
        self.whole.add_batch(batch);
        self.split.add_batch_uncounted(batch);
        let i = (batch.start as usize * 5 / 7 + batch.len) % self.counters.len();
        self.counters[i].count(batch);
        Ok(())
    }
}

fn aggregate(scenarios: &[Scenario]) -> Aggregate {
    let sprints: Vec<usize> = scenarios
        .iter()
        .map(|s| s.simulation.sprints as usize)
        .collect();
    let mut agg = Aggregate::new(&sprints, &vec![0.0; scenarios.len()], 0);
    for (s, sc) in scenarios.iter().enumerate() {
        if sc.simulation.model == ModelKind::Throughput {
            agg.only(s, &THROUGHPUT_METRICS, &THROUGHPUT_SERIES);
        }
    }
    agg
}

/// An aggregate that takes its batches uncounted and the counts of counters fed the same
/// batches (shared out between them, merged in another order) has every band and summary
/// of one that counted the batches itself, bit for bit: plain forecasts that stop early
/// (tails counted), one that runs to its horizon, one whose velocity alone is counted, and
/// a roles scenario (nothing counted).
#[test]
fn counters_merged_give_the_bands_of_the_batches_counted_in_order() {
    let mut normal = load_scenario("forecast").unwrap();
    normal.name = "normal".into();
    normal.team.capacity = Dist::Normal { mean: 5.0, sd: 1.5 };
    let mut endless = load_scenario("forecast").unwrap();
    endless.name = "endless".into();
    endless.simulation.stop_at_completion = false;
    endless.simulation.sprints = 14;
    let mut small = load_scenario("forecast").unwrap();
    small.name = "small".into();
    small.backlog.initial_items = 12;
    let sets = [
        vec![load_scenario("forecast").unwrap(), endless.clone(), small],
        vec![load_scenario("aligned").unwrap(), normal, endless],
    ];
    for scenarios in &sets {
        let cmp = Comparison::new(scenarios, 9, 1100);
        for threads in [1, 2] {
            let (mut whole, mut split) = (aggregate(scenarios), aggregate(scenarios));
            let mut counters = vec![split.counter(); 3];
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    let mut both = Both {
                        whole: &mut whole,
                        split: &mut split,
                        counters: &mut counters,
                    };
                    cmp.run_range(0, 300, &mut both, &|_| {}).unwrap();
                    cmp.run_range(300, 1100, &mut both, &|_| {}).unwrap();
                });
            for c in counters.iter().rev() {
                split.merge_counts(c);
            }
            let mut stopped = 0;
            for s in 0..scenarios.len() {
                for sprint in 0..whole.sprints(s) {
                    for k in 0..N_SERIES {
                        let (a, b) = (whole.band(s, sprint, k), split.band(s, sprint, k));
                        let bits = |b: (f64, f64, f64, f64)| [b.0, b.1, b.2, b.3].map(f64::to_bits);
                        assert_eq!(bits(a), bits(b), "scenario {s} sprint {sprint} series {k}");
                    }
                }
                let (a, b) = (
                    whole.summary(s, idx::COMPLETION_SPRINT),
                    split.summary(s, idx::COMPLETION_SPRINT),
                );
                assert_eq!((a.mean.to_bits(), a.n), (b.mean.to_bits(), b.n));
                if whole.sprints(s) > 20 {
                    // Runs that stopped before the horizon: a backlog of 0 from then on.
                    let late = whole.band(s, whole.sprints(s) - 1, series::BACKLOG_SIZE);
                    stopped += usize::from(late.0 == 0.0);
                }
            }
            assert!(stopped > 0, "some scenario stopped early");
            assert_eq!(whole.replications, split.replications);
        }
    }
}

/// Without its counters' counts, an aggregate fed uncounted batches lacks them: the
/// counted series' bands are not those of the runs (the counts are not taken twice
/// either: merging them gives the bands of the runs, above).
#[test]
fn batches_added_uncounted_leave_the_counts_to_the_counter() {
    let scenarios = vec![load_scenario("forecast").unwrap()];
    let cmp = Comparison::new(&scenarios, 4, 300);
    let (mut whole, mut split) = (aggregate(&scenarios), aggregate(&scenarios));
    let mut counters = vec![split.counter()];
    let mut both = Both {
        whole: &mut whole,
        split: &mut split,
        counters: &mut counters,
    };
    cmp.run(&mut both, &|_| {}).unwrap();
    let band = |a: &mut Aggregate| a.band(0, 2, series::VELOCITY).0;
    assert!(band(&mut whole) > 0.0);
    assert!(band(&mut split).is_nan() || band(&mut split) != band(&mut whole));
    split.merge_counts(&counters[0]);
    assert_eq!(band(&mut split).to_bits(), band(&mut whole).to_bits());
}
