//! JSON Web Signature (RFC 7515), with detached (appendix F) and unencoded (RFC 7797) payloads.
//!
//! One model, three serializations: a [`Jws`] is built by [`JwsBuilder`] or parsed by
//! [`Jws::from_compact`] / [`Jws::from_json`] / [`Jws::parse`], and written by
//! [`Jws::to_compact`], [`Jws::to_flattened_json`] and [`Jws::to_general_json`].
//!
//! ```
//! # fn main() -> Result<(), jose_core::Error> {
//! # let provider = jose_crypto_awslc::provider();
//! use jose_core::{EcCurve, JwsAlgorithm, KeySpec, Limits, PrivateKey, SigningKey};
//! use jose_core::jws::{Jws, JwsBuilder};
//!
//! let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider)?.with_kid("k1");
//! let signer = SigningKey::new(key, JwsAlgorithm::Es256)?;
//! let token = JwsBuilder::new(b"hello").signer(&signer).sign()?.to_compact()?;
//!
//! let verifier = signer.verifying_key();
//! let jws = Jws::from_compact(&token, &Limits::default())?;
//! assert_eq!(jws.verify(&[verifier])?, b"hello");
//! # Ok(()) }
//! ```
//!
//! A key held outside any provider (a KMS, an HSM) signs in two phases: [`JwsBuilder::prepare`]
//! builds the header and the signing input, the outside signs it, [`PreparedJws::finish`] checks
//! the signature and makes the `Jws`; or in one call through an [`ExternalSigner`] or
//! [`AsyncExternalSigner`] ([`JwsBuilder::sign_external`], [`JwsBuilder::sign_external_async`]).
//! See [`ExternalKey`].

use crate::alg::JwsAlgorithm;
use crate::b64::{self, Sensitivity};
use crate::error::Error;
use crate::header::{Header, Joint};
use crate::json;
use crate::key::{KeyRef, SigningKey, VerifyingKey};
use crate::limits::Limits;
use serde_json::{Map, Value};
use std::borrow::Cow;

mod external;

pub use external::{
    AsyncExternalSigner, ExternalKey, ExternalSigner, PreparedJws, SignatureFuture,
};

/// One signature of a JWS with its headers.
#[derive(Debug, Clone, PartialEq)]
pub struct JwsSignature {
    protected_b64: String,
    protected: Header,
    unprotected: Option<Header>,
    signature: Vec<u8>,
}

impl JwsSignature {
    /// The protected header (empty if the signature has none).
    pub fn protected_header(&self) -> &Header {
        &self.protected
    }

    /// The unprotected header, if any (JSON serializations only).
    pub fn unprotected_header(&self) -> Option<&Header> {
        self.unprotected.as_ref()
    }

    /// The protected header exactly as encoded in the token.
    pub fn protected_b64(&self) -> &str {
        &self.protected_b64
    }

    /// The raw signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The union of protected and unprotected headers (unverified).
    pub fn header(&self) -> Header {
        // Disjointness was checked at parse/build time.
        Joint {
            protected: &self.protected,
            shared: self.unprotected.as_ref(),
            recipient: None,
        }
        .merged()
    }

    fn joint(&self) -> Joint<'_> {
        Joint {
            protected: &self.protected,
            shared: self.unprotected.as_ref(),
            recipient: None,
        }
    }
}

/// A JWS: a payload (attached or detached) and one or more signatures.
///
/// Two values are equal when their payloads, encodings and signatures are; whether one was made
/// [confidential](JwsBuilder::confidential) (which only changes how its base64url is computed, not
/// what it is) does not count.
#[derive(Debug, Clone)]
pub struct Jws {
    payload: Option<Vec<u8>>,
    /// The attached payload's base64url text when `b64` is true: kept from the token (or encoded
    /// once when signing) so that verifying and serializing do not encode the payload again.
    payload_b64: Option<String>,
    b64: bool,
    signatures: Vec<JwsSignature>,
    /// Which base64url codec encodes and decodes this JWS's parts.
    sensitivity: Sensitivity,
}

impl PartialEq for Jws {
    fn eq(&self, other: &Self) -> bool {
        self.payload == other.payload
            && self.payload_b64 == other.payload_b64
            && self.b64 == other.b64
            && self.signatures == other.signatures
    }
}

