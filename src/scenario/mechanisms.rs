//! The mechanisms of the model as groups of scenario keys: the players of `backsim
//! attribute`. Each names the dotted keys (a key also covers every key below it:
//! `team.capacity` covers `team.capacity.cv`) that switch it between two scenarios, with a
//! line on what it means. [`MECHANISMS`] is the only declaration; any key two scenarios
//! differ in that no mechanism names falls into [`OTHER`], so an attribution always adds up.
//!
//! [`differences`] lists the keys two scenarios differ in, grouped by mechanism, and
//! [`variant`] builds the baseline with some groups' keys taken from the scenario, through
//! the scenario's TOML form like [`super::params::set`], re-validated.

use crate::error::input_error;
use crate::scenario::levers::{leaves, lookup, toml_table as table_of};
use crate::scenario::validate::{validate, Limits};
use crate::scenario::Scenario;
use anyhow::Result;

/// A named group of scenario keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mechanism {
    pub name: &'static str,
    pub keys: &'static [&'static str],
    pub meaning: &'static str,
}

/// The mechanisms, in the order reports list them: the switches of the role structure first
/// (disjoint in their keys and together covering
/// [`STRUCTURAL_KEYS`](super::structure::STRUCTURAL_KEYS), so switching every one
/// turns one archetype into another), then the coefficients the mechanisms share, then the
/// traits of the people (set by hand in a scenario, never by a preset). `docs/model.md`
/// gives each mechanism's equation.
pub const MECHANISMS: &[Mechanism] = &[
    Mechanism {
        name: "PM presence",
        keys: &[
            "pm.enabled",
            "po.solo_insight_sigma",
            "po.solo_strategy_interval",
            "po.solo_fidelity",
        ],
        meaning: "whether a PM owns strategy; without one the PO forms a noisier view of the market every few sprints and there is no PM–PO misalignment",
    },
    Mechanism {
        name: "hand-over",
        keys: &["pm.sync_interval", "pm.sync_fidelity"],
        meaning: "how often and how well the PM hands the roadmap to the PO: stale theme weights, scope the PO learns late, roadmap shocks, misalignment that raises churn, conflicts, ambiguity and wrong builds",
    },
    Mechanism {
        name: "PO strategic load",
        keys: &["po.strategy_share"],
        meaning: "the PO's share of time on strategy: effective myopia (fewer enablers, more debt) and less refinement time (unready work pulled in)",
    },
    Mechanism {
        name: "PO availability",
        keys: &[
            "po.support_share",
            "po.full_support_share",
            "po.min_availability",
            "po.hours_per_sprint",
        ],
        meaning: "the PO's time with the team: decision latency from availability and question load, and the refinement time left",
    },
    Mechanism {
        name: "PM override",
        keys: &["roles.pm_override", "pm.override_top"],
        meaning: "shared authority: the PM reorders the top of the PO's order, and conflicting directives rise with it",
    },
    Mechanism {
        name: "mechanism coefficients",
        keys: &[
            "po.myopia_per_strategy_share",
            "po.myopia_per_refinement_shortfall",
            "po.unready_per_buffer_shortfall",
            "roles.conflicts_per_override",
            "roles.conflicts_per_misalignment",
            "roles.churn_per_misalignment",
            "team.debt_paid_per_enabler_point",
            "team.debt_reference",
            "team.debt_pressure_factor",
            "team.guess_after_hours",
            "team.wrong_guess_per_ambiguity",
        ],
        meaning: "how strongly the structure turns into behaviour; shared by every preset, changed only by hand",
    },
    Mechanism {
        name: "person-level traits",
        keys: &[
            "po.value_skill",
            "po.belief_sigma",
            "po.myopia",
            "po.take_unready",
            "po.decision_latency_hours",
            "po.decision_latency_sigma",
            "po.refinement_hours",
            "po.answer_hours",
            "pm.insight_sigma",
            "roles.conflicts_per_sprint",
            "roles.churn_probability",
            "backlog.estimate_bias",
            "backlog.estimate_sigma",
            "backlog.estimate_sigma_per_ambiguity",
        ],
        meaning:
            "the people's own skill, speed, short-termism, churn and conflict rate, set by hand",
    },
];

/// The mechanisms that are switches of the role structure (the first five).
pub fn structural() -> &'static [Mechanism] {
    &MECHANISMS[..5]
}

