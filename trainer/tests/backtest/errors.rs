//! Every error of `trainer backtest` names what was wrong and where: the
//! file and line (and column) of a malformed audit line or outcome row, an
//! unknown version, no join, an inconsistent log.

use polars::prelude::*;
use trainer::backtest::run;

use super::*;

/// A small valid log of v1 (clients 1..=4) and outcomes for them.
fn fixture(dir: &Path) -> (PathBuf, PathBuf) {
    let lines: Vec<String> = (1..=4)
        .map(|id| Line::score(id, "v1", 0.02 * id as f64, "normal", 0.05).text())
        .collect();
    let audit = write_lines(&dir.join("audit.jsonl"), &lines);
    let outcomes = outcomes_csv(&dir.join("outcomes.csv"), &[(1, 0), (2, 0), (3, 1), (4, 1)]);
    (audit, outcomes)
}

fn write_parquet(path: &Path, table: &mut DataFrame) {
    let file = std::fs::File::create(path).unwrap();
    ParquetWriter::new(file).finish(table).unwrap();
}

fn error_of(args: &trainer::backtest::BacktestArgs) -> String {
    format!("{:#}", anyhow::Error::from(run(args).expect_err("refused")))
}

#[test]
fn a_malformed_outcome_row_names_the_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let (audit, _) = fixture(tmp.path());
    let cases = [
        (
            "SK_ID_CURR,TARGET,OBSERVATION_DATE\n1,0,2026-09-30\n2,2,2026-09-30\n",
            "line 3, column `TARGET`",
            "\"2\"",
        ),
        (
            "SK_ID_CURR,TARGET,OBSERVATION_DATE\n1,0,2026-09-30\n\nx1,1,2026-09-30\n",
            "line 4, column `SK_ID_CURR`",
            "whole number",
        ),
        (
            "SK_ID_CURR,TARGET,OBSERVATION_DATE\n1,0,30/09/2026\n",
            "line 2, column `OBSERVATION_DATE`",
            "YYYY-MM-DD",
        ),
        (
            "SK_ID_CURR,TARGET,OBSERVATION_DATE\n1,0\n",
            "line 2, column `OBSERVATION_DATE`",
            "\"\"",
        ),
        (
            "SK_ID_CURR,TARGET,OBSERVATION_DATE,AMT_CREDIT\n1,0,2026-09-30,-5\n",
            "line 2, column `AMT_CREDIT`",
            ">= 0",
        ),
        (
            "SK_ID_CURR,TARGET,OBSERVATION_DATE\n1,0,2026-09-30\n1,1,2026-09-30\n",
            "line 3: client 1 already has an outcome at line 2",
            "",
        ),
        (
            "SK_ID_CURR,DEFAULTED,OBSERVATION_DATE\n1,0,2026-09-30\n",
            "required column `TARGET` is missing",
            "",
        ),
    ];
    for (i, (text, place, detail)) in cases.iter().enumerate() {
        let outcomes = tmp.path().join(format!("outcomes-{i}.csv"));
        std::fs::write(&outcomes, text).unwrap();
        let message = error_of(&args(tmp.path(), vec![audit.clone()], &outcomes));
        let expected = format!("{}: {place}", outcomes.display());
        let expected = if place.starts_with("required") {
            expected
        } else {
            format!("{}, {place}", outcomes.display())
        };
        assert!(
            message.contains(&expected),
            "{message}\nexpected {expected}"
        );
        assert!(message.contains(detail), "{message}\nexpected {detail}");
    }
    let other = tmp.path().join("outcomes.txt");
    std::fs::write(&other, "").unwrap();
    assert!(
        error_of(&args(tmp.path(), vec![audit], &other))
            .contains("expected a .csv or .parquet file")
    );
}

