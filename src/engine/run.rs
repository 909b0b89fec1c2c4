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

    /// The events of a run add up to its record: value, points, defects.
    #[test]
    fn trace_adds_up_to_the_record() {
        for (preset, warmup) in [
            ("aligned", 0),
            ("blurred-roles", 0),
            ("overloaded-po", 0),
            ("overloaded-po", 12),
        ] {
            let mut s = load_scenario(preset).unwrap();
            s.simulation.warmup_sprints = warmup;
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
}
