//! JSON Web Tokens (RFC 7519) on the JWS and JWE engines, validated the way RFC 8725 (the JWT
//! best current practice) asks.
//!
//! A JWT is a JWS (or a JWS inside a JWE) whose payload is a JSON object of claims. This module
//! adds what the engines do not know: the registered claims, typed ([`Claims`]); a
//! [`Validation`] that is explicit by construction (the caller names the issuers and audiences it
//! accepts, or says in writing that any will do; the algorithms are the keys' bindings, as for
//! every JWS); and one call each way for a signed JWT ([`sign`], [`verify`]) and a nested one,
//! signed then encrypted ([`encrypt_signed`], [`decrypt_verify`]).
//!
//! ```
//! use jose_core::jwt::{self, Claims, Validation};
//! use jose_core::{EcCurve, Header, JwsAlgorithm, KeySpec, PrivateKey, SigningKey};
//!
//! # fn main() -> Result<(), jose_core::Error> {
//! # let provider = jose_crypto_awslc::provider();
//! let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider)?.with_kid("as-2026");
//! let signer = SigningKey::new(key, JwsAlgorithm::Es256)?;
//!
//! // The authorization server issues an access token (RFC 9068: typ "at+jwt").
//! use jose_core::clock::{Clock, SystemClock};
//! let now = SystemClock.now_seconds();
//! let claims = Claims::new()
//!     .issuer("https://as.example.com")
//!     .subject("user-42")
//!     .audience("https://api.example.com")
//!     .issued_at(now)
//!     .expires_at(now + 300)
//!     .claim("scope", "payments")?;
//! let token = jwt::sign(&claims, &signer, Header::with_typ("at+jwt"))?;
//!
//! // The resource server verifies it: the key (bound to ES256) is the algorithm allow-list.
//! let validation = Validation::new()
//!     .issuer("https://as.example.com")
//!     .audience("https://api.example.com")
//!     .typ("at+jwt");
//! let verified = jwt::verify(&token, &[signer.verifying_key()], &validation)?;
//! assert_eq!(verified.claims.sub.as_deref(), Some("user-42"));
//! assert_eq!(verified.claims.get_str("scope")?, Some("payments"));
//! # Ok(()) }
//! ```
//!
//! # The rules
//!
//! - `exp` is required unless [`Validation::allow_missing_exp`]; a token is valid while
//!   `now < exp + leeway`, and from `nbf - leeway` on; an `iat` more than the leeway in the future
//!   is refused, and with [`Validation::max_age`] an `iat` older than that too.
//! - The leeway is 60 s by default ([`DEFAULT_LEEWAY`]) and at most [`MAX_LEEWAY`].
//! - `aud` may be a string or an array; the token is accepted when one of its audiences is one
//!   the caller named.
//! - `typ` ([`Validation::typ`]) is compared as RFC 7515 section 4.1.9 says media types are:
//!   ASCII case-insensitively, with an `application/` prefix optional; nothing else is lenient
//!   (RFC 8725 section 3.11: explicit typing keeps one kind of JWT from being taken for another).
//! - With [`Validation::replay_store`], `jti` is required and accepted once, until the token
//!   expires (the in-memory store, or a store shared by every instance, such as
//!   `jose-replay-redis`'s); [`verify`] needs a store that answers synchronously,
//!   [`verify_async`] takes any.
//! - The payload is read as strict JSON (a member named twice is refused) and must be an object;
//!   a registered claim of the wrong JSON type is refused, naming the claim.
//!
//! Every refusal of a claim is an [`Error::Claim`] holding a [`ClaimError`] whose message starts
//! with the claim's name.

use crate::alg::{ContentEncryption, JwsAlgorithm};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorClass, clip};
use crate::header::Header;
use crate::json;
use crate::jwe::Jwe;
use crate::jws::{Jws, VerifyOptions};
use crate::key::{DecryptingKey, EncryptingKey, KeyRef, SigningKey, VerifyingKey};
use crate::limits::Limits;
use crate::nested;
use crate::provider::CryptoProvider;
use crate::replay::{ReplayError, ReplayStore};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The leeway a [`Validation`] allows for clock skew unless told otherwise: 60 seconds.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// The largest leeway a [`Validation`] accepts: 5 minutes. A larger skew is a broken clock, and
/// a larger leeway lets an expired token live on.
pub const MAX_LEEWAY: Duration = Duration::from_secs(300);

/// The names of the registered claims this module types (RFC 7519 section 4.1).
pub const REGISTERED_CLAIMS: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// The `aud` claim: one audience (a JSON string) or several (an array of strings). The form a
/// token used is kept, so a token re-serialized says the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// `"aud": "https://api.example.com"`.
    One(String),
    /// `"aud": ["https://a.example", "https://b.example"]`.
    Many(Vec<String>),
}

impl Audience {
    /// Every audience named.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let (one, many) = match self {
            Audience::One(a) => (Some(a.as_str()), &[][..]),
            Audience::Many(list) => (None, list.as_slice()),
        };
        one.into_iter().chain(many.iter().map(String::as_str))
    }

    /// True when `audience` is one of them (exactly; RFC 7519 compares strings as they are).
    pub fn contains(&self, audience: &str) -> bool {
        self.iter().any(|a| a == audience)
    }

    fn to_value(&self) -> Value {
        match self {
            Audience::One(a) => Value::from(a.as_str()),
            Audience::Many(list) => Value::from(list.clone()),
        }
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&quote_list(self.iter()))
    }
}

