//! The feature table as parquet: plain pages, snappy-compressed, one page
//! per column and row group.
//!
//! Polars' writers try a dictionary for every column (a cardinality
//! estimate, then a hash of every value where it looks worth it) and one
//! compressed the pages on the writing thread alone. Plain pages of these
//! f64 features compress as small with snappy, for a fraction of the work.
//!
//! A column is encoded on its own ([`encode_column`]), as soon as its
//! values are known, into its compressed pages: a fifth of its size. The
//! file is written from those pages once every column is encoded
//! ([`write_encoded`]), since parquet's schema, and with it the
//! column names, comes at the end of the row groups it describes.

use std::collections::VecDeque;
use std::io::Write;

use polars::prelude::*;
use polars_arrow::datatypes::{ArrowSchema, Field as ArrowField};
use polars_parquet::parquet::error::ParquetResult;
use polars_parquet::read::ParquetError;
use polars_parquet::write::{
    CompressedPage, CompressionOptions, Compressor, DynIter, DynStreamingIterator, Encoding,
    FallibleStreamingIterator, FileWriter, StatisticsOptions, Version, WriteOptions,
    array_to_columns, to_parquet_type,
};

/// Rows per row group.
const ROW_GROUP_ROWS: usize = 64 * 1024;

fn options() -> WriteOptions {
    WriteOptions {
        // The table is always read whole: min/max would cost a pass each.
        statistics: StatisticsOptions::empty(),
        version: Version::V1,
        compression: CompressionOptions::Snappy,
        data_page_size: None,
    }
}

/// One column of the table as parquet: its field and its compressed
/// pages, one per row group, in order.
pub(super) struct EncodedColumn {
    field: ArrowField,
    rows: usize,
    pages: VecDeque<CompressedPage>,
}

/// Encodes `column` into its pages.
pub(super) fn encode_column(column: &Column) -> PolarsResult<EncodedColumn> {
    let field = column.field().to_arrow(CompatLevel::newest());
    let parquet_type = to_parquet_type(&field)?;
    let array = column
        .as_materialized_series()
        .rechunk()
        .to_arrow(0, CompatLevel::newest());
    let mut pages = VecDeque::new();
    for start in (0..array.len()).step_by(ROW_GROUP_ROWS) {
        let rows = array.sliced(start, ROW_GROUP_ROWS.min(array.len() - start));
        for encoded in array_to_columns(rows, parquet_type.clone(), options(), &[Encoding::Plain])?
        {
            let compressed = Compressor::new_from_vec(
                encoded
                    .map(|page| page.map_err(|e| ParquetError::FeatureNotSupported(e.to_string()))),
                options().compression,
                vec![],
            );
            for mut page in compressed.collect::<ParquetResult<Vec<_>>>()? {
                // Compressed into a buffer of the largest size snappy could
                // need; the pages of every column are held until the end.
                if let CompressedPage::Data(data) = &mut page {
                    data.slice_mut().to_mut().shrink_to_fit();
                }
                pages.push_back(page);
            }
        }
    }
    Ok(EncodedColumn {
        field,
        rows: array.len(),
        pages,
    })
}

/// Writes `columns`, all of one height, to `sink` as a parquet file, and
/// frees each page once written.
pub(super) fn write_encoded(sink: impl Write, mut columns: Vec<EncodedColumn>) -> PolarsResult<()> {
    let rows = columns.first().map_or(0, |c| c.rows);
    if let Some(other) = columns.iter().find(|c| c.rows != rows) {
        polars_bail!(ShapeMismatch: "column {} has {} rows where the table has {rows}", other.field.name, other.rows);
    }
    let schema: ArrowSchema = columns
        .iter()
        .map(|c| (c.field.name.clone(), c.field.clone()))
        .collect();
    let mut writer = FileWriter::try_new(sink, schema, options())?;
    for start in (0..rows).step_by(ROW_GROUP_ROWS) {
        let row_group = columns.iter_mut().map(|column| {
            let page = column.pages.pop_front();
            Ok(DynStreamingIterator::new(Pages {
                pages: page.into_iter(),
                current: None,
            }))
        });
        let height = ROW_GROUP_ROWS.min(rows - start);
        writer.write(height as u64, DynIter::new(row_group))?;
    }
    writer.end(None)?;
    Ok(())
}

