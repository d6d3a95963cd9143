//! The partner side on reqwest: [`PartnerMiddleware`], a `reqwest_middleware::Middleware` that
//! sends every request as a Request4R request and hands back the decrypted answer.
//!
//! For each request the middleware:
//!
//! 1. maps the URL's path `/v1/...` to `/v1/partners/request4r/...` ([`route`](crate::route);
//!    scheme, host, any base path and the query kept);
//! 2. encrypts the JSON body with [`Partner::encrypt_request`] (the body must be buffered, as
//!    `RequestBuilder::body` with bytes or a string makes it; a streaming body is refused);
//! 3. sends it, with [`timeout`](PartnerMiddleware::timeout) as the request's timeout unless it
//!    has its own (reqwest's request timeout covers reading the answer too);
//! 4. reads the answer, at most [`response_limit`](PartnerMiddleware::response_limit) bytes, and
//!    decrypts it with [`Partner::decrypt_response_text`]: the caller gets a response with the same
//!    status and headers, `Content-Type: application/json` and the plaintext JSON as the body,
//!    exactly as the RaaS encrypted it.
//!
//! Errors: a transport failure stays `reqwest_middleware::Error::Reqwest`; everything Request4R
//! refuses is `reqwest_middleware::Error::Middleware` holding this crate's [`Error`], which
//! [`request4r_error`] gets back. An error status from the API (the gateway's 400
//! `ERROR_INVALID_JWE_PAYLOAD` among them) is [`Error::Api`] with the typed [`ApiError`](crate::ApiError);
//! an answer that does not decrypt is [`Error::DecryptionFailed`]; a plain JSON success answer is
//! [`Error::PlainResponseRefused`] unless the [`Partner`] accepts it.
//!
//! ```no_run
//! use jose_request4r::Partner;
//! use jose_request4r::reqwest::{PartnerMiddleware, request4r_error};
//!
//! # async fn run(partner: Partner) -> Result<(), Box<dyn std::error::Error>> {
//! let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!     .with(PartnerMiddleware::new(partner, jose::default_provider()))
//!     .build();
//! let sent = client
//!     .post("https://sandbox.leap.example/v1/auth/register-user-v2") // sent to .../v1/partners/request4r/...
//!     .header("api_key", "tenant-key")
//!     .body(r#"{"email":"ada@example.com"}"#)
//!     .send()
//!     .await;
//! match sent {
//!     Ok(response) => println!("{}", response.text().await?), // the decrypted JSON
//!     Err(e) => match request4r_error(&e).and_then(|e| e.api()) {
//!         Some(api) if api.is_invalid_jwe_payload() => eprintln!("the gateway refused the body"),
//!         _ => return Err(e.into()),
//!     },
//! }
//! # Ok(()) }
//! ```

use crate::{Error, Partner};
use ::reqwest::ResponseBuilderExt;
use http::Extensions;
use jose::CryptoProvider;
use reqwest_middleware::{Middleware, Next};
use std::time::Duration;

/// The default limit on an answer's body: 4 MiB.
pub const DEFAULT_RESPONSE_LIMIT: usize = 4 * 1024 * 1024;

/// The default request timeout set on requests that have none: 30 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A reqwest middleware running a [`Partner`] (see the [module](self) docs).
///
/// `Debug` shows the keys' type and kid only.
#[derive(Debug, Clone)]
pub struct PartnerMiddleware {
    partner: Partner,
    provider: &'static dyn CryptoProvider,
    response_limit: usize,
    timeout: Duration,
}

