//! `backsim calibrate HISTORY.csv`: read a team's sprint history (or a tracker's per-item
//! export), fit it (`analysis::calibrate`), write calibration.toml and calibration.csv (and
//! throughput.csv, aging.csv from an item export) together, and tell the terminal.

use crate::analysis::calibrate::{
    calibrate, parse_history, read_items, Calibration, ItemOptions, ItemReport, MIN_SPRINTS,
};
use crate::error::input_error;
use crate::format::fmt_num;
use crate::output::publish::Publisher;
use anyhow::Result;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct CalibrateOptions {
    pub history: PathBuf,
    pub out: PathBuf,
    pub quiet: bool,
    /// Formats of the fit chart (`calibration_fit`).
    pub format: crate::output::ImageFormat,
    /// No fit chart and no report section.
    pub no_charts: bool,
    pub items: ItemOptions,
}

fn calibration_csv(c: &Calibration) -> String {
    let mut out = String::from(
        "distribution,mean,cv,param_1,param_2,log_likelihood,ks_distance,best,scenario_value\n",
    );
    let _ = writeln!(
        out,
        "empirical,{},{},,,,0,false,\"{{ dist = \"\"empirical\"\", values = [...] }}\"",
        fmt_num(c.mean),
        fmt_num(c.cv)
    );
    for (i, f) in c.fits.iter().enumerate() {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},\"{}\"",
            f.family.name(),
            fmt_num(f.mean),
            fmt_num(f.cv),
            fmt_num(f.a),
            fmt_num(f.b),
            fmt_num(f.log_likelihood),
            fmt_num(f.ks),
            i == 0,
            f.toml().replace('"', "\"\"")
        );
    }
    out
}

/// `backsim calibrate`: its arguments as options, then [`run`].
pub fn command(args: &crate::cli::CalibrateArgs) -> Result<Calibration> {
    use crate::analysis::tracker::Period;
    use crate::cli::PeriodArg;
    run(&CalibrateOptions {
        history: args.history.clone(),
        out: args.out.clone(),
        quiet: args.quiet,
        format: crate::commands::image_format(args.format),
        no_charts: args.no_charts,
        items: crate::analysis::calibrate::ItemOptions {
            date_format: args.date_format.clone(),
            period: match args.period {
                PeriodArg::Day => Period::Day,
                PeriodArg::Week => Period::Week,
                PeriodArg::Sprint => Period::Sprint {
                    days: args.sprint_days,
                },
            },
            since: args.since.clone(),
            last: args.last,
            strict: args.strict,
        },
    })
}

pub fn run(opts: &CalibrateOptions) -> Result<Calibration> {
    let text = std::fs::read_to_string(&opts.history).map_err(|e| {
        input_error(format!(
            "{}: cannot read the history: {e}",
            opts.history.display()
        ))
    })?;
    let (history, items) = if crate::analysis::tracker::is_item_export(&text) {
        let (h, r) = read_items(&opts.history, &opts.items)?;
        if h.len() < MIN_SPRINTS {
            return Err(input_error(format!(
                "{}: {} {}s of throughput; at least {MIN_SPRINTS} are needed to calibrate (try a shorter --period, or an earlier --since)",
                opts.history.display(),
                h.len(),
                r.period.noun()
            )));
        }
        (h, Some(r))
    } else {
        (
            parse_history(&text, &opts.history.display().to_string())?,
            None,
        )
    };
    let c = calibrate(&history)?;
    let mut names = vec!["calibration.toml", "calibration.csv"];
    if items.is_some() {
        names.extend(["throughput.csv", "aging.csv"]);
    }
    let mut names: Vec<String> = names.into_iter().map(String::from).collect();
    if !opts.no_charts {
        names.extend(crate::output::publish::chart_names(
            "calibration_fit",
            opts.format,
        ));
        names.push("report.html".into());
    }
    let mut publisher = Publisher::open(&opts.out, &names, 1 << 20)?;
    publisher.file("calibration.toml", c.team_toml.as_bytes())?;
    publisher.file("calibration.csv", calibration_csv(&c).as_bytes())?;
    if let Some(r) = &items {
        publisher.file("throughput.csv", throughput_csv(r).as_bytes())?;
        publisher.file("aging.csv", aging_csv(r).as_bytes())?;
    }
    if !opts.no_charts {
        let noun = items.as_ref().map_or("sprint", |r| r.period.noun());
        let unit = if items.is_some() {
            format!("Items per {noun}")
        } else {
            "Completed per sprint".to_string()
        };
        let chart = fit_chart(&c, &unit, noun);
        let drawn = crate::output::charts::calibration::calibration_fit(
            &chart,
            &opts.out.join("calibration_fit"),
            opts.format,
        )?;
        let svg = publisher.chart(drawn);
        let section = report_html(&c, noun, &svg);
        publisher.report_section("calibrate", &section)?;
    }
    let published = publisher.commit()?;
    if let Some(w) = items.as_ref().and_then(|r| r.warning.as_ref()) {
        eprintln!("warning: {w}");
    }
    for w in &c.warnings {
        eprintln!("warning: {w}");
    }
    if !opts.quiet {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let noun = items.as_ref().map_or("sprint", |r| r.period.noun());
        writeln!(
            out,
            "{}: mean {}, CV {:.3}{}",
            crate::words::count(c.history.len() as u64, noun),
            fmt_num(c.mean),
            c.cv,
            c.say_do
                .map_or(String::new(), |s| format!(", say/do {:.2}", s))
        )?;
        writeln!(
            out,
            "{:<10} {:>10} {:>8} {:>10} {:>16}",
            "fit", "mean", "CV", "KS dist", "log-likelihood"
        )?;
        for f in &c.fits {
            writeln!(
                out,
                "{:<10} {:>10} {:>8.3} {:>10.3} {:>16.2}",
                f.family.name(),
                fmt_num(f.mean),
                f.cv,
                f.ks,
                f.log_likelihood
            )?;
        }
        if let Some(r) = &items {
            write!(out, "{}", item_summary(r))?;
        }
        writeln!(out, "\n{}", c.team_toml)?;
        writeln!(
            out,
            "calibration.toml and calibration.csv{}{} written to {}",
            if items.is_some() {
                ", throughput.csv, aging.csv"
            } else {
                ""
            },
            if opts.no_charts {
                ""
            } else {
                ", calibration_fit and the report section"
            },
            opts.out.display()
        )?;
        if let Some(note) = &published.replaced {
            writeln!(out, "{note}")?;
        }
    }
    Ok(c)
}

