//! The CSV files of a run (see docs/outputs.md) and `scenarios.toml`.

use crate::aggregate::Aggregate;
use crate::engine::metrics::{RunRecord, METRICS, N_METRICS, SERIES, THROUGHPUT_METRICS};
use crate::scenario::Scenario;
use std::fmt::Write as _;

/// The CSV cell formatter lives in the foundation ([`crate::format`]); re-exported for writers.
pub use crate::format::{fmt_num, push_num};

/// The metric columns of runs.csv for these scenarios: every metric, or only the
/// throughput model's when every scenario is a throughput forecast (a mixed run keeps the
/// union, which is every metric).
pub fn run_columns(scenarios: &[Scenario]) -> Vec<usize> {
    if !scenarios.is_empty()
        && scenarios
            .iter()
            .all(|s| s.simulation.model == crate::scenario::ModelKind::Throughput)
    {
        THROUGHPUT_METRICS.to_vec()
    } else {
        (0..N_METRICS).collect()
    }
}

/// The header of runs.csv with these metric columns (see [`run_columns`]).
pub fn runs_header(columns: &[usize]) -> String {
    let mut h = String::from("scenario,run");
    for &m in columns {
        h.push(',');
        h.push_str(METRICS[m].name);
    }
    h.push('\n');
    h
}

/// One row of runs.csv (`run` is 1-based) with these metric columns, appended to `out`.
/// The cells are written in place into the cache's row buffer ([`crate::format::put_num`]),
/// or copied from `cache` when the column had the same value lately, and the row is copied
/// to `out` once, with the scenario's name before it: the bytes of [`push_num`] cell by
/// cell. The run number's digits are those of the cache's previous row (plus one when it
/// was the run before).
#[inline]
pub fn push_run_row(
    out: &mut Vec<u8>,
    scenario: &str,
    run: u64,
    record: &RunRecord,
    columns: &[usize],
    cache: &mut CellCache,
) {
    if columns.len() > FAST_COLUMNS {
        return push_run_row_plain(out, scenario, run, record, columns, cache);
    }
    let CellCache {
        entries,
        row,
        run: run_text,
    } = cache;
    let name = scenario.len();
    // Room for the name, a row and every column's slots: made once (and again for a longer
    // name or more columns).
    let slots = columns.len() * CACHE_SLOTS;
    if row.len() < name + ROW || entries.len() < slots {
        row.resize(row.len().max(name + ROW), 0);
        entries.resize(entries.len().max(slots), CellEntry::UNUSED);
    }
    row[..name].copy_from_slice(scenario.as_bytes());
    let (head, buf) = row.split_at_mut(name);
    let buf: &mut [u8; ROW] = (&mut buf[..ROW]).try_into().expect("room made");
    run_text.set(run);
    buf[..RUN_TEXT].copy_from_slice(&run_text.text);
    let mut n = run_text.len as usize;
    // Whether the row so far went to `out` (before a long cell: see below).
    let mut flushed = false;
    let (slots, _) = entries.as_chunks_mut::<CACHE_SLOTS>();
    for (&m, slots) in columns.iter().zip(slots) {
        let bits = record.metrics[m].to_bits();
        let entry = &mut slots[CellCache::slot_of(f64::from_bits(bits))];
        // n is below ROW_MASK + 1 (see `FAST_COLUMNS`): the mask changes nothing but spares
        // the bounds checks of the copy.
        let at = n & ROW_MASK;
        if entry.bits == bits {
            // The comma and the cell.
            buf[at..at + CACHED].copy_from_slice(&entry.text);
            n = at + entry.len as usize;
            continue;
        }
        n = put_cell(
            out,
            head,
            buf,
            at,
            f64::from_bits(bits),
            entry,
            &mut flushed,
        );
    }
    buf[n] = b'\n';
    if flushed {
        out.extend_from_slice(&buf[..n + 1]);
        return;
    }
    // The name and the row, in one copy.
    out.extend_from_slice(&row[..name + n + 1]);
}