/// Options for verification beyond the keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// Header parameters the caller understands and enforces itself, which a token may therefore list
    /// in `crit` (`b64` is always understood).
    pub understood_crit: Vec<String>,
}

impl VerifyOptions {
    /// Declares a critical header parameter the caller handles.
    pub fn understand(mut self, name: impl Into<String>) -> Self {
        self.understood_crit.push(name.into());
        self
    }
}

/// The outcome of a successful verification.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Verified {
    /// Which signature verified (index into [`Jws::signatures`]).
    pub signature_index: usize,
    /// Its algorithm.
    pub alg: JwsAlgorithm,
    /// The union of its protected and unprotected headers.
    pub header: Header,
}

/// `ASCII(BASE64URL(header)) '.' segment`, where `segment` is the payload as signed: its
/// base64url text, or the raw payload when `b64` is false (RFC 7797).
fn signing_input(protected_b64: &str, segment: &[u8]) -> Vec<u8> {
    let mut input = Vec::with_capacity(protected_b64.len() + 1 + segment.len());
    input.extend_from_slice(protected_b64.as_bytes());
    input.push(b'.');
    input.extend_from_slice(segment);
    input
}

/// Builds and signs a [`Jws`].
#[derive(Debug, Clone)]
pub struct JwsBuilder<'a> {
    payload: &'a [u8],
    detached: bool,
    unencoded: bool,
    sensitivity: Sensitivity,
    signers: Vec<(&'a SigningKey, Header, Option<Header>)>,
}

impl<'a> JwsBuilder<'a> {
    /// Starts a JWS over `payload`.
    pub fn new(payload: &'a [u8]) -> Self {
        JwsBuilder {
            payload,
            detached: false,
            unencoded: false,
            sensitivity: Sensitivity::Public,
            signers: Vec::new(),
        }
    }

    /// Leaves the payload out of the serialized token (RFC 7515 appendix F); the verifier supplies it.
    pub fn detached(mut self, detached: bool) -> Self {
        self.detached = detached;
        self
    }

    /// Signs the payload unencoded (RFC 7797): adds `"b64":false` and lists `b64` in `crit`.
    pub fn unencoded(mut self, unencoded: bool) -> Self {
        self.unencoded = unencoded;
        self
    }

    /// Marks the whole JWS as secret, for a JWS that will be encrypted (nested JOSE, RFC 7520
    /// section 6): its header, payload and signature are then base64url-encoded in constant time,
    /// here and by every serialization of the result. [`nested::sign_then_encrypt`] sets it.
    ///
    /// [`nested::sign_then_encrypt`]: crate::nested::sign_then_encrypt
    pub fn confidential(mut self, confidential: bool) -> Self {
        self.sensitivity = if confidential {
            Sensitivity::Confidential
        } else {
            Sensitivity::Public
        };
        self
    }

    /// Adds a signature by `key`, with a protected header of `alg` and the key's `kid`.
    pub fn signer(self, key: &'a SigningKey) -> Self {
        self.signer_with(key, Header::new(), None)
    }

    /// Adds a signature by `key` with extra protected members (placed after `alg` and `kid`, in
    /// order) and an optional unprotected header (JSON serializations only). If `protected` sets
    /// `alg`, it must equal the key's; if it or `unprotected` sets `kid`, the key's `kid` is not added.
    pub fn signer_with(
        mut self,
        key: &'a SigningKey,
        protected: Header,
        unprotected: Option<Header>,
    ) -> Self {
        self.signers.push((key, protected, unprotected));
        self
    }

    /// Signs.
    pub fn sign(self) -> Result<Jws, Error> {
        if self.signers.is_empty() {
            return Err(Error::InvalidRequest(
                "a JWS needs at least one signer".into(),
            ));
        }
        let mut signatures = Vec::with_capacity(self.signers.len());
        // Encoded once, for every signature and for serialization.
        let codec = self.sensitivity;
        let payload_b64 = (!self.unencoded).then(|| codec.encode(self.payload));
        let segment = payload_b64.as_deref().map_or(self.payload, str::as_bytes);
        for (key, extra, unprotected) in self.signers {
            let unsigned = unsigned_signature(
                key.alg(),
                key.kid(),
                &extra,
                unprotected,
                self.unencoded,
                codec,
                segment,
            )?;
            let signature = key.sign(&unsigned.input)?;
            signatures.push(JwsSignature {
                protected_b64: unsigned.protected_b64,
                protected: unsigned.protected,
                unprotected: unsigned.unprotected,
                signature,
            });
        }
        Ok(Jws {
            payload: (!self.detached).then(|| self.payload.to_vec()),
            payload_b64: payload_b64.filter(|_| !self.detached),
            b64: !self.unencoded,
            signatures,
            sensitivity: codec,
        })
    }
}

