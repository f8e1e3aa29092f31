//! The registry's guarantees on both backends, a directory and a real
//! S3-compatible server (moto, started by the test): publishing, never
//! overwriting, nothing half-published ever visible, concurrent promotes
//! from two processes with none lost, rollback, reports published beside
//! a version after the fact, and the errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use object_store::path::Path as StorePath;
use object_store::{ObjectStoreExt, PutPayload};
use scoring_core::backtest::{BACKTEST_MARKDOWN_FILE, Backtest, BacktestCache};
use scoring_core::registry::{Registry, RegistryLocation};
use scoring_core::{Error, write_artifact};
use tempfile::TempDir;
use test_support::object_store::S3Server;
use test_support::{model, publish, release, schema};

/// A registry on each backend available: always the directory; the bucket
/// when the S3 server runs (else skipped, or failed under CI).
struct Backends {
    _dir: TempDir,
    s3: Option<S3Server>,
    locations: Vec<RegistryLocation>,
}

fn backends() -> Backends {
    let dir = tempfile::tempdir().unwrap();
    let mut locations = vec![RegistryLocation::directory(dir.path().join("registry"))];
    let s3 = S3Server::start();
    if let Some(server) = &s3 {
        locations.push(server.registry("models", "credit/registry"));
    }
    Backends {
        _dir: dir,
        s3,
        locations,
    }
}

fn open(location: &RegistryLocation) -> Registry {
    Registry::open_location(location.clone()).unwrap()
}

fn listed(registry: &Registry) -> Vec<String> {
    let versions = registry.versions().unwrap();
    versions.iter().map(ToString::to_string).collect()
}

#[test]
fn publishes_lists_shows_and_never_overwrites() {
    let backends = backends();
    for location in &backends.locations {
        let registry = open(location);
        assert!(registry.list().unwrap().is_empty(), "{location}");
        publish(&registry, "v1", 1);
        let v2 = registry
            .publish(None, |dir| {
                write_artifact(dir, &release("v2"), &model(2), &schema()).map(|_| ())
            })
            .unwrap();
        assert_eq!(v2.as_str(), "v2", "{location}");
        assert_eq!(listed(&registry), ["v1", "v2"], "{location}");

        let v1 = registry.resolve("v1").unwrap();
        let before = registry.load(&v1).unwrap().manifest().clone();
        let error = registry
            .publish(Some("v1"), |dir| {
                write_artifact(dir, &release("v1"), &model(9), &schema()).map(|_| ())
            })
            .unwrap_err();
        assert!(
            matches!(error, Error::RegistryVersionExists { ref version, .. } if version == "v1"),
            "{location}: {error}"
        );
        assert!(error.to_string().contains("never overwritten"), "{error}");
        let after = registry.load(&v1).unwrap().manifest().clone();
        assert_eq!(before, after, "{location}: v1 changed");

        let details = registry.show("v1").unwrap();
        for file in [
            "manifest.json",
            "model.json",
            "feature_schema.json",
            "clients.bin",
        ] {
            assert!(
                details.files.iter().any(|f| f == file),
                "{location}: {file}"
            );
        }
        assert!(
            details.location.starts_with(&location.to_string()),
            "{}",
            details.location
        );
        let summaries = registry.list().unwrap();
        assert_eq!(summaries.len(), 2);
        assert!(summaries.iter().all(|s| s.manifest.is_ok()), "{location}");

        // A second client of the same registry sees the same versions.
        assert_eq!(listed(&open(location)), ["v1", "v2"], "{location}");
    }
}

#[test]
fn a_failed_or_unverifiable_publish_leaves_nothing_visible() {
    let backends = backends();
    for location in &backends.locations {
        let registry = open(location);
        let error = registry
            .publish(Some("v1"), |_| {
                Err(Error::InvalidModel {
                    reason: "the writer failed".into(),
                })
            })
            .unwrap_err();
        assert!(matches!(error, Error::InvalidModel { .. }), "{error}");
        let error = registry
            .publish(Some("v1"), |dir| {
                write_artifact(dir, &release("v1"), &model(1), &schema())?;
                std::fs::write(dir.join("model.json"), b"{}").map_err(|source| Error::Io {
                    path: dir.to_owned(),
                    action: "corrupting",
                    source,
                })
            })
            .unwrap_err();
        assert!(
            matches!(error, Error::RegistryArtifact { .. }),
            "{location}: {error}"
        );
        assert!(listed(&registry).is_empty(), "{location}");
        assert!(registry.resolve("v1").is_err(), "{location}");
        publish(&registry, "v1", 1);
        assert_eq!(listed(&registry), ["v1"], "{location}");
    }
}

