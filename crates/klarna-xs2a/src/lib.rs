//! Klarna XS2A secure communication: a JWS inside a JWE, with replay prevention, for both sides.
//!
//! Every request and response body is a JSON object, signed by the sender (JWS, RS512, header
//! `{"alg":"RS512","kid":…,"cty":"application/json"}`) and then encrypted to the recipient (JWE,
//! RSA-OAEP-256 and A256GCM, header `{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":…,
//! "cty":"application/jose"}`). The compact JWE is the HTTP body, sent with
//! `Content-Type: application/jose`. Requests carry a `request_id` and a `request_timestamp`;
//! responses a `response_timestamp`. GET and DELETE become POST to `<path>/get` and
//! `<path>/delete`.
//!
//! The crate is sans-IO: it turns bytes and [`http`] types into bytes and `http` types, and any
//! HTTP stack can carry them. Crypto comes from a `jose` provider passed to each call.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use jose::{KeySpec, PrivateKey};
//! use jose_klarna_xs2a::{Client, KeyRing, Opener, Sealer, Server, VerifierSet};
//! use serde_json::{Map, Value, json};
//!
//! let provider = jose::default_provider();
//! let rsa = || PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider);
//! // Each side has a signing key and a decryption key, and knows the other's public halves.
//! let (tpp_sig, tpp_enc) = (rsa()?.with_kid("tpp-sig-1"), rsa()?.with_kid("tpp-enc-1"));
//! let (xs2a_sig, xs2a_enc) = (rsa()?.with_kid("5F0C9D37"), rsa()?.with_kid("2AF92B1D"));
//!
//! let client = Client::new(
//!     Sealer::new(tpp_sig.clone(), xs2a_enc.public_key())?,
//!     Opener::new(KeyRing::new().with(tpp_enc.clone())?, VerifierSet::new().with(xs2a_sig.public_key())?),
//! );
//! let server = Server::new(
//!     Sealer::new(xs2a_sig, tpp_enc.public_key())?,
//!     Opener::new(KeyRing::new().with(xs2a_enc)?, VerifierSet::new().with(tpp_sig.public_key())?),
//! );
//!
//! // Client: the body gets request_id and request_timestamp, then is signed and encrypted.
//! let body = json!({"psu": {"ip_address": "136.71.143.70"}});
//! let sealed = client.seal_request(body.as_object().cloned().unwrap_or_default(), provider)?;
//!
//! // Server: decrypt, verify, check the timestamp and the replay store; answer.
//! let request = server.open_request(&sealed.token, provider)?;
//! assert_eq!(request.request_id, sealed.stamp.request_id);
//! assert_eq!(request.body["psu"]["ip_address"], "136.71.143.70");
//! let mut answer = Map::new();
//! answer.insert("data".into(), json!({"session_id": "s-1"}));
//! let response_token = server.seal_response(answer, provider)?;
//!
//! // Client: decrypt, verify, check response_timestamp.
//! let response = client.open_response(&response_token, provider)?;
//! assert_eq!(response.body["data"]["session_id"], "s-1");
//! assert!(matches!(response.body.get("response_timestamp"), Some(Value::Number(_))));
//!
//! // The same request again is a replay.
//! assert!(server.open_request(&sealed.token, provider).is_err());
//! # Ok(()) }
//! ```
//!
//! # Map
//!
//! - [`Sealer`] and [`Opener`] ([`envelope`]): the nested token, role-free. Keys are bound to
//!   exactly the protocol's algorithms ([`keys`]); an opener chooses our key from a [`KeyRing`] by
//!   the JWE `kid` and the sender's from a [`VerifierSet`] by the JWS `kid`, so several keys can
//!   live at once while keys rotate (a set of one key may hold it without `kid`: it is used
//!   whatever the token's). Anything but RS512, RSA-OAEP-256 and A256GCM is rejected.
//! - [`Client`] ([`client`]) and [`Server`] ([`server`]): the roles, with the timestamp
//!   [`Policy`], an injectable [`Clock`] and, on the server, a [`ReplayStore`] (in memory by
//!   default; shared by several instances with `jose-replay-redis`). The client reads
//!   every answer ([`Client::decrypt_response`]): a [`ResponseOutcome`] for a 2xx (sealed,
//!   plain JSON if [`PlainResponses::Accept`], or no content), [`Error::Api`] with the status and
//!   body ([`ApiError`]) for anything else. Their building blocks ([`client::stamp_request`],
//!   [`server::check_request_fields`], [`server::record_request_id`], ...) are public for callers
//!   that hold only half the keys.
//! - [`route`]: GET and DELETE to POST `<path>/get` and `<path>/delete`, and back.
//! - [`Error`]: one enum whose variants a caller can act on.
//!
//! # Deliberate choices
//!
//! - When opening, a `cty` may be missing (Klarna's published example JWE header has none), but
//!   one that is present must be `application/jose` (JWE) or `application/json` (JWS).
//! - The client also rejects a `response_timestamp` further in the future than the allowed skew,
//!   as the server does for requests: a response from the future is as suspect as a stale one.
//! - The in-memory replay store refuses new ids when full rather than forgetting recent ones; see
//!   [`InMemoryReplayStore`]. A replay store that cannot answer refuses the request.
//! - The replay window is never shorter than the time a request is accepted for: the server
//!   records each id for the longer of its own window (five minutes by default) and
//!   [`Policy::min_replay_window`] (`max_age + allowed_skew` and 1 ms).
//! - A plain JSON 2xx answer is refused unless the client accepts it ([`PlainResponses`]): the
//!   document does not enforce secure communication, but a plain answer has no signature and no
//!   `response_timestamp` to check, so accepting it is the caller's explicit choice.
//! - An error status is an error ([`Error::Api`]), not an outcome, so `?` never takes it for a
//!   success; its body is bounded ([`MAX_ERROR_BODY_BYTES`]), clipped in the message, and a
//!   decrypted body is never quoted.
//! - Sealing needs a `kid` on both keys (the document puts `keyId` in both headers and the
//!   receiver chooses its keys by it; Klarna gives the ids out), so none is derived; opening with
//!   one key per layer does not.
//!
//! # HTTP adapters
//!
//! With the `axum` feature, `axum::Xs2aLayer` (a tower layer) serves the API: it buffers the
//! body (bounded), opens it (decrypt, verify, `request_timestamp`, replay store) before the
//! handler runs, hands the handler the verified JSON and an [`OpenedRequest`] extractor, and
//! seals the handler's JSON answer. A refused request gets a small JSON error and never reaches
//! the handler (`axum::Refusal`: 401 for a failed decryption or signature, 409 for a replay,
//! 413 for a body over the limit, ...).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! # use jose::{KeySpec, PrivateKey};
//! # use jose_klarna_xs2a::{Client, KeyRing, Opener, Sealer, Server, VerifierSet};
//! # let provider = jose::default_provider();
//! # let rsa = || PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider);
//! # let (tpp_sig, tpp_enc) = (rsa()?.with_kid("tpp-sig-1"), rsa()?.with_kid("tpp-enc-1"));
//! # let (xs2a_sig, xs2a_enc) = (rsa()?.with_kid("5F0C9D37"), rsa()?.with_kid("2AF92B1D"));
//! # let client = Client::new(
//! #     Sealer::new(tpp_sig.clone(), xs2a_enc.public_key())?,
//! #     Opener::new(KeyRing::new().with(tpp_enc.clone())?, VerifierSet::new().with(xs2a_sig.public_key())?),
//! # );
//! # let server = Server::new(
//! #     Sealer::new(xs2a_sig, tpp_enc.public_key())?,
//! #     Opener::new(KeyRing::new().with(xs2a_enc)?, VerifierSet::new().with(tpp_sig.public_key())?),
//! # );
//! use axum::{Json, Router, routing::put};
//! use jose_klarna_xs2a::{OpenedRequest, axum::Xs2aLayer};
//! use serde_json::{Value, json};
//!
//! // The handler gets the verified body and who signed it; its JSON answer is sealed.
//! async fn create_session(request: OpenedRequest) -> Json<Value> {
//!     Json(json!({"data": {"session_id": "s-1", "signed_by": request.signing_kid}}))
//! }
//!
//! let router = Router::new().route("/xs2a/v1/sessions", put(create_session));
//! // Around the whole router: GET and DELETE arrive as POST <path>/get and <path>/delete.
//! let app = Xs2aLayer::new(server, provider).with_body_limit(64 * 1024).wrap(router);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! # let addr = listener.local_addr()?;
//! tokio::spawn(async move { axum::serve(listener, app.into_make_service()).await });
//! # let request = http::Request::put("/xs2a/v1/sessions").body(b"{}".to_vec())?;
//! # let sealed = client.encrypt_request(request, provider)?;
//! # let response = reqwest::Client::new()
//! #     .put(format!("http://{addr}/xs2a/v1/sessions"))
//! #     .header("content-type", "application/jose")
//! #     .body(sealed.into_body())
//! #     .send()
//! #     .await?;
//! # assert_eq!(response.status(), 200);
//! # assert_eq!(response.headers()["content-type"], "application/jose");
//! # let response = http::Response::builder()
//! #     .header("content-type", "application/jose")
//! #     .body(response.bytes().await?)?;
//! # let opened = client.decrypt_response(response, provider)?;
//! # assert_eq!(opened.body().body().ok_or("no body")?["data"]["signed_by"], "tpp-sig-1");
//! # Ok(()) }
//! ```
//!
//! With the `reqwest` feature, `reqwest::Xs2aMiddleware` (a reqwest-middleware) is the
//! client: the caller sends and reads plain JSON. An error status, or an answer that does not
//! open, is an error whose source is this crate's [`Error`] (`reqwest::xs2a_error`).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! # use jose::{KeySpec, PrivateKey};
//! # use jose_klarna_xs2a::{Client, KeyRing, OpenedRequest, Opener, Sealer, Server, VerifierSet};
//! # let provider = jose::default_provider();
//! # let rsa = || PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider);
//! # let (tpp_sig, tpp_enc) = (rsa()?.with_kid("tpp-sig-1"), rsa()?.with_kid("tpp-enc-1"));
//! # let (xs2a_sig, xs2a_enc) = (rsa()?.with_kid("5F0C9D37"), rsa()?.with_kid("2AF92B1D"));
//! # let client = Client::new(
//! #     Sealer::new(tpp_sig.clone(), xs2a_enc.public_key())?,
//! #     Opener::new(KeyRing::new().with(tpp_enc.clone())?, VerifierSet::new().with(xs2a_sig.public_key())?),
//! # );
//! # let server = Server::new(
//! #     Sealer::new(xs2a_sig, tpp_enc.public_key())?,
//! #     Opener::new(KeyRing::new().with(xs2a_enc)?, VerifierSet::new().with(tpp_sig.public_key())?),
//! # );
//! # async fn create_session(request: OpenedRequest) -> axum::Json<serde_json::Value> {
//! #     axum::Json(serde_json::json!({"data": {"session_id": "s-1", "ip": request.body["psu"]["ip_address"]}}))
//! # }
//! # let router = axum::Router::new().route("/xs2a/v1/sessions", axum::routing::put(create_session));
//! # let app = jose_klarna_xs2a::axum::Xs2aLayer::new(server, provider).wrap(router);
//! # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! # let base = format!("http://{}", listener.local_addr()?);
//! # tokio::spawn(async move { axum::serve(listener, app.into_make_service()).await });
//! use jose_klarna_xs2a::reqwest::{ResponseSeal, Xs2aMiddleware};
//! use serde_json::{Value, json};
//!
//! let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!     .with(Xs2aMiddleware::new(client, provider))
//!     .build();
//! // Plain JSON out: stamped, signed and encrypted on the way (GET goes as POST <path>/get).
//! let response = http
//!     .put(format!("{base}/xs2a/v1/sessions"))
//!     .header("content-type", "application/json")
//!     .body(json!({"psu": {"ip_address": "136.71.143.70"}}).to_string())
//!     .send()
//!     .await?;
//! // Plain JSON back: decrypted, verified, checked for freshness.
//! let seal = response.extensions().get::<ResponseSeal>().cloned().ok_or("not sealed")?;
//! assert_eq!(seal.signing_kid, "5F0C9D37");
//! let body: Value = serde_json::from_slice(&response.bytes().await?)?;
//! assert_eq!(body["data"]["session_id"], "s-1");
//! # Ok(()) }
//! ```
//!
//! # Features
//!
//! | feature | what it turns on |
//! |---|---|
//! | `aws-lc` | the aws-lc-rs crypto provider (`jose-toolkit/aws-lc`) |
//! | `rustcrypto` | the RustCrypto crypto provider (`jose-toolkit/rustcrypto`) |
//! | `axum` | the server side on axum/tower: `axum::Xs2aLayer` |
//! | `reqwest` | the client side on reqwest-middleware: `reqwest::Xs2aMiddleware` |
//! | `tracing` | events in the adapters (outcome, `kid`, `request_id`, latency; never bodies or keys) |
//!
//! No provider is on by default. The application chooses one, once, for every jose crate it uses:
//! on `jose-toolkit` (whose default is aws-lc) or with one of the features above. Cargo unifies
//! features, so that choice holds here too, and choosing RustCrypto leaves aws-lc-rs out of the
//! build. With no provider anywhere, `jose-toolkit` stops the build with a message saying so. A
//! library built on this crate should leave both features off.
//!
//! ```toml
//! [dependencies]
//! jose = { package = "jose-toolkit", version = "0.1", default-features = false, features = ["rustcrypto"] }
//! jose-klarna-xs2a = "0.1"
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

