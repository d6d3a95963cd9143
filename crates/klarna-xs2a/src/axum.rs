//! The server side on axum and tower: [`Xs2aLayer`] opens every request before the handler runs
//! and seals the handler's JSON answer on the way out.
//!
//! For each request the layer, in order:
//!
//! 1. buffers the body, at most [`Xs2aLayer::with_body_limit`] bytes (1 MiB by default; more is
//!    `413`) within [`Xs2aLayer::with_read_timeout`] (30 s by default; later is `408`);
//! 2. turns it back into the plain request with [`Server::decrypt_request_async`]: `Content-Type:
//!    application/jose`, `POST <path>/get` and `POST <path>/delete` mapped back to `GET <path>`
//!    and `DELETE <path>`, the JWE decrypted with our key ring, the JWS verified with the
//!    client's keys, the `request_timestamp` checked against the server's [`Policy`](crate::Policy)
//!    and the `request_id` recorded in its [`ReplayStore`](crate::ReplayStore) (the same id
//!    again within the window is refused, `409`; a store that cannot answer, such as a shared
//!    Redis that is down, refuses the request with `503`, never lets it through);
//! 3. calls the handler with the verified JSON as the request body (`Content-Type:
//!    application/json`, so `axum::Json` reads it) and the [`OpenedRequest`] (body, `request_id`,
//!    `request_timestamp`, signing `kid`) in the request's extensions, where the
//!    [`OpenedRequest`] extractor takes it from;
//! 4. seals the handler's answer with [`Server::encrypt_response`] when its body is a JSON
//!    object (`response_timestamp` added, signed, encrypted, `Content-Type: application/jose`),
//!    whatever its status. An empty body (`204`) passes as it is; a 2xx whose body is not a JSON
//!    object is replaced by a `500` (the layer never lets an unsealed success out), an error
//!    status whose body is not JSON (axum's own rejections are text) passes as it is.
//!
//! A request that fails 1 or 2 never reaches the handler. It is answered with a small plain JSON
//! body, `{"error":{"code":…,"message":…}}` ([`Refusal`]): the status and code say what failed
//! (see [`Refusal::classify`]), the message says it in words without saying why a decryption or a
//! signature failed, and neither ever holds key material or any part of the plaintext.
//!
//! The layer must wrap the whole router ([`Xs2aLayer::wrap`]), not be added with
//! `Router::layer`: routing has to see the plain method and path (`GET /sessions/{id}`), and
//! `Router::layer` runs after routing, on the encrypted `POST /sessions/{id}/get`.
//!
//! The handler's own time is the application's to bound (tower's timeout middleware, for
//! example); the layer bounds what it waits for from the network and every buffer it fills.

use crate::error::Error;
use crate::http_util::{self, BodyType};
use crate::json;
use crate::server::{OpenedRequest, Server};
use ::axum::body::{Body, Bytes};
use ::axum::extract::{FromRequestParts, Request};
use ::axum::response::{IntoResponse, Response};
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use http::{HeaderMap, StatusCode};
use jose::CryptoProvider;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// The default largest request body the layer reads: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// The default largest handler answer the layer seals: 1 MiB.
pub const DEFAULT_RESPONSE_LIMIT: usize = 1024 * 1024;
/// The default time the layer waits for a request body: 30 seconds.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A tower layer that opens Klarna XS2A requests before the handler and seals its answers (see
/// the [module documentation](self)).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use jose::{KeySpec, PrivateKey};
/// # use jose_klarna_xs2a::{KeyRing, Opener, Sealer, Server, VerifierSet};
/// use axum::{Json, Router, routing::get};
/// use jose_klarna_xs2a::{OpenedRequest, axum::Xs2aLayer};
/// use serde_json::{Value, json};
///
/// # let provider = jose::default_provider();
/// # let rsa = || PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider);
/// # let (ours, theirs) = (rsa()?.with_kid("2AF92B1D"), rsa()?.with_kid("tpp-1"));
/// # let server = Server::new(
/// #     Sealer::new(ours.clone(), theirs.public_key())?,
/// #     Opener::new(KeyRing::new().with(ours)?, VerifierSet::new().with(theirs.public_key())?),
/// # );
/// async fn session(request: OpenedRequest) -> Json<Value> {
///     Json(json!({"data": {"signed_by": request.signing_kid}}))
/// }
/// // Arrives as POST /xs2a/v1/sessions/{id}/get; routed as the GET it stands for.
/// let router = Router::new().route("/xs2a/v1/sessions/{id}", get(session));
/// let app = Xs2aLayer::new(server, provider).wrap(router).into_make_service();
/// // axum::serve(listener, app).await?;
/// # let _ = app;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Xs2aLayer {
    config: Arc<Config>,
}

