//! Text columns as positions in a dictionary of their values.
//!
//! A category column holds a handful of distinct values over millions of
//! rows (bureau_balance's STATUS: 8 over 27M rows). A table is loaded with
//! each text column as the position (u32) of its value in the column's
//! dictionary, its distinct values in the order they first appear, missing
//! staying missing: no text is kept per row, a column's vocabulary is read
//! from its dictionary, and coding for a plan ([`super::codes::Codes`])
//! maps each dictionary entry once instead of each row's text.

use polars::prelude::*;
use rayon::prelude::*;

/// The distinct values of one text column, in order of first appearance.
#[derive(Debug, Default, Clone)]
pub(crate) struct Dictionary {
    values: Vec<String>,
    positions: PlHashMap<String, u32>,
}

impl Dictionary {
    pub(crate) fn into_values(self) -> Vec<String> {
        self.values
    }

    /// The position of `value`, added at the end if it is new.
    pub(crate) fn position(&mut self, value: &str) -> PolarsResult<u32> {
        if let Some(&position) = self.positions.get(value) {
            return Ok(position);
        }
        let position = u32::try_from(self.values.len())
            .map_err(|_| PolarsError::ComputeError("more than 2^32 distinct values".into()))?;
        self.values.push(value.to_owned());
        self.positions.insert(value.to_owned(), position);
        Ok(position)
    }

    /// The position in this dictionary of each of `values` (another
    /// dictionary's), new ones added in their order.
    pub(crate) fn merge(&mut self, values: &[String]) -> PolarsResult<Vec<u32>> {
        values.iter().map(|v| self.position(v)).collect()
    }
}

/// A table as loaded: numbers as they are, each text column as positions
/// in its dictionary.
#[derive(Debug, Clone)]
pub(crate) struct LoadedTable {
    pub(crate) frame: DataFrame,
    /// One per text column.
    pub(crate) dictionaries: Vec<(String, Vec<String>)>,
}

impl LoadedTable {
    /// The dictionary of text column `column`.
    pub(crate) fn dictionary(&self, column: &str) -> PolarsResult<&[String]> {
        self.dictionaries
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, values)| values.as_slice())
            .ok_or_else(|| {
                PolarsError::SchemaMismatch(format!("{column} is not a text column").into())
            })
    }

    /// `frame` with each text column replaced by its dictionary positions.
    pub(crate) fn from_text(mut frame: DataFrame) -> PolarsResult<Self> {
        let texts: Vec<PlSmallStr> = frame
            .columns()
            .iter()
            .filter(|c| c.dtype() == &DataType::String)
            .map(|c| c.name().clone())
            .collect();
        let encoded: Vec<(UInt32Chunked, Vec<String>)> = texts
            .par_iter()
            .map(|name| encode(frame.column(name)?.as_materialized_series().str()?))
            .collect::<PolarsResult<_>>()?;
        let mut dictionaries = Vec::with_capacity(texts.len());
        for (name, (positions, dictionary)) in texts.into_iter().zip(encoded) {
            frame.with_column(positions.into_column())?;
            dictionaries.push((name.to_string(), dictionary));
        }
        Ok(Self {
            frame,
            dictionaries,
        })
    }

    /// This table's rows, then `below`'s (same columns), positions of
    /// `below` moved into this table's dictionaries.
    pub(crate) fn stack(mut self, mut below: LoadedTable) -> PolarsResult<Self> {
        for (column, values) in &mut self.dictionaries {
            let mut dictionary = Dictionary::default();
            dictionary.merge(values)?;
            let moved = dictionary.merge(below.dictionary(column)?)?;
            *values = dictionary.into_values();
            let positions = below.frame.column(column)?.as_materialized_series().u32()?;
            let positions = remap(positions, &moved);
            below.frame.with_column(positions.into_column())?;
        }
        self.frame.vstack_mut_owned(below.frame)?;
        Ok(self)
    }
}

/// Rows of a text column encoded per parallel task.
const PART: usize = 1 << 20;

