//! The nested token, role-free: sign with RS512, then encrypt with RSA-OAEP-256 and A256GCM; and
//! back.
//!
//! [`Sealer::seal`] turns a JSON object into the compact JWE that is the HTTP body:
//!
//! ```text
//! JWS  protected header {"alg":"RS512","kid":<our signing kid>,"cty":"application/json"}
//!      payload          the JSON body
//! JWE  protected header {"alg":"RSA-OAEP-256","enc":"A256GCM","kid":<recipient kid>,"cty":"application/jose"}
//!      plaintext        the compact JWS
//! ```
//!
//! [`Opener::open`] reverses it: it reads the JWE header, accepts only RSA-OAEP-256 and A256GCM,
//! chooses our private key by the JWE `kid`, decrypts, parses the compact JWS, accepts only
//! RS512, chooses the sender's public key by the JWS `kid`, verifies, and parses the payload as a
//! strict JSON object. A `cty` may be absent (Klarna's published example has none in its JWE
//! header) but, if present, must be the protocol's.

use crate::error::{Error, Layer, Result, shorten};
use crate::fields;
use crate::json;
use crate::keys::{self, JWE_ALG, JWE_ENC, JWS_ALG, KeyRing, VerifierSet};
use jose::jwe::{Jwe, JweBuilder};
use jose::jws::{Jws, JwsBuilder};
use jose::{CryptoProvider, EncryptingKey, Header, Limits, PrivateKey, PublicKey, SigningKey};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

/// The HTTP `Content-Type` of an encrypted request or response, and the JWE's `cty`.
pub const CONTENT_TYPE_JOSE: &str = jose::media::APPLICATION_JOSE;
/// The JWS's `cty`: its payload is JSON.
pub const CONTENT_TYPE_JSON: &str = jose::media::APPLICATION_JSON;

/// Seals JSON bodies for one recipient: signs with our key, encrypts to theirs.
#[derive(Debug, Clone)]
pub struct Sealer {
    signer: SigningKey,
    recipient: EncryptingKey,
}

impl Sealer {
    /// Our private RSA signing key and the recipient's public RSA key, each with its `kid` (set
    /// it with `with_kid` if the key file has none).
    pub fn new(signing_key: PrivateKey, recipient_key: PublicKey) -> Result<Self> {
        Ok(Sealer {
            signer: keys::signing_key(signing_key)?,
            recipient: keys::encrypting_key(recipient_key)?,
        })
    }

    /// The `kid` in the JWS header.
    pub fn signing_kid(&self) -> &str {
        self.signer.kid().unwrap_or_default()
    }

    /// The `kid` in the JWE header.
    pub fn recipient_kid(&self) -> &str {
        self.recipient.kid().unwrap_or_default()
    }

    /// Signs and encrypts `body`; returns the compact JWE (the HTTP body). The CEK and IV come
    /// from `provider`. The signed JSON has `request_id`, `request_timestamp` and
    /// `response_timestamp` first (those present), as in Klarna's examples, then the other members
    /// in the [`Map`]'s order (sorted by name unless the application turns on serde_json's
    /// `preserve_order`).
    pub fn seal(&self, body: &Map<String, Value>, provider: &dyn CryptoProvider) -> Result<String> {
        let payload = Zeroizing::new(
            serde_json::to_vec(&StampFirst(body))
                .map_err(|e| Error::body("a JSON object that serializes", e))?,
        );
        self.seal_bytes(&payload, provider)
    }

    fn seal_bytes(&self, payload: &[u8], provider: &dyn CryptoProvider) -> Result<String> {
        let mut jws_header = Header::new();
        jws_header.set("cty", CONTENT_TYPE_JSON);
        let jws = Zeroizing::new(
            // The JWS is secret until encrypted: constant-time base64url for all of it.
            JwsBuilder::new(payload)
                .confidential(true)
                .signer_with(&self.signer, jws_header, None)
                .sign()
                .and_then(|j| j.to_compact())
                .map_err(Error::Crypto)?
                .into_bytes(),
        );
        // Klarna's layout: alg, enc, kid, cty (jose-core keeps the positions we name).
        let mut jwe_header = Header::new();
        jwe_header
            .set("alg", self.recipient.alg().name())
            .set("enc", JWE_ENC.name());
        if let Some(kid) = self.recipient.kid() {
            jwe_header.set("kid", kid);
        }
        jwe_header.set("cty", CONTENT_TYPE_JOSE);
        JweBuilder::new(JWE_ENC)
            .protected(jwe_header)
            .recipient(&self.recipient)
            .encrypt(&jws, provider)
            .and_then(|j| j.to_compact())
            .map_err(Error::Crypto)
    }
}

