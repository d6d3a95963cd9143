//! The client role: our requests to Klarna, Klarna's responses to us.
//!
//! A request body gets a `request_id` (a random UUID unless the body already has one) and a
//! `request_timestamp` (our clock, UTC milliseconds), then is signed and encrypted. A response
//! must decrypt with one of our keys, verify with one of Klarna's, and carry a
//! `response_timestamp` no older than two minutes (and no further ahead than the allowed skew).
//!
//! [`Client::decrypt_response`] reads every answer: a sealed 2xx, a plain JSON 2xx (refused
//! unless [`PlainResponses::Accept`]), a 2xx without body ([`ResponseOutcome`]), or an error
//! status with its body ([`Error::Api`]).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use jose::{KeySpec, PrivateKey};
//! use jose_klarna_xs2a::{Client, KeyRing, Opener, Sealer, VerifierSet};
//! use serde_json::json;
//!
//! let provider = jose::default_provider();
//! let rsa = || PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider);
//! // Ours: a signing key and a decryption key. Klarna's: their public keys (made up here).
//! let (our_sig, our_enc) = (rsa()?.with_kid("our-sig-1"), rsa()?.with_kid("our-enc-1"));
//! let (klarna_sig, klarna_enc) = (rsa()?.with_kid("5F0C9D37"), rsa()?.with_kid("2AF92B1D"));
//!
//! let client = Client::new(
//!     Sealer::new(our_sig.clone(), klarna_enc.public_key())?,
//!     Opener::new(KeyRing::new().with(our_enc.clone())?, VerifierSet::new().with(klarna_sig.public_key())?),
//! );
//!
//! // A GET becomes an encrypted POST to <path>/get.
//! let request = http::Request::get("https://api.klarna.example/xs2a/v1/sessions/42")
//!     .header("Authorization", "Token secret")
//!     .body(Vec::new())?;
//! let encrypted = client.encrypt_request(request, provider)?;
//! assert_eq!(encrypted.method(), http::Method::POST);
//! assert_eq!(encrypted.uri().path(), "/xs2a/v1/sessions/42/get");
//! assert_eq!(encrypted.headers()["content-type"], "application/jose");
//! assert_eq!(encrypted.headers()["authorization"], "Token secret");
//!
//! // ... Klarna answers with a sealed response (here made by the server role on their keys) ...
//! # let klarna = jose_klarna_xs2a::Server::new(
//! #     Sealer::new(klarna_sig, our_enc.public_key())?,
//! #     Opener::new(KeyRing::new().with(klarna_enc)?, VerifierSet::new().with(our_sig.public_key())?),
//! # );
//! # let opened = klarna.decrypt_request(encrypted, provider)?;
//! # let sealed = klarna.seal_response(json!({"data": {"session_id": "42"}}).as_object().unwrap().clone(), provider)?;
//! # let response = http::Response::builder().header("content-type", "application/jose").body(sealed.into_bytes())?;
//! let response = client.decrypt_response(response, provider)?;
//! let opened = response.body().secure().ok_or("expected a sealed answer")?;
//! assert_eq!(opened.body["data"]["session_id"], "42");
//! # Ok(()) }
//! ```

use crate::clock::{Clock, SystemClock};
use crate::envelope::{CONTENT_TYPE_JOSE, CONTENT_TYPE_JSON, Opener, Sealer};
use crate::error::{ApiError, ApiErrorBody, Error, MAX_ERROR_BODY_BYTES, Result};
use crate::fields::{self, Policy, REQUEST_ID, REQUEST_TIMESTAMP, RESPONSE_TIMESTAMP};
use crate::http_util::BodyType;
use crate::{http_util, json, route};
use jose::CryptoProvider;
use serde_json::{Map, Value};
use std::sync::Arc;

/// The replay-prevention fields a request was sealed with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestStamp {
    /// The `request_id`.
    pub request_id: String,
    /// The `request_timestamp`, UTC milliseconds.
    pub request_timestamp: u64,
}

