//! Tests of `aggregate`.

use super::*;
use crate::engine::metrics::row_after_stop;
use crate::engine::metrics::Better;
use crate::engine::metrics::RunRecord;
use crate::engine::metrics::SmallRow;

/// Rows that stop early give the bands of the same rows written out to the horizon.
#[test]
fn stopped_runs_count_in_every_later_sprint() {
    let sprints = 12;
    let record = RunRecord {
        metrics: [1.0; N_METRICS],
    };
    let mut short = Aggregate::new(&[sprints], &[0.0], 0);
    let mut full = Aggregate::new(&[sprints], &[0.0], 0);
    for r in 0..3000u64 {
        let stop = 3 + (r * 7 % 10) as usize; // 3..=12 rows
        let rows: Vec<[f64; N_SERIES]> = (0..stop)
            .map(|j| {
                let mut row = [0.0; N_SERIES];
                for (k, x) in row.iter_mut().enumerate() {
                    *x = ((r + j as u64 * 3 + k as u64) % 9) as f64 * 0.5;
                }
                row[N_SERIES - 1] = f64::NAN;
                row
            })
            .collect();
        let mut written = rows.clone();
        written.resize(sprints, row_after_stop(rows.last().unwrap()));
        let one = |rows: &[[f64; N_SERIES]]| {
            let n = rows.len() as u32;
            let mut padded = rows.to_vec();
            padded.resize(sprints, [0.0; N_SERIES]);
            (padded, n)
        };
        let (a, na) = one(&rows);
        let (b, nb) = one(&written);
        short.add_batch(&Replications::new(r, 1, 1, sprints, &[record], &a, &[na]));
        full.add_batch(&Replications::new(r, 1, 1, sprints, &[record], &b, &[nb]));
    }
    for j in 0..sprints {
        for k in 0..N_SERIES {
            let (a, b) = (short.band(0, j, k), full.band(0, j, k));
            assert_eq!(
                (a.1.to_bits(), a.2.to_bits(), a.3.to_bits()),
                (b.1.to_bits(), b.2.to_bits(), b.3.to_bits()),
                "sprint {j} series {k}"
            );
            assert!(
                (a.0 - b.0).abs() <= 1e-12 || (a.0.is_nan() && b.0.is_nan()),
                "sprint {j} series {k}: mean {} vs {}",
                a.0,
                b.0
            );
        }
    }
}

/// Ties (within 1e-9 of the scale) count half in better_share; real differences count
/// whole; floating-point noise is no win.
#[test]
fn ties_count_half_in_better_share() {
    assert_eq!(better_halves(1.0, 1.0, Better::Higher), 1);
    assert_eq!(better_halves(0.0, 0.0, Better::Lower), 1);
    assert_eq!(better_halves(0.1 + 0.2, 0.3, Better::Higher), 1);
    assert_eq!(better_halves(1e6 + 1e-4, 1e6, Better::Higher), 1);
    assert_eq!(better_halves(1.01, 1.0, Better::Higher), 2);
    assert_eq!(better_halves(1.01, 1.0, Better::Lower), 0);
    assert_eq!(better_halves(-2.0, -1.0, Better::Lower), 2);
    // Through the aggregate: 2 wins, 1 tie, 1 loss of 4 = 2.5 / 4.
    let mut agg = Aggregate::new(&[10, 10], &[0.0, 0.0], 0);
    let m = crate::engine::metrics::idx::VALUE_EFFICIENCY;
    for (x, y) in [(0.5, 0.7), (0.6, 0.65), (0.3, 0.3), (0.9, 0.8)] {
        let mut base = RunRecord {
            metrics: [1.0; N_METRICS],
        };
        let mut other = base;
        base.metrics[m] = x;
        other.metrics[m] = y;
        let rows = vec![[0.0; N_SERIES]; 2];
        agg.add_batch(&Replications::new(
            0,
            1,
            2,
            1,
            &[base, other],
            &rows,
            &[1, 1],
        ));
    }
    assert_eq!(agg.pair(1, m).better_share, 2.5 / 4.0);
    assert_eq!(
        agg.pair(0, m).better_share,
        0.5,
        "the baseline against itself: all ties"
    );
}

