//! Request validation: applicants into model rows, filters into
//! predicates, and the numeric limits of the contract, each failure naming
//! the request field.

use std::collections::HashMap;

use crate::convert::application::application_from_wire;
use crate::error::{ServiceError, bounded};
use crate::state::ServedModel;
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::applicant::Applicant as Which;

/// An applicant resolved into the model's input row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Set when the applicant was given by (possibly modified) client id.
    pub client_id: Option<i64>,
    /// Whether `values` is the snapshot row of `client_id` unchanged.
    pub unmodified: bool,
    /// Model-order values, NaN for missing.
    pub values: Vec<f64>,
    /// How the caller named the applicant (for the audit log).
    pub kind: ApplicantKind,
}

/// How a request named its applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicantKind {
    ClientId,
    Features,
    ModifiedClient,
    LoanApplication,
    FeatureVector,
}

impl ApplicantKind {
    /// The name written in the audit log (the contract's field name).
    pub fn name(self) -> &'static str {
        match self {
            Self::ClientId => "client_id",
            Self::Features => "features",
            Self::ModifiedClient => "modified_client",
            Self::LoanApplication => "loan_application",
            Self::FeatureVector => "feature_vector",
        }
    }
}

/// Resolves `applicant` (the request field `field`) against the model; a
/// loan application's features are computed by the model's online engine.
/// Taken by value so an application's records move into the engine's
/// input without being copied.
pub fn resolve_applicant(
    model: &ServedModel,
    applicant: Option<pb::Applicant>,
    field: &str,
) -> Result<Row, ServiceError> {
    let which = applicant
        .and_then(|a| a.applicant)
        .ok_or_else(|| ServiceError::invalid(field, "no applicant given"))?;
    match which {
        Which::ClientId(id) => Ok(Row {
            kind: ApplicantKind::ClientId,
            client_id: Some(id),
            unmodified: true,
            values: client_row(model, id, &format!("{field}.client_id"))?.to_vec(),
        }),
        Which::Features(features) => {
            let mut values = vec![f64::NAN; model.n_features()];
            apply_values(
                model,
                &features.values,
                &mut values,
                &format!("{field}.features.values"),
            )?;
            Ok(Row {
                kind: ApplicantKind::Features,
                client_id: None,
                unmodified: false,
                values,
            })
        }
        Which::ModifiedClient(modified) => {
            let prefix = format!("{field}.modified_client");
            let id = modified.client_id;
            let mut values = client_row(model, id, &format!("{prefix}.client_id"))?.to_vec();
            apply_values(
                model,
                &modified.values,
                &mut values,
                &format!("{prefix}.values"),
            )?;
            for (i, name) in modified.cleared.iter().enumerate() {
                let j = model.position(name).ok_or_else(|| {
                    ServiceError::invalid(
                        format!("{prefix}.cleared[{i}]"),
                        format!("unknown feature `{name}`"),
                    )
                })?;
                values[j] = f64::NAN;
            }
            Ok(Row {
                kind: ApplicantKind::ModifiedClient,
                client_id: Some(id),
                unmodified: false,
                values,
            })
        }
        Which::FeatureVector(vector) => Ok(Row {
            kind: ApplicantKind::FeatureVector,
            client_id: None,
            unmodified: false,
            values: vector_values(model, vector, &format!("{field}.feature_vector"))?,
        }),
        Which::LoanApplication(application) => Ok(Row {
            kind: ApplicantKind::LoanApplication,
            client_id: None,
            unmodified: false,
            values: model.applications.row(
                &application_from_wire(application),
                field,
                &model.version,
            )?,
        }),
    }
}

/// A feature vector's values, checked against the live model: ordered
/// for its schema, one per feature, none infinite.
fn vector_values(
    model: &ServedModel,
    vector: pb::FeatureVector,
    field: &str,
) -> Result<Vec<f64>, ServiceError> {
    let live = &model.published.manifest().feature_schema_sha256;
    if vector.schema_hash.is_empty() {
        return Err(ServiceError::invalid(
            format!("{field}.schema_hash"),
            "required: the schema_hash GetModel gives for the model the values are ordered for",
        ));
    }
    if vector.schema_hash != *live {
        return Err(ServiceError::FailedPrecondition(format!(
            "{field}.schema_hash: the live model {} takes schema {live}, not {}; \
             read GetModel again",
            model.version,
            bounded(vector.schema_hash)
        )));
    }
    if vector.values.len() != model.n_features() {
        return Err(ServiceError::invalid(
            format!("{field}.values"),
            format!(
                "{} values given, model {} takes {} (NaN for a missing one)",
                vector.values.len(),
                model.version,
                model.n_features()
            ),
        ));
    }
    if let Some(j) = vector.values.iter().position(|v| v.is_infinite()) {
        return Err(ServiceError::invalid(
            format!("{field}.values[{j}]"),
            format!(
                "{} (feature `{}`) is not a finite number (NaN for a missing value)",
                vector.values[j],
                model.published.model().feature_names()[j]
            ),
        ));
    }
    Ok(vector.values)
}

