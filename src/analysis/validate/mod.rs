//! `backsim validate`: does the model reproduce what research has measured about real teams?
//!
//! The ten stylized facts of the evidence file (`/work/shared/evidence.md`) are declared once,
//! in [`CHECKS`]: each row is one measurable part of a fact (its id, the fact it belongs to,
//! what the evidence says, the source and its grade, the target band, and the experiment that
//! measures it). A fact is **met** when every one of its checks has its value inside its band.
//!
//! The experiments run on common random numbers: every arm ([`ARMS`]: `aligned` with a few
//! keys changed) is simulated on the same worlds (same seed and replications), so a ratio or
//! a difference between two arms is taken run by run (paired), and its mean gets a 95 %
//! Student t interval over runs. Checks on the items themselves (estimate error, value) read
//! the world items of each replication directly, as the engine draws them.

mod checks;
mod report;

pub use checks::{Arm, Check, ItemStat, Measure, ARMS, CHECKS, FACTS};
pub use report::{chart, markdown_table, report_html, runs_csv, text_table, validation_csv};

use super::evaluate;
use crate::aggregate::{censored_fill, comparable_value};
use crate::engine::metrics::{idx, N_METRICS};
use crate::engine::world::World;
use crate::model::compiled::Model;
use crate::random::RunKeys;
use crate::scenario::load::load_with_limits;
use crate::scenario::params;
use crate::scenario::validate::Limits;
use crate::scenario::Scenario;
use crate::stats::Moments;
use anyhow::Result;
use std::path::PathBuf;
use Measure::*;

/// Replications per arm when `--runs` is not given (also the run count of docs/validation.md).
pub const DEFAULT_RUNS: u64 = 1000;
/// The seed when `--seed` is not given (the presets' `simulation.seed`).
pub const DEFAULT_SEED: u64 = 42;

/// The result of one check.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub check: &'static Check,
    /// Mean over runs of the per-run measure, and its 95 % t interval.
    pub value: f64,
    pub ci95: (f64, f64),
    /// Runs with a value.
    pub n: u64,
    /// Whether the check is met ([`within`]).
    pub within: bool,
    /// The per-run measure (NaN: no value in that run).
    pub per_run: Vec<f64>,
}

/// Whether `x` is inside `band`, bounds included.
pub fn in_band(x: f64, band: (f64, f64)) -> bool {
    x >= band.0 && x <= band.1
}

/// Whether a check is met: its mean inside a closed band; for an open band (a direction,
/// `band.1` = +∞) its whole 95 % interval above the lower bound, so that noise around 0 does
/// not count as a direction.
pub fn within(value: f64, ci95: (f64, f64), band: (f64, f64)) -> bool {
    if band.1.is_finite() {
        in_band(value, band)
    } else {
        in_band(value, band) && ci95.0 > band.0
    }
}

/// What a validation computed.
#[derive(Debug, Clone)]
pub struct ValidateOutcome {
    pub checks: Vec<CheckResult>,
    pub runs: u64,
    pub seed: u64,
    /// The arms' scenarios, in [`ARMS`] order.
    pub arms: Vec<Scenario>,
    pub files: Vec<PathBuf>,
}

impl ValidateOutcome {
    /// Fact number → met (every check within), for the facts with a check.
    pub fn facts(&self) -> Vec<(u8, bool)> {
        let mut out: Vec<(u8, bool)> = Vec::new();
        for c in &self.checks {
            match out.iter_mut().find(|(f, _)| *f == c.check.fact) {
                Some((_, met)) => *met &= c.within,
                None => out.push((c.check.fact, c.within)),
            }
        }
        out
    }
}

/// The arms' scenarios, each with its name, `runs` and `seed`.
pub fn arms(runs: u64, seed: u64) -> Result<Vec<Scenario>> {
    ARMS.iter()
        .map(|a| {
            let mut s = load_with_limits(a.preset, &Limits::default())?;
            for (k, v) in a.set {
                s = params::set(&s, k, *v)?;
            }
            s.name = a.name.to_string();
            s.resolve_runs(runs, seed);
            Ok(s)
        })
        .collect()
}

fn arm_index(name: &str) -> usize {
    ARMS.iter()
        .position(|a| a.name == name)
        .unwrap_or_else(|| panic!("no arm {name}"))
}

