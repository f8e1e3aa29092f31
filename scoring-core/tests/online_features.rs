//! The online engine on small applicants, against values worked out by hand:
//! every history shape (none, a credit without balances, a previous
//! application without instalments, all-missing columns), the 365243
//! sentinel, unknown and missing categories, 0/0 and x/0.

mod applicants;

use applicants::records::{bare, rich};
use applicants::{assert_feature, schema, value};
use scoring_core::features::{
    ColumnDescriptions, FeatureDefinition, LoanApplication, OnlineEngine, kernel_definition,
};

fn features(application: &LoanApplication) -> (scoring_core::FeatureSchema, Vec<f64>) {
    let schema = schema();
    let engine = OnlineEngine::kernel(&schema).expect("engine");
    let row = engine.features(application).expect("features");
    assert_eq!(row.len(), schema.features.len());
    (schema, row)
}

#[test]
fn application_codes_indicators_ratios_and_sentinel() {
    let (s, row) = features(&rich());
    for (name, expected) in [
        ("CODE_GENDER", 1.0),
        ("FLAG_OWN_CAR", 1.0),
        ("FLAG_OWN_REALTY", 0.0),
        ("NAME_CONTRACT_TYPE_Cashloans", 1.0),
        ("NAME_CONTRACT_TYPE_Revolvingloans", 0.0),
        ("NAME_TYPE_SUITE_Spousepartner", 1.0),
        ("NAME_TYPE_SUITE_Unaccompanied", 0.0),
        ("AMT_CREDIT", 200_000.0),
        ("DAYS_EMPLOYED", -1000.0),
        ("DAYS_EMPLOYED_PERC", 0.1),
        ("INCOME_CREDIT_PERC", 0.5),
        ("INCOME_PER_PERSON", 50_000.0),
        ("ANNUITY_INCOME_PERC", 0.1),
        ("PAYMENT_RATE", 0.05),
        ("EXT_SOURCE_1", f64::NAN),
        ("OWN_CAR_AGE", f64::NAN),
    ] {
        assert_feature(&s, &row, name, expected);
    }
    assert!(
        s.position("NAME_CONTRACT_TYPE_nan").is_none(),
        "no _nan in the application"
    );

    let (s, row) = features(&bare());
    for (name, expected) in [
        ("CODE_GENDER", -1.0),     // XNA
        ("FLAG_OWN_CAR", -1.0),    // missing
        ("FLAG_OWN_REALTY", -1.0), // empty text
        ("NAME_CONTRACT_TYPE_Cashloans", 0.0),
        ("NAME_CONTRACT_TYPE_Revolvingloans", 0.0),
        ("DAYS_EMPLOYED", f64::NAN), // 365243
        ("DAYS_EMPLOYED_PERC", f64::NAN),
        ("INCOME_CREDIT_PERC", f64::NAN), // 0/0
        ("PAYMENT_RATE", f64::INFINITY),  // 5/0
        ("ANNUITY_INCOME_PERC", f64::INFINITY),
        ("INCOME_PER_PERSON", f64::NAN), // missing family size
    ] {
        assert_feature(&s, &row, name, expected);
    }
}

#[test]
fn no_history_leaves_every_history_feature_missing() {
    let (s, row) = features(&bare());
    let mut history = 0;
    for (spec, v) in s.features.iter().zip(&row) {
        if spec.source_table != "application" {
            assert!(v.is_nan(), "{} = {v}", spec.name);
            history += 1;
        }
    }
    assert!(history > 300, "{history} history features");
}

