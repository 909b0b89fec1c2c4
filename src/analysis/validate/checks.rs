//! The catalogue: the arms of the experiments, the ten facts and the checks that measure them.

use super::*;

/// One arm of the experiments: a preset with some keys set.
#[derive(Debug, Clone, Copy)]
pub struct Arm {
    pub name: &'static str,
    pub preset: &'static str,
    pub set: &'static [(&'static str, f64)],
    pub meaning: &'static str,
}

/// The arms, simulated together on the same worlds.
pub const ARMS: &[Arm] = &[
    Arm {
        name: "aligned",
        preset: "aligned",
        set: &[],
        meaning: "the defaults: an on-call PO (35 % of its time for the team), a dedicated team of 3 lanes",
    },
    Arm {
        name: "release-plan",
        preset: "aligned",
        set: &[("release.planned_sprint", 4.0)],
        meaning: "aligned with the release planned from its scope and mean velocity: 120 points at 30 a sprint = sprint 4 (the default plan, sprint 6, holds a 50 % buffer)",
    },
    Arm {
        name: "async-po",
        preset: "aligned",
        set: &[("po.support_share", 0.10)],
        meaning: "aligned with an intermittent, asynchronous PO: 10 % of its time for the team (8 h a sprint, reached by message) instead of 35 %",
    },
    Arm {
        name: "half-dedicated",
        preset: "aligned",
        set: &[("team.capacity.mean", 30.0 * 0.50 / 0.95)],
        meaning: "aligned with team members 50 % dedicated instead of 95 %: capacity 30 × 0.50 / 0.95 = 15.8 points a sprint",
    },
    Arm {
        name: "one-stream",
        preset: "aligned",
        set: &[("team.lanes", 1.0)],
        meaning: "aligned with one work stream (1 lane) instead of 3 parallel streams",
    },
    Arm {
        name: "little-paydown",
        preset: "aligned",
        set: &[("backlog.enabler_share", 0.05)],
        meaning: "aligned with little debt paydown: 5 % of the items are enablers instead of 20 %",
    },
    Arm {
        name: "double-churn",
        preset: "aligned",
        set: &[("roles.churn_probability", 0.04)],
        meaning: "aligned with twice the requirement churn: 4 % of the items change a sprint instead of 2 %",
    },
    Arm {
        name: "overloaded-po",
        preset: "overloaded-po",
        set: &[],
        meaning: "the preset: no PM, the PO does strategy too",
    },
];

/// Which statistic of a replication's world items a check takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemStat {
    /// Median of actual / estimate (true size / the team's estimate).
    MedianRatio,
    /// Mean of actual / estimate.
    MeanRatio,
    /// Standard deviation of ln(actual / estimate).
    LogSd,
    /// Share of items with actual / estimate > 2.
    Over2x,
    /// Share of items with a positive true value.
    PositiveShare,
    /// Share of the total positive value held by the top 10 % of items by value.
    TopDecileShare,
}

