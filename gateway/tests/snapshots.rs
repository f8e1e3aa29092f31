//! Snapshots of the rendered pages' `<main>` (insta), so that any change to
//! what an officer reads shows up in review. The session's CSRF token is
//! redacted. Update with `INSTA_UPDATE=always cargo test -p gateway --test
//! snapshots` and review the diff of `tests/snapshots/`.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod common;

use common::*;

async fn main_of(uri: &str) -> String {
    let app = app();
    let s = sign_in(&app).await;
    let page = send(&app, get(uri, &s.cookie)).await;
    assert_eq!(page.status, axum::http::StatusCode::OK, "{uri}");
    let start = page.body.find("<main").unwrap();
    let end = page.body.find("</main>").unwrap();
    page.body[start..end].replace(&s.csrf, "[csrf]")
}

#[tokio::test]
async fn client_page_prudent_five_factors() {
    insta::assert_snapshot!(main_of("/clients/100002?strategy=prudent&n=5").await);
}

#[tokio::test]
async fn client_page_in_french_actionable() {
    insta::assert_snapshot!(main_of("/clients/100002?n=3&actionable=1&lang=fr").await);
}

#[tokio::test]
async fn model_page() {
    insta::assert_snapshot!(main_of("/model").await);
}

#[tokio::test]
async fn what_if_form() {
    insta::assert_snapshot!(main_of("/clients/100002/whatif").await);
}
