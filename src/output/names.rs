//! The words a reader sees for each metric: the name the report's tables use, its unit and
//! what it is about (delivery, value, quality, flow). Charts, the report and the analysis
//! sections all take their metric names from here, so no snake_case reaches a page.

/// What a metric is about; the forest plot groups its rows by this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Delivery,
    Value,
    Quality,
    Flow,
}

impl Group {
    pub const ALL: [Group; 4] = [Group::Delivery, Group::Value, Group::Quality, Group::Flow];

    pub fn title(self) -> &'static str {
        match self {
            Group::Delivery => "Delivery",
            Group::Value => "Value",
            Group::Quality => "Quality",
            Group::Flow => "Flow",
        }
    }
}

/// (column name, label, unit, group) of every metric of runs.csv.
const NAMES: [(&str, &str, &str, Group); 25] = [
    (
        "completion_sprint",
        "Release done in sprint",
        "sprint",
        Group::Delivery,
    ),
    (
        "release_delay_sprints",
        "Release delay",
        "sprints",
        Group::Delivery,
    ),
    (
        "lead_time_p50_days",
        "Median lead time",
        "working days",
        Group::Delivery,
    ),
    (
        "lead_time_p85_days",
        "Lead time P85",
        "working days",
        Group::Delivery,
    ),
    (
        "top_value_lead_time_days",
        "Lead time of top-value items",
        "working days",
        Group::Value,
    ),
    (
        "decision_wait_share",
        "Decision wait share",
        "share of cycle time",
        Group::Flow,
    ),
    (
        "capacity_lost_share",
        "Capacity lost",
        "share of capacity",
        Group::Flow,
    ),
    (
        "say_do_ratio",
        "Say/do ratio",
        "done ÷ committed",
        Group::Delivery,
    ),
    (
        "velocity_cv",
        "Velocity variation",
        "coefficient of variation",
        Group::Delivery,
    ),
    (
        "value_realized",
        "Value realized",
        "value units",
        Group::Value,
    ),
    (
        "value_efficiency",
        "Value efficiency",
        "ratio to an oracle",
        Group::Value,
    ),
    (
        "cost_of_delay",
        "Cost of delay",
        "value units",
        Group::Value,
    ),
    (
        "escaped_defects_per_point",
        "Escaped defects",
        "per story point",
        Group::Quality,
    ),
    (
        "rework_share",
        "Rework share",
        "share of points worked",
        Group::Quality,
    ),
    (
        "wrong_build_rate",
        "Wrong builds",
        "share of items",
        Group::Quality,
    ),
    (
        "on_strategy_share",
        "On-strategy share",
        "share of points",
        Group::Value,
    ),
    (
        "ranking_tau",
        "Ranking agreement",
        "Kendall τ",
        Group::Value,
    ),
    (
        "priority_churn",
        "Priority churn",
        "share of next-up items",
        Group::Flow,
    ),
    (
        "tech_debt_end",
        "Tech debt at the end",
        "debt points",
        Group::Quality,
    ),
    (
        "enabler_share",
        "Enabler share",
        "share of points",
        Group::Flow,
    ),
    (
        "points_done",
        "Story points done",
        "story points",
        Group::Delivery,
    ),
    ("items_done", "Items done", "items", Group::Delivery),
    ("defects", "Defects", "defects", Group::Quality),
    (
        "escaped_defects",
        "Escaped defects (count)",
        "defects",
        Group::Quality,
    ),
    (
        "unready_share",
        "Unready items pulled",
        "share of items",
        Group::Flow,
    ),
];

fn find(metric: &str) -> Option<&'static (&'static str, &'static str, &'static str, Group)> {
    NAMES.iter().find(|n| n.0 == metric)
}

/// The name the report's tables use ("Value efficiency"); an unknown column keeps its name
/// with underscores turned into spaces.
pub fn label(metric: &str) -> String {
    match find(metric) {
        Some(n) => n.1.to_string(),
        None => {
            let s = metric.replace('_', " ");
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => s,
            }
        }
    }
}

/// The unit ("working days"), empty for an unknown column.
pub fn unit(metric: &str) -> &'static str {
    find(metric).map(|n| n.2).unwrap_or("")
}

/// What the metric is about; unknown columns count as flow.
pub fn group(metric: &str) -> Group {
    find(metric).map(|n| n.3).unwrap_or(Group::Flow)
}

/// The words of a sweep or sensitivity parameter key: `pm.sync_interval` → "PM sync interval".
pub fn param_label(key: &str) -> String {
    let mut out = Vec::new();
    for part in key.split('.') {
        let words = part.replace('_', " ");
        out.push(match words.as_str() {
            "pm" | "po" => words.to_uppercase(),
            _ => words,
        });
    }
    let s = out.join(" ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::metrics::METRICS;

    #[test]
    fn every_metric_has_words_and_no_snake_case() {
        for m in METRICS {
            let l = label(m.name);
            assert!(find(m.name).is_some(), "{} has no label", m.name);
            assert!(!l.contains('_'), "{l}");
            assert!(!unit(m.name).is_empty());
        }
        assert_eq!(label("value_efficiency"), "Value efficiency");
        assert_eq!(label("new_thing"), "New thing");
        assert_eq!(param_label("pm.sync_interval"), "PM sync interval");
    }

    #[test]
    fn labels_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for n in NAMES {
            assert!(seen.insert(n.1), "{} twice", n.1);
        }
    }
}
