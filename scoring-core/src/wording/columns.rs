//! The catalogue of input columns in plain English and French, with the unit
//! their values are shown in: what a feature's label is built from.
//!
//! Labels start with a lower-case word (they are composed into longer
//! labels) and never with a column's code; [`super::capitalised`] makes the
//! standalone form.

use super::values::Unit;

/// A column's words in both languages and its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ColumnWords {
    pub(super) en: &'static str,
    pub(super) fr: &'static str,
    pub(super) unit: Unit,
}

const fn words(en: &'static str, fr: &'static str, unit: Unit) -> ColumnWords {
    ColumnWords { en, fr, unit }
}

/// The words of `column`, by its exact name, then by the patterns of the
/// building statistics (`APARTMENTS_AVG`) and the document flags
/// (`FLAG_DOCUMENT_3`); `None` when the catalogue does not know it.
pub(super) fn column_words(column: &str) -> Option<(String, String, Unit)> {
    if let Some((_, w)) = COLUMNS.iter().find(|(name, _)| *name == column) {
        return Some((w.en.to_owned(), w.fr.to_owned(), w.unit));
    }
    if let Some(number) = column.strip_prefix("FLAG_DOCUMENT_") {
        return Some((
            format!("document {number} provided"),
            format!("document {number} fourni"),
            Unit::Flag,
        ));
    }
    let (base, statistic) = column.rsplit_once('_')?;
    let (stat_en, stat_fr) = match statistic {
        "AVG" => ("average", "moyenne"),
        "MEDI" => ("median", "médiane"),
        "MODE" => ("most frequent value", "valeur la plus fréquente"),
        _ => return None,
    };
    let (_, (en, fr)) = BUILDING.iter().find(|(name, _)| *name == base)?;
    Some((
        format!("{en} (building, {stat_en})"),
        format!("{fr} (immeuble, {stat_fr})"),
        Unit::Normalised,
    ))
}

/// The derived columns of the feature definition (named by the feature's
/// stem), whose source is several input columns.
pub(super) fn derived_words(stem: &str) -> Option<ColumnWords> {
    DERIVED
        .iter()
        .find(|(name, _)| *name == stem)
        .map(|(_, w)| *w)
}

/// Normalised statistics of the applicant's building (`{base}_AVG`, …).
const BUILDING: &[(&str, (&str, &str))] = &[
    (
        "APARTMENTS",
        ("size of the apartments", "taille des appartements"),
    ),
    ("BASEMENTAREA", ("basement area", "surface du sous-sol")),
    (
        "COMMONAREA",
        ("common area", "surface des parties communes"),
    ),
    ("ELEVATORS", ("number of elevators", "nombre d'ascenseurs")),
    ("ENTRANCES", ("number of entrances", "nombre d'entrées")),
    ("FLOORSMAX", ("highest floor", "étage le plus haut")),
    ("FLOORSMIN", ("lowest floor", "étage le plus bas")),
    ("LANDAREA", ("land area", "surface du terrain")),
    (
        "LIVINGAPARTMENTS",
        ("living apartments", "appartements habités"),
    ),
    ("LIVINGAREA", ("living area", "surface habitable")),
    (
        "NONLIVINGAPARTMENTS",
        ("non-living apartments", "appartements non habités"),
    ),
    (
        "NONLIVINGAREA",
        ("non-living area", "surface non habitable"),
    ),
    (
        "YEARS_BEGINEXPLUATATION",
        (
            "start of the building's use",
            "début d'exploitation de l'immeuble",
        ),
    ),
    ("YEARS_BUILD", ("age of the building", "âge de l'immeuble")),
    ("TOTALAREA", ("total area", "surface totale")),
];

use Unit::*;

