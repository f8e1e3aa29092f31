//! Client-page render latency (p50/p99) through the whole gateway: session
//! cookie, two gRPC calls over loopback with the real tonic client, SVG and
//! template rendering.
//!
//! ```text
//! cargo bench -p test-support --bench render       # the real service, dashboard model
//! # against a scoring service already running:
//! BENCH_SCORING_ENDPOINT=http://127.0.0.1:50051 BENCH_API_KEY=... \
//!     BENCH_CLIENT_ID=100002 cargo bench -p test-support --bench render
//! ```
//! By default the service is the real one (`scoring_grpc::server::start` on
//! 127.0.0.1:0, API key on) serving the dashboard model
//! (`test_support::dashboard`: 12 features, 300 clients) from a temporary
//! registry. Target: p99 ≤ 50 ms.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use test_support::dashboard::KNOWN_CLIENT;
use test_support::gateway::{Dashboard, app, get, send, sign_in};

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
    // Kept alive until the end: the registry and the service.
    let mut dashboard = None;
    let (app, which) = match std::env::var("BENCH_SCORING_ENDPOINT") {
        Ok(endpoint) => {
            let key = std::env::var("BENCH_API_KEY").ok();
            let which = format!("the scoring service at {endpoint}");
            (app(&endpoint, key.as_deref()), which)
        }
        Err(_) => {
            let started = Dashboard::start().await;
            let which = format!(
                "the real scoring service on loopback ({}, dashboard model)",
                started.endpoint
            );
            let app = started.app.clone();
            dashboard = Some(started);
            (app, which)
        }
    };
    let client_id = std::env::var("BENCH_CLIENT_ID").unwrap_or_else(|_| KNOWN_CLIENT.to_string());
    let session = sign_in(&app).await;

    let uri = format!("/clients/{client_id}?strategy=prudent&n=10");
    let mut times = Vec::with_capacity(SAMPLES);
    for i in 0..WARM_UP + SAMPLES {
        let start = Instant::now();
        let page = send(&app, get(&uri, &session.cookie)).await;
        let elapsed = start.elapsed();
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        if i >= WARM_UP {
            times.push(elapsed);
        }
    }
    times.sort();
    let q = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
    println!("client page render via {which}, {SAMPLES} samples after {WARM_UP} warm-up:");
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
    if let Some(dashboard) = dashboard {
        dashboard.stop().await;
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
