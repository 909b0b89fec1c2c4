//! sweep.csv and sweep.toml read back: what a sweep's charts and report section are drawn
//! from, by the command itself and by `backsim plot` alike (so both draw the same bytes).

use super::{strongest, Design};
use crate::analysis::meta;
use crate::engine::metrics::{metric_index, Better, METRICS};
use crate::error::input_error;
use crate::output::charts::analysis as charts;
use crate::output::names;
use crate::output::publish::Drawn;
use anyhow::Result;
use std::path::Path;

/// What sweep.csv does not hold, written beside it as sweep.toml.
#[derive(Debug, Clone)]
pub struct Meta {
    /// The version, command line, seed and precision outcome every analysis records.
    pub common: meta::Common,
    pub design: Design,
}

/// The file name of [`Meta`].
pub const META_FILE: &str = "sweep.toml";

impl Meta {
    pub fn to_toml(&self) -> String {
        let c = &self.common;
        let mut t = c.table();
        t.insert(
            "design".into(),
            match self.design {
                Design::Grid => "grid",
                Design::LatinHypercube => "latin-hypercube",
            }
            .into(),
        );
        c.put_precision(&mut t);
        meta::text("sweep", "sweep.csv", &t)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Meta> {
        let r = meta::Reader::parse(text, path)?;
        let design = match r.key("design")?.as_str() {
            Some("grid") => Design::Grid,
            Some("latin-hypercube") => Design::LatinHypercube,
            _ => return Err(r.bad("design", "\"grid\" or \"latin-hypercube\"")),
        };
        Ok(Meta {
            common: r.common()?,
            design,
        })
    }

    /// ", precision target met" or ", precision target NOT met within --max-runs".
    pub fn precision_note(&self) -> &'static str {
        self.common.precision_note()
    }
}

/// One point and metric of sweep.csv.
#[derive(Debug, Clone, Copy)]
pub struct Cell {
    pub mean: f64,
    pub ci95: (f64, f64),
    /// Runs with a value.
    pub n: u64,
    /// Paired difference from the scenario as given: mean, 95 % CI.
    pub diff: (f64, f64, f64),
}

/// sweep.csv read back.
#[derive(Debug, Clone)]
pub struct Table {
    /// The parameters' keys, in column order.
    pub keys: Vec<String>,
    /// points[i][p]: value of parameter p at point i.
    pub points: Vec<Vec<f64>>,
    /// The metrics, in file order.
    pub metrics: Vec<usize>,
    /// cells[i][k]: point i, metric k.
    pub cells: Vec<Vec<Cell>>,
    pub runs: u64,
}

