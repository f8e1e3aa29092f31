//! A feature's value in the applicant's terms: years rather than days
//! before the application, amounts with thousands separators, shares as
//! percentages, flags as yes / no, in English or French typography.

use super::Language;

/// What a value measures, and so how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// An amount of money, in the loan's currency.
    Money,
    /// Days before the application, stored as a negative number: shown in years.
    YearsAgo,
    /// Days after the application (a credit's end): shown in years.
    YearsAhead,
    /// Months before the application, stored as a negative number.
    MonthsAgo,
    /// A number of years.
    Years,
    /// A number of days.
    Days,
    /// A share (0.25 is 25 %).
    Share,
    /// A score between 0 and 1.
    Score,
    /// A statistic normalised to 0 to 1 by the data's provider.
    Normalised,
    /// A count or a small whole-number rating.
    Count,
    /// 1 for yes, 0 for no.
    Flag,
    /// An hour of the day.
    Hour,
    /// A category (shown by its name, elsewhere).
    Category,
    /// A number with no unit to speak of (a variance).
    Plain,
}

impl Unit {
    /// `value` in the applicant's terms.
    pub fn show(self, value: f64, lang: Language) -> String {
        if !value.is_finite() {
            return match lang {
                Language::En => "not available",
                Language::Fr => "non disponible",
            }
            .to_owned();
        }
        let years = |n: f64| {
            let n = number(n, 1, lang);
            match lang {
                Language::En => format!("{n} years"),
                Language::Fr => format!("{n}\u{a0}ans"),
            }
        };
        match self {
            Unit::Money => number(value, if value.abs() < 100.0 { 2 } else { 0 }, lang),
            Unit::YearsAgo => years(-value / 365.25),
            Unit::YearsAhead => years(value / 365.25),
            Unit::MonthsAgo => {
                let n = number(-value, 0, lang);
                match lang {
                    Language::En => format!("{n} months ago"),
                    Language::Fr => format!("il y a {n}\u{a0}mois"),
                }
            }
            Unit::Years => years(value),
            Unit::Days => {
                let n = number(value, 0, lang);
                match lang {
                    Language::En => format!("{n} days"),
                    Language::Fr => format!("{n}\u{a0}jours"),
                }
            }
            Unit::Share => {
                let n = number(value * 100.0, 1, lang);
                match lang {
                    Language::En => format!("{n}%"),
                    Language::Fr => format!("{n}\u{a0}%"),
                }
            }
            Unit::Score | Unit::Normalised => {
                let n = number(value, 2, lang);
                match lang {
                    Language::En => format!("{n} on a 0 to 1 scale"),
                    Language::Fr => format!("{n} sur une échelle de 0 à 1"),
                }
            }
            Unit::Flag => match (value != 0.0, lang) {
                (true, Language::En) => "yes".to_owned(),
                (false, Language::En) => "no".to_owned(),
                (true, Language::Fr) => "oui".to_owned(),
                (false, Language::Fr) => "non".to_owned(),
            },
            Unit::Hour => match lang {
                Language::En => format!("{}:00", value.round()),
                Language::Fr => format!("{}\u{a0}h", value.round()),
            },
            Unit::Count | Unit::Category | Unit::Plain => {
                let decimals = if value.fract() == 0.0 { 0 } else { 2 };
                number(value, decimals, lang)
            }
        }
    }
}

/// `value` with `decimals` decimals (trailing zeros dropped), thousands
/// grouped: `1,234.5` in English, `1 234,5` in French (narrow no-break
/// space).
pub fn number(value: f64, decimals: usize, lang: Language) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f.trim_end_matches('0')),
        None => (text.as_str(), ""),
    };
    let (group, point) = match lang {
        Language::En => (",", "."),
        Language::Fr => ("\u{202f}", ","),
    };
    let digits: Vec<char> = whole.chars().collect();
    let mut grouped = String::new();
    for (i, digit) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push_str(group);
        }
        grouped.push(*digit);
    }
    let negative = value < 0.0 && (whole != "0" || !fraction.is_empty());
    let sign = if negative { "-" } else { "" };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}{point}{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_in_the_applicants_terms() {
        assert_eq!(Unit::YearsAgo.show(-3652.5, Language::En), "10 years");
        assert_eq!(Unit::YearsAgo.show(-3652.5, Language::Fr), "10\u{a0}ans");
        assert_eq!(Unit::Money.show(1_234_567.0, Language::En), "1,234,567");
        assert_eq!(
            Unit::Money.show(1_234_567.0, Language::Fr),
            "1\u{202f}234\u{202f}567"
        );
        assert_eq!(Unit::Share.show(0.255, Language::En), "25.5%");
        assert_eq!(Unit::Share.show(0.255, Language::Fr), "25,5\u{a0}%");
        assert_eq!(Unit::Flag.show(1.0, Language::Fr), "oui");
        assert_eq!(Unit::MonthsAgo.show(-12.0, Language::En), "12 months ago");
        assert_eq!(number(-0.004, 2, Language::En), "0");
        assert_eq!(number(-1234.5, 1, Language::En), "-1,234.5");
        assert_eq!(Unit::Count.show(f64::NAN, Language::En), "not available");
    }
}
