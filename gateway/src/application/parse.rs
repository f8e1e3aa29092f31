//! From the typed form to the contract's `LoanApplication`, each value
//! checked and converted as its field's unit says (a bad one is a 400
//! naming the field), and back: the field a service refusal names.

use std::collections::HashMap;

use scoring_proto::scoring::v1::{
    BureauCredit, LoanApplication, PreviousApplication, Record, RecordValue, record_value,
};
use tonic_types::StatusExt;

use super::fields::HISTORY_ROWS;
use super::{Form, FormField, Unit};
use crate::error::AppError;
use crate::routes::parse_number;

/// The form as typed: field name to text (the last value of a name wins).
pub type Typed = HashMap<String, String>;

const DAYS_PER_YEAR: f64 = 365.25;
/// The longest span typed in years (an age, a duration).
const MAX_YEARS: f64 = 150.0;

/// The value of `field` typed as `text` (`None` when left empty).
pub(super) fn value_of(
    field: &FormField,
    name: &str,
    text: &str,
) -> Result<Option<RecordValue>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || AppError::bad(name);
    let number = |x: f64| record_value::Value::Number(x);
    let value = match field.unit {
        Unit::Choice => {
            if !field.choices.iter().any(|c| c == text) {
                return Err(bad());
            }
            record_value::Value::Text(text.to_owned())
        }
        Unit::Flag => match text {
            "1" => number(1.0),
            "0" => number(0.0),
            _ => return Err(bad()),
        },
        Unit::YearsAgo => {
            let years = parse_number(text, name)?;
            if !(0.0..=MAX_YEARS).contains(&years) {
                return Err(bad());
            }
            // Whole days before the application, as the files hold them
            // (0.0 - x so that zero years is +0, not -0).
            number(0.0 - (years * DAYS_PER_YEAR).round())
        }
        Unit::Amount => {
            let amount = parse_number(text, name)?;
            if amount < 0.0 {
                return Err(bad());
            }
            number(amount)
        }
        Unit::Share => {
            let share = parse_number(text, name)?;
            if !(0.0..=1.0).contains(&share) {
                return Err(bad());
            }
            number(share)
        }
        Unit::Number => number(parse_number(text, name)?),
    };
    Ok(Some(RecordValue { value: Some(value) }))
}

/// The record of `fields` named `prefix` + column; `None` when every
/// field is empty.
fn record_of(
    fields: &[FormField],
    prefix: &str,
    typed: &Typed,
) -> Result<Option<Record>, AppError> {
    let mut record = Record::default();
    for field in fields {
        let name = format!("{prefix}{}", field.column);
        let text = typed.get(&name).map(String::as_str).unwrap_or("");
        if let Some(value) = value_of(field, &name, text)? {
            record.columns.insert(field.column.clone(), value);
        }
    }
    Ok((!record.columns.is_empty()).then_some(record))
}

impl Form {
    /// The loan application typed in the form, and for each history record
    /// sent the form row it came from (rows left empty are not sent):
    /// `(application, bureau rows, previous rows)`.
    pub fn application_of(
        &self,
        typed: &Typed,
    ) -> Result<(LoanApplication, Vec<usize>, Vec<usize>), AppError> {
        let mut application = LoanApplication {
            application: Some(record_of(&self.application, "", typed)?.unwrap_or_default()),
            ..Default::default()
        };
        let (mut bureau_rows, mut previous_rows) = (Vec::new(), Vec::new());
        for row in 0..HISTORY_ROWS {
            if let Some(record) = record_of(&self.bureau, &format!("bureau_{row}_"), typed)? {
                application.bureau.push(BureauCredit {
                    record: Some(record),
                    bureau_balance: Vec::new(),
                });
                bureau_rows.push(row);
            }
            if let Some(record) = record_of(&self.previous, &format!("previous_{row}_"), typed)? {
                application.previous_application.push(PreviousApplication {
                    record: Some(record),
                    ..Default::default()
                });
                previous_rows.push(row);
            }
        }
        Ok((application, bureau_rows, previous_rows))
    }
}

