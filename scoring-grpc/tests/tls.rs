//! TLS and mutual TLS with certificates made by the `openssl` command (a
//! test CA, a server certificate for `localhost`, a client certificate;
//! `test_support::certificates`).

use std::path::{Path, PathBuf};

use scoring_grpc::config::TlsConfig;
use scoring_grpc::server::start;
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use test_support::certificates::make_certificates;
use test_support::*;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};

async fn tls_client(
    addr: std::net::SocketAddr,
    dir: &Path,
    with_identity: bool,
) -> Result<ScoringServiceClient<Channel>, tonic::transport::Error> {
    let read = |name: &str| std::fs::read(dir.join(name)).expect("certificate file");
    let mut tls = ClientTlsConfig::new()
        .domain_name("localhost")
        .ca_certificate(Certificate::from_pem(read("ca.pem")));
    if with_identity {
        tls = tls.identity(Identity::from_pem(read("client.pem"), read("client.key")));
    }
    let channel = Channel::from_shared(format!("https://localhost:{}", addr.port()))
        .expect("uri")
        .tls_config(tls)?
        .connect()
        .await?;
    Ok(ScoringServiceClient::new(channel))
}

#[tokio::test]
async fn serves_over_tls_and_requires_client_certificates_when_configured() {
    let certs = tempfile::tempdir().expect("tmp");
    if make_certificates(certs.path()).is_none() {
        return;
    }
    let dir = certs.path();
    let (_registry_dir, registry) = registry_with_v1();
    let tls = |client_ca: Option<PathBuf>| {
        let mut settings = settings(&registry);
        settings.tls = Some(TlsConfig {
            cert: dir.join("server.pem"),
            key: dir.join("server.key"),
            client_ca,
        });
        settings
    };

    let server = start(tls(None)).await.expect("server");
    let client = tls_client(server.addr, dir, false).await;
    assert_eq!(served_version(client.expect("TLS connection")).await, "v1");
    server.shutdown().await.expect("shutdown");

    let server = start(tls(Some(dir.join("ca.pem")))).await.expect("server");
    let anonymous = match tls_client(server.addr, dir, false).await {
        Ok(mut client) => client.score(score_request()).await.is_ok(),
        Err(_) => false,
    };
    assert!(!anonymous, "a client without a certificate is refused");
    let client = tls_client(server.addr, dir, true).await;
    assert_eq!(served_version(client.expect("mutual TLS")).await, "v1");
    server.shutdown().await.expect("shutdown");
}

fn score_request() -> pb::ScoreRequest {
    pb::ScoreRequest {
        applicant: by_client(FIRST_ID),
        ..Default::default()
    }
}

/// The model version a Score answers with.
async fn served_version(mut client: ScoringServiceClient<Channel>) -> String {
    client
        .score(score_request())
        .await
        .expect("score")
        .into_inner()
        .model_version
}

/// Kubernetes' gRPC probes cannot speak TLS: the health port answers them
/// in plain text with the main port's statuses, and serves nothing else.
#[tokio::test]
async fn a_plain_health_port_answers_probes_while_the_service_requires_tls() {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::health_client::HealthClient;

    let certs = tempfile::tempdir().expect("tmp");
    if make_certificates(certs.path()).is_none() {
        return;
    }
    let dir = certs.path();
    let (_registry_dir, registry) = registry_with_v1();
    let mut settings = settings(&registry);
    settings.tls = Some(TlsConfig {
        cert: dir.join("server.pem"),
        key: dir.join("server.key"),
        client_ca: Some(dir.join("ca.pem")),
    });
    settings.health_listen = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
    let server = start(settings).await.expect("server");
    let health_addr = server.health_addr.expect("health port bound");

    let channel = Channel::from_shared(format!("http://{health_addr}"))
        .expect("uri")
        .connect()
        .await
        .expect("plain connection to the health port");
    let status = HealthClient::new(channel.clone())
        .check(HealthCheckRequest {
            service: "scoring.v1.ScoringService".into(),
        })
        .await
        .expect("health")
        .into_inner()
        .status;
    assert_eq!(status, ServingStatus::Serving as i32);
    let scoring = ScoringServiceClient::new(channel)
        .score(score_request())
        .await
        .expect_err("the health port serves only health");
    assert_eq!(scoring.code(), tonic::Code::Unimplemented, "{scoring:?}");

    let plain = Channel::from_shared(format!("http://{}", server.addr))
        .expect("uri")
        .connect()
        .await;
    let refused = match plain {
        Ok(channel) => ScoringServiceClient::new(channel)
            .score(score_request())
            .await
            .is_err(),
        Err(_) => true,
    };
    assert!(refused, "the main port still requires TLS");
    server.shutdown().await.expect("shutdown");
}
