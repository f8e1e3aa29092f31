//! Reading one Home Credit table: presence and header checks, typed parsing
//! of only the columns the features use, and precise errors for bad values.
//!
//! A table is read from its CSV file (`bureau.csv`) or, when there is none,
//! from a parquet file of the same name (`bureau.parquet`), as a warehouse
//! exports it: same columns, any numeric type for a number, text for a
//! category.

use std::path::Path;

use polars::prelude::*;
use synth::tables::{ColumnType, Table};

use super::csv::{Kind, read_csv};
use super::dictionary::LoadedTable;
use crate::{Error, Result};

/// How a column is parsed: identifiers as integers, every other number as
/// f64 (real files write some integer columns as `1.0`), categories as text.
fn kind_of(table: Table, column: &str) -> Kind {
    if column.starts_with("SK_ID_") {
        return Kind::Integer;
    }
    match table.column_type(column) {
        Some(ColumnType::Text) => Kind::Text,
        _ => Kind::Number,
    }
}

/// Reads `columns` of `table` from `data_dir`, from its CSV file or else
/// its parquet file. A CSV file with no header at all counts as an empty
/// table; extra columns are ignored.
pub(crate) fn read_table(data_dir: &Path, table: Table, columns: &[&str]) -> Result<LoadedTable> {
    let path = data_dir.join(table.file_name());
    let kinds: Vec<(&str, Kind)> = columns.iter().map(|c| (*c, kind_of(table, c))).collect();
    let started = std::time::Instant::now();
    let loaded = if is_csv(data_dir, table) {
        read_csv(&path, &kinds)?
    } else {
        let parquet = path.with_extension("parquet");
        if !parquet.is_file() {
            return Err(Error::MissingFile {
                path,
                table: table.short_name(),
            });
        }
        read_parquet(&parquet, &kinds)?
    };
    tracing::debug!(
        table = table.short_name(),
        rows = loaded.frame.height(),
        seconds = started.elapsed().as_secs_f64(),
        "table read"
    );
    Ok(loaded)
}

/// Whether `table` is read from its CSV file in `data_dir` (else from its
/// parquet file, or it is missing).
pub(crate) fn is_csv(data_dir: &Path, table: Table) -> bool {
    data_dir.join(table.file_name()).is_file()
}

/// Reads `columns` (name and kind) from a parquet file, each converted to
/// the type the CSV reader would give it, text then to dictionary positions.
fn read_parquet(path: &Path, columns: &[(&str, Kind)]) -> Result<LoadedTable> {
    let failed = |source| Error::Parquet {
        path: path.to_owned(),
        source,
    };
    let mut scan = PlRefPath::try_from_path(path)
        .and_then(|p| LazyFrame::scan_parquet(p, ScanArgsParquet::default()))
        .map_err(failed)?;
    let found = scan.collect_schema().map_err(failed)?;
    let mut exprs = Vec::with_capacity(columns.len());
    for &(name, kind) in columns {
        let Some(stored) = found.get(name) else {
            return Err(Error::MissingColumn {
                path: path.to_owned(),
                column: name.to_string(),
            });
        };
        let convertible = match kind {
            Kind::Text => matches!(stored, DataType::String | DataType::Null),
            Kind::Integer | Kind::Number => {
                stored.is_primitive_numeric() || matches!(stored, DataType::Null)
            }
        };
        if !convertible {
            return Err(Error::ColumnType {
                path: path.to_owned(),
                column: name.to_string(),
                found: stored.to_string(),
                expected: match kind {
                    Kind::Text => "text",
                    Kind::Integer | Kind::Number => "a number",
                },
            });
        }
        let read_as = match kind {
            Kind::Text => DataType::String,
            Kind::Integer | Kind::Number => kind.dtype(),
        };
        exprs.push(col(name).strict_cast(read_as));
    }
    let frame = scan.select(exprs).collect().map_err(failed)?;
    LoadedTable::from_text(frame).map_err(failed)
}