#[rustfmt::skip]
const COLUMNS: &[(&str, ColumnWords)] = &[
    // The application.
    ("NAME_CONTRACT_TYPE", words("kind of loan", "type de prêt", Category)),
    ("CODE_GENDER", words("gender", "genre", Category)),
    ("FLAG_OWN_CAR", words("owns a car", "possède une voiture", Category)),
    ("FLAG_OWN_REALTY", words("owns a home", "possède un logement", Category)),
    ("CNT_CHILDREN", words("number of children", "nombre d'enfants", Count)),
    ("AMT_INCOME_TOTAL", words("annual income", "revenu annuel", Money)),
    ("AMT_CREDIT", words("credit amount", "montant du crédit", Money)),
    ("AMT_ANNUITY", words("loan annuity", "annuité du prêt", Money)),
    ("AMT_GOODS_PRICE", words("price of the goods", "prix du bien", Money)),
    ("NAME_TYPE_SUITE", words("who came with the applicant", "accompagnant du demandeur", Category)),
    ("NAME_INCOME_TYPE", words("kind of income", "type de revenu", Category)),
    ("NAME_EDUCATION_TYPE", words("education", "niveau d'études", Category)),
    ("NAME_FAMILY_STATUS", words("family status", "situation familiale", Category)),
    ("NAME_HOUSING_TYPE", words("housing", "logement", Category)),
    ("REGION_POPULATION_RELATIVE", words("population of the region (normalised)", "population de la région (normalisée)", Normalised)),
    ("DAYS_BIRTH", words("age", "âge", YearsAgo)),
    ("DAYS_EMPLOYED", words("time in current employment", "ancienneté dans l'emploi actuel", YearsAgo)),
    ("DAYS_REGISTRATION", words("time since the registration changed", "temps depuis le changement d'inscription", YearsAgo)),
    ("DAYS_ID_PUBLISH", words("time since the identity document was issued", "temps depuis la délivrance de la pièce d'identité", YearsAgo)),
    ("DAYS_LAST_PHONE_CHANGE", words("time since the phone changed", "temps depuis le changement de téléphone", YearsAgo)),
    ("OWN_CAR_AGE", words("age of the car", "âge de la voiture", Years)),
    ("FLAG_MOBIL", words("mobile phone given", "téléphone mobile fourni", Flag)),
    ("FLAG_EMP_PHONE", words("work phone given", "téléphone professionnel fourni", Flag)),
    ("FLAG_WORK_PHONE", words("home phone given", "téléphone fixe fourni", Flag)),
    ("FLAG_CONT_MOBILE", words("mobile phone reachable", "téléphone mobile joignable", Flag)),
    ("FLAG_PHONE", words("phone given", "téléphone fourni", Flag)),
    ("FLAG_EMAIL", words("email given", "adresse électronique fournie", Flag)),
    ("OCCUPATION_TYPE", words("occupation", "profession", Category)),
    ("CNT_FAM_MEMBERS", words("household members", "membres du foyer", Count)),
    ("REGION_RATING_CLIENT", words("rating of the region (1 to 3)", "note de la région (1 à 3)", Count)),
    ("REGION_RATING_CLIENT_W_CITY", words("rating of the region and city (1 to 3)", "note de la région et de la ville (1 à 3)", Count)),
    ("WEEKDAY_APPR_PROCESS_START", words("day of the application", "jour de la demande", Category)),
    ("HOUR_APPR_PROCESS_START", words("hour of the application", "heure de la demande", Hour)),
    ("REG_REGION_NOT_LIVE_REGION", words("registered in another region than lived in", "inscrit dans une autre région que celle habitée", Flag)),
    ("REG_REGION_NOT_WORK_REGION", words("registered in another region than worked in", "inscrit dans une autre région que celle du travail", Flag)),
    ("LIVE_REGION_NOT_WORK_REGION", words("lives in another region than works in", "habite une autre région que celle du travail", Flag)),
    ("REG_CITY_NOT_LIVE_CITY", words("registered in another city than lived in", "inscrit dans une autre ville que celle habitée", Flag)),
    ("REG_CITY_NOT_WORK_CITY", words("registered in another city than worked in", "inscrit dans une autre ville que celle du travail", Flag)),
    ("LIVE_CITY_NOT_WORK_CITY", words("lives in another city than works in", "habite une autre ville que celle du travail", Flag)),
    ("ORGANIZATION_TYPE", words("employer's sector", "secteur de l'employeur", Category)),
    ("EXT_SOURCE_1", words("external credit score 1", "score de crédit externe 1", Score)),
    ("EXT_SOURCE_2", words("external credit score 2", "score de crédit externe 2", Score)),
    ("EXT_SOURCE_3", words("external credit score 3", "score de crédit externe 3", Score)),
    ("FONDKAPREMONT_MODE", words("building's repair fund", "fonds de réparation de l'immeuble", Category)),
    ("HOUSETYPE_MODE", words("kind of building", "type d'immeuble", Category)),
    ("WALLSMATERIAL_MODE", words("material of the walls", "matériau des murs", Category)),
    ("EMERGENCYSTATE_MODE", words("building in a state of emergency", "immeuble en état d'urgence", Category)),
    ("OBS_30_CNT_SOCIAL_CIRCLE", words("acquaintances with a 30-day overdue observed", "proches avec un retard de 30 jours observé", Count)),
    ("DEF_30_CNT_SOCIAL_CIRCLE", words("acquaintances who defaulted (30 days overdue)", "proches en défaut (30 jours de retard)", Count)),
    ("OBS_60_CNT_SOCIAL_CIRCLE", words("acquaintances with a 60-day overdue observed", "proches avec un retard de 60 jours observé", Count)),
    ("DEF_60_CNT_SOCIAL_CIRCLE", words("acquaintances who defaulted (60 days overdue)", "proches en défaut (60 jours de retard)", Count)),
    ("AMT_REQ_CREDIT_BUREAU_HOUR", words("Credit Bureau enquiries in the last hour", "consultations du bureau de crédit dans l'heure", Count)),
    ("AMT_REQ_CREDIT_BUREAU_DAY", words("Credit Bureau enquiries in the last day", "consultations du bureau de crédit dans la journée", Count)),
    ("AMT_REQ_CREDIT_BUREAU_WEEK", words("Credit Bureau enquiries in the last week", "consultations du bureau de crédit dans la semaine", Count)),
    ("AMT_REQ_CREDIT_BUREAU_MON", words("Credit Bureau enquiries in the last month", "consultations du bureau de crédit dans le mois", Count)),
    ("AMT_REQ_CREDIT_BUREAU_QRT", words("Credit Bureau enquiries in the last quarter", "consultations du bureau de crédit dans le trimestre", Count)),
    ("AMT_REQ_CREDIT_BUREAU_YEAR", words("Credit Bureau enquiries in the last year", "consultations du bureau de crédit dans l'année", Count)),
    // Credit Bureau credits and their monthly balances.
    ("CREDIT_ACTIVE", words("status of the credit", "statut du crédit", Category)),
    ("CREDIT_CURRENCY", words("currency of the credit", "devise du crédit", Category)),
    ("DAYS_CREDIT", words("time since the credit was granted", "temps depuis l'octroi du crédit", YearsAgo)),
    ("CREDIT_DAY_OVERDUE", words("days overdue", "jours de retard", Days)),
    ("DAYS_CREDIT_ENDDATE", words("time to the credit's end", "temps jusqu'à la fin du crédit", YearsAhead)),
    ("DAYS_ENDDATE_FACT", words("time since the credit ended", "temps depuis la fin du crédit", YearsAgo)),
    ("AMT_CREDIT_MAX_OVERDUE", words("largest amount overdue", "plus grand montant en retard", Money)),
    ("CNT_CREDIT_PROLONG", words("times the credit was prolonged", "prolongations du crédit", Count)),
    ("AMT_CREDIT_SUM", words("credit amount", "montant du crédit", Money)),
    ("AMT_CREDIT_SUM_DEBT", words("debt outstanding", "dette restante", Money)),
    ("AMT_CREDIT_SUM_LIMIT", words("credit limit", "plafond du crédit", Money)),
    ("AMT_CREDIT_SUM_OVERDUE", words("amount overdue", "montant en retard", Money)),
    ("CREDIT_TYPE", words("kind of credit", "type de crédit", Category)),
    ("DAYS_CREDIT_UPDATE", words("time since the credit was last updated", "temps depuis la dernière mise à jour du crédit", YearsAgo)),
    ("MONTHS_BALANCE", words("month of the balance", "mois du solde", MonthsAgo)),
    ("STATUS", words("status of the month", "statut du mois", Category)),
    // Previous applications.
    ("AMT_APPLICATION", words("amount asked for", "montant demandé", Money)),
    ("AMT_DOWN_PAYMENT", words("down payment", "apport", Money)),
    ("RATE_DOWN_PAYMENT", words("down payment rate", "taux d'apport", Share)),
    ("FLAG_LAST_APPL_PER_CONTRACT", words("last application for the contract", "dernière demande pour le contrat", Category)),
    ("NAME_CASH_LOAN_PURPOSE", words("purpose of the cash loan", "objet du prêt en espèces", Category)),
    ("NAME_CONTRACT_STATUS", words("status of the contract", "statut du contrat", Category)),
    ("DAYS_DECISION", words("time since the decision", "temps depuis la décision", YearsAgo)),
    ("NAME_PAYMENT_TYPE", words("way of payment", "mode de paiement", Category)),
    ("CODE_REJECT_REASON", words("reason for refusal", "motif du refus", Category)),
    ("NAME_CLIENT_TYPE", words("kind of client", "type de client", Category)),
    ("NAME_GOODS_CATEGORY", words("kind of goods", "type de bien", Category)),
    ("NAME_PORTFOLIO", words("portfolio", "portefeuille", Category)),
    ("NAME_PRODUCT_TYPE", words("kind of product", "type de produit", Category)),
    ("CHANNEL_TYPE", words("sales channel", "canal de vente", Category)),
    ("NAME_SELLER_INDUSTRY", words("seller's industry", "secteur du vendeur", Category)),
    ("CNT_PAYMENT", words("number of instalments", "nombre d'échéances", Count)),
    ("NAME_YIELD_GROUP", words("interest rate group", "groupe de taux d'intérêt", Category)),
    ("PRODUCT_COMBINATION", words("product combination", "combinaison de produits", Category)),
    ("DAYS_FIRST_DRAWING", words("time since the first drawing", "temps depuis le premier tirage", YearsAgo)),
    ("DAYS_FIRST_DUE", words("time since the first due date", "temps depuis la première échéance", YearsAgo)),
    ("DAYS_LAST_DUE_1ST_VERSION", words("time since the first planned last due date", "temps depuis la dernière échéance prévue d'abord", YearsAgo)),
    ("DAYS_LAST_DUE", words("time since the last due date", "temps depuis la dernière échéance", YearsAgo)),
    ("DAYS_TERMINATION", words("time since the contract ended", "temps depuis la fin du contrat", YearsAgo)),
    ("NFLAG_INSURED_ON_APPROVAL", words("insurance asked for", "assurance demandée", Flag)),
    // The client's rows of a table, counted (`POS_COUNT`).
    ("SK_ID_CURR", words("client's records", "enregistrements du client", Count)),
    // Monthly balances, instalments, credit cards.
    ("SK_DPD", words("days past due", "jours de retard", Days)),
    ("SK_DPD_DEF", words("days past due (beyond tolerance)", "jours de retard (au-delà de la tolérance)", Days)),
    ("CNT_INSTALMENT", words("term of the credit (instalments)", "durée du crédit (échéances)", Count)),
    ("CNT_INSTALMENT_FUTURE", words("instalments left to pay", "échéances restant à payer", Count)),
    ("NUM_INSTALMENT_VERSION", words("version of the instalment calendar", "version du calendrier des échéances", Count)),
    ("NUM_INSTALMENT_NUMBER", words("number of the instalment", "numéro de l'échéance", Count)),
    ("DAYS_INSTALMENT", words("time since the instalment was due", "temps depuis l'échéance prévue", YearsAgo)),
    ("DAYS_ENTRY_PAYMENT", words("time since the instalment was paid", "temps depuis le paiement de l'échéance", YearsAgo)),
    ("AMT_INSTALMENT", words("instalment due", "échéance due", Money)),
    ("AMT_PAYMENT", words("amount paid", "montant payé", Money)),
    ("AMT_BALANCE", words("card balance", "solde de la carte", Money)),
    ("AMT_CREDIT_LIMIT_ACTUAL", words("card credit limit", "plafond de la carte", Money)),
    ("AMT_DRAWINGS_ATM_CURRENT", words("cash withdrawn at cash machines", "montant retiré aux distributeurs", Money)),
    ("AMT_DRAWINGS_CURRENT", words("amount drawn", "montant tiré", Money)),
    ("AMT_DRAWINGS_OTHER_CURRENT", words("other drawings", "autres tirages", Money)),
    ("AMT_DRAWINGS_POS_CURRENT", words("purchases with the card", "achats par carte", Money)),
    ("AMT_INST_MIN_REGULARITY", words("minimum instalment", "échéance minimale", Money)),
    ("AMT_PAYMENT_CURRENT", words("amount paid in the month", "montant payé dans le mois", Money)),
    ("AMT_PAYMENT_TOTAL_CURRENT", words("total paid in the month", "total payé dans le mois", Money)),
    ("AMT_RECEIVABLE_PRINCIPAL", words("principal receivable", "capital à recevoir", Money)),
    ("AMT_RECIVABLE", words("amount receivable", "montant à recevoir", Money)),
    ("AMT_TOTAL_RECEIVABLE", words("total receivable", "total à recevoir", Money)),
    ("CNT_DRAWINGS_ATM_CURRENT", words("withdrawals at cash machines", "retraits aux distributeurs (nombre)", Count)),
    ("CNT_DRAWINGS_CURRENT", words("drawings", "tirages", Count)),
    ("CNT_DRAWINGS_OTHER_CURRENT", words("other drawings (count)", "autres tirages (nombre)", Count)),
    ("CNT_DRAWINGS_POS_CURRENT", words("card purchases", "achats par carte (nombre)", Count)),
    ("CNT_INSTALMENT_MATURE_CUM", words("instalments paid", "échéances payées", Count)),
];

