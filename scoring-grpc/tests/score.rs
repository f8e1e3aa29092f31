//! Score, Explain and ScoreBatch against a real server: answers equal
//! scoring-core's bit for bit, explanations add up, and every kind of bad
//! input is refused with the field named.

use scoring_core::Strategy;
use scoring_proto::scoring::v1 as pb;
use test_support::*;
use tokio_stream::StreamExt;
use tonic::Code;

fn score_request(applicant: Option<pb::Applicant>) -> pb::ScoreRequest {
    pb::ScoreRequest {
        applicant,
        strategy: 0,
        max_reason_codes: 0,
        reasons: pb::ReasonPolicy::Always as i32,
    }
}

#[tokio::test]
async fn score_by_client_id_equals_decide_on_the_snapshot_row_bit_for_bit() {
    let (_dir, registry) = registry_with_v1();
    let (server, mut client) = serve(&registry).await;
    let published = published_v1(&registry);
    let snapshot = published.snapshot().expect("snapshot");
    for (id, strategy, wire) in [
        (FIRST_ID, Strategy::Normal, 0),
        (FIRST_ID + 7, Strategy::Prudent, 1),
        (FIRST_ID + 42, Strategy::Aggressive, 3),
    ] {
        let response = client
            .score(pb::ScoreRequest {
                applicant: by_client(id),
                strategy: wire,
                max_reason_codes: 0,
                reasons: pb::ReasonPolicy::Always as i32,
            })
            .await
            .expect("score")
            .into_inner();
        let expected = published
            .decide(snapshot.row(id).expect("row"), strategy)
            .expect("decide");
        assert_eq!(response.model_version, "v1");
        assert_eq!(response.client_id, Some(id));
        assert_eq!(
            response.probability_of_default.to_bits(),
            expected.probability_of_default.to_bits()
        );
        assert_eq!(response.raw_score.to_bits(), expected.raw_score.to_bits());
        assert_eq!(response.threshold, expected.threshold);
        assert_eq!(
            response.strategy,
            scoring_grpc::convert::ToWire::to_wire(&strategy) as i32
        );
        assert_eq!(
            response.decision,
            scoring_grpc::convert::ToWire::to_wire(&expected.outcome) as i32
        );
        assert_eq!(
            response.distance_to_threshold,
            expected.probability_of_default - expected.threshold
        );
        let reasons: Vec<(String, u64)> = response
            .reason_codes
            .iter()
            .map(|r| (r.feature.clone(), r.contribution.to_bits()))
            .collect();
        let expected_reasons: Vec<(String, u64)> = expected
            .reasons
            .iter()
            .map(|r| (r.feature.clone(), r.contribution.to_bits()))
            .collect();
        assert_eq!(reasons, expected_reasons);
        for r in &response.reason_codes {
            assert_eq!(r.description, format!("Description of {}", r.feature));
            assert!(r.contribution > 0.0);
        }
    }
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn features_and_modified_clients_score_like_the_rows_they_describe() {
    let (_dir, registry) = registry_with_v1();
    let (server, mut client) = serve(&registry).await;
    let published = published_v1(&registry);
    let row = published
        .snapshot()
        .expect("snapshot")
        .row(FIRST_ID + 3)
        .expect("row")
        .to_vec();

    let given: Vec<(String, f64)> = row
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.is_nan())
        .map(|(j, v)| (format!("f{j}"), *v))
        .collect();
    let pairs: Vec<(&str, f64)> = given.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let by_values = client
        .score(score_request(by_features(&pairs)))
        .await
        .expect("score")
        .into_inner();
    let by_id = client
        .score(score_request(by_client(FIRST_ID + 3)))
        .await
        .expect("score")
        .into_inner();
    assert_eq!(by_values.client_id, None);
    assert_eq!(by_values.raw_score.to_bits(), by_id.raw_score.to_bits());

    let mut modified = row.clone();
    modified[0] = 1.25;
    modified[1] = f64::NAN;
    let expected = published
        .decide(&modified, Strategy::Normal)
        .expect("decide");
    let response = client
        .score(score_request(Some(pb::Applicant {
            applicant: Some(pb::applicant::Applicant::ModifiedClient(
                pb::ModifiedClient {
                    client_id: FIRST_ID + 3,
                    values: [("f0".to_owned(), 1.25)].into(),
                    cleared: vec!["f1".into()],
                },
            )),
        })))
        .await
        .expect("score")
        .into_inner();
    assert_eq!(response.client_id, Some(FIRST_ID + 3));
    assert_eq!(response.raw_score.to_bits(), expected.raw_score.to_bits());

    let many = client
        .score(pb::ScoreRequest {
            applicant: by_client(FIRST_ID + 3),
            strategy: 0,
            max_reason_codes: 1,
            reasons: pb::ReasonPolicy::Always as i32,
        })
        .await
        .expect("score")
        .into_inner();
    assert!(many.reason_codes.len() <= 1);
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn bad_score_requests_are_refused_naming_the_field() {
    let (_dir, registry) = registry_with_v1();
    let (server, mut client) = serve(&registry).await;
    let cases: Vec<(pb::ScoreRequest, Code, &str)> = vec![
        (score_request(None), Code::InvalidArgument, "applicant"),
        (
            score_request(Some(pb::Applicant { applicant: None })),
            Code::InvalidArgument,
            "applicant",
        ),
        (
            score_request(by_features(&[("nope", 1.0)])),
            Code::InvalidArgument,
            "applicant.features.values[nope]",
        ),
        (
            score_request(by_features(&[("f0", f64::NAN)])),
            Code::InvalidArgument,
            "applicant.features.values[f0]",
        ),
        (
            score_request(by_features(&[("f2", f64::INFINITY)])),
            Code::InvalidArgument,
            "applicant.features.values[f2]",
        ),
        (
            score_request(by_client(7)),
            Code::NotFound,
            "applicant.client_id",
        ),
        (
            pb::ScoreRequest {
                applicant: by_client(FIRST_ID),
                strategy: 9,
                max_reason_codes: 0,
                reasons: pb::ReasonPolicy::Always as i32,
            },
            Code::InvalidArgument,
            "strategy",
        ),
        (
            score_request(Some(pb::Applicant {
                applicant: Some(pb::applicant::Applicant::ModifiedClient(
                    pb::ModifiedClient {
                        client_id: FIRST_ID,
                        values: Default::default(),
                        cleared: vec!["zz".into()],
                    },
                )),
            })),
            Code::InvalidArgument,
            "applicant.modified_client.cleared[0]",
        ),
        (
            score_request(Some(pb::Applicant {
                applicant: Some(pb::applicant::Applicant::ModifiedClient(
                    pb::ModifiedClient {
                        client_id: 3,
                        values: Default::default(),
                        cleared: vec![],
                    },
                )),
            })),
            Code::NotFound,
            "applicant.modified_client.client_id",
        ),
    ];
    for (request, code, field) in cases {
        let status = client.score(request).await.expect_err("refused");
        assert_refused(&status, code, field);
    }
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn explain_adds_up_to_the_raw_score_in_every_order() {
    let (_dir, registry) = registry_with_v1();
    let (server, mut client) = serve(&registry).await;
    for (order, top_k) in [(0, 0), (1, 2), (2, 3), (3, 1), (4, 0), (4, 4), (1, 100)] {
        let response = client
            .explain(pb::ExplainRequest {
                applicant: by_client(FIRST_ID + 11),
                top_k,
                order,
                strategy: 0,
                max_reason_codes: 0,
                include_feature_values: false,
            })
            .await
            .expect("explain")
            .into_inner();
        assert_eq!(response.model_version, "v1");
        assert_eq!(response.feature_count as usize, N_FEATURES);
        let kept = if top_k == 0 {
            N_FEATURES
        } else {
            (top_k as usize).min(N_FEATURES)
        };
        assert_eq!(response.contributions.len(), kept);
        let sum: f64 = response.contributions.iter().map(|c| c.contribution).sum();
        let total = response.base_value + sum + response.other_contributions;
        assert!(
            (total - response.raw_score).abs() < 1e-9,
            "{total} vs {}",
            response.raw_score
        );
        let c: Vec<f64> = response
            .contributions
            .iter()
            .map(|c| c.contribution)
            .collect();
        let sorted = |key: fn(f64) -> f64| c.windows(2).all(|w| key(w[0]) >= key(w[1]));
        match order {
            0 | 1 => assert!(sorted(f64::abs)),
            2 => assert!(sorted(|x| x)),
            3 => assert!(sorted(|x| -x)),
            _ => {
                let names: Vec<&str> = response
                    .contributions
                    .iter()
                    .map(|c| c.feature.as_str())
                    .collect();
                let expected: Vec<String> = feature_names().into_iter().take(kept).collect();
                assert_eq!(names, expected);
            }
        }
        let score = client
            .score(score_request(by_client(FIRST_ID + 11)))
            .await
            .expect("score")
            .into_inner();
        assert_eq!(score.raw_score.to_bits(), response.raw_score.to_bits());
        assert_eq!(score.reason_codes, response.reason_codes);
        assert_eq!(score.decision, response.decision);
    }
    let status = client
        .explain(pb::ExplainRequest {
            applicant: by_client(FIRST_ID),
            order: 42,
            ..Default::default()
        })
        .await
        .expect_err("bad order");
    assert_refused(&status, Code::InvalidArgument, "order");
    let status = client
        .explain(pb::ExplainRequest::default())
        .await
        .expect_err("no applicant");
    assert_refused(&status, Code::InvalidArgument, "applicant");
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn score_batch_streams_one_answer_per_applicant_in_order_with_item_errors() {
    let (_dir, registry) = registry_with_v1();
    let (server, mut client) = serve(&registry).await;
    let applicants = vec![
        by_client(FIRST_ID + 1).expect("applicant"),
        by_client(1).expect("applicant"),
        by_features(&[("f0", 0.5)]).expect("applicant"),
        by_features(&[("bad", 0.5)]).expect("applicant"),
        pb::Applicant { applicant: None },
        by_client(FIRST_ID + 2).expect("applicant"),
    ];
    let stream = client
        .score_batch(pb::ScoreBatchRequest {
            applicants,
            strategy: 1,
            max_reason_codes: 2,
            reasons: pb::ReasonPolicy::Always as i32,
        })
        .await
        .expect("batch")
        .into_inner();
    let items: Vec<pb::ScoreBatchResponse> = stream.map(|i| i.expect("item")).collect().await;
    assert_eq!(items.len(), 6);
    for (i, item) in items.iter().enumerate() {
        assert_eq!(item.index as usize, i);
        assert_eq!(item.model_version, "v1");
    }
    let single = client
        .score(pb::ScoreRequest {
            applicant: by_client(FIRST_ID + 1),
            strategy: 1,
            max_reason_codes: 2,
            reasons: pb::ReasonPolicy::Always as i32,
        })
        .await
        .expect("score")
        .into_inner();
    use pb::score_batch_response::Outcome;
    assert_eq!(items[0].outcome, Some(Outcome::Result(single)));
    assert_eq!(items[0].client_id, Some(FIRST_ID + 1));
    let error = |i: usize| match &items[i].outcome {
        Some(Outcome::Error(e)) => e.clone(),
        other => panic!("item {i}: {other:?}"),
    };
    assert_eq!(error(1).code, Code::NotFound as i32);
    assert_eq!(error(1).field, "applicants[1].client_id");
    assert!(matches!(items[2].outcome, Some(Outcome::Result(_))));
    assert_eq!(error(3).code, Code::InvalidArgument as i32);
    assert_eq!(error(3).field, "applicants[3].features.values[bad]");
    assert_eq!(error(4).field, "applicants[4]");
    assert!(matches!(items[5].outcome, Some(Outcome::Result(_))));

    let status = client
        .score_batch(pb::ScoreBatchRequest::default())
        .await
        .expect_err("empty batch");
    assert_refused(&status, Code::InvalidArgument, "applicants");
    server.shutdown().await.expect("shutdown");

    let mut settings = settings(&registry);
    settings.max_batch = 3;
    let server = scoring_grpc::server::start(settings).await.expect("server");
    let mut client = connect(&server).await;
    let status = client
        .score_batch(pb::ScoreBatchRequest {
            applicants: vec![by_client(FIRST_ID).expect("applicant"); 4],
            ..Default::default()
        })
        .await
        .expect_err("oversized batch");
    assert_refused(&status, Code::InvalidArgument, "applicants");
    assert!(
        status.message().contains("limit of 3"),
        "{}",
        status.message()
    );
    let status = client
        .score_batch(pb::ScoreBatchRequest {
            applicants: vec![by_client(FIRST_ID).expect("applicant")],
            strategy: -1,
            ..Default::default()
        })
        .await
        .expect_err("bad strategy");
    assert_refused(&status, Code::InvalidArgument, "strategy");
    server.shutdown().await.expect("shutdown");
}
