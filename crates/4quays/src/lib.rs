//! The 4Quays protect/unprotect API: its documented types, the policy engine behind it, a client,
//! and (feature `server`) the HTTP service.
//!
//! `POST /api/v1/protect` takes any JSON payload and returns it as a JWE (flattened JSON
//! serialization) encrypted to the active key of the destination service a policy names;
//! `POST /api/v1/unprotect` takes such a JWE back and returns the payload. The request, response and
//! error bodies here are the documented ones, field for field.
//!
//! ```
//! use jose::{KeySpec, PrivateKey};
//! use jose_4quays::client::{Client, parse_protect_response, parse_unprotect_response};
//! use jose_4quays::engine::{ApiKey, DestinationKey, DestinationService, Engine, Policy};
//! use jose_4quays::{Operation, ProtectRequest, UnprotectRequest};
//! use serde_json::json;
//!
//! # fn main() -> Result<(), jose_4quays::Error> {
//! let provider = jose::default_provider();
//!
//! // The service side: a destination bank with a managed key, a policy, an API key (stored hashed).
//! let bank_key = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?;
//! let engine = Engine::builder(provider)
//!     .service(DestinationService::new("rbc").active_key(DestinationKey::managed("rbc-2026-01", bank_key)?))
//!     .policy(Policy::new("RBC-TRANSFER-001", "rbc"))
//!     .api_key(ApiKey::from_secret("partner-a", "sk_live_xxxxx", "RBC-TRANSFER-001", provider))
//!     .build()?;
//!
//! // The caller's side builds `http::Request`s; here the engine answers them in-process (the
//! // `server` feature puts the same engine behind an HTTP service).
//! let client = Client::new("http://127.0.0.1:8080", "sk_live_xxxxx")?;
//! let payload = json!({"transferId": "txn-12345", "amount": 5000, "currency": "CAD"});
//! let request = client.protect_request(&ProtectRequest::new(payload.clone()), Some("req_abc123"))?;
//! let protected = parse_protect_response(&engine.handle(Operation::Protect, &request).response)?;
//! assert_eq!(protected.request_id(), "req_abc123");
//! let envelope = protected.jwe().cloned().expect("the policy is active, so the payload was encrypted");
//!
//! let request = client.unprotect_request(&UnprotectRequest::jwe(envelope), None)?;
//! let opened = parse_unprotect_response(&engine.handle(Operation::Unprotect, &request).response)?;
//! assert_eq!(opened.payload, payload);
//! assert_eq!(opened.operations, ["decrypt"]);
//! # Ok(()) }
//! ```
//!
//! # Map
//!
//! - [`types`]: the wire types ([`ProtectRequest`], [`ProtectResponse`] in its three forms,
//!   [`UnprotectRequest`], [`UnprotectResponse`], [`ErrorBody`], [`ErrorCode`] with its HTTP status,
//!   [`JweEnvelope`]).
//! - [`engine`]: destination services and key rotation, policies, hashed API keys, and
//!   [`Engine::handle`]: `http::Request` in, documented `http::Response` and an audit record out.
//! - [`config`]: the TOML configuration file, validated at load; [`config::Example`] generates a
//!   working one with fresh keys.
//! - [`client`]: request builders and response parsers; `AsyncClient` (feature `client`) sends
//!   them with reqwest.
//! - [`destination`]: a destination opening an envelope with its own private key.
//! - [`legacy`]: the `protectedPayload` format (base64url of the compact JWE).
//! - `server` (feature `server`): the HTTP service: TLS, limits and load shedding, reload,
//!   metrics and JSON audit logs.
//!
//! # Threat model: who may decrypt what
//!
//! The service holds the private keys of the destinations it manages and answers anyone who can
//! reach it, so it assumes a hostile network and hostile callers, some of them holding valid API
//! keys of their own.
//!
//! - **Callers** are known by their API key only (Bearer; the configuration stores its SHA-256).
//!   A key may use only the policies configured for it; any other policy is answered exactly as
//!   an unknown one (`404 POLICY_NOT_FOUND`).
//! - **An envelope is bound to the policy that made it**: protect writes the policy number into
//!   the JWE protected header ([`engine::POLICY_HEADER`]), which AES-GCM authenticates, and
//!   unprotect opens an envelope only under that policy. So a partner who obtains another
//!   partner's envelope cannot have it opened through a policy of its own, even one on the same
//!   destination service and keys, and cannot rewrite the binding without breaking the tag.
//!   Envelopes without a binding (made before it existed) open only under a policy configured
//!   with `accept_unbound = true`, and then under any such policy of their service.
//! - Every unprotect failure past validation (another policy's envelope, an unknown or
//!   [retired](engine::DestinationKey::retired) key, a bad tag) is the same opaque
//!   `500 INTERNAL_ERROR`: the answer tells an attacker nothing about why. The binding itself is
//!   not secret: it names the policy, which the destination may read.
//! - Whoever holds a destination's private key (the destination itself, for
//!   `destination_managed` policies) can open every envelope made for it, whatever the binding:
//!   the binding is enforced by this service, not by the cryptography.
//! - **Unauthenticated callers** cost a SHA-256 and a bounded header read: the service checks the
//!   key from the headers before reading any body, and bounds connections, waits and queues
//!   (see the `server` module, feature `server`).
//! - Logs, metrics and errors never contain payloads, JWE parts, API keys or key material.
//!
//! # Features
//!
//! | feature | what it turns on |
//! |---|---|
//! | `aws-lc` | the aws-lc-rs crypto provider (`jose-toolkit/aws-lc`) |
//! | `rustcrypto` | the RustCrypto crypto provider (`jose-toolkit/rustcrypto`) |
//! | `server` | the HTTP service (the `server` module): hyper, tokio, rustls |
//! | `client` | `AsyncClient`: reqwest with rustls |
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
//! jose-4quays = "0.1"
//! ```
//!
//! TLS in `server` and `client` is rustls on aws-lc-rs whichever JOSE provider is chosen: with
//! either feature on, aws-lc-rs is in the build.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod client;
pub mod config;
pub mod destination;
pub mod engine;
mod error;
pub mod legacy;
pub mod types;
mod validate;

#[cfg(feature = "client")]
mod async_client;
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod server;

#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use async_client::{AsyncClient, ClientOptions, MAX_RESPONSE_BYTES};
pub use config::Config;
pub use engine::{Engine, hash_api_key};
pub use error::{Cause, Error};
pub use types::{
    ErrorBody, ErrorCode, ErrorDetail, JweEnvelope, Operation, ProtectRequest, ProtectResponse,
    UnprotectRequest, UnprotectResponse,
};
