//! The model the dashboard's tests read, as a real published artifact: a
//! dozen Home Credit features an officer can reason about (`EXT_SOURCE_2`,
//! `DAYS_BIRTH`, `AMT_CREDIT`, `CODE_GENDER`...) with their descriptions,
//! 300 clients from [`FIRST_CLIENT`] with one hand-set client
//! ([`KNOWN_CLIENT`]), two versions (`v1`, and `v2` live as `production`)
//! and thresholds 0.3 / 0.5 / 0.7.
//!
//! The model is boosted trees with one small tree per feature: each tree
//! steps along a straight line, `weight × (value − centre)` on the log-odds
//! scale, at every quarter of the feature's spread, and sends a missing
//! value to a leaf of its own worth nothing. So each feature pushes the risk
//! one known way, a feature's SHAP contribution is its tree's leaf minus
//! the tree's mean over the population (one client added to each leaf,
//! as TreeSHAP needs covers above 0), and a value on the grid
//! (`centre + k × spread / 4`) scores exactly its line: tests can work out
//! directions, and numbers, by hand. `v1` is the same without the
//! `PAYMENT_RATE` tree. [`report`] holds what is published beside each.

mod backtest;
pub mod fairness;
mod report;

use scoring_core::model::{
    BoostedTrees, Estimator, MissingType, Tree, TreeParts, numerical_decision,
};
use scoring_core::registry::Registry;
use scoring_core::schema::SCHEMA_FORMAT_VERSION;
use scoring_core::snapshot::ClientSnapshot;
use scoring_core::{FeatureKind, FeatureSchema, FeatureSpec, Model, Release};

pub use backtest::backtest;
pub use report::{MODEL_CARD, measures, report};

use crate::Rng;
use crate::published::{Publication, publish_with, release};

/// One input of the dashboard's model.
pub struct Feature {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: FeatureKind,
    /// Log-odds per unit above `centre` (positive: a higher value is riskier).
    pub weight: f64,
    /// The population's middle value.
    pub centre: f64,
    /// The population spreads over `centre ± 1.5 × spread`.
    pub spread: f64,
    /// Values are multiples of this.
    pub step: f64,
    /// [`KNOWN_CLIENT`]'s value.
    pub known: f64,
}

const fn numeric(
    name: &'static str,
    description: &'static str,
    [weight, centre, spread, step, known]: [f64; 5],
) -> Feature {
    Feature {
        name,
        description,
        kind: FeatureKind::Numeric,
        weight,
        centre,
        spread,
        step,
        known,
    }
}

/// The features in model order.
#[rustfmt::skip]
pub const FEATURES: [Feature; 12] = [
    numeric("EXT_SOURCE_2", "Normalised score from external source 2", [-2.0, 0.5, 0.2, 0.001, 0.3]),
    numeric("EXT_SOURCE_3", "Normalised score from external source 3", [-1.5, 0.5, 0.2, 0.001, 0.6]),
    numeric("DAYS_BIRTH", "Age in days at application (negative)", [0.00005, -15000.0, 4000.0, 1.0, -12000.0]),
    numeric("AMT_CREDIT", "Credit amount of the loan", [0.000001, 500000.0, 200000.0, 500.0, 400000.0]),
    numeric("AMT_ANNUITY", "Loan annuity", [0.00002, 25000.0, 8000.0, 50.0, 23000.0]),
    numeric("DAYS_EMPLOYED", "Days employed before the application (negative)", [0.0001, -2000.0, 1200.0, 1.0, -1100.0]),
    Feature {
        name: "CODE_GENDER",
        description: "Applicant is a man (1) or a woman (0)",
        kind: FeatureKind::Indicator,
        weight: 0.2, centre: 0.5, spread: 0.5, step: 1.0, known: 1.0,
    },
    numeric("PAYMENT_RATE", "Annuity as a share of the credit", [10.0, 0.05, 0.02, 0.0001, 0.06]),
    numeric("AMT_INCOME_TOTAL", "Income of the applicant", [-0.000001, 170000.0, 60000.0, 500.0, 155000.0]),
    numeric("OWN_CAR_AGE", "Age of the applicant's car", [0.01, 10.0, 4.0, 1.0, 12.0]),
    numeric("INSTAL_DPD_MEAN", "Mean days past due on previous instalments", [0.05, 1.0, 1.0, 0.01, 1.5]),
    numeric("ANNUITY_INCOME_PERC", "Annuity as a share of income", [1.0, 0.18, 0.08, 0.001, 0.16]),
];

