//! Reason policies over a real server: reasons only where asked, the same
//! probability and decision whatever the policy, and no TreeSHAP for a
//! decision without reasons (counted by `scoring_explanations_total`). One
//! test in its own binary, so the process-wide counter is this test's alone.

use scoring_proto::scoring::v1 as pb;
use test_support::*;
use tonic::Code;

fn request(id: i64, strategy: pb::Strategy, reasons: pb::ReasonPolicy) -> pb::ScoreRequest {
    pb::ScoreRequest {
        applicant: by_client(id),
        strategy: strategy as i32,
        max_reason_codes: 0,
        reasons: reasons as i32,
    }
}

fn explanations_counted(metrics: &str) -> u64 {
    metric_value(metrics, "scoring_explanations_total") as u64
}

#[tokio::test]
async fn reasons_are_computed_only_where_the_policy_asks_for_them() {
    let (_dir, registry) = registry_with_v1();
    let mut settings = settings_with_metrics(&registry);
    // No explanation cache: every reason must come from a fresh TreeSHAP.
    settings.score_cache_clients = 0;
    let server = scoring_grpc::server::start(settings).await.expect("server");
    let mut client = connect(&server).await;
    let ids: Vec<i64> = (0..60).map(|i| FIRST_ID + i).collect();

    // NEVER: no reasons, no TreeSHAP.
    let mut never = Vec::new();
    for &id in &ids {
        let r = client
            .score(request(id, pb::Strategy::Prudent, pb::ReasonPolicy::Never))
            .await
            .expect("score")
            .into_inner();
        assert!(r.reason_codes.is_empty(), "client {id}: {r:?}");
        never.push(r);
    }
    assert_eq!(explanations_counted(&metrics_text(&server).await), 0);

    // ALWAYS: the same numbers and decisions, one TreeSHAP each.
    let mut with_reasons = 0;
    for (&id, plain) in ids.iter().zip(&never) {
        let r = client
            .score(request(id, pb::Strategy::Prudent, pb::ReasonPolicy::Always))
            .await
            .expect("score")
            .into_inner();
        assert_eq!(r.raw_score.to_bits(), plain.raw_score.to_bits());
        assert_eq!(
            r.probability_of_default.to_bits(),
            plain.probability_of_default.to_bits()
        );
        assert_eq!(r.decision, plain.decision);
        with_reasons += usize::from(!r.reason_codes.is_empty());
    }
    assert!(with_reasons > 0, "some applicant has a reason");
    assert_eq!(explanations_counted(&metrics_text(&server).await), 60);

    // UNSPECIFIED = FOR_REFUSALS: reasons (and a TreeSHAP) for refusals only.
    let refused = never
        .iter()
        .filter(|r| r.decision == pb::Decision::Refuse as i32)
        .count();
    assert!(0 < refused && refused < ids.len(), "both decisions occur");
    for (&id, plain) in ids.iter().zip(&never) {
        let r = client
            .score(request(
                id,
                pb::Strategy::Prudent,
                pb::ReasonPolicy::Unspecified,
            ))
            .await
            .expect("score")
            .into_inner();
        assert_eq!(r.decision, plain.decision);
        if r.decision == pb::Decision::Accept as i32 {
            assert!(r.reason_codes.is_empty(), "accepted {id} has no reasons");
        }
    }
    assert_eq!(
        explanations_counted(&metrics_text(&server).await),
        60 + refused as u64
    );

    // A policy outside the enum is refused, naming the field.
    let mut bad = request(FIRST_ID, pb::Strategy::Normal, pb::ReasonPolicy::Never);
    bad.reasons = 99;
    let status = client.score(bad).await.expect_err("refused");
    assert_refused(&status, Code::InvalidArgument, "reasons");
}
