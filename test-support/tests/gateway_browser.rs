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
//! Without Chromium (`/usr/bin/chromium`, or `$CHROME`) the test is skipped
//! with a message, except under `CI=true`, where it fails saying so
//! (deploy/prerequisites.sh installs it).
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

use std::{path::PathBuf, time::Duration};

use headless_chrome::{
    Browser, LaunchOptions, Tab, protocol::cdp::Page::CaptureScreenshotFormatOption,
};
use scoring_core::features::{BureauCredit, LoanApplication, OnlineEngine, Record, Value};
use test_support::dashboard::{self, KNOWN_CLIENT, LIVE};
use test_support::gateway::{Dashboard, PASSWORD, USER};
use test_support::prerequisite;

fn screenshot(tab: &Tab, name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gateway-browser");
    std::fs::create_dir_all(&dir).unwrap();
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    println!("screenshot: {}", path.display());
    path
}

fn text(tab: &Tab, selector: &str) -> String {
    tab.wait_for_element(selector)
        .unwrap()
        .get_inner_text()
        .unwrap()
}

fn set_field(tab: &Tab, selector: &str, value: &str) {
    // Selects and retypes the field as a person would: the end of the
    // field, backspaces, then the new value.
    let element = tab.wait_for_element(selector).unwrap();
    element.click().unwrap();
    tab.press_key("End").unwrap();
    for _ in 0..24 {
        tab.press_key("Backspace").unwrap();
    }
    tab.type_str(value).unwrap();
}

/// Clicks `selector` and waits (at most 30 s) for the page whose URL
/// contains `until`: `wait_until_navigated` can return before a form
/// submission has started navigating.
fn click_to(tab: &Tab, selector: &str, until: &str) {
    tab.wait_for_element(selector).unwrap().click().unwrap();
    for _ in 0..300 {
        if tab.get_url().contains(until) {
            tab.wait_until_navigated().unwrap();
            tab.wait_for_element("main").unwrap();
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "clicking {selector} did not lead to {until}: at {}",
        tab.get_url()
    );
}

fn open(tab: &Tab, url: &str) {
    tab.navigate_to(url)
        .unwrap()
        .wait_until_navigated()
        .unwrap();
}

/// Serves `app` on a free loopback port from `runtime`; its base URL.
fn serve(runtime: &tokio::runtime::Runtime, app: axum::Router) -> String {
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    runtime.spawn(async move { axum::serve(listener, app).await });
    base
}

fn launch(chromium: PathBuf) -> Browser {
    Browser::new(
        LaunchOptions::default_builder()
            .path(Some(chromium))
            .sandbox(false)
            .window_size(Some((1280, 1800)))
            .idle_browser_timeout(Duration::from_secs(120))
            .build()
            .unwrap(),
    )
    .unwrap()
}

/// Opens `path`, is sent to the sign-in form, signs in and comes back.
fn sign_in_at(tab: &Tab, base: &str, path: &str) {
    open(tab, &format!("{base}{path}"));
    assert!(
        tab.get_url().contains("/signin?next="),
        "unauthenticated: sent to sign in"
    );
    tab.wait_for_element("#username").unwrap().click().unwrap();
    tab.type_str(USER).unwrap();
    tab.wait_for_element("#password").unwrap().click().unwrap();
    tab.type_str(PASSWORD).unwrap();
    screenshot(tab, "1-signin");
    click_to(tab, "#signin-submit", path);
}

/// A probability as the pages write it.
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

/// JavaScript that adds to `problems` every chart label lying outside its
/// chart.
const CHART_LABELS_INSIDE: &str = r#"for (const svg of document.querySelectorAll('svg.chart')) {
        const frame = svg.getBoundingClientRect();
        for (const t of svg.querySelectorAll('text')) {
          const b = t.getBoundingClientRect();
          if (b.left < frame.left - 0.5 || b.right > frame.right + 0.5 || b.top < frame.top - 0.5)
            problems.push(`clipped in #${svg.id}: ${t.textContent}`);
        }
      }"#;

/// Runs a script that returns its problems joined; what it returned.
fn evaluate_problems(tab: &Tab, script: &str) -> String {
    let answer = tab.evaluate(script, false).unwrap();
    answer
        .value
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "the check did not run".to_owned())
}

fn pct(row: &[f64]) -> String {
    let p = dashboard::model(LIVE).predict_probability(row).unwrap();
    format!("{:.1} %", p * 100.0)
}

#[test]
fn officer_signs_in_and_explores_a_client() {
    let Some(chromium) = prerequisite::chromium() else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dashboard = runtime.block_on(Dashboard::start());
    let base = serve(&runtime, dashboard.app.clone());
    let browser = launch(chromium);
    let tab = browser.new_tab().unwrap();
    let known = dashboard::row_of(KNOWN_CLIENT);

    sign_in_at(&tab, &base, "/clients/100002");
    assert_eq!(text(&tab, "#probability"), pct(&known));
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
    screenshot(&tab, "5-compare");

    open(&tab, &format!("{base}/model"));
    assert_eq!(text(&tab, "#model-version"), LIVE);
    assert!(
        text(&tab, "#model-card").contains("<script>"),
        "the card's raw HTML shows as text"
    );
    screenshot(&tab, "6-model");
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
    let Some(chromium) = prerequisite::chromium() else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (dashboard, fixture) = runtime.block_on(Dashboard::start_with_applications(20));
    let base = serve(&runtime, dashboard.app.clone());
    let browser = launch(chromium);
    let tab = browser.new_tab().unwrap();

    sign_in_at(&tab, &base, "/applicants/new");
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
    let Some(chromium) = prerequisite::chromium() else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dashboard = runtime.block_on(Dashboard::start_monitored());
    let base = serve(&runtime, dashboard.app.clone());
    let browser = launch(chromium);
    let tab = browser.new_tab().unwrap();

    sign_in_at(&tab, &base, "/monitoring");
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
    screenshot(&tab, "monitoring-en");

    click_to(&tab, "#lang-switch", "lang=fr");
    assert!(text(&tab, "h1").starts_with("Surveillance du modèle"));
    assert!(text(&tab, "#score").contains("Agir"));
    assert!(text(&tab, "#lights").contains("PSI supérieur à 0,25"));
    assert_eq!(evaluate_problems(&tab, &charts), "");
    screenshot(&tab, "monitoring-fr");
    runtime.block_on(dashboard.stop());
}