/// A cell not in the cache, at `buf[at..]` after its comma, and kept in `entry` if short:
/// the position after it. A long one goes to `out` with the row so far (and `head`, the
/// name, unless `flushed` already), and the row goes on from the buffer's start.
#[cold]
#[inline(never)]
fn put_cell(
    out: &mut Vec<u8>,
    head: &[u8],
    buf: &mut [u8],
    at: usize,
    x: f64,
    entry: &mut CellEntry,
    flushed: &mut bool,
) -> usize {
    buf[at] = b',';
    match crate::format::put_num(buf, at + 1, x) {
        Some(end) => {
            if end - at <= CACHED {
                entry.bits = x.to_bits();
                entry.len = (end - at) as u8;
                entry.text.copy_from_slice(&buf[at..at + CACHED]);
            }
            end
        }
        None => {
            if !*flushed {
                out.extend_from_slice(head);
            }
            out.extend_from_slice(&buf[..at + 1]);
            out.extend_from_slice(fmt_num(x).as_bytes());
            *flushed = true;
            0
        }
    }
}

/// [`push_run_row`] for any number of columns, without the name and run number kept: the
/// same bytes.
fn push_run_row_plain(
    out: &mut Vec<u8>,
    scenario: &str,
    run: u64,
    record: &RunRecord,
    columns: &[usize],
    cache: &mut CellCache,
) {
    use crate::format::put_digits;
    out.extend_from_slice(scenario.as_bytes());
    let CellCache { entries, row, .. } = cache;
    // Room for the run number and every cell (no flush needed but after a long cell), and
    // every column's slots: made once.
    let (need, slots) = (row_room(columns.len()), columns.len() * CACHE_SLOTS);
    if row.len() < need || entries.len() < slots {
        row.resize(need.max(row.len()), 0);
        entries.resize(slots.max(entries.len()), CellEntry::UNUSED);
    }
    row[0] = b',';
    let mut n = put_digits(row, 1, run);
    for (i, &m) in columns.iter().enumerate() {
        let x = record.metrics[m];
        let entry = &mut entries[CellCache::slot(i, x)];
        if entry.bits == x.to_bits() {
            // The comma and the cell.
            row[n..n + CACHED].copy_from_slice(&entry.text);
            n += entry.len as usize;
            continue;
        }
        n = put_cell(out, &[], row, n, x, entry, &mut false);
    }
    row[n] = b'\n';
    out.extend_from_slice(&row[..n + 1]);
}

/// Bytes of [`CellCache`]'s row buffer for `columns` cells: a comma and the run number (at
/// most 20 digits), then a comma and at most [`crate::format::CELL_MAX`] bytes a cell (and
/// room for a cached cell's whole text), and the newline.
const fn row_room(columns: usize) -> usize {
    1 + 20 + columns * (1 + max(crate::format::CELL_MAX, CACHED)) + 1
}

const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

/// Columns [`push_run_row`] writes in a buffer of fixed size (every metric's; more go the
/// plain way).
const FAST_COLUMNS: usize = N_METRICS;

/// A row of [`FAST_COLUMNS`] cells ends before `ROW_MASK + 1`, and the buffer after the name
/// has room for a cached cell's text beyond it.
const ROW_MASK: usize = row_room(FAST_COLUMNS).next_power_of_two() - 1;
const ROW: usize = ROW_MASK + 1 + CACHED;

/// Bytes of a cell [`CellCache`] keeps, its comma included (longer cells are formatted
/// each time).
const CACHED: usize = 23;

/// Entries of [`CellCache`] per column.
const CACHE_SLOTS: usize = 4096;

/// Bytes of [`RunText`]: a comma and at most 20 digits.
const RUN_TEXT: usize = 24;

/// The text of the run number of the cache's last row: a comma and its digits.
#[derive(Debug, Clone)]
struct RunText {
    run: u64,
    len: u8,
    text: [u8; RUN_TEXT],
}

impl RunText {
    /// The text of `run`: kept, the last one's plus one, or written.
    #[inline]
    fn set(&mut self, run: u64) {
        if run == self.run && self.len > 0 {
            return;
        }
        if self.len > 0 && Some(run) == self.run.checked_add(1) {
            // Add one to the digits from the last: nines become zeros and carry; a number
            // of nines only ("999") gets one more digit, written anew.
            let mut i = self.len as usize - 1;
            while i > 0 && self.text[i] == b'9' {
                self.text[i] = b'0';
                i -= 1;
            }
            if i > 0 {
                self.text[i] += 1;
                self.run = run;
                return;
            }
        }
        self.text[0] = b',';
        self.len = crate::format::put_digits(&mut self.text, 1, run) as u8;
        self.run = run;
    }
}

