//! Driving the headless browser as a person would: opening pages, typing
//! into fields, clicking through to the next page, signing in; serving the
//! dashboard on loopback; screenshots and checks run in the page.

use std::{path::PathBuf, time::Duration};

use headless_chrome::{
    Browser, LaunchOptions, Tab, protocol::cdp::Page::CaptureScreenshotFormatOption,
};
use test_support::gateway::{PASSWORD, USER};

use super::axe::Axe;

pub(crate) fn screenshot(tab: &Tab, name: &str) -> PathBuf {
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

pub(crate) fn text(tab: &Tab, selector: &str) -> String {
    tab.wait_for_element(selector)
        .unwrap()
        .get_inner_text()
        .unwrap()
}

pub(crate) fn set_field(tab: &Tab, selector: &str, value: &str) {
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
pub(crate) fn click_to(tab: &Tab, selector: &str, until: &str) {
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

pub(crate) fn open(tab: &Tab, url: &str) {
    tab.navigate_to(url)
        .unwrap()
        .wait_until_navigated()
        .unwrap();
}

/// Serves `app` on a free loopback port from `runtime`; its base URL.
pub(crate) fn serve(runtime: &tokio::runtime::Runtime, app: axum::Router) -> String {
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    runtime.spawn(async move { axum::serve(listener, app).await });
    base
}

pub(crate) fn launch(chromium: PathBuf) -> Browser {
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

/// Opens `path`, is sent to the sign-in form (checked by `axe` when
/// given), signs in and comes back.
pub(crate) fn sign_in_at(tab: &Tab, base: &str, path: &str, axe: Option<&Axe>) {
    open(tab, &format!("{base}{path}"));
    assert!(
        tab.get_url().contains("/signin?next="),
        "unauthenticated: sent to sign in"
    );
    tab.wait_for_element("#username").unwrap().click().unwrap();
    tab.type_str(USER).unwrap();
    tab.wait_for_element("#password").unwrap().click().unwrap();
    tab.type_str(PASSWORD).unwrap();
    if let Some(axe) = axe {
        axe.assert_accessible(tab, "the sign-in page");
    }
    screenshot(tab, "1-signin");
    click_to(tab, "#signin-submit", path);
}

/// JavaScript that adds to `problems` every chart label lying outside its
/// chart.
pub(crate) const CHART_LABELS_INSIDE: &str = r#"for (const svg of document.querySelectorAll('svg.chart')) {
        const frame = svg.getBoundingClientRect();
        for (const t of svg.querySelectorAll('text')) {
          const b = t.getBoundingClientRect();
          if (b.left < frame.left - 0.5 || b.right > frame.right + 0.5 || b.top < frame.top - 0.5)
            problems.push(`clipped in #${svg.id}: ${t.textContent}`);
        }
      }"#;

/// Runs a script that returns its problems joined; what it returned.
pub(crate) fn evaluate_problems(tab: &Tab, script: &str) -> String {
    let answer = tab.evaluate(script, false).unwrap();
    answer
        .value
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "the check did not run".to_owned())
}