#[test]
fn bureau_families_with_and_without_balances() {
    let (s, row) = features(&rich());
    for (name, expected) in [
        ("BURO_DAYS_CREDIT_MIN", -300.0),
        ("BURO_DAYS_CREDIT_MAX", -100.0),
        ("BURO_DAYS_CREDIT_MEAN", -200.0),
        ("BURO_DAYS_CREDIT_VAR", 10_000.0),
        ("BURO_AMT_CREDIT_SUM_SUM", 6000.0),
        ("BURO_AMT_CREDIT_SUM_DEBT_SUM", 600.0),
        ("BURO_AMT_CREDIT_SUM_DEBT_MEAN", 300.0),
        ("BURO_CNT_CREDIT_PROLONG_SUM", 0.0), // all missing: pandas' 0
        ("BURO_AMT_ANNUITY_MEAN", f64::NAN),
        ("BURO_MONTHS_BALANCE_MIN_MIN", -6.0),
        ("BURO_MONTHS_BALANCE_MAX_MAX", 0.0),
        ("BURO_MONTHS_BALANCE_SIZE_MEAN", 2.5), // 3 and 2; none for credit 2
        ("BURO_MONTHS_BALANCE_SIZE_SUM", 5.0),
        ("BURO_CREDIT_ACTIVE_Active_MEAN", 2.0 / 3.0),
        ("BURO_CREDIT_ACTIVE_Closed_MEAN", 1.0 / 3.0),
        ("BURO_CREDIT_ACTIVE_nan_MEAN", 0.0),
        ("BURO_CREDIT_TYPE_Consumercredit_MEAN", 1.0 / 3.0),
        ("BURO_CREDIT_TYPE_Creditcard_MEAN", 0.0), // Mortgage is unknown
        ("BURO_CREDIT_TYPE_nan_MEAN", 1.0 / 3.0),
        ("BURO_STATUS_0_MEAN_MEAN", 1.0 / 6.0),
        ("BURO_STATUS_C_MEAN_MEAN", (1.0 / 3.0 + 0.5) / 2.0),
        ("BURO_STATUS_X_MEAN_MEAN", 0.0),
        ("BURO_STATUS_nan_MEAN_MEAN", 0.25),
        ("ACTIVE_DAYS_CREDIT_MEAN", -150.0),
        ("ACTIVE_DAYS_CREDIT_VAR", 5000.0),
        ("ACTIVE_AMT_CREDIT_SUM_DEBT_SUM", 600.0),
        ("ACTIVE_MONTHS_BALANCE_SIZE_MEAN", 3.0),
        ("CLOSED_DAYS_CREDIT_VAR", f64::NAN), // one credit
        ("CLOSED_AMT_CREDIT_SUM_DEBT_SUM", 0.0),
        ("CLOSED_MONTHS_BALANCE_SIZE_SUM", 2.0),
    ] {
        assert_feature(&s, &row, name, expected);
    }
}

#[test]
fn a_filter_that_keeps_no_row_leaves_the_family_missing() {
    let mut application = rich();
    application.bureau.truncate(2); // both active
    let (s, row) = features(&application);
    assert_feature(&s, &row, "ACTIVE_AMT_CREDIT_SUM_SUM", 3000.0);
    for name in ["CLOSED_AMT_CREDIT_SUM_SUM", "CLOSED_DAYS_CREDIT_MEAN"] {
        assert_feature(&s, &row, name, f64::NAN);
    }
}

#[test]
fn previous_application_families() {
    let (s, row) = features(&rich());
    for (name, expected) in [
        ("PREV_APP_CREDIT_PERC_MEAN", 1.025), // 1.25, 0/0, 0.8
        ("PREV_APP_CREDIT_PERC_VAR", 0.10125),
        ("APPROVED_APP_CREDIT_PERC_MAX", 1.25),
        ("REFUSED_APP_CREDIT_PERC_MEAN", f64::NAN),
        ("REFUSED_AMT_APPLICATION_MAX", 0.0),
        ("PREV_NAME_CONTRACT_STATUS_Refused_MEAN", 1.0 / 3.0),
        ("PREV_NAME_CONTRACT_TYPE_Cashloans_MEAN", 1.0 / 3.0),
        ("PREV_NAME_CONTRACT_TYPE_nan_MEAN", 1.0 / 3.0),
        ("PREV_CNT_PAYMENT_SUM", 0.0),
        ("PREV_CNT_PAYMENT_MEAN", f64::NAN),
    ] {
        assert_feature(&s, &row, name, expected);
    }
}

