//! Reading a tracker's per-item export (see [`crate::analysis::tracker`]) into a sprint
//! history, with what it adds to a calibration: throughput per period, lead times, aging work.

use super::Sprint;
use crate::error::input_error;
use crate::stats::quantile_sorted;
use anyhow::Result;
use std::path::Path;

/// How a tracker's per-item export is read (see [`crate::analysis::tracker`]).
#[derive(Debug, Clone)]
pub struct ItemOptions {
    pub date_format: Option<String>,
    pub period: crate::analysis::tracker::Period,
    pub since: Option<String>,
    pub last: Option<usize>,
    pub strict: bool,
}

impl Default for ItemOptions {
    fn default() -> Self {
        ItemOptions {
            date_format: None,
            period: crate::analysis::tracker::Period::Week,
            since: None,
            last: None,
            strict: false,
        }
    }
}

/// What a per-item export adds to a calibration.
#[derive(Debug, Clone)]
pub struct ItemReport {
    pub period: crate::analysis::tracker::Period,
    /// (first day of the period, items done).
    pub throughput: Vec<(crate::calendar::Date, u64)>,
    /// Sorted lead times in calendar days (done − start + 1).
    pub lead_times: Vec<f64>,
    /// Work in progress: (id, start, age in calendar days as of `as_of`), oldest first.
    pub aging: Vec<(String, crate::calendar::Date, i32)>,
    pub as_of: Option<crate::calendar::Date>,
    pub warning: Option<String>,
    pub start_column: String,
}

impl ItemReport {
    pub fn lead_quantile(&self, p: f64) -> f64 {
        quantile_sorted(&self.lead_times, p)
    }
}

/// Read a per-item export and turn it into a sprint history and its report.
pub fn read_items(path: &Path, opts: &ItemOptions) -> Result<(Vec<Sprint>, ItemReport)> {
    use crate::analysis::tracker::{parse_export, throughput, DateFormat};
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| input_error(format!("{shown}: cannot read the export: {e}")))?;
    let format = match &opts.date_format {
        None => DateFormat::Iso,
        Some(p) => DateFormat::pattern(p)?,
    };
    let since = match &opts.since {
        None => None,
        Some(s) => Some(
            crate::calendar::Date::parse_iso(s)
                .map_err(|e| input_error(format!("--since: {e}")))?,
        ),
    };
    let export = parse_export(&text, &shown, &format)?;
    let warning = export.warning();
    if let (true, Some(w)) = (opts.strict, &warning) {
        return Err(input_error(format!(
            "{shown}: --strict: {w}; fix the export or drop --strict to count what can be counted"
        )));
    }
    let periods = throughput(&export, opts.period, since, opts.last);
    if periods.is_empty() {
        return Err(input_error(format!(
            "{shown}: no item is done on or after --since; nothing to count"
        )));
    }
    let history: Vec<Sprint> = periods
        .iter()
        .enumerate()
        .map(|(k, &(_, c))| Sprint {
            sprint: (k + 1) as f64,
            completed: c as f64,
            committed: None,
        })
        .collect();
    let as_of = export.as_of();
    let mut aging: Vec<(String, crate::calendar::Date, i32)> = export
        .in_progress()
        .filter_map(|i| {
            let s = i.start?;
            Some((i.id.clone(), s, as_of.map_or(0, |t| t.0 - s.0 + 1)))
        })
        .collect();
    aging.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    Ok((
        history,
        ItemReport {
            period: opts.period,
            throughput: periods,
            lead_times: export.lead_times(),
            aging,
            as_of,
            warning,
            start_column: export.start_column.clone(),
        },
    ))
}