/// What a publisher that died after uploading its data leaves in a bucket,
/// and a data object that does not hold what its name says: neither is
/// ever visible, and the version can still be published.
#[test]
fn a_publisher_that_died_mid_upload_leaves_nothing_half_visible() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let location = server.registry("crash", "reg");
    let registry = open(&location);
    let store = object_store::aws::AmazonS3Builder::new()
        .with_bucket_name("crash")
        .with_endpoint(&server.endpoint)
        .with_allow_http(true)
        .with_access_key_id("test-access-key")
        .with_secret_access_key("test-secret-key")
        .with_region("us-east-1")
        .build()
        .unwrap();

    // Write v1 aside to learn the name of its model's data object.
    let scratch = tempfile::tempdir().unwrap();
    let manifest = write_artifact(scratch.path(), &release("v1"), &model(1), &schema()).unwrap();
    let sha = &manifest.files["model.json"];
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        // The model's object, tampered with, where the next publish puts it.
        let path = StorePath::from(format!("reg/versions/v1/data/{sha}.model.json"));
        store
            .put(&path, PutPayload::from_static(b"{}"))
            .await
            .unwrap();
        let orphan = StorePath::from("reg/versions/v7/data/0000.model.json");
        store
            .put(&orphan, PutPayload::from_static(b"{}"))
            .await
            .unwrap();
    });
    assert!(listed(&registry).is_empty());
    assert!(matches!(
        registry.resolve("v7").unwrap_err(),
        Error::RegistryUnknownName { .. }
    ));

    // The read back finds the tampered object: no manifest, no version.
    let error = registry
        .publish(Some("v1"), |dir| {
            write_artifact(dir, &release("v1"), &model(1), &schema()).map(|_| ())
        })
        .unwrap_err();
    assert!(matches!(error, Error::RegistryArtifact { .. }), "{error}");
    let message = format!("{error}: {}", std::error::Error::source(&error).unwrap());
    assert!(message.contains("s3://crash/reg/versions/v1"), "{message}");
    assert!(message.contains("model.json"), "{message}");
    assert!(listed(&registry).is_empty());

    publish(&registry, "v7", 7);
    assert_eq!(listed(&registry), ["v7"]);
    registry.load(&registry.resolve("v7").unwrap()).unwrap();
}

#[test]
fn promote_rollback_and_their_errors() {
    let backends = backends();
    for location in &backends.locations {
        let registry = open(location);
        for (i, v) in ["v1", "v2", "v3"].iter().enumerate() {
            publish(&registry, v, i as u64 + 1);
        }
        let error = registry.rollback("production").unwrap_err();
        assert!(matches!(error, Error::RegistryNoRollback { .. }), "{error}");
        assert_eq!(registry.promote("v1", "production").unwrap(), None);
        assert_eq!(
            registry
                .promote("v3", "production")
                .unwrap()
                .map(|v| v.to_string()),
            Some("v1".into())
        );
        registry.promote("v2", "staging").unwrap();
        assert_eq!(registry.resolve("production").unwrap().as_str(), "v3");
        let (from, to) = registry.rollback("production").unwrap();
        assert_eq!((from.unwrap().as_str(), to.as_str()), ("v3", "v1"));
        assert_eq!(registry.resolve("staging").unwrap().as_str(), "v2");
        let summaries = registry.list().unwrap();
        assert_eq!(summaries[0].aliases, ["production"], "{location}");

        let error = registry.promote("v9", "production").unwrap_err();
        assert!(
            matches!(error, Error::RegistryUnknownVersion { ref version, ref registry } if version == "v9" && registry == &location.to_string()),
            "{error}"
        );
        let error = registry.promote("v1", "Prod!").unwrap_err();
        assert!(
            matches!(error, Error::RegistryInvalidAlias { .. }),
            "{error}"
        );
        let error = registry.show("../v1").unwrap_err();
        assert!(
            matches!(error, Error::RegistryInvalidVersion { .. }),
            "{error}"
        );
        assert_eq!(registry.resolve("production").unwrap().as_str(), "v1");
    }
}

