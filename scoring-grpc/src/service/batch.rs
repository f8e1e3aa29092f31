//! ScoreBatch: a portfolio scored in chunks, each chunk split over the
//! cores, answers streamed back in request order with one item error per
//! bad applicant. On each core, the applicants whose reasons need a
//! TreeSHAP are explained together by the batch form of the algorithm.
//! The call's deadline covers the whole stream: past it the scoring stops
//! (even while waiting for a caller that stopped reading),
//! the stream ends with DEADLINE_EXCEEDED after the answers already sent,
//! and the call's slot, thread and model are freed.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context as TaskContext, Poll};
use std::time::Instant;

use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::score_batch_response::Outcome as BatchOutcome;
use tokio::sync::mpsc;
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

use scoring_core::Decision;

use super::score::{
    Ask, audit_blocking, computed_decision, computed_decisions, quick_decision, to_wire,
};
use super::{BatchStream, Context, Shared};
use crate::error::ServiceError;
use crate::state::ServedModel;
use crate::validate::{Row, resolve_applicant};

/// Applicants scored per round; each round is split over the cores.
const BATCH_CHUNK: usize = 64;

pub(super) fn score_batch(
    shared: Arc<Shared>,
    model: Arc<ServedModel>,
    context: Context,
    request: pb::ScoreBatchRequest,
) -> Result<BatchStream, ServiceError> {
    let ask = Ask::of(request.strategy, request.max_reason_codes, request.reasons)?;
    let count = request.applicants.len();
    if count == 0 {
        return Err(ServiceError::invalid("applicants", "the batch is empty"));
    }
    if count > shared.max_batch {
        return Err(ServiceError::invalid(
            "applicants",
            format!(
                "{count} applicants is above this server's limit of {} per call; split the batch",
                shared.max_batch
            ),
        ));
    }
    let (tx, rx) = mpsc::channel(BATCH_CHUNK * 2);
    let mut applicants = request.applicants;
    let slot = crate::limits::current_slot();
    let deadline = crate::limits::current_deadline();
    let runtime = tokio::runtime::Handle::current();
    let late = Arc::new(AtomicBool::new(false));
    let late_flag = Arc::clone(&late);
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let past = |at: Option<Instant>| at.is_some_and(|d| Instant::now() >= d);
        for (chunk_index, chunk) in applicants.chunks_mut(BATCH_CHUNK).enumerate() {
            if past(deadline) {
                late_flag.store(true, Ordering::Release);
                return;
            }
            let first = chunk_index * BATCH_CHUNK;
            let items = score_chunk(&shared, &context, &model, ask, first, chunk, workers);
            for item in items {
                let sent = match deadline {
                    Some(at) => runtime.block_on(tokio::time::timeout_at(
                        tokio::time::Instant::from_std(at),
                        tx.send(Ok(item)),
                    )),
                    None => Ok(tx.blocking_send(Ok(item))),
                };
                match sent {
                    Ok(Ok(())) => {}
                    // The caller went away; stop scoring.
                    Ok(Err(_)) => return,
                    Err(_) => {
                        late_flag.store(true, Ordering::Release);
                        return;
                    }
                }
            }
        }
    });
    let ended = EndOfBatch { late, done: false };
    Ok(Box::pin(ReceiverStream::new(rx).chain(ended)))
}

/// The end of a batch's stream: DEADLINE_EXCEEDED when the scoring stopped
/// at the deadline, nothing otherwise.
struct EndOfBatch {
    late: Arc<AtomicBool>,
    done: bool,
}

impl tokio_stream::Stream for EndOfBatch {
    type Item = Result<pb::ScoreBatchResponse, Status>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        self.done = true;
        let late = self.late.load(Ordering::Acquire);
        Poll::Ready(late.then(|| {
            Err(Status::deadline_exceeded(
                "the batch did not finish within its deadline; the answers before this one stand, \
                 send the rest again",
            ))
        }))
    }
}