/// Per replication, the statistic `stat` of the world items.
pub fn item_stat(
    items: &[crate::model::item::BacklogItem],
    stat: ItemStat,
    buf: &mut Vec<f64>,
) -> f64 {
    buf.clear();
    match stat {
        ItemStat::MedianRatio | ItemStat::MeanRatio | ItemStat::LogSd | ItemStat::Over2x => {
            buf.extend(
                items
                    .iter()
                    .filter(|i| i.noisy_estimate > 0.0 && i.size > 0.0)
                    .map(|i| i.size / i.noisy_estimate),
            );
            let n = buf.len() as f64;
            if buf.is_empty() {
                return f64::NAN;
            }
            match stat {
                ItemStat::MedianRatio => {
                    buf.sort_by(f64::total_cmp);
                    let h = buf.len() / 2;
                    if buf.len() % 2 == 1 {
                        buf[h]
                    } else {
                        (buf[h - 1] + buf[h]) / 2.0
                    }
                }
                ItemStat::MeanRatio => buf.iter().sum::<f64>() / n,
                ItemStat::LogSd => {
                    let mut m = Moments::default();
                    buf.iter().for_each(|r| m.add(r.ln()));
                    m.sd()
                }
                _ => buf.iter().filter(|&&r| r > 2.0).count() as f64 / n,
            }
        }
        ItemStat::PositiveShare => {
            if items.is_empty() {
                return f64::NAN;
            }
            items.iter().filter(|i| i.value > 0.0).count() as f64 / items.len() as f64
        }
        ItemStat::TopDecileShare => {
            buf.extend(items.iter().map(|i| i.value));
            buf.sort_by(|a, b| b.total_cmp(a));
            let positive: f64 = buf.iter().filter(|v| **v > 0.0).sum();
            if positive <= 0.0 {
                return f64::NAN;
            }
            let top = buf.len().div_ceil(10);
            buf[..top].iter().filter(|v| **v > 0.0).sum::<f64>() / positive
        }
    }
}

/// The per-run values of every check, from the arms' metric values
/// (`values[arm][metric][run]`) and the arms.
pub fn measure_runs(
    arms: &[Scenario],
    values: &[Vec<Vec<f64>>],
    items: &[Vec<f64>],
) -> Vec<Vec<f64>> {
    let runs = values.first().and_then(|v| v.first()).map_or(0, Vec::len);
    let fill = |a: usize, m: usize, r: usize| -> f64 {
        let s = &arms[a];
        let f = censored_fill(
            s.simulation.sprints as usize,
            s.release.planned_sprint.unwrap_or(0) as f64,
        );
        comparable_value(&f, m, values[a][m][r])
    };
    CHECKS
        .iter()
        .enumerate()
        .map(|(c, check)| {
            (0..runs)
                .map(|r| match check.measure {
                    Items(_) => items[c][r],
                    Metric(a, m) => fill(arm_index(a), m, r),
                    Ratio(a, b, m) => {
                        let (x, y) = (fill(arm_index(a), m, r), fill(arm_index(b), m, r));
                        if y > 0.0 {
                            x / y
                        } else {
                            f64::NAN
                        }
                    }
                    Difference(a, b, m) => fill(arm_index(a), m, r) - fill(arm_index(b), m, r),
                    LateRelease(a) => {
                        let a = arm_index(a);
                        let planned = arms[a].release.planned_sprint.unwrap_or(0) as f64;
                        let done = fill(a, idx::COMPLETION_SPRINT, r);
                        f64::from(u8::from(done > planned))
                    }
                    Overrun(a) => {
                        let a = arm_index(a);
                        let planned = arms[a].release.planned_sprint.unwrap_or(0) as f64;
                        if planned > 0.0 {
                            fill(a, idx::COMPLETION_SPRINT, r) / planned - 1.0
                        } else {
                            f64::NAN
                        }
                    }
                    DebtDrag(a) => {
                        let a = arm_index(a);
                        let t = &arms[a].team;
                        (t.debt_drag_per_point * values[a][idx::TECH_DEBT_END][r])
                            .min(t.max_debt_drag)
                    }
                    RemovalEfficiency(a) => {
                        let a = arm_index(a);
                        let d = values[a][idx::DEFECTS][r];
                        if d > 0.0 {
                            1.0 - values[a][idx::ESCAPED][r] / d
                        } else {
                            f64::NAN
                        }
                    }
                    Param(a, key) => params::get(&arms[arm_index(a)], key).unwrap_or(f64::NAN),
                })
                .collect()
        })
        .collect()
}

/// Mean and 95 % interval of each check from its per-run values.
pub fn summarise(per_run: Vec<Vec<f64>>) -> Vec<CheckResult> {
    CHECKS
        .iter()
        .zip(per_run)
        .map(|(check, per_run)| {
            let mut m = Moments::default();
            per_run
                .iter()
                .filter(|x| !x.is_nan())
                .for_each(|x| m.add(*x));
            let (value, ci95) = (m.mean(), m.ci95());
            CheckResult {
                check,
                value,
                ci95,
                n: m.n,
                within: within(value, ci95, check.band),
                per_run,
            }
        })
        .collect()
}

