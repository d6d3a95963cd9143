//! The gateway side on axum: [`GatewayLayer`], a tower layer that turns Request4R requests back
//! into standard ones before the application's `Router` sees them, and encrypts its answers.
//!
//! For each request the layer:
//!
//! 1. maps the path `/v1/partners/request4r/...` back to `/v1/...` ([`route`]); any
//!    other path is answered 404 `ERROR_NOT_FOUND` before the body is read;
//! 2. reads the body, at most [`body_limit`](GatewayLayer::body_limit) bytes (413
//!    `ERROR_PAYLOAD_TOO_LARGE` beyond) within [`body_timeout`](GatewayLayer::body_timeout) (408
//!    `ERROR_REQUEST_TIMEOUT` beyond);
//! 3. decrypts it with [`Gateway::decrypt_request`]: a body that does not decrypt, or is not JSON,
//!    is answered 400 `{"code":"ERROR_INVALID_JWE_PAYLOAD","reason":"..."}`
//!    ([`Error::to_gateway_response`]) and the handler never runs;
//! 4. calls the inner service with the standard path, the plaintext JSON as the body
//!    (`Content-Type: application/json`) and a [`Decrypted`] extension (the `reference_id`, whether
//!    the body was encrypted);
//! 5. encrypts the answer with [`Gateway::respond`] (sandbox requests with `X-Skip-Encryption`
//!    stay plain only if the [`Gateway`] allows it). The handler must answer JSON or an empty body;
//!    anything else (or more than [`response_limit`](GatewayLayer::response_limit) bytes) is
//!    answered 500 `ERROR_INTERNAL`.
//!
//! Because the layer rewrites the path, it must wrap the whole `Router` (a layer added with
//! `Router::layer` runs after routing): `GatewayLayer::new(...).layer(router)`, served with
//! `axum::ServiceExt::into_make_service`. The handlers are then declared on their standard
//! `/v1/...` routes.
//!
//! ```no_run
//! use axum::{Router, ServiceExt, extract::Request, routing::post};
//! use jose_request4r::axum::{Decrypted, GatewayLayer};
//! use tower::Layer;
//!
//! async fn register(decrypted: Decrypted, body: String) -> String {
//!     // `body` is the decrypted JSON; the answer is encrypted by the layer.
//!     let _ = (decrypted.reference_id, body);
//!     r#"{"user_id":"u-1"}"#.to_owned()
//! }
//!
//! # async fn run(gateway: jose_request4r::Gateway) -> std::io::Result<()> {
//! let router = Router::new().route("/v1/auth/register-user-v2", post(register));
//! let app = GatewayLayer::new(gateway, jose::default_provider()).layer(router);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, ServiceExt::<Request>::into_make_service(app)).await
//! # }
//! ```
//!
//! Refusals carry the short, stable reasons of [`Error::gateway_reason`], never why a decryption
//! failed. The RSA decryption runs on the request's task (about a millisecond for a 2048-bit key).

use crate::{Error, Gateway, X_REFERENCE_ID, X_SKIP_ENCRYPTION, route};
use ::axum::body::{Body, Bytes};
use ::axum::extract::{FromRequestParts, Request};
use ::axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderMap, Uri};
use jose::CryptoProvider;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tower::{Layer, Service};

/// The default limit on a request body: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The default limit on a handler's answer: 4 MiB.
pub const DEFAULT_RESPONSE_LIMIT: usize = 4 * 1024 * 1024;

/// The default time allowed to read a body (the request's, and the handler's answer): 10 s.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// A tower layer running a [`Gateway`] in front of an axum `Router` (see the [module](self) docs).
///
/// `Debug` shows the keys' type and kid only.
#[derive(Debug, Clone)]
pub struct GatewayLayer {
    config: Config,
}

#[derive(Debug, Clone)]
struct Config {
    gateway: Gateway,
    provider: &'static dyn CryptoProvider,
    body_limit: usize,
    response_limit: usize,
    body_timeout: Duration,
}

