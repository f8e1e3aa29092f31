//! Loan applications given by their raw records, against a real server
//! over a model of the kernel's features: the service computes the row the
//! online engine computes and then answers exactly as for that row given
//! any other way (bit for bit), in Score, Explain and ScoreBatch; the
//! engine is rebuilt with each model version a reload brings in.

use scoring_core::Strategy;
use scoring_core::features::{LoanApplication, OnlineEngine};
use scoring_grpc::convert::application::application_to_wire;
use scoring_proto::scoring::v1 as pb;
use test_support::application_model::{ApplicationModel, application_model};
use test_support::applications::HistoryShape;
use test_support::*;
use tokio_stream::StreamExt;
use tonic::Code;

fn by_application(application: &LoanApplication) -> Option<pb::Applicant> {
    Some(pb::Applicant {
        applicant: Some(pb::applicant::Applicant::LoanApplication(
            application_to_wire(application),
        )),
    })
}

fn score_request(applicant: Option<pb::Applicant>) -> pb::ScoreRequest {
    pb::ScoreRequest {
        applicant,
        reasons: pb::ReasonPolicy::Always as i32,
        ..Default::default()
    }
}

/// A registry with the application model published as `apps` (live).
fn registry_with(
    model: &ApplicationModel,
) -> (tempfile::TempDir, scoring_core::registry::Registry) {
    let dir = tempfile::tempdir().expect("tmp");
    let registry =
        scoring_core::registry::Registry::open(dir.path().join("registry")).expect("registry");
    model.publish(&registry, "apps");
    (dir, registry)
}

