//! Batch explanations equal single-row ones bit for bit, on one thread or
//! several, and their lengths are checked.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::num::NonZeroUsize;

use proptest::prelude::*;
use scoring_core::model::Model;
use scoring_core::{Error, Explanation, ShapScratch};
use test_support::{Rng, TreeShape, random_ensemble, random_rows};

fn shape(n_features: usize, leaves: usize, max_depth: usize) -> TreeShape {
    TreeShape {
        n_features,
        leaves,
        max_depth,
        categorical: 0.2,
        nan_missing_only: false,
        leaf_scale: 1.0,
    }
}

/// Each row explained on its own.
fn single_rows(model: &Model, rows: &[f64]) -> (Vec<f64>, Vec<Explanation>) {
    let n = model.n_features();
    let mut scratch = ShapScratch::for_model(model);
    let mut phi = vec![0.0; rows.len()];
    let explanations = rows
        .chunks(n)
        .zip(phi.chunks_mut(n))
        .map(|(row, phi)| model.explain_into(row, phi, &mut scratch).unwrap())
        .collect();
    (phi, explanations)
}

fn assert_bit_identical(a: &(Vec<f64>, Vec<Explanation>), b: &(Vec<f64>, Vec<Explanation>)) {
    assert_eq!(a.0.len(), b.0.len());
    for (i, (x, y)) in a.0.iter().zip(&b.0).enumerate() {
        assert_eq!(x.to_bits(), y.to_bits(), "contribution {i}: {x} vs {y}");
    }
    assert_eq!(a.1.len(), b.1.len());
    for (x, y) in a.1.iter().zip(&b.1) {
        assert_eq!(x.base_value.to_bits(), y.base_value.to_bits());
        assert_eq!(x.raw_score.to_bits(), y.raw_score.to_bits());
    }
}

fn batch(model: &Model, rows: &[f64], threads: Option<usize>) -> (Vec<f64>, Vec<Explanation>) {
    let n_rows = rows.len() / model.n_features();
    let mut phi = vec![f64::NAN; rows.len()];
    let blank = Explanation {
        base_value: f64::NAN,
        raw_score: f64::NAN,
    };
    let mut explanations = vec![blank; n_rows];
    match threads {
        None => {
            let mut scratch = ShapScratch::default();
            model
                .explain_batch_into(rows, &mut phi, &mut explanations, &mut scratch)
                .unwrap();
        }
        Some(t) => {
            let t = NonZeroUsize::new(t).unwrap();
            model
                .explain_batch_parallel(rows, &mut phi, &mut explanations, t)
                .unwrap();
        }
    }
    (phi, explanations)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    #[test]
    fn batch_equals_single_rows_bit_for_bit(
        seed in any::<u64>(),
        n_features in 1_usize..=12,
        n_trees in 0_usize..=30,
        max_depth in 1_usize..=10,
        n_rows in 0_usize..=100,
        threads in 1_usize..=4,
    ) {
        let mut rng = Rng::new(seed);
        let model = random_ensemble(&mut rng, n_trees, shape(n_features, 24.min(1 << max_depth), max_depth));
        let rows = random_rows(&mut rng, n_rows, n_features, 0.3);
        let single = single_rows(&model, &rows);
        assert_bit_identical(&batch(&model, &rows, None), &single);
        assert_bit_identical(&batch(&model, &rows, Some(threads)), &single);
    }
}

#[test]
fn a_model_with_its_tables_is_shared_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Model>();
    send_sync::<scoring_core::ShapTables>();
    fn send<T: Send>() {}
    send::<ShapScratch>();
}

#[test]
fn production_shaped_batch_on_two_threads_equals_single_rows() {
    let model = test_support::production_shaped_model(100, 300);
    let rows = random_rows(&mut Rng::new(8), 203, 300, 0.2);
    let single = single_rows(&model, &rows);
    assert_bit_identical(&batch(&model, &rows, Some(2)), &single);
    assert_bit_identical(&batch(&model, &rows, Some(7)), &single);
}

#[test]
fn logistic_batch_equals_single_rows() {
    let model = test_support::small_logistic_model();
    let rows = random_rows(&mut Rng::new(9), 70, 3, 0.3);
    let single = single_rows(&model, &rows);
    assert_bit_identical(&batch(&model, &rows, None), &single);
    assert_bit_identical(&batch(&model, &rows, Some(3)), &single);
}

#[test]
fn a_scratch_sized_for_a_small_model_grows_for_a_larger_one() {
    let mut rng = Rng::new(10);
    let small = random_ensemble(&mut rng, 2, shape(3, 2, 1));
    let large = random_ensemble(&mut rng, 5, shape(6, 200, 20));
    let rows = random_rows(&mut rng, 5, 6, 0.3);
    let mut scratch = ShapScratch::for_model(&small);
    let mut phi = vec![0.0; 6];
    for row in rows.chunks(6) {
        large.explain_into(row, &mut phi, &mut scratch).unwrap();
        let (expected, _) = large.explain(row).unwrap();
        assert_eq!(phi, expected);
    }
}

#[test]
fn wrong_batch_lengths_are_errors() {
    let mut rng = Rng::new(11);
    let model = random_ensemble(&mut rng, 3, shape(4, 5, 3));
    let mut scratch = ShapScratch::for_model(&model);
    let blank = Explanation {
        base_value: 0.0,
        raw_score: 0.0,
    };
    let mut phi = vec![0.0; 8];
    let mut explanations = vec![blank; 2];
    let result = model.explain_batch_into(&[0.0; 7], &mut phi, &mut explanations, &mut scratch);
    assert!(matches!(
        result,
        Err(Error::RaggedBatch {
            len: 7,
            n_features: 4
        })
    ));
    let result =
        model.explain_batch_into(&[0.0; 8], &mut phi[..7], &mut explanations, &mut scratch);
    assert!(matches!(
        result,
        Err(Error::OutputLength {
            expected: 8,
            found: 7
        })
    ));
    let two = NonZeroUsize::new(2).unwrap();
    let result = model.explain_batch_parallel(&[0.0; 8], &mut phi, &mut explanations[..1], two);
    assert!(matches!(
        result,
        Err(Error::OutputLength {
            expected: 2,
            found: 1
        })
    ));
}
