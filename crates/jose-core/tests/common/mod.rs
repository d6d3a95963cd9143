//! Shared helpers for the jose-core integration tests (vectors, cross-provider, interop and
//! proptest files): the two providers, vector loading, key helpers and token tampering.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code, unreachable_pub)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use jose_core::{
    CryptoProvider, Error, Header, Jwk, JwsAlgorithm, KeySpec, Limits, PrivateKey, PublicKey,
    SecretKey, VerifyingKey, b64,
};
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use std::fmt;
use std::sync::OnceLock;

/// Both providers, in a fixed order: aws-lc first, RustCrypto second.
pub fn providers() -> [&'static dyn CryptoProvider; 2] {
    [
        jose_crypto_awslc::provider(),
        jose_crypto_rustcrypto::provider(),
    ]
}

/// The provider at the other index (0 <-> 1).
pub fn other(i: usize) -> &'static dyn CryptoProvider {
    providers()[1 - i]
}

/// Every ordered pair (producer index, consumer index), including same-provider pairs.
pub fn pairs() -> [(usize, usize); 4] {
    [(0, 1), (1, 0), (0, 0), (1, 1)]
}

/// Parses vector JSON. A `Value` object keeps no member order (jose-core leaves serde_json's
/// `preserve_order` off): read a header whose order matters with [`header_at`].
pub fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("vector file is JSON")
}

/// The object reached by `path` in the vector file `text`, as a [`Header`] in the file's member
/// order.
pub fn header_at(text: &str, path: &[&str]) -> Header {
    let mut de = serde_json::Deserializer::from_str(text);
    At { path }
        .deserialize(&mut de)
        .unwrap_or_else(|e| panic!("vector file is JSON: {e}"))
        .unwrap_or_else(|| panic!("vector has no object at {path:?}"))
}

/// Walks `path` through nested objects, skipping every other member, and reads the object at its
/// end as a `Header`.
struct At<'p> {
    path: &'p [&'p str],
}

impl<'de> DeserializeSeed<'de> for At<'_> {
    type Value = Option<Header>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Header>, D::Error> {
        if self.path.is_empty() {
            Header::deserialize(d).map(Some)
        } else {
            d.deserialize_map(self)
        }
    }
}

impl<'de> Visitor<'de> for At<'_> {
    type Value = Option<Header>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with {:?}", self.path)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Header>, A::Error> {
        let (first, rest) = self
            .path
            .split_first()
            .ok_or_else(|| de::Error::custom("empty path"))?;
        let mut found = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == *first {
                found = map.next_value_seed(At { path: rest })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// A string member reached by a path of object keys.
pub fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        cur = cur
            .get(*p)
            .unwrap_or_else(|| panic!("vector has no member {path:?}"));
    }
    cur.as_str()
        .unwrap_or_else(|| panic!("vector member {path:?} is not a string"))
}

/// A member reached by a path of object keys.
pub fn m<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    let mut cur = v;
    for p in path {
        cur = cur
            .get(*p)
            .unwrap_or_else(|| panic!("vector has no member {path:?}"));
    }
    cur
}

/// Decodes strict unpadded base64url (test data).
pub fn unb64(s: &str) -> Vec<u8> {
    b64::decode("test vector", s).expect("vector base64url")
}

/// Parses a JWK given as a JSON value.
pub fn jwk(v: &Value) -> Jwk {
    Jwk::from_json(&v.to_string(), &Limits::default())
        .unwrap_or_else(|e| panic!("JWK parses: {e}\n{v}"))
}

/// Imports the private key of a JWK value on `provider`.
pub fn private_from_jwk(v: &Value, provider: &dyn CryptoProvider) -> PrivateKey {
    PrivateKey::from_jwk(&jwk(v), provider)
        .unwrap_or_else(|e| panic!("[{}] private JWK imports: {e}", provider.name()))
}

/// Imports the public part of a JWK value on `provider`.
pub fn public_from_jwk(v: &Value, provider: &dyn CryptoProvider) -> PublicKey {
    PublicKey::from_jwk(&jwk(v), provider)
        .unwrap_or_else(|e| panic!("[{}] public JWK imports: {e}", provider.name()))
}

/// Moves a private key to another provider through PKCS#8 DER.
pub fn transfer(key: &PrivateKey, to: &dyn CryptoProvider) -> PrivateKey {
    let der = key.to_pkcs8_der().expect("PKCS#8 export");
    let moved = PrivateKey::from_der(&der, to)
        .unwrap_or_else(|e| panic!("[{}] PKCS#8 import: {e}", to.name()));
    match key.kid() {
        Some(kid) => moved.with_kid(kid),
        None => moved,
    }
}

/// Moves a public key to another provider through SPKI DER.
pub fn transfer_public(key: &PublicKey, to: &dyn CryptoProvider) -> PublicKey {
    let der = key.to_spki_der().expect("SPKI export");
    let moved = PublicKey::from_der(&der, to)
        .unwrap_or_else(|e| panic!("[{}] SPKI import: {e}", to.name()));
    match key.kid() {
        Some(kid) => moved.with_kid(kid),
        None => moved,
    }
}