/// The claims of a JWT: the registered ones typed, every other member in [`Claims::extra`].
///
/// Times (`exp`, `nbf`, `iat`) are NumericDates: seconds since the Unix epoch. A token's
/// fractional NumericDate is read to whole seconds on the strict side (`exp` down, `nbf` and
/// `iat` up).
///
/// `Debug` shows the registered claims and only the *names* of the others: a claim may be
/// personal data or, in an encrypted JWT, confidential.
#[derive(Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Claims {
    /// `iss`: who issued the token.
    pub iss: Option<String>,
    /// `sub`: whom it is about.
    pub sub: Option<String>,
    /// `aud`: whom it is for.
    pub aud: Option<Audience>,
    /// `exp`: the time at and after which it must not be accepted.
    pub exp: Option<i64>,
    /// `nbf`: the time before which it must not be accepted.
    pub nbf: Option<i64>,
    /// `iat`: when it was issued.
    pub iat: Option<i64>,
    /// `jti`: its unique id.
    pub jti: Option<String>,
    /// Every other claim, by name.
    pub extra: Map<String, Value>,
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claims")
            .field("iss", &self.iss)
            .field("sub", &self.sub)
            .field("aud", &self.aud)
            .field("exp", &self.exp)
            .field("nbf", &self.nbf)
            .field("iat", &self.iat)
            .field("jti", &self.jti)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// One JSON object: the registered claims first, in RFC 7519's order, then the others.
impl Serialize for Claims {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let registered = [&self.iss, &self.sub]
            .iter()
            .filter(|c| c.is_some())
            .count()
            + usize::from(self.aud.is_some())
            + [self.exp, self.nbf, self.iat]
                .iter()
                .filter(|c| c.is_some())
                .count()
            + usize::from(self.jti.is_some());
        let mut map = serializer.serialize_map(Some(registered + self.extra.len()))?;
        if let Some(iss) = &self.iss {
            map.serialize_entry("iss", iss)?;
        }
        if let Some(sub) = &self.sub {
            map.serialize_entry("sub", sub)?;
        }
        match &self.aud {
            Some(Audience::One(aud)) => map.serialize_entry("aud", aud)?,
            Some(Audience::Many(auds)) => map.serialize_entry("aud", auds)?,
            None => {}
        }
        for (name, time) in [("exp", self.exp), ("nbf", self.nbf), ("iat", self.iat)] {
            if let Some(time) = time {
                map.serialize_entry(name, &time)?;
            }
        }
        if let Some(jti) = &self.jti {
            map.serialize_entry("jti", jti)?;
        }
        for (name, value) in &self.extra {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl Claims {
    /// No claims.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `iss`.
    pub fn issuer(mut self, iss: impl Into<String>) -> Self {
        self.iss = Some(iss.into());
        self
    }

    /// Sets `sub`.
    pub fn subject(mut self, sub: impl Into<String>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    /// Sets `aud` to one audience (a JSON string).
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.aud = Some(Audience::One(aud.into()));
        self
    }

    /// Sets `aud` to several audiences (a JSON array).
    pub fn audiences<I, S>(mut self, auds: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.aud = Some(Audience::Many(auds.into_iter().map(Into::into).collect()));
        self
    }

    /// Sets `exp` (seconds since the epoch).
    pub fn expires_at(mut self, exp: i64) -> Self {
        self.exp = Some(exp);
        self
    }

    /// Sets `nbf` (seconds since the epoch).
    pub fn not_before(mut self, nbf: i64) -> Self {
        self.nbf = Some(nbf);
        self
    }

    /// Sets `iat` (seconds since the epoch).
    pub fn issued_at(mut self, iat: i64) -> Self {
        self.iat = Some(iat);
        self
    }

    /// Sets `jti`.
    pub fn jwt_id(mut self, jti: impl Into<String>) -> Self {
        self.jti = Some(jti.into());
        self
    }

    /// Sets `jti` to 128 random bits from `provider`, as base64url (22 characters).
    pub fn random_jwt_id(self, provider: &dyn CryptoProvider) -> Result<Self, Error> {
        Ok(self.jwt_id(random_id(provider)?))
    }

    /// Adds a claim. A registered name goes to its typed field and must have its type
    /// (`claim("exp", 1_700_000_000)`); anything else goes to [`extra`](Self::extra).
    ///
    /// Errors: [`Error::Claim`] ([`ClaimError::Invalid`]) for a registered claim of the wrong type.
    pub fn claim(
        mut self,
        name: impl Into<String>,
        value: impl Into<Value>,
    ) -> Result<Self, Error> {
        self.set(name.into(), value.into())?;
        Ok(self)
    }

    /// A claim by name, registered or not, as JSON.
    pub fn get(&self, name: &str) -> Option<Value> {
        match name {
            "iss" => self.iss.as_deref().map(Value::from),
            "sub" => self.sub.as_deref().map(Value::from),
            "aud" => self.aud.as_ref().map(Audience::to_value),
            "exp" => self.exp.map(Value::from),
            "nbf" => self.nbf.map(Value::from),
            "iat" => self.iat.map(Value::from),
            "jti" => self.jti.as_deref().map(Value::from),
            other => self.extra.get(other).cloned(),
        }
    }

    /// True when the claim is present.
    pub fn contains(&self, name: &str) -> bool {
        match name {
            "iss" => self.iss.is_some(),
            "sub" => self.sub.is_some(),
            "aud" => self.aud.is_some(),
            "exp" => self.exp.is_some(),
            "nbf" => self.nbf.is_some(),
            "iat" => self.iat.is_some(),
            "jti" => self.jti.is_some(),
            other => self.extra.contains_key(other),
        }
    }

    /// A claim that is not registered, as a string: `None` when absent.
    ///
    /// Errors: [`ClaimError::Invalid`] when it is present but not a string.
    pub fn get_str(&self, name: &str) -> Result<Option<&str>, Error> {
        match self.extra.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => {
                Err(ClaimError::invalid(name, "a string", json::json_type(other)).into())
            }
        }
    }

    /// Reads claims from a JSON object's members. Registered claims must have their types.
    pub fn from_map(map: Map<String, Value>) -> Result<Self, Error> {
        let mut claims = Claims::new();
        for (name, value) in map {
            claims.set(name, value)?;
        }
        Ok(claims)
    }

    /// Reads claims from JSON text, strictly (a member named twice is refused, at any depth).
    /// Each member goes straight to its field: no intermediate map.
    pub fn from_json(text: &[u8]) -> Result<Self, Error> {
        let mut claims = Claims::new();
        json::for_each_member(text, "JWT claims", &mut |name, value| {
            if claims.contains(&name) {
                return Err(Error::DuplicateMember {
                    name: clip(&name, 64),
                    location: "JWT claims",
                });
            }
            claims.set(name, value)
        })?;
        Ok(claims)
    }

    /// Claims from any serializable value that serializes to a JSON object (your own claims
    /// struct, with the registered claims among its fields or not).
    pub fn from_serialize<T: Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        match serde_json::to_value(value) {
            Ok(Value::Object(map)) => Self::from_map(map),
            Ok(other) => Err(Error::malformed(
                "JWT claims",
                "a value that serializes to a JSON object",
                json::json_type(&other),
            )),
            Err(e) => Err(Error::malformed(
                "JWT claims",
                "a value that serializes to JSON",
                e,
            )),
        }
    }

