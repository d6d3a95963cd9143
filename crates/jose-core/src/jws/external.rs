//! Signing with a key held outside any provider (a KMS, an HSM, a remote signing service), in two
//! phases or through a signer trait.
//!
//! [`JwsBuilder::prepare`] builds the protected header and the JWS signing input exactly as
//! [`JwsBuilder::sign`] would, for an [`ExternalKey`] (the algorithm, the `kid` and the key's type
//! and size, and optionally its public key). Sign [`PreparedJws::signing_input`] anywhere, or its
//! [`PreparedJws::digest`] for a KMS that signs digests, and hand the signature to
//! [`PreparedJws::finish`], which checks its length and shape for the algorithm and returns the
//! same [`Jws`] `sign` would have produced. [`ExternalSigner`] and [`AsyncExternalSigner`] wrap
//! the middle step for [`JwsBuilder::sign_external`] and [`JwsBuilder::sign_external_async`].
//! (This module is private; its items are re-exported from [`crate::jws`], and the example is on
//! [`PreparedJws`].)

use super::{Jws, JwsBuilder, JwsSignature};
use crate::alg::{EcCurve, JwsAlgorithm, KeyKind, MAX_RSA_BITS, MIN_RSA_BITS, SignatureScheme};
use crate::b64::Sensitivity;
use crate::error::Error;
use crate::formats::ecdsa_der_to_raw;
use crate::header::Header;
use crate::key::{SigningKey, VerifyingKey};
use crate::provider::CryptoProvider;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use zeroize::Zeroizing;

/// A signer whose private key is held elsewhere (a KMS, an HSM) and answers synchronously.
///
/// It gets the algorithm and the JWS signing input (`BASE64URL(header) '.' payload`) and returns
/// the JWS signature: the RSA signature (as long as the modulus) for RS256..PS512, the raw
/// `r || s` for ES256/ES384/ES512. A KMS that answers in DER is converted with
/// [`ecdsa_der_to_raw`](crate::ecdsa_der_to_raw); one that signs digests is given
/// `provider.digest(alg.hash(), signing_input)` ([`CryptoProvider::digest`]). Its own failures
/// are [`Error::external_signer`], with its error as the source.
///
/// Object-safe, one method (like RustCrypto's `Signer::try_sign`). Closures
/// `Fn(JwsAlgorithm, &[u8]) -> Result<Vec<u8>, Error>` are signers, and so is an in-process
/// [`SigningKey`] (for its one algorithm; useful to test code written for a KMS).
///
/// ```
/// use jose_core::jws::ExternalSigner;
/// use jose_core::{Error, JwsAlgorithm};
///
/// /// A client of a remote signing service (here one that is down).
/// struct Kms {
///     key_id: String,
/// }
///
/// impl ExternalSigner for Kms {
///     fn sign(&self, alg: JwsAlgorithm, signing_input: &[u8]) -> Result<Vec<u8>, Error> {
///         let len = signing_input.len();
///         let message = format!("{} is unreachable ({alg}, {len} bytes)", self.key_id);
///         Err(Error::external_signer(message))
///     }
/// }
/// let kms = Kms { key_id: "alias/jws".into() };
/// let signer: &dyn ExternalSigner = &kms;
/// assert!(matches!(signer.sign(JwsAlgorithm::Rs256, b"x"), Err(Error::ExternalSigner { .. })));
/// ```
pub trait ExternalSigner: Send + Sync {
    /// Signs `signing_input` with `alg`; returns the signature in JWS form (raw `r || s` for
    /// ECDSA).
    fn sign(&self, alg: JwsAlgorithm, signing_input: &[u8]) -> Result<Vec<u8>, Error>;
}

impl<F> ExternalSigner for F
where
    F: Fn(JwsAlgorithm, &[u8]) -> Result<Vec<u8>, Error> + Send + Sync,
{
    fn sign(&self, alg: JwsAlgorithm, signing_input: &[u8]) -> Result<Vec<u8>, Error> {
        self(alg, signing_input)
    }
}

/// An in-process key signs for its bound algorithm; any other is [`Error::InvalidKey`].
impl ExternalSigner for SigningKey {
    fn sign(&self, alg: JwsAlgorithm, signing_input: &[u8]) -> Result<Vec<u8>, Error> {
        if alg != self.alg() {
            return Err(Error::invalid_key(
                format!("a key for {alg}"),
                format!("a key bound to {}", self.alg()),
            ));
        }
        SigningKey::sign(self, signing_input)
    }
}

