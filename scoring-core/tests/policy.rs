//! The decision policy: strategies, thresholds, outcomes and reason codes.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use scoring_core::model::{Estimator, LogisticModel};
use scoring_core::policy::reason_codes;
use scoring_core::schema::SCHEMA_FORMAT_VERSION;
use scoring_core::{
    CategoryEncoding, CategoryVocabulary, Error, FeatureKind, FeatureSchema, FeatureSpec, Model,
    Outcome, Strategy, Thresholds,
};

const THRESHOLDS: Thresholds = Thresholds {
    prudent: 0.3,
    normal: 0.45,
    aggressive: 0.6,
};

#[test]
fn strategies_parse_by_name_and_unknown_is_an_error() {
    assert_eq!("prudent".parse::<Strategy>().unwrap(), Strategy::Prudent);
    assert_eq!("normal".parse::<Strategy>().unwrap(), Strategy::Normal);
    assert_eq!(
        "aggressive".parse::<Strategy>().unwrap(),
        Strategy::Aggressive
    );
    match "reckless".parse::<Strategy>() {
        Err(Error::UnknownStrategy { name }) => assert_eq!(name, "reckless"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn refuse_at_or_above_the_threshold() {
    assert_eq!(
        THRESHOLDS.outcome(Strategy::Normal, 0.4499),
        Outcome::Accept
    );
    assert_eq!(THRESHOLDS.outcome(Strategy::Normal, 0.45), Outcome::Refuse);
    assert_eq!(THRESHOLDS.outcome(Strategy::Prudent, 0.35), Outcome::Refuse);
    assert_eq!(
        THRESHOLDS.outcome(Strategy::Aggressive, 0.55),
        Outcome::Accept
    );
    assert_eq!(
        THRESHOLDS.outcome(Strategy::Aggressive, f64::NAN),
        Outcome::Refuse
    );
    assert!(THRESHOLDS.validate().is_ok());
    let bad = Thresholds {
        aggressive: 1.5,
        ..THRESHOLDS
    };
    assert!(matches!(
        bad.validate(),
        Err(Error::InvalidThreshold {
            strategy: "aggressive",
            ..
        })
    ));
}

fn spec(name: &str, kind: FeatureKind, description: &str) -> FeatureSpec {
    FeatureSpec {
        name: name.into(),
        kind,
        source_table: "application".into(),
        source_column: name.to_uppercase(),
        aggregation: "none".into(),
        category: None,
        description: description.into(),
    }
}

#[test]
fn reason_codes_are_the_four_largest_known_positive_contributions() {
    let schema = FeatureSchema {
        format_version: SCHEMA_FORMAT_VERSION,
        id_column: "SK_ID_CURR".into(),
        target_column: None,
        features: vec![
            spec("AMT_INCOME_TOTAL", FeatureKind::Numeric, "Annual income"),
            spec("EXT_SOURCE_2", FeatureKind::Numeric, "External score 2"),
            spec(
                "NAME_CONTRACT_TYPE",
                FeatureKind::CategoryCode,
                "Contract type",
            ),
            spec("DAYS_EMPLOYED", FeatureKind::Numeric, "Days employed"),
            spec("DAYS_BIRTH", FeatureKind::Numeric, "Age in days"),
            spec("CNT_CHILDREN", FeatureKind::Numeric, "Number of children"),
        ],
        vocabularies: vec![CategoryVocabulary {
            table: "application".into(),
            column: "NAME_CONTRACT_TYPE".into(),
            encoding: CategoryEncoding::Code,
            values: vec!["Cash loans".into(), "Revolving loans".into()],
        }],
        columns: None,
    };
    let names: Vec<String> = schema.feature_names().map(str::to_owned).collect();
    let row = [52000.0, f64::NAN, 1.0, -730.5, -12000.0, 2.0];
    let contributions = [0.05, 0.4, 0.2, 0.3, 0.5, 0.01];
    let reasons = reason_codes(&schema, &names, &row, &contributions);
    let features: Vec<&str> = reasons.iter().map(|r| r.feature.as_str()).collect();
    // EXT_SOURCE_2 pushes hard but its value is missing, DAYS_BIRTH (age)
    // pushes most but is protected: neither is a reason.
    assert_eq!(
        features,
        [
            "DAYS_EMPLOYED",
            "NAME_CONTRACT_TYPE",
            "AMT_INCOME_TOTAL",
            "CNT_CHILDREN"
        ]
    );
    // The catalogue's reason, the value in the applicant's terms.
    assert_eq!(
        reasons[0].text,
        "Short employment history (time in current employment: 2 years)"
    );
    assert_eq!(
        reasons[0].text_fr,
        "Ancienneté dans l'emploi insuffisante (ancienneté dans l'emploi actuel\u{a0}: 2\u{a0}ans)"
    );
    assert_eq!(
        reasons[1].text,
        "Kind of loan requested (kind of loan: revolving loans)"
    );
    assert_eq!(
        reasons[1].text_fr,
        "Type de prêt demandé (type de prêt\u{a0}: crédits renouvelables)"
    );
    assert_eq!(
        reasons[2].text,
        "Income insufficient for the amount of credit requested (annual income: 52,000)"
    );
    assert_eq!(
        reasons[3].text_fr,
        "Informations fournies avec la demande (nombre d'enfants\u{a0}: 2)"
    );
    // Nothing pushing towards default: no reasons.
    assert!(reason_codes(&schema, &names, &row, &[-1.0; 6]).is_empty());
}

#[test]
fn a_published_model_decides_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let logistic = LogisticModel {
        intercept: 0.0,
        weights: vec![2.0, -1.0],
        fill_value: vec![0.0, 0.0],
        mean: vec![0.0, 0.0],
        std: vec![1.0, 1.0],
        scaled_mean: vec![0.0, 0.0],
    };
    let model = Model::new(
        vec!["debt".into(), "income".into()],
        Estimator::Logistic(logistic),
    )
    .unwrap();
    let schema = FeatureSchema {
        format_version: SCHEMA_FORMAT_VERSION,
        id_column: "id".into(),
        target_column: None,
        features: vec![
            spec("debt", FeatureKind::Numeric, "Debt to income ratio"),
            spec("income", FeatureKind::Numeric, "Income"),
        ],
        vocabularies: vec![],
        columns: None,
    };
    let release = scoring_core::Release {
        model_version: "v1".into(),
        created_at: "2024-06-01T00:00:00Z".into(),
        code_version: "dev".into(),
        training_data_fingerprint: "none".into(),
        training_parameters: serde_json::Value::Null,
        metrics: Default::default(),
        thresholds: THRESHOLDS,
    };
    scoring_core::write_artifact(dir.path(), &release, &model, &schema).unwrap();
    let published = scoring_core::PublishedModel::load(dir.path()).unwrap();
    // raw = 2·0.5 − (−1) = 2 → p ≈ 0.88: refused, debt and income both push up.
    let decision = published.decide_named(&[0.5, -1.0], "aggressive").unwrap();
    assert_eq!(decision.outcome, Outcome::Refuse);
    assert!((decision.probability_of_default - 1.0 / (1.0 + (-2.0_f64).exp())).abs() < 1e-15);
    assert_eq!(decision.reasons.len(), 2);
    assert_eq!(decision.reasons[0].feature, "debt");
    let decision = published.decide(&[-1.0, 1.0], Strategy::Prudent).unwrap();
    assert_eq!(decision.outcome, Outcome::Accept);
    assert!(decision.reasons.is_empty());
    assert!(matches!(
        published.decide_named(&[0.0, 0.0], "yolo"),
        Err(Error::UnknownStrategy { .. })
    ));
}
