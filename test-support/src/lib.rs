//! Fixtures shared by the workspace's tests and benchmarks (`publish =
//! false`; a dev-dependency only), and, under `tests/` and `benches/`, the
//! end-to-end tests that span crates (the gateway's pages over the real
//! scoring service, in a real browser too, and the page render bench).
//!
//! - [`Rng`]: the seeded generator of test data;
//! - `ensemble` (feature `model`): random valid tree ensembles and rows,
//!   brute-force Shapley values to check TreeSHAP against; `classic` (the
//!   classic TreeSHAP recursion) and `path_formula` (exact on long paths)
//!   as two more oracles;
//! - `published` (feature `model`): a small model published with every
//!   attachment into a temporary registry, and the helper that publishes
//!   any model that way;
//! - `dashboard` (feature `model`): the model the dashboard's tests read:
//!   a dozen Home Credit features with their descriptions, trees with
//!   known directions, a population with a hand-set client, two versions;
//! - `service` (feature `service`): a real scoring service on
//!   127.0.0.1:0, its client and the assertions the service's tests share;
//! - `gateway` (feature `gateway`): the gateway's router driven in-process
//!   as a signed-in officer (requests, sign-in, pages), and with `service`
//!   the dashboard over the real service;
//! - `trained` (feature `trainer`): synthetic applicants through the real
//!   feature pipeline;
//! - `applications` (feature `model`): random loan applications with every
//!   history shape; `application_model`: a production-shaped model over
//!   the kernel's features published with a snapshot of such applicants,
//!   for scoring loan applications through the service;
//! - `home_credit` (feature `model`): loan applications written as the Home
//!   Credit files and read back from them;
//! - `monitoring` (feature `model`): a population with known
//!   distributions, its shifted copy and a model over them, for drift;
//! - `object_store` (feature `model`): a real S3-compatible server (moto)
//!   on loopback for the registry's tests;
//! - [`certificates`]: a test CA, server and client certificates, and a
//!   wrong CA, made by `openssl`, for the TLS and mutual TLS tests;
//! - [`prerequisite`]: what a test does when something it needs (the shared
//!   Home Credit data, a browser, Python) is missing: skip with a message on
//!   a developer's machine, fail under `CI=true`, so "ok" in CI always means
//!   the test ran.
//!
//! The workspace dependency turns the default features off, so the gateway
//! tests with `gateway` alone, without the service or scoring-core.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(feature = "model")]
pub mod application_model;
#[cfg(feature = "model")]
pub mod applications;
pub mod certificates;
#[cfg(feature = "model")]
pub mod classic;
#[cfg(feature = "model")]
pub mod dashboard;
#[cfg(feature = "model")]
pub mod ensemble;
#[cfg(feature = "gateway")]
pub mod gateway;
#[cfg(feature = "model")]
pub mod home_credit;
#[cfg(feature = "model")]
pub mod monitoring;
#[cfg(feature = "model")]
pub mod object_store;
#[cfg(feature = "model")]
pub mod path_formula;
pub mod prerequisite;
#[cfg(feature = "model")]
pub mod published;
mod rng;
#[cfg(feature = "service")]
pub mod service;
#[cfg(feature = "trainer")]
pub mod trained;

#[cfg(feature = "model")]
pub use ensemble::*;
#[cfg(feature = "model")]
pub use published::*;
pub use rng::Rng;
#[cfg(feature = "service")]
pub use service::*;