/// What a check measures in each replication.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measure {
    /// A statistic of the world items of `aligned`'s replication.
    Items(ItemStat),
    /// Metric `m` of an arm (censored completions at the horizon + 1).
    Metric(&'static str, usize),
    /// Metric `m` of the first arm / metric `m` of the second, run by run.
    Ratio(&'static str, &'static str, usize),
    /// Metric `m` of the first arm − metric `m` of the second, run by run.
    Difference(&'static str, &'static str, usize),
    /// 1 when the arm's release is done after its planned sprint (or not within the horizon).
    LateRelease(&'static str),
    /// completion sprint / planned sprint − 1 (censored: the horizon + 1).
    Overrun(&'static str),
    /// Debt drag at the end of the horizon: min(max_debt_drag, debt_drag_per_point · debt).
    DebtDrag(&'static str),
    /// Defect removal efficiency: 1 − escaped defects / defects (runs with defects).
    RemovalEfficiency(&'static str),
    /// A key of an arm's scenario (no randomness: the same value in every run).
    Param(&'static str, &'static str),
}

/// One measurable part of a stylized fact.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// `N.name`: the fact's number and what is measured.
    pub id: &'static str,
    /// A few words for the chart and the tables.
    pub label: &'static str,
    pub fact: u8,
    /// What the evidence says.
    pub statement: &'static str,
    pub source: &'static str,
    /// A peer-reviewed, B large practitioner dataset, C survey, D folklore (evidence.md).
    pub grade: &'static str,
    pub band: (f64, f64),
    pub measure: Measure,
    /// The experiment, in words.
    pub experiment: &'static str,
}

/// The ten stylized facts of the evidence file, by number.
pub const FACTS: [&str; 10] = [
    "Task estimates",
    "Releases overrun because tasks do",
    "Value is fat-tailed",
    "PO availability drives rework and lead time",
    "Dedication",
    "Context switching",
    "Debt interest",
    "Defects",
    "Churn",
    "Strategic squeeze",
];

use Measure::*;

/// Every check, grouped by fact. Bands are the evidence's; never widen one to pass.
pub const CHECKS: &[Check] = &[
    Check {
        id: "1.median_ratio",
        label: "median actual/estimate",
        fact: 1,
        statement: "task actual/estimate median about 1.0",
        source: "SiP dataset (Derek-Jones/SiP_dataset)",
        grade: "A-",
        band: (0.9, 1.1),
        measure: Items(ItemStat::MedianRatio),
        experiment: "median of true size / estimate over every item of each run's world (aligned)",
    },
    Check {
        id: "1.mean_ratio",
        label: "mean actual/estimate",
        fact: 1,
        statement: "task actual/estimate mean 1.2–1.4",
        source: "SiP dataset",
        grade: "A-",
        band: (1.2, 1.4),
        measure: Items(ItemStat::MeanRatio),
        experiment: "mean of true size / estimate over every item of each run's world",
    },
    Check {
        id: "1.log_sd",
        label: "log-SD of actual/estimate",
        fact: 1,
        statement: "log-SD of actual/estimate 0.6–0.9",
        source: "SiP dataset",
        grade: "A-",
        band: (0.6, 0.9),
        measure: Items(ItemStat::LogSd),
        experiment: "SD of ln(true size / estimate) over every item of each run's world",
    },
    Check {
        id: "1.over_2x",
        label: "share of tasks over 2× estimate",
        fact: 1,
        statement: "about 10 % of tasks take over twice their estimate",
        source: "SiP dataset",
        grade: "A-",
        band: (0.05, 0.15),
        measure: Items(ItemStat::Over2x),
        experiment: "share of items with true size > 2 × estimate in each run's world",
    },
    Check {
        id: "2.late_share",
        label: "share of releases late",
        fact: 2,
        statement: "60–80 % of projects overrun their target",
        source: "Moløkken & Jørgensen 2003; Little 2006",
        grade: "A",
        band: (0.6, 0.8),
        measure: LateRelease("release-plan"),
        experiment: "share of runs whose release is done after the sprint planned from its points and mean velocity (release-plan)",
    },
    Check {
        id: "2.mean_overrun",
        label: "mean release overrun",
        fact: 2,
        statement: "mean overrun +30–40 %",
        source: "Moløkken & Jørgensen 2003",
        grade: "A",
        band: (0.3, 0.4),
        measure: Overrun("release-plan"),
        experiment: "mean of completion sprint / planned sprint − 1 (release-plan; not done in the year: horizon + 1)",
    },
    Check {
        id: "3.positive_share",
        label: "share of ideas with value > 0",
        fact: 3,
        statement: "10–35 % of ideas have positive value",
        source: "Kohavi et al. 2013; Pendo 2019",
        grade: "A-",
        band: (0.10, 0.35),
        measure: Items(ItemStat::PositiveShare),
        experiment: "share of each run's world items (the ideas in the backlog) with a positive true value",
    },
    Check {
        id: "3.top_decile_share",
        label: "value share of the top 10 %",
        fact: 3,
        statement: "the top 10 % of items carry most of the value",
        source: "Azevedo et al. 2020; Pendo 2019",
        grade: "A",
        band: (0.5, 1.0),
        measure: Items(ItemStat::TopDecileShare),
        experiment: "share of the positive value of each run's world items held by the top 10 % by value",
    },
    Check {
        id: "4.rework_on_call",
        label: "rework share, on-call PO",
        fact: 4,
        statement: "with an on-site (on-call) customer, rework is single-digit percent",
        source: "Korkala et al. 2006 (6.3 %)",
        grade: "A-",
        band: (0.0, 0.10),
        measure: Metric("aligned", idx::REWORK_SHARE),
        experiment: "rework_share of aligned (PO 35 % for the team)",
    },
    Check {
        id: "4.rework_async",
        label: "rework share, async PO",
        fact: 4,
        statement: "with a customer reached by e-mail or phone, rework is tens of percent",
        source: "Korkala et al. 2006 (41.8 %)",
        grade: "A-",
        band: (0.10, 0.50),
        measure: Metric("async-po", idx::REWORK_SHARE),
        experiment: "rework_share of async-po (PO 10 % for the team)",
    },
    Check {
        id: "4.lead_time_ratio",
        label: "lead time, async / on-call PO",
        fact: 4,
        statement: "lead time about 1.5–2.5× with an unavailable counterpart",
        source: "Herbsleb & Mockus 2003; Teasley et al. 2002",
        grade: "A",
        band: (1.5, 2.5),
        measure: Ratio("async-po", "aligned", idx::LEAD_P50),
        experiment: "median lead time of async-po / aligned, run by run on the same worlds",
    },
    Check {
        id: "5.throughput_ratio",
        label: "throughput, 50 % / 95 % dedicated",
        fact: 5,
        statement: "≤ 50 % dedicated members: about half the throughput of ≥ 95 %",
        source: "Rally 2013, 9 629 teams",
        grade: "B",
        band: (0.4, 0.6),
        measure: Ratio("half-dedicated", "aligned", idx::POINTS_DONE),
        experiment: "points done of half-dedicated / aligned, run by run",
    },
    Check {
        id: "6.capacity_lost",
        label: "capacity lost, 3 streams vs 1",
        fact: 6,
        statement: "2–3 parallel streams cost about 15–20 % of capacity",
        source: "Tregubov et al. 2017 (17 %)",
        grade: "A-",
        band: (0.15, 0.20),
        measure: Difference("aligned", "one-stream", idx::CAPACITY_LOST),
        experiment: "capacity_lost_share of aligned (3 streams) − one-stream (1), run by run",
    },
    Check {
        id: "7.debt_drag",
        label: "capacity lost to debt, little paydown",
        fact: 7,
        statement: "with little paydown, 20–40 % of capacity is lost to debt",
        source: "Besker et al. 2019 (23 %); Tornhill & Borg 2022",
        grade: "A-",
        band: (0.20, 0.40),
        measure: DebtDrag("little-paydown"),
        experiment: "capacity lost to debt drag at the end of the year in little-paydown (5 % enablers)",
    },
    Check {
        id: "8.removal_efficiency",
        label: "defect removal efficiency",
        fact: 8,
        statement: "defect removal efficiency 85–95 %",
        source: "Jones (C); Menzies et al. 2017",
        grade: "C",
        band: (0.85, 0.95),
        measure: RemovalEfficiency("aligned"),
        experiment: "1 − escaped defects / defects of aligned",
    },
    Check {
        id: "9.overrun_with_churn",
        label: "sprints later with 2× churn",
        fact: 9,
        statement: "overruns rise with requirement churn",
        source: "Zowghi & Nurmuliani 2002; Kulk & Verhoef 2008",
        grade: "A-",
        band: (0.0, f64::INFINITY),
        measure: Difference("double-churn", "aligned", idx::COMPLETION_SPRINT),
        experiment: "completion sprint of double-churn − aligned, run by run (positive: later)",
    },
    Check {
        id: "10.strategy_time",
        label: "PO time on strategy (no PM)",
        fact: 10,
        statement: "a PO who also does strategy spends 25–30 % of its time on it",
        source: "Pragmatic Institute 2019",
        grade: "C",
        band: (0.25, 0.30),
        measure: Param("overloaded-po", "po.strategy_share"),
        experiment: "po.strategy_share of the overloaded-po preset (no randomness)",
    },
    Check {
        id: "10.on_strategy",
        label: "work on strategy (no PM)",
        fact: 10,
        statement: "delivered work traceable to strategy roughly 40–70 % (sanity check)",
        source: "Sull et al. 2015",
        grade: "C",
        band: (0.40, 0.70),
        measure: Metric("overloaded-po", idx::ON_STRATEGY),
        experiment: "on_strategy_share of overloaded-po",
    },
];
