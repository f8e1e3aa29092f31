//! Stratified splits and folds, undersampling, the prior correction and class weights.

use super::*;

#[test]
fn split_is_stratified_exactly() {
    let labels = labels_20_10();
    // 30% of 20 good payers = 6, of 10 defaulters = 3.
    let split = stratified_split(&labels, DEFAULT_TEST_FRACTION, 7).expect("valid");
    assert_eq!(split.test.len(), 9);
    assert_eq!(count_defaulters(&split.test, &labels), 3);
    assert_eq!(split.train.len(), 21);
    assert_eq!(count_defaulters(&split.train, &labels), 7);
    assert!(is_sorted_strictly(&split.train) && is_sorted_strictly(&split.test));
    // Disjoint and covering: merged, they are exactly 0..30.
    let mut all = [split.train.clone(), split.test.clone()].concat();
    all.sort_unstable();
    assert_eq!(all, (0..30).collect::<Vec<_>>());
    // 0.25: round(5) good payers, round(2.5) = 3 defaulters.
    let quarter = stratified_split(&labels, 0.25, 7).expect("valid");
    assert_eq!(quarter.test.len(), 8);
    assert_eq!(count_defaulters(&quarter.test, &labels), 3);
}

#[test]
fn split_is_deterministic_per_seed() {
    let labels = labels_20_10();
    let a = stratified_split(&labels, 0.3, 42).expect("valid");
    assert_eq!(a, stratified_split(&labels, 0.3, 42).expect("valid"));
    assert_ne!(a, stratified_split(&labels, 0.3, 43).expect("valid"));
}

#[test]
fn k_fold_is_stratified_disjoint_and_covering() {
    let labels = labels_20_10();
    // k = 4: 20 good payers → 5 per fold; 10 defaulters → 3, 3, 2, 2
    // (dealt on from fold 20 mod 4 = 0).
    let folds = stratified_k_fold(&labels, 4, 11).expect("valid");
    assert_eq!(folds.len(), 4);
    let mut seen = vec![0; labels.len()];
    let mut defaulters = Vec::new();
    for fold in &folds {
        assert!(is_sorted_strictly(&fold.train) && is_sorted_strictly(&fold.valid));
        assert_eq!(fold.train.len() + fold.valid.len(), labels.len());
        assert!(fold.valid.iter().all(|row| !fold.train.contains(row)));
        for &row in &fold.valid {
            seen[row] += 1;
        }
        defaulters.push(count_defaulters(&fold.valid, &labels));
        assert_eq!(
            fold.valid.len() - defaulters.last().copied().unwrap_or(0),
            5
        );
    }
    assert!(seen.iter().all(|&n| n == 1), "each row validated once");
    assert_eq!(defaulters, [3, 3, 2, 2]);
    // k = 3 with 7 good payers and 4 defaulters: good 3, 2, 2 over folds
    // 0, 1, 2; defaulters continue at fold 7 mod 3 = 1: 1, 2, 1. Sizes 4, 4, 3.
    let labels: Vec<u8> = [0u8; 7].into_iter().chain([1u8; 4]).collect();
    let folds = stratified_k_fold(&labels, 3, 5).expect("valid");
    let shares: Vec<(usize, usize)> = folds
        .iter()
        .map(|f| (f.valid.len(), count_defaulters(&f.valid, &labels)))
        .collect();
    assert_eq!(shares, [(4, 1), (4, 2), (3, 1)]);
}

#[test]
fn k_fold_is_deterministic_per_seed() {
    let labels = labels_20_10();
    let a = stratified_k_fold(&labels, 5, 1).expect("valid");
    assert_eq!(a, stratified_k_fold(&labels, 5, 1).expect("valid"));
    assert_ne!(a, stratified_k_fold(&labels, 5, 2).expect("valid"));
}

#[test]
fn undersampling_keeps_every_defaulter_at_the_ratio() {
    // 100 defaulters, 1,000 good payers; ratio 2 → 100 + 200 = 300 rows.
    let labels: Vec<u8> = (0..1100).map(|row| u8::from(row % 11 == 0)).collect();
    let indices: Vec<usize> = (0..labels.len()).collect();
    let rows = undersample(&indices, &labels, 2.0, 3).expect("valid");
    assert_eq!(rows.len(), 300);
    assert_eq!(count_defaulters(&rows, &labels), 100);
    assert!(is_sorted_strictly(&rows));
    assert_eq!(rows, undersample(&indices, &labels, 2.0, 3).expect("valid"));
    assert_ne!(rows, undersample(&indices, &labels, 2.0, 4).expect("valid"));
    // Only rows among `indices`: the first 550 hold 50 defaulters → 50 + 75.
    let rows = undersample(&indices[..550], &labels, 1.5, 3).expect("valid");
    assert_eq!(rows.len(), 125);
    assert!(rows.iter().all(|&row| row < 550));
    // A ratio above what is there keeps every good payer.
    assert_eq!(
        undersample(&indices, &labels, 50.0, 3).expect("valid"),
        indices
    );
}

#[test]
fn probability_correction_by_hand() {
    // Sampled at 1:2, the defaulters' share is 1/3 (odds 1/2); the real base
    // rate 0.08 has odds 0.08 / 0.92 = 2/23. p = 0.5 has odds 1, so
    // odds' = 1 · (2/23) / (1/2) = 4/23 and p' = (4/23) / (27/23) = 4/27.
    close(
        correct_probability(0.5, 0.08, 1.0 / 3.0).expect("valid"),
        4.0 / 27.0,
    );
    // The ends stay put; equal rates change nothing.
    close(
        correct_probability(0.0, 0.08, 1.0 / 3.0).expect("valid"),
        0.0,
    );
    close(
        correct_probability(1.0, 0.08, 1.0 / 3.0).expect("valid"),
        1.0,
    );
    close(correct_probability(0.3, 0.2, 0.2).expect("valid"), 0.3);
    // Swapping the rates inverts the map.
    for p in [0.01, 0.2, 0.5, 0.77, 0.999] {
        let real = correct_probability(p, 0.08, 1.0 / 3.0).expect("valid");
        assert!(real < p);
        close(
            correct_probability(real, 1.0 / 3.0, 0.08).expect("valid"),
            p,
        );
    }
}

#[test]
fn balanced_class_weights_by_hand() {
    // 30 rows, 20 good / 10 bad: 30 / 40 and 30 / 20.
    let (w0, w1) = class_weights(&labels_20_10()).expect("valid");
    close(w0, 0.75);
    close(w1, 1.5);
}
