//! What features and reasons are called in front of people, in English and
//! French: a label for every feature (aggregates and one-hot columns
//! included) and an adverse-action reason for every source column, with the
//! applicant's value in their terms.
//!
//! The words are built into this crate as a catalogue of the Home Credit
//! columns (`columns.rs`, `reasons.rs`) rather than published with each model:
//! they are reviewed with the code, every published version (old ones
//! included) gets the same words, and a model's schema (and so its hash)
//! does not change when a translation is corrected. A label is composed from
//! the feature's schema entry — source table and column, aggregation,
//! category, and the filter its name's prefix stands for (`ACTIVE_`,
//! `REFUSED_`) — never from the feature's code name, so no code such as
//! `WEEKDAY_APPR_PROCESS_START` reaches a page. A feature whose column the
//! catalogue does not know (a model over another layout) keeps its
//! schema's description, in both languages.

mod categories;
mod columns;
mod reasons;
mod values;

pub use values::{Unit, number};

use crate::schema::{FeatureKind, FeatureSchema, FeatureSpec};

/// A language of the words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// English.
    En,
    /// French.
    Fr,
}

/// The same text in English and in French.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Bilingual {
    pub en: String,
    pub fr: String,
}

impl Bilingual {
    /// The text in `lang`.
    pub fn get(&self, lang: Language) -> &str {
        match lang {
            Language::En => &self.en,
            Language::Fr => &self.fr,
        }
    }
}

/// The label of a feature as shown to people ("Day of the application:
/// Wednesday", "Amount overdue (highest over the client's active credits at
/// the Credit Bureau)").
pub fn feature_label(spec: &FeatureSpec) -> Bilingual {
    let words = FeatureWords::of(spec);
    Bilingual {
        en: capitalised(&words.compose(spec, Language::En)),
        fr: capitalised(&words.compose(spec, Language::Fr)),
    }
}

/// The words of an input column of the Home Credit layout, when the
/// catalogue has them.
pub fn column_label(column: &str) -> Option<Bilingual> {
    columns::column_words(column).map(|(en, fr, _)| Bilingual { en, fr })
}

/// The unit a feature's value is shown in.
pub fn feature_unit(spec: &FeatureSpec) -> Unit {
    FeatureWords::of(spec).unit(spec)
}

/// The adverse-action reason for feature `j` of `schema` with the
/// applicant's `value` in their terms, as in "Amount of credit high
/// relative to income (income as a share of the credit: 18%)".
pub fn reason_statement(schema: &FeatureSchema, j: usize, value: f64) -> Bilingual {
    let Some(spec) = schema.features.get(j) else {
        return Bilingual::default();
    };
    let words = FeatureWords::of(spec);
    let reason = reasons::reason_words(&spec.source_table, &spec.source_column, &stem(spec).1);
    let statement = |lang: Language| {
        let shown = shown_value(schema, j, spec, &words, value, lang);
        let label = words.compose(spec, lang);
        let (reason, colon) = match lang {
            Language::En => (reason.0, ":"),
            Language::Fr => (reason.1, "\u{a0}:"),
        };
        format!("{reason} ({label}{colon} {shown})")
    };
    Bilingual {
        en: statement(Language::En),
        fr: statement(Language::Fr),
    }
}

/// Feature `j`'s `value` in the applicant's terms ("32.9 years", "45,000",
/// "18%", a category's name); "missing" for NaN.
pub fn feature_value(schema: &FeatureSchema, j: usize, value: f64) -> Bilingual {
    let Some(spec) = schema.features.get(j) else {
        return Bilingual::default();
    };
    let words = FeatureWords::of(spec);
    let shown = |lang| match value.is_nan() {
        true => categories::missing(lang),
        false => shown_value(schema, j, spec, &words, value, lang),
    };
    Bilingual {
        en: shown(Language::En),
        fr: shown(Language::Fr),
    }
}

fn shown_value(
    schema: &FeatureSchema,
    j: usize,
    spec: &FeatureSpec,
    words: &FeatureWords,
    value: f64,
    lang: Language,
) -> String {
    match spec.kind {
        FeatureKind::CategoryCode => schema
            .category_name(j, value)
            .map(|c| categories::category(&spec.source_column, c, lang))
            .unwrap_or_else(|| number(value, 0, lang)),
        _ => words.unit(spec).show(value, lang),
    }
}

/// `text` with its first letter in upper case.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What a feature's label is made of.
struct FeatureWords {
    en: String,
    fr: String,
    unit: Unit,
    /// The client's rows the feature reduces, with the filter of its prefix.
    rows: Option<(&'static str, &'static str)>,
    /// Not in the catalogue: the schema's description is the label.
    verbatim: bool,
}

impl FeatureWords {
    fn of(spec: &FeatureSpec) -> Self {
        let (filter, stem) = stem(spec);
        let known = columns::derived_words(&stem)
            .map(|w| (w.en.to_owned(), w.fr.to_owned(), w.unit))
            .or_else(|| columns::column_words(spec.source_column.trim()));
        let verbatim = known.is_none();
        let (en, fr, unit) = known.unwrap_or_else(|| {
            let text = spec.description.clone();
            (text.clone(), text, Unit::Plain)
        });
        Self {
            en,
            fr,
            unit,
            rows: rows(&spec.source_table, filter),
            verbatim,
        }
    }

    fn unit(&self, spec: &FeatureSpec) -> Unit {
        match spec.aggregation.as_str() {
            "count" | "size" | "nunique" => Unit::Count,
            "var" => Unit::Plain,
            "one_hot" => Unit::Flag,
            "mean" if spec.kind == FeatureKind::Indicator || spec.category.is_some() => Unit::Share,
            "sum" if matches!(self.unit, Unit::YearsAgo | Unit::MonthsAgo) => Unit::Plain,
            _ => self.unit,
        }
    }

