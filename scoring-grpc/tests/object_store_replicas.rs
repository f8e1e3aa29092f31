//! The service on a registry in a real S3-compatible bucket (moto, started
//! by the test): it hot-reloads what is promoted there, and three replicas
//! (three processes) follow one promote while a client keeps scoring
//! through all of them, without a failed request.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use scoring_core::registry::Registry;
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use test_support::object_store::S3Server;
use test_support::*;
use tonic::transport::Channel;

const BIN: &str = env!("CARGO_BIN_EXE_scoring-grpc");

async fn score_version(
    client: &mut ScoringServiceClient<Channel>,
) -> Result<String, tonic::Status> {
    client
        .score(pb::ScoreRequest {
            applicant: by_client(FIRST_ID),
            ..Default::default()
        })
        .await
        .map(|r| r.into_inner().model_version)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_serves_and_reloads_from_the_bucket() {
    let Some(s3) = S3Server::start() else {
        return;
    };
    let location = s3.registry("models", "credit");
    let registry = Registry::open_location(location).expect("registry");
    publish(&registry, "v1", 1);
    registry.promote("v1", "production").expect("promote");
    let (server, mut client) = serve(&registry).await;
    assert_eq!(score_version(&mut client).await.expect("score"), "v1");

    publish(&registry, "v2", 2);
    registry.promote("v2", "production").expect("promote");
    eventually("v2 to be served from the bucket", || {
        let mut client = client.clone();
        async move { score_version(&mut client).await.is_ok_and(|v| v == "v2") }
    })
    .await;

    registry.rollback("production").expect("rollback");
    eventually("the rollback to v1", || {
        let mut client = client.clone();
        async move { score_version(&mut client).await.is_ok_and(|v| v == "v1") }
    })
    .await;
    let listed = client
        .list_models(pb::ListModelsRequest::default())
        .await
        .expect("ListModels reads the bucket")
        .into_inner();
    assert_eq!(listed.models.len(), 2);
    server.shutdown().await.expect("clean stop");
}

/// A `scoring-grpc` process, killed when dropped.
struct Replica {
    child: Child,
    addr: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary on `registry` with `env` and waits for its `serving`
/// log line, which gives its address.
fn replica(registry: &str, env: &[(String, String)]) -> Replica {
    let child = Command::new(BIN)
        .env_clear()
        .envs(env.iter().cloned())
        .env("CREDIT_REGISTRY", registry)
        .env("SCORING_LISTEN", "127.0.0.1:0")
        .env("SCORING_NO_AUTH", "true")
        .env("SCORING_RELOAD_INTERVAL_SECS", "0.25")
        .env("SCORING_LOG_JSON", "1")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start scoring-grpc");
    // Owned by the replica at once, so that it is killed on every path.
    let mut replica = Replica {
        child,
        addr: String::new(),
    };
    let stderr = replica.child.stderr.take().expect("stderr");
    let (lines, logged) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut log = Vec::new();
    while let Ok(line) = logged.recv_timeout(Duration::from_secs(120)) {
        if line.contains("\"serving\"")
            && let Some(start) = line.find("\"addr\":\"")
        {
            let rest = &line[start + 8..];
            replica.addr = rest[..rest.find('"').expect("closing quote")].to_owned();
            return replica;
        }
        log.push(line);
    }
    panic!("the replica never served: {}", log.join("\n"));
}

/// The documented bound (deploy/README.md): a replica serves a promoted
/// version within one reload interval plus the time to load it; here the
/// test only requires that every replica gets there, and reports how long
/// it took.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_follow_a_promote_while_every_request_succeeds() {
    let Some(s3) = S3Server::start() else {
        return;
    };
    let location = s3.registry("fleet", "registry");
    let registry = Registry::open_location(location.clone()).expect("registry");
    publish(&registry, "v1", 1);
    publish(&registry, "v2", 2);
    registry.promote("v1", "production").expect("promote");

    let env = s3.env();
    let replicas: Vec<Replica> = (0..3)
        .map(|_| replica(&location.to_string(), &env))
        .collect();
    let mut clients = Vec::new();
    for r in &replicas {
        let channel = Channel::from_shared(format!("http://{}", r.addr))
            .expect("uri")
            .connect()
            .await
            .expect("connect");
        clients.push(ScoringServiceClient::new(channel));
    }
    for client in &mut clients {
        assert_eq!(score_version(client).await.expect("score"), "v1");
    }

    let promoted = {
        let registry = registry.clone();
        tokio::task::spawn_blocking(move || {
            registry.promote("v2", "production").expect("promote");
            Instant::now()
        })
    };
    // Round robin over the three replicas, as a client-side balancer does.
    let mut requests = 0u64;
    let mut moved_at: [Option<Instant>; 3] = [None; 3];
    while moved_at.iter().any(Option::is_none) {
        assert!(requests < 200_000, "the replicas never all served v2");
        let i = (requests % 3) as usize;
        requests += 1;
        match score_version(&mut clients[i]).await {
            Ok(v) if v == "v2" => {
                moved_at[i].get_or_insert_with(Instant::now);
            }
            Ok(v) => assert!(
                moved_at[i].is_none() && v == "v1",
                "replica {i} served {v} after serving v2"
            ),
            Err(status) => panic!("request {requests} to replica {i} failed: {status:?}"),
        }
    }
    let promoted = promoted.await.expect("promote task");
    let slowest = moved_at
        .iter()
        .flatten()
        .map(|at| at.saturating_duration_since(promoted))
        .max()
        .unwrap_or_default();
    eprintln!(
        "all three replicas served v2 {} ms after the promote returned; {requests} requests, none failed",
        slowest.as_millis()
    );
    for client in &mut clients {
        assert_eq!(score_version(client).await.expect("score"), "v2");
    }
}