impl GatewayLayer {
    /// A layer decrypting with `gateway`'s keys on `provider`, with the default limits.
    pub fn new(gateway: Gateway, provider: &'static dyn CryptoProvider) -> Self {
        GatewayLayer {
            config: Config {
                gateway,
                provider,
                body_limit: DEFAULT_BODY_LIMIT,
                response_limit: DEFAULT_RESPONSE_LIMIT,
                body_timeout: DEFAULT_BODY_TIMEOUT,
            },
        }
    }

    /// The largest request body read, in bytes (the JWE, before decryption); a larger one is
    /// answered 413 `ERROR_PAYLOAD_TOO_LARGE`. Default [`DEFAULT_BODY_LIMIT`].
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.config.body_limit = bytes;
        self
    }

    /// The largest handler answer encrypted, in bytes; a larger one is answered 500
    /// `ERROR_INTERNAL`. Default [`DEFAULT_RESPONSE_LIMIT`].
    pub fn response_limit(mut self, bytes: usize) -> Self {
        self.config.response_limit = bytes;
        self
    }

    /// The time allowed to read a request body (beyond it: 408 `ERROR_REQUEST_TIMEOUT`), and to
    /// read the handler's answer. Default [`DEFAULT_BODY_TIMEOUT`]. How long the handler itself
    /// runs is the application's to bound (a `tower` timeout, say).
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.config.body_timeout = timeout;
        self
    }
}

impl<S> Layer<S> for GatewayLayer {
    type Service = GatewayService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GatewayService {
            inner,
            config: Arc::new(self.config.clone()),
        }
    }
}

/// The service [`GatewayLayer`] makes around an inner service (an axum `Router`).
#[derive(Debug, Clone)]
pub struct GatewayService<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S> Service<Request> for GatewayService<S>
where
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The clone is the one that was not polled ready: swap so the ready one serves this call.
        let clone = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, clone);
        let config = Arc::clone(&self.config);
        Box::pin(async move { config.serve(ready, request).await })
    }
}

/// What the layer verified about a request, in its extensions and as an extractor.
///
/// Extracting it from a request the layer did not handle fails closed: 500 `ERROR_INTERNAL`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Decrypted {
    /// The correlation id: the request's `X-Reference-ID` header, or the string `reference_id`
    /// member of the plaintext (which the gateway then surfaces as that header).
    pub reference_id: Option<String>,
    /// True when the body was a JWE (or empty); false for a sandbox request with
    /// `X-Skip-Encryption` that the gateway accepted.
    pub encrypted: bool,
    /// The URI the partner called (`/v1/partners/request4r/...`), before the layer mapped it.
    pub request4r_uri: Uri,
}

impl<S: Send + Sync> FromRequestParts<S> for Decrypted {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Decrypted>()
            .cloned()
            .ok_or_else(|| Error::Http {
                expected: "a request decrypted by jose_request4r::axum::GatewayLayer",
                found: "a request the layer did not handle".into(),
            })
    }
}

/// The gateway's answer to the error: [`Error::to_gateway_response`].
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        self.to_gateway_response().map(Body::from)
    }
}

impl Config {
    async fn serve<S>(&self, mut inner: S, request: Request) -> Result<Response, S::Error>
    where
        S: Service<Request, Response = Response>,
    {
        #[cfg(feature = "tracing")]
        let started = std::time::Instant::now();
        let (plain, echo) = match self.open(request).await {
            Ok(opened) => opened,
            Err(e) => return Ok(self.refuse(e, "refused")),
        };
        #[cfg(feature = "tracing")]
        tracing::debug!(
            target: "jose_request4r::axum",
            reference_id = plain.extensions().get::<Decrypted>().and_then(|d| d.reference_id.as_deref()),
            "request decrypted"
        );
        let response = inner.call(plain).await?;
        let answer = match self.seal(&echo, response).await {
            Ok(answer) => answer,
            Err(e) => return Ok(self.refuse(e, "answer not sent")),
        };
        #[cfg(feature = "tracing")]
        tracing::info!(
            target: "jose_request4r::axum",
            outcome = "answered",
            status = answer.status().as_u16(),
            latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            "request4r request served"
        );
        Ok(answer)
    }

