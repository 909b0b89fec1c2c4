//! sensitivity.csv and sensitivity.toml read back: what the chart and the report section of a
//! sensitivity analysis are drawn from, by the command itself and by `backsim plot` alike.

use super::{Effect, Method};
use crate::analysis::meta;
use crate::engine::metrics::metric_index;
use crate::error::input_error;
use anyhow::Result;
use std::path::Path;

/// What sensitivity.csv does not hold, written beside it as sensitivity.toml.
#[derive(Debug, Clone)]
pub struct Meta {
    /// The version, command line, seed and precision outcome every analysis records.
    pub common: meta::Common,
    /// The 95 % CI of the metric's mean with the scenario as given.
    pub baseline_ci95: (f64, f64),
    /// Tornado: the parameters with an end clearly different from the scenario as given.
    pub clear_ends: Vec<String>,
}

/// The file name of [`Meta`].
pub const META_FILE: &str = "sensitivity.toml";

impl Meta {
    pub fn to_toml(&self) -> String {
        let c = &self.common;
        let mut t = c.table();
        c.put_precision(&mut t);
        // As text: a NaN bound (too few runs) stays readable.
        t.insert(
            "baseline_ci95".into(),
            toml::Value::Array(vec![
                format!("{:?}", self.baseline_ci95.0).into(),
                format!("{:?}", self.baseline_ci95.1).into(),
            ]),
        );
        t.insert(
            "clear_ends".into(),
            toml::Value::Array(self.clear_ends.iter().map(|k| k.clone().into()).collect()),
        );
        meta::text("sensitivity", "sensitivity.csv", &t)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Meta> {
        let r = meta::Reader::parse(text, path)?;
        let ci: Vec<f64> = r
            .key("baseline_ci95")?
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().and_then(|s| s.parse().ok()))
                    .collect()
            })
            .unwrap_or_default();
        if ci.len() != 2 {
            return Err(r.bad("baseline_ci95", "two numbers as text, [\"low\", \"high\"]"));
        }
        Ok(Meta {
            common: r.common()?,
            baseline_ci95: (ci[0], ci[1]),
            clear_ends: r
                .key("clear_ends")?
                .as_array()
                .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect())
                .ok_or_else(|| r.bad("clear_ends", "a list of parameter keys"))?,
        })
    }

    pub fn precision_note(&self) -> &'static str {
        self.common.precision_note()
    }
}

/// sensitivity.csv read back.
#[derive(Debug, Clone)]
pub struct Table {
    pub method: Method,
    pub metric: usize,
    pub baseline_mean: f64,
    /// Ranked, most important first (the file's order).
    pub effects: Vec<Effect>,
    pub runs: u64,
}

const COLUMNS: [&str; 21] = [
    "method",
    "metric",
    "rank",
    "parameter",
    "low",
    "high",
    "baseline_mean",
    "mean_at_low",
    "ci95_low_at_low",
    "ci95_high_at_low",
    "mean_at_high",
    "ci95_low_at_high",
    "ci95_high_at_high",
    "effect",
    "effect_ci95_low",
    "effect_ci95_high",
    "spread",
    "mu",
    "mu_star",
    "sigma",
    "runs",
];

impl Table {
    /// Parse sensitivity.csv's text (`path` names it in errors); `clear_ends` from its meta.
    pub fn parse(text: &str, path: &Path, clear_ends: &[String]) -> Result<Table> {
        let shown = path.display();
        let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header = rdr
            .headers()
            .map_err(|e| input_error(format!("{shown}: {e}")))?
            .clone();
        if let Some(missing) = COLUMNS.iter().find(|c| !header.iter().any(|h| h == **c)) {
            return Err(input_error(format!(
                "{shown}:1: column '{missing}' is missing (is this a sensitivity.csv written by backsim sensitivity?)"
            )));
        }
        let col = |name: &str| header.iter().position(|h| h == name).unwrap_or(0);
        let mut t: Option<Table> = None;
        for (i, rec) in rdr.records().enumerate() {
            let line = i + 2;
            let rec = rec.map_err(|e| input_error(format!("{shown}:{line}: {e}")))?;
            let text = |c: &str| rec.get(col(c)).unwrap_or("");
            let num = |c: &str| -> Result<f64> {
                let s = text(c);
                if s.is_empty() {
                    return Ok(f64::NAN);
                }
                s.parse::<f64>().map_err(|_| {
                    input_error(format!(
                        "{shown}:{line}: column '{c}': expected a number, got {s:?}"
                    ))
                })
            };
            let method = match text("method") {
                "tornado" => Method::Tornado,
                "morris" => Method::Morris,
                other => {
                    return Err(input_error(format!(
                        "{shown}:{line}: column 'method': expected tornado or morris, got {other:?}"
                    )))
                }
            };
            let metric = metric_index(text("metric")).ok_or_else(|| {
                input_error(format!(
                    "{shown}:{line}: column 'metric': no metric named {:?}",
                    text("metric")
                ))
            })?;
            let runs = num("runs")?;
            if !(runs >= 0.0 && runs.fract() == 0.0) {
                return Err(input_error(format!(
                    "{shown}:{line}: column 'runs': expected a whole number"
                )));
            }
            let t = t.get_or_insert_with(|| Table {
                method,
                metric,
                baseline_mean: f64::NAN,
                effects: Vec::new(),
                runs: runs as u64,
            });
            if t.method != method || t.metric != metric {
                return Err(input_error(format!(
                    "{shown}:{line}: every row must have the method and metric of the first"
                )));
            }
            t.baseline_mean = num("baseline_mean")?;
            let key = text("parameter").to_string();
            t.effects.push(Effect {
                ends_clear: clear_ends.contains(&key),
                key,
                low: num("low")?,
                high: num("high")?,
                at_low: (
                    num("mean_at_low")?,
                    num("ci95_low_at_low")?,
                    num("ci95_high_at_low")?,
                ),
                at_high: (
                    num("mean_at_high")?,
                    num("ci95_low_at_high")?,
                    num("ci95_high_at_high")?,
                ),
                effect: num("effect")?,
                effect_ci: (num("effect_ci95_low")?, num("effect_ci95_high")?),
                spread: num("spread")?,
                mu: num("mu")?,
                mu_star: num("mu_star")?,
                sigma: num("sigma")?,
            });
        }
        t.ok_or_else(|| input_error(format!("{shown}: no parameters")))
    }

    /// The chart's file stem.
    pub fn chart_stem(&self) -> &'static str {
        match self.method {
            Method::Tornado => "sensitivity_tornado",
            Method::Morris => "sensitivity_morris",
        }
    }

    /// The report section's id.
    pub fn section_id(&self) -> &'static str {
        match self.method {
            Method::Tornado => "sensitivity-tornado",
            Method::Morris => "sensitivity-morris",
        }
    }
}

/// A sensitivity folder read back for `backsim plot`: its table and meta, or `None` without
/// a sensitivity.csv. A sensitivity.csv without its sensitivity.toml is an error naming it.
pub fn read(dir: &Path) -> Result<Option<(Table, Meta)>> {
    let Some(f) = meta::read_folder(
        dir,
        "sensitivity.csv",
        META_FILE,
        "the seed and the baseline's interval",
        "a sensitivity written by an older backsim has none: run it again",
    )?
    else {
        return Ok(None);
    };
    let meta = Meta::parse(&f.meta, &f.meta_path)?;
    let table = Table::parse(&f.csv, &f.csv_path, &meta.clear_ends)?;
    Ok(Some((table, meta)))
}
