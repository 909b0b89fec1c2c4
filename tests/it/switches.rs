//! The engine's mechanism switches (`scenario::mask`, the players of `backsim attribute --by
//! mechanism`) through the engine alone: each switch, off, removes exactly its mechanism —
//! the coefficients it zeroes in the compiled model and nothing else, or the engine step it
//! bypasses — pinned against the value by hand. `attribute_mechanism.rs` checks the same
//! switches through whole attributions.

use crate::common::{preset, traced};
use backsim::engine::trace::{BlockCause, Event};
use backsim::model::compiled::{effective_myopia, Model};
use backsim::scenario::mask::{self, MechanismMask, ENGINE_MECHANISMS};
use backsim::scenario::Scenario;

fn with_mask(s: &Scenario, mask: MechanismMask) -> Scenario {
    let mut s = s.clone();
    s.mechanisms = mask;
    s
}

fn all_but(i: usize) -> MechanismMask {
    MechanismMask(MechanismMask::ALL.0 & !(1 << i))
}

/// Bit i is mechanism i: every single-bit mask has exactly its own mechanism on, and a
/// subset of players maps each set bit j to the mechanism `players[j]`.
#[test]
fn a_mask_is_one_bit_per_mechanism() {
    for i in 0..ENGINE_MECHANISMS.len() {
        let only = MechanismMask(1 << i);
        let but = all_but(i);
        for j in 0..ENGINE_MECHANISMS.len() {
            assert_eq!(only.on(j), i == j, "mask {:08b}, mechanism {j}", only.0);
            assert_eq!(but.on(j), i != j, "mask {:08b}, mechanism {j}", but.0);
        }
        assert!(!only.is_all() && !but.is_all());
        assert!(MechanismMask::ALL.on(i) && !MechanismMask::NONE.on(i));
    }
    assert!(MechanismMask::ALL.is_all() && !MechanismMask::NONE.is_all());
    let players = [mask::OVERRIDE, mask::LATENCY, mask::DEBT];
    let bits = |subset| MechanismMask::of_subset(&players, subset).0;
    assert_eq!(bits(0b000), 0);
    assert_eq!(bits(0b001), 1 << mask::OVERRIDE);
    assert_eq!(bits(0b010), 1 << mask::LATENCY);
    assert_eq!(bits(0b101), 1 << mask::OVERRIDE | 1 << mask::DEBT);
    assert_eq!(
        bits(0b111),
        1 << mask::OVERRIDE | 1 << mask::LATENCY | 1 << mask::DEBT
    );
}

/// A scenario where every coefficient a switch can zero is non-zero, the PO's availability
/// is below 1 and its strategic load and refinement shortfall raise myopia.
fn loaded() -> Scenario {
    let mut s = preset("overloaded-po");
    s.pm.enabled = true;
    s.po.myopia_per_strategy_share = 0.4;
    s.po.myopia_per_refinement_shortfall = 0.3;
    s.po.unready_per_buffer_shortfall = 0.5;
    s.roles.churn_per_misalignment = 2.0;
    s.roles.misalignment_ambiguity = 0.2;
    s.pm.shock_unready_probability = 0.3;
    s.pm.shock_drop_probability = 0.1;
    s.quality.wrong_build_ambiguity = 0.25;
    s.roles.conflicts_per_override = 0.5;
    s.roles.conflicts_per_misalignment = 0.6;
    s.team.debt_per_feature_point = 0.1;
    s.team.debt_paid_per_enabler_point = 0.2;
    s.po.support_share = 0.1;
    s.po.full_support_share = 0.35;
    s.po.min_availability = 0.2;
    s
}

