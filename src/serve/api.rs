//! The JSON API behind `backsim serve`: requests checked with the CLI's own loader and
//! `--param` parser, simulated with the CLI's driver ([`Comparison`]) and aggregation
//! ([`Aggregate`]), answered with the numbers `backsim run` writes to summary.csv.
//!
//! Every function here is plain: a request body in, a status and a body out. The HTTP layer
//! ([`super::http`]) only moves bytes.

use super::cache::{self, Capture, ScenarioRuns, Stopped};
use super::cancel::Ticket;
use crate::aggregate::Aggregate;
use crate::engine::driver::{Comparison, Replications, BATCH};
use crate::engine::metrics::{idx, RunRecord, METRICS, N_METRICS, N_SERIES, SERIES};
use crate::error::input_error;
use crate::format::fmt_num;
use crate::output::csv::censored_cell;
use crate::scenario::params;
use crate::scenario::{ModelKind, Scenario};
use anyhow::Result;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

/// Most replications one request may ask for (a slider must stay live; `backsim run` is for more).
pub const MAX_RUNS: u64 = 20_000;
/// Most scenarios in one request.
pub const MAX_SCENARIOS: usize = 12;
/// Largest request body, in bytes.
pub const MAX_BODY: usize = 64 * 1024;
/// Replications when a request names none (a slider answers in a blink on two cores).
pub const DEFAULT_RUNS: u64 = 500;

/// The scenarios a session may simulate: those named on the command line (loaded once, at
/// start) and the built-in presets. No request reads a file.
#[derive(Debug, Clone)]
pub struct Lab {
    /// The command line's scenarios first (the page's columns), then the presets not among them.
    pub scenarios: Vec<Scenario>,
    /// How many of `scenarios` the page shows by default.
    pub shown: usize,
    /// The runs simulated so far, per scenario (see [`super::cache`]).
    pub cache: std::sync::Arc<super::cache::RunCache>,
}

impl Lab {
    /// Load the scenarios given on the command line (the archetypes when none) and the presets.
    pub fn load(specs: &[String]) -> Result<Lab> {
        use crate::scenario::presets;
        let specs: Vec<String> = if specs.is_empty() {
            presets::ARCHETYPES.iter().map(|s| s.to_string()).collect()
        } else {
            specs.to_vec()
        };
        if specs.len() > MAX_SCENARIOS {
            return Err(input_error(format!(
                "{} scenarios given; the page shows at most {MAX_SCENARIOS}",
                specs.len()
            )));
        }
        let mut scenarios: Vec<Scenario> = Vec::new();
        for spec in &specs {
            let s = crate::scenario::load_scenario(spec)?;
            if let Some(prev) = scenarios.iter().position(|p| p.name == s.name) {
                return Err(input_error(format!(
                    "{spec}: scenario name {:?} is already used by {}; names must be unique in a comparison (set `name` in the file)",
                    s.name, specs[prev]
                )));
            }
            scenarios.push(s);
        }
        let shown = scenarios.len();
        for name in presets::names() {
            if !scenarios.iter().any(|s| s.name == name) {
                scenarios.push(crate::scenario::load_scenario(name)?);
            }
        }
        Ok(Lab {
            scenarios,
            shown,
            cache: Default::default(),
        })
    }

    fn find(&self, name: &str) -> Result<&Scenario> {
        self.scenarios.iter().find(|s| s.name == name).ok_or_else(|| {
            input_error(format!(
                "{name:?}: no such scenario in this session (scenarios: {}); to add a file, start `backsim serve FILE.toml`",
                self.names().join(", ")
            ))
        })
    }

    fn names(&self) -> Vec<&str> {
        self.scenarios.iter().map(|s| s.name.as_str()).collect()
    }
}

/// A parameter value in a request: a number, or text as `--param KEY=TEXT` takes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Number(f64),
    Text(String),
}

/// `POST /api/simulate`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimRequest {
    /// Scenario names; the first is the baseline (default: the command line's scenarios).
    pub scenarios: Option<Vec<String>>,
    pub runs: Option<u64>,
    pub seed: Option<u64>,
    /// Per scenario name, dotted key → value (as `backsim sweep --param KEY=VALUE`).
    #[serde(default)]
    pub params: BTreeMap<String, BTreeMap<String, ParamValue>>,
    /// Which page sent it (any short text) and its request counter: a newer generation from
    /// the same client cancels an older one still running.
    pub client: Option<String>,
    pub generation: Option<u64>,
}

