//! The scoring service's wire contract and, later, its tonic service.
//!
//! This crate owns the gRPC contract in `proto/scoring/v1/scoring.proto`
//! (package `scoring.v1`): [`pb`] holds the prost messages and the tonic
//! client and server generated from it at build time, and
//! [`FILE_DESCRIPTOR_SET`] the encoded descriptors for gRPC reflection. The
//! gateway reuses the generated client from here rather than compiling the
//! protos again.

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
