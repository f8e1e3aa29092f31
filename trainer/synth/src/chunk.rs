//! Applicants in fixed-size chunks: ids, the train/test split, history
//! counts, and one chunk's rows of every file.
//!
//! Each applicant draws from its own generators, seeded by (seed, stream,
//! applicant index), so a chunk's bytes depend only on the seed and the
//! chunk number, never on threads or scheduling. SK_ID_BUREAU and SK_ID_PREV
//! stay consecutive because the history counts come from a separate stream
//! that a cheap first pass sums per chunk.

use super::application::ApplicationPlan;
use super::bureau::BureauPlan;
use super::csv::Csv;
use super::previous::{PreviousOut, PreviousPlan};
use super::repayment::Scratch;
use super::risk::RiskModel;
use super::rng::Rng;
use super::sample::Marginals;
use crate::Result;

/// Applicants per chunk (the unit of parallel work).
pub(crate) const CHUNK: u64 = 1024;
/// Files written: the eight tables in [`crate::tables::Table::ALL`] order,
/// then the true default probabilities.
pub(crate) const FILES: usize = 9;

const FIRST_CURR: i64 = 100_002;
const FIRST_BUREAU: i64 = 5_000_000;
const FIRST_PREV: i64 = 1_000_000;

const STREAM_COUNTS: u64 = 1;
const STREAM_APPLICATION: u64 = 2;
const STREAM_HISTORY: u64 = 3;

/// Shares of applicants without any bureau record / previous application,
/// and the mean counts of those with some: 1,716,428 bureau and 1,670,214
/// previous-application rows for 356,255 applicants in the real data.
const NO_BUREAU: f64 = 0.14;
const NO_PREVIOUS: f64 = 0.05;
const BUREAU_MEAN: f64 = 1_716_428.0 / 356_255.0 / (1.0 - NO_BUREAU);
const PREVIOUS_MEAN: f64 = 1_670_214.0 / 356_255.0 / (1.0 - NO_PREVIOUS);

/// One chunk's bytes of every file.
#[derive(Debug, Default)]
pub(crate) struct ChunkOut {
    pub(crate) files: [Csv; FILES],
    pub(crate) applicants: u64,
}

/// Everything needed to generate any chunk; shared by the worker threads.
#[derive(Debug)]
pub(crate) struct Generator {
    seed: u64,
    applicants: u64,
    test: u64,
    first_bureau: Vec<i64>,
    first_previous: Vec<i64>,
    risk: RiskModel,
    application: ApplicationPlan,
    bureau: BureauPlan,
    previous: PreviousPlan,
}

fn history_counts(seed: u64, index: u64) -> (u32, u32) {
    let mut rng = Rng::new(seed, STREAM_COUNTS, index);
    let bureau = if rng.chance(NO_BUREAU) {
        0
    } else {
        rng.geometric(BUREAU_MEAN, 120)
    };
    let previous = if rng.chance(NO_PREVIOUS) {
        0
    } else {
        rng.geometric(PREVIOUS_MEAN, 80)
    };
    (bureau, previous)
}

impl Generator {
    pub(crate) fn new(seed: u64, applicants: u64, test: u64, marginals: Marginals) -> Result<Self> {
        let chunks = applicants.div_ceil(CHUNK);
        let (mut first_bureau, mut first_previous) = (Vec::new(), Vec::new());
        let (mut bureau, mut previous) = (FIRST_BUREAU, FIRST_PREV);
        for chunk in 0..chunks {
            first_bureau.push(bureau);
            first_previous.push(previous);
            for index in chunk * CHUNK..((chunk + 1) * CHUNK).min(applicants) {
                let (b, p) = history_counts(seed, index);
                bureau += i64::from(b);
                previous += i64::from(p);
            }
        }
        Ok(Self {
            seed,
            applicants,
            test,
            first_bureau,
            first_previous,
            risk: RiskModel::new(),
            application: ApplicationPlan::new(marginals)?,
            bureau: BureauPlan::new(marginals)?,
            previous: PreviousPlan::new(marginals)?,
        })
    }

    pub(crate) fn chunks(&self) -> u64 {
        self.applicants.div_ceil(CHUNK)
    }

    /// Test applicants spread evenly among the train ones, exactly `test` of them.
    fn is_test(&self, index: u64) -> bool {
        let (n, t) = (u128::from(self.applicants), u128::from(self.test));
        let i = u128::from(index);
        (i + 1) * t / n > i * t / n
    }

    pub(crate) fn chunk(&self, chunk: u64) -> ChunkOut {
        let mut out = ChunkOut::default();
        let mut scratch = Scratch::default();
        let slot = usize::try_from(chunk).unwrap_or(usize::MAX);
        let mut bureau_id = self.first_bureau.get(slot).copied().unwrap_or(FIRST_BUREAU);
        let mut previous_id = self.first_previous.get(slot).copied().unwrap_or(FIRST_PREV);
        let [
            train,
            test,
            bureau,
            balance,
            previous,
            pos,
            instalments,
            cards,
            truth,
        ] = &mut out.files;
        for index in chunk * CHUNK..((chunk + 1) * CHUNK).min(self.applicants) {
            let id = FIRST_CURR + index as i64;
            let mut rng = Rng::new(self.seed, STREAM_APPLICATION, index);
            let latent = self.risk.draw(&mut rng);
            let defaulted = rng.chance(latent.pd);
            let person = if self.is_test(index) {
                self.application.write(test, &mut rng, id, latent, None)
            } else {
                self.application
                    .write(train, &mut rng, id, latent, Some(defaulted))
            };
            truth.int(id);
            truth.float(latent.pd);
            truth.end();

            let (n_bureau, n_previous) = history_counts(self.seed, index);
            let mut rng = Rng::new(self.seed, STREAM_HISTORY, index);
            self.bureau
                .write(bureau, balance, &mut rng, &person, bureau_id, n_bureau);
            bureau_id += i64::from(n_bureau);
            let mut tables = PreviousOut {
                previous,
                pos,
                instalments,
                cards,
            };
            self.previous.write(
                &mut tables,
                &mut rng,
                &mut scratch,
                &person,
                previous_id,
                n_previous,
            );
            previous_id += i64::from(n_previous);
            out.applicants += 1;
        }
        out
    }
}
