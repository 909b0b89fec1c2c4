//! The defaults of every section: the `aligned` preset, which a scenario file changes key by key.

use super::*;

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            name: "aligned".into(),
            description: "PM owns strategy, PO owns tactics, and they talk every sprint.".into(),
            extends: None,
            simulation: Simulation::default(),
            team: Team::default(),
            backlog: Backlog::default(),
            market: Market::default(),
            pm: Pm::default(),
            po: Po::default(),
            roles: Roles::default(),
            quality: Quality::default(),
            release: Release::default(),
            risks: Vec::new(),
            calendar: CalendarSpec::default(),
            forecast: ForecastSpec::default(),
            sensitivity: toml::Table::new(),
            mechanisms: super::mask::MechanismMask::ALL,
        }
    }
}

impl Default for Simulation {
    fn default() -> Self {
        Simulation {
            runs: 1000,
            sprints: 26,
            value_tail_sprints: 26,
            seed: 42,
            discount_rate: 0.0,
            sprint_days: 10,
            hours_per_day: 8.0,
            stop_at_completion: false,
            model: ModelKind::Roles,
            warmup_sprints: 12,
        }
    }
}

impl Default for Team {
    fn default() -> Self {
        Team {
            capacity: Dist::Gamma {
                mean: 30.0,
                cv: 0.15,
            },
            lanes: 3,
            commitment_factor: 0.9,
            velocity_window: 3,
            context_switch_tax: 0.2,
            initial_debt: 20.0,
            debt_per_feature_point: 0.1,
            debt_paid_per_enabler_point: 0.4,
            debt_reference: 20.0,
            debt_pressure_factor: 1.0,
            debt_drag_per_point: 0.002,
            max_debt_drag: 0.4,
        }
    }
}

impl Default for Backlog {
    fn default() -> Self {
        Backlog {
            initial_items: 60,
            arrivals_per_sprint: 6.0,
            size: Dist::Lognormal {
                median: 3.0,
                sigma: 0.75,
            },
            max_size: 21.0,
            enabler_share: 0.2,
            enabler_value_factor: 0.3,
            positive_value_share: 1.0 / 3.0,
            zero_value_share: 1.0 / 3.0,
            value_sigma: 1.5,
            negative_value_factor: 0.25,
            urgency: UrgencyMix::default(),
            estimate_bias: 1.1,
            estimate_sigma: 0.5,
            estimate_sigma_per_ambiguity: 0.3,
            fibonacci: true,
            ambiguity: Dist::Beta { a: 2.0, b: 2.0 },
            refinement_factor: 0.4,
            ready_threshold: 0.4,
            split_rate: 0.0,
            split_into: 2,
            split_rate_samples: Vec::new(),
            scope_growth: None,
            initial_items_range: None,
        }
    }
}

impl Default for UrgencyMix {
    fn default() -> Self {
        UrgencyMix {
            standard: 0.5,
            decaying: 0.2,
            short_window: 0.15,
            fixed_date: 0.15,
            decay_rate: 0.02,
            window_scale: 4.0,
            window_sprints: 8,
            deadline_min: 4,
            deadline_max: 16,
            late_factor: 0.2,
        }
    }
}

impl Default for Market {
    fn default() -> Self {
        Market {
            themes: 6,
            drift_sigma: 0.10,
            shock_rate: 1.0 / 13.0,
            shock_sigma: 1.0,
        }
    }
}

impl Default for Pm {
    fn default() -> Self {
        Pm {
            enabled: true,
            insight_sigma: 0.2,
            sync_interval: 1,
            sync_fidelity: 0.9,
            shock_threshold: 0.25,
            shock_unready_probability: 0.5,
            shock_drop_probability: 0.3,
            override_top: 5,
        }
    }
}

impl Default for Po {
    fn default() -> Self {
        Po {
            hours_per_sprint: 80.0,
            strategy_share: 0.15,
            support_share: 0.35,
            full_support_share: 0.35,
            min_availability: 0.2,
            value_skill: 0.35,
            belief_sigma: 0.5,
            myopia: 0.0,
            myopia_per_strategy_share: 0.5,
            myopia_per_refinement_shortfall: 0.5,
            take_unready: 0.1,
            unready_per_buffer_shortfall: 0.5,
            refinement_hours: 3.0,
            decision_latency_hours: 1.0,
            decision_latency_sigma: 1.0,
            answer_hours: 1.0,
            questions_base: 0.5,
            questions_per_ambiguity: 3.0,
            solo_insight_sigma: 0.5,
            solo_strategy_interval: 3,
            solo_fidelity: 0.7,
        }
    }
}

impl Default for Roles {
    fn default() -> Self {
        Roles {
            pm_override: 0.0,
            conflicts_per_sprint: 0.1,
            conflicts_per_override: 2.0,
            conflicts_per_misalignment: 1.0,
            conflict_inject_share: 0.5,
            escalation_hours: 8.0,
            escalation_sigma: 1.0,
            churn_probability: 0.02,
            churn_per_misalignment: 4.0,
            churn_ambiguity: 0.3,
            churn_rework_share: 0.5,
            misalignment_ambiguity: 0.3,
        }
    }
}

impl Default for Quality {
    fn default() -> Self {
        Quality {
            defects_per_point: 0.25,
            ambiguity_factor: 2.0,
            pressure_factor: 0.5,
            found_in_sprint: 0.6,
            found_later: 0.25,
            fix_points: 0.25,
            later_multiplier: 3.0,
            escaped_multiplier: 10.0,
            escaped_discovery_rate: 0.5,
            bad_fix_probability: 0.07,
            wrong_build_base: 0.02,
            wrong_build_ambiguity: 0.3,
            redo_share: 0.5,
        }
    }
}

impl Default for Release {
    fn default() -> Self {
        Release {
            scope: ReleaseScope::Roadmap,
            scope_points: 120.0,
            planned_sprint: Some(6),
            scope_first: true,
        }
    }
}
