//! Reading an artifact back: every hash verified before anything is used.

use std::collections::BTreeMap;
use std::path::Path;

use super::description::{ModelDescription, parse, read_verified};
use super::{
    ARTIFACT_FORMAT_VERSION, MANIFEST_FILE, MODEL_FILE, Manifest, SCHEMA_FILE, check_features,
    check_snapshot,
};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::policy::{Decision, MAX_REASONS, Strategy, Thresholds};
use crate::reasons::{ReasonCode, ReasonGroups};
use crate::reference::{REFERENCE_FILE, ReferenceStats};
use crate::report::{MODEL_CARD_FILE, ModelReport, REPORT_FILE};
use crate::schema::FeatureSchema;
use crate::shap::Explanation;
use crate::snapshot::{ClientSnapshot, SNAPSHOT_FILE};
use crate::wording::Bilingual;

/// A verified published model: what the service and the dashboard use.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedModel {
    description: ModelDescription,
    model: Model,
    reference: Option<ReferenceStats>,
    snapshot: Option<ClientSnapshot>,
    /// The schema's features grouped for reason codes, once.
    reason_groups: ReasonGroups,
}

pub(crate) fn read_file(dir: &Path, name: &str) -> Result<Vec<u8>> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => Error::FileMissing { path },
        _ => Error::ArtifactRead { path, source },
    })
}

/// Parses and checks a manifest's bytes: its format version first, then
/// its shape, thresholds and file names.
pub(crate) fn parse_manifest(bytes: &[u8]) -> Result<Manifest> {
    let value: serde_json::Value = parse(MANIFEST_FILE, bytes)?;
    let version = value
        .get("format_version")
        .and_then(serde_json::Value::as_u64);
    match version {
        Some(v) if v == u64::from(ARTIFACT_FORMAT_VERSION) => {}
        Some(found) => {
            return Err(Error::UnsupportedFormatVersion {
                found,
                supported: ARTIFACT_FORMAT_VERSION,
            });
        }
        None => {
            return Err(Error::InvalidManifest {
                reason: "`format_version` is missing or not a whole number".to_owned(),
            });
        }
    }
    let manifest: Manifest = parse(MANIFEST_FILE, bytes)?;
    manifest.thresholds.validate()?;
    manifest.points_scale.validate()?;
    if !manifest.files.contains_key(MODEL_FILE) {
        return Err(Error::InvalidManifest {
            reason: format!("`files` does not list {MODEL_FILE}"),
        });
    }
    let plain = |name: &String| {
        !name.is_empty()
            && name != MANIFEST_FILE
            && !name.starts_with('.')
            && !name.contains(['/', '\\'])
    };
    if let Some(name) = manifest.files.keys().find(|n| !plain(n)) {
        return Err(Error::InvalidManifest {
            reason: format!("`files` lists `{name}`, not a plain file name of the artifact"),
        });
    }
    Ok(manifest)
}

