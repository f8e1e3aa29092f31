//! Sign-in, sessions and CSRF, through the router. None of it needs the
//! scoring service, which is down throughout.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

use axum::http::StatusCode;
use test_support::gateway::*;

fn app() -> axum::Router {
    app_service_down()
}

#[tokio::test]
async fn sign_in_with_the_right_password_opens_a_session() {
    let app = app();
    let form = send(&app, get("/signin?next=/clients/100002", "")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("<label for=\"password\">"));
    let done = submit_sign_in(&app, USER, PASSWORD, Some("/clients/100002")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location(), "/clients/100002");
    let set = done
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("gw_session="))
        .unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && !set.contains("Secure"),
        "{set}"
    );
    // The cookie is encrypted: the user name does not show.
    assert!(!set.contains(USER));
}

#[tokio::test]
async fn secure_cookies_when_configured() {
    let app = gateway::app(state(client(&nothing_listening(), None), true, test_key()));
    let form = send(&app, get("/signin", "")).await;
    assert!(form.set_cookies()[0].contains("Secure"));
}

#[tokio::test]
async fn wrong_password_or_unknown_user_is_refused() {
    let app = app();
    for (user, password) in [(USER, "wrong"), ("bob", PASSWORD)] {
        let page = submit_sign_in(&app, user, password, None).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(page.body.contains("id=\"signin-error\""));
        assert!(page.cookie("gw_session").is_none());
    }
}

#[tokio::test]
async fn repeated_failures_for_a_name_are_throttled() {
    let app = app();
    for _ in 0..gateway::throttle::MAX_FAILURES {
        let page = submit_sign_in(&app, USER, "wrong", None).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password is not checked until the window ends.
    let page = submit_sign_in(&app, USER, PASSWORD, None).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.cookie("gw_session").is_none());
    let retry_after: u64 = page.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after > 0 && retry_after <= 15 * 60, "{retry_after}");
    assert!(page.body.contains("Try again in 15 min."), "{}", page.body);
    // Other names are not affected.
    let page = submit_sign_in(&app, "bob", "wrong", None).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sign_in_without_or_with_a_wrong_csrf_token_is_forbidden() {
    let app = app();
    let form = send(&app, get("/signin", "")).await;
    let pre = form.cookie("gw_signin").unwrap();
    let missing = send(
        &app,
        post(
            "/signin",
            &pre,
            &[("username", USER), ("password", PASSWORD)],
        ),
    )
    .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let wrong = send(
        &app,
        post(
            "/signin",
            &pre,
            &[("csrf", "0000"), ("username", USER), ("password", PASSWORD)],
        ),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let no_cookie = send(
        &app,
        post(
            "/signin",
            "",
            &[
                ("csrf", &form.csrf()),
                ("username", USER),
                ("password", PASSWORD),
            ],
        ),
    )
    .await;
    assert_eq!(no_cookie.status, StatusCode::FORBIDDEN);
    assert!(no_cookie.body.contains("Forbidden"));
}

#[tokio::test]
async fn empty_user_name_is_a_bad_field() {
    let app = app();
    let form = send(&app, get("/signin", "")).await;
    let pre = form.cookie("gw_signin").unwrap();
    let page = send(
        &app,
        post(
            "/signin",
            &pre,
            &[("csrf", &form.csrf()), ("username", " "), ("password", "x")],
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("<code id=\"bad-field\">username</code>"));
}

#[tokio::test]
async fn pages_redirect_to_sign_in_without_a_valid_session() {
    let app = app();
    for uri in [
        "/clients",
        "/clients/100002?n=3",
        "/model",
        "/clients/100002/compare",
        "/applicants/new",
    ] {
        let page = send(&app, get(uri, "")).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{uri}");
        assert!(page.location().starts_with("/signin?next="), "{uri}");
    }
    let forged = send(&app, get("/clients", "gw_session=abc:ann")).await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);
    // A session cookie from another key (another gateway) does not open.
    let other = app_with_session_from_another_key().await;
    assert_eq!(
        send(&app, get("/clients", &other)).await.status,
        StatusCode::SEE_OTHER
    );
}

async fn app_with_session_from_another_key() -> String {
    let other = gateway::app(state(
        client(&nothing_listening(), None),
        false,
        axum_extra::extract::cookie::Key::generate(),
    ));
    let form = send(&other, get("/signin", "")).await;
    let pre = form.cookie("gw_signin").unwrap();
    let done = send(
        &other,
        post(
            "/signin",
            &pre,
            &[
                ("csrf", &form.csrf()),
                ("username", USER),
                ("password", PASSWORD),
            ],
        ),
    )
    .await;
    done.cookie("gw_session").unwrap()
}

#[tokio::test]
async fn posts_need_the_session_token() {
    let app = app();
    let s = sign_in(&app).await;
    for uri in ["/clients/100002/whatif", "/applicants/new", "/signout"] {
        let missing = send(
            &app,
            post(
                uri,
                &s.cookie,
                &[("feature_0", "AMT_CREDIT"), ("value_0", "1")],
            ),
        )
        .await;
        assert_eq!(missing.status, StatusCode::FORBIDDEN, "{uri}");
        let wrong = send(
            &app,
            post(
                uri,
                &s.cookie,
                &[("csrf", "deadbeef"), ("feature_0", "AMT_CREDIT")],
            ),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{uri}");
    }
    // Another session's token is refused too.
    let other = sign_in(&app).await;
    assert_ne!(other.csrf, s.csrf);
    let cross = send(&app, post("/signout", &s.cookie, &[("csrf", &other.csrf)])).await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let sign_out_without_session = send(&app, post("/signout", "", &[("csrf", &s.csrf)])).await;
    assert_eq!(sign_out_without_session.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let app = app();
    let s = sign_in(&app).await;
    let out = send(&app, post("/signout", &s.cookie, &[("csrf", &s.csrf)])).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/signin");
    let removal = out
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("gw_session="))
        .unwrap();
    assert!(
        removal.contains("Max-Age=0") || removal.contains("expires"),
        "{removal}"
    );
}

#[tokio::test]
async fn next_cannot_leave_the_site() {
    let app = app();
    let done = submit_sign_in(&app, USER, PASSWORD, Some("//evil.example/")).await;
    assert_eq!(done.location(), "/clients");
}

#[tokio::test]
async fn responses_carry_a_request_id_and_security_headers() {
    let app = app();
    let page = send(&app, get("/signin", "")).await;
    assert_eq!(page.headers["x-request-id"].len(), 32);
    assert!(
        page.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert_eq!(page.headers["cache-control"], "no-store");
    assert_eq!(page.headers["x-frame-options"], "DENY");
    let req = axum::http::Request::get("/signin")
        .header("x-request-id", "abc-42")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(send(&app, req).await.headers["x-request-id"], "abc-42");
    let req = axum::http::Request::get("/signin")
        .header("x-request-id", "a b")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_ne!(send(&app, req).await.headers["x-request-id"], "a b");
}