/// One signature before it is signed: its headers, the encoded protected header and the signing
/// input. [`JwsBuilder::sign`] and [`JwsBuilder::prepare`] both make it here, so that what an
/// external signer signs is exactly what an in-process key would.
struct UnsignedSignature {
    protected: Header,
    unprotected: Option<Header>,
    protected_b64: String,
    input: Vec<u8>,
}

/// Builds the protected header for a signature with `alg` by a key with `kid` (see
/// [`JwsBuilder::signer_with`] for `extra` and `unprotected`), checks the joint header, and
/// computes the signing input over `segment` (the payload as signed).
fn unsigned_signature(
    alg: JwsAlgorithm,
    kid: Option<&str>,
    extra: &Header,
    unprotected: Option<Header>,
    unencoded: bool,
    codec: Sensitivity,
    segment: &[u8],
) -> Result<UnsignedSignature, Error> {
    let protected = build_protected(alg, kid, extra, unprotected.as_ref(), unencoded)?;
    let joint = Joint::new(&protected, unprotected.as_ref(), None)?;
    let crit: Vec<String> = protected
        .crit()?
        .unwrap_or_default()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let crit_refs: Vec<&str> = crit.iter().map(String::as_str).collect();
    joint.check_crit(&crit_refs)?;
    if unprotected.as_ref().is_some_and(|u| u.contains("b64")) {
        return Err(Error::InvalidRequest(
            "\"b64\" must be in the protected header".into(),
        ));
    }
    let protected_b64 = codec.encode(protected.to_json().as_bytes());
    let input = signing_input(&protected_b64, segment);
    Ok(UnsignedSignature {
        protected,
        unprotected,
        protected_b64,
        input,
    })
}

fn build_protected(
    alg: JwsAlgorithm,
    kid: Option<&str>,
    extra: &Header,
    unprotected: Option<&Header>,
    unencoded: bool,
) -> Result<Header, Error> {
    let mut h = Header::new();
    if let Some(named) = extra.alg()? {
        if named != alg.name() {
            return Err(Error::InvalidRequest(format!(
                "the protected header says \"alg\":{named:?} but the key is bound to {alg}"
            )));
        }
    }
    h.set("alg", alg.name());
    if let Some(kid) = extra.get("kid") {
        h.set("kid", kid.clone());
    } else if let (Some(kid), false) = (kid, unprotected.is_some_and(|u| u.contains("kid"))) {
        h.set("kid", kid);
    }
    for (name, value) in extra.iter() {
        if name != "alg" && name != "kid" {
            h.set(name.clone(), value.clone());
        }
    }
    if unencoded {
        if h.b64()? == Some(true) {
            return Err(Error::InvalidRequest(
                "unencoded payload requested but the header says \"b64\":true".into(),
            ));
        }
        h.set("b64", false);
        let mut crit: Vec<Value> = match h.get("crit") {
            Some(Value::Array(items)) => items.clone(),
            Some(_) => return Err(Error::InvalidRequest("\"crit\" must be an array".into())),
            None => Vec::new(),
        };
        if !crit.iter().any(|v| v == "b64") {
            crit.push(Value::from("b64"));
        }
        h.remove("crit");
        h.set("crit", crit);
    } else if h.b64()?.is_some() {
        return Err(Error::InvalidRequest(
            "set \"b64\" with JwsBuilder::unencoded, not in the header".into(),
        ));
    }
    Ok(h)
}

impl Jws {
    /// The signatures.
    pub fn signatures(&self) -> &[JwsSignature] {
        &self.signatures
    }

    /// The payload carried in the token, not yet verified (`None` if detached).
    pub fn unverified_payload(&self) -> Option<&[u8]> {
        self.payload.as_deref()
    }

