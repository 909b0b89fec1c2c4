//! The output side of `backsim sensitivity`: sensitivity.csv, the terminal table and the
//! report section.

use super::{Effect, Method};
use crate::engine::metrics::METRICS;
use crate::format::{fmt_num, short};
use crate::output::names;
use crate::output::report::esc;
use std::fmt::Write as _;

pub(super) fn sensitivity_csv(
    method: Method,
    m: usize,
    baseline: f64,
    effects: &[Effect],
    runs: u64,
) -> String {
    let mut out = String::from(
        "method,metric,rank,parameter,low,high,baseline_mean,mean_at_low,ci95_low_at_low,ci95_high_at_low,mean_at_high,ci95_low_at_high,ci95_high_at_high,effect,effect_ci95_low,effect_ci95_high,spread,mu,mu_star,sigma,runs\n",
    );
    for (i, e) in effects.iter().enumerate() {
        let cells = [
            e.low,
            e.high,
            baseline,
            e.at_low.0,
            e.at_low.1,
            e.at_low.2,
            e.at_high.0,
            e.at_high.1,
            e.at_high.2,
            e.effect,
            e.effect_ci.0,
            e.effect_ci.1,
            e.spread,
            e.mu,
            e.mu_star,
            e.sigma,
        ];
        let _ = write!(
            out,
            "{},{},{},{}",
            match method {
                Method::Tornado => "tornado",
                Method::Morris => "morris",
            },
            METRICS[m].name,
            i + 1,
            e.key
        );
        for x in cells {
            let _ = write!(out, ",{}", fmt_num(x));
        }
        let _ = writeln!(out, ",{runs}");
    }
    out
}

/// "yes" when the paired CI of high − low excludes 0 or either end differs clearly from the
/// scenario as given, "exactly 0" when every paired difference was 0 (the metric does not
/// depend on the lever), else "no".
pub fn clarity(e: &Effect) -> &'static str {
    if e.effect == 0.0 && e.effect_ci == (0.0, 0.0) && e.spread == 0.0 {
        "exactly 0"
    } else if e.effect_ci.0 > 0.0 || e.effect_ci.1 < 0.0 || e.ends_clear {
        "yes"
    } else {
        "no"
    }
}

pub(super) fn text_table(
    method: Method,
    name: &str,
    baseline: (f64, f64, f64),
    effects: &[Effect],
) -> String {
    let mut out = format!(
        "{name} with the scenario as given: {} (95 % CI {} to {})\n",
        short(baseline.0),
        short(baseline.1),
        short(baseline.2)
    );
    match method {
        Method::Tornado => {
            let _ = writeln!(
                out,
                "{:>4}  {:<32} {:>16} {:>10} {:>10} {:>26}  clear? (an end or high−low)",
                "rank", "parameter", "range", "at low", "at high", "effect high−low (95 % CI)"
            );
            for (i, e) in effects.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{:>4}  {:<32} {:>16} {:>10} {:>10} {:>26}  {}",
                    i + 1,
                    e.key,
                    format!("{}–{}", fmt_num(e.low), fmt_num(e.high)),
                    short(e.at_low.0),
                    short(e.at_high.0),
                    format!(
                        "{} ({} to {})",
                        short(e.effect),
                        short(e.effect_ci.0),
                        short(e.effect_ci.1)
                    ),
                    clarity(e)
                );
            }
        }
        Method::Morris => {
            let _ = writeln!(
                out,
                "{:>4}  {:<32} {:>16} {:>10} {:>10} {:>10}",
                "rank", "parameter", "range", "μ*", "μ", "σ"
            );
            for (i, e) in effects.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{:>4}  {:<32} {:>16} {:>10} {:>10} {:>10}",
                    i + 1,
                    e.key,
                    format!("{}–{}", fmt_num(e.low), fmt_num(e.high)),
                    short(e.mu_star),
                    short(e.mu),
                    short(e.sigma)
                );
            }
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
pub(super) fn report_html(
    method: Method,
    m: usize,
    baseline: (f64, f64, f64),
    effects: &[Effect],
    runs: u64,
    seed: u64,
    precision_text: &str,
    svg: &str,
    command: &str,
) -> String {
    let label = names::label(METRICS[m].name);
    let name = label.as_str();
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<h2>Sensitivity of {} ({})</h2>",
        esc(name),
        match method {
            Method::Tornado => "tornado, one at a time",
            Method::Morris => "Morris screening",
        }
    );
    let _ = writeln!(h, "<pre class=\"cmd\"><code>{}</code></pre>", esc(command));
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} · {} per variant{precision_text} · seed <b>{seed}</b> · every variant on the same simulated worlds · {} with the scenario as given: <b>{}</b> (95 % CI {} to {})</p>",
        crate::words::count(effects.len() as u64, "parameter"),
        crate::words::count(runs, "run"),
        esc(name),
        short(baseline.0),
        short(baseline.1),
        short(baseline.2)
    );
    h.push_str("<table>\n");
    match method {
        Method::Tornado => {
            h.push_str("<tr><th>rank</th><th>parameter</th><th>range</th><th>at low</th><th>at high</th><th>effect high − low (95 % CI)</th><th>clear? <small>(an end vs the scenario, or high − low)</small></th></tr>\n");
            for (i, e) in effects.iter().enumerate() {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}–{}</td><td>{}</td><td>{}</td><td>{} ({} to {})</td><td>{}</td></tr>",
                    i + 1,
                    esc(&e.key),
                    fmt_num(e.low),
                    fmt_num(e.high),
                    short(e.at_low.0),
                    short(e.at_high.0),
                    short(e.effect),
                    short(e.effect_ci.0),
                    short(e.effect_ci.1),
                    clarity(e)
                );
            }
        }
        Method::Morris => {
            h.push_str("<tr><th>rank</th><th>parameter</th><th>range</th><th>μ*</th><th>μ</th><th>σ</th></tr>\n");
            for (i, e) in effects.iter().enumerate() {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}–{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    i + 1,
                    esc(&e.key),
                    fmt_num(e.low),
                    fmt_num(e.high),
                    short(e.mu_star),
                    short(e.mu),
                    short(e.sigma)
                );
            }
        }
    }
    h.push_str("</table>\n");
    if !svg.is_empty() {
        let caption = match method {
            Method::Tornado => "Each bar runs from the scenario's mean to the mean with one parameter at the low (blue) or high (orange) end of its range; whiskers are 95 % CIs of each variant's paired difference from the scenario (same worlds), drawn around its mean. Clear effects first, longest bars first within them: these are the levers to talk about. Light bars are not clearly different from the scenario; shaded rows are properties of the world (backlog, market, release), not levers a team can pull.",
            Method::Morris => "μ* is how much a parameter moves the metric on average over its whole range, σ how much that depends on where the other levers are. Right: important; up: non-linear or interacting. Blue circles are team and role levers, orange diamonds properties of the world (backlog, market, release).",
        };
        let _ = writeln!(
            h,
            "<figure>\n{}\n<figcaption>{caption}</figcaption>\n</figure>",
            svg.trim()
        );
    }
    h
}
