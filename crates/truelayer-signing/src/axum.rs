//! The server side (feature `axum`): a tower layer that verifies TrueLayer webhooks before the
//! handler runs, and the [`VerifiedWebhook`] extractor that hands the handler what was verified.
//!
//! For each request, [`WebhookLayer`]: reads the body up to a limit (1 MiB by default; 413
//! beyond it); reads `Tl-Signature` (400 without one); checks its unverified `jku` against the
//! allow-list *before any fetch* (401); gets the keys of that JWKS, with the signature's `kid`,
//! from a [`jose_remote_jwks::RemoteJwksSet`] (cached; an unknown `kid` refetches at most once per
//! cooldown; 401 if no key has it, 503 if the JWKS cannot be had); verifies the signature over
//! the raw body, method, path and signed headers with [`Verifier`], with
//! [`webhook_freshness`](crate::Verifier::webhook_freshness) on `X-Tl-Webhook-Timestamp` (401
//! on any failure); with [`WebhookVerifier::replay_store`], records the signature in a
//! [`ReplayStore`] and refuses one seen before (409; 503 when the store cannot answer); and only
//! then calls the handler, with the [`VerifiedWebhook`] in the request's extensions and the same
//! body. A refusal answers `{"error":code,"message":what}` saying what failed, never why a
//! signature did not verify.
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use jose_truelayer_signing::axum::{VerifiedWebhook, WebhookVerifier};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // TrueLayer's two JWKS URLs (production, sandbox), cached, behind the allow-list.
//! let verifier = WebhookVerifier::truelayer()?;
//! let app = Router::new()
//!     .route("/hooks/truelayer", post(|webhook: VerifiedWebhook| async move {
//!         // Authentic and fresh: parse webhook.body as JSON now.
//!         format!("{} bytes from key {}", webhook.body.len(), webhook.kid)
//!     }))
//!     .layer(verifier.layer());
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```

use crate::error::Error;
use crate::timestamp::WebhookFreshness;
use crate::verify::{TL_SIGNATURE, Verifier};
use crate::webhook::JkuAllowList;
use ::axum::body::{Body, Bytes};
use ::axum::extract::FromRequestParts;
use ::axum::http::{Request, Response, StatusCode, header, request::Parts};
use ::axum::response::IntoResponse;
use jose::replay::{ReplayError, ReplayStore};
use jose::{CryptoProvider, ErrorClass};
use jose_remote_jwks::{RemoteJwks, RemoteJwksBuilder, RemoteJwksSet};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// The default body limit: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// jose-remote-jwks' settings for TrueLayer's webhook JWKS: its defaults, with EC coordinates
/// shorter than P-521's 66 bytes left-padded (TrueLayer publishes some that way). Change any
/// setting, then [`build_set`](RemoteJwksBuilder::build_set) the allowed URLs.
pub fn jwks_builder() -> RemoteJwksBuilder {
    RemoteJwks::builder().pad_ec_coordinates(true)
}

/// How webhooks are verified: the JWKS URLs allowed as `jku` (with their caches), the
/// freshness check of `X-Tl-Webhook-Timestamp`, the body limit. Make the layer with
/// [`WebhookVerifier::layer`], or call [`WebhookVerifier::verify`] from another framework.
#[derive(Debug, Clone)]
pub struct WebhookVerifier {
    jwks: RemoteJwksSet,
    allowed: JkuAllowList,
    freshness: WebhookFreshness,
    body_limit: usize,
    provider: &'static dyn CryptoProvider,
    replay: Option<Arc<dyn ReplayStore>>,
}

impl WebhookVerifier {
    /// Verifies webhooks whose `jku` is one of `jwks`'s URLs (exactly), with their keys; the
    /// default freshness check (5 minutes either side of the system clock) and body limit
    /// (1 MiB). Build `jwks` with [`jwks_builder`].
    pub fn new(jwks: RemoteJwksSet) -> Self {
        WebhookVerifier {
            allowed: JkuAllowList::new(jwks.urls()),
            jwks,
            freshness: WebhookFreshness::default(),
            body_limit: DEFAULT_BODY_LIMIT,
            provider: jose::default_provider(),
            replay: None,
        }
    }

    /// [`WebhookVerifier::new`] with TrueLayer's two webhook JWKS URLs
    /// ([`TRUELAYER_JKU_PRODUCTION`](crate::TRUELAYER_JKU_PRODUCTION),
    /// [`TRUELAYER_JKU_SANDBOX`](crate::TRUELAYER_JKU_SANDBOX)) and [`jwks_builder`]'s settings.
    pub fn truelayer() -> Result<Self, jose_remote_jwks::Error> {
        let urls = JkuAllowList::default();
        Ok(Self::new(jwks_builder().build_set(urls.urls())?))
    }

    /// The freshness check of `X-Tl-Webhook-Timestamp` (its tolerance, or a fixed clock).
    pub fn freshness(mut self, freshness: WebhookFreshness) -> Self {
        self.freshness = freshness;
        self
    }

    /// The largest body read, in bytes; a larger one is answered 413 before any verification.
    pub fn body_limit(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }

    /// The provider that verifies the signatures (the facade's [`jose::default_provider`] by
    /// default).
    pub fn provider(mut self, provider: &'static dyn CryptoProvider) -> Self {
        self.provider = provider;
        self
    }

    /// Refuses a webhook whose signature was seen before: each verified signature is recorded
    /// in `store` for twice the freshness tolerance (a timestamp may be that far from the first
    /// delivery's and still be fresh), so an exact replay of a captured delivery, to this
    /// instance or any other sharing the store (`jose-replay-redis`), is answered `409
    /// replayed_webhook` and the handler is not called. TrueLayer signs each delivery attempt
    /// anew (its timestamp is signed), so its own retries are not replays; deduplicate the
    /// events themselves by `event_id` in the handler. A store that cannot answer refuses the
    /// webhook with `503` (TrueLayer retries later). Off by default.
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.replay = Some(store);
        self
    }

    /// The tower layer (for `Router::layer` or `route_layer`).
    pub fn layer(self) -> WebhookLayer {
        WebhookLayer {
            verifier: Arc::new(self),
        }
    }

    /// Verifies a webhook whose body was read already: the steps of the layer after the body
    /// (see the [module](self) documentation).
    pub async fn verify<B: AsRef<[u8]>>(
        &self,
        request: &Request<B>,
    ) -> Result<VerifiedWebhook, WebhookError> {
        let value = request
            .headers()
            .get(TL_SIGNATURE)
            .ok_or_else(|| {
                WebhookError::Signature(Error::MissingHeader {
                    name: TL_SIGNATURE.to_owned(),
                })
            })?
            .to_str()
            .map_err(|_| {
                WebhookError::Signature(Error::malformed(
                    "a Tl-Signature header of ASCII text",
                    "other bytes",
                ))
            })?;
        // The allow-list first: a jku off the list is refused without any request.
        let jku = self
            .allowed
            .webhook_jku(value)
            .map_err(WebhookError::Signature)?;
        let kid = crate::extract_header(value)
            .map_err(WebhookError::Signature)?
            .kid;
        let keys = self
            .jwks
            .key_set(&jku, Some(&kid))
            .await
            .map_err(WebhookError::Jwks)?;
        let verified = Verifier::from_jwks(keys.jwks(), self.provider)
            .webhook_freshness(self.freshness)
            .verify_request(request)
            .map_err(WebhookError::Signature)?;
        if let Some(store) = &self.replay {
            // The JWS signature (the last part of `header..signature`): unique per delivery.
            let signature = value.rsplit('.').next().unwrap_or(value);
            let now = self.freshness.now_millis();
            let window = u64::try_from(self.freshness.tolerance().as_millis())
                .unwrap_or(u64::MAX)
                .saturating_mul(2);
            match store
                .check_and_record(signature, now, now.saturating_add(window))
                .await
            {
                Ok(()) => {}
                Err(ReplayError::Replayed) => return Err(WebhookError::Replayed),
                Err(other) => return Err(WebhookError::ReplayStore(other)),
            }
        }
        Ok(VerifiedWebhook {
            kid,
            jku,
            signed_headers: verified.signed_headers,
            body: Bytes::copy_from_slice(request.body().as_ref()),
        })
    }
}

