//! The async client on reqwest (feature `client`).
//!
//! It sends the requests [`Client`] builds and parses the answers with
//! [`parse_protect_response`] and [`parse_unprotect_response`]. The reqwest dependency has no TLS
//! backend of its own: for `https://` URLs enable one on your reqwest dependency (features unify)
//! and pass your `reqwest::Client` to [`AsyncClient::with_http_client`].

use crate::client::{Client, parse_protect_response, parse_unprotect_response};
use crate::error::Error;
use crate::types::{ProtectRequest, ProtectResponse, UnprotectRequest, UnprotectResponse};

/// Largest answer body read, in bytes (32 MiB).
pub const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// An async 4Quays client.
#[derive(Debug, Clone)]
pub struct AsyncClient {
    http: reqwest::Client,
    client: Client,
}

impl AsyncClient {
    /// A client for `base_url` with `api_key`, on a new `reqwest::Client`.
    pub fn new(base_url: &str, api_key: &str) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| Error::Transport(e.to_string()))?;
        Self::with_http_client(http, base_url, api_key)
    }

    /// A client on your own `reqwest::Client` (timeouts, TLS, proxies are yours to set).
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
            .map_err(|e| Error::Transport(format!("cannot build the request: {e}")))?;
        let mut response = self
            .http
            .execute(request)
            .await
            .map_err(|e| Error::Transport(e.to_string()))?;
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| Error::Transport(e.to_string()))?
        {
            if body.len().saturating_add(chunk.len()) > MAX_RESPONSE_BYTES {
                return Err(Error::UnexpectedResponse {
                    status: response.status().as_u16(),
                    expected: "an answer of at most 32 MiB",
                    found: "a larger one".into(),
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
