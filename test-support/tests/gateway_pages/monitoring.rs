//! The monitoring page: drift and the challenger over the real service, in
//! English and French, and before any applicant was scored.

use scoring_core::Strategy;
use test_support::monitoring::{self, SHIFTED};
use test_support::published::THRESHOLDS;

use super::*;

/// The rows of the drifted-features table, with their light.
fn drifted_rows(body: &str) -> Vec<(String, String)> {
    between(body, "<table id=\"drifted-table\">", "</table>")
        .split("<tr>")
        .skip(2)
        .map(|row| {
            let feature = between(row, "(", ")</a>").to_owned();
            let light = between(row, "<span class=\"light ", "\"").to_owned();
            (feature, light)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_the_shifted_features_and_score_to_act_on_and_the_challengers_agreement() {
    let d = Dashboard::start_monitored().await;
    let app = d.app.clone();
    let s = sign_in(&app).await;
    let page = send(&app, get("/monitoring", &s.cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert!(
        body.contains("<a href=\"/monitoring\">Monitoring</a>"),
        "in the menu"
    );
    assert!(body.contains("<span id=\"model-version\">v1</span>"));
    // All 2,000 but for an applicant that arrived while its sub-window's
    // slot was being cleared (skipped and counted apart by the tracker).
    let counted: u64 = between(body, "<td id=\"window-applicants\">", "</td>")
        .replace(',', "")
        .parse()
        .expect("a count");
    assert!((1_990..=2_000).contains(&counted), "{counted}");
    // The lights explained, then used: the score and the two shifted
    // features to act on, the three others stable.
    for rule in ["PSI below 0.1", "PSI from 0.1 to 0.25", "PSI above 0.25"] {
        assert!(
            between(body, "id=\"lights\"", "</section>").contains(rule),
            "{rule}"
        );
    }
    let score = between(body, "<section aria-labelledby=\"score-h\"", "</details>");
    assert!(
        score.contains("<span class=\"light light-act\">Act</span>"),
        "{score}"
    );
    let rows = drifted_rows(body);
    assert_eq!(rows.len(), 5, "the five most drifted: {rows:?}");
    let mut top: Vec<&str> = rows[..2].iter().map(|(f, _)| f.as_str()).collect();
    top.sort();
    assert_eq!(top, SHIFTED);
    let lights: Vec<&str> = rows.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(
        lights,
        [
            "light-act",
            "light-act",
            "light-stable",
            "light-stable",
            "light-stable"
        ]
    );
    // One live-vs-reference chart each: ten deciles and the missing bin.
    let income = between(body, "data-feature=\"AMT_INCOME_TOTAL\"", "</svg>");
    assert_eq!(income.matches("class=\"ref\"").count(), 11);
    assert_eq!(income.matches("class=\"live\"").count(), 11);
    assert_eq!(
        body.matches("<svg class=\"chart\"").count(),
        6,
        "the score and five features"
    );
    // The challenger refuses everyone: it agrees on the live refusals.
    let challenger = between(body, "id=\"challenger\"", "</section>");
    assert!(challenger.contains("<td id=\"challenger-version\">v2</td>"));
    assert!(challenger.contains("<td id=\"challenger-compared\">2,000</td>"));
    let rows: Vec<[f64; 6]> = monitoring::population(31, MONITORED_APPLICANTS)
        .into_iter()
        .map(monitoring::shifted)
        .collect();
    let model = monitoring::model();
    let refused = rows
        .iter()
        .filter(|row| {
            let p = model.predict_probability(&row[..]).unwrap();
            THRESHOLDS.outcome(Strategy::Normal, p) == scoring_core::Outcome::Refuse
        })
        .count();
    let expected = format!(
        "<tr><td>Normal</td><td>{:.1} %</td><td>{} / 2,000</td></tr>",
        refused as f64 / MONITORED_APPLICANTS as f64 * 100.0,
        refused
    );
    assert!(challenger.contains(&expected), "{expected} in {challenger}");
    assert!(
        body.contains("<p id=\"no-backtest\">"),
        "no backtest of v1 was published"
    );
    assert!(!body.contains("<script"), "no JavaScript");

    let fr = send(&app, get("/monitoring?lang=fr", &s.cookie)).await;
    assert_eq!(fr.status, StatusCode::OK, "{}", fr.body);
    assert!(fr.body.contains("<html lang=\"fr\">"));
    assert!(fr.body.contains("Surveillance du modèle"));
    assert!(fr.body.contains("PSI supérieur à 0,25"));
    assert!(
        fr.body
            .contains("<span class=\"light light-act\">Agir</span>")
    );
    let counted_fr = between(&fr.body, "<td id=\"window-applicants\">", "</td>");
    assert_eq!(counted_fr.replace('\u{202f}', ""), counted.to_string());
    assert!(fr.body.contains("Accord des décisions par stratégie"));
    d.stop().await;
}

#[tokio::test]
async fn before_any_applicant_the_lights_say_so_and_without_a_challenger_the_page_says_so() {
    let d = Dashboard::start().await;
    let app = d.app.clone();
    let s = sign_in(&app).await;
    let page = send(&app, get("/monitoring", &s.cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<td id=\"window-applicants\">0</td>"));
    assert!(
        page.body
            .contains("<span class=\"light light-none\">No data yet</span>")
    );
    assert!(page.body.contains("id=\"no-challenger\""));
    // The live version's published backtest, summed up with a link to it.
    let backtest = dashboard::backtest(dashboard::LIVE);
    let last = between(&page.body, "id=\"last-backtest\"", "</section>");
    let realized = &backtest.roc_auc;
    assert!(
        last.contains(&format!(
            "<span id=\"last-backtest-auc\">{:.4} [{:.4}, {:.4}]</span>",
            realized.estimate, realized.low, realized.high
        )),
        "{last}"
    );
    let strategies = between(last, "<table id=\"last-backtest-strategies\">", "</table>");
    assert_eq!(strategies.matches("<tr><td>").count(), 3, "{strategies}");
    assert!(last.contains(&format!(
        "<a href=\"/model?version={}#backtest\">",
        dashboard::LIVE
    )));
    d.stop().await;
    let down = send(&app, get("/monitoring", &s.cookie)).await;
    assert_eq!(
        down.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        down.body
    );
}
