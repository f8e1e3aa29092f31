//! Layout, determinism, sizes and keys of the generated tables.

use super::*;

#[test]
fn headers_are_the_table_columns_and_fields_look_like_pandas() {
    let dir = shared();
    for table in Table::ALL {
        let header = for_each_row(&dir.join(table.file_name()), |_| {});
        let expected: Vec<&str> = table.columns().map(|(name, _)| name).collect();
        assert_eq!(header, expected, "{}", table.file_name());
    }
    assert_eq!(
        for_each_row(&dir.join(TRUE_PD_FILE), |_| {}),
        ["SK_ID_CURR", "TRUE_PD"]
    );

    let path = dir.join(Table::ApplicationTrain.file_name());
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(
        text.contains(",\"Spouse, partner\","),
        "text with a comma is quoted"
    );
    // AMT_INCOME_TOTAL (float, whole) and DAYS_BIRTH (int) are columns 7 and 17.
    for_each_row(&path, |row| {
        assert!(row[7].ends_with(".0"), "float {}", row[7]);
        assert!(
            row[17].starts_with('-') && !row[17].contains('.'),
            "int {}",
            row[17]
        );
    });
}

#[test]
fn same_seed_same_bytes_whatever_the_threads() {
    let dirs = tempfile::tempdir().expect("tempdir");
    let generate = |name: &str, seed: u64, threads: usize| {
        let out = dirs.path().join(name);
        let args = SynthArgs {
            applicants: 1_500,
            seed,
            threads: Some(threads),
            ..SynthArgs::new(&out)
        };
        run(&args).expect("synth run");
        out
    };
    let (a, b, c) = (
        generate("a", 7, 1),
        generate("b", 7, 2),
        generate("c", 8, 2),
    );
    let files: Vec<&str> = Table::ALL
        .iter()
        .map(|t| t.file_name())
        .chain([TRUE_PD_FILE])
        .collect();
    for file in &files {
        let read = |dir: &Path| std::fs::read(dir.join(file)).expect("read");
        assert!(
            read(&a) == read(&b),
            "{file} differs between runs with the same seed"
        );
    }
    let read = |dir: &Path| std::fs::read(dir.join(Table::Bureau.file_name())).expect("read");
    assert!(
        read(&a) != read(&c),
        "a different seed gives different data"
    );
}

#[test]
fn row_counts_follow_the_real_ratios() {
    let dir = shared();
    let rows = |table: Table| {
        std::fs::read_to_string(dir.join(table.file_name()))
            .expect("read")
            .lines()
            .count()
            - 1
    };
    let test = (SHARED_APPLICANTS as f64 * 48_744.0 / 356_255.0).round() as usize;
    assert_eq!(rows(Table::ApplicationTest), test);
    assert_eq!(
        rows(Table::ApplicationTrain),
        SHARED_APPLICANTS as usize - test
    );
    let real = [
        (Table::Bureau, 1_716_428.0),
        (Table::BureauBalance, 27_299_925.0),
        (Table::PreviousApplication, 1_670_214.0),
        (Table::PosCashBalance, 10_001_358.0),
        (Table::InstallmentsPayments, 13_605_401.0),
        (Table::CreditCardBalance, 3_840_312.0),
    ];
    for (table, real_rows) in real {
        let expected = real_rows / 356_255.0 * SHARED_APPLICANTS as f64;
        let ratio = rows(table) as f64 / expected;
        assert!(
            (0.9..1.1).contains(&ratio),
            "{}: {} rows, expected about {expected:.0}",
            table.file_name(),
            rows(table)
        );
    }
}

#[test]
fn every_child_row_has_its_parent() {
    let dir = shared();
    let mut applicants = HashSet::new();
    for table in [Table::ApplicationTrain, Table::ApplicationTest] {
        for_each_row(&dir.join(table.file_name()), |row| {
            assert!(applicants.insert(row[0].to_owned()))
        });
    }
    assert!(applicants.contains("100002"));

    let mut bureau = HashSet::new();
    for_each_row(&dir.join(Table::Bureau.file_name()), |row| {
        assert!(applicants.contains(row[0]), "bureau SK_ID_CURR {}", row[0]);
        assert!(
            bureau.insert(row[1].to_owned()),
            "duplicate SK_ID_BUREAU {}",
            row[1]
        );
    });
    assert!(bureau.contains("5000000"));
    for_each_row(&dir.join(Table::BureauBalance.file_name()), |row| {
        assert!(
            bureau.contains(row[0]),
            "bureau_balance SK_ID_BUREAU {}",
            row[0]
        );
        assert!(row[1].parse::<i64>().is_ok_and(|m| (-96..=0).contains(&m)));
    });

    // SK_ID_PREV -> (SK_ID_CURR, contract type)
    let mut previous = HashMap::new();
    for_each_row(&dir.join(Table::PreviousApplication.file_name()), |row| {
        assert!(
            applicants.contains(row[1]),
            "previous SK_ID_CURR {}",
            row[1]
        );
        let old = previous.insert(row[0].to_owned(), (row[1].to_owned(), row[2].to_owned()));
        assert!(old.is_none(), "duplicate SK_ID_PREV {}", row[0]);
    });
    assert!(previous.contains_key("1000000"));
    for table in [
        Table::PosCashBalance,
        Table::InstallmentsPayments,
        Table::CreditCardBalance,
    ] {
        for_each_row(&dir.join(table.file_name()), |row| {
            let (owner, kind) = previous
                .get(row[0])
                .unwrap_or_else(|| panic!("{}: SK_ID_PREV {}", table.file_name(), row[0]));
            assert_eq!(
                owner,
                row[1],
                "{}: SK_ID_CURR of SK_ID_PREV {}",
                table.file_name(),
                row[0]
            );
            if table == Table::CreditCardBalance {
                assert_eq!(kind, "Revolving loans");
            }
        });
    }
}
