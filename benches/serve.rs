//! The live page's API path: `POST /api/simulate` for the four archetypes × 500 runs, from
//! the JSON body to the JSON answer (parse, check, simulate, aggregate, serialize), as the
//! server runs it. Target: under 300 ms on the project's 2-core machine.
//! `cargo bench --bench serve`; figures are recorded in docs/performance.md.

use backsim::serve::api::Lab;
use backsim::serve::cancel::Clients;
use backsim::serve::respond;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn api(c: &mut Criterion) {
    let clients = Clients::default();
    let mut group = c.benchmark_group("serve");
    group.sample_size(20);
    let body = br#"{"scenarios": ["aligned", "siloed-pm", "overloaded-po", "blurred-roles"], "runs": 500, "seed": 42}"#;
    // Nothing cached: every scenario simulated (a fresh session, or a new seed).
    group.bench_function("simulate 4x500 cold", |b| {
        b.iter_batched(
            || Lab::load(&[]).expect("the archetypes"),
            |lab| {
                let (status, _, text) = respond(&lab, &clients, "POST", "/api/simulate", body);
                assert_eq!(status, 200);
                black_box(text)
            },
            criterion::BatchSize::PerIteration,
        )
    });
    // A slider moved: one scenario simulated, three from the cache, all four aggregated.
    let lab = Lab::load(&[]).expect("the archetypes");
    let mut k = 0u64;
    group.bench_function("simulate 4x500, one lever moved", |b| {
        b.iter(|| {
            k += 1;
            let body = format!(
                r#"{{"runs": 500, "seed": 42, "params": {{"siloed-pm": {{"pm.sync_fidelity": {}}}}}}}"#,
                0.5 + (k % 400) as f64 / 1000.0
            );
            let (status, _, text) = respond(&lab, &clients, "POST", "/api/simulate", body.as_bytes());
            assert_eq!(status, 200, "{text}");
            black_box(text)
        })
    });
    group.finish();
}

criterion_group!(benches, api);
criterion_main!(benches);
