//! Every RPC's request decoded from bytes (the first byte chooses the RPC)
//! and answered by the service's handlers in-process, on a small model with
//! a client snapshot and loan applications: validation, the online feature
//! engine, scoring, explanations, the population questions, the registry.
//! Any request ends in an answer or a status; never a panic or an abort.
#![no_main]

use credit_scoring_fuzz::{Service, service};
use libfuzzer_sys::fuzz_target;
use prost::Message;
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_server::ScoringService;
use tokio_stream::StreamExt;
use tonic::Request;

fn decode<T: Message + Default>(bytes: &[u8]) -> Option<Request<T>> {
    T::decode(bytes).ok().map(Request::new)
}

fuzz_target!(|data: &[u8]| {
    let Some((&rpc, bytes)) = data.split_first() else {
        return;
    };
    let Service { runtime, api, .. } = service();
    runtime.block_on(async {
        // Each answer is either a response or a status; both are fine.
        match rpc % 9 {
            0 => {
                if let Some(r) = decode::<pb::ScoreRequest>(bytes) {
                    let _ = api.score(r).await;
                }
            }
            1 => {
                if let Some(r) = decode::<pb::ScoreBatchRequest>(bytes)
                    && let Ok(stream) = api.score_batch(r).await
                {
                    let mut stream = stream.into_inner();
                    while stream.next().await.is_some() {}
                }
            }
            2 => {
                if let Some(r) = decode::<pb::ExplainRequest>(bytes) {
                    let _ = api.explain(r).await;
                }
            }
            3 => {
                if let Some(r) = decode::<pb::GetModelRequest>(bytes) {
                    let _ = api.get_model(r).await;
                }
            }
            4 => {
                if let Some(r) = decode::<pb::ListModelsRequest>(bytes) {
                    let _ = api.list_models(r).await;
                }
            }
            5 => {
                if let Some(r) = decode::<pb::DescribeFeatureRequest>(bytes) {
                    let _ = api.describe_feature(r).await;
                }
            }
            6 => {
                if let Some(r) = decode::<pb::ListClientsRequest>(bytes) {
                    let _ = api.list_clients(r).await;
                }
            }
            7 => {
                if let Some(r) = decode::<pb::FindSimilarClientsRequest>(bytes) {
                    let _ = api.find_similar_clients(r).await;
                }
            }
            _ => {
                if let Some(r) = decode::<pb::ScatterFeaturesRequest>(bytes) {
                    let _ = api.scatter_features(r).await;
                }
            }
        }
    });
});
