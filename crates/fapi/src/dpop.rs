//! DPoP, Demonstrating Proof of Possession (RFC 9449): the client proves, request by request,
//! that it holds the private key its tokens are bound to.
//!
//! ```
//! use jose::{EcCurve, JwsAlgorithm, KeySpec, PrivateKey, SigningKey};
//! use jose_fapi::dpop::{DpopProof, DpopVerifier};
//!
//! # fn main() -> Result<(), jose::Error> {
//! let provider = jose::default_provider();
//! let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider)?;
//! let signer = SigningKey::new(key, JwsAlgorithm::Es256)?;
//!
//! // The client, for a call with its DPoP-bound access token (the `DPoP` request header):
//! let proof = DpopProof::new("GET", "https://rs.example.com/accounts?page=2")?
//!     .access_token("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU")
//!     .sign(&signer, provider)?;
//!
//! // The resource server: the method and URI it received, and the token of the
//! // `Authorization: DPoP ...` header.
//! let verifier = DpopVerifier::new();
//! let verified = verifier.verify(
//!     &proof,
//!     "GET",
//!     "https://RS.example.com:443/accounts?page=2",
//!     Some("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
//! )?;
//! // The token's cnf.jkt must be this thumbprint.
//! assert_eq!(verified.jkt, signer.verifying_key().public_key().unwrap().to_jwk()?.thumbprint_sha256(provider)?);
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jose::clock::{Clock, SystemClock};
use jose::error::clip;
use jose::jwk::Jwk;
use jose::jwt::{self, ClaimError, Claims, UnverifiedJwt, Validation};
use jose::replay::{InMemoryReplayStore, ReplayStore};
use jose::{CryptoProvider, Error, Header, JwsAlgorithm, PublicKey, SigningKey, VerifyingKey};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::request_object::FAPI2_ALGORITHMS;
use crate::{jti_or_random, refuse_hmac_signer};

/// The `typ` of a DPoP proof (RFC 9449 section 4.2).
pub const DPOP_TYP: &str = "dpop+jwt";

/// How old a proof may be by default: 60 seconds. A proof is made for one request and sent at
/// once; RFC 9449 section 11.1 asks for a short window, and the `jti` store holds each id that
/// long.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(60);

/// The leeway for clock skew by default: 5 seconds, on both sides of `iat`. A client whose clock
/// is further off is better served by server nonces (RFC 9449 section 8) than by a wider window.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(5);

/// The JWK members that hold private or secret key material: a proof's `jwk` must have none.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

/// `ath`: base64url(SHA-256(the ASCII access token)) (RFC 9449 section 4.2).
pub fn access_token_hash(access_token: &str, provider: &dyn CryptoProvider) -> String {
    jose::b64::encode(&provider.sha256(access_token.as_bytes()))
}

/// Normalizes an HTTP(S) URI for the `htu` comparison (RFC 9449 section 4.3; RFC 3986 sections
/// 6.2.2 and 6.2.3): scheme and host lowercased, the default port removed, percent-encoding
/// normalized (encoded unreserved characters decoded, hex digits uppercase), `.` and `..`
/// segments removed, an empty path made `/`, and the query and fragment dropped (the
/// comparison ignores them). An IPv6 literal is written in its canonical form (RFC 5952).
///
/// ```
/// use jose_fapi::dpop::normalize_htu;
/// assert_eq!(
///     normalize_htu("HTTPS://Server.Example.COM:443/%7Ea/./token?x=1#top")?,
///     "https://server.example.com/~a/token",
/// );
/// # Ok::<(), jose::Error>(())
/// ```
///
/// Errors: [`Error::Claim`] (`htu` invalid) for anything but an absolute `http` or `https` URI
/// with a host: another scheme, user information, a bad port, a character RFC 3986 does not allow
/// unencoded, a bad percent-encoding, more than 8192 bytes.
pub fn normalize_htu(url: &str) -> Result<String, Error> {
    crate::htu::normalize(url)
}

