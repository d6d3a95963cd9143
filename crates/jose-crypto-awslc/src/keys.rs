//! RSA and EC keys held by aws-lc-rs, behind jose-core's `PrivateKeyOps` / `PublicKeyOps`.
//!
//! jose-core's `provider::support` reads the key type, RSA size and exponent and EC point encoding
//! of what a caller passes (with messages that say what was wrong); aws-lc-rs does the real,
//! strict parsing and checks the key is consistent and its point on the curve.

use aws_lc_rs::encoding::{AsBigEndian, AsDer, EcPrivateKeyBin};
use aws_lc_rs::error::KeyRejected;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OAEP_SHA384_MGF1SHA384, OAEP_SHA512_MGF1SHA512,
    OaepAlgorithm, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey,
    PublicEncryptingKey,
};
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, EcdsaSigningAlgorithm, EcdsaVerificationAlgorithm, KeyPair as _,
    ParsedPublicKey, RsaEncoding, RsaKeyPair, RsaParameters,
};
use jose_core::Error;
use jose_core::alg::{
    EcCurve, JwsAlgorithm, KeyKind, KeyManagementAlgorithm, MAX_RSA_BITS, SignatureScheme,
};
use jose_core::provider::support::{read_pkcs8, read_spki};
use jose_core::provider::{PrivateKeyOps, PublicKeyOps};
use std::fmt;
use std::sync::{Arc, OnceLock};
use zeroize::Zeroizing;

// aws-lc-rs handles RSA moduli up to 8192 bits (its `RSA_*_2048_8192_*` parameters), so jose-core's
// limit, which `read_pkcs8` and `read_spki` apply, must not go beyond it.
const _: () = assert!(MAX_RSA_BITS <= 8192);

/// The error for a key that aws-lc-rs refuses after jose-core's structural checks passed. The
/// `KeyRejected` reason is a fixed string from aws-lc-rs ("InvalidEncoding", "InconsistentComponents",
/// ...), never key bytes.
fn rejected(expected: impl fmt::Display, err: &KeyRejected) -> Error {
    Error::invalid_key(
        expected,
        format!("a key aws-lc-rs rejects ({})", err.description_()),
    )
}

fn provider_failure(what: &str) -> Error {
    Error::Provider(format!("aws-lc-rs failed to {what}"))
}

fn ecdsa_signing(curve: EcCurve) -> &'static EcdsaSigningAlgorithm {
    match curve {
        EcCurve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        EcCurve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        EcCurve::P521 => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
    }
}

fn ecdsa_verification(curve: EcCurve) -> &'static EcdsaVerificationAlgorithm {
    match curve {
        EcCurve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
        EcCurve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
        EcCurve::P521 => &signature::ECDSA_P521_SHA512_FIXED,
    }
}

/// The RSA signing encoding for an RS*/PS* algorithm (PSS: MGF1 with the same hash, salt length =
/// hash length, which is aws-lc-rs' default).
fn rsa_signing(alg: JwsAlgorithm) -> Option<&'static dyn RsaEncoding> {
    match alg {
        JwsAlgorithm::Rs256 => Some(&signature::RSA_PKCS1_SHA256),
        JwsAlgorithm::Rs384 => Some(&signature::RSA_PKCS1_SHA384),
        JwsAlgorithm::Rs512 => Some(&signature::RSA_PKCS1_SHA512),
        JwsAlgorithm::Ps256 => Some(&signature::RSA_PSS_SHA256),
        JwsAlgorithm::Ps384 => Some(&signature::RSA_PSS_SHA384),
        JwsAlgorithm::Ps512 => Some(&signature::RSA_PSS_SHA512),
        JwsAlgorithm::Es256
        | JwsAlgorithm::Es384
        | JwsAlgorithm::Es512
        | JwsAlgorithm::Hs256
        | JwsAlgorithm::Hs384
        | JwsAlgorithm::Hs512 => None,
    }
}

