//! A scenario compiled for the engine: samplers built once, derived constants, and the oracle.

use crate::scenario::mask::{self, MechanismMask};
use crate::scenario::structure::refinement_shortfall;
use crate::scenario::{Sampler, Scenario};
use crate::stats::special::normal_cdf;

/// Everything the engine needs from a scenario, ready to use in the hot loop.
#[derive(Debug, Clone)]
pub struct Model {
    pub scenario: Scenario,
    pub capacity: Sampler,
    pub size: Sampler,
    /// The one item size of a throughput forecast (NaN when sizes vary).
    pub item_size: f64,
    pub ambiguity: Sampler,
    /// Throughput model: items added to the scope per sprint (none without scope growth).
    pub scope_growth: Option<Sampler>,
    /// Standard deviation of true value over the item population (scales perception noise).
    pub value_sd: f64,
    /// Working hours in a sprint.
    pub sprint_hours: f64,
    /// PO availability to the team, in [min_availability, 1].
    pub availability: f64,
    /// Fidelity of the PM→PO roadmap hand-over (or the solo PO's, without a PM).
    pub fidelity: f64,
    /// Share of the refinement the arrivals need that the PO's refinement hours cannot give
    /// (see [`refinement_shortfall`]).
    pub refinement_shortfall: f64,
    /// Effective myopia: base + per strategy share + per refinement shortfall, ≤ 0.95.
    pub myopia: f64,
    /// Estimates equal true sizes (the oracle).
    pub exact_estimates: bool,
    /// Every item counts as ready (the oracle).
    pub all_ready: bool,
    /// Warm-up sprints played before the reported ones (0 for a throughput forecast).
    pub warmup: u32,
    /// Mean capacity, for the first commitment.
    pub mean_capacity: f64,
    /// The size at which an item raises the reference model's Poisson(base + per_ambiguity·a)
    /// questions: the mean of `backlog.size` (an item of twice that size raises twice as many
    /// on average; docs/model.md §3.4). Never 0.
    pub question_size: f64,
    /// ln `backlog.estimate_bias`, the mean of an item's log estimate ratio (computed once,
    /// not for every world item: the same bits).
    pub ln_estimate_bias: f64,
    /// What defines the world (market, items, horizon): models with equal keys share one
    /// generated world per replication.
    pub world_key: std::sync::Arc<str>,
    /// The engine mechanisms on ([`MechanismMask::ALL`] but in `backsim attribute`). Those
    /// off whose switch is a coefficient are already applied to `scenario` (see
    /// [`apply_mask`]); the engine reads the others once a sprint.
    pub mask: MechanismMask,
}

impl Model {
    /// Compile a validated scenario.
    pub fn new(scenario: &Scenario) -> Model {
        let mut s = scenario.clone();
        let mask = s.mechanisms;
        apply_mask(&mut s, mask);
        let b = &s.backlog;
        let po = &s.po;
        let availability = if mask.on(mask::LATENCY) {
            (po.support_share / po.full_support_share).clamp(po.min_availability, 1.0)
        } else {
            1.0
        };
        let fidelity = if s.pm.enabled {
            s.pm.sync_fidelity
        } else {
            po.solo_fidelity
        };
        let refinement_shortfall = refinement_shortfall(&s);
        let myopia = effective_myopia(po, refinement_shortfall);
        Model {
            refinement_shortfall,
            myopia,
            capacity: s.team.capacity.sampler(),
            size: b.size.sampler(),
            item_size: match b.size {
                crate::scenario::Dist::Constant { value } => value,
                _ => f64::NAN,
            },
            ambiguity: b.ambiguity.sampler(),
            scope_growth: b.scope_growth.as_ref().map(|d| d.sampler()),
            value_sd: value_sd(scenario),
            sprint_hours: s.sprint_hours(),
            availability,
            fidelity,
            exact_estimates: false,
            all_ready: false,
            mean_capacity: s.team.capacity.mean().max(0.0),
            question_size: question_size(&b.size, b.max_size),
            ln_estimate_bias: b.estimate_bias.ln(),
            warmup: match s.simulation.model {
                crate::scenario::ModelKind::Roles => s.simulation.warmup_sprints,
                crate::scenario::ModelKind::Throughput => 0,
            },
            world_key: world_key(scenario).into(),
            mask,
            scenario: s,
        }
    }