/// True when `method` is an HTTP method token (RFC 9110 section 9.1: `tchar`s, at least one).
fn is_method_token(method: &str) -> bool {
    !method.is_empty()
        && method.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

/// A DPoP proof to sign for one HTTP request (RFC 9449 section 4.2): header `typ` `dpop+jwt`,
/// `alg`, and `jwk` (the signer's public key, its key members only); claims `jti`, `htm`,
/// `htu`, `iat`, and `ath` and `nonce` when given.
///
/// `Debug` shows whether an access token is set, never the token.
#[derive(Clone)]
pub struct DpopProof {
    htm: String,
    htu: String,
    access_token: Option<Zeroizing<String>>,
    nonce: Option<String>,
    jti: Option<String>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for DpopProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopProof")
            .field("htm", &self.htm)
            .field("htu", &self.htu)
            .field("access_token", &self.access_token.is_some())
            .field("nonce", &self.nonce)
            .field("jti", &self.jti)
            .field("clock", &self.clock)
            .finish()
    }
}

impl DpopProof {
    /// A proof for the request `htm` (the method, as sent: `"POST"`) to `htu` (the request URI;
    /// normalized here, its query and fragment dropped, as RFC 9449 section 4.2 asks).
    ///
    /// Errors: [`Error::InvalidRequest`] for a method that is not an HTTP token or a URI
    /// [`normalize_htu`] refuses.
    pub fn new(htm: impl Into<String>, htu: &str) -> Result<Self, Error> {
        let htm = htm.into();
        if !is_method_token(&htm) {
            return Err(Error::InvalidRequest(format!(
                "DPoP htm: expected an HTTP method (RFC 9110 token), found {:?}",
                clip(&htm, 40)
            )));
        }
        let htu = normalize_htu(htu)
            .map_err(|e| Error::InvalidRequest(format!("DPoP proof for this URI: {e}")))?;
        Ok(DpopProof {
            htm,
            htu,
            access_token: None,
            nonce: None,
            jti: None,
            clock: Arc::new(SystemClock),
        })
    }

    /// Binds the proof to an access token: `ath` is its hash ([`access_token_hash`]), for a call
    /// to a resource server with a DPoP-bound token.
    pub fn access_token(mut self, token: &str) -> Self {
        self.access_token = Some(Zeroizing::new(token.to_owned()));
        self
    }

    /// The server's nonce (from its `DPoP-Nonce` response header).
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// A fixed `jti` (default: 128 random bits from the provider at each [`sign`](Self::sign)).
    pub fn jti(mut self, jti: impl Into<String>) -> Self {
        self.jti = Some(jti.into());
        self
    }

    /// The clock for `iat` (default the system's).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The normalized `htu` the proof will carry.
    pub fn htu(&self) -> &str {
        &self.htu
    }

    /// The claims [`sign`](Self::sign) signs (with a fresh random `jti` unless one was set).
    pub fn claims(&self, provider: &dyn CryptoProvider) -> Result<Claims, Error> {
        let jti = jti_or_random(self.jti.as_deref(), provider)?;
        let mut claims = Claims::new()
            .jwt_id(jti)
            .claim("htm", self.htm.as_str())?
            .claim("htu", self.htu.as_str())?
            .issued_at(self.clock.now_seconds());
        if let Some(token) = &self.access_token {
            claims = claims.claim("ath", access_token_hash(token, provider))?;
        }
        if let Some(nonce) = &self.nonce {
            claims = claims.claim("nonce", nonce.as_str())?;
        }
        Ok(claims)
    }

    /// Signs the proof (compact JWS). `provider` makes the `jti` and hashes the access token.
    ///
    /// Errors: [`Error::InvalidKey`] for an HS* signer (a proof is verified with the public key
    /// it carries; a shared secret has none to carry).
    pub fn sign(
        &self,
        signer: &SigningKey,
        provider: &dyn CryptoProvider,
    ) -> Result<String, Error> {
        refuse_hmac_signer(signer, "a DPoP proof")?;
        let verifying = signer.verifying_key();
        let public = verifying.public_key().ok_or_else(|| {
            Error::invalid_key(
                "a signing key with a public half (a DPoP proof carries it)",
                "none",
            )
        })?;
        let mut header = Header::with_typ(DPOP_TYP);
        header.set("jwk", key_members(&public.to_jwk()?)?);
        jwt::sign(&self.claims(provider)?, signer, header)
    }
}

