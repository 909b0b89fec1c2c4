//! Reading each file of a results folder: `scenarios.toml`, then the CSV files through
//! [`CsvFile`], which knows its columns and words every error with the file and the line.

use super::{
    BetterWhen, CompareRow, DistRow, ForecastDistRow, ForecastRow, Pct, RunInfo, ScenarioInfo,
    SprintRow, SummaryRow, PERCENTILES, REQUIRED_RUN_METRICS,
};
use crate::error::input_error;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

pub(super) fn read_scenarios(path: &Path) -> anyhow::Result<(RunInfo, Vec<ScenarioInfo>)> {
    let text = fs::read_to_string(path)
        .map_err(|e| input_error(format!("{}: cannot read: {e}", path.display())))?;
    scenarios_from(&text, path)
}

/// [`read_scenarios`] of the text of `path`.
pub(super) fn scenarios_from(
    text: &str,
    path: &Path,
) -> anyhow::Result<(RunInfo, Vec<ScenarioInfo>)> {
    // toml's own message already carries line, column and a caret.
    let table: toml::Table = text
        .parse()
        .map_err(|e| input_error(format!("{}: {e}", path.display())))?;
    let line_of = |needle: &str| -> usize {
        text.lines()
            .position(|l| l.trim_start().starts_with(needle))
            .map(|i| i + 1)
            .unwrap_or(1)
    };
    let run_t = match table.get("run") {
        Some(toml::Value::Table(t)) => t,
        _ => {
            return Err(input_error(format!(
                "{}:1: missing the [run] table",
                path.display()
            )))
        }
    };
    let run_line = line_of("[run]");
    let text_of = |key: &str, required: bool| -> anyhow::Result<String> {
        match run_t.get(key) {
            Some(toml::Value::String(s)) => Ok(s.clone()),
            Some(toml::Value::Integer(i)) => Ok(i.to_string()),
            Some(toml::Value::Float(f)) => Ok(f.to_string()),
            Some(toml::Value::Datetime(d)) => Ok(d.to_string()),
            Some(other) => Err(input_error(format!(
                "{}:{}: [run] {key}: expected text, got {}",
                path.display(),
                line_of(key),
                other.type_str()
            ))),
            None if required => Err(input_error(format!(
                "{}:{run_line}: [run] has no '{key}'",
                path.display()
            ))),
            None => Ok(String::new()),
        }
    };
    let int_of = |key: &str| -> anyhow::Result<Option<i64>> {
        match run_t.get(key) {
            Some(toml::Value::Integer(i)) => Ok(Some(*i)),
            None => Ok(None),
            Some(other) => Err(input_error(format!(
                "{}:{}: [run] {key}: expected an integer, got {}",
                path.display(),
                line_of(key),
                other.type_str()
            ))),
        }
    };
    let run = RunInfo {
        version: text_of("version", false)?,
        command: text_of("command", false)?,
        seed: text_of("seed", false)?,
        runs: int_of("runs")?,
        baseline: text_of("baseline", true)?,
        date: text_of("date", false)?,
        sprints: int_of("sprints")?,
    };

    let list = match table.get("scenario") {
        Some(toml::Value::Array(a)) if !a.is_empty() => a,
        _ => {
            return Err(input_error(format!(
                "{}:1: no [[scenario]] tables",
                path.display()
            )))
        }
    };
    let mut scenarios = Vec::new();
    for (i, v) in list.iter().enumerate() {
        let where_ = format!("{}: [[scenario]] #{}", path.display(), i + 1);
        let toml::Value::Table(t) = v else {
            return Err(input_error(format!("{where_}: not a table")));
        };
        let name = match t.get("name") {
            Some(toml::Value::String(s)) if !s.is_empty() => s.clone(),
            _ => return Err(input_error(format!("{where_}: missing 'name'"))),
        };
        if scenarios.iter().any(|s: &ScenarioInfo| s.name == name) {
            return Err(input_error(format!(
                "{where_}: scenario '{name}' appears twice"
            )));
        }
        let description = match t.get("description") {
            Some(toml::Value::String(s)) => s.clone(),
            _ => String::new(),
        };
        scenarios.push(ScenarioInfo {
            name,
            description,
            table: t.clone(),
        });
    }
    if !scenarios.iter().any(|s| s.name == run.baseline) {
        return Err(input_error(format!(
            "{}:{}: [run] baseline '{}' is not one of the scenarios",
            path.display(),
            line_of("baseline"),
            run.baseline
        )));
    }
    Ok((run, scenarios))
}