/// A sealed request: the HTTP body and the fields it was stamped with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SealedRequest {
    /// The compact JWE: the HTTP body, sent with `Content-Type: application/jose`.
    pub token: String,
    /// The `request_id` and `request_timestamp` inside it.
    pub stamp: RequestStamp,
}

/// A response that decrypted, verified and was fresh.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenedResponse {
    /// The verified JSON body (with its `response_timestamp`).
    pub body: Map<String, Value>,
    /// The `response_timestamp`, UTC milliseconds.
    pub response_timestamp: u64,
    /// The JWS `kid`: which of the sender's keys signed it.
    pub signing_kid: String,
}

/// What a 2xx answer to an encrypted request was: the body of the response
/// [`Client::decrypt_response`] returns (status and headers stay beside it). An answer with any
/// other status is [`Error::Api`] instead, so `?` never lets an error status pass for a success.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseOutcome {
    /// An `application/jose` body that decrypted, verified and had a fresh `response_timestamp`.
    Secure(OpenedResponse),
    /// An `application/json` body, accepted because the client was told to
    /// ([`PlainResponses::Accept`]). Nothing about it is verified: not who sent it, not when.
    Plain(Map<String, Value>),
    /// No body: 204 No Content, or any 2xx with an empty body.
    NoContent,
}

impl ResponseOutcome {
    /// The JSON body: the verified one of a secure answer or the unverified one of a plain
    /// answer; `None` for no content.
    pub fn body(&self) -> Option<&Map<String, Value>> {
        match self {
            ResponseOutcome::Secure(opened) => Some(&opened.body),
            ResponseOutcome::Plain(body) => Some(body),
            ResponseOutcome::NoContent => None,
        }
    }

    /// The opened answer, if it was sealed.
    pub fn secure(&self) -> Option<&OpenedResponse> {
        match self {
            ResponseOutcome::Secure(opened) => Some(opened),
            _ => None,
        }
    }
}

/// Whether a [`Client`] accepts a 2xx answer in plain `application/json`.
///
/// The default is [`PlainResponses::Refuse`]. Klarna's document says secure communication "is
/// not required and will not be enforced in production" (so Klarna may answer in plain JSON),
/// but also that the `response_timestamp` of an encrypted response "should be verified by the
/// recipient of the response to detect manipulation" and that stale responses "should not be
/// accepted". A plain answer carries neither a signature nor that timestamp: accepting it
/// silently would let a downgraded or tampered answer pass for Klarna's, to a client that went
/// to the trouble of sealing its request. A client that talks to an account without secure
/// communication says so with [`PlainResponses::Accept`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlainResponses {
    /// A plain JSON 2xx is [`Error::PlainResponseRefused`] (the default).
    #[default]
    Refuse,
    /// A plain JSON 2xx is [`ResponseOutcome::Plain`], unverified.
    Accept,
}

/// Adds `request_id` and `request_timestamp` to a request body, first in the object.
///
/// A `request_id` already in the body is kept (it must be a string of 10 to 100 characters);
/// otherwise a version 4 UUID is drawn from `provider`'s random generator. The
/// `request_timestamp` is always `now_millis` (one already in the body is replaced).
pub fn stamp_request(
    body: Map<String, Value>,
    now_millis: u64,
    provider: &dyn CryptoProvider,
) -> Result<(Map<String, Value>, RequestStamp)> {
    let request_id = if body.contains_key(REQUEST_ID) {
        fields::request_id(&body)?.to_owned()
    } else {
        new_request_id(provider)?
    };
    let stamped = fields::prepend(
        body,
        vec![
            (REQUEST_ID, Value::from(request_id.as_str())),
            (REQUEST_TIMESTAMP, Value::from(now_millis)),
        ],
    );
    Ok((
        stamped,
        RequestStamp {
            request_id,
            request_timestamp: now_millis,
        },
    ))
}

