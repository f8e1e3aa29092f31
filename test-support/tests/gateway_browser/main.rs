//! A real browser against the real gateway over the real scoring service:
//! Debian's headless Chromium, driven over the DevTools protocol
//! (`headless_chrome`), signs in, opens a client of the dashboard model
//! (`test_support::dashboard`), changes the strategy and the number of
//! factors with the page's own forms, compares and reads the model page,
//! and checks what each page shows; over a model of the kernel's features
//! (`test_support::application_model`), fills the new applicant's
//! application form by typing and choosing, reads the decision and its
//! factors, then changes a client's credit in "what if"; and reads the
//! monitoring page of a drifted model with a challenger in both languages. Screenshots go to
//! `$CARGO_TARGET_TMPDIR/gateway-browser/` (`target/tmp`).
//!
//! Every page visited (sign-in, clients, a client in English and French,
//! compare, model, the new applicant's form and decision, what if,
//! monitoring in English and French) passes axe-core's accessibility rules
//! with no serious or critical violation ([`axe`]).
//!
//! Without Chromium (`/usr/bin/chromium`, or `$CHROME`) or axe-core
//! (`$AXE_CORE_JS`, or where deploy/prerequisites.sh installs it) the test
//! is skipped with a message, except under `CI=true`, where it fails saying
//! so (deploy/prerequisites.sh installs both).
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod axe;
mod browser;

use std::time::Duration;

use headless_chrome::Tab;
use scoring_core::features::{BureauCredit, LoanApplication, OnlineEngine, Record, Value};
use test_support::dashboard::{self, KNOWN_CLIENT, LIVE};
use test_support::gateway::Dashboard;
use test_support::prerequisite;

use self::axe::Axe;
use self::browser::{
    CHART_LABELS_INSIDE, click_to, evaluate_problems, launch, open, screenshot, serve, set_field,
    sign_in_at, text,
};

/// Checks, on the element boxes the browser laid out, that no two gauge
/// labels overlap, that every chart label lies inside its chart, and that
/// the client summary is there; returns what was wrong, if anything.
fn layout_problems(tab: &Tab) -> String {
    let script = format!(
        r#"(() => {{
      const problems = [];
      const boxes = [...document.querySelectorAll('#gauge text.threshold-label')]
        .map(t => t.getBoundingClientRect());
      if (boxes.length === 0) problems.push('no gauge labels');
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {{
          const a = boxes[i], b = boxes[j];
          if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
            problems.push(`gauge labels ${{i}} and ${{j}} overlap`);
        }}
      {CHART_LABELS_INSIDE}
      if (document.querySelectorAll('#client-summary dd').length < 4) problems.push('no client summary');
      return problems.join('; ');
    }})()"#
    );
    evaluate_problems(tab, &script)
}

fn pct(row: &[f64]) -> String {
    let p = dashboard::model(LIVE).predict_probability(row).unwrap();
    format!("{:.1} %", p * 100.0)
}