/// The client with hand-set values ([`Feature::known`]): probability of
/// default about 46 %, refused under PRUDENT (30 %), accepted under NORMAL
/// (50 %) and AGGRESSIVE (70 %); external score 2 (0.3, one spread below
/// the centre) raises the risk most.
pub const KNOWN_CLIENT: i64 = 100_002;
/// The first client id; ids run on from it.
pub const FIRST_CLIENT: i64 = 100_001;
pub const N_CLIENTS: usize = 300;
/// The version `production` names.
pub const LIVE: &str = "v2";
/// Published versions, oldest first: `v1` lacks the `PAYMENT_RATE` tree
/// that `v2` added.
pub const VERSIONS: [&str; 2] = ["v1", LIVE];
/// The feature `v1` does without.
pub const ADDED_IN_V2: &str = "PAYMENT_RATE";
/// The base score (log-odds) of both versions.
pub const BASE_SCORE: f64 = -0.75;
/// Clients missing `OWN_CAR_AGE`: one in seven.
const NO_CAR: usize = 7;

/// Position of a feature in the model's input, by name.
pub fn index(name: &str) -> usize {
    FEATURES
        .iter()
        .position(|f| f.name == name)
        .unwrap_or_else(|| panic!("no feature {name} in the dashboard model"))
}

pub fn feature_names() -> Vec<String> {
    FEATURES.iter().map(|f| f.name.to_owned()).collect()
}

pub fn schema() -> FeatureSchema {
    FeatureSchema {
        format_version: SCHEMA_FORMAT_VERSION,
        id_column: "SK_ID_CURR".into(),
        target_column: Some("TARGET".into()),
        features: FEATURES
            .iter()
            .map(|f| FeatureSpec {
                name: f.name.into(),
                kind: f.kind,
                source_table: "application".into(),
                source_column: f.name.into(),
                aggregation: "none".into(),
                category: None,
                description: f.description.into(),
            })
            .collect(),
        vocabularies: vec![],
        columns: None,
    }
}

/// The clients (the same every run): values spread uniformly over
/// `centre ± 1.5 × spread` on the feature's step (indicators half 0, half
/// 1), one in seven without `OWN_CAR_AGE`, and [`KNOWN_CLIENT`]'s values.
pub fn population() -> ClientSnapshot {
    let mut rng = Rng::new(20_251_201);
    let mut values = Vec::with_capacity(N_CLIENTS * FEATURES.len());
    let ids: Vec<i64> = (0..N_CLIENTS as i64).map(|i| FIRST_CLIENT + i).collect();
    for (i, &id) in ids.iter().enumerate() {
        for f in &FEATURES {
            let drawn = match f.kind {
                FeatureKind::Indicator => (rng.uniform() < 0.5) as u8 as f64,
                _ => {
                    let v = rng.range(f.centre - 1.5 * f.spread, f.centre + 1.5 * f.spread);
                    (v / f.step).round() * f.step
                }
            };
            values.push(if id == KNOWN_CLIENT {
                f.known
            } else if f.name == "OWN_CAR_AGE" && i % NO_CAR == 3 {
                f64::NAN
            } else {
                drawn
            });
        }
    }
    ClientSnapshot::new(feature_names(), ids, values).expect("the population is a valid snapshot")
}

/// The features of a snapshot client, in model order (NaN = missing).
pub fn row_of(client: i64) -> Vec<f64> {
    let population = population();
    let at = population
        .position(client)
        .unwrap_or_else(|| panic!("no client {client} in the dashboard population"));
    population.row_at(at).to_vec()
}

/// The row of a new applicant: `values` given, everything else missing.
pub fn applicant(values: &[(&str, f64)]) -> Vec<f64> {
    let mut row = vec![f64::NAN; FEATURES.len()];
    for (name, value) in values {
        row[index(name)] = *value;
    }
    row
}

/// Version `version`'s model (one of [`VERSIONS`]), its covers counted on
/// [`population`].
pub fn model(version: &str) -> Model {
    assert!(
        VERSIONS.contains(&version),
        "no version {version} of the dashboard model"
    );
    let population = population();
    let trees = FEATURES
        .iter()
        .enumerate()
        .filter(|(_, f)| version != "v1" || f.name != ADDED_IN_V2)
        .map(|(j, f)| {
            let column: Vec<f64> = population.column(j).collect();
            Tree::new(steps(j as u32, f, &column)).expect("a valid tree")
        })
        .collect();
    let estimator = Estimator::BoostedTrees(BoostedTrees {
        base_score: BASE_SCORE,
        trees,
    });
    Model::new(feature_names(), estimator).expect("a valid model")
}

