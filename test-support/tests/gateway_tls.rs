//! The gateway's client reaches the real scoring service over TLS and over
//! mutual TLS; a service certificate from another CA, or a missing client
//! certificate where one is required, is refused with an error that says
//! so.

use std::path::Path;

use gateway::client::ScoringClient;
use gateway::tls::ServiceTls;
use scoring_grpc::config::TlsConfig;
use scoring_grpc::server::{RunningServer, start};
use scoring_proto::scoring::v1::ListModelsRequest;
use test_support::certificates::make_certificates;
use test_support::{registry_with_v1, settings};

async fn tls_server(
    registry: &scoring_core::registry::Registry,
    dir: &Path,
    mutual: bool,
) -> RunningServer {
    let mut settings = settings(registry);
    settings.tls = Some(TlsConfig {
        cert: dir.join("server.pem"),
        key: dir.join("server.key"),
        client_ca: mutual.then(|| dir.join("ca.pem")),
    });
    start(settings).await.expect("TLS server")
}

fn client(server: &RunningServer, tls: &ServiceTls) -> ScoringClient {
    let endpoint = format!("https://localhost:{}", server.addr.port());
    ScoringClient::connect_lazy_with(&endpoint, None, tls).expect("a valid TLS configuration")
}

/// The error and all its sources, for the assertions on what it says.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[tokio::test]
async fn the_gateway_reaches_the_service_over_tls_and_refuses_a_wrong_ca() {
    let certs = tempfile::tempdir().expect("tmp");
    if make_certificates(certs.path()).is_none() {
        return;
    }
    let dir = certs.path();
    let (_registry_dir, registry) = registry_with_v1();
    let server = tls_server(&registry, dir, false).await;

    let trusted = ServiceTls {
        ca: Some(dir.join("ca.pem")),
        ..ServiceTls::default()
    };
    let listed = client(&server, &trusted)
        .list_models(ListModelsRequest::default())
        .await
        .expect("ListModels over TLS");
    assert_eq!(listed.model_version, "v1");

    let wrong = ServiceTls {
        ca: Some(dir.join("other-ca.pem")),
        ..ServiceTls::default()
    };
    let refused = client(&server, &wrong)
        .list_models(ListModelsRequest::default())
        .await
        .expect_err("a certificate from another CA is refused");
    assert_eq!(refused.code(), tonic::Code::Unavailable, "{refused:?}");
    let said = chain(&refused);
    assert!(said.contains("UnknownIssuer"), "{said}");
    server.shutdown().await.expect("stop");
}

#[tokio::test]
async fn the_gateway_presents_its_certificate_for_mutual_tls() {
    let certs = tempfile::tempdir().expect("tmp");
    if make_certificates(certs.path()).is_none() {
        return;
    }
    let dir = certs.path();
    let (_registry_dir, registry) = registry_with_v1();
    let server = tls_server(&registry, dir, true).await;

    let with_identity = ServiceTls {
        ca: Some(dir.join("ca.pem")),
        client_cert: Some(dir.join("client.pem")),
        client_key: Some(dir.join("client.key")),
        domain: Some("localhost".into()),
    };
    let listed = client(&server, &with_identity)
        .list_models(ListModelsRequest::default())
        .await
        .expect("ListModels over mutual TLS");
    assert_eq!(listed.models.len(), 1);

    let anonymous = ServiceTls {
        ca: Some(dir.join("ca.pem")),
        ..ServiceTls::default()
    };
    let refused = client(&server, &anonymous)
        .list_models(ListModelsRequest::default())
        .await
        .expect_err("a gateway without a certificate is refused");
    // Under TLS 1.3 the server's refusal arrives after the handshake, as an
    // alert on the first read: UNKNOWN "transport error" or UNAVAILABLE,
    // either way naming the missing certificate.
    assert!(
        matches!(
            refused.code(),
            tonic::Code::Unavailable | tonic::Code::Unknown
        ),
        "{refused:?}"
    );
    assert!(
        format!("{refused:?}").contains("Certificate"),
        "{refused:?}"
    );
    server.shutdown().await.expect("stop");
}

#[test]
fn tls_options_on_a_plain_endpoint_are_refused_at_start() {
    let tls = ServiceTls {
        ca: Some("ca.pem".into()),
        ..ServiceTls::default()
    };
    let error = ScoringClient::connect_lazy_with("http://127.0.0.1:1", None, &tls)
        .err()
        .expect("refused");
    assert!(error.to_string().contains("https://"), "{error}");
}
