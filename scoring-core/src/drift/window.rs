//! The live histograms of one model over a sliding window.
//!
//! The window is a ring of sub-windows, each holding a counter per bin of
//! every tracked quantity. An applicant is counted in the current
//! sub-window: with a duration T, sub-window k covers the k-th interval of
//! T / sub-windows since the tracker started; with only a count N, it holds
//! N / sub-windows consecutive applicants. A reading sums the sub-windows
//! still in the window (for T, those of the last T; for N, the newest ones
//! up to N applicants), so old traffic falls out one sub-window at a time.
//!
//! Recording costs one relaxed atomic increment per feature, one for the
//! score and one for the applicant count, and never allocates. The first
//! applicant of a new sub-window clears the slot it reuses (one store per
//! bin); an applicant that arrives while another clears it is not counted
//! (see [`DriftSnapshot::skipped`]), so the figures are exact but for a
//! handful of applicants at sub-window boundaries.

use std::sync::atomic::{
    AtomicU64,
    Ordering::{AcqRel, Acquire, Relaxed, Release},
};
use std::time::{Duration, Instant, SystemTime};

use super::{DriftBins, TrackedBins, psi};

/// What the window keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowSettings {
    /// Keep about the last N applicants (to within one sub-window).
    pub max_applicants: Option<u64>,
    /// Keep the applicants of the last T (to within one sub-window).
    pub duration: Option<Duration>,
    /// Sub-windows the window is cut into (at least 1).
    pub sub_windows: usize,
}

impl WindowSettings {
    /// The slot span and the clock the settings describe. Without a
    /// duration or a count, the last 10,000 applicants.
    fn clock(&self) -> Clock {
        let parts = self.sub_windows.max(1) as u64;
        match self.duration {
            Some(duration) => Clock::Time {
                span_nanos: (duration.as_nanos() as u64 / parts).max(1),
            },
            None => Clock::Applicants {
                per_slot: self.max_applicants.unwrap_or(10_000).div_ceil(parts).max(1),
            },
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Clock {
    Time { span_nanos: u64 },
    Applicants { per_slot: u64 },
}

/// A slot no applicant has used yet.
const EMPTY: u64 = u64::MAX - 1;
/// A slot being cleared for a new sub-window.
const CLEARING: u64 = u64::MAX;

#[derive(Debug)]
struct Slot {
    /// The sub-window this slot holds, or [`EMPTY`] / [`CLEARING`].
    epoch: AtomicU64,
    applicants: AtomicU64,
    /// Milliseconds since the tracker started, when this sub-window began.
    opened_ms: AtomicU64,
    /// Every tracked quantity's bins, one after the other.
    counts: Box<[AtomicU64]>,
}

/// The live histograms of one model's features and score.
#[derive(Debug)]
pub struct DriftTracker {
    bins: DriftBins,
    /// Where each feature's bins start in a slot's counts; the score's last.
    offsets: Box<[usize]>,
    settings: WindowSettings,
    clock: Clock,
    slots: Box<[Slot]>,
    /// Applicants recorded (the applicant clock).
    sequence: AtomicU64,
    skipped: AtomicU64,
    started: Instant,
    started_at: SystemTime,
}

/// One quantity over the window against its reference.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureDrift {
    pub name: String,
    pub edges: Vec<f64>,
    /// Counts per bin then missing, as [`TrackedBins::reference`].
    pub reference: Vec<u64>,
    pub live: Vec<u64>,
    /// `None` while the window holds no applicant.
    pub psi: Option<f64>,
}

/// The window read at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftSnapshot {
    pub settings: WindowSettings,
    /// Applicants in the window.
    pub applicants: u64,
    /// When the oldest sub-window in the window began; `None` when empty.
    pub window_start: Option<SystemTime>,
    /// In model order.
    pub features: Vec<FeatureDrift>,
    pub score: FeatureDrift,
    /// Applicants not counted since the tracker started (they arrived while
    /// their sub-window's slot was being cleared).
    pub skipped: u64,
}

impl DriftTracker {
    pub fn new(bins: DriftBins, settings: WindowSettings) -> Self {
        let mut offsets = Vec::with_capacity(bins.features.len() + 1);
        let mut total = 0;
        for tracked in bins.features.iter().chain([&bins.score]) {
            offsets.push(total);
            total += tracked.reference.len();
        }
        // One more slot than sub-windows: the one being filled.
        let slots = (0..settings.sub_windows.max(1) + 1)
            .map(|_| Slot {
                epoch: AtomicU64::new(EMPTY),
                applicants: AtomicU64::new(0),
                opened_ms: AtomicU64::new(0),
                counts: (0..total).map(|_| AtomicU64::new(0)).collect(),
            })
            .collect();
        Self {
            bins,
            offsets: offsets.into(),
            clock: settings.clock(),
            settings,
            slots,
            sequence: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            started: Instant::now(),
            started_at: SystemTime::now(),
        }
    }

    pub fn bins(&self) -> &DriftBins {
        &self.bins
    }

    /// Counts one applicant's features (model order, NaN missing) and
    /// probability of default. Rows of another length are ignored.
    pub fn record(&self, features: &[f64], probability_of_default: f64) {
        self.record_at(features, probability_of_default, Instant::now());
    }

