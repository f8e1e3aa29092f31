//! The gateway's only way to the model: [`ScoringClient`], the RPCs of
//! `scoring.v1.ScoringService` that the pages use, on the generated tonic
//! client, with the API key and the request id sent as metadata, over TLS
//! or mutual TLS when the endpoint is `https://` ([`ServiceTls`]).

use scoring_proto::scoring::v1::{
    DescribeFeatureRequest, DescribeFeatureResponse, ExplainRequest, ExplainResponse,
    FindSimilarClientsRequest, FindSimilarClientsResponse, GetDriftRequest, GetDriftResponse,
    GetModelRequest, GetModelResponse, ListClientsRequest, ListClientsResponse, ListModelsRequest,
    ListModelsResponse, ScatterFeaturesRequest, ScatterFeaturesResponse,
    scoring_service_client::ScoringServiceClient,
};
use tonic::{
    Request, Status,
    metadata::MetadataValue,
    service::{Interceptor, interceptor::InterceptedService},
    transport::{Channel, Endpoint},
};

use crate::error::StartError;
use crate::tls::ServiceTls;

/// Adds `authorization: Bearer <api key>` to every call when a key is set,
/// and the page request's `x-request-id`, so both logs share it.
#[derive(Clone)]
pub struct BearerToken(Option<MetadataValue<tonic::metadata::Ascii>>);

impl BearerToken {
    /// The interceptor for `api_key`; an error when it cannot be a header.
    pub fn new(api_key: Option<&str>) -> Result<Self, StartError> {
        match api_key {
            Some(key) => Ok(Self(Some(
                format!("Bearer {key}")
                    .parse()
                    .map_err(StartError::ApiKey)?,
            ))),
            None => Ok(Self(None)),
        }
    }
}

impl Interceptor for BearerToken {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        if let Some(value) = &self.0 {
            request
                .metadata_mut()
                .insert("authorization", value.clone());
        }
        if let Some(id) = crate::layers::current_request_id().and_then(|id| id.parse().ok()) {
            request.metadata_mut().insert("x-request-id", id);
        }
        let officer = crate::layers::current_officer().map(|name| header_safe(&name));
        if let Some(officer) = officer.and_then(|name| name.parse().ok()) {
            request.metadata_mut().insert("x-on-behalf-of", officer);
        }
        Ok(request)
    }
}

/// `text` as a header value: visible ASCII kept, every other byte
/// percent-encoded (user names may be `Hélène`).
fn header_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_graphic() && byte != b'%' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A client of the scoring service (cheap to clone: clones share the
/// connection).
#[derive(Clone)]
pub struct ScoringClient {
    inner: ScoringServiceClient<InterceptedService<Channel, BearerToken>>,
}

impl ScoringClient {
    /// A client of the service at `endpoint` (e.g. `http://127.0.0.1:50051`).
    /// The connection is made lazily, so the gateway starts (and shows its
    /// "service unavailable" page) while the service is down.
    pub fn connect_lazy(endpoint: &str, api_key: Option<&str>) -> Result<Self, StartError> {
        Self::connect_lazy_with(endpoint, api_key, &ServiceTls::default())
    }

    /// [`Self::connect_lazy`] over TLS (`https://` endpoints) as `tls`
    /// says: the CA to trust, the gateway's certificate for mutual TLS.
    pub fn connect_lazy_with(
        endpoint: &str,
        api_key: Option<&str>,
        tls: &ServiceTls,
    ) -> Result<Self, StartError> {
        let mut builder =
            Endpoint::from_shared(endpoint.to_owned()).map_err(|source| StartError::Endpoint {
                endpoint: endpoint.to_owned(),
                source,
            })?;
        if let Some(config) = tls.client_config(endpoint)? {
            builder = builder.tls_config(config).map_err(StartError::Tls)?;
        }
        let channel = builder
            .connect_timeout(std::time::Duration::from_secs(3))
            .timeout(std::time::Duration::from_secs(30))
            .connect_lazy();
        Ok(Self {
            inner: ScoringServiceClient::with_interceptor(channel, BearerToken::new(api_key)?),
        })
    }

    /// Explains (and so scores and decides) one applicant.
    pub async fn explain(&self, request: ExplainRequest) -> Result<ExplainResponse, Status> {
        Ok(self.inner.clone().explain(request).await?.into_inner())
    }
    /// Describes a published model; the live one when none is named.
    pub async fn get_model(&self, request: GetModelRequest) -> Result<GetModelResponse, Status> {
        Ok(self.inner.clone().get_model(request).await?.into_inner())
    }
    /// Lists the published models, newest first.
    pub async fn list_models(
        &self,
        request: ListModelsRequest,
    ) -> Result<ListModelsResponse, Status> {
        Ok(self.inner.clone().list_models(request).await?.into_inner())
    }
    /// A feature's distribution, optionally placing an applicant in it.
    pub async fn describe_feature(
        &self,
        request: DescribeFeatureRequest,
    ) -> Result<DescribeFeatureResponse, Status> {
        Ok(self
            .inner
            .clone()
            .describe_feature(request)
            .await?
            .into_inner())
    }
    /// Pages through the snapshot clients.
    pub async fn list_clients(
        &self,
        request: ListClientsRequest,
    ) -> Result<ListClientsResponse, Status> {
        Ok(self.inner.clone().list_clients(request).await?.into_inner())
    }
    /// Nearest snapshot clients of an applicant.
    pub async fn find_similar_clients(
        &self,
        request: FindSimilarClientsRequest,
    ) -> Result<FindSimilarClientsResponse, Status> {
        Ok(self
            .inner
            .clone()
            .find_similar_clients(request)
            .await?
            .into_inner())
    }
    /// Two features and the probability of default of sampled clients.
    pub async fn scatter_features(
        &self,
        request: ScatterFeaturesRequest,
    ) -> Result<ScatterFeaturesResponse, Status> {
        Ok(self
            .inner
            .clone()
            .scatter_features(request)
            .await?
            .into_inner())
    }
    /// The live model's drift and its shadow challenger's agreement.
    pub async fn get_drift(&self, request: GetDriftRequest) -> Result<GetDriftResponse, Status> {
        Ok(self.inner.clone().get_drift(request).await?.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn metadata_carries_the_api_key_and_the_request_id() {
        let mut interceptor = BearerToken::new(Some("k")).unwrap();
        let request = crate::layers::with_request_id("req-1".into(), async {
            interceptor.call(Request::new(())).unwrap()
        })
        .await;
        assert_eq!(request.metadata().get("authorization").unwrap(), "Bearer k");
        assert_eq!(request.metadata().get("x-request-id").unwrap(), "req-1");
        let outside = BearerToken::new(None)
            .unwrap()
            .call(Request::new(()))
            .unwrap();
        assert!(outside.metadata().is_empty());
        assert!(BearerToken::new(Some("bad\nkey")).is_err());
    }

    #[tokio::test]
    async fn metadata_names_the_signed_in_officer() {
        let mut interceptor = BearerToken::new(None).unwrap();
        let request = crate::layers::with_request_id("req-2".into(), async {
            crate::layers::note_officer("Hélène D");
            interceptor.call(Request::new(())).unwrap()
        })
        .await;
        assert_eq!(
            request.metadata().get("x-on-behalf-of").unwrap(),
            "H%C3%A9l%C3%A8ne%20D"
        );
    }
}
