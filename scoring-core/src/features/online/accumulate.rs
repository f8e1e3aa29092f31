//! The reductions of one client's rows, computed row after row: sums in
//! row order, the mean as that sum over the count, the variance by
//! Welford's update. The batch engine (the trainer's `reduce`) runs this
//! same accumulator over each client's rows in file order, so both engines
//! agree to the last bit on the same rows.

use crate::features::definition::Agg;

/// Running statistics of the non-missing values of one column.
#[derive(Debug, Clone, Copy)]
pub struct Accumulator {
    count: u32,
    sum: f64,
    min: f64,
    max: f64,
    mean: f64,
    squares: f64,
}

impl Accumulator {
    pub const EMPTY: Accumulator = Accumulator {
        count: 0,
        sum: 0.0,
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
        mean: 0.0,
        squares: 0.0,
    };

    /// Adds one row's value (NaN: missing, skipped).
    #[inline]
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.add_to_totals(x);
        let weight = f64::from(self.count);
        let delta = x - self.mean;
        let mean = self.mean + delta / weight;
        self.squares += (x - mean) * delta;
        self.mean = mean;
    }

    /// Adds one value that is not NaN to the count, sum, minimum and
    /// maximum only, for a column whose variance nobody asks: its
    /// [`Agg::Var`] is then meaningless.
    #[inline]
    pub fn add_to_totals(&mut self, x: f64) {
        self.count += 1;
        self.sum += x;
        if x < self.min {
            self.min = x;
        }
        if x > self.max {
            self.max = x;
        }
    }

    /// The reduction over `rows` rows (missing values included) of which the
    /// non-missing ones were added; `distinct` is the number of distinct
    /// values, for [`Agg::NUnique`]. NaN stands for missing.
    pub fn finish(&self, agg: Agg, rows: u32, distinct: usize) -> f64 {
        if rows == 0 {
            return f64::NAN;
        }
        let some = |present: bool, value: f64| if present { value } else { f64::NAN };
        match agg {
            Agg::Min => some(self.count > 0, self.min),
            Agg::Max => some(self.count > 0, self.max),
            Agg::Mean => some(self.count > 0, self.sum / f64::from(self.count)),
            Agg::Sum => self.sum,
            Agg::Var => {
                if self.count <= 1 {
                    return f64::NAN;
                }
                let var = self.squares / (f64::from(self.count) - 1.0);
                // As polars: a rounding below 0 is 0, and NaN stays NaN.
                if var < 0.0 { 0.0 } else { var }
            }
            Agg::Size => f64::from(rows),
            Agg::NUnique => distinct as f64,
        }
    }
}

/// The number of distinct values among `values` (bit patterns of non-missing
/// numbers, -0 counted as 0); sorts them.
pub(super) fn count_distinct(values: &mut [u64]) -> usize {
    values.sort_unstable();
    let mut distinct = 0;
    let mut last = None;
    for &v in values.iter() {
        if last != Some(v) {
            distinct += 1;
            last = Some(v);
        }
    }
    distinct
}

/// The key distinct values are told apart by: in the online engine's
/// `count_distinct` and in the batch engine's distinct counts.
#[inline]
pub fn distinct_key(x: f64) -> u64 {
    // -0.0 + 0.0 is 0.0: both zeros are one value, as in polars and pandas.
    (x + 0.0).to_bits()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn over(values: &[f64]) -> Accumulator {
        let mut acc = Accumulator::EMPTY;
        values.iter().for_each(|&v| acc.add(v));
        acc
    }

    #[test]
    fn pandas_semantics_of_missing_values() {
        let acc = over(&[f64::NAN, f64::NAN]);
        assert_eq!(
            acc.finish(Agg::Sum, 2, 0),
            0.0,
            "sum of only missing values"
        );
        assert!(acc.finish(Agg::Mean, 2, 0).is_nan());
        assert!(acc.finish(Agg::Min, 2, 0).is_nan());
        assert_eq!(acc.finish(Agg::Size, 2, 0), 2.0);
        assert!(
            Accumulator::EMPTY.finish(Agg::Sum, 0, 0).is_nan(),
            "no rows"
        );
        assert!(over(&[3.0]).finish(Agg::Var, 1, 0).is_nan(), "one value");
    }

    #[test]
    fn sample_variance_and_mean() {
        let acc = over(&[1.0, f64::NAN, 2.0, 4.0]);
        assert_eq!(acc.finish(Agg::Mean, 4, 0), 7.0 / 3.0);
        let var = acc.finish(Agg::Var, 4, 0);
        assert!((var - 7.0 / 3.0).abs() < 1e-15, "{var}");
        assert_eq!(acc.finish(Agg::Min, 4, 0), 1.0);
        assert_eq!(acc.finish(Agg::Max, 4, 0), 4.0);
    }

    #[test]
    fn both_zeros_are_one_distinct_value() {
        let mut keys = vec![distinct_key(0.0), distinct_key(-0.0), distinct_key(1.0)];
        assert_eq!(count_distinct(&mut keys), 2);
    }
}