/// What the layer verified, in the request's extensions and as an extractor. The handler may
/// also take the body itself (the same bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedWebhook {
    /// The signing key's id.
    pub kid: String,
    /// The JWKS URL the key came from (one of the allowed).
    pub jku: String,
    /// The signed header names, in signing order, with the casing of `tl_headers`.
    pub signed_headers: Vec<String>,
    /// The raw body the signature covers.
    pub body: Bytes,
}

impl<S: Send + Sync> FromRequestParts<S> for VerifiedWebhook {
    type Rejection = WebhookError;

    /// The layer's verdict; without the layer in front of the handler, a 500 (fail closed).
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, WebhookError> {
        parts
            .extensions
            .get::<VerifiedWebhook>()
            .cloned()
            .ok_or(WebhookError::NotVerified)
    }
}

/// Why the layer refused a webhook; it answers with [`WebhookError::status`] and a small JSON
/// body (`{"error":code,"message":what}`, [`WebhookError::code`] and
/// [`WebhookError::message`]): what failed, never why a signature did not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The body is larger than the limit (413).
    #[error("webhook body too large: expected at most {limit} bytes, found more")]
    BodyTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The body could not be read (400).
    #[error("cannot read the webhook body")]
    Body(#[source] ::axum::Error),
    /// The signature or the request was refused (the crate's [`Error`], its source): 400 for a
    /// missing or malformed `Tl-Signature`, 401 for the rest.
    #[error("webhook refused")]
    Signature(#[source] Error),
    /// No key could be had from the JWKS (the [`jose_remote_jwks::Error`], its source): 401
    /// when no key has the signature's `kid`, 503 when the JWKS cannot be fetched or is refused.
    #[error("webhook keys")]
    Jwks(#[source] jose_remote_jwks::Error),
    /// The signature was seen before within the replay window: an exact replay (409).
    #[error("replayed webhook: expected a signature not seen before, found one already recorded")]
    Replayed,
    /// The replay store could not vouch for the signature (503; never let through unchecked).
    #[error("webhook replay store")]
    ReplayStore(#[source] ReplayError),
    /// [`VerifiedWebhook`] was extracted without the layer in front of the handler (500).
    #[error("no verified webhook: expected the WebhookLayer in front of the handler, found none")]
    NotVerified,
}

impl WebhookError {
    /// Whose problem this is: the sender's ([`Rejected`](ErrorClass::Rejected)), the network's
    /// ([`Transport`](ErrorClass::Transport)) or ours ([`Local`](ErrorClass::Local)).
    pub fn class(&self) -> ErrorClass {
        match self {
            WebhookError::BodyTooLarge { .. } => ErrorClass::Rejected,
            WebhookError::Body(_) => ErrorClass::Transport,
            WebhookError::Signature(e) => e.class(),
            WebhookError::Jwks(e) => e.class(),
            WebhookError::Replayed => ErrorClass::Rejected,
            WebhookError::ReplayStore(e) => match e {
                ReplayError::Unavailable { .. } => ErrorClass::Transport,
                _ => ErrorClass::Local,
            },
            WebhookError::NotVerified => ErrorClass::Local,
        }
    }

    /// `class() == Rejected`.
    pub fn is_rejection(&self) -> bool {
        self.class() == ErrorClass::Rejected
    }

    /// The status the layer answers.
    pub fn status(&self) -> StatusCode {
        match self.kind() {
            Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::Malformed => StatusCode::BAD_REQUEST,
            Kind::Refused => StatusCode::UNAUTHORIZED,
            Kind::Replayed => StatusCode::CONFLICT,
            Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short machine-readable code of what failed.
    pub fn code(&self) -> &'static str {
        self.labels().0
    }

    /// What failed, in a few words (no cryptographic detail, no key material).
    pub fn message(&self) -> &'static str {
        self.labels().1
    }

    fn kind(&self) -> Kind {
        match self {
            WebhookError::BodyTooLarge { .. } => Kind::TooLarge,
            WebhookError::Body(_) => Kind::Malformed,
            WebhookError::Signature(e) => match e {
                Error::MissingHeader { name } if name == TL_SIGNATURE => Kind::Malformed,
                Error::MalformedSignature { .. } => Kind::Malformed,
                e if e.is_rejection() => Kind::Refused,
                _ => Kind::Internal,
            },
            WebhookError::Jwks(e) => match e {
                jose_remote_jwks::Error::NoMatchingKey { .. }
                | jose_remote_jwks::Error::UrlNotAllowed { .. } => Kind::Refused,
                e if e.class() == ErrorClass::Local => Kind::Internal,
                _ => Kind::Unavailable,
            },
            WebhookError::Replayed => Kind::Replayed,
            WebhookError::ReplayStore(_) => Kind::Unavailable,
            WebhookError::NotVerified => Kind::Internal,
        }
    }

    fn labels(&self) -> (&'static str, &'static str) {
        match self {
            WebhookError::BodyTooLarge { .. } => ("body_too_large", "webhook body too large"),
            WebhookError::Body(_) => ("unreadable_body", "cannot read the webhook body"),
            WebhookError::Signature(e) => match e {
                Error::MissingHeader { name } if name == TL_SIGNATURE => {
                    ("missing_signature", "missing Tl-Signature header")
                }
                Error::MalformedSignature { .. } => {
                    ("malformed_signature", "malformed Tl-Signature header")
                }
                Error::UnsupportedSignature { .. } => {
                    ("unsupported_signature", "unsupported Tl-Signature")
                }
                Error::JkuNotAllowed { .. } => ("jku_not_allowed", "jku not allowed"),
                Error::WebhookTimestamp { .. } => (
                    "stale_webhook",
                    "X-Tl-Webhook-Timestamp missing, malformed or not fresh",
                ),
                Error::NoMatchingKey { .. } => ("unknown_key", "no key for the signature's kid"),
                Error::MissingHeader { .. }
                | Error::UnsignedHeader { .. }
                | Error::AmbiguousHeader { .. } => (
                    "signed_headers",
                    "signed headers missing from the request or not signed",
                ),
                Error::BadSignature => ("bad_signature", "signature did not verify"),
                _ => ("internal_error", "internal error"),
            },
            WebhookError::Jwks(e) => match e {
                jose_remote_jwks::Error::NoMatchingKey { .. } => {
                    ("unknown_key", "no key for the signature's kid")
                }
                jose_remote_jwks::Error::UrlNotAllowed { .. } => {
                    ("jku_not_allowed", "jku not allowed")
                }
                e if e.class() == ErrorClass::Local => ("internal_error", "internal error"),
                _ => ("keys_unavailable", "signing keys unavailable"),
            },
            WebhookError::Replayed => ("replayed_webhook", "webhook already received"),
            WebhookError::ReplayStore(_) => (
                "replay_store_unavailable",
                "cannot check for replays now; retry later",
            ),
            WebhookError::NotVerified => ("internal_error", "internal error"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    TooLarge,
    Malformed,
    Refused,
    Replayed,
    Unavailable,
    Internal,
}

impl IntoResponse for WebhookError {
    fn into_response(self) -> ::axum::response::Response {
        // Only fixed strings go into the body: nothing from the request or a key.
        let body = format!(
            r#"{{"error":"{}","message":"{}"}}"#,
            self.code(),
            self.message()
        );
        (
            self.status(),
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    }
}

/// The layer of a [`WebhookVerifier`] (see the [module](self) documentation).
#[derive(Debug, Clone)]
pub struct WebhookLayer {
    verifier: Arc<WebhookVerifier>,
}

impl<S> tower::Layer<S> for WebhookLayer {
    type Service = WebhookService<S>;

    fn layer(&self, inner: S) -> WebhookService<S> {
        WebhookService {
            inner,
            verifier: self.verifier.clone(),
        }
    }
}

/// The service of a [`WebhookLayer`].
#[derive(Debug, Clone)]
pub struct WebhookService<S> {
    inner: S,
    verifier: Arc<WebhookVerifier>,
}

impl<S> tower::Service<Request<Body>> for WebhookService<S>
where
    S: tower::Service<Request<Body>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        // The service that was polled ready handles this request; a clone takes its place.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let verifier = self.verifier.clone();
        Box::pin(async move {
            #[cfg(feature = "tracing")]
            let started = std::time::Instant::now();
            let (parts, body) = request.into_parts();
            let body = match read_body(body, verifier.body_limit).await {
                Ok(body) => body,
                Err(e) => return Ok(refuse(e)),
            };
            let request = Request::from_parts(parts, body);
            match verifier.verify(&request).await {
                Ok(verified) => {
                    #[cfg(feature = "tracing")]
                    tracing::info!(
                        kid = %verified.kid,
                        jku = %verified.jku,
                        latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
                        "TrueLayer webhook verified"
                    );
                    let (mut parts, body) = request.into_parts();
                    parts.extensions.insert(verified);
                    inner
                        .call(Request::from_parts(parts, Body::from(body)))
                        .await
                }
                Err(e) => {
                    #[cfg(feature = "tracing")]
                    tracing::warn!(
                        outcome = e.code(),
                        latency_us =
                            u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
                        "TrueLayer webhook refused"
                    );
                    Ok(refuse(e))
                }
            }
        })
    }
}

fn refuse(e: WebhookError) -> Response<Body> {
    e.into_response()
}

/// The whole body, at most `limit` bytes.
async fn read_body(body: Body, limit: usize) -> Result<Bytes, WebhookError> {
    ::axum::body::to_bytes(body, limit).await.map_err(|e| {
        let too_large = std::error::Error::source(&e)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
        if too_large {
            WebhookError::BodyTooLarge { limit }
        } else {
            WebhookError::Body(e)
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use super::*;

    /// Each cause of a refusal's chain appears once in the line a caller prints.
    #[test]
    fn each_cause_is_printed_once() {
        let errors = [
            WebhookError::Signature(Error::BadSignature),
            WebhookError::Signature(Error::key(jose::Error::invalid_key("a", "b"))),
            WebhookError::Jwks(jose_remote_jwks::Error::Status {
                url: "https://issuer.example/jwks".to_owned(),
                status: 503,
            }),
        ];
        for error in &errors {
            assert!(std::error::Error::source(error).is_some(), "{error:?}");
            assert_eq!(jose::error::repeated_cause(error), None, "{error:?}");
        }
        assert_eq!(
            jose::error::display_chain(&errors[0]),
            "webhook refused: signature verification failed"
        );
    }

    #[test]
    fn statuses_and_labels() {
        let sig = |e| WebhookError::Signature(e);
        for (error, status, code) in [
            (
                WebhookError::BodyTooLarge { limit: 1 },
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
            ),
            (
                sig(Error::MissingHeader {
                    name: TL_SIGNATURE.to_owned(),
                }),
                StatusCode::BAD_REQUEST,
                "missing_signature",
            ),
            (
                sig(Error::malformed("a", "b")),
                StatusCode::BAD_REQUEST,
                "malformed_signature",
            ),
            (
                sig(Error::BadSignature),
                StatusCode::UNAUTHORIZED,
                "bad_signature",
            ),
            (
                sig(Error::JkuNotAllowed {
                    allowed: String::new(),
                    found: String::new(),
                }),
                StatusCode::UNAUTHORIZED,
                "jku_not_allowed",
            ),
            (
                sig(Error::MissingHeader {
                    name: "X-Other".to_owned(),
                }),
                StatusCode::UNAUTHORIZED,
                "signed_headers",
            ),
            (
                WebhookError::Jwks(jose_remote_jwks::Error::Status {
                    url: String::new(),
                    status: 500,
                }),
                StatusCode::SERVICE_UNAVAILABLE,
                "keys_unavailable",
            ),
            (
                WebhookError::NotVerified,
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
            ),
        ] {
            assert_eq!(error.status(), status, "{error:?}");
            assert_eq!(error.code(), code, "{error:?}");
        }
    }
}
