//! The crypto provider traits: everything jose-core needs from a cryptographic library.
//!
//! The model is rustls' `CryptoProvider`: one value bundles every primitive, a provider crate builds
//! it (the facade crate `jose` picks a default by cargo feature). jose-core handles PEM, JWK and
//! ASN.1 itself and hands a provider only normalized DER: PKCS#8 for private keys and SPKI for public
//! keys. A new provider (a KMS, an HSM) implements these three small object-safe traits.
//!
//! # Which provider does the work
//!
//! A provider is named exactly twice, and each operation then uses the one it was given:
//!
//! - **Where a key is made**: [`PrivateKey::from_pem`](crate::PrivateKey::from_pem) (and `from_der`,
//!   `from_jwk`, `generate`) and the same on [`PublicKey`](crate::PublicKey) import the key into the
//!   provider passed. The key keeps it: every signature, verification, key wrap and key unwrap
//!   with that key runs on that provider. That is why [`JwsBuilder::sign`](crate::JwsBuilder::sign)
//!   and [`Jws::verify`](crate::Jws::verify) take no provider.
//! - **Where there is work without a key**: [`JweBuilder::encrypt`](crate::JweBuilder::encrypt) and
//!   [`Jwe::decrypt`](crate::Jwe::decrypt) take a provider for the random CEK and IV and for the
//!   content encryption (AES-GCM); [`Jwk::thumbprint_sha256`](crate::Jwk::thumbprint_sha256) takes
//!   one for SHA-256.
//!
//! So a JWE whose recipient key lives in a KMS provider can have its content encrypted by
//! aws-lc-rs: the key wrap runs in the KMS, the AEAD where the `encrypt` call says.
//!
//! # Contract for implementors
//!
//! - Every RSA-OAEP unwrap failure and every AEAD open failure is [`Error::DecryptionFailed`], with
//!   nothing else to tell them apart.
//! - Every signature that does not verify is [`Error::BadSignature`]; ECDSA signatures are raw r||s of
//!   exactly [`EcCurve::signature_len`] bytes, anything else fails.
//! - RSA keys below [`MIN_RSA_BITS`] are refused on import and generation; every key refused on
//!   import is [`Error::InvalidKey`].
//! - `Debug` output never contains key material.
//! - Private key material the provider keeps is zeroized on drop.
//! - Nothing panics, whatever bytes a caller passes: the trait methods are public, so a provider
//!   cannot assume its input came through jose-core. [`support`] holds the checks every provider
//!   makes for that case ([`support::read_pkcs8`], [`support::read_spki`],
//!   [`support::check_aead_seal_inputs`], [`support::check_aead_open_inputs`]), so that a provider
//!   leaves the rest to its cryptographic library.

pub mod support;

use crate::alg::{
    ContentEncryption, EcCurve, HashAlg, JwsAlgorithm, KeyKind, KeyManagementAlgorithm, KeySpec,
};
use crate::error::Error;
use std::fmt::Debug;
use std::sync::Arc;
use zeroize::Zeroizing;

#[allow(unused_imports)]
use crate::alg::MIN_RSA_BITS;

/// A bundle of cryptographic primitives. Object-safe; use it as `&dyn CryptoProvider` or
/// `Arc<dyn CryptoProvider>`.
pub trait CryptoProvider: Send + Sync + Debug {
    /// A short name for messages and the CLI (`"aws-lc"`, `"rustcrypto"`).
    fn name(&self) -> &'static str;

    /// Fills `dest` with bytes from a cryptographically secure random generator.
    fn fill_random(&self, dest: &mut [u8]) -> Result<(), Error>;

    /// SHA-256 of `data` (used for RFC 7638 thumbprints).
    fn sha256(&self, data: &[u8]) -> [u8; 32];

    /// The digest of `data` with `hash` ([`HashAlg::output_len`] bytes): what a KMS that signs
    /// digests needs for a JWS ([`PreparedJws::digest`](crate::jws::PreparedJws::digest) asks for
    /// the hash of its algorithm). SHA-256, SHA-384 and SHA-512 must be offered; SHA-1 is not
    /// needed and may be refused with [`Error::InvalidRequest`].
    ///
    /// The default computes SHA-256 with [`CryptoProvider::sha256`] and refuses the rest with
    /// [`Error::InvalidRequest`], so that a provider written before this method still builds;
    /// every provider should override it (the conformance suite checks all three).
    fn digest(&self, hash: HashAlg, data: &[u8]) -> Result<Vec<u8>, Error> {
        match hash {
            HashAlg::Sha256 => Ok(self.sha256(data).to_vec()),
            other => Err(Error::InvalidRequest(format!(
                "the {} provider does not compute {other} digests",
                self.name()
            ))),
        }
    }