#[derive(Clone)]
struct Config {
    server: Server,
    provider: &'static dyn CryptoProvider,
    body_limit: usize,
    response_limit: usize,
    read_timeout: Duration,
}

impl fmt::Debug for Xs2aLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Xs2aLayer")
            .field("provider", &self.config.provider.name())
            .field("body_limit", &self.config.body_limit)
            .field("response_limit", &self.config.response_limit)
            .field("read_timeout", &self.config.read_timeout)
            .finish_non_exhaustive()
    }
}

impl Xs2aLayer {
    /// A layer that opens requests and seals answers with `server` (its keys, clock, time
    /// policy and replay store) on `provider`, with the default limits.
    pub fn new(server: Server, provider: &'static dyn CryptoProvider) -> Self {
        Xs2aLayer {
            config: Arc::new(Config {
                server,
                provider,
                body_limit: DEFAULT_BODY_LIMIT,
                response_limit: DEFAULT_RESPONSE_LIMIT,
                read_timeout: DEFAULT_READ_TIMEOUT,
            }),
        }
    }

    fn config_mut(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }

    /// The largest request body read, in bytes (default [`DEFAULT_BODY_LIMIT`]); a longer one is
    /// answered `413` without reading past the limit.
    pub fn with_body_limit(mut self, limit: usize) -> Self {
        self.config_mut().body_limit = limit;
        self
    }

    /// The largest handler answer sealed, in bytes (default [`DEFAULT_RESPONSE_LIMIT`]); a
    /// longer one is replaced by a `500`.
    pub fn with_response_limit(mut self, limit: usize) -> Self {
        self.config_mut().response_limit = limit;
        self
    }

    /// How long the layer waits for the whole request body (default [`DEFAULT_READ_TIMEOUT`]);
    /// a body still arriving then is answered `408`.
    pub fn with_read_timeout(mut self, timeout: Duration) -> Self {
        self.config_mut().read_timeout = timeout;
        self
    }

    /// Wraps `inner` (the whole `Router`) in the layer: the same as [`tower::Layer::layer`].
    pub fn wrap<S>(&self, inner: S) -> Xs2aService<S> {
        Xs2aService {
            inner,
            config: self.config.clone(),
        }
    }
}

impl<S> tower::Layer<S> for Xs2aLayer {
    type Service = Xs2aService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        self.wrap(inner)
    }
}

/// The service [`Xs2aLayer`] wraps around the router.
#[derive(Clone)]
pub struct Xs2aService<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S> fmt::Debug for Xs2aService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Xs2aService").finish_non_exhaustive()
    }
}

impl<S> Xs2aService<S>
where
    Self: tower::Service<Request, Response = Response, Error = Infallible>,
{
    /// The service as axum's `serve` takes it:
    /// `axum::serve(listener, layer.wrap(router).into_make_service())`.
    pub fn into_make_service(self) -> ::axum::routing::IntoMakeService<Self> {
        <Self as ::axum::ServiceExt<Request>>::into_make_service(self)
    }
}

impl<S> tower::Service<Request> for Xs2aService<S>
where
    S: tower::Service<Request, Error = Infallible> + Clone + Send + 'static,
    S::Response: IntoResponse,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The ready service answers this request; a fresh clone waits for the next one.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let config = self.config.clone();
        Box::pin(async move { Ok(config.handle(request, inner).await) })
    }
}