    /// The whole claim set (registered and other) read into your own type through serde.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_value(Value::Object(self.to_map())).map_err(|e| {
            Error::malformed("JWT claims", "claims that fit the caller's claims type", e)
        })
    }

    /// Every claim as one JSON object.
    pub fn to_map(&self) -> Map<String, Value> {
        let mut map = Map::new();
        for name in REGISTERED_CLAIMS {
            if let Some(v) = self.get(name) {
                map.insert(name.to_owned(), v);
            }
        }
        for (name, value) in &self.extra {
            map.insert(name.clone(), value.clone());
        }
        map
    }

    /// The claims as JSON text: the registered claims first (in RFC 7519's order), then the
    /// others (as [`Serialize`] writes them).
    pub fn to_json(&self) -> String {
        // Serializing strings, numbers and `Value`s to a String cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    fn set(&mut self, name: String, value: Value) -> Result<(), Error> {
        match name.as_str() {
            "iss" => self.iss = Some(string_claim("iss", value)?),
            "sub" => self.sub = Some(string_claim("sub", value)?),
            "jti" => self.jti = Some(string_claim("jti", value)?),
            "aud" => self.aud = Some(audience_claim(value)?),
            "exp" => self.exp = Some(numeric_date("exp", &value, f64::floor)?),
            "nbf" => self.nbf = Some(numeric_date("nbf", &value, f64::ceil)?),
            "iat" => self.iat = Some(numeric_date("iat", &value, f64::ceil)?),
            _ => {
                self.extra.insert(name, value);
            }
        }
        Ok(())
    }
}

fn string_claim(claim: &'static str, value: Value) -> Result<String, Error> {
    match value {
        Value::String(s) => Ok(s),
        other => Err(ClaimError::invalid(claim, "a string", json::json_type(&other)).into()),
    }
}

fn audience_claim(value: Value) -> Result<Audience, Error> {
    match value {
        Value::String(s) => Ok(Audience::One(s)),
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                other => Err(ClaimError::invalid(
                    "aud",
                    "a string or an array of strings",
                    format!("an array holding {}", json::json_type(&other)),
                )
                .into()),
            })
            .collect::<Result<Vec<_>, Error>>()
            .map(Audience::Many),
        other => Err(ClaimError::invalid(
            "aud",
            "a string or an array of strings",
            json::json_type(&other),
        )
        .into()),
    }
}

/// The largest NumericDate read: the year 9999 (a larger one is a mistake or an attack on
/// arithmetic).
const MAX_NUMERIC_DATE: i64 = 253_402_300_799;

fn numeric_date(claim: &'static str, value: &Value, round: fn(f64) -> f64) -> Result<i64, Error> {
    let expected = "a NumericDate (seconds since 1970, a JSON number from 0 to 253402300799)";
    let Value::Number(n) = value else {
        return Err(ClaimError::invalid(claim, expected, json::json_type(value)).into());
    };
    let seconds = match n.as_i64() {
        Some(s) => Some(s),
        // Fractional (RFC 7519 allows it): whole seconds on the strict side. The range check
        // comes first, so the cast below is exact.
        None => n
            .as_f64()
            .filter(|f| f.is_finite() && (0.0..=MAX_NUMERIC_DATE as f64).contains(f))
            .map(|f| round(f) as i64),
    };
    match seconds {
        Some(s) if (0..=MAX_NUMERIC_DATE).contains(&s) => Ok(s),
        _ => Err(ClaimError::invalid(claim, expected, clip(&n.to_string(), 32)).into()),
    }
}

