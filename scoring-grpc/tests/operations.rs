//! Operating the service: health follows the live model, reloads swap
//! versions and refuse corrupted ones, API keys, the audit log, metrics,
//! reflection. Deadlines and load shedding: `limits.rs`.

use scoring_core::registry::Registry;
use scoring_grpc::auth::hash_key;
use scoring_grpc::config::{ApiKey, AuditSettings};
use scoring_grpc::server::start;
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use test_support::*;
use tonic::Code;
use tonic::transport::Channel;
use tonic_health::pb::health_check_response::ServingStatus;

async fn score_version(
    client: &mut ScoringServiceClient<Channel>,
) -> Result<String, tonic::Status> {
    client
        .score(pb::ScoreRequest {
            applicant: by_client(FIRST_ID),
            ..Default::default()
        })
        .await
        .map(|r| r.into_inner().model_version)
}

#[tokio::test]
async fn health_is_not_serving_until_a_model_is_promoted_then_reloads_follow_the_alias() {
    let dir = tempfile::tempdir().expect("tmp");
    let registry = Registry::open(dir.path().join("registry")).expect("registry");
    let (server, mut client) = serve(&registry).await;
    assert_eq!(health(&server).await, ServingStatus::NotServing);
    let status = score_version(&mut client).await.expect_err("no model");
    assert_eq!(status.code(), Code::Unavailable);

    publish(&registry, "v1", 1);
    registry.promote("v1", "production").expect("promote");
    eventually("v1 to go live", || async {
        health(&server).await == ServingStatus::Serving
    })
    .await;
    assert_eq!(score_version(&mut client).await.expect("score"), "v1");

    publish(&registry, "v2", 2);
    registry.promote("v2", "production").expect("promote");
    eventually("v2 to go live", || {
        let mut client = client.clone();
        async move { score_version(&mut client).await.is_ok_and(|v| v == "v2") }
    })
    .await;
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_corrupted_version_is_refused_counted_and_the_old_one_keeps_serving() {
    let (_dir, registry) = registry_with_v1();
    let settings = settings_with_metrics(&registry);
    let server = start(settings).await.expect("server");
    let mut client = connect(&server).await;
    assert_eq!(score_version(&mut client).await.expect("score"), "v1");
    let text = metrics_text(&server).await;
    assert!(
        text.contains("scoring_model_info{version=\"v1\"} 1"),
        "{text}"
    );

    publish(&registry, "v2", 2);
    corrupt_model_file(&registry, "v2");
    force_alias(&registry, "production", "v2");

    reload_failure_counted(&server).await;
    assert_eq!(score_version(&mut client).await.expect("score"), "v1");
    assert_eq!(health(&server).await, ServingStatus::Serving);
    let text = metrics_text(&server).await;
    assert!(
        text.contains("scoring_requests_total{rpc=\"Score\",code=\"Ok\"}"),
        "{text}"
    );
    assert!(
        text.contains("scoring_request_duration_seconds_bucket{rpc=\"Score\""),
        "{text}"
    );
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn api_keys_are_required_when_configured() {
    let (_dir, registry) = registry_with_v1();
    let mut settings = settings(&registry);
    settings.api_keys = Some(vec![ApiKey {
        caller: "dashboard".into(),
        sha256: hash_key("k-123"),
    }]);
    let server = start(settings).await.expect("server");
    let mut client = connect(&server).await;
    let request = |key: Option<&str>| {
        let mut r = tonic::Request::new(pb::ScoreRequest {
            applicant: by_client(FIRST_ID),
            ..Default::default()
        });
        if let Some(key) = key {
            r.metadata_mut().insert(
                "authorization",
                format!("Bearer {key}").parse().expect("ascii"),
            );
        }
        r
    };
    for key in [None, Some("wrong"), Some("")] {
        let status = client.score(request(key)).await.expect_err("refused");
        assert_eq!(status.code(), Code::Unauthenticated, "{key:?}");
    }
    let ok = client
        .score(request(Some("k-123")))
        .await
        .expect("valid key");
    assert_eq!(ok.into_inner().model_version, "v1");
    // Health answers without a key, for load balancers.
    assert_eq!(health(&server).await, ServingStatus::Serving);
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn every_decision_is_audited_as_one_json_line_and_the_file_rotates() {
    let (dir, registry) = registry_with_v1();
    let audit_dir = dir.path().join("audit");
    let mut settings = settings(&registry);
    settings.audit = Some(AuditSettings {
        max_bytes: 1000,
        fsync_every: 3,
        ..AuditSettings::at(audit_dir.join("decisions.jsonl"))
    });
    let server = start(settings).await.expect("server");
    let mut client = connect(&server).await;
    for i in 0..5 {
        let mut request = tonic::Request::new(pb::ScoreRequest {
            applicant: by_client(FIRST_ID + i),
            ..Default::default()
        });
        request
            .metadata_mut()
            .insert("x-request-id", format!("req-{i}").parse().expect("ascii"));
        client.score(request).await.expect("score");
    }
    client
        .explain(pb::ExplainRequest {
            applicant: by_features(&[("f0", 1.0)]),
            ..Default::default()
        })
        .await
        .expect("explain");
    let batch = vec![by_client(FIRST_ID).expect("a"), by_client(1).expect("b")];
    let mut stream = client
        .score_batch(pb::ScoreBatchRequest {
            applicants: batch,
            ..Default::default()
        })
        .await
        .expect("batch")
        .into_inner();
    while stream.message().await.expect("item").is_some() {}
    server.shutdown().await.expect("shutdown");

    let mut files: Vec<_> = std::fs::read_dir(&audit_dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(files.len() > 1, "the log rotated: {files:?}");
    let mut lines = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read");
        assert!(
            text.len() <= 1000,
            "{} is {} bytes",
            file.display(),
            text.len()
        );
        for line in text.lines() {
            lines.push(serde_json::from_str::<serde_json::Value>(line).expect("a JSON line"));
        }
    }
    // 5 scores, 1 explain, 1 scored batch item (the unknown client is no decision).
    assert_eq!(lines.len(), 7);
    lines.sort_by_key(|l| l["time"].as_str().map(str::to_owned));
    let ids: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["request_id"].as_str())
        .collect();
    for i in 0..5 {
        assert!(ids.contains(&format!("req-{i}").as_str()), "{ids:?}");
    }
    for line in &lines {
        assert_eq!(line["model_version"], "v1");
        assert_eq!(line["caller"], "anonymous");
        assert_eq!(line["strategy"], "normal");
        assert!(matches!(
            line["decision"].as_str(),
            Some("ACCEPT" | "REFUSE")
        ));
        assert!(
            line["probability_of_default"]
                .as_f64()
                .is_some_and(|p| (0.0..=1.0).contains(&p))
        );
        assert!(
            line["time"]
                .as_str()
                .is_some_and(|t| t.ends_with('Z') && t.contains('T'))
        );
        assert!(line["reason_codes"].is_array());
    }
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.get("client_id").is_none())
            .count(),
        1
    );
}

#[tokio::test]
async fn reflection_lists_the_scoring_and_health_services() {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let (_dir, registry) = registry_with_v1();
    let (server, _client) = serve(&registry).await;
    let channel = Channel::from_shared(format!("http://{}", server.addr))
        .expect("uri")
        .connect()
        .await
        .expect("connect");
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = ServerReflectionClient::new(channel)
        .server_reflection_info(tokio_stream::iter(vec![request]))
        .await
        .expect("reflection")
        .into_inner();
    let response = responses
        .message()
        .await
        .expect("message")
        .expect("one response");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected reflection answer");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"scoring.v1.ScoringService".to_owned()),
        "{names:?}"
    );
    assert!(
        names.contains(&"grpc.health.v1.Health".to_owned()),
        "{names:?}"
    );
    server.shutdown().await.expect("shutdown");
}
