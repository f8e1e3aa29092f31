//! Placing a table's per-client features on the applicants' rows.
//!
//! Each part of a table's features (a family's reductions, its counted
//! category shares, …) has one row per client that has rows in the table,
//! keyed by the client identifier; the feature table has one row per
//! applicant, in the application files' order. A left join per part copied
//! every column twice (the join, then NaN turned into missing); here the
//! row of each applicant in the part is looked up once and each feature
//! column is gathered by those rows in one pass, in parallel over columns,
//! a NaN (a variance of one value, a ratio over zero) becoming missing.

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
        let rows = self.rows_in(part.column(key)?)?;
        names
            .par_iter()
            .map(|name| {
                let values = part
                    .column(name)?
                    .as_materialized_series()
                    .cast(&DataType::Float64)?;
                let values = values.f64()?.rechunk();
                Ok(gather(&values, &rows).into_column())
            })
            .collect()
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
    let mut out = Vec::with_capacity(rows.len());
    let mut present = MutableBitmap::with_capacity(rows.len());
    for row in rows {
        let value = row
            .map(|r| r as usize)
            .filter(|&r| validity.is_none_or(|v| v.get_bit(r)))
            .map(|r| numbers[r])
            .filter(|v| !v.is_nan());
        out.push(value.unwrap_or(f64::NAN));
        present.push(value.is_some());
    }
    Float64Chunked::from_vec_validity(values.name().clone(), out, Some(present.into()))
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
    fn a_missing_feature_column_is_an_error() {
        let applicants = Applicants::new(&Column::new("id".into(), [1i64])).expect("applicants");
        let part = df!["id" => [1i64]].expect("part");
        assert!(applicants.align(&part, "id", &["absent"]).is_err());
        assert!(applicants.align(&part, "other key", &[]).is_err());
    }
}