/// 128 random bits as base64url: a `jti` no one can guess or repeat by chance.
pub fn random_id(provider: &dyn CryptoProvider) -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    provider.fill_random(&mut bytes)?;
    Ok(crate::b64::encode(&bytes))
}

/// Why a JWT's claims (or its `typ`) were refused. Each message starts with the claim's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClaimError {
    /// A claim the validation requires is absent.
    #[error("\"{claim}\" is missing: expected the claim, found none")]
    Missing {
        /// The claim.
        claim: String,
    },
    /// A claim has the wrong JSON type or an impossible value.
    #[error("\"{claim}\" is invalid: expected {expected}, found {found}")]
    Invalid {
        /// The claim.
        claim: String,
        /// What it must be.
        expected: String,
        /// What it is (clipped).
        found: String,
    },
    /// `now >= exp + leeway`.
    #[error(
        "\"exp\": the token expired: expected now ({now}) before exp ({exp}) + leeway ({leeway} s)"
    )]
    Expired {
        /// The token's `exp`.
        exp: i64,
        /// The validation's time, in seconds.
        now: i64,
        /// The leeway, in seconds.
        leeway: u64,
    },
    /// `now < nbf - leeway`.
    #[error(
        "\"nbf\": the token is not valid yet: expected now ({now}) at or after nbf ({nbf}) - leeway ({leeway} s)"
    )]
    NotYetValid {
        /// The token's `nbf`.
        nbf: i64,
        /// The validation's time, in seconds.
        now: i64,
        /// The leeway, in seconds.
        leeway: u64,
    },
    /// `iat > now + leeway`.
    #[error(
        "\"iat\": the token was issued in the future: expected iat ({iat}) at most now ({now}) + leeway ({leeway} s)"
    )]
    IssuedInFuture {
        /// The token's `iat`.
        iat: i64,
        /// The validation's time, in seconds.
        now: i64,
        /// The leeway, in seconds.
        leeway: u64,
    },
    /// `iat + max_age + leeway < now`.
    #[error(
        "\"iat\": the token is too old: expected iat ({iat}) within {max_age} s (+ leeway {leeway} s) of now ({now})"
    )]
    TooOld {
        /// The token's `iat`.
        iat: i64,
        /// The validation's time, in seconds.
        now: i64,
        /// The largest age allowed, in seconds.
        max_age: u64,
        /// The leeway, in seconds.
        leeway: u64,
    },
    /// A claim's value is not one the caller accepts (`iss`, `aud`, `sub`, or a protocol's own:
    /// DPoP's `htm`, `htu`, `ath`, `nonce`).
    #[error("\"{claim}\": expected {expected}, found {found}")]
    Mismatch {
        /// The claim.
        claim: String,
        /// What was accepted.
        expected: String,
        /// What the token says (clipped).
        found: String,
    },
    /// The JOSE header's `typ` is not the one the profile requires.
    #[error("\"typ\" (header): expected {expected}, found {found}")]
    WrongType {
        /// The required type.
        expected: String,
        /// The token's (clipped), or `none`.
        found: String,
    },
    /// The `jti` was not accepted by the replay store (a replay, or a store that could not
    /// answer: the source says which).
    #[error("\"jti\": the one-time check did not accept the token")]
    Jti {
        /// The store's answer.
        #[source]
        source: ReplayError,
    },
}

impl ClaimError {
    /// [`ClaimError::Invalid`].
    pub fn invalid(
        claim: impl Into<String>,
        expected: impl Into<String>,
        found: impl fmt::Display,
    ) -> Self {
        ClaimError::Invalid {
            claim: claim.into(),
            expected: expected.into(),
            found: clip(&found.to_string(), 80),
        }
    }

    /// [`ClaimError::Mismatch`]; `found` is clipped.
    pub fn mismatch(
        claim: impl Into<String>,
        expected: impl Into<String>,
        found: impl fmt::Display,
    ) -> Self {
        ClaimError::Mismatch {
            claim: claim.into(),
            expected: expected.into(),
            found: clip(&found.to_string(), 120),
        }
    }

    /// [`ClaimError::Missing`].
    pub fn missing(claim: impl Into<String>) -> Self {
        ClaimError::Missing {
            claim: claim.into(),
        }
    }

    /// The claim this is about (`"typ"` for the header's).
    pub fn claim(&self) -> &str {
        match self {
            ClaimError::Missing { claim }
            | ClaimError::Invalid { claim, .. }
            | ClaimError::Mismatch { claim, .. } => claim,
            ClaimError::Expired { .. } => "exp",
            ClaimError::NotYetValid { .. } => "nbf",
            ClaimError::IssuedInFuture { .. } | ClaimError::TooOld { .. } => "iat",
            ClaimError::WrongType { .. } => "typ",
            ClaimError::Jti { .. } => "jti",
        }
    }

    /// [`ErrorClass::Rejected`], except a replay store that could not answer
    /// ([`ReplayError::class`]: `Transport` when unreachable, `Local` when full).
    pub fn class(&self) -> ErrorClass {
        match self {
            ClaimError::Jti { source } => source.class(),
            _ => ErrorClass::Rejected,
        }
    }
}

impl From<ClaimError> for Error {
    fn from(e: ClaimError) -> Self {
        Error::Claim(Box::new(e))
    }
}

