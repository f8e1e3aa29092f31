//! Builds and runs the server: the scoring service behind the API key gate
//! and the per-call limits ([`crate::limits`]), health and reflection beside
//! it, TLS when configured, the reload task, the metrics endpoint and the
//! audit writer; and stops them in order.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use scoring_core::registry::Registry;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinError, JoinHandle};
use tokio_stream::wrappers::TcpListenerStream;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Identity, Server, ServerTlsConfig};
use tonic_health::ServingStatus;
use tonic_health::pb::health_server::HealthServer;
use tonic_health::server::HealthService;

use crate::audit::AuditLog;
use crate::auth::Gate;
use scoring_proto::scoring::v1::scoring_service_server::ScoringServiceServer;

use crate::config::{Settings, TlsConfig};
use crate::error::{ServeError, StartError};
use crate::limits::LimitsLayer;
use crate::monitor::Monitor;
use crate::reload::{Reloader, SERVICE_NAME};
use crate::service::{ScoringApi, Shared};

/// A started server.
#[derive(Debug)]
pub struct RunningServer {
    /// Where gRPC is served.
    pub addr: SocketAddr,
    /// Where `/metrics` is served, when enabled.
    pub metrics_addr: Option<SocketAddr>,
    /// Where plain-text grpc.health.v1 is served, when enabled.
    pub health_addr: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    task: JoinHandle<Result<(), tonic::transport::Error>>,
}

impl RunningServer {
    /// Stops accepting calls, lets the calls in flight finish, flushes the
    /// audit log and returns.
    pub async fn shutdown(self) -> Result<(), ServeError> {
        let _ = self.stop.send(true);
        self.wait().await
    }

    /// Waits until the server stops: `Ok` once it was asked to stop and did;
    /// an error when serving failed or the server task panicked.
    pub async fn wait(self) -> Result<(), ServeError> {
        outcome(self.task.await)
    }

    /// A sender that stops the server when it sends `true`.
    pub fn stopper(&self) -> watch::Sender<bool> {
        self.stop.clone()
    }
}

