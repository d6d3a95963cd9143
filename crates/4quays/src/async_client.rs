//! The async client on reqwest (feature `client`).
//!
//! It sends the requests [`Client`] builds and parses the answers with
//! [`parse_protect_response`] and [`parse_unprotect_response`]. It speaks `http://` and
//! `https://`: TLS is rustls on aws-lc-rs, and the server's certificate is checked against the
//! system's root store (the platform verifier), or, when [`ClientOptions::ca_file`] is set,
//! against the CAs of that PEM file only. [`AsyncClient::new`] uses [`ClientOptions::default`]
//! (system roots, a 10 s connect timeout, 30 s for the whole request);
//! [`AsyncClient::with_options`] takes your own; and [`AsyncClient::with_http_client`] runs on a
//! `reqwest::Client` you built yourself.
//!
//! ```no_run
//! use jose_4quays::{AsyncClient, ClientOptions, ProtectRequest};
//! use std::time::Duration;
//!
//! # async fn run() -> Result<(), jose_4quays::Error> {
//! let options = ClientOptions {
//!     ca_file: Some("/etc/4quays/ca.pem".into()),
//!     timeout: Duration::from_secs(5),
//!     ..ClientOptions::default()
//! };
//! let client = AsyncClient::with_options("https://api.4quays.com", "sk_live_xxxxx", &options)?;
//! let answer = client
//!     .protect(&ProtectRequest::new(serde_json::json!({"transferId": "txn-12345"})), None)
//!     .await?;
//! # let _ = answer;
//! # Ok(()) }
//! ```

use crate::client::{Client, parse_protect_response, parse_unprotect_response};
use crate::error::Error;
use crate::types::{ProtectRequest, ProtectResponse, UnprotectRequest, UnprotectResponse};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Largest answer body read, in bytes (32 MiB).
pub const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// Largest CA file read, in bytes (1 MiB).
const MAX_CA_FILE_BYTES: usize = 1024 * 1024;

/// How [`AsyncClient::with_options`] builds its HTTP client. Build it with struct update syntax:
/// `ClientOptions { ca_file: Some(path), ..ClientOptions::default() }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// A PEM file of one or more `CERTIFICATE` blocks (at most 1 MiB): the CAs to trust for
    /// `https://`, *instead of* the system's root store. `None` (the default): the system's roots.
    pub ca_file: Option<PathBuf>,
    /// How long establishing a connection may take (default 10 s). Must not be zero.
    pub connect_timeout: Duration,
    /// How long a whole request may take, from connecting to the end of the answer's body
    /// (default 30 s). Must not be zero.
    pub timeout: Duration,
}

impl Default for ClientOptions {
    /// The system's root certificates, a 10 s connect timeout, 30 s for the whole request.
    fn default() -> Self {
        ClientOptions {
            ca_file: None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
        }
    }
}

/// An async 4Quays client.
#[derive(Debug, Clone)]
pub struct AsyncClient {
    http: reqwest::Client,
    client: Client,
}

impl AsyncClient {
    /// A client for `base_url` with `api_key`, on a new `reqwest::Client` built with
    /// [`ClientOptions::default`]: `with_options(base_url, api_key, &ClientOptions::default())`.
    pub fn new(base_url: &str, api_key: &str) -> Result<Self, Error> {
        Self::with_options(base_url, api_key, &ClientOptions::default())
    }

