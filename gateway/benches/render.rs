//! Client-page render latency (p50/p99) through the whole gateway: session
//! cookie, two gRPC calls over loopback with the real tonic client, SVG and
//! template rendering.
//!
//! ```text
//! cargo bench -p gateway --bench render                      # real service
//! BENCH_STAND_IN=1 cargo bench -p gateway --bench render     # tonic stand-in
//! # against a scoring service already running:
//! BENCH_SCORING_ENDPOINT=http://127.0.0.1:50051 BENCH_API_KEY=... \
//!     BENCH_CLIENT_ID=100002 cargo bench -p gateway --bench render
//! ```
//! By default the service is the real one (`scoring_grpc::server::start` on
//! 127.0.0.1:0, API key on) over a temporary registry holding
//! scoring-grpc's test model (20 trees, 6 features, 300 clients); with
//! `BENCH_STAND_IN=1`, the fake model behind a tonic stand-in
//! (`gateway::fake::server`). Target: p99 ≤ 50 ms.

use test_support as grpc_common;

use std::{sync::Arc, time::Instant};

use axum::{
    body::{Body, to_bytes},
    http::{Request, StatusCode, header},
};
use axum_extra::extract::cookie::Key;
use gateway::{
    AppState, DEFAULT_FIXED_FACTORS, Inner,
    auth::{Users, hash_password},
    client::GrpcScoringClient,
    fake::{FakeScoringClient, server},
};
use tower::ServiceExt;

const WARM_UP: usize = 50;
const SAMPLES: usize = 1000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    // Kept alive until the end: the registry directory and the real server.
    let mut _registry = None;
    let mut _server = None;
    let (endpoint, which, default_client) = if let Ok(e) = std::env::var("BENCH_SCORING_ENDPOINT") {
        (e, "the scoring service at BENCH_SCORING_ENDPOINT", "100002")
    } else if std::env::var("BENCH_STAND_IN").is_ok() {
        let (addr, _) = server::spawn(FakeScoringClient::new(), Some("bench".into()))
            .await
            .expect("stand-in");
        (
            format!("http://{addr}"),
            "the loopback tonic stand-in (fake model)",
            "100002",
        )
    } else {
        let (dir, registry) = grpc_common::registry_with_v1();
        let mut settings = grpc_common::settings(&registry);
        settings.api_keys = Some(vec![scoring_grpc::config::ApiKey {
            caller: "bench".into(),
            sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest("bench")),
        }]);
        let running = scoring_grpc::server::start(settings)
            .await
            .expect("scoring service");
        let endpoint = format!("http://{}", running.addr);
        _registry = Some(dir);
        _server = Some(running);
        (
            endpoint,
            "the real scoring service on loopback (scoring-grpc test model)",
            "100007",
        )
    };
    let api_key = std::env::var("BENCH_API_KEY").unwrap_or_else(|_| "bench".into());
    let client_id = std::env::var("BENCH_CLIENT_ID").unwrap_or_else(|_| default_client.into());
    let hash = hash_password("bench").expect("hash");
    let users = Users::parse(
        &format!("[[users]]\nname = \"b\"\npassword_hash = \"{hash}\"\n"),
        "bench".as_ref(),
    )
    .expect("users");
    let app = gateway::app(AppState::new(Inner {
        scoring: Arc::new(
            GrpcScoringClient::connect_lazy(&endpoint, Some(&api_key)).expect("client"),
        ),
        users,
        key: Key::generate(),
        secure_cookies: false,
        fixed_factors: DEFAULT_FIXED_FACTORS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    }));

    // Sign in once through the forms.
    let form = app
        .clone()
        .oneshot(Request::get("/signin").body(Body::empty()).expect("req"))
        .await
        .expect("signin");
    let pre = set_cookie(&form, "gw_signin");
    let html = String::from_utf8(
        to_bytes(form.into_body(), 1 << 20)
            .await
            .expect("body")
            .to_vec(),
    )
    .expect("utf8");
    let at = html.find("name=\"csrf\" value=\"").expect("csrf") + 19;
    let csrf = &html[at..at + 32];
    let body = format!("csrf={csrf}&username=b&password=bench");
    let done = app
        .clone()
        .oneshot(
            Request::post("/signin")
                .header(header::COOKIE, pre)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("req"),
        )
        .await
        .expect("signin");
    let session = set_cookie(&done, "gw_session");

    let uri = format!("/clients/{client_id}?strategy=prudent&n=10");
    let mut times = Vec::with_capacity(SAMPLES);
    for i in 0..WARM_UP + SAMPLES {
        let request = Request::get(&uri)
            .header(header::COOKIE, &session)
            .body(Body::empty())
            .expect("req");
        let start = Instant::now();
        let response = app.clone().oneshot(request).await.expect("page");
        let status = response.status();
        let bytes = to_bytes(response.into_body(), 4 << 20).await.expect("body");
        let elapsed = start.elapsed();
        assert_eq!(
            status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        if i >= WARM_UP {
            times.push(elapsed);
        }
    }
    times.sort();
    let q = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
    println!(
        "client page render via {which} ({endpoint}), {SAMPLES} samples after {WARM_UP} warm-up:"
    );
    println!(
        "  p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        ms(q(0.50)),
        ms(q(0.99)),
        ms(q(1.0))
    );
    println!(
        "  target p99 <= 50 ms: {}",
        if ms(q(0.99)) <= 50.0 {
            "met"
        } else {
            "NOT met"
        }
    );
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn set_cookie(response: &axum::response::Response, name: &str) -> String {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .expect("cookie")
        .to_owned()
}