/// The text of recent values, per column of runs.csv: a run's cells repeat across runs (a
/// forecast's 1 000 000 rows hold a few hundred distinct lead times, say/do ratios and
/// velocity CVs, and a few dozen whole numbers), and copying a cell costs a fraction of
/// formatting it. Direct-mapped by the value's bits; what it holds never changes a byte
/// (a cell is copied only for the very bits it was formatted from). It also holds the
/// buffer a row is written in (reused: not cleared from row to row), and the last row's run
/// number.
#[derive(Debug, Clone)]
pub struct CellCache {
    entries: Vec<CellEntry>,
    row: Vec<u8>,
    run: RunText,
}

#[derive(Debug, Clone, Copy)]
struct CellEntry {
    /// The value's bits (a NaN's when unused: any NaN's cell is empty, a lone comma).
    bits: u64,
    len: u8,
    text: [u8; CACHED],
}

impl CellEntry {
    const UNUSED: CellEntry = CellEntry {
        bits: f64::NAN.to_bits(),
        len: 1,
        text: {
            let mut t = [0; CACHED];
            t[0] = b',';
            t
        },
    };
}

impl Default for CellCache {
    fn default() -> Self {
        CellCache::new()
    }
}

impl CellCache {
    pub fn new() -> CellCache {
        CellCache {
            entries: Vec::new(),
            row: Vec::new(),
            run: RunText {
                run: 0,
                len: 0,
                text: [0; RUN_TEXT],
            },
        }
    }

    /// The slot of value x in column `column`.
    #[inline]
    fn slot(column: usize, x: f64) -> usize {
        column * CACHE_SLOTS + Self::slot_of(x)
    }

    /// The slot of value x among a column's.
    #[inline]
    fn slot_of(x: f64) -> usize {
        let shift = 64 - CACHE_SLOTS.trailing_zeros();
        (x.to_bits().wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
    }
}

/// `distributions.csv`: per scenario and charted metric (see
/// [`crate::aggregate::DISTRIBUTION_METRICS`]), how many runs had each value, in ascending
/// order, then the runs without a value (an empty `value`).
pub fn distributions_csv(agg: &Aggregate, scenarios: &[Scenario]) -> String {
    let mut out = String::from("scenario,metric,value,count\n");
    for (s, sc) in scenarios.iter().enumerate() {
        for (k, &m) in crate::aggregate::DISTRIBUTION_METRICS.iter().enumerate() {
            let d = agg.distribution(s, k);
            for (x, c) in d.values() {
                out.push_str(&sc.name);
                out.push(',');
                out.push_str(METRICS[m].name);
                out.push(',');
                push_num(&mut out, x);
                out.push(',');
                out.push_str(itoa::Buffer::new().format(c));
                out.push('\n');
            }
            if d.none() > 0 {
                let _ = writeln!(out, "{},{},,{}", sc.name, METRICS[m].name, d.none());
            }
        }
    }
    out
}

/// Where a censored quantile is reported: `>H`.
pub fn censored_cell(scenario: &Scenario, metric: usize) -> String {
    let h = scenario.simulation.sprints as f64;
    let bound = if metric == 0 {
        h
    } else {
        h - scenario.release.planned_sprint.unwrap_or(0) as f64
    };
    format!(">{}", fmt_num(bound))
}

/// The date columns summary.csv has when a scenario has a calendar (after the others, so
/// every other column keeps its bytes): the date of the sprint each completion percentile
/// falls in (rounded up to whole sprints).
pub const DATE_COLUMNS: [&str; 8] = [
    "p5_date", "p10_date", "p25_date", "p50_date", "p75_date", "p85_date", "p90_date", "p95_date",
];

pub fn summary_csv(agg: &mut Aggregate, scenarios: &[Scenario]) -> String {
    let dated = scenarios.iter().any(|s| s.calendar().is_some());
    let mut out = String::from("scenario,metric,mean,sd,ci95_low,ci95_high,p5,p10,p25,p50,p75,p85,p90,p95,n,completed_share");
    if dated {
        for c in DATE_COLUMNS {
            out.push(',');
            out.push_str(c);
        }
    }
    out.push('\n');
    for (s, sc) in scenarios.iter().enumerate() {
        for (m, info) in METRICS.iter().enumerate() {
            let sum = agg.summary(s, m);
            let _ = write!(
                out,
                "{},{},{},{},{},{}",
                sc.name,
                info.name,
                fmt_num(sum.mean),
                fmt_num(sum.sd),
                fmt_num(sum.ci95.0),
                fmt_num(sum.ci95.1)
            );
            for q in sum.quantiles {
                out.push(',');
                if q.is_infinite() && info.censored {
                    out.push_str(&censored_cell(sc, m));
                } else {
                    out.push_str(&fmt_num(q));
                }
            }
            let _ = write!(out, ",{},{}", sum.n, fmt_num(sum.completed_share));
            if dated {
                let calendar = sc.calendar().filter(|_| m == 0);
                for q in sum.quantiles {
                    out.push(',');
                    if let Some(c) = &calendar {
                        if q.is_finite() {
                            let _ = write!(out, "{}", c.sprint_end(q.ceil().max(1.0) as u32));
                        }
                    }
                }
            }
            out.push('\n');
        }
    }
    out
}

pub fn compare_csv(agg: &Aggregate, scenarios: &[Scenario]) -> String {
    let mut out = String::from("scenario,baseline,metric,better_when,mean_diff,ci95_low,ci95_high,better_share,variance_reduction,n\n");
    let base = &scenarios[agg.baseline].name;
    for (s, sc) in scenarios.iter().enumerate() {
        for (m, info) in METRICS.iter().enumerate().take(N_METRICS) {
            let p = agg.pair(s, m);
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{}",
                sc.name,
                base,
                info.name,
                info.better.as_str(),
                fmt_num(p.mean_diff),
                fmt_num(p.ci95.0),
                fmt_num(p.ci95.1),
                fmt_num(p.better_share),
                fmt_num(p.variance_reduction),
                p.n
            );
        }
    }
    out
}

