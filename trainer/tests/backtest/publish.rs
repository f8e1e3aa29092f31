//! `--publish`: each version's backtest beside it in the registry, outside
//! its hashed artifact, at the thresholds the registry publishes.

use scoring_core::Strategy;
use scoring_core::backtest::BACKTEST_MARKDOWN_FILE;
use trainer::backtest::run;

use super::*;

#[test]
fn publish_puts_the_backtest_beside_the_version_at_its_published_thresholds() {
    let tmp = tempfile::tempdir().unwrap();
    let (_registry_dir, registry) = test_support::registry_with_v1();
    let v1 = registry.resolve("v1").unwrap();
    let published = registry.load(&v1).unwrap();
    let thresholds = *published.thresholds();
    let files_before = registry.show("v1").unwrap().files;
    assert_eq!(registry.read_backtest(&v1).unwrap(), None);

    // Decided under `normal` only: the registry gives the other two.
    let rows: Vec<(i64, u8)> = (1..=40).map(|id| (id, u8::from(id % 4 == 0))).collect();
    let lines: Vec<String> = rows
        .iter()
        .map(|&(id, _)| Line::score(id, "v1", id as f64 / 50.0, "normal", thresholds.normal).text())
        .collect();
    let audit = write_lines(&tmp.path().join("audit.jsonl"), &lines);
    let outcomes = outcomes_csv(&tmp.path().join("outcomes.csv"), &rows);
    let mut args = args(tmp.path(), vec![audit], &outcomes);
    args.registry = Some(registry.location().to_string().into());
    args.publish = true;
    let report = run(&args).expect("backtest");
    let backtest = &report.versions[0];
    assert_eq!(backtest.thresholds_source, "registry");
    let strategies: Vec<(Strategy, f64)> = backtest
        .strategies
        .iter()
        .map(|s| (s.strategy, s.threshold))
        .collect();
    assert_eq!(strategies, Strategy::ALL.map(|s| (s, thresholds.get(s))));

    let read = registry.read_backtest(&v1).unwrap().expect("published");
    assert_eq!(&read, backtest);
    let markdown = registry
        .read_report(&v1, BACKTEST_MARKDOWN_FILE)
        .unwrap()
        .expect("markdown");
    assert!(
        String::from_utf8(markdown)
            .unwrap()
            .contains("## Backtest of model version v1")
    );
    // Outside the artifact: the version is unchanged and still verifies.
    assert_eq!(registry.show("v1").unwrap().files, files_before);
    let history = registry.location().to_string();
    let history = Path::new(&history).join("reports/v1/history");
    let kept: Vec<String> = std::fs::read_dir(history)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        kept.iter().any(|n| n.ends_with("-backtest.json")),
        "{kept:?}"
    );
    assert!(kept.iter().any(|n| n.ends_with("-backtest.md")), "{kept:?}");
}
