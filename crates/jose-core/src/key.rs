//! Keys: provider-held private and public keys, and keys bound to one algorithm.
//!
//! A [`PrivateKey`] or [`PublicKey`] is key material imported into a provider (from PEM, DER or a
//! JWK) plus the metadata a JWK carries (`kid`, `use`, `key_ops`, `alg`). Before it signs, verifies,
//! wraps or unwraps anything, it is bound to exactly one algorithm: [`SigningKey`],
//! [`VerifyingKey`], [`EncryptingKey`], [`DecryptingKey`]. Binding checks that the key fits the
//! algorithm and that its metadata allows the use; the algorithm named in an incoming header is only
//! ever compared with the bound one, never used to choose what to do.

use crate::alg::{JwsAlgorithm, KeyKind, KeyManagementAlgorithm, KeyManagementMode, KeySpec};
use crate::error::Error;
use crate::formats::{PrivateKeyDer, PublicKeyDer};
use crate::jwk::Jwk;
use crate::jws::{ExternalKey, ExternalSigner};
use crate::provider::{CryptoProvider, PrivateKeyOps, PublicKeyOps};
use std::fmt;
use std::sync::Arc;
use zeroize::Zeroizing;

/// A key, or a reference to one: what verification and decryption take an iterable of.
///
/// [`Jws::verify`](crate::Jws::verify), [`Jwe::decrypt`](crate::Jwe::decrypt) and their variants
/// accept any `IntoIterator` whose items implement this trait, so the keys a caller already holds
/// are passed as they are, never cloned: `&[VerifyingKey]`, `&Vec<VerifyingKey>`,
/// `&[&VerifyingKey]`, `[&a, &b]`, `Some(&key)`, `Vec<Arc<VerifyingKey>>`, or an iterator such as
/// `ring.iter().filter(..)`.
///
/// ```
/// use jose_core::{KeyRef, VerifyingKey};
///
/// fn count<K: KeyRef<VerifyingKey>>(keys: impl IntoIterator<Item = K>) -> usize {
///     keys.into_iter().count()
/// }
/// let none: &[&VerifyingKey] = &[];
/// assert_eq!(count(none), 0);
/// ```
pub trait KeyRef<K> {
    /// The key.
    fn key_ref(&self) -> &K;
}

impl<K> KeyRef<K> for K {
    fn key_ref(&self) -> &K {
        self
    }
}

impl<K> KeyRef<K> for &K {
    fn key_ref(&self) -> &K {
        self
    }
}

impl<K> KeyRef<K> for &&K {
    fn key_ref(&self) -> &K {
        self
    }
}

impl<K> KeyRef<K> for Arc<K> {
    fn key_ref(&self) -> &K {
        self
    }
}

impl<K> KeyRef<K> for &Arc<K> {
    fn key_ref(&self) -> &K {
        self
    }
}

/// Metadata that travels with a key: the JWK members `kid`, `use`, `key_ops` and `alg`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyMeta {
    /// Key id.
    pub kid: Option<String>,
    /// Intended use: `"sig"` or `"enc"`.
    pub use_: Option<String>,
    /// Permitted operations (`"sign"`, `"verify"`, `"encrypt"`, `"decrypt"`, `"wrapKey"`, `"unwrapKey"`).
    pub key_ops: Option<Vec<String>>,
    /// The one algorithm this key is meant for.
    pub alg: Option<String>,
}

impl KeyMeta {
    pub(crate) fn from_jwk(jwk: &Jwk) -> Self {
        KeyMeta {
            kid: jwk.kid.clone(),
            use_: jwk.use_.clone(),
            key_ops: jwk.key_ops.clone(),
            alg: jwk.alg.clone(),
        }
    }

    /// The metadata of the public half: private operations map to their public counterparts.
    fn to_public(&self) -> Self {
        let key_ops = self.key_ops.as_deref().map(crate::jwk::public_key_ops);
        KeyMeta {
            key_ops,
            ..self.clone()
        }
    }

    pub(crate) fn write_to_jwk(&self, jwk: &mut Jwk) {
        jwk.kid = self.kid.clone();
        jwk.use_ = self.use_.clone();
        jwk.key_ops = self.key_ops.clone();
        jwk.alg = self.alg.clone();
    }

    /// Checks that this metadata allows `alg` for `use_` with one of `ops`.
    fn allow(&self, alg: &str, use_: &str, ops: &[&str]) -> Result<(), Error> {
        if let Some(own) = &self.alg {
            if own != alg {
                return Err(Error::AlgorithmNotAllowed {
                    found: alg.to_owned(),
                    allowed: format!("{own} (the key's \"alg\")"),
                });
            }
        }
        if let Some(u) = &self.use_ {
            if u != use_ {
                return Err(Error::invalid_key(
                    format!("a key with \"use\":\"{use_}\""),
                    format!("\"use\":\"{u}\""),
                ));
            }
        }
        if let Some(key_ops) = &self.key_ops {
            if !key_ops.iter().any(|k| ops.contains(&k.as_str())) {
                return Err(Error::invalid_key(
                    format!("\"key_ops\" containing {}", ops.join(" or ")),
                    format!("{key_ops:?}"),
                ));
            }
        }
        Ok(())
    }
}

