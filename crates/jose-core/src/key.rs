//! Keys: provider-held private and public keys, and keys bound to one algorithm.
//!
//! A [`PrivateKey`] or [`PublicKey`] is key material imported into a provider (from PEM, DER or a
//! JWK) plus the metadata a JWK carries (`kid`, `use`, `key_ops`, `alg`). Before it signs, verifies,
//! wraps or unwraps anything, it is bound to exactly one algorithm: [`SigningKey`],
//! [`VerifyingKey`], [`EncryptingKey`], [`DecryptingKey`]. Binding checks that the key fits the
//! algorithm and that its metadata allows the use; the algorithm named in an incoming header is only
//! ever compared with the bound one, never used to choose what to do.

use crate::alg::{JwsAlgorithm, KeyKind, KeyManagementAlgorithm, KeySpec};
use crate::error::Error;
use crate::formats::{PrivateKeyDer, PublicKeyDer};
use crate::jwk::Jwk;
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

    /// Imports a private JWK (RSA or EC); `kid`, `use`, `key_ops` and `alg` become the key's metadata.
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
        let mut jwk = Jwk::from_private_der(&PrivateKeyDer::from_der(&self.to_pkcs8_der()?)?)?;
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

/// A private key bound to one JWS algorithm.
#[derive(Clone, Debug)]
pub struct SigningKey {
    key: PrivateKey,
    alg: JwsAlgorithm,
}

impl SigningKey {
    /// Binds `key` to `alg`: the key must fit (RSA for RS/PS, the matching curve for ES) and its
    /// metadata must allow signing with `alg`.
    pub fn new(key: PrivateKey, alg: JwsAlgorithm) -> Result<Self, Error> {
        check_fit(alg.fits(key.kind()), alg.name(), key.kind())?;
        key.meta.allow(alg.name(), "sig", &["sign"])?;
        Ok(SigningKey { key, alg })
    }

    /// The bound algorithm.
    pub fn alg(&self) -> JwsAlgorithm {
        self.alg
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.key.kid()
    }

    /// The key.
    pub fn key(&self) -> &PrivateKey {
        &self.key
    }

    /// Signs raw bytes (the JWS signing input).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.key.ops.sign(self.alg, message)
    }

    /// The verifying key for the same algorithm.
    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey {
            key: self.key.public_key(),
            alg: self.alg,
        }
    }
}

/// A public key bound to one JWS algorithm.
#[derive(Clone, Debug)]
pub struct VerifyingKey {
    key: PublicKey,
    alg: JwsAlgorithm,
}

impl VerifyingKey {
    /// Binds `key` to `alg`, checking fit and metadata (`use` "sig", `key_ops` "verify", `alg`).
    pub fn new(key: PublicKey, alg: JwsAlgorithm) -> Result<Self, Error> {
        check_fit(alg.fits(key.kind()), alg.name(), key.kind())?;
        key.meta.allow(alg.name(), "sig", &["verify"])?;
        Ok(VerifyingKey { key, alg })
    }

    /// The bound algorithm.
    pub fn alg(&self) -> JwsAlgorithm {
        self.alg
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.key.kid()
    }

    /// The key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// Verifies a raw signature over raw bytes.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        self.key.ops.verify(self.alg, message, signature)
    }
}

/// A public key bound to one JWE key management algorithm.
#[derive(Clone, Debug)]
pub struct EncryptingKey {
    key: PublicKey,
    alg: KeyManagementAlgorithm,
}

impl EncryptingKey {
    /// Binds `key` to `alg`, checking fit and metadata (`use` "enc", `key_ops` "wrapKey" or "encrypt").
    pub fn new(key: PublicKey, alg: KeyManagementAlgorithm) -> Result<Self, Error> {
        check_fit(alg.fits(key.kind()), alg.name(), key.kind())?;
        key.meta.allow(alg.name(), "enc", &["wrapKey", "encrypt"])?;
        Ok(EncryptingKey { key, alg })
    }

    /// The bound algorithm.
    pub fn alg(&self) -> KeyManagementAlgorithm {
        self.alg
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.key.kid()
    }

    /// The key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// Encrypts a content encryption key.
    pub fn wrap(&self, cek: &[u8]) -> Result<Vec<u8>, Error> {
        self.key.ops.wrap_key(self.alg, cek)
    }
}

/// A private key bound to one JWE key management algorithm.
#[derive(Clone, Debug)]
pub struct DecryptingKey {
    key: PrivateKey,
    alg: KeyManagementAlgorithm,
}

impl DecryptingKey {
    /// Binds `key` to `alg`, checking fit and metadata (`use` "enc", `key_ops` "unwrapKey" or "decrypt").
    pub fn new(key: PrivateKey, alg: KeyManagementAlgorithm) -> Result<Self, Error> {
        check_fit(alg.fits(key.kind()), alg.name(), key.kind())?;
        key.meta
            .allow(alg.name(), "enc", &["unwrapKey", "decrypt"])?;
        Ok(DecryptingKey { key, alg })
    }

    /// The bound algorithm.
    pub fn alg(&self) -> KeyManagementAlgorithm {
        self.alg
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.key.kid()
    }

    /// The key.
    pub fn key(&self) -> &PrivateKey {
        &self.key
    }

    /// Decrypts an encrypted content encryption key (opaque failure).
    pub fn unwrap(&self, encrypted_key: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        self.key.ops.unwrap_key(self.alg, encrypted_key)
    }

    /// The encrypting key for the same algorithm.
    pub fn encrypting_key(&self) -> EncryptingKey {
        EncryptingKey {
            key: self.key.public_key(),
            alg: self.alg,
        }
    }
}
