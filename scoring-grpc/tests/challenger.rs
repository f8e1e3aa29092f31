//! The shadow challenger over the real service: a challenger that refuses
//! everyone agrees with the live version exactly on its refusals, its
//! probabilities reach the audit log as `shadow` lines, the shadow worker
//! runs in the idle scheduling class, and a broken or missing challenger
//! never fails a request.

use std::time::Duration;

use scoring_core::drift::WindowSettings;
use scoring_core::registry::Registry;
use scoring_core::{Outcome, Strategy};
use scoring_grpc::config::{AuditMode, AuditSettings, Settings};
use scoring_grpc::server::start;
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use test_support::monitoring::{self, FEATURES, REFUSE_ALL};
use test_support::published::THRESHOLDS;
use test_support::*;
use tonic::transport::Channel;

const APPLICANTS: usize = 2_000;

fn shadow_settings(registry: &Registry, alias: &str) -> Settings {
    let mut settings = settings(registry);
    settings.monitoring.window = Some(WindowSettings {
        max_applicants: Some(10_000),
        duration: None,
        sub_windows: 10,
    });
    settings.monitoring.challenger_alias = Some(alias.to_owned());
    settings.monitoring.challenger_queue = 10_000;
    settings.monitoring.update_interval = Duration::from_millis(50);
    settings
}

async fn comparison(
    client: &mut ScoringServiceClient<Channel>,
) -> Option<pb::ChallengerComparison> {
    client
        .get_drift(pb::GetDriftRequest::default())
        .await
        .expect("drift")
        .into_inner()
        .challenger
}

/// Linux's SCHED_IDLE, as `/proc` gives a thread's scheduling policy.
const SCHED_IDLE: u32 = 5;

