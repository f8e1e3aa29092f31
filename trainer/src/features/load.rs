//! Reading one Home Credit table: presence and header checks, typed parsing
//! of only the columns the features use, and precise errors for bad values.
//!
//! A table is read from its CSV file (`bureau.csv`) or, when there is none,
//! from a parquet file of the same name (`bureau.parquet`), as a warehouse
//! exports it: same columns, any numeric type for a number, text for a
//! category.

use std::io::{BufRead, BufReader};
use std::path::Path;

use polars::prelude::*;
use synth::tables::{ColumnType, Table};

use crate::{Error, Result};

/// How a column is parsed: identifiers as integers, every other number as
/// f64 (real files write some integer columns as `1.0`), categories as text.
fn parse_type(table: Table, column: &str) -> DataType {
    if column.starts_with("SK_ID_") {
        return DataType::Int64;
    }
    match table.column_type(column) {
        Some(ColumnType::Text) => DataType::String,
        _ => DataType::Float64,
    }
}

/// Reads `columns` of `table` from `data_dir`, from its CSV file or else
/// its parquet file. A CSV file with no header at all counts as an empty
/// table; extra columns are ignored.
pub(crate) fn read_table(data_dir: &Path, table: Table, columns: &[&str]) -> Result<DataFrame> {
    let path = data_dir.join(table.file_name());
    let schema: Schema = columns
        .iter()
        .map(|c| Field::new((*c).into(), parse_type(table, c)))
        .collect();
    if !path.is_file() {
        let parquet = path.with_extension("parquet");
        if parquet.is_file() {
            return read_parquet(&parquet, &schema);
        }
        return Err(Error::MissingFile {
            path,
            table: table.short_name(),
        });
    }
    let Some(header) = read_header(&path)? else {
        return Ok(DataFrame::empty_with_schema(&schema));
    };
    if let Some(missing) = columns.iter().find(|c| !header.iter().any(|h| h == *c)) {
        return Err(Error::MissingColumn {
            path,
            column: (*missing).to_owned(),
        });
    }
    scan(&path, Arc::new(schema))
        .and_then(|lf| {
            lf.select(columns.iter().map(|c| col(*c)).collect::<Vec<_>>())
                .collect()
        })
        .map_err(|source| diagnose(&path, table, columns, source))
}

/// Reads the columns of `schema` from a parquet file, each converted to the
/// type the CSV reader would give it.
fn read_parquet(path: &Path, schema: &Schema) -> Result<DataFrame> {
    let failed = |source| Error::Parquet {
        path: path.to_owned(),
        source,
    };
    let mut scan = PlRefPath::try_from_path(path)
        .and_then(|p| LazyFrame::scan_parquet(p, ScanArgsParquet::default()))
        .map_err(failed)?;
    let found = scan.collect_schema().map_err(failed)?;
    let mut exprs = Vec::with_capacity(schema.len());
    for (name, expected) in schema.iter() {
        let Some(stored) = found.get(name.as_str()) else {
            return Err(Error::MissingColumn {
                path: path.to_owned(),
                column: name.to_string(),
            });
        };
        let convertible = match expected {
            DataType::String => matches!(stored, DataType::String | DataType::Null),
            _ => stored.is_primitive_numeric() || matches!(stored, DataType::Null),
        };
        if !convertible {
            return Err(Error::ColumnType {
                path: path.to_owned(),
                column: name.to_string(),
                found: stored.to_string(),
                expected: if *expected == DataType::String {
                    "text"
                } else {
                    "a number"
                },
            });
        }
        exprs.push(col(name.clone()).strict_cast(expected.clone()));
    }
    scan.select(exprs).collect().map_err(failed)
}

fn scan(path: &Path, dtypes: SchemaRef) -> PolarsResult<LazyFrame> {
    LazyCsvReader::new(PlRefPath::try_from_path(path)?)
        .with_has_header(true)
        .with_dtype_overwrite(Some(dtypes))
        .finish()
}

/// The column names of the file's first line, or `None` for an empty file.
fn read_header(path: &Path) -> Result<Option<Vec<String>>> {
    let io_err = |source| Error::Io {
        path: path.to_owned(),
        action: "reading the header",
        source,
    };
    let file = std::fs::File::open(path).map_err(io_err)?;
    let mut line = String::new();
    BufReader::new(file).read_line(&mut line).map_err(io_err)?;
    let line = line
        .trim_start_matches('\u{feff}')
        .trim_end_matches(['\r', '\n']);
    if line.is_empty() {
        return Ok(None);
    }
    Ok(Some(synth::split_csv_line(line)))
}

/// Turns a failed typed read into an error naming file, line and column.
///
/// Polars reports a value it cannot parse without its line, so the file is
/// read again with every column as text and the first value that does not
/// convert is located. This runs only on the error path.
fn diagnose(path: &Path, table: Table, columns: &[&str], original: PolarsError) -> Error {
    let as_text: Schema = columns
        .iter()
        .map(|c| Field::new((*c).into(), DataType::String))
        .collect();
    let text = match scan(path, Arc::new(as_text)).and_then(LazyFrame::collect) {
        Ok(frame) => frame,
        Err(_) => {
            return Error::Csv {
                path: path.to_owned(),
                source: original,
            };
        }
    };
    for column in columns {
        let expected = parse_type(table, column);
        if expected == DataType::String {
            continue;
        }
        if let Some((row, value)) = first_unparsable(&text, column, &expected) {
            return Error::MalformedValue {
                path: path.to_owned(),
                line: row as u64 + 2,
                column: (*column).to_owned(),
                value,
                expected: if expected == DataType::Int64 {
                    "an integer"
                } else {
                    "a number"
                },
            };
        }
    }
    Error::Csv {
        path: path.to_owned(),
        source: original,
    }
}

fn first_unparsable(text: &DataFrame, column: &str, dtype: &DataType) -> Option<(usize, String)> {
    let raw = text
        .column(column)
        .ok()?
        .as_materialized_series()
        .str()
        .ok()?
        .clone();
    raw.iter().enumerate().find_map(|(row, value)| {
        let value = value?;
        let parses = if *dtype == DataType::Int64 {
            value.trim().parse::<i64>().is_ok()
        } else {
            value.trim().parse::<f64>().is_ok()
        };
        (!parses).then(|| (row, value.to_owned()))
    })
}
