//! The wire contract of the credit-scoring service, package `scoring.v1`.
//!
//! This crate owns `scoring/v1/scoring.proto` and everything generated from
//! it at build time (protox, no system `protoc`): the prost messages and the
//! tonic client and server stubs in [`scoring::v1`], and the encoded
//! descriptors in [`FILE_DESCRIPTOR_SET`] for gRPC reflection. The service
//! (`scoring-grpc`) implements the server stub; the dashboard (`gateway`)
//! and any other Rust caller use the client stub, so a client never depends
//! on the server crate.
//!
//! Module paths mirror the proto packages, so a future `scoring.v2` sits
//! beside [`scoring::v1`]. [`shutdown_signal`] is the one Ctrl-C/SIGTERM
//! future that both the gRPC server and the HTTP gateway stop on.

mod shutdown;

pub use shutdown::shutdown_signal;

/// Packages under `scoring`.
pub mod scoring {
    /// Package `scoring.v1`: messages, `scoring_service_client` and
    /// `scoring_service_server`.
    pub mod v1 {
        tonic::include_proto!("scoring.v1");
    }
}

/// The encoded `google.protobuf.FileDescriptorSet` of the contract (with its
/// imports), for `tonic-reflection`'s `register_encoded_file_descriptor_set`.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/scoring_descriptor.bin"));
