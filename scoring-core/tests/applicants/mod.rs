//! Small loan applications and the vocabularies they are encoded with, for
//! the tests of the feature definition and of the online engine.
#![allow(dead_code, unreachable_pub)]

pub mod records;

use scoring_core::FeatureSchema;
use scoring_core::features::{ColumnDescriptions, Table, kernel_definition};
use scoring_core::schema::CategoryVocabulary;

/// The vocabulary of each category column the kernel encodes; the columns
/// not listed have an empty one.
const VALUES: [(Table, &str, &[&str]); 12] = [
    (
        Table::Application,
        "NAME_CONTRACT_TYPE",
        &["Cash loans", "Revolving loans"],
    ),
    (Table::Application, "CODE_GENDER", &["M", "F"]),
    (Table::Application, "FLAG_OWN_CAR", &["N", "Y"]),
    (Table::Application, "FLAG_OWN_REALTY", &["Y", "N"]),
    (
        Table::Application,
        "NAME_TYPE_SUITE",
        &["Spouse, partner", "Unaccompanied"],
    ),
    (Table::BureauBalance, "STATUS", &["0", "1", "C", "X"]),
    (Table::Bureau, "CREDIT_ACTIVE", &["Active", "Closed"]),
    (
        Table::Bureau,
        "CREDIT_TYPE",
        &["Consumer credit", "Credit card"],
    ),
    (
        Table::PreviousApplication,
        "NAME_CONTRACT_STATUS",
        &["Approved", "Refused"],
    ),
    (
        Table::PreviousApplication,
        "NAME_CONTRACT_TYPE",
        &["Cash loans"],
    ),
    (
        Table::PosCashBalance,
        "NAME_CONTRACT_STATUS",
        &["Active", "Completed"],
    ),
    (
        Table::CreditCardBalance,
        "NAME_CONTRACT_STATUS",
        &["Active"],
    ),
];

/// The vocabularies of [`VALUES`] for every category column of the kernel.
pub fn vocabularies() -> Vec<CategoryVocabulary> {
    let definition = kernel_definition(&ColumnDescriptions::new());
    Table::ALL
        .iter()
        .flat_map(|t| definition.categories(*t))
        .map(|category| CategoryVocabulary {
            table: category.table.name().to_owned(),
            values: VALUES
                .iter()
                .find(|(t, c, _)| *t == category.table && *c == category.column)
                .map(|(_, _, v)| v.iter().map(|s| (*s).to_owned()).collect())
                .unwrap_or_default(),
            column: category.column,
            encoding: category.encoding,
        })
        .collect()
}

/// The kernel's schema with [`vocabularies`].
pub fn schema() -> FeatureSchema {
    kernel_definition(&ColumnDescriptions::new())
        .schema(&vocabularies())
        .expect("the kernel definition resolves")
}

/// The value of feature `name` in `row`.
#[track_caller]
pub fn value(schema: &FeatureSchema, row: &[f64], name: &str) -> f64 {
    let position = schema
        .position(name)
        .unwrap_or_else(|| panic!("no feature {name}"));
    row[position]
}

/// Asserts feature `name` is `expected` (relative 1e-12), or missing for NaN.
#[track_caller]
pub fn assert_feature(schema: &FeatureSchema, row: &[f64], name: &str, expected: f64) {
    let actual = value(schema, row, name);
    let same = if expected.is_nan() {
        actual.is_nan()
    } else {
        actual == expected || (actual - expected).abs() <= 1e-12 * expected.abs()
    };
    assert!(same, "{name}: got {actual}, expected {expected}");
}
