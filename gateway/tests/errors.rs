//! Every error path of the pages: 404, 503, 400 naming the field, and never
//! a raw gRPC message in the HTML. Also the real tonic client against the
//! fake served over gRPC on loopback (API key, service down).
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::*;
use gateway::{
    client::GrpcScoringClient,
    fake::{FakeScoringClient, server},
};

#[tokio::test]
async fn unknown_client_is_a_404_page_without_the_grpc_message() {
    let app = app();
    let s = sign_in(&app).await;
    for uri in [
        "/clients/999",
        "/clients/999/compare",
        "/clients/999/whatif",
    ] {
        let page = send(&app, get(uri, &s.cookie)).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(page.body.contains("<h1>Not found</h1>"), "{uri}");
        assert!(!page.body.contains("client 999 not found"), "{uri}");
    }
    let unknown_model = send(&app, get("/model?version=v9", &s.cookie)).await;
    assert_eq!(unknown_model.status, StatusCode::NOT_FOUND);
    let unknown_feature = send(&app, get("/clients/100002/compare?feature=NOPE", &s.cookie)).await;
    assert_eq!(unknown_feature.status, StatusCode::NOT_FOUND);
    let no_route = send(&app, get("/nowhere", &s.cookie)).await;
    assert_eq!(no_route.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn service_down_is_a_503_page_on_every_page() {
    let app = app_unavailable();
    let s = sign_in(&app).await;
    for uri in [
        "/clients/100002",
        "/clients/100002/compare",
        "/clients/100002/whatif",
        "/model",
        "/applicants/new",
    ] {
        let page = send(&app, get(uri, &s.cookie)).await;
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        assert!(page.body.contains("Scoring service unavailable"), "{uri}");
        assert!(!page.body.contains("connection refused"), "{uri}");
    }
    let fr = send(&app, get("/model?lang=fr", &s.cookie)).await;
    assert!(fr.body.contains("Service de scoring indisponible"));
}

#[tokio::test]
async fn bad_input_is_a_400_page_naming_the_field() {
    let app = app();
    let s = sign_in(&app).await;
    let cases = [
        ("/clients/abc", "client_id"),
        ("/clients/100002?n=0", "n"),
        ("/clients/100002?n=21", "n"),
        ("/clients/100002?n=x", "n"),
        ("/clients/100002?strategy=reckless", "strategy"),
        ("/find?client_id=12a", "client_id"),
        ("/find?client_id=", "client_id"),
        ("/clients/100002/compare?feature=AMT%20CREDIT", "feature"),
        (
            "/clients/100002/compare?filter_feature=AMT_CREDIT&filter_op=xx&filter_value=1",
            "filter_op",
        ),
        (
            "/clients/100002/compare?filter_feature=AMT_CREDIT&filter_op=gt&filter_value=abc",
            "filter_value",
        ),
        ("/clients/100002/compare?x=a-b", "x"),
    ];
    for (uri, field) in cases {
        let page = send(&app, get(uri, &s.cookie)).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            page.body
                .contains(&format!("<code id=\"bad-field\">{field}</code>")),
            "{uri}: {}",
            page.body
        );
    }
    let bad_value = send(
        &app,
        post(
            "/clients/100002/whatif",
            &s.cookie,
            &[
                ("csrf", &s.csrf),
                ("feature_0", "AMT_CREDIT"),
                ("value_0", "lots"),
            ],
        ),
    )
    .await;
    assert_eq!(bad_value.status, StatusCode::BAD_REQUEST);
    assert!(
        bad_value
            .body
            .contains("<code id=\"bad-field\">value_0</code>")
    );
    let bad_name = send(
        &app,
        post(
            "/applicants/new",
            &s.cookie,
            &[("csrf", &s.csrf), ("feature_2", "A;B"), ("value_2", "1")],
        ),
    )
    .await;
    assert!(
        bad_name
            .body
            .contains("<code id=\"bad-field\">feature_2</code>")
    );
    // A well-formed name the model does not know: the service refuses it.
    let refused = send(
        &app,
        post(
            "/applicants/new",
            &s.cookie,
            &[
                ("csrf", &s.csrf),
                ("feature_0", "NOT_A_FEATURE"),
                ("value_0", "1"),
            ],
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("refused these values"));
    assert!(!refused.body.contains("unknown feature"));
}

#[tokio::test]
async fn real_grpc_client_with_api_key_against_the_stand_in() {
    let (addr, _server) = server::spawn(FakeScoringClient::new(), Some("k3y".into()))
        .await
        .unwrap();
    let endpoint = format!("http://{addr}");
    let good = gateway::app(state_with(
        Arc::new(GrpcScoringClient::connect_lazy(&endpoint, Some("k3y")).unwrap()),
        false,
    ));
    let s = sign_in(&good).await;
    let page = send(&good, get("/clients/100002?strategy=prudent", &s.cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-decision=\"refuse\""));
    let missing = send(&good, get("/clients/4", &s.cookie)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let wrong = gateway::app(state_with(
        Arc::new(GrpcScoringClient::connect_lazy(&endpoint, Some("nope")).unwrap()),
        false,
    ));
    let s = sign_in(&wrong).await;
    let page = send(&wrong, get("/clients/100002", &s.cookie)).await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!page.body.contains("API key"));
}

#[tokio::test]
async fn real_grpc_client_with_nothing_listening_is_a_503() {
    // Bind then drop: a loopback port with nobody behind it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client =
        GrpcScoringClient::connect_lazy(&format!("http://127.0.0.1:{port}"), None).unwrap();
    let app = gateway::app(state_with(Arc::new(client), false));
    let s = sign_in(&app).await;
    let page = send(&app, get("/clients/100002", &s.cookie)).await;
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page.body
    );
}

#[tokio::test]
async fn bad_endpoint_or_api_key_is_a_start_error() {
    assert!(GrpcScoringClient::connect_lazy("not a uri", None).is_err());
    assert!(GrpcScoringClient::connect_lazy("http://127.0.0.1:1", Some("bad\nkey")).is_err());
}
