//! Inference benchmarks on a random ensemble shaped like production: 1,000
//! trees of 34 leaves, depth ≤ 8, 800 features, 20% missing values.
//!
//! Run with `cargo bench -p scoring-core --bench inference`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scoring_core::ShapScratch;
use test_support::{Rng, production_shaped_model, random_rows};

const N_FEATURES: usize = 800;
const N_TREES: usize = 1000;
const BATCH: usize = 10_000;

fn benches(c: &mut Criterion) {
    let model = production_shaped_model(N_TREES, N_FEATURES);
    let rows = random_rows(&mut Rng::new(7), BATCH, N_FEATURES, 0.2);
    let mut next = rows.chunks_exact(N_FEATURES).cycle();

    c.bench_function("score_single_row", |b| {
        b.iter(|| model.predict_probability(black_box(next.next().expect("rows"))))
    });

    let mut scratch = ShapScratch::for_model(&model);
    let mut phi = vec![0.0; N_FEATURES];
    c.bench_function("explain_single_row", |b| {
        b.iter(|| {
            let row = black_box(next.next().expect("rows"));
            model
                .explain_into(row, &mut phi, &mut scratch)
                .map(|e| e.raw_score)
        })
    });

    let mut group = c.benchmark_group("score_batch");
    group.throughput(Throughput::Elements(BATCH as u64));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    let mut out = vec![0.0; BATCH];
    group.bench_function("10000_rows", |b| {
        b.iter(|| model.predict_probability_batch(black_box(&rows), &mut out))
    });
    group.finish();
}

criterion_group!(inference, benches);
criterion_main!(inference);