/// A private key held by a crypto provider, with its metadata.
#[derive(Clone)]
pub struct PrivateKey {
    ops: Arc<dyn PrivateKeyOps>,
    meta: KeyMeta,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("kind", &self.kind())
            .field("kid", &self.meta.kid)
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// Wraps a provider key (for example one that lives in a KMS or an HSM).
    pub fn from_ops(ops: Arc<dyn PrivateKeyOps>) -> Self {
        PrivateKey {
            ops,
            meta: KeyMeta::default(),
        }
    }

    /// Imports normalized DER.
    pub fn from_normalized(
        der: &PrivateKeyDer,
        provider: &dyn CryptoProvider,
    ) -> Result<Self, Error> {
        let ops = provider.import_private_pkcs8(der.pkcs8())?;
        if ops.kind() != der.kind() {
            return Err(Error::invalid_key(der.kind(), ops.kind()));
        }
        Ok(Self::from_ops(ops))
    }

    /// Imports DER: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), detected from the content.
    pub fn from_der(der: &[u8], provider: &dyn CryptoProvider) -> Result<Self, Error> {
        Self::from_normalized(&PrivateKeyDer::from_der(der)?, provider)
    }

    /// Imports PEM: `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1) or `EC PRIVATE KEY` (SEC1).
    pub fn from_pem(pem: &str, provider: &dyn CryptoProvider) -> Result<Self, Error> {
        Self::from_normalized(&PrivateKeyDer::from_pem(pem)?, provider)
    }

    /// Imports a private JWK (RSA, EC or OKP); `kid`, `use`, `key_ops` and `alg` become the key's metadata.
    pub fn from_jwk(jwk: &Jwk, provider: &dyn CryptoProvider) -> Result<Self, Error> {
        let key = Self::from_normalized(&jwk.to_private_der()?, provider)?;
        Ok(key.with_meta(KeyMeta::from_jwk(jwk)))
    }

    /// Generates a fresh key.
    pub fn generate(spec: KeySpec, provider: &dyn CryptoProvider) -> Result<Self, Error> {
        spec.validate()?;
        Ok(Self::from_ops(provider.generate(spec)?))
    }

    /// Sets the key id.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.meta.kid = Some(kid.into());
        self
    }

    /// Replaces all metadata.
    pub fn with_meta(mut self, meta: KeyMeta) -> Self {
        self.meta = meta;
        self
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.meta.kid.as_deref()
    }

    /// The metadata.
    pub fn meta(&self) -> &KeyMeta {
        &self.meta
    }

    /// The key's type and size.
    pub fn kind(&self) -> KeyKind {
        self.ops.kind()
    }

    /// The provider object.
    pub fn ops(&self) -> &Arc<dyn PrivateKeyOps> {
        &self.ops
    }

    /// The public half, with the same `kid` and `alg`.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            ops: self.ops.public_key(),
            meta: self.meta.to_public(),
        }
    }

    /// PKCS#8 v1 DER.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        self.ops.to_pkcs8_der()
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, Error> {
        PrivateKeyDer::from_der(&self.to_pkcs8_der()?)?.to_pem()
    }

    /// A private JWK with this key's metadata.
    pub fn to_jwk(&self) -> Result<Jwk, Error> {
        // An OKP export is PKCS#8 v1 (the seed only): the JWK's "x" comes from the public key.
        let der = PrivateKeyDer::from_der(&self.to_pkcs8_der()?)?.with_public_key(
            &PublicKeyDer::from_der(&self.ops.public_key().to_spki_der()?)?,
        )?;
        let mut jwk = Jwk::from_private_der(&der)?;
        self.meta.write_to_jwk(&mut jwk);
        Ok(jwk)
    }
}

/// A public key held by a crypto provider, with its metadata.
#[derive(Clone)]
pub struct PublicKey {
    ops: Arc<dyn PublicKeyOps>,
    meta: KeyMeta,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("kind", &self.kind())
            .field("kid", &self.meta.kid)
            .finish_non_exhaustive()
    }
}

impl PublicKey {
    /// Wraps a provider key.
    pub fn from_ops(ops: Arc<dyn PublicKeyOps>) -> Self {
        PublicKey {
            ops,
            meta: KeyMeta::default(),
        }
    }

    /// Imports normalized DER.
    pub fn from_normalized(
        der: &PublicKeyDer,
        provider: &dyn CryptoProvider,
    ) -> Result<Self, Error> {
        let ops = provider.import_public_spki(der.spki())?;
        if ops.kind() != der.kind() {
            return Err(Error::invalid_key(der.kind(), ops.kind()));
        }
        Ok(Self::from_ops(ops))
    }

    /// Imports DER: SPKI or PKCS#1 `RSAPublicKey`, detected from the content.
    pub fn from_der(der: &[u8], provider: &dyn CryptoProvider) -> Result<Self, Error> {
        Self::from_normalized(&PublicKeyDer::from_der(der)?, provider)
    }

    /// Imports PEM: `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1).
    pub fn from_pem(pem: &str, provider: &dyn CryptoProvider) -> Result<Self, Error> {
        Self::from_normalized(&PublicKeyDer::from_pem(pem)?, provider)
    }

