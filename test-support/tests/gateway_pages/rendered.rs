//! Snapshots of the rendered pages' `<main>` (insta), so that any change to
//! what an officer reads shows up in review. The session's CSRF token is
//! redacted, and numbers are compared to three decimals (the last digits
//! of chart coordinates may move with the order of floating-point sums).
//! Update with `INSTA_UPDATE=always cargo test -p test-support --test
//! gateway_pages rendered` and review the diff of
//! `tests/gateway_pages/snapshots/`.

use super::*;

async fn main_of(uri: &str) -> String {
    let d = Dashboard::start().await;
    let s = sign_in(&d.app).await;
    let page = send(&d.app, get(uri, &s.cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{uri}: {}", page.body);
    d.stop().await;
    let main = format!("<main{}", between(&page.body, "<main", "</main>"));
    main.replace(&s.csrf, "[csrf]")
}

/// Asserts the snapshot `name` of `text`, numbers cut to three decimals.
fn assert_page(name: &str, text: &str) {
    insta::with_settings!({filters => vec![(r"(\d\.\d{3})\d+", "$1")]}, {
        insta::assert_snapshot!(name, text);
    });
}

#[tokio::test]
async fn client_page_prudent_five_factors() {
    let main = main_of("/clients/100002?strategy=prudent&n=5").await;
    assert_page("client_page_prudent_five_factors", &main);
}

#[tokio::test]
async fn client_page_in_french_actionable() {
    let main = main_of("/clients/100002?n=3&actionable=1&lang=fr").await;
    assert_page("client_page_in_french_actionable", &main);
}

#[tokio::test]
async fn model_page() {
    assert_page("model_page", &main_of("/model").await);
}

#[tokio::test]
async fn what_if_form() {
    assert_page("what_if_form", &main_of("/clients/100002/whatif").await);
}
