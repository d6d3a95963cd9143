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
//! Our signing key may be held outside any provider (a KMS, an HSM):
//! [`Sealer::with_external_signer`] signs through jose-core's [`ExternalSigner`] (and then
//! [`crate::Client`] and [`crate::Server`] seal with it as with an in-process key),
//! [`Sealer::with_async_signer`] through its [`AsyncExternalSigner`] for [`Sealer::seal_async`].
//! The JWS header and signing input are the same either way (jose-core's
//! [`JwsBuilder::prepare_with`]); the key must sign with RS512.
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
use jose::jws::{AsyncExternalSigner, ExternalKey, ExternalSigner, Jws, JwsBuilder};
use jose::{CryptoProvider, EncryptingKey, Header, Limits, PrivateKey, PublicKey, SigningKey};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The HTTP `Content-Type` of an encrypted request or response, and the JWE's `cty`.
pub const CONTENT_TYPE_JOSE: &str = jose::media::APPLICATION_JOSE;
/// The JWS's `cty`: its payload is JSON.
pub const CONTENT_TYPE_JSON: &str = jose::media::APPLICATION_JSON;

/// Seals JSON bodies for one recipient: signs with our key, encrypts to theirs.
#[derive(Debug, Clone)]
pub struct Sealer {
    signer: OurKey,
    recipient: EncryptingKey,
}

/// Our signing key: in a provider, or held outside behind a signer.
#[derive(Clone)]
enum OurKey {
    InProcess(SigningKey),
    External {
        key: ExternalKey,
        signer: Arc<dyn ExternalSigner>,
    },
    Async {
        key: ExternalKey,
        signer: Arc<dyn AsyncExternalSigner>,
    },
}

impl fmt::Debug for OurKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OurKey::InProcess(key) => f.debug_tuple("InProcess").field(key).finish(),
            OurKey::External { key, .. } => f
                .debug_struct("External")
                .field("key", key)
                .finish_non_exhaustive(),
            OurKey::Async { key, .. } => f
                .debug_struct("Async")
                .field("key", key)
                .finish_non_exhaustive(),
        }
    }
}

impl OurKey {
    fn kid(&self) -> Option<&str> {
        match self {
            OurKey::InProcess(key) => key.kid(),
            OurKey::External { key, .. } | OurKey::Async { key, .. } => key.kid(),
        }
    }
}

/// The JWS's protected members after `alg` and `kid`.
fn jws_members() -> Header {
    let mut header = Header::new();
    header.set("cty", CONTENT_TYPE_JSON);
    header
}

/// A jose error while signing through an external signer: [`Error::ExternalSigning`] for the
/// signer's failure or its signature, else [`Error::Crypto`] as for an in-process key.
fn external_signing_error(err: jose::Error) -> Error {
    match err {
        jose::Error::ExternalSigner { .. } | jose::Error::ExternalSignature { .. } => {
            Error::ExternalSigning(err)
        }
        other => Error::Crypto(other),
    }
}

impl Sealer {
    /// Our private RSA signing key and the recipient's public RSA key, each with its `kid` (set
    /// it with `with_kid` if the key file has none).
    pub fn new(signing_key: PrivateKey, recipient_key: PublicKey) -> Result<Self> {
        Ok(Sealer {
            signer: OurKey::InProcess(keys::signing_key(signing_key)?),
            recipient: keys::encrypting_key(recipient_key)?,
        })
    }

    /// Our signing key held outside any provider (a KMS, an HSM), signing through `signer`, and
    /// the recipient's public RSA key. `key` must sign with RS512 and have a `kid`
    /// ([`keys::external_signing_key`]); give it the public key
    /// ([`ExternalKey::from_public_key`]) to have every signature checked before it is sent.
    /// [`Sealer::seal`] (and so [`crate::Client`] and [`crate::Server`]) then sign through it.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use jose::jws::{ExternalKey, ExternalSigner};
    /// use jose::{JwsAlgorithm, KeySpec, PrivateKey, SigningKey, VerifyingKey};
    /// use jose_klarna_xs2a::{KeyRing, Opener, Sealer, VerifierSet};
    /// use std::sync::Arc;
    ///
    /// let provider = jose::default_provider();
    /// let rsa = || PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider);
    /// let (ours, theirs) = (rsa()?.with_kid("tpp-sig-1"), rsa()?.with_kid("2AF92B1D"));
    /// // Our key in a KMS (an in-process key stands in for it here); we know its public half.
    /// let kms: Arc<dyn ExternalSigner> =
    ///     Arc::new(SigningKey::new(ours.clone(), JwsAlgorithm::Rs512)?);
    /// let public = VerifyingKey::new(ours.public_key(), JwsAlgorithm::Rs512)?;
    /// let key = ExternalKey::from_public_key(public)?;
    /// let sealer = Sealer::with_external_signer(key, kms, theirs.public_key())?;
    /// assert_eq!(sealer.signing_kid(), "tpp-sig-1");
    ///
    /// let body = serde_json::json!({"psu": {"ip_address": "136.71.143.70"}});
    /// let token = sealer.seal(body.as_object().unwrap(), provider)?;
    /// let ring = KeyRing::new().with(theirs)?;
    /// let opener = Opener::new(ring, VerifierSet::new().with(ours.public_key())?);
    /// assert_eq!(opener.open(&token, provider)?.body["psu"]["ip_address"], "136.71.143.70");
    /// # Ok(()) }
    /// ```
    pub fn with_external_signer(
        key: ExternalKey,
        signer: Arc<dyn ExternalSigner>,
        recipient_key: PublicKey,
    ) -> Result<Self> {
        Ok(Sealer {
            signer: OurKey::External {
                key: keys::external_signing_key(key)?,
                signer,
            },
            recipient: keys::encrypting_key(recipient_key)?,
        })
    }