    /// Imports a JWK (its public members; private members, if any, are ignored).
    pub fn from_jwk(jwk: &Jwk, provider: &dyn CryptoProvider) -> Result<Self, Error> {
        let key = Self::from_normalized(&jwk.to_public_der()?, provider)?;
        let meta = KeyMeta::from_jwk(jwk);
        let meta = if jwk.is_private() {
            meta.to_public()
        } else {
            meta
        };
        Ok(key.with_meta(meta))
    }

    /// Sets the key id.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.meta.kid = Some(kid.into());
        self
    }

    /// Replaces all metadata.
    pub fn with_meta(mut self, meta: KeyMeta) -> Self {
        self.meta = meta;
        self
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.meta.kid.as_deref()
    }

    /// The metadata.
    pub fn meta(&self) -> &KeyMeta {
        &self.meta
    }

    /// The key's type and size.
    pub fn kind(&self) -> KeyKind {
        self.ops.kind()
    }

    /// The provider object.
    pub fn ops(&self) -> &Arc<dyn PublicKeyOps> {
        &self.ops
    }

    /// SPKI DER.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, Error> {
        self.ops.to_spki_der()
    }

    /// SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_spki_pem(&self) -> Result<String, Error> {
        PublicKeyDer::from_der(&self.to_spki_der()?)?.to_pem()
    }

    /// A public JWK with this key's metadata.
    pub fn to_jwk(&self) -> Result<Jwk, Error> {
        let mut jwk = Jwk::from_public_der(&PublicKeyDer::from_der(&self.to_spki_der()?)?)?;
        self.meta.write_to_jwk(&mut jwk);
        Ok(jwk)
    }
}

fn check_fit(fits: bool, alg: &str, kind: KeyKind) -> Result<(), Error> {
    if fits {
        Ok(())
    } else {
        Err(Error::invalid_key(format!("a key for {alg}"), kind))
    }
}

/// What a [`SigningKey`] or [`VerifyingKey`] signs or verifies with.
#[derive(Clone, Debug)]
enum SigKey<K> {
    /// An asymmetric key held by a provider (RS*, PS*, ES*, EdDSA).
    Asymmetric(K),
    /// A shared secret (HS*).
    Secret(SecretKey),
}

/// What a [`SigningKey`] signs with.
#[derive(Clone)]
enum SignWith {
    /// A private key held by a provider.
    Private(PrivateKey),
    /// A shared secret (HS*).
    Secret(SecretKey),
    /// A key outside any provider (a KMS, an HSM), known by its public half.
    External(Arc<External>),
}

/// An external signer and the public half that checks it.
struct External {
    key: ExternalKey,
    public: VerifyingKey,
    signer: Arc<dyn ExternalSigner>,
}

impl fmt::Debug for SignWith {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignWith::Private(key) => f.debug_tuple("Private").field(key).finish(),
            SignWith::Secret(key) => f.debug_tuple("Secret").field(key).finish(),
            SignWith::External(external) => f
                .debug_struct("External")
                .field("public", &external.public)
                .finish_non_exhaustive(),
        }
    }
}

/// A private key, a shared secret or an external signer, bound to one JWS algorithm.
#[derive(Clone, Debug)]
pub struct SigningKey {
    key: SignWith,
    alg: JwsAlgorithm,
}

impl SigningKey {
    /// Binds `key` to `alg`: the key must fit (RSA for RS/PS, the matching curve for ES, Ed25519
    /// for EdDSA) and its metadata must allow signing with `alg`. HS* takes a [`SecretKey`]
    /// ([`SigningKey::symmetric`]), never a `PrivateKey`.
    pub fn new(key: PrivateKey, alg: JwsAlgorithm) -> Result<Self, Error> {
        check_fit(alg.fits(key.kind()), alg.name(), key.kind())?;
        key.meta.allow(alg.name(), "sig", &["sign"])?;
        Ok(SigningKey {
            key: SignWith::Private(key),
            alg,
        })
    }

    /// Binds a shared secret to an HMAC algorithm (HS256, HS384, HS512): the secret must be at
    /// least the hash length (32, 48, 64 bytes; RFC 7518 section 3.2) and its metadata must allow
    /// signing with `alg`.
    pub fn symmetric(key: SecretKey, alg: JwsAlgorithm) -> Result<Self, Error> {
        key.check_hmac_binding(alg, &["sign"])?;
        Ok(SigningKey {
            key: SignWith::Secret(key),
            alg,
        })
    }

