//! The router and what every page shares: the page context (officer,
//! language, language switch link), rendering, and parsing of the query
//! and form fields into the contract's types with errors naming the field.

pub mod applicant;
pub mod backtest;
pub mod client;
pub mod compare;
pub mod fairness;
pub mod model;
pub mod monitoring;
pub mod session;
pub mod summary;
pub mod whatif;

use std::collections::HashMap;

use axum::{
    Router,
    extract::{FromRequestParts, OriginalUri},
    http::request::Parts,
    middleware,
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use minijinja::{Value, context};
use scoring_proto::scoring::v1::{ComparisonOperator, Decision, FeatureFilter, Strategy};

use crate::{
    AppState,
    auth::Officer,
    error::{AppError, Failure},
    i18n::{self, Lang},
    layers, templates,
};

/// The dashboard's routes over `state`.
pub fn app(state: AppState) -> Router {
    let secure = state.secure_cookies;
    Router::new()
        .route("/", get(|| async { Redirect::to("/clients") }))
        .route("/signin", get(session::form).post(session::sign_in))
        .route("/signout", post(session::sign_out))
        .route("/clients", get(client::list))
        .route("/find", get(client::find))
        .route("/clients/{id}", get(client::page))
        .route("/clients/{id}/compare", get(compare::page))
        .route(
            "/clients/{id}/whatif",
            get(whatif::form).post(whatif::rescore),
        )
        .route(
            "/applicants/new",
            get(applicant::form).post(applicant::score),
        )
        .route("/model", get(model::page))
        .route("/monitoring", get(monitoring::page))
        .fallback(not_found)
        .layer(middleware::from_fn(i18n::remember_lang))
        .layer(middleware::from_fn(layers::around))
        .layer(middleware::from_fn(move |request, next| {
            layers::strict_transport(secure, request, next)
        }))
        .with_state(state)
}

async fn not_found(lang: Lang) -> Failure {
    AppError::NotFound(tonic::Status::not_found("no such page")).in_lang(lang)
}

/// What every signed-in page needs.
pub struct Ctx {
    /// Page language.
    pub lang: Lang,
    /// The signed-in officer.
    pub officer: Officer,
    /// This page's URL in the other language.
    pub switch_url: String,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let officer = Officer::from_request_parts(parts, state).await?;
        let lang = Lang::from_request_parts(parts, state)
            .await
            .unwrap_or(Lang::En);
        let uri = OriginalUri::from_request_parts(parts, state)
            .await
            .map(|u| u.0)
            .unwrap_or_else(|_| parts.uri.clone());
        Ok(Self {
            lang,
            officer,
            switch_url: switch_url(uri.path(), uri.query(), lang.other()),
        })
    }
}

/// `path?query` with `lang` set to `to`.
pub fn switch_url(path: &str, query: Option<&str>, to: Lang) -> String {
    let mut pairs: Vec<(String, String)> = query
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default();
    pairs.retain(|(k, _)| k != "lang");
    pairs.push(("lang".into(), to.code().into()));
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

impl Ctx {
    /// The error as a page in this language.
    pub fn fail(&self, error: impl Into<AppError>) -> Failure {
        error.into().in_lang(self.lang)
    }

    /// Renders `template` with the shared context plus `page`.
    pub fn render(&self, template: &str, page: Value) -> Result<Response, Failure> {
        let ctx = context! {
            t => self.lang.table(),
            lang => self.lang.code(),
            switch_url => &self.switch_url,
            other_lang => self.lang.other().code(),
            user => &self.officer.name,
            csrf => &self.officer.csrf,
            signed_in => true,
            ..page
        };
        templates::render(template, ctx)
            .map(|html| Html(html).into_response())
            .map_err(|source| {
                self.fail(AppError::Render {
                    template: template.to_owned(),
                    source,
                })
            })
    }
}

/// Query parameters by name (the last value wins).
pub type Params = HashMap<String, String>;

/// A non-empty parameter.
pub fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// A client id from the path or a form.
pub fn parse_client_id(text: &str, field: &str) -> Result<i64, AppError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::bad(field))
}