/// Columns the feature definition computes from several input columns,
/// by the stem of their feature name.
#[rustfmt::skip]
const DERIVED: &[(&str, ColumnWords)] = &[
    ("DAYS_EMPLOYED_PERC", words("time employed as a share of age", "ancienneté dans l'emploi rapportée à l'âge", Share)),
    ("INCOME_CREDIT_PERC", words("income as a share of the credit", "revenu rapporté au crédit", Share)),
    ("INCOME_PER_PERSON", words("income per household member", "revenu par membre du foyer", Money)),
    ("ANNUITY_INCOME_PERC", words("annuity as a share of income", "annuité rapportée au revenu", Share)),
    ("PAYMENT_RATE", words("annuity as a share of the credit", "annuité rapportée au crédit", Share)),
    ("APP_CREDIT_PERC", words("amount asked for relative to the amount granted", "montant demandé rapporté au montant accordé", Share)),
    ("PAYMENT_PERC", words("share of the instalment paid", "part de l'échéance payée", Share)),
    ("PAYMENT_DIFF", words("amount of the instalment left unpaid", "montant de l'échéance impayé", Money)),
    ("DPD", words("days an instalment was paid late", "jours de retard de paiement d'une échéance", Days)),
    ("DBD", words("days an instalment was paid early", "jours d'avance de paiement d'une échéance", Days)),
    ("MONTHS_BALANCE_MIN", words("earliest monthly balance of a credit", "plus ancien solde mensuel d'un crédit", MonthsAgo)),
    ("MONTHS_BALANCE_MAX", words("latest monthly balance of a credit", "plus récent solde mensuel d'un crédit", MonthsAgo)),
    ("MONTHS_BALANCE_SIZE", words("months of balances of a credit", "mois de soldes d'un crédit", Count)),
];
