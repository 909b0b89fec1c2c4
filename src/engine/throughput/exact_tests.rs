//! The throughput model on cases worked out by hand: a run's record and rows sprint by
//! sprint, the scope's draws on their documented keys, and the small helpers. The lanes'
//! agreement with each other (`plain_tests`) and with the roles model (`tests/it/throughput.rs`)
//! cannot see what both lanes share (the record, the rows) or what the roles model has not
//! (scope ranges, split-rate samples, growth): these pin them.

use super::*;
use crate::scenario::load::load_scenario;
use crate::scenario::{Dist, Risk, Scenario};

pub(super) fn forecast(f: impl FnOnce(&mut Scenario)) -> Model {
    let mut s = load_scenario("forecast").unwrap();
    f(&mut s);
    Model::new(&s)
}

/// One replication through `play` (and `play_plain` when the case is plain, which must give
/// the same): the record's metrics and the rows written.
pub(super) fn run(m: &Model) -> (RunRecord, Vec<[f64; N_SERIES]>) {
    let keys = RunKeys::new(5, 0);
    let mut ws = Workspace::new();
    let mut rows = vec![[f64::NAN; N_SERIES]; m.scenario.simulation.sprints as usize];
    let (record, n) = play(m, &keys, keys.stream(Source::Capacity), &mut ws, &mut rows);
    rows.truncate(n);
    (record, rows)
}

fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "{what}: {got} (want {want})"
    );
}

/// The model's five series of a row: velocity, committed, done, backlog size, ready items.
pub(super) fn flows(row: &[f64; N_SERIES]) -> [f64; 5] {
    [
        row[series::VELOCITY],
        row[series::COMMITTED],
        row[series::DONE],
        row[series::BACKLOG_SIZE],
        row[series::READY_ITEMS],
    ]
}

/// The run stopped at completion after `want.len()` sprints, each row's five series
/// ([`flows`]) as wanted.
fn rows_are(rows: &[[f64; N_SERIES]], want: &[[f64; 5]]) {
    assert_eq!(rows.len(), want.len(), "stopped at completion");
    for (k, (row, want)) in rows.iter().zip(want).enumerate() {
        for (j, (g, &w)) in flows(row).into_iter().zip(want).enumerate() {
            close(&format!("sprint {} series {j}", k + 1), g, w);
        }
    }
}

