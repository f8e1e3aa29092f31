//! The scoring service over a model trained and published by the trainer
//! (synthetic applicants, the feature pipeline, LightGBM): the artifact the
//! trainer writes is the artifact the service serves, bit for bit. It lives
//! with the other cross-crate tests so that the service's own tests and load
//! bench build without the trainer (polars, LightGBM).

use scoring_core::Strategy;
use scoring_core::registry::Registry;
use scoring_grpc::config::Settings;
use scoring_grpc::server::start;
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use test_support::trained::synthetic_features;
use trainer::train::{TrainArgs, train_and_publish};

#[tokio::test]
async fn serves_a_model_published_by_train_and_publish() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (work, registry_dir) = (tmp.path().to_owned(), tmp.path().join("registry"));
    let outcome = tokio::task::spawn_blocking(move || {
        let features_dir = synthetic_features(&work, 3_000);
        let mut args = TrainArgs::new(&features_dir, &registry_dir);
        args.trees = 30;
        args.num_leaves = 8;
        args.linfa_rows = 1_500;
        args.promote = true;
        train_and_publish(&args).expect("training")
    })
    .await
    .expect("training task");

    let registry = Registry::open(tmp.path().join("registry")).expect("registry");
    let published = registry.load(&outcome.version).expect("load");
    let server = start(Settings::local(registry.location().clone()))
        .await
        .expect("server");
    let mut client = ScoringServiceClient::connect(format!("http://{}", server.addr))
        .await
        .expect("connect");

    // A client of the snapshot the trainer publishes (its unlabelled or
    // test clients).
    let names: Vec<String> = published
        .schema()
        .feature_names()
        .map(str::to_owned)
        .collect();
    let snapshot = published
        .snapshot()
        .expect("the trainer publishes a snapshot");
    let id = snapshot.ids()[snapshot.len() / 2];
    let applicant = pb::applicant::Applicant::ClientId(id);
    let row = snapshot.row(id).expect("row").to_vec();
    let expected = published.decide(&row, Strategy::Normal).expect("decide");
    let response = client
        .score(pb::ScoreRequest {
            applicant: Some(pb::Applicant {
                applicant: Some(applicant),
            }),
            ..Default::default()
        })
        .await
        .expect("score")
        .into_inner();
    assert_eq!(response.model_version, published.manifest().model_version);
    assert_eq!(
        response.probability_of_default.to_bits(),
        expected.probability_of_default.to_bits()
    );
    assert_eq!(response.threshold, published.thresholds().normal);
    let model = client
        .get_model(pb::GetModelRequest::default())
        .await
        .expect("model")
        .into_inner();
    assert_eq!(model.model.expect("info").features.len(), names.len());
    let report = model.report.expect("the trainer publishes its report");
    assert!(!report.cost_curve.is_empty() && !report.model_card_markdown.is_empty());
    let client_id = response.client_id.expect("scored by client id");
    assert_eq!(client_id, id);
    let explained = client
        .explain(pb::ExplainRequest {
            applicant: Some(pb::Applicant {
                applicant: Some(pb::applicant::Applicant::ClientId(client_id)),
            }),
            top_k: 5,
            ..Default::default()
        })
        .await
        .expect("explain")
        .into_inner();
    let sum: f64 = explained.contributions.iter().map(|c| c.contribution).sum();
    let total = explained.base_value + sum + explained.other_contributions;
    assert!((total - explained.raw_score).abs() < 1e-9);
    assert_eq!(explained.raw_score.to_bits(), response.raw_score.to_bits());
    server.shutdown().await.expect("shutdown");
}
