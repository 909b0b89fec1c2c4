//! The sections of a throughput forecast: its answers in words, the forecast table and how
//! much the answer hangs on the history's length.

use crate::format::three_digits as num;
use std::fmt::Write as _;

use super::{esc, swatch};
use crate::format::share_of_runs;
use crate::output::results::{Pct, Results};

/// The forecast's answers, scenario by scenario: `when` at 50/85/95 %, `how_many`, and the
/// promise (the planned sprint) with the share of runs done by it.
pub fn forecast_narrative(r: &Results) -> String {
    let mut parts = Vec::new();
    for s in &r.scenarios {
        let rows: Vec<&crate::output::results::ForecastRow> =
            r.forecast.iter().filter(|f| f.scenario == s.name).collect();
        let days = s
            .table
            .get("simulation")
            .and_then(|t| t.get("sprint_days"))
            .and_then(|v| v.as_integer());
        let noun = if days == Some(5) { "week" } else { "sprint" };
        let at = |f: &crate::output::results::ForecastRow| {
            if f.sprint.starts_with('>') {
                format!("not within the {} {noun}s simulated", esc(&f.sprint[1..]))
            } else if f.date.is_empty() {
                format!("by {noun} {}", esc(&f.sprint))
            } else {
                format!("by {noun} {} ({})", esc(&f.sprint), esc(&f.date))
            }
        };
        let when: Vec<&&crate::output::results::ForecastRow> = rows
            .iter()
            .filter(|f| f.question == "when" && f.confidence != 70)
            .collect();
        if let Some(first) = when.first() {
            let items = first.items.map(num).unwrap_or_default();
            let answers: Vec<String> = when
                .iter()
                .map(|f| format!("{} with {} % confidence", at(f), f.confidence))
                .collect();
            parts.push(format!(
                "<b>{}</b>: the {items} items are done {}.",
                esc(&s.name),
                answers.join(", ")
            ));
        }
        let how: Vec<&&crate::output::results::ForecastRow> =
            rows.iter().filter(|f| f.question == "how_many").collect();
        if let Some(first) = how.first() {
            let answers: Vec<String> = how
                .iter()
                .map(|f| {
                    format!(
                        "at least {} items with {} % confidence",
                        f.items.map(num).unwrap_or_default(),
                        f.confidence
                    )
                })
                .collect();
            let target = at(first).replacen("by ", "", 1);
            parts.push(format!("By {target}: {}.", answers.join(", ")));
        }
        // The promise: forecast.promise_date (by the calendar), else release.planned_sprint.
        let scenario: Option<crate::scenario::Scenario> =
            toml::Value::Table(s.table.clone()).try_into().ok();
        if let Some(sc) = scenario {
            if let Some(p) = sc.promised_sprint() {
                let runs = r.distribution(&s.name, "completion_sprint");
                let total: u64 = runs.iter().map(|d| d.1).sum();
                if total > 0 {
                    let by: u64 = runs
                        .iter()
                        .filter(|d| d.0.is_some_and(|c| c <= p as f64))
                        .map(|d| d.1)
                        .sum();
                    let date = sc
                        .calendar()
                        .map_or_else(String::new, |c| format!(" ({})", c.sprint_end(p)));
                    parts.push(format!(
                        "The promise was {noun} {p}{date}: {} of the runs were done by then.",
                        share_of_runs(by as f64 / total as f64)
                    ));
                }
            }
        }
    }
    parts.join(" ")
}

/// `forecast.csv` as a table: both questions per scenario.
pub(super) fn forecast_table(h: &mut String, r: &Results) {
    let noun = crate::output::charts::forecast::run_units(r).1;
    // Without a calendar no answer has a date: the column is left out.
    let dated = r.forecast.iter().any(|f| !f.date.is_empty());
    let _ = write!(
        h,
        "<h2 id=\"forecast\">Forecast</h2>\n<p>“When”: the earliest {noun} by which that share of the runs \
         is done. “How many”: the items at least that share of the runs had done by the target.{}</p>\n\
         <div class=\"wrap\"><table>\n<tr><th>Scenario</th><th>Question</th><th>Confidence</th>\
         <th>{}</th>{}<th>Items</th></tr>\n",
        if dated {
            format!(" Dates are each {noun}'s last working day (empty without a calendar).")
        } else {
            String::new()
        },
        crate::output::charts::forecast::capitalized(noun),
        if dated { "<th>Date</th>" } else { "" }
    );
    for f in &r.forecast {
        let i = r.scenario_index(&f.scenario).unwrap_or(0);
        let date = if dated {
            format!("<td>{}</td>", esc(&f.date))
        } else {
            String::new()
        };
        let _ = writeln!(
            h,
            "<tr><td>{}{}</td><td>{}</td><td class=\"n\">{} %</td><td class=\"n\">{}</td>\
             {}<td class=\"n\">{}</td></tr>",
            swatch(i),
            esc(&f.scenario),
            if f.question == "when" {
                "when?"
            } else {
                "how many?"
            },
            f.confidence,
            esc(&f.sprint),
            date,
            f.items.map(num).unwrap_or_default()
        );
    }
    h.push_str("</table></div>\n");
}

/// The `when` answers with only the last k values of the throughput history
/// (`forecast_dist.csv`), one table per forecast that has them.
pub(super) fn history_table(h: &mut String, r: &Results) {
    use crate::output::charts::forecast::{forecasts, run_units};
    let noun = run_units(r).1;
    let fs: Vec<_> = forecasts(r)
        .into_iter()
        .filter(|f| f.by_length.len() > 1)
        .collect();
    if fs.is_empty() {
        return;
    }
    let runs = fs
        .iter()
        .filter_map(|f| f.history_runs.map(|x| x.1))
        .max()
        .unwrap_or(0);
    let _ = writeln!(
        h,
        "<h2 id=\"history-length\">How much the answer hangs on the history's length</h2>\n\
         <p>The “when” answer again with only the most recent k values of the throughput \
         history, on the same random worlds ({} each). Answers that move a lot with k mean the \
         older periods differ from the recent ones: ask which is the team of the coming {noun}s.</p>",
        crate::words::count(runs, "run")
    );
    for f in fs {
        let cal = f.scenario.as_ref().and_then(|s| s.calendar());
        let _ = write!(
            h,
            "<div class=\"wrap\"><table>\n<tr><th>{}{}: last k values</th>",
            swatch(f.i),
            esc(&f.name)
        );
        for c in crate::output::forecast::HISTORY_CONFIDENCES {
            let _ = write!(h, "<th>{c} % sure: by {noun}</th>");
        }
        h.push_str("</tr>\n");
        for (k, when) in &f.by_length {
            let whole = f.history_runs.is_some_and(|x| x.0 == *k);
            let _ = write!(
                h,
                "<tr><td class=\"n\">{k}{}</td>",
                if whole { " <small>(all)</small>" } else { "" }
            );
            for w in when {
                let cell = match w {
                    Pct::Value(v) => {
                        let k = *v as u32;
                        match &cal {
                            Some(c) => format!("{k} <small>({})</small>", c.sprint_end(k)),
                            None => k.to_string(),
                        }
                    }
                    Pct::Beyond(hz) => format!("&gt;{}", num(*hz)),
                };
                let _ = write!(h, "<td class=\"n\">{cell}</td>");
            }
            h.push_str("</tr>\n");
        }
        let _ = writeln!(h, "</table></div>");
    }
}
