//! End to end: the gateway's pages over the real scoring service
//! (`scoring_grpc::server::start` on 127.0.0.1:0, API key required) serving
//! a small boosted-trees model published into a temporary registry with
//! scoring-grpc's own test fixtures (6 features `f0`..`f5`, 300 clients from
//! 100000, thresholds 0.3 / 0.5 / 0.7).
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

use test_support as grpc_common;

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::*;
use gateway::client::GrpcScoringClient;
use scoring_grpc::{
    config::ApiKey,
    server::{RunningServer, start},
};
use sha2::{Digest, Sha256};

const KEY: &str = "e2e-dashboard-key";

async fn real_service() -> (tempfile::TempDir, RunningServer) {
    let (dir, registry) = grpc_common::registry_with_v1();
    let mut settings = grpc_common::settings(&registry);
    settings.api_keys = Some(vec![ApiKey {
        caller: "dashboard".into(),
        sha256: hex::encode(Sha256::digest(KEY)),
    }]);
    (dir, start(settings).await.unwrap())
}

fn gateway_on(server: &RunningServer, key: &str) -> axum::Router {
    let client =
        GrpcScoringClient::connect_lazy(&format!("http://{}", server.addr), Some(key)).unwrap();
    gateway::app(state_with(Arc::new(client), false))
}

fn probability(body: &str) -> f64 {
    let at = body.find("<span id=\"probability\">").unwrap() + 23;
    body[at..]
        .split(' ')
        .next()
        .unwrap()
        .parse::<f64>()
        .unwrap()
        / 100.0
}

#[tokio::test]
async fn client_page_decides_per_strategy_with_n_factors() {
    let (_dir, server) = real_service().await;
    let app = gateway_on(&server, KEY);
    let s = sign_in(&app).await;
    let id = grpc_common::FIRST_ID + 7;
    for (strategy, threshold) in [("prudent", 0.3), ("normal", 0.5), ("aggressive", 0.7)] {
        let page = send(
            &app,
            get(&format!("/clients/{id}?strategy={strategy}&n=3"), &s.cookie),
        )
        .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(page.count("class=\"bar "), 3, "{strategy}");
        assert!(
            page.body
                .contains(&format!("<strong>{:.1} %</strong>", threshold * 100.0)),
            "{strategy}"
        );
        let p = probability(&page.body);
        let expected = if p < threshold { "accept" } else { "refuse" };
        assert!(
            page.body.contains(&format!("data-decision=\"{expected}\"")),
            "{strategy} p={p}"
        );
        assert_eq!(page.count("<line class=\"threshold"), 3);
        assert!(
            page.body.contains("Description of f"),
            "feature descriptions come from the service"
        );
    }
    let all = send(&app, get(&format!("/clients/{id}?n=20"), &s.cookie)).await;
    assert_eq!(all.count("class=\"bar "), grpc_common::N_FEATURES);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn every_page_works_over_the_real_service() {
    let (_dir, server) = real_service().await;
    let app = gateway_on(&server, KEY);
    let s = sign_in(&app).await;
    let id = grpc_common::FIRST_ID + 3;

    let list = send(&app, get("/clients", &s.cookie)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains(&format!(
        "<span id=\"total\">{}</span> clients in total",
        grpc_common::N_CLIENTS
    )));
    assert!(list.body.contains("id=\"next-page\""));
    let next = list
        .body
        .split("id=\"next-page\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#x2f;", "/");
    assert_eq!(
        send(&app, get(&next, &s.cookie)).await.status,
        StatusCode::OK
    );

    let compare = send(
        &app,
        get(&format!("/clients/{id}/compare?feature=f1&filter_feature=f2&filter_op=gt&filter_value=0&x=f0&y=f3"), &s.cookie),
    )
    .await;
    assert_eq!(compare.status, StatusCode::OK, "{}", compare.body);
    assert!(compare.body.contains("Description of f1"));
    assert!(compare.count("class=\"hbin\"") > 0);
    assert_eq!(compare.count("<tr class=\"neighbour\">"), 10);
    assert!(compare.count("class=\"pt\"") > 0);

    let form = send(&app, get(&format!("/clients/{id}/whatif"), &s.cookie)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let before = send(&app, get(&format!("/clients/{id}"), &s.cookie)).await;
    let whatif = send(
        &app,
        post(
            &format!("/clients/{id}/whatif"),
            &s.cookie,
            &[
                ("csrf", &s.csrf),
                ("feature_0", "f0"),
                ("value_0", "3.5"),
                ("feature_1", "f1"),
                ("value_1", ""),
            ],
        ),
    )
    .await;
    assert_eq!(whatif.status, StatusCode::OK, "{}", whatif.body);
    assert!(whatif.body.contains(&format!(
        "Before: {:.1} %",
        probability(&before.body) * 100.0
    )));

    let new = send(
        &app,
        post(
            "/applicants/new",
            &s.cookie,
            &[("csrf", &s.csrf), ("feature_0", "f3"), ("value_0", "0.5")],
        ),
    )
    .await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);

    let model = send(&app, get("/model", &s.cookie)).await;
    assert_eq!(model.status, StatusCode::OK, "{}", model.body);
    assert!(model.body.contains("<span id=\"model-version\">v1</span>"));
    assert!(model.body.contains("<h1>Model card</h1>"));
    assert!(model.body.contains("<polyline class=\"cost\""));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn real_service_errors_become_pages() {
    let (_dir, server) = real_service().await;
    let app = gateway_on(&server, KEY);
    let s = sign_in(&app).await;
    let unknown = send(&app, get("/clients/42", &s.cookie)).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let bad_feature = send(&app, get("/clients/100000/compare?feature=nope", &s.cookie)).await;
    assert_eq!(bad_feature.status, StatusCode::NOT_FOUND);
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
    assert!(
        !refused.body.contains("NOT_A_FEATURE\"]"),
        "no raw gRPC detail"
    );

    let wrong_key = gateway_on(&server, "not-the-key");
    let page = send(&wrong_key, get("/clients/100000", &s.cookie)).await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);

    let addr = server.addr;
    server.shutdown().await.unwrap();
    let down = gateway::app(state_with(
        Arc::new(GrpcScoringClient::connect_lazy(&format!("http://{addr}"), Some(KEY)).unwrap()),
        false,
    ));
    let page = send(&down, get("/clients/100000", &s.cookie)).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
}
