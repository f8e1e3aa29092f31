//! One shard of the window: a ring of sub-window slots, each a counter per
//! bin of every tracked quantity, and which shard a thread records in.

use std::cell::Cell;
use std::sync::atomic::{
    AtomicU64, AtomicUsize,
    Ordering::{AcqRel, Acquire, Relaxed, Release},
};

/// A slot no applicant has used yet.
const EMPTY: u64 = u64::MAX - 1;
/// A slot being cleared for a new sub-window.
const CLEARING: u64 = u64::MAX;

#[derive(Debug)]
pub(super) struct Slot {
    /// The sub-window this slot holds, or [`EMPTY`] / [`CLEARING`].
    epoch: AtomicU64,
    pub(super) applicants: AtomicU64,
    /// Milliseconds since the tracker started, when this sub-window began.
    pub(super) opened_ms: AtomicU64,
    /// Every tracked quantity's bins, one after the other.
    pub(super) counts: Box<[AtomicU64]>,
}

/// The slots of one shard; sub-window `e` lives in slot `e % len`.
#[derive(Debug)]
pub(super) struct Ring {
    slots: Box<[Slot]>,
}

impl Ring {
    /// `len` slots of `counters` counters each.
    pub(super) fn new(len: usize, counters: usize) -> Self {
        let slots = (0..len.max(1))
            .map(|_| Slot {
                epoch: AtomicU64::new(EMPTY),
                applicants: AtomicU64::new(0),
                opened_ms: AtomicU64::new(0),
                counts: (0..counters).map(|_| AtomicU64::new(0)).collect(),
            })
            .collect();
        Self { slots }
    }

    /// The slot holding sub-window `epoch`, if it does.
    pub(super) fn holding(&self, epoch: u64) -> Option<&Slot> {
        let slot = &self.slots[(epoch % self.slots.len() as u64) as usize];
        (slot.epoch.load(Acquire) == epoch).then_some(slot)
    }

    /// The slot for sub-window `epoch`, cleared first if it held an older
    /// one (`opened_ms()` then says when, read only then); `None` when the
    /// applicant cannot be counted there: another thread is clearing it, or
    /// it already holds a newer sub-window (the applicant is late).
    pub(super) fn enter(&self, epoch: u64, opened_ms: impl FnOnce() -> u64) -> Option<&Slot> {
        let slot = &self.slots[(epoch % self.slots.len() as u64) as usize];
        let seen = slot.epoch.load(Acquire);
        if seen == epoch {
            return Some(slot);
        }
        if seen == CLEARING || (seen != EMPTY && seen > epoch) {
            return None;
        }
        if slot
            .epoch
            .compare_exchange(seen, CLEARING, AcqRel, Acquire)
            .is_err()
        {
            return (slot.epoch.load(Acquire) == epoch).then_some(slot);
        }
        for count in slot.counts.iter() {
            count.store(0, Relaxed);
        }
        slot.applicants.store(0, Relaxed);
        slot.opened_ms.store(opened_ms(), Relaxed);
        slot.epoch.store(epoch, Release);
        Some(slot)
    }
}

/// Threads numbered in the order they first record, process-wide.
static THREADS_SEEN: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static THREAD_NUMBER: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The shard (of `shards`) this thread records in: threads are dealt round
/// robin, so that as many threads as shards never share one.
pub(super) fn shard_of_this_thread(shards: usize) -> usize {
    let number = THREAD_NUMBER.with(|number| match number.get() {
        Some(n) => n,
        None => {
            let n = THREADS_SEEN.fetch_add(1, Relaxed);
            number.set(Some(n));
            n
        }
    });
    number % shards.max(1)
}
