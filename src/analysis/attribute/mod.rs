//! `backsim attribute`: why is this scenario different from the baseline?
//!
//! The keys the scenario and the baseline differ in are grouped by mechanism
//! ([`crate::scenario::mechanisms::MECHANISMS`], with `other` for keys no mechanism names).
//! The mechanisms with a difference are the players (at most 8). Every subset of players is
//! a variant: the baseline with that subset's keys taken from the scenario, so the empty
//! subset is the baseline and the full one the scenario. Every variant runs on the same
//! worlds (same seed and replications: common random numbers, through [`super::evaluate`]).
//!
//! In each run r the variants' values v_r(S) form a game, and each mechanism's exact Shapley
//! value φ_r(i) is its marginal effect averaged over every order of switching the mechanisms
//! on. The φ_r(i) of a run add up to v_r(all) − v_r(none), the run's paired difference; their
//! mean over runs is the contribution, with a 95 % t interval over runs. The contributions add
//! up to the mean paired difference `backsim run` writes to compare.csv. Censored values
//! (release not done within the horizon) count as in compare.csv: the horizon + 1.

mod game;
mod report;

use super::{evaluate, metric_indices, AnalysisRun};
use crate::engine::metrics::METRICS;
use crate::error::input_error;
use crate::output::publish::{set_names, Publisher, CHART_BYTES};
use crate::scenario::load::load_with_limits;
use crate::scenario::mask::{self, MechanismMask, ENGINE_MECHANISMS};
use crate::scenario::mechanisms::{self, differences, Difference};
use crate::scenario::validate::Limits;
use crate::scenario::Scenario;
use crate::stats::shapley::MAX_PLAYERS;
use crate::stats::Moments;
use anyhow::Result;
pub use game::{attribute_mechanism_runs, attribute_runs};
use std::path::PathBuf;

pub use report::{attribution_csv, markdown_table, report_html, text_table};

/// Metrics attributed when `--metric` is not given.
pub const DEFAULT_METRICS: [&str; 2] = ["value_efficiency", "release_delay_sprints"];
/// Replications per variant when `--runs` is not given.
pub const DEFAULT_RUNS: u64 = 200;
/// The baseline when `--baseline` is not given.
pub const DEFAULT_BASELINE: &str = "aligned";

#[derive(Debug, Clone)]
pub struct AttributeOptions {
    pub scenario: String,
    pub baseline: String,
    pub metrics: Vec<String>,
    /// Each a comma-separated list of mechanisms attributed together as one player
    /// (`--by structure` only).
    pub merge: Vec<String>,
    /// What the players are: the engine's mechanisms or the structural switches.
    pub by: By,
    /// `runs: None` means [`DEFAULT_RUNS`]; `precision` is not used.
    pub run: AnalysisRun,
}

/// What `backsim attribute` shares the difference among.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum By {
    /// The engine's mechanisms ([`ENGINE_MECHANISMS`]), switched off and on in both arms
    /// alike; what no mechanism carries is the `direct` row.
    #[default]
    Mechanism,
    /// The groups of scenario keys ([`mechanisms::MECHANISMS`]), switched between the
    /// baseline's setting and the scenario's.
    Structure,
}

impl By {
    /// How the terminal, the report and the chart name the mode.
    pub fn label(self) -> &'static str {
        match self {
            By::Mechanism => "by mechanism",
            By::Structure => "by structural switch",
        }
    }
}

/// The row of a mechanism attribution that no mechanism carries.
pub const DIRECT: &str = "direct";
const DIRECT_MEANING: &str = "what the structure does with every mechanism off: the PO's hours split between strategy, team and refinement, who orders the backlog, the hand-over calendar";

/// One player: one mechanism, or several merged by `--merge`.
#[derive(Debug, Clone, PartialEq)]
pub struct Player {
    pub name: String,
    pub meaning: String,
    /// The dotted keys it switches, sorted.
    pub keys: Vec<String>,
}

/// A contribution (or the total) to one metric's difference: the mean over runs of the
/// per-run Shapley values, with its 95 % t interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share {
    pub mean: f64,
    pub ci95: (f64, f64),
}

impl Share {
    fn of(m: &Moments) -> Share {
        Share {
            mean: m.mean(),
            ci95: m.ci95(),
        }
    }
}

