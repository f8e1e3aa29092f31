//! A real S3-compatible server for the registry's tests: moto's server
//! (PyPI `moto[server]`) started on 127.0.0.1 on a port it picks, one per
//! test, stopped when dropped. Missing, it follows the [`crate::prerequisite`]
//! rule.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use scoring_core::registry::RegistryLocation;

use crate::prerequisite::missing;

/// A running S3-compatible server on loopback.
#[derive(Debug)]
pub struct S3Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
}

const INSTALL: &str = "an S3-compatible server for the registry tests: pip install 'moto[server]' \
     (deploy/prerequisites.sh does)";

impl S3Server {
    /// Starts the server, or says why it cannot (see [`missing`]).
    #[track_caller]
    pub fn start() -> Option<Self> {
        let spawned = Command::new("python3")
            .args(["-m", "moto.server", "--host", "127.0.0.1", "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        let Ok(mut child) = spawned else {
            return missing(&format!("python3 to run {INSTALL}"));
        };
        // Werkzeug announces `Running on http://127.0.0.1:<port>` on stderr.
        let stderr = child.stderr.take().expect("stderr is piped");
        let mut lines = BufReader::new(stderr).lines();
        let mut said = Vec::new();
        let endpoint = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(at) = line.find("http://127.0.0.1:") {
                        break Some(line[at..].trim().to_owned());
                    }
                    said.push(line);
                }
                _ => break None,
            }
        };
        let Some(endpoint) = endpoint else {
            let _ = child.kill();
            let _ = child.wait();
            return missing(&format!("{INSTALL}; the server said: {}", said.join(" | ")));
        };
        // Keep reading its log so that the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.by_ref() {});
        Some(Self { child, endpoint })
    }

    /// The settings a registry client needs for this server (as variables:
    /// `AWS_ENDPOINT`, ... for a child process's environment).
    pub fn settings(&self) -> Vec<(String, String)> {
        [
            ("aws_endpoint", self.endpoint.as_str()),
            ("aws_allow_http", "true"),
            ("aws_access_key_id", "test-access-key"),
            ("aws_secret_access_key", "test-secret-key"),
            ("aws_region", "us-east-1"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    }

    /// [`Self::settings`] as environment variables.
    pub fn env(&self) -> Vec<(String, String)> {
        self.settings()
            .into_iter()
            .map(|(k, v)| (k.to_ascii_uppercase(), v))
            .collect()
    }

    /// Creates bucket `name` and returns the registry location
    /// `s3://<name>/<prefix>` with this server's settings.
    pub fn registry(&self, bucket: &str, prefix: &str) -> RegistryLocation {
        self.create_bucket(bucket);
        RegistryLocation::parse(&format!("s3://{bucket}/{prefix}"))
            .expect("valid URL")
            .with_settings(self.settings())
    }

    /// `PUT /<bucket>` (moto does not check signatures).
    pub fn create_bucket(&self, bucket: &str) {
        let host = self.endpoint.trim_start_matches("http://");
        let mut stream = TcpStream::connect(host).expect("connect to the S3 server");
        write!(
            stream,
            "PUT /{bucket} HTTP/1.1\r\nhost: {host}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        )
        .expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        assert!(
            response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200"),
            "creating bucket {bucket}: {response}"
        );
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
