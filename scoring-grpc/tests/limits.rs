//! The per-call limits on a real server: a call past its deadline answers
//! DEADLINE_EXCEEDED, a malformed `grpc-timeout` is refused naming the header, calls
//! over the concurrency limit are shed with RESOURCE_EXHAUSTED while health
//! checks keep answering, a call past its deadline keeps its slot while its
//! blocking work runs, and both are counted in the metrics.

use std::time::Duration;

use scoring_core::registry::Registry;
use scoring_grpc::config::Settings;
use scoring_grpc::server::{RunningServer, start};
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use test_support::*;
use tonic::Code;
use tonic::transport::Channel;
use tonic_health::pb::health_check_response::ServingStatus;

/// A registry whose live model is [`heavy_model`]: an explanation takes
/// milliseconds, so a 1 ms deadline always passes first.
fn heavy_registry() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().expect("tmp");
    let registry = Registry::open(dir.path().join("registry")).expect("registry");
    publish_model(&registry, "heavy", 1, heavy_model(1));
    registry.promote("heavy", "production").expect("promote");
    (dir, registry)
}

async fn start_with(
    registry: &Registry,
    adjust: impl FnOnce(&mut Settings),
) -> (RunningServer, ScoringServiceClient<Channel>) {
    let mut settings = settings_with_metrics(registry);
    adjust(&mut settings);
    let server = start(settings).await.expect("server starts");
    let client = connect(&server).await;
    (server, client)
}

fn counted(metrics: &str, rpc: &str, code: &str) -> bool {
    metrics.lines().any(|line| {
        line.starts_with("scoring_requests_total")
            && line.contains(&format!("rpc=\"{rpc}\""))
            && line.contains(&format!("code=\"{code}\""))
    })
}