/// The aws-lc-rs parameters of an RSA JWS algorithm, with its slot in [`RsaVerifiers`].
fn rsa_verification(alg: JwsAlgorithm) -> Option<(usize, &'static RsaParameters)> {
    match alg {
        JwsAlgorithm::Rs256 => Some((0, &signature::RSA_PKCS1_2048_8192_SHA256)),
        JwsAlgorithm::Rs384 => Some((1, &signature::RSA_PKCS1_2048_8192_SHA384)),
        JwsAlgorithm::Rs512 => Some((2, &signature::RSA_PKCS1_2048_8192_SHA512)),
        JwsAlgorithm::Ps256 => Some((3, &signature::RSA_PSS_2048_8192_SHA256)),
        JwsAlgorithm::Ps384 => Some((4, &signature::RSA_PSS_2048_8192_SHA384)),
        JwsAlgorithm::Ps512 => Some((5, &signature::RSA_PSS_2048_8192_SHA512)),
        JwsAlgorithm::Es256
        | JwsAlgorithm::Es384
        | JwsAlgorithm::Es512
        | JwsAlgorithm::Hs256
        | JwsAlgorithm::Hs384
        | JwsAlgorithm::Hs512 => None,
    }
}

/// An RSA public key parsed once per JWS algorithm, on its first verification. aws-lc keeps the
/// Montgomery set-up with the parsed key, so later verifications skip both the DER parse and the
/// set-up that `UnparsedPublicKey` repeats on every call.
#[derive(Default)]
struct RsaVerifiers([OnceLock<Option<ParsedPublicKey>>; 6]);

impl RsaVerifiers {
    /// Verifies `sig` over `message` with the key `pkcs1` (validated at import) under `alg`.
    fn verify(&self, pkcs1: &[u8], alg: JwsAlgorithm, message: &[u8], sig: &[u8]) -> bool {
        let Some((slot, params)) = rsa_verification(alg) else {
            return false;
        };
        let Some(cell) = self.0.get(slot) else {
            return false;
        };
        cell.get_or_init(|| ParsedPublicKey::new(params, pkcs1).ok())
            .as_ref()
            .is_some_and(|key| key.verify_sig(message, sig).is_ok())
    }
}

fn oaep(alg: KeyManagementAlgorithm) -> &'static OaepAlgorithm {
    match alg {
        KeyManagementAlgorithm::RsaOaep => &OAEP_SHA1_MGF1SHA1,
        KeyManagementAlgorithm::RsaOaep256 => &OAEP_SHA256_MGF1SHA256,
        KeyManagementAlgorithm::RsaOaep384 => &OAEP_SHA384_MGF1SHA384,
        KeyManagementAlgorithm::RsaOaep512 => &OAEP_SHA512_MGF1SHA512,
    }
}

fn check_fit(alg: JwsAlgorithm, kind: KeyKind) -> Result<(), Error> {
    if alg.fits(kind) {
        Ok(())
    } else {
        Err(Error::invalid_key(format!("a key for {alg}"), kind))
    }
}

/// A public key: RSA (PKCS#1 v1.5 and PSS verification, RSA-OAEP encryption) or ECDSA.
pub(crate) struct AwsLcPublicKey {
    inner: PublicInner,
    /// Canonical SPKI, as aws-lc-rs re-encodes it (EC points uncompressed).
    spki: Vec<u8>,
}

enum PublicInner {
    Rsa {
        /// The PKCS#1 `RSAPublicKey`, validated at import, parsed for each algorithm on first use.
        pkcs1: Vec<u8>,
        verifiers: Box<RsaVerifiers>,
        encrypting: OaepPublicEncryptingKey,
        bits: usize,
    },
    Ec {
        key: ParsedPublicKey,
        curve: EcCurve,
    },
}

impl fmt::Debug for AwsLcPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsLcPublicKey")
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

impl AwsLcPublicKey {
    /// Imports SPKI DER: RSA (2048 to 8192 bits, odd exponent >= 3) or EC (uncompressed point on
    /// P-256, P-384 or P-521).
    pub(crate) fn from_spki(spki: &[u8]) -> Result<Self, Error> {
        let info = read_spki(spki)?;
        match info.kind {
            KeyKind::Rsa { bits } => {
                let expected = "a valid RSA public key";
                let key =
                    PublicEncryptingKey::from_der(spki).map_err(|e| rejected(expected, &e))?;
                if key.key_size_bits() != bits {
                    return Err(Error::invalid_key(
                        expected,
                        "a key whose size aws-lc-rs reads differently",
                    ));
                }
                let canonical = key
                    .as_der()
                    .map_err(|_| provider_failure("encode an RSA public key"))?
                    .as_ref()
                    .to_vec();
                let encrypting = OaepPublicEncryptingKey::new(key)
                    .map_err(|_| provider_failure("set up an RSA-OAEP key"))?;
                Ok(AwsLcPublicKey {
                    inner: PublicInner::Rsa {
                        pkcs1: info.public_key.to_vec(),
                        verifiers: Box::default(),
                        encrypting,
                        bits,
                    },
                    spki: canonical,
                })
            }
            KeyKind::Ec(curve) => {
                let key = ParsedPublicKey::new(ecdsa_verification(curve), spki).map_err(|e| {
                    rejected(
                        format!("a valid {curve} public key (a point on the curve)"),
                        &e,
                    )
                })?;
                let canonical = key
                    .as_der()
                    .map_err(|_| provider_failure("encode an EC public key"))?
                    .as_ref()
                    .to_vec();
                Ok(AwsLcPublicKey {
                    inner: PublicInner::Ec { key, curve },
                    spki: canonical,
                })
            }
        }
    }
}