/// The compiled model with mechanism i off is the scenario with exactly i's coefficients
/// zeroed (docs/model.md §11b), its availability 1 for decision latency and the scenario's
/// own otherwise; every mechanism on compiles the scenario as it is.
#[test]
fn each_switch_zeroes_exactly_its_coefficients_in_the_compiled_model() {
    let s = loaded();
    let on = Model::new(&s);
    assert_eq!(on.scenario, s, "every mechanism on: the scenario unchanged");
    assert_eq!(on.mask, MechanismMask::ALL);
    // 0.1 / 0.35 inside [0.2, 1].
    assert!((on.availability - 0.1 / 0.35).abs() < 1e-15);
    let zeroed = |i: usize, e: &mut Scenario| match i {
        mask::MYOPIA => {
            e.po.myopia_per_strategy_share = 0.0;
            e.po.myopia_per_refinement_shortfall = 0.0;
        }
        mask::UNREADY => e.po.unready_per_buffer_shortfall = 0.0,
        mask::CHURN_CONFLICTS => {
            e.roles.churn_per_misalignment = 0.0;
            e.roles.misalignment_ambiguity = 0.0;
            e.pm.shock_unready_probability = 0.0;
            e.pm.shock_drop_probability = 0.0;
            e.quality.wrong_build_ambiguity = 0.0;
            e.roles.conflicts_per_override = 0.0;
            e.roles.conflicts_per_misalignment = 0.0;
        }
        mask::DEBT => {
            e.team.debt_per_feature_point = 0.0;
            e.team.debt_paid_per_enabler_point = 0.0;
        }
        // Read by the engine, not a coefficient.
        _ => {}
    };
    for (i, mechanism) in ENGINE_MECHANISMS.iter().enumerate() {
        let m = Model::new(&with_mask(&s, all_but(i)));
        let mut want = with_mask(&s, all_but(i));
        zeroed(i, &mut want);
        assert_eq!(
            m.scenario, want,
            "{} off: the compiled scenario",
            mechanism.name
        );
        assert_eq!(m.mask, all_but(i));
        let availability = if i == mask::LATENCY {
            1.0
        } else {
            on.availability
        };
        assert_eq!(m.availability, availability, "{}", mechanism.name);
        // Short-termism off: the base myopia m₀ (the PO's strategy share and shortfall
        // no longer raise it).
        let myopia = if i == mask::MYOPIA {
            s.po.myopia
        } else {
            on.myopia
        };
        assert_eq!(m.myopia, myopia, "{}", mechanism.name);
    }
    assert!(on.myopia > s.po.myopia + 0.01, "myopia {}", on.myopia);
    assert_eq!(on.myopia, effective_myopia(&s.po, on.refinement_shortfall));
    // Every mechanism off: all the coefficients at once.
    let none = Model::new(&with_mask(&s, MechanismMask::NONE));
    let mut want = with_mask(&s, MechanismMask::NONE);
    for i in 0..ENGINE_MECHANISMS.len() {
        zeroed(i, &mut want);
    }
    assert_eq!(none.scenario, want);
    assert_eq!(none.availability, 1.0);
    // The oracle plays every mechanism, whatever the mask.
    assert_eq!(
        Model::oracle(&with_mask(&s, MechanismMask::NONE)).mask,
        MechanismMask::ALL
    );
}

/// Decision latency off: every question waits the base latency (σ = 0: exactly 2 h), however
/// little time the PO has and however many questions queue; on, the same questions wait
/// 2 h / availability / (1 − load) ≥ 2 h / 0.4 (`mechanisms.rs` checks that equation).
#[test]
fn latency_off_every_question_waits_the_base_latency() {
    let mut s = preset("overloaded-po");
    s.simulation.warmup_sprints = 0;
    s.simulation.sprints = 12;
    s.po.decision_latency_hours = 2.0;
    s.po.decision_latency_sigma = 0.0;
    s.po.support_share = 0.14;
    s.po.full_support_share = 0.35;
    s.po.min_availability = 0.2;
    s.team.guess_after_hours = 0.0;
    for (mask, least) in [(all_but(mask::LATENCY), 2.0), (MechanismMask::ALL, 5.0)] {
        let mut questions = 0;
        for run in 0..3 {
            for e in traced(&with_mask(&s, mask), 7, run) {
                if let Event::Blocked {
                    hours,
                    cause: BlockCause::Question,
                    ..
                } = e
                {
                    questions += 1;
                    if least == 2.0 {
                        assert_eq!(hours, 2.0, "latency off: the base latency");
                    } else {
                        assert!(hours >= least * (1.0 - 1e-12), "{hours} h");
                    }
                }
            }
        }
        assert!(questions > 20, "{questions} questions");
    }
}

