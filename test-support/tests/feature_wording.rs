//! Every feature of a model trained on synthetic applicants with the real
//! data's categories (the Home Credit profile's `categories.csv` when the
//! shared data is there, the built-in real top categories otherwise) has a
//! label in English and in French that a loan officer can read — no column
//! code, no code garbled by a name clean-up — and every reason given to the
//! snapshot's clients is worded in both languages with the value in the
//! applicant's terms.

use std::collections::HashMap;

use scoring_core::registry::Registry;
use scoring_core::wording::Language;
use scoring_core::{PublishedModel, Strategy};
use test_support::prerequisite::shared_data;
use trainer::train::{TrainArgs, train_and_publish};

fn trained_on_realistic_categories() -> PublishedModel {
    let tmp = tempfile::tempdir().expect("tmp");
    let synth_dir = tmp.path().join("synth");
    let features_dir = tmp.path().join("features");
    let categories = shared_data("homecredit-profiles").map(|d| d.join("categories.csv"));
    synth::run(&synth::SynthArgs {
        applicants: 2_500,
        categories,
        ..synth::SynthArgs::new(&synth_dir)
    })
    .expect("synthetic data");
    trainer::features::run(&trainer::features::FeaturesArgs {
        data: synth_dir,
        out: features_dir.clone(),
        schema: None,
    })
    .expect("feature table");
    let registry_dir = tmp.path().join("registry");
    let mut args = TrainArgs::new(&features_dir, &registry_dir);
    args.trees = 20;
    args.num_leaves = 8;
    args.linfa_rows = 1_000;
    let outcome = train_and_publish(&args).expect("training");
    Registry::open(&registry_dir)
        .expect("registry")
        .load(&outcome.version)
        .expect("load")
}

/// Why `text` is not fit for a page, if it is not.
fn unreadable(text: &str, source_columns: &str) -> Option<String> {
    let first = text.chars().next()?;
    if !first.is_uppercase() {
        return Some("does not start with a capital letter".into());
    }
    if text.contains('_') {
        return Some("holds a code (an underscore)".into());
    }
    for column in source_columns.split(',').map(str::trim) {
        if column.len() > 3 && text.contains(column) {
            return Some(format!("names the column code {column}"));
        }
    }
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let mut chars = word.chars();
        if let (Some(a), Some(b)) = (chars.next(), chars.next())
            && a.is_lowercase()
            && b.is_uppercase()
        {
            return Some(format!("garbled word {word}"));
        }
        if word == "nan" {
            return Some("shows a missing value as nan".into());
        }
    }
    None
}

#[test]
fn every_feature_and_reason_reads_well_in_both_languages() {
    let published = trained_on_realistic_categories();
    let schema = published.schema();
    assert!(
        schema.features.len() > 500,
        "{} features",
        schema.features.len()
    );
    let mut seen: HashMap<(Language, String), String> = HashMap::new();
    let mut problems = Vec::new();
    for (j, spec) in schema.features.iter().enumerate() {
        let label = published
            .feature_label(j)
            .expect("every feature has a label");
        for lang in [Language::En, Language::Fr] {
            let text = label.get(lang);
            if let Some(why) = unreadable(text, &spec.source_column) {
                problems.push(format!("{} ({lang:?}) {text:?}: {why}", spec.name));
            }
            if let Some(other) = seen.insert((lang, text.to_owned()), spec.name.clone()) {
                problems.push(format!(
                    "{} and {other} share the label {text:?}",
                    spec.name
                ));
            }
        }
        if label.en == label.fr {
            problems.push(format!(
                "{}: the French label is the English one",
                spec.name
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );

    let snapshot = published.snapshot().expect("snapshot");
    let mut reasons = 0;
    for &id in snapshot.ids().iter().take(300) {
        let row = snapshot.row(id).expect("row");
        let decision = published.decide(row, Strategy::Normal).expect("decide");
        for reason in &decision.reasons {
            reasons += 1;
            let spec = &schema.features[schema.position(&reason.feature).expect("known")];
            for text in [&reason.text, &reason.text_fr] {
                if let Some(why) = unreadable(text, &spec.source_column) {
                    problems.push(format!("reason {text:?}: {why}"));
                }
            }
            assert_ne!(reason.text, reason.text_fr);
        }
    }
    assert!(reasons > 100, "only {reasons} reasons over 300 clients");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