/// Scores one chunk of a batch (applicants `first..`) split over `workers`
/// threads, answers in request order. Each applicant is taken out of the
/// chunk, so that a loan application's records move into the engine.
fn score_chunk(
    shared: &Shared,
    context: &Context,
    model: &Arc<ServedModel>,
    ask: Ask,
    first: usize,
    chunk: &mut [pb::Applicant],
    workers: usize,
) -> Vec<pb::ScoreBatchResponse> {
    let per_worker = chunk.len().div_ceil(workers.max(1)).max(1);
    let score_kth = |k: usize, part: &mut [pb::Applicant]| {
        score_part(shared, context, model, ask, first + k * per_worker, part)
    };
    let mut parts = chunk.chunks_mut(per_worker);
    let Some(own) = parts.next() else {
        return Vec::new();
    };
    // The first part on this thread, the others on one thread each.
    std::thread::scope(|scope| {
        let others: Vec<_> = parts
            .enumerate()
            .map(|(k, part)| scope.spawn(move || score_kth(k + 1, part)))
            .collect();
        let mut items = score_kth(0, own);
        for other in others {
            items.extend(
                other
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        items
    })
}

/// One applicant of a batch, with what is known of it so far: `T` is
/// `Option<Decision>` once resolved (`None` while it waits for a
/// TreeSHAP), `Decision` once decided; or its item error.
struct Item<T> {
    index: usize,
    client_id: Option<i64>,
    outcome: Result<(Row, T), ServiceError>,
}

/// Scores consecutive applicants (`first..`) on this thread: each resolved
/// and decided without TreeSHAP where it can be, the ones that need reasons
/// explained together, then each audited and answered in order.
fn score_part(
    shared: &Shared,
    context: &Context,
    model: &Arc<ServedModel>,
    ask: Ask,
    first: usize,
    part: &mut [pb::Applicant],
) -> Vec<pb::ScoreBatchResponse> {
    let resolved: Vec<Item<Option<Decision>>> = part
        .iter_mut()
        .map(std::mem::take)
        .enumerate()
        .map(|(i, applicant)| {
            let index = first + i;
            let client_id = match &applicant.applicant {
                Some(pb::applicant::Applicant::ClientId(id)) => Some(*id),
                Some(pb::applicant::Applicant::ModifiedClient(m)) => Some(m.client_id),
                _ => None,
            };
            let field = format!("applicants[{index}]");
            let outcome = resolve_applicant(model, Some(applicant), &field).and_then(|row| {
                let decision = quick_decision(model, &row, ask)?;
                Ok((row, decision))
            });
            Item {
                index,
                client_id,
                outcome,
            }
        })
        .collect();
    explain_together(model, ask, resolved)
        .into_iter()
        .map(|item| answer(shared, context, model, item))
        .collect()
}

/// Decides the applicants still waiting for a TreeSHAP with one batch
/// explanation. Rows resolved against the model always explain; were the
/// batch refused, each is decided alone, so that an error lands on its own
/// item.
fn explain_together(
    model: &ServedModel,
    ask: Ask,
    resolved: Vec<Item<Option<Decision>>>,
) -> Vec<Item<Decision>> {
    let waiting: Vec<&Row> = resolved
        .iter()
        .filter_map(|item| match &item.outcome {
            Ok((row, None)) => Some(row),
            _ => None,
        })
        .collect();
    let mut explained = match waiting.is_empty() {
        true => Ok(Vec::new()),
        false => computed_decisions(model, &waiting, ask),
    }
    .map(Vec::into_iter);
    resolved
        .into_iter()
        .map(|item| Item {
            index: item.index,
            client_id: item.client_id,
            outcome: item.outcome.and_then(|(row, decision)| {
                let decision = match decision {
                    Some(decision) => decision,
                    None => match explained.as_mut().ok().and_then(Iterator::next) {
                        Some(decision) => decision,
                        None => computed_decision(model, &row, ask)?,
                    },
                };
                Ok((row, decision))
            }),
        })
        .collect()
}

/// An applicant's answer: its decision audited and handed to the monitor,
/// or its item error.
fn answer(
    shared: &Shared,
    context: &Context,
    model: &Arc<ServedModel>,
    item: Item<Decision>,
) -> pb::ScoreBatchResponse {
    let decided = item.outcome.and_then(|(row, decision)| {
        audit_blocking(shared, context, model, &row, &decision)?;
        Ok((row, decision))
    });
    let outcome = match decided {
        Ok((row, decision)) => {
            let answer = to_wire(model, &row, &decision);
            let probability = decision.probability_of_default;
            shared.monitor.observe(context, model, row, probability);
            BatchOutcome::Result(answer)
        }
        Err(error) => {
            let field = error.field().to_owned();
            let status = Status::from(error);
            BatchOutcome::Error(pb::ItemError {
                code: status.code() as i32,
                message: status.message().to_owned(),
                field,
            })
        }
    };
    pb::ScoreBatchResponse {
        model_version: model.version.clone(),
        index: item.index as u32,
        client_id: item.client_id,
        outcome: Some(outcome),
    }
}
