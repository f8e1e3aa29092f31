//! Who the client is, in an officer's terms: age and years employed in
//! years, income, the credit and annuity asked for, the goods price, the
//! household; read from the application's own columns among the model's
//! inputs (a field the model does not use is left out).

use minijinja::{Value, context};
use scoring_proto::scoring::v1::ExplainResponse;

use crate::i18n::Lang;

/// The Home Credit sentinel for "not employed" in `DAYS_EMPLOYED`.
const NOT_EMPLOYED_DAYS: f64 = 365_243.0;
const DAYS_PER_YEAR: f64 = 365.25;

/// How a field's value is shown.
#[derive(Clone, Copy)]
enum Shown {
    /// Days before the application, as whole years.
    YearsAgo,
    /// An amount of money, whole.
    Amount,
    /// A count.
    Count,
}

/// The summary's fields: feature, label key, how it is shown.
const FIELDS: [(&str, &str, Shown); 8] = [
    ("DAYS_BIRTH", "summary_age", Shown::YearsAgo),
    ("DAYS_EMPLOYED", "summary_employed", Shown::YearsAgo),
    ("AMT_INCOME_TOTAL", "summary_income", Shown::Amount),
    ("AMT_CREDIT", "summary_credit", Shown::Amount),
    ("AMT_ANNUITY", "summary_annuity", Shown::Amount),
    ("AMT_GOODS_PRICE", "summary_goods", Shown::Amount),
    ("CNT_CHILDREN", "summary_children", Shown::Count),
    ("CNT_FAM_MEMBERS", "summary_family", Shown::Count),
];

/// One line of the summary: its label and its value in words, or `None`
/// when the value is missing.
pub fn client_summary(lang: Lang, explained: &ExplainResponse) -> Vec<Value> {
    FIELDS
        .iter()
        .filter_map(|&(feature, label, shown)| {
            let factor = explained
                .contributions
                .iter()
                .find(|c| c.feature == feature)?;
            let value = factor.value.and_then(|v| show(lang, shown, v));
            Some(context! { feature, label => lang.tr(label), value })
        })
        .collect()
}

fn show(lang: Lang, shown: Shown, value: f64) -> Option<String> {
    if !value.is_finite() {
        return None;
    }
    let whole = |v: f64| crate::numbers::localize(&format!("{:.0}", v.round()), lang);
    Some(match shown {
        Shown::YearsAgo if value == NOT_EMPLOYED_DAYS || value > 0.0 => {
            lang.tr("summary_not_employed").to_owned()
        }
        Shown::YearsAgo => format!(
            "{} {}",
            whole((-value / DAYS_PER_YEAR).floor()),
            lang.tr("summary_years")
        ),
        Shown::Amount | Shown::Count => whole(value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_as_years_and_amounts_as_numbers() {
        assert_eq!(
            show(Lang::En, Shown::YearsAgo, -15_000.0).unwrap(),
            "41 years"
        );
        assert_eq!(
            show(Lang::Fr, Shown::YearsAgo, -15_000.0).unwrap(),
            "41 ans"
        );
        assert_eq!(
            show(Lang::En, Shown::YearsAgo, NOT_EMPLOYED_DAYS).unwrap(),
            "not employed"
        );
        assert_eq!(show(Lang::En, Shown::Amount, 406_597.5).unwrap(), "406,598");
        assert_eq!(
            show(Lang::Fr, Shown::Amount, 406_597.5).unwrap(),
            "406\u{202f}598"
        );
        assert_eq!(show(Lang::En, Shown::Count, f64::NAN), None);
    }
}
