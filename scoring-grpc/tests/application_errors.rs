//! What the service refuses in a loan application, over a real server:
//! INVALID_ARGUMENT whose message names the table, the record's position
//! and the column, and whose BadRequest field is the record's path in the
//! request; in Score, Explain and as a ScoreBatch item alike. Never a
//! panic, whatever the records.

use scoring_core::features::{LoanApplication, Record, Value};
use scoring_grpc::convert::application::application_to_wire;
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use test_support::application_model::application_model;
use test_support::applications::HistoryShape;
use test_support::*;
use tonic::Code;
use tonic::transport::Channel;

const ROOT: &str = "applicant.loan_application";

fn by_application(application: &LoanApplication) -> Option<pb::Applicant> {
    Some(pb::Applicant {
        applicant: Some(pb::applicant::Applicant::LoanApplication(
            application_to_wire(application),
        )),
    })
}

/// An application with at least two records of every history list, whose
/// records carry their identifiers.
fn with_history() -> LoanApplication {
    let mut application = application_model(1, 5, &HistoryShape::ALL).applications[3].clone();
    while application.bureau.len() < 2 {
        application.bureau.push(Default::default());
    }
    while application.previous.is_empty() {
        application.previous.push(Default::default());
    }
    for credit in &mut application.bureau {
        credit
            .balances
            .resize(credit.balances.len().max(2), Record::new());
    }
    let previous = &mut application.previous[0];
    for rows in [
        &mut previous.pos_cash,
        &mut previous.instalments,
        &mut previous.credit_card,
    ] {
        rows.resize(rows.len().max(2), Record::new());
    }
    application
}

struct Server {
    server: scoring_grpc::server::RunningServer,
    client: ScoringServiceClient<Channel>,
    _dir: tempfile::TempDir,
}

async fn server() -> Server {
    let dir = tempfile::tempdir().expect("tmp");
    let registry =
        scoring_core::registry::Registry::open(dir.path().join("registry")).expect("registry");
    application_model(10, 5, &HistoryShape::ALL).publish(&registry, "apps");
    let (server, client) = serve(&registry).await;
    Server {
        server,
        client,
        _dir: dir,
    }
}

/// Asserts Score refuses `application` with INVALID_ARGUMENT on `field`
/// and a message containing `says`; returns the message.
async fn refused(
    client: &mut ScoringServiceClient<Channel>,
    application: &LoanApplication,
    field: &str,
    says: &str,
) -> String {
    let status = client
        .score(pb::ScoreRequest {
            applicant: by_application(application),
            ..Default::default()
        })
        .await
        .expect_err("the application must be refused");
    assert_refused(&status, Code::InvalidArgument, field);
    assert!(status.message().contains(says), "{status:?}");
    status.message().to_owned()
}

