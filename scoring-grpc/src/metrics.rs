//! Prometheus metrics: the recorder (one per process), the names the
//! service records under, and a minimal HTTP endpoint serving them at
//! `/metrics` on its own port.
//!
//! - `scoring_requests_total{rpc, code}` and
//!   `scoring_request_duration_seconds{rpc}` (histogram);
//! - `scoring_model_info{version}`: 1 for the live version, 0 for earlier;
//! - `scoring_model_reloads_total` and `scoring_model_reload_failures_total`;
//! - `scoring_unauthenticated_total`, `scoring_audit_failures_total`.

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

/// Answers every HTTP request on `listener` with the metrics text.
pub async fn serve(listener: TcpListener) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            // Requests are tiny GETs; read the head and ignore it.
            let mut head = vec![0; 4096];
            let _ = stream.read(&mut head).await;
            let body = handle().map(PrometheusHandle::render).unwrap_or_default();
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain; version=0.0.4\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