/// Completion and delay are restricted means: runs that did not finish count at the
/// horizon + 1 in the mean (and at the horizon + 1 − planned for the delay); their
/// share is the completed share; percentiles among them are +∞ (written >H) and whole.
#[test]
fn censored_runs_count_at_the_horizon_plus_one() {
    use crate::engine::metrics::idx::{COMPLETION_SPRINT, RELEASE_DELAY};
    let mut agg = Aggregate::new(&[10], &[4.0], 0);
    for c in [3.0, 5.0, 6.0, f64::NAN] {
        let mut rec = RunRecord {
            metrics: [1.0; N_METRICS],
        };
        rec.metrics[COMPLETION_SPRINT] = c;
        rec.metrics[RELEASE_DELAY] = c - 4.0;
        let rows = vec![[0.0; N_SERIES]; 1];
        agg.add_batch(&Replications::new(0, 1, 1, 1, &[rec], &rows, &[1]));
    }
    let c = agg.summary(0, COMPLETION_SPRINT);
    assert_eq!(c.mean, (3.0 + 5.0 + 6.0 + 11.0) / 4.0);
    assert_eq!(c.n, 4);
    assert_eq!(c.completed_share, 0.75);
    // p50 of {3, 5, 6, ∞}: the 2nd smallest (F(5) = 0.5); p85 falls among the censored.
    assert_eq!(c.quantiles[3], 5.0);
    assert_eq!(c.quantiles[5], f64::INFINITY);
    assert_eq!(c.quantiles[0], 3.0);
    let d = agg.summary(0, RELEASE_DELAY);
    assert_eq!(d.mean, (-1.0 + 1.0 + 2.0 + 7.0) / 4.0);
}

/// Bands of series counted as small whole values (a tally) are the bands of the same values
/// added one by one: means, quantiles past the sketch's exact cap, runs that stop early, and
/// bands asked for between batches, and batches that do not say, or name other series than
/// the tally's, mixed in.
#[test]
fn small_whole_series_counted_give_the_bands_of_their_values_added_one_by_one() {
    use crate::engine::metrics::series;
    counted_bands_are_the_bands_added_one_by_one(vec![
        series::VELOCITY,
        series::BACKLOG_SIZE,
        series::READY_ITEMS,
    ]);
}

/// The same when every series of the throughput model is counted (a plain forecast, whose
/// per-sprint cells are then fed nothing one by one), some batches as small rows.
#[test]
fn every_series_counted_gives_the_bands_of_their_values_added_one_by_one() {
    counted_bands_are_the_bands_added_one_by_one((0..5).collect());
}

