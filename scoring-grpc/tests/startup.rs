//! Starting the service: the flags and their checks; start-up failures; an
//! external client snapshot; a model published without a snapshot. (The
//! binary itself, as a process: `tests/binary.rs`.)

use std::time::Duration;

use clap::Parser;
use scoring_core::registry::{Registry, RegistryLocation};
use scoring_core::snapshot::ClientSnapshot;
use scoring_core::write_artifact;
use scoring_grpc::auth::hash_key;
use scoring_grpc::config::{Cli, Settings, TlsConfig};
use scoring_grpc::error::{ConfigError, StartError};
use scoring_grpc::server::start;
use scoring_proto::scoring::v1 as pb;
use test_support::*;
use tonic::Code;

fn cli(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("scoring-grpc").chain(args.iter().copied()))
}

fn check(args: &[&str]) -> Result<Settings, ConfigError> {
    cli(args).expect("flags parse").check()
}

#[test]
fn flags_and_their_defaults_make_the_settings() {
    let key = hash_key("k");
    let flag = format!("dashboard:{key}");
    let defaults = check(&["--registry", "r", "--api-key", &flag]).expect("valid");
    assert_eq!(defaults.registry, RegistryLocation::directory("r"));
    assert_eq!(defaults.alias, "production");
    assert_eq!(defaults.listen.to_string(), "127.0.0.1:50051");
    assert_eq!(defaults.metrics_listen, None);
    assert_eq!(defaults.reload_interval, Duration::from_secs(2));
    assert_eq!(defaults.request_timeout, Duration::from_secs(10));
    assert_eq!(defaults.concurrency_limit, 256);
    assert_eq!(defaults.max_message_bytes, 4 << 20);
    assert_eq!(defaults.max_batch, 10_000);
    assert_eq!(defaults.score_cache_clients, 100_000);
    let keys = defaults.api_keys.expect("authentication on");
    assert_eq!(
        (keys[0].caller.as_str(), keys[0].sha256.as_str()),
        ("dashboard", key.as_str())
    );
    assert!(defaults.audit.is_none() && defaults.tls.is_none());
    // Settings::local shares the flags' defaults but for the port and auth.
    let local = Settings::local(RegistryLocation::directory("r"));
    assert_eq!(
        (
            local.reload_interval,
            local.request_timeout,
            local.concurrency_limit
        ),
        (Duration::from_secs(2), Duration::from_secs(10), 256)
    );
    assert_eq!(
        (
            local.max_message_bytes,
            local.max_batch,
            local.score_cache_clients
        ),
        (4 << 20, 10_000, 100_000)
    );

    let other = hash_key("other").to_ascii_uppercase();
    let set = check(&[
        "--registry=/srv/registry",
        "--alias=staging",
        "--listen=0.0.0.0:6000",
        "--metrics-listen=127.0.0.1:9100",
        "--reload-interval-secs=0.5",
        "--concurrency-limit=8",
        "--max-batch=100",
        "--api-key",
        &format!("a:{key},b:{other}"),
        "--audit-log=/var/log/audit.jsonl",
        "--audit-fsync-every=10",
        "--tls-cert=c.pem",
        "--tls-key=k.pem",
        "--tls-client-ca=ca.pem",
    ])
    .expect("valid");
    assert_eq!(set.registry, RegistryLocation::directory("/srv/registry"));
    assert_eq!(set.alias, "staging");
    assert_eq!(set.listen.port(), 6000);
    assert_eq!(set.metrics_listen.map(|a| a.port()), Some(9100));
    assert_eq!(set.reload_interval.as_millis(), 500);
    assert_eq!((set.concurrency_limit, set.max_batch), (8, 100));
    let keys = set.api_keys.expect("keys");
    let callers: Vec<&str> = keys.iter().map(|k| k.caller.as_str()).collect();
    assert_eq!(callers, ["a", "b"], "comma-separated keys");
    assert_eq!(
        keys[1].sha256,
        hash_key("other"),
        "hashes kept in lower case"
    );
    let audit = set.audit.expect("audit");
    assert_eq!((audit.fsync_every, audit.max_bytes), (10, 64 << 20));
    assert_eq!(
        set.tls,
        Some(TlsConfig {
            cert: "c.pem".into(),
            key: "k.pem".into(),
            client_ca: Some("ca.pem".into()),
        })
    );

    let open = check(&["--registry", "r", "--no-auth"]).expect("valid");
    assert!(
        open.api_keys.is_none(),
        "--no-auth turns authentication off"
    );
}

#[test]
fn the_logged_settings_never_show_an_api_key_hash() {
    let key = hash_key("k");
    let settings =
        check(&["--registry", "r", "--api-key", &format!("dashboard:{key}")]).expect("valid");
    // What `start` logs.
    let logged = format!("{settings:?}");
    assert!(
        logged.contains("dashboard"),
        "the caller is shown: {logged}"
    );
    assert!(!logged.contains(&key), "the hash is not: {logged}");
    let parsed = format!(
        "{:?}",
        cli(&["--registry", "r", "--api-key", &format!("x:{key}")])
    );
    assert!(!parsed.contains(&key), "nor in the parsed flags: {parsed}");
}

