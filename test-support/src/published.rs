//! A small published model: a random boosted-trees model over six
//! features published into a temporary registry with its report, reference
//! statistics, client snapshot and model card; and [`publish_with`], which
//! publishes any model that way.

use std::collections::BTreeMap;
use std::path::Path;

use scoring_core::reference::ReferenceStats;
use scoring_core::registry::Registry;
use scoring_core::report::{
    CalibrationBin, CalibrationReport, CandidateSummary, CostPoint, CostReport, FairnessReport,
    FeatureImportance, ModelReport, StrategyConfusion,
};
use scoring_core::schema::SCHEMA_FORMAT_VERSION;
use scoring_core::snapshot::ClientSnapshot;
use scoring_core::{
    Attachments, FeatureKind, FeatureSchema, FeatureSpec, Model, Release, Strategy, Thresholds,
    write_artifact_with,
};

use crate::{Rng, TreeShape, random_ensemble, random_rows};

pub const N_FEATURES: usize = 6;
pub const N_CLIENTS: usize = 300;
pub const FIRST_ID: i64 = 100_000;
pub const THRESHOLDS: Thresholds = Thresholds {
    prudent: 0.3,
    normal: 0.5,
    aggressive: 0.7,
};

pub fn feature_names() -> Vec<String> {
    (0..N_FEATURES).map(|i| format!("f{i}")).collect()
}

/// The schema of [`feature_names`].
pub fn schema() -> FeatureSchema {
    numeric_schema(&feature_names())
}

/// A schema of numeric application features named `names`, each described
/// as `Description of <name>`.
pub fn numeric_schema(names: &[String]) -> FeatureSchema {
    FeatureSchema {
        format_version: SCHEMA_FORMAT_VERSION,
        id_column: "SK_ID_CURR".into(),
        target_column: Some("TARGET".into()),
        features: names
            .iter()
            .map(|name| FeatureSpec {
                description: format!("Description of {name}"),
                name: name.clone(),
                kind: FeatureKind::Numeric,
                source_table: "application".into(),
                source_column: name.clone(),
                aggregation: "none".into(),
                category: None,
            })
            .collect(),
        vocabularies: vec![],
        columns: None,
    }
}

pub fn model(seed: u64) -> Model {
    let shape = TreeShape {
        n_features: N_FEATURES,
        leaves: 8,
        max_depth: 4,
        categorical: 0.0,
        nan_missing_only: true,
        leaf_scale: 0.4,
    };
    random_ensemble(&mut Rng::new(seed), 20, shape)
}

/// A model whose explanations take milliseconds even in a release build
/// (3,000 trees of up to 34 leaves), for calls that must outlast a deadline
/// or hold a slot.
pub fn heavy_model(seed: u64) -> Model {
    let shape = TreeShape {
        n_features: N_FEATURES,
        leaves: 34,
        max_depth: 8,
        categorical: 0.0,
        nan_missing_only: true,
        leaf_scale: 0.01,
    };
    random_ensemble(&mut Rng::new(seed), 3_000, shape)
}

pub fn snapshot(seed: u64) -> ClientSnapshot {
    let rows = random_rows(&mut Rng::new(seed + 1000), N_CLIENTS, N_FEATURES, 0.1);
    let ids = (0..N_CLIENTS as i64).map(|i| FIRST_ID + i).collect();
    ClientSnapshot::new(feature_names(), ids, rows).expect("snapshot")
}

pub fn report() -> ModelReport {
    let confusion = Strategy::ALL
        .into_iter()
        .map(|strategy| StrategyConfusion {
            strategy,
            threshold: THRESHOLDS.get(strategy),
            true_positive: 10,
            false_positive: 20,
            true_negative: 60,
            false_negative: 10,
        })
        .collect();
    ModelReport {
        evaluation: "test split, 30%".into(),
        model_kind: "lightgbm".into(),
        metrics: BTreeMap::from([("roc_auc".into(), 0.75)]),
        cost: CostReport {
            gain_rate_good: 0.1,
            loss_rate_default: 0.5,
            strategy_rule: "within 5% of the best cost".into(),
            curve: [0.3, 0.5, 0.7]
                .into_iter()
                .map(|threshold| CostPoint {
                    threshold,
                    cost_per_client: -threshold / 10.0,
                    acceptance_rate: threshold,
                })
                .collect(),
        },
        confusion,
        calibration: CalibrationReport {
            method: "isotonic".into(),
            ece_uncalibrated: 0.05,
            ece: 0.01,
            bins: vec![CalibrationBin {
                mean_predicted: 0.1,
                observed_default_rate: 0.11,
                count: 100,
            }],
        },
        importance: ["f3", "f1", "f0", "f5", "f2", "f4"]
            .iter()
            .enumerate()
            .map(|(i, f)| FeatureImportance {
                feature: (*f).into(),
                mean_abs_contribution: 1.0 / (i + 1) as f64,
            })
            .collect(),
        candidates: vec![CandidateSummary {
            model_kind: "lightgbm".into(),
            published: true,
            metrics: BTreeMap::from([("roc_auc".into(), 0.75)]),
        }],
        fairness: FairnessReport::default(),
    }
}

