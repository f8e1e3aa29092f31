//! The service's own answers as pages: NOT_FOUND is a 404, a refused input
//! a 400, a wrong API key a 500, a service gone a 503; never with the
//! service's message in the HTML.

use gateway::client::ScoringClient;
use scoring_proto::scoring::v1::{
    Applicant, ExplainRequest, LoanApplication, applicant::Applicant as Who,
};

use super::*;

/// What the service itself says to `applicant`, to check no page shows it.
async fn service_message(d: &Dashboard, applicant: Who) -> String {
    let client = ScoringClient::connect_lazy(&d.endpoint, Some(API_KEY)).unwrap();
    let request = ExplainRequest {
        applicant: Some(Applicant {
            applicant: Some(applicant),
        }),
        ..Default::default()
    };
    let refused = client.explain(request).await.unwrap_err();
    assert!(!refused.message().is_empty());
    refused.message().to_owned()
}

#[tokio::test]
async fn unknown_client_model_or_feature_is_a_404_page_without_the_grpc_message() {
    let d = Dashboard::start().await;
    let s = sign_in(&d.app).await;
    let message = service_message(&d, Who::ClientId(999)).await;
    for uri in [
        "/clients/999",
        "/clients/999/compare",
        "/clients/999/whatif",
    ] {
        let page = send(&d.app, get(uri, &s.cookie)).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(page.body.contains("<h1>Not found</h1>"), "{uri}");
        assert!(!page.body.contains(&message), "{uri}: {message}");
    }
    let unknown_model = send(&d.app, get("/model?version=v9", &s.cookie)).await;
    assert_eq!(unknown_model.status, StatusCode::NOT_FOUND);
    let unknown_feature = send(
        &d.app,
        get("/clients/100002/compare?feature=NOPE", &s.cookie),
    )
    .await;
    assert_eq!(unknown_feature.status, StatusCode::NOT_FOUND);
    let no_route = send(&d.app, get("/nowhere", &s.cookie)).await;
    assert_eq!(no_route.status, StatusCode::NOT_FOUND);
    d.stop().await;
}

#[tokio::test]
async fn an_application_the_model_cannot_score_is_refused_by_the_service() {
    let d = Dashboard::start().await;
    let s = sign_in(&d.app).await;
    let message = service_message(&d, Who::LoanApplication(LoanApplication::default())).await;
    // Well-formed for the gateway; the dashboard model's features are not the feature definition's: the
    // service cannot score a loan application with it (FAILED_PRECONDITION).
    let refused = send(
        &d.app,
        post(
            "/applicants/new",
            &s.cookie,
            &[("csrf", &s.csrf), ("AMT_CREDIT", "400000")],
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("refused these values"));
    assert!(!refused.body.contains(&message), "{message}");
    d.stop().await;
}

#[tokio::test]
async fn a_wrong_api_key_is_a_500_page_that_does_not_say_why() {
    let d = Dashboard::start().await;
    let wrong = app(&d.endpoint, Some("not-the-key"));
    let s = sign_in(&wrong).await;
    let page = send(&wrong, get("/clients/100002", &s.cookie)).await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!page.body.contains("API key"));
    assert!(!page.body.contains("nauthenticated"));
    let s = sign_in(&d.app).await;
    let right = send(&d.app, get("/clients/100002", &s.cookie)).await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.body);
    d.stop().await;
}

#[tokio::test]
async fn a_service_that_stops_is_a_503_page() {
    let d = Dashboard::start().await;
    let app = d.app.clone();
    let s = sign_in(&app).await;
    let up = send(&app, get("/clients/100002", &s.cookie)).await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.body);
    d.stop().await;
    let down = send(&app, get("/clients/100002", &s.cookie)).await;
    assert_eq!(
        down.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        down.body
    );
}
