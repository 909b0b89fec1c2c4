//! Synthetic but plausible results folders, for tests and for trying the charts
//! without running the engine. Deterministic: the same arguments write the same bytes.

use crate::format::six_decimals as fmt;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// Horizon and planned release sprint of the fixture.
pub const HORIZON: u32 = 26;
pub const PLANNED: u32 = 20;

const NAMES: [(&str, &str); 4] = [
    ("split-roles", "Separate PM and PO, weekly sync"),
    ("po-as-proxy", "PO relays the PM's decisions; slow answers"),
    ("empowered-po", "PO owns the backlog & decides <same day>"),
    ("pm-does-both", "One person plays PM and PO"),
];

/// (name, better_when) for every per-run metric, in `docs/outputs.md` order.
/// The engine's metrics as (name, better_when).
fn metrics() -> impl Iterator<Item = (&'static str, &'static str)> {
    crate::engine::METRICS
        .iter()
        .map(|m| (m.name, m.better.as_str()))
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        // xorshift64*: tiny and deterministic; quality is irrelevant for a fixture.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let u1 = self.next().max(1e-12);
        let u2 = self.next();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

fn mean_sd_ci(v: &[f64]) -> (f64, f64, f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let sd = if v.len() > 1 {
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    let h = 1.98 * sd / n.sqrt();
    (m, sd, m - h, m + h)
}

/// Write a results folder with `scenarios` (1–4) scenarios × `runs` replications into `dir`.
pub fn write(dir: &Path, scenarios: usize, runs: usize) -> std::io::Result<()> {
    let scenarios = scenarios.clamp(1, NAMES.len());
    fs::create_dir_all(dir)?;
    // Per-scenario effects: (delay shift, value efficiency, defect rate, decision wait h).
    let effects = [
        (0.0, 0.78, 0.06, 6.0),
        (4.5, 0.70, 0.08, 14.0),
        (-1.5, 0.85, 0.05, 2.0),
        (1.0, 0.74, 0.11, 4.0),
    ];

    // values[s][r][m]
    let mut values: Vec<Vec<Vec<Option<f64>>>> = Vec::new();
    for (s, eff) in effects.iter().enumerate().take(scenarios) {
        let mut per_run = Vec::new();
        for r in 0..runs {
            // Common random numbers: the world of run r is shared by every scenario.
            let mut world = Rng(0x9E37_79B9_7F4A_7C15 ^ (r as u64 + 1).wrapping_mul(7919));
            let mut own = Rng(0xD1B5_4A32_D192_ED03 ^ ((s * 1000 + r) as u64 + 17));
            let w = world.normal();
            let completion = (PLANNED as f64 + eff.0 + 2.0 * w + 1.5 * own.normal()).round();
            let completion = completion.max(12.0);
            let done = completion <= HORIZON as f64;
            let ve = (eff.1 + 0.05 * w + 0.04 * own.normal()).clamp(0.2, 1.0);
            let oracle = 1000.0 + 80.0 * world.normal();
            let defects_pp = (eff.2 * (1.0 + 0.3 * own.normal())).max(0.0);
            let points = 200.0 + 20.0 * w + 10.0 * own.normal();
            let mut row = Vec::new();
            for (m, _) in metrics() {
                let v = match m {
                    "completion_sprint" => done.then_some(completion),
                    "release_delay_sprints" => done.then_some(completion - PLANNED as f64),
                    "lead_time_p50_days" => Some(12.0 + eff.3 * 0.4 + 2.0 * own.normal()),
                    "lead_time_p85_days" => Some(25.0 + eff.3 * 0.8 + 4.0 * own.normal()),
                    "top_value_lead_time_days" => Some(15.0 + eff.0 * 2.0 + 3.0 * own.normal()),
                    "decision_wait_share" => {
                        Some((eff.3 / 60.0 + 0.02 * own.normal()).clamp(0.0, 1.0))
                    }
                    "capacity_lost_share" => Some((0.15 + 0.03 * own.normal()).clamp(0.0, 1.0)),
                    "say_do_ratio" => Some((0.85 - eff.0 * 0.03 + 0.05 * own.normal()).min(1.0)),
                    "velocity_cv" => Some((0.2 + 0.05 * own.normal()).abs()),
                    "value_realized" => Some(ve * oracle),
                    "value_efficiency" => Some(ve),
                    "cost_of_delay" => Some((1.0 - ve) * oracle),
                    "escaped_defects_per_point" => Some(defects_pp),
                    "rework_share" => Some((0.08 + eff.2 * 0.5 + 0.02 * own.normal()).abs()),
                    "wrong_build_rate" => Some((0.03 + eff.3 * 0.003 + 0.01 * own.normal()).abs()),
                    "on_strategy_share" => Some((0.6 + 0.05 * own.normal()).clamp(0.0, 1.0)),
                    "ranking_tau" => Some((ve - 0.2 + 0.05 * own.normal()).clamp(-1.0, 1.0)),
                    "priority_churn" => Some((0.1 + 0.03 * own.normal()).abs()),
                    "tech_debt_end" => Some((40.0 + eff.0 * 5.0 + 8.0 * own.normal()).max(0.0)),
                    "enabler_share" => Some((0.15 + 0.03 * own.normal()).clamp(0.0, 1.0)),
                    "points_done" => Some(points),
                    "items_done" => Some((points / 5.0).round()),
                    "defects" => Some((points * defects_pp * 3.0).round()),
                    "escaped_defects" => Some((points * defects_pp).round()),
                    "unready_share" => {
                        Some((0.1 + eff.3 * 0.01 + 0.03 * own.normal()).clamp(0.0, 1.0))
                    }
                    // A metric the fixture does not know yet gets a plausible share.
                    _ => Some((0.5 + 0.1 * own.normal()).clamp(0.0, 1.0)),
                };
                row.push(v);
            }
            per_run.push(row);
        }
        values.push(per_run);
    }

    let names: Vec<&str> = NAMES.iter().take(scenarios).map(|n| n.0).collect();

    // scenarios.toml
    let mut toml = String::new();
    writeln!(toml, "[run]").unwrap();
    writeln!(toml, "version = \"0.1.0\"").unwrap();
    writeln!(
        toml,
        "command = \"backsim run --runs {runs} --seed 42 --out 'output' <scenarios.toml>\""
    )
    .unwrap();
    writeln!(toml, "seed = 42").unwrap();
    writeln!(toml, "runs = {runs}").unwrap();
    writeln!(toml, "baseline = \"{}\"", names[0]).unwrap();
    writeln!(toml, "date = \"2026-11-27T12:00:00Z\"").unwrap();
    writeln!(toml, "sprints = {HORIZON}").unwrap();
    for (s, (name, desc)) in NAMES.iter().take(scenarios).enumerate() {
        let e = effects[s];
        writeln!(toml, "\n[[scenario]]").unwrap();
        writeln!(toml, "name = \"{name}\"").unwrap();
        writeln!(toml, "description = \"{desc}\"").unwrap();
        writeln!(toml, "[scenario.team]\nsize = 7\nsprint_days = 10").unwrap();
        writeln!(
            toml,
            "[scenario.po]\ndecision_latency_hours = {}\navailability = {}",
            e.3,
            fmt(0.5 + 0.1 * s as f64)
        )
        .unwrap();
        writeln!(
            toml,
            "[scenario.pm]\nstrategy_clarity = {}\nroles = [\"pm\", \"po\"]",
            fmt(e.1)
        )
        .unwrap();
    }
    fs::write(dir.join("scenarios.toml"), toml)?;

    // runs.csv
    let mut out = String::from("scenario,run");
    for (m, _) in metrics() {
        out.push(',');
        out.push_str(m);
    }
    out.push('\n');
    for (s, name) in names.iter().enumerate() {
        for (r, row) in values[s].iter().enumerate() {
            write!(out, "{name},{}", r + 1).unwrap();
            for v in row {
                out.push(',');
                if let Some(v) = v {
                    out.push_str(&fmt(*v));
                }
            }
            out.push('\n');
        }
    }
    fs::write(dir.join("runs.csv"), out)?;

    // distributions.csv: what a run writes, from the values as runs.csv has them.
    let mut out = String::from("scenario,metric,value,count\n");
    for (s, name) in names.iter().enumerate() {
        for &m in crate::aggregate::DISTRIBUTION_METRICS.iter() {
            let metric = crate::engine::METRICS[m].name;
            let mi = metrics().position(|(x, _)| x == metric).expect("a metric");
            let mut counts = crate::stats::ValueCounts::default();
            for row in &values[s] {
                counts.add(row[mi].map_or(f64::NAN, |v| fmt(v).parse().unwrap_or(f64::NAN)));
            }
            for (x, c) in counts.values() {
                writeln!(out, "{name},{metric},{},{c}", crate::format::fmt_num(x)).unwrap();
            }
            if counts.none() > 0 {
                writeln!(out, "{name},{metric},,{}", counts.none()).unwrap();
            }
        }
    }
    fs::write(dir.join("distributions.csv"), out)?;

    // summary.csv
    let mut out = String::from(
        "scenario,metric,mean,sd,ci95_low,ci95_high,p5,p10,p25,p50,p75,p85,p90,p95,n,completed_share\n",
    );
    let qs = [0.05, 0.10, 0.25, 0.50, 0.75, 0.85, 0.90, 0.95];
    for (s, name) in names.iter().enumerate() {
        for (mi, (m, _)) in metrics().enumerate() {
            let got: Vec<f64> = values[s].iter().filter_map(|r| r[mi]).collect();
            let (mean, sd, lo, hi) = mean_sd_ci(&got);
            let censor = match m {
                "completion_sprint" => Some(HORIZON as f64),
                "release_delay_sprints" => Some((HORIZON - PLANNED) as f64),
                _ => None,
            };
            // Censored runs sort after every finished one.
            let mut all: Vec<f64> = values[s]
                .iter()
                .map(|r| r[mi].unwrap_or(f64::INFINITY))
                .collect();
            all.sort_by(f64::total_cmp);
            write!(
                out,
                "{name},{m},{},{},{},{}",
                fmt(mean),
                fmt(sd),
                fmt(lo),
                fmt(hi)
            )
            .unwrap();
            for q in qs {
                let idx = ((q * all.len() as f64).ceil() as usize).clamp(1, all.len()) - 1;
                let v = if all[idx].is_finite() {
                    fmt(all[idx])
                } else {
                    format!(">{}", censor.unwrap_or(0.0))
                };
                write!(out, ",{v}").unwrap();
            }
            writeln!(
                out,
                ",{},{}",
                got.len(),
                fmt(got.len() as f64 / values[s].len() as f64)
            )
            .unwrap();
        }
    }
    fs::write(dir.join("summary.csv"), out)?;

    // compare.csv: paired on the replication; censored counts as horizon + 1.
    let mut out = String::from(
        "scenario,baseline,metric,better_when,mean_diff,ci95_low,ci95_high,better_share,variance_reduction,n\n",
    );
    for (s, name) in names.iter().enumerate() {
        for (mi, (m, bw)) in metrics().enumerate() {
            let fill = match m {
                "completion_sprint" => (HORIZON + 1) as f64,
                "release_delay_sprints" => (HORIZON + 1 - PLANNED) as f64,
                _ => 0.0,
            };
            let a: Vec<f64> = values[s].iter().map(|r| r[mi].unwrap_or(fill)).collect();
            let b: Vec<f64> = values[0].iter().map(|r| r[mi].unwrap_or(fill)).collect();
            let d: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x - y).collect();
            let (md, sdd, lo, hi) = mean_sd_ci(&d);
            let better = d
                .iter()
                .filter(|x| if bw == "lower" { **x < 0.0 } else { **x > 0.0 })
                .count() as f64
                / d.len() as f64;
            let (_, sa, _, _) = mean_sd_ci(&a);
            let (_, sb, _, _) = mean_sd_ci(&b);
            let vr = if sdd > 0.0 {
                fmt((sa * sa + sb * sb) / (sdd * sdd))
            } else {
                String::new()
            };
            writeln!(
                out,
                "{name},{},{m},{bw},{},{},{},{},{vr},{}",
                names[0],
                fmt(md),
                fmt(lo),
                fmt(hi),
                fmt(better),
                d.len()
            )
            .unwrap();
        }
    }
    fs::write(dir.join("compare.csv"), out)?;

    // sprints.csv: smooth synthetic bands.
    let mut out = String::from("scenario,sprint,series,mean,p10,p50,p90\n");
    for (s, name) in names.iter().enumerate() {
        let e = effects[s];
        for k in 1..=HORIZON {
            let kf = k as f64;
            let vel = 10.0 - e.0 * 0.3 + 0.5 * (kf * 0.7 + s as f64).sin();
            let series: [(&str, f64, f64); 11] = [
                ("velocity", vel, 2.0),
                ("committed", vel * 1.15, 1.5),
                ("done", vel * 0.95, 2.0),
                ("backlog_size", 60.0 - kf, 5.0),
                ("ready_items", 8.0 - e.3 * 0.2, 2.0),
                ("cumulative_value", kf * 38.0 * e.1, kf * 3.0),
                ("escaped_defects", kf * e.2 * 10.0, kf * 0.3),
                ("decision_wait_hours", e.3 * (1.0 + 0.02 * kf), e.3 * 0.4),
                ("tech_debt", 10.0 + kf * (1.2 + e.0 * 0.2), 2.0 + kf * 0.2),
                (
                    "priority_churn",
                    0.2 + 0.05 * e.0 * (kf * 1.3).sin().abs(),
                    0.1,
                ),
                (
                    "roadmap_change",
                    0.05 * e.0 * ((k % 6 == 0) as u8 as f64),
                    0.05,
                ),
            ];
            for (series, mid, spread) in series {
                let mid = mid.max(0.0);
                writeln!(
                    out,
                    "{name},{k},{series},{},{},{},{}",
                    fmt(mid),
                    fmt((mid - 1.28 * spread).max(0.0)),
                    fmt(mid),
                    fmt(mid + 1.28 * spread)
                )
                .unwrap();
            }
        }
    }
    fs::write(dir.join("sprints.csv"), out)?;
    Ok(())
}
