//! Checks the wire contract as callers see it: the service shape in the
//! descriptor set that reflection serves, the conventions every message
//! follows, and the encoding of the generated code (round trips through
//! the real server are in the other test files).

use std::collections::BTreeMap;

use prost::Message;
use prost_types::{
    FileDescriptorProto, FileDescriptorSet, ServiceDescriptorProto, field_descriptor_proto::Type,
};
use scoring_proto::FILE_DESCRIPTOR_SET;
use scoring_proto::scoring::v1 as pb;

const PROTO_FILE: &str = "scoring/v1/scoring.proto";

fn descriptor_set() -> FileDescriptorSet {
    FileDescriptorSet::decode(FILE_DESCRIPTOR_SET).expect("the embedded descriptor set decodes")
}

fn scoring_file(set: &FileDescriptorSet) -> &FileDescriptorProto {
    set.file
        .iter()
        .find(|file| file.name() == PROTO_FILE)
        .expect("the descriptor set holds scoring/v1/scoring.proto")
}

fn scoring_service(file: &FileDescriptorProto) -> &ServiceDescriptorProto {
    assert_eq!(file.package(), "scoring.v1");
    assert_eq!(file.syntax(), "proto3");
    let services: Vec<&str> = file.service.iter().map(|s| s.name()).collect();
    assert_eq!(services, ["ScoringService"]);
    &file.service[0]
}

#[test]
fn descriptor_set_holds_the_service_with_exactly_the_contract_rpcs() {
    let set = descriptor_set();
    let service = scoring_service(scoring_file(&set));

    // name -> (input, output, client streaming, server streaming)
    let rpcs: BTreeMap<&str, (&str, &str, bool, bool)> = service
        .method
        .iter()
        .map(|m| {
            let shape = (
                m.input_type(),
                m.output_type(),
                m.client_streaming(),
                m.server_streaming(),
            );
            (m.name(), shape)
        })
        .collect();
    let unary = |req, resp| (req, resp, false, false);
    let expected = BTreeMap::from([
        (
            "Score",
            unary(".scoring.v1.ScoreRequest", ".scoring.v1.ScoreResponse"),
        ),
        (
            "ScoreBatch",
            (
                ".scoring.v1.ScoreBatchRequest",
                ".scoring.v1.ScoreBatchResponse",
                false,
                true,
            ),
        ),
        (
            "Explain",
            unary(".scoring.v1.ExplainRequest", ".scoring.v1.ExplainResponse"),
        ),
        (
            "GetModel",
            unary(
                ".scoring.v1.GetModelRequest",
                ".scoring.v1.GetModelResponse",
            ),
        ),
        (
            "ListModels",
            unary(
                ".scoring.v1.ListModelsRequest",
                ".scoring.v1.ListModelsResponse",
            ),
        ),
        (
            "DescribeFeature",
            unary(
                ".scoring.v1.DescribeFeatureRequest",
                ".scoring.v1.DescribeFeatureResponse",
            ),
        ),
        (
            "ListClients",
            unary(
                ".scoring.v1.ListClientsRequest",
                ".scoring.v1.ListClientsResponse",
            ),
        ),
        (
            "FindSimilarClients",
            unary(
                ".scoring.v1.FindSimilarClientsRequest",
                ".scoring.v1.FindSimilarClientsResponse",
            ),
        ),
        (
            "ScatterFeatures",
            unary(
                ".scoring.v1.ScatterFeaturesRequest",
                ".scoring.v1.ScatterFeaturesResponse",
            ),
        ),
        (
            "GetDrift",
            unary(
                ".scoring.v1.GetDriftRequest",
                ".scoring.v1.GetDriftResponse",
            ),
        ),
    ]);
    assert_eq!(rpcs, expected);

    // Reflection clients resolve imports from the same set.
    assert!(
        set.file
            .iter()
            .any(|f| f.name() == "google/protobuf/timestamp.proto"),
        "the set embeds its imports for reflection"
    );
}