/// 10 unit items at a fixed 3 points a sprint of 40 hours (5 days of 8), committing twice the
/// mean of the last 3 velocities (6, the first sprint twice the mean capacity): sprints 1–3
/// commit 6, 6 and the 4 left and finish 3 each (3 of them committed), sprint 4 the last
/// item. An item takes 40/3 hours, so item j (sprint s = j div 3, place p = j mod 3) is done
/// at 40·s + (p + 1)·40/3 hours, (5·s + (p + 1)·5/3) days.
#[test]
fn a_fixed_capacity_forecast_gives_its_hand_computed_record_and_rows() {
    for stop in [true, false] {
        let m = forecast(|s| {
            s.team.capacity = Dist::Constant { value: 3.0 };
            s.backlog.initial_items = 10;
            s.simulation.sprints = 10;
            s.simulation.stop_at_completion = stop;
            s.team.commitment_factor = 2.0;
            s.team.velocity_window = 3;
            s.release.planned_sprint = Some(3);
        });
        assert_eq!(m.sprint_hours, 40.0);
        let (record, rows) = run(&m);
        let mut want_rows = vec![
            [3.0, 6.0, 3.0, 7.0, 7.0],
            [3.0, 6.0, 3.0, 4.0, 4.0],
            [3.0, 4.0, 3.0, 1.0, 1.0],
            [1.0, 1.0, 1.0, 0.0, 0.0],
        ];
        // Run on, the sprints after completion deliver and commit nothing.
        let mut want_cv = 0.4; // velocities 3, 3, 3, 1: mean 2.5, variance 3/3
        if !stop {
            want_rows.resize(10, [0.0; 5]);
            want_cv = 2f64.sqrt(); // 3, 3, 3, 1 and six 0: mean 1, variance 18/9
        }
        let got_rows: Vec<[f64; 5]> = rows.iter().map(flows).collect();
        assert_eq!(got_rows, want_rows, "rows, stop at completion {stop}");
        for row in &rows {
            assert!(
                row[series::CUMULATIVE_VALUE].is_nan(),
                "not the model's series"
            );
        }
        let r = &record.metrics;
        assert_eq!(r[idx::COMPLETION_SPRINT], 4.0, "the last item in sprint 4");
        assert_eq!(r[idx::RELEASE_DELAY], 1.0, "4 − the planned 3");
        assert_eq!(r[idx::ITEMS_DONE], 10.0);
        assert_eq!(r[idx::POINTS_DONE], 10.0);
        // 10 committed items done of 17 committed points (6 + 6 + 4 + 1).
        close("say-do", r[idx::SAY_DO], 10.0 / 17.0);
        close("velocity cv", r[idx::VELOCITY_CV], want_cv);
        // Median: between items 4 (25/3 days) and 5 (10 days); p85 at 7.65: between items
        // 7 (40/3 days) and 8 (15 days).
        let day = |s: f64, p: f64| 5.0 * s + (p + 1.0) * 5.0 / 3.0;
        close(
            "lead p50",
            r[idx::LEAD_P50],
            (day(1.0, 1.0) + day(1.0, 2.0)) / 2.0,
        );
        close(
            "lead p85",
            r[idx::LEAD_P85],
            day(2.0, 1.0) + 0.65 * (day(2.0, 2.0) - day(2.0, 1.0)),
        );
        assert!(r[idx::VALUE_EFFICIENCY].is_nan());
        // The plain lane gives the same bits.
        let plain = Plain::of(&m).expect("plain");
        let keys = RunKeys::new(5, 0);
        let mut ws = Workspace::new();
        let mut b = vec![[f64::NAN; N_SERIES]; 10];
        let (rb, nb) = play_plain(&m, &plain, keys.stream(Source::Capacity), &mut ws, &mut b);
        assert_eq!(nb, rows.len());
        let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&rb.metrics), bits(r));
        assert_eq!(bits(b[..nb].as_flattened()), bits(rows.as_flattened()));
    }
}

/// Items of 2 points at 3 points a sprint of 40 hours (an item every 80/3 hours): sprint 1
/// commits one item (0.9 × 3 = 2.7 points of room), finishes it at 80/3 h and starts the
/// next, which has 1 point left at the sprint's end. Sprint 2 (commitment 0.9 × 2 = 1.8)
/// carries that point, commits nothing new, finishes it at 40/3 h and a fresh item at 40 h.
/// Sprint 3 (0.9 × mean(2, 4)) commits and finishes the last one. Lead times 10/3, 20/3, 10
/// and 40/3 days.
#[test]
fn a_part_done_item_carries_its_remaining_work_into_the_next_sprint() {
    let m = forecast(|s| {
        s.team.capacity = Dist::Constant { value: 3.0 };
        s.backlog.size = Dist::Constant { value: 2.0 };
        s.backlog.initial_items = 4;
        s.simulation.sprints = 10;
        s.team.commitment_factor = 0.9;
        s.team.velocity_window = 2;
        s.release.planned_sprint = Some(2);
    });
    assert!(
        Plain::of(&m).is_none(),
        "3 points is no whole number of items of 2"
    );
    let (record, rows) = run(&m);
    let want = [
        // 3 left, of them 2 not started.
        [2.0, 2.0, 2.0, 3.0, 2.0],
        [4.0, 1.0, 1.0, 1.0, 1.0],
        [2.0, 2.0, 2.0, 0.0, 0.0],
    ];
    rows_are(&rows, &want);
    let r = &record.metrics;
    assert_eq!(r[idx::COMPLETION_SPRINT], 3.0);
    assert_eq!(r[idx::RELEASE_DELAY], 1.0);
    assert_eq!(r[idx::ITEMS_DONE], 4.0);
    assert_eq!(r[idx::POINTS_DONE], 8.0);
    close("say-do", r[idx::SAY_DO], 1.0);
    // Velocities 2, 4, 2: mean 8/3, variance 4/3.
    close(
        "velocity cv",
        r[idx::VELOCITY_CV],
        (4.0f64 / 3.0).sqrt() / (8.0 / 3.0),
    );
    let lead = [10.0 / 3.0, 20.0 / 3.0, 10.0, 40.0 / 3.0];
    close("lead p50", r[idx::LEAD_P50], (lead[1] + lead[2]) / 2.0);
    close(
        "lead p85",
        r[idx::LEAD_P85],
        lead[2] + 0.55 * (lead[3] - lead[2]),
    );
}

