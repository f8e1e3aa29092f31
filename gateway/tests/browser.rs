//! A real browser against the real gateway: Debian's headless Chromium,
//! driven over the DevTools protocol (`headless_chrome`), signs in, opens a
//! client, changes the strategy and the number of factors with the page's
//! own forms, and checks what the page shows: once over the fake service
//! (every page), once over the real scoring service (the client page).
//! Screenshots go to `$CARGO_TARGET_TMPDIR/gateway-browser/`.
//!
//! Without Chromium the test is skipped with a message, except under
//! `CI=true`, where it fails (deploy/prerequisites.sh installs it).
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod common;

use test_support as grpc_common;

use std::{path::PathBuf, sync::Arc, time::Duration};

use common::{PASSWORD, USER, state_with};
use gateway::{client::GrpcScoringClient, fake::FakeScoringClient};
use headless_chrome::{
    Browser, LaunchOptions, Tab, protocol::cdp::Page::CaptureScreenshotFormatOption,
};

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from(std::env::var("CHROMIUM").unwrap_or_else(|_| CHROMIUM.to_owned()));
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "{} is missing; deploy/prerequisites.sh installs it",
            path.display()
        );
    }
    eprintln!(
        "SKIPPED: no Chromium at {} (apt-get install -y chromium)",
        path.display()
    );
    None
}

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
    // Selects and retypes the field as a person would (triple-click selects
    // a number input's content; typing replaces it).
    let element = tab.wait_for_element(selector).unwrap();
    element.click().unwrap();
    tab.press_key("End").unwrap();
    for _ in 0..8 {
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
fn sign_in_at(tab: &Tab, base: &str, path: &str, shot: Option<&str>) {
    tab.navigate_to(&format!("{base}{path}"))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    assert!(
        tab.get_url().contains("/signin?next="),
        "unauthenticated: sent to sign in"
    );
    tab.wait_for_element("#username").unwrap().click().unwrap();
    tab.type_str(USER).unwrap();
    tab.wait_for_element("#password").unwrap().click().unwrap();
    tab.type_str(PASSWORD).unwrap();
    if let Some(name) = shot {
        screenshot(tab, name);
    }
    click_to(tab, "#signin-submit", path);
}

/// The real scoring service (API key on) over scoring-grpc's test model.
#[test]
fn officer_explores_a_client_served_by_the_real_service() {
    let Some(chromium) = chromium() else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (_dir, registry) = grpc_common::registry_with_v1();
    let mut settings = grpc_common::settings(&registry);
    settings.api_keys = Some(vec![scoring_grpc::config::ApiKey {
        caller: "dashboard".into(),
        sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest("browser-key")),
    }]);
    let server = runtime
        .block_on(scoring_grpc::server::start(settings))
        .unwrap();
    let endpoint = format!("http://{}", server.addr);
    let client = runtime
        .block_on(async { GrpcScoringClient::connect_lazy(&endpoint, Some("browser-key")) })
        .unwrap();
    let base = serve(&runtime, gateway::app(state_with(Arc::new(client), false)));
    let browser = launch(chromium);
    let tab = browser.new_tab().unwrap();
    let id = grpc_common::FIRST_ID + 7;
    sign_in_at(&tab, &base, &format!("/clients/{id}"), None);
    assert_eq!(
        tab.find_elements("rect.bar").unwrap().len(),
        grpc_common::N_FEATURES
    );
    tab.evaluate(
        "document.getElementById('strategy').value = 'aggressive'",
        false,
    )
    .unwrap();
    set_field(&tab, "#n", "2");
    click_to(&tab, "#apply", "n=2");
    assert!(text(&tab, "#threshold").contains("70.0 %"));
    assert_eq!(tab.find_elements("rect.bar").unwrap().len(), 2);
    let p: f64 = text(&tab, "#probability")
        .trim_end_matches(" %")
        .parse()
        .unwrap();
    let decision = text(&tab, "[data-decision]");
    assert!(
        decision.contains(if p < 70.0 { "Grant" } else { "Refuse" }),
        "{p} {decision}"
    );
    screenshot(&tab, "8-real-service-client-aggressive");
    runtime.block_on(server.shutdown()).unwrap();
}

#[test]
fn officer_signs_in_and_explores_a_client() {
    let Some(chromium) = chromium() else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let base = serve(
        &runtime,
        gateway::app(state_with(Arc::new(FakeScoringClient::new()), false)),
    );
    let browser = launch(chromium);
    let tab = browser.new_tab().unwrap();

    sign_in_at(&tab, &base, "/clients/100002", Some("1-signin"));
    assert_eq!(text(&tab, "#probability"), "48.1 %");
    assert!(text(&tab, "[data-decision]").contains("Grant the loan"));
    assert_eq!(tab.find_elements("rect.bar").unwrap().len(), 10);
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
    let bars = tab.find_elements("rect.bar").unwrap();
    assert_eq!(bars.len(), 3);
    let why = text(&tab, "#factors-table");
    assert!(!why.contains("EXT_SOURCE"), "{why}");
    click_to(&tab, "#lang-switch", "lang=fr");
    assert!(text(&tab, "[data-decision]").contains("Refuser le prêt"));
    assert!(tab.get_url().contains("actionable=1"));
    screenshot(&tab, "4-client-actionable-fr");

    // Compare, in English again, filtered to women (CODE_GENDER = 0).
    tab.navigate_to(&format!(
        "{base}/clients/100002/compare?lang=en&feature=AMT_CREDIT&filter_feature=CODE_GENDER&filter_op=eq&filter_value=0"
    ))
    .unwrap()
    .wait_until_navigated()
    .unwrap();
    assert_eq!(text(&tab, "#client-value"), "400,000");
    assert_eq!(
        tab.find_elements("#similar tr.neighbour").unwrap().len(),
        10
    );
    // Counted in the page: resolving 500 elements one by one over the
    // DevTools protocol takes half a minute.
    let points = tab
        .evaluate("document.querySelectorAll('circle.pt').length", false)
        .unwrap();
    let points = points.value.and_then(|v| v.as_u64()).unwrap();
    assert_eq!(points.to_string(), text(&tab, "#scatter-count"));
    assert!(points > 50);
    screenshot(&tab, "5-compare");

    // What if the annuity were a smaller share of the credit?
    tab.navigate_to(&format!("{base}/clients/100002/whatif?strategy=normal"))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    set_field(&tab, "#feature_5", "PAYMENT_RATE");
    set_field(&tab, "#value_5", "0.02");
    tab.wait_for_element("#rescore").unwrap().click().unwrap();
    let before = tab
        .wait_for_element_with_custom_timeout("#before", Duration::from_secs(30))
        .unwrap();
    let before = before.get_inner_text().unwrap();
    assert!(before.contains("48.1 %"), "{before}");
    assert!(before.contains("37.") || before.contains("38."), "{before}");
    screenshot(&tab, "6-whatif");

    tab.navigate_to(&format!("{base}/model"))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    assert_eq!(text(&tab, "#model-version"), "v2");
    assert!(
        text(&tab, "#model-card").contains("<script>"),
        "the card's raw HTML shows as text"
    );
    screenshot(&tab, "7-model");
}
