//! A stand-in for the scoring service: a tiny linear model over a dozen
//! Home Credit-like features and a deterministic population of clients,
//! answering every RPC the pages use with the contract's semantics (and its
//! errors). Route tests, the browser test and the benchmark use it while the
//! real service is not at hand; [`server`] serves it over tonic.

pub mod server;

use async_trait::async_trait;
use scoring_proto::scoring::v1::{
    self as pb, Applicant, ComparisonOperator, ContributionOrder, Decision, DescribeFeatureRequest,
    DescribeFeatureResponse, ExplainRequest, ExplainResponse, FeatureContribution, FeatureFilter,
    FindSimilarClientsRequest, FindSimilarClientsResponse, GetModelRequest, GetModelResponse,
    ListClientsRequest, ListClientsResponse, ListModelsRequest, ListModelsResponse, ReasonCode,
    ScatterFeaturesRequest, ScatterFeaturesResponse, Strategy, applicant::Applicant as Who,
};
use tonic::Status;

use crate::client::ScoringClient;

pub mod model;

pub use model::{FEATURES, KNOWN_CLIENT, THRESHOLDS};

/// A snapshot client: id and feature values in [`FEATURES`] order.
type ClientRow = (i64, Vec<Option<f64>>);

/// The fake service. `unavailable()` answers every call with UNAVAILABLE.
#[derive(Clone)]
pub struct FakeScoringClient {
    clients: Vec<ClientRow>,
    unavailable: bool,
}

impl Default for FakeScoringClient {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeScoringClient {
    /// 300 clients from 100001; client [`KNOWN_CLIENT`] has hand-set values.
    pub fn new() -> Self {
        Self {
            clients: model::population(300),
            unavailable: false,
        }
    }

    /// A service that is down.
    pub fn unavailable() -> Self {
        Self {
            clients: Vec::new(),
            unavailable: true,
        }
    }

    fn up(&self) -> Result<(), Status> {
        if self.unavailable {
            Err(Status::unavailable("connection refused"))
        } else {
            Ok(())
        }
    }

    fn client(&self, id: i64) -> Result<&[Option<f64>], Status> {
        self.clients
            .iter()
            .find(|(c, _)| *c == id)
            .map(|(_, v)| v.as_slice())
            .ok_or_else(|| Status::not_found(format!("client {id} not found")))
    }

    fn values(
        &self,
        applicant: Option<&Applicant>,
    ) -> Result<(Option<i64>, Vec<Option<f64>>), Status> {
        let set = |values: &mut Vec<Option<f64>>, name: &str, v: Option<f64>| {
            let i = model::index(name)
                .ok_or_else(|| Status::invalid_argument(format!("unknown feature {name}")))?;
            if v.is_some_and(|v| !v.is_finite()) {
                return Err(Status::invalid_argument(format!(
                    "feature {name} is not finite"
                )));
            }
            values[i] = v;
            Ok(())
        };
        match applicant.and_then(|a| a.applicant.as_ref()) {
            None => Err(Status::invalid_argument("applicant is required")),
            Some(Who::ClientId(id)) => Ok((Some(*id), self.client(*id)?.to_vec())),
            Some(Who::Features(f)) => {
                let mut values = vec![None; FEATURES.len()];
                for (name, v) in &f.values {
                    set(&mut values, name, Some(*v))?;
                }
                Ok((None, values))
            }
            Some(Who::ModifiedClient(m)) => {
                let mut values = self.client(m.client_id)?.to_vec();
                for (name, v) in &m.values {
                    set(&mut values, name, Some(*v))?;
                }
                for name in &m.cleared {
                    set(&mut values, name, None)?;
                }
                Ok((Some(m.client_id), values))
            }
        }
    }

