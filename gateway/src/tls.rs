//! How the gateway reaches the scoring service over TLS: the CA that signs
//! the service's certificate (the system's roots when none is given), the
//! gateway's own certificate and key for mutual TLS, and the name to verify
//! when the endpoint is an address (a pod IP behind a headless Service).

use std::path::{Path, PathBuf};

use tonic::transport::{Certificate, ClientTlsConfig, Identity};

use crate::error::StartError;

/// TLS settings of the connection to the scoring service; all optional.
#[derive(Clone, Debug, Default)]
pub struct ServiceTls {
    /// PEM CA certificate(s) trusted for the service's certificate.
    pub ca: Option<PathBuf>,
    /// PEM certificate chain the gateway presents (mutual TLS).
    pub client_cert: Option<PathBuf>,
    /// PEM private key of `client_cert`.
    pub client_key: Option<PathBuf>,
    /// Name the service's certificate must carry, when it is not the
    /// endpoint's host.
    pub domain: Option<String>,
}

impl ServiceTls {
    /// The TLS configuration for `endpoint`: `None` for `http://` (and an
    /// error if TLS options were given for it), `Some` for `https://`.
    pub fn client_config(&self, endpoint: &str) -> Result<Option<ClientTlsConfig>, StartError> {
        let https = endpoint
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
        let any_option = self.ca.is_some()
            || self.client_cert.is_some()
            || self.client_key.is_some()
            || self.domain.is_some();
        if !https {
            return if any_option {
                Err(StartError::TlsNeedsHttps {
                    endpoint: endpoint.to_owned(),
                })
            } else {
                Ok(None)
            };
        }
        let mut config = match &self.ca {
            Some(ca) => ClientTlsConfig::new().ca_certificate(Certificate::from_pem(read(ca)?)),
            None => ClientTlsConfig::new().with_native_roots(),
        };
        match (&self.client_cert, &self.client_key) {
            (Some(cert), Some(key)) => {
                config = config.identity(Identity::from_pem(read(cert)?, read(key)?));
            }
            (None, None) => {}
            (Some(_), None) => {
                return Err(StartError::TlsNeeds {
                    flag: "--scoring-client-cert",
                    needs: "--scoring-client-key",
                });
            }
            (None, Some(_)) => {
                return Err(StartError::TlsNeeds {
                    flag: "--scoring-client-key",
                    needs: "--scoring-client-cert",
                });
            }
        }
        if let Some(domain) = &self.domain {
            config = config.domain_name(domain.clone());
        }
        Ok(Some(config))
    }
}

fn read(path: &Path) -> Result<Vec<u8>, StartError> {
    std::fs::read(path).map_err(|source| StartError::TlsFile {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_endpoints_need_no_tls_and_refuse_tls_options() {
        let none = ServiceTls::default();
        assert!(matches!(none.client_config("http://127.0.0.1:1"), Ok(None)));
        assert!(matches!(none.client_config("https://svc:443"), Ok(Some(_))));
        let with_ca = ServiceTls {
            ca: Some("ca.pem".into()),
            ..ServiceTls::default()
        };
        let error = with_ca.client_config("http://svc:50051").unwrap_err();
        assert!(error.to_string().contains("https://"), "{error}");
    }

    #[test]
    fn a_half_identity_or_a_missing_file_is_refused_by_name() {
        let half = ServiceTls {
            client_cert: Some("c.pem".into()),
            ..ServiceTls::default()
        };
        let error = half.client_config("https://svc").unwrap_err();
        assert!(
            error.to_string().contains("--scoring-client-key"),
            "{error}"
        );
        let half = ServiceTls {
            client_key: Some("c.key".into()),
            ..ServiceTls::default()
        };
        let error = half.client_config("https://svc").unwrap_err();
        assert!(
            error.to_string().contains("--scoring-client-cert"),
            "{error}"
        );
        let missing = ServiceTls {
            ca: Some("/no/such/ca.pem".into()),
            ..ServiceTls::default()
        };
        let error = missing.client_config("https://svc").unwrap_err();
        assert!(error.to_string().contains("/no/such/ca.pem"), "{error}");
    }
}
