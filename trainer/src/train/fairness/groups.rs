//! The protected groups of every labelled client, read from the full
//! training table before any feature is excluded (a model trained without
//! gender is still measured by gender).
//!
//! - **Gender**: the `CODE_GENDER` category code, named through the
//!   schema's vocabulary (the kernel factorizes the column in order of
//!   first appearance, so the code alone does not say which is F); a
//!   missing value or the `XNA` category is the group [`UNKNOWN`].
//! - **Age band**: `DAYS_BIRTH` (days before the application, negative) in
//!   whole years of age, `-DAYS_BIRTH / 365.25`, in the bands of
//!   [`AGE_BANDS`]; a missing age is the group [`UNKNOWN`].

use scoring_core::{FeatureKind, FeatureSchema};

use crate::train::table::Rows;

/// The group of the clients whose attribute is missing or not stated.
pub const UNKNOWN: &str = "unknown";
/// Source column of the gender groups.
pub const GENDER_COLUMN: &str = "CODE_GENDER";
/// Source column of the age bands.
pub const AGE_COLUMN: &str = "DAYS_BIRTH";
/// Lower bound in years of each age band, with its name.
pub const AGE_BANDS: [(f64, &str); 5] = [
    (f64::NEG_INFINITY, "<25"),
    (25.0, "25-34"),
    (35.0, "35-44"),
    (45.0, "45-54"),
    (55.0, "55+"),
];
/// Days in a year of age.
const DAYS_PER_YEAR: f64 = 365.25;
/// The category that stands for an unstated gender in the Home Credit data.
const UNSTATED_GENDER: &str = "XNA";

/// The groups of one protected attribute, and every client's group.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    /// `gender` or `age_band`.
    pub attribute: &'static str,
    pub source_column: &'static str,
    /// Group names, in the order the report lists them ([`UNKNOWN`] last).
    pub names: Vec<String>,
    /// Each labelled client's group (an index into `names`).
    pub of_client: Vec<usize>,
}

impl Grouping {
    /// Whether group `g` has a known attribute (it can be the reference
    /// group of the adverse-impact ratios).
    pub fn is_known(&self, g: usize) -> bool {
        self.names[g] != UNKNOWN
    }

    /// The groups of the clients at `rows` (indices into the labelled clients).
    pub fn at(&self, rows: &[usize]) -> Vec<usize> {
        rows.iter().map(|&i| self.of_client[i]).collect()
    }
}

/// The gender and age-band groupings the schema allows: an attribute
/// whose feature the table lacks is left out.
pub fn protected_groupings(schema: &FeatureSchema, rows: &Rows) -> Vec<Grouping> {
    [gender(schema, rows), age_band(schema, rows)]
        .into_iter()
        .flatten()
        .collect()
}

/// The values of feature `j` of every row.
fn column(rows: &Rows, n: usize, j: usize) -> impl Iterator<Item = f64> + '_ {
    rows.values.iter().skip(j).step_by(n.max(1)).copied()
}

fn gender(schema: &FeatureSchema, rows: &Rows) -> Option<Grouping> {
    let j = schema
        .features
        .iter()
        .position(|f| f.name == GENDER_COLUMN && f.kind == FeatureKind::CategoryCode)?;
    let n = schema.features.len();
    let name_of = |code: f64| -> String {
        if code.is_nan() {
            return UNKNOWN.to_owned();
        }
        match schema.category_name(j, code) {
            Some(UNSTATED_GENDER) => UNKNOWN.to_owned(),
            Some(name) => name.to_owned(),
            // -1: missing or excluded when the table was built.
            None if code < 0.0 => UNKNOWN.to_owned(),
            None => format!("code {code}"),
        }
    };
    let per_client: Vec<String> = column(rows, n, j).map(name_of).collect();
    let mut names: Vec<String> = per_client.clone();
    names.sort();
    names.dedup();
    if let Some(at) = names.iter().position(|g| g == UNKNOWN) {
        let unknown = names.remove(at);
        names.push(unknown);
    }
    let of_client = per_client
        .iter()
        .map(|g| names.iter().position(|n| n == g).unwrap_or(0))
        .collect();
    Some(Grouping {
        attribute: "gender",
        source_column: GENDER_COLUMN,
        names,
        of_client,
    })
}

fn age_band(schema: &FeatureSchema, rows: &Rows) -> Option<Grouping> {
    let j = schema.position(AGE_COLUMN)?;
    let n = schema.features.len();
    let unknown = AGE_BANDS.len();
    let of_client = column(rows, n, j)
        .map(|days| {
            let years = -days / DAYS_PER_YEAR;
            if years.is_finite() {
                AGE_BANDS
                    .iter()
                    .rposition(|&(from, _)| years >= from)
                    .unwrap_or(0)
            } else {
                unknown
            }
        })
        .collect();
    let mut names: Vec<String> = AGE_BANDS.iter().map(|(_, n)| (*n).to_owned()).collect();
    names.push(UNKNOWN.to_owned());
    Some(Grouping {
        attribute: "age_band",
        source_column: AGE_COLUMN,
        names,
        of_client,
    })
}

#[cfg(test)]
mod tests {
    use scoring_core::{CategoryEncoding, CategoryVocabulary, FeatureSpec};

    use super::*;

    fn spec(name: &str, kind: FeatureKind) -> FeatureSpec {
        FeatureSpec {
            name: name.to_owned(),
            kind,
            source_table: "application".to_owned(),
            source_column: name.to_owned(),
            aggregation: "none".to_owned(),
            category: None,
            description: name.to_owned(),
        }
    }

    #[test]
    fn genders_are_named_by_the_vocabulary_and_ages_fall_in_their_bands() {
        let schema = FeatureSchema {
            format_version: scoring_core::schema::SCHEMA_FORMAT_VERSION,
            id_column: "SK_ID_CURR".to_owned(),
            target_column: Some("TARGET".to_owned()),
            features: vec![
                spec(GENDER_COLUMN, FeatureKind::CategoryCode),
                spec(AGE_COLUMN, FeatureKind::Numeric),
            ],
            vocabularies: vec![CategoryVocabulary {
                table: "application".to_owned(),
                column: GENDER_COLUMN.to_owned(),
                encoding: CategoryEncoding::Code,
                // First appearance order: M before F.
                values: vec!["M".to_owned(), "F".to_owned(), "XNA".to_owned()],
            }],
            columns: None,
        };
        let rows = Rows {
            ids: vec![1, 2, 3, 4, 5],
            values: vec![
                0.0,
                -24.9 * 365.25, //
                1.0,
                -25.0 * 365.25, //
                -1.0,
                -54.99 * 365.25, //
                2.0,
                -70.0 * 365.25, //
                f64::NAN,
                f64::NAN,
            ],
        };
        let groupings = protected_groupings(&schema, &rows);
        let [gender, age] = groupings.as_slice() else {
            panic!("two groupings, got {groupings:?}")
        };
        assert_eq!(gender.names, ["F", "M", UNKNOWN]);
        assert_eq!(gender.of_client, [1, 0, 2, 2, 2]);
        assert!(gender.is_known(0) && !gender.is_known(2));
        assert_eq!(age.of_client, [0, 1, 3, 4, 5]);
        assert_eq!(age.names[age.of_client[4]], UNKNOWN);
    }
}
