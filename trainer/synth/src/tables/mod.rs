//! The seven files of the Home Credit Default Risk layout: names and columns.
//!
//! Shared by the synthetic generator (which writes every column, in the real
//! order) and the feature pipeline (which reads only what it uses).

mod columns;

/// How a column's values are written in the CSV files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Whole numbers (identifiers, counts, days).
    Int,
    /// Real numbers, possibly empty for missing.
    Float,
    /// Categories, possibly empty for missing.
    Text,
}

/// One file of the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    ApplicationTrain,
    ApplicationTest,
    Bureau,
    BureauBalance,
    PreviousApplication,
    PosCashBalance,
    InstallmentsPayments,
    CreditCardBalance,
}

impl Table {
    pub const ALL: [Table; 8] = [
        Table::ApplicationTrain,
        Table::ApplicationTest,
        Table::Bureau,
        Table::BureauBalance,
        Table::PreviousApplication,
        Table::PosCashBalance,
        Table::InstallmentsPayments,
        Table::CreditCardBalance,
    ];

    /// File name in a data folder, exactly as in the original data set.
    pub fn file_name(self) -> &'static str {
        match self {
            Table::ApplicationTrain => "application_train.csv",
            Table::ApplicationTest => "application_test.csv",
            Table::Bureau => "bureau.csv",
            Table::BureauBalance => "bureau_balance.csv",
            Table::PreviousApplication => "previous_application.csv",
            Table::PosCashBalance => "POS_CASH_balance.csv",
            Table::InstallmentsPayments => "installments_payments.csv",
            Table::CreditCardBalance => "credit_card_balance.csv",
        }
    }

    /// Short name used in feature schemas and messages.
    pub fn short_name(self) -> &'static str {
        match self {
            Table::ApplicationTrain | Table::ApplicationTest => "application",
            Table::Bureau => "bureau",
            Table::BureauBalance => "bureau_balance",
            Table::PreviousApplication => "previous_application",
            Table::PosCashBalance => "POS_CASH_balance",
            Table::InstallmentsPayments => "installments_payments",
            Table::CreditCardBalance => "credit_card_balance",
        }
    }

    /// Every column of the full original file, in file order.
    pub fn columns(self) -> impl Iterator<Item = (&'static str, ColumnType)> {
        let all = match self {
            Table::ApplicationTrain | Table::ApplicationTest => columns::APPLICATION_TRAIN_COLUMNS,
            Table::Bureau => columns::BUREAU_COLUMNS,
            Table::BureauBalance => columns::BUREAU_BALANCE_COLUMNS,
            Table::PreviousApplication => columns::PREVIOUS_APPLICATION_COLUMNS,
            Table::PosCashBalance => columns::POS_CASH_BALANCE_COLUMNS,
            Table::InstallmentsPayments => columns::INSTALLMENTS_PAYMENTS_COLUMNS,
            Table::CreditCardBalance => columns::CREDIT_CARD_BALANCE_COLUMNS,
        };
        // The test file is the train file without its label.
        let skip_target = self == Table::ApplicationTest;
        all.iter()
            .copied()
            .filter(move |(name, _)| !(skip_target && *name == "TARGET"))
    }

    /// Type of a column of this table, if the table has it.
    pub fn column_type(self, column: &str) -> Option<ColumnType> {
        self.columns()
            .find(|(name, _)| *name == column)
            .map(|(_, t)| t)
    }
}
