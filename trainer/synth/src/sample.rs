//! Sampling one column from its real marginal: missing rate, the 365243
//! sentinel share, a piecewise-linear quantile function and category shares.

use super::marginals::TABLES;
use super::rng::{Rng, normal_cdf};
use crate::{Error, Result};

/// The "no date" marker of the original data (year 3000 in days).
pub(crate) const SENTINEL: f64 = 365_243.0;

/// Statistics of one column; see `scripts/gen_marginals.py`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Marginal {
    pub(crate) column: &'static str,
    pub(crate) missing: f64,
    /// Share of the non-missing values equal to [`SENTINEL`].
    pub(crate) sentinel: f64,
    pub(crate) decimals: u8,
    /// (cumulative share, value) points of the quantile function of the
    /// non-missing, non-sentinel values.
    pub(crate) knots: &'static [(f64, f64)],
    /// Categories with shares summing to 1.
    pub(crate) categories: &'static [(&'static str, f64)],
}

/// One field of a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value {
    Missing,
    Num(f64),
    Text(&'static str),
}

/// The marginals a run draws from: the built-in ones, with the category
/// shares of a profile in place of theirs when one is given
/// ([`crate::profile`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Marginals {
    /// (table, marginal) of each column the profile lists.
    overridden: &'static [(&'static str, Marginal)],
}

impl Marginals {
    pub(crate) fn with(overridden: &'static [(&'static str, Marginal)]) -> Self {
        Self { overridden }
    }

    /// The marginal of `column` in `table` (the profile stem, e.g. "bureau").
    pub(crate) fn get(
        self,
        table: &'static str,
        column: &'static str,
    ) -> Result<&'static Marginal> {
        match self
            .overridden
            .iter()
            .find(|(t, m)| *t == table && m.column == column)
        {
            Some((_, m)) => Ok(m),
            None => marginal(table, column),
        }
    }
}

/// The built-in marginal of `column` in `table` (the profile stem, e.g. "bureau").
pub(crate) fn marginal(table: &'static str, column: &'static str) -> Result<&'static Marginal> {
    TABLES
        .iter()
        .find(|(name, _)| *name == table)
        .and_then(|(_, columns)| columns.iter().find(|m| m.column == column))
        .ok_or(Error::MissingMarginal { table, column })
}

impl Marginal {
    /// The value at cumulative share `u` of the non-sentinel values.
    pub(crate) fn quantile(&self, u: f64) -> f64 {
        let knots = self.knots;
        let Some(&(_, first)) = knots.first() else {
            return 0.0;
        };
        let mut value = first;
        for pair in knots.windows(2) {
            let ((p0, v0), (p1, v1)) = (pair[0], pair[1]);
            if u <= p1 {
                value = if p1 > p0 {
                    v0 + (v1 - v0) * (u - p0) / (p1 - p0)
                } else {
                    v1
                };
                break;
            }
            value = v1;
        }
        round_to(value, self.decimals)
    }

    /// The cumulative share at which the quantile function reaches `value`
    /// (the inverse of [`Marginal::quantile`], before rounding).
    pub(crate) fn rank(&self, value: f64) -> f64 {
        let mut rank = 0.0;
        for pair in self.knots.windows(2) {
            let ((p0, v0), (p1, v1)) = (pair[0], pair[1]);
            if value >= v1 {
                rank = p1;
            } else if value > v0 {
                rank = p0 + (p1 - p0) * (value - v0) / (v1 - v0);
            }
        }
        rank
    }

    /// A value (numeric column) with missing rate and sentinel, its rank in
    /// the non-sentinel values given by the uniform `u`.
    pub(crate) fn draw_at(&self, rng: &mut Rng, u: f64) -> Value {
        if self.missing > 0.0 && rng.chance(self.missing) {
            Value::Missing
        } else if self.sentinel > 0.0 && rng.chance(self.sentinel) {
            Value::Num(SENTINEL)
        } else {
            Value::Num(self.quantile(u))
        }
    }

