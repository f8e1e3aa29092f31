//! The fields of the application form: which Home Credit column each is,
//! the group it sits in, how an officer types it (years, an amount, a
//! choice...) and its label. Only the columns the live model uses are
//! shown (see [`super::Form::of_model`]); a column the model uses that is
//! not listed here goes into the "other fields" group as a plain number.

/// How a field is typed and turned into the column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Years before the application, stored as negative days
    /// (`DAYS_* = −round(years × 365.25)`, whole days as in the files).
    YearsAgo,
    /// An amount of money (zero or more).
    Amount,
    /// A plain number (counts, ratings, hours, years).
    Number,
    /// A score between 0 and 1.
    Share,
    /// Yes (1) or no (0).
    Flag,
    /// One of the model's categories of the column (a `<select>`).
    Choice,
}

/// A group of fields; the last two are collapsed in a `<details>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Loan,
    Applicant,
    Income,
    Housing,
    Scores,
    Documents,
    Other,
}

impl Group {
    /// Every group, in page order.
    pub const ALL: [Group; 7] = [
        Group::Loan,
        Group::Applicant,
        Group::Income,
        Group::Housing,
        Group::Scores,
        Group::Documents,
        Group::Other,
    ];

    /// Its translation key (`group_loan`...).
    pub fn key(self) -> &'static str {
        match self {
            Group::Loan => "group_loan",
            Group::Applicant => "group_applicant",
            Group::Income => "group_income",
            Group::Housing => "group_housing",
            Group::Scores => "group_scores",
            Group::Documents => "group_documents",
            Group::Other => "group_other",
        }
    }

    /// Whether the group starts collapsed.
    pub fn collapsed(self) -> bool {
        matches!(self, Group::Documents | Group::Other)
    }
}

/// One application column of the form: (column, group, unit, label key;
/// an empty key labels the field with the model's description of it).
pub type Field = (&'static str, Group, Unit, &'static str);

/// The application's columns an officer knows, by group, in page order.
/// Text columns are [`Unit::Choice`] whatever is written here when the
/// model has their vocabulary.
#[rustfmt::skip]
pub const APPLICATION: &[Field] = &[
    ("NAME_CONTRACT_TYPE", Group::Loan, Unit::Choice, "col_contract_type"),
    ("AMT_CREDIT", Group::Loan, Unit::Amount, "col_credit"),
    ("AMT_ANNUITY", Group::Loan, Unit::Amount, "col_annuity"),
    ("AMT_GOODS_PRICE", Group::Loan, Unit::Amount, "col_goods"),
    ("NAME_TYPE_SUITE", Group::Loan, Unit::Choice, "col_suite"),
    ("WEEKDAY_APPR_PROCESS_START", Group::Loan, Unit::Choice, "col_weekday"),
    ("HOUR_APPR_PROCESS_START", Group::Loan, Unit::Number, "col_hour"),
    ("CODE_GENDER", Group::Applicant, Unit::Choice, "col_gender"),
    ("DAYS_BIRTH", Group::Applicant, Unit::YearsAgo, "col_age"),
    ("NAME_EDUCATION_TYPE", Group::Applicant, Unit::Choice, "col_education"),
    ("NAME_FAMILY_STATUS", Group::Applicant, Unit::Choice, "col_family_status"),
    ("DAYS_ID_PUBLISH", Group::Applicant, Unit::YearsAgo, "col_id_publish"),
    ("DAYS_REGISTRATION", Group::Applicant, Unit::YearsAgo, "col_registration"),
    ("DAYS_LAST_PHONE_CHANGE", Group::Applicant, Unit::YearsAgo, "col_phone_change"),
    ("AMT_INCOME_TOTAL", Group::Income, Unit::Amount, "col_income"),
    ("NAME_INCOME_TYPE", Group::Income, Unit::Choice, "col_income_type"),
    ("OCCUPATION_TYPE", Group::Income, Unit::Choice, "col_occupation"),
    ("ORGANIZATION_TYPE", Group::Income, Unit::Choice, "col_organization"),
    ("DAYS_EMPLOYED", Group::Income, Unit::YearsAgo, "col_employed"),
    ("CNT_CHILDREN", Group::Housing, Unit::Number, "col_children"),
    ("CNT_FAM_MEMBERS", Group::Housing, Unit::Number, "col_family_members"),
    ("NAME_HOUSING_TYPE", Group::Housing, Unit::Choice, "col_housing"),
    ("FLAG_OWN_REALTY", Group::Housing, Unit::Choice, "col_own_realty"),
    ("FLAG_OWN_CAR", Group::Housing, Unit::Choice, "col_own_car"),
    ("OWN_CAR_AGE", Group::Housing, Unit::Number, "col_car_age"),
    ("REGION_POPULATION_RELATIVE", Group::Housing, Unit::Number, "col_region_population"),
    ("REGION_RATING_CLIENT", Group::Housing, Unit::Number, "col_region_rating"),
    ("REGION_RATING_CLIENT_W_CITY", Group::Housing, Unit::Number, "col_region_rating_city"),
    ("EXT_SOURCE_1", Group::Scores, Unit::Share, "col_ext_source_1"),
    ("EXT_SOURCE_2", Group::Scores, Unit::Share, "col_ext_source_2"),
    ("EXT_SOURCE_3", Group::Scores, Unit::Share, "col_ext_source_3"),
];

/// The group of an application column not in [`APPLICATION`]: the
/// documents, contact and address flags, and the Credit Bureau enquiries
/// are "documents and contact"; the rest (building averages, social
/// circle...) "other".
pub fn group_of_other(column: &str) -> (Group, Unit) {
    let documents = column.starts_with("FLAG_")
        || column.starts_with("REG_")
        || column.starts_with("LIVE_")
        || column.starts_with("AMT_REQ_CREDIT_BUREAU_");
    if documents && column.starts_with("FLAG_") {
        (Group::Documents, Unit::Flag)
    } else if documents {
        (Group::Documents, Unit::Number)
    } else {
        (Group::Other, Unit::Number)
    }
}

/// The history records the form offers, a few of each.
pub const HISTORY_ROWS: usize = 3;

/// A Credit Bureau credit's fields (table `bureau`).
#[rustfmt::skip]
pub const BUREAU: &[(&str, Unit, &str)] = &[
    ("CREDIT_ACTIVE", Unit::Choice, "col_credit_active"),
    ("CREDIT_TYPE", Unit::Choice, "col_credit_type"),
    ("DAYS_CREDIT", Unit::YearsAgo, "col_days_credit"),
    ("AMT_CREDIT_SUM", Unit::Amount, "col_credit_sum"),
    ("AMT_CREDIT_SUM_DEBT", Unit::Amount, "col_credit_debt"),
    ("AMT_CREDIT_SUM_OVERDUE", Unit::Amount, "col_credit_overdue"),
];

/// A previous application's fields (table `previous_application`).
#[rustfmt::skip]
pub const PREVIOUS: &[(&str, Unit, &str)] = &[
    ("NAME_CONTRACT_TYPE", Unit::Choice, "col_contract_type"),
    ("NAME_CONTRACT_STATUS", Unit::Choice, "col_contract_status"),
    ("AMT_APPLICATION", Unit::Amount, "col_amt_application"),
    ("AMT_CREDIT", Unit::Amount, "col_credit"),
    ("AMT_ANNUITY", Unit::Amount, "col_annuity"),
    ("DAYS_DECISION", Unit::YearsAgo, "col_days_decision"),
];
