//! The mechanisms of docs/model.md §13 through the engine: each test sets every coefficient
//! it relies on (the defaults may be recalibrated), plays traced runs, and recomputes what
//! the mechanism must give from the events with the section's equation, by hand.
//!
//! - 13.1 decision latency: every question's wait, from the PO's availability and the
//!   questions of the sprint before (exact).
//! - 13.5 conflicts: the number of conflicting directives a sprint (Poisson, 4.5 SE).
//! - 13.6 tech debt: the debt at every sprint's end, from the points released and the
//!   planning's pressure (exact).
//!
//! The others (13.2 short-termism, 13.3 unready pull, 13.4 churn, 13.7 scope recognition)
//! need the engine's private state and are pinned in `src/engine/sprint/tests.rs`,
//! `src/engine/sprint/planning.rs` and `src/model/compiled.rs`.

use crate::common::{preset, traced};
use backsim::engine::trace::{BlockCause, Event};
use backsim::model::item::ItemKind;

const Z: f64 = 4.5;

/// 13.1: latency = decision_latency_hours · e^(σz) / availability · 1/(1 − load), with
/// availability = clamp(support_share / full_support_share, min_availability, 1) and
/// load = min(0.9, questions of the last sprint × answer_hours / (PO hours · support_share)).
/// σ = 0, so every question of every sprint waits exactly this long.
#[test]
fn decision_latency_follows_availability_and_the_question_queue() {
    // (support share, availability by hand): below the floor, inside, above 1.
    let cases = [(0.035, 0.2), (0.14, 0.4), (0.5, 1.0)];
    let mut capped = 0;
    let mut uncapped = 0;
    for (support, availability) in cases {
        let mut s = preset("overloaded-po");
        s.simulation.warmup_sprints = 0;
        s.simulation.sprints = 12;
        s.po.decision_latency_hours = 2.0;
        s.po.decision_latency_sigma = 0.0;
        s.po.hours_per_sprint = 80.0;
        s.po.support_share = support;
        s.po.full_support_share = 0.35;
        s.po.min_availability = 0.2;
        s.po.answer_hours = 1.5;
        // The latency itself: no guessing (§13.1a) cuts the long waits short.
        s.team.guess_after_hours = 0.0;
        let support_hours = 80.0 * support;
        for run in 0..3 {
            let events = traced(&s, 7, run);
            let sprints = s.simulation.sprints as usize;
            let mut questions = vec![0u32; sprints];
            for e in &events {
                if let Event::Blocked {
                    sprint,
                    cause: BlockCause::Question,
                    ..
                } = e
                {
                    questions[*sprint as usize] += 1;
                }
            }
            assert!(
                questions.iter().sum::<u32>() > 20,
                "too few questions to check: {questions:?}"
            );
            for e in &events {
                let Event::Blocked {
                    sprint,
                    hours,
                    cause: BlockCause::Question,
                    ..
                } = *e
                else {
                    continue;
                };
                let last = if sprint == 0 {
                    0
                } else {
                    questions[sprint as usize - 1]
                };
                let load = last as f64 * 1.5 / support_hours;
                if load >= 0.9 {
                    capped += 1;
                } else if load > 0.0 {
                    uncapped += 1;
                }
                let want = 2.0 / availability / (1.0 - load.min(0.9));
                assert!(
                    (hours - want).abs() < 1e-9 * want,
                    "support {support}, run {run}, sprint {sprint}: waited {hours} h, \
                     want 2 h / {availability} / (1 − {load:.4}) = {want} h"
                );
            }
        }
    }
    // Both branches of the load were exercised.
    assert!(
        capped > 0 && uncapped > 0,
        "{capped} capped, {uncapped} not"
    );
}

