//! Tests of the tally: counts per sprint, series and value, in every way of counting.

use super::*;
use crate::scenario::load::load_scenario;

#[test]
fn only_a_plain_forecast_of_fewer_than_256_items_has_small_whole_series() {
    let counted = |f: &dyn Fn(&mut crate::scenario::Scenario)| {
        let mut s = load_scenario("forecast").unwrap();
        f(&mut s);
        counted_series(&Model::new(&s))
    };
    let all = vec![
        series::VELOCITY,
        series::COMMITTED,
        series::DONE,
        series::BACKLOG_SIZE,
        series::READY_ITEMS,
    ];
    assert_eq!(counted(&|_| {}), all);
    assert_eq!(counted(&|s| s.backlog.initial_items = 255), all);
    // Not the plain case: an item may be left part-done, so the points committed and
    // done may be fractional.
    let whole = vec![series::VELOCITY, series::BACKLOG_SIZE, series::READY_ITEMS];
    assert_eq!(
        counted(&|s| s.team.capacity = crate::scenario::Dist::Uniform { min: 2.0, max: 8.0 }),
        whole
    );
    assert_eq!(
        counted(&|s| s.backlog.initial_items = 256),
        Vec::<usize>::new()
    );
    assert_eq!(
        counted(&|s| s.backlog.scope_growth = Some(crate::scenario::Dist::Constant { value: 1.0 })),
        Vec::<usize>::new()
    );
    assert_eq!(
        counted(&|s| s.backlog.split_rate = 0.1),
        Vec::<usize>::new()
    );
    // Items of 3 points: 100 items may make a sprint's velocity 300.
    let three = |s: &mut crate::scenario::Scenario| {
        s.backlog.size = crate::scenario::Dist::Constant { value: 3.0 };
        s.backlog.initial_items = 100;
    };
    assert_eq!(counted(&three), [series::BACKLOG_SIZE, series::READY_ITEMS]);
    assert!(counted(&|s| s.simulation.model = ModelKind::Roles).is_empty());
    // Items of 2 points: 127 make at most 254 a sprint, 128 may make 256 (capacities
    // of odd points leave an item part-done: not the plain case).
    let two = |items: u32| {
        move |s: &mut crate::scenario::Scenario| {
            s.backlog.size = crate::scenario::Dist::Constant { value: 2.0 };
            s.backlog.initial_items = items;
        }
    };
    assert_eq!(counted(&two(127)), whole);
    assert_eq!(
        counted(&two(128)),
        [series::BACKLOG_SIZE, series::READY_ITEMS]
    );
}

/// Each scenario's counts are per sprint and series, value by value, in each way of
/// adding a run (three series, five, or another number).
#[test]
fn counts_are_kept_per_sprint_and_series_for_any_number_of_series() {
    let series = vec![
        vec![series::VELOCITY, series::READY_ITEMS],
        vec![series::VELOCITY, series::BACKLOG_SIZE, series::READY_ITEMS],
        (0..5).collect(),
    ];
    let mut t = Tally::new(&series, &[2, 2, 2]);
    // Sprint j's series k is 10 j + k + 1: one value per cell.
    let mut rows = [[0.0; N_SERIES]; 2];
    for (j, row) in rows.iter_mut().enumerate() {
        for (k, x) in row.iter_mut().enumerate() {
            *x = (10 * j + k + 1) as f64;
        }
    }
    for (s, counted) in series.iter().enumerate() {
        t.add(s, &rows);
        assert_eq!(t.series(s), counted.as_slice());
        assert_eq!(t.sprints(s), 2);
        for j in 0..2 {
            for (i, &k) in counted.iter().enumerate() {
                let c = t.counts(s, j, i);
                assert_eq!(c.len(), SMALL);
                assert_eq!(c[10 * j + k + 1], 1, "scenario {s} sprint {j} series {k}");
                assert_eq!(
                    c.iter().sum::<u64>(),
                    1,
                    "scenario {s} sprint {j} series {k}"
                );
            }
        }
    }
    // Merged counts add up cell by cell, a cell counted on one side only included:
    // here scenario 0's first sprint twice and its second once.
    let mut u = Tally::new(&series, &[2, 2, 2]);
    u.add(0, &rows[..1]);
    u.merge(&t);
    assert_eq!(u.counts(0, 0, 1)[1 + series::READY_ITEMS], 2);
    assert_eq!(u.counts(0, 1, 1)[11 + series::READY_ITEMS], 1);
    assert_eq!(u.counts(2, 1, 4)[15], 1);
}

