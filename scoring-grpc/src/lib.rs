//! The scoring service: the tonic server that serves published models on
//! the contract of the `scoring-proto` crate (`proto/`, package
//! `scoring.v1`).
//!
//! The server ([`server::start`]) serves the model a registry alias names:
//! - [`config`]: flags (each also an environment variable) checked into
//!   [`config::Settings`];
//! - [`state`]: the live model and what is precomputed for it (with
//!   [`applications`], the online feature engine of loan applications),
//!   swapped atomically by [`reload`];
//! - [`service`]: the RPC handlers, with [`validate`] and [`convert`] for
//!   requests and responses and [`error`] for the status mapping;
//! - [`limits`]: per-call deadline and concurrency limit with load shedding;
//! - [`auth`], [`audit`], [`metrics`]: API keys and request ids, the
//!   decision log, Prometheus metrics;
//! - [`monitor`]: drift of the scored applicants from the reference, and
//!   the shadow challenger.

pub mod applications;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod config;
pub mod convert;
pub mod error;
pub mod limits;
pub mod metrics;
pub mod monitor;
pub mod reload;
pub mod server;
pub mod service;
pub mod state;
pub mod validate;
