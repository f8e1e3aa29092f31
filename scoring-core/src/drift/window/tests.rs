//! The window's counts against hand-worked cases: PSI, old traffic falling
//! out by count and by time, the count cap, several shards.

use super::*;
use crate::reference::ReferenceStats;

/// One feature whose reference is 0..100 (deciles of ten values each),
/// scores equal to the feature over 100.
fn tracker(settings: WindowSettings) -> DriftTracker {
    tracker_with_shards(settings, 1)
}

fn tracker_with_shards(settings: WindowSettings, shards: usize) -> DriftTracker {
    let rows: Vec<f64> = (0..100).map(f64::from).collect();
    let scores: Vec<f64> = rows.iter().map(|v| v / 100.0).collect();
    let reference =
        ReferenceStats::of_rows("test", &["x".to_owned()], &rows, &scores, 10).expect("stats");
    DriftTracker::with_shards(DriftBins::of(&reference), settings, shards)
}

/// `threads` threads at once, each recording `rounds` times the values
/// 0..100 (or NaN) with their scores.
fn record_on_threads(tracker: &DriftTracker, threads: usize, rounds: usize, missing: bool) {
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..rounds {
                    for v in 0..100 {
                        let x = if missing { f64::NAN } else { f64::from(v) };
                        tracker.record(&[x], f64::from(v) / 100.0);
                    }
                }
            });
        }
    });
}

#[test]
fn applicants_recorded_on_many_threads_are_each_counted_once_over_the_shards() {
    let tracker = tracker_with_shards(
        WindowSettings {
            max_applicants: Some(1_000_000),
            duration: None,
            sub_windows: 1,
        },
        4,
    );
    assert_eq!(tracker.shards(), 4);
    record_on_threads(&tracker, 8, 25, false);
    let snapshot = tracker.snapshot();
    assert_eq!((snapshot.applicants, snapshot.skipped), (20_000, 0));
    // Every value 200 times: 2,000 per decile, as the reference's 10 × 200.
    let expected: Vec<u64> = snapshot.features[0]
        .reference
        .iter()
        .map(|r| r * 200)
        .collect();
    assert_eq!(snapshot.features[0].live, expected);
    assert_eq!(snapshot.score.live, expected);
    assert_eq!(snapshot.features[0].psi, Some(0.0));
}

#[test]
fn old_applicants_of_every_shard_fall_out_of_a_count_window() {
    let tracker = tracker_with_shards(
        WindowSettings {
            max_applicants: Some(1_000),
            duration: None,
            sub_windows: 4,
        },
        3,
    );
    record_on_threads(&tracker, 4, 10, false);
    record_on_threads(&tracker, 4, 10, true);
    let snapshot = tracker.snapshot();
    let live = &snapshot.features[0].live;
    // Only the second round's (missing) applicants are left, about 1,000 of
    // them (to within a sub-window of 250).
    assert_eq!(live[..10].iter().sum::<u64>(), 0, "{live:?}");
    assert_eq!(live[10], snapshot.applicants);
    assert!(
        (750..=1_250).contains(&snapshot.applicants),
        "{}",
        snapshot.applicants
    );
}

#[test]
fn the_reference_population_itself_has_no_drift_and_a_shift_has_the_formulas_psi() {
    let tracker = tracker(WindowSettings {
        max_applicants: Some(1_000),
        duration: None,
        sub_windows: 10,
    });
    for v in 0..100 {
        tracker.record(&[f64::from(v)], f64::from(v) / 100.0);
    }
    let snapshot = tracker.snapshot();
    assert_eq!(snapshot.applicants, 100);
    assert_eq!(snapshot.features[0].live, snapshot.features[0].reference);
    assert_eq!(snapshot.features[0].psi, Some(0.0));
    assert_eq!(snapshot.score.psi, Some(0.0));
    // 100 more, every one in the top decile: live shares 0.055 in each
    // of the nine lower deciles and 0.505 in the top one.
    for _ in 0..100 {
        tracker.record(&[99.0], 0.99);
    }
    let snapshot = tracker.snapshot();
    let (r, low, high) = (0.1f64, 0.05f64, 0.55f64);
    let by_hand = 9.0 * (low - r) * (low / r).ln() + (high - r) * (high / r).ln();
    let got = snapshot.features[0].psi.expect("values");
    assert!((got - by_hand).abs() < 1e-12, "{got} vs {by_hand}");
    assert_eq!(snapshot.features[0].live[10], 0, "no missing value");
}

#[test]
fn old_applicants_fall_out_of_a_count_window() {
    let tracker = tracker(WindowSettings {
        max_applicants: Some(100),
        duration: None,
        sub_windows: 4,
    });
    for _ in 0..1_000 {
        tracker.record(&[5.0], 0.05);
    }
    let snapshot = tracker.snapshot();
    assert_eq!(snapshot.applicants, 100, "the last 100 only");
    for _ in 0..100 {
        tracker.record(&[f64::NAN], 0.95);
    }
    let snapshot = tracker.snapshot();
    assert_eq!(snapshot.applicants, 100);
    assert_eq!(snapshot.features[0].live[10], 100, "all missing now");
    assert_eq!(snapshot.features[0].live[0], 0, "the old ones fell out");
    assert_eq!(snapshot.score.live[9], 100);
    assert_eq!(snapshot.skipped, 0);
}

#[test]
fn old_applicants_fall_out_of_a_time_window() {
    let tracker = tracker(WindowSettings {
        max_applicants: None,
        duration: Some(Duration::from_secs(60)),
        sub_windows: 6,
    });
    let start = tracker.started;
    let at = |secs: u64| start + Duration::from_secs(secs);
    for s in 0..60 {
        tracker.record_at(&[1.0], 0.01, at(s));
    }
    assert_eq!(tracker.snapshot_at(at(59)).applicants, 60);
    // At 75 s the first sub-window (0-10 s) and the second (10-20 s)
    // are gone: the window covers 20-80 s.
    let snapshot = tracker.snapshot_at(at(75));
    assert_eq!(snapshot.applicants, 40);
    let opened = snapshot.window_start.expect("not empty");
    assert_eq!(
        opened.duration_since(tracker.started_at).expect("after"),
        Duration::from_secs(20)
    );
    // Long after, nothing is left, even though no applicant came.
    let snapshot = tracker.snapshot_at(at(10_000));
    assert_eq!((snapshot.applicants, snapshot.window_start), (0, None));
    assert_eq!(snapshot.features[0].psi, None);
    // New traffic reuses the slots.
    tracker.record_at(&[99.0], 0.99, at(10_001));
    let snapshot = tracker.snapshot_at(at(10_002));
    assert_eq!(snapshot.applicants, 1);
    assert_eq!(snapshot.features[0].live[9], 1);
}

#[test]
fn a_count_cap_applies_within_a_time_window() {
    let tracker = tracker(WindowSettings {
        max_applicants: Some(20),
        duration: Some(Duration::from_secs(60)),
        sub_windows: 6,
    });
    let start = tracker.started;
    for s in 0..60 {
        tracker.record_at(&[1.0], 0.01, start + Duration::from_secs(s));
    }
    // Sub-windows of 10 applicants, newest first, until 20 are counted.
    let snapshot = tracker.snapshot_at(start + Duration::from_secs(59));
    assert_eq!(snapshot.applicants, 20);
}

#[test]
fn rows_of_another_length_are_ignored() {
    let tracker = tracker(WindowSettings {
        max_applicants: Some(10),
        duration: None,
        sub_windows: 1,
    });
    tracker.record(&[1.0, 2.0], 0.5);
    assert_eq!(tracker.snapshot().applicants, 0);
}
