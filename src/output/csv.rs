//! The CSV files of a run (see docs/outputs.md) and `scenarios.toml`.

use crate::engine::metrics::{RunRecord, METRICS, N_METRICS, SERIES};
use crate::scenario::Scenario;
use crate::stats::Aggregate;
use std::fmt::Write as _;

/// A number with 6 significant digits (integer parts are kept whole), plain notation,
/// trailing zeros trimmed; NaN is an empty cell.
pub fn fmt_num(x: f64) -> String {
    let mut s = String::new();
    push_num(&mut s, x);
    s
}

/// Exact powers of ten.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// [`fmt_num`] appended to `out`. A million-row runs.csv formats tens of millions of numbers,
/// so the common case avoids `format!`: the value scaled to its last kept digit is rounded
/// as an integer whenever it is clearly not a tie (the product is within an ulp or two of
/// exact, so the rounding is certain); ties and extremes take the exact formatter.
pub fn push_num(out: &mut String, x: f64) {
    if x.is_nan() {
        return;
    }
    if x == 0.0 {
        out.push('0');
        return;
    }
    let a = x.abs();
    if a < 9e15 && (a as i64) as f64 == a {
        // Whole numbers print as themselves.
        if x < 0.0 {
            out.push('-');
        }
        out.push_str(itoa::Buffer::new().format(a as i64));
        return;
    }
    if let Some(magnitude) = magnitude(a) {
        let decimals = (5 - magnitude).clamp(0, 15) as usize;
        let y = a * POW10[decimals];
        // y < 10¹⁵ (at most 6 digits before rounding, or a < 10¹⁵): truncation is the floor.
        let floor = y as u64;
        let frac = y - floor as f64;
        if (frac - 0.5).abs() > y * 4e-15 {
            let r = floor + (frac > 0.5) as u64;
            push_fixed(out, x < 0.0, r, decimals);
            return;
        }
    }
    out.push_str(&fmt_num_exact(x));
}

