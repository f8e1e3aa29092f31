//! The decision policy: from a probability of default to ACCEPT or REFUSE,
//! with the reasons a refusal can be explained by.
//!
//! A model is published with one refusal threshold per named [`Strategy`]:
//! `normal` is the cost-optimal threshold found at training time, `prudent`
//! refuses more (a lower threshold), `aggressive` fewer. An application is
//! refused when its probability of default is at or above the threshold.
//! Reason codes (at most four, see [`crate::reasons`]) are the source
//! columns that push the score most towards default, worded from the
//! feature schema's descriptions together with the applicant's own value.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use crate::reasons::{MAX_REASONS, ReasonCode, reason_codes, top_reason_codes};

/// How much risk the lender takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    Prudent,
    Normal,
    Aggressive,
}

impl Strategy {
    pub const ALL: [Strategy; 3] = [Self::Prudent, Self::Normal, Self::Aggressive];

    pub fn name(self) -> &'static str {
        match self {
            Self::Prudent => "prudent",
            Self::Normal => "normal",
            Self::Aggressive => "aggressive",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Strategy {
    type Err = Error;
    fn from_str(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| Error::UnknownStrategy {
                name: name.to_owned(),
            })
    }
}

/// Refusal threshold on the probability of default, per strategy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub prudent: f64,
    pub normal: f64,
    pub aggressive: f64,
}

impl Thresholds {
    /// Checks each threshold is in (0, 1] and prudent ≤ normal ≤ aggressive.
    pub fn validate(&self) -> Result<()> {
        for strategy in Strategy::ALL {
            let value = self.get(strategy);
            if !(value > 0.0 && value <= 1.0) {
                return Err(Error::InvalidThreshold {
                    strategy: strategy.name(),
                    value,
                    reason: "must be in (0, 1]",
                });
            }
        }
        if self.prudent > self.normal {
            return Err(Error::InvalidThreshold {
                strategy: "prudent",
                value: self.prudent,
                reason: "must not exceed the normal threshold",
            });
        }
        if self.aggressive < self.normal {
            return Err(Error::InvalidThreshold {
                strategy: "aggressive",
                value: self.aggressive,
                reason: "must not be below the normal threshold",
            });
        }
        Ok(())
    }

    pub fn get(&self, strategy: Strategy) -> f64 {
        match strategy {
            Strategy::Prudent => self.prudent,
            Strategy::Normal => self.normal,
            Strategy::Aggressive => self.aggressive,
        }
    }

    /// ACCEPT below the strategy's threshold, REFUSE at or above it.
    pub fn outcome(&self, strategy: Strategy, probability_of_default: f64) -> Outcome {
        // A NaN probability is never accepted.
        if probability_of_default < self.get(strategy) {
            Outcome::Accept
        } else {
            Outcome::Refuse
        }
    }
}

/// What the lender does with the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    Accept,
    Refuse,
}

/// When a decision carries its reason codes. Reasons cost an exact TreeSHAP
/// of the applicant; a decision without them costs one prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonPolicy {
    /// Reasons with every decision.
    Always,
    /// Reasons only for refusals, the ones an applicant must be told (the
    /// default for internal systems).
    #[default]
    ForRefusals,
    /// No reasons.
    Never,
}

impl ReasonPolicy {
    /// Whether a decision with this outcome gets reason codes.
    pub fn wants_reasons(self, outcome: Outcome) -> bool {
        match self {
            Self::Always => true,
            Self::ForRefusals => outcome == Outcome::Refuse,
            Self::Never => false,
        }
    }
}

/// A scored, decided and explained application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub outcome: Outcome,
    pub strategy: Strategy,
    pub probability_of_default: f64,
    pub threshold: f64,
    pub raw_score: f64,
    pub base_value: f64,
    pub reasons: Vec<ReasonCode>,
}
