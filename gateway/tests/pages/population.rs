//! The clients list and the comparison with other clients.

use super::*;

#[tokio::test]
async fn clients_list_pages_and_find_redirects() {
    let app = app();
    let s = sign_in(&app).await;
    let first = send(&app, get("/clients", &s.cookie)).await;
    assert_eq!(first.count("<tr><td><a href=\"/clients/"), 25);
    assert!(
        first
            .body
            .contains("<span id=\"total\">300</span> clients in total")
    );
    assert!(first.body.contains("href=\"&#x2f;clients?page=25\""));
    let second = send(&app, get("/clients?page=25", &s.cookie)).await;
    assert!(second.body.contains("href=\"/clients/100026\""));
    assert!(!second.body.contains("href=\"/clients/100001\""));
    let women = send(
        &app,
        get(
            "/clients?filter_feature=CODE_GENDER&filter_op=eq&filter_value=0",
            &s.cookie,
        ),
    )
    .await;
    let total: usize = between(&women.body, "<span id=\"total\">", "</span>")
        .parse()
        .unwrap();
    assert!(total > 100 && total < 300, "{total}");
    assert!(
        women.body.contains("filter_value=0&amp;page=25"),
        "paging keeps the filter"
    );
    let bad = send(
        &app,
        get(
            "/clients?filter_feature=CODE_GENDER&filter_op=eq&filter_value=x",
            &s.cookie,
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let found = send(&app, get("/find?client_id=100002", &s.cookie)).await;
    assert_eq!(found.status, StatusCode::SEE_OTHER);
    assert_eq!(found.location(), "/clients/100002");
}

#[tokio::test]
async fn compare_shows_histogram_with_filter_similar_and_scatter() {
    let app = app();
    let s = sign_in(&app).await;
    let all = send(
        &app,
        get("/clients/100002/compare?feature=AMT_CREDIT", &s.cookie),
    )
    .await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert!(all.body.contains("<span id=\"population\">300</span>"));
    assert!(all.body.contains("Credit amount of the loan"));
    assert!(
        all.body
            .contains("<strong id=\"client-value\">400,000</strong>")
    );
    assert_eq!(all.count("class=\"client-marker\""), 1);
    assert_eq!(all.count("class=\"hbin\""), 20);
    let filtered = send(
        &app,
        get("/clients/100002/compare?feature=AMT_CREDIT&filter_feature=CODE_GENDER&filter_op=eq&filter_value=1", &s.cookie),
    )
    .await;
    let population: usize = between(&filtered.body, "<span id=\"population\">", "</span>")
        .parse()
        .unwrap();
    assert!(population > 50 && population < 300, "{population}");
    assert_eq!(filtered.count("<tr class=\"neighbour\">"), 10);
    assert!(
        filtered
            .body
            .contains("<span id=\"filter-shown\">CODE_GENDER = 1</span>")
    );
    let points: usize = between(&filtered.body, "<span id=\"scatter-count\">", "</span>")
        .parse()
        .unwrap();
    assert_eq!(filtered.count("class=\"pt\""), points);
    assert!(points <= population);
}

#[tokio::test]
async fn scatter_axes_follow_the_choice() {
    let app = app();
    let s = sign_in(&app).await;
    let page = send(
        &app,
        get(
            "/clients/100002/compare?x=AMT_ANNUITY&y=DAYS_EMPLOYED",
            &s.cookie,
        ),
    )
    .await;
    assert!(page.body.contains("(AMT_ANNUITY × DAYS_EMPLOYED)"));
    assert_eq!(page.count("class=\"client-point\""), 1);
}