/// The future an [`AsyncExternalSigner`] returns: boxed, so the trait stays object-safe, and
/// `Send`, so it runs on any multi-threaded executor.
pub type SignatureFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<u8>, Error>> + Send + 'a>>;

/// The asynchronous form of [`ExternalSigner`], for a remote KMS: the same contract, answered
/// through a future. Object-safe (`&dyn AsyncExternalSigner`, `Arc<dyn AsyncExternalSigner>`),
/// and tied to no async runtime: jose-core only awaits the future.
///
/// ```
/// use jose_core::jws::{AsyncExternalSigner, SignatureFuture};
/// use jose_core::{Error, JwsAlgorithm};
///
/// struct Kms {/* an async client */}
///
/// impl AsyncExternalSigner for Kms {
///     fn sign_async<'a>(&'a self, alg: JwsAlgorithm, input: &'a [u8]) -> SignatureFuture<'a> {
///         Box::pin(async move {
///             // let der = self.client.sign(key_id, input, alg).await
///             //     .map_err(Error::external_signer)?;
///             // jose_core::ecdsa_der_to_raw(curve, &der)
///             let len = input.len();
///             Err(Error::external_signer(format!("no KMS here for {alg} over {len} bytes")))
///         })
///     }
/// }
/// ```
pub trait AsyncExternalSigner: Send + Sync {
    /// Signs `signing_input` with `alg`; resolves to the signature in JWS form (raw `r || s` for
    /// ECDSA).
    fn sign_async<'a>(&'a self, alg: JwsAlgorithm, signing_input: &'a [u8]) -> SignatureFuture<'a>;
}

/// An in-process key, answering at once (for tests of code written for a remote KMS).
impl AsyncExternalSigner for SigningKey {
    fn sign_async<'a>(&'a self, alg: JwsAlgorithm, signing_input: &'a [u8]) -> SignatureFuture<'a> {
        Box::pin(std::future::ready(ExternalSigner::sign(
            self,
            alg,
            signing_input,
        )))
    }
}

/// What a JWS needs to know about a key held outside any provider: the algorithm it signs with,
/// its type and size (a signature's exact length follows from them), the `kid` for the header
/// and, optionally, its public key.
///
/// With the public key ([`ExternalKey::from_public_key`]), every signature the outside returns is
/// verified before it becomes a JWS, so a KMS that signed with another key, another algorithm or
/// the wrong hash is caught here rather than by the recipient (at the cost of one verification).
#[derive(Debug, Clone)]
pub struct ExternalKey {
    alg: JwsAlgorithm,
    kind: KeyKind,
    kid: Option<String>,
    public: Option<VerifyingKey>,
}

