//! The `scoring.v1.ScoringService` implementation: request context, the
//! dispatch of each RPC to its handler module, metrics around every call.
//!
//! - `score`: Score, ScoreBatch, Explain (the decisions, audited);
//! - `models`: GetModel, ListModels (the registry);
//! - `population`: DescribeFeature, ListClients, FindSimilarClients,
//!   ScatterFeatures (the client snapshot);
//! - `drift`: GetDrift (the monitoring of the live model).

mod batch;
mod descriptions;
mod drift;
mod models;
mod population;
mod score;

use descriptions::{DEFAULT_DESCRIPTIONS, Descriptions};

use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use scoring_core::backtest::BacktestCache;
use scoring_core::registry::Registry;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

use crate::audit::AuditLog;
use crate::auth::{Caller, RequestId};
use crate::config::Settings;
use crate::error::ServiceError;
use crate::metrics;
use crate::state::{ModelHolder, ServedModel};
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_server::ScoringService;

/// What every handler shares.
#[derive(Debug)]
pub struct Shared {
    pub holder: ModelHolder,
    pub registry: Registry,
    pub alias: String,
    pub max_batch: usize,
    /// Snapshot clients whose Score explanations are cached per model.
    pub cache_clients: usize,
    pub audit: Option<AuditLog>,
    /// The versions' published backtests, read at most once per reload
    /// interval each.
    pub backtests: BacktestCache,
    /// Drift tracking and the shadow challenger.
    pub monitor: crate::monitor::Monitor,
    /// GetModel's descriptions of the versions asked last.
    pub(crate) descriptions: descriptions::Descriptions,
}

impl Shared {
    /// What the handlers share for `registry` under `settings` (no model
    /// live yet: the reloader or the caller sets one in `holder`).
    pub fn new(
        registry: Registry,
        settings: &Settings,
        audit: Option<AuditLog>,
        monitor: crate::monitor::Monitor,
    ) -> Self {
        Self {
            holder: ModelHolder::default(),
            registry,
            alias: settings.alias.clone(),
            max_batch: settings.max_batch,
            cache_clients: settings.score_cache_clients,
            audit,
            backtests: BacktestCache::new(settings.reload_interval),
            monitor,
            descriptions: Descriptions::new(DEFAULT_DESCRIPTIONS),
        }
    }
}

/// Who asked, for the audit log and the logs.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub(crate) request_id: String,
    pub(crate) caller: String,
    /// The RPC asked for.
    pub(crate) rpc: &'static str,
    /// The person the caller acts for (`x-on-behalf-of`), when it says.
    pub(crate) on_behalf_of: Option<String>,
}

/// The metadata key naming the person a caller acts for (the gateway sends
/// the signed-in officer).
pub const ON_BEHALF_OF: &str = "x-on-behalf-of";
/// The longest `x-on-behalf-of` kept; longer values are cut.
pub const MAX_ON_BEHALF_OF: usize = 128;

impl Context {
    fn of<T>(request: &Request<T>, rpc: &'static str) -> Self {
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        let caller = request
            .extensions()
            .get::<Caller>()
            .map(|c| c.0.clone())
            .unwrap_or_else(|| "anonymous".to_owned());
        let on_behalf_of = request
            .metadata()
            .get(ON_BEHALF_OF)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.chars()
                    .filter(|c| !c.is_control())
                    .take(MAX_ON_BEHALF_OF)
                    .collect::<String>()
            })
            .filter(|v| !v.is_empty());
        Self {
            request_id,
            caller,
            rpc,
            on_behalf_of,
        }
    }
}

/// The tonic service.
#[derive(Debug, Clone)]
pub struct ScoringApi {
    shared: Arc<Shared>,
}

impl ScoringApi {
    pub fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    fn live(&self) -> Result<Arc<ServedModel>, ServiceError> {
        let model = self.shared.holder.current().ok_or(ServiceError::NoModel)?;
        tracing::Span::current().record("model_version", model.version.as_str());
        Ok(model)
    }
}

/// Runs CPU-heavy work off the async runtime, holding the call's
/// concurrency slot until the work ends (even if the call is answered or
/// cancelled before).
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, ServiceError> {
    let slot = crate::limits::current_slot();
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
    .map_err(ServiceError::Worker)?
}

/// Counts and times one call, and turns its error into a status.
fn finish<T>(
    rpc: &'static str,
    started: Instant,
    result: Result<T, ServiceError>,
) -> Result<Response<T>, Status> {
    let result = result.map_err(Status::from);
    let code = match &result {
        Ok(_) => tonic::Code::Ok,
        Err(status) => status.code(),
    };
    metrics::record_request(rpc, code, started.elapsed());
    if let Err(status) = &result {
        // Not the message: it can name a client id or echo a value.
        tracing::info!(rpc, code = ?status.code(), "request refused");
    }
    result.map(Response::new)
}

