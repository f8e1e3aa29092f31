//! Starting the service: the configuration file, flags and their checks;
//! an external client snapshot; a model published without a snapshot.

use std::path::PathBuf;

use clap::Parser;
use scoring_core::registry::Registry;
use scoring_core::snapshot::ClientSnapshot;
use scoring_core::write_artifact;
use scoring_grpc::auth::hash_key;
use scoring_grpc::config::{Cli, Config, Settings};
use scoring_grpc::error::ConfigError;
use scoring_grpc::server::start;
use scoring_proto::scoring::v1 as pb;
use test_support::*;
use tonic::Code;

fn cli(args: &[&str]) -> Cli {
    Cli::try_parse_from(std::iter::once("scoring-grpc").chain(args.iter().copied())).expect("flags")
}

fn merge(file: &str, args: &[&str]) -> Result<Settings, ConfigError> {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("scoring.toml");
    std::fs::write(&path, file).expect("write");
    Config::load(&path)?.merge(cli(args))
}

#[test]
fn the_file_is_read_and_flags_override_it() {
    let key = hash_key("k");
    let file = format!(
        r#"
registry = "/srv/registry"
alias = "staging"
listen = "0.0.0.0:6000"
metrics_listen = "127.0.0.1:9100"
reload_interval_secs = 0.5
concurrency_limit = 8
max_batch = 100

[[api_keys]]
caller = "dashboard"
sha256 = "{key}"

[audit]
path = "/var/log/audit.jsonl"
fsync_every = 10
"#
    );
    let settings = merge(&file, &[]).expect("valid");
    assert_eq!(settings.registry, PathBuf::from("/srv/registry"));
    assert_eq!(settings.alias, "staging");
    assert_eq!(settings.listen.port(), 6000);
    assert_eq!(settings.reload_interval.as_millis(), 500);
    assert_eq!(settings.concurrency_limit, 8);
    assert_eq!(settings.max_batch, 100);
    assert_eq!(settings.api_keys.as_ref().map(Vec::len), Some(1));
    let audit = settings.audit.as_ref().expect("audit");
    assert_eq!((audit.fsync_every, audit.max_bytes), (10, 64 << 20));
    assert!(
        !settings.redacted().contains(&key),
        "API key hashes are redacted"
    );

    let flags = merge(
        &file,
        &[
            "--registry",
            "/other",
            "--alias",
            "production",
            "--max-batch",
            "5",
            "--no-auth",
        ],
    )
    .expect("valid");
    assert_eq!(flags.registry, PathBuf::from("/other"));
    assert_eq!(flags.alias, "production");
    assert_eq!(flags.max_batch, 5);
    assert!(flags.api_keys.is_none());

    let defaults = Config::default()
        .merge(cli(&[
            "--registry",
            "r",
            "--api-key",
            &format!("cli:{key}"),
        ]))
        .expect("valid");
    assert_eq!(defaults.alias, "production");
    assert_eq!(defaults.listen.to_string(), "127.0.0.1:50051");
    assert_eq!(defaults.max_batch, 10_000);
    assert_eq!(defaults.api_keys.expect("keys")[0].caller, "cli");
}

#[test]
fn bad_configurations_are_refused_naming_what_is_wrong() {
    let dir = tempfile::tempdir().expect("tmp");
    let err = Config::load(&dir.path().join("missing.toml")).expect_err("no file");
    assert!(matches!(err, ConfigError::Read { .. }), "{err}");
    let err = merge("registy = \"typo\"", &[]).expect_err("unknown key");
    assert!(matches!(err, ConfigError::Parse { .. }), "{err}");

    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        ("", vec!["--no-auth"], "registry"),
        ("registry = \"r\"", vec![], "API key"),
        (
            "registry = \"r\"\n[[api_keys]]\ncaller = \"x\"\nsha256 = \"abc\"",
            vec![],
            "api_keys",
        ),
        ("registry = \"r\"", vec!["--api-key", "nocolon"], "api_key"),
        (
            "registry = \"r\"",
            vec!["--no-auth", "--reload-interval-secs", "0"],
            "reload_interval_secs",
        ),
        (
            "registry = \"r\"",
            vec!["--no-auth", "--request-timeout-secs=-1"],
            "request_timeout_secs",
        ),
        (
            "registry = \"r\"",
            vec!["--no-auth", "--max-batch", "10001"],
            "max_batch",
        ),
        (
            "registry = \"r\"",
            vec!["--no-auth", "--concurrency-limit", "0"],
            "concurrency_limit",
        ),
        (
            "registry = \"r\"",
            vec!["--no-auth", "--tls-cert", "c.pem"],
            "tls",
        ),
        (
            "registry = \"r\"\nno_auth = true\n[audit]\npath = \"a\"\nmax_bytes = 0",
            vec![],
            "audit",
        ),
    ];
    for (file, args, named) in cases {
        let err = merge(file, &args).expect_err("refused");
        assert!(err.to_string().contains(named), "{file} {args:?}: {err}");
    }
}