    /// [`Self::record`] as if at `now` (tests drive the clock).
    pub fn record_at(&self, features: &[f64], probability_of_default: f64, now: Instant) {
        if features.len() != self.bins.features.len() {
            return;
        }
        let epoch = match self.clock {
            Clock::Time { span_nanos } => self.nanos_since_start(now) / span_nanos,
            Clock::Applicants { per_slot } => self.sequence.fetch_add(1, Relaxed) / per_slot,
        };
        let slot = &self.slots[(epoch % self.slots.len() as u64) as usize];
        if !self.enter(slot, epoch, now) {
            self.skipped.fetch_add(1, Relaxed);
            return;
        }
        let quantities = self.bins.features.iter().zip(features.iter().copied());
        let score = std::iter::once((&self.bins.score, probability_of_default));
        for ((tracked, value), offset) in quantities.chain(score).zip(self.offsets.iter()) {
            slot.counts[offset + tracked.bin_of(value)].fetch_add(1, Relaxed);
        }
        slot.applicants.fetch_add(1, Relaxed);
    }

    /// Makes `slot` hold sub-window `epoch`, clearing it if it held an
    /// older one; false when the applicant cannot be counted there.
    fn enter(&self, slot: &Slot, epoch: u64, now: Instant) -> bool {
        let seen = slot.epoch.load(Acquire);
        if seen == epoch {
            return true;
        }
        // Being cleared by another applicant, or already reused by a newer
        // sub-window (this applicant is late).
        if seen == CLEARING || (seen != EMPTY && seen > epoch) {
            return false;
        }
        if slot
            .epoch
            .compare_exchange(seen, CLEARING, AcqRel, Acquire)
            .is_err()
        {
            return slot.epoch.load(Acquire) == epoch;
        }
        for count in slot.counts.iter() {
            count.store(0, Relaxed);
        }
        slot.applicants.store(0, Relaxed);
        let opened = now.saturating_duration_since(self.started).as_millis() as u64;
        slot.opened_ms.store(opened, Relaxed);
        slot.epoch.store(epoch, Release);
        true
    }

    fn nanos_since_start(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.started).as_nanos() as u64
    }

    /// The window now.
    pub fn snapshot(&self) -> DriftSnapshot {
        self.snapshot_at(Instant::now())
    }

    /// The window as at `now`.
    pub fn snapshot_at(&self, now: Instant) -> DriftSnapshot {
        let sub_windows = self.settings.sub_windows.max(1) as u64;
        let (current, oldest) = match self.clock {
            Clock::Time { span_nanos } => {
                let current = self.nanos_since_start(now) / span_nanos;
                (current, (current + 1).saturating_sub(sub_windows))
            }
            Clock::Applicants { per_slot } => {
                let current = self.sequence.load(Relaxed).saturating_sub(1) / per_slot;
                (current, current.saturating_sub(sub_windows))
            }
        };
        let mut in_window: Vec<(u64, &Slot)> = self
            .slots
            .iter()
            .filter_map(|slot| {
                let epoch = slot.epoch.load(Acquire);
                (epoch >= oldest && epoch <= current).then_some((epoch, slot))
            })
            .collect();
        in_window.sort_by_key(|(epoch, _)| std::cmp::Reverse(*epoch));
        let total: usize =
            self.offsets.last().copied().unwrap_or(0) + self.bins.score.reference.len();
        let mut counts = vec![0u64; total];
        let (mut applicants, mut opened_ms) = (0u64, None);
        for (_, slot) in in_window {
            if self
                .settings
                .max_applicants
                .is_some_and(|n| applicants >= n)
            {
                break;
            }
            applicants += slot.applicants.load(Relaxed);
            opened_ms = Some(slot.opened_ms.load(Relaxed));
            for (sum, count) in counts.iter_mut().zip(slot.counts.iter()) {
                *sum += count.load(Relaxed);
            }
        }
        let drift = |tracked: &TrackedBins, offset: usize| {
            let live = counts[offset..offset + tracked.reference.len()].to_vec();
            FeatureDrift {
                name: tracked.name.clone(),
                edges: tracked.edges.clone(),
                psi: psi(&tracked.reference, &live),
                reference: tracked.reference.clone(),
                live,
            }
        };
        let features = self
            .bins
            .features
            .iter()
            .zip(self.offsets.iter())
            .map(|(tracked, &offset)| drift(tracked, offset))
            .collect();
        let score_offset = self.offsets.last().copied().unwrap_or(0);
        DriftSnapshot {
            settings: self.settings,
            applicants,
            window_start: opened_ms
                .filter(|_| applicants > 0)
                .map(|ms| self.started_at + Duration::from_millis(ms)),
            features,
            score: drift(&self.bins.score, score_offset),
            skipped: self.skipped.load(Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::ReferenceStats;

    /// One feature whose reference is 0..100 (deciles of ten values each),
    /// scores equal to the feature over 100.
    fn tracker(settings: WindowSettings) -> DriftTracker {
        let rows: Vec<f64> = (0..100).map(f64::from).collect();
        let scores: Vec<f64> = rows.iter().map(|v| v / 100.0).collect();
        let reference =
            ReferenceStats::of_rows("test", &["x".to_owned()], &rows, &scores, 10).expect("stats");
        DriftTracker::new(DriftBins::of(&reference), settings)
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
}