    /// A key held outside any provider (a KMS, an HSM, a remote signer), usable wherever a
    /// `SigningKey` is: `signer` implements one method, [`ExternalSigner::sign`], and `public`
    /// (its public half, bound to the algorithm the outside signs with) gives the algorithm and
    /// `kid` and checks every signature before it is used (a wrong key, hash or encoding is
    /// [`Error::ExternalSignature`], never a token that does not verify).
    ///
    /// ```
    /// # fn main() -> Result<(), jose_core::Error> {
    /// # let provider = jose_crypto_awslc::provider();
    /// use jose_core::jws::{ExternalSigner, Jws, JwsBuilder};
    /// use jose_core::{EcCurve, Error, JwsAlgorithm, KeySpec, Limits, PrivateKey, SigningKey, VerifyingKey};
    /// use std::sync::Arc;
    ///
    /// /// A signing-only "KMS": one method.
    /// struct Kms(SigningKey);
    /// impl ExternalSigner for Kms {
    ///     fn sign(&self, alg: JwsAlgorithm, input: &[u8]) -> Result<Vec<u8>, Error> {
    ///         ExternalSigner::sign(&self.0, alg, input)
    ///     }
    /// }
    /// let inside = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider)?.with_kid("kms-1");
    /// let public = VerifyingKey::new(inside.public_key(), JwsAlgorithm::Es256)?;
    /// let kms = Kms(SigningKey::new(inside, JwsAlgorithm::Es256)?);
    ///
    /// let key = SigningKey::external(public.clone(), Arc::new(kms))?;
    /// let token = JwsBuilder::new(b"payload").signer(&key).sign()?.to_compact()?;
    /// assert_eq!(Jws::from_compact(&token, &Limits::default())?.verify([&public])?, b"payload");
    /// # Ok(()) }
    /// ```
    ///
    /// Errors: [`Error::InvalidKey`] for an HS* `public` (a shared secret is never outside).
    pub fn external(public: VerifyingKey, signer: Arc<dyn ExternalSigner>) -> Result<Self, Error> {
        let alg = public.alg();
        Ok(SigningKey {
            key: SignWith::External(Arc::new(External {
                key: ExternalKey::from_public_key(public.clone())?,
                public,
                signer,
            })),
            alg,
        })
    }

    /// The bound algorithm.
    pub fn alg(&self) -> JwsAlgorithm {
        self.alg
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        match &self.key {
            SignWith::Private(key) => key.kid(),
            SignWith::Secret(key) => key.kid(),
            SignWith::External(external) => external.public.kid(),
        }
    }

    /// The private key, when a provider holds it (not for an HMAC secret or an external key).
    pub fn private_key(&self) -> Option<&PrivateKey> {
        match &self.key {
            SignWith::Private(key) => Some(key),
            _ => None,
        }
    }

    /// The shared secret of an HS* key.
    pub fn secret_key(&self) -> Option<&SecretKey> {
        match &self.key {
            SignWith::Secret(key) => Some(key),
            _ => None,
        }
    }

    /// Signs raw bytes (the JWS signing input). An external signer's signature is checked
    /// (length, shape, and that it verifies with the public half) before it is returned.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        match &self.key {
            SignWith::Private(key) => key.ops.sign(self.alg, message),
            SignWith::Secret(key) => key
                .provider
                .hmac_sign(self.alg.hash(), &key.secret, message),
            SignWith::External(external) => {
                let signature = external.signer.sign(self.alg, message)?;
                external.key.check(message, &signature)?;
                Ok(signature)
            }
        }
    }

    /// The verifying key for the same algorithm (for HS*, the same secret; for an external key,
    /// the public half it was made with).
    pub fn verifying_key(&self) -> VerifyingKey {
        let key = match &self.key {
            SignWith::Private(key) => SigKey::Asymmetric(key.public_key()),
            SignWith::Secret(key) => SigKey::Secret(key.clone()),
            SignWith::External(external) => return external.public.clone(),
        };
        VerifyingKey { key, alg: self.alg }
    }
}

/// A public key, or a shared secret, bound to one JWS algorithm.
#[derive(Clone, Debug)]
pub struct VerifyingKey {
    key: SigKey<PublicKey>,
    alg: JwsAlgorithm,
}

impl VerifyingKey {
    /// Binds `key` to `alg`, checking fit and metadata (`use` "sig", `key_ops` "verify", `alg`).
    /// HS* takes a [`SecretKey`] ([`VerifyingKey::symmetric`]): no public key is ever an HMAC
    /// secret.
    pub fn new(key: PublicKey, alg: JwsAlgorithm) -> Result<Self, Error> {
        check_fit(alg.fits(key.kind()), alg.name(), key.kind())?;
        key.meta.allow(alg.name(), "sig", &["verify"])?;
        Ok(VerifyingKey {
            key: SigKey::Asymmetric(key),
            alg,
        })
    }

    /// The verifying keys of a published JWKS (an authorization server's `jwks_uri`, a
    /// partner's keys) for the algorithms the caller accepts: each public key bound to each of
    /// `algorithms` it fits and its metadata (`alg`, `use`, `key_ops`) allows, `kid` kept. Keys
    /// that fit none, `oct` keys and keys this library cannot import (another curve, a malformed
    /// entry) are left out, so one odd key does not take the whole set down; private members in
    /// the set are ignored (only the public half is used).
    ///
    /// Errors: [`Error::NoMatchingKey`] when no key of the set fits any of `algorithms`.
    ///
    /// ```
    /// # fn main() -> Result<(), jose_core::Error> {
    /// # let provider = jose_crypto_awslc::provider();
    /// use jose_core::{EcCurve, Jwks, JwsAlgorithm, KeySpec, Limits, PrivateKey, VerifyingKey};
    ///
    /// let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider)?.with_kid("as-1");
    /// let published = Jwks::new(vec![key.public_key().to_jwk()?]).to_json();
    ///
    /// let jwks = Jwks::from_json(&published, &Limits::default())?;
    /// let keys = VerifyingKey::from_jwks(&jwks, &[JwsAlgorithm::Es256, JwsAlgorithm::Ps256], provider)?;
    /// assert_eq!(keys.len(), 1);
    /// assert_eq!((keys[0].kid(), keys[0].alg()), (Some("as-1"), JwsAlgorithm::Es256));
    /// # Ok(()) }
    /// ```
    pub fn from_jwks(
        jwks: &crate::jwk::Jwks,
        algorithms: &[JwsAlgorithm],
        provider: &dyn CryptoProvider,
    ) -> Result<Vec<Self>, Error> {
        let mut keys = Vec::new();
        for jwk in jwks.iter().filter(|j| j.kty != "oct") {
            let Ok(public) = PublicKey::from_jwk(&jwk.to_public(), provider) else {
                continue;
            };
            for &alg in algorithms {
                if alg.fits(public.kind()) {
                    if let Ok(bound) = VerifyingKey::new(public.clone(), alg) {
                        keys.push(bound);
                    }
                }
            }
        }
        if keys.is_empty() {
            let names: Vec<&str> = algorithms.iter().map(|a| a.name()).collect();
            return Err(Error::NoMatchingKey(format!(
                "expected a key for {} in the JWKS, found none among its {} key(s)",
                if names.is_empty() {
                    "(no algorithm given)".to_owned()
                } else {
                    names.join(", ")
                },
                jwks.len()
            )));
        }
        Ok(keys)
    }

