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

/// The largest HMAC secret accepted, in bytes (far above any hash's block size).
pub const MAX_HMAC_KEY_LEN: usize = 1024;

/// A shared HMAC secret (JWK `kty` `oct`), for HS256, HS384 and HS512, with the metadata a JWK
/// carries and the provider that computes its tags.
///
/// It is its own type: no [`PublicKey`] or [`PrivateKey`] converts into it, and no
/// [`KeyKind`] fits HS*, so an RSA or EC public key can never be used as an HMAC
/// secret. The secret is at least 32 bytes (the HS256 minimum; HS384 and HS512 ask for 48 and 64
/// when the key is bound) and at most [`MAX_HMAC_KEY_LEN`]; it is zeroized on drop, and `Debug`
/// shows only its length, `kid` and provider.
///
/// The provider is a `&'static dyn CryptoProvider`, as every provider of this workspace is (a
/// provider built at run time can be leaked once with `Box::leak`).
#[derive(Clone)]
pub struct HmacKey {
    secret: Zeroizing<Vec<u8>>,
    meta: KeyMeta,
    provider: &'static dyn CryptoProvider,
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacKey")
            .field("len", &self.secret.len())
            .field("meta", &self.meta)
            .field("provider", &self.provider.name())
            .finish_non_exhaustive()
    }
}

impl HmacKey {
    /// The smallest secret any HS* algorithm accepts (HS256's 32 bytes).
    pub const MIN_LEN: usize = 32;

    /// A key from the raw secret bytes (copied; the caller wipes its own copy). Refuses fewer than
    /// [`HmacKey::MIN_LEN`] or more than [`MAX_HMAC_KEY_LEN`] bytes with [`Error::InvalidKey`].
    pub fn from_bytes(secret: &[u8], provider: &'static dyn CryptoProvider) -> Result<Self, Error> {
        if secret.len() < Self::MIN_LEN || secret.len() > MAX_HMAC_KEY_LEN {
            return Err(Error::invalid_key(
                format!(
                    "an HMAC secret of {} to {MAX_HMAC_KEY_LEN} bytes",
                    Self::MIN_LEN
                ),
                format!("{} bytes", secret.len()),
            ));
        }
        Ok(HmacKey {
            secret: Zeroizing::new(secret.to_vec()),
            meta: KeyMeta::default(),
            provider,
        })
    }

    /// A fresh random secret of `bits` bits (256, 384 or 512) from `provider`'s generator.
    pub fn generate(bits: usize, provider: &'static dyn CryptoProvider) -> Result<Self, Error> {
        if !matches!(bits, 256 | 384 | 512) {
            return Err(Error::invalid_key(
                "an HMAC key size of 256, 384 or 512 bits",
                format!("{bits} bits"),
            ));
        }
        let mut secret = Zeroizing::new(vec![0u8; bits / 8]);
        provider.fill_random(&mut secret)?;
        Self::from_bytes(&secret, provider)
    }

    /// A key from an `oct` JWK: `k` (decoded in constant time) and the metadata `kid`, `use`,
    /// `key_ops`, `alg`. Another `kty` is [`Error::InvalidKey`].
    pub fn from_jwk(jwk: &Jwk, provider: &'static dyn CryptoProvider) -> Result<Self, Error> {
        if jwk.kty != "oct" {
            return Err(Error::invalid_key(
                "an \"oct\" JWK for an HMAC key",
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

    /// Always `false`: a key holds at least [`HmacKey::MIN_LEN`] bytes.
    pub fn is_empty(&self) -> bool {
        self.secret.is_empty()
    }

    /// The provider that computes this key's tags.
    pub fn provider(&self) -> &'static dyn CryptoProvider {
        self.provider
    }

    /// Checks that this key may be used with `alg` for `use_`/`ops`: `alg` is HS*, the secret is at
    /// least the hash length, and the metadata allows it.
    pub(crate) fn check_binding(&self, alg: JwsAlgorithm, ops: &[&str]) -> Result<(), Error> {
        let Some(min) = alg.min_hmac_key_len() else {
            return Err(Error::invalid_key(
                format!("an RSA or EC key for {alg}"),
                "an HMAC secret",
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

    /// The HMAC tag of `message` with `alg`'s hash, after the binding checks for signing.
    pub fn sign(&self, alg: JwsAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.check_binding(alg, &["sign"])?;
        self.provider.hmac_sign(alg.hash(), &self.secret, message)
    }

    /// Checks the HMAC tag of `message` with `alg`'s hash (constant-time compare), after the
    /// binding checks for verifying. A wrong tag is [`Error::BadSignature`].
    pub fn verify(&self, alg: JwsAlgorithm, message: &[u8], tag: &[u8]) -> Result<(), Error> {
        self.check_binding(alg, &["verify"])?;
        self.provider
            .hmac_verify(alg.hash(), &self.secret, message, tag)
    }
}