    fn compose(&self, spec: &FeatureSpec, lang: Language) -> String {
        if self.verbatim {
            return self.en.clone();
        }
        let (label, colon) = match lang {
            Language::En => (self.en.as_str(), ":"),
            Language::Fr => (self.fr.as_str(), "\u{a0}:"),
        };
        let category = category_of(spec)
            .map(|c| categories::category(&spec.source_column, c, lang))
            .or_else(|| is_missing_indicator(spec).then(|| categories::missing(lang)));
        let with_category = match &category {
            Some(c) => format!("{label}{colon} {c}"),
            None => label.to_owned(),
        };
        let Some((rows_en, rows_fr)) = self.rows else {
            return with_category;
        };
        let rows = match lang {
            Language::En => rows_en,
            Language::Fr => rows_fr,
        };
        let agg = spec.aggregation.as_str();
        match (agg, lang) {
            ("count", Language::En) => format!("number of the client's {rows}"),
            ("count", Language::Fr) => format!("nombre {} du client", de(rows)),
            _ if category.is_some() && spec.source_column == "STATUS" => {
                // A Credit Bureau credit's share of months with a status,
                // then reduced over the client's credits.
                let share = match lang {
                    Language::En => format!("share of a credit's months with {with_category}"),
                    Language::Fr => format!("part des mois d'un crédit avec {with_category}"),
                };
                reduced(&share, agg, rows, lang)
            }
            ("mean", Language::En) if category.is_some() => {
                format!("share of the client's {rows} with {with_category}")
            }
            ("mean", Language::Fr) if category.is_some() => {
                format!("part des {rows} du client avec {with_category}")
            }
            _ => reduced(&with_category, agg, rows, lang),
        }
    }
}

/// "{label} (highest over the client's {rows})".
fn reduced(label: &str, agg: &str, rows: &str, lang: Language) -> String {
    let (en, fr) = match agg {
        "min" => ("lowest", "minimum"),
        "max" => ("highest", "maximum"),
        "mean" => ("average", "moyenne"),
        "sum" => ("total", "total"),
        "var" => ("variance", "variance"),
        "nunique" => ("distinct values", "valeurs distinctes"),
        "size" => ("number recorded", "nombre enregistré"),
        _ => ("value", "valeur"),
    };
    match lang {
        Language::En => format!("{label} ({en} over the client's {rows})"),
        Language::Fr => format!("{label} ({fr} sur les {rows} du client)"),
    }
}

/// "de …" with the elision before a vowel.
fn de(words: &str) -> String {
    let vowel = words
        .chars()
        .next()
        .is_some_and(|c| "aeiouéèêâîôûhAEIOUÉ".contains(c));
    if vowel {
        format!("d'{words}")
    } else {
        format!("de {words}")
    }
}

fn category_of(spec: &FeatureSpec) -> Option<&str> {
    spec.category.as_deref()
}

/// A one-hot column (or its share) for a missing value: `{column}_nan`.
fn is_missing_indicator(spec: &FeatureSpec) -> bool {
    spec.category.is_none() && (spec.name.ends_with("_nan") || spec.name.contains("_nan_"))
}

/// The filter the feature's name prefix stands for, and the stem of its
/// name: the prefix and the aggregation's suffix taken off.
fn stem(spec: &FeatureSpec) -> (Option<&'static str>, String) {
    const PREFIXES: &[(&str, Option<&str>)] = &[
        ("BURO_", None),
        ("ACTIVE_", Some("active")),
        ("CLOSED_", Some("closed")),
        ("PREV_", None),
        ("APPROVED_", Some("approved")),
        ("REFUSED_", Some("refused")),
        ("POS_", None),
        ("INSTAL_", None),
        ("CC_", None),
    ];
    let mut name = spec.name.as_str();
    let mut filter = None;
    let prefixed = PREFIXES
        .iter()
        .find_map(|(p, f)| name.strip_prefix(p).map(|rest| (rest, *f)));
    if let (false, Some((rest, f))) = (spec.source_table == "application", prefixed) {
        name = rest;
        filter = f;
    }
    let suffix = format!("_{}", spec.aggregation.to_uppercase());
    let stem = name.strip_suffix(&suffix).unwrap_or(name);
    (filter, stem.to_owned())
}

/// The client's rows of `table` (English, French), narrowed by `filter`.
fn rows(table: &str, filter: Option<&str>) -> Option<(&'static str, &'static str)> {
    Some(match (table, filter) {
        ("bureau", Some("active")) => (
            "active credits at the Credit Bureau",
            "crédits actifs au bureau de crédit",
        ),
        ("bureau", Some("closed")) => (
            "closed credits at the Credit Bureau",
            "crédits clos au bureau de crédit",
        ),
        ("bureau", _) => (
            "credits at the Credit Bureau",
            "crédits au bureau de crédit",
        ),
        ("previous_application", Some("approved")) => (
            "approved previous applications",
            "demandes précédentes acceptées",
        ),
        ("previous_application", Some("refused")) => (
            "refused previous applications",
            "demandes précédentes refusées",
        ),
        ("previous_application", _) => ("previous applications", "demandes précédentes"),
        ("POS_CASH_balance", _) => (
            "monthly balances of previous shop and cash loans",
            "soldes mensuels des prêts précédents en magasin et en espèces",
        ),
        ("installments_payments", _) => (
            "instalments of previous loans",
            "échéances des prêts précédents",
        ),
        ("credit_card_balance", _) => (
            "monthly credit card balances",
            "soldes mensuels de carte de crédit",
        ),
        _ => return None,
    })
}
