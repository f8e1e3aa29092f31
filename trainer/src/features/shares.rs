//! Category shares per group by counting codes.
//!
//! A category's one-hot indicators reduced by their mean (the kernel's
//! `NAME_GOODS_CATEGORY_Mobile_MEAN`, one per value of every category of
//! the previous applications: about 150 on real data) are, for each group,
//! the count of rows with that value over the group's rows. Counted here in
//! one pass over each coded column, instead of one comparison and one
//! grouped mean per value in polars, which allocates a column of
//! indicators per value and dominated the previous applications' time.
//! `count / rows` is the same f64 as the mean of the 0/1 indicators.

use polars::prelude::*;
use polars_arrow::array::PrimitiveArray;
use rayon::prelude::*;

use super::codes::codes_in;
use super::groups::{Groups, NONE};

/// One share to compute: the rows of a group whose coded `column` is
/// `code` (missing when `code` is `None`), over the group's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Share {
    pub(crate) column: String,
    pub(crate) code: Option<u32>,
    pub(crate) name: String,
}

/// One row per group of `groups` (in their order): the key column, named
/// `key`, then one f64 column per share of `shares`.
pub(crate) fn shares(
    rows: &DataFrame,
    groups: &Groups,
    key: &str,
    shares: &[Share],
) -> PolarsResult<DataFrame> {
    // One pass per coded column counts every value of it at once.
    let mut coded: Vec<&str> = Vec::new();
    for share in shares {
        if !coded.contains(&share.column.as_str()) {
            coded.push(&share.column);
        }
    }
    let per_column: Vec<Vec<(usize, Column)>> = coded
        .par_iter()
        .map(|column| {
            let wanted: Vec<(usize, &Share)> = shares
                .iter()
                .enumerate()
                .filter(|(_, s)| s.column == *column)
                .collect();
            // Spans of rows in parallel only where columns alone leave a
            // core idle: each span has its own counts to add up.
            let spans = if coded.len() < rayon::current_num_threads() {
                rayon::current_num_threads()
            } else {
                1
            };
            let counts = ValueCounts::of(&codes_in(rows, column)?, groups, &wanted, spans)?;
            Ok(wanted
                .iter()
                .map(|&(position, share)| {
                    let values: Vec<f64> = (0..groups.len())
                        .map(|g| f64::from(counts.get(g, share.code)) / f64::from(groups.sizes[g]))
                        .collect();
                    (position, Column::new(share.name.as_str().into(), values))
                })
                .collect())
        })
        .collect::<PolarsResult<_>>()?;
    let mut columns: Vec<(usize, Column)> = per_column.into_iter().flatten().collect();
    columns.sort_by_key(|(position, _)| *position);
    let columns = columns.into_iter().map(|(_, column)| column);

    let mut out = vec![groups.key_column(key)];
    out.extend(columns);
    DataFrame::new_infer_height(out)
}

/// How many rows of each group hold each value of a coded column that a
/// share asks for, and how many hold none.
struct ValueCounts {
    /// Codes `0..width - 1`, then missing.
    width: usize,
    counts: Vec<u32>,
}

impl ValueCounts {
    /// Counted over `spans` spans of chunks in parallel (bureau_balance's
    /// one coded column has 27M rows), then added up.
    fn of(
        codes: &UInt32Chunked,
        groups: &Groups,
        wanted: &[(usize, &Share)],
        spans: usize,
    ) -> PolarsResult<Self> {
        if codes.len() != groups.of_row.len() {
            return Err(PolarsError::ShapeMismatch(
                format!(
                    "{} has {} rows, its groups {}",
                    codes.name(),
                    codes.len(),
                    groups.of_row.len()
                )
                .into(),
            ));
        }
        let width = wanted
            .iter()
            .filter_map(|(_, s)| s.code)
            .max()
            .map_or(0, |code| code as usize + 1)
            + 1;
        let chunks: Vec<(usize, &PrimitiveArray<u32>)> = codes
            .downcast_iter()
            .scan(0, |offset, array| {
                let start = *offset;
                *offset += array.len();
                Some((start, array))
            })
            .collect();
        let spans = spans.clamp(1, chunks.len().max(1));
        let per_span = chunks.len().div_ceil(spans).max(1);
        let counts = chunks
            .par_chunks(per_span)
            .map(|span| {
                let mut counts = vec![0u32; groups.len() * width];
                for &(start, array) in span {
                    count_into(&mut counts, width, array, &groups.of_row[start..]);
                }
                counts
            })
            .reduce_with(|mut total, part| {
                total.iter_mut().zip(part).for_each(|(t, p)| *t += p);
                total
            })
            .unwrap_or_else(|| vec![0u32; groups.len() * width]);
        Ok(Self { width, counts })
    }