/// The tree of feature `j`: a root sending a missing value right to a leaf
/// worth 0 and every present value left, into a balanced tree over the
/// steps of [`grid`]; covers are the clients of `column` in each leaf, plus
/// one (TreeSHAP needs every cover above 0).
fn steps(j: u32, feature: &Feature, column: &[f64]) -> TreeParts {
    let (thresholds, values) = grid(feature);
    let missing_leaf = values.len();
    let mut leaf_count = vec![1.0; values.len() + 1];
    for &x in column {
        let leaf = if x.is_nan() {
            missing_leaf
        } else {
            thresholds.partition_point(|&t| t < x)
        };
        leaf_count[leaf] += 1.0;
    }
    let mut leaf_value = values;
    leaf_value.push(0.0);
    let mut parts = TreeParts {
        split_feature: vec![j],
        threshold: vec![f64::INFINITY],
        decision_type: vec![numerical_decision(MissingType::NaN, false)],
        left_child: vec![0],
        right_child: vec![!(missing_leaf as i32)],
        internal_count: vec![0.0],
        leaf_value,
        leaf_count,
        cat_boundaries: vec![0],
        cat_threshold: vec![],
    };
    let (present, cover) = subtree(&mut parts, j, &thresholds, 0, missing_leaf - 1);
    parts.left_child[0] = present;
    parts.internal_count[0] = cover + parts.leaf_count[missing_leaf];
    parts
}

/// The split points and the values of the leaves between them (one more):
/// an indicator's 0 and 1 either side of 0.5; a number's
/// `weight × k × spread / 4` for k in −8..=8, split half-way between.
fn grid(f: &Feature) -> (Vec<f64>, Vec<f64>) {
    if f.kind == FeatureKind::Indicator {
        let values = [0.0, 1.0].map(|x| f.weight * (x - f.centre));
        return (vec![0.5], values.to_vec());
    }
    let quarter = f.spread / 4.0;
    let thresholds = (-8..8)
        .map(|k| f.centre + (k as f64 + 0.5) * quarter)
        .collect();
    let values = (-8..=8).map(|k| f.weight * k as f64 * quarter).collect();
    (thresholds, values)
}

/// The subtree over leaves `lo..=hi` (leaf `i` left of `thresholds[i]`):
/// its reference and its cover.
fn subtree(parts: &mut TreeParts, j: u32, thresholds: &[f64], lo: usize, hi: usize) -> (i32, f64) {
    if lo == hi {
        return (!(lo as i32), parts.leaf_count[lo]);
    }
    let mid = (lo + hi) / 2;
    let node = parts.split_feature.len();
    parts.split_feature.push(j);
    parts.threshold.push(thresholds[mid]);
    parts
        .decision_type
        .push(numerical_decision(MissingType::NaN, false));
    parts.left_child.push(0);
    parts.right_child.push(0);
    parts.internal_count.push(0.0);
    let (left, left_cover) = subtree(parts, j, thresholds, lo, mid);
    let (right, right_cover) = subtree(parts, j, thresholds, mid + 1, hi);
    parts.left_child[node] = left;
    parts.right_child[node] = right;
    parts.internal_count[node] = left_cover + right_cover;
    (node as i32, left_cover + right_cover)
}

/// What the manifest of `version` says: the shared thresholds, the
/// version's date and its measures.
fn release_of(version: &str) -> Release {
    let created_at = match version {
        "v1" => "2026-10-01T09:00:00Z",
        _ => "2026-11-29T12:00:00Z",
    };
    Release {
        created_at: created_at.into(),
        code_version: "dashboard-fixture".into(),
        training_data_fingerprint: "sha256:dashboard-population".into(),
        metrics: measures(version)
            .into_iter()
            .map(|(name, value)| (format!("test_{name}"), value))
            .collect(),
        ..release(version)
    }
}

/// A temporary registry with both [`VERSIONS`] published (each with its
/// report, reference statistics, the population and the model card),
/// `production` naming [`LIVE`], and a backtest of [`LIVE`] only.
pub fn registry() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let registry = Registry::open(dir.path().join("registry")).expect("registry");
    let (schema, population) = (schema(), population());
    for version in VERSIONS {
        publish_with(
            &registry,
            &Publication {
                release: release_of(version),
                report: &report(version),
                model: &model(version),
                schema: &schema,
                snapshot: &population,
                model_card: MODEL_CARD,
            },
        );
    }
    registry.promote(LIVE, "production").expect("promote");
    registry
        .publish_backtest(&backtest(LIVE), "# Backtest\n", "20261130T080000Z")
        .expect("backtest published");
    (dir, registry)
}

#[cfg(test)]
mod tests;
