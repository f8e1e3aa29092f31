//! Test fixtures: a small random boosted-trees model published into a
//! temporary registry with its report, reference statistics, client
//! snapshot and model card; a real server on 127.0.0.1:0 and its client.
#![allow(dead_code, unreachable_pub)]

#[path = "../../../scoring-core/tests/common/mod.rs"]
mod core_common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use core_common::{Rng, TreeShape, random_ensemble, random_rows};
use scoring_core::reference::ReferenceStats;
use scoring_core::registry::Registry;
use scoring_core::report::{
    CalibrationBin, CalibrationReport, CandidateSummary, CostPoint, CostReport, FeatureImportance,
    ModelReport, StrategyConfusion,
};
use scoring_core::snapshot::ClientSnapshot;
use scoring_core::{
    Attachments, FeatureKind, FeatureSchema, FeatureSpec, Model, Release, Strategy, Thresholds,
    write_artifact_with,
};
use scoring_grpc::config::Settings;
use scoring_grpc::pb::scoring::v1 as pb;
use scoring_grpc::pb::scoring::v1::scoring_service_client::ScoringServiceClient;
use scoring_grpc::server::{RunningServer, start};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

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

pub fn schema() -> FeatureSchema {
    FeatureSchema {
        format_version: 1,
        id_column: "SK_ID_CURR".into(),
        target_column: Some("TARGET".into()),
        features: feature_names()
            .into_iter()
            .map(|name| FeatureSpec {
                description: format!("Description of {name}"),
                name,
                kind: FeatureKind::Numeric,
                source_table: "application".into(),
                source_column: "X".into(),
                aggregation: "none".into(),
                category: None,
            })
            .collect(),
        vocabularies: vec![],
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
    let snapshot = snapshot(seed);
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
    let report = report();
    registry
        .publish(Some(version), |dir: &Path| {
            write_artifact_with(
                dir,
                &release(version),
                &model,
                &schema(),
                Attachments {
                    report: Some(&report),
                    reference: Some(&reference),
                    snapshot: Some(&snapshot),
                    model_card: Some("# Model card\n"),
                },
            )
            .map(|_| ())
        })
        .expect("publish");
}

/// Version `v1` of `registry`, loaded and verified.
pub fn published_v1(registry: &Registry) -> scoring_core::PublishedModel {
    scoring_core::PublishedModel::load(&registry.version_dir(&registry.resolve("v1").expect("v1")))
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

/// Settings for a test server on the registry: fast reloads, no auth.
pub fn settings(registry: &Registry) -> Settings {
    let mut settings = Settings::local(registry.root());
    settings.reload_interval = Duration::from_millis(50);
    settings
}

pub async fn connect(server: &RunningServer) -> ScoringServiceClient<Channel> {
    let channel = Channel::from_shared(format!("http://{}", server.addr))
        .expect("uri")
        .connect()
        .await
        .expect("connect");
    ScoringServiceClient::new(channel)
}

/// A server on `registry` with `v1` live, and a client.
pub async fn serve(registry: &Registry) -> (RunningServer, ScoringServiceClient<Channel>) {
    let server = start(settings(registry)).await.expect("server starts");
    let client = connect(&server).await;
    (server, client)
}

pub fn by_client(id: i64) -> Option<pb::Applicant> {
    Some(pb::Applicant {
        applicant: Some(pb::applicant::Applicant::ClientId(id)),
    })
}

pub fn by_features(values: &[(&str, f64)]) -> Option<pb::Applicant> {
    Some(pb::Applicant {
        applicant: Some(pb::applicant::Applicant::Features(pb::FeatureValues {
            values: values.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
        })),
    })
}

/// Asserts a status's code and that its BadRequest / ResourceInfo detail
/// names `field`.
pub fn assert_refused(status: &tonic::Status, code: tonic::Code, field: &str) {
    use tonic_types::StatusExt;
    assert_eq!(status.code(), code, "{status:?}");
    let details = status.get_error_details();
    let named = match code {
        tonic::Code::InvalidArgument => details
            .bad_request()
            .map(|b| b.field_violations.iter().any(|v| v.field == field)),
        tonic::Code::NotFound => details.resource_info().map(|r| r.resource_type == field),
        _ => Some(status.message().contains(field)),
    };
    assert_eq!(named, Some(true), "field `{field}` not named in {status:?}");
}

/// Waits (polling) until `check` holds; panics after a minute.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..1200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("gave up waiting for {what}");
}

/// The scoring service's health as `grpc.health.v1` reports it.
pub async fn health(server: &RunningServer) -> ServingStatus {
    let channel = Channel::from_shared(format!("http://{}", server.addr))
        .expect("uri")
        .connect()
        .await
        .expect("connect");
    let response = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "scoring.v1.ScoringService".into(),
        })
        .await
        .expect("health")
        .into_inner();
    ServingStatus::try_from(response.status).expect("status")
}

/// The Prometheus text of the server's metrics endpoint.
pub async fn metrics_text(server: &RunningServer) -> String {
    let addr = server.metrics_addr.expect("metrics enabled");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nhost: test\r\n\r\n")
        .await
        .expect("write");
    let mut body = String::new();
    stream.read_to_string(&mut body).await.expect("read");
    body
}
