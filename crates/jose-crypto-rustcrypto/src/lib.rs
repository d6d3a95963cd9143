//! A [`jose_core::CryptoProvider`] built on the pure-Rust RustCrypto crates: `rsa`, `p256`,
//! `p384`, `p521` (ECDSA and ECDH), `ed25519-dalek` and `x25519-dalek`, `aes-gcm`, `aes-kw`, `cbc`,
//! `pbkdf2`, `hmac`, `sha1`/`sha2` and `getrandom`.
//!
//! It implements RS256/384/512, PS256/384/512, ES256/384/512 and EdDSA (Ed25519) signatures,
//! ECDH on P-256/P-384/P-521 and X25519 key agreement, RSA-OAEP and RSA-OAEP-256/384/512 key
//! wrapping (OAEP decoding of its own, constant-time), A128GCM/A192GCM/A256GCM content encryption,
//! and AES key wrap (RFC 3394), AES-CBC with PKCS#7 padding and PBKDF2-HMAC-SHA-2, with the error
//! contract of [`jose_core::provider`]: every unwrap or AEAD failure is
//! [`Error::DecryptionFailed`], every signature that does not verify is [`Error::BadSignature`],
//! and RSA keys under 2048 bits are refused.
//!
//! Use [`provider()`] (or the [`RUSTCRYPTO`] static) wherever jose-core takes a
//! `&dyn CryptoProvider`:
//!
//! ```
//! use jose_core::{CryptoProvider, EcCurve, JwsAlgorithm, KeySpec};
//!
//! let provider = jose_crypto_rustcrypto::provider();
//! let key = provider.generate(KeySpec::Ec(EcCurve::P256))?;
//! let signature = key.sign(JwsAlgorithm::Es256, b"hello")?;
//! assert_eq!(signature.len(), 64); // raw r||s
//!
//! let public = key.public_key();
//! public.verify(JwsAlgorithm::Es256, b"hello", &signature)?;
//! assert!(public.verify(JwsAlgorithm::Es256, b"hullo", &signature).is_err());
//!
//! // Keys travel as DER: PKCS#8 for private keys, SPKI for public keys.
//! let again = provider.import_public_spki(&public.to_spki_der()?)?;
//! again.verify(JwsAlgorithm::Es256, b"hello", &signature)?;
//! # Ok::<(), jose_core::Error>(())
//! ```
//!
//! # Ed25519 and X25519
//!
//! EdDSA verification is ed25519-dalek's `verify_strict`: besides what RFC 8032 section 5.1.7
//! asks (S below the group order, A and R decoded, the group equation, cofactorless), it refuses
//! a public key or an R of small order, which RFC 8032 allows (the aws-lc provider refuses them
//! too, by list). No honest signer produces either, and on all 151 cases of Wycheproof's
//! `ed25519_test` the two providers give the same verdict. Ed25519 public keys are decoded when a signature is
//! verified, not on import (as in the aws-lc provider). ECDH checks the peer point is on the
//! curve (`PublicKey::from_sec1_bytes`) and returns the x-coordinate; X25519 refuses a peer
//! whose shared secret is all zeros (`was_contributory`) as `InvalidKey`. Keys are seeded from
//! `getrandom`.
//!
//! # Side channels and RSA-OAEP
//!
//! RSA private operations use the `rsa` crate 0.10 (`crypto-bigint` arithmetic, blinding from the
//! OS RNG, and a CRT fault check). RSA-OAEP decoding is done in this crate, branch-free over the
//! secret bytes, because rsa 0.10's own decoder ignores the leading octet of the encoded message,
//! which RFC 8017 (and aws-lc, and Wycheproof) require to be zero. PKCS#1 v1.5 decryption is never
//! offered. The advisory RUSTSEC-2023-0071 (Marvin attack) still lists no fixed `rsa` release;
//! services that decrypt attacker-supplied JWEs with RSA keys should prefer the aws-lc provider.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

mod aead;
mod ec_key;
mod oaep;
mod okp;
mod rsa_key;
mod symmetric;
mod util;

use ec_key::{EcPrivate, EcPublic};
use jose_core::alg::HashAlg;
use jose_core::provider::support::{read_pkcs8, read_spki};
use jose_core::{
    ContentEncryption, CryptoProvider, Error, KeyKind, KeySpec, PrivateKeyOps, PublicKeyOps,
};
use okp::{OkpPrivate, OkpPublic};
use rsa_key::{RsaPrivate, RsaPublic};
use sha2::Digest;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The RustCrypto provider. It holds no state: every value is the same provider.
#[derive(Debug, Default, Clone, Copy)]
pub struct RustCryptoProvider;

/// The provider as a static, for `&'static dyn CryptoProvider` uses.
pub static RUSTCRYPTO: RustCryptoProvider = RustCryptoProvider;

/// The provider as a trait object.
pub fn provider() -> &'static dyn CryptoProvider {
    &RUSTCRYPTO
}

