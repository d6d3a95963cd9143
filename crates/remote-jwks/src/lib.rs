//! A remote JWK set (JWKS) over HTTPS with caching: what a service that verifies tokens signed by
//! someone else's keys needs (the counterpart of panva/jose's `createRemoteJWKSet`), on jose's
//! parser and key types.
//!
//! ```
//! use jose::JwsAlgorithm;
//! use jose::jws::Jws;
//! use jose_remote_jwks::RemoteJwks;
//! use std::time::Duration;
//!
//! # fn main() -> Result<(), jose_remote_jwks::Error> {
//! // Once, at startup (nothing is fetched yet); clone the handle freely.
//! let jwks = RemoteJwks::builder()
//!     .cooldown(Duration::from_secs(30))
//!     .build("https://issuer.example/.well-known/jwks.json")?;
//!
//! // Per token: the key named by its kid, bound to the algorithm *we* expect.
//! async fn payload(jwks: &RemoteJwks, token: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
//!     let jws = Jws::from_compact(token, &jose::Limits::default())?;
//!     let header = jws.signatures().first().ok_or("no signature")?.protected_header();
//!     let key = jwks.verifying_key(header.kid()?, JwsAlgorithm::Es256).await?;
//!     Ok(jws.verify([&key])?.to_vec())
//! }
//! # let _ = (jwks, payload);
//! # Ok(()) }
//! ```
//!
//! # The rules (each a [`RemoteJwksBuilder`] setting, defaults in brackets)
//!
//! - **Transport.** `https://` only, with rustls on aws-lc-rs and the system's root store (or
//!   only the CAs of [`ca_pem`](RemoteJwksBuilder::ca_pem)); plain `http://` only to a loopback
//!   IP address and only with [`allow_http_loopback`](RemoteJwksBuilder::allow_http_loopback)
//!   (for tests). Redirects are not followed: a 3xx is an [`Error::Status`]. Proxies come from
//!   the environment (`HTTPS_PROXY`, `NO_PROXY`), as reqwest reads them.
//! - **Bounds.** A connect timeout [5 s], a timeout of the whole fetch [10 s], a largest answer
//!   [512 KiB] (a larger `Content-Length` is refused before the body is read; a body without
//!   one is read no further than the limit). The body must parse with
//!   [`jose::Jwks::from_json`] under the [`jose::Limits`] [jose's defaults: 1 MiB, 256 keys].
//!   `Content-Type` is not checked.
//! - **Public keys only.** A set holding a symmetric (`oct`) key or any private member is
//!   refused as a whole ([`Error::SecretInSet`]): the server is misconfigured and its operator
//!   must hear of it. A key that does not import (another key type or curve, a bad key) or whose
//!   `use`/`key_ops` excludes verification is left out, the reason kept in
//!   [`KeySet::skipped`].
//! - **Lifetime.** From the answer's `Cache-Control`: `max-age`, or the minimum under
//!   `no-store`/`no-cache`, or a default [10 min] without either; clamped to
//!   [`min_ttl`](RemoteJwksBuilder::min_ttl) [1 min] and [`max_ttl`](RemoteJwksBuilder::max_ttl)
//!   [24 h].
//! - **Cooldown.** At most one request per [`cooldown`](RemoteJwksBuilder::cooldown) [30 s],
//!   whatever the reason (the first fetch excepted): a `kid` the set lacks triggers one refetch
//!   if the cooldown since the last request has passed, and is otherwise answered
//!   [`Error::NoMatchingKey`] at once; a failed fetch is not retried within it (its error is the
//!   answer meanwhile).
//! - **Stale-if-error.** When refreshing an expired set fails, the last good set is still served
//!   for at most [`stale_if_error`](RemoteJwksBuilder::stale_if_error) [15 min] after it expired;
//!   then the fetch's error is the answer.
//! - **Single-flight.** Concurrent callers share one fetch: N tasks asking at once cause one
//!   request, and all get its outcome.
//!
//! [`RemoteJwksSet`] holds one [`RemoteJwks`] per allowed URL, for tokens that name their JWKS
//! URL (`jku`): a URL not on the list is refused before any request.
//!
//! # Errors
//!
//! One [`Error`] with [`Error::class`] and [`Error::is_rejection`], as in every jose crate: a
//! transport failure is [`Transport`](jose::ErrorClass::Transport) (try later), a refused answer,
//! URL or key [`Rejected`](jose::ErrorClass::Rejected), our own settings
//! [`Local`](jose::ErrorClass::Local). Causes are sources: print with
//! [`jose::error::display_chain`].
//!
//! # Features
//!
//! | feature | what it turns on |
//! |---|---|
//! | `tracing` | events for each fetch (URL, outcome, key counts, lifetime, latency), deferred refetches and stale sets served; never key material |
//!
//! No crypto provider feature: the application chooses one, once, on `jose-toolkit` (or a jose
//! protocol crate); keys are imported on [`jose::default_provider`] unless
//! [`RemoteJwksBuilder::provider`] says otherwise. The HTTPS client (reqwest with rustls) uses
//! aws-lc-rs for TLS whatever the provider.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod cache_control;
mod error;
mod key_set;
mod remote;
mod set;

pub use error::Error;
pub use key_set::{KeySet, SkippedKey};
pub use remote::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_COOLDOWN, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_TTL,
    DEFAULT_MIN_TTL, DEFAULT_STALE_IF_ERROR, DEFAULT_TIMEOUT, DEFAULT_TTL, RemoteJwks,
    RemoteJwksBuilder,
};
pub use set::RemoteJwksSet;
