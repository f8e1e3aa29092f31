//! Load generator for the scoring service.
//!
//! Without `--target`, publishes a production-shaped model (1,000 trees of
//! up to 34 leaves over 800 features, a snapshot of 10,000 random clients)
//! into a temporary registry and starts the `scoring-grpc` binary on it
//! (its own process, so its RSS is measured alone). Then drives Score and
//! Explain calls by client id at a target rate (open loop: latency counts
//! from each call's scheduled time, so a stalled server cannot hide its
//! queue) or as fast as `--concurrency` callers go (`--rate 0`), and prints
//! throughput, p50/p99/p999 latency and errors per RPC, and the server's
//! RSS before and after.
//!
//! ```text
//! cargo bench -p scoring-grpc --bench load -- --rate 2000 --duration 30 --mix score=1
//! cargo bench -p scoring-grpc --bench load -- --rate 200 --duration 30 --mix explain=1
//! cargo bench -p scoring-grpc --bench load -- --rate 0 --concurrency 64 --duration 20
//! cargo bench -p scoring-grpc --bench load -- --target http://host:50051 --rate 500
//! ```

#[path = "../../scoring-core/tests/common/mod.rs"]
mod core_common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use core_common::{Rng, TreeShape, random_rows, random_tree_parts};
use hdrhistogram::Histogram;
use scoring_core::model::{BoostedTrees, Estimator, Tree};
use scoring_core::registry::Registry;
use scoring_core::snapshot::ClientSnapshot;
use scoring_core::{
    Attachments, FeatureKind, FeatureSchema, FeatureSpec, Model, Release, Thresholds,
    write_artifact_with,
};
use scoring_grpc::pb::scoring::v1 as pb;
use scoring_grpc::pb::scoring::v1::scoring_service_client::ScoringServiceClient;
use tokio::sync::Mutex;
use tonic::transport::Channel;

#[derive(Debug, Parser)]
struct Args {
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
    /// Share of each RPC, e.g. `score=9,explain=1`.
    #[arg(long, default_value = "score=1")]
    mix: String,
    /// Trees of the generated model.
    #[arg(long, default_value_t = 1000)]
    trees: usize,
    /// Features of the generated model.
    #[arg(long, default_value_t = 800)]
    features: usize,
    /// Clients in the generated snapshot (ids 1..=clients).
    #[arg(long, default_value_t = 10_000)]
    clients: usize,
    /// The local server's Score explanation cache (clients; 0 disables it).
    #[arg(long, default_value_t = 100_000)]
    cache_clients: usize,
    /// Score every snapshot client once before the run (fills the cache).
    #[arg(long)]
    prewarm: bool,
    /// HTTP/2 connections shared by the callers.
    #[arg(long, default_value_t = 4)]
    connections: usize,
    #[arg(long, hide = true)]
    bench: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Rpc {
    Score,
    Explain,
}

fn parse_mix(mix: &str) -> Result<Vec<(Rpc, f64)>, String> {
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
                _ => return Err(format!("unknown rpc `{name}`")),
            };
            Ok((rpc, weight))
        })
        .collect()
}

fn production_model(trees: usize, features: usize) -> Model {
    let shape = TreeShape {
        n_features: features,
        leaves: 34,
        max_depth: 8,
        categorical: 0.0,
        nan_missing_only: true,
        leaf_scale: 0.05,
    };
    let mut rng = Rng::new(2024);
    let trees = (0..trees)
        .map(|_| Tree::new(random_tree_parts(&mut rng, shape)).expect("valid tree"))
        .collect();
    let names = (0..features).map(|i| format!("f{i}")).collect();
    let estimator = Estimator::BoostedTrees(BoostedTrees {
        base_score: -2.4,
        trees,
    });
    Model::new(names, estimator).expect("valid model")
}