/// The fit chart's data: the history and each fit's CDF with its KS distance.
pub fn fit_chart(
    c: &Calibration,
    unit: &str,
    noun: &str,
) -> crate::output::charts::calibration::FitChart {
    crate::output::charts::calibration::FitChart {
        values: c.history.iter().map(|s| s.completed).collect(),
        fits: c
            .fits
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let f = *f;
                crate::output::charts::calibration::FitCurve {
                    name: f.family.name().to_string(),
                    best: i == 0,
                    ks: f.ks,
                    cdf: Box::new(move |x| f.cdf(x)),
                }
            })
            .collect(),
        unit: unit.to_string(),
        noun: noun.to_string(),
    }
}

/// The `calibrate` section of report.html: the fits' table and the fit chart.
fn report_html(c: &Calibration, noun: &str, svg: &str) -> String {
    use crate::output::report::esc;
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<h2>Calibration from the history</h2>\n<p>{} of throughput, mean {}, CV {:.3}. \
         Each fit is a maximum-likelihood fit; the KS distance is the largest gap between the \
         history's cumulative share and the fit's (smaller is closer). The best fit has the \
         highest likelihood; <code>calibration.toml</code> holds the bootstrap of the history \
         and the fits as scenario lines.</p>",
        crate::words::count(c.history.len() as u64, noun),
        fmt_num(c.mean),
        c.cv
    );
    h.push_str(
        "<div class=\"wrap\"><table>\n<tr><th>Distribution</th><th>Mean</th><th>CV</th>\
         <th>KS distance</th><th>Log-likelihood</th><th>Scenario value</th></tr>\n",
    );
    for (i, f) in c.fits.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td>{}{}</td><td class=\"n\">{}</td><td class=\"n\">{:.3}</td>\
             <td class=\"n\">{:.3}</td><td class=\"n\">{:.2}</td><td><code>{}</code></td></tr>",
            f.family.name(),
            if i == 0 { " <small>(best)</small>" } else { "" },
            fmt_num(f.mean),
            f.cv,
            f.ks,
            f.log_likelihood,
            esc(&f.toml())
        );
    }
    h.push_str("</table></div>\n");
    for w in &c.warnings {
        let _ = writeln!(h, "<p><small>Warning: {}</small></p>", esc(w));
    }
    let _ = writeln!(
        h,
        "<figure id=\"calibration_fit\">\n{}\n<figcaption>Left: how many {noun}s had each \
         throughput (grey bars) and how many each fit expects (lines). Right: the history's \
         cumulative share (black steps) and each fit's; the coloured bar marks where a fit is \
         furthest from the history, its KS distance.</figcaption>\n</figure>",
        svg.trim()
    );
    h
}

/// Lead times and the oldest work in progress, for the terminal.
pub fn item_summary(r: &ItemReport) -> String {
    let mut out = String::new();
    if r.lead_times.is_empty() {
        out.push_str("lead time: no item has both dates in order\n");
    } else {
        let _ = writeln!(
            out,
            "lead time ({} items, calendar days from {} to done, both days counted): P50 {}, P85 {}",
            r.lead_times.len(),
            r.start_column,
            fmt_num(r.lead_quantile(0.50)),
            fmt_num(r.lead_quantile(0.85))
        );
    }
    if !r.aging.is_empty() {
        let _ = writeln!(
            out,
            "work in progress: {} items started and not done; oldest (age in calendar days as of {}):",
            r.aging.len(),
            r.as_of.map_or_else(String::new, |d| d.to_string())
        );
        for (id, start, age) in r.aging.iter().take(5) {
            let _ = writeln!(out, "  {id:<12} since {start}  {age} days");
        }
    }
    out
}

/// `throughput.csv`: `period_start,items`.
fn throughput_csv(r: &ItemReport) -> String {
    let mut out = String::from("period_start,items\n");
    for (d, c) in &r.throughput {
        let _ = writeln!(out, "{d},{c}");
    }
    out
}

/// `aging.csv`: `id,started,age_days`, oldest first.
fn aging_csv(r: &ItemReport) -> String {
    let mut out = format!("id,{},age_days\n", r.start_column);
    for (id, start, age) in &r.aging {
        let id = if id.contains([',', '"', '\n']) {
            format!("\"{}\"", id.replace('"', "\"\""))
        } else {
            id.clone()
        };
        let _ = writeln!(out, "{id},{start},{age}");
    }
    out
}