#[test]
fn a_malformed_parquet_outcome_names_the_file_row_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let (audit, _) = fixture(tmp.path());
    let mut table = df!(
        "SK_ID_CURR" => [1i64, 2, 3, 4],
        "TARGET" => [0i64, 0, 1, 7],
        "OBSERVATION_DATE" => ["2026-09-30"; 4],
    )
    .unwrap();
    let outcomes = tmp.path().join("outcomes.parquet");
    write_parquet(&outcomes, &mut table);
    let message = error_of(&args(tmp.path(), vec![audit.clone()], &outcomes));
    let expected = format!(
        "{}, row 4, column `TARGET`: cannot read \"7\"",
        outcomes.display()
    );
    assert!(message.contains(&expected), "{message}");

    let mut no_date = df!("SK_ID_CURR" => [1i64], "TARGET" => [0i64]).unwrap();
    let missing = tmp.path().join("no-date.parquet");
    write_parquet(&missing, &mut no_date);
    let message = error_of(&args(tmp.path(), vec![audit.clone()], &missing));
    let expected = format!(
        "{}: required column `OBSERVATION_DATE` is missing",
        missing.display()
    );
    assert!(message.contains(&expected), "{message}");
    let garbage = tmp.path().join("garbage.parquet");
    std::fs::write(&garbage, "SK_ID_CURR,TARGET\n").unwrap();
    let message = error_of(&args(tmp.path(), vec![audit.clone()], &garbage));
    assert!(
        message.contains(&format!("{}: cannot read the outcomes", garbage.display())),
        "{message}"
    );

    // The same table, valid, with a parquet date column, joins.
    let dates = Series::new("OBSERVATION_DATE".into(), [20_726i32; 4])
        .cast(&DataType::Date)
        .unwrap();
    let mut table = df!("SK_ID_CURR" => [1i64, 2, 3, 4], "TARGET" => [0i64, 0, 1, 1]).unwrap();
    table.with_column(dates.into_column()).unwrap();
    write_parquet(&outcomes, &mut table);
    let report = run(&args(tmp.path(), vec![audit], &outcomes)).expect("backtest");
    assert_eq!(report.versions[0].clients, 4);
    assert_eq!(report.versions[0].cost.credit, "1 per client");
}

#[test]
fn a_malformed_audit_line_names_the_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, outcomes) = fixture(tmp.path());
    let good = Line::score(1, "v1", 0.02, "normal", 0.05);
    let cases = [
        (
            r#"{"time": "2026-03-01T10:00:00Z", "rpc": "Score""#.to_owned(),
            "line 2: not an audit line",
            "column",
        ),
        (
            Line {
                time: "yesterday",
                ..good
            }
            .text(),
            "line 2, field `time`",
            "RFC 3339",
        ),
        (
            Line {
                probability: 1.5,
                ..good
            }
            .text(),
            "line 2, field `probability_of_default`",
            "[0, 1]",
        ),
        (
            Line {
                strategy: "reckless",
                ..good
            }
            .text(),
            "line 2, field `strategy`",
            "prudent, normal or aggressive",
        ),
        (
            Line {
                rpc: "Delete",
                ..good
            }
            .text(),
            "line 2, field `rpc`",
            "Score, ScoreBatch or Explain",
        ),
        (
            Line {
                threshold: -0.5,
                ..good
            }
            .text(),
            "line 2, field `threshold`",
            "a finite number >= 0",
        ),
        (
            Line {
                threshold: 0.06,
                ..good
            }
            .text(),
            "line 2: model version v1 decided normal at threshold 0.06",
            "earlier lines give 0.05",
        ),
        (
            r#"{"time": "2026-03-01T10:00:00Z", "kind": "rumour"}"#.to_owned(),
            "line 2, field `kind`",
            "no kind (a decision) or \"shadow\"",
        ),
    ];
    for (i, (bad, place, detail)) in cases.iter().enumerate() {
        let audit = write_lines(
            &tmp.path().join(format!("audit-{i}.jsonl")),
            &[good.text(), bad.clone()],
        );
        let message = error_of(&args(tmp.path(), vec![audit.clone()], &outcomes));
        let expected = format!("{}, {place}", audit.display());
        assert!(
            message.contains(&expected),
            "{message}\nexpected {expected}"
        );
        assert!(message.contains(detail), "{message}\nexpected {detail}");
    }
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let message = error_of(&args(tmp.path(), vec![empty], &outcomes));
    assert!(message.contains("no audit log file found"), "{message}");
}