impl Config {
    async fn handle<S>(&self, request: Request, mut inner: S) -> Response
    where
        S: tower::Service<Request, Error = Infallible>,
        S::Response: IntoResponse,
    {
        let started = std::time::Instant::now();
        let (parts, body) = request.into_parts();
        let bytes = match self.read_body(&parts.headers, body).await {
            Ok(bytes) => bytes,
            Err(error) => return self.refuse(&error, started),
        };
        let opened = match self
            .server
            .decrypt_request_async(http::Request::from_parts(parts, bytes), self.provider)
            .await
        {
            Ok(opened) => opened,
            Err(error) => return self.refuse(&error, started),
        };
        let (mut parts, opened) = opened.into_parts();
        let json = match serde_json::to_vec(&opened.body) {
            Ok(json) => json,
            Err(_) => return internal_error("the verified body could not be passed on"),
        };
        event!(
            debug,
            outcome = "opened",
            kid = %opened.signing_kid,
            request_id = %opened.request_id,
            latency_us = micros(started),
            "klarna xs2a request opened"
        );
        parts.extensions.insert(opened);
        let response = match inner
            .call(Request::from_parts(parts, Body::from(json)))
            .await
        {
            Ok(response) => response.into_response(),
            Err(never) => match never {},
        };
        self.seal(response, started).await
    }

    /// The request body: at most `body_limit` bytes, within `read_timeout`.
    async fn read_body(&self, headers: &HeaderMap, body: Body) -> Result<Bytes, Error> {
        let too_large = Error::BodyTooLarge {
            what: "request body",
            limit: self.body_limit,
        };
        if declared_length(headers).is_some_and(|length| length > self.body_limit as u64) {
            return Err(too_large);
        }
        let read = ::axum::body::to_bytes(body, self.body_limit);
        match tokio::time::timeout(self.read_timeout, read).await {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(error)) if is_length_limit(&error) => Err(too_large),
            Ok(Err(_)) => Err(Error::MalformedBody {
                expected: "a request body that can be read to its end".into(),
                found: "a body that failed while being read".into(),
            }),
            Err(_) => Err(Error::TimedOut {
                what: "request body",
                after_ms: crate::clock::millis(self.read_timeout),
            }),
        }
    }

    /// The handler's answer, sealed when its body is a JSON object.
    async fn seal(&self, response: Response, started: std::time::Instant) -> Response {
        let (parts, body) = response.into_parts();
        let Ok(bytes) = ::axum::body::to_bytes(body, self.response_limit).await else {
            return internal_error("the handler's answer could not be read within the limit");
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Response::from_parts(parts, Body::from(bytes));
        }
        let object = match http_util::body_type(&parts.headers) {
            BodyType::Json => json::parse_object(&bytes).ok(),
            _ => None,
        };
        let Some(object) = object else {
            if parts.status.is_success() {
                return internal_error("the handler's answer is not a JSON object");
            }
            return Response::from_parts(parts, Body::from(bytes));
        };
        match self
            .server
            .encrypt_response(http::Response::from_parts(parts, object), self.provider)
        {
            Ok(sealed) => {
                event!(
                    debug,
                    outcome = "sealed",
                    status = sealed.status().as_u16(),
                    latency_us = micros(started),
                    "klarna xs2a response sealed"
                );
                sealed.map(Body::from)
            }
            Err(error) => self.refuse(&error, started),
        }
    }

    fn refuse(&self, error: &Error, started: std::time::Instant) -> Response {
        let refusal = Refusal::new(error);
        event!(
            info,
            outcome = "refused",
            status = refusal.status.as_u16(),
            code = refusal.code,
            latency_us = micros(started),
            "klarna xs2a request refused"
        );
        let _ = started;
        refusal.into_response()
    }
}

