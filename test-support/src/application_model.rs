//! A production-shaped model over the kernel's features (the ones the
//! trainer builds and the online engine computes from raw records),
//! published with a snapshot of random applicants, so that the service can
//! be asked to score loan applications (the service's tests and load
//! bench). The trees are random; what matters is that the model's schema is
//! the feature definition's, with real-sized category vocabularies.

use scoring_core::features::{
    ColumnDescriptions, LoanApplication, OnlineEngine, kernel_definition,
};
use scoring_core::model::{BoostedTrees, Estimator, Model, Tree};
use scoring_core::registry::Registry;
use scoring_core::snapshot::ClientSnapshot;
use scoring_core::{Attachments, FeatureSchema, Release, Thresholds, write_artifact_with};

use crate::applications::{Categories, HistoryShape, random_application};
use crate::{Rng, TreeShape, random_tree_parts};

/// The published model's applicants and what they were built with.
pub struct ApplicationModel {
    pub schema: FeatureSchema,
    pub model: Model,
    /// The snapshot's clients as loan applications, ids `1..=n`.
    pub applications: Vec<LoanApplication>,
    /// Their feature rows (row-major), as the online engine computes them.
    pub rows: Vec<f64>,
    pub thresholds: Thresholds,
}

/// The kernel's schema with [`Categories::real_sized`] vocabularies.
pub fn kernel_schema() -> FeatureSchema {
    let definition = kernel_definition(&ColumnDescriptions::new());
    definition
        .schema(&Categories::real_sized().vocabularies(&definition))
        .expect("the kernel definition resolves")
}

/// `n_trees` random trees of up to 34 leaves over the kernel's features,
/// with `clients` random applicants (at least 1) whose history shapes cycle
/// through `shapes`, and thresholds that refuse about 20 / 10 / 5 % of them
/// under prudent / normal / aggressive.
pub fn application_model(
    n_trees: usize,
    clients: usize,
    shapes: &[HistoryShape],
) -> ApplicationModel {
    let schema = kernel_schema();
    let names: Vec<String> = schema.feature_names().map(str::to_owned).collect();
    let shape = TreeShape {
        n_features: names.len(),
        leaves: 34,
        max_depth: 8,
        categorical: 0.0,
        nan_missing_only: true,
        leaf_scale: 0.05,
    };
    let mut rng = Rng::new(4242);
    let trees = (0..n_trees)
        .map(|_| Tree::new(random_tree_parts(&mut rng, shape)).expect("valid tree"))
        .collect();
    let estimator = Estimator::BoostedTrees(BoostedTrees {
        base_score: -2.4,
        trees,
    });
    let model = Model::new(names, estimator).expect("valid model");

    let categories = Categories::real_sized();
    let applications: Vec<LoanApplication> = (0..clients.max(1))
        .map(|i| {
            let shape = shapes.get(i % shapes.len().max(1)).copied();
            let shape = shape.unwrap_or(HistoryShape::None);
            random_application(&mut rng, 1 + i as u64, shape, &categories)
        })
        .collect();
    let engine = OnlineEngine::kernel(&schema).expect("engine");
    let rows: Vec<f64> = applications
        .iter()
        .flat_map(|a| engine.features(a).expect("valid application"))
        .collect();
    let mut probabilities = vec![0.0; applications.len()];
    model
        .predict_probability_batch(&rows, &mut probabilities)
        .expect("scores");
    probabilities.sort_by(f64::total_cmp);
    let quantile = |q: f64| probabilities[((probabilities.len() - 1) as f64 * q) as usize];
    let thresholds = Thresholds {
        prudent: quantile(0.80),
        normal: quantile(0.90),
        aggressive: quantile(0.95),
    };
    ApplicationModel {
        schema,
        model,
        applications,
        rows,
        thresholds,
    }
}

impl ApplicationModel {
    /// Publishes the model as `version` with its snapshot and promotes it to
    /// `production`.
    pub fn publish(&self, registry: &Registry, version: &str) {
        let ids = (1..=self.applications.len() as i64).collect();
        let names = self.model.feature_names().to_vec();
        let snapshot = ClientSnapshot::new(names, ids, self.rows.clone()).expect("snapshot");
        let release = Release {
            model_version: version.into(),
            created_at: "2026-12-01T00:00:00Z".into(),
            code_version: "test".into(),
            training_data_fingerprint: "random applications".into(),
            training_parameters: serde_json::json!({}),
            metrics: Default::default(),
            thresholds: self.thresholds,
        };
        let attachments = Attachments {
            snapshot: Some(&snapshot),
            ..Default::default()
        };
        registry
            .publish(Some(version), |dir| {
                write_artifact_with(dir, &release, &self.model, &self.schema, attachments)
                    .map(|_| ())
            })
            .expect("publish");
        registry.promote(version, "production").expect("promote");
    }
}
