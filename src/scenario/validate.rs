//! Range checks on a resolved scenario. Each problem names its key path; the loader turns
//! that into file, line and column.

use super::{Dist, Scenario};

/// Sizes above which a run would exhaust the machine; raise them deliberately with
/// `--allow-large`.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_runs: u64,
    pub max_sprints: u32,
    pub max_items: u32,
    pub max_arrivals: f64,
    pub max_lanes: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_runs: 10_000_000,
            max_sprints: 1_000,
            max_items: 100_000,
            max_arrivals: 1_000.0,
            max_lanes: 64,
        }
    }
}

impl Limits {
    /// Limits for `--allow-large`: still bounded by what the data types hold.
    pub fn large() -> Self {
        Limits {
            max_runs: 1_000_000_000_000,
            max_sprints: 20_000,
            max_items: 10_000_000,
            max_arrivals: 100_000.0,
            max_lanes: 1_000,
        }
    }
}

/// Largest magnitude a real-valued parameter may have: beyond it sums and products in the
/// engine overflow to infinity (found by fuzzing: capacity 1e300, discount_rate 1e300).
pub const MAX_MAGNITUDE: f64 = 1e9;
/// Smallest non-zero magnitude: below it divisions overflow (hours_per_day 2e-308).
pub const MIN_MAGNITUDE: f64 = 1e-9;

/// Why a real parameter cannot be used whatever its meaning: not finite, or a magnitude
/// outside [`MIN_MAGNITUDE`, `MAX_MAGNITUDE`] (0 itself is fine).
pub fn magnitude_problem(v: f64) -> Option<String> {
    if !v.is_finite() {
        Some(format!("must be a finite number, got {v}"))
    } else if v.abs() > MAX_MAGNITUDE {
        Some(format!(
            "{v:e} is too large: numbers may be at most {MAX_MAGNITUDE:e} in magnitude"
        ))
    } else if v != 0.0 && v.abs() < MIN_MAGNITUDE {
        Some(format!(
            "{v:e} is too small: numbers other than 0 must be at least {MIN_MAGNITUDE:e} in magnitude"
        ))
    } else {
        None
    }
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub path: Vec<String>,
    pub message: String,
}

struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn push(&mut self, path: &str, message: String) {
        self.problems.push(Problem {
            path: path.split('.').map(str::to_string).collect(),
            message,
        });
    }

    fn finite(&mut self, path: &str, v: f64) -> bool {
        match magnitude_problem(v) {
            None => true,
            Some(msg) => {
                self.push(path, msg);
                false
            }
        }
    }

    fn probability(&mut self, path: &str, v: f64) {
        if self.finite(path, v) && !(0.0..=1.0).contains(&v) {
            self.push(
                path,
                format!("is a probability and must lie in [0, 1], got {v}"),
            );
        }
    }

    fn non_negative(&mut self, path: &str, v: f64) {
        if self.finite(path, v) && v < 0.0 {
            self.push(path, format!("must be ≥ 0, got {v}"));
        }
    }

    fn positive(&mut self, path: &str, v: f64) {
        if self.finite(path, v) && v <= 0.0 {
            self.push(path, format!("must be > 0, got {v}"));
        }
    }

    fn at_least(&mut self, path: &str, v: u64, min: u64) {
        if v < min {
            self.push(path, format!("must be at least {min}, got {v}"));
        }
    }

    fn at_most(&mut self, path: &str, v: f64, max: f64, why: &str) {
        if v > max {
            self.push(path, format!("{v} is above the limit of {max} ({why}); pass --allow-large to raise the limit deliberately"));
        }
    }

    /// A distribution, plus the range its values must stay in.
    fn dist(&mut self, path: &str, d: &Dist, min: f64, max: f64) {
        let problems = d.problems();
        let ok = problems.is_empty();
        for (param, msg) in problems {
            self.push(&format!("{path}.{param}"), msg);
        }
        if ok {
            // Unbounded tails (normal, gamma, lognormal) are clamped when drawn; only
            // bounded distributions can be wrong about their range.
            if d.mean() > max {
                self.push(
                    path,
                    format!(
                        "has a mean of {} above {max}; values must lie in [{min}, {max}]",
                        d.mean()
                    ),
                );
            } else if d.min_value().is_finite() && d.min_value() < min {
                self.push(path, format!("can produce values below {min} (lowest {}); values must lie in [{min}, {max}]", d.min_value()));
            } else if d.max_value().is_finite() && d.max_value() > max {
                self.push(path, format!("can produce values above {max} (highest {}); values must lie in [{min}, {max}]", d.max_value()));
            }
        }
    }
}