    /// A client for `base_url` with `api_key`, on a new `reqwest::Client` built with `options`.
    ///
    /// Errors: [`Error::InvalidInput`] for a bad base URL or API key (see [`Client::new`]), a zero
    /// timeout, or a CA file that holds no certificate or one that cannot be used (the message
    /// names the file); [`Error::Io`] for a CA file that cannot be read or is larger than 1 MiB;
    /// [`Error::Transport`] if the HTTP client cannot be built.
    pub fn with_options(
        base_url: &str,
        api_key: &str,
        options: &ClientOptions,
    ) -> Result<Self, Error> {
        // Check the URL and the key first: they are the caller's most likely mistakes.
        let client = Client::new(base_url, api_key)?;
        for (what, value) in [
            ("connect timeout", options.connect_timeout),
            ("timeout", options.timeout),
        ] {
            if value.is_zero() {
                return Err(Error::input(what, "a positive duration", "zero"));
            }
        }
        let mut builder = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout);
        if let Some(path) = &options.ca_file {
            builder = builder.tls_certs_only(read_ca_file(path)?);
        }
        let http = builder.build().map_err(|e| match &options.ca_file {
            // With our settings, the only thing the builder can refuse is a certificate.
            Some(path) => Error::input_caused(
                "CA file",
                "a PEM file of CA certificates",
                format!(
                    "{}, whose certificates the TLS library refuses",
                    path.display()
                ),
                e,
            ),
            None => Error::transport("cannot build the HTTP client", e),
        })?;
        Ok(AsyncClient { http, client })
    }

    /// A client on your own `reqwest::Client` (timeouts, TLS roots, proxies are yours to set).
    pub fn with_http_client(
        http: reqwest::Client,
        base_url: &str,
        api_key: &str,
    ) -> Result<Self, Error> {
        Ok(AsyncClient {
            http,
            client: Client::new(base_url, api_key)?,
        })
    }

    /// The sans-IO client that builds the requests.
    pub fn requests(&self) -> &Client {
        &self.client
    }

    /// `POST /api/v1/protect`.
    pub async fn protect(
        &self,
        body: &ProtectRequest,
        request_id: Option<&str>,
    ) -> Result<ProtectResponse, Error> {
        let request = self.client.protect_request(body, request_id)?;
        parse_protect_response(&self.send(request).await?)
    }

    /// `POST /api/v1/unprotect`.
    pub async fn unprotect(
        &self,
        body: &UnprotectRequest,
        request_id: Option<&str>,
    ) -> Result<UnprotectResponse, Error> {
        let request = self.client.unprotect_request(body, request_id)?;
        parse_unprotect_response(&self.send(request).await?)
    }

    /// Sends any request and returns the raw answer (status, headers, body up to
    /// [`MAX_RESPONSE_BYTES`]).
    pub async fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, Error> {
        let request = reqwest::Request::try_from(request)
            .map_err(|e| Error::transport("cannot build the request", e))?;
        let mut response = self
            .http
            .execute(request)
            .await
            .map_err(|e| Error::transport("cannot send the request", e))?;
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| Error::transport("cannot read the answer", e))?
        {
            if body.len().saturating_add(chunk.len()) > MAX_RESPONSE_BYTES {
                return Err(Error::UnexpectedResponse {
                    status: response.status().as_u16(),
                    expected: "an answer of at most 32 MiB",
                    found: "a larger one".into(),
                    source: None,
                });
            }
            body.extend_from_slice(&chunk);
        }
        let mut out = http::Response::new(body);
        *out.status_mut() = response.status();
        *out.headers_mut() = response.headers().clone();
        Ok(out)
    }
}