    /// True if the payload is not in the token. A compact token with an empty payload part
    /// (`header..signature`) is either detached or signs the empty payload; the compact form cannot
    /// tell, so it parses as an empty attached payload: [`Jws::verify`] checks it against the empty
    /// payload and [`Jws::verify_detached`] against the one supplied.
    pub fn is_detached(&self) -> bool {
        self.payload.is_none()
    }

    /// True if the payload is unencoded (RFC 7797 `"b64":false`).
    pub fn is_unencoded(&self) -> bool {
        !self.b64
    }

    /// Verifies with `keys` (the allow-list: only their algorithms are accepted) and returns the
    /// payload. Succeeds when one signature verifies with a key whose algorithm equals the
    /// signature's `alg` and whose `kid`, if both have one, equals the header's.
    ///
    /// `keys` is any iterable of keys or key references ([`KeyRef`]): `&[key]`, `&keys_vec`,
    /// `[&a, &b]`, `Some(&key)`. The keys are used where they are, never cloned.
    pub fn verify<I>(&self, keys: I) -> Result<&[u8], Error>
    where
        I: IntoIterator,
        I::Item: KeyRef<VerifyingKey>,
    {
        self.verify_with(keys, None, &VerifyOptions::default())?;
        self.payload.as_deref().ok_or_else(|| {
            Error::InvalidRequest("the payload is detached: use verify_detached".into())
        })
    }

    /// Verifies a JWS whose payload travels separately. A token that carries a non-empty payload of
    /// its own is rejected.
    pub fn verify_detached<I>(&self, payload: &[u8], keys: I) -> Result<(), Error>
    where
        I: IntoIterator,
        I::Item: KeyRef<VerifyingKey>,
    {
        self.verify_with(keys, Some(payload), &VerifyOptions::default())
            .map(|_| ())
    }

    /// Full-control verification: `detached` supplies the payload of a detached JWS.
    pub fn verify_with<I>(
        &self,
        keys: I,
        detached: Option<&[u8]>,
        options: &VerifyOptions,
    ) -> Result<Verified, Error>
    where
        I: IntoIterator,
        I::Item: KeyRef<VerifyingKey>,
    {
        let held: Vec<I::Item> = keys.into_iter().collect();
        let keys: Vec<&VerifyingKey> = held.iter().map(KeyRef::key_ref).collect();
        let payload: &[u8] = match (detached, self.payload.as_deref()) {
            (Some(p), None | Some([])) => p,
            (Some(_), Some(_)) => {
                return Err(Error::InvalidRequest(
                    "a detached payload was supplied but the token carries its own payload".into(),
                ));
            }
            (None, Some(p)) => p,
            (None, None) => {
                return Err(Error::InvalidRequest(
                    "the payload is detached; supply it to verify".into(),
                ));
            }
        };
        // The payload as signed: the token's own base64url text when it carries one (no second
        // encoding pass), else encoded here; raw when b64 is false.
        let encoded;
        let segment: &[u8] = match (&self.payload_b64, detached) {
            (Some(text), None) => text.as_bytes(),
            _ if self.b64 => {
                encoded = self.sensitivity.encode(payload);
                encoded.as_bytes()
            }
            _ => payload,
        };
        let mut understood: Vec<&str> = vec!["b64"];
        understood.extend(options.understood_crit.iter().map(String::as_str));
        let mut first_error = None;
        let mut tried_a_key = false;
        for (index, sig) in self.signatures.iter().enumerate() {
            match verify_one(sig, &keys, segment, &understood) {
                Ok(alg) => {
                    return Ok(Verified {
                        signature_index: index,
                        alg,
                        header: sig.header(),
                    });
                }
                Err(e) => {
                    tried_a_key |= e == Error::BadSignature;
                    first_error.get_or_insert(e);
                }
            }
        }
        if tried_a_key {
            return Err(Error::BadSignature);
        }
        Err(first_error.unwrap_or(Error::BadSignature))
    }