    fn get(&self, group: usize, code: Option<u32>) -> u32 {
        let slot = code.map_or(self.width - 1, |c| c as usize);
        self.counts[group * self.width + slot]
    }
}

/// Adds the codes of `array` (whose rows' groups `of_row` starts with) to
/// `counts`; codes no share asks for are not counted.
fn count_into(counts: &mut [u32], width: usize, array: &PrimitiveArray<u32>, of_row: &[u32]) {
    let missing = width - 1;
    for (&group, code) in of_row.iter().zip(array.iter()) {
        if group == NONE {
            continue;
        }
        let slot = match code {
            Some(&code) if (code as usize) < missing => code as usize,
            Some(_) => continue,
            None => missing,
        };
        counts[group as usize * width + slot] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> DataFrame {
        df![
            "id" => [Some(1i64), Some(1), Some(2), Some(1), None, Some(2), Some(3)],
            "kind" => [Some(0u32), None, Some(1), Some(0), Some(0), Some(2), Some(1)],
            "status" => [Some(0u32), Some(0), Some(0), Some(1), Some(0), Some(0), Some(1)],
        ]
        .expect("frame")
    }

    fn share(code: Option<u32>, name: &str) -> Share {
        Share {
            column: "kind".to_owned(),
            code,
            name: name.to_owned(),
        }
    }

    fn column(frame: &DataFrame, name: &str) -> Vec<Option<f64>> {
        frame
            .column(name)
            .expect("column")
            .as_materialized_series()
            .f64()
            .expect("f64")
            .iter()
            .collect()
    }

    fn ids(frame: &DataFrame) -> Vec<Option<i64>> {
        let ids = frame.column("id").expect("id").i64().expect("i64");
        ids.iter().collect()
    }

    fn groups(frame: &DataFrame) -> Groups {
        Groups::of(frame.column("id").expect("id").i64().expect("i64")).expect("groups")
    }

    #[test]
    fn a_share_is_the_count_of_the_value_over_the_group_rows() {
        let wanted = [share(Some(0), "zero"), share(None, "missing")];
        let rows = frame();
        let out = shares(&rows, &groups(&rows), "id", &wanted).expect("shares");
        assert_eq!(ids(&out), [Some(1), Some(2), Some(3)]);
        // id 1: kind 0, missing, 0 → 2/3 zero, 1/3 missing.
        assert_eq!(
            column(&out, "zero"),
            [Some(2.0 / 3.0), Some(0.0), Some(0.0)]
        );
        assert_eq!(
            column(&out, "missing"),
            [Some(1.0 / 3.0), Some(0.0), Some(0.0)]
        );
    }

    #[test]
    fn only_kept_rows_count_and_a_group_without_kept_rows_is_absent() {
        let rows = frame();
        let status = rows
            .column("status")
            .expect("status")
            .u32()
            .expect("u32")
            .clone();
        let kept = groups(&rows).kept(&status, 0);
        let out = shares(&rows, &kept, "id", &[share(Some(0), "zero")]).expect("shares");
        // id 3's only row has status 1; id 1 keeps its first two rows.
        assert_eq!(ids(&out), [Some(1), Some(2)]);
        assert_eq!(column(&out, "zero"), [Some(0.5), Some(0.0)]);
    }

    #[test]
    fn a_column_that_is_not_coded_is_an_error() {
        let mut wrong = share(Some(0), "x");
        wrong.column = "id".to_owned();
        let rows = frame();
        assert!(shares(&rows, &groups(&rows), "id", &[wrong]).is_err());
    }
}