impl ExternalKey {
    /// A key of `kind` that signs with `alg`: RSA of [`MIN_RSA_BITS`] to [`MAX_RSA_BITS`] bits
    /// for RS*/PS*, the algorithm's curve for ES*, Ed25519 for EdDSA (the signer then signs the
    /// whole signing input: [`PreparedJws::digest`] refuses EdDSA); anything else is
    /// [`Error::InvalidKey`].
    /// Signatures are checked for length and shape only.
    pub fn new(alg: JwsAlgorithm, kind: KeyKind) -> Result<Self, Error> {
        if !alg.fits(kind) {
            return Err(Error::invalid_key(format!("a key for {alg}"), kind));
        }
        if let KeyKind::Rsa { bits } = kind {
            if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
                return Err(Error::invalid_key(
                    format!("an RSA key of {MIN_RSA_BITS} to {MAX_RSA_BITS} bits"),
                    kind,
                ));
            }
        }
        Ok(ExternalKey {
            alg,
            kind,
            kid: None,
            public: None,
        })
    }

    /// The key by its public half, bound to the algorithm the outside signs with: the algorithm,
    /// the type and size and the `kid` come from it, and every signature is verified with it
    /// before it is used.
    ///
    /// Errors: [`Error::InvalidKey`] for an HS* key (a shared secret is never signed with
    /// outside: there is nothing the outside could keep that the caller does not hold).
    pub fn from_public_key(key: VerifyingKey) -> Result<Self, Error> {
        let kind = key
            .public_key()
            .ok_or_else(|| {
                Error::invalid_key(
                    format!("a public key for an external {} signer", key.alg()),
                    "a shared secret",
                )
            })?
            .kind();
        Ok(ExternalKey {
            alg: key.alg(),
            kind,
            kid: key.kid().map(str::to_owned),
            public: Some(key),
        })
    }

    /// Sets the `kid` the JWS header carries.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The algorithm.
    pub fn alg(&self) -> JwsAlgorithm {
        self.alg
    }

    /// The key's type and size.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The public key signatures are checked with, if one was given.
    pub fn public_key(&self) -> Option<&VerifyingKey> {
        self.public.as_ref()
    }

    /// The exact length of a signature in JWS form: the modulus length for RSA, twice the
    /// coordinate length for ECDSA ([`EcCurve::signature_len`]).
    pub fn signature_len(&self) -> usize {
        match self.kind {
            KeyKind::Rsa { bits } => bits.div_ceil(8),
            KeyKind::Ec(curve) => curve.signature_len(),
            // Ed25519 (RFC 8032): R || S, 32 bytes each.
            KeyKind::Okp(_) => 64,
        }
    }

    /// Checks a signature from the outside over `signing_input`: its length and shape, then, with
    /// a public key, that it verifies.
    pub(crate) fn check(&self, signing_input: &[u8], signature: &[u8]) -> Result<(), Error> {
        let alg = self.alg;
        let unusable = |expected: String, found: String| Error::ExternalSignature {
            alg,
            expected,
            found,
        };
        let curve = match alg.scheme() {
            SignatureScheme::Ecdsa(curve) => Some(curve),
            // No external key is ever HS* (`ExternalKey::new` refuses it).
            SignatureScheme::RsaPkcs1v15
            | SignatureScheme::RsaPss
            | SignatureScheme::Hmac
            | SignatureScheme::EdDsa(_) => None,
        };
        let len = self.signature_len();
        if signature.len() != len {
            let expected = match (curve, self.kind) {
                (Some(_), _) => format!("the raw {len}-byte r || s"),
                (None, KeyKind::Rsa { bits }) => format!("{len} bytes (a {bits}-bit modulus)"),
                (None, KeyKind::Ec(_) | KeyKind::Okp(_)) => format!("{len} bytes"),
            };
            let found = match curve {
                Some(curve) if ecdsa_der_to_raw(curve, signature).is_ok() => format!(
                    "a {}-byte DER signature (convert it with ecdsa_der_to_raw)",
                    signature.len()
                ),
                _ => format!("{} bytes", signature.len()),
            };
            return Err(unusable(expected, found));
        }
        if let Some(curve) = curve {
            check_scalars(curve, signature)
                .map_err(|found| unusable("a non-zero r and s".into(), format!("{found} = 0")))?;
        }
        if let Some(public) = &self.public {
            public
                .verify(signing_input, signature)
                .map_err(|e| match e {
                    Error::BadSignature => unusable(
                        "a signature that verifies with the key's public key".into(),
                        "one that does not (another key, algorithm or hash?)".into(),
                    ),
                    other => other,
                })?;
        }
        Ok(())
    }
}

/// `Err("r")` or `Err("s")` when a raw ECDSA signature of the right length has a zero scalar.
fn check_scalars(curve: EcCurve, signature: &[u8]) -> Result<(), &'static str> {
    let (r, s) = signature
        .split_at_checked(curve.coordinate_len())
        .unwrap_or((signature, &[]));
    if r.iter().all(|b| *b == 0) {
        return Err("r");
    }
    if s.iter().all(|b| *b == 0) {
        return Err("s");
    }
    Ok(())
}

/// A JWS whose header and signing input are built and whose signature is to come from outside:
/// made by [`JwsBuilder::prepare`], finished by [`PreparedJws::finish`] (or
/// [`PreparedJws::sign_with`], [`PreparedJws::sign_with_async`]).
///
/// `Debug` shows the algorithm, the header and the signing input's length, never the payload. The
/// signing input (which holds the payload) is wiped when the value is dropped.
///
/// ```
/// # fn main() -> Result<(), jose_core::Error> {
/// # let provider = jose_crypto_awslc::provider();
/// # let hsm_key = jose_core::PrivateKey::generate(
/// #     jose_core::KeySpec::Ec(jose_core::EcCurve::P256), provider)?;
/// # let hsm = |input: &[u8]| jose_core::ecdsa_raw_to_der(
/// #     jose_core::EcCurve::P256, &hsm_key.ops().sign(JwsAlgorithm::Es256, input)?);
/// use jose_core::jws::{ExternalKey, Jws, JwsBuilder};
/// use jose_core::{EcCurve, JwsAlgorithm, KeyKind, Limits, ecdsa_der_to_raw};
///
/// // The key lives in an HSM; the JWS needs its algorithm and kid (and its size, for RSA).
/// let key = ExternalKey::new(JwsAlgorithm::Es256, KeyKind::Ec(EcCurve::P256))?.with_kid("hsm-1");
/// let prepared = JwsBuilder::new(b"hello").prepare(&key)?;
/// // The HSM signs the signing input and answers in DER, as most do.
/// let der = hsm(prepared.signing_input())?;
/// let jws = prepared.finish(&ecdsa_der_to_raw(EcCurve::P256, &der)?)?;
///
/// let token = jws.to_compact()?;
/// # let verifier = jose_core::VerifyingKey::new(hsm_key.public_key(), JwsAlgorithm::Es256)?;
/// assert_eq!(Jws::from_compact(&token, &Limits::default())?.verify([&verifier])?, b"hello");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PreparedJws {
    key: ExternalKey,
    protected: Header,
    protected_b64: String,
    unprotected: Option<Header>,
    signing_input: Zeroizing<Vec<u8>>,
    payload: Option<Vec<u8>>,
    payload_b64: Option<String>,
    b64: bool,
    sensitivity: Sensitivity,
}