    /// Binds a shared secret to an HMAC algorithm, as [`SigningKey::symmetric`] does, for
    /// verifying (`key_ops` "verify").
    pub fn symmetric(key: SecretKey, alg: JwsAlgorithm) -> Result<Self, Error> {
        key.check_hmac_binding(alg, &["verify"])?;
        Ok(VerifyingKey {
            key: SigKey::Secret(key),
            alg,
        })
    }

    /// The bound algorithm.
    pub fn alg(&self) -> JwsAlgorithm {
        self.alg
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        match &self.key {
            SigKey::Asymmetric(key) => key.kid(),
            SigKey::Secret(key) => key.kid(),
        }
    }

    /// The public key, unless this is an HMAC secret.
    pub fn public_key(&self) -> Option<&PublicKey> {
        match &self.key {
            SigKey::Asymmetric(key) => Some(key),
            SigKey::Secret(_) => None,
        }
    }

    /// The shared secret of an HS* key.
    pub fn secret_key(&self) -> Option<&SecretKey> {
        match &self.key {
            SigKey::Asymmetric(_) => None,
            SigKey::Secret(key) => Some(key),
        }
    }

    /// Verifies a raw signature over raw bytes. Any mismatch is [`Error::BadSignature`] (for HS*,
    /// a tag of another length too; compared in constant time).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        match &self.key {
            SigKey::Asymmetric(key) => key.ops.verify(self.alg, message, signature),
            SigKey::Secret(key) => {
                key.provider
                    .hmac_verify(self.alg.hash(), &key.secret, message, signature)
            }
        }
    }
}

/// What an [`EncryptingKey`] or [`DecryptingKey`] manages the CEK with.
#[derive(Clone, Debug)]
pub(crate) enum KmKey<K> {
    /// RSA-OAEP: an RSA key; ECDH-ES: an EC or X25519 key.
    Asymmetric(K),
    /// `dir`, A*KW, A*GCMKW: a shared secret.
    Secret(SecretKey),
    /// PBES2: a password.
    Password(Password),
}

/// A public key, shared secret or password bound to one JWE key management algorithm.
#[derive(Clone, Debug)]
pub struct EncryptingKey {
    pub(crate) key: KmKey<PublicKey>,
    alg: KeyManagementAlgorithm,
}

impl EncryptingKey {
    /// Binds a public key to `alg` (RSA for RSA-OAEP*, EC or X25519 for ECDH-ES*), checking fit
    /// and metadata (`use` "enc", `key_ops` "wrapKey", "encrypt" or "deriveKey").
    pub fn new(key: PublicKey, alg: KeyManagementAlgorithm) -> Result<Self, Error> {
        check_fit(alg.fits(key.kind()), alg.name(), key.kind())?;
        key.meta
            .allow(alg.name(), "enc", &["wrapKey", "encrypt", "deriveKey"])?;
        Ok(EncryptingKey {
            key: KmKey::Asymmetric(key),
            alg,
        })
    }

    /// Binds a shared secret to `dir`, A128KW/A192KW/A256KW or A128GCMKW/A192GCMKW/A256GCMKW.
    /// A*KW and A*GCMKW need a secret of exactly their key length (16, 24, 32 bytes); `dir`
    /// needs the `enc`'s key length, checked when encrypting.
    pub fn symmetric(key: SecretKey, alg: KeyManagementAlgorithm) -> Result<Self, Error> {
        key.check_km_binding(alg, &["wrapKey", "encrypt"])?;
        Ok(EncryptingKey {
            key: KmKey::Secret(key),
            alg,
        })
    }

    /// Binds a password to a PBES2 algorithm.
    pub fn password(password: Password, alg: KeyManagementAlgorithm) -> Result<Self, Error> {
        password.check_binding(alg)?;
        Ok(EncryptingKey {
            key: KmKey::Password(password),
            alg,
        })
    }

    /// The bound algorithm.
    pub fn alg(&self) -> KeyManagementAlgorithm {
        self.alg
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        match &self.key {
            KmKey::Asymmetric(key) => key.kid(),
            KmKey::Secret(key) => key.kid(),
            KmKey::Password(password) => password.kid(),
        }
    }