/// The key members of a public JWK (those of its RFC 7638 thumbprint: `kty` and `crv`, `x`,
/// `y`, or `n`, `e`), as a JSON object: no `kid`, `use`, `alg`, and never a private member.
fn key_members(jwk: &Jwk) -> Result<Value, Error> {
    let public = jwk.to_public();
    if public.kty == "oct" {
        return Err(Error::invalid_key("an asymmetric public key", "an oct key"));
    }
    // The thumbprint input is exactly the required public members, as a JSON object.
    serde_json::from_str(&public.thumbprint_input()?)
        .map_err(|e| Error::Provider(format!("a public JWK's members as JSON: {e}")))
}

/// A DPoP proof that passed every check of RFC 9449 section 4.3.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifiedProof {
    /// The RFC 7638 SHA-256 thumbprint of the proof's `jwk`, base64url: what an access token
    /// bound to this key carries as `cnf.jkt` (RFC 9449 section 6.1), and what the server binds
    /// a token it issues to.
    pub jkt: String,
    /// The proof's claims (`jti`, `htm`, `htu`, `iat`, and `ath`, `nonce` when present).
    pub claims: Claims,
    /// The proof's protected header.
    pub header: Header,
    /// The public key of the proof's `jwk`.
    pub public_key: PublicKey,
}

/// The server's check of a DPoP proof (RFC 9449 section 4.3, every point of it):
///
/// | rule | default |
/// |---|---|
/// | one proof, a compact JWS | |
/// | `typ` `dpop+jwt` | |
/// | `alg` in the allow-list (asymmetric only; `none` is no algorithm) | PS256, ES256, EdDSA |
/// | `jwk` a public key (no private member, not `oct`) that fits `alg`, and the signature verifies with it | |
/// | `htm` = the request's method, exactly | |
/// | `htu` = the request's URI, both normalized, query and fragment ignored | |
/// | `iat` at most [`max_age`](Self::max_age) old and not in the future (each ± leeway) | [`DEFAULT_MAX_AGE`] 60 s, [`DEFAULT_LEEWAY`] 5 s |
/// | `ath` = hash of the access token, when the request carries one | |
/// | `nonce` = the server's, when it requires one | none |
/// | `jti` accepted once (recorded after every other check passed) | its own [`InMemoryReplayStore`] |
///
/// The default algorithms are FAPI 2.0's ([`FAPI2_ALGORITHMS`]); RFC 9449 allows any asymmetric
/// one, so [`algorithms`](Self::algorithms) may add RS256 and the rest.
#[derive(Debug, Clone)]
pub struct DpopVerifier {
    algorithms: Vec<JwsAlgorithm>,
    nonce: Option<String>,
    provider: &'static dyn CryptoProvider,
    validation: Validation,
}

impl Default for DpopVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl DpopVerifier {
    validation_setters!("5 s, [`DEFAULT_LEEWAY`]");

    /// A verifier with the defaults of the table above and the facade's default provider
    /// (`jose::default_provider`) to import keys and hash.
    pub fn new() -> Self {
        let validation = Validation::new()
            .any_issuer()
            .any_audience()
            .typ(DPOP_TYP)
            .allow_missing_exp()
            .max_age(DEFAULT_MAX_AGE)
            .require("jti")
            .require("htm")
            .require("htu")
            .replay_store(Arc::new(InMemoryReplayStore::default()));
        // DEFAULT_LEEWAY is under jwt::MAX_LEEWAY: the fallback is never taken.
        let validation = match validation.clone().leeway(DEFAULT_LEEWAY) {
            Ok(with_leeway) => with_leeway,
            Err(_) => validation,
        };
        DpopVerifier {
            algorithms: FAPI2_ALGORITHMS.to_vec(),
            nonce: None,
            provider: jose::default_provider(),
            validation,
        }
    }