/// `strategy`: prudent, normal or aggressive; absent means the model's default.
pub fn parse_strategy(params: &Params) -> Result<Strategy, AppError> {
    match param(params, "strategy") {
        None => Ok(Strategy::Unspecified),
        Some("prudent") => Ok(Strategy::Prudent),
        Some("normal") => Ok(Strategy::Normal),
        Some("aggressive") => Ok(Strategy::Aggressive),
        Some(_) => Err(AppError::bad("strategy")),
    }
}

/// The lower-case name of a strategy, as in URLs and translation keys.
pub fn strategy_name(strategy: i32) -> &'static str {
    match Strategy::try_from(strategy).unwrap_or(Strategy::Unspecified) {
        Strategy::Prudent => "prudent",
        Strategy::Normal => "normal",
        Strategy::Aggressive => "aggressive",
        Strategy::Unspecified => "default",
    }
}

/// `accept`, `refuse` or `unknown`.
pub fn decision_name(decision: i32) -> &'static str {
    match Decision::try_from(decision).unwrap_or(Decision::Unspecified) {
        Decision::Accept => "accept",
        Decision::Refuse => "refuse",
        Decision::Unspecified => "unknown",
    }
}

/// A finite number typed by an officer (a decimal comma is accepted).
pub fn parse_number(text: &str, field: &str) -> Result<f64, AppError> {
    text.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| AppError::bad(field))
}

/// A feature name: letters, digits and `_`, as in the contract.
pub fn parse_feature(text: &str, field: &str) -> Result<String, AppError> {
    let name = text.trim();
    if !name.is_empty()
        && name.len() <= 128
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        Ok(name.to_owned())
    } else {
        Err(AppError::bad(field))
    }
}

/// Operators offered in filter forms: (URL value, symbol, contract value).
pub const OPERATORS: &[(&str, &str, ComparisonOperator)] = &[
    ("eq", "=", ComparisonOperator::Equal),
    ("ne", "≠", ComparisonOperator::NotEqual),
    ("lt", "<", ComparisonOperator::Less),
    ("le", "≤", ComparisonOperator::LessOrEqual),
    ("gt", ">", ComparisonOperator::Greater),
    ("ge", "≥", ComparisonOperator::GreaterOrEqual),
];

/// The optional filter `filter_feature`, `filter_op`, `filter_value`.
pub fn parse_filter(params: &Params) -> Result<Option<FeatureFilter>, AppError> {
    let Some(feature) = param(params, "filter_feature") else {
        return Ok(None);
    };
    let feature = parse_feature(feature, "filter_feature")?;
    let op = param(params, "filter_op")
        .and_then(|op| OPERATORS.iter().find(|o| o.0 == op))
        .ok_or_else(|| AppError::bad("filter_op"))?
        .2;
    let value = parse_number(param(params, "filter_value").unwrap_or(""), "filter_value")?;
    Ok(Some(FeatureFilter {
        feature,
        op: op as i32,
        value,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn fields_are_named_in_errors() {
        let field = |e: AppError| match e {
            AppError::BadInput { field } => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(parse_strategy(&params(&[("strategy", "bold")])).unwrap_err()),
            "strategy"
        );
        assert_eq!(
            field(parse_client_id("12x", "client_id").unwrap_err()),
            "client_id"
        );
        assert_eq!(
            field(parse_number("NaN", "value_1").unwrap_err()),
            "value_1"
        );
        assert_eq!(
            field(parse_feature("A B", "feature_0").unwrap_err()),
            "feature_0"
        );
        let f = params(&[("filter_feature", "AMT_CREDIT"), ("filter_op", "zz")]);
        assert_eq!(field(parse_filter(&f).unwrap_err()), "filter_op");
        let f = params(&[("filter_feature", "AMT_CREDIT"), ("filter_op", "gt")]);
        assert_eq!(field(parse_filter(&f).unwrap_err()), "filter_value");
    }

    #[test]
    fn numbers_accept_a_decimal_comma() {
        assert_eq!(parse_number("0,5", "v").unwrap(), 0.5);
    }

    #[test]
    fn switch_url_replaces_lang() {
        assert_eq!(
            switch_url("/clients/1", Some("n=3&lang=en"), Lang::Fr),
            "/clients/1?n=3&lang=fr"
        );
        assert_eq!(switch_url("/model", None, Lang::En), "/model?lang=en");
    }
}