/// Items of 2.5 points (no whole size: commitments and velocities are summed item by item)
/// at 4 points a sprint of 40 hours (an item every 25 hours), committing 1.5 × the last
/// velocity (6 points the first sprint): sprint 1 commits two items (5 points), finishes one
/// at 25 h and starts the next, which has 1 point left at the end; sprint 2 (commitment
/// 1.5 × 2.5 = 3.75) carries that point and commits the last item (3.5 points), finishes the
/// carried one at 10 h and the last at 35 h. Lead times 25, 50 and 75 hours.
#[test]
fn items_of_a_fractional_size_commit_and_finish_item_by_item() {
    let m = forecast(|s| {
        s.team.capacity = Dist::Constant { value: 4.0 };
        s.backlog.size = Dist::Constant { value: 2.5 };
        s.backlog.initial_items = 3;
        s.simulation.sprints = 10;
        s.team.commitment_factor = 1.5;
        s.team.velocity_window = 1;
        s.release.planned_sprint = Some(4);
    });
    let (record, rows) = run(&m);
    let want = [[2.5, 5.0, 2.5, 2.0, 1.0], [5.0, 3.5, 3.5, 0.0, 0.0]];
    rows_are(&rows, &want);
    let r = &record.metrics;
    assert_eq!(r[idx::COMPLETION_SPRINT], 2.0);
    assert_eq!(r[idx::RELEASE_DELAY], -2.0, "2 − the planned 4");
    assert_eq!(r[idx::ITEMS_DONE], 3.0);
    close("points done", r[idx::POINTS_DONE], 7.5);
    // Done of committed: 2.5 + (1 + 2.5) of 5 + 3.5.
    close("say-do", r[idx::SAY_DO], 6.0 / 8.5);
    // Velocities 2.5 and 5: mean 3.75, SD 1.25·√2.
    close(
        "velocity cv",
        r[idx::VELOCITY_CV],
        1.25 * 2f64.sqrt() / 3.75,
    );
    // In days of 8 hours: 3.125, 6.25, 9.375.
    close("lead p50", r[idx::LEAD_P50], 6.25);
    close("lead p85", r[idx::LEAD_P85], 6.25 + 0.7 * 3.125);
}

/// An item bigger than a sprint's capacity: items of 5 points at 2 a sprint of 40 hours. The
/// lane takes the first item in sprint 1 (nothing committed: 2 points hold no item of 5) and
/// does 2 of its points, 2 more in sprint 2, finishes it 20 h into sprint 3 and starts the
/// second (1 point done), does 2 in sprint 4 and finishes it at the end of sprint 5. Each
/// sprint's commitment is its spillover: the item's remaining points, 3, 1, 4 and 2.
#[test]
fn an_item_bigger_than_a_sprints_capacity_takes_several_sprints() {
    let m = forecast(|s| {
        s.team.capacity = Dist::Constant { value: 2.0 };
        s.backlog.size = Dist::Constant { value: 5.0 };
        s.backlog.initial_items = 2;
        s.simulation.sprints = 10;
        s.team.commitment_factor = 1.0;
        s.team.velocity_window = 1;
        s.release.planned_sprint = Some(3);
    });
    assert!(
        Plain::of(&m).is_none(),
        "2 points is no whole number of items of 5"
    );
    let (record, rows) = run(&m);
    let want = [
        [0.0, 0.0, 0.0, 2.0, 1.0],
        [0.0, 3.0, 0.0, 2.0, 1.0],
        [5.0, 1.0, 1.0, 1.0, 0.0],
        [0.0, 4.0, 0.0, 1.0, 0.0],
        [5.0, 2.0, 2.0, 0.0, 0.0],
    ];
    rows_are(&rows, &want);
    let r = &record.metrics;
    assert_eq!(r[idx::COMPLETION_SPRINT], 5.0);
    assert_eq!(r[idx::RELEASE_DELAY], 2.0);
    assert_eq!(r[idx::ITEMS_DONE], 2.0);
    assert_eq!(r[idx::POINTS_DONE], 10.0);
    close("say-do", r[idx::SAY_DO], 3.0 / 10.0);
    // Velocities 0, 0, 5, 0, 5: mean 2, variance 30/4.
    close("velocity cv", r[idx::VELOCITY_CV], 7.5f64.sqrt() / 2.0);
    // Done at 100 and 200 hours: 12.5 and 25 days.
    close("lead p50", r[idx::LEAD_P50], 18.75);
    close("lead p85", r[idx::LEAD_P85], 12.5 + 0.85 * 12.5);
}

