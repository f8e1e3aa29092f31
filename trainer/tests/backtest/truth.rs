//! Decisions logged with the synthetic applicants' true default
//! probabilities, joined with their drawn outcomes: every measure equals a
//! direct computation on the same rows, bit for bit.

use synth::{SynthArgs, TRUE_PD_FILE, split_csv_line};
use trainer::backtest::{BacktestReport, run};

use super::*;

/// The strategies' thresholds the fixture's lines are decided at.
const THRESHOLDS: [(&str, f64); 3] = [("prudent", 0.05), ("normal", 0.0588), ("aggressive", 0.08)];

#[derive(Debug, Clone, Copy)]
struct Applicant {
    id: i64,
    pd: f64,
    defaulted: u8,
    credit: f64,
}

/// Rows of a CSV file as maps from the header's names.
fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).expect("read");
    let mut lines = text.lines();
    let header = split_csv_line(lines.next().expect("header"));
    lines
        .map(|l| header.iter().cloned().zip(split_csv_line(l)).collect())
        .collect()
}

/// Synthetic train applicants with their true PD, by increasing id.
fn synthetic(dir: &Path) -> Vec<Applicant> {
    let mut args = SynthArgs::new(dir.join("synth"));
    args.applicants = 3_000;
    synth::run(&args).expect("synthetic data");
    let pds: std::collections::HashMap<String, f64> =
        csv_rows(&dir.join("synth").join(TRUE_PD_FILE))
            .into_iter()
            .map(|r| (r["SK_ID_CURR"].clone(), r["TRUE_PD"].parse().expect("pd")))
            .collect();
    let mut applicants: Vec<Applicant> = csv_rows(&dir.join("synth/application_train.csv"))
        .into_iter()
        .map(|r| Applicant {
            id: r["SK_ID_CURR"].parse().expect("id"),
            pd: pds[&r["SK_ID_CURR"]],
            defaulted: r["TARGET"].parse().expect("target"),
            credit: r["AMT_CREDIT"].parse().expect("credit"),
        })
        .collect();
    applicants.sort_by_key(|a| a.id);
    applicants
}

/// The Mann–Whitney statistic by comparing every defaulter with every
/// good payer (ties count half), over the pairs.
fn pairwise_auc(rows: &[Applicant]) -> f64 {
    let (bad, good): (Vec<&Applicant>, Vec<&Applicant>) =
        rows.iter().partition(|a| a.defaulted == 1);
    let mut twice: u64 = 0;
    for b in &bad {
        for g in &good {
            twice += match b.pd.total_cmp(&g.pd) {
                std::cmp::Ordering::Greater => 2,
                std::cmp::Ordering::Equal => 1,
                std::cmp::Ordering::Less => 0,
            };
        }
    }
    twice as f64 / (2 * bad.len() * good.len()) as f64
}

/// Checks every measure of the one version of `report` against `rows`.
fn assert_direct(report: &BacktestReport, rows: &[Applicant]) {
    assert_eq!(report.versions.len(), 1);
    let b = &report.versions[0];
    let n = rows.len();
    assert_eq!(b.model_version, "v1");
    assert_eq!(b.clients, n as u64);
    let defaulters = rows.iter().filter(|a| a.defaulted == 1).count();
    assert_eq!(b.defaulters, defaulters as u64);
    assert_eq!(b.roc_auc.estimate.to_bits(), pairwise_auc(rows).to_bits());
    assert!(b.roc_auc.low <= b.roc_auc.high && (0.5..1.0).contains(&b.roc_auc.estimate));
    assert_eq!(b.thresholds_source, "audit log");
    assert_eq!(b.strategies.len(), 3);
    for (s, (name, threshold)) in b.strategies.iter().zip(THRESHOLDS) {
        assert_eq!((s.strategy.name(), s.threshold), (name, threshold));
        let accepted: Vec<&Applicant> = rows.iter().filter(|a| a.pd < threshold).collect();
        let bad = accepted.iter().filter(|a| a.defaulted == 1).count();
        assert_eq!(s.accepted, accepted.len() as u64, "{name}");
        assert_eq!(
            s.acceptance_rate.estimate,
            accepted.len() as f64 / n as f64,
            "{name}"
        );
        let rate = s.default_rate_among_accepted.expect("some accepted");
        assert_eq!(rate.estimate, bad as f64 / accepted.len() as f64, "{name}");
        assert!(
            rate.low <= rate.estimate && rate.estimate <= rate.high,
            "{name}"
        );
        let mut cost = 0.0;
        for a in &accepted {
            cost += if a.defaulted == 1 {
                0.8 * a.credit
            } else {
                -0.05 * a.credit
            };
        }
        assert_eq!(s.cost_per_client.estimate, cost / n as f64, "{name}");
    }
    assert_eq!(b.calibration.len(), 10);
    assert_eq!(b.calibration.iter().map(|c| c.count).sum::<u64>(), n as u64);
    assert_eq!(b.cost.credit, "AMT_CREDIT");
}

