//! Writes the fuzz targets' seed corpora from the project's fixtures:
//! `seed_corpora <corpus directory>` (fuzz/seed.sh runs it) fills
//! `<dir>/<target>/` with the LightGBM test models, published artifacts in
//! the `artifact_files` framing, one request of every RPC and gateway
//! parameters.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use credit_scoring_fuzz::{ARTIFACT_FILES, join_files, small_registry};
use prost::Message;
use scoring_core::registry::Registry;
use scoring_grpc::convert::application::application_to_wire;
use scoring_proto::scoring::v1 as pb;
use test_support::application_model::application_model;
use test_support::applications::HistoryShape;

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).expect("corpus directory");
    std::fs::write(dir.join(name), bytes).expect("seed");
}

fn lightgbm(out: &Path) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scoring-core/tests/fixtures");
    for entry in std::fs::read_dir(&fixtures).expect("fixtures") {
        let path = entry.expect("fixture").path();
        if path.extension().is_some_and(|e| e == "txt") {
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            write(out, &name, &std::fs::read(&path).expect("read"));
        }
    }
}

fn artifacts(out: &Path, versions: &[PathBuf]) {
    for (k, version) in versions.iter().enumerate() {
        let files: Vec<Vec<u8>> = ARTIFACT_FILES
            .iter()
            .map(|name| std::fs::read(version.join(name)).unwrap_or_default())
            .collect();
        write(out, &format!("published-{k}"), &join_files(false, &files));
        write(
            out,
            &format!("published-{k}-manifest"),
            &join_files(true, &files),
        );
    }
}

/// One request of every RPC; `small` is [`small_registry`]'s registry (the
/// model the `requests` target serves).
fn requests(out: &Path, small: &Registry) {
    let app = application_model(2, 1, &[HistoryShape::Full]);
    let by_id = || {
        Some(pb::Applicant {
            applicant: Some(pb::applicant::Applicant::ClientId(1)),
        })
    };
    let by_application = Some(pb::Applicant {
        applicant: Some(pb::applicant::Applicant::LoanApplication(
            application_to_wire(&app.applications[0]),
        )),
    });
    let features = app.model.feature_names();
    let by_features = Some(pb::Applicant {
        applicant: Some(pb::applicant::Applicant::Features(pb::FeatureValues {
            values: features.iter().take(5).map(|f| (f.clone(), 1.5)).collect(),
        })),
    });
    // A vector the served model takes (its hash and length), so that
    // mutations start past the schema check.
    let by_vector = {
        let model = small
            .load(&small.resolve("v1").expect("v1"))
            .expect("load v1");
        Some(pb::Applicant {
            applicant: Some(pb::applicant::Applicant::FeatureVector(pb::FeatureVector {
                values: vec![1.5; model.model().n_features()],
                schema_hash: model.manifest().feature_schema_sha256.clone(),
            })),
        })
    };
    let filter = Some(pb::FeatureFilter {
        feature: features[0].clone(),
        op: 1,
        value: 0.5,
    });
    let seeds: Vec<(u8, Vec<u8>)> = vec![
        (
            0,
            pb::ScoreRequest {
                applicant: by_id(),
                ..Default::default()
            }
            .encode_to_vec(),
        ),
        (
            0,
            pb::ScoreRequest {
                applicant: by_application.clone(),
                ..Default::default()
            }
            .encode_to_vec(),
        ),
        (
            0,
            pb::ScoreRequest {
                applicant: by_vector.clone(),
                ..Default::default()
            }
            .encode_to_vec(),
        ),
        (
            1,
            pb::ScoreBatchRequest {
                applicants: vec![
                    by_id().unwrap_or_default(),
                    by_application.clone().unwrap_or_default(),
                    by_features.clone().unwrap_or_default(),
                    by_vector.clone().unwrap_or_default(),
                ],
                ..Default::default()
            }
            .encode_to_vec(),
        ),
        (
            2,
            pb::ExplainRequest {
                applicant: by_features,
                top_k: 5,
                ..Default::default()
            }
            .encode_to_vec(),
        ),
        (
            3,
            pb::GetModelRequest {
                model: Some(pb::get_model_request::Model::Version("v1".into())),
            }
            .encode_to_vec(),
        ),
        (
            4,
            pb::ListModelsRequest {
                page_size: 2,
                page_token: String::new(),
            }
            .encode_to_vec(),
        ),
        (
            5,
            pb::DescribeFeatureRequest {
                feature: features[1].clone(),
                applicant: by_id(),
                filter: filter.clone(),
                bins: 10,
            }
            .encode_to_vec(),
        ),
        (
            6,
            pb::ListClientsRequest {
                page_size: 5,
                page_token: String::new(),
                filter: filter.clone(),
            }
            .encode_to_vec(),
        ),
        (
            7,
            pb::FindSimilarClientsRequest {
                applicant: by_application,
                features: features[..3].to_vec(),
                k: 3,
            }
            .encode_to_vec(),
        ),
        (
            8,
            pb::ScatterFeaturesRequest {
                x_feature: features[0].clone(),
                y_feature: features[2].clone(),
                max_points: 50,
                filter,
            }
            .encode_to_vec(),
        ),
    ];
    for (k, (rpc, message)) in seeds.into_iter().enumerate() {
        let mut input = vec![rpc];
        input.extend(message);
        write(out, &format!("rpc-{rpc}-{k}"), &input);
    }
}

fn gateway(out: &Path) {
    let seeds: BTreeMap<&str, (u8, &str)> = BTreeMap::from([
        ("next", (0, "/clients/1?strategy=prudent")),
        ("next-evil", (0, "/%09/evil.example")),
        (
            "query",
            (
                1,
                "id=100002&strategy=normal&filter_feature=AMT_CREDIT&filter_op=gt&filter_value=1e5&lang=en",
            ),
        ),
        ("accept-language", (1, "fr-CH, fr;q=0.9, en;q=0.8")),
        (
            "form",
            (
                2,
                "AMT_INCOME_TOTAL=120000&AMT_CREDIT=250000&CODE_GENDER=F&DAYS_BIRTH=-12000&bureau_0_DAYS_CREDIT=-400&previous_1_AMT_APPLICATION=5000",
            ),
        ),
    ]);
    for (name, (which, text)) in seeds {
        let mut input = vec![which];
        input.extend_from_slice(text.as_bytes());
        write(out, name, &input);
    }
}

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "corpus".into()));
    lightgbm(&out.join("lightgbm_text"));
    let dir = tempfile::tempdir().expect("temporary directory");
    let small = small_registry(dir.path());
    let (_fixture_dir, fixture) = test_support::registry_with_v1();
    let versions: Vec<PathBuf> = [&small, &fixture]
        .iter()
        .map(|r| {
            r.version_dir(&r.resolve("v1").expect("v1"))
                .expect("a directory registry")
        })
        .collect();
    artifacts(&out.join("artifact_files"), &versions);
    requests(&out.join("requests"), &small);
    gateway(&out.join("gateway_params"));
    println!("seed corpora written under {}", out.display());
}