#[test]
fn every_response_carries_model_version_as_field_one() {
    let set = descriptor_set();
    let file = scoring_file(&set);
    let service = scoring_service(file);
    for method in &service.method {
        let name = method
            .output_type()
            .strip_prefix(".scoring.v1.")
            .expect("responses live in scoring.v1");
        let message = file
            .message_type
            .iter()
            .find(|m| m.name() == name)
            .expect("the response type is declared in the file");
        let field = message
            .field
            .iter()
            .find(|f| f.name() == "model_version")
            .unwrap_or_else(|| panic!("{name} has no model_version"));
        assert_eq!(field.r#type(), Type::String, "{name}.model_version");
        assert_eq!(field.number(), 1, "{name}.model_version");
    }
}

#[test]
fn enums_start_with_unspecified_and_carry_the_contract_values() {
    let set = descriptor_set();
    let file = scoring_file(&set);
    for enumeration in &file.enum_type {
        let zero = &enumeration.value[0];
        assert_eq!(zero.number(), 0, "{}", enumeration.name());
        assert!(
            zero.name().ends_with("_UNSPECIFIED"),
            "{}: zero value is {}",
            enumeration.name(),
            zero.name()
        );
    }
    assert_eq!(pb::Decision::Unspecified as i32, 0);
    assert_eq!(
        pb::Decision::from_str_name("DECISION_REFUSE"),
        Some(pb::Decision::Refuse)
    );
    let strategies: Vec<&str> = [
        pb::Strategy::Unspecified,
        pb::Strategy::Prudent,
        pb::Strategy::Normal,
        pb::Strategy::Aggressive,
    ]
    .iter()
    .map(|s| s.as_str_name())
    .collect();
    assert_eq!(
        strategies,
        [
            "STRATEGY_UNSPECIFIED",
            "STRATEGY_PRUDENT",
            "STRATEGY_NORMAL",
            "STRATEGY_AGGRESSIVE"
        ]
    );
}

/// The contract is documented element by element: every service, RPC,
/// message, field, oneof, enum and enum value has a leading comment.
#[test]
fn every_element_of_the_contract_is_documented() {
    let set = descriptor_set();
    let file = scoring_file(&set);
    let info = file
        .source_code_info
        .as_ref()
        .expect("protox keeps source info");
    let documented = |path: &[i32]| {
        info.location
            .iter()
            .any(|l| l.path == path && !l.leading_comments().trim().is_empty())
    };

    // Field numbers of descriptor.proto, the path language of source info.
    const MESSAGE: i32 = 4;
    const ENUM: i32 = 5;
    const SERVICE: i32 = 6;
    const FIELD: i32 = 2;
    const ONEOF: i32 = 8;
    const ENUM_VALUE: i32 = 2;
    const METHOD: i32 = 2;

    let mut undocumented = Vec::new();
    let mut check = |path: Vec<i32>, what: String| {
        if !documented(&path) {
            undocumented.push(what);
        }
    };
    for (s, service) in (0..).zip(&file.service) {
        check(vec![SERVICE, s], service.name().to_owned());
        for (m, method) in (0..).zip(&service.method) {
            check(vec![SERVICE, s, METHOD, m], method.name().to_owned());
        }
    }
    for (i, message) in (0..).zip(&file.message_type) {
        check(vec![MESSAGE, i], message.name().to_owned());
        for (j, field) in (0..).zip(&message.field) {
            let what = format!("{}.{}", message.name(), field.name());
            check(vec![MESSAGE, i, FIELD, j], what);
        }
        for (j, oneof) in (0..).zip(&message.oneof_decl) {
            if oneof.name().starts_with('_') {
                continue; // synthetic oneof of a proto3 `optional` field
            }
            let what = format!("{}.{}", message.name(), oneof.name());
            check(vec![MESSAGE, i, ONEOF, j], what);
        }
    }
    for (i, enumeration) in (0..).zip(&file.enum_type) {
        check(vec![ENUM, i], enumeration.name().to_owned());
        for (j, value) in (0..).zip(&enumeration.value) {
            check(vec![ENUM, i, ENUM_VALUE, j], value.name().to_owned());
        }
    }
    assert!(undocumented.is_empty(), "undocumented: {undocumented:?}");
}

fn features_request() -> pb::ScoreRequest {
    pb::ScoreRequest {
        applicant: Some(pb::Applicant {
            applicant: Some(pb::applicant::Applicant::Features(pb::FeatureValues {
                values: [("AMT_CREDIT".to_owned(), 150_000.0)].into(),
            })),
        }),
        strategy: pb::Strategy::Prudent.into(),
        max_reason_codes: 0,
        reasons: pb::ReasonPolicy::Unspecified as i32,
    }
}

#[test]
fn score_request_oneof_survives_encoding_and_matches_python_bytes() {
    let request = features_request();
    let bytes = request.encode_to_vec();
    assert_eq!(
        pb::ScoreRequest::decode(bytes.as_slice()),
        Ok(request.clone())
    );

    // The same request encoded by Python's protobuf from code generated by
    // grpcio-tools 1.85.1 out of the same .proto file.
    let python = [
        0x0a, 0x19, 0x12, 0x17, 0x0a, 0x15, 0x0a, 0x0a, 0x41, 0x4d, 0x54, 0x5f, 0x43, 0x52, 0x45,
        0x44, 0x49, 0x54, 0x11, 0x00, 0x00, 0x00, 0x00, 0x80, 0x4f, 0x02, 0x41, 0x10, 0x01,
    ];
    assert_eq!(pb::ScoreRequest::decode(python.as_slice()), Ok(request));

    let by_id = pb::Applicant {
        applicant: Some(pb::applicant::Applicant::ClientId(100_002)),
    };
    let decoded = pb::Applicant::decode(by_id.encode_to_vec().as_slice()).expect("decodes");
    assert_eq!(
        decoded.applicant,
        Some(pb::applicant::Applicant::ClientId(100_002))
    );
}
