//! Drift over the real service: applicants of the reference population do
//! not drift, a shifted population drifts on the shifted features and the
//! score only; which applicants count; GetDrift's errors and auth; the
//! gauges.

use std::time::Duration;

use scoring_core::drift::WindowSettings;
use scoring_core::registry::Registry;
use scoring_grpc::config::Settings;
use scoring_grpc::server::{RunningServer, start};
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use test_support::monitoring::{self, FEATURES, SHIFTED};
use test_support::*;
use tonic::Code;
use tonic::transport::Channel;

/// Applicants per population: the PSI of a sample of n on 11 bins is about
/// 10 / n from chance alone (0.002 here), far below 0.02.
const APPLICANTS: usize = 5_000;

/// A server whose window holds the last [`APPLICANTS`] applicants, with
/// metrics and gauges updated every 50 ms.
fn drift_settings(registry: &Registry) -> Settings {
    let mut settings = settings_with_metrics(registry);
    settings.monitoring.window = Some(WindowSettings {
        max_applicants: Some(APPLICANTS as u64),
        duration: None,
        sub_windows: 10,
    });
    settings.monitoring.update_interval = Duration::from_millis(50);
    settings.monitoring.challenger_alias = None;
    settings
}

async fn drift(client: &mut ScoringServiceClient<Channel>) -> pb::GetDriftResponse {
    client
        .get_drift(pb::GetDriftRequest::default())
        .await
        .expect("drift")
        .into_inner()
}