    /// An independent value (numeric or text) with the column's missing rate.
    pub(crate) fn draw(&self, rng: &mut Rng) -> Value {
        if self.categories.is_empty() {
            let u = rng.uniform();
            self.draw_at(rng, u)
        } else if self.missing > 0.0 && rng.chance(self.missing) {
            Value::Missing
        } else {
            Value::Text(pick(self.categories, rng.uniform()))
        }
    }

    /// An independent number, ignoring the missing rate and the sentinel.
    pub(crate) fn num(&self, rng: &mut Rng) -> f64 {
        self.quantile(rng.uniform())
    }

    /// An independent category, ignoring the missing rate.
    pub(crate) fn category(&self, rng: &mut Rng) -> &'static str {
        pick(self.categories, rng.uniform())
    }

    /// The categories except `excluded`, renormalised (for draws conditional
    /// on another column, e.g. ORGANIZATION_TYPE of someone employed).
    pub(crate) fn categories_without(&self, excluded: &[&str]) -> Vec<(&'static str, f64)> {
        let kept: Vec<_> = self
            .categories
            .iter()
            .filter(|(c, _)| !excluded.contains(c))
            .copied()
            .collect();
        renormalise(kept)
    }

    /// The categories in the given order (e.g. from lowest to highest risk);
    /// unlisted ones follow in their own order.
    pub(crate) fn categories_ordered(&self, order: &[&str]) -> Vec<(&'static str, f64)> {
        let mut sorted: Vec<_> = order
            .iter()
            .filter_map(|name| self.categories.iter().find(|(c, _)| c == name).copied())
            .collect();
        sorted.extend(
            self.categories
                .iter()
                .filter(|(c, _)| !order.contains(c))
                .copied(),
        );
        sorted
    }
}

fn renormalise(mut categories: Vec<(&'static str, f64)>) -> Vec<(&'static str, f64)> {
    let total: f64 = categories.iter().map(|(_, s)| s).sum();
    if total > 0.0 {
        categories.iter_mut().for_each(|(_, s)| *s /= total);
    }
    categories
}

/// The category at cumulative share `u`.
pub(crate) fn pick(categories: &[(&'static str, f64)], u: f64) -> &'static str {
    let mut cumulative = 0.0;
    for &(name, share) in categories {
        cumulative += share;
        if u < cumulative {
            return name;
        }
    }
    categories.last().map_or("", |(name, _)| name)
}

/// Gaussian copula: a uniform whose normal score has correlation `rho` with
/// the latent `z`, so that a column keeps its marginal while tracking `z`.
pub(crate) fn copula(rng: &mut Rng, z: f64, rho: f64) -> f64 {
    normal_cdf(rho * z + (1.0 - rho * rho).sqrt() * rng.normal())
}

const POW10: [f64; 7] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];

/// `x` rounded to `decimals` places (the nearest double, which prints short).
pub(crate) fn round_to(x: f64, decimals: u8) -> f64 {
    let scale = POW10[usize::from(decimals).min(6)];
    (x * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_column_has_a_marginal() {
        for table in crate::tables::Table::ALL {
            let stem = match table {
                crate::tables::Table::ApplicationTest => continue,
                crate::tables::Table::ApplicationTrain => "application_train",
                other => other.short_name(),
            };
            for (column, _) in table.columns() {
                assert!(marginal(stem, column).is_ok(), "{stem}.{column}");
            }
        }
    }

    #[test]
    fn quantile_interpolates_and_rounds() {
        let m = Marginal {
            column: "X",
            missing: 0.0,
            sentinel: 0.0,
            decimals: 0,
            knots: &[(0.0, 0.0), (0.5, 10.0), (1.0, 20.0)],
            categories: &[],
        };
        assert_eq!(m.quantile(0.25), 5.0);
        assert_eq!(m.quantile(0.76), 15.0);
        assert_eq!(m.quantile(1.0), 20.0);
        assert_eq!(m.rank(15.0), 0.75);
    }
}
