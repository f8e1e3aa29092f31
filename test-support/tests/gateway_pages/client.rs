//! The client page: score, decision, gauge, factors and reason codes.

use super::*;

#[tokio::test]
async fn client_page_shows_score_decision_gauge_and_margin() {
    let d = Dashboard::start().await;
    let s = sign_in(&d.app).await;
    let page = send(&d.app, get("/clients/100002", &s.cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let p = known_probability();
    assert!(
        page.body
            .contains(&format!("<span id=\"probability\">{}</span>", pct(p))),
        "{}",
        page.body
    );
    // Below the normal threshold (the model's default strategy): granted.
    assert!(page.body.contains("data-decision=\"accept\""));
    assert!(page.body.contains("<strong>50.0 %</strong>"));
    let margin = format!("<strong id=\"margin\">{:.1}</strong>", (0.5 - p) * 100.0);
    assert!(page.body.contains(&margin), "{margin}");
    assert_eq!(
        page.count("<line class=\"threshold"),
        3,
        "three thresholds on the gauge"
    );
    assert!(
        page.body
            .contains("role=\"img\" aria-labelledby=\"gauge-t gauge-d\"")
    );
    d.stop().await;
}

#[tokio::test]
async fn strategy_switch_changes_decision_and_threshold() {
    let d = Dashboard::start().await;
    let s = sign_in(&d.app).await;
    let p = known_probability();
    let prudent = send(&d.app, get("/clients/100002?strategy=prudent", &s.cookie)).await;
    assert!(prudent.body.contains("data-decision=\"refuse\""));
    assert!(
        prudent
            .body
            .contains("Threshold (Prudent): <strong>30.0 %</strong>")
    );
    let margin = format!("<strong id=\"margin\">{:.1}</strong>", (p - 0.3) * 100.0);
    assert!(prudent.body.contains(&margin), "{margin}");
    assert!(prudent.body.contains("<option value=\"prudent\" selected>"));
    let aggressive = send(
        &d.app,
        get("/clients/100002?strategy=aggressive", &s.cookie),
    )
    .await;
    assert!(aggressive.body.contains("data-decision=\"accept\""));
    assert!(aggressive.body.contains("<strong>70.0 %</strong>"));
    assert!(aggressive.body.contains("threshold active"));
    d.stop().await;
}

#[tokio::test]
async fn every_strategy_decides_by_the_probability_for_every_client() {
    let d = Dashboard::start().await;
    let s = sign_in(&d.app).await;
    for id in (dashboard::FIRST_CLIENT..).step_by(37).take(8) {
        let expected = probability_of(&dashboard::row_of(id));
        for (strategy, threshold) in [("prudent", 0.3), ("normal", 0.5), ("aggressive", 0.7)] {
            let uri = format!("/clients/{id}?strategy={strategy}&n=3");
            let page = send(&d.app, get(&uri, &s.cookie)).await;
            assert_eq!(page.status, StatusCode::OK, "{uri}: {}", page.body);
            let p = shown_probability(&page.body);
            assert!(
                (p - expected).abs() < 0.0005 + 1e-9,
                "{uri}: {p} {expected}"
            );
            let decision = if expected < threshold {
                "accept"
            } else {
                "refuse"
            };
            assert!(
                page.body.contains(&format!("data-decision=\"{decision}\"")),
                "{uri}: p={expected}"
            );
            assert_eq!(page.count("class=\"bar "), 3, "{uri}");
        }
    }
    d.stop().await;
}

#[tokio::test]
async fn n_factors_draws_n_bars() {
    let d = Dashboard::start().await;
    let s = sign_in(&d.app).await;
    for n in [1, 3, 12] {
        let page = send(&d.app, get(&format!("/clients/100002?n={n}"), &s.cookie)).await;
        assert_eq!(page.count("class=\"bar "), n, "n={n}");
    }
    // The model has 12 features: 20 asked, 12 drawn.
    let page = send(&d.app, get("/clients/100002?n=20", &s.cookie)).await;
    assert_eq!(page.count("class=\"bar "), 12);
    // The largest factors: external score 2 (0.3, one spread below the
    // centre) and youth raise the risk (red); external score 3 (0.6, above
    // the centre) lowers it (green).
    let page = send(&d.app, get("/clients/100002?n=3", &s.cookie)).await;
    assert_eq!(page.count("class=\"bar up\""), 2);
    assert_eq!(page.count("class=\"bar down\""), 1);
    assert!(
        page.body
            .contains("External credit score 2 = 0.3 on a 0 to 1 scale")
    );
    assert!(page.body.contains("Age = 32.9 years"));
    assert!(
        page.body
            .contains("External credit score 3 = 0.6 on a 0 to 1 scale")
    );
    d.stop().await;
}

#[tokio::test]
async fn actionable_toggle_hides_fixed_factors() {
    let d = Dashboard::start().await;
    let s = sign_in(&d.app).await;
    let all = send(&d.app, get("/clients/100002?n=5", &s.cookie)).await;
    assert!(all.body.contains("External credit score 2 ="));
    let actionable = send(&d.app, get("/clients/100002?n=5&actionable=1", &s.cookie)).await;
    assert_eq!(actionable.count("class=\"bar "), 5);
    for hidden in ["External credit score", "Age =", "Gender"] {
        assert!(!bars_of(&actionable.body).contains(hidden), "{hidden}");
    }
    assert!(bars_of(&actionable.body).contains("Credit amount = 400,000"));
    assert!(
        actionable.body.contains(
            "id=\"actionable\" name=\"actionable\" type=\"checkbox\" value=\"1\" checked"
        )
    );
    d.stop().await;
}

#[tokio::test]
async fn reason_codes_are_in_plain_words() {
    let d = Dashboard::start().await;
    let s = sign_in(&d.app).await;
    let page = send(&d.app, get("/clients/100002", &s.cookie)).await;
    // The reason catalogue's words, the value in the applicant's terms.
    assert!(
        page.body.contains(
            "<li>Low external credit score (external credit score 2: 0.3 on a 0 to 1 scale).</li>"
        ),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<li>Short employment history (time in current employment: 3 years).</li>"),
        "{}",
        page.body
    );
    // Scorecard points beside the probability, with the scale explained.
    let points = format!(
        "<strong>{:.0}</strong>",
        scoring_core::points::PointsScale::default().points(known_probability())
    );
    assert!(page.body.contains(&points), "{points}");
    assert!(page.body.contains(
        "600 points at odds of 50 to 1 of repaying; every 20 points more double the odds"
    ));
    let french = send(&d.app, get("/clients/100002?lang=fr", &s.cookie)).await;
    assert!(french.body.contains("<li>Score de crédit externe faible (score de crédit externe 2\u{a0}: 0,3 sur une échelle de 0 à 1).</li>"), "{}", french.body);
    d.stop().await;
}
