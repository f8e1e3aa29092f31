//! The real category shares of a category profile (`categories.csv` of the
//! Home Credit profiles: `table,column,category,share,rows_profiled`, every
//! category seen in real random samples of each table), applied to the
//! built-in marginals.
//!
//! The built-in marginals keep only the top 8 categories of each column, so
//! that no list of the real data is compiled into the generator; the real
//! data may not be redistributed, so the full lists are read at run time from
//! a profile the user holds. With a profile, every category column the
//! profile lists draws from all of its categories with their real shares;
//! its missing rate, and every other column, stay as built in.

use std::path::Path;

use super::sample::{Marginal, Marginals, marginal};
use crate::{Error, Result};

const HEADER: [&str; 4] = ["table", "column", "category", "share"];

/// Reads the profile at `path` into the marginals of a run.
///
/// The strings and shares are leaked (a few kilobytes, once per run) so that
/// the generator keeps drawing `&'static` values as it does from the
/// built-in marginals.
pub(crate) fn read(path: &Path) -> Result<Marginals> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        action: "reading the category profile",
        source,
    })?;
    parse(path, &text)
}

/// One column's categories in profile order, the empty (missing) one left out.
struct Column {
    table: &'static str,
    column: &'static str,
    line: usize,
    categories: Vec<(&'static str, f64)>,
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Marginals> {
    let malformed = |line: usize, message: String| Error::CategoryProfile {
        path: path.to_owned(),
        line,
        message,
    };
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let header = lines
        .next()
        .map(|(_, l)| crate::split_csv_line(l.trim_start_matches('\u{feff}')))
        .unwrap_or_default();
    if header.len() < HEADER.len() || header[..HEADER.len()] != HEADER {
        return Err(malformed(
            1,
            format!(
                "the header must start with `{}`, found `{}`",
                HEADER.join(","),
                header.join(",")
            ),
        ));
    }
    let mut columns: Vec<Column> = Vec::new();
    for (line, content) in lines {
        if content.trim().is_empty() {
            continue;
        }
        let fields = crate::split_csv_line(content);
        if fields.len() < HEADER.len() {
            return Err(malformed(
                line,
                format!(
                    "expected at least {} fields ({}), found {}",
                    HEADER.len(),
                    HEADER.join(","),
                    fields.len()
                ),
            ));
        }
        let (table, column, category) = (&fields[0], &fields[1], &fields[2]);
        let share: f64 = fields[3]
            .trim()
            .parse()
            .ok()
            .filter(|s: &f64| s.is_finite() && *s >= 0.0)
            .ok_or_else(|| {
                malformed(
                    line,
                    format!(
                        "share `{}` of {table}.{column} is not a number between 0 and 1",
                        fields[3]
                    ),
                )
            })?;
        let built_in = marginal_of(table, column).ok_or_else(|| {
            malformed(
                line,
                format!("{table}.{column} is not a category column the generator draws"),
            )
        })?;
        if category.is_empty() {
            continue; // the missing rate stays the built-in one
        }
        let index = match columns
            .iter()
            .position(|c| c.table == table && c.column == built_in.column)
        {
            Some(index) => index,
            None => {
                columns.push(Column {
                    table: leak(table),
                    column: built_in.column,
                    line,
                    categories: Vec::new(),
                });
                columns.len() - 1
            }
        };
        columns[index].categories.push((leak(category), share));
    }
    let mut overridden = Vec::with_capacity(columns.len());
    for column in columns {
        let total: f64 = column.categories.iter().map(|(_, s)| s).sum();
        if total <= 0.0 {
            return Err(malformed(
                column.line,
                format!("the shares of {}.{} sum to 0", column.table, column.column),
            ));
        }
        let categories: Vec<(&'static str, f64)> = column
            .categories
            .into_iter()
            .map(|(c, s)| (c, s / total))
            .collect();
        let built_in = marginal(column.table, column.column)?;
        overridden.push((
            column.table,
            Marginal {
                categories: Box::leak(categories.into_boxed_slice()),
                ..*built_in
            },
        ));
    }
    Ok(Marginals::with(Box::leak(overridden.into_boxed_slice())))
}

/// The built-in marginal of a category column, if the generator has one.
fn marginal_of(table: &str, column: &str) -> Option<&'static Marginal> {
    super::marginals::TABLES
        .iter()
        .find(|(name, _)| *name == table)
        .and_then(|(_, columns)| columns.iter().find(|m| m.column == column))
        .filter(|m| !m.categories.is_empty())
}

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "table,column,category,share,rows_profiled\n";

    fn parsed(body: &str) -> Result<Marginals> {
        parse(Path::new("categories.csv"), &format!("{HEAD}{body}"))
    }

    fn refusal(result: Result<Marginals>) -> (usize, String) {
        match result {
            Err(Error::CategoryProfile { line, message, .. }) => (line, message),
            other => panic!("expected a profile error, got {other:?}"),
        }
    }

    #[test]
    fn every_listed_category_with_its_share_renormalised_missing_left_out() {
        let marginals = parsed(concat!(
            "application_train,NAME_TYPE_SUITE,Unaccompanied,0.6,100\n",
            "application_train,NAME_TYPE_SUITE,\"Spouse, partner\",0.2,100\n",
            "application_train,NAME_TYPE_SUITE,,0.5,100\n",
            "application_train,NAME_TYPE_SUITE,\"Say \"\"hi\"\"\",0.2,100\n",
        ))
        .expect("parsed");
        let suite = marginals
            .get("application_train", "NAME_TYPE_SUITE")
            .expect("marginal");
        assert_eq!(
            suite.categories,
            &[
                ("Unaccompanied", 0.6),
                ("Spouse, partner", 0.2),
                ("Say \"hi\"", 0.2)
            ]
        );
        let built_in = marginal("application_train", "NAME_TYPE_SUITE").expect("built in");
        assert_eq!(suite.missing, built_in.missing, "missing rate unchanged");
        let other = marginals
            .get("application_train", "ORGANIZATION_TYPE")
            .expect("marginal");
        assert!(std::ptr::eq(
            other,
            marginal("application_train", "ORGANIZATION_TYPE").expect("built in")
        ));
    }

    #[test]
    fn a_bad_header_is_refused() {
        let result = parse(Path::new("c.csv"), "table,column,share\nbureau,X,1\n");
        let (line, message) = refusal(result);
        assert_eq!(line, 1);
        assert!(message.contains("table,column,category,share"), "{message}");
        let (line, _) = refusal(parse(Path::new("c.csv"), ""));
        assert_eq!(line, 1, "an empty file has no header");
    }

    #[test]
    fn a_short_line_a_bad_share_and_an_unknown_column_name_their_line() {
        let (line, message) = refusal(parsed("bureau,CREDIT_ACTIVE,Closed\n"));
        assert_eq!(line, 2);
        assert!(message.contains("expected at least 4 fields"), "{message}");

        let (line, message) = refusal(parsed(concat!(
            "bureau,CREDIT_ACTIVE,Closed,0.6,10\n",
            "bureau,CREDIT_ACTIVE,Active,lots,10\n"
        )));
        assert_eq!(line, 3);
        assert!(message.contains("share `lots`"), "{message}");
        let (_, message) = refusal(parsed("bureau,CREDIT_ACTIVE,Active,-0.1,10\n"));
        assert!(message.contains("share `-0.1`"), "{message}");

        let (line, message) = refusal(parsed("bureau,DAYS_CREDIT,x,1,10\n"));
        assert_eq!(line, 2);
        assert!(message.contains("bureau.DAYS_CREDIT"), "{message}");
        let (_, message) = refusal(parsed("loans,KIND,x,1,10\n"));
        assert!(message.contains("loans.KIND"), "{message}");
    }

    #[test]
    fn shares_that_sum_to_zero_are_refused() {
        let (line, message) = refusal(parsed(concat!(
            "bureau,CREDIT_ACTIVE,Closed,0,10\n",
            "bureau,CREDIT_ACTIVE,Active,0,10\n"
        )));
        assert_eq!(line, 2);
        assert!(message.contains("sum to 0"), "{message}");
    }

    #[test]
    fn a_missing_file_is_an_io_error_naming_it() {
        let path = Path::new("/nonexistent/categories.csv");
        assert!(matches!(read(path), Err(Error::Io { path: p, .. }) if p == path));
    }
}
