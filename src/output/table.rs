//! The compact table printed at the end of a run: per scenario the key metrics with P50/P85
//! and the difference to the baseline with its 95 % interval.

use crate::aggregate::Aggregate;
use crate::engine::metrics::{metric_index, METRICS};
use crate::format::{interval_cells, table_cell as num};
use crate::scenario::Scenario;

/// The metrics shown, with a short label.
const SHOWN: [(&str, &str); 5] = [
    ("value_efficiency", "value eff."),
    ("release_delay_sprints", "release delay"),
    ("lead_time_p50_days", "lead time d"),
    ("escaped_defects_per_point", "escaped/pt"),
    ("decision_wait_share", "decision wait"),
];

/// A P50 or P85 cell: whole for a whole-number metric (sprints: "-1/1", not "-1.00/1.00"),
/// else at the decimals of the mean beside it ("0.0566/0.0642" beside 0.0565, not
/// "0.06/0.06"); beyond the horizon ">H".
fn percentile_cell(q: f64, integer: bool, mean: &str) -> String {
    if !q.is_finite() {
        return num(q);
    }
    let decimals = if integer {
        0
    } else {
        mean.split_once('.').map_or(0, |(_, d)| d.len())
    };
    crate::format::fixed(q, decimals)
}

pub fn render(agg: &mut Aggregate, scenarios: &[Scenario]) -> String {
    let base = agg.baseline;
    let mut rows: Vec<Vec<String>> = vec![{
        let mut h = vec!["scenario".to_string()];
        for (metric, label) in SHOWN {
            let censored = metric_index(metric).is_some_and(|m| METRICS[m].censored);
            let mean = if censored { "restricted mean" } else { "mean" };
            h.push(format!("{label} {mean} [95% CI]"));
            h.push("P50/P85".into());
            h.push("Δ vs baseline [95% CI]".into());
        }
        h
    }];
    for (s, sc) in scenarios.iter().enumerate() {
        let mut row = vec![if s == base {
            format!("{} (baseline)", sc.name)
        } else {
            sc.name.clone()
        }];
        for (metric, _) in SHOWN {
            let m = metric_index(metric).expect("known metric");
            let sum = agg.summary(s, m);
            let [mean, low, high] = interval_cells(sum.mean, sum.ci95.0, sum.ci95.1);
            let mut cell = format!("{mean} [{low}, {high}]");
            // Censored metrics always show how many runs finished: their mean counts the
            // others at the horizon + 1 (a restricted mean).
            if sum.completed_share < 1.0 || METRICS[m].censored {
                // One decimal near 100 %, so that a few censored runs never read "100% done".
                let pct = 100.0 * sum.completed_share;
                let digits = if pct > 99.0 { 1 } else { 0 };
                if sum.completed_share >= 1.0 {
                    cell.push_str(" (all done)");
                } else {
                    cell.push_str(&format!(" ({pct:.digits$}% done)"));
                }
            }
            row.push(cell);
            let pct = |q: f64| percentile_cell(q, METRICS[m].integer, &mean);
            row.push(format!(
                "{}/{}",
                pct(sum.quantiles[3]),
                pct(sum.quantiles[5])
            ));
            if s == base {
                row.push("–".into());
            } else {
                let p = agg.pair(s, m);
                let [diff, low, high] = interval_cells(p.mean_diff, p.ci95.0, p.ci95.1);
                let sign = if diff.starts_with('-') || diff.chars().all(|c| c == '0' || c == '.') {
                    ""
                } else {
                    "+"
                };
                row.push(format!("{sign}{diff} [{low}, {high}]"));
            }
        }
        rows.push(row);
    }
    // Transpose into one block per metric so the table fits a terminal.
    let mut out = String::new();
    let name_width = rows.iter().map(|r| r[0].chars().count()).max().unwrap_or(8);
    for (k, (_, label)) in SHOWN.iter().enumerate() {
        out.push_str(&format!("{label}\n"));
        let cols = [1 + 3 * k, 2 + 3 * k, 3 + 3 * k];
        // The header drops the metric's label (it heads the block).
        let shown = |r: &Vec<String>, c: usize| {
            if r == &rows[0] {
                r[c].replace(&format!("{label} "), "")
            } else {
                r[c].clone()
            }
        };
        let widths: Vec<usize> = cols
            .iter()
            .map(|&c| {
                rows.iter()
                    .map(|r| shown(r, c).chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for r in &rows {
            let mut line = format!("  {:<nw$}", r[0], nw = name_width);
            for (i, &c) in cols.iter().enumerate() {
                line.push_str(&format!("  {:<w$}", shown(r, c), w = widths[i]));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README says percentiles of whole numbers are whole; the table printed the
    /// release delay's as "-1.00/1.00" and "16.0/>H", and the decision wait share's as
    /// "0.06/0.06" beside a mean of 0.0565.
    #[test]
    fn percentiles_are_whole_for_whole_numbers_and_as_precise_as_the_mean_otherwise() {
        assert_eq!(percentile_cell(-1.0, true, "-0.66"), "-1");
        assert_eq!(percentile_cell(16.0, true, "15.4"), "16");
        assert_eq!(percentile_cell(-0.0, true, "0.10"), "0");
        assert_eq!(percentile_cell(f64::INFINITY, true, "15.4"), ">H");
        assert_eq!(percentile_cell(0.0566, false, "0.0565"), "0.0566");
        assert_eq!(percentile_cell(0.77, false, "0.742"), "0.770");
        assert_eq!(percentile_cell(18.64, false, "20.4"), "18.6");
        assert_eq!(percentile_cell(123.4, false, "120"), "123");
    }
}
