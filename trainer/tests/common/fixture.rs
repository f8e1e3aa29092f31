//! The small hand-made data set the feature tests are computed on.

use std::path::Path;

use synth::tables::Table;

use super::write_table;

/// A client with a history in every table.
pub const RICH: i64 = 100001;
/// A training client with no history at all.
pub const NO_HISTORY: i64 = 100002;
/// A test client (no TARGET) whose CODE_GENDER is XNA.
pub const TEST_CLIENT: i64 = 100003;

/// Writes the fixture data set into `dir`.
pub fn write_fixture(dir: &Path) {
    write_table(
        dir,
        Table::ApplicationTrain,
        &[
            &[
                ("SK_ID_CURR", "100001"),
                ("TARGET", "1"),
                ("NAME_CONTRACT_TYPE", "Cash loans"),
                ("CODE_GENDER", "M"),
                ("FLAG_OWN_CAR", "N"),
                ("FLAG_OWN_REALTY", "Y"),
                ("AMT_INCOME_TOTAL", "100000.0"),
                ("AMT_CREDIT", "200000.0"),
                ("AMT_ANNUITY", "10000.0"),
                ("CNT_FAM_MEMBERS", "2.0"),
                ("DAYS_BIRTH", "-10000"),
                ("DAYS_EMPLOYED", "-1000"),
                ("NAME_TYPE_SUITE", "\"Spouse, partner\""),
            ],
            &[
                ("SK_ID_CURR", "100002"),
                ("TARGET", "0"),
                ("NAME_CONTRACT_TYPE", "Revolving loans"),
                ("CODE_GENDER", "F"),
                ("FLAG_OWN_CAR", "Y"),
                ("FLAG_OWN_REALTY", "N"),
                ("AMT_INCOME_TOTAL", "50000.0"),
                ("AMT_CREDIT", "100000.0"),
                ("DAYS_BIRTH", "-20000"),
                ("DAYS_EMPLOYED", "365243"),
            ],
        ],
    );
    write_table(
        dir,
        Table::ApplicationTest,
        &[&[
            ("SK_ID_CURR", "100003"),
            ("CODE_GENDER", "XNA"),
            ("FLAG_OWN_CAR", "N"),
            ("FLAG_OWN_REALTY", "Y"),
        ]],
    );
    let credit = |client, id, active, days, sum, debt, kind| -> Vec<(&'static str, &'static str)> {
        vec![
            ("SK_ID_CURR", client),
            ("SK_ID_BUREAU", id),
            ("CREDIT_ACTIVE", active),
            ("CREDIT_CURRENCY", "currency 1"),
            ("DAYS_CREDIT", days),
            ("AMT_CREDIT_SUM", sum),
            ("AMT_CREDIT_SUM_DEBT", debt),
            ("CREDIT_TYPE", kind),
        ]
    };
    write_table(
        dir,
        Table::Bureau,
        &[
            &credit(
                "100001",
                "5000001",
                "Active",
                "-100",
                "1000.0",
                "500.0",
                "Consumer credit",
            ),
            &credit(
                "100001",
                "5000002",
                "Closed",
                "-300",
                "3000.0",
                "",
                "Credit card",
            ),
            &credit("100001", "5000003", "Active", "-200", "", "100.0", ""),
            // A client absent from the application files is ignored.
            &credit(
                "999999", "5000004", "Active", "-1", "1.0", "1.0", "Mortgage",
            ),
        ],
    );
    let month = |id, m, status| -> Vec<(&'static str, &'static str)> {
        vec![
            ("SK_ID_BUREAU", id),
            ("MONTHS_BALANCE", m),
            ("STATUS", status),
        ]
    };
    write_table(
        dir,
        Table::BureauBalance,
        &[
            &month("5000001", "0", "0"),
            &month("5000001", "-1", "1"),
            &month("5000001", "-2", "X"),
            &month("5000002", "0", "C"),
        ],
    );
    let previous = |id, status, asked, granted| -> Vec<(&'static str, &'static str)> {
        vec![
            ("SK_ID_PREV", id),
            ("SK_ID_CURR", "100001"),
            ("NAME_CONTRACT_STATUS", status),
            ("AMT_APPLICATION", asked),
            ("AMT_CREDIT", granted),
            ("DAYS_FIRST_DUE", "365243.0"),
        ]
    };
    write_table(
        dir,
        Table::PreviousApplication,
        &[
            &previous("1000001", "Approved", "1000.0", "800.0"),
            &previous("1000002", "Refused", "0.0", "0.0"),
            &previous("1000003", "Approved", "2000.0", "2500.0"),
        ],
    );
    let pos = |m, dpd, status| -> Vec<(&'static str, &'static str)> {
        vec![
            ("SK_ID_PREV", "1000001"),
            ("SK_ID_CURR", "100001"),
            ("MONTHS_BALANCE", m),
            ("SK_DPD", dpd),
            ("SK_DPD_DEF", "0"),
            ("NAME_CONTRACT_STATUS", status),
        ]
    };
    write_table(
        dir,
        Table::PosCashBalance,
        &[&pos("-1", "0", "Active"), &pos("-2", "10", "Completed")],
    );
    let instalment =
        |version, due, paid_on, due_amount, paid| -> Vec<(&'static str, &'static str)> {
            vec![
                ("SK_ID_PREV", "1000001"),
                ("SK_ID_CURR", "100001"),
                ("NUM_INSTALMENT_VERSION", version),
                ("DAYS_INSTALMENT", due),
                ("DAYS_ENTRY_PAYMENT", paid_on),
                ("AMT_INSTALMENT", due_amount),
                ("AMT_PAYMENT", paid),
            ]
        };
    write_table(
        dir,
        Table::InstallmentsPayments,
        &[
            &instalment("1.0", "-30.0", "-25.0", "100.0", "50.0"),
            &instalment("1.0", "-60.0", "-70.0", "100.0", "100.0"),
            &instalment("2.0", "-90.0", "", "100.0", ""),
        ],
    );
    let card = |balance| -> Vec<(&'static str, &'static str)> {
        vec![
            ("SK_ID_PREV", "1000003"),
            ("SK_ID_CURR", "100001"),
            ("MONTHS_BALANCE", "-1"),
            ("AMT_BALANCE", balance),
            ("NAME_CONTRACT_STATUS", "Active"),
        ]
    };
    write_table(
        dir,
        Table::CreditCardBalance,
        &[&card("100.0"), &card("300.0")],
    );
}
