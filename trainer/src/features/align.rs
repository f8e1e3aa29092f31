//! Placing a table's per-client features on the applicants' rows.
//!
//! Each part of a table's features (a family's reductions, its counted
//! category shares, …) has one row per client that has rows in the table,
//! keyed by the client identifier; the feature table has one row per
//! applicant, in the application files' order. A left join per part copied
//! every column twice (the join, then NaN turned into missing); here the
//! row of each applicant in the part is looked up once and each feature
//! column is gathered by those rows, in parallel over columns, a NaN (a
//! variance of one value, a ratio over zero) becoming missing. The
//! application's own part, already in the applicants' order, is only
//! copied.

use polars::prelude::*;
use polars_arrow::bitmap::MutableBitmap;
use rayon::prelude::*;

/// The applicants' identifiers, in the feature table's order.
pub(crate) struct Applicants {
    ids: Int64Chunked,
}

impl Applicants {
    pub(crate) fn new(ids: &Column) -> PolarsResult<Self> {
        let ids = ids
            .as_materialized_series()
            .cast(&DataType::Int64)?
            .i64()?
            .rechunk()
            .into_owned();
        Ok(Self { ids })
    }

    /// The columns `names` of `part` (keyed by its column `key`, one row
    /// per key), one value per applicant: missing for an applicant absent
    /// from `part` and where `part` holds a missing value or NaN.
    pub(crate) fn align(
        &self,
        part: &DataFrame,
        key: &str,
        names: &[&str],
    ) -> PolarsResult<Vec<Column>> {
        let keys = part.column(key)?;
        // The application's own rows are the applicants', in their order.
        let rows = if self.are(keys)? {
            None
        } else {
            Some(self.rows_in(keys)?)
        };
        names
            .par_iter()
            .map(|name| {
                let values = part
                    .column(name)?
                    .as_materialized_series()
                    .cast(&DataType::Float64)?;
                let values = values.f64()?.rechunk();
                Ok(match &rows {
                    Some(rows) => gather(&values, rows),
                    None => nan_missing(&values),
                }
                .into_column())
            })
            .collect()
    }

    /// Whether `keys` are the applicants' identifiers, all present, in
    /// their order.
    fn are(&self, keys: &Column) -> PolarsResult<bool> {
        let keys = keys.as_materialized_series().cast(&DataType::Int64)?;
        Ok(keys.len() == self.ids.len()
            && keys
                .i64()?
                .iter()
                .zip(self.ids.iter())
                .all(|(key, id)| key.is_some() && key == id))
    }

    /// For each applicant, its row in a part whose keys are `keys`.
    fn rows_in(&self, keys: &Column) -> PolarsResult<Vec<Option<u32>>> {
        let keys = keys.as_materialized_series().cast(&DataType::Int64)?;
        let keys = keys.i64()?;
        let mut row_of: PlHashMap<i64, u32> = PlHashMap::with_capacity(keys.len());
        for (row, key) in keys.iter().enumerate() {
            if let Some(key) = key {
                let row = u32::try_from(row).map_err(|_| {
                    PolarsError::ComputeError("a part of more than 2^32 rows".into())
                })?;
                row_of.insert(key, row);
            }
        }
        Ok(self
            .ids
            .iter()
            .map(|id| id.and_then(|id| row_of.get(&id).copied()))
            .collect())
    }
}

/// `values` at `rows`, missing where the row is absent or the value
/// missing or NaN.
fn gather(values: &Float64Chunked, rows: &[Option<u32>]) -> Float64Chunked {
    // One chunk after the rechunk.
    let (numbers, validity) = match values.downcast_iter().next() {
        Some(array) => (array.values().as_slice(), array.validity()),
        None => (&[][..], None),
    };
    // NaN marks every missing cell, then the validity is read from it in
    // one pass (a bit pushed per value cost more than the gather).
    let out: Vec<f64> = rows
        .iter()
        .map(|row| match *row {
            Some(r) if validity.is_none_or(|v| v.get_bit(r as usize)) => numbers[r as usize],
            _ => f64::NAN,
        })
        .collect();
    with_nan_missing(values.name().clone(), out)
}

/// `values` with each NaN missing too.
fn nan_missing(values: &Float64Chunked) -> Float64Chunked {
    let Some(array) = values.downcast_iter().next() else {
        return values.clone();
    };
    let numbers = array.values().as_slice();
    let out: Vec<f64> = match array.validity() {
        None => numbers.to_vec(),
        Some(validity) => numbers
            .iter()
            .zip(validity.iter())
            .map(|(&value, present)| if present { value } else { f64::NAN })
            .collect(),
    };
    with_nan_missing(values.name().clone(), out)
}

/// `numbers` as a column in which NaN is missing.
fn with_nan_missing(name: PlSmallStr, numbers: Vec<f64>) -> Float64Chunked {
    let present = MutableBitmap::from_iter(numbers.iter().map(|v| !v.is_nan()));
    let validity = (present.unset_bits() > 0).then(|| present.into());
    Float64Chunked::from_vec_validity(name, numbers, validity)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(column: &Column) -> Vec<Option<f64>> {
        column.f64().expect("f64").iter().collect()
    }

    #[test]
    fn features_follow_the_applicants_order_and_absent_clients_are_missing() {
        let applicants =
            Applicants::new(&Column::new("id".into(), [3i64, 1, 2, 3])).expect("applicants");
        let part = df![
            "id" => [Some(1i64), Some(3), None],
            "x" => [Some(10.0), Some(f64::NAN), Some(7.0)],
            "n" => [Some(4i64), None, Some(1)],
        ]
        .expect("part");
        let out = applicants.align(&part, "id", &["x", "n"]).expect("aligned");
        // 3: NaN is missing; 1: its row; 2: absent; a repeated applicant
        // gets its row again, as a left join gives it.
        assert_eq!(values(&out[0]), [None, Some(10.0), None, None]);
        assert_eq!(values(&out[1]), [None, Some(4.0), None, None]);
        assert_eq!(out[0].name().as_str(), "x");
    }

    #[test]
    fn a_part_in_the_applicants_order_keeps_its_values_and_loses_its_nan() {
        let applicants =
            Applicants::new(&Column::new("id".into(), [3i64, 1, 2])).expect("applicants");
        let part = df![
            "id" => [3i64, 1, 2],
            "x" => [Some(1.5), None, Some(f64::NAN)],
            "n" => [Some(4i64), Some(5), Some(6)],
        ]
        .expect("part");
        assert!(
            applicants
                .are(part.column("id").expect("id"))
                .expect("compared")
        );
        let out = applicants.align(&part, "id", &["x", "n"]).expect("aligned");
        assert_eq!(values(&out[0]), [Some(1.5), None, None]);
        assert_eq!(values(&out[1]), [Some(4.0), Some(5.0), Some(6.0)]);
        // Same keys in another order, or one missing, go through the lookup.
        let shuffled = df!["id" => [1i64, 3, 2]].expect("part");
        assert!(
            !applicants
                .are(shuffled.column("id").expect("id"))
                .expect("compared")
        );
        let gap = df!["id" => [Some(3i64), None, Some(2)]].expect("part");
        assert!(
            !applicants
                .are(gap.column("id").expect("id"))
                .expect("compared")
        );
    }

    #[test]
    fn a_missing_feature_column_is_an_error() {
        let applicants = Applicants::new(&Column::new("id".into(), [1i64])).expect("applicants");
        let part = df!["id" => [1i64]].expect("part");
        assert!(applicants.align(&part, "id", &["absent"]).is_err());
        assert!(applicants.align(&part, "other key", &[]).is_err());
    }
}
