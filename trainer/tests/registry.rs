//! The model registry: publishing is atomic and never overwrites, listing
//! shows only complete versions, aliases promote and roll back.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::path::Path;

use scoring_core::Error;
use scoring_core::model::{BoostedTrees, Tree, TreeParts};
use scoring_core::registry::Registry;
use scoring_core::schema::SCHEMA_FORMAT_VERSION;
use scoring_core::{
    Estimator, FeatureKind, FeatureSchema, FeatureSpec, Model, Release, Thresholds, write_artifact,
};
use trainer::models::{ModelsArgs, ModelsCommand, render};

fn schema() -> FeatureSchema {
    FeatureSchema {
        format_version: SCHEMA_FORMAT_VERSION,
        id_column: "SK_ID_CURR".into(),
        target_column: Some("TARGET".into()),
        features: (0..2)
            .map(|i| FeatureSpec {
                name: format!("f{i}"),
                kind: FeatureKind::Numeric,
                source_table: "application".into(),
                source_column: format!("COL_{i}"),
                aggregation: "none".into(),
                category: None,
                description: format!("Feature number {i}"),
            })
            .collect(),
        vocabularies: vec![],
        columns: None,
    }
}

/// One split on `f0` at 0.5.
fn model() -> Model {
    let tree = Tree::new(TreeParts {
        split_feature: vec![0],
        threshold: vec![0.5],
        decision_type: vec![0],
        left_child: vec![!0],
        right_child: vec![!1],
        leaf_value: vec![-0.2, 0.3],
        internal_count: vec![10.0],
        leaf_count: vec![6.0, 4.0],
        cat_boundaries: vec![0],
        cat_threshold: vec![],
    })
    .unwrap();
    let estimator = Estimator::BoostedTrees(BoostedTrees {
        base_score: -1.0,
        trees: vec![tree],
    });
    Model::new(vec!["f0".into(), "f1".into()], estimator).unwrap()
}

fn release(version: &str, auc: f64) -> Release {
    Release {
        model_version: version.into(),
        created_at: "2024-06-01T12:00:00Z".into(),
        code_version: "abc1234".into(),
        training_data_fingerprint: "sha256:0123".into(),
        training_parameters: serde_json::json!({"num_leaves": 2}),
        metrics: BTreeMap::from([("auc".into(), auc)]),
        thresholds: Thresholds {
            prudent: 0.3,
            normal: 0.45,
            aggressive: 0.6,
        },
    }
}

fn write(dir: &Path, version: &str, auc: f64) -> scoring_core::Result<()> {
    write_artifact(dir, &release(version, auc), &model(), &schema())?;
    std::fs::write(dir.join("model_card.md"), "# Model card\n").unwrap();
    Ok(())
}