/// Run every experiment (no files).
pub fn compute(runs: u64, seed: u64, progress: &dyn Fn(u64)) -> Result<ValidateOutcome> {
    let arms = arms(runs, seed)?;
    let metrics: Vec<usize> = (0..N_METRICS).collect();
    let c = evaluate(&arms, seed, runs, None, &metrics, true, progress)?;
    let values = c.values();
    // The world items of aligned, replication by replication (the engine's own draws).
    let model = Model::new(&arms[0]);
    let mut world = World::default();
    let mut buf = Vec::new();
    let mut items: Vec<Vec<f64>> = vec![Vec::with_capacity(runs as usize); CHECKS.len()];
    for r in 0..runs {
        world.prepare(&model, &RunKeys::new(seed, r));
        for (c, check) in CHECKS.iter().enumerate() {
            if let Items(stat) = check.measure {
                items[c].push(item_stat(&world.items, stat, &mut buf));
            }
        }
    }
    let per_run = measure_runs(&arms, values, &items);
    Ok(ValidateOutcome {
        checks: summarise(per_run),
        runs,
        seed,
        arms,
        files: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::item::BacklogItem;

    #[test]
    fn every_arm_loads_and_every_check_names_an_arm_and_a_fact() {
        let arms = arms(2, 1).unwrap();
        assert_eq!(arms.len(), ARMS.len());
        for c in CHECKS {
            assert!((1..=10).contains(&c.fact), "{}", c.id);
            assert!(c.id.starts_with(&format!("{}.", c.fact)), "{}", c.id);
            assert!(c.band.0 < c.band.1, "{}", c.id);
            let named = match c.measure {
                Items(_) => vec![],
                Metric(a, _) | LateRelease(a) | Overrun(a) | DebtDrag(a) => vec![a],
                RemovalEfficiency(a) | Param(a, _) => vec![a],
                Ratio(a, b, _) | Difference(a, b, _) => vec![a, b],
            };
            for a in named {
                assert!(ARMS.iter().any(|x| x.name == a), "{}: arm {a}", c.id);
            }
        }
        let facts: std::collections::BTreeSet<u8> = CHECKS.iter().map(|c| c.fact).collect();
        assert!(
            facts.len() >= 8,
            "at least 8 of the 10 facts have an experiment"
        );
    }

    #[test]
    fn item_statistics_by_hand() {
        // Ratios 1, 2, 4, 0.5 (size / estimate); values 3, 0, -1, 1.
        let mk = |size: f64, est: f64, value: f64| {
            let mut i = BacklogItem::for_test(0, value, size);
            i.noisy_estimate = est;
            i
        };
        let items = [
            mk(3.0, 3.0, 3.0),
            mk(2.0, 1.0, 0.0),
            mk(8.0, 2.0, -1.0),
            mk(1.0, 2.0, 1.0),
        ];
        let mut b = Vec::new();
        assert_eq!(item_stat(&items, ItemStat::MedianRatio, &mut b), 1.5);
        assert_eq!(item_stat(&items, ItemStat::MeanRatio, &mut b), 7.5 / 4.0);
        assert_eq!(item_stat(&items, ItemStat::Over2x, &mut b), 0.25);
        assert_eq!(item_stat(&items, ItemStat::PositiveShare, &mut b), 0.5);
        // Top ⌈4/10⌉ = 1 item (value 3) of positive total 4.
        assert_eq!(item_stat(&items, ItemStat::TopDecileShare, &mut b), 0.75);
        let ln: Vec<f64> = [1.0f64, 2.0, 4.0, 0.5].iter().map(|x| x.ln()).collect();
        let mean = ln.iter().sum::<f64>() / 4.0;
        let sd = (ln.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 3.0).sqrt();
        assert!((item_stat(&items, ItemStat::LogSd, &mut b) - sd).abs() < 1e-12);
    }

    #[test]
    fn a_band_includes_its_bounds() {
        assert!(in_band(0.85, (0.85, 0.95)) && in_band(0.95, (0.85, 0.95)));
        assert!(!in_band(0.849, (0.85, 0.95)) && !in_band(f64::NAN, (0.0, 1.0)));
        assert!(in_band(3.0, (0.0, f64::INFINITY)));
        let open = (0.0, f64::INFINITY);
        assert!(within(0.5, (0.1, 0.9), open) && !within(0.5, (-0.1, 1.1), open));
        assert!(within(0.5, (-9.0, 9.0), (0.4, 0.6)));
    }
}