    /// The PO's (or the PM's) perceived value of an item of true value A: a Gaussian copula.
    /// A's normal score z_A = Φ⁻¹(F(A)) under the world's value distribution F of its kind
    /// (negative, zero and positive classes, lognormal magnitudes), mixed with the belief's
    /// normal score z_B = ln B / σ_B: z_P = ρ·z_A + √(1 − ρ²)·z_B, and P on the value
    /// scale of the positive feature magnitudes (P = e^(σ_v·z_P); an enabler ranked among
    /// enablers looks like a feature of that rank, as a belief knows no kind): every idea
    /// looks somewhat valuable. ρ = `po.value_skill` is the correlation of the normal scores,
    /// so the rank agreement of P with A is Kendall τ = (2/π)·arcsin ρ. ρ = 1 sees the truth,
    /// sign included; without belief noise (σ_B = 0) every ρ keeps the true order.
    #[inline]
    pub fn perceive(&self, value: f64, enabler: bool, belief: f64) -> f64 {
        if self.scenario.po.value_skill >= 1.0 {
            return value;
        }
        self.perceive_scores(
            value,
            self.value_score(value, enabler),
            self.belief_score(belief),
        )
    }

    /// [`Model::perceive`] from the value's normal score z_A ([`Model::value_score`]) and the
    /// belief's z_B ([`Model::belief_score`]). Both depend on the world's parameters only, so
    /// a world item carries them and each scenario only mixes them with its own ρ.
    #[inline]
    pub fn perceive_scores(&self, value: f64, z_a: f64, z_b: f64) -> f64 {
        let rho = self.scenario.po.value_skill;
        if rho >= 1.0 {
            return value;
        }
        let z_p = rho.max(0.0) * z_a + (1.0 - rho.max(0.0).powi(2)).sqrt() * z_b;
        // Every idea looks somewhat valuable: short of the truth, the perceived value is
        // on the positive (lognormal) scale of the magnitudes.
        (self.scenario.backlog.value_sigma * z_p).exp()
    }

    /// z_A = Φ⁻¹(F(A)), the normal score of true value A under the world's value distribution
    /// of its kind.
    pub fn value_score(&self, value: f64, enabler: bool) -> f64 {
        let scale = if enabler {
            self.scenario.backlog.enabler_value_factor
        } else {
            1.0
        };
        inverse_normal_clamped(self.value_cdf(value, scale))
    }

    /// z_B = ln B / σ_B, the normal score of a belief (0 without belief noise).
    pub fn belief_score(&self, belief: f64) -> f64 {
        let sigma_b = self.scenario.po.belief_sigma;
        if sigma_b > 0.0 {
            belief.ln() / sigma_b
        } else {
            0.0
        }
    }

    /// F(A) for an item whose magnitude is scaled by `scale`; the zero class (and every
    /// value when the scale is 0) sits at the middle of its mass.
    fn value_cdf(&self, value: f64, scale: f64) -> f64 {
        let b = &self.scenario.backlog;
        let (p_pos, p_zero) = (b.positive_value_share, b.zero_value_share);
        let p_neg = (1.0 - p_pos - p_zero).max(0.0);
        let z = |m: f64| {
            if b.value_sigma > 0.0 {
                (m / scale).ln() / b.value_sigma
            } else {
                0.0
            }
        };
        if value > 0.0 && scale > 0.0 {
            p_neg + p_zero + p_pos * normal_cdf(z(value))
        } else if value < 0.0 && scale > 0.0 && b.negative_value_factor > 0.0 {
            p_neg * (1.0 - normal_cdf(z(-value / b.negative_value_factor)))
        } else {
            p_neg + p_zero / 2.0
        }
    }

