//! What-if simulations and new applicants.

use super::*;

#[tokio::test]
async fn what_if_prefills_top_factors_and_rescores() {
    let app = app();
    let s = sign_in(&app).await;
    let form = send(&app, get("/clients/100002/whatif", &s.cookie)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("value=\"AMT_CREDIT\""), "{}", form.body);
    assert!(form.body.contains("value=\"400000\""));
    assert_eq!(
        form.count("<input id=\"feature_"),
        7,
        "5 top actionable factors and 2 empty rows"
    );
    assert!(!form.body.contains("value=\"EXT_SOURCE_2\""));
    let result = send(
        &app,
        post(
            "/clients/100002/whatif",
            &s.cookie,
            &[
                ("csrf", &s.csrf),
                ("strategy", "normal"),
                ("feature_0", "PAYMENT_RATE"),
                ("value_0", "0.02"),
                ("feature_1", "OWN_CAR_AGE"),
                ("value_1", ""),
            ],
        ),
    )
    .await;
    assert_eq!(result.status, StatusCode::OK, "{}", result.body);
    // 48.1 % before; PAYMENT_RATE 0.06 -> 0.02 takes 0.4 off the log-odds and
    // clearing OWN_CAR_AGE (12) another 0.02: 37.9 %.
    assert!(result.body.contains("Before: 48.1 %"), "{}", result.body);
    assert!(
        result
            .body
            .contains("<span id=\"probability\">37.9 %</span>")
    );
    assert!(result.body.contains("name=\"value_0\" value=\"0.02\""));
    assert_eq!(
        result.count("<line class=\"threshold"),
        3,
        "the three thresholds"
    );
}

#[tokio::test]
async fn new_applicant_is_scored_from_explicit_features() {
    let app = app();
    let s = sign_in(&app).await;
    let form = send(&app, get("/applicants/new", &s.cookie)).await;
    assert!(
        form.body
            .contains("name=\"feature_0\" value=\"EXT_SOURCE_2\"")
    );
    let result = send(
        &app,
        post(
            "/applicants/new",
            &s.cookie,
            &[
                ("csrf", &s.csrf),
                ("feature_0", "EXT_SOURCE_2"),
                ("value_0", "0,9"),
                ("feature_1", "AMT_CREDIT"),
                ("value_1", ""),
            ],
        ),
    )
    .await;
    assert_eq!(result.status, StatusCode::OK, "{}", result.body);
    assert!(
        result
            .body
            .contains("<span id=\"probability\">18.2 %</span>")
    );
    assert!(result.body.contains("data-decision=\"accept\""));
}
