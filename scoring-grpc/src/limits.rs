//! The per-call limits in front of the scoring service, as one tower layer:
//!
//! - a **deadline**: the caller's `grpc-timeout`, at most the server's
//!   default; a call still running when it passes answers
//!   DEADLINE_EXCEEDED (the gRPC code for it; tonic's own timeout answers
//!   CANCELLED). A malformed `grpc-timeout` answers INVALID_ARGUMENT.
//! - a **concurrency limit with load shedding**: a call arriving when
//!   `limit` calls are in flight answers RESOURCE_EXHAUSTED at once instead
//!   of queueing. A streamed ScoreBatch holds its slot until its stream ends
//!   or its deadline passes (a caller that stops reading cannot keep it),
//!   and work handed to a blocking thread holds it until that work ends
//!   ([`current_slot`]): a call answered DEADLINE_EXCEEDED or cancelled by
//!   its caller does not free its slot while its explanation still runs, so
//!   short deadlines cannot pile up work beyond the limit.
//!
//! Only `scoring.v1.ScoringService` calls are limited: health checks and
//! reflection pass untouched, so probes keep answering under load. Shed and
//! late calls are counted in `scoring_requests_total` like any other.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tonic::body::Body;
use tonic::codegen::http::{HeaderMap, Request, Response};
use tonic::{Code, Status};
use tower::{Layer, Service};

use crate::error::ServiceError;
use crate::metrics;

/// The path prefix of the calls the limits apply to.
const LIMITED_PREFIX: &str = "/scoring.v1.ScoringService/";
/// The service's RPCs, so metrics labels stay a closed set.
const RPCS: &[&str] = &[
    "Score",
    "ScoreBatch",
    "Explain",
    "GetModel",
    "ListModels",
    "DescribeFeature",
    "ListClients",
    "FindSimilarClients",
    "ScatterFeatures",
];

/// A call's concurrency slot, shared by the call, its response stream and
/// the blocking work it starts; freed when the last of them ends.
pub type CallSlot = Arc<OwnedSemaphorePermit>;

tokio::task_local! {
    static SLOT: CallSlot;
    static DEADLINE: Instant;
}

/// When the call being served on this task must be finished by: a
/// streamed ScoreBatch stops there, however far its stream got.
pub fn current_deadline() -> Option<Instant> {
    DEADLINE.try_with(|d| *d).ok()
}

/// The slot of the call being served on this task, for work that outlives
/// the call's future (a blocking thread) to hold until it ends.
pub fn current_slot() -> Option<CallSlot> {
    SLOT.try_with(Arc::clone).ok()
}

/// Builds [`Limits`] around a service.
#[derive(Debug, Clone)]
pub struct LimitsLayer {
    slots: Arc<Semaphore>,
    default_timeout: Duration,
}

impl LimitsLayer {
    /// At most `concurrency_limit` calls at once, each for at most
    /// `default_timeout` (less when the caller asks).
    pub fn new(concurrency_limit: usize, default_timeout: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(
                concurrency_limit.min(Semaphore::MAX_PERMITS),
            )),
            default_timeout,
        }
    }
}

impl<S> Layer<S> for LimitsLayer {
    type Service = Limits<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Limits {
            inner,
            slots: self.slots.clone(),
            default_timeout: self.default_timeout,
        }
    }
}

/// See the module documentation.
#[derive(Debug, Clone)]
pub struct Limits<S> {
    inner: S,
    slots: Arc<Semaphore>,
    default_timeout: Duration,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S> Service<Request<Body>> for Limits<S>
where
    S: Service<Request<Body>, Response = Response<Body>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response<Body>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let Some(method) = request.uri().path().strip_prefix(LIMITED_PREFIX) else {
            return Box::pin(self.inner.call(request));
        };
        let rpc = RPCS
            .iter()
            .copied()
            .find(|r| *r == method)
            .unwrap_or("unknown");
        let started = Instant::now();
        let refuse = move |status: Status| -> Self::Future {
            metrics::record_request(rpc, status.code(), started.elapsed());
            Box::pin(std::future::ready(Ok(status.into_http())))
        };
        let timeout = match caller_timeout(request.headers()) {
            Ok(asked) => asked.map_or(self.default_timeout, |t| t.min(self.default_timeout)),
            Err(reason) => return refuse(ServiceError::invalid("grpc-timeout", reason).into()),
        };
        let Ok(slot) = self.slots.clone().try_acquire_owned() else {
            return refuse(Status::resource_exhausted(
                "the server is at its concurrency limit; retry with backoff",
            ));
        };
        let slot: CallSlot = Arc::new(slot);
        let call = SLOT.scope(
            Arc::clone(&slot),
            DEADLINE.scope(started + timeout, self.inner.call(request)),
        );
        let deadline = started + timeout;
        let streamed = rpc == "ScoreBatch";
        Box::pin(async move {
            match tokio::time::timeout(timeout, call).await {
                Ok(Ok(response)) => {
                    // The body keeps the slot until it ends; a stream's body
                    // gives it back at the deadline too, even when the
                    // caller stopped reading and the body cannot end.
                    let held = Arc::new(std::sync::Mutex::new(Some(slot)));
                    if streamed {
                        let held = Arc::clone(&held);
                        tokio::spawn(async move {
                            tokio::time::sleep_until(deadline.into()).await;
                            held.lock().map(|mut h| h.take()).ok();
                        });
                    }
                    Ok(response.map(|body| {
                        Body::new(body.map_frame(move |frame| {
                            let _held_until_the_body_ends = &held;
                            frame
                        }))
                    }))
                }
                Ok(Err(error)) => Err(error),
                Err(_) => {
                    let status = Status::deadline_exceeded(format!(
                        "the call did not finish within its deadline of {timeout:?}"
                    ));
                    metrics::record_request(rpc, Code::DeadlineExceeded, started.elapsed());
                    Ok(status.into_http())
                }
            }
        })
    }
}

