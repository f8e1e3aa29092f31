//! Writing CSV fields the way pandas writes the original files: integers
//! without decimals, floats in their shortest round-trip form (`202500.0`,
//! `0.0188`, `1e-05`), text quoted only when it holds a comma or a quote,
//! missing values as empty fields; and splitting such a line back into its
//! fields ([`split_csv_line`]), for every reader of the layout's files.

use super::sample::Value;
use crate::tables::ColumnType;

/// Splits one CSV line on commas, honouring double quotes (`""` inside a
/// quoted field is a quote); a trailing `\r` is not part of the line.
pub fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Rows of one table, appended to an in-memory buffer.
#[derive(Debug, Default)]
pub(crate) struct Csv {
    pub(crate) buf: Vec<u8>,
    pub(crate) rows: u64,
    in_row: bool,
}

impl Csv {
    fn separator(&mut self) {
        if self.in_row {
            self.buf.push(b',');
        }
        self.in_row = true;
    }

    pub(crate) fn int(&mut self, value: i64) {
        self.separator();
        self.buf
            .extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
    }

    pub(crate) fn float(&mut self, value: f64) {
        self.separator();
        write_float(&mut self.buf, value);
    }

    pub(crate) fn text(&mut self, value: &str) {
        self.separator();
        if value.contains([',', '"']) {
            self.buf.push(b'"');
            for byte in value.bytes() {
                if byte == b'"' {
                    self.buf.push(b'"');
                }
                self.buf.push(byte);
            }
            self.buf.push(b'"');
        } else {
            self.buf.extend_from_slice(value.as_bytes());
        }
    }

    pub(crate) fn empty(&mut self) {
        self.separator();
    }

    /// A float, or an empty field when `None`.
    pub(crate) fn opt(&mut self, value: Option<f64>) {
        match value {
            Some(v) => self.float(v),
            None => self.empty(),
        }
    }

    /// A sampled value written as its column's type.
    pub(crate) fn value(&mut self, value: Value, column_type: ColumnType) {
        match (value, column_type) {
            (Value::Missing, _) => self.empty(),
            (Value::Text(text), _) => self.text(text),
            (Value::Num(v), ColumnType::Int) => self.int(v.round() as i64),
            (Value::Num(v), _) => self.float(v),
        }
    }

    /// Ends the current row.
    pub(crate) fn end(&mut self) {
        self.buf.push(b'\n');
        self.in_row = false;
        self.rows += 1;
    }

    /// The header line: the column names of a table.
    pub(crate) fn header<'a>(names: impl Iterator<Item = &'a str>) -> Vec<u8> {
        let mut csv = Csv::default();
        names.for_each(|name| csv.text(name));
        csv.end();
        csv.buf
    }
}

/// Python's `repr(float)`: whole numbers keep `.0`, exponents have a sign and
/// at least two digits.
fn write_float(buf: &mut Vec<u8>, value: f64) {
    let value = value + 0.0; // no "-0.0"
    if !value.is_finite() {
        return;
    }
    if value.fract() == 0.0 && value.abs() < 1e15 {
        buf.extend_from_slice(itoa::Buffer::new().format(value as i64).as_bytes());
        buf.extend_from_slice(b".0");
        return;
    }
    // Python switches to an exponent below 1e-4, ryu only below 1e-5.
    let mut ryu = ryu::Buffer::new();
    let small;
    let text = if value.abs() < 1e-4 {
        small = format!("{value:e}");
        small.as_str()
    } else {
        ryu.format_finite(value)
    };
    match text.split_once('e') {
        None => buf.extend_from_slice(text.as_bytes()),
        Some((mantissa, exponent)) => {
            buf.extend_from_slice(mantissa.as_bytes());
            buf.push(b'e');
            let (sign, digits) = match exponent.strip_prefix('-') {
                Some(digits) => (b'-', digits),
                None => (b'+', exponent),
            };
            buf.push(sign);
            if digits.len() < 2 {
                buf.push(b'0');
            }
            buf.extend_from_slice(digits.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float(value: f64) -> String {
        let mut buf = Vec::new();
        write_float(&mut buf, value);
        String::from_utf8(buf).unwrap_or_default()
    }

    #[test]
    fn floats_look_like_pandas() {
        assert_eq!(float(202500.0), "202500.0");
        assert_eq!(float(0.0188), "0.0188");
        assert_eq!(float(-0.0), "0.0");
        assert_eq!(float(1e-5), "1e-05");
        assert_eq!(float(0.0001), "0.0001");
        assert_eq!(float(0.000123), "0.000123");
        assert_eq!(float(-2.5e-7), "-2.5e-07");
        assert_eq!(float(-1.5e-5), "-1.5e-05");
        assert_eq!(float(1e16), "1e+16");
    }

    #[test]
    fn text_with_comma_is_quoted() {
        let mut csv = Csv::default();
        csv.text("Spouse, partner");
        csv.int(-3);
        csv.empty();
        csv.end();
        assert_eq!(csv.buf, b"\"Spouse, partner\",-3,\n");
    }
}
