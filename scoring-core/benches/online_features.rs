//! The online engine: the kernel's features (about 800) of one applicant with
//! a typical history (about 100 history records), with vocabularies as large
//! as the real data's.
//!
//! Run with `cargo bench -p scoring-core --bench online_features`; after
//! criterion's figures it prints p50 and p99 over 20,000 applicants.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use scoring_core::features::{ColumnDescriptions, OnlineEngine, kernel_definition};
use test_support::Rng;
use test_support::applications::{Categories, HistoryShape, random_application};

fn benches(c: &mut Criterion) {
    let categories = Categories::real_sized();
    let definition = kernel_definition(&ColumnDescriptions::new());
    let schema = definition
        .schema(&categories.vocabularies(&definition))
        .expect("schema");
    let engine = OnlineEngine::new(&definition, &schema).expect("engine");
    let mut rng = Rng::new(12);
    let applications: Vec<_> = (0..64)
        .map(|i| random_application(&mut rng, 100_000 + i, HistoryShape::Typical, &categories))
        .collect();
    let rows: usize = applications.iter().map(|a| a.history_rows()).sum();
    eprintln!(
        "{} features; {:.0} history records per applicant on average",
        schema.features.len(),
        rows as f64 / applications.len() as f64
    );

    let mut scratch = engine.scratch();
    let mut out = vec![0.0; engine.n_features()];
    let mut next = applications.iter().cycle();
    c.bench_function("online_features_typical_history", |b| {
        b.iter(|| {
            let application = black_box(next.next().expect("applications"));
            engine
                .features_into(application, &mut scratch, &mut out)
                .expect("features")
        })
    });
    c.bench_function("online_features_typical_history_fresh_buffers", |b| {
        b.iter(|| engine.features(black_box(next.next().expect("applications"))))
    });

    let mut times: Vec<Duration> = (0..20_000)
        .map(|_| {
            let application = next.next().expect("applications");
            let started = Instant::now();
            let row = engine.features_into(application, &mut scratch, &mut out);
            let elapsed = started.elapsed();
            black_box(row).expect("features");
            elapsed
        })
        .collect();
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    eprintln!(
        "online features, typical history: p50 {:?}, p99 {:?}, max {:?}",
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

criterion_group!(name = online; config = Criterion::default().measurement_time(Duration::from_secs(5)); targets = benches);
criterion_main!(online);
