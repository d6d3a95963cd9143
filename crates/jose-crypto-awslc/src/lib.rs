//! A [`jose_core::CryptoProvider`] built on [aws-lc-rs](https://docs.rs/aws-lc-rs).
//!
//! [`AwsLcProvider`] supplies everything jose-core needs: secure random bytes, SHA-256/384/512, AES-GCM
//! (A128GCM, A192GCM, A256GCM) with a detached tag, RSA keys (RS256/384/512, PS256/384/512,
//! RSA-OAEP, RSA-OAEP-256/384/512), EC keys on P-256, P-384 and P-521 (ES256/384/512 with raw r||s
//! signatures, ECDH key agreement), Ed25519 keys (EdDSA) and X25519 keys (key agreement), and the
//! symmetric primitives of JWA's A*KW, A*CBC-HS* and PBES2: AES key wrap (RFC 3394; AES-192 written
//! over aws-lc-rs' AES, which its `key_wrap` lacks), AES-CBC with PKCS#7 padding and
//! PBKDF2-HMAC-SHA-256/384/512. Keys come in as PKCS#8 / SPKI DER (jose-core turns PEM and JWK into
//! those) or are generated.
//!
//! Limits: RSA moduli from 2048 to 8192 bits (aws-lc-rs does not handle larger ones) with an odd
//! public exponent of at least 3; EC public points uncompressed.
//!
//! # Ed25519 and X25519
//!
//! EdDSA verification is aws-lc's `ED25519_verify` (RFC 8032 section 5.1.7, cofactorless): S
//! must be below the group order L, A and R must decode, and the encoding of `S·B - k·A` must be
//! R's. RFC 8032 (and aws-lc) accept a public key A or an R of small order, with which one
//! signature verifies for many messages (for all of them with the identity as A); this provider
//! refuses both first, by the list of their encodings (libsodium's), as the RustCrypto provider's
//! `verify_strict` does, so the two give the same verdict there and on all 151 cases of
//! Wycheproof's `ed25519_test`. Ed25519 public keys are
//! decoded when a signature is verified, not on import. Key agreement (`PrivateKeyOps::agree`) is
//! aws-lc's ECDH (the peer point checked to be on the curve) and X25519; an all-zero X25519
//! secret (a low-order peer) is refused as `InvalidKey`.
//!
//! ```
//! use jose_core::alg::{EcCurve, JwsAlgorithm, KeySpec};
//! use jose_core::{CryptoProvider, Error};
//!
//! let provider = jose_crypto_awslc::provider();
//! let key = provider.generate(KeySpec::Ec(EcCurve::P256))?;
//! let signature = key.sign(JwsAlgorithm::Es256, b"signing input")?;
//! assert_eq!(signature.len(), 64);
//!
//! // The public key travels as SPKI DER and verifies what the private key signed.
//! let public = provider.import_public_spki(&key.public_key().to_spki_der()?)?;
//! public.verify(JwsAlgorithm::Es256, b"signing input", &signature)?;
//! assert_eq!(
//!     public.verify(JwsAlgorithm::Es256, b"something else", &signature),
//!     Err(Error::BadSignature)
//! );
//! # Ok::<(), Error>(())
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

mod keys;
mod symmetric;

use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::signature::{EcdsaKeyPair, RsaKeyPair};
use aws_lc_rs::{digest, rand};
use jose_core::Error;
use jose_core::alg::{ContentEncryption, EcCurve, HashAlg, KeyKind, KeySpec};
use jose_core::provider::support::{check_aead_open_inputs, check_aead_seal_inputs};
use jose_core::provider::{CryptoProvider, PrivateKeyOps, PublicKeyOps};
use keys::{AwsLcPrivateKey, AwsLcPublicKey};
use std::sync::Arc;
use zeroize::Zeroizing;

/// The aws-lc-rs crypto provider. It holds no state: use [`AWS_LC`] or [`provider()`], or make one
/// with `AwsLcProvider` / `AwsLcProvider::default()`.
#[derive(Debug, Default, Clone, Copy)]
pub struct AwsLcProvider;

/// The aws-lc-rs provider as a static value.
pub static AWS_LC: AwsLcProvider = AwsLcProvider;

