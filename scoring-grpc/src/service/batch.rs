//! ScoreBatch: a portfolio scored in chunks, each chunk split over the
//! cores, answers streamed back in request order with one item error per
//! bad applicant. The call's deadline covers the whole stream: past it the
//! scoring stops (even while waiting for a caller that stopped reading),
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

use super::score::{Ask, audit_blocking, decide, to_wire};
use super::{BatchStream, Context, Shared};
use crate::error::ServiceError;
use crate::state::ServedModel;
use crate::validate::resolve_applicant;

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
    let score_part = |k: usize, part: &mut [pb::Applicant]| {
        part.iter_mut()
            .map(std::mem::take)
            .enumerate()
            .map(|(i, applicant)| {
                let index = first + k * per_worker + i;
                score_item(shared, context, model, ask, index, applicant)
            })
            .collect::<Vec<_>>()
    };
    let mut parts = chunk.chunks_mut(per_worker);
    let Some(own) = parts.next() else {
        return Vec::new();
    };
    // The first part on this thread, the others on one thread each.
    std::thread::scope(|scope| {
        let others: Vec<_> = parts
            .enumerate()
            .map(|(k, part)| scope.spawn(move || score_part(k + 1, part)))
            .collect();
        let mut items = score_part(0, own);
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

/// One applicant of a batch: its answer or its item error.
fn score_item(
    shared: &Shared,
    context: &Context,
    model: &Arc<ServedModel>,
    ask: Ask,
    index: usize,
    applicant: pb::Applicant,
) -> pb::ScoreBatchResponse {
    let field = format!("applicants[{index}]");
    let client_id = match &applicant.applicant {
        Some(pb::applicant::Applicant::ClientId(id)) => Some(*id),
        Some(pb::applicant::Applicant::ModifiedClient(m)) => Some(m.client_id),
        _ => None,
    };
    let outcome = resolve_applicant(model, Some(applicant), &field)
        .and_then(|row| decide(model, &row, ask).map(|d| (row, d)))
        .and_then(|(row, decision)| {
            audit_blocking(shared, context, model, &row, &decision).map(|()| (row, decision))
        });
    let outcome = match outcome {
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
        index: index as u32,
        client_id,
        outcome: Some(outcome),
    }
}