type BatchStream = Pin<Box<dyn Stream<Item = Result<pb::ScoreBatchResponse, Status>> + Send>>;

#[tonic::async_trait]
impl ScoringService for ScoringApi {
    async fn score(
        &self,
        request: Request<pb::ScoreRequest>,
    ) -> Result<Response<pb::ScoreResponse>, Status> {
        let started = Instant::now();
        let context = Context::of(&request, "Score");
        let result = match self.live() {
            Ok(model) => score::score(&self.shared, model, context, request.into_inner()).await,
            Err(e) => Err(e),
        };
        finish("Score", started, result)
    }

    type ScoreBatchStream = BatchStream;

    async fn score_batch(
        &self,
        request: Request<pb::ScoreBatchRequest>,
    ) -> Result<Response<Self::ScoreBatchStream>, Status> {
        let started = Instant::now();
        let context = Context::of(&request, "ScoreBatch");
        let result = match self.live() {
            Ok(model) => {
                batch::score_batch(self.shared.clone(), model, context, request.into_inner())
            }
            Err(e) => Err(e),
        };
        finish("ScoreBatch", started, result)
    }

    async fn explain(
        &self,
        request: Request<pb::ExplainRequest>,
    ) -> Result<Response<pb::ExplainResponse>, Status> {
        let started = Instant::now();
        let context = Context::of(&request, "Explain");
        let result = match self.live() {
            Ok(model) => score::explain(&self.shared, model, context, request.into_inner()).await,
            Err(e) => Err(e),
        };
        finish("Explain", started, result)
    }

    async fn get_model(
        &self,
        request: Request<pb::GetModelRequest>,
    ) -> Result<Response<pb::GetModelResponse>, Status> {
        let started = Instant::now();
        let live = self.shared.holder.current();
        let result = models::get_model(&self.shared, live, request.into_inner()).await;
        finish("GetModel", started, result)
    }

    async fn list_models(
        &self,
        request: Request<pb::ListModelsRequest>,
    ) -> Result<Response<pb::ListModelsResponse>, Status> {
        let started = Instant::now();
        let live = self.shared.holder.version().unwrap_or_default();
        let result = models::list_models(&self.shared, live, request.into_inner()).await;
        finish("ListModels", started, result)
    }

    async fn describe_feature(
        &self,
        request: Request<pb::DescribeFeatureRequest>,
    ) -> Result<Response<pb::DescribeFeatureResponse>, Status> {
        let started = Instant::now();
        let result = match self.live() {
            Ok(model) => {
                let request = request.into_inner();
                blocking(move || population::describe_feature(&model, &request)).await
            }
            Err(e) => Err(e),
        };
        finish("DescribeFeature", started, result)
    }

    async fn list_clients(
        &self,
        request: Request<pb::ListClientsRequest>,
    ) -> Result<Response<pb::ListClientsResponse>, Status> {
        let started = Instant::now();
        let result = match self.live() {
            Ok(model) => {
                let request = request.into_inner();
                blocking(move || population::list_clients(&model, &request)).await
            }
            Err(e) => Err(e),
        };
        finish("ListClients", started, result)
    }

    async fn find_similar_clients(
        &self,
        request: Request<pb::FindSimilarClientsRequest>,
    ) -> Result<Response<pb::FindSimilarClientsResponse>, Status> {
        let started = Instant::now();
        let result = match self.live() {
            Ok(model) => {
                let request = request.into_inner();
                blocking(move || population::find_similar(&model, &request)).await
            }
            Err(e) => Err(e),
        };
        finish("FindSimilarClients", started, result)
    }

    async fn scatter_features(
        &self,
        request: Request<pb::ScatterFeaturesRequest>,
    ) -> Result<Response<pb::ScatterFeaturesResponse>, Status> {
        let started = Instant::now();
        let result = match self.live() {
            Ok(model) => {
                let request = request.into_inner();
                blocking(move || population::scatter(&model, &request)).await
            }
            Err(e) => Err(e),
        };
        finish("ScatterFeatures", started, result)
    }

    async fn get_drift(
        &self,
        request: Request<pb::GetDriftRequest>,
    ) -> Result<Response<pb::GetDriftResponse>, Status> {
        let started = Instant::now();
        let result = match self.live() {
            Ok(model) => drift::get_drift(&self.shared, &model, request.into_inner()),
            Err(e) => Err(e),
        };
        finish("GetDrift", started, result)
    }
}
