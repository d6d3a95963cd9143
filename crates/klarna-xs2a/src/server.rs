//! The server role: receiving requests (for whoever serves or mocks the API), answering them.
//!
//! A request must decrypt with one of our keys and verify with one of the client's; its body
//! must carry a `request_id` of 10 to 100 characters and a `request_timestamp` no older than two
//! minutes and no further ahead than the allowed skew (30 seconds by default); and the
//! `request_id` must not have been seen in the replay window ([`ReplayGuard`]: five minutes with
//! the default guard, and never shorter than the time the [`Policy`] accepts a request for,
//! [`Policy::min_replay_window`]). Checks run in that order, so only authentic, fresh requests
//! take up room in the replay guard. A response body gets a `response_timestamp`, then is signed
//! and encrypted.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use jose::{KeySpec, PrivateKey};
//! use jose_klarna_xs2a::{Client, Error, KeyRing, ManualClock, Opener, Sealer, Server, VerifierSet};
//! use serde_json::json;
//! use std::sync::Arc;
//!
//! let provider = jose::default_provider();
//! let rsa = || PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider);
//! let (server_sig, server_enc) = (rsa()?.with_kid("srv-sig"), rsa()?.with_kid("srv-enc"));
//! let (client_sig, client_enc) = (rsa()?.with_kid("cli-sig"), rsa()?.with_kid("cli-enc"));
//!
//! let clock = Arc::new(ManualClock::at_millis(1_585_063_812_156));
//! let server = Server::new(
//!     Sealer::new(server_sig.clone(), client_enc.public_key())?,
//!     Opener::new(KeyRing::new().with(server_enc.clone())?, VerifierSet::new().with(client_sig.public_key())?),
//! )
//! .with_clock(clock.clone());
//! # let client = Client::new(
//! #     Sealer::new(client_sig, server_enc.public_key())?,
//! #     Opener::new(KeyRing::new().with(client_enc)?, VerifierSet::new().with(server_sig.public_key())?),
//! # ).with_clock(clock.clone());
//! # let request = http::Request::delete("/xs2a/v1/sessions/42").body(Vec::new())?;
//! # let encrypted_request = client.encrypt_request(request, provider)?;
//!
//! // A client's DELETE arrives as an encrypted POST to .../delete; the helper turns it back.
//! assert_eq!(encrypted_request.uri().path(), "/xs2a/v1/sessions/42/delete");
//! let request = server.decrypt_request(encrypted_request.clone(), provider)?;
//! assert_eq!(request.method(), http::Method::DELETE);
//! assert_eq!(request.uri().path(), "/xs2a/v1/sessions/42");
//! assert_eq!(request.body().request_id.len(), 36); // the client's UUID
//!
//! // The same request again, a minute later, is a replay.
//! clock.advance(std::time::Duration::from_secs(60));
//! let again = server.decrypt_request(encrypted_request, provider);
//! assert!(matches!(again, Err(Error::Replayed { .. })));
//!
//! // The answer: response_timestamp added, signed, encrypted.
//! let response = http::Response::builder()
//!     .status(204)
//!     .body(json!({"deleted": true}).as_object().cloned().unwrap_or_default())?;
//! let encrypted = server.encrypt_response(response, provider)?;
//! assert_eq!(encrypted.headers()["content-type"], "application/jose");
//! # let opened = client.decrypt_response(encrypted, provider)?;
//! # assert_eq!(opened.body().body().ok_or("no body")?["deleted"], true);
//! # Ok(()) }
//! ```

use crate::clock::{Clock, SystemClock};
use crate::envelope::{CONTENT_TYPE_JOSE, Opener, Sealer};
use crate::error::Result;
use crate::fields::{self, Policy, REQUEST_TIMESTAMP, RESPONSE_TIMESTAMP};
use crate::replay::{InMemoryReplayGuard, ReplayGuard};
use crate::{http_util, route};
use jose::CryptoProvider;
use serde_json::{Map, Value};
use std::sync::Arc;

/// A request that decrypted, verified, was fresh and was not a replay.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OpenedRequest {
    /// The verified JSON body (with its `request_id` and `request_timestamp`).
    pub body: Map<String, Value>,
    /// The `request_id`.
    pub request_id: String,
    /// The `request_timestamp`, UTC milliseconds.
    pub request_timestamp: u64,
    /// The JWS `kid`: which of the client's keys signed it.
    pub signing_kid: String,
}

/// Checks a request body's replay-prevention fields at `now_millis`: `request_id` present, a
/// string of 10 to 100 characters; `request_timestamp` present, UTC milliseconds, within
/// `policy`; then records the `request_id` with `guard`, which refuses one seen within its
/// window and is told to remember it for at least [`Policy::min_replay_window`] (until the
/// request is stale). Returns the two fields.
pub fn check_request(
    body: &Map<String, Value>,
    now_millis: u64,
    policy: &Policy,
    guard: &dyn ReplayGuard,
) -> Result<(String, u64)> {
    let request_id = fields::request_id(body)?;
    let timestamp = fields::timestamp(body, REQUEST_TIMESTAMP)?;
    policy.check(REQUEST_TIMESTAMP, timestamp, now_millis)?;
    guard.check_and_record(request_id, now_millis, policy.min_replay_window())?;
    Ok((request_id.to_owned(), timestamp))
}

