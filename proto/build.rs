//! Compiles the wire contract (`scoring/v1/*.proto` beside this script) with protox (no system `protoc`)
//! and generates the prost messages plus the tonic client and server into
//! `OUT_DIR`. The encoded file descriptor set is written beside them for
//! gRPC reflection.

use std::{env, error::Error, fs, path::PathBuf};

use prost::Message;

/// Proto files of the contract, relative to the include root.
const PROTOS: &[&str] = &["scoring/v1/scoring.proto"];

fn main() -> Result<(), Box<dyn Error>> {
    // The .proto files sit beside this build script, under their package path.
    let proto_root = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);

    for proto in PROTOS {
        println!(
            "cargo:rerun-if-changed={}",
            proto_root.join(proto).display()
        );
    }

    let fds = protox::compile(PROTOS, [&proto_root])?;
    fs::write(out_dir.join("scoring_descriptor.bin"), fds.encode_to_vec())?;

    tonic_prost_build::configure()
        // Sorted columns: a record's checks run in one order on every call,
        // so a record with two bad columns always names the same one.
        .btree_map(".scoring.v1.Record.columns")
        .build_server(true)
        .build_client(true)
        .out_dir(&out_dir)
        .compile_fds(fds)?;
    Ok(())
}
