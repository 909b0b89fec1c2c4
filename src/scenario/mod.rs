//! The scenario format: what a scenario file may say, its defaults (the `aligned` preset),
//! the built-in presets, `extends`, and validation with file/key/line in every message.
//!
//! A [`Scenario`] is the fully resolved description of one scenario. It is read from TOML in
//! [`load`], checked in [`validate`], and never changed by the engine.

mod defaults;
pub mod dist;
pub mod levers;
pub mod load;
pub mod locate;
pub mod mask;
pub mod mechanisms;
pub mod messages;
pub mod params;
pub mod presets;
pub mod structure;
pub mod validate;

pub use dist::{Dist, Sampler};
pub use load::{load_scenario, ScenarioSource};

use serde::{Deserialize, Serialize};

/// One scenario, resolved: every key has a value. Its structs are read from complete tables
/// (the defaults document of the lever table under what files set, see `defaults`): a lever
/// has no serde default of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// A preset name or a path relative to the file; resolved away on load.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    pub simulation: Simulation,
    pub team: Team,
    pub backlog: Backlog,
    pub market: Market,
    pub pm: Pm,
    pub po: Po,
    pub roles: Roles,
    pub quality: Quality,
    pub release: Release,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risks: Vec<Risk>,
    /// `[calendar]`: dates for sprint numbers (none by default).
    #[serde(default, skip_serializing_if = "CalendarSpec::is_empty")]
    pub calendar: CalendarSpec,
    /// `[forecast]`: the "how many by when" question and the promised date.
    #[serde(default, skip_serializing_if = "ForecastSpec::is_empty")]
    pub forecast: ForecastSpec,
    /// `[sensitivity]`: ranges for `backsim sensitivity` that override the built-in table,
    /// keyed by dotted scenario key: `"pm.sync_interval" = [1, 8]` or
    /// `"po.myopia" = { low = 0, high = 0.8 }` (nested tables `[sensitivity.pm]` work too).
    #[serde(default, skip_serializing_if = "toml::Table::is_empty")]
    pub sensitivity: toml::Table,
    /// Which engine mechanisms are on (every one, unless `backsim attribute` switches some
    /// off on its own copy). Never a scenario key: not read from or written to TOML.
    #[serde(skip)]
    pub mechanisms: mask::MechanismMask,
}

/// `[simulation]`: how many runs of how long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Simulation {
    /// Replications.
    pub runs: u64,
    /// Sprints in the horizon.
    pub sprints: u32,
    /// Sprints after the horizon during which released value keeps flowing.
    pub value_tail_sprints: u32,
    pub seed: u64,
    /// Discount rate of value per sprint (0 = none).
    pub discount_rate: f64,
    /// Working days per sprint.
    pub sprint_days: u32,
    pub hours_per_day: f64,
    /// End a run when its release scope is done (forecasts); later sprints repeat the last state.
    pub stop_at_completion: bool,
    /// Which model runs the scenario: the PM/PO model, or a plain throughput forecast.
    pub model: ModelKind,
    /// Sprints played before sprint 1 on the same streams and not reported, so that the
    /// reported year starts from a steady state (roles model only; a throughput forecast
    /// starts from today's backlog).
    pub warmup_sprints: u32,
}

/// `simulation.model`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// The PM/PO model of the reference model: market, items, roles, team, quality.
    Roles,
    /// A plain Monte Carlo throughput forecast ("when will these N items be done?"): N items
    /// of one size and the team's capacity per sprint, nothing else. It is the roles model
    /// with every friction off, without the parts a forecast does not need (values, order).
    Throughput,
}

impl ModelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Roles => "roles",
            ModelKind::Throughput => "throughput",
        }
    }
}

/// `[team]`: capacity, lanes, commitment, tech debt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Story points the team can do in a sprint, before tech-debt drag.
    pub capacity: Dist,
    /// Parallel work streams.
    pub lanes: u32,
    /// Commitment = this × mean of the last `velocity_window` velocities.
    pub commitment_factor: f64,
    pub velocity_window: u32,
    /// Share of blocked time lost to context switching.
    pub context_switch_tax: f64,
    /// Guess or wait: a developer waits this long for an answer, then proceeds on a guess
    /// (0 = always wait).
    pub guess_after_hours: f64,
    /// A guess on an item of ambiguity a is wrong with probability min(1, this × a).
    pub wrong_guess_per_ambiguity: f64,
    pub initial_debt: f64,
    pub debt_per_feature_point: f64,
    /// Debt paid per enabler point when the debt stands at `debt_reference`; enablers pay
    /// in proportion to the debt there is (0 reference: a fixed amount per point).
    pub debt_paid_per_enabler_point: f64,
    pub debt_reference: f64,
    /// Debt accrued per feature point rises by this factor × sprint pressure.
    pub debt_pressure_factor: f64,
    /// Capacity drag per debt point, capped at `max_debt_drag`.
    pub debt_drag_per_point: f64,
    pub max_debt_drag: f64,
}

