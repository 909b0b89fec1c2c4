//! What a sweep writes: sweep.csv's rows, the terminal table and the report section.

use super::*;

/// The points' rows of sweep.csv; `c` holds the points and then the scenario as given.
pub(super) fn sweep_csv(
    c: &mut Aggregate,
    specs: &[ParamSpec],
    points: &[Vec<f64>],
    scenarios: &[Scenario],
) -> (String, Vec<Vec<f64>>) {
    let mut out = String::from("point");
    for p in specs {
        out.push(',');
        out.push_str(&p.key);
    }
    out.push_str(",metric,mean,ci95_low,ci95_high,p50,p85,n,runs,completed_share,diff_vs_given,diff_ci95_low,diff_ci95_high,better_share\n");
    let metrics = c.summarised().to_vec();
    let mut means = vec![vec![f64::NAN; metrics.len()]; points.len()];
    for (i, pt) in points.iter().enumerate() {
        for (k, &m) in metrics.iter().enumerate() {
            let s = c.summary(i, m);
            means[i][k] = s.mean;
            let q = |x: f64| {
                if x.is_infinite() && METRICS[m].censored {
                    censored_cell(&scenarios[i], m)
                } else {
                    fmt_num(x)
                }
            };
            let pg = c.pair(i, m);
            let _ = write!(out, "{}", i + 1);
            for v in pt {
                let _ = write!(out, ",{}", fmt_num(*v));
            }
            let _ = writeln!(
                out,
                ",{},{},{},{},{},{},{},{},{},{},{},{},{}",
                METRICS[m].name,
                fmt_num(s.mean),
                fmt_num(s.ci95.0),
                fmt_num(s.ci95.1),
                q(s.quantile(0.50)),
                q(s.quantile(0.85)),
                s.observed,
                c.replications,
                fmt_num(s.observed as f64 / c.replications.max(1) as f64),
                fmt_num(pg.mean_diff),
                fmt_num(pg.ci95.0),
                fmt_num(pg.ci95.1),
                fmt_num(pg.better_share),
            );
        }
    }
    (out, means)
}

pub(super) fn text_table(
    specs: &[ParamSpec],
    points: &[Vec<f64>],
    metrics: &[usize],
    c: &mut Aggregate,
) -> String {
    let mut out = String::new();
    let mut header: Vec<String> = specs.iter().map(|p| p.key.clone()).collect();
    header.extend(
        metrics
            .iter()
            .map(|&m| format!("{} (±95 %)", METRICS[m].name)),
    );
    let widths: Vec<usize> = header.iter().map(|h| h.len().max(10)).collect();
    for (h, w) in header.iter().zip(&widths) {
        let _ = write!(out, "{h:>w$}  ");
    }
    out.push('\n');
    for (i, pt) in points.iter().enumerate().take(60) {
        let mut cells: Vec<String> = pt.iter().map(|v| fmt_num(*v)).collect();
        for &m in metrics {
            let s = c.summary(i, m);
            cells.push(format!(
                "{} ±{}",
                short(s.mean),
                short((s.ci95.1 - s.ci95.0) / 2.0)
            ));
        }
        for (cell, w) in cells.iter().zip(&widths) {
            let _ = write!(out, "{cell:>w$}  ");
        }
        out.push('\n');
    }
    if points.len() > 60 {
        let _ = writeln!(out, "… {} more points in sweep.csv", points.len() - 60);
    }
    out
}

pub(super) fn report_html(t: &table::Table, meta: &table::Meta, svgs: &[(&str, String)]) -> String {
    let (points, metrics, seed) = (&t.points, &t.metrics, meta.common.seed);
    let mut h = String::new();
    let _ = writeln!(h, "<h2>Sweep: {}</h2>", esc(&t.keys.join(" × ")));
    let _ = writeln!(
        h,
        "<pre class=\"cmd\"><code>{}</code></pre>",
        esc(&meta.common.command)
    );
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} · {} · {} per point{} · seed <b>{seed}</b> · every point on the same simulated worlds (common random numbers)</p>",
        match meta.design {
            Design::Grid => "grid",
            Design::LatinHypercube => "Latin hypercube design",
        },
        crate::words::count(points.len() as u64, "point"),
        crate::words::count(t.runs, "run"),
        meta.precision_note()
    );
    h.push_str("<table>\n<tr>");
    for key in &t.keys {
        let _ = write!(h, "<th>{}</th>", esc(key));
    }
    for &m in metrics {
        let _ = write!(h, "<th>{}</th>", esc(METRICS[m].name));
    }
    h.push_str("</tr>\n");
    for (i, pt) in points.iter().enumerate().take(200) {
        h.push_str("<tr>");
        for v in pt {
            let _ = write!(h, "<td>{}</td>", fmt_num(*v));
        }
        for cell in &t.cells[i] {
            let hw = (cell.ci95.1 - cell.ci95.0) / 2.0;
            let _ = write!(h, "<td>{} ± {}</td>", short(cell.mean), short(hw));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    for (name, svg) in svgs {
        let _ = writeln!(
            h,
            "<figure id=\"sweep_{name}\">\n{}\n<figcaption>Mean {} at each point with its 95 % confidence interval (sweep.csv has P50 and P85 too).</figcaption>\n</figure>",
            svg.trim(),
            esc(&crate::output::names::label(name).to_lowercase())
        );
    }
    h
}
