//! The throughput model at its edges, worked out by hand: a commitment above the items
//! left (the waiting items bound it), a finish within the lane's tolerance of the sprint's
//! capacity, a sprint without capacity with items as small as that tolerance, and the largest
//! commitment a scenario can give.

use super::exact_tests::{flows, forecast, run};
use super::*;
use crate::scenario::Dist;

/// A commitment far above the backlog commits the items waiting and no more, item by item
/// (items of 2.5 points) as in the closed form (unit items). 3 items of 2.5 at 4 points a
/// sprint of 40 hours, committing 10 × the last velocity (40 points the first sprint): sprint 1
/// commits all three (7.5 points), finishes one at 25 h and starts the next (1 point left at
/// the end); sprint 2 (commitment 25) carries that point and commits the one item still
/// waiting (3.5 points, not the 1 + 2 · 2.5 of the two left), finishes both. Say-do 6 / 11.
#[test]
fn a_commitment_above_the_backlog_commits_only_the_items_waiting() {
    let m = forecast(|s| {
        s.team.capacity = Dist::Constant { value: 4.0 };
        s.backlog.size = Dist::Constant { value: 2.5 };
        s.backlog.initial_items = 3;
        s.simulation.sprints = 10;
        s.team.commitment_factor = 10.0;
        s.team.velocity_window = 1;
    });
    let (record, rows) = run(&m);
    let got: Vec<[f64; 5]> = rows.iter().map(flows).collect();
    assert_eq!(
        got,
        [[2.5, 7.5, 2.5, 2.0, 1.0], [5.0, 3.5, 3.5, 0.0, 0.0]],
        "velocity, committed, done, backlog, ready"
    );
    assert_eq!(record.metrics[idx::SAY_DO], 6.0 / 11.0);
    // Unit items at 3 points a sprint of 40 hours, 7 of them, committing 10 × 3 = 30 the
    // first sprint: 7 committed (all), 3 done; then 4 waiting of a commitment of 30.
    let m = forecast(|s| {
        s.team.capacity = Dist::Constant { value: 3.0 };
        s.backlog.initial_items = 7;
        s.simulation.sprints = 10;
        s.team.commitment_factor = 10.0;
        s.team.velocity_window = 1;
    });
    let (record, rows) = run(&m);
    let got: Vec<[f64; 5]> = rows.iter().map(flows).collect();
    assert_eq!(
        got,
        [
            [3.0, 7.0, 3.0, 4.0, 4.0],
            [3.0, 4.0, 3.0, 1.0, 1.0],
            [1.0, 1.0, 1.0, 0.0, 0.0]
        ]
    );
    assert_eq!(record.metrics[idx::SAY_DO], 7.0 / 12.0);
}

/// A finish within 10⁻⁹ of the sprint's capacity counts in it (the lane's tolerance, relative
/// to the capacity, as the roles model's to the sprint's hours): 3 unit items at 2.9999999985
/// points a sprint of 40 hours are done in sprint 1 (the third is 1.5·10⁻⁹ points over, within
/// 3·10⁻⁹); at 2.999999995 (5·10⁻⁹ over) the third is left for sprint 2, started.
#[test]
fn a_finish_within_a_billionth_of_the_capacity_counts_in_the_sprint() {
    // (velocity, backlog, ready) sprint by sprint.
    for (capacity, want) in [
        (2.999_999_998_5, vec![[3.0, 0.0, 0.0]]),
        (2.999_999_995, vec![[2.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),
    ] {
        let m = forecast(|s| {
            s.team.capacity = Dist::Constant { value: capacity };
            s.backlog.initial_items = 3;
            s.simulation.sprints = 10;
        });
        let (record, rows) = run(&m);
        let got: Vec<[f64; 3]> = rows
            .iter()
            .map(|r| {
                let f = flows(r);
                [f[0], f[3], f[4]]
            })
            .collect();
        assert_eq!(got, want, "capacity {capacity}");
        assert_eq!(record.metrics[idx::COMPLETION_SPRINT], want.len() as f64);
    }
}

/// A sprint without capacity does none of any item, however small: items of 10⁻⁹ points (the
/// smallest size a scenario may give, and the lane's finishing tolerance) stay undone, the
/// lane holding the next.
#[test]
fn a_sprint_without_capacity_finishes_no_item_however_small() {
    let mut s = crate::scenario::load::load_scenario("forecast").unwrap();
    s.team.capacity = Dist::Constant { value: 0.0 };
    s.backlog.size = Dist::Constant { value: 1e-9 };
    s.backlog.initial_items = 5;
    s.simulation.sprints = 2;
    let problems = crate::scenario::validate::validate(&s, &Default::default());
    assert!(problems.is_empty(), "a valid scenario: {problems:?}");
    let m = Model::new(&s);
    let (record, rows) = run(&m);
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(flows(row)[0], 0.0, "no velocity");
        assert_eq!([flows(row)[3], flows(row)[4]], [5.0, 4.0], "5 left, 1 held");
    }
    assert_eq!(record.metrics[idx::ITEMS_DONE], 0.0);
}

/// The largest commitment a scenario can give, a factor of 10⁹ (the largest number a
/// parameter may be) times a capacity of 10⁶ points (the largest), is 10¹⁵: past the closed
/// form's range, so both lanes count it item by item, and every waiting item is committed.
/// 2 000 items of 10⁶ points at one item a sprint: 2·10⁹ points committed in sprint 1, one
/// item done; 1.999·10⁹ in sprint 2.
#[test]
fn the_largest_commitment_commits_every_waiting_item_in_both_lanes() {
    let mut s = crate::scenario::load::load_scenario("forecast").unwrap();
    s.team.capacity = Dist::Constant { value: 1e6 };
    s.backlog.size = Dist::Constant { value: 1e6 };
    s.backlog.initial_items = 2000;
    s.team.commitment_factor = 1e9;
    s.simulation.sprints = 2;
    let problems = crate::scenario::validate::validate(&s, &Default::default());
    assert!(problems.is_empty(), "a valid scenario: {problems:?}");
    let m = Model::new(&s);
    let plain = Plain::of(&m).expect("the plain case");
    let (_, rows) = run(&m);
    let want = [
        [1e6, 2e9, 1e6, 1999.0, 1999.0],
        [1e6, 1.999e9, 1e6, 1998.0, 1998.0],
    ];
    let got: Vec<[f64; 5]> = rows.iter().map(flows).collect();
    assert_eq!(got, want, "the general lane");
    let keys = RunKeys::new(5, 0);
    let mut ws = Workspace::new();
    let mut b = vec![[f64::NAN; N_SERIES]; 2];
    let (_, n) = play_plain(&m, &plain, keys.stream(Source::Capacity), &mut ws, &mut b);
    let got: Vec<[f64; 5]> = b[..n].iter().map(flows).collect();
    assert_eq!(got, want, "the plain lane");
}
