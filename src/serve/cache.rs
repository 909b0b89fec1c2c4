//! The runs of each scenario the page has asked for, kept so that moving one scenario's lever
//! simulates that scenario only. A scenario's replication r depends on nothing but the
//! scenario, the seed and r (common random numbers: every scenario of a comparison draws from
//! the same streams, and its oracle is its own world's), so runs simulated alone or beside
//! other scenarios are the same runs, and the aggregate of cached runs is the aggregate
//! `backsim run` computes.

use crate::engine::driver::{Replications, Sink};
use crate::engine::metrics::{RunRecord, N_SERIES};
use crate::scenario::Scenario;
use std::sync::{Arc, Mutex};

/// Memory the cache may hold, in bytes.
const BUDGET: usize = 192 << 20;

/// One scenario's replications 0..runs: records and per-sprint rows.
#[derive(Debug)]
pub struct ScenarioRuns {
    pub records: Vec<RunRecord>,
    /// `sprints` rows reserved per replication; `rows[r]` of them written.
    pub series: Vec<[f64; N_SERIES]>,
    pub rows: Vec<u32>,
    pub sprints: usize,
}

impl ScenarioRuns {
    fn bytes(&self) -> usize {
        self.records.len() * std::mem::size_of::<RunRecord>()
            + self.series.len() * std::mem::size_of::<[f64; N_SERIES]>()
            + self.rows.len() * 4
    }
}

type Key = (String, u64, u64);

#[derive(Debug, Default)]
pub struct RunCache {
    /// Least recently used first.
    entries: Mutex<Vec<(Key, Arc<ScenarioRuns>)>>,
}

pub fn key(s: &Scenario, seed: u64, runs: u64) -> Key {
    (
        toml::to_string(s).expect("a scenario always serializes"),
        seed,
        runs,
    )
}

impl RunCache {
    pub fn get(&self, key: &Key) -> Option<Arc<ScenarioRuns>> {
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let i = e.iter().position(|(k, _)| k == key)?;
        let hit = e.remove(i);
        let runs = hit.1.clone();
        e.push(hit);
        Some(runs)
    }

    pub fn put(&self, key: Key, runs: Arc<ScenarioRuns>) {
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if runs.bytes() > BUDGET || e.iter().any(|(k, _)| *k == key) {
            return;
        }
        e.push((key, runs));
        let mut total: usize = e.iter().map(|(_, r)| r.bytes()).sum();
        while total > BUDGET {
            total -= e.remove(0).1.bytes();
        }
    }
}

/// Collects each scenario's runs from the driver, in order.
pub struct Capture<'a> {
    pub runs: Vec<ScenarioRuns>,
    pub stop: &'a (dyn Fn() -> bool + Sync),
}

impl<'a> Capture<'a> {
    pub fn new(sprints: &[usize], runs: u64, stop: &'a (dyn Fn() -> bool + Sync)) -> Self {
        Capture {
            runs: sprints
                .iter()
                .map(|&n| ScenarioRuns {
                    records: Vec::with_capacity(runs as usize),
                    series: Vec::with_capacity(runs as usize * n),
                    rows: Vec::with_capacity(runs as usize),
                    sprints: n,
                })
                .collect(),
            stop,
        }
    }
}

/// The error a sink returns to stop the driver.
#[derive(Debug)]
pub struct Stopped;
impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("superseded by a newer request from the same page")
    }
}
impl std::error::Error for Stopped {}

impl Sink for Capture<'_> {
    fn replications(&mut self, batch: &Replications) -> anyhow::Result<()> {
        if (self.stop)() {
            return Err(anyhow::Error::new(Stopped));
        }
        for j in 0..batch.len {
            for (s, runs) in self.runs.iter_mut().enumerate() {
                runs.records.push(batch.records(j)[s]);
                let rows = batch.rows(j, s);
                runs.rows.push(rows.len() as u32);
                runs.series.extend_from_slice(rows);
                runs.series
                    .resize(runs.records.len() * runs.sprints, [0.0; N_SERIES]);
            }
        }
        Ok(())
    }
}
