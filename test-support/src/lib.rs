//! Fixtures shared by the workspace's tests and benchmarks (`publish =
//! false`; a dev-dependency only).
//!
//! - [`Rng`]: the seeded generator of test data;
//! - [`applications`]: random loan applications with every history shape;
//! - [`home_credit`]: loan applications written as the Home Credit files
//!   and read back from them;
//! - [`ensemble`]: random valid tree ensembles and rows, brute-force Shapley
//!   values to check TreeSHAP against;
//! - [`published`]: a small model published with every attachment into a
//!   temporary registry;
//! - `service` (feature `service`): a real scoring service on 127.0.0.1:0,
//!   its client and the assertions the service's tests share;
//! - [`prerequisite`]: what a test does when something it needs (the shared
//!   Home Credit data, a browser, Python) is missing: skip with a message on
//!   a developer's machine, fail under `CI=true`, so "ok" in CI always means
//!   the test ran.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod applications;
pub mod ensemble;
pub mod home_credit;
pub mod prerequisite;
pub mod published;
mod rng;
#[cfg(feature = "service")]
pub mod service;

pub use ensemble::*;
pub use published::*;
pub use rng::Rng;
#[cfg(feature = "service")]
pub use service::*;