/// The members [`Sealer::seal`] writes first, in this order.
const STAMP: [&str; 3] = [
    fields::REQUEST_ID,
    fields::REQUEST_TIMESTAMP,
    fields::RESPONSE_TIMESTAMP,
];

/// A body serialized with its [`STAMP`] members first, whatever the order of serde_json's `Map`.
struct StampFirst<'a>(&'a Map<String, Value>);

impl Serialize for StampFirst<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for name in STAMP {
            if let Some(value) = self.0.get(name) {
                map.serialize_entry(name, value)?;
            }
        }
        for (name, value) in self.0 {
            if !STAMP.contains(&name.as_str()) {
                map.serialize_entry(name, value)?;
            }
        }
        map.end()
    }
}

/// Opens tokens sent to us: our key ring for the JWE, the sender's keys for the JWS.
#[derive(Debug, Clone)]
pub struct Opener {
    ring: KeyRing,
    verifiers: VerifierSet,
    limits: Limits,
}

/// A token that decrypted and verified.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Opened {
    /// The verified JSON body.
    pub body: Map<String, Value>,
    /// The JWE `kid`: which of our keys decrypted it.
    pub decryption_kid: String,
    /// The JWS `kid`: which of the sender's keys verified it.
    pub signing_kid: String,
}

impl Opener {
    /// Opens with `ring` (our private keys) and `verifiers` (the sender's public keys), with
    /// jose-core's default size limits.
    pub fn new(ring: KeyRing, verifiers: VerifierSet) -> Self {
        Opener {
            ring,
            verifiers,
            limits: Limits::default(),
        }
    }

    /// Other size limits for the tokens.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Our key ring (to add or remove keys while rotating).
    pub fn ring_mut(&mut self) -> &mut KeyRing {
        &mut self.ring
    }

    /// The sender's keys (to add or remove keys while they rotate).
    pub fn verifiers_mut(&mut self) -> &mut VerifierSet {
        &mut self.verifiers
    }

    /// Our key ring.
    pub fn ring(&self) -> &KeyRing {
        &self.ring
    }

    /// The sender's keys.
    pub fn verifiers(&self) -> &VerifierSet {
        &self.verifiers
    }

    /// Decrypts and verifies a compact JWE (surrounding ASCII whitespace ignored) and parses its
    /// payload as a JSON object. Timestamps and replay are the roles' business
    /// ([`crate::Client`], [`crate::Server`]).
    pub fn open(&self, token: &str, provider: &dyn CryptoProvider) -> Result<Opened> {
        let token = token.trim_ascii();
        let jwe =
            Jwe::from_compact(token, &self.limits).map_err(|source| Error::MalformedToken {
                layer: Layer::Jwe,
                source,
            })?;
        let header = jwe.protected_header();
        check_alg(header, "alg", "JWE alg", JWE_ALG.name(), Layer::Jwe)?;
        check_alg(header, "enc", "JWE enc", JWE_ENC.name(), Layer::Jwe)?;
        check_cty(header, Layer::Jwe)?;
        let jwe_kid = kid(header, Layer::Jwe)?;
        let key = jwe_kid
            .and_then(|k| self.ring.get(k))
            .ok_or_else(|| unknown_kid(Layer::Jwe, jwe_kid, &self.ring.kids()))?;
        let decrypted = jwe
            .decrypt([key], &[JWE_ENC], provider)
            .map_err(|e| match e {
                jose::Error::DecryptionFailed => Error::DecryptionFailed,
                jose::Error::Provider(_) => Error::Crypto(e),
                source => Error::MalformedToken {
                    layer: Layer::Jwe,
                    source,
                },
            })?;
        let inner =
            std::str::from_utf8(&decrypted.plaintext).map_err(|_| Error::MalformedToken {
                layer: Layer::Jws,
                source: jose::Error::malformed(
                    "nested JWS",
                    "a compact JWS (ASCII)",
                    "non-UTF-8 bytes",
                ),
            })?;
        let jws = Jws::from_compact_confidential(inner, &self.limits).map_err(|source| {
            Error::MalformedToken {
                layer: Layer::Jws,
                source,
            }
        })?;
        if jws.is_unencoded() {
            return Err(Error::MalformedToken {
                layer: Layer::Jws,
                source: jose::Error::InvalidHeader(
                    "expected a base64url-encoded payload, found \"b64\":false".into(),
                ),
            });
        }
        let signature = jws
            .signatures()
            .first()
            .ok_or_else(|| Error::MalformedToken {
                layer: Layer::Jws,
                source: jose::Error::malformed("JWS", "one signature", "none"),
            })?;
        let jws_header = signature.protected_header();
        check_alg(jws_header, "alg", "JWS alg", JWS_ALG.name(), Layer::Jws)?;
        check_cty(jws_header, Layer::Jws)?;
        let jws_kid = kid(jws_header, Layer::Jws)?;
        let verifier = jws_kid
            .and_then(|k| self.verifiers.get(k))
            .ok_or_else(|| unknown_kid(Layer::Jws, jws_kid, &self.verifiers.kids()))?;
        let payload = jws.verify([verifier]).map_err(|e| match e {
            jose::Error::BadSignature => Error::BadSignature,
            jose::Error::Provider(_) => Error::Crypto(e),
            source => Error::MalformedToken {
                layer: Layer::Jws,
                source,
            },
        })?;
        let body = json::parse_object(payload)?;
        Ok(Opened {
            body,
            decryption_kid: key.kid().unwrap_or_default().to_owned(),
            signing_kid: verifier.kid().unwrap_or_default().to_owned(),
        })
    }
}

