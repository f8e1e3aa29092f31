//! The benchmark's input: a generated data set of the asked size, as CSV
//! and as parquet, generated once and kept.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;
use std::time::Instant;

use polars::prelude::*;
use synth::tables::{ColumnType, Table};

/// An input format of `trainer features`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    Parquet,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "csv" => Ok(Format::Csv),
            "parquet" => Ok(Format::Parquet),
            other => Err(format!("unknown format `{other}`: expected csv or parquet")),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        })
    }
}

/// A folder of the eight tables in one format.
pub(crate) struct Input {
    pub(crate) dir: PathBuf,
    pub(crate) rows: u64,
    pub(crate) bytes: u64,
}

/// The data set of `applicants` under `root` in `format`, generated (CSV,
/// with `trainer synth`), shuffled (`shuffled`: see [`shuffled_copy`]) or
/// converted (parquet, from the CSV) when absent.
pub(crate) fn prepare(
    root: &Path,
    applicants: u64,
    categories: Option<&Path>,
    (format, shuffled): (Format, bool),
    trainer: &str,
) -> Input {
    let source = if categories.is_some() {
        "real-categories"
    } else {
        "top8-categories"
    };
    let csv = root.join(format!("{source}-{applicants}"));
    if !csv.join(Table::CreditCardBalance.file_name()).is_file() {
        if categories.is_none() {
            println!(
                "warning: no category profile ($CREDIT_SHARED_DATA unset, no --categories): \
                 the data keeps the generator's top 8 categories per column"
            );
        }
        println!("generating {applicants} applicants into {}", csv.display());
        let started = Instant::now();
        let mut command = Command::new(trainer);
        command
            .args(["synth", "--force", "--applicants"])
            .arg(applicants.to_string())
            .arg("--out")
            .arg(&csv);
        if let Some(profile) = categories {
            command.arg("--categories").arg(profile);
        }
        let status = command.status().expect("trainer synth runs");
        assert!(status.success(), "trainer synth failed: {status}");
        println!("generated in {:.1} s", started.elapsed().as_secs_f64());
    }
    let csv = if shuffled { shuffled_copy(&csv) } else { csv };
    let dir = match format {
        Format::Csv => csv,
        Format::Parquet => {
            let parquet = csv.join("parquet");
            if !parquet
                .join(parquet_name(Table::CreditCardBalance))
                .is_file()
            {
                convert(&csv, &parquet);
            }
            parquet
        }
    };
    let (mut rows, mut bytes) = (0, 0);
    for table in Table::ALL {
        let path = match format {
            Format::Csv => dir.join(table.file_name()),
            Format::Parquet => dir.join(parquet_name(table)),
        };
        bytes += std::fs::metadata(&path).map_or(0, |m| m.len());
        if format == Format::Csv {
            rows += count_lines(&path).saturating_sub(1);
        }
    }
    if format == Format::Parquet {
        rows = prepare_rows(&dir);
    }
    Input { dir, rows, bytes }
}

/// A copy of the CSV data set `csv` with the rows of every table but the
/// application's in a random order (seeded), made once, next to it: the
/// real files are not sorted by client, and a reduction over scattered
/// groups costs cache misses that sorted files hide. The generated files
/// have no line break inside a field.
fn shuffled_copy(csv: &Path) -> PathBuf {
    let mut name = csv.file_name().expect("a data folder").to_owned();
    name.push("-shuffled");
    let shuffled = csv.with_file_name(name);
    // Written last, through a temporary name: its presence means the copy is whole.
    let last = Table::ALL[Table::ALL.len() - 1];
    if shuffled.join(last.file_name()).is_file() {
        return shuffled;
    }
    println!(
        "shuffling the rows of {} into {}",
        csv.display(),
        shuffled.display()
    );
    let started = Instant::now();
    std::fs::create_dir_all(&shuffled).expect("shuffled folder");
    let mut rng = synth::Rng::seeded(14);
    for table in Table::ALL {
        let from = csv.join(table.file_name());
        let staged = shuffled.join(format!(".{}.partial", table.file_name()));
        if matches!(table, Table::ApplicationTrain | Table::ApplicationTest) {
            std::fs::copy(&from, &staged).expect("application copied");
        } else {
            let text = std::fs::read(&from).expect("CSV read");
            let header = text
                .iter()
                .position(|&b| b == b'\n')
                .map_or(text.len(), |i| i + 1);
            let mut rows: Vec<&[u8]> = text[header..].split_inclusive(|&b| b == b'\n').collect();
            rng.shuffle(&mut rows);
            let mut out = BufWriter::new(File::create(&staged).expect("shuffled file"));
            out.write_all(&text[..header]).expect("header written");
            for row in rows {
                out.write_all(row).expect("row written");
                if !row.ends_with(b"\n") {
                    out.write_all(b"\n").expect("row written");
                }
            }
            out.flush().expect("shuffled file written");
        }
        std::fs::rename(&staged, shuffled.join(table.file_name())).expect("renamed into place");
    }
    println!("shuffled in {:.1} s", started.elapsed().as_secs_f64());
    shuffled
}

fn parquet_name(table: Table) -> String {
    table.file_name().replace(".csv", ".parquet")
}

/// Writes each CSV file of `csv` as parquet into `parquet`, typed as the
/// layout says (identifiers as integers, numbers as f64, text as text).
fn convert(csv: &Path, parquet: &Path) {
    println!("converting {} to parquet", csv.display());
    let started = Instant::now();
    std::fs::create_dir_all(parquet).expect("parquet folder");
    for table in Table::ALL {
        let schema: Schema = table
            .columns()
            .map(|(name, kind)| {
                let dtype = if name.starts_with("SK_ID_") {
                    DataType::Int64
                } else if kind == ColumnType::Text {
                    DataType::String
                } else {
                    DataType::Float64
                };
                Field::new(name.into(), dtype)
            })
            .collect();
        let path = PlRefPath::try_from_path(&csv.join(table.file_name())).expect("path");
        let mut frame = LazyCsvReader::new(path)
            .with_has_header(true)
            .with_dtype_overwrite(Some(Arc::new(schema)))
            .finish()
            .and_then(LazyFrame::collect)
            .expect("CSV readable");
        let file = File::create(parquet.join(parquet_name(table))).expect("parquet file");
        ParquetWriter::new(file)
            .finish(&mut frame)
            .expect("parquet written");
    }
    println!("converted in {:.1} s", started.elapsed().as_secs_f64());
}

/// Rows of the parquet tables, from their metadata.
fn prepare_rows(dir: &Path) -> u64 {
    Table::ALL
        .iter()
        .map(|table| {
            let path = PlRefPath::try_from_path(&dir.join(parquet_name(*table))).expect("path");
            LazyFrame::scan_parquet(path, ScanArgsParquet::default())
                .and_then(|f| f.select([len()]).collect())
                .ok()
                .and_then(|f| {
                    f.column("len")
                        .ok()?
                        .as_materialized_series()
                        .u32()
                        .ok()?
                        .get(0)
                })
                .map_or(0, u64::from)
        })
        .sum()
}

fn count_lines(path: &Path) -> u64 {
    let Ok(mut file) = File::open(path) else {
        return 0;
    };
    let mut buffer = vec![0u8; 1 << 20];
    let mut lines = 0u64;
    loop {
        let read = file.read(&mut buffer).expect("input readable");
        if read == 0 {
            return lines;
        }
        lines += buffer[..read].iter().filter(|&&b| b == b'\n').count() as u64;
    }
}
