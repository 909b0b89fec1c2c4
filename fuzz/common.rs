//! The fuzz bodies, shared by the cargo-fuzz targets (`fuzz/fuzz_targets/`, nightly) and the
//! stable-toolchain driver (`examples/fuzz_stable.rs`). Each takes raw bytes and panics on a
//! finding: a panic inside backsim, an error that is not an input error, a metric that is
//! infinite or out of range. Endless loops are caught by the caller's time limit.

#![allow(dead_code)]

use backsim::engine::metrics::{idx, METRICS};
use backsim::engine::{simulate, RunRecord, Workspace};
use backsim::error::exit_code;
use backsim::model::compiled::Model;
use backsim::random::RunKeys;
use backsim::scenario::load::load_str;
use backsim::scenario::validate::{validate, Limits};
use backsim::scenario::{load_scenario, Dist, ModelKind, ReleaseScope, Scenario};

/// Reads values from fuzz bytes; zeros once they run out.
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data, pos: 0 }
    }

    pub fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 0
    }

    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    pub fn u64(&mut self) -> u64 {
        (self.u32() as u64) << 32 | self.u32() as u64
    }

    pub fn unit(&mut self) -> f64 {
        self.u32() as f64 / u32::MAX as f64
    }

    pub fn int(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.u32() % (hi - lo + 1))
    }

    /// A value meant for [lo, hi], but often an edge: the bounds, zero, tiny, huge, negative,
    /// or any bit pattern (NaN, infinities). Validation must sort out the invalid ones.
    pub fn value(&mut self, lo: f64, hi: f64) -> f64 {
        match self.u8() % 16 {
            0 => lo,
            1 => hi,
            2 => 0.0,
            3 => f64::from_bits(self.u64()),
            4 => 1e-300,
            5 => 1e300,
            6 => -self.unit(),
            7 => hi * (1.0 + self.unit()),
            8 => f64::MIN_POSITIVE,
            _ => lo + self.unit() * (hi - lo),
        }
    }
}

/// Arbitrary bytes as a scenario file: loading must end in a scenario or an input error
/// (exit code 2); a scenario that loads must validate and simulate sanely.
pub fn scenario_bytes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match load_str("fuzz/in.toml", text, &Limits::default()) {
        Ok(s) => {
            assert!(validate(&s, &Limits::default()).is_empty());
            // Only small worlds are simulated, to keep the fuzzer fast.
            let b = &s.backlog;
            let items =
                b.initial_items as f64 + b.arrivals_per_sprint * s.simulation.sprints as f64;
            if s.simulation.sprints <= 60 && items <= 2_000.0 {
                simulate_and_check(&s, 1, 0);
            }
        }
        Err(e) => {
            let msg = format!("{e:#}");
            assert_eq!(exit_code(&e), 2, "not an input error: {msg}");
            assert!(
                msg.contains("fuzz/in.toml") || msg.contains(".toml"),
                "{msg}"
            );
        }
    }
}

/// A scenario whose parameters come from the bytes (often at or past their edges); when it
/// validates, one short replication must end with sane metrics.
pub fn params(data: &[u8]) {
    let mut u = Bytes::new(data);
    let s = scenario_from(&mut u);
    if !validate(&s, &Limits::default()).is_empty() {
        return;
    }
    let seed = u.u64();
    simulate_and_check(&s, seed, u.u32() as u64);
}

fn dist(u: &mut Bytes, lo: f64, hi: f64) -> Dist {
    match u.u8() % 8 {
        0 => Dist::constant(u.value(lo, hi)),
        1 => Dist::Normal {
            mean: u.value(lo, hi),
            sd: u.value(0.0, hi),
        },
        2 => Dist::Gamma {
            mean: u.value(lo, hi),
            cv: u.value(0.0, 3.0),
        },
        3 => Dist::Lognormal {
            median: u.value(lo.max(0.01), hi),
            sigma: u.value(0.0, 3.0),
        },
        4 => Dist::Poisson {
            mean: u.value(lo, hi),
        },
        5 => Dist::Beta {
            a: u.value(0.01, 20.0),
            b: u.value(0.01, 20.0),
        },
        6 => {
            let min = u.value(lo, hi);
            Dist::Uniform {
                min,
                max: min + u.value(0.0, hi),
            }
        }
        _ => {
            let n = u.int(0, 6);
            Dist::Empirical {
                values: (0..n).map(|_| u.value(lo, hi)).collect(),
            }
        }
    }
}

