//! The sections of a run of the role-archetype model: summary, comparison with the baseline,
//! the parameters that differ, and the narrative read aloud.

use crate::format::three_digits as num;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{esc, interval_text, pct_text, signed, swatch, KEY_METRICS};
use crate::format::{share_of_runs, whole_percent as share};
use crate::output::names;
use crate::output::results::{BetterWhen, Pct, Results, Verdict};

pub(super) fn summary_table(h: &mut String, r: &Results) {
    h.push_str(
        "<h2 id=\"key-metrics\">Key metrics per scenario</h2>\n<p>Mean with its 95 % confidence interval; \
         below it the median (P50) and P85. “&gt;N” means beyond the horizon: not done in \
         enough runs to say.</p>\n<div class=\"wrap\"><table>\n<tr><th>Metric</th>",
    );
    for (i, s) in r.scenarios.iter().enumerate() {
        let _ = write!(h, "<th>{}{}</th>", swatch(i), esc(&s.name));
    }
    h.push_str("</tr>\n");
    for (metric, label, unit) in KEY_METRICS {
        let _ = write!(
            h,
            "<tr><th>{}<br><small>{}</small></th>",
            esc(label),
            esc(unit)
        );
        for s in &r.scenarios {
            let Some(row) = r.summary_row(&s.name, metric) else {
                h.push_str("<td class=\"n\">–</td>");
                continue;
            };
            let (mean, ci) = match (row.mean, row.ci95_low, row.ci95_high) {
                (Some(m), Some(a), Some(b)) => {
                    let [m, a, b] = interval_text(m, a, b, false);
                    (m, format!(" <small>({a} to {b})</small>"))
                }
                (m, ..) => (m.map(num).unwrap_or_else(|| "–".into()), String::new()),
            };
            // Completion and delay: a restricted mean (runs not done count at the horizon
            // + 1), with the share of runs done beside it.
            let done = match (metric, row.completed_share) {
                ("completion_sprint" | "release_delay_sprints", Some(c)) => format!(
                    "<br><small>restricted mean; done in {} of runs</small>",
                    share_of_runs(c)
                ),
                _ => String::new(),
            };
            let _ = write!(
                h,
                "<td class=\"n\"><b>{mean}</b>{ci}<br><small>P50 {} · P85 {}</small>{done}</td>",
                pct_text(row.p50()),
                pct_text(row.p85())
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n");
}

pub(super) fn compare_table(h: &mut String, r: &Results) {
    let others: Vec<(usize, &str)> = r
        .scenarios
        .iter()
        .enumerate()
        .filter(|(_, s)| s.name != r.run.baseline)
        .map(|(i, s)| (i, s.name.as_str()))
        .collect();
    let _ = writeln!(
        h,
        "<h2 id=\"differences\">Paired differences against the baseline ({})</h2>\n<p>Mean of (scenario − \
         baseline) over replications that share the same random world, with its 95 % \
         confidence interval, and the share of replications in which the scenario did \
         strictly better. Green: the whole interval is on the better side; red: on the \
         worse side; plain: the interval includes zero.</p>",
        esc(&r.run.baseline)
    );
    if others.is_empty() {
        h.push_str("<p>Only the baseline was run.</p>\n");
        return;
    }
    h.push_str("<div class=\"wrap\"><table>\n<tr><th>Metric</th>");
    for (i, name) in &others {
        let _ = write!(h, "<th>{}{}</th>", swatch(*i), esc(name));
    }
    h.push_str("</tr>\n");
    for metric in r.compare_metrics() {
        let bw = r
            .compare
            .iter()
            .find(|c| c.metric == metric)
            .map(|c| c.better_when);
        let dir = match bw {
            Some(BetterWhen::Higher) => "higher is better",
            Some(BetterWhen::Lower) => "lower is better",
            None => "",
        };
        let unit = names::unit(metric);
        let sep = if unit.is_empty() || dir.is_empty() {
            ""
        } else {
            ", "
        };
        let _ = write!(
            h,
            "<tr><th>{}<br><small>{}{sep}{dir}</small></th>",
            esc(&names::label(metric)),
            esc(unit)
        );
        for (_, name) in &others {
            let Some(c) = r.compare_row(name, metric) else {
                h.push_str("<td class=\"n\">–</td>");
                continue;
            };
            let class = match c.verdict() {
                Verdict::Better => "better",
                Verdict::Worse => "worse",
                Verdict::Unclear => "unclear",
            };
            let (md, ci) = match (c.mean_diff, c.ci95_low, c.ci95_high) {
                (Some(d), Some(a), Some(b)) => {
                    let [d, a, b] = interval_text(d, a, b, true);
                    (d, format!(" <small>({a} to {b})</small>"))
                }
                (d, ..) => (d.map(signed).unwrap_or_else(|| "–".into()), String::new()),
            };
            let bs = c
                .better_share
                .map(|b| format!("<br><small>better in {} of runs</small>", share_of_runs(b)))
                .unwrap_or_default();
            let _ = write!(h, "<td class=\"n {class}\"><b>{md}</b>{ci}{bs}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n");
}

/// Flatten a TOML table into dotted keys with their values as TOML text.
pub fn flatten(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::Array(a) if a.iter().all(|x| x.is_table()) && !a.is_empty() => {
                for (i, x) in a.iter().enumerate() {
                    if let toml::Value::Table(t) = x {
                        flatten(&format!("{key}[{i}]"), t, out);
                    }
                }
            }
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

/// Dotted keys whose values differ between scenarios (name and description excluded),
/// with each scenario's value (`None` = absent).
pub fn differing_params(r: &Results) -> Vec<(String, Vec<Option<String>>)> {
    let flat: Vec<BTreeMap<String, String>> = r
        .scenarios
        .iter()
        .map(|s| {
            let mut m = BTreeMap::new();
            flatten("", &s.table, &mut m);
            m.remove("name");
            m.remove("description");
            m
        })
        .collect();
    let keys: BTreeSet<&String> = flat.iter().flat_map(|m| m.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let vals: Vec<Option<String>> = flat.iter().map(|m| m.get(k).cloned()).collect();
            let differs = vals.iter().any(|v| v != &vals[0]);
            differs.then(|| (k.clone(), vals))
        })
        .collect()
}

pub(super) fn params_table(h: &mut String, r: &Results) {
    h.push_str("<h2 id=\"parameters\">Where the scenarios differ</h2>\n");
    let diffs = differing_params(r);
    if diffs.is_empty() {
        h.push_str("<p>All scenarios have the same parameters.</p>\n");
        return;
    }
    h.push_str(
        "<p>Parameters (after defaults and <code>extends</code>) whose values are not the same \
         in every scenario; all other parameters are shared. See <code>scenarios.toml</code> \
         for the full list.</p>\n<div class=\"wrap\"><table>\n<tr><th>Parameter</th>",
    );
    for (i, s) in r.scenarios.iter().enumerate() {
        let _ = write!(h, "<th>{}{}</th>", swatch(i), esc(&s.name));
    }
    h.push_str("</tr>\n");
    for (k, vals) in diffs {
        let _ = write!(h, "<tr><td><code>{}</code></td>", esc(&k));
        for v in vals {
            match v {
                Some(v) => {
                    let _ = write!(h, "<td class=\"n\">{}</td>", esc(&v));
                }
                None => h.push_str("<td class=\"n\"><small>(not set)</small></td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n");
}

/// A few plain sentences from the numbers, for a facilitator to read aloud. HTML-escaped.
/// How much less value efficiency each other scenario delivered than the baseline (which
/// delivered the most), each gap with its paired 95 % interval, and whether the intervals
/// exclude zero: "the most" alone does not say whether the others' gaps are real.
fn value_gaps(r: &Results, base: &str) -> Option<String> {
    let mut gaps = Vec::new();
    let mut unclear = Vec::new();
    for s in r.scenarios.iter().filter(|s| s.name != base) {
        let Some(c) = r.compare_row(&s.name, "value_efficiency") else {
            continue;
        };
        let (Some(d), Some(lo), Some(hi)) = (c.mean_diff, c.ci95_low, c.ci95_high) else {
            continue;
        };
        let first = gaps.is_empty();
        let [dt, lot, hit] = interval_text(d * 100.0, lo * 100.0, hi * 100.0, true);
        gaps.push(format!(
            "<b>{}</b> {}{} ({}{lot} to {hit})",
            esc(&s.name),
            if first { "delivered " } else { "" },
            if d == 0.0 {
                "as much".to_string()
            } else {
                format!(
                    "{} {}",
                    dt.trim_start_matches(['+', '−']),
                    if first {
                        "percentage points less"
                    } else {
                        "less"
                    }
                )
            },
            if first {
                "95 % confidence interval of the difference "
            } else {
                ""
            },
        ));
        if hi >= 0.0 {
            unclear.push(format!("<b>{}</b>", esc(&s.name)));
        }
    }
    let n = gaps.len();
    if n == 0 {
        return None;
    }
    let verdict = if unclear.is_empty() {
        if n == 1 {
            "; that interval excludes zero".to_string()
        } else {
            "; each of these intervals excludes zero".to_string()
        }
    } else if unclear.len() == n {
        if n == 1 {
            ", but that interval includes zero, so the gap may be noise".to_string()
        } else {
            ", but every one of these intervals includes zero, so the gaps may be noise".to_string()
        }
    } else {
        format!(
            "; for {} the interval includes zero, so {} may be noise",
            and_list(&unclear),
            if unclear.len() == 1 {
                "that gap"
            } else {
                "those gaps"
            }
        )
    };
    Some(format!("Against it, {}{verdict}.", and_list(&gaps)))
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

pub fn narrative(r: &Results) -> String {
    let base = r.run.baseline.as_str();
    let mut parts: Vec<String> = Vec::new();
    let mean_of = |s: &str, m: &str| r.summary_row(s, m).and_then(|x| x.mean);

    // Value efficiency.
    let best_ve = r
        .scenarios
        .iter()
        .filter_map(|s| mean_of(&s.name, "value_efficiency").map(|v| (s.name.as_str(), v)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((name, v)) = best_ve {
        if name == base || r.scenarios.len() == 1 {
            parts.push(format!(
                "The baseline, <b>{}</b>, delivered the most value efficiency: on average {} of \
                 the value a perfect-information oracle would have realized; no other scenario did better on average.",
                esc(name),
                share(v)
            ));
            if let Some(s) = value_gaps(r, base) {
                parts.push(s);
            }
        } else {
            let mut s = format!(
                "<b>{}</b> delivered the most value efficiency: on average {} of the value a \
                 perfect-information oracle would have realized",
                esc(name),
                share(v)
            );
            if let Some(c) = r.compare_row(name, "value_efficiency") {
                if let (Some(d), Some(lo), Some(hi)) = (c.mean_diff, c.ci95_low, c.ci95_high) {
                    let [dt, lot, hit] = interval_text(d * 100.0, lo * 100.0, hi * 100.0, true);
                    let _ = write!(
                        s,
                        ", {} percentage points {} than the baseline <b>{}</b> (95 % confidence \
                         interval of the difference {lot} to {hit})",
                        dt.trim_start_matches(['+', '−']),
                        if d >= 0.0 { "more" } else { "less" },
                        esc(base),
                    );
                    if lo <= 0.0 {
                        s.push_str(
                            ", but that interval includes zero, so the difference may be noise",
                        );
                    } else if let Some(b) = c.better_share {
                        let _ = write!(
                            s,
                            "; it did better in {} of the paired runs",
                            share_of_runs(b)
                        );
                    }
                }
            }
            s.push('.');
            parts.push(s);
        }
    }

    // Release soonest: the lowest restricted mean completion (censored = horizon + 1), from
    // compare.csv, so scenarios that often miss the horizon are not flattered.
    let soonest = r
        .scenarios
        .iter()
        .filter_map(|s| {
            let d = if s.name == base {
                Some(0.0)
            } else {
                r.compare_row(&s.name, "completion_sprint")?.mean_diff
            }?;
            Some((s.name.as_str(), d))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1));
    if let (Some((name, _)), true) = (soonest, r.scenarios.len() > 1) {
        if let Some(row) = r.summary_row(name, "completion_sprint") {
            let mut s = format!("<b>{}</b> finished the release soonest", esc(name));
            match (row.p50(), row.p85()) {
                (Some(Pct::Value(p50)), Some(p85)) => {
                    let _ = write!(
                        s,
                        ": half of its runs were done by the end of sprint {}",
                        num(p50)
                    );
                    match p85 {
                        Pct::Value(p85) => {
                            let _ = write!(s, " and 85 % by sprint {}", num(p85));
                        }
                        Pct::Beyond(hz) => {
                            let _ = write!(
                                s,
                                ", but fewer than 85 % were done within the {} sprints simulated",
                                num(hz)
                            );
                        }
                    }
                }
                _ => {
                    let _ = write!(
                        s,
                        ", although fewer than half of its runs were done within the {} sprints simulated",
                        r.horizon()
                    );
                }
            }
            if let Some(c) = row.completed_share.filter(|c| *c < 1.0) {
                let _ = write!(
                    s,
                    " ({} of its runs finished within the horizon)",
                    share_of_runs(c)
                );
            }
            s.push('.');
            parts.push(s);
        }
    }

    // Most escaped defects.
    let worst = r
        .scenarios
        .iter()
        .filter_map(|s| mean_of(&s.name, "escaped_defects_per_point").map(|v| (s.name.as_str(), v)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((name, v)) = worst {
        let mut s = format!(
            "<b>{}</b> let the most defects escape to production: {} per delivered story point on average",
            esc(name),
            num(v)
        );
        if name != base {
            if let Some(b) = mean_of(base, "escaped_defects_per_point") {
                let _ = write!(s, ", against {} for the baseline", num(b));
            }
        }
        s.push('.');
        parts.push(s);
    }
    if parts.is_empty() {
        return "The results hold too little data for a summary.".into();
    }
    // How the year was simulated: from a steady state, and (for the archetypes) with the
    // same people in different structures.
    let warmup = r
        .scenarios
        .iter()
        .filter_map(|s| {
            let sim = s.table.get("simulation")?.as_table()?;
            (sim.get("model").and_then(|m| m.as_str()) != Some("throughput"))
                .then(|| sim.get("warmup_sprints")?.as_integer())
                .flatten()
        })
        .max();
    if let Some(w) = warmup.filter(|&w| w > 0) {
        parts.push(format!(
            "Each run starts from a steady state: {w} warm-up sprints on the same random streams \
             are played first and not reported."
        ));
    }
    let archetypes = crate::scenario::presets::ARCHETYPES;
    if r.scenarios.len() > 1
        && r.scenarios
            .iter()
            .all(|s| archetypes.contains(&s.name.as_str()))
    {
        parts.push(
            "These archetypes are the same people: they share every person-level trait and \
             differ only in role structure (who does strategy, how often the roadmap is handed \
             over, the PO's time split, who may reorder the backlog); their differences come \
             out of the mechanisms in docs/model.md."
                .into(),
        );
    }
    parts.join(" ")
}