impl PublicKeyOps for AwsLcPublicKey {
    fn kind(&self) -> KeyKind {
        match &self.inner {
            PublicInner::Rsa { bits, .. } => KeyKind::Rsa { bits: *bits },
            PublicInner::Ec { curve, .. } => KeyKind::Ec(*curve),
        }
    }

    fn verify(&self, alg: JwsAlgorithm, message: &[u8], sig: &[u8]) -> Result<(), Error> {
        check_fit(alg, self.kind())?;
        let verified = match (&self.inner, alg.scheme()) {
            (PublicInner::Ec { key, curve }, SignatureScheme::Ecdsa(_)) => {
                sig.len() == curve.signature_len() && key.verify_sig(message, sig).is_ok()
            }
            // A signature is exactly as long as the modulus (RFC 8017 section 8.2.2 step 1).
            (
                PublicInner::Rsa {
                    pkcs1,
                    bits,
                    verifiers,
                    ..
                },
                _,
            ) => sig.len() == bits.div_ceil(8) && verifiers.verify(pkcs1, alg, message, sig),
            (PublicInner::Ec { .. }, _) => false,
        };
        if verified {
            Ok(())
        } else {
            Err(Error::BadSignature)
        }
    }

    fn wrap_key(&self, alg: KeyManagementAlgorithm, cek: &[u8]) -> Result<Vec<u8>, Error> {
        let PublicInner::Rsa { encrypting, .. } = &self.inner else {
            return Err(Error::invalid_key(
                format!("an RSA key for {alg}"),
                self.kind(),
            ));
        };
        let algorithm = oaep(alg);
        let max = encrypting.max_plaintext_size(algorithm);
        if cek.len() > max {
            return Err(Error::InvalidRequest(format!(
                "{alg} with this {} can wrap at most {max} bytes, found a {}-byte CEK",
                self.kind(),
                cek.len()
            )));
        }
        let mut out = vec![0u8; encrypting.ciphertext_size()];
        let len = encrypting
            .encrypt(algorithm, cek, &mut out, None)
            .map_err(|_| provider_failure("encrypt with RSA-OAEP"))?
            .len();
        out.truncate(len);
        Ok(out)
    }

    fn to_spki_der(&self) -> Result<Vec<u8>, Error> {
        Ok(self.spki.clone())
    }
}

/// A private key: RSA (signing and RSA-OAEP decryption) or ECDSA. aws-lc frees (and cleanses) the
/// key material when this is dropped; nothing secret is kept on the Rust side.
pub(crate) struct AwsLcPrivateKey {
    inner: PrivateInner,
    public: Arc<AwsLcPublicKey>,
}

enum PrivateInner {
    Rsa {
        signing: RsaKeyPair,
        decrypting: OaepPrivateDecryptingKey,
        bits: usize,
    },
    Ec {
        key: EcdsaKeyPair,
        curve: EcCurve,
    },
}

impl fmt::Debug for AwsLcPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsLcPrivateKey")
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

