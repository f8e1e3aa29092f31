//! The client page: score, decision, gauge, factors and reason codes.

use super::*;

#[tokio::test]
async fn client_page_shows_score_decision_gauge_and_margin() {
    let app = app();
    let s = sign_in(&app).await;
    let page = send(&app, get("/clients/100002", &s.cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<span id=\"probability\">48.1 %</span>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("data-decision=\"accept\""));
    assert!(page.body.contains("<strong>50.0 %</strong>"));
    assert!(page.body.contains("<strong id=\"margin\">1.9</strong>"));
    assert_eq!(
        page.count("<line class=\"threshold"),
        3,
        "three thresholds on the gauge"
    );
    assert!(
        page.body
            .contains("role=\"img\" aria-labelledby=\"gauge-t gauge-d\"")
    );
}

#[tokio::test]
async fn strategy_switch_changes_decision_and_threshold() {
    let app = app();
    let s = sign_in(&app).await;
    let prudent = send(&app, get("/clients/100002?strategy=prudent", &s.cookie)).await;
    assert!(prudent.body.contains("data-decision=\"refuse\""));
    assert!(
        prudent
            .body
            .contains("Threshold (Prudent): <strong>30.0 %</strong>")
    );
    assert!(prudent.body.contains("<strong id=\"margin\">18.1</strong>"));
    assert!(prudent.body.contains("<option value=\"prudent\" selected>"));
    let aggressive = send(&app, get("/clients/100002?strategy=aggressive", &s.cookie)).await;
    assert!(aggressive.body.contains("data-decision=\"accept\""));
    assert!(aggressive.body.contains("<strong>70.0 %</strong>"));
    assert!(aggressive.body.contains("threshold active"));
}

#[tokio::test]
async fn n_factors_draws_n_bars() {
    let app = app();
    let s = sign_in(&app).await;
    for n in [1, 3, 12] {
        let page = send(&app, get(&format!("/clients/100002?n={n}"), &s.cookie)).await;
        assert_eq!(page.count("class=\"bar "), n, "n={n}");
    }
    // The fake model has 12 features: 20 asked, 12 drawn.
    let page = send(&app, get("/clients/100002?n=20", &s.cookie)).await;
    assert_eq!(page.count("class=\"bar "), 12);
    // The largest factor (external score 2 = 0.3) raises the risk: red.
    let page = send(&app, get("/clients/100002?n=3", &s.cookie)).await;
    assert_eq!(page.count("class=\"bar up\""), 2);
    assert_eq!(page.count("class=\"bar down\""), 1);
    assert!(
        page.body
            .contains("Normalised score from external source 2 = 0.3")
    );
}

#[tokio::test]
async fn actionable_toggle_hides_fixed_factors() {
    let app = app();
    let s = sign_in(&app).await;
    let all = send(&app, get("/clients/100002?n=5", &s.cookie)).await;
    assert!(all.body.contains("external source 2 ="));
    let actionable = send(&app, get("/clients/100002?n=5&actionable=1", &s.cookie)).await;
    assert_eq!(actionable.count("class=\"bar "), 5);
    for hidden in ["external source", "Age in days", "is a man"] {
        assert!(!bars_of(&actionable.body).contains(hidden), "{hidden}");
    }
    assert!(bars_of(&actionable.body).contains("Credit amount of the loan = 400,000"));
    assert!(
        actionable.body.contains(
            "id=\"actionable\" name=\"actionable\" type=\"checkbox\" value=\"1\" checked"
        )
    );
}

#[tokio::test]
async fn reason_codes_are_in_plain_words() {
    let app = app();
    let s = sign_in(&app).await;
    let page = send(&app, get("/clients/100002", &s.cookie)).await;
    assert!(page.body.contains("<li>Normalised score from external source 2 (Value 0.3) raises the risk of default.</li>"), "{}", page.body);
}