/// The PM override: on, the PM reorders the top of the order in a share `pm_override` of
/// sprints (a Bernoulli draw each sprint); off, never — not even with a PM who overrides.
#[test]
fn the_override_acts_in_its_share_of_sprints_and_never_when_off() {
    let mut s = preset("blurred-roles");
    s.roles.pm_override = 0.3;
    let (mut overrides, mut n) = (0u32, 0u32);
    for run in 0..20 {
        let events = traced(&s, 13, run);
        let count = |f: fn(&Event) -> bool| events.iter().filter(|e| f(e)).count() as u32;
        overrides += count(|e| matches!(e, Event::Override { .. }));
        n += count(|e| matches!(e, Event::SprintEnd { .. }));
        let off = traced(&with_mask(&s, all_but(mask::OVERRIDE)), 13, run);
        assert!(
            !off.iter().any(|e| matches!(e, Event::Override { .. })),
            "an override with the override off"
        );
    }
    let (p, got) = (0.3, overrides as f64 / n as f64);
    let se = (p * (1.0 - p) / n as f64).sqrt();
    assert!(
        (got - p).abs() < 4.5 * se,
        "{overrides} overrides in {n} sprints = {got:.4}, want {p} (SE {se:.4})"
    );
}

/// The theme ranking's moves, sprint by sprint (the distance of every view change).
fn view_moves(events: &[Event]) -> Vec<(u32, u64)> {
    events
        .iter()
        .filter_map(|e| match *e {
            Event::Handover {
                sprint, distance, ..
            } => Some((sprint, distance.to_bits())),
            _ => None,
        })
        .collect()
}

/// Stale roadmap off: the PO has the view a PM has this sprint, every sprint. With a PM,
/// that is the PM's view, so the PO's ranking never strays from the PM's: no requirement
/// churn from misalignment, no conflicts from it, whatever the hand-over calendar. Without
/// a PM, it is the view a PM would have had — the same market through the same misreading —
/// so the solo PO's view moves exactly as a PM-led PO's does, sprint by sprint.
#[test]
fn stale_roadmap_off_the_po_has_the_pms_current_view_every_sprint() {
    let mut solo = preset("overloaded-po");
    solo.simulation.warmup_sprints = 0;
    solo.po.solo_strategy_interval = 4;
    solo.po.solo_insight_sigma = 0.6;
    solo.pm.insight_sigma = 0.3;
    let mut led = solo.clone();
    led.pm.enabled = true;
    led.pm.sync_interval = 5;
    led.pm.sync_fidelity = 0.5;
    let fresh = all_but(mask::STALE_ROADMAP);
    let sprints = solo.simulation.sprints;
    for run in 0..4 {
        let a = view_moves(&traced(&with_mask(&solo, fresh), 3, run));
        let b = view_moves(&traced(&with_mask(&led, fresh), 3, run));
        // The view is reviewed every sprint but the first.
        assert_eq!(a.len() as u32, sprints - 1, "run {run}: {a:?}");
        assert_eq!(a, b, "run {run}: solo and PM-led fresh views move alike");
        // The market moves the ranking now and then, not never and not every sprint.
        let moved = a.iter().filter(|&&(_, d)| f64::from_bits(d) > 0.0).count();
        assert!(moved > 0 && moved < a.len(), "run {run}: {moved} moves");
        // Stale (every mechanism on): the solo PO reviews its view every 4 sprints only,
        // each time with its own noise.
        let stale = view_moves(&traced(&solo, 3, run));
        assert!(stale.iter().all(|&(s, _)| s % 4 == 0), "{stale:?}");
        assert_ne!(stale, a);
    }
}