impl fmt::Debug for PreparedJws {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedJws")
            .field("alg", &self.key.alg)
            .field("protected", &self.protected)
            .field("unprotected", &self.unprotected)
            .field("signing_input_len", &self.signing_input.len())
            .finish_non_exhaustive()
    }
}

impl PreparedJws {
    /// The algorithm the signature must be made with.
    pub fn alg(&self) -> JwsAlgorithm {
        self.key.alg
    }

    /// The key the signature must come from.
    pub fn key(&self) -> &ExternalKey {
        &self.key
    }

    /// The protected header.
    pub fn protected_header(&self) -> &Header {
        &self.protected
    }

    /// The protected header exactly as encoded in the token (and in the signing input).
    pub fn protected_b64(&self) -> &str {
        &self.protected_b64
    }

    /// What to sign: `ASCII(BASE64URL(header)) '.' payload-part` (RFC 7515 section 5.1), where the
    /// payload part is the payload's base64url, or the payload itself when it is unencoded
    /// (RFC 7797); a detached payload is signed all the same.
    pub fn signing_input(&self) -> &[u8] {
        &self.signing_input
    }

    /// The digest of the signing input with the algorithm's hash (SHA-256 for RS256, PS256 and
    /// ES256; SHA-384 and SHA-512 for the others), computed by `provider`: what a KMS that signs
    /// digests takes (AWS KMS with `MessageType: DIGEST`, Google Cloud KMS, Azure Key Vault).
    ///
    /// Errors: [`Error::InvalidRequest`] for EdDSA: Ed25519 (PureEdDSA, RFC 8032) hashes the
    /// message together with the key inside the signature, so no digest can be signed in its
    /// place; hand the whole [`signing_input`](Self::signing_input) to the signer.
    pub fn digest(&self, provider: &dyn CryptoProvider) -> Result<Vec<u8>, Error> {
        if let SignatureScheme::EdDsa(curve) = self.key.alg.scheme() {
            return Err(Error::InvalidRequest(format!(
                "{} ({curve}, PureEdDSA) signs the whole signing input and cannot be prehashed: \
                 give the signer signing_input(), not a digest",
                self.key.alg
            )));
        }
        provider.digest(self.key.alg.hash(), &self.signing_input)
    }

    /// Adds the signature made outside and returns the JWS, exactly as [`JwsBuilder::sign`] would
    /// have: same headers, same payload, same serializations.
    ///
    /// The signature must be in JWS form and of the exact length ([`ExternalKey::signature_len`]):
    /// anything else, an ECDSA signature with a zero `r` or `s`, or (when the [`ExternalKey`]
    /// holds the public key) a signature that does not verify is [`Error::ExternalSignature`].
    pub fn finish(self, signature: &[u8]) -> Result<Jws, Error> {
        self.key.check(&self.signing_input, signature)?;
        Ok(Jws {
            payload: self.payload,
            payload_b64: self.payload_b64,
            b64: self.b64,
            signatures: vec![JwsSignature {
                protected_b64: self.protected_b64,
                protected: self.protected,
                unprotected: self.unprotected,
                signature: signature.to_vec(),
            }],
            sensitivity: self.sensitivity,
        })
    }

    /// Signs the signing input with `signer` and [finishes](PreparedJws::finish).
    pub fn sign_with(self, signer: &dyn ExternalSigner) -> Result<Jws, Error> {
        let signature = signer.sign(self.key.alg, &self.signing_input)?;
        self.finish(&signature)
    }

