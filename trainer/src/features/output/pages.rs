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
    FileWriter, StatisticsOptions, Version, WriteOptions, array_to_columns,
    fallible_streaming_iterator,
};
use rayon::prelude::*;

/// Rows per row group: the encoded pages of one are held at a time, each
/// in a buffer of the largest size its compression could take (snappy:
/// about 7/6 of the page), about 450 MB for 741 columns. Groups of 16k rows
/// (110 MB) gave no lower peak and a slower write.
const ROW_GROUP_ROWS: usize = 64 * 1024;

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
        let encoded: Vec<Vec<CompressedPage>> = rows
            .columns()
            .par_iter()
            .zip(&types)
            .map(|(column, parquet_type)| {
                let array = column
                    .as_materialized_series()
                    .rechunk()
                    .to_arrow(0, CompatLevel::newest());
                let mut pages = Vec::new();
                for encoded in
                    array_to_columns(array, parquet_type.clone(), options, &[Encoding::Plain])?
                {
                    let compressed = Compressor::new_from_vec(
                        encoded.map(|page| {
                            page.map_err(|e| ParquetError::FeatureNotSupported(e.to_string()))
                        }),
                        options.compression,
                        vec![],
                    );
                    pages.extend(compressed.collect::<ParquetResult<Vec<_>>>()?);
                }
                Ok(pages)
            })
            .collect::<PolarsResult<_>>()?;
        let row_group = DynIter::new(encoded.iter().map(|pages| {
            Ok(DynStreamingIterator::new(
                fallible_streaming_iterator::convert(pages.iter().map(PolarsResult::Ok)),
            ))
        }));
        writer.write(rows.height() as u64, row_group)?;
    }
    writer.end(None)?;
    Ok(())
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
    fn a_table_of_several_row_groups_reads_back_bit_for_bit() {
        let table = table(2 * ROW_GROUP_ROWS + 5);
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
