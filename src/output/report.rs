//! `report.html`: one self-contained page (inline CSS, charts inlined as SVG, no scripts,
//! no external fonts) that opens offline and can be read aloud in a workshop.

use crate::format::three_digits as num;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::output::charts::{scenario_color, ChartKind};
use crate::output::names;
use crate::output::results::{BetterWhen, Pct, Results, Verdict};

/// (metric, label, unit) of the key metrics in the summary table.
pub const KEY_METRICS: [(&str, &str, &str); 8] = [
    (
        "value_efficiency",
        "Value efficiency",
        "ratio, higher is better",
    ),
    (
        "release_delay_sprints",
        "Release delay",
        "sprints, lower is better",
    ),
    (
        "completion_sprint",
        "Release done in sprint",
        "sprint, lower is better",
    ),
    (
        "lead_time_p50_days",
        "Median lead time",
        "working days, lower is better",
    ),
    (
        "escaped_defects_per_point",
        "Escaped defects",
        "per story point, lower is better",
    ),
    (
        "rework_share",
        "Rework share",
        "share of points worked, lower is better",
    ),
    (
        "decision_wait_share",
        "Decision wait share",
        "share of cycle time, lower is better",
    ),
    (
        "say_do_ratio",
        "Say/do ratio",
        "done ÷ committed, higher is better",
    ),
];

/// Escape text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn signed(v: f64) -> String {
    if v > 0.0 {
        format!("+{}", num(v))
    } else {
        num(v).replace('-', "−")
    }
}

fn pct_text(p: Option<Pct>) -> String {
    match p {
        Some(Pct::Value(v)) => num(v),
        Some(Pct::Beyond(h)) => format!("&gt;{}", num(h)),
        None => "–".into(),
    }
}

fn share(v: f64) -> String {
    format!("{:.0} %", v * 100.0)
}