/// `POST /api/trace` and `POST /api/scenario`: one scenario with its parameters.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneRequest {
    pub scenario: String,
    #[serde(default)]
    pub params: BTreeMap<String, ParamValue>,
    pub seed: Option<u64>,
    /// The replication to tell (1-based), for the trace.
    pub run: Option<u64>,
}

/// A request the server answers with 400 and this message, or a cancelled one.
#[derive(Debug)]
pub enum Refusal {
    Bad(String),
    Cancelled,
}

/// Parse a JSON body; the message says where it is wrong.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    if body.len() > MAX_BODY {
        return Err(format!(
            "request body of {} bytes is above the limit of {MAX_BODY}",
            body.len()
        ));
    }
    serde_json::from_slice(body).map_err(|e| format!("bad JSON request: {e}"))
}

fn bad(e: anyhow::Error) -> Refusal {
    Refusal::Bad(format!("{e:#}"))
}

/// A scenario with the request's parameters set, each parsed and checked as
/// `backsim sweep --param KEY=VALUE` does (same messages).
pub fn with_params(base: &Scenario, given: &BTreeMap<String, ParamValue>) -> Result<Scenario> {
    let mut s = base.clone();
    for (key, value) in given {
        let text = match value {
            ParamValue::Number(v) => crate::format::round_trip(*v),
            ParamValue::Text(t) => t.clone(),
        };
        let spec = params::parse_param(&s, &format!("{key}={text}"))?;
        if spec.values.len() != 1 {
            return Err(input_error(format!(
                "--param {key}={text}: one value per key here (a list or a range is for `backsim sweep`)"
            )));
        }
        s = params::set(&s, key, spec.values[0])?;
    }
    Ok(s)
}

/// A summary number as summary.csv prints it (6 significant digits), or null when none.
fn num(x: f64) -> Value {
    if !x.is_finite() {
        return Value::Null;
    }
    let text = fmt_num(x);
    serde_json::Number::from_f64(text.parse().unwrap_or(x)).map_or(Value::Null, Value::Number)
}

/// A quantile: a number, or ">H" (as in summary.csv) when it falls among censored runs.
fn quantile(q: f64, s: &Scenario, m: usize) -> Value {
    if q.is_infinite() && METRICS[m].censored {
        Value::String(censored_cell(s, m))
    } else {
        num(q)
    }
}

/// The scenarios, runs and seed of a request, checked.
pub struct Plan {
    pub scenarios: Vec<Scenario>,
    /// Per scenario, the parameters set (key, value as set).
    pub set: Vec<Vec<(String, f64)>>,
    pub runs: u64,
    pub seed: u64,
}

pub fn plan(lab: &Lab, req: &SimRequest) -> Result<Plan> {
    let names: Vec<String> = match &req.scenarios {
        Some(n) => n.clone(),
        None => lab.scenarios[..lab.shown]
            .iter()
            .map(|s| s.name.clone())
            .collect(),
    };
    if names.is_empty() {
        return Err(input_error("scenarios: name at least one scenario"));
    }
    if names.len() > MAX_SCENARIOS {
        return Err(input_error(format!(
            "scenarios: {} given; one request holds at most {MAX_SCENARIOS}",
            names.len()
        )));
    }
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(input_error(format!(
                "scenarios: {n:?} is named twice; names must be unique in a comparison"
            )));
        }
    }
    for name in req.params.keys() {
        if !names.contains(name) {
            return Err(input_error(format!(
                "params: {name:?} is not among this request's scenarios ({})",
                names.join(", ")
            )));
        }
    }
    let mut scenarios = Vec::new();
    let mut set = Vec::new();
    for name in &names {
        let base = lab.find(name)?;
        let given = req.params.get(name).cloned().unwrap_or_default();
        let s = with_params(base, &given)?;
        set.push(
            given
                .keys()
                .map(|k| (k.clone(), params::get(&s, k).unwrap_or(f64::NAN)))
                .collect(),
        );
        scenarios.push(s);
    }
    let runs = req.runs.unwrap_or(DEFAULT_RUNS);
    if runs == 0 {
        return Err(input_error("--runs must be at least 1"));
    }
    if runs > MAX_RUNS {
        return Err(input_error(format!(
            "--runs {runs} is above the live page's limit of {MAX_RUNS}; use `backsim run --runs {runs}` for more"
        )));
    }
    let seed = req.seed.unwrap_or(scenarios[0].simulation.seed);
    crate::scenario::check_seed(seed).map_err(|e| input_error(format!("seed: {e}")))?;
    for s in scenarios.iter_mut() {
        s.resolve_runs(runs, seed);
    }
    Ok(Plan {
        scenarios,
        set,
        runs,
        seed,
    })
}

