//! TrueLayer request signing v2: the `Tl-Signature` header, an ES512 detached JWS over the HTTP
//! request, on both sides, compatible with TrueLayer's own libraries.
//!
//! Sans-IO: requests go in as method, path, headers and body (or an [`http::Request`]), signatures
//! come out as strings; nothing here touches the network. Every signature is made and checked by
//! jose-core ([`jose::jws`]) on the crypto provider you pass (aws-lc-rs or RustCrypto).
//!
//! ```
//! use jose_truelayer_signing::{Es512SigningKey, JkuAllowList, Signer, Verifier, WebhookFreshness};
//! use std::time::{Duration, SystemTime};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let provider = jose::default_provider();
//!
//! // A client signs a payout request with its private key (PEM, SEC1 or PKCS#8) and the key id
//! // TrueLayer's console shows for the uploaded public key. The Idempotency-Key must be signed,
//! // and the path has no trailing slash.
//! let pem = include_str!("../tests/vectors/test-only-ec512-private.pem");
//! let key = Es512SigningKey::from_pem(pem, provider)?;
//! let body = br#"{"merchant_account_id":"a61acaef","amount_in_minor":100,"currency":"GBP"}"#;
//! let tl_signature = Signer::new("45fc75cf-5649-4134-84b3-192c2c78e990")
//!     .method("POST")
//!     .path("/v3/payouts")
//!     .header("Idempotency-Key", "619410b3-b00c-406e-bb1b-2982f97edb8b")
//!     .body(body)
//!     .sign(&key)?;
//! // ... send it as the `Tl-Signature` header of that request.
//!
//! // A merchant verifies a webhook from TrueLayer: check the unverified `jku` against the
//! // allow-list (TrueLayer's two URLs by default), fetch that JWKS (or use a cached copy), verify,
//! // refusing a webhook whose signed X-Tl-Webhook-Timestamp is more than 5 minutes from the clock.
//! let webhook_signature = include_str!("../tests/vectors/webhook-signature.txt").trim();
//! let jku = JkuAllowList::default().webhook_jku(webhook_signature)?;
//! assert_eq!(jku, "https://webhooks.truelayer.com/.well-known/jwks");
//! let jwks_json = include_str!("../tests/vectors/test-only-jwks.json"); // what `jku` served
//! let jwks = jose::Jwks::from_json(jwks_json, &jose::Limits::default())?;
//! // (This recorded webhook was sent at 2021-11-29T11:42:55Z: check it as of 30 s later. A live
//! // endpoint uses the system clock: `WebhookFreshness::default()`.)
//! let clock = SystemTime::UNIX_EPOCH + Duration::from_secs(1_638_186_175 + 30);
//! let verified = Verifier::from_jwks(&jwks, provider)
//!     .method("POST")
//!     .path("/tl-webhook")
//!     .header("x-tl-webhook-timestamp", "2021-11-29T11:42:55Z")
//!     .header("content-type", "application/json")
//!     .webhook_freshness(WebhookFreshness::default().as_of(clock))
//!     .body(br#"{"event_type":"example","event_id":"18b2842b-a57b-4887-a0a6-d3c7c36f1020"}"#)
//!     .verify(webhook_signature)?;
//! assert_eq!(verified.signed_headers, ["X-Tl-Webhook-Timestamp", "Content-Type"]);
//! # let _ = tl_signature;
//! # Ok(()) }
//! ```
//!
//! # The protocol
//!
//! The JOSE header is `{"alg":"ES512","kid":..,"tl_version":"2","tl_headers":"Name,Name"}` (plus
//! `jku` on webhooks), emitted compactly in exactly that order. The signed payload is
//! `METHOD path\n`, then `Name: value\n` for each header of `tl_headers` in order, then the raw
//! body; the `Tl-Signature` value is the detached JWS `BASE64URL(header)..BASE64URL(signature)`.
//! [`Verifier`] lists the verification rules.
//!
//! # Map
//!
//! - [`Signer`]: build a signature with an [`Es512SigningKey`], or through a key held elsewhere
//!   (a KMS or an HSM): jose-core's [`jose::jws::ExternalSigner`] ([`Signer::sign_external`]) or
//!   [`AsyncExternalSigner`] ([`Signer::sign_with_async`]), this crate's ES512 [`ExternalSigner`]
//!   (closures; [`Signer::sign_with`]), or by hand ([`Signer::prepare`], [`SigningInput`]): the
//!   header and signing input are always jose-core's [`jose::jws::JwsBuilder`]'s.
//!   [`sign_request`] signs an [`http::Request`] in place. A request to TrueLayer's API must sign
//!   an `Idempotency-Key`, and its path has no trailing slash; [`Signer::webhook`] signs a
//!   webhook, which has no `Idempotency-Key`.
//! - [`Verifier`]: verify with a public key or a JWKS; [`Verifier::verify_request`] verifies an
//!   [`http::Request`] by its own `Tl-Signature` header; [`Verifier::webhook_freshness`] with a
//!   [`WebhookFreshness`] refuses a webhook whose `X-Tl-Webhook-Timestamp` is stale.
//! - [`JkuAllowList`]: which JWKS URLs a webhook may name; [`extract_header`]: the unverified
//!   JOSE header.
//! - [`Error`]: one error type; [`Error::is_rejection`] separates verdicts from caller mistakes.
//!   Where jose-core refused something, its error is the source: print an error with
//!   [`jose::error::display_chain`].
//!
//! # Features
//!
//! | feature | what it turns on |
//! |---|---|
//! | `aws-lc` | the aws-lc-rs crypto provider (`jose-toolkit/aws-lc`) |
//! | `rustcrypto` | the RustCrypto crypto provider (`jose-toolkit/rustcrypto`) |
//! | `axum` | module `axum`: a tower layer and extractor verifying webhooks, the `jku`'s JWKS fetched and cached by `jose-remote-jwks` |
//! | `reqwest` | module `reqwest`: a reqwest-middleware signing outgoing requests |
//! | `tracing` | events from the adapters (outcome, kid, latency; never bodies, keys or signatures) |
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
//! jose-truelayer-signing = "0.1"
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
mod header;
mod key;
mod request;
mod sign;
mod timestamp;
mod verify;
mod webhook;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub mod reqwest;

pub use error::{Error, Result, TimestampProblem};
pub use header::{ES512_SIGNATURE_LEN, TlHeader, extract_header};
pub use jose::jws::AsyncExternalSigner;
pub use key::{Es512SigningKey, ExternalSigner};
pub use sign::{Signer, SigningInput, sign_request};
pub use timestamp::{WebhookFreshness, X_TL_WEBHOOK_TIMESTAMP};
pub use verify::{
    TL_SIGNATURE, TL_SIGNATURE_HEADERS, TL_SIGNATURE_VERSION, TlVersion, Verified, Verifier,
};
pub use webhook::{JkuAllowList, TRUELAYER_JKU_PRODUCTION, TRUELAYER_JKU_SANDBOX};

/// The `http` crate, re-exported so callers use the same version.
pub use http;