/// `[backlog]`: the items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backlog {
    pub initial_items: u32,
    /// Mean of the Poisson number of new items per sprint.
    pub arrivals_per_sprint: f64,
    /// True size of an item in story points.
    pub size: Dist,
    pub max_size: f64,
    pub enabler_share: f64,
    pub enabler_value_factor: f64,
    /// Shares of items with positive, zero and (the rest) slightly negative true value.
    pub positive_value_share: f64,
    pub zero_value_share: f64,
    /// Sigma of the lognormal magnitude of true value.
    pub value_sigma: f64,
    pub negative_value_factor: f64,
    pub urgency: UrgencyMix,
    /// Actual/estimate ratio: LogNormal(ln bias, sigma + sigma_per_ambiguity · a).
    pub estimate_bias: f64,
    pub estimate_sigma: f64,
    pub estimate_sigma_per_ambiguity: f64,
    /// Round estimates to 1, 2, 3, 5, 8, 13, 21.
    pub fibonacci: bool,
    /// Ambiguity at creation, in [0, 1].
    pub ambiguity: Dist,
    /// Each refinement multiplies ambiguity by this.
    pub refinement_factor: f64,
    /// An item is ready when its ambiguity is at most this.
    pub ready_threshold: f64,
    /// Probability that an item splits when first refined or planned.
    pub split_rate: f64,
    pub split_into: u32,
    /// Throughput model: ProjectForecaster-style split-rate samples; each run draws one
    /// (uniformly) and multiplies the initial item count by it (rounded to whole items).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub split_rate_samples: Vec<f64>,
    /// Throughput model: items added to the scope at the start of every sprint after the
    /// first, drawn from this distribution (rounded to whole items, negative counts as 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope_growth: Option<Dist>,
    /// Throughput model: a scope range, written as `initial_items = { dist = "uniform",
    /// min = 100, max = 140 }` (whole numbers from min to max, equally likely) or
    /// `{ dist = "empirical", values = [...] }`; each run draws its item count. On load it
    /// is moved here and `initial_items` holds its largest value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_items_range: Option<Dist>,
}

/// The largest item count of a scope range, or None for a distribution a range cannot be.
pub fn scope_range_max(d: &Dist) -> Option<f64> {
    match d {
        Dist::Constant { value } => Some(value.round()),
        Dist::Uniform { max, .. } => Some(max.floor()),
        Dist::Empirical { values } => values.iter().copied().reduce(f64::max).map(f64::round),
        _ => None,
    }
}

/// `[backlog.urgency]`: the cost-of-delay profiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrgencyMix {
    pub standard: f64,
    pub decaying: f64,
    pub short_window: f64,
    pub fixed_date: f64,
    /// Decaying items keep e^(−decay_rate · delay) of their value.
    pub decay_rate: f64,
    /// Short-window items keep e^(−delay / window_scale) and flow only `window_sprints`.
    pub window_scale: f64,
    pub window_sprints: u32,
    /// Fixed-date deadline: uniform in [deadline_min, deadline_max] sprints after creation.
    pub deadline_min: u32,
    pub deadline_max: u32,
    pub late_factor: f64,
}

/// `[market]`: strategic themes and how their weights move.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Market {
    pub themes: u32,
    pub drift_sigma: f64,
    /// Mean shocks per sprint.
    pub shock_rate: f64,
    pub shock_sigma: f64,
}

/// `[pm]`: the Product Manager (strategy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pm {
    /// false: no PM; the PO forms its own strategic view.
    pub enabled: bool,
    pub insight_sigma: f64,
    /// Sprints between roadmap syncs with the PO.
    pub sync_interval: u32,
    pub sync_fidelity: f64,
    /// Normalised Kendall distance between the PO's theme rankings before and after a change
    /// of view above which the change is a roadmap shock.
    pub shock_threshold: f64,
    pub shock_unready_probability: f64,
    pub shock_drop_probability: f64,
    /// How many items a PM override puts at the top of the order.
    pub override_top: u32,
}