pub fn scenario_from(u: &mut Bytes) -> Scenario {
    let preset = ["aligned", "siloed-pm", "overloaded-po", "blurred-roles"][u.u8() as usize % 4];
    let mut s = load_scenario(preset).expect("presets load");
    let sim = &mut s.simulation;
    sim.sprints = u.int(1, 40);
    sim.value_tail_sprints = u.int(0, 40);
    sim.discount_rate = u.value(0.0, 0.2);
    sim.sprint_days = u.int(1, 20);
    sim.hours_per_day = u.value(0.5, 24.0);
    sim.stop_at_completion = u.bool();
    let t = &mut s.team;
    t.capacity = dist(u, 0.0, 100.0);
    t.lanes = u.int(1, 8);
    t.commitment_factor = u.value(0.0, 2.0);
    t.velocity_window = u.int(1, 10);
    t.context_switch_tax = u.value(0.0, 1.0);
    t.initial_debt = u.value(0.0, 500.0);
    t.debt_per_feature_point = u.value(0.0, 2.0);
    t.debt_drag_per_point = u.value(0.0, 0.1);
    t.max_debt_drag = u.value(0.0, 1.0);
    let b = &mut s.backlog;
    b.initial_items = u.int(0, 150);
    b.arrivals_per_sprint = u.value(0.0, 30.0).min(30.0);
    b.size = dist(u, 0.0, 30.0);
    b.max_size = u.value(0.5, 100.0);
    b.enabler_share = u.value(0.0, 1.0);
    b.positive_value_share = u.value(0.0, 0.6);
    b.zero_value_share = u.value(0.0, 0.4);
    b.value_sigma = u.value(0.0, 5.0);
    b.estimate_bias = u.value(0.1, 5.0);
    b.estimate_sigma = u.value(0.0, 3.0);
    b.ambiguity = dist(u, 0.0, 1.0);
    b.refinement_factor = u.value(0.0, 1.0);
    b.ready_threshold = u.value(0.0, 1.0);
    b.split_rate = u.value(0.0, 1.0);
    b.split_into = u.int(2, 16);
    b.fibonacci = u.bool();
    b.urgency.decay_rate = u.value(0.0, 1.0);
    b.urgency.window_scale = u.value(0.01, 20.0);
    b.urgency.deadline_min = u.int(0, 30);
    b.urgency.deadline_max = b.urgency.deadline_min + u.int(0, 30);
    let m = &mut s.market;
    m.themes = u.int(1, 12);
    m.drift_sigma = u.value(0.0, 2.0);
    m.shock_rate = u.value(0.0, 5.0);
    m.shock_sigma = u.value(0.0, 5.0);
    s.pm.enabled = u.bool();
    s.pm.insight_sigma = u.value(0.0, 3.0);
    s.pm.sync_interval = u.int(1, 10);
    s.pm.sync_fidelity = u.value(0.0, 1.0);
    s.pm.override_top = u.int(0, 20);
    let po = &mut s.po;
    po.hours_per_sprint = u.value(0.0, 200.0);
    po.strategy_share = u.value(0.0, 0.5);
    po.support_share = u.value(0.0, 0.5);
    po.full_support_share = u.value(0.01, 1.0);
    po.min_availability = u.value(0.01, 1.0);
    po.value_skill = u.value(0.0, 1.0);
    po.belief_sigma = u.value(0.0, 5.0);
    po.myopia = u.value(0.0, 1.0);
    po.take_unready = u.value(0.0, 1.0);
    po.refinement_hours = u.value(0.0, 40.0);
    po.decision_latency_hours = u.value(0.0, 80.0);
    po.decision_latency_sigma = u.value(0.0, 3.0);
    po.answer_hours = u.value(0.0, 10.0);
    po.questions_base = u.value(0.0, 10.0);
    po.questions_per_ambiguity = u.value(0.0, 10.0);
    let r = &mut s.roles;
    r.pm_override = u.value(0.0, 1.0);
    r.conflicts_per_sprint = u.value(0.0, 16.0);
    r.escalation_hours = u.value(0.0, 80.0);
    r.churn_probability = u.value(0.0, 1.0);
    r.churn_rework_share = u.value(0.0, 1.0);
    let q = &mut s.quality;
    q.defects_per_point = u.value(0.0, 10.0);
    q.found_in_sprint = u.value(0.0, 0.6);
    q.found_later = u.value(0.0, 0.4);
    q.fix_points = u.value(0.0, 5.0);
    q.later_multiplier = u.value(0.0, 10.0);
    q.escaped_multiplier = u.value(0.0, 30.0);
    q.bad_fix_probability = u.value(0.0, 0.9);
    q.wrong_build_base = u.value(0.0, 1.0);
    q.redo_share = u.value(0.0, 1.0);
    s.release.scope = if u.bool() {
        ReleaseScope::Roadmap
    } else {
        ReleaseScope::InitialBacklog
    };
    s.release.scope_points = u.value(0.0, 1000.0);
    s.release.scope_first = u.bool();
    s.risks.clear();
    for i in 0..u.int(0, 3) {
        s.risks.push(backsim::scenario::Risk {
            name: format!("risk {i}"),
            probability: u.value(0.0, 1.0),
            first_sprint: u.int(1, 40),
            last_sprint: u.int(1, 60),
            added_items: u.int(0, 30),
            added_points: u.value(0.0, 100.0),
        });
    }
    s
}