/// Adds `response_timestamp` (`now_millis`) to a response body, first in the object (replacing
/// one already there).
pub fn stamp_response(body: Map<String, Value>, now_millis: u64) -> Map<String, Value> {
    fields::prepend(body, vec![(RESPONSE_TIMESTAMP, Value::from(now_millis))])
}

/// The server role: opens requests, seals responses.
#[derive(Debug, Clone)]
pub struct Server {
    sealer: Sealer,
    opener: Opener,
    clock: Arc<dyn Clock>,
    policy: Policy,
    guard: Arc<dyn ReplayGuard>,
}

impl Server {
    /// A server that opens with `opener` (our key ring, the client's signing keys) and seals
    /// responses with `sealer` (our signing key, the client's encryption key), on the system
    /// clock, with the default [`Policy`] and a default [`InMemoryReplayGuard`].
    pub fn new(sealer: Sealer, opener: Opener) -> Self {
        Server {
            sealer,
            opener,
            clock: Arc::new(SystemClock),
            policy: Policy::default(),
            guard: Arc::new(InMemoryReplayGuard::default()),
        }
    }

    /// Another clock (a [`crate::ManualClock`] in tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Another time policy for requests (e.g. a different clock skew allowance). The replay
    /// guard is asked to remember ids for at least the policy's
    /// [`min_replay_window`](Policy::min_replay_window), so a longer `max_age` or skew
    /// lengthens the replay window with it.
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Another replay guard (a shared store when several instances serve the API). Whatever its
    /// own window, it is asked on every request to remember the id for at least the policy's
    /// [`min_replay_window`](Policy::min_replay_window).
    pub fn with_replay_guard(mut self, guard: Arc<dyn ReplayGuard>) -> Self {
        self.guard = guard;
        self
    }

    /// The opener (for key rotation).
    pub fn opener_mut(&mut self) -> &mut Opener {
        &mut self.opener
    }

    /// Opens a request token and checks it ([`check_request`]).
    pub fn open_request(
        &self,
        token: &str,
        provider: &dyn CryptoProvider,
    ) -> Result<OpenedRequest> {
        let opened = self.opener.open(token, provider)?;
        let (request_id, request_timestamp) = check_request(
            &opened.body,
            self.clock.now_millis(),
            &self.policy,
            self.guard.as_ref(),
        )?;
        Ok(OpenedRequest {
            body: opened.body,
            request_id,
            request_timestamp,
            signing_kid: opened.signing_kid,
        })
    }

    /// Stamps ([`stamp_response`]) and seals a response body.
    pub fn seal_response(
        &self,
        body: Map<String, Value>,
        provider: &dyn CryptoProvider,
    ) -> Result<String> {
        let body = stamp_response(body, self.clock.now_millis());
        self.sealer.seal(&body, provider)
    }

    /// Turns an encrypted request back into the plain one: `Content-Type` must be
    /// `application/jose`; method and path are mapped by [`route::from_encrypted_uri`]
    /// (`POST <path>/get` is `GET <path>`); the body becomes the [`OpenedRequest`]; the
    /// `Content-Type` becomes `application/json` and `Content-Length` is dropped.
    pub fn decrypt_request<B: AsRef<[u8]>>(
        &self,
        request: http::Request<B>,
        provider: &dyn CryptoProvider,
    ) -> Result<http::Request<OpenedRequest>> {
        let (mut parts, body) = request.into_parts();
        http_util::check_content_type(&parts.headers, CONTENT_TYPE_JOSE, false)?;
        let (method, uri) = route::from_encrypted_uri(&parts.method, &parts.uri)?;
        let token = http_util::token(body.as_ref())?;
        let opened = self.open_request(token, provider)?;
        parts.method = method;
        parts.uri = uri;
        http_util::set_json_headers(&mut parts.headers);
        Ok(http::Request::from_parts(parts, opened))
    }

    /// Seals a response: the body stamped and sealed, `Content-Type: application/jose`, and
    /// `Content-Length` set; status and other headers are kept.
    pub fn encrypt_response(
        &self,
        response: http::Response<Map<String, Value>>,
        provider: &dyn CryptoProvider,
    ) -> Result<http::Response<Vec<u8>>> {
        let (mut parts, body) = response.into_parts();
        let token = self.seal_response(body, provider)?;
        http_util::set_jose_headers(&mut parts.headers, token.len());
        Ok(http::Response::from_parts(parts, token.into_bytes()))
    }
}
