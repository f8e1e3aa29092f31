//! Random loan applications with every history shape (written as the Home
//! Credit files by [`crate::home_credit`], so that the batch and the online
//! feature engines can be run on the same applicants).
//!
//! Shapes cycle with the applicant's position ([`HistoryShape::ALL`]): no
//! history, Credit Bureau credits without monthly balances, previous
//! applications without instalments, a full history, a long one. Every
//! column is drawn: some columns are missing in every record, DAYS_EMPLOYED
//! is often 365243, amounts are sometimes 0 (so 0/0 and x/0 ratios occur),
//! categories are sometimes missing or outside the given ones.

use scoring_core::features::{
    BureauCredit, ColumnType, FeatureDefinition, LoanApplication, PreviousApplication, Record,
    Table, Value,
};
use scoring_core::schema::CategoryVocabulary;

use crate::Rng;

/// How much history an applicant has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryShape {
    /// The application only.
    None,
    /// Credit Bureau credits, none with monthly balances.
    BureauWithoutBalances,
    /// Previous applications with POS and card rows but no instalments.
    PreviousWithoutInstalments,
    /// Some of everything.
    Full,
    /// About 100 history records.
    Typical,
}

impl HistoryShape {
    pub const ALL: [HistoryShape; 5] = [
        HistoryShape::None,
        HistoryShape::BureauWithoutBalances,
        HistoryShape::PreviousWithoutInstalments,
        HistoryShape::Full,
        HistoryShape::Typical,
    ];
}

/// The categories drawn for each text column (a column not listed draws
/// `c0`…`c7`).
#[derive(Debug, Clone, Default)]
pub struct Categories(pub Vec<(Table, String, Vec<String>)>);

impl Categories {
    /// About as many categories per column as the real data has (58
    /// organisation types, 24 goods categories…), named `c0`, `c1`…
    pub fn real_sized() -> Self {
        let sizes: [(Table, &str, usize); 10] = [
            (Table::Application, "ORGANIZATION_TYPE", 58),
            (Table::Application, "OCCUPATION_TYPE", 19),
            (Table::Application, "CODE_GENDER", 2),
            (Table::Application, "FLAG_OWN_CAR", 2),
            (Table::Application, "FLAG_OWN_REALTY", 2),
            (Table::PreviousApplication, "NAME_GOODS_CATEGORY", 24),
            (Table::PreviousApplication, "NAME_CASH_LOAN_PURPOSE", 20),
            (Table::PreviousApplication, "PRODUCT_COMBINATION", 17),
            (Table::PreviousApplication, "NAME_SELLER_INDUSTRY", 11),
            (Table::Bureau, "CREDIT_TYPE", 10),
        ];
        Self(
            sizes
                .iter()
                .map(|(table, column, n)| {
                    let values = (0..*n).map(|i| format!("c{i}")).collect();
                    (*table, (*column).to_owned(), values)
                })
                .collect(),
        )
    }

    /// The vocabularies `definition` needs, each made of the column's
    /// categories (`c0`…`c7` for a column not listed).
    pub fn vocabularies(&self, definition: &FeatureDefinition) -> Vec<CategoryVocabulary> {
        Table::ALL
            .iter()
            .flat_map(|t| definition.categories(*t))
            .map(|category| {
                let values = match self.of(category.table, &category.column) {
                    Some(values) => values.to_vec(),
                    None => (0..8).map(|i| format!("c{i}")).collect(),
                };
                CategoryVocabulary {
                    table: category.table.name().to_owned(),
                    column: category.column,
                    encoding: category.encoding,
                    values,
                }
            })
            .collect()
    }

    fn of(&self, table: Table, column: &str) -> Option<&[String]> {
        self.0
            .iter()
            .find(|(t, c, _)| *t == table && c == column)
            .map(|(_, _, values)| values.as_slice())
    }
}