/// Checks that header member `name` is exactly `expected`.
fn check_alg(
    header: &Header,
    name: &str,
    what: &'static str,
    expected: &'static str,
    layer: Layer,
) -> Result<()> {
    match header.get(name) {
        Some(Value::String(found)) if found == expected => Ok(()),
        Some(Value::String(found)) => Err(Error::AlgorithmNotAllowed {
            what,
            expected,
            found: format!("{:?}", shorten(found)),
        }),
        Some(other) => Err(Error::MalformedToken {
            layer,
            source: jose::Error::InvalidHeader(format!(
                "expected \"{name}\" to be a string, found {}",
                json::json_type(other)
            )),
        }),
        None => Err(Error::AlgorithmNotAllowed {
            what,
            expected,
            found: "none".into(),
        }),
    }
}

/// Checks the header's `cty`: absent, or the protocol's (RFC 7515 section 4.1.10 lets the
/// "application/" prefix be omitted; media types compare case-insensitively).
fn check_cty(header: &Header, layer: Layer) -> Result<()> {
    let (expected, short, context) = match layer {
        Layer::Jwe => (CONTENT_TYPE_JOSE, "jose", " in the JWE header"),
        Layer::Jws => (CONTENT_TYPE_JSON, "json", " in the JWS header"),
    };
    match header.get("cty") {
        None => Ok(()),
        Some(Value::String(cty))
            if cty.eq_ignore_ascii_case(expected) || cty.eq_ignore_ascii_case(short) =>
        {
            Ok(())
        }
        Some(Value::String(cty)) => Err(Error::WrongContentType {
            context,
            expected,
            found: format!("{:?}", shorten(cty)),
        }),
        Some(other) => Err(Error::WrongContentType {
            context,
            expected,
            found: json::json_type(other).to_owned(),
        }),
    }
}

/// The header's `kid`, if any.
fn kid(header: &Header, layer: Layer) -> Result<Option<&str>> {
    match header.get("kid") {
        Some(Value::String(kid)) => Ok(Some(kid)),
        Some(other) => Err(Error::MalformedToken {
            layer,
            source: jose::Error::InvalidHeader(format!(
                "expected \"kid\" to be a string, found {}",
                json::json_type(other)
            )),
        }),
        None => Ok(None),
    }
}

/// The error for a `kid` that names none of `kids`.
fn unknown_kid(layer: Layer, found: Option<&str>, kids: &[&str]) -> Error {
    Error::UnknownKid {
        layer,
        found: found.map_or_else(|| "no kid".to_owned(), |k| format!("{:?}", shorten(k))),
        known: if kids.is_empty() {
            "none (no keys)".into()
        } else {
            kids.iter()
                .map(|k| format!("{:?}", shorten(k)))
                .collect::<Vec<_>>()
                .join(", ")
        },
    }
}
