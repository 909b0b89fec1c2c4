//! One replication, the front door: the scenario's model decides whether the roles model (a
//! year of sprints, step by step, in [`super::sprint`]) or the throughput model
//! ([`super::throughput`]) plays it. Either way the run's buffers come from a [`Workspace`]
//! and the run ends as one [`RunRecord`].

use super::metrics::RunRecord;
use super::trace::{NoTrace, Tracer};
use super::workspace::Workspace;
use crate::model::compiled::Model;
use crate::random::RunKeys;
use crate::scenario::ModelKind;

/// Simulate one replication of `model`. `oracle_value` is the oracle's realized value on the
/// same world (for value efficiency); None when this run is the oracle.
pub fn simulate(
    model: &Model,
    keys: &RunKeys,
    oracle_value: Option<f64>,
    ws: &mut Workspace,
) -> RunRecord {
    simulate_traced(model, keys, oracle_value, ws, &mut NoTrace)
}

/// [`simulate`], telling `tracer` what happens.
pub fn simulate_traced<T: Tracer>(
    model: &Model,
    keys: &RunKeys,
    oracle_value: Option<f64>,
    ws: &mut Workspace,
    tracer: &mut T,
) -> RunRecord {
    if model.scenario.simulation.model == ModelKind::Throughput {
        return super::throughput::simulate_throughput(model, keys, ws);
    }
    super::sprint::simulate_roles(model, keys, oracle_value, ws, tracer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::metrics::idx;
    use crate::engine::trace::Event;
    use crate::model::compiled::Model;
    use crate::scenario::load_scenario;

    /// Draws kept in the shared world (question latencies) give what fresh draws give,
    /// whatever scenario used the world first.
    #[test]
    fn shared_world_draws_match_fresh_ones() {
        let presets = ["blurred-roles", "overloaded-po", "aligned"];
        let models: Vec<Model> = presets
            .iter()
            .map(|p| Model::new(&load_scenario(p).unwrap()))
            .collect();
        let mut shared = Workspace::new();
        for r in 0..4 {
            let keys = RunKeys::new(5, r);
            for m in &models {
                let reused = simulate(m, &keys, None, &mut shared);
                let fresh = simulate(m, &keys, None, &mut Workspace::new());
                assert_eq!(reused, fresh, "{} run {r}", m.scenario.name);
            }
        }
    }

    /// The events of a run add up to its record: value, points, defects; after a warm-up and
    /// with a discount rate too (the warm-up releases' value told at the start of the year is
    /// discounted as the record's).
    #[test]
    fn trace_adds_up_to_the_record() {
        for (preset, warmup, rate) in [
            ("aligned", 0, 0.0),
            ("blurred-roles", 0, 0.0),
            ("overloaded-po", 0, 0.0),
            ("overloaded-po", 12, 0.0),
            ("aligned", 12, 0.03),
        ] {
            let mut s = load_scenario(preset).unwrap();
            s.simulation.warmup_sprints = warmup;
            s.simulation.discount_rate = rate;
            let model = Model::new(&s);
            let mut ws = Workspace::new();
            for r in 0..5 {
                let keys = RunKeys::new(9, r);
                let mut events = Vec::new();
                let rec = simulate_traced(&model, &keys, None, &mut ws, &mut events);
                let plain = simulate(&model, &keys, None, &mut ws);
                assert_eq!(rec, plain, "tracing must not change the run");
                let (mut value, mut points, mut defects) = (0.0, 0.0, 0u32);
                for e in &events {
                    match *e {
                        Event::Released {
                            value: v,
                            points: p,
                            ..
                        } => {
                            value += v;
                            points += p;
                        }
                        Event::WarmupValue { value: v, .. } => value += v,
                        Event::Finished {
                            in_sprint,
                            later,
                            escaped,
                            ..
                        } => defects += in_sprint + later + escaped,
                        _ => {}
                    }
                }
                let m = rec.metrics;
                // After a warm-up, the year's value also flows from warm-up releases (told once,
                // at the start of the year).
                assert!(
                    (value - m[idx::VALUE_REALIZED]).abs()
                        <= 1e-9 * m[idx::VALUE_REALIZED].abs().max(1.0),
                    "{preset}: {value} vs {}",
                    m[idx::VALUE_REALIZED]
                );
                assert!((points - m[idx::POINTS_DONE]).abs() < 1e-9, "{preset}");
                assert_eq!(defects as f64, m[idx::DEFECTS], "{preset}");
            }
        }
    }

    /// Mean of metric `m` over `runs` replications of `s` (seed 21), skipping empty cells.
    fn mean_metric(s: &crate::scenario::Scenario, m: usize, runs: u64) -> f64 {
        let model = Model::new(s);
        let mut ws = Workspace::new();
        let v: Vec<f64> = (0..runs)
            .map(|r| simulate(&model, &RunKeys::new(21, r), None, &mut ws).metrics[m])
            .filter(|x| !x.is_nan())
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    }

    /// Guess or wait (docs/model.md §13.1a): an asynchronous PO's team stops waiting past the
    /// threshold, so it waits less and reworks more than a team that always waits; wrong
    /// guesses rise with the coefficient; an on-call PO's team rarely waits that long.
    #[test]
    fn guessing_trades_waits_for_rework_where_the_po_is_away() {
        let mut away = load_scenario("aligned").unwrap();
        away.po.support_share = 0.10;
        let mut waits = away.clone();
        waits.team.guess_after_hours = 0.0;
        let mut right = away.clone();
        right.team.wrong_guess_per_ambiguity = 0.0;
        let n = 30;
        let rework = |s| mean_metric(s, idx::REWORK_SHARE, n);
        let wait = |s| mean_metric(s, idx::DECISION_WAIT, n);
        assert!(
            rework(&away) > rework(&waits) + 0.03,
            "{} {}",
            rework(&away),
            rework(&waits)
        );
        assert!(rework(&away) > rework(&right) + 0.03);
        assert!(wait(&away) < wait(&waits));
        let on_call = load_scenario("aligned").unwrap();
        let mut on_call_waits = on_call.clone();
        on_call_waits.team.guess_after_hours = 0.0;
        let d = rework(&on_call) - rework(&on_call_waits);
        assert!(d.abs() < 0.01, "on-call PO: rework moved by {d}");
        // Every wrong guess adds work, and no right guess does.
        let model = Model::new(&away);
        let mut events = Vec::new();
        simulate_traced(
            &model,
            &RunKeys::new(3, 0),
            None,
            &mut Workspace::new(),
            &mut events,
        );
        let (mut wrong, mut right_guesses) = (0, 0);
        for e in &events {
            if let Event::Guessed {
                wrong: w, rework, ..
            } = *e
            {
                if w {
                    wrong += 1;
                    assert!(rework > 0.0);
                } else {
                    right_guesses += 1;
                    assert_eq!(rework, 0.0);
                }
            }
        }
        assert!(
            wrong > 5 && right_guesses > 5,
            "{wrong} wrong, {right_guesses} right"
        );
    }

    /// Requirement churn grows scope: each change adds `churn_growth` of the item's size,
    /// and releases finish later with growth than without.
    #[test]
    fn churn_grows_the_changed_items_and_delays_the_release() {
        let mut s = load_scenario("aligned").unwrap();
        s.roles.churn_probability = 0.2;
        let mut flat = s.clone();
        flat.roles.churn_growth = 0.0;
        let model = Model::new(&s);
        let mut events = Vec::new();
        simulate_traced(
            &model,
            &RunKeys::new(4, 0),
            None,
            &mut Workspace::new(),
            &mut events,
        );
        let grown: Vec<f64> = events
            .iter()
            .filter_map(|e| match *e {
                Event::Churned { growth, .. } => Some(growth),
                _ => None,
            })
            .collect();
        assert!(grown.len() > 20 && grown.iter().all(|&g| g > 0.0));
        let c = |s| mean_metric(s, idx::COMPLETION_SPRINT, 30);
        assert!(c(&s) > c(&flat) + 0.3, "{} {}", c(&s), c(&flat));
    }

    /// Blurred roles with many conflicts that all drop work, and much fix work: drops
    /// during work and during fixes are common.
    fn drop_heavy(seed: u64, runs: u64) -> Vec<(Vec<Event>, Vec<crate::model::item::BacklogItem>)> {
        let mut s = load_scenario("blurred-roles").unwrap();
        s.roles.conflicts_per_sprint = 2.0;
        s.roles.conflict_inject_share = 1.0;
        s.quality.defects_per_point = 0.5;
        s.quality.found_in_sprint = 0.9;
        s.quality.fix_points = 0.5;
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        (0..runs)
            .map(|r| {
                let mut events = Vec::new();
                simulate_traced(&model, &RunKeys::new(seed, r), None, &mut ws, &mut events);
                (events, ws.items.clone())
            })
            .collect()
    }

    /// Arrivals at a zero rate: no sprint reports an arrival (not even of none); at the
    /// default rate every sprint after the first reports one.
    #[test]
    fn no_arrival_rate_reports_no_arrivals() {
        let arrivals = |rate: f64| {
            let mut s = load_scenario("aligned").unwrap();
            s.simulation.warmup_sprints = 0;
            s.backlog.arrivals_per_sprint = rate;
            let model = Model::new(&s);
            let mut ws = Workspace::new();
            let mut events = Vec::new();
            simulate_traced(&model, &RunKeys::new(3, 0), None, &mut ws, &mut events);
            events
                .iter()
                .filter_map(|e| match *e {
                    Event::Arrived { sprint, .. } => Some(sprint),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(arrivals(0.0), Vec::<u32>::new());
        let sprints = load_scenario("aligned").unwrap().simulation.sprints;
        assert_eq!(arrivals(6.0), (1..sprints).collect::<Vec<_>>());
    }

    /// A conflict acts at its hour, not before: its injected item is never started before
    /// the hour it comes in.
    #[test]
    fn an_injected_item_starts_at_its_conflicts_hour() {
        let mut injected = 0;
        for (events, _) in drop_heavy(23, 12) {
            for e in &events {
                let Event::Injected {
                    sprint, hour, item, ..
                } = *e
                else {
                    continue;
                };
                let start = events.iter().find_map(|f| match *f {
                    Event::Started {
                        sprint: s,
                        hour: h,
                        item: i,
                        ..
                    } if i == item => Some((s, h)),
                    _ => None,
                });
                let Some((s, h)) = start else { continue };
                injected += 1;
                // Hours within a sprint are sums of steps: equal to 1e-9 h.
                assert!(
                    s > sprint || (s == sprint && h >= hour - 1e-9),
                    "injected at {sprint}:{hour}, started at {s}:{h}"
                );
            }
        }
        assert!(injected >= 50, "{injected}");
    }

    /// A conflict's drop takes the item out of the sprint: it is not started or finished
    /// again before the next planning.
    #[test]
    fn a_dropped_item_waits_for_the_next_planning() {
        use crate::engine::trace::DropCause;
        let mut drops = 0;
        for (events, _) in drop_heavy(11, 12) {
            for (k, e) in events.iter().enumerate() {
                if let Event::Dropped {
                    sprint,
                    item,
                    cause: DropCause::Conflict,
                    ..
                } = *e
                {
                    drops += 1;
                    for later in &events[k + 1..] {
                        match *later {
                            Event::Started {
                                sprint: s, item: i, ..
                            }
                            | Event::Finished {
                                sprint: s, item: i, ..
                            } if s == sprint && i == item => {
                                panic!(
                                    "item {item} dropped in sprint {sprint} worked on again in it"
                                )
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        assert!(
            drops > 50,
            "only {drops} conflict drops: the test shows nothing"
        );
    }

    /// Quality is drawn once per item: one Finished event (defects, wrong build) per item,
    /// also for items dropped during their fix work; and blocked hours count only the
    /// waits since the item's last drop.
    #[test]
    fn defects_are_drawn_once_and_drops_forget_blocked_hours() {
        use std::collections::HashMap;
        let (mut dropped_in_fix, mut waited_before_drop) = (0, 0);
        for (events, items) in drop_heavy(12, 60) {
            let mut finished: HashMap<u64, u32> = HashMap::new();
            let mut blocked: HashMap<u64, (f64, bool)> = HashMap::new();
            let mut fix_dropped = Vec::new();
            for e in &events {
                match *e {
                    Event::Finished { item, .. } => *finished.entry(item).or_default() += 1,
                    Event::Dropped { item, .. } => {
                        if finished.contains_key(&item) {
                            fix_dropped.push(item);
                        }
                        let b = blocked.entry(item).or_default();
                        if b.0 > 0.0 {
                            waited_before_drop += 1;
                        }
                        *b = (0.0, true);
                    }
                    Event::Blocked { item, hours, .. } => {
                        blocked.entry(item).or_default().0 += hours
                    }
                    _ => {}
                }
            }
            for (item, n) in &finished {
                assert_eq!(*n, 1, "item {item}: quality drawn {n} times");
            }
            for it in &items {
                if fix_dropped.contains(&it.id) && it.status == crate::model::item::Status::Done {
                    dropped_in_fix += 1; // Dropped during its fixes, restarted and finished.
                }
                if let Some(&(since_drop, true)) = blocked.get(&it.id) {
                    assert!(
                        (it.blocked_hours - since_drop).abs() <= 1e-9 * since_drop.max(1.0),
                        "item {}: {} blocked hours, {} since its last drop",
                        it.id,
                        it.blocked_hours,
                        since_drop
                    );
                }
            }
        }
        assert!(
            dropped_in_fix > 0,
            "no item dropped during its fix work finished later: the test shows nothing"
        );
        assert!(waited_before_drop > 0, "no item waited before a drop");
    }
}
