//! Fault injection on a real server: a flood of 5 ms deadlines, a corrupt
//! version promoted while calls are being answered, and (as root, ignored
//! otherwise: `cargo test -p scoring-grpc --test faults -- --ignored`) the
//! audit log on a full filesystem and on a file made unwritable while
//! serving.
//! (A caller that stops reading a ScoreBatch: `limits.rs`; the audit log on
//! `/dev/full`: `audit.rs`.)

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use scoring_core::registry::Registry;
use scoring_grpc::config::{AuditMode, AuditSettings, Settings};
use scoring_grpc::server::{RunningServer, start};
use scoring_proto::scoring::v1 as pb;
use test_support::*;
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;

/// This process's resident memory, bytes (Linux).
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmRSS")
        * 1024
}

async fn start_with(registry: &Registry, adjust: impl FnOnce(&mut Settings)) -> RunningServer {
    let mut settings = settings_with_metrics(registry);
    adjust(&mut settings);
    start(settings).await.expect("server starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flood_of_5_ms_deadlines_gives_every_slot_back_and_memory_stays_bounded() {
    const SLOTS: usize = 16;
    let dir = tempfile::tempdir().expect("tmp");
    let registry = Registry::open(dir.path().join("registry")).expect("registry");
    publish_model(&registry, "heavy", 1, heavy_model(1));
    registry.promote("heavy", "production").expect("promote");
    let server = start_with(&registry, |s| s.concurrency_limit = SLOTS).await;
    let client = connect(&server).await;
    let before = rss_bytes();

    let flood: Vec<_> = (0..32)
        .map(|_| {
            let mut client = client.clone();
            tokio::spawn(async move {
                let mut codes = Vec::new();
                for _ in 0..40 {
                    let code = match client
                        .explain(explain_first_client(Some(Duration::from_millis(5))))
                        .await
                    {
                        Ok(_) => Code::Ok,
                        Err(status) => status.code(),
                    };
                    codes.push(code);
                }
                codes
            })
        })
        .collect();
    // Another caller's calls keep answering during the flood (or are shed,
    // never left hanging). (The flooding connection itself may be closed by
    // HTTP/2's defence against floods of cancelled streams.)
    let mut other = connect(&server).await;
    for _ in 0..20 {
        match other.get_model(pb::GetModelRequest { model: None }).await {
            Ok(_) => {}
            Err(status) => assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}"),
        }
    }
    for task in flood {
        for code in task.await.expect("flood task") {
            assert!(
                matches!(
                    code,
                    Code::Ok
                        | Code::DeadlineExceeded
                        | Code::ResourceExhausted
                        | Code::Cancelled
                        | Code::Unknown
                        | Code::Unavailable
                ),
                "{code:?}"
            );
        }
    }
    // Every slot comes back: as many explanations at once as there are
    // slots are all answered.
    eventually("every slot to come back", || {
        let client = client.clone();
        async move {
            let calls = (0..SLOTS).map(|_| {
                let mut client = client.clone();
                async move { client.explain(explain_first_client(None)).await.is_ok() }
            });
            futures_all(calls).await
        }
    })
    .await;
    let grown = rss_bytes().saturating_sub(before);
    assert!(grown < 256 << 20, "resident memory grew by {grown} bytes");
    assert_eq!(health(&server).await, ServingStatus::Serving);
    server.shutdown().await.expect("shutdown");
}