    /// The oracle: the same world (items, market, capacity, risks) with perfect information
    /// and no friction: true values, true weights and true sizes, no questions, churn,
    /// conflicts, defects, wrong builds, roadmap shocks or debt drag.
    pub fn oracle(scenario: &Scenario) -> Model {
        use crate::scenario::{Pm, Po, Quality, Roles};
        // Everything that is not the world is set to one canonical value, so that scenarios
        // that share a world share one oracle run.
        let mut s = scenario.clone();
        s.mechanisms = MechanismMask::ALL;
        s.name = "oracle".into();
        s.description = String::new();
        s.extends = None;
        s.simulation.runs = 0;
        s.simulation.seed = 0;
        s.pm = Pm {
            insight_sigma: 0.0,
            sync_interval: 1,
            sync_fidelity: 1.0,
            shock_unready_probability: 0.0,
            shock_drop_probability: 0.0,
            ..Pm::default()
        };
        s.po = Po {
            belief_sigma: scenario.po.belief_sigma,
            value_skill: 1.0,
            myopia: 0.0,
            myopia_per_strategy_share: 0.0,
            myopia_per_refinement_shortfall: 0.0,
            take_unready: 1.0,
            questions_base: 0.0,
            questions_per_ambiguity: 0.0,
            ..Po::default()
        };
        s.roles = Roles {
            pm_override: 0.0,
            conflicts_per_sprint: 0.0,
            conflicts_per_override: 0.0,
            conflicts_per_misalignment: 0.0,
            churn_probability: 0.0,
            misalignment_ambiguity: 0.0,
            ..Roles::default()
        };
        s.quality = Quality {
            defects_per_point: 0.0,
            wrong_build_base: 0.0,
            wrong_build_ambiguity: 0.0,
            ..Quality::default()
        };
        s.team.debt_drag_per_point = 0.0;
        s.team.initial_debt = 0.0;
        s.team.debt_per_feature_point = 0.0;
        s.team.debt_paid_per_enabler_point = 0.0;
        s.team.context_switch_tax = 0.0;
        s.team.guess_after_hours = 0.0;
        s.team.wrong_guess_per_ambiguity = 0.0;
        let mut m = Model::new(&s);
        m.exact_estimates = true;
        m.all_ready = true;
        m
    }
}

/// Switch off the mechanisms of `mask` that are a coefficient: short-termism (k_s = k_r = 0),
/// unready pull (k_u = 0), churn & conflicts (k_c = 0, no misalignment ambiguity, no roadmap
/// shock effects, no wrong builds from ambiguity, k_o = k_m = 0) and tech debt (no accrual,
/// no paydown: the debt stays at its initial level). The others (decision latency, stale
/// roadmap, scope recognition, PM override) are read by the engine from [`Model::mask`].
fn apply_mask(s: &mut Scenario, mask: MechanismMask) {
    if mask.is_all() {
        return;
    }
    if !mask.on(mask::MYOPIA) {
        s.po.myopia_per_strategy_share = 0.0;
        s.po.myopia_per_refinement_shortfall = 0.0;
    }
    if !mask.on(mask::UNREADY) {
        s.po.unready_per_buffer_shortfall = 0.0;
    }
    if !mask.on(mask::CHURN_CONFLICTS) {
        s.roles.churn_per_misalignment = 0.0;
        s.roles.misalignment_ambiguity = 0.0;
        s.pm.shock_unready_probability = 0.0;
        s.pm.shock_drop_probability = 0.0;
        s.quality.wrong_build_ambiguity = 0.0;
        s.roles.conflicts_per_override = 0.0;
        s.roles.conflicts_per_misalignment = 0.0;
    }
    if !mask.on(mask::DEBT) {
        s.team.debt_per_feature_point = 0.0;
        s.team.debt_paid_per_enabler_point = 0.0;
    }
}

