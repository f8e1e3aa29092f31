//! Benchmark of `trainer features` against the kernel's pandas code, on the
//! same realistic files in one run, from CSV and from parquet.
//!
//! ```text
//! CREDIT_SHARED_DATA=/path/to/shared/data cargo bench -p trainer --bench features_full
//! cargo bench -p trainer --bench features_full -- --applicants 50000   # smaller
//! cargo bench -p trainer --bench features_full -- --shuffled           # unsorted rows
//! cargo bench -p trainer --bench features_full -- --help               # every option
//! ```
//!
//! Generates the data set when it is absent (`trainer synth`, 356,255
//! applicants by default, every category column drawn from the full real
//! category set of `$CREDIT_SHARED_DATA/homecredit-profiles/categories.csv`)
//! under `--data-root`, and a parquet copy of it. Then, for each input format,
//! runs `trainer features` and `trainer/reference/kernel_features.py` as
//! child processes one after the other, each after reading the input files
//! once (both find them in the page cache, whichever runs first), `--runs`
//! times in turn, and reports for each the wall time, the peak RSS (the
//! child's `VmHWM`, polled) and the stages of its median run, and the ratio
//! of the two medians. The ratios are what to compare across machines: both
//! engines run in the same conditions, on a machine that may be shared.

mod data;
mod measure;

use std::path::PathBuf;

use clap::Parser;

use self::data::{Format, prepare};
use self::measure::{Measured, run_warm};

/// Options (each also an environment variable).
#[derive(Debug, Parser)]
#[command(about = "trainer features against the kernel's pandas code")]
struct Args {
    /// Applicants of the generated data set (train and test together).
    #[arg(long, env = "BENCH_APPLICANTS", default_value_t = synth::FULL_TRAIN + synth::FULL_TEST)]
    applicants: u64,
    /// Folder holding the generated data sets (one sub-folder per size and
    /// category source, `real-categories-356255`); kept between runs
    /// [default: $TMPDIR/credit-scoring-bench].
    #[arg(long, env = "BENCH_DATA_ROOT")]
    data_root: Option<PathBuf>,
    /// The category profile the data draws its categories from; without
    /// one (no `--categories`, no `$CREDIT_SHARED_DATA`), the generator's
    /// built-in top 8 per column, which understates the work of real data.
    #[arg(long, env = "BENCH_CATEGORIES")]
    categories: Option<PathBuf>,
    /// Python interpreter with pandas and pyarrow for the kernel's code.
    #[arg(long, env = "BENCH_PYTHON", default_value = "python3")]
    python: String,
    /// Only `trainer features`, not the pandas code.
    #[arg(long, env = "BENCH_SKIP_PANDAS")]
    skip_pandas: bool,
    /// Input formats to measure.
    #[arg(long, env = "BENCH_FORMATS", value_delimiter = ',', default_values = ["csv", "parquet"])]
    formats: Vec<Format>,
    /// The rows of every table but the application's in a random order
    /// (seeded), as in the real files, which are not sorted by client: a
    /// copy of the generated data, made once next to it (`…-shuffled`).
    #[arg(long, env = "BENCH_SHUFFLED")]
    shuffled: bool,
    /// Runs of each engine per format, in turn; the median run is reported.
    #[arg(long, env = "BENCH_RUNS", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() {
    let args = Args::parse();
    let categories = args.categories.clone().or_else(|| {
        let shared = PathBuf::from(std::env::var_os("CREDIT_SHARED_DATA")?);
        Some(shared.join("homecredit-profiles/categories.csv"))
    });
    let root = args
        .data_root
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("credit-scoring-bench"));
    let trainer = env!("CARGO_BIN_EXE_trainer");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/reference/kernel_features.py");
    let pandas_version = (!args.skip_pandas).then(|| measure::pandas_version(&args.python));

    let mut results: Vec<(Format, Measured, Option<Measured>)> = Vec::new();
    for &format in &args.formats {
        let input = prepare(
            &root,
            args.applicants,
            categories.as_deref(),
            (format, args.shuffled),
            trainer,
        );
        println!(
            "\n== {format} input: {} rows, {:.2} GB in {}",
            input.rows,
            input.bytes as f64 / 1e9,
            input.dir.display()
        );
        let out = input.dir.join("bench-out");
        let mut ours_runs = Vec::new();
        let mut pandas_runs = Vec::new();
        for run in 1..=args.runs {
            if args.runs > 1 {
                println!("-- run {run} of {}", args.runs);
            }
            ours_runs.push(run_warm(
                "trainer features",
                std::process::Command::new(trainer)
                    .env("RUST_LOG", "info")
                    .env("NO_COLOR", "1")
                    .arg("features")
                    .arg("--data")
                    .arg(&input.dir)
                    .arg("--out")
                    .arg(out.join("trainer")),
                &input.dir,
            ));
            if let Some(version) = &pandas_version {
                pandas_runs.push(run_warm(
                    &format!("kernel (pandas {version})"),
                    std::process::Command::new(&args.python)
                        .arg(script)
                        .arg("--data")
                        .arg(&input.dir)
                        .arg("--out")
                        .arg(out.join("kernel.parquet")),
                    &input.dir,
                ));
            }
        }
        let ours = measure::median(ours_runs);
        let pandas = (!pandas_runs.is_empty()).then(|| measure::median(pandas_runs));
        if args.runs > 1 {
            println!("-- median runs");
            ours.report();
            if let Some(pandas) = &pandas {
                pandas.report();
            }
        }
        results.push((format, ours, pandas));
        std::fs::remove_dir_all(&out).ok();
    }

    println!("\n| input | trainer features | kernel (pandas) | speed-up | peak RSS ratio |");
    println!("|---|---|---|---|---|");
    for (format, ours, pandas) in &results {
        let (theirs, speed, memory) = match pandas {
            Some(p) => (
                p.summary(),
                format!("{:.1}x", p.seconds / ours.seconds),
                format!("{:.2}", ours.peak_rss_gib() / p.peak_rss_gib()),
            ),
            None => ("-".into(), "-".into(), "-".into()),
        };
        println!(
            "| {format} | {} | {theirs} | {speed} | {memory} |",
            ours.summary()
        );
    }
}
