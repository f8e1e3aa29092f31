//! A loan application from the wire into scoring-core's
//! [`LoanApplication`], and the online engine's refusals of its records
//! back into request fields.
//!
//! The wire message is taken by value: its column names and texts move
//! into the domain records without being copied.

use scoring_core::features::{
    BureauCredit, LoanApplication, PreviousApplication, Record, RecordAt, Table, Value,
};
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::record_value::Value as WireValue;

use crate::error::ServiceError;

/// The domain form of a wire loan application (an absent record is an
/// empty one: every column missing).
pub fn application_from_wire(application: pb::LoanApplication) -> LoanApplication {
    let pb::LoanApplication {
        application,
        bureau,
        previous_application,
    } = application;
    LoanApplication {
        application: record_from_wire(application),
        bureau: bureau.into_iter().map(bureau_credit_from_wire).collect(),
        previous: previous_application
            .into_iter()
            .map(previous_from_wire)
            .collect(),
    }
}

fn bureau_credit_from_wire(credit: pb::BureauCredit) -> BureauCredit {
    let pb::BureauCredit {
        record,
        bureau_balance,
    } = credit;
    BureauCredit {
        credit: record_from_wire(record),
        balances: records_from_wire(bureau_balance),
    }
}

fn previous_from_wire(previous: pb::PreviousApplication) -> PreviousApplication {
    let pb::PreviousApplication {
        record,
        pos_cash_balance,
        installments_payments,
        credit_card_balance,
    } = previous;
    PreviousApplication {
        application: record_from_wire(record),
        pos_cash: records_from_wire(pos_cash_balance),
        instalments: records_from_wire(installments_payments),
        credit_card: records_from_wire(credit_card_balance),
    }
}

fn records_from_wire(records: Vec<pb::Record>) -> Vec<Record> {
    records
        .into_iter()
        .map(|r| record_from_wire(Some(r)))
        .collect()
}

fn record_from_wire(record: Option<pb::Record>) -> Record {
    let Some(pb::Record { columns }) = record else {
        return Record::new();
    };
    Record {
        fields: columns
            .into_iter()
            .map(|(column, value)| (column, value_from_wire(value)))
            .collect(),
    }
}

fn value_from_wire(value: pb::RecordValue) -> Value {
    let pb::RecordValue { value } = value;
    match value {
        Some(WireValue::Number(x)) => Value::Number(x),
        Some(WireValue::Text(text)) => Value::Text(text),
        Some(WireValue::Missing(pb::MissingValue {})) | None => Value::Missing,
    }
}

/// The wire form of a domain loan application (for clients and tests that
/// hold applications as scoring-core's types).
pub fn application_to_wire(application: &LoanApplication) -> pb::LoanApplication {
    let LoanApplication {
        application,
        bureau,
        previous,
    } = application;
    pb::LoanApplication {
        application: Some(record_to_wire(application)),
        bureau: bureau
            .iter()
            .map(|b| pb::BureauCredit {
                record: Some(record_to_wire(&b.credit)),
                bureau_balance: b.balances.iter().map(record_to_wire).collect(),
            })
            .collect(),
        previous_application: previous
            .iter()
            .map(|p| pb::PreviousApplication {
                record: Some(record_to_wire(&p.application)),
                pos_cash_balance: p.pos_cash.iter().map(record_to_wire).collect(),
                installments_payments: p.instalments.iter().map(record_to_wire).collect(),
                credit_card_balance: p.credit_card.iter().map(record_to_wire).collect(),
            })
            .collect(),
    }
}

fn record_to_wire(record: &Record) -> pb::Record {
    pb::Record {
        columns: record
            .fields
            .iter()
            .map(|(column, value)| {
                let value = match value {
                    Value::Number(x) => WireValue::Number(*x),
                    Value::Text(text) => WireValue::Text(text.clone()),
                    Value::Missing => WireValue::Missing(pb::MissingValue {}),
                };
                (column.clone(), pb::RecordValue { value: Some(value) })
            })
            .collect(),
    }
}

/// The request path of the record at `at` in the loan application of the
/// applicant field `field`, e.g.
/// `applicant.loan_application.bureau[2].bureau_balance[1]`.
pub fn record_path(field: &str, at: &RecordAt) -> String {
    let application = format!("{field}.loan_application");
    let (index, parent) = (at.index, at.parent.unwrap_or_default());
    let previous_row =
        |list: &str| format!("{application}.previous_application[{parent}].{list}[{index}]");
    match at.table {
        Table::Application => format!("{application}.application"),
        Table::Bureau => format!("{application}.bureau[{index}].record"),
        Table::BureauBalance => format!("{application}.bureau[{parent}].bureau_balance[{index}]"),
        Table::PreviousApplication => {
            format!("{application}.previous_application[{index}].record")
        }
        Table::PosCashBalance => previous_row("pos_cash_balance"),
        Table::InstallmentsPayments => previous_row("installments_payments"),
        Table::CreditCardBalance => previous_row("credit_card_balance"),
    }
}

/// The online engine's refusal of an application (the applicant field
/// `field`) as a request error naming the record's path and column; an
/// error that is not about the input stays a model error.
pub fn application_error(error: scoring_core::Error, field: &str) -> ServiceError {
    use scoring_core::Error as E;
    let column_path =
        |at: &RecordAt, column: &str| format!("{}.columns[{column}]", record_path(field, at));
    match &error {
        E::UnknownColumn { at, column }
        | E::DuplicateColumn { at, column }
        | E::WrongValueType { at, column, .. }
        | E::NonFiniteNumber { at, column, .. }
        | E::LinkMismatch { at, column, .. } => {
            ServiceError::invalid(column_path(at, column), error.to_string())
        }
        E::TooManyHistoryRows { .. } | E::UnknownTable { .. } => {
            ServiceError::invalid(format!("{field}.loan_application"), error.to_string())
        }
        // Not caused by the records (the engine's own buffers).
        _ => ServiceError::Model(error),
    }
}
