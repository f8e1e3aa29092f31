//! GetModel and ListModels against a real server and a registry of three
//! versions.

use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::get_model_request::Model as Which;
use test_support::*;
use tonic::Code;

#[tokio::test]
async fn get_model_describes_the_live_model_a_version_or_an_alias() {
    let (_dir, registry) = registry_with_v1();
    publish(&registry, "v2", 2);
    registry.promote("v2", "staging").expect("promote");
    let (server, mut client) = serve(&registry).await;

    let live = client
        .get_model(pb::GetModelRequest { model: None })
        .await
        .expect("live")
        .into_inner();
    assert_eq!(live.model_version, "v1");
    let info = live.model.expect("info");
    assert_eq!(info.aliases, vec!["production"]);
    assert_eq!(info.features.len(), N_FEATURES);
    assert_eq!(info.features[1].name, "f1");
    assert_eq!(info.default_strategy, pb::Strategy::Normal as i32);
    let thresholds: Vec<(i32, f64)> = info
        .thresholds
        .iter()
        .map(|t| (t.strategy, t.threshold))
        .collect();
    assert_eq!(thresholds, vec![(1, 0.3), (2, 0.5), (3, 0.7)]);
    assert_eq!(info.thresholds[1].acceptance_rate, Some(0.5));
    let metrics = info.metrics.expect("metrics");
    assert_eq!(metrics.roc_auc, Some(0.75));
    assert_eq!(metrics.other.get("test_f1"), Some(&0.4));
    assert_eq!(info.created_at.expect("time").seconds, 1_795_953_600);
    assert_eq!(info.cost.expect("cost").false_negative_cost, 0.5);
    let report = live.report.expect("report");
    assert_eq!(report.model_card_markdown, "# Model card\n");
    assert_eq!(report.importance[0].feature, "f3");
    assert_eq!(report.importance[0].description, "Description of f3");
    assert_eq!(report.confusion.len(), 3);

    let by_alias = client
        .get_model(pb::GetModelRequest {
            model: Some(Which::Alias("staging".into())),
        })
        .await
        .expect("alias")
        .into_inner();
    assert_eq!(by_alias.model_version, "v2");
    assert_eq!(by_alias.model.expect("info").aliases, vec!["staging"]);
    let by_version = client
        .get_model(pb::GetModelRequest {
            model: Some(Which::Version("v1".into())),
        })
        .await
        .expect("version")
        .into_inner();
    assert_eq!(by_version.model_version, "v1");

    for (model, field) in [
        (Which::Version("v9".into()), "version"),
        (Which::Version("../etc".into()), "version"),
        (Which::Alias("nope".into()), "alias"),
    ] {
        let status = client
            .get_model(pb::GetModelRequest { model: Some(model) })
            .await
            .expect_err("unknown");
        assert_refused(&status, Code::NotFound, field);
    }
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn list_models_pages_newest_first() {
    let (_dir, registry) = registry_with_v1();
    publish(&registry, "v2", 2);
    publish(&registry, "v3", 3);
    let (server, mut client) = serve(&registry).await;
    let first = client
        .list_models(pb::ListModelsRequest {
            page_size: 2,
            page_token: String::new(),
        })
        .await
        .expect("page")
        .into_inner();
    assert_eq!(first.model_version, "v1");
    let versions: Vec<&str> = first.models.iter().map(|m| m.version.as_str()).collect();
    assert_eq!(versions, vec!["v3", "v2"]);
    let second = client
        .list_models(pb::ListModelsRequest {
            page_size: 2,
            page_token: first.next_page_token,
        })
        .await
        .expect("page")
        .into_inner();
    let versions: Vec<&str> = second.models.iter().map(|m| m.version.as_str()).collect();
    assert_eq!(versions, vec!["v1"]);
    assert_eq!(second.models[0].aliases, vec!["production"]);
    assert!(second.next_page_token.is_empty());

    for (request, field) in [
        (
            pb::ListModelsRequest {
                page_size: 0,
                page_token: "x1".into(),
            },
            "page_token",
        ),
        (
            pb::ListModelsRequest {
                page_size: 0,
                page_token: "m99".into(),
            },
            "page_token",
        ),
        (
            pb::ListModelsRequest {
                page_size: 5000,
                page_token: String::new(),
            },
            "page_size",
        ),
    ] {
        let status = client.list_models(request).await.expect_err("refused");
        assert_refused(&status, Code::InvalidArgument, field);
    }
    server.shutdown().await.expect("shutdown");
}

/// Finding H4: GetModel of a version that is not live once loaded the whole
/// artifact, client snapshot included, and re-hashed it on every call.
#[tokio::test]
async fn an_old_version_is_described_without_its_model_or_snapshot_and_kept() {
    let (_dir, registry) = registry_with_v1();
    publish(&registry, "v2", 2);
    registry.promote("v2", "production").expect("promote");
    let v1 = registry
        .version_dir(&registry.resolve("v1").expect("v1"))
        .expect("a directory registry");
    // What a description must never read: were it read, its hash would
    // not match and GetModel would fail.
    for file in ["clients.bin", "model.json", "reference.json"] {
        std::fs::write(v1.join(file), b"not this version's file").expect("overwrite");
    }
    let (server, mut client) = serve(&registry).await;
    let get_v1 = || pb::GetModelRequest {
        model: Some(Which::Version("v1".into())),
    };
    let first = client.get_model(get_v1()).await.expect("v1").into_inner();
    let info = first.model.expect("info");
    assert_eq!(info.version, "v1");
    assert_eq!(info.features.len(), N_FEATURES);
    assert_eq!(
        first.report.expect("report").model_card_markdown,
        "# Model card\n"
    );

    // Kept: later calls read none of the version's files again.
    for file in [
        "manifest.json",
        "feature_schema.json",
        "report.json",
        "model_card.md",
    ] {
        std::fs::remove_file(v1.join(file)).expect("remove");
    }
    for _ in 0..20 {
        let again = client.get_model(get_v1()).await.expect("kept").into_inner();
        assert_eq!(again.model_version, "v1");
        assert!(again.model.expect("info").aliases.is_empty());
    }
    // Its aliases are read afresh each time.
    registry.promote("v2", "staging").expect("promote");
    let v2 = client
        .get_model(pb::GetModelRequest {
            model: Some(Which::Version("v2".into())),
        })
        .await
        .expect("v2")
        .into_inner();
    assert_eq!(
        v2.model.expect("info").aliases,
        vec!["production", "staging"]
    );
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn an_old_version_whose_report_does_not_match_its_manifest_is_not_described() {
    let (_dir, registry) = registry_with_v1();
    publish(&registry, "v2", 2);
    let v2 = registry
        .version_dir(&registry.resolve("v2").expect("v2"))
        .expect("a directory registry");
    std::fs::write(v2.join("report.json"), b"{}").expect("overwrite");
    let (server, mut client) = serve(&registry).await;
    let status = client
        .get_model(pb::GetModelRequest {
            model: Some(Which::Version("v2".into())),
        })
        .await
        .expect_err("a corrupt report");
    assert_eq!(status.code(), Code::Internal, "{status:?}");
    server.shutdown().await.expect("shutdown");
}