/// The dictionary positions of `text`, and its dictionary: parts of the
/// column encoded in parallel, each with its own dictionary, then moved
/// into one in order (so values still come in order of first appearance).
fn encode(text: &StringChunked) -> PolarsResult<(UInt32Chunked, Vec<String>)> {
    let offsets: Vec<usize> = (0..text.len()).step_by(PART).collect();
    let parts: Vec<(Vec<Option<u32>>, Vec<String>)> = offsets
        .into_par_iter()
        .map(|offset| encode_part(&text.slice(offset as i64, PART)))
        .collect::<PolarsResult<_>>()?;
    let mut dictionary = Dictionary::default();
    let mut positions = Vec::with_capacity(text.len());
    for (part, values) in parts {
        let moved = dictionary.merge(&values)?;
        positions.extend(part.into_iter().map(|p| p.map(|p| moved[p as usize])));
    }
    let positions = UInt32Chunked::from_iter_options(text.name().clone(), positions.into_iter());
    Ok((positions, dictionary.into_values()))
}

/// The positions of `text` in a dictionary of its own, and that dictionary.
fn encode_part(text: &StringChunked) -> PolarsResult<(Vec<Option<u32>>, Vec<String>)> {
    let mut dictionary = Dictionary::default();
    let mut positions = Vec::with_capacity(text.len());
    // Categories often repeat row after row: the last one is checked first.
    let mut last: Option<(&str, u32)> = None;
    for value in text.iter() {
        let position = match (value, last) {
            (None, _) => None,
            (Some(v), Some((text, position))) if v == text => Some(position),
            (Some(v), _) => {
                let position = dictionary.position(v)?;
                last = Some((v, position));
                Some(position)
            }
        };
        positions.push(position);
    }
    Ok((positions, dictionary.into_values()))
}

/// `positions` through `map` (the new position of each old one).
pub(crate) fn remap(positions: &UInt32Chunked, map: &[u32]) -> UInt32Chunked {
    // Out of range cannot happen (positions index their dictionary); it
    // would be missing rather than a panic.
    positions.apply(|p| p.and_then(|p| map.get(p as usize).copied()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positions(table: &LoadedTable, column: &str) -> Vec<Option<u32>> {
        let column = table.frame.column(column).expect("column");
        column.u32().expect("u32").iter().collect()
    }

    #[test]
    fn text_becomes_positions_in_order_of_first_appearance() {
        let frame = df![
            "id" => [1i64, 2, 3, 4],
            "status" => [Some("C"), None, Some("0"), Some("C")],
        ]
        .expect("frame");
        let table = LoadedTable::from_text(frame).expect("loaded");
        assert_eq!(table.dictionary("status").expect("text"), ["C", "0"]);
        assert_eq!(
            positions(&table, "status"),
            [Some(0), None, Some(1), Some(0)]
        );
        assert!(
            table.dictionary("id").is_err(),
            "a number has no dictionary"
        );
    }

    #[test]
    fn a_long_column_is_one_dictionary_across_its_parts() {
        let values: Vec<Option<&str>> = (0..PART * 2 + 5)
            .map(|i| match i % 7 {
                0 => None,
                r if i < PART => Some(["a", "b"][r % 2]),
                r => Some(["c", "b", "a"][r % 3]),
            })
            .collect();
        let frame = df!["status" => values.clone()].expect("frame");
        let table = LoadedTable::from_text(frame).expect("loaded");
        let dictionary = table.dictionary("status").expect("text");
        assert_eq!(dictionary, ["b", "a", "c"]);
        let decoded: Vec<Option<&str>> = positions(&table, "status")
            .into_iter()
            .map(|p| p.map(|p| dictionary[p as usize].as_str()))
            .collect();
        assert_eq!(decoded, values);
    }

    #[test]
    fn a_stacked_table_moves_its_positions_into_the_first_dictionary() {
        let top = df!["status" => [Some("C"), Some("0")]].expect("top");
        let below = df!["status" => [Some("X"), None, Some("C")]].expect("below");
        let top = LoadedTable::from_text(top).expect("top");
        let below = LoadedTable::from_text(below).expect("below");
        let both = top.stack(below).expect("stacked");
        assert_eq!(both.dictionary("status").expect("text"), ["C", "0", "X"]);
        assert_eq!(
            positions(&both, "status"),
            [Some(0), Some(1), Some(2), None, Some(0)]
        );
    }
}
