//! Category values as shown to people: days of the week and yes / no in
//! each language, the Credit Bureau's monthly statuses in words, the data's
//! "not applicable" codes (`XNA`, `XAP`) spelled out, and the French for
//! the statuses and kinds of credit an officer meets most; other values are
//! shown as the data names them, underscores read as spaces.

use super::Language;

/// `value` of `column` in `lang`.
pub(super) fn category(column: &str, value: &str, lang: Language) -> String {
    let status = BUREAU_STATUS.iter().find(|(code, _, _)| *code == value);
    if let (true, Some((_, en, fr))) = (column == "STATUS", status) {
        return pick(en, fr, lang).to_owned();
    }
    if let Some((_, en, fr)) = VALUES
        .iter()
        .find(|(v, _, _)| v.eq_ignore_ascii_case(value))
    {
        return pick(en, fr, lang).to_owned();
    }
    // Some values of the data join words with underscores (`low_action`).
    value.replace('_', " ")
}

/// The words for a missing value.
pub(super) fn missing(lang: Language) -> String {
    pick("not given", "non renseigné", lang).to_owned()
}

fn pick<'a>(en: &'a str, fr: &'a str, lang: Language) -> &'a str {
    match lang {
        Language::En => en,
        Language::Fr => fr,
    }
}

/// The monthly status of a Credit Bureau credit (`bureau_balance.STATUS`).
const BUREAU_STATUS: &[(&str, &str, &str)] = &[
    ("0", "no days overdue", "aucun jour de retard"),
    ("1", "1 to 30 days overdue", "1 à 30 jours de retard"),
    ("2", "31 to 60 days overdue", "31 à 60 jours de retard"),
    ("3", "61 to 90 days overdue", "61 à 90 jours de retard"),
    ("4", "91 to 120 days overdue", "91 à 120 jours de retard"),
    (
        "5",
        "over 120 days overdue, sold or written off",
        "plus de 120 jours de retard, cédé ou passé en perte",
    ),
    ("C", "closed", "clos"),
    ("X", "status unknown", "statut inconnu"),
];

#[rustfmt::skip]
const VALUES: &[(&str, &str, &str)] = &[
    ("MONDAY", "Monday", "lundi"),
    ("TUESDAY", "Tuesday", "mardi"),
    ("WEDNESDAY", "Wednesday", "mercredi"),
    ("THURSDAY", "Thursday", "jeudi"),
    ("FRIDAY", "Friday", "vendredi"),
    ("SATURDAY", "Saturday", "samedi"),
    ("SUNDAY", "Sunday", "dimanche"),
    ("Y", "yes", "oui"),
    ("N", "no", "non"),
    ("Yes", "yes", "oui"),
    ("No", "no", "non"),
    ("F", "female", "femme"),
    ("M", "male", "homme"),
    ("XNA", "not available", "non disponible"),
    ("XAP", "not applicable", "sans objet"),
    ("Active", "active", "actif"),
    ("Closed", "closed", "clos"),
    ("Sold", "sold", "cédé"),
    ("Bad debt", "bad debt", "créance douteuse"),
    ("Approved", "approved", "acceptée"),
    ("Refused", "refused", "refusée"),
    ("Canceled", "cancelled", "annulée"),
    ("Unused offer", "offer not taken up", "offre non utilisée"),
    ("Completed", "completed", "terminé"),
    ("Signed", "signed", "signé"),
    ("Cash loans", "cash loans", "prêts en espèces"),
    ("Revolving loans", "revolving loans", "crédits renouvelables"),
    ("Consumer loans", "consumer loans", "prêts à la consommation"),
    ("Consumer credit", "consumer credit", "crédit à la consommation"),
    ("Credit card", "credit card", "carte de crédit"),
    ("Car loan", "car loan", "prêt automobile"),
    ("Mortgage", "mortgage", "prêt immobilier"),
    ("Microloan", "microloan", "microcrédit"),
    ("Working", "working", "salarié"),
    ("Pensioner", "pensioner", "retraité"),
    ("Unemployed", "unemployed", "sans emploi"),
    ("Student", "student", "étudiant"),
];
