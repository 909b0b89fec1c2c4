//! Dotted-key access to a scenario's numbers (`pm.sync_interval`, `team.capacity.cv`), the
//! sensitivity ranges (built-in table, overridable in `[sensitivity]`) and the parsing of
//! `--param KEY=SPEC`.
//!
//! Get and set go through the scenario's TOML form (`toml::Table::try_from(&scenario)`), so
//! every key a scenario file accepts is reachable, distribution parameters included. A set
//! value is deserialized back and re-validated: an out-of-range value is an input error that
//! names the key and what it accepts.

use crate::error::input_error;
use crate::scenario::validate::{validate, Limits};
use crate::scenario::Scenario;
use anyhow::Result;

/// Keys that are not levers: changing them changes what is measured, not the system.
const NOT_LEVERS: [&str; 2] = ["simulation.runs", "simulation.seed"];

/// Whether a numeric key holds an integer (then only integer values are accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Integer,
    Float,
}

fn table_of(s: &Scenario) -> toml::Table {
    let mut t = toml::Table::try_from(s).expect("a scenario always serializes");
    t.remove("sensitivity");
    t
}

fn collect(prefix: &str, table: &toml::Table, out: &mut Vec<(String, Kind)>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Integer(_) => out.push((key, Kind::Integer)),
            toml::Value::Float(_) => out.push((key, Kind::Float)),
            toml::Value::Table(t) => collect(&key, t, out),
            _ => {}
        }
    }
}

/// Every numeric key of the scenario, sorted (runs and seed excluded: they are not levers).
pub fn numeric_keys(s: &Scenario) -> Vec<(String, Kind)> {
    let mut out = Vec::new();
    collect("", &table_of(s), &mut out);
    out.retain(|(k, _)| !NOT_LEVERS.contains(&k.as_str()));
    out.sort();
    out
}

fn lookup<'a>(table: &'a toml::Table, key: &str) -> Option<&'a toml::Value> {
    let mut parts = key.split('.');
    let mut cur = table.get(parts.next()?)?;
    for p in parts {
        cur = cur.as_table()?.get(p)?;
    }
    Some(cur)
}

/// Edit distance, for suggesting keys.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Up to eight valid keys near `key`: same section first, then by edit distance.
pub fn nearby_keys(s: &Scenario, key: &str) -> Vec<String> {
    let keys = numeric_keys(s);
    let section = key.split('.').next().unwrap_or("");
    let last = key.rsplit('.').next().unwrap_or("");
    let mut scored: Vec<(usize, &String)> = keys
        .iter()
        .map(|(k, _)| {
            let same_section = k.split('.').next() == Some(section);
            let same_leaf = k.rsplit('.').next() == Some(last);
            let d = distance(key, k);
            let rank = if same_leaf {
                0
            } else if same_section {
                1 + d
            } else {
                100 + d
            };
            (rank, k)
        })
        .collect();
    scored.sort();
    scored.into_iter().take(8).map(|(_, k)| k.clone()).collect()
}

fn unknown_key(s: &Scenario, key: &str, why: &str) -> anyhow::Error {
    input_error(format!(
        "{key}: {why}; nearby numeric keys: {} (`backsim check SCENARIO` prints every key)",
        nearby_keys(s, key).join(", ")
    ))
}

/// The kind of a numeric key, or an input error naming nearby valid keys.
pub fn kind_of(s: &Scenario, key: &str) -> Result<Kind> {
    if NOT_LEVERS.contains(&key) {
        return Err(input_error(format!(
            "{key}: is not a lever of the model (use --runs / --seed instead)"
        )));
    }
    match lookup(&table_of(s), key) {
        Some(toml::Value::Integer(_)) => Ok(Kind::Integer),
        Some(toml::Value::Float(_)) => Ok(Kind::Float),
        Some(toml::Value::Table(_)) => Err(unknown_key(
            s,
            key,
            "is a table, not a number (name one of its numbers)",
        )),
        Some(_) => Err(unknown_key(s, key, "is not a number")),
        None => Err(unknown_key(s, key, "no such key in this scenario")),
    }
}

/// The value of a numeric key.
pub fn get(s: &Scenario, key: &str) -> Result<f64> {
    kind_of(s, key)?;
    match lookup(&table_of(s), key) {
        Some(toml::Value::Integer(i)) => Ok(*i as f64),
        Some(toml::Value::Float(f)) => Ok(*f),
        _ => unreachable!("checked by kind_of"),
    }
}

