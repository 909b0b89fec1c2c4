//! Property tests over valid scenarios, and degenerate but valid worlds.

use backsim::engine::metrics::{idx, series, METRICS};
use backsim::engine::{simulate, RunRecord, Workspace};
use backsim::model::compiled::Model;
use backsim::random::RunKeys;
use backsim::scenario::validate::{validate, Limits};
use backsim::scenario::{load_scenario, Dist, ReleaseScope, Scenario};
use proptest::prelude::*;
use std::sync::mpsc;
use std::time::Duration;

/// Metrics that are shares or rates and must lie in [0, 1] when they have a value.
const SHARES: [usize; 7] = [
    idx::DECISION_WAIT,
    idx::CAPACITY_LOST,
    idx::REWORK_SHARE,
    idx::WRONG_BUILD_RATE,
    idx::ON_STRATEGY,
    idx::ENABLER_SHARE,
    idx::PRIORITY_CHURN,
];

/// Metrics that always have a value.
const ALWAYS: [usize; 6] = [
    idx::VALUE_REALIZED,
    idx::POINTS_DONE,
    idx::ITEMS_DONE,
    idx::DEFECTS,
    idx::ESCAPED,
    idx::TECH_DEBT_END,
];

/// What one replication of a scenario gave: its record, the oracle's, the series, and the
/// points of every item that existed.
struct Outcome {
    record: RunRecord,
    oracle: RunRecord,
    oracle_self: RunRecord,
    series: Vec<[f64; backsim::engine::N_SERIES]>,
    points_existed: f64,
}

/// Simulate replication `r` on a thread; fail if it takes longer than `limit` (no endless loop).
fn run_bounded(s: &Scenario, seed: u64, r: u64, limit: Duration) -> Outcome {
    let s = s.clone();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let keys = RunKeys::new(seed, r);
        let mut ws = Workspace::new();
        let oracle_model = Model::oracle(&s);
        let oracle = simulate(&oracle_model, &keys, None, &mut ws);
        let oracle_value = oracle.metrics[idx::VALUE_REALIZED];
        let oracle_self = simulate(&oracle_model, &keys, Some(oracle_value), &mut ws);
        let record = simulate(&Model::new(&s), &keys, Some(oracle_value), &mut ws);
        let points_existed = ws.items().iter().map(|i| i.size.max(0.0)).sum();
        let _ = tx.send(Outcome {
            record,
            oracle,
            oracle_self,
            series: ws.series.clone(),
            points_existed,
        });
    });
    rx.recv_timeout(limit)
        .expect("the simulation did not end in time (or panicked)")
}

fn check_invariants(s: &Scenario, o: &Outcome) -> Result<(), String> {
    for rec in [&o.record, &o.oracle, &o.oracle_self] {
        for (i, m) in METRICS.iter().enumerate() {
            let v = rec.metrics[i];
            if v.is_infinite() {
                return Err(format!("{} is {v}", m.name));
            }
            if ALWAYS.contains(&i) && !v.is_finite() {
                return Err(format!("{} has no value ({v})", m.name));
            }
        }
        for &i in &SHARES {
            let v = rec.metrics[i];
            if !v.is_nan() && !(-1e-9..=1.0 + 1e-9).contains(&v) {
                return Err(format!("{} = {v} is outside [0, 1]", METRICS[i].name));
            }
        }
        for i in [
            idx::POINTS_DONE,
            idx::ITEMS_DONE,
            idx::DEFECTS,
            idx::ESCAPED,
        ] {
            if rec.metrics[i] < 0.0 {
                return Err(format!("{} = {} < 0", METRICS[i].name, rec.metrics[i]));
            }
        }
        let c = rec.metrics[idx::COMPLETION_SPRINT];
        if !c.is_nan() && !(0.0..=s.simulation.sprints as f64).contains(&c) {
            return Err(format!(
                "completion_sprint {c} outside the horizon {}",
                s.simulation.sprints
            ));
        }
    }
    let done = o.record.metrics[idx::POINTS_DONE];
    if done > o.points_existed * (1.0 + 1e-9) + 1e-9 {
        return Err(format!(
            "points_done {done} > points that existed {}",
            o.points_existed
        ));
    }
    if o.series.len() != s.simulation.sprints as usize {
        return Err(format!(
            "{} series rows for {} sprints",
            o.series.len(),
            s.simulation.sprints
        ));
    }
    for (k, row) in o.series.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            if !v.is_finite() || *v < -1e-9 && j != series::CUMULATIVE_VALUE {
                return Err(format!("series {j} at sprint {} is {v}", k + 1));
            }
        }
    }
    // The metrics defined against the oracle follow their definitions (docs/outputs.md):
    // value efficiency = value realized / the oracle's value on the same world, cost of
    // delay = the oracle's value − value realized.
    let own = o.oracle.metrics[idx::VALUE_REALIZED];
    let value = o.record.metrics[idx::VALUE_REALIZED];
    let eff = o.record.metrics[idx::VALUE_EFFICIENCY];
    if own > 0.0 && (eff - value / own).abs() > 1e-9 * (1.0 + (value / own).abs()) {
        return Err(format!(
            "value efficiency {eff}, but value {value} / oracle value {own} = {}",
            value / own
        ));
    }
    let cod = o.record.metrics[idx::COST_OF_DELAY];
    if cod.is_finite() && (cod - (own - value)).abs() > 1e-9 * (1.0 + own.abs()) {
        return Err(format!(
            "cost of delay {cod}, but oracle value {own} − value {value} = {}",
            own - value
        ));
    }
    Ok(())
}