/// One replication of the scenario and of its oracle; panics on a metric out of bounds.
pub fn simulate_and_check(s: &Scenario, seed: u64, r: u64) {
    let keys = RunKeys::new(seed, r);
    let mut ws = Workspace::new();
    let oracle = simulate(&Model::oracle(s), &keys, None, &mut ws);
    check(s, &oracle, &ws, "oracle");
    let rec = simulate(
        &Model::new(s),
        &keys,
        Some(oracle.metrics[idx::VALUE_REALIZED]),
        &mut ws,
    );
    check(s, &rec, &ws, "scenario");
}

fn check(s: &Scenario, rec: &RunRecord, ws: &Workspace, who: &str) {
    for (i, m) in METRICS.iter().enumerate() {
        let v = rec.metrics[i];
        assert!(!v.is_infinite(), "{who}: {} is {v}", m.name);
    }
    if s.simulation.model == ModelKind::Throughput {
        return check_throughput(s, rec, ws, who);
    }
    for i in [
        idx::VALUE_REALIZED,
        idx::POINTS_DONE,
        idx::ITEMS_DONE,
        idx::DEFECTS,
        idx::ESCAPED,
        idx::TECH_DEBT_END,
    ] {
        assert!(
            rec.metrics[i].is_finite(),
            "{who}: {} = {}",
            METRICS[i].name,
            rec.metrics[i]
        );
    }
    for i in [
        idx::DECISION_WAIT,
        idx::CAPACITY_LOST,
        idx::REWORK_SHARE,
        idx::WRONG_BUILD_RATE,
        idx::ON_STRATEGY,
        idx::ENABLER_SHARE,
    ] {
        let v = rec.metrics[i];
        assert!(
            v.is_nan() || (-1e-9..=1.0 + 1e-9).contains(&v),
            "{who}: {} = {v} outside [0, 1]",
            METRICS[i].name
        );
    }
    let existed: f64 = ws.items().iter().map(|i| i.size.max(0.0)).sum();
    let done = rec.metrics[idx::POINTS_DONE];
    assert!(
        done >= 0.0 && done <= existed * (1.0 + 1e-9) + 1e-9,
        "{who}: points_done {done}, points that existed {existed}"
    );
    assert_eq!(
        ws.series.len(),
        s.simulation.sprints as usize,
        "{who}: series rows"
    );
    for row in &ws.series {
        assert!(row.iter().all(|v| v.is_finite()), "{who}: series {row:?}");
    }
}

/// The throughput model: no values or quality; what it has stays within the backlog.
fn check_throughput(s: &Scenario, rec: &RunRecord, ws: &Workspace, who: &str) {
    let items = s.backlog.initial_items as f64;
    let done = rec.metrics[idx::ITEMS_DONE];
    assert!(
        (0.0..=items).contains(&done),
        "{who}: items_done {done} of {items}"
    );
    let points = rec.metrics[idx::POINTS_DONE];
    assert!(
        points.is_finite() && points >= 0.0,
        "{who}: points_done {points}"
    );
    assert!(
        rec.metrics[idx::VALUE_REALIZED].is_nan(),
        "{who}: a throughput forecast has no value"
    );
    assert!(
        !ws.series.is_empty() && ws.series.len() <= s.simulation.sprints as usize,
        "{who}: {} series rows",
        ws.series.len()
    );
    for row in &ws.series {
        assert!(
            row.iter()
                .all(|v| v.is_nan() || (v.is_finite() && *v >= 0.0)),
            "{who}: series {row:?}"
        );
    }
}