/// The nearest doubles to 10⁻⁹ … 10¹⁵.
const DECADES: [f64; 25] = [
    1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// ⌊log₁₀ a⌋ for a in [10⁻⁹, 10¹⁵), found by comparison; None within 10⁻¹² of a power of
/// ten, where `log10`'s rounding decides and the exact formatter must be asked.
fn magnitude(a: f64) -> Option<i32> {
    if !(DECADES[0]..DECADES[24]).contains(&a) {
        return None;
    }
    let k = DECADES.partition_point(|&p| p <= a);
    let (low, high) = (DECADES[k - 1], DECADES[k]);
    (a > low * (1.0 + 1e-12) && a < high * (1.0 - 1e-12)).then_some(k as i32 - 10)
}

/// `r / 10^decimals` with trailing zeros trimmed; "-0" is "0".
fn push_fixed(out: &mut String, negative: bool, r: u64, decimals: usize) {
    if r == 0 {
        out.push('0');
        return;
    }
    if negative {
        out.push('-');
    }
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(r);
    let (int, frac) = if digits.len() > decimals {
        digits.split_at(digits.len() - decimals)
    } else {
        ("0", digits)
    };
    let frac_zeros = decimals - frac.len();
    let kept = frac.trim_end_matches('0');
    out.push_str(int);
    if !kept.is_empty() {
        out.push('.');
        for _ in 0..frac_zeros {
            out.push('0');
        }
        out.push_str(kept);
    }
}

/// [`fmt_num`] by the standard library's exact formatting (ties, extremes, infinities).
fn fmt_num_exact(x: f64) -> String {
    if x.is_nan() {
        return String::new();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return "0".into();
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (5 - magnitude).clamp(0, 17) as usize;
    let mut s = format!("{x:.decimals$}");
    if s.contains('.') {
        let trimmed = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(trimmed);
    }
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

pub fn runs_header() -> String {
    let mut h = String::from("scenario,run");
    for m in METRICS.iter() {
        h.push(',');
        h.push_str(m.name);
    }
    h.push('\n');
    h
}

/// One row of runs.csv (`run` is 1-based), appended to `out`.
pub fn push_run_row(out: &mut String, scenario: &str, run: u64, record: &RunRecord) {
    out.push_str(scenario);
    out.push(',');
    out.push_str(itoa::Buffer::new().format(run));
    for x in record.metrics.iter() {
        out.push(',');
        push_num(out, *x);
    }
    out.push('\n');
}

/// Where a censored quantile is reported: `>H`.
pub fn censored_cell(scenario: &Scenario, metric: usize) -> String {
    let h = scenario.simulation.sprints as f64;
    let bound = if metric == 0 {
        h
    } else {
        h - scenario.release.planned_sprint.unwrap_or(0) as f64
    };
    format!(">{}", fmt_num(bound))
}

/// The date columns summary.csv has when a scenario has a calendar (after the others, so
/// every other column keeps its bytes): the date of the sprint each completion percentile
/// falls in (rounded up to whole sprints).
pub const DATE_COLUMNS: [&str; 8] = [
    "p5_date", "p10_date", "p25_date", "p50_date", "p75_date", "p85_date", "p90_date", "p95_date",
];

pub fn summary_csv(agg: &mut Aggregate, scenarios: &[Scenario]) -> String {
    let dated = scenarios.iter().any(|s| s.calendar().is_some());
    let mut out = String::from("scenario,metric,mean,sd,ci95_low,ci95_high,p5,p10,p25,p50,p75,p85,p90,p95,n,completed_share");
    if dated {
        for c in DATE_COLUMNS {
            out.push(',');
            out.push_str(c);
        }
    }
    out.push('\n');
    for (s, sc) in scenarios.iter().enumerate() {
        for (m, info) in METRICS.iter().enumerate() {
            let sum = agg.summary(s, m);
            let _ = write!(
                out,
                "{},{},{},{},{},{}",
                sc.name,
                info.name,
                fmt_num(sum.mean),
                fmt_num(sum.sd),
                fmt_num(sum.ci95.0),
                fmt_num(sum.ci95.1)
            );
            for q in sum.quantiles {
                out.push(',');
                if q.is_infinite() && info.censored {
                    out.push_str(&censored_cell(sc, m));
                } else {
                    out.push_str(&fmt_num(q));
                }
            }
            let _ = write!(out, ",{},{}", sum.n, fmt_num(sum.completed_share));
            if dated {
                let calendar = sc.calendar().filter(|_| m == 0);
                for q in sum.quantiles {
                    out.push(',');
                    if let Some(c) = &calendar {
                        if q.is_finite() {
                            let _ = write!(out, "{}", c.sprint_end(q.ceil().max(1.0) as u32));
                        }
                    }
                }
            }
            out.push('\n');
        }
    }
    out
}

pub fn compare_csv(agg: &Aggregate, scenarios: &[Scenario]) -> String {
    let mut out = String::from("scenario,baseline,metric,better_when,mean_diff,ci95_low,ci95_high,better_share,variance_reduction,n\n");
    let base = &scenarios[agg.baseline].name;
    for (s, sc) in scenarios.iter().enumerate() {
        for (m, info) in METRICS.iter().enumerate().take(N_METRICS) {
            let p = agg.pair(s, m);
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{}",
                sc.name,
                base,
                info.name,
                info.better.as_str(),
                fmt_num(p.mean_diff),
                fmt_num(p.ci95.0),
                fmt_num(p.ci95.1),
                fmt_num(p.better_share),
                fmt_num(p.variance_reduction),
                p.n
            );
        }
    }
    out
}

pub fn sprints_csv(agg: &mut Aggregate, scenarios: &[Scenario]) -> String {
    let mut out = String::from("scenario,sprint,series,mean,p10,p50,p90\n");
    for (s, sc) in scenarios.iter().enumerate() {
        for sprint in 0..agg.sprints(s) {
            for (k, name) in SERIES.iter().enumerate() {
                let (mean, p10, p50, p90) = agg.band(s, sprint, k);
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{}",
                    sc.name,
                    sprint + 1,
                    name,
                    fmt_num(mean),
                    fmt_num(p10),
                    fmt_num(p50),
                    fmt_num(p90)
                );
            }
        }
    }
    out
}

/// What was run, for `scenarios.toml`.
#[derive(Debug, Clone)]
pub struct RunMeta {
    pub version: String,
    pub command: String,
    pub seed: u64,
    pub runs: u64,
    pub baseline: String,
    pub date: String,
}

pub fn scenarios_toml(meta: &RunMeta, scenarios: &[Scenario]) -> anyhow::Result<String> {
    let mut run = toml::Table::new();
    run.insert("version".into(), meta.version.clone().into());
    run.insert("command".into(), meta.command.clone().into());
    run.insert("seed".into(), toml::Value::Integer(meta.seed as i64));
    run.insert("runs".into(), toml::Value::Integer(meta.runs as i64));
    run.insert("baseline".into(), meta.baseline.clone().into());
    run.insert("date".into(), meta.date.clone().into());
    let max_sprints = scenarios
        .iter()
        .map(|s| s.simulation.sprints)
        .max()
        .unwrap_or(0);
    run.insert("sprints".into(), toml::Value::Integer(max_sprints as i64));
    let mut doc = toml::Table::new();
    doc.insert("run".into(), toml::Value::Table(run));
    let mut list = Vec::new();
    for s in scenarios {
        list.push(toml::Value::Table(toml::Table::try_from(s)?));
    }
    doc.insert("scenario".into(), toml::Value::Array(list));
    Ok(format!(
        "# Written by backsim: the resolved scenarios of this run.\n{}",
        toml::to_string_pretty(&doc)?
    ))
}

/// A low estimate of the bytes `backsim run` writes (runs.csv dominates; a runs.csv row is
/// about 250 bytes), plus the charts and report when they are drawn. Used to refuse a run
/// whose results clearly cannot fit before any simulation.
pub fn estimated_output_bytes(runs: u64, scenarios: &[Scenario], charts: bool) -> u64 {
    let n = scenarios.len() as u64;
    let sprints: u64 = scenarios.iter().map(|s| s.simulation.sprints as u64).sum();
    let runs_csv = runs.saturating_mul(n).saturating_mul(150);
    let small = sprints * crate::engine::N_SERIES as u64 * 40 + n * 8_000;
    let drawn = if charts { 1 << 20 } else { 0 };
    runs_csv.saturating_add(small).saturating_add(drawn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_plain() {
        assert_eq!(fmt_num(f64::NAN), "");
        assert_eq!(fmt_num(1.0), "1");
        assert_eq!(fmt_num(0.123456789), "0.123457");
        assert_eq!(fmt_num(1234567.0), "1234567");
        assert_eq!(fmt_num(9.9999999), "10");
        assert_eq!(fmt_num(0.5), "0.5");
        assert_eq!(fmt_num(-0.0000001234), "-0.0000001234");
        assert_eq!(fmt_num(-0.0), "0");
        assert_eq!(fmt_num(0.00001), "0.00001");
        assert_eq!(fmt_num(-2.5), "-2.5");
        assert_eq!(fmt_num(999999.5), "1000000");
    }

    proptest::proptest! {
        /// The fast path writes exactly what the exact formatter writes.
        #[test]
        fn fast_numbers_are_exact(mantissa in -1_000_000_000i64..1_000_000_000, exp in -14i32..14, tweak in -3i64..3) {
            let x = mantissa as f64 * 10f64.powi(exp);
            let x = f64::from_bits((x.to_bits() as i64 + tweak) as u64);
            proptest::prop_assert_eq!(fmt_num(x), fmt_num_exact(x), "{:e}", x);
        }

        #[test]
        fn fast_halves_are_exact(k in 0u64..10_000_000, decimals in 0usize..8) {
            // Values that sit on (or next to) a tie of the last kept digit.
            let x = (k as f64 + 0.5) / 10f64.powi(decimals as i32);
            for y in [x, x.next_up(), x.next_down(), -x] {
                proptest::prop_assert_eq!(fmt_num(y), fmt_num_exact(y), "{:e}", y);
            }
        }

        #[test]
        fn fast_decades_are_exact(e in -12i32..18, ulps in -4i64..4, scale in 0.9f64..1.1) {
            // Around powers of ten, where the magnitude changes.
            for base in [10f64.powi(e), 10f64.powi(e) * scale] {
                let y = f64::from_bits((base.to_bits() as i64 + ulps) as u64);
                proptest::prop_assert_eq!(fmt_num(y), fmt_num_exact(y), "{:e}", y);
            }
        }
    }
}
