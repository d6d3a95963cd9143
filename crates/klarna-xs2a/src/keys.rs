//! Key sets, bound to the protocol's algorithms.
//!
//! Every key is bound to exactly one algorithm when it enters a set: RS512 for signing and
//! verifying, RSA-OAEP-256 for encrypting and decrypting (content encryption is always A256GCM).
//! Every key needs a `kid`: the JWE's `kid` chooses our decryption key, the JWS's `kid` the
//! sender's verification key. A key ring or verifier set of one key may hold it without a `kid`:
//! with one key there is nothing to choose, so it is used whatever the token's `kid`.

use crate::error::{Error, Result};
use jose::jwk::Jwks;
use jose::jws::ExternalKey;
use jose::{
    ContentEncryption, CryptoProvider, DecryptingKey, EncryptingKey, JwsAlgorithm,
    KeyManagementAlgorithm, PrivateKey, PublicKey, SigningKey, VerifyingKey,
};

/// The one JWS algorithm of the protocol (RSASSA-PKCS1-v1_5 with SHA-512).
pub const JWS_ALG: JwsAlgorithm = JwsAlgorithm::Rs512;
/// The one JWE key management algorithm of the protocol.
pub const JWE_ALG: KeyManagementAlgorithm = KeyManagementAlgorithm::RsaOaep256;
/// The one JWE content encryption of the protocol.
pub const JWE_ENC: ContentEncryption = ContentEncryption::A256Gcm;

/// The kid of a key, or a key error naming `role`.
fn require_kid(kid: Option<&str>, role: &str) -> Result<String> {
    match kid {
        Some(k) if !k.is_empty() => Ok(k.to_owned()),
        Some(_) => Err(Error::key_message(format!(
            "{role}: expected a key with a non-empty kid, found an empty kid"
        ))),
        None => Err(Error::key_message(format!(
            "{role}: expected a key with a kid, found a key without one (set it with with_kid)"
        ))),
    }
}

/// Checks the kid of a key joining a set that holds keys with `existing` kids: a non-empty kid
/// not there yet, or no kid at all for the set's only key (then used whatever a token's kid).
fn check_joining_kid(kid: Option<&str>, existing: &[Option<&str>], role: &str) -> Result<()> {
    match kid {
        None if existing.is_empty() => Ok(()),
        None => Err(Error::key_message(format!(
            "{role}: expected a key with a kid (several keys are chosen by kid), found a key without one (set it with with_kid)"
        ))),
        Some(_) if existing.contains(&None) => Err(Error::key_message(format!(
            "{role}: expected a kid on every key (several keys are chosen by kid), found one already there without a kid"
        ))),
        Some(kid) => {
            require_kid(Some(kid), role)?;
            if existing.contains(&Some(kid)) {
                return Err(Error::key_message(format!(
                    "{role}: expected a kid not yet in the set, found {kid:?} again"
                )));
            }
            Ok(())
        }
    }
}

/// Binds our private key for signing (RS512); it must have a `kid`.
pub fn signing_key(key: PrivateKey) -> Result<SigningKey> {
    require_kid(key.kid(), "signing key")?;
    SigningKey::new(key, JWS_ALG).map_err(|e| Error::key("signing key", e))
}

/// Binds the recipient's public key for encryption (RSA-OAEP-256); it must have a `kid`.
pub fn encrypting_key(key: PublicKey) -> Result<EncryptingKey> {
    require_kid(key.kid(), "recipient key")?;
    EncryptingKey::new(key, JWE_ALG).map_err(|e| Error::key("recipient key", e))
}

/// Checks our signing key held outside any provider (a KMS, an HSM): it must sign with RS512,
/// the protocol's one JWS algorithm (Klarna's verifiers, and [`crate::Opener`], refuse any
/// other), and have a `kid`.
pub fn external_signing_key(key: ExternalKey) -> Result<ExternalKey> {
    if key.alg() != JWS_ALG {
        return Err(Error::key_message(format!(
            "signing key: expected a key that signs with {JWS_ALG} (the protocol's one JWS algorithm), found one that signs with {}",
            key.alg()
        )));
    }
    require_kid(key.kid(), "signing key")?;
    Ok(key)
}

/// Our private decryption keys, chosen by the JWE's `kid`. Several live at once while keys rotate:
/// add the new key, publish it, and remove the old one once no sender uses it.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use jose_klarna_xs2a::KeyRing;
/// use jose::{KeySpec, PrivateKey};
///
/// let provider = jose::default_provider();
/// let old = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?.with_kid("2024-enc");
/// let new = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?.with_kid("2025-enc");
/// let mut ring = KeyRing::new().with(old)?.with(new)?;
/// assert_eq!(ring.kids(), ["2024-enc", "2025-enc"]);
/// assert!(ring.remove("2024-enc"));
/// assert_eq!(ring.kids(), ["2025-enc"]);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    keys: Vec<DecryptingKey>,
}

