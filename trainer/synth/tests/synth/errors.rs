//! Bad flags and existing output are refused with a clear error.

use super::*;

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
        Err(Error::OutputExists { path }) => assert!(path.starts_with(dir.path())),
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
