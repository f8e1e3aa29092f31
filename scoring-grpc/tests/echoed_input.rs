//! Errors repeat at most 200 characters of what a caller sent (a 1 MB name
//! once came back whole in the status message and its details).

use scoring_grpc::error::MAX_ECHOED_CHARS;
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::get_model_request::Model as Which;
use test_support::*;
use tonic::Code;
use tonic_types::StatusExt;

fn assert_bounded(status: &tonic::Status, code: Code) {
    assert_eq!(status.code(), code, "{status:?}");
    let message = status.message();
    assert!(
        message.chars().count() < 3 * MAX_ECHOED_CHARS && message.contains('…'),
        "a short message marking the cut: {} chars",
        message.chars().count()
    );
    let details = status.get_error_details();
    let echoed = details
        .bad_request()
        .map(|b| {
            b.field_violations
                .iter()
                .map(|v| v.field.chars().count() + v.description.chars().count())
                .sum::<usize>()
        })
        .unwrap_or(0)
        + details
            .resource_info()
            .map(|r| r.resource_type.chars().count() + r.resource_name.chars().count())
            .unwrap_or(0);
    assert!(
        echoed <= 2 * (MAX_ECHOED_CHARS + 1),
        "details echo {echoed} chars"
    );
}

#[tokio::test]
async fn a_megabyte_name_comes_back_cut_to_200_characters() {
    let (_dir, registry) = registry_with_v1();
    let (server, mut client) = serve(&registry).await;
    let huge = "é".repeat(500_000);

    let status = client
        .score(pb::ScoreRequest {
            applicant: by_features(&[(&huge, 1.0)]),
            ..Default::default()
        })
        .await
        .expect_err("an unknown feature");
    assert_bounded(&status, Code::InvalidArgument);

    let status = client
        .get_model(pb::GetModelRequest {
            model: Some(Which::Alias(huge.clone())),
        })
        .await
        .expect_err("an unknown alias");
    assert_bounded(&status, Code::NotFound);

    let status = client
        .describe_feature(pb::DescribeFeatureRequest {
            feature: huge,
            ..Default::default()
        })
        .await
        .expect_err("an unknown feature");
    assert!(
        matches!(status.code(), Code::NotFound | Code::InvalidArgument),
        "{status:?}"
    );
    assert_bounded(&status, status.code());
    server.shutdown().await.expect("shutdown");
}