/// `[po]`: the Product Owner (tactics).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Po {
    pub hours_per_sprint: f64,
    pub strategy_share: f64,
    pub support_share: f64,
    /// Support share at which the PO is fully available to the team.
    pub full_support_share: f64,
    pub min_availability: f64,
    /// Correlation between perceived and true value.
    pub value_skill: f64,
    /// Sigma of the lognormal belief that blurs the PO's view of value.
    pub belief_sigma: f64,
    /// Base discount of enablers in the PO's ordering (a person's trait). The effective
    /// myopia adds `myopia_per_strategy_share` × strategy share and
    /// `myopia_per_refinement_shortfall` × the refinement shortfall (capped at 0.95).
    pub myopia: f64,
    pub myopia_per_strategy_share: f64,
    pub myopia_per_refinement_shortfall: f64,
    /// Base probability of taking an unready item at planning; it rises towards 1 by
    /// `unready_per_buffer_shortfall` × the share of the commitment the ready buffer lacks.
    pub take_unready: f64,
    pub unready_per_buffer_shortfall: f64,
    /// Refinement costs refinement_hours · (1 + ambiguity) hours an item.
    pub refinement_hours: f64,
    /// Median hours a question waits for a decision, at full availability.
    pub decision_latency_hours: f64,
    pub decision_latency_sigma: f64,
    /// PO hours to answer one question; questions share the support hours, so a busy PO
    /// answers later (latency × 1 / (1 − load), load capped at 0.9).
    pub answer_hours: f64,
    /// Questions per item of the mean size: Poisson((questions_base + questions_per_ambiguity · a) · size / mean size).
    pub questions_base: f64,
    pub questions_per_ambiguity: f64,
    /// Without a PM: noise of the PO's own strategic view, how often it is formed, and the
    /// fidelity used where the model needs one.
    pub solo_insight_sigma: f64,
    pub solo_strategy_interval: u32,
    pub solo_fidelity: f64,
}

/// `[roles]`: overlap between the roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    /// Probability per sprint that the PM overrides the top of the PO's order.
    pub pm_override: f64,
    /// Base rate of conflicting directives; the effective rate adds
    /// `conflicts_per_override` × pm_override and `conflicts_per_misalignment` × the PM–PO
    /// misalignment of the sprint.
    pub conflicts_per_sprint: f64,
    pub conflicts_per_override: f64,
    pub conflicts_per_misalignment: f64,
    /// Share of conflicts that inject an unplanned item (the rest escalate).
    pub conflict_inject_share: f64,
    pub escalation_hours: f64,
    pub escalation_sigma: f64,
    /// Base probability per sprint that a requirement changes; × (1 + churn_per_misalignment
    /// × the PM–PO misalignment of the last hand-over).
    pub churn_probability: f64,
    pub churn_per_misalignment: f64,
    pub churn_ambiguity: f64,
    /// Share of done work lost when an item in progress changes.
    pub churn_rework_share: f64,
    /// A changed requirement grows by this share of its size (scope growth).
    pub churn_growth: f64,
    /// Ambiguity added to committed items whose theme PM and PO rank differently, × (1 − f).
    pub misalignment_ambiguity: f64,
}

/// `[quality]`: defects, bad fixes, wrong builds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quality {
    pub defects_per_point: f64,
    pub ambiguity_factor: f64,
    pub pressure_factor: f64,
    pub found_in_sprint: f64,
    pub found_later: f64,
    pub fix_points: f64,
    pub later_multiplier: f64,
    pub escaped_multiplier: f64,
    /// Probability per sprint that an escaped defect is reported.
    pub escaped_discovery_rate: f64,
    pub bad_fix_probability: f64,
    pub wrong_build_base: f64,
    pub wrong_build_ambiguity: f64,
    pub redo_share: f64,
}

/// What the release must contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseScope {
    /// Every item of the initial backlog.
    InitialBacklog,
    /// The top initial items by true priority, up to `scope_points`.
    Roadmap,
}

/// `[release]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    pub scope: ReleaseScope,
    /// For `roadmap`: true story points of the top items.
    pub scope_points: f64,
    /// Sprint by which the release was planned (release_delay = completion − this).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planned_sprint: Option<u32>,
    /// The team works the release scope before anything else (by CD3 within it).
    pub scope_first: bool,
}

/// The largest seed: a scenario file holds `simulation.seed` as a TOML integer (64-bit
/// signed), so a larger seed could be run but not written to `scenarios.toml` nor read back.
pub const MAX_SEED: u64 = i64::MAX as u64;