#[test]
fn the_small_index_of_a_whole_value_is_the_value() {
    for v in 0..SMALL {
        assert_eq!(small_index(v as f64), v);
    }
    // Anything else stays in bounds (and is never asked for).
    for x in [
        -1.0,
        0.5,
        255.5,
        256.0,
        1e300,
        f64::INFINITY,
        f64::NAN,
        -0.0,
    ] {
        assert!(small_index(x) < SMALL, "{x}");
    }
    assert_eq!(small_index(-0.0), 0);
}

/// A row counted at a sprint, through the tally or its scenario's part, counts as the
/// same row among a run's rows at that sprint.
#[test]
fn a_row_counted_at_a_sprint_counts_as_that_sprints_row() {
    let series = vec![
        vec![series::VELOCITY, series::READY_ITEMS],
        (0..5).collect(),
    ];
    let mut rows = [[0.0; N_SERIES]; 3];
    for (j, row) in rows.iter_mut().enumerate() {
        for (k, x) in row.iter_mut().enumerate() {
            *x = (7 * j + k) as f64;
        }
    }
    let mut by_rows = Tally::new(&series, &[3, 3]);
    let mut at = Tally::new(&series, &[3, 3]);
    for s in 0..2 {
        by_rows.add(s, &rows);
        for (j, row) in rows.iter().enumerate() {
            if s == 0 {
                at.add_at(s, j, row);
            } else {
                at.parts().nth(s).unwrap().add_at(j, row);
            }
        }
    }
    for (s, counted) in series.iter().enumerate() {
        for j in 0..3 {
            for i in 0..counted.len() {
                assert_eq!(by_rows.counts(s, j, i), at.counts(s, j, i), "{s} {j} {i}");
            }
        }
    }
    assert_eq!(at.counts(1, 2, 4)[18], 1);
}

#[test]
fn counts_are_per_sprint_and_series_and_merge() {
    let series = vec![vec![series::BACKLOG_SIZE], vec![]];
    let mut t = Tally::new(&series, &[3, 4]);
    let mut rows = [[0.0; N_SERIES]; 2];
    rows[0][series::BACKLOG_SIZE] = 7.0;
    rows[1][series::BACKLOG_SIZE] = 255.0;
    t.add(0, &rows);
    t.add(0, &rows[..1]);
    let mut u = t.clone();
    u.merge(&t);
    assert_eq!(t.counts(0, 0, 0)[7], 2);
    assert_eq!(t.counts(0, 1, 0)[255], 1);
    assert_eq!(u.counts(0, 0, 0)[7], 4);
    assert_eq!(t.counts(0, 2, 0).iter().sum::<u64>(), 0);
    assert_eq!((t.sprints(0), t.sprints(1)), (3, 0));
    t.clear(0);
    assert_eq!(t.counts(0, 0, 0)[7], 0);
}

/// Every way of counting (the usual and plain series at their places, the plain ones from
/// small rows, any three or five series, any other number) counts as a plain count by value would, over many runs of
/// many lengths (none, shorter than the horizon, the horizon) and values from 0 to 255.
#[test]
fn every_way_of_counting_counts_as_counting_value_by_value() {
    use series::{BACKLOG_SIZE as B, COMMITTED as C, DONE as D, READY_ITEMS as R};
    use series::{CUMULATIVE_VALUE as Q, VELOCITY as V};
    let series = vec![
        vec![V, B, R],
        vec![R, V, B],
        vec![V, C, D, B, R],
        vec![R, D, V, B, C],
        vec![V, C, D, B, Q],
        vec![B, R],
        (0..N_SERIES).collect(),
    ];
    let sprints = 9;
    let mut state = 7u64;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::random::mix(state)
    };
    // Runs of 0 to 9 rows, values 0 to 255 (both ends included at times).
    let runs: Vec<Vec<[f64; N_SERIES]>> = (0..300)
        .map(|_| {
            let len = next() as usize % (sprints + 1);
            (0..len)
                .map(|_| {
                    std::array::from_fn(|_| match next() % 8 {
                        0 => 0.0,
                        1 => 255.0,
                        _ => (next() % SMALL as u64) as f64,
                    })
                })
                .collect()
        })
        .collect();
    let mut t = Tally::new(&series, &vec![sprints; series.len()]);
    for (s, counted) in series.iter().enumerate() {
        // Half the runs as one batch (as small rows where they hold these series), the
        // others one by one.
        let (batch, single) = runs.split_at(runs.len() / 2);
        if counted[..] == SMALL_ROW_SERIES {
            let small: Vec<Vec<SmallRow>> = batch
                .iter()
                .map(|r| {
                    let row = |w: &[f64; N_SERIES]| std::array::from_fn(|i| w[i] as i64);
                    r.iter().map(|w| SmallRow::new(row(w))).collect()
                })
                .collect();
            t.add_small_runs(s, small.iter().map(|r| r.as_slice()));
        } else {
            t.add_runs(s, batch.iter().map(|r| r.as_slice()));
        }
        for r in single {
            t.add(s, r);
        }
        let mut want = vec![[0u64; SMALL]; sprints * counted.len()];
        for r in &runs {
            for (j, row) in r.iter().enumerate() {
                for (i, &k) in counted.iter().enumerate() {
                    want[j * counted.len() + i][row[k] as usize] += 1;
                }
            }
        }
        for j in 0..sprints {
            for i in 0..counted.len() {
                let got = t.counts(s, j, i);
                assert_eq!(got, want[j * counted.len() + i], "{counted:?} {j} {i}");
            }
        }
    }
}