/// The form field a refusal of the service names (its BadRequest field,
/// e.g. `applicant.loan_application.bureau[0].record.columns[DAYS_CREDIT]`),
/// given the form rows the history records came from.
pub fn field_of_refusal(
    status: &tonic::Status,
    bureau_rows: &[usize],
    previous_rows: &[usize],
) -> Option<String> {
    let violation = status
        .get_details_bad_request()?
        .field_violations
        .into_iter()
        .next()?;
    let path = violation
        .field
        .strip_prefix("applicant.loan_application.")?;
    let (record, column) = path.split_once(".columns[")?;
    let column = column.strip_suffix(']')?;
    let row = |list: &str, rows: &[usize]| -> Option<usize> {
        let index = record
            .strip_prefix(list)?
            .strip_prefix('[')?
            .strip_suffix("].record")?;
        rows.get(index.parse::<usize>().ok()?).copied()
    };
    if record == "application" {
        Some(column.to_owned())
    } else if let Some(row) = row("bureau", bureau_rows) {
        Some(format!("bureau_{row}_{column}"))
    } else {
        row("previous_application", previous_rows).map(|row| format!("previous_{row}_{column}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::test_field as field;

    fn form() -> Form {
        Form {
            application: vec![
                field("DAYS_BIRTH", Unit::YearsAgo, &[]),
                field("AMT_CREDIT", Unit::Amount, &[]),
                field("NAME_CONTRACT_TYPE", Unit::Choice, &["Cash loans"]),
                field("EXT_SOURCE_2", Unit::Share, &[]),
                field("FLAG_PHONE", Unit::Flag, &[]),
            ],
            bureau: vec![field("AMT_CREDIT_SUM", Unit::Amount, &[])],
            previous: vec![field("DAYS_DECISION", Unit::YearsAgo, &[])],
        }
    }

    fn typed(pairs: &[(&str, &str)]) -> Typed {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn number(record: &Record, column: &str) -> f64 {
        match record.columns[column].value {
            Some(record_value::Value::Number(x)) => x,
            ref other => panic!("{other:?}"),
        }
    }

    #[test]
    fn years_become_negative_whole_days_and_empty_rows_are_left_out() {
        let (application, bureau, previous) = form()
            .application_of(&typed(&[
                ("DAYS_BIRTH", "40"),
                ("AMT_CREDIT", "250000,5"),
                ("NAME_CONTRACT_TYPE", "Cash loans"),
                ("FLAG_PHONE", "1"),
                ("bureau_1_AMT_CREDIT_SUM", "1000"),
                ("previous_0_DAYS_DECISION", "0"),
            ]))
            .unwrap();
        let record = application.application.unwrap();
        assert_eq!(number(&record, "DAYS_BIRTH"), -14_610.0);
        assert_eq!(number(&record, "AMT_CREDIT"), 250_000.5);
        assert_eq!(number(&record, "FLAG_PHONE"), 1.0);
        assert!(
            !record.columns.contains_key("EXT_SOURCE_2"),
            "empty = missing"
        );
        assert_eq!((bureau, previous), (vec![1], vec![0]));
        let decision = number(
            application.previous_application[0].record.as_ref().unwrap(),
            "DAYS_DECISION",
        );
        assert_eq!(decision.to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn a_bad_value_names_its_field() {
        let form = form();
        for (name, text) in [
            ("DAYS_BIRTH", "-3"),
            ("DAYS_BIRTH", "200"),
            ("AMT_CREDIT", "-1"),
            ("AMT_CREDIT", "lots"),
            ("NAME_CONTRACT_TYPE", "Mortgage"),
            ("EXT_SOURCE_2", "1.5"),
            ("FLAG_PHONE", "2"),
            ("bureau_2_AMT_CREDIT_SUM", "inf"),
            ("previous_1_DAYS_DECISION", "NaN"),
        ] {
            match form.application_of(&typed(&[(name, text)])) {
                Err(AppError::BadInput { field }) => assert_eq!(field, name, "{text}"),
                other => panic!("{name}={text}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_refusal_names_the_form_field_of_its_record() {
        let refusal = |field: &str| {
            tonic::Status::with_error_details(
                tonic::Code::InvalidArgument,
                "bad",
                tonic_types::ErrorDetails::with_bad_request_violation(field, "why"),
            )
        };
        let at = |field: &str| field_of_refusal(&refusal(field), &[2], &[0, 2]);
        assert_eq!(
            at("applicant.loan_application.application.columns[AMT_CREDIT]").as_deref(),
            Some("AMT_CREDIT")
        );
        assert_eq!(
            at("applicant.loan_application.bureau[0].record.columns[AMT_CREDIT_SUM]").as_deref(),
            Some("bureau_2_AMT_CREDIT_SUM")
        );
        assert_eq!(
            at("applicant.loan_application.previous_application[1].record.columns[X]").as_deref(),
            Some("previous_2_X")
        );
        assert_eq!(at("applicant.loan_application"), None);
        assert_eq!(
            at("applicant.loan_application.bureau[5].record.columns[X]"),
            None
        );
        assert_eq!(
            field_of_refusal(&tonic::Status::invalid_argument("x"), &[], &[]),
            None
        );
    }
}