/// Reads the CA certificates of `path`: at most [`MAX_CA_FILE_BYTES`], one or more PEM
/// `CERTIFICATE` blocks (other blocks are skipped).
fn read_ca_file(path: &Path) -> Result<Vec<reqwest::Certificate>, Error> {
    let pem = crate::config::read_limited(path, "CA file", MAX_CA_FILE_BYTES)?;
    let expected = "a PEM file with one or more CERTIFICATE blocks";
    let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
        Error::input_caused(
            "CA file",
            expected,
            format!("{} with a malformed CERTIFICATE block", path.display()),
            e,
        )
    })?;
    if certificates.is_empty() {
        return Err(Error::input(
            "CA file",
            expected,
            format!("{} with no CERTIFICATE block", path.display()),
        ));
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    /// A self-signed EC P-256 CA certificate made for these tests (its key was thrown away).
    const TEST_CA: &str = "-----BEGIN CERTIFICATE-----
MIIBrDCCAVOgAwIBAgIUeYNuvbJNePAdgv9DKxg2aU+S11IwCgYIKoZIzj0EAwIw
KzEpMCcGA1UEAwwgam9zZS00cXVheXMgdGVzdCBDQSAodGVzdHMgb25seSkwIBcN
MjYxMjA0MjEwMjEyWhgPMjEyNjExMTAyMTAyMTJaMCsxKTAnBgNVBAMMIGpvc2Ut
NHF1YXlzIHRlc3QgQ0EgKHRlc3RzIG9ubHkpMFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAE4LEWZIwMqVIPcfmb22tZhM7W3AHTTdiMLnZXkz6E4QRGcMevxGk8q+hD
CqA7+0/mZ62s19ku9PYvKaa0Dnx/d6NTMFEwHQYDVR0OBBYEFPGrK/E+Isyx+Kwz
g0iyjzMANy2IMB8GA1UdIwQYMBaAFPGrK/E+Isyx+Kwzg0iyjzMANy2IMA8GA1Ud
EwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgXcsVljzul62dBLSDWD+QSA7r
n/f2LsOtO+GS3VGH0PUCIHSWSErMX+78m/c6mirwWmJ8TN5SOk2Hg+M3ilTIhCZs
-----END CERTIFICATE-----
";

    const KEY: &str = "sk_test_secret_key_value";

    fn with_ca(path: &Path) -> Result<AsyncClient, Error> {
        let options = ClientOptions {
            ca_file: Some(path.to_owned()),
            ..ClientOptions::default()
        };
        AsyncClient::with_options("https://api.4quays.example", KEY, &options)
    }

    fn with_ca_text(text: &[u8]) -> (tempfile::TempDir, PathBuf, Result<AsyncClient, Error>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, text).unwrap();
        let result = with_ca(&path);
        (dir, path, result)
    }

    #[test]
    fn defaults_are_system_roots_and_bounded_timeouts() {
        let options = ClientOptions::default();
        assert_eq!(options.ca_file, None);
        assert_eq!(options.connect_timeout, Duration::from_secs(10));
        assert_eq!(options.timeout, Duration::from_secs(30));
        AsyncClient::new("https://api.4quays.example", KEY).unwrap();
        AsyncClient::with_options("http://127.0.0.1:8080", KEY, &options).unwrap();
    }

    #[test]
    fn a_ca_file_with_certificates_is_accepted() {
        let (_dir, _, result) = with_ca_text(TEST_CA.as_bytes());
        result.unwrap();
        // Other PEM blocks beside the certificates are skipped; two certificates are fine.
        let text = format!(
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n{TEST_CA}{TEST_CA}"
        );
        let (_dir, _, result) = with_ca_text(text.as_bytes());
        result.unwrap();
    }

    #[test]
    fn a_missing_ca_file_is_an_io_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-such-ca.pem");
        let e = with_ca(&path).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Io {
                    what: "CA file",
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("no-such-ca.pem"), "{e}");
    }

    #[test]
    fn a_ca_file_without_certificates_is_invalid_input_naming_it() {
        for text in [
            &b""[..],
            b"not PEM at all\n",
            b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        ] {
            let (_dir, path, result) = with_ca_text(text);
            let e = result.unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::InvalidInput {
                        what: "CA file",
                        ..
                    }
                ),
                "{e:?}"
            );
            let message = e.to_string();
            assert!(message.contains(&path.display().to_string()), "{message}");
            assert!(message.contains("no CERTIFICATE block"), "{message}");
            assert!(!message.contains(KEY), "{message}");
        }
    }

    #[test]
    fn a_malformed_or_unusable_certificate_is_invalid_input_naming_the_file() {
        for text in [
            // Not base64.
            "-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n",
            // Base64 of bytes that are not a certificate.
            "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n",
            // Cut short.
            "-----BEGIN CERTIFICATE-----\nMIIBrDCCAVOgAwIBAgIUeYNuvbJNePAdgv9DKxg2aU+S11IwCgYIKoZIzj0EAwIw\n",
        ] {
            let (_dir, path, result) = with_ca_text(text.as_bytes());
            let e = result.unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::InvalidInput {
                        what: "CA file",
                        ..
                    }
                ),
                "{text}: {e:?}"
            );
            assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        }
    }

    #[test]
    fn an_oversized_ca_file_is_refused() {
        let mut text = TEST_CA.repeat(MAX_CA_FILE_BYTES / TEST_CA.len() + 1);
        text.truncate(MAX_CA_FILE_BYTES + 1);
        let (_dir, path, result) = with_ca_text(text.as_bytes());
        let e = result.unwrap_err();
        assert!(matches!(e, Error::Io { .. }), "{e:?}");
        assert!(
            jose::error::display_chain(&e).contains("at most 1048576 bytes"),
            "{e}"
        );
        assert!(e.to_string().contains(&path.display().to_string()), "{e}");
    }

    #[test]
    fn zero_timeouts_and_bad_urls_are_refused() {
        for options in [
            ClientOptions {
                timeout: Duration::ZERO,
                ..ClientOptions::default()
            },
            ClientOptions {
                connect_timeout: Duration::ZERO,
                ..ClientOptions::default()
            },
        ] {
            let e =
                AsyncClient::with_options("https://api.4quays.example", KEY, &options).unwrap_err();
            assert!(matches!(e, Error::InvalidInput { .. }), "{e:?}");
            assert!(e.to_string().contains("found zero"), "{e}");
        }
        let e = AsyncClient::with_options("ftp://x", KEY, &ClientOptions::default()).unwrap_err();
        assert!(e.to_string().contains("base URL"), "{e}");
    }

    #[test]
    fn debug_does_not_show_the_api_key() {
        let client = AsyncClient::new("https://api.4quays.example", KEY).unwrap();
        let debug = format!("{client:?}");
        assert!(!debug.contains(KEY), "{debug}");
    }
}
