//! A real scoring service on 127.0.0.1:0 over a registry, its client, and
//! the assertions the service's tests share.

use std::time::Duration;

use scoring_core::registry::Registry;
use scoring_grpc::auth::hash_key;
use scoring_grpc::config::{ApiKey, Settings};
use scoring_grpc::server::{RunningServer, start};
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;

use crate::FIRST_ID;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// Settings for a test server on the registry: fast reloads, no auth.
pub fn settings(registry: &Registry) -> Settings {
    let mut settings = Settings::local(registry.location().clone());
    settings.reload_interval = Duration::from_millis(50);
    settings
}

/// [`settings`], with the Prometheus endpoint on a free loopback port
/// (read it with [`metrics_text`]).
pub fn settings_with_metrics(registry: &Registry) -> Settings {
    let mut settings = settings(registry);
    settings.metrics_listen = Some("127.0.0.1:0".parse().expect("a loopback address"));
    settings
}

/// [`settings`], with calls refused unless they present `key` (as
/// `authorization: Bearer <key>`) on behalf of `caller`.
pub fn settings_with_api_key(registry: &Registry, caller: &str, key: &str) -> Settings {
    let mut settings = settings(registry);
    settings.api_keys = Some(vec![ApiKey {
        caller: caller.into(),
        sha256: hash_key(key),
    }]);
    settings
}

pub async fn connect(server: &RunningServer) -> ScoringServiceClient<Channel> {
    let channel = Channel::from_shared(format!("http://{}", server.addr))
        .expect("uri")
        .connect()
        .await
        .expect("connect");
    ScoringServiceClient::new(channel)
}

/// A server on `registry` with `v1` live, and a client.
pub async fn serve(registry: &Registry) -> (RunningServer, ScoringServiceClient<Channel>) {
    let server = start(settings(registry)).await.expect("server starts");
    let client = connect(&server).await;
    (server, client)
}

pub fn by_client(id: i64) -> Option<pb::Applicant> {
    Some(pb::Applicant {
        applicant: Some(pb::applicant::Applicant::ClientId(id)),
    })
}

pub fn by_features(values: &[(&str, f64)]) -> Option<pb::Applicant> {
    Some(pb::Applicant {
        applicant: Some(pb::applicant::Applicant::Features(pb::FeatureValues {
            values: values.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
        })),
    })
}

/// Asserts a status's code and that its BadRequest / ResourceInfo detail
/// names `field`.
pub fn assert_refused(status: &tonic::Status, code: tonic::Code, field: &str) {
    use tonic_types::StatusExt;
    assert_eq!(status.code(), code, "{status:?}");
    let details = status.get_error_details();
    let named = match code {
        tonic::Code::InvalidArgument => details
            .bad_request()
            .map(|b| b.field_violations.iter().any(|v| v.field == field)),
        tonic::Code::NotFound => details.resource_info().map(|r| r.resource_type == field),
        _ => Some(status.message().contains(field)),
    };
    assert_eq!(named, Some(true), "field `{field}` not named in {status:?}");
}

/// Waits (polling) until `check` holds; panics after a minute.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..1200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("gave up waiting for {what}");
}

/// The scoring service's health as `grpc.health.v1` reports it.
pub async fn health(server: &RunningServer) -> ServingStatus {
    let channel = Channel::from_shared(format!("http://{}", server.addr))
        .expect("uri")
        .connect()
        .await
        .expect("connect");
    let response = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "scoring.v1.ScoringService".into(),
        })
        .await
        .expect("health")
        .into_inner();
    ServingStatus::try_from(response.status).expect("status")
}

/// The Prometheus text of the server's metrics endpoint.
pub async fn metrics_text(server: &RunningServer) -> String {
    let addr = server.metrics_addr.expect("metrics enabled");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nhost: test\r\n\r\n")
        .await
        .expect("write");
    let mut body = String::new();
    stream.read_to_string(&mut body).await.expect("read");
    body
}

/// The value of the unlabelled metric `name` in Prometheus text; 0 when it
/// is absent (a counter never incremented is not exported).
pub fn metric_value(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .map_or(0.0, |n| n.trim().parse().expect("a metric value"))
}

/// An applicant given by its features: `row`'s values under `names`, NaN
/// left out (missing).
pub fn by_row(names: &[&str], row: &[f64]) -> Option<pb::Applicant> {
    let values = names.iter().zip(row).filter(|(_, v)| !v.is_nan());
    by_features(&values.map(|(k, v)| (*k, *v)).collect::<Vec<_>>())
}

/// Scores every row (by features, see [`by_row`]) with ScoreBatch, 1,000
/// per call, under `strategy`; the answers in order.
pub async fn score_rows(
    client: &mut ScoringServiceClient<Channel>,
    names: &[&str],
    rows: &[[f64; 6]],
    strategy: pb::Strategy,
) -> Vec<pb::ScoreResponse> {
    use pb::score_batch_response::Outcome;
    let mut answers = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(1_000) {
        let request = pb::ScoreBatchRequest {
            applicants: chunk
                .iter()
                .map(|row| by_row(names, row).expect("an applicant"))
                .collect(),
            strategy: strategy as i32,
            reasons: pb::ReasonPolicy::Never as i32,
            ..Default::default()
        };
        let mut stream = client
            .score_batch(request)
            .await
            .expect("batch accepted")
            .into_inner();
        while let Some(item) = stream.message().await.expect("stream") {
            match item.outcome {
                Some(Outcome::Result(answer)) => answers.push(answer),
                other => panic!("item {} not scored: {other:?}", item.index),
            }
        }
    }
    answers
}

/// Waits until the server's metrics count at least one refused reload.
pub async fn reload_failure_counted(server: &RunningServer) {
    eventually("a refused reload to be counted", || async {
        metrics_text(server).await.lines().any(|l| {
            l.starts_with("scoring_model_reload_failures_total")
                && l.split_whitespace()
                    .last()
                    .and_then(|v| v.parse::<f64>().ok())
                    .is_some_and(|v| v >= 1.0)
        })
    })
    .await;
}

/// An Explain of the snapshot's first client, with `timeout` as its
/// `grpc-timeout` when given.
pub fn explain_first_client(timeout: Option<Duration>) -> tonic::Request<pb::ExplainRequest> {
    let mut request = tonic::Request::new(pb::ExplainRequest {
        applicant: by_client(FIRST_ID),
        ..Default::default()
    });
    if let Some(timeout) = timeout {
        request.set_timeout(timeout);
    }
    request
}