fn client_row<'a>(model: &'a ServedModel, id: i64, field: &str) -> Result<&'a [f64], ServiceError> {
    let snapshot = model.snapshot.as_ref().ok_or_else(|| {
        ServiceError::FailedPrecondition(format!(
            "{field}: model {} has no client snapshot to look client ids up in",
            model.version
        ))
    })?;
    snapshot
        .row(id)
        .ok_or_else(|| ServiceError::not_found(field, format!("client {id}")))
}

fn apply_values(
    model: &ServedModel,
    given: &HashMap<String, f64>,
    values: &mut [f64],
    field: &str,
) -> Result<(), ServiceError> {
    // Sorted so the error names the same feature on every call.
    let mut names: Vec<&String> = given.keys().collect();
    names.sort();
    for name in names {
        let value = given[name];
        let j = model.position(name).ok_or_else(|| {
            ServiceError::invalid(
                format!("{field}[{name}]"),
                format!("unknown feature `{name}`"),
            )
        })?;
        if !value.is_finite() {
            return Err(ServiceError::invalid(
                format!("{field}[{name}]"),
                format!("{value} is not a finite number (leave the key out for a missing value)"),
            ));
        }
        values[j] = value;
    }
    Ok(())
}

/// A checked `FeatureFilter`: keeps rows where `values[feature] op value`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Filter {
    pub feature: usize,
    pub op: pb::ComparisonOperator,
    pub value: f64,
}

impl Filter {
    /// Whether a row's value passes; a missing value never does.
    pub fn keeps(&self, v: f64) -> bool {
        use pb::ComparisonOperator as Op;
        if v.is_nan() {
            return false;
        }
        match self.op {
            Op::Equal => v == self.value,
            Op::NotEqual => v != self.value,
            Op::Less => v < self.value,
            Op::LessOrEqual => v <= self.value,
            Op::Greater => v > self.value,
            Op::GreaterOrEqual => v >= self.value,
            Op::Unspecified => false,
        }
    }

    /// Whether the snapshot row at `position` passes.
    pub fn keeps_row(&self, row: &[f64]) -> bool {
        self.keeps(row[self.feature])
    }

    /// A short fingerprint of the filter, for page tokens.
    pub fn fingerprint(filter: Option<&Self>) -> u64 {
        // FNV-1a over the filter's parts; stable across processes.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |bytes: &[u8]| {
            for b in bytes {
                hash ^= u64::from(*b);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        };
        if let Some(f) = filter {
            eat(&(f.feature as u64).to_le_bytes());
            eat(&(f.op as i32).to_le_bytes());
            eat(&f.value.to_bits().to_le_bytes());
        }
        hash
    }
}

/// Checks the optional filter in `field`.
pub fn resolve_filter(
    model: &ServedModel,
    filter: Option<&pb::FeatureFilter>,
    field: &str,
) -> Result<Option<Filter>, ServiceError> {
    let Some(filter) = filter else {
        return Ok(None);
    };
    let feature = model.position(&filter.feature).ok_or_else(|| {
        ServiceError::not_found(
            format!("{field}.feature"),
            format!("feature `{}`", filter.feature),
        )
    })?;
    let op = match pb::ComparisonOperator::try_from(filter.op) {
        Ok(pb::ComparisonOperator::Unspecified) => {
            return Err(ServiceError::invalid(
                format!("{field}.op"),
                "a filter must name its comparison operator",
            ));
        }
        Ok(op) => op,
        Err(_) => {
            return Err(ServiceError::invalid(
                format!("{field}.op"),
                format!("{} is not a ComparisonOperator value", filter.op),
            ));
        }
    };
    if filter.value.is_nan() {
        return Err(ServiceError::invalid(
            format!("{field}.value"),
            "NaN is not a comparable value",
        ));
    }
    Ok(Some(Filter {
        feature,
        op,
        value: filter.value,
    }))
}

/// A count with a contract default for 0 and an upper limit.
pub fn limit(value: u32, default: usize, max: usize, field: &str) -> Result<usize, ServiceError> {
    match value as usize {
        0 => Ok(default),
        v if v > max => Err(ServiceError::invalid(
            field,
            format!("{v} is above the limit of {max}"),
        )),
        v => Ok(v),
    }
}

/// Checks a feature name the request gives as a plain field.
pub fn feature_position(
    model: &ServedModel,
    name: &str,
    field: &str,
) -> Result<usize, ServiceError> {
    model
        .position(name)
        .ok_or_else(|| ServiceError::not_found(field, format!("feature `{name}`")))
}
