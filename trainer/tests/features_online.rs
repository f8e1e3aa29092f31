//! The batch engine (polars, whole tables) and the online engine (one
//! applicant in memory) interpret one feature definition: for every
//! applicant of the real sample and of synthetic sets with every history
//! shape, the row the online engine computes from the applicant's raw
//! records equals the batch table's row, feature by feature.

use std::path::Path;

use polars::prelude::*;
use scoring_core::FeatureSchema;
use scoring_core::features::OnlineEngine;
use test_support::Rng;
use test_support::applications::{Categories, HistoryShape, random_application};
use test_support::home_credit::{read_home_credit, write_home_credit};
use test_support::prerequisite::shared_data;
use trainer::features::build_feature_table;

/// How closely the online rows matched the batch rows.
#[derive(Debug, Default)]
struct Agreement {
    applicants: usize,
    values: usize,
    /// Values with the same bits (or both missing).
    exact: usize,
    /// Largest relative difference of the others.
    max_relative: f64,
    /// Variances of nearly equal values, equal within 1e-12 of their mean².
    cancelling_variances: usize,
}

/// Compares, for every applicant of the files in `dir`, the online row with
/// the batch table's: missing where the batch value is missing, else equal
/// within relative 1e-12.
///
/// Both engines reduce a client's rows in the same arithmetic, but polars'
/// streaming group-by may split a client's rows into partial states (by
/// morsel, thread or hash-table eviction) that it then combines, which
/// rounds differently. Every value stays within relative 1e-12 but the
/// variance of nearly equal values (0.8959283, 0.8959289, 0.8959294 give
/// 3e-13): its rounding error scales with the square of the values, so it is
/// compared within 1e-12 of the square of the family's mean of the column.
fn compare(dir: &Path, table: &DataFrame, schema: &FeatureSchema) -> Agreement {
    let engine = OnlineEngine::kernel(schema).expect("the schema is the kernel definition's");
    let home = read_home_credit(dir);
    assert_eq!(
        home.unlinked, 0,
        "every history row is linked to its parent"
    );
    assert_eq!(home.applications.len(), table.height());
    let ids = table
        .column("SK_ID_CURR")
        .expect("ids")
        .i64()
        .expect("i64 ids")
        .clone();
    let columns: Vec<Float64Chunked> = schema
        .feature_names()
        .map(|name| {
            table
                .column(name)
                .unwrap_or_else(|_| panic!("{name} in the table"))
                .f64()
                .expect("f64 feature")
                .clone()
        })
        .collect();
    let mean_of_variance: Vec<Option<usize>> = schema
        .features
        .iter()
        .map(|f| {
            let stem = f.name.strip_suffix("_VAR")?;
            schema.position(&format!("{stem}_MEAN"))
        })
        .collect();
    let mut agreement = Agreement::default();
    let mut scratch = engine.scratch();
    let mut online = vec![0.0; engine.n_features()];
    for (row, application) in home.applications.iter().enumerate() {
        let id = ids.get(row).expect("an id");
        assert_eq!(
            application.application.get("SK_ID_CURR"),
            Some(&scoring_core::features::Value::Number(id as f64)),
            "the table lists applicants in file order"
        );
        engine
            .features_into(application, &mut scratch, &mut online)
            .unwrap_or_else(|e| panic!("applicant {id}: {e}"));
        for (j, ((spec, column), ours)) in schema
            .features
            .iter()
            .zip(&columns)
            .zip(&online)
            .enumerate()
        {
            let name = &spec.name;
            match column.get(row) {
                None => {
                    assert!(
                        ours.is_nan(),
                        "{name} of {id}: batch missing, online {ours}"
                    );
                    agreement.exact += 1;
                }
                Some(batch) => {
                    assert!(
                        !ours.is_nan(),
                        "{name} of {id}: batch {batch}, online missing"
                    );
                    if batch.to_bits() == ours.to_bits() || batch == *ours {
                        agreement.exact += 1;
                    } else {
                        let difference = (batch - ours).abs();
                        let relative = difference / batch.abs().max(ours.abs());
                        let mean = mean_of_variance[j].and_then(|m| columns[m].get(row));
                        if relative <= 1e-12 {
                            agreement.max_relative = agreement.max_relative.max(relative);
                        } else if mean.is_some_and(|m| difference <= 1e-12 * m * m) {
                            agreement.cancelling_variances += 1;
                        } else {
                            panic!(
                                "{name} of {id}: batch {batch}, online {ours} (relative {relative:e})"
                            );
                        }
                    }
                }
            }
            agreement.values += 1;
        }
        agreement.applicants += 1;
    }
    eprintln!("{}: {agreement:?}", dir.display());
    agreement
}

#[test]
fn every_real_applicant_gets_the_batch_row_online() {
    let Some(data) = shared_data("homecredit-sample") else {
        return;
    };
    let (table, schema) = build_feature_table(&data, None).expect("features of the real sample");
    let agreement = compare(&data, &table, &schema);
    assert_eq!(agreement.applicants, 1000);
}

fn synthetic(dir: &Path, seed: u64, n: u64, categories: &Categories) {
    let mut rng = Rng::new(seed);
    let applications: Vec<_> = (0..n)
        .map(|i| {
            let shape = HistoryShape::ALL[i as usize % HistoryShape::ALL.len()];
            random_application(&mut rng, 100_000 + seed * 10_000 + i, shape, categories)
        })
        .collect();
    write_home_credit(dir, &applications, (n * 4 / 5) as usize);
}

#[test]
fn synthetic_applicants_of_every_history_shape_get_the_batch_row_online() {
    let dir = tempfile::tempdir().expect("temp dir");
    synthetic(dir.path(), 1, 400, &Categories::real_sized());
    let (table, schema) = build_feature_table(dir.path(), None).expect("features");
    let agreement = compare(dir.path(), &table, &schema);
    assert_eq!(agreement.applicants, 400);
}

#[test]
fn unknown_categories_behave_online_as_in_batch() {
    // The schema of a first set; then applicants whose categories it has
    // never seen, built in batch with that schema's vocabularies.
    let first = tempfile::tempdir().expect("temp dir");
    synthetic(first.path(), 2, 100, &Categories::default());
    let (_, schema) = build_feature_table(first.path(), None).expect("first build");
    let later = tempfile::tempdir().expect("temp dir");
    synthetic(later.path(), 3, 200, &Categories::real_sized());
    let (table, rebuilt) =
        build_feature_table(later.path(), Some(&schema)).expect("rebuild with the schema");
    assert_eq!(
        rebuilt.feature_names().collect::<Vec<_>>(),
        schema.feature_names().collect::<Vec<_>>()
    );
    compare(later.path(), &table, &schema);
}