fn preset() -> impl Strategy<Value = Scenario> {
    prop::sample::select(vec![
        "aligned",
        "siloed-pm",
        "overloaded-po",
        "blurred-roles",
    ])
    .prop_map(|n| load_scenario(n).unwrap())
}

fn dist_capacity() -> impl Strategy<Value = Dist> {
    prop_oneof![
        (0.0..80.0f64).prop_map(Dist::constant),
        (0.0..80.0f64, 0.0..1.5f64).prop_map(|(mean, cv)| Dist::Gamma { mean, cv }),
        (0.1..80.0f64, 0.0..1.5f64).prop_map(|(median, sigma)| Dist::Lognormal { median, sigma }),
        (0.0..80.0f64, 0.0..40.0f64).prop_map(|(mean, sd)| Dist::Normal { mean, sd }),
        (0.0..60.0f64).prop_map(|mean| Dist::Poisson { mean }),
        prop::collection::vec(0.0..60.0f64, 1..6).prop_map(|mut values| {
            values[0] += 1.0;
            Dist::Empirical { values }
        }),
    ]
}

fn dist_size() -> impl Strategy<Value = Dist> {
    prop_oneof![
        (0.5..20.0f64).prop_map(Dist::constant),
        (0.1..10.0f64, 0.0..2.0f64).prop_map(|(median, sigma)| Dist::Lognormal { median, sigma }),
        (0.0..10.0f64, 0.0..3.0f64).prop_map(|(mean, cv)| Dist::Gamma { mean, cv }),
        (0.0..5.0f64, 0.0..20.0f64).prop_map(|(min, w)| Dist::Uniform { min, max: min + w }),
    ]
}

fn dist_ambiguity() -> impl Strategy<Value = Dist> {
    prop_oneof![
        (0.0..=1.0f64).prop_map(Dist::constant),
        (0.05..10.0f64, 0.05..10.0f64).prop_map(|(a, b)| Dist::Beta { a, b }),
        (0.0..=1.0f64, 0.0..=1.0f64).prop_map(|(x, y)| Dist::Uniform {
            min: x.min(y),
            max: x.max(y)
        }),
    ]
}