/// Quotes each item, clipped, joined by ", " (at most 8 shown).
fn quote_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut shown: Vec<String> = Vec::new();
    let mut more = 0usize;
    for item in items {
        if shown.len() < 8 {
            shown.push(format!("{:?}", clip(item, 80)));
        } else {
            more += 1;
        }
    }
    if shown.is_empty() {
        return "none".to_owned();
    }
    let mut out = shown.join(", ");
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

/// Compares `typ` values as RFC 7515 section 4.1.9 says: ASCII case-insensitively, with the
/// `application/` prefix optional (`"at+jwt"` equals `"application/AT+JWT"`).
pub fn typ_matches(required: &str, found: &str) -> bool {
    fn strip(t: &str) -> &str {
        match t.get(..12) {
            Some(prefix) if prefix.eq_ignore_ascii_case("application/") => {
                t.get(12..).unwrap_or("")
            }
            _ => t,
        }
    }
    strip(required).eq_ignore_ascii_case(strip(found))
}

/// Which issuers or audiences a [`Validation`] accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Accepted {
    /// The caller has not said: validation refuses to run.
    Unnamed,
    /// Any value (or none), by the caller's explicit choice.
    Any,
    /// One of these.
    OneOf(Vec<String>),
}

impl Accepted {
    fn add(self, value: String) -> Self {
        match self {
            Accepted::OneOf(mut list) => {
                list.push(value);
                Accepted::OneOf(list)
            }
            _ => Accepted::OneOf(vec![value]),
        }
    }
}

/// What a JWT must satisfy beyond its signature. Explicit by construction: [`Validation::new`]
/// accepts nothing until the caller names the issuers ([`issuer`](Self::issuer), or
/// [`any_issuer`](Self::any_issuer)) and the audiences ([`audience`](Self::audience), or
/// [`any_audience`](Self::any_audience)); verifying with a validation that names neither is an
/// [`Error::InvalidRequest`], never a silent pass.
#[derive(Clone)]
pub struct Validation {
    issuers: Accepted,
    audiences: Accepted,
    subject: Option<String>,
    typ: Option<String>,
    leeway: Duration,
    require_exp: bool,
    required: Vec<String>,
    max_age: Option<Duration>,
    clock: Arc<dyn Clock>,
    replay: Option<Arc<dyn ReplayStore>>,
    limits: Limits,
}

impl fmt::Debug for Validation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validation")
            .field("issuers", &self.issuers)
            .field("audiences", &self.audiences)
            .field("subject", &self.subject)
            .field("typ", &self.typ)
            .field("leeway", &self.leeway)
            .field("require_exp", &self.require_exp)
            .field("required", &self.required)
            .field("max_age", &self.max_age)
            .field("clock", &self.clock)
            .field("replay", &self.replay.as_ref().map(|s| s.name()))
            .finish()
    }
}

impl Default for Validation {
    fn default() -> Self {
        Self::new()
    }
}

impl Validation {
    /// A validation that names no issuer and no audience yet (see the type's docs), requires
    /// `exp`, allows [`DEFAULT_LEEWAY`], reads the system clock and keeps no replay store.
    pub fn new() -> Self {
        Validation {
            issuers: Accepted::Unnamed,
            audiences: Accepted::Unnamed,
            subject: None,
            typ: None,
            leeway: DEFAULT_LEEWAY,
            require_exp: true,
            required: Vec::new(),
            max_age: None,
            clock: Arc::new(SystemClock),
            replay: None,
            limits: Limits::default(),
        }
    }

