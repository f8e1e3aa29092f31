//! The new applicant's application form over a model of the kernel's
//! features: the fields and choices come from the live model, the typed
//! application is scored from its raw records by the service, and the page
//! shows what the online engine and the model give for the same records.

use scoring_core::features::{
    BureauCredit, LoanApplication, OnlineEngine, PreviousApplication, Record,
};

use super::*;

/// What the officer types, field by field.
const TYPED: &[(&str, &str)] = &[
    ("NAME_CONTRACT_TYPE", "c1"),
    ("AMT_CREDIT", "450000"),
    ("AMT_ANNUITY", "24700,5"),
    ("AMT_GOODS_PRICE", "405000"),
    ("CODE_GENDER", "c0"),
    ("DAYS_BIRTH", "41"),
    ("DAYS_EMPLOYED", "3.5"),
    ("AMT_INCOME_TOTAL", "202500"),
    ("CNT_CHILDREN", "1"),
    ("EXT_SOURCE_2", "0.26"),
    ("FLAG_PHONE", "1"),
    ("bureau_1_CREDIT_ACTIVE", "c2"),
    ("bureau_1_AMT_CREDIT_SUM", "90000"),
    ("bureau_1_DAYS_CREDIT", "2"),
    ("previous_0_NAME_CONTRACT_STATUS", "c3"),
    ("previous_0_AMT_APPLICATION", "30000"),
    ("previous_0_DAYS_DECISION", "1"),
];

/// The same application as the service should receive it: years as
/// negative whole days, the empty history rows left out.
fn expected_application() -> LoanApplication {
    let application = Record::new()
        .with("NAME_CONTRACT_TYPE", "c1")
        .with("AMT_CREDIT", 450_000.0)
        .with("AMT_ANNUITY", 24_700.5)
        .with("AMT_GOODS_PRICE", 405_000.0)
        .with("CODE_GENDER", "c0")
        .with("DAYS_BIRTH", -14_975.0)
        .with("DAYS_EMPLOYED", -1_278.0)
        .with("AMT_INCOME_TOTAL", 202_500.0)
        .with("CNT_CHILDREN", 1.0)
        .with("EXT_SOURCE_2", 0.26)
        .with("FLAG_PHONE", 1.0);
    LoanApplication {
        application,
        bureau: vec![BureauCredit {
            credit: Record::new()
                .with("CREDIT_ACTIVE", "c2")
                .with("AMT_CREDIT_SUM", 90_000.0)
                .with("DAYS_CREDIT", -731.0),
            balances: vec![],
        }],
        previous: vec![PreviousApplication {
            application: Record::new()
                .with("NAME_CONTRACT_STATUS", "c3")
                .with("AMT_APPLICATION", 30_000.0)
                .with("DAYS_DECISION", -365.0),
            ..Default::default()
        }],
    }
}

fn posted<'a>(csrf: &'a str, typed: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![("csrf", csrf), ("strategy", "normal")];
    form.extend_from_slice(typed);
    form
}

#[tokio::test]
async fn the_form_offers_the_models_columns_grouped_with_its_categories() {
    let (d, fixture) = Dashboard::start_with_applications(20).await;
    let s = sign_in(&d.app).await;
    let form = send(&d.app, get("/applicants/new", &s.cookie)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    for group in [
        "group_loan",
        "group_applicant",
        "group_income",
        "group_housing",
    ] {
        assert!(
            form.body.contains(&format!("<fieldset id=\"{group}\">")),
            "{group}"
        );
    }
    // Documents and contact flags start collapsed.
    assert!(
        form.body
            .contains("<details id=\"group_documents\"><summary>")
    );
    assert!(
        form.body
            .contains("<label for=\"DAYS_BIRTH\">Age (years)</label>")
    );
    // A category column offers exactly the model's vocabulary.
    let vocabulary = &fixture
        .schema
        .vocabularies
        .iter()
        .find(|v| v.table == "application" && v.column == "ORGANIZATION_TYPE")
        .unwrap()
        .values;
    let select = between(&form.body, "<select id=\"ORGANIZATION_TYPE\"", "</select>");
    assert_eq!(
        select.matches("<option").count(),
        vocabulary.len() + 1,
        "and (not given)"
    );
    assert!(select.contains(&format!("<option>{}</option>", vocabulary[57])));
    // A few history rows of each kind.
    assert!(form.body.contains("<select id=\"bureau_2_CREDIT_ACTIVE\""));
    assert!(form.body.contains("<input id=\"previous_2_DAYS_DECISION\""));
    assert!(!form.body.contains("SK_ID_CURR"));
    d.stop().await;
}

#[tokio::test]
async fn a_typed_application_is_scored_from_its_raw_records() {
    let (d, fixture) = Dashboard::start_with_applications(20).await;
    let s = sign_in(&d.app).await;
    let result = send(
        &d.app,
        post("/applicants/new", &s.cookie, &posted(&s.csrf, TYPED)),
    )
    .await;
    assert_eq!(result.status, StatusCode::OK, "{}", result.body);
    let engine = OnlineEngine::kernel(&fixture.schema).unwrap();
    let row = engine.features(&expected_application()).unwrap();
    let p = fixture.model.predict_probability(&row).unwrap();
    assert!(
        result
            .body
            .contains(&format!("<span id=\"probability\">{}</span>", pct(p))),
        "{p}: {}",
        result.body
    );
    let decision = if p >= fixture.thresholds.normal {
        "refuse"
    } else {
        "accept"
    };
    assert!(
        result
            .body
            .contains(&format!("data-decision=\"{decision}\""))
    );
    // The factors as on a client's page, and the form kept as typed.
    assert!(result.body.contains("<table id=\"factors-table\">"));
    assert_eq!(result.count("<line class=\"threshold"), 3);
    assert!(
        result
            .body
            .contains("<input id=\"AMT_ANNUITY\" name=\"AMT_ANNUITY\" value=\"24700,5\"")
    );
    assert!(result.body.contains("<option selected>c1</option>"));
    // Nothing typed at all is an application with every column missing.
    let empty = send(
        &d.app,
        post("/applicants/new", &s.cookie, &posted(&s.csrf, &[])),
    )
    .await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    let p = fixture
        .model
        .predict_probability(&engine.features(&LoanApplication::default()).unwrap())
        .unwrap();
    assert!(
        empty
            .body
            .contains(&format!("<span id=\"probability\">{}</span>", pct(p)))
    );
    d.stop().await;
}

#[tokio::test]
async fn a_bad_field_is_a_400_page_naming_it() {
    let (d, _fixture) = Dashboard::start_with_applications(5).await;
    let s = sign_in(&d.app).await;
    for (field, text) in [
        ("NAME_CONTRACT_TYPE", "Mortgage"),
        ("DAYS_BIRTH", "-40"),
        ("AMT_CREDIT", "lots"),
        ("EXT_SOURCE_2", "2"),
        ("FLAG_PHONE", "yes"),
        ("bureau_2_AMT_CREDIT_SUM", "-5"),
        ("previous_1_NAME_CONTRACT_STATUS", "c99"),
    ] {
        let page = send(
            &d.app,
            post(
                "/applicants/new",
                &s.cookie,
                &posted(&s.csrf, &[(field, text)]),
            ),
        )
        .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{field}");
        assert!(
            page.body
                .contains(&format!("<code id=\"bad-field\">{field}</code>")),
            "{field}: {}",
            page.body
        );
    }
    let forged = send(
        &d.app,
        post(
            "/applicants/new",
            &s.cookie,
            &[("csrf", "forged"), ("AMT_CREDIT", "1")],
        ),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    d.stop().await;
}