/// More items a sprint than the sprint has hours: unit items at 10.5 points a sprint of 8
/// hours (one day), an item every 16/21 hour. Sprint 1 commits and finishes 10 items, at
/// 16/21 h apart, and starts the 11th with half of it done; sprint 2 (commitment 10) carries
/// that half point, commits 9 more (9.5 points), finishes the half at 8/21 h and the 10
/// left after it. Item 10 is done at 8 + 8/21 hours, item 17 at 8 + 8/21 + 7·16/21.
#[test]
fn more_items_a_sprint_than_hours_leave_the_next_item_part_done() {
    let m = forecast(|s| {
        s.team.capacity = Dist::Constant { value: 10.5 };
        s.backlog.initial_items = 21;
        s.simulation.sprints = 10;
        s.simulation.sprint_days = 1;
        s.team.commitment_factor = 1.0;
        s.team.velocity_window = 1;
        s.release.planned_sprint = Some(2);
    });
    assert_eq!(m.sprint_hours, 8.0);
    let (record, rows) = run(&m);
    let want = [[10.0, 10.0, 10.0, 11.0, 10.0], [11.0, 9.5, 9.5, 0.0, 0.0]];
    rows_are(&rows, &want);
    let r = &record.metrics;
    assert_eq!(r[idx::COMPLETION_SPRINT], 2.0);
    assert_eq!(r[idx::RELEASE_DELAY], 0.0);
    assert_eq!(r[idx::ITEMS_DONE], 21.0);
    assert_eq!(r[idx::POINTS_DONE], 21.0);
    close("say-do", r[idx::SAY_DO], 1.0);
    close("velocity cv", r[idx::VELOCITY_CV], 0.5f64.sqrt() / 10.5);
    // Days of 8 hours: items 10 (the median of 21) and 17 (p85: position 17).
    close("lead p50", r[idx::LEAD_P50], 1.0 + 1.0 / 21.0);
    close("lead p85", r[idx::LEAD_P85], 1.0 + 15.0 / 21.0);
}

/// Sprints without capacity: the lane takes the next item and does none of it (it stays in
/// the backlog, no longer ready), and carries its whole size as spillover from then on.
#[test]
fn a_sprint_without_capacity_takes_the_next_item_and_does_none_of_it() {
    let m = forecast(|s| {
        s.team.capacity = Dist::Constant { value: 0.0 };
        s.backlog.initial_items = 5;
        s.simulation.sprints = 3;
        s.team.commitment_factor = 1.0;
    });
    let (record, rows) = run(&m);
    let got: Vec<[f64; 5]> = rows.iter().map(flows).collect();
    // Commitment 0: nothing new is committed; the item held is spillover from sprint 2 on.
    assert_eq!(
        got,
        vec![
            [0.0, 0.0, 0.0, 5.0, 4.0],
            [0.0, 1.0, 0.0, 5.0, 4.0],
            [0.0, 1.0, 0.0, 5.0, 4.0],
        ]
    );
    let r = &record.metrics;
    assert!(r[idx::COMPLETION_SPRINT].is_nan() && r[idx::RELEASE_DELAY].is_nan());
    assert_eq!(r[idx::ITEMS_DONE], 0.0);
    assert!(r[idx::LEAD_P50].is_nan() && r[idx::VELOCITY_CV].is_nan());
    // Two committed points, none done.
    assert_eq!(r[idx::SAY_DO], 0.0);
}

