//! The cost of drift tracking on the request path: recording one applicant
//! of 800 features (and its probability) in a [`DriftTracker`] with the
//! service's default window (10,000 applicants in 24 sub-windows), from one
//! thread and from two threads at once (the time per applicant of each
//! thread, so contention between the cores shows as a larger figure).
//!
//! Run with `cargo bench -p scoring-core --bench drift`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use scoring_core::drift::{DriftBins, DriftTracker, WindowSettings};
use scoring_core::reference::ReferenceStats;
use test_support::{Rng, random_rows};

const N_FEATURES: usize = 800;
const ROWS: usize = 2_000;

fn tracker(rows: &[f64]) -> DriftTracker {
    let names: Vec<String> = (0..N_FEATURES).map(|j| format!("f{j}")).collect();
    let probabilities: Vec<f64> = (0..ROWS).map(|i| i as f64 / ROWS as f64).collect();
    let reference = ReferenceStats::of_rows("bench", &names, rows, &probabilities, 10)
        .expect("reference statistics");
    let settings = WindowSettings {
        max_applicants: Some(10_000),
        duration: Some(Duration::from_secs(86_400)),
        sub_windows: 24,
    };
    DriftTracker::new(DriftBins::of(&reference), settings)
}

/// Each of `threads` threads records `per_thread` applicants; the wall
/// time of the slowest.
fn record_on_threads(
    tracker: &DriftTracker,
    rows: &[f64],
    threads: usize,
    per_thread: u64,
) -> Duration {
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            scope.spawn(move || {
                let mut next = rows.chunks_exact(N_FEATURES).cycle().skip(t * 97);
                for i in 0..per_thread {
                    let row = next.next().expect("rows");
                    tracker.record(black_box(row), (i % 100) as f64 / 100.0);
                }
            });
        }
    });
    started.elapsed()
}

fn benches(c: &mut Criterion) {
    let rows = random_rows(&mut Rng::new(11), ROWS, N_FEATURES, 0.2);
    let tracker = tracker(&rows);
    let mut group = c.benchmark_group("drift_record");
    for threads in [1, 2] {
        group.bench_function(format!("{threads}_threads"), |b| {
            b.iter_custom(|iters| record_on_threads(&tracker, &rows, threads, iters))
        });
    }
    group.finish();
    c.bench_function("drift_snapshot", |b| {
        b.iter(|| black_box(tracker.snapshot()))
    });
}

criterion_group! {
    name = drift;
    config = Criterion::default().measurement_time(Duration::from_secs(5));
    targets = benches
}
criterion_main!(drift);