/// The group of differing keys no mechanism names.
pub const OTHER: Mechanism = Mechanism {
    name: "other",
    keys: &[],
    meaning: "every other key the scenarios differ in",
};

/// Keys that name or measure a scenario rather than describe its system.
const NOT_COMPARED: [&str; 6] = [
    "name",
    "description",
    "extends",
    "simulation.runs",
    "simulation.seed",
    "sensitivity",
];

/// Whether mechanism key `m` covers scenario key `key`.
fn covers(m: &str, key: &str) -> bool {
    key == m
        || key
            .strip_prefix(m)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// The mechanism a key belongs to ([`OTHER`] when no mechanism names it).
pub fn mechanism_of(key: &str) -> &'static Mechanism {
    MECHANISMS
        .iter()
        .find(|m| m.keys.iter().any(|k| covers(k, key)))
        .unwrap_or(&OTHER)
}

/// A mechanism by name (case-insensitive), [`OTHER`] included.
pub fn find(name: &str) -> Option<&'static Mechanism> {
    MECHANISMS
        .iter()
        .chain(std::iter::once(&OTHER))
        .find(|m| m.name.eq_ignore_ascii_case(name))
}

/// The keys a mechanism switches between two scenarios.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub mechanism: &'static Mechanism,
    /// Dotted keys, sorted.
    pub keys: Vec<String>,
}

/// Every compared leaf of the scenario by dotted key (see [`NOT_COMPARED`]).
fn leaf_map(s: &Scenario) -> std::collections::BTreeMap<String, toml::Value> {
    let mut out = Vec::new();
    leaves("", &table_of(s), &mut out);
    let compared = |k: &str| {
        !NOT_COMPARED
            .iter()
            .any(|n| k == *n || k.strip_prefix(n).is_some_and(|r| r.starts_with('.')))
    };
    out.into_iter().filter(|(k, _)| compared(k)).collect()
}

/// The keys `scenario` and `baseline` differ in (present in one only counts), grouped by
/// mechanism in [`MECHANISMS`] order with [`OTHER`] last; groups without a difference are
/// left out.
pub fn differences(scenario: &Scenario, baseline: &Scenario) -> Vec<Difference> {
    let (a, b) = (leaf_map(scenario), leaf_map(baseline));
    let mut keys: Vec<&String> = a
        .iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .chain(b.keys().filter(|k| !a.contains_key(*k)))
        .collect();
    keys.sort();
    keys.dedup();
    MECHANISMS
        .iter()
        .chain(std::iter::once(&OTHER))
        .filter_map(|m| {
            let mine: Vec<String> = keys
                .iter()
                .filter(|k| mechanism_of(k).name == m.name)
                .map(|k| (*k).clone())
                .collect();
            (!mine.is_empty()).then_some(Difference {
                mechanism: m,
                keys: mine,
            })
        })
        .collect()
}

