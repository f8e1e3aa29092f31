//! Full-size benchmark of `trainer features`, against the kernel's pandas code.
//!
//! ```text
//! cargo bench -p trainer --bench features_full                 # ours only
//! BENCH_PANDAS=1 cargo bench -p trainer --bench features_full  # and the pandas baseline
//! ```
//!
//! Generates the full-size synthetic data set (307,511 + 48,744 applicants,
//! ~58M rows) into `$BENCH_DATA` (default `$TMPDIR/credit-scoring-bench/full`)
//! unless it is already there, then runs `trainer features` on it as a child
//! process under `/usr/bin/time -v` and reports wall time, peak RSS and input
//! rows per second. With `BENCH_PANDAS=1` it runs
//! `trainer/reference/kernel_features.py` on the same files the same way and
//! reports the ratio.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use synth::tables::Table;

struct Measured {
    seconds: f64,
    peak_rss_mib: f64,
}

fn main() {
    let data = std::env::var_os("BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("credit-scoring-bench/full"));
    let trainer = env!("CARGO_BIN_EXE_trainer");
    if !data.join(Table::CreditCardBalance.file_name()).is_file() {
        println!("generating the full-size data set into {}", data.display());
        let synth = timed(
            Command::new(trainer)
                .args(["synth", "--full", "--force", "--out"])
                .arg(&data),
        );
        println!(
            "synth: {:.1} s, peak RSS {:.0} MiB",
            synth.seconds, synth.peak_rss_mib
        );
    }
    let rows = count_rows(&data);
    let bytes: u64 = Table::ALL
        .iter()
        .filter_map(|t| std::fs::metadata(data.join(t.file_name())).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "input: {rows} rows, {:.2} GB of CSV in {}",
        bytes as f64 / 1e9,
        data.display()
    );

    let out = data.join("bench-features");
    let ours = timed(
        Command::new(trainer)
            .arg("features")
            .arg("--data")
            .arg(&data)
            .arg("--out")
            .arg(&out),
    );
    report("trainer features", &ours, rows);

    if std::env::var("BENCH_PANDAS").as_deref() == Ok("1") {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/reference/kernel_features.py");
        let pandas = timed(
            Command::new("python3")
                .arg(script)
                .arg("--data")
                .arg(&data)
                .arg("--out")
                .arg(data.join("bench-kernel.parquet")),
        );
        report("kernel (pandas)", &pandas, rows);
        println!("speed-up: {:.1}x", pandas.seconds / ours.seconds);
    }
}

fn report(name: &str, measured: &Measured, rows: u64) {
    println!(
        "{name}: wall {:.1} s, peak RSS {:.0} MiB, {:.2} M input rows/s",
        measured.seconds,
        measured.peak_rss_mib,
        rows as f64 / measured.seconds / 1e6
    );
}

/// Runs `command` under `/usr/bin/time -v`; panics (this is a bench) if it fails.
fn timed(command: &mut Command) -> Measured {
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(&program)
        .args(&args)
        .output()
        .expect("/usr/bin/time runs (apt-get install time)");
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{program:?} failed:\n{stderr}");
    let peak_kib: f64 = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .expect("time -v reports the peak RSS");
    Measured {
        seconds,
        peak_rss_mib: peak_kib / 1024.0,
    }
}

/// Data rows of the eight input files (lines minus headers).
fn count_rows(data: &Path) -> u64 {
    let mut total = 0;
    let mut buffer = vec![0u8; 1 << 20];
    for table in Table::ALL {
        let Ok(mut file) = std::fs::File::open(data.join(table.file_name())) else {
            continue;
        };
        let mut lines = 0u64;
        loop {
            let read = file.read(&mut buffer).expect("input readable");
            if read == 0 {
                break;
            }
            lines += buffer[..read].iter().filter(|&&b| b == b'\n').count() as u64;
        }
        total += lines.saturating_sub(1);
    }
    total
}
