//! GetModel and ListModels: the published models of the registry, read on a
//! blocking thread (the live model is answered from memory, other versions
//! from their descriptions, kept for the versions asked last).

use std::sync::Arc;

use scoring_core::registry::VersionId;
use scoring_core::{Error as CoreError, ModelDescription, PublishedModel};

use super::{Shared, blocking};
use crate::convert::{ToWire, backtest_to_wire, model_info, report_to_wire};
use crate::error::ServiceError;
use crate::state::ServedModel;
use crate::validate::limit;
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::get_model_request::Model as Which;

const DEFAULT_PAGE: usize = 50;
const MAX_PAGE: usize = 1000;

/// The latest backtest published beside `version`; a backtest that cannot
/// be read is logged and left out (the model is still described).
fn backtest_of(shared: &Shared, version: &str) -> Option<pb::Backtest> {
    let version = VersionId::parse(version).ok()?;
    match shared.backtests.get(&shared.registry, &version) {
        Ok(found) => found.as_deref().map(backtest_to_wire),
        Err(error) => {
            tracing::warn!(%version, %error, "published backtest unreadable; left out of GetModel");
            None
        }
    }
}

fn describe(
    described: &ModelDescription,
    aliases: Vec<String>,
    backtest: Option<pb::Backtest>,
) -> pb::GetModelResponse {
    let specs = &described.schema().features;
    let mut info = model_info(described.manifest(), aliases, specs, described.report());
    info.vocabularies = described
        .schema()
        .vocabularies
        .iter()
        .map(ToWire::to_wire)
        .collect();
    for (j, wire) in info.features.iter_mut().enumerate() {
        describe_spec(described, j, wire);
    }
    pb::GetModelResponse {
        model_version: info.version.clone(),
        model: Some(info),
        report: report_to_wire(
            described.report(),
            described.model_card(),
            described.schema(),
            described.feature_labels(),
        ),
        backtest,
    }
}

/// Feature `j`'s wire spec with what the model knows beyond the schema: the
/// column policy's flags and the labels in both languages.
pub(super) fn feature_spec(published: &PublishedModel, j: usize) -> Option<pb::FeatureSpec> {
    let mut wire = published.schema().features.get(j)?.to_wire();
    describe_spec(published.description(), j, &mut wire);
    Some(wire)
}

fn describe_spec(described: &ModelDescription, j: usize, wire: &mut pb::FeatureSpec) {
    wire.actionable = described.is_actionable(j);
    wire.protected_attribute = described.is_protected(j);
    if let Some(label) = described.feature_label(j) {
        wire.description = label.en.clone();
        wire.description_fr = label.fr.clone();
    }
}

fn aliases_of(shared: &Shared, version: &str) -> Result<Vec<String>, ServiceError> {
    shared
        .registry
        .aliases_naming(version)
        .map_err(ServiceError::Registry)
}

pub(super) async fn get_model(
    shared: &Arc<Shared>,
    live: Option<Arc<ServedModel>>,
    request: pb::GetModelRequest,
) -> Result<pb::GetModelResponse, ServiceError> {
    let (name, field) = match request.model {
        None => {
            let live = live.ok_or(ServiceError::NoModel)?;
            let shared = shared.clone();
            return blocking(move || {
                let aliases = aliases_of(&shared, &live.version)?;
                let backtest = backtest_of(&shared, &live.version);
                Ok(describe(live.published.description(), aliases, backtest))
            })
            .await;
        }
        Some(Which::Version(v)) => (v, "version"),
        Some(Which::Alias(a)) => (a, "alias"),
    };
    let shared = shared.clone();
    blocking(move || {
        let unknown = || ServiceError::not_found(field, format!("model `{name}`"));
        let version = match field {
            "alias" => match shared.registry.resolve(&name) {
                Ok(v) => v,
                Err(
                    CoreError::RegistryUnknownName { .. }
                    | CoreError::RegistryInvalidVersion { .. },
                ) => {
                    return Err(unknown());
                }
                Err(e) => return Err(ServiceError::Registry(e)),
            },
            _ => scoring_core::registry::VersionId::parse(&name).map_err(|_| unknown())?,
        };
        if let Some(live) = live.filter(|l| l.version == version.as_str()) {
            let aliases = aliases_of(&shared, &live.version)?;
            let backtest = backtest_of(&shared, &live.version);
            return Ok(describe(live.published.description(), aliases, backtest));
        }
        let described = match shared.descriptions.get(&shared.registry, &version) {
            Ok(d) => d,
            Err(CoreError::RegistryUnknownVersion { .. }) => return Err(unknown()),
            Err(e) => return Err(ServiceError::Registry(e)),
        };
        let backtest = backtest_of(&shared, version.as_str());
        Ok(describe(
            &described,
            aliases_of(&shared, version.as_str())?,
            backtest,
        ))
    })
    .await
}

/// Page tokens of ListModels: `m<offset>`.
fn parse_token(token: &str) -> Result<usize, ServiceError> {
    if token.is_empty() {
        return Ok(0);
    }
    token
        .strip_prefix('m')
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| ServiceError::invalid("page_token", "not a token this server issued"))
}

pub(super) async fn list_models(
    shared: &Arc<Shared>,
    live: String,
    request: pb::ListModelsRequest,
) -> Result<pb::ListModelsResponse, ServiceError> {
    let page = limit(request.page_size, DEFAULT_PAGE, MAX_PAGE, "page_size")?;
    let offset = parse_token(&request.page_token)?;
    let shared = shared.clone();
    blocking(move || {
        let mut listed = shared.registry.list().map_err(ServiceError::Registry)?;
        listed.reverse();
        if offset > listed.len() {
            return Err(ServiceError::invalid("page_token", "past the last page"));
        }
        let total = listed.len();
        let end = (offset + page).min(total);
        let models = listed
            .drain(offset..end)
            .filter_map(|summary| match summary.manifest {
                // Features are left out of the list to keep pages small;
                // GetModel describes them.
                Ok(manifest) => Some(model_info(&manifest, summary.aliases, &[], None)),
                Err(error) => {
                    tracing::warn!(version = %summary.version, %error, "unreadable manifest left out of ListModels");
                    None
                }
            })
            .collect();
        Ok(pb::ListModelsResponse {
            model_version: live,
            models,
            next_page_token: if end < total { format!("m{end}") } else { String::new() },
        })
    })
    .await
}