/// A CSV file being read: knows its path and column positions, and words errors.
struct CsvFile {
    path: PathBuf,
    columns: HashMap<String, usize>,
}

impl CsvFile {
    fn open(path: &Path, required: &[&str]) -> anyhow::Result<(CsvFile, csv::Reader<fs::File>)> {
        let file = fs::File::open(path)
            .map_err(|e| input_error(format!("{}: cannot read: {e}", path.display())))?;
        CsvFile::of(path, file, required)
    }

    /// [`CsvFile::open`] of the contents of `path` read from `from`.
    fn of<R: std::io::Read>(
        path: &Path,
        from: R,
        required: &[&str],
    ) -> anyhow::Result<(CsvFile, csv::Reader<R>)> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(from);
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| csv_error(path, &e))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        if headers.iter().all(|h| h.is_empty()) {
            return Err(input_error(format!(
                "{}:1: empty file (expected a header row)",
                path.display()
            )));
        }
        let columns: HashMap<String, usize> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.clone(), i))
            .collect();
        for c in required {
            if !columns.contains_key(*c) {
                return Err(input_error(format!(
                    "{}:1: missing column '{c}'",
                    path.display()
                )));
            }
        }
        Ok((
            CsvFile {
                path: path.to_path_buf(),
                columns,
            },
            rdr,
        ))
    }

    /// Iterate records with their 1-based line numbers.
    fn records<R: std::io::Read>(
        &self,
        rdr: &mut csv::Reader<R>,
    ) -> anyhow::Result<Vec<(u64, csv::StringRecord)>> {
        let mut out = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| csv_error(&self.path, &e))?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            out.push((line, rec));
        }
        Ok(out)
    }

    fn err(&self, line: u64, col: &str, what: &str, got: &str) -> anyhow::Error {
        input_error(format!(
            "{}:{line}: column '{col}': {what}, got {got:?}",
            self.path.display()
        ))
    }

    fn cell<'r>(&self, rec: &'r csv::StringRecord, col: &str) -> &'r str {
        self.columns
            .get(col)
            .and_then(|&i| rec.get(i))
            .unwrap_or("")
            .trim()
    }

    fn text(&self, line: u64, rec: &csv::StringRecord, col: &str) -> anyhow::Result<String> {
        let s = self.cell(rec, col);
        if s.is_empty() {
            return Err(self.err(line, col, "expected a value", s));
        }
        Ok(s.to_string())
    }

    fn opt_num(
        &self,
        line: u64,
        rec: &csv::StringRecord,
        col: &str,
    ) -> anyhow::Result<Option<f64>> {
        let s = self.cell(rec, col);
        parse_opt_num(s).map_err(|_| self.err(line, col, "expected a number", s))
    }

    fn uint(&self, line: u64, rec: &csv::StringRecord, col: &str) -> anyhow::Result<u64> {
        let s = self.cell(rec, col);
        s.parse::<u64>()
            .map_err(|_| self.err(line, col, "expected a whole number", s))
    }

    fn pct(&self, line: u64, rec: &csv::StringRecord, col: &str) -> anyhow::Result<Option<Pct>> {
        let s = self.cell(rec, col);
        if let Some(rest) = s.strip_prefix('>') {
            return match parse_opt_num(rest.trim()) {
                Ok(Some(h)) => Ok(Some(Pct::Beyond(h))),
                _ => Err(self.err(line, col, "expected a number or >H", s)),
            };
        }
        parse_opt_num(s)
            .map(|v| v.map(Pct::Value))
            .map_err(|_| self.err(line, col, "expected a number or >H", s))
    }

    fn scenario(
        &self,
        line: u64,
        rec: &csv::StringRecord,
        col: &str,
        known: &[&str],
    ) -> anyhow::Result<String> {
        let s = self.text(line, rec, col)?;
        if !known.contains(&s.as_str()) {
            return Err(input_error(format!(
                "{}:{line}: column '{col}': scenario {s:?} is not in scenarios.toml",
                self.path.display()
            )));
        }
        Ok(s)
    }
}

fn parse_opt_num(s: &str) -> Result<Option<f64>, ()> {
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(()),
    }
}

fn csv_error(path: &Path, e: &csv::Error) -> anyhow::Error {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    let what = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("malformed row: {len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_string(),
        _ => format!("malformed CSV: {e}"),
    };
    if line > 0 {
        input_error(format!("{}:{line}: {what}", path.display()))
    } else {
        input_error(format!("{}: {what}", path.display()))
    }
}

