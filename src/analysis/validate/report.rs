//! What `backsim validate` writes: validation.csv, validation_runs.csv, the chart, the
//! report section, the terminal table, and the Markdown table of docs/validation.md.

use super::{CheckResult, ValidateOutcome, ARMS, FACTS};
use crate::format::{fmt_num, four_digit_interval};
use crate::output::charts::bands::{self, BandRow, Bands};
use crate::output::report::esc;
use crate::output::ImageFormat;
use anyhow::Result;
use std::fmt::Write as _;
use std::path::Path;

/// A CSV cell, quoted when it holds a comma, quote or line break.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// validation.csv: one row per check.
pub fn validation_csv(o: &ValidateOutcome) -> String {
    let mut out =
        String::from("fact,source,grade,target_low,target_high,value,ci95_low,ci95_high,within\n");
    for c in &o.checks {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            c.check.id,
            csv_cell(c.check.source),
            c.check.grade,
            fmt_num(c.check.band.0),
            fmt_num(c.check.band.1),
            fmt_num(c.value),
            fmt_num(c.ci95.0),
            fmt_num(c.ci95.1),
            c.within
        );
    }
    out
}

/// validation_runs.csv: each check's value in each run (empty: no value in that run).
pub fn runs_csv(o: &ValidateOutcome) -> String {
    let mut out = String::from("fact,run,value\n");
    for c in &o.checks {
        for (r, x) in c.per_run.iter().enumerate() {
            let _ = writeln!(out, "{},{},{}", c.check.id, r + 1, fmt_num(*x));
        }
    }
    out
}

fn target(c: &CheckResult) -> String {
    if c.check.band.1.is_finite() {
        format!("{}–{}", fmt_num(c.check.band.0), fmt_num(c.check.band.1))
    } else {
        format!("> {} (95 % CI)", fmt_num(c.check.band.0))
    }
}

fn interval(c: &CheckResult) -> String {
    four_digit_interval(c.value, c.ci95).unwrap_or_else(|| "no value".into())
}

fn verdict(within: bool) -> &'static str {
    if within {
        "met"
    } else {
        "MISSED"
    }
}

/// "Facts met: 7 of 10 (1, 3, …); missed: 2 (…)".
pub fn summary_line(o: &ValidateOutcome) -> String {
    let facts = o.facts();
    let met: Vec<String> = facts
        .iter()
        .filter(|f| f.1)
        .map(|f| f.0.to_string())
        .collect();
    let missed: Vec<String> = facts
        .iter()
        .filter(|f| !f.1)
        .map(|f| f.0.to_string())
        .collect();
    format!(
        "Facts met: {} of {} ({}); missed: {}{}",
        met.len(),
        FACTS.len(),
        if met.is_empty() {
            "none".into()
        } else {
            met.join(", ")
        },
        if missed.is_empty() {
            "none".into()
        } else {
            missed.join(", ")
        },
        if facts.len() < FACTS.len() {
            format!("; {} without an experiment", FACTS.len() - facts.len())
        } else {
            String::new()
        }
    )
}

/// The compact terminal table: one line per check, then the facts met.
pub fn text_table(o: &ValidateOutcome) -> String {
    let mut out = String::new();
    let wl = o
        .checks
        .iter()
        .map(|c| c.check.label.chars().count() + c.check.fact.to_string().len() + 3)
        .max()
        .unwrap_or(0);
    let _ = writeln!(
        out,
        "{:<wl$}  {:>28}  {:>11}  result",
        "check", "model [95 % CI]", "target"
    );
    for c in &o.checks {
        let _ = writeln!(
            out,
            "{:<wl$}  {:>28}  {:>11}  {}",
            format!("{} · {}", c.check.fact, c.check.label),
            interval(c),
            target(c),
            if c.within { "in band" } else { "OUTSIDE" }
        );
    }
    let _ = writeln!(out, "{}", summary_line(o));
    out
}

