//! The service sends each feature's label and each reason in English and in
//! French; a page shows the one of its language (the English one when the
//! French is empty, as from a service older than the catalogue).

use scoring_proto::scoring::v1::{FeatureContribution, FeatureImportance, FeatureSpec, ReasonCode};

use crate::i18n::Lang;

/// Something the service labels in both languages.
pub trait Labelled {
    /// The English and French texts.
    fn texts(&self) -> (&str, &str);

    /// The text in `lang`.
    fn label(&self, lang: Lang) -> &str {
        let (en, fr) = self.texts();
        match lang {
            Lang::Fr if !fr.is_empty() => fr,
            _ => en,
        }
    }
}

impl Labelled for FeatureSpec {
    fn texts(&self) -> (&str, &str) {
        (&self.description, &self.description_fr)
    }
}

impl Labelled for FeatureContribution {
    fn texts(&self) -> (&str, &str) {
        (&self.description, &self.description_fr)
    }
}

impl Labelled for FeatureImportance {
    fn texts(&self) -> (&str, &str) {
        (&self.description, &self.description_fr)
    }
}

/// The value of a contribution in the applicant's terms ("32.9 years");
/// empty from an older service.
pub fn shown_value(c: &FeatureContribution, lang: Lang) -> Option<&str> {
    let text = match lang {
        Lang::Fr if !c.value_shown_fr.is_empty() => &c.value_shown_fr,
        _ => &c.value_shown,
    };
    (!text.is_empty()).then_some(text.as_str())
}

/// A reason code's adverse-action reason (empty from an older service).
impl Labelled for ReasonCode {
    fn texts(&self) -> (&str, &str) {
        (&self.reason, &self.reason_fr)
    }
}