pub(super) fn read_distributions(path: &Path, known: &[&str]) -> anyhow::Result<Vec<DistRow>> {
    let (f, mut rdr) = CsvFile::open(path, &["scenario", "metric", "value", "count"])?;
    let mut out = Vec::new();
    for (line, rec) in f.records(&mut rdr)? {
        out.push(DistRow {
            scenario: f.scenario(line, &rec, "scenario", known)?,
            metric: f.text(line, &rec, "metric")?,
            value: f.opt_num(line, &rec, "value")?,
            count: f.uint(line, &rec, "count")?,
        });
    }
    if out.is_empty() {
        return Err(input_error(format!("{}:2: no runs", path.display())));
    }
    Ok(out)
}

/// The distributions of a folder written before `distributions.csv` existed, from its
/// `runs.csv`, streamed row by row (memory does not grow with the runs).
pub(super) fn distributions_from_runs(path: &Path, known: &[&str]) -> anyhow::Result<Vec<DistRow>> {
    use crate::aggregate::DISTRIBUTION_METRICS;
    use crate::engine::metrics::METRICS;
    use crate::stats::ValueCounts;
    let mut required = vec!["scenario", "run"];
    required.extend(REQUIRED_RUN_METRICS);
    let (f, mut rdr) = CsvFile::open(path, &required)?;
    let metrics: Vec<&str> = DISTRIBUTION_METRICS
        .iter()
        .map(|&m| METRICS[m].name)
        .filter(|m| f.columns.contains_key(*m))
        .collect();
    let mut counts = vec![vec![ValueCounts::default(); metrics.len()]; known.len()];
    let mut rec = csv::StringRecord::new();
    let mut rows = 0u64;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(&f.path, &e)),
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let scenario = f.scenario(line, &rec, "scenario", known)?;
        f.uint(line, &rec, "run")?;
        let s = known.iter().position(|k| *k == scenario).unwrap_or(0);
        for (c, m) in counts[s].iter_mut().zip(&metrics) {
            c.add(f.opt_num(line, &rec, m)?.unwrap_or(f64::NAN));
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(input_error(format!("{}:2: no runs", path.display())));
    }
    let mut out = Vec::new();
    for (s, per) in counts.iter().enumerate() {
        for (c, m) in per.iter().zip(&metrics) {
            let row = |value, count| DistRow {
                scenario: known[s].to_string(),
                metric: m.to_string(),
                value,
                count,
            };
            out.extend(c.values().into_iter().map(|(x, n)| row(Some(x), n)));
            if c.none() > 0 {
                out.push(row(None, c.none()));
            }
        }
    }
    Ok(out)
}

pub(super) fn read_summary(path: &Path, known: &[&str]) -> anyhow::Result<Vec<SummaryRow>> {
    let mut required = vec!["scenario", "metric", "mean", "sd", "ci95_low", "ci95_high"];
    required.extend(&PERCENTILES[..8]);
    required.extend(["n", "completed_share"]);
    let (f, mut rdr) = CsvFile::open(path, &required)?;
    let mut out = Vec::new();
    for (line, rec) in f.records(&mut rdr)? {
        let mut pct = [None; 8];
        for (i, p) in PERCENTILES[..8].iter().enumerate() {
            pct[i] = f.pct(line, &rec, p)?;
        }
        out.push(SummaryRow {
            scenario: f.scenario(line, &rec, "scenario", known)?,
            metric: f.text(line, &rec, "metric")?,
            mean: f.opt_num(line, &rec, "mean")?,
            sd: f.opt_num(line, &rec, "sd")?,
            ci95_low: f.opt_num(line, &rec, "ci95_low")?,
            ci95_high: f.opt_num(line, &rec, "ci95_high")?,
            pct,
            n: f.opt_num(line, &rec, "n")?,
            completed_share: f.opt_num(line, &rec, "completed_share")?,
        });
    }
    Ok(out)
}

