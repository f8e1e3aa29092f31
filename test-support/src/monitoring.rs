//! A population to watch for drift: six Home Credit-like features drawn
//! from known distributions (an income, a contract type's category code,
//! an external score with missing values, an age, a credit amount, a
//! number of children), the same population shifted (incomes × 1.5, the
//! contract types 0 and 2 swapped), and a logistic model over them whose
//! score falls with the income and the contract code, published with a
//! 20,000-client reference drawn from the unshifted population.

use scoring_core::model::LogisticModel;
use scoring_core::registry::Registry;
use scoring_core::report::FeatureImportance;
use scoring_core::snapshot::ClientSnapshot;
use scoring_core::{Estimator, Model, Thresholds};

use crate::Rng;
use crate::published::{Publication, numeric_schema, publish_with, release, report};

/// The features, in model order.
pub const FEATURES: [&str; 6] = [
    "AMT_INCOME_TOTAL",
    "NAME_CONTRACT_TYPE_code",
    "EXT_SOURCE_2",
    "DAYS_BIRTH",
    "AMT_CREDIT",
    "CNT_CHILDREN",
];
/// The features [`shifted`] moves.
pub const SHIFTED: [&str; 2] = ["AMT_INCOME_TOTAL", "NAME_CONTRACT_TYPE_code"];
/// Clients of the published reference (and snapshot).
pub const REFERENCE_CLIENTS: usize = 20_000;
/// The published snapshot's first client id.
pub const FIRST_ID: i64 = 500_000;

pub fn feature_names() -> Vec<String> {
    FEATURES.iter().map(|f| (*f).to_owned()).collect()
}

/// One applicant of the reference population (model order, NaN missing).
pub fn applicant(rng: &mut Rng) -> [f64; 6] {
    let u = rng.uniform();
    let contract = match rng.uniform() {
        c if c < 0.7 => 0.0,
        c if c < 0.95 => 1.0,
        _ => 2.0,
    };
    let external = if rng.uniform() < 0.05 {
        f64::NAN
    } else {
        rng.uniform()
    };
    [
        30_000.0 + 200_000.0 * u * u,
        contract,
        external,
        rng.range(-25_000.0, -7_000.0),
        rng.range(50_000.0, 1_000_000.0),
        rng.below(4) as f64,
    ]
}

/// `applicant` shifted: the income × 1.5, contract types 0 and 2 swapped.
pub fn shifted(mut applicant: [f64; 6]) -> [f64; 6] {
    applicant[0] *= 1.5;
    applicant[1] = match applicant[1] {
        0.0 => 2.0,
        2.0 => 0.0,
        other => other,
    };
    applicant
}

/// `n` applicants of the reference population from `seed`.
pub fn population(seed: u64, n: usize) -> Vec<[f64; 6]> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| applicant(&mut rng)).collect()
}

/// The logistic model: risk falls with the income and the contract code
/// and the external score, rises a little with the others.
pub fn model() -> Model {
    let logistic = LogisticModel {
        intercept: -2.0,
        weights: vec![-1.5, -1.2, -0.5, 0.2, 0.2, 0.1],
        fill_value: vec![96_000.0, 0.0, 0.5, -16_000.0, 525_000.0, 1.5],
        mean: vec![96_000.0, 0.35, 0.5, -16_000.0, 525_000.0, 1.5],
        std: vec![60_000.0, 0.57, 0.29, 5_200.0, 274_000.0, 1.1],
        scaled_mean: vec![0.0; 6],
    };
    Model::new(feature_names(), Estimator::Logistic(logistic)).expect("valid logistic model")
}

/// Publishes [`model`] as `version` with the reference population (seed
/// 7) as its snapshot and reference statistics, and `thresholds`.
pub fn publish(registry: &Registry, version: &str, thresholds: Thresholds) {
    let rows: Vec<f64> = population(7, REFERENCE_CLIENTS)
        .into_iter()
        .flatten()
        .collect();
    let ids = (0..REFERENCE_CLIENTS as i64)
        .map(|i| FIRST_ID + i)
        .collect();
    let snapshot = ClientSnapshot::new(feature_names(), ids, rows).expect("snapshot");
    let mut report = report();
    report.importance = FEATURES
        .iter()
        .enumerate()
        .map(|(i, f)| FeatureImportance {
            feature: (*f).to_owned(),
            mean_abs_contribution: 1.0 / (i + 1) as f64,
        })
        .collect();
    let mut release = release(version);
    release.thresholds = thresholds;
    publish_with(
        registry,
        &Publication {
            release,
            model: &model(),
            schema: &numeric_schema(&feature_names()),
            snapshot: &snapshot,
            report: &report,
            model_card: "# Drift fixture\n",
        },
    );
}

/// A temporary registry with [`model`] published as `v1` (the usual
/// test thresholds) and promoted to production.
pub fn registry_with_v1() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let registry = Registry::open(dir.path().join("registry")).expect("registry");
    publish(&registry, "v1", crate::published::THRESHOLDS);
    registry.promote("v1", "production").expect("promote");
    (dir, registry)
}

/// Thresholds that refuse every applicant (the contract refuses 0, so
/// the smallest probability this model gives is far above them).
pub const REFUSE_ALL: Thresholds = Thresholds {
    prudent: 1e-9,
    normal: 1e-9,
    aggressive: 1e-9,
};
