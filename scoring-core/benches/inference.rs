//! Inference benchmarks on a random ensemble shaped like production: 1,000
//! trees of 34 leaves, depth ≤ 8, 800 features, 20% missing values.
//! Single-row explanations are measured for the served explainer and for
//! the classic TreeSHAP recursion it replaced (`explain_single_row/classic`,
//! from the tests' oracle), so their ratio comes from the same run; batch
//! explanations are measured on one thread and split over two.
//!
//! Run with `cargo bench -p scoring-core --bench inference`.

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scoring_core::{Explanation, ShapScratch};
use test_support::classic::ClassicShap;
use test_support::{Rng, production_shaped_model, random_rows};

const N_FEATURES: usize = 800;
const N_TREES: usize = 1000;
const BATCH: usize = 10_000;
const EXPLAIN_BATCH: usize = 1000;

fn benches(c: &mut Criterion) {
    let model = production_shaped_model(N_TREES, N_FEATURES);
    let rows = random_rows(&mut Rng::new(7), BATCH, N_FEATURES, 0.2);
    let mut next = rows.chunks_exact(N_FEATURES).cycle();

    c.bench_function("score_single_row", |b| {
        b.iter(|| model.predict_probability(black_box(next.next().expect("rows"))))
    });

    let mut scratch = ShapScratch::for_model(&model);
    let mut phi = vec![0.0; N_FEATURES];
    let mut group = c.benchmark_group("explain_single_row");
    group.sample_size(50);
    group.bench_function("quadrature", |b| {
        b.iter(|| {
            let row = black_box(next.next().expect("rows"));
            model
                .explain_into(row, &mut phi, &mut scratch)
                .map(|e| e.raw_score)
        })
    });
    let mut classic = ClassicShap::new(&model);
    group.bench_function("classic", |b| {
        b.iter(|| {
            let row = black_box(next.next().expect("rows"));
            classic.explain_into(row, &mut phi);
            phi[0]
        })
    });
    group.finish();

    let rows_to_explain = &rows[..EXPLAIN_BATCH * N_FEATURES];
    let mut contributions = vec![0.0; EXPLAIN_BATCH * N_FEATURES];
    let blank = Explanation {
        base_value: 0.0,
        raw_score: 0.0,
    };
    let mut explanations = vec![blank; EXPLAIN_BATCH];
    let mut group = c.benchmark_group("explain_batch");
    group.throughput(Throughput::Elements(EXPLAIN_BATCH as u64));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));
    group.bench_function("1000_rows_1_thread", |b| {
        b.iter(|| {
            model.explain_batch_into(
                black_box(rows_to_explain),
                &mut contributions,
                &mut explanations,
                &mut scratch,
            )
        })
    });
    let two = NonZeroUsize::new(2).expect("2 > 0");
    group.bench_function("1000_rows_2_threads", |b| {
        b.iter(|| {
            model.explain_batch_parallel(
                black_box(rows_to_explain),
                &mut contributions,
                &mut explanations,
                two,
            )
        })
    });
    group.finish();

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