/// A seed given on the command line or to the live page, checked against [`MAX_SEED`].
pub fn check_seed(seed: u64) -> Result<u64, String> {
    if seed > MAX_SEED {
        Err(format!(
            "{seed} is above {MAX_SEED} (2⁶³ − 1), the largest seed a scenario file can hold; pick a smaller seed"
        ))
    } else {
        Ok(seed)
    }
}

/// Most items one risk adds, whatever `--allow-large` allows: the engines number a risk's
/// items in 20 bits of their ids (keys of their draws), the last number being its
/// `added_points` item, so more would share ids, and draws, with another risk's items.
pub const MAX_RISK_ITEMS: u32 = (1 << 20) - 1;

/// `[[risks]]`: a named risk that may strike once per run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Risk {
    pub name: String,
    pub probability: f64,
    /// Sprint window [first_sprint, last_sprint] (1-based, inclusive) in which it strikes.
    #[serde(default = "one")]
    pub first_sprint: u32,
    #[serde(default = "u32_max")]
    pub last_sprint: u32,
    /// Impact: items added to the release scope, drawn like other items (at most
    /// [`MAX_RISK_ITEMS`])...
    #[serde(default)]
    pub added_items: u32,
    /// ...and/or one unplanned item of this many points.
    #[serde(default)]
    pub added_points: f64,
}

/// `[calendar]`: a sprint is `simulation.sprint_days` working days (Monday to Friday,
/// holidays skipped), back to back from `start`; its date is its last working day.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarSpec {
    /// "YYYY-MM-DD": the first day of sprint 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// "YYYY-MM-DD" days that are not worked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<String>,
}

impl CalendarSpec {
    pub fn is_empty(&self) -> bool {
        self.start.is_none() && self.holidays.is_empty()
    }
}

/// `[forecast]`: "how many items by this date or sprint?" and the date that was promised.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForecastSpec {
    /// "YYYY-MM-DD" (needs `[calendar] start`): the target of the how-many question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_date: Option<String>,
    /// The target of the how-many question, as a sprint number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_sprint: Option<u32>,
    /// "YYYY-MM-DD" (needs `[calendar] start`): the date promised for the whole scope; its
    /// sprint is the last one that ends by then (instead of `release.planned_sprint`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promise_date: Option<String>,
}

impl ForecastSpec {
    pub fn is_empty(&self) -> bool {
        self.target_date.is_none() && self.target_sprint.is_none() && self.promise_date.is_none()
    }
}

impl Scenario {
    /// The scenario's calendar, if `[calendar] start` is set (validated dates).
    pub fn calendar(&self) -> Option<crate::calendar::Calendar> {
        use crate::calendar::{Calendar, Date};
        let start = Date::parse_iso(self.calendar.start.as_deref()?).ok()?;
        let holidays: Vec<Date> = self
            .calendar
            .holidays
            .iter()
            .filter_map(|h| Date::parse_iso(h).ok())
            .collect();
        Some(Calendar::new(start, &holidays, self.simulation.sprint_days))
    }

    /// The target sprint of the how-many question, if any: `forecast.target_sprint`, or the
    /// last sprint that ends by `forecast.target_date`.
    pub fn target_sprint(&self) -> Option<u32> {
        if let Some(k) = self.forecast.target_sprint {
            return Some(k);
        }
        let date = crate::calendar::Date::parse_iso(self.forecast.target_date.as_deref()?).ok()?;
        Some(self.calendar()?.sprint_by(date))
    }

    /// The promised sprint: the last that ends by `forecast.promise_date`, else
    /// `release.planned_sprint`.
    pub fn promised_sprint(&self) -> Option<u32> {
        if let Some(p) = &self.forecast.promise_date {
            let date = crate::calendar::Date::parse_iso(p).ok()?;
            return Some(self.calendar()?.sprint_by(date));
        }
        self.release.planned_sprint
    }
}

fn one() -> u32 {
    1
}

fn u32_max() -> u32 {
    u32::MAX
}

impl Scenario {
    /// Sprints in the horizon plus the value tail.
    pub fn value_horizon(&self) -> u32 {
        self.simulation.sprints + self.simulation.value_tail_sprints
    }

    pub fn sprint_hours(&self) -> f64 {
        self.simulation.sprint_days as f64 * self.simulation.hours_per_day
    }

    /// Record the run count and seed a command resolved (its flags over the file's values),
    /// so that the scenario, as written to scenarios.toml or sent on, says what was run.
    pub fn resolve_runs(&mut self, runs: u64, seed: u64) {
        self.simulation.runs = runs;
        self.simulation.seed = seed;
    }
}
