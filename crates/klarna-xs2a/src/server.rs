//! The server role: receiving requests (for whoever serves or mocks the API), answering them.
//!
//! A request must decrypt with one of our keys and verify with one of the client's; its body
//! must carry a `request_id` of 10 to 100 characters and a `request_timestamp` no older than two
//! minutes and no further ahead than the allowed skew (30 seconds by default); and the
//! `request_id` must not have been seen in the replay window (recorded in a [`ReplayStore`] for
//! five minutes by default, and never shorter than the time the [`Policy`] accepts a request for,
//! [`Policy::min_replay_window`]). Checks run in that order, so only authentic, fresh requests
//! take up room in the replay store. A response body gets a `response_timestamp`, then is signed
//! and encrypted.
//!
//! The synchronous methods ([`Server::decrypt_request`], [`Server::open_request`]) work with a
//! store that answers at once (the default [`InMemoryReplayStore`]); a shared store on the network
//! (`jose-replay-redis`) is asked through [`Server::decrypt_request_async`] and
//! [`Server::open_request_async`], and the synchronous ones then refuse with
//! [`Error::ReplayStore`]\([`ReplayError::NeedsAsync`]).
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
use crate::error::{Error, Result, shorten};
use crate::fields::{self, Policy, REQUEST_TIMESTAMP, RESPONSE_TIMESTAMP};
use crate::replay::{InMemoryReplayStore, REPLAY_WINDOW, ReplayError, ReplayStore};
use crate::{http_util, route};
use jose::CryptoProvider;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

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
/// `policy`. Returns the two fields. The `request_id` must then be recorded in a replay store
/// ([`record_request_id`], or the [`Server`] does both).
pub fn check_request_fields(
    body: &Map<String, Value>,
    now_millis: u64,
    policy: &Policy,
) -> Result<(String, u64)> {
    let request_id = fields::request_id(body)?;
    let timestamp = fields::timestamp(body, REQUEST_TIMESTAMP)?;
    policy.check(REQUEST_TIMESTAMP, timestamp, now_millis)?;
    Ok((request_id.to_owned(), timestamp))
}

/// Records `request_id` at `now_millis` in `store` for `window` (at least the policy's
/// [`Policy::min_replay_window`]), synchronously: [`Error::Replayed`] if it is there,
/// [`Error::ReplayStoreFull`] or [`Error::ReplayStore`] if the store cannot vouch for it (a store
/// that must be awaited answers [`ReplayError::NeedsAsync`]).
pub fn record_request_id(
    store: &dyn ReplayStore,
    request_id: &str,
    now_millis: u64,
    window: Duration,
) -> Result<()> {
    let answer = store
        .check_and_record_sync(request_id, now_millis, expiry(now_millis, window))
        .unwrap_or(Err(ReplayError::NeedsAsync {
            store: store.name(),
        }));
    replay_result(answer, request_id, window)
}

/// [`record_request_id`] with any replay store, awaited (one round trip to a shared store,
/// bounded by the store's timeout).
pub async fn record_request_id_async(
    store: &dyn ReplayStore,
    request_id: &str,
    now_millis: u64,
    window: Duration,
) -> Result<()> {
    let answer = store
        .check_and_record(request_id, now_millis, expiry(now_millis, window))
        .await;
    replay_result(answer, request_id, window)
}

fn expiry(now_millis: u64, window: Duration) -> u64 {
    now_millis.saturating_add(crate::clock::millis(window))
}

fn replay_result(
    answer: std::result::Result<(), ReplayError>,
    request_id: &str,
    window: Duration,
) -> Result<()> {
    match answer {
        Ok(()) => Ok(()),
        Err(ReplayError::Replayed) => Err(Error::Replayed {
            request_id: shorten(request_id),
            window_ms: crate::clock::millis(window),
        }),
        Err(ReplayError::Full { capacity }) => Err(Error::ReplayStoreFull { capacity }),
        Err(other) => Err(Error::ReplayStore(other)),
    }
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
    store: Arc<dyn ReplayStore>,
    replay_window: Duration,
}

impl Server {
    /// A server that opens with `opener` (our key ring, the client's signing keys) and seals
    /// responses with `sealer` (our signing key, the client's encryption key), on the system
    /// clock, with the default [`Policy`], a default [`InMemoryReplayStore`] and the protocol's
    /// [`REPLAY_WINDOW`].
    pub fn new(sealer: Sealer, opener: Opener) -> Self {
        Server {
            sealer,
            opener,
            clock: Arc::new(SystemClock),
            policy: Policy::default(),
            store: Arc::new(InMemoryReplayStore::default()),
            replay_window: REPLAY_WINDOW,
        }
    }

