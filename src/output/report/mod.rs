//! `report.html`: one self-contained page (inline CSS, charts inlined as SVG, no scripts,
//! no external fonts) that opens offline and can be read aloud in a workshop.

mod forecast;
mod run;
mod toc;

use crate::format::three_digits as num;
use std::fmt::Write as _;

use crate::output::charts::{scenario_color, ChartKind};
use crate::output::results::{Pct, Results};

use forecast::{forecast_table, history_table};
use run::{compare_table, params_table, summary_table};

pub use forecast::forecast_narrative;
pub use run::{differing_params, flatten, narrative};
pub use toc::add_toc;

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

/// The command line that produced a section, as the report shows it (one line, `<pre>`).
pub fn command_block(command: &str) -> String {
    format!("<pre class=\"cmd\"><code>{}</code></pre>\n", esc(command))
}

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
    signed_text(v, num(v))
}

/// `text`, the number `v` written out, with "+" when it is positive and not written as
/// zero, and a typographic minus.
fn signed_text(v: f64, text: String) -> String {
    let zero = text.chars().all(|c| c == '0' || c == '.');
    if v > 0.0 && !zero {
        format!("+{text}")
    } else {
        text.replace('-', "−")
    }
}

/// A mean and its interval as the report writes them, at one precision (see
/// [`crate::format::interval_texts`]), signed for a difference.
fn interval_text(mean: f64, low: f64, high: f64, sign: bool) -> [String; 3] {
    let texts = crate::format::interval_texts(mean, low, high);
    let mut i = 0;
    texts.map(|t| {
        let v = [mean, low, high][i];
        i += 1;
        if sign {
            signed_text(v, t)
        } else {
            t.replace('-', "−")
        }
    })
}

fn pct_text(p: Option<Pct>) -> String {
    match p {
        Some(Pct::Value(v)) => num(v),
        Some(Pct::Beyond(h)) => format!("&gt;{}", num(h)),
        None => "–".into(),
    }
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
    // A forecast counts in its own units (weeks for 5-day sprints).
    let noun = crate::output::charts::forecast::run_units(r).1;
    meta.push(format!("horizon {} {noun}s", r.horizon()));
    // One forecast has no baseline to speak of.
    let alone = r.forecast_only() && r.scenarios.len() == 1;
    if !alone {
        meta.push(format!("baseline <b>{}</b>", esc(&r.run.baseline)));
    }
    let _ = writeln!(h, "<p class=\"meta\">{}</p>", meta.join(" · "));
    if !r.run.command.is_empty() {
        h.push_str(&command_block(&r.run.command));
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
        let base = if s.name == r.run.baseline && !alone {
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
        history_table(&mut h, r);
    }
    if !forecast_only {
        summary_table(&mut h, r);
    }
    // One forecast has nothing to be compared with.
    if !alone {
        compare_table(&mut h, r);
    }

    h.push_str("<h2 id=\"charts\">Charts</h2>\n");
    // Only the charts that belong to the run are drawn (see ChartKind::applies): a
    // throughput-only run has no boxes for what it does not model.
    let shown = |kind: &ChartKind| {
        kind.applies(r) && !(*kind == ChartKind::CompareForest && r.scenarios.len() == 1)
    };
    for (kind, svg) in svgs.iter().filter(|(k, _)| shown(k)) {
        let _ = writeln!(
            h,
            "<figure id=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>",
            kind.file_stem(),
            svg.trim(),
            esc(&kind.caption(r))
        );
    }

    if !alone {
        params_table(&mut h, r);
    }
    let _ = writeln!(
        h,
        "<footer>Generated by backsim from the CSV files in this folder. Charts use the \
         colour-blind-safe palette of Paul Tol (muted); each scenario keeps its colour \
         throughout.</footer>\n</main>\n</body>\n</html>"
    );
    add_toc(&h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

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

    /// A mean and its interval at one precision, signed for a difference; the value
    /// efficiency table read "0.73 (0.715 to 0.745)" and "+0.05 (+0.0487 to +0.0513)".
    #[test]
    fn a_mean_and_its_interval_share_their_decimals() {
        assert_eq!(
            interval_text(0.73, 0.715, 0.745, false),
            ["0.730", "0.715", "0.745"]
        );
        assert_eq!(
            interval_text(0.05, 0.0487, 0.0513, true),
            ["+0.0500", "+0.0487", "+0.0513"]
        );
        assert_eq!(
            interval_text(-0.0038, -0.0152, 0.0076, true),
            ["−0.004", "−0.015", "+0.008"]
        );
        // Rounded to zero: no sign either way.
        assert_eq!(interval_text(0.0001, -0.02, 0.02, true)[0], "0.000");
        assert_eq!(interval_text(-0.0001, -0.02, 0.02, true)[0], "0.000");
        assert_eq!(signed(0.0), "0");
        assert_eq!(signed(2.5), "+2.5");
    }

    /// Every "<b>mean</b> <small>(low to high)</small>" of a report's tables gives its three
    /// numbers the same decimals.
    #[test]
    fn the_reports_tables_write_each_interval_at_its_means_precision() {
        let dir = tempfile::tempdir().unwrap();
        crate::output::fixture::write(dir.path(), 3, 40).unwrap();
        let r = Results::read(dir.path()).unwrap();
        let html = render(&r, &[]);
        let decimals = |t: &str| t.split_once('.').map_or(0, |(_, d)| d.len());
        let mut seen = 0;
        for cell in html.split("<td class=\"n").skip(1) {
            let Some((mean, rest)) = cell
                .split_once("<b>")
                .and_then(|(_, m)| m.split_once("</b> <small>("))
            else {
                continue;
            };
            let (low, high) = rest.split_once(')').unwrap().0.split_once(" to ").unwrap();
            assert!(
                decimals(mean) == decimals(low) && decimals(low) == decimals(high),
                "{mean} ({low} to {high})"
            );
            seen += 1;
        }
        assert!(seen >= 20, "{seen} intervals");
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
