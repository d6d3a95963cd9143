//! The two halves of a Request4R key pair, bound to RSA-OAEP-256 with A256GCM.
//!
//! Request4R has two RSA key pairs and one rule: encrypt with the recipient's public key, decrypt
//! with your own private key. A [`SealingKey`] is a recipient's public key (the RaaS key for
//! requests, the partner key for responses); an [`OpeningKey`] is your own private key.

use crate::error::{Error, clip};
use crate::{CONTENT_ENCRYPTION, KEY_MANAGEMENT};
use jose::jwe::{Jwe, JweBuilder};
use jose::{CryptoProvider, DecryptingKey, EncryptingKey, Limits, PrivateKey, PublicKey};
use zeroize::Zeroizing;

/// A recipient's RSA public key bound to RSA-OAEP-256: encrypts UTF-8 JSON to a compact JWE.
///
/// Every JWE it makes has the protected header `{"alg":"RSA-OAEP-256","enc":"A256GCM"}`, or
/// `{"alg":"RSA-OAEP-256","kid":"...","enc":"A256GCM"}` when the key has a key id (from a JWK, or
/// set with [`SealingKey::with_kid`]). `Debug` shows the key's type and kid only.
#[derive(Debug, Clone)]
pub struct SealingKey {
    key: EncryptingKey,
    public: PublicKey,
}

impl SealingKey {
    /// Binds a public key to RSA-OAEP-256. Fails with [`Error::Key`] if it is not an RSA key of at
    /// least 2048 bits or its metadata (`use`, `key_ops`, `alg`) forbids RSA-OAEP-256 encryption.
    pub fn new(public: PublicKey) -> Result<Self, Error> {
        EncryptingKey::new(public.clone(), KEY_MANAGEMENT)
            .map(|key| SealingKey { key, public })
            .map_err(|source| Error::Key {
                context: "the recipient's public key cannot encrypt with RSA-OAEP-256",
                source,
            })
    }

    /// Imports an SPKI PEM public key (`-----BEGIN PUBLIC KEY-----`, as Leap provides the RaaS
    /// key; PKCS#1 `RSA PUBLIC KEY` is accepted too) and binds it.
    pub fn from_spki_pem(pem: &str, provider: &dyn CryptoProvider) -> Result<Self, Error> {
        let public = PublicKey::from_pem(pem, provider).map_err(|source| Error::Key {
            context: "cannot import the public key PEM",
            source,
        })?;
        Self::new(public)
    }

