//! The client role: our requests to Klarna, Klarna's responses to us.
//!
//! A request body gets a `request_id` (a random UUID unless the body already has one) and a
//! `request_timestamp` (our clock, UTC milliseconds), then is signed and encrypted. A response
//! must decrypt with one of our keys, verify with one of Klarna's, and carry a
//! `response_timestamp` no older than two minutes (and no further ahead than the allowed skew).
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
//! assert_eq!(response.body().body["data"]["session_id"], "42");
//! # Ok(()) }
//! ```

use crate::clock::{Clock, SystemClock};
use crate::envelope::{CONTENT_TYPE_JOSE, CONTENT_TYPE_JSON, Opener, Sealer};
use crate::error::{Error, Result};
use crate::fields::{self, Policy, REQUEST_ID, REQUEST_TIMESTAMP, RESPONSE_TIMESTAMP};
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
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OpenedResponse {
    /// The verified JSON body (with its `response_timestamp`).
    pub body: Map<String, Value>,
    /// The `response_timestamp`, UTC milliseconds.
    pub response_timestamp: u64,
    /// The JWS `kid`: which of the sender's keys signed it.
    pub signing_kid: String,
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
}

impl Client {
    /// A client that seals with `sealer` (our signing key, the server's encryption key) and opens
    /// with `opener` (our key ring, the server's signing keys), on the system clock with the
    /// default [`Policy`].
    pub fn new(sealer: Sealer, opener: Opener) -> Self {
        Client {
            sealer,
            opener,
            clock: Arc::new(SystemClock),
            policy: Policy::default(),
        }
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

    /// Opens an encrypted response (its `Content-Type` must be `application/jose`): the body
    /// becomes the [`OpenedResponse`], the `Content-Type` `application/json`, and
    /// `Content-Length` is dropped; status and other headers are kept.
    pub fn decrypt_response<B: AsRef<[u8]>>(
        &self,
        response: http::Response<B>,
        provider: &dyn CryptoProvider,
    ) -> Result<http::Response<OpenedResponse>> {
        let (mut parts, body) = response.into_parts();
        http_util::check_content_type(&parts.headers, CONTENT_TYPE_JOSE, false)?;
        let token = http_util::token(body.as_ref())?;
        let opened = self.open_response(token, provider)?;
        http_util::set_json_headers(&mut parts.headers);
        Ok(http::Response::from_parts(parts, opened))
    }
}
