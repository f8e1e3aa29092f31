//! A directory registry's staging area (finding M7): a publish in progress
//! is known by the lock it holds, not by its PID, so only what dead
//! publishers left is removed, and only by publishers; a registry opened
//! read-only writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::OpenOptions;
use std::path::Path;

use scoring_core::registry::{Registry, RegistryLocation};
use test_support::{directory_tree, publish, registry_with_v1};

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_locked_staging_directory_survives_whatever_its_pid_and_a_dead_ones_goes() {
    let (root, registry) = registry_with_v1();
    let staging = root.path().join("registry/.staging");
    // A live publisher whose PID means nothing here (another host, another
    // PID namespace): it holds its lock.
    let live = staging.join("v7.4000000001.1");
    std::fs::create_dir(&live).unwrap();
    std::fs::write(live.join("model.json"), "{").unwrap();
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(staging.join("v7.4000000001.1.lock"))
        .unwrap();
    fs4::FileExt::try_lock(&lock).unwrap();
    // A dead publisher whose PID is running (this test's): no lock held.
    let dead = staging.join(format!("v8.{}.2", std::process::id()));
    std::fs::create_dir(&dead).unwrap();
    std::fs::write(staging.join("v9.1.3.lock"), "").unwrap();

    publish(&registry, "v2", 2);
    assert_eq!(
        names(&staging),
        ["v7.4000000001.1", "v7.4000000001.1.lock"],
        "the live publisher's directory and lock stay; the rest goes"
    );
    assert_eq!(registry.gc().unwrap(), 0, "nothing more to remove");

    drop(lock);
    assert_eq!(registry.gc().unwrap(), 1, "its publisher is gone now");
    assert!(names(&staging).is_empty(), "{:?}", names(&staging));
    assert_eq!(registry.versions().unwrap().len(), 2);
}

#[test]
fn opening_read_only_writes_nothing_and_reads_everything() {
    let (root, registry) = registry_with_v1();
    let path = root.path().join("registry");
    let leftover = path.join(".staging/v5.4000000000.1");
    std::fs::create_dir(&leftover).unwrap();
    std::fs::remove_file(path.join("aliases.lock")).ok();
    let before = directory_tree(&path);

    let read_only = Registry::open_read_only(registry.location().clone()).unwrap();
    let v1 = read_only.resolve("production").unwrap();
    read_only.load(&v1).unwrap();
    read_only.describe(&v1).unwrap();
    assert_eq!(read_only.list().unwrap().len(), 1);
    assert_eq!(
        directory_tree(&path),
        before,
        "not one file created, changed or removed"
    );

    // A registry not created yet has nothing in it, and stays uncreated.
    let missing = root.path().join("not-yet");
    let empty = Registry::open_read_only(RegistryLocation::directory(&missing)).unwrap();
    assert!(empty.versions().unwrap().is_empty());
    assert!(empty.resolve("production").is_err());
    assert!(!missing.exists());
    // A file is not a registry.
    let file = root.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    assert!(Registry::open_read_only(RegistryLocation::directory(&file)).is_err());
}

#[test]
fn a_version_whose_manifest_names_another_is_refused() {
    let (root, registry) = registry_with_v1();
    let versions = root.path().join("registry/versions");
    // A directory copied (or renamed) under another name.
    let copy = versions.join("v5");
    std::fs::create_dir(&copy).unwrap();
    for file in names(&versions.join("v1")) {
        std::fs::copy(versions.join("v1").join(&file), copy.join(&file)).unwrap();
    }
    let v5 = registry.resolve("v5").unwrap();
    let mismatch = |error: scoring_core::Error| match error {
        scoring_core::Error::RegistryArtifact { source, .. } => matches!(
            *source,
            scoring_core::Error::RegistryVersionMismatch { ref version, ref manifest }
                if version == "v5" && manifest == "v1"
        ),
        _ => false,
    };
    assert!(mismatch(registry.load(&v5).unwrap_err()));
    assert!(mismatch(registry.describe(&v5).unwrap_err()));
    assert!(registry.promote("v5", "production").is_err());
    assert_eq!(registry.resolve("production").unwrap().as_str(), "v1");

    // Nor is one published under another name than its manifest's.
    let error = registry
        .publish(Some("v6"), |dir| {
            scoring_core::write_artifact(
                dir,
                &test_support::release("v1"),
                &test_support::model(6),
                &test_support::schema(),
            )
            .map(|_| ())
        })
        .unwrap_err();
    assert!(mismatch_named(&error, "v6"), "{error}");
    assert!(registry.resolve("v6").is_err());
}

fn mismatch_named(error: &scoring_core::Error, name: &str) -> bool {
    match error {
        scoring_core::Error::RegistryArtifact { source, .. } => matches!(
            **source,
            scoring_core::Error::RegistryVersionMismatch { ref version, .. } if version == name
        ),
        _ => false,
    }
}
