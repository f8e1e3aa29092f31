//! Test certificates made by the `openssl` command: a CA, a server
//! certificate for `localhost` and a client certificate it signs, and a
//! second, unrelated CA (the "wrong CA"). Missing `openssl` follows the
//! [`crate::prerequisite`] rule.

use std::path::Path;
use std::process::Command;

use crate::prerequisite::missing;

fn openssl(dir: &Path, args: &[&str]) -> Result<(), String> {
    let output = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run openssl: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn self_signed_ca(key: &str, pem: &str, name: &str) -> Vec<String> {
    [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", pem, "-days", "1",
        "-subj", name,
    ]
    .map(str::to_owned)
    .to_vec()
}

fn signed(name: &str, subject: &str, ext: &str) -> [Vec<String>; 2] {
    let (key, csr, pem) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.pem"),
    );
    [
        [
            "req", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj", subject,
        ]
        .map(str::to_owned)
        .to_vec(),
        [
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &pem,
            "-days",
            "1",
            "-extfile",
            ext,
        ]
        .map(str::to_owned)
        .to_vec(),
    ]
}

/// Writes into `dir`: `ca.pem`, `server.pem`/`server.key` (`localhost`),
/// `client.pem`/`client.key` (`dashboard`), `other-ca.pem`. `None` (or a
/// panic under CI) when openssl is missing or fails.
#[track_caller]
pub fn make_certificates(dir: &Path) -> Option<()> {
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost\n").expect("ext");
    // Extensions make it an X.509 v3 certificate, which rustls requires.
    std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").expect("ext");
    let mut steps = vec![self_signed_ca("ca.key", "ca.pem", "/CN=test-ca")];
    steps.extend(signed("server", "/CN=localhost", "san.ext"));
    steps.extend(signed("client", "/CN=dashboard", "client.ext"));
    steps.push(self_signed_ca(
        "other-ca.key",
        "other-ca.pem",
        "/CN=other-ca",
    ));
    for step in &steps {
        let args: Vec<&str> = step.iter().map(String::as_str).collect();
        if let Err(why) = openssl(dir, &args) {
            return missing(&format!(
                "the openssl command, to make test certificates ({why})"
            ));
        }
    }
    Some(())
}