fn counted_bands_are_the_bands_added_one_by_one(counted: Vec<usize>) {
    use crate::engine::metrics::series;
    let sprints = 9;
    let whole = vec![counted];
    let record = RunRecord {
        metrics: [1.0; N_METRICS],
    };
    let velocity_only = vec![vec![series::VELOCITY]];
    let mut one_by_one = Aggregate::new(&[sprints], &[0.0], 0);
    let mut tallied = Aggregate::new(&[sprints], &[0.0], 0);
    if whole[0].len() == 5 {
        // Only the model's series, as for a throughput-only run: none left to feed one by one.
        let metrics: Vec<usize> = (0..N_METRICS).collect();
        one_by_one.only(0, &metrics, &whole[0]);
        tallied.only(0, &metrics, &whole[0]);
    }
    let mut x = 12345u64;
    let mut next = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        x >> 33
    };
    let bits = |b: Band| [b.0, b.1, b.2, b.3].map(f64::to_bits);
    let (mut counted_runs, mut counted_stopped) = (0, 0);
    for r in 0..5000u64 {
        let stop = 2 + (next() % 8) as usize; // 2..=9 rows
        let mut rows = vec![[f64::NAN; N_SERIES]; sprints];
        for row in rows.iter_mut().take(stop) {
            for &k in &whole[0] {
                row[k] = (next() % 256) as f64;
            }
            // Fractional series go one by one (their sums need the order).
            if !whole[0].contains(&series::COMMITTED) {
                row[series::COMMITTED] = (next() % 1000) as f64 / 7.0;
                row[series::DONE] = (next() % 100) as f64 * 0.1;
            }
        }
        let n = [stop as u32];
        let records = [record];
        let batch = || Replications::new(r, 1, 1, sprints, &records, &rows, &n);
        one_by_one.add_batch(&batch());
        if r % 5 == 0 {
            // A batch that does not say (as the live page's) feeds its values one by one.
            tallied.add_batch(&batch());
        } else if r % 7 == 3 {
            // So does one that names other series than the tally's: all or none.
            tallied.add_batch(&batch().with_small_whole(&velocity_only));
        } else if whole[0].len() == 5 && r % 3 == 0 {
            // A batch of small rows (a plain forecast's), counted from its bytes: never
            // made into doubles.
            let to_small = |w: &[f64; N_SERIES]| std::array::from_fn(|i| w[i] as i64);
            let small: Vec<SmallRow> = rows.iter().map(|w| SmallRow::new(to_small(w))).collect();
            let wide = std::sync::OnceLock::new();
            let shape = (r, 1, 1, sprints);
            let b = Replications::new_small(shape, &records, &small, &n, &wide);
            tallied.add_batch(&b.with_small_whole(&whole));
            assert!(wide.get().is_none(), "the small rows made into doubles");
            counted_runs += 1;
            counted_stopped += (stop < sprints) as u64;
        } else {
            tallied.add_batch(&batch().with_small_whole(&whole));
            counted_runs += 1;
            counted_stopped += (stop < sprints) as u64;
        }
        if r == 700 {
            // The counted batches went to the tally, not one by one.
            let t = tallied.tally.as_ref().expect("a tally");
            let counted: u64 = (0..3).map(|i| t.counts(0, 0, i).iter().sum::<u64>()).sum();
            assert_eq!(counted, 3 * counted_runs, "values counted in sprint 1");
            // So did the after-stop rows of those that stopped before the horizon.
            let t = tallied.tail_tally.as_ref().expect("a tail tally");
            let stopped: u64 = (0..sprints)
                .map(|a| t.counts(0, a, 0).iter().sum::<u64>())
                .sum();
            assert_eq!(stopped, counted_stopped, "after-stop rows counted");
            // Bands between batches take the counts so far, and later ones the rest.
            assert_eq!(bits(one_by_one.band(0, 1, 0)), bits(tallied.band(0, 1, 0)));
        }
    }
    assert!(tallied.tally.is_some(), "the counted path was taken");
    assert!(one_by_one.tally.is_none());
    for j in 0..sprints {
        for k in 0..N_SERIES {
            let (a, b) = (one_by_one.band(0, j, k), tallied.band(0, j, k));
            assert_eq!(bits(a), bits(b), "sprint {j} series {k}: {a:?} {b:?}");
        }
    }
    assert!(tallied.band(0, 0, series::VELOCITY).0 > 0.0);
}

/// A metric that is not censored and has no value in a run (NaN) leaves the run out of
/// its mean, SD and quantiles and counts only in its completed share; a metric a scenario's
/// model never gives ([`Aggregate::only`]) counts every run as one without a value. Kept
/// values ([`Aggregate::summaries`] with `keep_values`) are every run's, NaN included.
#[test]
fn runs_without_a_value_count_only_in_the_completed_share() {
    use crate::engine::metrics::idx::{
        COMPLETION_SPRINT, LEAD_P50, RELEASE_DELAY, SAY_DO, VALUE_EFFICIENCY,
    };
    let mut agg = Aggregate::new(&[10], &[0.0], 0);
    let mut narrow = Aggregate::new(&[10], &[0.0], 0);
    // The model of `narrow`'s scenario gives only say/do, lead time and (as every model
    // must: `add_chunk` debug-asserts it) the censored metrics.
    narrow.only(
        0,
        &[COMPLETION_SPRINT, RELEASE_DELAY, SAY_DO, LEAD_P50],
        &[],
    );
    // An analysis's summaries that keep every value, NaN included, in replication order.
    let mut keeping = Aggregate::summaries(&[10], &[0.0], &[VALUE_EFFICIENCY, SAY_DO], true);
    let xs = [0.2, f64::NAN, 0.6, 0.4, f64::NAN];
    for x in xs {
        let mut rec = RunRecord {
            metrics: [1.0; N_METRICS],
        };
        rec.metrics[VALUE_EFFICIENCY] = x;
        rec.metrics[SAY_DO] = x;
        let rows = vec![[0.0; N_SERIES]; 1];
        agg.add_batch(&Replications::new(0, 1, 1, 1, &[rec], &rows, &[1]));
        narrow.add_batch(&Replications::new(0, 1, 1, 1, &[rec], &rows, &[1]));
        keeping.add_batch(&Replications::new(0, 1, 1, 1, &[rec], &rows, &[1]));
    }
    assert_eq!(keeping.kept(), &[VALUE_EFFICIENCY, SAY_DO]);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(keeping.metric_values(0, SAY_DO)), bits(&xs));
    assert_eq!(bits(&keeping.values()[0][0]), bits(&xs));
    for summary in [
        agg.summary(0, VALUE_EFFICIENCY),
        narrow.summary(0, SAY_DO),
        keeping.summary(0, SAY_DO),
    ] {
        assert_eq!((summary.n, summary.observed), (3, 3));
        assert!((summary.mean - 0.4).abs() < 1e-12, "{}", summary.mean);
        assert!((summary.sd - 0.2).abs() < 1e-12, "{}", summary.sd);
        assert_eq!(summary.completed_share, 3.0 / 5.0);
        assert_eq!(summary.quantile(0.5), 0.4);
    }
    // Every run has a lead time; value efficiency is not the model's: no run has one.
    assert_eq!(narrow.summary(0, LEAD_P50).completed_share, 1.0);
    let absent = narrow.summary(0, VALUE_EFFICIENCY);
    assert_eq!((absent.n, absent.observed), (0, 0));
    assert_eq!(absent.completed_share, 0.0);
    assert!(absent.mean.is_nan());
}

