//! The input tables, read on a thread of their own, a CSV file one ahead
//! of the stage that uses it: while a table's features are built, the next
//! CSV file is read, so that reading (and its waits between waves of
//! blocks) fills the cores the build leaves idle. At most one table waits,
//! read, for its stage. A parquet file is read when its stage asks for it:
//! polars' reader already keeps every core busy, and reading one ahead
//! only added memory (3.8 GiB at the peak instead of 2.8 on a full-size
//! portfolio) and time.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel, sync_channel};

use polars::prelude::*;
use scoring_core::features::{CLIENT_ID, ColumnValue, FeatureDefinition, TARGET, Table};
use synth::tables::Table as File;

use super::dictionary::LoadedTable;
use super::load::{is_csv, read_table};
use crate::{Error, Result};

/// One table a stage reads, and the keys of its parent rows it needs
/// besides the columns its definition uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Read {
    pub(crate) table: Table,
    pub(crate) keys: Vec<&'static str>,
}

/// What the stage of `table` reads, in order: each child table it rolls up
/// (in the order its columns name them, keyed by their parent), then its
/// own table with those keys.
pub(crate) fn reads_of(definition: &FeatureDefinition, table: Table) -> Result<Vec<Read>> {
    let own = definition.table(table).ok_or_else(|| {
        Error::Core(scoring_core::Error::InvalidFeatureDefinition {
            table,
            reason: "it has no definition".to_owned(),
        })
    })?;
    let mut reads: Vec<Read> = Vec::new();
    for column in &own.columns {
        if let ColumnValue::Rollup { child, .. } = &column.value
            && !reads.iter().any(|r| r.table == *child)
        {
            let (_, key) = child.parent().ok_or_else(|| {
                Error::Core(scoring_core::Error::InvalidFeatureDefinition {
                    table,
                    reason: format!("{child} has no parent"),
                })
            })?;
            reads.push(Read {
                table: *child,
                keys: vec![key],
            });
        }
    }
    let keys = reads
        .iter()
        .filter_map(|read| read.table.parent().map(|(_, key)| key))
        .collect();
    reads.push(Read { table, keys });
    Ok(reads)
}

/// The tables of a list of reads, read on a thread of its own.
pub(crate) struct ReadAhead {
    tables: Receiver<(Table, Result<LoadedTable>)>,
    /// One message per table asked for.
    asks: Sender<()>,
}

impl ReadAhead {
    /// Starts reading `reads` from `data_dir`, in order. The reader stops
    /// at the first failure, which [`ReadAhead::next`] then returns.
    pub(crate) fn start(
        data_dir: &Path,
        definition: &FeatureDefinition,
        reads: Vec<Read>,
    ) -> Result<Self> {
        // A table is handed over when asked for: the reader holds one
        // table at most, and reads the next once it is taken.
        let (sender, tables) = sync_channel(0);
        let (asks, asked) = channel::<()>();
        let data_dir: PathBuf = data_dir.to_owned();
        let definition = definition.clone();
        std::thread::Builder::new()
            .name("table-reader".to_owned())
            .spawn(move || {
                // Every `recv` or `send` that fails means that nobody
                // listens any more: the build has failed.
                for Read { table, keys } in reads {
                    let ahead = is_csv(&data_dir, file_of(table));
                    if !ahead && asked.recv().is_err() {
                        return;
                    }
                    let loaded = read(&data_dir, &definition, table, &keys);
                    let failed = loaded.is_err();
                    if sender.send((table, loaded)).is_err() || failed {
                        return;
                    }
                    // The ask that came with taking the table.
                    if ahead && asked.recv().is_err() {
                        return;
                    }
                }
            })
            .map_err(|source| Error::Io {
                path: PathBuf::new(),
                action: "starting the thread that reads the tables",
                source,
            })?;
        Ok(Self { tables, asks })
    }

    /// The next table, which must be `table`.
    pub(crate) fn next(&mut self, table: Table) -> Result<LoadedTable> {
        let invalid = |reason: String| {
            Error::Core(scoring_core::Error::InvalidFeatureDefinition { table, reason })
        };
        // A reader that has stopped has sent its failure, or panicked.
        let _ = self.asks.send(());
        match self.tables.recv() {
            Ok((read, loaded)) if read == table => loaded,
            Ok((read, _)) => Err(invalid(format!("{read} was read where {table} was due"))),
            Err(_) => Err(invalid("the thread reading the tables stopped".to_owned())),
        }
    }
}