/// A copy of `s` with `key` set to `value` (rounded for integer keys), re-validated.
pub fn set(s: &Scenario, key: &str, value: f64) -> Result<Scenario> {
    let kind = kind_of(s, key)?;
    if !value.is_finite() {
        return Err(input_error(format!(
            "{key} = {value}: must be a finite number"
        )));
    }
    let mut table = toml::Table::try_from(s).expect("a scenario always serializes");
    let parts: Vec<&str> = key.split('.').collect();
    let mut cur = &mut table;
    for p in &parts[..parts.len() - 1] {
        cur = cur
            .get_mut(*p)
            .and_then(|v| v.as_table_mut())
            .expect("checked by kind_of");
    }
    let new = match kind {
        Kind::Integer => {
            let r = value.round();
            if r < 0.0 || r > u32::MAX as f64 {
                return Err(input_error(format!(
                    "{key} = {value}: must be a whole number ≥ 0"
                )));
            }
            toml::Value::Integer(r as i64)
        }
        Kind::Float => toml::Value::Float(value),
    };
    cur.insert(parts[parts.len() - 1].to_string(), new);
    let scenario: Scenario = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| input_error(format!("{key} = {value}: {}", e.message())))?;
    let problems = validate(&scenario, &Limits::large());
    // The key's own problem first (its range), else what it broke elsewhere.
    let own = problems.iter().find(|p| p.path.join(".") == key);
    if let Some(p) = own.or(problems.first()) {
        return Err(input_error(format!(
            "{key} = {}: {} {}",
            crate::format::fmt_num(value),
            p.path.join("."),
            p.message
        )));
    }
    Ok(scenario)
}

/// One sensitivity range.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    pub key: String,
    pub low: f64,
    pub high: f64,
}

/// The built-in ranges: the spread of each lever across the reference model's archetypes
/// (section 5), widened a little, and ± about a third for the world's assumptions [A].
pub const DEFAULT_RANGES: [(&str, f64, f64); 20] = [
    ("pm.sync_interval", 1.0, 6.0),
    ("pm.sync_fidelity", 0.5, 0.95),
    ("pm.insight_sigma", 0.1, 0.4),
    ("po.strategy_share", 0.1, 0.55),
    ("po.support_share", 0.2, 0.4),
    ("po.decision_latency_hours", 1.0, 8.0),
    ("po.value_skill", 0.2, 0.5),
    ("po.myopia", 0.0, 0.6),
    ("po.take_unready", 0.1, 0.5),
    ("roles.pm_override", 0.0, 0.5),
    ("roles.conflicts_per_sprint", 0.1, 1.5),
    ("roles.churn_probability", 0.02, 0.06),
    ("team.capacity.cv", 0.1, 0.3),
    ("team.lanes", 2.0, 4.0),
    ("quality.defects_per_point", 0.15, 0.35),
    ("quality.escaped_multiplier", 5.0, 15.0),
    ("backlog.arrivals_per_sprint", 4.0, 8.0),
    ("backlog.value_sigma", 1.0, 2.0),
    ("market.drift_sigma", 0.05, 0.2),
    ("market.shock_rate", 0.04, 0.15),
];

/// Whether a key describes the world the team works in (the backlog's values, the market,
/// the release date, the simulation) rather than a lever the team or its roles control;
/// sensitivity charts show the two kinds apart.
pub fn is_world(key: &str) -> bool {
    ["backlog.", "market.", "release.", "simulation."]
        .iter()
        .any(|p| key.starts_with(p))
}

/// A range as read from `[sensitivity]`, or what is wrong with it.
type RangeOrError = std::result::Result<(f64, f64), String>;

fn range_leaf(v: &toml::Value) -> Option<RangeOrError> {
    let num = |v: &toml::Value| match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    };
    match v {
        toml::Value::Array(a) => Some(
            match (a.len(), a.first().and_then(num), a.get(1).and_then(num)) {
                (2, Some(l), Some(h)) => Ok((l, h)),
                _ => Err("must be [low, high] with two numbers".into()),
            },
        ),
        toml::Value::Table(t) if t.contains_key("low") || t.contains_key("high") => Some(
            match (
                t.get("low").and_then(num),
                t.get("high").and_then(num),
                t.len(),
            ) {
                (Some(l), Some(h), 2) => Ok((l, h)),
                _ => Err("must be { low = NUMBER, high = NUMBER }".into()),
            },
        ),
        toml::Value::Table(_) => None,
        _ => Some(Err("must be [low, high] or { low, high }".into())),
    }
}

fn flatten_ranges(prefix: &str, t: &toml::Table, out: &mut Vec<(String, RangeOrError)>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match range_leaf(v) {
            Some(r) => out.push((key, r)),
            None => flatten_ranges(&key, v.as_table().expect("tables recurse"), out),
        }
    }
}