/// A random applicant `id` with the history `shape`.
pub fn random_application(
    rng: &mut Rng,
    id: u64,
    shape: HistoryShape,
    categories: &Categories,
) -> LoanApplication {
    let (bureau, balances, previous, pos, instalments, cards) = match shape {
        HistoryShape::None => (0, 0, 0, 0, 0, 0),
        HistoryShape::BureauWithoutBalances => (1 + rng.below(4), 0, 0, 0, 0, 0),
        HistoryShape::PreviousWithoutInstalments => (0, 0, 1 + rng.below(3), 4, 0, 3),
        HistoryShape::Full => (1 + rng.below(5), 6, 1 + rng.below(4), 5, 8, 4),
        HistoryShape::Typical => (5, 12, 3, 4, 5, 2),
    };
    let mut draw = Draw { rng, categories };
    let client = Value::Number(id as f64);
    let mut application = draw.record(Table::Application);
    application.set("SK_ID_CURR", client.clone());
    application.set("TARGET", Value::Number((id % 2) as f64));
    let mut out = LoanApplication {
        application,
        ..LoanApplication::default()
    };
    for i in 0..bureau {
        let credit_id = Value::Number((id * 100 + i as u64) as f64);
        let mut credit = draw.record(Table::Bureau);
        credit.set("SK_ID_CURR", client.clone());
        credit.set("SK_ID_BUREAU", credit_id.clone());
        let n = if balances == 0 {
            0
        } else {
            draw.rng.below(balances * 2)
        };
        let balances = (0..n)
            .map(|_| {
                let mut balance = draw.record(Table::BureauBalance);
                balance.set("SK_ID_BUREAU", credit_id.clone());
                balance
            })
            .collect();
        out.bureau.push(BureauCredit { credit, balances });
    }
    for i in 0..previous {
        let previous_id = Value::Number((id * 100 + i as u64) as f64);
        let mut application = draw.record(Table::PreviousApplication);
        application.set("SK_ID_CURR", client.clone());
        application.set("SK_ID_PREV", previous_id.clone());
        let mut rows = |table: Table, most: usize| {
            let n = if most == 0 {
                0
            } else {
                draw.rng.below(most * 2)
            };
            (0..n)
                .map(|_| {
                    let mut row = draw.record(table);
                    row.set("SK_ID_CURR", client.clone());
                    row.set("SK_ID_PREV", previous_id.clone());
                    row
                })
                .collect::<Vec<_>>()
        };
        out.previous.push(PreviousApplication {
            application,
            pos_cash: rows(Table::PosCashBalance, pos),
            instalments: rows(Table::InstallmentsPayments, instalments),
            credit_card: rows(Table::CreditCardBalance, cards),
        });
    }
    out
}

struct Draw<'a> {
    rng: &'a mut Rng,
    categories: &'a Categories,
}

impl Draw<'_> {
    /// Every column of `table` but the identifiers, drawn.
    fn record(&mut self, table: Table) -> Record {
        let mut record = Record::new();
        for &(column, kind) in table.columns() {
            if column.starts_with("SK_ID_") || column == "TARGET" {
                continue;
            }
            let value = self.value(table, column, kind);
            record.push(column, value);
        }
        record
    }

    fn value(&mut self, table: Table, column: &str, kind: ColumnType) -> Value {
        // One column in nine is missing in every record.
        if fnv(column).is_multiple_of(9) || self.rng.uniform() < 0.1 {
            return Value::Missing;
        }
        match kind {
            ColumnType::Text => {
                let u = self.rng.uniform();
                if u < 0.05 {
                    return Value::Text("Unseen category".to_owned());
                }
                match self.categories.of(table, column) {
                    Some(values) if !values.is_empty() => {
                        Value::Text(values[self.rng.below(values.len())].clone())
                    }
                    _ => Value::Text(format!("c{}", self.rng.below(8))),
                }
            }
            ColumnType::Int | ColumnType::Float => {
                if column == "DAYS_EMPLOYED" && self.rng.uniform() < 0.2 {
                    return Value::Number(365_243.0);
                }
                if self.rng.uniform() < 0.05 {
                    return Value::Number(0.0);
                }
                let x = self.rng.range(-3000.0, 300_000.0) * self.rng.uniform().powi(3);
                Value::Number(if kind == ColumnType::Int {
                    x.round()
                } else {
                    (x * 1000.0).round() / 1000.0
                })
            }
        }
    }
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
