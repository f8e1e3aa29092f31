//! Deciding a batch gives every row the decision, probability and reason
//! codes (and contributions) of deciding it alone, bit for bit; a ragged
//! batch is refused.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use scoring_core::registry::Registry;
use scoring_core::{Error, ShapScratch, Strategy};
use test_support::published;
use test_support::{Rng, random_rows};

#[test]
fn a_batch_decides_each_row_as_deciding_it_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let registry = Registry::open(tmp.path()).unwrap();
    published::publish(&registry, "v1", 7);
    let model = registry.load(&registry.resolve("v1").unwrap()).unwrap();
    let n = model.model().n_features();
    // 75 rows: two full blocks and a partial one.
    let rows = random_rows(&mut Rng::new(99), 75, n, 0.15);
    let mut scratch = ShapScratch::for_model(model.model());
    for strategy in [Strategy::Prudent, Strategy::Aggressive] {
        let batch = model
            .decide_batch(&rows, strategy, 4, &mut scratch)
            .unwrap();
        let (explained, contributions) = model
            .decide_batch_explained(&rows, strategy, 4, &mut scratch)
            .unwrap();
        assert_eq!(batch, explained);
        assert_eq!(batch.len(), 75);
        for ((row, decided), phi) in rows.chunks(n).zip(&batch).zip(contributions.chunks(n)) {
            let (alone, alone_phi) = model.decide_explained(row, strategy, 4).unwrap();
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(phi), bits(&alone_phi));
            assert_eq!(
                decided.probability_of_default.to_bits(),
                alone.probability_of_default.to_bits()
            );
            assert_eq!(decided.raw_score.to_bits(), alone.raw_score.to_bits());
            assert_eq!(decided, &alone);
        }
    }
    assert!(
        model
            .decide_batch(&[], Strategy::Normal, 4, &mut scratch)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_ragged_batch_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let registry = Registry::open(tmp.path()).unwrap();
    published::publish(&registry, "v1", 3);
    let model = registry.load(&registry.resolve("v1").unwrap()).unwrap();
    let n = model.model().n_features();
    let mut scratch = ShapScratch::for_model(model.model());
    match model.decide_batch(&vec![0.0; 2 * n + 1], Strategy::Normal, 4, &mut scratch) {
        Err(Error::RaggedBatch { len, n_features }) => {
            assert_eq!((len, n_features), (2 * n + 1, n));
        }
        other => panic!("expected a ragged batch error, got {other:?}"),
    }
}