/// The scenario's `[sensitivity]` overrides, checked (key, message) on error.
pub fn sensitivity_overrides(s: &Scenario) -> std::result::Result<Vec<Range>, (String, String)> {
    let mut flat = Vec::new();
    flatten_ranges("", &s.sensitivity, &mut flat);
    let mut out = Vec::new();
    for (key, r) in flat {
        let (low, high) = r.map_err(|m| (key.clone(), m))?;
        if let Err(e) = kind_of(s, &key) {
            return Err((key.clone(), format!("{e:#}")));
        }
        if !(low.is_finite() && high.is_finite()) || low > high {
            return Err((key, format!("needs finite low ≤ high, got [{low}, {high}]")));
        }
        out.push(Range { key, low, high });
    }
    Ok(out)
}

/// The ranges `backsim sensitivity` varies: the built-in table (keys the scenario has) with
/// the scenario's overrides applied and its extra keys appended. A range of zero width is
/// dropped (that is how a scenario switches a lever off).
pub fn sensitivity_ranges(s: &Scenario) -> Result<Vec<Range>> {
    let overrides =
        sensitivity_overrides(s).map_err(|(k, m)| input_error(format!("sensitivity.{k}: {m}")))?;
    let mut out: Vec<Range> = Vec::new();
    for (key, low, high) in DEFAULT_RANGES {
        if kind_of(s, key).is_ok() {
            out.push(Range {
                key: key.into(),
                low,
                high,
            });
        }
    }
    for o in overrides {
        match out.iter_mut().find(|r| r.key == o.key) {
            Some(r) => *r = o,
            None => out.push(o),
        }
    }
    out.retain(|r| r.high > r.low);
    Ok(out)
}

/// One `--param KEY=SPEC`: the key, its kind and its values in order.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    pub key: String,
    pub kind: Kind,
    pub values: Vec<f64>,
    /// (low, high) for Latin hypercube designs.
    pub low: f64,
    pub high: f64,
    /// Notes for the user (e.g. rounding of an integer key).
    pub notes: Vec<String>,
}

/// Most values one parameter may take in a grid.
pub const MAX_VALUES: usize = 200;

