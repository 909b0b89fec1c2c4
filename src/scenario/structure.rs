//! What an archetype is made of: the structural keys a preset may set, the calibrated range
//! of each mechanism's levers, and the warnings for silent traps. The mechanisms themselves,
//! with the keys that switch them, are declared once in [`super::mechanisms::MECHANISMS`].
//!
//! An archetype is an organisation chart and a calendar, not a worse team: the presets differ
//! from `aligned` only in [`STRUCTURAL_KEYS`]; every person-level trait comes from the
//! defaults (tested below). Each mechanism's coefficients are shared by every scenario.
//! `docs/model.md` gives each mechanism's equation, parameter and source.

use super::Scenario;

/// PO hours a sprint the arrivals need for refinement: each new item is refined about once
/// at refinement_hours × (1 + mean ambiguity).
pub fn refinement_need_hours(s: &Scenario) -> f64 {
    let b = &s.backlog;
    b.arrivals_per_sprint * s.po.refinement_hours * (1.0 + b.ambiguity.mean().clamp(0.0, 1.0))
}

/// PO hours a sprint left for refinement after strategy and team support.
pub fn refinement_hours(s: &Scenario) -> f64 {
    s.po.hours_per_sprint * (1.0 - s.po.strategy_share - s.po.support_share).max(0.0)
}

/// max(0, 1 − refinement hours / refinement need): 0 when the PO can refine what arrives.
pub fn refinement_shortfall(s: &Scenario) -> f64 {
    let need = refinement_need_hours(s);
    if need <= 0.0 {
        return 0.0;
    }
    (1.0 - refinement_hours(s) / need).clamp(0.0, 1.0)
}

/// A lever's calibrated range: inside it the mechanism's equation was set and checked against
/// the evidence (docs/model.md, "Mechanisms"); outside it the model extrapolates.
pub const CALIBRATED: &[(&str, f64, f64, &str)] = &[
    ("pm.sync_interval", 1.0, 8.0, "roadmap hand-over"),
    ("pm.sync_fidelity", 0.4, 1.0, "roadmap hand-over"),
    (
        "po.strategy_share",
        0.0,
        0.6,
        "effective myopia (strategic load)",
    ),
    (
        "po.support_share",
        0.1,
        0.45,
        "decision latency (PO availability and question queue)",
    ),
    (
        "roles.pm_override",
        0.0,
        0.6,
        "conflicts from shared authority",
    ),
    ("po.myopia_per_strategy_share", 0.0, 1.0, "effective myopia"),
    (
        "po.myopia_per_refinement_shortfall",
        0.0,
        1.0,
        "effective myopia",
    ),
    (
        "po.unready_per_buffer_shortfall",
        0.0,
        1.0,
        "unready work pulled in",
    ),
    (
        "roles.churn_per_misalignment",
        0.0,
        8.0,
        "requirement churn from misalignment",
    ),
    (
        "roles.conflicts_per_override",
        0.0,
        4.0,
        "conflicts from shared authority",
    ),
    (
        "roles.conflicts_per_misalignment",
        0.0,
        2.0,
        "conflicts from misalignment",
    ),
    ("team.debt_pressure_factor", 0.0, 2.0, "tech debt"),
];

/// Silent traps in a scenario, as sentences a newcomer can act on: a PO time split that leaves
/// refinement too little time for the arrivals, and levers outside their calibrated range.
/// They do not stop a run.
pub fn warnings(s: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    if s.simulation.model != super::ModelKind::Roles {
        return out;
    }
    let need = refinement_need_hours(s);
    let have = refinement_hours(s);
    if need > 0.0 && have < need {
        out.push(format!(
            "{}: the PO's time split (strategy {}, support {}) leaves {:.0} h a sprint for refinement; {} arrivals a sprint need about {:.0} h (shortfall {:.0} %), so unready work is pulled in and myopia rises. Lower po.strategy_share or po.support_share unless that is the point.",
            s.name,
            crate::format::fmt_num(s.po.strategy_share),
            crate::format::fmt_num(s.po.support_share),
            have,
            crate::format::fmt_num(s.backlog.arrivals_per_sprint),
            need,
            100.0 * refinement_shortfall(s)
        ));
    }
    for &(key, low, high, mechanism) in CALIBRATED {
        let Ok(v) = super::params::get(s, key) else {
            continue;
        };
        if key.starts_with("pm.") && !s.pm.enabled {
            continue;
        }
        if v < low || v > high {
            out.push(format!(
                "{}: {key} = {} is outside {}–{}, the range where the {mechanism} mechanism was calibrated; results there are extrapolation (docs/model.md, \"Mechanisms\").",
                s.name,
                crate::format::fmt_num(v),
                crate::format::fmt_num(low),
                crate::format::fmt_num(high)
            ));
        }
    }
    out
}

/// The keys that describe the role structure (who does what, how often they talk, who
/// decides). Presets set only these.
pub const STRUCTURAL_KEYS: &[&str] = &[
    "pm.enabled",
    "pm.sync_interval",
    "pm.sync_fidelity",
    "po.strategy_share",
    "po.support_share",
    "roles.pm_override",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::presets::{text, ARCHETYPES};

    /// Same people, different structures: an archetype preset sets its name, description
    /// and structural keys, nothing else.
    #[test]
    fn presets_set_only_structural_keys() {
        for name in ARCHETYPES {
            let table: toml::Table = text(name).unwrap().parse().unwrap();
            let mut keys = Vec::new();
            crate::scenario::levers::leaves("", &table, &mut keys);
            for (k, _) in keys {
                assert!(
                    ["name", "description", "extends"].contains(&k.as_str())
                        || STRUCTURAL_KEYS.contains(&k.as_str()),
                    "preset {name} sets {k}, which is not a structural key"
                );
            }
            // And every person-level trait is the default's.
            let s = crate::scenario::load_scenario(name).unwrap();
            let d = crate::scenario::Scenario::default();
            assert_eq!(s.team, d.team, "{name}");
            assert_eq!(s.backlog, d.backlog, "{name}");
            assert_eq!(s.quality, d.quality, "{name}");
            let po = crate::scenario::Po {
                strategy_share: d.po.strategy_share,
                support_share: d.po.support_share,
                ..s.po.clone()
            };
            assert_eq!(po, d.po, "{name}");
            let roles = crate::scenario::Roles {
                pm_override: d.roles.pm_override,
                ..s.roles.clone()
            };
            assert_eq!(roles, d.roles, "{name}");
        }
    }

    #[test]
    fn warnings_name_the_refinement_trap_and_uncalibrated_levers() {
        let aligned = crate::scenario::load_scenario("aligned").unwrap();
        assert!(warnings(&aligned).is_empty(), "{:?}", warnings(&aligned));
        let mut s = aligned.clone();
        s.po.support_share = 0.4;
        s.po.strategy_share = 0.55;
        let w = warnings(&s);
        assert!(w.iter().any(|m| m.contains("refinement")), "{w:?}");
        s.po.strategy_share = 0.15;
        s.roles.pm_override = 0.9;
        let w = warnings(&s);
        assert!(
            w.iter().any(|m| m.contains("roles.pm_override = 0.9")),
            "{w:?}"
        );
    }
}
