//! Shared helpers: scenario files in temp folders, in-process comparisons, paired statistics.

use backsim::engine::driver::{Comparison, ReplicationSink};
use backsim::engine::metrics::row_after_stop;
use backsim::engine::{RunRecord, N_SERIES};
use backsim::scenario::{load_scenario, Scenario};
use std::path::PathBuf;

/// Collects every replication's records: `runs[r][s]` is scenario s of replication r.
#[derive(Default)]
pub struct Collect {
    pub runs: Vec<Vec<RunRecord>>,
    /// Optional: keep per-sprint series; `kept[r][s][j]` is series `keep[j]` of scenario s
    /// in replication r, one value per sprint.
    pub keep: Vec<usize>,
    pub kept: Vec<Vec<Vec<Vec<f64>>>>,
    /// Each scenario's horizon: rows that end early are completed with `row_after_stop`.
    pub sprints: Vec<usize>,
}

impl ReplicationSink for Collect {
    fn replication(
        &mut self,
        replication: u64,
        records: &[RunRecord],
        series: &[&[[f64; N_SERIES]]],
    ) -> anyhow::Result<()> {
        assert_eq!(
            replication as usize,
            self.runs.len(),
            "replications arrive in order"
        );
        self.runs.push(records.to_vec());
        if !self.keep.is_empty() {
            self.kept.push(
                series
                    .iter()
                    .enumerate()
                    .map(|(s, rows)| {
                        let mut full = rows.to_vec();
                        let last = *rows.last().expect("at least one sprint");
                        full.resize(self.sprints[s].max(rows.len()), row_after_stop(&last));
                        self.keep
                            .iter()
                            .map(|&k| full.iter().map(|r| r[k]).collect())
                            .collect()
                    })
                    .collect(),
            );
        }
        Ok(())
    }
}

/// A temp folder holding scenario files; it lives as long as the value.
pub struct Files {
    pub dir: tempfile::TempDir,
}

impl Files {
    pub fn new() -> Files {
        Files {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Write `NAME.toml` holding `text`; returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(format!("{name}.toml"));
        std::fs::write(&path, text).expect("write scenario");
        path
    }

    /// Write and load a scenario file.
    pub fn scenario(&self, name: &str, text: &str) -> Scenario {
        let path = self.write(name, text);
        load_scenario(path.to_str().unwrap())
            .unwrap_or_else(|e| panic!("scenario {name} does not load: {e:#}\n{text}"))
    }
}

/// Load one scenario from TOML text (written to a temp file named NAME.toml).
pub fn scenario(name: &str, text: &str) -> Scenario {
    Files::new().scenario(name, text)
}

pub fn preset(name: &str) -> Scenario {
    load_scenario(name).unwrap_or_else(|e| panic!("preset {name}: {e:#}"))
}

/// Run a comparison in-process and collect every record.
pub fn simulate(scenarios: &[Scenario], seed: u64, runs: u64) -> Vec<Vec<RunRecord>> {
    let comparison = Comparison::new(scenarios, seed, runs);
    let mut sink = Collect::default();
    comparison.run(&mut sink, &|_| {}).expect("comparison runs");
    assert_eq!(sink.runs.len() as u64, runs);
    sink.runs
}

/// [`simulate`], also keeping the per-sprint series `keep`.
pub fn simulate_keeping(scenarios: &[Scenario], seed: u64, runs: u64, keep: &[usize]) -> Collect {
    let comparison = Comparison::new(scenarios, seed, runs);
    let mut sink = Collect {
        keep: keep.to_vec(),
        sprints: scenarios
            .iter()
            .map(|s| s.simulation.sprints as usize)
            .collect(),
        ..Collect::default()
    };
    comparison.run(&mut sink, &|_| {}).expect("comparison runs");
    sink
}

/// Metric `m` of scenario `s` over every replication (NaN = no value).
pub fn column(runs: &[Vec<RunRecord>], s: usize, m: usize) -> Vec<f64> {
    runs.iter().map(|r| r[s].metrics[m]).collect()
}

pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Sample standard deviation.
pub fn sd(xs: &[f64]) -> f64 {
    let m = mean(xs);
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() as f64 - 1.0)).sqrt()
}

/// Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9).
pub fn z_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let q = p.min(1.0 - p);
    let x = if q > 0.02425 {
        let q = p - 0.5;
        let r = q * q;
        return (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0);
    } else {
        let r = (-2.0 * q.ln()).sqrt();
        (((((C[0] * r + C[1]) * r + C[2]) * r + C[3]) * r + C[4]) * r + C[5])
            / ((((D[0] * r + D[1]) * r + D[2]) * r + D[3]) * r + 1.0)
    };
    if p < 0.5 {
        x
    } else {
        -x
    }
}

/// Student t quantile (Cornish–Fisher expansion around the normal; ample for df ≥ 20).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    let z = z_quantile(p);
    let (z3, z5) = (z.powi(3), z.powi(5));
    z + (z3 + z) / (4.0 * df) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df)
}

/// A paired difference (a − b) with its 95 % t confidence interval.
#[derive(Debug, Clone, Copy)]
pub struct Paired {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
    pub n: usize,
}

impl std::fmt::Display for Paired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:+.4} [{:+.4}, {:+.4}] (n {})",
            self.mean, self.lo, self.hi, self.n
        )
    }
}

/// Paired difference over the replications where both have a value.
pub fn paired(a: &[f64], b: &[f64]) -> Paired {
    let d: Vec<f64> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .map(|(x, y)| x - y)
        .collect();
    let n = d.len();
    let m = mean(&d);
    let h = t_quantile(0.975, n as f64 - 1.0) * sd(&d) / (n as f64).sqrt();
    Paired {
        mean: m,
        lo: m - h,
        hi: m + h,
        n,
    }
}

/// The events of replication `run` of `s` (seed `seed`), told by the engine's tracer.
pub fn traced(s: &Scenario, seed: u64, run: u64) -> Vec<backsim::engine::trace::Event> {
    let model = backsim::model::compiled::Model::new(s);
    let mut events = Vec::new();
    backsim::engine::simulate_traced(
        &model,
        &backsim::random::RunKeys::new(seed, run),
        None,
        &mut backsim::engine::Workspace::new(),
        &mut events,
    );
    events
}

/// The block of `doc` (a file under the crate root, such as "docs/model.md") between
/// `<!-- MARKER:begin -->` and `<!-- MARKER:end -->` is `table`; with `BACKSIM_BLESS` set it is
/// rewritten instead, and the answer is true. `hint` ends the failure message.
pub fn doc_block_is(doc: &str, marker: &str, table: &str, hint: &str) -> bool {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(doc);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{doc}: {e}"));
    let (begin, end) = (
        format!("<!-- {marker}:begin -->\n"),
        format!("<!-- {marker}:end -->"),
    );
    let a = text
        .find(&begin)
        .unwrap_or_else(|| panic!("{doc} has the {marker} markers"))
        + begin.len();
    let b = text
        .find(&end)
        .unwrap_or_else(|| panic!("{doc} has the {marker} end marker"));
    if std::env::var_os("BACKSIM_BLESS").is_some() {
        std::fs::write(&path, format!("{}{}{}", &text[..a], table, &text[b..])).unwrap();
        return true;
    }
    assert_eq!(
        &text[a..b],
        table,
        "{doc}'s {marker} table is stale: rerun this test with BACKSIM_BLESS=1{hint}"
    );
    false
}

/// Run `backsim args` in `dir` and require it to succeed (its stderr in the failure).
pub fn backsim_ok(dir: &std::path::Path, args: &[&str]) {
    let out = assert_cmd::Command::cargo_bin("backsim")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