/// A pair is the paired difference over the runs where both sides have a value: its mean,
/// its t interval (3 degrees of freedom here), the share of runs better (ties half) and the
/// variance reduction of pairing, (var x + var y) / var(x − y), all hand-computed.
#[test]
fn a_pair_is_the_paired_difference_of_the_runs_with_both_values() {
    let mut p = Pair::default();
    let runs = [
        (3.0, 1.0),
        (5.0, 2.0),
        (f64::NAN, 1.0),
        (4.0, 4.0),
        (1.0, f64::NAN),
        (8.0, 4.0),
    ];
    for (x, y) in runs {
        p.add(x, y, Better::Higher);
    }
    let s = p.summary();
    // Differences 2, 3, 0, 4: mean 2.25, squared deviations 8.75 in all (variance 8.75 / 3);
    // x: 3, 5, 4, 8 (14 / 3); y: 1, 2, 4, 4 (6.75 / 3).
    assert_eq!(s.n, 4, "runs with a NaN on either side are left out");
    assert_eq!(s.mean_diff, 2.25);
    assert_eq!(s.better_share, 7.0 / 8.0, "three wins and a tie");
    assert!(
        (s.variance_reduction - 20.75 / 8.75).abs() < 1e-12,
        "{}",
        s.variance_reduction
    );
    // t(0.975, 3) = 3.182446305 (to 9 decimals).
    let half = 3.182446305 * (8.75f64 / 3.0).sqrt() / 2.0;
    assert!((s.ci95.0 - (2.25 - half)).abs() < 1e-8, "{:?}", s.ci95);
    assert!((s.ci95.1 - (2.25 + half)).abs() < 1e-8, "{:?}", s.ci95);
    // Differences all exactly 1 although x and y vary: the interval is the point, and
    // pairing's variance reduction is undefined (no variance left to divide by).
    let mut q = Pair::default();
    for (x, y) in [(2.0, 1.0), (3.0, 2.0), (5.0, 4.0)] {
        q.add(x, y, Better::Lower);
    }
    let s = q.summary();
    assert_eq!((s.n, s.mean_diff, s.ci95), (3, 1.0, (1.0, 1.0)));
    assert_eq!(s.better_share, 0.0);
    assert!(s.variance_reduction.is_nan(), "{}", s.variance_reduction);
    // No pairs: no share of runs better.
    assert!(Pair::default().summary().better_share.is_nan());
}

