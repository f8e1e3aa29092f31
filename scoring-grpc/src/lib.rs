//! The scoring service: the wire contract and the tonic server that serves
//! published models.
//!
//! This crate owns the gRPC contract in `proto/scoring/v1/scoring.proto`
//! (package `scoring.v1`): [`pb`] holds the prost messages and the tonic
//! client and server generated from it at build time, and
//! [`FILE_DESCRIPTOR_SET`] the encoded descriptors for gRPC reflection. The
//! gateway reuses the generated client from here rather than compiling the
//! protos again.
//!
//! The server ([`server::start`]) serves the model a registry alias names:
//! - [`config`]: flags, environment and TOML file into [`config::Settings`];
//! - [`state`]: the live model and what is precomputed for it, swapped
//!   atomically by [`reload`];
//! - [`service`]: the RPC handlers, with [`validate`] and [`convert`] for
//!   requests and responses and [`error`] for the status mapping;
//! - [`limits`]: per-call deadline and concurrency limit with load shedding;
//! - [`auth`], [`audit`], [`metrics`]: API keys and request ids, the
//!   decision log, Prometheus metrics.

pub mod audit;
pub mod auth;
pub mod cache;
pub mod config;
pub mod convert;
pub mod error;
pub mod limits;
pub mod metrics;
pub mod reload;
pub mod server;
pub mod service;
pub mod state;
pub mod validate;

/// Code generated from the contract; module paths mirror the proto packages,
/// so a future `scoring.v2` sits beside `scoring::v1`.
pub mod pb {
    /// Packages under `scoring`.
    pub mod scoring {
        /// Package `scoring.v1`.
        pub mod v1 {
            tonic::include_proto!("scoring.v1");
        }
    }
}

/// The encoded `google.protobuf.FileDescriptorSet` of the contract (with its
/// imports), for `tonic-reflection`'s `register_encoded_file_descriptor_set`.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/scoring_descriptor.bin"));
