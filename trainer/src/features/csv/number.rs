//! Numbers as the files write them, parsed without the general parsers'
//! set-up: most cells are a plain decimal (`-628.0`, `4395.556`, `100003`).
//!
//! A decimal of at most 19 digits whose digits, read as an integer `m`,
//! fit in 53 bits, with `k` ≤ 22 digits after the point, is exactly
//! `m / 10^k` with both operands exact f64s: one IEEE division, correctly
//! rounded, the same f64 as any correct parser gives (Clinger's fast path).
//! Anything else (an exponent, more digits, `inf`, a stray sign, text)
//! goes to the general parser, which also decides what is an error.

/// Exact powers of ten as f64.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The f64 of `bytes`, or `None` if it is not a number.
#[inline]
pub(super) fn parse_f64(bytes: &[u8]) -> Option<f64> {
    match decimal_prefix(bytes) {
        Some((value, length)) if length == bytes.len() => Some(value),
        _ => fast_float2::parse(bytes).ok(),
    }
}

/// The i64 of `bytes`, or `None` if it is not an integer (as `i64::from_str`
/// reads one).
#[inline]
pub(super) fn parse_i64(bytes: &[u8]) -> Option<i64> {
    match integer_prefix(bytes) {
        Some((value, length)) if length == bytes.len() => Some(value),
        _ => std::str::from_utf8(bytes).ok()?.parse().ok(),
    }
}

/// The plain decimal `[-]digits[.digits]` that `text` starts with, within
/// the exact range, and its length; `None` if `text` does not start with
/// one (the caller then checks that the decimal is the whole field).
#[inline]
pub(super) fn decimal_prefix(text: &[u8]) -> Option<(f64, usize)> {
    let negative = text.first() == Some(&b'-');
    let start = usize::from(negative);
    let mut mantissa: u64 = 0;
    let mut digits = 0usize;
    let mut point = None;
    // The digits before the point.
    let mut whole: u64 = 0;
    let mut end = start;
    while let Some(&b) = text.get(end) {
        let digit = b.wrapping_sub(b'0');
        if digit <= 9 {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
            digits += 1;
        } else if b == b'.' && point.is_none() {
            point = Some(end);
            whole = mantissa;
        } else {
            break;
        }
        end += 1;
    }
    // "." alone, "5." and ".5" are left to the general parser.
    let (decimals, fraction) = match point {
        Some(p) if p == start || p + 1 == end => return None,
        Some(p) => (end - p - 1, text[p + 1..end].iter().any(|&b| b != b'0')),
        None => (0, false),
    };
    // At most 19 digits: the mantissa did not wrap.
    if digits == 0 || digits > 19 || mantissa > (1u64 << 53) || decimals >= POWERS_OF_TEN.len() {
        return None;
    }
    // `-628.0` is its whole part: no division (a third of the parse time
    // went to them).
    #[allow(clippy::cast_precision_loss)] // exact: at most 2^53
    let value = match (decimals, fraction) {
        (0, _) => mantissa as f64,
        (_, false) => whole as f64,
        _ => mantissa as f64 / POWERS_OF_TEN[decimals],
    };
    Some((if negative { -value } else { value }, end))
}

/// The integer `[-]digits` (at most 18 digits: no overflow) that `text`
/// starts with, and its length.
#[inline]
pub(super) fn integer_prefix(text: &[u8]) -> Option<(i64, usize)> {
    let negative = text.first() == Some(&b'-');
    let start = usize::from(negative);
    let mut value: i64 = 0;
    let mut end = start;
    while let Some(&b) = text.get(end) {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        if end - start == 18 {
            return None;
        }
        value = value * 10 + i64::from(digit);
        end += 1;
    }
    if end == start {
        return None;
    }
    Some((if negative { -value } else { value }, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn general(text: &str) -> Option<f64> {
        fast_float2::parse(text.as_bytes()).ok()
    }

    #[test]
    fn plain_decimals_are_the_correctly_rounded_f64() {
        for text in [
            "0",
            "0.0",
            "-0.0",
            "1",
            "-628.0",
            "-628.000",
            "7.00",
            "-0.000",
            "4395.556",
            "0.1",
            "0.3",
            "123456789.123456789",
            "9007199254740992",
            "-9007199254740993",
            "0.0000000000000000000001",
            "1.7976931348623157",
            "2.2250738585072014",
            "99999999999999999999",
            "17179869184.5",
            "-1.000000000000000000001",
        ] {
            let parsed = parse_f64(text.as_bytes());
            assert_eq!(
                parsed.map(f64::to_bits),
                general(text).map(f64::to_bits),
                "{text}"
            );
        }
    }

    #[test]
    fn many_random_decimals_match_the_general_parser() {
        // A small xorshift: reproducible, no dependency.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..200_000 {
            let whole = next() % 10u64.pow((next() % 16) as u32 + 1);
            let decimals = (next() % 12) as usize;
            let fraction = next() % 10u64.pow(decimals as u32).max(1);
            let sign = if next() % 2 == 0 { "-" } else { "" };
            let text = if decimals == 0 {
                format!("{sign}{whole}")
            } else {
                format!("{sign}{whole}.{fraction:0decimals$}")
            };
            assert_eq!(
                parse_f64(text.as_bytes()).map(f64::to_bits),
                general(&text).map(f64::to_bits),
                "{text}"
            );
        }
    }

    #[test]
    fn other_spellings_are_left_to_the_general_parser() {
        for text in ["1e3", "-2.5E-3", "inf", "NaN", "5.", ".5", "+7"] {
            assert_eq!(
                parse_f64(text.as_bytes()).map(f64::to_bits),
                general(text).map(f64::to_bits),
                "{text}"
            );
        }
        for text in ["", "-", "1.2.3", "12a", "--1", "1,5", " 1"] {
            assert_eq!(parse_f64(text.as_bytes()), general(text), "{text:?}");
        }
    }

    #[test]
    fn a_prefix_stops_at_the_first_byte_that_is_not_part_of_it() {
        assert_eq!(decimal_prefix(b"-12.5,7"), Some((-12.5, 5)));
        assert_eq!(decimal_prefix(b"3\n"), Some((3.0, 1)));
        assert_eq!(
            decimal_prefix(b"1e5"),
            Some((1.0, 1)),
            "the caller sees the e"
        );
        assert_eq!(decimal_prefix(b",1"), None);
        assert_eq!(decimal_prefix(b"-,"), None);
        assert_eq!(integer_prefix(b"100003,1"), Some((100_003, 6)));
        assert_eq!(integer_prefix(b"-4\r\n"), Some((-4, 2)));
        assert_eq!(integer_prefix(b"1234567890123456789"), None, "19 digits");
        assert_eq!(integer_prefix(b"-"), None);
    }

    #[test]
    fn integers_are_read_as_i64_reads_them() {
        for text in [
            "0",
            "-0",
            "100003",
            "-42",
            "+7",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "",
            "-",
            "1.0",
            "12a",
            " 1",
            "000000000000000000000001",
        ] {
            assert_eq!(
                parse_i64(text.as_bytes()),
                text.parse::<i64>().ok(),
                "{text:?}"
            );
        }
    }
}
