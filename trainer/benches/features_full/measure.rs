//! A child process's wall time, peak RSS and stage times.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one engine took.
pub(crate) struct Measured {
    name: String,
    pub(crate) seconds: f64,
    peak_rss_kib: u64,
    /// (stage, seconds, peak RSS so far in MiB if logged) as the engine
    /// logged them.
    stages: Vec<(String, f64, Option<u64>)>,
}

impl Measured {
    pub(crate) fn peak_rss_gib(&self) -> f64 {
        self.peak_rss_kib as f64 / (1024.0 * 1024.0)
    }

    /// `63.2 s, 4.90 GiB`
    pub(crate) fn summary(&self) -> String {
        format!("{:.1} s, {:.2} GiB", self.seconds, self.peak_rss_gib())
    }

    pub(crate) fn report(&self) {
        println!("{}: wall {}", self.name, self.summary());
        for (stage, seconds, peak) in &self.stages {
            match peak {
                Some(mib) => {
                    println!("    {stage:<42} {seconds:>7.2} s   peak RSS so far {mib} MiB")
                }
                None => println!("    {stage:<42} {seconds:>7.2} s"),
            }
        }
    }
}

/// Runs `command` to completion, polling its peak RSS; panics (this is a
/// bench) if it fails, with its stderr.
pub(crate) fn run_measured(name: &str, command: &mut Command) -> Measured {
    let log = tempfile::NamedTempFile::new().expect("temporary log file");
    let stderr = log.reopen().expect("log file");
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_rss_kib = 0;
    let status = loop {
        // VmHWM is the process's own high-water mark; read until it exits.
        if let Some(hwm) = read_hwm(Path::new(&status_file)) {
            peak_rss_kib = peak_rss_kib.max(hwm);
        }
        if let Some(status) = child.try_wait().expect("child status") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let seconds = started.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(log.path()).unwrap_or_default();
    assert!(status.success(), "{name} failed ({status}):\n{text}");
    Measured {
        name: name.to_owned(),
        seconds,
        peak_rss_kib,
        stages: stages(&text),
    }
}

/// Runs `command` as [`run_measured`] after reading its `input` once
/// ([`warm`]), so that every engine starts alike, and prints its report.
pub(crate) fn run_warm(name: &str, command: &mut Command, input: &Path) -> Measured {
    warm(input);
    let measured = run_measured(name, command);
    measured.report();
    measured
}

/// Reads every file of `dir` once, so that the engine measured next finds
/// its input in the page cache, as the one before it did.
fn warm(dir: &Path) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut buffer = vec![0u8; 1 << 20];
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let mut file = std::fs::File::open(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        while file.read(&mut buffer).map_or(0, |n| n) > 0 {}
    }
}

/// The run of median wall time (the lower middle one of an even number).
pub(crate) fn median(mut runs: Vec<Measured>) -> Measured {
    runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let middle = (runs.len() - 1) / 2;
    runs.swap_remove(middle)
}

fn read_hwm(status: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(status).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Stage times from either engine's log: the trainer's `family built` and
/// `feature table written` lines, the kernel's `<stage> - done in <s>s`.
fn stages(log: &str) -> Vec<(String, f64, Option<u64>)> {
    let field = |line: &str, key: &str| -> Option<String> {
        let rest = &line[line.find(&format!(" {key}="))? + key.len() + 2..];
        let value = match rest.strip_prefix('"') {
            Some(quoted) => &quoted[..quoted.find('"')?],
            None => rest.split_whitespace().next()?,
        };
        Some(value.to_owned())
    };
    let mut stages = Vec::new();
    for line in log.lines() {
        let peak = field(line, "peak_rss_mib").and_then(|v| v.parse().ok());
        if line.contains("family built") {
            if let (Some(stage), Some(seconds)) = (field(line, "stage"), field(line, "seconds")) {
                stages.push((stage, seconds.parse().unwrap_or(f64::NAN), peak));
            }
        } else if line.contains("feature table written") {
            if let Some(seconds) = field(line, "write_seconds") {
                let seconds = seconds.parse().unwrap_or(f64::NAN);
                stages.push(("writing the table".into(), seconds, peak));
            }
        } else if let Some((stage, rest)) = line.split_once(" - done in ") {
            let seconds = rest.trim_end_matches('s').parse().unwrap_or(f64::NAN);
            stages.push((stage.trim().to_owned(), seconds, None));
        }
    }
    stages
}

/// The pandas version `python` imports; panics with the install command if
/// it has none.
pub(crate) fn pandas_version(python: &str) -> String {
    let output = Command::new(python)
        .args(["-c", "import pandas, pyarrow; print(pandas.__version__)"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        output.status.success(),
        "{python} lacks pandas or pyarrow: pip install -r trainer/reference/requirements.txt \
         (or pass --python, or --skip-pandas)"
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}