/// Parse `KEY=SPEC` against a scenario. SPEC: `1,2,4,8` (a list) or `LOW:HIGH:STEP` (a range,
/// both ends included: a step that does not divide the range ends with a shorter one on HIGH)
/// or `LOW:HIGH` (a range for Latin hypercube sampling; 5 points in a grid).
pub fn parse_param(s: &Scenario, arg: &str) -> Result<ParamSpec> {
    let accepted = "accepted: KEY=v1,v2,... (a list), KEY=LOW:HIGH:STEP (a range, both ends included) or KEY=LOW:HIGH";
    let Some((key, spec)) = arg.split_once('=') else {
        return Err(input_error(format!(
            "--param {arg:?}: expected KEY=SPEC; {accepted}"
        )));
    };
    let key = key.trim();
    let spec = spec.trim();
    let kind = kind_of(s, key).map_err(|e| input_error(format!("--param {e:#}")))?;
    let number = |t: &str| -> Result<f64> {
        t.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                input_error(format!(
                    "--param {key}={spec}: {:?} is not a number; {accepted}",
                    t.trim()
                ))
            })
    };
    let mut notes = Vec::new();
    let mut values = if spec.contains(':') {
        let parts: Vec<&str> = spec.split(':').collect();
        if parts.len() > 3 {
            return Err(input_error(format!(
                "--param {key}={spec}: a range has two or three parts; {accepted}"
            )));
        }
        let low = number(parts[0])?;
        let high = number(parts[1])?;
        if low > high {
            return Err(input_error(format!(
                "--param {key}={spec}: the range runs from {low} up to {high}: LOW must be ≤ HIGH"
            )));
        }
        let step = match parts.get(2) {
            Some(t) => number(t)?,
            None => (high - low) / 4.0,
        };
        if step <= 0.0 && high > low {
            return Err(input_error(format!(
                "--param {key}={spec}: the step must be > 0"
            )));
        }
        let n = if high > low {
            ((high - low) / step + 1e-9).floor() as usize + 1
        } else {
            1
        };
        if n > MAX_VALUES {
            return Err(input_error(format!(
                "--param {key}={spec}: {n} values; at most {MAX_VALUES} per parameter"
            )));
        }
        if kind == Kind::Integer && step.fract().abs() > 1e-9 {
            notes.push(format!(
                "{key} is an integer key and the step {step} is not integral: values are rounded"
            ));
        }
        let mut v = (0..n)
            .map(|i| {
                let v = low + step * i as f64;
                // Kill float drift: 0.1 * 3 → 0.3.
                let r: f64 = format!("{v:.10}").parse().unwrap_or(v);
                r.min(high)
            })
            .collect::<Vec<f64>>();
        // Both ends are always included: a step that does not divide the range ends on HIGH
        // (0:1:0.3 gives 0, 0.3, 0.6, 0.9, 1).
        if v.last()
            .is_some_and(|last| high - last > 1e-9 * high.abs().max(1.0))
        {
            if v.len() + 1 > MAX_VALUES {
                return Err(input_error(format!(
                    "--param {key}={spec}: {} values; at most {MAX_VALUES} per parameter",
                    v.len() + 1
                )));
            }
            notes.push(format!(
                "{key}={spec}: the step does not divide the range, so the last step is shorter (HIGH = {high} is included)"
            ));
            v.push(high);
        }
        v
    } else {
        let vals = spec.split(',').map(number).collect::<Result<Vec<f64>>>()?;
        if vals.len() > MAX_VALUES {
            return Err(input_error(format!(
                "--param {key}={spec}: {} values; at most {MAX_VALUES} per parameter",
                vals.len()
            )));
        }
        vals
    };
    if kind == Kind::Integer {
        if values.iter().any(|v| v.fract() != 0.0) {
            if notes.is_empty() {
                notes.push(format!(
                    "{key} is an integer key: values rounded to whole numbers"
                ));
            }
            for v in values.iter_mut() {
                *v = v.round();
            }
        }
        values.dedup();
    }
    // Every value must make a valid scenario: say which value and what is accepted.
    for &v in &values {
        set(s, key, v).map_err(|e| input_error(format!("--param {key}={spec}: {e:#}")))?;
    }
    let low = values.iter().cloned().fold(f64::INFINITY, f64::min);
    let high = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    Ok(ParamSpec {
        key: key.to_string(),
        kind,
        values,
        low,
        high,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_and_set_reach_nested_and_distribution_keys() {
        let s = Scenario::default();
        assert_eq!(get(&s, "pm.sync_interval").unwrap(), 1.0);
        assert_eq!(get(&s, "team.capacity.cv").unwrap(), 0.15);
        let t = set(&s, "team.capacity.cv", 0.3).unwrap();
        assert_eq!(get(&t, "team.capacity.cv").unwrap(), 0.3);
        let t = set(&s, "pm.sync_interval", 3.6).unwrap();
        assert_eq!(t.pm.sync_interval, 4);
        // Nothing else changed.
        let mut back = t.clone();
        back.pm.sync_interval = 1;
        assert_eq!(back, s);
    }

    #[test]
    fn bad_keys_and_values_are_named() {
        let s = Scenario::default();
        let e = format!("{:#}", set(&s, "pm.sync_intervl", 2.0).unwrap_err());
        assert!(
            e.contains("pm.sync_intervl") && e.contains("pm.sync_interval"),
            "{e}"
        );
        let e = format!("{:#}", set(&s, "po.strategy_share", 1.5).unwrap_err());
        assert!(
            e.contains("po.strategy_share") && e.contains("[0, 1]"),
            "{e}"
        );
        let e = format!("{:#}", parse_param(&s, "pm.sync_interval=1:x").unwrap_err());
        assert!(
            e.contains("\"x\" is not a number") && e.contains("accepted"),
            "{e}"
        );
        let e = format!("{:#}", parse_param(&s, "team=1,2").unwrap_err());
        assert!(e.contains("is a table"), "{e}");
    }

    #[test]
    fn specs_parse_lists_and_ranges() {
        let s = Scenario::default();
        let p = parse_param(&s, "po.strategy_share=0:0.6:0.1").unwrap();
        assert_eq!(p.values, vec![0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
        let p = parse_param(&s, "pm.sync_interval=1,2,4,8").unwrap();
        assert_eq!(p.values, vec![1.0, 2.0, 4.0, 8.0]);
        let p = parse_param(&s, "pm.sync_interval=1:4:1.5").unwrap();
        assert_eq!(p.values, vec![1.0, 3.0, 4.0]);
        assert!(!p.notes.is_empty());
        // Both ends included even when the step does not divide the range.
        let p = parse_param(&s, "po.myopia=0:1:0.3").unwrap();
        assert_eq!(p.values, vec![0.0, 0.3, 0.6, 0.9, 1.0]);
        assert!(p.notes.iter().any(|n| n.contains("HIGH = 1 is included")));
        let p = parse_param(&s, "po.myopia=0:0.6:0.3").unwrap();
        assert_eq!(p.values, vec![0.0, 0.3, 0.6]);
        assert!(p.notes.is_empty());
    }

    #[test]
    fn default_ranges_are_valid_on_every_preset() {
        for name in crate::scenario::presets::names() {
            let s = crate::scenario::load_scenario(name).unwrap();
            for r in sensitivity_ranges(&s).unwrap() {
                set(&s, &r.key, r.low).unwrap();
                set(&s, &r.key, r.high).unwrap();
            }
        }
    }
}
