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
    let lab = Lab::load(&[]).expect("the archetypes");
    let clients = Clients::default();
    let mut group = c.benchmark_group("serve");
    group.sample_size(20);
    let body = br#"{"scenarios": ["aligned", "siloed-pm", "overloaded-po", "blurred-roles"], "runs": 500, "seed": 42}"#;
    group.bench_function("simulate 4x500", |b| {
        b.iter(|| {
            let (status, _, text) = respond(&lab, &clients, "POST", "/api/simulate", body);
            assert_eq!(status, 200);
            black_box(text)
        })
    });
    group.finish();
}

criterion_group!(benches, api);
criterion_main!(benches);