/// A run's after-stop row counts as [`row_after_stop`] of its last row counted at the
/// sprint after it, for the plain case's five series and any others (last rows with
/// flows of 0 and of other values, the backlog and ready items from 0 to 255).
#[test]
fn an_after_stop_row_counts_as_the_row_after_stop() {
    use series::{BACKLOG_SIZE as B, COMMITTED as C, DONE as D, READY_ITEMS as R};
    let series = vec![
        vec![series::VELOCITY, C, D, B, R],
        vec![series::VELOCITY, B, R],
        vec![R, D, series::VELOCITY, B, C],
        vec![B, R],
    ];
    let sprints = 6;
    let (mut fast, mut by_row) = (
        Tally::new(&series, &[sprints; 4]),
        Tally::new(&series, &[sprints; 4]),
    );
    // The same last rows as small rows (their five series).
    let mut small = fast.clone();
    for v in 0..SMALL {
        let mut last = [0.0; N_SERIES];
        for (k, x) in last.iter_mut().enumerate() {
            *x = ((v * 7 + k * 31) % SMALL) as f64;
        }
        let sprint = v % sprints;
        for (s, (mut a, mut b)) in fast.parts().zip(by_row.parts()).enumerate() {
            a.add_after_stop(sprint, &last);
            b.add_at(sprint, &row_after_stop(&last));
            assert_eq!(a.series, series[s].as_slice());
        }
        let last_small = SmallRow::new(std::array::from_fn(|k| last[k] as i64));
        for mut c in small.parts() {
            c.add_after_stop_small(sprint, last_small);
        }
    }
    for (s, counted) in series.iter().enumerate() {
        for j in 0..sprints {
            for i in 0..counted.len() {
                assert_eq!(fast.counts(s, j, i), by_row.counts(s, j, i), "{s} {j} {i}");
                assert_eq!(small.counts(s, j, i), by_row.counts(s, j, i), "{s} {j} {i}");
            }
        }
    }
    assert_eq!(fast.counts(0, 1, 0)[0], (SMALL / sprints + 1) as u64);
}

/// The plain case's AVX way counts as the scalar way, whatever the values (whole ones
/// from 0 to 255, and any doubles: NaN, negative, fractional, huge), runs of any length.
#[cfg(target_arch = "x86_64")]
#[test]
fn the_avx_way_of_the_plain_case_counts_as_the_scalar_way() {
    if !std::arch::is_x86_feature_detected!("avx") {
        return;
    }
    use series::{BACKLOG_SIZE as B, COMMITTED as C, DONE as D, READY_ITEMS as R};
    let sprints = 7;
    let debug = cfg!(debug_assertions);
    let mut state = 5u64;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::random::mix(state)
    };
    let runs: Vec<Vec<[f64; N_SERIES]>> = (0..500)
        .map(|_| {
            let len = next() as usize % (sprints + 1);
            (0..len)
                .map(|_| {
                    // Beyond the contract (whole and below SMALL) only where `count`'s
                    // debug assertion is off: there both ways must still agree.
                    std::array::from_fn(|_| match next() % 4 + 2 * debug as u64 {
                        0 => f64::from_bits(next()),
                        1 => [f64::NAN, -1.0, 255.5, 256.0, 1e300, -0.0][next() as usize % 6],
                        _ => (next() % SMALL as u64) as f64,
                    })
                })
                .collect()
        })
        .collect();
    let mut avx = vec![[0u64; PADDED]; sprints * 5];
    let mut scalar = avx.clone();
    // SAFETY: the processor has AVX (checked above).
    unsafe { count_plain_avx(&mut avx, runs.iter().map(|r| r.as_slice())) };
    count_rows(
        &mut scalar,
        runs.iter().map(|r| r.as_slice()),
        [series::VELOCITY, C, D, B, R],
    );
    assert_eq!(avx, scalar);
    assert!(scalar.iter().flatten().sum::<u64>() > 1000);
}
