//! `GET /api/session`: the scenarios the page offers, each with its levers as sliders
//! (range, step, unit and group from the lever table and the sensitivity ranges), and the
//! page's defaults.

use super::api::{Lab, DEFAULT_RUNS, MAX_RUNS};
use crate::engine::metrics::METRICS;
use crate::scenario::params::{self, Kind};
use crate::scenario::{ModelKind, Scenario};
use serde_json::{json, Value};

/// What a slider needs to know about one lever of one scenario.
fn lever(s: &Scenario, key: &str, low: f64, high: f64) -> Option<Value> {
    let kind = params::kind_of(s, key).ok()?;
    let value = params::get(s, key).ok()?;
    let (low, high) = (low.min(value), high.max(value));
    let step = match kind {
        Kind::Integer => 1.0,
        Kind::Float => nice_step((high - low) / 100.0),
    };
    Some(json!({
        "key": key,
        "label": label_of(key),
        "unit": unit_of(key),
        "group": group_of(key),
        "min": low,
        "max": high,
        "step": step,
        "integer": kind == Kind::Integer,
        "value": value,
    }))
}

/// 1, 2 or 5 times a power of ten, at most `x`.
fn nice_step(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return 0.01;
    }
    let p = 10f64.powf(x.log10().floor());
    let m = x / p;
    let k = if m >= 5.0 {
        5.0
    } else if m >= 2.0 {
        2.0
    } else {
        1.0
    };
    let step = k * p;
    format!("{step:.10}").parse().unwrap_or(step)
}

/// A readable name for a dotted key: `po.decision_latency_hours` → "PO decision latency".
fn label_of(key: &str) -> String {
    let (section, leaf) = key.split_once('.').unwrap_or(("", key));
    let leaf = leaf
        .trim_end_matches("_hours")
        .trim_end_matches("_per_sprint")
        .replace(['_', '.'], " ");
    let who = match section {
        "pm" => "PM ",
        "po" => "PO ",
        "roles" => "",
        "team" => "team ",
        s => return format!("{s} {leaf}"),
    };
    format!("{who}{leaf}")
}

/// The unit of a lever, from the lever table (`scenario::levers`); a distribution's
/// parameter (`team.capacity.cv`), which the table does not list, is named by its own kind.
fn unit_of(key: &str) -> &'static str {
    if let Some(l) = crate::scenario::levers::lever(key) {
        return l.unit;
    }
    match key.rsplit('.').next().unwrap_or(key) {
        "cv" => "coefficient of variation",
        "sigma" => "log-normal σ",
        _ => "–",
    }
}

/// Structure and roles (what a team can change) or the world (what it assumes).
fn group_of(key: &str) -> &'static str {
    match key.split('.').next() {
        Some("pm" | "po" | "roles" | "team") => "roles",
        _ => "world",
    }
}

/// `GET /api/session`: the scenarios with their levers, and the defaults of the page.
pub fn session(lab: &Lab) -> Value {
    let scenarios: Vec<Value> = lab
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let levers: Vec<Value> = if s.simulation.model == ModelKind::Throughput {
                Vec::new()
            } else {
                params::sensitivity_ranges(s)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|r| lever(s, &r.key, r.low, r.high))
                    .collect()
            };
            json!({
                "name": s.name,
                "description": s.description,
                "shown": i < lab.shown,
                "model": s.simulation.model.as_str(),
                "levers": levers,
            })
        })
        .collect();
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "scenarios": scenarios,
        "runs": DEFAULT_RUNS,
        "max_runs": MAX_RUNS,
        "seed": lab.scenarios[0].simulation.seed,
        "metrics": METRICS.iter().map(|m| json!({"name": m.name, "better": m.better.as_str(), "censored": m.censored})).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(0.0045), 0.002);
        assert_eq!(nice_step(0.07), 0.05);
        assert_eq!(nice_step(0.15), 0.1);
    }

    #[test]
    fn every_preset_lever_is_a_valid_slider() {
        let lab = Lab::load(&[]).unwrap();
        let s = session(&lab);
        for sc in s["scenarios"].as_array().unwrap() {
            for l in sc["levers"].as_array().unwrap() {
                let (lo, hi, v) = (
                    l["min"].as_f64().unwrap(),
                    l["max"].as_f64().unwrap(),
                    l["value"].as_f64().unwrap(),
                );
                assert!(lo <= v && v <= hi, "{l}");
            }
        }
    }
}