    /// AES-GCM encryption for `enc` (A128GCM, A192GCM or A256GCM; jose-core composes the
    /// AES-CBC-HMAC `enc` values itself from [`CryptoProvider::aes_cbc_encrypt`] and HMAC): returns the ciphertext (same length as `plaintext`) and the detached
    /// 128-bit tag. `key` must be `enc.key_len()` bytes and `iv` `enc.iv_len()` bytes, else
    /// [`Error::InvalidRequest`] ([`support::check_aead_seal_inputs`]).
    fn aead_seal(
        &self,
        enc: ContentEncryption,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<(Vec<u8>, [u8; 16]), Error>;

    /// AES-GCM decryption for `enc` with a detached tag. Any failure (an `enc` that is not
    /// AES-GCM included, (wrong key or IV length, wrong tag
    /// length ([`support::check_aead_open_inputs`]), authentication failure) is
    /// [`Error::DecryptionFailed`].
    fn aead_open(
        &self,
        enc: ContentEncryption,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error>;

    /// [`CryptoProvider::aead_seal`] in place: `in_out` holds the plaintext and is overwritten
    /// with the ciphertext (same length); returns the tag. Same inputs, same errors.
    ///
    /// jose-core encrypts large compact JWEs through this method, so that the plaintext is copied
    /// once, into the token's own buffer, and never held twice. The default calls `aead_seal` and
    /// copies (correct, one extra buffer); a provider whose library can work in place overrides it
    /// (both of ours do).
    fn aead_seal_in_place(
        &self,
        enc: ContentEncryption,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; 16], Error> {
        let (ciphertext, tag) = self.aead_seal(enc, key, iv, aad, in_out)?;
        let Some(target) = in_out.get_mut(..ciphertext.len()) else {
            return Err(Error::Provider(format!(
                "{}: aead_seal gave {} bytes of ciphertext for {} bytes of plaintext",
                self.name(),
                ciphertext.len(),
                in_out.len()
            )));
        };
        target.copy_from_slice(&ciphertext);
        Ok(tag)
    }

    /// [`CryptoProvider::aead_open`] in place: `in_out` holds the ciphertext; on success it holds
    /// the plaintext (same length). Every failure is [`Error::DecryptionFailed`], and after a
    /// failure `in_out` holds unspecified bytes (the caller wipes or discards it; it is never
    /// plaintext the caller may use).
    ///
    /// The default calls `aead_open` and copies; both of our providers override it.
    fn aead_open_in_place(
        &self,
        enc: ContentEncryption,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8],
    ) -> Result<(), Error> {
        let plaintext = self.aead_open(enc, key, iv, aad, in_out, tag)?;
        match in_out.get_mut(..plaintext.len()) {
            Some(target) if plaintext.len() == target.len() => {
                target.copy_from_slice(&plaintext);
                Ok(())
            }
            _ => Err(Error::DecryptionFailed),
        }
    }

    /// Imports a private key from PKCS#8 v1 DER (RSA, or EC on P-256/P-384/P-521 with the public
    /// key included). Checks the key is consistent and, for RSA, at least [`MIN_RSA_BITS`].
    fn import_private_pkcs8(&self, pkcs8_der: &[u8]) -> Result<Arc<dyn PrivateKeyOps>, Error>;

    /// Imports a public key from SPKI DER. EC points must be on the curve (uncompressed form).
    fn import_public_spki(&self, spki_der: &[u8]) -> Result<Arc<dyn PublicKeyOps>, Error>;

    /// Generates a fresh key pair (RSA 2048/3072/4096 with e = 65537, or EC).
    fn generate(&self, spec: KeySpec) -> Result<Arc<dyn PrivateKeyOps>, Error>;

    /// Generates the ephemeral key of one ECDH-ES encryption (RFC 7518 section 4.6) on `curve`'s
    /// curve (EC or X25519): a key used for one [`PrivateKeyOps::agree`] and its
    /// [`PrivateKeyOps::public_key`] (the `epk`), then dropped. It need not sign or export, so a
    /// provider may skip the work a long-lived key needs (aws-lc: no ECDSA key beside the ECDH
    /// one).
    ///
    /// The default calls [`generate`](Self::generate).
    fn generate_ephemeral(&self, curve: KeyKind) -> Result<Arc<dyn PrivateKeyOps>, Error> {
        match curve {
            KeyKind::Ec(curve) => self.generate(KeySpec::Ec(curve)),
            KeyKind::Okp(curve) => self.generate(KeySpec::Okp(curve)),
            other @ KeyKind::Rsa { .. } => Err(Error::invalid_key(
                "an EC or X25519 key for an ephemeral key agreement",
                other,
            )),
        }
    }

    /// HMAC (RFC 2104) of `data` under `key` with `hash` (SHA-256, SHA-384 or SHA-512): the full
    /// tag of [`HashAlg::output_len`] bytes. Any key length is computed (the RFC 7518 minimum is
    /// [`SecretKey`](crate::SecretKey)'s rule); SHA-1 may be refused with [`Error::InvalidRequest`].
    ///
    /// The default answers [`Error::Unsupported`], so a partial provider (a KMS that only signs
    /// with its own keys) need not implement it.
    fn hmac_sign(&self, hash: HashAlg, key: &[u8], data: &[u8]) -> Result<Vec<u8>, Error> {
        let _ = (key, data);
        Err(Error::Unsupported {
            provider: self.name(),
            operation: format!("HMAC-{hash}"),
        })
    }

    /// Checks an HMAC tag: [`Error::BadSignature`] unless `tag` is exactly the tag
    /// [`CryptoProvider::hmac_sign`] computes (a tag of another length, a truncated tag included,
    /// fails). The default computes the tag with `hmac_sign` and compares in constant time
    /// ([`support::constant_time_eq`]); a provider whose `hmac_sign` is unsupported answers that.
    fn hmac_verify(&self, hash: HashAlg, key: &[u8], data: &[u8], tag: &[u8]) -> Result<(), Error> {
        let expected = Zeroizing::new(self.hmac_sign(hash, key, data)?);
        if support::constant_time_eq(&expected, tag) {
            Ok(())
        } else {
            Err(Error::BadSignature)
        }
    }

    /// AES key wrap (RFC 3394, the default IV `A6A6A6A6A6A6A6A6`) of `key_data` under `kek`.
    /// `kek` is 16, 24 or 32 bytes and `key_data` a multiple of 8 bytes, at least 16, else
    /// [`Error::InvalidRequest`]. The output is 8 bytes longer than `key_data`.
    ///
    /// The default answers [`Error::Unsupported`].
    fn aes_key_wrap(&self, kek: &[u8], key_data: &[u8]) -> Result<Vec<u8>, Error> {
        let _ = (kek, key_data);
        Err(self.unsupported("AES key wrap"))
    }

    /// AES key unwrap (RFC 3394). Any failure (a `kek` or `wrapped` of the wrong length, the
    /// integrity check) is [`Error::DecryptionFailed`].
    ///
    /// The default answers [`Error::Unsupported`].
    fn aes_key_unwrap(&self, kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let _ = (kek, wrapped);
        Err(self.unsupported("AES key unwrap"))
    }

    /// AES-CBC encryption with PKCS#7 padding (what AES-CBC-HMAC-SHA2, RFC 7518 section 5.2,
    /// uses; jose-core adds the HMAC). `key` is 16, 24 or 32 bytes and `iv` 16 bytes, else
    /// [`Error::InvalidRequest`]. The output is the padded ciphertext (a multiple of 16 bytes,
    /// at least 16).
    ///
    /// The default answers [`Error::Unsupported`].
    fn aes_cbc_encrypt(&self, key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        let _ = (key, iv, plaintext);
        Err(self.unsupported("AES-CBC"))
    }

    /// AES-CBC decryption with PKCS#7 padding removed. Any failure (lengths, padding) is
    /// [`Error::DecryptionFailed`]. jose-core calls it only after the HMAC tag has verified.
    ///
    /// The default answers [`Error::Unsupported`].
    fn aes_cbc_decrypt(
        &self,
        key: &[u8],
        iv: &[u8],
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let _ = (key, iv, ciphertext);
        Err(self.unsupported("AES-CBC"))
    }

    /// PBKDF2 (RFC 8018) with HMAC over `hash` (SHA-256, SHA-384 or SHA-512), filling `out`.
    /// `iterations` is at least 1 and `out` 1 to 64 bytes, else [`Error::InvalidRequest`] (SHA-1
    /// too);
    /// jose-core bounds `iterations` from above before it calls this
    /// ([`Limits::max_pbes2_count`](crate::Limits)).
    ///
    /// The default answers [`Error::Unsupported`].
    fn pbkdf2(
        &self,
        hash: HashAlg,
        password: &[u8],
        salt: &[u8],
        iterations: u32,
        out: &mut [u8],
    ) -> Result<(), Error> {
        let _ = (hash, password, salt, iterations, out);
        Err(self.unsupported("PBKDF2"))
    }

    /// The [`Error::Unsupported`] a provided method answers for `operation`.
    #[doc(hidden)]
    fn unsupported(&self, operation: &str) -> Error {
        Error::Unsupported {
            provider: self.name(),
            operation: operation.to_owned(),
        }
    }
}

/// Operations on a private key held by a provider.
pub trait PrivateKeyOps: Send + Sync + Debug {
    /// The key's type and size.
    fn kind(&self) -> KeyKind;