    /// Signs the signing input with the asynchronous `signer` and
    /// [finishes](PreparedJws::finish). The future is `Send`; it borrows only the signer.
    // Not an `async fn`: the signature states (and the compiler checks) that the future is `Send`.
    #[allow(clippy::manual_async_fn)]
    pub fn sign_with_async<'s>(
        self,
        signer: &'s dyn AsyncExternalSigner,
    ) -> impl Future<Output = Result<Jws, Error>> + Send + 's {
        async move {
            let signature = signer.sign_async(self.key.alg, &self.signing_input).await?;
            self.finish(&signature)
        }
    }
}

impl JwsBuilder<'_> {
    /// Builds the protected header and the signing input for one signature by `key`, held
    /// outside any provider, without signing: see [`PreparedJws`]. The header is `alg`, then the
    /// key's `kid`, as [`JwsBuilder::signer`] makes it.
    ///
    /// The builder must have no in-process signers ([`Error::InvalidRequest`] otherwise): a
    /// prepared JWS has exactly the one signature.
    pub fn prepare(self, key: &ExternalKey) -> Result<PreparedJws, Error> {
        self.prepare_with(key, Header::new(), None)
    }

    /// [`JwsBuilder::prepare`] with extra protected members and an optional unprotected header,
    /// under the rules of [`JwsBuilder::signer_with`]: the members follow `alg` and `kid` in
    /// order; a `kid` in `protected` (or `unprotected`) replaces the key's.
    pub fn prepare_with(
        self,
        key: &ExternalKey,
        protected: Header,
        unprotected: Option<Header>,
    ) -> Result<PreparedJws, Error> {
        if !self.signers.is_empty() {
            return Err(Error::InvalidRequest(format!(
                "a prepared JWS has the one signature of an external key, but this builder also has {} in-process signer(s)",
                self.signers.len()
            )));
        }
        let codec = self.sensitivity;
        let payload_b64 = (!self.unencoded).then(|| codec.encode(self.payload));
        let segment = payload_b64.as_deref().map_or(self.payload, str::as_bytes);
        let unsigned = super::unsigned_signature(
            key.alg,
            key.kid(),
            &protected,
            unprotected,
            self.unencoded,
            codec,
            segment,
        )?;
        Ok(PreparedJws {
            key: key.clone(),
            protected: unsigned.protected,
            protected_b64: unsigned.protected_b64,
            unprotected: unsigned.unprotected,
            signing_input: Zeroizing::new(unsigned.input),
            payload: (!self.detached).then(|| self.payload.to_vec()),
            payload_b64: payload_b64.filter(|_| !self.detached),
            b64: !self.unencoded,
            sensitivity: codec,
        })
    }

    /// Signs with an external `signer` holding `key`: [`JwsBuilder::prepare`], then
    /// [`PreparedJws::sign_with`]. For extra header members use
    /// [`JwsBuilder::prepare_with`].
    ///
    /// ```
    /// # fn main() -> Result<(), jose_core::Error> {
    /// # let provider = jose_crypto_awslc::provider();
    /// use jose_core::jws::{ExternalKey, JwsBuilder};
    /// use jose_core::{JwsAlgorithm, KeySpec, PrivateKey, SigningKey};
    ///
    /// // An in-process key stands in for the KMS; its public half lets every signature be checked.
    /// let private = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?;
    /// let kms = SigningKey::new(private, JwsAlgorithm::Ps256)?;
    /// let key = ExternalKey::from_public_key(kms.verifying_key())?.with_kid("kms-1");
    /// let jws = JwsBuilder::new(b"hello").sign_external(&key, &kms)?;
    /// assert_eq!(jws.verify([&kms.verifying_key()])?, b"hello");
    /// # Ok(()) }
    /// ```
    pub fn sign_external(
        self,
        key: &ExternalKey,
        signer: &dyn ExternalSigner,
    ) -> Result<Jws, Error> {
        self.prepare(key)?.sign_with(signer)
    }

    /// Signs with an asynchronous external `signer` holding `key`: [`JwsBuilder::prepare`] (at
    /// once), then [`PreparedJws::sign_with_async`]. The future is `Send` and borrows only the
    /// signer.
    pub fn sign_external_async<'s>(
        self,
        key: &ExternalKey,
        signer: &'s dyn AsyncExternalSigner,
    ) -> impl Future<Output = Result<Jws, Error>> + Send + use<'s> {
        let prepared = self.prepare(key);
        async move { prepared?.sign_with_async(signer).await }
    }
}