    /// [`Sealer::with_external_signer`] for a signer that answers asynchronously (a remote KMS):
    /// seal with [`Sealer::seal_async`]; [`Sealer::seal`] refuses with [`Error::Key`], and so do
    /// [`crate::Client`] and [`crate::Server`], which seal synchronously.
    pub fn with_async_signer(
        key: ExternalKey,
        signer: Arc<dyn AsyncExternalSigner>,
        recipient_key: PublicKey,
    ) -> Result<Self> {
        Ok(Sealer {
            signer: OurKey::Async {
                key: keys::external_signing_key(key)?,
                signer,
            },
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

    /// [`Sealer::seal`] for any signer, the asynchronous one included: the body is serialized
    /// and, unless the signer is asynchronous, signed at once; the future encrypts. It borrows
    /// the sealer and the provider, and is `Send`.
    pub fn seal_async<'s>(
        &'s self,
        body: &Map<String, Value>,
        provider: &'s dyn CryptoProvider,
    ) -> impl Future<Output = Result<String>> + Send + 's {
        let payload = serde_json::to_vec(&StampFirst(body))
            .map(Zeroizing::new)
            .map_err(|e| Error::body("a JSON object that serializes", e));
        async move {
            let payload = payload?;
            let jws = match &self.signer {
                OurKey::Async { key, signer } => {
                    // The JWS is secret until encrypted: constant-time base64url for all of it.
                    let prepared = JwsBuilder::new(&payload)
                        .confidential(true)
                        .prepare_with(key, jws_members(), None)
                        .map_err(Error::Crypto)?;
                    let jws = prepared
                        .sign_with_async(signer.as_ref())
                        .await
                        .map_err(external_signing_error)?;
                    compact(&jws)?
                }
                OurKey::InProcess(_) | OurKey::External { .. } => self.sign(&payload)?,
            };
            self.encrypt(&jws, provider)
        }
    }

    fn seal_bytes(&self, payload: &[u8], provider: &dyn CryptoProvider) -> Result<String> {
        let jws = self.sign(payload)?;
        self.encrypt(&jws, provider)
    }

    /// The compact JWS of `payload`, signed with our key (synchronously).
    fn sign(&self, payload: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        // The JWS is secret until encrypted: constant-time base64url for all of it.
        let builder = JwsBuilder::new(payload).confidential(true);
        let jws = match &self.signer {
            OurKey::InProcess(key) => builder
                .signer_with(key, jws_members(), None)
                .sign()
                .map_err(Error::Crypto)?,
            OurKey::External { key, signer } => builder
                .prepare_with(key, jws_members(), None)
                .map_err(Error::Crypto)?
                .sign_with(signer.as_ref())
                .map_err(external_signing_error)?,
            OurKey::Async { .. } => {
                return Err(Error::key_message(
                    "signing key: expected a signer that answers synchronously, found an asynchronous one (seal with Sealer::seal_async)",
                ));
            }
        };
        compact(&jws)
    }

    /// Encrypts the compact JWS to the recipient; returns the compact JWE.
    fn encrypt(&self, jws: &[u8], provider: &dyn CryptoProvider) -> Result<String> {
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
            .encrypt(jws, provider)
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

/// A signed JWS in compact form, wiped when dropped (it is secret until encrypted).
fn compact(jws: &Jws) -> Result<Zeroizing<Vec<u8>>> {
    Ok(Zeroizing::new(
        jws.to_compact().map_err(Error::Crypto)?.into_bytes(),
    ))
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
        let key = self
            .ring
            .choose(jwe_kid)
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
        let verifier = self
            .verifiers
            .choose(jws_kid)
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