/// Every problem with the scenario's values, in key order.
pub fn validate(s: &Scenario, limits: &Limits) -> Vec<Problem> {
    let mut c = Checker {
        problems: Vec::new(),
    };
    if s.name.trim().is_empty() {
        c.push("name", "must not be empty".into());
    } else if s.name.contains([',', '"', '\n']) {
        c.push(
            "name",
            format!(
                "{:?} must not contain commas, quotes or line breaks (it is a CSV cell)",
                s.name
            ),
        );
    }

    let sim = &s.simulation;
    c.at_least("simulation.runs", sim.runs, 1);
    c.at_most(
        "simulation.runs",
        sim.runs as f64,
        limits.max_runs as f64,
        "each run takes time; results are streamed but time is not",
    );
    c.at_least("simulation.sprints", sim.sprints as u64, 1);
    c.at_most(
        "simulation.sprints",
        sim.sprints as f64,
        limits.max_sprints as f64,
        "per-sprint bands are kept per sprint",
    );
    c.at_most(
        "simulation.value_tail_sprints",
        sim.value_tail_sprints as f64,
        limits.max_sprints as f64,
        "the market is simulated over the tail too",
    );
    c.non_negative("simulation.discount_rate", sim.discount_rate);
    c.at_most(
        "simulation.warmup_sprints",
        sim.warmup_sprints as f64,
        limits.max_sprints as f64,
        "warm-up sprints are simulated like the others",
    );
    c.at_least("simulation.sprint_days", sim.sprint_days as u64, 1);
    c.at_most(
        "simulation.sprint_days",
        sim.sprint_days as f64,
        100.0,
        "a sprint is at most 100 working days",
    );
    c.positive("simulation.hours_per_day", sim.hours_per_day);
    c.at_most(
        "simulation.hours_per_day",
        sim.hours_per_day,
        24.0,
        "a day has 24 hours",
    );

    let t = &s.team;
    c.dist("team.capacity", &t.capacity, 0.0, 1e6);
    c.at_least("team.lanes", t.lanes as u64, 1);
    c.at_most(
        "team.lanes",
        t.lanes as f64,
        limits.max_lanes as f64,
        "lanes are simulated one by one",
    );
    c.non_negative("team.commitment_factor", t.commitment_factor);
    c.at_least("team.velocity_window", t.velocity_window as u64, 1);
    c.at_most(
        "team.velocity_window",
        t.velocity_window as f64,
        64.0,
        "the velocity history is kept in a fixed buffer",
    );
    c.probability("team.context_switch_tax", t.context_switch_tax);
    c.non_negative("team.initial_debt", t.initial_debt);
    c.non_negative("team.debt_per_feature_point", t.debt_per_feature_point);
    c.non_negative(
        "team.debt_paid_per_enabler_point",
        t.debt_paid_per_enabler_point,
    );
    c.non_negative("team.debt_reference", t.debt_reference);
    c.non_negative("team.debt_pressure_factor", t.debt_pressure_factor);
    c.non_negative("team.debt_drag_per_point", t.debt_drag_per_point);
    c.probability("team.max_debt_drag", t.max_debt_drag);

    let b = &s.backlog;
    c.at_most(
        "backlog.initial_items",
        b.initial_items as f64,
        limits.max_items as f64,
        "every item is simulated",
    );
    c.non_negative("backlog.arrivals_per_sprint", b.arrivals_per_sprint);
    c.at_most(
        "backlog.arrivals_per_sprint",
        b.arrivals_per_sprint,
        limits.max_arrivals,
        "every item is simulated",
    );
    // Every item that can exist in a run is kept in memory: the initial ones and the arrivals.
    let expected_items = b.initial_items as f64 + b.arrivals_per_sprint * sim.sprints as f64;
    if b.arrivals_per_sprint.is_finite()
        && b.initial_items as f64 <= limits.max_items as f64
        && expected_items > limits.max_items as f64
    {
        c.push(
            "backlog.arrivals_per_sprint",
            format!(
                "initial_items + arrivals_per_sprint × sprints = {expected_items} items is above the limit of {} (every item is simulated and kept in memory); pass --allow-large to raise the limit deliberately",
                limits.max_items
            ),
        );
    }
    c.dist("backlog.size", &b.size, 0.0, 1e6);
    c.positive("backlog.max_size", b.max_size);
    c.probability("backlog.enabler_share", b.enabler_share);
    c.non_negative("backlog.enabler_value_factor", b.enabler_value_factor);
    c.probability("backlog.positive_value_share", b.positive_value_share);
    c.probability("backlog.zero_value_share", b.zero_value_share);
    if b.positive_value_share + b.zero_value_share > 1.0 + 1e-9 {
        c.push(
            "backlog.zero_value_share",
            format!(
                "positive_value_share + zero_value_share must be at most 1, got {}",
                b.positive_value_share + b.zero_value_share
            ),
        );
    }
    c.non_negative("backlog.value_sigma", b.value_sigma);
    c.at_most(
        "backlog.value_sigma",
        b.value_sigma,
        5.0,
        "larger sigmas overflow the value scale",
    );
    c.non_negative("backlog.negative_value_factor", b.negative_value_factor);
    let u = &b.urgency;
    for (k, v) in [
        ("standard", u.standard),
        ("decaying", u.decaying),
        ("short_window", u.short_window),
        ("fixed_date", u.fixed_date),
    ] {
        c.probability(&format!("backlog.urgency.{k}"), v);
    }
    let total = u.standard + u.decaying + u.short_window + u.fixed_date;
    if total.is_finite() && (total - 1.0).abs() > 1e-6 {
        c.push("backlog.urgency", format!("the shares standard + decaying + short_window + fixed_date must sum to 1, got {total}"));
    }
    c.non_negative("backlog.urgency.decay_rate", u.decay_rate);
    c.positive("backlog.urgency.window_scale", u.window_scale);
    c.at_least("backlog.urgency.window_sprints", u.window_sprints as u64, 1);
    if u.deadline_min > u.deadline_max {
        c.push(
            "backlog.urgency.deadline_max",
            format!(
                "must be ≥ deadline_min ({}), got {}",
                u.deadline_min, u.deadline_max
            ),
        );
    }
    c.at_most(
        "backlog.urgency.deadline_max",
        u.deadline_max as f64,
        100_000.0,
        "deadlines are counted in sprints",
    );
    c.probability("backlog.urgency.late_factor", u.late_factor);
    c.positive("backlog.estimate_bias", b.estimate_bias);
    c.non_negative("backlog.estimate_sigma", b.estimate_sigma);
    c.non_negative(
        "backlog.estimate_sigma_per_ambiguity",
        b.estimate_sigma_per_ambiguity,
    );
    c.dist("backlog.ambiguity", &b.ambiguity, 0.0, 1.0);
    c.probability("backlog.refinement_factor", b.refinement_factor);
    c.probability("backlog.ready_threshold", b.ready_threshold);
    c.probability("backlog.split_rate", b.split_rate);
    for (i, &x) in b.split_rate_samples.iter().enumerate() {
        if !(x.is_finite() && x > 0.0 && x <= 100.0) {
            c.push(
                &format!("backlog.split_rate_samples.{i}"),
                format!(
                    "a split-rate sample multiplies the item count: must be in (0, 100], got {x}"
                ),
            );
        }
    }
    if let Some(r) = &b.initial_items_range {
        let ok = match r {
            Dist::Uniform { min, max } => {
                min.is_finite()
                    && max.is_finite()
                    && *min >= 0.0
                    && min.ceil() <= max.floor()
                    && *max >= 1.0
            }
            Dist::Empirical { values } => {
                !values.is_empty()
                    && values.iter().all(|v| v.is_finite() && *v >= 0.0)
                    && values.iter().any(|v| v.round() >= 1.0)
            }
            Dist::Constant { value } => value.is_finite() && value.round() >= 1.0,
            _ => false,
        };
        if !ok {
            c.push(
                "backlog.initial_items",
                "a scope range is { dist = \"uniform\", min = LOW, max = HIGH } (whole numbers LOW..HIGH, 0 ≤ LOW ≤ HIGH, HIGH ≥ 1) or { dist = \"empirical\", values = [...] } (item counts ≥ 0)".into(),
            );
        }
        if s.simulation.model != super::ModelKind::Throughput {
            c.push("backlog.initial_items", "a distribution of item counts (a scope range) is for the throughput model: set simulation.model = \"throughput\", or give a whole number".into());
        }
    }
    if let Some(g) = &b.scope_growth {
        c.dist("backlog.scope_growth", g, 0.0, limits.max_items as f64);
    }
    if s.simulation.model != super::ModelKind::Throughput {
        for (key, set) in [
            (
                "backlog.split_rate_samples",
                !b.split_rate_samples.is_empty(),
            ),
            ("backlog.scope_growth", b.scope_growth.is_some()),
        ] {
            if set {
                c.push(key, "is a throughput-model key: set simulation.model = \"throughput\" (the roles model's arrivals are backlog.arrivals_per_sprint, its splits backlog.split_rate)".into());
            }
        }
    }
    c.at_least("backlog.split_into", b.split_into as u64, 2);
    c.at_most(
        "backlog.split_into",
        b.split_into as f64,
        16.0,
        "an item splits into at most 16",
    );

    let m = &s.market;
    c.at_least("market.themes", m.themes as u64, 1);
    c.at_most(
        "market.themes",
        m.themes as f64,
        64.0,
        "themes are ranked by pairs every sprint",
    );
    c.non_negative("market.drift_sigma", m.drift_sigma);
    c.non_negative("market.shock_rate", m.shock_rate);
    c.at_most(
        "market.shock_rate",
        m.shock_rate,
        100.0,
        "shocks are drawn one by one",
    );
    c.non_negative("market.shock_sigma", m.shock_sigma);

    let pm = &s.pm;
    c.non_negative("pm.insight_sigma", pm.insight_sigma);
    c.at_least("pm.sync_interval", pm.sync_interval as u64, 1);
    c.probability("pm.sync_fidelity", pm.sync_fidelity);
    c.probability("pm.shock_threshold", pm.shock_threshold);
    c.probability("pm.shock_unready_probability", pm.shock_unready_probability);
    c.probability("pm.shock_drop_probability", pm.shock_drop_probability);

    let po = &s.po;
    c.non_negative("po.hours_per_sprint", po.hours_per_sprint);
    c.probability("po.strategy_share", po.strategy_share);
    c.probability("po.support_share", po.support_share);
    if po.strategy_share + po.support_share > 1.0 + 1e-9 {
        c.push(
            "po.support_share",
            format!(
                "strategy_share + support_share must be at most 1 (the rest is refinement), got {}",
                po.strategy_share + po.support_share
            ),
        );
    }
    c.positive("po.full_support_share", po.full_support_share);
    c.probability("po.min_availability", po.min_availability);
    if po.min_availability == 0.0 {
        c.push(
            "po.min_availability",
            "must be > 0 (decision latency is divided by availability)".into(),
        );
    }
    c.probability("po.value_skill", po.value_skill);
    c.non_negative("po.belief_sigma", po.belief_sigma);
    c.at_most(
        "po.belief_sigma",
        po.belief_sigma,
        5.0,
        "larger sigmas overflow the value scale",
    );
    c.probability("po.myopia", po.myopia);
    c.probability("po.take_unready", po.take_unready);
    c.non_negative("po.myopia_per_strategy_share", po.myopia_per_strategy_share);
    c.non_negative(
        "po.myopia_per_refinement_shortfall",
        po.myopia_per_refinement_shortfall,
    );
    c.probability(
        "po.unready_per_buffer_shortfall",
        po.unready_per_buffer_shortfall,
    );
    c.non_negative("po.refinement_hours", po.refinement_hours);
    c.non_negative("po.decision_latency_hours", po.decision_latency_hours);
    c.non_negative("po.decision_latency_sigma", po.decision_latency_sigma);
    c.non_negative("po.answer_hours", po.answer_hours);
    c.non_negative("po.questions_base", po.questions_base);
    c.non_negative("po.questions_per_ambiguity", po.questions_per_ambiguity);
    c.non_negative("po.solo_insight_sigma", po.solo_insight_sigma);
    c.at_least(
        "po.solo_strategy_interval",
        po.solo_strategy_interval as u64,
        1,
    );
    c.probability("po.solo_fidelity", po.solo_fidelity);

    let r = &s.roles;
    c.probability("roles.pm_override", r.pm_override);
    c.non_negative("roles.conflicts_per_sprint", r.conflicts_per_sprint);
    c.at_most(
        "roles.conflicts_per_sprint",
        r.conflicts_per_sprint,
        16.0,
        "at most 16 conflicts are kept per sprint",
    );
    c.non_negative("roles.conflicts_per_override", r.conflicts_per_override);
    c.non_negative(
        "roles.conflicts_per_misalignment",
        r.conflicts_per_misalignment,
    );
    c.non_negative("roles.churn_per_misalignment", r.churn_per_misalignment);
    c.probability("roles.conflict_inject_share", r.conflict_inject_share);
    c.non_negative("roles.escalation_hours", r.escalation_hours);
    c.non_negative("roles.escalation_sigma", r.escalation_sigma);
    c.probability("roles.churn_probability", r.churn_probability);
    c.probability("roles.churn_ambiguity", r.churn_ambiguity);
    c.probability("roles.churn_rework_share", r.churn_rework_share);
    c.probability("roles.misalignment_ambiguity", r.misalignment_ambiguity);

    let q = &s.quality;
    c.non_negative("quality.defects_per_point", q.defects_per_point);
    c.at_most(
        "quality.defects_per_point",
        q.defects_per_point,
        10.0,
        "defects are simulated one by one",
    );
    c.non_negative("quality.ambiguity_factor", q.ambiguity_factor);
    c.non_negative("quality.pressure_factor", q.pressure_factor);
    c.probability("quality.found_in_sprint", q.found_in_sprint);
    c.probability("quality.found_later", q.found_later);
    if q.found_in_sprint + q.found_later > 1.0 + 1e-9 {
        c.push(
            "quality.found_later",
            format!(
                "found_in_sprint + found_later must be at most 1 (the rest escape), got {}",
                q.found_in_sprint + q.found_later
            ),
        );
    }
    c.non_negative("quality.fix_points", q.fix_points);
    c.non_negative("quality.later_multiplier", q.later_multiplier);
    c.non_negative("quality.escaped_multiplier", q.escaped_multiplier);
    c.probability("quality.escaped_discovery_rate", q.escaped_discovery_rate);
    c.probability("quality.bad_fix_probability", q.bad_fix_probability);
    if q.bad_fix_probability > 0.9 {
        c.push(
            "quality.bad_fix_probability",
            format!(
                "must be at most 0.9 so that fixing ends, got {}",
                q.bad_fix_probability
            ),
        );
    }
    c.probability("quality.wrong_build_base", q.wrong_build_base);
    c.probability("quality.wrong_build_ambiguity", q.wrong_build_ambiguity);
    c.probability("quality.redo_share", q.redo_share);

    c.non_negative("release.scope_points", s.release.scope_points);
    if let Some(planned) = s.release.planned_sprint {
        c.at_most(
            "release.planned_sprint",
            planned as f64,
            limits.max_sprints as f64,
            "sprints are counted in whole numbers up to the sprint limit",
        );
    }
    c.at_most(
        "pm.override_top",
        pm.override_top as f64,
        1000.0,
        "the PM overrides at most the top 1000 items",
    );

    if s.risks.len() > 32 {
        c.push(
            "risks",
            format!("at most 32 risks are simulated, got {}", s.risks.len()),
        );
    }
    for (i, risk) in s.risks.iter().enumerate() {
        let p = format!("risks.{i}");
        if risk.name.trim().is_empty() {
            c.push(&format!("{p}.name"), "must not be empty".into());
        }
        c.probability(&format!("{p}.probability"), risk.probability);
        c.at_least(&format!("{p}.first_sprint"), risk.first_sprint as u64, 1);
        if risk.last_sprint < risk.first_sprint {
            c.push(
                &format!("{p}.last_sprint"),
                format!(
                    "must be ≥ first_sprint ({}), got {}",
                    risk.first_sprint, risk.last_sprint
                ),
            );
        }
        c.non_negative(&format!("{p}.added_points"), risk.added_points);
        c.at_most(
            &format!("{p}.added_items"),
            risk.added_items as f64,
            limits.max_items as f64,
            "every item is simulated",
        );
        if risk.added_items == 0 && risk.added_points == 0.0 {
            c.push(&p, "has no impact: set added_items or added_points".into());
        }
    }
    if s.simulation.model == super::ModelKind::Throughput {
        match b.size {
            Dist::Constant { value } if value > 0.0 => {}
            _ => c.push(
                "backlog.size",
                "a throughput forecast needs items of one size > 0, e.g. { dist = \"constant\", value = 1 }".into(),
            ),
        }
        if s.release.scope != super::ReleaseScope::InitialBacklog {
            c.push(
                "release.scope",
                "a throughput forecast delivers the initial backlog: set it to \"initial_backlog\""
                    .into(),
            );
        }
        c.at_least("backlog.initial_items", b.initial_items as u64, 1);
        for (i, risk) in s.risks.iter().enumerate() {
            if risk.added_points > 0.0 {
                c.push(
                    &format!("risks.{i}.added_points"),
                    "a throughput forecast counts items of one size: give the risk's impact as added_items".into(),
                );
            }
        }
    }
    let date = |c: &mut Checker, key: &str, v: &str| {
        if let Err(e) = crate::calendar::Date::parse_iso(v) {
            c.push(key, e);
        }
    };
    if let Some(start) = &s.calendar.start {
        date(&mut c, "calendar.start", start);
    }
    for (i, h) in s.calendar.holidays.iter().enumerate() {
        date(&mut c, &format!("calendar.holidays.{i}"), h);
    }
    if !s.calendar.holidays.is_empty() && s.calendar.start.is_none() {
        c.push(
            "calendar.holidays",
            "needs calendar.start = \"YYYY-MM-DD\" (the first day of sprint 1)".into(),
        );
    }
    let f = &s.forecast;
    if !f.is_empty() && s.simulation.model != super::ModelKind::Throughput {
        c.push(
            "forecast",
            "answers a throughput forecast's questions: set simulation.model = \"throughput\" (or remove [forecast]; the roles model's promise is release.planned_sprint)".into(),
        );
    }
    for (key, v) in [
        ("forecast.target_date", &f.target_date),
        ("forecast.promise_date", &f.promise_date),
    ] {
        if let Some(v) = v {
            date(&mut c, key, v);
            if s.calendar.start.is_none() {
                c.push(
                    key,
                    "a date needs a calendar: set calendar.start = \"YYYY-MM-DD\" (the first day of sprint 1), or give a sprint number instead".into(),
                );
            } else if let (Ok(d), Ok(start)) = (
                crate::calendar::Date::parse_iso(v),
                crate::calendar::Date::parse_iso(s.calendar.start.as_deref().unwrap_or("")),
            ) {
                if d < start {
                    c.push(key, format!("{v} is before calendar.start ({start})"));
                }
            }
        }
    }
    if f.target_date.is_some() && f.target_sprint.is_some() {
        c.push(
            "forecast.target_sprint",
            "give either target_date or target_sprint, not both".into(),
        );
    }
    if let Some(k) = f.target_sprint {
        c.at_least("forecast.target_sprint", k as u64, 1);
        if k > s.simulation.sprints {
            c.push(
                "forecast.target_sprint",
                format!(
                    "is after the horizon (simulation.sprints = {}): raise the horizon or pick an earlier sprint",
                    s.simulation.sprints
                ),
            );
        }
    }
    if f.target_date.is_some() && c.problems.is_empty() {
        match s.target_sprint() {
            Some(0) => c.push(
                "forecast.target_date",
                "is before the end of sprint 1: no sprint ends by then".into(),
            ),
            Some(k) if k > s.simulation.sprints => c.push(
                "forecast.target_date",
                format!(
                    "falls in sprint {k}, after the horizon (simulation.sprints = {}): raise the horizon",
                    s.simulation.sprints
                ),
            ),
            _ => {}
        }
    }
    if !s.sensitivity.is_empty() {
        match super::params::sensitivity_overrides(s) {
            Ok(_) => {}
            Err((key, message)) => c.push(&format!("sensitivity.{key}"), message),
        }
    }
    c.problems
}
