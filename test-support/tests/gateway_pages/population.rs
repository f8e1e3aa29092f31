//! The clients list and the comparison with other clients.

use super::*;

/// The next-page link of a clients page, as a path to fetch.
fn next_page(body: &str) -> String {
    between(body, "id=\"next-page\" href=\"", "\"")
        .replace("&amp;", "&")
        .replace("&#x2f;", "/")
}

fn total(body: &str) -> usize {
    between(body, "<span id=\"total\">", "</span>")
        .parse()
        .unwrap()
}

#[tokio::test]
async fn clients_list_pages_and_find_redirects() {
    let d = Dashboard::start().await;
    let s = sign_in(&d.app).await;
    let first = send(&d.app, get("/clients", &s.cookie)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.count("<tr><td><a href=\"/clients/"), 25);
    assert!(
        first
            .body
            .contains("<span id=\"total\">300</span> clients in total")
    );
    assert!(first.body.contains("href=\"/clients/100001\""));
    let second = send(&d.app, get(&next_page(&first.body), &s.cookie)).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert!(second.body.contains("href=\"/clients/100026\""));
    assert!(!second.body.contains("href=\"/clients/100001\""));
    let women = send(
        &d.app,
        get(
            "/clients?filter_feature=CODE_GENDER&filter_op=eq&filter_value=0",
            &s.cookie,
        ),
    )
    .await;
    let women_total = total(&women.body);
    assert!(women_total > 100 && women_total < 300, "{women_total}");
    assert!(
        women.body.contains("filter_value=0&amp;page="),
        "paging keeps the filter"
    );
    let women_second = send(&d.app, get(&next_page(&women.body), &s.cookie)).await;
    assert_eq!(women_second.status, StatusCode::OK, "{}", women_second.body);
    assert_eq!(total(&women_second.body), women_total);
    let found = send(&d.app, get("/find?client_id=100002", &s.cookie)).await;
    assert_eq!(found.status, StatusCode::SEE_OTHER);
    assert_eq!(found.location(), "/clients/100002");
    d.stop().await;
}

#[tokio::test]
async fn compare_shows_histogram_with_filter_similar_and_scatter() {
    let d = Dashboard::start().await;
    let s = sign_in(&d.app).await;
    let all = send(
        &d.app,
        get("/clients/100002/compare?feature=AMT_CREDIT", &s.cookie),
    )
    .await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert!(all.body.contains("<span id=\"population\">300</span>"));
    assert!(all.body.contains("Credit amount"));
    assert!(
        all.body
            .contains("<strong id=\"client-value\">400,000</strong>")
    );
    assert_eq!(all.count("class=\"client-marker\""), 1);
    assert_eq!(all.count("class=\"hbin\""), 20);
    let filtered = send(
        &d.app,
        get("/clients/100002/compare?feature=AMT_CREDIT&filter_feature=CODE_GENDER&filter_op=eq&filter_value=1", &s.cookie),
    )
    .await;
    assert_eq!(filtered.status, StatusCode::OK, "{}", filtered.body);
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
    assert_eq!(filtered.count("class=\"pt band-"), points);
    assert!(points > 0 && points <= population);
    d.stop().await;
}

#[tokio::test]
async fn scatter_axes_follow_the_choice() {
    let d = Dashboard::start().await;
    let s = sign_in(&d.app).await;
    let page = send(
        &d.app,
        get(
            "/clients/100002/compare?x=AMT_ANNUITY&y=DAYS_EMPLOYED",
            &s.cookie,
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("(AMT_ANNUITY × DAYS_EMPLOYED)"));
    assert_eq!(page.count("class=\"client-point\""), 1);
    d.stop().await;
}