/// A fresh `request_id`: a version 4 UUID (36 characters) from `provider`'s random bytes.
pub fn new_request_id(provider: &dyn CryptoProvider) -> Result<String> {
    let mut bytes = [0u8; 16];
    provider.fill_random(&mut bytes).map_err(Error::Crypto)?;
    Ok(uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string())
}

/// Checks a response body's `response_timestamp` (present, UTC milliseconds, within `policy`
/// at `now_millis`); returns it.
pub fn check_response(body: &Map<String, Value>, now_millis: u64, policy: &Policy) -> Result<u64> {
    let timestamp = fields::timestamp(body, RESPONSE_TIMESTAMP)?;
    policy.check(RESPONSE_TIMESTAMP, timestamp, now_millis)?;
    Ok(timestamp)
}

/// The client role: seals requests to the server's key, opens its responses.
#[derive(Debug, Clone)]
pub struct Client {
    sealer: Sealer,
    opener: Opener,
    clock: Arc<dyn Clock>,
    policy: Policy,
    plain: PlainResponses,
}

impl Client {
    /// A client that seals with `sealer` (our signing key, the server's encryption key) and opens
    /// with `opener` (our key ring, the server's signing keys), on the system clock with the
    /// default [`Policy`], refusing plain JSON answers ([`PlainResponses::Refuse`]).
    pub fn new(sealer: Sealer, opener: Opener) -> Self {
        Client {
            sealer,
            opener,
            clock: Arc::new(SystemClock),
            policy: Policy::default(),
            plain: PlainResponses::default(),
        }
    }

    /// Whether [`Client::decrypt_response`] accepts plain JSON answers (see [`PlainResponses`]
    /// for why the default refuses them).
    pub fn with_plain_responses(mut self, plain: PlainResponses) -> Self {
        self.plain = plain;
        self
    }

    /// Another clock (a [`crate::ManualClock`] in tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Another time policy for responses.
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The opener (for key rotation).
    pub fn opener_mut(&mut self) -> &mut Opener {
        &mut self.opener
    }

    /// Stamps ([`stamp_request`]) and seals a request body.
    pub fn seal_request(
        &self,
        body: Map<String, Value>,
        provider: &dyn CryptoProvider,
    ) -> Result<SealedRequest> {
        let (body, stamp) = stamp_request(body, self.clock.now_millis(), provider)?;
        let token = self.sealer.seal(&body, provider)?;
        Ok(SealedRequest { token, stamp })
    }

    /// Opens a response token and checks its `response_timestamp`.
    pub fn open_response(
        &self,
        token: &str,
        provider: &dyn CryptoProvider,
    ) -> Result<OpenedResponse> {
        let opened = self.opener.open(token, provider)?;
        let response_timestamp =
            check_response(&opened.body, self.clock.now_millis(), &self.policy)?;
        Ok(OpenedResponse {
            body: opened.body,
            response_timestamp,
            signing_kid: opened.signing_kid,
        })
    }

