//! Sessions end (sign-out, restart, a removed officer) and sign-in floods
//! are bounded, through the router; the scoring service is down throughout.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

use std::net::SocketAddr;

use axum::{extract::ConnectInfo, http::StatusCode};
use gateway::{
    auth::MAX_USER_NAME_LEN,
    sessions::Sessions,
    throttle::{MAX_FAILURES_PER_ADDRESS, PasswordChecks},
};
use test_support::gateway::*;

fn app_with(users: gateway::auth::Users) -> axum::Router {
    gateway::app(state_with(
        client(&nothing_listening(), None),
        false,
        test_key(),
        users,
        Sessions::default(),
    ))
}

/// A page that needs a session answers with the sign-in redirect.
async fn is_signed_out(app: &axum::Router, cookie: &str) -> bool {
    let page = send(app, get("/clients", cookie)).await;
    page.status == StatusCode::SEE_OTHER && page.location().starts_with("/signin")
}

#[tokio::test]
async fn a_signed_out_cookie_no_longer_opens_anything() {
    let app = app_service_down();
    let s = sign_in(&app).await;
    assert!(!is_signed_out(&app, &s.cookie).await, "signed in");
    let out = send(&app, post("/signout", &s.cookie, &[("csrf", &s.csrf)])).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    // A copy of the cookie kept by the browser (or stolen) is worthless.
    assert!(is_signed_out(&app, &s.cookie).await);
    let again = send(&app, post("/signout", &s.cookie, &[("csrf", &s.csrf)])).await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_restart_with_the_same_cookie_key_ends_every_session() {
    let before = app_service_down();
    let s = sign_in(&before).await;
    assert!(!is_signed_out(&before, &s.cookie).await);
    // The same key, the officer removed from the users file.
    let after = app_with(gateway::auth::Users::default());
    assert!(is_signed_out(&after, &s.cookie).await);
    // Nor does a restart that keeps the officer revive the session.
    let after = app_service_down();
    assert!(is_signed_out(&after, &s.cookie).await);
}

#[tokio::test]
async fn each_sign_in_is_its_own_session() {
    let app = app_service_down();
    let first = sign_in(&app).await;
    let second = sign_in(&app).await;
    send(
        &app,
        post("/signout", &first.cookie, &[("csrf", &first.csrf)]),
    )
    .await;
    assert!(is_signed_out(&app, &first.cookie).await);
    assert!(
        !is_signed_out(&app, &second.cookie).await,
        "signing out on one device leaves the other"
    );
}

#[tokio::test]
async fn an_over_long_user_name_is_refused_before_any_password_check() {
    // No password check may run: a long name must not reach one.
    let app = app_with(users().with_password_checks(PasswordChecks::new(0, 0)));
    let form = send(&app, get("/signin", "")).await;
    let pre = form.cookie("gw_signin").unwrap();
    let name = "a".repeat(MAX_USER_NAME_LEN + 1);
    let page = send(
        &app,
        post(
            "/signin",
            &pre,
            &[
                ("csrf", &form.csrf()),
                ("username", &name),
                ("password", "x"),
            ],
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("<code id=\"bad-field\">username</code>"));
}

#[tokio::test]
async fn too_many_password_checks_at_once_are_turned_away() {
    let app = app_with(users().with_password_checks(PasswordChecks::new(0, 0)));
    let page = submit_sign_in(&app, USER, PASSWORD, None).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(page.headers["retry-after"], "1");
    assert!(page.body.contains("Too many sign-ins at this moment"));
    assert!(page.cookie("gw_session").is_none());
}

#[tokio::test]
async fn one_address_spraying_many_names_is_throttled() {
    let app = app_service_down();
    let from = |address: &str, name: String| {
        let app = app.clone();
        let address: SocketAddr = address.parse().unwrap();
        async move {
            let form = send(&app, get("/signin", "")).await;
            let pre = form.cookie("gw_signin").unwrap();
            let mut request = post(
                "/signin",
                &pre,
                &[
                    ("csrf", form.csrf().as_str()),
                    ("username", name.as_str()),
                    ("password", "guess"),
                ],
            );
            request.extensions_mut().insert(ConnectInfo(address));
            send(&app, request).await.status
        }
    };
    for k in 0..MAX_FAILURES_PER_ADDRESS {
        let status = from("192.0.2.7:4000", format!("name{k}")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {k}");
    }
    let fresh_name = from("192.0.2.7:4001", "never-tried".into()).await;
    assert_eq!(fresh_name, StatusCode::TOO_MANY_REQUESTS);
    let other_address = from("198.51.100.1:4000", "never-tried".into()).await;
    assert_eq!(other_address, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn next_with_characters_browsers_drop_cannot_leave_the_site() {
    let app = app_service_down();
    for sneaky in ["/\t/evil.example", "/\\evil.example", "/\n/evil.example"] {
        let done = submit_sign_in(&app, USER, PASSWORD, Some(sneaky)).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert_eq!(done.location(), "/clients", "{sneaky:?}");
    }
}

#[tokio::test]
async fn https_deployments_send_strict_transport_security() {
    let secure = gateway::app(state(client(&nothing_listening(), None), true, test_key()));
    let page = send(&secure, get("/signin", "")).await;
    assert_eq!(
        page.headers["strict-transport-security"],
        "max-age=31536000"
    );
    let plain = send(&app_service_down(), get("/signin", "")).await;
    assert!(!plain.headers.contains_key("strict-transport-security"));
}
