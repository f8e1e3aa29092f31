//! Prometheus metrics: the recorder (one per process), the names the
//! service records under, and a minimal HTTP endpoint serving them at
//! `/metrics` on its own port.
//!
//! - `scoring_requests_total{rpc, code}` and
//!   `scoring_request_duration_seconds{rpc}` (histogram);
//! - `scoring_model_info{version}`: 1 for the live version, 0 for earlier;
//! - `scoring_model_reloads_total` and `scoring_model_reload_failures_total`;
//! - `scoring_unauthenticated_total`, `scoring_audit_failures_total`;
//! - the shadow challenger's counters: `scoring_challenger_scored_total`,
//!   `scoring_challenger_dropped_total` (queue full),
//!   `scoring_challenger_failures_total` (failed to score),
//!   `scoring_challenger_loads_total` and
//!   `scoring_challenger_load_failures_total`;
//! - the drift and agreement gauges, set by [`crate::monitor::gauges`].

use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Latency buckets, seconds.
const BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
static LIVE_VERSION: Mutex<Option<String>> = Mutex::new(None);

/// How often recorded histogram samples are folded into their buckets.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);
/// The name of the thread that does it.
pub const UPKEEP_THREAD: &str = "metrics-upkeep";

/// Installs the process's recorder (once) and returns its handle; `None`
/// when another recorder was installed first.
///
/// The recorder keeps every histogram sample until an upkeep folds it into
/// the buckets; a thread does that every `UPKEEP_EVERY` (5 s), otherwise a
/// server nobody scrapes would grow by each call's sample.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), BUCKETS)
                .ok()?;
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            match metrics::set_global_recorder(recorder) {
                Ok(()) => {
                    let upkept = handle.clone();
                    let started = std::thread::Builder::new()
                        .name(UPKEEP_THREAD.to_owned())
                        .spawn(move || {
                            loop {
                                std::thread::sleep(UPKEEP_EVERY);
                                upkept.run_upkeep();
                            }
                        });
                    if let Err(error) = started {
                        tracing::warn!(%error, "cannot start the metrics upkeep thread");
                    }
                    Some(handle)
                }
                Err(_) => {
                    tracing::warn!("a metrics recorder was already installed; /metrics is empty");
                    None
                }
            }
        })
        .as_ref()
}

pub fn record_request(rpc: &'static str, code: tonic::Code, elapsed: Duration) {
    let code = format!("{code:?}");
    metrics::counter!("scoring_requests_total", "rpc" => rpc, "code" => code).increment(1);
    metrics::histogram!("scoring_request_duration_seconds", "rpc" => rpc)
        .record(elapsed.as_secs_f64());
}

/// One exact TreeSHAP computed (a Score that needed fresh reasons, or an
/// Explain): the expensive part of a decision, counted so operators see
/// what the reason policies cost.
pub fn record_explanation() {
    metrics::counter!("scoring_explanations_total").increment(1);
}

pub fn record_unauthenticated() {
    metrics::counter!("scoring_unauthenticated_total").increment(1);
}

pub fn record_audit_failure() {
    metrics::counter!("scoring_audit_failures_total").increment(1);
}

pub fn record_reload(ok: bool) {
    if ok {
        metrics::counter!("scoring_model_reloads_total").increment(1);
    } else {
        metrics::counter!("scoring_model_reload_failures_total").increment(1);
    }
}

/// One applicant scored by the shadow challenger.
pub fn record_challenger_scored() {
    metrics::counter!("scoring_challenger_scored_total").increment(1);
}

/// One applicant not shadowed: the challenger's queue was full.
pub fn record_challenger_dropped() {
    metrics::counter!("scoring_challenger_dropped_total").increment(1);
}

/// One applicant the challenger failed to score.
pub fn record_challenger_failure() {
    metrics::counter!("scoring_challenger_failures_total").increment(1);
}

pub fn record_challenger_load(ok: bool) {
    if ok {
        metrics::counter!("scoring_challenger_loads_total").increment(1);
    } else {
        metrics::counter!("scoring_challenger_load_failures_total").increment(1);
    }
}

/// Marks `version` live (1) and the previous live version 0.
pub fn set_live_version(version: &str) {
    let previous = LIVE_VERSION
        .lock()
        .ok()
        .and_then(|mut live| live.replace(version.to_owned()));
    if let Some(previous) = previous.filter(|p| p != version) {
        metrics::gauge!("scoring_model_info", "version" => previous).set(0.0);
    }
    metrics::gauge!("scoring_model_info", "version" => version.to_owned()).set(1.0);
}

/// Binds the metrics port.
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}