    /// The algorithms accepted (default [`FAPI2_ALGORITHMS`]: PS256, ES256, EdDSA).
    ///
    /// Errors: [`Error::InvalidRequest`] for an empty list or an HS* algorithm (a proof carries
    /// its key: a shared secret would be public).
    pub fn algorithms(mut self, algorithms: &[JwsAlgorithm]) -> Result<Self, Error> {
        if algorithms.is_empty() {
            return Err(Error::InvalidRequest(
                "DPoP algorithms: expected at least one asymmetric algorithm, found none".into(),
            ));
        }
        if let Some(hmac) = algorithms.iter().find(|alg| alg.is_hmac()) {
            return Err(Error::InvalidRequest(format!(
                "DPoP algorithms: expected asymmetric algorithms only, found {hmac}"
            )));
        }
        self.algorithms = algorithms.to_vec();
        Ok(self)
    }

    /// The largest age of a proof, from its `iat` (default [`DEFAULT_MAX_AGE`]).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.validation = self.validation.max_age(max_age);
        self
    }

    /// The store that accepts each `jti` once (default: an [`InMemoryReplayStore`] of this
    /// verifier's own, shared by its clones). Several instances need a shared one and
    /// [`verify_async`](Self::verify_async).
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.validation = self.validation.replay_store(store);
        self
    }

    /// Requires the proof's `nonce` to be `expected` (the server's current `DPoP-Nonce`).
    pub fn nonce(mut self, expected: impl Into<String>) -> Self {
        self.nonce = Some(expected.into());
        self
    }

    /// The provider that imports the proof's key and hashes (default `jose::default_provider`).
    pub fn provider(mut self, provider: &'static dyn CryptoProvider) -> Self {
        self.provider = provider;
        self
    }

    /// Verifies `proof` (the one `DPoP` header value) for a request with method `htm` to `htu`
    /// (its full URI as received; query and fragment are ignored) carrying `access_token` (the
    /// `Authorization: DPoP` token; `None` at the token endpoint), then records its `jti`. The
    /// replay store must answer synchronously (the in-memory one does); see
    /// [`verify_async`](Self::verify_async).
    ///
    /// Errors: [`Error::Claim`] naming the claim (`htm`, `htu`, `iat`, `jti`, `ath`, `nonce`) or
    /// `typ`; [`Error::InvalidHeader`] naming `jwk`; [`Error::AlgorithmNotAllowed`] and
    /// [`Error::UnsupportedAlgorithm`] for `alg`; [`Error::BadSignature`]; [`Error::InvalidKey`]
    /// for a `jwk` that does not fit `alg`; [`Error::InvalidRequest`] for a request URI that is
    /// not one.
    pub fn verify(
        &self,
        proof: &str,
        htm: &str,
        htu: &str,
        access_token: Option<&str>,
    ) -> Result<VerifiedProof, Error> {
        let verified = self.check(proof, htm, htu, access_token)?;
        self.validation.record_jti(&verified.claims)?;
        Ok(verified)
    }

    /// [`verify`](Self::verify), awaiting the replay store (any store: a shared one).
    pub async fn verify_async(
        &self,
        proof: &str,
        htm: &str,
        htu: &str,
        access_token: Option<&str>,
    ) -> Result<VerifiedProof, Error> {
        let verified = self.check(proof, htm, htu, access_token)?;
        self.validation.record_jti_async(&verified.claims).await?;
        Ok(verified)
    }

    /// Every check but the one-time `jti`.
    fn check(
        &self,
        proof: &str,
        htm: &str,
        htu: &str,
        access_token: Option<&str>,
    ) -> Result<VerifiedProof, Error> {
        let request_htu = normalize_htu(htu)
            .map_err(|e| Error::InvalidRequest(format!("the request URI for DPoP: {e}")))?;
        if proof.contains(',') {
            return Err(Error::malformed(
                "DPoP proof",
                "exactly one proof (one DPoP header value)",
                "several, separated by ','",
            ));
        }
        let token = UnverifiedJwt::parse(proof, self.validation.parse_limits())?;
        let header = token.header();
        let alg = self.allowed_alg(header)?;
        let (jwk, public_key) = self.header_key(header)?;
        let key = VerifyingKey::new(public_key.clone(), alg).map_err(|e| {
            Error::InvalidHeader(format!("\"jwk\" does not fit \"alg\" {alg}: {e}"))
        })?;
        let verified = token.verify_signature_and_claims([&key], &self.validation)?;
        let claims = verified.claims;

        claim_equal(&claims, "htm", htm, &format!("{htm:?}"))?;
        let found_htu = claim_str(&claims, "htu")?;
        if normalize_htu(found_htu)? != request_htu {
            return Err(ClaimError::mismatch(
                "htu",
                format!("{request_htu:?} (normalized, without query and fragment)"),
                format!("{found_htu:?}"),
            )
            .into());
        }
        if let Some(token) = access_token {
            let ath = access_token_hash(token, self.provider);
            claim_equal(
                &claims,
                "ath",
                &ath,
                "the hash of the request's access token",
            )?;
        }
        if let Some(nonce) = &self.nonce {
            claim_equal(&claims, "nonce", nonce, "the server's current nonce")?;
        }
        Ok(VerifiedProof {
            jkt: jwk.thumbprint_sha256(self.provider)?,
            claims,
            header: verified.header,
            public_key,
        })
    }

    /// The header's `alg`, if it is one the verifier accepts.
    fn allowed_alg(&self, header: &Header) -> Result<JwsAlgorithm, Error> {
        let name = header.alg()?.ok_or_else(|| {
            Error::InvalidHeader("\"alg\": expected an algorithm, found none".into())
        })?;
        let alg = JwsAlgorithm::from_name(name)?;
        if !self.algorithms.contains(&alg) {
            return Err(Error::AlgorithmNotAllowed {
                found: alg.name().to_owned(),
                allowed: self
                    .algorithms
                    .iter()
                    .map(|a| a.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        Ok(alg)
    }

    /// The header's `jwk`: a public key, imported.
    fn header_key(&self, header: &Header) -> Result<(Jwk, PublicKey), Error> {
        let map = match header.get("jwk") {
            Some(Value::Object(map)) => map.clone(),
            Some(_) => {
                return Err(Error::InvalidHeader(
                    "\"jwk\": expected a JSON object (the public key), found another JSON type"
                        .into(),
                ));
            }
            None => {
                return Err(Error::InvalidHeader(
                    "\"jwk\": expected the public key, found none".into(),
                ));
            }
        };
        if let Some(member) = PRIVATE_MEMBERS.iter().find(|m| map.contains_key(**m)) {
            return Err(Error::InvalidHeader(format!(
                "\"jwk\": expected a public key, found the private member {member:?}"
            )));
        }
        let jwk = Jwk::from_map(map).map_err(|e| Error::InvalidHeader(format!("\"jwk\": {e}")))?;
        if jwk.is_private() || jwk.kty == "oct" {
            return Err(Error::InvalidHeader(format!(
                "\"jwk\": expected an asymmetric public key, found {}",
                if jwk.kty == "oct" {
                    "a symmetric (oct) key"
                } else {
                    "a private key"
                }
            )));
        }
        // Only the key members: the proof's kid, use or alg say nothing the header does not.
        let members =
            key_members(&jwk).map_err(|e| Error::InvalidHeader(format!("\"jwk\": {e}")))?;
        let Value::Object(members) = members else {
            return Err(Error::InvalidHeader(
                "\"jwk\": expected a JSON object".into(),
            ));
        };
        let key_only = Jwk::from_map(members)?;
        let public = PublicKey::from_jwk(&key_only, self.provider)
            .map_err(|e| Error::InvalidHeader(format!("\"jwk\": {e}")))?;
        Ok((key_only, public))
    }
}

/// A string claim that must be present and be `expected` (described as `described`).
fn claim_equal(claims: &Claims, name: &str, expected: &str, described: &str) -> Result<(), Error> {
    let found = claim_str(claims, name)?;
    if found == expected {
        return Ok(());
    }
    Err(ClaimError::mismatch(name, described, format!("{found:?}")).into())
}

/// A string claim that must be present.
fn claim_str<'c>(claims: &'c Claims, name: &str) -> Result<&'c str, Error> {
    claims
        .get_str(name)?
        .ok_or_else(|| ClaimError::missing(name).into())
}
