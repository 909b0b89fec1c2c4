//! What `backsim attribute` writes: attribution.csv, the waterfall charts, the report
//! section and the terminal table.

use super::{AttributeOutcome, By, MetricAttribution, Share};
use crate::engine::metrics::{Better, METRICS};
use crate::format::{fmt_num, short, whole_percentage};
use crate::output::charts::waterfall::{self, Step, Waterfall};
use crate::output::names;
use crate::output::report::esc;
use crate::output::ImageFormat;
use anyhow::Result;
use std::fmt::Write as _;
use std::path::Path;

/// attribution.csv: per metric a row per mechanism, then its `total`.
pub fn attribution_csv(o: &AttributeOutcome) -> String {
    let mut out =
        String::from("scenario,baseline,metric,mechanism,contribution,ci95_low,ci95_high\n");
    for a in &o.metrics {
        let rows = o
            .players
            .iter()
            .map(|p| p.name.as_str())
            .zip(&a.contributions)
            .chain(std::iter::once(("total", &a.total)));
        for (name, s) in rows {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{}",
                csv_cell(&o.scenario),
                csv_cell(&o.baseline),
                METRICS[a.metric].name,
                csv_cell(name),
                fmt_num(s.mean),
                fmt_num(s.ci95.0),
                fmt_num(s.ci95.1)
            );
        }
    }
    out
}

/// A CSV cell, quoted when it holds a comma, quote or line break.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn pm(s: &Share) -> String {
    let sign = if s.mean > 0.0 { "+" } else { "" };
    format!(
        "{sign}{} [{}, {}]",
        short(s.mean),
        short(s.ci95.0),
        short(s.ci95.1)
    )
}

/// Whether the interval excludes 0.
fn clear(s: &Share) -> bool {
    s.ci95.0 > 0.0 || s.ci95.1 < 0.0
}

/// The share of the total a contribution makes, when the total is clearly not 0.
fn share_of_total(s: &Share, total: &Share) -> String {
    if clear(total) && total.mean != 0.0 {
        whole_percentage(100.0 * s.mean / total.mean)
    } else {
        "–".into()
    }
}

