//! Who is calling: the request id (the caller's `x-request-id`, or one made
//! up here) and the API key check. Keys are bearer tokens
//! (`authorization: Bearer <key>`) stored only as hex sha256 hashes, each
//! naming its caller; the caller's name travels in the request extensions
//! to the audit log.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use tonic::service::Interceptor;
use tonic::{Request, Status};

use crate::config::ApiKey;

/// The request id of a call (extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// The authenticated caller's name (extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller(pub String);

/// Longest `x-request-id` taken from a caller.
const MAX_REQUEST_ID: usize = 128;

/// The interceptor in front of the scoring service.
#[derive(Debug, Clone)]
pub struct Gate {
    /// sha256 hex → caller; `None` when authentication is disabled.
    keys: Option<Arc<HashMap<String, String>>>,
    ids: Arc<IdSource>,
}

#[derive(Debug)]
struct IdSource {
    prefix: u64,
    next: AtomicU64,
}

impl Gate {
    pub fn new(keys: Option<&[ApiKey]>) -> Self {
        let keys = keys.map(|keys| {
            Arc::new(
                keys.iter()
                    .map(|k| (k.sha256.to_ascii_lowercase(), k.caller.clone()))
                    .collect(),
            )
        });
        let prefix = std::collections::hash_map::RandomState::new().hash_one(std::process::id());
        Self {
            keys,
            ids: Arc::new(IdSource {
                prefix,
                next: AtomicU64::new(0),
            }),
        }
    }

    fn request_id<T>(&self, request: &Request<T>) -> String {
        let given = request
            .metadata()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| {
                !v.is_empty()
                    && v.len() <= MAX_REQUEST_ID
                    && v.bytes().all(|b| b.is_ascii_graphic())
            });
        match given {
            Some(id) => id.to_owned(),
            None => {
                let n = self.ids.next.fetch_add(1, Ordering::Relaxed);
                format!("{:016x}-{n:08x}", self.ids.prefix)
            }
        }
    }

    fn caller<T>(&self, request: &Request<T>) -> Result<String, Status> {
        let Some(keys) = &self.keys else {
            return Ok("anonymous".to_owned());
        };
        let token = request
            .metadata()
            .get("authorization")
            .ok_or_else(|| Status::unauthenticated("missing `authorization: Bearer <API key>`"))?
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| Status::unauthenticated("`authorization` is not `Bearer <API key>`"))?;
        let hash = hex::encode(Sha256::digest(token.as_bytes()));
        keys.get(&hash)
            .cloned()
            .ok_or_else(|| Status::unauthenticated("unknown API key"))
    }
}

impl Interceptor for Gate {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let id = self.request_id(&request);
        tracing::Span::current().record("request_id", id.as_str());
        let caller = match self.caller(&request) {
            Ok(caller) => caller,
            Err(status) => {
                crate::metrics::record_unauthenticated();
                tracing::info!(request_id = %id, "refused an unauthenticated request");
                return Err(status);
            }
        };
        request.extensions_mut().insert(RequestId(id));
        request.extensions_mut().insert(Caller(caller));
        Ok(request)
    }
}

/// The hex sha256 to store in the configuration for an API key.
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(auth: Option<&str>) -> Request<()> {
        let mut r = Request::new(());
        if let Some(a) = auth {
            r.metadata_mut()
                .insert("authorization", a.parse().expect("ascii"));
        }
        r
    }

    #[test]
    fn keys_are_checked_by_hash_and_name_the_caller() {
        let keys = [ApiKey {
            caller: "dashboard".into(),
            sha256: hash_key("s3cret"),
        }];
        let mut gate = Gate::new(Some(&keys));
        let ok = gate
            .call(request(Some("Bearer s3cret")))
            .expect("valid key");
        assert_eq!(
            ok.extensions().get::<Caller>(),
            Some(&Caller("dashboard".into()))
        );
        for bad in [None, Some("Bearer nope"), Some("Basic s3cret")] {
            let status = gate.call(request(bad)).expect_err("refused");
            assert_eq!(status.code(), tonic::Code::Unauthenticated);
        }
    }

    #[test]
    fn request_ids_are_taken_or_made_up() {
        let mut gate = Gate::new(None);
        let mut r = request(None);
        r.metadata_mut()
            .insert("x-request-id", "abc-1".parse().expect("ascii"));
        let r = gate.call(r).expect("no auth");
        assert_eq!(
            r.extensions().get::<RequestId>(),
            Some(&RequestId("abc-1".into()))
        );
        let a = gate.call(request(None)).expect("no auth");
        let b = gate.call(request(None)).expect("no auth");
        assert_ne!(
            a.extensions().get::<RequestId>(),
            b.extensions().get::<RequestId>()
        );
    }
}