fn publish(root: &Path, args: &Args) -> Registry {
    let model = production_model(args.trees, args.features);
    let names = model.feature_names().to_vec();
    let rows = random_rows(&mut Rng::new(7), args.clients, args.features, 0.2);
    let ids = (1..=args.clients as i64).collect();
    let snapshot = ClientSnapshot::new(names.clone(), ids, rows).expect("snapshot");
    let schema = FeatureSchema {
        format_version: 1,
        id_column: "SK_ID_CURR".into(),
        target_column: None,
        features: names
            .iter()
            .map(|name| FeatureSpec {
                name: name.clone(),
                kind: FeatureKind::Numeric,
                source_table: "application".into(),
                source_column: name.clone(),
                aggregation: "none".into(),
                category: None,
                description: format!("Feature {name}"),
            })
            .collect(),
        vocabularies: vec![],
    };
    let release = Release {
        model_version: "bench-1".into(),
        created_at: "2026-01-01T00:00:00Z".into(),
        code_version: "bench".into(),
        training_data_fingerprint: "random".into(),
        training_parameters: serde_json::json!({}),
        metrics: Default::default(),
        thresholds: Thresholds {
            prudent: 0.05,
            normal: 0.08,
            aggressive: 0.12,
        },
    };
    let registry = Registry::open(root).expect("registry");
    let attachments = Attachments {
        snapshot: Some(&snapshot),
        ..Default::default()
    };
    registry
        .publish(Some("bench-1"), |dir| {
            write_artifact_with(dir, &release, &model, &schema, attachments).map(|_| ())
        })
        .expect("publish");
    registry.promote("bench-1", "production").expect("promote");
    registry
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct LocalServer {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_local(args: &Args) -> (LocalServer, String) {
    let dir = tempfile::tempdir().expect("tmp");
    let started = Instant::now();
    publish(&dir.path().join("registry"), args);
    eprintln!("published the model in {:.1?}", started.elapsed());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_scoring-grpc"))
        .args([
            "--registry",
            &dir.path().join("registry").display().to_string(),
        ])
        .args(["--listen", &format!("127.0.0.1:{port}"), "--no-auth"])
        .args(["--concurrency-limit", "4096"])
        .args(["--score-cache-clients", &args.cache_clients.to_string()])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start scoring-grpc");
    (
        LocalServer { child, _dir: dir },
        format!("http://127.0.0.1:{port}"),
    )
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

async fn call(client: &mut ScoringServiceClient<Channel>, rpc: Rpc, id: i64) -> bool {
    let applicant = Some(pb::Applicant {
        applicant: Some(pb::applicant::Applicant::ClientId(id)),
    });
    match rpc {
        Rpc::Score => client
            .score(pb::ScoreRequest {
                applicant,
                ..Default::default()
            })
            .await
            .is_ok(),
        Rpc::Explain => client
            .explain(pb::ExplainRequest {
                applicant,
                top_k: 10,
                ..Default::default()
            })
            .await
            .is_ok(),
    }
}

#[derive(Default)]
struct Tally {
    score: Option<Histogram<u64>>,
    explain: Option<Histogram<u64>>,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let mix = parse_mix(&args.mix).expect("--mix");
    let total_weight: f64 = mix.iter().map(|(_, w)| w).sum();
    let (local, target) = match &args.target {
        Some(t) => (None, t.clone()),
        None => {
            let (server, target) = start_local(&args);
            (Some(server), target)
        }
    };
    let pid = local.as_ref().map(|s| s.child.id());
    let mut clients = Vec::new();
    for _ in 0..args.connections.max(1) {
        clients.push(connect(&target).await);
    }
    if args.prewarm {
        let started = Instant::now();
        let mut tasks = Vec::new();
        for (w, client) in clients.iter().enumerate() {
            let mut client = client.clone();
            let (n, step) = (args.clients as i64, clients.len() as i64);
            tasks.push(tokio::spawn(async move {
                let mut id = 1 + w as i64;
                while id <= n {
                    call(&mut client, Rpc::Score, id).await;
                    id += step;
                }
            }));
        }
        for t in tasks {
            t.await.expect("prewarm");
        }
        eprintln!("scored every client once in {:.1?}", started.elapsed());
    }
    let rss_start = pid.and_then(rss_kib);
    let warmup = Duration::from_secs(3);
    let measure = Duration::from_secs(args.duration);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let errors = Arc::new(AtomicU64::new(0));
    let calls = Arc::new(AtomicU64::new(0));
    let begin = Instant::now() + Duration::from_millis(100);
    let per_worker_interval =
        (args.rate > 0.0).then(|| Duration::from_secs_f64(args.concurrency as f64 / args.rate));
    let mut workers = Vec::new();
    for w in 0..args.concurrency {
        let mut client = clients[w % clients.len()].clone();
        let mix = mix.clone();
        let (tally, errors, calls) = (tally.clone(), errors.clone(), calls.clone());
        let n_clients = args.clients as u64;
        workers.push(tokio::spawn(async move {
            let mut rng = Rng::new(w as u64 + 1);
            let mut score = Histogram::<u64>::new(3).expect("histogram");
            let mut explain = Histogram::<u64>::new(3).expect("histogram");
            let offset = per_worker_interval.map_or(Duration::ZERO, |i| {
                i.mul_f64(w as f64 / args.concurrency as f64)
            });
            let mut k: u32 = 0;
            loop {
                let scheduled = match per_worker_interval {
                    Some(i) => begin + offset + i * k,
                    None => Instant::now(),
                };
                k += 1;
                if scheduled > begin + warmup + measure {
                    break;
                }
                tokio::time::sleep_until(scheduled.into()).await;
                let mut pick = rng.uniform() * total_weight;
                let rpc = mix
                    .iter()
                    .find(|(_, wt)| {
                        pick -= wt;
                        pick < 0.0
                    })
                    .map_or(mix[0].0, |m| m.0);
                let id = 1 + (rng.next_u64() % n_clients.max(1)) as i64;
                let ok = call(&mut client, rpc, id).await;
                if scheduled < begin + warmup {
                    continue;
                }
                calls.fetch_add(1, Ordering::Relaxed);
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                let micros = scheduled.elapsed().as_micros() as u64;
                let h = if rpc == Rpc::Score {
                    &mut score
                } else {
                    &mut explain
                };
                let _ = h.record(micros.max(1));
            }
            let mut guard = tally.lock().await;
            let t = &mut *guard;
            for (slot, h) in [(&mut t.score, score), (&mut t.explain, explain)] {
                match slot {
                    Some(total) => total.add(&h).expect("same histogram shape"),
                    None => *slot = Some(h),
                }
            }
        }));
    }
    for w in workers {
        w.await.expect("worker");
    }
    let rss_end = pid.and_then(rss_kib);
    let seconds = measure.as_secs_f64();
    println!(
        "target {target} | rate {} | concurrency {} | {} s measured after {} s warm-up | model {} trees x {} features, {} clients | cache {}",
        if args.rate > 0.0 {
            format!("{}/s", args.rate)
        } else {
            "max".into()
        },
        args.concurrency,
        args.duration,
        warmup.as_secs(),
        args.trees,
        args.features,
        args.clients,
        args.cache_clients
    );
    let t = tally.lock().await;
    for (name, h) in [("Score", &t.score), ("Explain", &t.explain)] {
        let Some(h) = h.as_ref().filter(|h| !h.is_empty()) else {
            continue;
        };
        println!(
            "{name:8} {:>8} calls {:>9.1}/s  p50 {:>8.2} ms  p99 {:>8.2} ms  p999 {:>8.2} ms  max {:>8.2} ms",
            h.len(),
            h.len() as f64 / seconds,
            h.value_at_quantile(0.5) as f64 / 1000.0,
            h.value_at_quantile(0.99) as f64 / 1000.0,
            h.value_at_quantile(0.999) as f64 / 1000.0,
            h.max() as f64 / 1000.0,
        );
    }
    println!(
        "errors {} of {} calls",
        errors.load(Ordering::Relaxed),
        calls.load(Ordering::Relaxed)
    );
    if let (Some(a), Some(b)) = (rss_start, rss_end) {
        println!(
            "server RSS {:.1} MiB -> {:.1} MiB ({:+.1}%)",
            a as f64 / 1024.0,
            b as f64 / 1024.0,
            100.0 * (b as f64 - a as f64) / a as f64
        );
    }
    drop(local);
}
