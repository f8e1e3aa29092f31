//! Explaining many rows at once, on one thread or several.

use std::num::NonZeroUsize;
use std::sync::{Mutex, PoisonError};

use super::{Explanation, ShapScratch};
use crate::error::{Error, Result};
use crate::model::Model;

/// Rows explained together, tree by tree: enough to reuse each tree's
/// tables from cache, few enough that their rows and contributions
/// (2 × 32 × 6.4 KB at 800 features) stay in L2.
pub(super) const ROWS_PER_BLOCK: usize = 32;

/// A contiguous part of a batch: its rows and outputs.
type Part<'a> = (&'a [f64], &'a mut [f64], &'a mut [Explanation]);

impl Model {
    /// SHAP contributions of every row of a row-major batch (`n_features`
    /// columns, NaN missing) into `contributions` (row-major, `n_rows ×
    /// n_features`) and `explanations` (one per row), without allocating once
    /// `scratch` is sized. Each row's values are bit-identical to
    /// [`Model::explain_into`]'s.
    pub fn explain_batch_into(
        &self,
        rows: &[f64],
        contributions: &mut [f64],
        explanations: &mut [Explanation],
        scratch: &mut ShapScratch,
    ) -> Result<()> {
        self.check_explain_batch(rows, contributions, explanations)?;
        scratch.reserve(self.shap_tables());
        self.explain_rows(rows, contributions, explanations, scratch);
        Ok(())
    }

    /// As [`Model::explain_batch_into`], with the rows split into up to
    /// `threads` contiguous parts explained on scoped threads (the calling
    /// thread takes the first part; a part whose thread cannot be started
    /// is explained on the calling thread). Allocates one [`ShapScratch`] per
    /// thread.
    pub fn explain_batch_parallel(
        &self,
        rows: &[f64],
        contributions: &mut [f64],
        explanations: &mut [Explanation],
        threads: NonZeroUsize,
    ) -> Result<()> {
        let n_rows = self.check_explain_batch(rows, contributions, explanations)?;
        let n = self.n_features();
        let per_part = n_rows.div_ceil(threads.get()).max(1);
        if n == 0 || per_part >= n_rows {
            let mut scratch = ShapScratch::for_model(self);
            self.explain_rows(rows, contributions, explanations, &mut scratch);
            return Ok(());
        }
        // Each part sits in a slot its thread takes it from, so that the
        // calling thread can still take it if the thread cannot be started.
        let parts: Vec<Mutex<Option<Part<'_>>>> = rows
            .chunks(per_part * n)
            .zip(contributions.chunks_mut(per_part * n))
            .zip(explanations.chunks_mut(per_part))
            .map(|((rows, contributions), explanations)| {
                Mutex::new(Some((rows, contributions, explanations)))
            })
            .collect();
        let run = |slot: &Mutex<Option<Part<'_>>>| {
            let part = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
            if let Some((rows, contributions, explanations)) = part {
                let mut scratch = ShapScratch::for_model(self);
                self.explain_rows(rows, contributions, explanations, &mut scratch);
            }
        };
        std::thread::scope(|scope| {
            for slot in &parts[1..] {
                let started = std::thread::Builder::new()
                    .name("shap-batch".into())
                    .spawn_scoped(scope, move || run(slot));
                if let Err(error) = started {
                    tracing::warn!(%error, "cannot start a thread; explaining its rows here");
                    run(slot);
                }
            }
            run(&parts[0]);
        });
        Ok(())
    }

    /// Checks a batch's lengths; returns the number of rows.
    fn check_explain_batch(
        &self,
        rows: &[f64],
        contributions: &[f64],
        explanations: &[Explanation],
    ) -> Result<usize> {
        let n = self.n_features();
        let n_rows = rows.len().checked_div(n).unwrap_or(explanations.len());
        if n_rows * n != rows.len() {
            return Err(Error::RaggedBatch {
                len: rows.len(),
                n_features: n,
            });
        }
        if explanations.len() != n_rows {
            return Err(Error::OutputLength {
                expected: n_rows,
                found: explanations.len(),
            });
        }
        if contributions.len() != n_rows * n {
            return Err(Error::OutputLength {
                expected: n_rows * n,
                found: contributions.len(),
            });
        }
        Ok(n_rows)
    }

    /// Explains checked rows block by block into sized outputs.
    fn explain_rows(
        &self,
        rows: &[f64],
        contributions: &mut [f64],
        explanations: &mut [Explanation],
        scratch: &mut ShapScratch,
    ) {
        let n = self.n_features();
        for (block, explanations) in explanations.chunks_mut(ROWS_PER_BLOCK).enumerate() {
            let (start, end) = (
                block * ROWS_PER_BLOCK,
                block * ROWS_PER_BLOCK + explanations.len(),
            );
            let rows = &rows[start * n..end * n];
            let phi = &mut contributions[start * n..end * n];
            let base_value = self.add_contributions(rows, explanations.len(), phi, scratch);
            let raw = &mut scratch.raw[..explanations.len()];
            if self.predict_raw_batch(rows, raw).is_err() {
                // Lengths were checked; score row by row all the same.
                for (i, r) in raw.iter_mut().enumerate() {
                    *r = self.raw_unchecked(&rows[i * n..(i + 1) * n]);
                }
            }
            for (e, &raw_score) in explanations.iter_mut().zip(raw.iter()) {
                *e = Explanation {
                    base_value,
                    raw_score,
                };
            }
        }
    }
}