impl Table {
    /// Parse sweep.csv's text (`path` names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Table> {
        let shown = path.display();
        let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| input_error(format!("{shown}: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        let col = |name: &str| {
            header.iter().position(|h| h == name).ok_or_else(|| {
                input_error(format!(
                    "{shown}:1: column '{name}' is missing (is this a sweep.csv written by backsim sweep?)"
                ))
            })
        };
        let metric_col = col("metric")?;
        if col("point")? != 0 || metric_col < 2 {
            return Err(input_error(format!(
                "{shown}:1: expected `point`, the parameters' keys, then `metric`"
            )));
        }
        let cols = [
            "mean",
            "ci95_low",
            "ci95_high",
            "n",
            "runs",
            "diff_vs_given",
            "diff_ci95_low",
            "diff_ci95_high",
        ]
        .map(col);
        let [mean, lo, hi, n, runs, d, dlo, dhi] = {
            let mut out = [0; 8];
            for (o, c) in out.iter_mut().zip(cols) {
                *o = c?;
            }
            out
        };
        let keys = header[1..metric_col].to_vec();
        let mut table = Table {
            keys,
            points: Vec::new(),
            metrics: Vec::new(),
            cells: Vec::new(),
            runs: 0,
        };
        for (i, rec) in rdr.records().enumerate() {
            let line = i + 2;
            let rec = rec.map_err(|e| input_error(format!("{shown}:{line}: {e}")))?;
            let num = |c: usize| -> Result<f64> {
                let s = rec.get(c).unwrap_or("");
                if s.is_empty() {
                    return Ok(f64::NAN);
                }
                s.parse::<f64>().map_err(|_| {
                    input_error(format!(
                        "{shown}:{line}: column '{}': expected a number, got {s:?}",
                        header[c]
                    ))
                })
            };
            let whole = |c: usize| -> Result<u64> {
                let x = num(c)?;
                if x >= 0.0 && x.fract() == 0.0 {
                    Ok(x as u64)
                } else {
                    Err(input_error(format!(
                        "{shown}:{line}: column '{}': expected a whole number",
                        header[c]
                    )))
                }
            };
            let point = whole(0)? as usize;
            let name = rec.get(metric_col).unwrap_or("");
            let m = metric_index(name).ok_or_else(|| {
                input_error(format!(
                    "{shown}:{line}: column 'metric': no metric named {name:?}"
                ))
            })?;
            if point == table.points.len() + 1 {
                let values = (1..metric_col).map(num).collect::<Result<Vec<_>>>()?;
                table.points.push(values);
                table.cells.push(Vec::new());
            } else if point != table.points.len() || point == 0 {
                return Err(input_error(format!(
                    "{shown}:{line}: column 'point': expected {} or {}, got {point}",
                    table.points.len(),
                    table.points.len() + 1
                )));
            }
            let k = table.cells[point - 1].len();
            if point == 1 {
                table.metrics.push(m);
            } else if table.metrics.get(k) != Some(&m) {
                return Err(input_error(format!(
                    "{shown}:{line}: column 'metric': expected the metrics of point 1 in the same order"
                )));
            }
            table.runs = whole(runs)?;
            table.cells[point - 1].push(Cell {
                mean: num(mean)?,
                ci95: (num(lo)?, num(hi)?),
                n: whole(n)?,
                diff: (num(d)?, num(dlo)?, num(dhi)?),
            });
        }
        if table.points.is_empty() {
            return Err(input_error(format!("{shown}: no points")));
        }
        if let Some(i) = table
            .cells
            .iter()
            .position(|c| c.len() != table.metrics.len())
        {
            return Err(input_error(format!(
                "{shown}: point {} has {} metrics, point 1 has {}",
                i + 1,
                table.cells[i].len(),
                table.metrics.len()
            )));
        }
        Ok(table)
    }

    /// means[i][k].
    pub fn means(&self) -> Vec<Vec<f64>> {
        self.cells
            .iter()
            .map(|c| c.iter().map(|x| x.mean).collect())
            .collect()
    }

    /// The chart stems, one per metric.
    pub fn chart_stems(&self) -> Vec<String> {
        self.metrics
            .iter()
            .map(|&m| format!("sweep_{}", METRICS[m].name))
            .collect()
    }
}

/// A metric on an axis in the report's words, with its unit when it has one:
/// "Decision wait share (share of cycle time)", not the column `decision_wait_share`.
fn axis_words(metric: &str) -> String {
    match names::unit(metric) {
        "" => names::label(metric),
        unit => format!("{} ({unit})", names::label(metric)),
    }
}