/// The scheduling policy of this process's thread named `name` (as
/// `/proc/self/task/*/comm` has it: at most 15 bytes).
fn scheduling_policy_of_thread(name: &str) -> Option<u32> {
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let dir = task.ok()?.path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if comm.trim_end() != name {
            continue;
        }
        // Fields after the command's closing parenthesis start at the
        // third (the state); the policy is the 41st.
        let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
        let after = stat.get(stat.rfind(')')? + 2..)?;
        return after.split(' ').nth(41 - 3)?.parse().ok();
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_challenger_that_refuses_everyone_agrees_only_on_the_live_refusals() {
    let (dir, registry) = monitoring::registry_with_v1();
    monitoring::publish(&registry, "v2", REFUSE_ALL);
    registry.promote("v2", "challenger").expect("promote");
    let audit_path = dir.path().join("audit.jsonl");
    let mut settings = shadow_settings(&registry, "challenger");
    settings.audit = Some(AuditSettings {
        mode: AuditMode::Required,
        ..AuditSettings::at(audit_path.clone())
    });
    let server = start(settings).await.expect("server");
    let mut client = connect(&server).await;
    eventually("the challenger to load", || {
        let mut client = client.clone();
        async move { comparison(&mut client).await.is_some() }
    })
    .await;

    // The shadow worker only takes CPU the requests leave free.
    assert_eq!(
        scheduling_policy_of_thread("challenger-shad"),
        Some(SCHED_IDLE)
    );

    let rows = monitoring::population(21, APPLICANTS);
    let answers = score_rows(&mut client, &FEATURES, &rows, pb::Strategy::Normal).await;
    eventually("every applicant to be shadowed", || {
        let mut client = client.clone();
        async move {
            comparison(&mut client)
                .await
                .is_some_and(|c| c.compared == APPLICANTS as u64)
        }
    })
    .await;
    let shadow = comparison(&mut client).await.expect("a challenger");
    assert_eq!(shadow.challenger_version, "v2");
    assert_eq!((shadow.dropped, shadow.failures), (0, 0));
    for agreement in &shadow.agreement {
        let strategy = match pb::Strategy::try_from(agreement.strategy).expect("a strategy") {
            pb::Strategy::Prudent => Strategy::Prudent,
            pb::Strategy::Normal => Strategy::Normal,
            pb::Strategy::Aggressive => Strategy::Aggressive,
            pb::Strategy::Unspecified => panic!("unspecified"),
        };
        // The challenger refuses everyone: they agree where the live
        // version refuses, so the agreement is 1 minus its accept rate.
        let refused = answers
            .iter()
            .filter(|a| THRESHOLDS.outcome(strategy, a.probability_of_default) == Outcome::Refuse)
            .count() as u64;
        assert_eq!(agreement.agreed, refused, "{strategy:?}");
        let rate = agreement.agreement_rate.expect("compared");
        assert!((rate - refused as f64 / APPLICANTS as f64).abs() < 1e-12);
    }
    let normal_refusals = answers
        .iter()
        .filter(|a| a.decision == pb::Decision::Refuse as i32)
        .count();
    assert!(
        normal_refusals > 0 && normal_refusals < APPLICANTS,
        "the live version accepts some and refuses some: {normal_refusals}"
    );
    // Same model, same probabilities: no difference, no score drift.
    assert_eq!(
        shadow.difference_counts[6], APPLICANTS as u64,
        "{:?}",
        shadow.difference_counts
    );
    assert_eq!(shadow.score_psi, Some(0.0));

    server.shutdown().await.expect("stops");
    let log = std::fs::read_to_string(&audit_path).expect("audit log");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let shadows: Vec<&serde_json::Value> = lines.iter().filter(|l| l["kind"] == "shadow").collect();
    assert_eq!(shadows.len(), APPLICANTS);
    assert_eq!(
        lines.len(),
        2 * APPLICANTS,
        "a decision line and a shadow line each"
    );
    let first = shadows[0];
    assert_eq!(first["challenger_version"], "v2");
    assert_eq!(first["model_version"], "v1");
    assert_eq!(first["rpc"], "ScoreBatch");
    assert_eq!(
        first["probability_of_default"],
        first["challenger_probability_of_default"]
    );
    let decided = lines
        .iter()
        .find(|l| l["kind"].is_null() && l["request_id"] == first["request_id"]);
    assert!(
        decided.is_some(),
        "the decision line has the same request id"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_or_missing_challenger_never_fails_a_request() {
    let (_dir, registry) = monitoring::registry_with_v1();
    monitoring::publish(&registry, "v2", REFUSE_ALL);
    registry.promote("v2", "challenger").expect("promote");
    corrupt_model_file(&registry, "v2");
    let mut settings = shadow_settings(&registry, "challenger");
    settings.metrics_listen = Some("127.0.0.1:0".parse().expect("addr"));
    let server = start(settings).await.expect("server");
    let mut client = connect(&server).await;
    eventually("the broken challenger to be refused", || async {
        metrics_text(&server)
            .await
            .lines()
            .any(|l| l.starts_with("scoring_challenger_load_failures_total"))
    })
    .await;
    let rows = monitoring::population(22, 500);
    let answers = score_rows(&mut client, &FEATURES, &rows, pb::Strategy::Normal).await;
    assert_eq!(answers.len(), 500, "every applicant answered");
    assert!(
        comparison(&mut client).await.is_none(),
        "no challenger loaded"
    );
    assert_eq!(
        client
            .get_drift(pb::GetDriftRequest::default())
            .await
            .expect("drift")
            .into_inner()
            .applicants,
        500
    );

    // A working challenger replaces the broken one once the alias moves.
    monitoring::publish(&registry, "v3", REFUSE_ALL);
    registry.promote("v3", "challenger").expect("promote");
    eventually("the new challenger", || {
        let mut client = client.clone();
        async move {
            comparison(&mut client)
                .await
                .is_some_and(|c| c.challenger_version == "v3")
        }
    })
    .await;
    server.shutdown().await.expect("stops");

    // An alias the registry does not have: nothing is shadowed, all answer.
    let server = start(shadow_settings(&registry, "nobody"))
        .await
        .expect("server");
    let mut client = connect(&server).await;
    let answers = score_rows(&mut client, &FEATURES, &rows, pb::Strategy::Normal).await;
    assert_eq!(answers.len(), 500);
    assert!(comparison(&mut client).await.is_none());
    server.shutdown().await.expect("stops");
}