fn color_hex(i: usize) -> String {
    let c = scenario_color(i);
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

fn swatch(i: usize) -> String {
    format!(
        "<span class=\"sw\" style=\"background:{}\"></span>",
        color_hex(i)
    )
}

pub const CSS: &str = "
body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;color:#222;background:#fff;margin:0;line-height:1.45}
main{max-width:1240px;margin:0 auto;padding:24px 28px 60px}
h1{font-size:2rem;margin:.2em 0}
h2{font-size:1.4rem;margin-top:2em;border-bottom:2px solid #ddd;padding-bottom:.2em}
.meta{color:#555}
pre.cmd{background:#f4f4f4;padding:10px 14px;border-radius:6px;white-space:pre-wrap;word-break:break-all}
p.lead{font-size:1.15rem;max-width:60em}
table{border-collapse:collapse;margin:1em 0;font-size:.95rem}
th,td{border:1px solid #ddd;padding:6px 10px;text-align:left;vertical-align:top}
th{background:#f4f4f4}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
small{color:#666}
.sw{display:inline-block;width:14px;height:14px;border-radius:3px;margin-right:6px;vertical-align:-2px}
.better{background:#e3f4ee}
.worse{background:#fbe6da}
.unclear{color:#555}
figure{margin:2em 0}
figure svg{width:100%;height:auto;max-width:1200px;display:block;border:1px solid #eee}
figure svg text{font-family:'DejaVu Sans',Verdana,sans-serif}
figcaption{margin-top:.5em;color:#333;max-width:60em}
.wrap{overflow-x:auto}
nav.toc{background:#f7f7f7;border:1px solid #e4e4e4;border-radius:6px;padding:8px 18px;margin:1em 0;max-width:40em}
nav.toc ol{margin:.3em 0;padding-left:1.4em}
footer{margin-top:3em;color:#777;font-size:.85rem}
";

/// Extra CSS of the projector theme: larger type for a room.
pub const PROJECTOR_CSS: &str = "
body{font-size:22px}
main{max-width:1500px}
h1{font-size:2.6rem}
h2{font-size:1.9rem}
p.lead{font-size:1.3rem}
table{font-size:1.05rem}
figure svg{max-width:100%}
figcaption{font-size:1.15rem}
";

/// The page's CSS in the current theme.
pub fn css() -> String {
    if crate::output::charts::projector() {
        format!("{CSS}{PROJECTOR_CSS}")
    } else {
        CSS.to_string()
    }
}

/// The whole page. `svgs` are the charts in display order.
pub fn render(r: &Results, svgs: &[(ChartKind, String)]) -> String {
    let mut h = String::new();
    let title = "backsim report";
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — {}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        esc(title),
        esc(&r.run.date),
        css(),
        esc(title)
    );
    let mut meta = vec![];
    if !r.run.date.is_empty() {
        meta.push(format!("Run on {}", esc(&r.run.date)));
    }
    if !r.run.version.is_empty() {
        meta.push(format!("backsim {}", esc(&r.run.version)));
    }
    if !r.run.seed.is_empty() {
        meta.push(format!("seed <b>{}</b>", esc(&r.run.seed)));
    }
    if let Some(n) = r.run.runs {
        meta.push(format!(
            "{} per scenario",
            crate::words::count(n.max(0) as u64, "run")
        ));
    }
    meta.push(format!("horizon {} sprints", r.horizon()));
    meta.push(format!("baseline <b>{}</b>", esc(&r.run.baseline)));
    let _ = writeln!(h, "<p class=\"meta\">{}</p>", meta.join(" · "));
    if !r.run.command.is_empty() {
        let _ = writeln!(
            h,
            "<pre class=\"cmd\"><code>{}</code></pre>",
            esc(&r.run.command)
        );
    }

    let forecast_only = r.forecast_only();
    let _ = writeln!(
        h,
        "<h2 id=\"what-this-shows\">What this shows</h2>\n<p class=\"lead\">{}</p>",
        if forecast_only {
            forecast_narrative(r)
        } else {
            narrative(r)
        }
    );

    h.push_str("<h2 id=\"scenarios\">Scenarios</h2>\n<ul>\n");
    for (i, s) in r.scenarios.iter().enumerate() {
        let base = if s.name == r.run.baseline {
            " <small>(baseline)</small>"
        } else {
            ""
        };
        let _ = writeln!(
            h,
            "<li>{}<b>{}</b>{base}{}{}</li>",
            swatch(i),
            esc(&s.name),
            if s.description.is_empty() {
                ""
            } else {
                " — "
            },
            esc(&s.description)
        );
    }
    h.push_str("</ul>\n");

    if !r.forecast.is_empty() {
        forecast_table(&mut h, r);
    }
    if !forecast_only {
        summary_table(&mut h, r);
    }
    compare_table(&mut h, r);

    h.push_str("<h2 id=\"charts\">Charts</h2>\n");
    // A throughput-only run shows what a forecast has: no boxes for what it does not model.
    let shown = |kind: &ChartKind| {
        if *kind == ChartKind::CompareForest && r.scenarios.len() == 1 {
            return false;
        }
        !forecast_only
            || matches!(
                kind,
                ChartKind::DelayCdf | ChartKind::DoneBySprint | ChartKind::FlowVelocity
            )
    };
    for (kind, svg) in svgs.iter().filter(|(k, _)| shown(k)) {
        let _ = writeln!(
            h,
            "<figure id=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>",
            kind.file_stem(),
            svg.trim(),
            esc(kind.caption())
        );
    }

    params_table(&mut h, r);
    let _ = writeln!(
        h,
        "<footer>Generated by backsim from the CSV files in this folder. Charts use the \
         colour-blind-safe palette of Paul Tol (muted); each scenario keeps its colour \
         throughout.</footer>\n</main>\n</body>\n</html>"
    );
    add_toc(&h)
}

const TOC_BEGIN: &str = "<!-- backsim:toc -->";
const TOC_END: &str = "<!-- /backsim:toc -->";

/// The page with a table of contents (after the `<h1>`) listing every `<h2>` in order, its
/// link the heading's `id` or, for a heading without one, the `id` of the `<section>` it
/// opens. Any earlier table of contents is replaced, so sections added later (sweep,
/// sensitivity, trace) are listed too: call this last on any page that is written.
pub fn add_toc(page: &str) -> String {
    let mut page = page.to_string();
    if let (Some(a), Some(b)) = (page.find(TOC_BEGIN), page.find(TOC_END)) {
        let b = b + TOC_END.len();
        let b = if page[b..].starts_with('\n') {
            b + 1
        } else {
            b
        };
        page.replace_range(a..b, "");
    }
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut used_section: Option<usize> = None;
    let mut at = 0;
    while let Some(off) = page[at..].find("<h2") {
        let pos = at + off;
        // The nearest <section id="…"> before this heading, if no heading used it yet.
        let mut section_id = None;
        if let Some(s) = page[..pos].rfind("<section id=\"") {
            let start = s + "<section id=\"".len();
            if let Some(e) = page[start..].find('"') {
                if used_section != Some(s) {
                    section_id = Some((s, page[start..start + e].to_string()));
                }
            }
        }
        let Some(close) = page[pos..].find('>') else {
            break;
        };
        let tag = &page[pos..pos + close];
        let Some(end) = page[pos..].find("</h2>") else {
            break;
        };
        let inner = &page[pos + close + 1..pos + end];
        let own = tag.find("id=\"").and_then(|i| {
            tag[i + 4..]
                .find('"')
                .map(|e| tag[i + 4..i + 4 + e].to_string())
        });
        let id = match own {
            Some(id) => Some(id),
            None => section_id.map(|(s, id)| {
                used_section = Some(s);
                id
            }),
        };
        if let Some(id) = id {
            entries.push((id, strip_tags(inner)));
        }
        at = pos + end + 5;
    }
    if entries.is_empty() {
        return page;
    }
    let mut nav = format!("{TOC_BEGIN}\n<nav class=\"toc\"><b>Contents</b><ol>");
    for (id, text) in &entries {
        let _ = write!(nav, "<li><a href=\"#{}\">{}</a></li>", esc(id), text);
    }
    nav.push_str("</ol></nav>\n");
    nav.push_str(TOC_END);
    nav.push('\n');
    // After the command line when there is one, else after the title.
    let insert = page
        .find("</h1>")
        .map(|h1| {
            let after_h1 = h1 + "</h1>".len();
            let next_h2 = page[after_h1..].find("<h2").map(|x| after_h1 + x);
            let cmd = page[after_h1..]
                .find("</pre>")
                .map(|x| after_h1 + x + "</pre>".len());
            match (cmd, next_h2) {
                (Some(c), Some(n)) if c < n => c,
                _ => after_h1,
            }
        })
        .unwrap_or(0);
    let insert = if page[insert..].starts_with('\n') {
        insert + 1
    } else {
        insert
    };
    page.insert_str(insert, &nav);
    page
}

/// Text of an HTML fragment without its tags (entities kept as they are).
fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

fn summary_table(h: &mut String, r: &Results) {
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
            let mean = row.mean.map(num).unwrap_or_else(|| "–".into());
            let ci = match (row.ci95_low, row.ci95_high) {
                (Some(a), Some(b)) => format!(" <small>({} to {})</small>", num(a), num(b)),
                _ => String::new(),
            };
            // Completion and delay: a restricted mean (runs not done count at the horizon
            // + 1), with the share of runs done beside it.
            let done = match (metric, row.completed_share) {
                ("completion_sprint" | "release_delay_sprints", Some(c)) => format!(
                    "<br><small>restricted mean; done in {} of runs</small>",
                    share(c)
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

fn compare_table(h: &mut String, r: &Results) {
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
            let md = c.mean_diff.map(signed).unwrap_or_else(|| "–".into());
            let ci = match (c.ci95_low, c.ci95_high) {
                (Some(a), Some(b)) => format!(" <small>({} to {})</small>", signed(a), signed(b)),
                _ => String::new(),
            };
            let bs = c
                .better_share
                .map(|b| format!("<br><small>better in {} of runs</small>", share(b)))
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

fn params_table(h: &mut String, r: &Results) {
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
                let runs = r.run_values(&s.name, "completion_sprint");
                if !runs.is_empty() {
                    let by = runs
                        .iter()
                        .filter(|c| c.is_some_and(|c| c <= p as f64))
                        .count();
                    let date = sc
                        .calendar()
                        .map_or_else(String::new, |c| format!(" ({})", c.sprint_end(p)));
                    parts.push(format!(
                        "The promise was {noun} {p}{date}: {} of the runs were done by then.",
                        share(by as f64 / runs.len() as f64)
                    ));
                }
            }
        }
    }
    parts.join(" ")
}

/// `forecast.csv` as a table: both questions per scenario.
fn forecast_table(h: &mut String, r: &Results) {
    h.push_str(
        "<h2 id=\"forecast\">Forecast</h2>\n<p>“When”: the earliest sprint by which that share of the runs \
         is done. “How many”: the items at least that share of the runs had done by the target. \
         Dates are each sprint's last working day (empty without a calendar).</p>\n\
         <div class=\"wrap\"><table>\n<tr><th>Scenario</th><th>Question</th><th>Confidence</th>\
         <th>Sprint</th><th>Date</th><th>Items</th></tr>\n",
    );
    for f in &r.forecast {
        let i = r.scenario_index(&f.scenario).unwrap_or(0);
        let _ = writeln!(
            h,
            "<tr><td>{}{}</td><td>{}</td><td class=\"n\">{} %</td><td class=\"n\">{}</td>\
             <td>{}</td><td class=\"n\">{}</td></tr>",
            swatch(i),
            esc(&f.scenario),
            if f.question == "when" {
                "when?"
            } else {
                "how many?"
            },
            f.confidence,
            esc(&f.sprint),
            esc(&f.date),
            f.items.map(num).unwrap_or_default()
        );
    }
    h.push_str("</table></div>\n");
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
        } else {
            let mut s = format!(
                "<b>{}</b> delivered the most value efficiency: on average {} of the value a \
                 perfect-information oracle would have realized",
                esc(name),
                share(v)
            );
            if let Some(c) = r.compare_row(name, "value_efficiency") {
                if let (Some(d), Some(lo), Some(hi)) = (c.mean_diff, c.ci95_low, c.ci95_high) {
                    let _ = write!(
                        s,
                        ", {} percentage points {} than the baseline <b>{}</b> (95 % confidence \
                         interval {} to {})",
                        num(d.abs() * 100.0),
                        if d >= 0.0 { "more" } else { "less" },
                        esc(base),
                        signed(lo * 100.0),
                        signed(hi * 100.0)
                    );
                    if lo <= 0.0 {
                        s.push_str(
                            ", but that interval includes zero, so the difference may be noise",
                        );
                    } else if let Some(b) = c.better_share {
                        let _ = write!(s, "; it did better in {} of the paired runs", share(b));
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
                let _ = write!(s, " ({} of its runs finished within the horizon)", share(c));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_html() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn formats_numbers() {
        assert_eq!(num(0.123456), "0.123");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(1234.6), "1235");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(-0.0004567), "-0.000457");
        assert_eq!(signed(-1.5), "−1.5");
    }

    #[test]
    fn flattens_nested_tables() {
        let t: toml::Table = "a = 1\n[b]\nc = \"x\"\n[b.d]\ne = [1, 2]".parse().unwrap();
        let mut m = BTreeMap::new();
        flatten("", &t, &mut m);
        assert_eq!(m["a"], "1");
        assert_eq!(m["b.c"], "x");
        assert_eq!(m["b.d.e"], "[1, 2]");
    }
}
