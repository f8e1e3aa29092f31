//! Deciding many applications at once: one batched TreeSHAP over the rows
//! (each tree's tables reused across a block of rows), then each row's
//! decision and reason codes exactly as [`PublishedModel::decide_explained`]
//! gives them, bit for bit.

use super::PublishedModel;
use crate::error::Result;
use crate::policy::{Decision, Strategy};
use crate::shap::{Explanation, ShapScratch};

impl PublishedModel {
    /// Decides every row of a row-major batch (the model's features, NaN
    /// missing) under `strategy`, with at most `max_reasons` reason codes
    /// each. `scratch` is the caller's (one per thread), so nothing but the
    /// outputs is allocated.
    pub fn decide_batch(
        &self,
        rows: &[f64],
        strategy: Strategy,
        max_reasons: usize,
        scratch: &mut ShapScratch,
    ) -> Result<Vec<Decision>> {
        self.decide_batch_explained(rows, strategy, max_reasons, scratch)
            .map(|(decisions, _)| decisions)
    }

    /// As [`Self::decide_batch`], also returning every row's contributions
    /// (row-major, model order), as [`Self::decide_explained`] does for one.
    pub fn decide_batch_explained(
        &self,
        rows: &[f64],
        strategy: Strategy,
        max_reasons: usize,
        scratch: &mut ShapScratch,
    ) -> Result<(Vec<Decision>, Vec<f64>)> {
        let model = self.model();
        let n = model.n_features();
        let n_rows = rows.len().checked_div(n).unwrap_or(0);
        let mut contributions = vec![0.0; rows.len()];
        let mut explanations = vec![
            Explanation {
                base_value: 0.0,
                raw_score: 0.0,
            };
            n_rows
        ];
        model.explain_batch_into(rows, &mut contributions, &mut explanations, scratch)?;
        let decisions = explanations
            .iter()
            .enumerate()
            .map(|(i, &explanation)| {
                let (row, phi) = (
                    &rows[i * n..(i + 1) * n],
                    &contributions[i * n..(i + 1) * n],
                );
                self.decision_of(row, phi, explanation, strategy, max_reasons)
            })
            .collect();
        Ok((decisions, contributions))
    }
}
