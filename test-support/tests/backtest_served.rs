//! `trainer backtest` on the audit log of a real service run: the lines the
//! service writes parse, only Score and ScoreBatch decisions about known
//! clients count, and a published backtest comes back through GetModel.

use scoring_grpc::config::AuditSettings;
use scoring_grpc::server::start;
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use test_support::*;
use trainer::backtest::{BacktestArgs, run};

/// GetModel of the live version.
async fn live_model(
    mut client: ScoringServiceClient<tonic::transport::Channel>,
) -> pb::GetModelResponse {
    client
        .get_model(pb::GetModelRequest::default())
        .await
        .expect("model")
        .into_inner()
}

#[tokio::test]
async fn the_service_audit_log_backtests_and_getmodel_returns_the_published_backtest() {
    let (dir, registry) = registry_with_v1();
    let audit = dir.path().join("audit").join("audit.jsonl");
    std::fs::create_dir_all(audit.parent().unwrap()).unwrap();
    let mut settings = settings(&registry);
    settings.audit = Some(AuditSettings::at(audit.clone()));
    let server = start(settings).await.expect("server");
    let mut client = connect(&server).await;

    // 40 clients by id through Score, 20 more through ScoreBatch; an
    // Explain (a page view) and an applicant given by features: left out.
    let scored: Vec<i64> = (0..60).map(|i| FIRST_ID + i).collect();
    for &id in &scored[..40] {
        let request = pb::ScoreRequest {
            applicant: by_client(id),
            ..Default::default()
        };
        client.score(request).await.expect("scored");
    }
    let batch = pb::ScoreBatchRequest {
        applicants: scored[40..]
            .iter()
            .map(|&id| by_client(id).unwrap())
            .collect(),
        ..Default::default()
    };
    let mut stream = client.score_batch(batch).await.expect("batch").into_inner();
    while let Some(item) = stream.message().await.expect("item") {
        assert!(
            matches!(
                item.outcome,
                Some(pb::score_batch_response::Outcome::Result(_))
            ),
            "{item:?}"
        );
    }
    let explain = pb::ExplainRequest {
        applicant: by_client(FIRST_ID + 100),
        ..Default::default()
    };
    client.explain(explain).await.expect("explained");
    let features = pb::ScoreRequest {
        applicant: by_features(&[("f0", 0.5)]),
        ..Default::default()
    };
    client.score(features).await.expect("scored by features");

    // Outcomes observed after every decision, one client in four defaulted.
    let observed = "2100-01-01";
    let mut text = String::from("SK_ID_CURR,TARGET,OBSERVATION_DATE\n");
    for (i, id) in scored.iter().chain([&(FIRST_ID + 100)]).enumerate() {
        text.push_str(&format!("{id},{},{observed}\n", u8::from(i % 4 == 0)));
    }
    let outcomes = dir.path().join("outcomes.csv");
    std::fs::write(&outcomes, text).unwrap();
    let mut args = BacktestArgs::new(vec![audit.parent().unwrap().to_owned()], &outcomes);
    args.registry = Some(registry.location().to_string().into());
    args.publish = true;
    args.bootstrap = 100;
    args.out = dir.path().join("report");
    let report = tokio::task::spawn_blocking(move || run(&args))
        .await
        .unwrap()
        .expect("backtest");
    assert_eq!(report.audit_lines, 62);
    assert_eq!(
        (report.excluded.explain, report.excluded.without_client),
        (1, 1)
    );
    let backtest = &report.versions[0];
    assert_eq!(
        (
            backtest.model_version.as_str(),
            backtest.clients,
            backtest.defaulters
        ),
        ("v1", 60, 15)
    );
    // The decisions recomputed at the registry's thresholds are those the
    // service logged: the normal strategy's acceptances match the answers.
    let logged = std::fs::read_to_string(&audit).unwrap();
    let accepted = logged
        .lines()
        .filter(|l| {
            l.contains("\"rpc\":\"Score") && l.contains("\"client_id\"") && l.contains("\"ACCEPT\"")
        })
        .count();
    let normal = backtest
        .strategies
        .iter()
        .find(|s| s.strategy == scoring_core::Strategy::Normal)
        .unwrap();
    assert_eq!(normal.accepted, accepted as u64);

    eventually("GetModel returns the published backtest", || async {
        let model = live_model(client.clone()).await;
        model
            .backtest
            .is_some_and(|b| b.clients == 60 && b.strategies.len() == 3)
    })
    .await;
    // A backtest that cannot be read is left out; the model is still described.
    let published = registry.location().to_string();
    std::fs::write(
        std::path::Path::new(&published).join("reports/v1/backtest.json"),
        "{",
    )
    .unwrap();
    eventually("GetModel leaves an unreadable backtest out", || async {
        let model = live_model(client.clone()).await;
        model.model.is_some() && model.backtest.is_none()
    })
    .await;
    server.shutdown().await.expect("stops");
}