#[test]
fn flags_that_do_not_go_together_are_refused_naming_them() {
    let key = format!("x:{}", hash_key("k"));
    let cases: Vec<(Vec<&str>, &[&str])> = vec![
        (vec![], &["--api-key", "--no-auth"]),
        (
            vec!["--no-auth", "--api-key", &key],
            &["--no-auth", "--api-key"],
        ),
        (
            vec!["--no-auth", "--reload-interval-secs", "0"],
            &["--reload-interval-secs"],
        ),
        (
            vec!["--no-auth", "--request-timeout-secs=-1"],
            &["--request-timeout-secs"],
        ),
        (
            vec!["--no-auth", "--request-timeout-secs=inf"],
            &["--request-timeout-secs"],
        ),
        (
            vec!["--no-auth", "--max-batch", "10001"],
            &["--max-batch", "10000"],
        ),
        (vec!["--no-auth", "--max-batch", "0"], &["--max-batch"]),
        (
            vec!["--no-auth", "--concurrency-limit", "0"],
            &["--concurrency-limit"],
        ),
        (
            vec!["--no-auth", "--max-message-bytes", "0"],
            &["--max-message-bytes"],
        ),
        (
            vec!["--no-auth", "--audit-max-bytes", "0"],
            &["--audit-max-bytes"],
        ),
        (
            vec!["--no-auth", "--audit-fsync-every", "0"],
            &["--audit-fsync-every"],
        ),
        (
            vec!["--no-auth", "--tls-cert", "c.pem"],
            &["--tls-cert", "--tls-key"],
        ),
        (
            vec!["--no-auth", "--tls-key", "k.pem"],
            &["--tls-key", "--tls-cert"],
        ),
        (
            vec!["--no-auth", "--tls-client-ca", "ca.pem"],
            &["--tls-client-ca", "--tls-cert", "--tls-key"],
        ),
        (
            vec![
                "--no-auth",
                "--tls-cert",
                "c.pem",
                "--tls-client-ca",
                "ca.pem",
            ],
            &["--tls-cert", "--tls-key"],
        ),
    ];
    for (args, named) in cases {
        let args: Vec<&str> = ["--registry", "r"].into_iter().chain(args).collect();
        let err = check(&args).expect_err("refused");
        let message = err.to_string();
        for flag in named {
            assert!(message.contains(flag), "{args:?}: `{message}` names {flag}");
        }
    }
    // Mutual TLS without server TLS was once silently dropped.
    let err =
        check(&["--registry", "r", "--no-auth", "--tls-client-ca", "ca.pem"]).expect_err("refused");
    assert!(
        matches!(
            err,
            ConfigError::Needs {
                flag: "--tls-client-ca",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn malformed_flags_are_refused_by_the_parser_naming_them() {
    let hash = hash_key("k");
    let not_hex = format!("x:{}z", &hash[1..]);
    let empty_caller = format!(":{hash}");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--no-auth"], "--registry"),
        (vec!["--registry", "r", "--api-key", "nocolon"], "--api-key"),
        (
            vec!["--registry", "r", "--api-key", "x:abc"],
            "64-digit hex",
        ),
        (
            vec!["--registry", "r", "--api-key", &not_hex],
            "64-digit hex",
        ),
        (
            vec!["--registry", "r", "--api-key", &empty_caller],
            "caller",
        ),
        (vec!["--registry", "r", "--listen", "localhost"], "--listen"),
        (vec!["--registry", "r", "--max-batch=-1"], "--max-batch"),
    ];
    for (args, named) in cases {
        let err = cli(&args).expect_err("refused").to_string();
        assert!(err.contains(named), "{args:?}: `{err}` names {named}");
    }
}

#[tokio::test]
async fn start_up_failures_are_errors_not_panics() {
    let (dir, registry) = registry_with_v1();
    let mut settings = settings(&registry);
    settings.tls = Some(TlsConfig {
        cert: dir.path().join("none.pem"),
        key: dir.path().join("none.key"),
        client_ca: None,
    });
    let err = start(settings).await.expect_err("no TLS files");
    assert!(matches!(err, StartError::TlsFile { .. }), "{err}");

    let mut settings = self::settings(&registry);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    settings.listen = taken.local_addr().expect("addr");
    let err = start(settings).await.expect_err("port taken");
    assert!(matches!(err, StartError::Bind { .. }), "{err}");

    let file = dir.path().join("a-file");
    std::fs::write(&file, "").expect("write");
    let err = start(Settings::local(RegistryLocation::directory(&file)))
        .await
        .expect_err("not a directory");
    assert!(matches!(err, StartError::Registry { .. }), "{err}");

    let mut settings = self::settings(&registry);
    settings.audit = Some(scoring_grpc::config::AuditSettings {
        max_bytes: 1 << 20,
        fsync_every: 1,
        ..scoring_grpc::config::AuditSettings::at(file.join("audit.jsonl"))
    });
    let err = start(settings).await.expect_err("audit log under a file");
    assert!(matches!(err, StartError::Audit { .. }), "{err}");
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