impl PublishedModel {
    /// Loads and verifies the artifact in `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        let manifest = parse_manifest(&read_file(dir, MANIFEST_FILE)?)?;
        Self::load_files(manifest, |name| read_file(dir, name))
    }

    /// Verifies and loads the files `manifest` lists, each read by `read`
    /// (by file name), wherever they are stored.
    pub(crate) fn load_files(
        manifest: Manifest,
        read: impl Fn(&str) -> Result<Vec<u8>>,
    ) -> Result<Self> {
        let mut attached = BTreeMap::new();
        for (name, expected) in &manifest.files {
            attached.insert(name.clone(), read_verified(name, expected, &read)?);
        }
        let schema = read_verified(SCHEMA_FILE, &manifest.feature_schema_sha256, &read)?;
        let model_bytes = attached.remove(MODEL_FILE).unwrap_or_default();
        let report = attached.remove(REPORT_FILE);
        let model_card = attached.remove(MODEL_CARD_FILE);
        let description =
            ModelDescription::from_bytes(manifest, &schema, report.as_deref(), model_card)?;
        let model: Model = parse(MODEL_FILE, &model_bytes)?;
        check_features(&model, description.schema())?;
        let reference = match attached.get(REFERENCE_FILE) {
            Some(bytes) => {
                let reference: ReferenceStats = parse(REFERENCE_FILE, bytes)?;
                reference.check_features(model.feature_names())?;
                Some(reference)
            }
            None => None,
        };
        let snapshot = match attached.get(SNAPSHOT_FILE) {
            Some(bytes) => {
                let snapshot = ClientSnapshot::from_bytes(bytes)?;
                check_snapshot(&snapshot, &model)?;
                Some(snapshot)
            }
            None => None,
        };
        Ok(Self {
            reason_groups: ReasonGroups::new(description.schema()),
            description,
            model,
            reference,
            snapshot,
        })
    }

    /// Loads the artifact and refuses it unless it was trained under the
    /// feature schema the caller builds its inputs with.
    pub fn load_for_schema(dir: &Path, expected: &FeatureSchema) -> Result<Self> {
        let published = Self::load(dir)?;
        let expected = expected.sha256();
        let found = &published.manifest().feature_schema_sha256;
        if *found != expected {
            return Err(Error::SchemaHashMismatch {
                expected,
                found: found.clone(),
            });
        }
        Ok(published)
    }

    /// What the model says about itself (manifest, schema, report, card).
    pub fn description(&self) -> &ModelDescription {
        &self.description
    }

    pub fn manifest(&self) -> &Manifest {
        self.description.manifest()
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn schema(&self) -> &FeatureSchema {
        self.description.schema()
    }

    pub fn report(&self) -> Option<&ModelReport> {
        self.description.report()
    }

    pub fn reference(&self) -> Option<&ReferenceStats> {
        self.reference.as_ref()
    }

    pub fn snapshot(&self) -> Option<&ClientSnapshot> {
        self.snapshot.as_ref()
    }

    pub fn model_card(&self) -> Option<&str> {
        self.description.model_card()
    }

    pub fn thresholds(&self) -> &Thresholds {
        &self.manifest().thresholds
    }

    /// Scores, decides and explains one application under `strategy`.
    pub fn decide(&self, applicant: &[f64], strategy: Strategy) -> Result<Decision> {
        self.decide_explained(applicant, strategy, MAX_REASONS)
            .map(|(decision, _)| decision)
    }

    /// Scores and decides one application under `strategy` without reason
    /// codes: one prediction, no TreeSHAP. Its raw score and probability
    /// are bit for bit those of [`Self::decide_explained`].
    pub fn decide_unexplained(&self, applicant: &[f64], strategy: Strategy) -> Result<Decision> {
        let raw_score = self.model.predict_raw(applicant)?;
        let probability_of_default = self.model.probability(raw_score);
        let thresholds = self.thresholds();
        Ok(Decision {
            outcome: thresholds.outcome(strategy, probability_of_default),
            strategy,
            probability_of_default,
            threshold: thresholds.get(strategy),
            raw_score,
            base_value: self.model.base_value(),
            reasons: Vec::new(),
        })
    }

    /// At most `max_reasons` (never more than
    /// [`MAX_REASONS`](crate::reasons::MAX_REASONS)) reason codes for
    /// `applicant` explained by `contributions` (see [`crate::reasons`]).
    pub fn reason_codes(
        &self,
        applicant: &[f64],
        contributions: &[f64],
        max_reasons: usize,
    ) -> Vec<ReasonCode> {
        self.reason_groups.top(
            self.description.schema(),
            self.model.feature_names(),
            applicant,
            contributions,
            max_reasons,
        )
    }

    /// Whether the client can act on feature `j` (the schema's column
    /// policy); false for a position outside the schema.
    pub fn is_actionable(&self, j: usize) -> bool {
        self.description.is_actionable(j)
    }

    /// Feature `j`'s label in English and French (see [`crate::wording`]);
    /// `None` for a position outside the schema.
    pub fn feature_label(&self, j: usize) -> Option<&Bilingual> {
        self.description.feature_label(j)
    }

    /// Every feature's label, in the schema's order.
    pub fn feature_labels(&self) -> &[Bilingual] {
        self.description.feature_labels()
    }

    /// Whether feature `j` derives from a protected attribute (never a
    /// reason); false for a position outside the schema.
    pub fn is_protected(&self, j: usize) -> bool {
        self.description.is_protected(j)
    }

    /// The reasons for `applicant` in compact form, (feature shown, group
    /// contribution), at most `max_reasons` (see [`ReasonGroups::ranked`]).
    pub fn ranked_reasons(
        &self,
        applicant: &[f64],
        contributions: &[f64],
        max_reasons: usize,
    ) -> Vec<(usize, f64)> {
        self.reason_groups
            .ranked(applicant, contributions, max_reasons)
    }

    /// Reason codes from [`Self::ranked_reasons`]' pairs, at most
    /// `max_reasons` of them.
    pub fn reason_codes_from(
        &self,
        applicant: &[f64],
        ranked: &[(usize, f64)],
        max_reasons: usize,
    ) -> Vec<ReasonCode> {
        let kept = &ranked[..ranked.len().min(max_reasons)];
        crate::reasons::worded(
            self.description.schema(),
            self.model.feature_names(),
            applicant,
            kept,
        )
    }

    /// As [`Self::decide`] with at most `max_reasons` reason codes, also
    /// returning every feature's contribution (model order).
    pub fn decide_explained(
        &self,
        applicant: &[f64],
        strategy: Strategy,
        max_reasons: usize,
    ) -> Result<(Decision, Vec<f64>)> {
        let (contributions, explanation) = self.model.explain(applicant)?;
        let decision = self.decision_of(
            applicant,
            &contributions,
            explanation,
            strategy,
            max_reasons,
        );
        Ok((decision, contributions))
    }

    /// The decision on an explained applicant: its probability, outcome
    /// under `strategy` and at most `max_reasons` reason codes.
    pub(super) fn decision_of(
        &self,
        applicant: &[f64],
        contributions: &[f64],
        explanation: Explanation,
        strategy: Strategy,
        max_reasons: usize,
    ) -> Decision {
        let probability_of_default = self.model.probability(explanation.raw_score);
        let thresholds = self.thresholds();
        Decision {
            outcome: thresholds.outcome(strategy, probability_of_default),
            strategy,
            probability_of_default,
            threshold: thresholds.get(strategy),
            raw_score: explanation.raw_score,
            base_value: explanation.base_value,
            reasons: self.reason_codes(applicant, contributions, max_reasons),
        }
    }

    /// As [`Self::decide`], with the strategy by name (`prudent`, `normal`,
    /// `aggressive`).
    pub fn decide_named(&self, applicant: &[f64], strategy: &str) -> Result<Decision> {
        self.decide(applicant, strategy.parse()?)
    }
}