    fn rows(&self, filter: Option<&FeatureFilter>) -> Result<Vec<&ClientRow>, Status> {
        let Some(f) = filter else {
            return Ok(self.clients.iter().collect());
        };
        let i = model::index(&f.feature)
            .ok_or_else(|| Status::not_found(format!("unknown feature {}", f.feature)))?;
        let op = ComparisonOperator::try_from(f.op).unwrap_or(ComparisonOperator::Unspecified);
        if op == ComparisonOperator::Unspecified {
            return Err(Status::invalid_argument("filter.op is required"));
        }
        Ok(self
            .clients
            .iter()
            .filter(|(_, v)| v[i].is_some_and(|x| model::compare(x, op, f.value)))
            .collect())
    }
}

fn feature_index(name: &str) -> Result<usize, Status> {
    model::index(name).ok_or_else(|| Status::not_found(format!("unknown feature {name}")))
}

#[async_trait]
impl ScoringClient for FakeScoringClient {
    async fn explain(&self, r: ExplainRequest) -> Result<ExplainResponse, Status> {
        self.up()?;
        let (client_id, values) = self.values(r.applicant.as_ref())?;
        let contributions = model::contributions(&values);
        let raw = model::BASE + contributions.iter().sum::<f64>();
        let probability = model::sigmoid(raw);
        let strategy = match Strategy::try_from(r.strategy).unwrap_or(Strategy::Unspecified) {
            Strategy::Unspecified => Strategy::Normal,
            s => s,
        };
        let threshold = model::threshold(strategy);
        let mut all: Vec<FeatureContribution> = FEATURES
            .iter()
            .zip(&values)
            .zip(&contributions)
            .map(|((f, v), c)| FeatureContribution {
                feature: f.0.into(),
                description: f.1.into(),
                value: *v,
                contribution: *c,
            })
            .collect();
        let mut reasons: Vec<ReasonCode> = all
            .iter()
            .filter(|c| c.contribution > 0.0)
            .map(|c| ReasonCode {
                feature: c.feature.clone(),
                description: c.description.clone(),
                contribution: c.contribution,
                value: c.value,
            })
            .collect();
        reasons.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
        reasons.truncate(if r.max_reason_codes == 0 {
            4
        } else {
            r.max_reason_codes as usize
        });
        match ContributionOrder::try_from(r.order).unwrap_or(ContributionOrder::Unspecified) {
            ContributionOrder::Descending => {
                all.sort_by(|a, b| b.contribution.total_cmp(&a.contribution))
            }
            ContributionOrder::Ascending => {
                all.sort_by(|a, b| a.contribution.total_cmp(&b.contribution))
            }
            ContributionOrder::Schema => {}
            _ => all.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs())),
        }
        let feature_count = all.len() as u32;
        let mut other = 0.0;
        if r.top_k > 0 && (r.top_k as usize) < all.len() {
            other = all.drain(r.top_k as usize..).map(|c| c.contribution).sum();
        }
        Ok(ExplainResponse {
            model_version: model::LIVE.into(),
            client_id,
            base_value: model::BASE,
            raw_score: raw,
            probability_of_default: probability,
            contributions: all,
            other_contributions: other,
            feature_count,
            decision: if probability >= threshold {
                Decision::Refuse
            } else {
                Decision::Accept
            } as i32,
            strategy: strategy as i32,
            threshold,
            reason_codes: reasons,
        })
    }

    async fn get_model(&self, r: GetModelRequest) -> Result<GetModelResponse, Status> {
        self.up()?;
        let version = match r.model {
            None => model::LIVE.to_owned(),
            Some(pb::get_model_request::Model::Alias(a)) if a == "live" => model::LIVE.to_owned(),
            Some(pb::get_model_request::Model::Version(v))
                if model::VERSIONS.contains(&v.as_str()) =>
            {
                v
            }
            Some(_) => return Err(Status::not_found("no such model")),
        };
        Ok(GetModelResponse {
            model_version: version.clone(),
            model: Some(model::info(&version)),
            report: Some(model::report()),
        })
    }

    async fn list_models(&self, _: ListModelsRequest) -> Result<ListModelsResponse, Status> {
        self.up()?;
        Ok(ListModelsResponse {
            model_version: model::LIVE.into(),
            models: model::VERSIONS.iter().map(|v| model::info(v)).collect(),
            next_page_token: String::new(),
        })
    }

    async fn describe_feature(
        &self,
        r: DescribeFeatureRequest,
    ) -> Result<DescribeFeatureResponse, Status> {
        self.up()?;
        let i = feature_index(&r.feature)?;
        let rows = self.rows(r.filter.as_ref())?;
        if r.bins > 200 {
            return Err(Status::invalid_argument("bins above 200"));
        }
        let values: Vec<f64> = rows.iter().filter_map(|(_, v)| v[i]).collect();
        let histogram = model::histogram(
            &values,
            if r.bins == 0 { 20 } else { r.bins as usize },
            (rows.len() - values.len()) as u64,
        );
        let applicant_value = match r.applicant.as_ref() {
            Some(a) if a.applicant.is_some() => self.values(Some(a))?.1[i],
            _ => None,
        };
        let applicant_percentile = applicant_value.map(|a| {
            100.0 * values.iter().filter(|v| **v <= a).count() as f64 / values.len().max(1) as f64
        });
        Ok(DescribeFeatureResponse {
            model_version: model::LIVE.into(),
            feature: Some(model::spec(i)),
            population_size: rows.len() as u64,
            histogram: Some(histogram),
            applicant_value,
            applicant_percentile,
        })
    }

    async fn list_clients(&self, r: ListClientsRequest) -> Result<ListClientsResponse, Status> {
        self.up()?;
        if r.page_size > 1000 {
            return Err(Status::invalid_argument("page_size above 1000"));
        }
        let size = if r.page_size == 0 {
            50
        } else {
            r.page_size as usize
        };
        let start: usize = if r.page_token.is_empty() {
            0
        } else {
            r.page_token
                .parse()
                .map_err(|_| Status::invalid_argument("bad page_token"))?
        };
        let rows = self.rows(r.filter.as_ref())?;
        let end = (start + size).min(rows.len());
        let clients = rows
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .map(|(id, v)| model::summary(*id, v))
            .collect();
        Ok(ListClientsResponse {
            model_version: model::LIVE.into(),
            clients,
            next_page_token: if end < rows.len() {
                end.to_string()
            } else {
                String::new()
            },
            total_count: rows.len() as u64,
        })
    }

    async fn find_similar_clients(
        &self,
        r: FindSimilarClientsRequest,
    ) -> Result<FindSimilarClientsResponse, Status> {
        self.up()?;
        if r.k > 100 || r.features.len() > 10 {
            return Err(Status::invalid_argument(
                "k above 100 or more than 10 features",
            ));
        }
        let (id, values) = self.values(r.applicant.as_ref())?;
        let names: Vec<String> = if r.features.is_empty() {
            model::importance_order()
                .into_iter()
                .take(5)
                .map(|i| FEATURES[i].0.to_owned())
                .collect()
        } else {
            r.features.clone()
        };
        let idx = names
            .iter()
            .map(|n| feature_index(n))
            .collect::<Result<Vec<_>, _>>()?;
        let mut neighbours: Vec<pb::SimilarClient> = self
            .clients
            .iter()
            .filter(|(c, _)| Some(*c) != id)
            .map(|(c, v)| {
                let mut s = model::summary(*c, v);
                let d = model::distance(&values, v, &idx);
                pb::SimilarClient {
                    client_id: *c,
                    distance: d,
                    values: Some(model::pick(v, &idx)),
                    probability_of_default: s.probability_of_default,
                    decision: std::mem::take(&mut s.decision),
                }
            })
            .collect();
        neighbours.sort_by(|a, b| a.distance.total_cmp(&b.distance));
        neighbours.truncate(if r.k == 0 { 10 } else { r.k as usize });
        Ok(FindSimilarClientsResponse {
            model_version: model::LIVE.into(),
            features: names,
            applicant_values: Some(model::pick(&values, &idx)),
            neighbours,
        })
    }

    async fn scatter_features(
        &self,
        r: ScatterFeaturesRequest,
    ) -> Result<ScatterFeaturesResponse, Status> {
        self.up()?;
        let (x, y) = (feature_index(&r.x_feature)?, feature_index(&r.y_feature)?);
        if r.max_points > 10_000 {
            return Err(Status::invalid_argument("max_points above 10000"));
        }
        let rows = self.rows(r.filter.as_ref())?;
        let both: Vec<_> = rows
            .iter()
            .filter(|(_, v)| v[x].is_some() && v[y].is_some())
            .collect();
        let max = if r.max_points == 0 {
            1000
        } else {
            r.max_points as usize
        }
        .max(1);
        let step = both.len().div_ceil(max).max(1);
        let points = both
            .iter()
            .step_by(step)
            .map(|(id, v)| pb::ScatterPoint {
                client_id: *id,
                x: v[x].unwrap_or_default(),
                y: v[y].unwrap_or_default(),
                probability_of_default: model::summary(*id, v).probability_of_default,
            })
            .collect();
        Ok(ScatterFeaturesResponse {
            model_version: model::LIVE.into(),
            points,
            population_size: both.len() as u64,
        })
    }
}