/// One chart per metric into `dir` (pending): a line over one parameter, a heat map over
/// two (grid), or a scatter against the strongest parameter (Latin hypercube).
pub fn draw_charts(
    t: &Table,
    design: Design,
    dir: &Path,
    format: crate::output::ImageFormat,
) -> Result<Vec<(&'static str, Drawn)>> {
    let means = t.means();
    let mut out = Vec::new();
    for (k, &m) in t.metrics.iter().enumerate() {
        let name = METRICS[m].name;
        let chart_base = dir.join(format!("sweep_{name}"));
        let drawn = match (design, t.keys.len()) {
            (Design::Grid, 1) => {
                let pts: Vec<charts::SweepPoint> = (0..t.points.len())
                    .map(|i| {
                        let c = t.cells[i][k];
                        charts::SweepPoint {
                            x: t.points[i][0],
                            mean: c.mean,
                            lo: c.ci95.0,
                            hi: c.ci95.1,
                            diff: c.diff,
                            completed: c.n as f64 / t.runs.max(1) as f64,
                        }
                    })
                    .collect();
                charts::sweep_line(
                    &chart_base,
                    &format!(
                        "{} vs {}",
                        names::label(name),
                        names::param_label(&t.keys[0])
                    ),
                    &t.keys[0],
                    &axis_words(name),
                    &pts,
                    format,
                )?
            }
            (Design::Grid, 2) => {
                // First parameter slowest: its values in order, then the second's.
                let mut xs: Vec<f64> = Vec::new();
                for p in &t.points {
                    if xs.last() != Some(&p[0]) {
                        xs.push(p[0]);
                    }
                }
                let per = t.points.len() / xs.len().max(1);
                let ys: Vec<f64> = t.points[..per].iter().map(|p| p[1]).collect();
                let values: Vec<Vec<f64>> = (0..xs.len())
                    .map(|i| (0..ys.len()).map(|j| means[i * ys.len() + j][k]).collect())
                    .collect();
                charts::sweep_heat(
                    &chart_base,
                    &format!(
                        "{}: {} × {}",
                        names::label(name),
                        names::param_label(&t.keys[0]),
                        names::param_label(&t.keys[1])
                    ),
                    &t.keys[0],
                    &t.keys[1],
                    &xs,
                    &ys,
                    &values,
                    METRICS[m].better == Better::Higher,
                    format,
                )?
            }
            _ => {
                // Against the parameter whose rank correlation with the metric is largest.
                let (p, rho) = strongest(&t.points, &means, k, t.keys.len());
                let pts: Vec<charts::ScatterPoint> = (0..t.points.len())
                    .map(|i| charts::ScatterPoint {
                        label: String::new(),
                        x: t.points[i][p],
                        y: means[i][k],
                        world: false,
                    })
                    .collect();
                charts::scatter(
                    &chart_base,
                    &format!(
                        "{} vs {} (Latin hypercube)",
                        names::label(name),
                        names::param_label(&t.keys[p])
                    ),
                    &format!(
                        "{} sampled points; the strongest of {} parameters (Spearman ρ = {:.2})",
                        t.points.len(),
                        t.keys.len(),
                        rho
                    ),
                    &t.keys[p],
                    &axis_words(name),
                    &pts,
                    format,
                )?
            }
        };
        out.push((name, drawn));
    }
    Ok(out)
}

/// A sweep's folder read back for `backsim plot`: its table and meta, or `None` without a
/// sweep.csv. A sweep.csv without its sweep.toml is an error naming the file.
pub fn read(dir: &Path) -> Result<Option<(Table, Meta)>> {
    let Some(f) = meta::read_folder(
        dir,
        "sweep.csv",
        META_FILE,
        "the sweep's design and seed",
        "a sweep written by an older backsim has none: run the sweep again",
    )?
    else {
        return Ok(None);
    };
    let table = Table::parse(&f.csv, &f.csv_path)?;
    let meta = Meta::parse(&f.meta, &f.meta_path)?;
    Ok(Some((table, meta)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-parameter grid's heat map and a Latin hypercube's scatter name the metric and
    /// the levers in words, as the one-parameter line does; they said
    /// "decision_wait_share: po.decision_latency_hours × po.support_share" and
    /// "value_efficiency vs roles.churn_probability", with `value_efficiency` on the axis.
    #[test]
    fn the_grid_and_hypercube_charts_speak_words() {
        let m = metric_index("decision_wait_share").unwrap();
        let cell = |v: f64| Cell {
            mean: v,
            ci95: (v - 0.01, v + 0.01),
            n: 10,
            diff: (0.0, -0.01, 0.01),
        };
        let points = vec![
            vec![1.0, 0.2],
            vec![1.0, 0.4],
            vec![8.0, 0.2],
            vec![8.0, 0.4],
        ];
        let t = Table {
            keys: vec![
                "po.decision_latency_hours".into(),
                "po.support_share".into(),
            ],
            cells: points
                .iter()
                .map(|p| vec![cell(p[0] / 40.0 + p[1])])
                .collect(),
            points,
            metrics: vec![m],
            runs: 10,
        };
        let dir = tempfile::tempdir().unwrap();
        for (design, title) in [
            (
                Design::Grid,
                "Decision wait share: PO decision latency hours × PO support share",
            ),
            (
                Design::LatinHypercube,
                "Decision wait share vs PO support share",
            ),
        ] {
            let drawn = draw_charts(&t, design, dir.path(), crate::output::ImageFormat::Svg)
                .unwrap()
                .remove(0)
                .1;
            assert!(drawn.svg.contains(title), "{design:?}: {title}");
            assert!(!drawn.svg.contains("decision_wait_share"), "{design:?}");
            if design == Design::LatinHypercube {
                assert!(drawn
                    .svg
                    .contains("Decision wait share (share of cycle time)"));
            }
        }
    }
}