    /// The same key with key id `kid`, which then goes in every JWE header.
    pub fn with_kid(self, kid: impl Into<String>) -> Result<Self, Error> {
        Self::new(self.public.with_kid(kid))
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.key.kid()
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Encrypts `json`, which must be UTF-8 JSON, to a one-line compact JWE (RSA-OAEP-256 +
    /// A256GCM, CEK and IV from `provider`).
    pub fn seal(&self, json: &[u8], provider: &dyn CryptoProvider) -> Result<String, Error> {
        let text = crate::json::check(json, "payload to encrypt")?;
        self.seal_checked(text, provider)
    }

    /// [`SealingKey::seal`] for text already checked to be JSON.
    pub(crate) fn seal_checked(
        &self,
        json: &str,
        provider: &dyn CryptoProvider,
    ) -> Result<String, Error> {
        JweBuilder::new(CONTENT_ENCRYPTION)
            .recipient(&self.key)
            .encrypt(json.as_bytes(), provider)
            .and_then(|jwe| jwe.to_compact())
            .map_err(|e| match e {
                e if e.is_key_error() => Error::Key {
                    context: "the recipient's public key cannot encrypt",
                    source: e,
                },
                e => Error::Crypto(e),
            })
    }
}

/// Your own RSA private key bound to RSA-OAEP-256: decrypts a compact JWE to UTF-8 JSON, allowing
/// `enc` A256GCM only.
///
/// `Debug` shows the key's type and kid only, never private material.
#[derive(Debug, Clone)]
pub struct OpeningKey {
    key: DecryptingKey,
    private: PrivateKey,
    limits: Limits,
}

impl OpeningKey {
    /// Binds a private key to RSA-OAEP-256. Fails with [`Error::Key`] if it is not an RSA key of at
    /// least 2048 bits or its metadata forbids RSA-OAEP-256 decryption.
    pub fn new(private: PrivateKey) -> Result<Self, Error> {
        DecryptingKey::new(private.clone(), KEY_MANAGEMENT)
            .map(|key| OpeningKey {
                key,
                private,
                limits: Limits::default(),
            })
            .map_err(|source| Error::Key {
                context: "the private key cannot decrypt with RSA-OAEP-256",
                source,
            })
    }

    /// Imports a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`; PKCS#1 `RSA PRIVATE KEY`
    /// is accepted too) and binds it.
    pub fn from_pkcs8_pem(pem: &str, provider: &dyn CryptoProvider) -> Result<Self, Error> {
        let private = PrivateKey::from_pem(pem, provider).map_err(|source| Error::Key {
            context: "cannot import the private key PEM",
            source,
        })?;
        Self::new(private)
    }

    /// The same key with other parsing limits (the default is [`Limits::default`]: tokens up to
    /// 16 MiB).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The key id, if any. A JWE naming another `kid` does not decrypt.
    pub fn kid(&self) -> Option<&str> {
        self.key.kid()
    }

    /// The private key.
    pub fn private_key(&self) -> &PrivateKey {
        &self.private
    }

    /// The public half, as the other party's [`SealingKey`].
    pub fn sealing_key(&self) -> SealingKey {
        SealingKey {
            key: self.key.encrypting_key(),
            public: self.private.public_key(),
        }
    }

    /// Decrypts a compact JWE (surrounding ASCII whitespace, such as a final newline, is ignored)
    /// and checks that the plaintext is UTF-8 JSON.
    ///
    /// The protected header must say `"alg":"RSA-OAEP-256"` and `"enc":"A256GCM"`
    /// ([`Error::UnexpectedJweHeader`] otherwise); a JWE for another key or altered in any way is
    /// [`Error::DecryptionFailed`].
    pub fn open(
        &self,
        token: &str,
        provider: &dyn CryptoProvider,
    ) -> Result<Zeroizing<String>, Error> {
        let jwe = Jwe::from_compact(token.trim_ascii(), &self.limits).map_err(|e| match e {
            e @ jose::Error::InvalidHeader(_) => Error::UnexpectedJweHeader {
                found: e.to_string(),
            },
            e => Error::MalformedJwe(e),
        })?;
        let header = jwe.protected_header();
        let alg_ok = header.alg().ok().flatten() == Some(KEY_MANAGEMENT.name());
        let enc_ok = header.enc().ok().flatten() == Some(CONTENT_ENCRYPTION.name());
        if !alg_ok || !enc_ok {
            return Err(Error::UnexpectedJweHeader {
                found: clip(&header.to_json(), 128),
            });
        }
        let decrypted = jwe
            .decrypt([&self.key], &[CONTENT_ENCRYPTION], provider)
            .map_err(|e| match e {
                jose::Error::DecryptionFailed | jose::Error::NoMatchingKey(_) => {
                    Error::DecryptionFailed
                }
                jose::Error::InvalidHeader(_)
                | jose::Error::AlgorithmNotAllowed { .. }
                | jose::Error::UnsupportedAlgorithm { .. } => Error::UnexpectedJweHeader {
                    found: clip(&jwe.protected_header().to_json(), 128),
                },
                jose::Error::Provider(_) => Error::Crypto(e),
                e => Error::MalformedJwe(e),
            })?;
        crate::json::check(&decrypted.plaintext, "decrypted payload")?;
        let mut plaintext = decrypted.plaintext;
        let bytes = std::mem::take(&mut *plaintext);
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Zeroizing::new(text)),
            Err(e) => {
                // Checked above; still wipe the bytes if it ever happens.
                let _wipe = Zeroizing::new(e.into_bytes());
                Err(Error::InvalidJson {
                    what: "decrypted payload",
                    expected: "UTF-8 JSON",
                    found: "bytes that are not UTF-8".into(),
                })
            }
        }
    }
}