/// How the metrics endpoint protects itself from slow or many clients.
#[derive(Debug, Clone, Copy)]
pub struct EndpointLimits {
    /// Time a client has to send its request, and to take the answer.
    pub io_timeout: Duration,
    /// Connections served at once; more are closed at once.
    pub max_connections: usize,
}

impl Default for EndpointLimits {
    /// 5 s to ask and to read the answer, 32 connections (a Prometheus
    /// server or two, and a person with curl).
    fn default() -> Self {
        Self {
            io_timeout: Duration::from_secs(5),
            max_connections: 32,
        }
    }
}

/// How long the endpoint pauses after a failed accept (out of file
/// descriptors, ...), instead of retrying in a busy loop.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Answers every HTTP request on `listener` with the metrics text.
pub async fn serve(listener: TcpListener, limits: EndpointLimits) {
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    loop {
        let mut stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                tracing::warn!(%error, "the metrics endpoint cannot accept a connection");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        // Full: the connection is dropped (closed) at once.
        let Ok(slot) = std::sync::Arc::clone(&slots).try_acquire_owned() else {
            continue;
        };
        tokio::spawn(async move {
            let _slot = slot;
            // Requests are tiny GETs; read the head and ignore it.
            let mut head = vec![0; 4096];
            let asked = tokio::time::timeout(limits.io_timeout, stream.read(&mut head)).await;
            if !matches!(asked, Ok(Ok(n)) if n > 0) {
                return;
            }
            let body = handle().map(PrometheusHandle::render).unwrap_or_default();
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain; version=0.0.4\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let answer = async {
                stream.write_all(response.as_bytes()).await?;
                stream.shutdown().await
            };
            let _ = tokio::time::timeout(limits.io_timeout, answer).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn endpoint(limits: EndpointLimits) -> SocketAddr {
        let listener = bind("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(serve(listener, limits));
        addr
    }

    /// Reads until the server closes the connection (or 10 s pass).
    async fn read_to_close(stream: &mut tokio::net::TcpStream) -> Option<String> {
        let mut answer = Vec::new();
        let read = stream.read_to_end(&mut answer);
        tokio::time::timeout(Duration::from_secs(10), read)
            .await
            .ok()?
            .ok()?;
        Some(String::from_utf8_lossy(&answer).into_owned())
    }

    #[tokio::test]
    async fn a_client_that_never_asks_is_disconnected() {
        let addr = endpoint(EndpointLimits {
            io_timeout: Duration::from_millis(200),
            max_connections: 4,
        })
        .await;
        let mut silent = tokio::net::TcpStream::connect(addr)
            .await
            .expect("connects");
        let answer = read_to_close(&mut silent).await;
        assert_eq!(answer.as_deref(), Some(""), "closed without an answer");
    }

    #[tokio::test]
    async fn connections_beyond_the_limit_are_closed_and_slots_come_back() {
        let addr = endpoint(EndpointLimits {
            io_timeout: Duration::from_secs(30),
            max_connections: 2,
        })
        .await;
        let mut idle = Vec::new();
        for _ in 0..2 {
            idle.push(
                tokio::net::TcpStream::connect(addr)
                    .await
                    .expect("connects"),
            );
        }
        // Both slots are held by clients that say nothing.
        let mut extra = tokio::net::TcpStream::connect(addr)
            .await
            .expect("connects");
        assert_eq!(
            read_to_close(&mut extra).await.as_deref(),
            Some(""),
            "closed at once, though the timeout is 30 s"
        );
        // One idle client asks and is answered; its slot comes back.
        let mut first = idle.remove(0);
        first
            .write_all(b"GET /metrics HTTP/1.1\r\n\r\n")
            .await
            .expect("writes");
        let answer = read_to_close(&mut first).await.expect("answered");
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
        let next = loop {
            let mut next = tokio::net::TcpStream::connect(addr)
                .await
                .expect("connects");
            next.write_all(b"GET /metrics HTTP/1.1\r\n\r\n").await.ok();
            match read_to_close(&mut next).await {
                Some(answer) if answer.starts_with("HTTP/1.1 200") => break answer,
                _ => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        };
        assert!(next.contains("content-type: text/plain"), "{next}");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn installing_the_recorder_starts_its_upkeep() {
        assert!(handle().is_some(), "the first recorder of this process");
        let thread_names = || -> Vec<String> {
            let threads = std::fs::read_dir("/proc/self/task").expect("/proc");
            threads
                .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
                .map(|name| name.trim().to_owned())
                .collect()
        };
        // A new thread names itself once it runs: wait for that.
        for _ in 0..500 {
            if thread_names().iter().any(|n| n == UPKEEP_THREAD) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("no {UPKEEP_THREAD} thread among {:?}", thread_names());
    }
}
