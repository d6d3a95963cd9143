//! Signed (and optionally encrypted) authorization request objects: JAR (RFC 9101), as FAPI 2.0
//! Message Signing (section 5.3) and FAPI 1.0 Advanced (section 5.2.2) profile them.
//!
//! ```
//! use jose::jwt::Claims;
//! use jose::{JwsAlgorithm, KeySpec, PrivateKey, SigningKey};
//! use jose_fapi::request_object::{RequestObjectVerifier, sign_request_object};
//!
//! # fn main() -> Result<(), jose::Error> {
//! let provider = jose::default_provider();
//! let key = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?.with_kid("client-sig");
//! let signer = SigningKey::new(key, JwsAlgorithm::Ps256)?;
//!
//! // The client signs its authorization request (then pushes it to the PAR endpoint).
//! let now = jose::clock::SystemClock.now_seconds();
//! # use jose::clock::Clock;
//! let claims = Claims::new()
//!     .issuer("s6BhdRkqt3")
//!     .audience("https://as.example.com")
//!     .not_before(now)
//!     .expires_at(now + 300)
//!     .claim("client_id", "s6BhdRkqt3")?
//!     .claim("response_type", "code")?
//!     .claim("scope", "openid payments")?;
//! let request = sign_request_object(&claims, &signer)?;
//!
//! // The authorization server, with the client's registered keys.
//! let verifier = RequestObjectVerifier::new("s6BhdRkqt3", "https://as.example.com");
//! let verified = verifier.verify(&request, &[signer.verifying_key()])?;
//! assert_eq!(verified.claims.get_str("scope")?, Some("openid payments"));
//! # Ok(()) }
//! ```

use std::sync::Arc;
use std::time::Duration;

use jose::jwt::{self, ClaimError, Claims, UnverifiedJwt, Validation, VerifiedJwt};
use jose::replay::ReplayStore;
use jose::{
    ContentEncryption, CryptoProvider, DecryptingKey, EncryptingKey, Error, Header, JwsAlgorithm,
    SigningKey, VerifyingKey,
};

/// The `typ` of a request object (RFC 9101 section 10.8, explicit typing).
pub const REQUEST_OBJECT_TYP: &str = "oauth-authz-req+jwt";

/// The signature algorithms FAPI 2.0 allows (FAPI 2.0 Security Profile section 5.4): PS256,
/// ES256 and EdDSA (Ed25519).
pub const FAPI2_ALGORITHMS: [JwsAlgorithm; 3] = [
    JwsAlgorithm::Ps256,
    JwsAlgorithm::Es256,
    JwsAlgorithm::EdDsa,
];

/// The longest `exp` - `nbf` of a request object: 60 minutes (FAPI 2.0 Message Signing section
/// 5.3.2; FAPI 1.0 Advanced section 5.2.2 item 13).
pub const MAX_LIFETIME: Duration = Duration::from_secs(3600);

/// How far in the past `nbf` may be: 60 minutes (FAPI 2.0 Message Signing section 5.3.2; FAPI
/// 1.0 Advanced section 5.2.2 item 17).
pub const MAX_NBF_AGE: Duration = Duration::from_secs(3600);

/// Refuses a key bound to an algorithm FAPI 2.0 does not allow.
fn check_fapi2(alg: JwsAlgorithm) -> Result<(), Error> {
    if FAPI2_ALGORITHMS.contains(&alg) {
        Ok(())
    } else {
        Err(Error::invalid_key(
            "a key bound to PS256, ES256 or EdDSA (FAPI 2.0)",
            format!("a key bound to {alg}"),
        ))
    }
}

/// Signs a request object: a compact JWS with `typ` `oauth-authz-req+jwt` (and the signer's
/// `kid`). FAPI 2.0 asks for `iss` (the client id), `aud` (the authorization server's issuer),
/// `exp` and `nbf` (at most 60 minutes apart) among `claims`; [`RequestObjectVerifier`] refuses
/// a request object without them.
///
/// Errors: [`Error::InvalidKey`] for a signer bound to another algorithm than PS256, ES256 or
/// EdDSA.
pub fn sign_request_object(claims: &Claims, signer: &SigningKey) -> Result<String, Error> {
    check_fapi2(signer.alg())?;
    jwt::sign(claims, signer, Header::with_typ(REQUEST_OBJECT_TYP))
}

/// Signs a request object as [`sign_request_object`] does, then encrypts it to the
/// authorization server's key (a nested JWT, RFC 9101 section 4: the JWE says `cty` `JWT`).
///
/// Errors: as [`sign_request_object`], and the JWE errors.
pub fn sign_and_encrypt_request_object(
    claims: &Claims,
    signer: &SigningKey,
    recipient: &EncryptingKey,
    enc: ContentEncryption,
    provider: &dyn CryptoProvider,
) -> Result<String, Error> {
    check_fapi2(signer.alg())?;
    jwt::encrypt_signed(
        claims,
        signer,
        Header::with_typ(REQUEST_OBJECT_TYP),
        recipient,
        enc,
        provider,
    )
}

