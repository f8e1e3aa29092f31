//! Load generator for the scoring service.
//!
//! Without `--target`, starts a local server on a production-shaped model
//! ([`fixture`]). Then drives Score and Explain calls at a target rate
//! (open loop) or as fast as `--concurrency` callers go (`--rate 0`), and
//! prints per RPC the throughput, errors, the share of refusals and two
//! latencies, p50/p99/p999. Applicants are snapshot clients by id
//! (`--applicants ids`: their explanations can be cached) or new applicants
//! given by their feature values (`--applicants features`: never cached;
//! `--applicants vectors`: the same values as feature vectors, in model
//! order) or new loan applications given by their raw records (`--applicants
//! applications`: about 100 history records each, the features computed by
//! the server; the model is then over the kernel's features);
//! `--reasons` sets Score's and ScoreBatch's reason policy; `--mix
//! batch=1` sends ScoreBatch calls of `--batch-size` applicants (the report
//! then gives applicants per second too).
//! The latencies:
//! - **call**: from sending the call to its answer, what the service costs
//!   a caller;
//! - **schedule**: from the instant the call was due (one pacing thread
//!   says when, see [`pace`]), so a stalled server or a lack of free
//!   callers cannot hide a queue (coordinated omission).
//!
//! It also samples the server's RSS every second of the measured run.
//!
//! ```text
//! cargo bench -p scoring-grpc --bench load -- --rate 2000 --duration 30 --mix score=1
//! cargo bench -p scoring-grpc --bench load -- --rate 2000 --applicants features --monitoring on
//! cargo bench -p scoring-grpc --bench load -- --rate 0 --applicants features --cache-clients 0 --reasons refusals
//! cargo bench -p scoring-grpc --bench load -- --rate 500 --applicants applications --reasons refusals
//! cargo bench -p scoring-grpc --bench load -- --rate 200 --duration 30 --mix explain=1
//! cargo bench -p scoring-grpc --bench load -- --rate 0 --concurrency 4 --mix batch=1 --applicants features --cache-clients 0 --reasons always
//! cargo bench -p scoring-grpc --bench load -- --rate 0 --concurrency 64 --duration 20
//! cargo bench -p scoring-grpc --bench load -- --target http://host:50051 --rate 500
//! ```

mod ask;
mod calls;
mod fixture;
mod report;

use std::sync::Arc;
use std::time::{Duration, Instant};

use ask::{Applicants, Ask, Population, Reasons};
use calls::{Rpc, call, parse_mix};
use clap::Parser;
use fixture::{Monitoring, new_applicants, new_applications, new_vectors, rss_kib, start_local};
use report::{Outcome, report, report_rss};
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use test_support::Rng;
use tokio::sync::{Mutex, mpsc};
use tonic::transport::Channel;

#[derive(Debug, Parser)]
pub(crate) struct Args {
    /// Server to load (http://host:port); none starts one locally.
    #[arg(long)]
    target: Option<String>,
    /// Calls in flight at most.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Calls per second to issue; 0 for as fast as possible.
    #[arg(long, default_value_t = 1000.0)]
    rate: f64,
    /// Seconds of measured load (after 3 s of warm-up).
    #[arg(long, default_value_t = 20)]
    duration: u64,
    /// Share of each RPC, e.g. `score=9,explain=1` (`batch`: ScoreBatch).
    #[arg(long, default_value = "score=1")]
    mix: String,
    /// Applicants per ScoreBatch call.
    #[arg(long, default_value_t = 256)]
    batch_size: usize,
    /// Trees of the generated model.
    #[arg(long, default_value_t = 1000)]
    pub(crate) trees: usize,
    /// Features of the generated model.
    #[arg(long, default_value_t = 800)]
    pub(crate) features: usize,
    /// Clients in the generated snapshot (ids 1..=clients).
    #[arg(long, default_value_t = 10_000)]
    pub(crate) clients: usize,
    /// The local server's Score explanation cache (clients; 0 disables it).
    #[arg(long, default_value_t = 100_000)]
    pub(crate) cache_clients: usize,
    /// Score every snapshot client once before the run (fills the cache).
    #[arg(long)]
    prewarm: bool,
    /// Who is scored: snapshot clients by id, new applicants by their
    /// feature values (the snapshot rows sent as explicit features, by name
    /// or as feature vectors in model order), or new loan applications by their raw records (`--features` is then the
    /// kernel's, and the snapshot at most 500 clients).
    #[arg(long, value_enum, default_value_t = Applicants::Ids)]
    pub(crate) applicants: Applicants,
    /// Score's reason policy.
    #[arg(long, value_enum, default_value_t = Reasons::Refusals)]
    reasons: Reasons,
    /// HTTP/2 connections shared by the callers.
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// The local server's monitoring: `on` publishes the model with its
    /// reference statistics and a challenger version, and serves with drift
    /// tracking (snapshot clients included) and the shadow challenger;
    /// `drift` the same without the challenger; `off` serves with
    /// `--no-drift` and no challenger.
    #[arg(long, value_enum, default_value_t = Monitoring::Off)]
    pub(crate) monitoring: Monitoring,
    #[arg(long, hide = true)]
    bench: bool,
}