    /// Compact serialization (`header.payload.signature`; the payload part is empty if detached).
    /// Needs exactly one signature and no unprotected header.
    pub fn to_compact(&self) -> Result<String, Error> {
        let sig = self.single("compact")?;
        if sig.unprotected.is_some() {
            return Err(Error::InvalidRequest(
                "compact serialization cannot carry an unprotected header".into(),
            ));
        }
        let payload = self.payload_segment(true)?.unwrap_or_default();
        // One buffer of the final size, the signature encoded straight into it.
        let mut out = String::with_capacity(
            sig.protected_b64.len() + payload.len() + 2 + b64::encoded_len(sig.signature.len()),
        );
        out.push_str(&sig.protected_b64);
        out.push('.');
        out.push_str(&payload);
        out.push('.');
        self.sensitivity.encode_into(&sig.signature, &mut out);
        Ok(out)
    }

    /// Flattened JSON serialization (RFC 7515 section 7.2.2). Needs exactly one signature.
    pub fn to_flattened_json(&self) -> Result<String, Error> {
        let sig = self.single("flattened JSON")?;
        let mut obj = json::Object::new();
        if let Some(p) = self.payload_segment(false)? {
            obj.insert("payload", Value::String(p.into_owned()));
        }
        sig.write_json(&mut obj, self.sensitivity);
        Ok(obj.to_json())
    }

    /// General JSON serialization (RFC 7515 section 7.2.1).
    pub fn to_general_json(&self) -> Result<String, Error> {
        let mut obj = json::Object::new();
        if let Some(p) = self.payload_segment(false)? {
            obj.insert("payload", Value::String(p.into_owned()));
        }
        let sigs: Vec<json::Object> = self
            .signatures
            .iter()
            .map(|s| {
                let mut o = json::Object::new();
                s.write_json(&mut o, self.sensitivity);
                o
            })
            .collect();
        obj.insert("signatures", sigs);
        Ok(obj.to_json())
    }

    fn single(&self, what: &str) -> Result<&JwsSignature, Error> {
        match self.signatures.as_slice() {
            [one] => Ok(one),
            many => Err(Error::InvalidRequest(format!(
                "{what} serialization needs exactly one signature, this JWS has {}",
                many.len()
            ))),
        }
    }