impl KeyRing {
    /// An empty ring (it decrypts nothing).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a private RSA key (bound to RSA-OAEP-256). It needs a `kid` not already in the ring,
    /// unless it is the ring's only key: a lone key without kid decrypts whatever the JWE `kid`
    /// says ([`KeyRing::choose`]).
    pub fn add(&mut self, key: PrivateKey) -> Result<()> {
        let existing: Vec<Option<&str>> = self.keys.iter().map(DecryptingKey::kid).collect();
        check_joining_kid(key.kid(), &existing, "decryption key")?;
        let bound =
            DecryptingKey::new(key, JWE_ALG).map_err(|e| Error::key("decryption key", e))?;
        self.keys.push(bound);
        Ok(())
    }

    /// [`KeyRing::add`], by value.
    pub fn with(mut self, key: PrivateKey) -> Result<Self> {
        self.add(key)?;
        Ok(self)
    }

    /// Removes the key with `kid`; returns whether there was one.
    pub fn remove(&mut self, kid: &str) -> bool {
        let before = self.keys.len();
        self.keys.retain(|k| k.kid() != Some(kid));
        self.keys.len() != before
    }

    /// The key with `kid`.
    pub fn get(&self, kid: &str) -> Option<&DecryptingKey> {
        self.keys.iter().find(|k| k.kid() == Some(kid))
    }

    /// The key for a JWE whose header has `kid`: the ring's only key if it has no kid (whatever
    /// `kid` is, or none), else the key with that kid.
    pub fn choose(&self, kid: Option<&str>) -> Option<&DecryptingKey> {
        match self.keys.as_slice() {
            [only] if only.kid().is_none() => Some(only),
            _ => kid.and_then(|k| self.get(k)),
        }
    }

    /// The kids, in the order the keys were added.
    pub fn kids(&self) -> Vec<&str> {
        self.keys.iter().filter_map(DecryptingKey::kid).collect()
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when the ring has no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// The sender's public keys, chosen by the JWS's `kid`.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use jose_klarna_xs2a::VerifierSet;
/// use jose::{KeySpec, PrivateKey};
///
/// let provider = jose::default_provider();
/// let theirs = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?.with_kid("klarna-sig");
/// let set = VerifierSet::new().with(theirs.public_key())?;
/// assert_eq!(set.kids(), ["klarna-sig"]);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct VerifierSet {
    keys: Vec<VerifyingKey>,
}

impl VerifierSet {
    /// An empty set (it verifies nothing).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a public RSA key (bound to RS512). It needs a `kid` not already in the set, unless
    /// it is the set's only key: a lone key without kid verifies whatever the JWS `kid` says
    /// ([`VerifierSet::choose`]).
    pub fn add(&mut self, key: PublicKey) -> Result<()> {
        let existing: Vec<Option<&str>> = self.keys.iter().map(VerifyingKey::kid).collect();
        check_joining_kid(key.kid(), &existing, "verification key")?;
        let bound =
            VerifyingKey::new(key, JWS_ALG).map_err(|e| Error::key("verification key", e))?;
        self.keys.push(bound);
        Ok(())
    }

    /// [`VerifierSet::add`], by value.
    pub fn with(mut self, key: PublicKey) -> Result<Self> {
        self.add(key)?;
        Ok(self)
    }

    /// Imports every key of a JWKS (each needs a `kid`, and must be RSA and allow RS512
    /// verification).
    pub fn from_jwks(jwks: &Jwks, provider: &dyn CryptoProvider) -> Result<Self> {
        let mut set = Self::new();
        for jwk in &jwks.keys {
            let key = PublicKey::from_jwk(jwk, provider).map_err(|e| {
                Error::key(
                    format!(
                        "JWKS key {:?}",
                        crate::error::shorten(jwk.kid.as_deref().unwrap_or("(no kid)"))
                    ),
                    e,
                )
            })?;
            require_kid(key.kid(), "JWKS key")?;
            set.add(key)?;
        }
        Ok(set)
    }

    /// Removes the key with `kid`; returns whether there was one.
    pub fn remove(&mut self, kid: &str) -> bool {
        let before = self.keys.len();
        self.keys.retain(|k| k.kid() != Some(kid));
        self.keys.len() != before
    }

    /// The key with `kid`.
    pub fn get(&self, kid: &str) -> Option<&VerifyingKey> {
        self.keys.iter().find(|k| k.kid() == Some(kid))
    }

    /// The key for a JWS whose header has `kid`: the set's only key if it has no kid (whatever
    /// `kid` is, or none), else the key with that kid.
    pub fn choose(&self, kid: Option<&str>) -> Option<&VerifyingKey> {
        match self.keys.as_slice() {
            [only] if only.kid().is_none() => Some(only),
            _ => kid.and_then(|k| self.get(k)),
        }
    }

    /// The kids, in the order the keys were added.
    pub fn kids(&self) -> Vec<&str> {
        self.keys.iter().filter_map(VerifyingKey::kid).collect()
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when the set has no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}
