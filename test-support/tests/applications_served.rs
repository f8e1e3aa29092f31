//! From raw records to a decision, both ways: synthetic applicants go
//! through `trainer features`, a model is trained and published, and
//! `trainer score` scores the batch table; the same applicants sent over
//! gRPC as loan applications (their raw records) get the same
//! probability of default. Then applicants the model has never seen
//! (every history shape, categories outside its vocabularies), built in
//! batch with the published schema, the way new clients are scored.
//!
//! Bit for bit: the online engine reduces an applicant's rows in the batch
//! engine's arithmetic. The feature rows themselves are only proven equal
//! within relative 1e-12 (polars' streaming group-by may combine partial
//! states of a client, which rounds differently), but a tree compares a
//! value with a threshold, so a rounding apart changes a probability only
//! when a threshold falls between the two roundings; it never did here,
//! and the test would say so by naming the applicants that differ.

use std::collections::HashMap;
use std::path::Path;

use scoring_core::features::LoanApplication;
use scoring_core::registry::Registry;
use scoring_grpc::config::Settings;
use scoring_grpc::convert::application::application_to_wire;
use scoring_grpc::server::start;
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use test_support::Rng;
use test_support::applications::{Categories, HistoryShape, random_application};
use test_support::home_credit::{read_home_credit, write_home_credit};
use test_support::trained::synthetic_features;
use tokio_stream::StreamExt;
use tonic::transport::Channel;
use trainer::score::ScoreArgs;
use trainer::train::{TrainArgs, train_and_publish};

/// `trainer score` of the table in `features` with model `version`: the
/// probability of default of each client id.
fn trainer_scores(features: &Path, registry: &Path, version: &str) -> HashMap<i64, f64> {
    let out = features.join("scores.csv");
    trainer::score::run(&ScoreArgs {
        features: features.to_owned(),
        registry: registry.to_owned(),
        model: version.to_owned(),
        strategy: "normal".into(),
        id_column: "SK_ID_CURR".into(),
        reasons: 0,
        out: out.clone(),
        shard: trainer::score::Shard::WHOLE,
    })
    .expect("trainer score");
    std::fs::read_to_string(&out)
        .expect("scores")
        .lines()
        .skip(1)
        .map(|line| {
            let mut cells = line.split(',');
            let id = cells.next().expect("id").parse().expect("integer id");
            let p = cells.next().expect("p").parse().expect("probability");
            (id, p)
        })
        .collect()
}

/// The probabilities the service gives `applications` as loan
/// applications (ScoreBatch, 50 per call), in order.
async fn served(
    client: &mut ScoringServiceClient<Channel>,
    applications: &[LoanApplication],
) -> Vec<f64> {
    let mut probabilities = Vec::new();
    for chunk in applications.chunks(50) {
        let applicants = chunk
            .iter()
            .map(|a| pb::Applicant {
                applicant: Some(pb::applicant::Applicant::LoanApplication(
                    application_to_wire(a),
                )),
            })
            .collect();
        let mut stream = client
            .score_batch(pb::ScoreBatchRequest {
                applicants,
                reasons: pb::ReasonPolicy::Never as i32,
                ..Default::default()
            })
            .await
            .expect("batch")
            .into_inner();
        while let Some(item) = stream.next().await {
            match item.expect("item").outcome.expect("outcome") {
                pb::score_batch_response::Outcome::Result(r) => {
                    probabilities.push(r.probability_of_default);
                }
                pb::score_batch_response::Outcome::Error(e) => panic!("refused: {e:?}"),
            }
        }
    }
    probabilities
}

fn client_id(application: &LoanApplication) -> i64 {
    match application.application.get("SK_ID_CURR") {
        Some(scoring_core::features::Value::Number(x)) => *x as i64,
        other => panic!("an applicant without id: {other:?}"),
    }
}