/// m = min(0.95, m₀ + k_s · strategy share + k_r · refinement shortfall): a PO who carries
/// strategy and cannot keep up with refinement looks for the next feature, not the enabler.
pub fn effective_myopia(po: &crate::scenario::Po, shortfall: f64) -> f64 {
    let m = po.myopia
        + po.myopia_per_strategy_share * po.strategy_share
        + po.myopia_per_refinement_shortfall * shortfall;
    if po.myopia >= 0.95 {
        po.myopia
    } else {
        m.min(0.95)
    }
}

/// The size at which an item raises the reference model's question count: the mean of the
/// size distribution, at most `max_size` (sizes are clamped there); 1 if that is not positive.
fn question_size(size: &crate::scenario::Dist, max_size: f64) -> f64 {
    let mean = size.mean().min(max_size);
    if mean > 0.0 {
        mean
    } else {
        1.0
    }
}

/// The parameters that define the world, serialized: equal strings, equal worlds.
fn world_key(s: &Scenario) -> String {
    #[derive(serde::Serialize)]
    struct WorldParams<'a> {
        sprints: u32,
        warmup: u32,
        tail: u32,
        belief_sigma: f64,
        market: &'a crate::scenario::Market,
        backlog: &'a crate::scenario::Backlog,
    }
    toml::to_string(&WorldParams {
        sprints: s.simulation.sprints,
        warmup: s.simulation.warmup_sprints,
        tail: s.simulation.value_tail_sprints,
        belief_sigma: s.po.belief_sigma,
        market: &s.market,
        backlog: &s.backlog,
    })
    .expect("world parameters serialize")
}

/// Φ⁻¹(u) for u kept inside (0, 1).
fn inverse_normal_clamped(u: f64) -> f64 {
    crate::random::inverse_normal(u.clamp(1e-12, 1.0 - 1e-12))
}