/// A `tracing` event in the adapters with the `tracing` feature, nothing without it.
#[cfg(any(feature = "axum", feature = "reqwest"))]
macro_rules! event {
    ($level:ident, $($rest:tt)*) => {
        #[cfg(feature = "tracing")]
        {
            ::tracing::$level!($($rest)*);
        }
    };
}

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
pub mod client;
pub mod clock;
pub mod envelope;
pub mod error;
mod fields;
mod http_util;
mod json;
pub mod keys;
pub mod replay;
#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub mod reqwest;
pub mod route;
pub mod server;

pub use client::{
    Client, OpenedResponse, PlainResponses, RequestStamp, ResponseOutcome, SealedRequest,
};
pub use clock::{Clock, ManualClock, SystemClock, unix_millis};
pub use envelope::{CONTENT_TYPE_JOSE, CONTENT_TYPE_JSON, Opened, Opener, Sealer};
pub use error::{ApiError, ApiErrorBody, Error, Layer, MAX_ERROR_BODY_BYTES, Result};
pub use fields::{
    DEFAULT_ALLOWED_SKEW, MAX_AGE, MAX_REQUEST_ID_CHARS, MIN_REQUEST_ID_CHARS, Policy, REQUEST_ID,
    REQUEST_TIMESTAMP, RESPONSE_TIMESTAMP, check_request_id,
};
pub use keys::{JWE_ALG, JWE_ENC, JWS_ALG, KeyRing, VerifierSet};
pub use replay::{
    DEFAULT_REPLAY_CAPACITY, InMemoryReplayStore, REPLAY_WINDOW, ReplayError, ReplayStore,
};
pub use server::{OpenedRequest, Server};

/// Re-exported so callers name the same `http` types this crate uses.
pub use http;