/// The compact terminal table: per metric, each mechanism's contribution and interval.
pub fn text_table(o: &AttributeOutcome) -> String {
    let mut out = String::new();
    let wn = o
        .players
        .iter()
        .map(|p| p.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(12);
    for a in &o.metrics {
        let _ = writeln!(
            out,
            "{} − {} on {}, {}: {} → {} ({} runs)",
            o.scenario,
            o.baseline,
            METRICS[a.metric].name,
            o.by.label(),
            short(a.baseline_mean),
            short(a.scenario_mean),
            a.n
        );
        for (p, s) in o.players.iter().zip(&a.contributions) {
            let _ = writeln!(
                out,
                "  {:<wn$}  {:>28}  {:>6}",
                p.name,
                pm(s),
                share_of_total(s, &a.total)
            );
        }
        let _ = writeln!(out, "  {:<wn$}  {:>28}", "total", pm(&a.total));
    }
    out
}

/// The waterfall's title and axis in the report's words ("Value efficiency", its unit),
/// not the CSV column's name.
fn waterfall_words(o: &AttributeOutcome, a: &MetricAttribution) -> (String, String) {
    let m = &METRICS[a.metric];
    let label = names::label(m.name);
    let title = format!("Why {} differs from {}: {label}", o.scenario, o.baseline);
    let mut unit = names::unit(m.name).to_string();
    if m.censored {
        unit.push_str(if unit.is_empty() { "" } else { "; " });
        unit.push_str("a run not done in the horizon counts as horizon + 1");
    }
    let mean = format!("Mean {}", label.to_lowercase());
    let x_desc = if unit.is_empty() {
        mean
    } else {
        format!("{mean} ({unit})")
    };
    (title, x_desc)
}

/// The waterfall chart of one metric: `attribution_METRIC.png/.svg` in `dir`.
pub fn waterfall(
    o: &AttributeOutcome,
    a: &MetricAttribution,
    dir: &Path,
    format: ImageFormat,
) -> Result<crate::output::publish::Drawn> {
    let name = METRICS[a.metric].name;
    let steps: Vec<Step> = o
        .players
        .iter()
        .zip(&a.contributions)
        .map(|(p, s)| Step {
            label: p.name.clone(),
            contribution: s.mean,
            ci95: s.ci95,
        })
        .collect();
    let (title, x_desc) = waterfall_words(o, a);
    let subtitle = match o.by {
        By::Structure => format!(
            "By structural switch: exact Shapley contributions, {} variants × {} runs on the \
             same worlds; total {}",
            o.variants,
            a.n,
            pm(&a.total)
        ),
        By::Mechanism => format!(
            "By mechanism: direct part + exact Shapley contributions, {} variants × {} runs on \
             the same worlds; total {}",
            o.variants,
            a.n,
            pm(&a.total)
        ),
    };
    waterfall::waterfall(
        &dir.join(format!("attribution_{name}")),
        &Waterfall {
            title: &title,
            subtitle: &subtitle,
            x_desc: &x_desc,
            start: (&o.baseline, a.baseline_mean),
            end: (&o.scenario, a.scenario_mean),
            steps: &steps,
            higher_is_better: METRICS[a.metric].better == Better::Higher,
        },
        format,
    )
}

/// The report section.
pub fn report_html(o: &AttributeOutcome, svgs: &[(&str, String)]) -> String {
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<h2>Attribution: why {} differs from {}, {}</h2>",
        esc(&o.scenario),
        esc(&o.baseline),
        o.by.label()
    );
    h.push_str(&super::super::command_html());
    if o.by == By::Mechanism {
        mechanism_intro(&mut h, o);
    } else {
        structure_intro(&mut h, o);
    }
    contributions_html(&mut h, o, svgs);
    h
}

fn mechanism_intro(h: &mut String, o: &AttributeOutcome) {
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} mechanisms · {} variants (every subset of mechanisms on, in \
         {} and in {} alike) · {} runs each · seed <b>{}</b> · every variant on the same \
         simulated worlds (common random numbers)</p>",
        o.players.len() - 1,
        o.variants,
        esc(&o.scenario),
        esc(&o.baseline),
        o.runs,
        o.seed
    );
    h.push_str(
        "<p>For every subset of the model's mechanisms, both scenarios are simulated with only \
         those mechanisms on, and the game's value is their paired difference. \
         <b>direct</b> is the difference with every mechanism off: what the structure does by \
         itself. Each mechanism's contribution is its exact Shapley value: its effect on the \
         difference averaged over every order of switching the mechanisms on, computed run \
         by run, so the rows add up to the total paired difference and each has a 95 % \
         interval over runs. A mechanism whose interval includes 0 has no effect the runs can \
         tell apart from noise.</p>\n",
    );
    h.push_str("<table>\n<tr><th>mechanism</th><th>what it does (and what off means)</th></tr>\n");
    for p in &o.players {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td></tr>",
            esc(&p.name),
            esc(&p.meaning)
        );
    }
    h.push_str("</table>\n");
}

fn structure_intro(h: &mut String, o: &AttributeOutcome) {
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} mechanisms · {} variants (every subset of mechanisms switched to \
         {}'s setting) · {} runs each · seed <b>{}</b> · every variant on the same simulated \
         worlds (common random numbers)</p>",
        o.players.len(),
        o.variants,
        esc(&o.scenario),
        o.runs,
        o.seed
    );
    h.push_str(
        "<p>Each mechanism's contribution is its exact Shapley value: its effect averaged over \
         every order of switching the mechanisms from the baseline's setting to the \
         scenario's, computed run by run, so the contributions add up to the total paired \
         difference and each has a 95 % interval over runs. A mechanism whose interval \
         includes 0 has no effect the runs can tell apart from noise.</p>\n",
    );
    h.push_str("<table>\n<tr><th>mechanism</th><th>keys that differ</th><th>meaning</th></tr>\n");
    for p in &o.players {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p.name),
            esc(&p.keys.join(", ")),
            esc(&p.meaning)
        );
    }
    h.push_str("</table>\n");
}

