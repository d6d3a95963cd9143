//! HTTPS: the service terminates TLS (rustls on aws-lc-rs) with a certificate from a test CA made
//! here; the crate's client (trusting only that CA), and curl, protect and unprotect through it.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{API_KEY, TestServer, aws, engine};
use jose_4quays::server::{Settings, TlsFiles};
use jose_4quays::{AsyncClient, ClientOptions, ProtectRequest, UnprotectRequest};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Writes a test CA (`ca.pem`) and a server certificate for localhost, 127.0.0.1 and ::1 signed
/// by it (`cert.pem`, `key.pem`) into `dir`.
fn test_pki(dir: &Path) -> (PathBuf, TlsFiles) {
    let pki = jose_test_support::TestPki::new("4quays").unwrap();
    let ca_path = dir.join("ca.pem");
    std::fs::write(&ca_path, &pki.ca_pem).unwrap();
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&files.cert, &pki.cert_pem).unwrap();
    std::fs::write(&files.key, &pki.key_pem).unwrap();
    (ca_path, files)
}

async fn tls_server(dir: &Path) -> (TestServer, PathBuf) {
    let (ca, files) = test_pki(dir);
    let settings = Settings {
        tls: Some(files),
        ..Settings::default()
    };
    (TestServer::start_with(engine(aws()), settings).await, ca)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_crate_client_speaks_https_trusting_a_ca_file() {
    let dir = tempfile::tempdir().unwrap();
    let (server, ca) = tls_server(dir.path()).await;
    assert!(server.base.starts_with("https://127.0.0.1:"));
    let options = ClientOptions {
        ca_file: Some(ca),
        ..ClientOptions::default()
    };
    let client = AsyncClient::with_options(&server.base, API_KEY, &options).unwrap();
    let payload = json!({"secret": "over TLS", "amount": 5000});
    let protected = client
        .protect(&ProtectRequest::new(payload.clone()), Some("tls-1"))
        .await
        .unwrap();
    assert_eq!(protected.request_id(), "tls-1");
    let opened = client
        .unprotect(
            &UnprotectRequest::jwe(protected.jwe().unwrap().clone()),
            None,
        )
        .await
        .unwrap();
    assert_eq!(opened.payload, payload);

    // The same service is not trusted without the test CA (the system's roots do not know it).
    let untrusting = AsyncClient::new(&server.base, API_KEY).unwrap();
    let err = untrusting
        .protect(&ProtectRequest::new(json!(1)), None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, jose_4quays::Error::Transport { .. }),
        "{err:?}"
    );

    // Plain HTTP on the TLS port gets no HTTP answer.
    let addr = server.base.trim_start_matches("https://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buf)).await;
    assert!(!buf.starts_with(b"HTTP/1.1 200"), "{buf:?}");
    server.stop().await;
}

/// Runs curl with the test CA: (HTTP status, body).
fn curl(ca: &Path, url: &str, body: &str) -> (u16, Value) {
    let mut child = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "20",
            "--cacert",
            ca.to_str().unwrap(),
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            // The API key comes on stdin, not on curl's command line.
            "-H",
            "@-",
            "--data-binary",
            body,
            "-w",
            "\n%{http_code}",
            url,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("curl is installed (.ci/run installs it)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("Authorization: Bearer {API_KEY}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let (body, status) = text.rsplit_once('\n').unwrap();
    (status.parse().unwrap(), serde_json::from_str(body).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_speaks_https_to_the_service() {
    let dir = tempfile::tempdir().unwrap();
    let (server, ca) = tls_server(dir.path()).await;
    let protect_url = server.url("/api/v1/protect");
    let unprotect_url = server.url("/api/v1/unprotect");
    let (status, protected, status2, opened) = tokio::task::spawn_blocking(move || {
        let (status, protected) = curl(&ca, &protect_url, r#"{"payload":{"via":"curl"}}"#);
        let (status2, opened) = curl(
            &ca,
            &unprotect_url,
            &json!({"jwe": protected["jwe"]}).to_string(),
        );
        (status, protected, status2, opened)
    })
    .await
    .unwrap();
    assert_eq!(status, 200, "{protected}");
    assert_eq!(status2, 200, "{opened}");
    assert_eq!(opened["payload"], json!({"via": "curl"}));
    server.stop().await;
}