/// Asserts every served probability equals `trainer score`'s bit for bit.
fn assert_same(
    what: &str,
    applications: &[LoanApplication],
    served: &[f64],
    batch: &HashMap<i64, f64>,
) {
    assert_eq!(served.len(), applications.len());
    let mut differing = Vec::new();
    for (application, p) in applications.iter().zip(served) {
        let id = client_id(application);
        let expected = batch[&id];
        if p.to_bits() != expected.to_bits() {
            differing.push((id, *p, expected));
        }
    }
    let mut distinct: Vec<u64> = served.iter().map(|p| p.to_bits()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(
        distinct.len() * 4 > served.len(),
        "{what}: the model tells the applicants apart ({} distinct probabilities)",
        distinct.len()
    );
    assert!(
        differing.is_empty(),
        "{what}: {} of {} applicants differ from trainer score, e.g. {:?}",
        differing.len(),
        applications.len(),
        &differing[..differing.len().min(5)]
    );
}

#[tokio::test]
async fn raw_applications_over_grpc_score_exactly_as_trainer_score() {
    let tmp = tempfile::tempdir().expect("tmp");
    let work = tmp.path().to_owned();
    let registry_dir = work.join("registry");
    let (features_dir, version) = tokio::task::spawn_blocking({
        let (work, registry_dir) = (work.clone(), registry_dir.clone());
        move || {
            let features_dir = synthetic_features(&work, 2_000);
            let mut args = TrainArgs::new(&features_dir, &registry_dir);
            args.trees = 40;
            args.num_leaves = 8;
            args.linfa_rows = 1_000;
            args.compare = false;
            args.promote = true;
            let outcome = train_and_publish(&args).expect("training");
            (features_dir, outcome.version.to_string())
        }
    })
    .await
    .expect("training task");
    let registry = Registry::open(&registry_dir).expect("registry");
    let server = start(Settings::local(
        scoring_core::registry::RegistryLocation::directory(&registry_dir),
    ))
    .await
    .expect("server");
    let mut client = ScoringServiceClient::connect(format!("http://{}", server.addr))
        .await
        .expect("connect");

    // The applicants the model was trained and tested on, from their files.
    let home = read_home_credit(&work.join("synth"));
    assert_eq!(
        home.unlinked, 0,
        "every history row belongs to an applicant's record"
    );
    let batch = tokio::task::spawn_blocking({
        let (features_dir, registry_dir, version) =
            (features_dir.clone(), registry_dir.clone(), version.clone());
        move || trainer_scores(&features_dir, &registry_dir, &version)
    })
    .await
    .expect("scoring task");
    assert_eq!(batch.len(), home.applications.len());
    let online = served(&mut client, &home.applications).await;
    assert_same("synthetic applicants", &home.applications, &online, &batch);

    // Applicants never seen, with every history shape and categories the
    // model's vocabularies lack, built in batch with the published schema.
    let mut rng = Rng::new(77);
    let categories = Categories::real_sized();
    let unseen: Vec<LoanApplication> = (0..150)
        .map(|i| {
            let shape = HistoryShape::ALL[i % HistoryShape::ALL.len()];
            random_application(&mut rng, 900_000 + i as u64, shape, &categories)
        })
        .collect();
    let (new_dir, new_features) = (work.join("new"), work.join("new-features"));
    std::fs::create_dir_all(&new_dir).expect("dir");
    write_home_credit(&new_dir, &unseen, 0);
    let schema = registry
        .version_dir(&registry.resolve(&version).expect("version"))
        .expect("a directory registry");
    let batch = tokio::task::spawn_blocking({
        let (registry_dir, version, new_features) =
            (registry_dir.clone(), version.clone(), new_features.clone());
        move || {
            trainer::features::run(&trainer::features::FeaturesArgs {
                data: new_dir,
                out: new_features.clone(),
                schema: Some(schema.join("feature_schema.json")),
            })
            .expect("features of the new applicants");
            trainer_scores(&new_features, &registry_dir, &version)
        }
    })
    .await
    .expect("scoring task");
    let online = served(&mut client, &unseen).await;
    assert_same("unseen applicants", &unseen, &online, &batch);
    server.shutdown().await.expect("shutdown");
}
