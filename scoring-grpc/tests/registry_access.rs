//! How the service uses the registry: it only reads (finding M7: it once
//! removed staging directories at start and could not start on a read-only
//! registry), and a version refused once is tried again (it once stayed
//! refused until the alias moved).

use scoring_grpc::server::start;
use scoring_proto::scoring::v1 as pb;
use test_support::*;

async fn live_version(client: &mut ScoringClient) -> Option<String> {
    client
        .score(pb::ScoreRequest {
            applicant: by_client(FIRST_ID),
            ..Default::default()
        })
        .await
        .ok()
        .map(|r| r.into_inner().model_version)
}

type ScoringClient = scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient<
    tonic::transport::Channel,
>;

#[tokio::test]
async fn the_service_serves_a_registry_without_writing_to_it() {
    let (root, registry) = registry_with_v1();
    let path = root.path().join("registry");
    // A publisher's staging directory (its PID means nothing on this host):
    // only publishers may decide it is abandoned.
    let staging = path.join(".staging/v2.4000000000.1");
    std::fs::create_dir(&staging).expect("staging");
    std::fs::write(staging.join("model.json"), "{").expect("write");
    let before = directory_tree(&path);

    let (server, mut client) = serve(&registry).await;
    assert_eq!(live_version(&mut client).await.as_deref(), Some("v1"));
    let described = client
        .list_models(pb::ListModelsRequest::default())
        .await
        .expect("list");
    assert_eq!(described.into_inner().models.len(), 1);
    server.shutdown().await.expect("shutdown");
    assert_eq!(
        directory_tree(&path),
        before,
        "not one file created, changed or removed"
    );
}

#[tokio::test]
async fn a_refused_version_is_tried_again_and_goes_live_once_repaired() {
    let (_dir, registry) = registry_with_v1();
    let settings = settings_with_metrics(&registry);
    let server = start(settings).await.expect("server");
    let mut client = connect(&server).await;

    publish(&registry, "v2", 2);
    let model_file = registry
        .version_dir(&registry.resolve("v2").expect("v2"))
        .expect("a directory registry")
        .join("model.json");
    let good = std::fs::read(&model_file).expect("read");
    std::fs::write(&model_file, b"{}").expect("break");
    force_alias(&registry, "production", "v2");
    reload_failure_counted(&server).await;
    assert_eq!(live_version(&mut client).await.as_deref(), Some("v1"));

    std::fs::write(&model_file, good).expect("repair");
    eventually("the repaired v2 to go live", || {
        let mut client = client.clone();
        async move { live_version(&mut client).await.as_deref() == Some("v2") }
    })
    .await;
    server.shutdown().await.expect("shutdown");
}