#[test]
fn officer_signs_in_and_explores_a_client() {
    let (Some(chromium), Some(axe)) = (prerequisite::chromium(), Axe::load()) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dashboard = runtime.block_on(Dashboard::start());
    let base = serve(&runtime, dashboard.app.clone());
    let browser = launch(chromium);
    let tab = browser.new_tab().unwrap();
    let known = dashboard::row_of(KNOWN_CLIENT);

    sign_in_at(&tab, &base, "/clients/100002", Some(&axe));
    assert_eq!(text(&tab, "#probability"), pct(&known));
    axe.assert_accessible(&tab, "the client page");
    assert!(text(&tab, "[data-decision]").contains("Grant the loan"));
    assert_eq!(tab.find_elements("rect.bar").unwrap().len(), 10);
    assert_eq!(layout_problems(&tab), "");
    assert!(text(&tab, "#client-summary").contains("years"));
    screenshot(&tab, "2-client-default");

    // The page's own GET form: prudent strategy, 3 factors.
    tab.wait_for_element("#strategy").unwrap().click().unwrap();
    tab.evaluate(
        "document.getElementById('strategy').value = 'prudent'",
        false,
    )
    .unwrap();
    set_field(&tab, "#n", "3");
    click_to(&tab, "#apply", "n=3");
    let url = tab.get_url();
    assert!(
        url.contains("strategy=prudent") && url.contains("n=3"),
        "{url}"
    );
    assert!(text(&tab, "[data-decision]").contains("Refuse the loan"));
    assert!(text(&tab, "#threshold").contains("30.0 %"));
    assert_eq!(tab.find_elements("rect.bar").unwrap().len(), 3);
    screenshot(&tab, "3-client-prudent-3-factors");

    // Hide the factors the client cannot act on, then read it in French.
    tab.wait_for_element("#actionable")
        .unwrap()
        .click()
        .unwrap();
    click_to(&tab, "#apply", "actionable=1");
    assert_eq!(tab.find_elements("rect.bar").unwrap().len(), 3);
    let why = text(&tab, "#factors-table");
    assert!(!why.contains("EXT_SOURCE"), "{why}");
    click_to(&tab, "#lang-switch", "lang=fr");
    assert!(text(&tab, "[data-decision]").contains("Refuser le prêt"));
    assert!(tab.get_url().contains("actionable=1"));
    assert_eq!(layout_problems(&tab), "");
    assert!(text(&tab, "#client-summary").contains("ans"));
    axe.assert_accessible(&tab, "the client page in French");
    screenshot(&tab, "4-client-actionable-fr");

    // Compare, in English again, among women (CODE_GENDER = 0).
    open(
        &tab,
        &format!(
            "{base}/clients/100002/compare?lang=en&feature=AMT_CREDIT&filter_feature=CODE_GENDER&filter_op=eq&filter_value=0"
        ),
    );
    assert_eq!(text(&tab, "#client-value"), "400,000");
    assert_eq!(
        tab.find_elements("#similar tr.neighbour").unwrap().len(),
        10
    );
    // Counted in the page: resolving hundreds of elements one by one over
    // the DevTools protocol takes half a minute.
    let points = tab
        .evaluate("document.querySelectorAll('circle.pt').length", false)
        .unwrap();
    let points = points.value.and_then(|v| v.as_u64()).unwrap();
    assert_eq!(points.to_string(), text(&tab, "#scatter-count"));
    assert!(points > 50, "{points}");
    axe.assert_accessible(&tab, "the compare page");
    screenshot(&tab, "5-compare");

    open(&tab, &format!("{base}/model"));
    assert_eq!(text(&tab, "#model-version"), LIVE);
    assert!(
        text(&tab, "#model-card").contains("<script>"),
        "the card's raw HTML shows as text"
    );
    let fairness = text(&tab, "#fairness-gender");
    assert!(
        fairness.contains("below four fifths"),
        "the flagged ratio is said in words: {fairness}"
    );
    axe.assert_accessible(&tab, "the model page");
    screenshot(&tab, "6-model");

    open(&tab, &format!("{base}/clients"));
    axe.assert_accessible(&tab, "the clients list");
    runtime.block_on(dashboard.stop());
}

/// Chooses `option` in the `<select>` `selector` from the keyboard, as a
/// person tabbing through the form would (typing an option's first
/// letters selects it).
fn choose(tab: &Tab, selector: &str, option: &str) {
    tab.wait_for_element(selector).unwrap().focus().unwrap();
    tab.type_str(option).unwrap();
    let chosen = tab
        .evaluate(
            &format!("document.querySelector('{selector}').value"),
            false,
        )
        .unwrap();
    assert_eq!(
        chosen
            .value
            .and_then(|v| v.as_str().map(str::to_owned))
            .as_deref(),
        Some(option),
        "{selector}"
    );
}

