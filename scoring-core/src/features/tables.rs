//! The seven tables of the Home Credit Default Risk layout: their names, their
//! columns and how their rows link to each other.
//!
//! A loan application is one `application` row; the client's Credit Bureau
//! credits (`bureau`) each carry their monthly balances (`bureau_balance`);
//! the client's previous applications (`previous_application`) each carry
//! their monthly POS and cash balances, instalments and credit card balances.

use serde::{Deserialize, Serialize};

#[path = "layout.rs"]
mod layout;

/// How a column's values are written in the Home Credit files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// Whole numbers (identifiers, counts, days).
    Int,
    /// Real numbers, possibly missing.
    Float,
    /// Categories, possibly missing.
    Text,
}

impl ColumnType {
    /// True for the two numeric types.
    pub fn is_numeric(self) -> bool {
        self != ColumnType::Text
    }
}

/// One table of the layout (`application` stands for both the train and the
/// test file: the test file is the train file without `TARGET`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Table {
    #[serde(rename = "application")]
    Application,
    #[serde(rename = "bureau")]
    Bureau,
    #[serde(rename = "bureau_balance")]
    BureauBalance,
    #[serde(rename = "previous_application")]
    PreviousApplication,
    #[serde(rename = "POS_CASH_balance")]
    PosCashBalance,
    #[serde(rename = "installments_payments")]
    InstallmentsPayments,
    #[serde(rename = "credit_card_balance")]
    CreditCardBalance,
}

/// The column that identifies a client in every table but `bureau_balance`.
pub const CLIENT_ID: &str = "SK_ID_CURR";

impl Table {
    pub const ALL: [Table; 7] = [
        Table::Application,
        Table::Bureau,
        Table::BureauBalance,
        Table::PreviousApplication,
        Table::PosCashBalance,
        Table::InstallmentsPayments,
        Table::CreditCardBalance,
    ];

    /// The name used in feature schemas, vocabularies and messages.
    pub fn name(self) -> &'static str {
        match self {
            Table::Application => "application",
            Table::Bureau => "bureau",
            Table::BureauBalance => "bureau_balance",
            Table::PreviousApplication => "previous_application",
            Table::PosCashBalance => "POS_CASH_balance",
            Table::InstallmentsPayments => "installments_payments",
            Table::CreditCardBalance => "credit_card_balance",
        }
    }

    /// The table called `name` (as [`Table::name`] writes it).
    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Every column of the original file, in file order (`application`: the
    /// train file's, with `TARGET`).
    pub fn columns(self) -> &'static [(&'static str, ColumnType)] {
        match self {
            Table::Application => layout::APPLICATION,
            Table::Bureau => layout::BUREAU,
            Table::BureauBalance => layout::BUREAU_BALANCE,
            Table::PreviousApplication => layout::PREVIOUS_APPLICATION,
            Table::PosCashBalance => layout::POS_CASH_BALANCE,
            Table::InstallmentsPayments => layout::INSTALLMENTS_PAYMENTS,
            Table::CreditCardBalance => layout::CREDIT_CARD_BALANCE,
        }
    }

    /// Position of `column` in [`Table::columns`].
    pub fn position(self, column: &str) -> Option<usize> {
        self.columns().iter().position(|(name, _)| *name == column)
    }

    /// Type of a column of this table, if the table has it.
    pub fn column_type(self, column: &str) -> Option<ColumnType> {
        self.position(column).map(|i| self.columns()[i].1)
    }

    /// The table whose rows this table's rows belong to, and the column
    /// holding the parent's identifier: a monthly bureau balance belongs to a
    /// bureau credit, a POS, instalment or card row to a previous
    /// application, and both of those to the application.
    pub fn parent(self) -> Option<(Table, &'static str)> {
        match self {
            Table::Application => None,
            Table::Bureau | Table::PreviousApplication => Some((Table::Application, CLIENT_ID)),
            Table::BureauBalance => Some((Table::Bureau, "SK_ID_BUREAU")),
            Table::PosCashBalance | Table::InstallmentsPayments | Table::CreditCardBalance => {
                Some((Table::PreviousApplication, "SK_ID_PREV"))
            }
        }
    }

    /// True when the table's rows carry the client identifier, so that they
    /// can be reduced per client (every table but `bureau_balance`).
    pub fn has_client_id(self) -> bool {
        self.position(CLIENT_ID).is_some()
    }
}

impl std::str::FromStr for Table {
    type Err = crate::Error;

    /// The table called `name`, or [`crate::Error::UnknownTable`].
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Table::from_name(name).ok_or_else(|| crate::Error::UnknownTable {
            name: name.to_owned(),
        })
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for table in Table::ALL {
            assert_eq!(Table::from_name(table.name()), Some(table));
            let json = serde_json::to_string(&table).expect("serialises");
            assert_eq!(json, format!("\"{}\"", table.name()));
        }
        assert_eq!(Table::from_name("application_train"), None);
        let error = "bureaux".parse::<Table>().expect_err("unknown");
        assert!(matches!(&error, crate::Error::UnknownTable { name } if name == "bureaux"));
        for table in Table::ALL {
            assert!(error.to_string().contains(table.name()), "{error}");
        }
    }

    #[test]
    fn every_child_carries_its_parent_key() {
        for table in Table::ALL {
            if let Some((parent, key)) = table.parent() {
                assert!(table.position(key).is_some(), "{table} lacks {key}");
                assert!(parent.position(key).is_some(), "{parent} lacks {key}");
            }
        }
        assert!(!Table::BureauBalance.has_client_id());
        assert!(Table::CreditCardBalance.has_client_id());
    }
}