/// Simulate a request: the JSON answer, or why not.
pub fn simulate(lab: &Lab, req: &SimRequest, ticket: Option<&Ticket>) -> Result<Value, Refusal> {
    let started = Instant::now();
    let plan = plan(lab, req).map_err(bad)?;
    let n = plan.scenarios.len();
    let stop = || ticket.is_some_and(|t| t.superseded());
    // Each scenario's runs: from the cache, else simulated (only the scenarios not cached,
    // together, on the same streams).
    let keys: Vec<_> = plan
        .scenarios
        .iter()
        .map(|s| cache::key(s, plan.seed, plan.runs))
        .collect();
    let mut runs: Vec<Option<Arc<ScenarioRuns>>> = keys.iter().map(|k| lab.cache.get(k)).collect();
    let missing: Vec<usize> = (0..n).filter(|&i| runs[i].is_none()).collect();
    if !missing.is_empty() {
        let todo: Vec<Scenario> = missing.iter().map(|&i| plan.scenarios[i].clone()).collect();
        let sprints: Vec<usize> = todo.iter().map(|s| s.simulation.sprints as usize).collect();
        let mut capture = Capture::new(&sprints, plan.runs, &stop);
        let comparison = Comparison::new(&todo, plan.seed, plan.runs);
        if let Err(e) = comparison.run(&mut capture, &|_| {}) {
            return Err(if e.downcast_ref::<Stopped>().is_some() {
                Refusal::Cancelled
            } else {
                bad(e)
            });
        }
        for (&i, r) in missing.iter().zip(capture.runs) {
            let r = Arc::new(r);
            lab.cache.put(keys[i].clone(), r.clone());
            runs[i] = Some(r);
        }
    }
    let runs: Vec<Arc<ScenarioRuns>> = runs.into_iter().flatten().collect();
    // The CLI's aggregation, fed batch by batch in replication order as the driver feeds it.
    let sprints: Vec<usize> = runs.iter().map(|r| r.sprints).collect();
    let planned: Vec<f64> = plan
        .scenarios
        .iter()
        .map(|s| s.release.planned_sprint.unwrap_or(0) as f64)
        .collect();
    let mut aggregate = Aggregate::new(&sprints, &planned, 0);
    let max_sprints = sprints.iter().copied().max().unwrap_or(0);
    let batch = BATCH as usize;
    let empty = RunRecord {
        metrics: [f64::NAN; N_METRICS],
    };
    let mut records = vec![empty; batch * n];
    let mut series = vec![[0.0; N_SERIES]; batch * n * max_sprints];
    let mut written = vec![0u32; batch * n];
    let mut delays: Vec<Vec<f64>> = vec![Vec::with_capacity(plan.runs as usize); n];
    let mut start = 0u64;
    while start < plan.runs {
        if stop() {
            return Err(Refusal::Cancelled);
        }
        let len = (plan.runs - start).min(BATCH) as usize;
        for j in 0..len {
            let r = start as usize + j;
            for (s, sr) in runs.iter().enumerate() {
                let at = j * n + s;
                records[at] = sr.records[r];
                delays[s].push(sr.records[r].metrics[idx::RELEASE_DELAY]);
                let w = sr.rows[r] as usize;
                written[at] = w as u32;
                series[at * max_sprints..at * max_sprints + w]
                    .copy_from_slice(&sr.series[r * sr.sprints..r * sr.sprints + w]);
            }
        }
        aggregate.add_batch(&Replications::new(
            start,
            len,
            n,
            max_sprints,
            &records,
            &series,
            &written,
        ));
        start += len as u64;
    }
    let mut out = Vec::new();
    for (s, sc) in plan.scenarios.iter().enumerate() {
        let mut metrics = Map::new();
        let mut diffs = Map::new();
        for (m, info) in METRICS.iter().enumerate().take(N_METRICS) {
            let sum = aggregate.summary(s, m);
            metrics.insert(
                info.name.to_string(),
                json!({
                    "mean": num(sum.mean),
                    "ci95_low": num(sum.ci95.0),
                    "ci95_high": num(sum.ci95.1),
                    "p50": quantile(sum.quantiles[3], sc, m),
                    "p85": quantile(sum.quantiles[5], sc, m),
                    "n": sum.n,
                    "completed_share": num(sum.completed_share),
                }),
            );
            let p = aggregate.pair(s, m);
            diffs.insert(
                info.name.to_string(),
                json!({
                    "mean_diff": num(p.mean_diff),
                    "ci95_low": num(p.ci95.0),
                    "ci95_high": num(p.ci95.1),
                    "better_share": num(p.better_share),
                    "better_when": info.better.as_str(),
                    "n": p.n,
                }),
            );
        }
        let mut bands = Map::new();
        for (k, series) in SERIES.iter().enumerate() {
            let mut cols: [Vec<Value>; 4] = Default::default();
            for sprint in 0..aggregate.sprints(s) {
                let b = aggregate.band(s, sprint, k);
                for (c, v) in cols.iter_mut().zip([b.0, b.1, b.2, b.3]) {
                    c.push(num(v));
                }
            }
            let [mean, p10, p50, p90] = cols;
            bands.insert(
                series.to_string(),
                json!({"mean": mean, "p10": p10, "p50": p50, "p90": p90}),
            );
        }
        out.push(json!({
            "name": sc.name,
            "description": sc.description,
            "model": sc.simulation.model.as_str(),
            "sprints": sc.simulation.sprints,
            "planned_sprint": sc.release.planned_sprint,
            "params": plan.set[s].iter().map(|(k, v)| (k.clone(), num(*v))).collect::<Map<_, _>>(),
            "metrics": metrics,
            "diff": diffs,
            "bands": bands,
            "release_delay_cdf": cdf(&delays[s]),
        }));
    }
    Ok(json!({
        "baseline": plan.scenarios[0].name,
        "runs": plan.runs,
        "seed": plan.seed,
        "scenarios": out,
        "elapsed_ms": started.elapsed().as_secs_f64() * 1000.0,
    }))
}

