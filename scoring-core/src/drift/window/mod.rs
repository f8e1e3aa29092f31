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
//! The counters are sharded: each thread records in one of a few copies of
//! the ring (two per core; threads dealt round robin over
//! [`DriftTracker::shards`]), and a reading sums the copies, so that two
//! cores seldom increment the same cache line. Recording costs one relaxed atomic increment per feature,
//! one for the score and one for the applicant count, all in the thread's
//! shard (plus one shared increment of the applicant clock when the window
//! is counted in applicants), and never allocates. The first applicant of a
//! new sub-window in a shard clears the slot it reuses (one store per bin);
//! an applicant that arrives while another clears it is not counted (see
//! [`DriftSnapshot::skipped`]), so the figures are exact but for a handful
//! of applicants at sub-window boundaries.
//!
//! Memory: 8 bytes per bin of every tracked quantity (its missing bin
//! included), per slot (one more than the sub-windows), per shard: 1.8 MB
//! a shard for 800 features of 10 bins in 24 sub-windows.

mod ring;

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant, SystemTime};

use self::ring::{Ring, shard_of_this_thread};
use super::{DriftBins, TrackedBins, psi};

/// Most shards a tracker keeps, whatever the number of cores.
const MAX_SHARDS: usize = 16;

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

/// The live histograms of one model's features and score.
#[derive(Debug)]
pub struct DriftTracker {
    bins: DriftBins,
    /// Where each feature's bins start in a slot's counts; the score's last.
    offsets: Box<[usize]>,
    settings: WindowSettings,
    clock: Clock,
    /// Each a ring of sub-window slots; a reading sums them.
    shards: Box<[Ring]>,
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
    /// A tracker with two shards per core (at most 16).
    pub fn new(bins: DriftBins, settings: WindowSettings) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::with_shards(bins, settings, (2 * cores).min(MAX_SHARDS))
    }

    /// A tracker whose counters are split into `shards` copies (at least 1).
    pub fn with_shards(bins: DriftBins, settings: WindowSettings, shards: usize) -> Self {
        let mut offsets = Vec::with_capacity(bins.features.len() + 1);
        let mut total = 0;
        for tracked in bins.features.iter().chain([&bins.score]) {
            offsets.push(total);
            total += tracked.reference.len();
        }
        // One more slot than sub-windows: the one being filled.
        let slots = settings.sub_windows.max(1) + 1;
        let shards = (0..shards.max(1))
            .map(|_| Ring::new(slots, total))
            .collect();
        Self {
            bins,
            offsets: offsets.into(),
            clock: settings.clock(),
            settings,
            shards,
            sequence: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            started: Instant::now(),
            started_at: SystemTime::now(),
        }
    }

    /// The copies the counters are split into.
    pub fn shards(&self) -> usize {
        self.shards.len()
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
        let shard = &self.shards[shard_of_this_thread(self.shards.len())];
        let opened_ms = || now.saturating_duration_since(self.started).as_millis() as u64;
        let Some(slot) = shard.enter(epoch, opened_ms) else {
            self.skipped.fetch_add(1, Relaxed);
            return;
        };
        let quantities = self.bins.features.iter().zip(features.iter().copied());
        let score = std::iter::once((&self.bins.score, probability_of_default));
        for ((tracked, value), offset) in quantities.chain(score).zip(self.offsets.iter()) {
            slot.counts[offset + tracked.bin_of(value)].fetch_add(1, Relaxed);
        }
        slot.applicants.fetch_add(1, Relaxed);
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
        let total: usize =
            self.offsets.last().copied().unwrap_or(0) + self.bins.score.reference.len();
        let mut counts = vec![0u64; total];
        let (mut applicants, mut opened_ms) = (0u64, None);
        // Newest sub-window first, summed over the shards, until the count
        // bound is reached.
        for epoch in (oldest..=current).rev() {
            if self
                .settings
                .max_applicants
                .is_some_and(|n| applicants >= n)
            {
                break;
            }
            for slot in self.shards.iter().filter_map(|ring| ring.holding(epoch)) {
                applicants += slot.applicants.load(Relaxed);
                let opened = slot.opened_ms.load(Relaxed);
                opened_ms = Some(opened_ms.map_or(opened, |o: u64| o.min(opened)));
                for (sum, count) in counts.iter_mut().zip(slot.counts.iter()) {
                    *sum += count.load(Relaxed);
                }
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
mod tests;