#[tokio::test]
async fn a_call_past_its_deadline_answers_deadline_exceeded() {
    let (_dir, registry) = heavy_registry();
    // The server's default deadline.
    let (server, mut client) = start_with(&registry, |s| {
        s.request_timeout = Duration::from_millis(1);
    })
    .await;
    let late = client
        .explain(explain_first_client(None))
        .await
        .expect_err("past the default deadline");
    assert_eq!(late.code(), Code::DeadlineExceeded, "{late:?}");
    assert!(late.message().contains("deadline of 1ms"), "{late:?}");
    assert!(counted(
        &metrics_text(&server).await,
        "Explain",
        "DeadlineExceeded"
    ));
    server.shutdown().await.expect("shutdown");

    // Within the caller's deadline (shorter than the default) the same call
    // succeeds. (A caller's deadline shorter than the call: the unit tests
    // in `src/limits.rs`; over a real connection tonic's client gives up at
    // the same instant and answers its own CANCELLED.)
    let (server, mut client) = start_with(&registry, |_| {}).await;
    let answered = client
        .explain(explain_first_client(Some(Duration::from_secs(5))))
        .await
        .expect("within the deadline")
        .into_inner();
    assert_eq!(answered.model_version, "heavy");
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_malformed_grpc_timeout_is_refused_naming_the_header() {
    let (_dir, registry) = registry_with_v1();
    let (server, mut client) = serve(&registry).await;
    let mut request = explain_first_client(None);
    request
        .metadata_mut()
        .insert("grpc-timeout", "soon".parse().expect("ascii"));
    let refused = client.explain(request).await.expect_err("malformed");
    assert_refused(&refused, Code::InvalidArgument, "grpc-timeout");
    assert!(refused.message().contains("`soon`"), "{refused:?}");
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn calls_over_the_concurrency_limit_are_shed_while_health_answers() {
    let (_dir, registry) = registry_with_v1();
    let (server, mut client) = start_with(&registry, |s| s.concurrency_limit = 1).await;
    // A streamed batch holds its slot until its stream ends; unread, its
    // 5,000 answers cannot all be sent, so it stays in flight.
    let batch = pb::ScoreBatchRequest {
        applicants: (0..5_000)
            .map(|i| pb::Applicant {
                applicant: Some(pb::applicant::Applicant::ClientId(
                    FIRST_ID + i % N_CLIENTS as i64,
                )),
            })
            .collect(),
        ..Default::default()
    };
    let mut holder = client.clone();
    let stream = holder
        .score_batch(batch)
        .await
        .expect("the batch starts")
        .into_inner();

    let shed = client
        .score(pb::ScoreRequest {
            applicant: by_client(FIRST_ID),
            ..Default::default()
        })
        .await
        .expect_err("no slot left");
    assert_eq!(shed.code(), Code::ResourceExhausted, "{shed:?}");
    assert!(shed.message().contains("concurrency limit"), "{shed:?}");
    assert_eq!(health(&server).await, ServingStatus::Serving);
    assert!(counted(
        &metrics_text(&server).await,
        "Score",
        "ResourceExhausted"
    ));

    // The slot comes back when the batch's stream is dropped.
    drop(stream);
    eventually("the slot to be released", || {
        let mut client = client.clone();
        async move {
            client
                .score(pb::ScoreRequest {
                    applicant: by_client(FIRST_ID),
                    ..Default::default()
                })
                .await
                .is_ok()
        }
    })
    .await;
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_call_past_its_deadline_keeps_its_slot_while_its_work_runs() {
    let (_dir, registry) = heavy_registry();
    // The server's own 1 ms deadline (a client-side timer would cancel the
    // call before the server starts its work).
    let (server, mut client) = start_with(&registry, |s| {
        s.concurrency_limit = 1;
        s.request_timeout = Duration::from_millis(1);
    })
    .await;
    let late = client
        .explain(explain_first_client(None))
        .await
        .expect_err("past its deadline");
    assert_eq!(late.code(), Code::DeadlineExceeded, "{late:?}");
    // The explanation still runs on its blocking thread, holding the only
    // slot: a call now is shed instead of piling more work on.
    let shed = client
        .get_model(pb::GetModelRequest { model: None })
        .await
        .expect_err("the slot is still held");
    assert_eq!(shed.code(), Code::ResourceExhausted, "{shed:?}");
    // Once the work ends, calls are admitted again (answered, or past the
    // 1 ms deadline, but not shed).
    eventually("the slot to come back when the work ends", || {
        let mut client = client.clone();
        async move {
            let answer = client.get_model(pb::GetModelRequest { model: None }).await;
            answer.map_or_else(|s| s.code() != Code::ResourceExhausted, |_| true)
        }
    })
    .await;
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_batch_whose_caller_stops_reading_ends_at_its_deadline_and_frees_its_slot() {
    let (_dir, registry) = registry_with_v1();
    let (server, mut client) = start_with(&registry, |s| {
        s.concurrency_limit = 1;
        s.request_timeout = Duration::from_millis(500);
    })
    .await;
    let batch = pb::ScoreBatchRequest {
        applicants: (0..10_000)
            .map(|i| pb::Applicant {
                applicant: Some(pb::applicant::Applicant::ClientId(
                    FIRST_ID + i % N_CLIENTS as i64,
                )),
            })
            .collect(),
        reasons: pb::ReasonPolicy::Always as i32,
        ..Default::default()
    };
    // A caller with small flow-control windows: unread, it soon stops
    // taking answers and the server has to wait.
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", server.addr))
        .expect("endpoint")
        .initial_stream_window_size(Some(16_384))
        .initial_connection_window_size(Some(16_384))
        .connect()
        .await
        .expect("connects");
    let mut holder = ScoringServiceClient::new(channel);
    let mut stream = holder
        .score_batch(batch)
        .await
        .expect("the batch starts")
        .into_inner();
    // Nobody reads: at the deadline the server stops waiting and the slot
    // comes back (before, the stream held it for ever).
    eventually("the slot to come back after the deadline", || {
        let mut client = client.clone();
        async move {
            client
                .score(pb::ScoreRequest {
                    applicant: by_client(FIRST_ID),
                    ..Default::default()
                })
                .await
                .is_ok()
        }
    })
    .await;
    // Reading again: the answers sent stand, then the stream says why it
    // ended early.
    let mut answered = 0;
    let ending = loop {
        match stream.message().await {
            Ok(Some(_)) => answered += 1,
            Ok(None) => panic!("the stream ended as if complete after {answered}"),
            Err(status) => break status,
        }
    };
    assert!(answered < 10_000, "{answered}");
    assert_eq!(ending.code(), Code::DeadlineExceeded, "{ending:?}");
    server.shutdown().await.expect("shutdown");
    let _ = client.score(pb::ScoreRequest::default()).await;
}