#[tokio::test]
async fn an_application_is_scored_as_the_row_the_online_engine_computes() {
    let fixture = application_model(40, 25, &HistoryShape::ALL);
    let (_dir, registry) = registry_with(&fixture);
    let (server, mut client) = serve(&registry).await;
    let published = registry
        .load(&registry.resolve("apps").expect("apps"))
        .expect("load");
    let engine = OnlineEngine::kernel(published.schema()).expect("engine");
    let mut refused = 0;
    for (i, application) in fixture.applications.iter().enumerate() {
        let row = engine.features(application).expect("features");
        let expected = published.decide(&row, Strategy::Normal).expect("decide");
        let response = client
            .score(score_request(by_application(application)))
            .await
            .expect("score")
            .into_inner();
        assert_eq!(response.model_version, "apps");
        assert_eq!(
            response.client_id, None,
            "an application is not a client id"
        );
        assert_eq!(
            response.probability_of_default.to_bits(),
            expected.probability_of_default.to_bits(),
            "applicant {i}"
        );
        assert_eq!(response.raw_score.to_bits(), expected.raw_score.to_bits());
        let features: Vec<&str> = response
            .reason_codes
            .iter()
            .map(|r| r.feature.as_str())
            .collect();
        let expected_features: Vec<&str> = expected
            .reasons
            .iter()
            .map(|r| r.feature.as_str())
            .collect();
        assert_eq!(features, expected_features);
        // The same applicant by client id: the snapshot row is the engine's.
        let by_id = client
            .score(score_request(by_client(1 + i as i64)))
            .await
            .expect("score by id")
            .into_inner();
        assert_eq!(by_id.raw_score.to_bits(), response.raw_score.to_bits());
        assert_eq!(by_id.reason_codes, response.reason_codes);
        refused += usize::from(response.decision == pb::Decision::Refuse as i32);
    }
    assert!(refused > 0, "the thresholds refuse some applicants");
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn explain_returns_the_computed_feature_values_when_asked() {
    let fixture = application_model(30, 5, &HistoryShape::ALL);
    let (_dir, registry) = registry_with(&fixture);
    let (server, mut client) = serve(&registry).await;
    let engine = OnlineEngine::kernel(&fixture.schema).expect("engine");
    let application = &fixture.applications[3];
    let row = engine.features(application).expect("features");
    let request = |include_feature_values| pb::ExplainRequest {
        applicant: by_application(application),
        include_feature_values,
        ..Default::default()
    };
    let explained = client
        .explain(request(true))
        .await
        .expect("explain")
        .into_inner();
    let values = explained.feature_values.expect("asked for").values;
    let present = row.iter().filter(|v| !v.is_nan()).count();
    assert_eq!(values.len(), present, "missing values are left out");
    for (name, value) in fixture.schema.feature_names().zip(&row) {
        match values.get(name) {
            Some(given) => assert_eq!(given.to_bits(), value.to_bits(), "{name}"),
            None => assert!(value.is_nan(), "{name} is present"),
        }
    }
    let total: f64 = explained.contributions.iter().map(|c| c.contribution).sum();
    assert!((explained.base_value + total - explained.raw_score).abs() < 1e-9);
    let scored = client
        .score(score_request(by_application(application)))
        .await
        .expect("score")
        .into_inner();
    assert_eq!(scored.raw_score.to_bits(), explained.raw_score.to_bits());
    assert_eq!(scored.reason_codes, explained.reason_codes);

    let plain = client
        .explain(request(false))
        .await
        .expect("explain")
        .into_inner();
    assert_eq!(plain.feature_values, None, "not asked for");
    // The values of an applicant given by client id are its snapshot row.
    let by_id = client
        .explain(pb::ExplainRequest {
            applicant: by_client(4),
            include_feature_values: true,
            ..Default::default()
        })
        .await
        .expect("explain by id")
        .into_inner();
    assert_eq!(by_id.feature_values.expect("asked for").values, values);
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn score_batch_scores_applications_and_refuses_bad_ones_item_by_item() {
    let fixture = application_model(30, 10, &HistoryShape::ALL);
    let (_dir, registry) = registry_with(&fixture);
    let (server, mut client) = serve(&registry).await;
    let mut bad = fixture.applications[4].clone();
    bad.previous[0].instalments[0].set("AMT_PAYMENT", "a lot");
    let mut applicants: Vec<pb::Applicant> = fixture
        .applications
        .iter()
        .map(|a| by_application(a).expect("applicant"))
        .collect();
    applicants.insert(2, by_application(&bad).expect("applicant"));
    applicants.push(by_client(3).expect("applicant"));
    let mut stream = client
        .score_batch(pb::ScoreBatchRequest {
            applicants,
            reasons: pb::ReasonPolicy::Always as i32,
            ..Default::default()
        })
        .await
        .expect("batch")
        .into_inner();
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item.expect("item"));
    }
    assert_eq!(items.len(), fixture.applications.len() + 2);
    for (index, item) in items.iter().enumerate() {
        assert_eq!(item.index as usize, index);
        let outcome = item.outcome.as_ref().expect("outcome");
        if index == 2 {
            let pb::score_batch_response::Outcome::Error(error) = outcome else {
                panic!("the bad application is an item error: {outcome:?}");
            };
            assert_eq!(error.code, Code::InvalidArgument as i32);
            assert_eq!(
                error.field,
                "applicants[2].loan_application.previous_application[0].installments_payments[0].columns[AMT_PAYMENT]"
            );
            assert!(
                error.message.contains("expected a number, found text"),
                "{error:?}"
            );
            continue;
        }
        let pb::score_batch_response::Outcome::Result(result) = outcome else {
            panic!("applicant {index} is scored: {outcome:?}");
        };
        let applicant = if index < 2 { index } else { index - 1 };
        let alone = if applicant < fixture.applications.len() {
            by_application(&fixture.applications[applicant])
        } else {
            by_client(3)
        };
        let expected = client
            .score(score_request(alone))
            .await
            .expect("score")
            .into_inner();
        assert_eq!(result, &expected, "applicant {index}");
    }
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_model_the_definition_cannot_compute_refuses_applications_and_a_reload_brings_the_engine()
{
    // v1's features are six numbers, not the feature definition's.
    let (_dir, registry) = registry_with_v1();
    let (server, mut client) = serve(&registry).await;
    let fixture = application_model(20, 5, &HistoryShape::ALL);
    let status = client
        .score(score_request(by_application(&fixture.applications[1])))
        .await
        .expect_err("no engine for v1");
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    assert!(
        status
            .message()
            .starts_with("applicant.loan_application: model v1 cannot score loan applications"),
        "{status:?}"
    );
    // The other forms are served as before.
    client
        .score(score_request(by_client(FIRST_ID)))
        .await
        .expect("by client id");

    fixture.publish(&registry, "apps");
    eventually("the reload to bring the application model", || {
        let mut client = client.clone();
        let applicant = by_application(&fixture.applications[1]);
        async move {
            client
                .score(score_request(applicant))
                .await
                .is_ok_and(|r| r.into_inner().model_version == "apps")
        }
    })
    .await;
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn every_decision_on_an_application_is_audited() {
    let fixture = application_model(20, 5, &HistoryShape::ALL);
    let (dir, registry) = registry_with(&fixture);
    let path = dir.path().join("audit").join("decisions.jsonl");
    let mut settings = settings(&registry);
    settings.audit = Some(scoring_grpc::config::AuditSettings {
        max_bytes: 1 << 20,
        fsync_every: 1,
        ..scoring_grpc::config::AuditSettings::at(path.clone())
    });
    let server = scoring_grpc::server::start(settings).await.expect("server");
    let mut client = connect(&server).await;
    let score = client
        .score(score_request(by_application(&fixture.applications[4])))
        .await
        .expect("score")
        .into_inner();
    client
        .explain(pb::ExplainRequest {
            applicant: by_application(&fixture.applications[3]),
            ..Default::default()
        })
        .await
        .expect("explain");
    server.shutdown().await.expect("shutdown");

    let text = std::fs::read_to_string(&path).expect("audit log");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0]["model_version"], "apps");
    assert_eq!(
        lines[0]["probability_of_default"].as_f64(),
        Some(score.probability_of_default)
    );
    let reasons: Vec<&str> = score
        .reason_codes
        .iter()
        .map(|r| r.feature.as_str())
        .collect();
    assert_eq!(lines[0]["reason_codes"], serde_json::json!(reasons));
    for line in &lines {
        assert!(line.get("client_id").is_none(), "no client id: {line}");
    }
}