    /// Turns a plain request (JSON body, or an empty body for GET and DELETE) into the encrypted
    /// one: the method and path mapped by [`route::to_encrypted_uri`], the body sealed, the
    /// `Content-Type` set to `application/jose` and `Content-Length` to the token's length; other
    /// headers are kept. The [`RequestStamp`] goes into the request's extensions.
    ///
    /// A non-empty body must be a JSON object; a `Content-Type`, if present, must be
    /// `application/json`.
    pub fn encrypt_request<B: AsRef<[u8]>>(
        &self,
        request: http::Request<B>,
        provider: &dyn CryptoProvider,
    ) -> Result<http::Request<Vec<u8>>> {
        let (mut parts, body) = request.into_parts();
        http_util::check_content_type(&parts.headers, CONTENT_TYPE_JSON, true)?;
        let body = body.as_ref();
        let body = if body.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            json::parse_object(body)?
        };
        let (method, uri) = route::to_encrypted_uri(&parts.method, &parts.uri)?;
        let sealed = self.seal_request(body, provider)?;
        parts.method = method;
        parts.uri = uri;
        http_util::set_jose_headers(&mut parts.headers, sealed.token.len());
        parts.extensions.insert(sealed.stamp);
        Ok(http::Request::from_parts(parts, sealed.token.into_bytes()))
    }

    /// Reads the answer to an encrypted request: every response gives a typed outcome or a
    /// typed error, with its status kept.
    ///
    /// On a 2xx status:
    /// - `Content-Type: application/jose`: the body is opened ([`Client::open_response`]:
    ///   decrypted, verified, `response_timestamp` checked): [`ResponseOutcome::Secure`].
    /// - `application/json`: [`ResponseOutcome::Plain`] if the client accepts plain answers
    ///   ([`PlainResponses::Accept`]), else [`Error::PlainResponseRefused`] (the default, see
    ///   [`PlainResponses`]). The body must be a JSON object (strict: duplicate members refused).
    /// - no body (204 No Content, or an empty 200/202), whatever the `Content-Type` but
    ///   `application/jose`: [`ResponseOutcome::NoContent`].
    /// - anything else: [`Error::WrongContentType`].
    ///
    /// Any other status is [`Error::Api`]: the status, the `Content-Type`, and the body as parsed
    /// JSON, an opened sealed body, or text (bounded by [`MAX_ERROR_BODY_BYTES`], clipped in the
    /// message). A sealed error body that does not open is [`ApiErrorBody::Unopened`], with the
    /// reason as the error's source.
    ///
    /// The returned response keeps the status and the other headers; for a body that was read,
    /// the `Content-Type` becomes `application/json` and `Content-Length` is dropped.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use jose::{KeySpec, PrivateKey};
    /// use jose_klarna_xs2a::{
    ///     ApiErrorBody, Client, Error, KeyRing, Opener, PlainResponses, ResponseOutcome, Sealer,
    ///     VerifierSet,
    /// };
    ///
    /// let provider = jose::default_provider();
    /// let rsa = || PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider);
    /// let (ours, theirs) = (rsa()?.with_kid("tpp-1"), rsa()?.with_kid("2AF92B1D"));
    /// let client = Client::new(
    ///     Sealer::new(ours.clone(), theirs.public_key())?,
    ///     Opener::new(KeyRing::new().with(ours)?, VerifierSet::new().with(theirs.public_key())?),
    /// );
    ///
    /// // An error status keeps its status and body.
    /// let refused = http::Response::builder()
    ///     .status(400)
    ///     .header("content-type", "application/json")
    ///     .body(r#"{"error":{"code":"BAD_VALUE"}}"#)?;
    /// match client.decrypt_response(refused, provider) {
    ///     Err(Error::Api(api)) => {
    ///         assert_eq!(api.status, 400);
    ///         assert_eq!(api.json().unwrap()["error"]["code"], "BAD_VALUE");
    ///     }
    ///     other => panic!("expected an API error, found {other:?}"),
    /// }
    ///
    /// // No body.
    /// let deleted = http::Response::builder().status(204).body(Vec::new())?;
    /// let deleted = client.decrypt_response(deleted, provider)?;
    /// assert_eq!(deleted.status(), 204);
    /// assert_eq!(*deleted.body(), ResponseOutcome::NoContent);
    ///
    /// // A plain JSON 200 is refused unless the client accepts plain answers.
    /// let plain = || {
    ///     http::Response::builder()
    ///         .header("content-type", "application/json")
    ///         .body(r#"{"data":{"session_id":"s-1"}}"#)
    /// };
    /// assert!(matches!(
    ///     client.decrypt_response(plain()?, provider),
    ///     Err(Error::PlainResponseRefused { .. })
    /// ));
    /// let lenient = client.with_plain_responses(PlainResponses::Accept);
    /// let response = lenient.decrypt_response(plain()?, provider)?;
    /// assert!(matches!(response.body(), ResponseOutcome::Plain(body) if body["data"]["session_id"] == "s-1"));
    /// # let _ = ApiErrorBody::Empty;
    /// # Ok(()) }
    /// ```
    pub fn decrypt_response<B: AsRef<[u8]>>(
        &self,
        response: http::Response<B>,
        provider: &dyn CryptoProvider,
    ) -> Result<http::Response<ResponseOutcome>> {
        let (mut parts, body) = response.into_parts();
        let body = body.as_ref();
        if !parts.status.is_success() {
            return Err(self.api_error(&parts, body, provider));
        }
        let body_type = http_util::body_type(&parts.headers);
        let outcome = match body_type {
            BodyType::Jose => {
                let token = http_util::token(body)?;
                ResponseOutcome::Secure(self.open_response(token, provider)?)
            }
            _ if is_blank(body) => {
                return Ok(http::Response::from_parts(
                    parts,
                    ResponseOutcome::NoContent,
                ));
            }
            BodyType::Json => match self.plain {
                PlainResponses::Accept => ResponseOutcome::Plain(json::parse_object(body)?),
                PlainResponses::Refuse => {
                    return Err(Error::PlainResponseRefused {
                        status: parts.status,
                    });
                }
            },
            BodyType::Missing => return Err(self.wrong_type("no Content-Type header".into())),
            BodyType::OtherJson(found) | BodyType::Other(found) => {
                return Err(self.wrong_type(found));
            }
        };
        http_util::set_json_headers(&mut parts.headers);
        Ok(http::Response::from_parts(parts, outcome))
    }

    /// The content types this client reads on a 2xx answer with a body.
    fn wrong_type(&self, found: String) -> Error {
        Error::WrongContentType {
            context: "",
            expected: match self.plain {
                PlainResponses::Accept => "application/jose or application/json",
                PlainResponses::Refuse => CONTENT_TYPE_JOSE,
            },
            found,
        }
    }

    /// The [`Error::Api`] of a response with a status outside 2xx.
    fn api_error(
        &self,
        parts: &http::response::Parts,
        body: &[u8],
        provider: &dyn CryptoProvider,
    ) -> Error {
        let mut unopened = None;
        let body = if is_blank(body) {
            ApiErrorBody::Empty
        } else {
            match http_util::body_type(&parts.headers) {
                BodyType::Jose => {
                    match http_util::token(body)
                        .and_then(|token| self.open_response(token, provider))
                    {
                        Ok(opened) => ApiErrorBody::Secure(opened),
                        Err(e) => {
                            unopened = Some(e);
                            ApiErrorBody::Unopened
                        }
                    }
                }
                BodyType::Json | BodyType::OtherJson(_) | BodyType::Missing => json_or_text(body),
                BodyType::Other(_) => text(body),
            }
        };
        Error::Api(Box::new(ApiError {
            status: parts.status,
            content_type: http_util::content_type_text(&parts.headers),
            body,
            unopened,
        }))
    }
}

/// True for a body with nothing but ASCII whitespace in it.
fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// An error body parsed as strict JSON if it is at most [`MAX_ERROR_BODY_BYTES`] and parses,
/// else as text.
fn json_or_text(body: &[u8]) -> ApiErrorBody {
    if body.len() <= MAX_ERROR_BODY_BYTES {
        if let Ok(value) = jose::json::parse_strict(body, "error body") {
            return ApiErrorBody::Json(value);
        }
    }
    text(body)
}

/// An error body as text: its first [`MAX_ERROR_BODY_BYTES`], invalid UTF-8 replaced.
fn text(body: &[u8]) -> ApiErrorBody {
    let kept = body.get(..MAX_ERROR_BODY_BYTES).unwrap_or(body);
    ApiErrorBody::Text {
        text: String::from_utf8_lossy(kept).into_owned(),
        truncated: kept.len() < body.len(),
    }
}