/// Whether every future yields true (run concurrently).
async fn futures_all<F: std::future::Future<Output = bool> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> bool {
    let tasks: Vec<_> = futures.map(tokio::spawn).collect();
    let mut all = true;
    for task in tasks {
        all &= task.await.unwrap_or(false);
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_corrupt_version_promoted_under_load_never_fails_a_call() {
    let (_dir, registry) = registry_with_v1();
    let server = start_with(&registry, |_| {}).await;
    let client = connect(&server).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let load: Vec<_> = (0..8)
        .map(|k| {
            let mut client = client.clone();
            let stopped = stopped.clone();
            tokio::spawn(async move {
                let mut answered = Vec::new();
                while !*stopped.borrow() {
                    let answer = client
                        .score(pb::ScoreRequest {
                            applicant: by_client(FIRST_ID + k),
                            ..Default::default()
                        })
                        .await
                        .map(|r| r.into_inner().model_version);
                    answered.push(answer);
                }
                answered
            })
        })
        .collect();

    publish(&registry, "v2", 2);
    let v2 = registry
        .version_dir(&registry.resolve("v2").expect("v2"))
        .expect("a directory registry");
    std::fs::write(v2.join("clients.bin"), b"truncated").expect("corrupt");
    force_alias(&registry, "production", "v2");
    reload_failure_counted(&server).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(true).expect("stop the load");
    let mut calls = 0;
    for task in load {
        for answer in task.await.expect("load task") {
            assert_eq!(answer.expect("every call answered").as_str(), "v1");
            calls += 1;
        }
    }
    assert!(calls > 8, "the load ran: {calls} calls");
    assert_eq!(health(&server).await, ServingStatus::Serving);
    server.shutdown().await.expect("shutdown");
}

fn root_command(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .status()
        .is_ok_and(|s| s.success())
}

/// Audit lines in every file of `dir` (the log and its rotations).
fn audit_lines(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .expect("audit directory")
        .filter_map(Result::ok)
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .map(|text| text.lines().filter(|l| l.contains("\"rpc\"")).count())
        .sum()
}

/// Scores until the audit log refuses (at most `limit` calls); returns how
/// many decisions were given.
async fn score_until_refused(server: &RunningServer, limit: i64) -> (usize, bool) {
    let mut client = connect(server).await;
    let mut given = 0;
    for i in 0..limit {
        match client
            .score(pb::ScoreRequest {
                applicant: by_client(FIRST_ID + i % 50),
                ..Default::default()
            })
            .await
        {
            Ok(_) => given += 1,
            Err(status) => {
                assert_eq!(status.code(), Code::Unavailable, "{status:?}");
                assert!(status.message().contains("audit log"), "{status:?}");
                return (given, true);
            }
        }
    }
    (given, false)
}

#[tokio::test]
#[ignore = "needs root: mounts a 64 KiB tmpfs"]
async fn on_a_full_tmpfs_every_decision_given_has_its_durable_line() {
    let (dir, registry) = registry_with_v1();
    let audit_dir = dir.path().join("audit");
    std::fs::create_dir(&audit_dir).expect("audit directory");
    let audit_str = audit_dir.to_string_lossy().into_owned();
    assert!(
        root_command(
            "mount",
            &["-t", "tmpfs", "-o", "size=64k", "tmpfs", &audit_str]
        ),
        "mounting a tmpfs needs root"
    );
    let server = start_with(&registry, |s| {
        s.audit = Some(AuditSettings {
            mode: AuditMode::Required,
            fsync_every: 1,
            ..AuditSettings::at(audit_dir.join("audit.jsonl"))
        });
    })
    .await;
    let (given, refused) = score_until_refused(&server, 5_000).await;
    let mut client = connect(&server).await;
    client
        .get_model(pb::GetModelRequest { model: None })
        .await
        .expect("other calls answer on a full disk");
    server.shutdown().await.expect("shutdown");
    let lines = audit_lines(&audit_dir);
    root_command("umount", &[&audit_str]);
    assert!(refused, "64 KiB fills before 5,000 lines");
    assert!(given > 10, "decisions were given until it filled: {given}");
    // The refused call's line may be written in part before the disk
    // fills: at most one line more than decisions given, never one less.
    assert!(
        (given..=given + 1).contains(&lines),
        "a durable line per decision given ({given}): {lines}"
    );
}

#[tokio::test]
#[ignore = "needs root: makes the audit file immutable (chattr +i, ext4)"]
async fn on_a_file_made_unwritable_while_serving_decisions_are_refused() {
    let (dir, registry) = registry_with_v1();
    let log = dir.path().join("audit.jsonl");
    let log_str = log.to_string_lossy().into_owned();
    let server = start_with(&registry, |s| {
        s.audit = Some(AuditSettings {
            fsync_every: 1,
            ..AuditSettings::at(log.clone())
        });
    })
    .await;
    let (given, refused) = score_until_refused(&server, 5).await;
    assert_eq!((given, refused), (5, false));
    assert!(
        root_command("chattr", &["+i", &log_str]),
        "chattr +i needs root and ext2/3/4"
    );
    let (after, refused) = score_until_refused(&server, 5).await;
    server.shutdown().await.expect("shutdown");
    root_command("chattr", &["-i", &log_str]);
    assert!(refused, "an unwritable log refuses decisions");
    let lines = audit_lines(dir.path());
    assert!(
        (given + after..=given + after + 1).contains(&lines),
        "a durable line per decision given ({}), at most one more for the refused one: {lines}",
        given + after
    );
}
