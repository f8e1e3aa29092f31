//! What-if simulations.

use test_support::dashboard::index;

use super::*;

#[tokio::test]
async fn what_if_prefills_top_factors_and_rescores() {
    let d = Dashboard::start().await;
    let s = sign_in(&d.app).await;
    let form = send(&d.app, get("/clients/100002/whatif", &s.cookie)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("value=\"AMT_CREDIT\""), "{}", form.body);
    assert!(form.body.contains("value=\"400000\""));
    assert_eq!(
        form.count("<input id=\"feature_"),
        7,
        "5 top actionable factors and 2 empty rows"
    );
    assert!(!form.body.contains("value=\"EXT_SOURCE_2\""));
    let result = send(
        &d.app,
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
    // A smaller share of the credit paid each month (0.06 -> 0.02) and no
    // car age (12 years, above the centre) both lower the risk.
    let before = known_probability();
    let mut changed = dashboard::row_of(KNOWN_CLIENT);
    changed[index("PAYMENT_RATE")] = 0.02;
    changed[index("OWN_CAR_AGE")] = f64::NAN;
    let after = probability_of(&changed);
    assert!(after < before - 0.05, "{before} -> {after}");
    assert!(
        result.body.contains(&format!("Before: {}", pct(before))),
        "{}",
        result.body
    );
    assert!(
        result
            .body
            .contains(&format!("<span id=\"probability\">{}</span>", pct(after)))
    );
    assert!(result.body.contains("name=\"value_0\" value=\"0.02\""));
    assert_eq!(
        result.count("<line class=\"threshold"),
        3,
        "the three thresholds"
    );
    d.stop().await;
}