    /// Signs `message` with `alg`. The caller has checked that `alg` fits the key; a provider still
    /// returns [`Error::InvalidKey`] if it does not. ECDSA returns raw r||s.
    fn sign(&self, alg: JwsAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error>;

    /// Decrypts a JWE encrypted key (RSA-OAEP*). Every failure is [`Error::DecryptionFailed`].
    ///
    /// The default answers [`Error::Unsupported`] (a key that only signs, such as one in a KMS);
    /// the engine reports that as it is, not as a decryption failure, since it says nothing about
    /// the token.
    fn unwrap_key(
        &self,
        alg: KeyManagementAlgorithm,
        encrypted_key: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let _ = encrypted_key;
        Err(Error::Unsupported {
            provider: "key's",
            operation: format!("{alg} key unwrap with an {}", self.kind()),
        })
    }

    /// The matching public key.
    fn public_key(&self) -> Arc<dyn PublicKeyOps>;

    /// The key as PKCS#8 v1 DER (EC keys include the public key).
    ///
    /// The default answers [`Error::Unsupported`] (a key that cannot leave its KMS or HSM).
    fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        Err(Error::Unsupported {
            provider: "key's",
            operation: format!("exporting an {} as PKCS#8", self.kind()),
        })
    }

    /// Key agreement (ECDH on P-256, P-384, P-521; X25519) with the peer public key `peer`, an
    /// SPKI DER document ([`support::read_spki`]): returns the raw shared secret (the
    /// x-coordinate for EC, 32 bytes for X25519). The peer key must be of this key's kind and
    /// on its curve, else [`Error::InvalidKey`]; an all-zero X25519 result (a low-order peer
    /// point) is [`Error::InvalidKey`] too.
    ///
    /// The default answers [`Error::Unsupported`] (RSA and Ed25519 keys, and a provider that only
    /// signs).
    fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let _ = peer;
        Err(Error::Unsupported {
            provider: "key's",
            operation: format!("key agreement with an {}", self.kind()),
        })
    }
}

/// Operations on a public key held by a provider.
pub trait PublicKeyOps: Send + Sync + Debug {
    /// The key's type and size.
    fn kind(&self) -> KeyKind;

    /// Verifies `signature` over `message`. Any mismatch, including a signature of the wrong length,
    /// is [`Error::BadSignature`].
    fn verify(&self, alg: JwsAlgorithm, message: &[u8], signature: &[u8]) -> Result<(), Error>;

    /// Encrypts a content encryption key for this key (RSA-OAEP*).
    ///
    /// The default answers [`Error::Unsupported`] (a key that only verifies).
    fn wrap_key(&self, alg: KeyManagementAlgorithm, cek: &[u8]) -> Result<Vec<u8>, Error> {
        let _ = cek;
        Err(Error::Unsupported {
            provider: "key's",
            operation: format!("{alg} key wrap with an {}", self.kind()),
        })
    }

    /// The key as SPKI DER (EC points uncompressed).
    fn to_spki_der(&self) -> Result<Vec<u8>, Error>;
}

/// Expected ECDSA signature length for `curve`, for providers' length checks.
pub const fn ecdsa_signature_len(curve: EcCurve) -> usize {
    curve.signature_len()
}