/// The authorization server's check of a request object (for one client, whose `client_id` is
/// the authorization request's `client_id` parameter):
///
/// | rule | source |
/// |---|---|
/// | signed by one of the client's keys, each bound to PS256, ES256 or EdDSA | FAPI 2.0 Security Profile 5.4 |
/// | `typ` `oauth-authz-req+jwt` | RFC 9101 10.8 |
/// | `iss` = the client id | RFC 9101 10.2; FAPI 1.0 Advanced 5.2.2 |
/// | `client_id`, when present, = the client id | RFC 9101 6.3 |
/// | `aud` holds the server's issuer identifier | RFC 9101 10.2; FAPI 2.0 Message Signing 5.3.2 |
/// | `exp` required, not passed (+ leeway) | FAPI 2.0 Message Signing 5.3.2 |
/// | `nbf` required, passed (- leeway), no more than 60 minutes in the past (+ leeway) | FAPI 2.0 Message Signing 5.3.2 |
/// | `exp` - `nbf` at most 60 minutes | FAPI 2.0 Message Signing 5.3.2 |
/// | `iat`, when present, not in the future (+ leeway) | RFC 7519 |
/// | with a [`replay_store`](Self::replay_store): `jti` required and accepted once | optional |
///
/// The leeway is [`jwt::DEFAULT_LEEWAY`] (60 s) unless told otherwise.
#[derive(Debug, Clone)]
pub struct RequestObjectVerifier {
    client_id: String,
    issuer: String,
    validation: Validation,
    replay: Option<Arc<dyn ReplayStore>>,
}

impl RequestObjectVerifier {
    validation_setters!("60 s, [`jwt::DEFAULT_LEEWAY`]");

    /// A verifier of `client_id`'s request objects addressed to the server `issuer`.
    pub fn new(client_id: impl Into<String>, issuer: impl Into<String>) -> Self {
        let client_id = client_id.into();
        let issuer = issuer.into();
        let validation = Validation::new()
            .issuer(client_id.as_str())
            .audience(issuer.as_str())
            .typ(REQUEST_OBJECT_TYP)
            .require("nbf");
        RequestObjectVerifier {
            client_id,
            issuer,
            validation,
            replay: None,
        }
    }

    /// Accepts each request object once: `jti` becomes required and is recorded in `store`
    /// until the object expires (after every other check passed). Off by default: FAPI 2.0
    /// does not require it (a request object is pushed once, over an authenticated channel).
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.replay = Some(store);
        self
    }

    /// The client id whose request objects this verifier accepts.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The server's issuer identifier, the required audience.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Verifies a signed request object (compact JWS) with the client's `keys`, then records
    /// its `jti` when a replay store is set (a store that answers synchronously).
    ///
    /// Errors: [`Error::InvalidKey`] for a key bound to another algorithm than PS256, ES256 or
    /// EdDSA; [`Error::Claim`] naming the claim refused (or `typ`); the JWS errors.
    pub fn verify(&self, request: &str, keys: &[VerifyingKey]) -> Result<VerifiedJwt, Error> {
        check_keys(keys)?;
        let token = UnverifiedJwt::parse(request, self.validation.parse_limits())?;
        let verified = token.verify_signature_and_claims(keys, &self.validation)?;
        self.check_and_record(verified)
    }

    /// Verifies a request object signed then encrypted to the server: decrypts with one of
    /// `decrypting` (allowing only `allowed_enc`), then verifies as [`verify`](Self::verify).
    ///
    /// Errors: as [`verify`](Self::verify), and the JWE errors ([`Error::DecryptionFailed`],
    /// ...).
    pub fn decrypt_verify(
        &self,
        request: &str,
        decrypting: &[DecryptingKey],
        allowed_enc: &[ContentEncryption],
        keys: &[VerifyingKey],
        provider: &dyn CryptoProvider,
    ) -> Result<VerifiedJwt, Error> {
        check_keys(keys)?;
        // The validation keeps no replay store: the jti is recorded after the FAPI checks.
        let verified = jwt::decrypt_verify(
            request,
            decrypting,
            allowed_enc,
            keys,
            &self.validation,
            provider,
        )?;
        self.check_and_record(verified)
    }

    /// The FAPI rules the JWT validation does not know, then the one-time `jti`.
    fn check_and_record(&self, verified: VerifiedJwt) -> Result<VerifiedJwt, Error> {
        let claims = &verified.claims;
        if let Some(client_id) = claims.get_str("client_id")? {
            if client_id != self.client_id {
                return Err(ClaimError::mismatch(
                    "client_id",
                    format!("{:?} (the request's client_id parameter)", self.client_id),
                    format!("{client_id:?}"),
                )
                .into());
            }
        }
        let nbf = claims.nbf.ok_or_else(|| ClaimError::missing("nbf"))?;
        let exp = claims.exp.ok_or_else(|| ClaimError::missing("exp"))?;
        let lifetime = i128::from(exp) - i128::from(nbf);
        if lifetime > i128::from(MAX_LIFETIME.as_secs()) {
            return Err(ClaimError::invalid(
                "exp",
                format!("at most {} s after nbf ({nbf})", MAX_LIFETIME.as_secs()),
                format!("{exp}, {lifetime} s after"),
            )
            .into());
        }
        let now_ms = i128::from(self.validation.now_millis());
        let window_ms =
            i128::from(MAX_NBF_AGE.as_secs() + self.validation.leeway_in_force().as_secs()) * 1000;
        if i128::from(nbf) * 1000 + window_ms < now_ms {
            return Err(ClaimError::invalid(
                "nbf",
                format!(
                    "no more than {} s (+ leeway {} s) in the past",
                    MAX_NBF_AGE.as_secs(),
                    self.validation.leeway_in_force().as_secs()
                ),
                format!("{nbf}, now {}", now_ms / 1000),
            )
            .into());
        }
        if let Some(store) = &self.replay {
            self.validation
                .clone()
                .replay_store(Arc::clone(store))
                .record_jti(claims)?;
        }
        Ok(verified)
    }
}

fn check_keys(keys: &[VerifyingKey]) -> Result<(), Error> {
    keys.iter().try_for_each(|key| check_fapi2(key.alg()))
}