/// Put `value` at `key` (None: remove it), creating tables on the way.
fn put(t: &mut toml::Table, key: &str, value: Option<&toml::Value>) {
    let parts: Vec<&str> = key.split('.').collect();
    let mut cur = t;
    for p in &parts[..parts.len() - 1] {
        let next = cur
            .entry(p.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !next.is_table() {
            *next = toml::Value::Table(toml::Table::new());
        }
        cur = next.as_table_mut().expect("made a table above");
    }
    let leaf = parts[parts.len() - 1];
    match value {
        Some(v) => {
            cur.insert(leaf.to_string(), v.clone());
        }
        None => {
            cur.remove(leaf);
        }
    }
}

/// `baseline` with every key of `keys` taken from `scenario` (named `name`), re-validated
/// (with the large limits: both ends were valid, a mix is checked for consistency).
pub fn variant(
    baseline: &Scenario,
    scenario: &Scenario,
    keys: &[&str],
    name: &str,
) -> Result<Scenario> {
    let from = table_of(scenario);
    let mut t = table_of(baseline);
    for k in keys {
        put(&mut t, k, lookup(&from, k));
    }
    let mut s: Scenario = toml::Value::Table(t)
        .try_into()
        .map_err(|e: toml::de::Error| {
            input_error(format!(
                "{name}: {} with {} from {} is not a scenario: {}",
                baseline.name,
                keys.join(", "),
                scenario.name,
                e.message()
            ))
        })?;
    s.name = name.to_string();
    if let Some(p) = validate(&s, &Limits::large()).first() {
        return Err(input_error(format!(
            "{name}: {} with {} from {} is not a valid scenario: {} {} \
             (put these keys in one mechanism)",
            baseline.name,
            keys.join(", "),
            scenario.name,
            p.path.join("."),
            p.message
        )));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load::load_scenario;
    use crate::scenario::structure::STRUCTURAL_KEYS;

    #[test]
    fn every_key_in_at_most_one_mechanism_and_every_key_exists() {
        let s = Scenario::default();
        let leaves = leaf_map(&s);
        let mut seen = Vec::new();
        for m in MECHANISMS {
            assert!(!m.keys.is_empty() && !m.meaning.is_empty(), "{}", m.name);
            for k in m.keys {
                assert!(!seen.contains(k), "{k} is in two mechanisms");
                seen.push(*k);
                assert!(
                    leaves.keys().any(|l| covers(k, l)),
                    "{}: {k} is not a scenario key",
                    m.name
                );
            }
        }
        assert!(find("other").is_some() && find("Hand-Over").is_some());
    }

    #[test]
    fn presets_differ_from_aligned_in_named_mechanisms() {
        let aligned = load_scenario("aligned").unwrap();
        for p in ["siloed-pm", "overloaded-po", "blurred-roles"] {
            let s = load_scenario(p).unwrap();
            let d = differences(&s, &aligned);
            assert!(!d.is_empty(), "{p}");
            // Identity: none; swapped: the same keys.
            assert!(differences(&s, &s).is_empty());
            let back = differences(&aligned, &s);
            assert_eq!(
                back.iter().map(|x| &x.keys).collect::<Vec<_>>(),
                d.iter().map(|x| &x.keys).collect::<Vec<_>>()
            );
            // Every differing key taken over gives the scenario back (but its name).
            let all: Vec<&str> = d
                .iter()
                .flat_map(|x| x.keys.iter().map(|k| k.as_str()))
                .collect();
            let mut v = variant(&aligned, &s, &all, p).unwrap();
            v.description = s.description.clone();
            v.simulation.runs = s.simulation.runs;
            v.simulation.seed = s.simulation.seed;
            assert_eq!(v, s, "{p}");
        }
        let siloed = load_scenario("siloed-pm").unwrap();
        let d = differences(&siloed, &aligned);
        assert_eq!(d[0].mechanism.name, "hand-over");
        assert_eq!(d[0].keys, ["pm.sync_fidelity", "pm.sync_interval"]);
        // Same people: a preset differs from aligned only in structural switches.
        for p in ["siloed-pm", "overloaded-po", "blurred-roles"] {
            let s = load_scenario(p).unwrap();
            for x in differences(&s, &aligned) {
                assert!(
                    structural().iter().any(|m| m.name == x.mechanism.name),
                    "{p}: {} differs in {:?}",
                    x.mechanism.name,
                    x.keys
                );
            }
        }
    }

    #[test]
    fn structural_switches_are_disjoint_and_cover_the_structure() {
        let mut named: Vec<&str> = structural()
            .iter()
            .flat_map(|m| m.keys.iter().copied())
            .filter(|k| STRUCTURAL_KEYS.contains(k))
            .collect();
        named.sort();
        let mut structural_keys = STRUCTURAL_KEYS.to_vec();
        structural_keys.sort();
        assert_eq!(named, structural_keys);
        for m in structural() {
            assert!(
                m.keys.iter().any(|k| STRUCTURAL_KEYS.contains(k)),
                "{} switches no structural key",
                m.name
            );
        }
        for m in &MECHANISMS[5..] {
            assert!(
                m.keys.iter().all(|k| !STRUCTURAL_KEYS.contains(k)),
                "{} holds a structural key",
                m.name
            );
        }
    }

    #[test]
    fn unnamed_keys_fall_into_other() {
        let a = Scenario::default();
        let mut b = a.clone();
        b.team.lanes = 1;
        b.name = "x".into();
        b.simulation.runs = 7;
        let d = differences(&b, &a);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].mechanism.name, "other");
        assert_eq!(d[0].keys, ["team.lanes"]);
        let v = variant(&a, &b, &["team.lanes"], "v").unwrap();
        assert_eq!(v.team.lanes, 1);
        assert_eq!(v.name, "v");
    }
}
