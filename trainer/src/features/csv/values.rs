//! The columns of one block being filled: plain vectors and the rows where
//! a value is missing, pushed to inline and handed to polars once the block
//! is parsed (polars' builders cost a call per value); a text column as
//! positions in the block's own dictionary.

use polars::prelude::*;
use polars_arrow::bitmap::MutableBitmap;

use super::Kind;

/// A column of one block being filled.
pub(super) enum Values {
    Integer(Filled<i64>),
    Number(Filled<f64>),
    Text(TextValues),
}

/// Values, and where they are missing: most columns miss few values or
/// none, so a bit per value pushed for each was most of the cost of
/// storing a number.
pub(super) struct Filled<T> {
    values: Vec<T>,
    missing: Vec<usize>,
}

impl<T: Copy + Default> Filled<T> {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            values: Vec::with_capacity(capacity),
            missing: Vec::new(),
        }
    }

    #[inline]
    pub(super) fn push(&mut self, value: Option<T>) {
        match value {
            Some(value) => self.values.push(value),
            None => {
                self.missing.push(self.values.len());
                self.values.push(T::default());
            }
        }
    }

    fn finish<P: PolarsNumericType<Native = T>>(self, name: &str) -> ChunkedArray<P> {
        let validity = (!self.missing.is_empty()).then(|| {
            let mut present = MutableBitmap::from_len_set(self.values.len());
            for &row in &self.missing {
                present.set(row, false);
            }
            present.into()
        });
        ChunkedArray::from_vec_validity(name.into(), self.values, validity)
    }
}

/// A text column as positions in the block's own dictionary.
pub(super) struct TextValues {
    positions: Filled<u32>,
    values: Vec<String>,
    lookup: PlHashMap<Vec<u8>, u32>,
    /// The position of the last value: categories often repeat row after row.
    last: Option<u32>,
}

impl TextValues {
    pub(super) fn push_missing(&mut self) {
        self.positions.push(None);
    }

    /// Appends the text `bytes`; `Err` if it is not UTF-8.
    pub(super) fn push(&mut self, bytes: &[u8]) -> Result<(), ()> {
        if let Some(last) = self.last
            && same(self.values[last as usize].as_bytes(), bytes)
        {
            self.positions.push(Some(last));
            return Ok(());
        }
        let position = match self.lookup.get(bytes) {
            Some(&position) => position,
            None => {
                let text = std::str::from_utf8(bytes).map_err(|_| ())?;
                let position = u32::try_from(self.values.len()).map_err(|_| ())?;
                self.values.push(text.to_owned());
                self.lookup.insert(bytes.to_vec(), position);
                position
            }
        };
        self.last = Some(position);
        self.positions.push(Some(position));
        Ok(())
    }
}

/// Whether two short texts are equal, compared inline: a call to `memcmp`
/// per value cost more than the comparison of a category's few bytes.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

impl Values {
    pub(super) fn new(kind: Kind, capacity: usize) -> Self {
        match kind {
            Kind::Integer => Values::Integer(Filled::with_capacity(capacity)),
            Kind::Number => Values::Number(Filled::with_capacity(capacity)),
            Kind::Text => Values::Text(TextValues {
                positions: Filled::with_capacity(capacity),
                values: Vec::new(),
                lookup: PlHashMap::new(),
                last: None,
            }),
        }
    }

    /// The column named `name`, and the dictionary of a text column.
    pub(super) fn finish(self, name: &str) -> (Column, Vec<String>) {
        match self {
            Values::Integer(b) => (b.finish::<Int64Type>(name).into_column(), Vec::new()),
            Values::Number(b) => (b.finish::<Float64Type>(name).into_column(), Vec::new()),
            Values::Text(t) => (
                t.positions.finish::<UInt32Type>(name).into_column(),
                t.values,
            ),
        }
    }
}