    /// Accepts tokens whose `iss` is `issuer` (call again to accept several). `iss` becomes
    /// required.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers = self.issuers.add(issuer.into());
        self
    }

    /// Accepts any `iss`, or none: for tokens whose issuer the key already decides.
    pub fn any_issuer(mut self) -> Self {
        self.issuers = Accepted::Any;
        self
    }

    /// Accepts tokens one of whose audiences is `audience` (call again to accept several).
    /// `aud` becomes required.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences = self.audiences.add(audience.into());
        self
    }

    /// Accepts any `aud`, or none.
    pub fn any_audience(mut self) -> Self {
        self.audiences = Accepted::Any;
        self
    }

    /// Requires `sub` to be exactly `subject`.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Requires the header's `typ` to be `typ` (compared as [`typ_matches`] says).
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// The leeway for clock skew (default [`DEFAULT_LEEWAY`]).
    ///
    /// Errors: [`Error::InvalidRequest`] above [`MAX_LEEWAY`].
    pub fn leeway(mut self, leeway: Duration) -> Result<Self, Error> {
        if leeway > MAX_LEEWAY {
            return Err(Error::InvalidRequest(format!(
                "JWT leeway: expected at most {} s, found {} s",
                MAX_LEEWAY.as_secs(),
                leeway.as_secs()
            )));
        }
        self.leeway = leeway;
        Ok(self)
    }

    /// Accepts a token without `exp` (it is still refused after an `exp` it has). For tokens
    /// whose lifetime something else bounds (a DPoP proof's `iat` with [`max_age`](Self::max_age)).
    pub fn allow_missing_exp(mut self) -> Self {
        self.require_exp = false;
        self
    }

    /// Requires the claim `name` to be present (`"iat"`, `"jti"`, `"sub"`, a custom claim...).
    pub fn require(mut self, name: impl Into<String>) -> Self {
        self.required.push(name.into());
        self
    }

    /// Requires `iat` and refuses a token issued more than `max_age` (plus the leeway) ago.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// The clock (default the system's): a [`ManualClock`](crate::clock::ManualClock) in tests.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Accepts each `jti` once: `jti` becomes required and is recorded in `store` until the
    /// token expires (`exp` + leeway, or `iat` + max age + leeway), so a replay is refused on
    /// every instance that shares the store.
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.replay = Some(store);
        self
    }

    /// The parser's size limits (default [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The limits this validation parses with.
    pub fn parse_limits(&self) -> &Limits {
        &self.limits
    }

    /// The leeway in force.
    pub fn leeway_in_force(&self) -> Duration {
        self.leeway
    }

    /// The validation's current time, in milliseconds since the epoch (from its clock).
    pub fn now_millis(&self) -> u64 {
        self.clock.now_millis()
    }

    /// The replay store, if any.
    pub fn replay(&self) -> Option<&Arc<dyn ReplayStore>> {
        self.replay.as_ref()
    }

    /// Checks the header's `typ` and every claim rule except the one-time `jti` check (which
    /// [`record_jti`](Self::record_jti) does, last, so that only valid tokens take room in the
    /// store). What [`verify`] does after the signature.
    pub fn validate_claims(&self, header: &Header, claims: &Claims) -> Result<(), Error> {
        if self.issuers == Accepted::Unnamed || self.audiences == Accepted::Unnamed {
            return Err(Error::InvalidRequest(
                "the JWT validation names no issuer or no audience: call issuer(..) or \
                 any_issuer(), and audience(..) or any_audience()"
                    .into(),
            ));
        }
        if let Some(required) = &self.typ {
            let found = header.typ()?;
            if !found.is_some_and(|t| typ_matches(required, t)) {
                return Err(ClaimError::WrongType {
                    expected: format!("{required:?}"),
                    found: found
                        .map_or_else(|| "none".to_owned(), |t| format!("{:?}", clip(t, 80))),
                }
                .into());
            }
        }
        let now_ms = i128::from(self.clock.now_millis());
        let now = i64::try_from(now_ms / 1000).unwrap_or(i64::MAX);
        let leeway = self.leeway.as_secs();
        let leeway_ms = i128::from(leeway) * 1000;
        let ms = |s: i64| i128::from(s) * 1000;
        match claims.exp {
            Some(exp) if now_ms >= ms(exp) + leeway_ms => {
                return Err(ClaimError::Expired { exp, now, leeway }.into());
            }
            None if self.require_exp => return Err(ClaimError::missing("exp").into()),
            _ => {}
        }
        if let Some(nbf) = claims.nbf {
            if now_ms < ms(nbf) - leeway_ms {
                return Err(ClaimError::NotYetValid { nbf, now, leeway }.into());
            }
        }
        if let Some(iat) = claims.iat {
            if ms(iat) - leeway_ms > now_ms {
                return Err(ClaimError::IssuedInFuture { iat, now, leeway }.into());
            }
        }
        if let Some(max_age) = self.max_age {
            let iat = claims.iat.ok_or_else(|| ClaimError::missing("iat"))?;
            let max_age_ms = i128::try_from(max_age.as_millis()).unwrap_or(i128::MAX / 4);
            if ms(iat) + max_age_ms + leeway_ms < now_ms {
                return Err(ClaimError::TooOld {
                    iat,
                    now,
                    max_age: max_age.as_secs(),
                    leeway,
                }
                .into());
            }
        }
        if let Accepted::OneOf(issuers) = &self.issuers {
            let iss = claims
                .iss
                .as_deref()
                .ok_or_else(|| ClaimError::missing("iss"))?;
            if !issuers.iter().any(|i| i == iss) {
                return Err(ClaimError::mismatch(
                    "iss",
                    format!("one of {}", quote_list(issuers.iter().map(String::as_str))),
                    format!("{:?}", clip(iss, 120)),
                )
                .into());
            }
        }
        if let Accepted::OneOf(audiences) = &self.audiences {
            let aud = claims
                .aud
                .as_ref()
                .ok_or_else(|| ClaimError::missing("aud"))?;
            if !audiences.iter().any(|a| aud.contains(a)) {
                return Err(ClaimError::mismatch(
                    "aud",
                    format!(
                        "one of {}",
                        quote_list(audiences.iter().map(String::as_str))
                    ),
                    aud,
                )
                .into());
            }
        }
        if let Some(subject) = &self.subject {
            let sub = claims
                .sub
                .as_deref()
                .ok_or_else(|| ClaimError::missing("sub"))?;
            if sub != subject {
                return Err(ClaimError::mismatch(
                    "sub",
                    format!("{subject:?}"),
                    format!("{:?}", clip(sub, 120)),
                )
                .into());
            }
        }
        for name in &self.required {
            if !claims.contains(name) {
                return Err(ClaimError::missing(name.clone()).into());
            }
        }
        if self.replay.is_some() {
            self.replay_id_and_expiry(claims)?;
        }
        Ok(())
    }

    /// The `jti` and until when to remember it.
    fn replay_id_and_expiry<'c>(&self, claims: &'c Claims) -> Result<(&'c str, u64), Error> {
        let jti = claims
            .jti
            .as_deref()
            .ok_or_else(|| ClaimError::missing("jti"))?;
        let leeway = i128::from(self.leeway.as_secs());
        let until_s = match (claims.exp, self.max_age, claims.iat) {
            (Some(exp), _, _) => i128::from(exp) + leeway,
            (None, Some(max_age), Some(iat)) => {
                i128::from(iat) + i128::from(max_age.as_secs()) + 1 + leeway
            }
            _ => {
                return Err(Error::InvalidRequest(
                    "a JWT jti check needs a token lifetime: require exp, or set max_age".into(),
                ));
            }
        };
        let until_ms = u64::try_from((until_s * 1000).max(0)).unwrap_or(u64::MAX);
        Ok((jti, until_ms))
    }

    /// Records the token's `jti` in the replay store (nothing without one), synchronously: the
    /// store must answer without waiting (the in-memory one does), else
    /// [`ReplayError::NeedsAsync`].
    pub fn record_jti(&self, claims: &Claims) -> Result<(), Error> {
        let Some(store) = &self.replay else {
            return Ok(());
        };
        let (jti, until) = self.replay_id_and_expiry(claims)?;
        let answer = store
            .check_and_record_sync(jti, self.clock.now_millis(), until)
            .unwrap_or(Err(ReplayError::NeedsAsync {
                store: store.name(),
            }));
        answer.map_err(|source| ClaimError::Jti { source }.into())
    }

    /// [`record_jti`](Self::record_jti) with any store, awaited.
    pub async fn record_jti_async(&self, claims: &Claims) -> Result<(), Error> {
        let Some(store) = &self.replay else {
            return Ok(());
        };
        let (jti, until) = self.replay_id_and_expiry(claims)?;
        store
            .check_and_record(jti, self.clock.now_millis(), until)
            .await
            .map_err(|source| ClaimError::Jti { source }.into())
    }
}

