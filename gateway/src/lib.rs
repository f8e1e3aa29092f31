//! The loan officers' dashboard.
//!
//! Server-rendered pages (axum + minijinja) that show a client's score
//! against the decision threshold, the factors behind it and how the client
//! compares with others. It holds no data of its own and reaches the model
//! only through the scoring service's gRPC contract (`proto/scoring/v1`).
//! The pages arrive with the dashboard issue; this crate reserves its place
//! in the workspace.
