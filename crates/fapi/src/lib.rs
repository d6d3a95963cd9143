//! FAPI 2.0 building blocks on jose's JWT layer: `private_key_jwt` client assertions
//! ([`client_assertion`], RFC 7523), DPoP proofs ([`dpop`], RFC 9449) and signed, optionally
//! encrypted, request objects ([`request_object`], RFC 9101), each with the client's side (make
//! one) and the server's (check one, every rule of its specification, each refusal an error that
//! names the claim or header member).
//!
//! ```
//! use jose::{EcCurve, JwsAlgorithm, KeySpec, PrivateKey, SigningKey};
//! use jose_fapi::client_assertion::{ClientAssertion, ClientAssertionVerifier};
//! use jose_fapi::dpop::{DpopProof, DpopVerifier};
//!
//! # fn main() -> Result<(), jose::Error> {
//! let provider = jose::default_provider();
//! let es256 = || -> Result<SigningKey, jose::Error> {
//!     SigningKey::new(PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider)?, JwsAlgorithm::Es256)
//! };
//! let (client_key, dpop_key) = (es256()?, es256()?);
//!
//! // The client's token request: it authenticates with a signed assertion, and binds the
//! // tokens it asks for to its DPoP key.
//! let assertion = ClientAssertion::new("s6BhdRkqt3", "https://as.example.com").sign(&client_key, provider)?;
//! let proof = DpopProof::new("POST", "https://as.example.com/token")?.sign(&dpop_key, provider)?;
//!
//! // The authorization server checks both.
//! let client = ClientAssertionVerifier::new(["https://as.example.com"])
//!     .verify(&assertion, "s6BhdRkqt3", &[client_key.verifying_key()])?;
//! let dpop = DpopVerifier::new().verify(&proof, "POST", "https://as.example.com/token", None)?;
//! assert_eq!(client.claims.iss.as_deref(), Some("s6BhdRkqt3"));
//! // The access token it issues carries "cnf": {"jkt": dpop.jkt}.
//! assert_eq!(dpop.jkt.len(), 43);
//! # Ok(()) }
//! ```
//!
//! Errors are jose's [`jose::Error`]: a claim refused is `Error::Claim` (its message starts
//! with the claim's name), a header problem `Error::InvalidHeader`, a key that cannot be used as
//! asked `Error::InvalidKey`. No message holds key material or an access token.
//!
//! The crate enables no crypto provider: the application picks one on `jose-toolkit` (or with
//! this crate's `aws-lc` or `rustcrypto` feature). The servers' checks take one-time ids through
//! jose's [`ReplayStore`](jose::replay::ReplayStore): an in-memory store of their own by default,
//! a shared one (such as `jose-replay-redis`'s) for several instances.

#![cfg_attr(docsrs, feature(doc_cfg))]

/// The setters every verifier has, on its `validation` (a `jose::jwt::Validation`): `clock`,
/// `leeway` (documented with the verifier's default, `$leeway`) and `limits`.
macro_rules! validation_setters {
    ($leeway:literal) => {
        /// The clock (default the system's): a `ManualClock` in tests.
        pub fn clock(mut self, clock: std::sync::Arc<dyn jose::clock::Clock>) -> Self {
            self.validation = self.validation.clock(clock);
            self
        }

        #[doc = concat!("The leeway for clock skew (default ", $leeway, ").")]
        ///
        /// Errors: [`Error::InvalidRequest`](jose::Error::InvalidRequest) above
        /// [`jwt::MAX_LEEWAY`](jose::jwt::MAX_LEEWAY).
        pub fn leeway(mut self, leeway: std::time::Duration) -> Result<Self, jose::Error> {
            self.validation = self.validation.leeway(leeway)?;
            Ok(self)
        }

        /// The parser's size limits (default `Limits::default()`).
        pub fn limits(mut self, limits: jose::Limits) -> Self {
            self.validation = self.validation.limits(limits);
            self
        }
    };
}

pub mod client_assertion;
pub mod dpop;
mod htu;
pub mod request_object;

use std::time::Duration;

use jose::{CryptoProvider, Error, SigningKey, VerifyingKey};

/// Refuses an HS* signer where only an asymmetric one makes sense.
fn refuse_hmac_signer(signer: &SigningKey, what: &str) -> Result<(), Error> {
    if signer.alg().is_hmac() {
        return Err(Error::invalid_key(
            format!("an asymmetric signing key for {what}"),
            format!("a shared secret bound to {}", signer.alg()),
        ));
    }
    Ok(())
}

/// Refuses HS* verifying keys where only asymmetric ones make sense.
fn refuse_hmac_keys(keys: &[VerifyingKey], what: &str) -> Result<(), Error> {
    match keys.iter().find(|key| key.alg().is_hmac()) {
        Some(key) => Err(Error::invalid_key(
            format!("asymmetric verifying keys for {what}"),
            format!("a shared secret bound to {}", key.alg()),
        )),
        None => Ok(()),
    }
}

/// A token lifetime of at least one second and at most `max`.
fn check_lifetime(what: &str, lifetime: Duration, max: Duration) -> Result<(), Error> {
    if lifetime.as_secs() == 0 || lifetime > max {
        return Err(Error::InvalidRequest(format!(
            "{what}: expected 1 s to {} s, found {} ms",
            max.as_secs(),
            lifetime.as_millis()
        )));
    }
    Ok(())
}

/// The caller's `jti`, or 128 random bits from `provider`.
fn jti_or_random(jti: Option<&str>, provider: &dyn CryptoProvider) -> Result<String, Error> {
    match jti {
        Some(jti) => Ok(jti.to_owned()),
        None => jose::jwt::random_id(provider),
    }
}