    /// Steps 1 to 3: the standard request for the inner service, with [`Decrypted`] in its
    /// extensions, and the headers [`Gateway::respond`] reads.
    async fn open(&self, request: Request) -> Result<(Request, http::Request<()>), Error> {
        let (parts, body) = request.into_parts();
        // Not a Request4R route: answered before reading anything.
        route::standard_uri(&parts.uri)?;
        let request4r_uri = parts.uri.clone();
        let declared = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > u64::try_from(self.body_limit).unwrap_or(u64::MAX)) {
            return Err(Error::BodyTooLarge {
                what: "request body",
                limit: self.body_limit,
            });
        }
        let bytes = read_body(body, self.body_limit, self.body_timeout, "request body").await?;
        let plain = self
            .gateway
            .decrypt_request(http::Request::from_parts(parts, bytes), self.provider)?;
        let (mut parts, text) = plain.into_parts();
        let decrypted = Decrypted {
            reference_id: crate::partner::header_str(&parts.headers, &X_REFERENCE_ID)
                .map(str::to_owned),
            encrypted: !parts.headers.contains_key(&X_SKIP_ENCRYPTION),
            request4r_uri,
        };
        parts.extensions.insert(decrypted);
        let mut echo = http::Request::new(());
        *echo.headers_mut() = respond_headers(&parts.headers);
        Ok((Request::from_parts(parts, Body::from(text)), echo))
    }

    /// Step 5: the handler's answer, encrypted (or plain for an accepted sandbox request).
    async fn seal(&self, echo: &http::Request<()>, response: Response) -> Result<Response, Error> {
        let (parts, body) = response.into_parts();
        let sealed = async {
            let bytes = read_body(
                body,
                self.response_limit,
                self.body_timeout,
                "handler response",
            )
            .await?;
            self.gateway.respond(
                echo,
                http::Response::from_parts(parts, bytes),
                self.provider,
            )
        }
        .await;
        match sealed {
            Ok(answer) => Ok(answer.map(Body::from)),
            // Our own key or provider failing stays as it is; the rest is the handler's answer.
            Err(e) if e.class() == jose::ErrorClass::Local => Err(e),
            Err(e) => Err(Error::HandlerResponse(Box::new(e))),
        }
    }

    fn refuse(&self, error: Error, outcome: &'static str) -> Response {
        #[cfg(feature = "tracing")]
        tracing::warn!(
            target: "jose_request4r::axum",
            outcome,
            status = error.gateway_status().as_u16(),
            code = error.gateway_code(),
            error = %jose::error::display_chain(&error),
            "request4r request not served"
        );
        #[cfg(not(feature = "tracing"))]
        let _ = outcome;
        error.into_response()
    }
}

/// The request headers [`Gateway::respond`] reads (the sandbox switch and the reference id),
/// copied so that the request itself can go to the handler.
fn respond_headers(headers: &HeaderMap) -> HeaderMap {
    let mut kept = HeaderMap::new();
    for name in [X_SKIP_ENCRYPTION, X_REFERENCE_ID] {
        if let Some(value) = headers.get(&name) {
            kept.insert(name, value.clone());
        }
    }
    kept
}

/// Reads a whole body, at most `limit` bytes, within `timeout`.
async fn read_body(
    body: Body,
    limit: usize,
    timeout: Duration,
    what: &'static str,
) -> Result<Bytes, Error> {
    match tokio::time::timeout(timeout, ::axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) if is_over_limit(&e) => Err(Error::BodyTooLarge { what, limit }),
        Ok(Err(_)) => Err(Error::BodyIncomplete {
            what,
            timed_out: false,
        }),
        Err(_elapsed) => Err(Error::BodyIncomplete {
            what,
            timed_out: true,
        }),
    }
}

fn is_over_limit(error: &::axum::Error) -> bool {
    std::error::Error::source(error).is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
}
