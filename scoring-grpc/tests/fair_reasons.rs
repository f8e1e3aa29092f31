//! Reason codes over a real server hold up as adverse-action reasons for
//! every client of the dashboard model (whose trees push sex and age hard):
//! never a protected column, never more than four whatever is asked; and
//! the column policy reaches callers as flags on features and factors.

use scoring_proto::scoring::v1 as pb;
use test_support::dashboard::{self, FIRST_CLIENT, KNOWN_CLIENT, N_CLIENTS};
use test_support::*;

const PROTECTED: [&str; 2] = ["CODE_GENDER", "DAYS_BIRTH"];

#[tokio::test]
async fn no_client_is_given_a_protected_or_a_fifth_reason() {
    let (_dir, registry) = dashboard::registry();
    let (server, mut client) = serve(&registry).await;
    let mut capped = 0;
    for id in FIRST_CLIENT..FIRST_CLIENT + N_CLIENTS as i64 {
        let answer = client
            .score(pb::ScoreRequest {
                applicant: by_client(id),
                strategy: pb::Strategy::Prudent as i32,
                max_reason_codes: 10,
                reasons: pb::ReasonPolicy::Always as i32,
            })
            .await
            .expect("score")
            .into_inner();
        let reasons = &answer.reason_codes;
        assert!(reasons.len() <= 4, "client {id}: {reasons:?}");
        capped += usize::from(reasons.len() == 4);
        for reason in reasons {
            assert!(
                !PROTECTED.contains(&reason.feature.as_str()),
                "client {id}: {reason:?}"
            );
            assert!(
                reason.value.is_some(),
                "client {id}: a missing value as reason"
            );
        }
    }
    assert!(capped > 0, "the cap was reached for someone");
    server.shutdown().await.expect("stops");
}

#[tokio::test]
async fn features_and_factors_carry_the_column_policy() {
    let (_dir, registry) = dashboard::registry();
    let (server, mut client) = serve(&registry).await;
    let model = client
        .get_model(pb::GetModelRequest { model: None })
        .await
        .expect("model")
        .into_inner()
        .model
        .expect("model info");
    let flags = |name: &str| {
        let spec = model.features.iter().find(|f| f.name == name).expect(name);
        (spec.protected_attribute, spec.actionable)
    };
    assert_eq!(flags("CODE_GENDER"), (true, false));
    assert_eq!(flags("DAYS_BIRTH"), (true, false));
    assert_eq!(flags("EXT_SOURCE_2"), (false, false));
    assert_eq!(flags("AMT_CREDIT"), (false, true));
    let explained = client
        .explain(pb::ExplainRequest {
            applicant: by_client(KNOWN_CLIENT),
            top_k: 0,
            ..Default::default()
        })
        .await
        .expect("explain")
        .into_inner();
    assert_eq!(explained.contributions.len(), model.features.len());
    for factor in &explained.contributions {
        assert_eq!(
            (factor.protected_attribute, factor.actionable),
            flags(&factor.feature),
            "{}",
            factor.feature
        );
    }
    server.shutdown().await.expect("stops");
}
