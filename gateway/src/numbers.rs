//! Numbers as each language writes them: `12,345.6` in English,
//! `12 345,6` in French (decimal comma, narrow no-break space between
//! thousands). The pages format numbers to text first (a fixed number of
//! decimals), then the templates' `num` filter localizes that text. Form
//! fields keep the plain form, which the forms read back.

use crate::i18n::Lang;

/// U+202F NARROW NO-BREAK SPACE, the French thousands separator.
const FRENCH_THOUSANDS: char = '\u{202f}';

/// `text` localized for `lang` when it is a plain decimal number
/// (`-12000`, `+0.100`, `48.1`); any other text is returned as it is.
pub fn localize(text: &str, lang: Lang) -> String {
    let (sign, unsigned) = match text.strip_prefix(['-', '+']) {
        Some(rest) => (&text[..1], rest),
        None => ("", text),
    };
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(integer) || fraction.is_some_and(|f| !digits(f)) {
        return text.to_owned();
    }
    let (thousands, decimal) = match lang {
        Lang::En => (',', '.'),
        Lang::Fr => (FRENCH_THOUSANDS, ','),
    };
    let mut out = String::with_capacity(text.len() + integer.len() / 3 * 3);
    out.push_str(sign);
    for (k, digit) in integer.chars().enumerate() {
        if k > 0 && (integer.len() - k) % 3 == 0 {
            out.push(thousands);
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push(decimal);
        out.push_str(fraction);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_the_way_each_language_writes_them() {
        let cases = [
            ("48.1", "48.1", "48,1"),
            ("400000", "400,000", "400\u{202f}000"),
            ("-12000", "-12,000", "-12\u{202f}000"),
            ("+0.100", "+0.100", "+0,100"),
            ("1234567.25", "1,234,567.25", "1\u{202f}234\u{202f}567,25"),
            ("999", "999", "999"),
            ("0", "0", "0"),
        ];
        for (plain, english, french) in cases {
            assert_eq!(localize(plain, Lang::En), english, "{plain}");
            assert_eq!(localize(plain, Lang::Fr), french, "{plain}");
        }
    }

    #[test]
    fn other_text_is_left_alone() {
        for text in [
            "",
            "—",
            "n/a",
            "1.2.3",
            "12a",
            "-",
            ".5",
            "5.",
            "0.05 → 0.01",
            "1e-5",
        ] {
            assert_eq!(localize(text, Lang::Fr), text);
        }
    }
}
