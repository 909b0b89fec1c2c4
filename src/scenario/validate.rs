//! Range checks on a resolved scenario. Each problem names its key path; the loader turns
//! that into file, line and column.

use super::levers::{lookup, sensitivity_overrides, Check, Max, LEVERS};
use super::{Dist, Scenario};
use serde::Deserialize;

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

    /// One check of the lever table on the value `v` of `path`.
    fn check(&mut self, path: &str, v: &toml::Value, check: Check, limits: &Limits) {
        let num = match v {
            toml::Value::Integer(i) => *i as f64,
            toml::Value::Float(f) => *f,
            _ => f64::NAN,
        };
        match check {
            Check::Probability => self.probability(path, num),
            Check::NonNegative => self.non_negative(path, num),
            Check::Positive => self.positive(path, num),
            Check::AtLeast(min) => {
                self.at_least(path, v.as_integer().unwrap_or(0).max(0) as u64, min)
            }
            Check::AtMost(max, why) => self.at_most(path, num, max, why),
            Check::Limit(which, why) => {
                let max = match which {
                    Max::Runs => limits.max_runs as f64,
                    Max::Sprints => limits.max_sprints as f64,
                    Max::Items => limits.max_items as f64,
                    Max::Arrivals => limits.max_arrivals,
                    Max::Lanes => limits.max_lanes as f64,
                };
                self.at_most(path, num, max, why)
            }
            Check::Dist(low, high) => match Dist::deserialize(v.clone()) {
                Ok(d) => self.dist(path, &d, low, high),
                Err(e) => self.push(path, e.to_string()),
            },
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

/// The scenario as a TOML table, for reading keys of the lever table. Runs above what TOML
/// holds are capped (they are far above any limit either way); the seed is not checked.
fn values_of(s: &Scenario) -> toml::Table {
    let mut copy = s.clone();
    copy.simulation.seed = 0;
    copy.simulation.runs = copy.simulation.runs.min(i64::MAX as u64);
    toml::Table::try_from(&copy).expect("a scenario always serializes")
}

/// The rules that tie a key to keys before it in the table, checked right after its own.
// One arm per key, each with its rule inside: clearer than guards on the match.
#[allow(clippy::collapsible_match)]
fn relations(c: &mut Checker, s: &Scenario, key: &str, limits: &Limits) {
    let (b, u, po, q) = (&s.backlog, &s.backlog.urgency, &s.po, &s.quality);
    match key {
        "backlog.arrivals_per_sprint" => {
            // Every item that can exist in a run is kept in memory: the initial ones and the
            // arrivals.
            let expected_items =
                b.initial_items as f64 + b.arrivals_per_sprint * s.simulation.sprints as f64;
            if b.arrivals_per_sprint.is_finite()
                && b.initial_items as f64 <= limits.max_items as f64
                && expected_items > limits.max_items as f64
            {
                c.push(
                    key,
                    format!(
                        "initial_items + arrivals_per_sprint × sprints = {expected_items} items is above the limit of {} (every item is simulated and kept in memory); pass --allow-large to raise the limit deliberately",
                        limits.max_items
                    ),
                );
            }
        }
        "backlog.zero_value_share" => {
            if b.positive_value_share + b.zero_value_share > 1.0 + 1e-9 {
                c.push(
                    key,
                    format!(
                        "positive_value_share + zero_value_share must be at most 1, got {}",
                        b.positive_value_share + b.zero_value_share
                    ),
                );
            }
        }
        "backlog.urgency.fixed_date" => {
            let total = u.standard + u.decaying + u.short_window + u.fixed_date;
            if total.is_finite() && (total - 1.0).abs() > 1e-6 {
                c.push("backlog.urgency", format!("the shares standard + decaying + short_window + fixed_date must sum to 1, got {total}"));
            }
        }
        "backlog.urgency.deadline_min" => {
            if u.deadline_min > u.deadline_max {
                c.push(
                    "backlog.urgency.deadline_max",
                    format!(
                        "must be ≥ deadline_min ({}), got {}",
                        u.deadline_min, u.deadline_max
                    ),
                );
            }
        }
        "backlog.split_rate" => {
            // The throughput model's scope keys (split-rate samples, scope range, scope
            // growth), checked right after split_rate as validation always has.
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
        }
        "po.support_share" => {
            if po.strategy_share + po.support_share > 1.0 + 1e-9 {
                c.push(
                    key,
                    format!(
                        "strategy_share + support_share must be at most 1 (the rest is refinement), got {}",
                        po.strategy_share + po.support_share
                    ),
                );
            }
        }
        "po.min_availability" => {
            if po.min_availability == 0.0 {
                c.push(
                    key,
                    "must be > 0 (decision latency is divided by availability)".into(),
                );
            }
        }
        "quality.found_later" => {
            if q.found_in_sprint + q.found_later > 1.0 + 1e-9 {
                c.push(
                    key,
                    format!(
                        "found_in_sprint + found_later must be at most 1 (the rest escape), got {}",
                        q.found_in_sprint + q.found_later
                    ),
                );
            }
        }
        "quality.bad_fix_probability" => {
            if q.bad_fix_probability > 0.9 {
                c.push(
                    key,
                    format!(
                        "must be at most 0.9 so that fixing ends, got {}",
                        q.bad_fix_probability
                    ),
                );
            }
        }
        _ => {}
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

    // Every lever's own checks, in table order, each followed by the rules that tie it to
    // keys before it.
    let table = values_of(s);
    for lever in LEVERS {
        if let Some(v) = lookup(&table, lever.key) {
            for check in lever.checks {
                c.check(lever.key, v, *check, limits);
            }
        }
        relations(&mut c, s, lever.key, limits);
    }

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
        if risk.added_items > super::MAX_RISK_ITEMS {
            c.push(
                &format!("{p}.added_items"),
                format!(
                    "{} is above {}, the most items one risk can add (their ids have 20 bits); split it into several risks",
                    risk.added_items,
                    super::MAX_RISK_ITEMS
                ),
            );
        }
        if risk.added_items == 0 && risk.added_points == 0.0 {
            c.push(&p, "has no impact: set added_items or added_points".into());
        }
    }
    if s.simulation.model == super::ModelKind::Throughput {
        match s.backlog.size {
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
        c.at_least("backlog.initial_items", s.backlog.initial_items as u64, 1);
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
        match sensitivity_overrides(s) {
            Ok(_) => {}
            Err((key, message)) => c.push(&format!("sensitivity.{key}"), message),
        }
    }
    c.problems
}
