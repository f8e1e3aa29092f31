//! Who the load bench's calls score and what they ask: snapshot clients by
//! id, new applicants by their feature values, or loan applications by
//! their raw records; and Score's reason policy.

use std::sync::Arc;

use scoring_proto::scoring::v1 as pb;

#[derive(Debug, Clone, Copy, PartialEq, clap::ValueEnum)]
pub(crate) enum Applicants {
    Ids,
    Features,
    Vectors,
    Applications,
}

#[derive(Debug, Clone, Copy, PartialEq, clap::ValueEnum)]
pub(crate) enum Reasons {
    Always,
    Refusals,
    Never,
}

impl Reasons {
    pub(crate) fn wire(self) -> i32 {
        let policy = match self {
            Self::Always => pb::ReasonPolicy::Always,
            Self::Refusals => pb::ReasonPolicy::ForRefusals,
            Self::Never => pb::ReasonPolicy::Never,
        };
        policy as i32
    }
}

/// How callers name applicants: by id, by the feature values of the
/// snapshot rows (index = id - 1), or by the raw records of loan
/// applications (index = id - 1, cycling).
#[derive(Clone)]
pub(crate) enum Population {
    Ids,
    Features(Arc<Vec<pb::FeatureValues>>),
    Vectors(Arc<Vec<pb::FeatureVector>>),
    Applications(Arc<Vec<pb::LoanApplication>>),
}

impl Population {
    pub(crate) fn applicant(&self, id: i64) -> Option<pb::Applicant> {
        let applicant = match self {
            Self::Ids => pb::applicant::Applicant::ClientId(id),
            Self::Features(rows) => {
                let row = &rows[(id as usize - 1) % rows.len()];
                pb::applicant::Applicant::Features(row.clone())
            }
            Self::Vectors(rows) => {
                let row = &rows[(id as usize - 1) % rows.len()];
                pb::applicant::Applicant::FeatureVector(row.clone())
            }
            Self::Applications(applications) => {
                let application = &applications[(id as usize - 1) % applications.len()];
                pb::applicant::Applicant::LoanApplication(application.clone())
            }
        };
        Some(pb::Applicant {
            applicant: Some(applicant),
        })
    }
}

/// What one call asks.
#[derive(Clone)]
pub(crate) struct Ask {
    pub(crate) population: Population,
    pub(crate) reasons: i32,
    /// Applicants per ScoreBatch call.
    pub(crate) batch_size: usize,
}