    /// The payload part of a serialization: borrowed when the JWS keeps its base64url text.
    fn payload_segment(&self, compact: bool) -> Result<Option<Cow<'_, str>>, Error> {
        let Some(p) = &self.payload else {
            return Ok(None);
        };
        if self.b64 {
            return Ok(Some(match &self.payload_b64 {
                Some(text) => Cow::Borrowed(text.as_str()),
                None => Cow::Owned(self.sensitivity.encode(p)),
            }));
        }
        let text = std::str::from_utf8(p).map_err(|_| {
            Error::InvalidRequest(
                "an unencoded attached payload must be UTF-8; detach it instead".into(),
            )
        })?;
        if compact && text.contains('.') {
            return Err(Error::InvalidRequest(
                "an unencoded payload containing '.' cannot be attached in compact form (RFC 7797 section 5.2); detach it".into(),
            ));
        }
        Ok(Some(Cow::Borrowed(text)))
    }

    /// Parses the compact serialization.
    pub fn from_compact(token: &str, limits: &Limits) -> Result<Self, Error> {
        Self::compact_with(token, limits, Sensitivity::Public)
    }

    /// Parses the compact serialization of a secret JWS — one that was nested inside a JWE — with
    /// the constant-time base64url codec (see [`JwsBuilder::confidential`]); a decoding error
    /// never shows the token's text. [`nested::decrypt_then_verify`] uses it.
    ///
    /// [`nested::decrypt_then_verify`]: crate::nested::decrypt_then_verify
    pub fn from_compact_confidential(token: &str, limits: &Limits) -> Result<Self, Error> {
        Self::compact_with(token, limits, Sensitivity::Confidential)
    }

    fn compact_with(token: &str, limits: &Limits, codec: Sensitivity) -> Result<Self, Error> {
        Limits::check("JWS", limits.max_token_len, token.len())?;
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::malformed(
                "JWS compact serialization",
                "three dot-separated parts",
                format!("{} parts", token.split('.').count()),
            ));
        };
        if h.is_empty() {
            return Err(Error::malformed(
                "JWS",
                "a protected header",
                "an empty first part",
            ));
        }
        let sig = parse_signature(Some(h), None, s, limits, codec)?;
        let b64 = sig.protected.b64()?.unwrap_or(true);
        let payload = if b64 {
            codec.decode("JWS payload", p)?
        } else {
            p.as_bytes().to_vec()
        };
        Ok(Jws {
            payload: Some(payload),
            payload_b64: b64.then(|| p.to_owned()),
            b64,
            signatures: vec![sig],
            sensitivity: codec,
        })
    }

    /// Parses either JSON serialization (flattened or general).
    pub fn from_json(text: &str, limits: &Limits) -> Result<Self, Error> {
        Self::json_with(text, limits, Sensitivity::Public)
    }

    fn json_with(text: &str, limits: &Limits, codec: Sensitivity) -> Result<Self, Error> {
        Limits::check("JWS", limits.max_token_len, text.len())?;
        let mut obj = json::parse_object(text.as_bytes(), "JWS JSON")?;
        let sigs: Vec<JwsSignature> = match obj.remove("signatures") {
            Some(Value::Array(items)) => {
                if ["protected", "header", "signature"]
                    .iter()
                    .any(|k| obj.contains_key(*k))
                {
                    return Err(Error::malformed(
                        "JWS JSON",
                        "either \"signatures\" (general) or \"signature\" (flattened)",
                        "both",
                    ));
                }
                if items.is_empty() {
                    return Err(Error::malformed(
                        "JWS JSON",
                        "at least one signature",
                        "none",
                    ));
                }
                Limits::check("JWS signatures", limits.max_signatures, items.len())?;
                items
                    .into_iter()
                    .map(|item| match item {
                        Value::Object(mut o) => parse_signature_json(&mut o, limits, codec),
                        other => Err(Error::malformed(
                            "JWS JSON signature",
                            "an object",
                            json::json_type(&other),
                        )),
                    })
                    .collect::<Result<_, _>>()?
            }
            Some(other) => {
                return Err(Error::malformed(
                    "JWS JSON \"signatures\"",
                    "an array",
                    json::json_type(&other),
                ));
            }
            None => vec![parse_signature_json(&mut obj, limits, codec)?],
        };
        let b64 = sigs
            .first()
            .map_or(Ok(None), |s| s.protected.b64())?
            .unwrap_or(true);
        for s in &sigs {
            if s.protected.b64()?.unwrap_or(true) != b64 {
                return Err(Error::InvalidHeader(
                    "all signatures of a JWS must agree on \"b64\"".into(),
                ));
            }
        }
        let payload = match obj.get("payload") {
            None => None,
            Some(Value::String(p)) if b64 => Some(codec.decode("JWS payload", p)?),
            Some(Value::String(p)) => Some(p.as_bytes().to_vec()),
            Some(other) => {
                return Err(Error::malformed(
                    "JWS JSON \"payload\"",
                    "a string",
                    json::json_type(other),
                ));
            }
        };
        let payload_b64 = match obj.get("payload") {
            Some(Value::String(p)) if b64 => Some(p.clone()),
            _ => None,
        };
        Ok(Jws {
            payload,
            payload_b64,
            b64,
            signatures: sigs,
            sensitivity: codec,
        })
    }

    /// Parses any serialization: JSON if the text (ASCII whitespace trimmed) starts with `{`, else
    /// compact.
    pub fn parse(text: &str, limits: &Limits) -> Result<Self, Error> {
        Self::parse_with(text, limits, Sensitivity::Public)
    }

    /// [`Jws::parse`] for a secret JWS (one that was nested inside a JWE), with the constant-time
    /// codec, as [`Jws::from_compact_confidential`].
    pub fn parse_confidential(text: &str, limits: &Limits) -> Result<Self, Error> {
        Self::parse_with(text, limits, Sensitivity::Confidential)
    }

    fn parse_with(text: &str, limits: &Limits, codec: Sensitivity) -> Result<Self, Error> {
        let t = text.trim_ascii();
        if t.starts_with('{') {
            Self::json_with(t, limits, codec)
        } else {
            Self::compact_with(t, limits, codec)
        }
    }
}

impl JwsSignature {
    fn write_json(&self, obj: &mut json::Object, codec: Sensitivity) {
        if !self.protected_b64.is_empty() {
            obj.insert("protected", Value::String(self.protected_b64.clone()));
        }
        if let Some(u) = &self.unprotected {
            obj.insert("header", u.clone());
        }
        obj.insert("signature", Value::String(codec.encode(&self.signature)));
    }
}

