//! Crash and concurrency harness of a directory registry (not part of
//! `cargo test`; README "Crash harness"):
//!
//! ```text
//! cargo run --release -p scoring-grpc --example registry_crash -- 300
//! ```
//!
//! Each round starts two publisher processes and three promoter processes
//! at once and SIGKILLs a random half of them at a random moment. Each
//! promoter moves an alias of its own (promotes only) and the shared
//! `production` (promotes and rollbacks), printing its intent before each
//! move and an acknowledgement after it. Then the harness checks that every
//! listed version loads, `aliases.json` parses and names only published
//! versions, each promoter's alias names its last acknowledged target (or
//! the one it was moving to when killed: no acknowledged move is lost), what
//! killed processes left (staging directories, alias writes) does not
//! accumulate, and a server started on the registry mounted read-only (a
//! read-only bind mount when run as root, else the directory itself) serves
//! what `production` names. It prints one line per failure and a summary,
//! and exits non-zero if anything failed.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use scoring_core::registry::{Registry, RegistryLocation, VersionId};
use scoring_grpc::config::Settings;
use scoring_grpc::server::start;
use scoring_proto::scoring::v1 as pb;
use test_support::{Rng, connect, publish};

const PUBLISHERS: usize = 2;
const PROMOTERS: usize = 3;
const MOVES: usize = 6;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("publish") => worker_publish(&args[1..]),
        Some("promote") => worker_promote(&args[1..]),
        _ => drive(args.first().and_then(|n| n.parse().ok()).unwrap_or(300)),
    }
}

/// `publish <registry> <version> <seed>`.
fn worker_publish(args: &[String]) -> ExitCode {
    let registry = Registry::open(&args[0]).expect("registry");
    publish(&registry, &args[1], args[2].parse().expect("seed"));
    println!("published {}", args[1]);
    ExitCode::SUCCESS
}

/// `promote <registry> <own alias> <seed>`: [`MOVES`] moves, each announced
/// (`intent <alias> <version>`) and acknowledged (`ack <alias> <version>`).
fn worker_promote(args: &[String]) -> ExitCode {
    let registry = Registry::open(&args[0]).expect("registry");
    let own = &args[1];
    let mut rng = Rng::new(args[2].parse().expect("seed"));
    let versions = registry.versions().expect("versions");
    let mut out = std::io::stdout().lock();
    for _ in 0..MOVES {
        let version = &versions[rng.below(versions.len())];
        writeln!(out, "intent {own} {version}")
            .and_then(|()| out.flush())
            .ok();
        registry.promote(version.as_str(), own).expect("promote");
        writeln!(out, "ack {own} {version}")
            .and_then(|()| out.flush())
            .ok();
        let shared = if rng.below(3) == 0 {
            registry.rollback("production").map(|_| ())
        } else {
            registry.promote(version.as_str(), "production").map(|_| ())
        };
        // A rollback with no history left is refused; nothing else may fail.
        if let Err(error) = shared
            && !matches!(error, scoring_core::Error::RegistryNoRollback { .. })
        {
            panic!("production: {error}");
        }
    }
    ExitCode::SUCCESS
}

/// What the harness found.
#[derive(Default)]
struct Tally {
    rounds: usize,
    killed: usize,
    acknowledged_moves: usize,
    versions_checked: usize,
    servers_started: usize,
    failures: Vec<String>,
}

