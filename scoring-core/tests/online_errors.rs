//! What the online engine refuses, and how it names the record and column;
//! and the schemas it refuses to be built for.

mod applicants;

use applicants::records::rich;
use applicants::schema;
use scoring_core::Error;
use scoring_core::features::{Limits, LoanApplication, OnlineEngine, Record, Table, Value};

fn engine() -> OnlineEngine {
    OnlineEngine::kernel(&schema()).expect("engine")
}

fn refused(application: &LoanApplication) -> Error {
    engine()
        .features(application)
        .expect_err("the application must be refused")
}

#[test]
fn unknown_column_names_record_and_column() {
    let mut application = rich();
    application.application.push("AMT_CREDITT", 1.0);
    let error = refused(&application);
    assert!(
        matches!(&error, Error::UnknownColumn { at, column } if at.table == Table::Application && column == "AMT_CREDITT"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "application: `AMT_CREDITT` is not a column of table application"
    );

    let mut application = rich();
    application.bureau[2].balances[1].push("STATUSES", "C");
    let error = refused(&application);
    assert_eq!(
        error.to_string(),
        "bureau[2].bureau_balance[1]: `STATUSES` is not a column of table bureau_balance"
    );
    // A column of another table is unknown too.
    let mut application = rich();
    application.previous[0].instalments[2].push("SK_DPD", 0.0);
    let error = refused(&application);
    assert!(
        matches!(&error, Error::UnknownColumn { at, column } if at.table == Table::InstallmentsPayments && at.index == 2 && at.parent == Some(0) && column == "SK_DPD"),
        "{error:?}"
    );
}

#[test]
fn a_column_given_twice_is_refused() {
    let mut application = rich();
    application.previous[1].application.push("AMT_CREDIT", 5.0);
    let error = refused(&application);
    assert_eq!(
        error.to_string(),
        "previous_application[1]: column `AMT_CREDIT` is given twice"
    );
}

#[test]
fn values_of_the_wrong_type_are_refused() {
    let mut application = rich();
    application.application.set("AMT_CREDIT", "200000");
    let error = refused(&application);
    assert!(
        matches!(&error, Error::WrongValueType { column, expected: "a number", found: "text", .. } if column == "AMT_CREDIT"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "application, column `AMT_CREDIT`: expected a number, found text"
    );

    let mut application = rich();
    application.bureau[0].credit.set("CREDIT_ACTIVE", 1.0);
    let error = refused(&application);
    assert_eq!(
        error.to_string(),
        "bureau[0], column `CREDIT_ACTIVE`: expected text, found a number"
    );
}

#[test]
fn non_finite_numbers_are_refused() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut application = rich();
        application.previous[0].credit_card[1].set("AMT_BALANCE", bad);
        let error = refused(&application);
        assert!(
            matches!(&error, Error::NonFiniteNumber { at, column, .. } if at.table == Table::CreditCardBalance && at.index == 1 && column == "AMT_BALANCE"),
            "{error:?}"
        );
        assert!(
            error.to_string().starts_with(
                "previous_application[0].credit_card_balance[1], column `AMT_BALANCE`: "
            ),
            "{error}"
        );
    }
}

#[test]
fn records_linked_to_another_parent_are_refused() {
    let mut application = rich();
    application.bureau[1].credit.set("SK_ID_CURR", 101.0);
    let error = refused(&application);
    assert!(
        matches!(&error, Error::LinkMismatch { parent: Table::Application, value, parent_value, .. } if *value == 101.0 && *parent_value == 100.0),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "bureau[1], column `SK_ID_CURR`: 101 links the record to another application record than the one it is listed under (100)"
    );

    let mut application = rich();
    application.bureau[0].balances[2].set("SK_ID_BUREAU", 3.0);
    let error = refused(&application);
    assert!(
        matches!(
            &error,
            Error::LinkMismatch {
                parent: Table::Bureau,
                ..
            }
        ),
        "{error:?}"
    );

    let mut application = rich();
    application.previous[0].instalments[0].set("SK_ID_PREV", 11.0);
    let error = refused(&application);
    assert!(
        matches!(&error, Error::LinkMismatch { at, parent: Table::PreviousApplication, .. } if at.table == Table::InstallmentsPayments),
        "{error:?}"
    );

    // With no identifier above, a record's own is not checked.
    let mut application = rich();
    application.application.set("SK_ID_CURR", Value::Missing);
    application.previous[0].pos_cash[0].set("SK_ID_CURR", 7.0);
    let error = refused(&application);
    assert!(
        matches!(&error, Error::LinkMismatch { parent: Table::PreviousApplication, parent_value, .. } if *parent_value == 100.0),
        "the previous application names the client: {error:?}"
    );
    application.previous[0].pos_cash[0].set("SK_ID_CURR", 100.0);
    engine().features(&application).expect("consistent links");
}

#[test]
fn more_history_than_the_limit_is_refused() {
    let application = rich(); // 3 + 5 balances + 3 + 2 + 3 + 2 = 18 history rows
    assert_eq!(application.history_rows(), 18);
    let limited = |max| {
        engine().with_limits(Limits {
            max_history_rows: max,
        })
    };
    limited(18).features(&application).expect("at the limit");
    let error = limited(17)
        .features(&application)
        .expect_err("over the limit");
    assert!(
        matches!(
            error,
            Error::TooManyHistoryRows {
                found: 18,
                limit: 17
            }
        ),
        "{error:?}"
    );
    assert_eq!(Limits::default().max_history_rows, 10_000);
}

#[test]
fn an_output_of_the_wrong_length_is_refused() {
    let engine = engine();
    let mut out = vec![0.0; engine.n_features() - 1];
    let error = engine
        .features_into(&rich(), &mut engine.scratch(), &mut out)
        .expect_err("short output");
    assert!(matches!(error, Error::OutputLength { .. }), "{error:?}");
}

#[test]
fn the_engine_refuses_a_schema_the_definition_does_not_give() {
    let mut schema = schema();
    schema.features.remove(400);
    let error = OnlineEngine::kernel(&schema).expect_err("a feature less");
    assert!(
        matches!(error, Error::DefinitionSchemaMismatch { .. }),
        "{error:?}"
    );

    let mut schema = applicants::schema();
    schema.features.swap(10, 11);
    let error = OnlineEngine::kernel(&schema).expect_err("another order");
    assert!(error.to_string().contains("feature 10 is"), "{error}");

    let mut schema = applicants::schema();
    schema.vocabularies.retain(|v| v.column != "CREDIT_TYPE");
    let error = OnlineEngine::kernel(&schema).expect_err("no vocabulary");
    assert!(
        matches!(&error, Error::VocabularyMissing { table: Table::Bureau, column } if column == "CREDIT_TYPE"),
        "{error:?}"
    );
}

#[test]
fn an_empty_application_is_all_missing_but_for_codes_and_indicators() {
    let row = engine()
        .features(&LoanApplication {
            application: Record::new(),
            ..LoanApplication::default()
        })
        .expect("an empty application is valid");
    let schema = schema();
    for (spec, v) in schema.features.iter().zip(&row) {
        match (spec.source_table.as_str(), spec.kind) {
            ("application", scoring_core::FeatureKind::CategoryCode) => {
                assert_eq!(*v, -1.0, "{}", spec.name)
            }
            ("application", scoring_core::FeatureKind::Indicator) => {
                assert_eq!(*v, 0.0, "{}", spec.name)
            }
            _ => assert!(v.is_nan(), "{}", spec.name),
        }
    }
}
