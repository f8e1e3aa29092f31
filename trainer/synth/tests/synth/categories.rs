//! `--categories`: the category columns a profile lists draw from all of its
//! categories, with its shares; the others keep the built-in ones.

use super::*;

/// Counts of each value of `name` in `table`'s file under `dir`.
fn counts(dir: &Path, table: Table, name: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    let mut at = None;
    let header = for_each_row(&dir.join(table.file_name()), |row| {
        let index = *at.get_or_insert_with(|| {
            table
                .columns()
                .position(|(c, _)| c == name)
                .expect("column")
        });
        *counts.entry(row[index].to_owned()).or_insert(0) += 1;
    });
    assert!(header.iter().any(|h| h == name));
    counts
}

#[test]
fn a_profile_gives_every_listed_category_its_share() {
    let dir = tempfile::tempdir().expect("tempdir");
    let profile = dir.path().join("categories.csv");
    let mut text = String::from("table,column,category,share,rows_profiled\n");
    // 12 organisations (more than the built-in 8), one of them ten times as
    // frequent as each other, and a missing share that must be ignored.
    for k in 1..=12 {
        let share = if k == 1 { 0.5 } else { 0.05 };
        text.push_str(&format!(
            "application_train,ORGANIZATION_TYPE,Org {k},{share},100\n"
        ));
    }
    text.push_str("application_train,ORGANIZATION_TYPE,,0.3,100\n");
    text.push_str("bureau,CREDIT_TYPE,\"Loan, special\",1,100\n");
    std::fs::write(&profile, text).expect("write profile");
    let out = dir.path().join("data");
    run(&SynthArgs {
        applicants: 3_000,
        test_fraction: 0.0,
        categories: Some(profile),
        ..SynthArgs::new(&out)
    })
    .expect("synth run");

    let organisations = counts(&out, Table::ApplicationTrain, "ORGANIZATION_TYPE");
    // Pensioners and the unemployed keep the generator's `XNA`.
    let workers: usize = organisations
        .iter()
        .filter(|(v, _)| *v != "XNA")
        .map(|(_, n)| n)
        .sum();
    for value in organisations.keys() {
        assert!(value == "XNA" || value.starts_with("Org "), "{value}");
    }
    assert_eq!(organisations.len(), 13, "{organisations:?}");
    let first = organisations["Org 1"] as f64 / workers as f64;
    assert!((first - 0.5).abs() < 0.04, "share of Org 1: {first}");

    let credit_types = counts(&out, Table::Bureau, "CREDIT_TYPE");
    assert_eq!(
        credit_types.keys().collect::<Vec<_>>(),
        ["\"Loan, special\""]
    );
    // A column the profile does not list keeps its built-in categories.
    let activity = counts(&out, Table::Bureau, "CREDIT_ACTIVE");
    assert!(activity.contains_key("Closed") && activity.contains_key("Active"));
}

#[test]
fn a_bad_profile_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let profile = dir.path().join("categories.csv");
    std::fs::write(
        &profile,
        "table,column,category,share\nbureau,CREDIT_TYPE,Car loan,often\n",
    )
    .expect("write profile");
    let out = dir.path().join("data");
    let result = run(&SynthArgs {
        applicants: 10,
        categories: Some(profile.clone()),
        ..SynthArgs::new(&out)
    });
    match result {
        Err(Error::CategoryProfile {
            path,
            line,
            message,
        }) => {
            assert_eq!((path, line), (profile, 2));
            assert!(message.contains("share `often`"), "{message}");
        }
        other => panic!("expected a profile error, got {other:?}"),
    }
    assert!(!out.exists(), "nothing written");
}