/// Microseconds since `started`, for events.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
fn micros(started: std::time::Instant) -> u64 {
    u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// The `Content-Length` a request declares, if it declares one it can read.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// True when `error` (from `axum::body::to_bytes`) is the body going over its limit.
fn is_length_limit(error: &::axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = cause {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = e.source();
    }
    false
}

/// How the layer answers a request it refuses: a status and a small plain JSON body,
/// `{"error":{"code":…,"message":…}}`.
///
/// | status | code | error |
/// |---|---|---|
/// | 400 | `MALFORMED_TOKEN`, `MALFORMED_BODY`, `INVALID_REQUEST_ID`, `INVALID_ROUTE`, `ALGORITHM_NOT_ALLOWED` | [`Error::MalformedToken`], [`Error::MalformedBody`], [`Error::InvalidRequestId`], [`Error::InvalidRoute`], [`Error::AlgorithmNotAllowed`] |
/// | 401 | `DECRYPTION_FAILED`, `BAD_SIGNATURE`, `UNKNOWN_KID` | [`Error::DecryptionFailed`], [`Error::BadSignature`], [`Error::UnknownKid`] |
/// | 401 | `STALE_TIMESTAMP`, `FUTURE_TIMESTAMP` | [`Error::Stale`], [`Error::FromTheFuture`] |
/// | 408 | `TIMED_OUT` | [`Error::TimedOut`] |
/// | 409 | `REPLAYED_REQUEST` | [`Error::Replayed`] |
/// | 413 | `BODY_TOO_LARGE` | [`Error::BodyTooLarge`] |
/// | 415 | `WRONG_CONTENT_TYPE` | [`Error::WrongContentType`] |
/// | 503 | `TRY_AGAIN_LATER` | [`Error::ReplayStoreFull`] |
/// | 500 | `INTERNAL_ERROR` | anything that is not a rejection ([`Error::is_rejection`]): our keys, the provider |
///
/// The message is the error's own text (which for a failed decryption or signature is only
/// that it failed), except that an unknown `kid` does not list the keys we know and a local
/// failure says only that the server could not process the request.
///
/// ```
/// use jose_klarna_xs2a::{Error, axum::Refusal};
///
/// let refusal = Refusal::new(&Error::BadSignature);
/// assert_eq!((refusal.status.as_u16(), refusal.code), (401, "BAD_SIGNATURE"));
/// assert_eq!(refusal.message, "signature verification failed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Refusal {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable code for what failed.
    pub code: &'static str,
    /// What failed, in words (never why a decryption or signature failed, never key material).
    pub message: String,
}

impl Refusal {
    /// The refusal of a request that failed with `error`.
    pub fn new(error: &Error) -> Self {
        let (status, code) = Self::classify(error);
        let message = match error {
            Error::UnknownKid { layer, .. } => format!("unknown {layer} kid"),
            Error::ReplayStoreFull { .. } | Error::ReplayStore(_) => {
                "the server cannot take more requests now; retry later".to_owned()
            }
            e if !e.is_rejection() => "the server could not process the request".to_owned(),
            e => e.to_string(),
        };
        Refusal {
            status,
            code,
            message,
        }
    }

    /// The status and code of a request that failed with `error` (the table above).
    pub fn classify(error: &Error) -> (StatusCode, &'static str) {
        match error {
            Error::WrongContentType { .. } => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "WRONG_CONTENT_TYPE")
            }
            Error::BodyTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "BODY_TOO_LARGE"),
            Error::TimedOut { .. } => (StatusCode::REQUEST_TIMEOUT, "TIMED_OUT"),
            Error::DecryptionFailed => (StatusCode::UNAUTHORIZED, "DECRYPTION_FAILED"),
            Error::BadSignature => (StatusCode::UNAUTHORIZED, "BAD_SIGNATURE"),
            Error::UnknownKid { .. } => (StatusCode::UNAUTHORIZED, "UNKNOWN_KID"),
            Error::Stale { .. } => (StatusCode::UNAUTHORIZED, "STALE_TIMESTAMP"),
            Error::FromTheFuture { .. } => (StatusCode::UNAUTHORIZED, "FUTURE_TIMESTAMP"),
            Error::Replayed { .. } => (StatusCode::CONFLICT, "REPLAYED_REQUEST"),
            Error::ReplayStoreFull { .. } | Error::ReplayStore(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "TRY_AGAIN_LATER")
            }
            Error::AlgorithmNotAllowed { .. } => (StatusCode::BAD_REQUEST, "ALGORITHM_NOT_ALLOWED"),
            Error::MalformedToken { .. } => (StatusCode::BAD_REQUEST, "MALFORMED_TOKEN"),
            Error::MalformedBody { .. } => (StatusCode::BAD_REQUEST, "MALFORMED_BODY"),
            Error::InvalidRequestId { .. } => (StatusCode::BAD_REQUEST, "INVALID_REQUEST_ID"),
            Error::InvalidRoute { .. } => (StatusCode::BAD_REQUEST, "INVALID_ROUTE"),
            e if e.is_rejection() => (StatusCode::BAD_REQUEST, "REJECTED"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR"),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        error_response(self.status, self.code, &self.message)
    }
}

