//! The reason catalogue: for each source column (or family of columns) the
//! adverse-action reason an applicant is given, in words a lender would
//! use in a refusal letter ("Amount of credit high relative to income"),
//! in English and French. Columns the catalogue does not name get their
//! table's general reason ("History of previous applications").

/// The reason (English, French) for the source column `column` of `table`,
/// or for a derived feature named `stem` (`PAYMENT_RATE`) whose schema
/// gives no source columns.
pub(super) fn reason_words(table: &str, column: &str, stem: &str) -> (&'static str, &'static str) {
    // Several source columns, however the schema spaces them.
    let column = column
        .split(',')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(", ");
    let column = column.as_str();
    REASONS
        .iter()
        .find(|(t, pattern, _)| *t == table && matches(pattern, column))
        .or_else(|| {
            REASONS
                .iter()
                .find(|(t, name, _)| *t == table && *name == stem)
        })
        .map(|(_, _, words)| *words)
        .or_else(|| {
            TABLE_REASONS
                .iter()
                .find(|(t, _)| *t == table)
                .map(|(_, w)| *w)
        })
        .unwrap_or((
            "Information given with the application",
            "Informations fournies avec la demande",
        ))
}

/// `pattern` is a column, a `*`-terminated prefix, or several columns
/// (a derived feature's sources) written as the schema writes them.
fn matches(pattern: &str, column: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => column.starts_with(prefix),
        None => pattern == column,
    }
}

const LATE: (&str, &str) = (
    "Recent late payments on previous loans",
    "Retards de paiement récents sur des prêts précédents",
);
const BUREAU_LATE: (&str, &str) = (
    "Late payments or amounts overdue on credits at the Credit Bureau",
    "Retards de paiement ou impayés sur des crédits au bureau de crédit",
);
const BUREAU_DEBT: (&str, &str) = (
    "High level of credit or debt at the Credit Bureau",
    "Encours de crédit ou dette élevés au bureau de crédit",
);
const BUREAU_HISTORY: (&str, &str) = (
    "Length or recency of the credit history at the Credit Bureau",
    "Ancienneté ou caractère récent de l'historique au bureau de crédit",
);
const EMPLOYMENT: (&str, &str) = ("Kind of employment or income", "Type d'emploi ou de revenu");
const RECENT_CHANGES: (&str, &str) = (
    "Recent change of identity document, registration or phone",
    "Changement récent de pièce d'identité, d'inscription ou de téléphone",
);
const CARD_BALANCE: (&str, &str) = (
    "High credit card balance or use",
    "Solde ou utilisation élevés des cartes de crédit",
);