/// SD of the true value A over the item mixture (features and enablers).
fn value_sd(s: &Scenario) -> f64 {
    let b = &s.backlog;
    let sig2 = b.value_sigma * b.value_sigma;
    let m1 = (sig2 / 2.0).exp();
    let m2 = (2.0 * sig2).exp();
    let p_pos = b.positive_value_share;
    let p_neg = (1.0 - b.positive_value_share - b.zero_value_share).max(0.0);
    let nf = b.negative_value_factor;
    let e = b.enabler_share;
    let ef = b.enabler_value_factor;
    let k1 = 1.0 - e + e * ef;
    let k2 = 1.0 - e + e * ef * ef;
    let mean = k1 * (p_pos * m1 - p_neg * nf * m1);
    let second = k2 * (p_pos * m2 + p_neg * nf * nf * m2);
    (second - mean * mean).max(0.0).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The question size is the size distribution's mean, at most `max_size`, and 1 when the
    /// mean is not positive.
    #[test]
    fn the_question_size_is_the_mean_size_capped_and_positive() {
        use crate::scenario::Dist;
        let lognormal = Dist::Lognormal {
            median: 3.0,
            sigma: 0.75,
        };
        let mean = 3.0 * (0.75f64 * 0.75 / 2.0).exp();
        assert!((question_size(&lognormal, 21.0) - mean).abs() < 1e-12);
        assert_eq!(question_size(&Dist::Constant { value: 30.0 }, 21.0), 21.0);
        assert_eq!(question_size(&Dist::Constant { value: 0.0 }, 21.0), 1.0);
        assert_eq!(
            question_size(
                &Dist::Normal {
                    mean: -2.0,
                    sd: 1.0
                },
                21.0
            ),
            1.0
        );
        assert_eq!(question_size(&Dist::Constant { value: 2.0 }, 21.0), 2.0);
    }

    /// Short-termism rises with the PO's strategic load and with the refinement shortfall.
    #[test]
    fn myopia_rises_with_strategic_load_and_refinement_shortfall() {
        let s = Scenario::default();
        let base = effective_myopia(&s.po, 0.0);
        let loaded = crate::scenario::Po {
            strategy_share: 0.55,
            ..s.po.clone()
        };
        assert!(effective_myopia(&loaded, 0.0) > base);
        assert!(effective_myopia(&s.po, 0.3) > base);
        assert!(effective_myopia(&loaded, 1.0) <= 0.95);
        // The refinement shortfall: none for the defaults, some when the PO's split leaves
        // less refinement time than the arrivals need.
        assert_eq!(refinement_shortfall(&s), 0.0);
        let mut squeezed = s.clone();
        squeezed.po.strategy_share = 0.55;
        squeezed.po.support_share = 0.2;
        assert!(refinement_shortfall(&squeezed) > 0.0);
        squeezed.backlog.arrivals_per_sprint *= 2.0;
        assert!(
            refinement_shortfall(&squeezed)
                > refinement_shortfall(&{
                    let mut t = squeezed.clone();
                    t.backlog.arrivals_per_sprint /= 2.0;
                    t
                })
        );
    }

    /// 13.2 by hand: m = min(0.95, myopia + k_s · strategy_share + k_r · shortfall), with
    /// shortfall = max(0, 1 − PO hours · (1 − strategy − support) / (arrivals · refinement
    /// hours · (1 + E[ambiguity]))); every coefficient set here. And 13.1's availability,
    /// clamp(support_share / full_support_share, min_availability, 1).
    #[test]
    fn myopia_and_availability_by_hand() {
        let mut s = Scenario::default();
        s.po.myopia = 0.1;
        s.po.myopia_per_strategy_share = 0.5;
        s.po.myopia_per_refinement_shortfall = 0.4;
        s.po.strategy_share = 0.3;
        s.po.support_share = 0.2;
        s.po.hours_per_sprint = 80.0;
        s.po.refinement_hours = 2.0;
        s.backlog.ambiguity = crate::scenario::Dist::constant(0.25);
        // Refinement: 80 · 0.5 = 40 h; need 20 · 2 · 1.25 = 50 h; shortfall 0.2.
        s.backlog.arrivals_per_sprint = 20.0;
        assert!((refinement_shortfall(&s) - 0.2).abs() < 1e-12);
        let m = Model::new(&s);
        assert!((m.refinement_shortfall - 0.2).abs() < 1e-12);
        // 0.1 + 0.5 · 0.3 + 0.4 · 0.2 = 0.33.
        assert!((m.myopia - 0.33).abs() < 1e-12, "{}", m.myopia);
        // Need 16 · 2.5 = 40 h: no shortfall; 0.1 + 0.15 = 0.25.
        s.backlog.arrivals_per_sprint = 16.0;
        assert!(refinement_shortfall(&s).abs() < 1e-12);
        s.backlog.arrivals_per_sprint = 15.0;
        assert_eq!(refinement_shortfall(&s), 0.0);
        assert!((Model::new(&s).myopia - 0.25).abs() < 1e-12);
        // The cap: 0.8 + 0.15 + 0.4 · 0.2 = 1.03 → 0.95; a base above it stands.
        s.backlog.arrivals_per_sprint = 20.0;
        s.po.myopia = 0.8;
        assert_eq!(Model::new(&s).myopia, 0.95);
        s.po.myopia = 0.97;
        assert_eq!(Model::new(&s).myopia, 0.97);
        // Availability: 0.2 / 0.4 = 0.5; below the floor 0.3; above 1.
        s.po.full_support_share = 0.4;
        s.po.min_availability = 0.3;
        assert!((Model::new(&s).availability - 0.5).abs() < 1e-12);
        s.po.support_share = 0.04;
        assert_eq!(Model::new(&s).availability, 0.3);
        s.po.support_share = 0.6;
        assert_eq!(Model::new(&s).availability, 1.0);
    }
}
