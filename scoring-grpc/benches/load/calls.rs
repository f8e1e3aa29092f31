//! The calls the load bench makes: Score, Explain and ScoreBatch, mixed in
//! the shares `--mix` gives.

use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use tokio_stream::StreamExt;
use tonic::transport::Channel;

use crate::ask::Ask;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Rpc {
    Score,
    Explain,
    /// ScoreBatch of `--batch-size` consecutive applicants.
    Batch,
}

pub(crate) fn parse_mix(mix: &str) -> Result<Vec<(Rpc, f64)>, String> {
    mix.split(',')
        .map(|part| {
            let (name, weight) = part
                .split_once('=')
                .ok_or(format!("bad mix part `{part}`"))?;
            let weight: f64 = weight
                .parse()
                .map_err(|_| format!("bad weight `{weight}`"))?;
            let rpc = match name {
                "score" => Rpc::Score,
                "explain" => Rpc::Explain,
                "batch" => Rpc::Batch,
                _ => return Err(format!("unknown rpc `{name}` (score, explain or batch)")),
            };
            Ok((rpc, weight))
        })
        .collect()
}

/// What one call answered: applicants decided and how many were refused.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Answered {
    pub(crate) applicants: u64,
    pub(crate) refused: u64,
}

/// One call about applicant `id` (and, for a batch, the ones after it, up
/// to `clients` then from 1 again); `None` when it failed or any of its
/// applicants did.
pub(crate) async fn call(
    client: &mut ScoringServiceClient<Channel>,
    rpc: Rpc,
    id: i64,
    clients: u64,
    ask: &Ask,
) -> Option<Answered> {
    let refused = |decision: i32| u64::from(decision == pb::Decision::Refuse as i32);
    let one = |decision: i32| Answered {
        applicants: 1,
        refused: refused(decision),
    };
    match rpc {
        Rpc::Score => client
            .score(pb::ScoreRequest {
                applicant: ask.population.applicant(id),
                reasons: ask.reasons,
                ..Default::default()
            })
            .await
            .ok()
            .map(|r| one(r.into_inner().decision)),
        Rpc::Explain => client
            .explain(pb::ExplainRequest {
                applicant: ask.population.applicant(id),
                top_k: 10,
                ..Default::default()
            })
            .await
            .ok()
            .map(|r| one(r.into_inner().decision)),
        Rpc::Batch => {
            let applicants = (0..ask.batch_size as i64)
                .map(|k| 1 + (id - 1 + k) % clients.max(1) as i64)
                .filter_map(|id| ask.population.applicant(id))
                .collect();
            let mut stream = client
                .score_batch(pb::ScoreBatchRequest {
                    applicants,
                    reasons: ask.reasons,
                    ..Default::default()
                })
                .await
                .ok()?
                .into_inner();
            let mut answered = Answered::default();
            while let Some(item) = stream.next().await {
                match item.ok()?.outcome? {
                    pb::score_batch_response::Outcome::Result(r) => {
                        answered.applicants += 1;
                        answered.refused += refused(r.decision);
                    }
                    pb::score_batch_response::Outcome::Error(_) => return None,
                }
            }
            Some(answered)
        }
    }
}
