//! The model page, languages and accessibility.

use super::*;

#[tokio::test]
async fn model_page_shows_version_metrics_curves_importance_card_and_versions() {
    let d = Dashboard::start().await;
    let app = d.app.clone();
    let s = sign_in(&app).await;
    let page = send(&app, get("/model", &s.cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("<span id=\"model-version\">v2</span> (production)")
    );
    // The manifest's measures, the report's figures: the fixture's own,
    // against the outcomes it drew.
    let auc = |version: &str| format!("{:.3}", dashboard::measures(version)["roc_auc"]);
    let report = dashboard::report(LIVE);
    assert!(
        page.body
            .contains(&format!("<td>ROC AUC</td><td>{}</td>", auc(LIVE)))
    );
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
    let bins = &report.calibration.bins;
    assert_eq!(
        between(&page.body, "id=\"calibration\"", "</svg>")
            .matches("class=\"bin\"")
            .count(),
        bins.len()
    );
    let row = format!(
        "<tr><td>{:.1} %</td><td>{:.1} %</td><td>{}</td></tr>",
        bins[2].mean_predicted * 100.0,
        bins[2].observed_default_rate * 100.0,
        bins[2].count
    );
    assert!(
        between(&page.body, "<table id=\"calibration-bins\">", "</table>").contains(&row),
        "{row}: {}",
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
    let candidate = format!(
        "<tr><td>lightgbm without PAYMENT_RATE</td><td>no</td><td>roc_auc {}</td></tr>",
        auc("v1")
    );
    assert!(page.body.contains(&candidate), "{candidate}");
    // The backtest published beside the live version: every strategy with
    // its intervals, the realized AUC and calibration.
    let backtest = dashboard::backtest(LIVE);
    let section = between(
        &page.body,
        "<section aria-labelledby=\"backtest-h\"",
        "</section>",
    );
    assert!(
        section.contains("Backtest: how its decisions turned out"),
        "{section}"
    );
    let realized = &backtest.roc_auc;
    assert!(section.contains(&format!(
        "<span id=\"backtest-auc\">{:.4} [{:.4}, {:.4}]</span>",
        realized.estimate, realized.low, realized.high
    )));
    let strategies = between(section, "<table id=\"backtest-strategies\">", "</table>");
    assert_eq!(strategies.matches("<tr><td>").count(), 3);
    let normal = &backtest.strategies[1];
    let rate = normal.default_rate_among_accepted.unwrap();
    let row = format!(
        "<tr><td>Normal</td><td>{:.1} %</td><td>150</td><td>{:.1} % [{:.1}, {:.1}]</td><td>{:.1} % [{:.1}, {:.1}]</td><td>-0.0123 [-0.0201, -0.0042]</td></tr>",
        normal.threshold * 100.0,
        normal.acceptance_rate.estimate * 100.0,
        normal.acceptance_rate.low * 100.0,
        normal.acceptance_rate.high * 100.0,
        rate.estimate * 100.0,
        rate.low * 100.0,
        rate.high * 100.0,
    );
    assert!(strategies.contains(&row), "{row}\n{strategies}");
    assert!(
        strategies.contains("none accepted"),
        "the prudent strategy accepted none"
    );
    assert_eq!(
        between(section, "<table id=\"backtest-calibration\">", "</table>")
            .matches("<tr><td>")
            .count(),
        backtest.calibration.len()
    );
    let fr = send(&app, get("/model?lang=fr", &s.cookie)).await;
    assert!(
        fr.body
            .contains("Backtest : ce que ses décisions sont devenues")
    );
    assert!(fr.body.contains("aucun accepté"));
    let v1 = send(&app, get("/model?version=v1&lang=en", &s.cookie)).await;
    assert!(v1.body.contains("<span id=\"model-version\">v1</span>"));
    assert!(
        !v1.body.contains("backtest-h"),
        "no backtest was published for v1"
    );
    assert!(
        v1.body
            .contains(&format!("<td>ROC AUC</td><td>{}</td>", auc("v1")))
    );
    assert_ne!(auc("v1"), auc(LIVE));
    d.stop().await;
}

#[tokio::test]
async fn language_follows_accept_language_the_switch_and_the_cookie() {
    let d = Dashboard::start().await;
    let app = d.app.clone();
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
    d.stop().await;
}

#[tokio::test]
async fn every_chart_has_a_text_alternative_and_every_control_a_label() {
    let d = Dashboard::start().await;
    let app = d.app.clone();
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
    d.stop().await;
}
