//! `trainer synth`: layout, determinism, sizes, keys, risk signal and errors.
//!
//! Most checks read one shared data set of 8,000 applicants, generated once
//! per test run into cargo's scratch folder for integration tests.

mod categories;
mod errors;
mod layout;
mod realism;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use synth::Error;
use synth::tables::Table;
use synth::{SynthArgs, TRUE_PD_FILE, run};

const SHARED_APPLICANTS: u64 = 8_000;

fn shared() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("synth-shared");
        let args = SynthArgs {
            applicants: SHARED_APPLICANTS,
            force: true,
            ..SynthArgs::new(&dir)
        };
        run(&args).expect("synth run");
        dir
    })
}

/// Calls `f` with the fields of every data line of a CSV file (quoted fields
/// keep their quotes, which the checks never need to look inside).
fn for_each_row(path: &Path, mut f: impl FnMut(&[&str])) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("read csv");
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .expect("header")
        .split(',')
        .map(str::to_owned)
        .collect();
    let mut fields = Vec::with_capacity(header.len());
    for line in lines {
        fields.clear();
        let mut rest = line;
        loop {
            let (field, tail) = if let Some(quoted) = rest.strip_prefix('"') {
                let end = quoted.find('"').map_or(rest.len(), |i| i + 2);
                (&rest[..end], rest.get(end + 1..))
            } else {
                match rest.find(',') {
                    Some(i) => (&rest[..i], Some(&rest[i + 1..])),
                    None => (rest, None),
                }
            };
            fields.push(field);
            match tail {
                Some(tail) => rest = tail,
                None => break,
            }
        }
        assert_eq!(fields.len(), header.len(), "{}: {line}", path.display());
        f(&fields);
    }
    header
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// TARGET per train applicant.
fn targets(dir: &Path) -> HashMap<i64, bool> {
    let mut targets = HashMap::new();
    let path = dir.join(Table::ApplicationTrain.file_name());
    for_each_row(&path, |row| {
        targets.insert(row[0].parse().expect("id"), row[1] == "1");
    });
    targets
}

fn rate(ids: &HashSet<i64>, targets: &HashMap<i64, bool>, inside: bool) -> f64 {
    let group: Vec<bool> = targets
        .iter()
        .filter(|(id, _)| ids.contains(id) == inside)
        .map(|(_, t)| *t)
        .collect();
    group.iter().filter(|t| **t).count() as f64 / group.len().max(1) as f64
}
