//! `backsim calibrate HISTORY.csv`: read a team's sprint history (or a tracker's per-item
//! export), fit it (`analysis::calibrate`), write calibration.toml and calibration.csv (and
//! throughput.csv, aging.csv from an item export) together, and tell the terminal.

use crate::analysis::calibrate::{
    calibrate, parse_history, read_items, Calibration, ItemOptions, ItemReport, MIN_SPRINTS,
};
use crate::error::input_error;
use crate::format::fmt_num;
use crate::output::atomic::{commit_all, prepare_dir, write_file};
use anyhow::Result;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct CalibrateOptions {
    pub history: PathBuf,
    pub out: PathBuf,
    pub quiet: bool,
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
    prepare_dir(&opts.out)?;
    let mut files = vec![
        write_file(&opts.out.join("calibration.toml"), c.team_toml.as_bytes())?,
        write_file(
            &opts.out.join("calibration.csv"),
            calibration_csv(&c).as_bytes(),
        )?,
    ];
    if let Some(r) = &items {
        files.push(write_file(
            &opts.out.join("throughput.csv"),
            throughput_csv(r).as_bytes(),
        )?);
        files.push(write_file(
            &opts.out.join("aging.csv"),
            aging_csv(r).as_bytes(),
        )?);
    }
    commit_all(files)?;
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
            "calibration.toml and calibration.csv{} written to {}",
            if items.is_some() {
                ", throughput.csv, aging.csv"
            } else {
                ""
            },
            opts.out.display()
        )?;
        if let Some(note) = crate::output::atomic::replaced_note(&opts.out) {
            writeln!(out, "{note}")?;
        }
    }
    Ok(c)
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
