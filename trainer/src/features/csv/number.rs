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
    match plain_decimal(bytes) {
        Some(value) => Some(value),
        None => fast_float2::parse(bytes).ok(),
    }
}

/// The i64 of `bytes`, or `None` if it is not an integer (as `i64::from_str`
/// reads one).
#[inline]
pub(super) fn parse_i64(bytes: &[u8]) -> Option<i64> {
    let (negative, digits) = match bytes {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, bytes),
    };
    // 18 digits never overflow.
    if digits.is_empty() || digits.len() > 18 {
        return std::str::from_utf8(bytes).ok()?.parse().ok();
    }
    let mut value: i64 = 0;
    for &b in digits {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return std::str::from_utf8(bytes).ok()?.parse().ok();
        }
        value = value * 10 + i64::from(digit);
    }
    Some(if negative { -value } else { value })
}

/// `[-]digits[.digits]` within the exact range, else `None`.
#[inline]
fn plain_decimal(bytes: &[u8]) -> Option<f64> {
    let (negative, text) = match bytes {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, bytes),
    };
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut digits = 0usize;
    let mut point = None;
    for (i, &b) in text.iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit <= 9 {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
            digits += 1;
        } else if b == b'.' && point.is_none() {
            point = Some(i);
        } else {
            return None;
        }
    }
    // At most 19 digits: no wrap of u64. "." alone or "5." are left to
    // the general parser, as is "-.5".
    let decimals = match point {
        Some(p) if p == 0 || p + 1 == text.len() => return None,
        Some(p) => text.len() - p - 1,
        None => 0,
    };
    if digits > 19 || mantissa > (1u64 << 53) || decimals >= POWERS_OF_TEN.len() {
        return None;
    }
    #[allow(clippy::cast_precision_loss)] // exact: at most 2^53
    let value = mantissa as f64 / POWERS_OF_TEN[decimals];
    Some(if negative { -value } else { value })
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