fn names(registry: &Registry) -> Vec<String> {
    let list = registry.list().unwrap();
    list.iter().map(|v| v.version.to_string()).collect()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn publishes_numbered_and_named_versions_and_lists_them_in_natural_order() {
    let root = tempfile::tempdir().unwrap();
    let registry = Registry::open(root.path()).unwrap();
    assert!(registry.list().unwrap().is_empty());
    let v1 = registry.publish(None, |d| write(d, "v1", 0.70)).unwrap();
    let v2 = registry.publish(None, |d| write(d, "v2", 0.75)).unwrap();
    assert_eq!((v1.as_str(), v2.as_str()), ("v1", "v2"));
    for n in 3..=10 {
        registry
            .publish(None, |d| write(d, &format!("v{n}"), 0.7))
            .unwrap();
        assert!(
            registry
                .version_dir(&registry.resolve(&format!("v{n}")).unwrap())
                .unwrap()
                .is_dir()
        );
    }
    let named = registry
        .publish(Some("2024-06-01-lgbm"), |d| {
            write(d, "2024-06-01-lgbm", 0.8)
        })
        .unwrap();
    assert_eq!(named.as_str(), "2024-06-01-lgbm");
    let listed = names(&registry);
    assert_eq!(listed[..3], ["2024-06-01-lgbm", "v1", "v2"]);
    assert_eq!(listed.last().unwrap(), "v10");

    let list = registry.list().unwrap();
    let second = list.iter().find(|v| v.version.as_str() == "v2").unwrap();
    let manifest = second.manifest.as_ref().unwrap();
    assert_eq!(manifest.metrics["auc"], 0.75);
    assert_eq!(manifest.created_at, "2024-06-01T12:00:00Z");

    let details = registry.show("v2").unwrap();
    assert!(details.files.contains(&"model_card.md".to_owned()));
    assert_eq!(details.model.manifest().model_version, "v2");
    assert!(entries(&root.path().join(".staging")).is_empty());
}

#[test]
fn never_overwrites_an_existing_version() {
    let root = tempfile::tempdir().unwrap();
    let registry = Registry::open(root.path()).unwrap();
    registry
        .publish(Some("v1"), |d| write(d, "v1", 0.70))
        .unwrap();
    let mut called = false;
    let err = registry
        .publish(Some("v1"), |d| {
            called = true;
            write(d, "v1", 0.99)
        })
        .unwrap_err();
    assert!(matches!(err, Error::RegistryVersionExists { ref version, .. } if version == "v1"));
    assert!(!called, "the writer should not run for an existing version");
    let list = registry.list().unwrap();
    assert_eq!(list[0].manifest.as_ref().unwrap().metrics["auc"], 0.70);
    // The next default number skips past the named v1.
    assert_eq!(
        registry
            .publish(None, |d| write(d, "v2", 0.7))
            .unwrap()
            .as_str(),
        "v2"
    );
}

#[test]
fn a_failed_writer_or_an_unverifiable_directory_publishes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let registry = Registry::open(root.path()).unwrap();
    let err = registry
        .publish(None, |d| {
            std::fs::write(d.join("model.json"), "{").unwrap();
            Err(trainer::Error::InvalidArgument {
                flag: "--test",
                message: "writer failed".into(),
            })
        })
        .unwrap_err();
    assert!(
        matches!(err, trainer::Error::InvalidArgument { .. }),
        "{err}"
    );

    let err = registry
        .publish(Some("v7"), |d| {
            write(d, "v7", 0.7)?;
            std::fs::write(d.join("model.json"), "{\"tampered\": true}").unwrap();
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, Error::RegistryArtifact { .. }), "{err}");
    let err = registry.publish(None, |_| Ok(())).unwrap_err();
    assert!(matches!(err, Error::RegistryArtifact { .. }), "{err}");

    assert!(registry.list().unwrap().is_empty());
    assert!(entries(&root.path().join("versions")).is_empty());
    assert!(entries(&root.path().join(".staging")).is_empty());
}

#[test]
fn a_crash_before_the_rename_leaves_only_complete_versions_and_reopen_cleans_up() {
    let root = tempfile::tempdir().unwrap();
    let registry = Registry::open(root.path()).unwrap();
    registry.publish(None, |d| write(d, "v1", 0.7)).unwrap();
    // As if a publisher died: a complete-looking and a half-written staging dir.
    let staging = root.path().join(".staging");
    let dead = staging.join("v2.4000000000.1");
    std::fs::create_dir(&dead).unwrap();
    write(&dead, "v2", 0.8).unwrap();
    let half = staging.join("v3-partial");
    std::fs::create_dir(&half).unwrap();
    std::fs::write(half.join("model.json"), "{").unwrap();

    assert_eq!(names(&registry), ["v1"]);
    assert_eq!(
        registry
            .publish(None, |d| write(d, "v2", 0.8))
            .unwrap()
            .as_str(),
        "v2"
    );

    let reopened = Registry::open(root.path()).unwrap();
    assert!(entries(&staging).is_empty());
    assert_eq!(names(&reopened), ["v1", "v2"]);
    assert_eq!(reopened.gc().unwrap(), 0);
}

