//! Every page through the router with the fake service (its client 100002
//! has a probability of default of 48.1 %: refused under PRUDENT at 30 %,
//! accepted under NORMAL at 50 %).
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod common;

use axum::http::StatusCode;
use common::*;

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
    assert!(bars_of(&actionable.body).contains("Credit amount of the loan = 400000"));
    assert!(
        actionable.body.contains(
            "id=\"actionable\" name=\"actionable\" type=\"checkbox\" value=\"1\" checked"
        )
    );
}

/// The factors chart and its table only (reasons may still name a fixed factor).
fn bars_of(body: &str) -> String {
    let start = body.find("id=\"why-h\"").unwrap();
    let end = body.find("id=\"reasons\"").unwrap_or(body.len());
    body[start..end].to_owned()
}

#[tokio::test]
async fn reason_codes_are_in_plain_words() {
    let app = app();
    let s = sign_in(&app).await;
    let page = send(&app, get("/clients/100002", &s.cookie)).await;
    assert!(page.body.contains("<li>Normalised score from external source 2 (Value 0.3) raises the risk of default.</li>"), "{}", page.body);
}

#[tokio::test]
async fn clients_list_pages_and_find_redirects() {
    let app = app();
    let s = sign_in(&app).await;
    let first = send(&app, get("/clients", &s.cookie)).await;
    assert_eq!(first.count("<tr><td><a href=\"/clients/"), 25);
    assert!(
        first
            .body
            .contains("<span id=\"total\">300</span> clients in total")
    );
    assert!(first.body.contains("href=\"&#x2f;clients?page=25\""));
    let second = send(&app, get("/clients?page=25", &s.cookie)).await;
    assert!(second.body.contains("href=\"/clients/100026\""));
    assert!(!second.body.contains("href=\"/clients/100001\""));
    let women = send(
        &app,
        get(
            "/clients?filter_feature=CODE_GENDER&filter_op=eq&filter_value=0",
            &s.cookie,
        ),
    )
    .await;
    let total: usize = between(&women.body, "<span id=\"total\">", "</span>")
        .parse()
        .unwrap();
    assert!(total > 100 && total < 300, "{total}");
    assert!(
        women.body.contains("filter_value=0&amp;page=25"),
        "paging keeps the filter"
    );
    let bad = send(
        &app,
        get(
            "/clients?filter_feature=CODE_GENDER&filter_op=eq&filter_value=x",
            &s.cookie,
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let found = send(&app, get("/find?client_id=100002", &s.cookie)).await;
    assert_eq!(found.status, StatusCode::SEE_OTHER);
    assert_eq!(found.location(), "/clients/100002");
}

#[tokio::test]
async fn compare_shows_histogram_with_filter_similar_and_scatter() {
    let app = app();
    let s = sign_in(&app).await;
    let all = send(
        &app,
        get("/clients/100002/compare?feature=AMT_CREDIT", &s.cookie),
    )
    .await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert!(all.body.contains("<span id=\"population\">300</span>"));
    assert!(all.body.contains("Credit amount of the loan"));
    assert!(
        all.body
            .contains("<strong id=\"client-value\">400,000</strong>")
    );
    assert_eq!(all.count("class=\"client-marker\""), 1);
    assert_eq!(all.count("class=\"hbin\""), 20);
    let filtered = send(
        &app,
        get("/clients/100002/compare?feature=AMT_CREDIT&filter_feature=CODE_GENDER&filter_op=eq&filter_value=1", &s.cookie),
    )
    .await;
    let population: usize = between(&filtered.body, "<span id=\"population\">", "</span>")
        .parse()
        .unwrap();
    assert!(population > 50 && population < 300, "{population}");
    assert_eq!(filtered.count("<tr class=\"neighbour\">"), 10);
    assert!(
        filtered
            .body
            .contains("<span id=\"filter-shown\">CODE_GENDER = 1</span>")
    );
    let points: usize = between(&filtered.body, "<span id=\"scatter-count\">", "</span>")
        .parse()
        .unwrap();
    assert_eq!(filtered.count("class=\"pt\""), points);
    assert!(points <= population);
}

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let at = body.find(start).unwrap() + start.len();
    &body[at..at + body[at..].find(end).unwrap()]
}

#[tokio::test]
async fn scatter_axes_follow_the_choice() {
    let app = app();
    let s = sign_in(&app).await;
    let page = send(
        &app,
        get(
            "/clients/100002/compare?x=AMT_ANNUITY&y=DAYS_EMPLOYED",
            &s.cookie,
        ),
    )
    .await;
    assert!(page.body.contains("(AMT_ANNUITY × DAYS_EMPLOYED)"));
    assert_eq!(page.count("class=\"client-point\""), 1);
}

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

#[tokio::test]
async fn model_page_shows_version_metrics_curves_importance_card_and_versions() {
    let app = app();
    let s = sign_in(&app).await;
    let page = send(&app, get("/model", &s.cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<span id=\"model-version\">v2</span>"));
    assert!(page.body.contains("<td>ROC AUC</td><td>0.780</td>"));
    assert!(page.body.contains("<polyline class=\"cost\""));
    assert_eq!(
        between(&page.body, "id=\"cost\"", "</svg>")
            .matches("class=\"threshold\"")
            .count(),
        3
    );
    assert_eq!(
        between(&page.body, "id=\"importance\"", "</svg>")
            .matches("class=\"bar\"")
            .count(),
        12
    );
    // The reliability diagram: one dot per calibration bin, and its data.
    assert_eq!(
        between(&page.body, "id=\"calibration\"", "</svg>")
            .matches("class=\"bin\"")
            .count(),
        4
    );
    assert!(
        between(&page.body, "<table id=\"calibration-bins\">", "</table>")
            .contains("<tr><td>15.0 %</td><td>13.0 %</td><td>120</td></tr>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<h1>Model card</h1>"));
    assert!(
        !page.body.contains("<script>"),
        "raw HTML in the card is escaped"
    );
    assert!(page.body.contains("&lt;script&gt;"));
    assert!(page.body.contains("href=\"/model?version=v1\""));
    assert_eq!(
        between(&page.body, "<table id=\"confusion\">", "</table>")
            .matches("<tr><td>")
            .count(),
        3
    );
    assert!(
        page.body
            .contains("<tr><td>logistic</td><td>no</td><td>roc_auc 0.740</td></tr>")
    );
    let v1 = send(&app, get("/model?version=v1", &s.cookie)).await;
    assert!(v1.body.contains("<span id=\"model-version\">v1</span>"));
}

#[tokio::test]
async fn language_follows_accept_language_the_switch_and_the_cookie() {
    let app = app();
    let s = sign_in(&app).await;
    let req = axum::http::Request::get("/clients/100002?strategy=prudent")
        .header("cookie", &s.cookie)
        .header("accept-language", "fr-FR,fr;q=0.9,en;q=0.5")
        .body(axum::body::Body::empty())
        .unwrap();
    let fr = send(&app, req).await;
    assert!(fr.body.contains("<html lang=\"fr\">"));
    assert!(fr.body.contains("Probabilité de défaut"));
    assert!(fr.body.contains("Refuser le prêt"));
    assert!(
        fr.body
            .contains("href=\"&#x2f;clients&#x2f;100002?strategy=prudent&amp;lang=en\""),
        "switch keeps the state"
    );
    let en = send(&app, get("/clients/100002?lang=en", &s.cookie)).await;
    assert!(en.body.contains("Probability of default"));
    let switched = send(&app, get("/clients/100002?lang=fr", &s.cookie)).await;
    assert!(switched.body.contains("Accorder le prêt"));
    let remembered = switched.cookie("gw_lang").unwrap();
    assert_eq!(remembered, "gw_lang=fr");
    let next = send(&app, get("/model", &format!("{}; {remembered}", s.cookie))).await;
    assert!(next.body.contains("Fiche du modèle"));
    let signin = send(&app, get("/signin?lang=fr", "")).await;
    assert!(signin.body.contains("Mot de passe"));
}

#[tokio::test]
async fn every_chart_has_a_text_alternative_and_every_control_a_label() {
    let app = app();
    let s = sign_in(&app).await;
    for uri in [
        "/clients/100002",
        "/clients/100002/compare",
        "/model",
        "/clients/100002/whatif",
        "/clients",
        "/applicants/new",
    ] {
        let page = send(&app, get(uri, &s.cookie)).await;
        assert_eq!(
            page.count("<svg"),
            page.count("role=\"img\" aria-labelledby="),
            "{uri}"
        );
        for control in page
            .body
            .split("<select id=\"")
            .skip(1)
            .chain(page.body.split("<input id=\"").skip(1))
        {
            let id = control.split('"').next().unwrap();
            assert!(
                page.body.contains(&format!("<label for=\"{id}\""))
                    || page.body.contains(&format!("for=\"{id}\"")),
                "{uri}: {id} has no label"
            );
        }
    }
}