fn psi(feature: &pb::FeatureDrift) -> f64 {
    feature.psi.expect("the window has applicants")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_population_does_not_drift_and_a_shifted_one_does_on_its_features_only() {
    let (_dir, registry) = monitoring::registry_with_v1();
    let server = start(drift_settings(&registry)).await.expect("server");
    let mut client = connect(&server).await;

    let reference = monitoring::population(11, APPLICANTS);
    score_rows(&mut client, &FEATURES, &reference, pb::Strategy::Normal).await;
    let calm = drift(&mut client).await;
    assert_eq!(calm.model_version, "v1");
    // An applicant arriving while its sub-window's slot is being cleared
    // for it is skipped (counted apart): concurrent batch items can do
    // that at a boundary.
    let counted = calm.applicants;
    assert!(
        (APPLICANTS as u64 - 10..=APPLICANTS as u64).contains(&counted),
        "{counted}"
    );
    assert_eq!(calm.feature_count, 6);
    assert_eq!(
        calm.features.len(),
        6,
        "every feature when no limit is given"
    );
    for feature in calm.features.iter().chain(calm.score.as_ref()) {
        assert!(
            psi(feature) < 0.02,
            "{} drifted: {}",
            feature.feature,
            psi(feature)
        );
    }
    let income = calm
        .features
        .iter()
        .find(|f| f.feature == "AMT_INCOME_TOTAL")
        .expect("income");
    let histogram = income.histogram.as_ref().expect("histogram");
    assert_eq!(histogram.bin_edges.len(), 11, "deciles");
    assert_eq!(histogram.reference_counts.iter().sum::<u64>(), 20_000);
    assert_eq!(histogram.live_counts.iter().sum::<u64>(), counted);
    let external = calm
        .features
        .iter()
        .find(|f| f.feature == "EXT_SOURCE_2")
        .expect("external");
    let missing = external.histogram.as_ref().expect("histogram").live_missing;
    assert!((150..350).contains(&missing), "about 5% missing: {missing}");
    assert_eq!(
        calm.window.as_ref().map(|w| w.max_applicants),
        Some(APPLICANTS as u64)
    );
    assert!(calm.window.as_ref().is_some_and(|w| w.start.is_some()));

    // The window keeps the last APPLICANTS: the shifted ones replace them.
    let moved: Vec<[f64; 6]> = monitoring::population(12, APPLICANTS)
        .into_iter()
        .map(monitoring::shifted)
        .collect();
    score_rows(&mut client, &FEATURES, &moved, pb::Strategy::Normal).await;
    let shifted = drift(&mut client).await;
    // The last APPLICANTS, to within one sub-window (a tenth of them): a
    // skipped applicant leaves a sub-window short, and the next older one
    // then completes the count.
    assert!(
        (APPLICANTS as u64 - 10..=APPLICANTS as u64 * 11 / 10).contains(&shifted.applicants),
        "{}",
        shifted.applicants
    );
    let score = shifted.score.as_ref().expect("score");
    assert!(psi(score) > 0.25, "the score moved: {}", psi(score));
    let ranked: Vec<&str> = shifted
        .features
        .iter()
        .map(|f| f.feature.as_str())
        .collect();
    let mut top: Vec<&str> = ranked[..2].to_vec();
    top.sort();
    assert_eq!(
        top,
        [SHIFTED[0], SHIFTED[1]],
        "most drifted first: {ranked:?}"
    );
    for feature in &shifted.features {
        if SHIFTED.contains(&feature.feature.as_str()) {
            assert!(
                psi(feature) > 0.25,
                "{} should drift: {}",
                feature.feature,
                psi(feature)
            );
        } else {
            assert!(
                psi(feature) < 0.02,
                "{} should not: {}",
                feature.feature,
                psi(feature)
            );
        }
    }

    // The gauges follow, for the top features by importance and the score.
    eventually("the drift gauges", || async {
        let text = metrics_text(&server).await;
        gauge(&text, "scoring_drift_psi{feature=\"AMT_INCOME_TOTAL\"}").is_some_and(|v| v > 0.25)
            && gauge(&text, "scoring_drift_psi{feature=\"CNT_CHILDREN\"}").is_some_and(|v| v < 0.02)
            && gauge(&text, "scoring_score_psi").is_some_and(|v| v > 0.25)
            && gauge(&text, "scoring_drift_window_applicants") == Some(shifted.applicants as f64)
    })
    .await;
    server.shutdown().await.expect("stops");
}

/// The value of the series named exactly `series` in Prometheus text.
fn gauge(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
}

async fn applicants_counted(client: &mut ScoringServiceClient<Channel>) -> u64 {
    drift(client).await.applicants
}

fn score(applicant: Option<pb::Applicant>) -> pb::ScoreRequest {
    pb::ScoreRequest {
        applicant,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_applicants_of_score_count_and_snapshot_clients_what_ifs_and_explanations_do_not() {
    let (_dir, registry) = monitoring::registry_with_v1();
    let server = start(drift_settings(&registry)).await.expect("server");
    let mut client = connect(&server).await;
    let row = monitoring::population(3, 1)[0];
    client
        .score(score(by_row(&FEATURES, &row)))
        .await
        .expect("score");
    assert_eq!(applicants_counted(&mut client).await, 1);

    let first = monitoring::FIRST_ID;
    client.score(score(by_client(first))).await.expect("by id");
    let what_if = Some(pb::Applicant {
        applicant: Some(pb::applicant::Applicant::ModifiedClient(
            pb::ModifiedClient {
                client_id: first,
                values: [("CNT_CHILDREN".to_owned(), 3.0)].into(),
                cleared: vec![],
            },
        )),
    });
    client.score(score(what_if)).await.expect("what-if");
    let explain = pb::ExplainRequest {
        applicant: by_row(&FEATURES, &row),
        ..Default::default()
    };
    client.explain(explain).await.expect("explain");
    assert_eq!(
        applicants_counted(&mut client).await,
        1,
        "only the new applicant"
    );
    server.shutdown().await.expect("stops");

    // Configured to, snapshot clients count too.
    let mut settings = drift_settings(&registry);
    settings.monitoring.include_snapshot = true;
    let server = start(settings).await.expect("server");
    let mut client = connect(&server).await;
    client.score(score(by_client(first))).await.expect("by id");
    assert_eq!(applicants_counted(&mut client).await, 1);
    server.shutdown().await.expect("stops");
}

async fn refused(server: &RunningServer, request: pb::GetDriftRequest) -> tonic::Status {
    connect(server)
        .await
        .get_drift(request)
        .await
        .expect_err("refused")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_drift_names_a_bad_limit_or_feature_and_says_when_drift_is_off() {
    let (_dir, registry) = monitoring::registry_with_v1();
    let server = start(drift_settings(&registry)).await.expect("server");
    let status = refused(
        &server,
        pb::GetDriftRequest {
            limit: 1_001,
            features: vec![],
        },
    )
    .await;
    assert_refused(&status, Code::InvalidArgument, "limit");
    let unknown = pb::GetDriftRequest {
        limit: 0,
        features: vec!["EXT_SOURCE_2".into(), "NOPE".into()],
    };
    assert_refused(
        &refused(&server, unknown).await,
        Code::NotFound,
        "features[1]",
    );
    // A limit and a filter together: the asked features, most drifted first.
    let mut client = connect(&server).await;
    let rows = monitoring::population(5, 200);
    score_rows(&mut client, &FEATURES, &rows, pb::Strategy::Normal).await;
    let asked = pb::GetDriftRequest {
        limit: 1,
        features: vec!["DAYS_BIRTH".into(), "CNT_CHILDREN".into()],
    };
    let answer = client.get_drift(asked).await.expect("drift").into_inner();
    assert_eq!(answer.features.len(), 1);
    assert!(["DAYS_BIRTH", "CNT_CHILDREN"].contains(&answer.features[0].feature.as_str()));
    assert_eq!(answer.feature_count, 6);
    assert!(answer.challenger.is_none(), "no challenger configured");
    server.shutdown().await.expect("stops");

    let mut off = drift_settings(&registry);
    off.monitoring.window = None;
    let server = start(off).await.expect("server");
    let status = refused(&server, pb::GetDriftRequest::default()).await;
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    assert!(status.message().contains("--no-drift"), "{status:?}");
    server.shutdown().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_drift_needs_an_api_key_like_the_other_calls() {
    let (_dir, registry) = monitoring::registry_with_v1();
    let mut settings = settings_with_api_key(&registry, "monitoring", "s3cret-token");
    settings.monitoring = drift_settings(&registry).monitoring;
    let server = start(settings).await.expect("server");
    let status = refused(&server, pb::GetDriftRequest::default()).await;
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    let mut request = tonic::Request::new(pb::GetDriftRequest::default());
    request.metadata_mut().insert(
        "authorization",
        "Bearer s3cret-token".parse().expect("header"),
    );
    let answer = connect(&server)
        .await
        .get_drift(request)
        .await
        .expect("allowed");
    assert_eq!(answer.into_inner().model_version, "v1");
    server.shutdown().await.expect("stops");
}