    /// The public key (RSA-OAEP, ECDH-ES).
    pub fn public_key(&self) -> Option<&PublicKey> {
        match &self.key {
            KmKey::Asymmetric(key) => Some(key),
            _ => None,
        }
    }

    /// The shared secret (`dir`, A*KW, A*GCMKW).
    pub fn secret_key(&self) -> Option<&SecretKey> {
        match &self.key {
            KmKey::Secret(key) => Some(key),
            _ => None,
        }
    }
}

/// A private key, shared secret or password bound to one JWE key management algorithm.
#[derive(Clone, Debug)]
pub struct DecryptingKey {
    pub(crate) key: KmKey<PrivateKey>,
    alg: KeyManagementAlgorithm,
}

impl DecryptingKey {
    /// Binds a private key to `alg` (RSA for RSA-OAEP*, EC or X25519 for ECDH-ES*), checking fit
    /// and metadata (`use` "enc", `key_ops` "unwrapKey", "decrypt" or "deriveKey").
    pub fn new(key: PrivateKey, alg: KeyManagementAlgorithm) -> Result<Self, Error> {
        check_fit(alg.fits(key.kind()), alg.name(), key.kind())?;
        key.meta
            .allow(alg.name(), "enc", &["unwrapKey", "decrypt", "deriveKey"])?;
        Ok(DecryptingKey {
            key: KmKey::Asymmetric(key),
            alg,
        })
    }

    /// Binds a shared secret, as [`EncryptingKey::symmetric`] does, for decrypting (`key_ops`
    /// "unwrapKey" or "decrypt").
    pub fn symmetric(key: SecretKey, alg: KeyManagementAlgorithm) -> Result<Self, Error> {
        key.check_km_binding(alg, &["unwrapKey", "decrypt"])?;
        Ok(DecryptingKey {
            key: KmKey::Secret(key),
            alg,
        })
    }

    /// Binds a password to a PBES2 algorithm. The token's `p2c` is bounded by
    /// [`Limits::max_pbes2_count`](crate::Limits) before any work.
    pub fn password(password: Password, alg: KeyManagementAlgorithm) -> Result<Self, Error> {
        password.check_binding(alg)?;
        Ok(DecryptingKey {
            key: KmKey::Password(password),
            alg,
        })
    }

    /// The bound algorithm.
    pub fn alg(&self) -> KeyManagementAlgorithm {
        self.alg
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        match &self.key {
            KmKey::Asymmetric(key) => key.kid(),
            KmKey::Secret(key) => key.kid(),
            KmKey::Password(password) => password.kid(),
        }
    }

    /// The private key (RSA-OAEP, ECDH-ES).
    pub fn private_key(&self) -> Option<&PrivateKey> {
        match &self.key {
            KmKey::Asymmetric(key) => Some(key),
            _ => None,
        }
    }

    /// The shared secret (`dir`, A*KW, A*GCMKW).
    pub fn secret_key(&self) -> Option<&SecretKey> {
        match &self.key {
            KmKey::Secret(key) => Some(key),
            _ => None,
        }
    }

    /// The encrypting key for the same algorithm (the public half, or the same secret or
    /// password).
    pub fn encrypting_key(&self) -> EncryptingKey {
        let key = match &self.key {
            KmKey::Asymmetric(key) => KmKey::Asymmetric(key.public_key()),
            KmKey::Secret(key) => KmKey::Secret(key.clone()),
            KmKey::Password(password) => KmKey::Password(password.clone()),
        };
        EncryptingKey { key, alg: self.alg }
    }
}

/// The largest shared secret accepted, in bytes (far above any hash's block size).
pub const MAX_SECRET_KEY_LEN: usize = 1024;

/// A shared symmetric secret (JWK `kty` `oct`): the key of HS256/384/512, `dir`, A*KW and
/// A*GCMKW, with the metadata a JWK carries and the provider that computes with it.
///
/// It is its own type: no [`PublicKey`] or [`PrivateKey`] converts into it, no [`KeyKind`] fits
/// HS*, and bytes that parse as a PEM document or a DER public or private key are refused as a
/// secret, so an RSA or EC public key can never be used as an HMAC secret (the `alg` confusion of
/// RFC 8725 section 2.1). The secret is 16 to [`MAX_SECRET_KEY_LEN`] bytes; each algorithm asks
/// for its own length when the key is bound (HS256 at least 32, A128KW exactly 16, `dir` the
/// `enc`'s key length). It is zeroized on drop, and `Debug` shows only its length, metadata
/// and provider.
///
/// The provider is a `&'static dyn CryptoProvider`, as every provider of this workspace is (a
/// provider built at run time can be leaked once with `Box::leak`).
#[derive(Clone)]
pub struct SecretKey {
    pub(crate) secret: Zeroizing<Vec<u8>>,
    meta: KeyMeta,
    pub(crate) provider: &'static dyn CryptoProvider,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey")
            .field("len", &self.secret.len())
            .field("meta", &self.meta)
            .field("provider", &self.provider.name())
            .finish_non_exhaustive()
    }
}

impl SecretKey {
    /// The shortest secret any algorithm accepts (A128KW's and A128GCM's 16 bytes).
    pub const MIN_LEN: usize = 16;

