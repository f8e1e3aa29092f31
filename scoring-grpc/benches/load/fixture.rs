//! The load bench's server: a production-shaped model (1,000 trees of up to
//! 34 leaves over 800 features) and a snapshot of random clients published
//! into a temporary registry, and the release `scoring-grpc` binary started
//! on it in its own process, so its RSS is measured alone. For loan
//! applications, the model is over the kernel's features instead (the ones
//! the online engine computes from raw records), and the callers send
//! random applications with a typical history (about 100 records).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use scoring_core::reference::ReferenceStats;
use scoring_core::registry::Registry;
use scoring_core::snapshot::ClientSnapshot;
use scoring_core::{Attachments, Model, Release, Thresholds, write_artifact_with};

use scoring_proto::scoring::v1 as pb;

use crate::{Applicants, Args};
use scoring_grpc::convert::application::application_to_wire;
use test_support::application_model::application_model;
use test_support::applications::{Categories, HistoryShape, random_application};
use test_support::{Rng, numeric_schema, production_shaped_model, random_rows};

/// Whether the local server tracks drift and shadows a challenger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Monitoring {
    Off,
    /// Drift tracking only, no challenger.
    Drift,
    /// Drift tracking and the shadow challenger.
    On,
}

/// Distinct loan applications the callers send (and at most as many
/// snapshot clients in that mode): a typical application holds about 100
/// records of some 25 columns, about 200 KB in memory.
pub(crate) const APPLICATIONS: usize = 500;

/// Random loan applications with a typical history (about 100 records),
/// in their wire form, as a loan-origination system sends them.
pub(crate) fn new_applications() -> Vec<pb::LoanApplication> {
    let categories = Categories::real_sized();
    let mut rng = Rng::new(11);
    (0..APPLICATIONS)
        .map(|i| {
            let application = random_application(
                &mut rng,
                500_000 + i as u64,
                HistoryShape::Typical,
                &categories,
            );
            application_to_wire(&application)
        })
        .collect()
}

/// The rows of the snapshot clients (row-major), the same for the server's
/// snapshot and the callers' new applicants.
fn client_rows(args: &Args) -> Vec<f64> {
    random_rows(&mut Rng::new(7), args.clients, args.features, 0.2)
}

/// The snapshot rows as new applicants' feature values (missing values left
/// out, as the contract says), at most 2,000 distinct ones.
pub(crate) fn new_applicants(args: &Args) -> Vec<pb::FeatureValues> {
    let rows = client_rows(args);
    rows.chunks_exact(args.features)
        .take(2_000)
        .map(|row| pb::FeatureValues {
            values: row
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.is_nan())
                .map(|(j, v)| (format!("f{j}"), *v))
                .collect(),
        })
        .collect()
}

/// The same applicants as [`new_applicants`], as feature vectors for the
/// schema `schema_hash` (missing values NaN).
pub(crate) fn new_vectors(args: &Args, schema_hash: &str) -> Vec<pb::FeatureVector> {
    let rows = client_rows(args);
    rows.chunks_exact(args.features)
        .take(2_000)
        .map(|row| pb::FeatureVector {
            values: row.to_vec(),
            schema_hash: schema_hash.to_owned(),
        })
        .collect()
}

/// Thresholds that refuse about 20 % (prudent), 10 % (normal) and 5 %
/// (aggressive) of the clients, as a lender's would: the random model's
/// probabilities have no meaning of their own, so fixed thresholds would
/// refuse an arbitrary share and make "reasons for refusals only" cost
/// anything from nothing to everything.
fn realistic_thresholds(model: &Model, rows: &[f64]) -> Thresholds {
    let mut probabilities = vec![0.0; rows.len() / model.n_features()];
    model
        .predict_probability_batch(rows, &mut probabilities)
        .expect("scores");
    probabilities.sort_by(f64::total_cmp);
    let quantile = |q: f64| probabilities[((probabilities.len() - 1) as f64 * q) as usize];
    Thresholds {
        prudent: quantile(0.80),
        normal: quantile(0.90),
        aggressive: quantile(0.95),
    }
}

fn publish(root: &Path, args: &Args) -> Registry {
    if args.applicants == Applicants::Applications {
        let registry = Registry::open(root).expect("registry");
        let clients = args.clients.min(APPLICATIONS);
        application_model(args.trees, clients, &[HistoryShape::Typical])
            .publish(&registry, "bench-1");
        return registry;
    }
    let model = production_shaped_model(args.trees, args.features);
    let names = model.feature_names().to_vec();
    let rows = client_rows(args);
    let ids = (1..=args.clients as i64).collect();
    let snapshot = ClientSnapshot::new(names.clone(), ids, rows).expect("snapshot");
    let mut schema = numeric_schema(&names);
    schema.target_column = None;
    let thresholds = realistic_thresholds(&model, snapshot.values());
    let reference = (args.monitoring != Monitoring::Off).then(|| {
        let mut probabilities = vec![0.0; snapshot.len()];
        model
            .predict_probability_batch(snapshot.values(), &mut probabilities)
            .expect("scores");
        ReferenceStats::of_rows(
            "bench clients",
            &names,
            snapshot.values(),
            &probabilities,
            20,
        )
        .expect("reference")
    });
    let release = Release {
        model_version: "bench-1".into(),
        created_at: "2026-01-01T00:00:00Z".into(),
        code_version: "bench".into(),
        training_data_fingerprint: "random".into(),
        training_parameters: serde_json::json!({}),
        metrics: Default::default(),
        thresholds,
    };
    let registry = Registry::open(root).expect("registry");
    let attachments = Attachments {
        snapshot: Some(&snapshot),
        reference: reference.as_ref(),
        ..Default::default()
    };
    registry
        .publish(Some("bench-1"), |dir| {
            write_artifact_with(dir, &release, &model, &schema, attachments).map(|_| ())
        })
        .expect("publish");
    registry.promote("bench-1", "production").expect("promote");
    if args.monitoring == Monitoring::On {
        // The challenger: the same trees with the prudent threshold as its
        // normal one, so it costs what the live version costs and decides
        // otherwise for some applicants.
        let release = Release {
            model_version: "bench-2".into(),
            thresholds: Thresholds {
                normal: thresholds.prudent,
                ..thresholds
            },
            ..release
        };
        registry
            .publish(Some("bench-2"), |dir| {
                write_artifact_with(dir, &release, &model, &schema, attachments).map(|_| ())
            })
            .expect("publish");
        registry.promote("bench-2", "challenger").expect("promote");
    }
    registry
}

pub(crate) fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub(crate) struct LocalServer {
    pub(crate) child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start_local(args: &Args) -> (LocalServer, String) {
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
        .args(match args.monitoring {
            Monitoring::Off => &["--no-drift", "--challenger-alias", ""][..],
            Monitoring::Drift => &["--drift-include-snapshot", "--challenger-alias", ""][..],
            Monitoring::On => &["--drift-include-snapshot"][..],
        })
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start scoring-grpc");
    (
        LocalServer { child, _dir: dir },
        format!("http://127.0.0.1:{port}"),
    )
}
