//! `private_key_jwt` client authentication (RFC 7523 sections 2.2 and 3, OpenID Connect Core
//! section 9): the client signs a short-lived JWT about itself, and the authorization server
//! checks it at its token endpoint (or PAR endpoint).
//!
//! ```
//! use jose::{EcCurve, JwsAlgorithm, KeySpec, PrivateKey, SigningKey};
//! use jose_fapi::client_assertion::{CLIENT_ASSERTION_TYPE, ClientAssertion, ClientAssertionVerifier};
//!
//! # fn main() -> Result<(), jose::Error> {
//! let provider = jose::default_provider();
//! let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider)?.with_kid("client-1");
//! let signer = SigningKey::new(key, JwsAlgorithm::Es256)?;
//!
//! // The client: a form parameter of its token request.
//! let assertion = ClientAssertion::new("s6BhdRkqt3", "https://as.example.com")
//!     .sign(&signer, provider)?;
//! let form = format!("client_assertion_type={CLIENT_ASSERTION_TYPE}&client_assertion={assertion}");
//! # let _ = form;
//!
//! // The authorization server: the client's registered keys, and its own identifiers.
//! let verifier = ClientAssertionVerifier::new(["https://as.example.com", "https://as.example.com/token"]);
//! let verified = verifier.verify(&assertion, "s6BhdRkqt3", &[signer.verifying_key()])?;
//! assert_eq!(verified.claims.sub.as_deref(), Some("s6BhdRkqt3"));
//!
//! // An assertion is accepted once.
//! let again = verifier.verify(&assertion, "s6BhdRkqt3", &[signer.verifying_key()]).unwrap_err();
//! assert!(again.to_string().starts_with("\"jti\""));
//! # Ok(()) }
//! ```

use std::sync::Arc;
use std::time::Duration;

use jose::clock::{Clock, SystemClock};
use jose::error::clip;
use jose::jwt::{self, ClaimError, Claims, UnverifiedJwt, Validation, VerifiedJwt};
use jose::replay::{InMemoryReplayStore, ReplayStore};
use jose::{CryptoProvider, Error, Header, SigningKey, VerifyingKey};

use crate::{check_lifetime, jti_or_random, refuse_hmac_keys, refuse_hmac_signer};

/// The `client_assertion_type` form parameter that goes with a JWT client assertion (RFC 7523
/// section 2.2).
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long an assertion is valid unless told otherwise: 60 seconds. It is used once, right away.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(60);

/// The longest lifetime [`ClientAssertion::lifetime`] accepts, and the longest
/// [`ClientAssertionVerifier`] accepts by default: 5 minutes. An assertion is single-use and sent
/// at once; a longer life only widens the window for a stolen one, and the server must remember
/// its `jti` that long.
pub const MAX_LIFETIME: Duration = Duration::from_secs(300);

/// The leeway [`ClientAssertionVerifier`] allows for clock skew unless told otherwise: 30 seconds.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

/// The `typ` values a client assertion may carry: none, `JWT` (RFC 7519 section 5.1), or
/// `client-authentication+jwt` (the explicit type of draft-ietf-oauth-rfc7523bis, registered
/// with IANA). Any other type is another kind of JWT (a DPoP proof, a request object) and is
/// refused (RFC 8725 section 3.11).
pub const ACCEPTED_TYPES: [&str; 2] = ["JWT", "client-authentication+jwt"];

/// A client assertion to sign: `iss` = `sub` = the client id, `aud`, `iat`, `exp`, `jti`.
///
/// The header carries `alg` and the key's `kid`, and no `typ`: RFC 7523 and OpenID Connect Core
/// define none, `"JWT"` would say nothing (every JWT is one, so it gives none of the protection
/// of explicit typing), and some servers refuse a `typ` they do not expect.
#[derive(Debug, Clone)]
pub struct ClientAssertion {
    client_id: String,
    audience: String,
    lifetime: Duration,
    jti: Option<String>,
    clock: Arc<dyn Clock>,
}