    /// A key from the raw secret bytes (copied; the caller wipes its own copy). Refuses fewer
    /// than [`SecretKey::MIN_LEN`] or more than [`MAX_SECRET_KEY_LEN`] bytes, and bytes that are
    /// a PEM document or a DER key (a key file passed where a secret belongs), with
    /// [`Error::InvalidKey`].
    pub fn from_bytes(secret: &[u8], provider: &'static dyn CryptoProvider) -> Result<Self, Error> {
        if looks_like_a_key_file(secret) {
            return Err(Error::invalid_key(
                "a random shared secret",
                "a PEM or DER key (an asymmetric key is never a shared secret)",
            ));
        }
        if secret.len() < Self::MIN_LEN || secret.len() > MAX_SECRET_KEY_LEN {
            return Err(Error::invalid_key(
                format!(
                    "a shared secret of {} to {MAX_SECRET_KEY_LEN} bytes",
                    Self::MIN_LEN
                ),
                format!("{} bytes", secret.len()),
            ));
        }
        Ok(SecretKey {
            secret: Zeroizing::new(secret.to_vec()),
            meta: KeyMeta::default(),
            provider,
        })
    }

    /// A fresh random secret of `bits` bits (128, 192, 256, 384 or 512) from `provider`'s
    /// generator.
    pub fn generate(bits: usize, provider: &'static dyn CryptoProvider) -> Result<Self, Error> {
        if !matches!(bits, 128 | 192 | 256 | 384 | 512) {
            return Err(Error::invalid_key(
                "a secret key size of 128, 192, 256, 384 or 512 bits",
                format!("{bits} bits"),
            ));
        }
        let mut secret = Zeroizing::new(vec![0u8; bits / 8]);
        provider.fill_random(&mut secret)?;
        Ok(SecretKey {
            secret,
            meta: KeyMeta::default(),
            provider,
        })
    }

    /// A key from an `oct` JWK: `k` (decoded in constant time) and the metadata `kid`, `use`,
    /// `key_ops`, `alg`. Another `kty` is [`Error::InvalidKey`].
    pub fn from_jwk(jwk: &Jwk, provider: &'static dyn CryptoProvider) -> Result<Self, Error> {
        if jwk.kty != "oct" {
            return Err(Error::invalid_key(
                "an \"oct\" JWK for a shared secret",
                format!("\"kty\":{:?}", crate::error::clip(&jwk.kty, 16)),
            ));
        }
        let k = match jwk.extra.get("k") {
            Some(serde_json::Value::String(k)) => k,
            Some(_) => {
                return Err(Error::invalid_key(
                    "an \"oct\" JWK whose \"k\" is a string",
                    "another JSON value (not shown)",
                ));
            }
            None => return Err(Error::invalid_key("an \"oct\" JWK with \"k\"", "none")),
        };
        let secret = crate::b64::decode_secret("JWK \"k\"", k)?;
        Ok(Self::from_bytes(&secret, provider)?.with_meta(KeyMeta::from_jwk(jwk)))
    }

    /// The key as an `oct` JWK (`k` encoded in constant time), with its metadata.
    pub fn to_jwk(&self) -> Jwk {
        let mut jwk = Jwk::default();
        jwk.kty = "oct".to_owned();
        self.meta.write_to_jwk(&mut jwk);
        jwk.extra.insert(
            "k".to_owned(),
            serde_json::Value::String(crate::b64::encode_secret(&self.secret)),
        );
        jwk
    }

    /// Replaces the metadata.
    pub fn with_meta(mut self, meta: KeyMeta) -> Self {
        self.meta = meta;
        self
    }

