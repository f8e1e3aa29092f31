//! The fake service over real gRPC: a tonic server on loopback that answers
//! with [`FakeScoringClient`], so the gateway's tonic client, its API key
//! metadata and the service-down path are exercised for real (benchmark and
//! tests) before the real service is merged.

use std::net::SocketAddr;

use scoring_proto::scoring::v1::{
    self as pb,
    scoring_service_server::{ScoringService, ScoringServiceServer},
};
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_stream::{StreamExt, wrappers::TcpListenerStream};
use tonic::{Request, Response, Status};

use super::FakeScoringClient;
use crate::client::ScoringClient;

/// The fake, as a tonic service.
pub struct StandIn(pub FakeScoringClient);

type Res<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl ScoringService for StandIn {
    async fn score(&self, r: Request<pb::ScoreRequest>) -> Res<pb::ScoreResponse> {
        let r = r.into_inner();
        let e = self
            .0
            .explain(pb::ExplainRequest {
                applicant: r.applicant,
                top_k: 1,
                order: 0,
                strategy: r.strategy,
                max_reason_codes: r.max_reason_codes,
            })
            .await?;
        Ok(Response::new(pb::ScoreResponse {
            model_version: e.model_version,
            client_id: e.client_id,
            probability_of_default: e.probability_of_default,
            raw_score: e.raw_score,
            decision: e.decision,
            strategy: e.strategy,
            threshold: e.threshold,
            distance_to_threshold: e.probability_of_default - e.threshold,
            reason_codes: e.reason_codes,
        }))
    }

    type ScoreBatchStream =
        tokio_stream::Iter<std::vec::IntoIter<Result<pb::ScoreBatchResponse, Status>>>;

    async fn score_batch(&self, _: Request<pb::ScoreBatchRequest>) -> Res<Self::ScoreBatchStream> {
        Err(Status::unimplemented("the stand-in does not batch"))
    }
    async fn explain(&self, r: Request<pb::ExplainRequest>) -> Res<pb::ExplainResponse> {
        Ok(Response::new(self.0.explain(r.into_inner()).await?))
    }
    async fn get_model(&self, r: Request<pb::GetModelRequest>) -> Res<pb::GetModelResponse> {
        Ok(Response::new(self.0.get_model(r.into_inner()).await?))
    }
    async fn list_models(&self, r: Request<pb::ListModelsRequest>) -> Res<pb::ListModelsResponse> {
        Ok(Response::new(self.0.list_models(r.into_inner()).await?))
    }
    async fn describe_feature(
        &self,
        r: Request<pb::DescribeFeatureRequest>,
    ) -> Res<pb::DescribeFeatureResponse> {
        Ok(Response::new(
            self.0.describe_feature(r.into_inner()).await?,
        ))
    }
    async fn list_clients(
        &self,
        r: Request<pb::ListClientsRequest>,
    ) -> Res<pb::ListClientsResponse> {
        Ok(Response::new(self.0.list_clients(r.into_inner()).await?))
    }
    async fn find_similar_clients(
        &self,
        r: Request<pb::FindSimilarClientsRequest>,
    ) -> Res<pb::FindSimilarClientsResponse> {
        Ok(Response::new(
            self.0.find_similar_clients(r.into_inner()).await?,
        ))
    }
    async fn scatter_features(
        &self,
        r: Request<pb::ScatterFeaturesRequest>,
    ) -> Res<pb::ScatterFeaturesResponse> {
        Ok(Response::new(
            self.0.scatter_features(r.into_inner()).await?,
        ))
    }
}

/// Serves `fake` on 127.0.0.1 (a free port). With `api_key`, calls without
/// `authorization: Bearer <api_key>` are refused with UNAUTHENTICATED.
pub async fn spawn(
    fake: FakeScoringClient,
    api_key: Option<String>,
) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let expected = api_key.map(|k| format!("Bearer {k}"));
    let service =
        ScoringServiceServer::with_interceptor(
            StandIn(fake),
            move |r: Request<()>| match &expected {
                Some(want) => {
                    let got = r
                        .metadata()
                        .get("authorization")
                        .and_then(|v| v.to_str().ok());
                    if got == Some(want.as_str()) {
                        Ok(r)
                    } else {
                        Err(Status::unauthenticated("missing or wrong API key"))
                    }
                }
                None => Ok(r),
            },
        );
    // Without TCP_NODELAY, small responses wait for the peer's delayed ACK
    // (about 40 ms per call on Linux loopback).
    let incoming = TcpListenerStream::new(listener).map(|stream| {
        stream.inspect(|s| {
            if let Err(e) = s.set_nodelay(true) {
                tracing::warn!(error = %e, "cannot set TCP_NODELAY");
            }
        })
    });
    let handle = tokio::spawn(async move {
        let served = tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(incoming)
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "stand-in server stopped");
        }
    });
    Ok((addr, handle))
}