#[test]
fn no_join_unknown_versions_and_one_class_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (audit, outcomes) = fixture(tmp.path());
    // Observed before every decision: nothing joins.
    let early = tmp.path().join("early.csv");
    std::fs::write(
        &early,
        "SK_ID_CURR,TARGET,OBSERVATION_DATE\n1,0,2026-01-01\n2,1,2026-01-01\n",
    )
    .unwrap();
    let message = error_of(&args(tmp.path(), vec![audit.clone()], &early));
    assert!(
        message.contains(
            "no decision joins an outcome: 4 decisions of 4 clients in the audit log, 2 outcomes"
        ),
        "{message}"
    );

    let one_class = outcomes_csv(&tmp.path().join("good.csv"), &[(1, 0), (2, 0)]);
    let message = error_of(&args(tmp.path(), vec![audit.clone()], &one_class));
    assert!(
        message.contains("model version v1: all 2 joined clients have outcome 0"),
        "{message}"
    );

    let mut only = args(tmp.path(), vec![audit.clone()], &outcomes);
    only.version = Some("v7".into());
    let message = error_of(&only);
    assert!(
        message.contains(
            "`--version v7`: the audit log holds no decision of that version (it holds v1)"
        ),
        "{message}"
    );

    let (_registry_dir, registry) = test_support::registry_with_v1();
    let v9 = write_lines(
        &tmp.path().join("v9.jsonl"),
        &[
            Line::score(1, "v9", 0.1, "normal", 0.05).text(),
            Line::score(3, "v9", 0.1, "normal", 0.05).text(),
        ],
    );
    let mut with_registry = args(tmp.path(), vec![v9], &outcomes);
    with_registry.registry = Some(registry.location().to_string().into());
    let message = error_of(&with_registry);
    assert!(
        message
            .contains("model version v9 named by the audit log is not published in the registry"),
        "{message}"
    );

    let mut publish = args(tmp.path(), vec![audit], &outcomes);
    publish.publish = true;
    assert!(error_of(&publish).contains("--publish: needs --registry"));
}

#[test]
fn the_challengers_shadow_lines_are_counted_apart_and_never_decisions() {
    let tmp = tempfile::tempdir().unwrap();
    let (audit, outcomes) = fixture(tmp.path());
    let plain = run(&args(tmp.path(), vec![audit.clone()], &outcomes)).expect("backtest");
    // As the service writes them after each decision line, with no
    // strategy or threshold of their own.
    let mut lines: Vec<String> = std::fs::read_to_string(&audit)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    for id in 1..=4 {
        lines.push(
            json!({
                "time": "2026-03-01T10:00:01Z", "kind": "shadow", "request_id": "r-1",
                "rpc": "Score", "client_id": id, "model_version": "v1",
                "probability_of_default": 0.5, "challenger_version": "v2",
                "challenger_probability_of_default": 0.9,
            })
            .to_string(),
        );
    }
    let with_shadow = write_lines(&tmp.path().join("with-shadow.jsonl"), &lines);
    let report = run(&args(tmp.path(), vec![with_shadow], &outcomes)).expect("backtest");
    assert_eq!(report.excluded.shadow, 4);
    assert_eq!(report.audit_lines, plain.audit_lines + 4);
    assert_eq!(report.decisions, plain.decisions);
    assert_eq!(
        serde_json::to_value(&report.versions).unwrap()[0]["roc_auc"],
        serde_json::to_value(&plain.versions).unwrap()[0]["roc_auc"]
    );
}