impl PartnerMiddleware {
    /// A middleware encrypting and decrypting with `partner`'s keys and options on `provider`.
    pub fn new(partner: Partner, provider: &'static dyn CryptoProvider) -> Self {
        PartnerMiddleware {
            partner,
            provider,
            response_limit: DEFAULT_RESPONSE_LIMIT,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The largest answer body read, in bytes (the JWE, before decryption); a larger one is
    /// [`Error::BodyTooLarge`]. Default [`DEFAULT_RESPONSE_LIMIT`].
    pub fn response_limit(mut self, bytes: usize) -> Self {
        self.response_limit = bytes;
        self
    }

    /// The timeout given to requests that have none (from the request to the end of the answer's
    /// body). Default [`DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Steps 1 and 2: the request routed and its body encrypted, in place.
    fn encrypt(&self, request: &mut ::reqwest::Request) -> Result<(), Error> {
        let sent = {
            let body: &[u8] = match request.body() {
                None => &[],
                Some(body) => body.as_bytes().ok_or_else(|| Error::Http {
                    expected: "a buffered request body (bytes or a string)",
                    found: "a streaming body".into(),
                })?,
            };
            let path: http::Uri = request.url().path().parse().map_err(|_| Error::Http {
                expected: "a URL path that is a valid URI path",
                found: crate::error::clip(request.url().path(), 128),
            })?;
            let mut plain = http::Request::new(body);
            *plain.method_mut() = request.method().clone();
            *plain.uri_mut() = path;
            *plain.headers_mut() = request.headers().clone();
            self.partner.encrypt_request(plain, self.provider)?
        };
        let (parts, body) = sent.into_parts();
        request.url_mut().set_path(parts.uri.path());
        *request.headers_mut() = parts.headers;
        *request.body_mut() = Some(::reqwest::Body::from(body));
        if request.timeout().is_none() {
            *request.timeout_mut() = Some(self.timeout);
        }
        Ok(())
    }

    /// Step 4: the answer, read (bounded) and decrypted.
    async fn decrypt(
        &self,
        mut response: ::reqwest::Response,
    ) -> Result<::reqwest::Response, reqwest_middleware::Error> {
        let url = response.url().clone();
        let extensions = std::mem::take(response.extensions_mut());
        let mut received = http::Response::new(());
        *received.status_mut() = response.status();
        *received.version_mut() = response.version();
        *received.headers_mut() = response.headers().clone();
        let body = self.read(response).await?;
        let (parts, ()) = received.into_parts();
        let plain = self
            .partner
            .decrypt_response_text(http::Response::from_parts(parts, body), self.provider)
            .map_err(middleware_error)?;
        let (parts, text) = plain.into_parts();
        let mut out = http::Response::builder()
            .url(url)
            .body(::reqwest::Body::from(text))
            .map_err(|e| {
                middleware_error(Error::Http {
                    expected: "a response that http can rebuild",
                    found: e.to_string(),
                })
            })?;
        *out.status_mut() = parts.status;
        *out.version_mut() = parts.version;
        *out.headers_mut() = parts.headers;
        out.extensions_mut().extend(extensions);
        Ok(::reqwest::Response::from(out))
    }

    /// The answer's body, at most `response_limit` bytes.
    async fn read(
        &self,
        mut response: ::reqwest::Response,
    ) -> Result<Vec<u8>, reqwest_middleware::Error> {
        let limit = self.response_limit;
        let too_large = || {
            middleware_error(Error::BodyTooLarge {
                what: "response body",
                limit,
            })
        };
        if response
            .content_length()
            .is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX))
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if body.len().saturating_add(chunk.len()) > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

#[async_trait::async_trait]
impl Middleware for PartnerMiddleware {
    async fn handle(
        &self,
        mut request: ::reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<::reqwest::Response> {
        #[cfg(feature = "tracing")]
        let started = std::time::Instant::now();
        self.encrypt(&mut request).map_err(middleware_error)?;
        let response = next.run(request, extensions).await?;
        #[cfg(feature = "tracing")]
        let status = response.status().as_u16();
        let outcome = self.decrypt(response).await;
        #[cfg(feature = "tracing")]
        tracing::debug!(
            target: "jose_request4r::reqwest",
            outcome = if outcome.is_ok() { "decrypted" } else { "refused" },
            status,
            latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            "request4r call"
        );
        outcome
    }
}

/// This crate's error inside a middleware error, if it holds one (see the [module](self) docs).
pub fn request4r_error(error: &reqwest_middleware::Error) -> Option<&Error> {
    match error {
        reqwest_middleware::Error::Middleware(e) => e.downcast_ref::<Error>(),
        reqwest_middleware::Error::Reqwest(_) => None,
    }
}

fn middleware_error(error: Error) -> reqwest_middleware::Error {
    reqwest_middleware::Error::middleware(error)
}