#[test]
fn pos_instalment_and_card_families() {
    let (s, row) = features(&rich());
    for (name, expected) in [
        ("POS_MONTHS_BALANCE_MAX", -1.0),
        ("POS_MONTHS_BALANCE_MEAN", -1.5),
        ("POS_MONTHS_BALANCE_SIZE", 2.0),
        ("POS_SK_DPD_MAX", 10.0),
        ("POS_SK_DPD_MEAN", 5.0),
        ("POS_SK_DPD_DEF_MAX", f64::NAN),
        ("POS_NAME_CONTRACT_STATUS_Active_MEAN", 0.5),
        ("POS_NAME_CONTRACT_STATUS_nan_MEAN", 0.0),
        ("POS_COUNT", 2.0),
        // DPD: 5, 0 and 0 for the unpaid one (the kernel's x if x > 0 else 0).
        ("INSTAL_DPD_MAX", 5.0),
        ("INSTAL_DPD_MEAN", 5.0 / 3.0),
        ("INSTAL_DBD_SUM", 10.0),
        ("INSTAL_PAYMENT_PERC_MEAN", 0.75),
        ("INSTAL_PAYMENT_PERC_VAR", 0.125),
        ("INSTAL_PAYMENT_PERC_SUM", 1.5),
        ("INSTAL_PAYMENT_DIFF_SUM", 50.0),
        ("INSTAL_NUM_INSTALMENT_VERSION_NUNIQUE", 2.0),
        ("INSTAL_AMT_PAYMENT_MIN", 50.0),
        ("INSTAL_DAYS_ENTRY_PAYMENT_SUM", -35.0),
        ("INSTAL_COUNT", 3.0),
        ("CC_AMT_BALANCE_MIN", 100.0),
        ("CC_AMT_BALANCE_MAX", 300.0),
        ("CC_AMT_BALANCE_MEAN", 200.0),
        ("CC_AMT_BALANCE_SUM", 400.0),
        ("CC_AMT_BALANCE_VAR", 20_000.0),
        ("CC_NAME_CONTRACT_STATUS_Active_SUM", 1.0),
        ("CC_NAME_CONTRACT_STATUS_nan_MAX", 1.0),
        ("CC_SK_DPD_SUM", 0.0),
        ("CC_AMT_DRAWINGS_CURRENT_SUM", 0.0), // all missing
        ("CC_AMT_DRAWINGS_CURRENT_MIN", f64::NAN),
        ("CC_COUNT", 2.0),
    ] {
        assert_feature(&s, &row, name, expected);
    }
}

#[test]
fn a_previous_application_without_rows_adds_nothing_to_their_families() {
    let mut application = rich();
    application.previous.swap(0, 2); // the one with rows is now the last
    let (s, row) = features(&application);
    assert_feature(&s, &row, "INSTAL_COUNT", 3.0);
    application.previous.truncate(2);
    let (s, row) = features(&application);
    for name in [
        "POS_COUNT",
        "INSTAL_COUNT",
        "INSTAL_DPD_SUM",
        "CC_AMT_BALANCE_SUM",
    ] {
        assert_feature(&s, &row, name, f64::NAN);
    }
    assert_feature(&s, &row, "PREV_AMT_APPLICATION_MAX", 500.0);
}

#[test]
fn reused_buffers_give_the_same_rows() {
    let schema = schema();
    let engine = OnlineEngine::kernel(&schema).expect("engine");
    let mut scratch = engine.scratch();
    let mut out = vec![0.0; engine.n_features()];
    for application in [rich(), bare(), rich()] {
        engine
            .features_into(&application, &mut scratch, &mut out)
            .expect("features");
        let fresh = engine.features(&application).expect("features");
        let same = out
            .iter()
            .zip(&fresh)
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same, "a reused scratch changes nothing");
    }
    assert_eq!(value(&schema, &out, "BURO_DAYS_CREDIT_MEAN"), -200.0);
}

#[test]
fn a_definition_read_back_from_json_gives_the_same_rows() {
    let definition = kernel_definition(&ColumnDescriptions::new());
    let json = serde_json::to_string(&definition).expect("serialises");
    let back: FeatureDefinition = serde_json::from_str(&json).expect("parses");
    let schema = schema();
    let engine = OnlineEngine::new(&back, &schema).expect("engine");
    let original = OnlineEngine::kernel(&schema).expect("engine");
    let (a, b) = (
        engine.features(&rich()).expect("row"),
        original.features(&rich()).expect("row"),
    );
    assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
}

#[test]
fn random_applicants_of_every_history_shape_are_accepted() {
    use test_support::Rng;
    use test_support::applications::{Categories, HistoryShape, random_application};

    let categories = Categories::real_sized();
    let definition = kernel_definition(&ColumnDescriptions::new());
    let schema = definition
        .schema(&categories.vocabularies(&definition))
        .expect("schema");
    let engine = OnlineEngine::new(&definition, &schema).expect("engine");
    let mut rng = Rng::new(3);
    for (i, shape) in HistoryShape::ALL.iter().cycle().take(50).enumerate() {
        let application = random_application(&mut rng, i as u64, *shape, &categories);
        let row = engine.features(&application).expect("a valid application");
        let count = |name: &str| row[schema.position(name).expect("feature")];
        match shape {
            HistoryShape::None => assert_eq!(application.history_rows(), 0),
            HistoryShape::BureauWithoutBalances => {
                assert!(count("BURO_MONTHS_BALANCE_SIZE_SUM") == 0.0);
                assert!(count("POS_COUNT").is_nan());
            }
            HistoryShape::PreviousWithoutInstalments => {
                assert!(count("INSTAL_COUNT").is_nan());
                assert!(count("BURO_DAYS_CREDIT_MEAN").is_nan());
            }
            HistoryShape::Full | HistoryShape::Typical => {
                assert!(application.history_rows() > 5);
            }
        }
    }
}