/// Nothing committed at all (commitment factor 0, no item held): say-do is empty, not 0.
#[test]
fn say_do_is_empty_when_nothing_was_committed() {
    let m = forecast(|s| {
        s.team.capacity = Dist::Constant { value: 3.0 };
        s.backlog.initial_items = 6;
        s.team.commitment_factor = 0.0;
    });
    let (record, rows) = run(&m);
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r[series::COMMITTED] == 0.0));
    assert!(record.metrics[idx::SAY_DO].is_nan());
    assert_eq!(record.metrics[idx::COMPLETION_SPRINT], 2.0);
}

/// The key of risk i's j-th item as the roles model numbers it (`arrivals.rs`), written out.
fn risk_key(i: u64, j: u64) -> u64 {
    crate::model::item::INTERNAL_ID | (2 << 32) | (i << 20) | j
}

fn split(keys: &RunKeys, id: u64, index: u64, rate: f64, into: i64) -> i64 {
    if keys.unit(Source::Split, id, index) < rate {
        into
    } else {
        1
    }
}

/// Risks add their items in the sprint they strike, each item split on the draw of its own
/// key (the roles model's id for it, second key 0); the initial items split on their ids.
/// Two risks that strike in every run, in windows of their own.
#[test]
fn risk_and_initial_items_split_on_their_documented_keys() {
    let (rate, into) = (0.5, 3);
    let m = forecast(|s| {
        s.backlog.initial_items = 30;
        s.backlog.split_rate = rate;
        s.backlog.split_into = into as u32;
        s.risks = vec![
            Risk {
                name: "a".into(),
                probability: 1.0,
                first_sprint: 2,
                last_sprint: 4,
                added_items: 5,
                added_points: 0.0,
            },
            Risk {
                name: "b".into(),
                probability: 1.0,
                first_sprint: 6,
                last_sprint: 6,
                added_items: 4,
                added_points: 0.0,
            },
        ];
    });
    let (mut parts, mut wholes) = (0, 0);
    for r in 0..200 {
        let keys = RunKeys::new(3, r);
        let mut scope = Scope::new(&m, &keys);
        let initial: i64 = (0..30).map(|id| split(&keys, id, 0, rate, into)).sum();
        assert_eq!(scope.initial, initial, "run {r}: the initial items' splits");
        let strikes = super::super::world::risk_strikes(&m.scenario, &keys, 0);
        assert!((1..=3).contains(&strikes[0]), "risk a in sprints 2–4");
        assert_eq!(strikes[1], 5, "risk b in sprint 6 (0-based 5)");
        for sprint in 0..10u32 {
            let mut want = 0;
            for (i, n) in [(0u64, 5u64), (1, 4)] {
                if strikes[i as usize] == sprint {
                    for j in 0..n {
                        let k = split(&keys, risk_key(i, j), 0, rate, into);
                        want += k;
                        parts += (k > 1) as u32;
                        wholes += (k == 1) as u32;
                    }
                }
            }
            assert_eq!(
                scope.added_in(&m, sprint, &keys),
                want,
                "run {r} sprint {sprint}"
            );
        }
    }
    // Both outcomes occur, so the draws decide (1800 items at ½: SD 21).
    assert!(parts > 800 && wholes > 800, "{parts} split, {wholes} not");
}

/// Scope growth: from the second sprint on (never in the first), as many items as its
/// distribution gives (rounded, at least 0), each split on its own draw.
#[test]
fn scope_growth_adds_its_rounded_draw_from_the_second_sprint() {
    for (value, want) in [(2.4, 2), (2.5, 3), (-1.0, 0)] {
        let m = forecast(|s| {
            s.backlog.scope_growth = Some(Dist::Constant { value });
        });
        let keys = RunKeys::new(1, 0);
        let mut scope = Scope::new(&m, &keys);
        assert_eq!(scope.added_in(&m, 0, &keys), 0, "no growth in sprint 1");
        for sprint in 1..5 {
            assert_eq!(scope.added_in(&m, sprint, &keys), want, "growth {value}");
        }
    }
}