impl AwsLcPrivateKey {
    /// Imports PKCS#8 DER (v1, or v2 if aws-lc accepts it): RSA of 2048 to 8192 bits, or EC on
    /// P-256/P-384/P-521. aws-lc checks the key is consistent (RSA components, EC public point).
    pub(crate) fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, Error> {
        match read_pkcs8(pkcs8)?.kind {
            KeyKind::Rsa { bits } => {
                let expected = "a valid RSA private key";
                let signing = RsaKeyPair::from_pkcs8(pkcs8).map_err(|e| rejected(expected, &e))?;
                let decrypting =
                    PrivateDecryptingKey::from_pkcs8(pkcs8).map_err(|e| rejected(expected, &e))?;
                if decrypting.key_size_bits() != bits {
                    return Err(Error::invalid_key(
                        expected,
                        "a key whose size aws-lc-rs reads differently",
                    ));
                }
                let decrypting = OaepPrivateDecryptingKey::new(decrypting)
                    .map_err(|_| provider_failure("set up an RSA-OAEP key"))?;
                let spki = signing
                    .public_key()
                    .as_der()
                    .map_err(|_| provider_failure("encode an RSA public key"))?;
                let public = Arc::new(AwsLcPublicKey::from_spki(spki.as_ref())?);
                Ok(AwsLcPrivateKey {
                    inner: PrivateInner::Rsa {
                        signing,
                        decrypting,
                        bits,
                    },
                    public,
                })
            }
            KeyKind::Ec(curve) => {
                let key = EcdsaKeyPair::from_pkcs8(ecdsa_signing(curve), pkcs8)
                    .map_err(|e| rejected(format!("a valid {curve} private key"), &e))?;
                let spki = key
                    .public_key()
                    .as_der()
                    .map_err(|_| provider_failure("encode an EC public key"))?;
                let public = Arc::new(AwsLcPublicKey::from_spki(spki.as_ref())?);
                Ok(AwsLcPrivateKey {
                    inner: PrivateInner::Ec { key, curve },
                    public,
                })
            }
        }
    }
}

impl PrivateKeyOps for AwsLcPrivateKey {
    fn kind(&self) -> KeyKind {
        match &self.inner {
            PrivateInner::Rsa { bits, .. } => KeyKind::Rsa { bits: *bits },
            PrivateInner::Ec { curve, .. } => KeyKind::Ec(*curve),
        }
    }

    fn sign(&self, alg: JwsAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
        check_fit(alg, self.kind())?;
        let rng = SystemRandom::new();
        match &self.inner {
            PrivateInner::Rsa { signing, .. } => {
                let encoding = rsa_signing(alg)
                    .ok_or_else(|| Error::invalid_key(format!("a key for {alg}"), self.kind()))?;
                let mut sig = vec![0u8; signing.public_modulus_len()];
                signing
                    .sign(encoding, &rng, message, &mut sig)
                    .map_err(|_| provider_failure("sign with RSA"))?;
                Ok(sig)
            }
            PrivateInner::Ec { key, curve } => {
                let sig = key
                    .sign(&rng, message)
                    .map_err(|_| provider_failure("sign with ECDSA"))?;
                let sig = sig.as_ref();
                if sig.len() != curve.signature_len() {
                    return Err(provider_failure("produce a fixed-length ECDSA signature"));
                }
                Ok(sig.to_vec())
            }
        }
    }

    fn unwrap_key(
        &self,
        alg: KeyManagementAlgorithm,
        encrypted_key: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let PrivateInner::Rsa { decrypting, .. } = &self.inner else {
            return Err(Error::DecryptionFailed);
        };
        if encrypted_key.len() != decrypting.key_size_bytes() {
            return Err(Error::DecryptionFailed);
        }
        let mut out = Zeroizing::new(vec![0u8; decrypting.min_output_size()]);
        let len = decrypting
            .decrypt(oaep(alg), encrypted_key, &mut out, None)
            .map_err(|_| Error::DecryptionFailed)?
            .len();
        out.truncate(len);
        Ok(out)
    }

    fn public_key(&self) -> Arc<dyn PublicKeyOps> {
        self.public.clone()
    }

    fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        match &self.inner {
            PrivateInner::Rsa { signing, .. } => {
                let der = signing
                    .as_der()
                    .map_err(|_| provider_failure("encode an RSA private key"))?;
                Ok(Zeroizing::new(der.as_ref().to_vec()))
            }
            PrivateInner::Ec { key, .. } => {
                // aws-lc remembers when an imported ECPrivateKey had no public key and would
                // export it that way too; a key rebuilt from scalar and point always includes it.
                let failure = || provider_failure("encode an EC private key");
                let scalar: EcPrivateKeyBin<'_> =
                    key.private_key().as_be_bytes().map_err(|_| failure())?;
                let rebuilt = EcdsaKeyPair::from_private_key_and_public_key(
                    key.algorithm(),
                    scalar.as_ref(),
                    key.public_key().as_ref(),
                )
                .map_err(|_| failure())?;
                let doc = rebuilt.to_pkcs8v1().map_err(|_| failure())?;
                Ok(Zeroizing::new(doc.as_ref().to_vec()))
            }
        }
    }
}
