//! The gateway's parameters: `next` after sign-in, query strings (strategy,
//! client id, filters, the language switch, Accept-Language) and the new
//! applicant's form read into a loan application against the model's real
//! GetModel description. The first byte chooses which. No panic; `next`
//! is always a local path.
#![no_main]

use std::sync::OnceLock;

use credit_scoring_fuzz::service;
use gateway::application::Form;
use gateway::application::Typed;
use gateway::auth::safe_next;
use gateway::i18n::Lang;
use gateway::routes::{
    Params, param, parse_client_id, parse_filter, parse_number, parse_strategy, switch_url,
};
use libfuzzer_sys::fuzz_target;
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_server::ScoringService;

fn form() -> &'static Form {
    static FORM: OnceLock<Form> = OnceLock::new();
    FORM.get_or_init(|| {
        let service = service();
        let described = service
            .runtime
            .block_on(
                service
                    .api
                    .get_model(tonic::Request::new(pb::GetModelRequest { model: None })),
            )
            .expect("the live model is described");
        Form::of_model(&described.into_inner().model.expect("model info"))
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(bytes);
    match which % 3 {
        0 => {
            let next = safe_next(Some(text.as_ref()));
            assert!(next.starts_with('/') && !next.starts_with("//"), "{next:?}");
            assert!(
                !next
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\'),
                "{next:?}"
            );
        }
        1 => {
            let _ = Lang::from_accept_language(&text);
            let switched = switch_url("/clients", Some(text.as_ref()), Lang::Fr);
            assert!(switched.starts_with("/clients?"), "{switched:?}");
            if let Ok(params) = serde_urlencoded::from_str::<Params>(&text) {
                let _ = parse_strategy(&params);
                let _ = parse_filter(&params);
                if let Some(id) = param(&params, "id") {
                    let _ = parse_client_id(id, "id");
                }
                if let Some(value) = param(&params, "value") {
                    let _ = parse_number(value, "value");
                }
            }
        }
        _ => {
            if let Ok(typed) = serde_urlencoded::from_str::<Typed>(&text) {
                let _ = form().application_of(&typed);
            }
        }
    }
});