#[tokio::test]
async fn start_up_failures_are_errors_not_panics() {
    let (dir, registry) = registry_with_v1();
    let mut settings = settings(&registry);
    settings.tls = Some(scoring_grpc::config::TlsConfig {
        cert: dir.path().join("none.pem"),
        key: dir.path().join("none.key"),
        client_ca: None,
    });
    let err = start(settings).await.expect_err("no TLS files");
    assert!(matches!(err, ConfigError::TlsFile { .. }), "{err}");

    let mut settings = self::settings(&registry);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    settings.listen = taken.local_addr().expect("addr");
    let err = start(settings).await.expect_err("port taken");
    assert!(matches!(err, ConfigError::Bind { .. }), "{err}");
}

#[tokio::test]
async fn an_external_snapshot_replaces_the_models_own() {
    let (dir, registry) = registry_with_v1();
    let names = feature_names();
    let rows = vec![0.5; 2 * N_FEATURES];
    let external = ClientSnapshot::new(names.clone(), vec![7, 8], rows).expect("snapshot");
    let path = dir.path().join("clients.bin");
    std::fs::write(&path, external.to_bytes()).expect("write");
    let mut settings = settings(&registry);
    settings.snapshot = Some(path);
    let server = start(settings).await.expect("server");
    let mut client = connect(&server).await;
    let page = client
        .list_clients(pb::ListClientsRequest::default())
        .await
        .expect("list")
        .into_inner();
    let ids: Vec<i64> = page.clients.iter().map(|c| c.client_id).collect();
    assert_eq!(ids, vec![7, 8]);
    client
        .score(pb::ScoreRequest {
            applicant: by_client(7),
            ..Default::default()
        })
        .await
        .expect("client of the external snapshot");
    server.shutdown().await.expect("shutdown");

    // A snapshot of other features never goes live: nothing is served.
    let other = ClientSnapshot::new(vec!["x".into()], vec![1], vec![0.0]).expect("snapshot");
    let path = dir.path().join("other.bin");
    std::fs::write(&path, other.to_bytes()).expect("write");
    let mut settings = self::settings(&registry);
    settings.snapshot = Some(path);
    let server = start(settings).await.expect("server");
    let mut client = connect(&server).await;
    let status = client
        .score(pb::ScoreRequest {
            applicant: by_client(FIRST_ID),
            ..Default::default()
        })
        .await
        .expect_err("no model");
    assert_eq!(status.code(), Code::Unavailable);
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_model_without_snapshot_scores_features_and_refuses_population_questions() {
    let dir = tempfile::tempdir().expect("tmp");
    let registry = Registry::open(dir.path().join("registry")).expect("registry");
    registry
        .publish(Some("bare"), |d| {
            write_artifact(d, &release("bare"), &model(1), &schema()).map(|_| ())
        })
        .expect("publish");
    registry.promote("bare", "production").expect("promote");
    let (server, mut client) = serve(&registry).await;
    let score = client
        .score(pb::ScoreRequest {
            applicant: by_features(&[("f0", 0.3)]),
            ..Default::default()
        })
        .await
        .expect("score")
        .into_inner();
    assert_eq!(score.model_version, "bare");
    let status = client
        .score(pb::ScoreRequest {
            applicant: by_client(FIRST_ID),
            ..Default::default()
        })
        .await
        .expect_err("no snapshot");
    assert_eq!(status.code(), Code::FailedPrecondition);
    let status = client
        .list_clients(pb::ListClientsRequest::default())
        .await
        .expect_err("no snapshot");
    assert_eq!(status.code(), Code::FailedPrecondition);
    let model = client
        .get_model(pb::GetModelRequest::default())
        .await
        .expect("model")
        .into_inner();
    assert!(model.report.is_none());
    assert_eq!(model.model.expect("info").cost, None);
    server.shutdown().await.expect("shutdown");
}