/// The file(s) of `table`, with the columns its definition reads, the
/// client identifier and `keys`. The application is both files, test
/// applicants with a missing TARGET.
fn read(
    data_dir: &Path,
    definition: &FeatureDefinition,
    table: Table,
    keys: &[&str],
) -> Result<LoadedTable> {
    let inputs = definition
        .table(table)
        .map(|t| t.inputs())
        .unwrap_or_default();
    let columns: Vec<&str> = table
        .columns()
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| {
            (*c == CLIENT_ID && table.has_client_id())
                || (*c == TARGET && table == Table::Application)
                || keys.contains(c)
                || inputs.contains(c)
        })
        .collect();
    if table != Table::Application {
        return read_table(data_dir, file_of(table), &columns);
    }
    let train = read_table(data_dir, File::ApplicationTrain, &columns)?;
    let test_columns: Vec<&str> = columns.iter().copied().filter(|c| *c != TARGET).collect();
    let mut test = read_table(data_dir, File::ApplicationTest, &test_columns)?;
    let stage = |source| Error::Polars {
        stage: "combining application train and test",
        source,
    };
    test.frame = test
        .frame
        .lazy()
        .with_column(lit(NULL).cast(DataType::Float64).alias(TARGET))
        .select(columns.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()
        .map_err(stage)?;
    train.stack(test).map_err(stage)
}

/// The file a table is read from (the application is two).
fn file_of(table: Table) -> File {
    match table {
        Table::Application => File::ApplicationTrain,
        Table::Bureau => File::Bureau,
        Table::BureauBalance => File::BureauBalance,
        Table::PreviousApplication => File::PreviousApplication,
        Table::PosCashBalance => File::PosCashBalance,
        Table::InstallmentsPayments => File::InstallmentsPayments,
        Table::CreditCardBalance => File::CreditCardBalance,
    }
}

#[cfg(test)]
mod tests {
    use scoring_core::features::{ColumnDescriptions, kernel_definition};

    use super::*;

    #[test]
    fn a_stage_reads_its_child_tables_before_its_own_with_their_keys() {
        let definition = kernel_definition(&ColumnDescriptions::new());
        let reads = reads_of(&definition, Table::Bureau).expect("reads");
        assert_eq!(
            reads,
            [
                Read {
                    table: Table::BureauBalance,
                    keys: vec!["SK_ID_BUREAU"],
                },
                Read {
                    table: Table::Bureau,
                    keys: vec!["SK_ID_BUREAU"],
                },
            ]
        );
        let reads = reads_of(&definition, Table::InstallmentsPayments).expect("reads");
        assert_eq!(
            reads,
            [Read {
                table: Table::InstallmentsPayments,
                keys: vec![],
            }]
        );
    }

    #[test]
    fn a_missing_file_is_the_error_of_its_own_turn() {
        let dir = tempfile::tempdir().expect("dir");
        let definition = kernel_definition(&ColumnDescriptions::new());
        let mut tables = ReadAhead::start(
            dir.path(),
            &definition,
            reads_of(&definition, Table::Bureau).expect("reads"),
        )
        .expect("started");
        match tables.next(Table::BureauBalance) {
            Err(Error::MissingFile { table, .. }) => assert_eq!(table, "bureau_balance"),
            Err(other) => panic!("unexpected error: {other}"),
            Ok(_) => panic!("read a file that does not exist"),
        }
        // The reader stopped at its failure.
        let Err(error) = tables.next(Table::Bureau) else {
            panic!("a table came after the failure");
        };
        assert!(error.to_string().contains("stopped"), "{error}");
    }

    #[test]
    fn a_parquet_table_is_read_when_its_stage_asks_for_it() {
        let dir = tempfile::tempdir().expect("dir");
        let definition = kernel_definition(&ColumnDescriptions::new());
        let table = Table::InstallmentsPayments;
        let reads = reads_of(&definition, table).expect("reads");
        let mut tables = ReadAhead::start(dir.path(), &definition, reads).expect("started");
        // Time enough for a reader that read ahead to find no file at all.
        std::thread::sleep(std::time::Duration::from_millis(200));
        let inputs = definition.table(table).expect("definition").inputs();
        let mut columns = vec![Column::new(CLIENT_ID.into(), [100_002i64])];
        columns.extend(inputs.iter().filter(|c| **c != CLIENT_ID).map(|c| {
            if c.starts_with("SK_ID_") {
                Column::new((*c).into(), [1i64])
            } else {
                Column::new((*c).into(), [1.0f64])
            }
        }));
        let mut frame = DataFrame::new_infer_height(columns).expect("frame");
        let path = dir.path().join("installments_payments.parquet");
        ParquetWriter::new(std::fs::File::create(&path).expect("file"))
            .finish(&mut frame)
            .expect("written");
        let loaded = tables.next(table).expect("read once asked for");
        assert_eq!(loaded.frame.height(), 1);
    }
}