#[test]
fn realized_auc_default_rates_and_costs_equal_a_direct_computation() {
    let tmp = tempfile::tempdir().unwrap();
    let applicants = synthetic(tmp.path());
    let mut live = Vec::new();
    let mut rotated = Vec::new();
    for (i, a) in applicants.iter().enumerate() {
        let (strategy, threshold) = THRESHOLDS[i % 3];
        live.push(Line::score(a.id, "v1", a.pd, strategy, threshold).text());
        let other = Line {
            probability: 0.99,
            ..Line::score(a.id, "v1", 0.0, strategy, threshold)
        };
        match i {
            // An earlier decision, superseded by the one above.
            0..50 => rotated.push(
                Line {
                    time: "2026-01-15T09:00:00Z",
                    ..other
                }
                .text(),
            ),
            // A page view after the decision: left out unless asked for.
            50..100 => live.push(
                Line {
                    rpc: "Explain",
                    time: "2026-04-01T08:00:00Z",
                    probability: 0.0,
                    ..other
                }
                .text(),
            ),
            // A decision once the outcome was known: left out.
            100..120 => live.push(
                Line {
                    time: "2026-10-05T00:00:00Z",
                    ..other
                }
                .text(),
            ),
            _ => {}
        }
    }
    let what_if = Line {
        rpc: "Explain",
        applicant: "modified_client",
        ..Line::score(applicants[0].id, "v1", 0.0, "normal", 0.0588)
    };
    let by_features = Line {
        rpc: "ScoreBatch",
        applicant: "features",
        client: None,
        ..what_if
    };
    let unknown_client = Line {
        rpc: "ScoreBatch",
        ..Line::score(1, "v1", 0.5, "normal", 0.0588)
    };
    live.extend([
        what_if.text(),
        by_features.text(),
        unknown_client.text(),
        String::new(),
    ]);
    let audit = tmp.path().join("audit");
    std::fs::create_dir(&audit).unwrap();
    write_lines(&audit.join("audit.jsonl"), &live);
    write_lines(&audit.join("audit.jsonl.1767225600000000000"), &rotated);
    let mut text = String::from("SK_ID_CURR,TARGET,OBSERVATION_DATE,AMT_CREDIT\n");
    for a in &applicants {
        text.push_str(&format!(
            "{},{},{OBSERVED},{}\n",
            a.id, a.defaulted, a.credit
        ));
    }
    let outcomes = tmp.path().join("outcomes.csv");
    std::fs::write(&outcomes, text).unwrap();

    let report = run(&args(tmp.path(), vec![audit.clone()], &outcomes)).expect("backtest");
    assert_direct(&report, &applicants);
    assert_eq!(report.audit_files.len(), 2);
    assert_eq!(
        (report.excluded.explain, report.excluded.without_client),
        (51, 1)
    );
    let u = report.unjoined;
    assert_eq!(
        (u.without_outcome, u.after_observation, u.superseded),
        (1, 20, 50)
    );
    let markdown = std::fs::read_to_string(tmp.path().join("out/backtest.md")).unwrap();
    assert!(
        markdown.contains("## Backtest of model version v1"),
        "{markdown}"
    );
    assert!(markdown.contains("| normal | 0.0588 |"), "{markdown}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("out/backtest.json")).unwrap())
            .unwrap();
    assert_eq!(json["versions"][0]["clients"], applicants.len());

    // Counting page views: the later Explain decisions replace the Score ones.
    let mut with_explain = args(tmp.path(), vec![audit], &outcomes);
    with_explain.include_explain = true;
    let report = run(&with_explain).expect("backtest");
    let mut replaced = applicants.clone();
    for a in &mut replaced[50..100] {
        a.pd = 0.0;
    }
    assert_direct(&report, &replaced);
    assert_eq!(report.excluded.without_client, 2, "a what-if never counts");
}
