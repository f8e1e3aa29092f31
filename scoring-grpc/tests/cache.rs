//! Score answers from the explanation cache equal scoring-core's decisions
//! bit for bit, whatever the strategy and number of reason codes; a
//! disabled cache gives the same answers.

use scoring_core::Strategy;
use scoring_grpc::server::start;
use scoring_proto::scoring::v1 as pb;
use test_support::*;

#[tokio::test]
async fn cached_and_fresh_scores_are_identical() {
    let (_dir, registry) = registry_with_v1();
    let published = published_v1(&registry);
    let snapshot = published.snapshot().expect("snapshot");
    let mut answers = Vec::new();
    for cache in [0, 1000] {
        let mut settings = settings(&registry);
        settings.score_cache_clients = cache;
        let server = start(settings).await.expect("server");
        let mut client = connect(&server).await;
        let mut these = Vec::new();
        // Each client three times: the first fills the cache, the others
        // read it (with another strategy and number of reasons), and more
        // reasons than the cache keeps computes afresh.
        for id in [FIRST_ID, FIRST_ID + 17, FIRST_ID + 250] {
            for (strategy, wire, reasons) in [
                (Strategy::Normal, 0, 0),
                (Strategy::Aggressive, 3, 2),
                (Strategy::Prudent, 1, 6),
                (Strategy::Normal, 2, 20),
            ] {
                let response = client
                    .score(pb::ScoreRequest {
                        applicant: by_client(id),
                        strategy: wire,
                        max_reason_codes: reasons,
                        reasons: pb::ReasonPolicy::Always as i32,
                    })
                    .await
                    .expect("score")
                    .into_inner();
                let wanted = if reasons == 0 { 4 } else { reasons as usize };
                let (expected, _) = published
                    .decide_explained(snapshot.row(id).expect("row"), strategy, wanted)
                    .expect("decide");
                assert_eq!(response.raw_score.to_bits(), expected.raw_score.to_bits());
                assert_eq!(
                    response.probability_of_default.to_bits(),
                    expected.probability_of_default.to_bits()
                );
                assert_eq!(
                    response.decision,
                    scoring_grpc::convert::ToWire::to_wire(&expected.outcome) as i32
                );
                let reasons: Vec<(String, u64, Option<u64>)> = response
                    .reason_codes
                    .iter()
                    .map(|r| {
                        (
                            r.feature.clone(),
                            r.contribution.to_bits(),
                            r.value.map(f64::to_bits),
                        )
                    })
                    .collect();
                let expected: Vec<(String, u64, Option<u64>)> = expected
                    .reasons
                    .iter()
                    .map(|r| {
                        (
                            r.feature.clone(),
                            r.contribution.to_bits(),
                            r.value.map(f64::to_bits),
                        )
                    })
                    .collect();
                assert_eq!(
                    reasons, expected,
                    "client {id}, {strategy}, {wanted} reasons, cache {cache}"
                );
                these.push(response);
            }
        }
        answers.push(these);
        server.shutdown().await.expect("shutdown");
    }
    assert_eq!(answers[0], answers[1]);
}