/// In a comparison a censored completion counts at the horizon + 1 and a censored delay at
/// the horizon + 1 − the planned sprint; any other value, and a NaN of a metric that is not
/// censored, stays as it is.
#[test]
fn only_a_censored_metrics_nan_is_filled() {
    use crate::engine::metrics::idx::{COMPLETION_SPRINT, RELEASE_DELAY, VALUE_EFFICIENCY};
    let fill = censored_fill(10, 4.0);
    assert_eq!(fill, [11.0, 7.0]);
    assert_eq!(comparable_value(&fill, COMPLETION_SPRINT, f64::NAN), 11.0);
    assert_eq!(comparable_value(&fill, RELEASE_DELAY, f64::NAN), 7.0);
    assert_eq!(comparable_value(&fill, COMPLETION_SPRINT, 3.0), 3.0);
    assert_eq!(comparable_value(&fill, RELEASE_DELAY, -2.0), -2.0);
    assert_eq!(comparable_value(&fill, VALUE_EFFICIENCY, 0.5), 0.5);
    assert!(comparable_value(&fill, VALUE_EFFICIENCY, f64::NAN).is_nan());
}

/// A sprint cell's band is the mean and the p10, p50, p90 (linear between order statistics)
/// of the values it was given, whichever store took them: small whole numbers in the counts,
/// the others (fractional, negative, 256 and above) in the sketch; NaN is no value. Merged
/// and absorbed counts give the band of all the values.
#[test]
fn a_sprint_cell_band_is_the_mean_and_quantiles_of_its_values() {
    let band_of = |xs: &[f64]| {
        let mut c = SprintCell::new();
        for &x in xs {
            c.add(x);
        }
        (c.count(), c.band())
    };
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
    let xs = [1.0, 3.0, 2.5, 0.0, 300.0, 256.0, -1.0, 3.0, f64::NAN];
    // Sorted: −1, 0, 1, 2.5, 3, 3, 256, 300 (sum 564.5); p at rank 7p (0-based).
    let (n, b) = band_of(&xs);
    assert_eq!(n, 8);
    assert_eq!(b.0, 564.5 / 8.0);
    assert!(close(b.1, -1.0 + 0.7 * 1.0), "p10 {}", b.1);
    assert!(close(b.2, 2.5 + 0.5 * 0.5), "p50 {}", b.2);
    assert!(close(b.3, 256.0 + 0.3 * 44.0), "p90 {}", b.3);
    // A cell with no value: no mean, no quantiles.
    let (n, b) = band_of(&[f64::NAN]);
    assert_eq!(n, 0);
    assert!(b.0.is_nan() && b.1.is_nan() && b.2.is_nan() && b.3.is_nan());
    // Merged: the band of both cells' values.
    let mut a = SprintCell::new();
    let mut c = SprintCell::new();
    for &x in &xs {
        a.add(x);
    }
    for x in [7.0, 3.0, 0.25] {
        c.add(x);
    }
    let mut empty = SprintCell::new();
    empty.merge(&a);
    a.merge(&c);
    let all = [&xs[..], &[7.0, 3.0, 0.25]].concat();
    let bits = |b: Band| [b.0, b.1, b.2, b.3].map(f64::to_bits);
    assert_eq!(bits(a.band()), bits(band_of(&all).1));
    assert_eq!(a.count(), 11);
    assert_eq!(bits(empty.band()), bits(band_of(&xs).1));
    // Absorbed counts: one run at each of 0 … 255 (every count nonzero), then none.
    let mut t = SprintCell::new();
    t.absorb(&[1; 256]);
    t.absorb(&[0; 256]);
    let one_by_one: Vec<f64> = (0..256).map(f64::from).collect();
    assert_eq!(t.count(), 256);
    let b = t.band();
    assert_eq!((b.0, b.1, b.2, b.3), (127.5, 25.5, 127.5, 229.5));
    assert_eq!(bits(b), bits(band_of(&one_by_one).1));
}

