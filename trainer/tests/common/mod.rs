//! Helpers shared by the trainer's integration tests.
#![allow(dead_code, unreachable_pub)]

pub mod fixture;

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;
use synth::tables::Table;

/// Writes `table` into `dir` with every column of the real file, in order;
/// cells not given are left empty (missing).
pub fn write_table(dir: &Path, table: Table, rows: &[&[(&str, &str)]]) {
    let columns: Vec<&str> = table.columns().map(|(c, _)| c).collect();
    let mut text = columns.join(",");
    text.push('\n');
    for row in rows {
        let cells: HashMap<&str, &str> = row.iter().copied().collect();
        for (name, _) in row.iter() {
            assert!(
                columns.contains(name),
                "{name} is not a column of {}",
                table.file_name()
            );
        }
        let line: Vec<&str> = columns
            .iter()
            .map(|c| cells.get(c).copied().unwrap_or(""))
            .collect();
        text.push_str(&line.join(","));
        text.push('\n');
    }
    std::fs::write(dir.join(table.file_name()), text).expect("fixture written");
}

/// Value of feature `name` for client `id` (`None` when missing).
pub fn value(table: &DataFrame, id: i64, name: &str) -> Option<f64> {
    let ids = table
        .column("SK_ID_CURR")
        .expect("id column")
        .i64()
        .expect("i64 ids")
        .clone();
    let row = ids
        .iter()
        .position(|v| v == Some(id))
        .unwrap_or_else(|| panic!("client {id} missing"));
    let column = table
        .column(name)
        .unwrap_or_else(|_| panic!("feature {name} missing"));
    column
        .f64()
        .unwrap_or_else(|_| panic!("{name} is not f64"))
        .get(row)
}

/// Asserts a feature equals `expected` within 1e-9 (relative), or is missing.
#[track_caller]
pub fn assert_feature(table: &DataFrame, id: i64, name: &str, expected: Option<f64>) {
    let actual = value(table, id, name);
    match (actual, expected) {
        (Some(a), Some(e)) => assert!(
            (a - e).abs() <= 1e-9 * e.abs().max(1.0),
            "{name} of client {id}: got {a}, expected {e}"
        ),
        (a, e) => assert_eq!(a, e, "{name} of client {id}"),
    }
}
