//! The rows of a table grouped by a key, once per table: each row's group
//! and each group's key, shared by every reduction of the table
//! ([`super::reduce`], [`super::shares`]) instead of hashing the keys again
//! for each family.

use polars::prelude::*;
use polars_arrow::array::PrimitiveArray;
use rayon::prelude::*;

/// The group of a row that is in none: filtered out, or its key missing.
pub(crate) const NONE: u32 = u32::MAX;

/// Rows per part of the key column hashed on its own thread.
const PART_ROWS: usize = 1 << 20;

/// Each row's group (or [`NONE`]), each group's key in order of first
/// appearance, and each group's number of rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Groups {
    pub(crate) of_row: Vec<u32>,
    pub(crate) keys: Vec<i64>,
    pub(crate) sizes: Vec<u32>,
}

impl Groups {
    /// The rows grouped by `keys`; a row with a missing key is in no group,
    /// as it would join nothing.
    pub(crate) fn of(keys: &Int64Chunked) -> PolarsResult<Self> {
        if let (Some(min), Some(max)) = (keys.min(), keys.max()) {
            // Identifiers are usually dense: a table by key, no hashing.
            let span = max.abs_diff(min);
            if span < (4 * keys.len() as u64).max(1 << 16) {
                return Ok(Self::dense(keys, min, span as usize + 1));
            }
        }
        Self::hashed(keys)
    }

    /// Groups of keys in `min..min + span`, looked up in a table of
    /// `span` slots.
    fn dense(keys: &Int64Chunked, min: i64, span: usize) -> Self {
        let mut group_of_key = vec![NONE; span];
        let mut groups = Self {
            of_row: Vec::with_capacity(keys.len()),
            keys: Vec::new(),
            sizes: Vec::new(),
        };
        for array in keys.downcast_iter() {
            for key in array.iter() {
                let Some(&key) = key else {
                    groups.of_row.push(NONE);
                    continue;
                };
                let group = &mut group_of_key[key.abs_diff(min) as usize];
                if *group == NONE {
                    *group = groups.keys.len() as u32;
                    groups.keys.push(key);
                    groups.sizes.push(0);
                }
                groups.sizes[*group as usize] += 1;
                groups.of_row.push(*group);
            }
        }
        groups
    }

    /// Groups of scattered keys, hashed.
    fn hashed(keys: &Int64Chunked) -> PolarsResult<Self> {
        // Parts (of at most PART_ROWS, never across chunks) hashed in
        // parallel, then their groups numbered in order.
        let mut slices: Vec<PrimitiveArray<i64>> = Vec::new();
        for array in keys.downcast_iter() {
            for start in (0..array.len()).step_by(PART_ROWS) {
                let length = PART_ROWS.min(array.len() - start);
                slices.push(array.clone().sliced(start, length));
            }
        }
        let parts: Vec<Local> = slices.par_iter().map(Local::of).collect();
        let mut index: PlHashMap<i64, u32> = PlHashMap::new();
        let mut global_keys: Vec<i64> = Vec::new();
        let renumbered: Vec<Vec<u32>> = parts
            .iter()
            .map(|part| {
                part.keys
                    .iter()
                    .map(|&key| {
                        *index.entry(key).or_insert_with(|| {
                            global_keys.push(key);
                            u32::try_from(global_keys.len() - 1).unwrap_or(NONE)
                        })
                    })
                    .collect()
            })
            .collect();
        if global_keys.len() >= NONE as usize {
            return Err(PolarsError::ComputeError(
                "more than 2^32 - 1 groups of rows".into(),
            ));
        }
        let mut of_row = vec![NONE; keys.len()];
        let mut rest = of_row.as_mut_slice();
        let mut targets = Vec::with_capacity(parts.len());
        for slice in &slices {
            let (head, tail) = rest.split_at_mut(slice.len());
            targets.push(head);
            rest = tail;
        }
        targets
            .into_par_iter()
            .zip(parts.par_iter().zip(renumbered.par_iter()))
            .for_each(|(rows, (part, global))| {
                for (row, &local) in rows.iter_mut().zip(&part.of_row) {
                    if local != NONE {
                        *row = global[local as usize];
                    }
                }
            });
        Ok(Self::counted(of_row, global_keys))
    }

    /// The groups of the rows whose `codes` are `code` only: groups with no
    /// such row are left out, the others keep their order.
    pub(crate) fn kept(&self, codes: &UInt32Chunked, code: u32) -> Self {
        let mut renumber = vec![NONE; self.keys.len()];
        let mut keys = Vec::new();
        let mut of_row = Vec::with_capacity(self.of_row.len());
        let mut row = 0;
        for array in codes.downcast_iter() {
            for value in array.iter() {
                let group = self.of_row[row];
                row += 1;
                if group == NONE || value != Some(&code) {
                    of_row.push(NONE);
                    continue;
                }
                let slot = &mut renumber[group as usize];
                if *slot == NONE {
                    *slot = keys.len() as u32;
                    keys.push(self.keys[group as usize]);
                }
                of_row.push(*slot);
            }
        }
        Self::counted(of_row, keys)
    }

    /// The number of groups.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// The key column of a per-group frame, named `name`.
    pub(crate) fn key_column(&self, name: &str) -> Column {
        Column::new(name.into(), &self.keys)
    }

