//! The feature table as parquet: plain pages, each column of a row group
//! encoded and snappy-compressed on its own thread, the row groups written
//! in order.
//!
//! Polars' writers try a dictionary for every column (a cardinality
//! estimate, then a hash of every value where it looks worth it) and one
//! compressed the pages on the writing thread alone. Plain pages of these
//! f64 features compress as small with snappy, for a fraction of the work.

use std::io::Write;

use polars::prelude::*;
use polars_parquet::parquet::error::ParquetResult;
use polars_parquet::read::ParquetError;
use polars_parquet::write::{
    CompressedPage, CompressionOptions, Compressor, DynIter, DynStreamingIterator, Encoding,
    FallibleStreamingIterator, FileWriter, ParquetType, StatisticsOptions, Version, WriteOptions,
    array_to_columns,
};
use rayon::prelude::*;

/// Rows per row group.
const ROW_GROUP_ROWS: usize = 64 * 1024;

/// Columns encoded at a time, in parallel, before the writer takes them:
/// each page is held in a buffer of the largest size its compression could
/// take (snappy: about 7/6 of the page), so a whole row group of 741
/// columns held about 450 MB more at the run's peak.
const COLUMNS_AT_ONCE: usize = 128;

/// Writes `table` to `sink` as a parquet file.
pub(super) fn write_parquet(sink: impl Write, table: &DataFrame) -> PolarsResult<()> {
    let schema = table.schema().to_arrow(CompatLevel::newest());
    let options = WriteOptions {
        // The table is always read whole: min/max would cost a pass each.
        statistics: StatisticsOptions::empty(),
        version: Version::V1,
        compression: CompressionOptions::Snappy,
        data_page_size: None,
    };
    let mut writer = FileWriter::try_new(sink, schema, options)?;
    let types = writer.parquet_schema().fields().to_vec();
    for start in (0..table.height()).step_by(ROW_GROUP_ROWS) {
        let rows = table.slice(start as i64, ROW_GROUP_ROWS);
        let columns = rows.columns();
        let mut encoded = Vec::new().into_iter();
        let mut next = 0;
        // The writer takes the columns one after the other; each batch is
        // encoded when it reaches the first column of it.
        let row_group = std::iter::from_fn(|| {
            if encoded.len() == 0 && next < columns.len() {
                let end = (next + COLUMNS_AT_ONCE).min(columns.len());
                let batch = columns[next..end]
                    .par_iter()
                    .zip(&types[next..end])
                    .map(|(column, parquet_type)| encode(column, parquet_type, options))
                    .collect::<PolarsResult<Vec<_>>>();
                next = end;
                match batch {
                    Ok(batch) => encoded = batch.into_iter(),
                    Err(error) => return Some(Err(error)),
                }
            }
            let pages = encoded.next()?;
            Some(Ok(DynStreamingIterator::new(Pages {
                pages: pages.into_iter(),
                current: None,
            })))
        });
        writer.write(rows.height() as u64, DynIter::new(row_group))?;
    }
    writer.end(None)?;
    Ok(())
}

/// One column's pages, handed to the writer one at a time and freed as
/// they are written.
struct Pages {
    pages: std::vec::IntoIter<CompressedPage>,
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

/// The compressed pages of one column of a row group.
fn encode(
    column: &Column,
    parquet_type: &ParquetType,
    options: WriteOptions,
) -> PolarsResult<Vec<CompressedPage>> {
    let array = column
        .as_materialized_series()
        .rechunk()
        .to_arrow(0, CompatLevel::newest());
    let mut pages = Vec::new();
    for encoded in array_to_columns(array, parquet_type.clone(), options, &[Encoding::Plain])? {
        let compressed = Compressor::new_from_vec(
            encoded.map(|page| page.map_err(|e| ParquetError::FeatureNotSupported(e.to_string()))),
            options.compression,
            vec![],
        );
        pages.extend(compressed.collect::<ParquetResult<Vec<_>>>()?);
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_table_of_several_row_groups_and_column_batches_reads_back_bit_for_bit() {
        let mut table = table(2 * ROW_GROUP_ROWS + 5);
        // More columns than one batch encodes.
        let extra: Vec<Column> = (0..COLUMNS_AT_ONCE)
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
}
