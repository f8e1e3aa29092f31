//! What the gateway does on its own, with nobody listening behind its
//! scoring endpoint: the outage page (503, in the officer's language, never
//! the transport's message) on every page that needs the service, the
//! checks of query and form fields made before any call (400 naming the
//! field), and the start-up errors of a bad endpoint or API key. The error
//! pages that come from the service's own answers are tested over the real
//! service, in test-support/tests/gateway_pages.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

use axum::http::StatusCode;
use gateway::client::ScoringClient;
use test_support::gateway::*;

#[tokio::test]
async fn real_grpc_client_with_nothing_listening_is_a_503() {
    let app = app_service_down();
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
async fn service_down_is_a_503_page_on_every_page() {
    let app = app_service_down();
    let s = sign_in(&app).await;
    for uri in [
        "/clients",
        "/clients/100002",
        "/clients/100002/compare",
        "/clients/100002/whatif",
        "/model",
        "/applicants/new",
    ] {
        let page = send(&app, get(uri, &s.cookie)).await;
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        assert!(page.body.contains("Scoring service unavailable"), "{uri}");
        assert!(!page.body.contains("onnection refused"), "{uri}");
        assert!(!page.body.contains("transport"), "{uri}");
    }
    let fr = send(&app, get("/model?lang=fr", &s.cookie)).await;
    assert_eq!(fr.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(fr.body.contains("Service de scoring indisponible"));
}

#[tokio::test]
async fn bad_input_is_a_400_page_naming_the_field() {
    let app = app_service_down();
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
        (
            "/clients?filter_feature=CODE_GENDER&filter_op=eq&filter_value=x",
            "filter_value",
        ),
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
    let bad_strategy = send(
        &app,
        post(
            "/clients/100002/whatif",
            &s.cookie,
            &[("csrf", &s.csrf), ("strategy", "bold"), ("AMT_CREDIT", "1")],
        ),
    )
    .await;
    assert_eq!(bad_strategy.status, StatusCode::BAD_REQUEST);
    assert!(
        bad_strategy
            .body
            .contains("<code id=\"bad-field\">strategy</code>")
    );
    // The application form's fields come from the live model, so only the
    // strategy is checked before the service is asked (the fields' checks
    // are tested over the service, in test-support).
    let bad_strategy = send(
        &app,
        post(
            "/applicants/new",
            &s.cookie,
            &[("csrf", &s.csrf), ("strategy", "bold"), ("AMT_CREDIT", "1")],
        ),
    )
    .await;
    assert_eq!(bad_strategy.status, StatusCode::BAD_REQUEST);
    assert!(
        bad_strategy
            .body
            .contains("<code id=\"bad-field\">strategy</code>")
    );
}

#[tokio::test]
async fn bad_endpoint_or_api_key_is_a_start_error() {
    assert!(ScoringClient::connect_lazy("not a uri", None).is_err());
    assert!(ScoringClient::connect_lazy("http://127.0.0.1:1", Some("bad\nkey")).is_err());
}