#[tokio::test]
async fn the_population_rpcs_place_an_application_by_its_computed_features() {
    let fixture = application_model(20, 10, &HistoryShape::ALL);
    let (_dir, registry) = registry_with(&fixture);
    let (server, mut client) = serve(&registry).await;
    let engine = OnlineEngine::kernel(&fixture.schema).expect("engine");
    let application = &fixture.applications[4];
    let row = engine.features(application).expect("features");
    let (j, value) = row
        .iter()
        .enumerate()
        .find(|(_, v)| !v.is_nan())
        .expect("a present feature");
    let feature = fixture.schema.features[j].name.clone();
    let described = client
        .describe_feature(pb::DescribeFeatureRequest {
            feature: feature.clone(),
            applicant: by_application(application),
            ..Default::default()
        })
        .await
        .expect("describe")
        .into_inner();
    assert_eq!(described.applicant_value, Some(*value), "{feature}");
    let similar = client
        .find_similar_clients(pb::FindSimilarClientsRequest {
            applicant: by_application(application),
            features: vec![feature.clone()],
            k: 3,
        })
        .await
        .expect("similar")
        .into_inner();
    let values = similar.applicant_values.expect("values").values;
    assert_eq!(values.get(&feature), Some(value));
    assert_eq!(similar.neighbours.len(), 3);
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn get_model_gives_the_category_vocabularies_a_loan_application_uses() {
    let fixture = application_model(5, 1, &[HistoryShape::None]);
    let (_dir, registry) = registry_with(&fixture);
    let (server, mut client) = serve(&registry).await;
    let info = client
        .get_model(pb::GetModelRequest { model: None })
        .await
        .expect("get model")
        .into_inner()
        .model
        .expect("info");
    let wire: Vec<(String, String, Vec<String>)> = info
        .vocabularies
        .into_iter()
        .map(|v| (v.table, v.column, v.values))
        .collect();
    let schema: Vec<(String, String, Vec<String>)> = fixture
        .schema
        .vocabularies
        .iter()
        .map(|v| (v.table.clone(), v.column.clone(), v.values.clone()))
        .collect();
    assert!(!schema.is_empty());
    assert_eq!(wire, schema, "every vocabulary of the schema, in order");
    let (_, _, genders) = wire
        .iter()
        .find(|(t, c, _)| t == "application" && c == "CODE_GENDER")
        .expect("the coded CODE_GENDER has its vocabulary too");
    assert!(!genders.is_empty());
    // ListModels gives no features, and so no vocabularies.
    let listed = client
        .list_models(pb::ListModelsRequest::default())
        .await
        .expect("list")
        .into_inner();
    assert!(listed.models.iter().all(|m| m.vocabularies.is_empty()));
    server.shutdown().await.expect("shutdown");
}
