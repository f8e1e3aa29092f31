//! ScoreBatch explains the applicants whose reasons need a TreeSHAP
//! together, with the batch form of the algorithm: each answer is the one
//! Score gives for that applicant, bit for bit, under every reason policy;
//! one TreeSHAP is counted per explained applicant (none for NEVER); and the
//! explanations of snapshot clients it computes serve later Score calls
//! from the cache. One test in its own binary, so the process-wide counter
//! is this test's alone.

use scoring_grpc::server::RunningServer;
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::score_batch_response::Outcome;
use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use test_support::*;
use tokio_stream::StreamExt;
use tonic::transport::Channel;

/// 150 snapshot clients (three chunks of the batch), every tenth followed
/// by an applicant given by its features and every 25th by one that names
/// no model feature.
fn applicants() -> Vec<pb::Applicant> {
    let mut applicants = Vec::new();
    for i in 0..150 {
        applicants.push(by_client(FIRST_ID + i).expect("applicant"));
        if i % 10 == 0 {
            let x = i as f64 / 150.0;
            let values = [("f0", x), ("f1", 1.0 - x), ("f3", 2.0 * x - 1.0)];
            applicants.push(by_features(&values).expect("applicant"));
        }
        if i % 25 == 0 {
            applicants.push(by_features(&[("unknown", 1.0)]).expect("applicant"));
        }
    }
    applicants
}

async fn batch(
    client: &mut ScoringServiceClient<Channel>,
    applicants: &[pb::Applicant],
    reasons: pb::ReasonPolicy,
) -> Vec<pb::ScoreBatchResponse> {
    client
        .score_batch(pb::ScoreBatchRequest {
            applicants: applicants.to_vec(),
            strategy: pb::Strategy::Prudent as i32,
            max_reason_codes: 3,
            reasons: reasons as i32,
        })
        .await
        .expect("batch")
        .into_inner()
        .map(|item| item.expect("item"))
        .collect()
        .await
}

/// The Score request asking for `applicant` what the batches ask.
fn alone(applicant: &pb::Applicant, reasons: pb::ReasonPolicy) -> pb::ScoreRequest {
    pb::ScoreRequest {
        applicant: Some(applicant.clone()),
        strategy: pb::Strategy::Prudent as i32,
        max_reason_codes: 3,
        reasons: reasons as i32,
    }
}

/// TreeSHAPs computed by the server so far.
async fn counted(server: &RunningServer) -> u64 {
    metric_value(&metrics_text(server).await, "scoring_explanations_total") as u64
}

#[tokio::test]
async fn a_batch_answers_each_applicant_as_score_does_with_one_treeshap_each() {
    let (_dir, registry) = registry_with_v1();
    let mut settings = settings_with_metrics(&registry);
    settings.score_cache_clients = 0;
    let server = scoring_grpc::server::start(settings).await.expect("server");
    let mut client = connect(&server).await;
    let applicants = applicants();

    let mut refusals = 0;
    for policy in [
        pb::ReasonPolicy::Always,
        pb::ReasonPolicy::ForRefusals,
        pb::ReasonPolicy::Never,
    ] {
        let before = counted(&server).await;
        let items = batch(&mut client, &applicants, policy).await;
        let explained = counted(&server).await - before;
        assert_eq!(items.len(), applicants.len());
        let (mut answered, mut refused, mut with_reasons) = (0, 0, 0);
        for (i, (item, applicant)) in items.iter().zip(&applicants).enumerate() {
            assert_eq!(item.index as usize, i);
            let single = client.score(alone(applicant, policy)).await;
            match (&item.outcome, single) {
                (Some(Outcome::Result(batched)), Ok(alone)) => {
                    assert_eq!(batched, &alone.into_inner(), "applicant {i}, {policy:?}");
                    answered += 1;
                    refused += usize::from(batched.decision == pb::Decision::Refuse as i32);
                    with_reasons += usize::from(!batched.reason_codes.is_empty());
                }
                (Some(Outcome::Error(error)), Err(status)) => {
                    assert_eq!(error.code, status.code() as i32, "applicant {i}");
                    let prefix = format!("applicants[{i}]");
                    let alone = status.message().replacen("applicant", &prefix, 1);
                    assert_eq!(error.message, alone, "applicant {i}");
                    assert!(error.field.starts_with(&prefix), "{}", error.field);
                }
                (batched, alone) => panic!("applicant {i}: {batched:?} alone {alone:?}"),
            }
        }
        assert_eq!(answered, 150 + 15, "{policy:?}");
        let expected = match policy {
            pb::ReasonPolicy::Always => answered,
            pb::ReasonPolicy::ForRefusals => refused,
            _ => 0,
        };
        assert_eq!(
            explained, expected as u64,
            "TreeSHAPs of the batch, {policy:?}"
        );
        if policy == pb::ReasonPolicy::Never {
            assert_eq!(with_reasons, 0);
        } else {
            assert!(with_reasons > 0, "{policy:?}: some answer has reasons");
        }
        refusals = refused;
    }
    assert!(0 < refusals && refusals < 165, "both decisions occur");
    server.shutdown().await.expect("shutdown");

    // With the cache: the batch's explanations of snapshot clients serve
    // the Score calls that follow, without another TreeSHAP.
    let server = scoring_grpc::server::start(settings_with_metrics(&registry))
        .await
        .expect("server");
    let mut client = connect(&server).await;
    let clients: Vec<pb::Applicant> = (0..100)
        .map(|i| by_client(FIRST_ID + i).expect("applicant"))
        .collect();
    let before = counted(&server).await;
    let items = batch(&mut client, &clients, pb::ReasonPolicy::Always).await;
    assert_eq!(counted(&server).await - before, 100);
    for (item, applicant) in items.iter().zip(&clients) {
        let single = client
            .score(alone(applicant, pb::ReasonPolicy::Always))
            .await
            .expect("score")
            .into_inner();
        assert_eq!(item.outcome, Some(Outcome::Result(single)));
    }
    assert_eq!(
        counted(&server).await - before,
        100,
        "every Score was cached"
    );
    server.shutdown().await.expect("shutdown");
}