/// The caller's `grpc-timeout` header, if any: 1 to 8 digits and a unit
/// (`H`, `M`, `S`, `m`, `u`, `n`), as the gRPC HTTP/2 protocol defines it.
pub fn caller_timeout(headers: &HeaderMap) -> Result<Option<Duration>, String> {
    let Some(value) = headers.get("grpc-timeout") else {
        return Ok(None);
    };
    let malformed = || {
        format!(
            "`{}` is not 1 to 8 digits followed by H, M, S, m, u or n",
            String::from_utf8_lossy(value.as_bytes())
        )
    };
    let text = value.to_str().map_err(|_| malformed())?;
    let Some(unit) = text.chars().last() else {
        return Err(malformed());
    };
    let digits = &text[..text.len() - unit.len_utf8()];
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed());
    }
    let amount: u64 = digits.parse().map_err(|_| malformed())?;
    let timeout = match unit {
        'H' => Duration::from_secs(amount * 3600),
        'M' => Duration::from_secs(amount * 60),
        'S' => Duration::from_secs(amount),
        'm' => Duration::from_millis(amount),
        'u' => Duration::from_micros(amount),
        'n' => Duration::from_nanos(amount),
        _ => return Err(malformed()),
    };
    Ok(Some(timeout))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::codegen::http::HeaderValue;

    /// Limits (60 s default) around a service answering OK after `delay`.
    fn limited(
        delay: Duration,
    ) -> Limits<
        impl Service<
            Request<Body>,
            Response = Response<Body>,
            Error = std::convert::Infallible,
            Future: Send + 'static,
        >,
    > {
        let inner = tower::service_fn(move |_: Request<Body>| async move {
            tokio::time::sleep(delay).await;
            Ok(Response::new(Body::empty()))
        });
        LimitsLayer::new(8, Duration::from_secs(60)).layer(inner)
    }

    fn call_with_timeout(path: &str, timeout: &'static str) -> Request<Body> {
        let mut request = Request::new(Body::empty());
        *request.uri_mut() = path.parse().expect("uri");
        request
            .headers_mut()
            .insert("grpc-timeout", HeaderValue::from_static(timeout));
        request
    }

    fn grpc_status(response: &Response<Body>) -> Option<&str> {
        response
            .headers()
            .get("grpc-status")
            .and_then(|v| v.to_str().ok())
    }

    #[tokio::test]
    async fn the_callers_shorter_deadline_answers_deadline_exceeded() {
        let mut service = limited(Duration::from_secs(60));
        let request = call_with_timeout("/scoring.v1.ScoringService/Explain", "1m");
        let response = service.call(request).await.expect("an answer");
        assert_eq!(grpc_status(&response), Some("4"), "DEADLINE_EXCEEDED");
    }

    #[tokio::test]
    async fn health_and_reflection_calls_are_not_limited() {
        let mut service = limited(Duration::from_millis(50));
        let request = call_with_timeout("/grpc.health.v1.Health/Check", "1m");
        let response = service.call(request).await.expect("an answer");
        assert_eq!(grpc_status(&response), None, "the inner service's answer");
    }

    fn parse(value: &[u8]) -> Result<Option<Duration>, String> {
        let mut headers = HeaderMap::new();
        headers.insert(
            "grpc-timeout",
            HeaderValue::from_bytes(value).expect("header"),
        );
        caller_timeout(&headers)
    }

    #[test]
    fn reads_every_grpc_timeout_unit() {
        assert_eq!(caller_timeout(&HeaderMap::new()), Ok(None));
        let cases: [(&[u8], Duration); 6] = [
            (b"2H", Duration::from_secs(7200)),
            (b"3M", Duration::from_secs(180)),
            (b"10S", Duration::from_secs(10)),
            (b"250m", Duration::from_millis(250)),
            (b"99999999u", Duration::from_micros(99_999_999)),
            (b"1n", Duration::from_nanos(1)),
        ];
        for (value, expected) in cases {
            assert_eq!(parse(value), Ok(Some(expected)), "{value:?}");
        }
    }

    #[test]
    fn refuses_malformed_grpc_timeouts_naming_the_header() {
        for value in [
            &b"S"[..],
            b"123456789m",
            b"10s",
            b"-1S",
            b"1.5S",
            b"10\xc3\xa9",
        ] {
            let error = parse(value).expect_err("malformed");
            assert!(error.ends_with("is not 1 to 8 digits followed by H, M, S, m, u or n"));
        }
    }
}