pub fn release(version: &str) -> Release {
    Release {
        model_version: version.into(),
        created_at: "2026-11-29T12:00:00Z".into(),
        code_version: "test".into(),
        training_data_fingerprint: "fixture".into(),
        training_parameters: serde_json::json!({}),
        metrics: BTreeMap::from([("test_roc_auc".into(), 0.75), ("test_f1".into(), 0.4)]),
        thresholds: THRESHOLDS,
    }
}

/// Publishes version `version` built from `seed` (with every attachment).
pub fn publish(registry: &Registry, version: &str, seed: u64) {
    publish_model(registry, version, seed, model(seed));
}

/// Publishes `model` (over [`feature_names`]) as `version`, with the
/// attachments built from `seed`.
pub fn publish_model(registry: &Registry, version: &str, seed: u64, model: Model) {
    publish_with(
        registry,
        &Publication {
            release: release(version),
            model: &model,
            schema: &schema(),
            snapshot: &snapshot(seed),
            report: &report(),
            model_card: "# Model card\n",
        },
    );
}

/// One version as it is published: the model and what travels with it.
pub struct Publication<'a> {
    /// Its manifest's fields; `release.model_version` names the version.
    pub release: Release,
    pub model: &'a Model,
    pub schema: &'a FeatureSchema,
    /// The clients the service scores by id and describes.
    pub snapshot: &'a ClientSnapshot,
    pub report: &'a ModelReport,
    /// Markdown.
    pub model_card: &'a str,
}

/// Publishes `publication` into `registry`, with the reference statistics
/// of its snapshot scored by its model (as the trainer computes them on the
/// training split).
pub fn publish_with(registry: &Registry, publication: &Publication<'_>) {
    let Publication {
        release,
        model,
        schema,
        snapshot,
        report,
        model_card,
    } = publication;
    let mut probabilities = vec![0.0; snapshot.len()];
    model
        .predict_probability_batch(snapshot.values(), &mut probabilities)
        .expect("scores");
    let reference = ReferenceStats::of_rows(
        "training split",
        model.feature_names(),
        snapshot.values(),
        &probabilities,
        20,
    )
    .expect("reference");
    registry
        .publish(Some(&release.model_version), |dir: &Path| {
            write_artifact_with(
                dir,
                release,
                model,
                schema,
                Attachments {
                    report: Some(report),
                    reference: Some(&reference),
                    snapshot: Some(snapshot),
                    model_card: Some(model_card),
                },
            )
            .map(|_| ())
        })
        .expect("publish");
}

/// Changes one digit of `version`'s model file (a directory registry), so
/// that its hash no longer matches and loading it fails.
pub fn corrupt_model_file(registry: &Registry, version: &str) {
    let model_file = registry
        .version_dir(&registry.resolve(version).expect("a published version"))
        .expect("a directory registry")
        .join(scoring_core::artifact::MODEL_FILE);
    let mut bytes = std::fs::read(&model_file).expect("read");
    let at = bytes
        .iter()
        .position(|b| b.is_ascii_digit())
        .expect("a digit");
    bytes[at] = if bytes[at] == b'9' {
        b'8'
    } else {
        bytes[at] + 1
    };
    std::fs::write(&model_file, bytes).expect("corrupt");
}

/// Version `v1` of `registry`, loaded and verified.
pub fn published_v1(registry: &Registry) -> scoring_core::PublishedModel {
    registry
        .load(&registry.resolve("v1").expect("v1"))
        .expect("load")
}

/// A temporary registry with `v1` published and promoted to production.
pub fn registry_with_v1() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let registry = Registry::open(dir.path().join("registry")).expect("registry");
    publish(&registry, "v1", 1);
    registry.promote("v1", "production").expect("promote");
    (dir, registry)
}

/// Points `alias` (alone) at `version` by writing `aliases.json` directly,
/// without the check [`Registry::promote`] makes that the version loads:
/// how a damaged version reaches a server.
pub fn force_alias(registry: &Registry, alias: &str, version: &str) {
    let root = registry
        .version_dir(&registry.resolve(version).expect("a published version"))
        .expect("a directory registry");
    let aliases = root.join("../../aliases.json");
    std::fs::write(aliases, serde_json::json!({ alias: version }).to_string()).expect("aliases");
}

/// Every path under `dir` with its length and modification time, sorted:
/// equal before and after means nothing was created, changed or removed.
pub fn directory_tree(dir: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list") {
        let entry = entry.expect("entry");
        let meta = entry.metadata().expect("metadata");
        found.push((
            entry.path().display().to_string(),
            meta.len(),
            meta.modified().expect("modification time"),
        ));
        if meta.is_dir() {
            found.extend(directory_tree(&entry.path()));
        }
    }
    found.sort();
    found
}