/// What the server task's end means for the caller of
/// [`RunningServer::wait`]: a panic is a failure, never a clean stop.
fn outcome(
    joined: Result<Result<(), tonic::transport::Error>, JoinError>,
) -> Result<(), ServeError> {
    match joined {
        Ok(served) => served.map_err(ServeError::Transport),
        Err(error) => Err(ServeError::Task(error)),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, StartError> {
    std::fs::read(path).map_err(|source| StartError::TlsFile {
        path: path.to_owned(),
        source,
    })
}

fn tls_config(tls: &TlsConfig) -> Result<ServerTlsConfig, StartError> {
    let mut config =
        ServerTlsConfig::new().identity(Identity::from_pem(read(&tls.cert)?, read(&tls.key)?));
    if let Some(ca) = &tls.client_ca {
        config = config.client_ca_root(Certificate::from_pem(read(ca)?));
    }
    Ok(config)
}

/// How often the server pings an idle HTTP/2 connection.
pub const HTTP2_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
/// How long a ping may go unanswered before the connection is closed.
pub const HTTP2_KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(10);
/// Streams (calls) one HTTP/2 connection may have open at once.
pub const MAX_STREAMS_PER_CONNECTION: u32 = 128;

/// Serves `health` alone, without TLS, on `at` until `stop`: what probes
/// that cannot speak TLS ask (the same statuses as the main port's).
async fn serve_health(
    at: SocketAddr,
    health: HealthServer<HealthService>,
    mut stop: watch::Receiver<bool>,
) -> Result<SocketAddr, StartError> {
    let listener = TcpListener::bind(at)
        .await
        .map_err(|source| StartError::Bind { addr: at, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| StartError::Bind { addr: at, source })?;
    let router = Server::builder().add_service(health);
    tokio::spawn(async move {
        let stopped = async move {
            let _ = stop.wait_for(|s| *s).await;
        };
        if let Err(error) = router
            .serve_with_incoming_shutdown(TcpListenerStream::new(listener), stopped)
            .await
        {
            tracing::error!(%error, "the health port failed");
        }
    });
    Ok(bound)
}

/// Binds the ports, loads the model (if the alias names one) and serves
/// until [`RunningServer::shutdown`].
pub async fn start(settings: Settings) -> Result<RunningServer, StartError> {
    tracing::info!(?settings, "starting");
    let listener = TcpListener::bind(settings.listen)
        .await
        .map_err(|source| StartError::Bind {
            addr: settings.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: settings.listen,
        source,
    })?;
    crate::metrics::handle();
    let metrics_addr = match settings.metrics_listen {
        Some(at) => {
            let metrics = crate::metrics::bind(at)
                .await
                .map_err(|source| StartError::Bind { addr: at, source })?;
            let bound = metrics
                .local_addr()
                .map_err(|source| StartError::Bind { addr: at, source })?;
            tokio::spawn(crate::metrics::serve(
                metrics,
                crate::metrics::EndpointLimits::default(),
            ));
            Some(bound)
        }
        None => None,
    };
    let registry = Registry::open_read_only(settings.registry.clone()).map_err(|source| {
        StartError::Registry {
            location: settings.registry.to_string(),
            source,
        }
    })?;
    let audit = match &settings.audit {
        Some(a) => Some(AuditLog::start(a).map_err(|source| StartError::Audit {
            path: a.path.clone(),
            source,
        })?),
        None => None,
    };
    let (monitor, shadow_queue) = Monitor::new(settings.monitoring.clone());
    let shared = Arc::new(Shared::new(registry, &settings, audit, monitor));
    if let Some(queue) = shadow_queue {
        crate::monitor::shadow::start(Arc::downgrade(&shared), queue)
            .map_err(StartError::Shadow)?;
    }

    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_service_status(SERVICE_NAME, ServingStatus::NotServing)
        .await;
    health
        .set_service_status("", ServingStatus::NotServing)
        .await;
    let health_probe = HealthServer::new(HealthService::from_health_reporter(health.clone()));
    let mut reloader = Reloader::new(shared.clone(), settings.snapshot.clone(), health);
    reloader.check().await;

    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(scoring_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()
        .map_err(StartError::Reflection)?;
    let api = ScoringServiceServer::new(ScoringApi::new(shared.clone()))
        .max_decoding_message_size(settings.max_message_bytes)
        .max_encoding_message_size(settings.max_message_bytes);
    let api = InterceptedService::new(api, Gate::new(settings.api_keys.as_deref()));

    // Keepalive pings find callers that vanished without closing (their
    // streams then end and free their slots); a bound on streams per
    // connection keeps one connection from taking every slot's queue.
    let mut builder = Server::builder()
        .http2_keepalive_interval(Some(HTTP2_KEEPALIVE_INTERVAL))
        .http2_keepalive_timeout(Some(HTTP2_KEEPALIVE_TIMEOUT))
        .max_concurrent_streams(MAX_STREAMS_PER_CONNECTION);
    if let Some(tls) = &settings.tls {
        builder = builder
            .tls_config(tls_config(tls)?)
            .map_err(StartError::Tls)?;
    }
    let router = builder
        .trace_fn(|request| {
            tracing::info_span!(
                "grpc",
                path = request.uri().path(),
                request_id = tracing::field::Empty,
                model_version = tracing::field::Empty,
            )
        })
        .layer(LimitsLayer::new(
            settings.concurrency_limit,
            settings.request_timeout,
        ))
        .add_service(health_service)
        .add_service(reflection)
        .add_service(api);

    let (stop, mut stopped) = watch::channel(false);
    let health_addr = match settings.health_listen {
        Some(at) => Some(serve_health(at, health_probe, stop.subscribe()).await?),
        None => None,
    };
    let reload_task = tokio::spawn(reloader.run(settings.reload_interval, stop.subscribe()));
    let gauges_task = tokio::spawn(crate::monitor::gauges::run(
        shared.clone(),
        settings.monitoring.update_interval,
        stop.subscribe(),
    ));
    let task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.wait_for(|s| *s).await;
        };
        // Without TCP_NODELAY small responses wait ~40 ms for delayed ACKs.
        let incoming = tokio_stream::StreamExt::map(TcpListenerStream::new(listener), |conn| {
            if let Ok(stream) = &conn
                && let Err(error) = stream.set_nodelay(true)
            {
                tracing::warn!(%error, "cannot set TCP_NODELAY");
            }
            conn
        });
        let served = router
            .serve_with_incoming_shutdown(incoming, shutdown)
            .await;
        reload_task.abort();
        gauges_task.abort();
        if let Some(audit) = &shared.audit {
            audit.close().await;
        }
        tracing::info!("stopped");
        served
    });
    Ok(RunningServer {
        addr,
        metrics_addr,
        health_addr,
        stop,
        task,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicked_server_task_is_a_failure_not_a_clean_stop() {
        let task: JoinHandle<Result<(), tonic::transport::Error>> =
            tokio::spawn(async { panic!("the server broke") });
        let error = outcome(task.await).expect_err("a panic is an error");
        assert!(
            matches!(error, ServeError::Task(ref e) if e.is_panic()),
            "{error:?}"
        );

        let task = tokio::spawn(async { Ok(()) });
        assert!(outcome(task.await).is_ok(), "a clean stop is Ok");
    }
}
