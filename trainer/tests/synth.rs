//! `trainer synth`: layout, determinism, sizes, keys, risk signal and errors.
//!
//! Most checks read one shared data set of 8,000 applicants, generated once
//! per test run into cargo's scratch folder for integration tests.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use trainer::Error;
use trainer::synth::{SynthArgs, TRUE_PD_FILE, run};
use trainer::tables::Table;

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

#[test]
fn default_rate_and_true_pd_are_realistic() {
    let dir = shared();
    let targets = targets(dir);
    let defaults = targets.values().filter(|t| **t).count() as f64 / targets.len() as f64;
    assert!((0.06..=0.10).contains(&defaults), "default rate {defaults}");

    let mut scored = Vec::new();
    let header = for_each_row(&dir.join(TRUE_PD_FILE), |row| {
        let pd: f64 = row[1].parse().expect("pd");
        assert!((0.0..=1.0).contains(&pd));
        if let Some(&t) = targets.get(&row[0].parse().expect("id")) {
            scored.push((pd, t));
        }
    });
    assert_eq!(header.len(), 2);
    assert_eq!(
        scored.len(),
        targets.len(),
        "every train applicant has a TRUE_PD"
    );
    // AUC by ranking: share of (default, non-default) pairs ordered correctly.
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut negatives_below, mut correct) = (0.0, 0.0);
    for &(_, t) in &scored {
        if t {
            correct += negatives_below
        } else {
            negatives_below += 1.0
        }
    }
    let positives = scored.iter().filter(|(_, t)| *t).count() as f64;
    let auc = correct / (positives * negatives_below);
    assert!((0.75..=0.90).contains(&auc), "AUC of TRUE_PD {auc}");
}

#[test]
fn repayment_history_carries_signal() {
    let dir = shared();
    let targets = targets(dir);
    let mut late: HashMap<i64, (u32, u32)> = HashMap::new();
    for_each_row(&dir.join(Table::InstallmentsPayments.file_name()), |row| {
        let entry = late.entry(row[1].parse().expect("id")).or_default();
        let (due, paid) = (row[4].parse::<f64>().ok(), row[5].parse::<f64>().ok());
        entry.0 += u32::from(matches!((due, paid), (Some(d), Some(p)) if p > d));
        entry.1 += 1;
    });
    let mut risky: HashSet<i64> = late
        .iter()
        .filter(|(_, (l, n))| f64::from(*l) > 0.2 * f64::from(*n))
        .map(|(id, _)| *id)
        .collect();
    for_each_row(&dir.join(Table::Bureau.file_name()), |row| {
        if row[5] != "0" {
            risky.insert(row[0].parse().expect("id"));
        }
    });
    let (inside, outside) = (rate(&risky, &targets, true), rate(&risky, &targets, false));
    assert!(
        inside > 1.8 * outside,
        "default rate {inside} with late instalments or overdue credits, {outside} without"
    );
}

#[test]
fn missing_rates_and_sentinels_follow_the_profiles() {
    let dir = shared();
    let (mut n, mut missing, mut pensioners) = (0.0, [0.0; 4], 0.0);
    let path = dir.join(Table::ApplicationTrain.file_name());
    let header = for_each_row(&path, |_| {});
    let at: Vec<usize> = [
        "EXT_SOURCE_1",
        "EXT_SOURCE_3",
        "OCCUPATION_TYPE",
        "OWN_CAR_AGE",
    ]
    .iter()
    .map(|c| column(&header, c))
    .collect();
    let (employed, organization) = (
        column(&header, "DAYS_EMPLOYED"),
        column(&header, "ORGANIZATION_TYPE"),
    );
    for_each_row(&path, |row| {
        n += 1.0;
        for (count, &i) in missing.iter_mut().zip(&at) {
            *count += f64::from(u8::from(row[i].is_empty()));
        }
        if row[employed] == "365243" {
            pensioners += 1.0;
            assert_eq!(row[organization], "XNA");
        }
    });
    for (count, profile) in missing.iter().zip([0.5647, 0.1966, 0.3161, 0.6616]) {
        assert!(
            (count / n - profile).abs() < 0.03,
            "missing rate {} vs profile {profile}",
            count / n
        );
    }
    assert!(
        (0.15..0.22).contains(&(pensioners / n)),
        "DAYS_EMPLOYED sentinel share {}",
        pensioners / n
    );

    let path = dir.join(Table::PreviousApplication.file_name());
    let header = for_each_row(&path, |_| {});
    let drawing = column(&header, "DAYS_FIRST_DRAWING");
    let mut sentinels = 0;
    for_each_row(&path, |row| {
        sentinels += usize::from(row[drawing] == "365243.0")
    });
    assert!(sentinels > 0, "DAYS_FIRST_DRAWING has the 365243 sentinel");
}

#[test]
fn bad_flags_are_named_in_the_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let args = SynthArgs::new(dir.path());
    let flag_of = |args: SynthArgs| match run(&args) {
        Err(Error::InvalidArgument { flag, .. }) => flag,
        other => panic!("expected an invalid argument, got {other:?}"),
    };
    assert_eq!(
        flag_of(SynthArgs {
            applicants: 0,
            ..args.clone()
        }),
        "--applicants"
    );
    assert_eq!(
        flag_of(SynthArgs {
            test_fraction: 1.5,
            ..args.clone()
        }),
        "--test-fraction"
    );
    assert_eq!(
        flag_of(SynthArgs {
            test_fraction: f64::NAN,
            ..args.clone()
        }),
        "--test-fraction"
    );
    assert_eq!(
        flag_of(SynthArgs {
            threads: Some(0),
            ..args.clone()
        }),
        "--threads"
    );
    assert!(
        std::fs::read_dir(dir.path())
            .expect("list")
            .next()
            .is_none(),
        "nothing written"
    );

    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").expect("write");
    let blocked = SynthArgs {
        applicants: 10,
        ..SynthArgs::new(file.join("sub"))
    };
    assert!(matches!(run(&blocked), Err(Error::Io { path, .. }) if path == file.join("sub")));
}

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let args = SynthArgs {
        applicants: 50,
        ..SynthArgs::new(dir.path())
    };
    run(&args).expect("first run");
    match run(&args) {
        Err(Error::SynthOutputExists { path }) => assert!(path.starts_with(dir.path())),
        other => panic!("expected a refusal, got {other:?}"),
    }
    run(&SynthArgs {
        force: true,
        seed: 1,
        ..args
    })
    .expect("forced run");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 9, "{names:?}");
    assert!(names.iter().all(|n| !n.ends_with(".partial")));
}