/// A sprint cell holding only small whole values (its sketch empty) reads its band's
/// quantiles from the counts: the same bits as a sketch fed the same values one by one
/// (exact below its cap, counts per integer past it), over random counts of a few values
/// or of many, below and above the cap, at 0 and at 255, one value alone, and none.
#[test]
fn a_small_cell_band_is_its_sketchs() {
    let mut state = 11u64;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::random::mix(state)
    };
    let bits = |b: Band| [b.0, b.1, b.2, b.3].map(f64::to_bits);
    for case in 0..300 {
        let mut counts = [0u64; 256];
        let (lo, span) = match case % 4 {
            0 => (0, 1 + next() % 8),
            1 => (next() % 200, 1 + next() % 56),
            2 => (250, 6),
            _ => (0, 256),
        };
        let scale = [1, 10, 300, 5000][case / 4 % 4];
        for _ in 0..1 + next() % 20 {
            counts[(lo + next() % span) as usize] += next() % scale;
        }
        let mut cell = SprintCell::new();
        cell.absorb(&counts);
        let (mut sketch, mut sum) = (crate::stats::QuantileSketch::new(1_024), 0.0);
        let n: u64 = counts.iter().sum();
        for (v, &c) in counts.iter().enumerate() {
            for _ in 0..c {
                sketch.add(v as f64);
                sum += v as f64;
            }
        }
        let mean = if n > 0 { sum / n as f64 } else { f64::NAN };
        let want = (
            mean,
            sketch.quantile(0.10),
            sketch.quantile(0.50),
            sketch.quantile(0.90),
        );
        assert_eq!(cell.count(), n);
        assert_eq!(bits(cell.band()), bits(want), "case {case}: {n} values");
    }
}

/// Each band is its own sprint's and series': two runs whose sprint j has series k at
/// 100 r + 10 j + k (r = 0, 1) give the mean 50 + 10 j + k and, linear between the two, the
/// p10, p50 and p90 at 10, 50 and 90 more than 10 j + k; a run that stopped after its first
/// sprint counts its after-stop row in every later sprint.
#[test]
fn each_band_is_its_sprints_and_series() {
    let sprints = 3;
    let record = RunRecord {
        metrics: [1.0; N_METRICS],
    };
    let mut agg = Aggregate::new(&[sprints], &[0.0], 0);
    for r in 0..2u64 {
        let rows: Vec<[f64; N_SERIES]> = (0..sprints)
            .map(|j| std::array::from_fn(|k| (100 * r as usize + 10 * j + k) as f64))
            .collect();
        agg.add_batch(&Replications::new(r, 1, 1, sprints, &[record], &rows, &[3]));
    }
    for j in 0..sprints {
        for k in 0..N_SERIES {
            let at = (10 * j + k) as f64;
            assert_eq!(
                agg.band(0, j, k),
                (at + 50.0, at + 10.0, at + 50.0, at + 90.0),
                "sprint {j} series {k}"
            );
        }
    }
}

/// The charted distributions count each scenario's values of completion, delay and value
/// efficiency run by run (a censored run as one without a value); the aggregate knows how
/// many scenarios it holds and their horizons.
#[test]
fn distributions_count_each_scenarios_values() {
    use crate::engine::metrics::idx::{COMPLETION_SPRINT, RELEASE_DELAY, VALUE_EFFICIENCY};
    let mut agg = Aggregate::new(&[10, 12], &[4.0, 4.0], 0);
    assert_eq!(agg.scenario_count(), 2);
    assert_eq!((agg.sprints(0), agg.sprints(1)), (10, 12));
    for (c, v) in [(3.0, 0.5), (5.0, 0.25), (f64::NAN, 0.5), (5.0, f64::NAN)] {
        let mut rec = RunRecord {
            metrics: [1.0; N_METRICS],
        };
        rec.metrics[COMPLETION_SPRINT] = c;
        rec.metrics[RELEASE_DELAY] = c - 4.0;
        rec.metrics[VALUE_EFFICIENCY] = v;
        let mut other = rec;
        other.metrics[COMPLETION_SPRINT] = 7.0;
        let rows = vec![[0.0; N_SERIES]; 2];
        agg.add_batch(&Replications::new(
            0,
            1,
            2,
            1,
            &[rec, other],
            &rows,
            &[1, 1],
        ));
    }
    assert_eq!(
        DISTRIBUTION_METRICS,
        [COMPLETION_SPRINT, RELEASE_DELAY, VALUE_EFFICIENCY]
    );
    let (c, d, v) = (
        agg.distribution(0, 0),
        agg.distribution(0, 1),
        agg.distribution(0, 2),
    );
    assert_eq!((c.values(), c.none()), (vec![(3.0, 1), (5.0, 2)], 1));
    assert_eq!((d.values(), d.none()), (vec![(-1.0, 1), (1.0, 2)], 1));
    assert_eq!((v.values(), v.none()), (vec![(0.25, 1), (0.5, 2)], 1));
    assert_eq!(agg.distribution(1, 0).values(), [(7.0, 4)]);
}