    /// Another clock (a [`crate::ManualClock`] in tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Another time policy for requests (e.g. a different clock skew allowance). Ids are
    /// remembered for at least the policy's [`min_replay_window`](Policy::min_replay_window), so
    /// a longer `max_age` or skew lengthens the replay window with it.
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Another replay store: a shared one (`jose-replay-redis`) when several instances serve
    /// the API, used through [`decrypt_request_async`](Self::decrypt_request_async).
    pub fn with_replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.store = store;
        self
    }

    /// The server's own replay window ([`REPLAY_WINDOW`], five minutes, by default). A shorter
    /// one is raised to the policy's [`min_replay_window`](Policy::min_replay_window): see
    /// [`replay_window`](Self::replay_window).
    pub fn with_replay_window(mut self, window: Duration) -> Self {
        self.replay_window = window;
        self
    }

    /// How long each `request_id` is recorded for: the longer of the server's own window and
    /// the policy's [`min_replay_window`](Policy::min_replay_window).
    pub fn replay_window(&self) -> Duration {
        self.replay_window.max(self.policy.min_replay_window())
    }

    /// The opener (for key rotation).
    pub fn opener_mut(&mut self) -> &mut Opener {
        &mut self.opener
    }

    /// Opens a request token, checks its fields ([`check_request_fields`]) and records its
    /// `request_id` in the replay store, which must answer at once (the in-memory one does;
    /// otherwise [`Error::ReplayStore`], and [`open_request_async`](Self::open_request_async) is
    /// the one to call).
    pub fn open_request(
        &self,
        token: &str,
        provider: &dyn CryptoProvider,
    ) -> Result<OpenedRequest> {
        let (opened, now) = self.open_unrecorded(token, provider)?;
        record_request_id(
            self.store.as_ref(),
            &opened.request_id,
            now,
            self.replay_window(),
        )?;
        Ok(opened)
    }

    /// [`open_request`](Self::open_request) with any replay store, awaited (one round trip to a
    /// shared store, bounded by the store's timeout).
    pub async fn open_request_async(
        &self,
        token: &str,
        provider: &dyn CryptoProvider,
    ) -> Result<OpenedRequest> {
        let (opened, now) = self.open_unrecorded(token, provider)?;
        record_request_id_async(
            self.store.as_ref(),
            &opened.request_id,
            now,
            self.replay_window(),
        )
        .await?;
        Ok(opened)
    }

    /// Decrypts, verifies and checks the fields at the clock's time; the id is not recorded yet.
    fn open_unrecorded(
        &self,
        token: &str,
        provider: &dyn CryptoProvider,
    ) -> Result<(OpenedRequest, u64)> {
        let opened = self.opener.open(token, provider)?;
        let now = self.clock.now_millis();
        let (request_id, request_timestamp) =
            check_request_fields(&opened.body, now, &self.policy)?;
        let request = OpenedRequest {
            body: opened.body,
            request_id,
            request_timestamp,
            signing_kid: opened.signing_kid,
        };
        Ok((request, now))
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
    ///
    /// The replay store must answer at once (see [`open_request`](Self::open_request)); with a
    /// shared store, call [`decrypt_request_async`](Self::decrypt_request_async).
    pub fn decrypt_request<B: AsRef<[u8]>>(
        &self,
        request: http::Request<B>,
        provider: &dyn CryptoProvider,
    ) -> Result<http::Request<OpenedRequest>> {
        let (mut parts, body) = request.into_parts();
        let token = encrypted_token(&mut parts, body.as_ref())?;
        let opened = self.open_request(token, provider)?;
        Ok(http::Request::from_parts(parts, opened))
    }

    /// [`decrypt_request`](Self::decrypt_request) with any replay store, awaited.
    pub async fn decrypt_request_async<B: AsRef<[u8]>>(
        &self,
        request: http::Request<B>,
        provider: &dyn CryptoProvider,
    ) -> Result<http::Request<OpenedRequest>> {
        let (mut parts, body) = request.into_parts();
        let opened = {
            let token = encrypted_token(&mut parts, body.as_ref())?;
            self.open_request_async(token, provider).await?
        };
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

/// Checks the encrypted request's `Content-Type`, maps its method and path back
/// ([`route::from_encrypted_uri`]), sets the JSON headers, and returns its token.
fn encrypted_token<'b>(parts: &mut http::request::Parts, body: &'b [u8]) -> Result<&'b str> {
    http_util::check_content_type(&parts.headers, CONTENT_TYPE_JOSE, false)?;
    let (method, uri) = route::from_encrypted_uri(&parts.method, &parts.uri)?;
    let token = http_util::token(body)?;
    parts.method = method;
    parts.uri = uri;
    http_util::set_json_headers(&mut parts.headers);
    Ok(token)
}