#[test]
fn officer_fills_a_new_application_and_gets_a_decision_with_its_factors() {
    let (Some(chromium), Some(axe)) = (prerequisite::chromium(), Axe::load()) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (dashboard, fixture) = runtime.block_on(Dashboard::start_with_applications(20));
    let base = serve(&runtime, dashboard.app.clone());
    let browser = launch(chromium);
    let tab = browser.new_tab().unwrap();

    sign_in_at(&tab, &base, "/applicants/new", None);
    axe.assert_accessible(&tab, "the new applicant's form");
    choose(&tab, "#NAME_CONTRACT_TYPE", "c1");
    set_field(&tab, "#AMT_CREDIT", "450000");
    set_field(&tab, "#AMT_ANNUITY", "24700.5");
    choose(&tab, "#CODE_GENDER", "c0");
    set_field(&tab, "#DAYS_BIRTH", "41");
    set_field(&tab, "#AMT_INCOME_TOTAL", "202500");
    set_field(&tab, "#EXT_SOURCE_2", "0.26");
    // The history is folded away until asked for.
    tab.wait_for_element("#history summary")
        .unwrap()
        .click()
        .unwrap();
    choose(&tab, "#bureau_0_CREDIT_ACTIVE", "c2");
    set_field(&tab, "#bureau_0_AMT_CREDIT_SUM", "90000");
    screenshot(&tab, "8-new-applicant-form");
    tab.wait_for_element("#score").unwrap().click().unwrap();
    let shown = tab
        .wait_for_element_with_custom_timeout("#result #probability", Duration::from_secs(30))
        .unwrap()
        .get_inner_text()
        .unwrap();

    let application = LoanApplication {
        application: Record::new()
            .with("NAME_CONTRACT_TYPE", "c1")
            .with("AMT_CREDIT", 450_000.0)
            .with("AMT_ANNUITY", 24_700.5)
            .with("CODE_GENDER", "c0")
            .with("DAYS_BIRTH", -14_975.0)
            .with("AMT_INCOME_TOTAL", 202_500.0)
            .with("EXT_SOURCE_2", 0.26),
        bureau: vec![BureauCredit {
            credit: Record::new()
                .with("CREDIT_ACTIVE", "c2")
                .with("AMT_CREDIT_SUM", 90_000.0),
            balances: vec![],
        }],
        previous: vec![],
    };
    let row = OnlineEngine::kernel(&fixture.schema)
        .unwrap()
        .features(&application)
        .unwrap();
    let p = fixture.model.predict_probability(&row).unwrap();
    assert_eq!(shown, format!("{:.1} %", p * 100.0));
    let decision = text(&tab, "#result [data-decision]");
    let expected = if p >= fixture.thresholds.normal {
        "Refuse the loan"
    } else {
        "Grant the loan"
    };
    assert!(decision.contains(expected), "{decision}");
    assert_eq!(tab.find_elements("#result rect.bar").unwrap().len(), 10);
    assert_eq!(layout_problems_of_result(&tab), "");
    axe.assert_accessible(&tab, "the new applicant's decision");
    screenshot(&tab, "9-new-applicant-decision");

    // What if client 2 asked for twice the credit? The ratios built from
    // it move with it.
    open(&tab, &format!("{base}/clients/2/whatif?strategy=normal"));
    let mut twice = fixture.applications[1].clone();
    let Some(Value::Number(credit)) = twice.application.get("AMT_CREDIT").cloned() else {
        panic!("client 2 has a credit amount");
    };
    twice.application.set("AMT_CREDIT", credit * 2.0);
    set_field(&tab, "#AMT_CREDIT", &format!("{}", credit * 2.0));
    tab.wait_for_element("#rescore").unwrap().click().unwrap();
    let before = tab
        .wait_for_element_with_custom_timeout("#before", Duration::from_secs(30))
        .unwrap()
        .get_inner_text()
        .unwrap();
    let n = fixture.schema.features.len();
    let pct = |row: &[f64]| {
        format!(
            "{:.1} %",
            fixture.model.predict_probability(row).unwrap() * 100.0
        )
    };
    let engine = OnlineEngine::kernel(&fixture.schema).unwrap();
    assert!(before.contains(&pct(&fixture.rows[n..2 * n])), "{before}");
    assert!(
        before.contains(&pct(&engine.features(&twice).unwrap())),
        "{before}"
    );
    let moved = text(&tab, "#changed");
    assert!(
        moved.contains("PAYMENT_RATE") && moved.contains("INCOME_CREDIT_PERC"),
        "{moved}"
    );
    axe.assert_accessible(&tab, "the what-if page");
    screenshot(&tab, "10-whatif");
    runtime.block_on(dashboard.stop());
}

/// The chart checks of [`layout_problems`] for a page without a client
/// summary: no gauge labels overlapping, no chart label clipped.
fn layout_problems_of_result(tab: &Tab) -> String {
    layout_problems(tab)
        .replace("no client summary", "")
        .trim_end_matches("; ")
        .to_owned()
}

#[test]
fn officer_reads_the_monitoring_page_in_english_and_french() {
    let (Some(chromium), Some(axe)) = (prerequisite::chromium(), Axe::load()) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dashboard = runtime.block_on(Dashboard::start_monitored());
    let base = serve(&runtime, dashboard.app.clone());
    let browser = launch(chromium);
    let tab = browser.new_tab().unwrap();

    sign_in_at(&tab, &base, "/monitoring", None);
    assert_eq!(text(&tab, "#model-version"), "v1");
    let count = |selector: &str| {
        let script = format!("document.querySelectorAll('{selector}').length");
        tab.evaluate(&script, false)
            .unwrap()
            .value
            .and_then(|v| v.as_u64())
            .unwrap()
    };
    assert_eq!(
        count("svg.chart"),
        6,
        "the score and the five most drifted features"
    );
    assert_eq!(count("#drifted-table .light-act"), 2);
    assert_eq!(count("#score .light-act"), 1);
    assert_eq!(count("svg.chart rect.live"), count("svg.chart rect.ref"));
    let income = "[data-feature=AMT_INCOME_TOTAL] svg.chart rect.live";
    assert_eq!(count(income), 11, "ten deciles and the missing bin");
    let charts = format!(
        "(() => {{ const problems = []; {CHART_LABELS_INSIDE} return problems.join('; '); }})()"
    );
    assert_eq!(evaluate_problems(&tab, &charts), "");
    assert!(text(&tab, "#lights").contains("PSI above 0.25"));
    assert_eq!(text(&tab, "#challenger-version"), "v2");
    axe.assert_accessible(&tab, "the monitoring page");
    screenshot(&tab, "monitoring-en");

    click_to(&tab, "#lang-switch", "lang=fr");
    assert!(text(&tab, "h1").starts_with("Surveillance du modèle"));
    assert!(text(&tab, "#score").contains("Agir"));
    assert!(text(&tab, "#lights").contains("PSI supérieur à 0,25"));
    assert_eq!(evaluate_problems(&tab, &charts), "");
    axe.assert_accessible(&tab, "the monitoring page in French");
    screenshot(&tab, "monitoring-fr");
    runtime.block_on(dashboard.stop());
}