fn contributions_html(h: &mut String, o: &AttributeOutcome, svgs: &[(&str, String)]) {
    h.push_str("<table>\n<tr><th>mechanism</th>");
    for a in &o.metrics {
        let _ = write!(h, "<th>{}</th>", esc(&names::label(METRICS[a.metric].name)));
    }
    h.push_str("</tr>\n");
    for (i, p) in o.players.iter().enumerate() {
        let _ = write!(h, "<tr><td>{}</td>", esc(&p.name));
        for a in &o.metrics {
            let s = &a.contributions[i];
            let _ = write!(
                h,
                "<td>{} <span class=\"meta\">({})</span></td>",
                esc(&pm(s)),
                esc(&share_of_total(s, &a.total))
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("<tr><td><b>total</b></td>");
    for a in &o.metrics {
        let _ = write!(
            h,
            "<td><b>{}</b> <span class=\"meta\">({} → {})</span></td>",
            esc(&pm(&a.total)),
            short(a.baseline_mean),
            short(a.scenario_mean)
        );
    }
    h.push_str("</tr>\n</table>\n");
    for (name, svg) in svgs {
        let _ = writeln!(
            h,
            "<figure id=\"attribution_{name}\">\n{}\n<figcaption>From {}'s mean {} \
             (top) to {}'s (bottom): each bar is one mechanism's contribution with its 95 % \
             interval over runs (attribution.csv).</figcaption>\n</figure>",
            svg.trim(),
            esc(&o.baseline),
            esc(&names::label(name).to_lowercase()),
            esc(&o.scenario)
        );
    }
}

/// The attribution of several scenarios as one Markdown table (docs/model.md holds it for
/// the three archetypes): a row per scenario and mechanism, then the scenario's total; a
/// column per metric of the first outcome, each `contribution [95 % interval] (share)`.
pub fn markdown_table(outcomes: &[AttributeOutcome]) -> String {
    let Some(first) = outcomes.first() else {
        return String::new();
    };
    let metrics: Vec<usize> = first.metrics.iter().map(|a| a.metric).collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Against `{}`, {}, {} runs per variant, seed {} (`backsim attribute SCENARIO{} --runs {}`); \
         each cell is the contribution with its 95 % interval and its share of the total.\n",
        first.baseline,
        first.by.label(),
        first.runs,
        first.seed,
        match first.by {
            By::Mechanism => "",
            By::Structure => " --by structure",
        },
        first.runs
    );
    out.push_str("| scenario | mechanism |");
    for &m in &metrics {
        let _ = write!(out, " {} |", METRICS[m].name);
    }
    out.push_str("\n|---|---|");
    for _ in &metrics {
        out.push_str("---|");
    }
    out.push('\n');
    for o in outcomes {
        let cell = |i: Option<usize>, m: usize| -> String {
            let Some(a) = o.metrics.iter().find(|a| a.metric == m) else {
                return "–".into();
            };
            match i {
                Some(i) => format!(
                    "{} ({})",
                    pm(&a.contributions[i]),
                    share_of_total(&a.contributions[i], &a.total)
                ),
                None => format!(
                    "**{}** ({} → {})",
                    pm(&a.total),
                    short(a.baseline_mean),
                    short(a.scenario_mean)
                ),
            }
        };
        for (i, p) in o.players.iter().enumerate() {
            let _ = write!(out, "| {} | {} |", o.scenario, p.name);
            for &m in &metrics {
                let _ = write!(out, " {} |", cell(Some(i), m));
            }
            out.push('\n');
        }
        let _ = write!(out, "| {} | **total** |", o.scenario);
        for &m in &metrics {
            let _ = write!(out, " {} |", cell(None, m));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests;