/// One RSA-2048 key generated per provider, once per test binary (index as in [`providers`]).
pub fn rsa_keys() -> &'static [PrivateKey; 2] {
    static KEYS: OnceLock<[PrivateKey; 2]> = OnceLock::new();
    KEYS.get_or_init(|| {
        providers().map(|p| {
            PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, p)
                .unwrap_or_else(|e| panic!("[{}] RSA-2048 generation: {e}", p.name()))
        })
    })
}

/// A second RSA-2048 key per provider (for two-recipient JWEs), generated once.
pub fn rsa_keys_2() -> &'static [PrivateKey; 2] {
    static KEYS: OnceLock<[PrivateKey; 2]> = OnceLock::new();
    KEYS.get_or_init(|| {
        // Generated on aws-lc (fast) for both slots; the RustCrypto slot is the same key moved
        // over PKCS#8, which also exercises the import path.
        let a = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, providers()[0])
            .expect("RSA-2048 generation");
        let b = transfer(&a, providers()[1]);
        [a, b]
    })
}

/// Replaces the character at `index` of `s` by a different base64url character (never at the
/// last position of a segment, so the result stays canonical base64url).
pub fn flip_char(s: &str, index: usize) -> String {
    let mut bytes = s.as_bytes().to_vec();
    let c = bytes[index];
    bytes[index] = if c == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).expect("ASCII")
}

/// Flips a character in the middle of a base64url string.
pub fn flip_middle(s: &str) -> String {
    assert!(s.len() >= 3, "segment too short to flip: {s:?}");
    flip_char(s, s.len() / 2)
}

/// Flips a character in the middle of dot-separated segment `segment` of a compact token.
pub fn flip_compact_segment(token: &str, segment: usize) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[segment] = flip_middle(&parts[segment]);
    parts.join(".")
}

/// Flips a character in the middle of the string member `path` of a JSON token.
pub fn flip_json_member(token: &Value, path: &[&str]) -> String {
    let mut v = token.clone();
    let mut cur = &mut v;
    for p in path {
        cur = match p.parse::<usize>() {
            Ok(i) => &mut cur[i],
            Err(_) => &mut cur[*p],
        };
    }
    let flipped = flip_middle(cur.as_str().expect("string member"));
    *cur = Value::String(flipped);
    v.to_string()
}

/// A short name for an error variant, so tables can compare variants across providers.
pub fn variant(e: &Error) -> &'static str {
    match e {
        Error::Malformed { .. } => "Malformed",
        Error::UnsupportedAlgorithm { .. } => "UnsupportedAlgorithm",
        Error::AlgorithmNotAllowed { .. } => "AlgorithmNotAllowed",
        Error::InvalidKey { .. } => "InvalidKey",
        Error::NoMatchingKey(_) => "NoMatchingKey",
        Error::BadSignature => "BadSignature",
        Error::DecryptionFailed => "DecryptionFailed",
        Error::LimitExceeded { .. } => "LimitExceeded",
        Error::InvalidHeader(_) => "InvalidHeader",
        Error::DuplicateMember { .. } => "DuplicateMember",
        Error::InvalidRequest(_) => "InvalidRequest",
        Error::Provider(_) => "Provider",
        _ => "other",
    }
}

/// The RSA public key of RFC 7638 section 3.1 and its SHA-256 thumbprint.
pub const RFC7638_KEY: &str = r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#;

/// The thumbprint RFC 7638 section 3.1 gives for [`RFC7638_KEY`].
pub const RFC7638_THUMBPRINT: &str = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

/// A JWK printed by the library, as a JSON value (for member-by-member comparison).
pub fn jwk_value(j: &Jwk) -> Value {
    json(&j.to_json())
}

/// The RFC 7638 SHA-256 thumbprint of a JWK, base64url.
pub fn thumbprint(j: &Jwk, p: &dyn CryptoProvider) -> String {
    j.thumbprint_sha256(p)
        .unwrap_or_else(|e| panic!("[{}] thumbprint: {e}", p.name()))
}

/// A string member of a fixture object.
pub fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("fixture member {key:?} is a string: {v}"))
}

/// The fixture key named `kid` in a map of JWKs.
pub fn jwk_of(keys: &Value, kid: &str) -> Jwk {
    let value = keys
        .get(kid)
        .unwrap_or_else(|| panic!("fixture key {kid} exists"));
    Jwk::from_json(&value.to_string(), &Limits::default()).unwrap()
}

/// A verifying key for `alg` on `p` from a fixture JWK: the secret for HS*, else its public half.
pub fn verifier(
    jwk: &Jwk,
    alg: JwsAlgorithm,
    p: &'static dyn CryptoProvider,
) -> Result<VerifyingKey, Error> {
    if alg.min_hmac_key_len().is_some() {
        VerifyingKey::symmetric(SecretKey::from_jwk(jwk, p)?, alg)
    } else {
        VerifyingKey::new(PublicKey::from_jwk(&jwk.to_public(), p)?, alg)
    }
}