async fn connect(target: &str) -> ScoringServiceClient<Channel> {
    for _ in 0..600 {
        if let Ok(channel) = Channel::from_shared(target.to_owned())
            .expect("uri")
            .connect()
            .await
        {
            let mut client = ScoringServiceClient::new(channel);
            let probe = pb::ScoreRequest {
                applicant: Some(pb::Applicant {
                    applicant: Some(pb::applicant::Applicant::ClientId(1)),
                }),
                ..Default::default()
            };
            if client.score(probe).await.is_ok() {
                return client;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server at {target} does not answer");
}

/// When the measured run is.
#[derive(Clone, Copy)]
struct Plan {
    begin: Instant,
    warmup: Duration,
    measure: Duration,
    clients: u64,
}

impl Plan {
    fn measured_from(&self) -> Instant {
        self.begin + self.warmup
    }

    fn end(&self) -> Instant {
        self.begin + self.warmup + self.measure
    }
}

/// The instants calls are due, shared by the callers.
type Schedule = Arc<Mutex<mpsc::UnboundedReceiver<Instant>>>;

/// Sends the instant each call is due, `rate` per second, on time to about
/// 0.1 ms (a thread sleeping with `nanosleep`; tokio's timer would add up to
/// a millisecond). Calls no caller is free for wait in the channel, and
/// their wait counts in their latency.
fn pace(plan: Plan, rate: f64, due: mpsc::UnboundedSender<Instant>) {
    let interval = 1.0 / rate;
    for k in 0u64.. {
        let at = plan.begin + Duration::from_secs_f64(interval * k as f64);
        if at > plan.end() {
            break;
        }
        let now = Instant::now();
        if at > now {
            std::thread::sleep(at - now);
        }
        if due.send(at).is_err() {
            break;
        }
    }
}

/// One caller: takes the next due call (or, without a schedule, calls
/// again at once) until the end of the plan.
async fn caller(
    w: usize,
    plan: Plan,
    schedule: Option<Schedule>,
    mut client: ScoringServiceClient<Channel>,
    mix: Vec<(Rpc, f64)>,
    ask: Ask,
) -> Outcome {
    let total_weight: f64 = mix.iter().map(|(_, w)| w).sum();
    let mut rng = Rng::new(w as u64 + 1);
    let mut outcome = Outcome::new();
    loop {
        let scheduled = match &schedule {
            Some(due) => match due.lock().await.recv().await {
                Some(at) => at,
                None => break,
            },
            None if Instant::now() > plan.end() => break,
            None => Instant::now(),
        };
        let mut pick = rng.uniform() * total_weight;
        let rpc = mix
            .iter()
            .find(|(_, wt)| {
                pick -= wt;
                pick < 0.0
            })
            .map_or(mix[0].0, |m| m.0);
        let id = 1 + (rng.next_u64() % plan.clients.max(1)) as i64;
        let sent = Instant::now();
        let answer = call(&mut client, rpc, id, plan.clients, &ask).await;
        let (call_latency, schedule_latency) = (sent.elapsed(), scheduled.elapsed());
        if scheduled < plan.measured_from() {
            continue;
        }
        outcome.record(rpc, answer, call_latency, schedule_latency);
    }
    outcome
}

/// Scores every snapshot client once (fills the server's cache).
async fn prewarm(clients: &[ScoringServiceClient<Channel>], n_clients: usize, ask: &Ask) {
    let started = Instant::now();
    let step = clients.len() as i64;
    let tasks: Vec<_> = clients
        .iter()
        .enumerate()
        .map(|(w, client)| {
            let mut client = client.clone();
            let ask = ask.clone();
            tokio::spawn(async move {
                let mut id = 1 + w as i64;
                while id <= n_clients as i64 {
                    call(&mut client, Rpc::Score, id, n_clients as u64, &ask).await;
                    id += step;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("prewarm");
    }
    eprintln!("scored every client once in {:.1?}", started.elapsed());
}

/// The server's RSS every second of the measured run, from its start.
async fn sample_rss(pid: Option<u32>, plan: Plan) -> Vec<u64> {
    let mut samples = Vec::new();
    let Some(pid) = pid else { return samples };
    let mut at = plan.measured_from();
    while at <= plan.end() {
        tokio::time::sleep_until(at.into()).await;
        samples.extend(rss_kib(pid));
        at += Duration::from_secs(1);
    }
    samples
}

/// The live model's schema hash, which feature vectors must name.
async fn live_schema_hash(client: &mut ScoringServiceClient<Channel>) -> String {
    client
        .get_model(pb::GetModelRequest::default())
        .await
        .expect("GetModel")
        .into_inner()
        .model
        .expect("the live model")
        .schema_hash
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let mix = parse_mix(&args.mix).expect("--mix");
    let (local, target) = match &args.target {
        Some(t) => (None, t.clone()),
        None => {
            let (server, target) = start_local(&args);
            (Some(server), target)
        }
    };
    let mut clients = Vec::new();
    for _ in 0..args.connections.max(1) {
        clients.push(connect(&target).await);
    }
    let population = match args.applicants {
        Applicants::Ids => Population::Ids,
        Applicants::Features => Population::Features(Arc::new(new_applicants(&args))),
        Applicants::Vectors => {
            let schema_hash = live_schema_hash(&mut clients[0]).await;
            Population::Vectors(Arc::new(new_vectors(&args, &schema_hash)))
        }
        Applicants::Applications => Population::Applications(Arc::new(new_applications())),
    };
    let ask = Ask {
        population,
        reasons: args.reasons.wire(),
        batch_size: args.batch_size.max(1),
    };
    let pid = local.as_ref().map(|s| s.child.id());
    if args.prewarm {
        prewarm(&clients, args.clients, &ask).await;
    }
    let rss_before_warmup = pid.and_then(rss_kib);
    let plan = Plan {
        begin: Instant::now() + Duration::from_millis(100),
        warmup: Duration::from_secs(3),
        measure: Duration::from_secs(args.duration),
        clients: args.clients as u64,
    };
    let schedule = (args.rate > 0.0).then(|| {
        let (due, calls) = mpsc::unbounded_channel();
        let rate = args.rate;
        std::thread::spawn(move || pace(plan, rate, due));
        Arc::new(Mutex::new(calls))
    });
    let rss = tokio::spawn(sample_rss(pid, plan));
    let callers: Vec<_> = (0..args.concurrency)
        .map(|w| {
            let client = clients[w % clients.len()].clone();
            tokio::spawn(caller(
                w,
                plan,
                schedule.clone(),
                client,
                mix.clone(),
                ask.clone(),
            ))
        })
        .collect();
    let mut total = Outcome::new();
    for caller in callers {
        total.add(&caller.await.expect("caller"));
    }
    let rss = rss.await.expect("RSS sampler");
    let (features, clients) = match args.applicants {
        Applicants::Applications => (
            test_support::application_model::kernel_schema()
                .features
                .len(),
            args.clients.min(fixture::APPLICATIONS),
        ),
        Applicants::Ids | Applicants::Features | Applicants::Vectors => {
            (args.features, args.clients)
        }
    };
    println!(
        "target {target} | rate {} | concurrency {} | {} s measured after {} s warm-up | model {} trees x {} features, {} clients | cache {} | applicants by {:?} | reasons {:?}",
        if args.rate > 0.0 {
            format!("{}/s", args.rate)
        } else {
            "max".into()
        },
        args.concurrency,
        args.duration,
        plan.warmup.as_secs(),
        args.trees,
        features,
        clients,
        args.cache_clients,
        args.applicants,
        args.reasons
    );
    report(&total, plan.measure.as_secs_f64());
    if let Some(before) = rss_before_warmup {
        report_rss(before, &rss);
    }
    drop(local);
}
