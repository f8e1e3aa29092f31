//! GetModel and ListModels: the published models of the registry, read on a
//! blocking thread (the live model is answered from memory, other versions
//! from their descriptions, kept for the versions asked last).

use std::sync::Arc;

use scoring_core::{Error as CoreError, ModelDescription};

use super::{Shared, blocking};
use crate::convert::{ToWire, model_info, report_to_wire};
use crate::error::ServiceError;
use crate::state::ServedModel;
use crate::validate::limit;
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::get_model_request::Model as Which;

const DEFAULT_PAGE: usize = 50;
const MAX_PAGE: usize = 1000;

fn describe(described: &ModelDescription, aliases: Vec<String>) -> pb::GetModelResponse {
    let specs = &described.schema().features;
    let mut info = model_info(described.manifest(), aliases, specs, described.report());
    info.vocabularies = described
        .schema()
        .vocabularies
        .iter()
        .map(ToWire::to_wire)
        .collect();
    for (j, wire) in info.features.iter_mut().enumerate() {
        wire.actionable = described.is_actionable(j);
        wire.protected_attribute = described.is_protected(j);
    }
    pb::GetModelResponse {
        model_version: info.version.clone(),
        model: Some(info),
        report: report_to_wire(described.report(), described.model_card(), specs),
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
                Ok(describe(live.published.description(), aliases))
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
            return Ok(describe(live.published.description(), aliases));
        }
        let described = match shared.descriptions.get(&shared.registry, &version) {
            Ok(d) => d,
            Err(CoreError::RegistryUnknownVersion { .. }) => return Err(unknown()),
            Err(e) => return Err(ServiceError::Registry(e)),
        };
        Ok(describe(&described, aliases_of(&shared, version.as_str())?))
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