    /// Sets the key id.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.meta.kid = Some(kid.into());
        self
    }

    /// The metadata.
    pub fn meta(&self) -> &KeyMeta {
        &self.meta
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.meta.kid.as_deref()
    }

    /// The secret's length in bytes (never the secret).
    pub fn len(&self) -> usize {
        self.secret.len()
    }

    /// Always `false`: a key holds at least [`SecretKey::MIN_LEN`] bytes.
    pub fn is_empty(&self) -> bool {
        self.secret.is_empty()
    }

    /// The provider that computes with this key (HMAC, AES key wrap, AES-GCM key wrap).
    pub fn provider(&self) -> &'static dyn CryptoProvider {
        self.provider
    }

    /// Checks that this key may be used with the JWS `alg` for `ops`: `alg` is HS*, the secret is
    /// at least the hash length, and the metadata allows it.
    fn check_hmac_binding(&self, alg: JwsAlgorithm, ops: &[&str]) -> Result<(), Error> {
        let Some(min) = alg.min_hmac_key_len() else {
            return Err(Error::invalid_key(
                format!("a private or public key for {alg}"),
                "a shared secret",
            ));
        };
        if self.secret.len() < min {
            return Err(Error::invalid_key(
                format!("an HMAC secret of at least {min} bytes for {alg}"),
                format!("{} bytes", self.secret.len()),
            ));
        }
        self.meta.allow(alg.name(), "sig", ops)
    }

    /// Checks that this key may be used with the JWE `alg` for `ops`: `alg` takes a shared
    /// secret, of this length (A*KW, A*GCMKW; `dir` is checked against the `enc`), and the
    /// metadata allows it.
    fn check_km_binding(&self, alg: KeyManagementAlgorithm, ops: &[&str]) -> Result<(), Error> {
        let expected = match alg.mode() {
            KeyManagementMode::AesKw(len) | KeyManagementMode::AesGcmKw(len) => Some(len),
            KeyManagementMode::Direct => None,
            _ => {
                return Err(Error::invalid_key(
                    format!("a private or public key for {alg}"),
                    "a shared secret",
                ));
            }
        };
        if let Some(len) = expected {
            if self.secret.len() != len {
                return Err(Error::invalid_key(
                    format!("a {len}-byte secret for {alg}"),
                    format!("{} bytes", self.secret.len()),
                ));
            }
        }
        if alg == KeyManagementAlgorithm::Dir && self.dir_enc().is_some() {
            // A `dir` key may name the content encryption it is for as its `alg` (RFC 7520
            // section 5.6 does): checked against the `enc` when it is used.
            let meta = KeyMeta {
                alg: None,
                ..self.meta.clone()
            };
            return meta.allow(alg.name(), "enc", ops);
        }
        self.meta.allow(alg.name(), "enc", ops)
    }

    /// For a `dir` key whose `alg` names a content encryption (`"A128GCM"`, as in RFC 7520
    /// section 5.6), that encryption.
    pub(crate) fn dir_enc(&self) -> Option<crate::alg::ContentEncryption> {
        self.meta
            .alg
            .as_deref()
            .and_then(|alg| crate::alg::ContentEncryption::from_name(alg).ok())
    }

    /// The HMAC tag of `message` with `alg`'s hash, after the binding checks for signing.
    pub fn sign(&self, alg: JwsAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.check_hmac_binding(alg, &["sign"])?;
        self.provider.hmac_sign(alg.hash(), &self.secret, message)
    }

    /// Checks the HMAC tag of `message` with `alg`'s hash (constant-time compare), after the
    /// binding checks for verifying. A wrong tag is [`Error::BadSignature`].
    pub fn verify(&self, alg: JwsAlgorithm, message: &[u8], tag: &[u8]) -> Result<(), Error> {
        self.check_hmac_binding(alg, &["verify"])?;
        self.provider
            .hmac_verify(alg.hash(), &self.secret, message, tag)
    }
}

/// Whether `bytes` is a PEM document or DER that parses as a private or public key: what a
/// key file passed where a shared secret belongs looks like.
fn looks_like_a_key_file(bytes: &[u8]) -> bool {
    let text = bytes.trim_ascii_start();
    text.starts_with(b"-----BEGIN")
        || text.starts_with(b"ssh-")
        || PublicKeyDer::from_der(bytes).is_ok()
        || PrivateKeyDer::from_der(bytes).is_ok()
}

/// The fewest PBES2 iterations [`Password`] encrypts with (the default is
/// [`Password::DEFAULT_COUNT`]).
pub const MIN_PBES2_COUNT: u32 = 10_000;

/// A password for PBES2 (RFC 7518 section 4.8), with the iteration count used when encrypting.
///
/// The password is zeroized on drop and `Debug` shows only its length. Encryption draws a
/// 16-byte salt and uses [`Password::count`] iterations (at least [`MIN_PBES2_COUNT`], by
/// default [`Password::DEFAULT_COUNT`]); decryption takes the token's `p2c` up to
/// [`Limits::max_pbes2_count`](crate::Limits).
#[derive(Clone)]
pub struct Password {
    pub(crate) password: Zeroizing<Vec<u8>>,
    pub(crate) count: u32,
    kid: Option<String>,
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Password")
            .field("len", &self.password.len())
            .field("count", &self.count)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Password {
    /// The iteration count used when encrypting unless [`Password::with_count`] says otherwise:
    /// the default [`Limits::max_pbes2_count`](crate::Limits), so what this library encrypts it
    /// decrypts by default.
    pub const DEFAULT_COUNT: u32 = 100_000;

    /// The password's bytes (copied; the caller wipes its own copy): 1 to 1,024 bytes, else
    /// [`Error::InvalidKey`].
    pub fn new(password: &[u8]) -> Result<Self, Error> {
        if password.is_empty() || password.len() > MAX_SECRET_KEY_LEN {
            return Err(Error::invalid_key(
                format!("a password of 1 to {MAX_SECRET_KEY_LEN} bytes"),
                format!("{} bytes", password.len()),
            ));
        }
        Ok(Password {
            password: Zeroizing::new(password.to_vec()),
            count: Self::DEFAULT_COUNT,
            kid: None,
        })
    }

    /// The PBKDF2 iteration count to encrypt with (`p2c`): at least [`MIN_PBES2_COUNT`], else
    /// [`Error::InvalidRequest`].
    pub fn with_count(mut self, count: u32) -> Result<Self, Error> {
        if count < MIN_PBES2_COUNT {
            return Err(Error::InvalidRequest(format!(
                "a PBES2 iteration count of at least {MIN_PBES2_COUNT}, found {count}"
            )));
        }
        self.count = count;
        Ok(self)
    }

    /// Sets a key id (written as the recipient's `kid`, used to pick the password).
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The iteration count used when encrypting.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    fn check_binding(&self, alg: KeyManagementAlgorithm) -> Result<(), Error> {
        if alg.uses_password() {
            Ok(())
        } else {
            Err(Error::invalid_key(
                format!("a key for {alg}"),
                "a password (PBES2 only)",
            ))
        }
    }
}