/// 13.6: D' = max(0, D + a·F·(1 + k_p·pressure) − c·E·D/D_ref) at every sprint's end, with
/// F and E the feature and enabler points released in the sprint and pressure the planning's
/// over-commitment max(0, committed / commitment − 1).
#[test]
fn debt_moves_by_the_equation_every_sprint() {
    let (a, k_p, c, d_ref) = (0.12, 1.5, 0.3, 25.0);
    for (preset_name, reference) in [("blurred-roles", d_ref), ("aligned", 0.0)] {
        let mut s = preset(preset_name);
        s.simulation.warmup_sprints = 0;
        s.team.initial_debt = 15.0;
        s.team.debt_per_feature_point = a;
        s.team.debt_pressure_factor = k_p;
        s.team.debt_paid_per_enabler_point = if reference > 0.0 { c } else { 0.05 };
        s.team.debt_reference = reference;
        let mut pressured = 0;
        let mut paid = 0;
        for run in 0..3 {
            let events = traced(&s, 11, run);
            let mut debt = 15.0;
            let (mut f, mut e, mut pressure) = (0.0, 0.0, 0.0);
            let mut ends = 0;
            for ev in &events {
                match *ev {
                    Event::Planned {
                        commitment,
                        committed,
                        ..
                    } => {
                        pressure = if commitment > 0.0 {
                            (committed / commitment - 1.0).max(0.0)
                        } else {
                            0.0
                        };
                    }
                    Event::Released { kind, points, .. } => match kind {
                        ItemKind::Enabler => e += points,
                        ItemKind::Feature | ItemKind::Redo => f += points,
                        ItemKind::Bug => assert_eq!(points, 0.0),
                    },
                    Event::SprintEnd {
                        sprint, tech_debt, ..
                    } => {
                        let per_point = if reference > 0.0 {
                            c * debt / reference
                        } else {
                            0.05
                        };
                        let want = (debt + a * f * (1.0 + k_p * pressure) - per_point * e).max(0.0);
                        assert!(
                            (tech_debt - want).abs() < 1e-9 * want.max(1.0),
                            "{preset_name} run {run} sprint {sprint}: debt {tech_debt}, want \
                             {debt} + {a}·{f}·(1 + {k_p}·{pressure}) − {per_point}·{e} = {want}"
                        );
                        pressured += (pressure > 0.0 && f > 0.0) as u32;
                        paid += (e > 0.0) as u32;
                        debt = tech_debt;
                        (f, e) = (0.0, 0.0);
                        ends += 1;
                    }
                    _ => {}
                }
            }
            assert_eq!(ends, s.simulation.sprints);
        }
        assert!(
            pressured > 0 && paid > 0,
            "{preset_name}: {pressured} sprints under pressure, {paid} with enablers"
        );
    }
}

/// 13.5: λ = conflicts_per_sprint + k_o · pm_override + k_m · d. Without a PM d = 0; with
/// every conflict injecting work, the injected items a sprint are Poisson(λ).
#[test]
fn conflicts_arrive_at_the_rate_of_the_equation() {
    for (base, k_o, over) in [(0.2, 2.0, 0.4), (0.5, 0.0, 0.4), (0.0, 3.0, 0.1)] {
        let mut s = preset("aligned");
        s.pm.enabled = false;
        s.simulation.warmup_sprints = 0;
        s.roles.conflicts_per_sprint = base;
        s.roles.conflicts_per_override = k_o;
        s.roles.conflicts_per_misalignment = 1.0;
        s.roles.pm_override = over;
        s.roles.conflict_inject_share = 1.0;
        let lambda = base + k_o * over;
        let runs = 40;
        let mut injected = 0u64;
        let mut escalated = 0u64;
        for run in 0..runs {
            for e in traced(&s, 3, run) {
                match e {
                    Event::Injected { .. } => injected += 1,
                    Event::Blocked {
                        cause: BlockCause::Escalation,
                        ..
                    } => escalated += 1,
                    _ => {}
                }
            }
        }
        let sprints = (runs * s.simulation.sprints as u64) as f64;
        let mean = injected as f64 / sprints;
        let se = (lambda / sprints).sqrt();
        assert!(
            (mean - lambda).abs() < Z * se,
            "λ = {base} + {k_o}·{over} = {lambda}: {mean:.4} injected a sprint (SE {se:.4})"
        );
        assert_eq!(escalated, 0, "every conflict injects here");
    }
    // Escalations instead: each one blocks an item in progress for escalation_hours
    // (σ = 0), at the same rate.
    let mut s = preset("aligned");
    s.pm.enabled = false;
    s.simulation.warmup_sprints = 0;
    s.roles.conflicts_per_sprint = 1.0;
    s.roles.pm_override = 0.0;
    s.roles.conflict_inject_share = 0.0;
    s.roles.escalation_hours = 6.0;
    s.roles.escalation_sigma = 0.0;
    let mut escalated = 0;
    for run in 0..10 {
        for e in traced(&s, 4, run) {
            match e {
                Event::Injected { .. } => panic!("no conflict injects here"),
                Event::Blocked {
                    cause: BlockCause::Escalation,
                    hours,
                    ..
                } => {
                    escalated += 1;
                    assert!((hours - 6.0).abs() < 1e-9, "escalation of {hours} h");
                }
                _ => {}
            }
        }
    }
    assert!(escalated > 100, "{escalated} escalations");
}
