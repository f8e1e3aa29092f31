//! The audit log under faults and its record of who decided what: a full
//! disk refuses decisions in required mode (and only counts them in
//! best-effort mode), rotated files are pruned, the files are private, and
//! each line says which RPC, which kind of applicant and for whom.

use std::os::unix::fs::PermissionsExt;

use scoring_grpc::config::{AuditMode, AuditSettings};
use scoring_grpc::server::start;
use scoring_proto::scoring::v1 as pb;
use test_support::*;
use tonic::Code;

/// `/dev/full` accepts the open and fails every write with "no space left
/// on device": a full filesystem without filling one.
const FULL_DISK: &str = "/dev/full";

fn score(id: i64) -> pb::ScoreRequest {
    pb::ScoreRequest {
        applicant: by_client(id),
        ..Default::default()
    }
}

#[tokio::test]
async fn on_a_full_disk_required_mode_refuses_decisions_and_other_calls_answer() {
    let (_dir, registry) = registry_with_v1();
    let mut settings = settings(&registry);
    settings.audit = Some(AuditSettings::at(FULL_DISK.into()));
    let server = start(settings).await.expect("server");
    let mut client = connect(&server).await;
    let refused = client.score(score(FIRST_ID)).await.expect_err("unrecorded");
    assert_eq!(refused.code(), Code::Unavailable, "{refused:?}");
    assert!(refused.message().contains("audit log"), "{refused:?}");
    let explain = client
        .explain(pb::ExplainRequest {
            applicant: by_client(FIRST_ID),
            ..Default::default()
        })
        .await
        .expect_err("unrecorded");
    assert_eq!(explain.code(), Code::Unavailable);
    let mut stream = client
        .score_batch(pb::ScoreBatchRequest {
            applicants: vec![by_client(FIRST_ID).expect("applicant")],
            ..Default::default()
        })
        .await
        .expect("the stream opens")
        .into_inner();
    let item = stream.message().await.expect("an item").expect("one item");
    let Some(pb::score_batch_response::Outcome::Error(error)) = item.outcome else {
        panic!("an unrecorded item is an error: {item:?}");
    };
    assert_eq!(error.code, Code::Unavailable as i32);
    // Calls that decide nothing still answer.
    client
        .get_model(pb::GetModelRequest { model: None })
        .await
        .expect("GetModel answers");
    server.shutdown().await.expect("stops");
}

#[tokio::test]
async fn on_a_full_disk_best_effort_mode_still_decides() {
    let (_dir, registry) = registry_with_v1();
    let mut settings = settings_with_metrics(&registry);
    settings.audit = Some(AuditSettings {
        mode: AuditMode::BestEffort,
        ..AuditSettings::at(FULL_DISK.into())
    });
    let server = start(settings).await.expect("server");
    let mut client = connect(&server).await;
    for i in 0..3 {
        client.score(score(FIRST_ID + i)).await.expect("decided");
    }
    eventually("the failures are counted", || async {
        metric_value(&metrics_text(&server).await, "scoring_audit_failures_total") >= 3.0
    })
    .await;
    server.shutdown().await.expect("stops");
}

#[tokio::test]
async fn lines_say_which_rpc_which_applicant_and_for_whom_and_files_are_private_and_pruned() {
    let (dir, registry) = registry_with_v1();
    let audit_dir = dir.path().join("audit");
    let mut settings = settings(&registry);
    settings.audit = Some(AuditSettings {
        max_bytes: 700,
        keep_rotated: 2,
        ..AuditSettings::at(audit_dir.join("decisions.jsonl"))
    });
    let server = start(settings).await.expect("server");
    let mut client = connect(&server).await;
    let long_name = format!("ann\t{}", "x".repeat(500));
    for i in 0..12 {
        let mut request = tonic::Request::new(score(FIRST_ID + i));
        request
            .metadata_mut()
            .insert("x-on-behalf-of", long_name.parse().expect("ascii"));
        client.score(request).await.expect("score");
    }
    client
        .explain(pb::ExplainRequest {
            applicant: by_features(&[("f0", 1.0)]),
            ..Default::default()
        })
        .await
        .expect("explain");
    server.shutdown().await.expect("stops");

    let files: Vec<_> = std::fs::read_dir(&audit_dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    assert!(
        files.len() <= 3,
        "the current file and 2 rotated: {files:?}"
    );
    for file in &files {
        let mode = std::fs::metadata(file)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{} is private: {mode:o}", file.display());
    }
    let current = std::fs::read_to_string(audit_dir.join("decisions.jsonl")).expect("log");
    let last: serde_json::Value =
        serde_json::from_str(current.lines().last().expect("a line")).expect("JSON");
    assert_eq!(last["rpc"], "Explain");
    assert_eq!(last["applicant"], "features");
    assert!(last.get("on_behalf_of").is_none(), "nobody was named");
    let scored: Vec<serde_json::Value> = files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .expect("read")
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .map(|l| serde_json::from_str(&l).expect("JSON"))
        .filter(|l: &serde_json::Value| l["rpc"] == "Score")
        .collect();
    assert!(!scored.is_empty());
    for line in &scored {
        assert_eq!(line["applicant"], "client_id");
        let officer = line["on_behalf_of"].as_str().expect("named");
        assert!(
            officer.starts_with("annxxx"),
            "control characters dropped: {officer}"
        );
        assert_eq!(officer.chars().count(), 128, "cut to 128");
    }
}
