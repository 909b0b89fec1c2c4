//! The lever table: every scenario key declared once, with its type, default, unit, valid
//! range, checks, sensitivity range and one-line meaning.
//!
//! The defaults of every scenario (`Scenario::default()`, the base layer of every file, see
//! `defaults`) are built from this table's defaults ([`Def`]) and nothing else; validation
//! (`validate`), the sensitivity ranges (`params::default_ranges`), the kind of a key for
//! `--param` (`kind_of`) and the key tables in `docs/scenario-format.md` all read it too; a
//! test fails when the docs and the table disagree. `[[risks]]` (an array of tables) and the
//! top level (`name`, `description`, `extends`) are not levers and are checked in `validate`.

use crate::error::input_error;
use crate::scenario::Scenario;
use anyhow::Result;

/// What a key holds, as the docs name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// A whole number.
    Int,
    /// A real number.
    Float,
    Bool,
    /// A distribution (`{ dist = "…", … }`).
    Dist,
    /// A word from a fixed list.
    Text,
    /// A table of further keys.
    Table,
    /// A list of words (dates).
    TextList,
}

impl Type {
    /// The word the docs use.
    pub fn name(self) -> &'static str {
        match self {
            Type::Int => "int",
            Type::Float => "float",
            Type::Bool => "bool",
            Type::Dist => "dist",
            Type::Text => "string",
            Type::Table => "table",
            Type::TextList => "array of strings",
        }
    }
}

/// A size limit that `--allow-large` raises (see `validate::Limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Max {
    Runs,
    Sprints,
    Items,
    Arrivals,
    Lanes,
}

/// One rule a key's value must follow; `validate` applies them in table order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Check {
    /// In [0, 1].
    Probability,
    /// ≥ 0.
    NonNegative,
    /// > 0.
    Positive,
    /// A whole number ≥ this.
    AtLeast(u64),
    /// At most this (the reason is shown).
    AtMost(f64, &'static str),
    /// At most a size limit (the reason is shown).
    Limit(Max, &'static str),
    /// A valid distribution whose values lie in [low, high].
    Dist(f64, f64),
}

/// The range `backsim sensitivity` varies a lever over by default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sens {
    /// The key itself: (place in a Morris design, low, high).
    Own(usize, f64, f64),
    /// A parameter of the key's distribution (`team.capacity` → `team.capacity.cv`): (the
    /// parameter, place in a Morris design, low, high).
    Param(&'static str, usize, f64, f64),
}

/// A key's default: the one place it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Def {
    /// The value as TOML text (`1000`, `0.9`, `"roles"`, `{ dist = "gamma", mean = 30.0,
    /// cv = 0.15 }`, `[]`); the docs show it as written (text, lists and distributions in
    /// backticks). Floats are written with a point (`8.0`): a scenario holds them as floats.
    Is(&'static str),
    /// The value as TOML text, and what the docs show instead (`0.3333… (1/3)`).
    IsShown(&'static str, &'static str),
    /// No value: an optional key (the docs say "none").
    Unset,
    /// A table of further keys, each with its own default (the docs say "see below").
    SeeBelow,
}

/// One scenario key.
#[derive(Debug, Clone, Copy)]
pub struct Lever {
    /// Dotted key: `[section]` then name (`backlog.urgency.decay_rate`).
    pub key: &'static str,
    pub ty: Type,
    /// The default (the scenario's defaults are built from it).
    pub default: Def,
    pub unit: &'static str,
    /// The valid range as the docs write it (`p` is a probability; † a limit `--allow-large`
    /// raises, to the bracketed value).
    pub range: &'static str,
    pub checks: &'static [Check],
    pub sensitivity: Option<Sens>,
    pub meaning: &'static str,
}

impl Lever {
    /// The section (`backlog.urgency`) and the name (`decay_rate`).
    pub fn section_and_name(&self) -> (&'static str, &'static str) {
        self.key
            .rsplit_once('.')
            .expect("every lever is in a section")
    }

    /// The default as TOML text, if the key has one.
    pub fn default_toml(&self) -> Option<&'static str> {
        match self.default {
            Def::Is(v) | Def::IsShown(v, _) => Some(v),
            Def::Unset | Def::SeeBelow => None,
        }
    }

    /// The default as a TOML value, if the key has one.
    pub fn default_value(&self) -> Option<toml::Value> {
        let text = self.default_toml()?;
        let doc: toml::Table = format!("v = {text}")
            .parse()
            .unwrap_or_else(|e| panic!("{}: the default {text} is not TOML: {e}", self.key));
        doc.into_iter().next().map(|(_, v)| v)
    }

    /// The default as the docs' key table shows it.
    pub fn default_shown(&self) -> String {
        match self.default {
            Def::Is(v) => match self.ty {
                Type::Int | Type::Float | Type::Bool => v.to_string(),
                Type::Dist | Type::Text | Type::Table | Type::TextList => format!("`{v}`"),
            },
            Def::IsShown(_, shown) => shown.to_string(),
            Def::Unset => "none".into(),
            Def::SeeBelow => "see below".into(),
        }
    }

    /// The key's row of the docs' key table.
    pub fn markdown_row(&self) -> String {
        let (_, name) = self.section_and_name();
        let name = format!("`{name}`");
        let shown = self.default_shown();
        let cells = [
            name.as_str(),
            self.ty.name(),
            shown.as_str(),
            self.unit,
            self.range,
            self.meaning,
        ];
        let mut row = String::from("|");
        for cell in cells {
            if cell.is_empty() {
                row.push_str(" |");
            } else {
                row.push_str(&format!(" {cell} |"));
            }
        }
        row
    }
}