/// A JWT whose signature and claims were checked.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifiedJwt {
    /// The JWS header (protected).
    pub header: Header,
    /// The algorithm that verified.
    pub alg: JwsAlgorithm,
    /// The claims.
    pub claims: Claims,
    /// For a nested JWT, the JWE's header.
    pub encryption_header: Option<Header>,
}

/// A JWT parsed but not verified: for a caller that must read the header first (a DPoP proof
/// carries its key in `jwk`). Nothing read from it is trustworthy before
/// [`verify`](Self::verify).
#[derive(Debug, Clone)]
pub struct UnverifiedJwt {
    jws: Jws,
}

impl UnverifiedJwt {
    /// Parses a compact JWS carrying a JWT. Refused: another serialization, a detached or
    /// unencoded (`b64: false`) payload, and a nested JWT (`cty` `JWT`: use [`decrypt_verify`]
    /// for one inside a JWE).
    pub fn parse(token: &str, limits: &Limits) -> Result<Self, Error> {
        let parts = token.split('.').count();
        if parts != 3 {
            return Err(Error::malformed(
                "JWT",
                "a compact JWS (three base64url parts; a nested JWT is five and needs decrypt_verify)",
                format!("{parts} parts"),
            ));
        }
        Self::checked(Jws::from_compact(token, limits)?)
    }

    /// A JWT's JWS: its payload attached (not empty) and base64url-encoded, and not a JWT
    /// nested in a JWS (`cty` `JWT`).
    fn checked(jws: Jws) -> Result<Self, Error> {
        // A compact JWS with an empty payload part is detached (RFC 7515 appendix F).
        let detached = jws.unverified_payload().is_none_or(<[u8]>::is_empty);
        if detached || jws.is_unencoded() {
            return Err(Error::malformed(
                "JWT",
                "a JWS with its payload attached and base64url-encoded",
                if detached {
                    "a detached payload"
                } else {
                    "an unencoded payload (b64: false)"
                },
            ));
        }
        let this = UnverifiedJwt { jws };
        if let Some(cty) = this.header().cty()? {
            if typ_matches("JWT", cty) {
                return Err(Error::InvalidHeader(
                    "expected a JWT's claims, found a signed nested JWT (\"cty\": \"JWT\"), which \
                     this library does not unwrap"
                        .into(),
                ));
            }
        }
        Ok(this)
    }

    /// The protected header (unverified).
    pub fn header(&self) -> &Header {
        // A compact JWS has exactly one signature (checked by the parser).
        static EMPTY: std::sync::OnceLock<Header> = std::sync::OnceLock::new();
        self.jws
            .signatures()
            .first()
            .map_or_else(|| EMPTY.get_or_init(Header::new), |s| s.protected_header())
    }

    /// Verifies the signature with one of `keys` (the allow-list of algorithms and keys), then
    /// the claims, then records `jti` when the validation keeps a replay store (which must
    /// answer synchronously: see [`verify_async`](Self::verify_async)).
    pub fn verify<I>(&self, keys: I, validation: &Validation) -> Result<VerifiedJwt, Error>
    where
        I: IntoIterator,
        I::Item: KeyRef<VerifyingKey>,
    {
        let verified = self.verify_signature_and_claims(keys, validation)?;
        validation.record_jti(&verified.claims)?;
        Ok(verified)
    }

    /// [`verify`](Self::verify), awaiting the replay store.
    pub async fn verify_async<I>(
        &self,
        keys: I,
        validation: &Validation,
    ) -> Result<VerifiedJwt, Error>
    where
        I: IntoIterator,
        I::Item: KeyRef<VerifyingKey>,
    {
        let verified = self.verify_signature_and_claims(keys, validation)?;
        validation.record_jti_async(&verified.claims).await?;
        Ok(verified)
    }