#[test]
fn a_backtest_is_published_beside_its_version_outside_the_artifact() {
    let backends = backends();
    for location in &backends.locations {
        let registry = open(location);
        publish(&registry, "v1", 1);
        let v1 = registry.resolve("v1").unwrap();
        let files = registry.show("v1").unwrap().files;
        assert_eq!(registry.read_backtest(&v1).unwrap(), None, "{location}");
        let first = test_support::dashboard::backtest("v1");
        registry
            .publish_backtest(&first, "# first\n", "20260101T000000Z")
            .unwrap();
        assert_eq!(registry.read_backtest(&v1).unwrap().as_ref(), Some(&first));
        // A later backtest replaces the latest and joins the history.
        let second = Backtest {
            clients: 300,
            ..first.clone()
        };
        registry
            .publish_backtest(&second, "# second\n", "20260201T000000Z")
            .unwrap();
        assert_eq!(registry.read_backtest(&v1).unwrap(), Some(second.clone()));
        assert_eq!(
            registry.read_report(&v1, BACKTEST_MARKDOWN_FILE).unwrap(),
            Some(b"# second\n".to_vec())
        );
        // The artifact is untouched: same files, still verified.
        assert_eq!(registry.show("v1").unwrap().files, files, "{location}");
        registry.load(&v1).unwrap();
        assert_eq!(
            listed(&registry),
            ["v1"],
            "reports are never listed as versions"
        );

        let cache = BacktestCache::new(Duration::from_secs(3600));
        assert_eq!(cache.get(&registry, &v1).unwrap().as_deref(), Some(&second));
        registry
            .publish_backtest(&first, "# first\n", "20260301T000000Z")
            .unwrap();
        assert_eq!(
            cache.get(&registry, &v1).unwrap().as_deref(),
            Some(&second),
            "cached: not read again within max_age"
        );
        let uncached = BacktestCache::new(Duration::ZERO);
        assert_eq!(
            uncached.get(&registry, &v1).unwrap().as_deref(),
            Some(&first)
        );

        let error = registry
            .publish_backtest(
                &test_support::dashboard::backtest("v9"),
                "",
                "20260101T000000Z",
            )
            .unwrap_err();
        assert!(
            matches!(error, Error::RegistryUnknownVersion { ref version, .. } if version == "v9"),
            "{error}"
        );
        let error = registry
            .publish_backtest(&first, "", "2026/01/01")
            .unwrap_err();
        assert!(
            matches!(error, Error::RegistryInvalidReportName { ref name } if name == "2026/01/01"),
            "{error}"
        );
    }
    // In a directory: the history keeps every backtest published.
    let dir = backends.locations[0].to_string();
    let history: BTreeSet<String> = std::fs::read_dir(Path::new(&dir).join("reports/v1/history"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(history.len(), 6, "{history:?}");
    assert!(
        history.contains("20260201T000000Z-backtest.json"),
        "{history:?}"
    );
}

#[test]
fn a_missing_bucket_is_an_error_naming_the_registry() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let location = RegistryLocation::parse("s3://no-such-bucket/reg")
        .unwrap()
        .with_settings(server.settings());
    let registry = open(&location);
    let message = registry.versions().unwrap_err().to_string();
    assert!(
        message.contains("s3://no-such-bucket/reg/versions"),
        "{message}"
    );
    assert!(message.contains("listing"), "{message}");
}

const CHILD: &str = "REGISTRY_TEST_PROMOTER";
const PER_PROCESS: usize = 8;

/// Two processes each promote their own versions, one after the other, as
/// fast as they can: every promote is in the history (rollback walks all
/// sixteen versions), none overwritten by the other process's.
#[test]
fn concurrent_promotes_from_two_processes_are_never_lost() {
    let backends = backends();
    for location in &backends.locations {
        let registry = open(location);
        let mut all = BTreeSet::new();
        for group in ["a", "b"] {
            for i in 0..PER_PROCESS {
                let version = format!("{group}{i}");
                publish(&registry, &version, i as u64);
                all.insert(version);
            }
        }
        let children: Vec<_> = ["a", "b"]
            .iter()
            .map(|group| {
                let mut command = Command::new(std::env::current_exe().unwrap());
                command
                    .args(["--exact", "promoter_child", "--nocapture"])
                    .env(CHILD, format!("{group}|{location}"));
                if let Some(server) = &backends.s3 {
                    command.envs(server.env());
                }
                command.spawn().unwrap()
            })
            .collect();
        for mut child in children {
            assert!(
                child.wait().unwrap().success(),
                "{location}: a promoter failed"
            );
        }
        let mut seen = BTreeSet::from([registry.resolve("production").unwrap().to_string()]);
        loop {
            match registry.rollback("production") {
                Ok((_, to)) => {
                    seen.insert(to.to_string());
                }
                Err(Error::RegistryNoRollback { .. }) => break,
                Err(error) => panic!("{location}: {error}"),
            }
        }
        assert_eq!(seen, all, "{location}: promotes were lost");
    }
}

/// The body of each promoter process (does nothing in a normal test run).
#[test]
fn promoter_child() {
    let Ok(spec) = std::env::var(CHILD) else {
        return;
    };
    let (group, location) = spec.split_once('|').unwrap();
    let registry = Registry::open(location).unwrap();
    for i in 0..PER_PROCESS {
        registry
            .promote(&format!("{group}{i}"), "production")
            .unwrap();
    }
}