/// A scope range's draw: whole numbers ⌈min⌉ … ⌊max⌋ equally likely by u's place in
/// [0, 1); an empirical range picks a value (rounded); a constant is rounded; never below 0.
#[test]
fn a_scope_range_maps_its_uniform_draw_to_an_item_count() {
    let uniform = Dist::Uniform {
        min: 59.5,
        max: 66.8,
    };
    // 60 … 66: seven counts, each a seventh of [0, 1).
    for (u, want) in [
        (0.0, 60),
        (0.99 / 7.0, 60),
        (1.01 / 7.0, 61),
        (3.5 / 7.0, 63),
        (6.5 / 7.0, 66),
        (0.999_999_999, 66),
    ] {
        assert_eq!(scope_draw(&uniform, u), want, "uniform at {u}");
    }
    let empirical = Dist::Empirical {
        values: vec![12.4, 30.6, 7.0],
    };
    for (u, want) in [(0.0, 12), (0.34, 31), (0.7, 7), (0.999_999, 7)] {
        assert_eq!(scope_draw(&empirical, u), want, "empirical at {u}");
    }
    assert_eq!(scope_draw(&Dist::Constant { value: 41.6 }, 0.3), 42);
    assert_eq!(scope_draw(&Dist::Constant { value: -3.0 }, 0.3), 0);
    let low = Dist::Uniform {
        min: -4.0,
        max: -2.0,
    };
    assert_eq!(scope_draw(&low, 0.9), 0);
}

/// Scope::new: the range is drawn on (`Planning`, 1, 0); a split-rate sample, picked by
/// (`Planning`, 0, 0), multiplies the count (rounded, at least 1).
#[test]
fn the_initial_scope_takes_its_range_and_split_rate_sample_draws() {
    let samples = vec![0.01, 1.5, 2.0, 0.5];
    let m = forecast(|s| {
        s.backlog.initial_items = 41;
        s.backlog.split_rate_samples = samples.clone();
    });
    let ranged = forecast(|s| {
        s.backlog.initial_items_range = Some(Dist::Uniform {
            min: 10.0,
            max: 19.0,
        });
    });
    let mut seen = [0; 4];
    let mut counts = [0; 10];
    for r in 0..400 {
        let keys = RunKeys::new(2, r);
        let u = keys.unit(Source::Planning, 0, 0);
        let k = (u * 4.0) as usize;
        seen[k] += 1;
        // 41 × 0.01 = 0.41 → 0 → at least 1; 41 × 1.5 = 61.5 → 62; 82; 20.5 → 21.
        let want = [1, 62, 82, 21][k];
        assert_eq!(Scope::new(&m, &keys).initial, want, "run {r}, sample {k}");
        let v = keys.unit(Source::Planning, 1, 0);
        let want = 10 + (v * 10.0) as i64;
        let got = Scope::new(&ranged, &keys).initial;
        assert_eq!(got, want, "run {r}: range draw {v}");
        counts[(got - 10) as usize] += 1;
    }
    assert!(seen.iter().all(|&n| n > 60), "each sample picked: {seen:?}");
    assert!(
        counts.iter().all(|&n| n > 15),
        "each count drawn: {counts:?}"
    );
}

#[test]
fn keyed_sources_are_those_the_scenario_draws_from() {
    let of = |f: &dyn Fn(&mut Scenario)| keyed_sources(&forecast(f));
    assert_eq!(of(&|_| {}), vec![]);
    assert_eq!(
        of(&|s| s.backlog.initial_items_range = Some(Dist::Constant { value: 4.0 })),
        vec![Source::Planning]
    );
    assert_eq!(
        of(&|s| s.backlog.split_rate_samples = vec![1.2]),
        vec![Source::Planning]
    );
    assert_eq!(of(&|s| s.backlog.split_rate = 0.1), vec![Source::Split]);
    let risk = Risk {
        name: "r".into(),
        probability: 0.5,
        first_sprint: 1,
        last_sprint: 3,
        added_items: 2,
        added_points: 0.0,
    };
    assert_eq!(
        of(&|s| {
            s.backlog.split_rate_samples = vec![1.2];
            s.backlog.split_rate = 0.1;
            s.risks = vec![risk.clone()];
        }),
        vec![Source::Planning, Source::Split, Source::Risks]
    );
}

#[test]
fn whole_sizes_are_whole_numbers_from_1_below_a_billion() {
    for size in [1.0, 2.0, 3.0, 999_999_999.0] {
        assert!(whole_size(size), "{size}");
    }
    for size in [
        0.0,
        0.5,
        2.5,
        1.000_000_1,
        1e9,
        4e9,
        f64::NAN,
        f64::INFINITY,
    ] {
        assert!(!whole_size(size), "{size}");
    }
}