prop_compose! {
    fn scenario()(
        base in preset(),
        (sprints, initial_items, arrivals, lanes, themes) in
            (1u32..30, 0u32..80, 0.0..25.0f64, 1u32..6, 1u32..8),
        (capacity, size, ambiguity) in (dist_capacity(), dist_size(), dist_ambiguity()),
        (p1, p2, p3, p4, p5, p6) in
            (0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64),
        (pm_enabled, roadmap, scope_first, fib, stop) in
            (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
        (split_rate, conflicts, defects, bad_fix, shock_rate) in
            (0.0..=1.0f64, 0.0..16.0f64, 0.0..3.0f64, 0.0..0.9f64, 0.0..3.0f64),
        (risk_p, risk_items, risk_points, scope_points, tail) in
            (0.0..=1.0f64, 0u32..20, 0.0..50.0f64, 0.0..500.0f64, 0u32..30),
    ) -> Scenario {
        let mut s = base;
        s.simulation.sprints = sprints;
        s.simulation.value_tail_sprints = tail;
        s.simulation.stop_at_completion = stop;
        s.backlog.initial_items = initial_items;
        s.backlog.arrivals_per_sprint = arrivals;
        s.team.lanes = lanes;
        s.market.themes = themes;
        s.market.shock_rate = shock_rate;
        s.team.capacity = capacity;
        s.backlog.size = size;
        s.backlog.ambiguity = ambiguity;
        s.backlog.positive_value_share = p1 * 0.7;
        s.backlog.zero_value_share = p2 * 0.3;
        s.backlog.enabler_share = p3;
        s.backlog.split_rate = split_rate;
        s.backlog.fibonacci = fib;
        s.po.value_skill = p4;
        s.po.take_unready = p5;
        s.po.myopia = p6;
        s.roles.pm_override = p5;
        s.roles.churn_probability = p6;
        s.roles.conflicts_per_sprint = conflicts;
        s.quality.defects_per_point = defects;
        s.quality.bad_fix_probability = bad_fix;
        s.pm.enabled = pm_enabled;
        s.release.scope = if roadmap { ReleaseScope::Roadmap } else { ReleaseScope::InitialBacklog };
        s.release.scope_first = scope_first;
        s.release.scope_points = scope_points;
        if risk_items > 0 || risk_points > 0.0 {
            s.risks.push(backsim::scenario::Risk {
                name: "r".into(),
                probability: risk_p,
                first_sprint: 1,
                last_sprint: sprints,
                added_items: risk_items,
                added_points: risk_points,
            });
        }
        s
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn valid_scenarios_terminate_with_sane_metrics(s in scenario(), seed in any::<u64>(), r in 0u64..1000) {
        let problems = validate(&s, &Limits::default());
        prop_assert!(problems.is_empty(), "generator made an invalid scenario: {:?}", problems);
        let o = run_bounded(&s, seed, r, Duration::from_secs(20));
        if let Err(e) = check_invariants(&s, &o) {
            return Err(TestCaseError::fail(format!("{e}\nscenario: {}", toml::to_string(&s).unwrap())));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Degenerate worlds.

fn world(edit: impl FnOnce(&mut Scenario)) -> Scenario {
    let mut s = load_scenario("aligned").unwrap();
    edit(&mut s);
    let problems = validate(&s, &Limits::default());
    assert!(problems.is_empty(), "{problems:?}");
    s
}

fn degenerate(s: &Scenario) -> Vec<Outcome> {
    (0..4)
        .map(|r| {
            let o = run_bounded(s, 7, r, Duration::from_secs(20));
            check_invariants(s, &o).unwrap();
            o
        })
        .collect()
}

#[test]
fn zero_capacity_completes_nothing_and_ends() {
    let s = world(|s| s.team.capacity = Dist::constant(0.0));
    for o in degenerate(&s) {
        assert_eq!(o.record.metrics[idx::POINTS_DONE], 0.0);
        assert_eq!(o.record.metrics[idx::ITEMS_DONE], 0.0);
        assert!(o.record.metrics[idx::COMPLETION_SPRINT].is_nan());
        assert!(o.record.metrics[idx::RELEASE_DELAY].is_nan());
    }
}

#[test]
fn arrivals_far_above_capacity_grow_the_backlog_and_end_at_the_horizon() {
    let s = world(|s| {
        s.backlog.arrivals_per_sprint = 300.0;
        s.team.capacity = Dist::constant(5.0);
        s.simulation.sprints = 40;
    });
    for o in degenerate(&s) {
        assert_eq!(o.series.len(), 40);
        let first = o.series[0][series::BACKLOG_SIZE];
        let last = o.series[39][series::BACKLOG_SIZE];
        assert!(last > first + 5000.0, "backlog {first} -> {last}");
    }
}

#[test]
fn one_sprint_one_item_one_theme_and_an_empty_world() {
    let worlds = [
        world(|s| s.simulation.sprints = 1),
        world(|s| {
            s.backlog.initial_items = 1;
            s.backlog.arrivals_per_sprint = 0.0;
            // From a cold start: after a warm-up the one item is done before sprint 1.
            s.simulation.warmup_sprints = 0;
        }),
        world(|s| s.market.themes = 1),
        world(|s| {
            s.backlog.initial_items = 0;
            s.backlog.arrivals_per_sprint = 0.0;
            s.release.scope = ReleaseScope::InitialBacklog;
        }),
        world(|s| {
            s.simulation.sprints = 1;
            s.simulation.value_tail_sprints = 0;
            s.backlog.initial_items = 1;
            s.backlog.arrivals_per_sprint = 0.0;
            s.market.themes = 1;
            s.team.lanes = 1;
        }),
    ];
    for s in &worlds {
        let outcomes = degenerate(s);
        if s.backlog.initial_items == 1
            && s.backlog.arrivals_per_sprint == 0.0
            && s.simulation.sprints > 1
        {
            // A year for one item: it gets done (its splits count as items of their own,
            // so one item can deliver several).
            for o in &outcomes {
                assert!(o.record.metrics[idx::ITEMS_DONE] >= 1.0);
                assert!(o.record.metrics[idx::POINTS_DONE] > 0.0);
            }
        }
    }
}