    fn counted(of_row: Vec<u32>, keys: Vec<i64>) -> Self {
        let mut sizes = vec![0u32; keys.len()];
        for &group in &of_row {
            if group != NONE {
                sizes[group as usize] += 1;
            }
        }
        Self {
            of_row,
            keys,
            sizes,
        }
    }
}

/// The groups of one part of the rows, numbered within the part.
struct Local {
    of_row: Vec<u32>,
    keys: Vec<i64>,
}

impl Local {
    /// Rows of one key usually follow each other in these files, so the
    /// last key is checked before the map.
    fn of(keys: &PrimitiveArray<i64>) -> Self {
        let mut index: PlHashMap<i64, u32> = PlHashMap::new();
        let mut local = Self {
            of_row: Vec::with_capacity(keys.len()),
            keys: Vec::new(),
        };
        let mut last: Option<(i64, u32)> = None;
        for key in keys.iter() {
            let group = match (key, last) {
                (None, _) => NONE,
                (Some(&key), Some((last_key, group))) if last_key == key => group,
                (Some(&key), _) => {
                    let group = *index.entry(key).or_insert_with(|| {
                        local.keys.push(key);
                        (local.keys.len() - 1) as u32
                    });
                    last = Some((key, group));
                    group
                }
            };
            local.of_row.push(group);
        }
        local
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_grouped_by_key_in_order_of_first_appearance() {
        let keys = Int64Chunked::from_slice_options(
            "id".into(),
            &[Some(5), Some(5), None, Some(2), Some(5), Some(9), Some(2)],
        );
        let groups = Groups::of(&keys).expect("groups");
        assert_eq!(groups.keys, [5, 2, 9]);
        assert_eq!(groups.of_row, [0, 0, NONE, 1, 0, 2, 1]);
        assert_eq!(groups.sizes, [3, 2, 1]);
    }

    #[test]
    fn the_widest_keys_are_hashed() {
        let keys = Int64Chunked::from_slice("id".into(), &[i64::MIN, i64::MAX, i64::MIN]);
        let groups = Groups::of(&keys).expect("groups");
        assert_eq!(groups.keys, [i64::MIN, i64::MAX]);
        assert_eq!(groups.of_row, [0, 1, 0]);
    }

    #[test]
    fn dense_and_scattered_keys_group_alike() {
        let keys: Vec<Option<i64>> = (0..5_000i64)
            .map(|row| (row % 7 != 3).then_some((row * 31) % 1_009))
            .collect();
        let dense = Int64Chunked::from_slice_options("id".into(), &keys);
        let scattered: Vec<Option<i64>> =
            keys.iter().map(|k| k.map(|k| k * 1_000_000_007)).collect();
        let scattered = Int64Chunked::from_slice_options("id".into(), &scattered);
        let dense = Groups::of(&dense).expect("dense");
        let hashed = Groups::of(&scattered).expect("hashed");
        assert_eq!(dense.of_row, hashed.of_row);
        assert_eq!(dense.sizes, hashed.sizes);
        let scaled: Vec<i64> = dense.keys.iter().map(|k| k * 1_000_000_007).collect();
        assert_eq!(scaled, hashed.keys);
        assert_eq!(
            Groups::hashed(&Int64Chunked::from_slice_options("id".into(), &keys)).expect("hashed"),
            dense
        );
    }

    #[test]
    fn keys_spread_over_parts_hashed_apart_get_one_group_each() {
        // Two chunks, the first of three parts; the keys of each part
        // interleaved with the others'.
        let rows = 2 * PART_ROWS + 17;
        let keys: Vec<i64> = (0..rows).map(|row| (row % 1_000) as i64 * 7).collect();
        let mut chunked = Int64Chunked::from_vec("id".into(), keys[..rows - 40].to_vec());
        chunked
            .append(&Int64Chunked::from_vec(
                "id".into(),
                keys[rows - 40..].to_vec(),
            ))
            .expect("append");
        assert_eq!(chunked.chunks().len(), 2);
        let groups = Groups::hashed(&chunked).expect("groups");
        assert_eq!(groups.len(), 1_000);
        for (row, key) in keys.iter().enumerate() {
            assert_eq!(groups.keys[groups.of_row[row] as usize], *key);
        }
        assert_eq!(
            groups.sizes.iter().map(|&s| s as usize).sum::<usize>(),
            rows
        );
    }

    #[test]
    fn kept_rows_renumber_their_groups_and_drop_empty_ones() {
        let keys = Int64Chunked::from_slice_options(
            "id".into(),
            &[Some(1), Some(1), Some(2), Some(3), None, Some(3)],
        );
        let codes = UInt32Chunked::from_slice_options(
            "status".into(),
            &[Some(0), Some(1), Some(1), Some(0), Some(0), None],
        );
        let kept = Groups::of(&keys).expect("groups").kept(&codes, 0);
        // Key 2 has no row with code 0; the missing key stays in no group.
        assert_eq!(kept.keys, [1, 3]);
        assert_eq!(kept.of_row, [0, NONE, NONE, 1, NONE, NONE]);
        assert_eq!(kept.sizes, [1, 1]);
    }
}
