//! The per-run metrics (reference model, section 6) and per-sprint series, in output order.

/// Which direction of a metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
}

impl Better {
    pub fn as_str(self) -> &'static str {
        match self {
            Better::Higher => "higher",
            Better::Lower => "lower",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct MetricInfo {
    pub name: &'static str,
    pub better: Better,
    /// Empty when the release scope is not done within the horizon.
    pub censored: bool,
    /// Whole numbers (sprints, counts): percentiles by the inverse CDF, so always whole.
    pub integer: bool,
}

const fn m(name: &'static str, better: Better) -> MetricInfo {
    MetricInfo {
        name,
        better,
        censored: false,
        integer: false,
    }
}

/// A count (whole numbers).
const fn n(name: &'static str, better: Better) -> MetricInfo {
    MetricInfo {
        integer: true,
        ..m(name, better)
    }
}

/// A sprint count censored at the horizon.
const fn c(name: &'static str) -> MetricInfo {
    MetricInfo {
        name,
        better: Better::Lower,
        censored: true,
        integer: true,
    }
}

use Better::{Higher, Lower};

pub const METRICS: [MetricInfo; 25] = [
    c("completion_sprint"),
    c("release_delay_sprints"),
    m("lead_time_p50_days", Lower),
    m("lead_time_p85_days", Lower),
    m("top_value_lead_time_days", Lower),
    m("decision_wait_share", Lower),
    m("capacity_lost_share", Lower),
    m("say_do_ratio", Higher),
    m("velocity_cv", Lower),
    m("value_realized", Higher),
    m("value_efficiency", Higher),
    m("cost_of_delay", Lower),
    m("escaped_defects_per_point", Lower),
    m("rework_share", Lower),
    m("wrong_build_rate", Lower),
    m("on_strategy_share", Higher),
    m("ranking_tau", Higher),
    m("priority_churn", Lower),
    m("tech_debt_end", Lower),
    m("enabler_share", Higher),
    m("points_done", Higher),
    n("items_done", Higher),
    n("defects", Lower),
    n("escaped_defects", Lower),
    m("unready_share", Lower),
];

pub const N_METRICS: usize = METRICS.len();

/// Indices into [`METRICS`].
pub mod idx {
    pub const COMPLETION_SPRINT: usize = 0;
    pub const RELEASE_DELAY: usize = 1;
    pub const LEAD_P50: usize = 2;
    pub const LEAD_P85: usize = 3;
    pub const TOP_VALUE_LEAD: usize = 4;
    pub const DECISION_WAIT: usize = 5;
    pub const CAPACITY_LOST: usize = 6;
    pub const SAY_DO: usize = 7;
    pub const VELOCITY_CV: usize = 8;
    pub const VALUE_REALIZED: usize = 9;
    pub const VALUE_EFFICIENCY: usize = 10;
    pub const COST_OF_DELAY: usize = 11;
    pub const ESCAPED_PER_POINT: usize = 12;
    pub const REWORK_SHARE: usize = 13;
    pub const WRONG_BUILD_RATE: usize = 14;
    pub const ON_STRATEGY: usize = 15;
    pub const RANKING_TAU: usize = 16;
    pub const PRIORITY_CHURN: usize = 17;
    pub const TECH_DEBT_END: usize = 18;
    pub const ENABLER_SHARE: usize = 19;
    pub const POINTS_DONE: usize = 20;
    pub const ITEMS_DONE: usize = 21;
    pub const DEFECTS: usize = 22;
    pub const ESCAPED: usize = 23;
    pub const UNREADY_SHARE: usize = 24;
}

/// The metrics the throughput model gives a value (the others are always empty for it).
pub const THROUGHPUT_METRICS: [usize; 8] = [
    idx::COMPLETION_SPRINT,
    idx::RELEASE_DELAY,
    idx::LEAD_P50,
    idx::LEAD_P85,
    idx::SAY_DO,
    idx::VELOCITY_CV,
    idx::POINTS_DONE,
    idx::ITEMS_DONE,
];

/// The per-sprint series the throughput model writes (the others are always empty for it).
pub const THROUGHPUT_SERIES: [usize; 5] = [
    series::VELOCITY,
    series::COMMITTED,
    series::DONE,
    series::BACKLOG_SIZE,
    series::READY_ITEMS,
];

pub fn metric_index(name: &str) -> Option<usize> {
    METRICS.iter().position(|m| m.name == name)
}

/// Per-sprint series, in output order.
pub const SERIES: [&str; 11] = [
    "velocity",
    "committed",
    "done",
    "backlog_size",
    "ready_items",
    "cumulative_value",
    "escaped_defects",
    "decision_wait_hours",
    "tech_debt",
    "priority_churn",
    "roadmap_change",
];

pub const N_SERIES: usize = SERIES.len();

pub mod series {
    pub const VELOCITY: usize = 0;
    pub const COMMITTED: usize = 1;
    pub const DONE: usize = 2;
    pub const BACKLOG_SIZE: usize = 3;
    pub const READY_ITEMS: usize = 4;
    pub const CUMULATIVE_VALUE: usize = 5;
    pub const ESCAPED_DEFECTS: usize = 6;
    pub const DECISION_WAIT: usize = 7;
    pub const TECH_DEBT: usize = 8;
    pub const PRIORITY_CHURN: usize = 9;
    pub const ROADMAP_CHANGE: usize = 10;
}

/// The row of a sprint after a run stopped at completion: the last row with the flows of a
/// sprint (velocity, committed, done, decision wait, churn) at 0; series without values stay
/// empty.
pub fn row_after_stop(last: &[f64; N_SERIES]) -> [f64; N_SERIES] {
    let mut row = *last;
    for k in [
        series::VELOCITY,
        series::COMMITTED,
        series::DONE,
        series::DECISION_WAIT,
        series::PRIORITY_CHURN,
    ] {
        if !row[k].is_nan() {
            row[k] = 0.0;
        }
    }
    row
}

/// One replication's metrics; NaN means "no value" (written as an empty cell).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunRecord {
    pub metrics: [f64; N_METRICS],
}

/// Coefficient of variation of the sprint velocities (none for fewer than two sprints or
/// no work).
pub fn velocity_cv(velocities: &[f64]) -> f64 {
    let n = velocities.len() as f64;
    let mean = velocities.iter().sum::<f64>() / n;
    if n > 1.0 && mean > 0.0 {
        let var = velocities.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        var.sqrt() / mean
    } else {
        f64::NAN
    }
}

/// A plain forecast's row of a sprint as small whole numbers (see `engine::throughput::Plain`
/// and `engine::tally`): its five series, velocity, points committed and done, backlog and
/// ready items (series 0 to 4, in that order), one byte each, then three bytes of 0. Eight
/// bytes (one store) where the row of doubles takes 88, for a plain forecast whose scope's
/// points stay below 256; its other series have no value (NaN in [`SmallRow::wide`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(C, align(8))]
pub struct SmallRow(pub [u8; 8]);

/// The series a [`SmallRow`] holds, in its byte order.
pub const SMALL_ROW_SERIES: [usize; 5] = [
    series::VELOCITY,
    series::COMMITTED,
    series::DONE,
    series::BACKLOG_SIZE,
    series::READY_ITEMS,
];
const _: () = assert!(
    SMALL_ROW_SERIES[0] == 0
        && SMALL_ROW_SERIES[1] == 1
        && SMALL_ROW_SERIES[2] == 2
        && SMALL_ROW_SERIES[3] == 3
        && SMALL_ROW_SERIES[4] == 4,
    "a small row's bytes are the first five series"
);

impl SmallRow {
    /// The row of these values of [`SMALL_ROW_SERIES`], each from 0 to 255 (the caller
    /// makes sure: a value out of that range would spill into its neighbours).
    #[inline(always)]
    pub fn new(values: [i64; 5]) -> SmallRow {
        debug_assert!(values.iter().all(|v| (0..256).contains(v)), "{values:?}");
        let mut packed = 0u64;
        for (i, v) in values.into_iter().enumerate() {
            packed |= (v as u64) << (8 * i);
        }
        SmallRow(packed.to_le_bytes())
    }

    /// The value of series `k` (one of [`SMALL_ROW_SERIES`]).
    #[inline(always)]
    pub fn get(self, k: usize) -> u8 {
        self.0[k]
    }

    /// The same row as doubles: its five values, NaN in the other series (as the plain
    /// lane leaves them in a row of doubles).
    #[inline]
    pub fn wide(self) -> [f64; N_SERIES] {
        let mut row = [f64::NAN; N_SERIES];
        for (i, &k) in SMALL_ROW_SERIES.iter().enumerate() {
            row[k] = self.0[i] as f64;
        }
        row
    }
}
