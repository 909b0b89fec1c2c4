//! Per-replication cost of each preset and of the oracle, engine only (no I/O), and
//! replications per second through the parallel driver.
//! `cargo bench --bench engine`; figures are recorded in docs/performance.md.

use backsim::engine::driver::{Comparison, Replications, Sink};
use backsim::engine::{simulate, Workspace};
use backsim::model::compiled::Model;
use backsim::random::RunKeys;
use backsim::scenario::{load_scenario, Dist};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

fn presets(c: &mut Criterion) {
    let mut group = c.benchmark_group("replication");
    for name in [
        "aligned",
        "siloed-pm",
        "overloaded-po",
        "blurred-roles",
        "forecast",
    ] {
        let scenario = load_scenario(name).expect("preset");
        let model = Model::new(&scenario);
        let mut ws = Workspace::new();
        let mut r = 0u64;
        // Each iteration is a new replication: world generation included.
        group.bench_function(name, |b| {
            b.iter(|| {
                r += 1;
                black_box(simulate(&model, &RunKeys::new(42, r), Some(1.0), &mut ws))
            })
        });
    }
    let oracle = Model::oracle(&load_scenario("aligned").expect("preset"));
    let mut ws = Workspace::new();
    let mut r = 0u64;
    group.bench_function("oracle", |b| {
        b.iter(|| {
            r += 1;
            black_box(simulate(&oracle, &RunKeys::new(42, r), None, &mut ws))
        })
    });
    // The forecast target case: 120 unit items, empirical weekly throughput.
    let mut forecast = load_scenario("forecast").expect("preset");
    forecast.backlog.initial_items = 120;
    forecast.team.capacity = Dist::Empirical {
        values: vec![3.0, 7.0, 5.0, 6.0, 4.0, 8.0, 5.0, 6.0, 2.0, 7.0],
    };
    let model = Model::new(&forecast);
    let mut ws = Workspace::new();
    let mut r = 0u64;
    group.bench_function("forecast-120", |b| {
        b.iter(|| {
            r += 1;
            black_box(simulate(&model, &RunKeys::new(42, r), Some(1.0), &mut ws))
        })
    });
    // A comparison replication: the oracle once, then the four archetypes on its world.
    let models: Vec<Model> = ["aligned", "siloed-pm", "overloaded-po", "blurred-roles"]
        .iter()
        .map(|n| Model::new(&load_scenario(n).expect("preset")))
        .collect();
    let mut ws = Workspace::new();
    let mut r = 0u64;
    group.bench_function("archetypes+oracle", |b| {
        b.iter(|| {
            r += 1;
            let keys = RunKeys::new(42, r);
            let o = simulate(&oracle, &keys, None, &mut ws).metrics[9];
            for m in &models {
                black_box(simulate(m, &keys, Some(o), &mut ws));
            }
        })
    });
    group.finish();
}

/// Takes the batches and keeps nothing: the engine alone.
struct Discard;

impl Sink for Discard {
    fn replications(&mut self, batch: &Replications) -> anyhow::Result<()> {
        black_box(batch.records(0));
        Ok(())
    }
}

/// Replications per second through the parallel driver (all cores), engine only: the
/// forecast target case and the four archetypes with their shared oracle.
fn driver(c: &mut Criterion) {
    let mut group = c.benchmark_group("driver");
    group.sample_size(10);
    let mut forecast = load_scenario("forecast").expect("preset");
    forecast.backlog.initial_items = 120;
    forecast.team.capacity = Dist::Empirical {
        values: vec![3.0, 7.0, 5.0, 6.0, 4.0, 8.0, 5.0, 6.0, 2.0, 7.0],
    };
    let runs = 1 << 18;
    group.throughput(Throughput::Elements(runs));
    let comparison = Comparison::new(std::slice::from_ref(&forecast), 42, runs);
    group.bench_function("forecast-120", |b| {
        b.iter(|| comparison.run(&mut Discard, &|_| {}).expect("runs"))
    });
    let archetypes: Vec<_> = ["aligned", "siloed-pm", "overloaded-po", "blurred-roles"]
        .iter()
        .map(|n| load_scenario(n).expect("preset"))
        .collect();
    let runs = 1 << 10;
    // Scenario-replications: four per replication.
    group.throughput(Throughput::Elements(4 * runs));
    let comparison = Comparison::new(&archetypes, 42, runs);
    group.bench_function("archetypes+oracle", |b| {
        b.iter(|| comparison.run(&mut Discard, &|_| {}).expect("runs"))
    });
    group.finish();
}

criterion_group!(benches, presets, driver);
criterion_main!(benches);
