//! TLS and mutual TLS with certificates made by the `openssl` command (a
//! test CA, a server certificate for `localhost`, a client certificate);
//! skipped with a message where `openssl` is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use scoring_grpc::config::TlsConfig;
use scoring_grpc::server::start;
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use test_support::*;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};

fn openssl(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// ca.pem, server.pem/server.key (localhost), client.pem/client.key.
fn make_certificates(dir: &Path) -> bool {
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost\n").expect("ext");
    // Extensions make it an X.509 v3 certificate, which rustls requires.
    std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").expect("ext");
    let steps: [&[&str]; 5] = [
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "1",
            "-subj",
            "/CN=test-ca",
        ],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "1",
            "-extfile",
            "san.ext",
        ],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "client.key",
            "-out",
            "client.csr",
            "-subj",
            "/CN=dashboard",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "client.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "client.pem",
            "-days",
            "1",
            "-extfile",
            "client.ext",
        ],
    ];
    steps.iter().all(|args| openssl(dir, args))
}

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
    if !make_certificates(certs.path()) {
        eprintln!("skipped: the openssl command is missing or failed");
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