pub(super) fn read_forecast(path: &Path, known: &[&str]) -> anyhow::Result<Vec<ForecastRow>> {
    let required = [
        "scenario",
        "question",
        "confidence",
        "sprint",
        "date",
        "items",
    ];
    let (f, mut rdr) = CsvFile::open(path, &required)?;
    let mut out = Vec::new();
    for (line, rec) in f.records(&mut rdr)? {
        let question = f.text(line, &rec, "question")?;
        if question != "when" && question != "how_many" {
            return Err(f.err(line, "question", "expected when or how_many", &question));
        }
        let c = f.cell(&rec, "confidence");
        let confidence = c
            .parse()
            .map_err(|_| f.err(line, "confidence", "expected a whole percentage", c))?;
        out.push(ForecastRow {
            scenario: f.scenario(line, &rec, "scenario", known)?,
            question,
            confidence,
            sprint: f.text(line, &rec, "sprint")?,
            date: f.cell(&rec, "date").to_string(),
            items: f.opt_num(line, &rec, "items")?,
        });
    }
    Ok(out)
}

pub(super) fn read_forecast_dist(
    path: &Path,
    known: &[&str],
) -> anyhow::Result<Vec<ForecastDistRow>> {
    let file = fs::File::open(path)
        .map_err(|e| input_error(format!("{}: cannot read: {e}", path.display())))?;
    forecast_dist_from(path, file, known)
}

/// [`read_forecast_dist`] of the contents of `path` read from `from`.
pub(super) fn forecast_dist_from<R: std::io::Read>(
    path: &Path,
    from: R,
    known: &[&str],
) -> anyhow::Result<Vec<ForecastDistRow>> {
    let (f, mut rdr) = CsvFile::of(path, from, &["scenario", "series", "x", "value"])?;
    let mut out = Vec::new();
    for (line, rec) in f.records(&mut rdr)? {
        let v = f.cell(&rec, "value");
        let bad = || f.err(line, "value", "expected a number or >H", v);
        let value = match v.strip_prefix('>') {
            Some(h) => Pct::Beyond(h.parse().map_err(|_| bad())?),
            None => Pct::Value(v.parse().map_err(|_| bad())?),
        };
        out.push(ForecastDistRow {
            scenario: f.scenario(line, &rec, "scenario", known)?,
            series: f.text(line, &rec, "series")?,
            x: f.opt_num(line, &rec, "x")?,
            value,
        });
    }
    Ok(out)
}

pub(super) fn read_compare(path: &Path, known: &[&str]) -> anyhow::Result<Vec<CompareRow>> {
    let required = [
        "scenario",
        "baseline",
        "metric",
        "better_when",
        "mean_diff",
        "ci95_low",
        "ci95_high",
        "better_share",
        "variance_reduction",
        "n",
    ];
    let (f, mut rdr) = CsvFile::open(path, &required)?;
    let mut out = Vec::new();
    for (line, rec) in f.records(&mut rdr)? {
        let bw = f.cell(&rec, "better_when");
        let better_when = match bw {
            "lower" => BetterWhen::Lower,
            "higher" => BetterWhen::Higher,
            _ => return Err(f.err(line, "better_when", "expected lower or higher", bw)),
        };
        out.push(CompareRow {
            scenario: f.scenario(line, &rec, "scenario", known)?,
            baseline: f.scenario(line, &rec, "baseline", known)?,
            metric: f.text(line, &rec, "metric")?,
            better_when,
            mean_diff: f.opt_num(line, &rec, "mean_diff")?,
            ci95_low: f.opt_num(line, &rec, "ci95_low")?,
            ci95_high: f.opt_num(line, &rec, "ci95_high")?,
            better_share: f.opt_num(line, &rec, "better_share")?,
            variance_reduction: f.opt_num(line, &rec, "variance_reduction")?,
            n: f.opt_num(line, &rec, "n")?,
        });
    }
    Ok(out)
}

pub(super) fn read_sprints(path: &Path, known: &[&str]) -> anyhow::Result<Vec<SprintRow>> {
    let required = ["scenario", "sprint", "series", "mean", "p10", "p50", "p90"];
    let (f, mut rdr) = CsvFile::open(path, &required)?;
    let mut out = Vec::new();
    for (line, rec) in f.records(&mut rdr)? {
        out.push(SprintRow {
            scenario: f.scenario(line, &rec, "scenario", known)?,
            sprint: f.uint(line, &rec, "sprint")?,
            series: f.text(line, &rec, "series")?,
            mean: f.opt_num(line, &rec, "mean")?,
            p10: f.opt_num(line, &rec, "p10")?,
            p50: f.opt_num(line, &rec, "p50")?,
            p90: f.opt_num(line, &rec, "p90")?,
        });
    }
    Ok(out)
}