#[rustfmt::skip]
const REASONS: &[(&str, &str, (&str, &str))] = &[
    ("application", "AMT_INCOME_TOTAL, AMT_CREDIT", ("Amount of credit high relative to income", "Montant du crédit élevé par rapport aux revenus")),
    ("application", "AMT_ANNUITY, AMT_INCOME_TOTAL", ("Repayments high relative to income", "Remboursements élevés par rapport aux revenus")),
    ("application", "AMT_ANNUITY, AMT_CREDIT", ("Repayment schedule of the credit asked for", "Échéancier de remboursement du crédit demandé")),
    ("application", "AMT_INCOME_TOTAL, CNT_FAM_MEMBERS", ("Income low for the size of the household", "Revenus faibles pour la taille du foyer")),
    ("application", "INCOME_CREDIT_PERC", ("Amount of credit high relative to income", "Montant du crédit élevé par rapport aux revenus")),
    ("application", "ANNUITY_INCOME_PERC", ("Repayments high relative to income", "Remboursements élevés par rapport aux revenus")),
    ("application", "PAYMENT_RATE", ("Repayment schedule of the credit asked for", "Échéancier de remboursement du crédit demandé")),
    ("application", "INCOME_PER_PERSON", ("Income low for the size of the household", "Revenus faibles pour la taille du foyer")),
    ("application", "AMT_INCOME_TOTAL", ("Income insufficient for the amount of credit requested", "Revenus insuffisants pour le montant du crédit demandé")),
    ("application", "AMT_CREDIT", ("Amount of credit requested", "Montant du crédit demandé")),
    ("application", "AMT_ANNUITY", ("Amount of the repayments", "Montant des remboursements")),
    ("application", "AMT_GOODS_PRICE", ("Price of the goods financed", "Prix du bien financé")),
    ("application", "DAYS_EMPLOYED", ("Short employment history", "Ancienneté dans l'emploi insuffisante")),
    ("application", "EXT_SOURCE_*", ("Low external credit score", "Score de crédit externe faible")),
    ("application", "NAME_INCOME_TYPE", EMPLOYMENT),
    ("application", "OCCUPATION_TYPE", EMPLOYMENT),
    ("application", "ORGANIZATION_TYPE", EMPLOYMENT),
    ("application", "FLAG_EMP_PHONE", EMPLOYMENT),
    ("application", "NAME_EDUCATION_TYPE", ("Level of education", "Niveau d'études")),
    ("application", "NAME_CONTRACT_TYPE", ("Kind of loan requested", "Type de prêt demandé")),
    ("application", "FLAG_OWN_REALTY", ("Housing situation", "Situation de logement")),
    ("application", "NAME_HOUSING_TYPE", ("Housing situation", "Situation de logement")),
    ("application", "FLAG_OWN_CAR", ("No car or an old car", "Pas de voiture ou une voiture ancienne")),
    ("application", "OWN_CAR_AGE", ("No car or an old car", "Pas de voiture ou une voiture ancienne")),
    ("application", "REGION_*", ("Region of residence", "Région de résidence")),
    ("application", "REG_*", ("Home, registration and work in different places", "Domicile, inscription et travail en des lieux différents")),
    ("application", "LIVE_*", ("Home, registration and work in different places", "Domicile, inscription et travail en des lieux différents")),
    ("application", "AMT_REQ_CREDIT_BUREAU_*", ("Recent enquiries at the Credit Bureau", "Consultations récentes du bureau de crédit")),
    ("application", "DEF_*", ("Defaults among the applicant's acquaintances", "Défauts dans l'entourage du demandeur")),
    ("application", "OBS_*", ("Overdue payments among the applicant's acquaintances", "Retards de paiement dans l'entourage du demandeur")),
    ("application", "DAYS_ID_PUBLISH", RECENT_CHANGES),
    ("application", "DAYS_REGISTRATION", RECENT_CHANGES),
    ("application", "DAYS_LAST_PHONE_CHANGE", RECENT_CHANGES),
    ("application", "FLAG_DOCUMENT_*", ("Documents provided with the application", "Pièces fournies avec la demande")),
    ("bureau", "AMT_CREDIT_SUM_OVERDUE", BUREAU_LATE),
    ("bureau", "AMT_CREDIT_MAX_OVERDUE", BUREAU_LATE),
    ("bureau", "CREDIT_DAY_OVERDUE", BUREAU_LATE),
    ("bureau", "STATUS", BUREAU_LATE),
    ("bureau", "AMT_CREDIT_SUM*", BUREAU_DEBT),
    ("bureau", "AMT_ANNUITY", BUREAU_DEBT),
    ("bureau", "CREDIT_ACTIVE", ("Number of credits in progress", "Nombre de crédits en cours")),
    ("bureau", "CNT_CREDIT_PROLONG", ("Credits prolonged", "Crédits prolongés")),
    ("bureau", "CREDIT_TYPE", ("Kinds of credit held", "Types de crédits détenus")),
    ("bureau", "DAYS_*", BUREAU_HISTORY),
    ("bureau", "MONTHS_BALANCE", BUREAU_HISTORY),
    ("bureau", "SK_ID_CURR", BUREAU_HISTORY),
    ("previous_application", "NAME_CONTRACT_STATUS", ("Previous applications refused", "Demandes précédentes refusées")),
    ("previous_application", "CODE_REJECT_REASON", ("Previous applications refused", "Demandes précédentes refusées")),
    ("installments_payments", "DAYS_ENTRY_PAYMENT, DAYS_INSTALMENT", LATE),
    ("installments_payments", "AMT_INSTALMENT, AMT_PAYMENT", ("Instalments of previous loans not paid in full", "Échéances de prêts précédents non payées en totalité")),
    ("installments_payments", "AMT_PAYMENT, AMT_INSTALMENT", ("Instalments of previous loans not paid in full", "Échéances de prêts précédents non payées en totalité")),
    ("POS_CASH_balance", "SK_DPD*", LATE),
    ("credit_card_balance", "SK_DPD*", LATE),
    ("credit_card_balance", "AMT_BALANCE", CARD_BALANCE),
    ("credit_card_balance", "AMT_RECEIVABLE_PRINCIPAL", CARD_BALANCE),
    ("credit_card_balance", "AMT_RECIVABLE", CARD_BALANCE),
    ("credit_card_balance", "AMT_TOTAL_RECEIVABLE", CARD_BALANCE),
    ("credit_card_balance", "AMT_DRAWINGS*", ("Frequent drawings on credit cards", "Tirages fréquents sur les cartes de crédit")),
    ("credit_card_balance", "CNT_DRAWINGS*", ("Frequent drawings on credit cards", "Tirages fréquents sur les cartes de crédit")),
];

#[rustfmt::skip]
const TABLE_REASONS: &[(&str, (&str, &str))] = &[
    ("bureau", ("Credit history at the Credit Bureau", "Historique de crédit au bureau de crédit")),
    ("previous_application", ("History of previous applications", "Historique des demandes précédentes")),
    ("installments_payments", ("Repayment history of previous loans", "Historique de remboursement des prêts précédents")),
    ("POS_CASH_balance", ("History of previous shop and cash loans", "Historique des prêts précédents en magasin et en espèces")),
    ("credit_card_balance", ("Use of credit cards", "Utilisation des cartes de crédit")),
];