fn parse_signature_json(
    obj: &mut Map<String, Value>,
    limits: &Limits,
    codec: Sensitivity,
) -> Result<JwsSignature, Error> {
    let protected = match obj.remove("protected") {
        None => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            return Err(Error::malformed(
                "JWS JSON \"protected\"",
                "a base64url string",
                json::json_type(&other),
            ));
        }
    };
    let unprotected = match obj.remove("header") {
        None => None,
        Some(v) => {
            let h = Header::from_value(v, "JWS JSON \"header\"")?;
            Limits::check("JOSE header", limits.max_header_len, h.to_json().len())?;
            Some(h)
        }
    };
    let signature = match obj.remove("signature") {
        Some(Value::String(s)) => s,
        Some(other) => {
            return Err(Error::malformed(
                "JWS JSON \"signature\"",
                "a base64url string",
                json::json_type(&other),
            ));
        }
        None => {
            return Err(Error::malformed(
                "JWS JSON",
                "a \"signature\" member",
                "none",
            ));
        }
    };
    if protected.is_none() && unprotected.is_none() {
        return Err(Error::malformed(
            "JWS JSON signature",
            "a \"protected\" or \"header\" member",
            "neither",
        ));
    }
    parse_signature(protected.as_deref(), unprotected, &signature, limits, codec)
}

fn parse_signature(
    protected_b64: Option<&str>,
    unprotected: Option<Header>,
    signature_b64: &str,
    limits: &Limits,
    codec: Sensitivity,
) -> Result<JwsSignature, Error> {
    let protected = match protected_b64 {
        Some(p) => {
            Limits::check(
                "JOSE header",
                limits.max_header_len.saturating_mul(2),
                p.len(),
            )?;
            Header::from_json_bytes(&codec.decode("JWS protected header", p)?, limits)?
        }
        None => Header::new(),
    };
    Joint::new(&protected, unprotected.as_ref(), None)?;
    if unprotected.as_ref().is_some_and(|u| u.contains("b64")) {
        return Err(Error::InvalidHeader(
            "\"b64\" must be in the protected header".into(),
        ));
    }
    if protected.b64()? == Some(false) && !protected.crit()?.is_some_and(|c| c.contains(&"b64")) {
        return Err(Error::InvalidHeader(
            "\"b64\":false must be listed in \"crit\" (RFC 7797 section 6)".into(),
        ));
    }
    Ok(JwsSignature {
        protected_b64: protected_b64.unwrap_or_default().to_owned(),
        protected,
        unprotected,
        signature: codec.decode("JWS signature", signature_b64)?,
    })
}

/// Checks one signature against the candidate keys; returns its algorithm on success.
fn verify_one(
    sig: &JwsSignature,
    keys: &[&VerifyingKey],
    segment: &[u8],
    understood: &[&str],
) -> Result<JwsAlgorithm, Error> {
    let joint = sig.joint();
    joint.check_crit(understood)?;
    let alg_name = joint
        .get_str("alg")?
        .ok_or_else(|| Error::InvalidHeader("the JWS header has no \"alg\"".into()))?;
    let alg = JwsAlgorithm::from_name(alg_name)?;
    let kid = joint.get_str("kid")?;
    let mut candidates = keys
        .iter()
        .filter(|k| k.alg() == alg)
        .filter(|k| match (kid, k.kid()) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        })
        .peekable();
    if candidates.peek().is_none() {
        let allowed: Vec<&str> = keys.iter().map(|k| k.alg().name()).collect();
        if !allowed.contains(&alg.name()) {
            return Err(Error::AlgorithmNotAllowed {
                found: alg.name().to_owned(),
                allowed: if allowed.is_empty() {
                    "none (no keys given)".into()
                } else {
                    allowed.join(", ")
                },
            });
        }
        return Err(Error::NoMatchingKey(format!(
            "no {alg} key has kid {:?}",
            kid.unwrap_or_default()
        )));
    }
    let input = signing_input(&sig.protected_b64, segment);
    for key in candidates {
        if key.verify(&input, &sig.signature).is_ok() {
            return Ok(alg);
        }
    }
    Err(Error::BadSignature)
}