impl CryptoProvider for RustCryptoProvider {
    fn name(&self) -> &'static str {
        "rustcrypto"
    }

    fn fill_random(&self, dest: &mut [u8]) -> Result<(), Error> {
        getrandom::fill(dest)
            .map_err(|e| Error::Provider(format!("the OS random generator failed: {e}")))
    }

    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        sha2::Sha256::digest(data).into()
    }

    fn digest(&self, hash: HashAlg, data: &[u8]) -> Result<Vec<u8>, Error> {
        match hash {
            HashAlg::Sha256 => Ok(sha2::Sha256::digest(data).to_vec()),
            HashAlg::Sha384 => Ok(sha2::Sha384::digest(data).to_vec()),
            HashAlg::Sha512 => Ok(sha2::Sha512::digest(data).to_vec()),
            HashAlg::Sha1 => Err(Error::InvalidRequest(
                "the rustcrypto provider does not compute SHA-1 digests".into(),
            )),
        }
    }

    fn hmac_sign(&self, hash: HashAlg, key: &[u8], data: &[u8]) -> Result<Vec<u8>, Error> {
        macro_rules! tag {
            ($digest:ty) => {{
                use hmac::{KeyInit, Mac};
                let mut mac = hmac::Hmac::<$digest>::new_from_slice(key)
                    .map_err(|_| Error::Provider("HMAC refused the key".into()))?;
                mac.update(data);
                Ok(mac.finalize().into_bytes().to_vec())
            }};
        }
        match hash {
            HashAlg::Sha256 => tag!(sha2::Sha256),
            HashAlg::Sha384 => tag!(sha2::Sha384),
            HashAlg::Sha512 => tag!(sha2::Sha512),
            HashAlg::Sha1 => Err(Error::InvalidRequest(
                "the rustcrypto provider does not compute HMAC-SHA-1".into(),
            )),
        }
    }

    fn aead_seal(
        &self,
        enc: ContentEncryption,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<(Vec<u8>, [u8; 16]), Error> {
        aead::seal(enc, key, iv, aad, plaintext)
    }

    fn aead_open(
        &self,
        enc: ContentEncryption,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        aead::open(enc, key, iv, aad, ciphertext, tag)
    }

    fn aead_seal_in_place(
        &self,
        enc: ContentEncryption,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; 16], Error> {
        aead::seal_in_place(enc, key, iv, aad, in_out)
    }

    fn aead_open_in_place(
        &self,
        enc: ContentEncryption,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8],
    ) -> Result<(), Error> {
        aead::open_in_place(enc, key, iv, aad, in_out, tag)
    }

    fn aes_key_wrap(&self, kek: &[u8], key_data: &[u8]) -> Result<Vec<u8>, Error> {
        symmetric::aes_key_wrap(kek, key_data)
    }

    fn aes_key_unwrap(&self, kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        symmetric::aes_key_unwrap(kek, wrapped)
    }

    fn aes_cbc_encrypt(&self, key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        symmetric::aes_cbc_encrypt(key, iv, plaintext)
    }

    fn aes_cbc_decrypt(
        &self,
        key: &[u8],
        iv: &[u8],
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        symmetric::aes_cbc_decrypt(key, iv, ciphertext)
    }

    fn pbkdf2(
        &self,
        hash: HashAlg,
        password: &[u8],
        salt: &[u8],
        iterations: u32,
        out: &mut [u8],
    ) -> Result<(), Error> {
        symmetric::pbkdf2(hash, password, salt, iterations, out)
    }

    fn import_private_pkcs8(&self, pkcs8_der: &[u8]) -> Result<Arc<dyn PrivateKeyOps>, Error> {
        let key = read_pkcs8(pkcs8_der)?;
        match key.kind {
            KeyKind::Rsa { bits } => {
                Ok(Arc::new(RsaPrivate::from_pkcs1_der(key.private_key, bits)?))
            }
            KeyKind::Ec(curve) => Ok(Arc::new(EcPrivate::from_pkcs8(curve, pkcs8_der)?)),
            KeyKind::Okp(curve) => Ok(Arc::new(OkpPrivate::from_seed(
                curve,
                key.private_key,
                key.public_key,
            )?)),
        }
    }

    fn import_public_spki(&self, spki_der: &[u8]) -> Result<Arc<dyn PublicKeyOps>, Error> {
        let key = read_spki(spki_der)?;
        match key.kind {
            KeyKind::Rsa { bits } => Ok(Arc::new(RsaPublic::from_pkcs1_der(key.public_key, bits)?)),
            KeyKind::Ec(curve) => Ok(Arc::new(EcPublic::from_sec1_uncompressed(
                curve,
                key.public_key,
            )?)),
            KeyKind::Okp(curve) => Ok(Arc::new(OkpPublic::from_bytes(curve, key.public_key)?)),
        }
    }

    fn generate(&self, spec: KeySpec) -> Result<Arc<dyn PrivateKeyOps>, Error> {
        spec.validate()?;
        match spec {
            KeySpec::Rsa { bits } => Ok(Arc::new(RsaPrivate::generate(bits)?)),
            KeySpec::Ec(curve) => Ok(Arc::new(EcPrivate::generate(curve)?)),
            KeySpec::Okp(curve) => Ok(Arc::new(OkpPrivate::generate(curve)?)),
        }
    }
}