/// One metric's attribution.
#[derive(Debug, Clone)]
pub struct MetricAttribution {
    pub metric: usize,
    /// Mean of the baseline and of the scenario over the runs used (censored values at the
    /// horizon + 1).
    pub baseline_mean: f64,
    pub scenario_mean: f64,
    /// One per player, in player order.
    pub contributions: Vec<Share>,
    /// The mean paired difference scenario − baseline.
    pub total: Share,
    /// Runs used: those where every variant has a value.
    pub n: u64,
}

/// What an attribution computed.
#[derive(Debug, Clone)]
pub struct AttributeOutcome {
    pub by: By,
    pub scenario: String,
    pub baseline: String,
    pub players: Vec<Player>,
    pub metrics: Vec<MetricAttribution>,
    /// Scenarios simulated: 2ⁿ subsets by structure, 2 × 2ⁿ (both arms) by mechanism.
    pub variants: usize,
    pub runs: u64,
    pub seed: u64,
    pub files: Vec<PathBuf>,
}

/// The players: one per mechanism with a difference, or merged as `--merge` asks.
pub fn players(diffs: &[Difference], merge: &[String]) -> Result<Vec<Player>> {
    let mut out: Vec<Player> = diffs
        .iter()
        .map(|d| Player {
            name: d.mechanism.name.to_string(),
            meaning: d.mechanism.meaning.to_string(),
            keys: d.keys.clone(),
        })
        .collect();
    for spec in merge {
        let names: Vec<&str> = spec
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if names.len() < 2 {
            return Err(input_error(format!(
                "--merge {spec:?}: name two or more mechanisms, comma-separated (e.g. --merge \"hand-over,PM override\")"
            )));
        }
        let mut group = Vec::new();
        for n in &names {
            let Some(m) = mechanisms::find(n) else {
                return Err(input_error(format!(
                    "--merge: no mechanism {n:?} (mechanisms: {})",
                    mechanism_names()
                )));
            };
            if let Some(i) = out.iter().position(|p| p.name.eq_ignore_ascii_case(m.name)) {
                group.push(out.remove(i));
            } else if !out
                .iter()
                .any(|p| p.name.split(" + ").any(|x| x.eq_ignore_ascii_case(m.name)))
            {
                // No difference in this mechanism: nothing to merge.
                continue;
            } else {
                return Err(input_error(format!(
                    "--merge: {:?} is already merged in another --merge",
                    m.name
                )));
            }
        }
        if group.is_empty() {
            continue;
        }
        let mut keys: Vec<String> = group.iter().flat_map(|p| p.keys.clone()).collect();
        keys.sort();
        out.push(Player {
            name: group
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(" + "),
            meaning: group
                .iter()
                .map(|p| p.meaning.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            keys,
        });
    }
    check_players(&out)?;
    Ok(out)
}

fn mechanism_names() -> String {
    mechanisms::MECHANISMS
        .iter()
        .chain(std::iter::once(&mechanisms::OTHER))
        .map(|m| m.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// At most [`MAX_PLAYERS`] players (2⁸ = 256 variants).
pub fn check_players(players: &[Player]) -> Result<()> {
    if players.len() > MAX_PLAYERS {
        return Err(input_error(format!(
            "the scenarios differ in {} mechanisms: {}; at most {MAX_PLAYERS} can be attributed \
             (every subset is simulated). Attribute some together with --merge \"A,B\", or pick \
             a --baseline closer to the scenario",
            players.len(),
            players
                .iter()
                .map(|p| format!("{} ({})", p.name, p.keys.join(", ")))
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    Ok(())
}

/// The variant of subset `mask` (bit i: player i switched to the scenario's setting).
fn variant_name(players: &[Player], mask: usize, baseline: &str) -> String {
    let on: Vec<&str> = (0..players.len())
        .filter(|i| mask >> i & 1 == 1)
        .map(|i| players[i].name.as_str())
        .collect();
    if on.is_empty() {
        baseline.to_string()
    } else {
        format!("{baseline} + {}", on.join(" + "))
    }
}

/// Every variant, indexed by subset mask; the last is the scenario itself.
pub fn variants(
    baseline: &Scenario,
    scenario: &Scenario,
    players: &[Player],
) -> Result<Vec<Scenario>> {
    let full = (1usize << players.len()) - 1;
    (0..=full)
        .map(|mask| {
            let keys: Vec<&str> = (0..players.len())
                .filter(|i| mask >> i & 1 == 1)
                .flat_map(|i| players[i].keys.iter().map(|k| k.as_str()))
                .collect();
            let name = if mask == full {
                scenario.name.clone()
            } else {
                variant_name(players, mask, &baseline.name)
            };
            mechanisms::variant(baseline, scenario, &keys, &name)
        })
        .collect()
}

/// The mechanisms that can move either scenario: all of [`ENGINE_MECHANISMS`] but the PM
/// override's reordering when neither scenario has a PM who overrides (a null player: its
/// Shapley value is exactly 0, and leaving it out halves the variants).
pub fn engine_players(scenario: &Scenario, baseline: &Scenario) -> Vec<usize> {
    let overrides = |s: &Scenario| s.pm.enabled && s.roles.pm_override > 0.0;
    (0..ENGINE_MECHANISMS.len())
        .filter(|&i| i != mask::OVERRIDE || overrides(scenario) || overrides(baseline))
        .collect()
}

/// The mechanism game's variants: for each subset S of `players` (by index), the baseline
/// and then the scenario with exactly S's mechanisms on.
pub fn mechanism_variants(
    baseline: &Scenario,
    scenario: &Scenario,
    players: &[usize],
) -> Vec<Scenario> {
    (0..1usize << players.len())
        .flat_map(|subset| {
            let mask = MechanismMask::of_subset(players, subset);
            [baseline, scenario].map(|s| {
                let mut v = s.clone();
                v.mechanisms = mask;
                v
            })
        })
        .collect()
}

/// A difference is shared among the parts of one model: two models have no variants in
/// between, and a throughput forecast has none of the engine's mechanisms.
fn model_kinds_fit(opts: &AttributeOptions, scenario: &Scenario, base: &Scenario) -> Result<()> {
    use crate::scenario::ModelKind::Throughput;
    let model = |s: &Scenario| match s.simulation.model {
        Throughput => "a throughput forecast (simulation.model = \"throughput\")",
        _ => "the roles model",
    };
    if scenario.simulation.model != base.simulation.model {
        return Err(input_error(format!(
            "{} is {} and the baseline {} is {}: attribute explains a difference within one \
             model. Pick a --baseline of the same model, or compare them with `backsim run {} {}`",
            opts.scenario,
            model(scenario),
            opts.baseline,
            model(base),
            opts.baseline,
            opts.scenario
        )));
    }
    if opts.by == By::Mechanism && scenario.simulation.model == Throughput {
        return Err(input_error(format!(
            "{} and {} are throughput forecasts, which have none of the roles model's \
             mechanisms: use --by structure to see which keys make the difference",
            opts.scenario, opts.baseline
        )));
    }
    Ok(())
}

/// Run an attribution and write its files.
pub fn run(opts: &AttributeOptions) -> Result<AttributeOutcome> {
    let scenario = load_with_limits(&opts.scenario, &Limits::default())?;
    let baseline = load_with_limits(&opts.baseline, &Limits::default())?;
    let metrics = metric_indices(&opts.metrics, &DEFAULT_METRICS)?;
    let diffs = differences(&scenario, &baseline);
    if opts.by == By::Mechanism && !opts.merge.is_empty() {
        return Err(input_error(
            "--merge groups structural switches: use it with --by structure (the mechanisms \
             are already at most 8)",
        ));
    }
    if diffs.is_empty() {
        return Err(input_error(format!(
            "{} and the baseline {} describe the same system (they differ at most in name, \
             description, runs or seed): there is no difference to attribute. Pick another \
             scenario or --baseline",
            opts.scenario, opts.baseline
        )));
    }
    model_kinds_fit(opts, &scenario, &baseline)?;
    let engine = engine_players(&scenario, &baseline);
    let players = match opts.by {
        By::Structure => players(&diffs, &opts.merge)?,
        By::Mechanism => std::iter::once(Player {
            name: DIRECT.into(),
            meaning: DIRECT_MEANING.into(),
            keys: Vec::new(),
        })
        .chain(engine.iter().map(|&i| Player {
            name: ENGINE_MECHANISMS[i].name.into(),
            meaning: ENGINE_MECHANISMS[i].meaning.into(),
            keys: Vec::new(),
        }))
        .collect(),
    };
    let runs = opts.run.runs.unwrap_or(DEFAULT_RUNS);
    if runs < 2 {
        return Err(input_error(
            "--runs must be at least 2 (an interval needs two runs)",
        ));
    }
    let seed = opts.run.seed.unwrap_or(baseline.simulation.seed);
    let mut variants = match opts.by {
        By::Structure => variants(&baseline, &scenario, &players)?,
        By::Mechanism => mechanism_variants(&baseline, &scenario, &engine),
    };
    for s in variants.iter_mut() {
        s.resolve_runs(runs, seed);
    }
    let n = variants.len();
    if !opts.run.quiet {
        eprintln!(
            "attribute {}: {} against {}: {} player{} → {n} variants × {runs} runs (seed {seed})",
            opts.by.label(),
            scenario.name,
            baseline.name,
            engine_or_switches(opts.by, &engine, &players),
            if engine_or_switches(opts.by, &engine, &players) == 1 {
                ""
            } else {
                "s"
            }
        );
    }
    let names = set_names(
        &["attribution.csv", "report.html"],
        metrics
            .iter()
            .map(|&m| format!("attribution_{}", METRICS[m].name)),
        (!opts.run.no_charts).then_some(opts.run.format),
    );
    let bytes = metrics.len() as u64 * 4096 + names.len() as u64 * CHART_BYTES;
    let mut publisher = Publisher::open(&opts.run.out, &names, bytes)?;
    let bar = progress_bar(n as u64 * runs, opts.run.quiet);
    let c = evaluate(&variants, seed, runs, None, &metrics, true, &|done| {
        bar.set_position(done)
    })?;
    bar.finish_and_clear();
    let values = c.values();
    let attributions = match opts.by {
        By::Structure => attribute_runs(&variants, players.len(), &metrics, values),
        By::Mechanism => attribute_mechanism_runs(&variants, engine.len(), &metrics, values),
    };

    let mut outcome = AttributeOutcome {
        by: opts.by,
        scenario: scenario.name.clone(),
        baseline: baseline.name.clone(),
        players,
        metrics: attributions,
        variants: n,
        runs,
        seed,
        files: Vec::new(),
    };
    let out = &opts.run.out;
    publisher.file("attribution.csv", attribution_csv(&outcome).as_bytes())?;
    let mut charts = Vec::new();
    let mut svgs = Vec::new();
    if !opts.run.no_charts {
        for a in &outcome.metrics {
            let name = METRICS[a.metric].name;
            let drawn = report::waterfall(&outcome, a, out, opts.run.format)?;
            charts.extend(drawn.files);
            svgs.push((name, drawn.svg));
        }
    }
    publisher.report_section("attribution", &report_html(&outcome, &svgs))?;
    publisher.extend(charts);
    outcome.files = publisher.commit()?.files;
    if !opts.run.quiet {
        use std::io::Write;
        let mut o = std::io::stdout().lock();
        write!(o, "{}", text_table(&outcome))?;
        writeln!(
            o,
            "{n} variants × {runs} runs (seed {seed}) written to {}",
            out.display()
        )?;
    }
    Ok(outcome)
}

/// The players of the game (the `direct` row is not one).
fn engine_or_switches(by: By, engine: &[usize], players: &[Player]) -> usize {
    match by {
        By::Mechanism => engine.len(),
        By::Structure => players.len(),
    }
}

/// `backsim run`'s bar on stderr when it is a terminal, else hidden.
fn progress_bar(total: u64, quiet: bool) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg} [{bar:40}] {pos}/{len} runs ({per_sec}, {eta} left)",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message("attributing");
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    fn player(name: &str) -> Player {
        Player {
            name: name.into(),
            meaning: String::new(),
            keys: vec![format!("k.{name}")],
        }
    }

    #[test]
    fn more_than_eight_players_is_an_error_naming_them() {
        let ps: Vec<Player> = (0..9).map(|i| player(&format!("m{i}"))).collect();
        let e = check_players(&ps).unwrap_err().to_string();
        assert!(e.contains("9 mechanisms") && e.contains("m8 (k.m8)") && e.contains("--merge"));
        assert!(check_players(&ps[..8]).is_ok());
    }

    #[test]
    fn merge_joins_mechanisms_into_one_player() {
        let a = crate::scenario::load::load_scenario("aligned").unwrap();
        let b = crate::scenario::load::load_scenario("blurred-roles").unwrap();
        let d = differences(&b, &a);
        let plain = players(&d, &[]).unwrap();
        let merged = players(&d, &["hand-over, PM override".into()]).unwrap();
        assert_eq!(merged.len(), plain.len() - 1);
        let last = merged.last().unwrap();
        assert_eq!(last.name, "hand-over + PM override");
        assert!(last.keys.contains(&"pm.sync_fidelity".to_string()));
        assert!(last.keys.contains(&"roles.pm_override".to_string()));
        assert!(players(&d, &["hand-over".into()]).is_err());
        assert!(players(&d, &["hand-over,nonsense".into()]).is_err());
    }

    #[test]
    fn synthetic_two_player_game_per_run() {
        // Two players, three runs; variant values chosen by hand. Per run:
        // φ₀ = ½ (v₁ − v₀) + ½ (v₃ − v₂), φ₁ = ½ (v₂ − v₀) + ½ (v₃ − v₁).
        let s = crate::scenario::Scenario::default();
        let variants = vec![s.clone(), s.clone(), s.clone(), s];
        let runs: [[f64; 4]; 3] = [
            [0.0, 1.0, 2.0, 5.0],
            [1.0, 1.0, 1.0, 1.0],
            [0.0, 3.0, 0.0, 3.0],
        ];
        let values: Vec<Vec<Vec<f64>>> = (0..4)
            .map(|v| vec![runs.iter().map(|r| r[v]).collect()])
            .collect();
        let a = &attribute_runs(
            &variants,
            2,
            &[crate::engine::metrics::idx::VALUE_EFFICIENCY],
            &values,
        )[0];
        // Run 1: φ = (2, 3); run 2: (0, 0); run 3: (3, 0).
        assert!((a.contributions[0].mean - 5.0 / 3.0).abs() < 1e-12);
        assert!((a.contributions[1].mean - 1.0).abs() < 1e-12);
        assert!((a.total.mean - 8.0 / 3.0).abs() < 1e-12);
        assert_eq!(a.n, 3);
        assert!(a.contributions[0].ci95.0 < 5.0 / 3.0 && a.contributions[0].ci95.1 > 5.0 / 3.0);
    }

    #[test]
    fn synthetic_mechanism_game_per_run_with_each_arms_censoring() {
        // Two mechanisms, two runs; variant 2S is the baseline and 2S + 1 the scenario with
        // the mechanisms of S on. The arms differ in horizon, so a censored release delay
        // counts as 11 in the baseline (20 sprints + 1 − sprint 10) and as 21 in the
        // scenario (30 + 1 − 10). Per run, v(S) = scenario(S) − baseline(S) and
        // φ₀ = ½ (v{0} − v∅) + ½ (v{01} − v{1}), φ₁ = ½ (v{1} − v∅) + ½ (v{01} − v{0}).
        use crate::engine::metrics::idx;
        let mut base = crate::scenario::Scenario::default();
        base.simulation.sprints = 20;
        base.release.planned_sprint = Some(10);
        let mut scen = base.clone();
        scen.simulation.sprints = 30;
        let variants: Vec<_> = (0..4).flat_map(|_| [base.clone(), scen.clone()]).collect();
        let nan = f64::NAN;
        // values[variant][metric][run]; variants in the order b∅ s∅ b0 s0 b1 s1 b01 s01.
        let ve = [[1.0, 2.0, 2.0, 6.0, 3.0, 5.0, 4.0, 12.0], [0.0; 8]];
        let delay = [[nan; 8], [2.0, 3.0, 2.0, 5.0, 2.0, 3.0, 2.0, 9.0]];
        let values: Vec<Vec<Vec<f64>>> = (0..8)
            .map(|v| {
                vec![
                    ve.iter().map(|r| r[v]).collect(),
                    delay.iter().map(|r| r[v]).collect(),
                ]
            })
            .collect();
        let got = attribute_mechanism_runs(
            &variants,
            2,
            &[idx::VALUE_EFFICIENCY, idx::RELEASE_DELAY],
            &values,
        );
        let means = |a: &MetricAttribution| {
            (
                a.contributions.iter().map(|s| s.mean).collect::<Vec<_>>(),
                a.total.mean,
                a.baseline_mean,
                a.scenario_mean,
                a.n,
            )
        };
        // value_efficiency, run 1: v = (1, 4, 2, 8): direct 1, φ = (4.5, 2.5), total 8,
        // baseline 4 → scenario 12; run 2: all 0.
        assert_eq!(means(&got[0]), (vec![0.5, 2.25, 1.25], 4.0, 2.0, 6.0, 2));
        // release delay, run 1: all censored, v = 21 − 11 = 10 for every subset: direct 10,
        // φ = 0; run 2: v = (1, 3, 1, 7): direct 1, φ = (4, 2), baseline 2 → scenario 9.
        assert_eq!(means(&got[1]), (vec![5.5, 2.0, 1.0], 8.5, 6.5, 15.0, 2));
        // The direct share's interval: two runs of 1 and 0 (mean ½, SE ½, t(0.975, 1)).
        let (lo, hi) = got[0].contributions[0].ci95;
        assert!((hi - lo - 2.0 * 12.7062 * 0.5).abs() < 1e-3, "{lo} {hi}");
    }
}

#[cfg(test)]
mod variant_tests;