#[tokio::test]
async fn unknown_columns_are_refused_naming_table_record_and_column() {
    let mut s = server().await;
    let mut application = with_history();
    application.application.push("AMT_CREDITT", 1.0);
    let message = refused(
        &mut s.client,
        &application,
        &format!("{ROOT}.application.columns[AMT_CREDITT]"),
        "application: `AMT_CREDITT` is not a column of table application",
    )
    .await;
    assert!(message.starts_with(&format!("{ROOT}.application.columns[AMT_CREDITT]: ")));

    let mut application = with_history();
    application.bureau[1].balances[1].push("STATUSES", "C");
    refused(
        &mut s.client,
        &application,
        &format!("{ROOT}.bureau[1].bureau_balance[1].columns[STATUSES]"),
        "bureau[1].bureau_balance[1]: `STATUSES` is not a column of table bureau_balance",
    )
    .await;

    // A table is named by where its records sit, so no table name can be
    // unknown; a column of another table is an unknown column.
    let mut application = with_history();
    application.previous[0].instalments[1].push("SK_DPD", 0.0);
    refused(
        &mut s.client,
        &application,
        &format!("{ROOT}.previous_application[0].installments_payments[1].columns[SK_DPD]"),
        "`SK_DPD` is not a column of table installments_payments",
    )
    .await;
    s.server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn values_of_the_wrong_type_are_refused() {
    let mut s = server().await;
    let mut application = with_history();
    application.application.set("AMT_CREDIT", "200000");
    refused(
        &mut s.client,
        &application,
        &format!("{ROOT}.application.columns[AMT_CREDIT]"),
        "application, column `AMT_CREDIT`: expected a number, found text",
    )
    .await;

    let mut application = with_history();
    application.bureau[0].credit.set("CREDIT_ACTIVE", 1.0);
    refused(
        &mut s.client,
        &application,
        &format!("{ROOT}.bureau[0].record.columns[CREDIT_ACTIVE]"),
        "bureau[0], column `CREDIT_ACTIVE`: expected text, found a number",
    )
    .await;
    s.server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn non_finite_numbers_are_refused() {
    let mut s = server().await;
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut application = with_history();
        application.previous[0].credit_card[1].set("AMT_BALANCE", bad);
        refused(
            &mut s.client,
            &application,
            &format!("{ROOT}.previous_application[0].credit_card_balance[1].columns[AMT_BALANCE]"),
            "previous_application[0].credit_card_balance[1], column `AMT_BALANCE`: ",
        )
        .await;
    }
    s.server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn records_linked_to_another_parent_than_their_own_are_refused() {
    let mut s = server().await;
    let mut application = with_history();
    application.application.set("SK_ID_CURR", 100.0);
    for credit in &mut application.bureau {
        credit.credit.set("SK_ID_CURR", 100.0);
    }
    application.bureau[1].credit.set("SK_ID_CURR", 101.0);
    refused(
        &mut s.client,
        &application,
        &format!("{ROOT}.bureau[1].record.columns[SK_ID_CURR]"),
        "bureau[1], column `SK_ID_CURR`: 101 links the record to another application record than the one it is listed under (100)",
    )
    .await;

    let mut application = with_history();
    // A record with an empty identifier is listed under its parent; this
    // one names another previous application.
    application.previous[0].pos_cash[0].set("SK_ID_PREV", Value::Missing);
    let own = application.previous[0]
        .application
        .get("SK_ID_PREV")
        .cloned();
    let Some(Value::Number(own)) = own else {
        panic!("the previous application has its id: {own:?}");
    };
    application.previous[0].pos_cash[1].set("SK_ID_PREV", own + 1.0);
    refused(
        &mut s.client,
        &application,
        &format!("{ROOT}.previous_application[0].pos_cash_balance[1].columns[SK_ID_PREV]"),
        "links the record to another previous_application record",
    )
    .await;
    s.server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn more_history_than_the_limit_is_refused_and_the_limit_itself_is_scored() {
    let mut s = server().await;
    let mut application = LoanApplication::default();
    application.bureau.push(Default::default());
    // 1 credit + 9,999 balances: the limit of 10,000 history records.
    application.bureau[0].balances = vec![Record::new(); 9_999];
    s.client
        .score(pb::ScoreRequest {
            applicant: by_application(&application),
            ..Default::default()
        })
        .await
        .expect("at the limit");
    application.bureau[0].balances.push(Record::new());
    refused(
        &mut s.client,
        &application,
        ROOT,
        "the application has 10001 history records, more than the limit of 10000",
    )
    .await;
    s.server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn explain_and_score_batch_refuse_as_score_does_and_empty_applications_are_valid() {
    let mut s = server().await;
    let mut bad = with_history();
    bad.previous[0].pos_cash[0].set("CNT_INSTALMENT", Value::Number(f64::INFINITY));
    let field = "previous_application[0].pos_cash_balance[0].columns[CNT_INSTALMENT]";
    let status = s
        .client
        .explain(pb::ExplainRequest {
            applicant: by_application(&bad),
            ..Default::default()
        })
        .await
        .expect_err("explain refuses");
    assert_refused(&status, Code::InvalidArgument, &format!("{ROOT}.{field}"));

    // No record at all, an empty application record, explicit missing
    // values and empty texts: every column missing, scored.
    let empty = pb::Applicant {
        applicant: Some(pb::applicant::Applicant::LoanApplication(
            pb::LoanApplication::default(),
        )),
    };
    let mut blank = LoanApplication::default();
    blank.application.push("AMT_CREDIT", Value::Missing);
    blank.application.push("NAME_CONTRACT_TYPE", "");
    let mut stream = s
        .client
        .score_batch(pb::ScoreBatchRequest {
            applicants: vec![
                empty,
                by_application(&bad).expect("applicant"),
                by_application(&blank).expect("applicant"),
            ],
            ..Default::default()
        })
        .await
        .expect("batch")
        .into_inner();
    let mut items = Vec::new();
    while let Some(item) = tokio_stream::StreamExt::next(&mut stream).await {
        items.push(item.expect("item").outcome.expect("outcome"));
    }
    use pb::score_batch_response::Outcome;
    let [
        Outcome::Result(empty),
        Outcome::Error(error),
        Outcome::Result(blank),
    ] = &items[..]
    else {
        panic!("one error between two results: {items:?}");
    };
    assert_eq!(error.code, Code::InvalidArgument as i32);
    assert_eq!(
        error.field,
        format!("applicants[1].loan_application.{field}")
    );
    assert!(
        error.message.contains("is not a finite number"),
        "{error:?}"
    );
    assert_eq!(empty.raw_score.to_bits(), blank.raw_score.to_bits());
    s.server.shutdown().await.expect("shutdown");
}