#[test]
fn promote_and_rollback_move_aliases_through_their_history() {
    let root = tempfile::tempdir().unwrap();
    let registry = Registry::open(root.path()).unwrap();
    for v in ["v1", "v2", "v3"] {
        registry.publish(None, |d| write(d, v, 0.7)).unwrap();
    }
    assert!(matches!(
        registry.rollback("production").unwrap_err(),
        Error::RegistryNoRollback { ref alias } if alias == "production"
    ));
    assert_eq!(registry.promote("v1", "production").unwrap(), None);
    assert_eq!(
        registry
            .promote("v2", "production")
            .unwrap()
            .unwrap()
            .as_str(),
        "v1"
    );
    registry.promote("v3", "production").unwrap();
    registry.promote("v3", "staging").unwrap();
    assert_eq!(registry.resolve("production").unwrap().as_str(), "v3");
    assert_eq!(registry.resolve("v2").unwrap().as_str(), "v2");
    let list = registry.list().unwrap();
    assert_eq!(list[2].aliases, ["production", "staging"]);

    let (from, to) = registry.rollback("production").unwrap();
    assert_eq!((from.unwrap().as_str(), to.as_str()), ("v3", "v2"));
    registry.rollback("production").unwrap();
    assert_eq!(registry.resolve("production").unwrap().as_str(), "v1");
    assert!(matches!(
        registry.rollback("production").unwrap_err(),
        Error::RegistryNoRollback { .. }
    ));
    assert_eq!(registry.resolve("staging").unwrap().as_str(), "v3");

    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.path().join("aliases.json")).unwrap()).unwrap();
    assert_eq!(file["production"], "v1");
    assert_eq!(file["staging"], "v3");
    let leftovers: Vec<String> = entries(root.path())
        .into_iter()
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn bad_ids_and_unknown_names_are_typed_errors() {
    let root = tempfile::tempdir().unwrap();
    let registry = Registry::open(root.path()).unwrap();
    registry.publish(None, |d| write(d, "v1", 0.7)).unwrap();
    for bad in ["../escape", "a b", "", ".."] {
        let err = registry
            .publish(Some(bad), |d| write(d, "x", 0.7))
            .unwrap_err();
        assert!(
            matches!(err, Error::RegistryInvalidVersion { ref id } if id == bad),
            "{err}"
        );
        assert!(err.to_string().contains(&format!("`{bad}`")));
    }
    assert!(matches!(
        registry.promote("v1", "Prod!").unwrap_err(),
        Error::RegistryInvalidAlias { ref alias } if alias == "Prod!"
    ));
    assert!(matches!(
        registry.promote("v9", "production").unwrap_err(),
        Error::RegistryUnknownVersion { ref version, .. } if version == "v9"
    ));
    assert!(matches!(
        registry.show("v9").unwrap_err(),
        Error::RegistryUnknownVersion { .. }
    ));
    assert!(matches!(
        registry.resolve("canary").unwrap_err(),
        Error::RegistryUnknownName { ref name, .. } if name == "canary"
    ));
    assert_eq!(names(&registry), ["v1"]);
}

#[test]
fn the_models_command_prints_lists_and_alias_moves() {
    let root = tempfile::tempdir().unwrap();
    let registry = Registry::open(root.path()).unwrap();
    registry.publish(None, |d| write(d, "v1", 0.7)).unwrap();
    registry.publish(None, |d| write(d, "v2", 0.75)).unwrap();
    let run = |command| {
        render(&ModelsArgs {
            registry: root.path().to_owned(),
            command,
        })
    };
    let promoted = run(ModelsCommand::Promote {
        version: "v2".into(),
        alias: "production".into(),
    })
    .unwrap();
    assert_eq!(promoted, "production: -> v2\n");
    let list = run(ModelsCommand::List).unwrap();
    assert!(
        list.lines()
            .any(|l| l.starts_with("v2 ") && l.contains("production") && l.contains("auc=0.7500")),
        "{list}"
    );
    let shown = run(ModelsCommand::Show {
        version: "production".into(),
    })
    .unwrap();
    assert!(shown.contains("version:        v2"), "{shown}");
    assert!(matches!(
        run(ModelsCommand::Rollback {
            alias: "production".into()
        })
        .unwrap_err(),
        trainer::Error::Core(Error::RegistryNoRollback { .. })
    ));
}
