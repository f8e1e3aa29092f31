//! Applicants given as feature vectors over a real server: the same
//! answers, bit for bit, as the same values given by name, in Score and
//! ScoreBatch; values ordered for another schema, of another length or
//! infinite are refused, naming the field.

use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::score_batch_response::Outcome;
use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use test_support::*;
use tokio_stream::StreamExt;
use tonic::Code;
use tonic::transport::Channel;

fn by_vector(values: &[f64], schema_hash: &str) -> Option<pb::Applicant> {
    Some(pb::Applicant {
        applicant: Some(pb::applicant::Applicant::FeatureVector(pb::FeatureVector {
            values: values.to_vec(),
            schema_hash: schema_hash.to_owned(),
        })),
    })
}

/// What GetModel says of the live model.
async fn live_model(client: &mut ScoringServiceClient<Channel>) -> pb::ModelInfo {
    client
        .get_model(pb::GetModelRequest::default())
        .await
        .expect("model")
        .into_inner()
        .model
        .expect("model info")
}

fn always(applicant: Option<pb::Applicant>) -> pb::ScoreRequest {
    pb::ScoreRequest {
        applicant,
        strategy: pb::Strategy::Prudent as i32,
        max_reason_codes: 4,
        reasons: pb::ReasonPolicy::Always as i32,
    }
}

#[tokio::test]
async fn a_feature_vector_scores_as_the_same_values_given_by_name() {
    let (_dir, registry) = registry_with_v1();
    let (server, mut client) = serve(&registry).await;
    let model = live_model(&mut client).await;
    let names: Vec<&str> = model.features.iter().map(|f| f.name.as_str()).collect();
    let rows = random_rows(&mut Rng::new(5), 40, names.len(), 0.2);

    let mut vectors = Vec::new();
    for row in rows.chunks(names.len()) {
        let by_name = client
            .score(always(by_row(&names, row)))
            .await
            .expect("score by name")
            .into_inner();
        let vector = by_vector(row, &model.schema_hash);
        let alone = client
            .score(always(vector.clone()))
            .await
            .expect("score by vector")
            .into_inner();
        assert_eq!(alone, by_name);
        vectors.push((vector.expect("applicant"), alone));
    }
    let items: Vec<pb::ScoreBatchResponse> = client
        .score_batch(pb::ScoreBatchRequest {
            applicants: vectors.iter().map(|(v, _)| v.clone()).collect(),
            strategy: pb::Strategy::Prudent as i32,
            max_reason_codes: 4,
            reasons: pb::ReasonPolicy::Always as i32,
        })
        .await
        .expect("batch")
        .into_inner()
        .map(|item| item.expect("item"))
        .collect()
        .await;
    for (item, (_, alone)) in items.iter().zip(&vectors) {
        assert_eq!(item.outcome, Some(Outcome::Result(alone.clone())));
    }
    assert_eq!(items.len(), vectors.len());
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn vectors_for_another_schema_of_another_length_or_infinite_are_refused() {
    let (_dir, registry) = registry_with_v1();
    let (server, mut client) = serve(&registry).await;
    let model = live_model(&mut client).await;
    let n = model.features.len();
    let hash = model.schema_hash.as_str();
    let refused = |values: Vec<f64>, schema_hash: String| {
        let mut client = client.clone();
        async move {
            client
                .score(always(by_vector(&values, &schema_hash)))
                .await
                .expect_err("refused")
        }
    };

    let status = refused(vec![0.5; n], String::new()).await;
    assert_refused(
        &status,
        Code::InvalidArgument,
        "applicant.feature_vector.schema_hash",
    );
    let stale = "0".repeat(64);
    let status = refused(vec![0.5; n], stale.clone()).await;
    assert_refused(
        &status,
        Code::FailedPrecondition,
        "applicant.feature_vector.schema_hash",
    );
    assert!(
        status.message().contains(hash) && status.message().contains(&stale[..16]),
        "{}",
        status.message()
    );
    // A caller's megabyte of hash is not echoed back.
    let status = refused(vec![0.5; n], "x".repeat(1 << 20)).await;
    assert!(status.message().len() < 1_000, "{}", status.message().len());

    let status = refused(vec![0.5; n + 1], hash.to_owned()).await;
    assert_refused(
        &status,
        Code::InvalidArgument,
        "applicant.feature_vector.values",
    );
    assert!(
        status.message().contains(&format!("takes {n}")),
        "{}",
        status.message()
    );
    let mut values = vec![f64::NAN; n];
    values[2] = f64::NEG_INFINITY;
    let status = refused(values, hash.to_owned()).await;
    assert_refused(
        &status,
        Code::InvalidArgument,
        "applicant.feature_vector.values[2]",
    );
    assert!(status.message().contains("`f2`"), "{}", status.message());

    // Every value missing is a valid applicant.
    let answer = client
        .score(always(by_vector(&vec![f64::NAN; n], hash)))
        .await
        .expect("all missing")
        .into_inner();
    assert!((0.0..=1.0).contains(&answer.probability_of_default));
    server.shutdown().await.expect("shutdown");
}