/// A column's page of one row group, handed to the writer and freed once
/// written.
struct Pages {
    pages: std::option::IntoIter<CompressedPage>,
    current: Option<CompressedPage>,
}

impl FallibleStreamingIterator for Pages {
    type Item = CompressedPage;
    type Error = PolarsError;

    fn advance(&mut self) -> PolarsResult<()> {
        self.current = self.pages.next();
        Ok(())
    }

    fn get(&self) -> Option<&CompressedPage> {
        self.current.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use rayon::prelude::*;

    use super::*;

    /// Writes `table` to `sink` as a parquet file, its columns encoded in
    /// parallel.
    fn write_parquet(sink: impl Write, table: &DataFrame) -> PolarsResult<()> {
        let columns = table
            .columns()
            .par_iter()
            .map(encode_column)
            .collect::<PolarsResult<Vec<_>>>()?;
        write_encoded(sink, columns)
    }

    fn table(rows: usize) -> DataFrame {
        let ids: Vec<i64> = (0..rows as i64).map(|i| 100_002 + i).collect();
        let target: Vec<Option<i32>> = (0..rows)
            .map(|i| (i % 3 != 0).then_some((i % 2) as i32))
            .collect();
        let feature: Vec<Option<f64>> = (0..rows)
            .map(|i| match i % 5 {
                0 => None,
                1 => Some(f64::INFINITY),
                2 => Some(-0.0),
                _ => Some(i as f64 / 7.0 - 1e6),
            })
            .collect();
        df!["SK_ID_CURR" => ids, "TARGET" => target, "AMT_MEAN" => feature].expect("table")
    }

    #[test]
    fn a_table_of_several_row_groups_reads_back_bit_for_bit() {
        let mut table = table(2 * ROW_GROUP_ROWS + 5);
        let extra: Vec<Column> = (0..3)
            .map(|i| {
                let values = table
                    .column("AMT_MEAN")
                    .expect("column")
                    .as_materialized_series();
                (values * (i as f64 + 1.0))
                    .with_name(format!("F{i}").into())
                    .into_column()
            })
            .collect();
        table.hstack_mut(&extra).expect("wide table");
        let mut bytes = Vec::new();
        write_parquet(&mut bytes, &table).expect("written");
        let read = ParquetReader::new(std::io::Cursor::new(bytes))
            .finish()
            .expect("read back");
        assert_eq!(read.schema(), table.schema());
        assert!(read.equals_missing(&table));
        let bits = |frame: &DataFrame| -> Vec<Option<u64>> {
            let column = frame.column("AMT_MEAN").expect("column");
            column
                .f64()
                .expect("f64")
                .iter()
                .map(|v| v.map(f64::to_bits))
                .collect()
        };
        assert_eq!(bits(&read), bits(&table));
    }

    #[test]
    fn an_empty_table_is_a_valid_file() {
        let table = table(0);
        let mut bytes = Vec::new();
        write_parquet(&mut bytes, &table).expect("written");
        let read = ParquetReader::new(std::io::Cursor::new(bytes))
            .finish()
            .expect("read back");
        assert_eq!(read.height(), 0);
        assert_eq!(read.schema(), table.schema());
    }

    /// A sink that accepts `room` bytes, then fails.
    struct Full {
        room: usize,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if buf.len() > self.room {
                return Err(std::io::Error::other("no space left on device"));
            }
            self.room -= buf.len();
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failing_sink_is_an_error() {
        let error = write_parquet(Full { room: 10_000 }, &table(ROW_GROUP_ROWS + 1))
            .expect_err("the sink is full");
        assert!(error.to_string().contains("no space left"), "{error}");
    }

    #[test]
    fn columns_of_different_heights_are_an_error() {
        let short = encode_column(&Column::new("A".into(), [1.0f64, 2.0])).expect("encoded");
        let long = encode_column(&Column::new("B".into(), [1.0f64, 2.0, 3.0])).expect("encoded");
        let error = write_encoded(Vec::new(), vec![short, long]).expect_err("not a table");
        let message = error.to_string();
        assert!(
            message.contains("column B has 3 rows where the table has 2"),
            "{message}"
        );
    }
}