    /// The signature and every claim rule, but not the one-time `jti` check.
    pub fn verify_signature_and_claims<I>(
        &self,
        keys: I,
        validation: &Validation,
    ) -> Result<VerifiedJwt, Error>
    where
        I: IntoIterator,
        I::Item: KeyRef<VerifyingKey>,
    {
        let outcome = self
            .jws
            .verify_with(keys, None, &VerifyOptions::default())?;
        let payload = self.jws.unverified_payload().unwrap_or_default();
        let claims = Claims::from_json(payload)?;
        validation.validate_claims(&outcome.header, &claims)?;
        Ok(VerifiedJwt {
            header: outcome.header,
            alg: outcome.alg,
            claims,
            encryption_header: None,
        })
    }
}

/// Signs `claims` into a compact JWS. `header` holds the protected members besides `alg` and
/// `kid` (which the key decides): `typ` (see [`Header::with_typ`]), or a DPoP proof's `jwk`.
pub fn sign(claims: &Claims, signer: &SigningKey, header: Header) -> Result<String, Error> {
    crate::jws::JwsBuilder::new(claims.to_json().as_bytes())
        .signer_with(signer, header, None)
        .sign()?
        .to_compact()
}

/// Verifies a signed JWT (compact JWS): the signature with one of `keys`, then the claims as
/// `validation` says, then the one-time `jti` check if it keeps a store (a synchronous one).
pub fn verify<I>(token: &str, keys: I, validation: &Validation) -> Result<VerifiedJwt, Error>
where
    I: IntoIterator,
    I::Item: KeyRef<VerifyingKey>,
{
    UnverifiedJwt::parse(token, &validation.limits)?.verify(keys, validation)
}

/// [`verify`], awaiting the replay store (any store: a shared one such as Redis).
pub async fn verify_async<I>(
    token: &str,
    keys: I,
    validation: &Validation,
) -> Result<VerifiedJwt, Error>
where
    I: IntoIterator,
    I::Item: KeyRef<VerifyingKey>,
{
    UnverifiedJwt::parse(token, &validation.limits)?
        .verify_async(keys, validation)
        .await
}

/// A nested JWT (RFC 7519 section 11.2): `claims` signed (with the protected members of
/// `jws_header`), then the JWS encrypted to `recipient` in a compact JWE whose header says
/// `"cty": "JWT"`. The inner JWS is encoded in constant time and wiped when dropped.
pub fn encrypt_signed(
    claims: &Claims,
    signer: &SigningKey,
    jws_header: Header,
    recipient: &EncryptingKey,
    enc: ContentEncryption,
    provider: &dyn CryptoProvider,
) -> Result<String, Error> {
    let payload = zeroize::Zeroizing::new(claims.to_json());
    nested::sign_then_encrypt(
        payload.as_bytes(),
        signer,
        jws_header,
        recipient,
        enc,
        "JWT",
        provider,
    )
}

/// Opens a nested JWT: decrypts with one of `decrypting` (allowing only `allowed_enc`),
/// requires the JWE's `cty` to be `JWT`, verifies the inner JWS with one of `verifying`, then
/// validates its claims (and `typ`, on the inner JWS's header) as [`verify`] does.
pub fn decrypt_verify<D, V>(
    token: &str,
    decrypting: D,
    allowed_enc: &[ContentEncryption],
    verifying: V,
    validation: &Validation,
    provider: &dyn CryptoProvider,
) -> Result<VerifiedJwt, Error>
where
    D: IntoIterator,
    D::Item: KeyRef<DecryptingKey>,
    V: IntoIterator,
    V::Item: KeyRef<VerifyingKey>,
{
    let (inner, encryption_header) =
        decrypt_inner(token, decrypting, allowed_enc, validation, provider)?;
    let mut verified = inner.verify(verifying, validation)?;
    verified.encryption_header = Some(encryption_header);
    Ok(verified)
}

/// [`decrypt_verify`], awaiting the replay store.
pub async fn decrypt_verify_async<D, V>(
    token: &str,
    decrypting: D,
    allowed_enc: &[ContentEncryption],
    verifying: V,
    validation: &Validation,
    provider: &dyn CryptoProvider,
) -> Result<VerifiedJwt, Error>
where
    D: IntoIterator,
    D::Item: KeyRef<DecryptingKey>,
    V: IntoIterator,
    V::Item: KeyRef<VerifyingKey>,
{
    let (inner, encryption_header) =
        decrypt_inner(token, decrypting, allowed_enc, validation, provider)?;
    let mut verified = inner.verify_async(verifying, validation).await?;
    verified.encryption_header = Some(encryption_header);
    Ok(verified)
}

fn decrypt_inner<D>(
    token: &str,
    decrypting: D,
    allowed_enc: &[ContentEncryption],
    validation: &Validation,
    provider: &dyn CryptoProvider,
) -> Result<(UnverifiedJwt, Header), Error>
where
    D: IntoIterator,
    D::Item: KeyRef<DecryptingKey>,
{
    let parts = token.split('.').count();
    if parts != 5 {
        return Err(Error::malformed(
            "nested JWT",
            "a compact JWE (five base64url parts)",
            format!("{parts} parts"),
        ));
    }
    let jwe = Jwe::from_compact(token, &validation.limits)?;
    let (jws, header) =
        nested::decrypt_inner(&jwe, decrypting, allowed_enc, &validation.limits, provider)?;
    match header.cty()? {
        Some(cty) if typ_matches("JWT", cty) => {}
        found => {
            return Err(Error::InvalidHeader(format!(
                "a nested JWT's JWE must say \"cty\": \"JWT\", found {}",
                found.map_or_else(|| "none".to_owned(), |c| format!("{:?}", clip(c, 40)))
            )));
        }
    }
    Ok((UnverifiedJwt::checked(jws)?, header))
}
