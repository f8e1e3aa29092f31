//! The eight files of the Home Credit Default Risk layout: names and columns.
//!
//! Shared by the synthetic generator (which writes every column, in the real
//! order) and the feature pipeline (which reads only what it uses). The
//! columns are those of [`scoring_core::features::Table`], the layout the
//! feature definition and the online engine use.

use scoring_core::features::Table as Layout;

/// How a column's values are written in the CSV files.
pub use scoring_core::features::ColumnType;

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
        self.layout().name()
    }

    /// Every column of the full original file, in file order.
    pub fn columns(self) -> impl Iterator<Item = (&'static str, ColumnType)> {
        let all = self.layout().columns();
        // The test file is the train file without its label.
        let skip_target = self == Table::ApplicationTest;
        all.iter()
            .copied()
            .filter(move |(name, _)| !(skip_target && *name == "TARGET"))
    }

    /// The table of the layout this file holds rows of.
    pub fn layout(self) -> Layout {
        match self {
            Table::ApplicationTrain | Table::ApplicationTest => Layout::Application,
            Table::Bureau => Layout::Bureau,
            Table::BureauBalance => Layout::BureauBalance,
            Table::PreviousApplication => Layout::PreviousApplication,
            Table::PosCashBalance => Layout::PosCashBalance,
            Table::InstallmentsPayments => Layout::InstallmentsPayments,
            Table::CreditCardBalance => Layout::CreditCardBalance,
        }
    }

    /// Type of a column of this table, if the table has it.
    pub fn column_type(self, column: &str) -> Option<ColumnType> {
        self.columns()
            .find(|(name, _)| *name == column)
            .map(|(_, t)| t)
    }
}