/// The chart `validation.png/.svg` as pending files, and its SVG text.
pub fn chart(
    o: &ValidateOutcome,
    base: &Path,
    format: ImageFormat,
) -> Result<crate::output::charts::analysis::Drawn> {
    let rows: Vec<BandRow> = o
        .checks
        .iter()
        .map(|c| BandRow {
            group: c.check.fact.to_string(),
            label: format!("{} · {}", c.check.fact, c.check.label),
            value: c.value,
            ci95: c.ci95,
            band: c.check.band,
            within: c.within,
        })
        .collect();
    let facts = o.facts();
    let met = facts.iter().filter(|f| f.1).count();
    let subtitle = format!(
        "{met} of {} stylized facts met · {} arms × {} runs on the same worlds (seed {})",
        FACTS.len(),
        ARMS.len(),
        o.runs,
        o.seed
    );
    bands::bands(
        base,
        &Bands {
            title: "The model against published evidence",
            subtitle: &subtitle,
            rows: &rows,
        },
        format,
    )
}

/// The report section.
pub fn report_html(o: &ValidateOutcome, svg: Option<&str>) -> String {
    let mut h = String::from("<h2>Validation against published evidence</h2>\n");
    h.push_str(&super::super::command_html());
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} checks of {} stylized facts · {} arms × {} runs · seed <b>{}</b> · \
         every arm on the same simulated worlds (common random numbers)</p>",
        o.checks.len(),
        FACTS.len(),
        ARMS.len(),
        o.runs,
        o.seed
    );
    let _ = writeln!(
        h,
        "<p><b>{}</b>. A fact is met when every check of it has its mean inside the target \
         band the evidence gives; the interval is the 95 % t interval over runs (ratios and \
         differences are taken run by run on the same worlds). The bands come from the \
         evidence file and are never widened to pass; see docs/validation.md for why each \
         miss happens and what would change it.</p>",
        esc(&summary_line(o))
    );
    if let Some(svg) = svg {
        let _ = writeln!(
            h,
            "<figure id=\"validation_chart\">\n{}\n<figcaption>Each row is one check on its own \
             scale: the shaded band is the evidence's target, the dot the model's mean (green \
             inside the band, orange outside) and the whisker its 95 % interval \
             (validation.csv).</figcaption>\n</figure>",
            svg.trim()
        );
    }
    h.push_str(
        "<table>\n<tr><th>fact</th><th>check</th><th>evidence</th><th>source (grade)</th>\
         <th>target</th><th>model [95 % CI]</th><th>result</th></tr>\n",
    );
    for c in &o.checks {
        let _ = writeln!(
            h,
            "<tr><td>{} {}</td><td>{}</td><td>{}</td><td>{} ({})</td><td>{}</td><td>{}</td>\
             <td>{}</td></tr>",
            c.check.fact,
            esc(FACTS[c.check.fact as usize - 1]),
            esc(c.check.label),
            esc(c.check.statement),
            esc(c.check.source),
            esc(c.check.grade),
            esc(&target(c)),
            esc(&interval(c)),
            if c.within {
                "in band"
            } else {
                "<b>outside</b>"
            }
        );
    }
    h.push_str(
        "</table>\n<h3>The experiments</h3>\n<table>\n<tr><th>arm</th><th>what it is</th></tr>\n",
    );
    for a in ARMS {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td></tr>",
            esc(a.name),
            esc(a.meaning)
        );
    }
    h.push_str("</table>\n<table>\n<tr><th>check</th><th>measured as</th></tr>\n");
    for c in &o.checks {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td></tr>",
            esc(c.check.id),
            esc(c.check.experiment)
        );
    }
    h.push_str("</table>\n");
    h
}

/// The table of docs/validation.md: one row per check, then the facts met.
pub fn markdown_table(o: &ValidateOutcome) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "`backsim validate --runs {} --seed {}` ({} arms × {} runs on the same worlds); each \
         value is the mean over runs with its 95 % interval.\n",
        o.runs,
        o.seed,
        ARMS.len(),
        o.runs
    );
    out.push_str("| fact | check | source (grade) | target | model [95 % CI] | result |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for c in &o.checks {
        let _ = writeln!(
            out,
            "| {} | `{}` {} | {} ({}) | {} | {} | {} |",
            c.check.fact,
            c.check.id,
            c.check.label,
            c.check.source,
            c.check.grade,
            target(c),
            interval(c),
            if c.within { "in band" } else { "**outside**" }
        );
    }
    out.push('\n');
    for (f, met) in o.facts() {
        let _ = writeln!(
            out,
            "- fact {f} ({}): **{}**",
            FACTS[f as usize - 1],
            verdict(met).to_lowercase()
        );
    }
    out
}