/// A `500` for a failure of the layer or the handler, not of the request.
fn internal_error(message: &str) -> Response {
    event!(warn, outcome = "failed", "klarna xs2a layer: {message}");
    let _ = message;
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_ERROR",
        "the server could not process the request",
    )
}

fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({"error": {"code": code, "message": message}}).to_string();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static(crate::envelope::CONTENT_TYPE_JSON),
    );
    response
}

/// What the handler gets when the layer did not run (it was not put around the router): a
/// `500`, since the route was meant to be protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingLayer;

impl IntoResponse for MissingLayer {
    fn into_response(self) -> Response {
        internal_error("OpenedRequest extracted without Xs2aLayer around the router")
    }
}

/// The verified request, for a handler behind [`Xs2aLayer`]: the JSON body (with `request_id`
/// and `request_timestamp`), the `request_id`, the `request_timestamp` and the `kid` of the
/// client key that signed it.
impl<S: Send + Sync> FromRequestParts<S> for OpenedRequest {
    type Rejection = MissingLayer;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<OpenedRequest>()
            .cloned()
            .ok_or(MissingLayer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Layer;

    /// Every refusal's status and code, and messages that hold no key ids and no crypto detail.
    #[test]
    fn refusal_statuses_codes_and_messages() {
        let cases = [
            (
                Error::WrongContentType {
                    context: "",
                    expected: "application/jose",
                    found: "\"application/json\"".into(),
                },
                415,
                "WRONG_CONTENT_TYPE",
            ),
            (
                Error::BodyTooLarge {
                    what: "request body",
                    limit: 10,
                },
                413,
                "BODY_TOO_LARGE",
            ),
            (
                Error::TimedOut {
                    what: "request body",
                    after_ms: 5,
                },
                408,
                "TIMED_OUT",
            ),
            (Error::DecryptionFailed, 401, "DECRYPTION_FAILED"),
            (Error::BadSignature, 401, "BAD_SIGNATURE"),
            (
                Error::UnknownKid {
                    layer: Layer::Jwe,
                    found: "\"x\"".into(),
                    known: "our-secret-kid-list".into(),
                },
                401,
                "UNKNOWN_KID",
            ),
            (
                Error::Stale {
                    field: "request_timestamp",
                    age_ms: 120_001,
                    max_age_ms: 120_000,
                },
                401,
                "STALE_TIMESTAMP",
            ),
            (
                Error::Replayed {
                    request_id: "request-0001".into(),
                    window_ms: 300_000,
                },
                409,
                "REPLAYED_REQUEST",
            ),
            (
                Error::ReplayStoreFull { capacity: 7 },
                503,
                "TRY_AGAIN_LATER",
            ),
            (
                Error::InvalidRequestId { found: 3 },
                400,
                "INVALID_REQUEST_ID",
            ),
            (
                Error::Key {
                    context: "signing key: our-secret-kid-list".into(),
                    source: None,
                },
                500,
                "INTERNAL_ERROR",
            ),
        ];
        for (error, status, code) in cases {
            let refusal = Refusal::new(&error);
            assert_eq!(
                (refusal.status.as_u16(), refusal.code),
                (status, code),
                "{error}"
            );
            assert!(
                !refusal.message.contains("our-secret-kid-list"),
                "{}",
                refusal.message
            );
            assert!(!refusal.message.contains("capacity") && !refusal.message.contains('7'));
        }
        assert_eq!(
            Refusal::new(&Error::DecryptionFailed).message,
            "decryption failed"
        );
        assert_eq!(
            Refusal::new(&Error::UnknownKid {
                layer: Layer::Jws,
                found: "\"x\"".into(),
                known: "a, b".into(),
            })
            .message,
            "unknown JWS kid"
        );
    }
}
