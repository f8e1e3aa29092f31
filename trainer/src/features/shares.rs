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
use rayon::prelude::*;

/// One share to compute: the rows of a group whose coded `column` is
/// `code` (missing when `code` is `None`), over the group's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Share {
    pub(crate) column: String,
    pub(crate) code: Option<u32>,
    pub(crate) name: String,
}

/// The rows kept: those whose coded `column` is `code`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Kept<'a> {
    pub(crate) column: &'a str,
    pub(crate) code: u32,
}

/// For each value of `key` among the kept rows of `rows`, each share of
/// `shares`: one row per key (in order of first appearance), the key column
/// then one f64 column per share. Rows with a missing key are left out, as
/// they join nothing.
pub(crate) fn shares(
    rows: &DataFrame,
    key: &str,
    kept: Option<Kept<'_>>,
    shares: &[Share],
) -> PolarsResult<DataFrame> {
    let kept_codes = kept
        .map(|k| codes_of(rows, k.column).map(|c| (c, k.code)))
        .transpose()?;
    let keys = rows.column(key)?.as_materialized_series().i64()?.clone();
    let (groups, first_keys) = group_index(&keys, kept_codes.as_ref())?;
    let mut sizes = vec![0u32; first_keys.len()];
    for &group in &groups {
        if group != NONE {
            sizes[group as usize] += 1;
        }
    }

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
            let counts = ValueCounts::of(&codes_of(rows, column)?, &groups, sizes.len(), &wanted);
            Ok(wanted
                .iter()
                .map(|&(position, share)| {
                    let values: Vec<f64> = (0..sizes.len())
                        .map(|g| f64::from(counts.get(g, share.code)) / f64::from(sizes[g]))
                        .collect();
                    (position, Column::new(share.name.as_str().into(), values))
                })
                .collect())
        })
        .collect::<PolarsResult<_>>()?;
    let mut columns: Vec<(usize, Column)> = per_column.into_iter().flatten().collect();
    columns.sort_by_key(|(position, _)| *position);
    let columns = columns.into_iter().map(|(_, column)| column);

    let mut out = vec![Column::new(key.into(), first_keys)];
    out.extend(columns);
    DataFrame::new_infer_height(out)
}

/// A coded column (read chunk by chunk: no copy into one).
fn codes_of(rows: &DataFrame, column: &str) -> PolarsResult<UInt32Chunked> {
    Ok(rows.column(column)?.as_materialized_series().u32()?.clone())
}

/// The group of a row that is in none: not kept, or its key missing.
const NONE: u32 = u32::MAX;

/// How many rows of each group hold each value of a coded column that a
/// share asks for, and how many hold none.
struct ValueCounts {
    /// Codes `0..width - 1`, then missing.
    width: usize,
    counts: Vec<u32>,
}

impl ValueCounts {
    fn of(
        codes: &UInt32Chunked,
        groups: &[u32],
        n_groups: usize,
        wanted: &[(usize, &Share)],
    ) -> Self {
        let width = wanted
            .iter()
            .filter_map(|(_, s)| s.code)
            .max()
            .map_or(0, |code| code as usize + 1)
            + 1;
        let missing = width - 1;
        let mut counts = vec![0u32; n_groups * width];
        let mut row = 0;
        for array in codes.downcast_iter() {
            for code in array.iter() {
                let group = groups[row];
                row += 1;
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
        Self { width, counts }
    }

    fn get(&self, group: usize, code: Option<u32>) -> u32 {
        let slot = code.map_or(self.width - 1, |c| c as usize);
        self.counts[group * self.width + slot]
    }
}

/// Each row's group ([`NONE`] for a row not kept or with a missing key)
/// and each group's key. Rows of one key usually follow each other in these
/// files, so the last key is checked before the map.
fn group_index(
    keys: &Int64Chunked,
    kept: Option<&(UInt32Chunked, u32)>,
) -> PolarsResult<(Vec<u32>, Vec<i64>)> {
    let mut index: PlHashMap<i64, u32> = PlHashMap::new();
    let mut first_keys: Vec<i64> = Vec::new();
    let mut last: Option<(i64, u32)> = None;
    let mut groups = Vec::with_capacity(keys.len());
    let mut kept_codes = kept.map(|(codes, code)| (codes.iter(), *code));
    for key in keys.iter() {
        let is_kept = match &mut kept_codes {
            Some((codes, code)) => codes.next().flatten() == Some(*code),
            None => true,
        };
        let group = match key {
            Some(key) if is_kept => Some(match last {
                Some((last_key, group)) if last_key == key => group,
                _ => {
                    let group = *index.entry(key).or_insert_with(|| {
                        first_keys.push(key);
                        u32::try_from(first_keys.len() - 1).unwrap_or(u32::MAX)
                    });
                    last = Some((key, group));
                    group
                }
            }),
            _ => None,
        };
        groups.push(group.unwrap_or(NONE));
    }
    // NONE itself is no group.
    if first_keys.len() >= NONE as usize {
        return Err(PolarsError::ComputeError(
            "more than 2^32 groups of rows".into(),
        ));
    }
    Ok((groups, first_keys))
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

    #[test]
    fn a_share_is_the_count_of_the_value_over_the_group_rows() {
        let wanted = [share(Some(0), "zero"), share(None, "missing")];
        let out = shares(&frame(), "id", None, &wanted).expect("shares");
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
        let kept = Kept {
            column: "status",
            code: 0,
        };
        let out = shares(&frame(), "id", Some(kept), &[share(Some(0), "zero")]).expect("shares");
        // id 3's only row has status 1; id 1 keeps its first two rows.
        assert_eq!(ids(&out), [Some(1), Some(2)]);
        assert_eq!(column(&out, "zero"), [Some(0.5), Some(0.0)]);
    }

    #[test]
    fn a_column_that_is_not_coded_is_an_error() {
        let mut wrong = share(Some(0), "x");
        wrong.column = "id".to_owned();
        assert!(shares(&frame(), "id", None, &[wrong]).is_err());
    }
}