impl ClientAssertion {
    /// An assertion for `client_id` addressed to `audience`: the authorization server's issuer
    /// identifier (what FAPI 2.0 and draft-ietf-oauth-rfc7523bis ask for) or its token endpoint
    /// URL (what RFC 7523 and OpenID Connect Core allow). Lifetime [`DEFAULT_LIFETIME`], a random
    /// `jti` at each [`sign`](Self::sign), the system clock.
    pub fn new(client_id: impl Into<String>, audience: impl Into<String>) -> Self {
        ClientAssertion {
            client_id: client_id.into(),
            audience: audience.into(),
            lifetime: DEFAULT_LIFETIME,
            jti: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// `exp` - `iat` (whole seconds).
    ///
    /// Errors: [`Error::InvalidRequest`] under one second or above [`MAX_LIFETIME`].
    pub fn lifetime(mut self, lifetime: Duration) -> Result<Self, Error> {
        check_lifetime("client assertion lifetime", lifetime, MAX_LIFETIME)?;
        self.lifetime = lifetime;
        Ok(self)
    }

    /// A fixed `jti` (default: 128 random bits from the provider at each [`sign`](Self::sign)).
    /// The server accepts each `jti` once: sign one assertion per request.
    pub fn jti(mut self, jti: impl Into<String>) -> Self {
        self.jti = Some(jti.into());
        self
    }

    /// The clock for `iat` (default the system's).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The claims [`sign`](Self::sign) signs (with a fresh random `jti` unless one was set).
    pub fn claims(&self, provider: &dyn CryptoProvider) -> Result<Claims, Error> {
        let iat = self.clock.now_seconds();
        let lifetime = i64::try_from(self.lifetime.as_secs()).unwrap_or(i64::MAX);
        let jti = jti_or_random(self.jti.as_deref(), provider)?;
        Ok(Claims::new()
            .issuer(self.client_id.as_str())
            .subject(self.client_id.as_str())
            .audience(self.audience.as_str())
            .issued_at(iat)
            .expires_at(iat.saturating_add(lifetime))
            .jwt_id(jti))
    }

    /// Signs the assertion (compact JWS). `provider` makes the random `jti`.
    ///
    /// Errors: [`Error::InvalidKey`] for an HS* signer (`private_key_jwt` is asymmetric; an HMAC
    /// assertion is `client_secret_jwt`, which this is not).
    pub fn sign(
        &self,
        signer: &SigningKey,
        provider: &dyn CryptoProvider,
    ) -> Result<String, Error> {
        refuse_hmac_signer(signer, "a private_key_jwt client assertion")?;
        jwt::sign(&self.claims(provider)?, signer, Header::new())
    }
}

/// The authorization server's check of a client assertion.
///
/// | rule | default |
/// |---|---|
/// | signature by one of the client's registered keys (asymmetric: HS* keys are refused) | |
/// | `iss` = `sub` = the client id the request names | |
/// | `aud` holds one of the server's identifiers (issuer, token endpoint URL) | |
/// | `exp` required, not passed (+ leeway) | |
/// | `iat` required, not in the future (+ leeway) | |
/// | `exp` - `iat` at most [`max_lifetime`](Self::max_lifetime) | [`MAX_LIFETIME`], 300 s |
/// | `nbf`, when present, passed (- leeway) | |
/// | `typ` absent or one of [`ACCEPTED_TYPES`] | |
/// | `jti` required, accepted once (recorded after every other check passed) | its own [`InMemoryReplayStore`] |
/// | leeway | [`DEFAULT_LEEWAY`], 30 s |
///
/// Several server instances need a shared store ([`replay_store`](Self::replay_store), such as
/// `jose-replay-redis`'s) and [`verify_async`](Self::verify_async).
#[derive(Debug, Clone)]
pub struct ClientAssertionVerifier {
    audiences: Vec<String>,
    max_lifetime: Duration,
    validation: Validation,
}

impl ClientAssertionVerifier {
    validation_setters!("30 s, [`DEFAULT_LEEWAY`]");

    /// A verifier accepting assertions addressed to one of `audiences` (the server's issuer
    /// identifier and/or its token endpoint URL), with the defaults of the table above.
    pub fn new(audiences: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let audiences: Vec<String> = audiences.into_iter().map(Into::into).collect();
        let mut validation = Validation::new().any_issuer().require("iat");
        // No audience named is refused at verify time (the Validation says so), never a pass.
        for audience in &audiences {
            validation = validation.audience(audience.as_str());
        }
        let validation = validation.replay_store(Arc::new(InMemoryReplayStore::default()));
        // DEFAULT_LEEWAY is under jwt::MAX_LEEWAY: the fallback is never taken.
        let validation = match validation.clone().leeway(DEFAULT_LEEWAY) {
            Ok(with_leeway) => with_leeway,
            Err(_) => validation,
        };
        ClientAssertionVerifier {
            audiences,
            max_lifetime: MAX_LIFETIME,
            validation,
        }
    }

    /// The store that accepts each `jti` once (default: an [`InMemoryReplayStore`] of this
    /// verifier's own, shared by its clones).
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.validation = self.validation.replay_store(store);
        self
    }

    /// The longest `exp` - `iat` accepted (default [`MAX_LIFETIME`]).
    pub fn max_lifetime(mut self, max_lifetime: Duration) -> Self {
        self.max_lifetime = max_lifetime;
        self
    }

    /// The audiences accepted.
    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }

    /// Verifies `assertion` from the client `client_id` (the `client_id` of the request, or the
    /// client the server looked up by the assertion's `sub`) with that client's registered keys,
    /// then records its `jti`. The replay store must answer synchronously (the in-memory one
    /// does); see [`verify_async`](Self::verify_async).
    ///
    /// Errors: [`Error::Claim`] naming the claim refused; [`Error::InvalidKey`] for an HS* key
    /// in `keys`; the JWS errors ([`Error::BadSignature`], [`Error::AlgorithmNotAllowed`], ...).
    pub fn verify(
        &self,
        assertion: &str,
        client_id: &str,
        keys: &[VerifyingKey],
    ) -> Result<VerifiedJwt, Error> {
        let (verified, validation) = self.check(assertion, client_id, keys)?;
        validation.record_jti(&verified.claims)?;
        Ok(verified)
    }

    /// [`verify`](Self::verify), awaiting the replay store (any store: a shared one).
    pub async fn verify_async(
        &self,
        assertion: &str,
        client_id: &str,
        keys: &[VerifyingKey],
    ) -> Result<VerifiedJwt, Error> {
        let (verified, validation) = self.check(assertion, client_id, keys)?;
        validation.record_jti_async(&verified.claims).await?;
        Ok(verified)
    }

    /// Every check but the one-time `jti`.
    fn check(
        &self,
        assertion: &str,
        client_id: &str,
        keys: &[VerifyingKey],
    ) -> Result<(VerifiedJwt, Validation), Error> {
        refuse_hmac_keys(keys, "a private_key_jwt client assertion")?;
        let validation = self.validation.clone().issuer(client_id).subject(client_id);
        let token = UnverifiedJwt::parse(assertion, validation.parse_limits())?;
        let verified = token.verify_signature_and_claims(keys, &validation)?;
        if let Some(typ) = verified.header.typ()? {
            if !ACCEPTED_TYPES.iter().any(|t| jwt::typ_matches(t, typ)) {
                return Err(ClaimError::WrongType {
                    expected: "none, \"JWT\" or \"client-authentication+jwt\"".into(),
                    found: format!("{:?}", clip(typ, 80)),
                }
                .into());
            }
        }
        let claims = &verified.claims;
        if let (Some(iat), Some(exp)) = (claims.iat, claims.exp) {
            let lifetime = i128::from(exp) - i128::from(iat);
            if lifetime > i128::from(self.max_lifetime.as_secs()) {
                return Err(ClaimError::invalid(
                    "exp",
                    format!(
                        "at most {} s after iat ({iat})",
                        self.max_lifetime.as_secs()
                    ),
                    format!("{exp}, {lifetime} s after"),
                )
                .into());
            }
        }
        Ok((verified, validation))
    }
}