pub fn sprints_csv(agg: &mut Aggregate, scenarios: &[Scenario]) -> String {
    let mut out = String::from("scenario,sprint,series,mean,p10,p50,p90\n");
    for (s, sc) in scenarios.iter().enumerate() {
        for sprint in 0..agg.sprints(s) {
            for (k, name) in SERIES.iter().enumerate() {
                let (mean, p10, p50, p90) = agg.band(s, sprint, k);
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{}",
                    sc.name,
                    sprint + 1,
                    name,
                    fmt_num(mean),
                    fmt_num(p10),
                    fmt_num(p50),
                    fmt_num(p90)
                );
            }
        }
    }
    out
}

/// What was run, for `scenarios.toml`.
#[derive(Debug, Clone)]
pub struct RunMeta {
    pub version: String,
    pub command: String,
    pub seed: u64,
    pub runs: u64,
    pub baseline: String,
    pub date: String,
}

pub fn scenarios_toml(meta: &RunMeta, scenarios: &[Scenario]) -> anyhow::Result<String> {
    let mut run = toml::Table::new();
    run.insert("version".into(), meta.version.clone().into());
    run.insert("command".into(), meta.command.clone().into());
    run.insert("seed".into(), toml::Value::Integer(meta.seed as i64));
    run.insert("runs".into(), toml::Value::Integer(meta.runs as i64));
    run.insert("baseline".into(), meta.baseline.clone().into());
    run.insert("date".into(), meta.date.clone().into());
    let max_sprints = scenarios
        .iter()
        .map(|s| s.simulation.sprints)
        .max()
        .unwrap_or(0);
    run.insert("sprints".into(), toml::Value::Integer(max_sprints as i64));
    let mut doc = toml::Table::new();
    doc.insert("run".into(), toml::Value::Table(run));
    let mut list = Vec::new();
    for s in scenarios {
        list.push(toml::Value::Table(toml::Table::try_from(s)?));
    }
    doc.insert("scenario".into(), toml::Value::Array(list));
    Ok(format!(
        "# Written by backsim: the resolved scenarios of this run.\n{}",
        toml::to_string_pretty(&doc)?
    ))
}

/// A low estimate of the bytes `backsim run` writes (runs.csv dominates; a runs.csv row is
/// about 250 bytes), plus the charts and report when they are drawn. Used to refuse a run
/// whose results clearly cannot fit before any simulation.
pub fn estimated_output_bytes(runs: u64, scenarios: &[Scenario], charts: bool) -> u64 {
    let n = scenarios.len() as u64;
    let sprints: u64 = scenarios.iter().map(|s| s.simulation.sprints as u64).sum();
    let runs_csv = runs.saturating_mul(n).saturating_mul(150);
    let small = sprints * crate::engine::N_SERIES as u64 * 40 + n * 8_000;
    let drawn = if charts { 1 << 20 } else { 0 };
    runs_csv.saturating_add(small).saturating_add(drawn)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod row_tests;
