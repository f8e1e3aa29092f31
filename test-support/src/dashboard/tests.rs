//! The fixture is what its documentation says, so a test that leans on it
//! fails here first, with the reason, when it changes.

use scoring_core::report::FeatureImportance;

use super::*;

fn contributions(row: &[f64]) -> Vec<f64> {
    model(LIVE).explain(row).expect("explained").0
}

#[test]
fn the_known_client_sits_between_the_prudent_and_the_normal_threshold() {
    let p = model(LIVE)
        .predict_probability(&row_of(KNOWN_CLIENT))
        .expect("scored");
    assert!(p > 0.3 + 0.1 && p < 0.5 - 0.02, "{p}");
}

#[test]
fn each_feature_pushes_the_risk_its_weight_s_way() {
    let known = contributions(&row_of(KNOWN_CLIENT));
    let by_size = {
        let mut order: Vec<usize> = (0..known.len()).collect();
        order.sort_by(|a, b| known[*b].abs().total_cmp(&known[*a].abs()));
        order
    };
    let names: Vec<&str> = by_size.iter().map(|&j| FEATURES[j].name).collect();
    // A low external score raises the risk most; then, clearly ahead of the
    // rest, a high external score 3 lowers it and youth raises it.
    assert_eq!(names[0], "EXT_SOURCE_2", "{known:?}");
    let mut next = [names[1], names[2]];
    next.sort();
    assert_eq!(next, ["DAYS_BIRTH", "EXT_SOURCE_3"], "{known:?}");
    assert!(
        known[by_size[2]].abs() > known[by_size[3]].abs() + 0.02,
        "{known:?}"
    );
    assert!(known[index("EXT_SOURCE_2")] > 0.3);
    assert!(known[index("EXT_SOURCE_3")] < 0.0);
    assert!(known[index("DAYS_BIRTH")] > 0.0);
    // Among what the client can act on, the credit amount (below the
    // centre) lowers the risk.
    assert!(known[index("AMT_CREDIT")] < 0.0);
    assert!(names[..8].contains(&"AMT_CREDIT"), "{names:?}");
}

#[test]
fn a_value_on_the_grid_scores_its_line_and_a_missing_one_nothing() {
    let m = model(LIVE);
    let base = m.predict_raw(&applicant(&[])).expect("scored");
    assert!((base - BASE_SCORE).abs() < 1e-12, "{base}");
    // 0.9 is two spreads above the centre of external score 2: -2 × 0.4.
    let raw = m
        .predict_raw(&applicant(&[("EXT_SOURCE_2", 0.9)]))
        .expect("scored");
    assert!((raw - base + 0.8).abs() < 1e-12, "{raw}");
}

#[test]
fn a_lower_payment_rate_lowers_the_known_client_s_risk() {
    let m = model(LIVE);
    let before = row_of(KNOWN_CLIENT);
    let mut after = before.clone();
    after[index("PAYMENT_RATE")] = 0.02;
    let p = |row: &[f64]| m.predict_probability(row).expect("scored");
    assert!(p(&after) < p(&before) - 0.05);
}

#[test]
fn the_population_is_varied_and_the_registry_serves_v2() {
    let population = population();
    assert_eq!(population.len(), N_CLIENTS);
    assert_eq!(population.ids()[0], FIRST_CLIENT);
    let men = population
        .column(index("CODE_GENDER"))
        .filter(|&g| g == 1.0)
        .count();
    assert!(men > 100 && men < 200, "{men}");
    let mut probabilities = vec![0.0; population.len()];
    model(LIVE)
        .predict_probability_batch(population.values(), &mut probabilities)
        .expect("scored");
    let refused = |t: f64| probabilities.iter().filter(|&&p| p >= t).count();
    assert!(refused(0.5) > 10 && refused(0.3) < 250, "{probabilities:?}");
    let (_dir, registry) = registry();
    assert_eq!(
        registry.resolve("production").expect("alias").as_str(),
        LIVE
    );
    let importance: Vec<FeatureImportance> = report(LIVE).importance;
    assert_eq!(importance[0].feature, "EXT_SOURCE_2");
}