/// The aws-lc-rs provider as a trait object, for APIs that take `&dyn CryptoProvider`.
pub fn provider() -> &'static dyn CryptoProvider {
    &AWS_LC
}

fn aead_algorithm(enc: ContentEncryption) -> Option<&'static aead::Algorithm> {
    match enc {
        ContentEncryption::A128Gcm => Some(&aead::AES_128_GCM),
        ContentEncryption::A192Gcm => Some(&aead::AES_192_GCM),
        ContentEncryption::A256Gcm => Some(&aead::AES_256_GCM),
        ContentEncryption::A128CbcHs256
        | ContentEncryption::A192CbcHs384
        | ContentEncryption::A256CbcHs512 => None,
    }
}

/// The AES-GCM key for `enc` (aws-lc-rs refuses a key of the wrong length).
fn aead_key(enc: ContentEncryption, key: &[u8]) -> Option<LessSafeKey> {
    UnboundKey::new(aead_algorithm(enc)?, key)
        .ok()
        .map(LessSafeKey::new)
}

impl CryptoProvider for AwsLcProvider {
    fn name(&self) -> &'static str {
        "aws-lc"
    }

    fn fill_random(&self, dest: &mut [u8]) -> Result<(), Error> {
        rand::fill(dest)
            .map_err(|_| Error::Provider("the aws-lc random generator failed".to_owned()))
    }

    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        let hash = digest::digest(&digest::SHA256, data);
        let mut out = [0u8; 32];
        for (o, h) in out.iter_mut().zip(hash.as_ref()) {
            *o = *h;
        }
        out
    }

    fn digest(&self, hash: HashAlg, data: &[u8]) -> Result<Vec<u8>, Error> {
        let algorithm = match hash {
            HashAlg::Sha256 => &digest::SHA256,
            HashAlg::Sha384 => &digest::SHA384,
            HashAlg::Sha512 => &digest::SHA512,
            HashAlg::Sha1 => {
                return Err(Error::InvalidRequest(
                    "the aws-lc provider does not compute SHA-1 digests".into(),
                ));
            }
        };
        Ok(digest::digest(algorithm, data).as_ref().to_vec())
    }

    fn hmac_sign(&self, hash: HashAlg, key: &[u8], data: &[u8]) -> Result<Vec<u8>, Error> {
        let algorithm = match hash {
            HashAlg::Sha256 => aws_lc_rs::hmac::HMAC_SHA256,
            HashAlg::Sha384 => aws_lc_rs::hmac::HMAC_SHA384,
            HashAlg::Sha512 => aws_lc_rs::hmac::HMAC_SHA512,
            HashAlg::Sha1 => {
                return Err(Error::InvalidRequest(
                    "the aws-lc provider does not compute HMAC-SHA-1".into(),
                ));
            }
        };
        let key = aws_lc_rs::hmac::Key::new(algorithm, key);
        Ok(aws_lc_rs::hmac::sign(&key, data).as_ref().to_vec())
    }

    fn hmac_verify(&self, hash: HashAlg, key: &[u8], data: &[u8], tag: &[u8]) -> Result<(), Error> {
        let algorithm = match hash {
            HashAlg::Sha256 => aws_lc_rs::hmac::HMAC_SHA256,
            HashAlg::Sha384 => aws_lc_rs::hmac::HMAC_SHA384,
            HashAlg::Sha512 => aws_lc_rs::hmac::HMAC_SHA512,
            HashAlg::Sha1 => {
                return Err(Error::InvalidRequest(
                    "the aws-lc provider does not compute HMAC-SHA-1".into(),
                ));
            }
        };
        let key = aws_lc_rs::hmac::Key::new(algorithm, key);
        // aws-lc-rs compares in constant time; any mismatch, a truncated tag included, fails.
        aws_lc_rs::hmac::verify(&key, data, tag).map_err(|_| Error::BadSignature)
    }

    fn aead_seal(
        &self,
        enc: ContentEncryption,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<(Vec<u8>, [u8; 16]), Error> {
        let mut buffer = plaintext.to_vec();
        let tag = self.aead_seal_in_place(enc, key, iv, aad, &mut buffer)?;
        Ok((buffer, tag))
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
        // On failure the buffer may hold unauthenticated plaintext; Zeroizing wipes it on drop.
        let mut buffer = Zeroizing::new(ciphertext.to_vec());
        self.aead_open_in_place(enc, key, iv, aad, &mut buffer, tag)?;
        Ok(buffer)
    }

    fn aead_seal_in_place(
        &self,
        enc: ContentEncryption,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; 16], Error> {
        check_aead_seal_inputs(enc, key, iv)?;
        let failure = || Error::Provider(format!("aws-lc-rs failed to encrypt with {enc}"));
        let key = aead_key(enc, key).ok_or_else(failure)?;
        let nonce = Nonce::try_assume_unique_for_key(iv).map_err(|_| failure())?;
        let tag = key
            .seal_in_place_separate_tag(nonce, Aad::from(aad), in_out)
            .map_err(|_| failure())?;
        tag.as_ref().try_into().map_err(|_| failure())
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
        check_aead_open_inputs(enc, key, iv, tag)?;
        let key = aead_key(enc, key).ok_or(Error::DecryptionFailed)?;
        let nonce = Nonce::try_assume_unique_for_key(iv).map_err(|_| Error::DecryptionFailed)?;
        let len = in_out.len();
        let opened = key
            .open_in_place_separate_tag(nonce, Aad::from(aad), tag, in_out)
            .map_err(|_| Error::DecryptionFailed)?
            .len();
        if opened == len {
            Ok(())
        } else {
            Err(Error::DecryptionFailed)
        }
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
        Ok(Arc::new(AwsLcPrivateKey::from_pkcs8(pkcs8_der)?))
    }

    fn import_public_spki(&self, spki_der: &[u8]) -> Result<Arc<dyn PublicKeyOps>, Error> {
        Ok(Arc::new(AwsLcPublicKey::from_spki(spki_der)?))
    }

    fn generate_ephemeral(&self, curve: KeyKind) -> Result<Arc<dyn PrivateKeyOps>, Error> {
        match curve {
            KeyKind::Ec(curve) => Ok(Arc::new(AwsLcPrivateKey::generate_ec_ephemeral(curve)?)),
            KeyKind::Okp(curve) => Ok(Arc::new(AwsLcPrivateKey::generate_okp(curve)?)),
            other @ KeyKind::Rsa { .. } => Err(Error::invalid_key(
                "an EC or X25519 key for an ephemeral key agreement",
                other,
            )),
        }
    }

    fn generate(&self, spec: KeySpec) -> Result<Arc<dyn PrivateKeyOps>, Error> {
        spec.validate()?;
        let pkcs8: Zeroizing<Vec<u8>> = match spec {
            KeySpec::Okp(curve) => return Ok(Arc::new(AwsLcPrivateKey::generate_okp(curve)?)),
            KeySpec::Rsa { bits } => {
                let size = match bits {
                    2048 => aws_lc_rs::rsa::KeySize::Rsa2048,
                    3072 => aws_lc_rs::rsa::KeySize::Rsa3072,
                    4096 => aws_lc_rs::rsa::KeySize::Rsa4096,
                    other => {
                        return Err(Error::invalid_key(
                            "an RSA key size of 2048, 3072 or 4096 bits",
                            format!("{other} bits"),
                        ));
                    }
                };
                let failure = || {
                    Error::Provider(format!(
                        "aws-lc-rs failed to generate an RSA {bits}-bit key"
                    ))
                };
                let pair = RsaKeyPair::generate(size).map_err(|_| failure())?;
                let der = aws_lc_rs::encoding::AsDer::as_der(&pair).map_err(|_| failure())?;
                Zeroizing::new(der.as_ref().to_vec())
            }
            KeySpec::Ec(curve) => {
                let failure =
                    || Error::Provider(format!("aws-lc-rs failed to generate an EC {curve} key"));
                let alg = match curve {
                    EcCurve::P256 => &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    EcCurve::P384 => &aws_lc_rs::signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                    EcCurve::P521 => &aws_lc_rs::signature::ECDSA_P521_SHA512_FIXED_SIGNING,
                };
                let pair = EcdsaKeyPair::generate(alg).map_err(|_| failure())?;
                let doc = pair.to_pkcs8v1().map_err(|_| failure())?;
                Zeroizing::new(doc.as_ref().to_vec())
            }
        };
        self.import_private_pkcs8(&pkcs8)
    }
}