fn drive(rounds: usize) -> ExitCode {
    let dir = tempfile::tempdir().expect("temporary directory");
    let root = dir.path().join("registry");
    let registry = Registry::open(&root).expect("registry");
    publish(&registry, "v1", 1);
    registry.promote("v1", "production").expect("promote");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mount = dir.path().join("read-only");
    let read_only = bind_read_only(&root, &mount);
    println!(
        "registry crash harness: {rounds} rounds, {PUBLISHERS} publishers and {PROMOTERS} promoters each; server on {}",
        if read_only {
            "a read-only bind mount"
        } else {
            "the directory (not root: no read-only mount)"
        }
    );
    let mut tally = Tally::default();
    let mut rng = Rng::new(2026);
    let mut expected: BTreeMap<String, (Option<String>, Vec<String>)> = BTreeMap::new();
    let started = Instant::now();
    for round in 0..rounds {
        run_round(&root, round, &mut rng, &mut expected, &mut tally);
        check(&registry, &expected, round, &mut tally);
        let served_from = if read_only { &mount } else { &root };
        if let Err(failure) = runtime.block_on(serve_check(served_from, &registry)) {
            tally.failures.push(format!("round {round}: {failure}"));
        } else {
            tally.servers_started += 1;
        }
        tally.rounds += 1;
    }
    if read_only {
        let _ = Command::new("umount").arg(&mount).status();
    }
    for failure in &tally.failures {
        println!("FAILED {failure}");
    }
    println!(
        "{} rounds in {:.0} s: {} processes killed, {} acknowledged alias moves, {} version loads, {} servers started; {} failures",
        tally.rounds,
        started.elapsed().as_secs_f64(),
        tally.killed,
        tally.acknowledged_moves,
        tally.versions_checked,
        tally.servers_started,
        tally.failures.len()
    );
    if tally.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Mounts `root` read-only at `mount`; false when not permitted.
fn bind_read_only(root: &Path, mount: &Path) -> bool {
    std::fs::create_dir_all(mount).expect("mount point");
    let run = |args: &[&str]| {
        Command::new("mount")
            .args(args)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let (root, mount_str) = (root.to_string_lossy(), mount.to_string_lossy());
    run(&["--bind", &root, &mount_str]) && run(&["-o", "remount,bind,ro", &mount_str])
}

fn spawn(args: &[String]) -> Child {
    Command::new(std::env::current_exe().expect("this program"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn a worker")
}

/// Starts the round's workers, kills a random half at a random moment and
/// records each promoter's last acknowledged and pending move.
fn run_round(
    root: &Path,
    round: usize,
    rng: &mut Rng,
    expected: &mut BTreeMap<String, (Option<String>, Vec<String>)>,
    tally: &mut Tally,
) {
    let registry = root.to_string_lossy().into_owned();
    let mut children = Vec::new();
    for k in 0..PUBLISHERS {
        let args = [
            "publish",
            &registry,
            &format!("r{round}-{k}"),
            &(round * 10 + k).to_string(),
        ];
        children.push((None, spawn(&args.map(str::to_owned))));
    }
    for k in 0..PROMOTERS {
        let alias = format!("p{k}");
        let args = ["promote", &registry, &alias, &(round * 100 + k).to_string()];
        let child = spawn(&args.map(str::to_owned));
        children.push((Some(alias), child));
    }
    std::thread::sleep(Duration::from_millis(rng.below(150) as u64));
    for (_, child) in &mut children {
        if rng.below(2) == 0 && child.kill().is_ok() {
            tally.killed += 1;
        }
    }
    for (alias, mut child) in children {
        let stdout = child.stdout.take().expect("piped");
        let lines: Vec<String> = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect();
        let _ = child.wait();
        let Some(alias) = alias else { continue };
        // Moves announced since the last acknowledged one may or may not
        // have happened (their process was killed), in any later round.
        let entry = expected.entry(alias).or_default();
        for line in lines {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["intent", _, version] => entry.1.push((*version).to_owned()),
                ["ack", _, version] => {
                    *entry = (Some((*version).to_owned()), Vec::new());
                    tally.acknowledged_moves += 1;
                }
                _ => {}
            }
        }
    }
}

/// The registry's invariants after a round.
fn check(
    registry: &Registry,
    expected: &BTreeMap<String, (Option<String>, Vec<String>)>,
    round: usize,
    tally: &mut Tally,
) {
    let mut fail = |what: String| tally.failures.push(format!("round {round}: {what}"));
    let versions = match registry.versions() {
        Ok(v) => v,
        Err(e) => return fail(format!("versions: {e}")),
    };
    if round % 25 == 24 {
        println!("round {} checked", round + 1);
    }
    // Versions never change once listed: each is loaded in the round it
    // appears and, every 50 rounds and at the end, all of them again.
    let new = |v: &VersionId| v.as_str().starts_with(&format!("r{round}-"));
    for version in versions.iter().filter(|v| new(v) || round % 50 == 49) {
        tally.versions_checked += 1;
        if let Err(e) = registry.load(version) {
            fail(format!("{version} is listed but does not load: {e}"));
        }
    }
    let root = registry.version_dir(&versions[0]).expect("directory");
    let root = root.parent().and_then(Path::parent).expect("registry root");
    match std::fs::read(root.join("aliases.json"))
        .map(|b| serde_json::from_slice::<serde_json::Value>(&b))
    {
        Ok(Ok(_)) => {}
        other => fail(format!("aliases.json does not parse: {other:?}")),
    }
    let listed = match registry.list() {
        Ok(listed) => listed,
        Err(e) => return fail(format!("list: {e}")),
    };
    let named: Vec<(String, String)> = listed
        .iter()
        .flat_map(|s| s.aliases.iter().map(|a| (a.clone(), s.version.to_string())))
        .collect();
    for alias in std::iter::once("production".to_owned()).chain(expected.keys().cloned()) {
        match registry.resolve(&alias) {
            Ok(v) if versions.contains(&v) => {}
            Ok(v) => fail(format!("{alias} names {v}, which is not published")),
            Err(_) if alias != "production" && expected[&alias].0.is_none() => {}
            Err(e) => fail(format!("{alias}: {e}")),
        }
    }
    for (alias, (acked, pending)) in expected {
        let now = named
            .iter()
            .find(|(a, _)| a == alias)
            .map(|(_, v)| v.clone());
        let allowed =
            now.is_some() && (now == *acked || pending.iter().any(|p| now.as_ref() == Some(p)));
        if acked.is_some() && !allowed {
            fail(format!(
                "{alias} names {now:?}; its last acknowledged move was to {acked:?} (pending {pending:?}): a move was lost"
            ));
        }
    }
    // What killed processes leave is removed by the next writer: it may be
    // there after a round, but never accumulates.
    let count = |dir: &Path, suffix: &str| {
        std::fs::read_dir(dir).map_or(0, |d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().ends_with(suffix))
                .count()
        })
    };
    let writes = count(root, ".tmp");
    if writes > PROMOTERS {
        fail(format!("{writes} abandoned alias writes accumulate"));
    }
    let staged = count(&root.join(".staging"), "");
    if staged > 2 * PUBLISHERS {
        fail(format!("{staged} staging entries accumulate"));
    }
}

/// A server on `root` serves what `production` names there.
async fn serve_check(root: &Path, registry: &Registry) -> Result<(), String> {
    let expected = registry.resolve("production").map_err(|e| e.to_string())?;
    let settings = Settings::local(RegistryLocation::directory(PathBuf::from(root)));
    let server = start(settings)
        .await
        .map_err(|e| format!("server start: {e}"))?;
    let mut client = connect(&server).await;
    let live = client
        .get_model(pb::GetModelRequest { model: None })
        .await
        .map(|r| r.into_inner().model_version)
        .map_err(|s| format!("GetModel: {s:?}"));
    server.shutdown().await.map_err(|e| e.to_string())?;
    match live? {
        v if v == expected.as_str() => Ok(()),
        v => Err(format!(
            "the server serves {v}, production names {expected}"
        )),
    }
}