use Check::*;
use Def::*;

/// Every lever, section by section in the docs' order; within a section, in the order
/// validation reports problems.
#[rustfmt::skip]
pub const LEVERS: &[Lever] = &[
    Lever { key: "simulation.runs", ty: Type::Int, default: Is("1000"), unit: "replications", range: "1 … 10,000,000† [10¹²]", checks: &[AtLeast(1), Limit(Max::Runs, "each run takes time; results are streamed but time is not")], sensitivity: None, meaning: "replications; `run --runs` overrides; in a comparison the baseline's value is used" },
    Lever { key: "simulation.sprints", ty: Type::Int, default: Is("26"), unit: "sprints", range: "1 … 1,000† [20,000]", checks: &[AtLeast(1), Limit(Max::Sprints, "per-sprint bands are kept per sprint")], sensitivity: None, meaning: "the horizon" },
    Lever { key: "simulation.value_tail_sprints", ty: Type::Int, default: Is("26"), unit: "sprints", range: "0 … 1,000† [20,000]", checks: &[Limit(Max::Sprints, "the market is simulated over the tail too")], sensitivity: None, meaning: "sprints after the horizon during which released value keeps flowing" },
    Lever { key: "simulation.seed", ty: Type::Int, default: Is("42"), unit: "–", range: "0 to 2⁶³ − 1", checks: &[], sensitivity: None, meaning: "seed of all random streams; `run --seed` overrides; in a comparison the baseline's value is used" },
    Lever { key: "simulation.discount_rate", ty: Type::Float, default: Is("0.0"), unit: "per sprint", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "value in sprint t × (1 + r)^−t" },
    Lever { key: "simulation.sprint_days", ty: Type::Int, default: Is("10"), unit: "working days", range: "1 … 100", checks: &[AtLeast(1), AtMost(100.0, "a sprint is at most 100 working days")], sensitivity: None, meaning: "" },
    Lever { key: "simulation.hours_per_day", ty: Type::Float, default: Is("8.0"), unit: "hours", range: "> 0, ≤ 24", checks: &[Positive, AtMost(24.0, "a day has 24 hours")], sensitivity: None, meaning: "" },
    Lever { key: "simulation.stop_at_completion", ty: Type::Bool, default: Is("false"), unit: "–", range: "", checks: &[], sensitivity: None, meaning: "end a run when its release scope is done (forecasts)" },
    Lever { key: "simulation.model", ty: Type::Text, default: Is("\"roles\""), unit: "–", range: "`\"roles\"`, `\"throughput\"`", checks: &[], sensitivity: None, meaning: "`\"roles\"`: the PM/PO model; `\"throughput\"`: a plain throughput forecast (below)" },
    Lever { key: "simulation.warmup_sprints", ty: Type::Int, default: Is("12"), unit: "sprints", range: "0 … 1,000† [20,000]", checks: &[Limit(Max::Sprints, "warm-up sprints are simulated like the others")], sensitivity: None, meaning: "sprints played before sprint 1 on the same random streams and not reported, so the year starts from a steady state; the release scope is chosen at its end; value flowing in the year from warm-up releases counts. Roles model only (a throughput forecast starts from today's backlog); 0 = a cold start" },
    Lever { key: "team.capacity", ty: Type::Dist, default: Is("{ dist = \"gamma\", mean = 30.0, cv = 0.15 }"), unit: "SP per sprint", range: "values in [0, 10⁶]", checks: &[Dist(0.0, 1e6)], sensitivity: Some(Sens::Param("cv", 12, 0.1, 0.3)), meaning: "capacity before tech-debt drag, one draw per sprint" },
    Lever { key: "team.lanes", ty: Type::Int, default: Is("3"), unit: "–", range: "1 … 64† [1,000]", checks: &[AtLeast(1), Limit(Max::Lanes, "lanes are simulated one by one")], sensitivity: Some(Sens::Own(13, 2.0, 4.0)), meaning: "parallel work streams" },
    Lever { key: "team.commitment_factor", ty: Type::Float, default: Is("0.9"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "commitment = factor × mean of the last `velocity_window` velocities" },
    Lever { key: "team.velocity_window", ty: Type::Int, default: Is("3"), unit: "sprints", range: "1 … 64", checks: &[AtLeast(1), AtMost(64.0, "the velocity history is kept in a fixed buffer")], sensitivity: None, meaning: "" },
    Lever { key: "team.context_switch_tax", ty: Type::Float, default: Is("0.2"), unit: "share", range: "p", checks: &[Probability], sensitivity: None, meaning: "share of blocked time a lane loses" },
    Lever { key: "team.guess_after_hours", ty: Type::Float, default: Is("8.0"), unit: "working hours", range: "≥ 0", checks: &[NonNegative], sensitivity: Some(Sens::Own(20, 4.0, 16.0)), meaning: "guess or wait: a question not answered within this time is worked on a guess (0 = always wait)" },
    Lever { key: "team.wrong_guess_per_ambiguity", ty: Type::Float, default: Is("2.0"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: Some(Sens::Own(21, 1.0, 3.0)), meaning: "a guess is wrong with probability min(1, this × ambiguity); work on a wrong guess, until the answer, is rework" },
    Lever { key: "team.initial_debt", ty: Type::Float, default: Is("20.0"), unit: "debt points", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "" },
    Lever { key: "team.debt_per_feature_point", ty: Type::Float, default: Is("0.1"), unit: "debt / SP", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "debt added per feature point delivered" },
    Lever { key: "team.debt_paid_per_enabler_point", ty: Type::Float, default: Is("0.4"), unit: "debt / SP", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "debt paid per enabler point delivered when the debt stands at `debt_reference` (in proportion to the debt otherwise; floor 0)" },
    Lever { key: "team.debt_reference", ty: Type::Float, default: Is("20.0"), unit: "debt", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "debt at which an enabler point pays `debt_paid_per_enabler_point`; 0 = a fixed amount per point" },
    Lever { key: "team.debt_pressure_factor", ty: Type::Float, default: Is("1.0"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "debt per feature point × (1 + this × the sprint's pressure)" },
    Lever { key: "team.debt_drag_per_point", ty: Type::Float, default: Is("0.004"), unit: "share / debt point", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "capacity × (1 − min(max_debt_drag, this × debt))" },
    Lever { key: "team.max_debt_drag", ty: Type::Float, default: Is("0.4"), unit: "share", range: "p", checks: &[Probability], sensitivity: None, meaning: "" },
    Lever { key: "backlog.initial_items", ty: Type::Int, default: Is("60"), unit: "items", range: "0 … 100,000† [10⁷]", checks: &[Limit(Max::Items, "every item is simulated")], sensitivity: None, meaning: "the backlog at sprint 0" },
    Lever { key: "backlog.arrivals_per_sprint", ty: Type::Float, default: Is("6.0"), unit: "items / sprint", range: "0 … 1,000† [100,000]", checks: &[NonNegative, Limit(Max::Arrivals, "every item is simulated")], sensitivity: Some(Sens::Own(16, 4.0, 8.0)), meaning: "mean of the Poisson number of new items per sprint" },
    Lever { key: "backlog.size", ty: Type::Dist, default: Is("{ dist = \"lognormal\", median = 3.0, sigma = 0.75 }"), unit: "SP", range: "values in [0, 10⁶]", checks: &[Dist(0.0, 1e6)], sensitivity: None, meaning: "true size; clamped to [0, `max_size`]" },
    Lever { key: "backlog.max_size", ty: Type::Float, default: Is("21.0"), unit: "SP", range: "> 0", checks: &[Positive], sensitivity: None, meaning: "" },
    Lever { key: "backlog.enabler_share", ty: Type::Float, default: Is("0.2"), unit: "share", range: "p", checks: &[Probability], sensitivity: None, meaning: "share of enablers (architecture, debt, platform work)" },
    Lever { key: "backlog.enabler_value_factor", ty: Type::Float, default: Is("0.3"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "enablers' true value × this" },
    Lever { key: "backlog.positive_value_share", ty: Type::Float, default: IsShown("0.3333333333333333", "0.3333… (1/3)"), unit: "share", range: "p", checks: &[Probability], sensitivity: None, meaning: "items with positive true value" },
    Lever { key: "backlog.zero_value_share", ty: Type::Float, default: IsShown("0.3333333333333333", "0.3333… (1/3)"), unit: "share", range: "p; positive + zero ≤ 1", checks: &[Probability], sensitivity: None, meaning: "items with zero value; the rest are slightly negative" },
    Lever { key: "backlog.value_sigma", ty: Type::Float, default: Is("1.5"), unit: "–", range: "0 … 5", checks: &[NonNegative, AtMost(5.0, "larger sigmas overflow the value scale")], sensitivity: Some(Sens::Own(17, 1.0, 2.0)), meaning: "sigma of the lognormal magnitude of true value" },
    Lever { key: "backlog.negative_value_factor", ty: Type::Float, default: Is("0.25"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "negative items: −factor × magnitude" },
    Lever { key: "backlog.urgency", ty: Type::Table, default: SeeBelow, unit: "", range: "", checks: &[], sensitivity: None, meaning: "" },
    Lever { key: "backlog.estimate_bias", ty: Type::Float, default: Is("1.1"), unit: "ratio", range: "> 0", checks: &[Positive], sensitivity: None, meaning: "median actual/estimate ratio" },
    Lever { key: "backlog.estimate_sigma", ty: Type::Float, default: Is("0.5"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "sigma of the log ratio…" },
    Lever { key: "backlog.estimate_sigma_per_ambiguity", ty: Type::Float, default: Is("0.3"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "…plus this × ambiguity" },
    Lever { key: "backlog.fibonacci", ty: Type::Bool, default: Is("true"), unit: "–", range: "", checks: &[], sensitivity: None, meaning: "round estimates to 1, 2, 3, 5, 8, 13, 21" },
    Lever { key: "backlog.ambiguity", ty: Type::Dist, default: Is("{ dist = \"beta\", a = 2.0, b = 2.0 }"), unit: "–", range: "values in [0, 1]", checks: &[Dist(0.0, 1.0)], sensitivity: None, meaning: "ambiguity at creation; clamped to [0, 1]" },
    Lever { key: "backlog.refinement_factor", ty: Type::Float, default: Is("0.4"), unit: "–", range: "p", checks: &[Probability], sensitivity: None, meaning: "each refinement multiplies ambiguity by this" },
    Lever { key: "backlog.ready_threshold", ty: Type::Float, default: Is("0.4"), unit: "–", range: "p", checks: &[Probability], sensitivity: None, meaning: "ready when ambiguity ≤ this" },
    Lever { key: "backlog.split_rate", ty: Type::Float, default: Is("0.0"), unit: "–", range: "p", checks: &[Probability], sensitivity: None, meaning: "probability that an item splits when first refined or planned" },
    Lever { key: "backlog.split_into", ty: Type::Int, default: Is("2"), unit: "items", range: "2 … 16", checks: &[AtLeast(2), AtMost(16.0, "an item splits into at most 16")], sensitivity: None, meaning: "parts of a split item (each keeps the size, value / parts)" },
    Lever { key: "backlog.urgency.standard", ty: Type::Float, default: Is("0.5"), unit: "share", range: "p", checks: &[Probability], sensitivity: None, meaning: "delay only shifts value" },
    Lever { key: "backlog.urgency.decaying", ty: Type::Float, default: Is("0.2"), unit: "share", range: "p", checks: &[Probability], sensitivity: None, meaning: "value × e^(−decay_rate · delay)" },
    Lever { key: "backlog.urgency.short_window", ty: Type::Float, default: Is("0.15"), unit: "share", range: "p", checks: &[Probability], sensitivity: None, meaning: "value × e^(−delay / window_scale), flows `window_sprints`" },
    Lever { key: "backlog.urgency.fixed_date", ty: Type::Float, default: Is("0.15"), unit: "share", range: "p; the four shares sum to 1 (±10⁻⁶)", checks: &[Probability], sensitivity: None, meaning: "value × late_factor if released after the deadline" },
    Lever { key: "backlog.urgency.decay_rate", ty: Type::Float, default: Is("0.02"), unit: "per sprint", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "" },
    Lever { key: "backlog.urgency.window_scale", ty: Type::Float, default: Is("4.0"), unit: "sprints", range: "> 0", checks: &[Positive], sensitivity: None, meaning: "" },
    Lever { key: "backlog.urgency.window_sprints", ty: Type::Int, default: Is("8"), unit: "sprints", range: "≥ 1", checks: &[AtLeast(1)], sensitivity: None, meaning: "" },
    Lever { key: "backlog.urgency.deadline_min", ty: Type::Int, default: Is("4"), unit: "sprints after creation", range: "≤ `deadline_max`", checks: &[], sensitivity: None, meaning: "" },
    Lever { key: "backlog.urgency.deadline_max", ty: Type::Int, default: Is("16"), unit: "sprints after creation", range: "≥ `deadline_min`, ≤ 100,000", checks: &[AtMost(100000.0, "deadlines are counted in sprints")], sensitivity: None, meaning: "" },
    Lever { key: "backlog.urgency.late_factor", ty: Type::Float, default: Is("0.2"), unit: "–", range: "p", checks: &[Probability], sensitivity: None, meaning: "" },
    Lever { key: "market.themes", ty: Type::Int, default: Is("6"), unit: "–", range: "1 … 64", checks: &[AtLeast(1), AtMost(64.0, "themes are ranked by pairs every sprint")], sensitivity: None, meaning: "strategic themes" },
    Lever { key: "market.drift_sigma", ty: Type::Float, default: Is("0.1"), unit: "per sprint", range: "≥ 0", checks: &[NonNegative], sensitivity: Some(Sens::Own(18, 0.05, 0.2)), meaning: "random walk of log theme weights" },
    Lever { key: "market.shock_rate", ty: Type::Float, default: IsShown("0.07692307692307693", "0.07692… (1/13)"), unit: "shocks / sprint", range: "0 … 100", checks: &[NonNegative, AtMost(100.0, "shocks are drawn one by one")], sensitivity: Some(Sens::Own(19, 0.04, 0.15)), meaning: "" },
    Lever { key: "market.shock_sigma", ty: Type::Float, default: Is("1.0"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "a shock multiplies a weight by LogNormal(0, this)" },
    Lever { key: "pm.enabled", ty: Type::Bool, default: Is("true"), unit: "–", range: "", checks: &[], sensitivity: None, meaning: "false: no PM, the PO forms its own strategic view" },
    Lever { key: "pm.insight_sigma", ty: Type::Float, default: Is("0.2"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: Some(Sens::Own(2, 0.1, 0.4)), meaning: "sigma of the PM's persistent log misreading of each theme" },
    Lever { key: "pm.sync_interval", ty: Type::Int, default: Is("1"), unit: "sprints", range: "≥ 1", checks: &[AtLeast(1)], sensitivity: Some(Sens::Own(0, 1.0, 6.0)), meaning: "sprints between roadmap hand-overs" },
    Lever { key: "pm.sync_fidelity", ty: Type::Float, default: Is("0.9"), unit: "–", range: "p", checks: &[Probability], sensitivity: Some(Sens::Own(1, 0.5, 0.95)), meaning: "f: log ŵ_PO ← f · log ŵ_PM + (1 − f) · log ŵ_PO" },
    Lever { key: "pm.shock_threshold", ty: Type::Float, default: Is("0.25"), unit: "–", range: "p", checks: &[Probability], sensitivity: None, meaning: "Kendall distance of the PO's theme ranking above which a hand-over is a roadmap shock" },
    Lever { key: "pm.shock_unready_probability", ty: Type::Float, default: Is("0.5"), unit: "–", range: "p", checks: &[Probability], sensitivity: None, meaning: "ready items of demoted themes lose readiness" },
    Lever { key: "pm.shock_drop_probability", ty: Type::Float, default: Is("0.3"), unit: "–", range: "p", checks: &[Probability], sensitivity: None, meaning: "started items of demoted themes are dropped" },
    Lever { key: "pm.override_top", ty: Type::Int, default: Is("5"), unit: "items", range: "0 … 1,000", checks: &[AtMost(1000.0, "the PM overrides at most the top 1000 items")], sensitivity: None, meaning: "items a PM override puts at the top" },
    Lever { key: "po.hours_per_sprint", ty: Type::Float, default: Is("80.0"), unit: "hours", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "" },
    Lever { key: "po.strategy_share", ty: Type::Float, default: Is("0.15"), unit: "share", range: "p", checks: &[Probability], sensitivity: Some(Sens::Own(3, 0.1, 0.55)), meaning: "" },
    Lever { key: "po.support_share", ty: Type::Float, default: Is("0.35"), unit: "share", range: "p; strategy + support ≤ 1", checks: &[Probability], sensitivity: Some(Sens::Own(4, 0.2, 0.4)), meaning: "time with the team; the rest is refinement" },
    Lever { key: "po.full_support_share", ty: Type::Float, default: Is("0.35"), unit: "share", range: "> 0", checks: &[Positive], sensitivity: None, meaning: "availability = clamp(support / this, min_availability, 1)" },
    Lever { key: "po.min_availability", ty: Type::Float, default: Is("0.2"), unit: "–", range: "(0, 1]", checks: &[Probability], sensitivity: None, meaning: "" },
    Lever { key: "po.value_skill", ty: Type::Float, default: Is("0.35"), unit: "correlation", range: "p", checks: &[Probability], sensitivity: Some(Sens::Own(6, 0.2, 0.5)), meaning: "corr(perceived, true value)" },
    Lever { key: "po.belief_sigma", ty: Type::Float, default: Is("0.5"), unit: "–", range: "0 … 5", checks: &[NonNegative, AtMost(5.0, "larger sigmas overflow the value scale")], sensitivity: None, meaning: "sigma of the lognormal belief in perceived value" },
    Lever { key: "po.myopia", ty: Type::Float, default: Is("0.0"), unit: "–", range: "p", checks: &[Probability], sensitivity: Some(Sens::Own(7, 0.0, 0.6)), meaning: "base myopia (a person's trait); enablers' score × (1 − effective myopia)" },
    Lever { key: "po.myopia_per_strategy_share", ty: Type::Float, default: Is("0.5"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "effective myopia + this × `strategy_share` (strategic load)" },
    Lever { key: "po.myopia_per_refinement_shortfall", ty: Type::Float, default: Is("0.5"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "effective myopia + this × the refinement shortfall (capped at 0.95 in all)" },
    Lever { key: "po.take_unready", ty: Type::Float, default: Is("0.1"), unit: "–", range: "p", checks: &[Probability], sensitivity: Some(Sens::Own(8, 0.1, 0.5)), meaning: "base probability that planning takes an unready item" },
    Lever { key: "po.unready_per_buffer_shortfall", ty: Type::Float, default: Is("0.5"), unit: "–", range: "p", checks: &[Probability], sensitivity: None, meaning: "the probability rises by (1 − base) × this × the share of the open commitment the ready buffer lacks" },
    Lever { key: "po.refinement_hours", ty: Type::Float, default: Is("3.0"), unit: "hours", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "an item costs this × (1 + ambiguity)" },
    Lever { key: "po.decision_latency_hours", ty: Type::Float, default: Is("1.0"), unit: "working hours", range: "≥ 0", checks: &[NonNegative], sensitivity: Some(Sens::Own(5, 1.0, 8.0)), meaning: "median wait for a decision at full availability" },
    Lever { key: "po.decision_latency_sigma", ty: Type::Float, default: Is("1.0"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "" },
    Lever { key: "po.answer_hours", ty: Type::Float, default: Is("1.0"), unit: "hours", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "PO hours per question (question queue: latency × 1/(1 − load), load ≤ 0.9)" },
    Lever { key: "po.questions_base", ty: Type::Float, default: Is("0.5"), unit: "questions / item of mean size", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "questions ~ Poisson((base + per_ambiguity × a) × size / mean size), at most 16" },
    Lever { key: "po.questions_per_ambiguity", ty: Type::Float, default: Is("3.0"), unit: "questions / item of mean size", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "" },
    Lever { key: "po.solo_insight_sigma", ty: Type::Float, default: Is("0.5"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "no PM: noise of the PO's own view (also the PO's initial view)" },
    Lever { key: "po.solo_strategy_interval", ty: Type::Int, default: Is("3"), unit: "sprints", range: "≥ 1", checks: &[AtLeast(1)], sensitivity: None, meaning: "no PM: how often the PO re-forms its view" },
    Lever { key: "po.solo_fidelity", ty: Type::Float, default: Is("0.7"), unit: "–", range: "p", checks: &[Probability], sensitivity: None, meaning: "no PM: f for scope recognition and wrong builds" },
    Lever { key: "roles.pm_override", ty: Type::Float, default: Is("0.0"), unit: "per sprint", range: "p", checks: &[Probability], sensitivity: Some(Sens::Own(9, 0.0, 0.5)), meaning: "probability that the PM reorders the top of the order" },
    Lever { key: "roles.conflicts_per_sprint", ty: Type::Float, default: Is("0.1"), unit: "per sprint", range: "0 … 16", checks: &[NonNegative, AtMost(16.0, "at most 16 conflicts are kept per sprint")], sensitivity: Some(Sens::Own(10, 0.1, 1.5)), meaning: "base rate of conflicting directives (Poisson mean)" },
    Lever { key: "roles.conflicts_per_override", ty: Type::Float, default: Is("2.0"), unit: "per sprint", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "+ this × `pm_override` (shared authority); the effective rate is capped at 16" },
    Lever { key: "roles.conflicts_per_misalignment", ty: Type::Float, default: Is("1.0"), unit: "per sprint", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "+ this × the PM–PO misalignment of the sprint (Kendall distance of their theme rankings)" },
    Lever { key: "roles.conflict_inject_share", ty: Type::Float, default: Is("0.5"), unit: "share", range: "p", checks: &[Probability], sensitivity: None, meaning: "share that inject an unplanned item (the rest escalate)" },
    Lever { key: "roles.escalation_hours", ty: Type::Float, default: Is("8.0"), unit: "working hours", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "median escalation delay" },
    Lever { key: "roles.escalation_sigma", ty: Type::Float, default: Is("1.0"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "" },
    Lever { key: "roles.churn_probability", ty: Type::Float, default: Is("0.02"), unit: "per item per sprint", range: "p", checks: &[Probability], sensitivity: Some(Sens::Own(11, 0.02, 0.06)), meaning: "base probability that a requirement changes" },
    Lever { key: "roles.churn_per_misalignment", ty: Type::Float, default: Is("4.0"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "churn × (1 + this × the PM–PO misalignment after last sprint's hand-over)" },
    Lever { key: "roles.churn_ambiguity", ty: Type::Float, default: Is("0.3"), unit: "–", range: "p", checks: &[Probability], sensitivity: None, meaning: "ambiguity added by a change" },
    Lever { key: "roles.churn_rework_share", ty: Type::Float, default: Is("0.5"), unit: "share", range: "p", checks: &[Probability], sensitivity: None, meaning: "share of done work lost when an item in progress changes" },
    Lever { key: "roles.churn_growth", ty: Type::Float, default: Is("0.35"), unit: "share", range: "0 … 10", checks: &[NonNegative, AtMost(10.0, "a change at most multiplies an item's size by 11")], sensitivity: None, meaning: "a change also grows the item by this share of its size (scope growth: 0.02 × 0.35 × 26/12 = 1.5 % a month at the base churn)" },
    Lever { key: "roles.misalignment_ambiguity", ty: Type::Float, default: Is("0.3"), unit: "–", range: "p", checks: &[Probability], sensitivity: None, meaning: "ambiguity × (1 − f) added to committed items whose theme PM and PO rank differently" },
    Lever { key: "quality.defects_per_point", ty: Type::Float, default: Is("0.25"), unit: "defects / SP", range: "0 … 10", checks: &[NonNegative, AtMost(10.0, "defects are simulated one by one")], sensitivity: Some(Sens::Own(14, 0.15, 0.35)), meaning: "" },
    Lever { key: "quality.ambiguity_factor", ty: Type::Float, default: Is("2.0"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "× (1 + this × ambiguity)" },
    Lever { key: "quality.pressure_factor", ty: Type::Float, default: Is("0.5"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "× (1 + this × pressure)" },
    Lever { key: "quality.found_in_sprint", ty: Type::Float, default: Is("0.6"), unit: "share", range: "p", checks: &[Probability], sensitivity: None, meaning: "" },
    Lever { key: "quality.found_later", ty: Type::Float, default: Is("0.25"), unit: "share", range: "p; in_sprint + later ≤ 1", checks: &[Probability], sensitivity: None, meaning: "the rest escape to production" },
    Lever { key: "quality.fix_points", ty: Type::Float, default: Is("0.25"), unit: "SP", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "fix of a defect found in sprint" },
    Lever { key: "quality.later_multiplier", ty: Type::Float, default: Is("3.0"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "fix of a defect found later: fix_points × this" },
    Lever { key: "quality.escaped_multiplier", ty: Type::Float, default: Is("10.0"), unit: "–", range: "≥ 0", checks: &[NonNegative], sensitivity: Some(Sens::Own(15, 5.0, 15.0)), meaning: "fix of an escaped defect: fix_points × this" },
    Lever { key: "quality.escaped_discovery_rate", ty: Type::Float, default: Is("0.5"), unit: "per sprint", range: "p", checks: &[Probability], sensitivity: None, meaning: "probability that an escaped defect is reported" },
    Lever { key: "quality.bad_fix_probability", ty: Type::Float, default: Is("0.07"), unit: "–", range: "0 … 0.9", checks: &[Probability], sensitivity: None, meaning: "a fix breeds a new defect" },
    Lever { key: "quality.wrong_build_base", ty: Type::Float, default: Is("0.02"), unit: "–", range: "p", checks: &[Probability], sensitivity: None, meaning: "wrong build: base + ambiguity_coef × a × (1 − f)" },
    Lever { key: "quality.wrong_build_ambiguity", ty: Type::Float, default: Is("0.3"), unit: "–", range: "p", checks: &[Probability], sensitivity: None, meaning: "" },
    Lever { key: "quality.redo_share", ty: Type::Float, default: Is("0.5"), unit: "share", range: "p", checks: &[Probability], sensitivity: None, meaning: "redo size / original size" },
    Lever { key: "release.scope", ty: Type::Text, default: Is("\"roadmap\""), unit: "–", range: "`\"roadmap\"` or `\"initial_backlog\"`", checks: &[], sensitivity: None, meaning: "roadmap: the top initial items by true CD3 up to `scope_points`; initial_backlog: every initial item" },
    Lever { key: "release.scope_points", ty: Type::Float, default: Is("120.0"), unit: "SP (true size)", range: "≥ 0", checks: &[NonNegative], sensitivity: None, meaning: "" },
    Lever { key: "release.planned_sprint", ty: Type::Int, default: Is("6"), unit: "sprint (1-based)", range: "≤ 1,000† [20,000]", checks: &[Limit(Max::Sprints, "sprints are counted in whole numbers up to the sprint limit")], sensitivity: None, meaning: "release_delay = completion − this" },
    Lever { key: "release.scope_first", ty: Type::Bool, default: Is("true"), unit: "–", range: "", checks: &[], sensitivity: None, meaning: "the team works the (known) release scope before anything else" },
    Lever { key: "calendar.start", ty: Type::Text, default: Unset, unit: "`\"YYYY-MM-DD\"`", range: "a calendar day", checks: &[], sensitivity: None, meaning: "the first day of sprint 1 (a weekend start moves to the Monday)" },
    Lever { key: "calendar.holidays", ty: Type::TextList, default: Is("[]"), unit: "`\"YYYY-MM-DD\"`", range: "calendar days; needs `start`", checks: &[], sensitivity: None, meaning: "days not worked (weekend days and days before `start` have no effect)" },
    Lever { key: "forecast.target_sprint", ty: Type::Int, default: Unset, unit: "sprint (1-based)", range: "1 … `simulation.sprints`", checks: &[], sensitivity: None, meaning: "\"how many items by this sprint?\"" },
    Lever { key: "forecast.target_date", ty: Type::Text, default: Unset, unit: "`\"YYYY-MM-DD\"`", range: "needs `[calendar] start`; a sprint must end by it, within the horizon", checks: &[], sensitivity: None, meaning: "the same question by a date (the last sprint that ends by it); not with `target_sprint`" },
    Lever { key: "forecast.promise_date", ty: Type::Text, default: Unset, unit: "`\"YYYY-MM-DD\"`", range: "needs `[calendar] start`", checks: &[], sensitivity: None, meaning: "the date promised for the whole scope; the terminal gives the share of runs done by then (instead of `release.planned_sprint`; `release_delay_sprints` still counts from `planned_sprint`)" },
];

/// The lever with this dotted key.
pub fn lever(key: &str) -> Option<&'static Lever> {
    LEVERS.iter().find(|l| l.key == key)
}

/// The sensitivity ranges of the table, (key, low, high), in the order a Morris design takes
/// them (the place each range declares: the draws of a design follow it).
pub fn default_ranges() -> Vec<(String, f64, f64)> {
    let mut out: Vec<(usize, String, f64, f64)> = LEVERS
        .iter()
        .filter_map(|l| match l.sensitivity? {
            Sens::Own(place, low, high) => Some((place, l.key.to_string(), low, high)),
            Sens::Param(p, place, low, high) => Some((place, format!("{}.{p}", l.key), low, high)),
        })
        .collect();
    out.sort_by_key(|r| r.0);
    out.into_iter().map(|(_, k, l, h)| (k, l, h)).collect()
}

/// Keys that are not levers: changing them changes what is measured, not the system.
const NOT_LEVERS: [&str; 2] = ["simulation.runs", "simulation.seed"];

/// Whether a numeric key holds an integer (then only integer values are accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Integer,
    Float,
}

/// The scenario as a TOML table, every section.
pub(crate) fn toml_table(s: &Scenario) -> toml::Table {
    toml::Table::try_from(s).expect("a scenario always serializes")
}

/// The scenario as a TOML table without its `[sensitivity]` section (not a lever).
pub(crate) fn table_of(s: &Scenario) -> toml::Table {
    let mut t = toml_table(s);
    t.remove("sensitivity");
    t
}

/// Every leaf of a table (a value that is not a table) by dotted key, in table order.
pub(crate) fn leaves(prefix: &str, t: &toml::Table, out: &mut Vec<(String, toml::Value)>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => leaves(&key, t, out),
            v => out.push((key, v.clone())),
        }
    }
}

/// Every numeric key of the scenario, sorted (runs and seed excluded: they are not levers).
pub fn numeric_keys(s: &Scenario) -> Vec<(String, Kind)> {
    let mut all = Vec::new();
    leaves("", &table_of(s), &mut all);
    let mut out: Vec<(String, Kind)> = all
        .into_iter()
        .filter_map(|(k, v)| match v {
            toml::Value::Integer(_) => Some((k, Kind::Integer)),
            toml::Value::Float(_) => Some((k, Kind::Float)),
            _ => None,
        })
        .collect();
    out.retain(|(k, _)| !NOT_LEVERS.contains(&k.as_str()));
    out.sort();
    out
}

pub(crate) fn lookup<'a>(table: &'a toml::Table, key: &str) -> Option<&'a toml::Value> {
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
    let table = table_of(s);
    let found = lookup(&table, key);
    // A key of the table has the table's type; a distribution's parameters (not in the
    // table: they depend on the distribution) have the type the scenario gives them.
    match (lever(key).map(|l| l.ty), found) {
        (Some(Type::Int), Some(_)) => return Ok(Kind::Integer),
        (Some(Type::Float), Some(_)) => return Ok(Kind::Float),
        _ => {}
    }
    match found {
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

/// One sensitivity range.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    pub key: String,
    pub low: f64,
    pub high: f64,
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

#[cfg(test)]
mod tests;