/// The empirical CDF of a metric over all runs, as `[value, share of runs ≤ value]` steps;
/// censored runs (NaN) never arrive, so the last step stays below 1 when some were censored.
fn cdf(values: &[f64]) -> Value {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    let n = values.len().max(1) as f64;
    let mut steps: Vec<Value> = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j < v.len() && v[j] == v[i] {
            j += 1;
        }
        steps.push(json!([num(v[i]), num(j as f64 / n)]));
        i = j;
    }
    Value::Array(steps)
}

/// `POST /api/trace`: one replication told sprint by sprint (the `backsim trace` Markdown).
pub fn trace(lab: &Lab, req: &OneRequest) -> Result<Value, Refusal> {
    let base = lab.find(&req.scenario).map_err(bad)?;
    let s = with_params(base, &req.params).map_err(bad)?;
    if s.simulation.model == ModelKind::Throughput {
        return Err(Refusal::Bad(format!(
            "{}: a throughput forecast has no events to tell",
            s.name
        )));
    }
    let run = req.run.unwrap_or(1);
    if run == 0 || run > MAX_RUNS {
        return Err(Refusal::Bad(format!(
            "--run {run}: counts from 1 (the `run` column of runs.csv), at most {MAX_RUNS} here"
        )));
    }
    let seed = req.seed.unwrap_or(s.simulation.seed);
    crate::scenario::check_seed(seed).map_err(|e| Refusal::Bad(format!("seed: {e}")))?;
    let story = crate::analysis::trace::replay(&s, seed, run);
    let md = crate::analysis::trace::markdown(
        std::slice::from_ref(&story),
        run,
        seed,
        (1, s.simulation.sprints),
    );
    Ok(json!({"scenario": s.name, "run": run, "seed": seed, "markdown": md}))
}

/// `POST /api/scenario`: the scenario with its parameters as a TOML file `backsim run` reads.
pub fn scenario_toml(lab: &Lab, req: &OneRequest) -> Result<String, Refusal> {
    let base = lab.find(&req.scenario).map_err(bad)?;
    let mut s = with_params(base, &req.params).map_err(bad)?;
    if let Some(seed) = req.seed {
        s.simulation.seed =
            crate::scenario::check_seed(seed).map_err(|e| Refusal::Bad(format!("seed: {e}")))?;
    }
    let body = toml::to_string_pretty(&s).map_err(|e| Refusal::Bad(e.to_string()))?;
    let set: Vec<String> = req
        .params
        .keys()
        .map(|k| {
            format!(
                "{k} = {}",
                params::get(&s, k).map_or(String::new(), crate::format::round_trip)
            )
        })
        .collect();
    Ok(format!(
        "# Saved from `backsim serve`: scenario {:?}{}.\n# Run it with: backsim run {}.toml\n{body}",
        s.name,
        if set.is_empty() {
            String::new()
        } else {
            format!(" with {}", set.join(", "))
        },
        s.name
    ))
}
